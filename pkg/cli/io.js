// The CLI's shared parts: errors and exit codes, output that never prints a secret back,
// reading files and tokens, argument parsing, formatting, and the full module (policy
// engine, credentials) loaded by the commands that need it.

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import * as tollgate from "../node.js";
import { HELP } from "./help.js";

// ─── Output and errors ────────────────────────────────────────────────────────────────

/** Exit 2: the command line cannot be understood, or a named file cannot be read. */
export class UsageError extends Error {}

/** Exit 1: the input was read but is wrong (bad JSON, invalid policy or cases). */
export class InputError extends Error {}

// Strings never to print back: tokens given on the command line or stdin, and their
// payload and signature segments. Filled as tokens are read.
const secrets = new Set();

export function remember(token) {
  if (typeof token !== "string" || token.length < 16) return;
  secrets.add(token);
  for (const part of token.split(".")) if (part.length >= 16) secrets.add(part);
}

export function redact(text) {
  let out = String(text);
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join("[redacted]");
  return out;
}

// Written as they come (process.exitCode, never process.exit: nothing is cut short), so
// a warning shows up before the output it is about.
export const print = (line = "") => process.stdout.write(`${line}\n`);
export const warn = (line) => process.stderr.write(`${redact(line)}\n`);

// The message of an error, without the "policy $.path " prefix ERR_POLICY_INVALID
// messages start with: where it is shown, the path has its own place.
export function messageOf(error) {
  const message = String(error?.message ?? error);
  if (typeof error?.path !== "string") return message;
  for (const what of ["policy", "credentials"]) {
    const repeated = `${what} ${error.path} `;
    if (message.startsWith(repeated)) return message.slice(repeated.length);
  }
  return message;
}

export function describeError(error) {
  if (error && typeof error.code === "string") {
    const where = error.path ? ` at ${error.path}` : "";
    const claim = error.claim ? ` (claim ${error.claim}${error.reason ? `: ${error.reason}` : ""})` : "";
    return redact(`${error.code}${where}: ${messageOf(error)}${claim}`);
  }
  return redact(messageOf(error));
}

// ─── Reading input ────────────────────────────────────────────────────────────────────

export function readText(file, what) {
  try {
    return readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (error) {
    const reason = error.code === "ENOENT" ? "no such file" : error.code === "EISDIR" ? "is a directory" : error.code ?? "unreadable";
    throw new UsageError(`cannot read ${what} ${file === "-" ? "from stdin" : `"${file}"`}: ${reason}`);
  }
}

// JSON.parse, with an error that gives a position but never quotes the text (a JWKS may
// hold HMAC secrets, a cases file tokens).
export function parseJson(text, what) {
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

export function readJsonFile(file, what) {
  return parseJson(readText(file, what), what);
}

// The policy engine is its own wasm module (the package's "./policy" entry,
// policy-node.js), loaded only by the commands that need it: inspect and verify
// without --policy never instantiate it. Older builds exported Policy from node.js.
let policyApi;

export async function loadPolicyApi() {
  if (typeof tollgate.Policy === "function") {
    policyApi = tollgate;
    return;
  }
  try {
    const mod = await import("../policy-node.js");
    if (typeof mod.Policy === "function") policyApi = mod;
  } catch (error) {
    if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
  }
}

export function policyClass() {
  if (policyApi === undefined) {
    throw new UsageError("this build of tollgate has no Policy: rebuild the package (make pkg)");
  }
  return policyApi.Policy;
}

// Policy.fromJson would read a JSON string as policy text: only an object is a document.
export function policyDocument(value) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InputError("policy must be a JSON object { \"version\": 1, \"scopes\": {...}, ... }");
  }
  return value;
}

// The loaded Policy (what governance.js reports on and evaluation uses).
export function loadPolicy(file) {
  const doc = policyDocument(readJsonFile(file, "policy"));
  try {
    return policyClass().fromJson(doc);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new InputError(`policy does not load: ${describeError(error)}`);
  }
}

export function readToken(arg) {
  if (arg === undefined) throw new UsageError("missing TOKEN (or - to read it from stdin)");
  let token = arg === "-" ? readText("-", "token") : arg;
  token = token.trim().replace(/^bearer\s+/i, "");
  remember(token);
  if (token === "") throw new UsageError("the token is empty");
  return token;
}

export function seconds(value, flag) {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw new UsageError(`${flag} must be a number of seconds since 1970`);
  return Number(value);
}

// ─── Formatting ───────────────────────────────────────────────────────────────────────

export function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

export function iso(value) {
  const date = new Date(value * 1000);
  return Number.isNaN(date.getTime()) ? null : date.toISOString().replace(".000Z", "Z");
}

export function relative(delta) {
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

export function indent(text, by = "  ") {
  return text.split("\n").map((line) => by + line).join("\n");
}

export function decisionLine(decision) {
  const rule = decision.rule ? `rules[${decision.rule.index}]${decision.rule.id ? ` "${decision.rule.id}"` : ""}` : "no rule";
  if (decision.allow) return `allow ${decision.status} (${rule})`;
  const extra = [];
  if (decision.constraint) extra.push(`constraint ${decision.constraint}`);
  if (decision.missingScopes?.length) extra.push(`missing scopes ${decision.missingScopes.join(" ")}`);
  if (decision.missingRoles?.length) extra.push(`missing roles ${decision.missingRoles.join(" ")}`);
  return `deny ${decision.status} ${decision.code} (${[rule, ...extra].join("; ")})`;
}

const COMMON = { help: { type: "boolean", short: "h" } };

export function parse(command, args, options) {
  try {
    return parseArgs({ args, options: { ...COMMON, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${error.message.replace(/\. To specify a positional.*$/s, "")}\n\n${HELP[command]}`);
  }
}

export function positionals(command, values, count, names) {
  if (values.length < count) throw new UsageError(`missing ${names.slice(values.length).join(" and ")}\n\n${HELP[command]}`);
  if (values.length > count) throw new UsageError(`too many arguments\n\n${HELP[command]}`);
  return values;
}

export function dayOption(value) {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new UsageError("--now must be a date YYYY-MM-DD");
  }
  return value;
}

export function help(command) {
  print(HELP[command]);
  return 0;
}

export const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

export function credentialsApi() {
  if (typeof policyApi?.mintApiKey !== "function") {
    throw new UsageError("this build of tollgate has no credentials: rebuild the package (make pkg)");
  }
  return policyApi;
}
