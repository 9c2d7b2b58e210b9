//! The algorithm table: every JWS `alg` tollgate verifies, one row each, with
//! everything any part of the package needs to know about it (key type,
//! curve, hash, signature scheme). A key is bound to one row when it is
//! imported, and a token's header is only compared against that binding (RFC
//! 8725 §3.1). The JS package's WebCrypto and node:crypto parameters are
//! derived from these rows (`facts`), never written down a second time.
//!
//! Two curves come from cargo features (P-521 for ES512, secp256k1 for
//! ES256K: ring has neither, RustCrypto's pure-Rust crates verify them). Their
//! rows are always in the table; a build without the feature does not
//! *find* them by name or OID, so their keys are skipped like any unsupported
//! key, and a token asking for them is `ERR_JOSE_NOT_SUPPORTED` with a message
//! naming the feature ([`Curve::feature`]).

use crate::error::{cat, truncate, Error};

/// A JWS algorithm tollgate can verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC with SHA-256.
    HS256,
    /// HMAC with SHA-384.
    HS384,
    /// HMAC with SHA-512.
    HS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256 and MGF1 with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384 and MGF1 with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512 and MGF1 with SHA-512.
    PS512,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// ECDSA on P-384 with SHA-384.
    ES384,
    /// ECDSA on P-521 with SHA-512 (cargo feature `es512`).
    ES512,
    /// ECDSA on secp256k1 with SHA-256 (RFC 8812; cargo feature `es256k`).
    ES256K,
    /// EdDSA on Ed25519.
    EdDSA,
}

/// The hash functions of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hash {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl Hash {
    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }

    /// The WebCrypto name (`"SHA-256"`); node:crypto's is its lowercase
    /// without the dash.
    pub fn name(self) -> &'static str {
        match self {
            Hash::Sha256 => "SHA-256",
            Hash::Sha384 => "SHA-384",
            Hash::Sha512 => "SHA-512",
        }
    }
}

/// How an algorithm signs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// HMAC over the hash.
    Hmac(Hash),
    /// RSASSA-PKCS1-v1_5 over the hash.
    RsaPkcs1(Hash),
    /// RSASSA-PSS over the hash, MGF1 with the same hash, salt as long as the
    /// hash (RFC 7518 §3.5).
    RsaPss(Hash),
    /// ECDSA on the curve over the hash; the signature is `r ‖ s` (RFC 7518 §3.4).
    Ecdsa(Curve, Hash),
    /// Ed25519 (RFC 8037).
    Ed25519,
}

/// The family of key an algorithm needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// A symmetric secret (`kty: "oct"`).
    Hmac,
    /// An RSA public key (`kty: "RSA"`).
    Rsa,
    /// An EC public key on the named curve (`kty: "EC"`).
    Ec(Curve),
    /// An Ed25519 public key (`kty: "OKP"`, `crv: "Ed25519"`).
    Ed25519,
}

impl KeyKind {
    /// The JWK `kty`.
    pub fn kty(self) -> &'static str {
        match self {
            KeyKind::Hmac => "oct",
            KeyKind::Rsa => "RSA",
            KeyKind::Ec(_) => "EC",
            KeyKind::Ed25519 => "OKP",
        }
    }

    /// The JWK `crv`, for curve keys.
    pub fn crv(self) -> Option<&'static str> {
        match self {
            KeyKind::Ec(curve) => Some(curve.name()),
            KeyKind::Ed25519 => Some("Ed25519"),
            KeyKind::Hmac | KeyKind::Rsa => None,
        }
    }
}

/// The elliptic curves tollgate verifies on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Curve {
    /// NIST P-256 (secp256r1).
    P256,
    /// NIST P-384 (secp384r1).
    P384,
    /// NIST P-521 (secp521r1), cargo feature `es512`.
    P521,
    /// secp256k1 (SEC 2), cargo feature `es256k`.
    Secp256k1,
}

/// Every curve, in the order they are listed to users.
pub const CURVES: [Curve; 4] = [Curve::P256, Curve::P384, Curve::P521, Curve::Secp256k1];

impl Curve {
    /// Length in bytes of one coordinate (and of `r` and `s`).
    pub fn coordinate_len(self) -> usize {
        match self {
            Curve::P256 | Curve::Secp256k1 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }

    /// Length in bytes of an uncompressed SEC1 point (`0x04 ‖ x ‖ y`).
    pub fn point_len(self) -> usize {
        1 + 2 * self.coordinate_len()
    }

    /// The JWK `crv` name (also WebCrypto's `namedCurve`).
    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
            // RFC 8812 §3.1.
            Curve::Secp256k1 => "secp256k1",
        }
    }

    /// The DER contents of the curve's object identifier (SPKI `namedCurve`).
    pub fn oid(self) -> &'static [u8] {
        match self {
            // 1.2.840.10045.3.1.7
            Curve::P256 => &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
            // 1.3.132.0.34
            Curve::P384 => &[0x2b, 0x81, 0x04, 0x00, 0x22],
            // 1.3.132.0.35
            Curve::P521 => &[0x2b, 0x81, 0x04, 0x00, 0x23],
            // 1.3.132.0.10
            Curve::Secp256k1 => &[0x2b, 0x81, 0x04, 0x00, 0x0a],
        }
    }

    /// The cargo feature that brings the curve (`None`: ring's, always built).
    pub fn feature(self) -> Option<&'static str> {
        match self {
            Curve::P256 | Curve::P384 => None,
            Curve::P521 => Some("es512"),
            Curve::Secp256k1 => Some("es256k"),
        }
    }

    /// Whether this build verifies on the curve.
    pub fn built(self) -> bool {
        match self {
            Curve::P256 | Curve::P384 => true,
            Curve::P521 => cfg!(feature = "es512"),
            Curve::Secp256k1 => cfg!(feature = "es256k"),
        }
    }

    /// Looks up a JWK `crv` name among the curves of this build.
    pub fn from_name(name: &str) -> Option<Curve> {
        CURVES
            .into_iter()
            .find(|c| c.name() == name)
            .filter(|c| c.built())
    }

    /// Looks up an object identifier among the curves of this build.
    pub fn from_oid(oid: &[u8]) -> Option<Curve> {
        CURVES
            .into_iter()
            .find(|c| c.oid() == oid)
            .filter(|c| c.built())
    }
}

/// Every algorithm of the table, in the order they are listed to users
/// (including those a build leaves out: [`Algorithm::built`]).
pub const ALL: [Algorithm; 14] = [
    Algorithm::HS256,
    Algorithm::HS384,
    Algorithm::HS512,
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::ES512,
    Algorithm::ES256K,
    Algorithm::EdDSA,
];

/// Registered JWS names that are real algorithms but that tollgate cannot
/// verify: they get `ERR_JOSE_NOT_SUPPORTED` rather than a generic failure.
const KNOWN_UNSUPPORTED: [&str; 2] = ["Ed448", "Ed25519"];

impl Algorithm {
    /// The row of the table: the JWS name and how the algorithm signs.
    pub fn row(self) -> (&'static str, Scheme) {
        use Hash::{Sha256, Sha384, Sha512};
        match self {
            Algorithm::HS256 => ("HS256", Scheme::Hmac(Sha256)),
            Algorithm::HS384 => ("HS384", Scheme::Hmac(Sha384)),
            Algorithm::HS512 => ("HS512", Scheme::Hmac(Sha512)),
            Algorithm::RS256 => ("RS256", Scheme::RsaPkcs1(Sha256)),
            Algorithm::RS384 => ("RS384", Scheme::RsaPkcs1(Sha384)),
            Algorithm::RS512 => ("RS512", Scheme::RsaPkcs1(Sha512)),
            Algorithm::PS256 => ("PS256", Scheme::RsaPss(Sha256)),
            Algorithm::PS384 => ("PS384", Scheme::RsaPss(Sha384)),
            Algorithm::PS512 => ("PS512", Scheme::RsaPss(Sha512)),
            Algorithm::ES256 => ("ES256", Scheme::Ecdsa(Curve::P256, Sha256)),
            Algorithm::ES384 => ("ES384", Scheme::Ecdsa(Curve::P384, Sha384)),
            Algorithm::ES512 => ("ES512", Scheme::Ecdsa(Curve::P521, Sha512)),
            Algorithm::ES256K => ("ES256K", Scheme::Ecdsa(Curve::Secp256k1, Sha256)),
            Algorithm::EdDSA => ("EdDSA", Scheme::Ed25519),
        }
    }

    /// The JWS `alg` name.
    pub fn name(self) -> &'static str {
        self.row().0
    }

    /// How the algorithm signs.
    pub fn scheme(self) -> Scheme {
        self.row().1
    }

    /// The hash the algorithm signs over (`None` for EdDSA, which hashes
    /// internally).
    pub fn hash(self) -> Option<Hash> {
        match self.scheme() {
            Scheme::Hmac(h) | Scheme::RsaPkcs1(h) | Scheme::RsaPss(h) | Scheme::Ecdsa(_, h) => {
                Some(h)
            }
            Scheme::Ed25519 => None,
        }
    }

    /// The cargo feature that brings the algorithm (`None`: always built).
    pub fn feature(self) -> Option<&'static str> {
        match self.key_kind() {
            KeyKind::Ec(curve) => curve.feature(),
            _ => None,
        }
    }

    /// Whether this build verifies the algorithm.
    pub fn built(self) -> bool {
        match self.key_kind() {
            KeyKind::Ec(curve) => curve.built(),
            _ => true,
        }
    }

    /// Looks up an exact (case-sensitive) name among the algorithms of this build.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        ALL.into_iter()
            .find(|a| a.name() == name)
            .filter(|a| a.built())
    }

    /// Parses a header `alg`: `none` in any case is never allowed, names this
    /// library does not implement are "not supported".
    pub fn from_header(name: &str) -> Result<Algorithm, Error> {
        if name.eq_ignore_ascii_case("none") {
            return Err(Error::AlgNotAllowed("alg none is never accepted"));
        }
        Algorithm::from_name(name).ok_or(if ALL.iter().any(|a| a.name() == name) {
            // In the table, not in this build (a wasm module without the feature).
            Error::NotSupported(
                "the token's alg is not in this build of tollgate (ES512 and ES256K need the cargo \
                 features es512 and es256k, which the npm package's wasm modules leave out for size)",
            )
        } else if KNOWN_UNSUPPORTED.contains(&name) {
            Error::NotSupported("the token's alg is not supported by tollgate (Ed448 is not)")
        } else {
            Error::NotSupported("the token's alg is unknown or not supported")
        })
    }

    /// Parses an algorithm named by the caller (options, import options).
    pub fn from_option(name: &str) -> Result<Algorithm, Error> {
        Algorithm::from_name(name).ok_or_else(|| {
            let built: Vec<&str> = ALL
                .into_iter()
                .filter(|a| a.built())
                .map(Algorithm::name)
                .collect();
            Error::InvalidArg(cat(&[
                "unsupported algorithm \"",
                &truncate(name),
                "\": use one of ",
                &built.join(", "),
            ]))
        })
    }

    /// The key family this algorithm verifies with.
    pub fn key_kind(self) -> KeyKind {
        match self.scheme() {
            Scheme::Hmac(_) => KeyKind::Hmac,
            Scheme::RsaPkcs1(_) | Scheme::RsaPss(_) => KeyKind::Rsa,
            Scheme::Ecdsa(curve, _) => KeyKind::Ec(curve),
            Scheme::Ed25519 => KeyKind::Ed25519,
        }
    }

    /// For HMAC, the minimum secret length in bytes (RFC 7518 §3.2: at least
    /// the hash output size).
    pub fn min_secret_len(self) -> usize {
        self.hash().map_or(32, Hash::output_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in ALL.into_iter().filter(|a| a.built()) {
            assert_eq!(Algorithm::from_name(a.name()), Some(a));
            assert_eq!(Algorithm::from_header(a.name()), Ok(a));
        }
        assert_eq!(Algorithm::from_name("rs256"), None);
        for c in CURVES.into_iter().filter(|c| c.built()) {
            assert_eq!(Curve::from_name(c.name()), Some(c));
            assert_eq!(Curve::from_oid(c.oid()), Some(c));
        }
    }

    #[test]
    fn rows_agree_with_the_names() {
        // The digits of the name are the hash (RFC 7518 §3.1, RFC 8812 §3.2), the
        // curve's coordinates are the hash size for ES256/ES384/ES256K (P-521's
        // 66 bytes hold SHA-512's 64).
        for a in ALL {
            let name = a.name();
            let digits = name.trim_end_matches('K');
            match a.hash() {
                Some(h) => assert!(
                    digits.ends_with(&(h.output_len() * 8).to_string()),
                    "{name}"
                ),
                None => assert_eq!(a, Algorithm::EdDSA),
            }
            if let KeyKind::Ec(curve) = a.key_kind() {
                let hash = a.hash().map_or(0, Hash::output_len);
                assert!(curve.coordinate_len() >= hash, "{name}");
                assert_eq!(curve == Curve::P521, curve.coordinate_len() != hash);
            }
            assert_eq!(
                a.built(),
                a.feature().is_none()
                    || cfg!(feature = "es512") && a == Algorithm::ES512
                    || cfg!(feature = "es256k") && a == Algorithm::ES256K
            );
        }
        assert_eq!(Algorithm::HS512.min_secret_len(), 64);
    }

    #[test]
    fn none_is_never_allowed_and_unknown_is_not_supported() {
        for none in ["none", "None", "NONE", "nOnE"] {
            assert_eq!(
                Algorithm::from_header(none).map_err(|e| e.code()),
                Err("ERR_JOSE_ALG_NOT_ALLOWED")
            );
        }
        for other in ["Ed448", "HS1", "", "RS256 ", "es512"] {
            assert_eq!(
                Algorithm::from_header(other).map_err(|e| e.code()),
                Err("ERR_JOSE_NOT_SUPPORTED")
            );
        }
        assert_eq!(
            Algorithm::from_option("none").map_err(|e| e.code()),
            Err("ERR_INVALID_ARG")
        );
        // A row of the table this build leaves out: not supported, with the feature named.
        for a in ALL.into_iter().filter(|a| !a.built()) {
            let e = Algorithm::from_header(a.name()).unwrap_err();
            assert_eq!(e.code(), "ERR_JOSE_NOT_SUPPORTED");
            assert!(e.to_string().contains(a.feature().unwrap()));
            assert_eq!(Algorithm::from_name(a.name()), None);
        }
    }
}
