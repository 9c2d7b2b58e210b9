//! The vector cases, shared by the native tests (`tests/vectors.rs`) and the
//! wasm tests (`tests/wasm.rs`, run in Node and in headless Chromium), so that
//! every runtime checks the same behaviour.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;

use serde_json::Value;
use tollgate::options::verify_options;
use tollgate::{Algorithm, CallOptions, KeySet, Verifier};

const RFC: &str = include_str!("../vectors/rfc/rfc_vectors.json");
const COOKBOOK: [(&str, &str); 5] = [
    (
        "cookbook 4.1 RS256",
        include_str!("../vectors/jose-cookbook/jws/4_1.rsa_v15_signature.json"),
    ),
    (
        "cookbook 4.2 PS384",
        include_str!("../vectors/jose-cookbook/jws/4_2.rsa-pss_signature.json"),
    ),
    (
        "cookbook 4.3 ES512",
        include_str!("../vectors/jose-cookbook/jws/4_3.ecdsa_signature.json"),
    ),
    (
        "cookbook 4.4 HS256",
        include_str!("../vectors/jose-cookbook/jws/4_4.hmac-sha2_integrity_protection.json"),
    ),
    (
        "RFC 8037 A.4 EdDSA",
        include_str!("../vectors/jose-cookbook/curve25519/jws.json"),
    ),
];

/// One expectation: `token` verified with `keys` at `now` gives `expect`
/// ("ok" or an error code).
pub struct Case {
    pub name: String,
    pub token: String,
    pub keys: Arc<KeySet>,
    pub options: &'static str,
    pub now: i64,
    pub expect: &'static str,
}

/// Changes one character in the middle of the signature to another
/// base64url character, keeping the encoding canonical.
pub fn tamper(token: &str) -> String {
    let mut bytes = token.as_bytes().to_vec();
    let i = bytes.len() - 10;
    bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

fn key_for(jwk: &Value, alg: &str) -> Arc<KeySet> {
    let text = jwk.to_string();
    let alg = Algorithm::from_name(alg).expect("vector alg is supported");
    Arc::new(
        KeySet::from_jwk(text.as_bytes(), Some(alg))
            .unwrap_or_else(|e| panic!("import {alg:?}: {e}")),
    )
}

const RFC_OPTIONS: &str = r#"{"issuer":"joe","dangerouslySkipAudienceCheck":true}"#;
const ANY_OPTIONS: &str = r#"{"dangerouslySkipIssuerCheck":true,"dangerouslySkipAudienceCheck":true,"dangerouslyAllowMissingExp":true}"#;
/// RFC 7515 Appendix A payloads expire at 1300819380.
const BEFORE_EXP: i64 = 1_300_819_379;
const AT_EXP: i64 = 1_300_819_380;

pub fn cases() -> Vec<Case> {
    let rfc: Value = serde_json::from_str(RFC).unwrap();
    let mut cases = Vec::new();
    let mut hmac_keys = None;
    for v in rfc["rfc7515_appendix_a"].as_array().unwrap() {
        let id = v["id"].as_str().unwrap();
        let alg = v["alg"].as_str().unwrap();
        let token = v["compact"].as_str().unwrap().to_owned();
        match alg {
            // ES512's payload is the text "Payload", not claims: the signature
            // verifies, then the claims are refused (cargo feature es512).
            "ES512" if cfg!(feature = "es512") => {
                let keys = key_for(&v["jwk"], alg);
                for (suffix, token, expect) in [
                    ("signature", token.clone(), "ERR_JWT_INVALID"),
                    (
                        "tampered",
                        tamper(&token),
                        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
                    ),
                ] {
                    cases.push(Case {
                        name: format!("{id} {alg} {suffix}"),
                        token,
                        keys: Arc::clone(&keys),
                        options: ANY_OPTIONS,
                        now: 0,
                        expect,
                    });
                }
            }
            "HS256" | "RS256" | "ES256" => {
                let keys = key_for(&v["jwk"], alg);
                if alg == "HS256" {
                    hmac_keys = Some(Arc::clone(&keys));
                }
                let case = |suffix: &str, token: String, now, expect| Case {
                    name: format!("{id} {alg} {suffix}"),
                    token,
                    keys: Arc::clone(&keys),
                    options: RFC_OPTIONS,
                    now,
                    expect,
                };
                cases.push(case("before exp", token.clone(), BEFORE_EXP, "ok"));
                cases.push(case("at exp", token.clone(), AT_EXP, "ERR_JWT_EXPIRED"));
                cases.push(case(
                    "tampered",
                    tamper(&token),
                    BEFORE_EXP,
                    "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
                ));
            }
            _ => {}
        }
    }
    let hmac_keys = hmac_keys.expect("A.1 present");
    for v in rfc["rfc7515_appendix_a"].as_array().unwrap() {
        let (id, alg) = (v["id"].as_str().unwrap(), v["alg"].as_str().unwrap());
        let expect = match alg {
            "ES512" if !cfg!(feature = "es512") => "ERR_JOSE_NOT_SUPPORTED",
            "none" => "ERR_JOSE_ALG_NOT_ALLOWED",
            _ => continue,
        };
        cases.push(Case {
            name: format!("{id} {alg}"),
            token: v["compact"].as_str().unwrap().to_owned(),
            keys: Arc::clone(&hmac_keys),
            options: RFC_OPTIONS,
            now: BEFORE_EXP,
            expect,
        });
    }
    for (name, text) in COOKBOOK {
        let v: Value = serde_json::from_str(text).unwrap();
        let alg = v["input"]["alg"].as_str().unwrap();
        let token = v["output"]["compact"].as_str().unwrap().to_owned();
        if alg == "ES512" && !cfg!(feature = "es512") {
            cases.push(Case {
                name: name.into(),
                token,
                keys: Arc::clone(&hmac_keys),
                options: ANY_OPTIONS,
                now: 0,
                expect: "ERR_JOSE_NOT_SUPPORTED",
            });
            continue;
        }
        let keys = key_for(&v["input"]["key"], alg);
        // The payload is prose: the signature verifies, then the claims are refused.
        cases.push(Case {
            name: format!("{name} signature"),
            token: token.clone(),
            keys: Arc::clone(&keys),
            options: ANY_OPTIONS,
            now: 0,
            expect: "ERR_JWT_INVALID",
        });
        cases.push(Case {
            name: format!("{name} tampered"),
            token: tamper(&token),
            keys,
            options: ANY_OPTIONS,
            now: 0,
            expect: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
        });
    }
    let r7797 = &rfc["rfc7797"];
    let keys = key_for(&r7797["jwk"], "HS256");
    cases.push(Case {
        name: "RFC 7797 4.1 b64 true".into(),
        token: r7797["section_4_1_b64_true"]["compact"]
            .as_str()
            .unwrap()
            .to_owned(),
        keys: Arc::clone(&keys),
        options: ANY_OPTIONS,
        now: 0,
        expect: "ERR_JWT_INVALID",
    });
    cases.push(Case {
        name: "RFC 7797 4.2 b64 false".into(),
        token: r7797["section_4_2_b64_false"]["detached_compact"]
            .as_str()
            .unwrap()
            .to_owned(),
        keys,
        options: ANY_OPTIONS,
        now: 0,
        expect: "ERR_JWS_INVALID",
    });
    cases
}

/// Runs every case; returns a line per failure (empty when all pass).
pub fn run_all() -> (usize, Vec<String>) {
    let cases = cases();
    let mut failures = Vec::new();
    for case in &cases {
        let validation = verify_options(case.options).unwrap();
        let verifier = Verifier::new(Arc::clone(&case.keys), validation).unwrap();
        let got = match verifier.verify(&case.token, &CallOptions::default(), case.now) {
            Ok(_) => "ok",
            Err(e) => e.code(),
        };
        if got != case.expect {
            failures.push(format!(
                "{}: expected {}, got {got}",
                case.name, case.expect
            ));
        }
    }
    (cases.len(), failures)
}

/// RFC 7515 A.4's P-521 key and RFC 7517 A.1's public keys at import.
pub fn key_import_failures() -> Vec<String> {
    let rfc: Value = serde_json::from_str(RFC).unwrap();
    let mut failures = Vec::new();
    let a4 = rfc["rfc7515_appendix_a"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["alg"] == "ES512")
        .unwrap();
    match KeySet::from_jwk(a4["jwk"].to_string().as_bytes(), Some(Algorithm::ES512)) {
        Ok(_) if cfg!(feature = "es512") => {}
        Err(e) if e.code() == "ERR_JWK_INVALID" && !cfg!(feature = "es512") => {}
        other => failures.push(format!(
            "A.4 P-521 JWK (es512 built: {}): got {other:?}",
            cfg!(feature = "es512")
        )),
    }
    let jwks = serde_json::json!({ "keys": rfc["rfc7517_appendix_a1_public_keys"] }).to_string();
    match KeySet::from_jwks(jwks.as_bytes(), &[]) {
        Ok(set) => {
            let keys: Vec<_> = set
                .keys()
                .iter()
                .map(|k| (k.kid().map(str::to_owned), k.alg()))
                .collect();
            if keys != vec![(Some("2011-04-29".to_owned()), Algorithm::RS256)] {
                failures.push(format!("RFC 7517 A.1 usable keys: {keys:?}"));
            }
            let skipped: Vec<_> = set.skipped().iter().map(|s| s.kid.clone()).collect();
            if skipped != vec![Some("1".to_owned())] || set.skipped()[0].reason.is_empty() {
                failures.push(format!("RFC 7517 A.1 skipped: {:?}", set.skipped()));
            }
        }
        Err(e) => failures.push(format!("RFC 7517 A.1 JWKS: {e}")),
    }
    failures
}

/// Asserts every vector case and key import gives its documented outcome.
pub fn assert_all_vectors() {
    let (count, failures) = run_all();
    assert!(count >= 20, "only {count} vector cases were built");
    assert!(
        failures.is_empty(),
        "{} of {count} vector cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let failures = key_import_failures();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
pub mod wycheproof;
