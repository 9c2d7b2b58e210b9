// Type-level tests of pkg/tollgate.d.ts (`tsc --noEmit`): the documented usage
// compiles, and misuse is a compile error (each @ts-expect-error must fire).
import {
  KeySet,
  TollgateError,
  checkScopes,
  createVerifier,
  decode,
  isTollgateError,
  verify,
  expiresIn,
  isExpired,
  hasScopes,
  type EdgeErrorCode,
  scheduleRefresh,
  type RefreshHandle,
  type ErrorCode,
  type VerifyResult,
} from "tollgate";

declare const jwks: { keys: { kty: string; kid?: string }[] };
declare const token: string;

const keys = KeySet.fromJwks(jwks, { algorithms: ["RS256"] });
KeySet.fromPem("-----BEGIN PUBLIC KEY-----", { alg: "ES256", kid: "k1" });
KeySet.fromSecret(new Uint8Array(32), { alg: "HS256" });
const size: number = keys.size;
const firstAlg: string | undefined = keys.keys[0]?.alg;
const reasons: string[] = keys.skipped.map((s) => s.reason);

const verifier = createVerifier({ keys, issuer: "https://idp", audience: ["api"], clockTolerance: "30s" });
interface MyClaims { sub: string; tenant: string; [claim: string]: unknown }
const result: VerifyResult<MyClaims> = verifier.verify<MyClaims>(token, { requiredScopes: ["read"] });
const tenant: string = result.claims.tenant;
const scopes: string[] = verify(token, { keys, issuer: "i", audience: "a", currentDate: new Date() }).scopes;
const { claims } = decode(token);
const ok: boolean = checkScopes(claims, ["a"], { mode: "any" }).ok;

try {
  verifier.verify(token);
} catch (e) {
  if (isTollgateError(e, "ERR_JWT_INSUFFICIENT_SCOPE")) {
    const missing: string[] | undefined = e.missing;
    const status: 401 | 403 | undefined = e.status;
    void [missing, status];
  }
  if (e instanceof TollgateError) {
    // Key sets over HTTP throw TollgateErrors with the edge layer's codes too.
    const code: ErrorCode | EdgeErrorCode = e.code;
    void code;
  }
}

// The README's quick start: a truthy status narrows to an error with its challenge.
function answer(e: unknown): Response {
  if (!isTollgateError(e) || !e.status) throw e;
  const status: 401 | 403 = e.status;
  return new Response(null, { status, headers: { "WWW-Authenticate": e.wwwAuthenticate } });
}
function edgeCodes(e: unknown): number | undefined {
  if (isTollgateError(e) && e.code === "ERR_JWKS_TIMEOUT") return 503;
  if (isTollgateError(e, "ERR_JWKS_FETCH_FAILED")) return e.httpStatus;
  return undefined;
}
function noStatusNoChallenge(e: unknown): string | undefined {
  if (!isTollgateError(e)) return undefined;
  // @ts-expect-error without a status there may be no challenge
  const challenge: string = e.wwwAuthenticate;
  if (isTollgateError(e, "ERR_INVALID_ARG")) {
    // @ts-expect-error a TypeError has no status
    const status: number = e.status;
    void status;
  }
  return challenge;
}
void [answer, edgeCodes, noStatusNoChallenge];

// @ts-expect-error keys is required
createVerifier({ issuer: "i", audience: "a" });
// @ts-expect-error "none" is not an algorithm
KeySet.fromPem("pem", { alg: "none" });
// @ts-expect-error HMAC secrets only take HS algorithms
KeySet.fromSecret("s".repeat(32), { alg: "RS256" });
// @ts-expect-error a misspelled option
createVerifier({ keys, issuer: "i", audiance: "a" });
// @ts-expect-error scopeMode is "all" or "any"
verifier.verify(token, { scopeMode: "some" });
// @ts-expect-error not an error code
isTollgateError(new Error(), "ERR_NOPE");

const left = expiresIn(token);
if (left !== null) setTimeout(() => {}, (left - 60) * 1000);
const expired: boolean = isExpired(token, { clockTolerance: "30s" });
const admin: boolean = hasScopes(token, ["a"], { mode: "any" });
// @ts-expect-error scopes are an array
hasScopes(token, "a");
const scheduled: RefreshHandle | null = scheduleRefresh(token, async () => token, { before: "2m", repeat: true, signal: AbortSignal.timeout(1) });
scheduled?.cancel();
const pending: boolean | undefined = scheduled?.active;
// @ts-expect-error the handle may be null (no exp)
scheduleRefresh(token, () => {}).cancel();
// @ts-expect-error repeat is a boolean
scheduleRefresh(token, () => {}, { repeat: "yes" });
const renewing = scheduleRefresh(token, async () => token, {
  skew: 90,
  jitter: "10s",
  minDelay: 2,
  retryDelay: "15s",
  onError: (error: unknown) => void error,
  pauseWhenHidden: false,
  currentDate: new Date(),
});
const current: string | undefined = renewing?.token;
const at: number | null | undefined = renewing?.refreshAt;
// @ts-expect-error the handle's token is read-only
if (renewing) renewing.token = token;
// @ts-expect-error onError is a function
scheduleRefresh(token, () => {}, { onError: "console.error" });

void [size, firstAlg, reasons, tenant, scopes, ok, expired, admin, pending, current, at];
