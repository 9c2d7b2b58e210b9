// tollgate/hono with API keys and Basic credentials beside JWTs (real `hono`, app.request):
// the guard's answers unchanged, per-route scopes, the credential on the context, and a
// policy deciding on a key as on a token.

import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Hono } from "hono";
import { Policy } from "../../pkg/policy-node.js"; // the full module: credentials and policy
import { ApiKeyCatalog, BasicCredentials, KeySet, hashPassword, mintApiKey } from "../../pkg/node.js";
import { tollgate } from "../../pkg/hono.js";
import { AUDIENCE, ISSUER, jwksOf, makeKey, mint } from "../edge/helpers.mjs";

const ORIGIN = "https://api.example";
const reader = mintApiKey({ random: randomBytes(96), id: "reader1" });
const CATALOG = { version: 1, keys: [{ id: reader.id, sha256: reader.sha256, scopes: ["read:messages"], owner: "team-a", expires: null }] };
const USERS = { version: 1, users: [{ username: "alice", ...hashPassword("correct horse"), scopes: ["read:messages", "write:messages"] }] };
const basicOf = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

let app;
let key;

before(async () => {
  key = await makeKey("k1");
  const apiKeys = ApiKeyCatalog.fromJson(CATALOG, { realm: "api" });
  const basic = BasicCredentials.fromJson(USERS);
  const auth = tollgate({ keys: KeySet.fromJwks(jwksOf(key)), issuer: ISSUER, audience: AUDIENCE, realm: "api", apiKeys, basic });
  const policed = tollgate({
    apiKeys,
    policy: Policy.fromJson({
      version: 1,
      scopes: { "read:messages": {}, "write:messages": {} },
      rules: [
        { method: "GET", path: "/policed/messages", scopes: ["read:messages"] },
        { method: "POST", path: "/policed/messages", scopes: ["write:messages"] },
      ],
    }),
  });
  app = new Hono();
  const who = (c) => {
    const { subject, credential, scopes, token } = c.get("tollgate");
    return c.json({ subject, kind: credential.kind, scopes, token: token ?? null });
  };
  app.get("/messages", auth({ requiredScopes: ["read:messages"] }), who);
  app.post("/messages", auth({ requiredScopes: ["write:messages"] }), who);
  app.get("/policed/messages", policed(), who);
  app.post("/policed/messages", policed(), who);
});

async function call(method, path, headers = {}) {
  const res = await app.request(`${ORIGIN}${path}`, { method, headers });
  const text = await res.text();
  return { status: res.status, challenge: res.headers.get("www-authenticate"), json: text ? JSON.parse(text) : undefined };
}

describe("tollgate/hono with apiKeys and basic", () => {
  test("an API key, Basic credentials and a JWT reach the handler with their kind", async () => {
    assert.deepEqual((await call("GET", "/messages", { "X-API-Key": reader.key })).json, {
      subject: "reader1",
      kind: "apikey",
      scopes: ["read:messages"],
      token: null,
    });
    assert.deepEqual((await call("POST", "/messages", { Authorization: basicOf("alice", "correct horse") })).json, {
      subject: "alice",
      kind: "basic",
      scopes: ["read:messages", "write:messages"],
      token: null,
    });
    const jwt = await mint(key, { scope: "read:messages" });
    const viaJwt = await call("GET", "/messages", { Authorization: `Bearer ${jwt}` });
    assert.deepEqual([viaJwt.json.kind, viaJwt.json.token], ["jwt", jwt]);
  });

  test("the route's scopes, wrong secrets, two credentials and none are the guard's answers", async () => {
    const short = await call("POST", "/messages", { "X-API-Key": reader.key });
    assert.equal(short.status, 403);
    assert.match(short.challenge, /^ApiKey realm="api", error="insufficient_scope"/);
    const forged = mintApiKey({ random: randomBytes(96), id: reader.id }).key;
    assert.equal((await call("GET", "/messages", { Authorization: `ApiKey ${forged}` })).status, 401);
    assert.equal((await call("GET", "/messages", { Authorization: basicOf("alice", "nope") })).status, 401);
    const two = await call("GET", "/messages", { "X-API-Key": reader.key, Authorization: basicOf("alice", "correct horse") });
    assert.deepEqual([two.status, two.json.error], [400, "invalid_request"]);
    const none = await call("GET", "/messages");
    assert.equal(none.status, 401);
    assert.equal(none.challenge, 'Bearer realm="api", Basic realm="api", charset="UTF-8", ApiKey realm="api"');
  });

  test("with a policy, the policy decides on the key", async () => {
    assert.equal((await call("GET", "/policed/messages", { "X-API-Key": reader.key })).status, 200);
    const denied = await call("POST", "/policed/messages", { "X-API-Key": reader.key });
    assert.deepEqual([denied.status, denied.json.error], [403, "insufficient_scope"]);
  });
});
