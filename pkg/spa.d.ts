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
  before?: Duration;
  /** The shortest delay, in seconds or a duration: a token already within `before` of `exp` refreshes after it. Default 1. */
  minDelay?: Duration;
  /** Cancels the schedule when aborted. */
  signal?: AbortSignal;
  /**
   * Schedule the token that `refresh` returns or resolves to, the same way, and so on.
   * Repetition ends when it gives something else than a token with a readable `exp`.
   */
  repeat?: boolean;
}

/** A scheduled refresh: see {@link scheduleRefresh}. */
export interface RefreshHandle {
  /** Cancels it (idempotent). */
  cancel(): void;
  /** Whether a refresh is still to come. */
  readonly active: boolean;
}

/**
 * Calls `refresh()` `before` seconds (default 60) ahead of the token's `exp`, and never
 * sooner than `minDelay` (default 1 s) from now. Returns a handle, or `null` when the
 * token has no `exp` (nothing to schedule), as {@link expiresIn} returns `null`. Delays
 * longer than `setTimeout` can hold (~24.8 days) are re-armed, never fired early.
 *
 * **Not a security boundary:** `exp` is decoded, NOT verified.
 *
 * Throws like {@link expiresIn}: a `TollgateError` for a malformed token, a `TypeError`
 * (`ERR_INVALID_ARG`) on misuse. An error thrown or rejected by `refresh` ends the schedule
 * and stays `refresh`'s to handle, as with `setTimeout(refresh)`.
 *
 * @example
 * ```ts
 * // Refresh one minute before expiry, then the new token's, until the page closes.
 * const controller = new AbortController();
 * scheduleRefresh(accessToken, async () => (accessToken = await fetchNewToken()), {
 *   repeat: true,
 *   signal: controller.signal,
 * });
 * ```
 */
export function scheduleRefresh(
  token: string,
  refresh: () => unknown,
  options?: ScheduleRefreshOptions,
): RefreshHandle | null;
