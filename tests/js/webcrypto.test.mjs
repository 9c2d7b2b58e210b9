// The opt-in native signature path (`verifyAsync`, the guard's `webCrypto`): the same
// answers as the wasm core's `verify` for the same tokens — the RFC 7515 / RFC 8037 /
// JOSE cookbook vectors, jose-minted tokens of every algorithm, and a battery of bad
// ones —, with the signature of RSA, ECDSA and EdDSA tokens actually checked by the
// backend (counted), keys imported once per key set, and the core taking over when the
// backend cannot import a key. Every test runs twice: with node:crypto, the backend the
// Node entry installs, and with WebCrypto (`crypto.subtle.verify`, counted), the
// backend of workerd and browsers (tests/workerd and tests/browser run it there too).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tollgate, ALGS, T0, makeKey, mint, opts, b64urlJson, assertNoTokenLeak } from './helpers.mjs';
import { signatureBackend, useSignatureBackend, webCrypto } from '../../pkg/webcrypto.js';
import { nodeCrypto } from '../../pkg/node-crypto.js';

const { KeySet, createVerifier, verify, verifyAsync, createGuard, TollgateError } = tollgate;

const vectors = (path) => JSON.parse(readFileSync(new URL(`../vectors/${path}`, import.meta.url), 'utf8'));

// Calls that reached each backend: crypto.subtle.verify and importKey themselves (the
// package calls them on the same object), and node:crypto's backend methods.
const counts = { WebCrypto: { verify: 0, importKey: 0 }, 'node:crypto': { verify: 0, importKey: 0 } };
let calls = counts['node:crypto']; // the backend under test
let refuseEdDSA = false; // simulate a runtime whose crypto has no Ed25519
const subtle = globalThis.crypto.subtle;
const original = { verify: subtle.verify, importKey: subtle.importKey };
const originalNode = { verify: nodeCrypto.verify, importKey: nodeCrypto.importKey };
before(() => {
  subtle.verify = function (...args) {
    counts.WebCrypto.verify++;
    return original.verify.apply(this, args);
  };
  subtle.importKey = function (format, data, algorithm, ...rest) {
    counts.WebCrypto.importKey++;
    if (refuseEdDSA && algorithm?.name === 'Ed25519') return Promise.reject(new DOMException('not supported', 'NotSupportedError'));
    return original.importKey.call(this, format, data, algorithm, ...rest);
  };
  nodeCrypto.verify = function (...args) {
    counts['node:crypto'].verify++;
    return originalNode.verify.apply(this, args);
  };
  nodeCrypto.importKey = function (material, alg) {
    counts['node:crypto'].importKey++;
    if (refuseEdDSA && alg === 'EdDSA') return null;
    return originalNode.importKey.call(this, material, alg);
  };
});
after(() => {
  subtle.verify = original.verify;
  subtle.importKey = original.importKey;
  Object.assign(nodeCrypto, originalNode);
  useSignatureBackend(nodeCrypto);
});

test('the Node entry checks signatures with node:crypto, never crypto.subtle', async () => {
  assert.equal(signatureBackend(), nodeCrypto);
  const key = await makeKey('RS256', { kid: 'entry' });
  const verifier = createVerifier(opts(KeySet.fromJwk(key.jwk)));
  const before = { node: counts['node:crypto'].verify, web: counts.WebCrypto.verify };
  assert.equal((await verifier.verifyAsync(await mint(key))).claims.sub, 'user-123');
  assert.equal(counts['node:crypto'].verify - before.node, 1);
  assert.equal(counts.WebCrypto.verify - before.web, 0);
});

/** "ok" or the error code, synchronously through the core and through the backend. */
async function bothPaths(verifier, token, callOptions) {
  const outcome = async (fn) => {
    try {
      const result = await fn();
      return { code: 'ok', result };
    } catch (error) {
      assert.ok(error instanceof TollgateError, `${error?.name}: ${error?.message}`);
      assertNoTokenLeak(error, token);
      return { code: error.code, error };
    }
  };
  const sync = await outcome(() => verifier.verify(token, callOptions));
  const before = calls.verify;
  const async_ = await outcome(() => verifier.verifyAsync(token, callOptions));
  return { sync, async: async_, backendCalls: calls.verify - before };
}

function tamper(token) {
  const i = token.length - 10;
  return token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
}

for (const backend of [nodeCrypto, webCrypto]) {
describe(`with ${backend.name}`, () => {
  before(() => {
    useSignatureBackend(backend);
    calls = counts[backend.name];
  });

  describe('verifyAsync answers as verify on the conformance vectors', () => {
    const rfc = vectors('rfc/rfc_vectors.json');
    const RFC_OPTIONS = { issuer: 'joe', dangerouslySkipAudienceCheck: true };
    const ANY = { dangerouslySkipIssuerCheck: true, dangerouslySkipAudienceCheck: true, dangerouslyAllowMissingExp: true };
    const cases = [];
    for (const v of rfc.rfc7515_appendix_a) {
      if (!['HS256', 'RS256', 'ES256'].includes(v.alg)) continue;
      const keys = () => KeySet.fromJwk(v.jwk, { alg: v.alg });
      cases.push([`RFC 7515 ${v.id} ${v.alg} before exp`, v.alg, keys, v.compact, { ...RFC_OPTIONS, now: 1_300_819_379 }, 'ok']);
      cases.push([`RFC 7515 ${v.id} ${v.alg} at exp`, v.alg, keys, v.compact, { ...RFC_OPTIONS, now: 1_300_819_380 }, 'ERR_JWT_EXPIRED']);
      cases.push([`RFC 7515 ${v.id} ${v.alg} tampered`, v.alg, keys, tamper(v.compact), { ...RFC_OPTIONS, now: 1_300_819_379 }, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED']);
      // Tampered AND expired: the signature is reported, not the expiry, on both paths.
      cases.push([`RFC 7515 ${v.id} ${v.alg} tampered after exp`, v.alg, keys, tamper(v.compact), { ...RFC_OPTIONS, now: 1_300_819_380 }, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED']);
    }
    const cookbook = [
      ['cookbook 4.1 RS256', 'jose-cookbook/jws/4_1.rsa_v15_signature.json'],
      ['cookbook 4.2 PS384', 'jose-cookbook/jws/4_2.rsa-pss_signature.json'],
      ['cookbook 4.4 HS256', 'jose-cookbook/jws/4_4.hmac-sha2_integrity_protection.json'],
      ['RFC 8037 A.4 EdDSA', 'jose-cookbook/curve25519/jws.json'],
    ];
    for (const [name, path] of cookbook) {
      const v = vectors(path);
      const alg = v.input.alg;
      const keys = () => KeySet.fromJwk(v.input.key, { alg });
      // Prose payloads: the signature verifies, then the claims are refused.
      cases.push([`${name} signature`, alg, keys, v.output.compact, ANY, 'ERR_JWT_INVALID']);
      cases.push([`${name} tampered`, alg, keys, tamper(v.output.compact), ANY, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED']);
    }

    for (const [name, alg, keys, token, options, expected] of cases) {
      test(name, async () => {
        const verifier = createVerifier({ keys: keys(), ...options });
        const got = await bothPaths(verifier, token);
        assert.equal(got.sync.code, expected);
        assert.equal(got.async.code, expected);
        if (expected === 'ok') assert.deepEqual(got.async.result, got.sync.result);
        // The asymmetric signature went to the backend; HMAC never leaves the core.
        assert.equal(got.backendCalls, alg.startsWith('HS') ? 0 : 1, 'backend verify calls');
      });
    }
  });

  describe('verifyAsync answers as verify for every algorithm', () => {
    const keys = {};
    before(async () => {
      for (const alg of ALGS) keys[alg] = await makeKey(alg, { kid: `${alg}-a` });
    });

    for (const alg of ALGS) {
      test(`${alg}: good and bad tokens`, async () => {
        const key = keys[alg];
        const other = await makeKey(alg, { kid: `${alg}-b` });
        const set = KeySet.fromJwks({ keys: [key.jwk, other.jwk] });
        const verifier = createVerifier(opts(set, { requiredScopes: ['read:messages'] }));
        const good = await mint(key, { jti: 'j1', roles: ['reader'] });
        const [h, p, s] = good.split('.');
        const tokens = {
          good,
          'bad signature': tamper(good),
          'signed by the other key, kid of the first': await mint(other, {}, { header: { kid: key.kid } }),
          'no kid, signed by the second key of the set': await mint(other, {}, { header: { kid: undefined } }),
          'unknown kid': await mint(key, {}, { header: { kid: 'nope' } }),
          expired: await mint(key, { iat: T0, exp: T0 + 60 }),
          'expired, bad signature': tamper(await mint(key, { iat: T0, exp: T0 + 60 })),
          'wrong audience': await mint(key, { aud: 'https://other.example' }),
          'missing scope': await mint(key, { scope: 'write:messages' }),
          'signature cut short': `${h}.${p}.${s.slice(0, -8)}`,
          'signature one byte longer': `${h}.${p}.${Buffer.concat([Buffer.from(s, 'base64url'), Buffer.from([0])]).toString('base64url')}`,
          'empty signature': `${h}.${p}.`,
          'alg none': `${b64urlJson({ alg: 'none', kid: key.kid })}.${p}.`,
          'payload swapped under the signature': `${h}.${b64urlJson({ iss: 'x' })}.${s}`,
        };
        for (const [what, token] of Object.entries(tokens)) {
          const got = await bothPaths(verifier, token);
          assert.equal(got.async.code, got.sync.code, `${alg} ${what}: async ${got.async.code}, sync ${got.sync.code}`);
          if (got.sync.code === 'ok') assert.deepEqual(got.async.result, got.sync.result, what);
          else {
            for (const field of ['status', 'wwwAuthenticate', 'claim', 'reason', 'missing']) {
              assert.deepEqual(got.async.error[field], got.sync.error[field], `${alg} ${what}: ${field}`);
            }
          }
        }
        assert.equal((await bothPaths(verifier, good)).sync.code, 'ok');
      });
    }

    test('the asymmetric signature is checked by the backend, once per candidate key', async () => {
      const key = keys.ES256;
      const other = await makeKey('ES256', { kid: 'es-other' });
      // Two keys without kid: the token names none, both are candidates, in set order.
      const noKid = (k) => ({ ...k.jwk, kid: undefined });
      const verifier = createVerifier(opts(KeySet.fromJwks({ keys: [noKid(other), noKid(key)] })));
      const token = await mint(key, {}, { header: { kid: undefined } });
      const got = await bothPaths(verifier, token);
      assert.equal(got.async.code, 'ok');
      assert.equal(got.backendCalls, 2, 'tried the first key, then the second');
    });

    test('keys are imported once per key set, whichever verifier asks', async () => {
      const key = keys.RS256;
      const set = KeySet.fromJwk(key.jwk);
      const token = await mint(key);
      const before = calls.importKey;
      const a = createVerifier(opts(set));
      const b = createVerifier(opts(set, { requiredScopes: ['read:messages'] }));
      for (let i = 0; i < 5; i++) {
        await a.verifyAsync(token);
        await b.verifyAsync(token);
      }
      assert.equal(calls.importKey - before, 1);
      // A verifier keeps working after its key set's handle is freed, used before or not.
      const unused = createVerifier(opts(set));
      set.free();
      assert.equal((await unused.verifyAsync(token)).claims.sub, 'user-123');
      const c = createVerifier(opts(KeySet.fromJwk(key.jwk)));
      c.free();
      assert.equal((await a.verifyAsync(token)).claims.sub, 'user-123');
    });

    test('a key the backend cannot import is verified by the core instead', async () => {
      const key = keys.EdDSA;
      const verifier = createVerifier(opts(KeySet.fromJwk(key.jwk)));
      refuseEdDSA = true;
      try {
        const before = calls.verify;
        const token = await mint(key);
        assert.equal((await verifier.verifyAsync(token)).claims.sub, 'user-123');
        await assert.rejects(verifier.verifyAsync(tamper(token)), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
        assert.equal(calls.verify - before, 0, 'no backend verify for a key it could not import');
      } finally {
        refuseEdDSA = false;
      }
    });

    test('verifyAsync(token, options): one shot, and caller mistakes are TypeErrors', async () => {
      const key = keys.PS256;
      const set = KeySet.fromJwk(key.jwk);
      const token = await mint(key);
      assert.deepEqual(await verifyAsync(token, opts(set)), verify(token, opts(set)));
      await assert.rejects(verifyAsync(42, opts(set)), { name: 'TypeError', code: 'ERR_INVALID_ARG' });
      await assert.rejects(verifyAsync(token, { issuer: 'x' }), { name: 'TypeError', code: 'ERR_INVALID_ARG' });
      await assert.rejects(verifyAsync(token, opts(set, { cache: true })), { name: 'TypeError', code: 'ERR_INVALID_ARG' });
    });

    // 30 started in one turn: with node:crypto, all but the first go to the thread pool.
    for (const alg of ['RS256', 'ES384', 'EdDSA']) {
      test(`${alg}: concurrent verifications on one verifier keep their own answers`, async () => {
        const key = keys[alg];
        const verifier = createVerifier(opts(KeySet.fromJwk(key.jwk)));
        const good = await mint(key, { sub: 'alice' });
        const expired = await mint(key, { iat: T0, exp: T0 + 1 });
        const bad = tamper(await mint(key, { sub: 'mallory' }));
        const before = calls.verify;
        const runs = await Promise.allSettled(
          Array.from({ length: 30 }, (_, i) => verifier.verifyAsync([good, expired, bad][i % 3])),
        );
        runs.forEach((run, i) => {
          const want = ['ok', 'ERR_JWT_EXPIRED', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'][i % 3];
          assert.equal(run.status === 'fulfilled' ? 'ok' : run.reason.code, want, `run ${i}`);
          if (want === 'ok') assert.equal(run.value.claims.sub, 'alice');
        });
        assert.equal(calls.verify - before, 30, 'every signature went to the backend');
      });
    }
  });

  describe('the guard: native crypto by default', () => {
    test('answers as with webCrypto: false, checking signatures with the backend', async () => {
      const key = await makeKey('RS256', { kid: 'g1' });
      const keys = KeySet.fromJwk(key.jwk);
      const plain = createGuard({ keys, issuer: opts(keys).issuer, audience: opts(keys).audience, realm: 'api', webCrypto: false });
      const web = createGuard({ keys, issuer: opts(keys).issuer, audience: opts(keys).audience, realm: 'api' });
      const good = await mint(key);
      const expired = await mint(key, { iat: T0, exp: T0 + 60 });
      for (const token of [good, tamper(good), expired, tamper(expired)]) {
        const request = new Request('https://api.example/messages', { headers: { Authorization: `Bearer ${token}` } });
        const before = calls.verify;
        const [a, b] = [await plain.authorize(request), await web.authorize(request.clone())];
        assert.equal(calls.verify - before, 1);
        assert.equal(b.ok, a.ok);
        assert.equal(b.status, a.status);
        assert.equal(b.response?.headers.get('WWW-Authenticate'), a.response?.headers.get('WWW-Authenticate'));
        if (a.ok) assert.deepEqual(b.claims, a.claims);
      }
      assert.throws(() => createGuard({ keys, issuer: 'i', audience: 'a', webCrypto: 'yes' }), { code: 'ERR_INVALID_ARG' });
    });
  });
});
}
