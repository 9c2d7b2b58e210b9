// Lint: the lint codes, the checks that find them, and lintPolicy.

import { policyModel, reachableWith, ruleLabel, shadowedRules } from "./model.js";
import { LITERAL, parsePattern } from "./patterns.js";
import { dayOf, formatDuration, jsonPath, list, parseDuration, text } from "./util.js";

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
