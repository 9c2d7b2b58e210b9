/**
 * tollgate — verify JWT access tokens and decide 401/403 locally, in
 * WebAssembly: Node, browsers and Cloudflare Workers (workerd).
 *
 * Everything is synchronous once the module is imported.
 * @packageDocumentation
 */

// Algorithm names and codes are generated from the core's tables (facts.d.ts).
import type { Algorithm, DecisionCode, EdgeErrorCode, ErrorCode } from "./facts.js";
import type { RemoteKeySetError } from "./edge.js";
export type { Algorithm, DecisionCode, ErrorCode } from "./facts.js";
export { ERROR_CODES, DECISION_CODES } from "./facts.js";

/** The codes of the core's errors thrown as {@link TollgateError} (all but `ERR_INVALID_ARG`). */
export type TokenErrorCode = Exclude<ErrorCode, "ERR_INVALID_ARG">;

/** Every code a {@link TollgateError} carries: the core's and the edge layer's (key sets over HTTP). */
export type TollgateErrorCode = TokenErrorCode | EdgeErrorCode;

// The edge layer: remote key sets, discovery, keys per issuer, the request guard.
export * from "./edge.js";


/** A key that a key set skipped at import. */
export interface SkippedKey {
  /** Position in the JWKS `keys` array. */
  index: number;
  /** The key's `kid`, if it had one. */
  kid?: string;
  /** Why it cannot verify signatures. */
  reason: string;
}

/**
 * A rejected token (with `status` 401 or 403 and a ready `wwwAuthenticate`
 * header value), or a key that cannot be imported (`ERR_JWK_INVALID`, no status).
 *
 * @example
 * ```ts
 * try {
 *   verifier.verify(token);
 * } catch (e) {
 *   if (isTollgateError(e) && e.status) {
 *     return new Response(null, { status: e.status, headers: { "WWW-Authenticate": e.wwwAuthenticate! } });
 *   }
 *   throw e;
 * }
 * ```
 */
export class TollgateError extends Error {
  readonly name: "TollgateError";
  /** The stable code. */
  readonly code: TollgateErrorCode;
  /** 401 (identity not proven) or 403 (insufficient scope or role); absent for key and policy-load errors. */
  readonly status?: 401 | 403;
  /** RFC 6750 §3 `WWW-Authenticate` value; absent for key errors. */
  readonly wwwAuthenticate?: string;
  /** The claim at fault (`exp`, `iss`, `aud`, `nbf`, `iat`, `sub`, `typ`, a required claim, a scope claim). */
  readonly claim?: string;
  /** Why the claim failed, as jose reports it. */
  readonly reason?: "missing" | "invalid" | "check_failed";
  /** For `ERR_JWT_INSUFFICIENT_SCOPE` / `_ROLE`: the required scopes or roles the token lacks. */
  readonly missing?: string[];
  /** For `ERR_POLICY_INVALID`: the JSON path of the problem, e.g. `$.roles.admin.inherits[0]`. */
  readonly path?: string;
  /** For `ERR_JWK_INVALID` on a key set: each key and why it was skipped. */
  readonly skipped?: SkippedKey[];
  /**
   * For `ERR_JWT_SENDER_CONSTRAINED`: what the token's `cnf` binds it to — a DPoP key
   * (`cnf.jkt`), a TLS client certificate (`cnf.x5t#S256`) or another method.
   */
  readonly binding?: "dpop" | "mtls" | "other";
}

/** A caller mistake (bad or misspelled option, non-string token): never a 401. */
export interface InvalidArgumentError extends TypeError {
  readonly code: "ERR_INVALID_ARG";
  readonly status?: undefined;
  readonly wwwAuthenticate?: undefined;
}

/** A rejected token: a {@link TollgateError} with the HTTP answer to send (401 or 403). */
export type AnsweredError = TollgateError & { readonly status: 401 | 403; readonly wwwAuthenticate: string };

/** A {@link TollgateError} without an HTTP answer: a key or a policy that cannot be loaded. */
export type UnansweredError = TollgateError & { readonly status?: undefined; readonly wwwAuthenticate?: undefined };

/**
 * Whether `error` came from tollgate (a {@link TollgateError}, a key set's
 * {@link RemoteKeySetError}, or a `TypeError` with code `ERR_INVALID_ARG`), optionally with
 * the given code. A truthy `status` narrows it to an {@link AnsweredError}.
 *
 * @example
 * ```ts
 * if (isTollgateError(e, "ERR_JWT_EXPIRED")) refreshToken();
 * if (isTollgateError(e) && e.status) return new Response(null, { status: e.status, headers: { "WWW-Authenticate": e.wwwAuthenticate } });
 * ```
 */
export function isTollgateError(error: unknown): error is AnsweredError | UnansweredError | RemoteKeySetError | InvalidArgumentError;
export function isTollgateError<C extends EdgeErrorCode>(error: unknown, code: C): error is RemoteKeySetError & { code: C };
export function isTollgateError<C extends TokenErrorCode>(error: unknown, code: C): error is TollgateError & { code: C };
export function isTollgateError(error: unknown, code: "ERR_INVALID_ARG"): error is InvalidArgumentError;

/** A JSON Web Key (RFC 7517), as published in a JWKS. */
export interface JWK {
  kty: string;
  kid?: string;
  alg?: string;
  use?: string;
  key_ops?: string[];
  [member: string]: unknown;
}

/** A JSON Web Key Set. */
export interface JWKS {
  keys: JWK[];
}

/**
 * Verification keys, each parsed, validated and bound to exactly one
 * algorithm at import. Build once, reuse for every token.
 *
 * @example
 * ```ts
 * const keys = KeySet.fromJwks(await (await fetch(jwksUri)).json());
 * const keys2 = KeySet.fromPem(pem, { alg: "RS256", kid: "2024-01" });
 * const keys3 = KeySet.fromSecret(env.JWT_SECRET, { alg: "HS256" });
 * ```
 */
export class KeySet {
  private constructor();
  /**
   * Imports a JWKS. Keys tollgate cannot use (encryption keys, unsupported
   * curves, weak keys) are skipped and listed in {@link KeySet.skipped}; a set
   * with no usable key throws `ERR_JWK_INVALID`.
   * @param options.algorithms binds JWKs that have no `alg`: such a key is
   *   used only when exactly one listed algorithm fits its type.
   */
  static fromJwks(jwks: JWKS | string, options?: { algorithms?: Algorithm[] }): KeySet;
  /**
   * Imports one JWK. `alg` is required when the JWK has none, and must agree when it has one.
   */
  static fromJwk(jwk: JWK | string, options?: { alg?: Algorithm }): KeySet;
  /** Imports a PEM public key: SPKI `PUBLIC KEY` (RSA, EC P-256/P-384, Ed25519) or PKCS#1 `RSA PUBLIC KEY`. */
  static fromPem(pem: string, options: { alg: Algorithm; kid?: string }): KeySet;
  /**
   * Imports an HMAC secret (a string is taken as UTF-8). It must be at least
   * as long as the hash: 32, 48 or 64 bytes (RFC 7518 §3.2).
   */
  static fromSecret(secret: string | Uint8Array | ArrayBuffer, options: { alg: Extract<Algorithm, `HS${string}`>; kid?: string }): KeySet;
  /** Number of usable keys. */
  readonly size: number;
  /** The usable keys. */
  readonly keys: { kid?: string; alg: Algorithm; kty: "RSA" | "EC" | "OKP" | "oct" }[];
  /** Keys skipped at import, and why. */
  readonly skipped: SkippedKey[];
  /**
   * Frees the wasm memory now. Optional: a FinalizationRegistry frees it when
   * the object is collected. Verifiers built from this set keep working.
   */
  free(): void;
}

/** A duration: seconds, or a string such as `"30s"`, `"5m"`, `"2h"`, `"1d"`. */
export type Duration = number | string;

/** Options of {@link verify} and {@link createVerifier}. */
export interface VerifyOptions {
  /** The keys to verify with. */
  keys: KeySet;
  /** Accepted `iss` values (exact match). Required unless `dangerouslySkipIssuerCheck`. */
  issuer?: string | string[];
  /** Accepted audiences; the token's `aud` (string or array) must contain one. Required unless `dangerouslySkipAudienceCheck`. */
  audience?: string | string[];
  /** Allowed algorithms. Default: the algorithms the keys are bound to. */
  algorithms?: Algorithm[];
  /** Clock skew tolerated on `exp`, `nbf` and `iat`. Default 0. */
  clockTolerance?: Duration;
  /** Maximum age since `iat` (which becomes required). */
  maxTokenAge?: Duration;
  /** Required `sub`. */
  subject?: string;
  /** Required header `typ`, compared case-insensitively with or without `application/` (e.g. `"at+jwt"`, RFC 9068). */
  typ?: string;
  /** Claims that must be present. */
  requiredClaims?: string[];
  /** Scopes the token must grant (exact, case-sensitive). A failure is a 403. */
  requiredScopes?: string[];
  /** `"all"` (default) or `"any"` of `requiredScopes`. */
  scopeMode?: "all" | "any";
  /** Read scopes only from this claim. Default: `scope`, `scp` and `permissions` together. */
  scopeClaim?: string;
  /** Roles the user must hold (403 `ERR_JWT_INSUFFICIENT_ROLE` otherwise). */
  requiredRoles?: string[];
  /** `"all"` (default) or `"any"` of `requiredRoles`. */
  roleMode?: "all" | "any";
  /**
   * Read roles only from this claim path: `"realm_access.roles"` (Keycloak), an array of
   * member names for names with dots (`["resource_access", "my.client", "roles"]`), or a
   * namespaced claim (`"https://example.com/roles"`, one member). Default: `roles`, `role`,
   * `groups` and `realm_access.roles` together.
   */
  roleClaim?: string | string[];
  /** Refuse revoked tokens (401 `ERR_JWT_REVOKED`); shared, so later revocations apply at once. */
  revocations?: RevocationList;
  /** Longest token accepted, in bytes. Default 16384. */
  maxTokenLength?: number;
  /** `realm` put first in `wwwAuthenticate`. */
  realm?: string;
  /** The current time in seconds since the epoch. Default: the clock. */
  now?: number;
  /** The current time as a Date (jose's name). Default: the clock. */
  currentDate?: Date;
  /** RISK: accept tokens without `exp` — tokens that never expire. */
  dangerouslyAllowMissingExp?: boolean;
  /** RISK: accept tokens from any issuer. */
  dangerouslySkipIssuerCheck?: boolean;
  /** RISK: accept tokens meant for any audience (a token for another API works here). */
  dangerouslySkipAudienceCheck?: boolean;
  /**
   * RISK: accept sender-constrained tokens (a `cnf` claim: DPoP `jkt`, mTLS `x5t#S256`)
   * without their proof, as bearer tokens — a stolen copy then works. Only for a server
   * that checks the binding itself. By default such a token is 401 `ERR_JWT_SENDER_CONSTRAINED`.
   */
  dangerouslyIgnoreTokenBinding?: boolean;
}

/** Per-call options of {@link Verifier.verify}. */
export interface VerifyCallOptions {
  requiredScopes?: string[];
  scopeMode?: "all" | "any";
  requiredRoles?: string[];
  roleMode?: "all" | "any";
  now?: number;
  currentDate?: Date;
}

/** Standard and custom JWT claims. */
export interface JWTClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  jti?: string;
  scope?: string;
  scp?: string | string[];
  permissions?: string[];
  [claim: string]: unknown;
}

/** The JWS protected header. */
export interface JWSHeader {
  alg: string;
  kid?: string;
  typ?: string;
  [member: string]: unknown;
}

/** A verified token. */
export interface VerifyResult<C extends JWTClaims = JWTClaims> {
  header: JWSHeader;
  claims: C;
  /** The granted scopes (deduplicated, in order). */
  scopes: string[];
  /** The roles the token lists (from `roleClaim`, or the default claims). */
  roles: string[];
}

/** A verifier with its options compiled once: the hot path. */
export interface Verifier {
  /**
   * Verifies a token.
   * @example
   * ```ts
   * const { claims, scopes } = verifier.verify(token, { requiredScopes: ["write:messages"] });
   * ```
   */
  verify<C extends JWTClaims = JWTClaims>(token: string, options?: VerifyCallOptions): VerifyResult<C>;
  /**
   * The same checks, in the same order, with the signature of an RSA, ECDSA or EdDSA
   * token checked by the runtime's native crypto — WebCrypto (workerd, browsers), node:crypto
   * in Node — with keys imported once; HMAC and every other check stay in the wasm core.
   * Falls back to the core where that crypto cannot.
   * @example
   * ```ts
   * const { claims } = await verifier.verifyAsync(token);
   * ```
   */
  verifyAsync<C extends JWTClaims = JWTClaims>(token: string, options?: VerifyCallOptions): Promise<VerifyResult<C>>;
  /** Entries in the verified-token cache (0 without `cache`). */
  readonly cacheSize: number;
  /** Empties the verified-token cache. */
  clearCache(): void;
  /** Frees the wasm memory now (optional). */
  free(): void;
}

/** Options of {@link createVerifier}: {@link VerifyOptions} and the cache. */
export interface VerifierOptions extends VerifyOptions {
  /**
   * Remember verified tokens (by the whole token text) so that a repeat skips parsing
   * and the signature; time (exp, nbf, iat, maxTokenAge), revocation, scopes and roles
   * are checked on every hit. `true` = 1,000 entries, least recently used first out.
   * With a cache, results are deeply frozen and shared by every hit.
   */
  cache?: boolean | { max?: number };
}

/**
 * Compiles options once; reuse the verifier for every request.
 * @example
 * ```ts
 * const verifier = createVerifier({ keys, issuer: "https://idp.example/", audience: "api://messages", clockTolerance: 30 });
 * ```
 */
export function createVerifier(options: VerifierOptions): Verifier;

/**
 * {@link verify} with the signature of RSA, ECDSA and EdDSA tokens checked by the runtime's
 * native crypto (WebCrypto; node:crypto in Node).
 * @example
 * ```ts
 * const { claims } = await verifyAsync(token, { keys, issuer, audience });
 * ```
 */
export function verifyAsync<C extends JWTClaims = JWTClaims>(token: string, options: VerifyOptions): Promise<VerifyResult<C>>;

/**
 * Verifies a token: signature, algorithm, `exp`/`nbf`/`iat`, `iss`, `aud` and scopes.
 * Throws {@link TollgateError} on rejection, `TypeError` on misuse.
 * @example
 * ```ts
 * const { claims, scopes } = verify(token, { keys, issuer, audience, requiredScopes: ["read:messages"] });
 * ```
 */
export function verify<C extends JWTClaims = JWTClaims>(token: string, options: VerifyOptions): VerifyResult<C>;

/**
 * Decodes a token WITHOUT verifying it — for UI that shows claims or hides
 * buttons. Never a security decision: the server must verify.
 * @example
 * ```ts
 * const { claims, scopes } = decode(accessToken);
 * showAdminMenu = scopes.includes("admin:messages");
 * ```
 */
export function decode<C extends JWTClaims = JWTClaims>(token: string, options?: { scopeClaim?: string; maxTokenLength?: number }): VerifyResult<C>;

/**
 * Checks granted scopes (from claims, a space-delimited string or an array) against required ones.
 * @example
 * ```ts
 * checkScopes("read:messages write:messages", ["admin:messages"]); // { ok: false, missing: ["admin:messages"], granted: [...] }
 * ```
 */
export function checkScopes(
  input: JWTClaims | string | string[],
  required: string[],
  options?: { mode?: "all" | "any"; scopeClaim?: string },
): { ok: boolean; missing: string[]; granted: string[] };
/**
 * Whether `result` is an object returned by tollgate's own verification (`verify`, a
 * verifier, a guard): a policy decision on anything else is flagged `unverified`.
 */
export function isVerified(result: unknown): boolean;

/** A revocation list document. */
export interface RevocationListDocument {
  version: 1;
  /** Revoked `jti` values. */
  tokens?: string[];
  /** Subject → time (seconds or Date): its tokens issued at or before then are revoked. */
  subjects?: Record<string, number | Date>;
}

/**
 * Revoked tokens (by `jti`) and subjects (every token of a `sub` issued at or before a
 * time, e.g. after a password change). Constant-time lookups whatever its size.
 * @example
 * ```ts
 * const revocations = RevocationList.fromJson(await env.KV.get("revocations", "json"));
 * const verifier = createVerifier({ keys, issuer, audience, revocations });
 * revocations.revokeSubject("user-42"); // applies to the verifier at once
 * ```
 */
export class RevocationList {
  /** An empty list. */
  constructor();
  /** Loads a list (an object or its JSON text). */
  static fromJson(doc: RevocationListDocument | string): RevocationList;
  /** Revokes the token with this `jti`. */
  revokeToken(jti: string): this;
  /** Revokes every token of `sub` issued at or before `before` (default: now). */
  revokeSubject(sub: string, before?: Date | number): this;
  /** Whether the token with these claims (or this verify result) is revoked. */
  isRevoked(claims: JWTClaims | { claims: JWTClaims }): boolean;
  /** Why: `"token"` (its jti), `"subject"` (its subject), or null. */
  revokedBy(claims: JWTClaims | { claims: JWTClaims }): "token" | "subject" | null;
  /** Revoked token ids plus revoked subjects. */
  readonly size: number;
  readonly tokenCount: number;
  readonly subjectCount: number;
  /** Releases this handle's wasm memory (verifiers and policies keep theirs). */
  free(): void;
}

export * from "./spa.js";
// API keys and Basic credentials (the full module: import "tollgate/policy" first).
export * from "./credentials.js";

// ───────────────────────────────────────────── signing (the full module)

/** The algorithms tollgate signs with (ES512 and ES256K verify only). */
export type SigningAlgorithm = Exclude<Algorithm, "ES512" | "ES256K">;

/**
 * A private key, parsed and checked once (a private JWK's public part must match its
 * private part; the public half obeys the same rules as a verification key), bound to
 * one algorithm. Signing is in tollgate's full module: `import "tollgate/policy"` once,
 * anywhere, first; without it these throw `ERR_JOSE_NOT_SUPPORTED`. Errors never
 * contain key material.
 *
 * @example
 * ```ts
 * import "tollgate/policy";
 * import { SigningKey, sign } from "tollgate";
 * const key = SigningKey.fromPem(env.EDGE_PRIVATE_KEY, { alg: "ES256", kid: "edge-1" });
 * const jwks = { keys: [key.toPublicJwk()] }; // publish for the backends
 * const token = sign({ iss: "https://edge.example", sub: "user-1", aud: "billing" }, { key, ttl: "5m" });
 * ```
 */
export class SigningKey {
  private constructor();
  /** A private JWK (object or JSON text): `alg` binds one without its own; `kid` overrides the JWK's. */
  static fromJwk(jwk: JWK | string, options?: { alg?: SigningAlgorithm; kid?: string }): SigningKey;
  /** A PKCS #8 PEM private key (`-----BEGIN PRIVATE KEY-----`): RSA 2048–4096 bits, EC P-256/P-384, Ed25519. */
  static fromPem(pem: string, options: { alg: SigningAlgorithm; kid?: string }): SigningKey;
  /** An HMAC secret (a string as UTF-8, or bytes), at least as long as the hash. */
  static fromSecret(secret: string | Uint8Array | ArrayBuffer, options: { alg: Extract<Algorithm, `HS${string}`>; kid?: string }): SigningKey;
  /** The algorithm the key signs with. */
  readonly alg: SigningAlgorithm;
  /** The `kid` written into each token's header. */
  readonly kid: string | undefined;
  /** The public key as a JWK with `alg`, `use: "sig"` and `kid`; `null` for an HMAC secret. */
  toPublicJwk(): JWK | null;
  /** Releases the wasm memory now (optional). */
  free(): void;
}

/** Options of {@link sign}. */
export interface SignOptions {
  /** The key (required). */
  key: SigningKey;
  /** Seconds or a duration (`"5m"`) from now to `exp`, when the claims have no `exp` (one of the two is required). */
  ttl?: Duration;
  /** The header `typ`: `"JWT"` (default) or `"at+jwt"` (RFC 9068). */
  typ?: "JWT" | "at+jwt";
  /** The clock in seconds (default: the system clock). */
  now?: number;
  /** The clock as a Date. */
  currentDate?: Date;
}

/**
 * Signs `claims`: a compact JWS with header `{ alg, typ, kid }`. `iat` is added when
 * absent; `exp` comes from the claims or from `ttl`. Claims that tollgate's verifier
 * would refuse (a string `exp`, an `exp` already past, an `iat` in the future) are a
 * `TypeError` (`ERR_INVALID_ARG`). Needs the full module (`import "tollgate/policy"`).
 *
 * @example
 * ```ts
 * const token = sign({ iss: "https://edge.example", sub, aud: "api", scope: "read" }, { key, ttl: 300, typ: "at+jwt" });
 * ```
 */
export function sign(claims: Record<string, unknown>, options: SignOptions): string;

/** Options of {@link downscope}. */
export interface DownscopeOptions {
  /** The key (required). */
  key: SigningKey;
  /** The new token's `iss`: the edge's own issuer (required). */
  issuer: string;
  /** The new token's `aud`: the backend (required). */
  audience: string | string[];
  /** The scopes to keep: each must be granted by the verified token (required; may be empty). */
  scopes: string[];
  /** Seconds or a duration to `exp`, never past the verified token's `exp`; default 60. */
  ttl?: Duration;
  /** The header `typ`: `"JWT"` (default) or `"at+jwt"`. */
  typ?: "JWT" | "at+jwt";
  /** The clock in seconds (default: the system clock). */
  now?: number;
  /** The clock as a Date. */
  currentDate?: Date;
}

/**
 * A short-lived token for a backend behind the edge, from a result of tollgate's own
 * verification: `sub` kept, `scope` = `scopes` (a scope the verified token does not
 * grant is `ERR_DOWNSCOPE_SUPERSET`, with `missing`), `act` = `{ sub: <client_id or
 * azp> }` nesting the verified token's own `act` (RFC 8693 §4.1), `iat`, a random `jti`.
 * Needs the full module (`import "tollgate/policy"`).
 *
 * @example
 * ```ts
 * const result = verifier.verify(token, { requiredScopes: ["billing:read"] });
 * const inner = downscope(result, { key, issuer: "https://edge.example", audience: "billing", scopes: ["billing:read"], ttl: 30 });
 * await fetch("http://billing.internal/", { headers: { authorization: `Bearer ${inner}` } });
 * ```
 */
export function downscope(verified: VerifyResult, options: DownscopeOptions): string;

