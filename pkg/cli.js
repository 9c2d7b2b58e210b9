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
//
// The commands live in cli/: policy.js (lint, test, catalog, drift), tokens.js (inspect,
// verify), credentials.js (apikey, basic); io.js has what they share, help.js their help.

import { readFileSync } from "node:fs";
import { HELP } from "./cli/help.js";
import { InputError, UsageError, describeError, help, loadPolicyApi, print, redact, warn } from "./cli/io.js";
import { catalog, drift, lint, test } from "./cli/policy.js";
import { inspect, verifyCommand } from "./cli/tokens.js";
import { apikey, basic } from "./cli/credentials.js";

// ─── main ─────────────────────────────────────────────────────────────────────────────

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
