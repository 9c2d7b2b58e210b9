// Type-level tests of pkg/edge.d.ts (`tsc --noEmit -p tests/edge/types`): the documented
// usage compiles, and misuse is a compile error (each @ts-expect-error must fire).
// Until edge.d.ts is merged into tollgate.d.ts it is imported as "tollgate/edge".
import { KeySet, RevocationList } from "tollgate";
import {
  createGuard,
  createIssuerKeys,
  createIntrospector,
  createRemoteKeySet,
  discoverKeySet,
  EDGE_ERROR_CODES,
  type AuthorizeResult,
  type Credential,
  type IntrospectionError,
  type IntrospectionResponse,
  type Introspector,
  type EdgeErrorCode,
  type ExportedKeySet,
  type RemoteKeySetError,
  createDurableReplayStore,
  createMemoryReplayStore,
  ReplayGuardObject,
  type ReplayStore,
  createDurableStore,
  createMemoryStore,
  createStoreRevocations,
  StoreObject,
  type Store,
  type StoreRevocations,
} from "tollgate/edge";

declare const request: Request;
declare const stored: string | null;

const remote = createRemoteKeySet("https://idp.example/.well-known/jwks.json", {
  cacheMaxAge: 600_000,
  cooldownDuration: 30_000,
  timeoutDuration: 5_000,
  staleIfError: 3_600_000,
  headers: { "X-Api-Key": "k" },
  now: () => Date.now(),
  initial: stored ?? undefined,
  algorithms: ["RS256"],
});
const keys: Promise<KeySet> = remote.get();
const cached: KeySet | undefined = remote.current();
const refreshed: Promise<boolean> = remote.refresh({ kid: "k1" });
const exported: ExportedKeySet | undefined = remote.export();
if (exported) KeySet.fromJwks(exported.jwks);
const codes: readonly EdgeErrorCode[] = EDGE_ERROR_CODES;

const discovered = discoverKeySet("https://tenant.example/");
const guard = createGuard({ keys: remote, issuer: "https://idp.example/", audience: "api", realm: "api", clockTolerance: "30s" });
createGuard({ keys: discovered, audience: "api" });
createGuard({ keys: KeySet.fromSecret(new Uint8Array(32), { alg: "HS256" }), issuer: "i", audience: "a", allowTokenInQuery: true });
createGuard({ keys: createIssuerKeys({ "https://a/": remote, "https://b/": discovered }), audience: "api" });
createGuard({ keys: { "https://a/": remote }, audience: "api" });
createGuard({ keys: createIssuerKeys(async (iss) => (iss === "https://a/" ? remote : undefined)), audience: "api" });

async function handle(): Promise<Response> {
  const auth: AuthorizeResult<{ sub: string; tenant: string }> = await guard.authorize(request, { requiredScopes: ["read"] });
  if (!auth.ok) {
    if (auth.status === 503) {
      const seconds: number = auth.retryAfter;
      const cause: RemoteKeySetError = auth.cause;
      void seconds, cause;
    } else if (auth.status === 400) {
      const reason: string = auth.reason;
      void reason;
    }
    return auth.response;
  }
  const tenant: string = auth.claims.tenant;
  await guard.authorize({ method: "GET", url: "/x", headers: { authorization: "Bearer t" } });
  await guard.authorize({ url: "/x", headers: [["authorization", "Bearer t"]] });
  return new Response(tenant);
}
void keys, cached, refreshed, codes, handle;

// @ts-expect-error keys per issuer take their issuers from the map
createGuard({ keys: { "https://a/": remote }, issuer: "https://a/", audience: "api" });
// @ts-expect-error a misspelled option
createGuard({ keys: remote, issuer: "i", audiance: "api" });
// @ts-expect-error durations are numbers of milliseconds
createRemoteKeySet("https://idp.example/jwks", { cacheMaxAge: "10m" });
// @ts-expect-error not constructible
new (createRemoteKeySet("https://x/").constructor as typeof import("tollgate/edge").RemoteKeySet)();
// @ts-expect-error kid is a string
remote.refresh({ kid: 1 });

// Opaque tokens (RFC 7662 introspection), alone or beside JWTs.
const introspection: Introspector = createIntrospector({
  endpoint: "https://idp.example/oauth2/introspect",
  clientId: "api",
  clientSecret: "secret",
  cache: { maxTtl: 60_000, negativeTtl: 5_000, max: 10_000 },
  timeoutDuration: 2_000,
});
createIntrospector({ endpoint: new URL("https://idp.example/introspect"), privateKeyJwt: async () => "eyJ…", issuer: "https://idp.example/" });
const both = createGuard({ keys: remote, introspection, issuer: "https://idp.example/", audience: "api" });
createGuard({ introspection, issuer: "https://idp.example/", audience: "api" });
async function opaque(): Promise<void> {
  const answer: IntrospectionResponse = await introspection.introspect("opaque");
  const active: boolean = answer.active;
  const auth = await both.authorize(request);
  if (auth.ok) {
    const credential: Credential = auth.credential;
    const client: string | undefined = credential.kind === "opaque" ? credential.clientId : undefined;
    const subject: string | undefined = auth.subject;
    void client, subject;
  } else if (auth.status === 503) {
    const cause: RemoteKeySetError | IntrospectionError = auth.cause;
    void cause;
  }
  void active;
}
void opaque;
// @ts-expect-error the introspection option takes an Introspector
createGuard({ introspection: { endpoint: "https://idp.example/introspect" }, issuer: "i", audience: "a" });
// @ts-expect-error cache durations are milliseconds
createIntrospector({ endpoint: "https://idp.example/introspect", clientId: "a", clientSecret: "s", cache: { maxTtl: "60s" } });
// @ts-expect-error neither keys nor introspection
createGuard({ issuer: "i", audience: "a" });
// DPoP and certificate-bound tokens.
declare const replayNamespace: { idFromName(name: string): unknown; get(id: unknown): { fetch(input: string, init?: RequestInit): Promise<Response> } };
const replay: ReplayStore = createDurableReplayStore(replayNamespace, { shards: 8 });
const dpopGuard = createGuard({
  keys: remote,
  issuer: "i",
  audience: "api",
  dpop: { algorithms: ["ES256", "EdDSA"], iatWindow: 60, nonceSecret: "x".repeat(32), replay, required: true },
  clientCertificate: (req) => (req as Request).headers.get("x-client-cert-sha256") ?? undefined,
});
createGuard({ keys: remote, issuer: "i", audience: "api", dpop: true, mtls: true });
createGuard({ keys: remote, issuer: "i", audience: "api", dpop: { replay: createMemoryReplayStore({ max: 1000 }) } });
async function dpopHandle(req: Request): Promise<Response> {
  const auth = await dpopGuard.authorize(req);
  if (!auth.ok) return auth.response;
  const credential: Credential = auth.credential;
  const jkt: string | undefined = credential.kind === "dpop" ? credential.jkt : undefined;
  const headers: Record<string, string> = auth.dpopNonce ? { "DPoP-Nonce": auth.dpopNonce } : {};
  return new Response(`${auth.subject} ${jkt}`, { headers });
}
void dpopHandle, ReplayGuardObject;
// @ts-expect-error iatWindow is seconds, a number
createGuard({ keys: remote, issuer: "i", audience: "api", dpop: { iatWindow: "60s" } });
// @ts-expect-error a replay store has seen()
createGuard({ keys: remote, issuer: "i", audience: "api", dpop: { replay: {} } });
// Revocations in a shared store.
const store: Store = createDurableStore(replayNamespace, { shards: 4, name: "revocations" });
const revocations: StoreRevocations = createStoreRevocations(store, { maxTokenLifetime: 3600, clockTolerance: 30, timeout: 500 });
const memoryStore = createMemoryStore({ max: 100 });
const size: number = memoryStore.size;
createStoreRevocations(memoryStore, { maxTokenLifetime: 600, now: () => 0 });
createStoreRevocations({ get: async (keys: string[]) => keys.map(() => undefined), put: async () => {} }, { maxTokenLifetime: 60 });
const revocationGuard = createGuard({ keys: remote, issuer: "i", audience: "api", revocations });
createGuard({ keys: remote, issuer: "i", audience: "api", revocations: new RevocationList() });
createGuard({ keys: remote, issuer: "i", audience: "api", dpop: { replay: store } });
async function revokeHandle(req: Request): Promise<Response> {
  const auth = await revocationGuard.authorize(req);
  if (!auth.ok) return auth.response;
  await revocations.revoke(auth.claims);
  await revocations.revoke({ jti: "t-1", exp: 1_800_000_000 });
  await revocations.revokeSubject("user-42", new Date());
  await revocations.revokeSubject("user-42");
  const why: "token" | "subject" | null = await revocations.revokedBy(auth);
  const revoked: boolean = await revocations.isRevoked(auth.claims);
  await store.put("k", 1, 2, { shardKey: "s", everyShard: true });
  const values: (number | undefined)[] = await store.get(["k"], { shardKey: "s" });
  return new Response(`${why} ${revoked} ${values} ${size}`);
}
void revokeHandle, StoreObject;
// @ts-expect-error maxTokenLifetime is required
createStoreRevocations(store, {});
// @ts-expect-error a store has get() and put()
createStoreRevocations({}, { maxTokenLifetime: 60 });
// @ts-expect-error a jti is a string
revocations.revoke({ jti: 7 });
// @ts-expect-error get takes no everyShard
store.get(["k"], { everyShard: true });
// @ts-expect-error revocations are a RevocationList or StoreRevocations
createGuard({ keys: remote, issuer: "i", audience: "api", revocations: store });
// @ts-expect-error not constructible
new (revocations.constructor as typeof StoreRevocations)();
// API keys and Basic credentials through the guard, alone or beside JWTs.
declare const apiKeys: import("tollgate").ApiKeyCatalog;
declare const users: import("tollgate").BasicCredentials;
const credentialGuard = createGuard({ apiKeys, basic: users, realm: "api" });
createGuard({ basic: users, allowInsecure: true });
createGuard({ keys: remote, issuer: "i", audience: "api", apiKeys, basic: users });
async function credentialHandle(req: Request): Promise<Response> {
  const auth = await credentialGuard.authorize(req, { requiredScopes: ["read:messages"] });
  if (!auth.ok) return auth.response;
  const credential: Credential = auth.credential;
  const who: string | undefined =
    credential.kind === "apikey" ? credential.id : credential.kind === "basic" ? credential.username : undefined;
  const token: string | undefined = auth.token;
  return new Response(`${auth.subject} ${who} ${auth.scopes.join(" ")} ${token ?? ""}`);
}
void credentialHandle;
// @ts-expect-error apiKeys takes an ApiKeyCatalog, not its document
createGuard({ apiKeys: { version: 1, keys: [] } });
// @ts-expect-error allowInsecure is a boolean
createGuard({ apiKeys, allowInsecure: "yes" });
// @ts-expect-error a guard without keys takes no issuer
createGuard({ apiKeys, issuer: "i" });
