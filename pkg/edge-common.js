// What more than one module of the edge layer (remote.js, issuers.js, guard.js) uses.

import { TollgateError } from "./tollgate.js";
import { EDGE_ERROR_CODES } from "./facts.js";

// Error codes added by the edge layer (keys over HTTP), from the core's code table. The
// errors carry no `status`: the guard answers them with 503.
export { EDGE_ERROR_CODES } from "./facts.js";

/** The classes' constructors take only this token: their objects come from the create* functions. */
export const CONSTRUCT = Symbol("tollgate.edge.construct");

export function edgeError(code, message, extra = {}) {
  const error = new TollgateError(message, { code });
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) error[key] = value;
  return error;
}

export const isEdgeError = (error) => error instanceof TollgateError && EDGE_ERROR_CODES.includes(error.code);

export const isPlainObject = (value) =>
  value !== null && typeof value === "object" && !Array.isArray(value) &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

export { checkOptionNames } from "./internal.js";

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Parses a key or discovery URL. https only, except loopback hosts (tests, local IdPs)
 * or with `dangerouslyAllowHttp`: a JWKS over plain HTTP lets anyone on the path
 * substitute keys and mint tokens.
 */
export function parseUrl(value, what, allowHttp, fail) {
  let url;
  try {
    url = new URL(String(value));
  } catch {
    throw fail(`${what} is not an absolute URL`);
  }
  const loopback = LOOPBACK.test(url.hostname);
  if (url.protocol === "https:" || (url.protocol === "http:" && (loopback || allowHttp))) return url;
  throw fail(
    url.protocol === "http:"
      ? `${what} must use https (http is allowed for loopback hosts, or with dangerouslyAllowHttp)`
      : `${what} must be an https URL`,
  );
}

/** The URL without query, fragment or credentials: what error messages may show. */
export function safeUrl(url) {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

/** Reads a body as UTF-8 text, or returns undefined past `limit` bytes (the rest is cancelled). */
export async function readText(body, limit) {
  if (!body) return "";
  const reader = body.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
