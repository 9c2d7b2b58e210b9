// tollgate/hono in Node with the real `hono` package (app.request): the RFC 6750 answers
// come from the guard unchanged, per-route scopes, the verified claims on the context,
// one verification per request, settings from the bindings, and misuse.
//
// Tokens are minted by jose (an independent implementation) with ES256 keys made here.

import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { cors } from "hono/cors";
import { KeySet, createIssuerKeys, createRemoteKeySet } from "../../pkg/node.js";
import { TOLLGATE_VARIABLE, tollgate } from "../../pkg/hono.js";
import { Policy } from "../../pkg/policy-node.js";
import { AUDIENCE, ISSUER, jwksOf, makeKey, mint } from "../edge/helpers.mjs";
import { freePort } from "../../examples/worker/run-workerd.mjs";

let key;
let other; // a key the app does not trust
let keys;

before(async () => {
  [key, other] = await Promise.all([makeKey("k1"), makeKey("k2")]);
  keys = KeySet.fromJwks(jwksOf(key));
});

const bearer = (token) => ({ headers: { Authorization: `Bearer ${token}` } });

async function read(response) {
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** The app of the README: a protected prefix, and scopes per route. */
function messagesApp(options = {}) {
  const auth = tollgate({ keys, issuer: ISSUER, audience: AUDIENCE, realm: "api", ...options });
  const app = new Hono();
  app.get("/health", (c) => c.json({ ok: true, auth: c.get("tollgate") ?? null }));
  app.use("/api/*", auth());
  app.get("/api/me", (c) => {
    const { claims, scopes, header, token } = c.get("tollgate");
    return c.json({ sub: claims.sub, scopes, kid: header.kid, tokenLength: token.length });
  });
  app.get("/api/messages", auth({ requiredScopes: ["read:messages"] }), (c) => c.json({ messages: [], for: c.get("tollgate").claims.sub }));
  app.post("/api/messages", auth({ requiredScopes: ["write:messages"] }), async (c) => {
    const { text } = await c.req.json(); // the guard did not consume the body
    return c.json({ text, author: c.get("tollgate").claims.sub }, 201);
  });
  app.delete("/api/messages/:id", auth({ requiredScopes: ["admin:messages", "owner:messages"], scopeMode: "any" }), (c) =>
    c.body(null, 204),
  );
  return app;
}

describe("tollgate/hono with a policy", () => {
  const policy = Policy.fromJson({
    version: 1,
    scopes: { "read:messages": {}, "admin:messages": {} },
    roles: { moderator: { grants: ["admin:messages"] } },
    rules: [
      { method: "GET", path: "/api/status", public: true },
      { method: "GET", path: "/api/messages", scopes: ["read:messages"] },
      { method: "DELETE", path: "/api/messages/:id", scopes: ["admin:messages"], roles: ["moderator"] },
    ],
  });
  function policyApp() {
    const auth = tollgate({ keys, issuer: ISSUER, audience: AUDIENCE, realm: "api", policy });
    const app = new Hono();
    app.use("/api/*", auth());
    app.get("/api/status", (c) => c.json({ public: c.get("tollgate").public === true }));
    app.get("/api/messages", (c) => c.json({ rule: c.get("tollgate").decision.rule.path, roles: c.get("tollgate").roles }));
    app.delete("/api/messages/:id", (c) => c.body(null, 204));
    return app;
  }

  test("a public rule needs no token; the others are decided by the policy", async () => {
    const app = policyApp();
    const status = await read(await app.request("/api/status"));
    assert.equal(status.status, 200, status.text);
    assert.deepEqual(status.json, { public: true });
    assert.equal((await app.request("/api/messages")).status, 401);
    const reader = await mint(key, { scope: "read:messages", roles: ["reader"] });
    const ok = await read(await app.request("/api/messages", bearer(reader)));
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.json, { rule: "/api/messages", roles: ["reader"] });
    // admin:messages without the moderator role: 403 from the policy, realm of the guard.
    const forged = await mint(key, { scope: "admin:messages" });
    const denied = await read(await app.request("/api/messages/1", { method: "DELETE", ...bearer(forged) }));
    assert.equal(denied.status, 403);
    assert.match(denied.headers.get("www-authenticate"), /^Bearer realm="api", error="insufficient_scope", .*scope="admin:messages"$/);
    const moderator = await mint(key, { scope: "admin:messages", roles: ["moderator"] });
    assert.equal((await app.request("/api/messages/1", { method: "DELETE", ...bearer(moderator) })).status, 204);
    // No rule for this route: the policy's default deny.
    const other = await read(await app.request("/api/other", bearer(reader)));
    assert.equal(other.status, 403);
    assert.equal(other.json.error, "insufficient_scope");
  });
});

describe("tollgate/hono with real hono, in Node", () => {
  test("no token: 401 with the bare challenge and no body", async () => {
    const app = messagesApp();
    for (const init of [{}, { headers: { Authorization: "Basic dTpw" } }]) {
      const res = await read(await app.request("/api/me", init));
      assert.equal(res.status, 401);
      assert.equal(res.headers.get("www-authenticate"), 'Bearer realm="api"');
      assert.equal(res.text, "");
    }
  });

  test("a bad token: 401 invalid_token, from the guard", async () => {
    const app = messagesApp();
    const good = await mint(key);
    const cases = {
      "a forged signature": `${good.slice(0, -4)}${good.slice(-4) === "AAAA" ? "BBBB" : "AAAA"}`,
      "a key the app does not trust": await mint(other),
      expired: await mint(key, { exp: Math.floor(Date.now() / 1000) - 600 }),
      "another audience": await mint(key, { aud: "https://another-api.example" }),
    };
    for (const [what, token] of Object.entries(cases)) {
      const res = await read(await app.request("/api/me", bearer(token)));
      assert.equal(res.status, 401, what);
      assert.match(res.headers.get("www-authenticate"), /^Bearer realm="api", error="invalid_token", error_description="/, what);
      assert.equal(res.json.error, "invalid_token", what);
      assert.equal(typeof res.json.error_description, "string");
      assert.ok(!res.text.includes(token), "the body never echoes the token");
    }
  });

  test("a valid token without the route's scope: 403 insufficient_scope with scope=", async () => {
    const app = messagesApp();
    const res = await read(await app.request("/api/messages", { method: "POST", body: '{"text":"hi"}', ...bearer(await mint(key)) }));
    assert.equal(res.status, 403);
    const challenge = res.headers.get("www-authenticate");
    assert.match(challenge, /^Bearer realm="api", error="insufficient_scope"/);
    assert.match(challenge, /scope="write:messages"/);
    assert.equal(res.json.error, "insufficient_scope");
  });

  test("a valid token: 200, and the handler reads the verified token from the context", async () => {
    const app = messagesApp();
    const token = await mint(key, { sub: "alice", scope: "read:messages profile" });
    const res = await read(await app.request("/api/me", bearer(token)));
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json, { sub: "alice", scopes: ["read:messages", "profile"], kid: "k1", tokenLength: token.length });
    assert.equal(TOLLGATE_VARIABLE, "tollgate");
  });

  test("scopes differ per route: the same token passes one route and gets 403 on another", async () => {
    const app = messagesApp();
    const reader = await mint(key, { sub: "reader", scope: "read:messages" });
    const writer = await mint(key, { sub: "writer", scope: "write:messages" });
    const owner = await mint(key, { sub: "owner", scope: "owner:messages" });
    const post = (token) => app.request("/api/messages", { method: "POST", body: JSON.stringify({ text: "hi" }), headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" } });

    assert.equal((await app.request("/api/messages", bearer(reader))).status, 200);
    const readerPost = await read(await post(reader));
    assert.equal(readerPost.status, 403);
    assert.match(readerPost.headers.get("www-authenticate"), /scope="write:messages"/);

    const writerGet = await read(await app.request("/api/messages", bearer(writer)));
    assert.equal(writerGet.status, 403);
    assert.match(writerGet.headers.get("www-authenticate"), /scope="read:messages"/);
    const writerPost = await read(await post(writer));
    assert.equal(writerPost.status, 201, writerPost.text);
    assert.deepEqual(writerPost.json, { text: "hi", author: "writer" });

    // scopeMode "any": either scope opens DELETE.
    assert.equal((await app.request("/api/messages/1", { method: "DELETE", ...bearer(owner) })).status, 204);
    const readerDelete = await read(await app.request("/api/messages/1", { method: "DELETE", ...bearer(reader) }));
    assert.equal(readerDelete.status, 403);
    assert.match(readerDelete.headers.get("www-authenticate"), /scope="admin:messages owner:messages"/);

    // Every protected route refuses a missing token the same way; public routes see no auth.
    for (const [method, path] of [["GET", "/api/messages"], ["POST", "/api/messages"], ["DELETE", "/api/messages/1"]]) {
      assert.equal((await app.request(path, { method })).status, 401, `${method} ${path}`);
    }
    assert.deepEqual(await (await app.request("/health")).json(), { ok: true, auth: null });
  });

  test("malformed requests: 400 invalid_request (a query token, a broken header)", async () => {
    const app = messagesApp();
    const token = await mint(key);
    for (const [path, init] of [
      [`/api/me?access_token=${token}`, {}],
      ["/api/me", { headers: { Authorization: "Bearer" } }],
      ["/api/me", { headers: { Authorization: `Bearer ${token} extra` } }],
    ]) {
      const res = await read(await app.request(path, init));
      assert.equal(res.status, 400, path);
      assert.match(res.headers.get("www-authenticate"), /^Bearer realm="api", error="invalid_request"/);
      assert.equal(res.json.error, "invalid_request");
    }
  });

  test("the prefix middleware and the route middleware verify the token once per request", async () => {
    let verifications = 0;
    // A per-issuer key source is consulted once per verification: it counts them.
    const counted = createIssuerKeys((iss) => {
      verifications++;
      return iss === ISSUER ? keys : undefined;
    });
    const app = messagesApp({ keys: counted, issuer: undefined });
    const token = await mint(key, { scope: "read:messages" });
    assert.equal((await app.request("/api/messages", bearer(token))).status, 200);
    assert.equal(verifications, 1, "the route's scope check reused the prefix middleware's result");
    assert.equal((await app.request("/api/messages", bearer(token))).status, 200);
    assert.equal(verifications, 2, "one per request, never cached across requests");
    // A scope failure is answered by the guard itself: 403 with its challenge.
    const res = await app.request("/api/messages", { method: "POST", ...bearer(token) });
    assert.equal(res.status, 403);
    assert.match(res.headers.get("www-authenticate"), /scope="write:messages"/);
  });

  test("per-route scopes replace the guard's requiredScopes, as in createVerifier", async () => {
    const auth = tollgate({ keys, issuer: ISSUER, audience: AUDIENCE, requiredScopes: ["base"] });
    const app = new Hono();
    app.use("/x/*", auth());
    app.get("/x/open", auth({ requiredScopes: [] }), (c) => c.text("open"));
    app.get("/x/base", (c) => c.text("base"));
    const plain = await mint(key, { scope: "read:messages" });
    assert.equal((await app.request("/x/base", bearer(plain))).status, 403);
    const both = await mint(key, { scope: "base read:messages" });
    assert.equal((await app.request("/x/base", bearer(both))).status, 200);
    assert.equal((await app.request("/x/open", bearer(both))).status, 200);

    const routeOnly = new Hono();
    routeOnly.get("/open", auth({ requiredScopes: [] }), (c) => c.text("open"));
    routeOnly.get("/guarded", auth(), (c) => c.text("guarded"));
    assert.equal((await routeOnly.request("/open", bearer(plain))).status, 200);
    const res = await routeOnly.request("/guarded", bearer(plain));
    assert.equal(res.status, 403);
    assert.match(res.headers.get("www-authenticate"), /scope="base"/);
  });

  test("mounted sub-apps and typed claims: c.get('tollgate') in a route of app.route()", async () => {
    const auth = tollgate({ keys, issuer: ISSUER, audience: AUDIENCE });
    const api = new Hono();
    api.use(auth());
    api.get("/whoami", (c) => c.text(c.get("tollgate").claims.sub));
    const app = new Hono().route("/v1", api);
    const res = await app.request("/v1/whoami", bearer(await mint(key, { sub: "bob" })));
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "bob");
  });

  test("settings from the bindings: the function runs once, on the first request", async () => {
    let calls = 0;
    const auth = tollgate((env) => {
      calls++;
      return { keys: KeySet.fromJwks(env.JWKS), issuer: env.ISSUER, audience: env.AUDIENCE };
    });
    assert.equal(calls, 0, "nothing runs at module scope");
    const app = new Hono();
    app.get("/me", auth({ requiredScopes: ["read:messages"] }), (c) => c.text(c.get("tollgate").claims.sub));
    const env = { JWKS: JSON.stringify(jwksOf(key)), ISSUER, AUDIENCE };
    const token = await mint(key);
    for (let i = 0; i < 3; i++) assert.equal((await app.request("/me", bearer(token), env)).status, 200);
    assert.equal(calls, 1);
  });

  test("headers set by earlier middleware stay on the guard's answer; cors() answers preflights", async () => {
    const app = new Hono();
    app.use("/api/*", cors({ origin: "https://app.example" }));
    app.use("/api/*", tollgate({ keys, issuer: ISSUER, audience: AUDIENCE, realm: "api" })());
    app.get("/api/me", (c) => c.text("me"));
    const denied = await app.request("/api/me", { headers: { Origin: "https://app.example" } });
    assert.equal(denied.status, 401);
    assert.equal(denied.headers.get("access-control-allow-origin"), "https://app.example");
    assert.equal(denied.headers.get("www-authenticate"), 'Bearer realm="api"');
    const preflight = await app.request("/api/me", {
      method: "OPTIONS",
      headers: { Origin: "https://app.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization" },
    });
    assert.equal(preflight.status, 204);
  });

  test("keys that cannot be loaded: 503 temporarily_unavailable with Retry-After, no challenge", async () => {
    // A port that was free a moment ago and that nobody listens on: the fetch is refused.
    const port = await freePort();
    const remote = createRemoteKeySet(`http://127.0.0.1:${port}/jwks.json`, { timeoutDuration: 2_000, cooldownDuration: 5_000 });
    const app = new Hono();
    app.get("/me", tollgate({ keys: remote, issuer: ISSUER, audience: AUDIENCE })(), (c) => c.text("me"));
    const res = await read(await app.request("/me", bearer(await mint(key))));
    assert.equal(res.status, 503, res.text);
    assert.equal(res.headers.get("retry-after"), "5");
    assert.equal(res.headers.get("www-authenticate"), null);
    assert.equal(res.json.error, "temporarily_unavailable");
  });

  test("misuse is a TypeError when the app is built, not a 401 per request", () => {
    assert.throws(() => tollgate({ keys, issuer: ISSUER, audiance: AUDIENCE }), { name: "TypeError", code: "ERR_INVALID_ARG" });
    assert.throws(() => tollgate(), { name: "TypeError", code: "ERR_INVALID_ARG" });
    const auth = tollgate({ keys, issuer: ISSUER, audience: AUDIENCE });
    assert.throws(() => auth({ requiredScope: ["read:messages"] }), { code: "ERR_INVALID_ARG", message: /requiredScope/ });
    assert.throws(() => auth({ requiredScopes: "read:messages" }), { code: "ERR_INVALID_ARG" });
    assert.throws(() => auth({ scopeMode: "some" }), { code: "ERR_INVALID_ARG" });
  });

  test("app.use(path, auth) without the call fails closed with a clear error", async () => {
    const auth = tollgate({ keys, issuer: ISSUER, audience: AUDIENCE });
    const app = new Hono();
    let caught;
    app.onError((err, c) => {
      caught = err;
      return c.text("error", 500);
    });
    app.use("/api/*", auth);
    app.get("/api/me", (c) => c.text("me"));
    const res = await app.request("/api/me", bearer(await mint(key)));
    assert.equal(res.status, 500);
    assert.equal(caught.code, "ERR_INVALID_ARG");
    assert.match(caught.message, /auth\(\)/);
  });
});
