// Device-bound tokens for the guard: the `dpop` option compiled for the core (which checks
// every proof: src/dpop.rs), the replay stores a proof's jti is remembered in (in memory for
// one isolate; a Durable Object across isolates and locations), and the TLS client
// certificate's thumbprint for certificate-bound tokens (RFC 8705). Why and how: docs/dpop.md.

import { wasm } from "./core.js";
import { invalidArg } from "./internal.js";
import { checkOptionNames, isPlainObject } from "./edge-common.js";

const DPOP_OPTIONS = new Set(["algorithms", "iatWindow", "nonceSecret", "requireNonce", "nonceLifetime", "replay", "required"]);
const utf8 = new TextEncoder();

/**
 * The guard's `dpop` option, compiled: `{ raw, algs, replay, required }`. The core checks the
 * values (algorithms, windows, the secret's length); this checks their JS types.
 */
export function compileDpop(options) {
  if (!presentedSupported()) {
    throw invalidArg("createGuard: dpop needs the full module: import \"tollgate/policy\" (or its entry for your runtime) before creating the guard");
  }
  if (options === true) options = {};
  if (!isPlainObject(options)) throw invalidArg("createGuard: dpop must be an object (or true)");
  checkOptionNames(options, DPOP_OPTIONS, "createGuard: dpop");
  const {
    algorithms = [],
    iatWindow = 60,
    nonceSecret,
    requireNonce = nonceSecret !== undefined,
    nonceLifetime = 300,
    replay = createMemoryReplayStore(),
    required = false,
  } = options;
  if (!Array.isArray(algorithms) || algorithms.some((a) => typeof a !== "string" || a === "" || a.includes(" "))) {
    throw invalidArg("createGuard: dpop.algorithms must be an array of algorithm names");
  }
  for (const [name, value] of [["iatWindow", iatWindow], ["nonceLifetime", nonceLifetime]]) {
    if (typeof value !== "number") throw invalidArg(`createGuard: dpop.${name} must be a number of seconds`);
  }
  let secret;
  if (typeof nonceSecret === "string") secret = utf8.encode(nonceSecret);
  else if (nonceSecret instanceof Uint8Array) secret = nonceSecret;
  else if (nonceSecret !== undefined) throw invalidArg("createGuard: dpop.nonceSecret must be a string or a Uint8Array");
  if (typeof requireNonce !== "boolean") throw invalidArg("createGuard: dpop.requireNonce must be a boolean");
  if (typeof required !== "boolean") throw invalidArg("createGuard: dpop.required must be a boolean");
  if (replay === null || typeof replay !== "object" || typeof replay.seen !== "function") {
    throw invalidArg("createGuard: dpop.replay must be a ReplayStore ({ seen(key, expiresAt) })");
  }
  let raw;
  try {
    raw = new wasm.RawDpop(algorithms.join(" "), iatWindow, secret, requireNonce, nonceLifetime);
  } catch (error) {
    throw error?.code === "ERR_INVALID_ARG" ? invalidArg(`createGuard: ${error.message}`) : error;
  }
  return { raw, algs: raw.algs(), replay, required };
}

/** Whether the bound module checks DPoP proofs and certificates (the full module does). */
export function presentedSupported() {
  return typeof wasm.RawDpop === "function";
}

/** The replay store's key of a proof: its jti, scoped by its key's thumbprint (never the token). */
export function replayKey(proof) {
  return `${proof.jkt}.${proof.jti}`;
}

/**
 * A replay store for one isolate: proofs' keys until they expire, at most `max` of them (the
 * oldest go first: size it for the requests of two `iatWindow`s). `now` (ms) is for tests.
 */
export function createMemoryReplayStore(options = {}) {
  if (!isPlainObject(options)) throw invalidArg("createMemoryReplayStore: options must be an object");
  checkOptionNames(options, new Set(["max", "now"]), "createMemoryReplayStore");
  const { max = 10_000, now = Date.now } = options;
  if (!Number.isInteger(max) || max < 1) throw invalidArg("createMemoryReplayStore: max must be a positive integer");
  if (typeof now !== "function") throw invalidArg("createMemoryReplayStore: now must be a function returning milliseconds");
  const seen = new Map(); // key → expiresAt (seconds), in insertion order
  return {
    seen(key, expiresAt) {
      const at = now() / 1000;
      const until = seen.get(key);
      if (until !== undefined && until > at) return Promise.resolve(true);
      seen.delete(key);
      if (seen.size >= max) {
        // Expired entries first; then the oldest, whose proofs expire soonest.
        for (const [k, t] of seen) if (t <= at) seen.delete(k);
        for (const k of seen.keys()) {
          if (seen.size < max) break;
          seen.delete(k);
        }
      }
      seen.set(key, expiresAt);
      return Promise.resolve(false);
    },
    get size() {
      return seen.size;
    },
  };
}

/** A small stable hash of a string (FNV-1a), to spread keys over shards. */
function shardOf(key, shards) {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % shards;
}

/**
 * A replay store in Durable Objects of `namespace` (bound to `ReplayGuardObject`): one
 * object per shard answers for its keys, so a proof is refused the second time whichever
 * isolate or location sees it.
 */
export function createDurableReplayStore(namespace, options = {}) {
  if (namespace === null || typeof namespace !== "object" || typeof namespace.idFromName !== "function" || typeof namespace.get !== "function") {
    throw invalidArg("createDurableReplayStore: namespace must be a Durable Object namespace binding");
  }
  if (!isPlainObject(options)) throw invalidArg("createDurableReplayStore: options must be an object");
  checkOptionNames(options, new Set(["shards", "name"]), "createDurableReplayStore");
  const { shards = 16, name = "tollgate-dpop-replay" } = options;
  if (!Number.isInteger(shards) || shards < 1 || shards > 1024) throw invalidArg("createDurableReplayStore: shards must be an integer from 1 to 1024");
  if (typeof name !== "string" || name === "") throw invalidArg("createDurableReplayStore: name must be a non-empty string");
  return {
    async seen(key, expiresAt) {
      const stub = namespace.get(namespace.idFromName(`${name}/${shardOf(key, shards)}`));
      const response = await stub.fetch("https://replay.invalid/seen", {
        method: "POST",
        body: JSON.stringify({ key, expiresAt }),
      });
      if (!response.ok) throw new Error(`replay store answered ${response.status}`);
      const { seen } = await response.json();
      return seen === true;
    },
  };
}

/** Entries written between two sweeps of expired ones. */
const SWEEP_EVERY = 256;

/**
 * The Durable Object behind `createDurableReplayStore`: export it from your worker and bind a
 * namespace to it. Check-and-set is atomic (the object's storage calls hold its input gate),
 * and expired entries are swept as it goes.
 */
export class ReplayGuardObject {
  #storage;
  #writes = 0;

  constructor(state) {
    this.#storage = state.storage;
  }

  async fetch(request) {
    let key;
    let expiresAt;
    try {
      ({ key, expiresAt } = await request.json());
    } catch {
      return new Response("bad request", { status: 400 });
    }
    if (typeof key !== "string" || key === "" || key.length > 1024 || typeof expiresAt !== "number") {
      return new Response("bad request", { status: 400 });
    }
    const now = Date.now() / 1000;
    const until = await this.#storage.get(key);
    const seen = typeof until === "number" && until > now;
    if (!seen) {
      await this.#storage.put(key, expiresAt);
      if (++this.#writes % SWEEP_EVERY === 0) await this.#sweep(now);
    }
    return Response.json({ seen });
  }

  async #sweep(now) {
    const entries = await this.#storage.list({ limit: 4 * SWEEP_EVERY });
    const expired = [...entries].filter(([, until]) => !(until > now)).map(([k]) => k);
    for (let i = 0; i < expired.length; i += 128) await this.#storage.delete(expired.slice(i, i + 128));
  }
}

/**
 * The TLS client certificate's SHA-256 thumbprint as `cnf.x5t#S256` holds it (base64url), from
 * what a `clientCertificate` function returned: base64url already, or hex (with or without
 * colons, as runtimes print fingerprints). `undefined` for nothing.
 */
export function certificateThumbprint(value) {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw invalidArg("clientCertificate must return a string (the certificate's SHA-256 thumbprint) or undefined");
  const hex = value.replaceAll(":", "");
  if (/^[0-9a-fA-F]{64}$/.test(hex)) {
    let binary = "";
    for (let i = 0; i < 64; i += 2) binary += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
    return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  }
  if (/^[A-Za-z0-9_-]{43}$/.test(value)) return value;
  throw invalidArg("clientCertificate returned neither a base64url nor a hex SHA-256 thumbprint");
}

/**
 * Cloudflare's client certificate (`request.cf.tlsClientAuth`, set by the platform when the
 * zone's mTLS is on): its SHA-256 fingerprint when one was presented and is not revoked. The
 * chain's verification (`certVerified`) is not required: RFC 8705 §3 also binds self-signed
 * certificates, and the TLS handshake proved the client holds the certificate's key.
 */
export function cloudflareCertificate(request) {
  const auth = request?.cf?.tlsClientAuth;
  if (!auth || auth.certPresented !== "1" || auth.certRevoked === "1") return undefined;
  return typeof auth.certFingerprintSHA256 === "string" && auth.certFingerprintSHA256 !== "" ? auth.certFingerprintSHA256 : undefined;
}
