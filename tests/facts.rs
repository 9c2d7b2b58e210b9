//! `pkg/facts.js`, `pkg/facts.d.ts` and `docs/errors.md` are what `src/facts.rs`
//! writes from the crate's tables: a stale copy fails here. `make facts` (which sets
//! `TOLLGATE_WRITE_FACTS=1`) writes them anew.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

fn check(file: &str, fresh: &str) {
    check_at("pkg", file, fresh);
}

fn check_at(dir: &str, file: &str, fresh: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir).join(file);
    if std::env::var_os("TOLLGATE_WRITE_FACTS").is_some() {
        std::fs::write(&path, fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{dir}/{file} is stale: run `make facts` and commit it"
    );
}

#[test]
fn facts_js_is_fresh() {
    check("facts.js", &tollgate::facts::js());
}

#[test]
fn facts_dts_is_fresh() {
    check("facts.d.ts", &tollgate::facts::dts());
}

#[test]
fn the_error_table_in_docs_is_fresh() {
    check_at("docs", "errors.md", &tollgate::facts::errors_md());
}

/// The files below `dir`, in its folders too, but for `wasm/` (wasm-bindgen's output, not
/// written by hand) and `node_modules/`.
fn files_below(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_dir() {
            out.push(path);
        } else if path
            .file_name()
            .is_some_and(|n| n != "wasm" && n != "node_modules")
        {
            out.extend(files_below(&path));
        }
    }
    out
}

/// The package's hand-written JS and TypeScript, without comment lines, named by their path
/// below `pkg/` (`cli.js`, `governance/lint.js`).
fn package_sources() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("pkg");
    let mut out = Vec::new();
    for path in files_below(&dir) {
        let name = path
            .strip_prefix(&dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let source = name.ends_with(".js") || name.ends_with(".d.ts");
        if !source || name.starts_with("facts.") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let code: Vec<&str> = text
            .lines()
            .filter(|l| {
                let t = l.trim_start();
                !(t.starts_with("//") || t.starts_with('*') || t.starts_with("/*"))
            })
            .collect();
        out.push((name, code.join("\n")));
    }
    assert!(out.len() > 10, "pkg/ sources not found");
    assert!(
        out.iter().any(|(name, _)| name.contains('/')),
        "no source in a folder of pkg/ found"
    );
    out
}

fn quoted(text: &str, word: &str) -> bool {
    text.contains(&format!("\"{word}\"")) || text.contains(&format!("'{word}'"))
}

#[test]
fn no_fact_is_copied_into_js() {
    use tollgate::alg::{self, CURVES};
    let mut algorithm_facts: Vec<String> = alg::ALL.iter().map(|a| a.name().to_owned()).collect();
    algorithm_facts.extend(CURVES.iter().map(|c| c.name().to_owned()));
    algorithm_facts.extend(
        [
            "SHA-256",
            "SHA-384",
            "SHA-512",
            "RSASSA-PKCS1-v1_5",
            "RSA-PSS",
            "ECDSA",
            "Ed25519",
        ]
        .map(str::to_owned),
    );
    let codes: Vec<&str> = tollgate::Code::ALL.iter().map(|c| c.as_str()).collect();
    let mut found = Vec::new();
    for (file, text) in package_sources() {
        let js = file.ends_with(".js");
        for fact in &algorithm_facts {
            if js && quoted(&text, fact) {
                found.push(format!(
                    "{file}: the algorithm fact \"{fact}\" (read ALGORITHMS)"
                ));
            }
        }
        for error in ["invalid_token", "insufficient_scope", "invalid_request"] {
            if js && quoted(&text, error) {
                found.push(format!(
                    "{file}: the RFC 6750 error \"{error}\" (read CODES, or the core's challenge)"
                ));
            }
        }
        let mut run = 0;
        for line in text.lines() {
            let t = line.trim().trim_start_matches('|').trim();
            let mut literals = t.match_indices("\"ERR_").map(|(at, _)| &t[at + 1..]);
            let names: Vec<&str> = literals
                .by_ref()
                .map(|rest| rest.split('"').next().unwrap_or(rest))
                .collect();
            for name in &names {
                if !codes.contains(name) && *name != "ERR_MODULE_NOT_FOUND" {
                    found.push(format!("{file}: \"{name}\" is no code of src/error.rs"));
                }
            }
            let list_item = t.starts_with("\"ERR_") && (t.ends_with("\",") || t.ends_with('"'));
            run = if list_item { run + 1 } else { 0 };
            if names.len() > 1 || run > 1 {
                found.push(format!(
                    "{file}: a list of codes (import it from facts.js): {t}"
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "facts copied by hand:\n{}",
        found.join("\n")
    );
}
