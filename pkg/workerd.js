// Workers entry (workerd, wrangler): the runtime hands the .wasm import over as
// a compiled WebAssembly.Module; instantiating it is synchronous.
import wasmModule from "./wasm/tollgate_wasm_bg.wasm";
import { initSync } from "./wasm/tollgate_wasm.js";

initSync({ module: wasmModule });

export * from "./index.js";
