// The rest of the public surface: caller misuse (TypeError), decode(), checkScopes(),
// isTollgateError(), the error objects themselves (and that they never carry the token).

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  tollgate, ISSUER, AUDIENCE, T0, makeKey, mint, opts, expectTokenError, expectMisuse, assertNoTokenLeak,
} from './helpers.mjs';
import { CALL_OPTIONS, VERIFY_OPTIONS } from '../../pkg/facts.js';

const {
  KeySet, verify, createVerifier, decode, checkScopes, TollgateError, isTollgateError,
} = tollgate;

let hs;
let keys;
let token;
before(async () => {
  hs = await makeKey('HS256', { kid: 'hs' });
  keys = KeySet.fromSecret(hs.secret, { alg: 'HS256', kid: 'hs' });
  token = await mint(hs, { iat: T0, exp: T0 + 3600, jti: 'id-1', scope: 'read:messages write:messages' });
});

test('exports', () => {
  for (const name of ['verify', 'createVerifier', 'decode', 'checkScopes', 'isTollgateError']) {
    assert.equal(typeof tollgate[name], 'function', name);
  }
  for (const name of ['fromJwks', 'fromJwk', 'fromPem', 'fromSecret']) {
    assert.equal(typeof KeySet[name], 'function', `KeySet.${name}`);
  }
  assert.equal(typeof TollgateError, 'function');
  assert.ok(TollgateError.prototype instanceof Error);
});

describe('misuse → TypeError ERR_INVALID_ARG', () => {
  test('control: the base options verify the token', () => {
    assert.equal(verify(token, opts(keys, { now: T0 })).claims.jti, 'id-1');
  });

  test('non-string token', () => {
    for (const bad of [undefined, null, 42, {}, [token], Buffer.from(token), new String(token)]) {
      expectMisuse(() => verify(bad, opts(keys, { now: T0 })));
      expectMisuse(() => createVerifier(opts(keys)).verify(bad, { now: T0 }));
      expectMisuse(() => decode(bad));
    }
  });

  test('misspelled option', () => {
    expectMisuse(() => verify(token, { keys, isuer: ISSUER, issuer: ISSUER, audience: AUDIENCE, now: T0 }));
    expectMisuse(() => verify(token, { keys, isuer: ISSUER, audience: AUDIENCE, now: T0 }));
    expectMisuse(() => verify(token, opts(keys, { now: T0, clocktolerance: 5 })));
    expectMisuse(() => createVerifier({ keys, issuer: ISSUER, audiance: AUDIENCE }));
    expectMisuse(() => createVerifier(opts(keys)).verify(token, { now: T0, requiredScope: ['a'] }));
    expectMisuse(() => decode(token, { maxTokenLenght: 10 }));
  });

  test('the unknown-option error lists every option, the core\'s and the JS layer\'s', () => {
    const listed = (fn) => {
      try {
        fn();
      } catch (e) {
        assert.equal(e.code, 'ERR_INVALID_ARG');
        return /\(expected one of: (.*)\)$/.exec(e.message)[1].split(', ');
      }
      assert.fail('no error');
    };
    for (const fn of [
      () => createVerifier({ keys, issuer: ISSUER, audiance: AUDIENCE }),
      () => verify(token, { keys, issuer: ISSUER, audiance: AUDIENCE, now: T0 }),
    ]) {
      const names = listed(fn);
      for (const name of [...VERIFY_OPTIONS, 'keys', 'cache', 'revocations', 'currentDate']) {
        assert.ok(names.includes(name), `${name} missing from ${names.join(', ')}`);
      }
    }
    const call = listed(() => createVerifier(opts(keys)).verify(token, { now: T0, requiredScope: ['a'] }));
    for (const name of [...CALL_OPTIONS, 'currentDate']) {
      assert.ok(call.includes(name), `${name} missing from ${call.join(', ')}`);
    }
  });

  test('missing issuer without dangerouslySkipIssuerCheck', () => {
    expectMisuse(() => verify(token, { keys, audience: AUDIENCE, now: T0 }));
    expectMisuse(() => createVerifier({ keys, audience: AUDIENCE }));
    assert.ok(verify(token, { keys, audience: AUDIENCE, dangerouslySkipIssuerCheck: true, now: T0 }));
  });

  test('missing audience without dangerouslySkipAudienceCheck', () => {
    expectMisuse(() => verify(token, { keys, issuer: ISSUER, now: T0 }));
    expectMisuse(() => createVerifier({ keys, issuer: ISSUER }));
    assert.ok(verify(token, { keys, issuer: ISSUER, dangerouslySkipAudienceCheck: true, now: T0 }));
  });

  test('missing or wrong keys', () => {
    expectMisuse(() => verify(token, { issuer: ISSUER, audience: AUDIENCE, now: T0 }));
    expectMisuse(() => verify(token, opts({ keys: [] }, { now: T0 })));
    expectMisuse(() => verify(token, opts(hs.jwk, { now: T0 })));
    expectMisuse(() => verify(token));
    expectMisuse(() => createVerifier());
  });

  test('bad scopeMode', () => {
    expectMisuse(() => verify(token, opts(keys, { now: T0, requiredScopes: ['a'], scopeMode: 'some' })));
    expectMisuse(() => createVerifier(opts(keys, { scopeMode: 'ALL' })));
    expectMisuse(() => createVerifier(opts(keys)).verify(token, { now: T0, scopeMode: 'one' }));
    expectMisuse(() => checkScopes('a', ['a'], { mode: 'some' }));
  });

  test('unsupported or unknown algorithm in algorithms', () => {
    for (const alg of ['ES512', 'none', 'ES256K', 'HS257', 'rs256']) {
      expectMisuse(() => verify(token, opts(keys, { now: T0, algorithms: [alg] })));
      expectMisuse(() => createVerifier(opts(keys, { algorithms: ['HS256', alg] })));
    }
  });

  test('bad option values', () => {
    expectMisuse(() => verify(token, opts(keys, { now: T0, clockTolerance: 'soon' })));
    expectMisuse(() => verify(token, opts(keys, { now: T0, maxTokenAge: 'forever' })));
    expectMisuse(() => verify(token, opts(keys, { now: 'yesterday' })));
    expectMisuse(() => verify(token, opts(keys, { currentDate: 'yesterday' })));
    expectMisuse(() => verify(token, opts(keys, { now: T0, issuer: 42 })));
  });

  test('key import misuse', () => {
    expectMisuse(() => KeySet.fromSecret(new Uint8Array(32), { alg: 'HS256', algo: 'x' }));
    expectMisuse(() => KeySet.fromSecret(42, { alg: 'HS256' }));
    expectMisuse(() => KeySet.fromPem(42, { alg: 'ES256' }));
  });

  test('misuse is not a TollgateError (not a 401)', () => {
    let err;
    try {
      verify(token, { keys, isuer: ISSUER, audience: AUDIENCE });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof TypeError);
    assert.ok(!(err instanceof TollgateError));
    assert.equal(err.code, 'ERR_INVALID_ARG');
    assert.equal(err.status, undefined);
    assert.equal(err.wwwAuthenticate, undefined);
    // isTollgateError recognises misuse by its code (documented in pkg/tollgate.js).
    assert.equal(isTollgateError(err, 'ERR_INVALID_ARG'), true);
    assert.equal(isTollgateError(err, 'ERR_JWT_EXPIRED'), false);
    assert.match(err.message, /isuer/, 'the message names the bad option');
  });
});

describe('decode()', () => {
  test('returns header, claims and scopes', () => {
    const r = decode(token);
    assert.deepEqual(Object.keys(r).sort(), ['claims', 'header', 'roles', 'scopes']);
    assert.deepEqual(r.header, { alg: 'HS256', typ: 'JWT', kid: 'hs' });
    assert.equal(r.claims.jti, 'id-1');
    assert.equal(r.claims.iss, ISSUER);
    assert.deepEqual([...r.scopes].sort(), ['read:messages', 'write:messages']);
  });

  test('does not verify: bad signature, expired, unknown issuer all decode', async () => {
    const [h, p] = token.split('.');
    const bad = `${h}.${p}.${Buffer.alloc(32, 9).toString('base64url')}`;
    assert.equal(decode(bad).claims.jti, 'id-1');
    const other = await mint(hs, { iss: 'https://elsewhere/', iat: 1, exp: 2 });
    assert.equal(decode(other).claims.iss, 'https://elsewhere/');
  });

  test('scopeClaim option', async () => {
    const t = await mint(hs, { scope: 'a b', scp: ['c'] });
    assert.deepEqual(decode(t, { scopeClaim: 'scp' }).scopes, ['c']);
  });

  test('still rejects malformed input with ERR_JWS_INVALID', () => {
    const [h, p, s] = token.split('.');
    for (const t of [`${h}.${p}`, `${h}.${p}.${s}=`, `${h}.${p}+.${s}`, '', 'abc', `${h}.!!!.${s}`]) {
      expectTokenError(() => decode(t), { code: 'ERR_JWS_INVALID', status: 401 }, t);
    }
  });

  test('rejects a payload that is not a JSON object', () => {
    const h = Buffer.from(JSON.stringify({ alg: 'HS256' })).toString('base64url');
    const p = Buffer.from('[1,2]').toString('base64url');
    const t = `${h}.${p}.${token.split('.')[2]}`;
    expectTokenError(() => decode(t), { code: 'ERR_JWT_INVALID', status: 401 }, t);
  });
});

describe('checkScopes()', () => {
  const claims = { sub: 'u', scope: 'read write', scp: ['admin'] };

  test('with a claims object', () => {
    const r = checkScopes(claims, ['read', 'write']);
    assert.equal(r.ok, true);
    assert.deepEqual(r.missing, []);
    assert.ok(r.granted.includes('read') && r.granted.includes('write'));
    const r2 = checkScopes(claims, ['read', 'delete']);
    assert.equal(r2.ok, false);
    assert.deepEqual(r2.missing, ['delete']);
    assert.ok(r2.granted.includes('read'));
    assert.ok(!r2.granted.includes('delete'));
    assert.equal(checkScopes(claims, ['admin']).ok, true, 'scp is read by default');
    assert.equal(checkScopes(claims, ['admin'], { scopeClaim: 'scope' }).ok, false);
  });

  test('with a space-delimited string', () => {
    assert.equal(checkScopes('a b c', ['a', 'c']).ok, true);
    const r = checkScopes('a b c', ['a', 'd']);
    assert.equal(r.ok, false);
    assert.deepEqual(r.missing, ['d']);
  });

  test('with an array', () => {
    assert.equal(checkScopes(['a', 'b'], ['b']).ok, true);
    const r = checkScopes(['a', 'b'], ['c', 'd']);
    assert.equal(r.ok, false);
    assert.deepEqual([...r.missing].sort(), ['c', 'd']);
  });

  test('mode all (default) and any', () => {
    assert.equal(checkScopes('a', ['a', 'b']).ok, false);
    assert.equal(checkScopes('a', ['a', 'b'], { mode: 'all' }).ok, false);
    assert.equal(checkScopes('a', ['a', 'b'], { mode: 'any' }).ok, true);
    assert.equal(checkScopes(['x'], ['a', 'b'], { mode: 'any' }).ok, false);
    assert.equal(checkScopes({ scope: 'b' }, ['a', 'b'], { mode: 'any' }).ok, true);
  });

  test('no required scopes is ok', () => {
    assert.equal(checkScopes('', []).ok, true);
    assert.equal(checkScopes({}, []).ok, true);
  });

  test('result is a plain object', () => {
    const r = checkScopes('a', ['a', 'b']);
    assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
    assert.deepEqual(Object.keys(r).sort(), ['granted', 'missing', 'ok']);
  });
});

describe('errors', () => {
  const catchIt = (fn) => {
    try {
      fn();
    } catch (e) {
      return e;
    }
    assert.fail('expected a throw');
  };

  test('TollgateError is an Error with name, code, status, wwwAuthenticate', () => {
    const err = catchIt(() => verify(token, opts(keys, { now: T0 + 4000 })));
    assert.ok(err instanceof Error);
    assert.ok(err instanceof TollgateError);
    assert.equal(err.name, 'TollgateError');
    assert.equal(err.code, 'ERR_JWT_EXPIRED');
    assert.equal(err.status, 401);
    assert.equal(err.claim, 'exp');
    assert.equal(typeof err.message, 'string');
    assert.ok(err.message.length > 0);
    assert.equal(typeof err.stack, 'string');
    assert.ok(String(err).startsWith('TollgateError'));
  });

  test('isTollgateError', () => {
    const err = catchIt(() => verify(token, opts(keys, { now: T0 + 4000 })));
    assert.equal(isTollgateError(err), true);
    assert.equal(isTollgateError(err, 'ERR_JWT_EXPIRED'), true);
    assert.equal(isTollgateError(err, 'ERR_JWS_INVALID'), false);
    assert.equal(isTollgateError({ name: 'TollgateError', code: 'ERR_JWT_EXPIRED' }), false);
    assert.equal(isTollgateError(new Error('x')), false);
    assert.equal(isTollgateError(new TypeError('x')), false);
    assert.equal(isTollgateError(null), false);
    assert.equal(isTollgateError(undefined), false);
    assert.equal(isTollgateError('ERR_JWT_EXPIRED'), false);
    const keyErr = catchIt(() => KeySet.fromSecret(new Uint8Array(3), { alg: 'HS256' }));
    assert.equal(keyErr.code, 'ERR_JWK_INVALID');
    assert.ok(keyErr instanceof Error);
  });

  test('errors never contain the token', async () => {
    const [h, p] = token.split('.');
    const badSig = `${h}.${p}.${Buffer.alloc(32, 5).toString('base64url')}`;
    const wrongIss = await mint(hs, { iss: 'https://evil.example/', iat: T0, exp: T0 + 3600 });
    const cases = [
      [token, { now: T0 + 4000 }, 'ERR_JWT_EXPIRED'],
      [badSig, { now: T0 }, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
      [wrongIss, { now: T0 }, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
      [token, { now: T0, requiredScopes: ['admin'] }, 'ERR_JWT_INSUFFICIENT_SCOPE'],
      [token, { now: T0, maxTokenLength: 20 }, 'ERR_JWS_INVALID'],
      [`${token}=`, { now: T0 }, 'ERR_JWS_INVALID'],
      [`${h}.${p}`, { now: T0 }, 'ERR_JWS_INVALID'],
    ];
    for (const [t, extra, code] of cases) {
      const err = catchIt(() => verify(t, opts(keys, extra)));
      assert.equal(err.code, code);
      assertNoTokenLeak(err, t);
      // The issuer is fine to mention, but never the payload segment or signature.
      const all = `${String(err)} ${err.stack} ${JSON.stringify(err, Object.getOwnPropertyNames(err))}`;
      assert.ok(!all.includes(t.split('.')[1]));
    }
    // Misuse messages do not echo the token either.
    const misuse = catchIt(() => verify(token, { keys, isuer: ISSUER, audience: AUDIENCE }));
    assertNoTokenLeak(misuse, token);
  });

  test('error fields are plain data (JSON-serialisable)', () => {
    const err = catchIt(() => verify(token, opts(keys, { now: T0, requiredScopes: ['admin'] })));
    const data = JSON.parse(JSON.stringify({
      code: err.code, status: err.status, wwwAuthenticate: err.wwwAuthenticate, missing: err.missing,
    }));
    assert.deepEqual(data.missing, ['admin']);
    assert.equal(data.status, 403);
    assert.ok(Array.isArray(err.missing));
  });
});
