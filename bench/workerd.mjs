// tollgate and its peers inside the real workerd runtime (the binary from npm, tests/).
//
//   node bench/workerd.mjs                                 # full run, about 2–4 minutes
//   WORKERD_ROUNDS=1 WORKERD_N=50 node bench/workerd.mjs   # quick look, well under a minute
//
// Needs pkg/ built (`make pkg`), `npm install` in bench/ (the peers) and in tests/ (workerd,
// esbuild). No network: workerd listens on 127.0.0.1 and its outbound is 127.0.0.1 only.
//
// Environment:
//   WORKERD_ROUNDS      interleaved rounds (default 5)
//   WORKERD_N           verifications per timed request; default: calibrated per contender
//                       and algorithm so that a request lasts about WORKERD_MS (at least 20)
//   WORKERD_MS          target duration of a timed request when WORKERD_N is not set (default 100)
//   WORKERD_SPAWNS      cold-start workerd processes per library per algorithm (default 7)
//   WORKERD_ALGS        comma list, a subset of HS256,RS256,PS256,ES256,ES384,EdDSA (default all)
//   WORKERD_COLD_ALGS   algorithms for the cold start (default RS256,ES256)
//   WORKERD_ONLY        comma list of sections: verify,cold (default both)
//   ESBUILD             esbuild binary (default tests/node_modules/.bin/esbuild)
//
// What is measured:
//   1. verify ops/s per algorithm, in one workerd process (bench/workerd/worker.js): tollgate
//      `verify`, tollgate `verifyAsync` and a cached tollgate verifier when the build has them
//      ("—" otherwise), jose, hono/jwt, @tsndr/cloudflare-worker-jwt, and the bare WebCrypto
//      `crypto.subtle.verify` on pre-decoded bytes as the limit. Inside workerd the clock does
//      not advance while JavaScript runs, so the time is taken here: a request runs N serial
//      verifications (each awaited), and the time of an empty request (N = 0, same route,
//      same contender) is subtracted. Each sample is the median of 3 full and 3 empty requests.
//   2. cold start: a fresh workerd process per sample whose config holds ONE library; spawn →
//      a trivial route answers (no library touched) → the first request that imports the
//      library (`await import()`), imports the key and verifies one token.
// The peers are bundled by esbuild (conditions workerd, worker, browser) into
// target/bench-workerd/, as wrangler would. Before any timing every contender must return the
// right claims for valid tokens and refuse a token with another token's signature. Rounds
// interleave the contenders and rotate their order each round, so drift on a shared machine
// hits all alike. This is a measurement: nothing here asserts anything about speed.

import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { spawn, execFileSync } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { dirname, join, relative, sep } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { here, intEnv, listEnv, packageVersion, log, median, fmt, msCell, machine, loadAverage } from './lib.mjs';

const BENCH = here('.');
const ROOT = here('..');
const OUT = join(ROOT, 'target/bench-workerd');
const RESULTS = here('workerd-results.md');
const WASM = here('../pkg/wasm/tollgate_wasm_bg.wasm');

if (!existsSync(here('../pkg/workerd.js')) || !existsSync(WASM)) {
  console.error('workerd bench: pkg/ is not built; run `make pkg` first.');
  process.exit(1);
}
if (!existsSync(here('node_modules/jose')) || !existsSync(here('node_modules/hono'))) {
  console.error('workerd bench: run `npm install` in bench/ first.');
  process.exit(1);
}

const { workerdBinary, freePort, startWorkerd, stopChild } = await import('../examples/worker/run-workerd.mjs');
const { packageModules, moduleLine, COMPATIBILITY_DATE } = await import('../examples/worker/workerd-config.mjs');
const { makeFixture, TOKENS_PER_ALG, ISSUER, AUDIENCE, TYP } = await import('./peers/fixtures.mjs');

const ALL_ALGS = ['HS256', 'RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];
const ROUNDS = intEnv('WORKERD_ROUNDS', 5);
const FIXED_N = intEnv('WORKERD_N', 0); // 0: calibrated
const CAL_N = 50; // verifications per calibration request
const MIN_N = 20; // floor of a calibrated N
const MAX_N = 4_000_000; // ceiling of a calibrated N
const TARGET_MS = intEnv('WORKERD_MS', 100);
const REPS = 3; // full and empty requests per sample (medians)
const SPAWNS = intEnv('WORKERD_SPAWNS', 7);
const ALGS = listEnv('WORKERD_ALGS', ALL_ALGS).filter((a) => ALL_ALGS.includes(a));
const COLD_ALGS = listEnv('WORKERD_COLD_ALGS', ['RS256', 'ES256']).filter((a) => ALL_ALGS.includes(a));
const ONLY = new Set(listEnv('WORKERD_ONLY', ['verify', 'cold']));
const ESBUILD = process.env.ESBUILD || here('../tests/node_modules/.bin/esbuild');
const WORKERD = workerdBinary();

if (!existsSync(ESBUILD)) {
  console.error(`workerd bench: esbuild not found at ${ESBUILD}; run \`npm install\` in tests/ or set ESBUILD.`);
  process.exit(1);
}

function versionOf(name) {
  return packageVersion(name === 'tollgate'
    ? here('../pkg/package.json')
    : name === 'workerd' ? here('../tests/node_modules/workerd/package.json') : here(`node_modules/${name}/package.json`));
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// An interrupted run still stops workerd: exit handlers (startWorkerd's, coldStart's) only
// run on a normal exit, so turn the signals into one.
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => process.exit(130));

// Not lib.mjs's cell nor peers.mjs's ratio: here a sample can be lost (NaN: a full request no
// slower than an empty one); cell drops it and says so, ratio gives "—".
const finite = (xs) => xs.filter(Number.isFinite);
const cell = (xs) => {
  const ok = finite(xs);
  if (!ok.length) return 'n/a ¹';
  const lost = xs.length - ok.length;
  return `${fmt(median(ok))} (${fmt(Math.min(...ok))}–${fmt(Math.max(...ok))})${lost ? ' ¹' : ''}`;
};
const ratio = (a, b) => (Number.isFinite(a / b) ? `${a / b >= 0.1 ? (a / b).toFixed(2) : (a / b).toPrecision(2)}×` : '—');

// ---------------------------------------------------------------- HTTP to 127.0.0.1

// node:http with a keep-alive agent (one socket): less overhead and jitter than fetch, and
// a fresh agent per workerd process, so no pooled socket outlives the process it talked to.
function request(agent, port, method, path, body) {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = httpRequest({ host: '127.0.0.1', port, method, path, agent, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(120_000, () => req.destroy(new Error(`no answer within 120 s: ${method} ${path}`)));
    req.end(body);
  });
}

async function getJson(agent, port, path, method = 'GET', body) {
  const res = await request(agent, port, method, path, body);
  let json;
  try {
    json = JSON.parse(res.text);
  } catch {
    throw new Error(`${method} ${path}: ${res.status} ${res.text.slice(0, 200)}`);
  }
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${json.error ?? res.text.slice(0, 200)}`);
  return json;
}

// ---------------------------------------------------------------- build: bundles, fixtures, configs

const PEERS = [
  ['jose', 'export { jwtVerify, importJWK } from "jose";'],
  ['hono-jwt', 'export { verify } from "hono/jwt";'],
  ['cfjwt', 'export { verify } from "@tsndr/cloudflare-worker-jwt";'],
];

// workerd has no node_modules: each peer becomes one ES module, resolved from bench/ with the
// Workers export conditions, as wrangler would bundle it.
function bundlePeers() {
  mkdirSync(join(OUT, 'bench-peers'), { recursive: true });
  const modules = {};
  for (const [name, source] of PEERS) {
    const outfile = join(OUT, 'bench-peers', `${name}.js`);
    execFileSync(ESBUILD, [
      '--bundle', '--format=esm', '--platform=neutral', '--target=es2022', '--conditions=workerd,worker,browser',
      '--main-fields=module,main', `--outfile=${outfile}`, '--log-level=error',
    ], { cwd: BENCH, input: source });
    modules[name] = [`bench-peers/${name}.js`, outfile, 'esModule'];
  }
  return modules;
}

function writeConfig(file, { serviceName, main, modules }) {
  const rel = (p) => JSON.stringify(relative(OUT, p).split(sep).join('/'));
  const lines = [main, ...modules].map((m) => moduleLine(m, rel));
  writeFileSync(file, `# Generated by bench/workerd.mjs; do not edit.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = ${JSON.stringify(serviceName)}, worker = .benchWorker),
    (name = "loopback", network = (allow = ["127.0.0.1/32"])),
  ],
  # The address is always overridden with --socket-addr http=127.0.0.1:PORT.
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = ${JSON.stringify(serviceName)}) ],
);

const benchWorker :Workerd.Worker = (
  modules = [
${lines.join('\n')}
  ],
  globalOutbound = "loopback",
  compatibilityDate = ${JSON.stringify(COMPATIBILITY_DATE)},
);
`);
  return file;
}

// ---------------------------------------------------------------- setup

const started = performance.now();
const out = [];
const o = (s = '') => out.push(s);
const notes = [];

mkdirSync(OUT, { recursive: true });
log('workerd bench: bundling the peers with esbuild...');
const peerModules = bundlePeers();
const pkgModules = packageModules();

const fixtureAlgs = [...new Set([...(ONLY.has('verify') ? ALGS : []), ...(ONLY.has('cold') ? COLD_ALGS : [])])];
log(`workerd bench: fixtures for ${fixtureAlgs.join(', ')}...`);
const fixtures = {};
for (const alg of fixtureAlgs) fixtures[alg] = await makeFixture(alg);

const CONTENDERS = [
  {
    id: 'tollgate',
    label: 'tollgate',
    call: '`createVerifier({ keys, issuer, audience, algorithms: [alg] }).verify(token)`, keys = `KeySet.fromJwk(jwk)` (HS: `KeySet.fromSecret(secret, { alg, kid })`), called without await',
  },
  {
    id: 'tollgateAsync',
    label: 'tollgate `verifyAsync` (WebCrypto)',
    call: 'the same verifier, `await verifier.verifyAsync(token)` (signature by WebCrypto); only if the build has it',
  },
  {
    id: 'tollgateCache',
    label: 'tollgate, cache, one repeated token',
    call: 'the same with `cache: { max: 1000 }`, fed ONE token over and over (every call after the first a hit); only if `createVerifier` accepts the option',
  },
  {
    id: 'jose',
    label: 'jose',
    call: '`await jwtVerify(token, key, { issuer, audience, algorithms: [alg] })`, key = `importJWK(jwk, alg)` (HS: a CryptoKey from `crypto.subtle.importKey`)',
  },
  {
    id: 'hono',
    label: 'hono/jwt',
    call: `\`await verify(token, cryptoKey, { alg, iss, aud, typ: "${TYP}" })\` from \`hono/jwt\``,
  },
  {
    id: 'cfjwt',
    label: '@tsndr/cloudflare-worker-jwt',
    algs: ['HS256', 'RS256', 'ES256', 'ES384'], // its documented algorithms
    call: '`(await verify(token, cryptoKey, { algorithm: alg, throwError: true })).payload` (it has no issuer or audience option)',
  },
  {
    id: 'webcrypto',
    label: 'limit: WebCrypto',
    limit: true,
    call: '`await crypto.subtle.verify(params, cryptoKey, signature, signingInput)` on bytes decoded before timing: no parsing, no claims',
  },
];

// ---------------------------------------------------------------- 1. verify

// What the worker returned for the valid tokens and the bad one: null if right, else why not.
function judge(c, f, res) {
  for (const v of res.valid) {
    if (v.error) return `refuses a valid token: ${v.error}`;
    if (c.limit ? v.value !== true : !isDeepStrictEqual(v.value, f.payloads[v.index])) {
      return `wrong result for token ${v.index ?? 0}: ${JSON.stringify(v.value)?.slice(0, 80)}`;
    }
  }
  const refused = c.limit ? res.bad.value === false : res.bad.error !== undefined;
  return refused ? null : `**accepts a token with another token's signature** (${JSON.stringify(res.bad.value)?.slice(0, 80)})`;
}

async function timeRun(w, e, n) {
  const t0 = performance.now();
  const r = await getJson(w.agent, w.port, `/run?c=${e.id}&alg=${e.alg}&n=${n}`);
  const t = performance.now() - t0;
  if (r.n !== n) throw new Error(`/run ${e.id} ${e.alg}: ran ${r.n}, asked ${n}`);
  w.sink += r.sink;
  return t;
}

async function sample(w, e) {
  const empty = [];
  const full = [];
  for (let k = 0; k < REPS; k++) {
    empty.push(await timeRun(w, e, 0));
    full.push(await timeRun(w, e, e.n));
  }
  w.empty.push(median(empty));
  const dt = median(full) - median(empty);
  return dt > 0 ? (e.n * 1000) / dt : Number.NaN;
}

async function benchVerify() {
  const port = await freePort();
  const config = writeConfig(join(OUT, 'verify.capnp'), {
    serviceName: 'bench',
    main: ['bench-worker.js', join(BENCH, 'workerd/worker.js'), 'esModule'],
    modules: [
      ['bench-fixtures.json', writeFixtures(), 'json'],
      ...Object.values(peerModules),
      ...pkgModules,
    ],
  });
  log(`verify: starting workerd on 127.0.0.1:${port}...`);
  const server = await startWorkerd({ port, config, args: ['--socket-addr', `http=127.0.0.1:${port}`] });
  const w = { port, agent: new Agent({ keepAlive: true, maxSockets: 1 }), sink: 0, empty: [] };
  try {
    const groups = [];
    const unavailable = new Map(); // contender id -> reason (an opt-in path not in this build)
    for (const alg of ALGS) {
      const f = fixtures[alg];
      const list = [];
      for (const c of CONTENDERS) {
        const res = await getJson(w.agent, port, `/check?c=${c.id}&alg=${alg}`);
        if (!res.available) {
          if (res.expected) unavailable.set(c.id, res.reason);
          else notes.push(`${c.label} does not verify ${alg}: ${res.reason}`);
          continue;
        }
        const wrong = judge(c, f, res);
        if (wrong && c.algs && !c.algs.includes(alg)) {
          notes.push(`${c.label} does not verify ${alg}: ${wrong}`);
          continue;
        }
        if (wrong) {
          notes.push(`**${c.label} on ${alg} left out**: ${wrong}`);
          continue;
        }
        list.push({ c, id: c.id, alg, n: FIXED_N || CAL_N, samples: [] });
      }
      groups.push(list);
    }
    for (const [id, reason] of unavailable) notes.push(`${CONTENDERS.find((c) => c.id === id).label}: not in this build (${reason}).`);

    // Warm-up and calibration: a request of CAL_N warms the JIT; then N grows fourfold until
    // a request takes a fifth of TARGET_MS over an empty one (a short one is mostly noise), and
    // is scaled from there so that one request lasts about TARGET_MS.
    log(`verify: warm-up${FIXED_N ? '' : ' and calibration'}...`);
    for (const list of groups) {
      for (const e of list) {
        await timeRun(w, e, e.n);
        if (FIXED_N) continue;
        let n = CAL_N;
        let dt;
        for (;;) {
          const empty = await timeRun(w, e, 0);
          dt = (await timeRun(w, e, n)) - empty;
          if (dt >= TARGET_MS / 5 || n >= MAX_N) break;
          n *= 4;
        }
        e.n = Math.min(Math.max(MIN_N, Math.ceil((n * TARGET_MS) / Math.max(dt, 1))), MAX_N);
      }
    }

    for (let round = 0; round < ROUNDS; round++) {
      log(`verify: round ${round + 1}/${ROUNDS}`);
      for (const [gi, list] of groups.entries()) {
        if (!list.length) continue;
        const k = (round + gi) % list.length;
        for (const e of [...list.slice(k), ...list.slice(0, k)]) e.samples.push(await sample(w, e));
      }
    }
    return { groups, sink: w.sink, empty: w.empty };
  } finally {
    w.agent.destroy();
    await server.stop();
  }
}

function writeFixtures() {
  const algs = {};
  for (const alg of ALGS) {
    const f = fixtures[alg];
    algs[alg] = { alg, kid: f.kid, jwk: f.jwk, secret: f.secret, tokens: f.tokens, badSignature: f.bad.badSignature };
  }
  const file = join(OUT, 'fixtures.json');
  writeFileSync(file, JSON.stringify({ issuer: ISSUER, audience: AUDIENCE, typ: TYP, algs }));
  return file;
}

function reportVerify({ groups, empty }) {
  const byId = (alg, id) => groups[ALGS.indexOf(alg)]?.find((e) => e.id === id);
  const tokenLens = ALGS.map((a) => `${a} ${Math.round(median(fixtures[a].tokens.map((t) => t.length)))}`);
  const ns = groups.flat().map((e) => e.n);
  const lost = groups.flat().some((e) => e.samples.some((x) => !Number.isFinite(x)));

  o('## 1. Verify in workerd: operations per second');
  o();
  o(`| contender | ${ALGS.join(' | ')} |`);
  o(`|---|${ALGS.map(() => '---:').join('|')}|`);
  for (const c of CONTENDERS) {
    o(`| ${c.label} | ${ALGS.map((a) => (byId(a, c.id) ? cell(byId(a, c.id).samples) : '—')).join(' | ')} |`);
  }
  o();
  o(`Median ops/s of ${ROUNDS} interleaved rounds (min–max of the rounds); order rotated every round. One sample: the median` +
    ` wall time of ${REPS} requests running N serial verifications (each awaited) minus the median of ${REPS} empty requests` +
    ` (N = 0, same route and contender), timed by the parent over HTTP/1.1 keep-alive to 127.0.0.1` +
    ` (empty request: median ${empty.length ? median(empty).toFixed(2) : '?'} ms).` +
    ` N = ${FIXED_N ? `${FIXED_N} (WORKERD_N).` : `calibrated per cell to ~${TARGET_MS} ms per request (at least ${MIN_N};` +
      ` here ${ns.length ? `${fmt(Math.min(...ns))}–${fmt(Math.max(...ns))}` : '—'}).`}` +
    ` ${TOKENS_PER_ALG} distinct tokens per algorithm, cycled (iss, aud, sub, iat, nbf, exp, jti, 6 scopes, 3 roles; header` +
    ` alg, kid, typ "at+jwt"; chars: ${tokenLens.join(', ')}). RSA keys 2048 bits, EdDSA = Ed25519. "—": not in this build or` +
    ' the library does not verify that algorithm (see the notes). The limit row only checks a signature.' +
    (lost ? ' ¹ some samples (n/a: all) had a full request no slower than the empty one (N too small for the noise) and were' +
      ' dropped; leave WORKERD_N unset to calibrate N.' : ''));
  o();

  o('### Ratios');
  o();
  o('| alg | tollgate / jose | tollgate / jose, per round (median, min–max) | tollgate / WebCrypto limit | tollgate `verifyAsync` / jose | tollgate `verifyAsync` / tollgate | tollgate cache hit / tollgate |');
  o('|---|---:|---:|---:|---:|---:|---:|');
  const med = (e) => (e ? median(finite(e.samples)) : Number.NaN);
  for (const alg of ALGS) {
    const t = byId(alg, 'tollgate');
    const j = byId(alg, 'jose');
    const a = byId(alg, 'tollgateAsync');
    const pr = t && j ? finite(t.samples.map((x, i) => x / j.samples[i])) : [];
    o(`| ${alg} | ${ratio(med(t), med(j))} |` +
      ` ${pr.length ? `${median(pr).toFixed(2)}× (${Math.min(...pr).toFixed(2)}–${Math.max(...pr).toFixed(2)})` : '—'} |` +
      ` ${ratio(med(t), med(byId(alg, 'webcrypto')))} | ${ratio(med(a), med(j))} | ${ratio(med(a), med(t))} |` +
      ` ${ratio(med(byId(alg, 'tollgateCache')), med(t))} |`);
  }
  o();
  o('Ratios of the medians above (per round: both sides of each ratio ran seconds apart). Above 1, tollgate is faster.');
  o();
  o('How each is called (keys imported once, before timing; every contender returned the right claims for three valid tokens' +
    ' and refused one with another token\'s signature first):');
  o();
  for (const c of CONTENDERS) o(`- **${c.label}**: ${c.call}.`);
  o();
}

// ---------------------------------------------------------------- 2. cold start

// One fresh workerd process: spawn → /ping answers → POST /first (import, key, verify) →
// the same again (modules loaded) → /ping. Times from the parent's clock, in ms.
async function coldStart(config, input) {
  const port = await freePort();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let output = '';
  const t0 = performance.now();
  const child = spawn(WORKERD, ['serve', config, '--socket-addr', `http=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  const collect = (chunk) => {
    if (output.length < 64 * 1024) output += chunk;
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const running = () => child.exitCode === null && child.signalCode === null;
  try {
    let ready;
    for (;;) {
      if (!running()) throw new Error(`workerd exited before it answered:\n${output}`);
      try {
        const r = await request(agent, port, 'GET', '/ping');
        if (r.status === 200) {
          ready = performance.now();
          break;
        }
      } catch {
        // not listening yet
      }
      if (performance.now() - t0 > 30_000) throw new Error(`workerd did not answer within 30 s:\n${output}`);
      await sleep(5);
    }
    const body = JSON.stringify(input);
    const first = await getJson(agent, port, '/first', 'POST', body);
    const verified = performance.now();
    const second = await getJson(agent, port, '/first', 'POST', body);
    const secondDone = performance.now();
    await request(agent, port, 'GET', '/ping');
    const pingDone = performance.now();
    for (const r of [first, second]) if (r.sub !== input.sub) throw new Error(`cold start ${input.lib}: wrong claims ${JSON.stringify(r)}`);
    return { ready: ready - t0, first: verified - ready, verified: verified - t0, second: secondDone - verified, ping: pingDone - secondDone };
  } finally {
    agent.destroy();
    process.removeListener('exit', kill);
    await stopChild(child, exited);
  }
}

// The modules pkg/workerd.js actually loads (relative imports, followed), as a bundler would
// ship them: the cold start lists only these, not, say, the policy engine's wasm, which
// workerd could compile at start-up for nothing.
function tollgateClosure() {
  const entry = pkgModules.find(([name]) => name === 'tollgate');
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    if (!file.endsWith('.js')) return;
    const src = readFileSync(file, 'utf8');
    for (const re of [/\bfrom\s*["'](\.{1,2}\/[^"']+)["']/g, /\bimport\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g]) {
      for (const m of src.matchAll(re)) visit(join(dirname(file), m[1]));
    }
  };
  visit(entry[1]);
  seen.delete(entry[1]);
  return [entry, ...pkgModules.filter(([name, path]) => name !== 'tollgate' && seen.has(path))];
}

async function benchCold() {
  const main = ['bench-cold.js', join(BENCH, 'workerd/cold.js'), 'esModule'];
  const configs = {
    none: writeConfig(join(OUT, 'cold-none.capnp'), { serviceName: 'cold', main, modules: [] }),
    tollgate: writeConfig(join(OUT, 'cold-tollgate.capnp'), { serviceName: 'cold', main, modules: tollgateClosure() }),
    'tollgate-async': writeConfig(join(OUT, 'cold-tollgate-async.capnp'), { serviceName: 'cold', main, modules: tollgateClosure() }),
    jose: writeConfig(join(OUT, 'cold-jose.capnp'), { serviceName: 'cold', main, modules: [peerModules.jose] }),
  };
  const cases = [{ lib: 'none', alg: COLD_ALGS[0] }];
  for (const alg of COLD_ALGS) for (const lib of ['tollgate', 'tollgate-async', 'jose']) cases.push({ lib, alg });
  const runs = [];
  for (let i = 0; i < SPAWNS; i++) {
    log(`cold start: spawn ${i + 1}/${SPAWNS}`);
    const k = i % cases.length;
    for (const { lib, alg } of [...cases.slice(k), ...cases.slice(0, k)]) {
      const f = fixtures[alg];
      const j = i % TOKENS_PER_ALG;
      const input = { lib, alg, jwk: f.jwk, secret: f.secret, token: f.tokens[j], sub: f.payloads[j].sub, issuer: ISSUER, audience: AUDIENCE };
      runs.push({ lib, alg, ...(await coldStart(configs[lib], input)) });
    }
  }
  return { cases, runs, coldModules: tollgateClosure().slice(1).map(([name]) => name) };
}

function reportCold({ cases, runs, coldModules }) {
  o('## 2. Cold start in workerd: fresh process → first verified token (ms)');
  o();
  o('| library | alg | spawn → socket answers | first request: import + key + verify | first request − baseline\'s | **spawn → first token verified** | second request: key + verify | trivial request |');
  o('|---|---|---:|---:|---:|---:|---:|---:|');
  const baseFirst = median(runs.filter((r) => r.lib === 'none').map((r) => r.first));
  for (const { lib, alg } of cases) {
    const rs = runs.filter((r) => r.lib === lib && r.alg === alg);
    const label = lib === 'none' ? 'none (baseline: workerd, no library)'
      : lib === 'tollgate-async' ? `tollgate ${versionOf('tollgate')} \`verifyAsync\`` : `${lib} ${versionOf(lib)}`;
    const share = lib === 'none' ? '—' : (median(rs.map((r) => r.first)) - baseFirst).toFixed(1);
    o(`| ${label} | ${lib === 'none' ? '-' : alg} | ${msCell(rs.map((r) => r.ready))} | ${msCell(rs.map((r) => r.first))} | ${share} |` +
      ` **${msCell(rs.map((r) => r.verified))}** | ${msCell(rs.map((r) => r.second))} | ${msCell(rs.map((r) => r.ping))} |`);
  }
  o();
  o(`Median of ${SPAWNS} spawns each (min–max), spawns interleaved and rotated. Every sample is a new \`workerd serve\` process` +
    ' whose config lists only that library\'s modules (tollgate: pkg/workerd.js as "tollgate" and what it imports:' +
    ` ${coldModules.join(', ')}, the .wasm as a \`wasm\` module; jose: its esbuild bundle; none: the worker alone).` +
    ' The parent polls GET /ping (a route that touches no library) every 5 ms from spawn; then times POST /first, whose handler does `await import(library)`, imports the JWK' +
    ' (tollgate: `KeySet.fromJwk` + `createVerifier`, then `verify` or, on the `verifyAsync` rows, `await verifyAsync` — WebCrypto' +
    ' imports the key and checks the signature; jose: `importJWK`) and verifies one token with iss/aud checks; then the' +
    ' same request again, with the modules already loaded. The baseline\'s /first only decodes the payload: its first request' +
    ' is what any first request costs in a fresh isolate, and the "− baseline\'s" column (difference of the medians) is the' +
    ' library\'s own share. workerd may compile the modules it is given (the .wasm in' +
    ' particular) before its socket answers: that part lands in "spawn → socket answers", which is why that column is shown' +
    ' for each library against the baseline. The OS file cache is warm.');
  o();
}

// ---------------------------------------------------------------- run

let verifyResult;
let coldResult;
if (ONLY.has('verify') && ALGS.length) verifyResult = await benchVerify();
if (ONLY.has('cold') && COLD_ALGS.length) coldResult = await benchCold();
if (verifyResult) reportVerify(verifyResult);
if (coldResult) reportCold(coldResult);
if (notes.length) {
  o('Notes from the set-up:');
  o();
  for (const n of notes) o(`- ${n}`);
  o();
}

const workerdVersion = execFileSync(WORKERD, ['--version'], { encoding: 'utf8' }).trim();
const esbuildVersion = execFileSync(ESBUILD, ['--version'], { encoding: 'utf8' }).trim();
const libs = ['tollgate', 'jose', 'hono', '@tsndr/cloudflare-worker-jwt'];
const head = [];
head.push('# tollgate and its peers in workerd');
head.push('');
head.push(`Generated by \`node bench/workerd.mjs\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC —` +
  ` ${workerdVersion} (npm workerd ${versionOf('workerd')}, compatibility date ${COMPATIBILITY_DATE}), driven from Node ${process.version},` +
  ` ${machine()} (load average at the end: ${loadAverage()}).`);
head.push('');
head.push(`Versions: ${libs.map((n) => `${n} ${versionOf(n)}`).join(', ')}; peers bundled with esbuild ${esbuildVersion}.` +
  ` Settings: WORKERD_ROUNDS=${ROUNDS} WORKERD_N=${FIXED_N || `auto (~${TARGET_MS} ms per request, ≥ ${MIN_N})`}` +
  ` WORKERD_SPAWNS=${SPAWNS} WORKERD_ALGS=${ALGS.join(',')} WORKERD_COLD_ALGS=${COLD_ALGS.join(',')}.`);
head.push('');
const checksum = (verifyResult?.sink ?? 0) & 0xff;
const text = [...head, ...out, `(total ${((performance.now() - started) / 1000).toFixed(0)} s; checksum ${checksum})`, ''].join('\n');
console.log(text);
writeFileSync(RESULTS, text);
log(`workerd bench: written ${relative(process.cwd(), RESULTS) || RESULTS}`);
