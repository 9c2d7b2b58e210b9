// Node entry: load the wasm synchronously from the package, then export the API.
import { readFileSync } from "node:fs";
import { initSync } from "./wasm/tollgate_wasm.js";

initSync({ module: readFileSync(new URL("./wasm/tollgate_wasm_bg.wasm", import.meta.url)) });

export * from "./tollgate.js";
