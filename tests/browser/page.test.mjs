// The www/ token inspector in headless Chromium (Debian's, driven by playwright-core):
// paste a token and keys (JWKS, PEM, secret or a JWKS URL), read the verdict, the decoded
// pane and its live countdown. Any console error, page error, failed request or request
// to an origin the test did not allow fails the test. Screenshots go to
// tests/browser/screenshots/ (gitignored).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { SignJWT, exportJWK, exportSPKI, generateKeyPair } from "jose";
import { SHOTS, startBrowser } from "./harness.mjs";

const ISSUER = "https://issuer.example/";
const AUDIENCE = "https://api.example";
const SECRET = "a-shared-secret-of-at-least-32-bytes!";

let b; // the harness: page, problems, server…
let page;
let jwks;
let privateKey;
let rsa; // { privateKey, pem }
let jwksServer; // { url, requests, close }

async function mint(claims = {}, { exp = "10m", alg = "ES256", kid = "page-test", key = privateKey } = {}) {
  const jwt = new SignJWT({ scope: "read:messages", ...claims })
    .setProtectedHeader({ alg, kid, typ: "at+jwt" })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject("page-user");
  if (claims.iat === undefined) jwt.setIssuedAt();
  if (exp !== null) jwt.setExpirationTime(exp);
  return jwt.sign(key);
}

/** A JWKS server on 127.0.0.1 that allows CORS (as real ones do) and counts requests. */
function serveJwks(body) {
  const requests = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url, cookie: req.headers.cookie, referer: req.headers.referer });
    if (req.url !== "/.well-known/jwks.json") {
      res.writeHead(404, { "Access-Control-Allow-Origin": "*" });
      return res.end();
    }
    res.writeHead(200, {
      "Content-Type": "application/json",
      "Access-Control-Allow-Origin": "*",
      "Cache-Control": "max-age=300",
    });
    res.end(JSON.stringify(body));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({
        origin: `http://127.0.0.1:${server.address().port}`,
        requests,
        close: () => new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}

before(async () => {
  const pair = await generateKeyPair("ES256", { extractable: true });
  privateKey = pair.privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: "page-test", alg: "ES256", use: "sig" }] };
  const rsaPair = await generateKeyPair("RS256", { extractable: true, modulusLength: 2048 });
  rsa = { privateKey: rsaPair.privateKey, pem: await exportSPKI(rsaPair.publicKey) };
  jwksServer = await serveJwks(jwks);

  b = await startBrowser();
  page = b.page;
  b.allowOrigin(jwksServer.origin);
  await page.goto(`${b.server.url}/www/`, { waitUntil: "load" });
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
});

after(async () => {
  await b?.close();
  await jwksServer?.close();
});

/** Clicks the key-source tab, as a user would (the radio itself is visually hidden). */
const selectKeyMode = (mode) => page.click(`label[for="mode-${mode}"]`);

const text = async (selector) => (await page.textContent(selector)).trim();

/** Fills the form (JWKS mode unless `mode` says otherwise), presses Verify, reads the result. */
async function check({
  token, scopes = "", keys = jwks, issuer = ISSUER, audience = AUDIENCE, mode = "jwks",
  skipIssuer = false, skipAudience = false,
}) {
  await selectKeyMode(mode);
  await page.fill("#token", token);
  if (mode === "jwks") await page.fill("#jwks", typeof keys === "string" ? keys : JSON.stringify(keys, null, 2));
  await page.setChecked("#skip-issuer", skipIssuer);
  await page.setChecked("#skip-audience", skipAudience);
  if (!skipIssuer) await page.fill("#issuer", issuer);
  if (!skipAudience) await page.fill("#audience", audience);
  await page.fill("#scopes", scopes);
  return pressVerify();
}

async function pressVerify() {
  // Reset the verdict so we wait for this run's answer, not the previous one.
  await page.evaluate(() => {
    document.getElementById("result").dataset.state = "pending";
  });
  await page.click("#verify");
  await page.waitForFunction(() => document.getElementById("result").dataset.state !== "pending");
  return {
    state: await page.getAttribute("#result", "data-state"),
    verdict: await text("#verdict"),
    code: await text("#error-code"),
    status: await text("#error-status"),
    challenge: await text("#www-authenticate"),
    http: await text("#http"),
  };
}

const shot = (name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

describe("www/index.html", { timeout: 180_000 }, () => {
  test("loads without errors, with a strict CSP and no request anywhere", async () => {
    assert.equal(await page.title(), "tollgate — verify a JWT access token in your browser");
    assert.equal(await page.isEnabled("#verify"), true);
    const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', "content");
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval';/);
    assert.match(csp, /connect-src 'self' https: http:\/\/127\.0\.0\.1:\* http:\/\/localhost:\*;/);
    assert.doesNotMatch(csp, /connect-src[^;]*\s\*[\s;]/, "no wildcard connect-src");
    assert.equal(jwksServer.requests.length, 0);
    await shot("empty");
    b.assertNoProblems();
  });

  test("a pasted token is decoded at once, labelled not verified", async () => {
    await page.fill("#jwks", "");
    await page.fill("#scopes", "read:messages write:messages");
    await page.fill("#token", await mint({ scope: "read:messages profile" }));
    await page.waitForSelector("#decoded-body:not([hidden])");
    assert.equal(await text("#decoded-badge"), "not verified");
    assert.equal(JSON.parse(await text("#unverified-claims")).sub, "page-user");
    assert.equal(JSON.parse(await text("#header")).alg, "ES256");
    const chips = await page.$$eval("#scope-chips .chip", (els) => els.map((e) => [e.textContent, e.className]));
    assert.deepEqual(chips, [
      ["read:messages", "chip required"],
      ["profile", "chip"],
      ["write:messages", "chip missing"],
    ]);
    assert.equal(await page.getAttribute("#result", "data-state"), "idle");
    assert.match(await text("#verdict-note"), /keys/);
    b.assertNoProblems();
  });

  test("the countdown ticks", async () => {
    await page.fill("#token", await mint({}, { exp: "2h" }));
    const first = await text("#countdown");
    assert.match(first, /^0[12]:\d\d:\d\d$/);
    await sleep(1500);
    const second = await text("#countdown");
    assert.notEqual(second, first, "the countdown did not change in 1.5 s");
    assert.match(await text("#countdown-label"), /left until exp/);
    b.assertNoProblems();
  });

  test("a valid token: 'valid', the verified claims, 200, the badge says verified", async () => {
    const result = await check({ token: await mint(), scopes: "read:messages" });
    assert.equal(result.state, "valid");
    assert.equal(result.verdict, "valid");
    assert.match(result.http, /^HTTP\/1\.1 200 OK/);
    assert.equal(await text("#subject"), "page-user");
    assert.match(await page.textContent("#granted"), /read:messages/);
    const claims = JSON.parse(await text("#claims"));
    assert.equal(claims.iss, ISSUER);
    assert.equal(claims.aud, AUDIENCE);
    assert.equal(await text("#decoded-badge"), "signature verified");
    assert.match(await text("#key-info"), /1 usable key: ES256 “page-test”/);
    await shot("valid");
    b.assertNoProblems();
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
    assert.match(result.http, /^HTTP\/1\.1 401 Unauthorized\s+WWW-Authenticate: Bearer error="invalid_token"/);
    assert.equal(await text("#decoded-badge"), "not verified");
    await shot("tampered");
    b.assertNoProblems();
  });

  test("a missing scope: ERR_JWT_INSUFFICIENT_SCOPE, 403, scope= in the challenge", async () => {
    const result = await check({ token: await mint(), scopes: "read:messages write:messages" });
    assert.equal(result.state, "forbidden");
    assert.equal(result.code, "ERR_JWT_INSUFFICIENT_SCOPE");
    assert.equal(result.status, "403");
    assert.match(result.challenge, /error="insufficient_scope"/);
    assert.match(result.challenge, /scope="write:messages"/);
    assert.match(result.http, /^HTTP\/1\.1 403 Forbidden/);
    assert.match(await page.textContent("#error-extra"), /write:messages/);
    await shot("forbidden");
    b.assertNoProblems();
  });

  test("any of the scopes: 'valid' with one of two", async () => {
    await page.selectOption("#scope-mode", "any");
    const result = await check({ token: await mint(), scopes: "read:messages write:messages" });
    await page.selectOption("#scope-mode", "all");
    assert.equal(result.state, "valid");
    b.assertNoProblems();
  });

  test("an expired token: ERR_JWT_EXPIRED, 401, the decoded pane says since when", async () => {
    const now = Math.floor(Date.now() / 1000);
    const result = await check({ token: await mint({ iat: now - 7200 }, { exp: now - 3600 }) });
    assert.equal(result.code, "ERR_JWT_EXPIRED");
    assert.equal(result.status, "401");
    assert.equal(await page.isVisible("#decoded-body"), true);
    assert.equal(await page.getAttribute("#countdown", "data-expired"), "true");
    assert.match(await text("#countdown"), /^−0[01]:\d\d:\d\d$/);
    assert.match(await text("#countdown-label"), /since it expired/);
    await shot("expired");
    b.assertNoProblems();
  });

  test("the wrong issuer: ERR_JWT_CLAIM_VALIDATION_FAILED; 'skip' maps to dangerouslySkipIssuerCheck", async () => {
    const token = await mint();
    const wrong = await check({ token, issuer: "https://someone-else.example/" });
    assert.equal(wrong.code, "ERR_JWT_CLAIM_VALIDATION_FAILED");
    assert.equal(wrong.status, "401");
    assert.match(await text("#error-extra"), /claim iss/);

    const skipped = await check({ token, skipIssuer: true, skipAudience: true });
    assert.equal(skipped.state, "valid");
    assert.equal(await page.isDisabled("#issuer"), true);
    const notes = await text("#notes");
    assert.match(notes, /dangerouslySkipIssuerCheck/);
    assert.match(notes, /dangerouslySkipAudienceCheck/);
    await page.setChecked("#skip-issuer", false);
    await page.setChecked("#skip-audience", false);
    b.assertNoProblems();
  });

  test("no issuer and no skip: the library's TypeError, not a 401", async () => {
    const result = await check({ token: await mint(), issuer: "" });
    assert.equal(result.state, "error");
    assert.equal(result.code, "ERR_INVALID_ARG");
    assert.match(await text("#error-message"), /issuer/);
    assert.equal(await page.isVisible("#http-box"), false);
    b.assertNoProblems();
  });

  test("keys that are not JSON: a clear error, no crash", async () => {
    const result = await check({ token: await mint(), keys: "not json" });
    assert.equal(result.state, "error");
    assert.equal(result.code, "ERR_INVALID_ARG");
    b.assertNoProblems();
  });

  test("a token that does not decode: the decoded pane says why", async () => {
    const result = await check({ token: "not.a-token" });
    assert.equal(result.code, "ERR_JWS_INVALID");
    assert.equal(await page.isVisible("#decode-error"), true);
    assert.match(await text("#decode-error"), /ERR_JWS_INVALID/);
    b.assertNoProblems();
  });

  test("PEM mode: an RS256 public key", async () => {
    const token = await mint({}, { alg: "RS256", kid: "rsa-1", key: rsa.privateKey });
    await selectKeyMode("pem");
    await page.fill("#pem", rsa.pem);
    await page.selectOption("#pem-alg", "RS256");
    await page.fill("#pem-kid", "");
    // The token names a kid, the key has none: a key without a kid fits any kid (as in jose).
    const noKid = await check({ token, mode: "pem", scopes: "read:messages" });
    assert.equal(noKid.state, "valid", `${noKid.code}: ${await text("#error-message")}`);

    await page.fill("#pem-kid", "rsa-1");
    const result = await pressVerify();
    assert.equal(result.state, "valid", `${result.code}: ${await text("#error-message")}`);
    assert.match(await text("#key-used"), /RS256/);
    assert.match(await text("[data-token-alg]"), /alg RS256/);
    await shot("pem");

    await page.selectOption("#pem-alg", "PS256");
    const wrongAlg = await pressVerify();
    assert.equal(wrongAlg.code, "ERR_JOSE_ALG_NOT_ALLOWED");
    await page.selectOption("#pem-alg", "RS256");

    const other = await check({ token: await mint(), mode: "pem" }); // an ES256 token
    assert.equal(other.state, "invalid");
    b.assertNoProblems();
  });

  test("secret mode: HS256 with a text secret, then base64url and hex", async () => {
    const key = new TextEncoder().encode(SECRET);
    const token = await mint({}, { alg: "HS256", kid: "hs", key });
    await selectKeyMode("secret");
    await page.fill("#secret", SECRET);
    await page.selectOption("#secret-encoding", "utf8");
    await page.selectOption("#secret-alg", "HS256");
    await page.fill("#secret-kid", "hs");
    const result = await check({ token, mode: "secret" });
    assert.equal(result.state, "valid", `${result.code}: ${await text("#error-message")}`);
    await shot("secret");

    await page.selectOption("#secret-encoding", "base64");
    await page.fill("#secret", Buffer.from(SECRET).toString("base64url"));
    assert.equal((await pressVerify()).state, "valid");
    await page.selectOption("#secret-encoding", "hex");
    await page.fill("#secret", Buffer.from(SECRET).toString("hex"));
    assert.equal((await pressVerify()).state, "valid");

    await page.fill("#secret", Buffer.from("another-secret-of-at-least-32-bytes").toString("hex"));
    assert.equal((await pressVerify()).code, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    await page.fill("#secret", "short");
    await page.selectOption("#secret-encoding", "utf8");
    const short = await pressVerify();
    assert.equal(short.code, "ERR_JWK_INVALID");
    assert.match(await text("#key-info"), /ERR_JWK_INVALID/);
    b.assertNoProblems();
  });

  test("JWKS URL mode: nothing is fetched until the button; then one GET, no cookie, and 'valid'", async () => {
    const token = await mint();
    const url = `${jwksServer.origin}/.well-known/jwks.json`;
    await selectKeyMode("url");
    await page.fill("#jwks-url", url);
    await page.fill("#token", token);
    await page.fill("#issuer", ISSUER);
    await page.fill("#audience", AUDIENCE);
    await page.fill("#scopes", "read:messages");
    await page.click("#verify");
    assert.equal(await page.getAttribute("#result", "data-state"), "error");
    assert.match(await text("#error-message"), /Fetch keys/);
    await sleep(200);
    assert.equal(jwksServer.requests.length, 0, "the page fetched before the button was pressed");

    await page.evaluate(() => {
      document.getElementById("result").dataset.state = "pending";
    });
    await page.click("#fetch-keys");
    await page.waitForFunction(() => document.getElementById("result").dataset.state !== "pending");
    assert.equal(await page.getAttribute("#result", "data-state"), "valid");
    assert.equal(jwksServer.requests.length, 1);
    assert.equal(jwksServer.requests[0].cookie, undefined);
    assert.equal(jwksServer.requests[0].referer, undefined);
    assert.match(await text("#key-info"), /Fetched at .* 1 usable key: ES256 “page-test”/);
    await shot("jwks-url");

    // Editing the token re-verifies with the fetched keys, without fetching again.
    await page.fill("#scopes", "admin");
    await page.waitForSelector('#result[data-state="forbidden"]');
    assert.equal(jwksServer.requests.length, 1);

    // A URL that answers 404: ERR_JWKS_FETCH_FAILED, what a guard would answer (503).
    b.assertNoProblems();
    await page.fill("#jwks-url", `${jwksServer.origin}/missing.json`);
    await page.evaluate(() => {
      document.getElementById("result").dataset.state = "pending";
    });
    await page.click("#fetch-keys");
    await page.waitForFunction(() => document.getElementById("result").dataset.state !== "pending");
    assert.equal(await text("#error-code"), "ERR_JWKS_FETCH_FAILED");
    assert.match(await text("#http"), /^HTTP\/1\.1 503/);
    assert.equal(jwksServer.requests.length, 2);
    // The 404 is this test's doing (Chromium reports it as a console error too): drop it.
    const expected = b.problems.splice(0);
    assert.ok(expected.length >= 1, "the 404 was observed");
    for (const p of expected) assert.match(p, /missing\.json|status of 404/);
    await selectKeyMode("jwks");
    b.assertNoProblems();
  });

  test("the example button makes a key pair and a token that verify", async () => {
    await page.evaluate(() => {
      document.getElementById("result").dataset.state = "pending";
    });
    await page.click("#example");
    await page.waitForFunction(() => document.getElementById("result").dataset.state !== "pending");
    assert.equal(await page.getAttribute("#result", "data-state"), "valid");
    assert.equal(await page.isChecked("#mode-jwks"), true);
    await shot("example");
    b.assertNoProblems();
  });

  test("the URL fragment prefills the form and verifies; jwks_url is not fetched", async () => {
    const fragment = new URLSearchParams({
      token: await mint(),
      jwks: JSON.stringify(jwks),
      issuer: ISSUER,
      audience: AUDIENCE,
      scopes: "read:messages",
    });
    await page.goto(`${b.server.url}/www/index.html#${fragment}`, { waitUntil: "load" });
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForSelector('#result[data-state="valid"]');

    const before = jwksServer.requests.length;
    const withUrl = new URLSearchParams({ token: await mint(), jwks_url: `${jwksServer.origin}/.well-known/jwks.json` });
    await page.goto(`${b.server.url}/www/index.html?again#${withUrl}`, { waitUntil: "load" });
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.isChecked("#mode-url"), true);
    await sleep(200);
    assert.equal(jwksServer.requests.length, before);
    b.assertNoProblems();
  });
});

describe("www/index.html in dark mode", { timeout: 60_000 }, () => {
  test("renders a result without errors (screenshot)", async () => {
    const dark = await startBrowser({ colorScheme: "dark" });
    try {
      await dark.page.goto(`${dark.server.url}/www/`, { waitUntil: "load" });
      await dark.page.waitForSelector('body[data-ready="true"]');
      await dark.page.click("#example");
      await dark.page.waitForSelector('#result[data-state="valid"]');
      await dark.page.fill("#scopes", "read:messages admin");
      await dark.page.waitForSelector('#result[data-state="forbidden"]');
      await dark.page.screenshot({ path: join(SHOTS, "dark-forbidden.png"), fullPage: true });
      dark.assertNoProblems();
    } finally {
      await dark.close();
    }
  });
});
