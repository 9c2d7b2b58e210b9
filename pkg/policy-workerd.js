// Workers entry of tollgate/policy: both .wasm imports arrive compiled.
import "./workerd.js";
import policyModule from "./wasm/tollgate_policy_bg.wasm";
import { initSync } from "./wasm/tollgate_policy.js";

initSync({ module: policyModule });

export * from "./policy.js";
