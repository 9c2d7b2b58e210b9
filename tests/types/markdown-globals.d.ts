// What the code blocks of README.md and docs/*.md use without defining it: the request in
// hand, the keys and options of an earlier block, env bindings, the page's elements.
// tests/types/markdown.mjs compiles every ```js / ```ts block with this file (strict), each
// block a module of its own, and runs it with the values of markdown-fixtures.mjs (the same
// names: the test fails when the two lists differ).

declare const token: string;
declare const accessToken: string;
declare const bearer: string;
declare const request: Request;
declare const jwks: import("tollgate").JWKS;
declare const tenantBJwks: import("tollgate").JWKS;
declare const jwk: import("tollgate").JWK;
declare const pem: string;
declare const secret: string;
declare const kid: string;
/** The API overview passes one `alg` to every importer: an HMAC one fits them all. */
declare const alg: "HS256";
declare const algorithms: import("tollgate").Algorithm[];
declare const keys: import("tollgate").KeySet;
declare const issuer: string;
declare const audience: string;
declare const verifier: import("tollgate").Verifier;
declare const revocations: import("tollgate").RevocationList;
declare const policy: import("tollgate/policy").Policy;
declare const doc: import("tollgate/policy").PolicyDocument;
declare const ip: string;
declare const adminMenu: HTMLElement;
declare const deleteButton: HTMLElement;
declare function refresh(): Promise<void>;
declare function health(): Response;
declare const catalog: import("tollgate").ApiKeyCatalogDocument;
declare const list: import("tollgate").BasicCredentialsDocument;
declare const env: {
  JWKS_URL: string;
  ISSUER: string;
  AUDIENCE: string;
  EDGE_KEY_PEM: string;
  INTROSPECTION_SECRET: string;
  DPOP_NONCE_SECRET: string;
  DPOP_REPLAY: import("tollgate").DurableObjectNamespaceLike;
  REVOCATIONS: import("tollgate").DurableObjectNamespaceLike;
};
