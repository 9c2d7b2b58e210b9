//! Scopes granted by a token and checks against required ones. Matching is
//! exact and case-sensitive (RFC 6749 §3.3): `read` does not grant
//! `read:messages`, and `read:messagesX` is not `read:messages`.

use crate::json::{Map, Value};

use crate::error::Error;

/// The claims scopes are read from when the caller names none: OAuth's
/// `scope` (RFC 8693 §4.2), Microsoft's `scp` and Auth0's `permissions`.
pub const DEFAULT_CLAIMS: [&str; 3] = ["scope", "scp", "permissions"];

/// Where a token's scopes are read from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Source {
    /// The union of `scope`, `scp` and `permissions`.
    #[default]
    Default,
    /// Only the named claim.
    Claim(String),
}

/// Whether all required scopes are needed, or any one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// Every required scope must be granted.
    #[default]
    All,
    /// At least one required scope must be granted.
    Any,
}

/// The outcome of a scope check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// Whether the requirement is met.
    pub ok: bool,
    /// The required scopes that are not granted.
    pub missing: Vec<String>,
}

/// Reads the granted scopes from the claims: space-delimited strings or
/// arrays of strings, deduplicated in order of appearance. Any other shape is
/// an `ERR_JWT_INVALID` error naming the claim, never "no scopes".
pub fn granted(claims: &Map, source: &Source) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    match source {
        Source::Default => {
            for name in DEFAULT_CLAIMS {
                if let Some(value) = claims.get(name) {
                    collect(value, &mut out).ok_or(Error::JwtInvalid {
                        claim: Some(name),
                        message:
                            "scope claim must be a space-delimited string or an array of strings",
                    })?;
                }
            }
        }
        Source::Claim(name) => {
            if let Some(value) = claims.get(name) {
                collect(value, &mut out).ok_or(Error::JwtInvalid {
                    claim: None,
                    message: "scope claim must be a space-delimited string or an array of strings",
                })?;
            }
        }
    }
    Ok(dedupe(out))
}

/// Adds the scopes in one claim value; `None` when it has the wrong shape.
/// Duplicates stay until [`dedupe`].
pub(crate) fn collect(value: &Value, out: &mut Vec<String>) -> Option<()> {
    match value {
        Value::String(s) => {
            for scope in s.split(' ').filter(|s| !s.is_empty()) {
                out.push(scope.to_owned());
            }
            Some(())
        }
        Value::Array(items) => {
            for item in items {
                out.push(item.as_str()?.to_owned());
            }
            Some(())
        }
        _ => None,
    }
}

/// Removes repeated scopes, keeping the first of each in order. Sorting
/// indices keeps this O(n log n): a token may carry tens of thousands of
/// scopes, and a quadratic pass would let one token stall the worker.
pub(crate) fn dedupe(scopes: Vec<String>) -> Vec<String> {
    if scopes.len() <= crate::json::SMALL {
        let mut out: Vec<String> = Vec::with_capacity(scopes.len());
        for scope in scopes {
            if !out.contains(&scope) {
                out.push(scope);
            }
        }
        return out;
    }
    let names: Vec<&str> = scopes.iter().map(String::as_str).collect();
    let order = crate::json::sorted_order(&names);
    let mut keep = vec![false; scopes.len()];
    let mut previous: Option<&str> = None;
    for &i in &order {
        let current = names.get(i).copied();
        if current != previous {
            if let Some(k) = keep.get_mut(i) {
                *k = true;
            }
        }
        previous = current;
    }
    scopes
        .into_iter()
        .zip(keep)
        .filter_map(|(s, k)| k.then_some(s))
        .collect()
}

/// Checks `granted` against `required` under `mode`. An empty requirement is met.
pub fn check(granted: &[String], required: &[String], mode: Mode) -> Check {
    let missing: Vec<String> = required
        .iter()
        .filter(|r| !granted.contains(r))
        .cloned()
        .collect();
    let ok = match mode {
        Mode::All => missing.is_empty(),
        Mode::Any => required.is_empty() || missing.len() < required.len(),
    };
    Check { ok, missing }
}

/// Whether `scope` is a valid RFC 6749 §3.3 scope-token
/// (`1*( %x21 / %x23-5B / %x5D-7E )`).
pub fn is_scope_token(scope: &str) -> bool {
    !scope.is_empty()
        && scope
            .bytes()
            .all(|b| matches!(b, 0x21 | 0x23..=0x5b | 0x5d..=0x7e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(json: &str) -> Map {
        crate::json::parse_object(json.as_bytes()).unwrap()
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn reads_every_common_claim_shape() {
        let c = claims(r#"{"scope":"a  b a","scp":["c","b"],"permissions":["d"],"other":"x"}"#);
        assert_eq!(granted(&c, &Source::Default), Ok(s(&["a", "b", "c", "d"])));
        assert_eq!(
            granted(&c, &Source::Claim("scp".into())),
            Ok(s(&["c", "b"]))
        );
        assert_eq!(granted(&c, &Source::Claim("other".into())), Ok(s(&["x"])));
        assert_eq!(granted(&c, &Source::Claim("none".into())), Ok(vec![]));
        assert_eq!(
            granted(&claims(r#"{"scp":"a b"}"#), &Source::Default),
            Ok(s(&["a", "b"]))
        );
    }

    #[test]
    fn malformed_scope_claims_are_errors_not_empty() {
        for bad in [
            r#"{"scope":{"read":true}}"#,
            r#"{"scp":[1]}"#,
            r#"{"permissions":null}"#,
            r#"{"scope":7}"#,
        ] {
            let got = granted(&claims(bad), &Source::Default);
            assert_eq!(
                got.as_ref().map_err(Error::code),
                Err("ERR_JWT_INVALID"),
                "{bad}"
            );
        }
        let e = granted(&claims(r#"{"scp":[1]}"#), &Source::Default).err();
        assert_eq!(e.as_ref().and_then(Error::claim), Some("scp"));
    }

    #[test]
    fn dedupe_keeps_first_occurrences_in_order_and_scales() {
        assert_eq!(dedupe(s(&["b", "a", "b", "c", "a"])), s(&["b", "a", "c"]));
        assert_eq!(dedupe(Vec::new()), Vec::<String>::new());
        // Around SMALL, where the pairwise scan gives way to sorting: the same answer.
        for n in [crate::json::SMALL, crate::json::SMALL + 1] {
            let items: Vec<String> = (0..n).map(|i| format!("s{}", (i * 7) % 5)).collect();
            assert_eq!(dedupe(items), s(&["s0", "s2", "s4", "s1", "s3"]), "{n}");
        }
        let many: Vec<String> = (0..200_000).map(|i| format!("s{}", i % 100_000)).collect();
        // 200 000 entries: a quadratic pass would take minutes here.
        let out = dedupe(many);
        assert_eq!(out.len(), 100_000);
        assert_eq!(out.first().map(String::as_str), Some("s0"));
    }

    #[test]
    fn matching_is_exact() {
        let g = s(&["read:messagesX", "read", "Write:messages"]);
        let c = check(&g, &s(&["read:messages", "write:messages"]), Mode::All);
        assert_eq!(
            c,
            Check {
                ok: false,
                missing: s(&["read:messages", "write:messages"])
            }
        );
        assert!(!check(&g, &s(&["read:messages"]), Mode::Any).ok);
        assert!(check(&g, &s(&["read:messages", "read"]), Mode::Any).ok);
        assert!(check(&g, &s(&["read", "read:messagesX"]), Mode::All).ok);
        assert!(check(&[], &[], Mode::All).ok && check(&[], &[], Mode::Any).ok);
    }

    #[test]
    fn scope_tokens() {
        assert!(is_scope_token("read:messages") && is_scope_token("https://x/y!"));
        assert!(
            !is_scope_token("")
                && !is_scope_token("a b")
                && !is_scope_token("a\"b")
                && !is_scope_token("a\\b")
        );
        assert!(!is_scope_token("é"));
    }
}
