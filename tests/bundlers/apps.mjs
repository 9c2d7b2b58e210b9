// Shared by bundlers.test.mjs and sizes.mjs: the packed package, throwaway app projects,
// the verify-only app's source and the bundlers of this folder's node_modules.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHmac } from "node:crypto";
import { cp, mkdir, readdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, "../..");
export const BIN = join(HERE, "node_modules/.bin");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const SECRET = "tollgate-bundler-test-secret-0123456789";
export const ISSUER = "https://issuer.example/";
export const AUDIENCE = "https://api.example";
const b64 = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
function hs256(claims) {
  const input = `${b64({ alg: "HS256", typ: "JWT" })}.${b64(claims)}`;
  return `${input}.${createHmac("sha256", SECRET).update(input).digest("base64url")}`;
}
const NOW = Math.floor(Date.now() / 1000);
export const TOKEN = hs256({ iss: ISSUER, aud: AUDIENCE, sub: "bundled-user", iat: NOW, exp: NOW + 3600, scope: "read:messages" });
export const EXPIRED = hs256({ iss: ISSUER, aud: AUDIENCE, sub: "bundled-user", iat: NOW - 7200, exp: NOW - 3600 });
export const EXPECTED = { sub: "bundled-user", scopes: ["read:messages"], expired: "ERR_JWT_EXPIRED" };
// With tollgate/policy: allowed, and the policy trusts the result (one tollgate instance).
export const DECIDED = { ...EXPECTED, allow: true, unverified: false };

export const npmEnv = {
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
export function appSource({ commonjs = false, policy = false } = {}) {
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
export const page = (script) =>
  `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>app</title></head>` +
  `<body><pre id="out">pending</pre>${script}</body></html>\n`;

/** Packs pkg/ (`npm pack`) into `work` and unpacks it; resolves to the package folder. */
export async function packTollgate(work) {
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", work], {
    cwd: join(ROOT, "pkg"),
    env: npmEnv,
    timeout: 60_000,
  });
  const [packed] = JSON.parse(stdout);
  await run("tar", ["xzf", join(work, packed.filename), "-C", work], { timeout: 60_000 });
  return join(work, "package");
}

/**
 * A fresh project: its package.json (`type`: what `npm init -y` writes, "commonjs", or
 * "module"), the package folder `tollgate` copied into node_modules, and `files`.
 */
export async function project(work, tollgate, name, { type = "module", files = {} } = {}) {
  const dir = join(work, name);
  await mkdir(join(dir, "node_modules"), { recursive: true });
  await cp(tollgate, join(dir, "node_modules/tollgate"), { recursive: true });
  const manifest = { name, version: "1.0.0", main: "index.js", license: "ISC", type, dependencies: { tollgate: "0.1.0" } };
  await writeFile(join(dir, "package.json"), JSON.stringify(manifest, null, 2));
  for (const [file, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), text);
  }
  return dir;
}

export async function bundle(dir, tool, args) {
  try {
    return await run(join(BIN, tool), args, { cwd: dir, env: { ...npmEnv, NO_COLOR: "1" }, timeout: 180_000 });
  } catch (error) {
    assert.fail(`${tool} ${args.join(" ")} failed:\n${error.stdout}\n${error.stderr}`);
  }
}

export async function filesBelow(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1));
}

export const wasmFiles = (files) => files.filter((f) => f.endsWith(".wasm"));
