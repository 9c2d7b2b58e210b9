//! `Policy::describe`: the compiled model written out as JSON.

use std::fmt::Write as _;

use super::bits::Bits;
use super::decision::write_opt_str;
use super::model::Policy;
use crate::json::{write_str, write_str_array};
use crate::scopes;

impl Policy {
    /// The compiled model as JSON text: scopes with their closures and the
    /// roles that grant them, roles with what they hold, and rules.
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
            out.push_str(",\"grants\":");
            write_str_array(&mut out, &r.grants_written);
            out.push_str(",\"grantsAll\":");
            write_str_array(
                &mut out,
                &names(&r.grants, &|j| self.scope_name(j).to_owned()),
            );
            out.push('}');
        }
        out.push_str("],\"rules\":[");
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
            out.push('}');
        }
        out.push_str("]}");
        out
    }
}
