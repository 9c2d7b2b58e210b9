// What README.md's code blocks use without defining it: the request in hand, the keys and
// options of an earlier block, the page's elements. tests/types/readme.mjs compiles every
// ```js / ```ts block of the README with this file (strict), each block a module of its own.

declare const token: string;
declare const accessToken: string;
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
