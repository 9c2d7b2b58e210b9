// The policy engine (tollgate/policy) end to end: the messages example of the
// design spec with REAL tokens minted by jose and verified by tollgate
// (`verify` → `policy.evaluate(result, request)`), every decision code, load
// errors with their JSON paths, describe/toJSON, and evaluation that never
// throws. tests/policy.rs covers the same semantics on the Rust side.

import { describe, test, before } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { tollgate, makeKey, mint, opts, expectMisuse } from './helpers.mjs';
import { Policy } from '../../pkg/policy-node.js';

const { KeySet, verify, decode, TollgateError, RevocationList, DECISION_CODES, ERROR_CODES } = tollgate;

/** The example of the spec as the repository ships it (examples/policy/), with rule ids. */
export const MESSAGES = Object.freeze(
  JSON.parse(readFileSync(new URL('../../examples/policy/messages.policy.json', import.meta.url), 'utf8')),
);

/** A deep, mutable copy of MESSAGES to break in one place. */
const doc = () => structuredClone(MESSAGES);

/** Wednesday 2026-11-25 10:00 UTC: inside the admin window. */
const WED_10 = 1_795_600_800;
/** Wednesday 2026-11-25 19:00 UTC: after hours. */
const WED_19 = 1_795_633_200;
/** Saturday 2026-11-28 10:00 UTC. */
const SAT_10 = 1_795_860_000;

/** Tokens issued 100 s before WED_10, living 300 s (the admin scope's maximum). */
const LIFE = { iat: WED_10 - 100, exp: WED_10 + 200 };

/** A request from the office network, in production, at WED_10. */
const ask = (method, path, extra = {}) => ({
  method, path, ip: '10.1.2.3', environment: 'production', now: WED_10, ...extra,
});

const DECISION_KEYS = [
  'allow', 'status', 'code', 'rule', 'missingScopes', 'missingRoles', 'constraint',
  'reason', 'wwwAuthenticate', 'unverified', 'scopes', 'roles',
].sort();

/** Every decision has the same shape, whatever it says. */
function assertDecision(d) {
  assert.ok(d !== null && typeof d === 'object', `not a decision: ${d}`);
  assert.deepEqual(Object.keys(d).sort(), DECISION_KEYS);
  assert.equal(typeof d.allow, 'boolean');
  assert.equal(d.allow, d.status === 200, JSON.stringify(d));
  assert.equal(d.allow, d.code === null, JSON.stringify(d));
  assert.ok([200, 400, 401, 403].includes(d.status), JSON.stringify(d));
  if (d.code !== null) assert.ok(ERROR_CODES.includes(d.code) || DECISION_CODES.includes(d.code), d.code);
  assert.equal(typeof d.reason, 'string');
  assert.ok(d.reason.length > 0 && !d.reason.includes('\n'), d.reason);
  assert.ok(Array.isArray(d.missingScopes) && Array.isArray(d.missingRoles));
  assert.ok(Array.isArray(d.scopes) && Array.isArray(d.roles));
  assert.equal(typeof d.unverified, 'boolean');
  if (d.allow) assert.equal(d.wwwAuthenticate, null);
  else assert.match(d.wwwAuthenticate, /^Bearer( |$)/);
  return d;
}

/** Asserts a denial: status and code (always), and the other given fields. */
function assertDenied(d, { status, code, ...rest }) {
  assertDecision(d);
  assert.equal(d.allow, false, d.reason);
  assert.equal(d.code, code, d.reason);
  assert.equal(d.status, status, d.reason);
  for (const [k, v] of Object.entries(rest)) assert.deepEqual(d[k], v, `${k}: ${d.reason}`);
  return d;
}

function assertAllowed(d) {
  assertDecision(d);
  assert.equal(d.allow, true, d.reason);
  assert.equal(d.status, 200);
  assert.equal(d.code, null);
  assert.equal(d.wwwAuthenticate, null);
  return d;
}

/** Runs `fn`, expecting Policy.fromJson's load error; returns it. */
function expectLoadError(fn, path) {
  let err;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err, 'expected ERR_POLICY_INVALID, but it loaded');
  assert.ok(err instanceof TollgateError, `expected a TollgateError, got ${err?.name}: ${err?.code} ${err?.message}`);
  assert.equal(err.code, 'ERR_POLICY_INVALID', err.message);
  assert.equal(err.path, path, err.message);
  assert.ok(err.message.length > 0);
  assert.equal(err.status, undefined, 'a load error is the operator\'s, not an HTTP answer');
  return err;
}

let hs;
let keys;
let policy;
const tokens = {};
const results = {};

before(async () => {
  hs = await makeKey('HS256', { kid: 'hs' });
  keys = KeySet.fromSecret(hs.secret, { alg: 'HS256', kid: 'hs' });
  policy = Policy.fromJson(MESSAGES);
  const claims = {
    reader: { sub: 'u1', roles: ['reader'], scope: 'read:messages', jti: 'jti-reader', ...LIFE },
    writer: { sub: 'u2', roles: ['writer'], scope: 'write:messages', ...LIFE },
    admin: { sub: 'u3', roles: ['admin'], scope: 'admin:messages read:messages', ...LIFE },
    // A writer whose token also lists admin:messages (an over-broad client grant, or a forgery attempt).
    forged: { sub: 'u4', roles: ['writer'], scope: 'admin:messages write:messages', ...LIFE },
    noRoles: { sub: 'u5', scope: 'read:messages write:messages', ...LIFE },
    long: { sub: 'u3', roles: ['admin'], scope: 'admin:messages', iat: WED_10 - 100, exp: WED_10 + 201 },
    exact: { sub: 'u3', roles: ['admin'], scope: 'admin:messages', iat: WED_10 - 100, exp: WED_10 + 200 },
    noIat: { sub: 'u3', roles: ['admin'], scope: 'admin:messages', iat: undefined, exp: WED_10 + 200 },
  };
  for (const [name, c] of Object.entries(claims)) {
    tokens[name] = await mint(hs, c);
    results[name] = verify(tokens[name], opts(keys, { now: WED_10 }));
  }
});

describe('the messages example, with verified tokens', () => {
  test('the tokens verify, and carry what the policy reads', () => {
    assert.deepEqual(results.reader.roles, ['reader']);
    assert.deepEqual(results.admin.scopes, ['admin:messages', 'read:messages']);
    assert.equal(results.noIat.claims.iat, undefined);
  });

  test('a reader reads', () => {
    const d = assertAllowed(policy.evaluate(results.reader, ask('GET', '/messages/42')));
    assert.deepEqual(d.rule, { index: 0, id: 'read', method: ['GET'], path: '/messages/**' });
    assert.deepEqual(d.scopes, ['read:messages']);
    assert.deepEqual(d.roles, ['reader']);
    assert.equal(d.unverified, false);
    assert.deepEqual([d.missingScopes, d.missingRoles, d.constraint], [[], [], null]);
    // `**` matches zero segments too.
    assertAllowed(policy.evaluate(results.reader, ask('GET', '/messages')));
    assertAllowed(policy.evaluate(results.reader, ask('GET', '/messages/a/b/c')));
  });

  test('a reader cannot write: 403 ERR_JWT_INSUFFICIENT_SCOPE with the scope', () => {
    const d = assertDenied(policy.evaluate(results.reader, ask('POST', '/messages/42')), {
      status: 403,
      code: 'ERR_JWT_INSUFFICIENT_SCOPE',
      missingScopes: ['write:messages'],
      missingRoles: [],
      constraint: null,
    });
    assert.deepEqual(d.rule, { index: 1, id: 'write', method: ['POST', 'PUT', 'DELETE'], path: '/messages/:id' });
    assert.equal(
      d.wwwAuthenticate,
      `Bearer error="insufficient_scope", error_description="${d.reason}", scope="write:messages"`,
    );
    assert.match(d.reason, /write:messages/);
  });

  test('a writer reads through write:messages → read:messages and writer → reader', () => {
    const d = assertAllowed(policy.evaluate(results.writer, ask('GET', '/messages')));
    assert.deepEqual(d.scopes, ['read:messages', 'write:messages']);
    assert.deepEqual(d.roles, ['reader', 'writer']);
    for (const method of ['POST', 'PUT', 'DELETE', 'delete']) {
      assertAllowed(policy.evaluate(results.writer, ask(method, '/messages/7')));
    }
    // `:id` is one segment: /messages/7/x has no write rule, and GET is not POST.
    assertDenied(policy.evaluate(results.writer, ask('POST', '/messages/7/x')), {
      status: 403, code: 'ERR_POLICY_NO_MATCHING_RULE', rule: null,
    });
  });

  test('an admin from the office, in production, in office hours, with a short-lived token', () => {
    const d = assertAllowed(policy.evaluate(results.admin, ask('PUT', '/admin/users/9')));
    assert.deepEqual(d.roles, ['reader', 'writer', 'admin']);
    assert.deepEqual(d.rule, { index: 2, id: 'admin', method: ['*'], path: '/admin/**' });
  });

  test('the admin scope in a writer\'s token is refused (missingScopes + missingRoles)', () => {
    const d = assertDenied(policy.evaluate(results.forged, ask('POST', '/admin/ban')), {
      status: 403,
      code: 'ERR_JWT_INSUFFICIENT_SCOPE',
      missingScopes: ['admin:messages'],
      missingRoles: ['admin'],
    });
    assert.match(d.reason, /admin:messages is in the token but none of the user's roles grants it/);
    assert.match(d.reason, /needs role admin; the user holds reader, writer/);
    assert.ok(!d.scopes.includes('admin:messages'), 'an unhonoured scope is not effective');
    assert.match(d.wwwAuthenticate, /scope="admin:messages"/);
    // The same token still writes: write:messages is granted by writer.
    assertAllowed(policy.evaluate(results.forged, ask('POST', '/messages/1')));
  });

  test('a token with no roles gets none of the role-granted scopes', () => {
    const d = assertDenied(policy.evaluate(results.noRoles, ask('GET', '/messages/1')), {
      status: 403, code: 'ERR_JWT_INSUFFICIENT_SCOPE', missingScopes: ['read:messages'], missingRoles: ['reader'],
    });
    assert.deepEqual(d.scopes, []);
    assert.deepEqual(d.roles, []);
  });

  test('missing roles alone: 403 ERR_JWT_INSUFFICIENT_ROLE', async () => {
    const d2 = doc();
    d2.roles.auditor = { description: 'Audits', grants: ['read:messages'] };
    const p = Policy.fromJson(d2);
    const token = await mint(hs, { roles: 'auditor', scope: 'read:messages', ...LIFE });
    const d = assertDenied(p.evaluate(verify(token, opts(keys, { now: WED_10 })), ask('GET', '/messages/1')), {
      status: 403, code: 'ERR_JWT_INSUFFICIENT_ROLE', missingRoles: ['reader'], missingScopes: [],
    });
    assert.match(d.reason, /needs role reader; the user holds auditor/);
    // Roles the policy does not know are ignored.
    const root = await mint(hs, { roles: ['root'], scope: 'read:messages', ...LIFE });
    const r = assertDenied(policy.evaluate(verify(root, opts(keys, { now: WED_10 })), ask('GET', '/messages/1')), {
      status: 403, code: 'ERR_JWT_INSUFFICIENT_SCOPE', missingRoles: ['reader'],
    });
    assert.deepEqual(r.roles, []);
  });

  test('default deny: 403 ERR_POLICY_NO_MATCHING_RULE', () => {
    const d = assertDenied(policy.evaluate(results.admin, ask('GET', '/billing')), {
      status: 403, code: 'ERR_POLICY_NO_MATCHING_RULE', rule: null, missingScopes: [], missingRoles: [],
    });
    assert.match(d.reason, /no rule matches GET \/billing/);
    // Matching is case-sensitive.
    assertDenied(policy.evaluate(results.reader, ask('GET', '/Messages/1')), {
      status: 403, code: 'ERR_POLICY_NO_MATCHING_RULE',
    });
    // A GET rule is not a PATCH rule.
    assertDenied(policy.evaluate(results.writer, ask('PATCH', '/messages/1')), {
      status: 403, code: 'ERR_POLICY_NO_MATCHING_RULE',
    });
  });

  test('default allow: unmatched routes pass for a caller with a token, not for none', () => {
    const p = Policy.fromJson({ ...doc(), default: 'allow' });
    const d = assertAllowed(p.evaluate(results.reader, ask('GET', '/billing')));
    assert.equal(d.rule, null);
    assertDenied(p.evaluate(null, ask('GET', '/billing')), { status: 401, code: 'ERR_NO_CREDENTIALS' });
  });

  test('the public rule needs no subject; HEAD follows it', () => {
    for (const method of ['GET', 'HEAD', 'head']) {
      const d = assertAllowed(policy.evaluate(null, ask(method, '/health')));
      assert.deepEqual(d.rule, { index: 3, id: 'health', method: ['GET'], path: '/health' });
      assert.match(d.reason, /public/);
    }
    assertAllowed(policy.evaluate(undefined, { method: 'GET', path: '/health' }));
    // With a token too.
    assertAllowed(policy.evaluate(results.reader, ask('GET', '/health')));
    // POST /health is not the public rule: no rule → a caller without a token is 401 first.
    assertDenied(policy.evaluate(null, ask('POST', '/health')), { status: 401, code: 'ERR_NO_CREDENTIALS' });
  });

  test('no subject on a protected route: 401 ERR_NO_CREDENTIALS with the bare challenge', () => {
    for (const subject of [null, undefined]) {
      const d = assertDenied(policy.evaluate(subject, ask('GET', '/messages/1')), {
        status: 401, code: 'ERR_NO_CREDENTIALS', missingScopes: [], missingRoles: [],
      });
      assert.equal(d.wwwAuthenticate, 'Bearer');
      assert.equal(d.rule.index, 0);
    }
  });

  test('HEAD follows GET rules', () => {
    const d = assertAllowed(policy.evaluate(results.reader, ask('HEAD', '/messages/1')));
    assert.equal(d.rule.index, 0);
  });

  test('bad paths: 400 ERR_INVALID_REQUEST, before everything else', () => {
    const bad = ['/messages/../admin', '/messages/%2e%2e/admin', '/messages/%2E', '/messages/a%2Fb', '/messages/a%5Cb',
      'messages/1', '', '/messages/./1'];
    for (const path of bad) {
      for (const subject of [results.admin, null]) {
        const d = assertDenied(policy.evaluate(subject, ask('GET', path)), {
          status: 400, code: 'ERR_INVALID_REQUEST', rule: null,
        });
        assert.match(d.wwwAuthenticate, /^Bearer error="invalid_request", error_description="/, path);
      }
    }
    // Normalized forms are fine: empty segments ignored, query and fragment stripped, segments decoded.
    for (const path of ['/messages//1/', '/messages/1?x=/../..', '/messages/1#..', '/messages/%31', '//messages']) {
      assert.equal(assertAllowed(policy.evaluate(results.reader, ask('GET', path))).rule.index, 0, path);
    }
  });
});

describe('constraints → 403 ERR_POLICY_CONSTRAINT_FAILED with `constraint`', () => {
  const cases = [
    ['an address outside the ranges', { ip: '192.0.2.1' }, 'ipRanges'],
    ['no address', { ip: undefined }, 'ipRanges'],
    ['not an address', { ip: 'not an ip' }, 'ipRanges'],
    ['IPv6 outside', { ip: '2001:db9::1' }, 'ipRanges'],
    ['IPv4-mapped IPv6 outside', { ip: '::ffff:192.0.2.1' }, 'ipRanges'],
    ['another environment', { environment: 'staging' }, 'environments'],
    ['no environment', { environment: undefined }, 'environments'],
    ['after hours (now)', { now: WED_19 }, 'timeWindows'],
    ['on Saturday (now)', { now: SAT_10 }, 'timeWindows'],
    ['after hours (currentDate)', { now: undefined, currentDate: new Date(WED_19 * 1000) }, 'timeWindows'],
    ['on Saturday (currentDate)', { now: undefined, currentDate: new Date(SAT_10 * 1000) }, 'timeWindows'],
  ];
  for (const [name, extra, constraint] of cases) {
    test(`${name} → ${constraint}`, () => {
      const d = assertDenied(policy.evaluate(results.admin, ask('GET', '/admin/x', extra)), {
        status: 403, code: 'ERR_POLICY_CONSTRAINT_FAILED', constraint, missingScopes: [], missingRoles: [],
      });
      assert.match(d.reason, /scope admin:messages/);
      assert.equal(d.rule.index, 2);
      assert.match(d.wwwAuthenticate, /^Bearer error="insufficient_scope"/);
    });
  }

  test('inside the ranges: IPv4, IPv6, IPv4-mapped IPv6; inside the window by currentDate', () => {
    for (const ip of ['10.0.0.1', '10.255.255.255', '2001:db8::5', '2001:db8:ffff::1', '::ffff:10.9.9.9']) {
      assertAllowed(policy.evaluate(results.admin, ask('GET', '/admin/x', { ip })));
    }
    assertAllowed(policy.evaluate(results.admin, ask('GET', '/admin/x', { now: undefined, currentDate: new Date(WED_10 * 1000) })));
    // 17:59 is in, 18:00 (end exclusive) is out, 08:00 is in.
    const at = (h, m) => WED_10 + (h - 10) * 3600 + m * 60;
    assertAllowed(policy.evaluate(results.admin, ask('GET', '/admin/x', { now: at(17, 59) })));
    assertAllowed(policy.evaluate(results.admin, ask('GET', '/admin/x', { now: at(8, 0) })));
    assertDenied(policy.evaluate(results.admin, ask('GET', '/admin/x', { now: at(18, 0) })), {
      status: 403, code: 'ERR_POLICY_CONSTRAINT_FAILED', constraint: 'timeWindows',
    });
    assertDenied(policy.evaluate(results.admin, ask('GET', '/admin/x', { now: at(7, 59) })), {
      status: 403, code: 'ERR_POLICY_CONSTRAINT_FAILED', constraint: 'timeWindows',
    });
  });

  test('maxTokenLifetime 300: 301 s fails, 300 s passes, no iat fails', () => {
    assertDenied(policy.evaluate(results.long, ask('GET', '/admin/x')), {
      status: 403, code: 'ERR_POLICY_CONSTRAINT_FAILED', constraint: 'maxTokenLifetime',
    });
    assertAllowed(policy.evaluate(results.exact, ask('GET', '/admin/x')));
    assertDenied(policy.evaluate(results.noIat, ask('GET', '/admin/x')), {
      status: 403, code: 'ERR_POLICY_CONSTRAINT_FAILED', constraint: 'maxTokenLifetime',
    });
  });

  test('the admin\'s unconstrained scopes work from anywhere, any time', () => {
    assertAllowed(policy.evaluate(results.admin, { method: 'GET', path: '/messages', ip: '192.0.2.1', now: SAT_10 }));
  });

  test('rule constraints and a duration-string lifetime', async () => {
    const p = Policy.fromJson({
      version: 1,
      scopes: { read: {} },
      rules: [
        { method: 'GET', path: '/prod', constraints: { environments: ['production'], ipRanges: ['::ffff:0:0/96'] }, maxTokenLifetime: '1m' },
      ],
    });
    const short = verify(await mint(hs, { iat: WED_10 - 10, exp: WED_10 + 50 }), opts(keys, { now: WED_10 }));
    const long = verify(await mint(hs, { iat: WED_10 - 10, exp: WED_10 + 51 }), opts(keys, { now: WED_10 }));
    assertAllowed(p.evaluate(short, ask('GET', '/prod', { ip: '192.0.2.7' })));
    assertAllowed(p.evaluate(short, ask('GET', '/prod', { ip: '::ffff:192.0.2.7' })));
    assertDenied(p.evaluate(short, ask('GET', '/prod', { ip: '2001:db8::1' })), {
      status: 403, code: 'ERR_POLICY_CONSTRAINT_FAILED', constraint: 'ipRanges',
    });
    const d = assertDenied(p.evaluate(short, ask('GET', '/prod', { ip: '192.0.2.7', environment: 'dev' })), {
      status: 403, code: 'ERR_POLICY_CONSTRAINT_FAILED', constraint: 'environments',
    });
    assert.match(d.reason, /^denied: rule #0 \(GET \/prod\)/);
    assertDenied(p.evaluate(long, ask('GET', '/prod', { ip: '192.0.2.7' })), {
      status: 403, code: 'ERR_POLICY_CONSTRAINT_FAILED', constraint: 'maxTokenLifetime',
    });
  });
});

describe('verified or not', () => {
  test('decode() output and plain { claims } decide the same, flagged unverified', () => {
    for (const name of ['reader', 'writer', 'forged', 'admin']) {
      for (const request of [ask('GET', '/messages/1'), ask('POST', '/messages/1'), ask('GET', '/admin/x')]) {
        const fromVerify = policy.evaluate(results[name], request);
        const fromDecode = policy.evaluate(decode(tokens[name]), request);
        const fromClaims = policy.evaluate({ claims: results[name].claims }, request);
        assert.equal(fromVerify.unverified, false);
        assert.equal(fromDecode.unverified, true);
        assert.equal(fromClaims.unverified, true);
        for (const d of [fromDecode, fromClaims]) {
          assertDecision(d);
          assert.deepEqual({ ...d, unverified: false }, fromVerify, `${name} ${request.method} ${request.path}`);
        }
      }
    }
  });

  test('a copy of a verify result is not verified; bare claims are accepted as the subject', () => {
    const d = policy.evaluate({ ...results.reader }, ask('GET', '/messages/1'));
    assert.equal(assertAllowed(d).unverified, true);
    const bare = policy.evaluate(results.reader.claims, ask('GET', '/messages/1'));
    assert.equal(assertAllowed(bare).unverified, true);
    assert.equal(tollgate.isVerified(results.reader), true);
    assert.equal(tollgate.isVerified(decode(tokens.reader)), false);
  });
});

describe('verify results are decided on the claims as verified', () => {
  test('changing result.claims after verify does not change the decision', async () => {
    const result = verify(tokens.reader, opts(keys, { now: WED_10 }));
    assert.equal(assertAllowed(policy.evaluate(result, ask('GET', '/messages/1'))).unverified, false);
    // Granting oneself a role and a scope in the object is not granting them in the token.
    result.claims.roles = ['admin'];
    result.claims.scope = 'admin:messages';
    const d = policy.evaluate(result, ask('GET', '/admin/x'));
    assert.equal(d.allow, false);
    assert.equal(d.code, 'ERR_JWT_INSUFFICIENT_SCOPE');
    assert.deepEqual(d.roles, ['reader']);
    // A plain copy of the edited claims is decided as given, and flagged unverified.
    const copy = policy.evaluate({ claims: result.claims }, ask('GET', '/admin/x'));
    assert.equal(copy.unverified, true);
    assert.deepEqual(copy.roles, ['reader', 'writer', 'admin']);
  });
});

describe('evaluate never throws', () => {
  const cyclic = { sub: 'x', roles: ['reader'], scope: 'read:messages' };
  cyclic.self = cyclic;
  const subjects = {
    'null': null,
    'a number': 42,
    'a string': 'eyJhbGciOi',
    'an array': [1, 2],
    'a function': () => {},
    'claims null': { claims: null },
    'claims a number': { claims: 7 },
    'claims an array': { claims: ['reader'] },
    'cyclic claims': { claims: cyclic },
    'BigInt claims': { claims: { sub: 'x', iat: 10n, roles: ['reader'] } },
    'roles a number': { claims: { roles: 7, scope: 'read:messages' } },
    'scope an object': { claims: { roles: ['reader'], scope: { a: 1 } } },
    'iat a string': { claims: { roles: ['admin'], scope: 'admin:messages', iat: 'yesterday', exp: 1e300 } },
    'huge numbers': { claims: { roles: ['admin'], scope: 'admin:messages', iat: -1e308, exp: 1e308 } },
    'a symbol-keyed object': { claims: { [Symbol('x')]: 1, roles: ['reader'], scope: 'read:messages' } },
  };
  const requests = {
    'null': null,
    'undefined': undefined,
    'a number': 12,
    'a string': 'GET /messages',
    'no method': { path: '/messages/1' },
    'method a number': { method: 7, path: '/messages/1' },
    'path a number': { method: 'GET', path: 5 },
    'path with NUL': { method: 'GET', path: '/messages/\u0000' },
    'path %': { method: 'GET', path: '/%' },
    'method with NUL': { method: 'G\u0000T', path: '/messages/1' },
    'ip garbage': { method: 'GET', path: '/admin/x', ip: 'fe80::1%eth0', environment: 7, now: -5 },
    'now NaN, currentDate invalid': { method: 'GET', path: '/admin/x', now: NaN, currentDate: new Date('nope') },
    'now Infinity': { method: 'GET', path: '/admin/x', now: Infinity },
    'revocations not a list': { method: 'GET', path: '/messages/1', revocations: { tokens: ['jti-reader'] } },
  };

  for (const [sname, subject] of Object.entries(subjects)) {
    test(`subject: ${sname}`, () => {
      for (const [rname, request] of Object.entries(requests)) {
        let d;
        assert.doesNotThrow(() => {
          d = policy.evaluate(subject, request);
        }, `${sname} × ${rname}`);
        assertDecision(d);
      }
    });
  }

  test('the answers to garbage are the expected ones', () => {
    assertDenied(policy.evaluate(results.reader, null), { status: 400, code: 'ERR_INVALID_REQUEST' });
    assertAllowed(policy.evaluate(results.reader, { path: '/messages/1' })); // method defaults to GET
    assertDenied(policy.evaluate(42, ask('GET', '/messages/1')), { status: 401, code: 'ERR_JWT_INVALID' });
    assertDenied(policy.evaluate({ claims: cyclic }, ask('GET', '/messages/1')), { status: 401, code: 'ERR_JWT_INVALID' });
    assertDenied(policy.evaluate(subjects['BigInt claims'], ask('GET', '/messages/1')), { status: 401, code: 'ERR_JWT_INVALID' });
    // A malformed role claim is the token's fault: 401 invalid_token.
    const d = assertDenied(policy.evaluate(subjects['roles a number'], ask('GET', '/messages/1')), {
      status: 401, code: 'ERR_JWT_INVALID',
    });
    assert.match(d.wwwAuthenticate, /error="invalid_token"/);
    // A request revocations member that is not a RevocationList is ignored.
    assertAllowed(policy.evaluate(results.reader, { method: 'GET', path: '/messages/1', revocations: { tokens: ['jti-reader'] } }));
  });

  // Spec, "Decision order": 1. bad path → 400; 2. public rule → allow (no credentials needed).
  // A subject with malformed-but-object claims follows that order (see below); a subject whose
  // claims are not a JSON object (a number, a cyclic or BigInt-holding object) is answered
  // 401 ERR_JWT_INVALID by pkg/policy.js BEFORE the path and the public rule are looked at.
  test('the decision order holds for any subject: bad path 400, public 200', () => {
    // The wasm side orders these right:
    assertAllowed(policy.evaluate({ claims: { roles: 7 } }, ask('GET', '/health')));
    assertDenied(policy.evaluate({ claims: { roles: 7 } }, ask('GET', '/a/../b')), { status: 400, code: 'ERR_INVALID_REQUEST' });
    // pkg/policy.js does not:
    assertAllowed(policy.evaluate(42, ask('GET', '/health')));
    assertAllowed(policy.evaluate({ claims: cyclic }, ask('GET', '/health')));
    assertDenied(policy.evaluate(42, ask('GET', '/a/../b')), { status: 400, code: 'ERR_INVALID_REQUEST' });
  });
});

describe('load errors: TollgateError ERR_POLICY_INVALID with the JSON path', () => {
  const cases = [
    ['unknown top-level field', (d) => { d.defualt = d.default; delete d.default; }, '$.defualt'],
    ['unknown field in a scope', (d) => { d.scopes['read:messages'].ownr = 1; }, '$.scopes["read:messages"].ownr'],
    ['unknown field in a rule', (d) => { d.rules[2].verb = d.rules[2].method; delete d.rules[2].method; }, '$.rules[2].verb'],
    ['unknown scope in a rule', (d) => { d.rules[1].scopes = ['write:mesages']; }, '$.rules[1].scopes[0]'],
    ['unknown role in a rule', (d) => { d.rules[2].roles = ['administrator']; }, '$.rules[2].roles[0]'],
    ['unknown scope in implies', (d) => { d.scopes['write:messages'].implies = ['read:message']; }, '$.scopes["write:messages"].implies[0]'],
    ['unknown scope in grants', (d) => { d.roles.admin.grants = ['admin:message']; }, '$.roles.admin.grants[0]'],
    ['unknown role in inherits', (d) => { d.roles.writer.inherits = ['readers']; }, '$.roles.writer.inherits[0]'],
    ['role inheritance cycle', (d) => { d.roles.reader.inherits = ['admin']; }, '$.roles.reader.inherits'],
    ['CIDR with host bits', (d) => { d.scopes['admin:messages'].constraints.ipRanges[1] = '2001:db8::1/32'; }, '$.scopes["admin:messages"].constraints.ipRanges[1]'],
    ['malformed CIDR', (d) => { d.scopes['admin:messages'].constraints.ipRanges[0] = '10.0.0/8'; }, '$.scopes["admin:messages"].constraints.ipRanges[0]'],
    ['bad time', (d) => { d.scopes['admin:messages'].constraints.timeWindows[0].start = '8:00'; }, '$.scopes["admin:messages"].constraints.timeWindows[0].start'],
    ['bad day', (d) => { d.scopes['admin:messages'].constraints.timeWindows[0].days[0] = 'monday'; }, '$.scopes["admin:messages"].constraints.timeWindows[0].days[0]'],
    ['negative lifetime', (d) => { d.scopes['admin:messages'].maxTokenLifetime = -1; }, '$.scopes["admin:messages"].maxTokenLifetime'],
    ['bad path pattern', (d) => { d.rules[1].path = '/messages/**/x'; }, '$.rules[1].path'],
    ['public with scopes', (d) => { d.rules[3].scopes = ['read:messages']; }, '$.rules[3].public'],
    ['duplicate scope in a list', (d) => { d.rules[0].scopes = ['read:messages', 'read:messages']; }, '$.rules[0].scopes[1]'],
    ['wildcard grant that matches nothing', (d) => { d.roles.admin.grants = ['billing:*']; }, '$.roles.admin.grants[0]'],
    ['bad default', (d) => { d.default = 'maybe'; }, '$.default'],
    ['version 2', (d) => { d.version = 2; }, '$.version'],
    ['no version', (d) => { delete d.version; }, '$.version'],
    ['no scopes', (d) => { delete d.scopes; }, '$.scopes'],
    ['a scope name that is not an identifier', (d) => { d.scopes['read messages'] = {}; }, '$.scopes["read messages"]'],
  ];
  for (const [name, breakIt, path] of cases) {
    test(`${name} → ${path}`, () => {
      const d = doc();
      breakIt(d);
      expectLoadError(() => Policy.fromJson(d), path);
      // The same mistake in JSON text gives the same path.
      expectLoadError(() => Policy.fromJson(JSON.stringify(d)), path);
    });
  }

  test('a scope implication cycle; malformed JSON text', () => {
    const err = expectLoadError(
      () => Policy.fromJson({ version: 1, scopes: { a: { implies: ['b'] }, b: { implies: ['a'] } } }),
      '$.scopes.a.implies',
    );
    assert.match(err.message, /cycle/);
    expectLoadError(() => Policy.fromJson('{'), '$');
    expectLoadError(() => Policy.fromJson('{"version":1,"scopes":{"a":{}},"scopes":{}}'), '$');
    expectLoadError(() => Policy.fromJson('[]'), '$');
  });

  test('bad arguments and options are TypeError ERR_INVALID_ARG', () => {
    const bigint = { ...doc(), version: 1n };
    for (const bad of [42, true, [MESSAGES], bigint]) expectMisuse(() => Policy.fromJson(bad));
    for (const options of [
      'api',
      [],
      { relm: 'api' },
      { realm: 7 },
      { realm: 'a"b' },
      { realm: 'a\\b' },
      { realm: '' },
      { realm: 'caf\u00e9' },
      { revocations: { version: 1, tokens: [] } },
      { revocations: 'jti-1' },
    ]) {
      expectMisuse(() => Policy.fromJson(MESSAGES, options));
    }
    // The constructor is not the way in.
    expectMisuse(() => new Policy());
  });
});

describe('loading, describe, toJSON', () => {
  test('fromJson accepts JSON text, and decides the same', () => {
    const fromText = Policy.fromJson(JSON.stringify(MESSAGES, null, 2));
    for (const request of [ask('GET', '/messages/1'), ask('POST', '/messages/1'), ask('GET', '/admin/x'), ask('GET', '/nope')]) {
      assert.deepEqual(fromText.evaluate(results.reader, request), policy.evaluate(results.reader, request));
    }
    assert.deepEqual(fromText.describe(), policy.describe());
  });

  test('describe() reports the closures', () => {
    const m = policy.describe();
    assert.equal(m.version, 1);
    assert.equal(m.default, 'deny');
    assert.equal(m.roleClaim, null, 'the example reads the default role claims');
    assert.equal(Policy.fromJson({ ...MESSAGES, roleClaim: 'realm_access.roles' }).describe().roleClaim, 'realm_access.roles');
    assert.deepEqual(m.scopes.map((s) => s.name), ['read:messages', 'write:messages', 'admin:messages']);
    const scope = (name) => m.scopes.find((s) => s.name === name);
    const role = (name) => m.roles.find((r) => r.name === name);
    assert.deepEqual(scope('read:messages').grantedBy, ['reader', 'writer', 'admin']);
    assert.deepEqual(scope('write:messages').impliesAll, ['read:messages']);
    assert.deepEqual(scope('admin:messages').grantedBy, ['admin']);
    assert.deepEqual(scope('admin:messages').constraints.ipRanges, ['10.0.0.0/8', '2001:db8::/32']);
    assert.equal(scope('admin:messages').constraints.maxTokenLifetime, 300);
    assert.deepEqual(scope('admin:messages').constraints.timeWindows, [
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '18:00' },
    ]);
    assert.deepEqual(role('reader').holds, ['reader']);
    assert.deepEqual(role('writer').holds, ['reader', 'writer']);
    assert.deepEqual(role('admin').holds, ['reader', 'writer', 'admin']);
    assert.deepEqual(role('writer').grantsAll, ['read:messages', 'write:messages']);
    assert.deepEqual(role('admin').grantsAll, ['read:messages', 'write:messages', 'admin:messages']);
    assert.deepEqual(m.rules.map((r) => r.index), [0, 1, 2, 3]);
    assert.deepEqual(m.rules[1].method, ['POST', 'PUT', 'DELETE']);
    assert.equal(m.rules[3].public, true);
    assert.equal(m.rules[0].id, 'read');
    // A fresh object each time: the caller cannot corrupt the cached model.
    m.rules.length = 0;
    assert.equal(policy.describe().rules.length, 4);
  });

  test('wildcard grants expand at load time', () => {
    const p = Policy.fromJson({
      version: 1,
      scopes: { 'messages:read': {}, 'messages:write': {}, 'billing:read': {} },
      roles: { messaging: { grants: ['messages:*'] }, root: { grants: ['*'] } },
    });
    const m = p.describe();
    assert.deepEqual(m.roles[0].grantsAll, ['messages:read', 'messages:write']);
    assert.deepEqual(m.roles[1].grantsAll, ['messages:read', 'messages:write', 'billing:read']);
  });

  test('toJSON round trip', () => {
    const json = policy.toJSON();
    assert.deepEqual(json, MESSAGES);
    assert.deepEqual(JSON.parse(JSON.stringify(policy)), MESSAGES);
    const again = Policy.fromJson(json);
    assert.deepEqual(again.describe(), policy.describe());
    assert.deepEqual(again.toJSON(), json);
    // A fresh object each time.
    json.rules.length = 0;
    assert.equal(policy.toJSON().rules.length, 4);
    // From text as well.
    assert.deepEqual(Policy.fromJson(JSON.stringify(MESSAGES)).toJSON(), MESSAGES);
  });

  test('the realm option appears in wwwAuthenticate', () => {
    const p = Policy.fromJson(MESSAGES, { realm: 'messages-api' });
    const d = assertDenied(p.evaluate(results.reader, ask('POST', '/messages/1')), {
      status: 403, code: 'ERR_JWT_INSUFFICIENT_SCOPE',
    });
    assert.equal(
      d.wwwAuthenticate,
      `Bearer realm="messages-api", error="insufficient_scope", error_description="${d.reason}", scope="write:messages"`,
    );
    assert.equal(
      assertDenied(p.evaluate(null, ask('GET', '/messages/1')), { status: 401, code: 'ERR_NO_CREDENTIALS' }).wwwAuthenticate,
      'Bearer realm="messages-api"',
    );
    assert.match(
      assertDenied(p.evaluate(results.reader, ask('GET', '/nope')), { status: 403, code: 'ERR_POLICY_NO_MATCHING_RULE' }).wwwAuthenticate,
      /^Bearer realm="messages-api", error="insufficient_scope"/,
    );
    assert.match(
      assertDenied(p.evaluate(results.reader, ask('GET', '/a/../b')), { status: 400, code: 'ERR_INVALID_REQUEST' }).wwwAuthenticate,
      /^Bearer realm="messages-api", error="invalid_request"/,
    );
    assert.match(
      assertDenied(p.evaluate(42, ask('GET', '/messages')), { status: 401, code: 'ERR_JWT_INVALID' }).wwwAuthenticate,
      /^Bearer realm="messages-api", error="invalid_token"/,
    );
  });

  test('the rule object of a decision: { index, id, method, path }', () => {
    const rules = [
      [results.reader, ask('GET', '/messages/1'), { index: 0, id: 'read', method: ['GET'], path: '/messages/**' }],
      [results.reader, ask('DELETE', '/messages/1'), { index: 1, id: 'write', method: ['POST', 'PUT', 'DELETE'], path: '/messages/:id' }],
      [results.reader, ask('OPTIONS', '/admin'), { index: 2, id: 'admin', method: ['*'], path: '/admin/**' }],
      [null, ask('GET', '/health'), { index: 3, id: 'health', method: ['GET'], path: '/health' }],
      [results.reader, ask('GET', '/elsewhere'), null],
    ];
    for (const [subject, request, rule] of rules) {
      assert.deepEqual(policy.evaluate(subject, request).rule, rule, `${request.method} ${request.path}`);
    }
    // Methods are stored upper case.
    const p = Policy.fromJson({ version: 1, scopes: {}, rules: [{ method: ['get', 'Post'], path: '/x', public: true }] });
    assert.deepEqual(p.evaluate(null, { method: 'post', path: '/x' }).rule, { index: 0, id: null, method: ['GET', 'POST'], path: '/x' });
  });

  test('decision codes are listed', () => {
    for (const code of ['ERR_POLICY_NO_MATCHING_RULE', 'ERR_POLICY_CONSTRAINT_FAILED', 'ERR_NO_CREDENTIALS', 'ERR_INVALID_REQUEST']) {
      assert.ok(DECISION_CODES.includes(code), code);
    }
    for (const code of ['ERR_JWT_INSUFFICIENT_ROLE', 'ERR_JWT_REVOKED', 'ERR_POLICY_INVALID']) {
      assert.ok(ERROR_CODES.includes(code), code);
    }
    assert.ok(Object.isFrozen(DECISION_CODES));
  });

  test('a RevocationList given at load applies to every evaluation', () => {
    const list = RevocationList.fromJson({ version: 1, tokens: ['jti-reader'] });
    const p = Policy.fromJson(MESSAGES, { revocations: list });
    assertDenied(p.evaluate(results.reader, ask('GET', '/messages/1')), { status: 401, code: 'ERR_JWT_REVOKED' });
  });
});

describe('questions for tools: cover, carried, and what describe() derives', () => {
  const p = Policy.fromJson({
    version: 1,
    scopes: { 'notes:read': {}, 'notes:write': { implies: ['notes:read'] }, admin: {} },
    roles: {
      reader: { grants: ['notes:read'] },
      editor: { inherits: ['reader'], grants: ['notes:*'] },
      boss: { grants: ['admin'] },
    },
    rules: [
      { id: 'one', method: 'GET', path: '/notes/:id', scopes: ['notes:read'] },
      { id: 'all', method: '*', path: '/notes/**', scopes: ['notes:write'], roles: ['reader'] },
      { id: 'again', method: 'HEAD', path: '/notes/x', scopes: ['notes:read'] },
      { method: 'GET', path: '/*/admin', scopes: ['admin'], roles: ['editor'] },
    ],
  });

  test('cover: every matching rule in order, the first decides; GET rules match HEAD', () => {
    assert.deepEqual(p.cover({ method: 'HEAD', path: '/notes/x?y=1' }), { path: ['notes', 'x'], rule: 0, matches: [0, 1, 2] });
    assert.deepEqual(p.cover({ method: 'delete', path: '/notes//x/' }), { path: ['notes', 'x'], rule: 1, matches: [1] });
    assert.deepEqual(p.cover({ method: 'GET', path: '/other' }), { path: ['other'], rule: null, matches: [] });
    assert.deepEqual(p.cover({ path: '/n%6ftes/1' }).matches, [0, 1], 'GET by default; segments decoded');
    assert.equal(p.cover({ method: 'GET', path: '/notes/%2e%2e/admin' }), null, 'a refused path (400)');
    assert.equal(p.cover(null), null);
    // The same answer evaluation gives.
    assert.equal(p.evaluate(null, { method: 'HEAD', path: '/notes/x' }).rule.index, 0);
  });

  test('describe: shadowed rules, grant expansions, inverse closures, unsatisfiable scopes, wildcard paths', () => {
    const m = p.describe();
    assert.deepEqual(m.rules.map((r) => r.shadowedBy), [null, null, [0], null], 'HEAD /notes/x: the GET rule before it already matches');
    assert.deepEqual(m.rules.map((r) => r.leadingWildcard), [null, null, null, '*']);
    assert.deepEqual(m.rules.map((r) => r.unsatisfiableScopes), [[], ['notes:write'], [], ['admin']], 'only editor grants notes:write, only boss admin');
    const role = (name) => m.roles.find((r) => r.name === name);
    assert.deepEqual(role('editor').grantScopes, [['notes:read', 'notes:write']]);
    assert.deepEqual(role('reader').heldBy, ['editor']);
    assert.deepEqual(m.scopes.find((s) => s.name === 'notes:read').impliedBy, ['notes:write']);
  });

  test('carried: the policy claims, refused and unknown names; null when unreadable', () => {
    assert.deepEqual(p.carried({ scope: 'notes:write legacy', roles: ['reader', 'ghost'] }), {
      scopes: ['notes:write', 'legacy'], roles: ['reader', 'ghost'], refused: ['notes:write'], unknownScopes: ['legacy'], unknownRoles: ['ghost'],
    });
    assert.deepEqual(p.carried({ claims: { scp: ['notes:write'], groups: 'editor' } }).refused, [], '{ claims } is read too');
    assert.equal(p.carried({ scope: 7 }), null);
    assert.equal(p.carried('scope'), null);
    assert.equal(p.carried(null), null);
  });
});
