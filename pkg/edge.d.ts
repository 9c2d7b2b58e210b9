/**
 * tollgate edge layer: JWKS over HTTP (cached, with cooldown, timeout and
 * stale-if-error), OpenID Connect discovery, keys per issuer, and an RFC 6750
 * guard that turns a Fetch `Request` into 200 / 400 / 401 / 403 / 503.
 *
 * Re-exported by the package's main entry (`export * from "./edge.js"` in index.js; for the
 * types, in tollgate.d.ts, which describes that entry).
 * @packageDocumentation
 */

import type {
  Algorithm,
  DecisionCode,
  JWKS,
  JWSHeader,
  JWTClaims,
  KeySet,
  RevocationList,
  TokenErrorCode,
  TollgateError,
  VerifyCallOptions,
  VerifyOptions,
  VerifierOptions,
} from "./tollgate.js";

// Codes of errors about keys fetched over HTTP (generated from the core's table). They
// carry no `status`: a guard answers 503.
import type { EdgeErrorCode } from "./facts.js";
import type { ApiKeyCatalog, BasicCredentials, KeyCredential } from "./credentials.js";
export type { EdgeErrorCode } from "./facts.js";
export { EDGE_ERROR_CODES } from "./facts.js";

/**
 * A JWKS or discovery document could not be used: timeout, network error, HTTP status
 * other than 200, invalid JSON, no usable key (`cause` is the `ERR_JWK_INVALID` error), or
 * a discovery document naming another issuer. At run time a `TollgateError`
 * (`isTollgateError(e)` is true). Messages show the URL without its query string, never
 * request headers.
 */
export interface RemoteKeySetError extends Error {
  readonly name: "TollgateError";
  readonly code: EdgeErrorCode;
  /** No HTTP answer comes with it (a guard answers 503 itself). */
  readonly status?: undefined;
  readonly wwwAuthenticate?: undefined;
  /** The document's URL, without query string or credentials. */
  readonly url?: string;
  /** Seconds until the next fetch is allowed (the guard's `Retry-After`). */
  readonly retryAfter?: number;
  /** For `ERR_JWKS_FETCH_FAILED` on an HTTP error: the status received. */
  readonly httpStatus?: number;
  /** The underlying error (network error, `ERR_JWK_INVALID`…). */
  readonly cause?: unknown;
}

/** The state of a {@link RemoteKeySet} as JSON-compatible data (see {@link RemoteKeySet.export}). */
export interface ExportedKeySet {
  /** The JWKS URL. */
  url: string;
  /** The JWKS as fetched: `KeySet.fromJwks(exported.jwks)` works. */
  jwks: JWKS;
  /** When it was fetched, in ms since the epoch (the `now` clock). */
  fetchedAt: number;
  /** When it stops being fresh, in ms since the epoch. */
  expiresAt: number;
  /** For a set made by {@link discoverKeySet}: its issuer. */
  issuer?: string;
  /** For a set made by {@link discoverKeySet}: the discovery document and its cache times. */
  discovery?: { url: string; document: Record<string, unknown>; fetchedAt: number; expiresAt: number };
}

/** Options of {@link createRemoteKeySet} and {@link discoverKeySet}. Durations are in milliseconds. */
export interface RemoteKeySetOptions {
  /** The fetch to use. Default: `globalThis.fetch`, looked up at each call. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Binds JWKs that have no `alg` (passed to `KeySet.fromJwks`). */
  algorithms?: Algorithm[];
  /** Lifetime when the response has no `Cache-Control: max-age`. Default 10 min. */
  cacheMaxAge?: number;
  /** Lower bound applied to an honoured max-age (also used for `no-store`/`no-cache`). Default 30 s. */
  minCacheAge?: number;
  /** Upper bound applied to an honoured max-age. Default 24 h. */
  maxCacheAge?: number;
  /** At most one refetch per this period for unknown `kid`s, and no fetch for this long after a failure. Default 30 s. */
  cooldownDuration?: number;
  /** A fetch (headers and body) must finish within this. Default 5 s. */
  timeoutDuration?: number;
  /** How long past its expiry the last good set is still served while refetches fail. Default 1 h. */
  staleIfError?: number;
  /** Extra request headers (e.g. an API key for a private JWKS endpoint). */
  headers?: HeadersInit;
  /** The clock, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** A state from {@link RemoteKeySet.export} (object or JSON text), e.g. kept in KV; ignored if made for another URL. */
  initial?: ExportedKeySet | string;
  /** RISK: allow plain-http URLs to non-loopback hosts (anyone on the path could swap the keys). */
  dangerouslyAllowHttp?: boolean;
}

/**
 * A JWKS fetched over HTTP and cached. Creating one does no I/O, so it can live at module
 * scope in a worker; it is safe to share between concurrent requests: no request ever
 * awaits another request's fetch.
 *
 * @example
 * ```ts
 * const remote = createRemoteKeySet("https://idp.example/.well-known/jwks.json");
 * const keys = await remote.get(); // a KeySet; fetched at most once while fresh
 * ```
 */
export class RemoteKeySet {
  private constructor();
  /** The JWKS URL (for a discovered set: `undefined` until discovery ran). */
  readonly url: string | undefined;
  /** The issuer of a set made by {@link discoverKeySet}. */
  readonly issuer: string | undefined;
  /** The cached KeySet if fresh or within `staleIfError`; never fetches. */
  current(): KeySet | undefined;
  /** A current KeySet: the cached one when fresh (no fetch awaited), else fetched by this call. Rejects with a {@link RemoteKeySetError}. */
  get(): Promise<KeySet>;
  /**
   * Refetches (e.g. for an unknown `kid`) unless `kid` is already known, another fetch is
   * in flight (it waits for that one), or the cooldown forbids it. Resolves to whether this
   * call fetched.
   */
  refresh(options?: { kid?: string }): Promise<boolean>;
  /**
   * The cached state, JSON-compatible, or `undefined` before the first fetch.
   * @example
   * ```ts
   * await env.KV.put("jwks", JSON.stringify(remote.export()));
   * const again = createRemoteKeySet(url, { initial: await env.KV.get("jwks") ?? undefined });
   * ```
   */
  export(): ExportedKeySet | undefined;
  /** `JSON.stringify(remote)` gives the exported state (`null` before the first fetch). */
  toJSON(): ExportedKeySet | null;
}

/**
 * A JWKS at `url` (https; http only for loopback hosts), fetched on first use and cached
 * by `Cache-Control: max-age` within `[minCacheAge, maxCacheAge]`.
 * @example
 * ```ts
 * const remote = createRemoteKeySet("https://idp.example/.well-known/jwks.json", { cooldownDuration: 60_000 });
 * ```
 */
export function createRemoteKeySet(url: string | URL, options?: RemoteKeySetOptions): RemoteKeySet;

/**
 * The issuer's keys through OpenID Connect discovery: `${issuer}/.well-known/openid-configuration`
 * (one trailing `/` of the issuer removed), whose `issuer` must equal `issuer` exactly
 * (else `ERR_DISCOVERY_ISSUER_MISMATCH`), then its `jwks_uri`. Returns at once; both
 * documents are fetched on first use and cached by the same rules.
 * @example
 * ```ts
 * const keys = discoverKeySet("https://tenant.eu.auth0.com/");
 * const guard = createGuard({ keys, audience: "https://api.example" }); // issuer defaults to the discovered one
 * ```
 */
export function discoverKeySet(issuer: string, options?: RemoteKeySetOptions): RemoteKeySet;

/** Keys of one issuer. */
export type IssuerKeysEntry = KeySet | RemoteKeySet;

/** Keys per issuer: a record or Map from exact `iss` to keys, or a function (which should return cached objects). */
export type IssuerKeysSource =
  | Record<string, IssuerKeysEntry>
  | Map<string, IssuerKeysEntry>
  | ((iss: string) => IssuerKeysEntry | undefined | null | Promise<IssuerKeysEntry | undefined | null>);

/** Keys per issuer, for multi-tenant APIs. */
export class IssuerKeys {
  private constructor();
  /** The accepted issuers (record / Map form), or `undefined` (function form). */
  readonly issuers: string[] | undefined;
  /** The keys of `iss`, or `undefined` when the issuer is not accepted. */
  resolve(iss: string): Promise<IssuerKeysEntry | undefined>;
}

/**
 * Keys per issuer. The guard reads the token's `iss` WITHOUT verifying it, only to pick
 * the keys; it then verifies the token with `issuer` set to that `iss`.
 * @example
 * ```ts
 * const keys = createIssuerKeys({
 *   "https://tenant-a.idp.example/": discoverKeySet("https://tenant-a.idp.example/"),
 *   "https://tenant-b.idp.example/": discoverKeySet("https://tenant-b.idp.example/"),
 * });
 * ```
 */
export function createIssuerKeys(source: IssuerKeysSource): IssuerKeys;

// ─────────────────────────────────────────── opaque tokens (RFC 7662 introspection)

/** Options of {@link createIntrospector}. Durations in milliseconds. */
export interface IntrospectorOptions {
  /** The RFC 7662 endpoint: https, except loopback hosts (or with `dangerouslyAllowHttp`). */
  endpoint: string | URL;
  /** The resource server's client id at the authorization server. */
  clientId?: string;
  /** With `clientId`: sent as HTTP Basic (RFC 6749 §2.3.1). */
  clientSecret?: string;
  /**
   * Makes a client assertion (a signed JWT, RFC 7523), called once per request to the
   * endpoint: sent as `client_assertion` with `client_assertion_type` jwt-bearer.
   */
  privateKeyJwt?: () => string | Promise<string>;
  /**
   * The issuer this endpoint speaks for: an active answer without `iss` is read as from
   * it (a guard then compares it with its own issuer, as for a JWT). A guard without an
   * `issuer` option takes this one.
   */
  issuer?: string;
  /**
   * `true` (default), `false`, or bounds: positive answers live until the token's `exp`
   * and at most `maxTtl` (default 60 s), negative ones `negativeTtl` (default 5 s), at
   * most `max` entries (default 10 000, least recently used leave). Keys are SHA-256
   * hashes of the tokens, never the tokens.
   */
  cache?: boolean | { maxTtl?: number; negativeTtl?: number; max?: number };
  /** The whole request, body included. Default 5 s. */
  timeoutDuration?: number;
  /** After a failed request, lookups that the cache cannot answer fail at once for this long. Default 1 s. */
  cooldownDuration?: number;
  /** Extra request headers (an `Authorization` header can replace clientSecret / privateKeyJwt). */
  headers?: HeadersInit;
  /** A fetch to use. */
  fetch?: typeof fetch;
  /** The clock in ms (tests). */
  now?: () => number;
  /** RISK: allow `http:` to non-loopback hosts: anyone on the path reads every token. */
  dangerouslyAllowHttp?: boolean;
}

/** An RFC 7662 answer (§2.2): `active`, and when active the token's claims. */
export interface IntrospectionResponse {
  readonly active: boolean;
  readonly scope?: string;
  readonly client_id?: string;
  readonly username?: string;
  readonly token_type?: string;
  readonly exp?: number;
  readonly iat?: number;
  readonly nbf?: number;
  readonly sub?: string;
  readonly aud?: string | string[];
  readonly iss?: string;
  readonly jti?: string;
  readonly [claim: string]: unknown;
}

/**
 * The introspection endpoint could not answer: unreachable, timeout, HTTP status other
 * than 200, not an RFC 7662 response, a failing `privateKeyJwt`. A guard answers 503.
 * Messages show the endpoint without its query, never the token.
 */
export interface IntrospectionError extends Error {
  readonly name: "TollgateError";
  readonly code: "ERR_INTROSPECTION_FAILED";
  readonly url?: string;
  /** Seconds until a new request is allowed (the guard's `Retry-After`). */
  readonly retryAfter?: number;
  readonly httpStatus?: number;
  readonly cause?: unknown;
}

/** An introspection client: see {@link createIntrospector}. */
export class Introspector {
  private constructor();
  /** The endpoint, without its query. */
  readonly endpoint: string;
  /** The `issuer` option, if given. */
  readonly issuer: string | undefined;
  /** Cached answers, positive and negative. */
  readonly cacheSize: number;
  /** Forgets every cached answer. */
  clearCache(): void;
  /**
   * The server's answer about `token`, from the cache or one request (one in flight per
   * token). **Not checked**: give the introspector to `createGuard({ introspection })`,
   * which checks the answer with the core (issuer, audience, expiry, scopes) as it checks
   * a JWT. Rejects with an {@link IntrospectionError} when the server cannot answer.
   */
  introspect(token: string): Promise<IntrospectionResponse>;
}

/**
 * An RFC 7662 client for opaque access tokens, for `createGuard({ introspection })`.
 * No I/O until the first lookup; safe to share between requests (and on Workers: no
 * request awaits another's I/O).
 * @example
 * ```ts
 * const guard = createGuard({
 *   keys: createRemoteKeySet("https://idp.example/jwks"), // JWTs, if the IdP issues both
 *   introspection: createIntrospector({
 *     endpoint: "https://idp.example/oauth2/introspect",
 *     clientId: "messages-api",
 *     clientSecret: env.INTROSPECTION_SECRET,
 *   }),
 *   issuer: "https://idp.example/",
 *   audience: "https://api.example",
 * });
 * ```
 */
export function createIntrospector(options: IntrospectorOptions): Introspector;

/** How the request's credential was verified (every kind ends in the same verified result). */
export type Credential =
  /** A JWT sent as a bearer token. */
  | { readonly kind: "jwt" }
  /** A DPoP-bound JWT with its proof; `jkt` is the proof key's RFC 7638 thumbprint (`cnf.jkt`). */
  | { readonly kind: "dpop"; readonly jkt: string }
  /** A certificate-bound JWT; `x5t` is the client certificate's SHA-256 thumbprint (`cnf.x5t#S256`). */
  | { readonly kind: "mtls"; readonly x5t: string }
  /** Introspected (RFC 7662); `clientId` is the answer's `client_id`. */
  | { readonly kind: "opaque"; readonly clientId: string | undefined }
  | KeyCredential;

/** Verification options of a guard: everything {@link VerifyOptions} has but `keys` and `issuer`. */
type GuardVerifyOptions = Omit<VerifierOptions, "keys" | "issuer" | "dangerouslySkipIssuerCheck" | "revocations"> & {
  /**
   * Refuse revoked tokens (401 `ERR_JWT_REVOKED`): a {@link RevocationList}, checked by the core
   * in the request's one call, or {@link StoreRevocations} (revocations every isolate sees),
   * asked after the core has allowed the request; a store that cannot answer refuses it (503
   * `ERR_REVOCATION_STORE_FAILED`).
   */
  revocations?: RevocationList | StoreRevocations;
};

/** Options of {@link createGuard}. */
export type GuardOptions = GuardVerifyOptions & {
  /**
   * RISK: accept `?access_token=` (RFC 6750 §2.3): tokens leak into logs, history and
   * Referer. Default false: such a request gets 400 invalid_request.
   */
  allowTokenInQuery?: boolean;
  /**
   * RISK: accept `access_token` in an `application/x-www-form-urlencoded` body (RFC 6750
   * §2.2; never for GET). Default false: such a request gets 400 invalid_request.
   */
  allowTokenInBody?: boolean;
  /**
   * Apply this policy (from `tollgate/policy`) to every request: public rules answer
   * without a token; every other request needs a verified token the policy allows.
   */
  policy?: PolicyLike;
  /** The deployment environment for `environments` constraints (e.g. `"production"`). */
  environment?: string;
  /**
   * The client's IP for `ipRanges` constraints. Default: on Cloudflare Workers the
   * platform-set `CF-Connecting-IP`; elsewhere none (headers can be forged), so give it.
   */
  clientIp?: (request: Request | RequestLike) => string | undefined;
  /**
   * Check RSA, ECDSA and EdDSA signatures with the runtime's native crypto — WebCrypto;
   * node:crypto in Node — (`Verifier.verifyAsync`) instead of the wasm core, where the runtime
   * has it. Default true (the guard answers asynchronously anyway); false keeps every check in wasm.
   */
  webCrypto?: boolean;
  /**
   * Opaque tokens: a token that is not a JWS goes to this introspector, and its answer
   * passes the same checks as a JWT's claims (issuer, audience, expiry, scopes, policy).
   * Without `keys`, a JWT is refused (401 invalid_token).
   */
  introspection?: Introspector;
  /**
   * Accept DPoP-bound tokens (RFC 9449): `Authorization: DPoP <token>` with a `DPoP` proof
   * header, checked in the core with the token in one call. Needs the full module (import
   * `tollgate/policy` first). `true` takes the defaults. See docs/dpop.md.
   *
   * @example
   * createGuard({ keys, issuer, audience, dpop: { nonceSecret: env.DPOP_NONCE_SECRET, replay: createDurableReplayStore(env.REPLAY) } });
   */
  dpop?: true | DpopOptions;
  /**
   * Read the TLS client certificate for certificate-bound tokens (RFC 8705) from Cloudflare's
   * `request.cf.tlsClientAuth`. Default: true on Cloudflare Workers.
   */
  mtls?: boolean;
  /**
   * The TLS client certificate's SHA-256 thumbprint (hex or base64url) for runtimes other than
   * Cloudflare's; `undefined` when the request came without one.
   */
  clientCertificate?: (request: Request | RequestLike) => string | undefined;
  /**
   * API keys (`Authorization: ApiKey <key>` or the catalog's header, `X-API-Key` by
   * default), answered as tokens are: the same result (`credential.kind: "apikey"`), the
   * route's `requiredScopes`/`requiredRoles` and the policy. Needs the full module (import
   * `tollgate/policy` first). See docs/credentials.md.
   */
  apiKeys?: ApiKeyCatalog;
  /** HTTP Basic credentials (RFC 7617; `credential.kind: "basic"`), as `apiKeys`. */
  basic?: BasicCredentials;
  /**
   * RISK: take API keys and Basic credentials over plain `http:` (loopback excepted,
   * which is taken anyway). Default false: such a request gets 400 ERR_INSECURE_TRANSPORT
   * with no challenge.
   */
  allowInsecure?: boolean;
} & (
    | {
        /** API keys or Basic credentials only: no token is taken. */
        keys?: undefined;
        introspection?: undefined;
        issuer?: never;
        dangerouslySkipIssuerCheck?: never;
      } & ({ apiKeys: ApiKeyCatalog } | { basic: BasicCredentials })
    | {
        /** Opaque tokens only. */
        keys?: undefined;
        introspection: Introspector;
        /** Accepted `iss`. Default: the introspector's `issuer`. */
        issuer?: string | string[];
        dangerouslySkipIssuerCheck?: boolean;
      }
    | {
        /** One issuer's keys. */
        keys: KeySet | RemoteKeySet;
        /** Accepted `iss`. Required, except for a {@link discoverKeySet} set (its issuer) or with `dangerouslySkipIssuerCheck`. */
        issuer?: string | string[];
        /** RISK: accept tokens from any issuer. */
        dangerouslySkipIssuerCheck?: boolean;
      }
    | {
        /** Keys per issuer: the token's `iss` picks them, and must then verify as that issuer. */
        keys: IssuerKeys | IssuerKeysSource;
        issuer?: never;
        dangerouslySkipIssuerCheck?: never;
      }
  );

/** The guard's `dpop` option. */
export interface DpopOptions {
  /** The proofs' accepted algorithms. Default: every asymmetric one (never `none` or HS*). */
  algorithms?: string[];
  /** Seconds a proof's `iat` may be from now, either way. Default 60. */
  iatWindow?: number;
  /** A secret (at least 32 bytes) to make and check server nonces (RFC 9449 §9) without state. */
  nonceSecret?: string | Uint8Array;
  /** Require a nonce in every proof. Default: true when `nonceSecret` is set. */
  requireNonce?: boolean;
  /** Seconds a nonce is current; it is accepted for one to two of these. Default 300. */
  nonceLifetime?: number;
  /** Where proofs' jtis are remembered. Default: {@link createMemoryReplayStore} (one isolate). */
  replay?: ReplayStore;
  /** Take DPoP-bound tokens only: Bearer tokens are refused as no credentials. Default false. */
  required?: boolean;
}

/**
 * Remembers used DPoP proofs. `seen` resolves to true when `key` (the proof's jti scoped by its
 * key's thumbprint) was already seen, and records it until `expiresAt` (seconds) otherwise.
 */
export interface ReplayStore {
  seen(key: string, expiresAt: number): Promise<boolean>;
}

/**
 * A replay store for one isolate: at most `max` proofs (default 10,000), the oldest dropped first.
 *
 * @example
 * createGuard({ keys, issuer, audience, dpop: { replay: createMemoryReplayStore({ max: 50_000 }) } });
 */
export function createMemoryReplayStore(options?: { max?: number; now?: () => number }): ReplayStore & { readonly size: number };

/** What {@link createDurableReplayStore} needs of a Durable Object namespace binding. */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: any): { fetch(input: string, init?: RequestInit): Promise<Response> };
}

/**
 * A replay store shared by every isolate and location: Durable Objects of `namespace`, bound
 * to {@link ReplayGuardObject} (export it from your worker).
 *
 * @example
 * export { ReplayGuardObject } from "tollgate";
 * const replay = createDurableReplayStore(env.DPOP_REPLAY);
 */
export function createDurableReplayStore(namespace: DurableObjectNamespaceLike, options?: { shards?: number; name?: string }): ReplayStore;

/**
 * The Durable Object class behind {@link createDurableReplayStore}.
 *
 * @example
 * export { ReplayGuardObject } from "tollgate";
 */
export class ReplayGuardObject {
  constructor(state: { storage: any }, env?: unknown);
  fetch(request: Request): Promise<Response>;
}

/** Where {@link Store.put} and {@link Store.get} go in a sharded store (others ignore it). */
export interface StoreRouting {
  /** The string that picks the Durable Object. Default: the key (`get`: each key). */
  shardKey?: string;
  /** `put` only: write to every object, so that a `get` routed by any `shardKey` finds it. */
  everyShard?: boolean;
}

/**
 * Keys with an expiry, shared as far as the store reaches: {@link createMemoryStore} (one
 * isolate) or {@link createDurableStore} (every isolate and location). Keys are strings of at
 * most 1024 characters; times are seconds since the epoch; an expired entry is absent.
 */
export interface Store extends ReplayStore {
  /**
   * Records `key` with `value` until `expiresAt`. An entry that is already there keeps the
   * larger value and the later expiry.
   */
  put(key: string, value: number, expiresAt: number, options?: StoreRouting): Promise<void>;
  /** The values of `keys` (`undefined` for absent or expired ones), in their order. */
  get(keys: string[], options?: Pick<StoreRouting, "shardKey">): Promise<(number | undefined)[]>;
}

/**
 * A store for one isolate, at most `max` entries (default 10,000): replay markers (`seen`) make
 * room for new ones, the oldest first; entries of `put` are never dropped before they expire
 * (a full store refuses the `put`). `now` (milliseconds) is for tests.
 *
 * @example
 * const revocations = createStoreRevocations(createMemoryStore({ max: 100_000 }), { maxTokenLifetime: 3600 });
 */
export function createMemoryStore(options?: { max?: number; now?: () => number }): Store & { readonly size: number };

/**
 * A store in Durable Objects of `namespace`, bound to {@link StoreObject} (export it from your
 * worker): keys spread over `shards` objects (default 16) named `name/0`, `name/1`, … (default
 * name `tollgate-store`). Each call is one subrequest, but `put` with `everyShard` (one per object).
 *
 * @example
 * export { StoreObject } from "tollgate";
 * const store = createDurableStore(env.REVOCATIONS, { shards: 16 });
 */
export function createDurableStore(namespace: DurableObjectNamespaceLike, options?: { shards?: number; name?: string }): Store;

/**
 * The Durable Object class behind {@link createDurableStore} (the same class as
 * {@link ReplayGuardObject}): every read-and-write is atomic, expired entries are swept.
 *
 * @example
 * export { StoreObject } from "tollgate";
 */
export class StoreObject {
  constructor(state: { storage: any }, env?: unknown);
  fetch(request: Request): Promise<Response>;
}

/** Options of {@link createStoreRevocations}. */
export interface StoreRevocationsOptions {
  /**
   * Seconds: the longest lifetime of a token the guard accepts. A subject's revocation lasts
   * this long past its time, and a `jti` revoked without `exp` this long from now. Required.
   */
  maxTokenLifetime: number;
  /** Seconds an entry outlives its tokens' `exp`, for clocks that disagree. Default 60. */
  clockTolerance?: number;
  /** Milliseconds a lookup may take; a slower store refuses the request (503). Default 1000. */
  timeout?: number;
  /** The clock, in milliseconds (tests). Default `Date.now`. */
  now?: () => number;
}

/**
 * Revocations kept in a {@link Store}, with the semantics of {@link RevocationList}: a token by
 * its `jti`; every token of a `sub` issued at or before a time (and the subject's tokens
 * without `iat`). Entries expire with the tokens they revoke. Keys are `jti`s and `sub`s
 * (long ones by their SHA-256), never tokens.
 */
export class StoreRevocations {
  private constructor();
  /**
   * Revokes the token with `claims.jti` (required: a TypeError without one) until `claims.exp`
   * (without one, `maxTokenLifetime` from now). Verified claims work as they are.
   */
  revoke(claims: JWTClaims): Promise<void>;
  /** Revokes every token of `sub` issued at or before `before` (default: now). */
  revokeSubject(sub: string, before?: Date | number): Promise<void>;
  /**
   * Why the token with these claims (or this verified result) is revoked, or `null`. Rejects
   * with `ERR_REVOCATION_STORE_FAILED` when the store fails or takes longer than `timeout`.
   */
  revokedBy(claims: JWTClaims | { claims: JWTClaims }): Promise<"token" | "subject" | null>;
  /** Whether the token with these claims is revoked (see {@link StoreRevocations.revokedBy}). */
  isRevoked(claims: JWTClaims | { claims: JWTClaims }): Promise<boolean>;
}

/**
 * Revocations every isolate sees, for {@link createGuard}'s `revocations`: revoking a token in
 * one isolate refuses it in all. The guard asks after the core has allowed the request (one
 * subrequest to a {@link createDurableStore} store).
 *
 * @example
 * export { StoreObject } from "tollgate";
 * const revocations = createStoreRevocations(createDurableStore(env.REVOCATIONS), { maxTokenLifetime: 3600 });
 * const guard = createGuard({ keys, issuer, audience, revocations });
 * // in an admin route: await revocations.revoke(result.claims); await revocations.revokeSubject("user-42");
 */
export function createStoreRevocations(store: Pick<Store, "get" | "put">, options: StoreRevocationsOptions): StoreRevocations;


/** What the guard needs of a policy (a `Policy` from `tollgate/policy`). */
export interface PolicyLike {
  evaluate(subject: unknown, request: { method: string; path: string; ip?: string; environment?: string; now?: number }): PolicyDecisionLike;
  describe(): { rules: { public: boolean }[] };
}

/** A policy decision as the guard returns it (see `Decision` in `tollgate/policy`). */
export interface PolicyDecisionLike {
  allow: boolean;
  status: 200 | 400 | 401 | 403;
  code: string | null;
  reason: string;
  wwwAuthenticate: string | null;
  missingScopes: string[];
  missingRoles: string[];
  constraint: string | null;
  unverified: boolean;
  scopes: string[];
  roles: string[];
}

/** A request as the guard reads it: a Fetch `Request`, or a plain object (e.g. from Node's `http`). */
export interface RequestLike {
  /** Default `GET`. */
  method?: string;
  /** Absolute, or a path (only its query is read). */
  url?: string | URL;
  /** Headers, a plain object (any case; arrays for repeated headers) or `[name, value]` pairs. */
  headers?: Headers | Record<string, string | string[] | undefined> | Iterable<[string, string]>;
  /** Read only for `allowTokenInBody` checks: form text, URLSearchParams or an already parsed form. */
  body?: string | URLSearchParams | Record<string, unknown> | null;
}

/** A request that passed: the verified token. */
export interface AuthorizeSuccess<C extends JWTClaims = JWTClaims> {
  ok: true;
  /** `claims.sub`, when a string. */
  subject: string | undefined;
  /** With DPoP nonces: a fresh nonce to send as `DPoP-Nonce` (the proof's is about to expire). */
  dpopNonce?: string;
  /** The claims; for an opaque token, the introspection answer; for an API key or Basic
   * credentials, claims made from the catalog's entry (`sub`, `scope`, `roles`, …). */
  claims: C;
  /** The JWS header; `{}` for an opaque token, an API key or Basic credentials. */
  header: JWSHeader;
  /** How the token was verified. */
  credential: Credential;
  /** The granted scopes. */
  scopes: string[];
  /** The roles the token lists. */
  roles: string[];
  /** The bearer token that was verified; `undefined` for an API key or Basic credentials (never echoed). */
  token: string | undefined;
  /** With a policy: the decision that allowed the request. */
  decision?: PolicyDecisionLike;
  public?: undefined;
}

/** A request a public policy rule allowed without credentials. */
export interface AuthorizePublic {
  ok: true;
  public: true;
  decision: PolicyDecisionLike;
  claims?: undefined;
}

/** Why a request was refused as malformed (400 invalid_request). */
export type InvalidRequestReason =
  | "malformed_authorization"
  | "token_in_query"
  | "token_in_body"
  | "multiple_methods"
  | "multiple_tokens"
  | "malformed_token"
  /** With a policy: the path has dot segments or an encoded `/` or `\\` (see `decision`). */
  | "invalid_path";

interface FailureBase {
  ok: false;
  /** Human-readable; also the body's `error_description`. Never contains the token. */
  description: string;
  /** The answer to send: status, `WWW-Authenticate` / `Retry-After`, JSON body. */
  response: Response;
}

/** A refused request, with a ready `response`. */
export type AuthorizeFailure =
  | (FailureBase & {
      /** No bearer credentials (RFC 6750 §3.1): bare challenge, no body. */
      status: 401;
      code: "ERR_NO_CREDENTIALS";
      error: undefined;
    })
  | (FailureBase & {
      /** Malformed request (RFC 6750 §3.1 invalid_request). */
      status: 400;
      code: "ERR_INVALID_REQUEST";
      error: "invalid_request";
      reason: InvalidRequestReason;
      decision?: PolicyDecisionLike;
    })
  | (FailureBase & {
      /** The token was refused: 401 invalid_token or 403 insufficient_scope. */
      status: 401 | 403;
      code: TokenErrorCode;
      error: "invalid_token" | "insufficient_scope";
      /** The error, with `claim`, `reason`, `missing`… */
      cause: TollgateError;
    })
  | (FailureBase & {
      /** The policy refused the request (or the token was revoked): see `decision`. */
      status: 401 | 403;
      code: TokenErrorCode | DecisionCode;
      error: "invalid_token" | "insufficient_scope";
      decision: PolicyDecisionLike;
    })
  | (FailureBase & {
      /** The keys, the introspection endpoint or a store are unavailable: 503 with `Retry-After`, no token error. */
      status: 503;
      code: EdgeErrorCode;
      error: "temporarily_unavailable";
      /** Seconds, as sent in `Retry-After`. */
      retryAfter: number;
      cause: RemoteKeySetError | IntrospectionError;
    })
  | (FailureBase & {
      /** The DPoP proof was refused (RFC 9449): 401 invalid_dpop_proof or use_dpop_nonce. */
      status: 401;
      code: TokenErrorCode | DecisionCode;
      error: "invalid_dpop_proof" | "use_dpop_nonce";
      cause?: TollgateError;
    });

/** What {@link Guard.authorize} resolves to. */
export type AuthorizeResult<C extends JWTClaims = JWTClaims> = AuthorizeSuccess<C> | AuthorizeFailure;

/** What a guard with a policy resolves to: also public answers (no token). */
export type PolicyAuthorizeResult<C extends JWTClaims = JWTClaims> = AuthorizeSuccess<C> | AuthorizePublic | AuthorizeFailure;

/** A request guard: see {@link createGuard}. */
export class Guard {
  private constructor();
  /**
   * Finds the bearer token (RFC 6750 §2), verifies it and resolves to the result; rejects
   * only on caller mistakes (`TypeError`, `ERR_INVALID_ARG`). Per call: `requiredScopes`,
   * `scopeMode`, `now`, `currentDate`.
   * @example
   * ```ts
   * const auth = await guard.authorize(request, { requiredScopes: ["write:messages"] });
   * if (!auth.ok) return auth.response;
   * ```
   */
  authorize<C extends JWTClaims = JWTClaims>(request: Request | RequestLike, options?: VerifyCallOptions): Promise<AuthorizeResult<C>>;
}

/**
 * A guard over a KeySet (verification stays synchronous), a RemoteKeySet (an unknown
 * `kid` triggers one cooldown-bounded refresh and one retry) or keys per issuer.
 * Options are checked here: a misspelled one throws now, not per request.
 * @example
 * ```ts
 * const guard = createGuard({
 *   keys: createRemoteKeySet("https://idp.example/.well-known/jwks.json"),
 *   issuer: "https://idp.example/",
 *   audience: "https://api.example",
 *   realm: "api",
 * });
 * export default {
 *   async fetch(request: Request) {
 *     const auth = await guard.authorize(request, { requiredScopes: ["read:messages"] });
 *     if (!auth.ok) return auth.response;
 *     return Response.json({ hello: auth.claims.sub });
 *   },
 * };
 * ```
 */
export function createGuard(options: GuardOptions & { policy: PolicyLike }): PolicyGuard;
export function createGuard(options: GuardOptions): Guard;

/** A guard with a policy: see {@link createGuard}. */
export class PolicyGuard {
  private constructor();
  /**
   * Like {@link Guard.authorize}, then the policy decides: a public rule answers
   * `{ ok: true, public: true }` without a token.
   */
  authorize<C extends JWTClaims = JWTClaims>(request: Request | RequestLike, options?: VerifyCallOptions): Promise<PolicyAuthorizeResult<C>>;
}
