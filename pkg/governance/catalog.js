// The catalog: scopes, roles and routes cross-referenced (buildCatalog), and as Markdown
// (catalogMarkdown). The cross-references are read from the compiled policy (closures,
// expanded grants, shadowed rules: Policy.describe()); this module arranges and writes them.

import { CONSTRAINT_KINDS, ROLE_CLAIMS, SCOPE_CLAIMS } from "../facts.js";
import { policyModel } from "./model.js";
import { dayOf } from "./util.js";

// ─── Catalog ──────────────────────────────────────────────────────────────────────────

function lifecycle(entry, today) {
  const { deprecated, sunset } = entry;
  let status = "active";
  if (sunset !== null && sunset <= today) status = "sunset";
  else if (deprecated !== null && deprecated <= today) status = "deprecated";
  return { status, deprecated, sunset };
}

// The compiled constraints, keeping only those that constrain something (every kind the
// core defines), and the core's one-line summary of them (non-enumerable: not in the JSON).
function constraintsOf(entry) {
  const c = entry.constraints;
  const out = {};
  for (const kind of CONSTRAINT_KINDS) {
    const value = c[kind];
    if (value !== null && !(Array.isArray(value) && value.length === 0)) out[kind] = structuredClone(value);
  }
  Object.defineProperty(out, "summary", { value: c.summary, enumerable: false });
  return out;
}

// Why `role` holds `scope`: granted by the role itself, by a role it inherits, or implied.
function grantReason(model, role, scope) {
  const own = model.ownGrants(role);
  if (own.has(scope)) {
    const grant = own.get(scope);
    return grant === scope ? { role } : { role, wildcard: grant };
  }
  for (const r of model.role(role).holds) {
    if (r !== role && model.ownGrants(r).has(scope)) return { role, inherits: r };
  }
  for (const s of model.granted(role)) {
    if (s !== scope && model.scope(s).impliesAll.includes(scope)) return { role, impliedBy: s };
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
 * Cross-referenced catalog of a compiled `Policy`: for each scope, the routes it opens
 * (rules requiring it, and `via` rules requiring a scope it implies), the roles that
 * grant it (directly, by inheritance, by wildcard or by implication), its constraints
 * and lifecycle; for each role, what it inherits, grants and is required by; the rules.
 * `now` (Date, seconds or "YYYY-MM-DD") places the lifecycle dates.
 */
export function buildCatalog(policy, options = {}) {
  const model = policyModel(policy);
  const today = dayOf(options.now ?? new Date());

  const scopes = [...model.scopes.values()].map((def) => {
    const name = def.name;
    const routes = [];
    for (const rule of model.rules) {
      const required = [...rule.scopes, ...rule.anyScopes];
      if (required.includes(name)) {
        routes.push(routeEntry(rule, name, null));
        continue;
      }
      const via = required.find((s) => def.impliesAll.includes(s));
      if (via !== undefined) routes.push(routeEntry(rule, name, via));
    }
    return {
      name,
      description: def.description,
      owner: def.owner,
      implies: def.implies,
      impliedBy: def.impliedBy,
      routes,
      roles: def.grantedBy.map((r) => grantReason(model, r, name)),
      delegationOnly: !def.roleGated,
      constraints: constraintsOf(def),
      lifecycle: lifecycle(def, today),
    };
  });

  const roles = [...model.roles.values()].map((def) => {
    const name = def.name;
    const requiredBy = model.rules.filter((rule) =>
      [...rule.roles, ...rule.anyRoles].some((r) => def.holds.includes(r)));
    return {
      name,
      description: def.description,
      owner: def.owner,
      inherits: def.inherits,
      holds: def.holds.filter((r) => r !== name),
      heldBy: def.heldBy,
      grants: def.grants,
      scopes: [...def.grantsAll].sort(),
      // `as`: the required role this role holds (itself, or one it inherits).
      rules: requiredBy.map((r) => ({
        rule: r.index, id: r.id, method: r.method, path: r.path,
        as: [...r.roles, ...r.anyRoles].find((x) => x === name) ?? [...r.roles, ...r.anyRoles].find((x) => def.holds.includes(x)),
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
    shadowedBy: rule.shadowedBy,
  }));

  const d = model.described;
  return {
    description: d.description,
    default: d.default,
    roleClaim: d.roleClaim,
    scopeClaim: d.scopeClaim,
    date: today,
    scopes,
    roles,
    rules,
  };
}

/** Constraints in one line, as the core summarizes them: `IP 10.0.0.0/8; env production; …`. */
export function describeConstraints(c) {
  return c.summary ?? "";
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

const methodText = (method) => method.join(",");

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
    `Roles read from: ${catalog.roleClaim ? code(catalog.roleClaim) : ROLE_CLAIMS.map((path) => code(path.join("."))).join(", ")}. ` +
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
