// The contenders of bench/peers.mjs, each set up as a careful user would: the key imported
// once (a KeySet, a CryptoKey, a KeyObject or a PEM the library parses once), issuer,
// audience and time claims checked wherever the library offers it, the algorithm pinned.
//
// make(fixture, primitiveKeys) returns fn(input) -> the claims (a boolean for the bare
// primitives); a rejected token throws (or, for a primitive, returns false). tollgate comes
// as its package (verify, verifyAsync, the cache) and, for the ring limit, as the raw wasm
// binding underneath, which the package does not export.
//
//   kind   sync | async (awaited one at a time) | concurrent (16 in flight)
//   input  tokens (64 distinct tokens, cycled) | repeat (one token, over and over: a cache's
//          best case) | raw (signing input + signature bytes, decoded before timing)

import { createPublicKey, createSecretKey, createHmac, timingSafeEqual, verify as cryptoVerify, constants, webcrypto } from 'node:crypto';
import * as jose from 'jose';
import { createVerifier as fastJwtVerifier } from 'fast-jwt';
import jsonwebtoken from 'jsonwebtoken';
import { verify as honoVerify } from 'hono/jwt';
import cfJwt from '@tsndr/cloudflare-worker-jwt';
import { ISSUER, AUDIENCE, TYP, WEB } from './fixtures.mjs';
import { nodeCrypto } from '../../pkg/node-crypto.js';
import { useSignatureBackend, webCrypto } from '../../pkg/webcrypto.js';

const ALL = ['HS256', 'RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];
const subtle = webcrypto.subtle;

// verifyAsync falls back to the wasm core, silently, where its backend cannot import a key or
// answer: its rows would then time the sync path under another name. So count the calls that
// reach the backend while `run` goes: crypto.subtle.verify (the object tollgate's webcrypto.js
// holds) or the node:crypto backend's verify (pkg/node-crypto.js, the Node entry's default).
async function backendCalls(backend, run) {
  const target = backend === nodeCrypto ? nodeCrypto : subtle;
  const verify = target.verify;
  let calls = 0;
  target.verify = function counted(...args) {
    calls++;
    return verify.apply(this, args);
  };
  try {
    await run();
  } finally {
    if (target === subtle) delete subtle.verify; // back to the prototype's
    else target.verify = verify;
  }
  return calls;
}

// The same contender with 16 calls (lib.mjs IN_FLIGHT) awaited together (`Promise.all`).
const inFlight = (row) => ({
  ...row,
  id: `${row.id}16`,
  label: `${row.label}, 16 in flight`,
  call: 'the same, 16 verifications awaited together (`Promise.all`)',
  kind: 'concurrent',
});

// `tg` is the tollgate module (pkg/node.js); `wasm` its wasm-bindgen module
// (pkg/wasm/tollgate_wasm.js), already instantiated by pkg/node.js.
export function contenders(tg, wasm) {
  const joseOpts = (alg) => ({ issuer: ISSUER, audience: AUDIENCE, algorithms: [alg] });
  const webKey = (f) =>
    f.secret
      ? subtle.importKey('raw', Buffer.from(f.secret, 'utf8'), WEB[f.alg].imp, false, ['verify'])
      : subtle.importKey('jwk', f.jwk, WEB[f.alg].imp, false, ['verify']);
  const fastJwt = (f, cache) =>
    fastJwtVerifier({ key: f.pem ?? f.secret, algorithms: [f.alg], allowedIss: ISSUER, allowedAud: AUDIENCE, cache });
  // Every tollgate row: the same key set and options, `extra` aside.
  const tollgate = (f, extra) => {
    const keys = f.secret ? tg.KeySet.fromSecret(f.secret, { alg: f.alg, kid: f.kid }) : tg.KeySet.fromJwk(f.jwk);
    return tg.createVerifier({ keys, issuer: ISSUER, audience: AUDIENCE, algorithms: [f.alg], ...extra });
  };

  const rows = [
    {
      id: 'tollgate',
      label: 'tollgate',
      call: '`createVerifier({ keys, issuer, audience, algorithms: [alg] }).verify(token)`, keys = `KeySet.fromJwk(jwk)` (HS: `KeySet.fromSecret`)',
      kind: 'sync',
      input: 'tokens',
      algs: ALL,
      make(f) {
        const v = tollgate(f);
        return (t) => v.verify(t).claims;
      },
    },
    {
      id: 'tollgateAsync',
      label: 'tollgate verifyAsync (node:crypto)',
      call: 'the same verifier, `await verifier.verifyAsync(token)`: the signature of RSA, ECDSA and EdDSA tokens checked by node:crypto (`crypto.verify` with a KeyObject made on the first call: the Node entry\'s backend), every other check in wasm; HS256 stays in wasm (an async wrapper around the same path)',
      kind: 'async',
      input: 'tokens',
      algs: ALL,
      async make(f) {
        const v = tollgate(f);
        if (!f.secret && (await backendCalls(nodeCrypto, () => v.verifyAsync(f.tokens[0]))) === 0) {
          throw new Error('verifyAsync did not call node:crypto (it fell back to the wasm core)');
        }
        return async (t) => (await v.verifyAsync(t)).claims;
      },
    },
    {
      id: 'tollgateAsyncWeb',
      label: 'tollgate verifyAsync (WebCrypto)',
      call: 'the same with the WebCrypto backend of workerd and browsers (`crypto.subtle.verify`, key imported into WebCrypto on the first call), installed in Node for this row',
      kind: 'async',
      input: 'tokens',
      algs: ALL.filter((alg) => !alg.startsWith('HS')),
      async make(f) {
        const v = tollgate(f);
        // The key handle keeps the backend that imported it: WebCrypto, for this verifier only.
        useSignatureBackend(webCrypto);
        try {
          if ((await backendCalls(webCrypto, () => v.verifyAsync(f.tokens[0]))) === 0) {
            throw new Error('verifyAsync did not call crypto.subtle.verify (it fell back to the wasm core)');
          }
        } finally {
          useSignatureBackend(nodeCrypto);
        }
        return async (t) => (await v.verifyAsync(t)).claims;
      },
    },
    {
      id: 'jose',
      label: 'jose',
      call: '`await jwtVerify(token, key, { issuer, audience, algorithms: [alg] })`, key = `importJWK(jwk, alg)` (HS: a CryptoKey from `crypto.subtle.importKey`)',
      kind: 'async',
      input: 'tokens',
      algs: ALL,
      async make(f) {
        const key = f.secret ? await webKey(f) : await jose.importJWK(f.jwk, f.alg);
        const opts = joseOpts(f.alg);
        return async (t) => (await jose.jwtVerify(t, key, opts)).payload;
      },
    },
    {
      id: 'joseBytes',
      label: 'jose, HS secret as bytes',
      call: '`jwtVerify(token, new TextEncoder().encode(secret), …)` as in jose\'s README (and `bench/run.mjs`): jose imports the raw secret into WebCrypto on every call',
      kind: 'async',
      input: 'tokens',
      algs: ['HS256'],
      make(f) {
        const key = new TextEncoder().encode(f.secret);
        const opts = joseOpts(f.alg);
        return async (t) => (await jose.jwtVerify(t, key, opts)).payload;
      },
    },
    {
      id: 'fastjwt',
      label: 'fast-jwt',
      call: '`createVerifier({ key: pem | secret, algorithms: [alg], allowedIss, allowedAud, cache: false })(token)`',
      kind: 'sync',
      input: 'tokens',
      algs: ALL,
      make(f) {
        return fastJwt(f, false);
      },
    },
    {
      id: 'fastjwtCache',
      label: 'fast-jwt, cache, one repeated token',
      call: 'the same with `cache: true` (LRU of 1 000, keyed by a hash of the token), fed ONE token over and over: every call after the first is a cache hit',
      kind: 'sync',
      input: 'repeat',
      algs: ALL,
      make(f) {
        return fastJwt(f, true);
      },
    },
    {
      id: 'tollgateCache',
      label: 'tollgate, cache, one repeated token',
      call: 'the tollgate verifier with `cache: true` (LRU of 1 000, keyed by the whole token text; time claims checked again on every hit), fed ONE token over and over: every call after the first is a cache hit',
      kind: 'sync',
      input: 'repeat',
      algs: ALL,
      make(f) {
        const v = tollgate(f, { cache: true });
        return (t) => v.verify(t).claims;
      },
    },
    {
      id: 'jsonwebtoken',
      label: 'jsonwebtoken',
      call: '`jwt.verify(token, keyObject, { algorithms: [alg], issuer, audience })` (sync), keyObject = `createPublicKey({ key: jwk, format: "jwk" })` / `createSecretKey`',
      kind: 'sync',
      input: 'tokens',
      algs: ['HS256', 'RS256', 'PS256', 'ES256', 'ES384'],
      make(f) {
        const key = f.secret ? createSecretKey(Buffer.from(f.secret, 'utf8')) : createPublicKey({ key: f.jwk, format: 'jwk' });
        const opts = { algorithms: [f.alg], issuer: ISSUER, audience: AUDIENCE };
        return (t) => jsonwebtoken.verify(t, key, opts);
      },
    },
    {
      id: 'hono',
      label: 'hono/jwt',
      call: `\`await verify(token, cryptoKey, { alg, iss, aud, typ: "${TYP}" })\` from \`hono/jwt\` (its default accepts only typ JWT or none)`,
      kind: 'async',
      input: 'tokens',
      algs: ALL,
      async make(f) {
        const key = await webKey(f);
        const opts = { alg: f.alg, iss: ISSUER, aud: AUDIENCE, typ: TYP };
        return (t) => honoVerify(t, key, opts);
      },
    },
    {
      id: 'cfjwt',
      label: '@tsndr/cloudflare-worker-jwt',
      call: '`(await verify(token, cryptoKey, { algorithm: alg, throwError: true })).payload` (it has no issuer or audience option)',
      kind: 'async',
      input: 'tokens',
      algs: ['HS256', 'RS256', 'ES256', 'ES384'],
      async make(f) {
        const key = await webKey(f);
        const opts = { algorithm: f.alg, throwError: true };
        return async (t) => (await cfJwt.verify(t, key, opts)).payload;
      },
    },
    {
      id: 'ring',
      label: 'limit: ring in tollgate\'s wasm',
      call: '`RawKeySet.fromJwk(JSON.stringify(jwk), JSON.stringify({ alg }))` (HS: `RawKeySet.fromSecret(secretBytes, JSON.stringify({ alg, kid }))`) from pkg/wasm/tollgate_wasm.js, then `raw.verifySignature(0, signingInput, signature)` on the same pre-decoded bytes: the `ring` check inside tollgate\'s own wasm and the copy of the two byte arrays into it, nothing else (a binding for bench/, not part of the package\'s API)',
      kind: 'sync',
      input: 'raw',
      limit: true,
      algs: ALL,
      make(f) {
        const raw = f.secret
          ? wasm.RawKeySet.fromSecret(Buffer.from(f.secret, 'utf8'), JSON.stringify({ alg: f.alg, kid: f.kid }))
          : wasm.RawKeySet.fromJwk(JSON.stringify(f.jwk), JSON.stringify({ alg: f.alg }));
        return ({ data, sig }) => raw.verifySignature(0, data, sig);
      },
    },
    {
      id: 'nodecrypto',
      label: 'limit: node:crypto',
      call: '`crypto.verify(hash, signingInput, keyObject, signature)` (ES: `dsaEncoding: "ieee-p1363"`; PS: PSS, salt 32) / `createHmac` + `timingSafeEqual`, on bytes decoded before timing: no parsing, no claims',
      kind: 'sync',
      input: 'raw',
      limit: true,
      algs: ALL,
      make(f, p) {
        const key = p.nodeKey;
        switch (f.alg) {
          case 'HS256':
            return ({ data, sig }) => {
              const mac = createHmac('sha256', key).update(data).digest();
              return mac.length === sig.length && timingSafeEqual(mac, sig);
            };
          case 'RS256':
            return ({ data, sig }) => cryptoVerify('sha256', data, key, sig);
          case 'PS256': {
            const k = { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
            return ({ data, sig }) => cryptoVerify('sha256', data, k, sig);
          }
          case 'ES256':
          case 'ES384': {
            const k = { key, dsaEncoding: 'ieee-p1363' };
            const hash = `sha${f.alg.slice(2)}`;
            return ({ data, sig }) => cryptoVerify(hash, data, k, sig);
          }
          case 'EdDSA':
            return ({ data, sig }) => cryptoVerify(null, data, key, sig);
          default:
            throw new Error(`no primitive for ${f.alg}`);
        }
      },
    },
    {
      id: 'webcrypto',
      label: 'limit: WebCrypto',
      call: '`await crypto.subtle.verify(params, cryptoKey, signature, signingInput)` on the same pre-decoded bytes',
      kind: 'async',
      input: 'raw',
      limit: true,
      algs: ALL,
      make(f, p) {
        const params = WEB[f.alg].ver;
        return ({ data, sig }) => subtle.verify(params, p.webKey, sig, data);
      },
    },
  ];
  // These are also timed with 16 in flight, each right after its row.
  const twins = new Set(['tollgateAsync', 'tollgateAsyncWeb', 'jose', 'webcrypto']);
  return rows.flatMap((row) => (twins.has(row.id) ? [row, inFlight(row)] : [row]));
}
