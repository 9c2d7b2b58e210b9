// API keys and HTTP Basic credentials: the JS API over the core's src/apikey.rs and
// src/basic.rs. Like tollgate.js, this layer only converts (documents to JSON text,
// result texts to objects, the core's errors to TollgateErrors); every check is the core's.
//
// Every credential ends in the shape of a verified token, `{ subject, claims, scopes,
// roles, credential }`, registered as verified (internal.js), so that checkScopes and a
// Policy's evaluate treat it as they treat a verified token. A request costs one call into
// the wasm: `verifyRequest` reads the headers here and hands the core one string.
//
// The classes live in the full module (tollgate/policy's), which has room for them; the
// verifier's module does not (docs/credentials.md). Import "tollgate/policy" once, anywhere,
// before loading a catalog: the full module then serves the whole package.

import { wasm } from "./core.js";
import { handles, invalidArg, plainObject, verifiedTexts } from "./internal.js";
import { TollgateError } from "./tollgate.js";
import { statusOf } from "./answer.js";

const NEEDS_FULL_MODULE =
  "API keys and Basic credentials need the full module: import \"tollgate/policy\" (once, anywhere) before using them";

function glue() {
  if (typeof wasm?.RawApiKeys !== "function") throw invalidArg(NEEDS_FULL_MODULE);
  return wasm;
}

// The core's errors are plain `Error`s with `code`, `status`, `wwwAuthenticate`, `path`,
// `missing`: the same conversion as tollgate.js's.
function call(fn) {
  try {
    return fn();
  } catch (raw) {
    if (raw instanceof TollgateError || raw instanceof TypeError || typeof raw?.code !== "string") throw raw;
    if (raw.code === "ERR_INVALID_ARG") throw invalidArg(raw.message);
    throw new TollgateError(raw.message, raw);
  }
}

// A refusal the JS layer gives without a core error in hand (no credentials, two of them).
function refusal(code, message, wwwAuthenticate) {
  return new TollgateError(message, { code, status: statusOf(code), wwwAuthenticate });
}

function documentText(doc, what) {
  if (typeof doc === "string") return doc;
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw invalidArg(`${what} must be a JSON object or its text`);
  }
  return JSON.stringify(doc);
}

const REALM = /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/;

function realmOf(options, name) {
  if (options.realm === undefined) return undefined;
  if (typeof options.realm !== "string" || !REALM.test(options.realm)) {
    throw invalidArg(`${name}.realm must be a non-empty string of printable ASCII without quotes or backslashes`);
  }
  return options.realm;
}

function unknownOption(options, allowed, name) {
  const extra = Object.keys(options).find((k) => !allowed.includes(k));
  if (extra !== undefined) throw invalidArg(`${name}: unknown option "${extra}" (expected ${allowed.join(", ")})`);
}

const CALL_OPTIONS = ["requiredScopes", "requiredRoles", "now", "currentDate"];

function list(value, name) {
  if (value === undefined) return "";
  if (!Array.isArray(value)) throw invalidArg(`${name} must be an array of strings`);
  return JSON.stringify(value);
}

// `{ requiredScopes, requiredRoles, now | currentDate }` → the core's arguments.
function callArgs(options, allowed, name) {
  const o = plainObject(options, name);
  unknownOption(o, allowed, name);
  let now = o.now;
  if (o.currentDate !== undefined) {
    if (now !== undefined) throw invalidArg(`${name}: give now or currentDate, not both`);
    if (!(o.currentDate instanceof Date) || Number.isNaN(o.currentDate.getTime())) {
      throw invalidArg(`${name}.currentDate must be a valid Date`);
    }
    now = Math.floor(o.currentDate.getTime() / 1000);
  }
  if (now !== undefined && !(Number.isSafeInteger(now) && now >= 0)) {
    throw invalidArg(`${name}.now must be whole seconds since 1970`);
  }
  return {
    scopes: list(o.requiredScopes, `${name}.requiredScopes`),
    roles: list(o.requiredRoles, `${name}.requiredRoles`),
    now,
    rest: o,
  };
}

function result(text) {
  const out = JSON.parse(text);
  verifiedTexts.set(out, text);
  return out;
}

function headersOf(request) {
  const headers = request?.headers;
  if (typeof headers?.get !== "function") throw invalidArg("request must be a Fetch API Request (with headers.get)");
  return headers;
}


// ─── API keys ─────────────────────────────────────────────────────────────────────────

/**
 * A catalog of API keys (`{ version: 1, keys: [{ id, sha256, scopes, roles?, owner?,
 * environment?, expires, created?, description? }] }`), each stored as the SHA-256 of the
 * key, never the key. Load it once; `verify` a presented key per request.
 */
export class ApiKeyCatalog {
  #raw;
  #header;
  #realm;

  constructor(raw, header, realm) {
    if (!(raw instanceof glue().RawApiKeys)) throw invalidArg("use ApiKeyCatalog.fromJson");
    this.#raw = raw;
    this.#header = header;
    this.#realm = realm;
    // For the guard (guard.js): the core's catalog, where keys are looked for, the realm.
    handles.set(this, { raw, header, realm });
  }

  /**
   * Loads a catalog (an object or JSON text). Options: `realm` (for the `ApiKey`
   * challenges), `header` (where `verifyRequest` looks for a key besides
   * `Authorization: ApiKey …`; default `X-API-Key`). Throws ERR_CREDENTIALS_INVALID with
   * the JSON `path` of the problem.
   */
  static fromJson(doc, options) {
    const o = plainObject(options, "options");
    unknownOption(o, ["realm", "header"], "ApiKeyCatalog.fromJson options");
    const header = o.header ?? "x-api-key";
    if (typeof header !== "string" || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header) || header.toLowerCase() === "authorization") {
      throw invalidArg("options.header must be a header name other than Authorization");
    }
    const text = documentText(doc, "the API key catalog");
    const realm = realmOf(o, "options");
    const raw = call(() => new (glue().RawApiKeys)(text, realm));
    return new ApiKeyCatalog(raw, header.toLowerCase(), realm);
  }

  /** Number of keys. */
  get size() {
    return this.#raw.size;
  }

  /**
   * Checks a presented key: 401 ERR_APIKEY_INVALID (malformed, wrong checksum, unknown id
   * or wrong secret), 401 ERR_APIKEY_EXPIRED, 403 ERR_JWT_INSUFFICIENT_SCOPE /
   * ERR_JWT_INSUFFICIENT_ROLE for `requiredScopes` / `requiredRoles`. Options: those two,
   * `now` (seconds) or `currentDate`. Returns `{ subject, claims, scopes, roles, credential }`.
   */
  verify(key, options) {
    if (typeof key !== "string") throw invalidArg(`key must be a string, got ${key === null ? "null" : typeof key}`);
    const { scopes, roles, now } = callArgs(options, CALL_OPTIONS, "options");
    return result(call(() => this.#raw.check(key, scopes, roles, now)));
  }

  /**
   * `verify` with the key of a Fetch `Request`: from the configured header or
   * `Authorization: ApiKey <key>`. Neither: 401 ERR_NO_CREDENTIALS; both: 400
   * ERR_INVALID_REQUEST (RFC 6750 §2: one method per request). One call into the wasm.
   */
  verifyRequest(request, options) {
    const headers = headersOf(request);
    const { scopes, roles, now } = callArgs(options, CALL_OPTIONS, "options");
    const fromHeader = headers.get(this.#header);
    const authorization = headers.get("authorization");
    const match = authorization === null ? null : /^apikey +(.*)$/i.exec(authorization.trim());
    const fromAuthorization = match === null ? null : match[1];
    if (fromHeader !== null && fromAuthorization !== null) {
      const code = "ERR_INVALID_REQUEST";
      const message = "an API key was sent twice (a header and Authorization)";
      throw refusal(code, message, wasm.rawCredentialChallenge(false, code, this.#realm, message));
    }
    const key = fromHeader ?? fromAuthorization;
    if (key === null) {
      const code = "ERR_NO_CREDENTIALS";
      throw refusal(code, "no API key", wasm.rawCredentialChallenge(false, code, this.#realm, ""));
    }
    return result(call(() => this.#raw.check(key.trim(), scopes, roles, now)));
  }

  /** Releases the wasm memory now (optional). */
  free() {
    this.#raw.free();
  }
}

/** The catalog's `sha256` of `key` (lowercase hex), after checking its format and checksum. */
export function hashApiKey(key) {
  if (typeof key !== "string") throw invalidArg("key must be a string");
  return call(() => glue().rawHashApiKey(key));
}

/**
 * Mints a key `<prefix>_<id>_<secret><checksum>` from `random` (at least 64 bytes from a
 * CSPRNG: `crypto.getRandomValues`, `randomBytes`). Options: `prefix` (default "tg"), `id`
 * (default: 12 random base62 characters). Returns `{ key, id, sha256 }`: show the key once,
 * store only `sha256`.
 */
export function mintApiKey(options) {
  const o = plainObject(options, "options");
  unknownOption(o, ["prefix", "id", "random"], "mintApiKey options");
  if (!(o.random instanceof Uint8Array) || o.random.length < 64) {
    throw invalidArg("options.random must be a Uint8Array of at least 64 random bytes");
  }
  const prefix = o.prefix ?? "tg";
  if (typeof prefix !== "string") throw invalidArg("options.prefix must be a string");
  if (o.id !== undefined && typeof o.id !== "string") throw invalidArg("options.id must be a string");
  const [key, sha256] = call(() => glue().rawMintApiKey(prefix, o.id, o.random));
  return { key, id: key.split("_")[1], sha256 };
}

// ─── Basic ────────────────────────────────────────────────────────────────────────────

/**
 * HTTP Basic credentials (RFC 7617), the weaker option: `{ version: 1, users: [{ username,
 * salt, iterations, hash, scopes?, roles?, owner?, description? }] }` with salted
 * PBKDF2-HMAC-SHA256 hashes of at least 600 000 iterations. Each check costs that hash
 * (milliseconds of CPU, docs/credentials.md): prefer bearer tokens.
 */
export class BasicCredentials {
  #raw;
  #realm;

  constructor(raw, realm) {
    if (!(raw instanceof glue().RawBasic)) throw invalidArg("use BasicCredentials.fromJson");
    this.#raw = raw;
    this.#realm = realm;
    handles.set(this, { raw, realm });
  }

  /** Loads a credential list (an object or JSON text). Options: `realm` (default "api"). */
  static fromJson(doc, options) {
    const o = plainObject(options, "options");
    unknownOption(o, ["realm"], "BasicCredentials.fromJson options");
    const text = documentText(doc, "the Basic credential list");
    const realm = realmOf(o, "options");
    return new BasicCredentials(call(() => new (glue().RawBasic)(text, realm)), realm);
  }

  /** Number of users. */
  get size() {
    return this.#raw.size;
  }

  /**
   * Checks an `Authorization` header value for a request to `url` (required): 400
   * ERR_INSECURE_TRANSPORT over plain `http:` (but to loopback) unless `allowInsecure`;
   * 401 ERR_BASIC_INVALID (malformed, unknown user or wrong password) with
   * `Basic realm="…", charset="UTF-8"`; 403 for `requiredScopes` / `requiredRoles`.
   */
  verify(authorization, options) {
    if (typeof authorization !== "string") throw invalidArg("authorization must be a string");
    const { scopes, roles, rest } = callArgs(options, ["url", "allowInsecure", "requiredScopes", "requiredRoles"], "options");
    const { url, insecure } = transport(rest);
    return result(call(() => this.#raw.check(authorization, url, insecure, scopes, roles)));
  }

  /**
   * `verify` with a Fetch `Request` (its `url` and `Authorization`). No Basic credentials:
   * 401 ERR_NO_CREDENTIALS with the Basic challenge, except over an insecure transport,
   * which is never invited to send a password (400 ERR_INSECURE_TRANSPORT).
   */
  verifyRequest(request, options) {
    const headers = headersOf(request);
    const o = plainObject(options, "options");
    const { scopes, roles } = callArgs(o, ["allowInsecure", "requiredScopes", "requiredRoles"], "options");
    const { url, insecure } = transport({ url: request.url, allowInsecure: o.allowInsecure });
    const authorization = headers.get("authorization");
    if (authorization === null || !/^basic(?: |$)/i.test(authorization.trim())) {
      // No Basic credentials. The core judges the transport first: over plain http: the
      // answer is its 400, never a challenge inviting a password in the clear.
      try {
        call(() => this.#raw.check("", url, insecure, "", ""));
      } catch (error) {
        if (error.code !== "ERR_BASIC_INVALID") throw error;
      }
      const code = "ERR_NO_CREDENTIALS";
      throw refusal(code, "no Basic credentials", wasm.rawCredentialChallenge(true, code, this.#realm, ""));
    }
    return result(call(() => this.#raw.check(authorization, url, insecure, scopes, roles)));
  }

  /** Releases the wasm memory now (optional). */
  free() {
    this.#raw.free();
  }
}

function transport(o) {
  if (typeof o.url !== "string") throw invalidArg("options.url must be the request's URL (a string)");
  if (o.allowInsecure !== undefined && typeof o.allowInsecure !== "boolean") {
    throw invalidArg("options.allowInsecure must be a boolean");
  }
  return { url: o.url, insecure: o.allowInsecure === true };
}

/**
 * A Basic list entry for `password`: `{ salt, iterations, hash }` (base64url), PBKDF2-HMAC-
 * SHA256 with `iterations` (default and minimum 600 000) and a 16-byte `salt` from
 * `crypto.getRandomValues` unless given (a Uint8Array of at least 16 bytes).
 */
export function hashPassword(password, options) {
  if (typeof password !== "string" || password === "") throw invalidArg("password must be a non-empty string");
  const o = plainObject(options, "options");
  unknownOption(o, ["iterations", "salt"], "hashPassword options");
  const iterations = o.iterations ?? 600_000;
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > 0xffffffff) {
    throw invalidArg("options.iterations must be a whole number");
  }
  let salt = o.salt;
  if (salt === undefined) {
    if (typeof globalThis.crypto?.getRandomValues !== "function") throw invalidArg("no crypto.getRandomValues here: give options.salt");
    salt = globalThis.crypto.getRandomValues(new Uint8Array(16));
  }
  if (!(salt instanceof Uint8Array)) throw invalidArg("options.salt must be a Uint8Array");
  const hash = call(() => glue().rawHashPassword(password, salt, iterations));
  return { salt: base64url(salt), iterations, hash };
}

function base64url(bytes) {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
