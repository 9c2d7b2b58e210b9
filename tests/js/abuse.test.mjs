// Abuse: one wasm instance, 10^5 hostile tokens of many kinds, each of which must be
// rejected with the code the README's pipeline predicts (size → segments → base64url →
// header → allow-list → key by kid → signature → payload → claims → scopes). Never a
// success, never an exception other than a TollgateError. Every 1000 hostile tokens a
// valid token must still verify with the right claims; at the end the same instance
// verifies valid tokens of every algorithm, minted by jose.
//
// The hostile tokens come from a seeded PRNG (SEED below, or ABUSE_SEED=n): a failure
// reproduces. Most kinds are cheap (HS256, or rejected before any public-key arithmetic);
// the big inputs (1 MiB strings, 10 000 dots, 10 000-deep JSON, 100 000 claims) are built
// once and replayed a few times each, against the default 16 KiB limit and verifiers with
// maxTokenLength 1 MiB and 4 MiB (the hard cap). No assertion here is about time (see bench/).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, KeyObject, sign as cryptoSign } from 'node:crypto';
import {
  tollgate, jose, ISSUER, AUDIENCE, T0, ALGS, makeKey, mint, b64url, assertNoTokenLeak,
} from './helpers.mjs';
// The package's own wasm-bindgen module (the instance node.js initialised): only to
// report the size of the wasm linear memory at the end.
import { initSync } from '../../pkg/wasm/tollgate_wasm.js';

const { KeySet, createVerifier, TollgateError, decode } = tollgate;

const HOSTILE = 100_000;
const VALID_EVERY = 1_000;
const BIG_EVERY = 2_000; // one of the prebuilt big inputs every BIG_EVERY hostile tokens
const SEED = Number(process.env.ABUSE_SEED ?? 0x70_11_6a_7e);
const NOW = T0 + 60;
const MiB = 1 << 20;

// ---------------------------------------------------------------- PRNG

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(SEED);
const int = (n) => Math.floor(rand() * n);
const pick = (list) => list[int(list.length)];
const randomBytes = (n) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(256);
  return b;
};
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

// ---------------------------------------------------------------- keys (jose) and verifiers

const hs = await makeKey('HS256', { kid: 'hs' });
const rs = await makeKey('RS256', { kid: 'rs' });
const es = await makeKey('ES256', { kid: 'es' });
const ed = await makeKey('EdDSA', { kid: 'ed' });
const rsPriv = KeyObject.from(rs.signKey);
const esPriv = KeyObject.from(es.signKey);
const edPriv = KeyObject.from(ed.signKey);
const rsPub = KeyObject.from(rs.publicKey);
const KIDS = new Set(['hs', 'rs', 'es', 'ed']);

const mainKeys = KeySet.fromJwks({ keys: [hs.jwk, rs.jwk, es.jwk, ed.jwk] });
const rsaOnlyKeys = KeySet.fromPem(rs.pem, { alg: 'RS256', kid: 'rs' });
const baseOptions = { issuer: ISSUER, audience: AUDIENCE, now: NOW };
const verifiers = {
  main: createVerifier({ keys: mainKeys, ...baseOptions }),
  big: createVerifier({ keys: mainKeys, ...baseOptions, maxTokenLength: MiB }),
  huge: createVerifier({ keys: mainKeys, ...baseOptions, maxTokenLength: 4 * MiB }), // the hard cap
  rsaOnly: createVerifier({ keys: rsaOnlyKeys, ...baseOptions }),
  // A misconfiguration: HS256 allowed next to an RSA-only key set.
  rsaLoose: createVerifier({ keys: rsaOnlyKeys, ...baseOptions, algorithms: ['RS256', 'HS256'] }),
};

// ---------------------------------------------------------------- token building

const utf8 = (s) => Buffer.from(s, 'utf8');
/** A segment: bytes as they are, strings as UTF-8, anything else as JSON. */
function seg(x) {
  if (x instanceof Uint8Array) return b64url(x);
  return b64url(typeof x === 'string' ? x : JSON.stringify(x));
}
const hmac = (input, secret = hs.secret) => createHmac('sha256', secret).update(input).digest();
/** HS256 over the given encoded segments, exactly as written. */
const signSegs = (h, p, secret) => `${h}.${p}.${b64url(hmac(`${h}.${p}`, secret))}`;
/** HS256 token: header and payload as bytes, strings or objects. */
const hsTok = (header, payload, secret) => signSegs(seg(header), seg(payload), secret);

let serial = 0;
const claims = (extra = {}) => ({
  iss: ISSUER, aud: AUDIENCE, sub: 'user-123', iat: T0, exp: T0 + 3600,
  scope: 'read:messages write:messages', jti: `j${serial++}`, ...extra,
});
/** The claims as JSON text with member `name` given as raw JSON text (or removed). */
function claimsWithRaw(name, rawValue) {
  const c = claims();
  delete c[name];
  const text = JSON.stringify(c);
  return rawValue === undefined ? text : `${text.slice(0, -1)},"${name}":${rawValue}}`;
}
const HS_HEADER = { alg: 'HS256', typ: 'JWT', kid: 'hs' };
const validHs = () => hsTok(HS_HEADER, claims());

function asymTok(alg, kid, sigFn, payload = claims()) {
  const input = `${seg({ alg, typ: 'JWT', kid })}.${seg(payload)}`;
  return `${input}.${b64url(sigFn(Buffer.from(input)))}`;
}
const esSign = (data, dsaEncoding = 'ieee-p1363') => cryptoSign('sha256', data, { key: esPriv, dsaEncoding });
const edSign = (data) => cryptoSign(null, data, edPriv);
const rsSign = (data) => cryptoSign('sha256', data, rsPriv);
const replaceSig = (token, sigBytes) => `${token.slice(0, token.lastIndexOf('.'))}.${b64url(sigBytes)}`;

// Pools of real asymmetric signatures (node:crypto, synchronous), reused by the kinds.
const esPool = Array.from({ length: 32 }, () => {
  const p1363 = asymTok('ES256', 'es', (d) => esSign(d));
  const input = Buffer.from(p1363.slice(0, p1363.lastIndexOf('.')));
  return { p1363, der: replaceSig(p1363, esSign(input, 'der')) };
});
const edPool = Array.from({ length: 8 }, () => asymTok('EdDSA', 'ed', edSign));
const rsPool = Array.from({ length: 4 }, () => asymTok('RS256', 'rs', rsSign));

// Big-endian / little-endian fixed-width integers for crafted signatures.
function beBytes(x, len) {
  const out = Buffer.alloc(len);
  for (let i = len - 1; i >= 0; i--, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}
const fromBe = (buf) => BigInt(`0x${Buffer.from(buf).toString('hex') || '0'}`);
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const ED25519_L = 2n ** 252n + 27742317777372353535851937790883648493n;
const MAX256 = 2n ** 256n - 1n;

// Secrets an attacker derives from the PUBLIC RSA key (the classic RS256→HS256 confusion).
const rsDer = rsPub.export({ type: 'spki', format: 'der' });
const publicSecrets = [
  rs.pem,
  rs.pem.trim(),
  rs.pem.replaceAll('\n', '\r\n'),
  rsPub.export({ type: 'pkcs1', format: 'pem' }),
  JSON.stringify(rs.jwk),
  JSON.stringify({ kty: 'RSA', n: rs.jwk.n, e: rs.jwk.e }),
  JSON.stringify(rs.jwk, null, 2),
  rs.jwk.n,
  Buffer.from(rs.jwk.n, 'base64url'),
  rsDer,
];

const INVALID_UTF8 = [
  [0xff], [0xfe], [0x80], [0xc2], [0xc0, 0xaf], [0xc1, 0xbf], [0xe0, 0x80, 0xaf], [0xe2, 0x82],
  [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80], [0xf0, 0x9f, 0x98],
  [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80],
].map((b) => Buffer.from(b));

function withBadUtf8(prefix, suffix) {
  return Buffer.concat([utf8(prefix), pick(INVALID_UTF8), utf8(suffix)]);
}

/** `len` printable ASCII chars, never a quote or backslash (safe inside a JSON string). */
function printable(len) {
  let s = '';
  for (let i = 0; i < len; i++) {
    const c = 0x20 + int(95);
    s += c === 0x22 || c === 0x5c ? 'x' : String.fromCharCode(c);
  }
  return s;
}

function nested(depth, open = '[', close = ']') {
  return open.repeat(depth) + close.repeat(depth);
}

// ---------------------------------------------------------------- the hostile kinds
//
// Each `make()` returns { token, code (or list of codes), claim?, reason?, verifier?, call? }.
// `code` is what the pipeline order in the README predicts; a list only where the input is
// random enough that two stages can legitimately catch it first.

const JWS = 'ERR_JWS_INVALID';
const ALG = 'ERR_JOSE_ALG_NOT_ALLOWED';
const UNSUP = 'ERR_JOSE_NOT_SUPPORTED';
const NOKEY = 'ERR_JWKS_NO_MATCHING_KEY';
const SIG = 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED';
const JWT = 'ERR_JWT_INVALID';
const EXPIRED = 'ERR_JWT_EXPIRED';
const CLAIM = 'ERR_JWT_CLAIM_VALIDATION_FAILED';
const SCOPE = 'ERR_JWT_INSUFFICIENT_SCOPE';

const TIME_CLAIMS = ['exp', 'nbf', 'iat'];
// Values of the wrong type or out of range: ERR_JWT_INVALID naming the claim.
const BAD_TIME_TYPED = [
  '"1700003600"', '"tomorrow"', '""', 'null', 'true', 'false', '{}', '[]', '[1700003600]',
  '-1', '-1700003600', '-0.5', '9007199254740992', '9007199254740994', '18014398509481984',
  '1e20', '1e308', '9.9e307',
];
// The largest finite double: a valid JSON number, out of range as a NumericDate. tollgate's
// approximate decimal reader overflows on it and answers "payload is not valid JSON"
// (same code, no `claim`), so only the code is asserted for it.
const MAX_DOUBLE = ['1.7976931348623157e308', '1.7976931348623157E+308'];
// Not JSON numbers at all (or overflowing an f64): ERR_JWT_INVALID, payload syntax.
const BAD_TIME_SYNTAX = [
  '1e400', '-1e400', `1${'0'.repeat(400)}`, 'NaN', 'Infinity', '-Infinity', '0x10', '+1', '01', '1.', '.5',
  '1e', '1e+', '--1', '1_000',
];

const kinds = [
  {
    name: 'random code units (incl. lone surrogates)', weight: 6,
    make: () => {
      let s = '';
      for (let n = int(300); n > 0; n--) s += String.fromCharCode(int(0x10000));
      return { token: s, code: JWS };
    },
  },
  {
    name: 'random bytes as a latin1 string', weight: 5,
    make: () => ({ token: randomBytes(int(400)).toString('latin1'), code: JWS }),
  },
  {
    name: 'random base64url segments', weight: 5,
    make: () => ({
      token: `${b64url(randomBytes(8 + int(64)))}.${b64url(randomBytes(int(128)))}.${b64url(randomBytes(int(300)))}`,
      code: JWS,
    }),
  },
  {
    name: 'wrong number of segments', weight: 4,
    make: () => {
      const t = validHs();
      const [h, p, s] = t.split('.');
      const token = pick([
        '', '.', '..', '...', '....', h, `${h}.${p}`, `${t}.`, `.${t}`, `${t}.${s}`,
        `${h}..${p}.${s}`, t.replaceAll('.', '..'), `${h}.${p}.${s}.${s}.${s}`,
      ]);
      return { token, code: JWS };
    },
  },
  {
    name: 'extra dots', weight: 3,
    make: () => {
      if (rand() < 0.3) return { token: '.'.repeat(3 + int(5000)), code: JWS };
      let t = validHs();
      for (let n = 1 + int(20); n > 0; n--) {
        const at = int(t.length + 1);
        t = `${t.slice(0, at)}.${t.slice(at)}`;
      }
      return { token: t, code: JWS };
    },
  },
  {
    name: 'lone surrogates in a JS string', weight: 6,
    make: () => {
      const t = validHs();
      if (rand() < 0.2) {
        // The payload segment with a surrogate, signed over what the wasm will see (the
        // JS glue encodes a lone surrogate as U+FFFD): the signature verifies, then the
        // payload is not base64url.
        const [h, p] = t.split('.');
        const at = int(p.length + 1);
        const bad = `${p.slice(0, at)}\ud800${p.slice(at)}`;
        const seen = `${p.slice(0, at)}\ufffd${p.slice(at)}`;
        return { token: `${h}.${bad}.${b64url(hmac(`${h}.${seen}`))}`, code: JWS };
      }
      // Anywhere in the token: not base64url, and every segment is decoded (strictly)
      // before the signature is checked.
      let token = t;
      for (let n = 1 + int(3); n > 0; n--) {
        const at = int(token.length + 1);
        token = `${token.slice(0, at)}${String.fromCharCode(0xd800 + int(0x800))}${token.slice(at)}`;
      }
      return { token, code: JWS };
    },
  },
  {
    name: 'invalid UTF-8 in the header', weight: 3,
    make: () => {
      const header = pick([
        () => withBadUtf8('{"alg":"HS256","kid":"', '"}'),
        () => withBadUtf8('{"alg":"HS256","', '":1}'),
        () => withBadUtf8('{"alg":"HS', '256"}'),
        () => withBadUtf8('', '{"alg":"HS256"}'),
        () => withBadUtf8('{"alg":"HS256"}', ''),
      ])();
      return { token: hsTok(header, claims()), code: JWS };
    },
  },
  {
    name: 'invalid UTF-8 in the payload (signed)', weight: 3,
    make: () => {
      const text = JSON.stringify(claims());
      const payload = pick([
        () => withBadUtf8(`${text.slice(0, -1)},"name":"`, '"}'),
        () => withBadUtf8(`${text.slice(0, -1)},"`, '":1}'),
        () => withBadUtf8(text.replace(`"sub":"user-`, `"sub":"`), ''),
        () => withBadUtf8('', text),
      ])();
      return { token: hsTok(HS_HEADER, payload), code: JWT };
    },
  },
  {
    name: 'escaped lone surrogates in JSON', weight: 2,
    make: () => {
      const esc = pick(['\\ud800', '\\udc00', '\\ud800\\u0041', '\\ud800x', '\\udbff\\udbff', '\\udfff\\ud800', '\\ud83d']);
      if (rand() < 0.5) {
        return { token: hsTok(`{"alg":"HS256","kid":"${esc}"}`, claims()), code: JWS };
      }
      return { token: hsTok(HS_HEADER, claimsWithRaw('sub', `"${esc}"`)), code: JWT };
    },
  },
  {
    name: 'alg none and look-alikes', weight: 5,
    make: () => {
      const r = rand();
      if (r < 0.6) {
        const alg = pick(['none', 'None', 'NONE', 'nOnE', 'NoNe', 'nONE']);
        const header = { alg, ...(rand() < 0.5 ? { typ: 'JWT' } : {}), ...(rand() < 0.5 ? { kid: 'hs' } : {}) };
        const unsigned = `${seg(header)}.${seg(claims())}`;
        const sig = pick(['', 'AAAA', b64url(hmac(unsigned)), b64url(randomBytes(64))]);
        return { token: `${unsigned}.${sig}`, code: ALG };
      }
      if (r < 0.85) {
        const alg = pick([' none', 'none ', 'none\u0000', 'ｎｏｎｅ', 'nonе', 'none\n', 'non', 'nonee', '']);
        return { token: `${seg({ alg })}.${seg(claims())}.`, code: UNSUP };
      }
      const header = pick(['{"alg":null}', '{"alg":["none"]}', '{"alg":{}}', '{"alg":0}', '{"alg":false}', '{"typ":"JWT"}', '{}']);
      return { token: `${seg(header)}.${seg(claims())}.`, code: JWS };
    },
  },
  {
    name: 'HS256 signed with the RSA public key as secret', weight: 4,
    make: () => {
      const secret = pick(publicSecrets);
      const withKid = rand() < 0.5;
      const header = { alg: 'HS256', typ: 'JWT', ...(withKid ? { kid: 'rs' } : {}) };
      const verifier = pick(['main', 'rsaOnly', 'rsaLoose']);
      const token = hsTok(header, claims({ scope: 'admin' }), secret);
      const code = withKid
        ? ALG // the kid's key is bound to RS256
        : { main: SIG, rsaOnly: ALG, rsaLoose: NOKEY }[verifier];
      if (rand() < 0.15) {
        // The same HMAC tag presented as RS256.
        return { token: hsTok({ alg: 'RS256', kid: 'rs' }, claims(), secret), code: SIG, verifier };
      }
      return { token, code, verifier };
    },
  },
  {
    name: 'ECDSA r/s zero or >= n', weight: 4,
    make: () => {
      const { p1363 } = pick(esPool);
      const sig = Buffer.from(p1363.slice(p1363.lastIndexOf('.') + 1), 'base64url');
      const r = fromBe(sig.subarray(0, 32));
      const s = fromBe(sig.subarray(32));
      const [rr, ss] = pick([
        [0n, 0n], [0n, s], [r, 0n], [P256_N, s], [r, P256_N], [P256_N, P256_N], [P256_N + 1n, s],
        [r, P256_N + 1n], [MAX256, MAX256], [r, MAX256], [MAX256, s], [P256_N, 0n], [0n, P256_N],
      ]);
      const bad = Buffer.concat([beBytes(rr, 32), beBytes(ss, 32)]);
      const token = replaceSig(p1363, bad);
      // Without a kid the ES256 key is still selected by alg.
      return { token: rand() < 0.2 ? replaceSig(asymTok('ES256', undefined, () => bad), bad) : token, code: SIG };
    },
  },
  {
    name: 'ES256 signatures of the wrong length or encoding', weight: 4,
    make: () => {
      const { p1363, der } = pick(esPool);
      if (rand() < 0.6) return { token: der, code: SIG }; // ASN.1 DER, as OpenSSL emits it
      const sig = Buffer.from(p1363.slice(p1363.lastIndexOf('.') + 1), 'base64url');
      const bad = pick([
        Buffer.alloc(0), sig.subarray(0, 63), Buffer.concat([sig, Buffer.from([0])]),
        Buffer.concat([Buffer.from([0]), sig]), Buffer.concat([sig, sig]), sig.subarray(0, 32),
        Buffer.alloc(96), randomBytes(1 + int(200)),
      ]);
      return { token: replaceSig(p1363, bad), code: SIG };
    },
  },
  {
    name: 'ES256 well-formed signature over other bytes', weight: 0.3, // full ECDSA verification: costly
    make: () => {
      const [a, b] = [pick(esPool).p1363, pick(esPool).p1363];
      if (a === b) return { token: replaceSig(a, Buffer.alloc(64)), code: SIG };
      return { token: `${a.slice(0, a.lastIndexOf('.'))}.${b.slice(b.lastIndexOf('.') + 1)}`, code: SIG };
    },
  },
  {
    name: 'Ed25519 signatures: zero, S >= L, wrong length', weight: 2,
    make: () => {
      const t = pick(edPool);
      const sig = Buffer.from(t.slice(t.lastIndexOf('.') + 1), 'base64url');
      const sLe = BigInt(`0x${Buffer.from(sig.subarray(32)).reverse().toString('hex')}`);
      const le = (x) => beBytes(x, 32).reverse();
      const bad = pick([
        Buffer.alloc(64), Buffer.alloc(64, 0xff), Buffer.concat([sig.subarray(0, 32), le(ED25519_L)]),
        Buffer.concat([sig.subarray(0, 32), le(sLe + ED25519_L)]), sig.subarray(0, 63),
        Buffer.concat([sig, Buffer.from([0])]), Buffer.concat([Buffer.alloc(32), sig.subarray(32)]),
      ]);
      return { token: replaceSig(t, bad), code: SIG };
    },
  },
  {
    name: 'RSA signatures: zero, >= modulus, wrong length, other alg', weight: 1,
    make: () => {
      const t = pick(rsPool);
      if (rand() < 0.3) {
        // PS256 / RS384 / HS256 / ES256 header with the RS256 key's kid.
        const alg = pick(['PS256', 'RS384', 'PS512', 'ES256', 'EdDSA', 'HS512']);
        return { token: asymTok(alg, 'rs', rsSign), code: ALG };
      }
      const n = Buffer.from(rs.jwk.n, 'base64url');
      const bad = pick([
        Buffer.alloc(256), n, Buffer.alloc(256, 0xff), beBytes(1n, 256), beBytes(fromBe(n) + 1n, 256),
        Buffer.alloc(255, 1), Buffer.alloc(257, 1), Buffer.alloc(0), Buffer.alloc(512, 7),
      ]);
      return { token: replaceSig(t, bad), code: SIG };
    },
  },
  {
    name: 'huge or odd kid', weight: 4,
    make: () => {
      const r = rand();
      if (r < 0.5) {
        let kid = printable(1 + int(9000));
        if (KIDS.has(kid)) kid += 'x';
        return { token: hsTok({ alg: 'HS256', kid }, claims()), code: NOKEY };
      }
      if (r < 0.8) {
        const kid = pick(['', 'HS', 'hs ', ' hs', 'hs\u0000', 'h\u0000s', 'hs\n', 'ｈｓ', '__proto__', 'constructor', 'hasOwnProperty', 'rs\u0000']);
        return { token: hsTok({ alg: 'HS256', kid }, claims()), code: NOKEY };
      }
      const raw = pick(['1', 'null', 'true', '[]', '["hs"]', '{}', '{"hs":1}', '1e400', '-0']);
      return { token: hsTok(`{"alg":"HS256","kid":${raw}}`, claims()), code: JWS };
    },
  },
  {
    name: 'crit / b64 / enc / cty headers', weight: 4,
    make: () => {
      const header = pick([
        '{"alg":"HS256","kid":"hs","crit":[]}',
        '{"alg":"HS256","kid":"hs","crit":["exp"],"exp":1}',
        '{"alg":"HS256","kid":"hs","crit":["b64"],"b64":false}',
        '{"alg":"HS256","kid":"hs","crit":["b64"],"b64":true}',
        '{"alg":"HS256","kid":"hs","crit":["b64"]}',
        '{"alg":"HS256","kid":"hs","crit":"b64"}',
        '{"alg":"HS256","kid":"hs","crit":null}',
        '{"alg":"HS256","kid":"hs","crit":{}}',
        '{"alg":"HS256","kid":"hs","crit":[1]}',
        '{"alg":"HS256","kid":"hs","crit":["alg"]}',
        '{"alg":"HS256","kid":"hs","crit":["crit"]}',
        '{"alg":"HS256","kid":"hs","crit":["x"],"x":1}',
        '{"alg":"HS256","kid":"hs","crit":["urn:example:c"],"urn:example:c":true}',
        '{"alg":"HS256","kid":"hs","b64":false}',
        '{"alg":"HS256","kid":"hs","b64":"false"}',
        '{"alg":"HS256","kid":"hs","b64":0}',
        '{"alg":"HS256","kid":"hs","b64":null}',
        '{"alg":"HS256","kid":"hs","enc":"A256GCM"}',
        '{"alg":"dir","enc":"A256GCM"}',
        '{"alg":"HS256","kid":"hs","cty":"JWT"}',
        '{"alg":"HS256","kid":"hs","cty":"jwt"}',
        '{"alg":"HS256","kid":"hs","cty":1}',
        '{"alg":"HS256","kid":"hs","cty":null}',
      ]);
      return { token: hsTok(header, claims()), code: JWS };
    },
  },
  {
    name: 'JWE-shaped tokens', weight: 3,
    make: () => {
      const header = seg(pick([
        { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'rs' },
        { alg: 'dir', enc: 'A128CBC-HS256' },
        { alg: 'ECDH-ES', enc: 'A256GCM', epk: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' } },
        { alg: 'HS256', enc: 'A256GCM', kid: 'hs' },
      ]));
      const rnd = (n) => b64url(randomBytes(n));
      const token = pick([
        `${header}.${rnd(256)}.${rnd(12)}.${rnd(1 + int(200))}.${rnd(16)}`,
        `${header}..${rnd(12)}.${rnd(1 + int(200))}.${rnd(16)}`,
        `${header}....`,
        `${header}.${rnd(12)}.${rnd(16)}`,
      ]);
      return { token, code: JWS };
    },
  },
  {
    name: 'time claims of the wrong type or out of range', weight: 6,
    make: () => {
      const name = pick(TIME_CLAIMS);
      if (rand() < 0.7) {
        return { token: hsTok(HS_HEADER, claimsWithRaw(name, pick(BAD_TIME_TYPED))), code: JWT, claim: name, reason: 'invalid' };
      }
      if (rand() < 0.1) return { token: hsTok(HS_HEADER, claimsWithRaw(name, pick(MAX_DOUBLE))), code: JWT };
      return { token: hsTok(HS_HEADER, claimsWithRaw(name, pick(BAD_TIME_SYNTAX))), code: JWT };
    },
  },
  {
    name: 'time claim values', weight: 4,
    make: () => {
      const r = pick([0, 1, 2, 3, 4, 5]);
      if (r === 0) {
        const exp = pick([0, 1, NOW, NOW - 1, T0, 1e9, '-0', '0e99999', '1e-400', `0.${'0'.repeat(300)}1`]);
        return { token: hsTok(HS_HEADER, claimsWithRaw('exp', String(exp))), code: EXPIRED, claim: 'exp', reason: 'check_failed' };
      }
      if (r === 1) {
        return { token: hsTok(HS_HEADER, claimsWithRaw('exp', undefined)), code: CLAIM, claim: 'exp', reason: 'missing' };
      }
      if (r === 2 || r === 3) {
        const name = r === 2 ? 'nbf' : 'iat';
        const v = pick([NOW + 1, NOW + 3600, 9007199254740991, 4102444800]);
        return { token: hsTok(HS_HEADER, claimsWithRaw(name, String(v))), code: CLAIM, claim: name, reason: 'check_failed' };
      }
      // A malformed claim is checked before a passing one: a bad nbf next to a fine exp.
      const name = pick(['nbf', 'iat']);
      return { token: hsTok(HS_HEADER, claimsWithRaw(name, pick(['"0"', 'null', '-5']))), code: JWT, claim: name };
    },
  },
  {
    name: 'registered and scope claims: types and checks', weight: 5,
    make: () => {
      const cases = [
        ['iss', '1', JWT, 'invalid'], ['iss', 'null', JWT, 'invalid'], ['iss', `["${ISSUER}"]`, JWT, 'invalid'],
        ['iss', '{}', JWT, 'invalid'], ['iss', '"https://issuer.example.com"', CLAIM, 'check_failed'],
        ['iss', '"HTTPS://ISSUER.EXAMPLE.COM/"', CLAIM, 'check_failed'], ['iss', `"${ISSUER}\\u0000"`, CLAIM, 'check_failed'],
        ['iss', undefined, CLAIM, 'missing'],
        ['aud', '1', JWT, 'invalid'], ['aud', 'null', JWT, 'invalid'], ['aud', '[1]', JWT, 'invalid'],
        ['aud', `["${AUDIENCE}",1]`, JWT, 'invalid'], ['aud', '{}', JWT, 'invalid'], ['aud', '[]', CLAIM, 'check_failed'],
        ['aud', '"https://api.example.com/"', CLAIM, 'check_failed'], ['aud', '["x","y"]', CLAIM, 'check_failed'],
        ['aud', undefined, CLAIM, 'missing'],
        ['sub', '1', JWT, 'invalid'], ['sub', 'null', JWT, 'invalid'], ['sub', '["a"]', JWT, 'invalid'],
        ['jti', '1', JWT, 'invalid'], ['jti', '{}', JWT, 'invalid'],
        ['scope', '1', JWT, undefined], ['scope', 'null', JWT, undefined], ['scope', '{}', JWT, undefined],
        ['scope', '["a",1]', JWT, undefined], ['scp', 'true', JWT, undefined], ['permissions', '[null]', JWT, undefined],
      ];
      const [name, raw, code, reason] = pick(cases);
      const item = { token: hsTok(HS_HEADER, claimsWithRaw(name, raw)), code, claim: name };
      if (reason) item.reason = reason;
      return item;
    },
  },
  {
    name: 'payload not a strict JSON object (signed)', weight: 5,
    make: () => {
      const text = JSON.stringify(claims());
      const payload = pick([
        '[]', `[${text}]`, '"x"', '1', 'null', 'true', '', ' ', '{', `${text},`, `${text}{}`, `${text}x`,
        `\ufeff${text}`, text.replace('}', ',}'), text.replace('"sub"', "'sub'"), text.replace('"sub"', 'sub'),
        text.replace('"sub":', '"sub" '), `${text.slice(0, -1)},"sub":"dup"}`, `${text.slice(0, -1)},"\\u0073ub":"dup"}`,
        `${text.slice(0, -1)},"a":"\\x"}`, `${text.slice(0, -1)},"a":"\u0001"}`, `${text.slice(0, -1)},"a":"\t"}`,
        `${text.slice(0, -1)},"a":01}`, `${text.slice(0, -1)},"a":-}`, `${text.slice(0, -1)},"a":tru}`,
        `${text.slice(0, -1)},"a":[1,]}`, `${text.slice(0, -1)},"a":undefined}`, `${text.slice(0, -1)},"a":"\\u12"}`,
        `${text.slice(0, -1)},"a":{"b":1,"b":2}}`, `${text.slice(0, -1)},"a":${nested(40)}}`,
        `${text.slice(0, -1)},"a":${nested(200, '{"a":', '}').replace(/}+$/, '1$&')}}`, text.slice(0, -1),
      ]);
      return { token: hsTok(HS_HEADER, payload), code: JWT };
    },
  },
  {
    name: 'header not a strict JSON object', weight: 4,
    make: () => {
      const header = pick([
        '[]', '"HS256"', '1', 'null', '', ' ', '{', '{"alg":"HS256",}', '{"alg":"HS256","alg":"HS256"}',
        '{"alg":"HS256","alg":"none"}', '{"alg":"HS256","\\u0061lg":"HS256"}', '\ufeff{"alg":"HS256"}',
        '{"alg":"HS256"} x', '{"alg":"HS256"}{}', "{'alg':'HS256'}", '{alg:"HS256"}', '{"alg":"HS\u0001256"}',
        '{"alg":"HS256","typ":null}', '{"alg":"HS256","typ":1}', '{"alg":"HS256","x":1e400}',
        `{"alg":"HS256","x":${nested(33 + int(2000))}}`, '{"alg":"HS256","x":"\\q"}',
      ]);
      return { token: hsTok(header, claims()), code: JWS };
    },
  },
  {
    name: 'non-canonical base64url', weight: 6,
    make: () => {
      const t = validHs();
      const [h, p, s] = t.split('.');
      const r = int(9);
      if (r === 0) return { token: `${h}=.${p}.${s}`, code: JWS };
      if (r === 1) return { token: `${h}.${p}.${s}=`, code: JWS };
      if (r === 2) {
        // The signature's last char carries 2 spare bits that must be zero.
        const last = ALPHABET.indexOf(s.at(-1));
        return { token: `${h}.${p}.${s.slice(0, -1)}${ALPHABET[last | (1 + int(3))]}`, code: JWS };
      }
      if (r === 3) {
        // Standard alphabet in a signed payload ('?' and '>' encode to '_' and '-').
        // Twelve '?' hold a whole 3-byte group '???' at any alignment: "Pz8_".
        const p2 = seg(claims({ x: '?'.repeat(12) }));
        return { token: signSegs(h, p2.replaceAll('_', '/').replaceAll('-', '+'), hs.secret), code: JWS };
      }
      if (r === 4) return { token: signSegs(h, `${p}${'='.repeat(1 + int(2))}`, hs.secret), code: JWS };
      if (r === 5) {
        // A signed payload whose spare bits are not zero.
        let p2 = seg(claims({ x: 'y' }));
        while (p2.length % 4 === 0) p2 = seg(claims({ x: 'y'.repeat(1 + int(3)) }));
        const last = ALPHABET.indexOf(p2.at(-1));
        const spare = p2.length % 4 === 2 ? 0b1111 : 0b11;
        return { token: signSegs(h, p2.slice(0, -1) + ALPHABET[last | (1 + int(spare))], hs.secret), code: JWS };
      }
      if (r === 6) {
        const at = int(p.length);
        const ws = pick([' ', '\n', '\r\n', '\t', '=']);
        return { token: signSegs(h, `${p.slice(0, at)}${ws}${p.slice(at)}`, hs.secret), code: JWS };
      }
      if (r === 7) {
        const at = int(h.length);
        return { token: `${h.slice(0, at)}${pick([' ', '\n', '+', '/', '='])}${h.slice(at)}.${p}.${s}`, code: JWS };
      }
      // A payload segment of one char (6 bits: no whole byte), signed.
      return { token: signSegs(h, pick(ALPHABET), hs.secret), code: JWS };
    },
  },
  {
    name: 'tampered signature or payload', weight: 8,
    make: () => {
      const t = validHs();
      const [h, p, s] = t.split('.');
      const swap = (str, at) => {
        const c = ALPHABET.indexOf(str[at]);
        return `${str.slice(0, at)}${ALPHABET[(c + 1 + int(62)) % 64]}${str.slice(at + 1)}`;
      };
      const r = int(8);
      if (r === 0) return { token: `${h}.${p}.${swap(s, int(s.length - 1))}`, code: SIG };
      // Not the payload's last char, which could make it non-canonical base64url.
      if (r === 1) return { token: `${h}.${swap(p, int(p.length - 1))}.${s}`, code: SIG };
      if (r === 2) return { token: `${h}.${p}.${s.slice(0, -3)}`, code: SIG }; // 40 chars: 30 bytes, canonical
      if (r === 3) return { token: `${h}.${p}.`, code: SIG };
      if (r === 4) return { token: hsTok(HS_HEADER, claims(), randomBytes(32)), code: SIG };
      if (r === 5) return { token: `${h}.${p}.${b64url(pick([Buffer.alloc(32), randomBytes(31), randomBytes(33), randomBytes(64)]))}`, code: SIG };
      if (r === 6) {
        const other = validHs().split('.');
        return { token: `${h}.${other[1]}.${s}`, code: SIG };
      }
      // A forged payload (more scope, later exp) under the original signature.
      return { token: `${h}.${seg(claims({ scope: 'admin', exp: T0 + 10 ** 7 }))}.${s}`, code: SIG };
    },
  },
  {
    name: 'algorithm confusion and unsupported algorithms', weight: 5,
    make: () => {
      const r = int(4);
      if (r === 0) {
        const alg = pick(['HS384', 'HS512', 'RS256', 'PS256', 'ES256', 'ES384', 'EdDSA']);
        return { token: hsTok({ alg, kid: 'hs' }, claims()), code: ALG };
      }
      if (r === 1) {
        const alg = pick(['HS384', 'HS512', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES384']);
        return { token: hsTok({ alg }, claims()), code: ALG };
      }
      if (r === 2) {
        // No kid: the key bound to this alg is tried, and the HMAC tag is not its signature.
        const alg = pick(['RS256', 'ES256', 'EdDSA']);
        return { token: hsTok({ alg }, claims()), code: SIG };
      }
      const alg = pick(['ES512', 'ES256K', 'Ed448', 'Ed25519', 'hs256', 'Hs256', 'HS1', 'HS256 ', 'RSA-OAEP', 'A256GCM', 'dir', 'RS1', 'PS256\u0000']);
      return { token: hsTok({ alg, kid: 'hs' }, claims()), code: UNSUP };
    },
  },
  {
    name: 'over the length limit', weight: 2,
    make: () => {
      if (rand() < 0.5) return { token: 'a'.repeat(16_385 + int(20_000)), code: JWS };
      // A correctly signed token just over 16 KiB.
      const base = hsTok(HS_HEADER, claims({ pad: '' })).length;
      const padLen = Math.ceil(((16_385 - base) * 3) / 4) + int(100);
      return { token: hsTok(HS_HEADER, claims({ pad: 'p'.repeat(padLen) })), code: JWS };
    },
  },
  {
    name: 'nesting beyond the depth bound', weight: 3,
    make: () => {
      // Kept under the 16 KiB default: arrays up to ~3000 deep, objects up to ~1500.
      const depth = 32 + int(3000);
      if (rand() < 0.7) {
        const od = 32 + int(1500);
        const value = rand() < 0.5 ? nested(depth) : `${'{"a":'.repeat(od)}1${'}'.repeat(od)}`;
        return { token: hsTok(HS_HEADER, `${JSON.stringify(claims()).slice(0, -1)},"x":${value}}`), code: JWT };
      }
      return { token: hsTok(`{"alg":"HS256","kid":"hs","x":${nested(depth)}}`, claims()), code: JWS };
    },
  },
  {
    name: 'keys carried in the header', weight: 2,
    make: () => {
      const attacker = randomBytes(32);
      const extra = pick([
        { jwk: { kty: 'oct', k: b64url(attacker) } },
        { jku: 'https://attacker.example/jwks.json' },
        { x5u: 'https://attacker.example/cert.pem' },
        { x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'] },
        { jwk: { kty: 'oct', k: b64url(attacker) }, jku: 'https://attacker.example/' },
      ]);
      const kidChoice = int(3);
      const header = { alg: 'HS256', ...extra, ...(kidChoice === 1 ? { kid: 'hs' } : kidChoice === 2 ? { kid: 'attacker' } : {}) };
      return { token: hsTok(header, claims({ scope: 'admin' }), attacker), code: kidChoice === 2 ? NOKEY : SIG };
    },
  },
  {
    name: 'insufficient scope (403)', weight: 2,
    make: () => {
      const granted = ['read:messages', 'write:messages'];
      if (rand() < 0.3) {
        // "any" fails only when none is granted.
        const required = pick([['admin'], ['admin', 'READ:MESSAGES'], ['read', 'write']]);
        return { token: validHs(), code: SCOPE, call: { requiredScopes: required, scopeMode: 'any' }, missing: required };
      }
      const required = pick([['admin'], ['read:messages', 'admin'], ['READ:MESSAGES'], ['read'], ['write:messages', 'read:messagesX']]);
      const missing = required.filter((x) => !granted.includes(x));
      return { token: validHs(), code: SCOPE, call: { requiredScopes: required }, missing };
    },
  },
  {
    name: 'prefixes, whitespace and wrappers', weight: 3,
    make: () => {
      const t = validHs();
      const token = pick([
        `Bearer ${t}`, `bearer ${t}`, ` ${t}`, `${t} `, `${t}\n`, `\t${t}`, `${t}\u00a0`, `"${t}"`, `${t};`,
        `${t}\u0000`, `\u0000${t}`, `${t}\ufeff`, `\ufeff${t}`, encodeURIComponent(` ${t}`), `${t}#`,
      ]);
      return { token, code: JWS };
    },
  },
];

// ---------------------------------------------------------------- the big inputs (built once)

function bigClaimsPayload(count, { extra = '' } = {}) {
  // Short distinct member names from 93 printable characters, skipping registered names,
  // so that as many members as possible fit in 1 MiB.
  const chars = [];
  for (let c = 0x20; c < 0x7f; c++) if (c !== 0x22 && c !== 0x5c) chars.push(String.fromCharCode(c));
  const reserved = new Set(['iss', 'aud', 'sub', 'exp', 'nbf', 'iat', 'jti', 'scp', 'x']);
  const parts = [JSON.stringify(claims()).slice(1, -1)];
  let made = 0;
  const name = (i) => {
    let s = '';
    do {
      s = chars[i % chars.length] + s;
      i = Math.floor(i / chars.length) - 1;
    } while (i >= 0);
    return s;
  };
  for (let i = 0; made < count; i++) {
    const n = name(i);
    if (reserved.has(n)) continue;
    parts.push(`"${n}":0`);
    made++;
  }
  return `{${parts.join(',')}${extra}}`;
}

const CLAIMS_FIT = 98_000; // about the most that fit in a 1 MiB token
const big = [];
{
  const t = validHs();
  const [h, , s] = t.split('.');
  const deepArray = nested(10_000);
  const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
  const add = (name, token, code, verifiers_ = ['main', 'big'], extra = {}) => {
    for (const verifier of verifiers_) big.push({ name: `${name} (${verifier})`, token, code, verifier, ...extra });
  };
  add('1 MiB of "a"', 'a'.repeat(MiB), JWS);
  add('1 MiB + 1 of "a"', 'a'.repeat(MiB + 1), JWS, ['big']);
  add('1 MiB of dots', '.'.repeat(MiB), JWS);
  add('1 Mi lone surrogates', '\ud800'.repeat(MiB), JWS);
  add('1 MiB of "é" (UTF-8)', 'é'.repeat(MiB / 2), JWS);
  add('1 MiB of random bytes', randomBytes(MiB).toString('latin1'), JWS);
  add('1 MiB of base64url in three segments', `${b64url(randomBytes(1000))}.${b64url(randomBytes(700_000))}.${b64url(randomBytes(64))}`, JWS);
  add('10 000 dots', '.'.repeat(10_000), JWS);
  add('a token with 10 000 dots inside', `${h}.${'.'.repeat(10_000)}.${s}`, JWS);
  add('10 000 dot-separated segments', 'ab.'.repeat(10_000), JWS);
  add('payload: array nested 10 000 deep', hsTok(HS_HEADER, `${JSON.stringify(claims()).slice(0, -1)},"x":${deepArray}}`), JWS, ['main']);
  add('payload: array nested 10 000 deep', hsTok(HS_HEADER, `${JSON.stringify(claims()).slice(0, -1)},"x":${deepArray}}`), JWT, ['big']);
  add('payload: object nested 10 000 deep', hsTok(HS_HEADER, `${JSON.stringify(claims()).slice(0, -1)},"x":${deepObject}}`), JWT, ['big']);
  add('payload: the payload itself nested 10 000 deep', hsTok(HS_HEADER, deepArray), JWT, ['big']);
  add('payload: 10 000 unclosed brackets', hsTok(HS_HEADER, '['.repeat(10_000)), JWT, ['big']);
  add('header: array nested 10 000 deep', hsTok(`{"alg":"HS256","kid":"hs","x":${deepArray}}`, claims()), JWS, ['big']);
  add('header: 10 000 unclosed braces', hsTok('{"a":'.repeat(10_000), claims()), JWS, ['big']);
  {
    // 100 000 members do not fit in 1 MiB (~8 bytes each before base64url): refused for
    // their size there, parsed under the 4 MiB verifier.
    const payload = bigClaimsPayload(100_000);
    const hundredK = hsTok(HS_HEADER, payload);
    assert.ok(hundredK.length > MiB, `${hundredK.length}`);
    add('payload: 100 000 claims (over 1 MiB)', hundredK, JWS);
    add('payload: 100 000 claims + a duplicate', hsTok(HS_HEADER, `${payload.slice(0, -1)},"!":1}`), JWT, ['huge']);
    add('payload: 100 000 claims, exp a string', hsTok(HS_HEADER, payload.replace(`"exp":${T0 + 3600}`, '"exp":"tomorrow"')), JWT, ['huge'], { claim: 'exp' });
    add('payload: 100 000 claims, wrong key', hsTok(HS_HEADER, payload, randomBytes(32)), SIG, ['huge']);
    add('payload: 100 000 claims, alg none', `${seg({ alg: 'none' })}.${seg(payload)}.`, ALG, ['huge']);
    add('4 MiB + 1 of "a"', 'a'.repeat(4 * MiB + 1), JWS, ['huge']);
    add('4 MiB of dots', '.'.repeat(4 * MiB), JWS, ['huge']);
    add('payload: array nested 1 000 000 deep', hsTok(HS_HEADER, `{"x":${nested(1_000_000)}}`), JWT, ['huge']);
  }
  add(`payload: ${CLAIMS_FIT} claims + a duplicate`, hsTok(HS_HEADER, bigClaimsPayload(CLAIMS_FIT, { extra: ',"!":1' })), JWT, ['big']);
  add(`payload: ${CLAIMS_FIT} claims, exp a string`, hsTok(HS_HEADER, bigClaimsPayload(CLAIMS_FIT).replace(`"exp":${T0 + 3600}`, '"exp":"tomorrow"')), JWT, ['big'], { claim: 'exp' });
  add(`payload: ${CLAIMS_FIT} claims, wrong key`, hsTok(HS_HEADER, bigClaimsPayload(CLAIMS_FIT), randomBytes(32)), SIG, ['big']);
  add(`payload: ${CLAIMS_FIT} claims, alg none`, `${seg({ alg: 'none' })}.${seg(bigClaimsPayload(CLAIMS_FIT))}.`, ALG, ['big']);
  {
    // Signed, valid, and one byte over a 1 MiB maxTokenLength.
    const base = hsTok(HS_HEADER, claims({ pad: '' })).length;
    const over = hsTok(HS_HEADER, claims({ pad: 'p'.repeat(Math.ceil(((MiB + 1 - base) * 3) / 4)) }));
    assert.ok(over.length > MiB && over.length < MiB + 8);
    add('a signed token just over 1 MiB', over, JWS, ['big']);
  }
  add('kid of 700 000 chars', hsTok({ alg: 'HS256', kid: 'k'.repeat(700_000) }, claims()), NOKEY, ['big']);
  add('exp with 10 000 digits', hsTok(HS_HEADER, claimsWithRaw('exp', `1${'0'.repeat(10_000)}`)), JWT);
  add('exp 0.(10 000 zeros)1', hsTok(HS_HEADER, claimsWithRaw('exp', `0.${'0'.repeat(10_000)}1`)), EXPIRED);
  add('a string of 10 000 escapes', hsTok(HS_HEADER, claimsWithRaw('sub', `"${'\\u0041'.repeat(10_000)}\\ud800"`)), JWT, ['big']);
}

// ---------------------------------------------------------------- checking one outcome

const failures = new Map(); // kind → { count, examples }
const seen = new Map(); // kind → count

function describeToken(token) {
  const head = JSON.stringify(token.slice(0, 120));
  return token.length > 120 ? `${head}… (${token.length} chars)` : head;
}

function fail(kind, item, why) {
  const f = failures.get(kind) ?? { count: 0, examples: [] };
  f.count++;
  if (f.examples.length < 3) f.examples.push(`${why}; token ${describeToken(item.token)}`);
  failures.set(kind, f);
}

function checkHostile(kind, item, api = 'verifier') {
  seen.set(kind, (seen.get(kind) ?? 0) + 1);
  const verifierName = item.verifier ?? 'main';
  let result;
  let err;
  try {
    if (api === 'verify') {
      const keys = verifierName === 'rsaOnly' || verifierName === 'rsaLoose' ? rsaOnlyKeys : mainKeys;
      const extra = {
        big: { maxTokenLength: MiB }, huge: { maxTokenLength: 4 * MiB }, rsaLoose: { algorithms: ['RS256', 'HS256'] },
      }[verifierName] ?? {};
      result = tollgate.verify(item.token, { keys, ...baseOptions, ...extra, ...(item.call ?? {}) });
    } else {
      result = verifiers[verifierName].verify(item.token, item.call);
    }
  } catch (e) {
    err = e;
  }
  const codes = Array.isArray(item.code) ? item.code : [item.code];
  const where = `[${api}/${verifierName}] expected ${codes.join('|')}`;
  if (err === undefined) {
    fail(kind, item, `${where}, but it VERIFIED (claims ${JSON.stringify(result?.claims).slice(0, 200)})`);
    return;
  }
  if (!(err instanceof TollgateError)) {
    fail(kind, item, `${where}, but threw ${err?.name} ${err?.code ?? ''}: ${err?.message}`);
    return;
  }
  if (!codes.includes(err.code)) {
    fail(kind, item, `${where}, got ${err.code} (${err.message})`);
    return;
  }
  const status = err.code === SCOPE ? 403 : 401;
  if (err.status !== status) fail(kind, item, `${where}: status ${err.status}, expected ${status}`);
  if (typeof err.wwwAuthenticate !== 'string' || !err.wwwAuthenticate.startsWith('Bearer ')) {
    fail(kind, item, `${where}: wwwAuthenticate ${JSON.stringify(err.wwwAuthenticate)}`);
  }
  if ('claim' in item && err.claim !== item.claim) fail(kind, item, `${where}: claim ${err.claim}, expected ${item.claim} (${err.message})`);
  if ('reason' in item && err.reason !== item.reason) fail(kind, item, `${where}: reason ${err.reason}, expected ${item.reason}`);
  if ('missing' in item && JSON.stringify([...(err.missing ?? [])].sort()) !== JSON.stringify([...item.missing].sort())) {
    fail(kind, item, `${where}: missing ${JSON.stringify(err.missing)}, expected ${JSON.stringify(item.missing)}`);
  }
  try {
    assertNoTokenLeak(err, item.token);
  } catch (leak) {
    fail(kind, item, `${where}: ${leak.message}`);
  }
}

/** decode() never verifies, but it must answer or throw a TollgateError: nothing else. */
function checkDecode(kind, item) {
  try {
    decode(item.token);
  } catch (e) {
    if (!(e instanceof TollgateError)) fail(`decode: ${kind}`, item, `decode threw ${e?.name} ${e?.code ?? ''}: ${e?.message}`);
  }
}

// Valid tokens interleaved with the hostile ones, rotating through the key set's algorithms.
const validMakers = [
  () => {
    const payload = claims({ roles: ['a', 'b'], n: int(1e9), nested: { deep: [1, { x: 'y' }] } });
    return { token: hsTok(HS_HEADER, payload), payload, header: HS_HEADER };
  },
  () => {
    const payload = claims({ email: 'ü@example.com', emoji: '😀' });
    const header = { alg: 'ES256', typ: 'JWT', kid: 'es' };
    return { token: asymTok('ES256', 'es', (d) => esSign(d), payload), payload, header };
  },
  () => {
    const payload = claims();
    const header = { alg: 'EdDSA', typ: 'JWT', kid: 'ed' };
    return { token: asymTok('EdDSA', 'ed', edSign, payload), payload, header };
  },
  () => {
    const payload = claims({ scope: 'read:messages admin' });
    const header = { alg: 'RS256', typ: 'JWT', kid: 'rs' };
    return { token: asymTok('RS256', 'rs', rsSign, payload), payload, header };
  },
];

function checkValid(i, validFailures) {
  const { token, payload, header } = validMakers[(i / VALID_EVERY) % validMakers.length | 0]();
  try {
    const got = verifiers.main.verify(token, { requiredScopes: ['read:messages'] });
    assert.deepEqual(got.claims, payload);
    assert.deepEqual(got.header, header);
    assert.deepEqual(got.scopes, payload.scope.split(' '));
  } catch (e) {
    validFailures.push(`after ${i + 1} hostile tokens (${header.alg}): ${e?.name} ${e?.code ?? ''}: ${e?.message}`);
  }
}

function wasmMemoryBytes() {
  return initSync().memory.buffer.byteLength;
}

// ---------------------------------------------------------------- tests

test('control: every verifier accepts a valid token, and each pooled signature is sound', () => {
  for (const name of ['main', 'big']) assert.equal(verifiers[name].verify(validHs()).claims.iss, ISSUER);
  const rsTokenNoKid = asymTok('RS256', undefined, rsSign);
  assert.equal(verifiers.rsaOnly.verify(rsTokenNoKid).claims.aud, AUDIENCE);
  assert.equal(verifiers.rsaLoose.verify(pick(rsPool)).claims.aud, AUDIENCE);
  // The ECDSA pool's P1363 signatures verify: so the DER ones fail for their encoding alone.
  for (const { p1363 } of esPool) assert.equal(verifiers.main.verify(p1363).header.kid, 'es');
  for (const t of edPool) assert.equal(verifiers.main.verify(t).header.kid, 'ed');
  for (const t of rsPool) assert.equal(verifiers.main.verify(t).header.kid, 'rs');
});

test('big but valid tokens verify (the bounds are not off by one)', () => {
  // Exactly 16 KiB under the default limit.
  const base = hsTok(HS_HEADER, claims({ pad: '' })).length;
  let t16;
  for (let pad = Math.floor(((16_384 - base) * 3) / 4) - 4; ; pad++) {
    t16 = hsTok(HS_HEADER, claims({ pad: 'p'.repeat(pad) }));
    if (t16.length >= 16_384) break;
  }
  if (t16.length === 16_384) assert.equal(verifiers.main.verify(t16).claims.iss, ISSUER);
  else assert.equal(verifiers.big.verify(t16).claims.iss, ISSUER);
  // 98 000 claims in a token under 1 MiB; 100 000 under 4 MiB.
  const many = hsTok(HS_HEADER, bigClaimsPayload(CLAIMS_FIT));
  assert.ok(many.length <= MiB, `${many.length}`);
  assert.equal(Object.keys(verifiers.big.verify(many).claims).length, CLAIMS_FIT + 7);
  const hundredK = verifiers.huge.verify(hsTok(HS_HEADER, bigClaimsPayload(100_000)));
  assert.equal(Object.keys(hundredK.claims).length, 100_000 + 7);
  // Nested 31 levels below the payload object: the deepest the bound allows.
  const deep31 = hsTok(HS_HEADER, `${JSON.stringify(claims()).slice(0, -1)},"x":${nested(31)}}`);
  assert.equal(verifiers.main.verify(deep31).claims.iss, ISSUER);
  // 2 000 distinct scopes.
  const scopes = Array.from({ length: 2000 }, (_, i) => `s${i}`);
  assert.deepEqual(verifiers.main.verify(hsTok(HS_HEADER, claims({ scope: scopes.join(' ') }))).scopes, scopes);
  // A __proto__ claim is data, not a prototype.
  const proto = verifiers.main.verify(hsTok(HS_HEADER, `${JSON.stringify(claims()).slice(0, -1)},"__proto__":{"polluted":1}}`));
  assert.equal(Object.getPrototypeOf(proto.claims), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(proto.claims, '__proto__')?.value, { polluted: 1 });
  assert.equal({}.polluted, undefined);
});

test(`${HOSTILE} hostile tokens on one instance: each rejected with its expected code`, (t) => {
  const weights = kinds.map((k) => k.weight);
  const total = weights.reduce((a, b) => a + b, 0);
  const chooseKind = () => {
    let x = rand() * total;
    for (const k of kinds) {
      x -= k.weight;
      if (x < 0) return k;
    }
    return kinds.at(-1);
  };
  const validFailures = [];
  let bigIndex = 0;
  const memStart = wasmMemoryBytes();
  for (let i = 0; i < HOSTILE; i++) {
    let kindName;
    let item;
    if (i % BIG_EVERY === BIG_EVERY / 2) {
      item = big[bigIndex++ % big.length];
      kindName = `big: ${item.name}`;
    } else {
      const kind = chooseKind();
      kindName = kind.name;
      try {
        item = kind.make();
      } catch (e) {
        fail(kindName, { token: '' }, `generator threw ${e?.message}`);
        continue;
      }
    }
    // Every 50th through the one-shot verify() (a verifier created and freed per call).
    checkHostile(kindName, item, i % 50 === 7 ? 'verify' : 'verifier');
    if (i % 4 === 1) checkDecode(kindName, item);
    if (i % VALID_EVERY === VALID_EVERY - 1) checkValid(i, validFailures);
  }
  const memEnd = wasmMemoryBytes();

  const rows = [...seen.entries()].sort((a, b) => b[1] - a[1]);
  const failed = [...failures.values()].reduce((n, f) => n + f.count, 0);
  t.diagnostic(`kinds: ${rows.length}; hostile tokens: ${HOSTILE}; failures: ${failed}; valid checks failed: ${validFailures.length}`);
  for (const [name, n] of rows) t.diagnostic(`  ${String(n).padStart(6)}  ${name}${failures.has(name) ? `  — ${failures.get(name).count} FAILED` : ''}`);
  t.diagnostic(`wasm memory: ${memStart} → ${memEnd} bytes`);

  const report = [];
  for (const [name, f] of failures) {
    report.push(`${name}: ${f.count} failure(s)`);
    for (const ex of f.examples) report.push(`    ${ex}`);
  }
  for (const v of validFailures.slice(0, 5)) report.push(`valid token: ${v}`);
  assert.equal(validFailures.length, 0, `valid tokens stopped verifying:\n${report.join('\n')}`);
  assert.equal(failed, 0, `hostile tokens not rejected as expected:\n${report.join('\n')}`);
});

test('non-string tokens are caller errors: TypeError ERR_INVALID_ARG, never coerced', () => {
  const token = validHs();
  let touched = false;
  const trap = new Proxy({}, {
    get() { touched = true; throw new Error('the token was inspected'); },
    getPrototypeOf() { touched = true; throw new Error('the token was inspected'); },
    has() { touched = true; throw new Error('the token was inspected'); },
    ownKeys() { touched = true; throw new Error('the token was inspected'); },
  });
  const inputs = [
    0, 1, -0, NaN, Infinity, 1.5, 2 ** 53, 12n, true, false, undefined, null, Symbol('token'), Symbol.iterator,
    {}, [], [token], token.split('.'), { toString: () => token }, { valueOf: () => token },
    { [Symbol.toPrimitive]: () => token }, new String(token), Buffer.from(token), new TextEncoder().encode(token),
    new Uint8Array(0), new ArrayBuffer(8), () => token, new Date(), /x.y.z/, new Map(), new Set([token]),
    Promise.resolve(token), new Error(token), Object.create(null), trap,
  ];
  const apis = {
    'verifier.verify': (x) => verifiers.main.verify(x),
    'verify()': (x) => tollgate.verify(x, { keys: mainKeys, ...baseOptions }),
    'decode()': (x) => decode(x),
  };
  for (const [api, fn] of Object.entries(apis)) {
    for (const input of inputs) {
      let err;
      try {
        fn(input);
      } catch (e) {
        err = e;
      }
      const label = `${api}(${typeof input === 'symbol' ? input.toString() : typeof input})`;
      assert.ok(err instanceof TypeError, `${label}: expected a TypeError, got ${err === undefined ? 'a result' : `${err?.name}: ${err?.message}`}`);
      assert.equal(err.code, 'ERR_INVALID_ARG', label);
      assert.ok(tollgate.isTollgateError(err, 'ERR_INVALID_ARG'), label);
    }
  }
  assert.equal(touched, false, 'a Proxy token was inspected instead of refused by its type');
  // And the instance still verifies.
  assert.equal(verifiers.main.verify(token).claims.iss, ISSUER);
});

test('afterwards the same instance verifies every algorithm (keys and tokens from jose)', async (t) => {
  const keys = await Promise.all(ALGS.map((alg) => makeKey(alg, { kid: `final-${alg}` })));
  const set = KeySet.fromJwks({ keys: keys.map((k) => k.jwk) });
  assert.deepEqual(set.keys.map((k) => k.alg).sort(), [...ALGS].sort());
  const verifier = createVerifier({ keys: set, ...baseOptions });
  for (const key of keys) {
    const token = await mint(key, { iat: T0, jti: `final-${key.alg}`, roles: ['x'] });
    const got = verifier.verify(token, { requiredScopes: ['write:messages'] });
    assert.deepEqual(got.claims, jose.decodeJwt(token), key.alg);
    assert.deepEqual(got.header, jose.decodeProtectedHeader(token), key.alg);
    assert.equal(got.header.alg, key.alg);
    // The one-shot API and a single-key set agree.
    const single = key.alg.startsWith('HS')
      ? KeySet.fromSecret(key.secret, { alg: key.alg, kid: key.kid })
      : KeySet.fromPem(key.pem, { alg: key.alg, kid: key.kid });
    assert.deepEqual(tollgate.verify(token, { keys: single, ...baseOptions }).claims, got.claims, key.alg);
    single.free();
  }
  // The hostile run's own key set, with tokens from jose.
  for (const key of [hs, rs, es, ed]) {
    const token = await mint(key, { iat: T0 });
    assert.equal(verifiers.main.verify(token).header.kid, key.kid);
  }
  verifier.free();
  set.free();
  t.diagnostic(`wasm memory at the end: ${wasmMemoryBytes()} bytes`);
});

