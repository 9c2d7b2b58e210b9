// Node entry: load the wasm synchronously from the package, then export the API.
// `verifyAsync` checks signatures with node:crypto here (./node-crypto.js).
import { readFileSync } from "node:fs";
import { initSync } from "./wasm/tollgate_wasm.js";
import { useSignatureBackend } from "./webcrypto.js";
import { nodeCrypto } from "./node-crypto.js";

initSync({ module: readFileSync(new URL("./wasm/tollgate_wasm_bg.wasm", import.meta.url)) });
useSignatureBackend(nodeCrypto);

export * from "./index.js";
