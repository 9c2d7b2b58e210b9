// The package's API, gathered once for the entry points (node.js, browser.js, workerd.js):
// the core, the edge layer, the SPA helpers and the credentials (API keys, Basic). Nothing
// in the package imports this file but the entry points, so the modules below depend on
// tollgate.js one way only.

export * from "./tollgate.js";
export * from "./edge.js";
export * from "./spa.js";
export * from "./credentials.js";
export * from "./sign.js";
