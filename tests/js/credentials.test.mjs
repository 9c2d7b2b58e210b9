// API keys and Basic credentials through the built package (pkg/credentials.js over the
// full module): minting, the catalog and the credential list, every refusal with its code
// and challenge, requests, the verified result's shape (and a policy deciding on it), and a
// secret scanner's view of the key format with an independent CRC-32.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Policy } from '../../pkg/policy-node.js'; // binds the full module, which has the credentials
import { tollgate } from './helpers.mjs';

const { ApiKeyCatalog, BasicCredentials, mintApiKey, hashApiKey, hashPassword, TollgateError, isTollgateError } = tollgate;

const T0 = 1_700_000_000;
const mint = (options = {}) => mintApiKey({ random: randomBytes(96), ...options });

function expectCode(fn, code, fields = {}) {
  assert.throws(fn, (e) => {
    assert.equal(e.code, code, e.message);
    for (const [k, v] of Object.entries(fields)) assert.deepEqual(e[k], v, k);
    return true;
  });
}

function refusal(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  assert.fail('did not throw');
}

/** A catalog with `ci` (read, write; expires T0 + 100) and `old` (expired at T0). */
function fixture() {
  const ci = mint({ id: 'ci7Hq2' });
  const old = mint();
  const doc = {
    version: 1,
    keys: [
      { id: ci.id, sha256: ci.sha256, scopes: ['read:messages', 'write:messages'], roles: ['bot'], owner: 'team-a', environment: 'production', expires: T0 + 100, created: T0 - 100 },
      { id: old.id, sha256: old.sha256, scopes: ['read:messages'], owner: 'team-b', expires: T0 },
    ],
  };
  return { ci, old, doc, catalog: ApiKeyCatalog.fromJson(doc, { realm: 'api' }) };
}

// The CRC-32 every zlib computes, written here from its definition (not the package's).
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(text) {
  let c = 0xffffffff;
  for (const b of Buffer.from(text)) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const base62 = (n, width) => {
  let out = '';
  for (let i = 0; i < width; i++, n = Math.floor(n / 62)) out = BASE62[n % 62] + out;
  return out;
};

/** A secret scanner: the documented regex, then the checksum with a plain CRC-32. */
function scan(text) {
  const pattern = /\btg_[0-9A-Za-z]{1,64}_[0-9A-Za-z]{38}\b/g;
  return [...text.matchAll(pattern)].map((m) => m[0]).filter((key) => base62(crc32(key.slice(0, -6)), 6) === key.slice(-6));
}

describe('API keys', () => {
  test('minted keys: format, checksum, hash', () => {
    const { key, id, sha256 } = mint();
    assert.match(key, /^tg_[0-9A-Za-z]{12}_[0-9A-Za-z]{38}$/);
    assert.equal(key.split('_')[1], id);
    assert.equal(sha256, createHash('sha256').update(key).digest('hex'));
    assert.equal(hashApiKey(key), sha256);
    assert.match(mint({ prefix: 'acme', id: 'deploy' }).key, /^acme_deploy_/);
    expectCode(() => mintApiKey({ random: new Uint8Array(10) }), 'ERR_INVALID_ARG');
    expectCode(() => mint({ prefix: 'TG' }), 'ERR_INVALID_ARG');
    expectCode(() => hashApiKey(`${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`), 'ERR_APIKEY_INVALID');
  });

  test('a secret scanner finds leaked keys with a regex and a plain CRC-32', () => {
    const keys = [mint(), mint({ id: 'x' }), mint()].map((m) => m.key);
    const typo = `${keys[2].slice(0, 20)}${keys[2][20] === 'a' ? 'b' : 'a'}${keys[2].slice(21)}`;
    const lookalike = `tg_${'a'.repeat(12)}_${'b'.repeat(38)}`;
    const text = `config:\n  API_KEY=${keys[0]}\n  other="${keys[1]}" # x\n  ${typo}\n  ${lookalike}\n`;
    assert.deepEqual(scan(text), keys.slice(0, 2));
  });

  test('a valid key: the verified result, synthesized claims, credential', () => {
    const { ci, catalog } = fixture();
    assert.equal(catalog.size, 2);
    const r = catalog.verify(ci.key, { now: T0, requiredScopes: ['read:messages'], requiredRoles: ['bot'] });
    assert.deepEqual(Object.keys(r).sort(), ['claims', 'credential', 'roles', 'scopes', 'subject']);
    assert.equal(r.subject, ci.id);
    assert.deepEqual(r.claims, {
      sub: ci.id, scope: 'read:messages write:messages', roles: ['bot'], exp: T0 + 100, iat: T0 - 100, owner: 'team-a', environment: 'production',
    });
    assert.deepEqual(r.scopes, ['read:messages', 'write:messages']);
    assert.deepEqual(r.credential, { kind: 'apikey', id: ci.id, owner: 'team-a', environment: 'production' });
    assert.equal(catalog.verify(ci.key, { currentDate: new Date((T0 + 99) * 1000) }).subject, ci.id);
  });

  test('refusals: checksum, unknown id, right id wrong secret, expired, scopes, roles', () => {
    const { ci, old, catalog } = fixture();
    const opts = { now: T0 };
    const flipped = `${ci.key.slice(0, -1)}${ci.key.endsWith('0') ? '1' : '0'}`;
    const sameId = mint({ id: ci.id }).key;
    const unknown = mint({ id: 'nobody' }).key;
    const codes = [flipped, sameId, unknown, 'tg_abc', '', `${ci.key} `.repeat(3)].map((k) => refusal(() => catalog.verify(k, opts)));
    for (const e of codes) {
      assert.ok(e instanceof TollgateError);
      assert.equal(e.code, 'ERR_APIKEY_INVALID');
      assert.equal(e.status, 401);
      assert.match(e.wwwAuthenticate, /^ApiKey realm="api", error="invalid_token", error_description="/);
    }
    // An unknown id and a wrong secret get one answer.
    assert.equal(codes[1].message, codes[2].message);
    assert.equal(codes[0].message, 'API key checksum does not match');
    // Expiry: told only to the holder of the secret.
    expectCode(() => catalog.verify(ci.key, { now: T0 + 100 }), 'ERR_APIKEY_EXPIRED', { status: 401 });
    expectCode(() => catalog.verify(old.key, opts), 'ERR_APIKEY_EXPIRED');
    expectCode(() => catalog.verify(sameId, { now: T0 + 1000 }), 'ERR_APIKEY_INVALID');
    const e = refusal(() => catalog.verify(ci.key, { now: T0, requiredScopes: ['admin', 'read:messages'] }));
    assert.equal(e.code, 'ERR_JWT_INSUFFICIENT_SCOPE');
    assert.equal(e.status, 403);
    assert.deepEqual(e.missing, ['admin']);
    assert.match(e.wwwAuthenticate, /^ApiKey realm="api", error="insufficient_scope", .*scope="admin"$/);
    expectCode(() => catalog.verify(ci.key, { now: T0, requiredRoles: ['admin'] }), 'ERR_JWT_INSUFFICIENT_ROLE', { status: 403 });
    // No message holds the key or its secret.
    for (const error of [...codes, e]) assert.ok(!error.message.includes(ci.key.split('_')[2].slice(0, 16)));
  });

  test('requests: the header, Authorization: ApiKey, both, neither', () => {
    const { ci, catalog } = fixture();
    const req = (headers) => new Request('https://api.example/x', { headers });
    const opts = { now: T0 };
    assert.equal(catalog.verifyRequest(req({ 'X-API-Key': ci.key }), opts).subject, ci.id);
    assert.equal(catalog.verifyRequest(req({ Authorization: `ApiKey ${ci.key}` }), opts).subject, ci.id);
    assert.equal(catalog.verifyRequest(req({ authorization: `apikey  ${ci.key}` }), opts).subject, ci.id);
    expectCode(() => catalog.verifyRequest(req({ 'X-API-Key': ci.key, Authorization: `ApiKey ${ci.key}` }), opts), 'ERR_INVALID_REQUEST', { status: 400 });
    const none = refusal(() => catalog.verifyRequest(req({ Authorization: `Bearer ${ci.key}` }), opts));
    assert.equal(none.code, 'ERR_NO_CREDENTIALS');
    assert.equal(none.status, 401);
    assert.equal(none.wwwAuthenticate, 'ApiKey realm="api"');
    const custom = ApiKeyCatalog.fromJson(fixture().doc, { header: 'X-Token' });
    expectCode(() => custom.verifyRequest(req({ 'X-API-Key': ci.key }), opts), 'ERR_NO_CREDENTIALS');
  });

  test('a policy decides on the result as on a verified token', () => {
    const { ci, catalog } = fixture();
    const policy = Policy.fromJson({
      version: 1,
      scopes: { 'read:messages': {}, 'write:messages': {}, admin: {} },
      rules: [
        { method: 'GET', path: '/messages', scopes: ['read:messages'] },
        { method: 'DELETE', path: '/messages', scopes: ['admin'] },
      ],
    });
    const r = catalog.verify(ci.key, { now: T0 });
    assert.equal(policy.evaluate(r, { method: 'GET', path: '/messages', now: T0 }).allow, true);
    const denied = policy.evaluate(r, { method: 'DELETE', path: '/messages', now: T0 });
    assert.equal(denied.allow, false);
    assert.deepEqual(denied.missingScopes, ['admin']);
  });

  test('load errors carry the JSON path; misuse is a TypeError', () => {
    const { doc } = fixture();
    const broken = structuredClone(doc);
    broken.keys[1].sha256 = 'nope';
    expectCode(() => ApiKeyCatalog.fromJson(broken), 'ERR_CREDENTIALS_INVALID', { path: '$.keys[1].sha256' });
    const twice = { ...doc, keys: [doc.keys[0], doc.keys[0]] };
    expectCode(() => ApiKeyCatalog.fromJson(twice), 'ERR_CREDENTIALS_INVALID', { path: '$.keys[1].id' });
    const misspelt = structuredClone(doc);
    misspelt.keys[0].expire = misspelt.keys[0].expires;
    delete misspelt.keys[0].expires;
    expectCode(() => ApiKeyCatalog.fromJson(misspelt), 'ERR_CREDENTIALS_INVALID', { path: '$.keys[0].expire' });
    expectCode(() => ApiKeyCatalog.fromJson(JSON.stringify(doc).slice(1)), 'ERR_CREDENTIALS_INVALID', { path: '$' });
    const { catalog } = fixture();
    for (const bad of [() => catalog.verify(42), () => catalog.verify('x', { now: -1 }), () => catalog.verify('x', { scopes: [] }),
      () => catalog.verify('x', { requiredScopes: 'read' }), () => ApiKeyCatalog.fromJson(doc, { header: 'Authorization' }),
      () => catalog.verifyRequest({})]) {
      expectCode(bad, 'ERR_INVALID_ARG');
    }
    assert.ok(isTollgateError(refusal(() => catalog.verify('x')), 'ERR_APIKEY_INVALID'));
  });

  test('the verifier module alone says to import tollgate/policy', () => {
    const script = `import("${fileURLToPath(new URL('../../pkg/node.js', import.meta.url))}").then((m) => {
      try { m.ApiKeyCatalog.fromJson({ version: 1, keys: [] }); } catch (e) { console.log(e.constructor.name, e.code, e.message); }
    });`;
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.match(out.stdout, /^TypeError ERR_INVALID_ARG .*import "tollgate\/policy"/);
  });
});

describe('Basic', () => {
  const salt = new Uint8Array(16).fill(7);
  const alice = hashPassword('correct horse', { salt });
  const list = BasicCredentials.fromJson({
    version: 1,
    users: [{ username: 'alice', ...alice, scopes: ['deploy'], roles: ['ops'], owner: 'platform' }],
  }, { realm: 'admin' });
  const basic = (userpass) => `Basic ${Buffer.from(userpass).toString('base64')}`;
  const https = { url: 'https://api.example/deploy' };

  test('hashPassword: PBKDF2-HMAC-SHA256 as node:crypto computes it', async () => {
    const { pbkdf2Sync } = await import('node:crypto');
    assert.equal(alice.iterations, 600_000);
    assert.equal(alice.salt, Buffer.from(salt).toString('base64url'));
    assert.equal(alice.hash, pbkdf2Sync('correct horse', salt, 600_000, 32, 'sha256').toString('base64url'));
    expectCode(() => hashPassword('x', { iterations: 100_000 }), 'ERR_INVALID_ARG');
    assert.equal(hashPassword('x').salt.length, 22);
  });

  test('a valid user: the verified result', () => {
    const r = list.verify(basic('alice:correct horse'), { ...https, requiredScopes: ['deploy'] });
    assert.equal(r.subject, 'alice');
    assert.deepEqual(r.claims, { sub: 'alice', scope: 'deploy', roles: ['ops'], owner: 'platform' });
    assert.deepEqual(r.credential, { kind: 'basic', username: 'alice' });
    assert.equal(list.verify(basic('alice:correct horse'), { url: 'http://localhost:8787/' }).subject, 'alice');
  });

  test('refusals: password, user, base64, colon, UTF-8, transport, scopes', () => {
    const challenge = 'Basic realm="admin", charset="UTF-8"';
    for (const header of [
      basic('alice:wrong'), basic('bob:correct horse'), 'Basic not*base64', 'Basic YWxpY2U', basic('alicecorrect horse'),
      `Basic ${Buffer.from([0x61, 0xff, 0x3a, 0x62]).toString('base64')}`, 'Bearer abc',
    ]) {
      const e = refusal(() => list.verify(header, https));
      assert.equal(e.code, 'ERR_BASIC_INVALID', header);
      assert.equal(e.status, 401);
      assert.equal(e.wwwAuthenticate, challenge);
      assert.ok(!e.message.includes('correct horse') && !e.message.includes('wrong'));
    }
    const insecure = refusal(() => list.verify(basic('alice:correct horse'), { url: 'http://api.example/' }));
    assert.equal(insecure.code, 'ERR_INSECURE_TRANSPORT');
    assert.equal(insecure.status, 400);
    assert.equal(insecure.wwwAuthenticate, undefined);
    assert.equal(list.verify(basic('alice:correct horse'), { url: 'http://api.example/', allowInsecure: true }).subject, 'alice');
    const forbidden = refusal(() => list.verify(basic('alice:correct horse'), { ...https, requiredScopes: ['admin'] }));
    assert.equal(forbidden.code, 'ERR_JWT_INSUFFICIENT_SCOPE');
    assert.equal(forbidden.wwwAuthenticate, undefined); // a 403 does not invite the password again
    expectCode(() => list.verify(basic('alice:x'), {}), 'ERR_INVALID_ARG');
  });

  test('requests: no credentials, and never a challenge over plain http', () => {
    const none = refusal(() => list.verifyRequest(new Request('https://api.example/')));
    assert.equal(none.code, 'ERR_NO_CREDENTIALS');
    assert.equal(none.wwwAuthenticate, 'Basic realm="admin", charset="UTF-8"');
    expectCode(() => list.verifyRequest(new Request('http://api.example/')), 'ERR_INSECURE_TRANSPORT', { status: 400 });
    const ok = new Request('https://api.example/', { headers: { Authorization: basic('alice:correct horse') } });
    assert.equal(list.verifyRequest(ok).subject, 'alice');
  });

  test('an unknown user costs what a wrong password does', () => {
    const time = (header) => {
      const start = process.hrtime.bigint();
      assert.throws(() => list.verify(header, https));
      return Number(process.hrtime.bigint() - start);
    };
    const median = (xs) => xs.sort((a, b) => a - b)[1];
    const wrong = median([0, 1, 2].map(() => time(basic('alice:wrong'))));
    const unknown = median([0, 1, 2].map(() => time(basic('mallory:wrong'))));
    const ratio = unknown / wrong;
    assert.ok(ratio > 0.5 && ratio < 2, `unknown user ${unknown} ns, wrong password ${wrong} ns`);
  });

  test('load errors: iterations below OWASP 2023, short salts, colons', () => {
    const user = { username: 'alice', ...alice };
    const load = (u) => () => BasicCredentials.fromJson({ version: 1, users: [{ ...user, ...u }] });
    expectCode(load({ iterations: 100_000 }), 'ERR_CREDENTIALS_INVALID', { path: '$.users[0].iterations' });
    expectCode(load({ salt: 'AAAA' }), 'ERR_CREDENTIALS_INVALID', { path: '$.users[0].salt' });
    expectCode(load({ username: 'a:b' }), 'ERR_CREDENTIALS_INVALID', { path: '$.users[0].username' });
    expectCode(load({ password: 'x' }), 'ERR_CREDENTIALS_INVALID', { path: '$.users[0].password' });
  });
});
