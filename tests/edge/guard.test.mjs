// createGuard: RFC 6750 §2 (where the token is) and §3 (the answer), with exact
// statuses, headers and bodies; then the guard over a RemoteKeySet (rotation, a flood of
// unknown kids, key-server failures → 503).

import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { KeySet, createGuard, createRemoteKeySet } from "../../pkg/node.js";
import { AUDIENCE, ISSUER, REALM, jwksOf, makeKey, manualClock, mint, readResponse, startKeyServer } from "./helpers.mjs";

let k1;
let k2;
let stranger;
let guard;
let token;

before(async () => {
  [k1, k2, stranger] = await Promise.all([makeKey("k1"), makeKey("k2"), makeKey("k1")]);
  guard = createGuard({ keys: KeySet.fromJwks(jwksOf(k1)), issuer: ISSUER, audience: AUDIENCE, realm: REALM });
  token = await mint(k1, { scope: "read:messages write:messages" });
});

const URL_ = "https://api.example/messages";

function get(headers = {}, url = URL_) {
  return new Request(url, { headers });
}

function post(body, headers = {}, url = URL_) {
  return new Request(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
    body,
  });
}

async function expectBare401(result) {
  assert.equal(result.ok, false);
  assert.equal(result.status, 401);
  assert.equal(result.code, "ERR_NO_CREDENTIALS");
  assert.equal(result.error, undefined);
  const res = await readResponse(result.response);
  assert.equal(res.status, 401);
  assert.equal(res.headers.get("www-authenticate"), `Bearer realm="${REALM}"`);
  assert.equal(res.headers.get("content-type"), null);
  assert.equal(res.text, "", "RFC 6750 §3.1: no error information");
}

async function expect400(result, reason, description) {
  assert.equal(result.ok, false);
  assert.equal(result.status, 400);
  assert.equal(result.code, "ERR_INVALID_REQUEST");
  assert.equal(result.error, "invalid_request");
  assert.equal(result.reason, reason);
  if (description !== undefined) assert.equal(result.description, description);
  const res = await readResponse(result.response);
  assert.equal(res.status, 400);
  assert.equal(
    res.headers.get("www-authenticate"),
    `Bearer realm="${REALM}", error="invalid_request", error_description="${result.description}"`,
  );
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.deepEqual(res.json, { error: "invalid_request", error_description: result.description });
  assert.doesNotMatch(result.description, /["\\]/, "error_description must be a valid quoted-string body");
}

function expectOk(result, expectedToken = token) {
  assert.equal(result.ok, true, result.description);
  assert.equal(result.token, expectedToken);
  assert.equal(result.claims.sub, "user-1");
  assert.equal(result.header.kid, "k1");
  assert.ok(Array.isArray(result.scopes));
}

describe("guard: where the token is (RFC 6750 §2)", () => {
  test("a valid Authorization: Bearer token", async () => {
    const result = await guard.authorize(get({ Authorization: `Bearer ${token}` }));
    expectOk(result);
    assert.deepEqual(result.scopes, ["read:messages", "write:messages"]);
    assert.equal(result.claims.iss, ISSUER);
    assert.equal(result.response, undefined);
  });

  test("the scheme is case-insensitive: bearer, BEARER, bEaReR", async () => {
    for (const scheme of ["bearer", "BEARER", "bEaReR"]) {
      expectOk(await guard.authorize(get({ Authorization: `${scheme} ${token}` })));
    }
  });

  test("1*SP between scheme and token is valid syntax (RFC 6750 §2.1)", async () => {
    expectOk(await guard.authorize({ method: "GET", url: URL_, headers: { authorization: `Bearer   ${token}` } }));
  });

  test("no credentials: 401 with the bare challenge, no error attribute (§3.1)", async () => {
    await expectBare401(await guard.authorize(get()));
  });

  test("another scheme (Basic, Digest, DPoP) is no bearer credentials: bare 401", async () => {
    for (const value of ["Basic YWxpY2U6c2VjcmV0", "Digest username=x", `DPoP ${token}`, "Bearer,foo"]) {
      await expectBare401(await guard.authorize(get({ Authorization: value })));
    }
  });

  test("an empty Authorization header is no credentials", async () => {
    await expectBare401(await guard.authorize({ url: URL_, headers: { Authorization: "" } }));
    await expectBare401(await guard.authorize({ url: URL_, headers: { Authorization: "   " } }));
  });

  test("Bearer with no token: 400 invalid_request", async () => {
    await expect400(await guard.authorize(get({ Authorization: "Bearer" })), "malformed_authorization", "the Bearer scheme needs a token");
    await expect400(await guard.authorize({ url: URL_, headers: { Authorization: "Bearer " } }), "malformed_authorization");
  });

  test("Bearer with extra parts: 400 invalid_request", async () => {
    await expect400(
      await guard.authorize(get({ Authorization: `Bearer ${token} extra` })),
      "malformed_authorization",
      "malformed Authorization header: expected Bearer, a space and one token",
    );
    await expect400(await guard.authorize(get({ Authorization: `Bearer\t${token}` })), "malformed_authorization");
    await expect400(await guard.authorize(get({ Authorization: `Bearer ${token}, Bearer ${token}` })), "malformed_authorization");
  });

  test("characters outside b64token: 400 invalid_request", async () => {
    for (const bad of ["abc@def", "a=b", "x%20y", "tok;en", "===", "a,b"]) {
      await expect400(
        await guard.authorize(get({ Authorization: `Bearer ${bad}` })),
        "malformed_authorization",
        "the bearer token has characters outside the b64token syntax (RFC 6750 section 2.1)",
      );
    }
  });

  test("two Authorization headers (plain object with an array): 400", async () => {
    await expect400(
      await guard.authorize({ url: URL_, headers: { authorization: [`Bearer ${token}`, `Bearer ${token}`] } }),
      "malformed_authorization",
      "more than one Authorization header",
    );
  });

  test("access_token in the query: 400 invalid_request unless allowTokenInQuery (§2.3)", async () => {
    await expect400(
      await guard.authorize(get({}, `${URL_}?access_token=${token}`)),
      "token_in_query",
      "access tokens in the URI query are not accepted: send an Authorization: Bearer header (RFC 6750 section 2.3)",
    );
  });

  test("access_token in a form body: 400 invalid_request unless allowTokenInBody (§2.2)", async () => {
    const request = post(`access_token=${token}&x=1`);
    await expect400(
      await guard.authorize(request),
      "token_in_body",
      "access tokens in the request body are not accepted: send an Authorization: Bearer header (RFC 6750 section 2.2)",
    );
    assert.equal(await request.text(), `access_token=${token}&x=1`, "the handler can still read the body");
  });

  test("header and query, or header and body: 400 invalid_request (§2: one method only)", async () => {
    const description = "the access token was sent in more than one way: use only the Authorization header (RFC 6750 section 2)";
    await expect400(
      await guard.authorize(get({ Authorization: `Bearer ${token}` }, `${URL_}?access_token=${token}`)),
      "multiple_methods",
      description,
    );
    await expect400(await guard.authorize(post(`access_token=${token}`, { Authorization: `Bearer ${token}` })), "multiple_methods", description);
  });

  test("a form body without access_token, or a JSON body, is not a credential", async () => {
    expectOk(await guard.authorize(post("text=hello", { Authorization: `Bearer ${token}` })));
    const json = new Request(URL_, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ access_token: token }),
    });
    expectOk(await guard.authorize(json));
  });

  test("headers as a Headers, a plain object (any case) or [name, value] pairs", async () => {
    expectOk(await guard.authorize({ method: "GET", url: URL_, headers: new Headers({ Authorization: `Bearer ${token}` }) }));
    expectOk(await guard.authorize({ method: "GET", url: URL_, headers: { AUTHORIZATION: `Bearer ${token}` } }));
    expectOk(await guard.authorize({ method: "GET", url: URL_, headers: [["authorization", `Bearer ${token}`]] }));
    expectOk(await guard.authorize({ url: "/messages", headers: { authorization: `Bearer ${token}` } }), token);
  });
});

describe("guard: risky options", () => {
  let lenient;
  before(() => {
    lenient = createGuard({
      keys: KeySet.fromJwks(jwksOf(k1)),
      issuer: ISSUER,
      audience: AUDIENCE,
      realm: REALM,
      allowTokenInQuery: true,
      allowTokenInBody: true,
    });
  });

  test("allowTokenInQuery reads access_token from the query", async () => {
    expectOk(await lenient.authorize(get({}, `${URL_}?access_token=${token}`)));
  });

  test("allowTokenInBody reads it from a form-encoded POST body (Request, string, URLSearchParams)", async () => {
    expectOk(await lenient.authorize(post(`x=1&access_token=${token}`)));
    const headers = { "content-type": "application/x-www-form-urlencoded; charset=utf-8" };
    expectOk(await lenient.authorize({ method: "POST", url: URL_, headers, body: `access_token=${token}` }));
    expectOk(await lenient.authorize({ method: "POST", url: URL_, headers, body: new URLSearchParams({ access_token: token }) }));
  });

  test("never from a GET body, nor from a non-form body", async () => {
    const headers = { "content-type": "application/x-www-form-urlencoded" };
    await expectBare401(await lenient.authorize({ method: "GET", url: URL_, headers, body: `access_token=${token}` }));
    await expectBare401(
      await lenient.authorize({ method: "POST", url: URL_, headers: { "content-type": "text/plain" }, body: `access_token=${token}` }),
    );
  });

  test("still one method only, one token only, b64token only", async () => {
    await expect400(await lenient.authorize(get({}, `${URL_}?access_token=${token}&access_token=${token}`)), "multiple_tokens");
    await expect400(await lenient.authorize(post(`access_token=${token}`, {}, `${URL_}?access_token=${token}`)), "multiple_methods");
    await expect400(await lenient.authorize(get({}, `${URL_}?access_token=a%20b`)), "malformed_token");
    await expect400(await lenient.authorize(get({}, `${URL_}?access_token=`)), "malformed_token");
  });
});

describe("guard: token errors (RFC 6750 §3)", () => {
  async function expectTokenError(result, status, code, rfcError) {
    assert.equal(result.ok, false);
    assert.equal(result.status, status);
    assert.equal(result.code, code);
    assert.equal(result.error, rfcError);
    assert.equal(result.cause?.code, code);
    const res = await readResponse(result.response);
    assert.equal(res.status, status);
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.deepEqual(res.json, { error: rfcError, error_description: result.description });
    assert.doesNotMatch(res.text, /eyJ/, "the token is never echoed");
    return res;
  }

  test("expired: 401 invalid_token with the core's challenge", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await mint(k1, { iat: now - 7200, exp: now - 3600 });
    const res = await expectTokenError(await guard.authorize(get({ Authorization: `Bearer ${expired}` })), 401, "ERR_JWT_EXPIRED", "invalid_token");
    assert.equal(
      res.headers.get("www-authenticate"),
      `Bearer realm="${REALM}", error="invalid_token", error_description="token expired (exp claim check failed)"`,
    );
    assert.equal(res.json.error_description, "token expired (exp claim check failed)");
  });

  test("signed by another key with the same kid: 401 ERR_JWS_SIGNATURE_VERIFICATION_FAILED", async () => {
    const forged = await mint(stranger);
    await expectTokenError(await guard.authorize(get({ Authorization: `Bearer ${forged}` })), 401, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "invalid_token");
  });

  test("not a JWS: 401 ERR_JWS_INVALID", async () => {
    const res = await expectTokenError(await guard.authorize(get({ Authorization: "Bearer abc.def" })), 401, "ERR_JWS_INVALID", "invalid_token");
    assert.match(res.headers.get("www-authenticate"), /^Bearer realm="api", error="invalid_token", error_description="/);
  });

  test("wrong audience: 401 ERR_JWT_CLAIM_VALIDATION_FAILED", async () => {
    const other = await mint(k1, { aud: "https://other.example" });
    const result = await guard.authorize(get({ Authorization: `Bearer ${other}` }));
    await expectTokenError(result, 401, "ERR_JWT_CLAIM_VALIDATION_FAILED", "invalid_token");
    assert.equal(result.cause.claim, "aud");
  });

  test("missing scope: 403 insufficient_scope with scope=", async () => {
    const readOnly = await mint(k1, { scope: "read:messages" });
    const result = await guard.authorize(get({ Authorization: `Bearer ${readOnly}` }), { requiredScopes: ["write:messages"] });
    const res = await expectTokenError(result, 403, "ERR_JWT_INSUFFICIENT_SCOPE", "insufficient_scope");
    assert.equal(
      res.headers.get("www-authenticate"),
      `Bearer realm="${REALM}", error="insufficient_scope", error_description="token lacks required scope: write:messages", scope="write:messages"`,
    );
    assert.deepEqual(result.cause.missing, ["write:messages"]);
  });

  test("requiredScopes with scopeMode any", async () => {
    const readOnly = await mint(k1, { scope: "read:messages" });
    const request = () => get({ Authorization: `Bearer ${readOnly}` });
    assert.equal((await guard.authorize(request(), { requiredScopes: ["read:messages", "admin"], scopeMode: "any" })).ok, true);
    assert.equal((await guard.authorize(request(), { requiredScopes: ["read:messages", "admin"] })).status, 403);
  });

  test("a DPoP- or certificate-bound token sent as Bearer: 401 ERR_JWT_SENDER_CONSTRAINED, not 200", async () => {
    for (const cnf of [{ jkt: "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I" }, { "x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2" }]) {
      const bound = await mint(k1, { scope: "read:messages", cnf });
      const result = await guard.authorize(get({ Authorization: `Bearer ${bound}` }));
      const res = await expectTokenError(result, 401, "ERR_JWT_SENDER_CONSTRAINED", "invalid_token");
      assert.match(res.headers.get("www-authenticate"), new RegExp(`^Bearer realm="${REALM}", error="invalid_token", error_description="token is bound to`));
      assert.equal(result.cause.binding, "jkt" in cnf ? "dpop" : "mtls");
    }
    const waived = createGuard({
      keys: KeySet.fromJwks(jwksOf(k1)), issuer: ISSUER, audience: AUDIENCE, dangerouslyIgnoreTokenBinding: true,
    });
    const bound = await mint(k1, { cnf: { jkt: "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I" } });
    assert.equal((await waived.authorize(get({ Authorization: `Bearer ${bound}` }))).ok, true);
  });

  test("without a realm the challenges have none", async () => {
    const plain = createGuard({ keys: KeySet.fromJwks(jwksOf(k1)), issuer: ISSUER, audience: AUDIENCE });
    assert.equal((await plain.authorize(get())).response.headers.get("www-authenticate"), "Bearer");
    assert.equal(
      (await plain.authorize(get({ Authorization: "Bearer" }))).response.headers.get("www-authenticate"),
      'Bearer error="invalid_request", error_description="the Bearer scheme needs a token"',
    );
  });
});

describe("guard: misuse", () => {
  test("bad options throw at createGuard, not per request", async () => {
    const keys = KeySet.fromJwks(jwksOf(k1));
    const remote = createRemoteKeySet("https://idp.example/jwks");
    const bad = [
      () => createGuard({ keys, issuer: ISSUER, audiance: AUDIENCE }),
      () => createGuard({ keys, audience: AUDIENCE }),
      () => createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, realm: 'a"b' }),
      () => createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, allowTokenInQuery: "yes" }),
      () => createGuard({ keys: remote, issuer: ISSUER, audiance: AUDIENCE }),
      () => createGuard({ keys: remote, audience: AUDIENCE }),
      () => createGuard({ keys: { [ISSUER]: keys }, issuer: ISSUER, audience: AUDIENCE }),
      () => createGuard({ keys: "jwks", issuer: ISSUER, audience: AUDIENCE }),
      () => createGuard({ issuer: ISSUER, audience: AUDIENCE }),
    ];
    for (const fn of bad) assert.throws(fn, (e) => e instanceof TypeError && e.code === "ERR_INVALID_ARG", String(fn));
  });

  test("a bad request or call option rejects with a TypeError", async () => {
    await assert.rejects(guard.authorize(null), (e) => e.code === "ERR_INVALID_ARG");
    await assert.rejects(guard.authorize(get(), { requiredScope: ["x"] }), (e) => e.code === "ERR_INVALID_ARG");
    await assert.rejects(
      guard.authorize(get({ Authorization: `Bearer ${token}` }), { requiredScopes: ["two words"] }),
      (e) => e.code === "ERR_INVALID_ARG",
    );
  });
});

describe("guard over a RemoteKeySet", () => {
  let server;
  before(async () => {
    server = await startKeyServer({ jwks: jwksOf(k1) });
  });
  after(async () => {
    await server?.close();
  });
  beforeEach(() => {
    server.setJwks(jwksOf(k1));
    server.clearDelays();
    server.failWith(null);
    server.resetCounts();
  });

  function remoteGuard(options = {}) {
    const clock = manualClock();
    const keys = createRemoteKeySet(server.url(), { now: clock.now, ...options });
    return { clock, keys, guard: createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, realm: REALM }) };
  }

  test("fetches once, then verifies from the cache", async () => {
    const { guard: g } = remoteGuard();
    for (let i = 0; i < 5; i++) expectOk(await g.authorize(get({ Authorization: `Bearer ${token}` })));
    assert.equal(server.count(), 1);
  });

  test("rotation: a token with a new kid triggers exactly one refetch, then verifies", async () => {
    const { guard: g, clock } = remoteGuard();
    expectOk(await g.authorize(get({ Authorization: `Bearer ${token}` })));
    server.setJwks(jwksOf(k1, k2));
    const rotated = await mint(k2);
    clock.advance(30_000);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => g.authorize(get({ Authorization: `Bearer ${rotated}` }))),
    );
    for (const result of results) assert.equal(result.ok, true, result.description);
    assert.equal(results[0].header.kid, "k2");
    assert.equal(server.count(), 2, "one initial fetch + exactly one refetch");
    expectOk(await g.authorize(get({ Authorization: `Bearer ${token}` })));
    assert.equal(server.count(), 2);
  });

  test("a new kid within the cooldown: 401 ERR_JWKS_NO_MATCHING_KEY, no refetch", async () => {
    const { guard: g } = remoteGuard();
    expectOk(await g.authorize(get({ Authorization: `Bearer ${token}` })));
    server.setJwks(jwksOf(k1, k2));
    const result = await g.authorize(get({ Authorization: `Bearer ${await mint(k2)}` }));
    assert.equal(result.status, 401);
    assert.equal(result.code, "ERR_JWKS_NO_MATCHING_KEY");
    assert.equal(server.count(), 1);
  });

  test("a flood of 1000 tokens with unknown kids: one refetch per cooldown, all 401", async () => {
    const { guard: g, clock } = remoteGuard();
    expectOk(await g.authorize(get({ Authorization: `Bearer ${token}` })));
    const tokens = await Promise.all(Array.from({ length: 1000 }, (_, i) => mint(k2, {}, { kid: `attacker-${i}` })));
    clock.advance(30_000);
    server.delayNext(30);
    const results = await Promise.all(tokens.map((t) => g.authorize(get({ Authorization: `Bearer ${t}` }))));
    assert.ok(results.every((r) => r.status === 401 && r.code === "ERR_JWKS_NO_MATCHING_KEY"));
    assert.equal(server.count(), 2, "initial fetch + one refetch for 1000 unknown kids");
    clock.advance(29_999);
    await Promise.all(tokens.slice(0, 100).map((t) => g.authorize(get({ Authorization: `Bearer ${t}` }))));
    assert.equal(server.count(), 2, "cooldown holds");
    clock.advance(1);
    await Promise.all(tokens.slice(0, 100).map((t) => g.authorize(get({ Authorization: `Bearer ${t}` }))));
    assert.equal(server.count(), 3, "one more after the cooldown");
  });

  test("key server failing with no cached set: 503 temporarily_unavailable with Retry-After", async () => {
    server.failWith(500);
    const { guard: g } = remoteGuard({ cooldownDuration: 15_000 });
    const result = await g.authorize(get({ Authorization: `Bearer ${token}` }));
    assert.equal(result.ok, false);
    assert.equal(result.status, 503);
    assert.equal(result.code, "ERR_JWKS_FETCH_FAILED");
    assert.equal(result.error, "temporarily_unavailable");
    const res = await readResponse(result.response);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), "15");
    assert.equal(res.headers.get("www-authenticate"), null, "not a token problem");
    assert.equal(res.headers.get("content-type"), "application/json");
    assert.deepEqual(res.json, {
      error: "temporarily_unavailable",
      error_description: "the signing keys cannot be loaded right now; retry later",
    });
    // Credentials are still checked first: no token is a 401, not a 503.
    await expectBare401(await g.authorize(get()));
  });

  test("key server timing out: 503 with code ERR_JWKS_TIMEOUT", async () => {
    server.setDelay(2_000);
    const { guard: g } = remoteGuard({ timeoutDuration: 150 });
    const result = await g.authorize(get({ Authorization: `Bearer ${token}` }));
    assert.equal(result.status, 503);
    assert.equal(result.code, "ERR_JWKS_TIMEOUT");
    assert.ok(Number(result.response.headers.get("retry-after")) >= 1);
  });

  test("key server failing with a usable cached set: tokens still verify (stale-if-error)", async () => {
    const { guard: g, clock } = remoteGuard();
    expectOk(await g.authorize(get({ Authorization: `Bearer ${token}` })));
    server.failWith(500);
    clock.advance(15 * 60_000);
    expectOk(await g.authorize(get({ Authorization: `Bearer ${token}` })));
  });
});
