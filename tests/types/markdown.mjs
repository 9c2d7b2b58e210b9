// Every code block of README.md and docs/*.md, tested so that none can drift from the package:
//
//   - every fence names its language, one of LANGUAGES (markdown-blocks.mjs): a bare ``` or an
//     unknown language fails;
//   - every ```js / ```ts block compiles under tsc --strict against the hand-written types
//     (pkg/*.d.ts) and real hono, each block a module (```js as .js with checkJs);
//   - then each of them runs in Node against the built package (pkg/, through the
//     "tollgate" name as an app imports it), with the fixtures of markdown-fixtures.mjs as
//     the names it uses without defining them. A block flagged `norun` (browser-only, or
//     needing what Node has not: a Durable Object, a real identity provider) is compiled
//     only; `fixture:NAME` gives a block another request (markdown-fixtures.mjs).
//
// A block's imports stay at the top; the rest goes inside an async function (blocks use
// `await` and `return` as in a handler) unless the block exports: then it is a module as
// written, and a default export with a `fetch` (a worker, a Hono app) must answer 200 to
// GET /api/messages with the fixture token. A block that goes on from an earlier one gets
// that one's imports (PRELUDE, only the names it uses).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { CODE_LANGUAGES, LANGUAGES, ROOT, codeBlocks, markdownFiles } from "./markdown-blocks.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));

/** What a block may use without importing it, as an earlier block imported it. */
const PRELUDE = {
  tollgate: [
    "KeySet", "RevocationList", "createVerifier", "verify", "verifyAsync", "decode", "checkScopes",
    "isTollgateError", "createGuard", "createRemoteKeySet", "discoverKeySet", "createIssuerKeys",
    "createIntrospector", "expiresIn", "isExpired", "hasScopes", "BasicCredentials", "ApiKeyCatalog",
  ],
  "tollgate/policy": ["Policy"],
};

/** One block as a module. */
export function moduleOf({ file, line, code }) {
  const lines = code.split("\n");
  const imports = lines.filter((l) => /^(import|export .* from)\s/.test(l));
  const imported = new Set(imports.flatMap((l) => /\{([^}]*)\}/.exec(l)?.[1].split(",").map((n) => n.trim()) ?? []));
  const declared = (n) => new RegExp(`\\b(const|let|var|function|class)\\s+${n}\\b`).test(code);
  for (const [from, names] of Object.entries(PRELUDE)) {
    const used = names.filter((n) => !imported.has(n) && !declared(n) && new RegExp(`\\b${n}\\b`).test(code));
    if (used.length > 0) imports.push(`import { ${used.join(", ")} } from ${JSON.stringify(from)};`);
  }
  const body = lines.filter((l) => !imports.includes(l));
  const wrap = !body.some((l) => /^export\s/.test(l));
  return [
    `// ${file}:${line}`,
    ...imports,
    wrap ? "export async function block() {" : "",
    ...body,
    wrap ? "}" : "",
  ].join("\n");
}

/** The names markdown-globals.d.ts declares. */
async function declaredGlobals() {
  const text = await readFile(join(HERE, "markdown-globals.d.ts"), "utf8");
  return [...text.matchAll(/^declare (?:const|function) (\w+)/gm)].map((m) => m[1]).sort();
}

function compile(work, files, ext) {
  const config = join(work, `tsconfig.${ext}.json`);
  return writeFile(
    config,
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "ESNext",
        moduleResolution: "Bundler",
        strict: true,
        // JavaScript cannot annotate a parameter (`fetch(request)`): every other strict
        // check applies to the .js blocks; the .ts blocks get all of them.
        noImplicitAny: ext === "ts",
        allowJs: true,
        checkJs: true,
        noEmit: true,
        skipLibCheck: false,
        lib: ["ES2022", "DOM", "DOM.Iterable"],
        types: [],
        paths: {
          tollgate: [join(ROOT, "pkg/tollgate.d.ts")],
          "tollgate/policy": [join(ROOT, "pkg/policy.d.ts")],
          "tollgate/hono": [join(ROOT, "pkg/hono.d.ts")],
          hono: [join(ROOT, "tests/node_modules/hono/dist/types/index.d.ts")],
        },
      },
      files: [join(HERE, "markdown-globals.d.ts"), ...files.map((f) => join(work, f))],
    }),
  ).then(() => {
    const tsc = join(ROOT, "tests/node_modules/typescript/bin/tsc");
    const run = spawnSync(process.execPath, [tsc, "-p", config, "--pretty", "false"], { encoding: "utf8" });
    return run.status === 0 ? "" : `${run.stdout}${run.stderr}`;
  });
}

const problems = [];
const all = (await markdownFiles()).flatMap(([file, text]) => codeBlocks(text, file));
for (const b of all) {
  if (!LANGUAGES.has(b.lang)) {
    problems.push(`${b.file}:${b.line}: a code block needs a language among ${[...LANGUAGES].join(", ")} (got ${JSON.stringify(b.lang)})`);
  }
  const unknown = b.flags.filter((f) => f !== "norun" && !f.startsWith("fixture:"));
  if (unknown.length > 0) problems.push(`${b.file}:${b.line}: unknown fence flags ${unknown.join(" ")}`);
}
const blocks = all.filter((b) => CODE_LANGUAGES.has(b.lang));
const quickstarts = new Set(all.filter((b) => b.file === "README.md" && b.quickstart).map((b) => b.quickstart.name));
assert.deepEqual([...quickstarts].sort(), ["hono", "spa", "worker"], "README.md's quick starts (<!-- quickstart:NAME file=PATH --> markers)");

const fixtures = await import("./markdown-fixtures.mjs");
assert.deepEqual([...fixtures.GLOBAL_NAMES].sort(), await declaredGlobals(), "markdown-fixtures.mjs and markdown-globals.d.ts name different globals");

const work = await mkdtemp(join(tmpdir(), "tollgate-markdown-"));
let ran = 0;
try {
  // The blocks import "tollgate" as an app does: node_modules/tollgate is the built pkg/.
  await mkdir(join(work, "node_modules"));
  await symlink(join(ROOT, "pkg"), join(work, "node_modules/tollgate"), "dir");
  await symlink(join(ROOT, "tests/node_modules/hono"), join(work, "node_modules/hono"), "dir");
  const named = blocks.map((b, i) => {
    const stem = `block-${String(i + 1).padStart(2, "0")}-${b.file.replace(/[/.]/g, "_")}-${b.line}`;
    return { ...b, stem, source: moduleOf(b) };
  });
  for (const b of named) await writeFile(join(work, `${b.stem}.${b.lang}`), b.source);
  for (const ext of ["js", "ts"]) {
    const group = named.filter((b) => b.lang === ext).map((b) => `${b.stem}.${ext}`);
    if (group.length === 0) continue;
    const output = await compile(work, group, ext);
    if (output) problems.push(`code blocks that do not compile (strict), as modules in ${work}:\n${output}`);
  }

  for (const b of named.filter((b) => !b.flags.includes("norun"))) {
    const js = b.lang === "ts"
      ? ts.transpileModule(b.source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText
      : b.source;
    const runFile = join(work, `${b.stem}.mjs`);
    await writeFile(runFile, js);
    const variant = b.flags.find((f) => f.startsWith("fixture:"))?.slice("fixture:".length);
    try {
      fixtures.install(variant);
      const mod = await import(pathToFileURL(runFile).href);
      let result;
      if (typeof mod.block === "function") {
        result = await mod.block();
      } else if (typeof mod.default?.fetch === "function") {
        const ctx = { waitUntil() {}, passThroughOnException() {} };
        result = await mod.default.fetch(fixtures.appRequest(), fixtures.env, ctx);
        assert.ok(result instanceof Response, "the default export's fetch gave no Response");
        assert.equal(result.status, 200, `GET /api/messages with the fixture token: ${await result.clone().text()}`);
      }
      if (result instanceof Response) await result.arrayBuffer();
      ran++;
    } catch (error) {
      problems.push(`${b.file}:${b.line}: the block threw when run in Node (${runFile}):\n  ${error?.stack ?? error}`);
    }
  }
} finally {
  fixtures.close();
}

const count = (lang) => all.filter((b) => b.lang === lang).length;
const others = [...LANGUAGES].filter((l) => !CODE_LANGUAGES.has(l) && count(l) > 0).map((l) => `${l} ${count(l)}`).join(", ");
if (problems.length > 0) {
  console.error(problems.join("\n\n"));
  process.exitCode = 1;
} else {
  console.log(
    `README.md + docs/*.md: ${blocks.length} js/ts blocks compile under strict; ${ran} ran in Node, ` +
      `${blocks.length - ran} compiled only (norun); other blocks: ${others}`,
  );
  await rm(work, { recursive: true, force: true });
}
// Timers a block started (scheduleRefresh) and cached key sets must not keep the test alive.
process.exit();
