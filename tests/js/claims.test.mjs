// Claim validation: signature/payload tampering, time claims (with injected clocks),
// iss/aud/sub/typ, requiredClaims, claim types, and the WWW-Authenticate answer.

import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  tollgate, ISSUER, AUDIENCE, T0, makeKey, mint, opts, rawHs256, b64urlJson, expectTokenError, expectMisuse,
} from './helpers.mjs';

const { KeySet, verify, createVerifier } = tollgate;

let hs; // HS256 key
let es; // ES256 key
let hsKeys;
let esKeys;

before(async () => {
  hs = await makeKey('HS256', { kid: 'hs' });
  es = await makeKey('ES256', { kid: 'es' });
  hsKeys = KeySet.fromSecret(hs.secret, { alg: 'HS256', kid: 'hs' });
  esKeys = KeySet.fromJwks({ keys: [es.jwk] });
});

/** A token issued at T0, valid for one hour. */
const fixed = (key, claims = {}, header = {}) =>
  mint(key, { iat: T0, exp: T0 + 3600, ...claims }, { header });

describe('tampering', () => {
  for (const name of ['HS256', 'ES256']) {
    const key = () => (name === 'HS256' ? hs : es);
    const keys = () => (name === 'HS256' ? hsKeys : esKeys);

    test(`${name}: tampered signature`, async () => {
      const token = await mint(key());
      const [h, p, s] = token.split('.');
      // Flip bits in the middle of the signature (keeps it canonical base64url).
      const bytes = Buffer.from(s, 'base64url');
      bytes[Math.floor(bytes.length / 2)] ^= 0x01;
      const bad = `${h}.${p}.${bytes.toString('base64url')}`;
      assert.notEqual(bad, token);
      const err = expectTokenError(() => verify(bad, opts(keys())),
        { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', status: 401 }, bad);
      assert.match(err.wwwAuthenticate, /error="invalid_token"/);
    });

    test(`${name}: tampered payload (more scopes)`, async () => {
      const token = await mint(key());
      const [h, p, s] = token.split('.');
      const claims = JSON.parse(Buffer.from(p, 'base64url'));
      claims.scope += ' admin';
      const bad = `${h}.${b64urlJson(claims)}.${s}`;
      expectTokenError(() => verify(bad, opts(keys())),
        { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', status: 401 }, bad);
      expectTokenError(() => createVerifier(opts(keys())).verify(bad),
        { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', status: 401 }, bad);
    });

    test(`${name}: tampered header (typ changed)`, async () => {
      const token = await mint(key());
      const [h, p, s] = token.split('.');
      const header = JSON.parse(Buffer.from(h, 'base64url'));
      header.typ = 'at+jwt';
      const bad = `${b64urlJson(header)}.${p}.${s}`;
      expectTokenError(() => verify(bad, opts(keys())),
        { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', status: 401 }, bad);
    });
  }

  test('an expired token with a bad signature reports the signature, not the expiry', async () => {
    // Signatures are checked before any claim is looked at.
    const token = await fixed(hs, { exp: T0 + 10 });
    const [h, p] = token.split('.');
    const bad = `${h}.${p}.${Buffer.alloc(32, 7).toString('base64url')}`;
    expectTokenError(() => verify(bad, opts(hsKeys, { now: T0 + 100 })),
      { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' }, bad);
  });
});

describe('exp', () => {
  test('expired (default clock)', async () => {
    const iat = Math.floor(Date.now() / 1000) - 7200;
    const token = await mint(hs, { iat, exp: iat + 3600 });
    const err = expectTokenError(() => verify(token, opts(hsKeys)),
      { code: 'ERR_JWT_EXPIRED', status: 401, claim: 'exp' }, token);
    assert.match(err.wwwAuthenticate, /^Bearer error="invalid_token"/);
    assert.match(err.wwwAuthenticate, /error_description="[^"]+"/);
  });

  test('now: before exp is valid, at exp and after is expired', async () => {
    const token = await fixed(hs);
    assert.equal(verify(token, opts(hsKeys, { now: T0 + 3599 })).claims.exp, T0 + 3600);
    // RFC 7519 4.1.4: the current time MUST be before exp.
    expectTokenError(() => verify(token, opts(hsKeys, { now: T0 + 3600 })),
      { code: 'ERR_JWT_EXPIRED', claim: 'exp' }, token);
    expectTokenError(() => verify(token, opts(hsKeys, { now: T0 + 3601 })),
      { code: 'ERR_JWT_EXPIRED', claim: 'exp' }, token);
  });

  test('currentDate is the same as now', async () => {
    const token = await fixed(hs);
    const ok = verify(token, opts(hsKeys, { currentDate: new Date((T0 + 10) * 1000) }));
    assert.equal(ok.claims.iat, T0);
    expectTokenError(() => verify(token, opts(hsKeys, { currentDate: new Date((T0 + 3700) * 1000) })),
      { code: 'ERR_JWT_EXPIRED', claim: 'exp' }, token);
  });

  test('a token valid at the injected now is accepted although it expired long ago', async () => {
    // T0 is in 2023: this token is expired for the real clock.
    const token = await fixed(hs);
    expectTokenError(() => verify(token, opts(hsKeys)), { code: 'ERR_JWT_EXPIRED', claim: 'exp' }, token);
    assert.equal(verify(token, opts(hsKeys, { now: T0 })).claims.sub, 'user-123');
  });

  test('clockTolerance in seconds and as a duration string', async () => {
    const token = await fixed(hs);
    const late = T0 + 3600 + 20;
    expectTokenError(() => verify(token, opts(hsKeys, { now: late })), { code: 'ERR_JWT_EXPIRED', claim: 'exp' }, token);
    assert.ok(verify(token, opts(hsKeys, { now: late, clockTolerance: 30 })));
    assert.ok(verify(token, opts(hsKeys, { now: late, clockTolerance: '30s' })));
    assert.ok(verify(token, opts(hsKeys, { now: T0 + 3600 + 299, clockTolerance: '5m' })));
    expectTokenError(() => verify(token, opts(hsKeys, { now: late, clockTolerance: 10 })),
      { code: 'ERR_JWT_EXPIRED', claim: 'exp' }, token);
    expectTokenError(() => verify(token, opts(hsKeys, { now: T0 + 3600 + 301, clockTolerance: '5m' })),
      { code: 'ERR_JWT_EXPIRED', claim: 'exp' }, token);
  });

  test('createVerifier: per-call now / currentDate', async () => {
    const token = await fixed(hs);
    const verifier = createVerifier(opts(hsKeys, { clockTolerance: 30 }));
    assert.ok(verifier.verify(token, { now: T0 + 3620 }));
    expectTokenError(() => verifier.verify(token, { now: T0 + 3640 }),
      { code: 'ERR_JWT_EXPIRED', claim: 'exp' }, token);
    assert.ok(verifier.verify(token, { currentDate: new Date(T0 * 1000) }));
    expectTokenError(() => verifier.verify(token, { currentDate: new Date((T0 + 3640) * 1000) }),
      { code: 'ERR_JWT_EXPIRED', claim: 'exp' }, token);
  });

  test('missing exp is rejected by default, accepted with dangerouslyAllowMissingExp', async () => {
    const token = await mint(hs, { iat: T0, exp: undefined });
    assert.equal(JSON.parse(Buffer.from(token.split('.')[1], 'base64url')).exp, undefined);
    const err = expectTokenError(() => verify(token, opts(hsKeys, { now: T0 + 10 })),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'exp', reason: 'missing' }, token);
    assert.match(err.wwwAuthenticate, /error="invalid_token"/);
    const ok = verify(token, opts(hsKeys, { now: T0 + 10, dangerouslyAllowMissingExp: true }));
    assert.equal(ok.claims.exp, undefined);
    const ok2 = createVerifier(opts(hsKeys, { dangerouslyAllowMissingExp: true })).verify(token);
    assert.equal(ok2.claims.sub, 'user-123');
  });

  test('dangerouslyAllowMissingExp does not accept an expired exp', async () => {
    const token = await fixed(hs);
    expectTokenError(() => verify(token, opts(hsKeys, { now: T0 + 4000, dangerouslyAllowMissingExp: true })),
      { code: 'ERR_JWT_EXPIRED', claim: 'exp' }, token);
  });
});

describe('nbf, iat, maxTokenAge', () => {
  test('nbf in the future is rejected; tolerance applies', async () => {
    const token = await fixed(hs, { nbf: T0 + 60 });
    expectTokenError(() => verify(token, opts(hsKeys, { now: T0 })),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', status: 401, claim: 'nbf', reason: 'check_failed' }, token);
    assert.ok(verify(token, opts(hsKeys, { now: T0 + 60 })));
    assert.ok(verify(token, opts(hsKeys, { now: T0, clockTolerance: 60 })));
    expectTokenError(() => verify(token, opts(hsKeys, { now: T0, clockTolerance: 59 })),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'nbf' }, token);
  });

  test('nbf in the future (default clock)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await mint(hs, { iat: now, nbf: now + 3000, exp: now + 7200 });
    expectTokenError(() => verify(token, opts(hsKeys)),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'nbf' }, token);
  });

  test('maxTokenAge in seconds and as a duration string', async () => {
    const token = await fixed(hs);
    assert.ok(verify(token, opts(hsKeys, { now: T0 + 50, maxTokenAge: 60 })));
    const err = expectTokenError(() => verify(token, opts(hsKeys, { now: T0 + 120, maxTokenAge: 60 })),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'iat', reason: 'check_failed' }, token);
    assert.match(err.wwwAuthenticate, /error="invalid_token"/);
    assert.ok(verify(token, opts(hsKeys, { now: T0 + 120, maxTokenAge: '5m' })));
    expectTokenError(() => verify(token, opts(hsKeys, { now: T0 + 301, maxTokenAge: '5m' })),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'iat' }, token);
    // clockTolerance widens the window.
    assert.ok(verify(token, opts(hsKeys, { now: T0 + 80, maxTokenAge: 60, clockTolerance: 30 })));
  });

  test('maxTokenAge requires iat', async () => {
    const token = await mint(hs, { iat: undefined, exp: T0 + 3600 });
    assert.ok(verify(token, opts(hsKeys, { now: T0 })));
    expectTokenError(() => verify(token, opts(hsKeys, { now: T0, maxTokenAge: 60 })),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'iat', reason: 'missing' }, token);
  });

  test('maxTokenAge via createVerifier with per-call now', async () => {
    const token = await fixed(hs);
    const verifier = createVerifier(opts(hsKeys, { maxTokenAge: '1m' }));
    assert.ok(verifier.verify(token, { now: T0 + 30 }));
    expectTokenError(() => verifier.verify(token, { now: T0 + 90 }),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'iat' }, token);
  });
});

describe('iss, aud, sub', () => {
  test('wrong issuer', async () => {
    const token = await fixed(hs, { iss: 'https://evil.example.com/' });
    const err = expectTokenError(() => verify(token, opts(hsKeys, { now: T0 })),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', status: 401, claim: 'iss', reason: 'check_failed' }, token);
    assert.match(err.wwwAuthenticate, /^Bearer error="invalid_token"/);
  });

  test('issuer comparison is exact (no trailing-slash or case folding)', async () => {
    for (const iss of [ISSUER.slice(0, -1), ISSUER.toUpperCase(), `${ISSUER} `]) {
      const token = await fixed(hs, { iss });
      expectTokenError(() => verify(token, opts(hsKeys, { now: T0 })),
        { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'iss' }, token);
    }
  });

  test('missing issuer claim', async () => {
    const token = await fixed(hs, { iss: undefined });
    expectTokenError(() => verify(token, opts(hsKeys, { now: T0 })),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'iss', reason: 'missing' }, token);
    // The opt-out accepts it.
    const r = verify(token, { keys: hsKeys, audience: AUDIENCE, dangerouslySkipIssuerCheck: true, now: T0 });
    assert.equal(r.claims.iss, undefined);
  });

  test('issuer as an array: any of them', async () => {
    const token = await fixed(hs, { iss: 'https://b.example/' });
    assert.ok(verify(token, opts(hsKeys, { now: T0, issuer: ['https://a.example/', 'https://b.example/'] })));
    expectTokenError(() => verify(token, opts(hsKeys, { now: T0, issuer: ['https://a.example/'] })),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'iss' }, token);
  });

  test('wrong audience', async () => {
    const token = await fixed(hs, { aud: 'https://other-api.example.com' });
    expectTokenError(() => verify(token, opts(hsKeys, { now: T0 })),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', status: 401, claim: 'aud', reason: 'check_failed' }, token);
  });

  test('missing audience claim', async () => {
    const token = await fixed(hs, { aud: undefined });
    expectTokenError(() => verify(token, opts(hsKeys, { now: T0 })),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud', reason: 'missing' }, token);
    assert.ok(verify(token, { keys: hsKeys, issuer: ISSUER, dangerouslySkipAudienceCheck: true, now: T0 }));
  });

  test('aud array in the token, audience string or array in the options', async () => {
    const token = await fixed(hs, { aud: ['https://x.example', AUDIENCE] });
    assert.ok(verify(token, opts(hsKeys, { now: T0 })));
    assert.ok(verify(token, opts(hsKeys, { now: T0, audience: ['https://y.example', 'https://x.example'] })));
    expectTokenError(() => verify(token, opts(hsKeys, { now: T0, audience: ['https://y.example'] })),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud' }, token);
  });

  test('subject', async () => {
    const token = await fixed(hs, { sub: 'user-123' });
    assert.ok(verify(token, opts(hsKeys, { now: T0, subject: 'user-123' })));
    expectTokenError(() => verify(token, opts(hsKeys, { now: T0, subject: 'user-999' })),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'sub', reason: 'check_failed' }, token);
    const noSub = await fixed(hs, { sub: undefined });
    expectTokenError(() => verify(noSub, opts(hsKeys, { now: T0, subject: 'user-123' })),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'sub', reason: 'missing' }, noSub);
  });
});

describe('typ', () => {
  test('"at+jwt" and "application/at+jwt" match each other, case-insensitively', async () => {
    for (const tokenTyp of ['at+jwt', 'application/at+jwt', 'AT+JWT', 'Application/At+JWT']) {
      const token = await fixed(hs, {}, { typ: tokenTyp });
      for (const typ of ['at+jwt', 'application/at+jwt']) {
        const r = verify(token, opts(hsKeys, { now: T0, typ }));
        assert.equal(r.header.typ, tokenTyp);
      }
    }
  });

  test('a different or missing typ is rejected', async () => {
    const jwt = await fixed(hs, {}, { typ: 'JWT' });
    const err = expectTokenError(() => verify(jwt, opts(hsKeys, { now: T0, typ: 'at+jwt' })),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'typ' }, jwt);
    assert.match(err.wwwAuthenticate, /error="invalid_token"/);
    const none = await fixed(hs, {}, { typ: undefined });
    expectTokenError(() => verify(none, opts(hsKeys, { now: T0, typ: 'at+jwt' })),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'typ' }, none);
    // "application/" is only an optional prefix, not a wildcard.
    const sub = await fixed(hs, {}, { typ: 'application/jwt' });
    expectTokenError(() => verify(sub, opts(hsKeys, { now: T0, typ: 'at+jwt' })),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'typ' }, sub);
  });

  test('without the typ option any typ is accepted', async () => {
    const token = await fixed(hs, {}, { typ: 'something-else' });
    assert.equal(verify(token, opts(hsKeys, { now: T0 })).header.typ, 'something-else');
  });
});

describe('requiredClaims', () => {
  test('a missing required claim is rejected with its name', async () => {
    const token = await fixed(hs);
    const err = expectTokenError(() => verify(token, opts(hsKeys, { now: T0, requiredClaims: ['sub', 'jti'] })),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'jti', reason: 'missing' }, token);
    assert.match(err.wwwAuthenticate, /error="invalid_token"/);
  });

  test('present required claims pass', async () => {
    const token = await fixed(hs, { jti: 'abc', client_id: 'cli' });
    const r = verify(token, opts(hsKeys, { now: T0, requiredClaims: ['jti', 'client_id', 'sub'] }));
    assert.equal(r.claims.client_id, 'cli');
    const v = createVerifier(opts(hsKeys, { requiredClaims: ['client_id'] }));
    assert.ok(v.verify(token, { now: T0 }));
  });
});

describe('payload shape (ERR_JWT_INVALID)', () => {
  const header = { alg: 'HS256', kid: 'hs', typ: 'JWT' };
  const base = { iss: ISSUER, aud: AUDIENCE, sub: 'u', iat: T0, exp: T0 + 3600 };
  const cases = {
    'payload is an array': [base],
    'payload is a number': 42,
    'payload is a JSON string': 'a string',
    'payload is not JSON': '{"iss": ',
    'exp is a string': { ...base, exp: String(T0 + 3600) },
    'nbf is a string': { ...base, nbf: 'yesterday' },
    'iat is a string': { ...base, iat: String(T0) },
    'iss is a number': { ...base, iss: 7 },
    'sub is a number': { ...base, sub: 7 },
    'aud is a number': { ...base, aud: 7 },
  };
  for (const [name, payload] of Object.entries(cases)) {
    test(name, () => {
      const raw = name === 'payload is not JSON' ? payload : JSON.stringify(payload);
      const token = rawHs256(hs.secret, header, raw);
      expectTokenError(() => verify(token, opts(hsKeys, { now: T0 })),
        { code: 'ERR_JWT_INVALID', status: 401 }, token);
    });
  }

  test('control: the same hand-made token with a valid payload verifies', () => {
    const token = rawHs256(hs.secret, header, base);
    assert.deepEqual(verify(token, opts(hsKeys, { now: T0 })).claims, base);
  });
});

describe('WWW-Authenticate', () => {
  test('realm comes first when given', async () => {
    const token = await fixed(hs);
    const err = expectTokenError(() => verify(token, opts(hsKeys, { now: T0 + 4000, realm: 'messages-api' })),
      { code: 'ERR_JWT_EXPIRED', claim: 'exp' }, token);
    assert.match(err.wwwAuthenticate, /^Bearer realm="messages-api", error="invalid_token"/);
  });

  test('no realm unless given', async () => {
    const token = await fixed(hs);
    const err = expectTokenError(() => verify(token, opts(hsKeys, { now: T0 + 4000 })),
      { code: 'ERR_JWT_EXPIRED', claim: 'exp' }, token);
    assert.doesNotMatch(err.wwwAuthenticate, /realm=/);
  });
});

describe('sender-constrained tokens (cnf) are not bearer tokens', () => {
  // Minted by jose: what a DPoP or mTLS authorization server issues (RFC 9449 §6.1, RFC 8705 §3.1).
  const JKT = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I';
  const X5T = 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2';

  for (const [binding, cnf] of [['dpop', { jkt: JKT }], ['mtls', { 'x5t#S256': X5T }], ['other', { kid: 'k' }]]) {
    test(`cnf ${JSON.stringify(cnf)} → 401 ERR_JWT_SENDER_CONSTRAINED (${binding}), on every verify path`, async () => {
      for (const [key, keys] of [[hs, hsKeys], [es, esKeys]]) {
        const token = await fixed(key, { cnf });
        const expected = { code: 'ERR_JWT_SENDER_CONSTRAINED', status: 401, claim: 'cnf' };
        const err = expectTokenError(() => verify(token, opts(keys, { now: T0 + 10 })), expected, token);
        assert.equal(err.binding, binding);
        assert.match(err.wwwAuthenticate, /^Bearer error="invalid_token"/);
        expectTokenError(() => createVerifier(opts(keys, { now: T0 + 10 })).verify(token), expected, token);
        const cached = createVerifier(opts(keys, { now: T0 + 10, cache: true }));
        for (let i = 0; i < 2; i++) expectTokenError(() => cached.verify(token), expected, token);
        await assert.rejects(createVerifier(opts(keys, { now: T0 + 10 })).verifyAsync(token),
          (e) => e.code === 'ERR_JWT_SENDER_CONSTRAINED' && e.binding === binding);
      }
    });
  }

  test('dangerouslyIgnoreTokenBinding accepts them (a server that checks the binding itself)', async () => {
    const token = await fixed(es, { cnf: { jkt: JKT } });
    const ok = verify(token, opts(esKeys, { now: T0 + 10, dangerouslyIgnoreTokenBinding: true }));
    assert.deepEqual(ok.claims.cnf, { jkt: JKT });
    expectMisuse(() => verify(token, opts(esKeys, { dangerouslyIgnoreTokenBinding: 1 })));
  });

  test('a malformed cnf is an invalid token, never "not bound"', async () => {
    for (const cnf of [{}, 'jkt', null, { jkt: 5 }, { 'x5t#S256': '' }]) {
      const token = await fixed(hs, { cnf });
      expectTokenError(() => verify(token, opts(hsKeys, { now: T0 + 10, dangerouslyIgnoreTokenBinding: true })),
        { code: 'ERR_JWT_INVALID', claim: 'cnf' }, token);
    }
  });
});
