// From an issuer to its keys: OpenID Connect discovery, or a map for multi-tenant APIs.

import { KeySet } from "./tollgate.js";
import { invalidArg } from "./internal.js";
import { CONSTRUCT, checkOptionNames, edgeError, isPlainObject, parseUrl, safeUrl } from "./edge-common.js";
import { REMOTE_OPTIONS, RemoteKeySet, RemoteResource, jwksParser, readInitial, remoteConfig } from "./remote.js";

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

