// Shared between the package's modules, never exported from an entry point:
// the results of tollgate's own verification, each with the JSON text the
// verifier produced. A policy decides on that text (the claims as verified,
// not as the caller may have changed the object since), and knows the result
// is verified by finding it here.
export const verifiedTexts = new WeakMap();
