// README.md's Worker quick start, followed as written: its wrangler.toml and src/index.js
// are taken out of README.md (the <!-- quickstart:worker file=… --> blocks) and served by
// the real workerd with the built package, the [vars] as text bindings. The identity
// provider is a JWKS server on 127.0.0.1 publishing an RS256 key exported by jose, with a
// `kid` and without `alg`; tokens are minted by jose. Only JWKS_URL is changed (the README's
// points at https://idp.example/); the worker may reach 127.0.0.1 and nothing else.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import * as jose from "jose";
import { moduleLine, packageModules } from "../../examples/worker/workerd-config.mjs";
import { callWorker, freePort, startWorkerd } from "../../examples/worker/run-workerd.mjs";
import { startKeyServer } from "../edge/helpers.mjs";
import { quickstart } from "../types/markdown-blocks.mjs";

/** The few TOML forms the quick start's wrangler.toml uses: `key = "string"` under [tables]. */
function parseToml(text) {
  const out = {};
  let table = out;
  for (const line of text.split("\n").map((l) => l.trim())) {
    if (line === "" || line.startsWith("#")) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      table = out[header[1]] = {};
      continue;
    }
    const pair = /^(\w+)\s*=\s*"([^"]*)"$/.exec(line);
    assert.ok(pair, `README.md's wrangler.toml: a line this test cannot read: ${line}`);
    table[pair[1]] = pair[2];
  }
  return out;
}

let work;
let idp;
let worker;
let vars;
let signingKey; // the IdP's: its public half is in the JWKS
const KID = "idp-rsa-2026";

before(async () => {
  const files = await quickstart("worker");
  const toml = parseToml(files["wrangler.toml"]);
  assert.ok(files[toml.main], `wrangler.toml's main (${toml.main}) is a quick-start file`);
  vars = toml.vars;
  for (const name of ["JWKS_URL", "ISSUER", "AUDIENCE"]) assert.equal(typeof vars?.[name], "string", `[vars] ${name}`);

  const { publicKey, privateKey } = await jose.generateKeyPair("RS256", { extractable: true });
  signingKey = privateKey;
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: KID, use: "sig" };
  assert.equal(jwk.alg, undefined, "the JWKS publishes the key without alg");
  idp = await startKeyServer({ jwks: { keys: [jwk] } });

  work = await mkdtemp(join(tmpdir(), "tollgate-readme-worker-"));
  const main = join(work, toml.main);
  await mkdir(join(main, ".."), { recursive: true });
  await writeFile(main, files[toml.main]);

  const port = await freePort();
  const rel = (p) => JSON.stringify(relative(work, p).split(sep).join("/"));
  // The main module at the top level, as wrangler's bundle is: workerd resolves a bare
  // "tollgate" against the importing module's folder.
  const modules = [["readme-worker.js", main, "esModule"], ...packageModules()].map((m) => moduleLine(m, rel)).join("\n");
  const bindings = Object.entries({ ...vars, JWKS_URL: idp.url("/jwks.json") })
    .map(([name, value]) => `    (name = ${JSON.stringify(name)}, text = ${JSON.stringify(value)}),`)
    .join("\n");
  const config = join(work, "readme-worker.capnp");
  await writeFile(
    config,
    `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .readmeWorker),
    (name = "loopback", network = (allow = ["127.0.0.1/32"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const readmeWorker :Workerd.Worker = (
  modules = [
${modules}
  ],
  bindings = [
${bindings}
  ],
  globalOutbound = "loopback",
  compatibilityDate = ${JSON.stringify(toml.compatibility_date)},
);
`,
  );
  // The quick start has no public route: a 401 to a request without a token means it is up.
  worker = await startWorkerd({ port, config, ready: (res) => res.status === 401 });
});

after(async () => {
  await worker?.stop();
  await idp?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

/** An RS256 access token for the README's issuer and audience, minted by jose. */
async function mint(claims = {}, key = signingKey) {
  const now = Math.floor(Date.now() / 1000);
  return new jose.SignJWT({ iss: vars.ISSUER, aud: vars.AUDIENCE, sub: "user-1", iat: now, exp: now + 600, ...claims })
    .setProtectedHeader({ alg: "RS256", kid: KID, typ: "at+jwt" })
    .sign(key);
}

const call = (token) => callWorker(`${worker.url}/`, { token, timeoutMs: 10_000 });

describe("README.md's Worker quick start in workerd, keys from a JWKS without alg", { timeout: 90_000 }, () => {
  test("an RS256 token with read:messages: 200, the subject and scopes", async () => {
    const res = await call(await mint({ scope: "read:messages write:messages" }));
    assert.equal(res.status, 200, `${res.text}\n${worker.output()}`);
    assert.deepEqual(res.json, { subject: "user-1", scopes: ["read:messages", "write:messages"] });
    assert.ok(idp.count("/jwks.json") >= 1, "the keys came from the JWKS server");
  });

  test("no token: 401 with the bare challenge", async () => {
    const res = await call(undefined);
    assert.equal(res.status, 401);
    assert.equal(res.challenge, 'Bearer realm="api"');
  });

  test("a token signed by another key under the same kid: 401 invalid_token", async () => {
    const { privateKey } = await jose.generateKeyPair("RS256");
    const res = await call(await mint({ scope: "read:messages" }, privateKey));
    assert.equal(res.status, 401, res.text);
    assert.match(res.challenge, /^Bearer realm="api", error="invalid_token"/);
    assert.equal(res.json.error, "invalid_token");
    assert.match(res.json.error_description, /signature/);
  });

  test("an expired token: 401 invalid_token", async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = await call(await mint({ scope: "read:messages", iat: now - 7200, exp: now - 3600 }));
    assert.equal(res.status, 401, res.text);
    assert.match(res.challenge, /error="invalid_token"/);
    assert.match(res.json.error_description, /expired/);
  });

  test("a valid token without read:messages: 403 insufficient_scope", async () => {
    const res = await call(await mint({ scope: "write:messages" }));
    assert.equal(res.status, 403, res.text);
    assert.match(res.challenge, /error="insufficient_scope"/);
    assert.match(res.challenge, /scope="read:messages"/);
    assert.equal(res.json.error, "insufficient_scope");
  });
});
