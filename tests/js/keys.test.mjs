// Key import and key selection: weak keys, unsupported keys in a JWKS (skipped),
// kid lookup, and the key's algorithm binding.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import * as jose from 'jose';
import {
  tollgate, T0, HMAC_MIN, makeKey, mint, opts, expectTokenError, expectKeyError,
} from './helpers.mjs';

const { KeySet, verify, createVerifier, isTollgateError } = tollgate;

const nodeJwk = (type, options, extra) =>
  ({ ...generateKeyPairSync(type, options).publicKey.export({ format: 'jwk' }), ...extra });

describe('weak or inconsistent keys → ERR_JWK_INVALID', () => {
  test('RSA 1024-bit key (JWK and PEM)', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const jwk = { ...publicKey.export({ format: 'jwk' }), alg: 'RS256', kid: 'weak' };
    expectKeyError(() => KeySet.fromJwk(jwk));
    expectKeyError(() => KeySet.fromJwk(jwk, { alg: 'RS256' }));
    const pem = publicKey.export({ format: 'pem', type: 'spki' });
    expectKeyError(() => KeySet.fromPem(pem, { alg: 'RS256' }));
    expectKeyError(() => KeySet.fromPem(pem, { alg: 'PS256' }));
  });

  test('control: a 2048-bit RSA key from node:crypto imports', () => {
    const jwk = nodeJwk('rsa', { modulusLength: 2048 }, { alg: 'RS256', kid: 'ok' });
    assert.equal(KeySet.fromJwk(jwk).size, 1);
  });

  for (const [alg, min] of Object.entries(HMAC_MIN)) {
    test(`${alg} secret shorter than ${min} bytes`, () => {
      expectKeyError(() => KeySet.fromSecret(new Uint8Array(min - 1).fill(1), { alg }));
      expectKeyError(() => KeySet.fromSecret('s'.repeat(min - 1), { alg }));
      expectKeyError(() => KeySet.fromSecret(new Uint8Array(0), { alg }));
      assert.equal(KeySet.fromSecret(new Uint8Array(min).fill(1), { alg }).size, 1);
      assert.equal(KeySet.fromSecret('s'.repeat(min), { alg }).size, 1);
    });
  }

  test('EC key whose curve does not match its alg', async () => {
    const es384 = await makeKey('ES384');
    expectKeyError(() => KeySet.fromJwk({ ...es384.jwk, alg: 'ES256' }));
    expectKeyError(() => KeySet.fromPem(es384.pem, { alg: 'ES256' }));
  });

  test('key type that does not match its alg', async () => {
    const ec = await makeKey('ES256');
    expectKeyError(() => KeySet.fromJwk({ ...ec.jwk, alg: 'RS256' }));
    expectKeyError(() => KeySet.fromPem(ec.pem, { alg: 'RS256' }));
    const rsa = await makeKey('RS256');
    expectKeyError(() => KeySet.fromPem(rsa.pem, { alg: 'EdDSA' }));
  });

  test('broken JWK / JWKS / PEM', async () => {
    const ec = await makeKey('ES256');
    expectKeyError(() => KeySet.fromJwk({ ...ec.jwk, x: 'AAAA' }));
    expectKeyError(() => KeySet.fromJwk('{"kty":'));
    expectKeyError(() => KeySet.fromJwks('not json'));
    expectKeyError(() => KeySet.fromJwks({ nokeys: [] }));
    expectKeyError(() => KeySet.fromPem('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', { alg: 'ES256' }));
    // A private key is not a public key.
    const priv = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' });
    expectKeyError(() => KeySet.fromPem(priv, { alg: 'ES256' }));
  });
});

describe('JWKS with keys tollgate does not use', () => {
  let good;
  let token;
  let jwks;
  before(async () => {
    good = await makeKey('ES256', { kid: 'good' });
    token = await mint(good, { iat: T0, exp: T0 + 3600 });
    const enc = await makeKey('RS256', { kid: 'enc-key' });
    jwks = {
      keys: [
        { ...enc.jwk, use: 'enc', alg: 'RSA-OAEP-256' },
        nodeJwk('ed448', {}, { kid: 'ed448-key', alg: 'EdDSA', use: 'sig' }),
        good.jwk,
        nodeJwk('ec', { namedCurve: 'secp256k1' }, { kid: 'k1-key', alg: 'ES256K' }),
        nodeJwk('ec', { namedCurve: 'P-521' }, { kid: 'p521-key', alg: 'ES512' }),
      ],
    };
  });

  test('imports the usable key and lists the others in skipped', () => {
    const keys = KeySet.fromJwks(jwks);
    assert.equal(keys.size, 1);
    assert.deepEqual(keys.keys.map((k) => ({ kid: k.kid, alg: k.alg, kty: k.kty })), [{ kid: 'good', alg: 'ES256', kty: 'EC' }]);
    assert.deepEqual(keys.skipped.map((s) => s.index), [0, 1, 3, 4]);
    assert.deepEqual(keys.skipped.map((s) => s.kid), ['enc-key', 'ed448-key', 'k1-key', 'p521-key']);
    for (const s of keys.skipped) assert.equal(typeof s.reason, 'string');
    assert.equal(verify(token, opts(keys, { now: T0 })).header.kid, 'good');
  });

  test('a token naming a skipped key finds no key', async () => {
    const keys = KeySet.fromJwks(jwks);
    const t = await mint(good, { iat: T0, exp: T0 + 3600 }, { header: { kid: 'ed448-key' } });
    expectTokenError(() => verify(t, opts(keys, { now: T0 })), { code: 'ERR_JWKS_NO_MATCHING_KEY', status: 401 }, t);
  });

  test('a JWKS with no usable key at all → ERR_JWK_INVALID', () => {
    // Importing nothing usable is an error, not an empty set that rejects every token later.
    const only = { keys: jwks.keys.filter((k) => k.kid !== 'good') };
    expectKeyError(() => KeySet.fromJwks(only));
    expectKeyError(() => KeySet.fromJwks({ keys: [] }));
  });
});

describe('key selection', () => {
  let a;
  let b;
  let keys;
  before(async () => {
    a = await makeKey('RS256', { kid: 'a' });
    b = await makeKey('RS256', { kid: 'b' });
    keys = KeySet.fromJwks({ keys: [a.jwk, b.jwk] });
  });

  test('kid picks the key', async () => {
    assert.equal(verify(await mint(a, { iat: T0 }), opts(keys, { now: T0 })).header.kid, 'a');
    assert.equal(verify(await mint(b, { iat: T0 }), opts(keys, { now: T0 })).header.kid, 'b');
  });

  test('unknown kid → ERR_JWKS_NO_MATCHING_KEY', async () => {
    const t = await mint(a, { iat: T0 }, { header: { kid: 'rotated-away' } });
    const err = expectTokenError(() => verify(t, opts(keys, { now: T0 })),
      { code: 'ERR_JWKS_NO_MATCHING_KEY', status: 401 }, t);
    assert.match(err.wwwAuthenticate, /error="invalid_token"/);
    expectTokenError(() => createVerifier(opts(keys)).verify(t, { now: T0 }), { code: 'ERR_JWKS_NO_MATCHING_KEY' }, t);
  });

  test('a kid signed by the other key fails the signature, it does not fall back', async () => {
    const t = await mint(a, { iat: T0 }, { header: { kid: 'b' } });
    expectTokenError(() => verify(t, opts(keys, { now: T0 })), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' }, t);
  });

  test('a single key without kid verifies a token without kid', async () => {
    const { kid: _drop, ...noKid } = a.jwk;
    const single = KeySet.fromJwk(noKid);
    const t = await mint(a, { iat: T0 }, { header: { kid: undefined } });
    assert.equal(verify(t, opts(single, { now: T0 })).header.kid, undefined);
  });
});

describe('a key is bound to one algorithm', () => {
  let rsa;
  before(async () => {
    rsa = await makeKey('RS256', { kid: 'k1' });
  });

  test('key bound to RS256, token signed PS256 with the same kid → ERR_JOSE_ALG_NOT_ALLOWED', async () => {
    const t = await mint(rsa, { iat: T0 }, { alg: 'PS256' });
    // Default allow-list: the set's algorithms.
    const keys = KeySet.fromJwks({ keys: [rsa.jwk] });
    expectTokenError(() => verify(t, opts(keys, { now: T0 })), { code: 'ERR_JOSE_ALG_NOT_ALLOWED', status: 401 }, t);
    // Even when PS256 is on the allow-list, the key itself only does RS256.
    expectTokenError(() => verify(t, opts(keys, { now: T0, algorithms: ['RS256', 'PS256'] })),
      { code: 'ERR_JOSE_ALG_NOT_ALLOWED' }, t);
  });

  test('same, with another PS256 key in the set', async () => {
    const ps = await makeKey('PS256', { kid: 'k2' });
    const keys = KeySet.fromJwks({ keys: [rsa.jwk, ps.jwk] });
    const t = await mint(rsa, { iat: T0 }, { alg: 'PS256' }); // kid k1, bound to RS256
    expectTokenError(() => verify(t, opts(keys, { now: T0 })), { code: 'ERR_JOSE_ALG_NOT_ALLOWED' }, t);
    // Control: the RS256 token for k1 verifies.
    assert.ok(verify(await mint(rsa, { iat: T0 }), opts(keys, { now: T0 })));
  });

  test('HS256 token against an RSA public key (key confusion) is not accepted', async () => {
    // The classic attack: HMAC with the public key bytes as the secret.
    const keys = KeySet.fromPem(rsa.pem, { alg: 'RS256', kid: 'k1' });
    const t = await mint({ alg: 'HS256', kid: 'k1', signKey: new TextEncoder().encode(rsa.pem) }, { iat: T0 });
    expectTokenError(() => verify(t, opts(keys, { now: T0 })), { code: 'ERR_JOSE_ALG_NOT_ALLOWED' }, t);
  });

  test('JWKS algorithms option binds alg-less keys, and only to one algorithm', async () => {
    const { alg: _drop, ...noAlg } = rsa.jwk;
    const keys = KeySet.fromJwks({ keys: [noAlg] }, { algorithms: ['PS256'] });
    assert.equal(keys.keys[0].alg, 'PS256');
    const ps = await mint(rsa, { iat: T0 }, { alg: 'PS256' });
    assert.ok(verify(ps, opts(keys, { now: T0 })));
    const rs = await mint(rsa, { iat: T0 });
    expectTokenError(() => verify(rs, opts(keys, { now: T0 })), { code: 'ERR_JOSE_ALG_NOT_ALLOWED' }, rs);
  });

  test('a JWK alg wins over the algorithms option', async () => {
    const keys = KeySet.fromJwks({ keys: [rsa.jwk] }, { algorithms: ['PS256'] });
    assert.equal(keys.keys[0].alg, 'RS256');
  });
});

describe('KeySet object', () => {
  test('free() can be called', async () => {
    const k = await makeKey('ES256');
    const keys = KeySet.fromJwk(k.jwk);
    assert.equal(keys.size, 1);
    keys.free();
  });
});

describe('keys as IdPs and jose publish them', () => {
  const ISSUER = 'https://idp.example';
  const AUDIENCE = 'api';
  const claims = () => ({ sub: 'u', exp: Math.floor(Date.now() / 1000) + 600 });
  const sign = (key, alg, header = {}) =>
    new jose.SignJWT(claims()).setProtectedHeader({ alg, ...header }).setIssuer(ISSUER).setAudience(AUDIENCE).sign(key);
  const options = (keys, extra = {}) => ({ keys, issuer: ISSUER, audience: AUDIENCE, ...extra });

  test('a PEM key imported without a kid verifies a token whatever kid it names', async () => {
    const { publicKey, privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
    const keys = KeySet.fromPem(await jose.exportSPKI(publicKey), { alg: 'ES256' });
    for (const header of [{ kid: '2026-rotation' }, {}]) {
      assert.equal(verify(await sign(privateKey, 'ES256', header), options(keys)).claims.sub, 'u');
    }
  });

  test('a JWKS without alg (jose exportJWK): EC and OKP keys by their curve, RSA by the verifier\'s algorithms', async () => {
    const pairs = {};
    for (const alg of ['ES256', 'ES384', 'EdDSA', 'RS256']) pairs[alg] = await jose.generateKeyPair(alg, { extractable: true });
    const jwks = { keys: await Promise.all(Object.entries(pairs).map(async ([alg, p]) => ({ ...(await jose.exportJWK(p.publicKey)), kid: alg }))) };
    assert.ok(jwks.keys.every((k) => k.alg === undefined));
    const keys = KeySet.fromJwks(jwks);
    for (const alg of ['ES256', 'ES384', 'EdDSA']) {
      assert.equal(verify(await sign(pairs[alg].privateKey, alg, { kid: alg }), options(keys)).claims.sub, 'u', alg);
    }
    // The RSA key waits for the verifier's algorithms, and says so.
    assert.deepEqual(keys.skipped.map((s) => s.kid), ['RS256']);
    assert.match(keys.skipped[0].reason, /algorithms option/);
    const rs = await sign(pairs.RS256.privateKey, 'RS256', { kid: 'RS256' });
    assert.throws(() => verify(rs, options(keys)), (e) => isTollgateError(e) && e.code === 'ERR_JOSE_ALG_NOT_ALLOWED');
    assert.equal(verify(rs, options(keys, { algorithms: ['RS256'] })).claims.sub, 'u');
    // Only RSA keys without alg: a verifier without algorithms says exactly what is missing.
    const rsaOnly = KeySet.fromJwks({ keys: [jwks.keys[3]] });
    assert.throws(() => createVerifier(options(rsaOnly)), (e) => e.code === 'ERR_INVALID_ARG' && /algorithms option/.test(e.message));
    const verifier = createVerifier(options(rsaOnly, { algorithms: ['RS256'] }));
    assert.equal(verifier.verify(rs).claims.sub, 'u');
    assert.equal((await verifier.verifyAsync(rs)).claims.sub, 'u');
  });

  test('a set with no usable key names the first skipped key\'s reason in its message', () => {
    const jwks = { keys: [{ kty: 'EC', crv: 'P-256', use: 'enc', x: 'x', y: 'y', kid: 'enc-key' }] };
    assert.throws(() => KeySet.fromJwks(jwks), (e) => e.code === 'ERR_JWK_INVALID' && /kid "enc-key": JWK use is not "sig"/.test(e.message));
  });

  test('a token without kid is tried against at most 3 keys', async () => {
    const pairs = await Promise.all([0, 1, 2, 3].map(() => jose.generateKeyPair('ES256', { extractable: true })));
    const jwk = async (p, i) => ({ ...(await jose.exportJWK(p.publicKey)), kid: `k${i}` });
    const token = await sign(pairs[3].privateKey, 'ES256');
    const three = KeySet.fromJwks({ keys: await Promise.all(pairs.slice(1).map(jwk)) });
    assert.equal(verify(token, options(three)).claims.sub, 'u');
    const four = KeySet.fromJwks({ keys: await Promise.all(pairs.map(jwk)) });
    assert.throws(() => verify(token, options(four)), (e) => e.code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS' && e.status === 401);
    // Named by its kid, the same token verifies against the four.
    assert.equal(verify(await sign(pairs[3].privateKey, 'ES256', { kid: 'k3' }), options(four)).claims.sub, 'u');
  });
});
