// tollgate vs jose: verifying the same access tokens in one Node process.
//
//   make bench            # npm install in bench/, then node bench/run.mjs
//   node bench/run.mjs    # after `make pkg` and `npm install` in bench/
//
// Environment: BENCH_ROUNDS (default 5), BENCH_MS per library per algorithm per
// round (default 1000), BENCH_WARMUP_MS (default 500).
//
// Both libraries get keys imported once, the same pre-minted tokens, and the same
// checks (signature with the expected algorithm, iss, aud, exp/nbf). The rounds
// interleave the two libraries and alternate which one goes first, so slow drift
// (thermal, other load) hits both alike. This is a measurement, not a test: it
// asserts nothing about speed.

import { readFileSync, existsSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { performance } from 'node:perf_hooks';

// The access tokens of every bench: the same issuer, audience and claims (peers/fixtures.mjs);
// TOKENS_PER_ALG distinct tokens, cycled, so nothing can cache one result.
import { ISSUER, AUDIENCE, TOKENS_PER_ALG, claimsFor } from './peers/fixtures.mjs';
import {
  here, intEnv, packageVersion, IN_FLIGHT, sink, timeSync, timeAsync, timeConcurrent, median, fmt, cell, cpuName, cores, gzipSize,
} from './lib.mjs';

const PKG_NODE = here('../pkg/node.js');
const WASM = here('../pkg/wasm/tollgate_wasm_bg.wasm');

if (!existsSync(PKG_NODE) || !existsSync(WASM)) {
  console.error('bench: pkg/ is not built; run `make pkg` first.');
  process.exit(1);
}

const jose = await import('jose');
const { KeySet, createVerifier } = await import(PKG_NODE);

const ROUNDS = intEnv('BENCH_ROUNDS', 5);
const ROUND_MS = intEnv('BENCH_MS', 1000);
const WARMUP_MS = intEnv('BENCH_WARMUP_MS', 500);
const ALGS = ['HS256', 'RS256', 'ES256', 'EdDSA'];

// ---------------------------------------------------------------- setup

async function setup(alg) {
  const kid = `bench-${alg.toLowerCase()}`;
  let signKey;
  let joseKey;
  let keys;
  if (alg.startsWith('HS')) {
    signKey = await jose.generateSecret(alg, { extractable: true });
    const jwk = await jose.exportJWK(signKey);
    // A CryptoKey imported once: given the secret as bytes, jose would import it into
    // WebCrypto on every call, and the comparison would measure that.
    joseKey = signKey;
    keys = KeySet.fromSecret(Buffer.from(jwk.k, 'base64url'), { alg, kid });
  } else {
    const pair = await jose.generateKeyPair(alg, { extractable: true });
    signKey = pair.privateKey;
    const jwk = { ...(await jose.exportJWK(pair.publicKey)), alg, kid, use: 'sig' };
    joseKey = await jose.importJWK(jwk, alg);
    keys = KeySet.fromJwks({ keys: [jwk] });
  }

  const now = Math.floor(Date.now() / 1000);
  const tokens = [];
  for (let i = 0; i < TOKENS_PER_ALG; i++) {
    const claims = claimsFor(alg, i, now);
    tokens.push(await new jose.SignJWT(claims).setProtectedHeader({ alg, kid, typ: 'at+jwt' }).sign(signKey));
  }

  const tollgateVerifier = createVerifier({ keys, issuer: ISSUER, audience: AUDIENCE, algorithms: [alg] });
  const joseOptions = { issuer: ISSUER, audience: AUDIENCE, algorithms: [alg] };
  const runTollgate = (token) => tollgateVerifier.verify(token).claims;
  const runJose = async (token) => (await jose.jwtVerify(token, joseKey, joseOptions)).payload;

  await sanityCheck(alg, tokens, runTollgate, runJose, { signKey, kid, tollgateVerifier, joseKey, joseOptions });
  return { alg, tokens, runTollgate, runJose };
}

// Both libraries must accept the same tokens with the same claims and reject an
// expired one and a wrong audience: otherwise the comparison is meaningless.
async function sanityCheck(alg, tokens, runTollgate, runJose, ctx) {
  const a = runTollgate(tokens[0]);
  const b = await runJose(tokens[0]);
  if (!isDeepStrictEqual(a, b)) throw new Error(`${alg}: the libraries disagree on the claims`);
  const now = Math.floor(Date.now() / 1000);
  const header = { alg, kid: ctx.kid, typ: 'at+jwt' };
  const expired = await new jose.SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'x', iat: now - 7200, exp: now - 3600 })
    .setProtectedHeader(header).sign(ctx.signKey);
  const wrongAud = await new jose.SignJWT({ iss: ISSUER, aud: 'https://other.example', sub: 'x', iat: now, exp: now + 600 })
    .setProtectedHeader(header).sign(ctx.signKey);
  for (const [name, token, code] of [['expired', expired, 'ERR_JWT_EXPIRED'], ['wrong aud', wrongAud, 'ERR_JWT_CLAIM_VALIDATION_FAILED']]) {
    const codes = [];
    try {
      runTollgate(token);
      codes.push('accepted');
    } catch (e) {
      codes.push(e.code);
    }
    try {
      await runJose(token);
      codes.push('accepted');
    } catch (e) {
      codes.push(e.code);
    }
    if (codes[0] !== code || codes[1] !== code) {
      throw new Error(`${alg} ${name}: expected ${code} from both, got tollgate=${codes[0]} jose=${codes[1]}`);
    }
  }
}

// ---------------------------------------------------------------- main

const started = performance.now();
const suites = [];
for (const alg of ALGS) suites.push(await setup(alg));

process.stderr.write(`warm-up ${WARMUP_MS} ms per library per algorithm...\n`);
for (const s of suites) {
  timeSync(s.runTollgate, s.tokens, WARMUP_MS);
  await timeAsync(s.runJose, s.tokens, WARMUP_MS);
  await timeConcurrent(s.runJose, s.tokens, WARMUP_MS / 2);
}

const samples = Object.fromEntries(ALGS.map((a) => [a, { tollgate: [], jose: [], joseConcurrent: [] }]));
for (let round = 0; round < ROUNDS; round++) {
  process.stderr.write(`round ${round + 1}/${ROUNDS}\n`);
  for (const s of suites) {
    const tollgateFirst = (round + suites.indexOf(s)) % 2 === 0;
    if (tollgateFirst) samples[s.alg].tollgate.push(timeSync(s.runTollgate, s.tokens, ROUND_MS));
    samples[s.alg].jose.push(await timeAsync(s.runJose, s.tokens, ROUND_MS));
    samples[s.alg].joseConcurrent.push(await timeConcurrent(s.runJose, s.tokens, ROUND_MS));
    if (!tollgateFirst) samples[s.alg].tollgate.push(timeSync(s.runTollgate, s.tokens, ROUND_MS));
  }
}

const wasm = readFileSync(WASM);
const gz = gzipSize(wasm);
const tokenLen = Math.round(median(suites.map((s) => median(s.tokens.map((t) => t.length)))));

const lines = [];
lines.push(`tollgate ${packageVersion(here('../pkg/package.json'))} vs jose ${packageVersion(here('node_modules/jose/package.json'))}` +
  ` — Node ${process.version}, ${cpuName()} (${cores()} cores)`);
lines.push(`${ROUNDS} rounds × ${ROUND_MS} ms per library per algorithm, interleaved, after ${WARMUP_MS} ms warm-up;` +
  ` ${TOKENS_PER_ALG} distinct tokens per algorithm (~${tokenLen} chars: iss, aud, sub, iat, nbf, exp, jti, 6 scopes, 3 roles);` +
  ' both check signature + alg, iss, aud, exp, nbf. jose: jwtVerify with a CryptoKey imported once (importJWK; for HS, the generated CryptoKey);' +
  ' tollgate: createVerifier with a KeySet built once (synchronous).');
lines.push('');
lines.push(`| alg | tollgate ops/s | jose ops/s (one at a time) | jose ops/s (${IN_FLIGHT} in flight) | tollgate / jose | tollgate / jose (${IN_FLIGHT} in flight) |`);
lines.push('|---|---:|---:|---:|---:|---:|');
for (const alg of ALGS) {
  const { tollgate: t, jose: j, joseConcurrent: c } = samples[alg];
  lines.push(`| ${alg} | ${cell(t)} | ${cell(j)} | ${cell(c)} | ` +
    `${(median(t) / median(j)).toFixed(2)}× | ${(median(t) / median(c)).toFixed(2)}× |`);
}
lines.push('');
lines.push('ops/s: median of the rounds (min–max across rounds).');
lines.push('');
lines.push(`pkg/wasm/tollgate_wasm_bg.wasm: ${fmt(wasm.length)} bytes, ${fmt(gz)} bytes gzipped (level 9) = ${(gz / 1024).toFixed(1)} KiB`);
lines.push(`(total bench time ${((performance.now() - started) / 1000).toFixed(0)} s; checksum ${sink & 0xff})`);
console.log(lines.join('\n'));
