// The compiled model, indexed for reporting: what Policy.describe() returns, looked up by
// name. Every closure, expansion and route answer here is the core's (src/policy/); this
// module only indexes them and names rules for messages.

/** `GET /messages/**`, `POST,PUT /a`, `* /admin/**`. */
export function routeOf(rule) {
  return `${rule.method.join(",")} ${rule.path}`;
}

/** `rules[0] "read" (GET /messages/**)`. */
export function ruleLabel(rule) {
  return `rules[${rule.index}]${rule.id ? ` "${rule.id}"` : ""} (${routeOf(rule)})`;
}

/**
 * The compiled model of a loaded `Policy`, indexed by name:
 * - `described`: `policy.describe()` (scopes, roles, rules, default, claims);
 * - `scope(name)`, `role(name)`: their compiled entries;
 * - `ownGrants(role)`: Map scope → the grant as written that names it (wildcards expanded by the core);
 * - `granted(role)`: scopes the role's own and inherited grants name (before implication);
 * - `required`: Map scope → rules naming it in `scopes` or `anyScopes`; `requiredRoles` likewise;
 * - `needed(s)`: whether s, or a scope it implies, is required by some rule.
 */
export function policyModel(policy) {
  const described = policy.describe();
  const scopes = new Map(described.scopes.map((s) => [s.name, s]));
  const roles = new Map(described.roles.map((r) => [r.name, r]));
  const rules = described.rules;

  const own = new Map();
  for (const role of described.roles) {
    const map = new Map();
    role.grants.forEach((grant, i) => {
      for (const scope of role.grantScopes[i] ?? []) if (!map.has(scope)) map.set(scope, grant);
    });
    own.set(role.name, map);
  }
  const ownGrants = (role) => own.get(role) ?? new Map();
  const granted = (role) => {
    const set = new Set();
    for (const r of roles.get(role)?.holds ?? []) for (const s of ownGrants(r).keys()) set.add(s);
    return set;
  };

  const required = new Map();
  const requiredRoles = new Map();
  const index = (map, key, rule) => {
    if (!map.has(key)) map.set(key, []);
    if (!map.get(key).includes(rule)) map.get(key).push(rule);
  };
  for (const rule of rules) {
    for (const s of [...rule.scopes, ...rule.anyScopes]) index(required, s, rule);
    for (const r of [...rule.roles, ...rule.anyRoles]) index(requiredRoles, r, rule);
  }
  const needed = (scope) => required.has(scope) || (scopes.get(scope)?.impliesAll ?? []).some((s) => required.has(s));

  return {
    described,
    scopes,
    roles,
    rules,
    scope: (name) => scopes.get(name),
    role: (name) => roles.get(name),
    ownGrants,
    granted,
    required,
    requiredRoles,
    needed,
  };
}
