//! Key import, from caller input: the bytes as a JWKS (`KeySet::from_jwks`
//! with several `algorithms` lists), as one JWK (`KeySet::from_jwk` with and
//! without an `alg`), and as PEM (`KeySet::from_pem` for every algorithm,
//! and `der::parse_pem`). Every key set that imports then verifies the
//! fixture's tokens (vectors and minted, one per key type), so odd keys that
//! pass import reach the crypto.
//!
//! Checks: errors are `ERR_JWK_INVALID` and never an HTTP answer; a JWKS
//! accounts for every entry (used or skipped, in order, with a reason); an
//! imported key is bound to an algorithm of its own type (and to the one
//! asked for); verifying with it gives only token errors.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use tollgate::alg::KeyKind;
use tollgate::der::{self, PublicKey};
use tollgate::json::{self, Value};
use tollgate::{Algorithm, CallOptions, KeySet, Verifier};
use tollgate_fuzz::{check, fixture, fixtures};

/// `algorithms` lists for JWKs without `alg`: none, one, one per key type,
/// and all (ambiguous for RSA and HMAC).
const JWKS_ALGORITHMS: [&[Algorithm]; 4] = [
    &[],
    &[Algorithm::RS256],
    &[
        Algorithm::HS384,
        Algorithm::PS256,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::EdDSA,
    ],
    &tollgate::alg::ALL,
];

fn kty(alg: Algorithm) -> &'static str {
    match alg.key_kind() {
        KeyKind::Hmac => "oct",
        KeyKind::Rsa => "RSA",
        KeyKind::Ec(_) => "EC",
        KeyKind::Ed25519 => "OKP",
    }
}

/// An imported set: keys fit their algorithms, and verifying the fixture's
/// tokens with it only ever gives token answers.
fn imported(set: KeySet) {
    for key in set.keys() {
        assert_eq!(
            key.kty(),
            kty(key.alg()),
            "key bound to an alg of another type"
        );
    }
    let options = tollgate::options::verify_options(fixtures::SINGLE).expect("options");
    // A set of only RSA keys without alg needs the verifier's algorithms: a caller error.
    let unbound_only = set.keys().is_empty() && set.has_unbound();
    let verifier = match Verifier::new(Arc::new(set), options) {
        Ok(verifier) => verifier,
        Err(e) if unbound_only => return check::caller_error(&e, "ERR_INVALID_ARG"),
        Err(e) => panic!("verifier: {e:?}"),
    };
    for (_, token) in &fixture().tokens {
        match verifier.verify(token, &CallOptions::default(), fixtures::NOW) {
            Ok(v) => assert_eq!(token.split('.').count(), 3, "{v:?}"),
            Err(e) => check::token_error(token, &e),
        }
    }
}

fn jwks(data: &[u8]) {
    // The entries, read independently of the import.
    let doc = json::parse_object(data).ok();
    let entries = match doc.as_ref().and_then(|d| d.get("keys")) {
        Some(Value::Array(items)) => Some(items.as_slice()),
        _ => None,
    };
    let mut first_ok = None;
    for algorithms in JWKS_ALGORITHMS {
        match KeySet::from_jwks(data, algorithms) {
            Ok(set) => {
                let entries = entries.expect("a JWKS imported without a keys array");
                let n = entries.len();
                // Keys, or RSA keys without alg waiting for a verifier's algorithms.
                assert!(
                    !set.keys().is_empty() || set.has_unbound(),
                    "an imported JWKS with no key"
                );
                assert_eq!(set.keys().len() + set.skipped().len(), n, "entries lost");
                assert!(set.skipped().windows(2).all(|w| w[0].index < w[1].index));
                assert!(set
                    .skipped()
                    .iter()
                    .all(|s| s.index < n && !s.reason.is_empty()));
                // The used entries, in order, are the keys: each bound to its
                // own alg, or else to the one listed algorithm of its type, or,
                // with none listed, to the one algorithm of the table for its curve.
                let used = (0..n).filter(|i| set.skipped().iter().all(|s| s.index != *i));
                for (key, i) in set.keys().iter().zip(used) {
                    let entry = &entries[i];
                    match entry.get("alg") {
                        Some(Value::String(own)) => assert_eq!(key.alg().name(), own),
                        _ if algorithms.is_empty() => assert_eq!(
                            tollgate::alg::ALL
                                .iter()
                                .filter(|a| a.key_kind() == key.alg().key_kind())
                                .count(),
                            1,
                            "a key without alg bound where several algorithms fit"
                        ),
                        _ => assert!(algorithms.contains(&key.alg()), "unlisted alg"),
                    }
                    assert_eq!(entry.get("kid").and_then(Value::as_str), key.kid());
                    assert_eq!(entry.get("kty").and_then(Value::as_str), Some(key.kty()));
                }
                if first_ok.is_none() {
                    first_ok = Some(set);
                }
            }
            Err(e) => {
                check::caller_error(&e, "ERR_JWK_INVALID");
                if let tollgate::Error::JwkInvalid { skipped, .. } = &e {
                    if !skipped.is_empty() {
                        assert_eq!(Some(skipped.len()), entries.map(<[_]>::len));
                    }
                }
            }
        }
    }
    if let Some(set) = first_ok {
        imported(set);
    }
}

fn jwk(data: &[u8]) {
    let mut first_ok = None;
    let options = [
        None,
        Some(Algorithm::HS256),
        Some(Algorithm::HS512),
        Some(Algorithm::RS256),
        Some(Algorithm::PS384),
        Some(Algorithm::ES256),
        Some(Algorithm::ES384),
        Some(Algorithm::EdDSA),
    ];
    for alg in options {
        match KeySet::from_jwk(data, alg) {
            Ok(set) => {
                assert_eq!(set.keys().len(), 1);
                assert!(set.skipped().is_empty());
                if let Some(alg) = alg {
                    assert_eq!(set.keys()[0].alg(), alg, "bound to another alg than asked");
                }
                if first_ok.is_none() {
                    first_ok = Some(set);
                }
            }
            Err(e) => check::caller_error(&e, "ERR_JWK_INVALID"),
        }
    }
    if let Some(set) = first_ok {
        imported(set);
    }
}

fn pem(text: &str) {
    let parsed = der::parse_pem(text);
    if let Err(e) = &parsed {
        check::caller_error(e, "ERR_JWK_INVALID");
    }
    let mut first_ok = None;
    for alg in tollgate::alg::ALL {
        match KeySet::from_pem(text, alg, Some("fuzz".into())) {
            Ok(set) => {
                let key = &set.keys()[0];
                assert_eq!(set.keys().len(), 1);
                assert_eq!(key.alg(), alg);
                assert_eq!(key.kid(), Some("fuzz"));
                // Import goes through the same DER reading, for a fitting type.
                let fits = match (&parsed, alg.key_kind()) {
                    (Ok(PublicKey::Rsa { .. }), KeyKind::Rsa) => true,
                    (Ok(PublicKey::Ec(curve, _)), KeyKind::Ec(wanted)) => *curve == wanted,
                    (Ok(PublicKey::Ed25519(_)), KeyKind::Ed25519) => true,
                    _ => false,
                };
                assert!(fits, "PEM imported for {alg:?} from {parsed:?}");
                if first_ok.is_none() {
                    first_ok = Some(set);
                }
            }
            Err(e) => check::caller_error(&e, "ERR_JWK_INVALID"),
        }
    }
    if let Some(set) = first_ok {
        imported(set);
    }
}

fuzz_target!(|data: &[u8]| {
    jwks(data);
    jwk(data);
    pem(&String::from_utf8_lossy(data));
});
