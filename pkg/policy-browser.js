// Browser and bundler entry of tollgate/policy: the verifier's module first
// (browser.js), then the policy module, fetched and instantiated at import.
import "./browser.js";
import init from "./wasm/tollgate_policy.js";

await init({ module_or_path: new URL("./wasm/tollgate_policy_bg.wasm", import.meta.url) });

export * from "./policy.js";
