/**
 * tollgate SPA helpers: read an access token in a single-page app to decide what to
 * show and when to refresh it.
 *
 * **NOT A SECURITY BOUNDARY.** These functions read the token with {@link decode}: its
 * signature, issuer and audience are NOT checked, and anyone can edit a token in their
 * own browser. Use them to hide a button or schedule a refresh; the API must verify every
 * token it receives (`verify`, `createVerifier`, `createGuard`).
 *
 * Re-exported by the package's main entry (`export * from "./spa.js"` in index.js; for the
 * types, in tollgate.d.ts, which describes that entry).
 * @packageDocumentation
 */

import type { Duration } from "./tollgate.js";

/** The clock of {@link expiresIn} and {@link isExpired}: give at most one. */
export interface SpaClockOptions {
  /** The current time in seconds since the epoch (may be fractional). Default: `Date.now() / 1000`. */
  now?: number;
  /** The current time as a Date (jose's name). */
  currentDate?: Date;
}

/** Options of {@link isExpired}. */
export interface IsExpiredOptions extends SpaClockOptions {
  /** Seconds, or a duration such as `"30s"`, granted after `exp` (as in `verify`). Default 0. */
  clockTolerance?: Duration;
  /** Read a token without `exp` as not expired (by default it reads as expired, since `verify` refuses it). */
  dangerouslyAllowMissingExp?: boolean;
}

/** Options of {@link hasScopes}. */
export interface HasScopesOptions {
  /** `"all"` (default) or `"any"` of the scopes. */
  mode?: "all" | "any";
  /** Read scopes only from this claim. Default: `scope`, `scp` and `permissions` together. */
  scopeClaim?: string;
}

/**
 * Seconds until the token's `exp`: positive while it is valid, zero or negative once it has
 * passed, `null` when the token has no `exp`. Not rounded (the clock defaults to
 * `Date.now() / 1000`).
 *
 * **Not a security boundary:** the token is decoded, NOT verified.
 *
 * Throws a `TollgateError` when the token is malformed (the code `decode` gives, e.g.
 * `ERR_JWS_INVALID`, or `ERR_JWT_INVALID` with `claim: "exp"` when `exp` is not a valid
 * NumericDate), and a `TypeError` (`ERR_INVALID_ARG`) on misuse.
 *
 * `null` rather than `Infinity` on purpose: TypeScript makes you handle it, where
 * `setTimeout(refresh, Infinity)` would fire at once and loop.
 *
 * @example
 * ```ts
 * // Refresh one minute before expiry, keeping the token in memory only.
 * const seconds = expiresIn(accessToken);
 * if (seconds !== null) setTimeout(refresh, Math.max(0, seconds - 60) * 1000);
 * ```
 */
export function expiresIn(token: string, options?: SpaClockOptions): number | null;

/**
 * Whether the token is expired by `verify`'s rule (`exp <= now - clockTolerance`).
 * Fails closed for UI: a malformed token, an invalid `exp`, or no `exp` at all (unless
 * `dangerouslyAllowMissingExp`) read as expired. Never throws for a bad token; throws a
 * `TypeError` (`ERR_INVALID_ARG`) only on misuse (not a string, unknown option, bad
 * `clockTolerance`).
 *
 * **Not a security boundary:** the token is decoded, NOT verified.
 *
 * @example
 * ```ts
 * if (isExpired(accessToken, { clockTolerance: "30s" })) await signIn();
 * ```
 */
export function isExpired(token: string, options?: IsExpiredOptions): boolean;

/**
 * Whether the token grants `scopes` (all of them by default, any one with
 * `{ mode: "any" }`): exact, case-sensitive matching, as in `checkScopes`. A malformed
 * token grants nothing (false). Does not look at `exp`: combine with {@link isExpired}.
 * Throws a `TypeError` (`ERR_INVALID_ARG`) only on misuse (not a string, `scopes` not an
 * array of scope tokens, unknown option).
 *
 * **Not a security boundary:** the token is decoded, NOT verified. Hide a button with it;
 * the API still answers 403 to a token without the scope.
 *
 * @example
 * ```ts
 * deleteButton.hidden = !hasScopes(accessToken, ["delete:messages"]);
 * adminMenu.hidden = !hasScopes(accessToken, ["admin", "owner"], { mode: "any" });
 * ```
 */
export function hasScopes(token: string, scopes: string[], options?: HasScopesOptions): boolean;

/** Options of {@link scheduleRefresh}. Give at most one of `now` and `currentDate`. */
export interface ScheduleRefreshOptions extends SpaClockOptions {
  /** Seconds, or a duration such as `"2m"`, ahead of `exp`. Default 60. */
  skew?: Duration;
  /** The former name of `skew` (give one, not both). @deprecated Use `skew`. */
  before?: Duration;
  /**
   * Up to this many seconds (or a duration) more, chosen at random, come off each delay, so
   * that many tabs or users given tokens at once do not refresh at once. Default: a tenth
   * of the token's remaining life, at most 30 s. `0` for an exact time.
   */
  jitter?: Duration;
  /** The shortest delay, in seconds or a duration: a token already within `skew` of `exp` refreshes after it. Default 1. */
  minDelay?: Duration;
  /**
   * With `onError`: after a failed refresh, try again this long after (seconds or a
   * duration, at least `minDelay`). Default 10. A retry that would come at or after `exp`
   * is not made: the schedule ends. Without `onError` this option is refused.
   */
  retryDelay?: Duration;
  /**
   * Receives what `refresh` throws or rejects with (then the refresh is retried, see
   * `retryDelay`), and the `TollgateError` of a malformed token it hands back (then the
   * schedule ends). Read `handle.active` in it to know whether a retry is planned. Without
   * `onError`, an error of `refresh` ends the schedule and stays unhandled.
   */
  onError?: (error: unknown) => void;
  /**
   * Schedule the token `refresh` returns or resolves to, the same way, and so on. Default
   * true. The schedule ends when `refresh` gives anything but a new token with a readable `exp`.
   */
  repeat?: boolean;
  /**
   * While `document.visibilityState` is `"hidden"`, call nothing; a refresh that came due
   * meanwhile runs as soon as the page is visible again. Default: true where there is a
   * `document`; `true` where there is none is refused.
   */
  pauseWhenHidden?: boolean;
  /** Cancels the schedule when aborted. */
  signal?: AbortSignal;
}

/** A scheduled refresh: see {@link scheduleRefresh}. */
export interface RefreshHandle {
  /** Cancels it (idempotent); a refresh already in flight is not awaited, and its token not taken. */
  cancel(): void;
  /** Whether a refresh is planned, due or in flight. */
  readonly active: boolean;
  /** The current token: the one given, then each new one `refresh` hands back. */
  readonly token: string;
  /**
   * When the next call is planned, in ms since the epoch; in the past while a hidden page
   * waits to show. `null` while a call is in flight and once the schedule has ended.
   */
  readonly refreshAt: number | null;
}

/**
 * Calls `refresh()` `skew` seconds (default 60) ahead of the token's `exp`, less a random
 * part of `jitter`, never sooner than `minDelay` (default 1 s) from now, and then, by
 * default, does the same for the token `refresh` hands back. `refresh` is your own call to
 * your auth server or backend-for-frontend: tollgate never holds a refresh token.
 *
 * Once per token: a token leads to one call, however timers and visibility changes
 * interleave; only a failed call is retried (with `onError`), never at or after `exp`.
 * While the page is hidden nothing is called; a call that came due runs when it shows.
 * Delays longer than `setTimeout` can hold (~24.8 days) are re-armed, never fired early.
 *
 * Returns a handle, or `null` when the token has no `exp` (nothing to schedule), as
 * {@link expiresIn} returns `null`.
 *
 * **Not a security boundary:** `exp` is decoded, NOT verified.
 *
 * Throws like {@link expiresIn}: a `TollgateError` for a malformed token, a `TypeError`
 * (`ERR_INVALID_ARG`) on misuse (an unknown option, `skew` with `before`, `retryDelay`
 * without `onError`, …).
 *
 * @example
 * ```ts
 * let accessToken = await signIn(); // in memory only
 * const schedule = scheduleRefresh(accessToken, async () => (accessToken = await fetchNewToken()), {
 *   onError: (error) => {
 *     if (!schedule?.active) showSignedOut(error); // no retry left before exp
 *   },
 * });
 * ```
 */
export function scheduleRefresh(
  token: string,
  refresh: () => unknown,
  options?: ScheduleRefreshOptions,
): RefreshHandle | null;
