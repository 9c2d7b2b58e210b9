// Drift: what tokens carry against what the policy knows and needs (detectDrift). Each
// token is read by the compiled policy (Policy.carried: its scope and role claims, the
// scopes it would refuse); this module counts.

import { policyModel } from "./model.js";

// ─── Drift ────────────────────────────────────────────────────────────────────────────

function counts(map) {
  return [...map].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([name, count]) => ({ name, count }));
}

function bump(map, key) {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * Compares what tokens carry with what a compiled `Policy` knows and needs. `entries`
 * are claims objects. Returns:
 * - `unknownScopes`: scopes in tokens the catalog does not define, with token counts;
 * - `overPrivileged`: catalog scopes that tokens carry or roles grant but no rule needs
 *   (directly or through implication), with token counts and the roles granting them;
 * - `unhonoured`: scopes tokens carry that roles grant, in tokens none of whose roles
 *   grants them (the policy ignores them: the issuer and the policy disagree);
 * - `unknownRoles`: roles in tokens the policy does not define (informational: the policy
 *   ignores them, and identity providers add roles of their own);
 * - `unreadable`: tokens whose scope or role claim the policy cannot read (it answers
 *   them 401 ERR_JWT_INVALID);
 * - `drift`: whether any of the first three, or `unreadable`, is non-empty.
 */
export function detectDrift(policy, entries) {
  const model = policyModel(policy);
  const unknownScopes = new Map();
  const seen = new Map();
  const unhonoured = new Map();
  const unknownRoles = new Map();
  let unreadable = 0;
  for (const claims of entries) {
    const carried = policy.carried(claims);
    if (carried === null) {
      unreadable += 1;
      continue;
    }
    for (const s of carried.unknownScopes) bump(unknownScopes, s);
    for (const s of carried.scopes) if (model.scopes.has(s)) bump(seen, s);
    for (const s of carried.refused) bump(unhonoured, s);
    for (const r of carried.unknownRoles) bump(unknownRoles, r);
  }
  const overPrivileged = [];
  for (const scope of model.scopes.keys()) {
    if (model.needed(scope)) continue;
    const roles = [...model.roles.keys()].filter((r) => model.ownGrants(r).has(scope));
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
    unreadable,
  };
  report.drift = report.unknownScopes.length > 0 || report.overPrivileged.length > 0 || report.unhonoured.length > 0 || unreadable > 0;
  return report;
}
