// Self-contained entry of tollgate/policy (see inline.js): the verifier's module first,
// then the policy module, both from bytes inside the JavaScript, instantiated at import.
import "./inline.js";
import { initSync } from "./wasm/tollgate_policy.js";
import { wasmBytes } from "./wasm/tollgate_policy_inline.js";

initSync({ module: wasmBytes() });

export * from "./policy.js";
