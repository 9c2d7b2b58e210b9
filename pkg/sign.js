// Signing: tokens minted at the edge (`sign`) and `downscope`, a short-lived token for a
// backend carrying a subset of a verified token's scopes. Like tollgate.js this layer only
// converts: options become JSON text, the core checks and signs (src/sign.rs).
//
// Signing lives in the full module (tollgate/policy's), not the verifier's: it costs the
// module ~31 KB of gzip (docs/benchmarks.md). `import "tollgate/policy"` once, anywhere,
// and the whole package runs on the full module; these exports then sign.

import { wasm } from "./core.js";
import { TollgateError } from "./tollgate.js";
import { invalidArg, plainObject, verifiedTexts } from "./internal.js";

const utf8 = new TextEncoder();

// The verifier's module has no signing: say which entry has it.
function signingModule() {
  if (typeof wasm?.RawSigningKey !== "function") {
    throw new TollgateError(
      'signing is in tollgate\'s full module: import "tollgate/policy" (once, anywhere) before using SigningKey, sign or downscope',
      { code: "ERR_JOSE_NOT_SUPPORTED" },
    );
  }
  return wasm;
}

// Errors thrown by the wasm side are plain `Error`s with the fields set.
function call(fn) {
  try {
    return fn();
  } catch (raw) {
    if (!raw || typeof raw.code !== "string") throw raw;
    if (raw.code === "ERR_INVALID_ARG") throw invalidArg(raw.message);
    throw new TollgateError(raw.message, raw);
  }
}

function toJson(value, name) {
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw invalidArg(`${name} cannot be serialized: ${error.message}`);
  }
}

// The options as the core reads them: everything but `key`, `currentDate` as `now`.
function coreOptions(options, name) {
  const { key, currentDate, ...rest } = plainObject(options, name);
  if (currentDate !== undefined) {
    if (!(currentDate instanceof Date) || Number.isNaN(currentDate.getTime())) {
      throw invalidArg(`${name}.currentDate must be a valid Date`);
    }
    if (rest.now !== undefined) throw invalidArg(`${name}: give now or currentDate, not both`);
    rest.now = Math.floor(currentDate.getTime() / 1000);
  }
  if (!(key instanceof SigningKey)) throw invalidArg(`${name}.key is required (a SigningKey)`);
  return { raw: rawKey(key), text: toJson(rest, name) };
}

let rawKey;

/**
 * A private key, parsed and checked once, bound to one algorithm: HS256/384/512 (a
 * secret), RS256/384/512 and PS256/384/512 (RSA 2048 to 4096 bits), ES256, ES384, EdDSA.
 * Import it once at start-up and reuse it.
 */
export class SigningKey {
  #raw;

  constructor(raw) {
    const m = signingModule();
    if (!(raw instanceof m.RawSigningKey)) throw invalidArg("use SigningKey.fromJwk, fromPem or fromSecret");
    this.#raw = raw;
  }

  /** Imports a private JWK (object or JSON text); `alg` when the JWK has none, `kid` for headers. */
  static fromJwk(jwk, options) {
    const m = signingModule();
    const text = typeof jwk === "string" ? jwk : toJson(plainObject(jwk, "jwk"), "jwk");
    const opts = toJson(plainObject(options, "options"), "options");
    return new SigningKey(call(() => m.RawSigningKey.fromJwk(text, opts)));
  }

  /** Imports a PKCS #8 PEM private key (`-----BEGIN PRIVATE KEY-----`); `alg` is required. */
  static fromPem(pem, options) {
    const m = signingModule();
    if (typeof pem !== "string") throw invalidArg("pem must be a string");
    const opts = toJson(plainObject(options, "options"), "options");
    return new SigningKey(call(() => m.RawSigningKey.fromPem(pem, opts)));
  }

  /** Imports an HMAC secret (string as UTF-8, or bytes) for HS256, HS384 or HS512. */
  static fromSecret(secret, options) {
    const m = signingModule();
    let bytes;
    if (typeof secret === "string") bytes = utf8.encode(secret);
    else if (secret instanceof Uint8Array) bytes = secret;
    else if (secret instanceof ArrayBuffer) bytes = new Uint8Array(secret);
    else throw invalidArg("secret must be a string, a Uint8Array or an ArrayBuffer");
    const opts = toJson(plainObject(options, "options"), "options");
    return new SigningKey(call(() => m.RawSigningKey.fromSecret(bytes, opts)));
  }

  /** The algorithm this key signs with. */
  get alg() {
    return this.#raw.alg();
  }

  /** The `kid` written into each token's header, if any. */
  get kid() {
    return this.#raw.kid() ?? undefined;
  }

  /**
   * The public key as a JWK (`alg`, `use: "sig"`, `kid`), for the JWKS the verifiers
   * import; `null` for an HMAC secret, which has no public half.
   */
  toPublicJwk() {
    const text = this.#raw.publicJwk();
    return text === undefined ? null : JSON.parse(text);
  }

  /** Releases the wasm memory now (optional). */
  free() {
    this.#raw.free();
  }

  static {
    rawKey = (key) => key.#raw;
  }
}

/**
 * Signs `claims` (a plain object) with `options.key`: a compact JWS whose header is
 * `{ alg, typ, kid }`. `iat` is added when absent; `exp` comes from the claims or from
 * `ttl` (seconds or `"5m"`), one of the two. Options: `key`, `ttl`, `typ` (`"JWT"`, the
 * default, or `"at+jwt"`), `now` / `currentDate`.
 */
export function sign(claims, options) {
  signingModule();
  if (claims === null || typeof claims !== "object" || Array.isArray(claims)) {
    throw invalidArg("sign: claims must be a plain object");
  }
  const { raw, text } = coreOptions(options, "options");
  const json = toJson(claims, "claims");
  return call(() => raw.sign(json, text));
}

/**
 * A short-lived token for a backend behind the edge, derived from `verified` (a result
 * of tollgate's own verification: `verify`, a verifier, a guard) and signed with
 * `options.key`: `iss` = `issuer`, `aud` = `audience`, `sub` kept, `scope` = `scopes`
 * (each must be granted by `verified`: `ERR_DOWNSCOPE_SUPERSET` otherwise), `act` naming
 * the original client (RFC 8693), `exp` = now + `ttl` (default 60 s) but never after the
 * original `exp`, a random `jti`.
 */
export function downscope(verified, options) {
  signingModule();
  const text = verified !== null && typeof verified === "object" ? verifiedTexts.get(verified) : undefined;
  if (text === undefined) {
    throw invalidArg("downscope: the first argument must be a result of tollgate's own verification (verify, a verifier, a guard)");
  }
  const { raw, text: opts } = coreOptions(options, "options");
  return call(() => raw.downscope(text, opts));
}
