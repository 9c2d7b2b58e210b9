//! Signing (feature `sign`): tokens minted at the edge, and `downscope`, a
//! short-lived token for a backend carrying a subset of a verified token's
//! scopes (RFC 8693 token exchange, done locally).
//!
//! - A private key is imported once ([`SigningKey`]) and bound to one
//!   algorithm, by the same rule as verification keys: the JWK's `alg` or the
//!   one named, never a guess. Its public half goes through the verification
//!   import ([`KeySet::from_jwk`]), so a key tollgate would refuse to verify
//!   with (RSA under 2048 bits, e < 65537, ROCA, a short HMAC secret) is refused
//!   for signing too, and one signature is made and verified at import, so an
//!   inconsistent private JWK fails there rather than at the first token.
//! - The header is `{alg, typ, kid}`: `typ` is `"JWT"` or, on request,
//!   `"at+jwt"` (RFC 9068 §2.1). The caller's claims are kept as given (their
//!   JSON text), `iat` is added when absent, and `exp` is required: in the
//!   claims or from a `ttl`, never both. The finished claims must pass the
//!   verifier's own type and time checks, so tollgate never mints a token it
//!   would refuse for its claims.
//! - Errors never contain key material: fixed messages only.

use crate::alg::{Algorithm, KeyKind};
use crate::crypto::{self, Material, PrivateParts, Signer};
use crate::error::{cat, invalid_arg, jwk_invalid, truncate, Error};
use crate::json::{self, Map, Value};
use crate::jwk::{b64_member as bytes, string_member as member};
use crate::{b64, claims, der, options, KeySet};

/// A private key bound to one algorithm, prepared once for signing.
#[derive(Debug)]
pub struct SigningKey {
    alg: Algorithm,
    kid: Option<String>,
    signer: Signer,
}

/// A fixed message signed and verified at import: a private key whose
/// private and public parts disagree fails there.
const SELF_TEST: &[u8] = b"tollgate signing key check";

impl SigningKey {
    /// The one algorithm this key signs with.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The key id written into each token's header, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Imports a private JWK (JSON text). `alg` binds a JWK without `alg`;
    /// when both are present they must agree. `kid` (the option) wins over the
    /// JWK's own `kid`.
    pub fn from_jwk(
        text: &[u8],
        alg: Option<Algorithm>,
        kid: Option<String>,
    ) -> Result<SigningKey, Error> {
        let jwk =
            json::parse_object(text).map_err(|_| jwk_invalid("JWK is not a valid JSON object"))?;
        let own_alg = match member(&jwk, "alg")? {
            Some(name) => Some(Algorithm::from_name(name).ok_or_else(|| {
                jwk_invalid(cat(&[
                    "JWK alg \"",
                    &truncate(name),
                    "\" is not a supported signature algorithm",
                ]))
            })?),
            None => None,
        };
        let alg = match (own_alg, alg) {
            (Some(own), Some(wanted)) if own != wanted => {
                return Err(jwk_invalid("the JWK's alg differs from the alg option"))
            }
            (Some(alg), _) | (None, Some(alg)) => alg,
            (None, None) => {
                return Err(jwk_invalid(
                    "JWK has no alg: name the algorithm it signs with in the alg option",
                ))
            }
        };
        signing_alg(alg)?;
        // RFC 7517 §4.2, §4.3: a key meant for encryption, or whose permitted
        // operations exclude "sign", must not sign.
        if member(&jwk, "use")?.is_some_and(|u| u != "sig") {
            return Err(jwk_invalid("JWK use is not \"sig\""));
        }
        if let Some(ops) = jwk.get("key_ops") {
            let ops = ops
                .as_array()
                .ok_or_else(|| jwk_invalid("JWK key_ops is not an array"))?;
            if !ops.iter().any(|op| op.as_str() == Some("sign")) {
                return Err(jwk_invalid("JWK key_ops does not include \"sign\""));
            }
        }
        let kid = match kid {
            Some(kid) => Some(kid),
            None => member(&jwk, "kid")?.map(str::to_owned),
        };
        let kind = alg.key_kind();
        if member(&jwk, "kty")? != Some(kind.kty()) || member(&jwk, "crv")? != kind.crv() {
            return Err(jwk_invalid(cat(&[
                "the JWK's kty/crv do not fit ",
                alg.name(),
            ])));
        }
        let signer = match kind {
            KeyKind::Hmac => {
                return SigningKey::from_secret(&bytes(&jwk, "k")?, alg, kid);
            }
            KeyKind::Rsa => {
                if jwk.contains_key("oth") {
                    return Err(jwk_invalid(
                        "RSA JWK with more than two primes (oth) is not supported",
                    ));
                }
                let d = private(&jwk, "d")?;
                let [n, e, p, q, dp, dq, qi] =
                    ["n", "e", "p", "q", "dp", "dq", "qi"].map(|name| bytes(&jwk, name));
                let (n, e, p, q, dp, dq, qi) = (n?, e?, p?, q?, dp?, dq?, qi?);
                Signer::from_parts(
                    alg,
                    &PrivateParts::Rsa {
                        n: &n,
                        e: &e,
                        d: &d,
                        p: &p,
                        q: &q,
                        dp: &dp,
                        dq: &dq,
                        qi: &qi,
                    },
                )
            }
            KeyKind::Ec(curve) => {
                let d = private(&jwk, "d")?;
                let (x, y) = (bytes(&jwk, "x")?, bytes(&jwk, "y")?);
                // RFC 7518 §6.2.1.2, §6.2.2.1: each is exactly the curve's size.
                let size = curve.coordinate_len();
                if x.len() != size || y.len() != size || d.len() != size {
                    return Err(jwk_invalid(
                        "EC JWK members have the wrong length for the curve",
                    ));
                }
                let point = [&[0x04][..], &x, &y].concat();
                Signer::from_parts(
                    alg,
                    &PrivateParts::Ec {
                        d: &d,
                        point: &point,
                    },
                )
            }
            KeyKind::Ed25519 => {
                let d = private(&jwk, "d")?;
                let x = bytes(&jwk, "x")?;
                Signer::from_parts(
                    alg,
                    &PrivateParts::Ed25519 {
                        seed: &d,
                        public: &x,
                    },
                )
            }
        };
        let signer = signer.ok_or_else(|| {
            rejected("the JWK is not a valid private key (its private and public parts must agree)")
        })?;
        SigningKey::checked(alg, kid, signer)
    }

    /// Imports a PKCS #8 PEM private key (`-----BEGIN PRIVATE KEY-----`) for
    /// `alg`: RSA (2048 to 4096 bits), EC P-256 or P-384, or Ed25519.
    pub fn from_pem(pem: &str, alg: Algorithm, kid: Option<String>) -> Result<SigningKey, Error> {
        signing_alg(alg)?;
        if alg.key_kind() == KeyKind::Hmac {
            return Err(jwk_invalid("HMAC algorithms take a secret, not a PEM key"));
        }
        let der = der::parse_private_pem(pem)?;
        let signer = Signer::from_pkcs8(alg, &der).ok_or_else(|| {
            rejected(&cat(&[
                "the PEM is not a valid PKCS #8 private key for ",
                alg.name(),
            ]))
        })?;
        SigningKey::checked(alg, kid, signer)
    }

    /// Imports an HMAC secret for an HS algorithm (at least as long as the
    /// hash output, RFC 7518 §3.2).
    pub fn from_secret(
        secret: &[u8],
        alg: Algorithm,
        kid: Option<String>,
    ) -> Result<SigningKey, Error> {
        // The verification import's rules: an HS algorithm, a long enough secret.
        KeySet::from_secret(secret, alg, None)?;
        let signer = Signer::hmac(alg, secret)
            .ok_or_else(|| jwk_invalid("a secret can only be used with HS256, HS384 or HS512"))?;
        Ok(SigningKey { alg, kid, signer })
    }

    /// Holds the public half to the verification import's rules, and makes
    /// and verifies one signature.
    fn checked(alg: Algorithm, kid: Option<String>, signer: Signer) -> Result<SigningKey, Error> {
        let key = SigningKey { alg, kid, signer };
        let public = key
            .public_jwk()
            .ok_or_else(|| jwk_invalid("the key has no public half"))?;
        let keys = KeySet::from_jwk(public.as_bytes(), Some(alg))?;
        let signature = key.signer.sign(alg, SELF_TEST).ok_or_else(random_failed)?;
        if !keys
            .keys()
            .iter()
            .any(|k| k.verify_signature(SELF_TEST, &signature))
        {
            return Err(jwk_invalid(
                "the private key does not match its public part",
            ));
        }
        Ok(key)
    }

    /// The public key as a JWK (JSON text, with `alg`, `use: "sig"` and the
    /// `kid`), for the key set a verifier imports; `None` for an HMAC secret.
    pub fn public_jwk(&self) -> Option<String> {
        let mut out = String::from("{\"kty\":");
        json::write_str(&mut out, self.alg.key_kind().kty());
        let mut member = |name: &str, bytes: &[u8]| {
            out.push_str(",\"");
            out.push_str(name);
            out.push_str("\":\"");
            out.push_str(&b64::encode(bytes));
            out.push('"');
        };
        match self.signer.public(self.alg)? {
            Material::Rsa { n, e } => {
                member("n", &n);
                member("e", &e);
            }
            Material::Ec(curve, point) => {
                let size = curve.coordinate_len();
                let (x, y) = point.get(1..)?.split_at_checked(size)?;
                member("x", x);
                member("y", y);
            }
            Material::Ed25519(pk) => member("x", &pk),
            Material::Hmac(_) => return None,
        }
        if let Some(crv) = self.alg.key_kind().crv() {
            out.push_str(",\"crv\":");
            json::write_str(&mut out, crv);
        }
        out.push_str(",\"alg\":");
        json::write_str(&mut out, self.alg.name());
        out.push_str(",\"use\":\"sig\"");
        if let Some(kid) = &self.kid {
            out.push_str(",\"kid\":");
            json::write_str(&mut out, kid);
        }
        out.push('}');
        Some(out)
    }

    /// Signs a JWS over `payload` (the claims' JSON text) with `typ` in the header.
    fn jws(&self, typ: Typ, payload: &str) -> Result<String, Error> {
        let mut header = String::from("{\"alg\":");
        json::write_str(&mut header, self.alg.name());
        header.push_str(",\"typ\":");
        json::write_str(&mut header, typ.name());
        if let Some(kid) = &self.kid {
            header.push_str(",\"kid\":");
            json::write_str(&mut header, kid);
        }
        header.push('}');
        let mut token = b64::encode(header.as_bytes());
        token.push('.');
        token.push_str(&b64::encode(payload.as_bytes()));
        let signature = self
            .signer
            .sign(self.alg, token.as_bytes())
            .ok_or_else(random_failed)?;
        token.push('.');
        token.push_str(&b64::encode(&signature));
        Ok(token)
    }
}

/// Signing covers ring's signing algorithms: ES512 and ES256K verify only.
fn signing_alg(alg: Algorithm) -> Result<(), Error> {
    match alg {
        Algorithm::ES512 | Algorithm::ES256K => Err(jwk_invalid(cat(&[
            alg.name(),
            " verifies only: tollgate signs with HS*, RS*, PS*, ES256, ES384 and EdDSA",
        ]))),
        _ => Ok(()),
    }
}

fn random_failed() -> Error {
    invalid_arg(
        "signing needs the runtime's random number generator, which is unavailable here \
         (in Workers, import signing keys and sign inside a request, not at the top level)",
    )
}

/// A key ring refused: for ECDSA ring draws random bytes while importing,
/// so tell a runtime without randomness apart from a bad key.
fn rejected(message: &str) -> Error {
    if crypto::random(1).is_none() {
        random_failed()
    } else {
        jwk_invalid(message)
    }
}

/// A private member: its absence means a public key was given.
fn private(jwk: &Map, name: &'static str) -> Result<Vec<u8>, Error> {
    if !jwk.contains_key(name) {
        return Err(jwk_invalid(cat(&[
            "JWK has no ",
            name,
            ": it is a public key, and signing needs the private key",
        ])));
    }
    bytes(jwk, name)
}

/// The header `typ` of a minted token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Typ {
    /// `"JWT"` (RFC 7519 §5.1), the default.
    #[default]
    Jwt,
    /// `"at+jwt"`: an OAuth 2.0 access token (RFC 9068 §2.1).
    AtJwt,
}

impl Typ {
    /// The header value.
    pub fn name(self) -> &'static str {
        match self {
            Typ::Jwt => "JWT",
            Typ::AtJwt => "at+jwt",
        }
    }
}

/// Options of [`sign`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SignOptions {
    /// The header `typ`.
    pub typ: Typ,
    /// Seconds from `now` to `exp`, when the claims have no `exp`.
    pub ttl: Option<i64>,
    /// The clock, in seconds, when the caller gives one (the boundary reads
    /// the system clock otherwise).
    pub now: Option<i64>,
}

/// Options of [`downscope`].
#[derive(Clone, Debug, PartialEq)]
pub struct DownscopeOptions {
    /// The new token's `iss`: the edge's own issuer name.
    pub issuer: String,
    /// The new token's `aud`: the backend (one or more).
    pub audience: Vec<String>,
    /// The scopes the new token carries: a subset of the verified token's.
    pub scopes: Vec<String>,
    /// Seconds from `now` to `exp`, capped by the verified token's `exp`.
    pub ttl: i64,
    /// The header `typ`.
    pub typ: Typ,
    /// The clock, in seconds, when the caller gives one.
    pub now: Option<i64>,
}

/// The `ttl` of a downscoped token when none is given: one minute.
pub const DEFAULT_DOWNSCOPE_TTL: i64 = 60;

/// Signs `claims` (JSON object text) with `key` at `now` (seconds): a
/// compact JWS. `iat` is added when absent; `exp` comes from the claims or
/// from `options.ttl` (one of the two). The claims must pass the verifier's
/// own type and time checks; a claim that would not is an `ERR_INVALID_ARG`.
pub fn sign(
    claims: &str,
    key: &SigningKey,
    options: &SignOptions,
    now: i64,
) -> Result<String, Error> {
    let map = json::parse_object(claims.as_bytes())
        .map_err(|_| invalid_arg("sign: claims must be a JSON object"))?;
    let mut added = String::new();
    let mut add = |name: &str, value: i64| {
        added.push_str(",\"");
        added.push_str(name);
        added.push_str("\":");
        added.push_str(&value.to_string());
    };
    if !map.contains_key("iat") {
        add("iat", now);
    }
    match (map.contains_key("exp"), options.ttl) {
        (true, Some(_)) => {
            return Err(invalid_arg(
                "sign: the claims have exp and the ttl option is set: give one",
            ))
        }
        (false, None) => {
            return Err(invalid_arg(
                "sign: exp is required: set claims.exp or the ttl option",
            ))
        }
        (false, Some(ttl)) => add("exp", now.saturating_add(ttl)),
        (true, None) => {}
    }
    // The caller's text as given, the added members before its closing brace.
    let text = claims.trim();
    let body = text.strip_suffix('}').unwrap_or(text);
    let payload = if map.is_empty() {
        cat(&["{", added.trim_start_matches(','), "}"])
    } else {
        cat(&[body, &added, "}"])
    };
    check_claims(&payload, options.typ, now)?;
    key.jws(options.typ, &payload)
}

/// The verifier's type and time checks on the claims of a token about to be
/// signed: a token tollgate mints must not be one it would refuse for them.
fn check_claims(payload: &str, typ: Typ, now: i64) -> Result<(), Error> {
    let claims = json::parse_object(payload.as_bytes())
        .map_err(|_| invalid_arg("sign: claims must be a JSON object"))?;
    let any = options::verify_options(
        r#"{"dangerouslySkipIssuerCheck":true,"dangerouslySkipAudienceCheck":true,"dangerouslyIgnoreTokenBinding":true}"#,
    )?;
    claims::validate(&claims, Some(typ.name()), &any, now).map_err(|e| {
        invalid_arg(cat(&[
            "sign: the claims would not verify: ",
            &e.to_string(),
        ]))
    })
}

/// A new short-lived token for a backend, derived from a verified token's
/// `claims` and the `granted` scopes tollgate's verification read from them
/// ([`crate::Verified::scopes`]):
///
/// - `iss` = `options.issuer`, `aud` = `options.audience`, `sub` kept;
/// - `scope` = `options.scopes`, each of which must be granted
///   (`ERR_DOWNSCOPE_SUPERSET` otherwise, naming the others);
/// - `act` (RFC 8693 §4.1): the party that presented the original token — its
///   `client_id` (RFC 9068 §2.2), else its `azp` — acting for `sub`, with the
///   original token's own `act` nested inside (the least recent actor
///   deepest). Only `sub`, `iss` and the nested `act` of each actor are
///   carried;
/// - `iat` = `now`, `exp` = `now + ttl` but never after the original `exp`,
///   `jti` = 128 random bits.
pub fn downscope(
    claims: &Map,
    granted: &[String],
    key: &SigningKey,
    options: &DownscopeOptions,
    now: i64,
) -> Result<String, Error> {
    let missing: Vec<String> = options
        .scopes
        .iter()
        .filter(|s| !granted.contains(s))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Err(Error::DownscopeSuperset { missing });
    }
    let mut exp = now.saturating_add(options.ttl);
    if let Some(Value::Number(original)) = claims.get("exp") {
        // Whole seconds, rounded down: never a moment past the original.
        let original = original.floor();
        if original < exp as f64 {
            exp = original as i64;
        }
    }
    if exp <= now {
        return Err(Error::Expired);
    }
    let jti = crypto::random(16).ok_or_else(random_failed)?;

    let mut out = String::from("{\"iss\":");
    json::write_str(&mut out, &options.issuer);
    if let Some(sub) = claims.get("sub").and_then(Value::as_str) {
        out.push_str(",\"sub\":");
        json::write_str(&mut out, sub);
    }
    out.push_str(",\"aud\":");
    match options.audience.as_slice() {
        [one] => json::write_str(&mut out, one),
        many => json::write_str_array(&mut out, many),
    }
    if !options.scopes.is_empty() {
        out.push_str(",\"scope\":");
        json::write_str(&mut out, &options.scopes.join(" "));
    }
    let client = ["client_id", "azp"]
        .iter()
        .find_map(|name| claims.get(name).and_then(Value::as_str));
    let prior = claims.get("act");
    if client.is_some() || prior.is_some() {
        out.push_str(",\"act\":");
        match client {
            Some(client) => {
                out.push_str("{\"sub\":");
                json::write_str(&mut out, client);
                if let Some(prior) = prior {
                    out.push_str(",\"act\":");
                    write_actor(&mut out, prior);
                }
                out.push('}');
            }
            None => write_actor(&mut out, prior.unwrap_or(&Value::Null)),
        }
    }
    out.push_str(",\"iat\":");
    out.push_str(&now.to_string());
    out.push_str(",\"exp\":");
    out.push_str(&exp.to_string());
    out.push_str(",\"jti\":");
    json::write_str(&mut out, &b64::encode(&jti));
    out.push('}');
    check_claims(&out, options.typ, now)?;
    key.jws(options.typ, &out)
}

/// An `act` claim's identity members (`sub`, `iss`) and its nested `act`,
/// recursively; anything else (RFC 8693 §4.1 leaves other members to
/// deployments) is not carried over.
fn write_actor(out: &mut String, act: &Value) {
    out.push('{');
    let mut first = true;
    for name in ["sub", "iss"] {
        if let Some(value) = act.get(name).and_then(Value::as_str) {
            if !first {
                out.push(',');
            }
            first = false;
            json::write_str(out, name);
            out.push(':');
            json::write_str(out, value);
        }
    }
    if let Some(inner @ Value::Object(_)) = act.get("act") {
        if !first {
            out.push(',');
        }
        out.push_str("\"act\":");
        write_actor(out, inner);
    }
    out.push('}');
}

// ───────────────────────────────────────────── options (JSON text, from JS)

fn fields(text: &str, what: &str, known: &[&str]) -> Result<Map, Error> {
    let map = json::parse_object(text.as_bytes())
        .map_err(|_| invalid_arg(cat(&[what, " must be an object"])))?;
    if let Some(name) = map.keys().find(|k| !known.contains(k)) {
        return Err(invalid_arg(cat(&[
            what,
            ": unknown option `",
            &truncate(name),
            "` (expected ",
            &known.join(", "),
            ")",
        ])));
    }
    Ok(map)
}

fn typ_option(map: &Map) -> Result<Typ, Error> {
    match map.get("typ") {
        None => Ok(Typ::Jwt),
        Some(Value::String(t)) if t == "JWT" => Ok(Typ::Jwt),
        Some(Value::String(t)) if t == "at+jwt" => Ok(Typ::AtJwt),
        Some(_) => Err(invalid_arg("typ must be \"JWT\" or \"at+jwt\"")),
    }
}

/// Seconds, a whole positive number or a duration string (`"5m"`).
fn ttl_option(map: &Map) -> Result<Option<i64>, Error> {
    let seconds = match map.get("ttl") {
        None => return Ok(None),
        Some(Value::Number(n)) => Some(*n),
        Some(Value::String(s)) => options::parse_duration(s),
        Some(_) => None,
    };
    match seconds {
        // At most about 31 years: exp stays an exact integer everywhere.
        Some(s) if (1.0..=1e9).contains(&s) && s.fract() == 0.0 => Ok(Some(s as i64)),
        _ => Err(invalid_arg(
            "ttl must be a whole number of seconds from 1 to 10^9, or a duration such as \"5m\"",
        )),
    }
}

fn now_option(map: &Map) -> Result<Option<i64>, Error> {
    match map.get("now") {
        None => Ok(None),
        Some(Value::Number(n)) if (0.0..=1e15).contains(n) && n.fract() == 0.0 => {
            Ok(Some(*n as i64))
        }
        Some(_) => Err(invalid_arg(
            "now must be a whole, non-negative number of seconds",
        )),
    }
}

fn string_list(map: &Map, name: &str) -> Result<Option<Vec<String>>, Error> {
    let list = match map.get(name) {
        None => return Ok(None),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(s) => out.push(s.clone()),
                    _ => return Err(invalid_arg(cat(&[name, " must hold strings only"]))),
                }
            }
            out
        }
        Some(_) => {
            return Err(invalid_arg(cat(&[
                name,
                " must be a string or an array of strings",
            ])))
        }
    };
    Ok(Some(list))
}

/// `sign` options as the JS layer sends them (`typ`, `ttl`).
pub fn sign_options(text: &str) -> Result<SignOptions, Error> {
    let map = fields(text, "sign options", &["typ", "ttl", "now"])?;
    Ok(SignOptions {
        typ: typ_option(&map)?,
        ttl: ttl_option(&map)?,
        now: now_option(&map)?,
    })
}

/// `downscope` options as the JS layer sends them (`issuer`, `audience`,
/// `scopes`, `ttl`, `typ`).
pub fn downscope_options(text: &str) -> Result<DownscopeOptions, Error> {
    let map = fields(
        text,
        "downscope options",
        &["issuer", "audience", "scopes", "ttl", "typ", "now"],
    )?;
    let issuer = match map.get("issuer") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => {
            return Err(invalid_arg(
                "downscope: issuer is required (the edge's own issuer, a non-empty string)",
            ))
        }
    };
    let audience = string_list(&map, "audience")?.unwrap_or_default();
    if audience.is_empty() || audience.iter().any(String::is_empty) {
        return Err(invalid_arg(
            "downscope: audience is required (a non-empty string or array of them)",
        ));
    }
    let scopes = match map.get("scopes") {
        Some(Value::Array(_)) => string_list(&map, "scopes")?.unwrap_or_default(),
        _ => {
            return Err(invalid_arg(
                "downscope: scopes is required (an array of the scopes to keep)",
            ))
        }
    };
    if let Some(bad) = scopes.iter().find(|s| !crate::scopes::is_scope_token(s)) {
        return Err(invalid_arg(cat(&[
            "downscope: \"",
            &truncate(bad),
            "\" is not a scope token (RFC 6749 section 3.3)",
        ])));
    }
    let mut unique: Vec<String> = Vec::with_capacity(scopes.len());
    for scope in scopes {
        if !unique.contains(&scope) {
            unique.push(scope);
        }
    }
    Ok(DownscopeOptions {
        issuer,
        audience,
        scopes: unique,
        ttl: ttl_option(&map)?.unwrap_or(DEFAULT_DOWNSCOPE_TTL),
        typ: typ_option(&map)?,
        now: now_option(&map)?,
    })
}

/// `SigningKey` import options (`alg`, `kid`); `alg` may be left to a JWK's own.
pub fn key_options(text: &str) -> Result<(Option<Algorithm>, Option<String>), Error> {
    let map = fields(text, "signing key options", &["alg", "kid"])?;
    let alg = match map.get("alg") {
        None => None,
        Some(Value::String(name)) => Some(Algorithm::from_option(name)?),
        Some(_) => return Err(invalid_arg("alg must be a string")),
    };
    let kid = match map.get("kid") {
        None => None,
        Some(Value::String(kid)) if !kid.is_empty() => Some(kid.clone()),
        Some(_) => return Err(invalid_arg("kid must be a non-empty string")),
    };
    Ok((alg, kid))
}

/// The claims and scopes of a verification result as the JS layer keeps its
/// text (`{"header":…,"claims":…,"scopes":[…],"roles":[…]}`, written by this
/// crate's boundary), for [`downscope`].
pub fn verified_parts(text: &str) -> Result<(Map, Vec<String>), Error> {
    let not_ours = || invalid_arg("downscope needs a result of tollgate's own verification");
    let mut result = json::parse_object(text.as_bytes()).map_err(|_| not_ours())?;
    let Some(Value::Object(claims)) = result.remove("claims") else {
        return Err(not_ours());
    };
    let scopes = string_list(&result, "scopes")?.ok_or_else(not_ours)?;
    Ok((claims, scopes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret_key() -> SigningKey {
        SigningKey::from_secret(&[7u8; 32], Algorithm::HS256, Some("k1".into())).unwrap()
    }

    #[test]
    fn sign_adds_iat_and_exp_from_ttl_and_refuses_ambiguity() {
        let key = secret_key();
        let ttl = SignOptions {
            ttl: Some(60),
            ..SignOptions::default()
        };
        assert_eq!(ttl.now, None);
        let token = sign(r#"{"sub":"u"}"#, &key, &ttl, 1000).unwrap();
        let payload = token.split('.').nth(1).unwrap();
        let payload = b64::decode(payload.as_bytes()).unwrap();
        assert_eq!(payload, br#"{"sub":"u","iat":1000,"exp":1060}"#);
        let token = sign("{}", &key, &ttl, 5).unwrap();
        let payload = b64::decode(token.split('.').nth(1).unwrap().as_bytes()).unwrap();
        assert_eq!(payload, br#"{"iat":5,"exp":65}"#);
        let code = |r: Result<String, Error>| r.unwrap_err().code();
        let none = SignOptions::default();
        assert_eq!(
            code(sign(r#"{"sub":"u"}"#, &key, &none, 1)),
            "ERR_INVALID_ARG"
        );
        assert_eq!(
            code(sign(r#"{"exp":99}"#, &key, &ttl, 1)),
            "ERR_INVALID_ARG"
        );
        assert_eq!(
            code(sign(r#"{"exp":"soon"}"#, &key, &none, 1)),
            "ERR_INVALID_ARG"
        );
        assert_eq!(
            code(sign(r#"{"exp":1}"#, &key, &none, 5)),
            "ERR_INVALID_ARG"
        );
        assert_eq!(code(sign(r#"[1]"#, &key, &ttl, 5)), "ERR_INVALID_ARG");
        assert_eq!(
            code(sign(r#"{"a":1,"a":2}"#, &key, &ttl, 5)),
            "ERR_INVALID_ARG"
        );
    }

    #[test]
    fn the_header_names_alg_typ_and_kid() {
        let key = secret_key();
        let opts = SignOptions {
            typ: Typ::AtJwt,
            ttl: Some(1),
            now: None,
        };
        let token = sign("{}", &key, &opts, 0).unwrap();
        let header = b64::decode(token.split('.').next().unwrap().as_bytes()).unwrap();
        assert_eq!(header, br#"{"alg":"HS256","typ":"at+jwt","kid":"k1"}"#);
    }

    #[test]
    fn options_are_checked() {
        assert_eq!(sign_options(r#"{"ttl":"5m"}"#).unwrap().ttl, Some(300));
        for bad in [
            r#"{"ttl":0}"#,
            r#"{"ttl":1.5}"#,
            r#"{"ttl":"soon"}"#,
            r#"{"typ":"jwt"}"#,
            r#"{"tll":5}"#,
        ] {
            assert_eq!(
                sign_options(bad).unwrap_err().code(),
                "ERR_INVALID_ARG",
                "{bad}"
            );
        }
        let ok = downscope_options(r#"{"issuer":"e","audience":"b","scopes":["a","a"]}"#).unwrap();
        assert_eq!((ok.scopes, ok.ttl), (vec!["a".to_owned()], 60));
        for bad in [
            r#"{"audience":"b","scopes":[]}"#,
            r#"{"issuer":"e","scopes":[]}"#,
            r#"{"issuer":"e","audience":"b"}"#,
            r#"{"issuer":"e","audience":"b","scopes":"a"}"#,
            r#"{"issuer":"e","audience":"b","scopes":["a b"]}"#,
        ] {
            assert_eq!(
                downscope_options(bad).unwrap_err().code(),
                "ERR_INVALID_ARG",
                "{bad}"
            );
        }
    }

    #[test]
    fn keys_refuse_what_verification_refuses_and_never_echo_material() {
        assert_eq!(
            SigningKey::from_secret(&[1; 31], Algorithm::HS256, None)
                .unwrap_err()
                .code(),
            "ERR_JWK_INVALID"
        );
        let public = r#"{"kty":"OKP","crv":"Ed25519","alg":"EdDSA","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
        let e = SigningKey::from_jwk(public.as_bytes(), None, None).unwrap_err();
        assert!(e.to_string().contains("public key"), "{e}");
        // RFC 8037 A.1 with the public key of another seed: inconsistent.
        let wrong = r#"{"kty":"OKP","crv":"Ed25519","alg":"EdDSA","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#;
        let e = SigningKey::from_jwk(wrong.as_bytes(), None, None).unwrap_err();
        assert_eq!(e.code(), "ERR_JWK_INVALID");
        assert!(!e.to_string().contains("nWGxne"));
        let es512 = r#"{"kty":"EC","crv":"P-521","alg":"ES512","d":"AA","x":"AA","y":"AA"}"#;
        assert_eq!(
            SigningKey::from_jwk(es512.as_bytes(), None, None)
                .unwrap_err()
                .code(),
            "ERR_JWK_INVALID"
        );
    }

    #[test]
    fn downscope_keeps_a_subset_and_nests_act() {
        let key = secret_key();
        let claims = json::parse_object(
            br#"{"iss":"idp","sub":"alice","client_id":"app","act":{"sub":"svc","x":1,"act":{"iss":"i2","sub":"svc0"}},"exp":2000.9}"#,
        )
        .unwrap();
        let granted = ["read".to_owned(), "write".to_owned()];
        let options = DownscopeOptions {
            issuer: "https://edge".into(),
            audience: vec!["backend".into()],
            scopes: vec!["read".into()],
            ttl: 5000,
            typ: Typ::Jwt,
            now: None,
        };
        let token = downscope(&claims, &granted, &key, &options, 1000).unwrap();
        let payload = b64::decode(token.split('.').nth(1).unwrap().as_bytes()).unwrap();
        let text = String::from_utf8(payload).unwrap();
        assert!(text.starts_with(
            r#"{"iss":"https://edge","sub":"alice","aud":"backend","scope":"read","act":{"sub":"app","act":{"sub":"svc","act":{"sub":"svc0","iss":"i2"}}},"iat":1000,"exp":2000,"jti":""#
        ), "{text}");
        let more = DownscopeOptions {
            scopes: vec!["read".into(), "admin".into(), "x".into()],
            ..options.clone()
        };
        assert_eq!(
            downscope(&claims, &granted, &key, &more, 1000).unwrap_err(),
            Error::DownscopeSuperset {
                missing: vec!["admin".into(), "x".into()]
            }
        );
        assert_eq!(
            downscope(&claims, &granted, &key, &options, 2000)
                .unwrap_err()
                .code(),
            "ERR_JWT_EXPIRED"
        );
    }
}
