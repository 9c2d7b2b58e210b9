// The opt-in WebCrypto path: the runtime's `crypto.subtle` checks the signature of an
// RSA, ECDSA or EdDSA token; everything else (parsing, header, allow-list, key
// selection, signature length, claims, revocation, scopes, roles) stays in the wasm
// core, which names the candidate keys (src/verify.rs `verify_deferred`).
//
// Keys are imported into WebCrypto once per key set and key, on first use, from the
// public material the core already validated (`RawKeySet.publicKey`). A key WebCrypto
// cannot import (an old runtime without Ed25519, say) is remembered as `null`: the
// caller then verifies with the wasm core instead, so the answer never depends on the
// runtime, only the speed does.

const subtle = globalThis.crypto?.subtle;

// alg → [importKey algorithm, verify algorithm]. PS: the salt is as long as the hash
// (RFC 7518 §3.5), as ring requires.
const RSA = (name, hash, saltLength) => [{ name, hash }, saltLength === undefined ? { name } : { name, saltLength }];
const PARAMS = {
  RS256: RSA("RSASSA-PKCS1-v1_5", "SHA-256"),
  RS384: RSA("RSASSA-PKCS1-v1_5", "SHA-384"),
  RS512: RSA("RSASSA-PKCS1-v1_5", "SHA-512"),
  PS256: RSA("RSA-PSS", "SHA-256", 32),
  PS384: RSA("RSA-PSS", "SHA-384", 48),
  PS512: RSA("RSA-PSS", "SHA-512", 64),
  ES256: [{ name: "ECDSA", namedCurve: "P-256" }, { name: "ECDSA", hash: "SHA-256" }],
  ES384: [{ name: "ECDSA", namedCurve: "P-384" }, { name: "ECDSA", hash: "SHA-384" }],
  EdDSA: [{ name: "Ed25519" }, { name: "Ed25519" }],
};

/** Whether this runtime has WebCrypto at all. */
export const hasWebCrypto = typeof subtle?.verify === "function" && typeof subtle?.importKey === "function";

function base64url(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Imports one key for WebCrypto: `{ key, params }`, or `null` when this runtime
 * cannot (the caller falls back to the wasm core). `material` is what
 * `RawKeySet.publicKey` returned: `["RSA", n, e]`, `["EC", point]`, `["OKP", key]`.
 */
export async function importPublicKey(material, alg) {
  const params = PARAMS[alg];
  if (!hasWebCrypto || params === undefined || !Array.isArray(material)) return null;
  const [kty, a, b] = material;
  try {
    const key = kty === "RSA"
      ? await subtle.importKey("jwk", { kty, n: base64url(a), e: base64url(b) }, params[0], false, ["verify"])
      : await subtle.importKey("raw", a, params[0], false, ["verify"]);
    return { key, params: params[1] };
  } catch {
    return null;
  }
}

/**
 * Checks `signature` over `input` with an imported key: a promise of `true`, `false`,
 * or `null` when WebCrypto failed to answer (the caller falls back to the wasm core).
 */
export function verifySignature(imported, signature, input) {
  try {
    return subtle.verify(imported.params, imported.key, signature, input).catch(failed);
  } catch {
    return Promise.resolve(null);
  }
}

const failed = () => null;
