// GENERATED from the Rust crate by `make facts` (src/facts.rs): do not edit.
// Each fact is defined once, in Rust; the package reads it from here.

/** Every code: its HTTP status, RFC 6750 error and origin. */
export const CODES = Object.freeze({
  ERR_JWS_INVALID: Object.freeze({ status: 401, error: "invalid_token", origin: "core" }),
  ERR_JOSE_ALG_NOT_ALLOWED: Object.freeze({ status: 401, error: "invalid_token", origin: "core" }),
  ERR_JOSE_NOT_SUPPORTED: Object.freeze({ status: 401, error: "invalid_token", origin: "core" }),
  ERR_JWKS_NO_MATCHING_KEY: Object.freeze({ status: 401, error: "invalid_token", origin: "core" }),
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: Object.freeze({ status: 401, error: "invalid_token", origin: "core" }),
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: Object.freeze({ status: 401, error: "invalid_token", origin: "core" }),
  ERR_JWT_INVALID: Object.freeze({ status: 401, error: "invalid_token", origin: "core" }),
  ERR_JWT_EXPIRED: Object.freeze({ status: 401, error: "invalid_token", origin: "core" }),
  ERR_JWT_CLAIM_VALIDATION_FAILED: Object.freeze({ status: 401, error: "invalid_token", origin: "core" }),
  ERR_JWT_INSUFFICIENT_SCOPE: Object.freeze({ status: 403, error: "insufficient_scope", origin: "core" }),
  ERR_JWT_INSUFFICIENT_ROLE: Object.freeze({ status: 403, error: "insufficient_scope", origin: "core" }),
  ERR_JWT_REVOKED: Object.freeze({ status: 401, error: "invalid_token", origin: "core" }),
  ERR_JWT_SENDER_CONSTRAINED: Object.freeze({ status: 401, error: "invalid_token", origin: "core" }),
  ERR_TOKEN_INACTIVE: Object.freeze({ status: 401, error: "invalid_token", origin: "core" }),
  ERR_DPOP_PROOF_INVALID: Object.freeze({ status: 401, error: "invalid_dpop_proof", origin: "core" }),
  ERR_DPOP_NONCE_REQUIRED: Object.freeze({ status: 401, error: "use_dpop_nonce", origin: "core" }),
  ERR_DPOP_REPLAYED: Object.freeze({ status: 401, error: "invalid_dpop_proof", origin: "decision" }),
  ERR_MTLS_CERT_MISMATCH: Object.freeze({ status: 401, error: "invalid_token", origin: "core" }),
  ERR_INVALID_ARG: Object.freeze({ status: null, error: null, origin: "core" }),
  ERR_JWK_INVALID: Object.freeze({ status: null, error: null, origin: "core" }),
  ERR_POLICY_INVALID: Object.freeze({ status: null, error: null, origin: "core" }),
  ERR_DOWNSCOPE_SUPERSET: Object.freeze({ status: null, error: null, origin: "core" }),
  ERR_POLICY_NO_MATCHING_RULE: Object.freeze({ status: 403, error: "insufficient_scope", origin: "decision" }),
  ERR_POLICY_CONSTRAINT_FAILED: Object.freeze({ status: 403, error: "insufficient_scope", origin: "decision" }),
  ERR_NO_CREDENTIALS: Object.freeze({ status: 401, error: null, origin: "decision" }),
  ERR_INVALID_REQUEST: Object.freeze({ status: 400, error: "invalid_request", origin: "decision" }),
  ERR_APIKEY_INVALID: Object.freeze({ status: 401, error: "invalid_token", origin: "core" }),
  ERR_APIKEY_EXPIRED: Object.freeze({ status: 401, error: "invalid_token", origin: "core" }),
  ERR_BASIC_INVALID: Object.freeze({ status: 401, error: null, origin: "core" }),
  ERR_INSECURE_TRANSPORT: Object.freeze({ status: 400, error: "invalid_request", origin: "core" }),
  ERR_CREDENTIALS_INVALID: Object.freeze({ status: null, error: null, origin: "core" }),
  ERR_JWKS_TIMEOUT: Object.freeze({ status: 503, error: null, origin: "edge" }),
  ERR_JWKS_FETCH_FAILED: Object.freeze({ status: 503, error: null, origin: "edge" }),
  ERR_DISCOVERY_ISSUER_MISMATCH: Object.freeze({ status: 503, error: null, origin: "edge" }),
  ERR_INTROSPECTION_FAILED: Object.freeze({ status: 503, error: null, origin: "edge" }),
  ERR_REPLAY_STORE_FAILED: Object.freeze({ status: 503, error: null, origin: "edge" }),
  ERR_REVOCATION_STORE_FAILED: Object.freeze({ status: 503, error: null, origin: "edge" }),
});

/** Codes the core throws. */
export const ERROR_CODES = Object.freeze(["ERR_JWS_INVALID", "ERR_JOSE_ALG_NOT_ALLOWED", "ERR_JOSE_NOT_SUPPORTED", "ERR_JWKS_NO_MATCHING_KEY", "ERR_JWKS_MULTIPLE_MATCHING_KEYS", "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "ERR_JWT_INVALID", "ERR_JWT_EXPIRED", "ERR_JWT_CLAIM_VALIDATION_FAILED", "ERR_JWT_INSUFFICIENT_SCOPE", "ERR_JWT_INSUFFICIENT_ROLE", "ERR_JWT_REVOKED", "ERR_JWT_SENDER_CONSTRAINED", "ERR_TOKEN_INACTIVE", "ERR_DPOP_PROOF_INVALID", "ERR_DPOP_NONCE_REQUIRED", "ERR_MTLS_CERT_MISMATCH", "ERR_INVALID_ARG", "ERR_JWK_INVALID", "ERR_POLICY_INVALID", "ERR_DOWNSCOPE_SUPERSET", "ERR_APIKEY_INVALID", "ERR_APIKEY_EXPIRED", "ERR_BASIC_INVALID", "ERR_INSECURE_TRANSPORT", "ERR_CREDENTIALS_INVALID"]);

/** Codes that only appear in decisions (policy, guard). */
export const DECISION_CODES = Object.freeze(["ERR_DPOP_REPLAYED", "ERR_POLICY_NO_MATCHING_RULE", "ERR_POLICY_CONSTRAINT_FAILED", "ERR_NO_CREDENTIALS", "ERR_INVALID_REQUEST"]);

/** Codes the edge layer (key sets and introspection over HTTP) throws. */
export const EDGE_ERROR_CODES = Object.freeze(["ERR_JWKS_TIMEOUT", "ERR_JWKS_FETCH_FAILED", "ERR_DISCOVERY_ISSUER_MISMATCH", "ERR_INTROSPECTION_FAILED", "ERR_REPLAY_STORE_FAILED", "ERR_REVOCATION_STORE_FAILED"]);

/** Every algorithm: key type, curve, the runtime crypto parameters (null for HMAC: the secret stays in the core) and the cargo feature that builds it. */
export const ALGORITHMS = Object.freeze({
  HS256: Object.freeze({
    kty: "oct",
    crv: null,
    coordinateLength: null,
    webCrypto: null,
    node: null,
    feature: null,
  }),
  HS384: Object.freeze({
    kty: "oct",
    crv: null,
    coordinateLength: null,
    webCrypto: null,
    node: null,
    feature: null,
  }),
  HS512: Object.freeze({
    kty: "oct",
    crv: null,
    coordinateLength: null,
    webCrypto: null,
    node: null,
    feature: null,
  }),
  RS256: Object.freeze({
    kty: "RSA",
    crv: null,
    coordinateLength: null,
    webCrypto: { import: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, verify: { name: "RSASSA-PKCS1-v1_5" } },
    node: { digest: "sha256", options: {} },
    feature: null,
  }),
  RS384: Object.freeze({
    kty: "RSA",
    crv: null,
    coordinateLength: null,
    webCrypto: { import: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-384" }, verify: { name: "RSASSA-PKCS1-v1_5" } },
    node: { digest: "sha384", options: {} },
    feature: null,
  }),
  RS512: Object.freeze({
    kty: "RSA",
    crv: null,
    coordinateLength: null,
    webCrypto: { import: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-512" }, verify: { name: "RSASSA-PKCS1-v1_5" } },
    node: { digest: "sha512", options: {} },
    feature: null,
  }),
  PS256: Object.freeze({
    kty: "RSA",
    crv: null,
    coordinateLength: null,
    webCrypto: { import: { name: "RSA-PSS", hash: "SHA-256" }, verify: { name: "RSA-PSS", saltLength: 32 } },
    node: { digest: "sha256", options: { padding: "pss", saltLength: 32 } },
    feature: null,
  }),
  PS384: Object.freeze({
    kty: "RSA",
    crv: null,
    coordinateLength: null,
    webCrypto: { import: { name: "RSA-PSS", hash: "SHA-384" }, verify: { name: "RSA-PSS", saltLength: 48 } },
    node: { digest: "sha384", options: { padding: "pss", saltLength: 48 } },
    feature: null,
  }),
  PS512: Object.freeze({
    kty: "RSA",
    crv: null,
    coordinateLength: null,
    webCrypto: { import: { name: "RSA-PSS", hash: "SHA-512" }, verify: { name: "RSA-PSS", saltLength: 64 } },
    node: { digest: "sha512", options: { padding: "pss", saltLength: 64 } },
    feature: null,
  }),
  ES256: Object.freeze({
    kty: "EC",
    crv: "P-256",
    coordinateLength: 32,
    webCrypto: { import: { name: "ECDSA", namedCurve: "P-256" }, verify: { name: "ECDSA", hash: "SHA-256" } },
    node: { digest: "sha256", options: { dsaEncoding: "ieee-p1363" } },
    feature: null,
  }),
  ES384: Object.freeze({
    kty: "EC",
    crv: "P-384",
    coordinateLength: 48,
    webCrypto: { import: { name: "ECDSA", namedCurve: "P-384" }, verify: { name: "ECDSA", hash: "SHA-384" } },
    node: { digest: "sha384", options: { dsaEncoding: "ieee-p1363" } },
    feature: null,
  }),
  ES512: Object.freeze({
    kty: "EC",
    crv: "P-521",
    coordinateLength: 66,
    webCrypto: { import: { name: "ECDSA", namedCurve: "P-521" }, verify: { name: "ECDSA", hash: "SHA-512" } },
    node: { digest: "sha512", options: { dsaEncoding: "ieee-p1363" } },
    feature: "es512",
  }),
  ES256K: Object.freeze({
    kty: "EC",
    crv: "secp256k1",
    coordinateLength: 32,
    webCrypto: null,
    node: { digest: "sha256", options: { dsaEncoding: "ieee-p1363" } },
    feature: "es256k",
  }),
  EdDSA: Object.freeze({
    kty: "OKP",
    crv: "Ed25519",
    coordinateLength: null,
    webCrypto: { import: { name: "Ed25519" }, verify: { name: "Ed25519" } },
    node: { digest: null, options: {} },
    feature: null,
  }),
});

/** WebCrypto's names of the table's hashes (token digests, thumbprints). */
export const DIGESTS = Object.freeze({ SHA256: "SHA-256", SHA384: "SHA-384", SHA512: "SHA-512" });

/** The claims scopes are read from by default. */
export const SCOPE_CLAIMS = Object.freeze(["scope", "scp", "permissions"]);

/** Every kind of policy constraint. */
export const CONSTRAINT_KINDS = Object.freeze(["ipRanges", "environments", "timeWindows", "maxTokenLifetime"]);

/** The claim paths roles are read from by default. */
export const ROLE_CLAIMS = Object.freeze([Object.freeze(["roles"]), Object.freeze(["role"]), Object.freeze(["groups"]), Object.freeze(["realm_access", "roles"])]);

/** The option names the core reads for a verifier. */
export const VERIFY_OPTIONS = Object.freeze(["issuer", "audience", "algorithms", "clockTolerance", "maxTokenAge", "subject", "typ", "requiredClaims", "requiredScopes", "scopeMode", "scopeClaim", "requiredRoles", "roleMode", "roleClaim", "maxTokenLength", "realm", "now", "dangerouslyAllowMissingExp", "dangerouslySkipIssuerCheck", "dangerouslySkipAudienceCheck", "dangerouslyIgnoreTokenBinding"]);

/** The option names the core reads for one call of a verifier. */
export const CALL_OPTIONS = Object.freeze(["requiredScopes", "scopeMode", "requiredRoles", "roleMode", "now"]);

/** Duration units and their seconds ("30s", "5 minutes", "1.5h"). */
export const DURATION_UNITS = Object.freeze({
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600,
  d: 86400, day: 86400, days: 86400,
  w: 604800, week: 604800, weeks: 604800,
  y: 31557600, yr: 31557600, yrs: 31557600, year: 31557600, years: 31557600,
});

/** The default `maxTokenLength`, in bytes. */
export const DEFAULT_MAX_TOKEN_LENGTH = 16384;

/** The most digits a duration's number may have. */
export const DURATION_MAX_DIGITS = 15;
