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
import { execFile } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import { serveStatic } from "../browser/static-server.mjs";

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");
const BIN = join(HERE, "node_modules/.bin");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const SECRET = "tollgate-bundler-test-secret-0123456789";
const ISSUER = "https://issuer.example/";
const AUDIENCE = "https://api.example";
const b64 = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
function hs256(claims) {
  const input = `${b64({ alg: "HS256", typ: "JWT" })}.${b64(claims)}`;
  return `${input}.${createHmac("sha256", SECRET).update(input).digest("base64url")}`;
}
const NOW = Math.floor(Date.now() / 1000);
const TOKEN = hs256({ iss: ISSUER, aud: AUDIENCE, sub: "bundled-user", iat: NOW, exp: NOW + 3600, scope: "read:messages" });
const EXPIRED = hs256({ iss: ISSUER, aud: AUDIENCE, sub: "bundled-user", iat: NOW - 7200, exp: NOW - 3600 });
const EXPECTED = { sub: "bundled-user", scopes: ["read:messages"], expired: "ERR_JWT_EXPIRED" };
// With tollgate/policy: allowed, and the policy trusts the result (one tollgate instance).
const DECIDED = { ...EXPECTED, allow: true, unverified: false };

const npmEnv = {
  ...process.env,
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
  npm_config_loglevel: "error",
};

/**
 * The verify-only app: ESM (`import`) or CommonJS (`require`) source. With `policy`, it also
 * decides on the verified token with tollgate/policy (the second wasm module).
 */
function appSource({ commonjs = false, policy = false } = {}) {
  const load = commonjs
    ? `const { KeySet, verify } = require("tollgate");`
    : `import { KeySet, verify } from "tollgate";`;
  const decide = `
  const policy = Policy.fromJson({ version: 1, scopes: { "read:messages": {} },
    rules: [{ method: "GET", path: "/messages", scopes: ["read:messages"] }] });
  const { allow, unverified } = policy.evaluate(verify(${JSON.stringify(TOKEN)}, options), { method: "GET", path: "/messages" });
  out.textContent = JSON.stringify({ ...JSON.parse(out.textContent), allow, unverified });`;
  return `${load}${policy ? `\nimport { Policy } from "tollgate/policy";` : ""}
const out = document.getElementById("out");
try {
  const keys = KeySet.fromSecret(${JSON.stringify(SECRET)}, { alg: "HS256" });
  const options = { keys, issuer: ${JSON.stringify(ISSUER)}, audience: ${JSON.stringify(AUDIENCE)} };
  const { claims, scopes } = verify(${JSON.stringify(TOKEN)}, options);
  let expired = "accepted";
  try {
    verify(${JSON.stringify(EXPIRED)}, options);
  } catch (e) {
    expired = e.code;
  }
  out.textContent = JSON.stringify({ sub: claims.sub, scopes, expired });${policy ? decide : ""}
} catch (e) {
  out.textContent = "failed: " + (e && e.message);
}
`;
}

// The same page for every app; a data: icon keeps Chromium from asking for /favicon.ico.
const page = (script) =>
  `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>app</title></head>` +
  `<body><pre id="out">pending</pre>${script}</body></html>\n`;

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
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", work], {
    cwd: join(ROOT, "pkg"),
    env: npmEnv,
    timeout: 60_000,
  });
  const [packed] = JSON.parse(stdout);
  await run("tar", ["xzf", join(work, packed.filename), "-C", work], { timeout: 60_000 });
  unpacked = join(work, "package");
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

/**
 * A fresh project: its package.json (`type`: what `npm init -y` writes, "commonjs", or
 * "module"), tollgate installed from the tarball, and `files`.
 */
async function project(name, { type = "module", files = {} } = {}) {
  const dir = join(work, name);
  await mkdir(join(dir, "node_modules"), { recursive: true });
  await cp(unpacked, join(dir, "node_modules/tollgate"), { recursive: true });
  const manifest = { name, version: "1.0.0", main: "index.js", license: "ISC", type, dependencies: { tollgate: "0.1.0" } };
  await writeFile(join(dir, "package.json"), JSON.stringify(manifest, null, 2));
  for (const [file, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), text);
  }
  return dir;
}

async function bundle(dir, tool, args) {
  try {
    return await run(join(BIN, tool), args, { cwd: dir, env: { ...npmEnv, NO_COLOR: "1" }, timeout: 180_000 });
  } catch (error) {
    assert.fail(`${tool} ${args.join(" ")} failed:\n${error.stdout}\n${error.stderr}`);
  }
}

async function filesBelow(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1));
}

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

const wasmFiles = (files) => files.filter((f) => f.endsWith(".wasm"));

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
