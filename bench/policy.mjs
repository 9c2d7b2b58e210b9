// tollgate's policy engine vs Cedar: the same authorization decisions, one Node process.
//
//   make pkg && (cd bench && npm install) && node bench/policy.mjs      (~1.5 min)
//   node bench/policy.mjs --cedar-only       # Cedar half alone (no pkg/ needed)
//   node bench/policy.mjs --no-revocation    # skip the 10^6-entry revocation lists
//
// Environment: POLICY_ROUNDS (default 7), POLICY_MS per contender per round (default 300),
// POLICY_WARMUP_MS per contender (default 1000: V8 tiers Cedar's 4 MB wasm up only after
// ~0.5 s of calls, the first 500 ms run at a fraction of the final speed), REVOKE_N entries
// per revocation list (default 1 000 000), REVOKE_ROUNDS / REVOKE_MS for the per-check
// timings (default 5 × 200 ms). Prints Markdown to stdout and writes bench/policy-results.md.
//
// What is compared
// - tollgate: `Policy` from `tollgate/policy` (pkg/policy-node.js, the policy engine's own
//   wasm module), `Policy.fromJson(<examples/policy/messages.policy.json>)` and
//   `policy.evaluate(subject, { method, path, ip, environment, now })`. The subject is what
//   an edge request has in hand after authentication: the result of tollgate's own
//   `verify()` (HS256 tokens minted by jose, verified once before timing). A second row
//   passes a plain `{ claims }` object instead.
// - Cedar (@cedar-policy/cedar-wasm, its `nodejs` build, synchronous): the equivalent
//   policy in bench/cedar/messages.cedar (the mapping is explained there). Cedar has no
//   methods or path patterns, so bench/cedar/request.mjs routes method + path to one Action
//   per tollgate rule (first match wins) and builds principal, role entities and context
//   from the token's claims. tollgate does that inside evaluate; for Cedar it is
//   application code. Rows:
//     isAuthorized, per request ........ route + build + isAuthorized({ policies: text })
//                                        (the classic API: the policy text is parsed per call)
//     isAuthorized, prebuilt ........... the same on call objects built before timing
//     stateful, per request ............ route + build + statefulIsAuthorized with the policy
//                                        set preparsed once (preparsePolicySet)
//     stateful, prebuilt ............... statefulIsAuthorized on call objects built before
//                                        timing: Cedar's best case, no routing, no building
//     per-call floor ................... `permit(principal, action, resource);`, empty input
//     router + builder alone ........... the JS glue without Cedar, to see its share
//   No schema is passed per call (the policy is validated against cedar/messages.cedarschema
//   once at start-up).
// - Before anything is timed, every case is run through both engines and their allow/deny
//   must agree (and match the expected decision), or the script throws.
// - Each timed loop cycles through all the cases, so both engines see the same mix of
//   allows and the various denies.
// - Sizes: the .wasm and JS glue files each package actually loads in Node, gzip -9 (zlib).
// - Revocation (tollgate only, each variant in a fresh child process so the wasm memory
//   numbers start clean): RevocationList.fromJson with REVOKE_N revoked jti's, and with
//   REVOKE_N revoked subjects; load time, wasm memory growth, per-check cost.
//
// This is a measurement: no timing is asserted anywhere.

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { createRequire } from 'node:module';
import { randomUUID, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { join, relative } from 'node:path';

import { ACTIONS, buildCedarRequest } from './cedar/request.mjs';
import { here, intEnv, packageVersion, BATCH, median, fmt, cpuName, cores, loadAverage, gzipSize, loadedFiles } from './lib.mjs';

const SELF = fileURLToPath(import.meta.url);
const PKG_NODE = here('../pkg/node.js'); // tollgate: verify, KeySet, RevocationList
const PKG_POLICY = here('../pkg/policy-node.js'); // tollgate/policy: Policy (its own wasm module)
const PKG_GLUE = here('../pkg/wasm/tollgate_wasm.js');
const PKG_POLICY_GLUE = here('../pkg/wasm/tollgate_policy.js');
const CEDAR_DIR = here('node_modules/@cedar-policy/cedar-wasm/nodejs/');
const CEDAR_POLICY = here('cedar/messages.cedar');
const CEDAR_SCHEMA = here('cedar/messages.cedarschema');
const RESULTS = here('policy-results.md');

const args = new Set(process.argv.slice(2));
const childArg = process.argv.slice(2).find((a) => a.startsWith('--revocation-child='));
const CEDAR_ONLY = args.has('--cedar-only');
const NO_REVOCATION = args.has('--no-revocation') || CEDAR_ONLY;

const ROUNDS = intEnv('POLICY_ROUNDS', 7);
const ROUND_MS = intEnv('POLICY_MS', 300);
const WARMUP_MS = intEnv('POLICY_WARMUP_MS', 1000); // Cedar's 4 MB wasm needs ~0.5 s of calls to tier up
const REVOKE_N = intEnv('REVOKE_N', 1_000_000);
const REVOKE_ROUNDS = intEnv('REVOKE_ROUNDS', 5);
const REVOKE_MS = intEnv('REVOKE_MS', 200);

const ISSUER = 'https://auth.example.com/';
const AUDIENCE = 'https://api.example.com';

// ------------------------------------------------------------------ the policy

// The messages example (README, "Policies"), as is (time window included).
// The messages example, as the repository ships it (examples/policy/), read as is. The
// bench's Cedar policy (bench/cedar/messages.cedar) says the same thing; the cases below
// check both engines agree before any timing.
const POLICY_DOC = JSON.parse(readFileSync(new URL("../examples/policy/messages.policy.json", import.meta.url), "utf8"));

// ------------------------------------------------------------------ the cases

const at = (y, mo, d, h, mi = 0) => Date.UTC(y, mo - 1, d, h, mi) / 1000;
const WED_10 = at(2026, 3, 4, 10); // a Wednesday, 10:00 UTC
const SAT_10 = at(2026, 3, 7, 10); // a Saturday
const WED_18 = at(2026, 3, 4, 18); // end of the window (exclusive)

let nextSub = 1000;
// A token's claims; `lifetime` = exp - iat (the admin scope allows at most 300 s).
function token({ roles, scope, lifetime = 3600, now = WED_10 }) {
  const iat = now - 60;
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: `user-${nextSub++}`,
    iat,
    nbf: iat,
    exp: iat + lifetime,
    jti: randomUUID(),
    scope,
    roles,
  };
}

const IP_OUT = '203.0.113.5';
const adminReq = (over = {}) => ({ method: 'GET', path: '/admin/users', ip: '10.1.2.3', environment: 'production', now: WED_10, ...over });
const adminTok = (over = {}) => token({ roles: ['admin'], scope: 'admin:messages', lifetime: 300, ...over });

// expect: the decision code of the README's decision table (null = allow).
const CASES = [
  { name: 'reader reads', claims: token({ roles: ['reader'], scope: 'read:messages' }),
    request: { method: 'GET', path: '/messages/42', ip: IP_OUT, environment: 'production', now: WED_10 }, expect: null },
  { name: 'writer sends', claims: token({ roles: ['writer'], scope: 'read:messages write:messages' }),
    request: { method: 'POST', path: '/messages/42', ip: IP_OUT, environment: 'production', now: WED_10 }, expect: null },
  { name: 'write implies read (/messages, ** = 0 segments)', claims: token({ roles: ['writer'], scope: 'write:messages' }),
    request: { method: 'GET', path: '/messages', ip: IP_OUT, environment: 'production', now: WED_10 }, expect: null },
  { name: 'HEAD matches the GET rule, query stripped', claims: token({ roles: ['reader'], scope: 'read:messages' }),
    request: { method: 'HEAD', path: '/messages/7?fields=id', ip: IP_OUT, environment: 'production', now: WED_10 }, expect: null },
  { name: 'write scope not granted by the role', claims: token({ roles: ['reader'], scope: 'read:messages write:messages' }),
    request: { method: 'PUT', path: '/messages/42', ip: IP_OUT, environment: 'production', now: WED_10 }, expect: 'ERR_JWT_INSUFFICIENT_SCOPE' },
  { name: 'no roles: scope not honoured', claims: token({ roles: [], scope: 'read:messages' }),
    request: { method: 'GET', path: '/messages/42', ip: IP_OUT, environment: 'production', now: WED_10 }, expect: 'ERR_JWT_INSUFFICIENT_SCOPE' },
  { name: 'unknown role only', claims: token({ roles: ['superuser'], scope: 'admin:messages', lifetime: 300 }),
    request: adminReq(), expect: 'ERR_JWT_INSUFFICIENT_SCOPE' },
  { name: 'writer on /admin', claims: token({ roles: ['writer'], scope: 'read:messages write:messages' }),
    request: adminReq(), expect: 'ERR_JWT_INSUFFICIENT_SCOPE' },
  { name: 'admin, 10/8, production, weekday', claims: adminTok(), request: adminReq(), expect: null },
  { name: 'admin, IPv4-mapped IPv6, DELETE', claims: adminTok(),
    request: adminReq({ method: 'DELETE', path: '/admin/cache', ip: '::ffff:10.0.0.7' }), expect: null },
  { name: 'admin, 2001:db8::/32, POST', claims: adminTok(),
    request: adminReq({ method: 'POST', path: '/admin/ban/9', ip: '2001:db8::1' }), expect: null },
  { name: 'admin outside ipRanges', claims: adminTok(), request: adminReq({ ip: '192.168.1.1' }),
    expect: 'ERR_POLICY_CONSTRAINT_FAILED', constraint: 'ipRanges' },
  { name: 'admin in staging', claims: adminTok(), request: adminReq({ environment: 'staging' }),
    expect: 'ERR_POLICY_CONSTRAINT_FAILED', constraint: 'environments' },
  { name: 'admin on Saturday', claims: adminTok({ now: SAT_10 }), request: adminReq({ now: SAT_10 }),
    expect: 'ERR_POLICY_CONSTRAINT_FAILED', constraint: 'timeWindows' },
  { name: 'admin at 18:00 (end exclusive)', claims: adminTok({ now: WED_18 }), request: adminReq({ now: WED_18 }),
    expect: 'ERR_POLICY_CONSTRAINT_FAILED', constraint: 'timeWindows' },
  { name: 'admin, 1 h token (max 300 s)', claims: adminTok({ lifetime: 3600 }), request: adminReq(),
    expect: 'ERR_POLICY_CONSTRAINT_FAILED', constraint: 'maxTokenLifetime' },
  { name: 'public /health, no token', claims: null,
    request: { method: 'GET', path: '/health', ip: IP_OUT, environment: 'production', now: WED_10 }, expect: null },
  { name: 'no token', claims: null,
    request: { method: 'GET', path: '/messages/1', ip: IP_OUT, environment: 'production', now: WED_10 }, expect: 'ERR_NO_CREDENTIALS' },
  { name: 'no rule matches (POST /messages)', claims: token({ roles: ['writer'], scope: 'write:messages' }),
    request: { method: 'POST', path: '/messages', ip: IP_OUT, environment: 'production', now: WED_10 }, expect: 'ERR_POLICY_NO_MATCHING_RULE' },
  { name: 'bad path (encoded ..)', claims: token({ roles: ['reader'], scope: 'read:messages' }),
    request: { method: 'GET', path: '/messages/%2e%2e/admin', ip: IP_OUT, environment: 'production', now: WED_10 }, expect: 'ERR_INVALID_REQUEST' },
];

// ------------------------------------------------------------------ helpers

// Its own loop, not lib.mjs's: it cycles case indexes 0..n-1 (20 cases, not a power of two)
// and sums what fn returns (1 for allow).
let sink = 0; // keeps results observable

function timeSync(fn, n, ms) {
  let ops = 0;
  let k = 0;
  const start = performance.now();
  const end = start + ms;
  let t = start;
  while (t < end) {
    for (let i = 0; i < BATCH; i++) {
      sink += fn(k);
      k = k + 1 === n ? 0 : k + 1;
    }
    ops += BATCH;
    t = performance.now();
  }
  return (ops * 1000) / (t - start);
}

const fmt1 = (x) => x.toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const mib = (b) => `${(b / 1048576).toFixed(1)} MiB`;
const kib = (b) => `${(b / 1024).toFixed(1)} KiB`;

// The model name from /proc/cpuinfo where there is one, else lib.mjs's cpuName() (os.cpus()).
function cpuModel() {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1].trim();
  } catch {}
  return cpuName();
}

function sizes(label, entry, base) {
  const files = loadedFiles(entry).map((f) => {
    const bytes = readFileSync(f);
    return { file: relative(base, f), raw: bytes.length, gz: gzipSize(bytes) };
  });
  const total = files.reduce((a, f) => ({ raw: a.raw + f.raw, gz: a.gz + f.gz }), { raw: 0, gz: 0 });
  return { label, files, total };
}

// tollgate's Policy lives in `tollgate/policy` (pkg/policy-node.js, a second wasm module);
// fall back to the main entry in case it is exported there.
async function loadTollgate() {
  const main = await import(PKG_NODE);
  const pol = existsSync(PKG_POLICY) ? await import(PKG_POLICY) : {};
  return { ...main, Policy: pol.Policy ?? main.Policy };
}

// ------------------------------------------------------------------ revocation child

if (childArg) {
  await revocationChild(childArg.split('=')[1]);
  process.exit(0);
}

async function revocationChild(kind) {
  if (typeof globalThis.gc !== 'function') throw new Error('child needs --expose-gc');
  const jose = await import('jose');
  const { RevocationList, Policy, KeySet, createVerifier } = await loadTollgate();
  // The lists live in the verifier's wasm module; the policy module's memory is read too,
  // to show that it holds no copy.
  const { initSync } = await import(PKG_GLUE);
  const wasmBytes = () => initSync().memory.buffer.byteLength;
  const policyWasmBytes = existsSync(PKG_POLICY_GLUE)
    ? await import(PKG_POLICY_GLUE).then((m) => () => m.initSync().memory.buffer.byteLength)
    : () => 0;
  const gc2 = () => {
    globalThis.gc();
    globalThis.gc();
  };
  // JS-side memory: the heap plus external memory other than the two wasm memories
  // (V8 counts a wasm memory's buffer as external).
  const jsMem = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external - wasmBytes() - policyWasmBytes();
  };
  const now = Math.floor(Date.now() / 1000);
  const REVOKED_AT = now - 3600; // subjects: tokens issued before this are revoked

  // The list: realistic identifiers (UUIDs, 36 chars), built before anything is measured.
  const ids = new Array(REVOKE_N);
  for (let i = 0; i < REVOKE_N; i++) ids[i] = randomUUID();
  let doc;
  if (kind === 'tokens') doc = { version: 1, tokens: ids };
  else {
    const subjects = {};
    for (const id of ids) subjects[id] = REVOKED_AT;
    doc = { version: 1, subjects };
  }
  let t0 = performance.now();
  const text = JSON.stringify(doc);
  const stringifyMs = performance.now() - t0;

  gc2();
  const wasm0 = wasmBytes();
  const pwasm0 = policyWasmBytes();
  const js0 = jsMem();
  const rss0 = process.memoryUsage().rss;
  t0 = performance.now();
  let list = RevocationList.fromJson(doc);
  const firstLoadMs = performance.now() - t0;
  gc2();
  const wasm1 = wasmBytes();
  const js1 = jsMem();
  const rss1 = process.memoryUsage().rss;
  const size = list.size;

  // More loads: from the object again and from JSON text (as read from a file or fetched),
  // each after freeing the previous list, so the allocator can reuse its memory.
  const objectLoads = [firstLoadMs];
  const textLoads = [];
  for (let i = 0; i < 2; i++) {
    list.free?.();
    t0 = performance.now();
    list = RevocationList.fromJson(doc);
    objectLoads.push(performance.now() - t0);
  }
  for (let i = 0; i < 3; i++) {
    list.free?.();
    t0 = performance.now();
    list = RevocationList.fromJson(text);
    textLoads.push(performance.now() - t0);
  }
  gc2();
  const wasm2 = wasmBytes();

  // Per-check cost. 1 024 distinct claims per kind, cycled.
  const M = 1024;
  const pick = (i) => ids[(i * 977) % REVOKE_N];
  const mk = (over) => ({ iss: ISSUER, aud: AUDIENCE, sub: `user-${randomUUID()}`, jti: randomUUID(), iat: now - 60, exp: now + 240, ...over });
  const checks = {};
  if (kind === 'tokens') {
    checks['isRevoked: jti listed (revoked)'] = Array.from({ length: M }, (_, i) => mk({ jti: pick(i) }));
    checks['isRevoked: jti not listed'] = Array.from({ length: M }, () => mk({}));
  } else {
    checks['isRevoked: sub listed, iat before (revoked)'] = Array.from({ length: M }, (_, i) => mk({ sub: pick(i), iat: REVOKED_AT - 60 }));
    checks['isRevoked: sub listed, iat after'] = Array.from({ length: M }, (_, i) => mk({ sub: pick(i) }));
    checks['isRevoked: sub not listed'] = Array.from({ length: M }, () => mk({}));
  }
  const expected = (name) => name.includes('(revoked)');
  for (const [name, cs] of Object.entries(checks)) {
    for (const c of cs) {
      if (list.isRevoked(c) !== expected(name)) throw new Error(`revocation ${kind}: ${name}: isRevoked gave the wrong answer`);
    }
  }

  // The same check inside the real paths: evaluate with/without `revocations`, and a
  // verifier (HS256) with/without `revocations`, on a not-revoked token.
  const policy = Policy.fromJson(POLICY_DOC);
  const secret = randomBytes(32);
  const keys = KeySet.fromSecret(secret, { alg: 'HS256', kid: 'k' });
  const claims = { ...mk({}), scope: 'read:messages', roles: ['reader'] };
  const jwt = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'k', typ: 'at+jwt' }).sign(secret);
  const plain = createVerifier({ keys, issuer: ISSUER, audience: AUDIENCE });
  const withList = createVerifier({ keys, issuer: ISSUER, audience: AUDIENCE, revocations: list });
  const subject = plain.verify(jwt);
  const request = { method: 'GET', path: '/messages/42', ip: IP_OUT, environment: 'production', now };
  const reqRev = { ...request, revocations: list };
  if (!policy.evaluate(subject, request).allow || !policy.evaluate(subject, reqRev).allow) {
    throw new Error('revocation: the evaluate check case is not allowed');
  }
  withList.verify(jwt);
  // A revoked token must be refused on both paths, or the rows below measure nothing.
  const revokedClaims = Object.values(checks)[0][0];
  const revokedJwt = await new jose.SignJWT({ ...revokedClaims, scope: 'read:messages', roles: ['reader'] })
    .setProtectedHeader({ alg: 'HS256', kid: 'k', typ: 'at+jwt' }).sign(secret);
  let refused = false;
  try {
    withList.verify(revokedJwt);
  } catch (e) {
    refused = e.code === 'ERR_JWT_REVOKED';
  }
  if (!refused) throw new Error('revocation: verify with revocations accepted a revoked token');
  const revokedDecision = policy.evaluate(plain.verify(revokedJwt), reqRev);
  if (revokedDecision.allow || revokedDecision.code !== 'ERR_JWT_REVOKED') {
    throw new Error(`revocation: evaluate gave ${revokedDecision.code} for a revoked token`);
  }

  const contenders = {};
  for (const [name, cs] of Object.entries(checks)) contenders[name] = (k) => (list.isRevoked(cs[k & (M - 1)]) ? 1 : 0);
  contenders['evaluate, no revocations'] = () => (policy.evaluate(subject, request).allow ? 1 : 0);
  contenders['evaluate, with revocations'] = () => (policy.evaluate(subject, reqRev).allow ? 1 : 0);
  contenders['verify HS256, no revocations'] = () => plain.verify(jwt).claims.exp & 1;
  contenders['verify HS256, with revocations'] = () => withList.verify(jwt).claims.exp & 1;
  const names = Object.keys(contenders);
  for (const n of names) timeSync(contenders[n], M, REVOKE_MS / 2);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < REVOKE_ROUNDS; r++) {
    const order = r % 2 ? [...names].reverse() : names;
    for (const n of order) samples[n].push(timeSync(contenders[n], M, REVOKE_MS));
  }

  process.stdout.write(JSON.stringify({
    kind,
    n: REVOKE_N,
    size,
    textBytes: Buffer.byteLength(text),
    stringifyMs,
    objectLoads,
    textLoads,
    wasmBefore: wasm0,
    wasmAfterFirst: wasm1,
    wasmAfterReloads: wasm2,
    policyWasmGrowth: policyWasmBytes() - pwasm0,
    jsDelta: js1 - js0,
    rssDelta: rss1 - rss0,
    samples,
    sink: sink & 0xff,
  }));
}

// ------------------------------------------------------------------ main

const started = performance.now();
const LOAD_AT_START = loadAverage();
const cedar = createRequire(import.meta.url)('@cedar-policy/cedar-wasm/nodejs');
const CEDAR_VERSION = cedar.getCedarVersion();

let tollgate = null;
if (!CEDAR_ONLY) {
  if (!existsSync(PKG_NODE)) {
    console.error('bench/policy: pkg/ is not built; run `make pkg` first (or use --cedar-only).');
    process.exit(1);
  }
  tollgate = await loadTollgate();
  if (typeof tollgate.Policy?.fromJson !== 'function') {
    console.error('bench/policy: this pkg/ has no Policy yet; rebuild it (`make pkg`) or use --cedar-only.');
    process.exit(1);
  }
}

// Cedar: validate the policy against the schema once, then keep it as text for
// isAuthorized and preparsed for statefulIsAuthorized.
const cedarText = readFileSync(CEDAR_POLICY, 'utf8');
{
  const v = cedar.validate({
    schema: readFileSync(CEDAR_SCHEMA, 'utf8'),
    policies: { staticPolicies: cedarText },
    validationSettings: { mode: 'strict' },
  });
  const errors = v.type === 'success' ? v.validationErrors : v.errors;
  if (v.type !== 'success' || errors.length) {
    throw new Error(`cedar/messages.cedar does not validate against the schema:\n${JSON.stringify(errors, null, 2)}`);
  }
}
// Policies keyed by their @id, so a decision's reasons read "read", "admin", ...
const cedarPolicies = (() => {
  const parts = cedar.policySetTextToParts(cedarText);
  if (parts.type !== 'success') throw new Error(`Cedar cannot parse messages.cedar: ${JSON.stringify(parts.errors)}`);
  const out = {};
  for (const p of parts.policies) {
    const id = /@id\("([^"]+)"\)/.exec(p)?.[1];
    if (!id) throw new Error(`a policy in messages.cedar has no @id: ${p.slice(0, 80)}`);
    out[id] = p;
  }
  return out;
})();
const PSET = 'tollgate-messages';
{
  const r = cedar.preparsePolicySet(PSET, { staticPolicies: cedarPolicies });
  if (r.type !== 'success') throw new Error(`preparsePolicySet failed: ${JSON.stringify(r.errors)}`);
}
const classicPolicies = { staticPolicies: cedarPolicies };

function cedarDecide(answer) {
  if (answer.type !== 'success') throw new Error(`Cedar failed: ${JSON.stringify(answer.errors)}`);
  return answer.response;
}
const cedarPerRequest = (c) => {
  const call = buildCedarRequest(c.claims, c.request);
  if (call === null) return 0; // bad path: a 400 before authorization
  call.policies = classicPolicies;
  const a = cedar.isAuthorized(call);
  return a.type === 'success' && a.response.decision === 'allow' ? 1 : 0;
};
const cedarStatefulPerRequest = (c) => {
  const call = buildCedarRequest(c.claims, c.request);
  if (call === null) return 0;
  call.preparsedPolicySetId = PSET;
  const a = cedar.statefulIsAuthorized(call);
  return a.type === 'success' && a.response.decision === 'allow' ? 1 : 0;
};
const cedarClassicPrebuilt = (c) => {
  if (c.cedarClassicCall === null) return 0;
  const a = cedar.isAuthorized(c.cedarClassicCall);
  return a.type === 'success' && a.response.decision === 'allow' ? 1 : 0;
};
const cedarPrebuilt = (c) => {
  if (c.cedarCall === null) return 0;
  const a = cedar.statefulIsAuthorized(c.cedarCall);
  return a.type === 'success' && a.response.decision === 'allow' ? 1 : 0;
};
// Not the policy: Cedar's fixed cost per call (input conversion, answer), for scale.
cedar.preparsePolicySet('floor', { staticPolicies: 'permit(principal, action, resource);' });
const FLOOR_CALL = { principal: { type: 'User', id: 'u' }, action: { type: 'Action', id: 'a' }, resource: { type: 'Path', id: '/' }, context: {}, entities: [], preparsedPolicySetId: 'floor' };
const cedarFloor = () => (cedar.statefulIsAuthorized(FLOOR_CALL).response.decision === 'allow' ? 1 : 0);
const glueOnly = (c) => {
  const call = buildCedarRequest(c.claims, c.request);
  return call === null ? 0 : call.entities.length & 1;
};

// tollgate subjects: the verify() result of a real HS256 token for each case.
if (tollgate) {
  const jose = await import('jose');
  const secret = randomBytes(32);
  const keys = tollgate.KeySet.fromSecret(secret, { alg: 'HS256', kid: 'bench' });
  const verifier = tollgate.createVerifier({ keys, issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
  for (const c of CASES) {
    if (c.claims === null) {
      c.subject = null;
      c.plainSubject = null;
      continue;
    }
    c.jwt = await new jose.SignJWT(c.claims).setProtectedHeader({ alg: 'HS256', kid: 'bench', typ: 'at+jwt' }).sign(secret);
    c.subject = verifier.verify(c.jwt, { now: c.request.now });
    c.plainSubject = { claims: c.claims };
  }
}

// Agreement: every case through both engines (and the expectation from the spec).
for (const c of CASES) {
  const call = buildCedarRequest(c.claims, c.request);
  c.cedarCall = call === null ? null : { ...call, preparsedPolicySetId: PSET };
  c.cedarClassicCall = call === null ? null : { ...call, policies: classicPolicies };
  if (call === null) {
    c.cedar = { allow: false, reasons: [], note: 'bad path: router → 400' };
  } else {
    const classic = cedarDecide(cedar.isAuthorized({ ...call, policies: classicPolicies }));
    const stateful = cedarDecide(cedar.statefulIsAuthorized(c.cedarCall));
    if (classic.decision !== stateful.decision) throw new Error(`${c.name}: isAuthorized and statefulIsAuthorized disagree`);
    if (classic.diagnostics.errors.length) {
      throw new Error(`${c.name}: Cedar evaluation errors: ${JSON.stringify(classic.diagnostics.errors)}`);
    }
    c.cedar = { allow: classic.decision === 'allow', reasons: classic.diagnostics.reason, action: call.action.id };
  }
}

const agreement = [];
let policy = null;
if (tollgate) policy = tollgate.Policy.fromJson(POLICY_DOC);
const mismatches = [];
const codeNotes = [];
for (const c of CASES) {
  const row = { c, tollgate: null };
  if (c.cedar.allow !== (c.expect === null)) {
    mismatches.push(`${c.name}: Cedar says ${c.cedar.allow ? 'allow' : 'deny'}, the spec says ${c.expect ?? 'allow'}`);
  }
  if (policy) {
    const d = policy.evaluate(c.subject, c.request);
    const dp = policy.evaluate(c.plainSubject, c.request);
    row.tollgate = d;
    if (d.allow !== c.cedar.allow) {
      mismatches.push(`${c.name}: tollgate ${d.allow ? 'allows' : 'denies'} (${d.status} ${d.code}), Cedar ${c.cedar.allow ? 'allows' : 'denies'}`);
    }
    if (dp.allow !== d.allow) mismatches.push(`${c.name}: tollgate decides differently for { claims } and the verify() result`);
    if ((d.code ?? null) !== c.expect || (c.constraint && d.constraint !== c.constraint)) {
      codeNotes.push(`${c.name}: tollgate gave ${d.code}${d.constraint ? ` (${d.constraint})` : ''}, ` +
        `the spec reading of this bench expects ${c.expect}${c.constraint ? ` (${c.constraint})` : ''}`);
    }
  }
  agreement.push(row);
}

const lines = [];
const out = (s = '') => lines.push(s);
const roleCell = (c) => (c.claims ? (c.claims.roles.length ? c.claims.roles.join(' ') : '—') : 'no token');
const scopeCell = (c) => (c.claims ? c.claims.scope : '');
const lifetimeCell = (c) => (c.claims ? `${c.claims.exp - c.claims.iat}s` : '');
const whenCell = (c) => new Date(c.request.now * 1000).toISOString().slice(0, 16).replace('T', ' ').concat(' ', ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][new Date(c.request.now * 1000).getUTCDay()]);

out('### Decisions (checked before timing)');
out();
out('| # | case | roles | token scopes | request | ip | env | time (UTC) | token life | Cedar action | Cedar | tollgate | agree |');
out('|---:|---|---|---|---|---|---|---|---:|---|---|---|---|');
agreement.forEach(({ c, tollgate: d }, i) => {
  const ced = c.cedar.allow ? `allow (${c.cedar.reasons.join(',')})` : 'deny';
  const tg = d ? (d.allow ? `allow ${d.status}` : `deny ${d.status} ${d.code}${d.constraint ? ` (${d.constraint})` : ''}`) : 'n/a';
  const agree = d ? (d.allow === c.cedar.allow ? 'yes' : '**NO**') : `(spec: ${c.expect === null ? 'allow' : 'deny'}) ${c.cedar.allow === (c.expect === null) ? 'yes' : '**NO**'}`;
  const action = c.cedar.action ?? '(router: 400)';
  out(`| ${i + 1} | ${c.name} | ${roleCell(c)} | ${scopeCell(c)} | ${c.request.method} ${c.request.path.replace(/\|/g, '\\|')} | ${c.request.ip} | ${c.request.environment} | ${whenCell(c)} | ${lifetimeCell(c)} | ${action.replace(/\|/g, '\\|')} | ${ced} | ${tg} | ${agree} |`);
});
out();
const nAllow = CASES.filter((c) => c.cedar.allow).length;
out(`${CASES.length} cases, ${nAllow} allow, ${CASES.length - nAllow} deny` + (tollgate ? ': tollgate and Cedar agree on every one.' : ' (Cedar only: tollgate not loaded).'));
if (codeNotes.length) {
  out();
  out('Decision codes that differ from this bench\'s reading of the README\'s decision table (allow/deny agree; not an error here):');
  for (const n of codeNotes) out(`- ${n}`);
}
console.log(lines.join('\n'));
if (mismatches.length) {
  throw new Error(`the engines do not agree:\n  ${mismatches.join('\n  ')}`);
}

// ------------------------------------------------------------------ timing

const contenders = [];
if (policy) {
  contenders.push({ key: 'tg', label: 'tollgate `policy.evaluate`, subject = verify() result', fn: (k) => (policy.evaluate(CASES[k].subject, CASES[k].request).allow ? 1 : 0) });
  contenders.push({ key: 'tgPlain', label: 'tollgate `policy.evaluate`, subject = `{ claims }`', fn: (k) => (policy.evaluate(CASES[k].plainSubject, CASES[k].request).allow ? 1 : 0) });
}
contenders.push({ key: 'cedarClassic', label: 'Cedar `isAuthorized` (policy text per call), route + build per request', fn: (k) => cedarPerRequest(CASES[k]), cedar: true });
contenders.push({ key: 'cedarClassicPrebuilt', label: 'Cedar `isAuthorized` (policy text per call), call objects prebuilt', fn: (k) => cedarClassicPrebuilt(CASES[k]), cedar: true });
contenders.push({ key: 'cedarStateful', label: 'Cedar `statefulIsAuthorized` (preparsed), route + build per request', fn: (k) => cedarStatefulPerRequest(CASES[k]), cedar: true });
contenders.push({ key: 'cedarPrebuilt', label: 'Cedar `statefulIsAuthorized` (preparsed), call objects prebuilt: best case', fn: (k) => cedarPrebuilt(CASES[k]), cedar: true });
contenders.push({ key: 'cedarFloor', label: 'Cedar `statefulIsAuthorized`, `permit(principal, action, resource);` with empty entities and context: the per-call floor', fn: () => cedarFloor(), cedar: true });
contenders.push({ key: 'glue', label: 'router + entity/context builder alone (JS, no Cedar)', fn: (k) => glueOnly(CASES[k]) });

const N = CASES.length;
process.stderr.write(`warm-up ${WARMUP_MS} ms per contender...\n`);
for (const ct of contenders) timeSync(ct.fn, N, WARMUP_MS);
for (const ct of contenders) ct.samples = [];
for (let round = 0; round < ROUNDS; round++) {
  process.stderr.write(`round ${round + 1}/${ROUNDS}\n`);
  // Rotate the order each round so drift does not favour one contender.
  const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]);
  for (const ct of order) ct.samples.push(timeSync(ct.fn, N, ROUND_MS));
}
for (const ct of contenders) process.stderr.write(`  ${ct.key}: ${ct.samples.map((x) => fmt(x)).join(' ')}\n`);

const tgMedian = policy ? median(contenders[0].samples) : null;
const stat = (xs) => {
  const m = median(xs);
  return { m, lo: Math.min(...xs), hi: Math.max(...xs), spread: ((Math.max(...xs) - Math.min(...xs)) / m) * 100 };
};

const tl = [];
const o = (s = '') => tl.push(s);
o('### Decisions per second');
o();
// Per-round ratios: both sides of a ratio ran in the same round, seconds apart, so a slow
// phase of a shared machine moves both; the median of these is the steadier figure.
const perRound = (ct) => {
  const rs = contenders[0].samples.map((t, i) => t / ct.samples[i]);
  return stat(rs);
};
o(`| contender | ops/s (median) | min–max | spread | µs/decision | tollgate / this (medians) | tollgate / this (per round: median, min–max) |`);
o('|---|---:|---:|---:|---:|---:|---:|');
for (const ct of contenders) {
  const s = stat(ct.samples);
  let ratio = 'n/a';
  let rr = 'n/a';
  if (tgMedian) {
    ratio = `${(tgMedian / s.m).toFixed(2)}×`;
    const r = perRound(ct);
    rr = ct.key === 'tg' ? '1.00×' : `${r.m.toFixed(2)}× (${r.lo.toFixed(2)}–${r.hi.toFixed(2)})`;
  }
  o(`| ${ct.label} | ${fmt(s.m)} | ${fmt(s.lo)}–${fmt(s.hi)} | ${s.spread.toFixed(1)} % | ${(1e6 / s.m).toFixed(2)} | ${ratio} | ${rr} |`);
}
o();
o(`${ROUNDS} rounds × ${ROUND_MS} ms per contender, interleaved (order rotated each round), after ${WARMUP_MS} ms warm-up;` +
  ` each timed loop cycles through the ${N} cases above (${nAllow} allow, ${N - nAllow} deny). spread = (max − min) / median.`);
if (tgMedian) {
  const r = (key) => perRound(contenders.find((c) => c.key === key));
  const m = (key) => stat(contenders.find((c) => c.key === key).samples).m;
  const both = (key) => `${r(key).m.toFixed(2)}× (per round; ${(tgMedian / m(key)).toFixed(2)}× from the medians)`;
  o();
  o(`**Ratio tollgate / Cedar: ${both('cedarStateful')}** against Cedar preparsed with the request built from the token each time` +
    ` (the like-for-like comparison: tollgate's evaluate also routes and reads roles/scopes from the claims);` +
    ` ${both('cedarPrebuilt')} against Cedar's best case (everything prebuilt, no routing);` +
    ` ${both('cedarClassic')} against the classic \`isAuthorized\`, which parses the policy text on every call.`);
}
o();
o('Notes: the Cedar rows that say "route + build" include the JS router (bench/cedar/request.mjs) that maps method + path to an' +
  ' Action (Cedar has no path patterns) and the building of principal, role entities and context from the claims; the' +
  ' "alone" row is that glue without Cedar. The bad-path case never reaches Cedar (the router answers it), as in tollgate' +
  ' (400 before any policy). tollgate\'s rows include all of it inside `evaluate` (JSON across the wasm boundary both ways).');

// ------------------------------------------------------------------ sizes

const tgSizes = existsSync(PKG_NODE) && !CEDAR_ONLY ? sizes(existsSync(PKG_POLICY) ? 'tollgate + tollgate/policy (pkg/policy-node.js)' : 'tollgate (pkg/node.js)', existsSync(PKG_POLICY) ? PKG_POLICY : PKG_NODE, here('../pkg')) : null;
// The policy engine's own files (what an app that already verifies with tollgate adds).
const tgPolicyOnly = tgSizes && existsSync(PKG_POLICY)
  ? (() => {
      const verifier = new Set(loadedFiles(PKG_NODE).map((f) => relative(here('../pkg'), f)));
      const files = tgSizes.files.filter((f) => !verifier.has(f.file));
      return { files, total: files.reduce((a, f) => ({ raw: a.raw + f.raw, gz: a.gz + f.gz }), { raw: 0, gz: 0 }) };
    })()
  : null;
const cedarSizes = sizes(`@cedar-policy/cedar-wasm ${CEDAR_VERSION} (nodejs build)`, join(CEDAR_DIR, 'cedar_wasm.js'), CEDAR_DIR);
o();
o('### Package size (what Node loads: .wasm + JS glue; gzip -9 via zlib)');
o();
o('| package | file | bytes | gzip -9 |');
o('|---|---|---:|---:|');
for (const s of [tgSizes, cedarSizes].filter(Boolean)) {
  for (const f of s.files) o(`| ${s.label} | ${f.file} | ${fmt(f.raw)} | ${fmt(f.gz)} |`);
  o(`| **${s.label}** | **total** | **${fmt(s.total.raw)}** | **${fmt(s.total.gz)} (${kib(s.total.gz)})** |`);
}
if (tgPolicyOnly) {
  o(`| tollgate/policy alone (${tgPolicyOnly.files.map((f) => f.file).join(', ')}) | subtotal | ${fmt(tgPolicyOnly.total.raw)} | ${fmt(tgPolicyOnly.total.gz)} (${kib(tgPolicyOnly.total.gz)}) |`);
}
o();
if (tgSizes) {
  o(`Cedar / tollgate, gzipped: ${(cedarSizes.total.gz / tgSizes.total.gz).toFixed(1)}× (everything tollgate loads, token verification included: Cedar does not verify tokens)` +
    (tgPolicyOnly ? `; ${(cedarSizes.total.gz / tgPolicyOnly.total.gz).toFixed(1)}× against the policy module alone.` : '.'));
  o('tollgate\'s JS glue includes all the API its Node entry re-exports (edge, spa), because loading the entry loads them.');
}

// ------------------------------------------------------------------ revocation

if (!NO_REVOCATION) {
  if (!tollgate.RevocationList) throw new Error('this pkg/ has no RevocationList; use --no-revocation');
  o();
  o(`### Revocation: RevocationList of ${fmt(REVOKE_N)} entries (tollgate)`);
  o();
  const results = [];
  for (const kind of ['tokens', 'subjects']) {
    process.stderr.write(`revocation: ${kind} (child process)...\n`);
    const r = spawnSync(process.execPath, ['--expose-gc', SELF, `--revocation-child=${kind}`], {
      encoding: 'utf8',
      env: process.env,
      maxBuffer: 16 << 20,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (r.status !== 0) throw new Error(`revocation child (${kind}) failed with status ${r.status}`);
    results.push(JSON.parse(r.stdout));
  }
  o('| list | entries | JSON text | fromJson(object) ms | fromJson(text) ms | wasm memory growth | JS heap+external Δ (not wasm) | RSS Δ |');
  o('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const what = r.kind === 'tokens' ? `${fmt(r.n)} revoked jti's (UUIDs)` : `${fmt(r.n)} revoked subjects (UUID → seconds)`;
    o(`| ${what} | ${fmt(r.size)} | ${mib(r.textBytes)} | ${r.objectLoads.map((x) => fmt(x)).join(' / ')} | ${r.textLoads.map((x) => fmt(x)).join(' / ')} |` +
      ` ${mib(r.wasmAfterFirst - r.wasmBefore)} (then ${mib(r.wasmAfterReloads - r.wasmAfterFirst)} more over 5 reloads) | ${mib(r.jsDelta)} | ${mib(r.rssDelta)} |`);
  }
  o();
  o(`fromJson(object) serialises the object to JSON text in JS and hands that to the core (JSON.stringify alone of these documents: ${results.map((r) => `${fmt(r.stringifyMs)} ms`).join(' / ')});` +
    ' for subjects it first copies the map to convert any Date values. fromJson(text) is the core\'s parse and build alone.');
  o('Loads: the first, then the next ones after `free()` of the previous list (object: 3 loads, text: 3 loads).' +
    ' wasm memory growth = linear memory after the first load − before (a high-water mark: it includes the input copied into' +
    ' wasm while parsing; wasm memory never shrinks). JS Δ = heapUsed + external (less the wasm memories) after − before, with GCs, the input still alive.' +
    ` The lists live in the verifier's wasm module; the policy module's memory grew by ${results.map((r) => mib(r.policyWasmGrowth)).join(' / ')} over the whole child run (its own Policy and evaluations).`);
  o();
  o('| check | ops/s (median) | min–max | ns/check |');
  o('|---|---:|---:|---:|');
  for (const r of results) {
    for (const [name, xs] of Object.entries(r.samples)) {
      if (r.kind === 'subjects' && !name.startsWith('isRevoked')) continue; // the with/without pair once is enough
      const s = stat(xs);
      o(`| ${r.kind === 'tokens' ? 'jti list' : 'subject list'}: ${name} | ${fmt(s.m)} | ${fmt(s.lo)}–${fmt(s.hi)} | ${fmt(1e9 / s.m)} |`);
    }
  }
  const t = results[0].samples;
  const cost = (a, b) => 1e9 / median(t[b]) - 1e9 / median(t[a]);
  o();
  o(`Revocation check inside the real paths (jti list of ${fmt(REVOKE_N)}, token not revoked): evaluate ${fmt1(cost('evaluate, no revocations', 'evaluate, with revocations'))} ns extra,` +
    ` verify ${fmt1(cost('verify HS256, no revocations', 'verify HS256, with revocations'))} ns extra per call (difference of medians; noise is of the same order for small values).`);
  o(`${REVOKE_ROUNDS} rounds × ${REVOKE_MS} ms per check, interleaved, 1 024 distinct claims per check cycled; each list in a fresh Node process.`);
}

console.log('\n' + tl.join('\n'));

// ------------------------------------------------------------------ results file

const header = [
  '# tollgate policy vs Cedar',
  '',
  `Generated by \`node bench/policy.mjs${process.argv.slice(2).length ? ' ' + process.argv.slice(2).join(' ') : ''}\` on ${new Date().toISOString()}.`,
  '',
  `- tollgate ${CEDAR_ONLY ? '(not measured: --cedar-only)' : packageVersion(here('../pkg/package.json'))}; @cedar-policy/cedar-wasm ${packageVersion(join(CEDAR_DIR, '../package.json'))} (Cedar ${CEDAR_VERSION}, language ${cedar.getCedarLangVersion?.() ?? '?'}), \`nodejs\` build`,
  `- Node ${process.version} (${process.platform} ${process.arch})`,
  `- Machine: ${cores()} cores, ${cpuModel()}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM; load average at start ${LOAD_AT_START}` +
    ' (a shared machine: other work moves whole rounds, hence the per-round ratios)',
  `- Policy: examples/policy/messages.policy.json (with its time window); Cedar: bench/cedar/messages.cedar + bench/cedar/request.mjs`,
  `- total bench time ${((performance.now() - started) / 1000).toFixed(0)} s; checksum ${sink & 0xff}`,
  '',
  '',
];
writeFileSync(RESULTS, header.join('\n') + lines.join('\n') + '\n\n' + tl.join('\n') + '\n');
process.stderr.write(`wrote ${relative(process.cwd(), RESULTS) || RESULTS}\n`);
