//! Keys and key sets. A key is validated, prepared for `ring` and bound to
//! exactly one algorithm when it is imported; nothing is parsed per token.
//! Keys never come from the token (`jwk`, `jku`, `x5u`, `x5c` are ignored).
//!
//! Read by hand from the parsed `json::Value`, not derived: one `#[derive(Deserialize)]` struct
//! read with serde_json cost +23.4 KB of wasm gzip (docs/design.md, "serde, measured").

use crate::json::{Map, Value};

use crate::alg::{Algorithm, Curve, KeyKind};
use crate::crypto::Material;
use crate::der::{self, PublicKey};
use crate::error::{cat, decimal, jwk_invalid, truncate, Error, Skipped};
use crate::{b64, json};

/// RSA modulus bounds: RFC 7518 §3.3 requires 2048 bits; `ring` verifies up to 8192.
const RSA_MIN_BITS: usize = 2048;
const RSA_MAX_BITS: usize = 8192;

/// One verification key, bound to one algorithm.
#[derive(Clone, Debug)]
pub struct Key {
    kid: Option<String>,
    alg: Algorithm,
    material: Material,
}

impl Key {
    /// The key id, if the key has one.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The one algorithm this key verifies.
    pub fn alg(&self) -> Algorithm {
        self.alg
    }

    /// The JWK `kty` of this key.
    pub fn kty(&self) -> &'static str {
        self.alg.key_kind().kty()
    }

    pub(crate) fn material(&self) -> &Material {
        &self.material
    }

    /// Checks a detached signature over `message` with this key and its bound
    /// algorithm — the primitive step of [`crate::verify`], with no token
    /// parsing and no claim checks. For conformance tests and fuzzing; to
    /// accept a token use the verifier.
    pub fn verify_signature(&self, message: &[u8], signature: &[u8]) -> bool {
        crate::crypto::verify(self.alg, &self.material, message, signature)
    }
}

/// A set of prepared verification keys, built once and reused for every token.
#[derive(Debug, Default)]
pub struct KeySet {
    keys: Vec<Key>,
    skipped: Vec<Skipped>,
    /// RSA JWKs without `alg` (several algorithms fit them): a verifier's
    /// `algorithms` binds them ([`KeySet::bind`]); they are listed as skipped too.
    unbound: Vec<(Option<String>, Material)>,
}

/// What one JWK imports as.
enum Imported {
    Bound(Key),
    /// An RSA key without `alg`, waiting for a verifier's `algorithms`.
    Unbound(Option<String>, Material),
}

/// The reason an unbound RSA key gives, in `skipped`.
const UNBOUND: &str =
    "RSA JWK without alg: a verifier's algorithms option binds it (e.g. [\"RS256\"])";

impl KeySet {
    /// Imports a JWKS (`{"keys":[...]}`) given as JSON text. Keys tollgate
    /// cannot use for verification (encryption keys, unsupported curves or
    /// algorithms, weak keys) are skipped and listed by [`KeySet::skipped`];
    /// a set with no usable key at all is an error. `algorithms` binds JWKs
    /// that carry no `alg`: such a key is usable only when exactly one listed
    /// algorithm fits its type.
    pub fn from_jwks(text: &[u8], algorithms: &[Algorithm]) -> Result<KeySet, Error> {
        let mut doc =
            json::parse_object(text).map_err(|_| jwk_invalid("JWKS is not a valid JSON object"))?;
        let Some(Value::Array(entries)) = doc.remove("keys") else {
            return Err(jwk_invalid("JWKS must have a \"keys\" array"));
        };
        let mut set = KeySet::default();
        for (index, entry) in entries.iter().enumerate() {
            let kid = entry.get("kid").and_then(Value::as_str).map(str::to_owned);
            let imported = match entry {
                Value::Object(jwk) => import_jwk_in_set(jwk, algorithms),
                _ => Err(jwk_invalid("JWKS entry is not an object")),
            };
            match imported {
                Ok(Imported::Bound(key)) => set.keys.push(key),
                Ok(Imported::Unbound(kid, material)) => {
                    set.skipped.push(Skipped {
                        index,
                        kid: kid.clone(),
                        reason: UNBOUND.into(),
                    });
                    set.unbound.push((kid, material));
                }
                Err(e) => set.skipped.push(Skipped {
                    index,
                    kid,
                    reason: e.to_string(),
                }),
            }
        }
        if set.keys.is_empty() && set.unbound.is_empty() {
            // The first skipped key's reason in the message, not only in `skipped`.
            let message = match set.skipped.first() {
                Some(first) => cat(&[
                    "JWKS has no key usable for signature verification (key ",
                    &decimal(first.index),
                    first.kid.as_deref().map_or("", |_| ", kid \""),
                    &first.kid.as_deref().map(truncate).unwrap_or_default(),
                    first.kid.as_deref().map_or("", |_| "\""),
                    ": ",
                    &first.reason,
                    ")",
                ]),
                None => "JWKS has no key usable for signature verification".into(),
            };
            return Err(Error::JwkInvalid {
                message,
                skipped: set.skipped,
            });
        }
        Ok(set)
    }

    /// Imports one JWK given as JSON text. `alg` binds a JWK that carries no
    /// `alg`; when both are present they must agree.
    pub fn from_jwk(text: &[u8], alg: Option<Algorithm>) -> Result<KeySet, Error> {
        let jwk =
            json::parse_object(text).map_err(|_| jwk_invalid("JWK is not a valid JSON object"))?;
        if let (Some(wanted), Some(Value::String(own))) = (alg, jwk.get("alg")) {
            if own != wanted.name() {
                return Err(jwk_invalid("the JWK's alg differs from the alg option"));
            }
        }
        import_jwk(&jwk, alg.as_slice()).map(KeySet::single)
    }

    /// Imports a PEM public key (SPKI `PUBLIC KEY`, or PKCS #1 `RSA PUBLIC
    /// KEY`) for the given algorithm.
    pub fn from_pem(pem: &str, alg: Algorithm, kid: Option<String>) -> Result<KeySet, Error> {
        let material = match (der::parse_pem(pem)?, alg.key_kind()) {
            (PublicKey::Rsa { n, e }, KeyKind::Rsa) => rsa(n, e)?,
            (PublicKey::Ec(curve, point), KeyKind::Ec(wanted)) if curve == wanted => {
                ec_point(curve, point)?
            }
            (PublicKey::Ed25519(pk), KeyKind::Ed25519) => ed25519(pk)?,
            (_, KeyKind::Hmac) => {
                return Err(jwk_invalid("HMAC algorithms take a secret, not a PEM key"))
            }
            _ => return Err(jwk_invalid("the PEM key's type does not fit the algorithm")),
        };
        Ok(KeySet::single(Key { kid, alg, material }))
    }

    /// Imports an HMAC secret for an HS algorithm. RFC 7518 §3.2: the secret
    /// must be at least as long as the hash output.
    pub fn from_secret(
        secret: &[u8],
        alg: Algorithm,
        kid: Option<String>,
    ) -> Result<KeySet, Error> {
        if alg.key_kind() != KeyKind::Hmac {
            return Err(jwk_invalid(
                "a secret can only be used with HS256, HS384 or HS512",
            ));
        }
        Ok(KeySet::single(Key {
            kid,
            alg,
            material: hmac(alg, secret)?,
        }))
    }

    fn single(key: Key) -> KeySet {
        KeySet {
            keys: vec![key],
            ..KeySet::default()
        }
    }

    /// The set with its RSA keys without `alg` bound to the one RSA algorithm
    /// of `algorithms` (a verifier's allow-list); `None` when there is nothing
    /// to bind or no such algorithm. Several RSA algorithms listed: an error
    /// (a key is bound to one).
    pub fn bind(&self, algorithms: &[Algorithm]) -> Result<Option<KeySet>, Error> {
        if self.unbound.is_empty() {
            return Ok(None);
        }
        let mut rsa = algorithms
            .iter()
            .copied()
            .filter(|a| a.key_kind() == KeyKind::Rsa);
        let alg = match (rsa.next(), rsa.next()) {
            (None, _) => return Ok(None),
            (Some(alg), None) => alg,
            (Some(_), Some(_)) => {
                return Err(Error::InvalidArg(
                    "the key set has RSA keys without alg and several RSA algorithms are allowed: a key is bound to one".into(),
                ))
            }
        };
        let mut keys = self.keys.clone();
        keys.extend(self.unbound.iter().map(|(kid, material)| Key {
            kid: kid.clone(),
            alg,
            material: material.clone(),
        }));
        Ok(Some(KeySet {
            keys,
            skipped: self.skipped.clone(),
            unbound: Vec::new(),
        }))
    }

    /// Whether some keys wait for a verifier's `algorithms` ([`KeySet::bind`]).
    pub fn has_unbound(&self) -> bool {
        !self.unbound.is_empty()
    }

    /// The usable keys.
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// The keys that were skipped at import, with the reason.
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// Whether any key is bound to `alg`.
    pub fn has_alg(&self, alg: Algorithm) -> bool {
        self.keys.iter().any(|k| k.alg == alg)
    }
}

/// One JWK as a key bound to its `alg` or the one of `algorithms` that fits it.
pub(crate) fn import_jwk(jwk: &Map, algorithms: &[Algorithm]) -> Result<Key, Error> {
    match import_jwk_in_set(jwk, algorithms)? {
        Imported::Bound(key) => Ok(key),
        Imported::Unbound(..) => Err(jwk_invalid(
            "RSA JWK without alg: give the alg option (e.g. { alg: \"RS256\" })",
        )),
    }
}

/// One JWK of a set: bound, or an RSA key left for a verifier's `algorithms`.
fn import_jwk_in_set(jwk: &Map, algorithms: &[Algorithm]) -> Result<Imported, Error> {
    let kty = string_member(jwk, "kty")?.ok_or_else(|| jwk_invalid("JWK has no kty"))?;
    let kid = string_member(jwk, "kid")?.map(str::to_owned);
    // RFC 7517 §4.2, §4.3: a key meant for encryption, or whose permitted
    // operations exclude "verify", must not verify signatures.
    if let Some(usage) = string_member(jwk, "use")? {
        if usage != "sig" {
            return Err(jwk_invalid("JWK use is not \"sig\""));
        }
    }
    if let Some(ops) = jwk.get("key_ops") {
        let ops = ops
            .as_array()
            .ok_or_else(|| jwk_invalid("JWK key_ops is not an array"))?;
        if !ops.iter().any(|op| op.as_str() == Some("verify")) {
            return Err(jwk_invalid("JWK key_ops does not include \"verify\""));
        }
    }
    let own_alg = match string_member(jwk, "alg")? {
        Some(name) => Some(Algorithm::from_name(name).ok_or_else(|| {
            jwk_invalid(cat(&[
                "JWK alg \"",
                &truncate(name),
                "\" is not a supported signature algorithm",
            ]))
        })?),
        None => None,
    };
    let kind = match kty {
        "RSA" => KeyKind::Rsa,
        "oct" => KeyKind::Hmac,
        "EC" => match string_member(jwk, "crv")?.and_then(Curve::from_name) {
            Some(curve) => KeyKind::Ec(curve),
            None => return Err(jwk_invalid("EC curve not supported by this build (P-256 and P-384 are; P-521 and secp256k1 with the es512 and es256k features)")),
        },
        "OKP" => match string_member(jwk, "crv")? {
            Some("Ed25519") => KeyKind::Ed25519,
            _ => return Err(jwk_invalid("OKP curve not supported (Ed25519 is)")),
        },
        _ => {
            return Err(jwk_invalid(
                "JWK kty not supported (RSA, EC, OKP and oct are)",
            ))
        }
    };
    let alg = match own_alg {
        Some(alg) if alg.key_kind() == kind => alg,
        Some(_) => return Err(jwk_invalid("JWK alg does not fit its kty/crv")),
        None => {
            let mut fitting = algorithms.iter().copied().filter(|a| a.key_kind() == kind);
            // Without a listed algorithm, the key decides where only one algorithm
            // fits it (P-256 → ES256, P-384 → ES384, Ed25519 → EdDSA).
            let mut only = crate::alg::ALL
                .iter()
                .copied()
                .filter(|a| a.key_kind() == kind);
            match (fitting.next(), fitting.next()) {
                (Some(alg), None) => alg,
                (None, _) if !algorithms.is_empty() => {
                    return Err(jwk_invalid(
                        "JWK has no alg and none of the listed algorithms fits it",
                    ))
                }
                (None, _) => {
                    match (only.next(), only.next()) {
                        (Some(alg), None) => alg,
                        _ if kind == KeyKind::Rsa => {
                            let material = rsa(b64_member(jwk, "n")?, b64_member(jwk, "e")?)?;
                            return Ok(Imported::Unbound(kid, material));
                        }
                        _ => return Err(jwk_invalid(
                            "JWK has no alg: list the algorithm it is for in the algorithms option",
                        )),
                    }
                }
                (Some(_), Some(_)) => return Err(jwk_invalid(
                    "JWK has no alg and several listed algorithms fit it: a key is bound to one",
                )),
            }
        }
    };
    let material = match kind {
        KeyKind::Rsa => rsa(b64_member(jwk, "n")?, b64_member(jwk, "e")?)?,
        KeyKind::Hmac => hmac(alg, &b64_member(jwk, "k")?)?,
        KeyKind::Ec(curve) => {
            let (x, y) = (b64_member(jwk, "x")?, b64_member(jwk, "y")?);
            // RFC 7518 §6.2.1.2: each coordinate is exactly the field size.
            if x.len() != curve.coordinate_len() || y.len() != curve.coordinate_len() {
                return Err(jwk_invalid(
                    "EC JWK coordinates have the wrong length for the curve",
                ));
            }
            let mut point = Vec::with_capacity(curve.point_len());
            point.push(0x04);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            Material::Ec(curve, point)
        }
        KeyKind::Ed25519 => ed25519(b64_member(jwk, "x")?)?,
    };
    Ok(Imported::Bound(Key { kid, alg, material }))
}

/// A JWK's string member, if present (another type is an error).
pub(crate) fn string_member<'a>(
    jwk: &'a Map,
    name: &'static str,
) -> Result<Option<&'a str>, Error> {
    match jwk.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(jwk_invalid(cat(&["JWK ", name, " is not a string"]))),
    }
}

/// A JWK's required base64url member, decoded.
pub(crate) fn b64_member(jwk: &Map, name: &'static str) -> Result<Vec<u8>, Error> {
    let text = string_member(jwk, name)?.ok_or_else(|| jwk_invalid(cat(&["JWK has no ", name])))?;
    b64::decode(text.as_bytes())
        .ok_or_else(|| jwk_invalid(cat(&["JWK ", name, " is not valid base64url"])))
}

fn strip_leading_zeros(mut v: Vec<u8>) -> Vec<u8> {
    let zeros = v.iter().take_while(|&&b| b == 0).count();
    v.drain(..zeros);
    v
}

fn bit_len(v: &[u8]) -> usize {
    match v.first() {
        None => 0,
        Some(&first) => {
            let top = (u8::BITS.saturating_sub(first.leading_zeros())) as usize;
            v.len()
                .saturating_sub(1)
                .saturating_mul(8)
                .saturating_add(top)
        }
    }
}

fn rsa(n: Vec<u8>, e: Vec<u8>) -> Result<Material, Error> {
    let (n, e) = (strip_leading_zeros(n), strip_leading_zeros(e));
    let bits = bit_len(&n);
    if bits < RSA_MIN_BITS {
        return Err(jwk_invalid("RSA modulus is shorter than 2048 bits"));
    }
    if bits > RSA_MAX_BITS {
        return Err(jwk_invalid("RSA modulus is longer than 8192 bits"));
    }
    if n.last().is_some_and(|b| b & 1 == 0) {
        return Err(jwk_invalid("RSA modulus is even"));
    }
    // Policy: e must be odd and at least 65537 (e = 1 makes every signature
    // "valid"; small exponents are refused as every modern issuer uses 65537),
    // and below 2^33, the largest ring accepts.
    let e_value = if e.len() <= 5 {
        e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
    } else {
        u64::MAX
    };
    if e_value < 65537 || e_value & 1 == 0 || e_value >= (1 << 33) {
        return Err(jwk_invalid(
            "RSA public exponent must be odd, at least 65537 and below 2^33",
        ));
    }
    if has_roca_fingerprint(&n) {
        return Err(jwk_invalid(
            "RSA modulus has the ROCA fingerprint (CVE-2017-15361): the private key can be recovered",
        ));
    }
    Ok(Material::Rsa { n, e })
}

/// The ROCA test (Nemec et al., CCS 2017; CVE-2017-15361): moduli made by the
/// flawed Infineon generator are `k·M + (65537^a mod M)`, so for each small
/// prime `p` dividing `M`, `n mod p` lies in the subgroup generated by 65537.
/// A random modulus passes all 38 tests with negligible probability.
fn has_roca_fingerprint(n: &[u8]) -> bool {
    const PRIMES: [u32; 38] = [
        3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89,
        97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
    ];
    PRIMES.iter().all(|&p| {
        let residue = n
            .iter()
            .fold(0u32, |acc, &b| (acc * 256 + u32::from(b)) % p);
        // Walk the powers of 65537 mod p (at most p - 1 of them).
        let generator = 65537 % p;
        let mut power = 1;
        for _ in 0..p {
            if power == residue {
                return true;
            }
            power = power * generator % p;
            if power == 1 {
                break;
            }
        }
        false
    })
}

fn ec_point(curve: Curve, point: Vec<u8>) -> Result<Material, Error> {
    if point.len() != curve.point_len() || point.first() != Some(&0x04) {
        return Err(jwk_invalid(
            "EC public key must be an uncompressed point on its curve",
        ));
    }
    Ok(Material::Ec(curve, point))
}

fn ed25519(pk: Vec<u8>) -> Result<Material, Error> {
    if pk.len() != 32 {
        return Err(jwk_invalid("Ed25519 public key must be 32 bytes"));
    }
    Ok(Material::Ed25519(pk))
}

fn hmac(alg: Algorithm, secret: &[u8]) -> Result<Material, Error> {
    if secret.len() < alg.min_secret_len() {
        return Err(jwk_invalid(cat(&[
            "HMAC secret is shorter than the ",
            &decimal(alg.min_secret_len()),
            "-byte minimum for ",
            alg.name(),
            " (RFC 7518 section 3.2)",
        ])));
    }
    Ok(Material::hmac(alg, secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code<T>(r: Result<T, Error>) -> &'static str {
        r.err().map_or("ok", |e| e.code())
    }

    const P256: &str = r#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","kid":"ec1"}"#;

    #[test]
    fn jwk_without_alg_needs_exactly_one_fitting_algorithm() {
        // Without options the curve decides: P-256 is ES256's alone.
        let set = KeySet::from_jwk(P256.as_bytes(), None);
        assert!(matches!(&set, Ok(s) if s.keys().first().map(Key::alg) == Some(Algorithm::ES256)));
        let set = KeySet::from_jwk(P256.as_bytes(), Some(Algorithm::ES256));
        assert!(matches!(&set, Ok(s) if s.keys().first().map(Key::alg) == Some(Algorithm::ES256)));
        assert_eq!(
            code(KeySet::from_jwk(P256.as_bytes(), Some(Algorithm::ES384))),
            "ERR_JWK_INVALID"
        );
        let secret = r#"{"kty":"oct","k":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#;
        let both = [Algorithm::HS256, Algorithm::HS384];
        assert_eq!(
            code(KeySet::from_jwks(
                format!(r#"{{"keys":[{secret}]}}"#).as_bytes(),
                &both
            )),
            "ERR_JWK_INVALID"
        );
    }

    #[test]
    fn unusable_keys_are_skipped_with_a_reason() {
        let jwks = format!(
            r#"{{"keys":[{P256},
                {{"kty":"EC","crv":"P-256","use":"enc","alg":"ES256","x":"x","y":"y","kid":"enc"}},
                {{"kty":"OKP","crv":"Ed448","x":"AAAA","kid":"ed448"}},
                {{"kty":"EC","crv":"secp256k1","x":"AAAA","y":"AAAA","kid":"k1"}},
                {{"kty":"RSA","alg":"RSA-OAEP","n":"AQAB","e":"AQAB","kid":"oaep"}},
                {{"kty":"EC","crv":"P-256","key_ops":["encrypt"],"x":"x","y":"y"}},
                "not an object"]}}"#
        );
        let set = KeySet::from_jwks(jwks.as_bytes(), &[Algorithm::ES256]);
        let Ok(set) = set else { panic!("{set:?}") };
        assert_eq!(set.keys().len(), 1);
        let kids: Vec<_> = set
            .skipped()
            .iter()
            .map(|s| (s.index, s.kid.clone()))
            .collect();
        assert_eq!(
            kids,
            vec![
                (1, Some("enc".into())),
                (2, Some("ed448".into())),
                (3, Some("k1".into())),
                (4, Some("oaep".into())),
                (5, None),
                (6, None)
            ]
        );
        assert!(set.skipped().iter().all(|s| !s.reason.is_empty()));
    }

    #[test]
    fn a_set_with_nothing_usable_is_an_error() {
        assert_eq!(
            code(KeySet::from_jwks(br#"{"keys":[]}"#, &[])),
            "ERR_JWK_INVALID"
        );
        assert_eq!(
            code(KeySet::from_jwks(br#"{"keys":{}}"#, &[])),
            "ERR_JWK_INVALID"
        );
        assert_eq!(code(KeySet::from_jwks(br#"[]"#, &[])), "ERR_JWK_INVALID");
        let Err(Error::JwkInvalid { skipped, .. }) =
            KeySet::from_jwks(br#"{"keys":[{"kty":"EC","use":"enc"}]}"#, &[])
        else {
            panic!();
        };
        assert_eq!(skipped.len(), 1);
    }

    #[test]
    fn weak_and_malformed_keys_are_refused() {
        assert_eq!(
            code(KeySet::from_secret(&[1u8; 31], Algorithm::HS256, None)),
            "ERR_JWK_INVALID"
        );
        assert_eq!(
            code(KeySet::from_secret(&[1u8; 32], Algorithm::HS256, None)),
            "ok"
        );
        assert_eq!(
            code(KeySet::from_secret(&[1u8; 47], Algorithm::HS384, None)),
            "ERR_JWK_INVALID"
        );
        assert_eq!(
            code(KeySet::from_secret(&[1u8; 63], Algorithm::HS512, None)),
            "ERR_JWK_INVALID"
        );
        assert_eq!(
            code(KeySet::from_secret(&[1u8; 64], Algorithm::RS256, None)),
            "ERR_JWK_INVALID"
        );
        let n1024 = b64::encode(&[[0xc1u8].as_slice(), &[0x55; 126], &[0x01]].concat());
        let n2048 = b64::encode(&[[0xc1u8].as_slice(), &[0x55; 254], &[0x01]].concat());
        let rsa =
            |n: &str, e: &str| format!(r#"{{"kty":"RSA","alg":"RS256","n":"{n}","e":"{e}"}}"#);
        assert_eq!(
            code(KeySet::from_jwk(rsa(&n1024, "AQAB").as_bytes(), None)),
            "ERR_JWK_INVALID"
        );
        assert_eq!(
            code(KeySet::from_jwk(rsa(&n2048, "AQAB").as_bytes(), None)),
            "ok"
        );
        assert_eq!(
            code(KeySet::from_jwk(rsa(&n2048, "AQ").as_bytes(), None)),
            "ERR_JWK_INVALID"
        ); // e = 1
        assert_eq!(
            code(KeySet::from_jwk(rsa(&n2048, "Aw").as_bytes(), None)),
            "ERR_JWK_INVALID"
        ); // e = 3
        assert_eq!(
            code(KeySet::from_jwk(rsa(&n2048, "AQA=").as_bytes(), None)),
            "ERR_JWK_INVALID"
        ); // padding
        let ec_short = r#"{"kty":"EC","crv":"P-256","alg":"ES256","x":"AAAA","y":"AAAA"}"#;
        assert_eq!(
            code(KeySet::from_jwk(ec_short.as_bytes(), None)),
            "ERR_JWK_INVALID"
        );
        let mismatch = P256.replace("\"kid\"", "\"alg\":\"ES384\",\"kid\"");
        assert_eq!(
            code(KeySet::from_jwk(mismatch.as_bytes(), None)),
            "ERR_JWK_INVALID"
        );
        let hs_on_ec = P256.replace("\"kid\"", "\"alg\":\"HS256\",\"kid\"");
        assert_eq!(
            code(KeySet::from_jwk(hs_on_ec.as_bytes(), None)),
            "ERR_JWK_INVALID"
        );
    }
}
