// Interop of tollgate's signing (the other direction of interop.test.mjs): tokens SIGNED by
// the built package, for every algorithm it signs with, verify with jose (npm) and with PyJWT
// (tests/interop/.venv, decode_pyjwt.py), and both read back the claims as signed; with one
// bit of the signature flipped, both refuse them. Keys come from jose (PKCS #8 PEM and
// private JWK) and from OpenSSL (tests/keys/). Downscoped tokens are checked the same way.
//
// Needs `make pkg` and `make tools-python`; both are ordered by `make test-interop`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
if (!existsSync(here('../../pkg/wasm/tollgate_policy_bg.wasm'))) {
  throw new Error('pkg/wasm is missing: run `make pkg` before the interop test');
}
// Signing is in the full module (tollgate/policy).
const { SigningKey, sign, downscope, KeySet, verify } = await import('../../pkg/policy-node.js');

const PYTHON = process.env.INTEROP_PYTHON || here('./.venv/bin/python');
const ISSUER = 'https://issuer.example.com/';
const AUDIENCE = 'https://api.example.com';
const ALGS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];
const FIXTURE = { RS: 'rsa2048', PS: 'rsa2048', ES256: 'p256', ES384: 'p384', EdDSA: 'ed25519' };
const NOW = Math.floor(Date.now() / 1000);

function pyjwt(tokens) {
  if (!process.env.INTEROP_PYTHON && !existsSync(PYTHON)) {
    throw new Error(`${PYTHON} is missing: run \`make tools-python\` (see .ci/interop.mk)`);
  }
  const result = spawnSync(PYTHON, ['-B', here('decode_pyjwt.py')], {
    input: JSON.stringify({ issuer: ISSUER, audience: AUDIENCE, tokens }),
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' },
  });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`decode_pyjwt.py exited with ${result.status}:\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** The ways each algorithm's signing key is imported: [label, SigningKey, public JWK, jose verification key]. */
async function signingKeys(alg) {
  const out = [];
  if (alg.startsWith('HS')) {
    const secret = await jose.generateSecret(alg, { extractable: true });
    const jwk = await jose.exportJWK(secret);
    out.push([`${alg} secret (jose)`, SigningKey.fromSecret(Buffer.from(jwk.k, 'base64url'), { alg, kid: 'hs' }), jwk, secret]);
    out.push([`${alg} oct JWK (jose)`, SigningKey.fromJwk(jwk, { alg, kid: 'hs' }), jwk, secret]);
    return out;
  }
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
  const publicJwk = await jose.exportJWK(publicKey);
  out.push([`${alg} PKCS #8 (jose)`, SigningKey.fromPem(await jose.exportPKCS8(privateKey), { alg, kid: 'pem' }), publicJwk, publicKey]);
  out.push([`${alg} private JWK (jose)`, SigningKey.fromJwk(await jose.exportJWK(privateKey), { alg, kid: 'jwk' }), publicJwk, publicKey]);
  const fixture = readFileSync(here(`../keys/${FIXTURE[alg] ?? FIXTURE[alg.slice(0, 2)]}.pem`), 'utf8');
  const key = SigningKey.fromPem(fixture, { alg, kid: 'openssl' });
  const jwk = key.toPublicJwk();
  out.push([`${alg} PKCS #8 (OpenSSL)`, key, jwk, await jose.importJWK(jwk, alg)]);
  return out;
}

const cases = [];
for (const alg of ALGS) {
  for (const [label, key, jwk, joseKey] of await signingKeys(alg)) {
    const claims = { iss: ISSUER, aud: AUDIENCE, sub: 'user-123', scope: 'read:messages write:messages billing:read', client_id: 'app', name: 'Zo\u00eb \u{1F680}' };
    const token = sign(claims, { key, ttl: 600 });
    cases.push({ label, alg, key, jwk, joseKey, token, claims: { ...claims, iat: NOW, exp: NOW + 600 } });
  }
}

const flip = (token) => {
  const parts = token.split('.');
  const sig = Buffer.from(parts[2], 'base64url');
  sig[sig.length >> 1] ^= 1;
  parts[2] = sig.toString('base64url');
  return parts.join('.');
};

test('jose verifies every token tollgate signs, and refuses it with a flipped signature bit', async () => {
  for (const c of cases) {
    const { payload, protectedHeader } = await jose.jwtVerify(c.token, c.joseKey, { issuer: ISSUER, audience: AUDIENCE, algorithms: [c.alg] });
    assert.equal(protectedHeader.alg, c.alg, c.label);
    assert.equal(protectedHeader.kid, c.key.kid, c.label);
    assert.ok(Math.abs(payload.iat - NOW) <= 5, c.label);
    assert.deepEqual({ ...payload, iat: NOW, exp: payload.exp - payload.iat + NOW }, c.claims, c.label);
    await assert.rejects(jose.jwtVerify(flip(c.token), c.joseKey, { algorithms: [c.alg] }), jose.errors.JWSSignatureVerificationFailed, c.label);
  }
});

test('PyJWT verifies every token tollgate signs, and refuses it with a flipped signature bit', () => {
  const items = cases.flatMap((c) => [
    { alg: c.alg, jwk: c.jwk, token: c.token, expect: true, label: c.label },
    { alg: c.alg, jwk: c.jwk, token: flip(c.token), expect: false, label: `${c.label} flipped` },
  ]);
  const verdicts = pyjwt(items.map(({ alg, jwk, token }) => ({ alg, jwk, token })));
  assert.equal(verdicts.length, items.length);
  const wrong = items.filter((item, i) => verdicts[i].ok !== item.expect).map((item, i) => `${item.label}: ${JSON.stringify(verdicts[i])}`);
  assert.deepEqual(wrong, []);
  for (const [i, item] of items.entries()) {
    if (!item.expect) continue;
    const c = cases[i / 2];
    assert.equal(verdicts[i].claims.sub, c.claims.sub);
    assert.equal(verdicts[i].claims.name, c.claims.name);
    assert.equal(verdicts[i].claims.scope, c.claims.scope);
  }
});

test('downscoped tokens verify with jose and PyJWT, with the scope subset and act', async () => {
  const items = [];
  for (const c of cases) {
    const keys = c.alg.startsWith('HS') ? KeySet.fromJwk({ ...c.jwk, kid: c.key.kid }, { alg: c.alg }) : KeySet.fromJwk({ ...c.jwk, kid: c.key.kid }, { alg: c.alg });
    const result = verify(c.token, { keys, issuer: ISSUER, audience: AUDIENCE });
    const token = downscope(result, { key: c.key, issuer: ISSUER, audience: AUDIENCE, scopes: ['billing:read'], ttl: 30 });
    const { payload } = await jose.jwtVerify(token, c.joseKey, { issuer: ISSUER, audience: AUDIENCE, algorithms: [c.alg] });
    assert.equal(payload.scope, 'billing:read', c.label);
    assert.deepEqual(payload.act, { sub: 'app' }, c.label);
    assert.equal(payload.sub, 'user-123');
    assert.ok(payload.exp - payload.iat === 30);
    items.push({ alg: c.alg, jwk: c.jwk, token });
  }
  const verdicts = pyjwt(items);
  assert.deepEqual(verdicts.filter((v) => !v.ok), []);
  assert.ok(verdicts.every((v) => v.claims.scope === 'billing:read' && v.claims.act.sub === 'app'));
});
