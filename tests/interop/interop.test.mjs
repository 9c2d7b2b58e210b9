// Interop with other JOSE implementations (the security issue's acceptance test):
//
// - tokens minted by PyJWT (keys from `cryptography`, see mint_pyjwt.py) and by jose
//   (npm) for every algorithm tollgate supports verify with the BUILT package, through
//   every way of importing the public key those libraries export (JWK as exported,
//   JWK in a JWKS, SPKI PEM, PKCS#1 PEM for RSA, the raw HMAC secret), and the claims
//   come back exactly as minted;
// - the same tokens with ONE bit flipped in the decoded header, payload or signature
//   (re-encoded as canonical base64url) are rejected with the expected `code`;
// - PyJWT, given the same keys, reaches the same verdict on every one of those tokens.
//
// Needs `make pkg` (pkg/wasm) and `make tools-python` (tests/interop/.venv); both are
// ordered by `make test-interop`. Set INTEROP_PYTHON to use another interpreter.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

if (!existsSync(here('../../pkg/wasm/tollgate_wasm_bg.wasm'))) {
  throw new Error('pkg/wasm is missing: run `make pkg` before the interop test');
}
const { KeySet, createVerifier, TollgateError } = await import('../../pkg/node.js');

const PYTHON = process.env.INTEROP_PYTHON || here('./.venv/bin/python');
const ISSUER = 'https://issuer.example.com/';
const AUDIENCE = 'https://api.example.com';
const ALGS = [
  'HS256', 'HS384', 'HS512',
  'RS256', 'RS384', 'RS512',
  'PS256', 'PS384', 'PS512',
  'ES256', 'ES384',
  'EdDSA',
];
const KTY = { HS: 'oct', RS: 'RSA', PS: 'RSA', ES: 'EC', Ed: 'OKP' };
const SCOPES = ['read:messages', 'write:messages'];
/** Bits flipped per segment and key import, besides every header bit (see flipPositions). */
const SAMPLED_FLIPS = 8;

const IAT = Math.floor(Date.now() / 1000);
/** Every verification runs at this instant, so a slow run cannot expire a token. */
const NOW = IAT + 60;

// ------------------------------------------------------------------ helpers

function runPython(script, args = [], input = undefined) {
  if (!process.env.INTEROP_PYTHON && !existsSync(PYTHON)) {
    throw new Error(`${PYTHON} is missing: run \`make tools-python\` (see .ci/interop.mk)`);
  }
  const result = spawnSync(PYTHON, ['-B', here(script), ...args], {
    input,
    encoding: 'utf8',
    timeout: 30_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' },
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${script} exited with ${result.status ?? result.signal}:\n${result.stderr}`);
  }
  return JSON.parse(result.stdout);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const decodeSegment = (token, i) => Buffer.from(token.split('.')[i], 'base64url');
const decodeJson = (token, i) => JSON.parse(utf8.decode(decodeSegment(token, i)));
const isCanonicalB64url = (s) => /^[A-Za-z0-9_-]*$/.test(s) && Buffer.from(s, 'base64url').toString('base64url') === s;

/** The token with bit `bit` (0 = most significant bit of the first byte) of segment `seg` flipped. */
function flipBit(token, seg, bit) {
  const parts = token.split('.');
  const bytes = Buffer.from(parts[seg], 'base64url');
  bytes[bit >> 3] ^= 0x80 >> (bit & 7);
  parts[seg] = bytes.toString('base64url'); // canonical: no padding, zero trailing bits
  return parts.join('.');
}

/** Deterministic PRNG (mulberry32) seeded from a string, for reproducible bit positions. */
function prng(seedText) {
  let a = 0;
  for (const ch of seedText) a = Math.imul(a ^ ch.charCodeAt(0), 0x9e3779b1) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** First, last and middle bits of the segment plus pseudo-random ones, SAMPLED_FLIPS in all. */
function flipPositions(token, seg, seed) {
  const bits = decodeSegment(token, seg).length * 8;
  const positions = new Set([0, 7, bits - 1, bits - 8, bits >> 1]);
  const random = prng(`${seed}/${seg}`);
  while (positions.size < Math.min(SAMPLED_FLIPS, bits)) positions.add(Math.floor(random() * bits));
  return [...positions];
}

const SEGMENT = ['header', 'payload', 'signature'];

const B64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The token with segment `seg` re-encoded non-canonically (the same bytes, one unused
 * trailing bit set), or null when the segment's length leaves no unused bits.
 */
function sloppyB64url(token, seg) {
  const parts = token.split('.');
  if (parts[seg].length % 4 === 0) return null;
  // In a final group of 2 or 3 characters the lowest bit of the last one is unused.
  const last = B64URL_ALPHABET.indexOf(parts[seg].at(-1));
  parts[seg] = parts[seg].slice(0, -1) + B64URL_ALPHABET[last ^ 1];
  return parts.join('.');
}

/**
 * The codes a header with one bit flipped may be rejected with, judged from what the
 * flipped header says (not from how tollgate is written). The signature covers the
 * header, so nothing may ever verify.
 */
function allowedHeaderCodes(original, flippedBytes) {
  let header;
  try {
    header = JSON.parse(utf8.decode(flippedBytes));
  } catch {
    return ['ERR_JWS_INVALID']; // not UTF-8, not JSON
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return ['ERR_JWS_INVALID'];
  if (!Object.hasOwn(header, 'alg')) return ['ERR_JWS_INVALID']; // "alg" renamed, e.g. "alc"
  if (header.alg !== original.alg) {
    // A supported algorithm the key is not bound to (RS256 <-> PS256 is one bit), or an
    // unknown one ("HS257", "EdDSa"), which the README calls not supported.
    return ALGS.includes(header.alg) ? ['ERR_JOSE_ALG_NOT_ALLOWED'] : ['ERR_JOSE_NOT_SUPPORTED'];
  }
  if (Object.hasOwn(header, 'kid') && header.kid !== original.kid) return ['ERR_JWKS_NO_MATCHING_KEY'];
  // Only `typ` changed, or the "kid" member was renamed (the key is then found by alg):
  // the key is found and the signature no longer matches the signing input.
  return ['ERR_JWS_SIGNATURE_VERIFICATION_FAILED'];
}

/** Verdict of `verifier` on `token`: { ok: true, result } or { ok: false, code }. */
function verdict(verifier, token) {
  try {
    return { ok: true, result: verifier.verify(token) };
  } catch (err) {
    if (!(err instanceof TollgateError)) throw err; // a TypeError here is a test bug
    assert.equal(err.status, 401, `${err.code} must be a 401`);
    assert.match(err.wwwAuthenticate, /^Bearer .*error="invalid_token"/);
    return { ok: false, code: err.code };
  }
}

/** Checks a successful verification against what was minted. */
function checkAccepted(v, c, token, how) {
  assert.ok(v.ok, `${how}: rejected with ${v.code}`);
  assert.deepEqual(v.result.header, decodeJson(token, 0), `${how}: header`);
  assert.deepEqual(v.result.claims, c.claims, `${how}: claims`);
  assert.deepEqual([...v.result.scopes].sort(), SCOPES, `${how}: scopes`);
}

/**
 * Every tampered variant of `token` this suite tries, with the codes each may be
 * rejected with: sampled bits of every segment, or (`exhaustiveHeader`) every header bit.
 */
function tamperedVariants(token, seed, { exhaustiveHeader = false } = {}) {
  const original = decodeJson(token, 0);
  const variants = [];
  for (const seg of [0, 1, 2]) {
    const positions = seg === 0 && exhaustiveHeader
      ? [...Array(decodeSegment(token, 0).length * 8).keys()]
      : flipPositions(token, seg, seed);
    for (const bit of positions) {
      const flipped = flipBit(token, seg, bit);
      const allowed = seg === 0
        ? allowedHeaderCodes(original, decodeSegment(flipped, 0))
        : ['ERR_JWS_SIGNATURE_VERIFICATION_FAILED']; // the signature is checked before the payload is read
      variants.push({ what: `${SEGMENT[seg]} bit ${bit}`, token: flipped, allowed });
    }
  }
  return variants;
}

/** Runs every variant; returns a list of readable failures (empty when all are as expected). */
function checkRejections(verifier, variants) {
  const failures = [];
  for (const { what, token, allowed } of variants) {
    const v = verdict(verifier, token);
    if (v.ok) failures.push(`${what}: ACCEPTED (expected ${allowed.join(' | ')})`);
    else if (!allowed.includes(v.code)) failures.push(`${what}: ${v.code} (expected ${allowed.join(' | ')})`);
  }
  return failures;
}

const verifierFor = (keys) => createVerifier({ keys, issuer: ISSUER, audience: AUDIENCE, now: NOW });

/**
 * The ways a case's exported public key is imported: [description, build, which token].
 * A key without `kid` only serves tokens without one (selection is by kid when the
 * token names one), hence the `token_no_kid` rows.
 */
function importWays(c) {
  const alg = c.alg;
  const withAlgKid = { ...c.jwk, alg, kid: c.kid };
  const ways = [
    ['fromJwks({keys: [exported JWK + alg + kid]})', () => KeySet.fromJwks({ keys: [withAlgKid] }), 'token'],
    ['fromJwks(JSON text: exported JWK + kid, {algorithms})',
      () => KeySet.fromJwks(JSON.stringify({ keys: [{ ...c.jwk, kid: c.kid }] }), { algorithms: [alg] }), 'token'],
    ['fromJwk(exported JWK + alg + kid)', () => KeySet.fromJwk(withAlgKid), 'token'],
    ['fromJwk(exported JWK as is, {alg})', () => KeySet.fromJwk(c.jwk, { alg }), 'token_no_kid'],
  ];
  if (c.secret !== null) {
    const bytes = () => new Uint8Array(Buffer.from(c.secret, 'base64url'));
    ways.push(
      ['fromSecret(Uint8Array, {alg, kid})', () => KeySet.fromSecret(bytes(), { alg, kid: c.kid }), 'token'],
      ['fromSecret(ArrayBuffer, {alg})', () => KeySet.fromSecret(bytes().buffer, { alg }), 'token_no_kid'],
    );
  }
  if (c.pem !== null) {
    ways.push(
      ['fromPem(SPKI, {alg, kid})', () => KeySet.fromPem(c.pem, { alg, kid: c.kid }), 'token'],
      ['fromPem(SPKI, {alg})', () => KeySet.fromPem(c.pem, { alg }), 'token_no_kid'],
    );
  }
  if (c.pem_pkcs1 !== null) {
    ways.push(['fromPem(PKCS#1 "RSA PUBLIC KEY", {alg, kid})', () => KeySet.fromPem(c.pem_pkcs1, { alg, kid: c.kid }), 'token']);
  }
  return ways;
}

// ----------------------------------------------------------------- minting

/** Same shape as mint_pyjwt.py's output, minted by jose with keys jose generates and exports. */
async function mintWithJose(alg) {
  const kid = `jose-${alg.toLowerCase()}`;
  const claims = {
    iss: ISSUER, aud: AUDIENCE, sub: 'user-123', iat: IAT, exp: IAT + 3600,
    scope: SCOPES.join(' '),
    name: 'Zo\u00eb \u{1F680}', // jose writes raw UTF-8 (PyJWT writes \u escapes)
  };
  const c = { alg, kid, claims, pem: null, pem_pkcs1: null, secret: null };
  let signKey;
  if (alg.startsWith('HS')) {
    signKey = await jose.generateSecret(alg, { extractable: true });
    c.jwk = await jose.exportJWK(signKey);
    c.secret = c.jwk.k;
  } else {
    const { publicKey, privateKey } = await jose.generateKeyPair(alg); // RSA: 2048 bits; EdDSA: Ed25519
    signKey = privateKey;
    c.jwk = await jose.exportJWK(publicKey);
    c.pem = await jose.exportSPKI(publicKey);
  }
  const sign = (header) => new jose.SignJWT(claims).setProtectedHeader(header).sign(signKey);
  c.token = await sign({ alg, typ: 'JWT', kid });
  c.token_no_kid = await sign({ alg, typ: 'JWT' });
  return c;
}

const pyjwt = runPython('mint_pyjwt.py', ['--iat', String(IAT)]);
const minters = {
  PyJWT: pyjwt.cases,
  jose: await Promise.all(ALGS.map(mintWithJose)),
};

// ------------------------------------------------------------------- tests

test('the venv has exactly the versions pinned in requirements.txt', () => {
  const pins = {};
  for (const line of readFileSync(here('./requirements.txt'), 'utf8').split('\n')) {
    const m = /^\s*([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;#]+)/.exec(line);
    if (m) pins[m[1]] = m[2];
  }
  assert.deepEqual(pyjwt.versions, pins);
  assert.equal(pyjwt.iat, IAT);
  assert.deepEqual(pyjwt.cases.map((c) => c.alg), ALGS);
});

for (const [minter, cases] of Object.entries(minters)) {
  describe(`tokens and keys from ${minter}`, () => {
    for (const c of cases) {
      describe(c.alg, () => {
        test('the minted tokens are canonical JWS compact', () => {
          for (const token of [c.token, c.token_no_kid]) {
            const parts = token.split('.');
            assert.equal(parts.length, 3);
            for (const part of parts) assert.ok(isCanonicalB64url(part), `non-canonical segment ${part.slice(0, 16)}…`);
            assert.equal(decodeJson(token, 0).alg, c.alg);
          }
          assert.equal(decodeJson(c.token, 0).kid, c.kid);
          assert.equal(decodeJson(c.token_no_kid, 0).kid, undefined);
          assert.equal(c.jwk.kty, KTY[c.alg.slice(0, 2)]);
          assert.ok(!('d' in c.jwk), 'the exported JWK is public');
        });

        for (const [how, build, which] of importWays(c)) {
          test(`${how}: verifies; one flipped bit in any segment is rejected`, () => {
            const keys = build();
            assert.equal(keys.size, 1);
            assert.deepEqual(keys.skipped, []);
            assert.equal(keys.keys[0].alg, c.alg);
            assert.equal(keys.keys[0].kty, KTY[c.alg.slice(0, 2)]);
            assert.equal(keys.keys[0].kid, which === 'token' ? c.kid : undefined);

            const verifier = verifierFor(keys);
            const token = c[which];
            checkAccepted(verdict(verifier, token), c, token, how);
            const failures = checkRejections(verifier, tamperedVariants(token, `${minter}/${c.alg}/${how}`));
            assert.deepEqual(failures, []);
            keys.free();
          });
        }

        test('every single-bit flip of the header is rejected with the code its content calls for', () => {
          // Both header shapes: {"alg","kid","typ"} against a key with that kid, and
          // {"alg","typ"} against a key without one.
          const ways = importWays(c);
          for (const which of ['token', 'token_no_kid']) {
            const keys = ways.find((w) => w[2] === which)[1]();
            const verifier = verifierFor(keys);
            const headerOnly = tamperedVariants(c[which], minter, { exhaustiveHeader: true })
              .filter((v) => v.what.startsWith('header'));
            assert.equal(headerOnly.length, decodeSegment(c[which], 0).length * 8);
            assert.deepEqual(checkRejections(verifier, headerOnly), [], which);
            keys.free();
          }
        });

        test('a segment in non-canonical base64url (same bytes, a trailing bit set) is rejected', () => {
          // Every segment is decoded strictly before the signature check (the payload is
          // decoded there but read as claims only after the signature verifies): ERR_JWS_INVALID,
          // and the same when the token is re-signed over the sloppy text (HMAC: we hold the
          // secret), so no signature can make a second encoding acceptable.
          const keys = KeySet.fromJwk({ ...c.jwk, alg: c.alg, kid: c.kid });
          const verifier = verifierFor(keys);
          const expected = ['ERR_JWS_INVALID', 'ERR_JWS_INVALID', 'ERR_JWS_INVALID'];
          let tried = 0;
          for (const seg of [0, 1, 2]) {
            const sloppy = sloppyB64url(c.token, seg);
            if (sloppy === null) continue; // this segment's length leaves no unused bits
            assert.deepEqual(decodeSegment(sloppy, seg), decodeSegment(c.token, seg), 'same bytes');
            const v = verdict(verifier, sloppy);
            assert.equal(v.ok ? 'ACCEPTED' : v.code, expected[seg], `${SEGMENT[seg]} with a trailing bit set`);
            tried += 1;
          }
          if (c.secret !== null) {
            // Re-sign (HMAC: we hold the secret) the same claims with a payload whose length
            // leaves unused bits (JSON allows trailing whitespace): canonical verifies, the
            // same bytes with a trailing bit set must fail the strict decoding.
            let payload = decodeSegment(c.token, 1);
            if (payload.length % 3 === 0) payload = Buffer.concat([payload, Buffer.from(' ')]);
            const header = c.token.split('.')[0];
            const sign = (encodedPayload) => {
              const input = `${header}.${encodedPayload}`;
              const mac = createHmac(`sha${c.alg.slice(2)}`, Buffer.from(c.secret, 'base64url')).update(input);
              return `${input}.${mac.digest('base64url')}`;
            };
            const canonical = sign(payload.toString('base64url'));
            checkAccepted(verdict(verifier, canonical), c, canonical, 'payload re-signed');
            const resigned = sign(sloppyB64url(canonical, 1).split('.')[1]);
            const r = verdict(verifier, resigned);
            assert.equal(r.ok ? 'ACCEPTED' : r.code, 'ERR_JWS_INVALID', 'payload with a trailing bit set, re-signed');
          }
          // 256-byte RSA and 64-byte EC/Ed25519 signatures always leave unused bits.
          if (!c.alg.startsWith('HS')) assert.ok(tried > 0);
          keys.free();
        });
      });
    }

    test(`one JWKS with all ${cases.length} ${minter} keys: every token finds its key by kid`, () => {
      const keys = KeySet.fromJwks({ keys: cases.map((c) => ({ ...c.jwk, alg: c.alg, kid: c.kid, use: 'sig' })) });
      assert.equal(keys.size, cases.length);
      assert.deepEqual(keys.skipped, []);
      const verifier = verifierFor(keys);
      for (const c of cases) checkAccepted(verdict(verifier, c.token), c, c.token, c.alg);
      keys.free();
    });
  });
}

test("a token checked against the other library's key of the same type and kid fails its signature", () => {
  // Guards against a verifier that would pass the bit-flip tests without using the key.
  const failures = [];
  for (const [i, alg] of ALGS.entries()) {
    for (const [mine, theirs] of [[minters.PyJWT[i], minters.jose[i]], [minters.jose[i], minters.PyJWT[i]]]) {
      const keys = KeySet.fromJwk({ ...theirs.jwk, kid: mine.kid }, { alg });
      const v = verdict(verifierFor(keys), mine.token);
      if (v.ok || v.code !== 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') failures.push(`${alg}: ${v.ok ? 'ACCEPTED' : v.code}`);
      keys.free();
    }
  }
  assert.deepEqual(failures, []);
});

test('PyJWT, given the same keys, reaches the same verdict as tollgate on every token', () => {
  // Original tokens of both minters, their sampled flips and every header flip.
  const items = [];
  for (const [minter, cases] of Object.entries(minters)) {
    for (const c of cases) {
      const keys = KeySet.fromJwk({ ...c.jwk, kid: c.kid }, { alg: c.alg });
      const verifier = verifierFor(keys);
      const variants = [
        { what: 'as minted', token: c.token },
        ...tamperedVariants(c.token, `${minter}/${c.alg}/pyjwt`, { exhaustiveHeader: true }),
      ];
      for (const { what, token } of variants) {
        const v = verdict(verifier, token);
        items.push({ label: `${minter} ${c.alg} ${what}`, alg: c.alg, jwk: c.jwk, token, tollgate: v.ok ? 'ok' : v.code });
      }
      keys.free();
    }
  }
  const pyVerdicts = runPython('decode_pyjwt.py', [], JSON.stringify({
    issuer: ISSUER,
    audience: AUDIENCE,
    tokens: items.map(({ alg, jwk, token }) => ({ alg, jwk, token })),
  }));
  assert.equal(pyVerdicts.length, items.length);

  const disagreements = [];
  items.forEach((item, i) => {
    const py = pyVerdicts[i];
    if ((item.tollgate === 'ok') !== py.ok) {
      disagreements.push(`${item.label}: tollgate ${item.tollgate}, PyJWT ${py.ok ? 'ok' : py.error}`);
    }
  });
  assert.deepEqual(disagreements, []);
  // Both accept exactly the untampered tokens, and PyJWT reads the same claims.
  const accepted = items.filter((item, i) => pyVerdicts[i].ok);
  assert.equal(accepted.length, 2 * ALGS.length);
  assert.ok(accepted.every((item) => item.label.endsWith('as minted')));
  for (const [i, item] of items.entries()) {
    if (!pyVerdicts[i].ok) continue;
    const [minter, alg] = item.label.split(' ');
    assert.deepEqual(pyVerdicts[i].claims, minters[minter].find((c) => c.alg === alg).claims);
  }
});
