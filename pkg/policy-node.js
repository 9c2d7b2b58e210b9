// Node entry of tollgate/policy: the verifier's module first (node.js), then
// the policy module, both loaded synchronously from the package.
import { readFileSync } from "node:fs";
import "./node.js";
import { initSync } from "./wasm/tollgate_policy.js";

initSync({ module: readFileSync(new URL("./wasm/tollgate_policy_bg.wasm", import.meta.url)) });

export * from "./policy.js";
