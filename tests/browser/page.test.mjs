// The www/ page in headless Chromium (Debian's, driven by playwright-core): paste a
// token and a JWKS, press Verify, read the verdict. Any console error, page error or
// failed request fails the test. Screenshots go to tests/browser/screenshots/.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { serveStatic } from "./static-server.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");
const SHOTS = join(HERE, "screenshots");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ISSUER = "https://issuer.example";
const AUDIENCE = "https://api.example";

let server;
let browser;
let page;
const problems = [];
let jwks;
let privateKey;

async function mint(claims = {}, { exp = "10m" } = {}) {
  return new SignJWT({ scope: "read:messages", ...claims })
    .setProtectedHeader({ alg: "ES256", kid: "page-test", typ: "at+jwt" })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject("page-user")
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(privateKey);
}

before(async () => {
  assert.ok(existsSync(join(ROOT, "pkg/wasm/tollgate_wasm_bg.wasm")), "pkg/wasm is missing: run `make pkg` first");
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run \`make tools\``);
  await mkdir(SHOTS, { recursive: true });

  const pair = await generateKeyPair("ES256", { extractable: true });
  privateKey = pair.privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: "page-test", alg: "ES256", use: "sig" }] };

  server = await serveStatic(ROOT);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: "light" });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console.${msg.type()}: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  page.on("requestfailed", (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  // Only this origin: the page must not reach out anywhere else.
  await context.route(
    (url) => !url.href.startsWith(server.url) && !url.href.startsWith("data:"),
    (route) => {
      problems.push(`request outside the page's origin: ${route.request().url()}`);
      return route.abort();
    },
  );

  await page.goto(`${server.url}/www/`, { waitUntil: "load" });
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function check({ token, scopes = "", keys = jwks, issuer = ISSUER, audience = AUDIENCE }) {
  await page.fill("#token", token);
  await page.fill("#jwks", typeof keys === "string" ? keys : JSON.stringify(keys, null, 2));
  await page.fill("#issuer", issuer);
  await page.fill("#audience", audience);
  await page.fill("#scopes", scopes);
  // Reset the verdict so we wait for this run's answer, not the previous one.
  await page.evaluate(() => {
    document.getElementById("result").dataset.state = "pending";
  });
  await page.click("#verify");
  await page.waitForFunction(() => document.getElementById("result").dataset.state !== "pending");
  return {
    state: await page.getAttribute("#result", "data-state"),
    verdict: (await page.textContent("#verdict")).trim(),
    code: (await page.textContent("#error-code")).trim(),
    status: (await page.textContent("#error-status")).trim(),
    challenge: (await page.textContent("#www-authenticate")).trim(),
  };
}

const assertNoProblems = () => assert.deepEqual(problems, [], problems.join("\n"));

describe("www/index.html", { timeout: 120_000 }, () => {
  test("loads without errors and shows the form", async () => {
    assert.equal(await page.title(), "tollgate — verify a JWT access token in your browser");
    assert.equal(await page.isEnabled("#verify"), true);
    assertNoProblems();
  });

  test("a valid token: 'valid' and its claims", async () => {
    const result = await check({ token: await mint(), scopes: "read:messages" });
    assert.equal(result.state, "valid");
    assert.equal(result.verdict, "valid");
    assert.equal((await page.textContent("#subject")).trim(), "page-user");
    assert.match(await page.textContent("#granted"), /read:messages/);
    const claims = JSON.parse(await page.textContent("#claims"));
    assert.equal(claims.iss, ISSUER);
    assert.equal(claims.aud, AUDIENCE);
    await page.screenshot({ path: join(SHOTS, "valid.png"), fullPage: true });
    assertNoProblems();
  });

  test("one signature character flipped: ERR_JWS_SIGNATURE_VERIFICATION_FAILED, 401", async () => {
    const token = await mint();
    const dot = token.lastIndexOf(".");
    const tampered = token.slice(0, dot + 1) + (token[dot + 1] === "A" ? "B" : "A") + token.slice(dot + 2);
    const result = await check({ token: tampered });
    assert.equal(result.state, "invalid");
    assert.equal(result.verdict, "invalid");
    assert.equal(result.code, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    assert.equal(result.status, "401");
    assert.match(result.challenge, /error="invalid_token"/);
    await page.screenshot({ path: join(SHOTS, "tampered.png"), fullPage: true });
    assertNoProblems();
  });

  test("a missing scope: ERR_JWT_INSUFFICIENT_SCOPE, 403, scope= in the challenge", async () => {
    const result = await check({ token: await mint(), scopes: "read:messages write:messages" });
    assert.equal(result.state, "forbidden");
    assert.equal(result.code, "ERR_JWT_INSUFFICIENT_SCOPE");
    assert.equal(result.status, "403");
    assert.match(result.challenge, /error="insufficient_scope"/);
    assert.match(result.challenge, /scope="write:messages"/);
    assert.match(await page.textContent("#error-extra"), /write:messages/);
    await page.screenshot({ path: join(SHOTS, "forbidden.png"), fullPage: true });
    assertNoProblems();
  });

  test("an expired token: ERR_JWT_EXPIRED, 401, with the unverified claims shown", async () => {
    const now = Math.floor(Date.now() / 1000);
    const result = await check({ token: await mint({ iat: now - 7200 }, { exp: now - 3600 }) });
    assert.equal(result.code, "ERR_JWT_EXPIRED");
    assert.equal(result.status, "401");
    assert.equal(await page.isVisible("#unverified"), true);
    assertNoProblems();
  });

  test("the wrong issuer: ERR_JWT_CLAIM_VALIDATION_FAILED", async () => {
    const result = await check({ token: await mint(), issuer: "https://someone-else.example" });
    assert.equal(result.code, "ERR_JWT_CLAIM_VALIDATION_FAILED");
    assert.equal(result.status, "401");
    assertNoProblems();
  });

  test("keys that are not JSON: a clear error, no crash", async () => {
    const result = await check({ token: await mint(), keys: "not json" });
    assert.equal(result.state, "error");
    assert.equal(result.code, "ERR_INVALID_ARG");
    assertNoProblems();
  });

  test("the example button makes a key pair and a token that verify", async () => {
    await page.evaluate(() => {
      document.getElementById("result").dataset.state = "pending";
    });
    await page.click("#example");
    await page.waitForFunction(() => document.getElementById("result").dataset.state !== "pending");
    assert.equal(await page.getAttribute("#result", "data-state"), "valid");
    await page.screenshot({ path: join(SHOTS, "example.png"), fullPage: true });
    assertNoProblems();
  });

  test("the URL fragment prefills the form and verifies", async () => {
    const fragment = new URLSearchParams({
      token: await mint(),
      jwks: JSON.stringify(jwks),
      issuer: ISSUER,
      audience: AUDIENCE,
      scopes: "read:messages",
    });
    await page.goto(`${server.url}/www/index.html#${fragment}`, { waitUntil: "load" });
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#result[data-state="valid"]');
    assertNoProblems();
  });
});
