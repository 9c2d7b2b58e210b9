// tollgate as an app's dependency, built by real bundlers (esbuild, Vite, webpack, from this
// folder's package.json) and run in Debian's headless Chromium: no copy of the .wasm by hand,
// no bundler plugin, no option beyond the bundler's defaults.
//
// Each app is a project of its own in a temporary folder, with the packed tarball of pkg/
// in its node_modules: a page that verifies an HS256 token with a secret written into the
// page and puts the result in the DOM. The package's `exports` decide what each gets:
//   - webpack 5 and Vite production builds ("production" condition): browser.js, the .wasm
//     emitted as an asset and fetched once (top-level await);
//   - every other tool and format (esbuild's iife, esm and neutral, a CommonJS project,
//     `require("tollgate")`): inline.js, the module inside the JavaScript, no top-level await.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { serveStatic } from "../browser/static-server.mjs";
import {
  BIN, CHROMIUM, DECIDED, EXPECTED, ROOT,
  appSource, bundle, filesBelow, packTollgate, page, project as makeProject, wasmFiles,
} from "./apps.mjs";
import { UNUSED_MARKERS, measure, table } from "./sizes.mjs";

let work;
let unpacked; // the tarball's package/ folder
let browser;

before(async () => {
  for (const file of ["tollgate_wasm_bg.wasm", "tollgate_wasm_inline.js"]) {
    assert.ok(existsSync(join(ROOT, "pkg/wasm", file)), `pkg/wasm/${file} is missing: run \`make pkg\` first`);
  }
  assert.ok(existsSync(join(BIN, "esbuild")), "tests/bundlers/node_modules is missing: run `make tools-npm`");
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run \`make tools\``);
  work = await mkdtemp(join(tmpdir(), "tollgate-bundlers-"));
  unpacked = await packTollgate(work);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--no-first-run"],
  });
});

const project = (name, options) => makeProject(work, unpacked, name, options);

after(async () => {
  await browser?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** Serves `dist` on 127.0.0.1, opens its index.html in Chromium, returns what the page shows and fetched. */
async function open(dist) {
  const server = await serveStatic(dist);
  const context = await browser.newContext();
  const problems = [];
  const fetched = [];
  try {
    const tab = await context.newPage();
    tab.setDefaultTimeout(30_000);
    tab.on("console", (msg) => msg.type() === "error" && problems.push(`console.error: ${msg.text()}`));
    tab.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
    tab.on("requestfailed", (req) => problems.push(`request failed: ${req.url()}`));
    tab.on("response", (res) => {
      fetched.push(new URL(res.url()).pathname);
      if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
    });
    // Done when the app wrote its answer, or at the first problem (a broken bundle never writes).
    const failed = new Promise((resolve) => {
      tab.on("pageerror", resolve);
      tab.on("console", (msg) => msg.type() === "error" && resolve());
    });
    await tab.goto(`${server.url}/index.html`);
    await Promise.race([tab.waitForFunction(() => document.getElementById("out")?.textContent !== "pending"), failed]);
    const text = await tab.textContent("#out");
    assert.deepEqual(problems, [], problems.join("\n"));
    assert.ok(text.startsWith("{"), text);
    return { result: JSON.parse(text), fetched };
  } finally {
    await context.close();
    await server.close();
  }
}

describe("a verify-only app, bundled and run in Chromium", { timeout: 600_000 }, () => {
  test("esbuild, default (iife), in an `npm init -y` project (\"type\": \"commonjs\")", async () => {
    const dir = await project("esbuild-iife", { type: "commonjs", files: { "app.js": appSource() } });
    await bundle(dir, "esbuild", ["app.js", "--bundle", "--outfile=dist/app.js"]);
    await writeFile(join(dir, "dist/index.html"), page(`<script src="app.js"></script>`));
    assert.deepEqual(wasmFiles(await filesBelow(join(dir, "dist"))), [], "the wasm is inlined");
    const { result } = await open(join(dir, "dist"));
    assert.deepEqual(result, EXPECTED);
  });

  test("esbuild, default (iife), with tollgate/policy", async () => {
    const dir = await project("esbuild-policy", { files: { "app.js": appSource({ policy: true }) } });
    await bundle(dir, "esbuild", ["app.js", "--bundle", "--outfile=dist/app.js"]);
    await writeFile(join(dir, "dist/index.html"), page(`<script src="app.js"></script>`));
    const { result } = await open(join(dir, "dist"));
    assert.deepEqual(result, DECIDED);
  });

  test("esbuild, iife, require(\"tollgate\") in a CommonJS project", async () => {
    const dir = await project("esbuild-require", { type: "commonjs", files: { "app.js": appSource({ commonjs: true }) } });
    await bundle(dir, "esbuild", ["app.js", "--bundle", "--minify", "--outfile=dist/app.js"]);
    await writeFile(join(dir, "dist/index.html"), page(`<script src="app.js"></script>`));
    const { result } = await open(join(dir, "dist"));
    assert.deepEqual(result, EXPECTED);
  });

  test("esbuild --format=esm (platform browser)", async () => {
    const dir = await project("esbuild-esm", { files: { "app.js": appSource() } });
    await bundle(dir, "esbuild", ["app.js", "--bundle", "--format=esm", "--minify", "--outfile=dist/app.js"]);
    await writeFile(join(dir, "dist/index.html"), page(`<script type="module" src="app.js"></script>`));
    const { result, fetched } = await open(join(dir, "dist"));
    assert.deepEqual(result, EXPECTED);
    assert.deepEqual(wasmFiles(fetched), []);
  });

  test("esbuild --platform=neutral", async () => {
    const dir = await project("esbuild-neutral", { files: { "app.js": appSource() } });
    await bundle(dir, "esbuild", ["app.js", "--bundle", "--platform=neutral", "--outfile=dist/app.js"]);
    await writeFile(join(dir, "dist/index.html"), page(`<script type="module" src="app.js"></script>`));
    const { result } = await open(join(dir, "dist"));
    assert.deepEqual(result, EXPECTED);
  });

  test("vite build: the .wasm is emitted and fetched", async () => {
    const dir = await project("vite", {
      files: { "index.html": page(`<script type="module" src="/app.js"></script>`), "app.js": appSource() },
    });
    await bundle(dir, "vite", ["build", "--logLevel", "warn"]);
    const wasm = wasmFiles(await filesBelow(join(dir, "dist")));
    assert.equal(wasm.length, 1, `one .wasm emitted: ${wasm}`);
    const { result, fetched } = await open(join(dir, "dist"));
    assert.deepEqual(result, EXPECTED);
    assert.deepEqual(wasmFiles(fetched), [`/${wasm[0]}`]);
  });

  test("vite build with tollgate/policy: both .wasm files emitted", async () => {
    const dir = await project("vite-policy", {
      files: { "index.html": page(`<script type="module" src="/app.js"></script>`), "app.js": appSource({ policy: true }) },
    });
    await bundle(dir, "vite", ["build", "--logLevel", "warn"]);
    assert.equal(wasmFiles(await filesBelow(join(dir, "dist"))).length, 2);
    const { result, fetched } = await open(join(dir, "dist"));
    assert.deepEqual(result, DECIDED);
    assert.equal(wasmFiles(fetched).length, 2);
  });

  test("webpack --mode production: the .wasm is emitted and fetched", async () => {
    const dir = await project("webpack", { files: { "app.js": appSource() } });
    await bundle(dir, "webpack", ["--mode", "production", "--entry", "./app.js", "--output-path", "dist"]);
    await writeFile(join(dir, "dist/index.html"), page(`<script src="main.js"></script>`));
    const wasm = wasmFiles(await filesBelow(join(dir, "dist")));
    assert.equal(wasm.length, 1, `one .wasm emitted: ${wasm}`);
    const { result, fetched } = await open(join(dir, "dist"));
    assert.deepEqual(result, EXPECTED);
    assert.deepEqual(wasmFiles(fetched), [`/${wasm[0]}`]);
  });

  test("webpack, require(\"tollgate\") in an `npm init -y` project", async () => {
    const dir = await project("webpack-require", { type: "commonjs", files: { "app.js": appSource({ commonjs: true }) } });
    await bundle(dir, "webpack", ["--mode", "production", "--entry", "./app.js", "--output-path", "dist"]);
    await writeFile(join(dir, "dist/index.html"), page(`<script src="main.js"></script>`));
    const { result } = await open(join(dir, "dist"));
    assert.deepEqual(result, EXPECTED);
  });
});

describe("sideEffects", { timeout: 600_000 }, () => {
  test("a verify-only bundle holds no edge, SPA or cache code, and is smaller than with sideEffects: true", async (t) => {
    const rows = await measure(work, unpacked);
    t.diagnostic(`\n${table(rows)}`);
    for (const row of rows.filter((r) => r.app === "tollgate")) {
      const found = Object.entries(UNUSED_MARKERS).filter(([, marker]) => row.text.includes(marker));
      assert.deepEqual(found, [], `${row.bundler}: code of ${found.map(([file]) => file).join(", ")} kept`);
      const all = rows.find((r) => r.app.includes('"sideEffects": true') && r.bundler === row.bundler);
      assert.ok(row.total < all.total, `${row.bundler}: ${row.total} bytes, ${all.total} with "sideEffects": true`);
    }
    const esbuildAll = rows.find((r) => r.app.includes('"sideEffects": true') && r.bundler === "esbuild");
    assert.ok(esbuildAll.text.includes(UNUSED_MARKERS["guard.js, module scope"]), "the marker shows what sideEffects drops");
  });
});
