// The edge layer's public API, described by edge.d.ts; the internals its modules share stay out.
// What it does and why it is built so: docs/edge.md.

export { EDGE_ERROR_CODES } from "./edge-common.js";
export { RemoteKeySet, createRemoteKeySet } from "./remote.js";
export { IssuerKeys, createIssuerKeys, discoverKeySet } from "./issuers.js";
export { Introspector, createIntrospector } from "./introspection.js";
export { Guard, createGuard } from "./guard.js";
export { ReplayGuardObject, createDurableReplayStore, createMemoryReplayStore } from "./dpop.js";
export { StoreObject, createDurableStore, createMemoryStore } from "./store.js";
export { StoreRevocations, createStoreRevocations } from "./store-revocations.js";
