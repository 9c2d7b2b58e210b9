// `tollgate inspect | verify`: tokens minted here with node:crypto (ES256), a JWKS file
// written to a scratch directory. Asserts exit codes, the lines people read, and that
// no output ever contains the token or key material.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  run, runJson, example, scratch, writeJson, makeEs256, mintEs256, unsigned, assertNoLeak,
} from './helpers.mjs';

const POLICY = example('messages.policy.json');
const ISS = 'https://idp.example/';
const AUD = 'https://api.example';
const T0 = 1_772_618_400; // 2026-03-04T10:00:00Z, a Wednesday

let key;
let dir;
let jwks;
let token;
const claims = (extra = {}) => ({ iss: ISS, aud: AUD, sub: 'user-1', iat: T0 - 60, exp: T0 + 540, scope: 'read:messages', roles: ['reader'], ...extra });

before(() => {
  key = makeEs256('k1');
  dir = scratch();
  jwks = writeJson(dir, 'jwks.json', { keys: [key.jwk] });
  token = mintEs256(key, claims());
});

describe('tollgate inspect', () => {
  test('prints an UNVERIFIED banner, header, claims, times, scopes and roles', () => {
    const r = run(['inspect', token, '--now', String(T0)]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /^UNVERIFIED: /);
    assert.match(r.stdout, /"alg": "ES256"/);
    assert.match(r.stdout, /"sub": "user-1"/);
    assert.match(r.stdout, /^  iat  2026-03-04T09:59:00Z  \(1m ago\)$/m);
    assert.match(r.stdout, /^  exp  2026-03-04T10:09:00Z  \(in 9m\)$/m);
    assert.match(r.stdout, /^  lifetime 10m$/m);
    assert.match(r.stdout, /^scopes  read:messages$/m);
    assert.match(r.stdout, /^roles   reader$/m);
  });

  test('an expired or not-yet-valid token says so', () => {
    const t = unsigned({ sub: 'x', nbf: T0 + 100, exp: T0 - 10 });
    const r = run(['inspect', t, '--now', String(T0)]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^  nbf  .*\(in 1m 40s\)  NOT YET VALID$/m);
    assert.match(r.stdout, /^  exp  .*\(10s ago\)  EXPIRED$/m);
    assert.match(r.stdout, /^scopes  \(none\)$/m);
  });

  test('reads stdin with -, trims it and drops a Bearer prefix', () => {
    const r = run(['inspect', '-'], { input: `  Bearer ${token}\n` });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /"sub": "user-1"/);
  });

  test('roles from realm_access.roles and groups; a time claim that is not a number', () => {
    const t = unsigned({ realm_access: { roles: ['admin'] }, groups: ['ops'], exp: 'tomorrow' });
    const r = run(['inspect', t]);
    assert.match(r.stdout, /^roles   admin ops$|^roles   ops admin$/m);
    assert.match(r.stdout, /^  exp  "tomorrow" \(not a NumericDate\)$/m);
  });

  test('--json: verified false, the decoded parts and times in seconds relative to --now', () => {
    const { code, json } = runJson(['inspect', token, '--now', String(T0)]);
    assert.equal(code, 0);
    assert.equal(json.verified, false);
    assert.deepEqual(json.claims, claims());
    assert.deepEqual(json.scopes, ['read:messages']);
    assert.deepEqual(json.roles, ['reader']);
    assert.deepEqual(json.times.exp, { value: T0 + 540, iso: '2026-03-04T10:09:00Z', relative: 540 });
  });

  test('a malformed token: exit 1 with the error code, not the token', () => {
    const bad = `${token.split('.')[0]}.not*base64.${token.split('.')[2]}`;
    const r = run(['inspect', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: the token does not decode: ERR_JWS_INVALID/);
    assertNoLeak(r.out, bad);
  });

  test('usage: no token, an empty stdin, a bad --now', () => {
    assert.equal(run(['inspect']).code, 2);
    assert.equal(run(['inspect', '-'], { input: '\n' }).code, 2);
    assert.equal(run(['inspect', token, '--now', 'noon']).code, 2);
  });
});

describe('tollgate verify', () => {
  test('a valid token: VERIFIED, the claims and scopes; exit 0', () => {
    const r = run(['verify', token, '--jwks', jwks, '--iss', ISS, '--aud', AUD, '--now', String(T0)]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /^VERIFIED \(signature, time claims, issuer, audience\)$/m);
    assert.match(r.stdout, /"sub": "user-1"/);
    assert.match(r.stdout, /^scopes  read:messages$/m);
    assert.equal(r.stderr, '');
  });

  test('without --iss / --aud: verified, with a warning for each skipped check', () => {
    const r = run(['verify', token, '--jwks', jwks, '--now', String(T0)]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stderr, /warning: no --iss: the issuer is NOT checked/);
    assert.match(r.stderr, /warning: no --aud: the audience is NOT checked/);
    assert.match(r.stdout, /^VERIFIED \(signature, time claims\)$/m);
  });

  test('refusals: the error code and message, exit 1, never the token', () => {
    const other = makeEs256('k1');
    const forged = mintEs256(other, claims());
    const [h, p] = token.split('.');
    const cases = [
      [['--iss', 'https://evil.example/', '--aud', AUD, '--now', String(T0)], token, /ERR_JWT_CLAIM_VALIDATION_FAILED: .*\(claim iss/],
      [['--iss', ISS, '--aud', 'https://other.example', '--now', String(T0)], token, /ERR_JWT_CLAIM_VALIDATION_FAILED: .*\(claim aud/],
      [['--iss', ISS, '--aud', AUD, '--now', String(T0 + 3600)], token, /ERR_JWT_EXPIRED/],
      [['--iss', ISS, '--aud', AUD, '--now', String(T0)], forged, /ERR_JWS_SIGNATURE_VERIFICATION_FAILED/],
      [['--iss', ISS, '--aud', AUD, '--now', String(T0)], `${h}.${p}.${forged.split('.')[2]}`, /ERR_JWS_SIGNATURE_VERIFICATION_FAILED/],
      [['--iss', ISS, '--aud', AUD, '--now', String(T0)], mintEs256(key, claims(), { kid: 'k2' }), /ERR_JWKS_NO_MATCHING_KEY/],
    ];
    for (const [args, t, code] of cases) {
      const r = run(['verify', t, '--jwks', jwks, ...args]);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.out}`);
      assert.match(r.stdout, /^INVALID: /m);
      assert.match(r.stdout, code);
      assertNoLeak(r.out, t);
    }
  });

  test('--alg: an allow-list; naming no algorithm the keys use is a usage error', () => {
    assert.equal(run(['verify', token, '--jwks', jwks, '--alg', 'ES256', '--alg', 'RS256', '--now', String(T0)]).code, 0);
    const r = run(['verify', token, '--jwks', jwks, '--alg', 'RS256', '--now', String(T0)]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /ERR_INVALID_ARG/);
  });

  test('--json: verified true with the claims, or the error', () => {
    const ok = runJson(['verify', token, '--jwks', jwks, '--iss', ISS, '--aud', AUD, '--now', String(T0)]);
    assert.equal(ok.code, 0);
    assert.equal(ok.json.verified, true);
    assert.deepEqual(ok.json.claims, claims());
    const bad = runJson(['verify', token, '--jwks', jwks, '--iss', ISS, '--aud', AUD, '--now', String(T0 + 3600)]);
    assert.equal(bad.code, 1);
    assert.equal(bad.json.verified, false);
    assert.equal(bad.json.error.code, 'ERR_JWT_EXPIRED');
  });

  test('the token from stdin', () => {
    const r = run(['verify', '-', '--jwks', jwks, '--iss', ISS, '--aud', AUD, '--now', String(T0)], { input: `${token}\n` });
    assert.equal(r.code, 0, r.out);
  });

  test('--policy: the decision for --method and --path; exit 1 when denied', () => {
    const base = ['verify', token, '--jwks', jwks, '--iss', ISS, '--aud', AUD, '--now', String(T0), '--policy', POLICY];
    const allow = run([...base, '--method', 'get', '--path', '/messages/7']);
    assert.equal(allow.code, 0, allow.out);
    assert.match(allow.stdout, /^policy  GET \/messages\/7: allow 200 \(rules\[0\] "read"\)$/m);
    const deny = run([...base, '--method', 'POST', '--path', '/messages/7']);
    assert.equal(deny.code, 1);
    assert.match(deny.stdout, /^policy  POST \/messages\/7: deny 403 ERR_JWT_INSUFFICIENT_SCOPE \(rules\[1\] "write"; missing scopes write:messages\)$/m);
    const nomatch = run([...base, '--method', 'GET', '--path', '/users']);
    assert.equal(nomatch.code, 1);
    assert.match(nomatch.stdout, /deny 403 ERR_POLICY_NO_MATCHING_RULE \(no rule\)/);
  });

  test('--policy with --ip and --env reaches the constraints', () => {
    const mod = mintEs256(key, claims({ sub: 'mod-1', scope: 'admin:messages', roles: ['admin'], iat: T0 - 60, exp: T0 + 240 }));
    const base = ['verify', mod, '--jwks', jwks, '--iss', ISS, '--aud', AUD, '--now', String(T0), '--policy', POLICY, '--method', 'GET', '--path', '/admin/queue'];
    assert.equal(run([...base, '--ip', '10.0.0.5', '--env', 'production']).code, 0);
    const outside = run([...base, '--ip', '203.0.113.5', '--env', 'production']);
    assert.equal(outside.code, 1);
    assert.match(outside.stdout, /ERR_POLICY_CONSTRAINT_FAILED \(rules\[2\] "admin"; constraint ipRanges\)/);
  });

  test('usage: --jwks required, --policy needs --method and --path, --method needs --policy', () => {
    const cases = [
      [['verify', token], /--jwks FILE is required/],
      [['verify', token, '--jwks', jwks, '--policy', POLICY, '--path', '/x'], /--policy needs --method and --path/],
      [['verify', token, '--jwks', jwks, '--method', 'GET'], /go with --policy/],
      [['verify', token, '--jwks', 'no/such/jwks.json'], /cannot read JWKS/],
      [['verify', token, '--jwks', jwks, '--now', 'later'], /--now must be a number of seconds/],
      [['verify', '-', '--jwks', '-'], /cannot both come from stdin/],
    ];
    for (const [args, message] of cases) {
      const r = run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}`);
      assert.match(r.stderr, message);
      assertNoLeak(r.out, token);
    }
  });

  test('a JWKS that is not JSON or holds no usable key: exit 1, never its content', () => {
    const secret = randomBytes(32).toString('base64url');
    const broken = writeJson(dir, 'broken.json', `{"keys":[{"kty":"oct","k":"${secret}" "alg":"HS256"}]}`);
    const r = run(['verify', token, '--jwks', broken]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /JWKS is not valid JSON \(line 1, column \d+\)/);
    assert.ok(!r.out.includes(secret));
    const useless = writeJson(dir, 'useless.json', { keys: [{ kty: 'oct', k: 'c2hvcnQ', alg: 'HS256' }] });
    const u = run(['verify', token, '--jwks', useless]);
    assert.equal(u.code, 1);
    assert.match(u.stderr, /the JWKS does not load: ERR_JWK_INVALID/);
    assert.ok(!u.out.includes('c2hvcnQ'));
  });
});
