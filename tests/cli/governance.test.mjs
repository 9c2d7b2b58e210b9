// governance.js: the reports behind `tollgate lint | catalog | drift`, over a compiled
// Policy (the policy wasm module, through pkg/policy-node.js: `make pkg` first). The route
// and closure answers they print are the core's; these tests pin the reports, and check
// the core's answers (shadowing, grant expansion, claims) end to end through the package.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import {
  LINT_CODES, lintPolicy, parseDuration, formatDuration,
  jsonPath, buildCatalog, catalogMarkdown, detectDrift, policyModel,
  describeConstraints,
} from '../../pkg/governance.js';
import { Policy } from '../../pkg/policy-node.js';

const fixture = (name) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const exampleDoc = JSON.parse(readFileSync(new URL('../../examples/policy/messages.policy.json', import.meta.url), 'utf8'));
const load = (doc) => Policy.fromJson(doc);
const example = load(exampleDoc);
const lint = (doc, options) => lintPolicy(load(doc), options);
const manifest = fixture('lint/manifest.json');

/** A policy with one scope and the given rules (method, path pairs). */
function rulesDoc(...rules) {
  return {
    version: 1,
    scopes: { 'read:a': { description: 'A', owner: 'team' } },
    rules: rules.map(([method, path], i) => ({ id: `r${i}`, method, path, scopes: ['read:a'] })),
  };
}

/** The shadowed rules of a document, as the compiled policy reports them. */
const shadowedRules = (doc) => load(doc).describe().rules
  .filter((r) => r.shadowedBy !== null)
  .map((r) => ({ index: r.index, by: r.shadowedBy }));
const shadowed = (...rules) => shadowedRules(rulesDoc(...rules));
/** Whether the rules with paths `general` (GET, in order) leave no request for a GET rule with path `specific`. */
const patternsCover = (general, specific) =>
  shadowed(...general.map((g) => ['GET', g]), ['GET', specific]).some((s) => s.index === general.length);
const patternCovers = (general, specific) => patternsCover([general], specific);

describe('lint fixtures: each code has a positive and a negative policy', () => {
  test('every lint code has a fixture pair and a manifest entry', () => {
    const files = new Set(readdirSync(new URL('./fixtures/lint/', import.meta.url)));
    for (const code of Object.keys(LINT_CODES)) {
      assert.ok(manifest.codes[code], `manifest entry for ${code}`);
      assert.ok(files.has(`${code}.positive.json`), `${code}.positive.json`);
      assert.ok(files.has(`${code}.negative.json`), `${code}.negative.json`);
    }
    assert.deepEqual(Object.keys(manifest.codes).sort(), Object.keys(LINT_CODES).sort());
  });

  for (const [code, spec] of Object.entries(manifest.codes)) {
    if (code === 'policy-invalid') continue; // needs Policy.fromJson: see cli.test.mjs
    const options = { now: spec.now ?? '2026-01-01', maxLifetime: spec.maxLifetime };

    test(`${code}: positive reports exactly it, at the expected paths`, () => {
      const findings = lint(fixture(`lint/${code}.positive.json`), options);
      assert.deepEqual([...new Set(findings.map((f) => f.code))], [code], JSON.stringify(findings, null, 2));
      assert.deepEqual(findings.map((f) => f.path), spec.paths);
      for (const f of findings) {
        assert.equal(f.severity, LINT_CODES[code].severity);
        assert.equal(typeof f.message, 'string');
        assert.ok(f.message.length > 20, f.message);
      }
    });

    test(`${code}: negative does not report it`, () => {
      const findings = lint(fixture(`lint/${code}.negative.json`), options);
      assert.deepEqual(findings.filter((f) => f.code === code), []);
    });
  }

  test('the messages example lints clean before its deprecation date', () => {
    assert.deepEqual(lintPolicy(example, { now: '2026-03-04' }), []);
  });

  test('the messages example: admin:messages deprecated in 2027-02, sunset in 2027-07', () => {
    const feb = lintPolicy(example, { now: '2027-02-01' });
    assert.deepEqual(feb.map((f) => [f.severity, f.code, f.path]), [
      ['warning', 'scope-deprecated', '$.scopes["admin:messages"].deprecated'],
    ]);
    assert.match(feb[0].message, /granted by role admin/);
    assert.match(feb[0].message, /required by rules\[2\] "admin"/);
    const jul = lintPolicy(example, { now: '2027-07-01' });
    assert.deepEqual(jul.map((f) => f.code), ['scope-sunset']);
    assert.equal(jul[0].severity, 'error');
  });

  test('the messages example under a 1h budget: rules reachable with unbounded tokens are warned', () => {
    const findings = lintPolicy(example, { now: '2026-03-04', maxLifetime: '1h' });
    assert.deepEqual(findings.map((f) => [f.code, f.path]), [
      ['lifetime-missing', '$.scopes["read:messages"]'],
      ['lifetime-missing', '$.scopes["write:messages"]'],
    ]);
    // admin:messages is 300 s: within a 5-minute budget, over a 4-minute one.
    assert.deepEqual(lintPolicy(example, { now: '2026-03-04', maxLifetime: 300 }).filter((f) => f.code === 'lifetime-over-budget'), []);
    const over = lintPolicy(example, { now: '2026-03-04', maxLifetime: '4m' }).filter((f) => f.code === 'lifetime-over-budget');
    assert.deepEqual(over.map((f) => f.path), ['$.scopes["admin:messages"].maxTokenLifetime']);
  });

  test('errors come before warnings', () => {
    const doc = fixture('lint/rule-shadowed.positive.json');
    doc.scopes['read:notes'] = {}; // undocumented: a warning, defined before the rules
    const findings = lint(doc);
    assert.deepEqual(findings.map((f) => f.severity), ['error', 'warning']);
  });

  test('a bad budget is a caller error', () => {
    assert.throws(() => lintPolicy(example, { maxLifetime: 'soon' }), TypeError);
  });
});

describe('shadowed rules', () => {
  test('/a/** shadows a later /a/:id', () => {
    assert.deepEqual(shadowed(['GET', '/a/**'], ['GET', '/a/:id']), [{ index: 1, by: [0] }]);
  });

  test('/a/** also shadows /a (** matches zero segments) and /a/b/c', () => {
    assert.deepEqual(shadowed(['GET', '/a/**'], ['GET', '/a']), [{ index: 1, by: [0] }]);
    assert.deepEqual(shadowed(['GET', '/a/**'], ['GET', '/a/b/c']), [{ index: 1, by: [0] }]);
  });

  test('order matters: a specific rule before a general one shadows nothing', () => {
    assert.deepEqual(shadowed(['GET', '/a/:id'], ['GET', '/a/**']), []);
  });

  test('/a/* does not shadow /a/** (/a and /a/b/c reach it), /a/** shadows /a/*', () => {
    assert.deepEqual(shadowed(['GET', '/a/*'], ['GET', '/a/**']), []);
    assert.deepEqual(shadowed(['GET', '/a/**'], ['GET', '/a/*']), [{ index: 1, by: [0] }]);
  });

  test(':id and * are the same one-segment wildcard', () => {
    assert.deepEqual(shadowed(['GET', '/a/:id'], ['GET', '/a/*']), [{ index: 1, by: [0] }]);
    assert.deepEqual(shadowed(['GET', '/a/*'], ['GET', '/a/:other']), [{ index: 1, by: [0] }]);
    assert.deepEqual(shadowed(['GET', '/a/:id/b'], ['GET', '/a/*/b']), [{ index: 1, by: [0] }]);
  });

  test('a parameter shadows a literal, not the other way round', () => {
    assert.deepEqual(shadowed(['GET', '/a/:id'], ['GET', '/a/me']), [{ index: 1, by: [0] }]);
    assert.deepEqual(shadowed(['GET', '/a/me'], ['GET', '/a/:id']), []);
  });

  test('different literals, different depths and case do not shadow', () => {
    assert.deepEqual(shadowed(['GET', '/a/**'], ['GET', '/b/x']), []);
    assert.deepEqual(shadowed(['GET', '/a/:id'], ['GET', '/a/:id/x']), []);
    assert.deepEqual(shadowed(['GET', '/A/**'], ['GET', '/a/x']), []);
  });

  test('method * shadows any method; a named method does not shadow *', () => {
    assert.deepEqual(shadowed(['*', '/a/**'], ['POST', '/a/x']), [{ index: 1, by: [0] }]);
    assert.deepEqual(shadowed(['*', '/a/**'], ['*', '/a/x']), [{ index: 1, by: [0] }]);
    assert.deepEqual(shadowed(['GET', '/a/**'], ['*', '/a/x']), []);
    assert.deepEqual(
      shadowed([['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], '/a/**'], ['*', '/a/x']),
      [],
      'a method no earlier rule names (e.g. PROPFIND) still reaches it',
    );
  });

  test('GET covers HEAD; HEAD does not cover GET', () => {
    assert.deepEqual(shadowed(['GET', '/a'], ['HEAD', '/a']), [{ index: 1, by: [0] }]);
    assert.deepEqual(shadowed(['HEAD', '/a'], ['GET', '/a']), [], 'GET requests still reach it');
    assert.deepEqual(shadowed(['HEAD', '/a'], ['HEAD', '/a']), [{ index: 1, by: [0] }]);
  });

  test('methods are case-insensitive', () => {
    assert.deepEqual(shadowed(['get', '/a'], ['GET', '/a']), [{ index: 1, by: [0] }]);
  });

  test('a later rule with more methods is reached by the extra ones', () => {
    assert.deepEqual(shadowed(['GET', '/a'], [['GET', 'POST'], '/a']), []);
  });

  test('several earlier rules together can shadow a rule; the report names them', () => {
    assert.deepEqual(shadowed(['GET', '/a'], ['POST', '/a'], [['GET', 'POST'], '/a']), [{ index: 2, by: [0, 1] }]);
    assert.deepEqual(shadowed(['GET', '/a'], ['GET', '/a/*/**'], ['GET', '/a/**']), [{ index: 2, by: [0, 1] }]);
    const findings = lint(rulesDoc(['GET', '/a'], ['POST', '/a'], [['GET', 'POST'], '/a']));
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /rules\[0\].*and rules\[1\].*together match/);
  });

  test('the report names a minimal set of the earliest rules', () => {
    const result = shadowed(['GET', '/a/**'], ['GET', '/a/:id'], ['GET', '/a/:id']);
    assert.deepEqual(result, [{ index: 1, by: [0] }, { index: 2, by: [0] }]);
  });

  test('a public rule shadows like any other', () => {
    const doc = rulesDoc(['GET', '/a/x']);
    doc.rules.unshift({ method: 'GET', path: '/a/**', public: true });
    assert.deepEqual(shadowedRules(doc), [{ index: 1, by: [0] }]);
  });

  test('/** shadows everything after it; / is only the root', () => {
    assert.deepEqual(shadowed(['*', '/**'], ['GET', '/']), [{ index: 1, by: [0] }]);
    assert.deepEqual(shadowed(['GET', '/'], ['GET', '/a']), []);
  });
});

describe('pattern coverage', () => {
  const cases = [
    ['/a/**', '/a/:id', true],
    ['/a/**', '/a', true],
    ['/a/*', '/a/**', false],
    ['/a/:x', '/a/*', true],
    ['/a/*', '/a/:x', true],
    ['/a/x', '/a/*', false],
    ['/a/*/c', '/a/b/c', true],
    ['/a/b/c', '/a/*/c', false],
    ['/**', '/', true],
    ['/**', '/x/y/**', true],
    ['/*/**', '/**', false],
    ['/a//b/', '/a/b', true],
  ];
  for (const [general, specific, expected] of cases) {
    test(`${general} ${expected ? 'covers' : 'does not cover'} ${specific}`, () => {
      assert.equal(patternCovers(general, specific), expected);
    });
  }

  test('unions: /a with /a/*/** cover /a/**; two literals do not cover a wildcard', () => {
    assert.equal(patternsCover(['/a', '/a/*/**'], '/a/**'), true);
    assert.equal(patternsCover(['/a/*/**'], '/a/**'), false);
    assert.equal(patternsCover(['/a/x', '/a/y'], '/a/*'), false);
    assert.equal(patternsCover(['/a/x', '/a/:id'], '/a/*'), true);
    assert.equal(patternsCover([], '/a'), false);
  });

  test('many overlapping wildcard patterns stay fast', () => {
    // Pattern i is `*` everywhere but a literal `x` at position i: 2^14 paths to tell apart.
    const depth = 14;
    const general = Array.from({ length: depth }, (_, i) =>
      `/${Array.from({ length: depth }, (_, j) => (j === i ? 'x' : '*')).join('/')}/**`);
    const start = performance.now();
    assert.equal(patternsCover(general, `/${'*/'.repeat(depth)}**`), false);
    assert.equal(patternsCover([...general, `/${'*/'.repeat(depth)}**`], `/${'x/'.repeat(depth)}q`), true);
    assert.ok(performance.now() - start < 2000, `${performance.now() - start} ms`);
  });
});

describe('unsatisfiable rules', () => {
  const base = () => fixture('lint/rule-unsatisfiable.positive.json');
  const codes = (doc) => lint(doc).filter((f) => f.code === 'rule-unsatisfiable').map((f) => f.path);

  test('a scope only another role grants', () => {
    assert.deepEqual(codes(base()), ['$.rules[1].scopes[0]']);
  });

  test('satisfiable through inheritance', () => {
    const doc = base();
    doc.roles.reader.inherits = ['writer'];
    assert.deepEqual(codes(doc), []);
  });

  test('satisfiable through implication from a scope the role grants', () => {
    const doc = base();
    doc.scopes['read:notes'].implies = ['write:notes'];
    assert.deepEqual(codes(doc), []);
  });

  test('a scope no role grants is delegation-only: always satisfiable', () => {
    const doc = base();
    doc.roles.writer.grants = [];
    assert.deepEqual(codes(doc), []);
  });

  test('anyRoles count as the rule\'s roles; anyScopes needs one reachable', () => {
    const doc = base();
    doc.rules[1] = { method: 'POST', path: '/notes/:id', scopes: ['write:notes'], anyRoles: ['reader', 'writer'] };
    assert.deepEqual(codes(doc), []);
    doc.rules[1] = { method: 'POST', path: '/notes/:id', anyScopes: ['write:notes'], roles: ['reader'] };
    assert.deepEqual(codes(doc), ['$.rules[1].anyScopes']);
    doc.rules[1].anyScopes = ['write:notes', 'read:notes'];
    assert.deepEqual(codes(doc), []);
  });

  test('rules without roles are never unsatisfiable', () => {
    const doc = base();
    delete doc.rules[1].roles;
    assert.deepEqual(codes(doc), []);
  });
});

describe('usage', () => {
  test('a scope only implied by a used scope, required by no rule, granted by no role is unused', () => {
    const doc = fixture('lint/scope-unused.negative.json');
    doc.scopes['read:notes'].implies = ['export:notes'];
    doc.scopes['export:notes'].implies = [];
    const unused = lint(doc).filter((f) => f.code === 'scope-unused').map((f) => f.path);
    assert.deepEqual(unused, ['$.scopes["export:notes"]']);
  });

  test('a role granted scope no rule needs is not "unused" (it is granted), but the role is', () => {
    const findings = lint(fixture('lint/role-unused.positive.json'));
    assert.deepEqual(findings.map((f) => f.code), ['role-unused']);
  });

  test('a role that grants nothing is used when it holds a role some rule requires', () => {
    const doc = {
      version: 1,
      scopes: { 'read:notes': { description: 'Read', owner: 'notes' } },
      roles: {
        member: { description: 'Signed-in member' },
        staff: { description: 'Staff: members too', inherits: ['member'] },
        guest: { description: 'Guest' },
      },
      rules: [{ method: 'GET', path: '/notes/**', scopes: ['read:notes'], roles: ['member'] }],
    };
    const unused = lint(doc).filter((f) => f.code === 'role-unused').map((f) => f.path);
    assert.deepEqual(unused, ['$.roles.guest']);
  });

  test('a wildcard grant does not count as a reference for unused or sunset scopes', () => {
    const doc = fixture('lint/scope-sunset.negative.json');
    doc.roles.reader.grants = ['*'];
    const codes = lint(doc, { now: '2026-01-01' }).map((f) => f.code);
    assert.ok(codes.includes('scope-unused'));
    assert.ok(!codes.includes('scope-sunset'));
  });

  test('a scope implied by another counts as used for sunset', () => {
    const doc = fixture('lint/scope-sunset.negative.json');
    doc.scopes['read:notes'].implies = ['legacy:notes'];
    const findings = lint(doc, { now: '2026-01-01' });
    // Still implied (error), and opening nothing (warning).
    assert.deepEqual(findings.map((f) => f.code), ['scope-sunset', 'scope-unused']);
    assert.match(findings[0].message, /implied by read:notes/);
  });

  test('sunset day itself counts as past; the day before does not', () => {
    const doc = fixture('lint/scope-sunset.positive.json');
    assert.deepEqual(lint(doc, { now: '2025-06-01' }).map((f) => f.code), ['scope-sunset']);
    assert.deepEqual(lint(doc, { now: '2025-05-31' }).map((f) => f.code), ['scope-deprecated']);
    assert.deepEqual(lint(doc, { now: '2024-12-31' }).map((f) => f.code), []);
  });
});

describe('catalog', () => {
  const catalog = buildCatalog(example, { now: '2026-03-04' });
  const scope = (name) => catalog.scopes.find((s) => s.name === name);

  test('a scope lists the routes it opens directly and via the scopes it implies', () => {
    const write = scope('write:messages');
    // Methods as the core compiled them (a list, upper case), as in a decision's `rule`.
    assert.deepEqual(write.routes.map((r) => [r.method, r.path, r.via]), [
      [['GET'], '/messages/**', 'read:messages'],
      [['POST', 'PUT', 'DELETE'], '/messages/:id', null],
    ]);
    const read = scope('read:messages');
    assert.deepEqual(read.routes.map((r) => [r.path, r.via, r.roles]), [['/messages/**', null, ['reader']]]);
    assert.deepEqual(read.impliedBy, ['write:messages']);
  });

  test('a scope lists the roles granting it, with inheritance', () => {
    assert.deepEqual(scope('read:messages').roles, [
      { role: 'reader' },
      { role: 'writer', inherits: 'reader' },
      { role: 'admin', inherits: 'reader' },
    ]);
    assert.deepEqual(scope('admin:messages').roles, [{ role: 'admin' }]);
  });

  test('constraints, lifetime and lifecycle', () => {
    const admin = scope('admin:messages');
    assert.deepEqual(admin.constraints.environments, ['production']);
    assert.equal(admin.constraints.maxTokenLifetime, 300);
    assert.equal(describeConstraints(admin.constraints),
      'IP 10.0.0.0/8, 2001:db8::/32; env production; mon-fri 08:00-18:00 UTC; lifetime ≤ 5m');
    assert.deepEqual(admin.lifecycle, { status: 'active', deprecated: '2027-01-01', sunset: '2027-06-01' });
    assert.equal(buildCatalog(example, { now: '2027-03-01' }).scopes[2].lifecycle.status, 'deprecated');
    assert.equal(buildCatalog(example, { now: '2027-06-01' }).scopes[2].lifecycle.status, 'sunset');
  });

  test('roles: transitive inheritance, effective scopes, rules that need them', () => {
    const admin = catalog.roles.find((r) => r.name === 'admin');
    assert.deepEqual([...admin.holds].sort(), ['reader', 'writer']);
    assert.deepEqual(admin.scopes, ['admin:messages', 'read:messages', 'write:messages']);
    assert.deepEqual(admin.rules.map((r) => [r.id, r.as]), [['read', 'reader'], ['admin', 'admin']]);
    const reader = catalog.roles.find((r) => r.name === 'reader');
    assert.deepEqual(reader.heldBy.sort(), ['admin', 'writer']);
  });

  test('wildcard grants expand over the catalog and say so', () => {
    const doc = fixture('lint/wildcard-broad.negative.json');
    const cat = buildCatalog(load(doc), { now: '2026-01-01' });
    assert.deepEqual(cat.scopes.map((s) => s.roles), [
      [{ role: 'notes-admin', wildcard: 'notes:*' }],
      [{ role: 'notes-admin', wildcard: 'notes:*' }],
    ]);
  });

  test('the Markdown has a scopes, a roles and a routes table, one row each', () => {
    const md = catalogMarkdown(catalog);
    const section = (title) => md.split(`## ${title}`)[1].split('\n## ')[0];
    const rows = (text) => text.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Scope') && !l.startsWith('| Role') && !l.startsWith('| #'));
    assert.equal(rows(section('Scopes')).length, Object.keys(exampleDoc.scopes).length);
    assert.equal(rows(section('Roles')).length, Object.keys(exampleDoc.roles).length);
    assert.equal(rows(section('Routes')).length, exampleDoc.rules.length);
    const writeRow = rows(section('Scopes')).find((l) => l.startsWith('| `write:messages`'));
    assert.match(writeRow, /`GET \/messages\/\*\*` via `read:messages`/);
    assert.match(writeRow, /Send, edit and delete/);
    // Every row has as many cells as its table's header.
    for (const title of ['Scopes', 'Roles', 'Routes']) {
      const lines = section(title).split('\n').filter((l) => l.startsWith('|'));
      const width = lines[0].split(/(?<!\\)\|/).length;
      for (const line of lines) assert.equal(line.split(/(?<!\\)\|/).length, width, line);
    }
  });

  test('Markdown cells escape pipes and newlines', () => {
    const doc = structuredClone(exampleDoc);
    doc.scopes['read:messages'].description = 'Read | list\nthreads';
    const md = catalogMarkdown(buildCatalog(load(doc), { now: '2026-03-04' }));
    const row = md.split('\n').find((l) => l.startsWith('| `read:messages`'));
    assert.ok(row.includes('Read \\| list threads'), row);
    const cells = row.split(/(?<!\\)\|/).length;
    const header = md.split('\n').find((l) => l.startsWith('| Scope'));
    assert.equal(cells, header.split('|').length);
  });

  test('a scope no role grants is shown as delegation-only', () => {
    const doc = fixture('lint/scope-unused.negative.json');
    const cat = buildCatalog(load(doc), { now: '2026-01-01' });
    const exp = cat.scopes.find((s) => s.name === 'export:notes');
    assert.equal(exp.delegationOnly, true);
    assert.deepEqual(exp.routes.map((r) => r.via), ['read:notes']);
    assert.match(catalogMarkdown(cat), /delegation-only/);
  });

  test('shadowed rules are marked in the routes', () => {
    const cat = buildCatalog(load(fixture('lint/rule-shadowed.positive.json')), { now: '2026-01-01' });
    assert.deepEqual(cat.rules.map((r) => r.shadowedBy), [null, [0]]);
    assert.match(catalogMarkdown(cat), /never reached: shadowed by #0/);
  });
});

describe('claims: read by the compiled policy (Policy.carried)', () => {
  const carried = (claims, extra = {}) => load({ version: 1, scopes: {}, ...extra }).carried(claims);
  const scopesOf = (claims, extra) => carried(claims, extra)?.scopes;
  const rolesOf = (claims, extra) => carried(claims, extra)?.roles;

  test('scopes from scope, scp and permissions by default; from scopeClaim only when set', () => {
    const claims = { scope: 'a b', scp: ['c'], permissions: ['d', 'a'], other: 'x' };
    assert.deepEqual(scopesOf(claims).sort(), ['a', 'b', 'c', 'd']);
    assert.deepEqual(scopesOf(claims, { scopeClaim: 'scp' }), ['c']);
    assert.deepEqual(scopesOf({ scope: '  a   b ' }), ['a', 'b']);
    assert.deepEqual(carried({ scope: 'a' }).unknownScopes, ['a']);
  });

  test('roles from roles, role, groups, realm_access.roles by default; roleClaim paths', () => {
    const claims = { roles: ['a'], role: 'b c', groups: ['d'], realm_access: { roles: ['e'] }, resource_access: { app: { roles: ['f'] } }, 'https://x.example/roles': ['g'] };
    assert.deepEqual(rolesOf(claims).sort(), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(rolesOf(claims, { roleClaim: 'resource_access.app.roles' }), ['f']);
    assert.deepEqual(rolesOf(claims, { roleClaim: 'https://x.example/roles' }), ['g']);
    assert.deepEqual(rolesOf(claims, { roleClaim: ['resource_access', 'app', 'roles'] }), ['f']);
    // Only the claims' own members: nothing inherited from Object.prototype.
    assert.deepEqual(rolesOf({}, { roleClaim: 'constructor.name' }), []);
    assert.deepEqual(scopesOf({}, { scopeClaim: 'toString' }), []);
  });

  test('a claim of the wrong shape is unreadable (null), as evaluation answers it 401', () => {
    assert.equal(carried({ scope: 42 }), null);
    assert.equal(carried({ groups: [{ id: 1 }] }), null);
    assert.equal(load({ version: 1, scopes: {} }).evaluate({ claims: { scope: 42 } }, { path: '/' }).code, 'ERR_JWT_INVALID');
  });
});

describe('drift', () => {
  test('unknown scopes, with counts', () => {
    const report = detectDrift(example, [
      { scope: 'read:messages delete:messages', roles: ['reader'] },
      { scope: 'delete:messages', roles: ['writer'] },
      { scope: 'legacy', roles: ['writer'] },
    ]);
    assert.deepEqual(report.unknownScopes, [{ name: 'delete:messages', count: 2 }, { name: 'legacy', count: 1 }]);
    assert.equal(report.drift, true);
  });

  test('clean tokens against a clean policy: no drift', () => {
    const report = detectDrift(example, [
      { scope: 'read:messages', roles: ['reader'] },
      { scope: 'read:messages write:messages', roles: ['writer'] },
      { scp: ['admin:messages'], realm_access: { roles: ['admin'] } },
    ]);
    assert.deepEqual(report, { tokens: 3, unknownScopes: [], overPrivileged: [], unhonoured: [], unknownRoles: [], unreadable: 0, drift: false });
  });

  test('over-privilege: catalog scopes tokens carry or roles grant that no rule needs', () => {
    const doc = structuredClone(exampleDoc);
    doc.scopes['export:messages'] = { description: 'Export', owner: 'messaging' };
    doc.scopes['archive:messages'] = { description: 'Archive', owner: 'messaging' };
    doc.roles.admin.grants.push('archive:messages');
    const report = detectDrift(load(doc), [{ scope: 'export:messages' }, { scope: 'export:messages read:messages', roles: ['reader'] }]);
    assert.deepEqual(report.overPrivileged, [
      { name: 'export:messages', count: 2, roles: [] },
      { name: 'archive:messages', count: 0, roles: ['admin'] },
    ]);
    assert.equal(report.drift, true);
  });

  test('a scope needed only through implication is not over-privilege', () => {
    const doc = fixture('lint/scope-unused.negative.json');
    assert.deepEqual(detectDrift(load(doc), [{ scope: 'export:notes' }]).overPrivileged, []);
  });

  test('unhonoured: a role-granted scope without a role that grants it', () => {
    const report = detectDrift(example, [
      { scp: ['write:messages', 'admin:messages'], groups: ['writer'] },
      { scope: 'admin:messages', roles: ['admin'] },
      { scope: 'write:messages' },
    ]);
    assert.deepEqual(report.unhonoured, [{ name: 'admin:messages', count: 1 }, { name: 'write:messages', count: 1 }]);
  });

  test('unknown roles are informational only', () => {
    const report = detectDrift(example, [{ scope: 'read:messages', roles: ['reader', 'offline_access'] }]);
    assert.deepEqual(report.unknownRoles, [{ name: 'offline_access', count: 1 }]);
    assert.equal(report.drift, false);
  });

  test('the policy\'s scopeClaim and roleClaim are honoured', () => {
    const doc = { ...structuredClone(exampleDoc), scopeClaim: 'scp', roleClaim: 'app.roles' };
    const report = detectDrift(load(doc), [{ scope: 'nope', scp: ['read:messages'], app: { roles: ['reader'] }, roles: ['ghost'] }]);
    assert.deepEqual(report.unknownScopes, []);
    assert.deepEqual(report.unhonoured, []);
    assert.deepEqual(report.unknownRoles, []);
  });
});

describe('helpers', () => {
  test('parseDuration: seconds and duration strings; NaN otherwise', () => {
    assert.equal(parseDuration(300), 300);
    assert.equal(parseDuration('300'), 300);
    assert.equal(parseDuration('5m'), 300);
    assert.equal(parseDuration('1.5h'), 5400);
    assert.equal(parseDuration('2 days'), 172_800);
    for (const bad of ['', 'soon', '5 parsecs', -1, Number.NaN, null, '1e3s']) assert.ok(Number.isNaN(parseDuration(bad)), String(bad));
  });

  test('formatDuration picks the largest exact unit', () => {
    assert.deepEqual([300, 3600, 90, 86_400, 5400].map(formatDuration), ['5m', '1h', '90s', '1d', '90m']);
  });

  test('jsonPath writes non-identifier names in brackets, like ERR_POLICY_INVALID', () => {
    assert.equal(jsonPath('roles', 'admin', 'inherits', 0), '$.roles.admin.inherits[0]');
    assert.equal(jsonPath('scopes', 'admin:messages', 'constraints', 'ipRanges', 1), '$.scopes["admin:messages"].constraints.ipRanges[1]');
  });

  test('the model: the closures of the core, indexed by name', () => {
    const model = policyModel(example);
    assert.deepEqual(model.scope('write:messages').impliesAll, ['read:messages']);
    assert.deepEqual([...model.role('admin').holds].sort(), ['admin', 'reader', 'writer']);
    assert.deepEqual([...model.role('writer').grantsAll].sort(), ['read:messages', 'write:messages']);
    assert.deepEqual([...model.granted('writer')].sort(), ['read:messages', 'write:messages']);
    assert.equal(model.needed('write:messages'), true);
  });
});
