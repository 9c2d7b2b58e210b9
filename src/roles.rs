//! Roles held by a token's subject, read from where identity providers put
//! them: `roles` (Azure AD app roles, Auth0 RBAC rules), `role`, `groups`
//! (Okta, Cognito `cognito:groups` by path), Keycloak's `realm_access.roles`
//! and `resource_access.<client>.roles`, or any claim path the caller names.
//! Matching is exact and case-sensitive, like scopes.

use crate::error::Error;
use crate::json::{Map, Value};
use crate::scopes::{collect, dedupe};

/// The claim paths read when the caller names none.
pub const DEFAULT_PATHS: [&[&str]; 4] = [
    &["roles"],
    &["role"],
    &["groups"],
    &["realm_access", "roles"],
];

/// Where a token's roles are read from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Source {
    /// The union of `roles`, `role`, `groups` and `realm_access.roles`.
    #[default]
    Default,
    /// Only the claim at this path of object members.
    Path(Vec<String>),
}

impl Source {
    /// Parses a claim path: dot-separated members (`realm_access.roles`), except
    /// that a name containing `://` (an Auth0-style namespaced claim such as
    /// `https://example.com/roles`) is one member. `None` when a member is empty.
    pub fn parse(path: &str) -> Option<Source> {
        // A byte search, not `str::contains`: the substring searcher and its
        // panic formatting cost ~5 KB of gzipped wasm.
        let segments: Vec<String> = if path.as_bytes().windows(3).any(|w| w == b"://") {
            vec![path.to_owned()]
        } else {
            path.split('.').map(str::to_owned).collect()
        };
        Source::from_segments(segments)
    }

    /// A path given member by member (for names that contain dots).
    pub fn from_segments(segments: Vec<String>) -> Option<Source> {
        if segments.is_empty() || segments.iter().any(String::is_empty) {
            return None;
        }
        Some(Source::Path(segments))
    }

    /// The path as written in documentation and errors (`realm_access.roles`).
    pub fn describe(&self) -> String {
        match self {
            Source::Default => "roles, role, groups, realm_access.roles".to_owned(),
            Source::Path(p) => p.join("."),
        }
    }
}

fn lookup<'a, S: AsRef<str>>(claims: &'a Map, path: &[S]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut value = claims.get(first.as_ref())?;
    for name in rest {
        value = value.get(name.as_ref())?;
    }
    Some(value)
}

/// Reads the roles in `claims`: arrays of strings or space-delimited strings,
/// deduplicated in order of appearance. A claim of any other shape is an
/// `ERR_JWT_INVALID` error when `strict`, and ignored otherwise (a token
/// whose `groups` hold objects still verifies when nothing needs roles).
pub fn granted(claims: &Map, source: &Source, strict: bool) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    let mut read = |value: &Value| -> Result<(), Error> {
        let before = out.len();
        if collect(value, &mut out).is_none() {
            out.truncate(before);
            if strict {
                return Err(Error::JwtInvalid {
                    claim: None,
                    message: "role claim must be a space-delimited string or an array of strings",
                });
            }
        }
        Ok(())
    };
    match source {
        Source::Default => {
            for path in DEFAULT_PATHS {
                if let Some(value) = lookup(claims, path) {
                    read(value)?;
                }
            }
        }
        Source::Path(path) => {
            if let Some(value) = lookup(claims, path) {
                read(value)?;
            }
        }
    }
    Ok(dedupe(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(json: &str) -> Map {
        crate::json::parse_object(json.as_bytes()).unwrap()
    }

    fn roles(json: &str, source: &Source) -> Result<Vec<String>, &'static str> {
        granted(&claims(json), source, true).map_err(|e| e.code())
    }

    #[test]
    fn reads_the_common_claims() {
        let c = r#"{"roles":["admin","reader"],"role":"writer","groups":"g1 g2","realm_access":{"roles":["kc"]},
                   "resource_access":{"my.client":{"roles":["client-role"]}},"https://example.com/roles":["ns"]}"#;
        assert_eq!(
            roles(c, &Source::Default),
            Ok(vec![
                "admin".into(),
                "reader".into(),
                "writer".into(),
                "g1".into(),
                "g2".into(),
                "kc".into()
            ])
        );
        assert_eq!(
            roles(c, &Source::parse("realm_access.roles").unwrap()),
            Ok(vec!["kc".into()])
        );
        let client = Source::from_segments(vec![
            "resource_access".into(),
            "my.client".into(),
            "roles".into(),
        ]);
        assert_eq!(roles(c, &client.unwrap()), Ok(vec!["client-role".into()]));
        assert_eq!(
            roles(c, &Source::parse("https://example.com/roles").unwrap()),
            Ok(vec!["ns".into()])
        );
        assert_eq!(
            roles(c, &Source::parse("nothing.here").unwrap()),
            Ok(vec![])
        );
        assert_eq!(
            roles(r#"{"roles":["a","a"]}"#, &Source::Default),
            Ok(vec!["a".into()])
        );
    }

    #[test]
    fn malformed_role_claims_are_errors_only_when_strict() {
        let c = r#"{"roles":[1],"groups":["g"]}"#;
        assert_eq!(roles(c, &Source::Default), Err("ERR_JWT_INVALID"));
        assert_eq!(
            granted(&claims(c), &Source::Default, false),
            Ok(vec!["g".into()])
        );
        assert_eq!(
            roles(r#"{"realm_access":{"roles":{}}}"#, &Source::Default),
            Err("ERR_JWT_INVALID")
        );
        // A path through a non-object is absent, not malformed.
        assert_eq!(
            roles(r#"{"realm_access":["x"]}"#, &Source::Default),
            Ok(vec![])
        );
    }

    #[test]
    fn paths_must_name_members() {
        assert_eq!(Source::parse(""), None);
        assert_eq!(Source::parse("a..b"), None);
        assert_eq!(Source::parse(".a"), None);
        assert_eq!(Source::from_segments(vec![]), None);
        assert_eq!(
            Source::parse("a.b").map(|s| s.describe()),
            Some("a.b".to_owned())
        );
    }
}
