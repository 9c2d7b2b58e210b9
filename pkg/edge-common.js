// What more than one module of the edge layer (remote.js, issuers.js, introspection.js,
// guard.js) uses.

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

/**
 * Fetches `url` with `init` (method, headers as pairs, body, redirect) and returns
 * `{ text, headers }` of a 200 answer. Everything (connect, headers, body) happens inside
 * the calling request and within `timeout` ms; a fetch that ignores the abort signal is
 * abandoned at the deadline all the same. Failures are edge errors with `codes.failed` or
 * `codes.timeout`; their messages show `what` and the URL without its query, nothing sent.
 */
export async function fetchText(url, { fetchImpl, init, timeout, limit, what, codes }) {
  const shown = safeUrl(url);
  const controller = new AbortController();
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => {
      reject(edgeError(codes.timeout, `${what} ${shown} did not answer within ${timeout} ms`, { url: shown }));
      controller.abort();
    }, timeout);
  });
  const fail = (message, extra) => edgeError(codes.failed, `${what} ${shown}${message}`, { url: shown, ...extra });
  const work = (async () => {
    let response;
    try {
      response = await fetchImpl.call(globalThis, url, {
        ...init,
        headers: init.headers.map(([name, value]) => [name, value]),
        signal: controller.signal,
      });
    } catch (cause) {
      throw fail(" could not be fetched", { cause });
    }
    if (response.status !== 200) {
      response.body?.cancel().catch(() => {});
      throw fail(` answered HTTP ${response.status}, expected 200`, { httpStatus: response.status });
    }
    const length = Number(response.headers.get("content-length"));
    let text;
    if (!(length > limit)) {
      try {
        text = await readText(response.body, limit);
      } catch (cause) {
        throw fail(": the response body could not be read", { cause });
      }
    } else {
      response.body?.cancel().catch(() => {});
    }
    if (text === undefined) throw fail(` is larger than ${limit} bytes`);
    return { text, headers: response.headers };
  })();
  // Whichever loses the race must not surface as an unhandled rejection.
  work.catch(() => {});
  deadline.catch(() => {});
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
