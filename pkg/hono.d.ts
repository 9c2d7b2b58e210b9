// Types of tollgate/hono: a Hono middleware over tollgate's request guard.
// For Hono 4 (`hono` >= 4.0 < 5), which the application installs: tollgate does not depend on it.

import type { MiddlewareHandler } from "hono";
import type { Credential, GuardOptions, JWSHeader, JWTClaims, PolicyDecisionLike, VerifyCallOptions } from "tollgate";

/**
 * What the middleware puts on the context when the token is valid: `c.get("tollgate")`.
 * @example
 * ```ts
 * app.get("/me", auth(), (c) => {
 *   const { claims, scopes } = c.get("tollgate");
 *   return c.json({ sub: claims.sub, scopes });
 * });
 * ```
 */
export interface TollgateAuth<C extends JWTClaims = JWTClaims> {
  /** `claims.sub`, when a string: an API key's id, a Basic username. */
  subject: string | undefined;
  /** The verified claims (for an API key or Basic credentials, made from its entry). */
  claims: C;
  /** How the request was authenticated: `jwt`, `dpop`, `mtls`, `opaque`, `apikey`, `basic`. */
  credential: Credential;
  /** The granted scopes (from `scope`, `scp` and `permissions`, or the guard's `scopeClaim`). */
  scopes: string[];
  /** The token's protected header. */
  header: JWSHeader;
  /**
   * The bearer token that was verified, e.g. to call another API on the user's behalf;
   * `undefined` for an API key or Basic credentials (never echoed).
   */
  token: string | undefined;
  /** The roles the token lists. */
  roles: string[];
  /**
   * With a guard `policy`: the decision that allowed the request. On a route the policy
   * marks `public`, no token is verified and `c.get("tollgate")` is `{ public: true, decision }`
   * instead (check `public` before reading `claims` there).
   */
  decision?: PolicyDecisionLike;
  public?: true;
}

/**
 * The Hono `Env` fragment of a route behind the middleware; merge it into your own to type
 * `c.get("tollgate")` with your claims.
 * @example
 * ```ts
 * type Claims = JWTClaims & { org_id: string };
 * const app = new Hono<{ Bindings: Bindings } & TollgateEnv<Claims>>();
 * ```
 */
export type TollgateEnv<C extends JWTClaims = JWTClaims> = {
  Variables: { tollgate: TollgateAuth<C> };
};

/**
 * Per-route options: the scopes this route needs (they replace the guard's own
 * `requiredScopes` for the route), and the clock (tests). Any other name throws.
 */
export type TollgateRouteOptions = Pick<VerifyCallOptions, "requiredScopes" | "scopeMode" | "now" | "currentDate">;

/**
 * Makes the middleware for one route or path pattern; every middleware it makes shares
 * the one guard (compiled options, key cache).
 */
export interface TollgateMiddlewareFactory<C extends JWTClaims = JWTClaims> {
  /**
   * A Hono middleware: no valid token → the guard's ready answer (400, 401 with
   * `WWW-Authenticate`, 403 `insufficient_scope` with `scope="…"`, or 503 when the keys
   * cannot be loaded); a valid one → `c.set("tollgate", { claims, scopes, header, token })`
   * and `await next()`. Options are checked here: a misspelled one throws at once.
   * @example
   * ```ts
   * app.use("/api/*", auth());
   * app.post("/api/messages", auth({ requiredScopes: ["write:messages"] }), (c) => c.text("ok"));
   * ```
   */
  (options?: TollgateRouteOptions): MiddlewareHandler<TollgateEnv<C>>;
}

/**
 * Binds a request guard to a Hono middleware factory. `options` are {@link GuardOptions}
 * (checked now), or a function of the Workers bindings (`c.env`) that returns them, called
 * once, on the first request. Create the factory once, at module scope: the guard holds the
 * compiled verifier and the key cache.
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { createRemoteKeySet } from "tollgate";
 * import { tollgate } from "tollgate/hono";
 *
 * const auth = tollgate({
 *   keys: createRemoteKeySet("https://idp.example/.well-known/jwks.json"),
 *   issuer: "https://idp.example/",
 *   audience: "https://api.example",
 *   realm: "api",
 * });
 *
 * const app = new Hono();
 * app.use("/api/*", auth());
 * app.get("/api/messages", auth({ requiredScopes: ["read:messages"] }), (c) =>
 *   c.json({ for: c.get("tollgate").claims.sub }),
 * );
 * export default app;
 * ```
 * @example
 * ```ts
 * // Settings from wrangler.toml [vars]: read on the first request, once.
 * const auth = tollgate((env: { JWKS_URL: string; ISSUER: string; AUDIENCE: string }) => ({
 *   keys: createRemoteKeySet(env.JWKS_URL),
 *   issuer: env.ISSUER,
 *   audience: env.AUDIENCE,
 * }));
 * ```
 */
export function tollgate<C extends JWTClaims = JWTClaims, Bindings = unknown>(
  options: GuardOptions | ((env: Bindings) => GuardOptions),
): TollgateMiddlewareFactory<C>;

/** The name of the context variable: `"tollgate"`. */
export const TOLLGATE_VARIABLE: "tollgate";

declare module "hono" {
  interface ContextVariableMap {
    /** Set by tollgate's middleware on routes it protects; `undefined` elsewhere. */
    tollgate: TollgateAuth;
  }
}
