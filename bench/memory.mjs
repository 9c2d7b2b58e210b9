// Memory: does verifying leak, and does dropping a KeySet / verifier give its wasm memory back?
//
//   make pkg && (cd bench && npm install) && node --expose-gc bench/memory.mjs
//
// 1. Verify series, one KeySet and one verifier for the whole run (the hot path):
//      HS256, valid tokens ........ MEM_HS verifies      (default 1 000 000)
//      ES256, valid tokens ........ MEM_ES verifies      (default 20 000: P-256 in wasm is slow)
//      HS256, rejected tokens ..... MEM_REJECT verifies  (default 200 000: every error path,
//                                   each rejection builds a JS Error from the wasm side)
//    After a warm-up (10 % of the series, at least 1 000), the process is sampled
//    MEM_SAMPLES times (default 50) after two forced GCs: heapUsed, rss, external,
//    arrayBuffers and the size of the wasm linear memory. The least-squares slope of each,
//    in bytes per 1 000 verifies, is what a leak would show (also over the second half
//    alone, which tells a one-off step from steady growth); a wasm memory never shrinks,
//    so a flat wasm line means the allocator reuses what each verify frees. RSS moves in
//    steps as V8 and the allocator take and return pages: read it over the long series.
// 2. Churn, each mode in a fresh child process: create MEM_CHURN (default 10 000) KeySets
//    (a three-key JWKS: RS256, ES256, HS256), a verifier on each and one verify, in
//    MEM_CHURN_ROUNDS rounds (default 4), and either
//      free          call verifier.free() and keys.free()
//      finalization  drop them (wasm-bindgen's FinalizationRegistry frees them after a GC)
//      held          keep them all (a real leak, the control)
//    After each round: forced GCs with turns of the event loop until the JS wrappers stop
//    being collected, then a sample. A round that does not grow the wasm memory reused
//    what the previous round gave back.
//
// This is a measurement: it prints numbers and asserts nothing.

import { createHmac } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const PKG_NODE = here('../pkg/node.js');
const PKG_GLUE = here('../pkg/wasm/tollgate_wasm.js');
const SELF = fileURLToPath(import.meta.url);

if (!existsSync(PKG_NODE)) {
  console.error('bench/memory: pkg/ is not built; run `make pkg` first.');
  process.exit(1);
}
if (typeof globalThis.gc !== 'function') {
  console.error('bench/memory: run with `node --expose-gc bench/memory.mjs`.');
  process.exit(1);
}

const jose = await import('jose');
const tollgate = await import(PKG_NODE);
// initSync() returns the already-initialised instance's exports: the wasm memory.
const { initSync } = await import(PKG_GLUE);
const wasmMemory = () => initSync().memory.buffer.byteLength;

const { KeySet, createVerifier } = tollgate;

function intEnv(name, dflt) {
  const v = Number.parseInt(process.env[name] ?? '', 10);
  return Number.isFinite(v) && v > 0 ? v : dflt;
}

const ISSUER = 'https://auth.example.com/';
const AUDIENCE = 'https://api.example.com';
const NOW = 1_700_000_060;
const CLAIMS = (i) => ({
  iss: ISSUER,
  aud: AUDIENCE,
  sub: `user-${i}`,
  iat: NOW - 60,
  nbf: NOW - 60,
  exp: NOW + 3600,
  jti: `jti-${i}-${'x'.repeat(i % 17)}`,
  scope: 'read:messages write:messages read:profile',
  roles: ['member', 'editor'],
});

// ---------------------------------------------------------------- keys and tokens

async function makeKeys() {
  const hsSecret = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);
  const es = await jose.generateKeyPair('ES256', { extractable: true });
  const rs = await jose.generateKeyPair('RS256', { extractable: true });
  const jwks = {
    keys: [
      { kty: 'oct', k: Buffer.from(hsSecret).toString('base64url'), alg: 'HS256', kid: 'hs' },
      { ...(await jose.exportJWK(es.publicKey)), alg: 'ES256', kid: 'es', use: 'sig' },
      { ...(await jose.exportJWK(rs.publicKey)), alg: 'RS256', kid: 'rs', use: 'sig' },
    ],
  };
  return { hsSecret, es, rs, jwks };
}

const b64 = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');
function hsToken(secret, header, payload) {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

const verifierOptions = { issuer: ISSUER, audience: AUDIENCE, now: NOW };

// ---------------------------------------------------------------- statistics

function slope(xs, ys) {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return num / den;
}

async function settle(rounds = 3) {
  for (let i = 0; i < rounds; i++) {
    globalThis.gc();
    // FinalizationRegistry callbacks run in their own task, after the GC.
    await new Promise((r) => setTimeout(r, 5));
  }
}

function sample(x) {
  const m = process.memoryUsage();
  return { x, heapUsed: m.heapUsed, rss: m.rss, external: m.external, arrayBuffers: m.arrayBuffers, wasm: wasmMemory() };
}

const fmtBytes = (n) => {
  const a = Math.abs(n);
  if (a >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (a >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${Math.round(n)} B`;
};
const fmtSlope = (s) => `${s >= 0 ? '+' : ''}${s.toFixed(1)}`;

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(headers), sep, ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------- 1. verify series

async function runSeries({ name, count, tokens, verifier, expectError }) {
  const samples = intEnv('MEM_SAMPLES', 50);
  const every = Math.max(1, Math.floor(count / samples));
  const warmup = Math.max(1_000, Math.floor(count / 10));
  let errors = 0;
  let unexpected = 0;
  const one = (i) => {
    const token = tokens[i % tokens.length];
    try {
      verifier.verify(token);
      if (expectError) unexpected++;
    } catch (e) {
      errors++;
      if (!expectError || !(e instanceof tollgate.TollgateError)) unexpected++;
    }
  };
  for (let i = 0; i < warmup; i++) one(i);
  await settle();
  const points = [sample(0)];
  const t0 = performance.now();
  for (let i = 1; i <= count; i++) {
    one(i);
    if (i % every === 0) {
      globalThis.gc();
      globalThis.gc();
      points.push(sample(i));
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const xs = points.map((p) => p.x / 1000);
  const res = { name, count, warmup, seconds, errors, unexpected, first: points[0], last: points.at(-1) };
  const half = Math.floor(points.length / 2);
  for (const k of ['heapUsed', 'rss', 'external', 'arrayBuffers', 'wasm']) {
    res[k] = slope(xs, points.map((p) => p[k]));
    res[`${k}Half`] = slope(xs.slice(half), points.slice(half).map((p) => p[k]));
  }
  return res;
}

// ---------------------------------------------------------------- 2. churn (child process)

async function churnChild(mode) {
  const count = intEnv('MEM_CHURN', 10_000);
  const rounds = intEnv('MEM_CHURN_ROUNDS', 4);
  const { hsSecret, jwks } = await makeKeys();
  const jwksText = JSON.stringify(jwks);
  const token = hsToken(hsSecret, { alg: 'HS256', kid: 'hs' }, CLAIMS(1));
  let collected = 0;
  const registry = new FinalizationRegistry(() => {
    collected++;
  });
  const held = [];
  // Instantiate everything lazily used once, so round 1 measures the objects, not set-up.
  {
    const k = KeySet.fromJwks(jwksText);
    createVerifier({ keys: k, ...verifierOptions }).verify(token);
  }
  await settle(5);
  const base = sample(0);
  const out = { mode, count, base, rounds: [] };
  for (let r = 1; r <= rounds; r++) {
    const before = wasmMemory();
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      const keys = KeySet.fromJwks(jwksText);
      const verifier = createVerifier({ keys, ...verifierOptions });
      verifier.verify(token);
      if (mode === 'free') {
        verifier.free();
        keys.free();
      } else if (mode === 'held') {
        held.push(keys, verifier);
      }
      if (mode !== 'held') {
        registry.register(keys, 0);
        registry.register(verifier, 0);
      }
    }
    const ms = performance.now() - t0;
    const afterLoop = wasmMemory();
    // GC and let the finalizers run until (nearly) all have arrived, or they stop coming.
    // (The last iteration's objects may stay reachable from the stack for a while.)
    const registered = mode === 'held' ? 0 : 2 * r * count;
    for (let i = 0, quiet = 0, last = collected; i < 100 && quiet < 10 && collected < registered - 2; i++) {
      await settle(1);
      quiet = collected === last ? quiet + 1 : 0;
      last = collected;
    }
    // wasm-bindgen's own registry (on the inner RawKeySet / RawVerifier) gets its cleanup
    // task separately from ours: give it a few more turns.
    await settle(5);
    const s = sample(r * count);
    out.rounds.push({ round: r, ms, wasmBefore: before, wasmAfterLoop: afterLoop, collected, ...s });
  }
  out.held = held.length;
  process.stdout.write(JSON.stringify(out));
}

function runChurn(mode) {
  const child = spawnSync(process.execPath, ['--expose-gc', SELF, '--churn', mode], {
    encoding: 'utf8',
    env: process.env,
    maxBuffer: 1 << 24,
  });
  if (child.status !== 0) {
    console.error(child.stderr);
    throw new Error(`churn child (${mode}) exited with ${child.status}`);
  }
  return JSON.parse(child.stdout);
}

// ---------------------------------------------------------------- main

async function main() {
  const started = performance.now();
  const counts = {
    hs: intEnv('MEM_HS', 1_000_000),
    es: intEnv('MEM_ES', 20_000),
    reject: intEnv('MEM_REJECT', 200_000),
    churn: intEnv('MEM_CHURN', 10_000),
    rounds: intEnv('MEM_CHURN_ROUNDS', 4),
  };
  console.log(`tollgate memory: Node ${process.version}, ${cpus().length} CPU(s), ${cpus()[0]?.model ?? '?'}`);
  console.log(`counts: HS256 ${counts.hs}, ES256 ${counts.es}, rejected ${counts.reject}, churn ${counts.churn} × ${counts.rounds} rounds`);

  const { hsSecret, es, jwks } = await makeKeys();
  const keys = KeySet.fromJwks(jwks);
  const verifier = createVerifier({ keys, ...verifierOptions });

  const hsTokens = Array.from({ length: 256 }, (_, i) => hsToken(hsSecret, { alg: 'HS256', typ: 'JWT', kid: 'hs' }, CLAIMS(i)));
  const esTokens = await Promise.all(
    Array.from({ length: 64 }, (_, i) =>
      new jose.SignJWT(CLAIMS(i)).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: 'es' }).sign(es.privateKey)),
  );
  // One of each error path, each with its own JS Error on the way out.
  const good = hsTokens[0];
  const [h, p, s] = good.split('.');
  const rejectTokens = [
    `${h}.${p}.${s.slice(0, -3)}AAA`, // bad signature
    `${h}.${p}`, // two segments
    `${h}.${p}.${s}=`, // padding
    hsToken(hsSecret, { alg: 'none' }, CLAIMS(1)),
    hsToken(hsSecret, { alg: 'HS256', kid: 'nope' }, CLAIMS(2)),
    hsToken(hsSecret, { alg: 'HS256', kid: 'hs' }, { ...CLAIMS(3), exp: NOW - 10 }),
    hsToken(hsSecret, { alg: 'HS256', kid: 'hs' }, { ...CLAIMS(4), aud: 'https://other.example' }),
    hsToken(hsSecret, { alg: 'HS256', kid: 'hs' }, { ...CLAIMS(5), exp: 'tomorrow' }),
    hsToken(hsSecret, { alg: 'HS256', kid: 'hs', crit: ['b64'] }, CLAIMS(6)),
    hsToken(hsSecret, { alg: 'ES512', kid: 'hs' }, CLAIMS(7)),
    'x'.repeat(20_000),
  ];
  for (const t of [...hsTokens, ...esTokens]) verifier.verify(t); // all valid: fail loudly before measuring

  const series = [];
  for (const spec of [
    { name: 'HS256 valid', count: counts.hs, tokens: hsTokens },
    { name: 'ES256 valid', count: counts.es, tokens: esTokens },
    { name: 'HS256 rejected (11 error paths)', count: counts.reject, tokens: rejectTokens, expectError: true },
  ]) {
    const r = await runSeries({ ...spec, verifier });
    series.push(r);
    console.log(`  ${spec.name}: ${r.count} verifies in ${r.seconds.toFixed(1)} s`);
  }
  verifier.free();
  keys.free();

  console.log('\nVerify series — least-squares slope after warm-up, bytes per 1 000 verifies (after forced GC)\n');
  console.log(table(
    ['series', 'verifies', 'heapUsed', 'heapUsed (2nd half)', 'rss', 'rss (2nd half)', 'external', 'arrayBuffers', 'wasm memory', 'wasm memory start → end', 'heapUsed start → end', 'rss start → end'],
    series.map((r) => [
      r.name, r.count, fmtSlope(r.heapUsed), fmtSlope(r.heapUsedHalf), fmtSlope(r.rss), fmtSlope(r.rssHalf),
      fmtSlope(r.external), fmtSlope(r.arrayBuffers), fmtSlope(r.wasm),
      `${fmtBytes(r.first.wasm)} → ${fmtBytes(r.last.wasm)}`,
      `${fmtBytes(r.first.heapUsed)} → ${fmtBytes(r.last.heapUsed)}`,
      `${fmtBytes(r.first.rss)} → ${fmtBytes(r.last.rss)}`,
    ]),
  ));
  for (const r of series) {
    if (r.unexpected) console.log(`  !! ${r.name}: ${r.unexpected} unexpected outcomes`);
  }

  console.log(`\nChurn — ${counts.churn} KeySets (RS256 + ES256 + HS256 JWKS) + verifiers + one verify per round, ${counts.rounds} rounds, fresh process per mode\n`);
  const churn = ['free', 'finalization', 'held'].map(runChurn);
  const rows = [];
  for (const c of churn) {
    for (const r of c.rounds) {
      rows.push([
        `${c.mode} · round ${r.round}`,
        fmtBytes(r.wasmAfterLoop - r.wasmBefore),
        fmtBytes(r.wasm),
        fmtBytes(r.heapUsed - c.base.heapUsed),
        fmtBytes(r.rss - c.base.rss),
        c.mode === 'held' ? '—' : `${r.collected} / ${2 * r.round * c.count}`,
        `${(r.ms / 1000).toFixed(1)} s`,
      ]);
    }
  }
  console.log(table(
    ['mode · round', 'wasm growth in the round', 'wasm memory after', 'heapUsed vs start', 'rss vs start', 'JS objects collected', 'round time'],
    rows,
  ));
  const perObject = (c) => (c.rounds[0].wasmAfterLoop - c.rounds[0].wasmBefore) / c.count;
  const fin = churn.find((c) => c.mode === 'finalization');
  const held = churn.find((c) => c.mode === 'held');
  console.log(`\n  wasm held per KeySet + verifier (held, round 1): ~${fmtBytes(perObject(held))}` +
    ` (memory grows in 64 KiB pages); finalization round 1 peak: ~${fmtBytes(perObject(fin))} each` +
    ' (a synchronous loop gives the finalizers no turn to run)');
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

if (process.argv[2] === '--churn') await churnChild(process.argv[3]);
else await main();
