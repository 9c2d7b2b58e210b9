// `tollgate apikey new | hash`, `tollgate basic hash` and `tollgate lint --apikeys`, run as a
// user would (the built pkg/cli.js): the key is printed once on stderr and never in the
// entry, the entry loads, the lint finds expired, ownerless and unknown-scope keys.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, pbkdf2Sync } from 'node:crypto';
import { run, runJson, scratch, writeJson, example } from './helpers.mjs';

const dir = scratch();
const NOW = 1_700_000_000;
const POLICY = example('messages.policy.json');

/** Mints a key with the CLI: `{ key, entry }`. */
function mintKey(args = []) {
  const r = run(['apikey', 'new', '--scopes', 'read:messages', '--owner', 'team-a', '--now', String(NOW), ...args]);
  assert.equal(r.code, 0, r.out);
  const key = r.stderr.trim().split('\n').at(-1);
  return { key, entry: JSON.parse(r.stdout), r };
}

describe('tollgate apikey', () => {
  test('new: the key once on stderr, the entry with only its hash on stdout', () => {
    const { key, entry, r } = mintKey(['--env', 'production', '--expires', '30d', '--roles', 'bot', '--description', 'CI']);
    assert.match(key, /^tg_[0-9A-Za-z]{12}_[0-9A-Za-z]{38}$/);
    assert.ok(!r.stdout.includes(key.split('_')[2]), 'the secret is not in the entry');
    assert.equal(r.stderr.split(key).length, 2, 'the key is printed once');
    assert.deepEqual(entry, {
      id: key.split('_')[1],
      sha256: createHash('sha256').update(key).digest('hex'),
      scopes: ['read:messages'],
      roles: ['bot'],
      owner: 'team-a',
      environment: 'production',
      expires: NOW + 30 * 86_400,
      created: NOW,
      description: 'CI',
    });
    assert.match(mintKey(['--prefix', 'acme', '--id', 'deploy']).key, /^acme_deploy_/);
    assert.equal(mintKey(['--expires', '2030-01-01']).entry.expires, Date.parse('2030-01-01T00:00:00Z') / 1000);
    const never = mintKey(['--expires', 'never']);
    assert.equal(never.entry.expires, null);
    assert.match(never.r.stderr, /never expires/);
  });

  test('new: usage errors exit 2', () => {
    for (const args of [
      ['apikey', 'new', '--owner', 'x'],
      ['apikey', 'new', '--scopes', 'a'],
      ['apikey', 'new', '--scopes', 'a b', '--owner', 'x'],
      ['apikey', 'new', '--scopes', 'a', '--owner', 'x', '--prefix', 'TG'],
      ['apikey', 'new', '--scopes', 'a', '--owner', 'x', '--expires', 'soon'],
      ['apikey', 'rotate'],
    ]) {
      assert.equal(run(args).code, 2, args.join(' '));
    }
  });

  test('hash: the catalog sha256 of a key; a bad checksum exits 1 without echoing the key', () => {
    const { key, entry } = mintKey();
    const r = run(['apikey', 'hash', key]);
    assert.equal(r.code, 0, r.out);
    assert.equal(r.stdout.trim(), entry.sha256);
    assert.equal(run(['apikey', 'hash', '-'], { input: `${key}\n` }).stdout.trim(), entry.sha256);
    const bad = `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`;
    const wrong = run(['apikey', 'hash', bad]);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /ERR_APIKEY_INVALID/);
    assert.ok(!wrong.out.includes(bad.split('_')[2]));
  });
});

describe('tollgate basic hash', () => {
  test('reads the password from stdin; PBKDF2-HMAC-SHA256 as node:crypto computes it', () => {
    const r = run(['basic', 'hash', 'alice', '--scopes', 'deploy', '--owner', 'ops'], { input: 'correct horse\n' });
    assert.equal(r.code, 0, r.out);
    const entry = JSON.parse(r.stdout);
    assert.equal(entry.username, 'alice');
    assert.equal(entry.iterations, 600_000);
    const salt = Buffer.from(entry.salt, 'base64url');
    assert.equal(salt.length, 16);
    assert.equal(entry.hash, pbkdf2Sync('correct horse', salt, 600_000, 32, 'sha256').toString('base64url'));
    assert.ok(!r.out.includes('correct horse'));
    assert.equal(run(['basic', 'hash', 'alice', '--iterations', '1000'], { input: 'x' }).code, 2);
    assert.equal(run(['basic', 'hash', 'al:ice'], { input: 'x' }).code, 2);
  });
});

describe('tollgate lint --apikeys', () => {
  const good = mintKey(['--expires', '2100-01-01']).entry;
  const catalog = (keys) => writeJson(dir, `catalog-${Math.random().toString(36).slice(2)}.json`, { version: 1, keys });

  test('a clean catalog: no findings, exit 0', () => {
    const r = run(['lint', '--apikeys', catalog([good]), '--policy', POLICY]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /no findings/);
  });

  test('expired keys, keys without owner, unknown scopes and roles', () => {
    const expired = { ...good, id: 'old', expires: NOW - 1 };
    const ownerless = { ...good, id: 'orphan' };
    delete ownerless.owner;
    const stray = { ...good, id: 'stray', scopes: ['read:messages', 'launch:rockets'], roles: ['pilot'] };
    const never = { ...good, id: 'forever', expires: null };
    const file = catalog([good, expired, ownerless, stray, never]);
    const r = runJson(['lint', '--apikeys', file, POLICY, '--now', '2024-01-01']);
    assert.equal(r.code, 1, r.out);
    const findings = r.json.files.find((f) => f.file === file).findings.map((f) => [f.code, f.path]);
    assert.deepEqual(findings, [
      ['apikey-expired', '$.keys[1].expires'],
      ['apikey-no-owner', '$.keys[2]'],
      ['apikey-unknown-scope', '$.keys[3].scopes[1]'],
      ['apikey-unknown-role', '$.keys[3].roles[0]'],
      ['apikey-no-expiry', '$.keys[4].expires'],
    ]);
    // Without a policy, scopes and roles are not judged.
    const alone = runJson(['lint', '--apikeys', file, '--now', '2024-01-01']);
    assert.deepEqual(alone.json.files[0].findings.map((f) => f.code), ['apikey-expired', 'apikey-no-owner', 'apikey-no-expiry']);
  });

  test('warnings fail with --strict; a catalog that does not load is a finding with its path', () => {
    const file = catalog([{ ...good, expires: null }]);
    assert.equal(run(['lint', '--apikeys', file]).code, 0);
    assert.equal(run(['lint', '--apikeys', file, '--strict']).code, 1);
    const broken = catalog([{ ...good, sha256: 'xyz' }]);
    const r = runJson(['lint', '--apikeys', broken]);
    assert.equal(r.code, 1);
    assert.deepEqual(r.json.files[0].findings.map((f) => [f.code, f.path]), [['apikey-invalid', '$.keys[0].sha256']]);
    assert.equal(run(['lint', '--apikeys', catalog([good]), '--policy', POLICY, POLICY]).code, 2);
  });
});
