//! The only module that calls `ring` (and RustCrypto's `p521`, `k256` and
//! `ecdsa`, for the two curves ring lacks). Keys arrive here already validated
//! and bound to one algorithm; verification answers yes or no, with no detail
//! an attacker could use as an oracle. Signing (feature `sign`) has its own
//! block at the end.

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
                #[cfg(feature = "es512")]
                (Curve::P521, Hash::Sha512) => return p521_verify(point, message, sig),
                #[cfg(feature = "es256k")]
                (Curve::Secp256k1, Hash::Sha256) => return k256_verify(point, message, sig),
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

// ECDSA on the curves ring lacks, with RustCrypto: the same checks as ring's
// (a point on the curve, r and s in [1, n), the fixed-length r ‖ s of RFC 7518
// §3.4), the message hashed by ring. `verify_prehashed` is ECDSA's plain
// verification: it accepts a high s as ECDSA does. k256's own `verify`
// refuses one (Bitcoin's low-S rule); RFC 8812 does not ask for it and
// Wycheproof's generic ECDSA vectors mark such signatures valid, so neither do we.

#[cfg(feature = "es512")]
fn p521_verify(point: &[u8], message: &[u8], sig: &[u8]) -> bool {
    let Ok(key) = p521::PublicKey::from_sec1_bytes(point) else {
        return false;
    };
    let Ok(sig) = ecdsa::Signature::<p521::NistP521>::from_slice(sig) else {
        return false;
    };
    let digest = ring::digest::digest(&ring::digest::SHA512, message);
    // SHA-512's 64 bytes as a P-521 field element: left-padded (SEC 1 §4.1.4 step 5).
    let Ok(z) = ecdsa::hazmat::bits2field::<p521::NistP521>(digest.as_ref()) else {
        return false;
    };
    ecdsa::hazmat::verify_prehashed::<p521::NistP521>(&key.to_projective(), &z, &sig).is_ok()
}

#[cfg(feature = "es256k")]
fn k256_verify(point: &[u8], message: &[u8], sig: &[u8]) -> bool {
    let Ok(key) = k256::PublicKey::from_sec1_bytes(point) else {
        return false;
    };
    let Ok(sig) = ecdsa::Signature::<k256::Secp256k1>::from_slice(sig) else {
        return false;
    };
    let digest = ring::digest::digest(&ring::digest::SHA256, message);
    let Ok(z) = ecdsa::hazmat::bits2field::<k256::Secp256k1>(digest.as_ref()) else {
        return false;
    };
    ecdsa::hazmat::verify_prehashed::<k256::Secp256k1>(&key.to_projective(), &z, &sig).is_ok()
}

// ─────────────────────────────────────────────────────────── signing (feature `sign`)
//
// Private keys, prepared once at import (`sign::SigningKey`). Signing answers a
// signature or nothing: no detail about the key. Randomness (RSA blinding and
// PSS salt, ECDSA nonces, `jti`) comes from ring's `SystemRandom`: the OS on a
// host, `crypto.getRandomValues` in wasm (ring's `wasm32_unknown_unknown_js`).

/// A private key in the form `ring` signs with, bound to one algorithm.
#[cfg(feature = "sign")]
pub enum Signer {
    /// An HMAC key (already keyed with its hash).
    Hmac(hmac::Key),
    /// An RSA key pair (RS*, PS*).
    Rsa(signature::RsaKeyPair),
    /// An ECDSA key pair on P-256 or P-384, signing the fixed-length `r ‖ s`.
    Ecdsa(signature::EcdsaKeyPair),
    /// An Ed25519 key pair.
    Ed25519(signature::Ed25519KeyPair),
}

#[cfg(feature = "sign")]
impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key: only its kind.
        f.write_str(match self {
            Signer::Hmac(_) => "Signer::Hmac",
            Signer::Rsa(_) => "Signer::Rsa",
            Signer::Ecdsa(_) => "Signer::Ecdsa",
            Signer::Ed25519(_) => "Signer::Ed25519",
        })
    }
}

/// The private parts of a JWK, decoded (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2).
#[cfg(feature = "sign")]
pub enum PrivateParts<'a> {
    /// RSA: modulus, public exponent, private exponent and the CRT values.
    Rsa {
        /// Modulus.
        n: &'a [u8],
        /// Public exponent.
        e: &'a [u8],
        /// Private exponent.
        d: &'a [u8],
        /// First prime.
        p: &'a [u8],
        /// Second prime.
        q: &'a [u8],
        /// `d mod (p - 1)`.
        dp: &'a [u8],
        /// `d mod (q - 1)`.
        dq: &'a [u8],
        /// `q⁻¹ mod p`.
        qi: &'a [u8],
    },
    /// EC: the private scalar and the public point (uncompressed SEC1).
    Ec {
        /// The private scalar, big-endian, the curve's size.
        d: &'a [u8],
        /// `0x04 ‖ x ‖ y`.
        point: &'a [u8],
    },
    /// Ed25519: the 32-byte seed and public key.
    Ed25519 {
        /// The seed (JWK `d`).
        seed: &'a [u8],
        /// The public key (JWK `x`).
        public: &'a [u8],
    },
}

#[cfg(feature = "sign")]
fn ecdsa_signing(alg: Algorithm) -> Option<&'static signature::EcdsaSigningAlgorithm> {
    match alg.scheme() {
        Scheme::Ecdsa(Curve::P256, Hash::Sha256) => {
            Some(&signature::ECDSA_P256_SHA256_FIXED_SIGNING)
        }
        Scheme::Ecdsa(Curve::P384, Hash::Sha384) => {
            Some(&signature::ECDSA_P384_SHA384_FIXED_SIGNING)
        }
        _ => None,
    }
}

#[cfg(feature = "sign")]
impl Signer {
    /// An HMAC signer for an HS algorithm.
    pub fn hmac(alg: Algorithm, secret: &[u8]) -> Option<Signer> {
        match Material::hmac(alg, secret) {
            Material::Hmac(key) if matches!(alg.scheme(), Scheme::Hmac(_)) => {
                Some(Signer::Hmac(key))
            }
            _ => None,
        }
    }

    /// A signer from a PKCS #8 `PrivateKeyInfo` (RFC 5208, RFC 5958) for
    /// `alg`; `None` when the document is not a valid key of that type.
    pub fn from_pkcs8(alg: Algorithm, der: &[u8]) -> Option<Signer> {
        match alg.scheme() {
            Scheme::RsaPkcs1(_) | Scheme::RsaPss(_) => {
                signature::RsaKeyPair::from_pkcs8(der).ok().map(Signer::Rsa)
            }
            Scheme::Ecdsa(..) => {
                let rng = ring::rand::SystemRandom::new();
                signature::EcdsaKeyPair::from_pkcs8(ecdsa_signing(alg)?, der, &rng)
                    .ok()
                    .map(Signer::Ecdsa)
            }
            // v1 documents (no public key inside, as OpenSSL writes them) too.
            Scheme::Ed25519 => signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
                .ok()
                .map(Signer::Ed25519),
            Scheme::Hmac(_) => None,
        }
    }

    /// A signer from a private JWK's parts; `None` when they are not a valid,
    /// consistent key pair of `alg`'s type (ring checks the public part
    /// against the private one).
    pub fn from_parts(alg: Algorithm, parts: &PrivateParts<'_>) -> Option<Signer> {
        match (alg.scheme(), parts) {
            (
                Scheme::RsaPkcs1(_) | Scheme::RsaPss(_),
                PrivateParts::Rsa {
                    n,
                    e,
                    d,
                    p,
                    q,
                    dp,
                    dq,
                    qi,
                },
            ) => signature::RsaKeyPair::from_components(&ring::rsa::KeyPairComponents {
                public_key: signature::RsaPublicKeyComponents { n: *n, e: *e },
                d: *d,
                p: *p,
                q: *q,
                dP: *dp,
                dQ: *dq,
                qInv: *qi,
            })
            .ok()
            .map(Signer::Rsa),
            (Scheme::Ecdsa(..), PrivateParts::Ec { d, point }) => {
                let rng = ring::rand::SystemRandom::new();
                signature::EcdsaKeyPair::from_private_key_and_public_key(
                    ecdsa_signing(alg)?,
                    d,
                    point,
                    &rng,
                )
                .ok()
                .map(Signer::Ecdsa)
            }
            (Scheme::Ed25519, PrivateParts::Ed25519 { seed, public }) => {
                signature::Ed25519KeyPair::from_seed_and_public_key(seed, public)
                    .ok()
                    .map(Signer::Ed25519)
            }
            _ => None,
        }
    }

    /// The public half, in the form verification keys hold (`None` for HMAC).
    pub fn public(&self, alg: Algorithm) -> Option<Material> {
        use signature::KeyPair;
        match (self, alg.key_kind()) {
            (Signer::Hmac(_), _) => None,
            (Signer::Rsa(pair), _) => {
                let parts = signature::RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
                Some(Material::Rsa {
                    n: parts.n,
                    e: parts.e,
                })
            }
            (Signer::Ecdsa(pair), crate::alg::KeyKind::Ec(curve)) => {
                Some(Material::Ec(curve, pair.public_key().as_ref().to_vec()))
            }
            (Signer::Ecdsa(_), _) => None,
            (Signer::Ed25519(pair), _) => {
                Some(Material::Ed25519(pair.public_key().as_ref().to_vec()))
            }
        }
    }

    /// Signs `message` under `alg` (the key's own): the JWS signature bytes,
    /// or `None` when the key does not fit `alg` or the randomness failed.
    pub fn sign(&self, alg: Algorithm, message: &[u8]) -> Option<Vec<u8>> {
        let rng = ring::rand::SystemRandom::new();
        match (self, alg.scheme()) {
            (Signer::Hmac(key), Scheme::Hmac(_)) => {
                Some(hmac::sign(key, message).as_ref().to_vec())
            }
            (Signer::Rsa(pair), scheme) => {
                let padding: &'static dyn signature::RsaEncoding = match scheme {
                    Scheme::RsaPkcs1(Hash::Sha256) => &signature::RSA_PKCS1_SHA256,
                    Scheme::RsaPkcs1(Hash::Sha384) => &signature::RSA_PKCS1_SHA384,
                    Scheme::RsaPkcs1(Hash::Sha512) => &signature::RSA_PKCS1_SHA512,
                    Scheme::RsaPss(Hash::Sha256) => &signature::RSA_PSS_SHA256,
                    Scheme::RsaPss(Hash::Sha384) => &signature::RSA_PSS_SHA384,
                    Scheme::RsaPss(Hash::Sha512) => &signature::RSA_PSS_SHA512,
                    _ => return None,
                };
                let mut sig = vec![0; pair.public().modulus_len()];
                pair.sign(padding, &rng, message, &mut sig).ok()?;
                Some(sig)
            }
            (Signer::Ecdsa(pair), Scheme::Ecdsa(..)) => {
                pair.sign(&rng, message).ok().map(|s| s.as_ref().to_vec())
            }
            (Signer::Ed25519(pair), Scheme::Ed25519) => Some(pair.sign(message).as_ref().to_vec()),
            _ => None,
        }
    }
}

/// `len` bytes from the system's CSPRNG (for `jti`), `None` if it failed.
#[cfg(feature = "sign")]
pub fn random(len: usize) -> Option<Vec<u8>> {
    use ring::rand::SecureRandom;
    let mut out = vec![0; len];
    ring::rand::SystemRandom::new().fill(&mut out).ok()?;
    Some(out)
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
