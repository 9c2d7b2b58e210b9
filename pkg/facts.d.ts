// GENERATED from the Rust crate by `make facts` (src/facts.rs): do not edit.

/** Every code the core throws. */
export type ErrorCode =
  | "ERR_JWS_INVALID"
  | "ERR_JOSE_ALG_NOT_ALLOWED"
  | "ERR_JOSE_NOT_SUPPORTED"
  | "ERR_JWKS_NO_MATCHING_KEY"
  | "ERR_JWKS_MULTIPLE_MATCHING_KEYS"
  | "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
  | "ERR_JWT_INVALID"
  | "ERR_JWT_EXPIRED"
  | "ERR_JWT_CLAIM_VALIDATION_FAILED"
  | "ERR_JWT_INSUFFICIENT_SCOPE"
  | "ERR_JWT_INSUFFICIENT_ROLE"
  | "ERR_JWT_REVOKED"
  | "ERR_JWT_SENDER_CONSTRAINED"
  | "ERR_TOKEN_INACTIVE"
  | "ERR_DPOP_PROOF_INVALID"
  | "ERR_DPOP_NONCE_REQUIRED"
  | "ERR_MTLS_CERT_MISMATCH"
  | "ERR_INVALID_ARG"
  | "ERR_JWK_INVALID"
  | "ERR_POLICY_INVALID"
  | "ERR_DOWNSCOPE_SUPERSET"
  | "ERR_APIKEY_INVALID"
  | "ERR_APIKEY_EXPIRED"
  | "ERR_BASIC_INVALID"
  | "ERR_INSECURE_TRANSPORT"
  | "ERR_CREDENTIALS_INVALID";

/** Codes that only appear in decisions and guard answers (never thrown). */
export type DecisionCode =
  | "ERR_DPOP_REPLAYED"
  | "ERR_POLICY_NO_MATCHING_RULE"
  | "ERR_POLICY_CONSTRAINT_FAILED"
  | "ERR_NO_CREDENTIALS"
  | "ERR_INVALID_REQUEST";

/** Codes the edge layer (key sets and introspection over HTTP) throws; the guard answers them with 503. */
export type EdgeErrorCode =
  | "ERR_JWKS_TIMEOUT"
  | "ERR_JWKS_FETCH_FAILED"
  | "ERR_DISCOVERY_ISSUER_MISMATCH"
  | "ERR_INTROSPECTION_FAILED"
  | "ERR_REPLAY_STORE_FAILED"
  | "ERR_REVOCATION_STORE_FAILED";

/** A JWS algorithm of tollgate's table (ES512 and ES256K only in builds with their cargo features). */
export type Algorithm =
  | "HS256"
  | "HS384"
  | "HS512"
  | "RS256"
  | "RS384"
  | "RS512"
  | "PS256"
  | "PS384"
  | "PS512"
  | "ES256"
  | "ES384"
  | "ES512"
  | "ES256K"
  | "EdDSA";

/** A kind of policy constraint (a decision's `constraint`). */
export type ConstraintName =
  | "ipRanges"
  | "environments"
  | "timeWindows"
  | "maxTokenLifetime";

/** Constraints on a scope or a rule, as a policy document gives them. */
export interface PolicyConstraints {
  /** IPv4/IPv6 CIDR ranges the request's `ip` must be in (IPv4-mapped IPv6 counts as IPv4). */
  ipRanges?: string[];
  /** Environments the request's `environment` must be one of. */
  environments?: string[];
  /** UTC windows: `days` (`mon`…`sun`, default all), `start`/`end` `"HH:MM"` (end exclusive, `"24:00"` allowed; start > end runs past midnight). */
  timeWindows?: { days?: string[]; start: string; end: string }[];
}

/** Constraints as the policy compiled them (`describe()`); empty lists constrain nothing. */
export interface CompiledConstraints {
  /** IPv4/IPv6 CIDR ranges the request's `ip` must be in (IPv4-mapped IPv6 counts as IPv4). */
  ipRanges: string[];
  /** Environments the request's `environment` must be one of. */
  environments: string[];
  /** UTC windows: `days` (`mon`…`sun`, default all), `start`/`end` `"HH:MM"` (end exclusive, `"24:00"` allowed; start > end runs past midnight). */
  timeWindows: { days: string[]; start: string; end: string }[];
  /** Longest lifetime (`exp − iat`) of a token used for it, in seconds (a scope's own field; `"5m"` in documents). */
  maxTokenLifetime: number | null;
  /** All of them in one line, for catalogs; empty when there are none. */
  summary: string;
}

/** Every code: its HTTP status, RFC 6750 error and origin. */
export declare const CODES: Readonly<Record<ErrorCode | DecisionCode | EdgeErrorCode, Readonly<{
  status: 400 | 401 | 403 | 503 | null;
  error: "invalid_token" | "insufficient_scope" | "invalid_request" | null;
  origin: "core" | "decision" | "edge";
}>>>;
/** Codes the core throws. */
export declare const ERROR_CODES: readonly ErrorCode[];
/** Codes that only appear in decisions (policy, guard). */
export declare const DECISION_CODES: readonly DecisionCode[];
/** Codes the edge layer throws. */
export declare const EDGE_ERROR_CODES: readonly EdgeErrorCode[];
/** Every algorithm: key type, curve, and the runtime crypto parameters (null for HMAC). */
export declare const ALGORITHMS: Readonly<Record<Algorithm, Readonly<{
  kty: "oct" | "RSA" | "EC" | "OKP";
  crv: string | null;
  coordinateLength: number | null;
  webCrypto: { import: Record<string, string>; verify: Record<string, string | number> } | null;
  node: { digest: string | null; options: Record<string, string | number> } | null;
  /** The cargo feature that builds it (ES512, ES256K), null when always built. */
  feature: string | null;
}>>>;
/** WebCrypto's names of the table's hashes (token digests, thumbprints). */
export declare const DIGESTS: Readonly<{ SHA256: "SHA-256"; SHA384: "SHA-384"; SHA512: "SHA-512" }>;
/** The claims scopes are read from by default. */
export declare const SCOPE_CLAIMS: readonly string[];
/** Every kind of policy constraint. */
export declare const CONSTRAINT_KINDS: readonly ConstraintName[];
/** The claim paths roles are read from by default. */
export declare const ROLE_CLAIMS: readonly (readonly string[])[];
/** The option names the core reads for a verifier. */
export declare const VERIFY_OPTIONS: readonly string[];
/** The option names the core reads for one call of a verifier. */
export declare const CALL_OPTIONS: readonly string[];
/** Duration units and their seconds. */
export declare const DURATION_UNITS: Readonly<Record<string, number>>;
/** The default `maxTokenLength`, in bytes. */
export declare const DEFAULT_MAX_TOKEN_LENGTH: number;
/** The most digits a duration's number may have. */
export declare const DURATION_MAX_DIGITS: number;
