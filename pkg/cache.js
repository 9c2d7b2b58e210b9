// The verified-token cache (opt-in: `createVerifier({ ..., cache })`).
//
// A token the core verified is remembered, keyed by the whole token text (never a
// hash of it: no collisions to engineer), with what a repeat of the same token needs:
// the result (deep-frozen, shared by every hit), the seconds `[from, until)` in which
// the core's time checks (exp, nbf, iat, maxTokenAge, with clockTolerance) pass —
// computed by the core (src/claims.rs `window`) —, the granted scopes and roles, and
// the revocation list's revision it was last checked against.
//
// A hit skips base64, JSON and the signature, never a rule that can change between
// two uses of the same token: the time window, the revocation list (re-checked when it
// changed since), the required scopes and roles of this call. The hit path only ever
// says "yes, as before"; anything it cannot settle exactly (a window closed, a scope
// missing, an unusual option, a list that now names the token) goes to the core's full
// verification, which gives the precise answer or error. Entries leave when their
// window closes (at the token's exp), when the least recently used one makes room, and
// with their verifier: a key set never changes, and a guard whose remote key set is
// refreshed verifies with a new verifier (and cache) for the new set, so a key that
// left the set takes its tokens with it.

// Kept in JS, measured (bench/crossings.mjs): a hit with its scope check costs ~0.3 µs, the
// same check in the core one crossing, ~4 µs (12×). What it reads is a subset of the call
// options (names from the core's CALL_OPTIONS); anything else goes to the core.
import { invalidArg } from "./internal.js";

export const DEFAULT_CACHE_MAX = 1000;
const MAX_CACHE_MAX = 1_000_000;

/** `cache` option → the number of entries, or 0 for no cache. */
export function cacheSize(value) {
  if (value === undefined || value === false) return 0;
  if (value === true) return DEFAULT_CACHE_MAX;
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const names = Object.keys(value).filter((k) => value[k] !== undefined);
    const unknown = names.find((k) => k !== "max");
    if (unknown !== undefined) throw invalidArg(`options.cache: unknown option ${JSON.stringify(unknown)} (known: max)`);
    const max = value.max ?? DEFAULT_CACHE_MAX;
    if (Number.isInteger(max) && max >= 1 && max <= MAX_CACHE_MAX) return max;
  }
  throw invalidArg(`options.cache must be true, false or { max } with max an integer from 1 to ${MAX_CACHE_MAX}`);
}

// RFC 6749 §3.3 scope-token, as the core checks required scopes.
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const MAX_SAFE_SECONDS = 9_007_199_254_740_991;

function mode(value) {
  return value === undefined || value === "all" || value === "any" ? value : null;
}

function list(value, valid) {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return null;
  for (const item of value) if (typeof item !== "string" || !valid(item)) return null;
  return value;
}

/**
 * The per-call options of `verify(token, options)` as a hit reads them —
 * `{ requiredScopes, scopeMode, requiredRoles, roleMode, now }` (undefined when not
 * given) —, or `null` when only the core can judge them (a name or value it might
 * refuse): the caller then takes the full path, which throws the core's error.
 */
export function readCall(options) {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object" || Array.isArray(options)) return null;
  let now;
  for (const name of Object.keys(options)) {
    const value = options[name];
    if (value === undefined) continue;
    switch (name) {
      case "requiredScopes":
      case "scopeMode":
      case "requiredRoles":
      case "roleMode":
        break;
      case "now":
        if (typeof value !== "number" || !(value >= 0 && value <= MAX_SAFE_SECONDS) || now !== undefined) return null;
        now = Math.floor(value);
        break;
      case "currentDate": {
        const ms = value instanceof Date ? value.getTime() : Number.NaN;
        if (Number.isNaN(ms) || now !== undefined || ms < 0) return null;
        now = Math.floor(ms / 1000);
        break;
      }
      default:
        return null;
    }
  }
  const call = {
    requiredScopes: list(options.requiredScopes, (s) => SCOPE_TOKEN.test(s)),
    scopeMode: mode(options.scopeMode),
    requiredRoles: list(options.requiredRoles, (r) => r !== ""),
    roleMode: mode(options.roleMode),
    now,
  };
  for (const name in call) if (call[name] === null) return null;
  return call;
}

/** Whether `held` satisfies `required` in `mode`, exactly as the core's scopes::check. */
export function holds(held, required, mode) {
  if (required.length === 0) return true;
  return mode === "any" ? required.some((r) => held.includes(r)) : required.every((r) => held.includes(r));
}

/** Freezes a JSON value (what JSON.parse returns) all the way down. */
export function deepFreeze(value) {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    for (const key of Object.keys(value)) deepFreeze(value[key]);
    Object.freeze(value);
  }
  return value;
}

/** A bounded LRU map from the whole token text to its entry. */
export class VerifiedCache {
  #max;
  #entries = new Map();

  constructor(max) {
    this.#max = max;
  }

  get max() {
    return this.#max;
  }

  get size() {
    return this.#entries.size;
  }

  get(token) {
    return this.#entries.get(token);
  }

  /** Marks `entry` as the most recently used. */
  touch(token, entry) {
    this.#entries.delete(token);
    this.#entries.set(token, entry);
  }

  delete(token) {
    this.#entries.delete(token);
  }

  set(token, entry) {
    const entries = this.#entries;
    entries.delete(token);
    if (entries.size >= this.#max) entries.delete(entries.keys().next().value);
    entries.set(token, entry);
  }

  clear() {
    this.#entries.clear();
  }
}
