// tollgate SPA helpers — read an access token in the browser, for UI only.
//
//   expiresIn(token, { now })                     seconds until `exp` (null: no `exp`)
//   isExpired(token, { clockTolerance, now })     true when expired, malformed or without `exp`
//   hasScopes(token, scopes, { mode })            false when a scope is missing or the token is malformed
//   scheduleRefresh(token, refresh, { before })   calls refresh() `before` seconds ahead of `exp` (null: no `exp`)
//
// NOT A SECURITY BOUNDARY. These read the token with `decode`: the signature, issuer and
// audience are NOT checked, and anyone can edit a token in their browser. Use them to
// decide what to SHOW and when to refresh; the API must verify every token it receives.
//
// Built on `decode` and `checkScopes` only; the exp rule is the core's, restated here
// (RFC 7519 §4.1.4: the current time must be before `exp`; a NumericDate is a finite,
// non-negative JSON number, at most 2^53 - 1, as in src/claims.rs).
//
// Choices (see the README):
//   - Caller mistakes (a token that is not a string, a misspelled option, a bad
//     clockTolerance, required scopes that are not scope tokens) are TypeErrors with code
//     ERR_INVALID_ARG, as everywhere in tollgate.
//   - A malformed token never throws from the predicates: `isExpired` says true and
//     `hasScopes` says false, so a broken token hides UI (fails closed). `expiresIn` has
//     no honest number to return and throws the TollgateError `decode` or `verify` would.
//     `scheduleRefresh` reads `exp` as `expiresIn` does, so it answers as `expiresIn`: it
//     throws for a malformed token and returns null (nothing to schedule) without `exp`.

import { TollgateError, checkScopes, decode } from "./tollgate.js";
import { invalidArg, unitDuration } from "./internal.js";
import { challenge, statusOf } from "./answer.js";

/** Largest NumericDate accepted (Number.MAX_SAFE_INTEGER), as in the core. */
const MAX_NUMERIC_DATE = 9_007_199_254_740_991;

const EXPIRES_IN_OPTIONS = new Set(["now", "currentDate"]);
const IS_EXPIRED_OPTIONS = new Set(["now", "currentDate", "clockTolerance", "dangerouslyAllowMissingExp"]);
const HAS_SCOPES_OPTIONS = new Set(["mode", "scopeClaim"]);
const SCHEDULE_OPTIONS = new Set(["before", "minDelay", "now", "currentDate", "signal", "repeat"]);

/** The longest delay setTimeout keeps (2^31 - 1 ms, ~24.8 days): a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function options(value, allowed, name) {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw invalidArg(`${name} options must be an object`);
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) {
      throw invalidArg(`${name}: unknown option \`${key}\` (expected one of: ${[...allowed].join(", ")})`);
    }
  }
  return value;
}

function checkToken(token) {
  if (typeof token !== "string") {
    throw invalidArg(`token must be a string, got ${token === null ? "null" : typeof token}`);
  }
}

// The clock in seconds: `now` (seconds), `currentDate` (a Date) or the system clock.
// Not floored: a countdown built on expiresIn moves smoothly.
function clock(opts, name) {
  if (opts.now !== undefined && opts.currentDate !== undefined) {
    throw invalidArg(`${name}: give now or currentDate, not both`);
  }
  if (opts.currentDate !== undefined) {
    const date = opts.currentDate;
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
      throw invalidArg(`${name}.currentDate must be a valid Date`);
    }
    return date.getTime() / 1000;
  }
  if (opts.now !== undefined) {
    if (typeof opts.now !== "number" || !Number.isFinite(opts.now) || opts.now < 0) {
      throw invalidArg(`${name}.now must be a finite, non-negative number of seconds`);
    }
    return opts.now;
  }
  return Date.now() / 1000;
}

// Seconds, or a jose-style duration string: the grammar of the core's parse_duration
// ("30s", "5 minutes", "1.5h"; at most 15 digits; a unit is required in a string).
function tolerance(value, name, option = "clockTolerance", fallback = 0) {
  if (value === undefined) return fallback;
  let seconds = Number.NaN;
  if (typeof value === "number") seconds = value;
  else if (typeof value === "string") seconds = unitDuration(value);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw invalidArg(`${name}.${option} must be seconds or a duration like "30s" or "5m"`);
  }
  return seconds;
}

function jwtInvalid(message) {
  const code = "ERR_JWT_INVALID";
  return new TollgateError(message, {
    code,
    status: statusOf(code),
    wwwAuthenticate: challenge(code, undefined, message),
    claim: "exp",
    reason: "invalid",
  });
}

// `exp` as the core reads it: absent (undefined) or a valid NumericDate; else ERR_JWT_INVALID.
function expOf(token) {
  const { claims } = decode(token);
  if (!Object.hasOwn(claims, "exp")) return undefined;
  const exp = claims.exp;
  if (typeof exp !== "number") throw jwtInvalid("time claim (exp, nbf, iat) must be a JSON number");
  if (!Number.isFinite(exp) || exp < 0 || exp > MAX_NUMERIC_DATE) {
    throw jwtInvalid("time claim (exp, nbf, iat) is out of range");
  }
  return exp;
}

/**
 * Seconds until the token's `exp` (negative once it has passed), or `null` when the token
 * has no `exp`. NOT verified: for UI and refresh scheduling only.
 * Throws a TollgateError for a malformed token, a TypeError for misuse.
 */
export function expiresIn(token, opts) {
  checkToken(token);
  const now = clock(options(opts, EXPIRES_IN_OPTIONS, "expiresIn"), "expiresIn");
  const exp = expOf(token);
  return exp === undefined ? null : exp - now;
}

/**
 * Whether the token is expired — by verify's rule, `exp <= now - clockTolerance` — or
 * malformed, or has no `exp` (unless `dangerouslyAllowMissingExp`, as in verify).
 * NOT verified: for UI only. Throws only TypeErrors, for misuse.
 */
export function isExpired(token, opts) {
  checkToken(token);
  const o = options(opts, IS_EXPIRED_OPTIONS, "isExpired");
  const now = clock(o, "isExpired");
  const skew = tolerance(o.clockTolerance, "isExpired");
  if (o.dangerouslyAllowMissingExp !== undefined && typeof o.dangerouslyAllowMissingExp !== "boolean") {
    throw invalidArg("isExpired.dangerouslyAllowMissingExp must be a boolean");
  }
  let exp;
  try {
    exp = expOf(token);
  } catch (error) {
    if (error instanceof TollgateError) return true; // malformed: reads as expired
    throw error;
  }
  if (exp === undefined) return o.dangerouslyAllowMissingExp !== true;
  return exp <= now - skew;
}

/**
 * Whether the token grants `scopes` (all of them, or any with `{ mode: "any" }`); false
 * for a malformed token. Does not look at `exp`: combine with isExpired.
 * NOT verified: for UI only. Throws only TypeErrors, for misuse.
 */
export function hasScopes(token, scopes, opts) {
  checkToken(token);
  const { mode, scopeClaim } = options(opts, HAS_SCOPES_OPTIONS, "hasScopes");
  if (!Array.isArray(scopes)) throw invalidArg("hasScopes: scopes must be an array of strings");
  // Check the required list first: a bad list is a bug even when the token is broken.
  checkScopes([], scopes, { mode });
  let granted;
  try {
    granted = decode(token, scopeClaim === undefined ? undefined : { scopeClaim }).scopes;
  } catch (error) {
    if (error instanceof TollgateError) return false; // malformed: grants nothing
    throw error;
  }
  return checkScopes(granted, scopes, { mode }).ok;
}

/**
 * Calls `refresh()` `before` seconds (default 60) ahead of the token's `exp`, and at
 * least `minDelay` seconds (default 1) from now; returns `{ cancel(), active }`, or
 * `null` when the token has no `exp` (nothing to schedule). With `repeat`, a string
 * that `refresh` returns or resolves to is the next token, scheduled the same way
 * (repetition ends at a non-string, or a token without a readable `exp`). `signal`
 * cancels it. Delays beyond setTimeout's limit (~24.8 days) are re-armed, never fired
 * early. NOT verified: `exp` is read as `expiresIn` reads it, and like it this throws
 * a TollgateError for a malformed token, a TypeError on misuse. An error of `refresh`
 * ends the schedule and stays `refresh`'s, as with `setTimeout(refresh)`.
 */
export function scheduleRefresh(token, refresh, opts) {
  checkToken(token);
  if (typeof refresh !== "function") throw invalidArg("scheduleRefresh: refresh must be a function");
  const o = options(opts, SCHEDULE_OPTIONS, "scheduleRefresh");
  const before = tolerance(o.before, "scheduleRefresh", "before", 60);
  const minDelay = tolerance(o.minDelay, "scheduleRefresh", "minDelay", 1);
  if (o.repeat !== undefined && typeof o.repeat !== "boolean") throw invalidArg("scheduleRefresh.repeat must be a boolean");
  const signal = o.signal;
  if (signal !== undefined && !(typeof signal?.aborted === "boolean" && typeof signal.addEventListener === "function")) {
    throw invalidArg("scheduleRefresh.signal must be an AbortSignal");
  }
  const now = clock(o, "scheduleRefresh");
  const exp = expOf(token);
  if (exp === undefined) return null;

  let active = true;
  let timer;
  let dueAt; // ms on the system clock: re-arming counts from it, not from a stale delay
  const cancel = () => {
    active = false;
    clearTimeout(timer);
    signal?.removeEventListener("abort", cancel);
  };
  const wait = () => {
    const left = dueAt - Date.now();
    timer = left > MAX_TIMER_MS ? setTimeout(wait, MAX_TIMER_MS) : setTimeout(fire, Math.max(0, left));
  };
  const arm = (exp, now) => {
    dueAt = Date.now() + Math.max(minDelay, exp - before - now) * 1000;
    wait();
  };
  const next = (value) => {
    if (!active) return;
    let exp;
    try {
      exp = typeof value === "string" ? expOf(value) : undefined;
    } catch {
      exp = undefined; // an unreadable new token: nothing to schedule
    }
    if (exp === undefined) cancel();
    else arm(exp, Date.now() / 1000);
  };
  const fire = () => {
    if (!active) return;
    if (o.repeat !== true) cancel();
    let result;
    try {
      result = refresh();
    } catch (error) {
      cancel();
      throw error;
    }
    if (o.repeat === true) {
      const ended = (error) => {
        cancel();
        throw error; // still unhandled unless refresh handles it, as without the schedule
      };
      if (result !== null && typeof result?.then === "function") result.then(next, ended);
      else next(result);
    }
  };

  const handle = {
    cancel,
    get active() {
      return active;
    },
  };
  if (signal?.aborted) {
    active = false;
    return handle;
  }
  signal?.addEventListener("abort", cancel, { once: true });
  arm(exp, now);
  return handle;
}
