//! DPoP (RFC 9449) on the resource server: the proof in a request's `DPoP`
//! header, checked by §4.3 and bound to the access token by §7.1; server
//! nonces (§9) made and checked without state. The proof's own header `jwk`
//! is the one key tollgate ever takes from a JWS: it is only ever used to
//! check that proof's signature, and the access token (verified with the
//! configured keys, never this one) must name its thumbprint in `cnf.jkt`.
//!
//! Replay (§11.1) needs state shared between requests, which the core does
//! not keep: [`check_proof`] returns the proof's `jti` and how long it must
//! be remembered, and the JS layer asks its replay store.

use crate::alg::{Algorithm, KeyKind, ALL};
use crate::claims::{self, Confirmation, Presented};
use crate::crypto::{self, Material};
use crate::error::{invalid_arg, Error};
use crate::json::{Map, Value};
use crate::options::{normalize_typ, Validation};
use crate::{b64, jwk, jws};

/// Longest proof accepted, in bytes: an RSA-8192 key and signature fit.
const MAX_PROOF_LENGTH: usize = 8 * 1024;
/// Longest `jti` accepted (RFC 9449 §4.2 asks for 96 bits of randomness).
const MAX_JTI_LENGTH: usize = 256;
/// Default `iat` window, in seconds either side of now.
pub const DEFAULT_IAT_WINDOW: i64 = 60;
/// Default nonce lifetime: a nonce is accepted for one to two of these.
pub const DEFAULT_NONCE_LIFETIME: i64 = 300;
/// What the nonce MAC covers besides the time bucket: nonces are good for nothing else.
const NONCE_CONTEXT: &[u8] = b"tollgate dpop nonce v1 ";

/// A resource server's DPoP settings, compiled once.
#[derive(Debug)]
pub struct Config {
    algorithms: Vec<Algorithm>,
    algs: String,
    iat_window: i64,
    nonces: Option<Nonces>,
}

#[derive(Debug)]
struct Nonces {
    key: Material,
    lifetime: i64,
    required: bool,
}

impl Config {
    /// `algorithms`: space-separated JWS names (empty: every asymmetric one
    /// of the table); `iat_window`: seconds a proof's `iat` may be from now,
    /// either way; `nonce_secret`: at least 32 bytes to make and check server
    /// nonces, which `require_nonce` makes mandatory; `nonce_lifetime`:
    /// seconds per nonce.
    pub fn new(
        algorithms: &str,
        iat_window: f64,
        nonce_secret: Option<&[u8]>,
        require_nonce: bool,
        nonce_lifetime: f64,
    ) -> Result<Config, Error> {
        let mut list = Vec::new();
        for name in algorithms.split(' ').filter(|n| !n.is_empty()) {
            let alg = Algorithm::from_option(name)?;
            // RFC 9449 §4.3 (5): a proof is signed with an asymmetric key.
            if alg.key_kind() == KeyKind::Hmac {
                return Err(invalid_arg(
                    "dpop.algorithms: DPoP proofs use asymmetric algorithms, not HS256/384/512",
                ));
            }
            list.push(alg);
        }
        if list.is_empty() {
            // Every asymmetric algorithm this build verifies.
            list = ALL
                .into_iter()
                .filter(|a| a.key_kind() != KeyKind::Hmac && a.built())
                .collect();
        }
        let seconds = |value: f64, max: f64, what: &str| {
            if value.is_finite() && value >= 1.0 && value <= max && value.fract() == 0.0 {
                Ok(value as i64)
            } else {
                Err(invalid_arg(what.to_owned()))
            }
        };
        let iat_window = seconds(
            iat_window,
            3600.0,
            "dpop.iatWindow must be whole seconds from 1 to 3600",
        )?;
        let lifetime = seconds(
            nonce_lifetime,
            86_400.0,
            "dpop.nonceLifetime must be whole seconds from 1 to 86400",
        )?;
        let nonces = match nonce_secret {
            None if require_nonce => {
                return Err(invalid_arg("dpop.requireNonce needs dpop.nonceSecret"))
            }
            None => None,
            Some(secret) if secret.len() < 32 => {
                return Err(invalid_arg("dpop.nonceSecret must be at least 32 bytes"))
            }
            Some(secret) => Some(Nonces {
                key: Material::hmac(Algorithm::HS256, secret),
                lifetime,
                required: require_nonce,
            }),
        };
        let algs = list.iter().map(|a| a.name()).collect::<Vec<_>>().join(" ");
        Ok(Config {
            algorithms: list,
            algs,
            iat_window,
            nonces,
        })
    }

    /// The accepted algorithms, space-separated: the challenge's `algs`.
    pub fn algs(&self) -> &str {
        &self.algs
    }

    /// The nonce to hand out at `now` (the `DPoP-Nonce` header), if nonces are on.
    pub fn nonce(&self, now: i64) -> Option<String> {
        let nonces = self.nonces.as_ref()?;
        nonces.make(now.div_euclid(nonces.lifetime))
    }
}

impl Nonces {
    fn message(bucket: i64) -> Vec<u8> {
        let mut message = NONCE_CONTEXT.to_vec();
        message.extend_from_slice(&bucket.to_be_bytes());
        message
    }

    fn make(&self, bucket: i64) -> Option<String> {
        crypto::sign_hmac(&self.key, &Self::message(bucket)).map(|tag| b64::encode(&tag))
    }

    /// Whether `nonce` is this bucket's (`Some(true)`) or the last one's
    /// (`Some(false)`: still good, a fresh one should be sent), else `None`.
    fn check(&self, nonce: &str, now: i64) -> Option<bool> {
        let tag = b64::decode(nonce.as_bytes())?;
        let bucket = now.div_euclid(self.lifetime);
        let good = |b: i64| crypto::verify(Algorithm::HS256, &self.key, &Self::message(b), &tag);
        if good(bucket) {
            Some(true)
        } else if good(bucket.checked_sub(1)?) {
            Some(false)
        } else {
            None
        }
    }
}

/// What a request presents besides its access token.
#[derive(Clone, Copy, Debug)]
pub struct Presentation<'a> {
    /// The server's DPoP settings; `None` when it takes no DPoP proofs.
    pub config: Option<&'a Config>,
    /// Whether the request used the DPoP scheme (`Authorization: DPoP …`).
    pub dpop: bool,
    /// The `DPoP` header's value, when there is one.
    pub proof: Option<&'a str>,
    /// The request's method.
    pub method: &'a str,
    /// The request's URL, absolute.
    pub url: &'a str,
    /// The TLS client certificate's SHA-256 thumbprint, base64url, when the
    /// runtime handed one over.
    pub certificate: Option<&'a str>,
}

/// A DPoP proof that passed every check of RFC 9449 §4.3.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    /// The RFC 7638 thumbprint of the proof's key (base64url SHA-256).
    pub jkt: String,
    /// The proof's `jti`, for the replay store.
    pub jti: String,
    /// Until when (seconds) the proof would still be accepted: how long the
    /// replay store must remember its `jti`.
    pub expires_at: i64,
    /// A fresh nonce to send (`DPoP-Nonce`) when the proof's was the previous one.
    pub nonce: Option<String>,
}

/// How a request proved it may use its token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// A bearer token: possession of the token is enough.
    Bearer,
    /// A DPoP-bound token with a valid proof by the key of this thumbprint.
    Dpop(String),
    /// A certificate-bound token with the client certificate of this thumbprint.
    Mtls(String),
}

/// What [`bind_opened`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proven {
    /// The DPoP proof, when the request used the DPoP scheme.
    pub proof: Option<Proof>,
    /// How the token is held.
    pub credential: Credential,
}

fn invalid(message: &'static str) -> Error {
    Error::DpopProofInvalid(message)
}

/// The first half of the request's proof against the token's binding, for a caller that checks its
/// signature with another implementation (the JS package's native crypto):
/// `None` when the request did not use the DPoP scheme, else the proof
/// [`open`]ed, or the refusal [`bind_opened`] gives. The refusal waits: the
/// access token's own checks come first ([`crate::Verifier::verify_presented`]).
pub fn open_presented(p: &Presentation<'_>) -> Option<Result<Opened, Error>> {
    match (p.dpop, p.config) {
        (false, _) => None,
        (true, None) => Some(Err(needs_settings())),
        (true, Some(config)) => Some(match p.proof {
            None => Err(invalid(
                "the DPoP scheme needs a DPoP proof in the DPoP header",
            )),
            Some(text) => open(config, text),
        }),
    }
}

fn needs_settings() -> Error {
    invalid_arg("a DPoP request needs the verifier's DPoP settings")
}

/// The request's proofs against the token's binding (`bound`, from
/// [`claims::validate_unbound`]): the DPoP proof when the request used the
/// DPoP scheme (`opened` by [`open_presented`], `verified` whether its
/// signature verified, `ath` the access token's hash, [`token_hash`]), then
/// [`claims::check_binding`] with its key's and the certificate's thumbprints.
pub fn bind_opened(
    p: &Presentation<'_>,
    opened: Option<Result<Opened, Error>>,
    verified: bool,
    ath: &str,
    bound: Option<Confirmation<'_>>,
    v: &Validation,
    now: i64,
) -> Result<Proven, Error> {
    let proof = match opened {
        None => None,
        Some(opened) => {
            let config = p.config.ok_or_else(needs_settings)?;
            Some(settle(
                config, opened?, verified, p.method, p.url, ath, now,
            )?)
        }
    };
    let presented = Presented {
        jkt: proof.as_ref().map(|proof| proof.jkt.as_str()),
        x5t: p.certificate,
    };
    claims::check_binding(bound, v, &presented)?;
    let credential = match (&proof, bound.and_then(|b| b.x5t), p.certificate) {
        (Some(proof), _, _) => Credential::Dpop(proof.jkt.clone()),
        (None, Some(_), Some(cert)) => Credential::Mtls(cert.to_owned()),
        _ => Credential::Bearer,
    };
    Ok(Proven { proof, credential })
}

/// The access token's hash as a proof's `ath` holds it (§4.2): base64url SHA-256.
pub fn token_hash(token: &str) -> String {
    b64::encode(&crypto::sha256(token.as_bytes()))
}

/// Checks a DPoP proof for a request to a protected resource (RFC 9449
/// §4.3, in its order, with `ath` required by §7): `method` and `url` are the
/// request's, `token` the access token it carries, `now` in seconds.
pub fn check_proof(
    config: &Config,
    proof: &str,
    method: &str,
    url: &str,
    token: &str,
    now: i64,
) -> Result<Proof, Error> {
    let opened = open(config, proof)?;
    let verified = opened.verify();
    settle(
        config,
        opened,
        verified,
        method,
        url,
        &token_hash(token),
        now,
    )
}

/// The rest of [`check_proof`] once the caller checked the signature of
/// `opened` (`verified`): its claims are read only if it verified.
fn settle(
    config: &Config,
    opened: Opened,
    verified: bool,
    method: &str,
    url: &str,
    ath: &str,
    now: i64,
) -> Result<Proof, Error> {
    if !verified {
        return Err(invalid("the DPoP proof's signature does not verify"));
    }
    let (claims, jkt) = opened.read()?;
    let string = |name, message| match claims.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.as_str()),
        _ => Err(invalid(message)),
    };
    let jti = string("jti", "the DPoP proof has no jti string")?;
    if jti.len() > MAX_JTI_LENGTH {
        return Err(invalid("the DPoP proof's jti is too long"));
    }
    if string("htm", "the DPoP proof has no htm string")? != method {
        return Err(invalid("the DPoP proof's htm is not the request's method"));
    }
    let htu = string("htu", "the DPoP proof has no htu string")?;
    match (normalize_htu(htu), normalize_htu(url)) {
        (Some(claimed), Some(actual)) if claimed == actual => {}
        _ => return Err(invalid("the DPoP proof's htu is not the request's URL")),
    }
    let mut fresh = None;
    if let Some(nonces) = &config.nonces {
        let current = match claims.get("nonce") {
            None if !nonces.required => Some(true),
            Some(Value::String(nonce)) => nonces.check(nonce, now),
            _ => None,
        };
        match current {
            Some(true) => {}
            Some(false) => fresh = config.nonce(now),
            // Missing or stale: the client retries with a fresh one (§9).
            None => {
                return Err(Error::DpopNonceRequired {
                    nonce: config.nonce(now).unwrap_or_default(),
                })
            }
        }
    }
    let iat = match claims.get("iat") {
        Some(Value::Number(n)) if n.is_finite() => *n,
        _ => return Err(invalid("the DPoP proof has no numeric iat")),
    };
    let window = config.iat_window as f64;
    if (now as f64 - iat).abs() > window {
        return Err(invalid(
            "the DPoP proof's iat is outside the accepted window",
        ));
    }
    // §4.3 (12): the proof is for this very token, not another of the client's.
    if string("ath", "the DPoP proof has no ath (the access token's hash)")? != ath {
        return Err(invalid(
            "the DPoP proof's ath is not the hash of the access token",
        ));
    }
    Ok(Proof {
        jkt,
        jti: jti.to_owned(),
        expires_at: (iat + window).ceil() as i64,
        nonce: fresh,
    })
}

/// A DPoP proof checked up to its signature by [`open`]: its header passed,
/// its key imported; the payload is not read until the signature verified.
#[derive(Debug)]
pub struct Opened {
    key: jwk::Key,
    jwk: Map,
    payload: Vec<u8>,
    signed_then_signature: Vec<u8>,
    split: usize,
}

impl Opened {
    /// The proof's public key (from its header), bound to the proof's `alg`.
    pub fn key(&self) -> &jwk::Key {
        &self.key
    }

    /// The bytes the signature covers.
    pub fn signing_input(&self) -> &[u8] {
        self.signed_then_signature
            .get(..self.split)
            .unwrap_or_default()
    }

    /// The decoded signature.
    pub fn signature(&self) -> &[u8] {
        self.signed_then_signature
            .get(self.split..)
            .unwrap_or_default()
    }

    /// The signing input followed by the signature (one buffer for JS).
    pub fn signed_then_signature(&self) -> &[u8] {
        &self.signed_then_signature
    }

    /// Whether the signature verifies with the header's key (`ring`).
    pub fn verify(&self) -> bool {
        self.key
            .verify_signature(self.signing_input(), self.signature())
    }

    /// After the signature verified: the claims and the key's thumbprint.
    fn read(self) -> Result<(Map, String), Error> {
        let jkt = thumbprint(&self.jwk, self.key.alg().key_kind())
            .ok_or(invalid("the DPoP proof's jwk has no thumbprint"))?;
        let claims = jws::parse_payload(&self.payload)
            .map_err(|_| invalid("the DPoP proof's payload is not a JSON object"))?;
        Ok((claims, jkt))
    }
}

/// §4.3 (2)–(7) up to the signature: a compact JWS typed `dpop+jwt`, signed
/// by an allowed asymmetric algorithm with the public key in its header,
/// its signature of that key's length. The payload is not read.
pub fn open(config: &Config, proof: &str) -> Result<Opened, Error> {
    let mut compact = jws::split(proof, MAX_PROOF_LENGTH)
        .map_err(|_| invalid("the DPoP proof is not a well-formed JWS"))?;
    let header = &compact.header;
    if header.typ.as_deref().map(normalize_typ).as_deref() != Some("dpop+jwt") {
        return Err(invalid("the DPoP proof's typ is not dpop+jwt"));
    }
    let alg = Algorithm::from_header(&header.alg)
        .map_err(|_| invalid("the DPoP proof's alg is none or not supported"))?;
    if !config.algorithms.contains(&alg) {
        return Err(invalid(
            "the DPoP proof's alg is not one of the accepted DPoP algorithms",
        ));
    }
    let Some(Value::Object(jwk)) = header.members.get("jwk") else {
        return Err(invalid("the DPoP proof's header has no jwk object"));
    };
    // §4.3 (7): a public key only. A private member means the client leaked
    // its key; such a proof proves nothing.
    if ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]
        .iter()
        .any(|m| jwk.contains_key(m))
    {
        return Err(invalid("the DPoP proof's jwk holds a private key"));
    }
    let key = jwk::import_jwk(jwk, &[alg])
        .map_err(|_| invalid("the DPoP proof's jwk is not a usable public key"))?;
    if key.alg() != alg {
        return Err(invalid("the DPoP proof's jwk is for another alg"));
    }
    // A signature of another length never verifies: refused here, so that no
    // other implementation is handed one.
    if key.material().signature_len() != Some(compact.signature.len()) {
        return Err(invalid("the DPoP proof's signature does not verify"));
    }
    // Moved out of the header, not copied: the thumbprint reads it later.
    let Some(Value::Object(jwk)) = compact.header.members.remove("jwk") else {
        return Err(invalid("the DPoP proof's header has no jwk object"));
    };
    let split = compact.signing_input.len();
    let mut signed_then_signature = Vec::with_capacity(split + compact.signature.len());
    signed_then_signature.extend_from_slice(compact.signing_input);
    signed_then_signature.extend_from_slice(&compact.signature);
    Ok(Opened {
        key,
        jwk,
        payload: compact.payload,
        signed_then_signature,
        split,
    })
}

/// The RFC 7638 thumbprint of an imported public JWK: SHA-256 over its
/// required members, in lexicographic order, without whitespace, base64url.
/// The values were checked at import (curve names, canonical base64url), so
/// none needs escaping.
pub fn thumbprint(jwk: &Map, kind: KeyKind) -> Option<String> {
    let members: &[&str] = match kind {
        KeyKind::Rsa => &["e", "kty", "n"],
        KeyKind::Ec(_) => &["crv", "kty", "x", "y"],
        KeyKind::Ed25519 => &["crv", "kty", "x"],
        KeyKind::Hmac => &["k", "kty"],
    };
    let mut canonical = String::from("{");
    for (i, name) in members.iter().enumerate() {
        if i > 0 {
            canonical.push(',');
        }
        canonical.push('"');
        canonical.push_str(name);
        canonical.push_str("\":\"");
        canonical.push_str(jwk.get(name)?.as_str()?);
        canonical.push('"');
    }
    canonical.push('}');
    Some(b64::encode(&crypto::sha256(canonical.as_bytes())))
}

/// An http(s) URL as `htu` is compared (RFC 9449 §4.3 (9)): without query
/// and fragment, after RFC 3986 §6.2.2 and §6.2.3 normalization (scheme and
/// host lowercased, default port dropped, percent-encodings uppercased and
/// unreserved ones decoded, dot segments removed, empty path `/`). `None`
/// for anything else (no scheme, userinfo, a bad port).
pub fn normalize_htu(url: &str) -> Option<String> {
    // Bytes, not `str` patterns: the searchers those bring cost the wasm module kilobytes.
    let bytes = url.as_bytes();
    let end = bytes
        .iter()
        .position(|&b| b == b'?' || b == b'#')
        .unwrap_or(bytes.len());
    let url = bytes.get(..end)?;
    let colon = url.iter().position(|&b| b == b':')?;
    let scheme = url.get(..colon)?;
    let rest = url.get(colon..)?.strip_prefix(b"://")?;
    let default_port: &[u8] = if scheme.eq_ignore_ascii_case(b"https") {
        b"443"
    } else if scheme.eq_ignore_ascii_case(b"http") {
        b"80"
    } else {
        return None;
    };
    let slash = rest.iter().position(|&b| b == b'/').unwrap_or(rest.len());
    let (authority, path) = (rest.get(..slash)?, rest.get(slash..)?);
    if authority.contains(&b'@') {
        return None;
    }
    // The port follows the last colon, unless that colon is inside an IPv6 literal.
    let (host, port) = match authority.iter().rposition(|&b| b == b':') {
        Some(at) if !authority.get(at..)?.contains(&b']') => {
            (authority.get(..at)?, authority.get(at + 1..)?)
        }
        _ => (authority, &[][..]),
    };
    if host.is_empty() || !port.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let zeros = port.iter().take_while(|&&b| b == b'0').count();
    let port = port.get(zeros..)?;
    let mut out = Vec::with_capacity(url.len() + 1);
    out.extend(scheme.iter().map(u8::to_ascii_lowercase));
    out.extend_from_slice(b"://");
    out.extend(host.iter().map(u8::to_ascii_lowercase));
    if !port.is_empty() && port != default_port {
        let value = port.iter().fold(0u32, |n, d| {
            n.saturating_mul(10).saturating_add(u32::from(d - b'0'))
        });
        if value > 65535 {
            return None;
        }
        out.push(b':');
        out.extend_from_slice(port);
    }
    remove_dot_segments(&normalize_percent(path)?, &mut out);
    String::from_utf8(out).ok()
}

/// Percent-encodings uppercased, and decoded where they encode an unreserved
/// character (RFC 3986 §6.2.2.2); `None` for a broken one.
fn normalize_percent(path: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(path.len());
    let mut at = 0;
    while let Some(&b) = path.get(at) {
        if b != b'%' {
            out.push(b);
            at += 1;
            continue;
        }
        let digit = |i: usize| path.get(i).and_then(|&c| char::from(c).to_digit(16));
        let byte = digit(at + 1)? * 16 + digit(at + 2)?;
        let byte = u8::try_from(byte).ok()?;
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte);
        } else {
            out.push(b'%');
            out.extend(path.get(at + 1..at + 3)?.iter().map(u8::to_ascii_uppercase));
        }
        at += 3;
    }
    Some(out)
}

/// RFC 3986 §5.2.4 on an absolute path, appended to `out`; the empty path is `/`.
fn remove_dot_segments(path: &[u8], out: &mut Vec<u8>) {
    let mut segments: Vec<&[u8]> = Vec::new();
    let mut parts = path.split(|&b| b == b'/').skip(1).peekable();
    while let Some(segment) = parts.next() {
        let last = parts.peek().is_none();
        match segment {
            b"." => {}
            b".." => {
                segments.pop();
            }
            s => {
                segments.push(s);
                continue;
            }
        }
        if last {
            segments.push(b"");
        }
    }
    for segment in &segments {
        out.push(b'/');
        out.extend_from_slice(segment);
    }
    if segments.is_empty() {
        out.push(b'/');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn htu_normalization() {
        let same = [
            ("https://EXAMPLE.com/a", "https://example.com/a"),
            ("HTTPS://example.com:443/a", "https://example.com/a"),
            ("http://example.com:80/a", "http://example.com/a"),
            ("https://example.com", "https://example.com/"),
            ("https://example.com/a?x=1#f", "https://example.com/a"),
            ("https://example.com/a/./b/../c", "https://example.com/a/c"),
            ("https://example.com/a/b/..", "https://example.com/a/"),
            (
                "https://example.com/%7euser/%2fx",
                "https://example.com/~user/%2Fx",
            ),
            ("https://[::1]:8443/x", "https://[::1]:8443/x"),
            ("https://[::1]/x", "https://[::1]/x"),
            ("https://example.com:0443/", "https://example.com/"),
        ];
        for (input, expected) in same {
            assert_eq!(normalize_htu(input).as_deref(), Some(expected), "{input}");
        }
        let differ = [
            ("https://example.com/a", "http://example.com/a"),
            ("https://example.com:8443/a", "https://example.com/a"),
            ("https://example.com/a", "https://example.com/A"),
            ("https://example.com/a/", "https://example.com/a"),
        ];
        for (a, b) in differ {
            assert_ne!(normalize_htu(a), normalize_htu(b), "{a} {b}");
        }
        for bad in [
            "example.com/a",
            "ftp://example.com/",
            "https://user@example.com/",
            "https://example.com:x/",
            "https://example.com:99999/",
            "https://:443/",
            "https://example.com/%zz",
            "https://example.com/%2",
        ] {
            assert_eq!(normalize_htu(bad), None, "{bad}");
        }
    }

    #[test]
    fn rfc_7638_thumbprints() {
        let text = include_str!("../tests/vectors/rfc/rfc_vectors.json");
        let Ok(Value::Object(doc)) = crate::json::parse(text.as_bytes()) else {
            panic!("vectors")
        };
        let Some(Value::Array(cases)) = doc.get("rfc7638_thumbprints") else {
            panic!("rfc7638_thumbprints")
        };
        assert_eq!(cases.len(), 3);
        for case in cases {
            let Some(Value::Object(jwk)) = case.get("jwk") else {
                panic!()
            };
            let kind = match jwk.get("kty").and_then(Value::as_str) {
                Some("RSA") => KeyKind::Rsa,
                Some("EC") => KeyKind::Ec(crate::alg::Curve::P256),
                _ => KeyKind::Ed25519,
            };
            assert_eq!(
                thumbprint(jwk, kind).as_deref(),
                case.get("sha256_thumbprint").and_then(Value::as_str)
            );
        }
    }

    #[test]
    fn config_checks_its_options() {
        let code = |r: Result<Config, Error>| r.err().map_or("ok", |e| e.code());
        assert_eq!(code(Config::new("", 60.0, None, false, 300.0)), "ok");
        // Every asymmetric algorithm of the build: ES512 and ES256K with their features.
        let curves = match (cfg!(feature = "es512"), cfg!(feature = "es256k")) {
            (true, true) => " ES512 ES256K",
            (true, false) => " ES512",
            (false, true) => " ES256K",
            (false, false) => "",
        };
        assert_eq!(
            Config::new("", 60.0, None, false, 300.0).map(|c| c.algs().to_owned()),
            Ok(format!(
                "RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384{curves} EdDSA"
            ))
        );
        for bad in [
            Config::new("HS256", 60.0, None, false, 300.0),
            Config::new("none", 60.0, None, false, 300.0),
            Config::new("", 0.0, None, false, 300.0),
            Config::new("", 1.5, None, false, 300.0),
            Config::new("", f64::NAN, None, false, 300.0),
            Config::new("", 60.0, None, true, 300.0),
            Config::new("", 60.0, Some(&[1; 31]), true, 300.0),
            Config::new("", 60.0, Some(&[1; 32]), true, 0.0),
        ] {
            assert_eq!(code(bad), "ERR_INVALID_ARG");
        }
    }

    #[test]
    fn nonces_last_one_to_two_lifetimes() {
        let config = Config::new("ES256", 60.0, Some(&[7; 32]), true, 300.0).unwrap();
        let nonces = config.nonces.as_ref().unwrap();
        let now = 1_700_000_200; // 100 s into a bucket
        let nonce = config.nonce(now).unwrap();
        assert_eq!(nonce.len(), 43);
        assert_eq!(nonces.check(&nonce, now), Some(true));
        assert_eq!(nonces.check(&nonce, now + 199), Some(true));
        assert_eq!(nonces.check(&nonce, now + 200), Some(false));
        assert_eq!(nonces.check(&nonce, now + 499), Some(false));
        assert_eq!(nonces.check(&nonce, now + 500), None);
        assert_eq!(nonces.check(&nonce, now - 101), None);
        assert_eq!(nonces.check("AAAA", now), None);
        assert_eq!(nonces.check("not base64url!", now), None);
        let other = Config::new("ES256", 60.0, Some(&[8; 32]), true, 300.0).unwrap();
        assert_eq!(
            other.nonces.as_ref().unwrap().check(&nonce, now),
            None,
            "another secret's nonce"
        );
    }
}
