// The worker of tests/edge/credentials-workerd.test.mjs: one guard taking API keys and
// Basic credentials (documents from the bindings) under a policy, and one without.
//
//   GET|POST /messages/:id    guard({ apiKeys, basic, policy })
//   GET /plain                guard({ apiKeys, basic }), requiredScopes read:messages
//   GET /health               no auth (the readiness probe)

import { Policy } from "tollgate/policy"; // the full module, which has the credentials
import { ApiKeyCatalog, BasicCredentials, createGuard } from "tollgate";

let guards;

// Built on the first request: the bindings arrive with it.
function setup(env) {
  if (guards) return guards;
  const apiKeys = ApiKeyCatalog.fromJson(env.CATALOG, { realm: "edge" });
  const basic = BasicCredentials.fromJson(env.USERS, { realm: "edge" });
  const policy = Policy.fromJson(env.POLICY);
  guards = {
    policy: createGuard({ apiKeys, basic, policy }),
    plain: createGuard({ apiKeys, basic }),
  };
  return guards;
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === "/health") return new Response("ok");
    const { policy, plain } = setup(env);
    const auth = pathname === "/plain"
      ? await plain.authorize(request, { requiredScopes: ["read:messages"] })
      : await policy.authorize(request);
    if (!auth.ok) return auth.response;
    return Response.json({ subject: auth.subject ?? null, credential: auth.credential?.kind ?? null, scopes: auth.scopes ?? [] });
  },
};
