// Keys, tokens and hostile tokens for bench/peers.mjs: one fixture per algorithm, made once,
// shared by every contender (each contender then imports the key its own way, once).

import { createHmac, createPublicKey, createSecretKey, randomBytes, webcrypto } from 'node:crypto';
import * as jose from 'jose';

export const ISSUER = 'https://auth.example.com/';
export const AUDIENCE = 'https://api.example.com';
export const SCOPES = ['read:messages', 'write:messages', 'read:profile', 'write:profile', 'read:billing', 'offline_access'];
export const ROLES = ['member', 'editor', 'billing-viewer'];
export const TYP = 'at+jwt';
export const TOKENS_PER_ALG = 64; // distinct tokens, cycled (a power of two: indexed with a mask)

// WebCrypto parameters per JWS algorithm: for importKey, and for verify.
export const WEB = {
  HS256: { imp: { name: 'HMAC', hash: 'SHA-256' }, ver: { name: 'HMAC' } },
  RS256: { imp: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, ver: { name: 'RSASSA-PKCS1-v1_5' } },
  PS256: { imp: { name: 'RSA-PSS', hash: 'SHA-256' }, ver: { name: 'RSA-PSS', saltLength: 32 } },
  ES256: { imp: { name: 'ECDSA', namedCurve: 'P-256' }, ver: { name: 'ECDSA', hash: 'SHA-256' } },
  ES384: { imp: { name: 'ECDSA', namedCurve: 'P-384' }, ver: { name: 'ECDSA', hash: 'SHA-384' } },
  EdDSA: { imp: { name: 'Ed25519' }, ver: { name: 'Ed25519' } },
};

const b64u = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');

export function claimsFor(alg, i, now, overrides = {}) {
  const claims = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: `user-${100000 + i}`,
    iat: now - 60,
    nbf: now - 60,
    exp: now + 86400,
    jti: `${alg}-${i}-${randomBytes(9).toString('base64url')}`,
    scope: SCOPES.join(' '),
    roles: ROLES,
    ...overrides,
  };
  for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
  return claims;
}

/**
 * Everything one algorithm needs: the public key in the forms the peers take (JWK, SPKI PEM,
 * HMAC secret), 64 valid tokens, the same tokens pre-split for the bare primitives, and a
 * battery of tokens every careful verifier should refuse.
 */
export async function makeFixture(alg) {
  const kid = `peers-${alg.toLowerCase()}`;
  const header = { alg, kid, typ: TYP };
  let signKey;
  let jwk;
  let pem;
  let secret;
  if (alg.startsWith('HS')) {
    // 64 ASCII characters, used as their UTF-8 bytes: every peer reads such a string the same way.
    secret = randomBytes(48).toString('base64url');
    signKey = Buffer.from(secret, 'utf8');
    jwk = { kty: 'oct', k: b64u(secret), alg, kid, use: 'sig' };
  } else {
    const pair = await jose.generateKeyPair(alg, { extractable: true }); // RSA: 2048 bits; EdDSA: Ed25519
    signKey = pair.privateKey;
    jwk = { ...(await jose.exportJWK(pair.publicKey)), alg, kid, use: 'sig' };
    pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  }

  const now = Math.floor(Date.now() / 1000);
  const sign = (claims, h = header) => new jose.SignJWT(claims).setProtectedHeader(h).sign(signKey);
  const tokens = [];
  const payloads = [];
  for (let i = 0; i < TOKENS_PER_ALG; i++) {
    const claims = claimsFor(alg, i, now);
    payloads.push(claims);
    tokens.push(await sign(claims));
  }
  // For node:crypto / WebCrypto: the signing input and the signature bytes, decoded up front,
  // so those rows time nothing but the signature check.
  const raw = tokens.map((t) => {
    const dot = t.lastIndexOf('.');
    return { data: Buffer.from(t.slice(0, dot), 'latin1'), sig: Buffer.from(t.slice(dot + 1), 'base64url') };
  });

  // Tokens a careful verifier refuses; each breaks exactly one rule.
  const bad = {};
  bad.expired = await sign(claimsFor(alg, 900, now, { iat: now - 7200, nbf: now - 7200, exp: now - 3600 }));
  bad.notYetValid = await sign(claimsFor(alg, 901, now, { nbf: now + 3600 }));
  bad.wrongIss = await sign(claimsFor(alg, 902, now, { iss: 'https://evil.example/' }));
  bad.wrongAud = await sign(claimsFor(alg, 903, now, { aud: 'https://other.example' }));
  bad.noExp = await sign(claimsFor(alg, 904, now, { exp: undefined }));
  {
    const [h, p] = tokens[0].split('.');
    bad.badSignature = `${h}.${p}.${tokens[1].split('.')[2]}`; // a real signature, of another token
    bad.algNone = `${b64u({ alg: 'none', typ: TYP })}.${p}.`;
    if (pem) {
      // RFC 8725 §2.1: an HS256 token whose HMAC key is the verifier's own public key (PEM text).
      const hh = b64u({ alg: 'HS256', kid, typ: TYP });
      const mac = createHmac('sha256', pem).update(`${hh}.${p}`).digest('base64url');
      bad.algConfusion = `${hh}.${p}.${mac}`;
    }
  }

  return { alg, kid, jwk, pem, secret, header, tokens, payloads, raw, bad };
}

// Keys for the bare primitives (the limit rows).
export async function primitiveKeys(f) {
  const web = WEB[f.alg];
  if (f.secret) {
    const bytes = Buffer.from(f.secret, 'utf8');
    return {
      webKey: await webcrypto.subtle.importKey('raw', bytes, web.imp, false, ['verify']),
      nodeKey: createSecretKey(bytes),
    };
  }
  return {
    webKey: await webcrypto.subtle.importKey('jwk', f.jwk, web.imp, false, ['verify']),
    nodeKey: createPublicKey({ key: f.jwk, format: 'jwk' }),
  };
}
