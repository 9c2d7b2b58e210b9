// The request guard: the bearer token found by RFC 6750 §2, verified by the core, answered by §3.

import { KeySet, TollgateError, createVerifier, decode } from "./tollgate.js";
import { DPOP, handles, invalidArg, lent, verifiedTexts } from "./internal.js";
import { ALGORITHMS, CALL_OPTIONS, VERIFY_OPTIONS } from "./facts.js";
import { challenge, oauthErrorOf, statusOf } from "./answer.js";
import { CONSTRUCT, checkOptionNames, isEdgeError, isPlainObject, readText } from "./edge-common.js";
import { RemoteKeySet } from "./remote.js";
import { IssuerKeys, createIssuerKeys } from "./issuers.js";
import { Introspector } from "./introspection.js";
import { certificateThumbprint, cloudflareCertificate, compileDpop, presentedSupported, replayKey } from "./dpop.js";
import { StoreRevocations, revokedByClaims } from "./store-revocations.js";
import { ApiKeyCatalog, BasicCredentials } from "./credentials.js";

/** Largest form body searched for `access_token`, in bytes (RFC 6750 §2.2). */
const MAX_FORM_BODY_BYTES = 64 * 1024;

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
// credentials = "Bearer" 1*SP b64token (scheme case-insensitive, RFC 9110 §11.1)
const SCHEME = /^([^ \t]+)([\s\S]*)$/;
const TOKEN_REST = /^ +([^ ]+)$/;

// The core's call options, and jose's `currentDate` that the JS layer turns into `now`.
const AUTHORIZE_OPTIONS = new Set([...CALL_OPTIONS, "currentDate"]);
const VERIFY_OPTION_NAMES = new Set(VERIFY_OPTIONS);

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

// An HMAC algorithm, whose key the probe makes from 64 zero bytes (long enough for any).
const PROBE_ALG = Object.keys(ALGORITHMS).find((alg) => ALGORITHMS[alg].kty === "oct");

/** Verifier options probe: rejects misspelled or invalid verify options at createGuard time. */
function probeVerifyOptions(verifyOptions, issuer) {
  const probe = KeySet.fromSecret(new Uint8Array(64), { alg: PROBE_ALG });
  try {
    const { algorithms: _ignored, ...rest } = verifyOptions;
    createVerifier({ ...rest, keys: probe, issuer }).free();
  } finally {
    probe.free();
  }
}

/** Authorizes requests: see createGuard. */
export class Guard {
  #kind; // "local" | "remote" | "issuers" | "none" (opaque tokens only)
  #keys; // KeySet | RemoteKeySet | IssuerKeys | undefined
  #introspection; // Introspector, or undefined
  #opaque; // the core's checker of introspection responses, with the verify options
  #issuer;
  #realm;
  #verifyOptions; // everything but keys and issuer
  #allowQuery;
  #allowBody;
  #maxTokenLength;
  #policy;
  #environment;
  #clientIp;
  #webCrypto; // RSA/ECDSA/EdDSA signatures checked by native crypto (Verifier.verifyAsync); default on
  #dpop; // { raw, algs, replay, required } when DPoP proofs are accepted (dpop.js)
  #certificate; // (request) => the client certificate's SHA-256 thumbprint, or undefined
  #storeRevocations; // StoreRevocations asked after the core allowed the request, or undefined
  #verifiers = new WeakMap(); // KeySet → Map(issuer key → Verifier)
  #tokens; // Bearer/DPoP tokens are taken (keys or introspection given)
  #apiKeys; // { raw, header, realm } of an ApiKeyCatalog (credentials.js), with the policy bound
  #basic; // { raw, realm } of a BasicCredentials, with the policy bound
  #allowInsecure; // API keys and Basic over plain http: (dangerous)

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
      webCrypto = true,
      introspection,
      dpop,
      mtls = ON_CLOUDFLARE,
      clientCertificate,
      apiKeys,
      basic,
      allowInsecure = false,
      ...verifyOptions
    } = options;
    if (dpop !== undefined && dpop !== false) this.#dpop = compileDpop(dpop);
    if (typeof mtls !== "boolean") throw invalidArg("createGuard: mtls must be a boolean");
    if (clientCertificate !== undefined && typeof clientCertificate !== "function") {
      throw invalidArg("createGuard: clientCertificate must be a function (request) => string | undefined");
    }
    this.#certificate = clientCertificate ?? (mtls ? cloudflareCertificate : undefined);
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
    // Revocations in a shared store are asked after the core's answer (#unrevoked); the core
    // itself takes only a RevocationList.
    if (verifyOptions.revocations instanceof StoreRevocations) {
      this.#storeRevocations = verifyOptions.revocations;
      delete verifyOptions.revocations;
    }
    // A policy's revocation list is checked where the token is, in the same trip.
    const listed = this.#policy === undefined ? undefined : handles.get(this.#policy)?.revocations;
    if (listed !== undefined && verifyOptions.revocations !== undefined && verifyOptions.revocations !== listed) {
      throw invalidArg("createGuard: the policy and the options name different revocation lists: give one");
    }
    this.#verifyOptions = listed === undefined ? verifyOptions : { ...verifyOptions, revocations: listed };

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
    } else if (keys === undefined && introspection !== undefined) {
      this.#kind = "none";
      this.#issuer = issuer;
    } else if (keys === undefined && (apiKeys !== undefined || basic !== undefined)) {
      // Credentials only: no token is taken (no audience needed), a misspelled option still fails.
      this.#kind = "none";
      this.#issuer = issuer;
      checkOptionNames(verifyOptions, VERIFY_OPTION_NAMES, "createGuard");
    } else {
      throw invalidArg("createGuard: keys must be a KeySet, a RemoteKeySet or keys per issuer (createIssuerKeys)");
    }
    if (introspection !== undefined) this.#useIntrospection(introspection);
    this.#tokens = keys !== undefined || introspection !== undefined;
    this.#useCredentials(apiKeys, basic, allowInsecure);
  }

  #useCredentials(apiKeys, basic, allowInsecure) {
    if (typeof allowInsecure !== "boolean") throw invalidArg("createGuard: allowInsecure must be a boolean");
    this.#allowInsecure = allowInsecure;
    // With a policy, bound once: each request is then one call into the core.
    const raw = handles.get(this.#policy)?.raw;
    if (apiKeys !== undefined) {
      if (!(apiKeys instanceof ApiKeyCatalog)) throw invalidArg("createGuard: apiKeys must be an ApiKeyCatalog (ApiKeyCatalog.fromJson)");
      const held = handles.get(apiKeys);
      this.#apiKeys = { ...held, plain: held.raw, raw: raw === undefined ? held.raw : held.raw.withPolicy(raw) };
    }
    if (basic !== undefined) {
      if (!(basic instanceof BasicCredentials)) throw invalidArg("createGuard: basic must be a BasicCredentials (BasicCredentials.fromJson)");
      const held = handles.get(basic);
      this.#basic = { ...held, plain: held.raw, raw: raw === undefined ? held.raw : held.raw.withPolicy(raw) };
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
      verifier = createVerifier({ ...this.#verifyOptions, keys, issuer, [DPOP]: this.#dpop?.raw });
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
      if (request === null || typeof request !== "object") throw invalidArg("authorize: request must be a Request or { method, url, headers }");
      const url = parseRequestUrl(request);
      // With a policy: the route and the token in one call into the core.
      const route = this.#policy === undefined ? undefined : this.#route(request, url, call);
      const found = this.#extract(request, url);
      const after = (f) => this.#afterExtract(f, call, route, request, url);
      if (found instanceof Promise) return found.then(after);
      return Promise.resolve(after(found));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** What the policy needs to know about the request. */
  #route(request, url, call) {
    const path = url?.pathname ?? "/";
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

  /**
   * With a policy, an answer reached without asking the core about the token (no token,
   * malformed credentials, keys unavailable, an issuer we do not know): the route decides
   * first, as it would have — a public rule needs nothing, a bad path is a 400.
   */
  #routeFirst(answer, route) {
    if (route === undefined || answer.ok) return answer;
    const decision = this.#policy.evaluate(null, route);
    if (decision.allow) return { ok: true, public: true, decision };
    if (decision.status === 400) return this.#fromDecision(decision);
    return answer;
  }

  #fromDecision(decision, dpop = false) {
    if (decision.code === "ERR_NO_CREDENTIALS") return this.#unauthorized();
    const status = decision.status;
    const error = oauthErrorOf(decision.code);
    // A DPoP request is answered on DPoP (RFC 9449 §7.1); the policy's own challenge is Bearer's.
    const wwwAuthenticate = dpop
      ? challenge(decision.code, this.#realm, decision.reason, this.#offer(true))
      : this.#withRealm(decision.wwwAuthenticate);
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
    checkOptionNames(options, AUTHORIZE_OPTIONS, "authorize");
    return options;
  }

  #afterExtract(found, call, route, request, url) {
    if (found.failure) return this.#routeFirst(found.failure, route);
    if (found.credential) return this.#verifyCredential(found, call, route, url);
    const answer = this.#verifyToken(found.token, call, route, this.#presented(found, request, url));
    return this.#storeRevocations === undefined ? answer : Promise.resolve(answer).then((a) => this.#unrevoked(a, found.scheme === "dpop"));
  }

  /**
   * What the request presents besides its token, for the core (`{ method, url, dpop, proof,
   * certificate }`), or undefined when there is nothing to check (the plain bearer path).
   */
  #presented(found, request, url) {
    let certificate = this.#certificate === undefined ? undefined : certificateThumbprint(this.#certificate(request));
    // Without the full module the core cannot compare it: certificate-bound tokens are then
    // refused as tokens that came without their proof, as they always were.
    if (certificate !== undefined && !presentedSupported()) certificate = undefined;
    if (this.#dpop === undefined && certificate === undefined) return undefined;
    const dpop = found.scheme === "dpop";
    // RFC 9449 §4.3 (1): one DPoP header; several reach the core joined, and fail as a JWS.
    const proofs = dpop ? headerValues(request.headers, "dpop") : [];
    return {
      method: String(request.method ?? "GET"),
      url: url?.href ?? "",
      dpop,
      proof: proofs.length === 0 ? undefined : proofs.join(", "),
      certificate,
    };
  }

  /** The schemes the guard's challenges offer (RFC 9449 §7.2, RFC 9110 §11.6.1), for `challenge`. */
  #offer(errorInDpop = false) {
    const dpop = this.#dpop;
    if (dpop === undefined && this.#apiKeys === undefined && this.#basic === undefined) return undefined;
    return {
      dpop: dpop?.algs,
      bearer: this.#tokens && !dpop?.required,
      errorInDpop,
      // RFC 7617 §2: Basic's realm is required; the guard's, else the list's own, else "api".
      basic: this.#basic === undefined ? undefined : this.#realm ?? this.#basic.realm ?? "api",
      apiKey: this.#apiKeys !== undefined,
    };
  }

  // ── RFC 6750 §2: where the token is

  #extract(request, url) {
    const method = String(request.method ?? "GET").toUpperCase();
    const headers = request.headers;
    const auth = headerValues(headers, "authorization");

    let header = { kind: "none" };
    if (auth.length > 1) {
      header = { kind: "malformed", description: "more than one Authorization header" };
    } else if (auth.length === 1) {
      header = parseAuthorization(auth[0], this.#dpop, this.#tokens, this.#apiKeys !== undefined, this.#basic !== undefined);
    }
    // The catalog's own header (X-API-Key): a second place a credential can be.
    const keys = this.#apiKeys === undefined ? [] : headerValues(headers, this.#apiKeys.header);
    if (keys.length > 1) header = { kind: "malformed", description: `more than one ${this.#apiKeys.header} header` };
    const keyHeader = keys.length === 1 ? keys[0] : undefined;

    const query = url === undefined || url.search === "" ? [] : url.searchParams.getAll("access_token");

    // §2.2: a form-encoded body, with a method whose body has semantics (never GET).
    const formBody = method !== "GET" && method !== "HEAD" && isFormBody(headerValues(headers, "content-type")[0]);
    if (formBody) return bodyTokens(request).then((body) => this.#choose(header, query, body, keyHeader, request, url));
    return this.#choose(header, query, [], keyHeader, request, url);
  }

  #choose(header, query, body, keyHeader, request, url) {
    if (header.kind === "malformed") return { failure: this.#invalidRequest("malformed_authorization", header.description) };
    const inHeader = header.kind === "bearer" || header.kind === "dpop";
    const credential = header.kind === "apikey" || header.kind === "basic";
    const methods = (inHeader || credential ? 1 : 0) + (keyHeader !== undefined ? 1 : 0) +
      (query.length > 0 ? 1 : 0) + (body.length > 0 ? 1 : 0);
    if (methods > 1) {
      // RFC 6750 §2: one method per request; and one credential: which would decide?
      const description = credential || keyHeader !== undefined
        ? "more than one credential was sent (an API key header, Authorization, a token parameter): send one"
        : "the access token was sent in more than one way: use only the Authorization header (RFC 6750 section 2)";
      return { failure: this.#invalidRequest("multiple_methods", description) };
    }
    if (keyHeader !== undefined) return { credential: "apikey", value: keyHeader.trim() };
    if (credential) return { credential: header.kind, value: header.value };
    if (query.length > 0) return this.#fromParameter(query, this.#allowQuery, "query");
    if (body.length > 0) return this.#fromParameter(body, this.#allowBody, "body");
    if (inHeader) return { token: header.token, scheme: header.kind };
    // §3.1: no credentials (or another scheme we do not take): the bare challenge.
    return { failure: this.#unauthorized(request, url) };
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
    // A DPoP-only guard takes no bearer token from anywhere.
    if (this.#dpop?.required) return { failure: this.#unauthorized() };
    return { token: values[0], scheme: "bearer" };
  }

  // ── verification

  #verifyToken(token, call, route, presented) {
    const answer = (outcome) => this.#answer(token, outcome, route, presented);
    if (this.#introspection !== undefined && !looksLikeJws(token)) return this.#verifyOpaque(token, call, route);
    if (this.#kind === "none") return answer(noKeysFor(token, this.#realm));
    if (this.#kind === "local") {
      const outcome = this.#verifyWith(this.#keys, this.#issuer, token, call, route, presented);
      return outcome instanceof Promise ? outcome.then(answer) : answer(outcome);
    }
    if (this.#kind === "remote") return this.#verifyRemote(this.#keys, this.#issuer, token, call, route, presented).then(answer);
    return this.#verifyByIssuer(token, call, route, presented).then(answer);
  }

  // `{ result }` or `{ error }` — with a policy (`route`), the one trip's
  // `{ outcome, result?, decision? }` or `{ error }` — or a promise of one (native crypto).
  #verifyWith(keys, issuer, token, call, route, presented) {
    const verifier = this.#verifier(keys, issuer);
    if (route !== undefined) return handles.get(verifier).authorize(this.#policy, token, route, call, this.#webCrypto, presented);
    if (presented !== undefined) return handles.get(verifier).present(token, call, presented, this.#webCrypto);
    if (this.#webCrypto) return verifier.verifyAsync(token, call).then((result) => ({ result }), refused);
    try {
      return { result: verifier.verify(token, call) };
    } catch (error) {
      return refused(error);
    }
  }

  async #verifyRemote(remote, issuer, token, call, route, presented) {
    let keys;
    try {
      keys = await remote.get();
    } catch (error) {
      if (isEdgeError(error)) return { unavailable: error };
      throw error;
    }
    let outcome = await this.#verifyWith(keys, issuer, token, call, route, presented);
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
      if (fresh && fresh !== keys) outcome = await this.#verifyWith(fresh, issuer, token, call, route, presented);
    }
    return outcome;
  }

  #decodeOptions() {
    return this.#maxTokenLength === undefined ? undefined : { maxTokenLength: this.#maxTokenLength };
  }

  async #verifyByIssuer(token, call, route, presented) {
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
      const code = "ERR_JWT_CLAIM_VALIDATION_FAILED";
      return {
        error: new TollgateError(message, {
          code,
          status: statusOf(code),
          claim: "iss",
          reason: missing ? "missing" : "check_failed",
          wwwAuthenticate: challenge(code, this.#realm, message),
        }),
      };
    }
    if (keys instanceof KeySet) return this.#verifyWith(keys, iss, token, call, route, presented);
    return this.#verifyRemote(keys, iss, token, call, route, presented);
  }

  // ── RFC 6750 §3: the answer

  #answer(token, outcome, route, presented) {
    if (outcome.outcome === "public") return { ok: true, public: true, decision: outcome.decision };
    if (outcome.outcome === "denied") return this.#fromDecision(outcome.decision, presented?.dpop);
    if (outcome.result) {
      const { credential = JWT_CREDENTIAL, proof, nonce } = outcome.result;
      const ok = this.#success(token, outcome.result, credential, outcome.decision);
      if (nonce !== undefined) ok.dpopNonce = nonce;
      // The proof passed every check in the core; only its novelty is left (RFC 9449 §11.1).
      return proof === undefined ? ok : this.#unreplayed(proof, ok);
    }
    // Refused before the core saw the token (keys, issuer): the route may not need one.
    if (outcome.outcome === undefined) return this.#routeFirst(this.#refusal(outcome), route);
    return this.#refusal(outcome);
  }

  // Every credential ends in the same result, so the same scope checks and policy apply.
  #success(token, result, credential, decision) {
    const { claims, header, scopes, roles } = result;
    const subject = typeof claims.sub === "string" ? claims.sub : undefined;
    const ok = { ok: true, subject, claims, header, scopes, roles, credential, token };
    return decision === undefined ? ok : { ...ok, decision };
  }

  /** `ok` when the proof's jti was not seen with its key before, else the refusal. */
  async #unreplayed(proof, ok) {
    let seen;
    try {
      seen = await this.#dpop.replay.seen(replayKey(proof), proof.expiresAt);
    } catch (cause) {
      const code = "ERR_REPLAY_STORE_FAILED";
      const description = "the DPoP replay store cannot answer right now; retry later";
      return {
        ok: false,
        status: statusOf(code),
        code,
        error: "temporarily_unavailable",
        description,
        retryAfter: 1,
        cause,
        response: jsonResponse(statusOf(code), { error: "temporarily_unavailable", error_description: description }, { "Retry-After": "1" }),
      };
    }
    if (seen !== true) return ok;
    const code = "ERR_DPOP_REPLAYED";
    const description = "the DPoP proof was already used: make a new proof for every request";
    const error = oauthErrorOf(code);
    return {
      ok: false,
      status: statusOf(code),
      code,
      error,
      description,
      response: jsonResponse(statusOf(code), { error, error_description: description }, {
        "WWW-Authenticate": challenge(code, this.#realm, description, this.#offer(true)),
      }),
    };
  }

  /** `answer` unless the revocation store lists its token; a store that cannot answer refuses (503). */
  async #unrevoked(answer, dpop) {
    if (!answer.ok || answer.public) return answer;
    let why;
    try {
      why = await revokedByClaims(this.#storeRevocations, answer.claims);
    } catch (error) {
      if (!isEdgeError(error)) throw error;
      return this.#unavailable(error, "revocations cannot be checked right now; retry later");
    }
    if (why === null) return answer;
    // The core list's answer: the same code, status, challenge and message.
    const code = "ERR_JWT_REVOKED";
    const message = why === "token" ? "token has been revoked" : "token has been revoked (all tokens of its subject issued before a time are)";
    const wwwAuthenticate = challenge(code, this.#realm, message, this.#offer(dpop));
    return this.#refusal({ error: new TollgateError(message, { code, status: statusOf(code), wwwAuthenticate }) });
  }

  #refusal(outcome) {
    // A caller's mistake (bad call options) from the core: thrown, never an answer.
    if (outcome.error !== undefined && !(outcome.error instanceof TollgateError && outcome.error.status)) throw outcome.error;
    if (outcome.unavailable) return this.#unavailable(outcome.unavailable, outcome.description);
    const error = outcome.error;
    const rfcError = oauthErrorOf(error.code);
    // Errors raised before the verifier (decode) carry no realm: #withRealm adds it. A
    // credential's refusal has its scheme's own challenge, or none (Basic's 400 and 403).
    const wwwAuthenticate = outcome.credential
      ? error.wwwAuthenticate
      : this.#withRealm(error.wwwAuthenticate ?? challenge(error.code, this.#realm, error.message, this.#offer()));
    const headers = wwwAuthenticate === undefined ? {} : { "WWW-Authenticate": wwwAuthenticate };
    // RFC 9449 §9: the nonce the client must use, with the use_dpop_nonce error.
    if (error.nonce) headers["DPoP-Nonce"] = error.nonce;
    return {
      ok: false,
      status: error.status,
      code: error.code,
      error: rfcError,
      description: error.message,
      cause: error,
      response: jsonResponse(error.status, { error: rfcError, error_description: error.message }, headers),
    };
  }

  // ── API keys and Basic credentials (credentials.js): one call into the core checks the
  // transport, the credential, the call's required scopes and roles and the policy.

  #verifyCredential(found, call, route, url) {
    const { raw, realm } = found.credential === "apikey" ? this.#apiKeys : this.#basic;
    const { requiredScopes, requiredRoles, scopeMode, roleMode } = { ...this.#verifyOptions, ...call };
    if ((scopeMode !== undefined && scopeMode !== "all") || (roleMode !== undefined && roleMode !== "all")) {
      throw invalidArg("authorize: API keys and Basic credentials need every required scope and role (scopeMode and roleMode \"all\")");
    }
    const list = (value, name) => {
      if (value === undefined) return "";
      if (!Array.isArray(value)) throw invalidArg(`authorize: ${name} must be an array of strings`);
      return JSON.stringify(value);
    };
    const now = call?.currentDate instanceof Date ? Math.floor(call.currentDate.getTime() / 1000) : call?.now ?? this.#verifyOptions.now;
    if (now !== undefined && !(Number.isSafeInteger(now) && now >= 0)) throw invalidArg("authorize: now must be whole seconds since 1970");
    let answer;
    try {
      answer = raw.authorize(
        found.value,
        url?.href ?? "",
        this.#allowInsecure,
        list(requiredScopes, "requiredScopes"),
        list(requiredRoles, "requiredRoles"),
        now,
        this.#realm ?? realm,
        route?.method ?? "GET",
        route?.path ?? "/",
        route?.ip,
        route?.environment,
      );
    } catch (raw) {
      if (raw instanceof TypeError || typeof raw?.code !== "string") throw raw;
      if (raw.code === "ERR_INVALID_ARG") throw invalidArg(raw.message);
      return this.#refusal({ error: new TollgateError(raw.message, raw), credential: true });
    }
    const [outcome, text, decisionText, scheme] = answer;
    const decision = decisionText === undefined ? undefined : JSON.parse(decisionText);
    if (outcome === "public") return { ok: true, public: true, decision };
    if (outcome === "denied") {
      // Answered in the credential's scheme (the core's challenge; none for Basic's 403).
      const denied = this.#fromDecision(decision);
      if (scheme === undefined) denied.response.headers.delete("WWW-Authenticate");
      else denied.response.headers.set("WWW-Authenticate", scheme);
      return denied;
    }
    const result = JSON.parse(text);
    verifiedTexts.set(result, text); // a verified result: checkScopes and Policy.evaluate trust it
    const ok = { ok: true, ...result, header: {}, token: undefined };
    if (decision !== undefined) ok.decision = decision;
    verifiedTexts.set(ok, text);
    return ok;
  }

  /** The 400 answering a request over plain http: to a guard taking passwords or keys, or undefined. */
  #insecure(url) {
    const taker = this.#basic ?? this.#apiKeys;
    if (taker === undefined || this.#allowInsecure) return undefined;
    try {
      // An empty credential: the core refuses the transport before reading it.
      taker.plain.authorize("", url.href, false, "", "", undefined, undefined, "GET", "/", undefined, undefined);
    } catch (error) {
      if (error?.code === "ERR_INSECURE_TRANSPORT") return this.#refusal({ error: new TollgateError(error.message, error), credential: true });
    }
    return undefined;
  }

  // ── opaque tokens (RFC 7662): the introspector asks, the core checks the answer with
  // the guard's own verify options, as it checks a JWT's claims.

  #useIntrospection(introspection) {
    if (!(introspection instanceof Introspector)) {
      throw invalidArg("createGuard: introspection must be an Introspector (createIntrospector)");
    }
    // The issuer the answers must name: the guard's, else the introspector's own.
    const issuer = this.#kind === "issuers" ? introspection.issuer : this.#issuer ?? introspection.issuer;
    if (this.#kind === "issuers" && issuer === undefined) {
      throw invalidArg("createGuard: with keys per issuer, give the introspector its issuer (createIntrospector({ issuer }))");
    }
    this.#introspection = introspection;
    // Compiled now: bad options fail at createGuard, not per request.
    this.#opaque = lent.introspectionChecker({ ...this.#verifyOptions, issuer }, this.#policy);
  }

  async #verifyOpaque(token, call, route) {
    if (route !== undefined) {
      // The route first, as for a JWT: a public rule needs no lookup, a bad path is a 400.
      const first = this.#policy.evaluate(null, route);
      if (first.allow) return { ok: true, public: true, decision: first };
      if (first.status === 400) return this.#fromDecision(first);
    }
    let response;
    try {
      response = await this.#introspection.introspect(token);
    } catch (error) {
      if (!isEdgeError(error)) throw error;
      return this.#refusal({ unavailable: error, description: "the token cannot be checked right now; retry later" });
    }
    // With a policy, the response's checks and the policy's decision are one call.
    const outcome = route === undefined ? this.#opaque.check(response, call) : this.#opaque.authorize(response, call, route);
    if (outcome.error !== undefined) return this.#refusal(outcome);
    if (outcome.outcome === "denied") return this.#fromDecision(outcome.decision);
    const { result } = outcome;
    const clientId = typeof result.claims.client_id === "string" ? result.claims.client_id : undefined;
    const credential = Object.freeze({ kind: "opaque", clientId });
    return this.#success(token, result, credential, outcome.decision);
  }

  /** `header` with the guard's realm first (one realm per guard: in place of any other). */
  #withRealm(header) {
    if (this.#realm === undefined) return header;
    return header
      .replace(/^(Bearer|DPoP) realm="[^"]*"(, )?/, "$1 ")
      .replace(/^(Bearer|DPoP) ?/, `$1 realm="${this.#realm}", `)
      .replace(/, $/, "");
  }

  #unauthorized(request, url) {
    // A guard taking passwords or keys never invites them over plain http: (the core
    // judges the transport, as BasicCredentials.verifyRequest has it judge): a 400 instead.
    const insecure = url === undefined ? undefined : this.#insecure(url);
    if (insecure !== undefined) return insecure;
    const code = "ERR_NO_CREDENTIALS";
    const headers = { "WWW-Authenticate": challenge(code, this.#realm, "", this.#offer()) };
    // RFC 9449 §9: a server that wants nonces may hand one out with its challenge.
    const nonce = this.#dpop?.raw.nonce();
    if (nonce !== undefined) headers["DPoP-Nonce"] = nonce;
    return {
      ok: false,
      status: statusOf(code),
      code,
      error: undefined,
      description: !this.#tokens
        ? "credentials are required"
        : this.#dpop?.required ? "a DPoP-bound access token is required" : "a bearer token is required",
      response: jsonResponse(statusOf(code), undefined, headers),
    };
  }

  #invalidRequest(reason, description) {
    const code = "ERR_INVALID_REQUEST";
    const error = oauthErrorOf(code);
    return {
      ok: false,
      status: statusOf(code),
      code,
      error,
      reason,
      description,
      response: jsonResponse(
        statusOf(code),
        { error, error_description: description },
        { "WWW-Authenticate": challenge(code, this.#realm, description, this.#offer()) },
      ),
    };
  }

  #unavailable(error, description = "the signing keys cannot be loaded right now; retry later") {
    const retryAfter = Math.max(1, error.retryAfter ?? 1);
    const status = statusOf(error.code);
    return {
      ok: false,
      status,
      code: error.code,
      error: "temporarily_unavailable",
      description,
      retryAfter,
      cause: error,
      response: jsonResponse(
        status,
        { error: "temporarily_unavailable", error_description: description },
        { "Retry-After": String(retryAfter) },
      ),
    };
  }
}

// ─────────────────────────────────────────── opaque tokens (RFC 7662 introspection)

const JWT_CREDENTIAL = Object.freeze({ kind: "jwt" });

/**
 * Whether `token` is a JWS compact serialization (RFC 7515 §7.1): three base64url
 * segments, the first a JSON object with `alg`. Those go to the JWT verifier, anything
 * else (an opaque token, a JWE) to the introspector. Routing only: the verifier checks
 * every byte again, and a forged "JWS" fails there, never reaching the introspector.
 */
function looksLikeJws(token) {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] === "" || parts[1] === "") return false;
  if (!parts.every((part) => /^[A-Za-z0-9_-]*$/.test(part))) return false;
  try {
    const base64 = parts[0].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4)), (c) => c.charCodeAt(0));
    const header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    return isPlainObject(header) && typeof header.alg === "string";
  } catch {
    return false;
  }
}

/** A JWT at a guard that has only an introspector: no key can verify it. */
function noKeysFor(_token, realm) {
  const code = "ERR_JWKS_NO_MATCHING_KEY";
  const message = "this API accepts opaque tokens only: there is no key to verify a JWT with";
  return {
    error: new TollgateError(message, { code, status: statusOf(code), wwwAuthenticate: challenge(code, realm, message) }),
  };
}

/** The request's URL (relative ones against localhost), or undefined without one. */
function parseRequestUrl(request) {
  if (request.url === undefined || request.url === null) return undefined;
  try {
    return new URL(String(request.url), "http://localhost");
  } catch {
    throw invalidArg("authorize: request.url is not a valid URL");
  }
}

/**
 * The Authorization header: Bearer (RFC 6750 §2.1) when `tokens`, DPoP (RFC 9449 §7.1) when
 * `dpop` is on, `ApiKey <key>` when `apiKey`, Basic (RFC 7617) when `basic`.
 */
function parseAuthorization(raw, dpop, tokens, apiKey, basic) {
  // Field values carry no leading/trailing whitespace (RFC 9110 §5.5); Headers trims it.
  const value = raw.replace(/^[ \t]+|[ \t]+$/g, "");
  if (value === "") return { kind: "none" };
  const [, scheme, rest] = SCHEME.exec(value);
  const kind = scheme.toLowerCase();
  if (kind === "apikey" && apiKey) {
    const key = rest.trim();
    return key === "" ? { kind: "malformed", description: "the ApiKey scheme needs a key" } : { kind, value: key };
  }
  // The core reads the rest (RFC 7617 §2), and refuses it with Basic's challenge.
  if (kind === "basic" && basic) return { kind, value };
  // A scheme the guard does not take is no credentials (a DPoP-only guard takes no Bearer).
  if (!tokens) return { kind: "other" };
  if (kind === "bearer" ? dpop?.required : kind !== "dpop" || dpop === undefined) return { kind: "other" };
  const name = kind === "dpop" ? "DPoP" : "Bearer";
  if (rest === "") return { kind: "malformed", description: `the ${name} scheme needs a token` };
  const match = TOKEN_REST.exec(rest);
  if (!match) {
    return { kind: "malformed", description: `malformed Authorization header: expected ${name}, a space and one token` };
  }
  if (!B64TOKEN.test(match[1])) {
    const description = kind === "dpop"
      ? "the DPoP access token has characters outside the token68 syntax (RFC 9449 section 7.1)"
      : "the bearer token has characters outside the b64token syntax (RFC 6750 section 2.1)";
    return { kind: "malformed", description };
  }
  return { kind, token: match[1] };
}

/**
 * A request guard: extracts the bearer token by RFC 6750 §2, verifies it with `keys`
 * (a KeySet, a RemoteKeySet, or keys per issuer) and answers by §3; API keys (`apiKeys`)
 * and Basic credentials (`basic`) end in the same result and the same checks.
 */
export function createGuard(options) {
  if (!isPlainObject(options)) throw invalidArg("createGuard expects an options object");
  const { keys, introspection, apiKeys, basic } = options;
  if (keys === undefined && introspection === undefined && apiKeys === undefined && basic === undefined) {
    throw invalidArg("createGuard: options.keys is required (or introspection for opaque tokens, apiKeys, basic)");
  }
  return new Guard(CONSTRUCT, options);
}
