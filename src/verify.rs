//! The verification pipeline, written once: size → three segments → strict
//! base64url → header → algorithm allow-list → key by `kid` → signature →
//! only then the payload → claims → scopes. Each step has its own error.

use std::sync::Arc;

use crate::json::Map;

use crate::alg::{Algorithm, KeyKind};
use crate::claims::{Confirmation, Presented};
use crate::dpop::{self, Presentation, Proven};
use crate::error::Error;
use crate::jwk::{Key, KeySet};
use crate::options::{CallOptions, DecodeOptions, ScopeRequirement, Validation};
use crate::revocation::RevocationList;
use crate::{claims, crypto, jws, roles, scopes};

/// A token that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    /// The protected header.
    pub header: Map,
    /// The claims.
    pub claims: Map,
    /// The granted scopes.
    pub scopes: Vec<String>,
    /// The roles the token lists.
    pub roles: Vec<String>,
    /// The header JSON exactly as signed (validated UTF-8 JSON object text).
    pub header_json: String,
    /// The payload JSON exactly as signed (validated UTF-8 JSON object text).
    pub claims_json: String,
}

/// A decoded but unverified token.
pub type Decoded = Verified;

/// Options compiled once and a key set shared with other verifiers: the hot path.
#[derive(Debug, Clone)]
pub struct Verifier {
    keys: Arc<KeySet>,
    validation: Validation,
}

impl Verifier {
    /// Prepares a verifier. Fails when the allow-list names an algorithm no
    /// key in the set is bound to (a configuration that can never verify).
    pub fn new(keys: Arc<KeySet>, validation: Validation) -> Result<Verifier, Error> {
        // RSA JWKs that came without `alg`: bound here by the allow-list, once.
        let keys = match validation.algorithms.as_deref().map(|a| keys.bind(a)) {
            Some(Err(e)) => return Err(e),
            Some(Ok(Some(bound))) => Arc::new(bound),
            _ => keys,
        };
        if keys.keys().is_empty() {
            return Err(Error::InvalidArg(
                "the key set's RSA keys have no alg: give the verifier's algorithms option the one they verify (e.g. [\"RS256\"])".into(),
            ));
        }
        if let Some(algs) = &validation.algorithms {
            if !algs.iter().any(|a| keys.has_alg(*a)) {
                return Err(Error::InvalidArg(
                    "no key in the key set is bound to any of the allowed algorithms".into(),
                ));
            }
        }
        Ok(Verifier { keys, validation })
    }

    /// The compiled options.
    pub fn validation(&self) -> &Validation {
        &self.validation
    }

    /// Verifies `token`. `clock` is the current time in seconds, used unless
    /// the options or `call` fix one.
    pub fn verify(&self, token: &str, call: &CallOptions, clock: i64) -> Result<Verified, Error> {
        self.verify_revocable(token, call, clock, None)
    }

    /// [`Verifier::verify`], also refusing tokens on `revocations`.
    pub fn verify_revocable(
        &self,
        token: &str,
        call: &CallOptions,
        clock: i64,
        revocations: Option<&RevocationList>,
    ) -> Result<Verified, Error> {
        let now = self.now(call, clock);
        let requirements = self.requirements(call, revocations);
        verify_with(token, &self.keys, &self.validation, &requirements, now)
    }

    /// [`Verifier::verify_revocable`] for a request that presents more than
    /// its token (a DPoP proof, a client certificate): the token first, its
    /// claims, then the proofs against its binding ([`dpop::bind_opened`]),
    /// then revocation, scopes and roles. Also returns what the proofs showed.
    /// The two halves of [`Verifier::begin_presented`] with every signature
    /// checked here: one pipeline, whoever checks the signatures.
    pub fn verify_presented(
        &self,
        token: &str,
        call: &CallOptions,
        clock: i64,
        revocations: Option<&RevocationList>,
        presentation: &Presentation<'_>,
    ) -> Result<(Verified, Proven), Error> {
        match self.begin_presented(token, call, clock, revocations, presentation)? {
            Begun::Verified(done) => Ok(done),
            Begun::Pending(pending) => {
                self.resume_presented(pending, call, clock, revocations, presentation, None, None)
            }
        }
    }

    /// [`Verifier::verify_presented`] in two halves, the signatures left to
    /// the caller (the native-crypto path of the JS package): the token's
    /// header, allow-list and candidate keys, as [`Verifier::begin`] has
    /// them, and the DPoP proof up to its signature ([`dpop::open_presented`]).
    /// An error here is the token's, final; the proof's waits for
    /// [`Verifier::resume_presented`], after the token's claims, as it does
    /// in the whole path. An HMAC token's signature is checked here; when
    /// nothing is left to check, the whole answer (`Begun::Verified`).
    #[inline(never)]
    pub fn begin_presented(
        &self,
        token: &str,
        call: &CallOptions,
        clock: i64,
        revocations: Option<&RevocationList>,
        presentation: &Presentation<'_>,
    ) -> Result<Begun<PendingPresented, (Verified, Proven)>, Error> {
        let parked = signature_step(token, &self.keys, &self.validation)?;
        let proof = dpop::open_presented(presentation);
        let ath = match &proof {
            Some(Ok(_)) => dpop::token_hash(token),
            _ => String::new(),
        };
        let pending = PendingPresented {
            token: parked,
            proof,
            ath,
        };
        if pending.has_signatures() {
            return Ok(Begun::Pending(pending));
        }
        self.resume_presented(pending, call, clock, revocations, presentation, None, None)
            .map(Begun::Verified)
    }

    /// The rest of [`Verifier::begin_presented`]: `token_verified` and
    /// `proof_verified` say whether the caller found the token's signature
    /// good with one of its candidate keys and the proof's with its key;
    /// `None` has the core check that one here (the caller could not). The
    /// answer is [`Verifier::verify_presented`]'s, in its order: the token's
    /// signature, payload and claims, then the proof (its refusal from the
    /// first half, its signature, its claims), the binding, revocation,
    /// scopes and roles. `presentation` must be the first half's.
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    pub fn resume_presented(
        &self,
        pending: PendingPresented,
        call: &CallOptions,
        clock: i64,
        revocations: Option<&RevocationList>,
        presentation: &Presentation<'_>,
        token_verified: Option<bool>,
        proof_verified: Option<bool>,
    ) -> Result<(Verified, Proven), Error> {
        let PendingPresented { token, proof, ath } = pending;
        let compact = match token {
            Err(checked) => checked,
            Ok(token) => {
                let (input, signature) = token.split();
                let good = token_verified.unwrap_or_else(|| {
                    token.candidates.iter().any(|&i| {
                        self.keys
                            .keys()
                            .get(i)
                            .is_some_and(|key| key.verify_signature(input, signature))
                    })
                });
                if !good {
                    return Err(Error::SignatureInvalid);
                }
                token.compact
            }
        };
        let now = self.now(call, clock);
        let req = self.requirements(call, revocations);
        let v = &self.validation;
        let verified = match &proof {
            Some(Ok(opened)) => proof_verified.unwrap_or_else(|| opened.verify()),
            _ => false,
        };
        accept_with(compact, v, &req, now, |bound| {
            dpop::bind_opened(presentation, proof, verified, &ath, bound, v, now)
        })
    }

    /// The first half of [`Verifier::verify_revocable`] with an asymmetric
    /// signature left to the caller (the native-crypto path of the JS
    /// package): see [`begin`]. An HMAC token is verified whole here.
    pub fn begin(
        &self,
        token: &str,
        call: &CallOptions,
        clock: i64,
        revocations: Option<&RevocationList>,
    ) -> Result<Begun, Error> {
        let now = self.now(call, clock);
        let requirements = self.requirements(call, revocations);
        begin(token, &self.keys, &self.validation, &requirements, now)
    }

    /// The second half, once the caller found that one of `pending`'s
    /// candidate keys verifies its signature: payload, claims, revocation,
    /// scopes and roles, exactly as [`Verifier::verify_revocable`] checks them.
    pub fn resume(
        &self,
        pending: Pending,
        call: &CallOptions,
        clock: i64,
        revocations: Option<&RevocationList>,
    ) -> Result<Verified, Error> {
        let now = self.now(call, clock);
        let requirements = self.requirements(call, revocations);
        accept(pending.compact, &self.validation, &requirements, now)
    }

    /// An opaque token's introspection response (RFC 7662 §2.2, JSON text),
    /// checked as [`Verifier::verify_revocable`] checks a token's claims once
    /// its signature verified: `active` must be `true` (anything else is an
    /// inactive token), then the same claim checks (`iss`, `aud`, `exp`, …),
    /// revocation, scopes and roles. The claims are the response itself;
    /// there is no header, so a `typ` requirement cannot be met: check
    /// responses with a verifier compiled without one.
    pub fn check_introspected(
        &self,
        response: &str,
        call: &CallOptions,
        clock: i64,
        revocations: Option<&RevocationList>,
    ) -> Result<Verified, Error> {
        let claims = jws::parse_payload(response.as_bytes())?;
        if claims.get("active") != Some(&crate::json::Value::Bool(true)) {
            return Err(Error::TokenInactive);
        }
        let now = self.now(call, clock);
        claims::validate(&claims, None, &self.validation, now)?;
        let requirements = self.requirements(call, revocations);
        let (scopes, roles) = entitlements(&claims, &self.validation, &requirements)?;
        Ok(Verified {
            header: Map::new(),
            claims,
            scopes,
            roles,
            header_json: "{}".to_owned(),
            claims_json: response.to_owned(),
        })
    }

    /// The key set.
    pub fn keys(&self) -> &KeySet {
        &self.keys
    }

    /// The time a call is checked at: the call's, else the options', else `clock`.
    pub fn now(&self, call: &CallOptions, clock: i64) -> i64 {
        call.now.or(self.validation.now).unwrap_or(clock)
    }

    fn requirements<'a>(
        &'a self,
        call: &'a CallOptions,
        revocations: Option<&'a RevocationList>,
    ) -> Requirements<'a> {
        let (scopes, scope_mode) = call.scopes(&self.validation.scopes);
        let (roles, role_mode) = call.roles(&self.validation.roles);
        Requirements {
            scopes,
            scope_mode,
            roles,
            role_mode,
            revocations,
        }
    }
}

/// Verifies `token` with `keys` under `v` at `now` (seconds), requiring
/// `required` scopes and the roles of `v`.
pub fn verify(
    token: &str,
    keys: &KeySet,
    v: &Validation,
    required: &ScopeRequirement,
    now: i64,
) -> Result<Verified, Error> {
    let requirements = Requirements {
        scopes: &required.required,
        scope_mode: required.mode,
        roles: &v.roles.required,
        role_mode: v.roles.mode,
        revocations: None,
    };
    verify_with(token, keys, v, &requirements, now)
}

/// What one verification requires beyond the token's validity.
#[derive(Clone, Copy, Debug)]
pub struct Requirements<'a> {
    /// Required scopes.
    pub scopes: &'a [String],
    /// All of them or any.
    pub scope_mode: scopes::Mode,
    /// Required roles.
    pub roles: &'a [String],
    /// All of them or any.
    pub role_mode: scopes::Mode,
    /// Revoked tokens and subjects, if any.
    pub revocations: Option<&'a RevocationList>,
}

/// The whole pipeline: JWS → claims → revocation → scopes → roles.
pub fn verify_with(
    token: &str,
    keys: &KeySet,
    v: &Validation,
    req: &Requirements<'_>,
    now: i64,
) -> Result<Verified, Error> {
    pipeline(token, keys, v, req, now)
}

/// A token parsed up to its signature, which the caller checks with
/// another implementation of the same primitive; its payload is not read yet.
#[derive(Debug)]
pub struct Pending {
    /// Indexes into [`KeySet::keys`] of the keys that may have signed the
    /// token (right algorithm, `kid` and signature length), in the order
    /// [`verify_with`] tries them; never empty.
    pub candidates: Vec<usize>,
    /// The signing input (the token's bytes before its second dot) followed
    /// by the decoded signature, which starts at the signing input's length.
    pub signed_then_signature: Vec<u8>,
    /// The token's decoded parts (its signing input moved into the field above).
    compact: jws::Compact<'static>,
}

impl Pending {
    /// The signing input and the signature, as the caller checks them.
    pub fn split(&self) -> (&[u8], &[u8]) {
        let at = self.compact.signature.len();
        let bytes = &self.signed_then_signature;
        bytes.split_at(bytes.len().saturating_sub(at))
    }
}

/// What [`begin`] leaves (and, with other types, [`Verifier::begin_presented`]).
#[derive(Debug)]
pub enum Begun<P = Pending, V = Verified> {
    /// An HMAC token, verified whole (the secret never leaves).
    Verified(V),
    /// An RSA, ECDSA or EdDSA signature for the caller to check.
    Pending(P),
}

/// [`verify_with`] in two halves, the signature checked by the caller in
/// between: the header, algorithm and candidate keys here; the payload only
/// after one of the keys verified the signature ([`Verifier::resume`]). A
/// signature of the wrong length for every key is a bad signature at once.
pub fn begin(
    token: &str,
    keys: &KeySet,
    v: &Validation,
    req: &Requirements<'_>,
    now: i64,
) -> Result<Begun, Error> {
    match signature_step(token, keys, v)? {
        Err(checked) => accept(checked, v, req, now).map(Begun::Verified),
        Ok(pending) => Ok(Begun::Pending(pending)),
    }
}

/// The token up to its signature: checked here for an HMAC token (`Err`,
/// the secret never leaves), else left to the caller with the candidate
/// keys of the signature's length (`Ok`; none is a bad signature at once).
fn signature_step(
    token: &str,
    keys: &KeySet,
    v: &Validation,
) -> Result<Result<Pending, jws::Compact<'static>>, Error> {
    let (compact, alg) = allowed_compact(token, keys, v.algorithms.as_deref(), v.max_token_length)?;
    if alg.key_kind() == KeyKind::Hmac {
        verify_signature(keys, &compact, alg)?;
        return Ok(Err(detach(compact)));
    }
    let length = compact.signature.len();
    let candidates: Vec<usize> = candidates(keys, compact.header.kid.as_deref(), alg)?
        .into_iter()
        .filter(|(_, key)| key.material().signature_len() == Some(length))
        .map(|(i, _)| i)
        .collect();
    if candidates.is_empty() {
        return Err(Error::SignatureInvalid);
    }
    Ok(Ok(Pending::park(compact, candidates)))
}

impl Pending {
    /// `compact` kept for [`accept`], its signing input and signature
    /// copied out for the caller to check with `candidates`.
    fn park(compact: jws::Compact<'_>, candidates: Vec<usize>) -> Pending {
        let length = compact.signing_input.len() + compact.signature.len();
        let mut signed_then_signature = Vec::with_capacity(length);
        signed_then_signature.extend_from_slice(compact.signing_input);
        signed_then_signature.extend_from_slice(&compact.signature);
        Pending {
            candidates,
            signed_then_signature,
            compact: detach(compact),
        }
    }
}

/// `compact` without its borrowed signing input (already checked or copied).
fn detach(compact: jws::Compact<'_>) -> jws::Compact<'static> {
    let jws::Compact {
        payload,
        signature,
        header_json,
        header,
        ..
    } = compact;
    jws::Compact {
        signing_input: &[],
        payload,
        signature,
        header_json,
        header,
    }
}

/// A request that presents more than its token (see
/// [`Verifier::verify_presented`]), parsed up to its signatures by
/// [`Verifier::begin_presented`]: the token's, unless it verified already
/// (an HMAC token), and the DPoP proof's, when its header passed. Neither
/// payload is read before [`Verifier::resume_presented`].
#[derive(Debug)]
pub struct PendingPresented {
    /// The token: its signature to check, or checked in the core.
    token: Result<Pending, jws::Compact<'static>>,
    /// The proof as [`dpop::open_presented`] left it: to check, or its refusal
    /// (given after the token's own checks, as [`Verifier::verify_presented`] does).
    proof: Option<Result<dpop::Opened, Error>>,
    /// The access token's hash, for the proof's `ath`.
    ath: String,
}

impl PendingPresented {
    /// The token's signature left to the caller, as [`begin`] leaves it;
    /// `None` when it verified in the core (an HMAC token).
    pub fn token(&self) -> Option<&Pending> {
        self.token.as_ref().ok()
    }

    /// The DPoP proof whose signature is left to the caller, if any.
    pub fn proof(&self) -> Option<&dpop::Opened> {
        self.proof.as_ref().and_then(|p| p.as_ref().ok())
    }

    /// Whether there is a signature left to check at all.
    pub fn has_signatures(&self) -> bool {
        self.token().is_some() || self.proof().is_some()
    }
}

fn pipeline(
    token: &str,
    keys: &KeySet,
    v: &Validation,
    req: &Requirements<'_>,
    now: i64,
) -> Result<Verified, Error> {
    let (compact, alg) = allowed_compact(token, keys, v.algorithms.as_deref(), v.max_token_length)?;
    verify_signature(keys, &compact, alg)?;
    accept(compact, v, req, now)
}

/// Payload → claims → revocation → scopes → roles, after the signature.
fn accept(
    compact: jws::Compact<'_>,
    v: &Validation,
    req: &Requirements<'_>,
    now: i64,
) -> Result<Verified, Error> {
    accept_with(compact, v, req, now, |bound| {
        claims::check_binding(bound, v, &Presented::default())
    })
    .map(|(verified, ())| verified)
}

/// [`accept`] with the binding decided by `bind` from the token's `cnf`,
/// after its other claims and before revocation, scopes and roles. Generic
/// so that the bearer path holds no proof-checking code; the rest is one
/// function that both share ([`granted`]).
fn accept_with<T>(
    compact: jws::Compact<'_>,
    v: &Validation,
    req: &Requirements<'_>,
    now: i64,
    bind: impl FnOnce(Option<Confirmation<'_>>) -> Result<T, Error>,
) -> Result<(Verified, T), Error> {
    let claims = jws::parse_payload(&compact.payload)?;
    let bound = claims::validate_unbound(&claims, compact.header.typ.as_deref(), v, now)?;
    let proven = bind(bound)?;
    let (granted, held) = entitlements(&claims, v, req)?;
    Ok((finish(compact, claims, granted, held)?, proven))
}

/// Revocation → scopes → roles, on claims that passed every other check:
/// the granted scopes and the roles held.
fn entitlements(
    claims: &Map,
    v: &Validation,
    req: &Requirements<'_>,
) -> Result<(Vec<String>, Vec<String>), Error> {
    if let Some(list) = req.revocations {
        list.ensure_not_revoked(claims)?;
    }
    let granted = scopes::granted(claims, &v.scope_source)?;
    let check = scopes::check(&granted, req.scopes, req.scope_mode);
    if !check.ok {
        return Err(Error::InsufficientScope {
            missing: check.missing,
        });
    }
    let strict = v.roles_strict || !req.roles.is_empty();
    let held = roles::granted(claims, &v.role_source, strict)?;
    let check = scopes::check(&held, req.roles, req.role_mode);
    if !check.ok {
        return Err(Error::InsufficientRole {
            missing: check.missing,
        });
    }
    Ok((granted, held))
}

/// A JWS whose signature verified; the payload is whatever was signed.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedJws {
    /// The protected header.
    pub header: Map,
    /// The payload bytes, base64url-decoded (not necessarily JSON).
    pub payload: Vec<u8>,
}

/// Verifies only the JWS layer of `token` — shape, header, allow-list, key,
/// signature — and returns the payload bytes without reading them as claims
/// (jose's `compactVerify`). The same steps as [`verify`], stopping before
/// the payload: for non-JWT payloads and conformance tests. An access token
/// needs [`verify`].
pub fn verify_jws(
    token: &str,
    keys: &KeySet,
    algorithms: Option<&[Algorithm]>,
    max_token_length: usize,
) -> Result<VerifiedJws, Error> {
    let (compact, alg) = allowed_compact(token, keys, algorithms, max_token_length)?;
    verify_signature(keys, &compact, alg)?;
    Ok(VerifiedJws {
        header: compact.header.members,
        payload: compact.payload,
    })
}

/// Size → segments → base64url → header → allow-list.
fn allowed_compact<'a>(
    token: &'a str,
    keys: &KeySet,
    algorithms: Option<&[Algorithm]>,
    max_token_length: usize,
) -> Result<(jws::Compact<'a>, Algorithm), Error> {
    let compact = jws::split(token, max_token_length)?;
    let alg = Algorithm::from_header(&compact.header.alg)?;
    let allowed = match algorithms {
        Some(list) => list.contains(&alg),
        None => keys.has_alg(alg),
    };
    if !allowed {
        return Err(Error::AlgNotAllowed(
            "the token's alg is not in the allowed algorithms",
        ));
    }
    Ok((compact, alg))
}

/// Keys tried for a token whose `kid` names none of them: a token without a
/// `kid` cannot make the verifier try every key of a large set (each a
/// signature check an unauthenticated request costs).
pub const MAX_UNNAMED_KEYS: usize = 3;

/// The keys that may have signed a token, with their indexes, bound to the
/// header's algorithm: those its `kid` names (RFC 7515 §4.1.4), then those
/// that have no `kid` (a key imported without one, as a PEM key or a lone
/// JWK usually is, fits whatever `kid` the token names, as jose and PyJWT
/// have it); when the token has no `kid`, every key. More than
/// [`MAX_UNNAMED_KEYS`] that its `kid` does not name is an error, and so is none.
fn candidates<'k>(
    keys: &'k KeySet,
    kid: Option<&str>,
    alg: Algorithm,
) -> Result<Vec<(usize, &'k Key)>, Error> {
    let all = || keys.keys().iter().enumerate();
    let mut found: Vec<(usize, &Key)> = match kid {
        Some(kid) => all()
            .filter(|(_, k)| k.kid() == Some(kid) && k.alg() == alg)
            .collect(),
        None => Vec::new(),
    };
    if found.is_empty() && kid.is_some() && all().any(|(_, k)| k.kid() == kid) {
        // The kid exists but is bound to another algorithm: the header asks
        // for an algorithm this key must never be used with (RFC 8725 §3.1).
        return Err(Error::AlgNotAllowed(
            "the key for this kid is bound to a different alg",
        ));
    }
    let named = found.len();
    found.extend(
        all().filter(|(_, k)| {
            k.alg() == alg && (kid.is_none() || (k.kid().is_none() && named == 0))
        }),
    );
    if found.len() - named > MAX_UNNAMED_KEYS {
        return Err(Error::MultipleMatchingKeys);
    }
    if found.is_empty() {
        return Err(Error::NoMatchingKey);
    }
    Ok(found)
}

/// Checks the signature with each candidate key until one verifies.
fn verify_signature(
    keys: &KeySet,
    compact: &jws::Compact<'_>,
    alg: Algorithm,
) -> Result<(), Error> {
    for (_, key) in candidates(keys, compact.header.kid.as_deref(), alg)? {
        if crypto::verify(
            alg,
            key.material(),
            compact.signing_input,
            &compact.signature,
        ) {
            return Ok(());
        }
    }
    Err(Error::SignatureInvalid)
}

fn finish(
    compact: jws::Compact<'_>,
    claims: Map,
    scopes: Vec<String>,
    roles: Vec<String>,
) -> Result<Verified, Error> {
    // Both texts parsed as JSON, so they are valid UTF-8; the conversion only re-checks.
    let not_utf8 = || Error::JwsInvalid("token is not valid UTF-8 JSON");
    Ok(Verified {
        header_json: String::from_utf8(compact.header_json).map_err(|_| not_utf8())?,
        claims_json: String::from_utf8(compact.payload).map_err(|_| not_utf8())?,
        header: compact.header.members,
        claims,
        scopes,
        roles,
    })
}

/// Decodes `token` WITHOUT verifying anything but its shape: for UI that
/// shows or gates on claims the server will verify. Never a security decision.
pub fn decode(token: &str, options: &DecodeOptions) -> Result<Decoded, Error> {
    let compact = jws::split(token, options.max_token_length)?;
    let claims = jws::parse_payload(&compact.payload)?;
    let granted = scopes::granted(&claims, &options.scope_source)?;
    let held = roles::granted(&claims, &roles::Source::Default, false)?;
    finish(compact, claims, granted, held)
}

#[cfg(test)]
mod tests {
    use ring::hmac;

    use super::*;
    use crate::b64;
    use crate::json::Value;
    use crate::options::verify_options;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
    const NOW: i64 = 1_700_000_000;

    fn sign(header: &str, payload: &str, secret: &[u8]) -> String {
        let input = format!(
            "{}.{}",
            b64::encode(header.as_bytes()),
            b64::encode(payload.as_bytes())
        );
        let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, secret), input.as_bytes());
        format!("{input}.{}", b64::encode(tag.as_ref()))
    }

    fn keys() -> KeySet {
        KeySet::from_secret(SECRET, Algorithm::HS256, Some("k1".into())).unwrap_or_default()
    }

    fn options(extra: &str) -> Validation {
        verify_options(&format!(
            r#"{{"issuer":"https://idp","audience":"api"{extra}}}"#
        ))
        .unwrap_or_default()
    }

    fn run(token: &str, v: &Validation) -> Result<Verified, &'static str> {
        verify(token, &keys(), v, &v.scopes, NOW).map_err(|e| e.code())
    }

    const CLAIMS: &str = r#"{"iss":"https://idp","aud":"api","exp":1700000600,"scope":"read:messages write:messages"}"#;

    /// A JWKS of HMAC secrets: `(kid or none, secret)` each, bound to HS256.
    fn jwks(entries: &[(Option<&str>, &[u8])]) -> KeySet {
        let keys: Vec<String> = entries
            .iter()
            .map(|(kid, secret)| {
                let kid = kid.map_or(String::new(), |k| format!(r#","kid":"{k}""#));
                format!(
                    r#"{{"kty":"oct","alg":"HS256","k":"{}"{kid}}}"#,
                    b64::encode(secret)
                )
            })
            .collect();
        KeySet::from_jwks(
            format!(r#"{{"keys":[{}]}}"#, keys.join(",")).as_bytes(),
            &[],
        )
        .unwrap_or_default()
    }

    #[test]
    fn a_key_without_kid_fits_any_kid_and_a_named_key_comes_first() {
        let v = options("");
        let check = |set: &KeySet, token: &str| {
            verify(token, set, &v, &v.scopes, NOW)
                .map(|_| ())
                .map_err(|e| e.code())
        };
        // A key imported without a kid (a PEM key, a lone secret): whatever kid the token names.
        let lone = KeySet::from_secret(SECRET, Algorithm::HS256, None).unwrap_or_default();
        for header in [
            r#"{"alg":"HS256","kid":"rotated-2026"}"#,
            r#"{"alg":"HS256"}"#,
        ] {
            assert_eq!(
                check(&lone, &sign(header, CLAIMS, SECRET)),
                Ok(()),
                "{header}"
            );
        }
        // A kid that names a key: that key only, never the kid-less ones beside it.
        let other: &[u8] = b"another secret of thirty-two bytes!";
        let mixed = jwks(&[(Some("a"), other), (None, SECRET)]);
        let named_a = sign(r#"{"alg":"HS256","kid":"a"}"#, CLAIMS, SECRET);
        assert_eq!(
            check(&mixed, &named_a),
            Err("ERR_JWS_SIGNATURE_VERIFICATION_FAILED")
        );
        assert_eq!(
            check(
                &mixed,
                &sign(r#"{"alg":"HS256","kid":"zz"}"#, CLAIMS, SECRET)
            ),
            Ok(())
        );
        // A kid bound to another algorithm is still refused as such.
        let token = sign(r#"{"alg":"HS384","kid":"a"}"#, CLAIMS, SECRET);
        assert_eq!(check(&mixed, &token), Err("ERR_JOSE_ALG_NOT_ALLOWED"));
    }

    #[test]
    fn without_a_naming_kid_at_most_three_keys_are_tried() {
        let v = options("");
        let secrets: Vec<Vec<u8>> = (0..4u8).map(|i| vec![b'a' + i; 32]).collect();
        let last = secrets.last().cloned().unwrap_or_default();
        let token = sign(r#"{"alg":"HS256"}"#, CLAIMS, &last);
        let set = |n: usize, kid: bool| {
            let entries: Vec<(Option<&str>, &[u8])> = secrets
                .iter()
                .rev()
                .take(n)
                .enumerate()
                .map(|(i, s)| (kid.then_some(["k0", "k1", "k2", "k3"][i]), s.as_slice()))
                .collect();
            jwks(&entries)
        };
        let code = |set: &KeySet, token: &str| {
            verify(token, set, &v, &v.scopes, NOW)
                .map(|_| ())
                .map_err(|e| e.code())
        };
        assert_eq!(code(&set(3, true), &token), Ok(()));
        assert_eq!(
            code(&set(4, true), &token),
            Err("ERR_JWKS_MULTIPLE_MATCHING_KEYS")
        );
        // Kid-less keys and a kid that names none of them: the same bound.
        let named = sign(r#"{"alg":"HS256","kid":"unknown"}"#, CLAIMS, &last);
        assert_eq!(code(&set(3, false), &named), Ok(()));
        assert_eq!(
            code(&set(4, false), &named),
            Err("ERR_JWKS_MULTIPLE_MATCHING_KEYS")
        );
        // A kid that names one of many keys: only that one is tried.
        let by_kid = sign(r#"{"alg":"HS256","kid":"k0"}"#, CLAIMS, &last);
        assert_eq!(code(&set(4, true), &by_kid), Ok(()));
    }

    #[test]
    fn a_good_token_verifies_and_keeps_its_json() {
        let token = sign(r#"{"alg":"HS256","kid":"k1"}"#, CLAIMS, SECRET);
        let got = run(&token, &options(r#","requiredScopes":["read:messages"]"#));
        let Ok(got) = got else { panic!("{got:?}") };
        assert_eq!(got.scopes, vec!["read:messages", "write:messages"]);
        assert_eq!(got.claims_json, CLAIMS);
        assert_eq!(got.header.get("kid"), Some(&Value::String("k1".into())));
    }

    #[test]
    fn pipeline_errors_in_order() {
        let v = options("");
        let good = sign(r#"{"alg":"HS256"}"#, CLAIMS, SECRET);
        assert_eq!(run(&good, &v).map(|_| ()), Ok(()));
        let cases = [
            (
                sign(r#"{"alg":"none"}"#, CLAIMS, SECRET),
                "ERR_JOSE_ALG_NOT_ALLOWED",
            ),
            (
                sign(r#"{"alg":"Ed448"}"#, CLAIMS, SECRET),
                "ERR_JOSE_NOT_SUPPORTED",
            ),
            (
                sign(r#"{"alg":"HS384"}"#, CLAIMS, SECRET),
                "ERR_JOSE_ALG_NOT_ALLOWED",
            ),
            (
                sign(r#"{"alg":"HS256","kid":"other"}"#, CLAIMS, SECRET),
                "ERR_JWKS_NO_MATCHING_KEY",
            ),
            (
                sign(
                    r#"{"alg":"HS256"}"#,
                    CLAIMS,
                    b"another secret of thirty-two bytes!",
                ),
                "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
            ),
            (sign(r#"{"alg":"HS256"}"#, "[]", SECRET), "ERR_JWT_INVALID"),
            (
                sign(
                    r#"{"alg":"HS256"}"#,
                    r#"{"iss":"https://idp","aud":"api","exp":1}"#,
                    SECRET,
                ),
                "ERR_JWT_EXPIRED",
            ),
            (
                sign(r#"{"alg":"HS256"}"#, &CLAIMS.replace("api", "web"), SECRET),
                "ERR_JWT_CLAIM_VALIDATION_FAILED",
            ),
        ];
        // An expired token with a bad signature is a bad signature, on both paths.
        let expired_forged = sign(
            r#"{"alg":"HS256"}"#,
            r#"{"iss":"https://idp","aud":"api","exp":1}"#,
            b"another secret of thirty-two bytes!",
        );
        assert_eq!(
            run(&expired_forged, &v).map(|_| ()),
            Err("ERR_JWS_SIGNATURE_VERIFICATION_FAILED")
        );
        for (token, want) in cases.iter().chain([
            &(good.clone(), "ok"),
            &(expired_forged, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"),
        ]) {
            if *want != "ok" {
                assert_eq!(run(token, &v).map(|_| ()), Err(*want), "{token}");
            }
            // The deferred path, settled here, answers exactly as verify does.
            let req = Requirements {
                scopes: &v.scopes.required,
                scope_mode: v.scopes.mode,
                roles: &v.roles.required,
                role_mode: v.roles.mode,
                revocations: None,
            };
            let direct = verify_with(token, &keys(), &v, &req, NOW);
            // HMAC is never deferred: the answer is final.
            let begun = begin(token, &keys(), &v, &req, NOW).map(|b| match b {
                Begun::Verified(v) => v,
                Begun::Pending(_) => panic!("an HMAC token was deferred"),
            });
            assert_eq!(begun, direct, "{token}");
        }
        // A tampered payload fails the signature, not the claims.
        let parts: Vec<&str> = good.split('.').collect();
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            b64::encode(br#"{"iss":"https://idp","aud":"api","exp":9999999999,"scope":"admin"}"#),
            parts[2]
        );
        assert_eq!(
            run(&forged, &v).map(|_| ()),
            Err("ERR_JWS_SIGNATURE_VERIFICATION_FAILED")
        );
    }

    #[test]
    fn keys_in_the_header_are_never_used() {
        // An attacker signs with their own secret and ships it in every header
        // parameter that can carry or point at a key.
        let attacker = b"attacker secret, thirty-two bytes";
        let jwk = format!(r#"{{"kty":"oct","k":"{}"}}"#, b64::encode(attacker));
        for header in [
            format!(r#"{{"alg":"HS256","jwk":{jwk}}}"#),
            r#"{"alg":"HS256","jku":"https://attacker.example/jwks"}"#.to_owned(),
            r#"{"alg":"HS256","x5u":"https://attacker.example/cert"}"#.to_owned(),
            r#"{"alg":"HS256","x5c":["MIIB"]}"#.to_owned(),
        ] {
            let token = sign(&header, CLAIMS, attacker);
            assert_eq!(
                run(&token, &options("")).map(|_| ()),
                Err("ERR_JWS_SIGNATURE_VERIFICATION_FAILED"),
                "{header}"
            );
        }
    }

    #[test]
    fn insufficient_scope_is_403_with_the_missing_scopes() {
        let token = sign(r#"{"alg":"HS256"}"#, CLAIMS, SECRET);
        let v = options(r#","requiredScopes":["read:messages","admin:messages"]"#);
        let e = verify(&token, &keys(), &v, &v.scopes, NOW).err();
        assert_eq!(
            e,
            Some(Error::InsufficientScope {
                missing: vec!["admin:messages".into()]
            })
        );
        assert_eq!(e.and_then(|e| e.status()), Some(403));
        let any =
            options(r#","requiredScopes":["read:messages","admin:messages"],"scopeMode":"any""#);
        assert!(run(&token, &any).is_ok());
    }

    #[test]
    fn verifier_reuses_options_and_takes_per_call_scopes_and_clock() {
        let Ok(verifier) = Verifier::new(Arc::new(keys()), options("")) else {
            panic!()
        };
        let token = sign(r#"{"alg":"HS256"}"#, CLAIMS, SECRET);
        assert!(verifier
            .verify(&token, &CallOptions::default(), NOW)
            .is_ok());
        assert_eq!(
            verifier
                .verify(&token, &CallOptions::default(), 1_700_000_600)
                .map_err(|e| e.code())
                .err(),
            Some("ERR_JWT_EXPIRED")
        );
        let call = CallOptions {
            now: Some(NOW),
            required_scopes: Some(vec!["x".into()]),
            ..Default::default()
        };
        assert_eq!(
            verifier
                .verify(&token, &call, 0)
                .map_err(|e| e.code())
                .err(),
            Some("ERR_JWT_INSUFFICIENT_SCOPE")
        );
        assert!(Verifier::new(Arc::new(keys()), options(r#","algorithms":["RS256"]"#)).is_err());
    }

    #[test]
    fn required_roles_are_403_with_the_missing_roles() {
        let claims = r#"{"iss":"https://idp","aud":"api","exp":1700000600,"realm_access":{"roles":["reader"]},"groups":"writer"}"#;
        let token = sign(r#"{"alg":"HS256"}"#, claims, SECRET);
        let got = run(&token, &options(""));
        assert_eq!(
            got.map(|v| v.roles),
            Ok(vec!["writer".into(), "reader".into()])
        );
        let v = options(r#","requiredRoles":["reader","admin"]"#);
        let e = verify(&token, &keys(), &v, &v.scopes, NOW).err();
        assert_eq!(
            e,
            Some(Error::InsufficientRole {
                missing: vec!["admin".into()]
            })
        );
        assert_eq!(e.as_ref().and_then(Error::status), Some(403));
        assert!(run(
            &token,
            &options(r#","requiredRoles":["reader","admin"],"roleMode":"any""#)
        )
        .is_ok());
        // A named claim path reads only that claim.
        let kc = options(r#","roleClaim":"realm_access.roles","requiredRoles":["writer"]"#);
        assert_eq!(run(&token, &kc).err(), Some("ERR_JWT_INSUFFICIENT_ROLE"));
        // Malformed role claims: ignored unless roles are needed.
        let odd = sign(
            r#"{"alg":"HS256"}"#,
            &CLAIMS.replace("\"scope\"", "\"roles\":[{}],\"scope\""),
            SECRET,
        );
        assert_eq!(run(&odd, &options("")).map(|v| v.roles), Ok(vec![]));
        assert_eq!(
            run(&odd, &options(r#","requiredRoles":["a"]"#)).err(),
            Some("ERR_JWT_INVALID")
        );
    }

    #[test]
    fn revoked_tokens_are_401_after_the_signature_and_claims() {
        let claims = r#"{"iss":"https://idp","aud":"api","exp":1700000600,"jti":"t-9","sub":"u","iat":1699999000}"#;
        let token = sign(r#"{"alg":"HS256"}"#, claims, SECRET);
        let Ok(verifier) = Verifier::new(Arc::new(keys()), options("")) else {
            panic!()
        };
        let call = CallOptions::default();
        let mut list = RevocationList::new();
        assert!(verifier
            .verify_revocable(&token, &call, NOW, Some(&list))
            .is_ok());
        list.revoke_subject("u", 1_699_998_999.0).unwrap_or(());
        assert!(verifier
            .verify_revocable(&token, &call, NOW, Some(&list))
            .is_ok());
        list.revoke_subject("u", 1_699_999_000.0).unwrap_or(());
        let e = verifier
            .verify_revocable(&token, &call, NOW, Some(&list))
            .err();
        assert_eq!(e.as_ref().map(Error::code), Some("ERR_JWT_REVOKED"));
        assert_eq!(e.and_then(|e| e.status()), Some(401));
        let mut by_jti = RevocationList::new();
        by_jti.revoke_token("t-9").unwrap_or(());
        let e = verifier
            .verify_revocable(&token, &call, NOW, Some(&by_jti))
            .err();
        assert_eq!(e.map(|e| e.code()), Some("ERR_JWT_REVOKED"));
        // An expired revoked token reports expiry: the claims are checked first.
        let e = verifier
            .verify_revocable(&token, &call, 1_700_000_600, Some(&by_jti))
            .err();
        assert_eq!(e.map(|e| e.code()), Some("ERR_JWT_EXPIRED"));
    }

    #[test]
    fn a_per_call_mode_alone_keeps_the_verifiers_requirements() {
        let v = options(r#","requiredScopes":["admin"],"requiredRoles":["admin"]"#);
        let Ok(verifier) = Verifier::new(Arc::new(keys()), v) else {
            panic!()
        };
        let token = sign(r#"{"alg":"HS256"}"#, CLAIMS, SECRET);
        for call in [
            r#"{"scopeMode":"any"}"#,
            r#"{"roleMode":"any"}"#,
            r#"{"scopeMode":"any","roleMode":"any"}"#,
        ] {
            let call = crate::options::call_options(call).unwrap_or_default();
            let got = verifier.verify(&token, &call, NOW).map_err(|e| e.code());
            assert_eq!(got.err(), Some("ERR_JWT_INSUFFICIENT_SCOPE"));
        }
        let scopes_only =
            crate::options::call_options(r#"{"requiredScopes":[]}"#).unwrap_or_default();
        assert_eq!(
            verifier
                .verify(&token, &scopes_only, NOW)
                .map_err(|e| e.code())
                .err(),
            Some("ERR_JWT_INSUFFICIENT_ROLE")
        );
    }

    #[test]
    fn introspection_responses_get_the_claim_checks_of_a_token() {
        let Ok(verifier) = Verifier::new(
            Arc::new(keys()),
            options(r#","requiredScopes":["read:messages"]"#),
        ) else {
            panic!()
        };
        let check = |json: &str, call: &CallOptions| {
            verifier
                .check_introspected(json, call, NOW, None)
                .map(|v| v.scopes)
                .map_err(|e| e.code())
        };
        let none = CallOptions::default();
        let active = CLAIMS.replacen('{', r#"{"active":true,"client_id":"c","#, 1);
        assert_eq!(
            check(&active, &none),
            Ok(vec!["read:messages".into(), "write:messages".into()])
        );
        // RFC 7662 §2.2: anything but `"active": true` is an inactive token.
        assert_eq!(check("[]", &none).err(), Some("ERR_JWT_INVALID"));
        for inactive in [
            r#"{"active":false}"#.to_owned(),
            r#"{"active":"true"}"#.to_owned(),
            CLAIMS.to_owned(),
        ] {
            assert_eq!(check(&inactive, &none).err(), Some("ERR_TOKEN_INACTIVE"));
        }
        for (json, want) in [
            (
                active.replace("https://idp", "https://other"),
                "ERR_JWT_CLAIM_VALIDATION_FAILED",
            ),
            (
                active.replace("\"api\"", "\"web\""),
                "ERR_JWT_CLAIM_VALIDATION_FAILED",
            ),
            (
                active.replace("1700000600", "1699999999"),
                "ERR_JWT_EXPIRED",
            ),
            (
                active.replace("read:messages ", ""),
                "ERR_JWT_INSUFFICIENT_SCOPE",
            ),
        ] {
            assert_eq!(check(&json, &none).err(), Some(want), "{json}");
        }
        let mut list = RevocationList::new();
        list.revoke_subject("u", NOW as f64).unwrap_or(());
        let response = active.replacen('{', r#"{"sub":"u","iat":1699999000,"#, 1);
        assert_eq!(
            verifier
                .check_introspected(&response, &none, NOW, Some(&list))
                .map_err(|e| e.code())
                .err(),
            Some("ERR_JWT_REVOKED")
        );
    }

    #[test]
    fn decode_reads_without_verifying() {
        let token = sign(
            r#"{"alg":"HS256"}"#,
            CLAIMS,
            b"not the key at all, 32 bytes long",
        );
        let opts = DecodeOptions {
            scope_source: scopes::Source::Default,
            max_token_length: 16384,
        };
        let d = decode(&token, &opts);
        assert!(matches!(d, Ok(ref d) if d.scopes.len() == 2 && d.claims_json == CLAIMS));
        assert_eq!(
            decode("a.b", &opts).map_err(|e| e.code()).err(),
            Some("ERR_JWS_INVALID")
        );
    }
}
