// Workers entry (workerd, wrangler): the runtime hands the .wasm import over as
// a compiled WebAssembly.Module; instantiating it is synchronous.
import wasmModule from "./wasm/tollgate_wasm_bg.wasm";
import * as glue from "./wasm/tollgate_wasm.js";
import { bind } from "./core.js";

glue.initSync({ module: wasmModule });
bind(glue);

export * from "./index.js";
