// OpenID Connect discovery (discoverKeySet) and keys per issuer (createIssuerKeys) against
// the real key server on 127.0.0.1.

import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  IssuerKeys,
  KeySet,
  RemoteKeySet,
  createGuard,
  createIssuerKeys,
  createRemoteKeySet,
  discoverKeySet,
} from "../../pkg/node.js";
import { AUDIENCE, REALM, jwksOf, makeKey, manualClock, mint, readResponse, startKeyServer } from "./helpers.mjs";

const WELL_KNOWN = "/.well-known/openid-configuration";

let server;
let ka;
let kb;

before(async () => {
  [ka, kb] = await Promise.all([makeKey("tenant-a-1"), makeKey("tenant-b-1")]);
  server = await startKeyServer();
});

after(async () => {
  await server?.close();
});

beforeEach(() => {
  server.setHeaders({});
  server.failWith(null);
  server.clearDelays();
  server.resetCounts();
  server.setDocument("/a/jwks.json", jwksOf(ka));
  server.setDocument("/b/jwks.json", jwksOf(kb));
  // Tenant A's issuer has no trailing slash, tenant B's has one (§4.1 removes it before the well-known path).
  server.setDocument(`/a${WELL_KNOWN}`, { issuer: issuerA(), jwks_uri: server.url("/a/jwks.json") });
  server.setDocument(`/b${WELL_KNOWN}`, { issuer: issuerB(), jwks_uri: server.url("/b/jwks.json") });
});

const issuerA = () => `${server.origin}/a`;
const issuerB = () => `${server.origin}/b/`;
const bearer = (t) => new Request("https://api.example/x", { headers: { Authorization: `Bearer ${t}` } });

describe("discoverKeySet", () => {
  test("no I/O until first use; then the document, then the JWKS; both cached", async () => {
    const clock = manualClock();
    const keys = discoverKeySet(issuerA(), { now: clock.now });
    assert.ok(keys instanceof RemoteKeySet);
    assert.equal(keys.issuer, issuerA());
    assert.equal(keys.url, undefined);
    assert.equal(server.count(), 0);
    const set = await keys.get();
    assert.deepEqual(set.keys.map((k) => k.kid), ["tenant-a-1"]);
    assert.equal(keys.url, server.url("/a/jwks.json"));
    assert.equal(server.count(`/a${WELL_KNOWN}`), 1);
    assert.equal(server.count("/a/jwks.json"), 1);
    await keys.get();
    assert.equal(server.count(), 2);
  });

  test("a trailing slash on the issuer is removed before /.well-known (OIDC Discovery §4.1)", async () => {
    const keys = discoverKeySet(issuerB());
    assert.deepEqual((await keys.get()).keys.map((k) => k.kid), ["tenant-b-1"]);
    assert.equal(server.count(`/b${WELL_KNOWN}`), 1);
  });

  test("the document's issuer must equal the configured one exactly", async () => {
    // Configured with a slash, document without (and vice versa): both mismatches.
    for (const [configured, path] of [[`${server.origin}/a/`, "/a"], [`${server.origin}/b`, "/b"]]) {
      const keys = discoverKeySet(configured);
      await assert.rejects(keys.get(), (e) => {
        assert.equal(e.code, "ERR_DISCOVERY_ISSUER_MISMATCH");
        assert.equal(e.name, "TollgateError");
        assert.match(e.message, /not the configured issuer/);
        return true;
      });
      assert.equal(server.count(`${path}/jwks.json`), 0, "no keys from a mismatched document");
    }
  });

  test("a guard over a mismatched discovery answers 503", async () => {
    server.setDocument(`/a${WELL_KNOWN}`, { issuer: "https://evil.example", jwks_uri: server.url("/a/jwks.json") });
    const guard = createGuard({ keys: discoverKeySet(issuerA()), audience: AUDIENCE, realm: REALM });
    const result = await guard.authorize(bearer(await mint(ka, { iss: issuerA() })));
    assert.equal(result.status, 503);
    assert.equal(result.code, "ERR_DISCOVERY_ISSUER_MISMATCH");
  });

  test("a document without jwks_uri, or with an http jwks_uri off loopback, is refused", async () => {
    server.setDocument(`/a${WELL_KNOWN}`, { issuer: issuerA() });
    await assert.rejects(discoverKeySet(issuerA()).get(), (e) => e.code === "ERR_JWKS_FETCH_FAILED" && /no jwks_uri/.test(e.message));
    server.setDocument(`/a${WELL_KNOWN}`, { issuer: issuerA(), jwks_uri: "http://idp.example/jwks" });
    await assert.rejects(discoverKeySet(issuerA()).get(), (e) => e.code === "ERR_JWKS_FETCH_FAILED" && /https/.test(e.message));
  });

  test("the guard takes the discovered issuer by default and verifies tokens", async () => {
    const guard = createGuard({ keys: discoverKeySet(issuerA()), audience: AUDIENCE, realm: REALM });
    const ok = await guard.authorize(bearer(await mint(ka, { iss: issuerA() })));
    assert.equal(ok.ok, true, ok.description);
    const wrongIss = await guard.authorize(bearer(await mint(ka, { iss: issuerB() })));
    assert.equal(wrongIss.status, 401);
    assert.equal(wrongIss.code, "ERR_JWT_CLAIM_VALIDATION_FAILED");
  });

  test("the document is re-read when the JWKS expires and it has too; a new jwks_uri is followed", async () => {
    const clock = manualClock();
    const keys = discoverKeySet(issuerA(), { now: clock.now });
    await keys.get();
    server.setDocument(`/a${WELL_KNOWN}`, { issuer: issuerA(), jwks_uri: server.url("/b/jwks.json") });
    clock.advance(10 * 60_000);
    const set = await keys.get();
    assert.equal(server.count(`/a${WELL_KNOWN}`), 2);
    assert.equal(keys.url, server.url("/b/jwks.json"));
    assert.deepEqual(set.keys.map((k) => k.kid), ["tenant-b-1"]);
  });

  test("a discovery outage does not take down a known jwks_uri", async () => {
    const clock = manualClock();
    const keys = discoverKeySet(issuerA(), { now: clock.now });
    await keys.get();
    server.setDocument(`/a${WELL_KNOWN}`, { issuer: "https://changed.example", jwks_uri: server.url("/a/jwks.json") });
    clock.advance(3 * 60 * 60_000); // past staleIfError for both
    assert.deepEqual((await keys.get()).keys.map((k) => k.kid), ["tenant-a-1"]);
  });

  test("export() includes the discovery document; initial restores both without I/O", async () => {
    const clock = manualClock();
    const keys = discoverKeySet(issuerA(), { now: clock.now });
    await keys.get();
    const exported = JSON.parse(JSON.stringify(keys.export()));
    assert.equal(exported.url, server.url("/a/jwks.json"));
    assert.equal(exported.issuer, issuerA());
    assert.equal(exported.discovery.url, `${issuerA()}${WELL_KNOWN}`);
    assert.deepEqual(KeySet.fromJwks(exported.jwks).keys.map((k) => k.kid), ["tenant-a-1"]);
    server.resetCounts();
    const restored = discoverKeySet(issuerA(), { now: clock.now, initial: exported });
    assert.equal(restored.url, server.url("/a/jwks.json"));
    await restored.get();
    assert.equal(server.count(), 0);
  });

  test("misuse is a TypeError", () => {
    for (const fn of [
      () => discoverKeySet(""),
      () => discoverKeySet("http://idp.example"),
      () => discoverKeySet("https://idp.example", { bogus: 1 }),
    ]) {
      assert.throws(fn, (e) => e instanceof TypeError && e.code === "ERR_INVALID_ARG");
    }
  });
});

describe("keys per issuer", () => {
  let a;
  let b;
  let guard;
  before(() => {
    a = createRemoteKeySet(server.url("/a/jwks.json"));
    b = KeySet.fromJwks(jwksOf(kb));
    guard = createGuard({ keys: createIssuerKeys({ [issuerA()]: a, [issuerB()]: b }), audience: AUDIENCE, realm: REALM });
  });

  test("each issuer's tokens verify with its own keys", async () => {
    const ra = await guard.authorize(bearer(await mint(ka, { iss: issuerA() })));
    assert.equal(ra.ok, true, ra.description);
    assert.equal(ra.claims.iss, issuerA());
    const rb = await guard.authorize(bearer(await mint(kb, { iss: issuerB() })));
    assert.equal(rb.ok, true, rb.description);
    assert.equal(rb.claims.iss, issuerB());
  });

  test("a token claiming tenant A but signed with tenant B's key fails", async () => {
    const forged = await mint(kb, { iss: issuerA() });
    const result = await guard.authorize(bearer(forged));
    assert.equal(result.status, 401);
    assert.equal(result.code, "ERR_JWKS_NO_MATCHING_KEY");
    const sameKid = await mint({ ...kb, kid: "tenant-a-1" }, { iss: issuerA() });
    assert.equal((await guard.authorize(bearer(sameKid))).code, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
  });

  test("an unknown iss: 401 invalid_token, ERR_JWT_CLAIM_VALIDATION_FAILED, claim iss", async () => {
    for (const iss of ["https://unknown.example/", "constructor", "__proto__", "toString", `${issuerA()}/`]) {
      const result = await guard.authorize(bearer(await mint(ka, { iss })));
      assert.equal(result.status, 401, iss);
      assert.equal(result.code, "ERR_JWT_CLAIM_VALIDATION_FAILED");
      assert.equal(result.cause.claim, "iss");
      assert.equal(result.cause.reason, "check_failed");
      const res = await readResponse(result.response);
      assert.equal(
        res.headers.get("www-authenticate"),
        `Bearer realm="${REALM}", error="invalid_token", error_description="iss claim check failed"`,
      );
      assert.deepEqual(res.json, { error: "invalid_token", error_description: "iss claim check failed" });
    }
  });

  test("no iss: 401 with reason missing; a malformed token: 401 ERR_JWS_INVALID with the realm", async () => {
    const result = await guard.authorize(bearer(await mint(ka, { iss: undefined })));
    assert.equal(result.code, "ERR_JWT_CLAIM_VALIDATION_FAILED");
    assert.equal(result.cause.reason, "missing");
    const bad = await guard.authorize(bearer("abc.def.ghi"));
    assert.equal(bad.code, "ERR_JWS_INVALID");
    assert.match(bad.response.headers.get("www-authenticate"), /^Bearer realm="api", error="invalid_token", error_description="/);
  });

  test("the function form (may be async) and a Map", async () => {
    const byFunction = createGuard({
      keys: createIssuerKeys(async (iss) => (iss === issuerB() ? b : undefined)),
      audience: AUDIENCE,
    });
    assert.equal((await byFunction.authorize(bearer(await mint(kb, { iss: issuerB() })))).ok, true);
    assert.equal((await byFunction.authorize(bearer(await mint(ka, { iss: issuerA() })))).code, "ERR_JWT_CLAIM_VALIDATION_FAILED");

    const byMap = createGuard({ keys: new Map([[issuerB(), b]]), audience: AUDIENCE });
    assert.equal((await byMap.authorize(bearer(await mint(kb, { iss: issuerB() })))).ok, true);

    const plainObject = createGuard({ keys: { [issuerB()]: b }, audience: AUDIENCE });
    assert.equal((await plainObject.authorize(bearer(await mint(kb, { iss: issuerB() })))).ok, true);
  });

  test("misuse is a TypeError", async () => {
    assert.ok(createIssuerKeys({ x: b }) instanceof IssuerKeys);
    for (const fn of [
      () => createIssuerKeys({}),
      () => createIssuerKeys({ x: "keys" }),
      () => createIssuerKeys("x"),
      () => new IssuerKeys(),
    ]) {
      assert.throws(fn, (e) => e instanceof TypeError && e.code === "ERR_INVALID_ARG");
    }
    const bogus = createGuard({ keys: createIssuerKeys(() => "not keys"), audience: AUDIENCE });
    await assert.rejects(bogus.authorize(bearer(await mint(kb, { iss: issuerB() }))), (e) => e.code === "ERR_INVALID_ARG");
  });
});
