// Every command's --help text (the usage errors quote it too).

import { LINT_CODES, APIKEY_LINT_CODES } from "../governance.js";

export const HELP = {
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
