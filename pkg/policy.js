// tollgate/policy — the authorization policy engine over its own wasm module.
//
// A policy document (JSON: scopes with implications and constraints, roles
// with inheritance, route rules) is compiled once by `Policy.fromJson`;
// `policy.evaluate(subject, request)` answers each request with an
// HTTP-ready decision and never throws. The engine is a second wasm module,
// so applications that only verify tokens never load it.
//
// The entry points (policy-node.js, policy-browser.js, policy-workerd.js)
// instantiate the full module (the verifier's exports plus the policy
// engine) and bind it for the whole package, then re-export this file.

import { RawPolicy } from "./wasm/tollgate_policy.js";
import { TollgateError, RevocationList } from "./tollgate.js";
import { handles, invalidArg, plainObject, verifiedTexts } from "./internal.js";

const POLICY_OPTIONS = new Set(["realm", "revocations"]);
// RFC 6750 §3: quoted attribute values are %x20-21 / %x23-5B / %x5D-7E.
const REALM = /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/;

function loadError(raw) {
  if (!raw || raw.code !== "ERR_POLICY_INVALID") return raw;
  return new TollgateError(raw.message, { code: raw.code, path: raw.path });
}

function seconds(request) {
  const d = request.currentDate;
  if (d instanceof Date && !Number.isNaN(d.getTime())) return Math.floor(d.getTime() / 1000);
  const n = request.now;
  if (typeof n === "number" && Number.isFinite(n) && n >= 0) return n;
  return undefined;
}

const str = (v) => (typeof v === "string" ? v : undefined);

/**
 * A compiled authorization policy: scopes (with implications and
 * constraints), roles (with inheritance) and route rules. Load it once;
 * `evaluate` answers each request with an HTTP-ready decision.
 */
export class Policy {
  #raw;
  #text;
  #realm;
  #revocations;
  #described;

  constructor(token, raw, text, realm, revocations) {
    if (token !== CONSTRUCT) throw invalidArg("use Policy.fromJson(document)");
    this.#raw = raw;
    this.#text = text;
    this.#realm = realm;
    this.#revocations = revocations;
    handles.set(this, { raw, revocations });
  }

  /**
   * Loads a policy document (an object or JSON text). Options: `realm` (for
   * `WWW-Authenticate`), `revocations` (a RevocationList checked on every
   * evaluation). Throws a TollgateError `ERR_POLICY_INVALID` whose `path` is
   * the JSON path of the problem (`$.roles.admin.inherits[0]`).
   */
  static fromJson(doc, options) {
    if (doc === null || doc === undefined) throw invalidArg("Policy.fromJson: the document is required (an object or JSON text)");
    let text;
    if (typeof doc === "string") {
      text = doc;
    } else {
      const o = plainObject(doc, "policy");
      try {
        text = JSON.stringify(o);
      } catch (error) {
        throw invalidArg(`policy cannot be serialized: ${error.message}`);
      }
    }
    const opts = plainObject(options, "options");
    for (const key of Object.keys(opts)) {
      if (!POLICY_OPTIONS.has(key)) throw invalidArg(`Policy.fromJson: unknown option \`${key}\` (expected realm, revocations)`);
    }
    if (opts.realm !== undefined && (typeof opts.realm !== "string" || !REALM.test(opts.realm))) {
      throw invalidArg("Policy.fromJson: realm must be printable ASCII without quotes or backslashes");
    }
    if (opts.revocations !== undefined && !(opts.revocations instanceof RevocationList)) {
      throw invalidArg("Policy.fromJson: revocations must be a RevocationList");
    }
    let raw;
    try {
      raw = new RawPolicy(text, opts.realm);
    } catch (error) {
      throw loadError(error);
    }
    return new Policy(CONSTRUCT, raw, text, opts.realm, opts.revocations);
  }

  /**
   * Decides `request` — `{ method, path, ip?, environment?, now? | currentDate?, revocations? }` —
   * for `subject`: a result of `verify` (or a guard), a result of `decode` or
   * any `{ claims }` (then flagged `unverified`), or `null` when no token was
   * sent. Never throws on a request: every problem is a decision.
   */
  evaluate(subject, request) {
    const req = request !== null && typeof request === "object" ? request : {};
    const resultText = subject !== null && typeof subject === "object" ? verifiedTexts.get(subject) : undefined;
    const unverified = resultText === undefined;
    let claims;
    let claimsText = resultText;
    if (resultText !== undefined) {
      claims = subject.claims;
    } else if (subject !== null && subject !== undefined) {
      claims = typeof subject === "object" && subject.claims !== undefined ? subject.claims : subject;
      try {
        claimsText = claims !== null && typeof claims === "object" && !Array.isArray(claims) ? JSON.stringify(claims) : undefined;
      } catch {
        claimsText = undefined;
      }
      // Unreadable claims: the engine still decides the path and public rules first.
      if (claimsText === undefined) claims = undefined;
      claimsText ??= "null";
    }
    let revoked = "";
    const list = req.revocations instanceof RevocationList ? req.revocations : this.#revocations;
    if (list !== undefined && claims !== undefined) {
      try {
        revoked = list.revokedBy(claims) ?? "";
      } catch {
        // The list cannot read these claims (not an object): nothing to revoke by.
      }
    }
    return JSON.parse(
      this.#raw.evaluate(
        claimsText,
        !unverified,
        str(req.method) ?? "GET",
        str(req.path) ?? "",
        str(req.ip),
        str(req.environment),
        seconds(req),
        revoked,
      ),
    );
  }

  /**
   * The compiled model: scopes with their closures (both ways) and granting
   * roles, roles with what they hold, are held by and grant, rules with the
   * earlier rules that shadow them.
   */
  describe() {
    this.#described ??= this.#raw.describe();
    return JSON.parse(this.#described);
  }

  /**
   * The rules `request` (`{ method, path }`) matches, in order, as evaluation
   * matches them: `{ path, rule, matches }` — `path` the normalized segments,
   * `rule` the index of the first match (the one that decides) or null, and
   * `matches` every matching index. `null` when the path is refused (a 400).
   */
  cover(request) {
    const req = request !== null && typeof request === "object" ? request : {};
    const text = this.#raw.cover(str(req.method) ?? "GET", str(req.path) ?? "");
    return text === undefined ? null : JSON.parse(text);
  }

  /**
   * What `subject` (claims, or `{ claims }` such as a `decode` result) carries
   * as this policy reads it: `{ scopes, roles, refused, unknownScopes, unknownRoles }`
   * — every scope and role found at the policy's claims, the role-granted scopes
   * carried without a role that grants them (ignored), and names the policy does
   * not define. `null` when the claims cannot be read (evaluation answers 401).
   */
  carried(subject) {
    const claims = subject !== null && typeof subject === "object" && subject.claims !== undefined ? subject.claims : subject;
    if (claims === null || typeof claims !== "object" || Array.isArray(claims)) return null;
    let text;
    try {
      text = JSON.stringify(claims);
    } catch {
      return null;
    }
    const out = this.#raw.carried(text);
    return out === undefined ? null : JSON.parse(out);
  }

  /** The document as loaded (as given: `describe()` shows the compiled form). */
  toJSON() {
    return JSON.parse(this.#text);
  }

  /** Releases the wasm memory now (optional). */
  free() {
    this.#raw.free();
  }
}

const CONSTRUCT = Symbol("tollgate.policy.construct");
