//! One trip per request: `Authorizer` composes the route's own answer, the
//! token's verification and revocation and the policy's decision, in that
//! order, and answers as the separate steps did; its native-crypto half
//! (`begin`/`resume`) reads the payload only after the signature.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;

use ring::hmac;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use tollgate::authorize::{Authorizer, Outcome, Step};
use tollgate::b64::encode as b64;
use tollgate::options::{call_options, verify_options};
use tollgate::policy::{Policy, Request};
use tollgate::{Algorithm, CallOptions, KeySet, RevocationList, Verifier};

const NOW: i64 = 1_700_000_000;
const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
const OPTIONS: &str = r#"{"issuer":"https://idp","audience":"api"}"#;

const POLICY: &str = r#"{
  "version": 1,
  "scopes": {
    "read:messages":  {},
    "write:messages": { "implies": ["read:messages"] }
  },
  "roles": { "moderator": {} },
  "rules": [
    { "id": "health", "method": "GET", "path": "/health", "public": true },
    { "method": "GET", "path": "/messages/**", "scopes": ["read:messages"] },
    { "method": "DELETE", "path": "/messages/:id", "scopes": ["write:messages"], "roles": ["moderator"] }
  ],
  "default": "deny"
}"#;

fn input(header: &str, payload: &str) -> String {
    format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()))
}

fn hs256(payload: &str) -> String {
    let input = input(r#"{"alg":"HS256","typ":"JWT"}"#, payload);
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, SECRET), input.as_bytes());
    format!("{input}.{}", b64(tag.as_ref()))
}

fn claims(extra: &str) -> String {
    format!(
        r#"{{"iss":"https://idp","aud":"api","sub":"alice","exp":{}{extra}}}"#,
        NOW + 600
    )
}

fn verifier(options: &str) -> Verifier {
    let keys = KeySet::from_secret(SECRET, Algorithm::HS256, None).unwrap();
    Verifier::new(Arc::new(keys), verify_options(options).unwrap()).unwrap()
}

fn policy() -> Policy {
    Policy::from_json(POLICY.as_bytes()).unwrap()
}

fn request<'a>(method: &'a str, path: &'a str) -> Request<'a> {
    Request {
        method,
        path,
        ..Request::default()
    }
}

/// The outcome in a few words: what a guard answers.
fn answer(outcome: &Outcome) -> (u16, String) {
    match outcome {
        Outcome::Public(_) => (200, "public".into()),
        Outcome::NoToken(_) => (401, "ERR_NO_CREDENTIALS".into()),
        Outcome::Allowed(v, _) => (200, format!("ok {}", v.scopes.join(" "))),
        Outcome::Refused(e) => (e.status().unwrap_or(500), e.code().into()),
        Outcome::Denied(d) => (d.status, d.code.map(|c| c.as_str()).unwrap_or("").into()),
    }
}

fn run(a: &Authorizer<'_>, token: Option<&str>, method: &str, path: &str) -> (u16, String) {
    answer(&a.authorize(token, &CallOptions::default(), &request(method, path), NOW))
}

#[test]
fn the_route_is_answered_before_the_token_is_read() {
    let (v, p) = (verifier(OPTIONS), policy());
    let a = Authorizer {
        verifier: &v,
        policy: Some(&p),
        revocations: None,
    };
    // A public rule: whatever the token, even garbage.
    assert_eq!(
        run(&a, Some("not.a.token"), "GET", "/health"),
        (200, "public".into())
    );
    assert_eq!(run(&a, None, "GET", "/health"), (200, "public".into()));
    // A path that could route elsewhere: 400 before the token.
    assert_eq!(
        run(&a, Some("not.a.token"), "GET", "/messages/../admin"),
        (400, "ERR_INVALID_REQUEST".into())
    );
    // No token for a guarded route: the policy's decision names the rule.
    match a.authorize(
        None,
        &CallOptions::default(),
        &request("GET", "/messages/1"),
        NOW,
    ) {
        Outcome::NoToken(Some(d)) => {
            assert_eq!(d.status, 401);
            assert!(d.rule.is_some());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn token_errors_come_before_the_policy_and_policy_refusals_after() {
    let (v, p) = (verifier(OPTIONS), policy());
    let a = Authorizer {
        verifier: &v,
        policy: Some(&p),
        revocations: None,
    };
    let expired = hs256(r#"{"iss":"https://idp","aud":"api","exp":1,"scope":"write:messages"}"#);
    assert_eq!(
        run(&a, Some(&expired), "GET", "/messages/1"),
        (401, "ERR_JWT_EXPIRED".into())
    );
    let reader = hs256(&claims(r#","scope":"read:messages""#));
    assert_eq!(
        run(&a, Some(&reader), "GET", "/messages/1"),
        (200, "ok read:messages".into())
    );
    assert_eq!(
        run(&a, Some(&reader), "DELETE", "/messages/1"),
        (403, "ERR_JWT_INSUFFICIENT_SCOPE".into())
    );
    assert_eq!(
        run(&a, Some(&reader), "POST", "/elsewhere"),
        (403, "ERR_POLICY_NO_MATCHING_RULE".into())
    );
    // The policy's decision comes with the verified token.
    match a.authorize(
        Some(&reader),
        &CallOptions::default(),
        &request("GET", "/messages/1"),
        NOW,
    ) {
        Outcome::Allowed(v, Some(d)) => {
            assert_eq!(v.claims.get("sub").and_then(|s| s.as_str()), Some("alice"));
            assert_eq!(d.scopes, vec!["read:messages".to_owned()]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn without_a_policy_it_is_the_verifier_with_its_revocations() {
    let v = verifier(OPTIONS);
    let list = RevocationList::from_json(br#"{"version":1,"tokens":["t-1"]}"#).unwrap();
    let a = Authorizer {
        verifier: &v,
        policy: None,
        revocations: Some(&list),
    };
    let fresh = hs256(&claims(r#","jti":"t-2""#));
    let revoked = hs256(&claims(r#","jti":"t-1""#));
    assert_eq!(run(&a, Some(&fresh), "GET", "/anything").0, 200);
    assert_eq!(
        run(&a, Some(&revoked), "GET", "/anything"),
        (401, "ERR_JWT_REVOKED".into())
    );
    assert_eq!(
        run(&a, None, "GET", "/anything"),
        (401, "ERR_NO_CREDENTIALS".into())
    );
    // With a policy, a revoked token is refused before any rule is read.
    let p = policy();
    let a = Authorizer {
        verifier: &v,
        policy: Some(&p),
        revocations: Some(&list),
    };
    assert_eq!(
        run(&a, Some(&revoked), "GET", "/messages/1"),
        (401, "ERR_JWT_REVOKED".into())
    );
}

#[test]
fn scopes_and_roles_read_by_the_verifier_decide_as_the_policy_reads_them() {
    // Same claims, one reading (default scope claims, strict role claim) or
    // the policy's own reading (another role claim): the same decisions.
    let p = Policy::from_json(
        POLICY
            .replace(
                "\"version\": 1,",
                "\"version\": 1, \"roleClaim\": \"roles\",",
            )
            .as_bytes(),
    )
    .unwrap();
    let moderator = hs256(&claims(
        r#","scope":"write:messages","roles":["moderator"]"#,
    ));
    let writer = hs256(&claims(r#","scope":"write:messages","roles":["writer"]"#));
    for options in [
        r#"{"issuer":"https://idp","audience":"api","roleClaim":"roles"}"#,
        r#"{"issuer":"https://idp","audience":"api"}"#,
        r#"{"issuer":"https://idp","audience":"api","roleClaim":"groups","scopeClaim":"scp"}"#,
    ] {
        let v = verifier(options);
        let a = Authorizer {
            verifier: &v,
            policy: Some(&p),
            revocations: None,
        };
        assert_eq!(
            run(&a, Some(&moderator), "DELETE", "/messages/7").0,
            200,
            "{options}"
        );
        assert_eq!(
            run(&a, Some(&writer), "DELETE", "/messages/7"),
            (403, "ERR_JWT_INSUFFICIENT_ROLE".into()),
            "{options}"
        );
    }
}

#[test]
fn the_time_of_the_call_decides_claims_and_constraints_alike() {
    let (v, p) = (verifier(OPTIONS), policy());
    let a = Authorizer {
        verifier: &v,
        policy: Some(&p),
        revocations: None,
    };
    let token = hs256(&claims(r#","scope":"read:messages""#));
    let later = call_options(&format!(r#"{{"now":{}}}"#, NOW + 601)).unwrap();
    let outcome = a.authorize(Some(&token), &later, &request("GET", "/messages/1"), NOW);
    assert_eq!(answer(&outcome), (401, "ERR_JWT_EXPIRED".into()));
}

struct Ec {
    pair: EcdsaKeyPair,
    verifier: Verifier,
}

fn new_ec() -> Ec {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let point = pair.public_key().as_ref();
    let jwk = format!(
        r#"{{"kty":"EC","crv":"P-256","alg":"ES256","x":"{}","y":"{}"}}"#,
        b64(&point[1..33]),
        b64(&point[33..65])
    );
    let keys = Arc::new(KeySet::from_jwk(jwk.as_bytes(), None).unwrap());
    Ec {
        pair,
        verifier: Verifier::new(keys, verify_options(OPTIONS).unwrap()).unwrap(),
    }
}

impl Ec {
    fn token(&self, payload: &[u8]) -> String {
        let input = format!("{}.{}", b64(br#"{"alg":"ES256"}"#), b64(payload));
        let sig = self
            .pair
            .sign(&SystemRandom::new(), input.as_bytes())
            .unwrap();
        format!("{input}.{}", b64(sig.as_ref()))
    }
}

#[test]
fn the_native_crypto_half_reads_no_payload_before_the_signature() {
    let ec = new_ec();
    let p = policy();
    let a = Authorizer {
        verifier: &ec.verifier,
        policy: Some(&p),
        revocations: None,
    };
    let call = CallOptions::default();
    let get = request("GET", "/messages/1");
    // A payload that is not even JSON: the first half does not look at it.
    let garbage = ec.token(b"\xff not json");
    let Step::Signature(pending) = a.begin(Some(&garbage), &call, &get, NOW) else {
        panic!("an ES256 token must leave its signature to the caller");
    };
    assert_eq!(pending.candidates, vec![0]);
    // The signing input then the signature: what the caller verifies.
    let split = garbage.rfind('.').unwrap();
    assert_eq!(
        &pending.signed_then_signature[..split],
        &garbage.as_bytes()[..split]
    );
    assert_eq!(pending.signed_then_signature.len(), split + 64);
    // Only after the signature does the payload get read.
    assert_eq!(
        answer(&a.resume(pending, &call, &get, NOW)),
        (401, "ERR_JWT_INVALID".into())
    );

    // A good token goes through the policy in the second half.
    let good = ec.token(claims(r#","scope":"read:messages""#).as_bytes());
    let Step::Signature(pending) = a.begin(Some(&good), &call, &get, NOW) else {
        panic!()
    };
    assert_eq!(
        answer(&a.resume(pending, &call, &get, NOW)),
        (200, "ok read:messages".into())
    );
    let Step::Signature(pending) =
        a.begin(Some(&good), &call, &request("DELETE", "/messages/1"), NOW)
    else {
        panic!()
    };
    assert_eq!(
        answer(&a.resume(pending, &call, &request("DELETE", "/messages/1"), NOW)),
        (403, "ERR_JWT_INSUFFICIENT_SCOPE".into())
    );
    // A signature of the wrong length for every key is refused in the first half.
    let short = format!("{}.{}", &good[..good.rfind('.').unwrap()], b64(&[0u8; 10]));
    match a.begin(Some(&short), &call, &get, NOW) {
        Step::Done(o) => assert_eq!(
            answer(&o),
            (401, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED".into())
        ),
        Step::Signature(_) => panic!("a signature of the wrong length was left to the caller"),
    }
    // The route still comes first: a public rule needs no signature check at all.
    assert!(matches!(
        a.begin(Some(&good), &call, &request("GET", "/health"), NOW),
        Step::Done(Outcome::Public(_))
    ));
}

#[test]
fn hmac_is_never_left_to_the_caller() {
    let (v, p) = (verifier(OPTIONS), policy());
    let a = Authorizer {
        verifier: &v,
        policy: Some(&p),
        revocations: None,
    };
    let token = hs256(&claims(r#","scope":"read:messages""#));
    match a.begin(
        Some(&token),
        &CallOptions::default(),
        &request("GET", "/messages/1"),
        NOW,
    ) {
        Step::Done(o) => assert_eq!(answer(&o).0, 200),
        Step::Signature(_) => panic!("an HMAC secret would have to leave the core"),
    }
}
