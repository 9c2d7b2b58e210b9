//! Fixed keys of every type tollgate verifies, the verifiers built over them,
//! and tokens minted with the matching private keys.
//!
//! Keys come from the vectors in `tests/vectors/` where a vector has them
//! (RFC 7515 A.1–A.3, the JOSE cookbook's RSA, HMAC and Ed25519 keys, with
//! their private halves where published) so that the vector tokens verify
//! and make good seeds. No vector has a P-384 key, nor a private P-256 one:
//! those two were generated for these fixtures and are test keys only.

use std::sync::{Arc, OnceLock};

use ring::rand::SystemRandom;
use ring::{hmac, signature};
use tollgate::json::{self, Value};
use tollgate::options::{self, call_options, decode_options, verify_options};
use tollgate::{b64, Algorithm, CallOptions, DecodeOptions, KeySet, Verifier};

/// The clock of the minted tokens (`iat`/`nbf` one minute before, `exp` an
/// hour after).
pub const NOW: i64 = 1_700_000_000;
/// A clock before the `exp` (1300819380) of RFC 7515 A.1–A.3, so those verify.
pub const RFC_NOW: i64 = 1_300_819_000;

const RFC: &str = include_str!("../../tests/vectors/rfc/rfc_vectors.json");
const COOKBOOK_RSA: &str =
    include_str!("../../tests/vectors/jose-cookbook/jws/4_1.rsa_v15_signature.json");
const COOKBOOK_HMAC_JWK: &str =
    include_str!("../../tests/vectors/jose-cookbook/jwk/3_5.symmetric_key_mac_computation.json");
const COOKBOOK_ED25519: &str =
    include_str!("../../tests/vectors/jose-cookbook/curve25519/jws.json");
/// Compact tokens of the cookbook (the ones it serializes compactly).
const COOKBOOK_COMPACT: [(&str, &str); 5] = [
    (
        "cookbook-4.1-rs256",
        include_str!("../../tests/vectors/jose-cookbook/jws/4_1.rsa_v15_signature.json"),
    ),
    (
        "cookbook-4.2-ps384",
        include_str!("../../tests/vectors/jose-cookbook/jws/4_2.rsa-pss_signature.json"),
    ),
    (
        "cookbook-4.3-es512",
        include_str!("../../tests/vectors/jose-cookbook/jws/4_3.ecdsa_signature.json"),
    ),
    (
        "cookbook-4.4-hs256",
        include_str!(
            "../../tests/vectors/jose-cookbook/jws/4_4.hmac-sha2_integrity_protection.json"
        ),
    ),
    (
        "cookbook-4.5-detached",
        include_str!(
            "../../tests/vectors/jose-cookbook/jws/4_5.signature_with_detached_content.json"
        ),
    ),
];

/// Generated test keys (x, y, d), base64url.
const P256: [&str; 3] = [
    "HHDWepp5MkwpkpQdJryYByLH1PKg-PlbjFZ_cdM83qE",
    "2Cyw6r2XnAkw-CArYcOaZdHRvavDRhNjdRbTCGo5-Vc",
    "5J_LfbHroRC_gJ1JNJJDJLkZx9w_lox8631HY-bon5s",
];
const P384: [&str; 3] = [
    "28ZtNJe1ogqZ66Nj_zDSJgpJvtUG_PnBtGwFNqo5K-Dzs31LZXAiIcghATaDMMD3",
    "2qoSI7im7FwNzyKO6eyj8TyoMmJruN7-G6dZoCnsWleAZFc2ltK24qDZDuoYfEaA",
    "0yg2J7sDKuGv0u3QW_Yr5cjMHc-BGMciSPvMidwbx7yRhYItV3iwPX6IDOvW8GD3",
];
const HS384_SECRET: &[u8; 48] = b"tollgate fuzz fixture secret for HS384 (48 B)...";
const HS512_SECRET: &[u8; 64] = b"tollgate fuzz fixture secret for HS512, sixty-four bytes long...";

/// The same public keys as PEM (SPKI, and PKCS #1 for RFC 7515 A.2's RSA key).
pub const PEM_COOKBOOK_RSA: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAn4EPtAOCc9AlkeQHPzHS
tgAbgs7bTZLwUBZdR8/KuKPEHLd4rHVTeT+O+XV2jRojdNhxJWTDvNd7nqQ0VEiZ
QHz/AJmSCpMaJMRBSFKrKb2wqVwGU/NsYOYL+QtiWN2lbzcEe6XC0dApr5ydQLrH
qkHHig3RBordaZ6Aj+oBHqFEHYpPe7Tpe+OfVfHd1E6cS6M1FZcD1NNLYD5lFHpP
I9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3+tVTU4fg/3L/vniUFAKw
uCLqKnS2BYwdq/mzSnbLY7h/qixoR7jig3//kRhuaxwUkRz5iaiQkqgc5gHdrNP5
zwIDAQAB
-----END PUBLIC KEY-----
";
pub const PEM_RFC_A2_PKCS1: &str = "-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd/wWJcyQoTbji9k0l8W2
6mPddxHmfHQp+Vaw+4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL+yRT+SFd2lZS+pCgNMs
D1W/YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb/7OMg0LOL+bSf63kpaSHSXndS5
z5rexMdbBYUsLA9e+KXBdQOS+UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxv
b3qCo5ZwKh9kG4LT6/I5IhlJH7aGhyxXFvUK+DWNmoudF8NAco9/h9iaGNj8q2et
hFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQIDAQAB
-----END RSA PUBLIC KEY-----
";
pub const PEM_P256: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEHHDWepp5MkwpkpQdJryYByLH1PKg
+PlbjFZ/cdM83qHYLLDqvZecCTD4ICthw5pl0dG9q8NGE2N1FtMIajn5Vw==
-----END PUBLIC KEY-----
";
pub const PEM_P384: &str = "-----BEGIN PUBLIC KEY-----
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE28ZtNJe1ogqZ66Nj/zDSJgpJvtUG/PnB
tGwFNqo5K+Dzs31LZXAiIcghATaDMMD32qoSI7im7FwNzyKO6eyj8TyoMmJruN7+
G6dZoCnsWleAZFc2ltK24qDZDuoYfEaA
-----END PUBLIC KEY-----
";
pub const PEM_ED25519: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
-----END PUBLIC KEY-----
";

/// Options of the verifiers over the full JWKS: strict (what a real API
/// configures), relaxed with the clock of the RFC examples, and one that
/// turns on every remaining check.
pub const STRICT: &str = r#"{"issuer":["https://idp.example/","joe"],"audience":["https://api.example","api"],"clockTolerance":"30s"}"#;
pub const RELAXED_RFC: &str = r#"{"dangerouslySkipIssuerCheck":true,"dangerouslySkipAudienceCheck":true,"dangerouslyAllowMissingExp":true,"now":1300819000,"clockTolerance":5}"#;
pub const POLICY: &str = r#"{"issuer":"https://idp.example/","audience":"api","algorithms":["HS256","HS512","RS256","PS384","ES256","ES384","EdDSA"],"typ":"application/at+jwt","subject":"alice","requiredClaims":["jti"],"maxTokenAge":"1h","realm":"api","scopeClaim":"scp","requiredScopes":["read:messages","admin"],"scopeMode":"any","maxTokenLength":4096,"clockTolerance":0}"#;
/// Options of the one-key verifiers (PEM and secret imports).
pub const SINGLE: &str = r#"{"dangerouslySkipIssuerCheck":true,"dangerouslySkipAudienceCheck":true,"dangerouslyAllowMissingExp":true}"#;
/// Per-call scopes tried on every token that verified.
pub const CALL_SCOPES: &str = r#"{"requiredScopes":["read:messages","write:messages"]}"#;

/// Claims that pass every verifier above at [`NOW`].
pub fn good_claims() -> String {
    format!(
        r#"{{"iss":"https://idp.example/","aud":["api","https://api.example"],"sub":"alice","iat":{iat},"nbf":{iat},"exp":{exp},"jti":"fuzz-1","scope":"read:messages write:messages","scp":["read:messages"]}}"#,
        iat = NOW - 60,
        exp = NOW + 3600
    )
}

/// A protected header for `alg`, with `kid` when given.
pub fn header(alg: Algorithm, kid: Option<&str>) -> String {
    let mut out = String::from(r#"{"alg":"#);
    json::write_str(&mut out, alg.name());
    if let Some(kid) = kid {
        out.push_str(r#","kid":"#);
        json::write_str(&mut out, kid);
    }
    out.push_str(r#","typ":"at+jwt"}"#);
    out
}

enum SigningKey {
    Hmac(hmac::Key),
    Rsa(signature::RsaKeyPair, &'static dyn signature::RsaEncoding),
    Ecdsa(signature::EcdsaKeyPair),
    Ed25519(signature::Ed25519KeyPair),
}

/// A private key bound to one algorithm and its `kid` in the fixture JWKS.
pub struct Signer {
    /// The algorithm it signs with.
    pub alg: Algorithm,
    /// Its `kid` in [`Fixture::jwks_text`].
    pub kid: &'static str,
    /// The public JWK (with `kid` and `alg`).
    pub public_jwk: String,
    key: SigningKey,
}

impl Signer {
    /// Signs `input` (`BASE64URL(header) '.' BASE64URL(payload)`).
    pub fn sign(&self, input: &[u8]) -> Vec<u8> {
        let rng = SystemRandom::new();
        match &self.key {
            SigningKey::Hmac(key) => hmac::sign(key, input).as_ref().to_vec(),
            SigningKey::Rsa(pair, padding) => {
                let mut sig = vec![0; pair.public().modulus_len()];
                pair.sign(*padding, &rng, input, &mut sig)
                    .expect("RSA signing");
                sig
            }
            SigningKey::Ecdsa(pair) => pair
                .sign(&rng, input)
                .expect("ECDSA signing")
                .as_ref()
                .to_vec(),
            SigningKey::Ed25519(pair) => pair.sign(input).as_ref().to_vec(),
        }
    }

    /// A compact JWS over raw header and payload bytes.
    pub fn token(&self, header: &[u8], payload: &[u8]) -> String {
        let input = format!("{}.{}", b64::encode(header), b64::encode(payload));
        let sig = self.sign(input.as_bytes());
        format!("{input}.{}", b64::encode(&sig))
    }
}

/// One verifier and the clock it is called with.
pub struct Case {
    /// For messages.
    pub name: &'static str,
    /// The prepared verifier.
    pub verifier: Verifier,
    /// Its key set.
    pub keys: Arc<KeySet>,
    /// The `clock` argument (the options may fix `now` instead).
    pub clock: i64,
}

/// Everything built once per fuzzing process.
pub struct Fixture {
    /// One signer per algorithm, each in the JWKS under its `kid`.
    pub signers: Vec<Signer>,
    /// The JWKS: the signers' public keys and the vectors' keys.
    pub jwks_text: String,
    /// The JWKS, imported.
    pub jwks: Arc<KeySet>,
    /// Verifiers over the JWKS, then one per PEM or secret key.
    pub cases: Vec<Case>,
    /// PEM texts with the algorithm each is imported for.
    pub pems: Vec<(&'static str, Algorithm, &'static str)>,
    /// Per-call options requiring scopes.
    pub call_scopes: CallOptions,
    /// `decode` options: defaults, and scopes from `scp` only.
    pub decode: [DecodeOptions; 2],
    /// Tokens that reach the signature: the vectors' compact tokens, then
    /// minted ones (with and without `kid`), named.
    pub tokens: Vec<(String, String)>,
}

fn doc(text: &str) -> Value {
    json::parse(text.as_bytes()).expect("vector file is JSON")
}

fn at<'a>(mut v: &'a Value, path: &[&str]) -> &'a Value {
    for step in path {
        v = match step.parse::<usize>() {
            Ok(i) => v.as_array().and_then(|a| a.get(i)),
            Err(_) => v.get(step),
        }
        .unwrap_or_else(|| panic!("vector has no {path:?}"));
    }
    v
}

fn text<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    at(v, path).as_str().expect("a string member")
}

fn bytes(v: &Value, path: &[&str]) -> Vec<u8> {
    b64::decode(text(v, path).as_bytes()).expect("base64url member")
}

/// A JWK object's text from (name, value) string members.
fn jwk(members: &[(&str, &str)]) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json::write_str(&mut out, k);
        out.push(':');
        json::write_str(&mut out, v);
    }
    out.push('}');
    out
}

fn hmac_signer(alg: Algorithm, kid: &'static str, secret: &[u8]) -> Signer {
    let ring_alg = match alg {
        Algorithm::HS256 => hmac::HMAC_SHA256,
        Algorithm::HS384 => hmac::HMAC_SHA384,
        _ => hmac::HMAC_SHA512,
    };
    Signer {
        alg,
        kid,
        public_jwk: jwk(&[
            ("kty", "oct"),
            ("kid", kid),
            ("alg", alg.name()),
            ("k", &b64::encode(secret)),
        ]),
        key: SigningKey::Hmac(hmac::Key::new(ring_alg, secret)),
    }
}

fn rsa_signers(key: &Value) -> Vec<Signer> {
    let part = |name: &str| bytes(key, &[name]);
    let components = ring::rsa::KeyPairComponents {
        public_key: ring::rsa::PublicKeyComponents {
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
    let paddings: [(Algorithm, &'static str, &'static dyn signature::RsaEncoding); 6] = [
        (Algorithm::RS256, "rs256", &signature::RSA_PKCS1_SHA256),
        (Algorithm::RS384, "rs384", &signature::RSA_PKCS1_SHA384),
        (Algorithm::RS512, "rs512", &signature::RSA_PKCS1_SHA512),
        (Algorithm::PS256, "ps256", &signature::RSA_PSS_SHA256),
        (Algorithm::PS384, "ps384", &signature::RSA_PSS_SHA384),
        (Algorithm::PS512, "ps512", &signature::RSA_PSS_SHA512),
    ];
    paddings
        .into_iter()
        .map(|(alg, kid, padding)| Signer {
            alg,
            kid,
            public_jwk: jwk(&[
                ("kty", "RSA"),
                ("kid", kid),
                ("alg", alg.name()),
                ("n", text(key, &["n"])),
                ("e", text(key, &["e"])),
            ]),
            key: SigningKey::Rsa(
                signature::RsaKeyPair::from_components(&components).expect("cookbook RSA key"),
                padding,
            ),
        })
        .collect()
}

fn ecdsa_signer(alg: Algorithm, kid: &'static str, [x, y, d]: [&str; 3]) -> Signer {
    let (ring_alg, crv) = match alg {
        Algorithm::ES256 => (&signature::ECDSA_P256_SHA256_FIXED_SIGNING, "P-256"),
        _ => (&signature::ECDSA_P384_SHA384_FIXED_SIGNING, "P-384"),
    };
    let unb64 = |s: &str| b64::decode(s.as_bytes()).expect("fixture base64url");
    let mut point = vec![0x04];
    point.extend(unb64(x));
    point.extend(unb64(y));
    let pair = signature::EcdsaKeyPair::from_private_key_and_public_key(
        ring_alg,
        &unb64(d),
        &point,
        &SystemRandom::new(),
    )
    .expect("fixture EC key");
    Signer {
        alg,
        kid,
        public_jwk: jwk(&[
            ("kty", "EC"),
            ("kid", kid),
            ("alg", alg.name()),
            ("crv", crv),
            ("x", x),
            ("y", y),
        ]),
        key: SigningKey::Ecdsa(pair),
    }
}

fn ed25519_signer(key: &Value) -> Signer {
    let pair = signature::Ed25519KeyPair::from_seed_and_public_key(
        &bytes(key, &["d"]),
        &bytes(key, &["x"]),
    )
    .expect("cookbook Ed25519 key");
    Signer {
        alg: Algorithm::EdDSA,
        kid: "eddsa",
        public_jwk: jwk(&[
            ("kty", "OKP"),
            ("kid", "eddsa"),
            ("alg", "EdDSA"),
            ("crv", "Ed25519"),
            ("x", text(key, &["x"])),
        ]),
        key: SigningKey::Ed25519(pair),
    }
}

/// The compact tokens of the vectors, named.
pub fn vector_tokens() -> Vec<(String, String)> {
    let rfc = doc(RFC);
    let mut out = Vec::new();
    for i in 0..5 {
        let case = at(&rfc, &["rfc7515_appendix_a", &i.to_string()]);
        out.push((
            format!(
                "rfc7515-{}",
                text(case, &["id"]).trim_start_matches("RFC7515-")
            ),
            text(case, &["compact"]).to_owned(),
        ));
    }
    out.push((
        "rfc7797-4.1".into(),
        text(&rfc, &["rfc7797", "section_4_1_b64_true", "compact"]).to_owned(),
    ));
    out.push((
        "rfc7797-4.2-detached".into(),
        text(
            &rfc,
            &["rfc7797", "section_4_2_b64_false", "detached_compact"],
        )
        .to_owned(),
    ));
    out.push((
        "rfc9449-dpop".into(),
        text(&rfc, &["rfc9449_dpop", "compact"]).to_owned(),
    ));
    for (name, file) in COOKBOOK_COMPACT {
        out.push((
            name.into(),
            text(&doc(file), &["output", "compact"]).to_owned(),
        ));
    }
    out.push((
        "rfc8037-a.4-eddsa".into(),
        text(&doc(COOKBOOK_ED25519), &["output", "compact"]).to_owned(),
    ));
    out
}

fn build() -> Fixture {
    let rfc = doc(RFC);
    let rsa_key = at(&doc(COOKBOOK_RSA), &["input", "key"]).clone();
    let ed_key = at(&doc(COOKBOOK_ED25519), &["input", "key"]).clone();
    let a1_secret = bytes(&rfc, &["rfc7515_appendix_a", "0", "jwk", "k"]);

    let mut signers = vec![
        hmac_signer(Algorithm::HS256, "hs256", &a1_secret),
        hmac_signer(Algorithm::HS384, "hs384", HS384_SECRET),
        hmac_signer(Algorithm::HS512, "hs512", HS512_SECRET),
    ];
    signers.extend(rsa_signers(&rsa_key));
    signers.push(ecdsa_signer(Algorithm::ES256, "es256", P256));
    signers.push(ecdsa_signer(Algorithm::ES384, "es384", P384));
    signers.push(ed25519_signer(&ed_key));

    // The JWKS: every signer's public key, plus the vectors' own keys under
    // their own kids (the cookbook's RSA key bound twice, as its 4.1 token is
    // RS256 and its 4.2 token PS384), the cookbook HMAC JWK verbatim.
    let a2 = at(&rfc, &["rfc7515_appendix_a", "1", "jwk"]);
    let a3 = at(&rfc, &["rfc7515_appendix_a", "2", "jwk"]);
    let bilbo = text(&rsa_key, &["kid"]);
    let mut entries: Vec<String> = signers.iter().map(|s| s.public_jwk.clone()).collect();
    entries.push(jwk(&[
        ("kty", "RSA"),
        ("kid", "rfc7515-a2"),
        ("alg", "RS256"),
        ("n", text(a2, &["n"])),
        ("e", text(a2, &["e"])),
    ]));
    entries.push(jwk(&[
        ("kty", "EC"),
        ("kid", "rfc7515-a3"),
        ("alg", "ES256"),
        ("crv", "P-256"),
        ("x", text(a3, &["x"])),
        ("y", text(a3, &["y"])),
    ]));
    for alg in ["RS256", "PS384"] {
        entries.push(jwk(&[
            ("kty", "RSA"),
            ("kid", bilbo),
            ("use", "sig"),
            ("alg", alg),
            ("n", text(&rsa_key, &["n"])),
            ("e", text(&rsa_key, &["e"])),
        ]));
    }
    entries.push(COOKBOOK_HMAC_JWK.trim().to_owned());
    let jwks_text = format!("{{\"keys\":[\n{}\n]}}\n", entries.join(",\n"));
    let jwks = Arc::new(KeySet::from_jwks(jwks_text.as_bytes(), &[]).expect("fixture JWKS"));
    assert!(jwks.skipped().is_empty(), "{:?}", jwks.skipped());

    let options = |text: &str| verify_options(text).expect("fixture options");
    let verifier = |keys: &Arc<KeySet>, text: &str| {
        Verifier::new(Arc::clone(keys), options(text)).expect("fixture verifier")
    };
    let mut cases = vec![
        Case {
            name: "jwks/strict",
            verifier: verifier(&jwks, STRICT),
            keys: Arc::clone(&jwks),
            clock: NOW,
        },
        Case {
            name: "jwks/relaxed-rfc-clock",
            verifier: verifier(&jwks, RELAXED_RFC),
            keys: Arc::clone(&jwks),
            clock: NOW,
        },
        Case {
            name: "jwks/policy",
            verifier: verifier(&jwks, POLICY),
            keys: Arc::clone(&jwks),
            clock: NOW,
        },
    ];
    let pems = vec![
        ("pem-cookbook-rsa-rs256", Algorithm::RS256, PEM_COOKBOOK_RSA),
        (
            "pem-rfc7515-a2-pkcs1-rs256",
            Algorithm::RS256,
            PEM_RFC_A2_PKCS1,
        ),
        ("pem-p256-es256", Algorithm::ES256, PEM_P256),
        ("pem-p384-es384", Algorithm::ES384, PEM_P384),
        ("pem-ed25519-eddsa", Algorithm::EdDSA, PEM_ED25519),
    ];
    for (name, alg, pem) in &pems {
        let keys = Arc::new(KeySet::from_pem(pem, *alg, None).expect("fixture PEM"));
        cases.push(Case {
            name,
            verifier: verifier(&keys, SINGLE),
            keys,
            clock: NOW,
        });
    }
    for (name, alg, secret) in [
        ("secret-hs256", Algorithm::HS256, a1_secret.as_slice()),
        ("secret-hs384", Algorithm::HS384, HS384_SECRET.as_slice()),
        ("secret-hs512", Algorithm::HS512, HS512_SECRET.as_slice()),
    ] {
        let keys = Arc::new(KeySet::from_secret(secret, alg, None).expect("fixture secret"));
        cases.push(Case {
            name,
            verifier: verifier(&keys, SINGLE),
            keys,
            clock: NOW,
        });
    }

    let claims = good_claims();
    let mut tokens = vector_tokens();
    for s in &signers {
        for kid in [Some(s.kid), None] {
            let name = format!(
                "minted-{}{}",
                s.kid,
                if kid.is_some() { "-kid" } else { "" }
            );
            tokens.push((
                name,
                s.token(header(s.alg, kid).as_bytes(), claims.as_bytes()),
            ));
        }
    }

    Fixture {
        signers,
        jwks_text,
        jwks,
        cases,
        pems,
        call_scopes: call_options(CALL_SCOPES).expect("fixture call options"),
        decode: [
            decode_options("{}").expect("fixture decode options"),
            decode_options(r#"{"scopeClaim":"scp","maxTokenLength":4096}"#)
                .expect("fixture decode options"),
        ],
        tokens,
    }
}

/// The fixture, built on first use.
pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(build)
}

/// The signer bound to `alg` (each algorithm has one).
pub fn signer(alg: Algorithm) -> &'static Signer {
    fixture()
        .signers
        .iter()
        .find(|s| s.alg == alg)
        .expect("a signer per algorithm")
}

/// Every algorithm, for loops over "each key type".
pub fn all_algorithms() -> [Algorithm; tollgate::alg::ALL.len()] {
    tollgate::alg::ALL
}

/// Re-exported so targets need not name the module.
pub use options::MAX_TOKEN_LENGTH_LIMIT;
