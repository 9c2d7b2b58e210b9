// Browser and bundler entry of tollgate/policy: the full module (verifier + policy
// engine), fetched and instantiated at import, serves the whole package.
import * as glue from "./wasm/tollgate_policy.js";
import { bind } from "./core.js";

await glue.default({ module_or_path: new URL("./wasm/tollgate_policy_bg.wasm", import.meta.url) });
bind(glue, true);

export * from "./index.js";
export * from "./policy.js";
