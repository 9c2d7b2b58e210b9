// Shared by the package's modules, never exported from an entry point.

import { DURATION_MAX_DIGITS, DURATION_UNITS } from "./facts.js";

/**
 * The results of tollgate's own verification, each with the JSON text the verifier
 * produced. A policy decides on that text (the claims as verified, not as the caller may
 * have changed the object since), and knows the result is verified by finding it here.
 */
export const verifiedTexts = new WeakMap();

/**
 * The wasm handles behind the package's objects that other files of the package need:
 * a Policy's compiled policy and revocation list (`{ raw, revocations }`), for the guard.
 */
export const handles = new WeakMap();

/** A Verifier's one-trip authorization, for the guard (see Verifier in tollgate.js). */
export const AUTHORIZE = Symbol("tollgate.authorize");

/** A Verifier's verification of a request that presents more than its token (DPoP, mTLS). */
export const PRESENT = Symbol("tollgate.present");

/** The verifier option (a RawDpop handle) the guard's verifiers check DPoP proofs with. */
export const DPOP = Symbol("tollgate.dpop");

/** A caller mistake: a `TypeError` with code `ERR_INVALID_ARG`, never a 401. */
export function invalidArg(message) {
  const error = new TypeError(message);
  error.code = "ERR_INVALID_ARG";
  return error;
}

/** An options-style argument: `{}` when absent, else it must be a (non-array) object. */
export function plainObject(value, name) {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw invalidArg(`${name} must be an object`);
  return value;
}

/**
 * Seconds of a duration string with a unit ("30s", "5 minutes", "1.5h"; at most 15
 * digits), the grammar of the core's durations; `NaN` for anything else.
 */
export function unitDuration(text) {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(text.trim());
  const name = match?.[2].toLowerCase();
  if (!match || !Object.hasOwn(DURATION_UNITS, name) || match[1].replace(".", "").length > DURATION_MAX_DIGITS) {
    return Number.NaN;
  }
  return Number(match[1]) * DURATION_UNITS[name];
}
