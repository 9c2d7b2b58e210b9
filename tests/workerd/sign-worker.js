// A worker that signs with the package in workerd (tests/workerd/sign.test.mjs). Keys
// are imported on the first request, not at the top level: importing checks one
// signature, and ECDSA/RSA-PSS signatures need randomness, which workerd refuses
// outside a request. ?global=1 tries it at the top level anyway, to record what happens.
import "tollgate/policy";
import { KeySet, SigningKey, createVerifier, downscope, sign } from "tollgate";
import P256 from "./p256.jwk.json";
import RSA from "./rsa2048.jwk.json";
import ED from "./ed25519.jwk.json";

let atLoad;
try {
  atLoad = SigningKey.fromJwk(P256, { alg: "ES256" }) && "ok";
} catch (e) {
  atLoad = `${e.name}: ${e.code ?? ""} ${e.message}`;
}

let keys;

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/health") return Response.json({ ok: true });
    keys ??= [
      SigningKey.fromJwk(P256, { alg: "ES256", kid: "p256" }),
      SigningKey.fromJwk(RSA, { alg: "PS256", kid: "rsa" }),
      SigningKey.fromJwk(ED, { alg: "EdDSA", kid: "ed" }),
    ];
    const out = { atLoad, tokens: [] };
    for (const key of keys) {
      const token = sign({ iss: "https://edge", aud: "api", sub: "u", scope: "a b" }, { key, ttl: 60 });
      const verifier = createVerifier({ keys: KeySet.fromJwk(key.toPublicJwk()), issuer: "https://edge", audience: "api" });
      const result = verifier.verify(token);
      const inner = downscope(result, { key, issuer: "https://edge", audience: "backend", scopes: ["a"] });
      out.tokens.push({ alg: key.alg, token, inner });
    }
    return Response.json(out);
  },
};
