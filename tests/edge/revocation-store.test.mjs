// Revocations in the shared store (pkg/store-revocations.js over pkg/store.js) through the
// guard, with tokens minted by jose: by jti, by subject (the core list's semantics), entries
// that expire with their tokens, a store that fails or hangs (503, fail closed), the sync
// RevocationList beside it, and the one call into wasm per request. The Durable Object across
// isolates: tests/workerd/revocation.test.mjs.

import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  KeySet,
  RevocationList,
  createGuard,
  createMemoryReplayStore,
  createMemoryStore,
  createStoreRevocations,
} from "../../pkg/node.js";
import { Policy } from "../../pkg/policy-node.js";
import { AUDIENCE, ISSUER, REALM, callsDuring, jose, jwksOf, makeKey, manualClock, mint } from "./helpers.mjs";

const MESSAGES = JSON.parse(readFileSync(new URL("../../examples/policy/messages.policy.json", import.meta.url), "utf8"));
/** Wednesday 2026-11-25 10:00 UTC (inside the policy's admin window). */
const WED_10 = 1_795_600_800;
const AT = { now: WED_10 };
const HOUR = 3600;

let key;
let keys;

before(async () => {
  key = await makeKey("k1");
  keys = KeySet.fromJwks(jwksOf(key));
});

function req(token, path = "/messages/1") {
  return new Request(`https://api.example${path}`, { headers: { Authorization: `Bearer ${token}` } });
}

/** A memory store on a clock at WED_10, revocations over it, and a guard asking them. */
function setup(extra = {}) {
  const clock = manualClock(WED_10 * 1000);
  const store = createMemoryStore({ now: clock.now });
  const revocations = createStoreRevocations(store, { maxTokenLifetime: HOUR, now: clock.now });
  const guard = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, realm: REALM, revocations, ...extra });
  return { clock, store, revocations, guard };
}

const token = (claims) => mint(key, { iat: WED_10 - 100, exp: WED_10 + 600, ...claims });

/** The parts of an answer two guards must agree on. */
async function answer(result) {
  return {
    status: result.status,
    code: result.code,
    description: result.description,
    challenge: result.response.headers.get("www-authenticate"),
    body: await result.response.text(),
  };
}

describe("revocations in a shared store, through the guard", () => {
  test("by jti: refused from then on, with the answer the core's list gives", async () => {
    const { guard, revocations } = setup();
    const listed = new RevocationList();
    const withList = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, realm: REALM, revocations: listed });
    const t = await token({ jti: "t-1" });
    const other = await token({ jti: "t-2" });
    assert.equal((await guard.authorize(req(t), AT)).ok, true);
    await revocations.revoke({ jti: "t-1", exp: WED_10 + 600 });
    listed.revokeToken("t-1");
    const refused = await guard.authorize(req(t), AT);
    assert.equal(refused.ok, false);
    assert.deepEqual(await answer(refused), await answer(await withList.authorize(req(t), AT)));
    assert.deepEqual([refused.status, refused.code, refused.error], [401, "ERR_JWT_REVOKED", "invalid_token"]);
    assert.equal((await guard.authorize(req(other), AT)).ok, true, "another jti passes");
    // A claim named `claims` does not steer the lookup (revokedBy unwraps verified results).
    const steered = await token({ jti: "t-3", claims: { jti: "elsewhere" } });
    await revocations.revoke({ jti: "t-3", exp: WED_10 + 600 });
    assert.equal((await guard.authorize(req(steered), AT)).code, "ERR_JWT_REVOKED");
    // A verified result's claims revoke as they are.
    const result = await guard.authorize(req(other), AT);
    await revocations.revoke(result.claims);
    assert.equal((await guard.authorize(req(other), AT)).code, "ERR_JWT_REVOKED");
  });

  test("by subject: tokens issued at or before the time, and those without iat", async () => {
    const { guard, revocations } = setup();
    const listed = new RevocationList();
    const withList = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, realm: REALM, revocations: listed });
    const cases = {
      before: await token({ sub: "user-42", iat: WED_10 - 100 }),
      at: await token({ sub: "user-42", iat: WED_10 - 50 }),
      after: await token({ sub: "user-42", iat: WED_10 - 49 }),
      noIat: await token({ sub: "user-42", iat: undefined }),
      otherSubject: await token({ sub: "user-4", iat: WED_10 - 100 }),
    };
    await revocations.revokeSubject("user-42", WED_10 - 50);
    await revocations.revokeSubject("user-42", WED_10 - 80); // earlier: ignored
    listed.revokeSubject("user-42", WED_10 - 50);
    const want = { before: "ERR_JWT_REVOKED", at: "ERR_JWT_REVOKED", after: undefined, noIat: "ERR_JWT_REVOKED", otherSubject: undefined };
    for (const [name, t] of Object.entries(cases)) {
      const [fromStore, fromList] = [await guard.authorize(req(t), AT), await withList.authorize(req(t), AT)];
      assert.equal(fromStore.code, want[name], name);
      assert.deepEqual(fromStore.ok ? "ok" : await answer(fromStore), fromList.ok ? "ok" : await answer(fromList), name);
    }
    await revocations.revokeSubject("user-42", new Date((WED_10 - 10) * 1000)); // later: replaces
    assert.equal((await guard.authorize(req(cases.after), AT)).code, "ERR_JWT_REVOKED");
    assert.equal(await revocations.revokedBy({ sub: "user-42", iat: WED_10 - 9 }), null);
    assert.equal(await revocations.revokedBy({ sub: "user-42", iat: "2000" }), "subject");
    assert.equal(await revocations.revokedBy({ jti: 7, sub: ["user-42"] }), null);
    // Raw claims with a claim named `claims` are read by their own sub; a result by its claims.
    assert.equal(await revocations.revokedBy({ sub: "user-42", iat: 1, claims: { sub: "user-1" } }), "subject");
    assert.equal(await revocations.revokedBy({ subject: "user-42", claims: { sub: "user-42", iat: 1 } }), "subject");
  });

  test("a DPoP-bound token: refused on DPoP's challenge, as the core list refuses it", async () => {
    const { publicKey, privateKey } = await jose.generateKeyPair("ES256");
    const jwk = await jose.exportJWK(publicKey);
    const t = await token({ jti: "bound", cnf: { jkt: await jose.calculateJwkThumbprint(jwk) } });
    const ath = jose.base64url.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(t))));
    const proof = () => new jose.SignJWT({ htm: "GET", htu: "https://api.example/messages/1", jti: crypto.randomUUID(), ath })
      .setProtectedHeader({ alg: "ES256", typ: "dpop+jwt", jwk })
      .setIssuedAt(WED_10)
      .sign(privateKey);
    const dpopReq = async () => new Request("https://api.example/messages/1", { headers: { Authorization: `DPoP ${t}`, DPoP: await proof() } });
    const { guard, revocations } = setup({ dpop: true });
    const withList = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, realm: REALM, dpop: true, revocations: new RevocationList().revokeToken("bound") });
    assert.equal((await guard.authorize(await dpopReq(), AT)).ok, true);
    await revocations.revoke({ jti: "bound", exp: WED_10 + 600 });
    const refused = await guard.authorize(await dpopReq(), AT);
    assert.match(refused.response.headers.get("www-authenticate"), /^DPoP realm="api", error="invalid_token"/);
    assert.deepEqual(await answer(refused), await answer(await withList.authorize(await dpopReq(), AT)));
  });

  test("entries expire with the tokens they revoke", async () => {
    const { clock, store, revocations } = setup();
    await revocations.revoke({ jti: "short", exp: WED_10 + 10 });
    await revocations.revoke({ jti: "no-exp" }); // maxTokenLifetime from now
    await revocations.revokeSubject("user-42"); // now, for maxTokenLifetime
    assert.equal(store.size, 3);
    const tolerance = 60; // the default clockTolerance
    clock.advance((10 + tolerance) * 1000 - 1);
    assert.equal(await revocations.revokedBy({ jti: "short" }), "token", "still inside the clock tolerance");
    clock.advance(1);
    assert.equal(await revocations.revokedBy({ jti: "short" }), null);
    assert.equal(await revocations.revokedBy({ jti: "no-exp" }), "token");
    assert.equal(await revocations.revokedBy({ sub: "user-42", iat: WED_10 }), "subject");
    clock.advance((HOUR - 10) * 1000);
    assert.equal(await revocations.revokedBy({ jti: "no-exp" }), null);
    assert.equal(await revocations.revokedBy({ sub: "user-42", iat: WED_10 }), null);
    assert.equal(store.size, 0, "expired entries are gone");
    // A revocation of a token that has already expired is not kept.
    await revocations.revoke({ jti: "old", exp: WED_10 - 2 * HOUR });
    assert.equal(store.size, 0);
  });

  test("a bounded memory store never drops a live revocation: it refuses the new one", async () => {
    const clock = manualClock(WED_10 * 1000);
    const store = createMemoryStore({ max: 3, now: clock.now });
    const revocations = createStoreRevocations(store, { maxTokenLifetime: HOUR, now: clock.now });
    await store.seen("jkt.proof-1", WED_10 + 60); // a replay marker: may make room
    for (const jti of ["a", "b", "c"]) await revocations.revoke({ jti, exp: WED_10 + 600 });
    // The marker made room for "c"; now every entry is a live revocation: nothing gives way,
    // and a proof is refused as unanswerable (the guard's 503) rather than admitted unrecorded.
    await assert.rejects(store.seen("jkt.proof-2", WED_10 + 60), /full/);
    await assert.rejects(revocations.revoke({ jti: "d", exp: WED_10 + 600 }), /full/);
    for (const jti of ["a", "b", "c"]) assert.equal(await revocations.revokedBy({ jti }), "token", jti);
    clock.advance(601_000 + 60_000);
    await revocations.revoke({ jti: "d", exp: WED_10 + 1200 });
    assert.equal(await revocations.revokedBy({ jti: "d" }), "token");
  });

  test("a store that fails or does not answer: 503, fail closed", async () => {
    const t = await token({ jti: "t-1" });
    const failing = { get: () => Promise.reject(new Error("down")), put: () => Promise.resolve() };
    const hanging = { get: () => new Promise(() => {}), put: () => Promise.resolve() };
    const unusable = { get: () => Promise.resolve("yes"), put: () => Promise.resolve() };
    for (const [name, store] of Object.entries({ failing, hanging, unusable })) {
      const revocations = createStoreRevocations(store, { maxTokenLifetime: HOUR, timeout: 20 });
      const guard = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, revocations });
      const result = await guard.authorize(req(t), AT);
      assert.equal(result.ok, false, name);
      assert.deepEqual([result.status, result.code, result.error], [503, "ERR_REVOCATION_STORE_FAILED", "temporarily_unavailable"], name);
      assert.equal(result.response.status, 503);
      assert.equal(result.response.headers.get("retry-after"), "1");
      assert.equal(result.cause.code, "ERR_REVOCATION_STORE_FAILED");
      assert.ok(!JSON.stringify(await result.response.text()).includes(t), "no token in the answer");
    }
    // Refused before the store is asked: the store is not needed, and its failure does not show.
    const guard = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, revocations: createStoreRevocations(failing, { maxTokenLifetime: HOUR }) });
    assert.equal((await guard.authorize(req(await token({ exp: WED_10 - 1 })), AT)).code, "ERR_JWT_EXPIRED");
  });

  test("the store sees jti and sub, never the token; long identifiers by their hash", async () => {
    const seen = [];
    const memory = createMemoryStore({ now: manualClock(WED_10 * 1000).now });
    const recording = {
      get: (keys, options) => (seen.push(...keys, options.shardKey), memory.get(keys, options)),
      put: (k, value, expiresAt, options) => (seen.push(k), memory.put(k, value, expiresAt, options)),
    };
    const revocations = createStoreRevocations(recording, { maxTokenLifetime: HOUR });
    const guard = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, revocations });
    const long = "x".repeat(2000);
    const t = await token({ jti: long, sub: "user-1" });
    assert.equal((await guard.authorize(req(t), AT)).ok, true);
    await revocations.revoke({ jti: long, exp: WED_10 + 600 });
    assert.equal((await guard.authorize(req(t), AT)).code, "ERR_JWT_REVOKED");
    const hash = createHash("sha256").update(long).digest("base64url");
    assert.deepEqual(new Set(seen), new Set(["sub:user-1", `jti#${hash}`]));
  });

  test("the sync RevocationList still works, and a policy's list with a store", async () => {
    const listed = new RevocationList().revokeToken("t-1");
    const sync = createGuard({ keys, issuer: ISSUER, audience: AUDIENCE, revocations: listed });
    assert.equal((await sync.authorize(req(await token({ jti: "t-1" })), AT)).code, "ERR_JWT_REVOKED");
    assert.equal((await sync.authorize(req(await token({ jti: "t-2" })), AT)).ok, true);
    const policy = Policy.fromJson(MESSAGES, { revocations: new RevocationList().revokeToken("by-list") });
    const { guard, revocations } = setup({ policy });
    await revocations.revoke({ jti: "by-store", exp: WED_10 + 600 });
    const reader = (jti) => token({ jti, sub: "reader-1", roles: ["reader"], scope: "read:messages" });
    assert.equal((await guard.authorize(req(await reader("by-list")), AT)).code, "ERR_JWT_REVOKED");
    assert.equal((await guard.authorize(req(await reader("by-store")), AT)).code, "ERR_JWT_REVOKED");
    assert.equal((await guard.authorize(req(await reader("neither")), AT)).ok, true);
    const pub = await guard.authorize(req(await reader("by-store"), "/health"), AT);
    assert.equal(pub.ok && pub.public, true, "a public route needs no token, so no lookup");
  });

  test("one call into wasm per request, store or not", async () => {
    const { guard, revocations } = setup({ policy: Policy.fromJson(MESSAGES), webCrypto: false });
    const t = await token({ jti: "t-1", sub: "reader-1", roles: ["reader"], scope: "read:messages" });
    await guard.authorize(req(t), AT); // the verifier is made on first use
    for (const want of [undefined, "ERR_JWT_REVOKED"]) {
      const { calls, result } = await callsDuring(() => guard.authorize(req(t), AT));
      assert.deepEqual([result.code, calls], [want, 1]);
      await revocations.revoke({ jti: "t-1", exp: WED_10 + 600 });
    }
  });

  test("the DPoP replay stores are the store under their old names", async () => {
    const clock = manualClock(WED_10 * 1000);
    const replay = createMemoryReplayStore({ max: 2, now: clock.now });
    assert.equal(await replay.seen("a", WED_10 + 1), false);
    assert.equal(await replay.seen("a", WED_10 + 1), true);
    await replay.seen("b", WED_10 + 1);
    await replay.seen("c", WED_10 + 1); // the oldest goes
    assert.equal(replay.size, 2);
    assert.equal(await replay.seen("a", WED_10 + 1), false);
    clock.advance(1000);
    assert.equal(await replay.seen("c", WED_10 + 5), false, "expired");
  });

  test("misuse is a TypeError", async () => {
    const store = createMemoryStore();
    for (const [s, o] of [[{}, { maxTokenLifetime: 1 }], [store, undefined], [store, {}], [store, { maxTokenLifetime: -1 }], [store, { maxTokenLifetime: 1, timeout: 0 }], [store, { maxTokenLifetime: 1, lifetime: 1 }]]) {
      assert.throws(() => createStoreRevocations(s, o), (e) => e instanceof TypeError && e.code === "ERR_INVALID_ARG", JSON.stringify(o));
    }
    const revocations = createStoreRevocations(store, { maxTokenLifetime: HOUR });
    for (const bad of [() => revocations.revoke({ jti: "" }), () => revocations.revoke("t-1"), () => revocations.revoke({ jti: "a", exp: "soon" }), () => revocations.revokeSubject(""), () => revocations.revokeSubject("u", -1)]) {
      await assert.rejects(bad(), (e) => e instanceof TypeError && e.code === "ERR_INVALID_ARG");
    }
    await assert.rejects(store.put("", 0, 1), (e) => e.code === "ERR_INVALID_ARG");
    await assert.rejects(store.get(["k"], { shard: "x" }), (e) => e.code === "ERR_INVALID_ARG");
    assert.throws(() => createMemoryStore({ max: 0 }), (e) => e.code === "ERR_INVALID_ARG");
  });
});
