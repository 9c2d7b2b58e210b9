//! The compiled policy: `Policy`, its scope, role and rule definitions, and lookups in them.

use super::bits::Bits;
use super::constraints::Constraints;
use crate::route::{Methods, Pattern};
use crate::{roles, scopes};

#[derive(Clone, Debug, PartialEq)]
pub(super) struct ScopeDef {
    pub(super) name: String,
    pub(super) description: Option<String>,
    pub(super) owner: Option<String>,
    pub(super) implies: Vec<usize>,
    /// Scopes implied, transitively (not including itself).
    pub(super) implied: Bits,
    pub(super) constraints: Constraints,
    pub(super) deprecated: Option<String>,
    pub(super) sunset: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct RoleDef {
    pub(super) name: String,
    pub(super) description: Option<String>,
    pub(super) owner: Option<String>,
    pub(super) inherits: Vec<usize>,
    /// `grants` as written (names and wildcards).
    pub(super) grants_written: Vec<String>,
    /// Roles held by holding this one: itself and all it inherits.
    pub(super) holds: Bits,
    /// Scopes granted by this role and every role it inherits.
    pub(super) grants: Bits,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct Rule {
    /// `rule #2 "id" (GET /path)`, for reasons.
    pub(super) label: String,
    pub(super) id: Option<String>,
    pub(super) description: Option<String>,
    pub(super) methods: Methods,
    pub(super) path_text: String,
    pub(super) path: Pattern,
    pub(super) scopes: Vec<usize>,
    pub(super) any_scopes: Vec<usize>,
    pub(super) roles: Vec<usize>,
    pub(super) any_roles: Vec<usize>,
    pub(super) constraints: Constraints,
    pub(super) public: bool,
}

/// A compiled policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub(super) description: Option<String>,
    pub(super) default_allow: bool,
    pub(super) scope_source: scopes::Source,
    pub(super) role_source: roles::Source,
    pub(super) role_claim_text: Option<String>,
    pub(super) scopes: Vec<ScopeDef>,
    /// Scope indices sorted by name.
    pub(super) scope_order: Vec<usize>,
    pub(super) roles: Vec<RoleDef>,
    pub(super) role_order: Vec<usize>,
    pub(super) rules: Vec<Rule>,
    /// Scopes some role grants: honoured only through the user's roles.
    pub(super) role_granted: Bits,
}

/// Looks `name` up in `order` (indices of `items` sorted by name).
pub(super) fn find<T>(
    items: &[T],
    order: &[usize],
    name: &str,
    key: fn(&T) -> &str,
) -> Option<usize> {
    order
        .binary_search_by(|&i| items.get(i).map_or("", key).cmp(name))
        .ok()
        .and_then(|pos| order.get(pos).copied())
}

impl Policy {
    pub(super) fn scope_index(&self, name: &str) -> Option<usize> {
        find(&self.scopes, &self.scope_order, name, |s| &s.name)
    }

    pub(super) fn role_index(&self, name: &str) -> Option<usize> {
        find(&self.roles, &self.role_order, name, |r| &r.name)
    }

    pub(super) fn scope_name(&self, i: usize) -> &str {
        self.scopes.get(i).map_or("", |s| &s.name)
    }

    pub(super) fn role_name(&self, i: usize) -> &str {
        self.roles.get(i).map_or("", |r| &r.name)
    }

    /// Number of rules.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    pub(super) fn rule_label(&self, i: usize) -> &str {
        self.rules.get(i).map_or("", |r| r.label.as_str())
    }
}
