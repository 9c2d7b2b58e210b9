// RevocationList: loading, revoking, lookups; verify with `revocations`
// (401 ERR_JWT_REVOKED), a list shared with a verifier (later revocations apply
// at once), subject revocation by issue time, policy evaluation with a list,
// caller mistakes, and a 100 000-entry list.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tollgate, T0, makeKey, mint, opts, expectTokenError, expectMisuse } from './helpers.mjs';
import { Policy } from '../../pkg/policy-node.js';

const { KeySet, verify, createVerifier, RevocationList, TollgateError } = tollgate;

let hs;
let keys;
before(async () => {
  hs = await makeKey('HS256', { kid: 'hs' });
  keys = KeySet.fromSecret(hs.secret, { alg: 'HS256', kid: 'hs' });
});

/** A token of `sub` with `jti`, issued at `iat` (T0 by default), valid for an hour from T0. */
const token = ({ sub = 'user-1', jti, iat = T0, ...rest } = {}) =>
  mint(hs, { sub, jti, iat, exp: T0 + 3600, ...rest });

const at = (extra = {}) => opts(keys, { now: T0 + 10, ...extra });

function expectRevoked(fn, t, realm) {
  const err = expectTokenError(fn, { code: 'ERR_JWT_REVOKED', status: 401 }, t);
  const prefix = realm === undefined ? 'Bearer ' : `Bearer realm="${realm}", `;
  assert.ok(err.wwwAuthenticate.startsWith(`${prefix}error="invalid_token"`), err.wwwAuthenticate);
  assert.match(err.message, /revoked/);
  return err;
}

describe('RevocationList: load, revoke, look up', () => {
  test('fromJson: an object', () => {
    const list = RevocationList.fromJson({ version: 1, tokens: ['jti-1', 'jti-2'], subjects: { 'user-42': 1000, 'user-7': 2000 } });
    assert.ok(list instanceof RevocationList);
    assert.deepEqual([list.size, list.tokenCount, list.subjectCount], [4, 2, 2]);
    assert.equal(list.revokedBy({ jti: 'jti-2', sub: 'x' }), 'token');
    assert.equal(list.revokedBy({ sub: 'user-42', iat: 999 }), 'subject');
    assert.equal(list.revokedBy({ sub: 'user-42', iat: 1000 }), 'subject', 'at the time: revoked');
    assert.equal(list.revokedBy({ sub: 'user-42', iat: 1001 }), null, 'after the time: not revoked');
    assert.equal(list.revokedBy({ sub: 'user-42' }), 'subject', 'no iat: revoked');
    assert.equal(list.revokedBy({ sub: 'user-42', iat: '1' }), 'subject', 'a non-numeric iat: revoked');
    assert.equal(list.revokedBy({ jti: 'jti-3', sub: 'user-4', iat: 1 }), null);
    assert.equal(list.isRevoked({ jti: 'jti-1' }), true);
    assert.equal(list.isRevoked({ jti: 'jti-' }), false);
    assert.equal(list.isRevoked({ jti: 'JTI-1' }), false, 'exact, case-sensitive');
    // Values of another type are not identifiers.
    assert.equal(list.isRevoked({ jti: ['jti-1'], sub: ['user-42'] }), false);
    // A `{ claims }` wrapper (a verify result) is accepted.
    assert.equal(list.revokedBy({ claims: { jti: 'jti-1' } }), 'token');
    // Raw claims holding a claim named `claims` are still read by their own jti and sub.
    assert.equal(list.revokedBy({ jti: 'jti-2', sub: 'x', claims: { jti: 'not-revoked' } }), 'token');
    assert.equal(list.revokedBy({ sub: 'user-7', iat: 1, claims: {} }), 'subject');
    assert.equal(list.revokedBy({ jti: 'jti-9', claims: 'text' }), null);
    // No claims: nothing to revoke.
    assert.equal(list.revokedBy(null), null);
    assert.equal(list.isRevoked({}), false);
  });

  test('fromJson: JSON text; tokens and subjects are optional', () => {
    const list = RevocationList.fromJson('{"version":1,"tokens":["a"],"subjects":{"s":10}}');
    assert.deepEqual([list.tokenCount, list.subjectCount], [1, 1]);
    assert.equal(RevocationList.fromJson('{"version":1}').size, 0);
    assert.equal(RevocationList.fromJson({ version: 1, tokens: [] }).size, 0);
    assert.equal(RevocationList.fromJson({ version: 1, subjects: {} }).size, 0);
    // Duplicates count once.
    assert.equal(RevocationList.fromJson({ version: 1, tokens: ['a', 'a'] }).tokenCount, 1);
  });

  test('fromJson: Date values in subjects', () => {
    const when = new Date((T0 + 0.9) * 1000);
    const list = RevocationList.fromJson({ version: 1, subjects: { 'user-1': when, 'user-2': T0 } });
    assert.equal(list.subjectCount, 2);
    assert.equal(list.revokedBy({ sub: 'user-1', iat: T0 }), 'subject', 'a Date is taken in whole seconds');
    assert.equal(list.revokedBy({ sub: 'user-1', iat: T0 + 1 }), null);
    assert.equal(list.revokedBy({ sub: 'user-2', iat: T0 }), 'subject');
  });

  test('an empty list', () => {
    const list = new RevocationList();
    assert.deepEqual([list.size, list.tokenCount, list.subjectCount], [0, 0, 0]);
    assert.equal(list.isRevoked({ jti: 'a', sub: 'b' }), false);
  });

  test('revokeToken', () => {
    const list = new RevocationList();
    assert.equal(list.revokeToken('jti-9'), list, 'chainable');
    list.revokeToken('jti-9').revokeToken('jti-10');
    assert.deepEqual([list.size, list.tokenCount, list.subjectCount], [2, 2, 0]);
    assert.equal(list.revokedBy({ jti: 'jti-9' }), 'token');
    assert.equal(list.isRevoked({ jti: 'jti-1' }), false);
  });

  test('revokeSubject: default now, a Date, seconds; a later time replaces an earlier one', () => {
    const list = new RevocationList();
    const before = Math.floor(Date.now() / 1000);
    list.revokeSubject('now-user');
    const after = Math.floor(Date.now() / 1000);
    assert.equal(list.revokedBy({ sub: 'now-user', iat: before }), 'subject');
    assert.equal(list.revokedBy({ sub: 'now-user', iat: after + 1 }), null);

    list.revokeSubject('date-user', new Date(T0 * 1000));
    assert.equal(list.revokedBy({ sub: 'date-user', iat: T0 }), 'subject');
    assert.equal(list.revokedBy({ sub: 'date-user', iat: T0 + 1 }), null);

    assert.equal(list.revokeSubject('sec-user', T0 + 100), list, 'chainable');
    assert.equal(list.revokedBy({ sub: 'sec-user', iat: T0 + 100 }), 'subject');
    assert.equal(list.revokedBy({ sub: 'sec-user', iat: T0 + 101 }), null);
    assert.deepEqual([list.size, list.tokenCount, list.subjectCount], [3, 0, 3]);

    // The latest time wins, whatever the order.
    list.revokeSubject('sec-user', T0 + 200).revokeSubject('sec-user', T0 + 50);
    assert.equal(list.revokedBy({ sub: 'sec-user', iat: T0 + 150 }), 'subject');
    assert.equal(list.revokedBy({ sub: 'sec-user', iat: T0 + 201 }), null);
    assert.equal(list.subjectCount, 3);
  });

  test('only a string jti/sub and a numeric iat are read, as verify reads them', () => {
    const list = RevocationList.fromJson({ version: 1, tokens: ['7'], subjects: { u: 1000 } });
    assert.equal(list.revokedBy({ jti: 7 }), null);
    assert.equal(list.revokedBy({ jti: ['7'] }), null);
    assert.equal(list.revokedBy({ jti: '7' }), 'token');
    assert.equal(list.revokedBy({ sub: ['u'], iat: 1 }), null);
    assert.equal(list.revokedBy({ sub: 'u', iat: '2000' }), 'subject', 'a non-numeric iat cannot follow the revocation');
    assert.equal(list.revokedBy({ sub: 'u', iat: 1000 }), 'subject');
    assert.equal(list.revokedBy({ sub: 'u', iat: 1000.5 }), null);
    assert.equal(list.revokedBy({ claims: { jti: '7' } }), 'token', 'a verify result is read through its claims');
  });

  test('a jti match wins over a subject that is not revoked', () => {
    const list = new RevocationList().revokeToken('t').revokeSubject('s', 10);
    assert.equal(list.revokedBy({ jti: 't', sub: 's', iat: 100 }), 'token');
    assert.equal(list.revokedBy({ jti: 'u', sub: 's', iat: 5 }), 'subject');
  });
});

describe('verify with `revocations`', () => {
  test('a revoked jti → 401 ERR_JWT_REVOKED with an invalid_token challenge', async () => {
    const t = await token({ jti: 'jti-1' });
    const list = RevocationList.fromJson({ version: 1, tokens: ['jti-1'] });
    const err = expectRevoked(() => verify(t, at({ revocations: list })), t);
    assert.ok(err instanceof TollgateError);
    expectRevoked(() => verify(t, at({ revocations: list, realm: 'api' })), t, 'api');
    expectRevoked(() => createVerifier(opts(keys, { revocations: list })).verify(t, { now: T0 + 10 }), t);
    // Other tokens pass; without the list the same token passes.
    assert.ok(verify(await token({ jti: 'jti-2' }), at({ revocations: list })));
    assert.ok(verify(t, at()));
  });

  test('the signature and claims are checked first: an expired revoked token is ERR_JWT_EXPIRED', async () => {
    const t = await mint(hs, { jti: 'jti-1', iat: T0 - 7200, exp: T0 - 3600 });
    const list = RevocationList.fromJson({ version: 1, tokens: ['jti-1'] });
    expectTokenError(() => verify(t, at({ revocations: list })), { code: 'ERR_JWT_EXPIRED', status: 401 }, t);
  });

  test('a list revoked AFTER createVerifier applies to that verifier at once', async () => {
    const list = new RevocationList();
    const verifier = createVerifier(opts(keys, { revocations: list }));
    const a = await token({ jti: 'jti-a', sub: 'alice' });
    const b = await token({ jti: 'jti-b', sub: 'bob' });
    assert.ok(verifier.verify(a, { now: T0 + 10 }));
    assert.ok(verifier.verify(b, { now: T0 + 10 }));
    list.revokeToken('jti-a');
    expectRevoked(() => verifier.verify(a, { now: T0 + 10 }), a);
    assert.ok(verifier.verify(b, { now: T0 + 10 }));
    list.revokeSubject('bob', T0);
    expectRevoked(() => verifier.verify(b, { now: T0 + 10 }), b);
  });

  test('a subject: tokens issued at or before the time are revoked, after are not, missing iat is', async () => {
    const list = RevocationList.fromJson({ version: 1, subjects: { 'user-1': T0 } });
    const earlier = await token({ iat: T0 - 1 });
    const same = await token({ iat: T0 });
    const later = await token({ iat: T0 + 1 });
    const noIat = await mint(hs, { sub: 'user-1', iat: undefined, exp: T0 + 3600 });
    const other = await token({ sub: 'user-2', iat: T0 - 1 });
    expectRevoked(() => verify(earlier, at({ revocations: list })), earlier);
    expectRevoked(() => verify(same, at({ revocations: list })), same);
    assert.ok(verify(later, at({ revocations: list })));
    const err = expectRevoked(() => verify(noIat, at({ revocations: list })), noIat);
    assert.match(err.message, /subject/);
    assert.ok(verify(other, at({ revocations: list })));
  });

  test('a guard-style shared list: one list, many verifiers', async () => {
    const list = new RevocationList();
    const v1 = createVerifier(opts(keys, { revocations: list }));
    const v2 = createVerifier(opts(keys, { revocations: list, requiredScopes: ['read:messages'] }));
    const t = await token({ jti: 'shared' });
    list.revokeToken('shared');
    expectRevoked(() => v1.verify(t, { now: T0 + 10 }), t);
    expectRevoked(() => v2.verify(t, { now: T0 + 10 }), t);
  });

  test('`revocations` that is not a RevocationList → TypeError ERR_INVALID_ARG', async () => {
    const t = await token({ jti: 'x' });
    for (const revocations of [{}, { version: 1, tokens: ['x'] }, ['x'], 'x', null, 1]) {
      expectMisuse(() => verify(t, at({ revocations })));
      expectMisuse(() => createVerifier(opts(keys, { revocations })));
    }
    // Not a per-call option.
    const list = new RevocationList();
    expectMisuse(() => createVerifier(opts(keys)).verify(t, { now: T0 + 10, revocations: list }));
  });
});

describe('policy evaluation with a revocation list', () => {
  const POLICY = {
    version: 1,
    scopes: { 'read:messages': {} },
    rules: [
      { method: 'GET', path: '/messages/**', scopes: ['read:messages'] },
      { method: 'GET', path: '/health', public: true },
    ],
  };
  const ask = (path, extra = {}) => ({ method: 'GET', path, now: T0 + 10, ...extra });

  function assertRevokedDecision(d) {
    assert.equal(d.allow, false, d.reason);
    assert.equal(d.status, 401);
    assert.equal(d.code, 'ERR_JWT_REVOKED');
    assert.match(d.wwwAuthenticate, /^Bearer error="invalid_token"/);
  }

  test('the fromJson option, and a per-call list', async () => {
    const t = await token({ jti: 'jti-p', sub: 'user-p', scope: 'read:messages' });
    const result = verify(t, at());
    const loadList = RevocationList.fromJson({ version: 1, tokens: ['jti-p'] });
    const withList = Policy.fromJson(POLICY, { revocations: loadList });
    const plain = Policy.fromJson(POLICY);

    assert.equal(plain.evaluate(result, ask('/messages/1')).allow, true);
    assertRevokedDecision(withList.evaluate(result, ask('/messages/1')));
    // Even where no rule matches.
    assertRevokedDecision(withList.evaluate(result, ask('/nowhere')));
    // Public routes stay public.
    assert.equal(withList.evaluate(result, ask('/health')).allow, true);

    // Per call, on a policy without a list.
    const callList = new RevocationList().revokeSubject('user-p', T0);
    assertRevokedDecision(plain.evaluate(result, ask('/messages/1', { revocations: callList })));
    // A per-call list replaces the policy's.
    assert.equal(withList.evaluate(result, ask('/messages/1', { revocations: new RevocationList() })).allow, true);
    // Decoded (unverified) subjects are checked too.
    assertRevokedDecision(withList.evaluate({ claims: result.claims }, ask('/messages/1')));
  });

  test('revocations added after Policy.fromJson apply at once', async () => {
    const list = new RevocationList();
    const p = Policy.fromJson(POLICY, { revocations: list });
    const result = verify(await token({ jti: 'later', scope: 'read:messages' }), at());
    assert.equal(p.evaluate(result, ask('/messages')).allow, true);
    list.revokeToken('later');
    assertRevokedDecision(p.evaluate(result, ask('/messages')));
  });

  test('a policy rejects a list that is not a RevocationList', () => {
    expectMisuse(() => Policy.fromJson(POLICY, { revocations: { version: 1, tokens: [] } }));
  });
});

describe('bad lists → TypeError ERR_INVALID_ARG', () => {
  const docs = {
    'a number': 42,
    'an array': [],
    'no version': { tokens: ['a'] },
    'version 2': { version: 2 },
    'version "1"': { version: '1' },
    'an unknown member': { version: 1, token: ['a'] },
    'tokens a string': { version: 1, tokens: 'a' },
    'tokens with a number': { version: 1, tokens: ['a', 1] },
    'tokens with an empty string': { version: 1, tokens: [''] },
    'subjects an array': { version: 1, subjects: ['a'] },
    'subjects with a string time': { version: 1, subjects: { a: '2026-01-01' } },
    'subjects with a negative time': { version: 1, subjects: { a: -1 } },
    'subjects with null': { version: 1, subjects: { a: null } },
    'subjects with an invalid Date': { version: 1, subjects: { a: new Date('nope') } },
    'subjects with an empty subject': { version: 1, subjects: { '': 1 } },
    'a BigInt': { version: 1, subjects: { a: 1n } },
    'malformed JSON text': '{"version":1,',
    'JSON text of an array': '[]',
  };
  for (const [name, doc] of Object.entries(docs)) {
    test(`fromJson: ${name}`, () => {
      expectMisuse(() => RevocationList.fromJson(doc));
    });
  }

  test('revokeToken, revokeSubject, revokedBy mistakes', () => {
    const list = new RevocationList();
    for (const jti of ['', 7, null, undefined, ['a']]) expectMisuse(() => list.revokeToken(jti));
    for (const sub of ['', 7, null, { sub: 'a' }]) expectMisuse(() => list.revokeSubject(sub, 1));
    for (const when of [-1, NaN, Infinity, '2026-01-01', new Date('nope'), null, 10n]) {
      expectMisuse(() => list.revokeSubject('a', when));
    }
    for (const claims of [42, 'jti', [{ jti: 'a' }]]) expectMisuse(() => list.revokedBy(claims));
    for (const claims of [42, 'jti']) expectMisuse(() => list.isRevoked(claims));
    // Nothing was added by the failed calls.
    assert.equal(list.size, 0);
  });
});

describe('a large list', () => {
  test('100 000 tokens and 100 000 subjects load, and lookups stay exact', () => {
    const N = 100_000;
    const tokens = Array.from({ length: N }, (_, i) => `jti-${i}`);
    const subjects = Object.fromEntries(Array.from({ length: N }, (_, i) => [`user-${i}`, T0 + i]));
    const list = RevocationList.fromJson({ version: 1, tokens, subjects });
    assert.deepEqual([list.size, list.tokenCount, list.subjectCount], [2 * N, N, N]);
    for (const i of [0, 1, 9, 10, 4242, 65_535, 65_536, N - 1]) {
      assert.equal(list.revokedBy({ jti: `jti-${i}` }), 'token', `jti-${i}`);
      assert.equal(list.revokedBy({ sub: `user-${i}`, iat: T0 + i }), 'subject', `user-${i}`);
      assert.equal(list.revokedBy({ sub: `user-${i}`, iat: T0 + i + 1 }), null, `user-${i} later`);
    }
    for (const jti of [`jti-${N}`, 'jti--1', 'jti-', 'jti-01', 'jti-1 ', 'JTI-1', '']) {
      assert.equal(list.isRevoked({ jti }), false, JSON.stringify(jti));
    }
    for (const sub of [`user-${N}`, 'user-', 'user-007']) {
      assert.equal(list.isRevoked({ sub, iat: 0 }), false, sub);
    }
    // Growing it further one by one keeps every entry.
    for (let i = N; i < N + 1000; i++) list.revokeToken(`jti-${i}`);
    assert.equal(list.tokenCount, N + 1000);
    assert.equal(list.isRevoked({ jti: 'jti-0' }), true);
    assert.equal(list.isRevoked({ jti: `jti-${N + 999}` }), true);
    assert.equal(list.isRevoked({ jti: `jti-${N + 1000}` }), false);
  });

  test('the same from JSON text', () => {
    const N = 100_000;
    const text = JSON.stringify({ version: 1, tokens: Array.from({ length: N }, (_, i) => `t${i.toString(36)}`) });
    const list = RevocationList.fromJson(text);
    assert.equal(list.tokenCount, N);
    assert.equal(list.isRevoked({ jti: `t${(N - 1).toString(36)}` }), true);
    assert.equal(list.isRevoked({ jti: `t${N.toString(36)}` }), false);
  });
});
