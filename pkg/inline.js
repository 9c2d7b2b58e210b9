// Self-contained browser entry: the wasm travels inside the JavaScript (base64) and is
// instantiated synchronously at import. No top-level await and no .wasm file to serve,
// so any bundler and output format takes it as is: esbuild's default iife, platform
// neutral, a project whose package.json says "type": "commonjs", Rollup without plugins.
// Bundlers that emit `new URL(…, import.meta.url)` assets (webpack 5, Vite) get
// browser.js in production builds instead: a separate, cacheable .wasm, ~24 KB less gzip.
import * as glue from "./wasm/tollgate_wasm.js";
import { wasmBytes } from "./wasm/tollgate_wasm_inline.js";
import { bind } from "./core.js";

glue.initSync({ module: wasmBytes() });
bind(glue);

export * from "./index.js";
