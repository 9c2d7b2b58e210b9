// Type-level tests of the signing API (pkg/tollgate.d.ts): documented usage compiles,
// misuse does not (each @ts-expect-error must fire).
import "tollgate/policy";
import { SigningKey, createVerifier, downscope, isTollgateError, sign, KeySet, type JWK, type VerifyResult } from "tollgate";

declare const pem: string;
declare const token: string;

const key = SigningKey.fromPem(pem, { alg: "ES256", kid: "edge-1" });
const hmac = SigningKey.fromSecret(new Uint8Array(32), { alg: "HS256" });
const fromJwk = SigningKey.fromJwk({ kty: "OKP", crv: "Ed25519", d: "…", x: "…" }, { alg: "EdDSA" });
const published: JWK | null = key.toPublicJwk();
const alg: string = key.alg;
const kid: string | undefined = key.kid;

const minted: string = sign({ iss: "https://edge.example", sub: "u", aud: "api" }, { key, ttl: "5m", typ: "at+jwt" });
sign({ exp: 1_900_000_000 }, { key: hmac, currentDate: new Date() });

const verifier = createVerifier({ keys: KeySet.fromJwks({ keys: [published!] }), issuer: "https://edge.example", audience: "api" });
const result: VerifyResult = verifier.verify(minted);
const inner: string = downscope(result, { key, issuer: "https://edge.example", audience: ["billing"], scopes: ["billing:read"], ttl: 30 });
try {
  downscope(result, { key, issuer: "e", audience: "b", scopes: ["admin"] });
} catch (e) {
  if (isTollgateError(e, "ERR_DOWNSCOPE_SUPERSET")) {
    const missing: string[] | undefined = e.missing;
    void missing;
  }
}

// @ts-expect-error ES512 verifies only: no signing key for it
SigningKey.fromPem(pem, { alg: "ES512" });
// @ts-expect-error fromPem needs alg
SigningKey.fromPem(pem, { kid: "k" });
// @ts-expect-error HMAC secrets only take HS algorithms
SigningKey.fromSecret("s".repeat(32), { alg: "ES256" });
// @ts-expect-error a key is required
sign({}, { ttl: 5 });
// @ts-expect-error typ is "JWT" or "at+jwt"
sign({}, { key, ttl: 5, typ: "jwt" });
// @ts-expect-error scopes are an array
downscope(result, { key, issuer: "e", audience: "b", scopes: "read" });
// @ts-expect-error issuer is required
downscope(result, { key, audience: "b", scopes: [] });

void [fromJwk, alg, kid, inner, token];
