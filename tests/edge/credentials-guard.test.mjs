// createGuard with API keys (ApiKeyCatalog) and Basic credentials (BasicCredentials) beside
// JWTs: routing by header, the one verified result, the route's scopes and the policy
// applied to every credential, one call into the wasm per request, refusals with their
// codes and challenges, and the guard-level attacks on them.

import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Policy } from "../../pkg/policy-node.js"; // the full module: credentials and policy
import { ApiKeyCatalog, BasicCredentials, KeySet, createGuard, hashPassword, mintApiKey } from "../../pkg/node.js";
import { AUDIENCE, ISSUER, jwksOf, makeKey, mint, readResponse, callsDuring } from "./helpers.mjs";

const T0 = 1_700_000_000;
const AT = { now: T0 };
const ORIGIN = "https://api.example";

const POLICY = {
  version: 1,
  roleClaim: "roles",
  scopes: { "read:messages": {}, "write:messages": { implies: ["read:messages"] } },
  roles: { bot: {} },
  rules: [
    { method: "GET", path: "/health", public: true },
    { method: "GET", path: "/messages/**", scopes: ["read:messages"] },
    { method: "POST", path: "/messages/:id", scopes: ["write:messages"] },
  ],
  default: "deny",
};

const keyOf = (id) => mintApiKey({ random: randomBytes(96), id });
const reader = keyOf("reader1");
const writer = keyOf("writer1");
const expired = keyOf("old1");
const CATALOG = {
  version: 1,
  keys: [
    { id: reader.id, sha256: reader.sha256, scopes: ["read:messages"], roles: ["bot"], owner: "team-a", expires: T0 + 100 },
    { id: writer.id, sha256: writer.sha256, scopes: ["write:messages"], owner: "team-b", expires: null },
    { id: expired.id, sha256: expired.sha256, scopes: ["read:messages"], expires: T0 - 1 },
  ],
};
// One PBKDF2 hash at the minimum iterations: every Basic check costs one (docs/credentials.md).
const ALICE = hashPassword("correct horse", { salt: new Uint8Array(16).fill(7) });
const USERS = { version: 1, users: [{ username: "alice", ...ALICE, scopes: ["read:messages"], roles: ["ops"] }] };
const basicOf = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

let apiKeys;
let basic;
let jwtKey;
let keys;

before(async () => {
  apiKeys = ApiKeyCatalog.fromJson(CATALOG, { realm: "api" });
  basic = BasicCredentials.fromJson(USERS, { realm: "staff" });
  jwtKey = await makeKey("k1");
  keys = KeySet.fromJwks(jwksOf(jwtKey));
});

const req = (method, path, headers = {}, origin = ORIGIN) => new Request(`${origin}${path}`, { method, headers });

async function expectRefused(result, { status, code, challenge }) {
  assert.equal(result.ok, false, "expected a refusal");
  assert.deepEqual([result.status, result.code], [status, code]);
  const res = await readResponse(result.response);
  assert.equal(res.status, status);
  const header = res.headers.get("www-authenticate");
  if (challenge === null) assert.equal(header, null);
  else if (challenge instanceof RegExp) assert.match(header, challenge);
  else if (challenge !== undefined) assert.equal(header, challenge);
  return res;
}


describe("createGuard({ apiKeys, basic })", () => {
  test("an API key in X-API-Key and in Authorization: ApiKey ends in the verified result", async () => {
    const guard = createGuard({ apiKeys });
    for (const headers of [{ "X-API-Key": reader.key }, { Authorization: `ApiKey ${reader.key}` }]) {
      const result = await guard.authorize(req("GET", "/messages/1", headers), AT);
      assert.equal(result.ok, true, result.description);
      assert.equal(result.subject, reader.id);
      assert.deepEqual(result.scopes, ["read:messages"]);
      assert.deepEqual(result.roles, ["bot"]);
      assert.equal(result.credential.kind, "apikey");
      assert.equal(result.credential.id, reader.id);
      assert.equal(result.claims.sub, reader.id);
      assert.equal(result.token, undefined, "the key is never echoed");
      assert.ok(!JSON.stringify(result).includes(reader.key.split("_")[2]), "no secret in the result");
    }
  });

  test("the catalog's own header name is where the guard looks", async () => {
    const custom = ApiKeyCatalog.fromJson(CATALOG, { header: "X-Token" });
    const guard = createGuard({ apiKeys: custom });
    assert.equal((await guard.authorize(req("GET", "/", { "X-Token": reader.key }), AT)).ok, true);
    await expectRefused(await guard.authorize(req("GET", "/", { "X-API-Key": reader.key }), AT), { status: 401, code: "ERR_NO_CREDENTIALS", challenge: "ApiKey" });
  });

  test("Basic credentials end in the same result", async () => {
    const guard = createGuard({ basic });
    const result = await guard.authorize(req("GET", "/messages/1", { Authorization: basicOf("alice", "correct horse") }), AT);
    assert.equal(result.ok, true, result.description);
    assert.equal(result.subject, "alice");
    assert.deepEqual(result.credential, { kind: "basic", username: "alice" });
    assert.deepEqual(result.scopes, ["read:messages"]);
  });

  test("attack: an API key with a valid prefix and id but a wrong secret is a 401", async () => {
    const guard = createGuard({ apiKeys });
    // The same prefix and id, another secret with a valid checksum: only the hash tells them apart.
    const forged = mintApiKey({ random: randomBytes(96), id: reader.id }).key;
    assert.notEqual(forged, reader.key);
    const res = await expectRefused(await guard.authorize(req("GET", "/", { "X-API-Key": forged }), AT), {
      status: 401,
      code: "ERR_APIKEY_INVALID",
      challenge: /^ApiKey realm="api", error="invalid_token"/,
    });
    assert.ok(!res.text.includes(forged), "the key is not echoed");
    // An unknown id answers alike.
    const unknown = keyOf("nobody1").key;
    const other = await guard.authorize(req("GET", "/", { "X-API-Key": unknown }), AT);
    assert.deepEqual([other.status, other.code, other.description], [401, "ERR_APIKEY_INVALID", (await guard.authorize(req("GET", "/", { "X-API-Key": forged }), AT)).description]);
  });

  test("an expired key is a 401, a wrong password is a 401 with Basic's challenge", async () => {
    await expectRefused(await createGuard({ apiKeys }).authorize(req("GET", "/", { "X-API-Key": expired.key }), AT), {
      status: 401,
      code: "ERR_APIKEY_EXPIRED",
      challenge: /^ApiKey realm="api", error="invalid_token"/,
    });
    await expectRefused(await createGuard({ basic }).authorize(req("GET", "/", { Authorization: basicOf("alice", "wrong") }), AT), {
      status: 401,
      code: "ERR_BASIC_INVALID",
      challenge: 'Basic realm="staff", charset="UTF-8"',
    });
  });

  test("the route's requiredScopes and requiredRoles apply: a missing scope is a 403", async () => {
    const guard = createGuard({ apiKeys, basic });
    const need = { ...AT, requiredScopes: ["write:messages"] };
    await expectRefused(await guard.authorize(req("GET", "/", { "X-API-Key": reader.key }), need), {
      status: 403,
      code: "ERR_JWT_INSUFFICIENT_SCOPE",
      challenge: /^ApiKey realm="api", error="insufficient_scope".*scope="write:messages"/,
    });
    assert.equal((await guard.authorize(req("GET", "/", { "X-API-Key": writer.key }), need)).ok, true);
    await expectRefused(await guard.authorize(req("GET", "/", { "X-API-Key": writer.key }), { ...AT, requiredRoles: ["bot"] }), {
      status: 403,
      code: "ERR_JWT_INSUFFICIENT_ROLE",
    });
    // Basic: a 403 never invites the password again (RFC 7617).
    await expectRefused(await guard.authorize(req("GET", "/", { Authorization: basicOf("alice", "correct horse") }), need), {
      status: 403,
      code: "ERR_JWT_INSUFFICIENT_SCOPE",
      challenge: null,
    });
    // The guard's own requiredScopes apply to every credential too.
    const strict = createGuard({ apiKeys, requiredScopes: ["write:messages"] });
    assert.equal((await strict.authorize(req("GET", "/", { "X-API-Key": reader.key }), AT)).status, 403);
  });

  test("two credentials in one request are a 400", async () => {
    const guard = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, apiKeys, basic });
    const token = await mint(jwtKey);
    for (const headers of [
      { "X-API-Key": reader.key, Authorization: `ApiKey ${writer.key}` },
      { "X-API-Key": reader.key, Authorization: `Bearer ${token}` },
      { "X-API-Key": reader.key, Authorization: basicOf("alice", "correct horse") },
    ]) {
      const result = await guard.authorize(req("GET", "/", headers), AT);
      await expectRefused(result, { status: 400, code: "ERR_INVALID_REQUEST", challenge: /error="invalid_request"/ });
      assert.equal(result.reason, "multiple_methods");
    }
    const both = await guard.authorize(req("GET", `/?access_token=${token}`, { "X-API-Key": reader.key }), AT);
    assert.deepEqual([both.status, both.reason], [400, "multiple_methods"]);
  });

  test("attack: Basic and API keys over plain http: are a 400 without a challenge", async () => {
    const guard = createGuard({ apiKeys, basic });
    const plain = "http://api.example";
    for (const headers of [{ "X-API-Key": reader.key }, { Authorization: basicOf("alice", "correct horse") }, {}]) {
      await expectRefused(await guard.authorize(req("GET", "/", headers, plain), AT), { status: 400, code: "ERR_INSECURE_TRANSPORT", challenge: null });
    }
    // Loopback is a secure context (as for Basic); allowInsecure opens plain http: deliberately.
    assert.equal((await guard.authorize(req("GET", "/", { "X-API-Key": reader.key }, "http://127.0.0.1:8787"), AT)).ok, true);
    const open = createGuard({ apiKeys, allowInsecure: true });
    assert.equal((await open.authorize(req("GET", "/", { "X-API-Key": reader.key }, plain), AT)).ok, true);
  });

  test("no credential: a 401 whose challenge offers every configured scheme", async () => {
    const all = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, realm: "api", apiKeys, basic, dpop: true });
    const res = await expectRefused(await all.authorize(req("GET", "/"), AT), { status: 401, code: "ERR_NO_CREDENTIALS" });
    assert.match(res.headers.get("www-authenticate"), /^Bearer realm="api", DPoP realm="api", algs="[^"]+", Basic realm="api", charset="UTF-8", ApiKey realm="api"$/);
    const onlyBasic = await createGuard({ basic }).authorize(req("GET", "/"), AT);
    await expectRefused(onlyBasic, { status: 401, code: "ERR_NO_CREDENTIALS", challenge: 'Basic realm="staff", charset="UTF-8"' });
    // A scheme the guard was not given is no credential.
    const keysOnly = createGuard({ apiKeys });
    await expectRefused(await keysOnly.authorize(req("GET", "/", { Authorization: basicOf("alice", "correct horse") }), AT), {
      status: 401,
      code: "ERR_NO_CREDENTIALS",
      challenge: "ApiKey",
    });
    await expectRefused(await keysOnly.authorize(req("GET", "/", { Authorization: `Bearer ${await mint(jwtKey)}` }), AT), {
      status: 401,
      code: "ERR_NO_CREDENTIALS",
      challenge: "ApiKey",
    });
  });

  test("a JWT still works beside them", async () => {
    const guard = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, apiKeys, basic });
    const result = await guard.authorize(req("GET", "/", { Authorization: `Bearer ${await mint(jwtKey)}` }));
    assert.equal(result.ok, true, result.description);
    assert.equal(result.credential.kind, "jwt");
    assert.equal(result.subject, "user-1");
  });

  test("options: apiKeys and basic must be the package's classes; allowInsecure a boolean", () => {
    assert.throws(() => createGuard({ apiKeys: CATALOG }), { code: "ERR_INVALID_ARG" });
    assert.throws(() => createGuard({ basic: USERS }), { code: "ERR_INVALID_ARG" });
    assert.throws(() => createGuard({ apiKeys, allowInsecure: "yes" }), { code: "ERR_INVALID_ARG" });
    assert.throws(() => createGuard({}), { code: "ERR_INVALID_ARG" });
  });
});

describe("createGuard({ apiKeys, basic, policy })", () => {
  let guard;
  before(() => {
    guard = createGuard({ apiKeys, basic, policy: Policy.fromJson(POLICY) });
  });

  test("the policy decides on a credential as on a token, in one call into the wasm", async () => {
    const read = await callsDuring(() => guard.authorize(req("GET", "/messages/1", { "X-API-Key": reader.key }), AT));
    assert.equal(read.result.ok, true, read.result.description);
    assert.equal(read.result.decision.allow, true);
    assert.equal(read.calls, 1);

    const denied = await callsDuring(() => guard.authorize(req("POST", "/messages/1", { "X-API-Key": reader.key }), AT));
    // The policy's refusal, answered in the credential's scheme.
    await expectRefused(denied.result, {
      status: 403,
      code: "ERR_JWT_INSUFFICIENT_SCOPE",
      challenge: /^ApiKey realm="api", error="insufficient_scope".*scope="write:messages"/,
    });
    assert.equal(denied.result.decision.allow, false);
    assert.equal(denied.calls, 1);

    // write:messages implies read:messages in the policy.
    assert.equal((await guard.authorize(req("POST", "/messages/1", { "X-API-Key": writer.key }), AT)).ok, true);
    assert.equal((await guard.authorize(req("GET", "/messages/1", { "X-API-Key": writer.key }), AT)).ok, true);

    const basicRead = await callsDuring(() => guard.authorize(req("GET", "/messages/1", { Authorization: basicOf("alice", "correct horse") }), AT));
    assert.equal(basicRead.result.ok, true, basicRead.result.description);
    assert.equal(basicRead.calls, 1);
    const basicDenied = await callsDuring(() => guard.authorize(req("POST", "/messages/1", { Authorization: basicOf("alice", "correct horse") }), AT));
    await expectRefused(basicDenied.result, { status: 403, code: "ERR_JWT_INSUFFICIENT_SCOPE", challenge: null });
    assert.equal(basicDenied.calls, 1);
  });

  test("a public route looks at no credential; a refused one is refused before the policy", async () => {
    const open = await guard.authorize(req("GET", "/health", { "X-API-Key": expired.key }), AT);
    assert.deepEqual([open.ok, open.public], [true, true]);
    await expectRefused(await guard.authorize(req("GET", "/messages/1", { "X-API-Key": expired.key }), AT), { status: 401, code: "ERR_APIKEY_EXPIRED" });
    await expectRefused(await guard.authorize(req("GET", "/messages/1"), AT), { status: 401, code: "ERR_NO_CREDENTIALS" });
    await expectRefused(await guard.authorize(req("GET", "/nowhere", { "X-API-Key": reader.key }), AT), { status: 403, code: "ERR_POLICY_NO_MATCHING_RULE" });
  });
});
