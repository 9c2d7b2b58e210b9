// A JWKS over HTTP: one document fetched and cached (RemoteResource), RemoteKeySet on top.
// Why concurrent requests share no in-flight promise: docs/edge.md.

import { KeySet } from "./tollgate.js";
import { invalidArg } from "./internal.js";
import {
  CONSTRUCT, checkOptionNames, edgeError, fetchText, isEdgeError, isPlainObject, parseUrl, safeUrl,
} from "./edge-common.js";

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
/** The codes a failed JWKS or discovery fetch answers with. */
const JWKS_CODES = Object.freeze({
  failed: "ERR_JWKS_FETCH_FAILED",
  timeout: "ERR_JWKS_TIMEOUT",
});
/** Extra time a waiter gives another request's fetch beyond its timeout. */
const WAIT_GRACE = 250;
/** Distinct in-flight fetches one call waits for before fetching itself. */
const MAX_WAITS = 3;

export const REMOTE_OPTIONS = new Set([
  "fetch", "algorithms", "cacheMaxAge", "minCacheAge", "maxCacheAge", "cooldownDuration",
  "timeoutDuration", "staleIfError", "headers", "now", "initial", "dangerouslyAllowHttp",
]);

function durationOption(options, name, fallback) {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw invalidArg(`options.${name} must be a non-negative number of milliseconds`);
  }
  return value;
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

// ─────────────────────────────────────────────────────────────── RemoteResource

/**
 * One JSON document over HTTP, parsed by `parse` and cached by the rules in docs/edge.md.
 * Shared by the JWKS and the discovery document. Internal.
 */
export class RemoteResource {
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
  // request's promise (docs/edge.md).
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
      const { text, headers } = await fetchText(url, {
        fetchImpl: config.fetch ?? globalThis.fetch,
        init: { method: "GET", headers: config.headers, redirect: "follow" },
        timeout: config.timeoutDuration,
        limit: MAX_DOCUMENT_BYTES,
        what: this.#what,
        codes: JWKS_CODES,
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

export function remoteConfig(options, name) {
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

export function readInitial(initial) {
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

  /** A current KeySet: cached when fresh, else fetched by this call (docs/edge.md). */
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

export function jwksParser(algorithms) {
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
