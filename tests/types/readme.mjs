// Compiles every ```js and ```ts block of README.md with `tsc --strict` against the
// hand-written types (pkg/*.d.ts) and real hono: a documented example that does not
// type-check fails `make test-types`. Each block becomes a module (```js blocks as .js with
// checkJs, ```ts as .ts): its imports stay at the top; the rest goes inside an async
// function (blocks use `await` and `return` as in a handler) unless the block exports (a
// worker's `export default`). A block that goes on from an earlier one gets that one's
// imports (PRELUDE, only the names it uses); other names it uses without defining come from
// readme-globals.d.ts. Other blocks (sh, json, text) are skipped.

import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, "../..");

/** The README's ```js / ```ts blocks: `{ line, lang, code }` (line: of the opening fence). */
export function codeBlocks(markdown) {
  const blocks = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.indexOf("```", i + 1);
    if (end < 0) throw new Error(`README.md:${i + 1}: unclosed code block`);
    if (["js", "ts", "javascript", "typescript"].includes(open[1])) {
      blocks.push({ line: i + 1, lang: open[1], code: lines.slice(i + 1, end).join("\n") });
    }
    i = end;
  }
  return blocks;
}

/** What a block may use without importing it, as an earlier block imported it. */
const PRELUDE = {
  tollgate: [
    "KeySet", "RevocationList", "createVerifier", "verify", "verifyAsync", "decode", "checkScopes",
    "isTollgateError", "createGuard", "createRemoteKeySet", "discoverKeySet", "createIssuerKeys",
    "expiresIn", "isExpired", "hasScopes",
  ],
  "tollgate/policy": ["Policy"],
};

/** One block as a module. */
export function moduleOf({ line, code }) {
  const lines = code.split("\n");
  const imports = lines.filter((l) => /^import\s/.test(l));
  const imported = new Set(imports.flatMap((l) => /\{([^}]*)\}/.exec(l)?.[1].split(",").map((n) => n.trim()) ?? []));
  for (const [from, names] of Object.entries(PRELUDE)) {
    const used = names.filter((n) => !imported.has(n) && new RegExp(`\\b${n}\\b`).test(code));
    if (used.length > 0) imports.push(`import { ${used.join(", ")} } from ${JSON.stringify(from)};`);
  }
  const body = lines.filter((l) => !/^import\s/.test(l));
  const wrap = !body.some((l) => /^export\s/.test(l));
  return [
    `// README.md:${line}`,
    ...imports,
    wrap ? "export async function block() {" : "export {};",
    ...body,
    wrap ? "}" : "",
  ].join("\n");
}

const work = await mkdtemp(join(tmpdir(), "tollgate-readme-"));
try {
  const blocks = codeBlocks(await readFile(join(ROOT, "README.md"), "utf8"));
  if (blocks.length < 10) throw new Error(`only ${blocks.length} js/ts blocks found in README.md`);
  const files = [];
  for (const [i, block] of blocks.entries()) {
    const ext = block.lang.startsWith("j") ? "js" : "ts";
    const file = `block-${String(i + 1).padStart(2, "0")}-line-${block.line}.${ext}`;
    await writeFile(join(work, file), moduleOf(block));
    files.push(file);
  }
  const tsc = join(ROOT, "tests/node_modules/typescript/bin/tsc");
  let output = "";
  for (const ext of ["js", "ts"]) {
    const group = files.filter((f) => f.endsWith(`.${ext}`));
    if (group.length === 0) continue;
    const config = join(work, `tsconfig.${ext}.json`);
    await writeFile(
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
        files: [join(HERE, "readme-globals.d.ts"), ...group.map((f) => join(work, f))],
      }),
    );
    const run = spawnSync(process.execPath, [tsc, "-p", config, "--pretty", "false"], { encoding: "utf8" });
    if (run.status !== 0) output += `${run.stdout}${run.stderr}`;
  }
  if (output) {
    console.error(`README.md code blocks that do not compile (strict), as modules in ${work}:\n${output}`);
    process.exitCode = 1;
  } else {
    console.log(`README.md: ${blocks.length} js/ts code blocks compile under strict`);
  }
} finally {
  if (!process.exitCode) await rm(work, { recursive: true, force: true });
}
