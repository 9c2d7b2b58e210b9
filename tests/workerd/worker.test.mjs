// The example worker (examples/worker) on the real workerd runtime, importing the
// built package through its "workerd" entry. Traffic goes to 127.0.0.1 only.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mintDemoToken, signJwt, tamper, DEMO_KID } from "../../examples/worker/demo-key.mjs";
import { callWorker, startWorkerd } from "../../examples/worker/run-workerd.mjs";
import { generateKeyPairSync } from "node:crypto";

let worker;

before(async () => {
  worker = await startWorkerd({ readyTimeoutMs: 30_000 });
});

after(async () => {
  await worker?.stop();
});

function call(path, options = {}) {
  return callWorker(`${worker.url}${path}`, { timeoutMs: 5_000, ...options });
}

const READ = "read:messages";
const WRITE = "write:messages";

describe("example worker on workerd", { timeout: 60_000 }, () => {
  test("GET /health is public", async () => {
    const res = await call("/health");
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { ok: true });
    assert.equal(res.challenge, null);
  });

  test("a valid token with read:messages reads messages", async () => {
    const res = await call("/messages", { token: mintDemoToken({ scope: READ }) });
    assert.equal(res.status, 200, res.text);
    assert.ok(Array.isArray(res.json.messages), res.text);
    assert.equal(res.challenge, null);
  });

  test("scopes in an `scp` array are accepted too", async () => {
    const res = await call("/messages", { token: mintDemoToken({ scope: undefined, scp: [READ] }) });
    assert.equal(res.status, 200, res.text);
  });

  test("a token with write:messages posts a message", async () => {
    const res = await call("/messages", {
      method: "POST",
      token: mintDemoToken({ sub: "bob", scope: `${READ} ${WRITE}` }),
      body: { text: "hello" },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.json.from, "bob");
    assert.equal(res.json.text, "hello");
  });

  test("no Authorization header: 401 with the bare challenge, no error code (RFC 6750 §3.1)", async () => {
    const res = await call("/messages");
    assert.equal(res.status, 401);
    assert.equal(res.challenge, 'Bearer realm="tollgate-demo"');
    assert.doesNotMatch(res.challenge, /error=/);
  });

  test("another auth scheme is treated as no credentials", async () => {
    const res = await call("/messages", { authorization: "Basic YWxpY2U6c2VjcmV0" });
    assert.equal(res.status, 401);
    assert.equal(res.challenge, 'Bearer realm="tollgate-demo"');
  });

  test("an expired token: 401 invalid_token, ERR_JWT_EXPIRED", async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = await call("/messages", { token: mintDemoToken({ scope: READ, iat: now - 7200, exp: now - 3600 }) });
    assert.equal(res.status, 401, res.text);
    assert.match(res.challenge, /^Bearer realm="tollgate-demo", error="invalid_token"/);
    assert.equal(res.json.error, "invalid_token");
    assert.equal(res.json.code, "ERR_JWT_EXPIRED");
    assert.equal(typeof res.json.error_description, "string");
    assert.ok(res.json.error_description.length > 0);
  });

  test("a tampered signature: 401 invalid_token, ERR_JWS_SIGNATURE_VERIFICATION_FAILED", async () => {
    const res = await call("/messages", { token: tamper(mintDemoToken({ scope: READ })) });
    assert.equal(res.status, 401, res.text);
    assert.match(res.challenge, /error="invalid_token"/);
    assert.match(res.challenge, /realm="tollgate-demo"/);
    assert.equal(res.json.error, "invalid_token");
    assert.equal(res.json.code, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
  });

  test("verifyAsync in workerd: an expired token with a bad signature is a bad signature", async () => {
    // The worker checks ES256 signatures with workerd's WebCrypto; the core holds its
    // "expired" until the signature is known to be good, as verify would.
    const now = Math.floor(Date.now() / 1000);
    const res = await call("/messages", { token: tamper(mintDemoToken({ scope: READ, iat: now - 7200, exp: now - 3600 })) });
    assert.equal(res.status, 401, res.text);
    assert.equal(res.json.code, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
  });

  test("the verified-token cache in workerd: a repeat is accepted, a cached token still meets the policy", async () => {
    const token = mintDemoToken({ scope: READ });
    for (let i = 0; i < 3; i++) {
      const res = await call("/messages", { token });
      assert.equal(res.status, 200, res.text);
    }
    // Same token, a route its scopes do not allow: the cache never skips the decision.
    const denied = await call("/messages", { method: "POST", token, body: { text: "no" } });
    assert.equal(denied.status, 403, denied.text);
    // Another signature on the same header and payload is not a hit.
    const forged = await call("/messages", { token: tamper(token) });
    assert.equal(forged.status, 401, forged.text);
    assert.equal(forged.json.code, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
  });

  test("a token signed by another key with the demo kid: 401 invalid_token", async () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const now = Math.floor(Date.now() / 1000);
    const token = signJwt(
      { alg: "ES256", typ: "at+jwt", kid: DEMO_KID },
      { iss: "https://auth.tollgate.example", aud: "https://api.tollgate.example", sub: "mallory", iat: now, exp: now + 600, scope: READ },
      privateKey.export({ format: "jwk" }),
    );
    const res = await call("/messages", { token });
    assert.equal(res.status, 401, res.text);
    assert.equal(res.json.code, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
  });

  test("the wrong audience: 401 invalid_token, claim check failed", async () => {
    const res = await call("/messages", { token: mintDemoToken({ scope: READ, aud: "https://other.example" }) });
    assert.equal(res.status, 401, res.text);
    assert.equal(res.json.error, "invalid_token");
    assert.equal(res.json.code, "ERR_JWT_CLAIM_VALIDATION_FAILED");
  });

  test("garbage in the bearer token: 401 invalid_token, ERR_JWS_INVALID", async () => {
    const res = await call("/messages", { token: "not.a.jwt" });
    assert.equal(res.status, 401, res.text);
    assert.equal(res.json.error, "invalid_token");
    assert.equal(res.json.code, "ERR_JWS_INVALID");
  });

  test("a valid token without write:messages: 403 insufficient_scope with scope=", async () => {
    const res = await call("/messages", { method: "POST", token: mintDemoToken({ scope: READ }), body: { text: "no" } });
    assert.equal(res.status, 403, res.text);
    assert.match(res.challenge, /^Bearer realm="tollgate-demo", error="insufficient_scope"/);
    assert.match(res.challenge, /scope="write:messages"/);
    assert.equal(res.json.error, "insufficient_scope");
    assert.equal(res.json.code, "ERR_JWT_INSUFFICIENT_SCOPE");
    assert.equal(typeof res.json.error_description, "string");
  });

  test("a malformed Bearer header: 400 invalid_request", async () => {
    const res = await call("/messages", { authorization: "Bearer" });
    assert.equal(res.status, 400);
    assert.match(res.challenge, /error="invalid_request"/);
  });

  test("the policy (tollgate/policy in workerd): write:messages implies read:messages", async () => {
    const res = await call("/messages", { token: mintDemoToken({ scope: WRITE }) });
    assert.equal(res.status, 200, res.text);
  });

  test("the policy: a moderator deletes with a short-lived admin token", async () => {
    const posted = await call("/messages", { method: "POST", token: mintDemoToken({ scope: WRITE }), body: { text: "spam" } });
    assert.equal(posted.status, 201, posted.text);
    const now = Math.floor(Date.now() / 1000);
    const moderator = mintDemoToken({ scope: "admin:messages", roles: ["moderator"], iat: now, exp: now + 600 });
    const res = await call(`/messages/${posted.json.id}`, { method: "DELETE", token: moderator });
    assert.equal(res.status, 204, res.text);
    const left = await call("/messages", { token: mintDemoToken({ scope: WRITE }) });
    assert.equal(left.json.messages.some((m) => m.id === posted.json.id), false, "the message is gone");
    // Idempotent: the same DELETE again answers the same (the demo prints it to paste).
    assert.equal((await call(`/messages/${posted.json.id}`, { method: "DELETE", token: moderator })).status, 204);
  });

  test("the policy: an admin scope without the moderator role is refused", async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = mintDemoToken({ scope: "admin:messages write:messages", iat: now, exp: now + 600 });
    const res = await call("/messages/1", { method: "DELETE", token: forged });
    assert.equal(res.status, 403, res.text);
    assert.equal(res.json.code, "ERR_JWT_INSUFFICIENT_SCOPE");
    assert.deepEqual(res.json.missingScopes, ["admin:messages"]);
    assert.deepEqual(res.json.missingRoles, ["moderator"]);
    assert.match(res.challenge, /^Bearer realm="tollgate-demo", error="insufficient_scope"/);
    assert.match(res.challenge, /scope="admin:messages"/);
  });

  test("the policy: a moderator's long-lived token fails maxTokenLifetime", async () => {
    const res = await call("/messages/1", { method: "DELETE", token: mintDemoToken({ scope: "admin:messages", roles: "moderator" }) });
    assert.equal(res.status, 403, res.text);
    assert.equal(res.json.code, "ERR_POLICY_CONSTRAINT_FAILED");
    assert.match(res.json.error_description, /at most 900 s/);
  });

  test("unknown routes: 404; wrong method: 405", async () => {
    assert.equal((await call("/nope")).status, 404);
    const res = await call("/messages", { method: "DELETE", token: mintDemoToken({ scope: `${READ} ${WRITE}` }) });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "GET, POST");
  });

  test("workerd logged no uncaught exception", () => {
    assert.doesNotMatch(worker.output(), /uncaught|Error:/i, worker.output());
  });
});
