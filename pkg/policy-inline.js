// Self-contained entry of tollgate/policy (see inline.js): the full module (verifier +
// policy engine) from bytes inside the JavaScript, instantiated at import; it serves the
// whole package, and this entry exports all of it.
import * as glue from "./wasm/tollgate_policy.js";
import { wasmBytes } from "./wasm/tollgate_policy_inline.js";
import { bind } from "./core.js";

glue.initSync({ module: wasmBytes() });
bind(glue, true);

export * from "./index.js";
export * from "./policy.js";
