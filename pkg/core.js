// The wasm module the package runs on. The verifier's entries (node.js, browser.js,
// workerd.js) bind the verifier's module; tollgate/policy's entries bind the full module
// (the verifier's exports plus the policy engine), which then serves every call, whatever
// the order of the imports: one module, so a guard with a policy authorizes in one call.

/** The bound module's exports (wasm-bindgen glue): RawKeySet, RawVerifier, … */
export let wasm;

/** Binds `glue` (instantiated): the full module replaces the verifier's, never the reverse. */
export function bind(glue, full = false) {
  if (wasm === undefined || full) wasm = glue;
}
