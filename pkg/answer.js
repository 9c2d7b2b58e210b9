// HTTP answers the JS layer gives without a core error in hand (a token refused before
// the verifier, no credentials, a malformed request): the status comes from the core's
// code table (facts.js), the challenge from the core's one challenge builder.

import { wasm } from "./core.js";
import { CODES } from "./facts.js";

/** The HTTP status the core's table gives `code`. */
export function statusOf(code) {
  return CODES[code].status;
}

/**
 * The `WWW-Authenticate` value answering with `code` (RFC 6750 §3): realm first when
 * given, `error`/`error_description` where the code has an RFC 6750 error; `undefined`
 * where the answer is not a 400, 401 or 403. `offer`: the schemes a server takes besides
 * Bearer alone, `{ dpop: "ES256 …", bearer, errorInDpop, basic: "<realm>", apiKey }`:
 * DPoP proofs (RFC 9449 §7), Basic credentials in a realm (RFC 7617), API keys.
 */
export function challenge(code, realm, description = "", offer) {
  return wasm.rawChallenge(code, realm, description, offer?.dpop, offer?.bearer, offer?.errorInDpop, offer?.basic, offer?.apiKey);
}

/** The RFC 6750 error of `code` (`invalid_token`, …), or `undefined`. */
export function oauthErrorOf(code) {
  return CODES[code].error ?? undefined;
}
