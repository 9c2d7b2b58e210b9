// Interop: tokens minted by jose for every supported algorithm verify with tollgate,
// through every way of importing the key and both verify() and createVerifier().

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  tollgate, ALGS, ISSUER, AUDIENCE, makeKey, mint, opts, nowSeconds, expectTokenError,
} from './helpers.mjs';

const { KeySet, verify, createVerifier } = tollgate;

const KTY = { HS: 'oct', RS: 'RSA', PS: 'RSA', ES: 'EC', Ed: 'OKP' };
const ktyOf = (alg) => KTY[alg.slice(0, 2)];

/** Checks a successful result against what was minted. */
function checkResult(result, { alg, kid, claims }) {
  assert.deepEqual(Object.keys(result).sort(), ['claims', 'header', 'roles', 'scopes']);
  const expectedHeader = { alg, typ: 'JWT' };
  if (kid !== undefined) expectedHeader.kid = kid;
  assert.deepEqual(result.header, expectedHeader);
  assert.deepEqual(result.claims, claims);
  assert.deepEqual([...result.scopes].sort(), ['read:messages', 'write:messages']);
  // Plain JSON-compatible objects.
  assert.deepEqual(JSON.parse(JSON.stringify(result)), result);
}

for (const alg of ALGS) {
  describe(`interop ${alg}`, () => {
    let key;
    let token;
    let tokenNoKid;
    let claims;
    before(async () => {
      key = await makeKey(alg);
      const iat = nowSeconds();
      claims = {
        iss: ISSUER, aud: AUDIENCE, sub: 'user-123', iat, exp: iat + 3600,
        scope: 'read:messages write:messages',
      };
      token = await mint(key, claims);
      tokenNoKid = await mint(key, claims, { header: { kid: undefined } });
    });

    const keySets = alg.startsWith('HS')
      ? {
        'fromSecret(Uint8Array, {alg, kid})': () => KeySet.fromSecret(key.secret, { alg, kid: key.kid }),
        'fromSecret(Uint8Array, {alg}) (no kid)': () => KeySet.fromSecret(key.secret, { alg }),
        'fromJwks({keys:[oct jwk]})': () => KeySet.fromJwks({ keys: [key.jwk] }),
        'fromJwk(oct jwk)': () => KeySet.fromJwk(key.jwk),
      }
      : {
        'fromJwks({keys:[jwk]})': () => KeySet.fromJwks({ keys: [key.jwk] }),
        'fromJwks(JSON text)': () => KeySet.fromJwks(JSON.stringify({ keys: [key.jwk] })),
        'fromJwks(jwk without alg, {algorithms})': () => {
          const { alg: _drop, ...jwk } = key.jwk;
          return KeySet.fromJwks({ keys: [jwk] }, { algorithms: [alg] });
        },
        'fromJwk(jwk)': () => KeySet.fromJwk(key.jwk),
        'fromJwk(JSON text)': () => KeySet.fromJwk(JSON.stringify(key.jwk)),
        'fromJwk(jwk without alg, {alg})': () => {
          const { alg: _drop, ...jwk } = key.jwk;
          return KeySet.fromJwk(jwk, { alg });
        },
        'fromPem(spki, {alg, kid})': () => KeySet.fromPem(key.pem, { alg, kid: key.kid }),
        'fromPem(spki, {alg}) (no kid)': () => KeySet.fromPem(key.pem, { alg }),
      };

    for (const [how, build] of Object.entries(keySets)) {
      const withKid = !how.includes('(no kid)');
      test(`${how}: verify() and createVerifier().verify()`, () => {
        const keys = build();
        assert.equal(keys.size, 1);
        assert.equal(keys.keys.length, 1);
        assert.equal(keys.keys[0].alg, alg);
        assert.equal(keys.keys[0].kty, ktyOf(alg));
        if (withKid) assert.equal(keys.keys[0].kid, key.kid);
        assert.deepEqual(keys.skipped, []);

        const t = withKid ? token : tokenNoKid;
        const expected = { alg, kid: withKid ? key.kid : undefined, claims };
        checkResult(verify(t, opts(keys)), expected);

        const verifier = createVerifier(opts(keys));
        checkResult(verifier.verify(t), expected);
        // The prepared verifier is reusable.
        checkResult(verifier.verify(t), expected);
      });
    }

    if (alg.startsWith('HS')) {
      test('fromSecret(string) uses the UTF-8 bytes of the string', async () => {
        const text = 'x'.repeat(64); // long enough for every HS alg
        const bytes = new TextEncoder().encode(text);
        const t = await mint({ alg, kid: 'str', signKey: bytes });
        const keys = KeySet.fromSecret(text, { alg, kid: 'str' });
        assert.equal(verify(t, opts(keys)).claims.sub, 'user-123');
      });
    }

    test('a token signed by another key with the same kid fails the signature check', async () => {
      const other = await makeKey(alg, { kid: key.kid });
      const forged = await mint(other, claims);
      const keys = alg.startsWith('HS')
        ? KeySet.fromSecret(key.secret, { alg, kid: key.kid })
        : KeySet.fromJwks({ keys: [key.jwk] });
      expectTokenError(() => verify(forged, opts(keys)),
        { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', status: 401 }, forged);
      expectTokenError(() => createVerifier(opts(keys)).verify(forged),
        { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', status: 401 }, forged);
    });
  });
}

describe('one JWKS holding every asymmetric algorithm', () => {
  const asym = ALGS.filter((a) => !a.startsWith('HS'));
  let keys;
  let minted;
  before(async () => {
    minted = [];
    for (const alg of asym) {
      const key = await makeKey(alg, { kid: `kid-${alg}` });
      minted.push({ alg, key, token: await mint(key, { jti: `jti-${alg}` }) });
    }
    keys = KeySet.fromJwks({ keys: minted.map((m) => m.key.jwk) });
  });

  test('imports all keys, in order, with their alg and kty', () => {
    assert.equal(keys.size, asym.length);
    assert.deepEqual(keys.keys.map((k) => [k.kid, k.alg, k.kty]), asym.map((a) => [`kid-${a}`, a, ktyOf(a)]));
    assert.deepEqual(keys.skipped, []);
  });

  test('each token is verified by its own key (selected by kid)', () => {
    const verifier = createVerifier(opts(keys));
    for (const { alg, token } of minted) {
      const r = verifier.verify(token);
      assert.equal(r.header.alg, alg);
      assert.equal(r.claims.jti, `jti-${alg}`);
      assert.equal(verify(token, opts(keys)).claims.jti, `jti-${alg}`);
    }
  });

  test('the algorithms option restricts the allowed algorithms', () => {
    const verifier = createVerifier(opts(keys, { algorithms: ['ES256'] }));
    for (const { alg, token } of minted) {
      if (alg === 'ES256') {
        assert.equal(verifier.verify(token).header.alg, 'ES256');
      } else {
        expectTokenError(() => verifier.verify(token), { code: 'ERR_JOSE_ALG_NOT_ALLOWED' }, token);
      }
    }
  });
});
