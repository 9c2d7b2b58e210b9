// tollgate governance — pure analysis of a policy document, for the `tollgate` CLI.
//
//   lintPolicy(doc, { now, maxLifetime })   findings `{ severity, code, path, message }`
//   buildCatalog(doc, { now })              scopes, roles and routes, cross-referenced
//   catalogMarkdown(catalog)                that catalog as Markdown tables
//   detectDrift(doc, entries)               what tokens carry against what the policy knows and needs
//   shadowedRules(doc), patternsCover(...)  rule reachability (used by lint, exported for tests)
//
// `doc` is the policy document as written (a plain JSON object) that has ALREADY loaded
// with `Policy.fromJson`: names resolve, there are no cycles, patterns are well formed.
// These functions trust that and never throw on such a document; they still walk
// inheritance and implication with a visited set, so a broken document cannot hang them.
//
// No wasm, no I/O, no clock: `now` comes from the caller. Everything here restates the
// policy semantics of the core (README, "Policies") in the few places analysis needs them:
// method matching (GET also matches HEAD), path patterns, role inheritance, wildcard
// grants, scope implication, where claims hold scopes and roles.

import { unitDuration } from "./internal.js";
import { ROLE_CLAIMS, SCOPE_CLAIMS } from "./facts.js";

// ─── Lint codes ───────────────────────────────────────────────────────────────────────

/** Every lint code, its severity and what it means. */
export const LINT_CODES = Object.freeze({
  "policy-invalid": { severity: "error", summary: "the document does not load (Policy.fromJson: ERR_POLICY_INVALID)" },
  "rule-shadowed": { severity: "error", summary: "earlier rules match every request this rule matches: it never decides" },
  "rule-unsatisfiable": { severity: "error", summary: "a required scope is granted only by roles the rule does not require" },
  "scope-sunset": { severity: "error", summary: "a scope past its sunset date is still granted, required or implied" },
  "lifetime-over-budget": { severity: "error", summary: "maxTokenLifetime is above the --max-lifetime budget" },
  "scope-deprecated": { severity: "warning", summary: "a deprecated scope is still granted, required or implied" },
  "lifetime-missing": { severity: "warning", summary: "with a budget: a scope required by rules, with no lifetime on the scope or the rules" },
  "scope-unused": { severity: "warning", summary: "no rule needs the scope (directly or through implication) and no role grants it" },
  "scope-undocumented": { severity: "warning", summary: "a scope without description or owner" },
  "role-undocumented": { severity: "warning", summary: "a role without description" },
  "role-unused": { severity: "warning", summary: "holding the role makes no difference to any rule" },
  "wildcard-broad": { severity: "warning", summary: "a rule path or role grant wider than one namespace" },
  "default-allow": { severity: "warning", summary: "requests no rule matches are allowed" },
});

// ─── Small helpers ────────────────────────────────────────────────────────────────────

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * A JSON path as ERR_POLICY_INVALID writes them: `jsonPath("scopes", "admin:messages", "sunset")`
 * is `$.scopes["admin:messages"].sunset`; numbers are indices.
 */
export function jsonPath(...segments) {
  let out = "$";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/**
 * Seconds from a number of seconds or a duration string ("300", "5m", "1.5h", "2 days"),
 * the grammar of the core's durations. `NaN` when it is neither.
 */
export function parseDuration(value) {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : Number.NaN;
  if (typeof value !== "string") return Number.NaN;
  const text = value.trim();
  if (/^\d{1,15}$/.test(text)) return Number(text);
  return unitDuration(text);
}

/** A number of seconds written with the largest unit that divides it: 300 → "5m". */
export function formatDuration(seconds) {
  if (!Number.isFinite(seconds)) return String(seconds);
  for (const [unit, size] of [["d", 86_400], ["h", 3600], ["m", 60]]) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** "YYYY-MM-DD" of a Date, a date string or seconds; the UTC day. */
export function dayOf(now) {
  if (typeof now === "string" && /^\d{4}-\d{2}-\d{2}$/.test(now)) return now;
  const date = typeof now === "number" ? new Date(now * 1000) : now instanceof Date ? now : new Date(now);
  if (Number.isNaN(date.getTime())) throw new TypeError("now must be a Date, seconds or YYYY-MM-DD");
  return date.toISOString().slice(0, 10);
}

const text = (value) => typeof value === "string" && value.trim() !== "";
const own = (object, key) => object !== null && typeof object === "object" && Object.hasOwn(object, key);
const list = (value) => (Array.isArray(value) ? value : []);
const entries = (object) => (object !== null && typeof object === "object" ? Object.entries(object) : []);

// ─── Methods and path patterns ────────────────────────────────────────────────────────

/** Any method (a rule with `*` or without `method`). */
export const ANY_METHOD = "*";

/** A rule's methods: ANY_METHOD, or a Set of upper-case names (GET brings HEAD, as matching does). */
export function ruleMethods(rule) {
  const raw = rule?.method === undefined ? [ANY_METHOD] : [rule.method].flat();
  const methods = new Set(raw.map((m) => String(m).toUpperCase()));
  if (methods.has(ANY_METHOD)) return ANY_METHOD;
  if (methods.has("GET")) methods.add("HEAD");
  return methods;
}

const LITERAL = 0;
const ONE = 1; // `:name` or `*`: exactly one segment
const REST = 2; // `**`: zero or more segments (last only)

/** A path pattern as segments `{ kind: "literal" | "one" | "rest", value }`. */
export function parsePattern(path) {
  return String(path)
    .split("/")
    .filter((s) => s !== "")
    .map((s) => {
      if (s === "**") return { kind: REST, value: s };
      if (s === "*" || s.startsWith(":")) return { kind: ONE, value: s };
      return { kind: LITERAL, value: s };
    });
}

// A segment no pattern spells: stands for every literal not mentioned.
const OTHER = Symbol("other segment");

function step(patterns, segment) {
  const out = [];
  for (const p of patterns) {
    const head = p[0];
    if (head === undefined) continue;
    if (head.kind === ONE || (head.kind === LITERAL && head.value === segment)) out.push(p.slice(1));
  }
  return out;
}

function keyOf(patterns, pattern) {
  const seg = (s) => (s.kind === LITERAL ? `l${s.value}` : s.kind === ONE ? "*" : "**");
  return `${pattern.map(seg).join("/")}|${patterns.map((p) => p.map(seg).join("/")).sort().join("|")}`;
}

// Whether the union of `patterns` matches every path `pattern` matches. Decided segment
// by segment: a literal in `pattern` steps every pattern by that literal; a wildcard
// must be covered for each literal the patterns spell at that point and for one
// segment none of them spells (OTHER). Each recursion drops a segment from every
// remaining pattern, so it ends; the memo keeps repeated sub-questions cheap.
function coverSegments(patterns, pattern, memo) {
  if (patterns.some((p) => p[0]?.kind === REST)) return true;
  if (patterns.length === 0) return false;
  const key = keyOf(patterns, pattern);
  const known = memo.get(key);
  if (known !== undefined) return known;
  let result;
  const head = pattern[0];
  if (head === undefined) {
    result = patterns.some((p) => p.length === 0);
  } else if (head.kind === LITERAL) {
    result = coverSegments(step(patterns, head.value), pattern.slice(1), memo);
  } else {
    const literals = new Set();
    for (const p of patterns) if (p[0]?.kind === LITERAL) literals.add(p[0].value);
    const classes = [...literals, OTHER];
    if (head.kind === ONE) {
      result = classes.every((c) => coverSegments(step(patterns, c), pattern.slice(1), memo));
    } else {
      // `**`: the empty rest, and every first segment followed by `**` again.
      result =
        patterns.some((p) => p.length === 0) &&
        classes.every((c) => coverSegments(step(patterns, c), pattern, memo));
    }
  }
  memo.set(key, result);
  return result;
}

/**
 * Whether the path patterns in `general` together match every request path `specific`
 * matches: `patternsCover(["/a/**"], "/a/:id")` is true, `patternsCover(["/a/*"], "/a/**")`
 * is false (`/a` and `/a/b/c`).
 */
export function patternsCover(general, specific) {
  return coverSegments(general.map(parsePattern), parsePattern(specific), new Map());
}

/** Whether `general` alone matches every path `specific` matches. */
export function patternCovers(general, specific) {
  return patternsCover([general], specific);
}

function methodMatches(methods, method) {
  if (methods === ANY_METHOD) return true;
  if (method === OTHER) return false;
  return methods.has(method);
}

// Whether `earlier` rules together match every (method, path) `rule` matches.
function rulesCover(earlier, rule) {
  let classes;
  if (rule.methods === ANY_METHOD) {
    const named = new Set();
    for (const e of earlier) if (e.methods !== ANY_METHOD) for (const m of e.methods) named.add(m);
    classes = [...named, OTHER];
  } else {
    classes = [...rule.methods];
  }
  return classes.every((method) => {
    const paths = earlier.filter((e) => methodMatches(e.methods, method)).map((e) => e.path);
    return paths.length > 0 && patternsCover(paths, rule.path);
  });
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
function reachableWith(model, roles) {
  const base = new Set();
  for (const r of roles) for (const s of model.granted(r)) base.add(s);
  for (const s of model.scopeNames) if (!model.roleGranted.has(s)) base.add(s);
  const out = new Set();
  for (const s of base) for (const i of model.implied(s)) out.add(i);
  return out;
}

// ─── Lint ─────────────────────────────────────────────────────────────────────────────

function finding(code, path, message) {
  return { severity: LINT_CODES[code].severity, code, path, message };
}

// Where a scope is referenced: explicit role grants, rules, other scopes' `implies`.
// Wildcard grants are not references: they follow the catalog by design.
function referencesOf(model, scope) {
  const out = [];
  for (const [role, def] of model.roleDefs) {
    if (list(def.grants).includes(scope)) out.push(`granted by role ${role}`);
  }
  for (const rule of model.required.get(scope) ?? []) out.push(`required by ${ruleLabel(rule)}`);
  for (const [other, def] of model.scopeDefs) {
    if (list(def.implies).includes(scope)) out.push(`implied by ${other}`);
  }
  return out;
}

function lifecycleFindings(model, today) {
  const out = [];
  for (const [scope, def] of model.scopeDefs) {
    const sunset = typeof def.sunset === "string" && def.sunset <= today;
    const deprecated = typeof def.deprecated === "string" && def.deprecated <= today;
    if (!sunset && !deprecated) continue;
    const refs = referencesOf(model, scope);
    if (refs.length === 0) continue;
    if (sunset) {
      out.push(finding("scope-sunset", jsonPath("scopes", scope, "sunset"),
        `scope ${scope} reached its sunset on ${def.sunset} but is still ${refs.join("; ")}`));
    } else {
      const until = typeof def.sunset === "string" ? ` (sunset ${def.sunset})` : "";
      out.push(finding("scope-deprecated", jsonPath("scopes", scope, "deprecated"),
        `scope ${scope} is deprecated since ${def.deprecated}${until} but is still ${refs.join("; ")}`));
    }
  }
  return out;
}

function lifetimeFindings(model, budget) {
  const out = [];
  if (budget === undefined) return out;
  const limit = formatDuration(budget);
  for (const [scope, def] of model.scopeDefs) {
    if (def.maxTokenLifetime === undefined) continue;
    const value = parseDuration(def.maxTokenLifetime);
    if (value > budget) {
      out.push(finding("lifetime-over-budget", jsonPath("scopes", scope, "maxTokenLifetime"),
        `scope ${scope} accepts tokens living ${formatDuration(value)}, above the budget of ${limit}`));
    }
  }
  for (const rule of model.rules) {
    if (rule.maxTokenLifetime !== null && rule.maxTokenLifetime > budget) {
      out.push(finding("lifetime-over-budget", jsonPath("rules", rule.index, "maxTokenLifetime"),
        `${ruleLabel(rule)} accepts tokens living ${formatDuration(rule.maxTokenLifetime)}, above the budget of ${limit}`));
    }
  }
  for (const [scope, rules] of model.required) {
    const def = model.scopeDefs.get(scope);
    if (!def || def.maxTokenLifetime !== undefined) continue;
    const open = rules.filter((r) => !r.public && r.maxTokenLifetime === null);
    if (open.length === 0) continue;
    out.push(finding("lifetime-missing", jsonPath("scopes", scope),
      `scope ${scope} has no maxTokenLifetime and neither do ${open.map(ruleLabel).join(", ")}: ` +
      `tokens of any lifetime pass (budget ${limit})`));
  }
  return out;
}

function unsatisfiableFindings(model) {
  const out = [];
  for (const rule of model.rules) {
    const roles = [...rule.roles, ...rule.anyRoles];
    if (rule.public || roles.length === 0) continue;
    const reachable = reachableWith(model, roles);
    const givers = (scope) =>
      [...model.roleDefs.keys()].filter((r) => model.effective(r).has(scope));
    // An unreachable scope is role-granted (a scope no role grants is honoured as issued).
    const explain = (scope) => `only roles ${givers(scope).join(", ")} grant it`;
    rule.scopes.forEach((scope, i) => {
      if (reachable.has(scope)) return;
      out.push(finding("rule-unsatisfiable", jsonPath("rules", rule.index, "scopes", i),
        `${ruleLabel(rule)} requires scope ${scope} and roles ${roles.join(", ")}, but none of those roles ` +
        `grants it (${explain(scope)}): a token needs a role outside the rule's`));
    });
    if (rule.anyScopes.length > 0 && !rule.anyScopes.some((s) => reachable.has(s))) {
      out.push(finding("rule-unsatisfiable", jsonPath("rules", rule.index, "anyScopes"),
        `${ruleLabel(rule)} requires one of ${rule.anyScopes.join(", ")} and roles ${roles.join(", ")}, ` +
        `but none of those roles grants any of them`));
    }
  }
  return out;
}

function usageFindings(model) {
  const out = [];
  for (const [scope, def] of model.scopeDefs) {
    const explicitlyGranted = [...model.roleDefs.values()].some((d) => list(d.grants).includes(scope));
    if (!model.needed(scope) && !explicitlyGranted) {
      out.push(finding("scope-unused", jsonPath("scopes", scope),
        `scope ${scope} is required by no rule (directly or through what it implies) and granted by no role`));
    }
    const missing = ["description", "owner"].filter((field) => !text(def[field]));
    if (missing.length > 0) {
      out.push(finding("scope-undocumented", jsonPath("scopes", scope),
        `scope ${scope} has no ${missing.join(" and no ")}`));
    }
  }
  for (const [role, def] of model.roleDefs) {
    if (!text(def.description)) {
      out.push(finding("role-undocumented", jsonPath("roles", role), `role ${role} has no description`));
    }
    const byRules = [...model.held(role)].some((r) => model.requiredRoles.has(r));
    const byScopes = [...model.granted(role)].some((s) => model.needed(s));
    if (!byRules && !byScopes) {
      out.push(finding("role-unused", jsonPath("roles", role),
        `role ${role} is required by no rule (nor is any role it inherits) and grants no scope a rule needs`));
    }
  }
  return out;
}

function wildcardFindings(model) {
  const out = [];
  for (const rule of model.rules) {
    const first = parsePattern(rule.path)[0];
    if (first && first.kind !== LITERAL) {
      out.push(finding("wildcard-broad", jsonPath("rules", rule.index, "path"),
        `${ruleLabel(rule)} starts with ${first.value}: it spans every namespace; start with a literal segment`));
    }
  }
  for (const [role, def] of model.roleDefs) {
    list(def.grants).forEach((grant, i) => {
      if (grant === "*") {
        out.push(finding("wildcard-broad", jsonPath("roles", role, "grants", i),
          `role ${role} grants "*": every scope, including any added later; grant a namespace like "messages:*"`));
      }
    });
  }
  return out;
}

/**
 * Lints a loaded policy document. Options: `now` (Date, seconds or "YYYY-MM-DD"; the day
 * deprecation and sunset are compared with; default today), `maxLifetime` (seconds or a
 * duration: the token lifetime budget). Findings come errors first, then warnings, each
 * group in document order.
 */
export function lintPolicy(doc, options = {}) {
  const model = policyModel(doc);
  const today = dayOf(options.now ?? new Date());
  let budget;
  if (options.maxLifetime !== undefined) {
    budget = parseDuration(options.maxLifetime);
    if (Number.isNaN(budget)) throw new TypeError("maxLifetime must be seconds or a duration like \"1h\"");
  }
  const findings = [];
  const rules = model.rules;
  for (const { index, by } of shadowedRules(doc)) {
    const shadows = by.map((i) => ruleLabel(rules[i]));
    const verb = shadows.length === 1 ? "matches" : "together match";
    findings.push(finding("rule-shadowed", jsonPath("rules", index),
      `${ruleLabel(rules[index])} is never reached: ${shadows.join(" and ")} ${verb} every request it matches`));
  }
  findings.push(...unsatisfiableFindings(model));
  findings.push(...lifecycleFindings(model, today));
  findings.push(...lifetimeFindings(model, budget));
  findings.push(...usageFindings(model));
  findings.push(...wildcardFindings(model));
  if (doc?.default === "allow") {
    findings.push(finding("default-allow", jsonPath("default"),
      "default is \"allow\": a request no rule matches is allowed, with or without a token"));
  }
  const rank = (f) => (f.severity === "error" ? 0 : 1);
  return findings
    .map((f, i) => [f, i])
    .sort(([a, i], [b, j]) => rank(a) - rank(b) || i - j)
    .map(([f]) => f);
}

// ─── Catalog ──────────────────────────────────────────────────────────────────────────

function lifecycle(def, today) {
  const deprecated = typeof def.deprecated === "string" ? def.deprecated : null;
  const sunset = typeof def.sunset === "string" ? def.sunset : null;
  let status = "active";
  if (sunset && sunset <= today) status = "sunset";
  else if (deprecated && deprecated <= today) status = "deprecated";
  return { status, deprecated, sunset };
}

function constraintsOf(def) {
  const c = def.constraints ?? {};
  const out = {};
  if (c.ipRanges) out.ipRanges = [...c.ipRanges];
  if (c.environments) out.environments = [...c.environments];
  if (c.timeWindows) out.timeWindows = c.timeWindows.map((w) => ({ ...w }));
  if (def.maxTokenLifetime !== undefined && def.maxTokenLifetime !== null) {
    out.maxTokenLifetime = parseDuration(def.maxTokenLifetime);
  }
  return out;
}

// Why `role` holds `scope`: granted by the role itself, by a role it inherits, or implied.
function grantReason(model, role, scope) {
  const own = model.grants(role);
  if (own.has(scope)) {
    const grant = own.get(scope);
    return grant === scope ? { role } : { role, wildcard: grant };
  }
  for (const r of model.held(role)) {
    if (r !== role && model.grants(r).has(scope)) return { role, inherits: r };
  }
  for (const s of model.granted(role)) {
    if (s !== scope && model.implied(s).has(scope)) return { role, impliedBy: s };
  }
  return null;
}

// `any`: the scope (or `via`) is one of the rule's `anyScopes`, not required outright.
function routeEntry(rule, scope, via) {
  return {
    rule: rule.index,
    id: rule.id,
    method: rule.method,
    path: rule.path,
    via,
    any: !rule.scopes.includes(via ?? scope),
    roles: rule.roles,
    anyRoles: rule.anyRoles,
  };
}

/**
 * Cross-referenced catalog of a loaded policy: for each scope, the routes it opens
 * (rules requiring it, and `via` rules requiring a scope it implies), the roles that
 * grant it (directly, by inheritance, by wildcard or by implication), its constraints
 * and lifecycle; for each role, what it inherits, grants and is required by; the rules.
 * `now` (Date, seconds or "YYYY-MM-DD") places the lifecycle dates.
 */
export function buildCatalog(doc, options = {}) {
  const model = policyModel(doc);
  const today = dayOf(options.now ?? new Date());
  const shadowed = new Map(shadowedRules(doc).map((s) => [s.index, s.by]));

  const scopes = model.scopeNames.map((name) => {
    const def = model.scopeDefs.get(name);
    const routes = [];
    for (const rule of model.rules) {
      const required = [...rule.scopes, ...rule.anyScopes];
      if (required.includes(name)) {
        routes.push(routeEntry(rule, name, null));
        continue;
      }
      const via = required.find((s) => model.implied(name).has(s));
      if (via !== undefined) routes.push(routeEntry(rule, name, via));
    }
    const roles = [...model.roleDefs.keys()]
      .filter((r) => model.effective(r).has(name))
      .map((r) => grantReason(model, r, name));
    const impliedBy = model.scopeNames.filter((s) => s !== name && model.implied(s).has(name));
    return {
      name,
      description: def.description ?? null,
      owner: def.owner ?? null,
      implies: list(def.implies),
      impliedBy,
      routes,
      roles,
      delegationOnly: !model.roleGranted.has(name),
      constraints: constraintsOf(def),
      lifecycle: lifecycle(def, today),
    };
  });

  const roles = [...model.roleDefs.keys()].map((name) => {
    const def = model.roleDefs.get(name);
    const requiredBy = model.rules.filter((rule) =>
      [...rule.roles, ...rule.anyRoles].some((r) => model.held(name).has(r)));
    return {
      name,
      description: def.description ?? null,
      owner: def.owner ?? null,
      inherits: list(def.inherits),
      holds: [...model.held(name)].filter((r) => r !== name),
      heldBy: [...model.roleDefs.keys()].filter((r) => r !== name && model.held(r).has(name)),
      grants: list(def.grants),
      scopes: [...model.effective(name)].sort(),
      // `as`: the required role this role holds (itself, or one it inherits).
      rules: requiredBy.map((r) => ({
        rule: r.index, id: r.id, method: r.method, path: r.path,
        as: [...r.roles, ...r.anyRoles].find((x) => x === name) ?? [...r.roles, ...r.anyRoles].find((x) => model.held(name).has(x)),
      })),
    };
  });

  const rules = model.rules.map((rule) => ({
    index: rule.index,
    id: rule.id,
    description: rule.description,
    method: rule.method,
    path: rule.path,
    public: rule.public,
    scopes: rule.scopes,
    anyScopes: rule.anyScopes,
    roles: rule.roles,
    anyRoles: rule.anyRoles,
    constraints: constraintsOf(rule),
    shadowedBy: shadowed.get(rule.index) ?? null,
  }));

  return {
    description: doc?.description ?? null,
    default: doc?.default ?? "deny",
    roleClaim: doc?.roleClaim ?? null,
    scopeClaim: doc?.scopeClaim ?? null,
    date: today,
    scopes,
    roles,
    rules,
  };
}

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

function dayRanges(days) {
  const idx = [...new Set(days.map((d) => DAYS.indexOf(String(d).toLowerCase())))].filter((i) => i >= 0).sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i < idx.length; i += 1) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1] === idx[j] + 1) j += 1;
    out.push(j - i >= 2 ? `${DAYS[idx[i]]}-${DAYS[idx[j]]}` : DAYS.slice(idx[i], idx[j] + 1).join(","));
    i = j;
  }
  return out.join(",");
}

/** Constraints in one line: `IP 10.0.0.0/8; env production; mon-fri 08:00-18:00 UTC; lifetime ≤ 5m`. */
export function describeConstraints(c) {
  const parts = [];
  if (c.ipRanges) parts.push(`IP ${c.ipRanges.join(", ")}`);
  if (c.environments) parts.push(`env ${c.environments.join(", ")}`);
  if (c.timeWindows) {
    parts.push(c.timeWindows.map((w) => `${w.days ? `${dayRanges(w.days)} ` : ""}${w.start}-${w.end} UTC`).join(" or "));
  }
  if (c.maxTokenLifetime !== undefined) parts.push(`lifetime ≤ ${formatDuration(c.maxTokenLifetime)}`);
  return parts.join("; ");
}

function describeLifecycle(l) {
  if (l.status === "sunset") return `**sunset** since ${l.sunset}`;
  const sunset = l.sunset ? `; sunset ${l.sunset}` : "";
  if (l.status === "deprecated") return `deprecated since ${l.deprecated}${sunset}`;
  if (l.deprecated) return `active; deprecated from ${l.deprecated}${sunset}`;
  return l.sunset ? `active; sunset ${l.sunset}` : "active";
}

const cell = (text) => (text === null || text === undefined || text === "" ? "—" : String(text).replace(/\|/g, "\\|").replace(/\r?\n/g, " "));
const code = (text) => `\`${text}\``;

function table(headers, rows) {
  const lines = [`| ${headers.join(" | ")} |`, `|${headers.map(() => "---").join("|")}|`];
  for (const row of rows) lines.push(`| ${row.map(cell).join(" | ")} |`);
  return lines.join("\n");
}

function methodText(method) {
  return Array.isArray(method) ? method.map((m) => String(m).toUpperCase()).join(",") : String(method).toUpperCase();
}

function roleRequirement(route) {
  const parts = [];
  if (route.roles.length > 0) parts.push(`role ${route.roles.join(" + ")}`);
  if (route.anyRoles.length > 0) parts.push(`one of roles ${route.anyRoles.join(", ")}`);
  return parts.length > 0 ? ` (+ ${parts.join(", ")})` : "";
}

/** The catalog as Markdown: a scopes table, a roles table and a routes table. */
export function catalogMarkdown(catalog) {
  const out = ["# Policy catalog", ""];
  if (catalog.description) out.push(catalog.description, "");
  out.push(
    `Unmatched requests: **${catalog.default}**. ` +
    `Scopes read from: ${catalog.scopeClaim ? code(catalog.scopeClaim) : SCOPE_CLAIMS.map(code).join(", ")}. ` +
    `Roles read from: ${catalog.roleClaim ? code([catalog.roleClaim].flat().join(".")) : ROLE_CLAIMS.map((path) => code(path.join("."))).join(", ")}. ` +
    `Lifecycle as of ${catalog.date}.`,
    "",
    "## Scopes",
    "",
    "A scope opens the routes that require it, and the routes that require a scope it implies (*via*).",
    "",
  );
  out.push(table(
    ["Scope", "Description", "Owner", "Opens", "Granted by roles", "Constraints", "Lifecycle"],
    catalog.scopes.map((s) => [
      code(s.name) + (s.implies.length > 0 ? ` → ${s.implies.map(code).join(", ")}` : ""),
      s.description,
      s.owner,
      s.routes.map((r) => `${code(`${methodText(r.method)} ${r.path}`)}${r.via ? ` via ${code(r.via)}` : ""}${r.any ? " (one of)" : ""}${roleRequirement(r)}`).join("<br>") || "nothing",
      s.roles.map((g) => g.inherits ? `${g.role} (inherits ${g.inherits})` : g.wildcard ? `${g.role} (${code(g.wildcard)})` : g.impliedBy ? `${g.role} (via ${code(g.impliedBy)})` : g.role).join(", ")
        || (s.delegationOnly ? "none (delegation-only: honoured as issued)" : "none"),
      describeConstraints(s.constraints),
      describeLifecycle(s.lifecycle),
    ]),
  ));
  out.push("", "## Roles", "");
  out.push(table(
    ["Role", "Description", "Owner", "Inherits", "Grants", "Effective scopes", "Required by"],
    catalog.roles.map((r) => [
      code(r.name),
      r.description,
      r.owner,
      r.holds.join(", "),
      r.grants.map(code).join(", "),
      r.scopes.map(code).join(", "),
      r.rules.map((x) => `${code(`${methodText(x.method)} ${x.path}`)}${x.as === r.name ? "" : ` (as ${x.as})`}`).join("<br>"),
    ]),
  ));
  out.push("", "## Routes", "", "Rules are tried in order; the first whose method and path match decides.", "");
  out.push(table(
    ["#", "Id", "Route", "Requires", "Constraints"],
    catalog.rules.map((r) => {
      const needs = [];
      if (r.public) needs.push("**public**");
      if (r.scopes.length > 0) needs.push(`scopes ${r.scopes.map(code).join(" + ")}`);
      if (r.anyScopes.length > 0) needs.push(`one of ${r.anyScopes.map(code).join(", ")}`);
      if (r.roles.length > 0) needs.push(`roles ${r.roles.join(" + ")}`);
      if (r.anyRoles.length > 0) needs.push(`one of roles ${r.anyRoles.join(", ")}`);
      if (needs.length === 0) needs.push("any valid token");
      const shadow = r.shadowedBy ? ` (never reached: shadowed by ${r.shadowedBy.map((i) => `#${i}`).join(", ")})` : "";
      return [String(r.index), r.id, code(`${methodText(r.method)} ${r.path}`) + shadow, needs.join("; "), describeConstraints(r.constraints)];
    }),
  ));
  out.push("");
  return out.join("\n");
}

// ─── Claims: where tokens carry scopes and roles ──────────────────────────────────────

function words(value) {
  if (typeof value === "string") return value.split(" ").filter((w) => w !== "");
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
  return [];
}

function lookup(claims, path) {
  let value = claims;
  for (const name of path) {
    if (!own(value, name)) return undefined;
    value = value[name];
  }
  return value;
}

/** Scopes in `claims`, read where the policy says (`scopeClaim`) or from scope, scp, permissions. */
export function scopesOfClaims(claims, doc) {
  const names = typeof doc?.scopeClaim === "string" ? [doc.scopeClaim] : SCOPE_CLAIMS;
  const out = new Set();
  for (const name of names) for (const w of words(own(claims, name) ? claims[name] : undefined)) out.add(w);
  return [...out];
}

/** Roles in `claims`, read where the policy says (`roleClaim`) or from roles, role, groups, realm_access.roles. */
export function rolesOfClaims(claims, doc) {
  let paths = ROLE_CLAIMS;
  const claim = doc?.roleClaim;
  if (Array.isArray(claim)) paths = [claim];
  else if (typeof claim === "string") paths = [claim.includes("://") ? [claim] : claim.split(".")];
  const out = new Set();
  for (const path of paths) for (const w of words(lookup(claims, path))) out.add(w);
  return [...out];
}

// ─── Drift ────────────────────────────────────────────────────────────────────────────

function counts(map) {
  return [...map].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([name, count]) => ({ name, count }));
}

function bump(map, key) {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * Compares what tokens carry with what the policy knows and needs. `entries` are claims
 * objects. Returns:
 * - `unknownScopes`: scopes in tokens the catalog does not define, with token counts;
 * - `overPrivileged`: catalog scopes that tokens carry or roles grant but no rule needs
 *   (directly or through implication), with token counts and the roles granting them;
 * - `unhonoured`: scopes tokens carry that roles grant, in tokens none of whose roles
 *   grants them (the policy ignores them: the issuer and the policy disagree);
 * - `unknownRoles`: roles in tokens the policy does not define (informational: the policy
 *   ignores them, and identity providers add roles of their own);
 * - `drift`: whether any of the first three is non-empty.
 */
export function detectDrift(doc, entries) {
  const model = policyModel(doc);
  const unknownScopes = new Map();
  const seen = new Map();
  const unhonoured = new Map();
  const unknownRoles = new Map();
  for (const claims of entries) {
    const scopes = scopesOfClaims(claims, doc);
    const roles = rolesOfClaims(claims, doc);
    const known = roles.filter((r) => model.roleDefs.has(r));
    for (const r of roles) if (!model.roleDefs.has(r)) bump(unknownRoles, r);
    const mayHave = new Set();
    for (const r of known) for (const s of model.granted(r)) mayHave.add(s);
    for (const s of scopes) {
      if (!model.scopeDefs.has(s)) {
        bump(unknownScopes, s);
        continue;
      }
      bump(seen, s);
      if (model.roleGranted.has(s) && !mayHave.has(s)) bump(unhonoured, s);
    }
  }
  const overPrivileged = [];
  for (const scope of model.scopeNames) {
    if (model.needed(scope)) continue;
    const roles = [...model.roleDefs.keys()].filter((r) => model.grants(r).has(scope));
    const tokens = seen.get(scope) ?? 0;
    if (tokens === 0 && roles.length === 0) continue;
    overPrivileged.push({ name: scope, count: tokens, roles });
  }
  const report = {
    tokens: entries.length,
    unknownScopes: counts(unknownScopes),
    overPrivileged,
    unhonoured: counts(unhonoured),
    unknownRoles: counts(unknownRoles),
  };
  report.drift = report.unknownScopes.length > 0 || report.overPrivileged.length > 0 || report.unhonoured.length > 0;
  return report;
}
