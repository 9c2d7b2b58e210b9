//! Signing (feature `sign`): keys import as documented, and sign → verify
//! round trips for every signing algorithm, as a property test over random
//! claims and scopes with a small hand-rolled generator (seeded, so a failure
//! reproduces); `downscope` keeps a subset of the scopes, never more.
#![cfg(feature = "sign")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;

use serde_json::{json, Map, Value};
use tollgate::options::verify_options;
use tollgate::sign::{self, DownscopeOptions, SignOptions, SigningKey, Typ};
use tollgate::{Algorithm, CallOptions, KeySet, Verifier};

const RSA_PEM: &str = include_str!("keys/rsa2048.pem");
const RSA_JWK: &str = include_str!("keys/rsa2048.jwk.json");
const P256_PEM: &str = include_str!("keys/p256.pem");
const P256_JWK: &str = include_str!("keys/p256.jwk.json");
const P384_PEM: &str = include_str!("keys/p384.pem");
const P384_JWK: &str = include_str!("keys/p384.jwk.json");
const ED_PEM: &str = include_str!("keys/ed25519.pem");
const ED_JWK: &str = include_str!("keys/ed25519.jwk.json");
const RSA1024_PEM: &str = include_str!("keys/rsa1024.pem");
const P521_PEM: &str = include_str!("keys/p521.pem");

const NOW: i64 = 1_700_000_000;

/// xorshift64*: small, seeded, good enough to pick claims.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn coin(&mut self) -> bool {
        self.next() & 1 == 1
    }
    fn text(&mut self) -> String {
        const PIECES: &[&str] = &[
            "a", "Z", "0", "-", "_", " ", "é", "🚀", "\"", "\\", "\n", "\u{1}", "/", "<", "ü", "ℝ",
        ];
        (0..self.below(12))
            .map(|_| PIECES[self.below(PIECES.len())])
            .collect()
    }
    fn value(&mut self, depth: usize) -> Value {
        match self.below(if depth > 2 { 5 } else { 7 }) {
            0 => Value::Null,
            1 => Value::Bool(self.coin()),
            2 => json!(self.next() % 1_000_000),
            3 => json!((self.next() % 10_000) as f64 / 8.0),
            4 => Value::String(self.text()),
            5 => Value::Array((0..self.below(4)).map(|_| self.value(depth + 1)).collect()),
            _ => Value::Object(
                (0..self.below(4))
                    .map(|i| (format!("k{i}{}", self.text()), self.value(depth + 1)))
                    .collect(),
            ),
        }
    }
}

const SCOPE_POOL: &[&str] = &[
    "read",
    "write",
    "admin",
    "read:messages",
    "write:messages",
    "openid",
    "profile",
    "a.b/c",
];

fn subset(rng: &mut Rng, of: &[String]) -> Vec<String> {
    of.iter().filter(|_| rng.coin()).cloned().collect()
}

/// Every signing algorithm with the ways its key is imported: (alg, key, public key set).
fn keys() -> Vec<(Algorithm, SigningKey, Arc<KeySet>)> {
    let mut out = Vec::new();
    let mut add = |alg: Algorithm, key: SigningKey| {
        let public = KeySet::from_jwk(key.public_jwk().unwrap().as_bytes(), None).unwrap();
        out.push((alg, key, Arc::new(public)));
    };
    for alg in [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
    ] {
        add(
            alg,
            SigningKey::from_pem(RSA_PEM, alg, Some("rsa".into())).unwrap(),
        );
        add(
            alg,
            SigningKey::from_jwk(RSA_JWK.as_bytes(), Some(alg), None).unwrap(),
        );
    }
    for (alg, pem, jwk) in [
        (Algorithm::ES256, P256_PEM, P256_JWK),
        (Algorithm::ES384, P384_PEM, P384_JWK),
        (Algorithm::EdDSA, ED_PEM, ED_JWK),
    ] {
        add(
            alg,
            SigningKey::from_pem(pem, alg, Some("pem".into())).unwrap(),
        );
        add(
            alg,
            SigningKey::from_jwk(jwk.as_bytes(), Some(alg), Some("jwk".into())).unwrap(),
        );
    }
    out
}

fn hmac_keys(rng: &mut Rng) -> Vec<(Algorithm, SigningKey, Arc<KeySet>)> {
    [
        (Algorithm::HS256, 32),
        (Algorithm::HS384, 48),
        (Algorithm::HS512, 64),
    ]
    .into_iter()
    .map(|(alg, len)| {
        let secret: Vec<u8> = (0..len + rng.below(16)).map(|_| rng.next() as u8).collect();
        let kid = Some(format!("hs-{len}"));
        (
            alg,
            SigningKey::from_secret(&secret, alg, kid.clone()).unwrap(),
            Arc::new(KeySet::from_secret(&secret, alg, kid).unwrap()),
        )
    })
    .collect()
}

fn verifier(keys: &Arc<KeySet>, issuer: &str, audience: &str) -> Verifier {
    let options = json!({ "issuer": issuer, "audience": audience }).to_string();
    Verifier::new(Arc::clone(keys), verify_options(&options).unwrap()).unwrap()
}

fn header(token: &str) -> Value {
    let part = token.split('.').next().unwrap();
    serde_json::from_slice(&tollgate::b64::decode(part.as_bytes()).unwrap()).unwrap()
}

#[test]
fn sign_then_verify_round_trips_random_claims_for_every_algorithm() {
    let mut rng = Rng(0x7011_6a7e_5eed_0001);
    let mut all = keys();
    all.extend(hmac_keys(&mut rng));
    let pool: Vec<String> = SCOPE_POOL.iter().map(|s| (*s).to_owned()).collect();
    for round in 0..6 {
        for (alg, key, public) in &all {
            let mut claims = Map::new();
            for i in 0..rng.below(6) {
                claims.insert(format!("c{i}{}", rng.text()), rng.value(0));
            }
            claims.insert("iss".into(), json!("https://edge.example"));
            claims.insert("aud".into(), json!(["https://api.example", rng.text()]));
            claims.insert("sub".into(), json!(rng.text()));
            let scopes = subset(&mut rng, &pool);
            claims.insert("scope".into(), json!(scopes.join(" ")));
            if rng.coin() {
                claims.insert("iat".into(), json!(NOW - 5));
            }
            let (ttl, exp) = if rng.coin() {
                (Some(30 + rng.below(3600) as i64), None)
            } else {
                let exp = NOW + 1 + rng.below(3600) as i64;
                claims.insert("exp".into(), json!(exp));
                (None, Some(exp))
            };
            let typ = if rng.coin() { Typ::Jwt } else { Typ::AtJwt };
            let text = Value::Object(claims.clone()).to_string();
            let options = SignOptions {
                typ,
                ttl,
                now: None,
            };
            let token = sign::sign(&text, key, &options, NOW)
                .unwrap_or_else(|e| panic!("round {round} {alg:?}: {e}\n{text}"));

            let got = verifier(public, "https://edge.example", "https://api.example")
                .verify(&token, &CallOptions::default(), NOW)
                .unwrap_or_else(|e| panic!("round {round} {alg:?}: {e}"));
            let got_claims: Value = serde_json::from_str(&got.claims_json).unwrap();
            let mut want = claims.clone();
            want.entry("iat").or_insert(json!(NOW));
            if let Some(ttl) = ttl {
                want.insert("exp".into(), json!(NOW + ttl));
            }
            assert_eq!(got_claims, Value::Object(want), "round {round} {alg:?}");
            let mut granted = got.scopes.clone();
            granted.sort();
            let mut wanted = scopes.clone();
            wanted.sort();
            assert_eq!(granted, wanted);
            let h = header(&token);
            assert_eq!(h["alg"], alg.name());
            assert_eq!(h["typ"], typ.name());
            assert_eq!(h["kid"].as_str(), key.kid());
            // Expiry holds: at exp the token is refused.
            let at_exp = exp.unwrap_or_else(|| NOW + ttl.unwrap());
            let late = verifier(public, "https://edge.example", "https://api.example")
                .verify(&token, &CallOptions::default(), at_exp)
                .unwrap_err();
            assert_eq!(late.code(), "ERR_JWT_EXPIRED");
        }
    }
}

#[test]
fn downscope_keeps_a_random_subset_and_refuses_any_superset() {
    let mut rng = Rng(0xd0d0_5c09_e000_0002);
    let all = keys();
    let edge = &all.iter().find(|(a, ..)| *a == Algorithm::ES256).unwrap();
    let (_, edge_key, edge_public) = edge;
    let pool: Vec<String> = SCOPE_POOL.iter().map(|s| (*s).to_owned()).collect();
    let mut jtis = Vec::new();
    for round in 0..40 {
        // The original token, verified as the edge verifies it.
        let granted = subset(&mut rng, &pool);
        let original_exp = NOW + 10 + rng.below(600) as i64;
        let mut claims = json!({
            "iss": "https://idp.example", "aud": "https://edge.example", "sub": format!("user-{round}"),
            "scope": granted.join(" "), "exp": original_exp,
        });
        let client = if rng.coin() { "client_id" } else { "azp" };
        claims[client] = json!("app-1");
        if rng.coin() {
            claims["act"] = json!({ "sub": "gateway", "act": { "sub": "proxy", "iss": "https://idp.example" } });
        }
        let (_, idp_key, idp_public) = &all[rng.below(all.len())];
        let token = sign::sign(&claims.to_string(), idp_key, &SignOptions::default(), NOW).unwrap();
        let verified = verifier(idp_public, "https://idp.example", "https://edge.example")
            .verify(&token, &CallOptions::default(), NOW)
            .unwrap();

        let wanted = subset(&mut rng, &verified.scopes);
        let ttl = 1 + rng.below(900) as i64;
        let options = DownscopeOptions {
            issuer: "https://edge.example".into(),
            audience: vec!["https://backend.internal".into()],
            scopes: wanted.clone(),
            ttl,
            typ: Typ::AtJwt,
            now: None,
        };
        let down = sign::downscope(&verified.claims, &verified.scopes, edge_key, &options, NOW)
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        let got = verifier(
            edge_public,
            "https://edge.example",
            "https://backend.internal",
        )
        .verify(&down, &CallOptions::default(), NOW)
        .unwrap();
        assert_eq!(got.scopes, wanted, "round {round}");
        let c: Value = serde_json::from_str(&got.claims_json).unwrap();
        assert_eq!(c["sub"], claims["sub"]);
        assert_eq!(c["act"]["sub"], "app-1");
        assert_eq!(
            c["act"]["act"],
            claims.get("act").cloned().unwrap_or(Value::Null)
        );
        assert_eq!(c["exp"], json!((NOW + ttl).min(original_exp)));
        assert_eq!(c["iat"], json!(NOW));
        assert!(c.get("client_id").is_none() && c.get("azp").is_none());
        let jti = c["jti"].as_str().unwrap().to_owned();
        assert_eq!(jti.len(), 22, "128 bits of base64url");
        assert!(!jtis.contains(&jti));
        jtis.push(jti);

        // Never more: any scope the token lacks makes it a superset.
        let extra: Vec<String> = pool
            .iter()
            .filter(|s| !granted.contains(s))
            .cloned()
            .collect();
        if !extra.is_empty() {
            let mut more = wanted.clone();
            let added = extra[rng.below(extra.len())].clone();
            more.insert(rng.below(more.len() + 1), added.clone());
            let options = DownscopeOptions {
                scopes: more,
                ..options
            };
            match sign::downscope(&verified.claims, &verified.scopes, edge_key, &options, NOW) {
                Err(tollgate::Error::DownscopeSuperset { missing }) => assert_eq!(missing, [added]),
                other => panic!("round {round}: a superset gave {other:?}"),
            }
        }
    }
}

#[test]
fn private_keys_import_as_documented() {
    let code = |r: Result<SigningKey, tollgate::Error>| r.map_or_else(|e| e.code(), |_| "ok");
    // A public JWK, a JWK without alg and no option, alg mismatches.
    let public_only = {
        let mut jwk: Value = serde_json::from_str(P256_JWK).unwrap();
        jwk.as_object_mut().unwrap().remove("d");
        jwk.to_string()
    };
    assert_eq!(
        code(SigningKey::from_jwk(
            public_only.as_bytes(),
            Some(Algorithm::ES256),
            None
        )),
        "ERR_JWK_INVALID"
    );
    assert_eq!(
        code(SigningKey::from_jwk(P256_JWK.as_bytes(), None, None)),
        "ERR_JWK_INVALID"
    );
    assert_eq!(
        code(SigningKey::from_jwk(
            P256_JWK.as_bytes(),
            Some(Algorithm::ES384),
            None
        )),
        "ERR_JWK_INVALID"
    );
    assert_eq!(
        code(SigningKey::from_pem(P256_PEM, Algorithm::ES384, None)),
        "ERR_JWK_INVALID"
    );
    assert_eq!(
        code(SigningKey::from_pem(P256_PEM, Algorithm::RS256, None)),
        "ERR_JWK_INVALID"
    );
    assert_eq!(
        code(SigningKey::from_pem(RSA_PEM, Algorithm::HS256, None)),
        "ERR_JWK_INVALID"
    );
    // Under the verification policy (RSA < 2048 bits) or verify-only (ES512).
    assert_eq!(
        code(SigningKey::from_pem(RSA1024_PEM, Algorithm::RS256, None)),
        "ERR_JWK_INVALID"
    );
    assert_eq!(
        code(SigningKey::from_pem(P521_PEM, Algorithm::ES256, None)),
        "ERR_JWK_INVALID"
    );
    // Encryption keys, key_ops without sign.
    for extra in [json!({"use": "enc"}), json!({"key_ops": ["verify"]})] {
        let mut jwk: Value = serde_json::from_str(ED_JWK).unwrap();
        jwk.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        assert_eq!(
            code(SigningKey::from_jwk(
                jwk.to_string().as_bytes(),
                Some(Algorithm::EdDSA),
                None
            )),
            "ERR_JWK_INVALID"
        );
    }
    // Inconsistent private JWKs: another key's public part, another prime.
    let mut ec: Value = serde_json::from_str(P256_JWK).unwrap();
    ec["x"] = serde_json::from_str::<Value>(P384_JWK).unwrap()["x"]
        .as_str()
        .unwrap()[..43]
        .into();
    let e =
        SigningKey::from_jwk(ec.to_string().as_bytes(), Some(Algorithm::ES256), None).unwrap_err();
    assert_eq!(e.code(), "ERR_JWK_INVALID");
    let mut rsa: Value = serde_json::from_str(RSA_JWK).unwrap();
    let (p, q) = (rsa["p"].clone(), rsa["q"].clone());
    rsa["p"] = q;
    rsa["q"] = p;
    let e =
        SigningKey::from_jwk(rsa.to_string().as_bytes(), Some(Algorithm::RS256), None).unwrap_err();
    assert_eq!(e.code(), "ERR_JWK_INVALID");
    // No message ever holds key material.
    let d = serde_json::from_str::<Value>(P256_JWK).unwrap()["d"]
        .as_str()
        .unwrap()[..12]
        .to_owned();
    assert!(
        !e.to_string().contains(&d) && !e.to_string().contains(&rsa["d"].as_str().unwrap()[..12])
    );
    // PEM blocks other than PKCS #8.
    for (pem, needle) in [
        (
            "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----",
            "PKCS #8",
        ),
        (
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
            "public key",
        ),
        (
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----",
            "encrypted",
        ),
    ] {
        let e = SigningKey::from_pem(pem, Algorithm::RS256, None).unwrap_err();
        assert!(e.to_string().contains(needle), "{e}");
    }
    // The public JWK is the JWKS entry a verifier imports.
    let key = SigningKey::from_pem(ED_PEM, Algorithm::EdDSA, Some("ed".into())).unwrap();
    let jwk: Value = serde_json::from_str(&key.public_jwk().unwrap()).unwrap();
    let own: Value = serde_json::from_str(ED_JWK).unwrap();
    assert_eq!(
        jwk,
        json!({"kty": "OKP", "crv": "Ed25519", "x": own["x"], "alg": "EdDSA", "use": "sig", "kid": "ed"})
    );
}

#[test]
fn published_private_keys_sign_tokens_their_public_keys_verify() {
    // RFC 7520 §3.4 (the JOSE cookbook's RSA private key) and RFC 8037 A.1 (Ed25519).
    let cookbook: Value = serde_json::from_str(include_str!(
        "vectors/jose-cookbook/jwk/3_4.rsa_private_key.json"
    ))
    .unwrap();
    let rfc8037: Value =
        serde_json::from_str(include_str!("vectors/jose-cookbook/curve25519/jws.json")).unwrap();
    let (a2, ed) = (cookbook.to_string(), rfc8037["input"]["key"].to_string());
    let (a2, ed) = (a2.as_str(), ed.as_str());
    for (jwk, alg) in [
        (a2, Algorithm::RS256),
        (a2, Algorithm::PS512),
        (ed, Algorithm::EdDSA),
    ] {
        let key = SigningKey::from_jwk(jwk.as_bytes(), Some(alg), None).unwrap();
        // The verification key is the JWK less its private members.
        let mut public: Value = serde_json::from_str(jwk).unwrap();
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            public.as_object_mut().unwrap().remove(private);
        }
        let keys = Arc::new(KeySet::from_jwk(public.to_string().as_bytes(), Some(alg)).unwrap());
        let options = SignOptions {
            ttl: Some(60),
            ..SignOptions::default()
        };
        let token = sign::sign(r#"{"iss":"i","aud":"a"}"#, &key, &options, NOW).unwrap();
        verifier(&keys, "i", "a")
            .verify(&token, &CallOptions::default(), NOW)
            .unwrap_or_else(|e| panic!("{alg:?}: {e}"));
    }
}
