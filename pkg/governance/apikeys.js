// Lint of an API key catalog: the codes, the findings, and lintApiKeys. The catalog has
// already loaded (ApiKeyCatalog.fromJson: the core checked every field and the key ids'
// uniqueness); this module compares what it holds with the day and with the policy.

import { policyModel } from "./model.js";
import { jsonPath } from "./util.js";

/** Every API key lint code, its severity and what it means. */
export const APIKEY_LINT_CODES = Object.freeze({
  "apikey-invalid": { severity: "error", summary: "the catalog does not load (ApiKeyCatalog.fromJson: ERR_CREDENTIALS_INVALID)" },
  "apikey-expired": { severity: "error", summary: "a key past its expiry is still in the catalog: remove it" },
  "apikey-unknown-scope": { severity: "error", summary: "with --policy: a key grants a scope the policy does not define" },
  "apikey-no-owner": { severity: "error", summary: "a key without owner: nobody to ask when it leaks" },
  "apikey-unknown-role": { severity: "warning", summary: "with --policy: a key holds a role the policy does not define" },
  "apikey-no-expiry": { severity: "warning", summary: "a key that never expires (expires: null)" },
});

function finding(code, path, message) {
  return { severity: APIKEY_LINT_CODES[code].severity, code, path, message };
}

const day = (seconds) => new Date(seconds * 1000).toISOString().slice(0, 10);

/**
 * Lints a catalog document that `ApiKeyCatalog.fromJson` loaded. Options: `now` (seconds;
 * default now), `policy` (a compiled Policy: scopes and roles are checked against it).
 * Findings come errors first, then warnings, each group in document order.
 */
export function lintApiKeys(doc, options = {}) {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const model = options.policy ? policyModel(options.policy) : null;
  const findings = [];
  doc.keys.forEach((key, i) => {
    const label = `key ${key.id}`;
    if (key.expires !== null && key.expires <= now) {
      findings.push(finding("apikey-expired", jsonPath("keys", i, "expires"),
        `${label} expired on ${day(key.expires)} but is still in the catalog`));
    }
    if (key.expires === null) {
      findings.push(finding("apikey-no-expiry", jsonPath("keys", i, "expires"), `${label} never expires`));
    }
    if (typeof key.owner !== "string" || key.owner.trim() === "") {
      findings.push(finding("apikey-no-owner", jsonPath("keys", i), `${label} has no owner`));
    }
    if (model === null) return;
    (key.scopes ?? []).forEach((scope, j) => {
      if (!model.scopes.has(scope)) {
        findings.push(finding("apikey-unknown-scope", jsonPath("keys", i, "scopes", j),
          `${label} grants scope ${scope}, which the policy does not define`));
      }
    });
    (key.roles ?? []).forEach((role, j) => {
      if (!model.roles.has(role)) {
        findings.push(finding("apikey-unknown-role", jsonPath("keys", i, "roles", j),
          `${label} holds role ${role}, which the policy does not define`));
      }
    });
  });
  const rank = (f) => (f.severity === "error" ? 0 : 1);
  return findings
    .map((f, i) => [f, i])
    .sort(([a, i], [b, j]) => rank(a) - rank(b) || i - j)
    .map(([f]) => f);
}
