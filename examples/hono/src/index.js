// A Hono API on Cloudflare Workers, protected by tollgate: every /api route needs a valid
// access token, and each route names the scopes it needs.
//
//   GET    /health              public
//   GET    /api/me              any valid token: who you are and what you may do
//   GET    /api/messages        scope read:messages
//   POST   /api/messages        scope write:messages      {"text": "..."}
//   DELETE /api/messages/:id    scope admin:messages, or the author with write:messages
//
// Tokens are verified in the Worker, locally (tollgate's wasm): no call to the
// authorization server per request. Its signing keys are fetched from JWKS_URL on first
// use and cached (Cache-Control, key rotation, stale-if-error: see createRemoteKeySet).

import { Hono } from "hono";
import { createRemoteKeySet } from "tollgate";
import { tollgate } from "tollgate/hono";

// One guard for the whole isolate: created on the first request (the settings are
// bindings, and bindings arrive with requests), then reused, with its key cache.
const auth = tollgate((env) => ({
  keys: createRemoteKeySet(env.JWKS_URL),
  // Local keys instead — no fetch at all, e.g. a JWKS stored as a secret
  // (`npx wrangler secret put JWKS`), or a PEM:
  //   keys: KeySet.fromJwks(env.JWKS),
  //   keys: KeySet.fromPem(env.PUBLIC_KEY_PEM, { alg: "ES256" }),
  // (import { KeySet } from "tollgate"). Rotating them then means redeploying.
  issuer: env.ISSUER,
  audience: env.AUDIENCE,
  realm: "messages-api",
  clockTolerance: 30,
}));

// Kept in the isolate's memory: enough for a demo, not a database.
const messages = [];
let nextId = 1;

const app = new Hono();

app.get("/health", (c) => c.text("ok"));

// Every /api route needs a valid token (401 otherwise); the routes below add scopes (403).
app.use("/api/*", auth());

app.get("/api/me", (c) => {
  const { claims, scopes } = c.get("tollgate");
  return c.json({ sub: claims.sub, scopes });
});

app.get("/api/messages", auth({ requiredScopes: ["read:messages"] }), (c) => c.json({ messages }));

app.post("/api/messages", auth({ requiredScopes: ["write:messages"] }), async (c) => {
  const body = await c.req.json().catch(() => null);
  if (typeof body?.text !== "string" || body.text.length === 0 || body.text.length > 1000) {
    return c.json({ error: "text must be a string of 1 to 1000 characters" }, 400);
  }
  const message = { id: nextId++, text: body.text, author: c.get("tollgate").claims.sub };
  messages.push(message);
  return c.json(message, 201);
});

app.delete(
  "/api/messages/:id",
  auth({ requiredScopes: ["admin:messages", "write:messages"], scopeMode: "any" }),
  (c) => {
    const { claims, scopes } = c.get("tollgate");
    const index = messages.findIndex((m) => m.id === Number(c.req.param("id")));
    if (index < 0) return c.json({ error: "not found" }, 404);
    // A finer rule than scopes: writers may delete their own messages only.
    if (!scopes.includes("admin:messages") && messages[index].author !== claims.sub) {
      return c.json({ error: "only the author or an admin may delete this message" }, 403);
    }
    messages.splice(index, 1);
    return c.body(null, 204);
  },
);

export default app;
