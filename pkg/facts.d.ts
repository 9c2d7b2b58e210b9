// GENERATED from the Rust crate by `make facts` (src/facts.rs): do not edit.

/** Every code the core throws. */
export type ErrorCode =
  | "ERR_JWS_INVALID"
  | "ERR_JOSE_ALG_NOT_ALLOWED"
  | "ERR_JOSE_NOT_SUPPORTED"
  | "ERR_JWKS_NO_MATCHING_KEY"
  | "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
  | "ERR_JWT_INVALID"
  | "ERR_JWT_EXPIRED"
  | "ERR_JWT_CLAIM_VALIDATION_FAILED"
  | "ERR_JWT_INSUFFICIENT_SCOPE"
  | "ERR_JWT_INSUFFICIENT_ROLE"
  | "ERR_JWT_REVOKED"
  | "ERR_JWT_SENDER_CONSTRAINED"
  | "ERR_INVALID_ARG"
  | "ERR_JWK_INVALID"
  | "ERR_POLICY_INVALID"
  | "ERR_DOWNSCOPE_SUPERSET";

/** Codes that only appear in decisions and guard answers (never thrown). */
export type DecisionCode =
  | "ERR_POLICY_NO_MATCHING_RULE"
  | "ERR_POLICY_CONSTRAINT_FAILED"
  | "ERR_NO_CREDENTIALS"
  | "ERR_INVALID_REQUEST";

/** Codes the edge layer (key sets over HTTP) throws; the guard answers them with 503. */
export type EdgeErrorCode =
  | "ERR_JWKS_TIMEOUT"
  | "ERR_JWKS_FETCH_FAILED"
  | "ERR_DISCOVERY_ISSUER_MISMATCH";

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
/** The claims scopes are read from by default. */
export declare const SCOPE_CLAIMS: readonly string[];
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
