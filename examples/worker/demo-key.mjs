// The demo key pair and a tiny JWT minter for `make demo` and the tests.
//
// THROWAWAY KEY, FOR THE DEMO ONLY. Its private half is public (it is right here), so a
// token signed with it proves nothing. worker.js embeds the public half; a real
// deployment gets its issuer's JWKS instead and never sees a private key.
//
// Minting uses node:crypto only (no dependencies), so the demo and tests stay
// independent of the library under test.

import { createPrivateKey, sign } from "node:crypto";

export const DEMO_ISSUER = "https://auth.tollgate.example";
export const DEMO_AUDIENCE = "https://api.tollgate.example";
export const DEMO_REALM = "tollgate-demo";
export const DEMO_KID = "demo-es256-2024";

/** The private JWK (P-256) whose public half is embedded in worker.js. */
export const DEMO_PRIVATE_JWK = Object.freeze({
  kty: "EC",
  crv: "P-256",
  x: "Y53SgQb7xZ0woropf2vPML1r3zeaElBignXWKU-wYdc",
  y: "0SJVeQ43cgWWmB8ua14XUfm4hX_k06LqEOrus2z71fQ",
  d: "SDloQSlBWwa5vdKjUMrLQ5HtN-GWylnRX9R3Q7U2gJI",
});

/** The public JWKS, as embedded in worker.js. */
export const DEMO_JWKS = Object.freeze({
  keys: [
    {
      kty: "EC",
      crv: "P-256",
      x: DEMO_PRIVATE_JWK.x,
      y: DEMO_PRIVATE_JWK.y,
      kid: DEMO_KID,
      alg: "ES256",
      use: "sig",
    },
  ],
});

const b64url = (data) => Buffer.from(data).toString("base64url");

/**
 * Sign a compact JWS with an EC P-256 (ES256) or OKP Ed25519 (EdDSA) private JWK.
 * `header` must carry `alg`; nothing is validated — tests use this to make bad tokens too.
 */
export function signJwt(header, payload, privateJwk) {
  const key = createPrivateKey({ key: privateJwk, format: "jwk" });
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  let signature;
  if (header.alg === "ES256") {
    // JWS uses the raw r||s form (RFC 7518 §3.4), not DER.
    signature = sign("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" });
  } else if (header.alg === "EdDSA") {
    signature = sign(null, Buffer.from(input), key);
  } else {
    throw new Error(`signJwt: unsupported alg ${header.alg}`);
  }
  return `${input}.${b64url(signature)}`;
}

/**
 * Mint a demo access token. `claims` are merged over the defaults (iss, aud, sub,
 * iat, exp = now + 1 h); pass `exp: undefined` to drop a claim.
 */
export function mintDemoToken(claims = {}, { now = Math.floor(Date.now() / 1000), header = {} } = {}) {
  const payload = {
    iss: DEMO_ISSUER,
    aud: DEMO_AUDIENCE,
    sub: "demo-user",
    iat: now,
    exp: now + 3600,
    ...claims,
  };
  for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
  return signJwt({ alg: "ES256", typ: "at+jwt", kid: DEMO_KID, ...header }, payload, DEMO_PRIVATE_JWK);
}

/**
 * Flip one character of the signature so it still decodes but no longer verifies.
 * (A change in the last character can land on unused bits, so change the first.)
 */
export function tamper(token) {
  const dot = token.lastIndexOf(".");
  const first = token[dot + 1];
  return token.slice(0, dot + 1) + (first === "A" ? "B" : "A") + token.slice(dot + 2);
}
