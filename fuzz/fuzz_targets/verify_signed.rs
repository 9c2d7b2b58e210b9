//! Structure-aware: the input is a header and a payload, which this target
//! signs with a fixture key, so the fuzzer gets past the signature and
//! exercises header rules, claims, time checks and scopes.
//!
//! Input: one selector byte (low two bits: HS256, HS384, HS512 or EdDSA),
//! then `header 0x00 payload`; without a 0x00 the rest is the payload under
//! a standard header `{"alg":…,"kid":…,"typ":"at+jwt"}`. Seeds: the
//! vectors' headers and payloads and claims that pass every verifier.
//!
//! Extra oracle: a token signed by the key its header names (by alg, and by
//! kid when it has one) never fails the signature or key lookup.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tollgate::json::{self, Value};
use tollgate::Algorithm;
use tollgate_fuzz::{check, fixtures};

const SIGNERS: [Algorithm; 4] = [
    Algorithm::HS256,
    Algorithm::HS384,
    Algorithm::HS512,
    Algorithm::EdDSA,
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let signer = fixtures::signer(SIGNERS[usize::from(selector & 3)]);
    let standard;
    let (header, payload) = match rest.iter().position(|&b| b == 0) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => {
            standard = fixtures::header(signer.alg, Some(signer.kid));
            (standard.as_bytes(), rest)
        }
    };
    let token = signer.token(header, payload);
    let outcomes = check::verify_everywhere(&token);

    // The signature is right by construction: when the header asks for this
    // key, a signature or key-lookup failure from a verifier over the JWKS
    // (which holds it) would be a bug.
    let asks_for_signer = json::parse_object(header).is_ok_and(|h| {
        h.get("alg").and_then(Value::as_str) == Some(signer.alg.name())
            && h.get("kid")
                .is_none_or(|kid| kid.as_str() == Some(signer.kid))
    });
    if asks_for_signer {
        let fx = fixtures::fixture();
        for (case, outcome) in fx.cases.iter().zip(&outcomes) {
            if !case.name.starts_with("jwks/") {
                continue;
            }
            assert!(
                !matches!(
                    outcome,
                    Err("ERR_JWS_SIGNATURE_VERIFICATION_FAILED" | "ERR_JWKS_NO_MATCHING_KEY")
                ),
                "{}: a correctly signed token failed with {:?}",
                case.name,
                outcome
            );
        }
    }
});
