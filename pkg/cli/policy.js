// The policy commands: lint (and the API key catalog's lint), test, catalog, drift.

import * as tollgate from "../node.js";
import {
  buildCatalog, catalogMarkdown, detectDrift, parseDuration, policyModel, ruleLabel, lintPolicy, lintApiKeys,
} from "../governance.js";
import {
  InputError, UsageError, credentialsApi, dayOption, decisionLine, describeError, help, isObject, loadPolicy,
  messageOf, parse, parseJson, plural, policyClass, policyDocument, positionals, print, readJsonFile, readText,
  redact, remember,
} from "./io.js";

// ─── lint ─────────────────────────────────────────────────────────────────────────────

export function lint(args) {
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
      credentialsApi().ApiKeyCatalog.fromJson(doc).free();
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

export function test(args) {
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
      revocations = (tollgate.RevocationList ?? credentialsApi().RevocationList).fromJson(file.revocations);
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

export function catalog(args) {
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

export function drift(args) {
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

