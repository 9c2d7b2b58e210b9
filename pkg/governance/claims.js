// Claims: where tokens carry scopes and roles (scopesOfClaims, rolesOfClaims).

import { ROLE_CLAIMS, SCOPE_CLAIMS } from "../facts.js";
import { own } from "./util.js";

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
