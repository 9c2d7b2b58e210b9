// One isolate of tests/workerd/dpop.test.mjs: a guard taking DPoP proofs, remembering their
// jtis in the Durable Object namespace REPLAY (shared by every isolate of the test).
import "tollgate/policy"; // DPoP is in the full module
import { KeySet, createDurableReplayStore, createGuard } from "tollgate";

let guard;

export default {
  async fetch(request, env) {
    guard ??= createGuard({
      keys: KeySet.fromJwks(JSON.parse(env.JWKS)),
      issuer: env.ISSUER,
      audience: env.AUDIENCE,
      dpop: { replay: createDurableReplayStore(env.REPLAY, { shards: 4 }) },
    });
    const result = await guard.authorize(request);
    const body = result.ok
      ? { ok: true, isolate: env.NAME, credential: result.credential, subject: result.subject }
      : { ok: false, isolate: env.NAME, code: result.code };
    const headers = result.ok ? {} : Object.fromEntries(result.response.headers);
    return Response.json(body, { status: result.ok ? 200 : result.status, headers });
  },
};
