// The fenced code blocks of the project's Markdown (README.md, docs/*.md), read the same way
// by the block test (markdown.mjs) and the README walkthroughs (tests/workerd/readme-worker,
// tests/bundlers/readme-spa).
//
//   ```js            compiled under tsc --strict and run in Node against pkg/
//   ```js norun      compiled only: browser-only code, or code that needs a real IdP
//   <!-- quickstart:worker file=src/index.js -->   (the line before a fence) names the block
//                    as a file of a README quick start, for the walkthrough tests

import { readFile, readdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Fence languages a block may carry; anything else (or none) fails the block test. */
export const LANGUAGES = new Set(["js", "ts", "sh", "json", "jsonc", "toml", "html", "text", "http", "rust"]);
export const CODE_LANGUAGES = new Set(["js", "ts"]);

/**
 * Every fenced block: `{ file, line, lang, flags, code, quickstart }` (line: of the opening
 * fence; quickstart: `{ name, file }` from a marker on the line before, else undefined).
 */
export function codeBlocks(markdown, file = "README.md") {
  const blocks = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.indexOf("```", i + 1);
    if (end < 0) throw new Error(`${file}:${i + 1}: unclosed code block`);
    const [lang = "", ...flags] = open[1].trim().split(/\s+/).filter(Boolean);
    const marker = /^<!--\s*quickstart:(\S+)\s+file=(\S+)\s*-->$/.exec(lines[i - 1]?.trim() ?? "");
    blocks.push({
      file,
      line: i + 1,
      lang,
      flags,
      code: lines.slice(i + 1, end).join("\n"),
      quickstart: marker ? { name: marker[1], file: marker[2] } : undefined,
    });
    i = end;
  }
  return blocks;
}

/** The Markdown files whose blocks are tested: README.md and docs/*.md, as [relative path, text]. */
export async function markdownFiles() {
  const docs = (await readdir(join(ROOT, "docs"))).filter((f) => f.endsWith(".md")).sort();
  const files = ["README.md", ...docs.map((f) => `docs/${f}`)];
  return Promise.all(files.map(async (f) => [f, await readFile(join(ROOT, f), "utf8")]));
}

/** A README quick start's files, `{ path: code }`, in README order; throws when it has none. */
export async function quickstart(name) {
  const blocks = codeBlocks(await readFile(join(ROOT, "README.md"), "utf8"));
  const files = Object.fromEntries(blocks.filter((b) => b.quickstart?.name === name).map((b) => [b.quickstart.file, b.code]));
  if (Object.keys(files).length === 0) throw new Error(`README.md has no <!-- quickstart:${name} file=… --> block`);
  return files;
}
