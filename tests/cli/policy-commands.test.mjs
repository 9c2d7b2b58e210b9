// `tollgate lint | test | catalog | drift`, run as a user runs them: exit codes and the
// lines people read. Needs the built package (pkg/wasm) with the Policy export.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LINT_CODES } from '../../pkg/governance.js';
import {
  run, runJson, fixture, example, readJson, scratch, writeJson, unsigned, assertNoLeak,
} from './helpers.mjs';

const POLICY = example('messages.policy.json');
const CASES = example('messages.cases.json');
const TOKENS = example('tokens.jsonl');
const policyDoc = readJson(POLICY);
const lintManifest = readJson(fixture('lint/manifest.json'));
const invalidManifest = readJson(fixture('invalid/manifest.json'));
// Without --strict, an error fails the run and a warning does not.
const EXIT = { error: 1, warning: 0 };

describe('tollgate (no command, help, usage)', () => {
  test('--help lists every command; exit 0', () => {
    const r = run(['--help']);
    assert.equal(r.code, 0);
    for (const command of ['lint', 'test', 'catalog', 'drift', 'inspect', 'verify']) assert.match(r.stdout, new RegExp(`^  ${command} `, 'm'));
    assert.equal(run([]).code, 0);
  });

  test('each command has --help; exit 0', () => {
    for (const command of ['lint', 'test', 'catalog', 'drift', 'inspect', 'verify']) {
      const r = run([command, '--help']);
      assert.equal(r.code, 0, command);
      assert.match(r.stdout, new RegExp(`^Usage: tollgate ${command} `), command);
    }
  });

  test('--version prints the package version', () => {
    const { version } = readJson(new URL('../../pkg/package.json', import.meta.url));
    assert.equal(run(['--version']).stdout.trim(), `tollgate ${version}`);
  });

  test('usage errors exit 2 with a message on stderr', () => {
    const cases = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['lint'], /missing POLICY/],
      [['lint', POLICY, '--bogus'], /Unknown option '--bogus'/],
      [['lint', POLICY, 'extra'], /too many arguments/],
      [['lint', 'no/such/policy.json'], /cannot read policy "no\/such\/policy.json": no such file/],
      [['lint', POLICY, '--now', '04/03/2026'], /--now must be a date YYYY-MM-DD/],
      [['lint', POLICY, '--max-lifetime', 'soon'], /--max-lifetime must be/],
      [['test', POLICY], /missing CASES/],
      [['catalog', POLICY, '--format', 'xml'], /--format must be markdown or json/],
      [['drift', POLICY, 'no/such.jsonl'], /cannot read tokens/],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
    }
  });
});

describe('tollgate lint', () => {
  for (const [code, spec] of Object.entries(lintManifest.codes)) {
    const args = (kind) => {
      const a = ['lint', fixture(`lint/${code}.${kind}.json`), '--now', spec.now ?? '2026-01-01'];
      if (spec.maxLifetime) a.push('--max-lifetime', spec.maxLifetime);
      return a;
    };

    const { severity } = LINT_CODES[code];
    test(`${code}: the positive fixture reports it (${severity}: exit ${EXIT[severity]})`, () => {
      const { code: exit, json } = runJson(args('positive'));
      const found = json.findings.filter((f) => f.code === code);
      assert.ok(found.length > 0, JSON.stringify(json.findings));
      if (spec.paths) assert.deepEqual(found.map((f) => f.path), spec.paths);
      if (spec.pathPrefix) for (const f of found) assert.ok(f.path.startsWith(spec.pathPrefix), f.path);
      for (const f of found) assert.equal(f.severity, severity);
      assert.equal(exit, EXIT[severity]);
      assert.equal(run(args('positive')).code, exit, 'the human output exits alike');
    });

    test(`${code}: the negative fixture does not`, () => {
      const { json } = runJson(args('negative'));
      assert.deepEqual(json.findings.filter((f) => f.code === code), []);
    });
  }

  test('warnings pass, and fail with --strict', () => {
    const file = fixture('lint/role-undocumented.positive.json');
    const plain = run(['lint', file]);
    assert.equal(plain.code, 0);
    assert.match(plain.stdout, /^warning role-undocumented  \$\.roles\.reader$/m);
    assert.match(plain.stdout, /role reader has no description/);
    assert.match(plain.stdout, /0 errors, 1 warning$/m);
    const strict = run(['lint', file, '--strict']);
    assert.equal(strict.code, 1);
    assert.match(strict.stdout, /--strict: warnings fail/);
  });

  test('errors: one line per finding with severity, code and path, then the message, then a summary', () => {
    const r = run(['lint', fixture('lint/rule-shadowed.positive.json')]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^error   rule-shadowed  \$\.rules\[1\]$/m);
    assert.match(r.stdout, /rules\[1\] "one" \(GET \/notes\/:id\) is never reached: rules\[0\] "all" \(GET \/notes\/\*\*\) matches every request it matches/);
    assert.match(r.stdout, /1 error, 0 warnings$/m);
  });

  test('load errors are findings at the path Policy.fromJson reports', () => {
    for (const [name, path] of Object.entries(invalidManifest.files)) {
      const { code, json } = runJson(['lint', fixture(`invalid/${name}`)]);
      assert.equal(code, 1, name);
      assert.equal(json.findings.length, 1, name);
      const [f] = json.findings;
      assert.deepEqual([f.severity, f.code, f.path], ['error', 'policy-invalid', path], `${name}: ${f.message}`);
      assert.ok(f.message.length > 0);
    }
  });

  test('a document that is not JSON is a finding with a position, never an excerpt', () => {
    const dir = scratch();
    const file = writeJson(dir, 'broken.json', '{\n  "version": 1,\n  "k": "hunter2-very-secret-value" oops\n}');
    const { code, json } = runJson(['lint', file]);
    assert.equal(code, 1);
    assert.deepEqual(json.findings.map((f) => [f.code, f.path]), [['policy-invalid', '$']]);
    assert.match(json.findings[0].message, /not valid JSON \(line 3, column \d+\)/);
    assert.ok(!run(['lint', file]).out.includes('hunter2'));
  });

  test('the messages example: clean now, deprecated in 2027, sunset after June 2027', () => {
    assert.equal(run(['lint', POLICY, '--now', '2026-03-04']).stdout.trim(), `${POLICY}: no findings`);
    const deprecated = runJson(['lint', POLICY, '--now', '2027-02-01']);
    assert.equal(deprecated.code, 0);
    assert.deepEqual(deprecated.json.findings.map((f) => f.code), ['scope-deprecated']);
    const sunset = runJson(['lint', POLICY, '--now', '2027-07-01']);
    assert.equal(sunset.code, 1);
    assert.deepEqual(sunset.json.findings.map((f) => f.code), ['scope-sunset']);
  });

  test('the messages example against lifetime budgets', () => {
    const tight = runJson(['lint', POLICY, '--now', '2026-03-04', '--max-lifetime', '4m']);
    assert.equal(tight.code, 1);
    assert.deepEqual(tight.json.findings.filter((f) => f.severity === 'error').map((f) => f.path),
      ['$.scopes["admin:messages"].maxTokenLifetime']);
    const hour = runJson(['lint', POLICY, '--now', '2026-03-04', '--max-lifetime', '3600']);
    assert.equal(hour.code, 0);
    assert.deepEqual(hour.json.findings.map((f) => f.code), ['lifetime-missing', 'lifetime-missing']);
    assert.equal(run(['lint', POLICY, '--now', '2026-03-04', '--max-lifetime', '1h', '--strict']).code, 1);
  });
});

describe('tollgate test', () => {
  test('the messages example: every case passes, full coverage; exit 0', () => {
    const { cases } = readJson(CASES);
    const r = run(['test', POLICY, CASES]);
    assert.equal(r.code, 0, r.out);
    const lines = r.stdout.split('\n');
    assert.equal(lines.filter((l) => l.startsWith('ok ')).length, cases.length);
    assert.equal(lines.filter((l) => l.startsWith('FAIL')).length, 0);
    for (const c of cases) assert.ok(lines.some((l) => l.startsWith('ok ') && l.endsWith(`  ${c.name}`)), c.name);
    assert.match(r.stdout, new RegExp(`^${cases.length} cases: ${cases.length} passed, 0 failed$`, 'm'));
    assert.match(r.stdout, /every rule is matched by a case, every required scope is missing in a denied case/);
    assert.equal(run(['test', POLICY, CASES, '--require-coverage']).code, 0);
  });

  test('the example cases cover what the brief asks for', () => {
    const { cases, revocations } = readJson(CASES);
    const expects = cases.map((c) => c.expect);
    for (const constraint of ['ipRanges', 'environments', 'timeWindows', 'maxTokenLifetime']) {
      assert.ok(expects.some((e) => e.constraint === constraint), constraint);
    }
    for (const code of ['ERR_NO_CREDENTIALS', 'ERR_POLICY_NO_MATCHING_RULE', 'ERR_JWT_INSUFFICIENT_SCOPE', 'ERR_JWT_REVOKED', 'ERR_INVALID_REQUEST']) {
      assert.ok(expects.some((e) => e.code === code), code);
    }
    assert.ok(cases.some((c) => c.claims === null && c.expect.allow === true), 'a public route');
    assert.ok(cases.some((c) => /admin:messages/.test(c.claims?.scope ?? '') && !c.claims.roles.includes('admin') && c.expect.allow === false),
      'an admin scope in a non-admin token');
    assert.ok(revocations);
  });

  test('failures: one FAIL line per case with each difference and the decision; exit 1', () => {
    const r = run(['test', POLICY, fixture('cases/failing.cases.json')]);
    assert.equal(r.code, 1);
    const out = r.stdout;
    assert.match(out, /^ok +1  reader reads$/m);
    assert.match(out, /^FAIL +2  wrong: a reader may not post$/m);
    assert.match(out, /allow: expected true, got false/);
    assert.match(out, /status: expected 200, got 403/);
    assert.match(out, /rule: expected rules\[0\], got rules\[1\] "write"/);
    assert.match(out, /decision: deny 403 ERR_JWT_INSUFFICIENT_SCOPE \(rules\[1\] "write"; missing scopes write:messages\)/);
    assert.match(out, /^FAIL +3  wrong: the constraint and missing scopes$/m);
    assert.match(out, /constraint: expected "environments", got "ipRanges"/);
    assert.match(out, /missingScopes: expected \["admin:messages"\], got \[\]/);
    assert.doesNotMatch(out, /code: expected "ERR_POLICY_CONSTRAINT_FAILED"/, 'a matching field is not a difference');
    assert.match(out, /^FAIL +4  malformed: misspelled expectation\n +invalid case: unknown expect field "stauts"/m);
    assert.match(out, /^FAIL +5  malformed: no request\n +invalid case: request must be an object/m);
    assert.match(out, /^5 cases: 1 passed, 4 failed$/m);
  });

  test('a case expecting another rule: the rules the request matches, in order (Policy.cover)', () => {
    const dir = scratch();
    const policy = writeJson(dir, 'policy.json', {
      version: 1,
      scopes: { read: { description: 'Read', owner: 'team' } },
      rules: [
        { id: 'one', method: 'GET', path: '/a/:id', scopes: ['read'] },
        { id: 'all', method: '*', path: '/a/**', scopes: ['read'] },
        { id: 'b', method: 'GET', path: '/b', scopes: ['read'] },
      ],
    });
    const cases = writeJson(dir, 'cases.json', {
      cases: [
        { name: 'shadowed here', claims: { scope: 'read' }, request: { method: 'HEAD', path: '/a/1' }, expect: { rule: 'all' } },
        { name: 'one match', claims: { scope: 'read' }, request: { method: 'GET', path: '/b' }, expect: { rule: 'one' } },
      ],
    });
    const r = run(['test', policy, cases]);
    assert.equal(r.code, 1, r.out);
    assert.match(r.stdout, /^FAIL +1  shadowed here\n +rule: expected "all", got rules\[0\] "one"\n +the request matches rules\[0\], rules\[1\], in order: the first decides$/m);
    assert.match(r.stdout, /^FAIL +2  one match\n +rule: expected "one", got rules\[2\] "b"\n +decision:/m);
  });

  test('coverage: unmatched rules and scopes never missing are warnings; --require-coverage fails', () => {
    const file = fixture('cases/partial.cases.json');
    const r = run(['test', POLICY, file]);
    assert.equal(r.code, 0, r.out);
    const matched = new Set(['read', 'write']);
    for (const [index, rule] of policyDoc.rules.entries()) {
      const line = new RegExp(`warning rules\\[${index}\\] "${rule.id}" .* is matched by no case`);
      if (matched.has(rule.id)) assert.doesNotMatch(r.stdout, line);
      else assert.match(r.stdout, line);
    }
    assert.match(r.stdout, /warning scope read:messages is never missing in a denied case/);
    assert.match(r.stdout, /warning scope admin:messages is never missing in a denied case/);
    assert.doesNotMatch(r.stdout, /scope write:messages is never missing/);
    const strict = run(['test', POLICY, file, '--require-coverage']);
    assert.equal(strict.code, 1);
    assert.match(strict.stdout, /error +rules\[2\] "admin"/);
  });

  test('--json: cases with decisions, totals and coverage', () => {
    const { code, json } = runJson(['test', POLICY, fixture('cases/partial.cases.json')]);
    assert.equal(code, 0);
    assert.equal(json.passed, 2);
    assert.equal(json.failed, 0);
    assert.equal(json.cases[1].decision.code, 'ERR_JWT_INSUFFICIENT_SCOPE');
    assert.deepEqual(json.coverage.rulesNotMatched.map((r) => r.id), ['admin', 'health']);
    assert.deepEqual(json.coverage.scopesNotDenied.sort(), ['admin:messages', 'read:messages']);
  });

  test('a case may give a compact token: decoded without verification, never echoed', () => {
    const dir = scratch();
    const token = unsigned({ sub: 'user-1', scope: 'read:messages', roles: ['reader'] });
    const broken = `${token.split('.')[0]}.%%%.${token.split('.')[2]}`;
    const file = writeJson(dir, 'cases.json', {
      cases: [
        { name: 'token reads', token, request: { method: 'GET', path: '/messages/1' }, expect: { allow: true, rule: 'read' } },
        { name: 'token posts', token, request: { method: 'POST', path: '/messages/1' }, expect: { allow: true } },
        { name: 'broken token', token: broken, request: { method: 'GET', path: '/messages/1' }, expect: { allow: false } },
      ],
    });
    const r = run(['test', POLICY, file]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^ok +1  token reads$/m);
    assert.match(r.stdout, /^FAIL +2  token posts$/m);
    assert.match(r.stdout, /^FAIL +3  broken token\n +invalid case: token does not decode: ERR_JWS_INVALID/m);
    assertNoLeak(r.out, token);
    assertNoLeak(r.out, broken);
  });

  test('request.now as an ISO date and as seconds decide alike', () => {
    const dir = scratch();
    const base = readJson(CASES).cases.find((c) => c.expect.constraint === 'timeWindows');
    const seconds = Math.floor(Date.parse(base.request.now) / 1000);
    const file = writeJson(dir, 'cases.json', {
      cases: [
        base,
        { ...base, name: 'seconds', request: { ...base.request, now: seconds } },
        { ...base, name: 'bad date', request: { ...base.request, now: 'next tuesday' } },
      ],
    });
    const r = run(['test', POLICY, file]);
    assert.match(r.stdout, /^ok +1 /m);
    assert.match(r.stdout, /^ok +2  seconds$/m);
    assert.match(r.stdout, /^FAIL +3  bad date\n +invalid case: request.now must be seconds or an ISO date/m);
  });

  test('a policy that does not load, or a cases file that is not JSON: exit 1 with the reason', () => {
    const invalid = run(['test', fixture('invalid/unknown-scope.json'), CASES]);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /policy does not load: ERR_POLICY_INVALID at \$\.rules\[0\]\.scopes\[0\]/);
    const dir = scratch();
    const notJson = run(['test', POLICY, writeJson(dir, 'cases.json', '{"cases": [')]);
    assert.equal(notJson.code, 1);
    assert.match(notJson.stderr, /cases is not valid JSON/);
    const notCases = run(['test', POLICY, writeJson(dir, 'other.json', { tests: [] })]);
    assert.equal(notCases.code, 1);
    assert.match(notCases.stderr, /cases must be an object \{ "cases": \[\.\.\.\] \}/);
  });
});

describe('tollgate catalog', () => {
  test('Markdown: scopes, roles and routes tables, one row per entry', () => {
    const r = run(['catalog', POLICY, '--now', '2026-03-04']);
    assert.equal(r.code, 0, r.out);
    const md = r.stdout;
    const table = (title) => md.split(`## ${title}`)[1].split('\n## ')[0].split('\n').filter((l) => l.startsWith('| ')).slice(1);
    assert.equal(table('Scopes').length, Object.keys(policyDoc.scopes).length);
    assert.equal(table('Roles').length, Object.keys(policyDoc.roles).length);
    assert.equal(table('Routes').length, policyDoc.rules.length);
    for (const [name, def] of Object.entries(policyDoc.scopes)) {
      const row = table('Scopes').find((l) => l.startsWith(`| \`${name}\``));
      assert.ok(row, name);
      assert.ok(row.includes(def.description) && row.includes(def.owner), row);
    }
    const write = table('Scopes').find((l) => l.startsWith('| `write:messages`'));
    assert.match(write, /`GET \/messages\/\*\*` via `read:messages`/);
    assert.match(write, /`POST,PUT,DELETE \/messages\/:id`/);
    const read = table('Scopes').find((l) => l.startsWith('| `read:messages`'));
    assert.match(read, /writer \(inherits reader\)/);
    const admin = table('Scopes').find((l) => l.startsWith('| `admin:messages`'));
    assert.match(admin, /env production/);
    assert.match(admin, /lifetime ≤ 5m/);
    assert.match(admin, /deprecated from 2027-01-01; sunset 2027-06-01/);
  });

  test('lifecycle follows --now', () => {
    assert.match(run(['catalog', POLICY, '--now', '2027-07-01']).stdout, /\*\*sunset\*\* since 2027-06-01/);
  });

  test('--format json (and --json) give the same structured catalog', () => {
    const a = run(['catalog', POLICY, '--format', 'json', '--now', '2026-03-04']);
    const b = runJson(['catalog', POLICY, '--now', '2026-03-04']);
    assert.equal(a.code, 0);
    assert.deepEqual(JSON.parse(a.stdout), b.json);
    assert.deepEqual(b.json.scopes.map((s) => s.name), Object.keys(policyDoc.scopes));
    assert.deepEqual(b.json.roles.map((r) => r.name), Object.keys(policyDoc.roles));
    assert.equal(b.json.rules.length, policyDoc.rules.length);
  });

  test('a policy that does not load: exit 1', () => {
    const r = run(['catalog', fixture('invalid/host-bits.json')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ERR_POLICY_INVALID at \$\.scopes\["admin:notes"\]\.constraints\.ipRanges\[1\]/);
  });
});

describe('tollgate drift', () => {
  test('the example tokens: an unknown scope, an unhonoured scope, an unknown role; exit 1', () => {
    const r = run(['drift', POLICY, TOKENS]);
    assert.equal(r.code, 1, r.out);
    const entries = readFileSync(TOKENS, 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    assert.match(r.stdout, new RegExp(`^${entries.length} tokens read \\(decoded, not verified\\)$`, 'm'));
    assert.match(r.stdout, /unknown scopes[^\n]*\n  delete:messages  1 token\n/);
    assert.match(r.stdout, /not honoured[^\n]*\n  admin:messages  1 token\n/);
    assert.match(r.stdout, /unknown roles[^\n]*\n  offline_access  1 token\n/);
    assert.match(r.stdout, /^drift found$/m);
  });

  test('clean tokens: no drift; exit 0', () => {
    const r = run(['drift', POLICY, fixture('drift/clean.jsonl')]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /^3 tokens read/);
    assert.match(r.stdout, /^no drift$/m);
  });

  test('over-privilege: a scope roles grant that no rule needs', () => {
    const dir = scratch();
    const doc = structuredClone(policyDoc);
    doc.scopes['export:messages'] = { description: 'Export', owner: 'messaging' };
    doc.roles.admin.grants.push('export:messages');
    const policy = writeJson(dir, 'policy.json', doc);
    const r = run(['drift', policy, fixture('drift/clean.jsonl')]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /over-privilege[^\n]*\n  export:messages  granted by roles admin\n/);
    const { json } = runJson(['drift', policy, '-'], { input: '{"scope":"export:messages","roles":["admin"]}\n' });
    assert.deepEqual(json.overPrivileged, [{ name: 'export:messages', count: 1, roles: ['admin'] }]);
  });

  test('malformed lines: reported by number, never by content; exit 1', () => {
    const file = fixture('drift/malformed.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    const r = run(['drift', POLICY, file]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^1 token read, 3 malformed lines/m);
    assert.match(r.stdout, /^  line 3: not valid JSON$/m);
    assert.match(r.stdout, /^  line 4: not a decodable JWT \(ERR_\w+\)$/m);
    assert.match(r.stdout, /^  line 5: not a decodable JWT/m);
    for (const line of lines.slice(2, 5)) {
      for (const piece of line.split(/[."\s,[\]{}:]+/).filter((p) => p.length >= 12)) {
        assert.ok(!r.out.includes(piece), `output contains "${piece}"`);
      }
    }
    const { json } = runJson(['drift', POLICY, file]);
    assert.deepEqual(json.malformed.map((m) => m.line), [3, 4, 5]);
  });

  test('tokens from stdin; --json', () => {
    const input = [
      unsigned({ sub: 'a', scope: 'read:messages legacy:thing', roles: ['reader'] }),
      unsigned({ sub: 'b', scope: 'legacy:thing' }),
    ].join('\n');
    const { code, json } = runJson(['drift', POLICY, '-'], { input });
    assert.equal(code, 1);
    assert.equal(json.tokens, 2);
    assert.deepEqual(json.unknownScopes, [{ name: 'legacy:thing', count: 2 }]);
    assert.equal(json.drift, true);
  });
});
