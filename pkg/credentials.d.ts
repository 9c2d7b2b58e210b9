/**
 * tollgate credentials: API keys and HTTP Basic (the weaker option), each ending in the
 * shape of a verified token so that scope checks and a policy apply to them unchanged.
 *
 * **Needs the full module:** `import "tollgate/policy"` once, anywhere, before loading a
 * catalog or credential list (the verifier's module has no room for them; otherwise the
 * constructors throw a `TypeError` with code `ERR_INVALID_ARG` saying so).
 *
 * Re-exported by the package's main entry (`export * from "./credentials.js"` in index.js;
 * for the types, in tollgate.d.ts). Formats and advice: docs/credentials.md.
 * @packageDocumentation
 */

/** The synthesized claims of a verified credential (read by scope checks and policies). */
export interface CredentialClaims {
  /** The key's id, or the Basic username. */
  sub: string;
  /** The granted scopes, space-delimited. */
  scope: string;
  /** The roles held. */
  roles: string[];
  /** API keys: the key's expiry (seconds since 1970), absent when it never expires. */
  exp?: number;
  /** API keys: when the key was created, if the catalog says. */
  iat?: number;
  /** The owner (a team, a person), if the catalog says. */
  owner?: string;
  /** API keys: the environment (`production`, …), if the catalog says. */
  environment?: string;
}

/** What the credential was: an API key or a Basic username. */
export type KeyCredential =
  | { kind: "apikey"; id: string; owner?: string; environment?: string }
  | { kind: "basic"; username: string };

/** A verified credential: the shape of a verified token's result, with `subject` and `credential`. */
export interface CredentialResult {
  /** The key's id, or the Basic username. */
  subject: string;
  claims: CredentialClaims;
  /** The granted scopes, in catalog order. */
  scopes: string[];
  /** The roles held, in catalog order. */
  roles: string[];
  credential: KeyCredential;
}

/** Per-check requirements and clock. */
export interface CredentialCheckOptions {
  /** Every one must be granted, else 403 `ERR_JWT_INSUFFICIENT_SCOPE`. */
  requiredScopes?: string[];
  /** Every one must be held, else 403 `ERR_JWT_INSUFFICIENT_ROLE`. */
  requiredRoles?: string[];
}

/** Options of {@link ApiKeyCatalog.verify}. */
export interface ApiKeyVerifyOptions extends CredentialCheckOptions {
  /** The clock, in whole seconds since 1970 (default: now). */
  now?: number;
  /** The clock as a Date (jose's name); give `now` or this. */
  currentDate?: Date;
}

/** Options of {@link ApiKeyCatalog.fromJson}. */
export interface ApiKeyCatalogOptions {
  /** The realm of the `ApiKey` challenges. */
  realm?: string;
  /** The header `verifyRequest` reads besides `Authorization: ApiKey …`. Default `X-API-Key`. */
  header?: string;
}

/** An API key catalog document (`tollgate apikey new` prints its entries). */
export interface ApiKeyCatalogDocument {
  version: 1;
  description?: string;
  keys: Array<{
    /** The public id, the part of the key between the first two underscores. */
    id: string;
    /** SHA-256 of the whole key, 64 lowercase hex digits. Never the key. */
    sha256: string;
    scopes: string[];
    roles?: string[];
    owner?: string;
    environment?: string;
    /** Seconds since 1970, or `null` for a key that never expires (lint warns). */
    expires: number | null;
    created?: number;
    description?: string;
  }>;
}

/**
 * A loaded API key catalog: keys `<prefix>_<id>_<secret><checksum>`, stored as their
 * SHA-256. Load once, verify per request.
 *
 * @example
 * ```ts
 * import "tollgate/policy";
 * import { ApiKeyCatalog, isTollgateError } from "tollgate";
 * const keys = ApiKeyCatalog.fromJson(catalogDocument, { realm: "api" });
 * try {
 *   const { subject, scopes, credential } = keys.verifyRequest(request, { requiredScopes: ["read:messages"] });
 * } catch (e) {
 *   if (isTollgateError(e) && e.status) {
 *     // new Response(null, { status: e.status, headers: { "WWW-Authenticate": e.wwwAuthenticate ?? "" } })
 *   }
 * }
 * ```
 */
export class ApiKeyCatalog {
  private constructor();
  /** Loads a catalog; throws `ERR_CREDENTIALS_INVALID` with the JSON `path` of the problem. */
  static fromJson(doc: ApiKeyCatalogDocument | string, options?: ApiKeyCatalogOptions): ApiKeyCatalog;
  /** Number of keys. */
  readonly size: number;
  /**
   * Checks a presented key: 401 `ERR_APIKEY_INVALID` (malformed, wrong checksum, unknown id
   * or wrong secret alike), 401 `ERR_APIKEY_EXPIRED`, 403 for missing scopes or roles.
   */
  verify(key: string, options?: ApiKeyVerifyOptions): CredentialResult;
  /**
   * `verify` with the key of a Fetch `Request` (the configured header, or
   * `Authorization: ApiKey <key>`): 401 `ERR_NO_CREDENTIALS` for none, 400
   * `ERR_INVALID_REQUEST` for both. One call into the wasm.
   */
  verifyRequest(request: Request, options?: ApiKeyVerifyOptions): CredentialResult;
  /** Releases the wasm memory now (optional). */
  free(): void;
}

/** Options of {@link mintApiKey}. */
export interface MintApiKeyOptions {
  /** At least 64 bytes from a CSPRNG (`crypto.getRandomValues`, `randomBytes`). */
  random: Uint8Array;
  /** 2 to 16 of `a-z0-9`, starting with a letter. Default `"tg"`. */
  prefix?: string;
  /** 1 to 64 base62 characters. Default: 12 drawn from `random`. */
  id?: string;
}

/**
 * Mints a key. Show `key` once; store only `sha256` in the catalog.
 *
 * @example
 * ```ts
 * const { key, id, sha256 } = mintApiKey({ random: crypto.getRandomValues(new Uint8Array(96)) });
 * ```
 */
export function mintApiKey(options: MintApiKeyOptions): { key: string; id: string; sha256: string };

/**
 * The catalog's `sha256` of a key, after checking its format and checksum.
 *
 * @example
 * ```ts
 * const sha256 = hashApiKey(process.env.API_KEY ?? "");
 * ```
 */
export function hashApiKey(key: string): string;

/** Options of {@link BasicCredentials.verify}. */
export interface BasicVerifyOptions extends CredentialCheckOptions {
  /** The request's URL: `https:` (or `http:` to loopback) unless `allowInsecure`. */
  url: string;
  /** Accept credentials sent over plain `http:` (behind a TLS-terminating proxy, say). Risky. */
  allowInsecure?: boolean;
}

/** Options of {@link BasicCredentials.verifyRequest}. */
export interface BasicRequestOptions extends CredentialCheckOptions {
  /** Accept credentials sent over plain `http:`. Risky. */
  allowInsecure?: boolean;
}

/** A Basic credential list document. */
export interface BasicCredentialsDocument {
  version: 1;
  description?: string;
  users: Array<{
    /** No colon, no control characters (RFC 7617). */
    username: string;
    /** At least 16 random bytes, base64url without padding. */
    salt: string;
    /** PBKDF2-HMAC-SHA256 iterations: 600 000 (OWASP 2023) to 10 000 000. */
    iterations: number;
    /** The 32-byte derived key, base64url without padding. */
    hash: string;
    scopes?: string[];
    roles?: string[];
    owner?: string;
    description?: string;
  }>;
}

/**
 * HTTP Basic credentials (RFC 7617), the weaker option: every check runs PBKDF2 with at
 * least 600 000 iterations (CPU milliseconds per request); prefer bearer tokens.
 *
 * @example
 * ```ts
 * import "tollgate/policy";
 * import { BasicCredentials } from "tollgate";
 * const users = BasicCredentials.fromJson(listDocument, { realm: "admin" });
 * const { subject } = users.verifyRequest(request); // throws 401 with `Basic realm="admin", charset="UTF-8"`
 * ```
 */
export class BasicCredentials {
  private constructor();
  /** Loads a list; throws `ERR_CREDENTIALS_INVALID` with the JSON `path` of the problem. */
  static fromJson(doc: BasicCredentialsDocument | string, options?: { realm?: string }): BasicCredentials;
  /** Number of users. */
  readonly size: number;
  /**
   * Checks an `Authorization` value: 400 `ERR_INSECURE_TRANSPORT`, 401 `ERR_BASIC_INVALID`
   * (malformed, unknown user or wrong password alike), 403 for missing scopes or roles.
   */
  verify(authorization: string, options: BasicVerifyOptions): CredentialResult;
  /** `verify` with a Fetch `Request`; no Basic credentials: 401 `ERR_NO_CREDENTIALS` with the challenge. */
  verifyRequest(request: Request, options?: BasicRequestOptions): CredentialResult;
  /** Releases the wasm memory now (optional). */
  free(): void;
}

/**
 * A Basic list entry's `{ salt, iterations, hash }` for `password` (Node CLI, provisioning).
 *
 * @example
 * ```ts
 * const entry = { username: "ci", ...hashPassword("correct horse battery staple"), scopes: ["deploy"] };
 * ```
 */
export function hashPassword(
  password: string,
  options?: { iterations?: number; salt?: Uint8Array },
): { salt: string; iterations: number; hash: string };
