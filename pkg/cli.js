#!/usr/bin/env node
// tollgate — the command line: govern a policy (lint, test, catalog, drift) and look at
// tokens (inspect, verify). Plain Node (18+), no dependencies: the checks are the
// package's own (`verify`, `decode` from node.js; `Policy` from the "./policy" entry,
// policy-node.js); the reports are governance.js, over what the compiled Policy answers.
//
// Exit codes: 0 success; 1 findings, failed cases, drift, an invalid token or input that
// does not load; 2 usage (unknown command or option, missing argument, unreadable file).
//
// Output never contains a whole token or key material: errors print a code and the
// core's message (which never holds the token), a line number for a bad line of a
// tokens file, a position for bad JSON (V8's JSON messages may quote the input).

import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import * as tollgate from "./node.js";
import {
  LINT_CODES, APIKEY_LINT_CODES, buildCatalog, catalogMarkdown, detectDrift, formatDuration,
  parseDuration, policyModel, ruleLabel, lintPolicy, lintApiKeys,
} from "./governance.js";

// ─── Output and errors ────────────────────────────────────────────────────────────────

/** Exit 2: the command line cannot be understood, or a named file cannot be read. */
class UsageError extends Error {}

/** Exit 1: the input was read but is wrong (bad JSON, invalid policy or cases). */
class InputError extends Error {}

// Strings never to print back: tokens given on the command line or stdin, and their
// payload and signature segments. Filled as tokens are read.
const secrets = new Set();

function remember(token) {
  if (typeof token !== "string" || token.length < 16) return;
  secrets.add(token);
  for (const part of token.split(".")) if (part.length >= 16) secrets.add(part);
}

function redact(text) {
  let out = String(text);
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join("[redacted]");
  return out;
}

// Written as they come (process.exitCode, never process.exit: nothing is cut short), so
// a warning shows up before the output it is about.
const print = (line = "") => process.stdout.write(`${line}\n`);
const warn = (line) => process.stderr.write(`${redact(line)}\n`);

// The message of an error, without the "policy $.path " prefix ERR_POLICY_INVALID
// messages start with: where it is shown, the path has its own place.
function messageOf(error) {
  const message = String(error?.message ?? error);
  if (typeof error?.path !== "string") return message;
  for (const what of ["policy", "credentials"]) {
    const repeated = `${what} ${error.path} `;
    if (message.startsWith(repeated)) return message.slice(repeated.length);
  }
  return message;
}

function describeError(error) {
  if (error && typeof error.code === "string") {
    const where = error.path ? ` at ${error.path}` : "";
    const claim = error.claim ? ` (claim ${error.claim}${error.reason ? `: ${error.reason}` : ""})` : "";
    return redact(`${error.code}${where}: ${messageOf(error)}${claim}`);
  }
  return redact(messageOf(error));
}

// ─── Reading input ────────────────────────────────────────────────────────────────────

function readText(file, what) {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    const reason = error.code === "ENOENT" ? "no such file" : error.code === "EISDIR" ? "is a directory" : error.code ?? "unreadable";
    throw new UsageError(`cannot read ${what} ${file === "-" ? "from stdin" : `"${file}"`}: ${reason}`);
  }
}

// JSON.parse, with an error that gives a position but never quotes the text (a JWKS may
// hold HMAC secrets, a cases file tokens).
function parseJson(text, what) {
  try {
    return JSON.parse(text);
  } catch (error) {
    const match = /position (\d+)/.exec(error.message);
    if (!match) throw new InputError(`${what} is not valid JSON`);
    const before = text.slice(0, Number(match[1]));
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n");
    throw new InputError(`${what} is not valid JSON (line ${line}, column ${column})`);
  }
}

function readJsonFile(file, what) {
  return parseJson(readText(file, what), what);
}

// The policy engine is its own wasm module (the package's "./policy" entry,
// policy-node.js), loaded only by the commands that need it: inspect and verify
// without --policy never instantiate it. Older builds exported Policy from node.js.
let policyApi;

async function loadPolicyApi() {
  if (typeof tollgate.Policy === "function") {
    policyApi = tollgate;
    return;
  }
  try {
    const mod = await import("./policy-node.js");
    if (typeof mod.Policy === "function") policyApi = mod;
  } catch (error) {
    if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
  }
}

function policyClass() {
  if (policyApi === undefined) {
    throw new UsageError("this build of tollgate has no Policy: rebuild the package (make pkg)");
  }
  return policyApi.Policy;
}

// Policy.fromJson would read a JSON string as policy text: only an object is a document.
function policyDocument(value) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InputError("policy must be a JSON object { \"version\": 1, \"scopes\": {...}, ... }");
  }
  return value;
}

// The loaded Policy (what governance.js reports on and evaluation uses).
function loadPolicy(file) {
  const doc = policyDocument(readJsonFile(file, "policy"));
  try {
    return policyClass().fromJson(doc);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new InputError(`policy does not load: ${describeError(error)}`);
  }
}

function readToken(arg) {
  if (arg === undefined) throw new UsageError("missing TOKEN (or - to read it from stdin)");
  let token = arg === "-" ? readText("-", "token") : arg;
  token = token.trim().replace(/^bearer\s+/i, "");
  remember(token);
  if (token === "") throw new UsageError("the token is empty");
  return token;
}

function seconds(value, flag) {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw new UsageError(`${flag} must be a number of seconds since 1970`);
  return Number(value);
}

// ─── Formatting ───────────────────────────────────────────────────────────────────────

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function iso(value) {
  const date = new Date(value * 1000);
  return Number.isNaN(date.getTime()) ? null : date.toISOString().replace(".000Z", "Z");
}

function relative(delta) {
  const abs = Math.abs(delta);
  const parts = [];
  let rest = Math.round(abs);
  for (const [unit, size] of [["d", 86_400], ["h", 3600], ["m", 60]]) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  if (parts.length < 2 && (rest > 0 || parts.length === 0)) parts.push(`${rest}s`);
  const text = parts.join(" ");
  return delta >= 0 ? `in ${text}` : `${text} ago`;
}

function indent(text, by = "  ") {
  return text.split("\n").map((line) => by + line).join("\n");
}

function decisionLine(decision) {
  const rule = decision.rule ? `rules[${decision.rule.index}]${decision.rule.id ? ` "${decision.rule.id}"` : ""}` : "no rule";
  if (decision.allow) return `allow ${decision.status} (${rule})`;
  const extra = [];
  if (decision.constraint) extra.push(`constraint ${decision.constraint}`);
  if (decision.missingScopes?.length) extra.push(`missing scopes ${decision.missingScopes.join(" ")}`);
  if (decision.missingRoles?.length) extra.push(`missing roles ${decision.missingRoles.join(" ")}`);
  return `deny ${decision.status} ${decision.code} (${[rule, ...extra].join("; ")})`;
}

// ─── Help ─────────────────────────────────────────────────────────────────────────────

const HELP = {
  main: `tollgate — policy governance and token tools

Usage: tollgate <command> [options]

Policy:
  lint POLICY          static checks: shadowed rules, sunset scopes, lifetimes, unused names
  test POLICY CASES    run policy test cases, with coverage
  catalog POLICY       Markdown (or JSON) catalog of scopes, roles and routes
  drift POLICY TOKENS  compare the scopes tokens carry with what the policy knows and needs

Tokens:
  inspect TOKEN|-      decode a token WITHOUT verifying it
  verify TOKEN|-       verify a token against a JWKS, optionally evaluate a policy

Credentials:
  apikey new           mint an API key: the key once (stderr), its catalog entry (stdout)
  apikey hash KEY|-    the catalog's sha256 of an existing key
  basic hash USER      a Basic credential list entry, the password read from stdin

Run "tollgate <command> --help" for a command's options.
Exit codes: 0 ok, 1 findings or failures, 2 usage error.`,
  lint: `Usage: tollgate lint POLICY [--max-lifetime SECONDS|DURATION] [--now YYYY-MM-DD] [--strict] [--json]
       tollgate lint --apikeys CATALOG [--policy POLICY | POLICY] [--now YYYY-MM-DD] [--strict] [--json]

Loads POLICY with Policy.fromJson (a load error is reported as a finding), then checks it.
With --apikeys, also loads CATALOG with ApiKeyCatalog.fromJson and checks its keys: expired
keys still present, keys without owner or expiry, and (with a policy) scopes and roles the
policy does not define.
  --max-lifetime D   token lifetime budget ("3600", "1h"): larger maxTokenLifetime values are
                     errors; scopes that rules require with no lifetime anywhere are warnings
  --now DAY          the day deprecation and sunset dates are compared with (default: today, UTC)
  --strict           warnings fail too (exit 1)
  --json             { findings, errors, warnings }

Codes:
${Object.entries({ ...LINT_CODES, ...APIKEY_LINT_CODES }).map(([code, { severity, summary }]) => `  ${code.padEnd(21)}${severity.padEnd(8)}${summary}`).join("\n")}`,
  test: `Usage: tollgate test POLICY CASES [--require-coverage] [--json]

CASES is { "cases": [ { "name", "claims": {...} | null, "token"?, "request": { "method", "path",
"ip"?, "environment"?, "now"? (seconds or ISO date) }, "expect": { "allow"?, "status"?, "code"?,
"constraint"?, "rule"? (id, index or null), "missingScopes"?, "missingRoles"? } } ],
"revocations"?: { RevocationList document } }.
A token is decoded WITHOUT verification; cases test the policy, not the signature.
  --require-coverage   rules no case matches, and scopes no denied case misses, fail the run
  --json               { cases, passed, failed, coverage }`,
  catalog: `Usage: tollgate catalog POLICY [--format markdown|json] [--now YYYY-MM-DD]

Scopes (description, owner, the routes each opens directly or via a scope it implies, the
roles granting it, constraints, lifecycle), roles, and routes in order.
  --format F   markdown (default) or json
  --json       same as --format json
  --now DAY    the day lifecycle dates are compared with (default: today, UTC)`,
  drift: `Usage: tollgate drift POLICY TOKENS [--json]

TOKENS (a file, or - for stdin) holds one compact JWT (decoded WITHOUT verification) or one
JSON claims object per line; blank lines and lines starting with # are skipped.
Reports scopes tokens carry that the catalog does not define, scopes granted (by tokens or
roles) that no rule needs, and role-granted scopes carried without a role granting them.
Exit 1 when there is drift or a line cannot be read.
  --json   the report as JSON`,
  inspect: `Usage: tollgate inspect TOKEN|- [--now SECONDS] [--json]

Decodes TOKEN (or the token on stdin) WITHOUT verifying it: header, claims, times, scopes,
roles. Nothing printed here is trustworthy; use "tollgate verify" for that.
  --now S   the clock for relative times, in seconds (default: now)
  --json    { verified: false, header, claims, scopes, roles, times }`,
  apikey: `Usage: tollgate apikey new --scopes A,B --owner OWNER [--env ENV] [--expires 90d|YYYY-MM-DD|never]
                           [--roles R,S] [--prefix tg] [--id ID] [--description TEXT] [--now SECONDS]
       tollgate apikey hash KEY|-

new: mints a key <prefix>_<id>_<secret><checksum> (190 random bits from node:crypto; the
checksum is CRC-32, so secret scanners can check a match), prints the key ONCE on stderr and
the catalog entry on stdout: add the entry to the catalog's "keys", give the key to its owner.
The entry holds the key's SHA-256, never the key.
  --expires D   a duration from now ("90d", default), a day (YYYY-MM-DD, UTC), or never
hash: the catalog's sha256 of KEY (or the key on stdin), after checking its checksum.`,
  basic: `Usage: tollgate basic hash USERNAME [--scopes A,B] [--roles R,S] [--owner OWNER] [--iterations N]

Reads the password from stdin (never from the command line) and prints a Basic credential
list entry: a random 16-byte salt, PBKDF2-HMAC-SHA256 with N iterations (default and minimum
600000, OWASP 2023), the hash. Basic is the weaker option: prefer bearer tokens.`,
  verify: `Usage: tollgate verify TOKEN|- --jwks FILE [--iss ISSUER] [--aud AUDIENCE] [--alg ALG]...
                       [--now SECONDS] [--policy FILE --method M --path P [--ip IP] [--env ENV]] [--json]

Verifies TOKEN with the keys of a JWKS file (KeySet.fromJwks) and prints its claims, or the
error code and exit 1. Without --iss or --aud that check is skipped, with a warning.
  --alg ALG   allowed algorithm (repeat for several; default: the keys' algorithms)
  --now S     the clock, in seconds
  --policy F  also evaluate the policy for --method and --path (exit 1 when denied)`,
};

const COMMON = { help: { type: "boolean", short: "h" } };

function parse(command, args, options) {
  try {
    return parseArgs({ args, options: { ...COMMON, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${error.message.replace(/\. To specify a positional.*$/s, "")}\n\n${HELP[command]}`);
  }
}

function positionals(command, values, count, names) {
  if (values.length < count) throw new UsageError(`missing ${names.slice(values.length).join(" and ")}\n\n${HELP[command]}`);
  if (values.length > count) throw new UsageError(`too many arguments\n\n${HELP[command]}`);
  return values;
}

function dayOption(value) {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new UsageError("--now must be a date YYYY-MM-DD");
  }
  return value;
}

// ─── lint ─────────────────────────────────────────────────────────────────────────────

function lint(args) {
  const { values, positionals: pos } = parse("lint", args, {
    "max-lifetime": { type: "string" },
    now: { type: "string" },
    strict: { type: "boolean" },
    json: { type: "boolean" },
    apikeys: { type: "string" },
    policy: { type: "string" },
  });
  if (values.help) return help("lint");
  if (values.policy !== undefined && pos.length > 0) throw new UsageError("give POLICY or --policy, not both");
  const [file] = values.policy !== undefined ? [values.policy]
    : values.apikeys !== undefined && pos.length === 0 ? [undefined]
    : positionals("lint", pos, 1, ["POLICY"]);
  let maxLifetime;
  if (values["max-lifetime"] !== undefined) {
    maxLifetime = parseDuration(values["max-lifetime"]);
    if (Number.isNaN(maxLifetime) || maxLifetime <= 0) {
      throw new UsageError("--max-lifetime must be seconds or a duration like \"1h\" or \"15m\"");
    }
  }
  const now = dayOption(values.now);

  const reports = [];
  let policy;
  if (file !== undefined) {
    let findings;
    const text = readText(file, "policy");
    try {
      policy = policyClass().fromJson(policyDocument(parseJson(text, "policy")));
    } catch (error) {
      if (error instanceof UsageError) throw error;
      findings = [loadFinding("policy-invalid", error, "ERR_POLICY_INVALID")];
    }
    // Only a document that loads is analysed: the findings come from the compiled policy.
    findings ??= lintPolicy(policy, { now, maxLifetime });
    reports.push({ file, findings });
  }
  if (values.apikeys !== undefined) {
    const file = values.apikeys;
    const doc = readJsonFile(file, "API key catalog");
    let findings;
    try {
      policyApi.ApiKeyCatalog.fromJson(doc).free();
    } catch (error) {
      findings = [loadFinding("apikey-invalid", error, "ERR_CREDENTIALS_INVALID")];
    }
    const seconds = now === undefined ? undefined : Date.parse(`${now}T00:00:00Z`) / 1000;
    findings ??= lintApiKeys(doc, { now: seconds, policy });
    reports.push({ file, findings });
  }

  const count = (findings) => findings.filter((f) => f.severity === "error").length;
  const errors = reports.reduce((n, r) => n + count(r.findings), 0);
  const warnings = reports.reduce((n, r) => n + r.findings.length, 0) - errors;
  if (values.json) {
    const one = (r) => ({ file: r.file, findings: r.findings, errors: count(r.findings), warnings: r.findings.length - count(r.findings) });
    print(JSON.stringify(reports.length === 1 && values.apikeys === undefined ? one(reports[0]) : { files: reports.map(one), errors, warnings }, null, 2));
  } else {
    for (const { file, findings } of reports) {
      const e = count(findings);
      for (const f of findings) {
        print(`${f.severity.padEnd(8)}${f.code}  ${f.path}`);
        print(`        ${f.message}`);
      }
      if (findings.length > 0) print();
      print(findings.length === 0 ? `${file}: no findings` : `${file}: ${plural(e, "error")}, ${plural(findings.length - e, "warning")}${values.strict && findings.length > e ? " (--strict: warnings fail)" : ""}`);
    }
  }
  return errors > 0 || (values.strict && warnings > 0) ? 1 : 0;
}

// A document that does not load, as a finding: `ownCode` errors carry the JSON path of the
// problem; anything else is about the whole document.
function loadFinding(code, error, ownCode) {
  const path = typeof error.path === "string" ? error.path : "$";
  const prefix = typeof error.code === "string" && error.code !== ownCode ? `${error.code}: ` : "";
  const message = redact(`${prefix}${messageOf(error)}`);
  return { severity: "error", code, path, message };
}

// ─── test ─────────────────────────────────────────────────────────────────────────────

const CASE_FIELDS = new Set(["name", "description", "claims", "token", "request", "expect"]);
const REQUEST_FIELDS = new Set(["method", "path", "ip", "environment", "now"]);
const EXPECT_FIELDS = new Set(["allow", "status", "code", "constraint", "rule", "missingScopes", "missingRoles"]);
const CASES_FIELDS = new Set(["description", "cases", "revocations"]);

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

function unknownField(object, allowed) {
  return Object.keys(object).find((k) => !allowed.has(k));
}

// The request and subject of a case, or a message saying why the case is malformed.
function prepareCase(c, revocations) {
  if (!isObject(c)) return { error: "a case must be an object" };
  const extra = unknownField(c, CASE_FIELDS);
  if (extra !== undefined) return { error: `unknown field "${extra}" (expected ${[...CASE_FIELDS].join(", ")})` };
  if (!isObject(c.request)) return { error: "request must be an object { method, path, ... }" };
  const badRequest = unknownField(c.request, REQUEST_FIELDS);
  if (badRequest !== undefined) return { error: `unknown request field "${badRequest}"` };
  if (!isObject(c.expect) || Object.keys(c.expect).length === 0) return { error: "expect must be an object with at least one of allow, status, code, constraint, rule" };
  const badExpect = unknownField(c.expect, EXPECT_FIELDS);
  if (badExpect !== undefined) return { error: `unknown expect field "${badExpect}" (expected ${[...EXPECT_FIELDS].join(", ")})` };

  if (typeof c.request.method !== "string" || typeof c.request.path !== "string") {
    return { error: "request.method and request.path must be strings" };
  }
  const request = { method: c.request.method, path: c.request.path };
  if (c.request.ip !== undefined) request.ip = c.request.ip;
  if (c.request.environment !== undefined) request.environment = c.request.environment;
  if (c.request.now !== undefined) {
    const now = c.request.now;
    if (typeof now === "number") request.now = now;
    else if (typeof now === "string" && !Number.isNaN(Date.parse(now))) request.now = Math.floor(Date.parse(now) / 1000);
    else return { error: "request.now must be seconds or an ISO date" };
  }
  if (revocations) request.revocations = revocations;

  let subject;
  if (c.token !== undefined) {
    if (c.claims !== undefined) return { error: "give claims or token, not both" };
    if (typeof c.token !== "string") return { error: "token must be a string" };
    remember(c.token);
    try {
      subject = tollgate.decode(c.token);
    } catch (error) {
      return { error: `token does not decode: ${describeError(error)}` };
    }
  } else if (c.claims === null) {
    subject = null;
  } else if (isObject(c.claims)) {
    subject = { claims: c.claims };
  } else {
    return { error: "claims must be an object, or null for a request without credentials" };
  }
  return { subject, request };
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const show = (v) => (v === undefined ? "nothing" : JSON.stringify(v));

function differences(expect, decision) {
  const out = [];
  for (const key of ["allow", "status", "code", "constraint"]) {
    if (!(key in expect)) continue;
    const got = decision[key] ?? null;
    if (!same(expect[key], got)) out.push(`${key}: expected ${show(expect[key])}, got ${show(got)}`);
  }
  for (const key of ["missingScopes", "missingRoles"]) {
    if (!(key in expect)) continue;
    const want = Array.isArray(expect[key]) ? [...expect[key]].sort() : expect[key];
    const got = [...(decision[key] ?? [])].sort();
    if (!same(want, got)) out.push(`${key}: expected ${show(want)}, got ${show(got)}`);
  }
  if ("rule" in expect) {
    const want = expect.rule;
    const rule = decision.rule ?? null;
    let ok;
    if (want === null) ok = rule === null;
    else if (typeof want === "number") ok = rule !== null && rule.index === want;
    else ok = rule !== null && rule.id === want;
    if (!ok) {
      const got = rule === null ? "no rule" : `rules[${rule.index}]${rule.id ? ` "${rule.id}"` : ""}`;
      const wanted = want === null ? "no rule" : typeof want === "number" ? `rules[${want}]` : `"${want}"`;
      out.push(`rule: expected ${wanted}, got ${got}`);
    }
  }
  return out;
}

function test(args) {
  const { values, positionals: pos } = parse("test", args, {
    "require-coverage": { type: "boolean" },
    json: { type: "boolean" },
  });
  if (values.help) return help("test");
  const [policyFile, casesFile] = positionals("test", pos, 2, ["POLICY", "CASES"]);
  const policy = loadPolicy(policyFile);
  const file = readJsonFile(casesFile, "cases");
  if (!isObject(file) || !Array.isArray(file.cases)) throw new InputError("cases must be an object { \"cases\": [...] }");
  const extra = unknownField(file, CASES_FIELDS);
  if (extra !== undefined) throw new InputError(`cases: unknown field "${extra}" (expected ${[...CASES_FIELDS].join(", ")})`);
  let revocations;
  if (file.revocations !== undefined) {
    try {
      revocations = (tollgate.RevocationList ?? policyApi.RevocationList).fromJson(file.revocations);
    } catch (error) {
      throw new InputError(`cases: revocations do not load: ${describeError(error)}`);
    }
  }

  const model = policyModel(policy);
  const matched = new Set();
  const missed = new Set();
  const results = file.cases.map((c, i) => {
    const name = isObject(c) && typeof c.name === "string" ? c.name : `case ${i + 1}`;
    const prepared = prepareCase(c, revocations);
    if (prepared.error) return { index: i, name, ok: false, problems: [`invalid case: ${prepared.error}`] };
    let decision;
    try {
      decision = policy.evaluate(prepared.subject, prepared.request);
    } catch (error) {
      return { index: i, name, ok: false, problems: [`evaluate threw ${describeError(error)}`] };
    }
    if (decision.rule) matched.add(decision.rule.index);
    if (!decision.allow) for (const s of decision.missingScopes ?? []) missed.add(s);
    const problems = differences(c.expect, decision);
    // A case that expected another rule: say which rules the request matches, in order.
    const matches = problems.some((p) => p.startsWith("rule:")) ? policy.cover(prepared.request)?.matches ?? [] : [];
    if (matches.length > 1) problems.push(`the request matches ${matches.map((m) => `rules[${m}]`).join(", ")}, in order: the first decides`);
    return { index: i, name, ok: problems.length === 0, problems, decision };
  });

  const rulesNotMatched = model.rules.filter((r) => !matched.has(r.index));
  const scopesNotDenied = [...model.required.keys()].filter((s) => !missed.has(s));
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  const uncovered = rulesNotMatched.length + scopesNotDenied.length;

  if (values.json) {
    print(JSON.stringify({
      cases: results,
      passed,
      failed,
      coverage: {
        rulesNotMatched: rulesNotMatched.map((r) => ({ index: r.index, id: r.id, method: r.method, path: r.path })),
        scopesNotDenied,
      },
    }, null, 2));
  } else {
    const width = String(results.length).length;
    for (const r of results) {
      const n = String(r.index + 1).padStart(width);
      print(`${r.ok ? "ok  " : "FAIL"} ${n}  ${redact(r.name)}`);
      for (const p of r.problems) print(`${" ".repeat(width + 7)}${redact(p)}`);
      if (!r.ok && r.decision) print(`${" ".repeat(width + 7)}decision: ${decisionLine(r.decision)}`);
    }
    print();
    print(`${plural(results.length, "case")}: ${passed} passed, ${failed} failed`);
    print();
    print(`coverage${values["require-coverage"] ? " (required)" : ""}:`);
    if (uncovered === 0) print("  every rule is matched by a case, every required scope is missing in a denied case");
    const level = values["require-coverage"] ? "error  " : "warning";
    for (const r of rulesNotMatched) print(`  ${level} ${ruleLabel(r)} is matched by no case`);
    for (const s of scopesNotDenied) print(`  ${level} scope ${s} is never missing in a denied case`);
  }
  return failed > 0 || (values["require-coverage"] && uncovered > 0) ? 1 : 0;
}

// ─── catalog ──────────────────────────────────────────────────────────────────────────

function catalog(args) {
  const { values, positionals: pos } = parse("catalog", args, {
    format: { type: "string" },
    json: { type: "boolean" },
    now: { type: "string" },
  });
  if (values.help) return help("catalog");
  const [file] = positionals("catalog", pos, 1, ["POLICY"]);
  const format = values.json ? "json" : values.format ?? "markdown";
  if (format !== "markdown" && format !== "json") throw new UsageError("--format must be markdown or json");
  const result = buildCatalog(loadPolicy(file), { now: dayOption(values.now) });
  print(format === "json" ? JSON.stringify(result, null, 2) : catalogMarkdown(result));
  return 0;
}

// ─── drift ────────────────────────────────────────────────────────────────────────────

function drift(args) {
  const { values, positionals: pos } = parse("drift", args, { json: { type: "boolean" } });
  if (values.help) return help("drift");
  const [policyFile, tokensFile] = positionals("drift", pos, 2, ["POLICY", "TOKENS"]);
  const policy = loadPolicy(policyFile);
  const text = readText(tokensFile, "tokens");
  const entries = [];
  const malformed = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    if (line.startsWith("{")) {
      let claims;
      try {
        claims = JSON.parse(line);
      } catch {
        malformed.push({ line: i + 1, reason: "not valid JSON" });
        return;
      }
      if (!isObject(claims)) malformed.push({ line: i + 1, reason: "not a JSON object" });
      else entries.push(claims);
      return;
    }
    remember(line);
    try {
      entries.push(tollgate.decode(line).claims);
    } catch (error) {
      malformed.push({ line: i + 1, reason: `not a decodable JWT (${error.code ?? "error"})` });
    }
  });
  const report = detectDrift(policy, entries);
  const failed = report.drift || malformed.length > 0;

  if (values.json) {
    print(JSON.stringify({ ...report, malformed }, null, 2));
    return failed ? 1 : 0;
  }
  const tokens = (n) => plural(n, "token");
  print(`${tokens(report.tokens)} read${malformed.length ? `, ${plural(malformed.length, "malformed line")}` : ""} (decoded, not verified)`);
  for (const m of malformed) print(`  line ${m.line}: ${m.reason}`);
  const section = (title, rows) => {
    if (rows.length === 0) return;
    print();
    print(title);
    const width = Math.max(...rows.map(([name]) => name.length));
    for (const [name, detail] of rows) print(`  ${name.padEnd(width)}  ${detail}`);
  };
  section("unknown scopes (carried by tokens, not in the policy's catalog):",
    report.unknownScopes.map((s) => [s.name, tokens(s.count)]));
  section("over-privilege (granted, but no rule needs them, directly or through implication):",
    report.overPrivileged.map((s) => [s.name, [s.count > 0 ? `in ${tokens(s.count)}` : null, s.roles.length ? `granted by roles ${s.roles.join(", ")}` : null].filter(Boolean).join("; ")]));
  section("not honoured (carried by tokens without a role that grants them; the policy ignores them):",
    report.unhonoured.map((s) => [s.name, tokens(s.count)]));
  section("unknown roles (ignored by the policy; for information):",
    report.unknownRoles.map((s) => [s.name, tokens(s.count)]));
  if (report.unreadable > 0) {
    print();
    print(`unreadable: ${tokens(report.unreadable)} with a scope or role claim the policy cannot read (answered 401 ERR_JWT_INVALID)`);
  }
  print();
  print(report.drift ? "drift found" : "no drift");
  return failed ? 1 : 0;
}

// ─── inspect ──────────────────────────────────────────────────────────────────────────

const BANNER = "UNVERIFIED: decoded without checking the signature, issuer, audience or times. Do not trust these claims.";

function timesOf(claims, now) {
  const times = {};
  for (const name of ["iat", "nbf", "exp"]) {
    if (!Object.hasOwn(claims, name)) continue;
    const value = claims[name];
    const date = typeof value === "number" ? iso(value) : null;
    times[name] = date === null
      ? { value, iso: null, relative: null, note: "not a NumericDate" }
      : { value, iso: date, relative: value - now };
  }
  return times;
}

function inspect(args) {
  const { values, positionals: pos } = parse("inspect", args, { json: { type: "boolean" }, now: { type: "string" } });
  if (values.help) return help("inspect");
  const [arg] = positionals("inspect", pos, 1, ["TOKEN"]);
  const token = readToken(arg);
  const now = seconds(values.now, "--now") ?? Math.floor(Date.now() / 1000);
  let decoded;
  try {
    decoded = tollgate.decode(token);
  } catch (error) {
    warn(`error: the token does not decode: ${describeError(error)}`);
    return 1;
  }
  const { header, claims, scopes, roles } = decoded;
  const times = timesOf(claims, now);
  if (values.json) {
    print(JSON.stringify({ verified: false, header, claims, scopes, roles, times }, null, 2));
    return 0;
  }
  print(BANNER);
  print();
  print("header");
  print(indent(JSON.stringify(header, null, 2)));
  print("claims");
  print(indent(JSON.stringify(claims, null, 2)));
  print("times");
  if (Object.keys(times).length === 0) print("  (no iat, nbf or exp)");
  for (const [name, t] of Object.entries(times)) {
    if (t.iso === null) {
      print(`  ${name}  ${JSON.stringify(t.value)} (${t.note})`);
      continue;
    }
    let note = "";
    if (name === "exp" && t.value <= now) note = "  EXPIRED";
    if (name === "nbf" && t.value > now) note = "  NOT YET VALID";
    print(`  ${name}  ${t.iso}  (${relative(t.relative)})${note}`);
  }
  if (times.iat?.iso && times.exp?.iso) print(`  lifetime ${formatDuration(times.exp.value - times.iat.value)}`);
  print(`scopes  ${scopes.length ? scopes.join(" ") : "(none)"}`);
  print(`roles   ${roles.length ? roles.join(" ") : "(none)"}`);
  return 0;
}

// ─── verify ───────────────────────────────────────────────────────────────────────────

function verifyCommand(args) {
  const { values, positionals: pos } = parse("verify", args, {
    jwks: { type: "string" },
    iss: { type: "string" },
    aud: { type: "string" },
    alg: { type: "string", multiple: true },
    now: { type: "string" },
    policy: { type: "string" },
    method: { type: "string" },
    path: { type: "string" },
    ip: { type: "string" },
    env: { type: "string" },
    json: { type: "boolean" },
  });
  if (values.help) return help("verify");
  const [arg] = positionals("verify", pos, 1, ["TOKEN"]);
  if (values.jwks === undefined) throw new UsageError(`--jwks FILE is required\n\n${HELP.verify}`);
  if (values.policy !== undefined && (values.method === undefined || values.path === undefined)) {
    throw new UsageError("--policy needs --method and --path");
  }
  if (values.policy === undefined && (values.method ?? values.path ?? values.ip ?? values.env) !== undefined) {
    throw new UsageError("--method, --path, --ip and --env go with --policy");
  }
  if (arg === "-" && values.jwks === "-") throw new UsageError("the token and the JWKS cannot both come from stdin");
  const token = readToken(arg);
  const now = seconds(values.now, "--now");
  const jwks = readJsonFile(values.jwks, "JWKS");
  const policy = values.policy === undefined ? null : loadPolicy(values.policy);

  let keys;
  try {
    keys = tollgate.KeySet.fromJwks(jwks);
  } catch (error) {
    warn(`error: the JWKS does not load: ${describeError(error)}`);
    return 1;
  }
  for (const s of keys.skipped) warn(`note: JWKS key ${s.index}${s.kid ? ` (kid ${s.kid})` : ""} skipped: ${s.reason}`);

  const options = { keys };
  if (values.iss !== undefined) options.issuer = values.iss;
  else {
    options.dangerouslySkipIssuerCheck = true;
    warn("warning: no --iss: the issuer is NOT checked");
  }
  if (values.aud !== undefined) options.audience = values.aud;
  else {
    options.dangerouslySkipAudienceCheck = true;
    warn("warning: no --aud: the audience is NOT checked");
  }
  if (values.alg !== undefined) options.algorithms = values.alg;
  if (now !== undefined) options.now = now;

  let result;
  try {
    result = tollgate.verify(token, options);
  } catch (error) {
    // Caller misuse (e.g. --alg naming no algorithm the keys are bound to) is a usage error.
    if (error instanceof TypeError) throw new UsageError(describeError(error));
    if (values.json) print(JSON.stringify({ verified: false, error: { code: error.code ?? null, message: redact(error.message), claim: error.claim, reason: error.reason } }, null, 2));
    else print(`INVALID: ${describeError(error)}`);
    return 1;
  }

  let decision = null;
  if (policy) {
    const request = { method: values.method, path: values.path };
    if (values.ip !== undefined) request.ip = values.ip;
    if (values.env !== undefined) request.environment = values.env;
    if (now !== undefined) request.now = now;
    try {
      decision = policy.evaluate(result, request);
    } catch (error) {
      throw new UsageError(`the request cannot be evaluated: ${describeError(error)}`);
    }
  }
  const checked = ["signature", "time claims", values.iss !== undefined && "issuer", values.aud !== undefined && "audience"].filter(Boolean);
  if (values.json) {
    print(JSON.stringify({ verified: true, header: result.header, claims: result.claims, scopes: result.scopes, decision }, null, 2));
  } else {
    print(`VERIFIED (${checked.join(", ")})`);
    print();
    print("header");
    print(indent(JSON.stringify(result.header, null, 2)));
    print("claims");
    print(indent(JSON.stringify(result.claims, null, 2)));
    print(`scopes  ${result.scopes.length ? result.scopes.join(" ") : "(none)"}`);
    if (decision) {
      print();
      print(`policy  ${values.method.toUpperCase()} ${values.path}: ${decisionLine(decision)}`);
      if (decision.reason) print(`        ${decision.reason}`);
    }
  }
  return decision && !decision.allow ? 1 : 0;
}

// ─── apikey, basic ────────────────────────────────────────────────────────────────────

function names(value, flag) {
  if (value === undefined) return [];
  const list = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (list.length === 0) throw new UsageError(`${flag} needs at least one name (a,b,c)`);
  return list;
}

// `--expires`: "never", a day (UTC midnight) or a duration from now.
function expiry(value, now) {
  if (value === "never") return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const at = Date.parse(`${value}T00:00:00Z`);
    if (Number.isNaN(at)) throw new UsageError("--expires must be a duration (\"90d\"), a day YYYY-MM-DD or never");
    return at / 1000;
  }
  const seconds = parseDuration(value);
  if (Number.isNaN(seconds) || seconds <= 0) throw new UsageError("--expires must be a duration (\"90d\"), a day YYYY-MM-DD or never");
  return now + Math.ceil(seconds);
}

function credentialsApi() {
  if (typeof policyApi?.mintApiKey !== "function") {
    throw new UsageError("this build of tollgate has no credentials: rebuild the package (make pkg)");
  }
  return policyApi;
}

function apikey(args) {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "--help" || sub === "-h") return help("apikey");
  if (sub === "hash") {
    const { values, positionals: pos } = parse("apikey", rest, {});
    if (values.help) return help("apikey");
    const [arg] = positionals("apikey", pos, 1, ["KEY"]);
    const key = (arg === "-" ? readText("-", "key") : arg).trim();
    remember(key);
    try {
      print(credentialsApi().hashApiKey(key));
    } catch (error) {
      if (error instanceof UsageError) throw error;
      warn(`error: ${describeError(error)}`);
      return 1;
    }
    return 0;
  }
  if (sub !== "new") throw new UsageError(`unknown apikey command "${redact(sub)}"\n\n${HELP.apikey}`);
  const { values, positionals: pos } = parse("apikey", rest, {
    scopes: { type: "string" },
    roles: { type: "string" },
    owner: { type: "string" },
    env: { type: "string" },
    expires: { type: "string" },
    prefix: { type: "string" },
    id: { type: "string" },
    description: { type: "string" },
    now: { type: "string" },
  });
  if (values.help) return help("apikey");
  positionals("apikey", pos, 0, []);
  if (values.scopes === undefined) throw new UsageError(`--scopes is required\n\n${HELP.apikey}`);
  if (values.owner === undefined || values.owner.trim() === "") throw new UsageError(`--owner is required: someone to ask when the key leaks\n\n${HELP.apikey}`);
  const now = seconds(values.now, "--now") ?? Math.floor(Date.now() / 1000);
  const expires = expiry(values.expires ?? "90d", now);
  let minted;
  try {
    minted = credentialsApi().mintApiKey({ random: randomBytes(96), prefix: values.prefix, id: values.id });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(describeError(error));
  }
  const entry = { id: minted.id, sha256: minted.sha256, scopes: names(values.scopes, "--scopes") };
  if (values.roles !== undefined) entry.roles = names(values.roles, "--roles");
  entry.owner = values.owner;
  if (values.env !== undefined) entry.environment = values.env;
  entry.expires = expires;
  entry.created = now;
  if (values.description !== undefined) entry.description = values.description;
  // The entry must load as the catalog will load it (scope names, environment, …).
  try {
    credentialsApi().ApiKeyCatalog.fromJson({ version: 1, keys: [entry] }).free();
  } catch (error) {
    throw new UsageError(`the entry would not load: ${describeError(error).replace("$.keys[0]", "entry")}`);
  }
  process.stderr.write(`API key for ${values.owner} (shown once, store it now; the catalog keeps only its hash):\n${minted.key}\n`);
  if (expires === null) warn("warning: --expires never: the key never expires (tollgate lint warns)");
  print(JSON.stringify(entry, null, 2));
  return 0;
}

function basic(args) {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "--help" || sub === "-h") return help("basic");
  if (sub !== "hash") throw new UsageError(`unknown basic command "${redact(sub)}"\n\n${HELP.basic}`);
  const { values, positionals: pos } = parse("basic", rest, {
    scopes: { type: "string" },
    roles: { type: "string" },
    owner: { type: "string" },
    iterations: { type: "string" },
  });
  if (values.help) return help("basic");
  const [username] = positionals("basic", pos, 1, ["USERNAME"]);
  if (values.iterations !== undefined && !/^\d{1,10}$/.test(values.iterations)) throw new UsageError("--iterations must be a whole number");
  const password = readText("-", "password").replace(/\r?\n$/, "");
  remember(password);
  if (password === "") throw new UsageError("the password (read from stdin) is empty");
  let hashed;
  try {
    hashed = credentialsApi().hashPassword(password, {
      iterations: values.iterations === undefined ? undefined : Number(values.iterations),
      salt: new Uint8Array(randomBytes(16)),
    });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(describeError(error));
  }
  const entry = { username, ...hashed };
  if (values.scopes !== undefined) entry.scopes = names(values.scopes, "--scopes");
  if (values.roles !== undefined) entry.roles = names(values.roles, "--roles");
  if (values.owner !== undefined) entry.owner = values.owner;
  try {
    credentialsApi().BasicCredentials.fromJson({ version: 1, users: [entry] }).free();
  } catch (error) {
    throw new UsageError(`the entry would not load: ${describeError(error).replace("$.users[0]", "entry")}`);
  }
  print(JSON.stringify(entry, null, 2));
  return 0;
}

// ─── main ─────────────────────────────────────────────────────────────────────────────

function help(command) {
  print(HELP[command]);
  return 0;
}

const COMMANDS = { lint, test, catalog, drift, inspect, verify: verifyCommand, apikey, basic };

function version() {
  const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
  print(`tollgate ${pkg.version}`);
  return 0;
}

// Whether this command line needs the full module (the policy engine, the credentials).
function needsPolicy(command, rest) {
  if (["lint", "test", "catalog", "drift", "apikey", "basic"].includes(command)) return true;
  return command === "verify" && rest.some((a) => a === "--policy" || a.startsWith("--policy="));
}

async function main(argv) {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    if (command === "help" && rest[0] in HELP) return help(rest[0]);
    return help("main");
  }
  if (command === "--version" || command === "-v") return version();
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!run) throw new UsageError(`unknown command "${redact(command)}"\n\n${HELP.main}`);
  if (needsPolicy(command, rest)) await loadPolicyApi();
  return run(rest);
}

// `tollgate catalog … | head`: a reader that goes away early is not an error.
process.stdout.on("error", (error) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(process.exitCode ?? 0);
});

let code;
try {
  code = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    warn(`tollgate: ${error.message}`);
    code = 2;
  } else if (error instanceof InputError) {
    warn(`tollgate: ${error.message}`);
    code = 1;
  } else {
    warn(`tollgate: unexpected error: ${describeError(error)}`);
    code = 1;
  }
}
process.exitCode = code;
