//! The token as the attacker sends it: arbitrary bytes (lossily UTF-8, as a
//! JS string would be) verified by every fixed verifier — the full JWKS of
//! every key type under strict, relaxed and policy-heavy options, and one
//! verifier per PEM or secret key — and decoded. Seeds are the vectors'
//! tokens and tokens minted for every key, so mutations start past the
//! signature. Checks: accepted tokens satisfy the options (restated
//! independently), have three segments and decode the same; `verify_jws`
//! (the pipeline up to the signature) fails exactly where `verify` fails
//! before the claims; errors are 401 or 403 with a stable code and never
//! echo the token.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let token = String::from_utf8_lossy(data);
    let _ = tollgate_fuzz::check::verify_everywhere(&token);
});
