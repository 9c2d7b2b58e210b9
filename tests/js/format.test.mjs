// The token's form and header: malformed input, strict base64url, size limits,
// alg "none", unsupported algorithms, crit / b64.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  tollgate, T0, ISSUER, AUDIENCE, makeKey, mint, opts, rawHs256, b64urlJson, expectTokenError,
} from './helpers.mjs';

const { KeySet, verify, createVerifier, decode } = tollgate;
// The package's own wasm-bindgen module (the instance node.js initialised): its memory.
import { initSync } from '../../pkg/wasm/tollgate_wasm.js';

let hs;
let hsKeys;
let token; // a valid HS256 token whose signature contains '-' or '_'

before(async () => {
  hs = await makeKey('HS256', { kid: 'hs' });
  hsKeys = KeySet.fromSecret(hs.secret, { alg: 'HS256', kid: 'hs' });
  for (let i = 0; ; i++) {
    token = await mint(hs, { iat: T0, exp: T0 + 3600, jti: `j${i}` });
    if (/[-_]/.test(token.split('.')[2])) break;
  }
});

const ok = (t) => verify(t, opts(hsKeys, { now: T0 }));
const invalid = (t) => expectTokenError(() => ok(t), { code: 'ERR_JWS_INVALID', status: 401 }, t);

describe('malformed tokens → ERR_JWS_INVALID', () => {
  test('control: the unmodified token verifies', () => {
    assert.equal(ok(token).claims.iat, T0);
  });

  test('wrong number of segments', () => {
    const [h, p, s] = token.split('.');
    for (const t of [`${h}.${p}`, `${h}.${p}.${s}.${s}`, `${h}`, `${h}.${p}.${s}.`, `.${h}.${p}.${s}`, '..', '', '.']) {
      invalid(t);
    }
  });

  test('base64 padding "=" is rejected', () => {
    const [h, p, s] = token.split('.');
    assert.equal(s.length % 4, 3); // 32-byte HMAC → 43 chars, would take one "="
    invalid(`${h}.${p}.${s}=`);
  });

  test('standard-alphabet "+" and "/" are rejected', () => {
    const [h, p, s] = token.split('.');
    const std = s.replaceAll('-', '+').replaceAll('_', '/');
    assert.notEqual(std, s);
    invalid(`${h}.${p}.${std}`);
  });

  test('non-canonical trailing bits are rejected', () => {
    // 43 chars encode 32 bytes: the last char carries 2 unused bits, which must be zero.
    const [h, p, s] = token.split('.');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(s.at(-1));
    assert.equal(last & 0b11, 0);
    const s2 = s.slice(0, -1) + alphabet[last | 0b01];
    assert.deepEqual(Buffer.from(s2, 'base64url'), Buffer.from(s, 'base64url')); // a lenient decoder would accept it
    invalid(`${h}.${p}.${s2}`);
  });

  test('whitespace and other characters outside base64url', () => {
    const [h, p, s] = token.split('.');
    invalid(` ${token}`);
    invalid(`${token}\n`);
    invalid(`Bearer ${token}`);
    invalid(`${h}.${p}.${s.slice(0, 10)} ${s.slice(11)}`);
    invalid(`${h}.${p}.${s.slice(0, 10)}é${s.slice(11)}`);
    invalid(`${h.slice(0, -1)}*.${p}.${s}`);
  });

  test('a bad payload segment under a valid signature is still ERR_JWS_INVALID', () => {
    // The signature covers the encoded segments, so it verifies; decoding the payload
    // (which happens only after the signature) must then refuse it.
    const [h, p] = token.split('.');
    for (const badPayload of [`${p.slice(0, -1)}*`, `${p}=`, p.replaceAll('-', '+').replaceAll('_', '/') + (/[-_]/.test(p) ? '' : '+')]) {
      const input = `${h}.${badPayload}`;
      const sig = createHmac('sha256', Buffer.from(hs.secret)).update(input).digest('base64url');
      invalid(`${input}.${sig}`);
    }
  });

  test('a bad payload segment is refused as malformed before the signature is checked', () => {
    // Every segment must be canonical base64url first; the payload is read as
    // claims only after the signature verifies.
    const [h, p, s] = token.split('.');
    const t = `${h}.${p.slice(0, -1)}*.${s}`;
    expectTokenError(() => ok(t), { code: 'ERR_JWS_INVALID' }, t);
  });

  test('header is not a JSON object, or lacks alg', () => {
    const p = { iss: 'x' };
    for (const header of ['not json', '[]', '"HS256"', '{"alg":"HS256"', JSON.stringify({ typ: 'JWT', kid: 'hs' }),
      JSON.stringify({ alg: 256, kid: 'hs' })]) {
      invalid(rawHs256(hs.secret, header, p));
    }
  });

  test('a segment whose length is 1 mod 4 is not base64url', () => {
    const [h, p] = token.split('.');
    invalid(`${h}.${p}.A`);
    invalid(`${h}.${p}.AAAAA`);
  });
});

describe('size limits', () => {
  test('maxTokenLength: a token longer than the limit is rejected', () => {
    const limit = token.length - 1;
    const e1 = expectTokenError(() => verify(token, opts(hsKeys, { now: T0, maxTokenLength: limit })),
      { code: 'ERR_JWS_INVALID', status: 401 }, token);
    assert.match(e1.wwwAuthenticate, /error="invalid_token"/);
    assert.ok(verify(token, opts(hsKeys, { now: T0, maxTokenLength: token.length })));
    const v = createVerifier(opts(hsKeys, { maxTokenLength: limit }));
    expectTokenError(() => v.verify(token, { now: T0 }), { code: 'ERR_JWS_INVALID' }, token);
  });

  test('maxTokenLength: the limit applies before the signature is checked', () => {
    // Garbage of the right shape but too long: the length check must answer, not base64 or crypto.
    const big = `${'A'.repeat(200)}.${'A'.repeat(200)}.${'A'.repeat(200)}`;
    expectTokenError(() => verify(big, opts(hsKeys, { now: T0, maxTokenLength: 100 })),
      { code: 'ERR_JWS_INVALID' }, big);
  });

  test('a huge token is refused without being copied into wasm (memory stays as it was)', () => {
    // 100 million characters (a 100 MB copy if it crossed the boundary); the wasm memory
    // only ever grows, so one copy would show for good.
    const huge = `${'A'.repeat(50_000_000)}.${'A'.repeat(50_000_000)}`;
    const memory = () => initSync().memory.buffer.byteLength;
    const before = memory();
    const verifier = createVerifier(opts(hsKeys, { now: T0 }));
    const calls = [
      () => verify(huge, opts(hsKeys, { now: T0 })),
      () => verifier.verify(huge),
      () => createVerifier(opts(hsKeys, { now: T0, cache: true })).verify(huge),
      () => decode(huge),
    ];
    for (const call of calls) {
      const e = expectTokenError(call, { code: 'ERR_JWS_INVALID', status: 401 }, huge);
      assert.match(e.message, /longer than the maximum token length/);
    }
    assert.ok(memory() - before < 1 << 20, `wasm memory grew by ${memory() - before} bytes`);
  });

  test('default limit is 16384 characters', async () => {
    const pad = (n) => 'x'.repeat(n);
    // Find paddings that land just under and just over 16384 characters.
    const probe = await mint(hs, { iat: T0, exp: T0 + 3600, pad: '' });
    const base = probe.length;
    // Each 3 payload bytes become 4 characters.
    const under = await mint(hs, { iat: T0, exp: T0 + 3600, pad: pad(Math.floor((16384 - base) * 3 / 4) - 3) });
    assert.ok(under.length <= 16384 && under.length > 16300, `under: ${under.length}`);
    assert.ok(verify(under, opts(hsKeys, { now: T0 })));
    const over = await mint(hs, { iat: T0, exp: T0 + 3600, pad: pad(Math.floor((16384 - base) * 3 / 4) + 6) });
    assert.ok(over.length > 16384, `over: ${over.length}`);
    expectTokenError(() => verify(over, opts(hsKeys, { now: T0 })), { code: 'ERR_JWS_INVALID' }, over);
    // A raised limit accepts it.
    assert.ok(verify(over, opts(hsKeys, { now: T0, maxTokenLength: 32768 })));
  });

  test('decode() applies maxTokenLength too', () => {
    expectTokenError(() => decode(token, { maxTokenLength: 50 }), { code: 'ERR_JWS_INVALID' }, token);
    assert.equal(decode(token).claims.iat, T0);
  });
});

const claims = () => ({ iss: ISSUER, aud: AUDIENCE, sub: 'u', iat: T0, exp: T0 + 3600 });

describe('alg "none" and unsupported algorithms', () => {
  test('alg "none" (empty signature) → ERR_JOSE_ALG_NOT_ALLOWED', () => {
    const t = `${b64urlJson({ alg: 'none', typ: 'JWT' })}.${b64urlJson(claims())}.`;
    const err = expectTokenError(() => ok(t), { code: 'ERR_JOSE_ALG_NOT_ALLOWED', status: 401 }, t);
    assert.match(err.wwwAuthenticate, /error="invalid_token"/);
    expectTokenError(() => createVerifier(opts(hsKeys)).verify(t, { now: T0 }),
      { code: 'ERR_JOSE_ALG_NOT_ALLOWED' }, t);
  });

  test('alg "none" with a kid and a signature → ERR_JOSE_ALG_NOT_ALLOWED', () => {
    const t = rawHs256(hs.secret, { alg: 'none', kid: 'hs' }, claims());
    expectTokenError(() => ok(t), { code: 'ERR_JOSE_ALG_NOT_ALLOWED' }, t);
  });

  test('alg "none" is rejected with an explicit algorithms list', () => {
    const t = rawHs256(hs.secret, { alg: 'none' }, claims());
    expectTokenError(() => verify(t, opts(hsKeys, { now: T0, algorithms: ['HS256'] })),
      { code: 'ERR_JOSE_ALG_NOT_ALLOWED' }, t);
  });

  test('an ES512 token minted by jose → ERR_JOSE_NOT_SUPPORTED', async () => {
    const es512 = await makeKey('ES512', { kid: 'es512' });
    const t = await mint(es512, { iat: T0, exp: T0 + 3600 });
    const es256 = await makeKey('ES256', { kid: 'es512' });
    const keys = KeySet.fromJwks({ keys: [es256.jwk] });
    expectTokenError(() => verify(t, opts(keys, { now: T0 })), { code: 'ERR_JOSE_NOT_SUPPORTED', status: 401 }, t);
  });

  test('ES256K and unknown algorithms → ERR_JOSE_NOT_SUPPORTED', () => {
    for (const alg of ['ES256K', 'XS256', 'HS1']) {
      const t = rawHs256(hs.secret, { alg, kid: 'hs' }, claims());
      expectTokenError(() => ok(t), { code: 'ERR_JOSE_NOT_SUPPORTED' }, t);
    }
  });
});

describe('crit and b64', () => {
  test('control: the same hand-made token without crit verifies', () => {
    assert.ok(ok(rawHs256(hs.secret, { alg: 'HS256', kid: 'hs' }, claims())));
  });

  test('an unknown crit header parameter is rejected', () => {
    const t = rawHs256(hs.secret, { alg: 'HS256', kid: 'hs', crit: ['exp-ext'], 'exp-ext': 1 }, claims());
    expectTokenError(() => ok(t), { code: 'ERR_JWS_INVALID' }, t);
  });

  test('b64: false is rejected', () => {
    const t = rawHs256(hs.secret, { alg: 'HS256', kid: 'hs', b64: false, crit: ['b64'] }, claims());
    expectTokenError(() => ok(t), { code: 'ERR_JWS_INVALID' }, t);
  });

  test('a malformed crit is rejected', () => {
    for (const crit of [[], 'b64', [1]]) {
      const t = rawHs256(hs.secret, { alg: 'HS256', kid: 'hs', crit }, claims());
      expectTokenError(() => ok(t), { code: 'ERR_JWS_INVALID' }, t);
    }
  });
});
