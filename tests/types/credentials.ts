// Type-level tests of pkg/credentials.d.ts through the package's main entry.
import {
  ApiKeyCatalog,
  BasicCredentials,
  hashApiKey,
  hashPassword,
  mintApiKey,
  type CredentialResult,
} from "tollgate";

declare const request: Request;

const keys = ApiKeyCatalog.fromJson(
  { version: 1, keys: [{ id: "ci", sha256: "0".repeat(64), scopes: ["read"], owner: "t", expires: null }] },
  { realm: "api", header: "X-API-Key" },
);
const fromKey: CredentialResult = keys.verify("tg_ci_…", { requiredScopes: ["read"], now: 1 });
const fromRequest = keys.verifyRequest(request, { requiredRoles: ["bot"], currentDate: new Date() });
if (fromRequest.credential.kind === "apikey") {
  const id: string = fromRequest.credential.id;
  void id;
}
const minted = mintApiKey({ random: new Uint8Array(96), prefix: "acme" });
const digest: string = hashApiKey(minted.key);

const users = BasicCredentials.fromJson(
  { version: 1, users: [{ username: "ci", ...hashPassword("pw", { iterations: 600_000 }) }] },
  { realm: "admin" },
);
const basic = users.verify("Basic Y2k6cHc=", { url: "https://api.example/", allowInsecure: false });
const viaRequest = users.verifyRequest(request, { requiredScopes: ["deploy"] });

// @ts-expect-error Basic needs the request URL
users.verify("Basic Y2k6cHc=", {});
// @ts-expect-error mintApiKey needs randomness
mintApiKey({ prefix: "tg" });
// @ts-expect-error a catalog entry needs expires
ApiKeyCatalog.fromJson({ version: 1, keys: [{ id: "a", sha256: "x", scopes: [] }] });

void [fromKey, digest, basic, viaRequest, keys.size, users.size];
