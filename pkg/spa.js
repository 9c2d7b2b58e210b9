// tollgate SPA helpers — read an access token in the browser, for UI only.
//
//   expiresIn(token, { now })                     seconds until `exp` (null: no `exp`)
//   isExpired(token, { clockTolerance, now })     true when expired, malformed or without `exp`
//   hasScopes(token, scopes, { mode })            false when a scope is missing or the token is malformed
//   scheduleRefresh(token, refresh, { skew, onError })
//                                                 calls refresh() `skew` seconds (less a jitter) ahead of
//                                                 `exp`, then for the token it gives (null: no `exp`)
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
//   - `scheduleRefresh` never holds a refresh token: `refresh` is the app's own call to
//     its auth server (or backend-for-frontend), and its answer is only read for `exp`.
//     It calls `refresh` once per token; only a failed call is retried, and never after
//     `exp`. While the page is hidden nothing is called (a background tab need not keep
//     a session alive, and many tabs must not all refresh); a call that came due then
//     runs as soon as the page shows.

import { TollgateError, checkScopes, decode } from "./tollgate.js";
import { checkOptionNames, invalidArg, plainObject, unitDuration } from "./internal.js";
import { challenge, statusOf } from "./answer.js";

/** Largest NumericDate accepted (Number.MAX_SAFE_INTEGER), as in the core. */
const MAX_NUMERIC_DATE = 9_007_199_254_740_991;

const EXPIRES_IN_OPTIONS = new Set(["now", "currentDate"]);
const IS_EXPIRED_OPTIONS = new Set(["now", "currentDate", "clockTolerance", "dangerouslyAllowMissingExp"]);
const HAS_SCOPES_OPTIONS = new Set(["mode", "scopeClaim"]);
const SCHEDULE_OPTIONS = new Set([
  "skew", "before", "jitter", "minDelay", "retryDelay", "onError", "repeat", "pauseWhenHidden", "signal", "now", "currentDate",
]);

/** The longest delay setTimeout keeps (2^31 - 1 ms, ~24.8 days): a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** The default jitter is a tenth of the token's remaining life, and at most this (seconds). */
const MAX_DEFAULT_JITTER = 30;
/** Seconds between a failed refresh and the next try, by default. */
const DEFAULT_RETRY_DELAY = 10;

function options(value, allowed, name) {
  const o = plainObject(value, `${name} options`);
  checkOptionNames(o, allowed, name);
  return o;
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
 * Calls `refresh()` `skew` seconds (default 60) ahead of the token's `exp`, less a random
 * part of `jitter`, and never sooner than `minDelay` from now. The string `refresh`
 * returns or resolves to is the next token, scheduled the same way (`repeat`, default
 * true). Returns a handle `{ cancel(), active, token, refreshAt }`, or `null` when the
 * token has no `exp`. The full contract is in spa.d.ts and docs/spa.md.
 *
 * NOT verified: `exp` is read as `expiresIn` reads it, and like it this throws a
 * TollgateError for a malformed token, a TypeError on misuse.
 */
export function scheduleRefresh(token, refresh, opts) {
  checkToken(token);
  if (typeof refresh !== "function") throw invalidArg("scheduleRefresh: refresh must be a function");
  const o = options(opts, SCHEDULE_OPTIONS, "scheduleRefresh");
  if (o.skew !== undefined && o.before !== undefined) {
    throw invalidArg("scheduleRefresh: give skew or before (its former name), not both");
  }
  const skew = tolerance(o.skew ?? o.before, "scheduleRefresh", o.before === undefined ? "skew" : "before", 60);
  const jitter = o.jitter === undefined ? undefined : tolerance(o.jitter, "scheduleRefresh", "jitter");
  const minDelay = tolerance(o.minDelay, "scheduleRefresh", "minDelay", 1);
  const onError = o.onError;
  if (onError !== undefined && typeof onError !== "function") throw invalidArg("scheduleRefresh.onError must be a function");
  // Without onError a failure ends the schedule (the error stays unhandled, as before
  // onError existed): a retryDelay there would be silently ignored.
  if (o.retryDelay !== undefined && onError === undefined) {
    throw invalidArg("scheduleRefresh.retryDelay needs onError (without it, a failed refresh ends the schedule)");
  }
  // Not below minDelay: a refresh that throws at once must not become a busy loop.
  const retryDelay = Math.max(minDelay, tolerance(o.retryDelay, "scheduleRefresh", "retryDelay", DEFAULT_RETRY_DELAY));
  for (const name of ["repeat", "pauseWhenHidden"]) {
    if (o[name] !== undefined && typeof o[name] !== "boolean") throw invalidArg(`scheduleRefresh.${name} must be a boolean`);
  }
  const repeat = o.repeat ?? true;
  const page = visibleDocument();
  if (o.pauseWhenHidden === true && page === undefined) {
    throw invalidArg("scheduleRefresh.pauseWhenHidden needs a document with visibilityState (a page); there is none here");
  }
  const pause = page !== undefined && o.pauseWhenHidden !== false;
  const signal = o.signal;
  if (signal !== undefined && !(typeof signal?.aborted === "boolean" && typeof signal.addEventListener === "function")) {
    throw invalidArg("scheduleRefresh.signal must be an AbortSignal");
  }
  const now = clock(o, "scheduleRefresh");
  let exp = expOf(token);
  if (exp === undefined) return null;

  // One state at a time, so that a token triggers one call however timers and
  // visibility events interleave: only "waiting" and "paused" lead to a call, and a call
  // leaves them at once. A failed call may be retried; a successful one never is.
  let state = "waiting"; // a timer runs toward dueAt | "paused": due while hidden | "calling" | "ended"
  let current = token;
  let dueAt = null; // ms on the system clock: re-arming counts from it, not from a stale delay
  let timer;

  const end = () => {
    state = "ended";
    dueAt = null;
    clearTimeout(timer);
    signal?.removeEventListener("abort", end);
    if (pause) page.removeEventListener("visibilitychange", shown);
  };
  const wait = () => {
    const left = dueAt - Date.now();
    timer = left > MAX_TIMER_MS ? setTimeout(wait, MAX_TIMER_MS) : setTimeout(due, Math.max(0, left));
  };
  const arm = (at) => {
    state = "waiting";
    dueAt = Math.ceil(at);
    clearTimeout(timer);
    wait();
  };
  // The jitter comes off the delay, so that the tabs of one user (or the users of one
  // deployment, all given tokens at the same instant) do not refresh together.
  const plan = (exp, now) => {
    const left = exp - now;
    const spread = jitter ?? Math.min(MAX_DEFAULT_JITTER, Math.max(0, left / 10));
    arm(Date.now() + Math.max(minDelay, left - skew - Math.random() * spread) * 1000);
  };
  const due = () => {
    if (state !== "waiting") return;
    if (pause && page.visibilityState === "hidden") state = "paused";
    else call();
  };
  // Back on screen: a refresh that came due while hidden — or whose timer a sleeping
  // laptop or a throttled background tab held back — runs now.
  const shown = () => {
    if (page.visibilityState !== "visible") return;
    if (state === "paused" || (state === "waiting" && Date.now() >= dueAt)) call();
  };
  const call = () => {
    state = "calling";
    dueAt = null;
    clearTimeout(timer);
    let result;
    try {
      result = refresh();
    } catch (error) {
      failed(error);
      return;
    }
    if (result !== null && typeof result?.then === "function") result.then(settled, failed);
    else settled(result);
  };
  const settled = (value) => {
    if (state !== "calling") return; // cancelled meanwhile
    // The same token again is no new token: refreshing it twice would loop every minDelay.
    if (typeof value !== "string" || value === current) return end();
    current = value;
    if (!repeat) return end();
    let next;
    try {
      next = expOf(value);
    } catch (error) {
      end(); // an unreadable new token (a TollgateError): nothing to schedule
      onError?.(error);
      return;
    }
    if (next === undefined) return end(); // no exp: nothing to schedule
    exp = next;
    plan(exp, Date.now() / 1000);
  };
  const failed = (error) => {
    if (state === "calling") {
      // Retried while the current token lasts: a retry after `exp` would be no refresh.
      const at = Date.now() + retryDelay * 1000;
      if (onError !== undefined && at < exp * 1000) arm(at);
      else end();
    }
    if (onError === undefined) throw error; // unhandled, as with setTimeout(refresh)
    onError(error);
  };
  const cancel = () => {
    if (state !== "ended") end();
  };

  const handle = {
    cancel,
    get active() {
      return state !== "ended";
    },
    get token() {
      return current;
    },
    get refreshAt() {
      return state === "waiting" || state === "paused" ? dueAt : null;
    },
  };
  if (signal?.aborted) {
    state = "ended";
    return handle;
  }
  signal?.addEventListener("abort", end, { once: true });
  if (pause) page.addEventListener("visibilitychange", shown);
  plan(exp, now);
  return handle;
}

/** The page's document when there is one that reports visibility (not in Node or a worker). */
function visibleDocument() {
  const page = globalThis.document;
  if (typeof page?.addEventListener !== "function" || typeof page.visibilityState !== "string") return undefined;
  return page;
}
