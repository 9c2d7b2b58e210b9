// SPA helpers (pkg/spa.js): expiresIn, isExpired, hasScopes, scheduleRefresh — values, the
// choices for malformed tokens (expiresIn and scheduleRefresh throw; isExpired says true;
// hasScopes says false), misuse as TypeErrors, agreement with verify (the same exp rule,
// the same scope matching), and refresh timing under node:test's mocked timers and Date.

import { describe, test, before, beforeEach, afterEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import {
  tollgate, T0, makeKey, mint, rawHs256, opts, expectTokenError, expectMisuse,
} from './helpers.mjs';

const { KeySet, verify, expiresIn, isExpired, hasScopes, scheduleRefresh, isTollgateError } = tollgate;

let hs;
let es;
let keys;
before(async () => {
  hs = await makeKey('HS256', { kid: 'hs' });
  es = await makeKey('ES256', { kid: 'es' });
  keys = KeySet.fromSecret(hs.secret, { alg: 'HS256', kid: 'hs' });
});

/** HS256 token with exactly these claims (signed, so verify can compare). */
const raw = (claims) => rawHs256(hs.secret, { alg: 'HS256', kid: 'hs' }, claims);

// Tokens that decode refuses, and tokens that decode but carry an unusable exp.
// Each with the code decode throws for it.
const MALFORMED = {
  'empty string': ['', 'ERR_JWS_INVALID'],
  'two segments': ['eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9', 'ERR_JWS_INVALID'],
  'not base64url': ['eyJhbGciOiJIUzI1NiJ9.e+J/.AAAA', 'ERR_JWS_INVALID'],
  'plain text': ['not a token', 'ERR_JWS_INVALID'],
  'payload not JSON': [`eyJhbGciOiJIUzI1NiJ9.${Buffer.from('nope').toString('base64url')}.AAAA`, 'ERR_JWT_INVALID'],
  'payload an array': [`eyJhbGciOiJIUzI1NiJ9.${Buffer.from('[1]').toString('base64url')}.AAAA`, 'ERR_JWT_INVALID'],
};
const BAD_EXP = {
  'exp a string': [{ exp: 'tomorrow' }, 'time claim (exp, nbf, iat) must be a JSON number'],
  'exp null': [{ exp: null }, 'time claim (exp, nbf, iat) must be a JSON number'],
  'exp negative': [{ exp: -1 }, 'time claim (exp, nbf, iat) is out of range'],
  'exp beyond 2^53': [{ exp: 2 ** 60 }, 'time claim (exp, nbf, iat) is out of range'],
};

describe('expiresIn', () => {
  test('seconds until exp, negative once past, exact (not rounded)', async () => {
    const token = await mint(hs, { iat: T0, exp: T0 + 3600 });
    assert.equal(expiresIn(token, { now: T0 }), 3600);
    assert.equal(expiresIn(token, { now: T0 + 3600 }), 0);
    assert.equal(expiresIn(token, { now: T0 + 3700 }), -100);
    assert.equal(expiresIn(token, { now: T0 + 0.25 }), 3599.75);
    assert.equal(expiresIn(raw({ exp: T0 + 10.5 }), { now: T0 }), 10.5);
  });

  test('currentDate is the same clock as now', async () => {
    const token = await mint(es, { iat: T0, exp: T0 + 60 });
    assert.equal(expiresIn(token, { currentDate: new Date((T0 + 15) * 1000) }), 45);
  });

  test('the system clock by default', async () => {
    const token = await mint(es, { exp: Math.floor(Date.now() / 1000) + 600 });
    const seconds = expiresIn(token);
    assert.ok(seconds > 598 && seconds <= 600, String(seconds));
  });

  test('no exp: null (not Infinity, so that a refresh timer cannot fire at once)', () => {
    assert.equal(expiresIn(raw({ sub: 'x' }), { now: T0 }), null);
  });

  test('does not verify: a token with a bad signature still gives a number', async () => {
    const token = await mint(hs, { iat: T0, exp: T0 + 60 });
    const tampered = `${token.slice(0, token.lastIndexOf('.'))}.AAAA`;
    assert.equal(expiresIn(tampered, { now: T0 }), 60);
  });

  for (const [name, [token, code]] of Object.entries(MALFORMED)) {
    test(`malformed (${name}): throws decode's TollgateError, ${code}`, () => {
      const err = expectTokenError(() => expiresIn(token, { now: T0 }), { code }, token);
      assert.ok(isTollgateError(err, code));
      expectTokenError(() => tollgate.decode(token), { code }, token);
    });
  }

  for (const [name, [claims, message]] of Object.entries(BAD_EXP)) {
    test(`${name}: ERR_JWT_INVALID, the same error verify throws`, () => {
      const token = raw(claims);
      const ours = expectTokenError(() => expiresIn(token, { now: T0 }),
        { code: 'ERR_JWT_INVALID', claim: 'exp', reason: 'invalid' }, token);
      assert.equal(ours.message, message);
      const theirs = expectTokenError(() => verify(token, opts(keys, { now: T0 })), { code: 'ERR_JWT_INVALID' }, token);
      for (const field of ['code', 'status', 'claim', 'reason', 'message', 'wwwAuthenticate']) {
        assert.equal(ours[field], theirs[field], field);
      }
    });
  }

  test('misuse is a TypeError (ERR_INVALID_ARG)', async () => {
    const token = await mint(hs, { iat: T0 });
    expectMisuse(() => expiresIn(undefined));
    expectMisuse(() => expiresIn(null));
    expectMisuse(() => expiresIn(42));
    expectMisuse(() => expiresIn(token, { nwo: T0 }));
    expectMisuse(() => expiresIn(token, { clockTolerance: 5 })); // an isExpired option
    expectMisuse(() => expiresIn(token, { now: '1700000000' }));
    expectMisuse(() => expiresIn(token, { now: Number.NaN }));
    expectMisuse(() => expiresIn(token, { now: -1 }));
    expectMisuse(() => expiresIn(token, { currentDate: T0 }));
    expectMisuse(() => expiresIn(token, { currentDate: new Date('invalid') }));
    expectMisuse(() => expiresIn(token, { now: T0, currentDate: new Date() }));
    expectMisuse(() => expiresIn(token, 'now'));
    expectMisuse(() => expiresIn(token, [T0]));
  });
});

describe('isExpired', () => {
  test('verify\'s rule: expired when exp <= now - clockTolerance', async () => {
    const token = await mint(hs, { iat: T0, exp: T0 + 100 });
    assert.equal(isExpired(token, { now: T0 }), false);
    assert.equal(isExpired(token, { now: T0 + 99.9 }), false);
    assert.equal(isExpired(token, { now: T0 + 100 }), true);
    assert.equal(isExpired(token, { now: T0 + 130, clockTolerance: 30 }), true);
    assert.equal(isExpired(token, { now: T0 + 129, clockTolerance: 30 }), false);
    assert.equal(isExpired(token, { now: T0 + 129, clockTolerance: '30s' }), false);
    assert.equal(isExpired(token, { now: T0 + 3000, clockTolerance: '1h' }), false);
    assert.equal(isExpired(token, { now: T0 + 150, clockTolerance: '0.5 minutes' }), true);
    assert.equal(isExpired(token, { currentDate: new Date((T0 + 101) * 1000) }), true);
  });

  test('agrees with verify at every boundary (ERR_JWT_EXPIRED ⇔ true)', async () => {
    const token = await mint(hs, { iat: T0 - 1000, exp: T0 });
    for (const tolerance of [0, 1, 30, '2m']) {
      for (const delta of [-121, -120, -31, -30, -29, -2, -1, 0, 1, 29, 30, 31, 119, 120, 121]) {
        const now = T0 + delta;
        let rejected = false;
        try {
          verify(token, opts(keys, { now, clockTolerance: tolerance }));
        } catch (err) {
          assert.equal(err.code, 'ERR_JWT_EXPIRED');
          rejected = true;
        }
        assert.equal(isExpired(token, { now, clockTolerance: tolerance }), rejected, `now ${delta}, tolerance ${tolerance}`);
      }
    }
  });

  test('the system clock by default', async () => {
    const now = Math.floor(Date.now() / 1000);
    assert.equal(isExpired(await mint(es, { iat: now, exp: now + 600 })), false);
    assert.equal(isExpired(await mint(es, { iat: now - 7200, exp: now - 3600 })), true);
  });

  test('does not verify: a tampered but fresh token reads as not expired', async () => {
    const token = await mint(hs, { iat: T0, exp: T0 + 60 });
    const tampered = `${token.slice(0, token.lastIndexOf('.'))}.AAAA`;
    assert.equal(isExpired(tampered, { now: T0 }), false);
  });

  test('no exp: expired (verify refuses it), unless dangerouslyAllowMissingExp', () => {
    const token = raw({ sub: 'x' });
    assert.equal(isExpired(token, { now: T0 }), true);
    assert.equal(isExpired(token, { now: T0, dangerouslyAllowMissingExp: false }), true);
    assert.equal(isExpired(token, { now: T0, dangerouslyAllowMissingExp: true }), false);
  });

  for (const [name, [token]] of Object.entries(MALFORMED)) {
    test(`malformed (${name}): true, no throw`, () => {
      assert.equal(isExpired(token, { now: T0 }), true);
      assert.equal(isExpired(token, { now: T0, dangerouslyAllowMissingExp: true }), true);
    });
  }

  for (const [name, [claims]] of Object.entries(BAD_EXP)) {
    test(`${name}: true, no throw`, () => {
      assert.equal(isExpired(raw(claims), { now: 0, dangerouslyAllowMissingExp: true }), true);
    });
  }

  test('misuse is a TypeError (ERR_INVALID_ARG), even for a malformed token', async () => {
    const token = await mint(hs, { iat: T0 });
    expectMisuse(() => isExpired(undefined));
    expectMisuse(() => isExpired({ token }));
    expectMisuse(() => isExpired(token, { clocktolerance: 30 }));
    expectMisuse(() => isExpired('garbage', { clockTolerance: 'soon' }));
    for (const bad of [-1, Number.NaN, Infinity, '30', '1.s', 'm', '30 parsecs', true, null, {}]) {
      expectMisuse(() => isExpired(token, { clockTolerance: bad }));
    }
    expectMisuse(() => isExpired(token, { dangerouslyAllowMissingExp: 'yes' }));
    expectMisuse(() => isExpired(token, { now: T0, currentDate: new Date() }));
    expectMisuse(() => isExpired(token, { scopes: [] }));
  });
});

describe('hasScopes', () => {
  test('all (default) or any of the scopes, exact and case-sensitive', async () => {
    const token = await mint(hs, { iat: T0, scope: 'read:messages write:messages' });
    assert.equal(hasScopes(token, ['read:messages']), true);
    assert.equal(hasScopes(token, ['read:messages', 'write:messages']), true);
    assert.equal(hasScopes(token, ['read:messages', 'delete:messages']), false);
    assert.equal(hasScopes(token, ['read:messages', 'delete:messages'], { mode: 'any' }), true);
    assert.equal(hasScopes(token, ['delete:messages', 'admin'], { mode: 'any' }), false);
    assert.equal(hasScopes(token, ['read']), false);
    assert.equal(hasScopes(token, ['READ:MESSAGES']), false);
    assert.equal(hasScopes(token, []), true);
  });

  test('reads scope, scp and permissions, or only scopeClaim', () => {
    assert.equal(hasScopes(raw({ scp: ['a', 'b'] }), ['a', 'b']), true);
    assert.equal(hasScopes(raw({ scp: 'a b' }), ['b']), true);
    assert.equal(hasScopes(raw({ permissions: ['delete:users'] }), ['delete:users']), true);
    const token = raw({ scope: 'a', roles: ['admin'] });
    assert.equal(hasScopes(token, ['admin']), false);
    assert.equal(hasScopes(token, ['admin'], { scopeClaim: 'roles' }), true);
    assert.equal(hasScopes(token, ['a'], { scopeClaim: 'roles' }), false);
  });

  test('agrees with verify\'s requiredScopes (403 ⇔ false)', async () => {
    const token = await mint(hs, { iat: T0, exp: T0 + 60, scope: 'a b c' });
    for (const [required, mode] of [[['a'], 'all'], [['a', 'z'], 'all'], [['a', 'z'], 'any'], [['y', 'z'], 'any'], [['c', 'b'], 'all']]) {
      let granted = true;
      try {
        verify(token, opts(keys, { now: T0, requiredScopes: required, scopeMode: mode }));
      } catch (err) {
        assert.equal(err.code, 'ERR_JWT_INSUFFICIENT_SCOPE');
        assert.equal(err.status, 403);
        granted = false;
      }
      assert.equal(hasScopes(token, required, { mode }), granted, `${required} ${mode}`);
    }
  });

  test('does not look at exp or the signature (combine with isExpired)', async () => {
    const token = await mint(hs, { iat: T0 - 7200, exp: T0 - 3600, scope: 'a' });
    assert.equal(hasScopes(`${token.slice(0, token.lastIndexOf('.'))}.AAAA`, ['a']), true);
  });

  for (const [name, [token]] of Object.entries(MALFORMED)) {
    test(`malformed (${name}): false, no throw`, () => {
      assert.equal(hasScopes(token, ['a']), false);
      assert.equal(hasScopes(token, []), false);
    });
  }

  test('a scope claim of the wrong type: false, no throw', () => {
    assert.equal(hasScopes(raw({ scope: 42 }), ['a']), false);
    assert.equal(hasScopes(raw({ roles: 'admin' }), ['admin'], { scopeClaim: 'roles' }), true);
    assert.equal(hasScopes(raw({ roles: { admin: true } }), ['admin'], { scopeClaim: 'roles' }), false);
  });

  test('misuse is a TypeError (ERR_INVALID_ARG), even for a malformed token', async () => {
    const token = await mint(hs, { iat: T0 });
    expectMisuse(() => hasScopes(undefined, ['a']));
    expectMisuse(() => hasScopes(token, 'read:messages'));
    expectMisuse(() => hasScopes(token, undefined));
    expectMisuse(() => hasScopes(token, ['read messages']));
    expectMisuse(() => hasScopes('garbage', ['read messages']));
    expectMisuse(() => hasScopes(token, [42]));
    expectMisuse(() => hasScopes(token, ['a'], { mode: 'some' }));
    expectMisuse(() => hasScopes(token, ['a'], { scopeMode: 'any' }));
    expectMisuse(() => hasScopes(token, ['a'], { scopeClaim: 7 }));
  });
});

test('exported from every entry: the same functions as pkg/spa.js', async () => {
  const spa = await import('../../pkg/spa.js');
  assert.equal(tollgate.expiresIn, spa.expiresIn);
  assert.equal(tollgate.isExpired, spa.isExpired);
  assert.equal(tollgate.hasScopes, spa.hasScopes);
  assert.equal(tollgate.scheduleRefresh, spa.scheduleRefresh);
});

describe('scheduleRefresh', () => {
  const MS = 1000;
  const DAY = 86_400;
  let delays; // every delay handed to setTimeout
  let random; // what Math.random answers
  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: T0 * MS });
    delays = [];
    const mocked = globalThis.setTimeout;
    globalThis.setTimeout = (fn, ms, ...args) => {
      delays.push(ms);
      return mocked(fn, ms, ...args);
    };
    globalThis.setTimeout.mocked = mocked;
    random = 0;
    mock.method(Math, 'random', () => random);
  });
  afterEach(() => {
    globalThis.setTimeout = globalThis.setTimeout.mocked;
    mock.timers.reset();
    mock.restoreAll();
    delete globalThis.document;
  });

  /** A refresh counting its calls, returning `value` (a function of the call number, or a value). */
  const counter = (value) => {
    const fn = () => {
      fn.calls++;
      return typeof value === 'function' ? value(fn.calls) : value;
    };
    fn.calls = 0;
    return fn;
  };
  /** A token valid `ttl` seconds from the (mocked) time it is made. */
  const fresh = (ttl) => raw({ exp: Math.floor(Date.now() / MS) + ttl, jti: String(Math.random() + Date.now()) });
  /** Runs the microtasks that settle a resolved or rejected refresh. */
  const settle = async () => {
    for (let i = 0; i < 3; i++) await Promise.resolve();
  };
  /** A stand-in for the page's document: visibilityState and its event, listeners counted. */
  const fakeDocument = (visibilityState = 'visible') => {
    const page = new EventTarget();
    page.visibilityState = visibilityState;
    page.listeners = 0;
    const add = page.addEventListener.bind(page);
    const remove = page.removeEventListener.bind(page);
    page.addEventListener = (...args) => (page.listeners++, add(...args));
    page.removeEventListener = (...args) => (page.listeners--, remove(...args));
    page.show = (state) => {
      page.visibilityState = state;
      page.dispatchEvent(new Event('visibilitychange'));
    };
    globalThis.document = page;
    return page;
  };

  test('fires skew seconds ahead of exp (default 60), and not earlier', () => {
    const refresh = counter();
    const handle = scheduleRefresh(raw({ exp: T0 + 600 }), refresh, { jitter: 0 });
    assert.equal(handle.active, true);
    assert.equal(handle.refreshAt, (T0 + 540) * MS);
    mock.timers.tick(540 * MS - 1);
    assert.equal(refresh.calls, 0);
    mock.timers.tick(1);
    assert.equal(refresh.calls, 1);
    assert.equal(handle.active, false, 'refresh gave no token: nothing more to schedule');
    assert.equal(handle.refreshAt, null);
    mock.timers.tick(3600 * MS);
    assert.equal(refresh.calls, 1);
  });

  test('jitter comes off the delay: by default a tenth of the remaining life, at most 30 s', () => {
    const at = (exp, options) => (scheduleRefresh(raw({ exp }), () => {}, options).refreshAt - T0 * MS) / MS;
    random = 0.5;
    assert.equal(at(T0 + 600), 600 - 60 - 15); // min(30, 60) * 0.5
    assert.equal(at(T0 + 100), 100 - 60 - 5); // min(30, 10) * 0.5
    assert.equal(at(T0 + 600, { jitter: '20s' }), 600 - 60 - 10);
    assert.equal(at(T0 + 600, { jitter: 0 }), 600 - 60);
    random = 0.999;
    const early = at(T0 + 3600); // 30 s * 0.999, rounded up to the millisecond
    assert.ok(early >= 3600 - 60 - 29.97 && early <= 3600 - 60 - 29.97 + 0.002, String(early));
    assert.equal(at(T0 + 3600, { jitter: 0 }), 3600 - 60);
    random = 0;
    assert.equal(at(T0 + 3600), 3600 - 60, 'jitter only ever brings the call forward');
    // A jitter larger than the time left still waits minDelay.
    random = 0.9;
    assert.equal(at(T0 + 70, { jitter: 60 }), 1);
  });

  test('the call comes at refreshAt, however the jitter falls', () => {
    random = 0.37;
    const refresh = counter();
    const handle = scheduleRefresh(raw({ exp: T0 + 3600 }), refresh);
    const wait = handle.refreshAt - T0 * MS;
    assert.ok(wait >= (3600 - 60 - 30) * MS && wait <= (3600 - 60) * MS, String(wait));
    mock.timers.tick(wait - 1);
    assert.equal(refresh.calls, 0);
    mock.timers.tick(1);
    assert.equal(refresh.calls, 1);
  });

  test('skew (or its former name before) as a duration; now / currentDate fix the clock of the first delay', () => {
    const a = counter();
    scheduleRefresh(raw({ exp: T0 + 600 }), a, { skew: '5m', jitter: 0 });
    const b = counter();
    scheduleRefresh(raw({ exp: T0 + 600 }), b, { before: 300, jitter: 0 });
    mock.timers.tick(299 * MS);
    assert.deepEqual([a.calls, b.calls], [0, 0]);
    mock.timers.tick(1 * MS);
    assert.deepEqual([a.calls, b.calls], [1, 1]);
    const c = counter();
    // The system clock says T0 + 300; told it is 100 s later, it fires 100 s earlier (600 s, not 700).
    scheduleRefresh(raw({ exp: T0 + 1000 }), c, { now: T0 + 300 + 100, skew: 0, jitter: 0 });
    mock.timers.tick(599 * MS);
    assert.equal(c.calls, 0);
    mock.timers.tick(1 * MS);
    assert.equal(c.calls, 1);
    const d = counter();
    // The system clock says T0 + 900; told T0 + 950: 50 s, not 100.
    scheduleRefresh(raw({ exp: T0 + 1000 }), d, { currentDate: new Date((T0 + 950) * MS), skew: 0, jitter: 0 });
    mock.timers.tick(50 * MS);
    assert.equal(d.calls, 1);
  });

  test('a token already within skew of exp (or expired) refreshes after minDelay (default 1 s)', () => {
    const refresh = counter();
    scheduleRefresh(raw({ exp: T0 - 100 }), refresh);
    mock.timers.tick(999);
    assert.equal(refresh.calls, 0);
    mock.timers.tick(1);
    assert.equal(refresh.calls, 1);
    const soon = counter();
    scheduleRefresh(raw({ exp: T0 + 30 }), soon, { minDelay: 0 });
    mock.timers.tick(0);
    assert.equal(soon.calls, 1);
    const later = counter();
    scheduleRefresh(raw({ exp: T0 + 30 }), later, { minDelay: '2m' });
    mock.timers.tick(120 * MS - 1);
    assert.equal(later.calls, 0);
    mock.timers.tick(1);
    assert.equal(later.calls, 1);
  });

  test('repeat (the default): the token refresh returns or resolves to is scheduled, and is the handle\'s token', async () => {
    // Each refresh issues a token valid 10 minutes from the (mocked) time it is called.
    const first = raw({ exp: T0 + 600 });
    const refresh = counter(() => fresh(600));
    const handle = scheduleRefresh(first, refresh, { jitter: 0 });
    assert.equal(handle.token, first);
    mock.timers.tick(540 * MS);
    assert.equal(refresh.calls, 1);
    assert.notEqual(handle.token, first);
    assert.equal(expiresIn(handle.token), 600);
    assert.equal(handle.refreshAt, Date.now() + 540 * MS);
    mock.timers.tick(540 * MS);
    assert.equal(refresh.calls, 2);
    handle.cancel();
    mock.timers.tick(DAY * MS);
    assert.equal(refresh.calls, 2);

    const resolved = counter(() => Promise.resolve(fresh(120)));
    const h2 = scheduleRefresh(raw({ exp: T0 + DAY + 120 }), resolved, { jitter: 0 });
    mock.timers.tick(DAY * MS + 60 * MS);
    assert.equal(resolved.calls, 1);
    assert.equal(h2.refreshAt, null, 'in flight: nothing planned yet');
    assert.equal(h2.active, true, 'in flight: still active');
    await settle();
    assert.equal(expiresIn(h2.token), 120);
    mock.timers.tick(60 * MS);
    assert.equal(resolved.calls, 2);
  });

  test('repeat: false calls refresh once, still handing back its token', () => {
    const next = raw({ exp: T0 + 7200 });
    const refresh = counter(next);
    const handle = scheduleRefresh(raw({ exp: T0 + 600 }), refresh, { repeat: false });
    mock.timers.tick(DAY * MS);
    assert.equal(refresh.calls, 1);
    assert.equal(handle.active, false);
    assert.equal(handle.token, next);
  });

  test('repeat ends when refresh gives no token, one without exp, or the same token (once per token)', () => {
    const stops = counter(() => undefined);
    const handle = scheduleRefresh(raw({ exp: T0 + 600 }), stops);
    mock.timers.tick(600 * MS);
    assert.equal(stops.calls, 1);
    assert.equal(handle.active, false);
    const noExp = counter(() => raw({ sub: 'x' }));
    const h2 = scheduleRefresh(raw({ exp: T0 + DAY }), noExp);
    mock.timers.tick(DAY * MS);
    assert.equal(noExp.calls, 1);
    assert.equal(h2.active, false);
    const token = raw({ exp: Math.floor(Date.now() / MS) + 600 });
    const same = counter(token);
    const h3 = scheduleRefresh(token, same);
    mock.timers.tick(DAY * MS);
    assert.equal(same.calls, 1, 'the same token is not refreshed again');
    assert.equal(h3.active, false);
  });

  test('a malformed new token ends the schedule: onError gets its TollgateError (silent without onError)', () => {
    const errors = [];
    const handle = scheduleRefresh(raw({ exp: T0 + 600 }), () => 'not a token', { onError: (e) => errors.push(e) });
    mock.timers.tick(600 * MS);
    assert.equal(handle.active, false);
    assert.equal(errors.length, 1);
    assert.ok(isTollgateError(errors[0], 'ERR_JWS_INVALID'));
    assert.ok(!errors[0].message.includes('not a token'));
    const quiet = scheduleRefresh(raw({ exp: T0 + DAY }), () => raw({ exp: 'soon' }));
    mock.timers.tick(DAY * MS);
    assert.equal(quiet.active, false);
  });

  test('onError: a failed refresh is reported and retried after retryDelay (default 10 s), never at or after exp', async () => {
    const errors = [];
    const boom = new Error('auth server unreachable');
    const refresh = counter(() => Promise.reject(boom));
    let handle;
    const activeWhenReported = [];
    handle = scheduleRefresh(raw({ exp: T0 + 100 }), refresh, {
      jitter: 0,
      onError: (e) => {
        errors.push(e);
        activeWhenReported.push(handle.active);
      },
    });
    mock.timers.tick(40 * MS); // 100 - 60
    assert.equal(refresh.calls, 1);
    await settle();
    assert.deepEqual(errors, [boom]);
    assert.equal(handle.refreshAt, (T0 + 50) * MS);
    for (let t = 50; t <= 90; t += 10) {
      mock.timers.tick(10 * MS - 1);
      await settle();
      assert.equal(refresh.calls, (t - 40) / 10, `not before ${t}`);
      mock.timers.tick(1);
      await settle();
      assert.equal(refresh.calls, (t - 30) / 10, `at ${t}`);
    }
    // The try at 90 s failed; one at 100 s would come at exp: the schedule ends.
    assert.equal(handle.active, false);
    assert.deepEqual(activeWhenReported, [true, true, true, true, true, false]);
    mock.timers.tick(DAY * MS);
    assert.equal(refresh.calls, 6);
  });

  test('onError: a retry that succeeds goes on with the new token; a throw is retried like a rejection', async () => {
    const errors = [];
    const refresh = counter((n) => {
      if (n === 1) throw new TypeError('fetch failed');
      return fresh(600);
    });
    const handle = scheduleRefresh(raw({ exp: T0 + 600 }), refresh, { jitter: 0, retryDelay: '30s', onError: (e) => errors.push(e) });
    mock.timers.tick(540 * MS);
    assert.equal(refresh.calls, 1);
    assert.equal(errors[0].message, 'fetch failed');
    mock.timers.tick(30 * MS);
    assert.equal(refresh.calls, 2);
    assert.equal(handle.active, true);
    assert.equal(handle.refreshAt, Date.now() + 540 * MS);
    assert.equal(errors.length, 1);
  });

  test('retryDelay is never shorter than minDelay', () => {
    const refresh = counter(() => {
      throw new Error('down');
    });
    scheduleRefresh(raw({ exp: T0 + 600 }), refresh, { jitter: 0, minDelay: 5, retryDelay: 0, onError: () => {} });
    mock.timers.tick(540 * MS);
    assert.equal(refresh.calls, 1);
    mock.timers.tick(5 * MS - 1);
    assert.equal(refresh.calls, 1);
    mock.timers.tick(1);
    assert.equal(refresh.calls, 2);
  });

  test('without onError an error of refresh ends the schedule and stays unhandled', () => {
    const refresh = counter(() => {
      throw new Error('refresh broke');
    });
    const handle = scheduleRefresh(raw({ exp: T0 + 600 }), refresh);
    assert.throws(() => mock.timers.tick(600 * MS), { message: 'refresh broke' });
    assert.equal(handle.active, false);
    mock.timers.tick(DAY * MS);
    assert.equal(refresh.calls, 1);
  });

  test('pauseWhenHidden (default with a document): nothing fires while hidden; a due refresh fires when shown', () => {
    const page = fakeDocument('hidden');
    const refresh = counter(() => fresh(600));
    const handle = scheduleRefresh(raw({ exp: T0 + 600 }), refresh, { jitter: 0 });
    assert.equal(page.listeners, 1);
    mock.timers.tick(DAY * MS);
    assert.equal(refresh.calls, 0, 'hidden: paused');
    assert.equal(handle.refreshAt, (T0 + 540) * MS, 'still planned (overdue)');
    page.show('hidden');
    assert.equal(refresh.calls, 0);
    page.show('visible');
    assert.equal(refresh.calls, 1, 'caught up at once');
    page.show('hidden');
    page.show('visible');
    assert.equal(refresh.calls, 1, 'once per token');
    // The next token is scheduled; hidden when it comes due, it waits again.
    page.show('hidden');
    mock.timers.tick(540 * MS);
    assert.equal(refresh.calls, 1);
    page.show('visible');
    assert.equal(refresh.calls, 2);
    handle.cancel();
    assert.equal(page.listeners, 0, 'cancel removes the listener');
  });

  test('pauseWhenHidden: a timer held back (sleep, throttling) is caught up when the page shows, once', async () => {
    const page = fakeDocument('visible');
    let resolve;
    const refresh = counter(() => new Promise((r) => (resolve = r)));
    const handle = scheduleRefresh(raw({ exp: T0 + 600 }), refresh, { jitter: 0 });
    mock.timers.setTime((T0 + 560) * MS); // the clock moved on; the timer has not run
    assert.equal(refresh.calls, 0);
    page.show('visible');
    assert.equal(refresh.calls, 1);
    mock.timers.tick(0); // the held-back timer
    page.show('hidden');
    page.show('visible');
    assert.equal(refresh.calls, 1, 'in flight: neither the timer nor the event calls again');
    resolve(fresh(600));
    await settle();
    assert.equal(handle.refreshAt, Date.now() + 540 * MS);
    page.show('visible');
    assert.equal(refresh.calls, 1, 'the new token is not due yet');
  });

  test('pauseWhenHidden: false fires on time in a hidden page; true without a document is misuse', () => {
    const page = fakeDocument('hidden');
    const refresh = counter();
    scheduleRefresh(raw({ exp: T0 + 600 }), refresh, { jitter: 0, pauseWhenHidden: false });
    assert.equal(page.listeners, 0);
    mock.timers.tick(540 * MS);
    assert.equal(refresh.calls, 1);
    delete globalThis.document;
    expectMisuse(() => scheduleRefresh(raw({ exp: T0 + 600 }), refresh, { pauseWhenHidden: true }));
    const inNode = counter();
    scheduleRefresh(raw({ exp: T0 + 600 }), inNode, { jitter: 0 });
    mock.timers.tick(540 * MS);
    assert.equal(inNode.calls, 1, 'no document: nothing to pause on');
  });

  test('retries pause too, and the schedule ends with cancel or the signal', async () => {
    const page = fakeDocument('visible');
    const refresh = counter(() => Promise.reject(new Error('down')));
    const handle = scheduleRefresh(raw({ exp: T0 + 600 }), refresh, { jitter: 0, onError: () => {} });
    mock.timers.tick(540 * MS);
    await settle();
    page.show('hidden');
    mock.timers.tick(50 * MS);
    await settle();
    assert.equal(refresh.calls, 1);
    page.show('visible');
    assert.equal(refresh.calls, 2);
    handle.cancel();
    await settle();
    assert.equal(handle.active, false);
    assert.equal(page.listeners, 0);
  });

  test('cancel() and an AbortSignal stop it, also while a refresh is in flight', async () => {
    const refresh = counter();
    const handle = scheduleRefresh(raw({ exp: T0 + 600 }), refresh);
    handle.cancel();
    handle.cancel();
    assert.equal(handle.active, false);
    assert.equal(handle.refreshAt, null);
    const controller = new AbortController();
    const viaSignal = scheduleRefresh(raw({ exp: T0 + 600 }), refresh, { signal: controller.signal });
    mock.timers.tick(100 * MS);
    controller.abort();
    assert.equal(viaSignal.active, false);
    const aborted = scheduleRefresh(raw({ exp: T0 + 600 }), refresh, { signal: AbortSignal.abort() });
    assert.equal(aborted.active, false);
    mock.timers.tick(DAY * MS);
    assert.equal(refresh.calls, 0);

    let resolve;
    const slow = counter(() => new Promise((r) => (resolve = r)));
    const first = raw({ exp: Math.floor(Date.now() / MS) + 600 });
    const inFlight = scheduleRefresh(first, slow);
    mock.timers.tick(600 * MS);
    assert.equal(slow.calls, 1);
    inFlight.cancel();
    resolve(fresh(600));
    await settle();
    assert.equal(inFlight.active, false);
    assert.equal(inFlight.token, first, 'a token that arrives after cancel is not taken');
    mock.timers.tick(DAY * MS);
    assert.equal(slow.calls, 1);
  });

  test('delays beyond setTimeout\'s 2^31-1 ms are re-armed, never fired early', () => {
    const refresh = counter();
    scheduleRefresh(raw({ exp: T0 + 60 * DAY }), refresh, { skew: 0, jitter: 0 });
    assert.ok(delays.every((ms) => ms <= 2 ** 31 - 1), `a delay over the limit: ${delays}`);
    mock.timers.tick(2 ** 31 - 1);
    mock.timers.tick(2 ** 31 - 1);
    assert.equal(refresh.calls, 0, 'two chunks (~49.7 days) in, still waiting');
    mock.timers.tick(60 * DAY * MS - 2 * (2 ** 31 - 1) - 1);
    assert.equal(refresh.calls, 0);
    mock.timers.tick(1);
    assert.equal(refresh.calls, 1);
    assert.ok(delays.every((ms) => ms <= 2 ** 31 - 1), `a delay over the limit: ${delays}`);
    assert.ok(delays.length >= 3, 're-armed');
  });

  test('like expiresIn: null without exp, the TollgateError for a malformed token, TypeError on misuse', () => {
    assert.equal(scheduleRefresh(raw({ sub: 'no exp' }), () => {}), null);
    for (const [name, [token, code]] of Object.entries(MALFORMED)) {
      expectTokenError(() => scheduleRefresh(token, () => {}), { code }, name);
    }
    const token = raw({ exp: T0 + 600 });
    expectMisuse(() => scheduleRefresh(token));
    expectMisuse(() => scheduleRefresh(token, 'refresh'));
    expectMisuse(() => scheduleRefresh(42, () => {}));
    const unknown = expectMisuse(() => scheduleRefresh(token, () => {}, { skwe: 60 }));
    for (const name of ['skew', 'before', 'jitter', 'minDelay', 'retryDelay', 'onError', 'repeat', 'pauseWhenHidden', 'signal', 'now', 'currentDate']) {
      assert.ok(unknown.message.includes(name), `${name} in: ${unknown.message}`);
    }
    expectMisuse(() => scheduleRefresh(token, () => {}, { skew: 60, before: 60 }));
    for (const option of ['skew', 'before', 'jitter', 'minDelay']) {
      expectMisuse(() => scheduleRefresh(token, () => {}, { [option]: -1 }));
      expectMisuse(() => scheduleRefresh(token, () => {}, { [option]: '1 fortnight' }));
    }
    expectMisuse(() => scheduleRefresh(token, () => {}, { retryDelay: 'soon', onError: () => {} }));
    expectMisuse(() => scheduleRefresh(token, () => {}, { retryDelay: 5 })); // without onError
    expectMisuse(() => scheduleRefresh(token, () => {}, { onError: 'console.error' }));
    expectMisuse(() => scheduleRefresh(token, () => {}, { repeat: 'yes' }));
    expectMisuse(() => scheduleRefresh(token, () => {}, { pauseWhenHidden: 1 }));
    expectMisuse(() => scheduleRefresh(token, () => {}, { signal: {} }));
    expectMisuse(() => scheduleRefresh(token, () => {}, { now: T0, currentDate: new Date() }));
    expectMisuse(() => scheduleRefresh(token, () => {}, 60));
    assert.equal(delays.length, 0, 'nothing was scheduled');
  });
});
