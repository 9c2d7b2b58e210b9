// The credential commands: apikey (new, hash) and basic (hash). The secret is printed once,
// on stderr (apikey new) or read from stdin (basic hash); stdout has only the entry.

import { randomBytes } from "node:crypto";
import { parseDuration } from "../governance.js";
import {
  UsageError, credentialsApi, describeError, help, parse, positionals, print, readText, redact, remember, seconds, warn,
} from "./io.js";
import { HELP } from "./help.js";

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

export function apikey(args) {
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

export function basic(args) {
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

