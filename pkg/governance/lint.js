// Lint: the lint codes, the findings, and lintPolicy. The facts behind each finding (shadowed
// rules, unsatisfiable scopes, closures, wildcard paths) are the compiled policy's
// (Policy.describe()); this module decides severities and writes the messages.

import { policyModel, ruleLabel } from "./model.js";
import { dayOf, formatDuration, jsonPath, parseDuration, text } from "./util.js";

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
  for (const role of model.roles.values()) {
    if (role.grants.includes(scope)) out.push(`granted by role ${role.name}`);
  }
  for (const rule of model.required.get(scope) ?? []) out.push(`required by ${ruleLabel(rule)}`);
  for (const other of model.scopes.values()) {
    if (other.implies.includes(scope)) out.push(`implied by ${other.name}`);
  }
  return out;
}

function lifecycleFindings(model, today) {
  const out = [];
  for (const { name: scope, deprecated: dep, sunset: end } of model.scopes.values()) {
    const sunset = end !== null && end <= today;
    const deprecated = dep !== null && dep <= today;
    if (!sunset && !deprecated) continue;
    const refs = referencesOf(model, scope);
    if (refs.length === 0) continue;
    if (sunset) {
      out.push(finding("scope-sunset", jsonPath("scopes", scope, "sunset"),
        `scope ${scope} reached its sunset on ${end} but is still ${refs.join("; ")}`));
    } else {
      const until = end !== null ? ` (sunset ${end})` : "";
      out.push(finding("scope-deprecated", jsonPath("scopes", scope, "deprecated"),
        `scope ${scope} is deprecated since ${dep}${until} but is still ${refs.join("; ")}`));
    }
  }
  return out;
}

const lifetimeOf = (entry) => entry.constraints.maxTokenLifetime;

function lifetimeFindings(model, budget) {
  const out = [];
  if (budget === undefined) return out;
  const limit = formatDuration(budget);
  for (const scope of model.scopes.values()) {
    const value = lifetimeOf(scope);
    if (value !== null && value > budget) {
      out.push(finding("lifetime-over-budget", jsonPath("scopes", scope.name, "maxTokenLifetime"),
        `scope ${scope.name} accepts tokens living ${formatDuration(value)}, above the budget of ${limit}`));
    }
  }
  for (const rule of model.rules) {
    const value = lifetimeOf(rule);
    if (value !== null && value > budget) {
      out.push(finding("lifetime-over-budget", jsonPath("rules", rule.index, "maxTokenLifetime"),
        `${ruleLabel(rule)} accepts tokens living ${formatDuration(value)}, above the budget of ${limit}`));
    }
  }
  for (const [scope, rules] of model.required) {
    if (lifetimeOf(model.scope(scope)) !== null) continue;
    const open = rules.filter((r) => !r.public && lifetimeOf(r) === null);
    if (open.length === 0) continue;
    out.push(finding("lifetime-missing", jsonPath("scopes", scope),
      `scope ${scope} has no maxTokenLifetime and neither do ${open.map(ruleLabel).join(", ")}: ` +
      `tokens of any lifetime pass (budget ${limit})`));
  }
  return out;
}

function shadowedFindings(model) {
  const out = [];
  for (const rule of model.rules) {
    if (rule.shadowedBy === null) continue;
    const shadows = rule.shadowedBy.map((i) => ruleLabel(model.rules[i]));
    const verb = shadows.length === 1 ? "matches" : "together match";
    out.push(finding("rule-shadowed", jsonPath("rules", rule.index),
      `${ruleLabel(rule)} is never reached: ${shadows.join(" and ")} ${verb} every request it matches`));
  }
  return out;
}

function unsatisfiableFindings(model) {
  const out = [];
  for (const rule of model.rules) {
    const unreachable = new Set(rule.unsatisfiableScopes);
    if (unreachable.size === 0) continue;
    const roles = [...rule.roles, ...rule.anyRoles];
    // An unreachable scope is role-granted (a scope no role grants is honoured as issued).
    const explain = (scope) => `only roles ${model.scope(scope).grantedBy.join(", ")} grant it`;
    rule.scopes.forEach((scope, i) => {
      if (!unreachable.has(scope)) return;
      out.push(finding("rule-unsatisfiable", jsonPath("rules", rule.index, "scopes", i),
        `${ruleLabel(rule)} requires scope ${scope} and roles ${roles.join(", ")}, but none of those roles ` +
        `grants it (${explain(scope)}): a token needs a role outside the rule's`));
    });
    if (rule.anyScopes.length > 0 && rule.anyScopes.every((s) => unreachable.has(s))) {
      out.push(finding("rule-unsatisfiable", jsonPath("rules", rule.index, "anyScopes"),
        `${ruleLabel(rule)} requires one of ${rule.anyScopes.join(", ")} and roles ${roles.join(", ")}, ` +
        `but none of those roles grants any of them`));
    }
  }
  return out;
}

function usageFindings(model) {
  const out = [];
  for (const scope of model.scopes.values()) {
    const explicitlyGranted = [...model.roles.values()].some((r) => r.grants.includes(scope.name));
    if (!model.needed(scope.name) && !explicitlyGranted) {
      out.push(finding("scope-unused", jsonPath("scopes", scope.name),
        `scope ${scope.name} is required by no rule (directly or through what it implies) and granted by no role`));
    }
    const missing = ["description", "owner"].filter((field) => !text(scope[field]));
    if (missing.length > 0) {
      out.push(finding("scope-undocumented", jsonPath("scopes", scope.name),
        `scope ${scope.name} has no ${missing.join(" and no ")}`));
    }
  }
  for (const role of model.roles.values()) {
    if (!text(role.description)) {
      out.push(finding("role-undocumented", jsonPath("roles", role.name), `role ${role.name} has no description`));
    }
    const byRules = role.holds.some((r) => model.requiredRoles.has(r));
    const byScopes = role.grantsAll.some((s) => model.needed(s));
    if (!byRules && !byScopes) {
      out.push(finding("role-unused", jsonPath("roles", role.name),
        `role ${role.name} is required by no rule (nor is any role it inherits) and grants no scope a rule needs`));
    }
  }
  return out;
}

function wildcardFindings(model) {
  const out = [];
  for (const rule of model.rules) {
    if (rule.leadingWildcard !== null) {
      out.push(finding("wildcard-broad", jsonPath("rules", rule.index, "path"),
        `${ruleLabel(rule)} starts with ${rule.leadingWildcard}: it spans every namespace; start with a literal segment`));
    }
  }
  for (const role of model.roles.values()) {
    role.grants.forEach((grant, i) => {
      if (grant === "*") {
        out.push(finding("wildcard-broad", jsonPath("roles", role.name, "grants", i),
          `role ${role.name} grants "*": every scope, including any added later; grant a namespace like "messages:*"`));
      }
    });
  }
  return out;
}

/**
 * Lints a compiled `Policy` (from `Policy.fromJson`: a document that does not load is
 * the `policy-invalid` finding, reported by the caller). Options: `now` (Date, seconds or
 * "YYYY-MM-DD"; the day deprecation and sunset are compared with; default today),
 * `maxLifetime` (seconds or a duration: the token lifetime budget). Findings come errors
 * first, then warnings, each group in document order.
 */
export function lintPolicy(policy, options = {}) {
  const model = policyModel(policy);
  const today = dayOf(options.now ?? new Date());
  let budget;
  if (options.maxLifetime !== undefined) {
    budget = parseDuration(options.maxLifetime);
    if (Number.isNaN(budget)) throw new TypeError("maxLifetime must be seconds or a duration like \"1h\"");
  }
  const findings = [
    ...shadowedFindings(model),
    ...unsatisfiableFindings(model),
    ...lifecycleFindings(model, today),
    ...lifetimeFindings(model, budget),
    ...usageFindings(model),
    ...wildcardFindings(model),
  ];
  if (model.described.default === "allow") {
    findings.push(finding("default-allow", jsonPath("default"),
      "default is \"allow\": a request no rule matches is allowed, with or without a token"));
  }
  const rank = (f) => (f.severity === "error" ? 0 : 1);
  return findings
    .map((f, i) => [f, i])
    .sort(([a, i], [b, j]) => rank(a) - rank(b) || i - j)
    .map(([f]) => f);
}
