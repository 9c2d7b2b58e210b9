//! Property tests over generated inputs (a seeded xorshift generator, so every
//! run checks the same cases and a failure reproduces):
//!
//! - sign → verify round trip for every algorithm, on random claims;
//! - any single bit flip in any segment is rejected;
//! - every non-canonical base64url variant of a valid token is rejected;
//! - arbitrary JSON claims never panic, and malformed time claims never pass.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;

use ring::hmac;
use ring::rand::SystemRandom;
use ring::rsa::{KeyPairComponents, PublicKeyComponents};
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
use serde_json::{json, Value};
use tollgate::b64::{decode as unb64, encode as b64};
use tollgate::options::verify_options;
use tollgate::{Algorithm, CallOptions, KeySet, Verifier};

const NOW: i64 = 1_700_000_000;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn string(&mut self) -> String {
        const CHARS: &[char] = &[
            'a', 'Z', '0', ' ', '"', '\\', '\n', 'é', '😀', ':', '/', '\u{1}', '.',
        ];
        (0..self.below(12))
            .map(|_| CHARS[self.below(CHARS.len())])
            .collect()
    }
    /// A random JSON value, nested at most `depth` deep.
    fn value(&mut self, depth: usize) -> Value {
        match self.below(if depth == 0 { 5 } else { 7 }) {
            0 => Value::Null,
            1 => Value::Bool(self.below(2) == 1),
            2 => json!(self.next() % 10_000_000_000),
            // Fractions with at most 15 significant digits: the parser reads those exactly
            // (src/json.rs: serde_json without float_roundtrip, measured at +11 KB of wasm).
            3 => json!((self.next() % 100_000) as f64 / 64.0 - 50.0),
            4 => Value::String(self.string()),
            5 => Value::Array((0..self.below(4)).map(|_| self.value(depth - 1)).collect()),
            _ => Value::Object(
                (0..self.below(4))
                    .map(|_| (self.string(), self.value(depth - 1)))
                    .collect(),
            ),
        }
    }
}

type SignFn = Box<dyn Fn(&[u8]) -> Vec<u8>>;

/// A signer for one algorithm and the key set that verifies it.
struct Signer {
    alg: Algorithm,
    sign: SignFn,
    keys: Arc<KeySet>,
}

fn jwk_keys(jwk: Value) -> Arc<KeySet> {
    Arc::new(KeySet::from_jwk(jwk.to_string().as_bytes(), None).unwrap())
}

fn signers() -> Vec<Signer> {
    let rng = SystemRandom::new();
    let mut out = Vec::new();
    for (alg, hash, len) in [
        (Algorithm::HS256, hmac::HMAC_SHA256, 32),
        (Algorithm::HS384, hmac::HMAC_SHA384, 48),
        (Algorithm::HS512, hmac::HMAC_SHA512, 64),
    ] {
        let secret: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
        let key = hmac::Key::new(hash, &secret);
        out.push(Signer {
            alg,
            sign: Box::new(move |m| hmac::sign(&key, m).as_ref().to_vec()),
            keys: Arc::new(KeySet::from_secret(&secret, alg, None).unwrap()),
        });
    }
    for (alg, signing, crv, len) in [
        (
            Algorithm::ES256,
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            "P-256",
            32,
        ),
        (
            Algorithm::ES384,
            &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
            "P-384",
            48,
        ),
    ] {
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(signing, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(signing, pkcs8.as_ref(), &rng).unwrap();
        let point = pair.public_key().as_ref().to_vec();
        let jwk = json!({"kty": "EC", "crv": crv, "alg": alg.name(), "x": b64(&point[1..=len]), "y": b64(&point[len + 1..])});
        out.push(Signer {
            alg,
            sign: Box::new(move |m| {
                pair.sign(&SystemRandom::new(), m)
                    .unwrap()
                    .as_ref()
                    .to_vec()
            }),
            keys: jwk_keys(jwk),
        });
    }
    // ES512 and ES256K (features es512, es256k): ring does not sign them, RustCrypto's
    // p521 and k256 do (dev-dependencies; k256 signs low-S).
    #[cfg(feature = "es512")]
    {
        use p521::ecdsa::signature::Signer as _;
        let key = p521::ecdsa::SigningKey::from_slice(&[[0x01].as_slice(), &[0x5a; 65]].concat())
            .unwrap();
        let point = p521::ecdsa::VerifyingKey::from(&key).to_encoded_point(false);
        let jwk = json!({"kty": "EC", "crv": "P-521", "alg": "ES512",
            "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap())});
        out.push(Signer {
            alg: Algorithm::ES512,
            sign: Box::new(move |m| {
                let sig: p521::ecdsa::Signature = key.sign(m);
                sig.to_bytes().to_vec()
            }),
            keys: jwk_keys(jwk),
        });
    }
    #[cfg(feature = "es256k")]
    {
        use k256::ecdsa::signature::Signer as _;
        let key = k256::ecdsa::SigningKey::from_slice(&[0x3c; 32]).unwrap();
        let point = key.verifying_key().to_encoded_point(false);
        let jwk = json!({"kty": "EC", "crv": "secp256k1", "alg": "ES256K",
            "x": b64(point.x().unwrap()), "y": b64(point.y().unwrap())});
        out.push(Signer {
            alg: Algorithm::ES256K,
            sign: Box::new(move |m| {
                let sig: k256::ecdsa::Signature = key.sign(m);
                sig.to_bytes().to_vec()
            }),
            keys: jwk_keys(jwk),
        });
    }
    let ed =
        Ed25519KeyPair::from_pkcs8(Ed25519KeyPair::generate_pkcs8(&rng).unwrap().as_ref()).unwrap();
    let jwk =
        json!({"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "x": b64(ed.public_key().as_ref())});
    out.push(Signer {
        alg: Algorithm::EdDSA,
        sign: Box::new(move |m| ed.sign(m).as_ref().to_vec()),
        keys: jwk_keys(jwk),
    });

    // RFC 7520 §3.4's RSA key (2048 bits), for every RS and PS algorithm.
    let rsa: Value = serde_json::from_str(include_str!(
        "vectors/jose-cookbook/jwk/3_4.rsa_private_key.json"
    ))
    .unwrap();
    let part = |name: &str| unb64(rsa[name].as_str().unwrap().as_bytes()).unwrap();
    let components = KeyPairComponents {
        public_key: PublicKeyComponents {
            n: part("n"),
            e: part("e"),
        },
        d: part("d"),
        p: part("p"),
        q: part("q"),
        dP: part("dp"),
        dQ: part("dq"),
        qInv: part("qi"),
    };
    let pair = Arc::new(RsaKeyPair::from_components(&components).unwrap());
    for (alg, padding) in [
        (
            Algorithm::RS256,
            &signature::RSA_PKCS1_SHA256 as &'static dyn signature::RsaEncoding,
        ),
        (Algorithm::RS384, &signature::RSA_PKCS1_SHA384),
        (Algorithm::RS512, &signature::RSA_PKCS1_SHA512),
        (Algorithm::PS256, &signature::RSA_PSS_SHA256),
        (Algorithm::PS384, &signature::RSA_PSS_SHA384),
        (Algorithm::PS512, &signature::RSA_PSS_SHA512),
    ] {
        let pair = Arc::clone(&pair);
        let jwk = json!({"kty": "RSA", "alg": alg.name(), "n": rsa["n"], "e": rsa["e"]});
        out.push(Signer {
            alg,
            sign: Box::new(move |m| {
                let mut sig = vec![0; pair.public().modulus_len()];
                pair.sign(padding, &SystemRandom::new(), m, &mut sig)
                    .unwrap();
                sig
            }),
            keys: jwk_keys(jwk),
        });
    }
    assert_eq!(
        out.len(),
        tollgate::alg::ALL.iter().filter(|a| a.built()).count(),
        "a signer per supported algorithm"
    );
    out
}

impl Signer {
    fn token(&self, header: &Value, claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        format!("{input}.{}", b64(&(self.sign)(input.as_bytes())))
    }

    fn verify(&self, token: &str) -> Result<Value, &'static str> {
        let opts = format!(
            r#"{{"issuer":"https://idp","audience":"api","maxTokenLength":{}}}"#,
            64 * 1024
        );
        let verifier =
            Verifier::new(Arc::clone(&self.keys), verify_options(&opts).unwrap()).unwrap();
        verifier
            .verify(token, &CallOptions::default(), NOW)
            .map(|v| serde_json::from_str(&v.claims_json).unwrap())
            .map_err(|e| e.code())
    }
}

fn base_claims(rng: &mut Rng) -> Value {
    let mut claims = json!({"iss": "https://idp", "aud": "api", "exp": NOW + 600, "iat": NOW - 10, "sub": rng.string()});
    for _ in 0..rng.below(6) {
        let name = format!("x{}", rng.string());
        claims[name] = rng.value(3);
    }
    claims
}

#[test]
fn sign_then_verify_round_trips_for_every_algorithm() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for signer in signers() {
        for _ in 0..40 {
            let claims = base_claims(&mut rng);
            let token = signer.token(&json!({"alg": signer.alg.name(), "typ": "at+jwt"}), &claims);
            assert_eq!(signer.verify(&token), Ok(claims), "{}", signer.alg.name());
        }
    }
}

/// Flips `bit` in the decoded bytes of segment `index` and re-encodes it canonically.
fn flip(token: &str, index: usize, bit: usize) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut bytes = unb64(parts[index].as_bytes()).unwrap();
    bytes[bit / 8] ^= 1 << (bit % 8);
    parts[index] = b64(&bytes);
    parts.join(".")
}

#[test]
fn any_single_bit_flip_in_any_segment_is_rejected() {
    let mut rng = Rng(0xfeed_beef_cafe_f00d);
    let mut flips = 0;
    for signer in signers() {
        let token = signer.token(
            &json!({"alg": signer.alg.name(), "typ": "JWT"}),
            &base_claims(&mut rng),
        );
        assert!(signer.verify(&token).is_ok());
        for (index, allowed) in [
            (
                0,
                &[
                    "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
                    "ERR_JWS_INVALID",
                    "ERR_JOSE_NOT_SUPPORTED",
                    "ERR_JOSE_ALG_NOT_ALLOWED",
                    "ERR_JWKS_NO_MATCHING_KEY",
                ][..],
            ),
            (1, &["ERR_JWS_SIGNATURE_VERIFICATION_FAILED"][..]),
            (2, &["ERR_JWS_SIGNATURE_VERIFICATION_FAILED"][..]),
        ] {
            let bits = unb64(token.split('.').nth(index).unwrap().as_bytes())
                .unwrap()
                .len()
                * 8;
            // Every bit for short segments; a sample of 256 for RSA signatures.
            let step = (bits / 256).max(1);
            for bit in (0..bits).step_by(step) {
                let code = signer.verify(&flip(&token, index, bit)).err();
                assert!(
                    code.is_some_and(|c| allowed.contains(&c)),
                    "{} segment {index} bit {bit}: {code:?}",
                    signer.alg.name()
                );
                flips += 1;
            }
        }
    }
    assert!(flips > 8_000, "only {flips} flips");
}

#[test]
fn every_non_canonical_base64url_variant_is_rejected() {
    let mut rng = Rng(0x0bad_5eed_0000_0001);
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for signer in signers().into_iter().filter(|s| {
        matches!(
            s.alg,
            Algorithm::HS256 | Algorithm::ES256 | Algorithm::EdDSA
        )
    }) {
        for _ in 0..10 {
            let token = signer.token(&json!({"alg": signer.alg.name()}), &base_claims(&mut rng));
            assert!(signer.verify(&token).is_ok());
            let parts: Vec<&str> = token.split('.').collect();
            for index in 0..3 {
                let seg = parts[index];
                let mut variants = vec![format!("{seg}="), format!("{seg}=="), format!("={seg}")];
                for pos in [0, seg.len() / 2, seg.len()] {
                    for ws in [" ", "\t", "\n", "\r"] {
                        variants.push(format!("{}{ws}{}", &seg[..pos], &seg[pos..]));
                    }
                }
                // The standard alphabet in place of the URL-safe one.
                if let Some(pos) = seg.find(['-', '_']) {
                    let c = if seg.as_bytes()[pos] == b'-' {
                        "+"
                    } else {
                        "/"
                    };
                    variants.push(format!("{}{c}{}", &seg[..pos], &seg[pos + 1..]));
                }
                variants.push(format!("{}+{}", &seg[..1], &seg[2..]));
                // Non-zero spare bits in the last character.
                let spare = match seg.len() % 4 {
                    2 => 4,
                    3 => 2,
                    _ => 0,
                };
                let last = alphabet.find(seg.chars().last().unwrap()).unwrap();
                for low in 1..(1usize << spare) {
                    let c = alphabet.chars().nth(last ^ low).unwrap();
                    variants.push(format!("{}{c}", &seg[..seg.len() - 1]));
                }
                for variant in variants {
                    let mut p: Vec<&str> = parts.clone();
                    p[index] = &variant;
                    assert_eq!(
                        signer.verify(&p.join(".")).err(),
                        Some("ERR_JWS_INVALID"),
                        "segment {index}: {variant:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn arbitrary_claims_never_panic_and_malformed_time_claims_never_pass() {
    let signer = signers().into_iter().next().unwrap(); // HS256: cheap to sign
    let mut rng = Rng(0x5151_7171_9191_b1b1);
    let mut rejected = 0;
    for _ in 0..3_000 {
        // Arbitrary claims: any outcome, but an outcome (no panic).
        let claims = rng.value(6);
        let _ = signer.verify(&signer.token(&json!({"alg": "HS256"}), &claims));
        // A good token with one time claim made malformed.
        let mut claims = base_claims(&mut rng);
        let bad = match rng.below(7) {
            0 => Value::String((NOW + 600).to_string()),
            1 => Value::Null,
            2 => json!(-1 - (rng.next() % 1000) as i64),
            3 => json!(9_007_199_254_740_992u64 + rng.next() % 1000),
            4 => json!(f64::MAX),
            5 => Value::Array(vec![json!(NOW + 600)]),
            _ => rng.value(2),
        };
        if bad.is_number()
            && bad
                .as_f64()
                .is_some_and(|t| (0.0..=9_007_199_254_740_991.0).contains(&t))
        {
            continue; // rng.value produced a valid NumericDate
        }
        claims[["exp", "nbf", "iat"][rng.below(3)]] = bad;
        assert!(
            signer
                .verify(&signer.token(&json!({"alg": "HS256"}), &claims))
                .is_err(),
            "{claims}"
        );
        rejected += 1;
    }
    assert!(rejected > 2_000);
}
