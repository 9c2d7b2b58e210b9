// Drift: what tokens carry against what the policy knows and needs (detectDrift).

import { rolesOfClaims, scopesOfClaims } from "./claims.js";
import { policyModel } from "./model.js";

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
