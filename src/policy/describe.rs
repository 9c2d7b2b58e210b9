//! `Policy::describe`: the compiled model written out as JSON.

use std::fmt::Write as _;

use super::bits::Bits;
use super::decision::write_opt_str;
use super::load::wildcard_prefix;
use super::model::{Policy, Rule};
use crate::json::{write_str, write_str_array};
use crate::route::Segment;
use crate::scopes;

impl Policy {
    /// The compiled model as JSON text: scopes with their closures (both
    /// ways) and the roles that grant them, roles with what they hold and are
    /// held by and what each grant expands to, and rules with the earlier
    /// rules that shadow them.
    pub fn describe(&self) -> String {
        let mut out = String::with_capacity(1024);
        let _ = write!(
            out,
            "{{\"version\":1,\"default\":\"{}\",\"description\":",
            if self.default_allow { "allow" } else { "deny" }
        );
        write_opt_str(&mut out, self.description.as_deref());
        out.push_str(",\"scopeClaim\":");
        write_opt_str(
            &mut out,
            match &self.scope_source {
                scopes::Source::Claim(c) => Some(c.as_str()),
                scopes::Source::Default => None,
            },
        );
        out.push_str(",\"roleClaim\":");
        write_opt_str(&mut out, self.role_claim_text.as_deref());
        out.push_str(",\"scopes\":[");
        let names = |bits: &Bits, f: &dyn Fn(usize) -> String| -> Vec<String> {
            bits.iter().map(f).collect()
        };
        for (i, s) in self.scopes.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"name\":");
            write_str(&mut out, &s.name);
            out.push_str(",\"description\":");
            write_opt_str(&mut out, s.description.as_deref());
            out.push_str(",\"owner\":");
            write_opt_str(&mut out, s.owner.as_deref());
            out.push_str(",\"implies\":");
            let direct: Vec<String> = s
                .implies
                .iter()
                .map(|&j| self.scope_name(j).to_owned())
                .collect();
            write_str_array(&mut out, &direct);
            out.push_str(",\"impliesAll\":");
            write_str_array(
                &mut out,
                &names(&s.implied, &|j| self.scope_name(j).to_owned()),
            );
            out.push_str(",\"impliedBy\":");
            let by: Vec<String> = self
                .scopes
                .iter()
                .filter(|other| other.implied.has(i))
                .map(|other| other.name.clone())
                .collect();
            write_str_array(&mut out, &by);
            out.push_str(",\"grantedBy\":");
            let by: Vec<String> = self
                .roles
                .iter()
                .filter(|r| r.grants.has(i))
                .map(|r| r.name.clone())
                .collect();
            write_str_array(&mut out, &by);
            let _ = write!(out, ",\"roleGated\":{}", self.role_granted.has(i));
            out.push_str(",\"constraints\":");
            s.constraints.write(&mut out);
            out.push_str(",\"deprecated\":");
            write_opt_str(&mut out, s.deprecated.as_deref());
            out.push_str(",\"sunset\":");
            write_opt_str(&mut out, s.sunset.as_deref());
            out.push('}');
        }
        out.push_str("],\"roles\":[");
        for (i, r) in self.roles.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"name\":");
            write_str(&mut out, &r.name);
            out.push_str(",\"description\":");
            write_opt_str(&mut out, r.description.as_deref());
            out.push_str(",\"owner\":");
            write_opt_str(&mut out, r.owner.as_deref());
            out.push_str(",\"inherits\":");
            let direct: Vec<String> = r
                .inherits
                .iter()
                .map(|&j| self.role_name(j).to_owned())
                .collect();
            write_str_array(&mut out, &direct);
            out.push_str(",\"holds\":");
            write_str_array(
                &mut out,
                &names(&r.holds, &|j| self.role_name(j).to_owned()),
            );
            out.push_str(",\"heldBy\":");
            let by: Vec<String> = self
                .roles
                .iter()
                .enumerate()
                .filter(|&(j, other)| j != i && other.holds.has(i))
                .map(|(_, other)| other.name.clone())
                .collect();
            write_str_array(&mut out, &by);
            out.push_str(",\"grants\":");
            write_str_array(&mut out, &r.grants_written);
            // Each grant as written, expanded: itself, or the scopes a wildcard names.
            out.push_str(",\"grantScopes\":[");
            for (k, grant) in r.grants_written.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                let scopes: Vec<String> = match wildcard_prefix(grant) {
                    Some(prefix) => self
                        .scopes
                        .iter()
                        .filter(|s| s.name.starts_with(prefix))
                        .map(|s| s.name.clone())
                        .collect(),
                    None => vec![grant.clone()],
                };
                write_str_array(&mut out, &scopes);
            }
            out.push(']');
            out.push_str(",\"grantsAll\":");
            write_str_array(
                &mut out,
                &names(&r.grants, &|j| self.scope_name(j).to_owned()),
            );
            out.push('}');
        }
        out.push_str("],\"rules\":[");
        let shadowed = self.shadowed();
        for (i, r) in self.rules.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{{\"index\":{i},\"id\":");
            write_opt_str(&mut out, r.id.as_deref());
            out.push_str(",\"description\":");
            write_opt_str(&mut out, r.description.as_deref());
            out.push_str(",\"method\":");
            write_str_array(&mut out, &r.methods.names());
            out.push_str(",\"path\":");
            write_str(&mut out, &r.path_text);
            for (field, list) in [("scopes", &r.scopes), ("anyScopes", &r.any_scopes)] {
                let _ = write!(out, ",\"{field}\":");
                let v: Vec<String> = list
                    .iter()
                    .map(|&j| self.scope_name(j).to_owned())
                    .collect();
                write_str_array(&mut out, &v);
            }
            for (field, list) in [("roles", &r.roles), ("anyRoles", &r.any_roles)] {
                let _ = write!(out, ",\"{field}\":");
                let v: Vec<String> = list.iter().map(|&j| self.role_name(j).to_owned()).collect();
                write_str_array(&mut out, &v);
            }
            let _ = write!(out, ",\"public\":{},\"constraints\":", r.public);
            r.constraints.write(&mut out);
            out.push_str(",\"unsatisfiableScopes\":");
            let unsatisfiable: Vec<String> = self
                .unsatisfiable(r)
                .into_iter()
                .map(|j| self.scope_name(j).to_owned())
                .collect();
            write_str_array(&mut out, &unsatisfiable);
            // A first segment that is a wildcard spans every namespace.
            out.push_str(",\"leadingWildcard\":");
            let leading = match r.path.segments().first() {
                Some(Segment::One | Segment::Rest) => {
                    r.path_text.split('/').find(|s| !s.is_empty())
                }
                _ => None,
            };
            write_opt_str(&mut out, leading);
            out.push_str(",\"shadowedBy\":");
            match shadowed.iter().find(|s| s.index == i) {
                Some(s) => {
                    out.push('[');
                    for (k, by) in s.by.iter().enumerate() {
                        let _ = write!(out, "{}{by}", if k > 0 { "," } else { "" });
                    }
                    out.push(']');
                }
                None => out.push_str("null"),
            }
            out.push('}');
        }
        out.push_str("]}");
        out
    }
}

impl Policy {
    /// The scopes `rule` requires that no token can make effective while its
    /// user holds only the rule's roles (`roles` and `anyRoles`): scopes some
    /// other role grants, and nothing the user can have implies. A scope no
    /// role grants is honoured as issued, so it is always reachable. Empty
    /// for a rule without roles.
    fn unsatisfiable(&self, rule: &Rule) -> Vec<usize> {
        if rule.roles.is_empty() && rule.any_roles.is_empty() {
            return Vec::new();
        }
        let mut reach = Bits::new(self.scopes.len());
        for role in rule.roles.iter().chain(&rule.any_roles) {
            if let Some(r) = self.roles.get(*role) {
                reach.union(&r.grants);
            }
        }
        for (i, s) in self.scopes.iter().enumerate() {
            if !self.role_granted.has(i) {
                reach.set(i);
                reach.union(&s.implied);
            }
        }
        rule.scopes
            .iter()
            .chain(&rule.any_scopes)
            .copied()
            .filter(|&i| !reach.has(i))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn describe_has_inverse_closures_grant_expansions_and_reachability() {
        let p = Policy::from_json(
            br#"{"version":1,
              "scopes":{"notes:read":{},"notes:write":{"implies":["notes:read"]},"admin":{}},
              "roles":{"reader":{"grants":["notes:read"]},
                       "editor":{"inherits":["reader"],"grants":["notes:*","admin"]}},
              "rules":[{"method":"GET","path":"/notes/**","scopes":["notes:read"]},
                       {"method":"GET","path":"/notes/:id","scopes":["notes:read"]},
                       {"method":"*","path":"/:tenant/x","scopes":["admin"]}]}"#,
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&p.describe()).unwrap();
        assert_eq!(
            v["scopes"][0]["impliedBy"],
            serde_json::json!(["notes:write"])
        );
        assert_eq!(v["scopes"][1]["impliedBy"], serde_json::json!([]));
        assert_eq!(v["roles"][0]["heldBy"], serde_json::json!(["editor"]));
        assert_eq!(v["roles"][1]["heldBy"], serde_json::json!([]));
        assert_eq!(
            v["roles"][1]["grantScopes"],
            serde_json::json!([["notes:read", "notes:write"], ["admin"]])
        );
        assert_eq!(v["rules"][0]["shadowedBy"], serde_json::Value::Null);
        assert_eq!(v["rules"][1]["shadowedBy"], serde_json::json!([0]));
        assert_eq!(v["rules"][0]["leadingWildcard"], serde_json::Value::Null);
        assert_eq!(v["rules"][2]["leadingWildcard"], ":tenant");
        assert_eq!(v["rules"][0]["unsatisfiableScopes"], serde_json::json!([]));
        let gated = Policy::from_json(
            br#"{"version":1,
              "scopes":{"read":{},"write":{"implies":["read"]},"export":{"implies":["write"]},"admin":{}},
              "roles":{"reader":{"grants":["read"]},"boss":{"grants":["admin"]},"writer":{"grants":["write"]}},
              "rules":[{"method":"GET","path":"/a","scopes":["read","admin"],"roles":["reader"]},
                       {"method":"GET","path":"/b","anyScopes":["write"],"anyRoles":["reader"]},
                       {"method":"GET","path":"/c","scopes":["admin"],"anyRoles":["reader","boss"]}]}"#,
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&gated.describe()).unwrap();
        // admin: only boss grants it. write: role-gated, but export (delegation-only) implies it.
        assert_eq!(
            v["rules"][0]["unsatisfiableScopes"],
            serde_json::json!(["admin"])
        );
        assert_eq!(v["rules"][1]["unsatisfiableScopes"], serde_json::json!([]));
        assert_eq!(v["rules"][2]["unsatisfiableScopes"], serde_json::json!([]));
    }
}
