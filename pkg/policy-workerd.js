// Workers entry of tollgate/policy: the full module (verifier + policy engine) arrives
// compiled and serves the whole package.
import policyModule from "./wasm/tollgate_policy_bg.wasm";
import * as glue from "./wasm/tollgate_policy.js";
import { bind } from "./core.js";

glue.initSync({ module: policyModule });
bind(glue, true);

export * from "./index.js";
export * from "./policy.js";
