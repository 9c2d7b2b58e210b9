// The worker of bench/workerd.mjs (cold start): nothing of any library is imported
// statically, so that the parent can tell "workerd answers" (GET /ping) from "the first
// token is verified" (POST /first, which imports the library, imports the key and verifies).
//
// Each cold-start process lists only the modules of ONE library in its config ("tollgate"
// and pkg/, or "bench-peers/jose.js"), or none for the baseline; whatever workerd compiles
// eagerly at start-up shows in the parent's "spawn → socket answers" column instead.
//
//   GET /ping     a trivial answer
//   POST /first   { lib, alg, jwk, secret, token, issuer, audience } -> { sub }

async function verifyWith(lib, { alg, jwk, secret, token, issuer, audience }) {
  switch (lib) {
    case "none": // no library: the request and this module only
      return { sub: JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).sub };
    case "tollgate":
    case "tollgate-async": {
      const { KeySet, createVerifier } = await import("tollgate");
      const keys = secret ? KeySet.fromSecret(secret, { alg }) : KeySet.fromJwk(jwk);
      const verifier = createVerifier({ keys, issuer, audience, algorithms: [alg] });
      return (lib === "tollgate" ? verifier.verify(token) : await verifier.verifyAsync(token)).claims;
    }
    case "jose": {
      const { importJWK, jwtVerify } = await import("./bench-peers/jose.js");
      const key = secret
        ? await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"])
        : await importJWK(jwk, alg);
      return (await jwtVerify(token, key, { issuer, audience, algorithms: [alg] })).payload;
    }
    default:
      throw new RangeError(`unknown library ${lib}`);
  }
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/ping") return new Response("ok");
    if (url.pathname === "/first" && request.method === "POST") {
      const input = await request.json();
      try {
        const claims = await verifyWith(input.lib, input);
        return Response.json({ sub: claims.sub });
      } catch (e) {
        return Response.json({ error: `${e?.code ?? ""} ${e?.message ?? e}`.trim() }, { status: 500 });
      }
    }
    return new Response("not found", { status: 404 });
  },
};
