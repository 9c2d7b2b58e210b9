// Opaque access tokens: RFC 7662 token introspection, cached. The introspector only asks
// the authorization server and remembers its answer; the answer is checked by the core
// (issuer, audience, expiry, scopes…: tollgate.js `introspectionChecker`), in the guard.
// Why concurrent requests share no in-flight promise here either: docs/edge.md.

import { invalidArg } from "./internal.js";
import { DIGESTS } from "./facts.js";
import {
  CONSTRUCT, checkOptionNames, edgeError, fetchText, isEdgeError, isPlainObject, parseUrl, safeUrl,
} from "./edge-common.js";

const SECOND = 1000;

const DEFAULTS = Object.freeze({
  timeoutDuration: 5 * SECOND,
  cooldownDuration: SECOND,
  maxTtl: 60 * SECOND,
  negativeTtl: 5 * SECOND,
  max: 10_000,
});

/** Largest introspection response read, in bytes. */
const MAX_RESPONSE_BYTES = 64 * 1024;
/** Extra time a waiter gives another request's lookup of the same token beyond its timeout. */
const WAIT_GRACE = 250;
/** RFC 7523 §2.2: a JWT client assertion. */
const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** The codes a failed lookup answers with: the guard's 503. */
const CODES = Object.freeze({
  failed: "ERR_INTROSPECTION_FAILED",
  timeout: "ERR_INTROSPECTION_FAILED",
});

const OPTIONS = new Set([
  "endpoint", "clientId", "clientSecret", "privateKeyJwt", "issuer", "fetch", "cache", "timeoutDuration",
  "cooldownDuration", "headers", "now", "dangerouslyAllowHttp",
]);
const CACHE_OPTIONS = new Set(["maxTtl", "negativeTtl", "max"]);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function duration(options, name, fallback, where = "createIntrospector") {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw invalidArg(`${where}: ${name} must be a non-negative number of milliseconds`);
  }
  return value;
}

function cacheConfig(value) {
  if (value === false) return { maxTtl: 0, negativeTtl: 0, max: 0 };
  if (value === undefined || value === true) value = {};
  if (!isPlainObject(value)) throw invalidArg("createIntrospector: cache must be true, false or { maxTtl, negativeTtl, max }");
  checkOptionNames(value, CACHE_OPTIONS, "createIntrospector: cache");
  const max = value.max ?? DEFAULTS.max;
  if (!Number.isInteger(max) || max < 0) throw invalidArg("createIntrospector: cache.max must be a non-negative integer");
  return {
    maxTtl: duration(value, "maxTtl", DEFAULTS.maxTtl, "createIntrospector: cache"),
    negativeTtl: duration(value, "negativeTtl", DEFAULTS.negativeTtl, "createIntrospector: cache"),
    max,
  };
}

// RFC 6749 §2.3.1: client_id and client_secret are form-urlencoded, then joined by ":"
// and sent as HTTP Basic credentials (so a ":" in the id cannot shift the split).
function basic(id, secret) {
  const form = (s) => encodeURIComponent(s).replace(/%20/g, "+");
  const bytes = new TextEncoder().encode(`${form(id)}:${form(secret)}`);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

function base64url(bytes) {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * The cache key of a token: base64url(SHA-256(token)). Neither the cache nor the
 * in-flight map ever holds the token itself, so a heap dump or a logged key reveals
 * no credential; a collision cannot be found, so two tokens never share an entry.
 */
async function keyOf(token) {
  const subtle = globalThis.crypto?.subtle;
  const digest = await subtle.digest(DIGESTS.SHA256, new TextEncoder().encode(token));
  return base64url(new Uint8Array(digest));
}

/**
 * Asks one RFC 7662 endpoint about opaque tokens: see createIntrospector. Safe to create
 * at module scope (no I/O until the first lookup) and to share between requests.
 */
export class Introspector {
  #endpoint; // URL string
  #config;
  #cache = new Map(); // key → { response, until } (Map order: least recently used first)
  #inFlight = new Map(); // key → { done, abandoned, response?, error? }
  #retryAt = -Infinity; // after a failure, no lookup before this
  #lastError;

  constructor(token, endpoint, config) {
    if (token !== CONSTRUCT) throw invalidArg("use createIntrospector(options)");
    this.#endpoint = endpoint;
    this.#config = config;
  }

  /** The issuer this endpoint speaks for (`issuer` option), if given. */
  get issuer() {
    return this.#config.issuer;
  }

  /** The endpoint's URL (without query). */
  get endpoint() {
    return safeUrl(this.#endpoint);
  }

  /** Answers held in the cache (positive and negative). */
  get cacheSize() {
    return this.#cache.size;
  }

  /** Forgets every cached answer (e.g. after a logout wave). */
  clearCache() {
    this.#cache.clear();
  }

  /**
   * The authorization server's answer about `token`: the response object (`active`,
   * `scope`, `client_id`, `sub`, `aud`, `iss`, `exp`, …), frozen, from the cache or from
   * one POST. NOT CHECKED here — an `active: true` answer for another audience is still
   * `active: true`: give the introspector to `createGuard({ introspection })`, which
   * checks it with the core as it checks a JWT. Rejects with `ERR_INTROSPECTION_FAILED`
   * when the server cannot answer (never a stale answer); `TypeError` on misuse.
   */
  async introspect(token) {
    if (typeof token !== "string" || token === "") throw invalidArg("introspect: token must be a non-empty string");
    const key = await keyOf(token);
    let waited = false;
    for (;;) {
      const now = this.#config.now();
      const cached = this.#lookup(key, now);
      if (cached !== undefined) return cached;
      const attempt = this.#inFlight.get(key);
      if (attempt !== undefined && !waited) {
        // One request in flight per token: wait for its outcome by polling plain data
        // with our own timers (never its promise), then use it. If that request vanished,
        // ask ourselves.
        waited = true;
        await this.#wait(attempt);
        if (attempt.error !== undefined) throw attempt.error;
        if (attempt.response !== undefined) return attempt.response;
        continue;
      }
      if (now < this.#retryAt) throw this.#failFast(now);
      return this.#ask(token, key);
    }
  }

  #lookup(key, now) {
    const entry = this.#cache.get(key);
    if (entry === undefined) return undefined;
    if (now >= entry.until) {
      this.#cache.delete(key);
      return undefined;
    }
    this.#cache.delete(key); // move to the most recently used end
    this.#cache.set(key, entry);
    return entry.response;
  }

  async #wait(attempt) {
    let budget = this.#config.timeoutDuration + WAIT_GRACE;
    let step = 5;
    while (!attempt.done && budget > 0) {
      const ms = Math.min(step, budget);
      await sleep(ms);
      budget -= ms;
      step = Math.min(step * 2, 50);
    }
    if (!attempt.done) attempt.abandoned = true;
  }

  #failFast(now) {
    const last = this.#lastError;
    return edgeError(CODES.failed, last?.message ?? "the introspection endpoint is unavailable", {
      url: last?.url,
      cause: last?.cause,
      httpStatus: last?.httpStatus,
      retryAfter: Math.max(1, Math.ceil((this.#retryAt - now) / SECOND)),
    });
  }

  async #ask(token, key) {
    const config = this.#config;
    const attempt = { done: false, abandoned: false, response: undefined, error: undefined };
    this.#inFlight.set(key, attempt);
    const started = config.now();
    try {
      const response = await this.#post(token);
      attempt.response = response;
      this.#remember(key, response, config.now());
      this.#retryAt = -Infinity;
      this.#lastError = undefined;
      return response;
    } catch (raw) {
      if (!isEdgeError(raw)) throw raw; // a caller mistake (privateKeyJwt's answer): TypeError
      raw.retryAfter = Math.max(1, Math.ceil(config.cooldownDuration / SECOND));
      this.#retryAt = started + config.cooldownDuration;
      this.#lastError = raw;
      attempt.error = raw;
      throw raw;
    } finally {
      attempt.done = true;
      if (this.#inFlight.get(key) === attempt) this.#inFlight.delete(key);
    }
  }

  // Positive answers live until the token's `exp` and at most maxTtl: a revocation at
  // the server shows within maxTtl. Negative ones live negativeTtl: a token that was not
  // active yet (or an outage of the server's own store) is asked again soon.
  #remember(key, response, now) {
    const { maxTtl, negativeTtl, max } = this.#config.cache;
    let lifetime = negativeTtl;
    if (response.active === true) {
      lifetime = maxTtl;
      if (typeof response.exp === "number") lifetime = Math.min(lifetime, response.exp * SECOND - now);
    }
    if (!(lifetime > 0) || max === 0) return;
    this.#cache.delete(key);
    this.#cache.set(key, { response, until: now + lifetime });
    while (this.#cache.size > max) this.#cache.delete(this.#cache.keys().next().value);
  }

  async #post(token) {
    const config = this.#config;
    const form = new URLSearchParams({ token, token_type_hint: "access_token" });
    const headers = [...config.headers];
    if (config.privateKeyJwt !== undefined) {
      let assertion;
      try {
        assertion = await config.privateKeyJwt();
      } catch (cause) {
        throw edgeError(CODES.failed, "the client assertion (privateKeyJwt) could not be made", { cause });
      }
      if (typeof assertion !== "string" || assertion === "") {
        throw invalidArg("createIntrospector: privateKeyJwt must resolve to a client assertion (a JWT string)");
      }
      if (config.clientId !== undefined) form.set("client_id", config.clientId);
      form.set("client_assertion_type", JWT_BEARER);
      form.set("client_assertion", assertion);
    }
    const { text } = await fetchText(this.#endpoint, {
      fetchImpl: config.fetch ?? globalThis.fetch,
      // Never follow a redirect: the body carries the token, and the header our credentials.
      // "manual" (workerd refuses "error"): a 3xx is then an answer other than 200, a failure.
      init: { method: "POST", headers, body: form.toString(), redirect: "manual" },
      timeout: config.timeoutDuration,
      limit: MAX_RESPONSE_BYTES,
      what: "introspection endpoint",
      codes: CODES,
    });
    let response;
    try {
      response = JSON.parse(text);
    } catch {
      response = undefined;
    }
    // RFC 7662 §2.2: a JSON object with a boolean `active`; anything else is the server's fault.
    if (!isPlainObject(response) || typeof response.active !== "boolean") {
      throw edgeError(CODES.failed, `introspection endpoint ${safeUrl(this.#endpoint)} answered something other than an RFC 7662 response`, {
        url: safeUrl(this.#endpoint),
      });
    }
    // A server that leaves out `iss` speaks for the issuer configured here (the core
    // then compares it with the guard's, as for a JWT).
    if (response.active && response.iss === undefined && config.issuer !== undefined) response.iss = config.issuer;
    return Object.freeze(response);
  }
}

/**
 * An RFC 7662 introspection client for opaque access tokens, with a cache keyed by a
 * hash of the token, a timeout, a short fail-fast period after a failure, and one
 * request in flight per token. Give it to `createGuard({ introspection })`.
 */
export function createIntrospector(options) {
  if (!isPlainObject(options)) throw invalidArg("createIntrospector expects an options object");
  checkOptionNames(options, OPTIONS, "createIntrospector");
  const { endpoint, clientId, clientSecret, privateKeyJwt, issuer } = options;
  if (options.dangerouslyAllowHttp !== undefined && typeof options.dangerouslyAllowHttp !== "boolean") {
    throw invalidArg("createIntrospector: dangerouslyAllowHttp must be a boolean");
  }
  if (typeof endpoint !== "string" && !(endpoint instanceof URL)) throw invalidArg("createIntrospector: endpoint must be a string or a URL");
  const href = parseUrl(endpoint, "the introspection endpoint", options.dangerouslyAllowHttp === true, invalidArg).href;
  if (clientId !== undefined && (typeof clientId !== "string" || clientId === "")) throw invalidArg("createIntrospector: clientId must be a non-empty string");
  if (clientSecret !== undefined && typeof clientSecret !== "string") throw invalidArg("createIntrospector: clientSecret must be a string");
  if (privateKeyJwt !== undefined && typeof privateKeyJwt !== "function") {
    throw invalidArg("createIntrospector: privateKeyJwt must be a function returning a client assertion");
  }
  if (issuer !== undefined && (typeof issuer !== "string" || issuer === "")) throw invalidArg("createIntrospector: issuer must be a non-empty string");
  if (options.fetch !== undefined && typeof options.fetch !== "function") throw invalidArg("createIntrospector: fetch must be a function");
  const now = options.now ?? Date.now;
  if (typeof now !== "function") throw invalidArg("createIntrospector: now must be a function returning milliseconds");
  if (typeof globalThis.crypto?.subtle?.digest !== "function") {
    throw invalidArg("createIntrospector needs WebCrypto (crypto.subtle) to hash tokens: Node 20+, browsers, workerd");
  }
  let headers;
  try {
    headers = new Headers(options.headers ?? {});
  } catch (error) {
    throw invalidArg(`createIntrospector: headers are invalid: ${error.message}`);
  }
  if (clientSecret !== undefined && privateKeyJwt !== undefined) {
    throw invalidArg("createIntrospector: give clientSecret or privateKeyJwt, not both");
  }
  if (clientSecret !== undefined) {
    if (clientId === undefined) throw invalidArg("createIntrospector: clientSecret needs clientId");
    headers.set("authorization", basic(clientId, clientSecret));
  } else if (privateKeyJwt === undefined && !headers.has("authorization")) {
    // RFC 7662 §2.1: the endpoint requires authorization; say how, here rather than by a 401.
    throw invalidArg("createIntrospector: give clientId with clientSecret, privateKeyJwt, or an Authorization header");
  }
  headers.set("content-type", "application/x-www-form-urlencoded");
  if (!headers.has("accept")) headers.set("accept", "application/json");
  const config = {
    clientId,
    privateKeyJwt,
    issuer,
    fetch: options.fetch,
    now,
    timeoutDuration: duration(options, "timeoutDuration", DEFAULTS.timeoutDuration),
    cooldownDuration: duration(options, "cooldownDuration", DEFAULTS.cooldownDuration),
    cache: cacheConfig(options.cache),
    // Plain pairs: each lookup builds its own Headers inside its own request.
    headers: [...headers],
  };
  if (config.timeoutDuration === 0) throw invalidArg("createIntrospector: timeoutDuration must be positive");
  return new Introspector(CONSTRUCT, href, config);
}
