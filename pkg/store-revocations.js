// Revocations in the shared store (store.js): the core's RevocationList semantics (src/revocation.rs)
// — a token by its `jti`; every token of a `sub` issued at or before a time, and that
// subject's tokens without a numeric `iat` — kept where every isolate reads them. An entry
// lives until the tokens it revokes have expired, not forever. The guard asks after the core
// has allowed the request; a store that cannot answer refuses it (503), never admits it.

import { invalidArg } from "./internal.js";
import { DIGESTS } from "./facts.js";
import { CONSTRUCT, checkOptionNames, edgeError, isPlainObject } from "./edge-common.js";

const OPTIONS = new Set(["maxTokenLifetime", "clockTolerance", "timeout", "now"]);
const FAILED = "ERR_REVOCATION_STORE_FAILED";

/** Identifiers past this length are stored by their SHA-256 (a store key has 1 KiB). */
const MAX_PLAIN_ID = 512;

async function keyOf(kind, id) {
  if (id.length <= MAX_PLAIN_ID) return `${kind}:${id}`;
  const digest = new Uint8Array(await crypto.subtle.digest(DIGESTS.SHA256, new TextEncoder().encode(id)));
  return `${kind}#${btoa(String.fromCharCode(...digest)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")}`;
}

function toSeconds(value, name) {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return Math.floor(value.getTime() / 1000);
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  throw invalidArg(`${name} must be a Date or a non-negative number of seconds since the epoch`);
}

function isStore(store) {
  return store !== null && typeof store === "object" && typeof store.get === "function" && typeof store.put === "function";
}

/**
 * For the guard: why the token with these verified claims is revoked (`revokedBy` without
 * its unwrapping of a verified result, which a claim named `claims` could steer).
 */
export let revokedByClaims;

/** Revocations kept in a shared store: see createStoreRevocations. */
export class StoreRevocations {
  #store;
  #lifetime; // seconds: the longest an accepted token lives
  #tolerance; // seconds an entry outlives its tokens' expiry
  #timeout; // ms a lookup may take
  #now; // ms

  constructor(token, store, options) {
    if (token !== CONSTRUCT) throw invalidArg("use createStoreRevocations(store, options)");
    this.#store = store;
    this.#lifetime = options.maxTokenLifetime;
    this.#tolerance = options.clockTolerance;
    this.#timeout = options.timeout;
    this.#now = options.now;
  }

  /**
   * Revokes the token with these claims' `jti` until its `exp` (without one, for
   * `maxTokenLifetime` from now). Takes a verified result's claims as they are.
   */
  async revoke(claims) {
    if (!isPlainObject(claims)) throw invalidArg("revoke: claims must be an object with the token's jti (and exp)");
    const { jti, exp } = claims;
    if (typeof jti !== "string" || jti === "") throw invalidArg("revoke: jti must be a non-empty string");
    if (exp !== undefined && (typeof exp !== "number" || !Number.isFinite(exp))) throw invalidArg("revoke: exp must be a number of seconds");
    const until = (exp ?? this.#now() / 1000 + this.#lifetime) + this.#tolerance;
    // Written to every shard, so that a check reads one object: its subject's.
    await this.#store.put(await keyOf("jti", jti), 0, until, { everyShard: true });
  }

  /**
   * Revokes every token of `sub` issued at or before `before` (default: now), and the
   * subject's tokens without an `iat`, until the last of them has expired: `before` plus
   * `maxTokenLifetime`. A later time replaces an earlier one; an earlier one is ignored.
   */
  async revokeSubject(sub, before = new Date(this.#now())) {
    if (typeof sub !== "string" || sub === "") throw invalidArg("revokeSubject: sub must be a non-empty string");
    const seconds = toSeconds(before, "revokeSubject: before");
    const key = await keyOf("sub", sub);
    await this.#store.put(key, seconds, seconds + this.#lifetime + this.#tolerance, { shardKey: key });
  }

  /**
   * Why the token with these claims (or this verified result) is revoked: `"token"`, `"subject"`
   * or `null`, as `RevocationList.revokedBy`. One lookup; rejects with a `TollgateError`
   * `ERR_REVOCATION_STORE_FAILED` when the store fails or takes longer than `timeout`.
   */
  async revokedBy(claims) {
    if (!isPlainObject(claims)) throw invalidArg("revokedBy: claims must be an object");
    // As RevocationList.revokedBy: the object and its `claims` (a verified result's) are both
    // asked, so that a claim named `claims` cannot steer the lookup away from the token's own.
    const own = await this.#check(claims);
    return own ?? (isPlainObject(claims.claims) ? this.#check(claims.claims) : null);
  }

  /** `revokedBy` of claims, never of a result: a token may carry a claim named `claims`. */
  async #check(c) {
    const jti = typeof c.jti === "string" && c.jti !== "" ? await keyOf("jti", c.jti) : undefined;
    const sub = typeof c.sub === "string" && c.sub !== "" ? await keyOf("sub", c.sub) : undefined;
    const keys = [jti, sub].filter((k) => k !== undefined);
    if (keys.length === 0) return null;
    const values = await this.#lookup(keys, sub ?? jti);
    if (jti !== undefined && values[0] !== undefined) return "token";
    if (sub === undefined) return null;
    const before = values[keys.length - 1];
    if (before === undefined) return null;
    // A token without a numeric iat cannot be shown to follow the revocation.
    return typeof c.iat === "number" && c.iat > before ? null : "subject";
  }

  /** Whether the token with these claims is revoked (see revokedBy). */
  async isRevoked(claims) {
    return (await this.revokedBy(claims)) !== null;
  }

  static {
    revokedByClaims = (revocations, claims) => revocations.#check(claims);
  }

  async #lookup(keys, shardKey) {
    let timer;
    const deadline = new Promise((_, reject) => {
      timer = setTimeout(() => reject(edgeError(FAILED, `the revocation store did not answer within ${this.#timeout} ms`)), this.#timeout);
    });
    const work = (async () => {
      let values;
      try {
        values = await this.#store.get(keys, { shardKey });
      } catch (cause) {
        throw edgeError(FAILED, "the revocation store failed", { cause });
      }
      if (!Array.isArray(values) || values.length !== keys.length) throw edgeError(FAILED, "the revocation store answered unusably");
      return values;
    })();
    // Whichever loses the race must not surface as an unhandled rejection.
    work.catch(() => {});
    deadline.catch(() => {});
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * Revocations that every isolate sees: kept in `store` (createDurableStore across isolates and
 * locations; createMemoryStore for one). Give the result to `createGuard` as `revocations`.
 * `maxTokenLifetime` (seconds, required): the longest lifetime of a token the guard accepts,
 * how long a subject's revocation lasts. `clockTolerance` (seconds, default 60): how long an
 * entry outlives its tokens' `exp`. `timeout` (ms, default 1000): a slower lookup refuses the
 * request (503). `now` (ms) is for tests.
 */
export function createStoreRevocations(store, options) {
  if (!isStore(store)) throw invalidArg("createStoreRevocations: store must be a Store (createDurableStore or createMemoryStore)");
  if (!isPlainObject(options)) throw invalidArg("createStoreRevocations: options must be an object with maxTokenLifetime");
  checkOptionNames(options, OPTIONS, "createStoreRevocations");
  const { maxTokenLifetime, clockTolerance = 60, timeout = 1000, now = Date.now } = options;
  for (const [name, value] of [["maxTokenLifetime", maxTokenLifetime], ["clockTolerance", clockTolerance]]) {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw invalidArg(`createStoreRevocations: ${name} must be a non-negative number of seconds`);
    }
  }
  if (!(maxTokenLifetime > 0)) throw invalidArg("createStoreRevocations: maxTokenLifetime must be positive");
  if (!Number.isInteger(timeout) || timeout < 1) throw invalidArg("createStoreRevocations: timeout must be a positive integer of milliseconds");
  if (typeof now !== "function") throw invalidArg("createStoreRevocations: now must be a function returning milliseconds");
  return new StoreRevocations(CONSTRUCT, store, { maxTokenLifetime, clockTolerance, timeout, now });
}
