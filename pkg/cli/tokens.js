// The token commands: inspect (decode, NOT verified) and verify (against a JWKS file).

import * as tollgate from "../node.js";
import { formatDuration } from "../governance.js";
import {
  UsageError, decisionLine, describeError, help, indent, iso, loadPolicy, parse, positionals, print,
  readJsonFile, readToken, redact, relative, seconds, warn,
} from "./io.js";
import { HELP } from "./help.js";

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

export function inspect(args) {
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

export function verifyCommand(args) {
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

