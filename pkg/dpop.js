// Device-bound tokens for the guard: the `dpop` option compiled for the core (which checks
// every proof: src/dpop.rs), the replay stores a proof's jti is remembered in (store.js: in
// memory for one isolate; a Durable Object across isolates and locations), and the TLS client
// certificate's thumbprint for certificate-bound tokens (RFC 8705). Why and how: docs/dpop.md.

import { wasm } from "./core.js";
import { invalidArg } from "./internal.js";
import { checkOptionNames, isPlainObject } from "./edge-common.js";
import { StoreObject, createDurableStore, createMemoryStore } from "./store.js";

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
 * The memory store of store.js, under the name DPoP has always given it.
 */
export function createMemoryReplayStore(options = {}) {
  return createMemoryStore(options, "createMemoryReplayStore");
}

/**
 * A replay store in Durable Objects of `namespace` (bound to `ReplayGuardObject`, which is
 * `StoreObject`): one object per shard answers for its keys, so a proof is refused the second
 * time whichever isolate or location sees it.
 */
export function createDurableReplayStore(namespace, options = {}) {
  return createDurableStore(namespace, options, "createDurableReplayStore", "tollgate-dpop-replay");
}

/** The Durable Object behind `createDurableReplayStore`: store.js's `StoreObject`. */
export const ReplayGuardObject = StoreObject;

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
