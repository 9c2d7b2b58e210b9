// Shared by the browser tests: the repository served on 127.0.0.1, Debian's headless
// Chromium (driven by playwright-core, no downloaded browser), and a list of problems —
// console errors, page errors, failed requests, HTTP errors, requests to any origin not
// explicitly allowed — that each test asserts is empty.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serveStatic } from "./static-server.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, "../..");
export const SHOTS = join(HERE, "screenshots");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Starts the static server and Chromium. `allowOrigin(origin)` lets the page reach one
 * more origin (e.g. a JWKS server); everything else outside the page's origin is aborted
 * and recorded as a problem.
 */
export async function startBrowser({ colorScheme = "light" } = {}) {
  assert.ok(existsSync(join(ROOT, "pkg/wasm/tollgate_wasm_bg.wasm")), "pkg/wasm is missing: run `make pkg` first");
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run \`make tools\``);
  await mkdir(SHOTS, { recursive: true });

  const server = await serveStatic(ROOT);
  const browser = await chromium.launch({
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
  const problems = [];
  const allowed = new Set([server.url]);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console.${msg.type()}: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  page.on("requestfailed", (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  await context.route(
    (url) => !url.href.startsWith("data:") && !allowed.has(url.origin),
    (route) => {
      problems.push(`request outside the allowed origins: ${route.request().url()}`);
      return route.abort();
    },
  );

  return {
    server,
    browser,
    context,
    page,
    problems,
    allowOrigin: (origin) => allowed.add(origin),
    assertNoProblems: () => assert.deepEqual(problems, [], problems.join("\n")),
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
