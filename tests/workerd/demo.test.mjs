// `make demo` as a user meets it: the printed curl commands, pasted into a shell in any
// order and more than once, answer with the printed status; and the demo leaves the
// checkout as it found it. Runs examples/worker/demo.mjs itself (real workerd) and the
// real curl binary; traffic to 127.0.0.1 only.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

async function gitStatus() {
  const { stdout } = await run("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: ROOT });
  return stdout;
}

/** Starts the demo and resolves with its printed text once it is ready; `stop()` ends it. */
function startDemo() {
  const child = spawn(process.execPath, ["examples/worker/demo.mjs"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not get ready:\n${out}\n${err}`)), 60_000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (/Ctrl-C to stop/.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.stderr.on("data", (chunk) => (err += chunk));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited (${code}):\n${out}\n${err}`));
    });
  });
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", resolve);
      child.kill("SIGINT");
    });
  return { ready, stop };
}

test("make demo: every printed curl command answers as printed, in any order, twice", { timeout: 120_000 }, async () => {
  const before = await gitStatus();
  const demo = startDemo();
  try {
    const text = await demo.ready;
    // "# 200 what …" then, a line or two later, the curl command.
    const cases = [];
    let status;
    for (const line of text.split("\n")) {
      const heading = /^# (\d{3}) /.exec(line);
      if (heading) status = Number(heading[1]);
      else if (line.startsWith("curl ") && status !== undefined) {
        cases.push({ status, command: line });
        status = undefined;
      }
    }
    assert.ok(cases.length >= 8, `expected the demo's cases, got:\n${text}`);
    assert.ok(cases.some((c) => / -X DELETE /.test(c.command)), "the demo prints a DELETE");
    for (const order of [[...cases].reverse(), cases]) {
      for (const { status: want, command } of order) {
        // As pasted into a shell: only the status line is compared.
        const { stdout } = await run("sh", ["-c", `${command} -s -o /dev/null -w '%{http_code}'`], { timeout: 10_000 });
        assert.equal(Number(stdout), want, command.slice(0, 80));
      }
    }
  } finally {
    await demo.stop();
  }
  assert.equal(await gitStatus(), before, "the demo changed tracked files");
});
