// DPoP (RFC 9449) and certificate-bound tokens (RFC 8705) through the guard, with proofs
// minted by jose (the independent implementation): the answers, the challenges, nonces, the
// replay store, and the credential in the verified result.

import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import "../../pkg/policy-node.js"; // DPoP lives in the full module
import { KeySet, createGuard, createMemoryReplayStore } from "../../pkg/node.js";
import { Policy } from "../../pkg/policy-node.js";
import { AUDIENCE, ISSUER, REALM, jose, jwksOf, makeKey, mint, readResponse, callsDuring } from "./helpers.mjs";

const URL_ = "https://api.example/messages";

let issuerKey;
let client; // the client's DPoP key: { privateKey, publicJwk, jkt }
let thief;

async function dpopKey(alg = "ES256") {
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
  const publicJwk = await jose.exportJWK(publicKey);
  return { alg, privateKey, publicJwk, jkt: await jose.calculateJwkThumbprint(publicJwk, "sha256") };
}

async function proof(key, token, { htm = "GET", htu = URL_, iat, jti, nonce, typ = "dpop+jwt", jwk = key.publicJwk, ath } = {}) {
  const claims = {
    htm,
    htu,
    jti: jti ?? crypto.randomUUID(),
    ath: ath ?? jose.base64url.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)))),
  };
  if (nonce !== undefined) claims.nonce = nonce;
  return new jose.SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, typ, jwk })
    .setIssuedAt(iat)
    .sign(key.privateKey);
}

function request(token, dpop, { scheme = "DPoP", method = "GET", url = URL_ } = {}) {
  const headers = { Authorization: `${scheme} ${token}` };
  if (dpop !== undefined) headers.DPoP = dpop;
  return new Request(url, { method, headers });
}

function guardWith(dpop = {}, extra = {}) {
  return createGuard({ keys: KeySet.fromJwks(jwksOf(issuerKey)), issuer: ISSUER, audience: AUDIENCE, realm: REALM, dpop, ...extra });
}

before(async () => {
  issuerKey = await makeKey("k1");
  client = await dpopKey("ES256");
  thief = await dpopKey("EdDSA");
});

describe("DPoP through the guard", () => {
  test("a bound token with a good proof: the verified result names the credential", async () => {
    const guard = guardWith();
    const token = await mint(issuerKey, { cnf: { jkt: client.jkt } });
    const result = await guard.authorize(request(token, await proof(client, token)));
    assert.equal(result.ok, true, result.description);
    assert.deepEqual(result.credential, { kind: "dpop", jkt: client.jkt });
    assert.equal(result.subject, "user-1");
    assert.deepEqual(result.scopes, ["read:messages"]);
  });

  test("EdDSA and RSA proofs from jose verify too", async () => {
    for (const alg of ["EdDSA", "PS256", "RS256"]) {
      const key = await dpopKey(alg);
      const token = await mint(issuerKey, { cnf: { jkt: key.jkt } });
      const result = await guardWith().authorize(request(token, await proof(key, token)));
      assert.equal(result.ok, true, `${alg}: ${result.description}`);
    }
  });

  test("a replayed proof is refused the second time (the memory store)", async () => {
    const guard = guardWith({ replay: createMemoryReplayStore({ max: 100 }) });
    const token = await mint(issuerKey, { cnf: { jkt: client.jkt } });
    const p = await proof(client, token);
    assert.equal((await guard.authorize(request(token, p))).ok, true);
    const again = await guard.authorize(request(token, p));
    assert.equal(again.code, "ERR_DPOP_REPLAYED");
    assert.equal(again.status, 401);
    const res = await readResponse(again.response);
    assert.match(res.headers.get("www-authenticate"), /^DPoP realm="api", error="invalid_dpop_proof", error_description="[^"]+", algs="[^"]*ES256[^"]*"$/);
  });

  test("a DPoP-bound token sent as Bearer is refused, and told to use DPoP", async () => {
    const token = await mint(issuerKey, { cnf: { jkt: client.jkt } });
    const result = await guardWith().authorize(request(token, await proof(client, token), { scheme: "Bearer" }));
    assert.equal(result.code, "ERR_JWT_SENDER_CONSTRAINED");
    const res = await readResponse(result.response);
    assert.match(res.headers.get("www-authenticate"), /^DPoP realm="api", error="invalid_token", .*algs="/);
  });

  test("every attack on the proof answers 401 invalid_dpop_proof", async () => {
    const guard = guardWith({ replay: createMemoryReplayStore() });
    const token = await mint(issuerKey, { cnf: { jkt: client.jkt } });
    const other = await mint(issuerKey, { cnf: { jkt: client.jkt }, sub: "user-2" });
    const now = Math.floor(Date.now() / 1000);
    const cases = {
      "wrong typ": await proof(client, token, { typ: "JWT" }),
      "htm mismatch": await proof(client, token, { htm: "POST" }),
      "htu mismatch": await proof(client, token, { htu: "https://api.example/other" }),
      "stale iat": await proof(client, token, { iat: now - 600 }),
      "future iat": await proof(client, token, { iat: now + 600 }),
      "proof for another token": await proof(client, other),
      "wrong jkt (the thief's own key)": await proof(thief, token),
      "private key in the header": await proof(client, token, { jwk: await jose.exportJWK(client.privateKey) }),
      "not a JWS": "not-a-proof",
    };
    for (const [name, p] of Object.entries(cases)) {
      const result = await guard.authorize(request(token, p));
      assert.equal(result.code, "ERR_DPOP_PROOF_INVALID", name);
      assert.equal(result.error, "invalid_dpop_proof", name);
      assert.ok(!result.description.includes(token.split(".")[2]), name);
    }
    // No proof at all under the DPoP scheme.
    assert.equal((await guard.authorize(request(token, undefined))).code, "ERR_DPOP_PROOF_INVALID");
    // The query string is not part of htu.
    const ok = await guard.authorize(request(token, await proof(client, token), { url: `${URL_}?page=2` }));
    assert.equal(ok.ok, true, ok.description);
  });

  test("an unbound token under the DPoP scheme is refused; as Bearer it is fine", async () => {
    const guard = guardWith();
    const token = await mint(issuerKey);
    const dpop = await guard.authorize(request(token, await proof(client, token)));
    assert.equal(dpop.code, "ERR_JWT_CLAIM_VALIDATION_FAILED");
    const bearer = await guard.authorize(request(token, undefined, { scheme: "Bearer" }));
    assert.equal(bearer.ok, true);
    assert.deepEqual(bearer.credential, { kind: "jwt" });
  });

  test("server nonces: use_dpop_nonce with a DPoP-Nonce, then accepted", async () => {
    const guard = guardWith({ nonceSecret: "a secret of at least thirty-two bytes!!" });
    const token = await mint(issuerKey, { cnf: { jkt: client.jkt } });
    const first = await guard.authorize(request(token, await proof(client, token)));
    assert.equal(first.code, "ERR_DPOP_NONCE_REQUIRED");
    const res = await readResponse(first.response);
    assert.equal(res.status, 401);
    assert.match(res.headers.get("www-authenticate"), /^DPoP realm="api", error="use_dpop_nonce"/);
    const nonce = res.headers.get("dpop-nonce");
    assert.match(nonce, /^[A-Za-z0-9_-]{43}$/);
    const second = await guard.authorize(request(token, await proof(client, token, { nonce })));
    assert.equal(second.ok, true, second.description);
    const forged = await guard.authorize(request(token, await proof(client, token, { nonce: "A".repeat(43) })));
    assert.equal(forged.code, "ERR_DPOP_NONCE_REQUIRED");
  });

  test("the bare challenge offers both schemes; a DPoP-only guard offers DPoP", async () => {
    const both = await readResponse((await guardWith().authorize(new Request(URL_))).response);
    assert.match(both.headers.get("www-authenticate"), /^Bearer realm="api", DPoP realm="api", algs="RS256 .*EdDSA"$/);
    const only = guardWith({ required: true, algorithms: ["ES256"] });
    const res = await readResponse((await only.authorize(new Request(URL_))).response);
    assert.equal(res.headers.get("www-authenticate"), 'DPoP realm="api", algs="ES256"');
    const token = await mint(issuerKey);
    const bearer = await only.authorize(request(token, undefined, { scheme: "Bearer" }));
    assert.equal(bearer.code, "ERR_NO_CREDENTIALS");
  });

  test("with a policy: one trip, the same credential, and the policy's refusal on DPoP", async () => {
    const policy = Policy.fromJson({
      version: 1,
      scopes: { "read:messages": {}, admin: {} },
      rules: [
        { method: "GET", path: "/messages", scopes: ["read:messages"] },
        { method: "GET", path: "/admin", scopes: ["admin"] },
      ],
    });
    const guard = guardWith({}, { policy });
    const token = await mint(issuerKey, { cnf: { jkt: client.jkt } });
    const ok = await guard.authorize(request(token, await proof(client, token)));
    assert.equal(ok.ok, true, ok.description);
    assert.deepEqual(ok.credential, { kind: "dpop", jkt: client.jkt });
    const admin = "https://api.example/admin";
    const denied = await guard.authorize(request(token, await proof(client, token, { htu: admin }), { url: admin }));
    assert.equal(denied.status, 403);
    const res = await readResponse(denied.response);
    assert.match(res.headers.get("www-authenticate"), /^DPoP realm="api", error="insufficient_scope"/);
    const replayed = await guard.authorize(request(token, await proof(client, token, { jti: "same" })));
    assert.equal(replayed.ok, true);
    assert.equal((await guard.authorize(request(token, await proof(client, token, { jti: "same" })))).code, "ERR_DPOP_REPLAYED");
  });

  test("a replay store that fails refuses with 503, never accepts", async () => {
    const guard = guardWith({ replay: { seen: async () => { throw new Error("down"); } } });
    const token = await mint(issuerKey, { cnf: { jkt: client.jkt } });
    const result = await guard.authorize(request(token, await proof(client, token)));
    assert.equal(result.ok, false);
    assert.equal(result.status, 503);
    assert.equal(result.code, "ERR_REPLAY_STORE_FAILED");
  });

  test("bad dpop options are TypeErrors", () => {
    for (const dpop of [{ algorithms: ["HS256"] }, { iatWindow: "60" }, { nonceSecret: "short" }, { requireNonce: true }, { replay: {} }, { algorithm: [] }]) {
      assert.throws(() => guardWith(dpop), (e) => e instanceof TypeError && e.code === "ERR_INVALID_ARG", JSON.stringify(dpop));
    }
  });
});

describe("certificate-bound tokens through the guard", () => {
  const certificateHex = "af363dc85bc942a892d3cee9796190fdb36d89cd588a4f1cb17c74a943439714";
  const x5t = Buffer.from(certificateHex, "hex").toString("base64url");

  test("compared when the runtime hands a certificate over, refused when none came", async () => {
    const guard = createGuard({
      keys: KeySet.fromJwks(jwksOf(issuerKey)),
      issuer: ISSUER,
      audience: AUDIENCE,
      clientCertificate: (req) => req.headers.get("x-test-cert") ?? undefined,
    });
    const token = await mint(issuerKey, { cnf: { "x5t#S256": x5t } });
    const bearer = (cert) => new Request(URL_, { headers: { Authorization: `Bearer ${token}`, ...(cert ? { "x-test-cert": cert } : {}) } });
    const ok = await guard.authorize(bearer(certificateHex));
    assert.equal(ok.ok, true, ok.description);
    assert.deepEqual(ok.credential, { kind: "mtls", x5t });
    assert.equal((await guard.authorize(bearer(x5t))).ok, true, "base64url thumbprints too");
    assert.equal((await guard.authorize(bearer("00".repeat(32)))).code, "ERR_MTLS_CERT_MISMATCH");
    assert.equal((await guard.authorize(bearer(undefined))).code, "ERR_JWT_SENDER_CONSTRAINED");
  });

  test("Cloudflare's request.cf.tlsClientAuth is read with mtls: true", async () => {
    const guard = createGuard({ keys: KeySet.fromJwks(jwksOf(issuerKey)), issuer: ISSUER, audience: AUDIENCE, mtls: true });
    const token = await mint(issuerKey, { cnf: { "x5t#S256": x5t } });
    const req = (tlsClientAuth) => ({ method: "GET", url: URL_, headers: { authorization: `Bearer ${token}` }, cf: { tlsClientAuth } });
    const ok = await guard.authorize(req({ certPresented: "1", certVerified: "SUCCESS", certFingerprintSHA256: certificateHex }));
    assert.equal(ok.ok, true, ok.description);
    assert.equal((await guard.authorize(req({ certPresented: "0", certFingerprintSHA256: "" }))).code, "ERR_JWT_SENDER_CONSTRAINED");
    assert.equal((await guard.authorize(req({ certPresented: "1", certRevoked: "1", certFingerprintSHA256: certificateHex }))).code, "ERR_JWT_SENDER_CONSTRAINED");
  });
});

describe("DPoP on the native path", () => {
  // A store that never remembers: the same proof is sent to both guards.
  const forgetful = { seen: async () => false };
  const both = (dpop = {}, extra = {}) => [
    guardWith({ replay: forgetful, ...dpop }, { ...extra, webCrypto: false }),
    guardWith({ replay: forgetful, ...dpop }, extra), // native crypto: the default
  ];

  /** Calls into the full module's classes while `run` runs (every method, counted). */

  async function same(guards, req, name) {
    const answers = [];
    for (const g of guards) {
      const r = await g.authorize(req());
      const res = r.response ? await readResponse(r.response) : undefined;
      answers.push([r.ok ? 200 : r.status, r.code, r.credential?.kind, res?.headers.get("www-authenticate") ?? null]);
    }
    assert.deepEqual(answers[1], answers[0], name);
    return answers[0];
  }

  test("every DPoP case answers as on the wasm path", async () => {
    const token = await mint(issuerKey, { cnf: { jkt: client.jkt } });
    const other = await mint(issuerKey, { cnf: { jkt: client.jkt }, sub: "user-2" });
    const unbound = await mint(issuerKey);
    const expired = await mint(issuerKey, { cnf: { jkt: client.jkt }, exp: Math.floor(Date.now() / 1000) - 600 });
    const forgedToken = `${token.slice(0, token.lastIndexOf("."))}.${other.slice(other.lastIndexOf(".") + 1)}`;
    const now = Math.floor(Date.now() / 1000);
    const good = await proof(client, token);
    const forgedProof = `${good.slice(0, good.lastIndexOf("."))}.${(await proof(client, other)).split(".")[2]}`;
    const cases = {
      "a good ES256 proof": [token, good, 200],
      "wrong typ": [token, await proof(client, token, { typ: "JWT" }), 401],
      "htm mismatch": [token, await proof(client, token, { htm: "POST" }), 401],
      "htu mismatch": [token, await proof(client, token, { htu: "https://api.example/other" }), 401],
      "stale iat": [token, await proof(client, token, { iat: now - 600 }), 401],
      "proof for another token": [token, await proof(client, other), 401],
      "wrong jkt (the thief's own key)": [token, await proof(thief, token), 401],
      "private key in the header": [token, await proof(client, token, { jwk: await jose.exportJWK(client.privateKey) }), 401],
      "a proof whose signature is another's": [token, forgedProof, 401],
      "not a JWS": [token, "not-a-proof", 401],
      "no proof": [token, undefined, 401],
      "an unbound token": [unbound, await proof(client, unbound), 401],
      "an expired token with a garbage proof: the token's error": [expired, "garbage", 401],
      "a forged token with a good proof: the token's signature": [forgedToken, await proof(client, forgedToken), 401],
    };
    for (const [alg, key] of [["EdDSA", await dpopKey("EdDSA")], ["PS256", await dpopKey("PS256")]]) {
      const t = await mint(issuerKey, { cnf: { jkt: key.jkt } });
      cases[`a good ${alg} proof`] = [t, await proof(key, t), 200];
    }
    const guards = both();
    for (const [name, [t, p, status]] of Object.entries(cases)) {
      const [got] = await same(guards, () => request(t, p), name);
      assert.equal(got, status, name);
    }
    // Sent as Bearer, and with a policy (the route first, then both signatures).
    await same(guards, () => request(token, good, { scheme: "Bearer" }), "as Bearer");
    const policy = Policy.fromJson({ version: 1, scopes: { "read:messages": {}, admin: {} }, rules: [{ method: "GET", path: "/messages", scopes: ["read:messages"] }, { method: "GET", path: "/admin", scopes: ["admin"] }] });
    const withPolicy = both({}, { policy });
    for (const [name, t, p, url] of [
      ["policy allows", token, good, URL_],
      ["policy denies", token, await proof(client, token, { htu: "https://api.example/admin" }), "https://api.example/admin"],
      ["policy, forged proof", token, forgedProof, URL_],
    ]) await same(withPolicy, () => request(t, p, { url }), name);
    // Nonces: the refusal with its DPoP-Nonce, then accepted.
    const nonced = both({ nonceSecret: "a secret of at least thirty-two bytes!!" });
    assert.equal((await same(nonced, () => request(token, good), "nonce required"))[1], "ERR_DPOP_NONCE_REQUIRED");
    const nonce = (await nonced[1].authorize(request(token, good))).response.headers.get("dpop-nonce");
    const withNonce = await proof(client, token, { nonce });
    assert.equal((await same(nonced, () => request(token, withNonce), "with the nonce"))[0], 200);
  });

  test("two calls into wasm on the native path, one on the wasm path", async () => {
    const [wasmPath, native] = both();
    const token = await mint(issuerKey, { cnf: { jkt: client.jkt } });
    const p = await proof(client, token);
    await native.authorize(request(token, p)); // the issuer's key is imported once
    const n = await callsDuring(() => native.authorize(request(token, p)));
    assert.deepEqual([n.result.ok, n.calls], [true, 2]);
    const w = await callsDuring(() => wasmPath.authorize(request(token, p)));
    assert.deepEqual([w.result.ok, w.calls], [true, 1]);
    // A refusal in the first half (the token's header) is one call.
    const bad = await callsDuring(() => native.authorize(request(`e30.${token.split(".")[1]}.${token.split(".")[2]}`, p)));
    assert.deepEqual([bad.result.status, bad.calls], [401, 1]);
  });
});
