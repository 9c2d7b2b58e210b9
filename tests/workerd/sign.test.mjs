// Signing inside the real workerd runtime: the full module's SigningKey, sign and downscope
// there, with randomness from workerd's crypto.getRandomValues (ring's SystemRandom through
// getrandom's "js" backend). The tokens come back to Node and verify with jose.
// Traffic to 127.0.0.1 only.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as jose from "jose";
import { ROOT, workerdConfig } from "../../examples/worker/workerd-config.mjs";
import { freePort, startWorkerd } from "../../examples/worker/run-workerd.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
let worker;

before(async () => {
  const port = await freePort();
  const dir = join(ROOT, "target/workerd");
  mkdirSync(dir, { recursive: true });
  let config = workerdConfig({ configDir: dir, workerPath: here("./sign-worker.js"), address: `127.0.0.1:${port}` });
  // The test keys, as JSON modules beside the worker.
  const keys = ["p256", "rsa2048", "ed25519"].map(
    (name) => `    (name = "${name}.jwk.json", json = embed ${JSON.stringify(`../../tests/keys/${name}.jwk.json`)}),`,
  );
  // After the first module: workerd takes the first as the main module.
  config = config.replace(/(  modules = \[\n[^\n]*\n)/, `$1${keys.join("\n")}\n`);
  const file = join(dir, "tollgate-sign.capnp");
  writeFileSync(file, config);
  worker = await startWorkerd({ port, config: file, readyTimeoutMs: 30_000 });
});

after(async () => {
  await worker?.stop();
});

test("workerd: SigningKey, sign and downscope, verified by jose", { timeout: 60_000 }, async () => {
  const res = await fetch(`${worker.url}/sign`, { signal: AbortSignal.timeout(20_000) });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  const out = JSON.parse(text);
  // No randomness at the top level of a worker: a key is imported in a request.
  assert.match(out.atLoad, /^TypeError: ERR_INVALID_ARG signing needs the runtime's random number generator/, out.atLoad);
  assert.deepEqual(out.tokens.map((t) => t.alg), ["ES256", "PS256", "EdDSA"]);
  for (const { alg, token, inner } of out.tokens) {
    const file = { ES256: "p256", PS256: "rsa2048", EdDSA: "ed25519" }[alg];
    const { d, p, q, dp, dq, qi, ...pub } = JSON.parse((await import("node:fs")).readFileSync(here(`../keys/${file}.jwk.json`), "utf8"));
    const key = await jose.importJWK(pub, alg);
    const { payload } = await jose.jwtVerify(token, key, { issuer: "https://edge", audience: "api" });
    assert.equal(payload.scope, "a b");
    const { payload: down } = await jose.jwtVerify(inner, key, { issuer: "https://edge", audience: "backend" });
    assert.equal(down.scope, "a");
    assert.match(down.jti, /^[A-Za-z0-9_-]{22}$/);
  }
});
