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
//
// The analyses live in governance/, one module per job (util, patterns, model, lint,
// catalog, claims, drift); this module is their one public face.

export { dayOf, formatDuration, jsonPath, parseDuration } from "./governance/util.js";
export { ANY_METHOD, parsePattern, patternCovers, patternsCover, ruleMethods } from "./governance/patterns.js";
export { policyModel, routeOf, ruleLabel, shadowedRules } from "./governance/model.js";
export { LINT_CODES, lintPolicy } from "./governance/lint.js";
export { buildCatalog, catalogMarkdown, describeConstraints } from "./governance/catalog.js";
export { rolesOfClaims, scopesOfClaims } from "./governance/claims.js";
export { detectDrift } from "./governance/drift.js";
