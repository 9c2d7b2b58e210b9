// Type-level tests of pkg/hono.d.ts (`tsc -p tests/hono/types`, run by types.test.mjs):
// the documented usage compiles against real hono's types, and misuse does not (every
// expected error below must fire). "hono" is mapped in tsconfig.json because pkg/ has no
// node_modules of its own; installed, tollgate/hono finds the application's hono.
import { Hono } from "hono";
import type { MiddlewareHandler } from "hono";
import { KeySet, createRemoteKeySet, type ApiKeyCatalog, type BasicCredentials, type JWTClaims } from "tollgate";
import { TOLLGATE_VARIABLE, tollgate, type TollgateAuth, type TollgateEnv } from "tollgate/hono";

declare const jwks: string;

// Options object: createGuard's.
const auth = tollgate({
  keys: createRemoteKeySet("https://idp.example/.well-known/jwks.json"),
  issuer: "https://idp.example/",
  audience: "https://api.example",
  realm: "api",
});
const mw: MiddlewareHandler = auth();
void mw;

const app = new Hono();
app.use("/api/*", auth());
// Through the ContextVariableMap augmentation: typed on any route.
app.get("/api/me", (c) => {
  const { claims, scopes, header, token } = c.get("tollgate");
  const sub: string | undefined = claims.sub;
  const list: string[] = scopes;
  const alg: string = header.alg;
  const t: string | undefined = token; // undefined for an API key or Basic credentials
  return c.json({ sub, list, alg, t });
});
app.post("/api/messages", auth({ requiredScopes: ["write:messages"] }), (c) => c.text(c.get("tollgate").claims.sub ?? ""));
app.delete("/api/messages/:id", auth({ requiredScopes: ["a", "b"], scopeMode: "any" }), (c) => c.body(null, 204));

// Custom claims, through the middleware's Env: the route's handler sees them.
type Claims = JWTClaims & { org_id: string };
const orgAuth = tollgate<Claims>({ keys: KeySet.fromJwks(jwks), issuer: "https://idp.example/", audience: "https://api.example" });
app.get("/org", orgAuth(), (c) => {
  const org: string = c.get("tollgate").claims.org_id;
  return c.text(org);
});
const typed = new Hono<TollgateEnv<Claims>>();
typed.get("/org", (c) => c.text(c.get("tollgate").claims.org_id));

// Settings from the bindings, typed.
type Bindings = { JWKS_URL: string; ISSUER: string; AUDIENCE: string };
const lazy = tollgate((env: Bindings) => ({
  keys: createRemoteKeySet(env.JWKS_URL),
  issuer: env.ISSUER,
  audience: env.AUDIENCE,
}));
new Hono<{ Bindings: Bindings }>().get("/", lazy(), (c) => c.text(c.get("tollgate").claims.iss ?? ""));

const variable: "tollgate" = TOLLGATE_VARIABLE;
const value: TollgateAuth | undefined = undefined;
void variable;
void value;

// ── misuse

// @ts-expect-error a misspelled guard option
tollgate({ keys: KeySet.fromJwks(jwks), issuer: "i", audiance: "a" });
// @ts-expect-error keys are required
tollgate({ issuer: "i", audience: "a" });
// @ts-expect-error a misspelled route option
auth({ requiredScope: ["read"] });
// @ts-expect-error scopes are an array
auth({ requiredScopes: "read" });
// @ts-expect-error scopeMode is "all" or "any"
auth({ scopeMode: "some" });
// @ts-expect-error a route takes scopes, not roles (the runtime throws)
auth({ requiredRoles: ["admin"] });
// @ts-expect-error the bindings are unknown until typed: no `any`
tollgate((env) => ({ keys: KeySet.fromSecret(env.SECRET, { alg: "HS256" }), issuer: "i", audience: "a" }));
app.get("/x", orgAuth(), (c) => {
  // @ts-expect-error claims are typed: no such claim
  const n: number = c.get("tollgate").claims.org_id;
  return c.text(String(n));
});
app.get("/plain", (c) => {
  // @ts-expect-error the augmentation types c.get("tollgate") on every route: sub is a string
  const n: number = c.get("tollgate").claims.sub;
  return c.text(String(n));
});

// API keys and Basic credentials beside JWTs: the credential's kind on the context.
declare const apiKeys: ApiKeyCatalog;
declare const users: BasicCredentials;
const keyAuth = tollgate({ apiKeys, basic: users });
app.get("/keys", keyAuth({ requiredScopes: ["read:messages"] }), (c) => {
  const { subject, credential } = c.get("tollgate");
  const owner: string | undefined = credential.kind === "apikey" ? credential.owner : undefined;
  return c.text(`${subject} ${credential.kind} ${owner}`);
});
