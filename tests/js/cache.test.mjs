// The verified-token cache (`createVerifier({ cache })`): a repeat of a verified token
// skips the signature but never a rule that can change between two uses — time (exp,
// nbf, iat, maxTokenAge, clockTolerance), revocation, per-call scopes and roles —; it
// is keyed by the whole token; bounded and least-recently-used; results are frozen and
// shared; and a cached verifier answers every sequence of calls exactly as an uncached
// one does.

import { describe, test, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { tollgate, T0, makeKey, mint, opts, expectTokenError, expectMisuse } from './helpers.mjs';

const { KeySet, createVerifier, verify, RevocationList, createGuard, isVerified } = tollgate;

let hs;
let es;
let keys;
let esKeys;
before(async () => {
  hs = await makeKey('HS256', { kid: 'hs' });
  es = await makeKey('ES256', { kid: 'es' });
  keys = KeySet.fromSecret(hs.secret, { alg: 'HS256', kid: 'hs' });
  esKeys = KeySet.fromJwk(es.jwk);
});

// The core reads the clock through Date.now: pin it.
const realNow = Date.now;
const setClock = (seconds) => {
  Date.now = () => seconds * 1000 + 500;
};
afterEach(() => {
  Date.now = realNow;
});

/** An access token valid from T0 for 10 minutes. */
const token = (claims = {}, key = hs) => mint(key, { iat: T0, exp: T0 + 600, jti: 'jti-1', ...claims });

/** "ok:<sub>" or the error code: how each call ended. */
function outcome(fn) {
  try {
    const result = fn();
    return `ok:${result.claims.sub}:${result.scopes.join(' ')}:${result.roles.join(' ')}`;
  } catch (error) {
    return `${error.code}${error.missing ? `:${error.missing.join(' ')}` : ''}${error.claim ? `:${error.claim}` : ''}`;
  }
}

describe('a repeat of a verified token', () => {
  test('is answered from the cache: the same frozen result, which policies trust as verified', async () => {
    setClock(T0 + 10);
    const verifier = createVerifier(opts(keys, { cache: true }));
    const t = await token();
    const first = verifier.verify(t);
    const second = verifier.verify(t);
    assert.equal(second, first);
    assert.equal(verifier.cacheSize, 1);
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.claims) && Object.isFrozen(first.scopes));
    assert.throws(() => {
      'use strict';
      first.claims.sub = 'admin';
    }, TypeError);
    assert.ok(isVerified(second));
    // Without a cache every call builds a new, mutable result.
    const plain = createVerifier(opts(keys));
    assert.notEqual(plain.verify(t), plain.verify(t));
    assert.ok(!Object.isFrozen(plain.verify(t)));
  });

  test('is keyed by the whole token: another signature on the same header and payload is checked', async () => {
    setClock(T0 + 10);
    const verifier = createVerifier(opts(keys, { cache: true }));
    const t = await token();
    verifier.verify(t);
    const [h, p, s] = t.split('.');
    const forged = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BA' : 'AA'}`;
    expectTokenError(() => verifier.verify(forged), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' }, forged);
    assert.equal(verifier.cacheSize, 1);
  });

  test('expires at exp (with clockTolerance), and the entry leaves', async () => {
    const verifier = createVerifier(opts(keys, { cache: true, clockTolerance: 30 }));
    const t = await token();
    setClock(T0 + 10);
    const first = verifier.verify(t);
    setClock(T0 + 629);
    assert.equal(verifier.verify(t), first, 'inside exp + tolerance');
    setClock(T0 + 630);
    expectTokenError(() => verifier.verify(t), { code: 'ERR_JWT_EXPIRED' }, t);
    assert.equal(verifier.cacheSize, 0);
  });

  test('per-call now and currentDate move the clock for hits too', async () => {
    const verifier = createVerifier(opts(keys, { cache: true }));
    const t = await token({ nbf: T0 + 100 });
    const first = verifier.verify(t, { now: T0 + 200 });
    assert.equal(verifier.verify(t, { now: T0 + 300 }), first);
    expectTokenError(() => verifier.verify(t, { now: T0 + 50 }), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'nbf' }, t);
    expectTokenError(() => verifier.verify(t, { currentDate: new Date((T0 + 600) * 1000) }), { code: 'ERR_JWT_EXPIRED' }, t);
    assert.equal(verifier.verify(t, { currentDate: new Date((T0 + 599) * 1000) }), first);
  });

  test('maxTokenAge and a verifier-level now are applied on hits', async () => {
    const aged = createVerifier(opts(keys, { cache: true, maxTokenAge: '2m' }));
    const t = await token();
    setClock(T0 + 60);
    const first = aged.verify(t);
    setClock(T0 + 120);
    assert.equal(aged.verify(t), first);
    setClock(T0 + 121);
    expectTokenError(() => aged.verify(t), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'iat' }, t);
    const fixed = createVerifier(opts(keys, { cache: true, now: T0 + 700 }));
    setClock(T0 + 10);
    expectTokenError(() => fixed.verify(t), { code: 'ERR_JWT_EXPIRED' }, t);
  });

  test('revocations added after caching apply to the next hit', async () => {
    setClock(T0 + 10);
    const revocations = new RevocationList();
    const verifier = createVerifier(opts(keys, { cache: true, revocations }));
    const t = await token({ sub: 'user-9', jti: 'jti-9' });
    const other = await token({ sub: 'user-8', jti: 'jti-8' });
    const kept = verifier.verify(other);
    verifier.verify(t);
    revocations.revokeToken('jti-9');
    expectTokenError(() => verifier.verify(t), { code: 'ERR_JWT_REVOKED' }, t);
    assert.equal(verifier.verify(other), kept, 'a change to the list re-checks, and keeps what is not revoked');
    revocations.revokeSubject('user-8', new Date((T0 + 5) * 1000));
    expectTokenError(() => verifier.verify(other), { code: 'ERR_JWT_REVOKED' }, other);
  });

  test('per-call scopes and roles are checked on every hit', async () => {
    setClock(T0 + 10);
    const verifier = createVerifier(opts(keys, { cache: true, requiredScopes: ['read:messages'] }));
    const t = await token({ scope: 'read:messages write:messages', roles: ['editor'] });
    const first = verifier.verify(t);
    assert.equal(verifier.verify(t, { requiredScopes: ['write:messages'] }), first);
    expectTokenError(() => verifier.verify(t, { requiredScopes: ['admin'] }), { code: 'ERR_JWT_INSUFFICIENT_SCOPE', missing: ['admin'] }, t);
    assert.equal(verifier.verify(t, { requiredScopes: ['admin', 'read:messages'], scopeMode: 'any' }), first);
    assert.equal(verifier.verify(t, { requiredRoles: ['editor'] }), first);
    expectTokenError(() => verifier.verify(t, { requiredRoles: ['admin'] }), { code: 'ERR_JWT_INSUFFICIENT_ROLE', status: 403, missing: ['admin'] }, t);
    // A misspelled option is refused on a hit as on a miss.
    expectMisuse(() => verifier.verify(t, { requiredScope: ['admin'] }));
    expectMisuse(() => verifier.verify(t, { scopeMode: 'some' }));
    expectMisuse(() => verifier.verify(t, { now: -1 }));
    const strict = createVerifier(opts(keys, { cache: true }));
    const malformed = await token({ roles: 'editor admin' });
    strict.verify(malformed);
    // Role claims that are fine to ignore become an error once roles are required.
    assert.equal(outcome(() => strict.verify(malformed, { requiredRoles: ['x'] })), outcome(() => createVerifier(opts(keys)).verify(malformed, { requiredRoles: ['x'] })));
  });
});

describe('bounds and lifetime', () => {
  test('least recently used entries make room', async () => {
    setClock(T0 + 10);
    const verifier = createVerifier(opts(keys, { cache: { max: 2 } }));
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((sub) => token({ sub })));
    const ra = verifier.verify(a);
    const rb = verifier.verify(b);
    assert.equal(verifier.verify(a), ra, 'a is now the most recently used');
    verifier.verify(c);
    assert.equal(verifier.cacheSize, 2);
    assert.equal(verifier.verify(a), ra, 'a stayed');
    assert.notEqual(verifier.verify(b), rb, 'b was dropped and verified again');
    verifier.clearCache();
    assert.equal(verifier.cacheSize, 0);
  });

  test('the cache option is checked', () => {
    for (const cache of [0, 'yes', { max: 0 }, { max: 1.5 }, { max: 2_000_000 }, { size: 10 }, null]) {
      expectMisuse(() => createVerifier(opts(keys, { cache })));
    }
    expectMisuse(() => verify('a.b.c', opts(keys, { cache: true })));
    assert.equal(createVerifier(opts(keys, { cache: false })).cacheSize, 0);
  });

  test('a guard whose remote key set drops a key stops accepting its cached tokens', async () => {
    setClock(T0 + 10);
    // Two key sets as a JWKS endpoint would serve before and after a rotation; the guard
    // verifies with a verifier (and cache) per key set, so the old entries go with the old set.
    const before = KeySet.fromJwks({ keys: [es.jwk] });
    const other = await makeKey('ES256', { kid: 'es-next' });
    const afterRotation = KeySet.fromJwks({ keys: [other.jwk] });
    let current = before;
    const issuer = opts(keys).issuer;
    const guard = createGuard({ keys: createIssuerKeysFor(issuer, () => current), audience: opts(keys).audience, cache: true });
    const t = await token({}, es);
    const request = () => new Request('https://api.example/m', { headers: { Authorization: `Bearer ${t}` } });
    assert.equal((await guard.authorize(request())).ok, true);
    assert.equal((await guard.authorize(request())).ok, true);
    current = afterRotation;
    const denied = await guard.authorize(request());
    assert.equal(denied.ok, false);
    assert.equal(denied.status, 401);
  });
});

function createIssuerKeysFor(issuer, current) {
  return tollgate.createIssuerKeys((iss) => (iss === issuer ? current() : undefined));
}

describe('a cached verifier answers as an uncached one', () => {
  test('over a random sequence of tokens, times, options and revocations', async () => {
    const revocations = new RevocationList();
    const base = { requiredScopes: ['read:messages'], clockTolerance: 5, revocations };
    const cached = createVerifier(opts(keys, { ...base, cache: { max: 5 } }));
    const plain = createVerifier(opts(keys, base));
    const cachedEs = createVerifier(opts(esKeys, { ...base, cache: { max: 4 } }));
    const plainEs = createVerifier(opts(esKeys, base));
    const tokens = [];
    for (let i = 0; i < 6; i++) {
      const claims = {
        sub: `user-${i % 3}`,
        jti: `jti-${i}`,
        iat: T0 + i * 10,
        nbf: i % 2 ? T0 + 50 : undefined,
        exp: T0 + 150 + i * 20,
        scope: i % 3 ? 'read:messages write:messages' : 'read:messages',
        roles: i % 2 ? ['editor'] : ['viewer', 'editor'],
      };
      tokens.push([await token(claims), await token(claims, es)]);
    }
    const calls = [undefined, { requiredScopes: ['write:messages'] }, { requiredRoles: ['viewer'] }, { scopeMode: 'any', requiredScopes: ['x', 'read:messages'] }, { requiredRoles: ['viewer', 'editor'], roleMode: 'any' }];
    // mulberry32: a small deterministic generator with usable low bits.
    let seed = 7;
    const rand = (n) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) % n;
    };
    let disagreements = 0;
    // Hits: a call answered with the very object an earlier call returned for the token.
    let hits = 0;
    const last = new Map();
    const hitOrMiss = (t, o) => () => {
      const result = cached.verify(t, o);
      if (last.get(t) === result) hits++;
      last.set(t, result);
      return result;
    };
    for (let step = 0; step < 600; step++) {
      const now = T0 + 40 + rand(200);
      setClock(now);
      if (rand(200) === 0) revocations.revokeToken(`jti-${rand(6)}`);
      if (rand(300) === 0) revocations.revokeSubject(`user-${rand(3)}`, new Date((T0 + rand(60)) * 1000));
      const [t, te] = tokens[rand(tokens.length)];
      const options = calls[rand(calls.length)];
      const perCallNow = rand(5) === 0 ? { now: T0 + rand(400) } : {};
      const o = options === undefined && !perCallNow.now ? undefined : { ...options, ...perCallNow };
      const a = outcome(hitOrMiss(t, o));
      const b = outcome(() => plain.verify(t, o));
      const c = outcome(() => cachedEs.verify(te, o));
      const d = outcome(() => plainEs.verify(te, o));
      if (a !== b || c !== d) disagreements++;
      assert.equal(a, b, `step ${step}, now ${now - T0}, options ${JSON.stringify(o)}`);
      assert.equal(c, d, `ES256 step ${step}`);
    }
    assert.equal(disagreements, 0);
    assert.ok(hits > 100, `the sequence exercised the cache (${hits} hits)`);
    assert.ok(cached.cacheSize > 0 && cached.cacheSize <= 5);
  });

  test('verifyAsync hits the same cache', async () => {
    setClock(T0 + 10);
    const verifier = createVerifier(opts(esKeys, { cache: true }));
    const t = await token({}, es);
    const first = await verifier.verifyAsync(t);
    assert.equal(verifier.verify(t), first);
    assert.equal(await verifier.verifyAsync(t), first);
  });
});
