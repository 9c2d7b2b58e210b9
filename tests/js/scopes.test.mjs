// Scopes: where they are read from, requiredScopes / scopeMode, the 403 answer.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  tollgate, T0, makeKey, mint, opts, expectTokenError,
} from './helpers.mjs';

const { KeySet, verify, createVerifier } = tollgate;

let hs;
let keys;
before(async () => {
  hs = await makeKey('HS256', { kid: 'hs' });
  keys = KeySet.fromSecret(hs.secret, { alg: 'HS256', kid: 'hs' });
});

/** A token with exactly the given scope-ish claims (the default `scope` removed). */
const withScopes = (claims) => mint(hs, { iat: T0, exp: T0 + 3600, scope: undefined, ...claims });
const sorted = (a) => [...a].sort();

describe('where scopes come from', () => {
  const cases = {
    'scope (space-delimited string)': [{ scope: 'read:messages write:messages' }, ['read:messages', 'write:messages']],
    'scp (array)': [{ scp: ['read:messages', 'write:messages'] }, ['read:messages', 'write:messages']],
    'scp (string)': [{ scp: 'read:messages write:messages' }, ['read:messages', 'write:messages']],
    'permissions (array)': [{ permissions: ['read:messages', 'delete:messages'] }, ['delete:messages', 'read:messages']],
    'no scope claim': [{}, []],
    'empty scope string': [{ scope: '' }, []],
  };
  for (const [name, [claims, expected]] of Object.entries(cases)) {
    test(name, async () => {
      const token = await withScopes(claims);
      assert.deepEqual(sorted(verify(token, opts(keys, { now: T0 })).scopes), expected);
      assert.deepEqual(sorted(createVerifier(opts(keys)).verify(token, { now: T0 }).scopes), expected);
    });
  }

  test('requiredScopes are satisfied from scp and permissions too', async () => {
    for (const claims of [{ scp: ['a', 'b'] }, { scp: 'a b' }, { permissions: ['a', 'b'] }, { scope: 'b a' }]) {
      const token = await withScopes(claims);
      assert.ok(verify(token, opts(keys, { now: T0, requiredScopes: ['a', 'b'] })));
      expectTokenError(() => verify(token, opts(keys, { now: T0, requiredScopes: ['a', 'c'] })),
        { code: 'ERR_JWT_INSUFFICIENT_SCOPE', status: 403, missing: ['c'] }, token);
    }
  });

  test('scopeClaim picks a single claim', async () => {
    const token = await withScopes({ scope: 'from-scope', scp: ['from-scp'], roles: ['admin'] });
    assert.deepEqual(verify(token, opts(keys, { now: T0, scopeClaim: 'scp' })).scopes, ['from-scp']);
    assert.deepEqual(verify(token, opts(keys, { now: T0, scopeClaim: 'roles' })).scopes, ['admin']);
    expectTokenError(() => verify(token, opts(keys, { now: T0, scopeClaim: 'scp', requiredScopes: ['from-scope'] })),
      { code: 'ERR_JWT_INSUFFICIENT_SCOPE', missing: ['from-scope'] }, token);
  });

  test('scope matching is exact (no prefix or case folding)', async () => {
    const token = await withScopes({ scope: 'read:messages Write:messages' });
    expectTokenError(() => verify(token, opts(keys, { now: T0, requiredScopes: ['read'] })),
      { code: 'ERR_JWT_INSUFFICIENT_SCOPE', missing: ['read'] }, token);
    expectTokenError(() => verify(token, opts(keys, { now: T0, requiredScopes: ['write:messages'] })),
      { code: 'ERR_JWT_INSUFFICIENT_SCOPE', missing: ['write:messages'] }, token);
  });
});

describe('insufficient scope → 403', () => {
  test('one missing scope: code, status, missing, WWW-Authenticate', async () => {
    const token = await withScopes({ scope: 'read:messages' });
    const err = expectTokenError(() => verify(token, opts(keys, { now: T0, requiredScopes: ['read:messages', 'write:messages'] })),
      { code: 'ERR_JWT_INSUFFICIENT_SCOPE', status: 403, missing: ['write:messages'] }, token);
    assert.match(err.wwwAuthenticate, /^Bearer error="insufficient_scope"/);
    assert.match(err.wwwAuthenticate, /scope="write:messages"/);
    assert.doesNotMatch(err.wwwAuthenticate, /invalid_token/);
  });

  test('several missing scopes are all listed, space-delimited in the header', async () => {
    const token = await withScopes({ scope: 'read:messages' });
    const err = expectTokenError(() => verify(token, opts(keys, { now: T0, requiredScopes: ['a:x', 'read:messages', 'b:y'] })),
      { code: 'ERR_JWT_INSUFFICIENT_SCOPE', status: 403, missing: ['a:x', 'b:y'] }, token);
    const m = /scope="([^"]*)"/.exec(err.wwwAuthenticate);
    assert.ok(m, err.wwwAuthenticate);
    assert.deepEqual(m[1].split(' ').sort(), ['a:x', 'b:y']);
  });

  test('realm first in the 403 header', async () => {
    const token = await withScopes({ scope: 'read:messages' });
    const err = expectTokenError(() => verify(token, opts(keys, { now: T0, realm: 'api', requiredScopes: ['write:messages'] })),
      { code: 'ERR_JWT_INSUFFICIENT_SCOPE', status: 403, missing: ['write:messages'] }, token);
    assert.match(err.wwwAuthenticate, /^Bearer realm="api", error="insufficient_scope"/);
    assert.match(err.wwwAuthenticate, /scope="write:messages"/);
  });

  test('no scope claim at all is a 403, not a 401', async () => {
    const token = await withScopes({});
    expectTokenError(() => verify(token, opts(keys, { now: T0, requiredScopes: ['read:messages'] })),
      { code: 'ERR_JWT_INSUFFICIENT_SCOPE', status: 403, missing: ['read:messages'] }, token);
  });

  test('token problems win over scope problems (expired + insufficient → 401)', async () => {
    const token = await withScopes({ scope: 'read:messages' });
    expectTokenError(() => verify(token, opts(keys, { now: T0 + 4000, requiredScopes: ['write:messages'] })),
      { code: 'ERR_JWT_EXPIRED', status: 401, claim: 'exp' }, token);
  });
});

describe('scopeMode', () => {
  test('"all" is the default', async () => {
    const token = await withScopes({ scope: 'b c' });
    expectTokenError(() => verify(token, opts(keys, { now: T0, requiredScopes: ['a', 'b'] })),
      { code: 'ERR_JWT_INSUFFICIENT_SCOPE', missing: ['a'] }, token);
    expectTokenError(() => verify(token, opts(keys, { now: T0, requiredScopes: ['a', 'b'], scopeMode: 'all' })),
      { code: 'ERR_JWT_INSUFFICIENT_SCOPE', missing: ['a'] }, token);
  });

  test('"any": one of the required scopes is enough', async () => {
    const token = await withScopes({ scope: 'b c' });
    const r = verify(token, opts(keys, { now: T0, requiredScopes: ['a', 'b'], scopeMode: 'any' }));
    assert.deepEqual(sorted(r.scopes), ['b', 'c']);
    const none = await withScopes({ scope: 'c' });
    const err = expectTokenError(() => verify(none, opts(keys, { now: T0, requiredScopes: ['a', 'b'], scopeMode: 'any' })),
      { code: 'ERR_JWT_INSUFFICIENT_SCOPE', status: 403, missing: ['a', 'b'] }, none);
    assert.match(err.wwwAuthenticate, /error="insufficient_scope"/);
  });
});

describe('createVerifier: per-call scopes', () => {
  test('per-call requiredScopes and scopeMode', async () => {
    const token = await withScopes({ scope: 'read:messages' });
    const verifier = createVerifier(opts(keys));
    assert.ok(verifier.verify(token, { now: T0 }));
    assert.ok(verifier.verify(token, { now: T0, requiredScopes: ['read:messages'] }));
    expectTokenError(() => verifier.verify(token, { now: T0, requiredScopes: ['write:messages'] }),
      { code: 'ERR_JWT_INSUFFICIENT_SCOPE', status: 403, missing: ['write:messages'] }, token);
    assert.ok(verifier.verify(token, { now: T0, requiredScopes: ['write:messages', 'read:messages'], scopeMode: 'any' }));
  });

  test('requiredScopes given at creation apply to every call', async () => {
    const token = await withScopes({ scope: 'read:messages' });
    const verifier = createVerifier(opts(keys, { requiredScopes: ['write:messages'] }));
    expectTokenError(() => verifier.verify(token, { now: T0 }),
      { code: 'ERR_JWT_INSUFFICIENT_SCOPE', missing: ['write:messages'] }, token);
  });
});
