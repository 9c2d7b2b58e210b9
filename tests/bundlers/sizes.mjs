// The size of a verify-only app (gzip -9 of its JavaScript and .wasm): tollgate built by
// esbuild (wasm inlined), Vite and webpack (wasm emitted), each with the package's `sideEffects`
// and with `"sideEffects": true` (what a bundler assumes without the field), beside jose
// doing the same (import a key, verify a JWT). bundlers.test.mjs checks what sideEffects
// leaves out; `node tests/bundlers/sizes.mjs` prints the table for docs/benchmarks.md.

import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { AUDIENCE, ISSUER, ROOT, SECRET, TOKEN, appSource, bundle, filesBelow, packTollgate, page, project } from "./apps.mjs";

// jose's equivalent: the same token and secret, imported as a JWK, verified with jwtVerify.
const JOSE_APP = `import { importJWK, jwtVerify } from "jose";
const out = document.getElementById("out");
const key = await importJWK({ kty: "oct", k: ${JSON.stringify(Buffer.from(SECRET).toString("base64url"))} }, "HS256");
const { payload } = await jwtVerify(${JSON.stringify(TOKEN)}, key, { issuer: ${JSON.stringify(ISSUER)}, audience: ${JSON.stringify(AUDIENCE)} });
out.textContent = JSON.stringify({ sub: payload.sub });
`;

/** Strings found only in the edge layer, the SPA helpers and the verified-token cache. */
export const UNUSED_MARKERS = {
  "remote.js": "the JWKS URL",
  "issuers.js": "OpenID discovery document",
  "guard.js": "allowTokenInQuery",
  "guard.js, module scope": "Cloudflare-Workers",
  "spa.js": "hasScopes",
  "cache.js": "(known: max)",
};

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;

async function sizesOf(dist) {
  const files = await filesBelow(dist);
  let js = 0;
  let wasm = 0;
  let text = "";
  for (const file of files) {
    const bytes = await readFile(join(dist, file));
    if (file.endsWith(".js")) {
      js += gzip(bytes);
      text += bytes.toString("utf8");
    } else if (file.endsWith(".wasm")) {
      wasm += gzip(bytes);
    }
  }
  // "AGFzbQ": the base64 of the wasm magic number, "\0asm".
  return { js, wasm, total: js + wasm, inlined: text.includes('"AGFzbQ'), text };
}

async function esbuildApp(dir) {
  await bundle(dir, "esbuild", ["app.js", "--bundle", "--minify", "--format=esm", "--outfile=dist/app.js"]);
  return sizesOf(join(dir, "dist"));
}

async function webpackApp(dir) {
  await bundle(dir, "webpack", ["--mode", "production", "--entry", "./app.js", "--output-path", "dist"]);
  return sizesOf(join(dir, "dist"));
}

async function viteApp(dir) {
  await writeFile(join(dir, "index.html"), page(`<script type="module" src="/app.js"></script>`));
  await bundle(dir, "vite", ["build", "--logLevel", "warn"]);
  return sizesOf(join(dir, "dist"));
}

const BUNDLERS = [["esbuild", esbuildApp], ["Vite", viteApp], ["webpack", webpackApp]];

/**
 * Builds the apps in `work` (a scratch folder) from the unpacked package `tollgate`; resolves
 * to rows `{ app, bundler, js, wasm, total, text }` (gzip bytes; `text`: the bundle's JS).
 */
export async function measure(work, tollgate) {
  const allSideEffects = join(work, "package-side-effects-true");
  await cp(tollgate, allSideEffects, { recursive: true });
  const manifest = JSON.parse(await readFile(join(allSideEffects, "package.json"), "utf8"));
  await writeFile(join(allSideEffects, "package.json"), JSON.stringify({ ...manifest, sideEffects: true }, null, 2));

  const rows = [];
  for (const [app, pkg] of [["tollgate", tollgate], ['tollgate, "sideEffects": true', allSideEffects]]) {
    for (const [bundler, build] of BUNDLERS) {
      const dir = await project(work, pkg, `size-${rows.length}`, { files: { "app.js": appSource() } });
      rows.push({ app, bundler, ...(await build(dir)) });
    }
  }
  const jose = join(ROOT, "tests/node_modules/jose");
  if (existsSync(jose)) {
    const version = JSON.parse(await readFile(join(jose, "package.json"), "utf8")).version;
    for (const [bundler, build] of BUNDLERS) {
      const dir = await project(work, tollgate, `size-jose-${bundler}`, { files: { "app.js": JOSE_APP } });
      await cp(jose, join(dir, "node_modules/jose"), { recursive: true });
      rows.push({ app: `jose ${version}`, bundler, ...(await build(dir)) });
    }
  }
  return rows;
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

export const table = (rows) =>
  [
    "| verify-only app | bundler | JS (gzip) | .wasm (gzip) | total |",
    "|---|---|--:|--:|--:|",
    ...rows.map((r) => `| ${r.app} | ${r.bundler} | ${kb(r.js)} | ${r.wasm ? kb(r.wasm) : r.inlined ? "in the JS" : "—"} | ${kb(r.total)} |`),
  ].join("\n");

if (import.meta.url === `file://${process.argv[1]}`) {
  const work = await mkdtemp(join(tmpdir(), "tollgate-sizes-"));
  try {
    console.log(table(await measure(work, await packTollgate(work))));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
