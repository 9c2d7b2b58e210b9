//! `Policy::from_json`: the document checked field by field and compiled, closures included.

use super::bits::Bits;
use super::constraints::{constraints, Constraints};
use super::model::{find, Policy, RoleDef, Rule, ScopeDef};
use super::read::{Obj, Path};
use crate::error::Error;
use crate::json::{self, Map, Value};
use crate::route::{Methods, Pattern};
use crate::{roles, scopes};

/// The document versions this library reads.
pub const VERSION: f64 = 1.0;

fn sorted<T>(items: &[T], key: fn(&T) -> &str) -> Vec<usize> {
    let names: Vec<&str> = items.iter().map(key).collect();
    json::sorted_order(&names)
}

/// Closes `direct` edges transitively into `out[i]` (excluding `i` unless on
/// a cycle); returns the index of a node on a cycle, if any.
fn closure(direct: &[Vec<usize>], n: usize) -> (Vec<Bits>, Option<usize>) {
    let mut out = vec![Bits::new(n); n];
    let mut cycle = None;
    for (start, row) in out.iter_mut().enumerate() {
        let mut stack: Vec<usize> = direct.get(start).cloned().unwrap_or_default();
        while let Some(next) = stack.pop() {
            if row.has(next) {
                continue;
            }
            row.set(next);
            if next == start {
                cycle.get_or_insert(start);
            }
            stack.extend(direct.get(next).into_iter().flatten().copied());
        }
    }
    (out, cycle)
}

const TOP: &[&str] = &[
    "version",
    "description",
    "roleClaim",
    "scopeClaim",
    "scopes",
    "roles",
    "rules",
    "default",
];
const SCOPE: &[&str] = &[
    "description",
    "owner",
    "implies",
    "maxTokenLifetime",
    "constraints",
    "deprecated",
    "sunset",
];
const ROLE: &[&str] = &["description", "owner", "inherits", "grants"];
const RULE: &[&str] = &[
    "id",
    "description",
    "method",
    "path",
    "scopes",
    "anyScopes",
    "roles",
    "anyRoles",
    "constraints",
    "maxTokenLifetime",
    "public",
];

impl Policy {
    /// Loads and compiles a policy document. Every problem is an
    /// `ERR_POLICY_INVALID` error with the JSON path of its cause.
    pub fn from_json(text: &[u8]) -> Result<Policy, Error> {
        let root = Path("$".to_owned());
        let doc = json::parse(text).map_err(|e| {
            root.error(match e {
                json::JsonError::Duplicate => "is not valid JSON: an object has a duplicate member",
                json::JsonError::TooDeep => "is nested too deeply",
                json::JsonError::Syntax => "is not valid JSON",
            })
        })?;
        let top = Obj::new(&doc, root, TOP)?;
        match top.map.get("version") {
            Some(Value::Number(v)) if *v == VERSION => {}
            Some(_) => {
                return Err(top
                    .at("version")
                    .error("must be 1 (the only version this library reads)"))
            }
            None => return Err(top.at("version").error("is required (1)")),
        }
        let default_allow = match top.string("default")?.as_deref() {
            None | Some("deny") => false,
            Some("allow") => true,
            Some(_) => return Err(top.at("default").error("must be \"deny\" or \"allow\"")),
        };
        let (role_source, role_claim_text) = match top.map.get("roleClaim") {
            None => (roles::Source::Default, None),
            Some(Value::String(s)) => (
                roles::Source::parse(s).ok_or_else(|| {
                    top.at("roleClaim")
                        .error("must be a claim path such as realm_access.roles")
                })?,
                Some(s.clone()),
            ),
            Some(Value::Array(_)) => {
                let segments = top.strings("roleClaim", false)?.unwrap_or_default();
                let text = segments.join(".");
                (
                    roles::Source::from_segments(segments).ok_or_else(|| {
                        top.at("roleClaim").error("must name at least one member")
                    })?,
                    Some(text),
                )
            }
            Some(_) => {
                return Err(top
                    .at("roleClaim")
                    .error("must be a claim path (string) or an array of member names"))
            }
        };
        let scope_source = match top.string("scopeClaim")? {
            None => scopes::Source::Default,
            Some(s) => scopes::Source::Claim(s),
        };

        // Scopes: names first, so that `implies` can refer forward.
        let scope_map = match top.map.get("scopes") {
            Some(Value::Object(m)) => m,
            Some(_) => {
                return Err(top
                    .at("scopes")
                    .error("must be an object of scope name → definition"))
            }
            None => {
                return Err(top
                    .at("scopes")
                    .error("is required (an object of scope name → definition)"))
            }
        };
        let mut scope_defs = Vec::with_capacity(scope_map.len());
        for (name, _) in scope_map.iter() {
            if !scopes::is_scope_token(name) {
                return Err(top
                    .at("scopes")
                    .member(name)
                    .error("is not a valid scope token (RFC 6749 section 3.3)"));
            }
            scope_defs.push(ScopeDef {
                name: name.to_owned(),
                description: None,
                owner: None,
                implies: Vec::new(),
                implied: Bits::default(),
                constraints: Constraints::default(),
                deprecated: None,
                sunset: None,
            });
        }
        let scope_order = sorted(&scope_defs, |s| &s.name);
        let scope_index = |defs: &[ScopeDef], name: &str, path: &Path| {
            find(defs, &scope_order, name, |s| &s.name).ok_or_else(|| {
                path.error(format!(
                    "unknown scope \"{}\" (not in $.scopes)",
                    crate::error::truncate(name)
                ))
            })
        };
        for (i, (name, value)) in scope_map.iter().enumerate() {
            let o = Obj::new(value, top.at("scopes").member(name), SCOPE)?;
            let mut implies = Vec::new();
            for (j, s) in o
                .strings("implies", false)?
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                implies.push(scope_index(&scope_defs, s, &o.at("implies").index(j))?);
            }
            let lifetime = o.seconds("maxTokenLifetime")?;
            let def = ScopeDef {
                name: name.to_owned(),
                description: o.string("description")?,
                owner: o.string("owner")?,
                implies,
                implied: Bits::default(),
                constraints: constraints(o.map.get("constraints"), o.at("constraints"), lifetime)?,
                deprecated: o.date("deprecated")?,
                sunset: o.date("sunset")?,
            };
            if let Some(slot) = scope_defs.get_mut(i) {
                *slot = def;
            }
        }
        let n_scopes = scope_defs.len();
        let direct: Vec<Vec<usize>> = scope_defs.iter().map(|s| s.implies.clone()).collect();
        let (implied, cycle) = closure(&direct, n_scopes);
        if let Some(i) = cycle {
            let name = scope_defs.get(i).map_or("", |s| s.name.as_str());
            return Err(top
                .at("scopes")
                .member(name)
                .member("implies")
                .error("forms a cycle: a scope implies itself through other scopes"));
        }
        for (def, bits) in scope_defs.iter_mut().zip(implied) {
            def.implied = bits;
        }

        // Roles.
        let empty = Map::new();
        let role_map = match top.map.get("roles") {
            None => &empty,
            Some(Value::Object(m)) => m,
            Some(_) => {
                return Err(top
                    .at("roles")
                    .error("must be an object of role name → definition"))
            }
        };
        let mut role_defs: Vec<RoleDef> = role_map
            .keys()
            .map(|name| RoleDef {
                name: name.to_owned(),
                description: None,
                owner: None,
                inherits: Vec::new(),
                grants_written: Vec::new(),
                holds: Bits::default(),
                grants: Bits::new(n_scopes),
            })
            .collect();
        if let Some(bad) = role_defs
            .iter()
            .find(|r| r.name.is_empty() || r.name.contains([' ', '\t']))
        {
            return Err(top
                .at("roles")
                .member(&bad.name)
                .error("a role name must be non-empty and without spaces"));
        }
        let role_order = sorted(&role_defs, |r| &r.name);
        for (i, (name, value)) in role_map.iter().enumerate() {
            let o = Obj::new(value, top.at("roles").member(name), ROLE)?;
            let mut inherits = Vec::new();
            for (j, r) in o
                .strings("inherits", false)?
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let index = find(&role_defs, &role_order, r, |r| &r.name).ok_or_else(|| {
                    o.at("inherits").index(j).error(format!(
                        "unknown role \"{}\" (not in $.roles)",
                        crate::error::truncate(r)
                    ))
                })?;
                inherits.push(index);
            }
            let written = o.strings("grants", false)?.unwrap_or_default();
            let mut grants = Bits::new(n_scopes);
            for (j, g) in written.iter().enumerate() {
                let path = o.at("grants").index(j);
                match wildcard_prefix(g) {
                    Some(prefix) => {
                        let mut any = false;
                        for (k, s) in scope_defs.iter().enumerate() {
                            if s.name.starts_with(prefix) {
                                grants.set(k);
                                any = true;
                            }
                        }
                        if !any {
                            return Err(path.error("this wildcard matches no scope in $.scopes"));
                        }
                    }
                    None if g.contains('*') => {
                        return Err(path.error("a wildcard grant must end in * after :, . or / (\"messages:*\") or be \"*\""))
                    }
                    None => grants.set(scope_index(&scope_defs, g, &path)?),
                }
            }
            if let Some(def) = role_defs.get_mut(i) {
                def.description = o.string("description")?;
                def.owner = o.string("owner")?;
                def.inherits = inherits;
                def.grants_written = written;
                def.grants = grants;
            }
        }
        let n_roles = role_defs.len();
        let direct: Vec<Vec<usize>> = role_defs.iter().map(|r| r.inherits.clone()).collect();
        let (inherited, cycle) = closure(&direct, n_roles);
        if let Some(i) = cycle {
            let name = role_defs.get(i).map_or("", |r| r.name.as_str());
            return Err(top
                .at("roles")
                .member(name)
                .member("inherits")
                .error("forms a cycle: a role inherits itself through other roles"));
        }
        let own: Vec<Bits> = role_defs.iter().map(|r| r.grants.clone()).collect();
        let mut role_granted = Bits::new(n_scopes);
        for (i, (def, mut holds)) in role_defs.iter_mut().zip(inherited).enumerate() {
            for j in holds.iter() {
                if let Some(g) = own.get(j) {
                    def.grants.union(g);
                }
            }
            holds.set(i);
            def.holds = holds;
            // A role's grants include what its scopes imply.
            let granted: Vec<usize> = def.grants.iter().collect();
            for s in granted {
                if let Some(implied) = scope_defs.get(s).map(|d| d.implied.clone()) {
                    def.grants.union(&implied);
                }
            }
            role_granted.union(&def.grants);
        }

        // Rules.
        let mut rules = Vec::new();
        match top.map.get("rules") {
            None => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let at = top.at("rules").index(i);
                    let rule = Self::rule(
                        item,
                        at.clone(),
                        &scope_defs,
                        &scope_order,
                        &role_defs,
                        &role_order,
                    )?;
                    if rule.id.is_some() && rules.iter().any(|r: &Rule| r.id == rule.id) {
                        return Err(at
                            .member("id")
                            .error("is used by an earlier rule: rule ids must be unique"));
                    }
                    let mut rule = rule;
                    let id = rule
                        .id
                        .as_deref()
                        .map(|id| format!(" '{}'", crate::error::truncate(id)))
                        .unwrap_or_default();
                    rule.label = format!(
                        "rule #{i}{id} ({} {})",
                        rule.methods.names().join(","),
                        rule.path_text
                    );
                    rules.push(rule);
                }
            }
            Some(_) => return Err(top.at("rules").error("must be an array of rules")),
        }

        Ok(Policy {
            description: top.string("description")?,
            default_allow,
            scope_source,
            role_source,
            role_claim_text,
            scopes: scope_defs,
            scope_order,
            roles: role_defs,
            role_order,
            rules,
            role_granted,
        })
    }

    fn rule(
        value: &Value,
        path: Path,
        scope_defs: &[ScopeDef],
        scope_order: &[usize],
        role_defs: &[RoleDef],
        role_order: &[usize],
    ) -> Result<Rule, Error> {
        let o = Obj::new(value, path.clone(), RULE)?;
        let methods = o.strings("method", true)?.ok_or_else(|| {
            o.at("method")
                .error("is required (\"GET\", [\"POST\", \"PUT\"] or \"*\")")
        })?;
        let methods = Methods::parse(&methods).map_err(|m| o.at("method").error(m))?;
        let path_text = o
            .string("path")?
            .ok_or_else(|| o.at("path").error("is required"))?;
        let pattern = Pattern::parse(&path_text).map_err(|m| o.at("path").error(m))?;
        let names = |field: &str, defs_scope: bool| -> Result<Vec<usize>, Error> {
            let list = o.strings(field, false)?.unwrap_or_default();
            if o.map.contains_key(field) && list.is_empty() {
                return Err(o
                    .at(field)
                    .error("must not be empty (leave it out instead)"));
            }
            list.iter()
                .enumerate()
                .map(|(j, n)| {
                    let at = o.at(field).index(j);
                    let found = if defs_scope {
                        find(scope_defs, scope_order, n, |s| &s.name)
                    } else {
                        find(role_defs, role_order, n, |r| &r.name)
                    };
                    found.ok_or_else(|| {
                        at.error(format!(
                            "unknown {} \"{}\" (not in $.{})",
                            if defs_scope { "scope" } else { "role" },
                            crate::error::truncate(n),
                            if defs_scope { "scopes" } else { "roles" }
                        ))
                    })
                })
                .collect()
        };
        let public = match o.map.get("public") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(o.at("public").error("must be true or false")),
        };
        let rule = Rule {
            label: String::new(),
            id: o.string("id")?,
            description: o.string("description")?,
            methods,
            path_text,
            path: pattern,
            scopes: names("scopes", true)?,
            any_scopes: names("anyScopes", true)?,
            roles: names("roles", false)?,
            any_roles: names("anyRoles", false)?,
            constraints: match o.map.get("constraints") {
                None => Constraints {
                    max_token_lifetime: o.seconds("maxTokenLifetime")?,
                    ..Constraints::default()
                },
                Some(c) => {
                    constraints(Some(c), o.at("constraints"), o.seconds("maxTokenLifetime")?)?
                }
            },
            public,
        };
        if public
            && !(rule.scopes.is_empty()
                && rule.any_scopes.is_empty()
                && rule.roles.is_empty()
                && rule.any_roles.is_empty()
                && rule.constraints.is_empty())
        {
            return Err(o
                .at("public")
                .error("a public rule cannot also require scopes, roles or constraints"));
        }
        Ok(rule)
    }
}

/// The prefix of a namespace wildcard grant (`messages:*` → `messages:`,
/// `*` → ``), or `None` when `grant` is not one.
pub(super) fn wildcard_prefix(grant: &str) -> Option<&str> {
    let prefix = grant.strip_suffix('*')?;
    if prefix.contains('*') {
        return None;
    }
    match prefix.bytes().last() {
        None | Some(b':' | b'.' | b'/') => Some(prefix),
        _ => None,
    }
}
