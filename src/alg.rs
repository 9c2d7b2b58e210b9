//! The algorithm table: every JWS `alg` tollgate verifies, with the key type it
//! needs. One entry per name; a key is bound to one entry when it is imported,
//! and a token's header is only compared against that binding (RFC 8725 §3.1).

use crate::error::{cat, Error};

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
    /// EdDSA on Ed25519.
    EdDSA,
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

/// The elliptic curves tollgate verifies on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Curve {
    /// NIST P-256 (secp256r1).
    P256,
    /// NIST P-384 (secp384r1).
    P384,
}

impl Curve {
    /// Length in bytes of one coordinate (and of `r` and `s`).
    pub fn coordinate_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
        }
    }

    /// Length in bytes of an uncompressed SEC1 point (`0x04 ‖ x ‖ y`).
    pub fn point_len(self) -> usize {
        match self {
            Curve::P256 => 65,
            Curve::P384 => 97,
        }
    }

    /// The JWK `crv` name.
    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
        }
    }
}

/// All supported algorithms, in the order they are listed to users.
pub const ALL: [Algorithm; 12] = [
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
    Algorithm::EdDSA,
];

/// Registered JWS names that are real algorithms but that this build cannot
/// verify: they get `ERR_JOSE_NOT_SUPPORTED` rather than a generic failure.
const KNOWN_UNSUPPORTED: [&str; 4] = ["ES512", "ES256K", "Ed448", "Ed25519"];

impl Algorithm {
    /// The JWS `alg` name.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::HS256 => "HS256",
            Algorithm::HS384 => "HS384",
            Algorithm::HS512 => "HS512",
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::EdDSA => "EdDSA",
        }
    }

    /// Looks up an exact (case-sensitive) name.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        ALL.into_iter().find(|a| a.name() == name)
    }

    /// Parses a header `alg`: `none` in any case is never allowed, names this
    /// library does not implement are "not supported".
    pub fn from_header(name: &str) -> Result<Algorithm, Error> {
        if name.eq_ignore_ascii_case("none") {
            return Err(Error::AlgNotAllowed("alg none is never accepted"));
        }
        Algorithm::from_name(name).ok_or(if KNOWN_UNSUPPORTED.contains(&name) {
            Error::NotSupported(
                "the token's alg is not supported by tollgate (ES512, ES256K, Ed448 are not)",
            )
        } else {
            Error::NotSupported("the token's alg is unknown or not supported")
        })
    }

    /// Parses an algorithm named by the caller (options, import options).
    pub fn from_option(name: &str) -> Result<Algorithm, Error> {
        Algorithm::from_name(name).ok_or_else(|| {
            Error::InvalidArg(cat(&[
                "unsupported algorithm \"",
                &truncate(name),
                "\": use one of ",
                &ALL.map(Algorithm::name).join(", "),
            ]))
        })
    }

    /// The key family this algorithm verifies with.
    pub fn key_kind(self) -> KeyKind {
        match self {
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => KeyKind::Hmac,
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => KeyKind::Rsa,
            Algorithm::ES256 => KeyKind::Ec(Curve::P256),
            Algorithm::ES384 => KeyKind::Ec(Curve::P384),
            Algorithm::EdDSA => KeyKind::Ed25519,
        }
    }

    /// For HMAC, the minimum secret length in bytes (RFC 7518 §3.2: at least
    /// the hash output size).
    pub fn min_secret_len(self) -> usize {
        match self {
            Algorithm::HS384 => 48,
            Algorithm::HS512 => 64,
            _ => 32,
        }
    }
}

/// Shortens caller text quoted back in an error message, and keeps it
/// printable (no quotes, backslashes or control characters).
pub(crate) fn truncate(s: &str) -> String {
    s.chars()
        .take(40)
        .map(|c| {
            if c.is_control() || c == '"' || c == '\\' {
                '?'
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in ALL {
            assert_eq!(Algorithm::from_name(a.name()), Some(a));
            assert_eq!(Algorithm::from_header(a.name()), Ok(a));
        }
        assert_eq!(Algorithm::from_name("rs256"), None);
    }

    #[test]
    fn none_is_never_allowed_and_unknown_is_not_supported() {
        for none in ["none", "None", "NONE", "nOnE"] {
            assert_eq!(
                Algorithm::from_header(none).map_err(|e| e.code()),
                Err("ERR_JOSE_ALG_NOT_ALLOWED")
            );
        }
        for other in ["ES512", "ES256K", "Ed448", "HS1", "", "RS256 "] {
            assert_eq!(
                Algorithm::from_header(other).map_err(|e| e.code()),
                Err("ERR_JOSE_NOT_SUPPORTED")
            );
        }
        assert_eq!(
            Algorithm::from_option("none").map_err(|e| e.code()),
            Err("ERR_INVALID_ARG")
        );
    }
}
