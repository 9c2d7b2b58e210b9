// Browser and bundler entry: fetch and instantiate the wasm once, at import
// (top-level await), so that every call after the import is synchronous.
import init from "./wasm/tollgate_wasm.js";

await init({ module_or_path: new URL("./wasm/tollgate_wasm_bg.wasm", import.meta.url) });

export * from "./index.js";
