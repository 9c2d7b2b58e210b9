// The policy model: rules compiled, closures over scopes, roles and rules, shadowed rules.

import { ANY_METHOD, ruleMethods, rulesCover } from "./patterns.js";
import { entries, list, parseDuration } from "./util.js";

// ─── The model: closures over scopes, roles and rules ─────────────────────────────────

function compileRules(doc) {
  return list(doc?.rules).map((rule, index) => ({
    index,
    id: typeof rule.id === "string" ? rule.id : null,
    description: rule.description ?? null,
    method: rule.method === undefined ? ANY_METHOD : rule.method,
    methods: ruleMethods(rule),
    path: String(rule.path ?? "/"),
    public: rule.public === true,
    scopes: list(rule.scopes),
    anyScopes: list(rule.anyScopes),
    roles: list(rule.roles),
    anyRoles: list(rule.anyRoles),
    constraints: rule.constraints ?? null,
    maxTokenLifetime: rule.maxTokenLifetime === undefined ? null : parseDuration(rule.maxTokenLifetime),
  }));
}

/**
 * Rules that never decide anything because earlier rules match every method and path
 * they match: `[{ index, by: [indices of a minimal set of earlier rules] }]`.
 */
export function shadowedRules(doc) {
  const rules = compileRules(doc);
  const out = [];
  for (const rule of rules) {
    let by = rules.slice(0, rule.index);
    if (!rulesCover(by, rule)) continue;
    // Keep the earliest rules that still cover it: drop the later ones first.
    for (let i = by.length - 1; i >= 0; i -= 1) {
      const without = by.filter((_, j) => j !== i);
      if (without.length > 0 && rulesCover(without, rule)) by = without;
    }
    out.push({ index: rule.index, by: by.map((r) => r.index) });
  }
  return out;
}

/** `GET /messages/**`, `POST,PUT /a`, `* /admin/**`. */
export function routeOf(rule) {
  const method = Array.isArray(rule.method) ? rule.method.map((m) => String(m).toUpperCase()).join(",") : String(rule.method ?? ANY_METHOD).toUpperCase();
  return `${method} ${rule.path}`;
}

/** `rules[0] "read" (GET /messages/**)`. */
export function ruleLabel(rule) {
  return `rules[${rule.index}]${rule.id ? ` "${rule.id}"` : ""} (${routeOf(rule)})`;
}

// Scopes a grant names: itself, or the catalog scopes a wildcard ("*", "messages:*") matches.
function expandGrant(grant, scopeNames) {
  if (grant === "*") return scopeNames;
  if (grant.endsWith("*") && /[:./]$/.test(grant.slice(0, -1))) {
    const prefix = grant.slice(0, -1);
    return scopeNames.filter((s) => s.startsWith(prefix));
  }
  return [grant];
}

function closure(start, next) {
  const seen = new Set();
  const stack = [...start];
  while (stack.length > 0) {
    const item = stack.pop();
    if (seen.has(item)) continue;
    seen.add(item);
    for (const n of next(item)) if (!seen.has(n)) stack.push(n);
  }
  return seen;
}

/**
 * The compiled view every analysis uses. Exported for tests and tools:
 * - `implied(s)`: s and every scope it implies, transitively;
 * - `held(r)`: r and every role it inherits, transitively;
 * - `grants(r)`: Map scope → grant as written, for r's own grants (wildcards expanded);
 * - `granted(r)`: scopes r's holders are granted (own and inherited grants);
 * - `effective(r)`: those plus everything they imply;
 * - `roleGranted`: scopes some role grants (a token's such scope is honoured only with a role granting it);
 * - `required`: Map scope → rules naming it in `scopes` or `anyScopes`;
 * - `needed(s)`: whether holding s satisfies some rule's scope requirement (directly or by implication).
 */
export function policyModel(doc) {
  const scopeDefs = new Map(entries(doc?.scopes));
  const roleDefs = new Map(entries(doc?.roles));
  const scopeNames = [...scopeDefs.keys()];
  const rules = compileRules(doc);

  const impliedCache = new Map();
  const implied = (scope) => {
    let set = impliedCache.get(scope);
    if (!set) {
      set = closure([scope], (s) => list(scopeDefs.get(s)?.implies));
      impliedCache.set(scope, set);
    }
    return set;
  };

  const heldCache = new Map();
  const held = (role) => {
    let set = heldCache.get(role);
    if (!set) {
      set = closure([role], (r) => list(roleDefs.get(r)?.inherits));
      heldCache.set(role, set);
    }
    return set;
  };

  const grants = (role) => {
    const map = new Map();
    for (const grant of list(roleDefs.get(role)?.grants)) {
      for (const scope of expandGrant(String(grant), scopeNames)) if (!map.has(scope)) map.set(scope, grant);
    }
    return map;
  };
  const granted = (role) => {
    const set = new Set();
    for (const r of held(role)) for (const s of grants(r).keys()) set.add(s);
    return set;
  };
  const effective = (role) => {
    const set = new Set();
    for (const s of granted(role)) for (const i of implied(s)) set.add(i);
    return set;
  };

  const roleGranted = new Set();
  for (const role of roleDefs.keys()) for (const s of grants(role).keys()) roleGranted.add(s);

  const required = new Map();
  const requiredRoles = new Map();
  for (const rule of rules) {
    for (const s of [...rule.scopes, ...rule.anyScopes]) {
      if (!required.has(s)) required.set(s, []);
      if (!required.get(s).includes(rule)) required.get(s).push(rule);
    }
    for (const r of [...rule.roles, ...rule.anyRoles]) {
      if (!requiredRoles.has(r)) requiredRoles.set(r, []);
      if (!requiredRoles.get(r).includes(rule)) requiredRoles.get(r).push(rule);
    }
  }
  const needed = (scope) => [...implied(scope)].some((s) => required.has(s));

  return { scopeDefs, roleDefs, scopeNames, rules, implied, held, grants, granted, effective, roleGranted, required, requiredRoles, needed };
}

// Scopes a user can have effective while holding only `roles`: what those roles grant,
// plus scopes no role grants (honoured as they are), plus everything those imply.
export function reachableWith(model, roles) {
  const base = new Set();
  for (const r of roles) for (const s of model.granted(r)) base.add(s);
  for (const s of model.scopeNames) if (!model.roleGranted.has(s)) base.add(s);
  const out = new Set();
  for (const s of base) for (const i of model.implied(s)) out.add(i);
  return out;
}
