//! The policy engine: the input's first part (up to a NUL byte) as a policy
//! document, the rest as a request (claims JSON, method, path, ip,
//! environment, now — NUL-separated), evaluated against the loaded policy or,
//! when the document does not load, against the issue's messages example.
//!
//! Checks: a document either loads or fails with `ERR_POLICY_INVALID` and a
//! JSON path; `describe()` is JSON; every request gets a decision whose
//! status, code and `allow` agree, whose JSON serde_json reads back to the
//! same fields, whose reason is one printable line, and which is the same
//! when asked twice.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tollgate::json::parse_object;
use tollgate::policy::{Decision, Policy, Request, Subject};
use tollgate::{Error, RevocationList};

const MESSAGES: &str = include_str!("../../examples/policy/messages.policy.json");

fn check_decision(d: &Decision, p: &Policy) {
    assert_eq!(d.allow, d.status == 200, "{d:?}");
    assert_eq!(d.allow, d.code.is_none(), "{d:?}");
    assert!(matches!(d.status, 200 | 400 | 401 | 403), "{d:?}");
    assert_eq!(d.allow, d.www_authenticate(Some("r")).is_none());
    assert!(
        !d.reason.is_empty() && !d.reason.contains(['\n', '\r', '\0']),
        "{:?}",
        d.reason
    );
    assert!(d.constraint.is_none() || d.code == Some(tollgate::Code::ConstraintFailed));
    let json: serde_json::Value =
        serde_json::from_str(&d.to_json(p, Some("r"))).expect("decision JSON");
    assert_eq!(json["allow"], d.allow);
    assert_eq!(json["status"], d.status);
    assert_eq!(json["reason"].as_str(), Some(d.reason.as_str()));
    assert_eq!(
        json["missingScopes"].as_array().map(Vec::len),
        Some(d.missing_scopes.len())
    );
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0);
    let doc = parts.next().unwrap_or_default();
    let loaded = match Policy::from_json(doc) {
        Ok(p) => {
            let described: serde_json::Value =
                serde_json::from_str(&p.describe()).expect("describe JSON");
            assert!(described["rules"].as_array().map(Vec::len) == Some(p.rule_count()));
            Some(p)
        }
        Err(Error::PolicyInvalid { path, message }) => {
            assert!(
                path.starts_with('$') && !message.is_empty(),
                "{path} {message}"
            );
            None
        }
        Err(e) => panic!("a policy load error must be ERR_POLICY_INVALID, got {e:?}"),
    };
    let policy = match loaded {
        Some(p) => p,
        None => Policy::from_json(MESSAGES.as_bytes()).expect("the example loads"),
    };
    fn text(b: Option<&[u8]>) -> Option<&str> {
        b.and_then(|b| std::str::from_utf8(b).ok())
    }
    let claims = parts.next().and_then(|c| parse_object(c).ok());
    let method = text(parts.next()).unwrap_or("GET");
    let path = text(parts.next()).unwrap_or("/messages/1");
    let ip = text(parts.next());
    let environment = text(parts.next());
    let now = text(parts.next())
        .and_then(|n| n.parse::<i64>().ok())
        .unwrap_or(1_795_600_800)
        .clamp(0, 1 << 53);
    let request = Request {
        method,
        path,
        ip,
        environment,
        now,
    };
    let mut revoked = RevocationList::new();
    let _ = revoked.revoke_token("t-1");
    let _ = revoked.revoke_subject("u-1", 1_795_600_000.0);
    for verified in [true, false] {
        let subject = claims.as_ref().map(|claims| Subject { claims, verified });
        let d = policy.evaluate(subject, &request, Some(&revoked));
        check_decision(&d, &policy);
        assert_eq!(d.unverified, subject.is_some() && !verified);
        assert_eq!(
            d,
            policy.evaluate(subject, &request, Some(&revoked)),
            "not deterministic"
        );
        if d.code == Some(tollgate::Code::Revoked) {
            assert!(subject.is_some());
        }
    }
});
