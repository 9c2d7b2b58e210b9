// README.md's single-page-app quick start, followed as written: its files (the
// <!-- quickstart:spa file=… --> blocks) in a fresh project with the packed tarball of pkg/
// in node_modules, built by Vite, served on 127.0.0.1 with the backend-for-frontend route
// the page calls (POST /auth/token, a token minted by jose), and opened in Debian's headless
// Chromium: the page must show the user and the granted scopes, and hide what they do not allow.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import * as jose from "jose";
import { chromium } from "playwright-core";
import { BIN, CHROMIUM, ROOT, bundle, filesBelow, packTollgate, project, wasmFiles } from "./apps.mjs";
import { quickstart } from "../types/markdown-blocks.mjs";

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };
const GRANTED = "read:messages write:messages";

let work;
let browser;
let token;

before(async () => {
  assert.ok(existsSync(join(ROOT, "pkg/wasm/tollgate_wasm_bg.wasm")), "pkg/wasm is missing: run `make pkg` first");
  assert.ok(existsSync(join(BIN, "vite")), "tests/bundlers/node_modules is missing: run `make tools-npm`");
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run \`make tools\``);
  work = await mkdtemp(join(tmpdir(), "tollgate-readme-spa-"));
  const { privateKey } = await jose.generateKeyPair("RS256");
  const now = Math.floor(Date.now() / 1000);
  token = await new jose.SignJWT({ iss: "https://idp.example/", aud: "https://api.example", sub: "user-1", iat: now, exp: now + 600, scope: GRANTED })
    .setProtectedHeader({ alg: "RS256", kid: "idp-rsa-1", typ: "at+jwt" })
    .sign(privateKey);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--no-first-run"],
  });
});

after(async () => {
  await browser?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** dist/ on 127.0.0.1, and POST /auth/token answering { access_token }: the page's backend. */
async function serve(dist) {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://127.0.0.1").pathname;
    if (path === "/auth/token") {
      if (req.method !== "POST") return res.writeHead(405).end();
      res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" });
      return res.end(JSON.stringify({ access_token: token, token_type: "Bearer" }));
    }
    const file = normalize(join(dist, path === "/" ? "index.html" : path));
    if (!file.startsWith(dist)) return res.writeHead(400).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe("README.md's SPA quick start, built by Vite, in Chromium", { timeout: 300_000 }, () => {
  test("the page shows the user and the granted scopes, and hides what they do not allow", async () => {
    const files = await quickstart("spa");
    assert.ok(files["index.html"], "the quick start has an index.html");
    const dir = await project(work, await packTollgate(work), "readme-spa", { files });
    await bundle(dir, "vite", ["build", "--logLevel", "warn"]);
    const dist = join(dir, "dist");
    assert.equal(wasmFiles(await filesBelow(dist)).length, 1, "Vite emitted tollgate's .wasm");

    const server = await serve(dist);
    const context = await browser.newContext();
    const problems = [];
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      page.on("console", (msg) => msg.type() === "error" && problems.push(`console.error: ${msg.text()}`));
      page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
      page.on("requestfailed", (req) => problems.push(`request failed: ${req.url()}`));
      page.on("response", (res) => res.status() >= 400 && problems.push(`HTTP ${res.status()}: ${res.url()}`));
      await context.route((url) => !url.href.startsWith(server.url), (route) => {
        problems.push(`request outside the page's origin: ${route.request().url()}`);
        return route.abort();
      });
      await page.goto(`${server.url}/`);
      // Done when the script wrote the scopes, or at the first problem (a broken build never writes).
      const failed = new Promise((resolve) => {
        page.on("pageerror", resolve);
        page.on("console", (msg) => msg.type() === "error" && resolve());
      });
      await Promise.race([page.waitForFunction(() => document.querySelector("#scopes")?.textContent !== "…"), failed]);
      assert.deepEqual(problems, [], problems.join("\n"));
      assert.equal(await page.textContent("#scopes"), GRANTED);
      assert.equal(await page.textContent("#user"), "user-1");
      assert.equal(await page.isVisible("button[data-scopes='write:messages']"), true, "write:messages is granted");
      assert.equal(await page.isVisible("button[data-scopes='admin:messages']"), false, "admin:messages is not");
    } finally {
      await context.close();
      await server.close();
    }
  });
});
