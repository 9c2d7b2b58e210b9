//! Writes the seed corpus of every fuzz target into `fuzz/corpus/<target>/`
//! (or into the directory given as the first argument): the vectors of
//! `tests/vectors/` (RFC 7515/7797/8037/9449 and JOSE cookbook tokens, JWKs,
//! headers and payloads), tokens minted with the fixture keys (every key
//! type, valid under the fixture options, then one defect each), PEM keys and
//! option texts. Files are named `seed-<what>`; rerunning overwrites them and
//! leaves whatever the fuzzer added.
//!
//!     cargo run --manifest-path fuzz/Cargo.toml --example seed_corpus

use std::fs;
use std::path::{Path, PathBuf};

use tollgate::json::{self, Value};
use tollgate::{b64, Algorithm};
use tollgate_fuzz::fixtures::{self, good_claims, header, signer};
use tollgate_fuzz::json_text::to_json;
use tollgate_fuzz::{fixture, NOW};

struct Corpus {
    dir: PathBuf,
    count: usize,
}

impl Corpus {
    fn new(root: &Path, target: &str) -> Corpus {
        let dir = root.join(target);
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        Corpus { dir, count: 0 }
    }

    fn add(&mut self, name: &str, bytes: impl AsRef<[u8]>) {
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = self.dir.join(format!("seed-{safe}"));
        fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        self.count += 1;
    }
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse(bytes: &[u8]) -> Value {
    json::parse(bytes).expect("vector file is JSON")
}

/// Every `*.json` under `dir`, sorted, with its file stem.
fn json_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let stem = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bytes = read(&p);
            (stem, bytes)
        })
        .collect()
}

/// Claims that are valid except for one thing, named.
fn defective_claims() -> Vec<(&'static str, String)> {
    let good = good_claims();
    let exp = (NOW + 3600).to_string();
    let iat = (NOW - 60).to_string();
    vec![
        ("expired", good.replace(&exp, &(NOW - 3600).to_string())),
        ("exp-string", good.replace(&exp, "\"tomorrow\"")),
        ("exp-null", good.replace(&exp, "null")),
        ("exp-huge", good.replace(&exp, "1e308")),
        ("exp-fraction", good.replace(&exp, &format!("{exp}.5"))),
        ("exp-negative", good.replace(&exp, "-1")),
        ("no-exp", good.replace(&format!(",\"exp\":{exp}"), "")),
        (
            "nbf-future",
            good.replacen(&format!("\"nbf\":{iat}"), &format!("\"nbf\":{exp}"), 1),
        ),
        (
            "iat-future",
            good.replacen(&format!("\"iat\":{iat}"), &format!("\"iat\":{exp}"), 1),
        ),
        (
            "iat-old",
            good.replacen(&format!("\"iat\":{iat}"), "\"iat\":1600000000", 1),
        ),
        (
            "iss-other",
            good.replace("https://idp.example/", "https://idp.example"),
        ),
        ("iss-number", good.replace("\"https://idp.example/\"", "7")),
        (
            "aud-other",
            good.replace("[\"api\",\"https://api.example\"]", "\"web\""),
        ),
        (
            "aud-mixed",
            good.replace("[\"api\",\"https://api.example\"]", "[1,\"api\"]"),
        ),
        (
            "aud-string",
            good.replace("[\"api\",\"https://api.example\"]", "\"api\""),
        ),
        ("sub-other", good.replace("\"alice\"", "\"mallory\"")),
        ("no-jti", good.replace("\"jti\":\"fuzz-1\",", "")),
        (
            "scope-missing",
            good.replace("read:messages write:messages", "profile"),
        ),
        (
            "scope-array",
            good.replace(
                "\"read:messages write:messages\"",
                "[\"read:messages\",\"write:messages\"]",
            ),
        ),
        (
            "scope-number",
            good.replace("\"read:messages write:messages\"", "5"),
        ),
        (
            "scp-string",
            good.replace("[\"read:messages\"]", "\"read:messages admin\""),
        ),
        ("permissions", good.replace("\"scp\":", "\"permissions\":")),
        (
            "duplicate-claim",
            good.replace("{\"iss\"", "{\"iss\":\"x\",\"iss\""),
        ),
        ("not-an-object", "[\"iss\",\"https://idp.example/\"]".into()),
        ("deep", format!("{}1{}", "[".repeat(40), "]".repeat(40))),
        (
            "escapes",
            good.replace("\"fuzz-1\"", "\"\\u0066uzz\\ud83d\\ude00\\n\""),
        ),
    ]
}

/// Header variants for `alg`, named.
fn headers(alg: Algorithm, kid: &str) -> Vec<(&'static str, String)> {
    let a = alg.name();
    vec![
        ("standard", header(alg, Some(kid))),
        ("no-kid", header(alg, None)),
        ("no-typ", format!(r#"{{"alg":"{a}","kid":"{kid}"}}"#)),
        ("typ-jwt", format!(r#"{{"alg":"{a}","typ":"JWT"}}"#)),
        ("kid-unknown", format!(r#"{{"alg":"{a}","kid":"unknown"}}"#)),
        ("kid-other-alg", format!(r#"{{"alg":"{a}","kid":"es384"}}"#)),
        ("alg-none", r#"{"alg":"none"}"#.into()),
        ("alg-NoNe", r#"{"alg":"NoNe"}"#.into()),
        ("alg-es512", r#"{"alg":"ES512"}"#.into()),
        ("crit", format!(r#"{{"alg":"{a}","crit":["exp"],"exp":1}}"#)),
        (
            "b64-false",
            format!(r#"{{"alg":"{a}","b64":false,"crit":["b64"]}}"#),
        ),
        ("b64-true", format!(r#"{{"alg":"{a}","b64":true}}"#)),
        ("enc", format!(r#"{{"alg":"{a}","enc":"A128GCM"}}"#)),
        ("cty-jwt", format!(r#"{{"alg":"{a}","cty":"JWT"}}"#)),
        (
            "jwk-embedded",
            format!(r#"{{"alg":"{a}","jwk":{{"kty":"oct","k":"AAAA"}}}}"#),
        ),
        ("duplicate-alg", format!(r#"{{"alg":"{a}","alg":"{a}"}}"#)),
        ("kid-number", format!(r#"{{"alg":"{a}","kid":1}}"#)),
    ]
}

fn verify_seeds(c: &mut Corpus) {
    let fx = fixture();
    for (name, token) in &fx.tokens {
        c.add(name, token);
    }
    let hs = signer(Algorithm::HS256);
    let good = good_claims();
    for (name, claims) in defective_claims() {
        c.add(
            &format!("hs256-{name}"),
            hs.token(header(hs.alg, Some(hs.kid)).as_bytes(), claims.as_bytes()),
        );
    }
    for s in &fx.signers {
        for (name, h) in headers(s.alg, s.kid) {
            if name != "standard" && name != "no-kid" {
                c.add(
                    &format!("{}-header-{name}", s.kid),
                    s.token(h.as_bytes(), good.as_bytes()),
                );
            }
        }
    }
    // Shape defects of one good token.
    let token = hs.token(header(hs.alg, Some(hs.kid)).as_bytes(), good.as_bytes());
    let (rest, sig) = token.rsplit_once('.').expect("three segments");
    c.add("shape-padded", format!("{token}="));
    c.add("shape-four-segments", format!("{token}.e30"));
    c.add("shape-two-segments", rest);
    c.add("shape-empty-signature", format!("{rest}."));
    c.add(
        "shape-std-alphabet",
        token.replace('-', "+").replace('_', "/"),
    );
    c.add("shape-space", format!(" {token}"));
    c.add(
        "shape-tampered",
        format!(
            "{rest}.{}{}",
            &sig[..sig.len() - 2],
            if sig.ends_with('A') { "Bg" } else { "Ag" }
        ),
    );
}

fn verify_signed_seeds(c: &mut Corpus, vectors: &Path) {
    let good = good_claims();
    let signers = [
        Algorithm::HS256,
        Algorithm::HS384,
        Algorithm::HS512,
        Algorithm::EdDSA,
    ];
    let rfc = parse(&read(&vectors.join("rfc/rfc_vectors.json")));
    let a1 = rfc
        .get("rfc7515_appendix_a")
        .and_then(|a| a.as_array())
        .and_then(|a| a.first())
        .expect("A.1");
    let a1_header = a1
        .get("protected_header_json")
        .and_then(Value::as_str)
        .expect("A.1 header");
    let a1_payload = a1
        .get("payload_utf8")
        .and_then(Value::as_str)
        .expect("A.1 payload");
    for (selector, alg) in signers.into_iter().enumerate() {
        let s = signer(alg);
        let seed = |header: Option<&str>, payload: &str| {
            let mut out = vec![selector as u8];
            if let Some(h) = header {
                out.extend_from_slice(h.as_bytes());
                out.push(0);
            }
            out.extend_from_slice(payload.as_bytes());
            out
        };
        c.add(&format!("{}-good", s.kid), seed(None, &good));
        for (name, claims) in defective_claims() {
            c.add(&format!("{}-{name}", s.kid), seed(None, &claims));
        }
        for (name, h) in headers(alg, s.kid) {
            c.add(&format!("{}-header-{name}", s.kid), seed(Some(&h), &good));
        }
        c.add(
            &format!("{}-rfc7515-a.1-payload", s.kid),
            seed(None, a1_payload),
        );
        c.add(
            &format!("{}-rfc7515-a.1-header-and-payload", s.kid),
            seed(Some(&a1_header.replace("HS256", alg.name())), a1_payload),
        );
        c.add(
            &format!("{}-prose-payload", s.kid),
            seed(None, "Example of Ed25519 signing"),
        );
    }
}

fn jwk_seeds(c: &mut Corpus, vectors: &Path) {
    let fx = fixture();
    c.add("fixture-jwks", &fx.jwks_text);
    for s in &fx.signers {
        c.add(&format!("fixture-jwk-{}", s.kid), &s.public_jwk);
        // Without alg: bound through the algorithms list.
        let no_alg = s
            .public_jwk
            .replace(&format!(",\"alg\":\"{}\"", s.alg.name()), "");
        c.add(&format!("fixture-jwk-{}-no-alg", s.kid), &no_alg);
        c.add(
            &format!("fixture-jwks-{}-no-alg", s.kid),
            format!("{{\"keys\":[{no_alg}]}}"),
        );
    }
    for (name, _, pem) in &fx.pems {
        c.add(name, pem);
    }
    for (stem, bytes) in json_files(&vectors.join("jose-cookbook/jwk")) {
        c.add(&format!("cookbook-jwk-{stem}"), &bytes);
        c.add(
            &format!("cookbook-jwks-{stem}"),
            [b"{\"keys\":[".as_slice(), &bytes, b"]}"].concat(),
        );
    }
    for dir in ["jose-cookbook/jws", "jose-cookbook/curve25519"] {
        for (stem, bytes) in json_files(&vectors.join(dir)) {
            let doc = parse(&bytes);
            if let Some(key) = doc.get("input").and_then(|i| i.get("key")) {
                c.add(&format!("cookbook-{stem}-key"), to_json(key));
            }
        }
    }
    let rfc = parse(&read(&vectors.join("rfc/rfc_vectors.json")));
    if let Some(cases) = rfc.get("rfc7515_appendix_a").and_then(Value::as_array) {
        for case in cases {
            if let (Some(id), Some(jwk)) = (case.get("id").and_then(Value::as_str), case.get("jwk"))
            {
                c.add(&format!("{id}-jwk"), to_json(jwk));
            }
        }
    }
    if let Some(keys) = rfc.get("rfc7517_appendix_a1_public_keys") {
        c.add(
            "rfc7517-a.1-jwks",
            format!("{{\"keys\":{}}}", to_json(keys)),
        );
    }
    if let Some(items) = rfc.get("rfc7638_thumbprints").and_then(Value::as_array) {
        for (i, item) in items.iter().enumerate() {
            if let Some(jwk) = item.get("jwk") {
                c.add(&format!("rfc7638-{i}-jwk"), to_json(jwk));
            }
        }
    }
}

fn options_seeds(c: &mut Corpus, vectors: &Path) {
    let texts: [(&str, &str); 24] = [
        ("verify-strict", fixtures::STRICT),
        ("verify-relaxed", fixtures::RELAXED_RFC),
        ("verify-policy", fixtures::POLICY),
        ("verify-single", fixtures::SINGLE),
        ("call-scopes", fixtures::CALL_SCOPES),
        (
            "call-now",
            r#"{"now":1700000000.5,"scopeMode":"any","requiredScopes":["a","b"]}"#,
        ),
        ("decode", r#"{"scopeClaim":"scp","maxTokenLength":4096}"#),
        ("check", r#"{"mode":"any","scopeClaim":"permissions"}"#),
        ("required-scopes", r#"["read:messages","write:messages"]"#),
        (
            "jwks-options",
            r#"{"algorithms":["RS256","ES256","EdDSA"]}"#,
        ),
        ("jwk-options", r#"{"alg":"ES384"}"#),
        ("key-options", r#"{"alg":"HS256","kid":"k1"}"#),
        ("duration-30s", "30s"),
        ("duration-5-minutes", " 5 minutes "),
        ("duration-1.5h", "1.5h"),
        ("duration-2-days", "2 days"),
        ("duration-1w", "1w"),
        ("duration-1y", "1y"),
        ("typ", "Application/AT+JWT"),
        (
            "json-numbers",
            r#"[0,-0,1e-7,1.5E+300,12345678901234567890,-9007199254740993,0.1]"#,
        ),
        (
            "json-strings",
            r#"{"a":"\ud83d\ude00\u0000\"\\\/\b\f\n\r\t","\u0061b":"é"}"#,
        ),
        ("b64url", "eyJhbGciOiJIUzI1NiJ9"),
        (
            "b64-padded",
            "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
        ),
        (
            "verify-everything",
            r#"{"issuer":["a"],"audience":"b","algorithms":["PS512"],"clockTolerance":"5m","maxTokenAge":3600,"subject":"s","typ":"jwt","requiredClaims":["jti"],"requiredScopes":["x"],"scopeMode":"all","scopeClaim":"scope","maxTokenLength":1048576,"realm":"r","now":0,"dangerouslyAllowMissingExp":false}"#,
        ),
    ];
    for (name, text) in texts {
        c.add(name, text);
    }
    // False alarms of check::token_error (fixed there): a required scope holding a minted
    // token's signature with another scope a prefix of it (found by the fuzzer), and the
    // same signature as a required claim's name (the same flaw, found by reading).
    c.add(
        "regression-nested-missing-scopes",
        r#"{"requiredScopes":["d:mseseeg2s2s","writ-||||||||||||","writ-||||||||||||||||||||||||||0000|`iJIUzM4NCIsInR5cCI6I_lbif1DNmjl6m9f-OpAmLglLA3Ul6f48GBXou_etNdYmF0K2p3dCJ9essa"]}"#,
    );
    c.add(
        "regression-required-claim-named-like-a-segment",
        r#"{"issuer":["https://idp.example/","joe"],"audience":["https://api.example","api"],"clockTolerance":"30s","requiredClaims":["_lbif1DNmjl6m9f-OpAmLglLA3Ul6f48GBXou_etNdY"]}"#,
    );
    // Headers and payloads of the vectors, as JSON texts.
    let rfc = parse(&read(&vectors.join("rfc/rfc_vectors.json")));
    if let Some(cases) = rfc.get("rfc7515_appendix_a").and_then(Value::as_array) {
        for case in cases {
            let id = case.get("id").and_then(Value::as_str).unwrap_or("rfc");
            for member in ["protected_header_json", "payload_utf8"] {
                if let Some(text) = case.get(member).and_then(Value::as_str) {
                    c.add(&format!("{id}-{member}"), text);
                }
            }
        }
    }
    for (name, token) in fixture().tokens.iter().take(3) {
        for (i, segment) in token.split('.').enumerate() {
            c.add(&format!("{name}-segment-{i}"), segment);
            if i < 2 {
                if let Some(decoded) = b64::decode(segment.as_bytes()) {
                    c.add(&format!("{name}-segment-{i}-json"), decoded);
                }
            }
        }
    }
}

/// Policy documents (the examples and the CLI's lint fixtures), each alone and
/// followed by a request.
fn policy_seeds(c: &mut Corpus, fuzz: &Path) {
    let request = b"\0{\"sub\":\"u-2\",\"roles\":[\"admin\"],\"scope\":\"admin:messages read:messages\",\"iat\":1795600700,\"exp\":1795600900}\0DELETE\0/admin/users/7\010.1.2.3\0production\01795600800";
    for dir in [
        "../examples/policy",
        "../tests/cli/fixtures/lint",
        "../tests/cli/fixtures/invalid",
    ] {
        let Ok(entries) = fs::read_dir(fuzz.join(dir)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        for path in paths
            .iter()
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
        {
            let doc = read(path);
            let name = path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            c.add(&name, &doc);
            let mut with_request = doc.clone();
            with_request.extend_from_slice(request);
            c.add(&format!("{name}-request"), with_request);
        }
    }
}

fn main() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR"));
    let vectors = fuzz.join("../tests/vectors");
    let root = std::env::args_os()
        .nth(1)
        .map_or_else(|| fuzz.join("corpus"), PathBuf::from);
    type Seeder<'a> = &'a dyn Fn(&mut Corpus);
    let targets: [(&str, Seeder); 5] = [
        ("policy", &|c| policy_seeds(c, fuzz)),
        ("verify", &verify_seeds),
        ("verify_signed", &|c| verify_signed_seeds(c, &vectors)),
        ("jwk", &|c| jwk_seeds(c, &vectors)),
        ("options", &|c| options_seeds(c, &vectors)),
    ];
    for (target, seed) in targets {
        let mut corpus = Corpus::new(&root, target);
        seed(&mut corpus);
        println!("{:>4} seeds in {}", corpus.count, corpus.dir.display());
    }
}
