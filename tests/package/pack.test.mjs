// The npm package as users get it: `npm pack` pkg/, install the tarball into a
// throwaway project, and verify tokens from there through the bare "tollgate" import.
// Tokens are minted with jose (an independent implementation).

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { SignJWT, exportJWK, generateKeyPair } from "jose";

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const PKG = join(ROOT, "pkg");
const ISSUER = "https://issuer.example";
const AUDIENCE = "https://api.example";

// npm must not wander off: no audit/fund calls, no update check, no scripts from the tarball.
const npmEnv = {
  ...process.env,
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
  npm_config_loglevel: "error",
};

let work;
let packed; // npm pack --json entry
let tarball;
let project;

before(async () => {
  assert.ok(existsSync(join(PKG, "wasm/tollgate_wasm_bg.wasm")), "pkg/wasm is missing: run `make pkg` first");
  work = await mkdtemp(join(tmpdir(), "tollgate-pack-"));
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", work], {
    cwd: PKG,
    env: npmEnv,
    timeout: 60_000,
  });
  [packed] = JSON.parse(stdout);
  tarball = join(work, packed.filename);

  project = join(work, "consumer");
  await mkdir(project);
  await writeFile(
    join(project, "package.json"),
    JSON.stringify({ name: "tollgate-consumer", version: "1.0.0", private: true, type: "module" }, null, 2),
  );
  // The package has no dependencies, so this needs no registry.
  await run("npm", ["install", "--offline", "--ignore-scripts", "--no-package-lock", tarball], {
    cwd: project,
    env: npmEnv,
    timeout: 120_000,
  });
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("npm package", { timeout: 180_000 }, () => {
  test("the tarball holds the entry points, types and wasm", () => {
    const files = packed.files.map((f) => f.path).sort();
    for (const required of [
      "package.json",
      "README.md",
      "index.js",
      "tollgate.js",
      "node.js",
      "browser.js",
      "inline.js",
      "workerd.js",
      "tollgate.d.ts",
      "edge.js",
      "edge.d.ts",
      "edge-common.js",
      "remote.js",
      "issuers.js",
      "guard.js",
      "dpop.js",
      "hono.js",
      "hono.d.ts",
      "LICENSE-MIT",
      "LICENSE-APACHE",
      "wasm/tollgate_wasm.js",
      "wasm/tollgate_wasm_bg.wasm",
      "policy.js",
      "policy.d.ts",
      "policy-node.js",
      "policy-browser.js",
      "policy-inline.js",
      "policy-workerd.js",
      "internal.js",
      "core.js",
      "cli.js",
      "cli/io.js",
      "cli/help.js",
      "cli/policy.js",
      "cli/tokens.js",
      "cli/credentials.js",
      "governance.js",
      "governance/util.js",
      "governance/model.js",
      "governance/lint.js",
      "governance/catalog.js",
      "governance/drift.js",
      "wasm/tollgate_policy.js",
      "wasm/tollgate_policy_bg.wasm",
      "wasm/tollgate_wasm_inline.js",
      "wasm/tollgate_policy_inline.js",
    ]) {
      assert.ok(files.includes(required), `${required} missing from the tarball: ${files.join(", ")}`);
    }
    const stray = files.filter(
      (f) => /^(target|src|tests?|node_modules|bench|examples|fuzz|\.ci)\//.test(f) || /\.(rs|tgz|capnp)$/.test(f) || /^Cargo\./.test(f),
    );
    assert.deepEqual(stray, [], `unexpected files in the tarball: ${stray.join(", ")}`);
  });

  test("the tarball is small and its wasm is the optimized build", async () => {
    const wasm = packed.files.find((f) => f.path === "wasm/tollgate_wasm_bg.wasm");
    const built = await readFile(join(PKG, "wasm/tollgate_wasm_bg.wasm"));
    assert.equal(wasm.size, built.length);
    // Each module ships twice: as a .wasm file and as base64 inside the self-contained entry's
    // JavaScript (inline.js); a bundle takes one of the two. The full module (tollgate/policy:
    // the verifier's exports and the policy engine, ~290 KB raw) is the larger part.
    assert.ok(packed.size < 896 * 1024, `tarball is ${packed.size} bytes`);
  });

  test("package.json exports map: every condition points at a file in the tarball", async () => {
    const manifest = JSON.parse(await readFile(join(project, "node_modules/tollgate/package.json"), "utf8"));
    assert.equal(manifest.name, "tollgate");
    assert.equal(manifest.type, "module");
    const root = manifest.exports["."];
    for (const condition of ["types", "workerd", "node", "require", "production", "default"]) {
      assert.equal(typeof root[condition], "string", `exports["."].${condition}`);
      assert.ok(existsSync(join(project, "node_modules/tollgate", root[condition])), `${condition}: ${root[condition]}`);
    }
    assert.deepEqual(manifest.dependencies ?? {}, {}, "the package should have no runtime dependencies");
  });

  test('import { KeySet, verify } from "tollgate" verifies a token and rejects an expired one', async () => {
    const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims, iat, exp) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "ES256", kid: "k1", typ: "at+jwt" })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject("user-1")
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(privateKey);
    const token = await sign({ scope: "read:messages write:messages" }, now, now + 600);
    const expired = await sign({ scope: "read:messages" }, now - 7200, now - 3600);

    const script = `
      import { KeySet, verify, TollgateError } from "tollgate";
      const input = JSON.parse(process.env.TOLLGATE_CASE);
      const keys = KeySet.fromJwks(input.jwks);
      const out = { resolved: import.meta.resolve("tollgate"), size: keys.size };
      const ok = verify(input.token, { keys, issuer: input.issuer, audience: input.audience, requiredScopes: ["read:messages"] });
      out.sub = ok.claims.sub;
      out.alg = ok.header.alg;
      out.scopes = ok.scopes;
      try {
        verify(input.expired, { keys, issuer: input.issuer, audience: input.audience });
        out.expired = "accepted";
      } catch (err) {
        out.expired = { name: err.name, code: err.code, status: err.status, claim: err.claim,
          wwwAuthenticate: err.wwwAuthenticate, isTollgateError: err instanceof TollgateError };
      }
      console.log(JSON.stringify(out));
    `;
    await writeFile(join(project, "check.mjs"), script);
    const { stdout } = await run(process.execPath, ["check.mjs"], {
      cwd: project,
      timeout: 30_000,
      env: {
        ...process.env,
        TOLLGATE_CASE: JSON.stringify({ jwks: { keys: [jwk] }, token, expired, issuer: ISSUER, audience: AUDIENCE }),
      },
    });
    const out = JSON.parse(stdout.trim().split("\n").pop());
    assert.match(out.resolved, /\/node_modules\/tollgate\/node\.js$/, "Node must pick the package's node entry");
    assert.equal(out.size, 1);
    assert.equal(out.sub, "user-1");
    assert.equal(out.alg, "ES256");
    assert.deepEqual([...out.scopes].sort(), ["read:messages", "write:messages"]);
    assert.equal(out.expired.code, "ERR_JWT_EXPIRED");
    assert.equal(out.expired.name, "TollgateError");
    assert.equal(out.expired.status, 401);
    assert.equal(out.expired.isTollgateError, true);
    assert.match(out.expired.wwwAuthenticate, /^Bearer error="invalid_token"/);
  });

  test('import { Policy } from "tollgate/policy" decides on a verify result from "tollgate"', async () => {
    const script = `
      import { KeySet, createVerifier } from "tollgate";
      import { Policy } from "tollgate/policy";
      import { createHmac } from "node:crypto";
      const secret = "0123456789abcdef0123456789abcdef";
      const b = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
      const now = Math.floor(Date.now() / 1000);
      const input = b({ alg: "HS256" }) + "." + b({ iss: "i", aud: "a", exp: now + 60, iat: now, scope: "read", roles: ["r"] });
      const token = input + "." + createHmac("sha256", secret).update(input).digest("base64url");
      const verifier = createVerifier({ keys: KeySet.fromSecret(secret, { alg: "HS256" }), issuer: "i", audience: "a" });
      const policy = Policy.fromJson({ version: 1, scopes: { read: {} }, roles: { r: { grants: ["read"] } },
        rules: [{ method: "GET", path: "/x", scopes: ["read"], roles: ["r"] }] });
      const yes = policy.evaluate(verifier.verify(token), { method: "GET", path: "/x" });
      const no = policy.evaluate(verifier.verify(token), { method: "GET", path: "/y" });
      console.log(JSON.stringify({ resolved: import.meta.resolve("tollgate/policy"), yes, no }));
    `;
    await writeFile(join(project, "policy.mjs"), script);
    const { stdout } = await run(process.execPath, ["policy.mjs"], { cwd: project, timeout: 30_000 });
    const out = JSON.parse(stdout.trim().split("\n").pop());
    assert.match(out.resolved, /\/node_modules\/tollgate\/policy-node\.js$/);
    assert.equal(out.yes.allow, true);
    assert.equal(out.yes.unverified, false, "a verify result from the main entry is trusted by the policy entry");
    assert.equal(out.no.code, "ERR_POLICY_NO_MATCHING_RULE");
  });

  test('require("tollgate") from CommonJS works on the Node versions `engines` names', async () => {
    const manifest = JSON.parse(await readFile(join(project, "node_modules/tollgate/package.json"), "utf8"));
    // The package is ESM only: require() of it needs Node's require(esm), unflagged from
    // 20.19 and 22.12. `engines` must say exactly that.
    assert.equal(manifest.engines.node, "^20.19.0 || >=22.12.0");
    const [major, minor] = process.versions.node.split(".").map(Number);
    const supported = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22;
    const script = `
      const { KeySet, createVerifier } = require("tollgate");
      const { Policy } = require("tollgate/policy");
      const { createHmac } = require("node:crypto");
      const secret = "0123456789abcdef0123456789abcdef";
      const b = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
      const input = b({ alg: "HS256" }) + "." + b({ iss: "i", aud: "a", exp: 4102444800, sub: "cjs" });
      const token = input + "." + createHmac("sha256", secret).update(input).digest("base64url");
      const verifier = createVerifier({ keys: KeySet.fromSecret(secret, { alg: "HS256" }), issuer: "i", audience: "a" });
      console.log(JSON.stringify({ resolved: require.resolve("tollgate"), sub: verifier.verify(token).claims.sub,
        policy: typeof Policy.fromJson }));
    `;
    await writeFile(join(project, "check.cjs"), script);
    const result = await run(process.execPath, ["check.cjs"], { cwd: project, timeout: 30_000 }).catch((error) => error);
    if (!supported) {
      assert.match(String(result.stderr), /ERR_REQUIRE_ESM/, `Node ${process.versions.node} is outside engines`);
      return;
    }
    assert.ok(!(result instanceof Error), String(result.stderr));
    const out = JSON.parse(result.stdout.trim().split("\n").pop());
    assert.match(out.resolved, /\/node_modules\/tollgate\/node\.js$/);
    assert.equal(out.sub, "cjs");
    assert.equal(out.policy, "function");
  });

  test("the tollgate command is installed and runs", async () => {
    const bin = join(project, "node_modules/.bin/tollgate");
    assert.ok(existsSync(bin), "node_modules/.bin/tollgate");
    const { stdout } = await run(bin, ["--help"], { cwd: project, timeout: 30_000 });
    for (const command of ["lint", "test", "catalog", "drift", "inspect", "verify"]) assert.match(stdout, new RegExp(command));
  });
});
