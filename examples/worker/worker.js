// An edge API protected by tollgate: every request's bearer token is verified
// locally, in the worker, with no call to the authorization server, and the
// request is then decided by a policy (tollgate/policy):
//
//   GET    /health         public
//   GET    /messages       needs scope read:messages (write:messages implies it)
//   POST   /messages       needs scope write:messages   body: {"text": "..."}
//   DELETE /messages/:id   needs scope admin:messages AND the moderator role; the
//                          token must live at most 15 minutes
//
// Run it with `make demo` (real workerd, demo tokens printed), or with wrangler:
// see README.md beside this file.

import { KeySet, createVerifier, TollgateError } from "tollgate";
import { Policy } from "tollgate/policy";

// The public half of a THROWAWAY demo key (its private half is in demo-key.mjs so
// the demo can mint tokens). A real worker uses its issuer's JWKS: fetched once and
// cached, or bound as a variable / secret.
const JWKS = {
  keys: [
    {
      kty: "EC",
      crv: "P-256",
      x: "Y53SgQb7xZ0woropf2vPML1r3zeaElBignXWKU-wYdc",
      y: "0SJVeQ43cgWWmB8ua14XUfm4hX_k06LqEOrus2z71fQ",
      kid: "demo-es256-2024",
      alg: "ES256",
      use: "sig",
    },
  ],
};

const REALM = "tollgate-demo";

// Built once per isolate, at module load: keys are parsed and options checked here,
// so each request only verifies. `cache`: a token seen before skips the signature
// (time, scopes and policy are still checked on every request).
const verifier = createVerifier({
  keys: KeySet.fromJwks(JWKS),
  issuer: "https://auth.tollgate.example",
  audience: "https://api.tollgate.example",
  typ: "at+jwt", // RFC 9068 access tokens
  clockTolerance: "30s",
  realm: REALM,
  cache: { max: 1000 },
});

// Who may do what, as data: scopes (delegated to the client, in the token), roles
// (held by the user, in the token's `roles` claim) and routes. Compiled once.
export const POLICY = {
  version: 1,
  scopes: {
    "read:messages": { description: "Read the message board", owner: "messaging" },
    "write:messages": { description: "Post messages", owner: "messaging", implies: ["read:messages"] },
    "admin:messages": { description: "Delete any message", owner: "platform", maxTokenLifetime: "15m" },
  },
  roles: {
    moderator: { description: "Moderates the board", grants: ["admin:messages"] },
  },
  rules: [
    { id: "health", method: "GET", path: "/health", public: true },
    { id: "read", method: "GET", path: "/messages", scopes: ["read:messages"] },
    { id: "post", method: "POST", path: "/messages", scopes: ["write:messages"] },
    { id: "moderate", method: "DELETE", path: "/messages/:id", scopes: ["admin:messages"], roles: ["moderator"] },
  ],
  default: "deny",
};
const policy = Policy.fromJson(POLICY, { realm: REALM });

// Per-isolate demo storage; a real API would use KV, D1 or a Durable Object.
const messages = [{ id: 1, from: "tollgate", text: "Hello from the edge." }];
let nextId = 2;

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);

    if (pathname === "/health") {
      if (request.method !== "GET" && request.method !== "HEAD") return methodNotAllowed("GET, HEAD");
      return json(200, { ok: true });
    }

    if (pathname === "/messages") {
      if (request.method !== "GET" && request.method !== "POST") return methodNotAllowed("GET, POST");
      const auth = await authorize(request);
      if (auth instanceof Response) return auth;
      if (request.method === "GET") return json(200, { messages }, { "Cache-Control": "no-store" });
      return postMessage(request, auth.claims);
    }

    const id = /^\/messages\/(\d+)$/.exec(pathname)?.[1];
    if (id !== undefined) {
      if (request.method !== "DELETE") return methodNotAllowed("DELETE");
      const auth = await authorize(request);
      if (auth instanceof Response) return auth;
      // Idempotent (RFC 9110 §9.2.2): a message already gone is deleted all the same, so
      // the demo's printed curl answers as printed however often it is pasted.
      const index = messages.findIndex((m) => m.id === Number(id));
      if (index >= 0) messages.splice(index, 1);
      return new Response(null, { status: 204, headers: { "Cache-Control": "no-store" } });
    }

    return json(404, { error: "not_found" });
  },
};

/**
 * Verify the request's bearer token, then let the policy decide the request.
 * Resolves to the verification result, or the error Response to send.
 */
async function authorize(request) {
  const header = request.headers.get("Authorization");
  // RFC 6750 §3.1: a request without credentials gets the bare challenge, no error code.
  if (header === null) return challenge();
  const [scheme, token, ...rest] = header.trim().split(/ +/);
  if (scheme.toLowerCase() !== "bearer") return challenge();
  if (!token || rest.length > 0) {
    return json(
      400,
      { error: "invalid_request", error_description: "malformed Authorization header" },
      { "WWW-Authenticate": `Bearer realm="${REALM}", error="invalid_request"` },
    );
  }

  let result;
  try {
    // ES256: the signature is checked by the runtime's WebCrypto (~8x faster here than
    // in wasm); every other check runs in tollgate's core, exactly as `verify` does.
    result = await verifier.verifyAsync(token);
  } catch (err) {
    if (!(err instanceof TollgateError)) throw err;
    // err.status is 401 (invalid_token) or 403 (insufficient_scope); err.wwwAuthenticate
    // is the matching RFC 6750 challenge, realm included.
    return json(
      err.status,
      {
        error: err.status === 403 ? "insufficient_scope" : "invalid_token",
        error_description: err.message,
        code: err.code,
      },
      { "WWW-Authenticate": err.wwwAuthenticate },
    );
  }
  const { pathname } = new URL(request.url);
  const decision = policy.evaluate(result, {
    method: request.method,
    path: pathname,
    ip: request.headers.get("CF-Connecting-IP") ?? undefined,
  });
  if (decision.allow) return result;
  // 403 with the missing scopes/roles, or 401 for a revoked token; `reason` is written for logs.
  return json(
    decision.status,
    {
      error: decision.status === 403 ? "insufficient_scope" : "invalid_token",
      error_description: decision.reason,
      code: decision.code,
      missingScopes: decision.missingScopes,
      missingRoles: decision.missingRoles,
    },
    { "WWW-Authenticate": decision.wwwAuthenticate },
  );
}

async function postMessage(request, claims) {
  let body;
  try {
    body = await request.json();
  } catch {
    body = undefined;
  }
  const text = body?.text;
  if (typeof text !== "string" || text.length === 0 || text.length > 280) {
    return json(400, { error: "invalid_request", error_description: 'expected JSON {"text": "1..280 chars"}' });
  }
  const message = { id: nextId++, from: String(claims.sub ?? "anonymous"), text };
  messages.push(message);
  if (messages.length > 100) messages.shift();
  return json(201, message, { "Cache-Control": "no-store" });
}

function challenge() {
  return json(
    401,
    { error: "unauthorized", error_description: "a bearer token is required" },
    { "WWW-Authenticate": `Bearer realm="${REALM}"` },
  );
}

function methodNotAllowed(allow) {
  return json(405, { error: "method_not_allowed" }, { Allow: allow });
}

function json(status, body, headers = {}) {
  return new Response(JSON.stringify(body, null, 2) + "\n", {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
  });
}
