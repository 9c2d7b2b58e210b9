// Browser and bundler entry: fetch and instantiate the wasm once, at import
// (top-level await), so that every call after the import is synchronous.
import * as glue from "./wasm/tollgate_wasm.js";
import { bind } from "./core.js";

await glue.default({ module_or_path: new URL("./wasm/tollgate_wasm_bg.wasm", import.meta.url) });
bind(glue);

export * from "./index.js";
