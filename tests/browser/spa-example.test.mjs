// examples/spa/ in headless Chromium: the stub refresh endpoint and API are routed by the
// test. The token stays in memory, buttons follow the token's scopes (hasScopes), and a
// refresh happens before expiry (expiresIn). Console errors and page errors fail the test.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { SignJWT, generateKeyPair } from "jose";
import { SHOTS, startBrowser } from "./harness.mjs";

let b;
let page;
let privateKey;
const refreshes = []; // what the stub refresh endpoint answered, in order
const apiCalls = [];
let nextTokens = [];
let sessionOver = false;

async function mint({ scope, ttl, sub = "spa-user", roles }) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(roles === undefined ? { scope } : { scope, roles })
    .setProtectedHeader({ alg: "ES256", kid: "spa" })
    .setIssuer("https://issuer.example/")
    .setAudience("https://api.example")
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .sign(privateKey);
}

const visible = (id) => page.isVisible(`#${id}`);

before(async () => {
  ({ privateKey } = await generateKeyPair("ES256"));
  b = await startBrowser();
  page = b.page;
  await page.route("**/auth/refresh", async (route) => {
    if (sessionOver) {
      refreshes.push("401");
      return route.fulfill({ status: 401, body: "" });
    }
    const token = nextTokens.shift() ?? (await mint({ scope: "read:messages", ttl: 600 }));
    refreshes.push(token);
    return route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ access_token: token }) });
  });
  await page.route("**/api/messages", (route) => {
    apiCalls.push(route.request().headers().authorization);
    return route.fulfill({ status: 200, contentType: "application/json", body: "[]" });
  });
});

after(async () => {
  await b?.close();
});

describe("examples/spa", { timeout: 60_000 }, () => {
  test("signs in through the refresh endpoint; buttons follow the scopes; refreshes before expiry", async () => {
    // A 4-second token with read only, then one with read and write.
    nextTokens = [
      await mint({ scope: "read:messages", ttl: 4 }),
      await mint({ scope: "read:messages write:messages", ttl: 600 }),
    ];
    await page.goto(`${b.server.url}/examples/spa/`, { waitUntil: "load" });
    await page.waitForSelector("#signed-in:not([hidden])");
    assert.equal(refreshes.length, 1);
    assert.equal(await page.textContent("#user"), "spa-user");
    assert.equal(await visible("read"), true);
    assert.equal(await visible("write"), false);
    assert.equal(await visible("admin"), false);
    assert.match(await page.textContent("#refresh-at"), /^in 0:0[0-2]$/);

    // scheduleRefresh: the 4 s token is within a minute of exp, so it refreshes after minDelay (1 s).
    await page.waitForSelector("#write:not([hidden])", { timeout: 5000 });
    assert.equal(refreshes.length, 2);
    // The new token's refresh, once scheduled (the status line redraws every second):
    // 600 s - 60 s, less at most 30 s of jitter.
    await page.waitForFunction(() => /^in (8|9):\d\d$/.test(document.querySelector("#refresh-at").textContent), null, { timeout: 3000 });
    await page.screenshot({ path: join(SHOTS, "spa-example.png"), fullPage: true });

    // The token is in memory only.
    const stored = await page.evaluate(() => ({
      local: Object.keys(localStorage).length,
      session: Object.keys(sessionStorage).length,
      cookie: document.cookie,
      url: location.href,
    }));
    assert.deepEqual({ ...stored, url: undefined }, { local: 0, session: 0, cookie: "", url: undefined });
    assert.ok(!stored.url.includes(refreshes[1]));

    // The API gets the current token as a Bearer header.
    await page.click("#read");
    await page.waitForSelector("#log li");
    assert.deepEqual(apiCalls, [`Bearer ${refreshes[1]}`]);
    b.assertNoProblems();
  });

  test("a pasted malformed token hides all gated UI; an admin token shows Admin (mode any)", async () => {
    await page.click("summary");
    await page.fill("#paste", "not-a-token");
    await page.click("#use-token");
    assert.equal(await page.textContent("#expires"), "malformed");
    for (const id of ["read", "write", "admin", "moderate"]) assert.equal(await visible(id), false, id);

    await page.fill("#paste", await mint({ scope: "owner", ttl: 600, sub: "root" }));
    await page.click("#use-token");
    assert.equal(await page.textContent("#user"), "root");
    assert.equal(await visible("admin"), true);
    assert.equal(await visible("read"), false);
    b.assertNoProblems();
  });

  test("a route gated by the policy (tollgate/policy in Chromium): role and scope, from decode()", async () => {
    // admin:messages without the moderator role: the policy would refuse, so no button.
    await page.fill("#paste", await mint({ scope: "admin:messages write:messages", ttl: 600 }));
    await page.click("#use-token");
    assert.equal(await visible("write"), true);
    assert.equal(await visible("moderate"), false);
    // With the role, in a token of at most 15 minutes: shown.
    await page.fill("#paste", await mint({ scope: "admin:messages", roles: ["moderator"], ttl: 600, sub: "mod" }));
    await page.click("#use-token");
    assert.equal(await page.textContent("#user"), "mod");
    assert.equal(await visible("moderate"), true);
    // The same role with a one-hour token: maxTokenLifetime refuses it, hidden again.
    await page.fill("#paste", await mint({ scope: "admin:messages", roles: ["moderator"], ttl: 3600 }));
    await page.click("#use-token");
    assert.equal(await visible("moderate"), false);
    b.assertNoProblems();
  });

  test("an expired token reads as expired: nothing gated is shown", async () => {
    await page.fill("#paste", await mint({ scope: "read:messages write:messages", ttl: -10 }));
    sessionOver = true; // the scheduled refresh (MIN_DELAY) gets a 401
    const mark = b.problems.length;
    await page.click("#use-token");
    for (const id of ["read", "write"]) assert.equal(await visible(id), false, id);
    // …and the refresh that follows finds the session over: signed out.
    await page.waitForSelector("#signed-out:not([hidden])", { timeout: 5000 });
    assert.match(await page.textContent("#signed-out-reason"), /session has ended/);
    // The 401 is this test's doing (Chromium logs it as a console error too).
    const expected = b.problems.splice(mark);
    for (const p of expected) assert.match(p, /auth\/refresh|status of 401/);
    b.assertNoProblems();
  });
});
