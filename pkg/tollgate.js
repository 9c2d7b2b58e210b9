// tollgate — the JS API over the wasm core.
//
// This layer only converts: it turns option objects into JSON text for the
// Rust side (which checks them strictly), turns the JSON text results back
// into plain objects, and turns the core's errors into `TollgateError`s or,
// for caller misuse, `TypeError`s. Every check lives in Rust.
//
// The entry points (node.js, browser.js, workerd.js) instantiate the wasm
// module first and then re-export index.js, which gathers this file with the
// edge layer and the SPA helpers: those import this file, never the reverse.

import { wasm } from "./core.js";
import { DPOP, checkOptionNames, handles, invalidArg, lent, plainObject, verifiedTexts } from "./internal.js";
import { VerifiedCache, cacheSize, deepFreeze, holds, readCall } from "./cache.js";
import { base64url, importPublicKey, signatureBackend, verifySignature } from "./webcrypto.js";
import { ALGORITHMS, CALL_OPTIONS, DEFAULT_MAX_TOKEN_LENGTH, VERIFY_OPTIONS } from "./facts.js";

// The codes, defined once in the core's table (src/error.rs).
export { ERROR_CODES, DECISION_CODES } from "./facts.js";

// The option names: the core's (facts.js) and those this file reads itself. An unknown name
// is refused here, listing them all; the core's own check knows only its part.
const VERIFIER_OPTIONS = new Set(["keys", ...VERIFY_OPTIONS, "currentDate", "revocations", "cache"]);
const VERIFIER_CALL_OPTIONS = new Set([...CALL_OPTIONS, "currentDate"]);

const FIELDS = ["status", "wwwAuthenticate", "claim", "reason", "missing", "skipped", "path", "binding", "nonce"];

/** A rejected token, key or key set. Carries a stable `code`. */
export class TollgateError extends Error {
  constructor(message, fields = {}) {
    super(message);
    this.name = "TollgateError";
    this.code = fields.code;
    for (const key of FIELDS) if (fields[key] !== undefined) this[key] = fields[key];
  }
}

/**
 * Whether `error` is a tollgate error (optionally with the given code).
 * `ERR_INVALID_ARG` errors are `TypeError`s with a `code`; they match too.
 */
export function isTollgateError(error, code) {
  const ours =
    error instanceof TollgateError ||
    (error instanceof TypeError && error.code === "ERR_INVALID_ARG");
  return ours && (code === undefined || error.code === code);
}

// Errors thrown by the wasm side are plain `Error`s with the fields set.
function convert(raw) {
  if (raw instanceof TollgateError || raw instanceof TypeError) return raw;
  if (!raw || typeof raw.code !== "string") return raw;
  if (raw.code === "ERR_INVALID_ARG") return invalidArg(raw.message);
  const fields = { code: raw.code };
  for (const key of FIELDS) if (raw[key] !== undefined) fields[key] = raw[key];
  return new TollgateError(raw.message, fields);
}

function call(fn) {
  try {
    return fn();
  } catch (raw) {
    throw convert(raw);
  }
}

function toJson(value, name) {
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw invalidArg(`${name} cannot be serialized: ${error.message}`);
  }
}

function checkToken(token) {
  if (typeof token !== "string") {
    throw invalidArg(`token must be a string, got ${token === null ? "null" : typeof token}`);
  }
}

// The bytes of a string's UTF-8 are at least its UTF-16 length, so a token longer than
// `limit` in JS is over the limit in bytes: the core gets only its first limit + 1 units,
// enough for its own size error, instead of a copy of a string of any size.
function bounded(token, limit) {
  return token.length > limit ? token.slice(0, limit + 1) : token;
}

// The maxTokenLength of options the core accepted (a number within its bounds), or the default.
const limitOf = (options) => (typeof options.maxTokenLength === "number" ? options.maxTokenLength : DEFAULT_MAX_TOKEN_LENGTH);

// `currentDate: Date` (jose's name) becomes `now` in seconds.
function withClock(options, name) {
  if (options.currentDate === undefined) return options;
  const { currentDate, ...rest } = options;
  if (!(currentDate instanceof Date) || Number.isNaN(currentDate.getTime())) {
    throw invalidArg(`${name}.currentDate must be a valid Date`);
  }
  if (rest.now !== undefined) throw invalidArg(`${name}: give now or currentDate, not both`);
  return { ...rest, now: Math.floor(currentDate.getTime() / 1000) };
}

const utf8 = new TextEncoder();

// A key set or revocation list made on the verifier's module before tollgate/policy's
// full module took over (a dynamic import of tollgate/policy after making them).
const STALE =
  "this object was made before tollgate/policy was loaded: import tollgate/policy before making key sets and revocation lists";

// Set by KeySet's static block: read the wasm handle, the keys' algorithms and
// their WebCrypto imports without exposing them.
let rawKeys;
let webCryptoKey;

/**
 * A set of verification keys, each parsed, validated and bound to one
 * algorithm once, at import. Build it once and reuse it for every token.
 */
export class KeySet {
  #raw;
  #info;
  #webCrypto = new Map(); // per key index and alg: the native crypto's key once imported, null if it cannot

  constructor(raw) {
    if (!(raw instanceof wasm.RawKeySet)) {
      throw invalidArg("use KeySet.fromJwks, fromJwk, fromPem or fromSecret");
    }
    this.#raw = raw;
  }

  /** Imports a JWKS (object or JSON text). */
  static fromJwks(jwks, options) {
    const text = typeof jwks === "string" ? jwks : toJson(plainObject(jwks, "jwks"), "jwks");
    const opts = toJson(plainObject(options, "options"), "options");
    return new KeySet(call(() => wasm.RawKeySet.fromJwks(text, opts)));
  }

  /** Imports one JWK (object or JSON text). */
  static fromJwk(jwk, options) {
    const text = typeof jwk === "string" ? jwk : toJson(plainObject(jwk, "jwk"), "jwk");
    const opts = toJson(plainObject(options, "options"), "options");
    return new KeySet(call(() => wasm.RawKeySet.fromJwk(text, opts)));
  }

  /** Imports a PEM public key (SPKI) for one algorithm. */
  static fromPem(pem, options) {
    if (typeof pem !== "string") throw invalidArg("pem must be a string");
    const opts = toJson(plainObject(options, "options"), "options");
    return new KeySet(call(() => wasm.RawKeySet.fromPem(pem, opts)));
  }

  /** Imports an HMAC secret (string as UTF-8, or bytes) for one HS algorithm. */
  static fromSecret(secret, options) {
    let bytes;
    if (typeof secret === "string") bytes = utf8.encode(secret);
    else if (secret instanceof Uint8Array) bytes = secret;
    else if (secret instanceof ArrayBuffer) bytes = new Uint8Array(secret);
    else throw invalidArg("secret must be a string, a Uint8Array or an ArrayBuffer");
    const opts = toJson(plainObject(options, "options"), "options");
    return new KeySet(call(() => wasm.RawKeySet.fromSecret(bytes, opts)));
  }

  #describe() {
    this.#info ??= this.#raw.describe();
    return this.#info;
  }

  /** Number of usable keys. */
  get size() {
    return this.#describe().keys.length;
  }

  /** The usable keys: `{ kid?, alg, kty }`. */
  get keys() {
    return this.#describe().keys.map((k) => ({ ...k }));
  }

  /** Keys that were skipped at import, and why: `{ index, kid?, reason }`. */
  get skipped() {
    return this.#describe().skipped.map((s) => ({ ...s }));
  }

  /**
   * Releases the wasm memory now. Optional: a FinalizationRegistry frees it
   * when the object is collected. Verifiers made from this set keep working.
   */
  free() {
    this.#raw.free();
  }

  static {
    rawKeys = (keys) => {
      if (!(keys instanceof KeySet)) throw invalidArg("options.keys must be a KeySet");
      if (!(keys.#raw instanceof wasm.RawKeySet)) throw invalidArg(STALE);
      return keys.#raw;
    };
    // Imported once per set and key, whichever verifier asks first; `material()`
    // reads the public key from that verifier's own handle on the same keys. Returns
    // the key itself once imported (no promise on the hot path), else a promise of it.
    webCryptoKey = (keys, index, alg, material) => {
      // By index and alg: verifiers may bind an RSA key without alg each their own way.
      const slot = `${index} ${alg}`;
      const imported = keys.#webCrypto.get(slot);
      if (imported !== undefined) return imported;
      return importPublicKey(material(), alg).then((key) => {
        keys.#webCrypto.set(slot, key);
        return key;
      });
    };
  }
}


/**
 * Whether `result` is an object returned by tollgate's own verification
 * (`verify`, a verifier, a guard): what a policy decision on it trusts.
 */
export function isVerified(result) {
  return result !== null && typeof result === "object" && verifiedTexts.has(result);
}

function verifiedResult(text) {
  const result = JSON.parse(text);
  verifiedTexts.set(result, text);
  return result;
}

function prepare(options) {
  const given = plainObject(options, "options");
  checkOptionNames(given, VERIFIER_OPTIONS, "verify options");
  const opts = withClock(given, "options");
  if (opts.keys === undefined) throw invalidArg("options.keys is required (a KeySet)");
  const { keys, revocations, cache, ...rest } = opts;
  const raw = rawKeys(keys);
  const list = revocations === undefined ? undefined : rawRevocations(revocations, "options.revocations").share();
  let verifier = call(() => new wasm.RawVerifier(raw, toJson(rest, "options"), list));
  // The guard's DPoP settings (a symbol key: never in the options' JSON, never a user's).
  if (opts[DPOP] !== undefined) {
    const plain = verifier;
    verifier = plain.withDpop(opts[DPOP]);
    plain.free();
  }
  return { raw: verifier, keys, revocations, cache, options: rest };
}

function callText(options) {
  if (options === undefined) return "";
  const given = plainObject(options, "options");
  checkOptionNames(given, VERIFIER_CALL_OPTIONS, "verify call options");
  return toJson(withClock(given, "options"), "options");
}

const NONE = Object.freeze([]);

// DPoP proof keys imported by native crypto, by algorithm and public key: a client signs its
// proofs with one key, and an import costs about as much as a verification (node:crypto: ~70 µs
// for P-256). The oldest go first past PROOF_KEYS_MAX.
const PROOF_KEYS_MAX = 256;
const proofKeys = new Map();

async function proofKey(material, alg) {
  const id = `${alg} ${material.slice(1).map((part) => (part === undefined ? "" : base64url(part))).join(".")}`;
  const known = proofKeys.get(id);
  if (known !== undefined) return known;
  const key = await importPublicKey(material, alg);
  if (key === null) return null;
  if (proofKeys.size >= PROOF_KEYS_MAX) proofKeys.delete(proofKeys.keys().next().value);
  proofKeys.set(id, key);
  return key;
}

// One answer of the full module's authorize calls: `{ outcome, result?, decision? }`, or the
// refusal as `{ outcome: "refused", error }`.
function settle(run) {
  try {
    const [outcome, resultText, decisionText] = run();
    return {
      outcome,
      result: resultText === undefined ? undefined : verifiedResult(resultText),
      decision: decisionText === undefined ? undefined : JSON.parse(decisionText),
    };
  } catch (error) {
    return { outcome: "refused", error: convert(error) };
  }
}

/** A verifier with its options compiled once: the hot path. */
class Verifier {
  #raw;
  #keys;
  #algs; // the alg of each key, by index
  #asymmetric; // whether any key is RSA, EC or OKP (the WebCrypto path has work)
  #revocations;
  #cache; // VerifiedCache, or undefined
  #base; // the verifier's own requirements and clock, as a cache hit reads them
  #rolesStrict;
  #limit; // maxTokenLength: longer tokens are cut before they cross into wasm
  #byPolicy = new WeakMap(); // Policy → this verifier's handle with that policy (the guard's)

  constructor({ raw, keys, revocations, cache, options }) {
    this.#raw = raw;
    // The guard's one trip (guard.js), reached through the package's handles, not the API.
    handles.set(this, { authorize: (...args) => this.#authorize(...args), present: (...args) => this.#present(...args) });
    this.#limit = limitOf(options);
    this.#keys = keys;
    this.#algs = raw.algorithms().split(" ");
    this.#asymmetric = this.#algs.some((alg) => ALGORITHMS[alg].webCrypto !== null);
    this.#revocations = revocations;
    const size = cacheSize(cache);
    if (size > 0) {
      this.#cache = new VerifiedCache(size);
      const { requiredScopes, scopeMode, requiredRoles, roleMode, now } = options;
      // Validated by the core already; null (never a fast hit) if the hit path reads them otherwise.
      this.#base = readCall({ requiredScopes, scopeMode, requiredRoles, roleMode, now });
      this.#rolesStrict = (requiredRoles?.length ?? 0) > 0 || options.roleClaim !== undefined;
    }
  }

  /**
   * Verifies `token`; per call you may pass `requiredScopes`, `scopeMode`,
   * `requiredRoles`, `roleMode`, `now` or `currentDate`.
   */
  verify(token, options) {
    checkToken(token);
    token = bounded(token, this.#limit);
    if (this.#cache === undefined) return verifiedResult(call(() => this.#raw.verify(token, callText(options))));
    const hit = this.#hit(token, options);
    if (hit !== undefined) return hit;
    const raw = this.#raw;
    const text = call(() => raw.verify(token, callText(options)));
    return this.#remember(token, text, options, raw.windowFrom(), raw.windowUntil());
  }

  /**
   * `verify`, with the signature of an RSA, ECDSA or EdDSA token checked by the
   * runtime's native crypto (WebCrypto; node:crypto in Node), keys imported once;
   * every other check is the same, in the same order, in the wasm core. Falls back
   * to the core where there is no such crypto or it cannot import a key. HMAC tokens
   * are verified in the core (the secret stays in wasm).
   */
  async verifyAsync(token, options) {
    // Nothing to hand to native crypto: `verify` (which looks in the cache itself).
    if (!this.#asymmetric || signatureBackend() === null) return this.verify(token, options);
    checkToken(token);
    token = bounded(token, this.#limit);
    if (this.#cache !== undefined) {
      const hit = this.#hit(token, options);
      if (hit !== undefined) return hit;
    }
    const raw = this.#raw;
    const opts = callText(options);
    const begun = call(() => raw.verifyBegin(token, opts));
    let text = begun;
    if (typeof begun !== "string") {
      // [ticket, candidate keys, signing input then signature]: the payload is read
      // only after one of the keys verifies the signature.
      const ok = await this.#checkNative(raw, token, begun);
      text = ok === null ? undefined : call(() => raw.verifyResume(begun[0], opts));
      if (text === undefined) return this.verify(token, options);
    }
    if (this.#cache === undefined) return verifiedResult(text);
    // The window of the result just made (no await since): the next call overwrites it.
    return this.#remember(token, text, options, raw.windowFrom(), raw.windowUntil());
  }

  // Whether one of the candidate keys verifies the signature with the runtime's native
  // crypto: true, false (after which the ticket is dropped and the error is thrown), or
  // null when the backend cannot answer (the core then decides, whole).
  async #checkNative(raw, token, [ticket, candidates, bytes]) {
    const ok = await this.#signedBy(raw, token, candidates, bytes);
    if (ok !== true) raw.abandon(ticket);
    if (ok === false) throw convert(raw.signatureError());
    return ok;
  }

  // Whether one of the candidate keys verifies the token's signature (`bytes`: its signing
  // input then signature) with the runtime's native crypto: true, false, or null when the
  // backend cannot answer.
  async #signedBy(raw, token, candidates, bytes) {
    const split = token.lastIndexOf(".");
    const input = bytes.subarray(0, split);
    const signature = bytes.subarray(split);
    for (const index of candidates) {
      let imported = webCryptoKey(this.#keys, index, this.#algs[index], () => raw.publicKey(index));
      if (imported instanceof Promise) imported = await imported;
      let ok = imported === null ? null : verifySignature(imported, signature, input);
      if (ok instanceof Promise) ok = await ok;
      if (ok !== false) return ok;
    }
    return false;
  }

  // A presented request (DPoP, certificate) on the native path: the first half in the core
  // (the token's header and candidate keys, the proof up to its signature), both signatures
  // checked here with native crypto, the rest in the core: two calls. `args` are the route's
  // (after the token), `tail` the presentation's. The verdicts are true, false or undefined
  // (the backend could not answer: the core checks that signature itself).
  #presentNative(raw, token, args, tail) {
    let begun;
    const first = settle(() => {
      begun = raw.authorizePresentedBegin(token, ...args, ...tail);
      return typeof begun[0] === "number" ? [] : begun;
    });
    if (first.error !== undefined || typeof begun[0] !== "number") return first;
    return this.#presentedVerdicts(raw, token, begun).then(
      ([tokenOk, proofOk]) =>
        settle(() => raw.authorizePresentedResume(begun[0], ...args, tokenOk, proofOk) ?? raw.authorizePresented(token, ...args, ...tail)),
      (error) => ({ outcome: "refused", error }),
    );
  }

  // [ticket, token candidates, token bytes, proof]: the token's signature (when the core left
  // it), then the proof's ([alg, public key, signing input length, bytes]) with its own key.
  async #presentedVerdicts(raw, token, [, candidates, bytes, proof]) {
    let tokenOk;
    if (bytes !== undefined) {
      tokenOk = (await this.#signedBy(raw, token, candidates, bytes)) ?? undefined;
      // A bad token signature is the answer, whatever the proof (the token comes first).
      if (tokenOk === false) return [false, undefined];
    }
    let proofOk;
    if (proof !== undefined) {
      const [alg, material, split, signed] = proof;
      const key = await proofKey(material, alg);
      let ok = key === null ? null : verifySignature(key, signed.subarray(split), signed.subarray(0, split));
      if (ok instanceof Promise) ok = await ok;
      proofOk = ok ?? undefined;
    }
    return [tokenOk, proofOk];
  }

  // The guard's one trip with a policy (see guard.js): the route's own answer, the
  // token's verification and revocation and the policy's decision in one call into the
  // full module; two (a first half, then the rest) when `native` sends the signature to
  // the runtime's crypto. `{ outcome, result?, decision? }` or `{ error }`; a promise
  // of one on the native path.
  #authorize(policy, token, route, options, native, presented) {
    const raw = this.#withPolicy(policy);
    token = bounded(token, this.#limit);
    const args = [callText(options), route.method, route.path, route.ip, route.environment];
    if (presented !== undefined) {
      const p = presented;
      const tail = [p.url, p.dpop, p.proof, p.certificate];
      if (native && signatureBackend() !== null) return this.#presentNative(raw, token, args, tail);
      return settle(() => raw.authorizePresented(token, ...args, ...tail));
    }
    const whole = () => settle(() => raw.authorize(token, ...args));
    if (!native || !this.#asymmetric || signatureBackend() === null) return whole();
    let begun;
    const first = settle(() => {
      begun = raw.authorizeBegin(token, ...args);
      return typeof begun[0] === "number" ? [] : begun;
    });
    if (first.error !== undefined || typeof begun[0] !== "number") return first;
    return this.#checkNative(raw, token, begun).then(
      (ok) => (ok === null ? whole() : settle(() => raw.authorizeResume(begun[0], ...args) ?? raw.authorize(token, ...args))),
      (error) => ({ outcome: "refused", error }),
    );
  }

  // The guard's verification of a request that presents more than its token (a DPoP proof, a
  // client certificate: `{ url, dpop, proof, certificate }`), in one call into the core: the
  // token, then the proof, then the binding. `{ result }` (with `credential`, `proof`, `nonce`)
  // or `{ error }`. With `native`, the signatures are checked by the runtime's crypto between
  // two calls (the full module's halves, without a policy): a promise of `{ outcome, result }`
  // or `{ outcome: "refused", error }`.
  #present(token, options, request, native) {
    token = bounded(token, this.#limit);
    if (native && signatureBackend() !== null) {
      const args = [callText(options), request.method, "/", undefined, undefined];
      return this.#presentNative(this.#raw, token, args, [request.url, request.dpop, request.proof, request.certificate]);
    }
    try {
      const text = this.#raw.verifyPresented(token, callText(options), request.method, request.url, request.dpop, request.proof, request.certificate);
      return { result: verifiedResult(text) };
    } catch (error) {
      const converted = convert(error);
      if (converted instanceof TollgateError && converted.status) return { error: converted };
      throw converted;
    }
  }

  // This verifier's handle deciding with `policy` too, made once per policy.
  #withPolicy(policy) {
    let raw = this.#byPolicy.get(policy);
    if (raw === undefined) {
      const handle = handles.get(policy)?.raw;
      if (handle === undefined) throw invalidArg("policy must be a Policy (import { Policy } from \"tollgate/policy\")");
      if (typeof this.#raw.withPolicy !== "function") throw invalidArg(STALE);
      raw = this.#raw.withPolicy(handle);
      this.#byPolicy.set(policy, raw);
    }
    return raw;
  }

  /** Entries in the verified-token cache (0 without one). */
  get cacheSize() {
    return this.#cache?.size ?? 0;
  }

  /** Empties the verified-token cache. */
  clearCache() {
    this.#cache?.clear();
  }

  // A repeat of a cached token: the result, or undefined for the full path.
  #hit(token, options) {
    const cache = this.#cache;
    const entry = cache.get(token);
    const base = this.#base;
    if (entry === undefined || base === null) return undefined;
    const c = readCall(options);
    if (c === null) return undefined;
    const now = c.now ?? base.now ?? Math.floor(Date.now() / 1000);
    if (!(now >= entry.from && now < entry.until)) {
      // Past its window by the clock itself (not a time given per call): it is done.
      if (c.now === undefined && base.now === undefined && now >= entry.until) cache.delete(token);
      return undefined;
    }
    const { result } = entry;
    if (!holds(result.scopes, c.requiredScopes ?? base.requiredScopes ?? NONE, c.scopeMode ?? base.scopeMode)) return undefined;
    const roles = c.requiredRoles ?? base.requiredRoles ?? NONE;
    // Roles read leniently at insertion may be refused when required: the core decides.
    if (roles.length > 0 && !entry.rolesStrict) return undefined;
    if (!holds(result.roles, roles, c.roleMode ?? base.roleMode)) return undefined;
    const list = this.#revocations;
    if (list !== undefined) {
      const revision = revisionOf(list);
      if (entry.revision !== revision) {
        if (list.isRevoked(result.claims)) return undefined;
        entry.revision = revision;
      }
    }
    cache.touch(token, entry);
    return result;
  }

  #remember(token, text, options, from, until) {
    // The same token gives the same result: keep the object hits already returned.
    const cached = this.#cache.get(token)?.result;
    const result = cached ?? deepFreeze(verifiedResult(text));
    if (this.#base !== null && from < until) {
      const c = readCall(options);
      const rolesStrict = this.#rolesStrict || (c?.requiredRoles?.length ?? 0) > 0;
      const revision = this.#revocations === undefined ? 0 : revisionOf(this.#revocations);
      this.#cache.set(token, { result, from, until, rolesStrict, revision });
    }
    return result;
  }

  /** Releases the wasm memory now (optional). */
  free() {
    this.#raw.free();
    this.#cache?.clear();
  }
}

/**
 * Compiles verification options once. `cache: true` (1,000 entries) or
 * `{ max }` adds the verified-token cache; results are then frozen and shared.
 */
export function createVerifier(options) {
  return new Verifier(prepare(options));
}

function oneShot(options, name) {
  const prepared = prepare(options);
  if (prepared.cache !== undefined && prepared.cache !== false) {
    prepared.raw.free();
    throw invalidArg(`${name}: options.cache needs a verifier that lives across calls (createVerifier)`);
  }
  return prepared;
}

/** Verifies `token` and returns `{ header, claims, scopes, roles }`. */
export function verify(token, options) {
  checkToken(token);
  const { raw, options: rest } = oneShot(options, "verify");
  try {
    return verifiedResult(call(() => raw.verify(bounded(token, limitOf(rest)), "")));
  } finally {
    raw.free();
  }
}

/**
 * `verify` with the signature of RSA, ECDSA and EdDSA tokens checked by WebCrypto
 * (see `Verifier.verifyAsync`). Keys are imported into WebCrypto once per KeySet.
 */
export async function verifyAsync(token, options) {
  checkToken(token);
  const verifier = new Verifier(oneShot(options, "verifyAsync"));
  try {
    return await verifier.verifyAsync(token);
  } finally {
    verifier.free();
  }
}

/**
 * Decodes `token` WITHOUT verifying it: for UI that shows claims or gates on
 * scopes the server will check. Never use the result to grant access.
 */
export function decode(token, options) {
  checkToken(token);
  const o = plainObject(options, "options");
  const opts = toJson(o, "options");
  return JSON.parse(call(() => wasm.rawDecode(bounded(token, limitOf(o)), opts)));
}

/**
 * Checks scopes held in claims, a space-delimited string or an array against
 * `required`: `{ ok, missing, granted }`.
 */
export function checkScopes(input, required, options) {
  if (!(typeof input === "string" || Array.isArray(input) || (input !== null && typeof input === "object"))) {
    throw invalidArg("checkScopes input must be claims, a scope string or an array of strings");
  }
  if (!Array.isArray(required)) throw invalidArg("required scopes must be an array of strings");
  const opts = toJson(plainObject(options, "options"), "options");
  return JSON.parse(call(() => wasm.rawCheckScopes(toJson(input, "input"), toJson(required, "required"), opts)));
}
// ───────────────────────────────────────────── revocation and policy

// Set by RevocationList's static block: read the wasm handle and the revision.
let rawRevocations;
let revisionOf;

function toSeconds(value, name) {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw invalidArg(`${name} must be a valid Date`);
    return Math.floor(ms / 1000);
  }
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  throw invalidArg(`${name} must be a Date or a non-negative number of seconds since the epoch`);
}

/**
 * Revoked tokens (by `jti`) and subjects (every token of a `sub` issued at or
 * before a time). Give it to `verify`/`createVerifier`/`createGuard` as
 * `revocations`, or to a `Policy`: they share it, so a revocation added later
 * applies at once. Lookups take constant time whatever the list's size.
 */
export class RevocationList {
  #raw;
  #revision = 0; // bumped by every change: cached verifications re-check after one

  constructor(raw) {
    this.#raw = raw instanceof wasm.RawRevocationList ? raw : new wasm.RawRevocationList();
  }

  /**
   * Loads `{ version: 1, tokens: ["jti", …], subjects: { sub: seconds | Date, … } }`
   * (an object or JSON text).
   */
  static fromJson(doc) {
    let text;
    if (typeof doc === "string") {
      text = doc;
    } else {
      const o = plainObject(doc, "revocation list");
      let subjects = o.subjects;
      // Dates become seconds; a list without Dates (10^6 subjects, say) is not copied.
      const hasDates = subjects !== null && typeof subjects === "object" && !Array.isArray(subjects) &&
        Object.values(subjects).some((t) => t instanceof Date);
      if (hasDates) {
        subjects = Object.fromEntries(
          Object.entries(subjects).map(([sub, t]) => [sub, t instanceof Date ? toSeconds(t, `subjects[${JSON.stringify(sub)}]`) : t]),
        );
      }
      text = toJson({ ...o, ...(subjects === undefined ? {} : { subjects }) }, "revocation list");
    }
    return new RevocationList(call(() => wasm.RawRevocationList.fromJson(text)));
  }

  /** Revokes the token with this `jti`. */
  revokeToken(jti) {
    if (typeof jti !== "string" || jti === "") throw invalidArg("revokeToken: jti must be a non-empty string");
    call(() => this.#raw.revokeToken(jti));
    this.#revision++;
    return this;
  }

  /** Revokes every token of `sub` issued at or before `before` (default: now). */
  revokeSubject(sub, before = new Date()) {
    if (typeof sub !== "string" || sub === "") throw invalidArg("revokeSubject: sub must be a non-empty string");
    const seconds = toSeconds(before, "revokeSubject: before");
    call(() => this.#raw.revokeSubject(sub, seconds));
    this.#revision++;
    return this;
  }

  /** Whether the token with these claims (or this verify result) is revoked. */
  isRevoked(claims) {
    return this.revokedBy(claims) !== null;
  }

  /**
   * Why the token with these claims is revoked: `"token"` (its `jti` is
   * listed), `"subject"` (its subject's tokens issued at or before a time
   * are), or `null`.
   */
  revokedBy(claims) {
    // A verify result holds the claims in `claims`. Both the object and its `claims` are
    // asked: raw claims with a claim named `claims` cannot steer the lookup away from their
    // own `jti` and `sub` (at worst an odd claim refuses a token: the list fails closed).
    const o = plainObject(claims, "claims");
    const inner = o.claims !== null && typeof o.claims === "object" && !Array.isArray(o.claims) ? o.claims : undefined;
    return this.#revokedBy(o) ?? (inner === undefined ? null : this.#revokedBy(inner));
  }

  #revokedBy(o) {
    const str = (v) => (typeof v === "string" ? v : undefined);
    const iat = typeof o.iat === "number" ? o.iat : undefined;
    const why = call(() => this.#raw.checkParts(str(o.jti), str(o.sub), iat));
    return why === "" ? null : why;
  }

  /** Number of revoked token ids plus revoked subjects. */
  get size() {
    return this.#raw.tokenCount() + this.#raw.subjectCount();
  }

  /** Number of revoked token ids. */
  get tokenCount() {
    return this.#raw.tokenCount();
  }

  /** Number of revoked subjects. */
  get subjectCount() {
    return this.#raw.subjectCount();
  }

  /** Releases this handle's wasm memory (verifiers and policies keep theirs). */
  free() {
    this.#raw.free();
  }

  static {
    rawRevocations = (list, name) => {
      if (!(list instanceof RevocationList)) throw invalidArg(`${name} must be a RevocationList`);
      if (!(list.#raw instanceof wasm.RawRevocationList)) throw invalidArg(STALE);
      return list.#raw;
    };
    revisionOf = (list) => list.#revision;
  }
}

// ───────────────────────────────────────────── introspection responses (internal)

// An HMAC algorithm, for the throwaway key below (64 zero bytes: long enough for any).
const THROWAWAY_ALG = Object.keys(ALGORITHMS).find((alg) => ALGORITHMS[alg].kty === "oct");

/**
 * Checks RFC 7662 introspection responses with the core's own claim checks
 * (`RawVerifier.checkIntrospected`: `active`, then iss, aud, exp, nbf, iat, required
 * claims, `cnf`, revocation, scopes, roles), compiled once from verify options — a
 * guard's, so that an opaque token passes the same checks as a JWT. There is no JWS:
 * `typ` and `algorithms` do not apply, and the core's verifier, which needs keys, gets
 * a throwaway one that nothing ever reaches. `check(response, call)` gives `{ result }`
 * (a verified result: `{ header: {}, claims, scopes, roles }`, claims being the response)
 * or `{ error }`; caller mistakes throw. Lent to the guard through internal.js.
 */
lent.introspectionChecker = (options, policy) => {
  const { keys: _keys, typ: _typ, algorithms: _algorithms, cache: _cache, ...rest } = plainObject(options, "options");
  const throwaway = KeySet.fromSecret(new Uint8Array(64), { alg: THROWAWAY_ALG });
  let prepared;
  try {
    prepared = prepare({ ...rest, keys: throwaway });
  } finally {
    throwaway.free();
  }
  const raw = prepared.raw;
  // With the guard's policy, bound once: a request is then one call (authorize).
  const bound = policy === undefined ? undefined : raw.withPolicy(handles.get(policy).raw);
  return {
    check(response, options) {
      const text = toJson(response, "introspection response");
      try {
        return { result: verifiedResult(call(() => raw.checkIntrospected(text, callText(options)))) };
      } catch (error) {
        if (error instanceof TollgateError && error.status) return { error };
        throw error;
      }
    },
    // With a policy: the response checked and the policy's decision on it, one call into
    // the core (the guard asked the route first). `{ outcome, result?, decision? }` or `{ error }`.
    authorize(response, options, route) {
      const text = toJson(response, "introspection response");
      try {
        const [outcome, resultText, decisionText] = call(() =>
          bound.authorizeIntrospected(text, callText(options), route.method, route.path, route.ip, route.environment),
        );
        return {
          outcome,
          result: resultText === undefined ? undefined : verifiedResult(resultText),
          decision: decisionText === undefined ? undefined : JSON.parse(decisionText),
        };
      } catch (error) {
        if (error instanceof TollgateError && error.status) return { error };
        throw error;
      }
    },
    free: () => raw.free(),
  };
};
