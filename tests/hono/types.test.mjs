// pkg/hono.d.ts against real hono's types: `tsc -p tests/hono/types` must pass (the
// documented usage compiles; each expected error in usage.ts fires).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

test("tsc -p tests/hono/types", { timeout: 120_000 }, () => {
  const tsc = join(here, "../node_modules/typescript/bin/tsc");
  const run = spawnSync(process.execPath, [tsc, "-p", join(here, "types")], { encoding: "utf8", timeout: 110_000 });
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
});
