// Roles: where they are read from (roleClaim as a dot path, an array path, a
// namespaced claim), requiredRoles / roleMode, the 403 ERR_JWT_INSUFFICIENT_ROLE
// answer, per-call requirements, caller mistakes, malformed role claims.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tollgate, T0, makeKey, mint, opts, expectTokenError, expectMisuse } from './helpers.mjs';

const { KeySet, verify, createVerifier } = tollgate;

let hs;
let keys;
/** A token with roles in every place an identity provider puts them. */
let everywhere;

/** The roles of `everywhere`, per claim. */
const ROLES = {
  roles: ['reader'],
  role: 'writer',
  groups: 'g1 g2',
  realm_access: { roles: ['kc-admin', 'kc-user'] },
  resource_access: {
    'my-client': { roles: ['dash-role'] },
    'my.client': { roles: ['dotted-role'] },
    my: { client: { roles: ['nested-role'] } },
  },
  'https://example.com/roles': ['ns-role'],
  'https://example.com/other': 'ns-other',
};

/** A token with exactly these claims beside the defaults (the default `scope` kept). */
const token = (claims) => mint(hs, { iat: T0, exp: T0 + 3600, ...claims });

before(async () => {
  hs = await makeKey('HS256', { kid: 'hs' });
  keys = KeySet.fromSecret(hs.secret, { alg: 'HS256', kid: 'hs' });
  everywhere = await token(ROLES);
});

const at = (extra = {}) => opts(keys, { now: T0, ...extra });

describe('where roles come from', () => {
  test('default: roles, role, groups and realm_access.roles together, in that order', () => {
    const r = verify(everywhere, at());
    assert.deepEqual(r.roles, ['reader', 'writer', 'g1', 'g2', 'kc-admin', 'kc-user']);
    // resource_access and namespaced claims are not read by default.
    assert.ok(!r.roles.includes('dash-role') && !r.roles.includes('ns-role'));
  });

  const cases = {
    'realm_access.roles (Keycloak realm roles)': ['realm_access.roles', ['kc-admin', 'kc-user']],
    'resource_access.my-client.roles (dot path, client id with a dash)': ['resource_access.my-client.roles', ['dash-role']],
    'array path with a dotted client id': [['resource_access', 'my.client', 'roles'], ['dotted-role']],
    'a dot path splits a dotted client id': ['resource_access.my.client.roles', ['nested-role']],
    'Auth0 namespaced claim (one member, not split)': ['https://example.com/roles', ['ns-role']],
    'namespaced claim as an array path': [['https://example.com/roles'], ['ns-role']],
    'namespaced claim with a space-delimited string': ['https://example.com/other', ['ns-other']],
    'a single claim: roles': ['roles', ['reader']],
    'a single claim: role (string)': ['role', ['writer']],
    'a single claim: groups (space-delimited)': ['groups', ['g1', 'g2']],
    'a path that is not there': ['nothing.here', []],
    'a path through a non-object': ['role.x', []],
  };
  for (const [name, [roleClaim, expected]] of Object.entries(cases)) {
    test(name, () => {
      assert.deepEqual(verify(everywhere, at({ roleClaim })).roles, expected);
      assert.deepEqual(createVerifier(opts(keys, { roleClaim })).verify(everywhere, { now: T0 }).roles, expected);
    });
  }

  test('duplicates are removed; matching is exact and case-sensitive', async () => {
    const t = await token({ roles: ['Admin', 'admin', 'admin'], role: 'admin' });
    assert.deepEqual(verify(t, at()).roles, ['Admin', 'admin']);
    expectTokenError(() => verify(t, at({ requiredRoles: ['ADMIN'] })),
      { code: 'ERR_JWT_INSUFFICIENT_ROLE', status: 403, missing: ['ADMIN'] }, t);
    expectTokenError(() => verify(t, at({ requiredRoles: ['adm'] })),
      { code: 'ERR_JWT_INSUFFICIENT_ROLE', status: 403, missing: ['adm'] }, t);
  });

  test('a token without any role claim has no roles', async () => {
    const t = await token({});
    assert.deepEqual(verify(t, at()).roles, []);
    expectTokenError(() => verify(t, at({ requiredRoles: ['reader'] })),
      { code: 'ERR_JWT_INSUFFICIENT_ROLE', status: 403, missing: ['reader'] }, t);
  });
});

describe('requiredRoles and roleMode', () => {
  test('all (default): every role is needed', () => {
    assert.ok(verify(everywhere, at({ requiredRoles: ['reader', 'kc-admin'] })));
    assert.ok(verify(everywhere, at({ requiredRoles: ['reader', 'kc-admin'], roleMode: 'all' })));
    const err = expectTokenError(() => verify(everywhere, at({ requiredRoles: ['reader', 'admin', 'root'] })),
      { code: 'ERR_JWT_INSUFFICIENT_ROLE', status: 403, missing: ['admin', 'root'] }, everywhere);
    assert.ok(err instanceof tollgate.TollgateError);
    assert.match(err.message, /admin/);
    assert.match(err.wwwAuthenticate, /^Bearer error="insufficient_scope"/);
    assert.doesNotMatch(err.wwwAuthenticate, /invalid_token/);
    assert.ok(tollgate.isTollgateError(err, 'ERR_JWT_INSUFFICIENT_ROLE'));
  });

  test('any: one role is enough; none → 403 listing all of them', () => {
    assert.ok(verify(everywhere, at({ requiredRoles: ['admin', 'reader'], roleMode: 'any' })));
    expectTokenError(() => verify(everywhere, at({ requiredRoles: ['x', 'admin'], roleMode: 'any' })),
      { code: 'ERR_JWT_INSUFFICIENT_ROLE', status: 403, missing: ['x', 'admin'] }, everywhere);
  });

  test('the roles are read from roleClaim only', () => {
    assert.ok(verify(everywhere, at({ roleClaim: 'resource_access.my-client.roles', requiredRoles: ['dash-role'] })));
    expectTokenError(() => verify(everywhere, at({ roleClaim: 'realm_access.roles', requiredRoles: ['reader'] })),
      { code: 'ERR_JWT_INSUFFICIENT_ROLE', status: 403, missing: ['reader'] }, everywhere);
    assert.ok(verify(everywhere, at({ roleClaim: 'https://example.com/roles', requiredRoles: ['ns-role'] })));
    assert.ok(verify(everywhere, at({
      roleClaim: ['resource_access', 'my.client', 'roles'], requiredRoles: ['dotted-role', 'x'], roleMode: 'any',
    })));
  });

  test('an empty requiredRoles requires nothing', async () => {
    const t = await token({});
    assert.ok(verify(t, at({ requiredRoles: [] })));
  });

  test('the realm appears in the 403 challenge', () => {
    const err = expectTokenError(() => verify(everywhere, at({ requiredRoles: ['nope'], realm: 'api' })),
      { code: 'ERR_JWT_INSUFFICIENT_ROLE', status: 403, missing: ['nope'] }, everywhere);
    assert.match(err.wwwAuthenticate, /^Bearer realm="api", error="insufficient_scope"/);
  });

  test('scopes are checked before roles (both missing → the scope error)', () => {
    expectTokenError(() => verify(everywhere, at({ requiredRoles: ['nope'], requiredScopes: ['zzz'] })),
      { code: 'ERR_JWT_INSUFFICIENT_SCOPE', status: 403, missing: ['zzz'] }, everywhere);
  });

  test('an invalid token is 401 whatever its roles', async () => {
    const expired = await mint(hs, { iat: T0 - 7200, exp: T0 - 3600, roles: ['admin'] });
    expectTokenError(() => verify(expired, at({ requiredRoles: ['admin'] })), { code: 'ERR_JWT_EXPIRED', status: 401 }, expired);
  });
});

describe('createVerifier: roles compiled once, per-call requiredRoles', () => {
  test('the verifier\'s requiredRoles apply to every call', () => {
    const v = createVerifier(opts(keys, { requiredRoles: ['reader'] }));
    assert.deepEqual(v.verify(everywhere, { now: T0 }).roles, ['reader', 'writer', 'g1', 'g2', 'kc-admin', 'kc-user']);
    const strict = createVerifier(opts(keys, { requiredRoles: ['admin'] }));
    expectTokenError(() => strict.verify(everywhere, { now: T0 }),
      { code: 'ERR_JWT_INSUFFICIENT_ROLE', status: 403, missing: ['admin'] }, everywhere);
  });

  test('per-call requiredRoles and roleMode replace the verifier\'s', () => {
    const v = createVerifier(opts(keys, { requiredRoles: ['reader'] }));
    expectTokenError(() => v.verify(everywhere, { now: T0, requiredRoles: ['admin'] }),
      { code: 'ERR_JWT_INSUFFICIENT_ROLE', status: 403, missing: ['admin'] }, everywhere);
    assert.ok(v.verify(everywhere, { now: T0, requiredRoles: ['admin', 'writer'], roleMode: 'any' }));
    expectTokenError(() => v.verify(everywhere, { now: T0, requiredRoles: ['admin', 'root'], roleMode: 'any' }),
      { code: 'ERR_JWT_INSUFFICIENT_ROLE', status: 403, missing: ['admin', 'root'] }, everywhere);
    // A plain verifier with a per-call requirement.
    const plain = createVerifier(opts(keys, { roleClaim: 'realm_access.roles' }));
    assert.ok(plain.verify(everywhere, { now: T0, requiredRoles: ['kc-user'] }));
    expectTokenError(() => plain.verify(everywhere, { now: T0, requiredRoles: ['reader'] }),
      { code: 'ERR_JWT_INSUFFICIENT_ROLE', status: 403, missing: ['reader'] }, everywhere);
    // A call with other options keeps the verifier's roles.
    const strict = createVerifier(opts(keys, { requiredRoles: ['admin'] }));
    expectTokenError(() => strict.verify(everywhere, { now: T0, requiredScopes: ['read:messages'] }),
      { code: 'ERR_JWT_INSUFFICIENT_ROLE', status: 403, missing: ['admin'] }, everywhere);
  });

  // A per-call { roleMode } alone (or { scopeMode } alone) builds a requirement from an
  // absent list, i.e. [], and replaces the verifier's: the verifier's requiredRoles are
  // silently dropped (src/options.rs call_options → role_requirement → unwrap_or_default,
  // then src/verify.rs `call.roles.as_ref().unwrap_or(&self.validation.roles)`).
  test('a per-call roleMode alone keeps the verifier\'s requiredRoles', () => {
    const strict = createVerifier(opts(keys, { requiredRoles: ['admin'] }));
    expectTokenError(() => strict.verify(everywhere, { now: T0, roleMode: 'any' }),
      { code: 'ERR_JWT_INSUFFICIENT_ROLE', status: 403, missing: ['admin'] }, everywhere);
  });

  test('a per-call scopeMode alone keeps the verifier\'s requiredScopes', () => {
    const strict = createVerifier(opts(keys, { requiredScopes: ['zzz'] }));
    expectTokenError(() => strict.verify(everywhere, { now: T0, scopeMode: 'any' }),
      { code: 'ERR_JWT_INSUFFICIENT_SCOPE', status: 403, missing: ['zzz'] }, everywhere);
  });
});

describe('role option mistakes → TypeError ERR_INVALID_ARG', () => {
  const bad = {
    'misspelled requiredRole': { requiredRole: ['admin'] },
    'misspelled requiredroles': { requiredroles: ['admin'] },
    'misspelled rolesClaim': { rolesClaim: 'roles' },
    'misspelled roleClaims': { roleClaims: 'roles' },
    'misspelled rolemode': { rolemode: 'any' },
    'roleMode not all/any': { requiredRoles: ['a'], roleMode: 'some' },
    'roleMode in upper case': { requiredRoles: ['a'], roleMode: 'ANY' },
    'roleMode a boolean': { requiredRoles: ['a'], roleMode: true },
    'requiredRoles a string': { requiredRoles: 'admin' },
    'requiredRoles with a number': { requiredRoles: ['admin', 1] },
    'requiredRoles with an empty name': { requiredRoles: [''] },
    'requiredRoles null': { requiredRoles: null },
    'requiredRoles an object': { requiredRoles: { admin: true } },
    'roleClaim a number': { roleClaim: 7 },
    'roleClaim empty': { roleClaim: '' },
    'roleClaim with an empty member': { roleClaim: 'realm_access..roles' },
    'roleClaim ending with a dot': { roleClaim: 'realm_access.' },
    'roleClaim an empty array': { roleClaim: [] },
    'roleClaim array with an empty member': { roleClaim: ['resource_access', ''] },
    'roleClaim array with a number': { roleClaim: ['resource_access', 1] },
    'roleClaim an object': { roleClaim: { path: 'roles' } },
  };
  for (const [name, extra] of Object.entries(bad)) {
    test(name, () => {
      expectMisuse(() => verify(everywhere, at(extra)));
      expectMisuse(() => createVerifier(opts(keys, extra)));
    });
  }

  test('per-call mistakes', () => {
    const v = createVerifier(opts(keys));
    for (const call of [
      { requiredRole: ['a'] },
      { roleClaim: 'roles' }, // compiled once, not per call
      { requiredRoles: 'a' },
      { requiredRoles: [''] },
      { requiredRoles: ['a'], roleMode: 'either' },
    ]) {
      expectMisuse(() => v.verify(everywhere, { now: T0, ...call }));
    }
  });

  test('misuse is a TypeError, not a TollgateError', () => {
    const err = expectMisuse(() => verify(everywhere, at({ requiredRole: ['admin'] })));
    assert.ok(!(err instanceof tollgate.TollgateError));
    assert.equal(err.status, undefined);
    assert.match(err.message, /requiredRole/);
  });
});

describe('a malformed roles claim only fails when roles are required', () => {
  const shapes = {
    'an array holding an object': [{}],
    'an array holding a number': ['admin', 7],
    'a number': 7,
    'an object': { admin: true },
    'a boolean': true,
    'null': null,
  };
  for (const [name, value] of Object.entries(shapes)) {
    test(name, async () => {
      const t = await token({ roles: value, scope: 'read:messages' });
      // Nothing needs roles: the token verifies, its roles are empty.
      const r = verify(t, at());
      assert.deepEqual(r.roles, []);
      assert.deepEqual(r.scopes, ['read:messages']);
      assert.ok(verify(t, at({ requiredScopes: ['read:messages'] })));
      assert.ok(createVerifier(opts(keys)).verify(t, { now: T0 }));
      // Roles needed: 401 ERR_JWT_INVALID (the token is malformed, not the user unprivileged).
      const err = expectTokenError(() => verify(t, at({ requiredRoles: ['admin'] })), { code: 'ERR_JWT_INVALID', status: 401 }, t);
      assert.match(err.wwwAuthenticate, /error="invalid_token"/);
      expectTokenError(() => createVerifier(opts(keys)).verify(t, { now: T0, requiredRoles: ['admin'], roleMode: 'any' }),
        { code: 'ERR_JWT_INVALID', status: 401 }, t);
    });
  }

  test('a malformed claim outside roleClaim is not read', async () => {
    const t = await token({ roles: [{}], realm_access: { roles: ['admin'] } });
    assert.ok(verify(t, at({ roleClaim: 'realm_access.roles', requiredRoles: ['admin'] })));
    expectTokenError(() => verify(t, at({ requiredRoles: ['admin'] })), { code: 'ERR_JWT_INVALID', status: 401 }, t);
    expectTokenError(() => verify(t, at({ roleClaim: 'other', requiredRoles: ['admin'] })),
      { code: 'ERR_JWT_INSUFFICIENT_ROLE', status: 403, missing: ['admin'] }, t);
  });
});
