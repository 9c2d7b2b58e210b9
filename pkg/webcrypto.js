// The opt-in native signature path (`verifyAsync`, the guard's `webCrypto`): the
// runtime's own crypto checks the signature of an RSA, ECDSA or EdDSA token;
// everything else (parsing, header, allow-list, key selection, signature length,
// claims, revocation, scopes, roles) stays in the wasm core, which names the candidate
// keys (src/verify.rs `begin`) and reads the payload only after the signature verified
// (`Verifier::resume`).
//
// The backend is WebCrypto (`crypto.subtle`) wherever the runtime has it — workerd,
// browsers —, unless an entry installs another: the Node entry installs node:crypto
// (./node-crypto.js), the same OpenSSL that Node's WebCrypto wraps, without its
// per-call JavaScript layer and thread-pool round trip.
//
// Keys are imported once per key set and key, on first use, from the public material
// the core already validated (`RawKeySet.publicKey`). A key the backend cannot import
// (an old runtime without Ed25519, say) is remembered as `null`: the caller then
// verifies with the wasm core instead, so the answer never depends on the runtime,
// only the speed does.

import { ALGORITHMS } from "./facts.js";

const subtle = globalThis.crypto?.subtle;

/** Whether this runtime has WebCrypto at all. */
const hasWebCrypto = typeof subtle?.verify === "function" && typeof subtle?.importKey === "function";

/** Unpadded base64url of bytes (for JWK members). */
export function base64url(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const failed = () => null;

/**
 * WebCrypto as the signature backend. A backend has `importKey(material, alg)`: a
 * handle (or a promise of one), `null` when it cannot; and `verify(handle, signature,
 * input)`: `true`, `false` or `null` when it could not answer (the caller then falls
 * back to the wasm core), or a promise of one of those.
 */
export const webCrypto = {
  name: "WebCrypto",
  async importKey(material, alg) {
    // The core's algorithm table; null for HMAC, whose secret stays in the core.
    const params = ALGORITHMS[alg]?.webCrypto;
    if (!hasWebCrypto || !params) return null;
    const [kty, a, b] = material;
    try {
      const key = kty === "RSA"
        ? await subtle.importKey("jwk", { kty, n: base64url(a), e: base64url(b) }, params.import, false, ["verify"])
        : await subtle.importKey("raw", a, params.import, false, ["verify"]);
      return { key, params: params.verify };
    } catch {
      return null;
    }
  },
  verify(handle, signature, input) {
    try {
      return subtle.verify(handle.params, handle.key, signature, input).catch(failed);
    } catch {
      return Promise.resolve(null);
    }
  },
};

// Without an entry's choice: WebCrypto where the runtime has it, else none.
const DEFAULT_BACKEND = hasWebCrypto ? webCrypto : null;
let backend = DEFAULT_BACKEND;

/**
 * Installs the signature backend of this runtime (the Node entry: node:crypto);
 * `null` restores the default (WebCrypto where there is one). Keys imported before
 * keep the backend that imported them.
 */
export function useSignatureBackend(next) {
  backend = next ?? DEFAULT_BACKEND;
}

/** The backend `verifyAsync` hands signatures to, or `null` (none: the core does all). */
export function signatureBackend() {
  return backend;
}

/**
 * Imports one key for the backend: a promise of a handle, or of `null` when it cannot
 * (the caller falls back to the wasm core). `material` is what
 * `RawKeySet.publicKey` returned: `["RSA", n, e]`, `["EC", point]`, `["OKP", key]`.
 */
export async function importPublicKey(material, alg) {
  const b = backend;
  if (b === null || !Array.isArray(material)) return null;
  const handle = await b.importKey(material, alg);
  return handle === null || handle === undefined ? null : { backend: b, handle };
}

/**
 * Checks `signature` over `input` with an imported key: `true`, `false` or `null`
 * (the backend failed to answer: the caller falls back to the wasm core), or a
 * promise of one (WebCrypto).
 */
export function verifySignature(imported, signature, input) {
  return imported.backend.verify(imported.handle, signature, input);
}
