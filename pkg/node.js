// Node entry: load the wasm synchronously from the package, then export the API.
// `verifyAsync` checks signatures with node:crypto here (./node-crypto.js).
import { readFileSync } from "node:fs";
import * as glue from "./wasm/tollgate_wasm.js";
import { bind } from "./core.js";
import { useSignatureBackend } from "./webcrypto.js";
import { nodeCrypto } from "./node-crypto.js";

glue.initSync({ module: readFileSync(new URL("./wasm/tollgate_wasm_bg.wasm", import.meta.url)) });
bind(glue);
useSignatureBackend(nodeCrypto);

export * from "./index.js";
