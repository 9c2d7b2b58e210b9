// `tollgate/hono` by name, as an application imports it: a throwaway project whose
// node_modules links tollgate (pkg/) and hono (tests/node_modules), run in a fresh Node.
// Checks the "./hono" export and that the middleware's self-reference to "tollgate" is the
// module instance the application imports (a KeySet it builds is accepted by the guard).

import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, "../..");
const project = join(ROOT, "target/hono-test/app");

after(() => rmSync(project, { recursive: true, force: true }));

test("import { tollgate } from 'tollgate/hono' in a project that installed both", { timeout: 60_000 }, () => {
  rmSync(project, { recursive: true, force: true });
  mkdirSync(join(project, "node_modules"), { recursive: true });
  symlinkSync(join(ROOT, "pkg"), join(project, "node_modules/tollgate"), "dir");
  symlinkSync(join(ROOT, "tests/node_modules/hono"), join(project, "node_modules/hono"), "dir");
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  writeFileSync(
    join(project, "main.js"),
    `import { Hono } from "hono";
import { KeySet } from "tollgate";
import { tollgate } from "tollgate/hono";
const keys = KeySet.fromSecret("0123456789abcdef0123456789abcdef", { alg: "HS256" });
const app = new Hono();
app.get("/", tollgate({ keys, issuer: "i", audience: "a", realm: "app" })(), (c) => c.text("ok"));
const res = await app.request("/");
console.log(JSON.stringify({ status: res.status, challenge: res.headers.get("www-authenticate") }));
`,
  );
  const run = spawnSync(process.execPath, [join(project, "main.js")], { cwd: project, encoding: "utf8", timeout: 30_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { status: 401, challenge: 'Bearer realm="app"' });
});
