//! The policy model, rule by rule: the issue's messages example, then each
//! semantic rule (implication, role gating, inheritance, constraints, route
//! matching, default, revocation), load errors with their JSON paths, and
//! evaluation that never fails on hostile input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use tollgate::json::{parse_object, Map};
use tollgate::policy::{Decision, Policy, Request, Subject};
use tollgate::RevocationList;

/// The example of the issue, verbatim, plus a public health check.
const MESSAGES: &str = r#"{
  "version": 1,
  "roleClaim": "roles",
  "scopes": {
    "read:messages":  { "description": "Read messages", "owner": "messaging" },
    "write:messages": { "description": "Send and edit", "owner": "messaging", "implies": ["read:messages"] },
    "admin:messages": { "description": "Moderate", "owner": "platform", "maxTokenLifetime": 300,
                        "constraints": { "ipRanges": ["10.0.0.0/8", "2001:db8::/32"],
                                         "environments": ["production"],
                                         "timeWindows": [{ "days": ["mon","tue","wed","thu","fri"], "start": "08:00", "end": "18:00" }] } }
  },
  "roles": {
    "reader": { "description": "Can read", "grants": ["read:messages"] },
    "writer": { "description": "Can write", "inherits": ["reader"], "grants": ["write:messages"] },
    "admin":  { "description": "Moderator", "inherits": ["writer"], "grants": ["admin:messages"] }
  },
  "rules": [
    { "method": "GET", "path": "/messages/**", "scopes": ["read:messages"], "roles": ["reader"] },
    { "method": ["POST", "PUT", "DELETE"], "path": "/messages/:id", "scopes": ["write:messages"] },
    { "method": "*", "path": "/admin/**", "scopes": ["admin:messages"], "roles": ["admin"] },
    { "id": "health", "method": "GET", "path": "/health", "public": true }
  ],
  "default": "deny"
}"#;

/// Wednesday 2026-11-25 10:00 UTC: inside the admin window.
const WED_10: i64 = 1_795_600_800;
/// Wednesday 2026-11-25 19:00 UTC: after hours.
const WED_19: i64 = 1_795_633_200;
/// Saturday 2026-11-28 10:00 UTC.
const SAT_10: i64 = 1_795_860_000;

fn policy(text: &str) -> Policy {
    Policy::from_json(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

fn claims(json: &str) -> Map {
    parse_object(json.as_bytes()).unwrap()
}

struct Ask<'a> {
    method: &'a str,
    path: &'a str,
    ip: Option<&'a str>,
    environment: Option<&'a str>,
    now: i64,
}

fn ask<'a>(method: &'a str, path: &'a str) -> Ask<'a> {
    Ask {
        method,
        path,
        ip: Some("10.1.2.3"),
        environment: Some("production"),
        now: WED_10,
    }
}

impl Ask<'_> {
    fn run(&self, p: &Policy, claims_json: Option<&str>) -> Decision {
        self.run_with(p, claims_json, None)
    }

    fn run_with(
        &self,
        p: &Policy,
        claims_json: Option<&str>,
        revoked: Option<&RevocationList>,
    ) -> Decision {
        let map = claims_json.map(claims);
        let subject = map.as_ref().map(|claims| Subject {
            claims,
            verified: true,
        });
        let request = Request {
            method: self.method,
            path: self.path,
            ip: self.ip,
            environment: self.environment,
            now: self.now,
        };
        p.evaluate(subject, &request, revoked)
    }
}

const READER: &str =
    r#"{"sub":"u1","roles":["reader"],"scope":"read:messages","iat":1795600700,"exp":1795600900}"#;
const WRITER: &str =
    r#"{"sub":"u2","roles":["writer"],"scope":"write:messages","iat":1795600700,"exp":1795600900}"#;
const ADMIN: &str = r#"{"sub":"u3","roles":["admin"],"scope":"admin:messages read:messages","iat":1795600700,"exp":1795600900}"#;

fn code(d: &Decision) -> Option<&'static str> {
    d.code.map(|c| c.as_str())
}

#[test]
fn the_messages_example() {
    let p = policy(MESSAGES);
    // A reader reads.
    let d = ask("GET", "/messages/42").run(&p, Some(READER));
    assert!(d.allow, "{}", d.reason);
    assert_eq!((d.status, d.rule, d.code), (200, Some(0), None));
    assert_eq!(d.www_authenticate(None), None);
    // A reader cannot write: the scope is missing (403, insufficient_scope with the scope).
    let d = ask("POST", "/messages/42").run(&p, Some(READER));
    assert_eq!(
        (d.status, code(&d), d.rule),
        (403, Some("ERR_JWT_INSUFFICIENT_SCOPE"), Some(1))
    );
    assert_eq!(d.missing_scopes, vec!["write:messages"]);
    assert_eq!(
        d.www_authenticate(Some("api")).unwrap(),
        format!(
            "Bearer realm=\"api\", error=\"insufficient_scope\", error_description=\"{}\", scope=\"write:messages\"",
            d.reason
        )
    );
    // write:messages implies read:messages, and a writer holds the reader role.
    let d = ask("GET", "/messages").run(&p, Some(WRITER));
    assert!(d.allow, "{}", d.reason);
    assert_eq!(d.scopes, vec!["read:messages", "write:messages"]);
    assert_eq!(d.roles, vec!["reader", "writer"]);
    assert!(ask("DELETE", "/messages/7").run(&p, Some(WRITER)).allow);
    // An admin, from the office network, in production, in office hours, with a short-lived token.
    let d = ask("PUT", "/admin/users/9").run(&p, Some(ADMIN));
    assert!(d.allow, "{}", d.reason);
    assert_eq!(d.roles, vec!["reader", "writer", "admin"]);
    // The public route needs nothing; any other route without a token is 401.
    let d = ask("GET", "/health").run(&p, None);
    assert_eq!((d.allow, d.rule, d.status), (true, Some(3), 200));
    let d = ask("GET", "/messages/1").run(&p, None);
    assert_eq!((d.status, code(&d)), (401, Some("ERR_NO_CREDENTIALS")));
    assert_eq!(
        d.www_authenticate(Some("api")).as_deref(),
        Some("Bearer realm=\"api\"")
    );
    assert_eq!(d.www_authenticate(None).as_deref(), Some("Bearer"));
    // No rule: default deny.
    let d = ask("GET", "/billing").run(&p, Some(ADMIN));
    assert_eq!(
        (d.status, code(&d), d.rule),
        (403, Some("ERR_POLICY_NO_MATCHING_RULE"), None)
    );
}

#[test]
fn an_admin_scope_in_a_non_admins_token_is_refused() {
    let p = policy(MESSAGES);
    let forged = r#"{"roles":["writer"],"scope":"admin:messages write:messages","iat":1795600700,"exp":1795600900}"#;
    let d = ask("POST", "/admin/ban").run(&p, Some(forged));
    assert_eq!(
        (d.status, code(&d)),
        (403, Some("ERR_JWT_INSUFFICIENT_SCOPE"))
    );
    assert_eq!(d.missing_scopes, vec!["admin:messages"]);
    assert_eq!(d.missing_roles, vec!["admin"]);
    assert!(
        d.reason
            .contains("admin:messages is in the token but none of the user's roles grants it"),
        "{}",
        d.reason
    );
    assert!(!d.scopes.contains(&"admin:messages".to_owned()));
    // The same token still writes: write:messages is granted by writer.
    assert!(ask("POST", "/messages/1").run(&p, Some(forged)).allow);
    // A token with no roles at all gets none of the role-granted scopes.
    let no_roles = r#"{"scope":"read:messages write:messages"}"#;
    let d = ask("GET", "/messages/1").run(&p, Some(no_roles));
    assert_eq!(code(&d), Some("ERR_JWT_INSUFFICIENT_SCOPE"));
    assert!(d.scopes.is_empty());
}

#[test]
fn missing_roles_alone_are_insufficient_role() {
    let p = policy(MESSAGES);
    // The scope is honoured (a reader role grants it) but the rule also needs the reader role:
    // here the user is granted the scope by a role the rule does not accept.
    let doc = MESSAGES.replace(
        r#""reader": { "description": "Can read", "grants": ["read:messages"] },"#,
        r#""reader": { "description": "Can read", "grants": ["read:messages"] },
           "auditor": { "description": "Audits", "grants": ["read:messages"] },"#,
    );
    let p2 = policy(&doc);
    let d =
        ask("GET", "/messages/1").run(&p2, Some(r#"{"roles":"auditor","scope":"read:messages"}"#));
    assert_eq!(
        (d.status, code(&d)),
        (403, Some("ERR_JWT_INSUFFICIENT_ROLE"))
    );
    assert_eq!(d.missing_roles, vec!["reader"]);
    assert!(d.missing_scopes.is_empty());
    assert!(
        d.reason
            .contains("needs role reader; the user holds auditor"),
        "{}",
        d.reason
    );
    // Roles the policy does not know are ignored.
    let d =
        ask("GET", "/messages/1").run(&p, Some(r#"{"roles":["root"],"scope":"read:messages"}"#));
    assert_eq!(d.missing_roles, vec!["reader"]);
    assert!(d.roles.is_empty());
}

#[test]
fn constraints_of_the_admin_scope() {
    let p = policy(MESSAGES);
    let cases: [(Ask<'_>, &str); 7] = [
        (
            Ask {
                ip: Some("192.0.2.1"),
                ..ask("GET", "/admin/x")
            },
            "ipRanges",
        ),
        (
            Ask {
                ip: None,
                ..ask("GET", "/admin/x")
            },
            "ipRanges",
        ),
        (
            Ask {
                ip: Some("not an ip"),
                ..ask("GET", "/admin/x")
            },
            "ipRanges",
        ),
        (
            Ask {
                environment: Some("staging"),
                ..ask("GET", "/admin/x")
            },
            "environments",
        ),
        (
            Ask {
                environment: None,
                ..ask("GET", "/admin/x")
            },
            "environments",
        ),
        (
            Ask {
                now: WED_19,
                ..ask("GET", "/admin/x")
            },
            "timeWindows",
        ),
        (
            Ask {
                now: SAT_10,
                ..ask("GET", "/admin/x")
            },
            "timeWindows",
        ),
    ];
    for (request, constraint) in cases {
        let d = request.run(&p, Some(ADMIN));
        assert_eq!(
            (d.status, code(&d)),
            (403, Some("ERR_POLICY_CONSTRAINT_FAILED")),
            "{constraint}"
        );
        assert_eq!(d.constraint, Some(constraint), "{}", d.reason);
        assert!(d.reason.contains("scope admin:messages"), "{}", d.reason);
    }
    // IPv6 in range, and an IPv4-mapped IPv6 address of the office network.
    assert!(
        Ask {
            ip: Some("2001:db8::5"),
            ..ask("GET", "/admin/x")
        }
        .run(&p, Some(ADMIN))
        .allow
    );
    assert!(
        Ask {
            ip: Some("::ffff:10.9.9.9"),
            ..ask("GET", "/admin/x")
        }
        .run(&p, Some(ADMIN))
        .allow
    );
    // maxTokenLifetime 300: a token living 301 s, or without iat, fails.
    let long = r#"{"roles":["admin"],"scope":"admin:messages","iat":1795600000,"exp":1795600301}"#;
    let d = ask("GET", "/admin/x").run(&p, Some(long));
    assert_eq!(d.constraint, Some("maxTokenLifetime"), "{}", d.reason);
    let no_iat = r#"{"roles":["admin"],"scope":"admin:messages","exp":1795600301}"#;
    assert_eq!(
        ask("GET", "/admin/x").run(&p, Some(no_iat)).constraint,
        Some("maxTokenLifetime")
    );
    let exact = r#"{"roles":["admin"],"scope":"admin:messages","iat":1795600000,"exp":1795600300}"#;
    assert!(ask("GET", "/admin/x").run(&p, Some(exact)).allow);
    // The admin's other scopes are not constrained: reading works from anywhere, any time.
    let d = Ask {
        ip: Some("192.0.2.1"),
        now: SAT_10,
        environment: None,
        ..ask("GET", "/messages")
    }
    .run(&p, Some(ADMIN));
    assert!(d.allow, "{}", d.reason);
}

const CONSTRAINED: &str = r#"{
  "version": 1,
  "scopes": {
    "read": {},
    "write": { "implies": ["read"] },
    "ops": { "implies": ["write"], "constraints": { "ipRanges": ["10.0.0.0/8"] } },
    "night": { "constraints": { "timeWindows": [{ "days": ["fri"], "start": "22:00", "end": "06:00" }] } },
    "late": { "constraints": { "timeWindows": [{ "start": "20:00", "end": "24:00" }] } },
    "export": {}
  },
  "roles": { "any": { "grants": ["read"] } },
  "rules": [
    { "method": "GET", "path": "/read", "scopes": ["read"] },
    { "method": "GET", "path": "/night", "scopes": ["night"] },
    { "method": "GET", "path": "/late", "scopes": ["late"] },
    { "method": "GET", "path": "/export", "scopes": ["export"] },
    { "method": "GET", "path": "/either", "anyScopes": ["export", "write"] },
    { "method": "GET", "path": "/prod", "constraints": { "environments": ["production"] }, "maxTokenLifetime": "1m" },
    { "method": "GET", "path": "/by-role", "anyRoles": ["any"] }
  ]
}"#;

#[test]
fn implied_scopes_carry_the_constraints_of_the_scopes_that_imply_them() {
    let p = policy(CONSTRAINED);
    let ops = r#"{"scope":"ops"}"#;
    // ops (office only) implies write implies read: from outside, read is not usable through ops.
    let d = Ask {
        ip: Some("192.0.2.1"),
        ..ask("GET", "/read")
    }
    .run(&p, Some(ops));
    assert_eq!(
        (code(&d), d.constraint),
        (Some("ERR_POLICY_CONSTRAINT_FAILED"), Some("ipRanges"))
    );
    assert!(
        d.reason.contains("scope ops (which grants read here)"),
        "{}",
        d.reason
    );
    assert!(ask("GET", "/read").run(&p, Some(ops)).allow);
    // With write granted directly (an unconstrained path), read is usable from anywhere.
    let d = Ask {
        ip: Some("192.0.2.1"),
        ..ask("GET", "/read")
    }
    .run(&p, Some(r#"{"scope":"ops write"}"#));
    assert!(d.allow, "{}", d.reason);
    // read is role-granted: a token with read but no role is refused; write (no role grants it) is not role-gated.
    assert_eq!(
        code(&ask("GET", "/read").run(&p, Some(r#"{"scope":"read"}"#))),
        Some("ERR_JWT_INSUFFICIENT_SCOPE")
    );
    assert!(
        ask("GET", "/read")
            .run(&p, Some(r#"{"scope":"read","roles":["any"]}"#))
            .allow
    );
    assert!(
        ask("GET", "/read")
            .run(&p, Some(r#"{"scope":"write"}"#))
            .allow
    );
}

#[test]
fn any_of_scopes_and_roles() {
    let p = policy(CONSTRAINED);
    assert!(
        ask("GET", "/either")
            .run(&p, Some(r#"{"scope":"export"}"#))
            .allow
    );
    assert!(
        ask("GET", "/either")
            .run(&p, Some(r#"{"scope":"write"}"#))
            .allow
    );
    let d = ask("GET", "/either").run(&p, Some(r#"{"scope":"read","roles":"any"}"#));
    assert_eq!(d.missing_scopes, vec!["export", "write"]);
    // Only the constrained alternative: its constraint is what fails.
    let d = Ask {
        ip: Some("192.0.2.1"),
        ..ask("GET", "/either")
    }
    .run(&p, Some(r#"{"scope":"ops"}"#));
    assert_eq!(d.constraint, Some("ipRanges"), "{}", d.reason);
    assert!(
        ask("GET", "/by-role")
            .run(&p, Some(r#"{"roles":["any"]}"#))
            .allow
    );
    let d = ask("GET", "/by-role").run(&p, Some(r#"{"roles":["other"]}"#));
    assert_eq!(
        (code(&d), d.missing_roles.clone()),
        (Some("ERR_JWT_INSUFFICIENT_ROLE"), vec!["any".to_owned()])
    );
}

#[test]
fn time_windows_wrap_past_midnight_and_run_to_24_00() {
    let p = policy(CONSTRAINED);
    let night = Some(r#"{"scope":"night"}"#);
    let at = |now| {
        Ask {
            now,
            ..ask("GET", "/night")
        }
        .run(&p, night)
        .allow
    };
    assert!(at(1_795_820_400), "Friday 23:00");
    assert!(at(1_795_831_200), "Saturday 02:00 belongs to Friday night");
    assert!(!at(1_795_917_600), "Sunday 02:00 is not");
    assert!(!at(SAT_10));
    let late = Some(r#"{"scope":"late"}"#);
    assert!(
        Ask {
            now: 1_795_820_400,
            ..ask("GET", "/late")
        }
        .run(&p, late)
        .allow
    );
    assert!(
        !Ask {
            now: WED_19,
            ..ask("GET", "/late")
        }
        .run(&p, late)
        .allow
    );
}

#[test]
fn rule_constraints_and_lifetimes() {
    let p = policy(CONSTRAINED);
    let short = r#"{"iat":100,"exp":160}"#;
    assert!(ask("GET", "/prod").run(&p, Some(short)).allow);
    let d = Ask {
        environment: Some("dev"),
        ..ask("GET", "/prod")
    }
    .run(&p, Some(short));
    assert_eq!(d.constraint, Some("environments"));
    assert!(
        d.reason.starts_with("denied: rule #5 (GET /prod)"),
        "{}",
        d.reason
    );
    assert_eq!(
        ask("GET", "/prod")
            .run(&p, Some(r#"{"iat":100,"exp":161}"#))
            .constraint,
        Some("maxTokenLifetime")
    );
}

const ROUTES: &str = r#"{
  "version": 1,
  "scopes": { "a": {}, "b": {} },
  "rules": [
    { "id": "first", "method": "GET", "path": "/x/:id", "scopes": ["a"] },
    { "id": "second", "method": "*", "path": "/x/**", "scopes": ["b"] },
    { "method": ["get"], "path": "/files/*/meta", "scopes": ["a"] }
  ],
  "default": "allow"
}"#;

#[test]
fn rules_match_in_order_on_method_and_path() {
    let p = policy(ROUTES);
    let a = Some(r#"{"scope":"a"}"#);
    let b = Some(r#"{"scope":"b"}"#);
    assert_eq!(ask("GET", "/x/1").run(&p, a).rule, Some(0));
    assert!(ask("GET", "/x/1").run(&p, a).allow);
    // The first match decides even when a later rule would allow.
    assert!(!ask("GET", "/x/1").run(&p, b).allow);
    assert_eq!(
        ask("HEAD", "/x/1").run(&p, a).rule,
        Some(0),
        "HEAD follows GET rules"
    );
    assert_eq!(ask("POST", "/x/1").run(&p, b).rule, Some(1));
    assert_eq!(ask("GET", "/x/1/2").run(&p, b).rule, Some(1));
    assert_eq!(
        ask("GET", "/x").run(&p, b).rule,
        Some(1),
        "** matches zero segments"
    );
    assert_eq!(ask("get", "/files/7/meta").run(&p, a).rule, Some(2));
    assert_eq!(ask("GET", "/x//1/?q=1").run(&p, a).rule, Some(0));
    // default allow: unmatched routes pass for an authenticated caller, not for none.
    let d = ask("GET", "/other").run(&p, Some("{}"));
    assert_eq!((d.allow, d.rule, d.status), (true, None, 200));
    assert_eq!(ask("GET", "/other").run(&p, None).status, 401);
    // Paths an origin might resolve elsewhere are refused.
    for bad in ["/x/../admin", "/x/%2e%2e/admin", "/x/a%2Fb", "x/1", ""] {
        let d = ask("GET", bad).run(&p, a);
        assert_eq!(
            (d.status, code(&d)),
            (400, Some("ERR_INVALID_REQUEST")),
            "{bad}"
        );
        assert!(d
            .www_authenticate(None)
            .unwrap()
            .contains("invalid_request"));
    }
}

#[test]
fn revocation_comes_before_permissions() {
    let p = policy(MESSAGES);
    let list = RevocationList::from_json(
        br#"{"version":1,"tokens":["t-1"],"subjects":{"u3":1795600800}}"#,
    )
    .unwrap();
    let with_jti = r#"{"jti":"t-1","roles":["reader"],"scope":"read:messages"}"#;
    let d = ask("GET", "/messages").run_with(&p, Some(with_jti), Some(&list));
    assert_eq!((d.status, code(&d)), (401, Some("ERR_JWT_REVOKED")));
    assert!(d
        .www_authenticate(None)
        .unwrap()
        .contains("error=\"invalid_token\""));
    // ADMIN (sub u3) was issued at 1795600700, before the subject's revocation time.
    assert_eq!(
        code(&ask("GET", "/admin/x").run_with(&p, Some(ADMIN), Some(&list))),
        Some("ERR_JWT_REVOKED")
    );
    // Even where no rule matches.
    assert_eq!(
        code(&ask("GET", "/nowhere").run_with(&p, Some(ADMIN), Some(&list))),
        Some("ERR_JWT_REVOKED")
    );
    let fresh = r#"{"sub":"u3","roles":["reader"],"scope":"read:messages","iat":1795600801}"#;
    assert!(
        ask("GET", "/messages")
            .run_with(&p, Some(fresh), Some(&list))
            .allow
    );
    // Public routes stay public.
    assert!(
        ask("GET", "/health")
            .run_with(&p, Some(with_jti), Some(&list))
            .allow
    );
}

#[test]
fn unreadable_claims_keep_the_decision_order() {
    let p = policy(MESSAGES);
    let at = |method, path| Request {
        method,
        path,
        ip: None,
        environment: None,
        now: WED_10,
    };
    assert!(p.evaluate_unreadable(&at("GET", "/health"), true).allow);
    assert_eq!(
        p.evaluate_unreadable(&at("GET", "/a/%2e%2e/b"), true)
            .status,
        400
    );
    let d = p.evaluate_unreadable(&at("GET", "/messages"), false);
    assert_eq!(
        (d.status, code(&d), d.unverified),
        (401, Some("ERR_JWT_INVALID"), true)
    );
    assert_eq!(d.rule, Some(0));
}

#[test]
fn decisions_from_decoded_tokens_are_flagged_unverified() {
    let p = policy(MESSAGES);
    let map = claims(READER);
    let request = Request {
        method: "GET",
        path: "/messages",
        ip: None,
        environment: None,
        now: WED_10,
    };
    let d = p.evaluate(
        Some(Subject {
            claims: &map,
            verified: false,
        }),
        &request,
        None,
    );
    assert!(d.allow && d.unverified);
    let json = d.to_json(&p, None);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["unverified"], true);
    assert_eq!(v["rule"]["path"], "/messages/**");
    assert_eq!(v["rule"]["method"], serde_json::json!(["GET"]));
    assert_eq!(v["missingScopes"], serde_json::json!([]));
    assert_eq!(v["code"], serde_json::Value::Null);
    assert!(
        !p.evaluate(
            Some(Subject {
                claims: &map,
                verified: true
            }),
            &request,
            None
        )
        .unverified
    );
}

#[test]
fn roles_from_a_named_claim_path_and_wildcard_grants() {
    let doc = r#"{
      "version": 1,
      "roleClaim": "realm_access.roles",
      "scopes": { "messages:read": {}, "messages:write": {}, "billing:read": {} },
      "roles": {
        "messaging": { "grants": ["messages:*"] },
        "root": { "grants": ["*"] }
      },
      "rules": [{ "method": "GET", "path": "/m", "scopes": ["messages:write"], "roles": ["messaging"] },
                { "method": "GET", "path": "/b", "scopes": ["billing:read"] }]
    }"#;
    let p = policy(doc);
    let kc = r#"{"realm_access":{"roles":["messaging"]},"roles":["root"],"scope":"messages:write billing:read"}"#;
    let d = ask("GET", "/m").run(&p, Some(kc));
    assert!(d.allow, "{}", d.reason);
    // `roles` is not read when the policy names realm_access.roles: billing:read is root-only.
    assert_eq!(
        code(&ask("GET", "/b").run(&p, Some(kc))),
        Some("ERR_JWT_INSUFFICIENT_SCOPE")
    );
    let d = ask("GET", "/b").run(
        &p,
        Some(r#"{"realm_access":{"roles":["root"]},"scope":"billing:read"}"#),
    );
    assert!(d.allow, "{}", d.reason);
    let d = ask("GET", "/m").run(&p, Some(r#"{"realm_access":{"roles":7}}"#));
    assert_eq!((d.status, code(&d)), (401, Some("ERR_JWT_INVALID")));
    let described: serde_json::Value = serde_json::from_str(&p.describe()).unwrap();
    assert_eq!(
        described["roles"][0]["grantsAll"],
        serde_json::json!(["messages:read", "messages:write"])
    );
    assert_eq!(
        described["roles"][1]["grantsAll"],
        serde_json::json!(["messages:read", "messages:write", "billing:read"])
    );
}

#[test]
fn describe_reports_the_closures() {
    let p = policy(MESSAGES);
    let v: serde_json::Value = serde_json::from_str(&p.describe()).unwrap();
    let read = &v["scopes"][0];
    assert_eq!(read["name"], "read:messages");
    assert_eq!(
        read["grantedBy"],
        serde_json::json!(["reader", "writer", "admin"])
    );
    assert_eq!(
        v["scopes"][2]["constraints"]["ipRanges"],
        serde_json::json!(["10.0.0.0/8", "2001:db8::/32"])
    );
    assert_eq!(v["scopes"][2]["constraints"]["maxTokenLifetime"], 300.0);
    assert_eq!(
        v["scopes"][2]["constraints"]["timeWindows"][0],
        serde_json::json!({"days": ["mon","tue","wed","thu","fri"], "start": "08:00", "end": "18:00"})
    );
    assert_eq!(
        v["roles"][2]["holds"],
        serde_json::json!(["reader", "writer", "admin"])
    );
    assert_eq!(v["rules"][3]["public"], true);
    assert_eq!(
        v["rules"][1]["method"],
        serde_json::json!(["POST", "PUT", "DELETE"])
    );
}

/// (document, JSON path of the error).
fn load_error(doc: &str) -> (String, String) {
    match Policy::from_json(doc.as_bytes()) {
        Ok(_) => panic!("loaded: {doc}"),
        Err(tollgate::Error::PolicyInvalid { path, message }) => (path, message),
        Err(e) => panic!("{e:?}"),
    }
}

#[test]
fn load_errors_name_the_json_path() {
    let with = |from: &str, to: &str| {
        assert!(MESSAGES.contains(from), "{from}");
        MESSAGES.replacen(from, to, 1)
    };
    let cases = [
        (
            with(r#""default": "deny""#, r#""defualt": "deny""#),
            "$.defualt",
        ),
        (with(r#""version": 1,"#, r#""version": 2,"#), "$.version"),
        (with(r#""version": 1,"#, ""), "$.version"),
        (
            with(
                r#""owner": "messaging" },"#,
                r#""owner": "messaging", "ownr": 1 },"#,
            ),
            "$.scopes[\"read:messages\"].ownr",
        ),
        (
            with(
                r#""implies": ["read:messages"]"#,
                r#""implies": ["read:message"]"#,
            ),
            "$.scopes[\"write:messages\"].implies[0]",
        ),
        (
            with(
                r#""10.0.0.0/8", "2001:db8::/32""#,
                r#""10.0.0.0/8", "2001:db8::1/32""#,
            ),
            "$.scopes[\"admin:messages\"].constraints.ipRanges[1]",
        ),
        (
            with(r#""10.0.0.0/8","#, r#""10.0.0/8","#),
            "$.scopes[\"admin:messages\"].constraints.ipRanges[0]",
        ),
        (
            with(r#""start": "08:00""#, r#""start": "8:00""#),
            "$.scopes[\"admin:messages\"].constraints.timeWindows[0].start",
        ),
        (
            with(r#""days": ["mon","#, r#""days": ["monday","#),
            "$.scopes[\"admin:messages\"].constraints.timeWindows[0].days[0]",
        ),
        (
            with(r#""maxTokenLifetime": 300"#, r#""maxTokenLifetime": -1"#),
            "$.scopes[\"admin:messages\"].maxTokenLifetime",
        ),
        (
            with(r#""inherits": ["reader"]"#, r#""inherits": ["readers"]"#),
            "$.roles.writer.inherits[0]",
        ),
        (
            with(
                r#""grants": ["admin:messages"]"#,
                r#""grants": ["admin:message"]"#,
            ),
            "$.roles.admin.grants[0]",
        ),
        (
            with(
                r#""grants": ["read:messages"]"#,
                r#""grants": ["read:messages"], "inherits": ["admin"]"#,
            ),
            "$.roles.reader.inherits",
        ),
        (
            with(
                r#""scopes": ["write:messages"]"#,
                r#""scopes": ["write:mesages"]"#,
            ),
            "$.rules[1].scopes[0]",
        ),
        (
            with(r#""roles": ["admin"]"#, r#""roles": ["administrator"]"#),
            "$.rules[2].roles[0]",
        ),
        (
            with(r#""path": "/messages/:id""#, r#""path": "/messages/**/x""#),
            "$.rules[1].path",
        ),
        (
            with(r#""method": "*""#, r#""method": "ANY THING""#),
            "$.rules[2].method",
        ),
        (
            with(r#""method": "*""#, r#""verb": "*""#),
            "$.rules[2].verb",
        ),
        (
            with(
                r#""public": true"#,
                r#""public": true, "scopes": ["read:messages"]"#,
            ),
            "$.rules[3].public",
        ),
        (
            with(
                r#""scopes": ["read:messages"], "roles": ["reader"]"#,
                r#""scopes": ["read:messages", "read:messages"]"#,
            ),
            "$.rules[0].scopes[1]",
        ),
        (
            with(r#""default": "deny""#, r#""default": "maybe""#),
            "$.default",
        ),
        (
            with(r#""roleClaim": "roles","#, r#""roleClaim": "a..b","#),
            "$.roleClaim",
        ),
        (
            with(
                r#"{ "id": "health""#,
                r#"{ "id": "health", "x": 1 }, { "id": "health""#,
            ),
            "$.rules[3].x",
        ),
        (
            with(
                r#""rules": ["#,
                r#""rules": [{ "id": "health", "method": "GET", "path": "/h" }, "#,
            ),
            "$.rules[4].id",
        ),
        (
            with(
                r#""grants": ["admin:messages"]"#,
                r#""grants": ["billing:*"]"#,
            ),
            "$.roles.admin.grants[0]",
        ),
        (
            with(r#""grants": ["admin:messages"]"#, r#""grants": ["adm*"]"#),
            "$.roles.admin.grants[0]",
        ),
        (
            with(r#""read:messages":  {"#, r#""read messages":  {"#),
            "$.scopes[\"read messages\"]",
        ),
    ];
    for (doc, want) in cases {
        let (path, message) = load_error(&doc);
        assert_eq!(path, want, "{message}");
        assert!(!message.is_empty());
    }
    let cycle = r#"{"version":1,"scopes":{"a":{"implies":["b"]},"b":{"implies":["a"]}}}"#;
    let (path, message) = load_error(cycle);
    assert_eq!(path, "$.scopes.a.implies");
    assert!(message.contains("cycle"));
    let (path, _) = load_error(r#"{"version":1,"scopes":{},"roles":{"r":{"inherits":["r"]}}}"#);
    assert_eq!(path, "$.roles.r.inherits");
    assert_eq!(load_error("{").0, "$");
    assert_eq!(
        load_error(r#"{"version":1,"scopes":{"a":{}},"scopes":{}}"#).0,
        "$"
    );
    assert_eq!(load_error(r#"{"version":1}"#).0, "$.scopes");
}

/// A tiny deterministic generator: the evaluation must answer every input.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

#[test]
fn evaluation_answers_every_request() {
    let p = policy(MESSAGES);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let methods = ["GET", "HEAD", "POST", "delete", "", "G\u{0}T", "PATCH"];
    let paths = [
        "/",
        "/messages",
        "/messages/1",
        "/admin/**",
        "/admin",
        "//",
        "/%",
        "/\u{7f}",
        "?",
        "/a/../b",
        "/health?x",
        "/health#",
    ];
    let ips = [
        "10.0.0.1",
        "::1",
        "",
        "999.1.1.1",
        "::ffff:10.0.0.1",
        "fe80::1%1",
        "2001:db8::",
    ];
    let values = [
        r#""reader""#,
        r#"["admin","writer"]"#,
        "7",
        "null",
        "{}",
        r#"["x",1]"#,
        r#""admin:messages read:messages""#,
        "[]",
        "1e400",
    ];
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..20_000 {
        let claims_json = format!(
            r#"{{"roles":{},"scope":{},"iat":{},"exp":{},"jti":{}}}"#,
            rng.pick(&values),
            rng.pick(&values),
            rng.pick(&["0", "1795600700", "\"x\"", "-5", "1e300"]),
            rng.pick(&["1795600800", "0", "null"]),
            rng.pick(&[r#""t-1""#, "1", "null"])
        );
        let request = Ask {
            method: rng.pick(&methods),
            path: rng.pick(&paths),
            ip: Some(rng.pick(&ips)),
            environment: Some(rng.pick(&["production", "", "dev"])),
            now: (rng.next() % 4_000_000_000) as i64,
        };
        let with_claims = parse_object(claims_json.as_bytes())
            .ok()
            .map(|_| claims_json.as_str());
        let d = request.run(&p, with_claims);
        assert_eq!(d.allow, d.status == 200);
        assert_eq!(d.allow, d.code.is_none());
        assert!(matches!(d.status, 200 | 400 | 401 | 403));
        assert!(!d.reason.is_empty() && !d.reason.contains('\n'));
        let json = d.to_json(&p, Some("api"));
        assert!(
            serde_json::from_str::<serde_json::Value>(&json).is_ok(),
            "{json}"
        );
        seen.insert(code(&d).unwrap_or("allow"));
    }
    // The generator reaches every kind of answer.
    for code in [
        "allow",
        "ERR_INVALID_REQUEST",
        "ERR_JWT_INVALID",
        "ERR_JWT_INSUFFICIENT_SCOPE",
        "ERR_POLICY_NO_MATCHING_RULE",
        "ERR_POLICY_CONSTRAINT_FAILED",
    ] {
        assert!(seen.contains(code), "{code} never produced: {seen:?}");
    }
}
