// Opaque tokens: createIntrospector against a real RFC 7662 endpoint on 127.0.0.1, and the
// guard routing JWTs to the verifier and everything else to the introspector. The
// introspection answers are checked by the core with the guard's options (issuer,
// audience, expiry, scopes), as a JWT's claims are. Cache time comes from an injected
// clock; only the timeout and concurrency tests wait on real time (a few hundred ms).

import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { KeySet, Introspector, createGuard, createIntrospector, isTollgateError } from "../../pkg/node.js";
import { Policy } from "../../pkg/policy-node.js";
import { AUDIENCE, ISSUER, REALM, jwksOf, makeKey, manualClock, mint, readResponse, callsDuring } from "./helpers.mjs";

const SECOND = 1000;
const CLIENT_ID = "api-gateway";
const CLIENT_SECRET = "s3cret:with/odd chars";
const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * An RFC 7662 endpoint at /introspect: answers from `answers` (token → response, or a
 * function of the request), counts requests per token, records what it received.
 * Knobs: delayNext, failNext (an HTTP status), redirectNext, down / up.
 */
async function startIntrospectionServer() {
  const answers = new Map();
  const counts = new Map();
  const received = [];
  const sockets = new Set();
  const timers = new Set();
  const delays = [];
  const failures = [];
  let redirects = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const form = new URLSearchParams(body);
      const token = form.get("token");
      counts.set(token, (counts.get(token) ?? 0) + 1);
      received.push({ method: req.method, url: req.url, headers: req.headers, form });
      const respond = () => {
        if (res.destroyed) return;
        if (redirects > 0) {
          redirects--;
          res.writeHead(307, { Location: "/introspect" });
          return res.end();
        }
        if (failures.length > 0) {
          res.writeHead(failures.shift(), { "Content-Type": "text/plain" });
          return res.end("failure on purpose");
        }
        const answer = answers.get(token);
        const json = typeof answer === "function" ? answer(form) : answer ?? { active: false };
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(typeof json === "string" ? json : JSON.stringify(json));
      };
      const wait = delays.shift() ?? 0;
      if (wait === 0) return respond();
      const timer = setTimeout(() => {
        timers.delete(timer);
        respond();
      }, wait);
      timers.add(timer);
    });
  });
  server.keepAliveTimeout = 500;
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const listen = (port) => new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server.address().port)));
  const port = await listen(0);
  const stop = () =>
    new Promise((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
  return {
    url: `http://127.0.0.1:${port}/introspect`,
    answer: (token, response) => answers.set(token, response),
    count: (token) => (token === undefined ? received.length : counts.get(token) ?? 0),
    received,
    last: () => received.at(-1),
    reset() {
      answers.clear();
      counts.clear();
      received.length = 0;
      delays.length = 0;
      failures.length = 0;
      redirects = 0;
    },
    delayNext: (ms, n = 1) => delays.push(...Array(n).fill(ms)),
    failNext: (status, n = 1) => failures.push(...Array(n).fill(status)),
    redirectNext: () => redirects++,
    down: stop,
    up: () => listen(port),
    close: stop,
  };
}

let server;
let key;

before(async () => {
  key = await makeKey("k1");
  server = await startIntrospectionServer();
});

after(async () => {
  await server?.close();
});

beforeEach(() => server.reset());

/** An active answer for the test's issuer and audience; `extra` overrides (undefined drops). */
function active(extra = {}) {
  const response = {
    active: true,
    scope: "read:messages write:messages",
    client_id: "client-7",
    sub: "user-1",
    aud: AUDIENCE,
    iss: ISSUER,
    exp: nowSeconds() + 3600,
    iat: nowSeconds() - 10,
    token_type: "Bearer",
    ...extra,
  };
  for (const [name, value] of Object.entries(response)) if (value === undefined) delete response[name];
  return response;
}

function introspector(options = {}) {
  return createIntrospector({ endpoint: server.url, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...options });
}

function guardFor(intro, options = {}) {
  return createGuard({ introspection: intro, issuer: ISSUER, audience: AUDIENCE, realm: REALM, ...options });
}

const bearer = (token) => ({ method: "GET", url: "/messages", headers: { authorization: `Bearer ${token}` } });

describe("active and inactive tokens", () => {
  test("an active token: the verified result, with the answer as claims and credential opaque", async () => {
    server.answer("opaque-1", active());
    const auth = await guardFor(introspector()).authorize(bearer("opaque-1"));
    assert.equal(auth.ok, true);
    assert.equal(auth.subject, "user-1");
    assert.deepEqual(auth.scopes, ["read:messages", "write:messages"]);
    assert.deepEqual(auth.roles, []);
    assert.deepEqual(auth.credential, { kind: "opaque", clientId: "client-7" });
    assert.equal(auth.claims.client_id, "client-7");
    assert.equal(auth.claims.iss, ISSUER);
    assert.deepEqual(auth.header, {}, "an opaque token has no header");
    assert.equal(auth.token, "opaque-1");
  });

  test("active: false → 401 ERR_TOKEN_INACTIVE, invalid_token, with the realm", async () => {
    server.answer("gone", { active: false });
    const auth = await guardFor(introspector()).authorize(bearer("gone"));
    assert.equal(auth.ok, false);
    assert.equal(auth.status, 401);
    assert.equal(auth.code, "ERR_TOKEN_INACTIVE");
    assert.equal(auth.error, "invalid_token");
    assert.ok(isTollgateError(auth.cause, "ERR_TOKEN_INACTIVE"));
    const res = await readResponse(auth.response);
    assert.equal(res.status, 401);
    assert.match(res.headers.get("www-authenticate"), /^Bearer realm="api", error="invalid_token"/);
    assert.equal(res.json.error, "invalid_token");
  });

  test("introspect() gives the server's answer, frozen and unchecked", async () => {
    server.answer("opaque-2", active({ aud: "https://elsewhere.example" }));
    const response = await introspector().introspect("opaque-2");
    assert.equal(response.active, true);
    assert.equal(response.aud, "https://elsewhere.example", "not checked here: the guard's core checks it");
    assert.ok(Object.isFrozen(response));
  });
});

describe("the answer is checked by the core with the guard's options", () => {
  const refused = async (answer, options, call) => {
    server.answer("t", answer);
    return guardFor(introspector({ cache: false }), options).authorize(bearer("t"), call);
  };

  test("scope: granted scopes from `scope`; requiredScopes per call and per guard → 403", async () => {
    server.answer("t", active({ scope: "read:messages" }));
    const guard = guardFor(introspector({ cache: false }));
    assert.equal((await guard.authorize(bearer("t"), { requiredScopes: ["read:messages"] })).ok, true);
    const auth = await guard.authorize(bearer("t"), { requiredScopes: ["write:messages"] });
    assert.equal(auth.status, 403);
    assert.equal(auth.code, "ERR_JWT_INSUFFICIENT_SCOPE");
    assert.deepEqual(auth.cause.missing, ["write:messages"]);
    assert.match(auth.response.headers.get("www-authenticate"), /error="insufficient_scope".*scope="write:messages"/);
    const strict = guardFor(introspector({ cache: false }), { requiredScopes: ["admin"] });
    assert.equal((await strict.authorize(bearer("t"))).code, "ERR_JWT_INSUFFICIENT_SCOPE");
  });

  test("another issuer → 401 ERR_JWT_CLAIM_VALIDATION_FAILED (iss)", async () => {
    const auth = await refused(active({ iss: "https://evil.example/" }));
    assert.equal(auth.status, 401);
    assert.equal(auth.code, "ERR_JWT_CLAIM_VALIDATION_FAILED");
    assert.equal(auth.cause.claim, "iss");
  });

  test("another audience, or none → 401 (aud)", async () => {
    for (const aud of ["https://other.example", undefined]) {
      const auth = await refused(active({ aud }));
      assert.equal(auth.code, "ERR_JWT_CLAIM_VALIDATION_FAILED");
      assert.equal(auth.cause.claim, "aud");
      assert.equal(auth.cause.reason, aud === undefined ? "missing" : "check_failed");
    }
  });

  test("expired → 401 ERR_JWT_EXPIRED; clockTolerance applies; no exp → missing exp", async () => {
    assert.equal((await refused(active({ exp: nowSeconds() - 5 }))).code, "ERR_JWT_EXPIRED");
    assert.equal((await refused(active({ exp: nowSeconds() - 5 }), { clockTolerance: 60 })).ok, true);
    const missing = await refused(active({ exp: undefined }));
    assert.equal(missing.code, "ERR_JWT_CLAIM_VALIDATION_FAILED");
    assert.equal(missing.cause.claim, "exp");
  });

  test("a DPoP-bound answer (cnf) sent as a bearer token → 401 ERR_JWT_SENDER_CONSTRAINED", async () => {
    assert.equal((await refused(active({ cnf: { jkt: "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I" } }))).code, "ERR_JWT_SENDER_CONSTRAINED");
  });

  test("the introspector's issuer fills in a missing iss, never a different one", async () => {
    server.answer("t", active({ iss: undefined }));
    assert.equal((await guardFor(introspector({ cache: false })).authorize(bearer("t"))).cause.claim, "iss");
    const named = introspector({ cache: false, issuer: ISSUER });
    assert.equal((await guardFor(named).authorize(bearer("t"))).ok, true);
    const other = introspector({ cache: false, issuer: "https://evil.example/" });
    assert.equal((await guardFor(other).authorize(bearer("t"))).cause.claim, "iss");
    // A guard without an issuer of its own takes the introspector's.
    const own = createGuard({ introspection: named, audience: AUDIENCE });
    assert.equal((await own.authorize(bearer("t"))).ok, true);
  });
});

describe("the cache", () => {
  test("a second request for the same token is answered from the cache: one server request", async () => {
    server.answer("c1", active());
    const intro = introspector();
    const guard = guardFor(intro);
    assert.equal((await guard.authorize(bearer("c1"))).ok, true);
    assert.equal((await guard.authorize(bearer("c1"))).ok, true);
    assert.equal(server.count("c1"), 1);
    assert.equal(intro.cacheSize, 1);
    // Another token (one character off) is another entry.
    server.answer("c2", active());
    await guard.authorize(bearer("c2"));
    assert.equal(server.count("c2"), 1);
    intro.clearCache();
    await guard.authorize(bearer("c1"));
    assert.equal(server.count("c1"), 2);
  });

  test("negative answers are cached for negativeTtl only", async () => {
    const clock = manualClock(Date.now());
    const intro = introspector({ now: clock.now, cache: { negativeTtl: 2 * SECOND } });
    const guard = guardFor(intro);
    assert.equal((await guard.authorize(bearer("n"))).code, "ERR_TOKEN_INACTIVE");
    assert.equal((await guard.authorize(bearer("n"))).code, "ERR_TOKEN_INACTIVE");
    assert.equal(server.count("n"), 1);
    clock.advance(2 * SECOND);
    server.answer("n", active());
    assert.equal((await guard.authorize(bearer("n"))).ok, true, "asked again once the negative entry expired");
    assert.equal(server.count("n"), 2);
  });

  test("a positive answer lives until the token's exp, and at most maxTtl", async () => {
    const clock = manualClock(Date.now());
    const intro = introspector({ now: clock.now, cache: { maxTtl: 60 * SECOND } });
    server.answer("short", active({ exp: Math.floor(clock.t / 1000) + 10 }));
    server.answer("long", active());
    await intro.introspect("short");
    await intro.introspect("long");
    clock.advance(10 * SECOND);
    await intro.introspect("short");
    await intro.introspect("long");
    assert.equal(server.count("short"), 2, "past exp: asked again");
    assert.equal(server.count("long"), 1);
    clock.advance(50 * SECOND);
    await intro.introspect("long");
    assert.equal(server.count("long"), 2, "past maxTtl: asked again");
  });

  test("max bounds the entries (least recently used leaves)", async () => {
    const intro = introspector({ cache: { max: 2 } });
    for (const t of ["a", "b", "c"]) server.answer(t, active());
    await intro.introspect("a");
    await intro.introspect("b");
    await intro.introspect("a"); // a is now the most recent
    await intro.introspect("c"); // b leaves
    assert.equal(intro.cacheSize, 2);
    await intro.introspect("a");
    await intro.introspect("b");
    assert.equal(server.count("a"), 1);
    assert.equal(server.count("b"), 2);
  });

  test("cache: false asks every time", async () => {
    server.answer("x", active());
    const intro = introspector({ cache: false });
    await intro.introspect("x");
    await intro.introspect("x");
    assert.equal(server.count("x"), 2);
    assert.equal(intro.cacheSize, 0);
  });
});

describe("failures fail closed", () => {
  test("server down → 503 ERR_INTROSPECTION_FAILED with Retry-After; never a stale positive", async () => {
    const clock = manualClock(Date.now());
    const intro = introspector({ now: clock.now, cache: { maxTtl: 5 * SECOND } });
    const guard = guardFor(intro);
    server.answer("d", active());
    assert.equal((await guard.authorize(bearer("d"))).ok, true);
    clock.advance(5 * SECOND); // the cached answer expired
    await server.down();
    try {
      const auth = await guard.authorize(bearer("d"));
      assert.equal(auth.ok, false);
      assert.equal(auth.status, 503);
      assert.equal(auth.code, "ERR_INTROSPECTION_FAILED");
      assert.equal(auth.error, "temporarily_unavailable");
      const res = await readResponse(auth.response);
      assert.equal(res.status, 503);
      assert.equal(res.headers.get("retry-after"), String(auth.retryAfter));
      assert.equal(res.headers.get("www-authenticate"), null);
    } finally {
      await server.up();
    }
  });

  test("HTTP 500 or a non-RFC 7662 body → 503; within cooldownDuration no new request (fail fast)", async () => {
    const clock = manualClock(Date.now());
    const intro = introspector({ now: clock.now, cooldownDuration: 2 * SECOND });
    const guard = guardFor(intro);
    server.answer("f", active());
    server.failNext(500);
    const first = await guard.authorize(bearer("f"));
    assert.equal(first.status, 503);
    assert.equal(first.cause.httpStatus, 500);
    const second = await guard.authorize(bearer("f"));
    assert.equal(second.status, 503);
    assert.equal(server.count("f"), 1, "failing fast");
    clock.advance(2 * SECOND);
    assert.equal((await guard.authorize(bearer("f"))).ok, true);
    server.answer("odd", "[]");
    assert.equal((await guardFor(introspector()).authorize(bearer("odd"))).code, "ERR_INTROSPECTION_FAILED");
    server.answer("odd", { active: "yes" });
    assert.equal((await guardFor(introspector()).authorize(bearer("odd"))).code, "ERR_INTROSPECTION_FAILED");
  });

  test("a redirect is not followed (the body carries the token): 503", async () => {
    server.answer("r", active());
    server.redirectNext();
    const auth = await guardFor(introspector()).authorize(bearer("r"));
    assert.equal(auth.status, 503);
    assert.equal(server.count("r"), 1);
  });

  test("timeout → 503 ERR_INTROSPECTION_FAILED within timeoutDuration", async () => {
    server.answer("slow", active());
    server.delayNext(1_000);
    const started = Date.now();
    const auth = await guardFor(introspector({ timeoutDuration: 150 })).authorize(bearer("slow"));
    assert.ok(Date.now() - started < 900, "did not wait for the server");
    assert.equal(auth.status, 503);
    assert.equal(auth.code, "ERR_INTROSPECTION_FAILED");
    assert.match(auth.cause.message, /did not answer within 150 ms/);
  });

  test("the token appears in no error, description, response or header", async () => {
    const token = "sekrit-opaque-token-value";
    const seen = [];
    const collect = async (auth) => {
      seen.push(auth.description, auth.cause?.message, String(auth.cause?.cause ?? ""), auth.cause?.url ?? "");
      const res = await readResponse(auth.response);
      seen.push(res.text, ...[...res.headers].map(([, v]) => v));
    };
    const intro = introspector({ cache: false, timeoutDuration: 150 });
    await collect(await guardFor(intro).authorize(bearer(token))); // inactive
    server.answer(token, active({ iss: "https://evil.example/" }));
    await collect(await guardFor(intro).authorize(bearer(token))); // iss
    server.delayNext(1_000);
    await collect(await guardFor(intro).authorize(bearer(token))); // timeout
    server.failNext(502);
    await collect(await guardFor(introspector({ cache: false })).authorize(bearer(token))); // 502
    for (const text of seen) assert.ok(!String(text).includes(token), `the token leaked: ${text}`);
  });
});

describe("one request in flight per token", () => {
  test("concurrent lookups of the same token: one server request, every caller answered", async () => {
    for (const cache of [true, false]) {
      server.reset();
      server.answer("busy", active());
      server.delayNext(200);
      const guard = guardFor(introspector({ cache }));
      const results = await Promise.all(Array.from({ length: 8 }, () => guard.authorize(bearer("busy"))));
      assert.ok(results.every((r) => r.ok), `cache: ${cache}`);
      assert.equal(server.count("busy"), 1, `cache: ${cache}`);
    }
  });

  test("concurrent lookups of different tokens are not serialized", async () => {
    server.answer("p", active());
    server.answer("q", active());
    server.delayNext(200, 2);
    const intro = introspector();
    await Promise.all([intro.introspect("p"), intro.introspect("q")]);
    assert.equal(server.count("p") + server.count("q"), 2);
  });

  test("waiters share the failure of the request in flight (fail closed), then ask again later", async () => {
    server.answer("w", active());
    server.delayNext(150);
    server.failNext(503);
    const guard = guardFor(introspector({ cooldownDuration: 0 }));
    const results = await Promise.all([guard.authorize(bearer("w")), guard.authorize(bearer("w"))]);
    assert.deepEqual(results.map((r) => r.status), [503, 503]);
    assert.equal(server.count("w"), 1);
    assert.equal((await guard.authorize(bearer("w"))).ok, true);
  });
});

describe("client authentication as sent", () => {
  test("clientSecret: HTTP Basic of the form-urlencoded id and secret (RFC 6749 §2.3.1), a form POST", async () => {
    await introspector().introspect("a1");
    const { method, headers, form } = server.last();
    assert.equal(method, "POST");
    assert.equal(headers["content-type"], "application/x-www-form-urlencoded");
    assert.match(headers.accept, /application\/json/);
    const expected = `${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET).replace(/%20/g, "+")}`;
    assert.equal(headers.authorization, `Basic ${Buffer.from(expected).toString("base64")}`);
    assert.equal(form.get("token"), "a1");
    assert.equal(form.get("token_type_hint"), "access_token");
    assert.equal(form.get("client_assertion"), null);
  });

  test("privateKeyJwt: a fresh assertion per request in the body (RFC 7523 §2.2), no Basic header", async () => {
    let n = 0;
    const intro = createIntrospector({
      endpoint: server.url,
      clientId: CLIENT_ID,
      privateKeyJwt: async () => `assertion-${++n}`,
      cache: false,
    });
    await intro.introspect("a2");
    await intro.introspect("a2");
    const { headers, form } = server.last();
    assert.equal(headers.authorization, undefined);
    assert.equal(form.get("client_assertion_type"), "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    assert.equal(form.get("client_assertion"), "assertion-2");
    assert.equal(form.get("client_id"), CLIENT_ID);
  });

  test("a privateKeyJwt that throws → 503; one that returns no string → TypeError", async () => {
    const failing = createIntrospector({ endpoint: server.url, privateKeyJwt: async () => { throw new Error("KMS down"); } });
    const auth = await guardFor(failing).authorize(bearer("a3"));
    assert.equal(auth.status, 503);
    assert.equal(server.count(), 0);
    const broken = createIntrospector({ endpoint: server.url, privateKeyJwt: async () => undefined });
    await assert.rejects(guardFor(broken).authorize(bearer("a3")), { name: "TypeError", code: "ERR_INVALID_ARG" });
  });
});

describe("the guard tells a JWT from an opaque token", () => {
  let jwt;
  let keys;
  before(async () => {
    jwt = await mint(key);
    keys = KeySet.fromJwks(jwksOf(key));
  });

  test("both configured: a JWS goes to the verifier, anything else to the introspector", async () => {
    server.answer("opaque", active());
    const guard = guardFor(introspector(), { keys });
    const viaJwt = await guard.authorize(bearer(jwt));
    assert.equal(viaJwt.ok, true);
    assert.deepEqual(viaJwt.credential, { kind: "jwt" });
    assert.equal(viaJwt.subject, "user-1");
    assert.equal(server.count(), 0, "a JWT is never sent to the introspection endpoint");
    const viaOpaque = await guard.authorize(bearer("opaque"));
    assert.equal(viaOpaque.credential.kind, "opaque");
    assert.equal(server.count(), 1);
    // Same options, same checks: both refused for a scope neither has.
    for (const token of [jwt, "opaque"]) {
      assert.equal((await guard.authorize(bearer(token), { requiredScopes: ["admin"] })).code, "ERR_JWT_INSUFFICIENT_SCOPE");
    }
    // A JWE (five segments) and dotted opaque strings are not JWS: introspected.
    for (const token of ["a.b.c.d.e", "abc.def", "x.y.z"]) await guard.authorize(bearer(token));
    assert.equal(server.count("a.b.c.d.e") + server.count("abc.def") + server.count("x.y.z"), 3);
  });

  test("keys only: an opaque token is 401 invalid_token, as before", async () => {
    const auth = await createGuard({ keys, issuer: ISSUER, audience: AUDIENCE }).authorize(bearer("opaque"));
    assert.equal(auth.status, 401);
    assert.equal(auth.error, "invalid_token");
  });

  test("introspection only: a JWT is 401 invalid_token, never introspected", async () => {
    const auth = await guardFor(introspector()).authorize(bearer(jwt));
    assert.equal(auth.status, 401);
    assert.equal(auth.error, "invalid_token");
    assert.equal(auth.code, "ERR_JWKS_NO_MATCHING_KEY");
    assert.equal(server.count(), 0);
  });

  test("with a policy: public routes need no lookup; the decision reads the checked answer", async () => {
    const policy = Policy.fromJson({
      version: 1,
      scopes: { "read:messages": {}, "write:messages": {} },
      rules: [
        { id: "health", method: "GET", path: "/health", public: true },
        { id: "read", method: "GET", path: "/messages/**", scopes: ["read:messages"] },
        { id: "write", method: "POST", path: "/messages/:id", scopes: ["write:messages"] },
      ],
    });
    const guard = guardFor(introspector(), { policy });
    const health = await guard.authorize({ url: "/health", headers: { authorization: "Bearer whatever" } });
    assert.equal(health.public, true);
    assert.equal(server.count(), 0);
    server.answer("reader", active({ scope: "read:messages" }));
    const read = await guard.authorize({ url: "/messages/1", headers: { authorization: "Bearer reader" } });
    assert.equal(read.ok, true);
    assert.equal(read.decision.allow, true);
    assert.equal(read.credential.kind, "opaque");
    const write = await guard.authorize({ method: "POST", url: "/messages/1", headers: { authorization: "Bearer reader" } });
    assert.equal(write.ok, false);
    assert.equal(write.status, 403);
    assert.equal(write.decision.allow, false);
    assert.equal(server.count("reader"), 1, "the second request was answered from the cache");
  });

  test("with a policy: two calls into the wasm per request (the route, then the answer and the decision)", async () => {
    const policy = Policy.fromJson({
      version: 1,
      scopes: { "read:messages": {}, "write:messages": {} },
      rules: [
        { method: "GET", path: "/messages/**", scopes: ["read:messages"] },
        { method: "POST", path: "/messages/:id", scopes: ["write:messages"] },
      ],
    });
    const guard = guardFor(introspector(), { policy });
    server.answer("counted", active({ scope: "read:messages" }));
    const read = await callsDuring(() => guard.authorize({ url: "/messages/1", headers: { authorization: "Bearer counted" } }));
    assert.deepEqual([read.result.ok, read.calls], [true, 2]);
    const write = await callsDuring(() => guard.authorize({ method: "POST", url: "/messages/1", headers: { authorization: "Bearer counted" } }));
    assert.deepEqual([write.result.status, write.result.code, write.calls], [403, "ERR_JWT_INSUFFICIENT_SCOPE", 2]);
    server.answer("gone", { active: false });
    const inactive = await callsDuring(() => guard.authorize({ url: "/messages/1", headers: { authorization: "Bearer gone" } }));
    assert.deepEqual([inactive.result.status, inactive.result.code, inactive.calls], [401, "ERR_TOKEN_INACTIVE", 2]);
  });
});


describe("misuse is a TypeError at creation", () => {
  const misuse = (fn) => assert.throws(fn, { name: "TypeError", code: "ERR_INVALID_ARG" });

  test("createIntrospector", () => {
    assert.ok(introspector() instanceof Introspector);
    misuse(() => createIntrospector({ endpoint: server.url }));
    misuse(() => createIntrospector({ endpoint: server.url, clientSecret: "x" }));
    misuse(() => createIntrospector({ endpoint: server.url, clientId: "a", clientSecret: "x", privateKeyJwt: async () => "j" }));
    misuse(() => createIntrospector({ endpoint: "http://idp.example/introspect", clientId: "a", clientSecret: "x" }));
    misuse(() => createIntrospector({ endpoint: server.url, clientId: "a", clientSecret: "x", cache: { ttl: 5 } }));
    misuse(() => createIntrospector({ endpoint: server.url, clientId: "a", clientSecret: "x", timeout: 5 }));
    misuse(() => createIntrospector({ endpoint: server.url, clientId: "a", clientSecret: "x", timeoutDuration: 0 }));
    misuse(() => new Introspector());
    // Another form of client authentication, given as a header, is accepted.
    assert.ok(createIntrospector({ endpoint: server.url, headers: { authorization: "Bearer service-token" } }));
  });

  test("createGuard", () => {
    misuse(() => createGuard({ introspection: {}, issuer: ISSUER, audience: AUDIENCE }));
    misuse(() => createGuard({ introspection: introspector(), audience: AUDIENCE })); // no issuer anywhere
    misuse(() => createGuard({ introspection: introspector(), issuer: ISSUER, audiance: AUDIENCE }));
    misuse(() => createGuard({ issuer: ISSUER, audience: AUDIENCE }));
  });

  test("introspect() takes a non-empty string", async () => {
    await assert.rejects(introspector().introspect(""), { name: "TypeError" });
    await assert.rejects(introspector().introspect(42), { name: "TypeError" });
  });
});
