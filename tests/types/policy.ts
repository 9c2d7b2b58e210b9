// Type-level tests of pkg/policy.d.ts and the role/revocation additions.
import { RevocationList, createGuard, createVerifier, verifyAsync, KeySet, isVerified, type ErrorCode, type DecisionCode } from "tollgate";
import { Policy, type Decision, type PolicyCarried, type PolicyCover, type PolicyDocument } from "tollgate/policy";

declare const token: string;
const keys = KeySet.fromSecret("0123456789abcdef0123456789abcdef", { alg: "HS256" });

const doc: PolicyDocument = {
  version: 1,
  scopes: { "read:messages": { description: "Read", owner: "messaging", maxTokenLifetime: "5m" } },
  roles: { reader: { grants: ["read:messages"] } },
  rules: [{ method: ["GET"], path: "/messages/**", scopes: ["read:messages"], roles: ["reader"] }],
  default: "deny",
};
const revocations = RevocationList.fromJson({ version: 1, tokens: ["jti-1"], subjects: { u: new Date() } });
revocations.revokeToken("jti-2").revokeSubject("u", 1700000000);
const why: "token" | "subject" | null = revocations.revokedBy({ sub: "u" });

const policy = Policy.fromJson(doc, { realm: "api", revocations });
const verifier = createVerifier({ keys, issuer: "i", audience: "a", requiredRoles: ["reader"], roleMode: "any", roleClaim: ["resource_access", "my.client", "roles"], revocations });
const result = verifier.verify(token, { requiredRoles: ["admin"] });
const roles: string[] = result.roles;
const trusted: boolean = isVerified(result);
const d: Decision = policy.evaluate(result, { method: "GET", path: "/messages/1", ip: "10.0.0.1", environment: "production", currentDate: new Date() });
if (!d.allow) {
  const status: 400 | 401 | 403 | 200 = d.status;
  const code: ErrorCode | DecisionCode | null = d.code;
  const header: string | null = d.wwwAuthenticate;
  void [status, code, header, d.missingScopes, d.constraint];
}
policy.evaluate(null, { path: "/health" });
const described: string[] = policy.describe().scopes.map((s) => s.name);
const shadowedBy: (number[] | null)[] = policy.describe().rules.map((r) => r.shadowedBy);
const expanded: string[][] = policy.describe().roles[0].grantScopes;
const cover: PolicyCover | null = policy.cover({ method: "HEAD", path: "/messages/1" });
const decides: number | null | undefined = cover?.rule;
const carried: PolicyCarried | null = policy.carried({ claims: { scope: "read:messages" } });
const refused: string[] | undefined = carried?.refused;
void [shadowedBy, expanded, decides, refused];
// @ts-expect-error: cover needs a path
policy.cover({ method: "GET" });

const guard = createGuard({ keys, issuer: "i", audience: "a", policy, environment: "production", clientIp: (r) => (r instanceof Request ? r.headers.get("x-ip") ?? undefined : undefined) });
async function handle(request: Request) {
  const auth = await guard.authorize(request);
  if (!auth.ok) return auth.response;
  if (auth.public) return new Response("public");
  return new Response(auth.claims.sub);
}

// @ts-expect-error: the policy version is 1
Policy.fromJson({ version: 2, scopes: {} });
// @ts-expect-error: a rule needs a path
Policy.fromJson({ version: 1, scopes: {}, rules: [{ method: "GET" }] });
// @ts-expect-error: roleMode is all or any
createVerifier({ keys, issuer: "i", audience: "a", roleMode: "some" });
// @ts-expect-error: revocations must be a RevocationList
createVerifier({ keys, issuer: "i", audience: "a", revocations: ["jti"] });
// @ts-expect-error: default is deny or allow
const bad: PolicyDocument = { version: 1, scopes: {}, default: "maybe" };

void [why, roles, trusted, described, handle, bad];

// The verified-token cache and the WebCrypto path.
const cached = createVerifier({ keys, issuer: "i", audience: "a", cache: { max: 500 } });
createVerifier({ keys, issuer: "i", audience: "a", cache: true });
const size: number = cached.cacheSize;
cached.clearCache();
const later: Promise<{ scopes: string[] }> = cached.verifyAsync("t", { requiredScopes: ["read"] });
const once: Promise<{ roles: string[] }> = verifyAsync("t", { keys, issuer: "i", audience: "a" });
createGuard({ keys, issuer: "i", audience: "a", cache: true, webCrypto: true });
void size, later, once;
// @ts-expect-error cache is { max } or a boolean
createVerifier({ keys, issuer: "i", audience: "a", cache: 100 });
// @ts-expect-error webCrypto is a boolean
createGuard({ keys, issuer: "i", audience: "a", webCrypto: "yes" });
