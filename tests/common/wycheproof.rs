//! Project Wycheproof through tollgate's own verification path.
//!
//! - JOSE files (`json_web_*`): each `jws` goes through `verify_jws`, the
//!   pipeline of `verify` up to and including the signature (their payloads are
//!   not JWT claims), with the group's key imported as a JWK or JWKS.
//! - Primitive files: the group's public key is imported the way a user's key
//!   is (a JWK bound to the JWS algorithm, or the HMAC secret), and each
//!   `(msg, sig)` is checked with `Key::verify_signature`, the primitive step of
//!   the pipeline.
//!
//! Every test must give Wycheproof's result (`acceptable` may go either way
//! and is counted), unless `tests/vectors/exceptions.json` lists it with
//! tollgate's outcome and a reason. An exception that no longer applies fails
//! the run, so the file cannot go stale.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use tollgate::{verify_jws, Algorithm, KeySet};

pub const FILES: &[(&str, &str)] = &[
    (
        "json_web_signature_test.json",
        include_str!("../vectors/wycheproof/json_web_signature_test.json"),
    ),
    (
        "json_web_key_test.json",
        include_str!("../vectors/wycheproof/json_web_key_test.json"),
    ),
    (
        "json_web_crypto_test.json",
        include_str!("../vectors/wycheproof/json_web_crypto_test.json"),
    ),
    (
        "ecdsa_secp256r1_sha256_p1363_test.json",
        include_str!("../vectors/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json"),
    ),
    (
        "ecdsa_secp384r1_sha384_p1363_test.json",
        include_str!("../vectors/wycheproof/ecdsa_secp384r1_sha384_p1363_test.json"),
    ),
    (
        "ecdsa_secp521r1_sha512_p1363_test.json",
        include_str!("../vectors/wycheproof/ecdsa_secp521r1_sha512_p1363_test.json"),
    ),
    (
        "ecdsa_secp256k1_sha256_p1363_test.json",
        include_str!("../vectors/wycheproof/ecdsa_secp256k1_sha256_p1363_test.json"),
    ),
    (
        "ed25519_test.json",
        include_str!("../vectors/wycheproof/ed25519_test.json"),
    ),
    (
        "hmac_sha256_test.json",
        include_str!("../vectors/wycheproof/hmac_sha256_test.json"),
    ),
    (
        "hmac_sha384_test.json",
        include_str!("../vectors/wycheproof/hmac_sha384_test.json"),
    ),
    (
        "hmac_sha512_test.json",
        include_str!("../vectors/wycheproof/hmac_sha512_test.json"),
    ),
    (
        "rsa_signature_2048_sha256_test.json",
        include_str!("../vectors/wycheproof/rsa_signature_2048_sha256_test.json"),
    ),
    (
        "rsa_signature_2048_sha384_test.json",
        include_str!("../vectors/wycheproof/rsa_signature_2048_sha384_test.json"),
    ),
    (
        "rsa_signature_2048_sha512_test.json",
        include_str!("../vectors/wycheproof/rsa_signature_2048_sha512_test.json"),
    ),
    (
        "rsa_signature_3072_sha256_test.json",
        include_str!("../vectors/wycheproof/rsa_signature_3072_sha256_test.json"),
    ),
    (
        "rsa_signature_3072_sha384_test.json",
        include_str!("../vectors/wycheproof/rsa_signature_3072_sha384_test.json"),
    ),
    (
        "rsa_signature_3072_sha512_test.json",
        include_str!("../vectors/wycheproof/rsa_signature_3072_sha512_test.json"),
    ),
    (
        "rsa_signature_4096_sha256_test.json",
        include_str!("../vectors/wycheproof/rsa_signature_4096_sha256_test.json"),
    ),
    (
        "rsa_signature_4096_sha384_test.json",
        include_str!("../vectors/wycheproof/rsa_signature_4096_sha384_test.json"),
    ),
    (
        "rsa_signature_4096_sha512_test.json",
        include_str!("../vectors/wycheproof/rsa_signature_4096_sha512_test.json"),
    ),
    (
        "rsa_signature_8192_sha256_test.json",
        include_str!("../vectors/wycheproof/rsa_signature_8192_sha256_test.json"),
    ),
    (
        "rsa_signature_8192_sha384_test.json",
        include_str!("../vectors/wycheproof/rsa_signature_8192_sha384_test.json"),
    ),
    (
        "rsa_signature_8192_sha512_test.json",
        include_str!("../vectors/wycheproof/rsa_signature_8192_sha512_test.json"),
    ),
    (
        "rsa_pss_2048_sha256_mgf1_32_test.json",
        include_str!("../vectors/wycheproof/rsa_pss_2048_sha256_mgf1_32_test.json"),
    ),
    (
        "rsa_pss_2048_sha384_mgf1_48_test.json",
        include_str!("../vectors/wycheproof/rsa_pss_2048_sha384_mgf1_48_test.json"),
    ),
    (
        "rsa_pss_3072_sha256_mgf1_32_test.json",
        include_str!("../vectors/wycheproof/rsa_pss_3072_sha256_mgf1_32_test.json"),
    ),
    (
        "rsa_pss_4096_sha256_mgf1_32_test.json",
        include_str!("../vectors/wycheproof/rsa_pss_4096_sha256_mgf1_32_test.json"),
    ),
    (
        "rsa_pss_4096_sha384_mgf1_48_test.json",
        include_str!("../vectors/wycheproof/rsa_pss_4096_sha384_mgf1_48_test.json"),
    ),
    (
        "rsa_pss_4096_sha512_mgf1_64_test.json",
        include_str!("../vectors/wycheproof/rsa_pss_4096_sha512_mgf1_64_test.json"),
    ),
    (
        "rsa_pss_misc_test.json",
        include_str!("../vectors/wycheproof/rsa_pss_misc_test.json"),
    ),
];

const EXCEPTIONS: &str = include_str!("../vectors/exceptions.json");

/// Per-file outcome counts.
#[derive(Debug, Default, Clone)]
pub struct FileReport {
    pub file: String,
    pub tests: usize,
    pub as_expected: usize,
    pub acceptable_accepted: usize,
    pub acceptable_rejected: usize,
    pub exceptions: usize,
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn b64u(bytes: &[u8]) -> String {
    tollgate::b64::encode(bytes)
}

fn hash_alg(sha: &str, family: &str) -> Option<Algorithm> {
    let bits = match sha {
        "SHA-256" => "256",
        "SHA-384" => "384",
        "SHA-512" => "512",
        _ => return None,
    };
    Algorithm::from_name(&format!("{family}{bits}"))
}

/// The key a primitive group verifies with, imported as a user's would be,
/// or `None` when tollgate refuses to import it (then every test of the
/// group is "rejected").
fn group_key(kind: &str, group: &Value) -> Option<(KeySet, Algorithm)> {
    let sha = group["sha"].as_str().unwrap_or("");
    let (jwk, alg) = match kind {
        "EcdsaP1363Verify" => {
            // Not every group has a JWK: build it from the coordinates, each
            // exactly the field size (RFC 7518 §6.2.1.2).
            let key = &group["publicKey"];
            let (crv, alg, len) = match key["curve"].as_str() {
                Some("secp256r1") => ("P-256", Algorithm::ES256, 32),
                Some("secp384r1") => ("P-384", Algorithm::ES384, 48),
                Some("secp521r1") => ("P-521", Algorithm::ES512, 66),
                Some("secp256k1") => ("secp256k1", Algorithm::ES256K, 32),
                _ => return None,
            };
            let coordinate = |name: &str| {
                let raw = hex(key[name].as_str().unwrap());
                let raw: Vec<u8> = raw.into_iter().skip_while(|b| *b == 0).collect();
                let mut fixed = vec![0u8; len - raw.len().min(len)];
                fixed.extend_from_slice(&raw);
                b64u(&fixed)
            };
            (
                json!({ "kty": "EC", "crv": crv, "x": coordinate("wx"), "y": coordinate("wy") }),
                alg,
            )
        }
        "EddsaVerify" => (group["publicKeyJwk"].clone(), Algorithm::EdDSA),
        "RsassaPkcs1Verify" | "RsassaPssVerify" => {
            let family = if kind == "RsassaPkcs1Verify" {
                "RS"
            } else {
                "PS"
            };
            let alg = hash_alg(sha, family)?;
            let key = &group["publicKey"];
            let n = b64u(&hex(key["modulus"].as_str().unwrap()));
            let e = b64u(&hex(key["publicExponent"].as_str().unwrap()));
            (json!({ "kty": "RSA", "n": n, "e": e }), alg)
        }
        _ => return None,
    };
    let mut jwk = jwk;
    if let Some(o) = jwk.as_object_mut() {
        o.remove("alg"); // bound below, as a caller binds a key
    }
    KeySet::from_jwk(jwk.to_string().as_bytes(), Some(alg))
        .ok()
        .map(|k| (k, alg))
}

/// Whether a PSS group's parameters are the JWS ones (RFC 7518 §3.5: MGF1
/// with the same hash, salt as long as the hash). Other groups are valid for
/// *their* parameters and must be rejected by a PS verifier.
fn pss_matches_jws(group: &Value) -> bool {
    let len = match group["sha"].as_str() {
        Some("SHA-256") => 32,
        Some("SHA-384") => 48,
        Some("SHA-512") => 64,
        _ => return false,
    };
    group["mgf"] == "MGF1" && group["mgfSha"] == group["sha"] && group["sLen"] == len
}

/// Runs one test: `Some(true)` accepted, `Some(false)` rejected, `None` when
/// the test is outside the JWS API (recorded by the caller).
fn outcome(kind: &str, group: &Value, key: Option<&(KeySet, Algorithm)>, test: &Value) -> bool {
    match kind {
        "JsonWebSignature" | "JsonWebKey" | "JsonWebCrypto" => {
            let key = group.get("public").unwrap_or(&group["private"]);
            let text = key.to_string();
            let keys = if key.get("keys").is_some() {
                KeySet::from_jwks(text.as_bytes(), &[])
            } else {
                KeySet::from_jwk(text.as_bytes(), None)
            };
            let Ok(keys) = keys else { return false };
            let Some(jws) = test["jws"].as_str() else {
                return false;
            }; // JSON serialization, JWE objects
            verify_jws(jws, &keys, None, 1 << 20).is_ok()
        }
        "MacTest" => {
            let alg = hash_alg(&format!("SHA-{}", group["tagSize"]), "HS");
            let Some(alg) = alg else { return false };
            let secret = hex(test["key"].as_str().unwrap());
            let Ok(keys) = KeySet::from_secret(&secret, alg, None) else {
                return false;
            };
            let key = &keys.keys()[0];
            key.verify_signature(
                &hex(test["msg"].as_str().unwrap()),
                &hex(test["tag"].as_str().unwrap()),
            )
        }
        _ => match key {
            Some((keys, _)) => keys.keys()[0].verify_signature(
                &hex(test["msg"].as_str().unwrap()),
                &hex(test["sig"].as_str().unwrap()),
            ),
            None => false,
        },
    }
}

/// What Wycheproof's result means for tollgate's JWS API: `Some(true)` must
/// accept, `Some(false)` must reject, `None` either (acceptable).
fn expected(file: &str, kind: &str, group: &Value, test: &Value) -> Option<bool> {
    let result = test["result"].as_str().unwrap();
    // JWE objects given to a JWS verifier must be refused, whatever their
    // result as JWE (the vectors' README).
    if kind == "JsonWebCrypto" && test.get("jws").is_none() {
        return Some(false);
    }
    // A MAC truncated below the hash size is never a JWS HMAC (RFC 7518 §3.2:
    // the full output); a key shorter than the hash is refused at import.
    if kind == "MacTest" {
        let hash_bits = match file {
            "hmac_sha256_test.json" => 256,
            "hmac_sha384_test.json" => 384,
            _ => 512,
        };
        if group["tagSize"] != hash_bits || group["keySize"].as_u64().unwrap_or(0) < hash_bits {
            return Some(false);
        }
    }
    if kind == "RsassaPssVerify" && !pss_matches_jws(group) {
        return Some(false);
    }
    match result {
        "valid" => Some(true),
        "invalid" => Some(false),
        _ => None,
    }
}

struct Exception {
    file: String,
    tc_ids: Vec<u64>,
    tollgate_accepts: bool,
    used: usize,
}

fn exceptions() -> Vec<Exception> {
    let list: Value = serde_json::from_str(EXCEPTIONS).unwrap();
    list["exceptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(
                e["reason"].as_str().is_some_and(|r| r.len() > 20),
                "exception without a reason: {e}"
            );
            Exception {
                file: e["file"].as_str().unwrap().to_owned(),
                tc_ids: e["tcIds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_u64().unwrap())
                    .collect(),
                tollgate_accepts: match e["tollgate"].as_str().unwrap() {
                    "accepts" => true,
                    "rejects" => false,
                    other => panic!("exception outcome must be accepts or rejects, not {other}"),
                },
                used: 0,
            }
        })
        .collect()
}

/// Whether this build verifies the file's algorithm: the curves of the
/// `es512` and `es256k` features are run only in builds that have them.
fn built(file: &str) -> bool {
    match file {
        "ecdsa_secp521r1_sha512_p1363_test.json" => cfg!(feature = "es512"),
        "ecdsa_secp256k1_sha256_p1363_test.json" => cfg!(feature = "es256k"),
        _ => true,
    }
}

/// Runs every file. Returns the per-file report and a line per failure
/// (unexpected outcomes and stale exceptions).
pub fn run_all() -> (Vec<FileReport>, Vec<String>) {
    let mut exceptions = exceptions();
    let mut reports = Vec::new();
    let mut failures = Vec::new();
    for (file, text) in FILES.iter().filter(|(file, _)| built(file)) {
        let doc: Value = serde_json::from_str(text).unwrap();
        let mut report = FileReport {
            file: (*file).to_owned(),
            ..FileReport::default()
        };
        for group in doc["testGroups"].as_array().unwrap() {
            let kind = group["type"].as_str().unwrap();
            let key = group_key(kind, group);
            for test in group["tests"].as_array().unwrap() {
                let tc_id = test["tcId"].as_u64().unwrap();
                report.tests += 1;
                let accepted = outcome(kind, group, key.as_ref(), test);
                let exception = exceptions
                    .iter_mut()
                    .find(|e| e.file == *file && e.tc_ids.contains(&tc_id));
                match (expected(file, kind, group, test), exception) {
                    (_, Some(e)) => {
                        e.used += 1;
                        report.exceptions += 1;
                        if accepted != e.tollgate_accepts {
                            failures.push(format!(
                                "{file} tcId {tc_id}: the exception says tollgate {} it, but it {}",
                                if e.tollgate_accepts {
                                    "accepts"
                                } else {
                                    "rejects"
                                },
                                if accepted { "accepts" } else { "rejects" }
                            ));
                        } else if expected(file, kind, group, test) == Some(accepted) {
                            failures.push(format!("{file} tcId {tc_id}: stale exception, the outcome now matches Wycheproof"));
                        }
                    }
                    (None, None) if accepted => report.acceptable_accepted += 1,
                    (None, None) => report.acceptable_rejected += 1,
                    (Some(want), None) if want == accepted => report.as_expected += 1,
                    (Some(want), None) => failures.push(format!(
                        "{file} tcId {tc_id} ({}): expected {}, tollgate {} [{}]",
                        test["comment"].as_str().unwrap_or(""),
                        if want { "accept" } else { "reject" },
                        if accepted { "accepts" } else { "rejects" },
                        test["flags"]
                            .as_array()
                            .map(|f| f
                                .iter()
                                .map(|x| x.as_str().unwrap_or(""))
                                .collect::<Vec<_>>()
                                .join(","))
                            .unwrap_or_default()
                    )),
                }
            }
        }
        reports.push(report);
    }
    for e in &exceptions {
        if e.used != e.tc_ids.len() {
            failures.push(format!(
                "{}: exception lists tcIds {:?} of which only {} exist",
                e.file, e.tc_ids, e.used
            ));
        }
    }
    (reports, failures)
}

/// A Markdown table of the reports, for the README.
pub fn table(reports: &[FileReport]) -> String {
    let mut out = String::from("| file | tests | as Wycheproof says | acceptable: accepted / rejected | documented exceptions |\n|---|---:|---:|---:|---:|\n");
    let mut totals = BTreeMap::new();
    for r in reports {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} / {} | {} |\n",
            r.file,
            r.tests,
            r.as_expected,
            r.acceptable_accepted,
            r.acceptable_rejected,
            r.exceptions
        ));
        *totals.entry("tests").or_insert(0) += r.tests;
        *totals.entry("ok").or_insert(0) += r.as_expected;
        *totals.entry("aa").or_insert(0) += r.acceptable_accepted;
        *totals.entry("ar").or_insert(0) += r.acceptable_rejected;
        *totals.entry("ex").or_insert(0) += r.exceptions;
    }
    out.push_str(&format!(
        "| **all {} files** | **{}** | **{}** | **{} / {}** | **{}** |\n",
        reports.len(),
        totals["tests"],
        totals["ok"],
        totals["aa"],
        totals["ar"],
        totals["ex"]
    ));
    out
}

/// Runs every file and asserts: enough tests ran, and no failure. Returns the
/// per-file report (printed by the native test, for the README).
pub fn assert_all() -> Vec<FileReport> {
    let (reports, failures) = run_all();
    assert!(
        reports.iter().map(|r| r.tests).sum::<usize>() > 5000,
        "too few Wycheproof tests ran"
    );
    assert!(
        failures.is_empty(),
        "{} Wycheproof failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    reports
}
