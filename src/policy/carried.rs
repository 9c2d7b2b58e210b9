//! What a token carries, as the policy reads it: the roles held (with
//! inheritance) and the scopes honoured, refused (role-granted, but no role of
//! the user grants them) or unknown. Evaluation and `Policy::carried` (for
//! tools comparing tokens with the policy) read claims through this one place.

use super::bits::Bits;
use super::model::Policy;
use crate::error::Error;
use crate::json::{write_str_array, Map};
use crate::{roles, scopes};

/// The roles and scopes of a subject, by index.
pub(super) struct Reading {
    /// Roles held: those the token lists that the policy knows, and all they inherit.
    pub(super) held: Bits,
    /// Catalog scopes the token carries that count.
    pub(super) honoured: Bits,
    /// Role-granted scopes the token carries without a role that grants them.
    pub(super) refused: Vec<usize>,
    /// Scopes the token carries that the catalog does not define.
    pub(super) unknown: Vec<String>,
}

/// What a token carries, read as the policy reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Carried {
    /// Every scope in the token, from the policy's scope claim(s).
    pub scopes: Vec<String>,
    /// Every role in the token, from the policy's role claim(s).
    pub roles: Vec<String>,
    /// Scopes some role grants that the token carries without a role granting them: ignored.
    pub refused: Vec<String>,
    /// Scopes not in the catalog (kept in decisions, required by no rule).
    pub unknown_scopes: Vec<String>,
    /// Roles the policy does not define: ignored.
    pub unknown_roles: Vec<String>,
}

impl Carried {
    /// `{"scopes","roles","refused","unknownScopes","unknownRoles"}`, each an array of names.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{");
        for (i, (field, names)) in [
            ("scopes", &self.scopes),
            ("roles", &self.roles),
            ("refused", &self.refused),
            ("unknownScopes", &self.unknown_scopes),
            ("unknownRoles", &self.unknown_roles),
        ]
        .into_iter()
        .enumerate()
        {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(field);
            out.push_str("\":");
            write_str_array(&mut out, names);
        }
        out.push('}');
        out
    }
}

impl Policy {
    /// Reads the token's scopes and roles against the model.
    pub(super) fn reading(&self, granted: &[String], token_roles: &[String]) -> Reading {
        let mut held = Bits::new(self.roles.len());
        let mut user_grants = Bits::new(self.scopes.len());
        for name in token_roles {
            if let Some(role) = self.role_index(name).and_then(|i| self.roles.get(i)) {
                held.union(&role.holds);
                user_grants.union(&role.grants);
            }
        }
        let mut honoured = Bits::new(self.scopes.len());
        let mut refused = Vec::new();
        let mut unknown = Vec::new();
        for name in granted {
            match self.scope_index(name) {
                Some(i) if self.role_granted.has(i) && !user_grants.has(i) => refused.push(i),
                Some(i) => honoured.set(i),
                None => unknown.push(name.clone()),
            }
        }
        Reading {
            held,
            honoured,
            refused,
            unknown,
        }
    }

    /// What `claims` carry, read from the policy's scope and role claims.
    /// `Err` (`ERR_JWT_INVALID`) when a scope or role claim has the wrong
    /// shape: evaluation answers such a token with 401.
    pub fn carried(&self, claims: &Map) -> Result<Carried, Error> {
        let scopes = scopes::granted(claims, &self.scope_source)?;
        let roles = roles::granted(claims, &self.role_source, true)?;
        let reading = self.reading(&scopes, &roles);
        let unknown_roles = roles
            .iter()
            .filter(|r| self.role_index(r).is_none())
            .cloned()
            .collect();
        Ok(Carried {
            refused: reading
                .refused
                .iter()
                .map(|&i| self.scope_name(i).to_owned())
                .collect(),
            unknown_scopes: reading.unknown,
            unknown_roles,
            scopes,
            roles,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::json::parse_object;

    const DOC: &str = r#"{"version":1,"roleClaim":"app.roles",
      "scopes":{"read":{},"write":{"implies":["read"]},"export":{}},
      "roles":{"reader":{"grants":["read"]},"writer":{"inherits":["reader"],"grants":["write"]}}}"#;

    fn carried(claims: &str) -> Result<Carried, Error> {
        let p = Policy::from_json(DOC.as_bytes()).unwrap();
        p.carried(&parse_object(claims.as_bytes()).unwrap())
    }

    #[test]
    fn reads_the_policy_claims_and_sorts_what_it_finds() {
        let c = carried(
            r#"{"scope":"read write export legacy","app":{"roles":["reader","ghost"]},"roles":["writer"]}"#,
        )
        .unwrap();
        assert_eq!(c.scopes, ["read", "write", "export", "legacy"]);
        assert_eq!(
            c.roles,
            ["reader", "ghost"],
            "only the policy's roleClaim is read"
        );
        assert_eq!(c.refused, ["write"], "a reader's token carrying write");
        assert_eq!(c.unknown_scopes, ["legacy"]);
        assert_eq!(c.unknown_roles, ["ghost"]);
        let writer = carried(r#"{"scp":["write"],"app":{"roles":"writer"}}"#).unwrap();
        assert!(writer.refused.is_empty());
    }

    #[test]
    fn unreadable_claims_are_errors() {
        assert_eq!(
            carried(r#"{"scope":7}"#).unwrap_err().code(),
            "ERR_JWT_INVALID"
        );
        assert_eq!(
            carried(r#"{"app":{"roles":[{}]}}"#).unwrap_err().code(),
            "ERR_JWT_INVALID"
        );
    }
}
