// The worker of tests/edge/workerd.test.mjs: tollgate's guard over keys fetched at run
// time from the test's JWKS server on 127.0.0.1 (bindings say where).
//
//   GET /health                 no auth, no I/O
//   GET /messages               guard over createRemoteKeySet(JWKS_URL), scope read:messages
//   GET /discovered/messages    guard over discoverKeySet(DISCOVERY_ISSUER)
//   GET /cold/messages          guard over createRemoteKeySet(COLD_JWKS_URL): its own cache
//   GET /down/messages          guard over createRemoteKeySet(DOWN_JWKS_URL), which answers 404
//   GET /state                  the cached state of /messages' key set (remote.export())
//   GET /opaque/messages        guard over createIntrospector(INTROSPECTION_URL) and the JWKS

import { createGuard, createIntrospector, createRemoteKeySet, discoverKeySet } from "tollgate";

let app;

// Built on the first request: the bindings arrive with it. Creating key sets does no I/O.
function setup(env) {
  if (app) return app;
  const options = {
    cooldownDuration: Number(env.COOLDOWN_MS),
    timeoutDuration: Number(env.TIMEOUT_MS),
  };
  const keys = createRemoteKeySet(env.JWKS_URL, options);
  const verify = { audience: env.AUDIENCE, realm: "edge", typ: "at+jwt" };
  app = {
    keys,
    guards: {
      "/messages": createGuard({ keys, issuer: env.ISSUER, ...verify }),
      "/discovered/messages": createGuard({ keys: discoverKeySet(env.DISCOVERY_ISSUER, options), ...verify }),
      "/cold/messages": createGuard({ keys: createRemoteKeySet(env.COLD_JWKS_URL, options), issuer: env.ISSUER, ...verify }),
      "/down/messages": createGuard({ keys: createRemoteKeySet(env.DOWN_JWKS_URL, options), issuer: env.ISSUER, ...verify }),
      "/opaque/messages": createGuard({
        keys,
        introspection: createIntrospector({
          endpoint: env.INTROSPECTION_URL,
          clientId: "edge",
          clientSecret: "edge-secret",
          timeoutDuration: options.timeoutDuration,
        }),
        issuer: env.ISSUER,
        ...verify,
      }),
    },
  };
  return app;
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === "/health") return new Response("ok");
    const { keys, guards } = setup(env);
    if (pathname === "/state") return Response.json({ state: keys.export() ?? null });
    const guard = guards[pathname];
    if (!guard) return new Response("not found", { status: 404 });
    const auth = await guard.authorize(request, { requiredScopes: ["read:messages"] });
    if (!auth.ok) return auth.response;
    return Response.json({ sub: auth.claims.sub, kid: auth.header.kid, iss: auth.claims.iss, credential: auth.credential.kind });
  },
};
