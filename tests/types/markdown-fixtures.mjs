// What the code blocks of README.md and docs/*.md use without defining it, as real values
// for running them in Node (tests/types/markdown.mjs): keys minted by jose, an RS256 token
// for https://idp.example/, a Request carrying it, a policy, env bindings, and an identity
// provider on 127.0.0.1. Each name here is declared in markdown-globals.d.ts for tsc, and
// the block test fails when the two lists differ.
//
// The blocks name https://idp.example/ (and its tenants): `fetch` to those hosts is answered
// by the local server (JWKS and OpenID discovery); any other URL is refused, so a block
// never reaches the network.

import { createServer } from "node:http";
import * as jose from "jose";
import { Policy } from "../../pkg/policy-node.js";
import {
  KeySet, RevocationList, createVerifier, hashPassword, mintApiKey,
} from "../../pkg/node.js";

export const issuer = "https://idp.example/";
export const audience = "https://api.example";

async function rsaKey(kid) {
  const { publicKey, privateKey } = await jose.generateKeyPair("RS256", { extractable: true });
  return { kid, publicKey, privateKey, jwk: { ...(await jose.exportJWK(publicKey)), kid, alg: "RS256", use: "sig" } };
}
const idpKey = await rsaKey("idp-rsa-1");
const tenantBKey = await rsaKey("tenant-b-rsa-1");
const edgeKey = await jose.generateKeyPair("ES256", { extractable: true });

/** An access token from https://idp.example/ that the blocks' checks accept. */
async function mint(claims = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new jose.SignJWT({
    iss: issuer, aud: audience, sub: "user-1", iat: now, exp: now + 3600, jti: "8f14e45f-0001",
    scope: "read:messages write:messages billing:read",
    roles: ["admin", "reader", "writer"], realm_access: { roles: ["admin"] },
    ...claims,
  }).setProtectedHeader({ alg: "RS256", kid: idpKey.kid, typ: "at+jwt" }).sign(idpKey.privateKey);
}

export const token = await mint();
export const accessToken = token;
export const bearer = token;
export const jwks = { keys: [idpKey.jwk] };
export const tenantBJwks = { keys: [tenantBKey.jwk] };
export const jwk = idpKey.jwk;
export const pem = await jose.exportSPKI(idpKey.publicKey);
export const secret = "a shared secret of at least thirty-two bytes";
export const kid = "hs-1";
export const alg = "HS256";
export const algorithms = ["RS256"];
export const keys = KeySet.fromJwks(jwks);
export const verifier = createVerifier({ keys, issuer, audience });
export const revocations = RevocationList.fromJson({ version: 1, tokens: [], subjects: {} });
export const doc = {
  version: 1,
  scopes: {
    "read:messages": { description: "Read messages" },
    "write:messages": { description: "Post messages", implies: ["read:messages"] },
    "admin:messages": { description: "Moderate" },
  },
  roles: { admin: { description: "Moderator", grants: ["admin:messages"] } },
  rules: [
    { id: "health", method: "GET", path: "/health", public: true },
    { method: "GET", path: "/messages", scopes: ["read:messages"] },
    { method: "DELETE", path: "/messages/:id", scopes: ["admin:messages"], roles: ["admin"] },
  ],
  default: "deny",
};
export const policy = Policy.fromJson(doc, { realm: "api" });
export const ip = "10.0.0.7";

const apiKey = mintApiKey({ random: crypto.getRandomValues(new Uint8Array(64)) });
export const catalog = {
  version: 1,
  keys: [{ id: apiKey.id, sha256: apiKey.sha256, scopes: ["read:messages"], owner: "team-payments", expires: null }],
};
const password = "correct horse battery staple";
export const list = { version: 1, users: [{ username: "ci", ...hashPassword(password), scopes: ["deploy"] }] };

export const env = {
  JWKS_URL: `${issuer}.well-known/jwks.json`,
  ISSUER: issuer,
  AUDIENCE: audience,
  EDGE_KEY_PEM: await jose.exportPKCS8(edgeKey.privateKey),
  INTROSPECTION_SECRET: "introspection client secret",
  DPOP_NONCE_SECRET: "a nonce secret of at least thirty-two bytes",
  DPOP_REPLAY: undefined, // Durable Object namespaces: only in workerd (blocks using them are `norun`)
  REVOCATIONS: undefined,
};

// The page's elements and the app's functions of the SPA blocks.
export const adminMenu = { hidden: false };
export const deleteButton = { hidden: false };
export async function refresh() {}
export function health() {
  return new Response("ok");
}

/**
 * `request`: a fresh Request to the API for each use, with the token as a bearer token and
 * the API key in X-API-Key. A block flagged `fixture:basic` gets Basic credentials instead.
 */
const requests = {
  default: () => new Request(`${audience}/messages`, { headers: { Authorization: `Bearer ${token}`, "X-API-Key": apiKey.key } }),
  basic: () => new Request(`${audience}/messages`, { headers: { Authorization: `Basic ${btoa(`ci:${password}`)}` } }),
};

// ─── the identity provider on 127.0.0.1 ──────────────────────────────────────────────

const IDP_HOSTS = new Set(["idp.example", "tenant-a.idp.example", "tenant-b.idp.example"]);
const server = createServer((req, res) => {
  const [, host, ...rest] = new URL(req.url, "http://127.0.0.1").pathname.split("/");
  const path = `/${rest.join("/")}`;
  const documents = {
    "/.well-known/jwks.json": host === "tenant-b.idp.example" ? tenantBJwks : jwks,
    "/jwks": jwks,
    "/.well-known/openid-configuration": { issuer: `https://${host}/`, jwks_uri: `https://${host}/.well-known/jwks.json` },
  };
  const body = documents[path];
  res.writeHead(body ? 200 : 404, { "Content-Type": "application/json", "Cache-Control": "max-age=600" });
  res.end(JSON.stringify(body ?? { error: "not_found" }));
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const origin = `http://127.0.0.1:${server.address().port}`;
const realFetch = globalThis.fetch;

/** The blocks' fetch: the identity provider's hosts go to the local server, nothing else goes anywhere. */
function fixtureFetch(input, init) {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.protocol === "https:" && IDP_HOSTS.has(url.hostname)) {
    return realFetch(`${origin}/${url.hostname}${url.pathname}`, init);
  }
  return Promise.reject(new TypeError(`fetch ${url.origin}: outside the fixtures (only ${[...IDP_HOSTS].join(", ")})`));
}

const globals = {
  token, accessToken, bearer, jwks, tenantBJwks, jwk, pem, secret, kid, alg, algorithms, keys, issuer, audience,
  verifier, revocations, policy, doc, ip, catalog, list, env, adminMenu, deleteButton, refresh, health,
};
/** Names a block may use without defining them (the runtime half of markdown-globals.d.ts). */
export const GLOBAL_NAMES = [...Object.keys(globals), "request"];

/** Installs the globals and the fetch for one block; `variant` is a `fixture:NAME` flag's name. */
export function install(variant = "default") {
  const makeRequest = requests[variant];
  if (!makeRequest) throw new Error(`unknown fixture variant ${variant} (known: ${Object.keys(requests).join(", ")})`);
  for (const [name, value] of Object.entries(globals)) {
    Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  Object.defineProperty(globalThis, "request", { get: makeRequest, configurable: true });
  globalThis.fetch = fixtureFetch;
}

/** A request for a worker's or an app's `fetch` export: GET /api/messages, with the token. */
export const appRequest = () => new Request(`${audience}/api/messages`, { headers: { Authorization: `Bearer ${token}` } });

export function close() {
  globalThis.fetch = realFetch;
  server.close();
}
