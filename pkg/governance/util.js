// Small helpers of the governance reports: JSON paths, durations, days.

import { unitDuration } from "../internal.js";

// ─── Small helpers ────────────────────────────────────────────────────────────────────

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * A JSON path as ERR_POLICY_INVALID writes them: `jsonPath("scopes", "admin:messages", "sunset")`
 * is `$.scopes["admin:messages"].sunset`; numbers are indices.
 */
export function jsonPath(...segments) {
  let out = "$";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/**
 * Seconds from a number of seconds or a duration string ("300", "5m", "1.5h", "2 days"),
 * the grammar of the core's durations (for command-line budgets). `NaN` when it is neither.
 */
export function parseDuration(value) {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : Number.NaN;
  if (typeof value !== "string") return Number.NaN;
  const text = value.trim();
  if (/^\d{1,15}$/.test(text)) return Number(text);
  return unitDuration(text);
}

/** A number of seconds written with the largest unit that divides it: 300 → "5m". */
export function formatDuration(seconds) {
  if (!Number.isFinite(seconds)) return String(seconds);
  for (const [unit, size] of [["d", 86_400], ["h", 3600], ["m", 60]]) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** "YYYY-MM-DD" of a Date, a date string or seconds; the UTC day. */
export function dayOf(now) {
  if (typeof now === "string" && /^\d{4}-\d{2}-\d{2}$/.test(now)) return now;
  const date = typeof now === "number" ? new Date(now * 1000) : now instanceof Date ? now : new Date(now);
  if (Number.isNaN(date.getTime())) throw new TypeError("now must be a Date, seconds or YYYY-MM-DD");
  return date.toISOString().slice(0, 10);
}

export const text = (value) => typeof value === "string" && value.trim() !== "";
