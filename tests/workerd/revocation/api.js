// One isolate of tests/workerd/revocation.test.mjs: a guard asking revocations kept in the
// Durable Object namespace REVOCATIONS (shared by every isolate of the test), and, for the
// test only, POST /revoke to revoke through this isolate. Every answer says how many
// subrequests it made to the store's objects (the real binding, counted, not replaced).
import { KeySet, createDurableStore, createGuard, createStoreRevocations } from "tollgate";

let guard;
let revocations;
let subrequests = 0;

/** The namespace binding as it is, counting its objects' fetches. */
function counted(namespace) {
  return {
    idFromName: (name) => namespace.idFromName(name),
    get(id) {
      const stub = namespace.get(id);
      return {
        fetch(...args) {
          subrequests++;
          return stub.fetch(...args);
        },
      };
    },
  };
}

export default {
  async fetch(request, env) {
    if (guard === undefined) {
      revocations = createStoreRevocations(createDurableStore(counted(env.REVOCATIONS), { shards: 4 }), { maxTokenLifetime: 3600 });
      guard = createGuard({ keys: KeySet.fromJwks(JSON.parse(env.JWKS)), issuer: env.ISSUER, audience: env.AUDIENCE, revocations });
    }
    const start = subrequests;
    if (request.method === "POST" && new URL(request.url).pathname === "/revoke") {
      const { jti, exp, sub, before } = await request.json();
      if (jti !== undefined) await revocations.revoke({ jti, exp });
      else await revocations.revokeSubject(sub, before);
      return Response.json({ isolate: env.NAME, subrequests: subrequests - start });
    }
    const result = await guard.authorize(request);
    const body = result.ok
      ? { ok: true, isolate: env.NAME, subject: result.subject, subrequests: subrequests - start }
      : { ok: false, isolate: env.NAME, code: result.code, subrequests: subrequests - start };
    const headers = result.ok ? {} : Object.fromEntries(result.response.headers);
    return Response.json(body, { status: result.ok ? 200 : result.status, headers });
  },
};
