// Node entry of tollgate/policy: the full module (verifier + policy engine), loaded
// synchronously, serves the whole package; this entry exports all of it.
import { readFileSync } from "node:fs";
import * as glue from "./wasm/tollgate_policy.js";
import { bind } from "./core.js";
import { useSignatureBackend } from "./webcrypto.js";
import { nodeCrypto } from "./node-crypto.js";

glue.initSync({ module: readFileSync(new URL("./wasm/tollgate_policy_bg.wasm", import.meta.url)) });
bind(glue, true);
useSignatureBackend(nodeCrypto);

export * from "./index.js";
export * from "./policy.js";
