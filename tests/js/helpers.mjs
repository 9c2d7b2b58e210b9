// Shared helpers for the `node --test tests/js/` suite.
//
// The suite runs against the BUILT package (pkg/node.js) and uses `jose`, resolved
// from tests/node_modules, as the independent reference implementation that mints
// the tokens and generates the keys.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import * as jose from 'jose';
import * as tollgate from '../../pkg/node.js';

export { jose, tollgate };

export const ISSUER = 'https://issuer.example.com/';
export const AUDIENCE = 'https://api.example.com';

/** A fixed instant (seconds) used with the `now` / `currentDate` options. */
export const T0 = 1_700_000_000;

/** Every algorithm tollgate supports, as named in a JWS header. */
export const ALGS = [
  'HS256', 'HS384', 'HS512',
  'RS256', 'RS384', 'RS512',
  'PS256', 'PS384', 'PS512',
  'ES256', 'ES384',
  'EdDSA',
];

/** Minimum HMAC secret size, in bytes, per algorithm (= the hash size). */
export const HMAC_MIN = { HS256: 32, HS384: 48, HS512: 64 };

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export function b64url(data) {
  return Buffer.from(data).toString('base64url');
}

export function b64urlJson(value) {
  return b64url(typeof value === 'string' ? value : JSON.stringify(value));
}

/**
 * Generates a key with jose.
 *
 * HMAC: `{ alg, kid, secret: Uint8Array, signKey, jwk }`.
 * Asymmetric: `{ alg, kid, signKey (private CryptoKey), publicKey, jwk (public, with alg/kid), pem (SPKI) }`.
 */
export async function makeKey(alg, { kid = `${alg.toLowerCase()}-1`, ...genOptions } = {}) {
  if (alg.startsWith('HS')) {
    const signKey = await jose.generateSecret(alg, { extractable: true });
    const exported = await jose.exportJWK(signKey);
    const secret = new Uint8Array(Buffer.from(exported.k, 'base64url'));
    return { alg, kid, signKey, secret, jwk: { ...exported, alg, kid } };
  }
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true, ...genOptions });
  const jwk = { ...(await jose.exportJWK(publicKey)), alg, kid, use: 'sig' };
  const pem = await jose.exportSPKI(publicKey);
  // WebCrypto binds a key to one algorithm; keep the private JWK so the same key
  // can sign with another algorithm (e.g. PS256 with an RS256 key) in mint().
  const privateJwk = await jose.exportJWK(privateKey);
  return { alg, kid, signKey: privateKey, publicKey, jwk, pem, privateJwk };
}

/** Default claims of a realistic access token, valid for an hour from `iat`. */
export function defaultClaims(iat = nowSeconds()) {
  return {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'user-123',
    iat,
    exp: iat + 3600,
    scope: 'read:messages write:messages',
  };
}

/**
 * Mints a token with jose's SignJWT. `claims` override the defaults; a claim set to
 * `undefined` is removed. `alg` signs with another algorithm of the same key. `header` overrides the protected header; `kid: undefined`
 * removes the kid.
 */
export async function mint(key, claims = {}, { header = {}, alg = key.alg, signKey = key.signKey } = {}) {
  if (alg !== key.alg && key.privateJwk) signKey = await jose.importJWK(key.privateJwk, alg);
  const payload = dropUndefined({ ...defaultClaims(claims.iat ?? nowSeconds()), ...claims });
  const protectedHeader = dropUndefined({ alg, typ: 'JWT', kid: key.kid, ...header });
  return new jose.SignJWT(payload).setProtectedHeader(protectedHeader).sign(signKey);
}

function dropUndefined(obj) {
  for (const [k, v] of Object.entries(obj)) if (v === undefined) delete obj[k];
  return obj;
}

/**
 * Hand-made HS256 token, for headers and payloads jose refuses to produce
 * (alg "none", crit, non-object payloads, claims of the wrong type).
 * `header` / `payload` may be objects or raw strings.
 */
export function rawHs256(secret, header, payload) {
  const signingInput = `${b64urlJson(header)}.${b64urlJson(payload)}`;
  const sig = createHmac('sha256', Buffer.from(secret)).update(signingInput).digest('base64url');
  return `${signingInput}.${sig}`;
}

/** Verify options with the issuer and audience every test uses. */
export function opts(keys, extra = {}) {
  return { keys, issuer: ISSUER, audience: AUDIENCE, ...extra };
}

/**
 * Asserts that `err` carries none of the token: not the whole token, not its
 * signature, not its payload segment — in the message, the stack, String(err),
 * `wwwAuthenticate`, or any own enumerable field.
 */
export function assertNoTokenLeak(err, token) {
  if (typeof token !== 'string') return;
  const [, payload = '', signature = ''] = token.split('.');
  const needles = [token, signature, payload].filter((s) => s.length >= 16);
  let fields;
  try {
    fields = JSON.stringify(err, Object.getOwnPropertyNames(err));
  } catch {
    fields = '';
  }
  let own;
  try {
    own = JSON.stringify({ ...err });
  } catch {
    own = '';
  }
  const haystacks = {
    'String(err)': String(err),
    'err.message': String(err?.message),
    'err.stack': String(err?.stack),
    'err.wwwAuthenticate': String(err?.wwwAuthenticate),
    'JSON (own property names)': fields,
    'JSON (enumerable)': own,
  };
  for (const needle of needles) {
    for (const [where, text] of Object.entries(haystacks)) {
      assert.ok(!text.includes(needle), `${where} contains part of the token`);
    }
  }
}

function captureThrow(fn) {
  let result;
  try {
    result = fn();
  } catch (err) {
    return err;
  }
  assert.fail(`expected a throw, but it returned ${describe(result)}`);
}

function describe(value) {
  if (value && typeof value.then === 'function') return 'a Promise (the API is synchronous)';
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * Runs `fn`, expecting a TollgateError; asserts `code` (always) and whichever of
 * `status`, `claim`, `reason`, `missing` are given; asserts the token does not
 * leak into the error. Returns the error for further checks.
 */
export function expectTokenError(fn, expected, token) {
  const err = captureThrow(fn);
  assert.ok(err instanceof Error, 'a TollgateError is an Error');
  assert.ok(
    err instanceof tollgate.TollgateError,
    `expected a TollgateError ${expected.code}, got ${err?.name}: ${err?.code} ${err?.message}`,
  );
  assert.equal(err.name, 'TollgateError');
  assert.equal(err.code, expected.code, `message: ${err.message}`);
  assert.equal(err.status, expected.status ?? (expected.code === 'ERR_JWT_INSUFFICIENT_SCOPE' ? 403 : 401));
  assert.equal(typeof err.wwwAuthenticate, 'string');
  assert.match(err.wwwAuthenticate, /^Bearer /);
  if ('claim' in expected) assert.equal(err.claim, expected.claim);
  if ('reason' in expected) assert.equal(err.reason, expected.reason);
  if ('missing' in expected) assert.deepEqual([...err.missing].sort(), [...expected.missing].sort());
  assertNoTokenLeak(err, token);
  return err;
}

/** Runs `fn`, expecting a key import failure with code ERR_JWK_INVALID. */
export function expectKeyError(fn) {
  const err = captureThrow(fn);
  assert.ok(err instanceof Error, `expected an Error, got ${describe(err)}`);
  assert.equal(err.code, 'ERR_JWK_INVALID', `${err.name}: ${err.message}`);
  return err;
}

/** Runs `fn`, expecting caller misuse: a TypeError with code ERR_INVALID_ARG. */
export function expectMisuse(fn) {
  const err = captureThrow(fn);
  assert.ok(err instanceof TypeError, `expected a TypeError, got ${err?.name}: ${err?.code} ${err?.message}`);
  assert.equal(err.code, 'ERR_INVALID_ARG', err.message);
  return err;
}
