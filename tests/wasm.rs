//! The same vector cases as `tests/vectors.rs`, compiled to wasm and run by
//! `wasm-pack test --node` and `wasm-pack test --headless --chrome`, plus the
//! JS boundary (`tollgate::wasm`): results as JSON text, errors as JS `Error`s
//! with `code`, `status` and `wwwAuthenticate`.
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

use tollgate::wasm::{check_scopes, decode, KeySet, Verifier};

#[wasm_bindgen_test]
fn every_vector_gives_its_documented_outcome() {
    common::assert_all_vectors();
}

fn field(error: &JsValue, name: &str) -> JsValue {
    Reflect::get(error, &JsValue::from_str(name)).unwrap()
}

// RFC 7515 A.1: the HS256 example key and token (exp 1300819380).
const A1_JWK: &str = r#"{"kty":"oct","alg":"HS256","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}"#;
const A1_TOKEN: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

#[wasm_bindgen_test]
fn boundary_returns_json_text_and_js_errors() {
    let keys = KeySet::from_jwk(A1_JWK, "{}").map_err(|_| ()).unwrap();
    let verifier = Verifier::new(
        &keys,
        r#"{"issuer":"joe","dangerouslySkipAudienceCheck":true,"realm":"api"}"#,
        None,
    )
    .map_err(|_| ())
    .unwrap();
    let ok = verifier
        .verify(A1_TOKEN, r#"{"now":1300819379}"#)
        .map_err(|_| ())
        .unwrap();
    let parsed = js_sys::JSON::parse(&ok).unwrap();
    assert_eq!(
        Reflect::get(&field(&parsed, "claims"), &"iss".into()).unwrap(),
        "joe"
    );
    assert!(field(&parsed, "header").is_object());

    // The real clock is long past 2011: expired, with the HTTP fields set.
    let Err(e) = verifier.verify(A1_TOKEN, "") else {
        panic!("an expired token verified")
    };
    assert!(e.is_instance_of::<js_sys::Error>());
    assert_eq!(field(&e, "code"), "ERR_JWT_EXPIRED");
    assert_eq!(field(&e, "status"), 401);
    assert_eq!(field(&e, "claim"), "exp");
    let header = field(&e, "wwwAuthenticate").as_string().unwrap();
    assert!(
        header.starts_with("Bearer realm=\"api\", error=\"invalid_token\""),
        "{header}"
    );

    let Err(e) = verifier.verify(A1_TOKEN, r#"{"now":1300819379,"requiredScopes":["admin"]}"#)
    else {
        panic!()
    };
    assert_eq!(field(&e, "code"), "ERR_JWT_INSUFFICIENT_SCOPE");
    assert_eq!(field(&e, "status"), 403);
    assert!(js_sys::Array::is_array(&field(&e, "missing")));

    let Err(e) = verifier.verify(A1_TOKEN, r#"{"nOw":1}"#) else {
        panic!()
    };
    assert_eq!(field(&e, "code"), "ERR_INVALID_ARG");
    assert!(field(&e, "status").is_undefined());
}

#[wasm_bindgen_test]
fn boundary_decode_and_check_scopes() {
    let decoded = decode(A1_TOKEN, "{}").map_err(|_| ()).unwrap();
    assert!(decoded.contains("\"scopes\":[]"), "{decoded}");
    let checked = check_scopes(r#"{"scope":"a b"}"#, r#"["a","c"]"#, r#"{"mode":"any"}"#)
        .map_err(|_| ())
        .unwrap();
    assert_eq!(
        checked,
        r#"{"ok":true,"missing":["c"],"granted":["a","b"]}"#
    );
    let Err(e) = decode("not a token", "{}") else {
        panic!()
    };
    assert_eq!(field(&e, "code"), "ERR_JWS_INVALID");
}

#[wasm_bindgen_test]
fn wycheproof_vectors_give_their_results_or_a_documented_exception() {
    common::wycheproof::assert_all();
}

/// Signing in wasm (Node and Chromium): ring's SystemRandom reaches the runtime's
/// crypto.getRandomValues, so two ECDSA signatures of one payload differ, and
/// both verify.
#[cfg(feature = "sign")]
#[wasm_bindgen_test]
fn signing_draws_randomness_from_the_runtime() {
    use tollgate::sign::{sign, SignOptions, SigningKey};
    use tollgate::Algorithm;
    let key = SigningKey::from_pem(include_str!("keys/p256.pem"), Algorithm::ES256, None)
        .map_err(|e| e.to_string())
        .unwrap();
    let options = SignOptions {
        ttl: Some(60),
        ..SignOptions::default()
    };
    let one = sign(r#"{"sub":"a"}"#, &key, &options, 1_000).unwrap();
    let two = sign(r#"{"sub":"a"}"#, &key, &options, 1_000).unwrap();
    assert_ne!(one.rsplit('.').next(), two.rsplit('.').next());
    let keys = tollgate::KeySet::from_jwk(key.public_jwk().unwrap().as_bytes(), None).unwrap();
    let options = tollgate::options::verify_options(
        r#"{"dangerouslySkipIssuerCheck":true,"dangerouslySkipAudienceCheck":true}"#,
    )
    .unwrap();
    let verifier = tollgate::Verifier::new(std::sync::Arc::new(keys), options).unwrap();
    for token in [one, two] {
        verifier
            .verify(&token, &tollgate::CallOptions::default(), 1_000)
            .map_err(|e| e.to_string())
            .unwrap();
    }
}
