//! The only module that calls `ring`. Keys arrive here already validated and
//! bound to one algorithm; verification answers yes or no, with no detail an
//! attacker could use as an oracle.

use std::num::NonZeroU32;

use ring::{digest, hmac, pbkdf2, signature};

use crate::alg::{Algorithm, Curve, Hash, Scheme};

/// Key material prepared once at import, in the form `ring` verifies with.
#[derive(Clone, Debug)]
pub enum Material {
    /// An HMAC key (already keyed with its hash).
    Hmac(hmac::Key),
    /// RSA public components: big-endian modulus and exponent, minimal.
    Rsa {
        /// Modulus, big-endian, no leading zero byte.
        n: Vec<u8>,
        /// Public exponent, big-endian, no leading zero byte.
        e: Vec<u8>,
    },
    /// An uncompressed SEC1 EC point (`0x04 ‖ x ‖ y`) on the given curve.
    Ec(Curve, Vec<u8>),
    /// A 32-byte Ed25519 public key.
    Ed25519(Vec<u8>),
}

impl Material {
    /// Prepares an HMAC secret for `alg` (which must be an HS algorithm).
    pub fn hmac(alg: Algorithm, secret: &[u8]) -> Material {
        let hash = match alg.hash() {
            Some(Hash::Sha384) => hmac::HMAC_SHA384,
            Some(Hash::Sha512) => hmac::HMAC_SHA512,
            _ => hmac::HMAC_SHA256,
        };
        Material::Hmac(hmac::Key::new(hash, secret))
    }

    /// The length of every valid signature by this key, for an asymmetric
    /// key: the modulus length (RSA), `r ‖ s` (ECDSA), 64 (Ed25519).
    pub fn signature_len(&self) -> Option<usize> {
        match self {
            Material::Hmac(_) => None,
            Material::Rsa { n, .. } => Some(n.len()),
            Material::Ec(curve, _) => Some(2 * curve.coordinate_len()),
            Material::Ed25519(_) => Some(64),
        }
    }
}

/// The HMAC tag of `message` under an HMAC key (`None` for another key):
/// values the server makes and later checks itself (DPoP nonces), checked
/// back with [`verify`].
pub fn sign_hmac(key: &Material, message: &[u8]) -> Option<Vec<u8>> {
    match key {
        Material::Hmac(k) => Some(hmac::sign(k, message).as_ref().to_vec()),
        _ => None,
    }
}

/// Checks `signature` over `message` with `key` under `alg`. The caller has
/// already ensured that `key` is bound to `alg`; a mismatch simply fails.
#[inline(never)]
pub fn verify(alg: Algorithm, key: &Material, message: &[u8], sig: &[u8]) -> bool {
    match (alg.scheme(), key) {
        // Constant-time comparison inside ring (RFC 7518 §3.2 demands full-length tags;
        // ring compares the whole tag, so a truncated tag fails). The key was
        // keyed with its algorithm's hash at import.
        (Scheme::Hmac(_), Material::Hmac(k)) => hmac::verify(k, message, sig).is_ok(),
        (scheme @ (Scheme::RsaPkcs1(_) | Scheme::RsaPss(_)), Material::Rsa { n, e }) => {
            let params: &signature::RsaParameters = match scheme {
                Scheme::RsaPkcs1(Hash::Sha256) => &signature::RSA_PKCS1_2048_8192_SHA256,
                Scheme::RsaPkcs1(Hash::Sha384) => &signature::RSA_PKCS1_2048_8192_SHA384,
                Scheme::RsaPkcs1(Hash::Sha512) => &signature::RSA_PKCS1_2048_8192_SHA512,
                Scheme::RsaPss(Hash::Sha256) => &signature::RSA_PSS_2048_8192_SHA256,
                Scheme::RsaPss(Hash::Sha384) => &signature::RSA_PSS_2048_8192_SHA384,
                Scheme::RsaPss(Hash::Sha512) => &signature::RSA_PSS_2048_8192_SHA512,
                _ => return false,
            };
            signature::RsaPublicKeyComponents { n, e }
                .verify(params, message, sig)
                .is_ok()
        }
        // JWS ECDSA signatures are the fixed-length r ‖ s (RFC 7518 §3.4); ring
        // rejects r or s of zero or ≥ n (CVE-2022-21449) and any other length.
        (Scheme::Ecdsa(curve, hash), Material::Ec(bound, point)) if curve == *bound => {
            let params: &signature::EcdsaVerificationAlgorithm = match (curve, hash) {
                (Curve::P256, Hash::Sha256) => &signature::ECDSA_P256_SHA256_FIXED,
                (Curve::P384, Hash::Sha384) => &signature::ECDSA_P384_SHA384_FIXED,
                _ => return false,
            };
            signature::UnparsedPublicKey::new(params, point)
                .verify(message, sig)
                .is_ok()
        }
        (Scheme::Ed25519, Material::Ed25519(pk)) => {
            signature::UnparsedPublicKey::new(&signature::ED25519, pk)
                .verify(message, sig)
                .is_ok()
        }
        _ => false,
    }
}

/// SHA-256 of `data`: API keys are stored as this digest, never in the clear; JWK
/// thumbprints (RFC 7638) and the DPoP `ath` (RFC 9449 §4.2).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, data).as_ref());
    out
}

/// Whether `a` and `b` are equal, in time that depends only on their lengths.
/// ring's `constant_time::verify_slices_are_equal` is deprecated (ring means to
/// stop exporting it), but it is the comparison `hmac::verify` runs: when it
/// goes, this is the one place to change.
#[allow(deprecated)]
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    ring::constant_time::verify_slices_are_equal(a, b).is_ok()
}

/// PBKDF2-HMAC-SHA256 of `password` (RFC 8018 §5.2), 32 bytes. `None` for
/// zero iterations.
pub fn pbkdf2_sha256(iterations: u32, salt: &[u8], password: &[u8]) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    pbkdf2::derive(
        pbkdf2::PBKDF2_HMAC_SHA256,
        NonZeroU32::new(iterations)?,
        salt,
        password,
        &mut out,
    );
    Some(out)
}

/// Whether PBKDF2-HMAC-SHA256 of `password` is `expected`; ring compares in
/// constant time.
pub fn pbkdf2_sha256_verify(
    iterations: u32,
    salt: &[u8],
    password: &[u8],
    expected: &[u8],
) -> bool {
    NonZeroU32::new(iterations).is_some_and(|n| {
        pbkdf2::verify(pbkdf2::PBKDF2_HMAC_SHA256, n, salt, password, expected).is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_needs_the_full_tag_and_the_right_key() {
        let key = Material::hmac(Algorithm::HS256, &[7u8; 32]);
        let Material::Hmac(k) = &key else {
            panic!("not hmac")
        };
        let tag = hmac::sign(k, b"msg");
        assert!(verify(Algorithm::HS256, &key, b"msg", tag.as_ref()));
        assert!(!verify(Algorithm::HS256, &key, b"msh", tag.as_ref()));
        assert!(!verify(
            Algorithm::HS256,
            &key,
            b"msg",
            tag.as_ref().get(..16).unwrap_or(&[])
        ));
        // The algorithm must match the key's hash.
        assert!(!verify(Algorithm::RS256, &key, b"msg", tag.as_ref()));
        assert_eq!(sign_hmac(&key, b"msg").as_deref(), Some(tag.as_ref()));
    }

    #[test]
    fn sha256_of_abc() {
        // FIPS 180-2 appendix B.1.
        let expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        let hex: String = sha256(b"abc").iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, expected);
    }

    #[test]
    fn sha256_and_pbkdf2_match_their_test_vectors() {
        // FIPS 180-2 "abc".
        assert_eq!(sha256(b"abc")[..4], [0xba, 0x78, 0x16, 0xbf],);
        assert!(same_bytes(&sha256(b"x"), &sha256(b"x")));
        assert!(!same_bytes(&sha256(b"x"), &sha256(b"y")));
        assert!(!same_bytes(b"ab", b"abc"));
        // RFC 7914 §11 (PBKDF2-HMAC-SHA256, "passwd"/"salt", c = 1).
        let dk = pbkdf2_sha256(1, b"salt", b"passwd").unwrap();
        assert_eq!(dk[..4], [0x55, 0xac, 0x04, 0x6e]);
        assert!(pbkdf2_sha256_verify(1, b"salt", b"passwd", &dk));
        assert!(!pbkdf2_sha256_verify(1, b"salt", b"passwe", &dk));
        assert!(!pbkdf2_sha256_verify(0, b"salt", b"passwd", &dk));
        assert_eq!(pbkdf2_sha256(0, b"salt", b"passwd"), None);
    }
}
