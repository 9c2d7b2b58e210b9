//! Every parser of caller input besides keys and tokens: the input as text to
//! each option parser of `tollgate::options` (verify, call, decode,
//! checkScopes, required scopes, JWKS/JWK/key import options, durations), as
//! JSON to `tollgate::json::parse`, and as base64url / padded base64 to
//! `tollgate::b64`.
//!
//! Checks: option errors are `ERR_INVALID_ARG`, never an HTTP answer; what
//! parses is in range, and a verifier built from it verifies the fixture's
//! tokens with results that satisfy those options; JSON that parses writes
//! back to text that parses to the same value, and serde_json reads the same
//! value from the input; base64 that decodes re-encodes to the input.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use tollgate::json::{self, Value};
use tollgate::options::{self, MAX_TOKEN_LENGTH_LIMIT};
use tollgate::scopes::{self, is_scope_token, Source};
use tollgate::{b64, CallOptions, Verifier};
use tollgate_fuzz::{check, fixture, json_text, Case, NOW};

fn invalid_arg(e: &tollgate::Error) {
    check::caller_error(e, "ERR_INVALID_ARG");
}

fn source_ok(source: &Source) {
    if let Source::Claim(name) = source {
        assert!(!name.is_empty());
    }
}

fn verify_options(text: &str) {
    let v = match options::verify_options(text) {
        Ok(v) => v,
        Err(e) => return invalid_arg(&e),
    };
    for list in [&v.issuers, &v.audiences].into_iter().flatten() {
        assert!(!list.is_empty() && list.iter().all(|s| !s.is_empty()));
    }
    assert!(v.algorithms.as_ref().is_none_or(|a| !a.is_empty()));
    assert!(v.clock_tolerance.is_finite() && v.clock_tolerance >= 0.0);
    assert!(v.max_token_age.is_none_or(|a| a.is_finite() && a > 0.0));
    assert!((1..=MAX_TOKEN_LENGTH_LIMIT).contains(&v.max_token_length));
    assert!(v.now.is_none_or(|n| n >= 0));
    assert!(v.required_claims.iter().all(|c| !c.is_empty()));
    assert!(v.scopes.required.iter().all(|s| is_scope_token(s)));
    assert!(v.realm.as_ref().is_none_or(|r| !r.is_empty()
        && r.bytes()
            .all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\')));
    source_ok(&v.scope_source);
    // Options as compiled act as stated on real tokens (the JWKS holds a key
    // for every algorithm, so any allow-list has a key).
    let case = Case {
        name: "fuzzed options",
        verifier: Verifier::new(Arc::clone(&fixture().jwks), v).expect("every alg has a key"),
        keys: Arc::clone(&fixture().jwks),
        clock: NOW,
    };
    if let Some(realm) = &case.verifier.validation().realm {
        let www = tollgate::Error::Expired.www_authenticate(Some(realm));
        assert!(www.is_some_and(|w| w.starts_with(&format!("Bearer realm=\"{realm}\", "))));
    }
    let plain = CallOptions::default();
    for (_, token) in fixture()
        .tokens
        .iter()
        .filter(|(n, _)| n.starts_with("minted-"))
    {
        match case.verifier.verify(token, &plain, case.clock) {
            Ok(got) => check::verified(token, &case, &plain, &got),
            Err(e) => check::token_error(token, &e),
        }
    }
}

fn call_options(text: &str) {
    let call = match options::call_options(text) {
        Ok(c) => c,
        Err(e) => return invalid_arg(&e),
    };
    assert!(call.now.is_none_or(|n| n >= 0));
    if let Some(s) = &call.required_scopes {
        assert!(s.iter().all(|s| is_scope_token(s)));
    }
    // Per-call scopes and clock on the strict verifier.
    let case = &fixture().cases[0];
    for (_, token) in fixture()
        .tokens
        .iter()
        .filter(|(n, _)| n.starts_with("minted-hs"))
    {
        match case.verifier.verify(token, &call, case.clock) {
            Ok(got) => check::verified(token, case, &call, &got),
            Err(e) => check::token_error(token, &e),
        }
    }
}

fn small_parsers(text: &str) {
    match options::decode_options(text) {
        Ok(d) => {
            assert!((1..=MAX_TOKEN_LENGTH_LIMIT).contains(&d.max_token_length));
            source_ok(&d.scope_source);
            if let Some((_, token)) = fixture().tokens.last() {
                check::decoded(token, &d);
            }
        }
        Err(e) => invalid_arg(&e),
    }
    match options::check_options(text) {
        Ok(c) => source_ok(&c.scope_source),
        Err(e) => invalid_arg(&e),
    }
    match options::required_scopes(text) {
        Ok(list) => {
            assert!(list.iter().all(|s| is_scope_token(s)));
            let check = scopes::check(&list, &list, scopes::Mode::All);
            assert!(check.ok && check.missing.is_empty());
        }
        Err(e) => invalid_arg(&e),
    }
    if let Err(e) = options::jwks_options(text) {
        invalid_arg(&e);
    }
    if let Err(e) = options::jwk_options(text) {
        invalid_arg(&e);
    }
    if let Err(e) = options::key_options(text) {
        invalid_arg(&e);
    }
    if let Some(seconds) = options::parse_duration(text) {
        assert!(seconds.is_finite() && seconds >= 0.0, "{seconds}");
    }
    let typ = options::normalize_typ(text);
    assert_eq!(
        options::normalize_typ(&typ),
        typ.strip_prefix("application/").unwrap_or(&typ)
    );
}

fn json(data: &[u8]) {
    let Ok(value) = json::parse(data) else {
        return;
    };
    // Round trip through our own writer (numbers within a few ULPs: see
    // json_text).
    let text = json_text::to_json(&value);
    match json::parse(text.as_bytes()) {
        Ok(again) => assert!(
            json_text::same(&again, &value),
            "{value:?} -> {text} -> {again:?}"
        ),
        Err(e) => panic!("{value:?} written as {text} does not parse: {e:?}"),
    }
    // serde_json reads the same text the same way. tollgate may refuse more
    // (duplicates, depth, numbers at the edge of the f64 range), never less.
    match serde_json::from_slice::<serde_json::Value>(data) {
        Ok(theirs) => assert!(
            json_text::same_as_serde(&value, &theirs),
            "tollgate {value:?} vs serde_json {theirs:?}"
        ),
        Err(e) if e.to_string().starts_with("number out of range") => {}
        Err(e) => panic!("tollgate accepted JSON serde_json refuses: {e}"),
    }
    // A plain integer (the form of exp, nbf, iat) reads exactly.
    let digits = data.strip_prefix(b"-").unwrap_or(data);
    if (1..=16).contains(&digits.len())
        && digits.iter().all(u8::is_ascii_digit)
        && (digits[0] != b'0' || digits.len() == 1)
    {
        let n: i64 = std::str::from_utf8(data)
            .ok()
            .and_then(|t| t.parse().ok())
            .expect("integer");
        assert_eq!(value, Value::Number(n as f64), "integer read inexactly");
    }
    if let Value::Object(claims) = &value {
        for source in [Source::Default, Source::Claim("scope".into())] {
            if let Ok(granted) = scopes::granted(claims, &source) {
                let mut seen = granted.clone();
                seen.sort();
                seen.dedup();
                assert_eq!(seen.len(), granted.len(), "duplicate granted scopes");
            }
        }
    }
}

/// Standard base64 with padding, for the PEM decoder's round trip.
fn padded_standard(bytes: &[u8]) -> String {
    let mut s: String = b64::encode(bytes)
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    while !s.len().is_multiple_of(4) {
        s.push('=');
    }
    s
}

fn base64(data: &[u8]) {
    if let Some(bytes) = b64::decode(data) {
        assert_eq!(
            b64::encode(&bytes).as_bytes(),
            data,
            "two encodings of one value"
        );
    }
    if let Some(bytes) = b64::decode_padded_standard(data) {
        assert_eq!(padded_standard(&bytes).as_bytes(), data);
    }
    assert_eq!(
        b64::decode(b64::encode(data).as_bytes()).as_deref(),
        Some(data)
    );
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    verify_options(&text);
    call_options(&text);
    small_parsers(&text);
    json(data);
    base64(data);
});
