// createRemoteKeySet against a real JWKS server on 127.0.0.1: caching, Cache-Control,
// cooldown, timeout, stale-if-error, export/restore. Cache time comes from an injected
// clock; only the timeout tests wait on real time (a few hundred ms).

import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { KeySet, RemoteKeySet, createRemoteKeySet, createVerifier, isTollgateError } from "../../pkg/node.js";
import { jwksOf, makeKey, manualClock, mint, startKeyServer, ISSUER, AUDIENCE } from "./helpers.mjs";

const SECOND = 1000;
const MINUTE = 60 * SECOND;

let server;
let k1;
let k2;

before(async () => {
  [k1, k2] = await Promise.all([makeKey("k1"), makeKey("k2")]);
  server = await startKeyServer({ jwks: jwksOf(k1) });
});

after(async () => {
  await server?.close();
});

beforeEach(() => {
  server.setJwks(jwksOf(k1));
  server.setHeaders({});
  server.clearDelays();
  server.failWith(null);
  server.setRaw("/jwks.json", undefined);
  server.resetCounts();
});

const kids = (keys) => keys.keys.map((k) => k.kid).sort();

function remote(options = {}) {
  const clock = options.clock ?? manualClock();
  const { clock: _c, ...rest } = options;
  return { clock, keys: createRemoteKeySet(server.url(), { now: clock.now, ...rest }) };
}

describe("createRemoteKeySet: fetching and caching", () => {
  test("fetches on first get(), then serves the cached KeySet without fetching", async () => {
    const { keys } = remote();
    assert.ok(keys instanceof RemoteKeySet);
    assert.equal(keys.current(), undefined, "nothing before the first get()");
    assert.equal(server.count(), 0, "creating it does no I/O");
    const set = await keys.get();
    assert.ok(set instanceof KeySet);
    assert.deepEqual(kids(set), ["k1"]);
    assert.equal(server.count("/jwks.json"), 1);
    assert.equal(await keys.get(), set, "same object while fresh");
    assert.equal(keys.current(), set, "current() is synchronous");
    assert.equal(server.count(), 1);
  });

  test("the KeySet verifies a jose-minted token", async () => {
    const { keys } = remote();
    const verifier = createVerifier({ keys: await keys.get(), issuer: ISSUER, audience: AUDIENCE });
    assert.equal(verifier.verify(await mint(k1)).claims.sub, "user-1");
  });

  test("two concurrent cold get() calls: one fetch, the second waits for it (no shared promise)", async () => {
    server.delayNext(150);
    const { keys } = remote();
    const [a, b] = await Promise.all([keys.get(), keys.get()]);
    assert.equal(a, b);
    assert.equal(server.count(), 1);
  });

  test("without Cache-Control the set lives cacheMaxAge (default 10 min)", async () => {
    const { keys, clock } = remote();
    await keys.get();
    clock.advance(10 * MINUTE - 1);
    await keys.get();
    assert.equal(server.count(), 1);
    clock.advance(1);
    await keys.get();
    assert.equal(server.count(), 2);
  });

  test("cacheMaxAge is configurable", async () => {
    const { keys, clock } = remote({ cacheMaxAge: 90 * SECOND });
    await keys.get();
    clock.advance(90 * SECOND);
    await keys.get();
    assert.equal(server.count(), 2);
  });

  test("Cache-Control: max-age is honoured within [minCacheAge, maxCacheAge]", async () => {
    server.setHeaders({ "Cache-Control": "public, max-age=120" });
    const { keys, clock } = remote();
    await keys.get();
    clock.advance(120 * SECOND - 1);
    await keys.get();
    assert.equal(server.count(), 1);
    clock.advance(1);
    await keys.get();
    assert.equal(server.count(), 2);
    assert.equal(keys.export().expiresAt - keys.export().fetchedAt, 120 * SECOND);
  });

  test("a tiny max-age is raised to minCacheAge (default 30 s)", async () => {
    server.setHeaders({ "Cache-Control": "max-age=1" });
    const { keys, clock } = remote();
    await keys.get();
    clock.advance(29 * SECOND);
    await keys.get();
    assert.equal(server.count(), 1);
    clock.advance(SECOND);
    await keys.get();
    assert.equal(server.count(), 2);
  });

  test("a huge max-age is capped at maxCacheAge (default 24 h)", async () => {
    server.setHeaders({ "Cache-Control": "max-age=31536000" });
    const { keys } = remote();
    await keys.get();
    const { fetchedAt, expiresAt } = keys.export();
    assert.equal(expiresAt - fetchedAt, 24 * 60 * MINUTE);
  });

  test("custom bounds apply, and Age is subtracted from max-age", async () => {
    server.setHeaders({ "Cache-Control": "max-age=600", Age: "500" });
    const { keys } = remote({ minCacheAge: 10 * SECOND, maxCacheAge: 5 * MINUTE });
    await keys.get();
    let { fetchedAt, expiresAt } = keys.export();
    assert.equal(expiresAt - fetchedAt, 100 * SECOND);

    server.setHeaders({ "Cache-Control": "max-age=600" });
    const other = remote({ minCacheAge: 10 * SECOND, maxCacheAge: 5 * MINUTE }).keys;
    await other.get();
    ({ fetchedAt, expiresAt } = other.export());
    assert.equal(expiresAt - fetchedAt, 5 * MINUTE);
  });

  test("no-store / no-cache mean the shortest allowed lifetime, not a fetch per request", async () => {
    server.setHeaders({ "Cache-Control": "no-store" });
    const { keys } = remote();
    await keys.get();
    await keys.get();
    assert.equal(server.count(), 1);
    const { fetchedAt, expiresAt } = keys.export();
    assert.equal(expiresAt - fetchedAt, 30 * SECOND);
  });

  test("an unchanged JWKS keeps the same KeySet object (verifiers are not rebuilt)", async () => {
    const { keys, clock } = remote();
    const first = await keys.get();
    clock.advance(11 * MINUTE);
    const second = await keys.get();
    assert.equal(server.count(), 2);
    assert.equal(second, first);
    server.setJwks(jwksOf(k1, k2));
    clock.advance(11 * MINUTE);
    const third = await keys.get();
    assert.notEqual(third, first);
    assert.deepEqual(kids(third), ["k1", "k2"]);
  });

  test("sends Accept and the configured headers", async () => {
    let seen;
    const fetch = async (url, init) => {
      seen = new Headers(init.headers);
      return globalThis.fetch(url, init);
    };
    const { keys } = remote({ fetch, headers: { "X-Api-Key": "abc" } });
    await keys.get();
    assert.equal(seen.get("x-api-key"), "abc");
    assert.match(seen.get("accept"), /application\/json/);
  });
});

describe("createRemoteKeySet: rotation and the cooldown", () => {
  test("refresh({ kid }) for a new kid refetches exactly once", async () => {
    const { keys, clock } = remote();
    await keys.get();
    server.setJwks(jwksOf(k1, k2));
    clock.advance(30 * SECOND);
    assert.equal(await keys.refresh({ kid: "k2" }), true);
    assert.deepEqual(kids(keys.current()), ["k1", "k2"]);
    assert.equal(await keys.refresh({ kid: "k2" }), false, "k2 is known now: no fetch");
    assert.equal(server.count(), 2);
  });

  test("within the cooldown (default 30 s) after any fetch, refresh does not fetch", async () => {
    const { keys, clock } = remote();
    await keys.get();
    clock.advance(29 * SECOND);
    assert.equal(await keys.refresh({ kid: "nope" }), false);
    assert.equal(server.count(), 1);
    clock.advance(SECOND);
    assert.equal(await keys.refresh({ kid: "nope" }), true);
    assert.equal(await keys.refresh({ kid: "nope" }), false);
    assert.equal(server.count(), 2);
  });

  test("a flood of 1000 unknown kids in parallel: one fetch per cooldown", async () => {
    const { keys, clock } = remote({ cooldownDuration: 10 * SECOND });
    await keys.get();
    server.resetCounts();
    clock.advance(10 * SECOND);
    server.delayNext(50); // the flood overlaps the fetch
    const flood = (tag) => Array.from({ length: 1000 }, (_, i) => keys.refresh({ kid: `${tag}-${i}` }));
    let results = await Promise.all(flood("a"));
    assert.equal(results.filter(Boolean).length, 1, "exactly one caller fetched");
    assert.equal(server.count(), 1);

    clock.advance(5 * SECOND);
    results = await Promise.all(flood("b"));
    assert.equal(results.filter(Boolean).length, 0);
    assert.equal(server.count(), 1, "still within the cooldown");

    clock.advance(5 * SECOND);
    results = await Promise.all(flood("c"));
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal(server.count(), 2);
  });
});

describe("createRemoteKeySet: failures", () => {
  test("a server slower than timeoutDuration: ERR_JWKS_TIMEOUT", async () => {
    server.setDelay(2_000);
    const { keys } = remote({ timeoutDuration: 200 });
    const started = Date.now();
    await assert.rejects(keys.get(), (e) => {
      assert.ok(isTollgateError(e, "ERR_JWKS_TIMEOUT"), String(e));
      assert.equal(e.name, "TollgateError");
      assert.equal(e.status, undefined, "a server-side problem, not a token status");
      assert.match(e.message, /did not answer within 200 ms/);
      assert.ok(e.retryAfter >= 1);
      return true;
    });
    assert.ok(Date.now() - started < 1_500, "gave up at the timeout");
  });

  test("a custom fetch that ignores the abort signal still times out", async () => {
    const fetch = () => new Promise(() => {});
    const { keys } = remote({ fetch, timeoutDuration: 100 });
    await assert.rejects(keys.get(), (e) => e.code === "ERR_JWKS_TIMEOUT");
  });

  test("HTTP 500: ERR_JWKS_FETCH_FAILED", async () => {
    server.failWith(500);
    const { keys } = remote();
    await assert.rejects(keys.get(), (e) => {
      assert.equal(e.code, "ERR_JWKS_FETCH_FAILED");
      assert.equal(e.httpStatus, 500);
      assert.match(e.message, /HTTP 500/);
      return true;
    });
  });

  test("invalid JSON: ERR_JWKS_FETCH_FAILED", async () => {
    server.setRaw("/jwks.json", "{ not json");
    const { keys } = remote();
    await assert.rejects(keys.get(), (e) => e.code === "ERR_JWKS_FETCH_FAILED" && /not valid JSON/.test(e.message));
  });

  test("a JWKS without a usable key: ERR_JWKS_FETCH_FAILED caused by ERR_JWK_INVALID", async () => {
    server.setJwks({ keys: [{ kty: "oct", k: "c2hvcnQ", alg: "HS256" }] });
    const { keys } = remote();
    await assert.rejects(keys.get(), (e) => {
      assert.equal(e.code, "ERR_JWKS_FETCH_FAILED");
      assert.equal(e.cause?.code, "ERR_JWK_INVALID");
      return true;
    });
  });

  test("connection refused: ERR_JWKS_FETCH_FAILED; no query string or secret in the message", async () => {
    const dead = await startKeyServer();
    const url = `${dead.url()}?api_key=SECRET`;
    await dead.close();
    const keys = createRemoteKeySet(url, { headers: { Authorization: "Bearer SECRET2" } });
    await assert.rejects(keys.get(), (e) => {
      assert.equal(e.code, "ERR_JWKS_FETCH_FAILED");
      assert.doesNotMatch(e.message, /SECRET/);
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${dead.port}/jwks\\.json`));
      return true;
    });
  });

  test("after a failure with no set: fail fast (no fetch) until the cooldown ends", async () => {
    server.failWith(503);
    const { keys, clock } = remote();
    await assert.rejects(keys.get(), (e) => e.code === "ERR_JWKS_FETCH_FAILED");
    clock.advance(10 * SECOND);
    await assert.rejects(keys.get(), (e) => e.code === "ERR_JWKS_FETCH_FAILED" && e.retryAfter === 20);
    assert.equal(server.count(), 1);
    server.failWith(null);
    clock.advance(20 * SECOND);
    assert.deepEqual(kids(await keys.get()), ["k1"]);
    assert.equal(server.count(), 2);
  });

  test("stale-if-error: the last good set is served while refetches fail, then errors", async () => {
    const { keys, clock } = remote({ staleIfError: 20 * MINUTE });
    const good = await keys.get();
    server.failWith(500);
    clock.advance(10 * MINUTE); // expired
    assert.equal(await keys.get(), good, "refetch failed: stale set");
    assert.equal(server.count(), 2);
    clock.advance(10 * SECOND);
    assert.equal(await keys.get(), good, "within the failure backoff: no fetch");
    assert.equal(server.count(), 2);
    clock.advance(20 * MINUTE - 10 * SECOND - 1); // 1 ms before expiresAt + staleIfError
    assert.equal(await keys.get(), good);
    assert.equal(keys.current(), good);
    clock.advance(1);
    assert.equal(keys.current(), undefined, "past staleIfError");
    await assert.rejects(keys.get(), (e) => e.code === "ERR_JWKS_FETCH_FAILED");
    server.failWith(null);
    clock.advance(30 * SECOND);
    assert.equal(await keys.get(), good, "recovers; same JWKS, same object");
  });

  test("stale-if-error also covers the server going down", async () => {
    const flaky = await startKeyServer({ jwks: jwksOf(k1) });
    try {
      const clock = manualClock();
      const keys = createRemoteKeySet(flaky.url(), { now: clock.now });
      const good = await keys.get();
      await flaky.down();
      clock.advance(11 * MINUTE);
      assert.equal(await keys.get(), good);
      clock.advance(2 * 60 * MINUTE);
      await assert.rejects(keys.get(), (e) => e.code === "ERR_JWKS_FETCH_FAILED");
      await flaky.up();
      clock.advance(MINUTE);
      assert.equal(await keys.get(), good);
    } finally {
      await flaky.close();
    }
  });
});

describe("createRemoteKeySet: export and restore", () => {
  test("export() is JSON; initial restores it without a fetch; KeySet.fromJwks reads it", async () => {
    server.setHeaders({ "Cache-Control": "max-age=300" });
    const { keys, clock } = remote();
    assert.equal(keys.export(), undefined);
    await keys.get();
    const exported = keys.export();
    assert.deepEqual(Object.keys(exported).sort(), ["expiresAt", "fetchedAt", "jwks", "url"]);
    assert.equal(exported.url, server.url());
    assert.equal(exported.fetchedAt, clock.t);
    assert.equal(exported.expiresAt, clock.t + 300 * SECOND);
    const text = JSON.stringify(exported);
    assert.deepEqual(JSON.parse(JSON.stringify(keys)), exported, "toJSON");
    assert.deepEqual(kids(KeySet.fromJwks(JSON.parse(text).jwks)), ["k1"]);

    server.resetCounts();
    const restored = createRemoteKeySet(server.url(), { now: clock.now, initial: JSON.parse(text) });
    assert.deepEqual(kids(restored.current()), ["k1"]);
    await restored.get();
    const fromText = createRemoteKeySet(server.url(), { now: clock.now, initial: text });
    await fromText.get();
    assert.equal(server.count(), 0, "fresh restored state: no fetch");

    clock.advance(300 * SECOND);
    await restored.get();
    assert.equal(server.count(), 1, "expired restored state: refetched");
  });

  test("an expired restored set is still a stale-if-error fallback", async () => {
    const { keys, clock } = remote();
    await keys.get();
    const exported = keys.export();
    server.failWith(500);
    clock.advance(15 * MINUTE);
    const restored = createRemoteKeySet(server.url(), { now: clock.now, initial: exported });
    assert.deepEqual(kids(await restored.get()), ["k1"]);
  });

  test("a state exported for another URL is ignored; a malformed one is a TypeError", async () => {
    const { keys, clock } = remote();
    await keys.get();
    const other = createRemoteKeySet(server.url("/other.json"), { now: clock.now, initial: keys.export() });
    assert.equal(other.current(), undefined);
    for (const initial of [42, "not json", { url: server.url() }, { ...keys.export(), fetchedAt: "x" }]) {
      assert.throws(
        () => createRemoteKeySet(server.url(), { initial }),
        (e) => e instanceof TypeError && e.code === "ERR_INVALID_ARG",
      );
    }
  });
});

describe("createRemoteKeySet: options", () => {
  test("misuse is a TypeError with ERR_INVALID_ARG", () => {
    const bad = [
      () => createRemoteKeySet("not a url"),
      () => createRemoteKeySet("ftp://example.com/jwks"),
      () => createRemoteKeySet("http://idp.example/jwks", {}),
      () => createRemoteKeySet(server.url(), { cacheMaxAg: 1 }),
      () => createRemoteKeySet(server.url(), { cooldownDuration: -1 }),
      () => createRemoteKeySet(server.url(), { timeoutDuration: 0 }),
      () => createRemoteKeySet(server.url(), { minCacheAge: 10, maxCacheAge: 5 }),
      () => createRemoteKeySet(server.url(), { fetch: "nope" }),
      () => createRemoteKeySet(server.url(), { algorithms: "RS256" }),
      () => new RemoteKeySet(),
    ];
    for (const fn of bad) assert.throws(fn, (e) => e instanceof TypeError && e.code === "ERR_INVALID_ARG", String(fn));
  });

  test("http is allowed for loopback hosts or with dangerouslyAllowHttp; https always", () => {
    createRemoteKeySet("https://idp.example/jwks");
    createRemoteKeySet("http://localhost:8080/jwks");
    createRemoteKeySet("http://[::1]:8080/jwks");
    createRemoteKeySet("http://idp.internal/jwks", { dangerouslyAllowHttp: true });
  });

  test("algorithms binds JWKs that have no alg", async () => {
    const { alg: _alg, ...noAlg } = k1.jwk;
    server.setJwks({ keys: [noAlg] });
    const { keys } = remote({ algorithms: ["ES256"] });
    assert.deepEqual((await keys.get()).keys, [{ kid: "k1", alg: "ES256", kty: "EC" }]);
  });
});
