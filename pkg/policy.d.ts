/**
 * tollgate/policy — authorization as code: scopes (with implications and
 * constraints), roles (with inheritance) and route rules, compiled once and
 * evaluated per request into an HTTP-ready decision. Its module is the full one (the
 * verifier's exports and the policy engine), and this entry exports the whole API:
 * applications that only verify tokens never load it.
 * @packageDocumentation
 */

import type { DecisionCode, JWTClaims, RevocationList, TokenErrorCode } from "./tollgate.js";
import type { CompiledConstraints, ConstraintName, PolicyConstraints } from "./facts.js";

export type { CompiledConstraints, ConstraintName, PolicyConstraints } from "./facts.js";
export * from "./tollgate.js";


/** A scope of the catalog. */
export interface PolicyScope {
  description?: string;
  owner?: string;
  /** Scopes this one implies (transitively). */
  implies?: string[];
  /** Longest lifetime (`exp − iat`, seconds or `"5m"`) of a token used for this scope. */
  maxTokenLifetime?: number | string;
  constraints?: PolicyConstraints;
  /** Lifecycle dates `YYYY-MM-DD`, read by `tollgate lint` (not enforced at evaluation). */
  deprecated?: string;
  sunset?: string;
}

/** A role: what it grants, what it inherits. */
export interface PolicyRole {
  description?: string;
  owner?: string;
  /** Roles whose grants this one also has; holding it means holding them. */
  inherits?: string[];
  /** Scope names, or namespace wildcards (`"messages:*"`, `"*"`) expanded at load. */
  grants?: string[];
}

/** A route rule; the first rule matching method and path decides. */
export interface PolicyRule {
  id?: string;
  description?: string;
  /** `"GET"`, `["POST", "PUT"]` or `"*"`; a GET rule also matches HEAD. */
  method: string | string[];
  /** `/messages/:id` (one segment), `*` (one segment), `/**` (the rest, zero or more). */
  path: string;
  /** Every one must be effective. */
  scopes?: string[];
  /** At least one must be effective. */
  anyScopes?: string[];
  /** Every one must be held. */
  roles?: string[];
  /** At least one must be held. */
  anyRoles?: string[];
  constraints?: PolicyConstraints;
  maxTokenLifetime?: number | string;
  /** Allow without credentials (cannot be combined with requirements). */
  public?: boolean;
}

/** A policy document, version 1. */
export interface PolicyDocument {
  version: 1;
  description?: string;
  /** Where roles are read: a claim path or member names. Default: `roles`, `role`, `groups`, `realm_access.roles`. */
  roleClaim?: string | string[];
  /** Where scopes are read. Default: `scope`, `scp`, `permissions`. */
  scopeClaim?: string;
  scopes: Record<string, PolicyScope>;
  roles?: Record<string, PolicyRole>;
  rules?: PolicyRule[];
  /** What an unmatched request gets (with a token): default `"deny"`. */
  default?: "deny" | "allow";
}

/** A request to decide. */
export interface PolicyRequest {
  /** Default `GET`. */
  method?: string;
  /** The URL path (a query or fragment is ignored). */
  path: string;
  /** The client's IP address, for `ipRanges`. */
  ip?: string;
  /** The deployment environment, for `environments`. */
  environment?: string;
  /** Now, in seconds since the epoch (default: the clock). */
  now?: number;
  /** Now, as a Date. */
  currentDate?: Date;
  /** Overrides the policy's revocation list for this call. */
  revocations?: RevocationList;
}

/** The constraint that failed. */

/** The answer to one request. */
export interface Decision {
  allow: boolean;
  /** 200, or 400 (bad path), 401 (no/invalid/revoked token), 403 (not permitted). */
  status: 200 | 400 | 401 | 403;
  /** The stable code, `null` when allowed. */
  code: TokenErrorCode | DecisionCode | null;
  /** The rule that decided, or null (no rule matched, or the path was refused). */
  rule: { index: number; id: string | null; method: string[]; path: string } | null;
  /** Scopes the rule needs that are not effective in the token. */
  missingScopes: string[];
  /** Roles the rule needs that the user does not hold. */
  missingRoles: string[];
  constraint: ConstraintName | null;
  /** One sentence for a log; never contains the token. */
  reason: string;
  /** RFC 6750 §3 `WWW-Authenticate` value for a refusal, null when allowed. */
  wwwAuthenticate: string | null;
  /** True unless the subject came from tollgate's own verification: for UI gating only. */
  unverified: boolean;
  /** The token's effective scopes (honoured, plus what they imply). */
  scopes: string[];
  /** The roles held, with inheritance (roles the policy knows). */
  roles: string[];
}

/** A compiled policy. */
export class Policy {
  private constructor();
  /**
   * Loads and compiles a document; throws a TollgateError `ERR_POLICY_INVALID` whose
   * `path` is the JSON path of the problem.
   * @example
   * ```ts
   * const policy = Policy.fromJson(doc, { realm: "api", revocations });
   * ```
   */
  static fromJson(doc: PolicyDocument | string, options?: { realm?: string; revocations?: RevocationList }): Policy;
  /**
   * Decides a request. `subject`: a `verify` result (trusted), a `decode` result or any
   * `{ claims }` (flagged `unverified`), or null when no token was sent. Never throws.
   * @example
   * ```ts
   * const d = policy.evaluate(verifier.verify(token), { method: "GET", path: "/messages/1", ip });
   * if (!d.allow) return new Response(null, { status: d.status, headers: { "WWW-Authenticate": d.wwwAuthenticate! } });
   * ```
   */
  evaluate(subject: { claims: JWTClaims } | JWTClaims | null | undefined, request: PolicyRequest): Decision;
  /**
   * The compiled model: scopes with their closures (both ways) and granting roles, roles
   * with what they hold, are held by and grant, rules with the earlier rules shadowing them.
   * @example
   * ```ts
   * for (const rule of policy.describe().rules) if (rule.shadowedBy) console.warn(`rule ${rule.index} is never reached`);
   * ```
   */
  describe(): PolicyDescription;
  /**
   * The rules a request matches, in order, as evaluation matches them; `null` when the
   * path is refused (evaluation answers 400). Never throws.
   * @example
   * ```ts
   * const c = policy.cover({ method: "HEAD", path: "/messages/7" });
   * if (c && c.matches.length > 1) console.log(`rule ${c.rule} decides; ${c.matches.slice(1)} never see this request`);
   * ```
   */
  cover(request: { method?: string; path: string }): PolicyCover | null;
  /**
   * What a token carries, read from the policy's scope and role claims; `null` when
   * they cannot be read (evaluation answers 401 `ERR_JWT_INVALID`). Never throws.
   * @example
   * ```ts
   * const c = policy.carried(decode(token));
   * if (c?.refused.length) console.warn(`ignored without a granting role: ${c.refused}`);
   * ```
   */
  carried(subject: { claims: JWTClaims } | JWTClaims): PolicyCarried | null;
  /** The document as loaded. */
  toJSON(): PolicyDocument;
  /** Releases the wasm memory now (optional). */
  free(): void;
}

/** What {@link Policy.cover} returns. */
export interface PolicyCover {
  /** The request path as matching reads it: normalized, decoded segments. */
  path: string[];
  /** The index of the rule that decides (the first match), or null when none matches. */
  rule: number | null;
  /** Every matching rule's index, in order. */
  matches: number[];
}

/** What {@link Policy.carried} returns. */
export interface PolicyCarried {
  /** Every scope the token carries, from the policy's scope claim(s). */
  scopes: string[];
  /** Every role the token carries, from the policy's role claim(s). */
  roles: string[];
  /** Role-granted scopes carried without a role that grants them: the policy ignores them. */
  refused: string[];
  /** Scopes the policy does not define. */
  unknownScopes: string[];
  /** Roles the policy does not define (ignored). */
  unknownRoles: string[];
}

/** What {@link Policy.describe} returns. */
export interface PolicyDescription {
  version: 1;
  default: "deny" | "allow";
  description: string | null;
  scopeClaim: string | null;
  roleClaim: string | null;
  scopes: {
    name: string;
    description: string | null;
    owner: string | null;
    implies: string[];
    impliesAll: string[];
    /** Scopes that imply this one, transitively. */
    impliedBy: string[];
    /** Roles whose holders are granted it (directly, by inheritance or implication). */
    grantedBy: string[];
    roleGated: boolean;
    constraints: CompiledConstraints;
    deprecated: string | null;
    sunset: string | null;
  }[];
  roles: {
    name: string;
    description: string | null;
    owner: string | null;
    inherits: string[];
    /** Itself and every role it inherits, transitively. */
    holds: string[];
    /** Roles that hold this one through inheritance. */
    heldBy: string[];
    /** Grants as written (names and wildcards). */
    grants: string[];
    /** For each of `grants`, the scopes it names (a wildcard expanded). */
    grantScopes: string[][];
    /** Scopes granted with inheritance and implication. */
    grantsAll: string[];
  }[];
  rules: {
    index: number;
    id: string | null;
    description: string | null;
    method: string[];
    path: string;
    scopes: string[];
    anyScopes: string[];
    roles: string[];
    anyRoles: string[];
    public: boolean;
    constraints: CompiledConstraints;
    /** Required scopes no token can make effective while holding only the rule's roles. */
    unsatisfiableScopes: string[];
    /** The first path segment when it is a wildcard (`*`, `:id`, `**`): the rule spans namespaces. */
    leadingWildcard: string | null;
    /** A minimal set of earlier rules that together match every request this one matches; null when it is reached. */
    shadowedBy: number[] | null;
  }[];
}
