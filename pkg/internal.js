// Shared by the package's modules, never exported from an entry point.

import { DURATION_MAX_DIGITS, DURATION_UNITS } from "./facts.js";

/**
 * The results of tollgate's own verification, each with the JSON text the verifier
 * produced. A policy decides on that text (the claims as verified, not as the caller may
 * have changed the object since), and knows the result is verified by finding it here.
 */
export const verifiedTexts = new WeakMap();

/**
 * What other files of the package need from an object, beyond its API: a Policy's
 * compiled policy and revocation list (`{ raw, revocations }`), a Verifier's one-trip
 * authorization (`{ authorize }`, see tollgate.js), both for the guard.
 */
export const handles = new WeakMap();

/**
 * What tollgate.js lends the package's other modules without exporting it, set when
 * tollgate.js is evaluated (before any module that imports it runs):
 * `introspectionChecker(options, policy?)` (see tollgate.js).
 */
export const lent = {};

/** The verifier option (a RawDpop handle) the guard's verifiers check DPoP proofs with. */
export const DPOP = Symbol("tollgate.dpop");

/** A caller mistake: a `TypeError` with code `ERR_INVALID_ARG`, never a 401. */
export function invalidArg(message) {
  const error = new TypeError(message);
  error.code = "ERR_INVALID_ARG";
  return error;
}

/**
 * Refuses an option name not in `allowed`, naming every allowed one: a misspelled
 * `audiance` must never silently disable a check.
 */
export function checkOptionNames(options, allowed, name) {
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) {
      throw invalidArg(`${name}: unknown option \`${key}\` (expected one of: ${[...allowed].join(", ")})`);
    }
  }
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
