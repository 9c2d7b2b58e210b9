// tollgate edge layer — keys over HTTP and an RFC 6750 guard, in plain JS.
//
//   createRemoteKeySet(url, options)   a JWKS fetched and cached (Cache-Control, cooldown,
//                                      timeout, stale-if-error), exportable to KV / Cache API
//   discoverKeySet(issuer, options)    the same, with jwks_uri from OpenID Connect discovery
//   createIssuerKeys(map | fn)         keys per issuer, for multi-tenant APIs
//   createGuard(options).authorize(request)   Bearer extraction (RFC 6750 §2) and the HTTP
//                                      answer (§3): 400 / 401 / 403 / 503, ready Responses
//
// No dependencies: only fetch, AbortController, setTimeout, URL, Headers, Response and
// TextDecoder, which Node 18+, browsers and workerd all provide. Every check on a token
// still happens in the wasm core (createVerifier); this file only decides WHICH keys and
// WHICH token, and turns the outcome into HTTP.
//
// ─── Why there is no shared in-flight promise ─────────────────────────────────────────
//
// The usual JWKS cache keeps one pending `fetch()` promise and lets every concurrent
// caller await it. On Cloudflare Workers (workerd) I/O belongs to the request that
// started it. Depending on the runtime and on what is shared, another request awaiting
// it throws "Cannot perform I/O on behalf of a different request" (when it touches the
// first request's Response or stream), or, when the first request is cancelled mid-fetch
// (its client went away, it ran out of time), waits on something that never settles:
// the worker "will never generate a response" (jose#355 and jose#509 — polling a flag
// that the cancelled request would have set hangs too —, cfworker#226).
//
// So here:
//   1. A fetch is always performed and awaited by the request that needs it, start to
//      finish (headers, body, timeout timer) inside that request's own context.
//   2. What is shared between requests is only plain data: the parsed KeySet (a wasm
//      handle, no I/O), timestamps, and an `attempt` record `{ done }` set synchronously
//      when a fetch starts. Nothing ever awaits a promise another request created.
//   3. Duplicate fetches are bounded by that state, not by promise sharing:
//      - fresh set                    → returned at once, no fetch;
//      - a fetch already in flight    → callers with a usable (even expired) set use it;
//        callers with no set POLL the plain `attempt.done` flag with their own short
//        timers, for at most timeoutDuration (+ grace), then re-read the state. If the
//        other request vanished mid-fetch, its attempt is declared abandoned and the
//        waiter fetches itself — a waiter can be slow, never hung;
//      - unknown kid                  → at most one refetch per cooldownDuration, counted
//        from when the last fetch STARTED (recorded before the first await), so a flood
//        of 1,000 tokens with random kids in the same tick starts exactly one fetch; the
//        others wait for it as above, then verify against whatever set is current and
//        fail with ERR_JWKS_NO_MATCHING_KEY;
//      - after a failed fetch         → no new fetch for cooldownDuration: callers use the
//        last good set while it is within staleIfError, else fail fast (503, Retry-After).
//   Polling costs a few timer wake-ups for the (rare) requests that arrive during a fetch;
//   in exchange no request ever depends on another request's I/O, in any runtime.

import { KeySet, TollgateError, createVerifier, decode } from "./tollgate.js";
import { invalidArg } from "./internal.js";

// NOTE: tollgate.js re-exports this module and this module imports tollgate.js: the
// imported bindings must not be used at module top level (they are not initialised yet
// while this file evaluates). Everything below uses them inside functions only.

/** Error codes added by the edge layer (keys over HTTP). They carry no `status`. */
export const EDGE_ERROR_CODES = Object.freeze([
  "ERR_JWKS_TIMEOUT",
  "ERR_JWKS_FETCH_FAILED",
  "ERR_DISCOVERY_ISSUER_MISMATCH",
]);

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const DEFAULTS = Object.freeze({
  cacheMaxAge: 10 * MINUTE,
  minCacheAge: 30 * SECOND,
  maxCacheAge: 24 * HOUR,
  cooldownDuration: 30 * SECOND,
  timeoutDuration: 5 * SECOND,
  staleIfError: HOUR,
});

/** Largest JWKS or discovery document read, in bytes. */
const MAX_DOCUMENT_BYTES = 1024 * 1024;
/** Largest form body searched for `access_token`, in bytes (RFC 6750 §2.2). */
const MAX_FORM_BODY_BYTES = 64 * 1024;
/** Extra time a waiter gives another request's fetch beyond its timeout. */
const WAIT_GRACE = 250;
/** Distinct in-flight fetches one call waits for before fetching itself. */
const MAX_WAITS = 3;

const REMOTE_OPTIONS = new Set([
  "fetch", "algorithms", "cacheMaxAge", "minCacheAge", "maxCacheAge", "cooldownDuration",
  "timeoutDuration", "staleIfError", "headers", "now", "initial", "dangerouslyAllowHttp",
]);

// ─────────────────────────────────────────────────────────────────── small helpers

function edgeError(code, message, extra = {}) {
  const error = new TollgateError(message, { code });
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) error[key] = value;
  return error;
}

const isEdgeError = (error) => error instanceof TollgateError && EDGE_ERROR_CODES.includes(error.code);

const isPlainObject = (value) =>
  value !== null && typeof value === "object" && !Array.isArray(value) &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

function checkOptionNames(options, allowed, name) {
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) {
      throw invalidArg(`${name}: unknown option \`${key}\` (expected one of: ${[...allowed].join(", ")})`);
    }
  }
}

function durationOption(options, name, fallback) {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw invalidArg(`options.${name} must be a non-negative number of milliseconds`);
  }
  return value;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/**
 * Parses a key or discovery URL. https only, except loopback hosts (tests, local IdPs)
 * or with `dangerouslyAllowHttp`: a JWKS over plain HTTP lets anyone on the path
 * substitute keys and mint tokens.
 */
function parseUrl(value, what, allowHttp, fail) {
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
function safeUrl(url) {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Freshness lifetime from Cache-Control (RFC 9111 §4.2.1), minus Age; undefined if none. */
function freshnessOf(headers) {
  const cacheControl = headers.get("cache-control");
  if (!cacheControl) return undefined;
  let maxAge;
  for (const part of cacheControl.split(",")) {
    const [rawName, ...rest] = part.split("=");
    const name = rawName.trim().toLowerCase();
    if (name === "no-store" || name === "no-cache") return 0; // bounded below by minCacheAge
    if (name === "max-age" && maxAge === undefined) {
      const value = rest.join("=").trim().replace(/^"(.*)"$/, "$1");
      if (/^\d+$/.test(value)) maxAge = Number(value) * SECOND;
    }
  }
  if (maxAge === undefined) return undefined;
  const age = headers.get("age");
  const ageMs = age && /^\d+$/.test(age.trim()) ? Number(age.trim()) * SECOND : 0;
  return Math.max(0, maxAge - ageMs);
}

/** Reads a body as UTF-8 text, or returns undefined past `limit` bytes (the rest is cancelled). */
async function readText(body, limit) {
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
 * GETs `url` and returns `{ text, headers }`. Everything (connect, headers, body) happens
 * inside the calling request and within `timeout` ms; a fetch that ignores the abort
 * signal is abandoned at the deadline all the same.
 */
async function fetchDocument(url, { fetchImpl, headers, timeout, what }) {
  const shown = safeUrl(url);
  const controller = new AbortController();
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => {
      reject(edgeError("ERR_JWKS_TIMEOUT", `${what} ${shown} did not answer within ${timeout} ms`, { url: shown }));
      controller.abort();
    }, timeout);
  });
  const work = (async () => {
    let response;
    try {
      response = await fetchImpl.call(globalThis, url, {
        method: "GET",
        headers: headers.map(([name, value]) => [name, value]),
        signal: controller.signal,
        redirect: "follow",
      });
    } catch (cause) {
      throw edgeError("ERR_JWKS_FETCH_FAILED", `${what} ${shown} could not be fetched`, { url: shown, cause });
    }
    if (response.status !== 200) {
      response.body?.cancel().catch(() => {});
      throw edgeError("ERR_JWKS_FETCH_FAILED", `${what} ${shown} answered HTTP ${response.status}, expected 200`, {
        url: shown,
        httpStatus: response.status,
      });
    }
    const length = Number(response.headers.get("content-length"));
    let text;
    if (!(length > MAX_DOCUMENT_BYTES)) {
      try {
        text = await readText(response.body, MAX_DOCUMENT_BYTES);
      } catch (cause) {
        throw edgeError("ERR_JWKS_FETCH_FAILED", `${what} ${shown}: the response body could not be read`, { url: shown, cause });
      }
    } else {
      response.body?.cancel().catch(() => {});
    }
    if (text === undefined) {
      throw edgeError("ERR_JWKS_FETCH_FAILED", `${what} ${shown} is larger than ${MAX_DOCUMENT_BYTES} bytes`, { url: shown });
    }
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

// ─────────────────────────────────────────────────────────────── RemoteResource

/**
 * One JSON document over HTTP, parsed by `parse` and cached by the rules in the header
 * comment. Shared by the JWKS and the discovery document. Internal.
 */
class RemoteResource {
  #url; // string | undefined (a discovered JWKS has no URL until discovery ran)
  #what;
  #parse;
  #config;

  #value; // the parsed value (KeySet or discovery metadata)
  #json; // the document as fetched (for export)
  #canonical; // JSON.stringify(#json): an unchanged document keeps the same #value
  #fetchedAt = -Infinity;
  #expiresAt = -Infinity;
  #installedStart = -Infinity; // start time of the fetch whose result is installed

  #lastStart = -Infinity; // start of the last fetch, for the cooldown
  #retryAt = -Infinity; // after a failure, no fetch before this
  #lastError;
  #attempt; // { done, abandoned } while a fetch runs

  constructor(url, what, parse, config) {
    this.#url = url;
    this.#what = what;
    this.#parse = parse;
    this.#config = config;
  }

  get url() {
    return this.#url;
  }

  /** Points the resource at another URL: the current value stays usable as stale. */
  retarget(url) {
    if (url === this.#url) return;
    this.#url = url;
    const now = this.#config.now();
    this.#expiresAt = Math.min(this.#expiresAt, now);
    this.#canonical = undefined;
    this.#retryAt = -Infinity;
    this.#lastStart = -Infinity;
  }

  #fresh(now) {
    return this.#value !== undefined && now < this.#expiresAt;
  }

  #usable(now) {
    return this.#value !== undefined && now < this.#expiresAt + this.#config.staleIfError;
  }

  #inFlight() {
    const attempt = this.#attempt;
    return attempt && !attempt.done && !attempt.abandoned ? attempt : undefined;
  }

  /** The cached value if it is fresh or within staleIfError, else undefined. */
  current() {
    return this.#usable(this.#config.now()) ? this.#value : undefined;
  }

  /** Whether the cached value is fresh. */
  isFresh() {
    return this.#fresh(this.#config.now());
  }

  async get() {
    const waitedFor = new Set();
    for (;;) {
      const now = this.#config.now();
      if (this.#fresh(now)) return this.#value;
      const attempt = this.#inFlight();
      if (attempt && this.#usable(now)) return this.#value; // another request is revalidating
      if (attempt && !waitedFor.has(attempt) && waitedFor.size < MAX_WAITS) {
        waitedFor.add(attempt);
        await this.#wait(attempt);
        continue;
      }
      if (now < this.#retryAt) {
        if (this.#usable(now)) return this.#value;
        throw this.#failFast(now);
      }
      try {
        await this.#fetch();
        return this.#value;
      } catch (error) {
        if (this.#usable(this.#config.now())) return this.#value;
        throw error;
      }
    }
  }

  /**
   * Refetches unless `satisfied(current)` holds, a fetch is in flight (then waits for it),
   * or the cooldown / failure backoff forbids it. Returns whether this call fetched.
   */
  async refresh(satisfied) {
    const waitedFor = new Set();
    for (;;) {
      const attempt = this.#inFlight();
      if (attempt && !waitedFor.has(attempt) && waitedFor.size < MAX_WAITS) {
        waitedFor.add(attempt);
        await this.#wait(attempt);
        // Completed: its result is the refresh. Abandoned (its request was cancelled
        // mid-fetch): it never finished, so it does not count against the cooldown.
        if (!attempt.abandoned) return false;
        if (this.#lastStart === attempt.started) this.#lastStart = -Infinity;
        continue;
      }
      if (this.#value !== undefined && satisfied?.(this.#value)) return false;
      const now = this.#config.now();
      if (now - this.#lastStart < this.#config.cooldownDuration || now < this.#retryAt) return false;
      try {
        await this.#fetch();
        return true;
      } catch (error) {
        if (this.#usable(this.#config.now())) return false;
        throw error;
      }
    }
  }

  // Polls the plain `done` flag with this request's own timers: never awaits the other
  // request's promise (see the header comment).
  async #wait(attempt) {
    let budget = this.#config.timeoutDuration + WAIT_GRACE;
    let step = 5;
    while (!attempt.done && budget > 0) {
      const ms = Math.min(step, budget);
      await sleep(ms);
      budget -= ms;
      step = Math.min(step * 2, 50);
    }
    if (!attempt.done) attempt.abandoned = true; // its request is gone; don't wait on it again
  }

  #failFast(now) {
    const last = this.#lastError;
    return edgeError(last?.code ?? "ERR_JWKS_FETCH_FAILED", last?.message ?? `${this.#what} is unavailable`, {
      url: last?.url,
      cause: last?.cause,
      retryAfter: Math.max(1, Math.ceil((this.#retryAt - now) / SECOND)),
    });
  }

  async #fetch() {
    const config = this.#config;
    const started = config.now();
    const attempt = { done: false, abandoned: false, started };
    this.#attempt = attempt;
    this.#lastStart = started;
    const url = this.#url;
    try {
      const { text, headers } = await fetchDocument(url, {
        fetchImpl: config.fetch ?? globalThis.fetch,
        headers: config.headers,
        timeout: config.timeoutDuration,
        what: this.#what,
      });
      let json;
      try {
        json = JSON.parse(text);
      } catch {
        throw edgeError("ERR_JWKS_FETCH_FAILED", `${this.#what} ${safeUrl(url)} is not valid JSON`, { url: safeUrl(url) });
      }
      const canonical = JSON.stringify(json);
      const value = canonical === this.#canonical && this.#value !== undefined ? this.#value : this.#parse(json, url);
      const fetchedAt = config.now();
      const freshness = freshnessOf(headers);
      const lifetime =
        freshness === undefined
          ? config.cacheMaxAge
          : Math.min(Math.max(freshness, config.minCacheAge), config.maxCacheAge);
      if (started >= this.#installedStart && url === this.#url) {
        this.#install(value, json, canonical, fetchedAt, fetchedAt + lifetime);
        this.#installedStart = started;
        this.#retryAt = -Infinity;
        this.#lastError = undefined;
      }
    } catch (raw) {
      const error = isEdgeError(raw)
        ? raw
        : edgeError(
            "ERR_JWKS_FETCH_FAILED",
            `${this.#what} ${safeUrl(url)} was refused: ${raw?.message ?? String(raw)}`,
            { url: safeUrl(url), cause: raw },
          );
      error.retryAfter = Math.max(1, Math.ceil(config.cooldownDuration / SECOND));
      if (started >= this.#installedStart) {
        this.#retryAt = started + config.cooldownDuration;
        this.#lastError = error;
      }
      throw error;
    } finally {
      attempt.done = true;
      if (this.#attempt === attempt) this.#attempt = undefined;
    }
  }

  #install(value, json, canonical, fetchedAt, expiresAt) {
    this.#value = value;
    this.#json = json;
    this.#canonical = canonical;
    this.#fetchedAt = fetchedAt;
    this.#expiresAt = expiresAt;
  }

  export() {
    if (this.#value === undefined) return undefined;
    return { url: this.#url, json: this.#json, fetchedAt: this.#fetchedAt, expiresAt: this.#expiresAt };
  }

  /** Installs an exported state (validated by `parse`); returns the value, or undefined if not for this URL. */
  restore(url, json, fetchedAt, expiresAt) {
    if (url !== this.#url) return undefined;
    const value = this.#parse(json, url);
    this.#install(value, json, JSON.stringify(json), fetchedAt, expiresAt);
    return value;
  }
}

// ─────────────────────────────────────────────────────────────── RemoteKeySet

const CONSTRUCT = Symbol("tollgate.edge.construct");

function remoteConfig(options, name) {
  const config = {
    cacheMaxAge: durationOption(options, "cacheMaxAge", DEFAULTS.cacheMaxAge),
    minCacheAge: durationOption(options, "minCacheAge", DEFAULTS.minCacheAge),
    maxCacheAge: durationOption(options, "maxCacheAge", DEFAULTS.maxCacheAge),
    cooldownDuration: durationOption(options, "cooldownDuration", DEFAULTS.cooldownDuration),
    timeoutDuration: durationOption(options, "timeoutDuration", DEFAULTS.timeoutDuration),
    staleIfError: durationOption(options, "staleIfError", DEFAULTS.staleIfError),
    fetch: options.fetch,
    now: options.now ?? Date.now,
    headers: undefined,
    allowHttp: options.dangerouslyAllowHttp === true,
  };
  if (config.minCacheAge > config.maxCacheAge) throw invalidArg(`${name}: minCacheAge must not exceed maxCacheAge`);
  if (config.timeoutDuration === 0) throw invalidArg(`${name}: timeoutDuration must be positive`);
  if (options.fetch !== undefined && typeof options.fetch !== "function") throw invalidArg(`${name}: fetch must be a function`);
  if (typeof config.now !== "function") throw invalidArg(`${name}: now must be a function returning milliseconds`);
  if (options.dangerouslyAllowHttp !== undefined && typeof options.dangerouslyAllowHttp !== "boolean") {
    throw invalidArg(`${name}: dangerouslyAllowHttp must be a boolean`);
  }
  if (options.algorithms !== undefined && !(Array.isArray(options.algorithms) && options.algorithms.every((a) => typeof a === "string"))) {
    throw invalidArg(`${name}: algorithms must be an array of algorithm names`);
  }
  let headers;
  try {
    headers = new Headers(options.headers ?? {});
  } catch (error) {
    throw invalidArg(`${name}: headers are invalid: ${error.message}`);
  }
  if (!headers.has("accept")) headers.set("accept", "application/json, application/jwk-set+json");
  // Kept as plain pairs: each fetch builds its own Headers inside its own request.
  config.headers = [...headers];
  return config;
}

function readInitial(initial) {
  if (typeof initial === "string") {
    try {
      initial = JSON.parse(initial);
    } catch {
      throw invalidArg("options.initial is a string but not JSON: pass remote.export() or its JSON text");
    }
  }
  if (!isPlainObject(initial) || typeof initial.url !== "string" || !isPlainObject(initial.jwks) ||
      !Number.isFinite(initial.fetchedAt) || !Number.isFinite(initial.expiresAt)) {
    throw invalidArg("options.initial must be what remote.export() returned: { url, jwks, fetchedAt, expiresAt }");
  }
  const d = initial.discovery;
  if (d !== undefined && !(isPlainObject(d) && typeof d.url === "string" && isPlainObject(d.document) &&
      Number.isFinite(d.fetchedAt) && Number.isFinite(d.expiresAt))) {
    throw invalidArg("options.initial.discovery must be what remote.export() returned");
  }
  return initial;
}

/**
 * A JWKS fetched over HTTP and cached: see createRemoteKeySet. Safe to create at module
 * scope (no I/O until the first get()) and to share between concurrent requests.
 */
export class RemoteKeySet {
  #jwks;
  #discovery;
  #issuer;

  constructor(token, init) {
    if (token !== CONSTRUCT) throw invalidArg("use createRemoteKeySet(url, options) or discoverKeySet(issuer, options)");
    this.#jwks = init.jwks;
    this.#discovery = init.discovery;
    this.#issuer = init.issuer;
  }

  /** The JWKS URL (for a discovered set: once discovery ran). */
  get url() {
    return this.#jwks.url;
  }

  /** The issuer, for a set made by discoverKeySet. */
  get issuer() {
    return this.#issuer;
  }

  /** The cached KeySet if it is fresh or within staleIfError; never fetches. */
  current() {
    return this.#jwks.current();
  }

  /** A current KeySet: cached when fresh, else fetched by this call (see the design notes). */
  async get() {
    if (this.#discovery && !this.#jwks.isFresh()) await this.#discover();
    return this.#jwks.get();
  }

  async #discover() {
    let metadata;
    try {
      metadata = await this.#discovery.get();
    } catch (error) {
      // With a known jwks_uri, a discovery outage must not take the keys down too.
      if (this.#jwks.url === undefined) throw error;
      return;
    }
    this.#jwks.retarget(metadata.jwksUri);
  }

  /**
   * Refetches the JWKS, e.g. for a token whose `kid` is unknown: not when `kid` is already
   * in the current set, at most once per cooldownDuration, and not while another fetch
   * runs (it waits for that one instead). Returns whether this call fetched.
   */
  async refresh(options = {}) {
    if (!isPlainObject(options)) throw invalidArg("refresh options must be an object");
    const { kid } = options;
    if (kid !== undefined && typeof kid !== "string") throw invalidArg("refresh: kid must be a string");
    if (this.#jwks.url === undefined) {
      await this.get();
      return true;
    }
    const known = kid === undefined ? undefined : (keys) => keys.keys.some((k) => k.kid === kid);
    return this.#jwks.refresh(known);
  }

  /**
   * The cached state as JSON-compatible data, or undefined before the first fetch: store
   * it (KV, Cache API) and pass it back as `initial` in another isolate.
   */
  export() {
    const jwks = this.#jwks.export();
    if (!jwks) return undefined;
    const out = { url: jwks.url, jwks: jwks.json, fetchedAt: jwks.fetchedAt, expiresAt: jwks.expiresAt };
    const discovery = this.#discovery?.export();
    if (discovery) {
      out.issuer = this.#issuer;
      out.discovery = { url: discovery.url, document: discovery.json, fetchedAt: discovery.fetchedAt, expiresAt: discovery.expiresAt };
    }
    return out;
  }

  /** JSON.stringify(remote) gives the exported state. */
  toJSON() {
    return this.export() ?? null;
  }
}

function jwksParser(algorithms) {
  return (json) => KeySet.fromJwks(json, algorithms ? { algorithms } : undefined);
}

/**
 * A JWKS at `url`, fetched on first use and cached by Cache-Control max-age (within
 * [minCacheAge, maxCacheAge]; cacheMaxAge without one). See the README.
 */
export function createRemoteKeySet(url, options) {
  if (options !== undefined && !isPlainObject(options)) throw invalidArg("createRemoteKeySet: options must be an object");
  options ??= {};
  checkOptionNames(options, REMOTE_OPTIONS, "createRemoteKeySet");
  const config = remoteConfig(options, "createRemoteKeySet");
  if (typeof url !== "string" && !(url instanceof URL)) throw invalidArg("createRemoteKeySet: url must be a string or a URL");
  const href = parseUrl(url, "the JWKS URL", config.allowHttp, invalidArg).href;
  const jwks = new RemoteResource(href, "JWKS", jwksParser(options.algorithms), config);
  if (options.initial !== undefined) {
    const initial = readInitial(options.initial);
    jwks.restore(initial.url, initial.jwks, initial.fetchedAt, initial.expiresAt);
  }
  return new RemoteKeySet(CONSTRUCT, { jwks });
}

/** The discovery URL of an issuer (OpenID Connect Discovery 1.0 §4: drop one trailing "/"). */
function discoveryUrl(issuer) {
  return `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
}

/**
 * The issuer's keys through OpenID Connect discovery. Returns at once (no I/O until the
 * first get(), so it can be created at module scope in a worker); the discovery document
 * is fetched and cached by the same rules as the JWKS, and its `issuer` must equal
 * `issuer` exactly (else ERR_DISCOVERY_ISSUER_MISMATCH).
 */
export function discoverKeySet(issuer, options) {
  if (options !== undefined && !isPlainObject(options)) throw invalidArg("discoverKeySet: options must be an object");
  options ??= {};
  checkOptionNames(options, REMOTE_OPTIONS, "discoverKeySet");
  const config = remoteConfig(options, "discoverKeySet");
  if (typeof issuer !== "string" || issuer === "") throw invalidArg("discoverKeySet: issuer must be a non-empty string");
  const docUrl = parseUrl(discoveryUrl(issuer), "the issuer", config.allowHttp, invalidArg).href;

  const parseMetadata = (document, fromUrl) => {
    const shown = safeUrl(fromUrl);
    if (!isPlainObject(document)) {
      throw edgeError("ERR_JWKS_FETCH_FAILED", `the discovery document ${shown} is not a JSON object`, { url: shown });
    }
    if (document.issuer !== issuer) {
      const named = typeof document.issuer === "string" ? JSON.stringify(document.issuer.slice(0, 200)) : "no issuer";
      throw edgeError(
        "ERR_DISCOVERY_ISSUER_MISMATCH",
        `the discovery document ${shown} names ${named}, not the configured issuer ${JSON.stringify(issuer)} (OpenID Connect Discovery §4.3)`,
        { url: shown },
      );
    }
    if (typeof document.jwks_uri !== "string") {
      throw edgeError("ERR_JWKS_FETCH_FAILED", `the discovery document ${shown} has no jwks_uri`, { url: shown });
    }
    const fail = (message) => edgeError("ERR_JWKS_FETCH_FAILED", `the discovery document ${shown}: ${message}`, { url: shown });
    return { jwksUri: parseUrl(document.jwks_uri, "jwks_uri", config.allowHttp, fail).href };
  };

  const discovery = new RemoteResource(docUrl, "OpenID discovery document", parseMetadata, config);
  const jwks = new RemoteResource(undefined, "JWKS", jwksParser(options.algorithms), config);
  if (options.initial !== undefined) {
    const initial = readInitial(options.initial);
    const d = initial.discovery;
    const metadata = d && discovery.restore(d.url, d.document, d.fetchedAt, d.expiresAt);
    if (metadata) {
      jwks.retarget(metadata.jwksUri);
      jwks.restore(initial.url, initial.jwks, initial.fetchedAt, initial.expiresAt);
    }
  }
  return new RemoteKeySet(CONSTRUCT, { jwks, discovery, issuer });
}

// ─────────────────────────────────────────────────────────────── IssuerKeys

const isKeys = (value) => value instanceof KeySet || value instanceof RemoteKeySet;

/** Keys per issuer: see createIssuerKeys. */
export class IssuerKeys {
  #map;
  #resolve;

  constructor(token, map, resolve) {
    if (token !== CONSTRUCT) throw invalidArg("use createIssuerKeys(map | function)");
    this.#map = map;
    this.#resolve = resolve;
  }

  /** The configured issuers (map form), or undefined (function form). */
  get issuers() {
    return this.#map ? [...this.#map.keys()] : undefined;
  }

  /** The keys for `iss`, or undefined when the issuer is not accepted. */
  async resolve(iss) {
    if (typeof iss !== "string") return undefined;
    if (this.#map) return this.#map.get(iss);
    const keys = await this.#resolve(iss);
    if (keys === undefined || keys === null) return undefined;
    if (!isKeys(keys)) throw invalidArg("the issuer function must return a KeySet, a RemoteKeySet or undefined");
    return keys;
  }
}

/**
 * Keys per issuer for multi-tenant APIs: `{ "https://tenant-a/": keys, ... }` (or a Map),
 * or `(iss) => keys | undefined` (may be async; return cached objects, not new ones per
 * call). The guard picks the keys by the token's `iss` and still verifies `iss` equals it.
 */
export function createIssuerKeys(source) {
  if (typeof source === "function") return new IssuerKeys(CONSTRUCT, undefined, source);
  let entries;
  if (source instanceof Map) entries = [...source.entries()];
  else if (isPlainObject(source)) entries = Object.entries(source);
  else throw invalidArg("createIssuerKeys expects { issuer: keys }, a Map or a function");
  if (entries.length === 0) throw invalidArg("createIssuerKeys: no issuer given");
  const map = new Map();
  for (const [iss, keys] of entries) {
    if (typeof iss !== "string" || iss === "") throw invalidArg("createIssuerKeys: every issuer must be a non-empty string");
    if (!isKeys(keys)) throw invalidArg(`createIssuerKeys: the keys of ${JSON.stringify(iss)} must be a KeySet or a RemoteKeySet`);
    map.set(iss, keys);
  }
  return new IssuerKeys(CONSTRUCT, map, undefined);
}

// ─────────────────────────────────────────────────────────────── the guard

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
// credentials = "Bearer" 1*SP b64token (scheme case-insensitive, RFC 9110 §11.1)
const SCHEME = /^([^ \t]+)([\s\S]*)$/;
const BEARER_REST = /^ +([^ ]+)$/;

const CALL_OPTIONS = new Set(["requiredScopes", "scopeMode", "requiredRoles", "roleMode", "now", "currentDate"]);

// On Cloudflare's edge, CF-Connecting-IP is set by the platform (a client's
// own header of that name is overwritten). Anywhere else the client could
// forge it, so the guard trusts no header unless given `clientIp`.
const ON_CLOUDFLARE = globalThis.navigator?.userAgent === "Cloudflare-Workers";

function defaultClientIp(request) {
  if (!ON_CLOUDFLARE) return undefined;
  return headerValues(request.headers, "cf-connecting-ip")[0];
}

/** The values of header `name` from a Headers, a plain object or a list of pairs. */
function headerValues(headers, name) {
  if (headers === undefined || headers === null) return [];
  if (typeof headers.get === "function" && typeof headers.append === "function") {
    const value = headers.get(name);
    return value === null ? [] : [value];
  }
  const out = [];
  const push = (key, value) => {
    if (String(key).toLowerCase() !== name) return;
    if (Array.isArray(value)) out.push(...value.map(String));
    else if (value !== undefined && value !== null) out.push(String(value));
  };
  if (Array.isArray(headers) || typeof headers[Symbol.iterator] === "function") {
    for (const pair of headers) {
      if (!Array.isArray(pair) || pair.length !== 2) throw invalidArg("request.headers entries must be [name, value] pairs");
      push(pair[0], pair[1]);
    }
  } else if (typeof headers === "object") {
    for (const key of Object.keys(headers)) push(key, headers[key]);
  } else {
    throw invalidArg("request.headers must be a Headers, a plain object or a list of [name, value] pairs");
  }
  return out;
}

function isFormBody(contentType) {
  return typeof contentType === "string" &&
    contentType.split(";")[0].trim().toLowerCase() === "application/x-www-form-urlencoded";
}

/** `access_token` values of a form body (RFC 6750 §2.2), or [] when it cannot be read. */
async function bodyTokens(request) {
  const body = request.body;
  if (typeof request.clone === "function" && typeof request.bodyUsed === "boolean") {
    // A Fetch Request: read a clone, so the handler can still read the body.
    if (request.bodyUsed || body === null) return [];
    const text = await readText(request.clone().body, MAX_FORM_BODY_BYTES);
    return text === undefined ? [] : new URLSearchParams(text).getAll("access_token");
  }
  if (typeof body === "string") return new URLSearchParams(body).getAll("access_token");
  if (body instanceof URLSearchParams) return body.getAll("access_token");
  if (isPlainObject(body) && Object.hasOwn(body, "access_token")) {
    const value = body.access_token;
    return (Array.isArray(value) ? value : [value]).map(String);
  }
  return [];
}

function challenge(realm, error, description) {
  const parts = [];
  if (realm !== undefined) parts.push(`realm="${realm}"`);
  if (error) parts.push(`error="${error}"`);
  if (description) parts.push(`error_description="${description}"`);
  return `Bearer${parts.length ? ` ${parts.join(", ")}` : ""}`;
}

function jsonResponse(status, body, headers) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: body === undefined ? headers : { ...headers, "Content-Type": "application/json" },
  });
}

/** A verifier's refusal as an outcome; anything else (a bug, misuse) propagates. */
function refused(error) {
  if (error instanceof TollgateError && error.status) return { error };
  throw error;
}

/** Verifier options probe: rejects misspelled or invalid verify options at createGuard time. */
function probeVerifyOptions(verifyOptions, issuer) {
  const probe = KeySet.fromSecret(new Uint8Array(64), { alg: "HS512" });
  try {
    const { algorithms: _ignored, ...rest } = verifyOptions;
    createVerifier({ ...rest, keys: probe, issuer }).free();
  } finally {
    probe.free();
  }
}

/** Authorizes requests: see createGuard. */
export class Guard {
  #kind; // "local" | "remote" | "issuers"
  #keys; // KeySet | RemoteKeySet | IssuerKeys
  #issuer;
  #realm;
  #verifyOptions; // everything but keys and issuer
  #allowQuery;
  #allowBody;
  #maxTokenLength;
  #policy;
  #environment;
  #clientIp;
  #webCrypto; // RSA/ECDSA/EdDSA signatures checked by native crypto (Verifier.verifyAsync)
  #verifiers = new WeakMap(); // KeySet → Map(issuer key → Verifier)

  constructor(token, options) {
    if (token !== CONSTRUCT) throw invalidArg("use createGuard(options)");
    const {
      keys,
      issuer,
      allowTokenInQuery = false,
      allowTokenInBody = false,
      policy,
      environment,
      clientIp,
      webCrypto = false,
      ...verifyOptions
    } = options;
    if (typeof webCrypto !== "boolean") throw invalidArg("createGuard: webCrypto must be a boolean");
    this.#webCrypto = webCrypto;
    if (typeof allowTokenInQuery !== "boolean") throw invalidArg("createGuard: allowTokenInQuery must be a boolean");
    if (typeof allowTokenInBody !== "boolean") throw invalidArg("createGuard: allowTokenInBody must be a boolean");
    if (policy !== undefined) {
      if (policy === null || typeof policy.evaluate !== "function" || typeof policy.describe !== "function") {
        throw invalidArg("createGuard: policy must be a Policy (import { Policy } from \"tollgate/policy\")");
      }
      this.#policy = policy;
    }
    if (environment !== undefined && typeof environment !== "string") throw invalidArg("createGuard: environment must be a string");
    if (clientIp !== undefined && typeof clientIp !== "function") throw invalidArg("createGuard: clientIp must be a function (request) => string | undefined");
    this.#environment = environment;
    this.#clientIp = clientIp ?? defaultClientIp;
    this.#allowQuery = allowTokenInQuery;
    this.#allowBody = allowTokenInBody;
    this.#realm = verifyOptions.realm;
    this.#maxTokenLength = verifyOptions.maxTokenLength;
    this.#verifyOptions = verifyOptions;

    if (keys instanceof KeySet) {
      this.#kind = "local";
      this.#keys = keys;
      this.#issuer = issuer;
      this.#verifier(keys, issuer); // compiles now: bad options fail here, not per request
    } else if (keys instanceof RemoteKeySet) {
      this.#kind = "remote";
      this.#keys = keys;
      this.#issuer = issuer ?? keys.issuer; // a discovered set's issuer was checked against its document
      probeVerifyOptions(verifyOptions, this.#issuer);
    } else if (keys !== undefined && keys !== null && (keys instanceof IssuerKeys || keys instanceof Map || typeof keys === "function" || isPlainObject(keys))) {
      if (issuer !== undefined || verifyOptions.dangerouslySkipIssuerCheck !== undefined) {
        throw invalidArg("createGuard: with keys per issuer, the issuers are the map's keys: do not set issuer");
      }
      this.#kind = "issuers";
      this.#keys = keys instanceof IssuerKeys ? keys : createIssuerKeys(keys);
      probeVerifyOptions(verifyOptions, "https://issuer.invalid/");
    } else {
      throw invalidArg("createGuard: keys must be a KeySet, a RemoteKeySet or keys per issuer (createIssuerKeys)");
    }
  }

  #verifier(keys, issuer) {
    let byIssuer = this.#verifiers.get(keys);
    if (!byIssuer) {
      byIssuer = new Map();
      this.#verifiers.set(keys, byIssuer);
    }
    const key = typeof issuer === "string" ? issuer : JSON.stringify(issuer ?? null);
    let verifier = byIssuer.get(key);
    if (!verifier) {
      verifier = createVerifier({ ...this.#verifyOptions, keys, issuer });
      byIssuer.set(key, verifier);
    }
    return verifier;
  }

  /**
   * Authorizes `request` (a Fetch Request or `{ method, url, headers, body? }`). Resolves to
   * `{ ok: true, claims, header, scopes, token }` or `{ ok: false, status, code, error,
   * description, response }`; rejects only on caller mistakes (TypeError).
   */
  authorize(request, options) {
    try {
      const call = this.#callOptions(options);
      const route = this.#policy === undefined ? undefined : this.#route(request, call);
      if (route !== undefined) {
        // Before looking for a token: a public rule needs none, and a path that could
        // route elsewhere is refused whatever the token.
        const decision = this.#policy.evaluate(null, route);
        if (decision.allow) return Promise.resolve({ ok: true, public: true, decision });
        if (decision.status === 400) return Promise.resolve(this.#fromDecision(decision));
      }
      const found = this.#extract(request);
      const after = (f) => {
        const answer = this.#afterExtract(f, call);
        return answer instanceof Promise ? answer.then((a) => this.#applyPolicy(a, route)) : this.#applyPolicy(answer, route);
      };
      if (found instanceof Promise) return found.then(after);
      return Promise.resolve(after(found));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** What the policy needs to know about the request. */
  #route(request, call) {
    if (request === null || typeof request !== "object") throw invalidArg("authorize: request must be a Request or { method, url, headers }");
    let path = "/";
    if (request.url !== undefined && request.url !== null) {
      try {
        path = new URL(String(request.url), "http://localhost").pathname;
      } catch {
        throw invalidArg("authorize: request.url is not a valid URL");
      }
    }
    const ip = this.#clientIp(request);
    const now = call?.currentDate instanceof Date ? Math.floor(call.currentDate.getTime() / 1000) : call?.now;
    return {
      method: String(request.method ?? "GET").toUpperCase(),
      path,
      ip: typeof ip === "string" && ip !== "" ? ip : undefined,
      environment: this.#environment,
      now,
    };
  }

  #applyPolicy(answer, route) {
    if (route === undefined || !answer.ok) return answer;
    const decision = this.#policy.evaluate(answer.result, route);
    if (!decision.allow) return this.#fromDecision(decision);
    const { result, ...ok } = answer;
    return { ...ok, decision };
  }

  #fromDecision(decision) {
    if (decision.code === "ERR_NO_CREDENTIALS") return this.#unauthorized();
    const status = decision.status;
    const error = status === 400 ? "invalid_request" : status === 401 ? "invalid_token" : "insufficient_scope";
    const wwwAuthenticate = this.#withRealm(decision.wwwAuthenticate);
    return {
      ok: false,
      status,
      code: decision.code,
      error,
      ...(status === 400 ? { reason: "invalid_path" } : {}),
      description: decision.reason,
      decision,
      response: jsonResponse(status, { error, error_description: decision.reason }, { "WWW-Authenticate": wwwAuthenticate }),
    };
  }

  #callOptions(options) {
    if (options === undefined) return undefined;
    if (!isPlainObject(options)) throw invalidArg("authorize options must be an object");
    checkOptionNames(options, CALL_OPTIONS, "authorize");
    return options;
  }

  #afterExtract(found, call) {
    if (found.failure) return found.failure;
    return this.#verifyToken(found.token, call);
  }

  // ── RFC 6750 §2: where the token is

  #extract(request) {
    if (request === null || typeof request !== "object") throw invalidArg("authorize: request must be a Request or { method, url, headers }");
    const method = String(request.method ?? "GET").toUpperCase();
    const headers = request.headers;
    const auth = headerValues(headers, "authorization");

    let header = { kind: "none" };
    if (auth.length > 1) {
      header = { kind: "malformed", description: "more than one Authorization header" };
    } else if (auth.length === 1) {
      header = parseAuthorization(auth[0]);
    }

    let query = [];
    if (request.url !== undefined && request.url !== null) {
      let url;
      try {
        url = new URL(String(request.url), "http://localhost");
      } catch {
        throw invalidArg("authorize: request.url is not a valid URL");
      }
      query = url.searchParams.getAll("access_token");
    }

    // §2.2: a form-encoded body, with a method whose body has semantics (never GET).
    const formBody = method !== "GET" && method !== "HEAD" && isFormBody(headerValues(headers, "content-type")[0]);
    if (formBody) return bodyTokens(request).then((body) => this.#choose(header, query, body));
    return this.#choose(header, query, []);
  }

  #choose(header, query, body) {
    if (header.kind === "malformed") return { failure: this.#invalidRequest("malformed_authorization", header.description) };
    const methods = (header.kind === "bearer" ? 1 : 0) + (query.length > 0 ? 1 : 0) + (body.length > 0 ? 1 : 0);
    if (methods > 1) {
      return {
        failure: this.#invalidRequest(
          "multiple_methods",
          "the access token was sent in more than one way: use only the Authorization header (RFC 6750 section 2)",
        ),
      };
    }
    if (query.length > 0) return this.#fromParameter(query, this.#allowQuery, "query");
    if (body.length > 0) return this.#fromParameter(body, this.#allowBody, "body");
    if (header.kind === "bearer") return { token: header.token };
    // §3.1: no credentials (or another scheme we do not take): the bare challenge.
    return { failure: this.#unauthorized() };
  }

  #fromParameter(values, allowed, where) {
    const section = where === "query" ? "2.3" : "2.2";
    const place = where === "query" ? "the URI query" : "the request body";
    if (!allowed) {
      return {
        failure: this.#invalidRequest(
          `token_in_${where}`,
          `access tokens in ${place} are not accepted: send an Authorization: Bearer header (RFC 6750 section ${section})`,
        ),
      };
    }
    if (values.length > 1) return { failure: this.#invalidRequest("multiple_tokens", `more than one access_token in ${place}`) };
    if (!B64TOKEN.test(values[0])) {
      return { failure: this.#invalidRequest("malformed_token", `the access_token in ${place} is not a b64token (RFC 6750 section 2.1)`) };
    }
    return { token: values[0] };
  }

  // ── verification

  #verifyToken(token, call) {
    if (this.#kind === "local") {
      const outcome = this.#verifyWith(this.#keys, this.#issuer, token, call);
      return outcome instanceof Promise ? outcome.then((o) => this.#answer(token, o)) : this.#answer(token, outcome);
    }
    if (this.#kind === "remote") {
      return this.#verifyRemote(this.#keys, this.#issuer, token, call).then((outcome) => this.#answer(token, outcome));
    }
    return this.#verifyByIssuer(token, call).then((outcome) => this.#answer(token, outcome));
  }

  // `{ result }` or `{ error }`; a promise of one with webCrypto.
  #verifyWith(keys, issuer, token, call) {
    const verifier = this.#verifier(keys, issuer);
    if (this.#webCrypto) return verifier.verifyAsync(token, call).then((result) => ({ result }), refused);
    try {
      return { result: verifier.verify(token, call) };
    } catch (error) {
      return refused(error);
    }
  }

  async #verifyRemote(remote, issuer, token, call) {
    let keys;
    try {
      keys = await remote.get();
    } catch (error) {
      if (isEdgeError(error)) return { unavailable: error };
      throw error;
    }
    let outcome = await this.#verifyWith(keys, issuer, token, call);
    if (outcome.error?.code === "ERR_JWKS_NO_MATCHING_KEY") {
      // A kid we do not know: maybe the issuer rotated. One refresh (cooldown-bounded), one retry.
      let kid;
      try {
        const k = decode(token, this.#decodeOptions()).header.kid;
        if (typeof k === "string") kid = k;
      } catch {
        // the verifier already parsed the header; nothing to add
      }
      try {
        await remote.refresh({ kid });
      } catch (error) {
        if (isEdgeError(error)) return { unavailable: error };
        throw error;
      }
      const fresh = remote.current();
      if (fresh && fresh !== keys) outcome = await this.#verifyWith(fresh, issuer, token, call);
    }
    return outcome;
  }

  #decodeOptions() {
    return this.#maxTokenLength === undefined ? undefined : { maxTokenLength: this.#maxTokenLength };
  }

  async #verifyByIssuer(token, call) {
    // The token is decoded, NOT verified, only to pick the issuer's keys; the verifier then
    // requires `iss` to equal that issuer, and checks everything else.
    let iss;
    try {
      iss = decode(token, this.#decodeOptions()).claims.iss;
    } catch (error) {
      if (error instanceof TollgateError && error.status) return { error };
      throw error;
    }
    const keys = await this.#keys.resolve(iss);
    if (!keys) {
      const missing = iss === undefined;
      const message = missing ? "missing required iss claim" : "iss claim check failed";
      return {
        error: new TollgateError(message, {
          code: "ERR_JWT_CLAIM_VALIDATION_FAILED",
          status: 401,
          claim: "iss",
          reason: missing ? "missing" : "check_failed",
          wwwAuthenticate: challenge(this.#realm, "invalid_token", message),
        }),
      };
    }
    if (keys instanceof KeySet) return this.#verifyWith(keys, iss, token, call);
    return this.#verifyRemote(keys, iss, token, call);
  }

  // ── RFC 6750 §3: the answer

  #answer(token, outcome) {
    if (outcome.result) {
      const { claims, header, scopes, roles } = outcome.result;
      // `result` (the verifier's own object) is what a policy trusts as verified;
      // #applyPolicy removes it from the answer.
      const ok = { ok: true, claims, header, scopes, roles, token };
      if (this.#policy !== undefined) Object.defineProperty(ok, "result", { value: outcome.result, enumerable: false, configurable: true });
      return ok;
    }
    if (outcome.unavailable) return this.#unavailable(outcome.unavailable);
    const error = outcome.error;
    const rfcError = error.status === 403 ? "insufficient_scope" : "invalid_token";
    // Errors raised before the verifier (decode) carry no realm: #withRealm adds it.
    const wwwAuthenticate = this.#withRealm(error.wwwAuthenticate ?? challenge(this.#realm, rfcError, undefined));
    return {
      ok: false,
      status: error.status,
      code: error.code,
      error: rfcError,
      description: error.message,
      cause: error,
      response: jsonResponse(error.status, { error: rfcError, error_description: error.message }, { "WWW-Authenticate": wwwAuthenticate }),
    };
  }

  /** `header` with the guard's realm first (one realm per guard: in place of any other). */
  #withRealm(header) {
    if (this.#realm === undefined) return header;
    return header
      .replace(/^Bearer realm="[^"]*"(, )?/, "Bearer ")
      .replace(/^Bearer ?/, `Bearer realm="${this.#realm}", `)
      .replace(/, $/, "");
  }

  #unauthorized() {
    return {
      ok: false,
      status: 401,
      code: "ERR_NO_CREDENTIALS",
      error: undefined,
      description: "a bearer token is required",
      response: jsonResponse(401, undefined, { "WWW-Authenticate": challenge(this.#realm) }),
    };
  }

  #invalidRequest(reason, description) {
    return {
      ok: false,
      status: 400,
      code: "ERR_INVALID_REQUEST",
      error: "invalid_request",
      reason,
      description,
      response: jsonResponse(
        400,
        { error: "invalid_request", error_description: description },
        { "WWW-Authenticate": challenge(this.#realm, "invalid_request", description) },
      ),
    };
  }

  #unavailable(error) {
    const retryAfter = Math.max(1, error.retryAfter ?? 1);
    const description = "the signing keys cannot be loaded right now; retry later";
    return {
      ok: false,
      status: 503,
      code: error.code,
      error: "temporarily_unavailable",
      description,
      retryAfter,
      cause: error,
      response: jsonResponse(
        503,
        { error: "temporarily_unavailable", error_description: description },
        { "Retry-After": String(retryAfter) },
      ),
    };
  }
}

function parseAuthorization(raw) {
  // Field values carry no leading/trailing whitespace (RFC 9110 §5.5); Headers trims it.
  const value = raw.replace(/^[ \t]+|[ \t]+$/g, "");
  if (value === "") return { kind: "none" };
  const [, scheme, rest] = SCHEME.exec(value);
  if (scheme.toLowerCase() !== "bearer") return { kind: "other" };
  if (rest === "") return { kind: "malformed", description: "the Bearer scheme needs a token" };
  const match = BEARER_REST.exec(rest);
  if (!match) {
    return { kind: "malformed", description: "malformed Authorization header: expected Bearer, a space and one token" };
  }
  if (!B64TOKEN.test(match[1])) {
    return { kind: "malformed", description: "the bearer token has characters outside the b64token syntax (RFC 6750 section 2.1)" };
  }
  return { kind: "bearer", token: match[1] };
}

/**
 * A request guard: extracts the bearer token by RFC 6750 §2, verifies it with `keys`
 * (a KeySet, a RemoteKeySet, or keys per issuer) and answers by §3.
 */
export function createGuard(options) {
  if (!isPlainObject(options)) throw invalidArg("createGuard expects an options object");
  if (options.keys === undefined) throw invalidArg("createGuard: options.keys is required");
  return new Guard(CONSTRUCT, options);
}
