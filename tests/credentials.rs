//! API keys and Basic credentials through the crate's public API: the attack cases of
//! issue 14 (checksums, unknown ids, wrong secrets, expiry, Basic's malformed headers,
//! plain http, weak iteration counts), the timing-safe paths, and the challenges.
#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::Instant;

use tollgate::apikey::{self, Catalog};
use tollgate::basic::{self, Credentials, MIN_ITERATIONS};
use tollgate::error::challenge_for;
use tollgate::{Code, Error, Scheme};

fn random(seed: u8) -> Vec<u8> {
    (0..96u32)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn catalog(entries: &[(&str, &str, &str)]) -> Catalog {
    let keys: Vec<String> = entries
        .iter()
        .map(|(id, sha, expires)| {
            format!(r#"{{"id":"{id}","sha256":"{sha}","scopes":["read"],"owner":"t","expires":{expires}}}"#)
        })
        .collect();
    Catalog::from_json(format!(r#"{{"version":1,"keys":[{}]}}"#, keys.join(",")).as_bytes())
        .unwrap()
}

#[test]
fn api_key_attacks() {
    let (key, sha) = apikey::mint("tg", Some("ci"), &random(1)).unwrap();
    let c = catalog(&[("ci", &sha, "2000")]);
    assert_eq!(c.check(&key, 1000).unwrap().subject, "ci");
    // Wrong checksum: one character of the secret changed.
    let mut bad = key.clone().into_bytes();
    bad[10] = if bad[10] == b'x' { b'y' } else { b'x' };
    let bad = String::from_utf8(bad).unwrap();
    assert_eq!(
        c.check(&bad, 1000).unwrap_err(),
        Error::ApiKeyInvalid("API key checksum does not match")
    );
    // Unknown id, and the right id with another secret: one answer.
    let (unknown, _) = apikey::mint("tg", Some("nope"), &random(1)).unwrap();
    let (other, _) = apikey::mint("tg", Some("ci"), &random(2)).unwrap();
    assert_eq!(
        c.check(&unknown, 1000).unwrap_err(),
        c.check(&other, 1000).unwrap_err()
    );
    // Expired: only for the right secret.
    assert_eq!(c.check(&key, 2000).unwrap_err(), Error::ApiKeyExpired);
    assert_eq!(
        c.check(&other, 2000).unwrap_err().code(),
        "ERR_APIKEY_INVALID"
    );
    // Another prefix changes the checksum, and the hash.
    assert!(c.check(&key.replacen("tg_", "xx_", 1), 1000).is_err());
    for e in [
        c.check(&bad, 0).unwrap_err(),
        c.check(&other, 0).unwrap_err(),
    ] {
        assert!(!e.to_string().contains(&key[6..20]));
        assert_eq!(e.status(), Some(401));
    }
}

#[test]
fn api_key_challenges() {
    let e = Error::InsufficientScope {
        missing: vec!["admin".into()],
    };
    assert_eq!(
        e.challenge_for(Scheme::ApiKey, Some("api")).unwrap(),
        "ApiKey realm=\"api\", error=\"insufficient_scope\", error_description=\"token lacks required scope: admin\", scope=\"admin\""
    );
    assert_eq!(
        challenge_for(Scheme::ApiKey, Code::NoCredentials, None, "", &[]).unwrap(),
        "ApiKey"
    );
    // The Bearer builder is unchanged.
    assert!(Error::Expired
        .www_authenticate(None)
        .unwrap()
        .starts_with("Bearer error="));
}

fn header(userpass: &str) -> String {
    const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = userpass.as_bytes();
    let mut out = String::from("Basic ");
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                char::from(STD[((n >> (18 - 6 * i)) & 63) as usize])
            } else {
                '='
            });
        }
    }
    out
}

fn list() -> Credentials {
    let salt = [9u8; 16];
    let hash = basic::hash_password("pw", &salt, MIN_ITERATIONS).unwrap();
    let salt = tollgate::b64::encode(&salt);
    Credentials::from_json(
        format!(r#"{{"version":1,"users":[{{"username":"alice","salt":"{salt}","iterations":600000,"hash":"{hash}"}}]}}"#)
            .as_bytes(),
    )
    .unwrap()
}

#[test]
fn basic_attacks() {
    let l = list();
    let https = "https://api.example/";
    assert_eq!(
        l.check(&header("alice:pw"), https, false).unwrap().subject,
        "alice"
    );
    for bad in [
        "Basic !!!!".to_owned(),
        "Basic YWxpY2U6cHc".to_owned(), // unpadded
        header("alicepw"),              // no colon
        "Basic /w==".to_owned(),        // 0xff: not UTF-8
        header("alice:pW"),
        header("bob:pw"),
    ] {
        let e = l.check(&bad, https, false).unwrap_err();
        assert_eq!(e.code(), "ERR_BASIC_INVALID", "{bad}");
        assert_eq!(
            e.challenge_for(Scheme::Basic, Some("admin")).unwrap(),
            "Basic realm=\"admin\", charset=\"UTF-8\""
        );
        assert!(!e.to_string().contains("pw"));
    }
    let e = l
        .check(&header("alice:pw"), "http://api.example/", false)
        .unwrap_err();
    assert_eq!(e, Error::InsecureTransport);
    assert_eq!(
        (e.status(), e.challenge_for(Scheme::Basic, None)),
        (Some(400), None)
    );
    assert!(l
        .check(&header("alice:pw"), "http://api.example/", true)
        .is_ok());
    // Fewer iterations than OWASP's 2023 figure do not load.
    let salt = tollgate::b64::encode(&[9u8; 16]);
    let weak = format!(
        r#"{{"version":1,"users":[{{"username":"a","salt":"{salt}","iterations":100000,"hash":"{}"}}]}}"#,
        "A".repeat(43)
    );
    assert!(matches!(
        Credentials::from_json(weak.as_bytes()),
        Err(Error::CredentialsInvalid { ref path, .. }) if path == "$.users[0].iterations"
    ));
}

#[test]
fn an_unknown_user_costs_a_full_hash() {
    let l = list();
    let time = |h: &str| {
        let start = Instant::now();
        assert!(l.check(h, "https://x/", false).is_err());
        start.elapsed().as_secs_f64()
    };
    let wrong = time(&header("alice:nope")).min(time(&header("alice:nope")));
    let unknown = time(&header("mallory:nope")).min(time(&header("mallory:nope")));
    let ratio = unknown / wrong;
    assert!(
        (0.5..2.0).contains(&ratio),
        "unknown {unknown}s, wrong password {wrong}s"
    );
}

/// The guard's path (`authorize_credential`): API keys over plain http: refused like
/// Basic passwords, before the key is read; the route's requirements and the policy apply
/// to a key as to a token.
#[test]
fn api_keys_through_the_guard_path() {
    use tollgate::authorize::{authorize_credential, CredentialOutcome};
    use tollgate::policy::Request;
    use tollgate::Policy;

    let (key, sha) = apikey::mint("tg", Some("ci"), &random(1)).unwrap();
    let c = catalog(&[("ci", &sha, "2000")]);
    // Attack: a key in the clear. Refused whatever the key, a 400 with no ApiKey challenge.
    for k in [key.as_str(), "", "tg_ci_garbage"] {
        let e = c
            .check_request(k, "http://api.example/x", false, 1000)
            .unwrap_err();
        assert_eq!(e, Error::InsecureTransport);
        assert_eq!(e.challenge_for(Scheme::ApiKey, Some("api")), None);
    }
    assert!(c
        .check_request(&key, "http://api.example/x", true, 1000)
        .is_ok());
    assert!(c
        .check_request(&key, "http://127.0.0.1:8787/x", false, 1000)
        .is_ok());
    assert!(c
        .check_request(&key, "https://api.example/x", false, 1000)
        .is_ok());

    let policy = Policy::from_json(
        br#"{"version":1,"scopes":{"read":{},"write":{}},
            "rules":[{"method":"GET","path":"/health","public":true},
                     {"method":"GET","path":"/m","scopes":["read"]},
                     {"method":"POST","path":"/m","scopes":["write"]}]}"#,
    )
    .unwrap();
    let at = |method: &'static str, path: &'static str| Request {
        method,
        path,
        ip: None,
        environment: None,
        now: 1000,
    };
    let url = "https://api.example/m";
    let check = |k: &str| {
        let k = k.to_owned();
        let c = &c;
        move || c.check_request(&k, url, false, 1000)
    };
    // Allowed, then denied by the policy's scopes, then a required scope of the call.
    let ok = authorize_credential(Some(&policy), &at("GET", "/m"), &[], &[], check(&key));
    assert!(
        matches!(ok, CredentialOutcome::Allowed(ref a, Some(ref d)) if a.subject == "ci" && d.allow)
    );
    let denied = authorize_credential(Some(&policy), &at("POST", "/m"), &[], &[], check(&key));
    assert!(
        matches!(denied, CredentialOutcome::Denied(ref d) if d.code == Some(Code::InsufficientScope))
    );
    let short = authorize_credential(None, &at("GET", "/m"), &["write".into()], &[], check(&key));
    assert!(matches!(
        short,
        CredentialOutcome::Refused(Error::InsufficientScope { .. })
    ));
    // Attack: a valid prefix and id with another secret is refused before the policy.
    let (other, _) = apikey::mint("tg", Some("ci"), &random(2)).unwrap();
    let forged = authorize_credential(Some(&policy), &at("GET", "/m"), &[], &[], check(&other));
    assert!(
        matches!(forged, CredentialOutcome::Refused(ref e) if e.code() == "ERR_APIKEY_INVALID")
    );
    // A public rule looks at no credential (not even a forged one).
    let public = authorize_credential(Some(&policy), &at("GET", "/health"), &[], &[], || {
        panic!("a public route checks no credential")
    });
    assert!(matches!(public, CredentialOutcome::Public(_)));
}
