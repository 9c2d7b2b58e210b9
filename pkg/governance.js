// tollgate governance — reports on a compiled policy, for the `tollgate` CLI.
//
//   lintPolicy(policy, { now, maxLifetime })   findings `{ severity, code, path, message }`
//   buildCatalog(policy, { now })              scopes, roles and routes, cross-referenced
//   catalogMarkdown(catalog)                   that catalog as Markdown tables
//   detectDrift(policy, entries)               what tokens carry against what the policy knows and needs
//   lintApiKeys(doc, { now, policy })          an API key catalog: expired, ownerless, unknown scopes
//
// `policy` is a `Policy` from `Policy.fromJson` (tollgate/policy). Every answer about the
// policy's meaning — route matching and shadowing, GET→HEAD, role inheritance, scope
// implication, wildcard grants, role-gated scopes, where claims hold scopes and roles — is
// the core's, read from `policy.describe()` and `policy.carried()`; nothing here restates
// it. These modules only arrange, count and word: no wasm of their own, no I/O, no clock
// (`now` comes from the caller).
//
// The reports live in governance/, one module per job (util, model, lint, catalog,
// drift); this module is their one public face.

export { dayOf, formatDuration, jsonPath, parseDuration } from "./governance/util.js";
export { policyModel, routeOf, ruleLabel } from "./governance/model.js";
export { LINT_CODES, lintPolicy } from "./governance/lint.js";
export { buildCatalog, catalogMarkdown, describeConstraints } from "./governance/catalog.js";
export { detectDrift } from "./governance/drift.js";
export { APIKEY_LINT_CODES, lintApiKeys } from "./governance/apikeys.js";
