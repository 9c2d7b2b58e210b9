// Shared by the package's modules, never exported from an entry point.

/**
 * The results of tollgate's own verification, each with the JSON text the verifier
 * produced. A policy decides on that text (the claims as verified, not as the caller may
 * have changed the object since), and knows the result is verified by finding it here.
 */
export const verifiedTexts = new WeakMap();

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

// The units of the core's durations (src/options.rs parse_duration).
const UNITS = {
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600,
  d: 86_400, day: 86_400, days: 86_400,
  w: 604_800, week: 604_800, weeks: 604_800,
  y: 31_557_600, yr: 31_557_600, yrs: 31_557_600, year: 31_557_600, years: 31_557_600,
};

/**
 * Seconds of a duration string with a unit ("30s", "5 minutes", "1.5h"; at most 15
 * digits), the grammar of the core's durations; `NaN` for anything else.
 */
export function unitDuration(text) {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(text.trim());
  const unit = match && UNITS[match[2].toLowerCase()];
  if (!match || !unit || match[1].replace(".", "").length > 15) return Number.NaN;
  return Number(match[1]) * unit;
}
