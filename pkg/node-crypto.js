// node:crypto as the signature backend of `verifyAsync` in Node (installed by
// ./node.js; see ./webcrypto.js). Node's WebCrypto is a JavaScript layer over the
// same OpenSSL that sends every verify to the thread pool; a `KeyObject` prepared once
// and `crypto.verify` check an RS256 signature in a third of the time (bench/peers.mjs).
// The key material is what the wasm core validated at import; the signature length was
// checked by the core before it got here.

import { constants, createPublicKey, verify } from "node:crypto";
import { base64url } from "./webcrypto.js";
import { ALGORITHMS } from "./facts.js";

// The core's table names RSA-PSS padding; node:crypto wants its constant.
const PADDING = { pss: constants.RSA_PKCS1_PSS_PADDING };

function jwk(material, crv, size) {
  const [kty, a, b] = material;
  if (kty === "RSA") return { kty, n: base64url(a), e: base64url(b) };
  if (kty === "OKP") return { kty, crv, x: base64url(a) };
  // EC: the uncompressed SEC1 point 04 ‖ x ‖ y.
  if (kty !== "EC" || a.length !== 1 + 2 * size || a[0] !== 4) return null;
  return { kty, crv, x: base64url(a.subarray(1, 1 + size)), y: base64url(a.subarray(1 + size)) };
}

function check(job) {
  try {
    return verify(job.handle.digest, job.input, job.handle.key, job.signature);
  } catch {
    return null;
  }
}

function offload(job) {
  try {
    verify(job.handle.digest, job.input, job.handle.key, job.signature, (error, ok) => job.resolve(error ? null : ok));
  } catch {
    job.resolve(null);
  }
}

// One verification at a time (a request, then the next) is checked on this thread, where
// node:crypto takes ~20 µs for RS256 and the thread pool's round trip would cost more than
// that. When more arrive in the same turn of the event loop (requests verified together),
// those go to the thread pool at once, each as it comes, while this thread goes on with
// the next token's parsing and claims; the first is checked here once the turn ends.
let first = null;

function settleFirst() {
  const job = first;
  first = null;
  job.resolve(check(job));
}

/** The node:crypto backend: `crypto.verify` with a KeyObject imported once. */
export const nodeCrypto = {
  name: "node:crypto",
  importKey(material, alg) {
    // The core's algorithm table; node is null for HMAC, whose secret stays in the core.
    const a = ALGORITHMS[alg];
    if (!a?.node) return null;
    const doc = jwk(material, a.crv, a.coordinateLength);
    if (doc === null) return null;
    const { padding, ...options } = a.node.options;
    if (padding !== undefined) options.padding = PADDING[padding];
    try {
      return { digest: a.node.digest, key: { ...options, key: createPublicKey({ key: doc, format: "jwk" }) } };
    } catch {
      return null;
    }
  },
  verify(handle, signature, input) {
    return new Promise((resolve) => {
      const job = { handle, signature, input, resolve };
      if (first !== null) offload(job);
      else {
        first = job;
        queueMicrotask(settleFirst);
      }
    });
  },
};
