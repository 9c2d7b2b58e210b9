// tollgate for Hono (https://hono.dev): one guard, a middleware per route.
//
//   const auth = tollgate({ keys, issuer, audience, realm });      // createGuard options
//   app.use("/api/*", auth());                                     // a valid token
//   app.post("/api/messages", auth({ requiredScopes: ["write:messages"] }), handler);
//   handler: c.get("tollgate").claims
//
// Written against Hono 4's middleware contract only — `c.req.raw` (the Fetch Request),
// `c.env`, `c.set`, `await next()`, and a returned Response short-circuits — so hono is
// not a dependency of this package: the application brings its own.
//
// "tollgate" is imported by name (a package self-reference), not as "./tollgate.js": the
// name resolves to the entry of the runtime at hand (node.js, workerd.js, browser.js),
// which instantiates the wasm, and to the same module instance the application imports,
// so a KeySet it builds is the KeySet the guard expects.

import { checkScopes, createGuard } from "tollgate";

/** The context variable the middleware sets: `c.get("tollgate")`. */
export const TOLLGATE_VARIABLE = "tollgate";

const CALL_OPTIONS = new Set(["requiredScopes", "scopeMode", "now", "currentDate"]);

function invalidArg(message) {
  const error = new TypeError(message);
  error.code = "ERR_INVALID_ARG";
  return error;
}

const isPlainObject = (value) =>
  value !== null && typeof value === "object" && !Array.isArray(value) &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

// Checked when the route is declared, so that `requiredScope: [...]` (a typo that would
// otherwise drop the scope check) fails at start-up rather than as a 500 per request.
function checkCallOptions(options) {
  if (options === undefined) return undefined;
  if (options !== null && typeof options === "object" && "req" in options && "env" in options) {
    throw invalidArg("tollgate: call the factory to get a middleware, as in app.use(path, auth()), not app.use(path, auth)");
  }
  if (!isPlainObject(options)) throw invalidArg("tollgate: route options must be an object");
  for (const key of Object.keys(options)) {
    if (!CALL_OPTIONS.has(key)) {
      throw invalidArg(`tollgate: unknown route option \`${key}\` (expected one of: ${[...CALL_OPTIONS].join(", ")})`);
    }
  }
  const { requiredScopes, scopeMode } = options;
  if (requiredScopes !== undefined && !(Array.isArray(requiredScopes) && requiredScopes.every((s) => typeof s === "string"))) {
    throw invalidArg("tollgate: requiredScopes must be an array of strings");
  }
  if (scopeMode !== undefined && scopeMode !== "all" && scopeMode !== "any") {
    throw invalidArg('tollgate: scopeMode must be "all" or "any"');
  }
  return { ...options };
}

/**
 * A middleware factory bound to one guard. `options` are those of `createGuard`, or a
 * function of the Workers bindings (`c.env`) returning them, called once, on the first
 * request (bindings only arrive with requests). The guard, its compiled verifier and its
 * key cache live as long as the factory: create it once, at module scope.
 */
export function tollgate(options) {
  const lazy = typeof options === "function";
  if (!lazy && !isPlainObject(options)) {
    throw invalidArg("tollgate expects createGuard options, or a function (env) => options");
  }
  let guard;
  let guardScopes; // the guard-level scope requirement, for reuse below
  const install = (guardOptions) => {
    guard = createGuard(guardOptions); // throws on a bad or misspelled option
    guardScopes = { requiredScopes: guardOptions.requiredScopes ?? [], scopeMode: guardOptions.scopeMode };
  };
  if (!lazy) install(options);

  const guardFor = (c) => {
    if (guard === undefined) install(options(c.env)); // a throw is not cached: the next request retries
    return guard;
  };

  // The verified token per request context. With `app.use("/api/*", auth())` and then
  // `auth({ requiredScopes })` on a route, the second middleware only checks scopes against
  // what the first one verified, instead of verifying the signature again.
  const verified = new WeakMap();

  return function auth(callOptions) {
    const call = checkCallOptions(callOptions);
    const pinnedClock = call !== undefined && (call.now !== undefined || call.currentDate !== undefined);
    const ownScopes = call !== undefined && (call.requiredScopes !== undefined || call.scopeMode !== undefined);

    return async function tollgateMiddleware(c, next) {
      const g = guardFor(c);
      const previous = pinnedClock ? undefined : verified.get(c);
      if (previous !== undefined) {
        // Per-call scopes replace the guard's (as in Verifier.verify); the token is the same.
        const { requiredScopes, scopeMode } = ownScopes ? { requiredScopes: call.requiredScopes ?? [], scopeMode: call.scopeMode } : guardScopes;
        const mode = scopeMode === undefined ? undefined : { mode: scopeMode };
        if (checkScopes(previous.scopes, requiredScopes, mode).ok) {
          c.set(TOLLGATE_VARIABLE, previous);
          await next();
          return;
        }
        // Missing scopes: let the guard build its 403 (insufficient_scope, scope="…").
      }
      const result = await g.authorize(c.req.raw, call);
      if (!result.ok) return result.response;
      if (result.public) {
        // A public rule of the guard's policy: no token was needed, none was verified.
        c.set(TOLLGATE_VARIABLE, { public: true, decision: result.decision });
        await next();
        return;
      }
      const { subject, claims, scopes, roles, header, token, credential } = result;
      const auth = { subject, claims, scopes, roles, header, token, credential };
      if (result.decision !== undefined) auth.decision = result.decision;
      verified.set(c, auth);
      c.set(TOLLGATE_VARIABLE, auth);
      await next();
    };
  };
}
