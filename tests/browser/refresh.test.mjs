// scheduleRefresh in headless Chromium under Playwright's fake clock (page.clock): the
// call comes skew (+ jitter) before exp and not earlier, the new token is scheduled, a
// hidden tab calls nothing and catches up when it shows, cancel() stops it, onError gets
// a failed refresh. The tab is hidden for real — a second tab opened in front of it — in
// a Chromium the harness starts without Playwright's focus emulation (see harness.mjs),
// so document.visibilityState and visibilitychange are the browser's own.

import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { SignJWT, generateKeyPair } from "jose";
import { startBrowser } from "./harness.mjs";

const T0 = 1_700_000_000_000; // the fake clock's start, ms
const S = 1000;

let b;
let page;
let privateKey;

/** A real ES256 JWT whose exp is `ttl` seconds after the page's (fake) now. */
async function mint(ttl) {
  const now = Math.floor((await page.evaluate(() => Date.now())) / S);
  return new SignJWT({ scope: "read:messages" })
    .setProtectedHeader({ alg: "ES256", kid: "refresh-test" })
    .setIssuer("https://issuer.example/")
    .setAudience("https://api.example")
    .setSubject("refresh-user")
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .sign(privateKey);
}

const state = () => page.evaluate(() => ({
  calls: window.calls,
  errors: window.errors,
  active: window.handle?.active,
  token: window.handle?.token,
  refreshAt: window.handle?.refreshAt,
  visibility: document.visibilityState,
}));
const now = () => page.evaluate(() => Date.now());
const start = (token, options) => page.evaluate(([t, o]) => window.start(t, o), [token, options]);

before(async () => {
  ({ privateKey } = await generateKeyPair("ES256"));
  b = await startBrowser({ realVisibility: true });
  page = b.page;
  await page.clock.install({ time: T0 });
  await page.goto(`${b.server.url}/tests/browser/refresh.html`, { waitUntil: "load" });
  await page.waitForSelector("body[data-ready=true]");
  // From here time moves only when the test says (runFor): a whole second, so that the
  // tokens' exp (whole seconds) falls on the page's clock exactly.
  await page.clock.pauseAt(T0 + 60 * S);
});

after(async () => {
  await b?.close();
});

beforeEach(async () => {
  await page.evaluate(() => {
    window.handle?.cancel();
    window.calls = [];
    window.errors = [];
    window.answers = [];
  });
  const ms = (await now()) % S;
  if (ms !== 0) await page.clock.runFor(S - ms); // back on a whole second, as tokens are
});

describe("scheduleRefresh in Chromium", { timeout: 60_000 }, () => {
  test("calls refresh skew before exp, not earlier, and schedules the token it gives", async () => {
    const t = await now();
    const first = await mint(600);
    const second = await mint(540 + 600); // what the auth server will hand back, valid 10 minutes then
    await page.evaluate((token) => window.answers.push({ token }), second);
    assert.equal(await start(first, { jitter: 0 }), t + 540 * S);
    await page.clock.runFor(540 * S - 1);
    assert.equal((await state()).calls.length, 0, "not a millisecond early");
    await page.clock.runFor(1);
    const s = await state();
    assert.deepEqual(s.calls, [{ at: t + 540 * S, visibility: "visible" }]);
    assert.equal(s.token, second, "the handle hands back the new token");
    assert.equal(s.refreshAt, t + 540 * S + 540 * S, "the new token is scheduled the same way");
    await page.clock.runFor(540 * S);
    assert.equal((await state()).calls.length, 2);
    b.assertNoProblems();
  });

  test("the default jitter brings the call forward by at most 30 s, and it comes at refreshAt", async () => {
    const t = await now();
    const at = await start(await mint(3600));
    assert.ok(at >= t + (3600 - 60 - 30) * S && at <= t + (3600 - 60) * S, `${at - t} ms`);
    await page.clock.runFor(at - t - 1);
    assert.equal((await state()).calls.length, 0);
    await page.clock.runFor(1);
    assert.deepEqual((await state()).calls.map((c) => c.at), [at]);
    b.assertNoProblems();
  });

  test("a hidden tab calls nothing; the due refresh fires when it shows again", async () => {
    const t = await now();
    await start(await mint(600), { jitter: 0 });
    const other = await page.context().newPage(); // a tab in front: ours is hidden
    try {
      assert.equal((await state()).visibility, "hidden");
      await page.clock.runFor(3600 * S); // past the refresh and past exp
      let s = await state();
      assert.equal(s.calls.length, 0, "nothing while hidden");
      assert.equal(s.refreshAt, t + 540 * S, "still planned, overdue");
      await page.bringToFront();
      await page.waitForFunction(() => document.visibilityState === "visible");
      s = await state();
      assert.deepEqual(s.calls, [{ at: t + 3600 * S, visibility: "visible" }], "caught up at once, once");
      // Flipping visibility again calls nothing more for the same token.
      await other.bringToFront();
      await page.waitForFunction(() => document.visibilityState === "hidden");
      await page.bringToFront();
      await page.waitForFunction(() => document.visibilityState === "visible");
      await page.clock.runFor(3600 * S);
      assert.equal((await state()).calls.length, 1);
    } finally {
      await other.close();
    }
    b.assertNoProblems();
  });

  test("cancel() stops it", async () => {
    await start(await mint(600));
    await page.evaluate(() => window.handle.cancel());
    await page.clock.runFor(3600 * S);
    const s = await state();
    assert.deepEqual([s.calls.length, s.active, s.refreshAt], [0, false, null]);
    b.assertNoProblems();
  });

  test("onError gets a failed refresh; it is retried after retryDelay while the token lasts", async () => {
    const t = await now();
    const next = await mint(1200);
    await page.evaluate((token) => window.answers.push({ error: "auth server unreachable" }, { token }), next);
    await start(await mint(600), { jitter: 0 });
    await page.clock.runFor(540 * S);
    let s = await state();
    assert.equal(s.calls.length, 1);
    assert.deepEqual(s.errors, [{ message: "auth server unreachable", active: true }]);
    assert.equal(s.refreshAt, t + 550 * S, "retried 10 s later (the default retryDelay)");
    await page.clock.runFor(10 * S);
    s = await state();
    assert.equal(s.calls.length, 2);
    assert.equal(s.token, next);
    assert.equal(s.errors.length, 1);
    b.assertNoProblems();
  });
});
