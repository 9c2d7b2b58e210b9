// createGuard with a policy: public routes answer without a token, protected
// routes need one, denials come from the policy's decision (status,
// WWW-Authenticate, JSON body), constraints read the client address from where
// the application says, revocation, option mistakes, and how request URLs are
// normalized before the policy sees them.

import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { KeySet, RevocationList, createGuard } from "../../pkg/node.js";
import { readFileSync } from "node:fs";
import { Policy } from "../../pkg/policy-node.js";
import * as jose from "jose";
import { AUDIENCE, ISSUER, REALM, jwksOf, makeKey, mint, readResponse, callsDuring } from "./helpers.mjs";

/** The messages example of the policy spec, as the repository ships it (examples/policy/). */
const MESSAGES = JSON.parse(readFileSync(new URL("../../examples/policy/messages.policy.json", import.meta.url), "utf8"));

/** Wednesday 2026-11-25 10:00 UTC (inside the admin window) and 19:00 (after hours). */
const WED_10 = 1_795_600_800;
const WED_19 = 1_795_633_200;

const ORIGIN = "https://api.example";
/** The header this application's proxy sets to the client address (the test's choice). */
const IP_HEADER = "x-test-client-ip";
const clientIp = (request) =>
  typeof request.headers?.get === "function" ? request.headers.get(IP_HEADER) ?? undefined : request.headers?.[IP_HEADER];

let key;
let keys;
let policy;
let guard;
const tokens = {};

before(async () => {
  key = await makeKey("k1");
  keys = KeySet.fromJwks(jwksOf(key));
  policy = Policy.fromJson(MESSAGES);
  guard = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, realm: REALM, policy, environment: "production", clientIp });
  const life = { iat: WED_10 - 100, exp: WED_10 + 200 };
  tokens.reader = await mint(key, { sub: "reader-1", roles: ["reader"], scope: "read:messages", ...life });
  tokens.writer = await mint(key, { sub: "writer-1", roles: ["writer"], scope: "write:messages", ...life });
  tokens.admin = await mint(key, { sub: "admin-1", jti: "admin-jti", roles: ["admin"], scope: "admin:messages", ...life });
  tokens.adminLate = await mint(key, { sub: "admin-1", roles: ["admin"], scope: "admin:messages", iat: WED_19 - 100, exp: WED_19 + 200 });
});

/** A Fetch Request to `path` with `token` (if any) and extra headers. */
function req(method, path, token, headers = {}) {
  const h = { ...headers };
  if (token !== undefined) h.Authorization = `Bearer ${token}`;
  return new Request(`${ORIGIN}${path}`, { method, headers: h });
}

/** The clock of every verification and decision: inside the admin window. */
const AT = { now: WED_10 };

/** `realm`: the expected realm, or null for none. */
async function expectBare401(result, realm = REALM) {
  assert.equal(result.ok, false);
  assert.equal(result.status, 401);
  assert.equal(result.code, "ERR_NO_CREDENTIALS");
  assert.equal(result.error, undefined);
  const res = await readResponse(result.response);
  assert.equal(res.status, 401);
  assert.equal(res.headers.get("www-authenticate"), realm === null ? "Bearer" : `Bearer realm="${realm}"`);
  assert.equal(res.text, "", "RFC 6750 §3.1: no error information");
}

/** A denial from the policy: result fields, the decision, and the Response. */
async function expectDenied(result, { status, code, error, constraint }) {
  assert.equal(result.ok, false, "expected a denial");
  assert.equal(result.status, status);
  assert.equal(result.code, code);
  assert.equal(result.error, error);
  assert.equal(result.decision.allow, false);
  assert.equal(result.decision.code, code);
  assert.equal(result.decision.status, status);
  if (constraint !== undefined) assert.equal(result.decision.constraint, constraint);
  assert.equal(result.description, result.decision.reason);
  const res = await readResponse(result.response);
  assert.equal(res.status, status);
  assert.equal(res.headers.get("content-type"), "application/json");
  assert.deepEqual(res.json, { error, error_description: result.decision.reason });
  const challenge = res.headers.get("www-authenticate");
  assert.ok(challenge.startsWith(`Bearer realm="${REALM}", error="${error}", error_description="`), challenge);
  return { res, challenge };
}

describe("guard + policy: public and protected routes", () => {
  test("a public route without Authorization → ok, public", async () => {
    for (const method of ["GET", "HEAD"]) {
      const result = await guard.authorize(req(method, "/health"));
      assert.equal(result.ok, true);
      assert.equal(result.public, true);
      assert.equal(result.decision.allow, true);
      assert.deepEqual(result.decision.rule, { index: 3, id: "health", method: ["GET"], path: "/health" });
      assert.equal(result.claims, undefined);
      assert.equal(result.response, undefined);
    }
  });

  test("a public route is decided before the token is looked at", async () => {
    for (const auth of ["Bearer not-a-jwt", "Bearer", "Basic dXNlcjpwYXNz"]) {
      const result = await guard.authorize(new Request(`${ORIGIN}/health`, { headers: { Authorization: auth } }));
      assert.equal(result.ok, true, auth);
      assert.equal(result.public, true);
    }
    // Even a valid token: the public answer carries no identity.
    const result = await guard.authorize(req("GET", "/health", tokens.reader), AT);
    assert.deepEqual([result.ok, result.public, result.claims], [true, true, undefined]);
  });

  test("a protected route without a token → 401 with the bare challenge", async () => {
    await expectBare401(await guard.authorize(req("GET", "/messages/1")));
    // A path no rule matches, without a token: 401 as well (credentials first).
    await expectBare401(await guard.authorize(req("GET", "/billing")));
    // POST to the public path is not public.
    await expectBare401(await guard.authorize(req("POST", "/health")));
  });

  test("a valid token, allowed → { ok, claims, roles, scopes, decision }", async () => {
    const result = await guard.authorize(req("GET", "/messages/42", tokens.reader), AT);
    assert.equal(result.ok, true, result.description);
    assert.equal(result.public, undefined);
    assert.equal(result.claims.sub, "reader-1");
    assert.deepEqual(result.roles, ["reader"]);
    assert.deepEqual(result.scopes, ["read:messages"]);
    assert.equal(result.token, tokens.reader);
    assert.equal(result.header.kid, "k1");
    assert.equal(result.decision.allow, true);
    assert.equal(result.decision.unverified, false, "the guard's own verification is trusted");
    assert.deepEqual(result.decision.rule, { index: 0, id: "read", method: ["GET"], path: "/messages/**" });
    assert.ok(!("result" in result), "the internal verify result is not exposed");
    assert.equal(result.response, undefined);
  });

  test("a writer reads through implication and writes; an admin administers from the office", async () => {
    const read = await guard.authorize(req("GET", "/messages", tokens.writer), AT);
    assert.equal(read.ok, true, read.description);
    assert.deepEqual(read.decision.scopes, ["read:messages", "write:messages"]);
    assert.deepEqual(read.decision.roles, ["reader", "writer"]);
    assert.equal((await guard.authorize(req("DELETE", "/messages/7", tokens.writer), AT)).ok, true);
    const admin = await guard.authorize(req("PUT", "/admin/users/9", tokens.admin, { [IP_HEADER]: "10.1.2.3" }), AT);
    assert.equal(admin.ok, true, admin.description);
    assert.deepEqual(admin.decision.roles, ["reader", "writer", "admin"]);
  });

  test("HEAD follows the GET rule", async () => {
    const result = await guard.authorize(req("HEAD", "/messages/1", tokens.reader), AT);
    assert.equal(result.ok, true, result.description);
    assert.equal(result.decision.rule.index, 0);
  });
});

describe("guard + policy: denials from the decision", () => {
  test("403 insufficient scope: status, WWW-Authenticate with scope, JSON body", async () => {
    const result = await guard.authorize(req("POST", "/messages/1", tokens.reader), AT);
    const { challenge } = await expectDenied(result, { status: 403, code: "ERR_JWT_INSUFFICIENT_SCOPE", error: "insufficient_scope" });
    assert.deepEqual(result.decision.missingScopes, ["write:messages"]);
    assert.equal(
      challenge,
      `Bearer realm="${REALM}", error="insufficient_scope", error_description="${result.decision.reason}", scope="write:messages"`,
    );
  });

  test("403 for a writer's token listing the admin scope: missing scope and role", async () => {
    const forged = await mint(key, { roles: ["writer"], scope: "admin:messages write:messages", iat: WED_10 - 100, exp: WED_10 + 200 });
    const result = await guard.authorize(req("POST", "/admin/ban", forged, { [IP_HEADER]: "10.1.2.3" }), AT);
    await expectDenied(result, { status: 403, code: "ERR_JWT_INSUFFICIENT_SCOPE", error: "insufficient_scope" });
    assert.deepEqual(result.decision.missingScopes, ["admin:messages"]);
    assert.deepEqual(result.decision.missingRoles, ["admin"]);
  });

  test("403 no matching rule", async () => {
    const result = await guard.authorize(req("GET", "/billing", tokens.admin), AT);
    await expectDenied(result, { status: 403, code: "ERR_POLICY_NO_MATCHING_RULE", error: "insufficient_scope" });
    assert.equal(result.decision.rule, null);
  });

  test("403 missing role only", async () => {
    const p = Policy.fromJson({ ...MESSAGES, roles: { ...MESSAGES.roles, auditor: { grants: ["read:messages"] } } });
    const g = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, realm: REALM, policy: p });
    const t = await mint(key, { roles: ["auditor"], scope: "read:messages", iat: WED_10 - 100, exp: WED_10 + 200 });
    const result = await g.authorize(req("GET", "/messages/1", t), AT);
    await expectDenied(result, { status: 403, code: "ERR_JWT_INSUFFICIENT_ROLE", error: "insufficient_scope" });
    assert.deepEqual(result.decision.missingRoles, ["reader"]);
  });

  test("a token the verifier refuses is answered by the verifier, not the policy", async () => {
    const expired = await mint(key, { roles: ["reader"], iat: WED_10 - 7200, exp: WED_10 - 3600 });
    const result = await guard.authorize(req("GET", "/messages/1", expired), AT);
    assert.deepEqual([result.ok, result.status, result.code, result.error], [false, 401, "ERR_JWT_EXPIRED", "invalid_token"]);
    assert.equal(result.decision, undefined);
  });
});

describe("guard + policy: constraints from the request", () => {
  test("ipRanges with the address from the application's header", async () => {
    for (const ip of ["10.1.2.3", "2001:db8::5", "::ffff:10.9.9.9"]) {
      const ok = await guard.authorize(req("GET", "/admin/x", tokens.admin, { [IP_HEADER]: ip }), AT);
      assert.equal(ok.ok, true, `${ip}: ${ok.description}`);
    }
    for (const ip of ["192.0.2.1", "2001:db9::1", "::ffff:192.0.2.1", "garbage", undefined]) {
      const headers = ip === undefined ? {} : { [IP_HEADER]: ip };
      const result = await guard.authorize(req("GET", "/admin/x", tokens.admin, headers), AT);
      await expectDenied(result, {
        status: 403, code: "ERR_POLICY_CONSTRAINT_FAILED", error: "insufficient_scope", constraint: "ipRanges",
      });
    }
  });

  test("without clientIp no header is trusted (off Cloudflare)", async () => {
    const g = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, realm: REALM, policy, environment: "production" });
    for (const headers of [{ [IP_HEADER]: "10.1.2.3" }, { "CF-Connecting-IP": "10.1.2.3" }, { "X-Forwarded-For": "10.1.2.3" }]) {
      const result = await g.authorize(req("GET", "/admin/x", tokens.admin, headers), AT);
      await expectDenied(result, {
        status: 403, code: "ERR_POLICY_CONSTRAINT_FAILED", error: "insufficient_scope", constraint: "ipRanges",
      });
    }
  });

  test("clientIp sees the request; what it returns other than a non-empty string means no address", async () => {
    const seen = [];
    const g = createGuard({
      keys, issuer: ISSUER, audience: AUDIENCE, realm: REALM, policy, environment: "production",
      clientIp: (request) => {
        seen.push(request.url);
        return request.headers.get(IP_HEADER) === "number" ? 167837953 : "";
      },
    });
    for (const value of ["number", "empty"]) {
      const result = await g.authorize(req("GET", "/admin/x", tokens.admin, { [IP_HEADER]: value }), AT);
      await expectDenied(result, {
        status: 403, code: "ERR_POLICY_CONSTRAINT_FAILED", error: "insufficient_scope", constraint: "ipRanges",
      });
    }
    assert.ok(seen.every((url) => url === `${ORIGIN}/admin/x`));
  });

  test("environments: the guard's environment", async () => {
    const headers = { [IP_HEADER]: "10.1.2.3" };
    for (const environment of ["staging", undefined]) {
      const g = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, realm: REALM, policy, clientIp, environment });
      const result = await g.authorize(req("GET", "/admin/x", tokens.admin, headers), AT);
      await expectDenied(result, {
        status: 403, code: "ERR_POLICY_CONSTRAINT_FAILED", error: "insufficient_scope", constraint: "environments",
      });
    }
  });

  test("timeWindows: the per-call clock (now or currentDate)", async () => {
    const headers = { [IP_HEADER]: "10.1.2.3" };
    const late = await guard.authorize(req("GET", "/admin/x", tokens.adminLate, headers), { now: WED_19 });
    await expectDenied(late, {
      status: 403, code: "ERR_POLICY_CONSTRAINT_FAILED", error: "insufficient_scope", constraint: "timeWindows",
    });
    const lateDate = await guard.authorize(req("GET", "/admin/x", tokens.adminLate, headers), { currentDate: new Date(WED_19 * 1000) });
    assert.equal(lateDate.decision.constraint, "timeWindows");
    const inHours = await guard.authorize(req("GET", "/admin/x", tokens.admin, headers), { currentDate: new Date(WED_10 * 1000) });
    assert.equal(inHours.ok, true, inHours.description);
  });
});

describe("guard + policy: realm, revocation, options", () => {
  test("the guard's realm appears in the policy's WWW-Authenticate", async () => {
    const g = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, realm: "messages-api", policy });
    const result = await g.authorize(req("POST", "/messages/1", tokens.reader), AT);
    assert.equal(result.status, 403);
    assert.equal(result.code, "ERR_JWT_INSUFFICIENT_SCOPE");
    const challenge = result.response.headers.get("www-authenticate");
    assert.equal(
      challenge,
      `Bearer realm="messages-api", error="insufficient_scope", error_description="${result.decision.reason}", scope="write:messages"`,
    );
    // One trip: the core decided with the guard's realm, so the decision says what the response says.
    assert.equal(result.decision.wwwAuthenticate, challenge);
    await expectBare401(await g.authorize(req("GET", "/messages/1")), "messages-api");
    // Without a realm anywhere, the policy's header as is.
    const plain = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, policy });
    const r2 = await plain.authorize(req("POST", "/messages/1", tokens.reader), AT);
    assert.equal(r2.code, "ERR_JWT_INSUFFICIENT_SCOPE");
    assert.equal(r2.response.headers.get("www-authenticate"), r2.decision.wwwAuthenticate);
    await expectBare401(await plain.authorize(req("GET", "/messages/1")), null);
  });

  test("revoked (guard revocations) → 401 ERR_JWT_REVOKED, invalid_token", async () => {
    const revocations = new RevocationList();
    const g = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, realm: REALM, policy, revocations, clientIp, environment: "production" });
    const headers = { [IP_HEADER]: "10.1.2.3" };
    assert.equal((await g.authorize(req("GET", "/admin/x", tokens.admin, headers), AT)).ok, true);
    revocations.revokeToken("admin-jti");
    const result = await g.authorize(req("GET", "/admin/x", tokens.admin, headers), AT);
    assert.deepEqual([result.ok, result.status, result.code, result.error], [false, 401, "ERR_JWT_REVOKED", "invalid_token"]);
    const res = await readResponse(result.response);
    assert.equal(res.status, 401);
    assert.match(res.headers.get("www-authenticate"), /^Bearer realm="api", error="invalid_token", error_description="[^"]*revoked/);
    assert.equal(res.json.error, "invalid_token");
    // A subject revocation: every token of reader-1 issued before now.
    revocations.revokeSubject("reader-1", WED_10);
    const reader = await g.authorize(req("GET", "/messages/1", tokens.reader), AT);
    assert.deepEqual([reader.status, reader.code], [401, "ERR_JWT_REVOKED"]);
    // Public routes stay public.
    assert.equal((await g.authorize(req("GET", "/health", tokens.reader), AT)).ok, true);
  });

  test("revoked (the policy's list) → 401 ERR_JWT_REVOKED, checked with the token in the same trip", async () => {
    const revocations = RevocationList.fromJson({ version: 1, subjects: { "writer-1": WED_10 } });
    const p = Policy.fromJson(MESSAGES, { revocations });
    const g = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, realm: REALM, policy: p });
    const result = await g.authorize(req("GET", "/messages/1", tokens.writer), AT);
    assert.deepEqual([result.ok, result.status, result.code, result.error], [false, 401, "ERR_JWT_REVOKED", "invalid_token"]);
    assert.equal(result.cause.code, "ERR_JWT_REVOKED");
    const res = await readResponse(result.response);
    assert.match(res.headers.get("www-authenticate"), /^Bearer realm="api", error="invalid_token", error_description="[^"]*revoked/);
    // The policy's list, given again (or another one) in the guard's options: one list per guard.
    assert.equal((await createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, policy: p, revocations }).authorize(req("GET", "/messages/1", tokens.writer), AT)).code, "ERR_JWT_REVOKED");
    assert.throws(
      () => createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, policy: p, revocations: new RevocationList() }),
      (e) => e instanceof TypeError && e.code === "ERR_INVALID_ARG" && /different revocation lists/.test(e.message),
    );
    // A public route stays public.
    assert.equal((await g.authorize(req("GET", "/health", tokens.writer), AT)).ok, true);
  });

  test("invalid policy and policy-related options → TypeError ERR_INVALID_ARG", () => {
    const base = { keys, issuer: ISSUER, audience: AUDIENCE };
    const bad = [
      { policy: MESSAGES },
      { policy: JSON.stringify(MESSAGES) },
      { policy: null },
      { policy: {} },
      { policy: 7 },
      { policy, environment: 7 },
      { policy, environment: ["production"] },
      { policy, clientIp: IP_HEADER },
      { policy, clientIp: {} },
      { policy, revocations: { version: 1, tokens: [] } },
      { policy, revocations: "jti" },
    ];
    for (const extra of bad) {
      assert.throws(
        () => createGuard({ ...base, ...extra }),
        (err) => err instanceof TypeError && err.code === "ERR_INVALID_ARG",
        JSON.stringify(Object.keys(extra)),
      );
    }
  });

  test("authorize misuse rejects with TypeError ERR_INVALID_ARG", async () => {
    for (const options of [{ revocations: new RevocationList() }, { environment: "production" }, { roleClaim: "roles" }]) {
      await assert.rejects(
        guard.authorize(req("GET", "/messages/1", tokens.reader), options),
        (err) => err instanceof TypeError && err.code === "ERR_INVALID_ARG",
      );
    }
  });
});

describe("guard + policy: request paths", () => {
  test("new URL normalizes dot segments (also percent-encoded): the decision is on the normalized path", async () => {
    // These all become /admin/x before the policy sees them.
    for (const path of ["/messages/../admin/x", "/messages/%2e%2e/admin/x", "/messages/.%2E/admin/x", "/./admin/./x"]) {
      assert.equal(new URL(`${ORIGIN}${path}`).pathname, "/admin/x", path);
      const asReader = await guard.authorize(req("GET", path, tokens.reader), AT);
      await expectDenied(asReader, { status: 403, code: "ERR_JWT_INSUFFICIENT_SCOPE", error: "insufficient_scope" });
      assert.equal(asReader.decision.rule.path, "/admin/**", path);
      const asAdmin = await guard.authorize(req("GET", path, tokens.admin, { [IP_HEADER]: "10.1.2.3" }), AT);
      assert.equal(asAdmin.ok, true, `${path}: ${asAdmin.description}`);
    }
    // /messages/%2e/1 → /messages/1; a backslash is a slash in http(s) URLs.
    for (const path of ["/messages/%2e/1", "/messages\\1"]) {
      const result = await guard.authorize(req("GET", path, tokens.reader), AT);
      assert.equal(result.ok, true, `${path}: ${result.description}`);
      assert.equal(result.decision.rule.index, 0);
    }
    // Plain request objects are normalized the same way.
    const plain = await guard.authorize(
      { method: "GET", url: "/health/../messages/1", headers: { authorization: `Bearer ${tokens.reader}` } },
      AT,
    );
    assert.equal(plain.ok, true, plain.description);
    assert.equal(plain.decision.rule.index, 0);
    const publicPlain = await guard.authorize({ method: "GET", url: "/messages/../health", headers: {} });
    assert.deepEqual([publicPlain.ok, publicPlain.public], [true, true]);
  });

  test("an encoded / or \\ inside a segment → 400 ERR_INVALID_REQUEST, with or without a token", async () => {
    for (const path of ["/messages/a%2Fb", "/messages/a%2fb", "/health%2F", "/messages/a%5Cb", "/admin/%2F..%2Fx"]) {
      assert.ok(new URL(`${ORIGIN}${path}`).pathname.includes("%"), "new URL keeps the encoded separator");
      for (const token of [undefined, tokens.reader]) {
        const result = await guard.authorize(req("GET", path, token), AT);
        assert.equal(result.ok, false, path);
        assert.equal(result.status, 400, path);
        assert.equal(result.code, "ERR_INVALID_REQUEST");
        assert.equal(result.error, "invalid_request");
        assert.equal(result.decision.code, "ERR_INVALID_REQUEST");
        const res = await readResponse(result.response);
        assert.equal(res.status, 400);
        assert.match(res.headers.get("www-authenticate"), /^Bearer realm="api", error="invalid_request", error_description="/);
        assert.equal(res.json.error, "invalid_request");
      }
    }
  });
});

describe("guard + policy: paths and per-call modes", () => {
  // Spec, "Decision order": a bad path is 400 first. The guard evaluates the path before the
  // token only when the policy has a public rule (pkg/guard.js authorize: `this.#hasPublicRules`);
  // otherwise the token is looked for and verified first, so the same bad path is 401.
  test("a bad path is 400 whatever the policy's other rules", async () => {
    const noPublic = Policy.fromJson({ version: 1, scopes: { a: {} }, rules: [{ method: "GET", path: "/x/**", scopes: ["a"] }] });
    const g = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, realm: REALM, policy: noPublic });
    const expired = await mint(key, { scope: "a", iat: WED_10 - 7200, exp: WED_10 - 3600 });
    for (const token of [undefined, expired]) {
      const result = await g.authorize(req("GET", "/x/a%2Fb", token), AT);
      assert.deepEqual([result.status, result.code], [400, "ERR_INVALID_REQUEST"]);
    }
  });

  // Per-call { roleMode } alone replaces the guard's requiredRoles with [] (see tests/js/roles.test.mjs).
  test("a per-call roleMode keeps the guard's requiredRoles", async () => {
    const g = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, realm: REALM, requiredRoles: ["admin"], policy });
    const result = await g.authorize(req("GET", "/messages/1", tokens.reader), { ...AT, roleMode: "any" });
    assert.deepEqual([result.ok, result.status, result.code], [false, 403, "ERR_JWT_INSUFFICIENT_ROLE"]);
  });
});

describe("guard + policy: one trip into the core", () => {
  /** Calls into the wasm module's classes while `run` runs (every method, counted). */

  test("route, token, revocation and decision: one call per request", async () => {
    const revocations = new RevocationList();
    const g = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, policy: Policy.fromJson(MESSAGES, { revocations }), webCrypto: false });
    await g.authorize(req("GET", "/messages/1", tokens.reader), AT); // the verifier is made on first use
    const cases = [
      ["GET", "/messages/1", tokens.reader, 200],
      ["POST", "/messages/1", tokens.reader, 403],
      ["GET", "/health", "garbage", 200],
      ["GET", "/messages/a%2Fb", tokens.reader, 400],
    ];
    for (const [method, path, token, status] of cases) {
      const { calls, result } = await callsDuring(() => g.authorize(req(method, path, token), AT));
      assert.equal(result.ok ? 200 : result.status, status, `${method} ${path}`);
      assert.equal(calls, 1, `${method} ${path}: ${calls} calls into wasm`);
    }
    revocations.revokeSubject("reader-1", WED_10);
    const revoked = await callsDuring(() => g.authorize(req("GET", "/messages/1", tokens.reader), AT));
    assert.deepEqual([revoked.result.status, revoked.result.code, revoked.calls], [401, "ERR_JWT_REVOKED", 1]);
    // No token at all: the route alone, one call.
    const none = await callsDuring(() => g.authorize(req("GET", "/messages/1"), AT));
    assert.deepEqual([none.result.status, none.calls], [401, 1]);
  });

  test("with native crypto: the same answers, the payload read only after the signature", async () => {
    const wasmPath = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, policy, webCrypto: false });
    const native = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, policy }); // native crypto: the default
    const other = await makeKey("k1");
    const forged = await mint(other, { sub: "reader-1", roles: ["admin"], scope: "admin:messages", iat: WED_10 - 100, exp: WED_10 + 200 });
    const notJson = await new jose.CompactSign(new TextEncoder().encode("\u00ff not json"))
      .setProtectedHeader({ alg: key.alg, kid: key.kid })
      .sign(key.privateKey);
    const forgedNotJson = `${notJson.slice(0, notJson.lastIndexOf("."))}.${forged.slice(forged.lastIndexOf(".") + 1)}`;
    const cases = [
      ["GET", "/messages/1", tokens.reader, [200, undefined]],
      ["POST", "/messages/1", tokens.reader, [403, "ERR_JWT_INSUFFICIENT_SCOPE"]],
      ["GET", "/messages/1", forged, [401, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"]],
      ["GET", "/health", forged, [200, undefined]],
      ["GET", "/messages/1", notJson, [401, "ERR_JWT_INVALID"]],
      // A bad signature over a payload that is not even JSON: the signature's error.
      ["GET", "/messages/1", forgedNotJson, [401, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"]],
    ];
    for (const [method, path, token, want] of cases) {
      for (const g of [wasmPath, native]) {
        const r = await g.authorize(req(method, path, token), AT);
        assert.deepEqual([r.ok ? 200 : r.status, r.code], want, `${method} ${path}`);
      }
    }
    // Two calls on the native path (first half, then the rest); one for a public route.
    await native.authorize(req("GET", "/messages/1", tokens.reader), AT); // keys imported once
    assert.equal((await callsDuring(() => native.authorize(req("GET", "/messages/1", tokens.reader), AT))).calls, 2);
    assert.equal((await callsDuring(() => native.authorize(req("GET", "/health", tokens.reader), AT))).calls, 1);
  });
});
