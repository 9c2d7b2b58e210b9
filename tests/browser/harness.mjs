// Shared by the browser tests: the repository served on 127.0.0.1, Debian's headless
// Chromium (driven by playwright-core, no downloaded browser), and a list of problems —
// console errors, page errors, failed requests, HTTP errors, requests to any origin not
// explicitly allowed — that each test asserts is empty.

import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
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
export async function startBrowser({ colorScheme = "light", realVisibility = false } = {}) {
  assert.ok(existsSync(join(ROOT, "pkg/wasm/tollgate_wasm_bg.wasm")), "pkg/wasm is missing: run `make pkg` first");
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run \`make tools\``);
  await mkdir(SHOTS, { recursive: true });

  const server = await serveStatic(ROOT);
  const args = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
  ];
  let browser;
  let context;
  let spawned;
  if (realVisibility) {
    ({ browser, context, spawned } = await launchWithRealVisibility(args));
  } else {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 30_000, args });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme });
  }
  const problems = [];
  const allowed = new Set([server.url]);
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
      if (spawned) await stop(spawned);
      await server.close();
    },
  };
}

/**
 * Chromium whose tabs really go hidden and visible. Playwright's own launch keeps every
 * page visible: it emulates focus in each page (which holds the tab "captured", hence
 * visible) and passes --disable-backgrounding-occluded-windows. So this starts Chromium
 * itself (headless, DevTools on 127.0.0.1 only, a throwaway profile) and attaches with
 * `noDefaults`, which leaves the default context's focus alone: opening a second tab
 * hides the first, `bringToFront()` shows it again, with real `visibilitychange` events.
 */
async function launchWithRealVisibility(args) {
  const profile = await mkdtemp(join(tmpdir(), "tollgate-chromium-"));
  const child = spawn(
    CHROMIUM,
    [...args, "--headless", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", `--user-data-dir=${profile}`, "about:blank"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const spawned = { child, profile };
  try {
    const endpoint = await new Promise((resolvePromise, reject) => {
      let text = "";
      const timer = setTimeout(() => reject(new Error(`Chromium did not start:\n${text}`)), 30_000);
      child.once("exit", (code) => reject(new Error(`Chromium exited (${code}):\n${text}`)));
      child.stderr.on("data", (chunk) => {
        text += chunk;
        const match = /DevTools listening on (ws:\/\/127\.0\.0\.1:\S+)/.exec(text);
        if (match) {
          clearTimeout(timer);
          resolvePromise(match[1]);
        }
      });
    });
    const browser = await chromium.connectOverCDP(endpoint, { noDefaults: true, timeout: 30_000 });
    return { browser, context: browser.contexts()[0], spawned };
  } catch (error) {
    await stop(spawned);
    throw error;
  }
}

/** Ends the Chromium this harness started (by its pid) and removes its profile. */
async function stop({ child, profile }) {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((done) => child.once("exit", done));
    child.kill("SIGTERM");
    await exited;
  }
  // Chromium's helper processes (crashpad, the GPU process) may still be writing to the profile
  // for a moment after the browser itself exits: rm retries on ENOTEMPTY/EBUSY.
  // A profile that still cannot be removed is left in the temp dir with a warning: cleanup is not
  // what the tests check, and failing the hook here left the suite's other browsers open.
  await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }).catch((error) => {
    process.emitWarning(`could not remove the Chromium profile ${profile}: ${error.code ?? error.message}`);
  });
}
