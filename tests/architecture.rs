//! Guard rails on the code itself: the crypto choke point, the one JS
//! boundary, and the no-panic lint set stay as the design says.

const SOURCES: &[(&str, &str)] = &[
    ("alg.rs", include_str!("../src/alg.rs")),
    ("apikey.rs", include_str!("../src/apikey.rs")),
    ("authorize.rs", include_str!("../src/authorize.rs")),
    ("b64.rs", include_str!("../src/b64.rs")),
    ("basic.rs", include_str!("../src/basic.rs")),
    ("claims.rs", include_str!("../src/claims.rs")),
    ("credential.rs", include_str!("../src/credential.rs")),
    ("crypto.rs", include_str!("../src/crypto.rs")),
    ("der.rs", include_str!("../src/der.rs")),
    ("dpop.rs", include_str!("../src/dpop.rs")),
    ("error.rs", include_str!("../src/error.rs")),
    ("facts.rs", include_str!("../src/facts.rs")),
    ("json.rs", include_str!("../src/json.rs")),
    ("jwk.rs", include_str!("../src/jwk.rs")),
    ("jws.rs", include_str!("../src/jws.rs")),
    ("lib.rs", include_str!("../src/lib.rs")),
    ("net.rs", include_str!("../src/net.rs")),
    ("options.rs", include_str!("../src/options.rs")),
    ("policy/bits.rs", include_str!("../src/policy/bits.rs")),
    (
        "policy/carried.rs",
        include_str!("../src/policy/carried.rs"),
    ),
    (
        "policy/constraints.rs",
        include_str!("../src/policy/constraints.rs"),
    ),
    ("policy/cover.rs", include_str!("../src/policy/cover.rs")),
    ("policy/decide.rs", include_str!("../src/policy/decide.rs")),
    (
        "policy/decision.rs",
        include_str!("../src/policy/decision.rs"),
    ),
    (
        "policy/describe.rs",
        include_str!("../src/policy/describe.rs"),
    ),
    ("policy/load.rs", include_str!("../src/policy/load.rs")),
    ("policy/mod.rs", include_str!("../src/policy/mod.rs")),
    ("policy/model.rs", include_str!("../src/policy/model.rs")),
    ("policy/read.rs", include_str!("../src/policy/read.rs")),
    ("revocation.rs", include_str!("../src/revocation.rs")),
    ("roles.rs", include_str!("../src/roles.rs")),
    ("route.rs", include_str!("../src/route.rs")),
    ("scopes.rs", include_str!("../src/scopes.rs")),
    ("sign.rs", include_str!("../src/sign.rs")),
    ("verify.rs", include_str!("../src/verify.rs")),
    ("wasm.rs", include_str!("../src/wasm.rs")),
    (
        "wasm_authorize.rs",
        include_str!("../src/wasm_authorize.rs"),
    ),
    (
        "wasm_credentials.rs",
        include_str!("../src/wasm_credentials.rs"),
    ),
    ("wasm_policy.rs", include_str!("../src/wasm_policy.rs")),
    ("wasm_sign.rs", include_str!("../src/wasm_sign.rs")),
];

/// The non-test part of a source file.
fn code(text: &str) -> &str {
    text.split("#[cfg(test)]").next().unwrap_or(text)
}

/// Whether `text` names the crate `krate` as a path root (`ring::…`, `use ring`),
/// not as the tail of another identifier (`String::`).
fn names_crate(text: &str, krate: &str) -> bool {
    text.match_indices(krate).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = &text[at + krate.len()..];
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && (after.starts_with("::") || after.starts_with(';') || after.starts_with(" as"))
    })
}

fn users(krates: &[&str]) -> Vec<&'static str> {
    SOURCES
        .iter()
        .filter(|(_, text)| krates.iter().any(|k| names_crate(code(text), k)))
        .map(|(name, _)| *name)
        .collect()
}

/// The `.rs` files below `dir`, its folders of modules (`policy/`) included.
fn count_sources(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|e| e.path())
                .map(|path| {
                    if path.is_dir() {
                        count_sources(&path)
                    } else {
                        usize::from(path.extension().is_some_and(|x| x == "rs"))
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

#[test]
fn every_source_file_is_listed_here() {
    let on_disk = count_sources(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    )));
    assert_eq!(
        on_disk,
        SOURCES.len(),
        "add new src/ files to tests/architecture.rs"
    );
}

#[test]
fn only_crypto_rs_calls_ring() {
    assert_eq!(users(&["ring"]), ["crypto.rs"]);
}

/// One JSON reader (the duplicate-refusing visitor) and one base64url: a second
/// `serde_json::from_*` would read a token or a key without those rules.
#[test]
fn only_json_rs_reads_json_and_only_b64_rs_decodes_base64() {
    assert_eq!(users(&["serde", "serde_json"]), ["json.rs"]);
    assert_eq!(users(&["base64"]), ["b64.rs"]);
}

/// The RustCrypto crates of the `es512` / `es256k` features are crypto too:
/// the same one file calls them.
#[test]
fn only_crypto_rs_calls_the_rustcrypto_curves() {
    assert_eq!(
        users(&["p521", "k256", "ecdsa", "elliptic_curve"]),
        ["crypto.rs"]
    );
}

#[test]
fn only_the_wasm_modules_touch_javascript() {
    assert_eq!(
        users(&["wasm_bindgen", "js_sys"]),
        [
            "wasm.rs",
            "wasm_authorize.rs",
            "wasm_credentials.rs",
            "wasm_policy.rs",
            "wasm_sign.rs"
        ]
    );
}

#[test]
fn unsafe_code_is_forbidden_and_the_no_panic_lints_are_denied() {
    let lib = include_str!("../src/lib.rs");
    assert!(lib.contains("#![forbid(unsafe_code)]"));
    let manifest = include_str!("../Cargo.toml");
    for lint in [
        "unwrap_used",
        "expect_used",
        "panic",
        "indexing_slicing",
        "unreachable",
        "todo",
        "unimplemented",
    ] {
        assert!(
            manifest.contains(&format!("{lint} = \"deny\"")),
            "Cargo.toml must deny clippy::{lint}"
        );
    }
    assert!(manifest.contains("unsafe_code = \"forbid\""));
}
