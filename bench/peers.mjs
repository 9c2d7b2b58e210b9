// tollgate and its peers: the same pre-minted access tokens, one Node process per run.
//
//   node bench/peers.mjs                                  # full run, a few minutes
//   PEERS_ROUNDS=1 PEERS_MS=50 node bench/peers.mjs       # quick look, well under 30 s
//
// Needs pkg/ built (`make pkg`) and `npm install` in bench/. No network at run time.
//
// Environment:
//   PEERS_ROUNDS      interleaved rounds (default 5)
//   PEERS_MS          ms per contender per algorithm per round, verify (default 400)
//   PEERS_WARMUP_MS   warm-up per contender per algorithm (default min(300, PEERS_MS))
//   PEERS_AUX_MS      ms per contender per round for decode and key import (default PEERS_MS / 2)
//   PEERS_SPAWNS      cold-start child processes per library per algorithm (default 7)
//   PEERS_ALGS        comma list, a subset of HS256,RS256,PS256,ES256,ES384,EdDSA (default all)
//   PEERS_COLD_ALGS   algorithms for the cold start (default RS256,ES256)
//   PEERS_ONLY        comma list of sections: verify,decode,import,cold,size (default all)
//   ESBUILD           esbuild binary for the size section (default tests/node_modules/.bin/esbuild)
//
// What is measured (details in the legend it prints):
//   1. verify ops/s per algorithm: tollgate (`verify`; `verifyAsync`, whose RSA/ECDSA/EdDSA
//      signature is checked by node:crypto — the Node entry's backend — and, in other rows, by
//      WebCrypto — the backend of workerd and browsers —, one at a time and 16 in flight; a verifier with
//      `cache: true` fed one repeated token), jose, fast-jwt (without and with its cache),
//      jsonwebtoken, hono/jwt, @tsndr/cloudflare-worker-jwt, and the bare primitives on the
//      same pre-decoded signing input as the limit: ring inside tollgate's own wasm
//      (`RawKeySet.verifySignature`, the floor of `verify`), node:crypto, WebCrypto. Ratios:
//      tollgate against the fastest peer, jose, the ring limit (the boundary target: a full
//      verify within 1.15× of the bare ring check, ratio ≥ 0.87), fast-jwt's cache; verifyAsync
//      against jose and the fastest peer; tollgate's cache against fast-jwt's;
//   2. decode ops/s: tollgate `decode`, jwt-decode `jwtDecode`, jose `decodeJwt`;
//   3. JWK import cost: tollgate `KeySet.fromJwk`, WebCrypto `importKey('jwk')`, jose `importJWK`,
//      node:crypto `createPublicKey({ format: 'jwk' })`;
//   4. cold start: a fresh `node` → first verified token, timed inside the child;
//   5. size: gzip -9 of what each package's verify path loads.
// Before any timing every contender must return the right claims for a valid token, and a
// battery of bad tokens (expired, not yet valid, wrong iss, wrong aud, no exp, bad
// signature, alg none, HS256 signed with the public key) records what each one checks.
// Rounds interleave the contenders and rotate their order each round, so drift on a shared
// machine hits all alike. This is a measurement: nothing here asserts anything about speed.

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync, execFileSync } from 'node:child_process';
import { createPublicKey, createSecretKey, webcrypto } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import {
  here, intEnv, listEnv, packageVersion, log, sink, timeSync, timeAsync, timeConcurrent,
  median, fmt, cell, msCell, machine, loadAverage, gzipSize, loadedFiles,
} from './lib.mjs';

const BENCH = here('.');
const PKG_NODE = here('../pkg/node.js');
const WASM = here('../pkg/wasm/tollgate_wasm_bg.wasm');
const COLD = here('peers/cold.mjs');
const RESULTS = here('peers-results.md');

if (!existsSync(PKG_NODE) || !existsSync(WASM)) {
  console.error('peers: pkg/ is not built; run `make pkg` first.');
  process.exit(1);
}
if (!existsSync(here('node_modules/fast-jwt'))) {
  console.error('peers: run `npm install` in bench/ first.');
  process.exit(1);
}

const tg = await import(PKG_NODE);
// The wasm-bindgen module pkg/node.js has just instantiated: its RawKeySet is the ring limit.
const wasm = await import('../pkg/wasm/tollgate_wasm.js');
const jose = await import('jose');
const { jwtDecode } = await import('jwt-decode');
const { makeFixture, primitiveKeys, WEB, TOKENS_PER_ALG, ISSUER, AUDIENCE } = await import('./peers/fixtures.mjs');
const { contenders } = await import('./peers/contenders.mjs');

const ALL_ALGS = ['HS256', 'RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];
const ROUNDS = intEnv('PEERS_ROUNDS', 5);
const ROUND_MS = intEnv('PEERS_MS', 400);
const WARMUP_MS = intEnv('PEERS_WARMUP_MS', Math.min(300, ROUND_MS));
const AUX_MS = intEnv('PEERS_AUX_MS', Math.max(1, Math.round(ROUND_MS / 2)));
const SPAWNS = intEnv('PEERS_SPAWNS', 7);
const ALGS = listEnv('PEERS_ALGS', ALL_ALGS).filter((a) => ALL_ALGS.includes(a));
const COLD_ALGS = listEnv('PEERS_COLD_ALGS', ['RS256', 'ES256']).filter((a) => ALL_ALGS.includes(a));
const ONLY = new Set(listEnv('PEERS_ONLY', ['verify', 'decode', 'import', 'cold', 'size']));
const ESBUILD = process.env.ESBUILD || here('../tests/node_modules/.bin/esbuild');

function versionOf(name) {
  return packageVersion(name === 'tollgate' ? here('../pkg/package.json') : here(`node_modules/${name}/package.json`));
}

// ---------------------------------------------------------------- timing

// lib.mjs's loops, by contender kind: sync, async (one at a time), concurrent (16 in flight).
const timer = { sync: timeSync, async: timeAsync, concurrent: timeConcurrent };

// Runs every entry for `ms` per round, in an order rotated by one each round (and offset by
// the group's index, so groups do not all start with the same contender). Pushes ops/s to
// e.samples.
async function interleave(groups, ms, rounds, label) {
  for (let round = 0; round < rounds; round++) {
    log(`${label}: round ${round + 1}/${rounds}`);
    for (const [gi, list] of groups.entries()) {
      const k = (round + gi) % list.length;
      for (const e of [...list.slice(k), ...list.slice(0, k)]) e.samples.push(await timer[e.kind](e.fn, e.inputs, ms));
    }
  }
}

async function warmUp(groups, ms) {
  for (const list of groups) for (const e of list) await timer[e.kind](e.fn, e.inputs, ms);
}

const fmt1 = (x) => (x >= 100 ? fmt(x) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const usCell = (xs) => {
  const us = xs.map((x) => 1e6 / x);
  return `${fmt1(median(us))} (${fmt1(Math.min(...us))}–${fmt1(Math.max(...us))})`;
};
const ratio = (a, b) => `${a / b >= 0.1 ? (a / b).toFixed(2) : (a / b).toPrecision(2)}×`;
const errText = (e) => `${e?.code ? `${e.code}: ` : ''}${String(e?.message ?? e).split('\n')[0].slice(0, 120)}`;

// ---------------------------------------------------------------- setup and checks

const started = performance.now();
const out = [];
const o = (s = '') => out.push(s);

log(`peers: fixtures for ${ALGS.join(', ')}...`);
const fixtures = {};
for (const alg of ALGS) fixtures[alg] = await makeFixture(alg);

const BAD = [
  ['badSignature', 'signature'],
  ['algNone', 'alg none'],
  ['algConfusion', 'HS256 with the public key'],
  ['expired', 'exp'],
  ['notYetValid', 'nbf'],
  ['wrongIss', 'iss'],
  ['wrongAud', 'aud'],
  ['noExp', 'requires exp'],
];

const CONTENDERS = contenders(tg, wasm);
const notes = []; // surprises and unsupported algorithms, with the error seen
const verifyGroups = []; // per algorithm, the runnable entries
const checks = new Map(); // contender id -> { bad kind -> { rejected: [alg], accepted: [alg] } }

if (ONLY.has('verify')) {
  for (const alg of ALGS) {
    const f = fixtures[alg];
    const prim = await primitiveKeys(f);
    const list = [];
    for (const c of CONTENDERS) {
      const declared = c.algs.includes(alg);
      const inputs = c.input === 'raw' ? f.raw : c.input === 'repeat' ? new Array(TOKENS_PER_ALG).fill(f.tokens[0]) : f.tokens;
      let fn;
      try {
        fn = await c.make(f, prim);
        await sanity(c, fn, f);
      } catch (e) {
        if (c.id === 'joseBytes' && !declared) continue; // an HS256-only variant
        notes.push(declared
          ? `**${c.label} failed on ${alg}** although it supports it: ${errText(e)}`
          : `${c.label} does not verify ${alg}: ${errText(e)}`);
        continue;
      }
      if (!declared) notes.push(`${c.label} verified ${alg}, which it does not document.`);
      if (!c.limit) await battery(c, fn, f);
      list.push({ c, id: c.id, kind: c.kind, fn, inputs, samples: [] });
    }
    verifyGroups.push(list);
  }
}

// A valid token must give the claims it carries (the primitives: true, and false for a
// signature from another token). Otherwise the comparison means nothing: throw.
async function sanity(c, fn, f) {
  if (c.input === 'raw') {
    if ((await fn(f.raw[0])) !== true) throw new Error('the primitive rejects a valid signature');
    if ((await fn({ data: f.raw[0].data, sig: f.raw[1].sig })) !== false) throw new Error('the primitive accepts a wrong signature');
    return;
  }
  for (const i of [0, 1, TOKENS_PER_ALG - 1]) {
    const got = await fn(f.tokens[i]);
    if (!isDeepStrictEqual({ ...got }, f.payloads[i])) throw new Error(`wrong claims for token ${i}: ${JSON.stringify(got)?.slice(0, 80)}`);
  }
}

async function battery(c, fn, f) {
  const row = checks.get(c.id) ?? new Map();
  checks.set(c.id, row);
  for (const [kind] of BAD) {
    const token = f.bad[kind];
    if (!token) continue;
    // A cache row sees each bad token twice: the second call would be a hit if the first had
    // been remembered.
    let accepted = false;
    for (let k = c.input === 'repeat' ? 2 : 1; k > 0; k--) {
      try {
        accepted ||= (await fn(token)) !== undefined;
      } catch {
        // refused
      }
    }
    const r = row.get(kind) ?? { rejected: [], accepted: [] };
    r[accepted ? 'accepted' : 'rejected'].push(f.alg);
    row.set(kind, r);
  }
}

// ---------------------------------------------------------------- 1. verify

const tokenLens = ALGS.map((a) => `${a} ${Math.round(median(fixtures[a].tokens.map((t) => t.length)))}`);

if (ONLY.has('verify')) {
  log(`verify: warm-up ${WARMUP_MS} ms per contender per algorithm...`);
  await warmUp(verifyGroups, WARMUP_MS);
  await interleave(verifyGroups, ROUND_MS, ROUNDS, 'verify');

  const byId = (alg, id) => verifyGroups[ALGS.indexOf(alg)].find((e) => e.id === id);
  const shown = CONTENDERS.filter((c) => ALGS.some((a) => byId(a, c.id)));

  o('## 1. Verify: operations per second');
  o();
  o(`| contender | ${ALGS.join(' | ')} |`);
  o(`|---|${ALGS.map(() => '---:').join('|')}|`);
  for (const c of shown) {
    o(`| ${c.label} | ${ALGS.map((a) => (byId(a, c.id) ? cell(byId(a, c.id).samples) : '—')).join(' | ')} |`);
  }
  o();
  o(`Median ops/s of ${ROUNDS} interleaved rounds × ${ROUND_MS} ms (min–max of the rounds), after ${WARMUP_MS} ms warm-up each;` +
    ` order rotated every round. ${TOKENS_PER_ALG} distinct tokens per algorithm, cycled (iss, aud, sub, iat, nbf, exp, jti,` +
    ` 6 scopes, 3 roles; header alg, kid, typ "at+jwt"; chars: ${tokenLens.join(', ')}). RSA keys 2048 bits, EdDSA = Ed25519.` +
    ' "—": the library does not verify that algorithm (see the notes). The "limit" rows only check a signature.');
  o();

  // Ratios: from the medians, and per round (both sides of a per-round ratio ran seconds apart).
  // The fastest peer is the fastest row of another library on distinct tokens: not a tollgate
  // row, not a cache row (one repeated token), not a limit.
  const libs = shown.filter((c) => !c.limit && c.input !== 'repeat' && !c.id.startsWith('tollgate'));
  const med = (e) => median(e.samples);
  const of = (a, b) => (a && b ? ratio(med(a), med(b)) : '—');
  const perRound = (a, b) => {
    if (!a || !b) return '—';
    const pr = a.samples.map((x, i) => x / b.samples[i]);
    return `${median(pr).toFixed(2)}× (${Math.min(...pr).toFixed(2)}–${Math.max(...pr).toFixed(2)})`;
  };
  o('### Ratios');
  o();
  o('| alg | fastest peer (distinct tokens) | tollgate / fastest peer | tollgate / jose | tollgate / jose, 16 in flight |' +
    ' tollgate / jose, per round (median, min–max) | tollgate / node:crypto limit | tollgate / fast-jwt cache hit |' +
    ' **tollgate / ring limit** | tollgate / ring limit, per round (median, min–max) | verifyAsync / jose |' +
    ' verifyAsync / jose, both 16 in flight | verifyAsync (better of 1 and 16 in flight) / fastest peer |' +
    ' verifyAsync (WebCrypto) / jose | verifyAsync (WebCrypto) / jose, both 16 in flight | cache / fast-jwt cache |');
  o('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const alg of ALGS) {
    const t = byId(alg, 'tollgate');
    if (!t) continue;
    const peers = libs.map((c) => byId(alg, c.id)).filter(Boolean);
    const best = peers.reduce((a, b) => (med(b) > med(a) ? b : a));
    const j = byId(alg, 'jose');
    const ring = byId(alg, 'ring');
    const as = [byId(alg, 'tollgateAsync'), byId(alg, 'tollgateAsync16')].filter(Boolean);
    const asBest = as.length ? as.reduce((a, b) => (med(b) > med(a) ? b : a)) : undefined;
    o(`| ${alg} | ${best.c.label}, ${fmt(med(best))} | ${of(t, best)} | ${of(t, j)} | ${of(t, byId(alg, 'jose16'))} |` +
      ` ${perRound(t, j)} | ${of(t, byId(alg, 'nodecrypto'))} | ${of(t, byId(alg, 'fastjwtCache'))} |` +
      ` **${of(t, ring)}** | ${perRound(t, ring)} | ${of(byId(alg, 'tollgateAsync'), j)} |` +
      ` ${of(byId(alg, 'tollgateAsync16'), byId(alg, 'jose16'))} | ${of(asBest, best)} |` +
      ` ${of(byId(alg, 'tollgateAsyncWeb'), j)} | ${of(byId(alg, 'tollgateAsyncWeb16'), byId(alg, 'jose16'))} |` +
      ` ${of(byId(alg, 'tollgateCache'), byId(alg, 'fastjwtCache'))} |`);
  }
  o();
  o('"fastest peer" is the fastest row of another library on distinct tokens (one at a time or in flight), not a cache row' +
    ' (one repeated token) and not the limit rows. A ratio above 1 means the tollgate row is faster. "tollgate / ring limit" is' +
    ' the boundary target: a full `verify` (parsing, header, key, claims, the result converted to JS) should cost at most' +
    ' 1.15× the bare ring check inside the same wasm, i.e. a ratio ≥ 0.87; the per-round figure is the steadier one on a' +
    ' busy machine. "verifyAsync" is tollgate\'s `verifyAsync` row with the Node entry\'s node:crypto backend (and its' +
    ' 16-in-flight row where so named), "verifyAsync (WebCrypto)" the same with the WebCrypto backend; "cache" is' +
    ' tollgate\'s cache row, against fast-jwt\'s: both fed one repeated token.');
  o();

  o('### What each contender checks');
  o();
  o('✓ = the bad token is refused, ✗ = accepted (for every algorithm the contender verifies; otherwise the algorithms are named).' +
    ' The "in flight" rows call the same function as the row above them; the limit rows check nothing but the signature.' +
    ' The cache rows meet the bad tokens with three valid tokens (0, 1, 63) already cached, and each bad token twice: both' +
    ' caches key by the whole token (fast-jwt by a hash of it), so no bad token is a hit, not even the bad signature, whose' +
    ' header and payload are cached token 0\'s; each gets the full checks, and the second call shows no refusal was' +
    ' remembered as a success.');
  o('Each bad token breaks one rule: a signature from another token; `alg: none` with no signature; HS256 signed with the' +
    ' verifier\'s public key PEM as the HMAC secret (asymmetric algorithms only); exp an hour ago; nbf in an hour; another iss;' +
    ' another aud; no exp claim at all.');
  o();
  o(`| contender | algorithms verified | ${BAD.map(([, h]) => h).join(' | ')} |`);
  o(`|---|---|${BAD.map(() => ':---:').join('|')}|`);
  for (const c of shown.filter((x) => !x.limit && x.kind !== 'concurrent')) {
    const row = checks.get(c.id);
    const algs = ALGS.filter((a) => byId(a, c.id));
    const mark = (kind) => {
      const r = row?.get(kind);
      if (!r) return 'n/a';
      if (!r.accepted.length) return '✓';
      if (!r.rejected.length) return '✗';
      return `✗ ${r.accepted.join(', ')}; ✓ ${r.rejected.join(', ')}`;
    };
    o(`| ${c.label} | ${algs.join(', ')} | ${BAD.map(([k]) => mark(k)).join(' | ')} |`);
  }
  o();
  o('How each is called (keys imported once, before timing):');
  o();
  for (const c of shown) o(`- **${c.label}**: ${c.call}.`);
  o();
  if (notes.length) {
    o('Notes from the set-up:');
    o();
    for (const n of notes) o(`- ${n}`);
    o();
  }
}

// ---------------------------------------------------------------- 2. decode

if (ONLY.has('decode')) {
  const alg = ALGS.includes('RS256') ? 'RS256' : ALGS[0];
  const tokens = fixtures[alg].tokens;
  const floor = (t) => JSON.parse(Buffer.from(t.slice(t.indexOf('.') + 1, t.lastIndexOf('.')), 'base64url').toString('utf8'));
  const entries = [
    { id: 'tollgate', label: 'tollgate `decode(token)` → `{ header, claims, scopes, roles }`', kind: 'sync', fn: (t) => tg.decode(t).claims },
    { id: 'jwtdecode', label: 'jwt-decode `jwtDecode(token)` → payload', kind: 'sync', fn: (t) => jwtDecode(t) },
    { id: 'jose', label: 'jose `decodeJwt(token)` → payload', kind: 'sync', fn: (t) => jose.decodeJwt(t) },
    { id: 'floor', label: 'floor: `JSON.parse(Buffer.from(payload, "base64url"))`, no checks', kind: 'sync', fn: floor },
  ].map((e) => ({ ...e, inputs: tokens, samples: [] }));
  for (const e of entries) {
    if (!isDeepStrictEqual({ ...e.fn(tokens[0]) }, fixtures[alg].payloads[0])) throw new Error(`decode: ${e.id} returns other claims`);
  }
  log('decode: warm-up...');
  await warmUp([entries], WARMUP_MS);
  await interleave([entries], AUX_MS, ROUNDS, 'decode');
  const tm = median(entries[0].samples);
  o('## 2. Decode (no verification)');
  o();
  o('| contender | ops/s | µs/op | tollgate / this |');
  o('|---|---:|---:|---:|');
  for (const e of entries) o(`| ${e.label} | ${cell(e.samples)} | ${usCell(e.samples)} | ${ratio(tm, median(e.samples))} |`);
  o();
  o(`The ${alg} tokens above (${TOKENS_PER_ALG}, cycled); ${ROUNDS} interleaved rounds × ${AUX_MS} ms; median (min–max).` +
    ' tollgate\'s decode also parses the header and splits scopes and roles, and checks the token\'s shape strictly (three' +
    ' segments, strict base64url, JSON objects); jwt-decode and jose\'s decodeJwt return the payload only.');
  o();
}

// ---------------------------------------------------------------- 3. JWK import

if (ONLY.has('import')) {
  const subtle = webcrypto.subtle;
  const groups = [];
  for (const alg of ALGS) {
    const { jwk } = fixtures[alg];
    const inputs = new Array(TOKENS_PER_ALG).fill(jwk);
    const imp = WEB[alg].imp;
    const entries = [
      {
        id: 'tollgate', kind: 'sync', fn: (j) => {
          const k = tg.KeySet.fromJwk(j);
          k.free();
          return k;
        },
      },
      { id: 'webcrypto', kind: 'async', fn: (j) => subtle.importKey('jwk', j, imp, false, ['verify']) },
      { id: 'jose', kind: 'async', fn: (j) => jose.importJWK(j, alg) },
      {
        id: 'node', kind: 'sync', fn: alg.startsWith('HS')
          ? (j) => createSecretKey(j.k, 'base64url')
          : (j) => createPublicKey({ key: j, format: 'jwk' }),
      },
    ].map((e) => ({ ...e, alg, inputs, samples: [] }));
    for (const e of entries) await e.fn(jwk); // throws if an import fails
    groups.push(entries);
  }
  log('import: warm-up...');
  await warmUp(groups, Math.min(WARMUP_MS, AUX_MS));
  await interleave(groups, AUX_MS, ROUNDS, 'import');
  o('## 3. JWK import: µs per key');
  o();
  o('| alg | tollgate `KeySet.fromJwk` (+ `free()`) | WebCrypto `importKey("jwk")` | jose `importJWK` | node:crypto `createPublicKey({ format: "jwk" })` | tollgate / WebCrypto (time) |');
  o('|---|---:|---:|---:|---:|---:|');
  for (const entries of groups) {
    const [t, w, j, n] = entries;
    o(`| ${entries[0].alg} | ${usCell(t.samples)} | ${usCell(w.samples)} | ${usCell(j.samples)}${entries[0].alg.startsWith('HS') ? ' ¹' : ''} |` +
      ` ${usCell(n.samples)}${entries[0].alg.startsWith('HS') ? ' ²' : ''} | ${ratio(median(w.samples), median(t.samples))} |`);
  }
  o();
  o(`The public JWK of each fixture (with alg, kid, use), imported over and over; ${ROUNDS} interleaved rounds × ${AUX_MS} ms;` +
    ' median µs (min–max). tollgate parses and validates the JWK in wasm and binds it to its algorithm; its row includes' +
    ' `free()` (without it, a tight loop of imports holds wasm memory until the garbage collector runs). The last column is' +
    ' tollgate\'s time over WebCrypto\'s: above 1, tollgate is slower.');
  if (ALGS.includes('HS256')) {
    o('¹ jose\'s `importJWK` of an `oct` JWK only decodes `k` to bytes (no CryptoKey; jwtVerify then imports it on every call).' +
      ' ² node:crypto: `createSecretKey(k, "base64url")`.');
  }
  o();
}

// ---------------------------------------------------------------- 4. cold start

if (ONLY.has('cold')) {
  const peers = ['node', 'tollgate', 'jose', 'fast-jwt', 'jsonwebtoken'];
  const runs = []; // { peer, alg, start, imported, keyed, verified, wall }
  const cases = [{ peer: 'node', alg: '-' }];
  for (const alg of COLD_ALGS) for (const peer of peers.slice(1)) cases.push({ peer, alg });
  const coldFixtures = {};
  for (const alg of COLD_ALGS) coldFixtures[alg] = fixtures[alg] ?? (await makeFixture(alg));
  for (let i = 0; i < SPAWNS; i++) {
    log(`cold start: spawn ${i + 1}/${SPAWNS}`);
    const k = i % cases.length;
    for (const { peer, alg } of [...cases.slice(k), ...cases.slice(0, k)]) {
      const f = coldFixtures[alg] ?? coldFixtures[COLD_ALGS[0]];
      const input = {
        peer, alg: f?.alg, jwk: f?.jwk, secret: f?.secret, token: f?.tokens[i % TOKENS_PER_ALG],
        sub: f?.payloads[i % TOKENS_PER_ALG].sub, issuer: ISSUER, audience: AUDIENCE,
      };
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [COLD], { cwd: BENCH, env: { ...process.env, PEERS_COLD_INPUT: JSON.stringify(input) }, encoding: 'utf8' });
      const wall = performance.now() - t0;
      if (r.status !== 0) throw new Error(`cold start ${peer} ${alg}: ${r.stderr}`);
      runs.push({ peer, alg, wall, ...JSON.parse(r.stdout) });
    }
  }
  o('## 4. Cold start: fresh `node` → first verified token (ms)');
  o();
  o('| library | alg | script starts | library loaded | key imported | **first token verified** | verify alone | library load alone | parent: spawn → exit |');
  o('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const { peer, alg } of cases) {
    const rs = runs.filter((r) => r.peer === peer && r.alg === alg);
    o(`| ${peer === 'node' ? 'none (node alone)' : peer} | ${alg} | ${msCell(rs.map((r) => r.start))} | ${msCell(rs.map((r) => r.imported))} |` +
      ` ${msCell(rs.map((r) => r.keyed))} | **${msCell(rs.map((r) => r.verified))}** | ${msCell(rs.map((r) => r.verified - r.keyed))} |` +
      ` ${msCell(rs.map((r) => r.imported - r.start))} | ${msCell(rs.map((r) => r.wall))} |`);
  }
  o();
  o(`Median of ${SPAWNS} spawns each (min–max), spawns interleaved. Times since the child process started` +
    ' (`performance.timeOrigin`), read with `performance.now()` inside bench/peers/cold.mjs: "script starts" is its first line' +
    ' (node\'s own start-up), then `await import(library)`, the key import (+ `createVerifier` for tollgate and fast-jwt), one' +
    ' verification with iss/aud checks. jose\'s HS key: `crypto.subtle.importKey`. The last column is the parent\'s clock,' +
    ' spawn to exit (includes process teardown). The OS file cache is warm (the same files are read every time).');
  o();
}

// ---------------------------------------------------------------- 5. size

if (ONLY.has('size')) {
  const kib = (n) => `${fmt(n)} B (${(n / 1024).toFixed(1)} KiB)`;
  o('## 5. Size: what the verify path loads, gzip -9');
  o();
  o('| package | what | platform | minified JS | JS gzip | wasm gzip | **total gzip** |');
  o('|---|---|---|---:|---:|---:|---:|');
  const shipped = loadedFiles(PKG_NODE);
  const wasmGz = gzipSize(readFileSync(WASM));
  const jsFiles = shipped.filter((f) => f.endsWith('.js'));
  const jsGz = jsFiles.reduce((a, f) => a + gzipSize(readFileSync(f)), 0);
  o(`| tollgate ${versionOf('tollgate')} | as shipped: ${jsFiles.map((f) => relative(here('../pkg'), f)).join(', ')} (each gzipped) + wasm/tollgate_wasm_bg.wasm | node | — | ${kib(jsGz)} | ${kib(wasmGz)} | **${kib(jsGz + wasmGz)}** |`);
  if (existsSync(ESBUILD)) {
    const bundle = (source, platform) =>
      execFileSync(ESBUILD, ['--bundle', '--minify', '--format=esm', `--platform=${platform}`, '--log-level=error'], { cwd: BENCH, input: source, maxBuffer: 64 << 20 });
    const rows = [
      ['tollgate', 'export { KeySet, createVerifier } from "../pkg/node.js"', 'node', true],
      ['jose', 'export { jwtVerify, importJWK } from "jose"', 'neutral'],
      ['fast-jwt', 'export { createVerifier } from "fast-jwt"', 'node'],
      ['jsonwebtoken', 'export { verify } from "jsonwebtoken"', 'node'],
      ['hono', 'export { verify } from "hono/jwt"', 'neutral'],
      ['@tsndr/cloudflare-worker-jwt', 'export { verify } from "@tsndr/cloudflare-worker-jwt"', 'neutral'],
      ['jwt-decode', 'export { jwtDecode } from "jwt-decode"', 'neutral'],
    ];
    for (const [name, source, platform, wasm] of rows) {
      try {
        const js = bundle(source, platform);
        const w = wasm ? wasmGz : 0;
        o(`| ${name} ${versionOf(name)} | esbuild bundle of \`${source}\` | ${platform} | ${kib(js.length)} | ${kib(gzipSize(js))} | ${wasm ? kib(w) : '—'} | **${kib(gzipSize(js) + w)}** |`);
      } catch (e) {
        o(`| ${name} ${versionOf(name)} | esbuild failed: ${errText(e)} | ${platform} | | | | |`);
      }
    }
    o();
    o(`esbuild ${execFileSync(ESBUILD, ['--version'], { encoding: 'utf8' }).trim()}: \`--bundle --minify --format=esm --platform=…\`, entry on stdin` +
      ' (resolved from bench/). platform node for the libraries written for Node (their `node:` built-ins are not counted;' +
      ' neither is node:crypto/OpenSSL nor WebCrypto behind the others), neutral for the WebCrypto ones. jwt-decode is' +
      ' the decode path only; tollgate\'s decode is in the same module as its verifier.');
  } else {
    o();
    o(`(esbuild not found at ${ESBUILD}: set ESBUILD or run \`npm ci\` in tests/ for the bundled rows.)`);
  }
  o();
}

// ---------------------------------------------------------------- output

const libs = ['tollgate', 'jose', 'fast-jwt', 'jsonwebtoken', 'hono', '@tsndr/cloudflare-worker-jwt', 'jwt-decode'];
const head = [];
head.push('# tollgate and its peers');
head.push('');
head.push(`Generated by \`node bench/peers.mjs\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC —` +
  ` Node ${process.version}, ${machine()} (load average at the end: ${loadAverage()}).`);
head.push('');
head.push(`Versions: ${libs.map((n) => `${n} ${versionOf(n)}`).join(', ')}.` +
  ` Settings: PEERS_ROUNDS=${ROUNDS} PEERS_MS=${ROUND_MS} PEERS_WARMUP_MS=${WARMUP_MS} PEERS_AUX_MS=${AUX_MS} PEERS_SPAWNS=${SPAWNS}.`);
head.push('');
const text = [...head, ...out, `(total ${((performance.now() - started) / 1000).toFixed(0)} s; checksum ${sink & 0xff})`, ''].join('\n');
console.log(text);
writeFileSync(RESULTS, text);
log(`peers: written ${relative(process.cwd(), RESULTS) || RESULTS}`);
