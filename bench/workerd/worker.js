// The worker of bench/workerd.mjs (throughput): every contender, inside real workerd.
//
// Module names are the ones bench/workerd.mjs lists in its capnp config: "tollgate" is
// pkg/workerd.js, "bench-peers/*.js" are esbuild bundles of the peers from bench/node_modules,
// "bench-fixtures.json" holds the keys and tokens minted in Node before workerd started.
//
//   GET /health                      answers without touching any library
//   GET /check?c=ID&alg=ALG          sets the contender up once (keys imported, verifier
//                                    made) and returns what it gives for valid tokens and for
//                                    a token with a bad signature; the parent compares
//   GET /run?c=ID&alg=ALG&n=N        N verifications one after another (each awaited);
//                                    n=0 is the empty request the parent subtracts
//
// Time is measured by the parent: inside workerd, Date.now() and performance.now() do not
// advance while JavaScript runs without I/O (a Spectre mitigation).

import * as tg from "tollgate";
import { importJWK, jwtVerify } from "./bench-peers/jose.js";
import { verify as honoVerify } from "./bench-peers/hono-jwt.js";
import { verify as cfVerify } from "./bench-peers/cfjwt.js";
import fixtures from "./bench-fixtures.json";

const { issuer, audience, typ } = fixtures;

// WebCrypto parameters per JWS algorithm (as bench/peers/fixtures.mjs WEB).
const WEB = {
  HS256: { imp: { name: "HMAC", hash: "SHA-256" }, ver: { name: "HMAC" } },
  RS256: { imp: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, ver: { name: "RSASSA-PKCS1-v1_5" } },
  PS256: { imp: { name: "RSA-PSS", hash: "SHA-256" }, ver: { name: "RSA-PSS", saltLength: 32 } },
  ES256: { imp: { name: "ECDSA", namedCurve: "P-256" }, ver: { name: "ECDSA", hash: "SHA-256" } },
  ES384: { imp: { name: "ECDSA", namedCurve: "P-384" }, ver: { name: "ECDSA", hash: "SHA-384" } },
  EdDSA: { imp: { name: "Ed25519" }, ver: { name: "Ed25519" } },
};

const utf8 = (s) => new TextEncoder().encode(s);
function b64uBytes(s) {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
const webKey = (f) =>
  f.secret
    ? crypto.subtle.importKey("raw", utf8(f.secret), WEB[f.alg].imp, false, ["verify"])
    : crypto.subtle.importKey("jwk", f.jwk, WEB[f.alg].imp, false, ["verify"]);

// Thrown by make() when a contender is absent (an opt-in path not written yet): shown as "—".
class Unavailable extends Error {}

const tollgateOptions = (f) => ({
  keys: f.secret ? tg.KeySet.fromSecret(f.secret, { alg: f.alg, kid: f.kid }) : tg.KeySet.fromJwk(f.jwk),
  issuer,
  audience,
  algorithms: [f.alg],
});

// make(fixture) -> fn(input) -> claims (the limit row: a boolean); a refused token throws
// (the limit row: false). sync: called without await. input: tokens (64 distinct, cycled) |
// repeat (token 0 over and over: a cache's best case) | raw (signing input + signature bytes).
const CONTENDERS = {
  tollgate: {
    sync: true,
    input: "tokens",
    make(f) {
      const v = tg.createVerifier(tollgateOptions(f));
      return (t) => v.verify(t).claims;
    },
  },
  tollgateAsync: {
    sync: false,
    input: "tokens",
    make(f) {
      const v = tg.createVerifier(tollgateOptions(f));
      if (typeof v.verifyAsync !== "function") throw new Unavailable("verifier.verifyAsync is not a function in this build");
      return async (t) => (await v.verifyAsync(t)).claims;
    },
  },
  tollgateCache: {
    sync: true,
    input: "repeat",
    make(f) {
      let v;
      try {
        v = tg.createVerifier({ ...tollgateOptions(f), cache: { max: 1000 } });
      } catch (e) {
        throw new Unavailable(`createVerifier refuses the cache option: ${errText(e)}`);
      }
      return (t) => v.verify(t).claims;
    },
  },
  jose: {
    sync: false,
    input: "tokens",
    async make(f) {
      const key = f.secret ? await webKey(f) : await importJWK(f.jwk, f.alg);
      const opts = { issuer, audience, algorithms: [f.alg] };
      return async (t) => (await jwtVerify(t, key, opts)).payload;
    },
  },
  hono: {
    sync: false,
    input: "tokens",
    async make(f) {
      const key = await webKey(f);
      const opts = { alg: f.alg, iss: issuer, aud: audience, typ };
      return (t) => honoVerify(t, key, opts);
    },
  },
  cfjwt: {
    sync: false,
    input: "tokens",
    async make(f) {
      const key = await webKey(f);
      const opts = { algorithm: f.alg, throwError: true };
      return async (t) => (await cfVerify(t, key, opts)).payload;
    },
  },
  webcrypto: {
    sync: false,
    input: "raw",
    async make(f) {
      const key = await webKey(f);
      const params = WEB[f.alg].ver;
      return ({ data, sig }) => crypto.subtle.verify(params, key, sig, data);
    },
  },
};

function errText(e) {
  return `${e?.code ? `${e.code}: ` : ""}${String(e?.message ?? e).split("\n")[0].slice(0, 240)}`;
}

// The signing input and signature of a token, decoded before any timing.
function raw(token) {
  const dot = token.lastIndexOf(".");
  return { data: utf8(token.slice(0, dot)), sig: b64uBytes(token.slice(dot + 1)) };
}

const entries = new Map(); // "id/alg" -> { fn, sync, inputs, f } | { unavailable }

async function entry(id, alg) {
  const k = `${id}/${alg}`;
  if (entries.has(k)) return entries.get(k);
  const c = CONTENDERS[id];
  const f = fixtures.algs[alg];
  if (!c || !f) throw new RangeError(`unknown contender or algorithm: ${k}`);
  let e;
  try {
    const fn = await c.make(f);
    const inputs = c.input === "raw" ? f.tokens.map(raw) : c.input === "repeat" ? f.tokens.map(() => f.tokens[0]) : f.tokens;
    e = { fn, sync: c.sync, inputs, f, input: c.input };
  } catch (err) {
    e = { unavailable: errText(err), expected: err instanceof Unavailable };
  }
  entries.set(k, e);
  return e;
}

async function check(e) {
  const { fn, f, input } = e;
  const attempt = async (x) => {
    try {
      return { value: await fn(x) };
    } catch (err) {
      return { error: errText(err) };
    }
  };
  if (input === "raw") {
    const good = raw(f.tokens[0]);
    const bad = raw(f.badSignature);
    return { valid: [await attempt(good)], bad: await attempt(bad) };
  }
  // A cache is fed one token: check that one (twice: a miss, then a hit).
  const indices = input === "repeat" ? [0, 0] : [0, 1, f.tokens.length - 1];
  const valid = [];
  for (const i of indices) valid.push({ index: i, ...(await attempt(f.tokens[i])) });
  // After the valid token 0 is in any cache: its header and payload with another signature.
  return { valid, bad: await attempt(f.badSignature) };
}

let sink = 0;
const use = (r) => (r === true) + (r?.exp & 1);

async function run(e, n) {
  const { fn, inputs, sync } = e;
  const mask = inputs.length - 1; // 64 inputs: a power of two
  if (sync) for (let i = 0; i < n; i++) sink += use(fn(inputs[i & mask]));
  else for (let i = 0; i < n; i++) sink += use(await fn(inputs[i & mask]));
  return n;
}

const json = (body, status = 200) => Response.json(body, { status });

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/health") return new Response("ok");
    const id = url.searchParams.get("c");
    const alg = url.searchParams.get("alg");
    try {
      const e = await entry(id, alg);
      if (url.pathname === "/check") {
        if (e.unavailable) return json({ available: false, expected: e.expected, reason: e.unavailable });
        return json({ available: true, ...(await check(e)) });
      }
      if (url.pathname === "/run") {
        if (e.unavailable) return json({ error: e.unavailable }, 409);
        const n = Number.parseInt(url.searchParams.get("n") ?? "0", 10);
        return json({ n: await run(e, n), sink: sink & 0xff });
      }
      return json({ error: "not found" }, 404);
    } catch (err) {
      return json({ error: errText(err) }, 500);
    }
  },
};
