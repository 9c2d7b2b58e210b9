//! Invariants, asserted on every result the targets get back. Cheap ones
//! only: each runs once per input.

use tollgate::json::{Map, Value};
use tollgate::options::normalize_typ;
use tollgate::scopes::{self, Mode};
use tollgate::{
    b64, decode, verify_jws, CallOptions, DecodeOptions, Error, Reason, Validation, Verified,
};

use crate::fixtures::{fixture, Case};

/// What holds for every error tollgate returns, whoever caused it.
pub fn error(e: &Error) {
    let code = e.code();
    assert!(code.len() > 4 && code.starts_with("ERR_"), "code {code:?}");
    let status = e.status();
    assert!(
        matches!(status, None | Some(401) | Some(403)),
        "{code}: status {status:?}"
    );
    assert_eq!(
        status == Some(403),
        code == "ERR_JWT_INSUFFICIENT_SCOPE",
        "{code}: 403 is for missing scopes only"
    );
    let message = e.to_string();
    assert!(!message.is_empty(), "{code}: empty message");
    // The WWW-Authenticate value exists exactly for HTTP answers and stays
    // inside RFC 6750's quoted-string characters whatever the message holds.
    match e.www_authenticate(Some("api")) {
        None => assert!(status.is_none(), "{code}: no WWW-Authenticate"),
        Some(www) => {
            assert!(
                status.is_some(),
                "{code}: WWW-Authenticate for a caller error"
            );
            assert!(
                www.starts_with("Bearer realm=\"api\", error=\""),
                "{code}: {www}"
            );
            assert!(
                www.bytes().all(|b| (0x20..=0x7e).contains(&b)),
                "{code}: WWW-Authenticate not printable ASCII: {www:?}"
            );
            assert_eq!(
                www.matches('"').count() % 2,
                0,
                "{code}: unbalanced quotes in {www}"
            );
        }
    }
    match e {
        Error::Expired => {
            assert_eq!(e.claim(), Some("exp"));
            assert_eq!(e.reason(), Some(Reason::CheckFailed));
        }
        Error::ClaimInvalid { claim, .. } => {
            assert!(!claim.is_empty(), "{code}: empty claim name");
            assert!(e.reason().is_some());
        }
        Error::InsufficientScope { missing } => {
            assert!(
                !missing.is_empty(),
                "insufficient scope with nothing missing"
            );
        }
        _ => {}
    }
}

/// An error from verifying or decoding `token`: always an HTTP answer
/// (never a caller error), and its message echoes no part of the token.
pub fn token_error(token: &str, e: &Error) {
    error(e);
    assert!(
        e.status().is_some(),
        "token input produced a caller error: {} ({e})",
        e.code()
    );
    // Names of required scopes, roles and claims are the caller's, not the token's: a
    // 403 lists the missing scopes or roles, a 401 names the claim that failed (a
    // registered one, or one of the caller's `requiredClaims`), whatever they look like
    // (the fuzzer once made a required scope out of the token's signature). Longest
    // first: a shorter name that is part of a longer one would otherwise cut the longer
    // one up before its turn, leaving a piece of it (the fuzzer found that too).
    let mut message = e.to_string();
    let mut names: Vec<&str> = match e {
        Error::InsufficientScope { missing } | Error::InsufficientRole { missing } => {
            missing.iter().map(String::as_str).collect()
        }
        Error::ClaimInvalid { claim, .. } => vec![claim.as_str()],
        _ => Vec::new(),
    };
    names.sort_by_key(|name| std::cmp::Reverse(name.len()));
    for name in names {
        message = message.replace(name, "");
    }
    for segment in token.split('.') {
        // Token data is base64url. Short runs of it occur in prose ("JWT",
        // "exp") by chance, and the fuzzer soon learns to send the message's
        // own words as a segment; no fixed message has a base64url run of 16.
        let base64url = segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if segment.len() >= 16 && base64url {
            assert!(
                !message.contains(segment),
                "{}: the message {message:?} contains a token segment",
                e.code()
            );
        }
    }
}

/// An error from a caller-side parser (options, keys): never an HTTP answer.
pub fn caller_error(e: &Error, expected_code: &str) {
    error(e);
    assert_eq!(e.code(), expected_code, "{e}");
    assert_eq!(e.status(), None);
}

/// The segments of a token that verified: exactly three, the first two the
/// JSON texts returned.
fn segments(token: &str, v: &Verified) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "an accepted token has three segments");
    let header = b64::decode(parts[0].as_bytes()).expect("accepted header is base64url");
    let payload = b64::decode(parts[1].as_bytes()).expect("accepted payload is base64url");
    assert!(b64::decode(parts[2].as_bytes()).is_some());
    assert_eq!(
        header,
        v.header_json.as_bytes(),
        "header_json is the signed header"
    );
    assert_eq!(
        payload,
        v.claims_json.as_bytes(),
        "claims_json is the signed payload"
    );
    assert_eq!(
        tollgate::json::parse_object(&header).ok().as_ref(),
        Some(&v.header)
    );
    assert_eq!(
        tollgate::json::parse_object(&payload).ok().as_ref(),
        Some(&v.claims)
    );
}

fn number(claims: &Map, name: &str) -> Result<Option<f64>, String> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) if n.is_finite() && *n >= 0.0 => Ok(Some(*n)),
        Some(other) => Err(format!("accepted {name} = {other:?}")),
    }
}

fn string<'a>(claims: &'a Map, name: &str) -> Result<Option<&'a str>, String> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(format!("accepted {name} = {other:?}")),
    }
}

/// The policy, restated: what an accepted token must satisfy under `v`.
/// Written from the README's contract, independently of `claims.rs`.
pub fn policy(v: &Validation, header: &Map, claims: &Map, now: i64) -> Result<(), String> {
    let alg = header.get("alg").and_then(Value::as_str).ok_or("no alg")?;
    let alg = tollgate::Algorithm::from_name(alg).ok_or(format!("accepted alg {alg:?}"))?;
    if let Some(list) = &v.algorithms {
        if !list.contains(&alg) {
            return Err(format!("{alg:?} is not in the allow-list"));
        }
    }
    if ["crit", "enc"].iter().any(|h| header.contains_key(h)) {
        return Err("accepted a crit or enc header".into());
    }
    if header.get("b64").is_some_and(|b| b != &Value::Bool(true)) {
        return Err("accepted b64 other than true".into());
    }
    let iss = string(claims, "iss")?;
    let sub = string(claims, "sub")?;
    string(claims, "jti")?;
    if let Some(issuers) = &v.issuers {
        if !iss.is_some_and(|i| issuers.iter().any(|w| w == i)) {
            return Err(format!("iss {iss:?} not in {issuers:?}"));
        }
    }
    if let Some(audiences) = &v.audiences {
        let ok = match claims.get("aud") {
            Some(Value::String(a)) => audiences.contains(a),
            Some(Value::Array(items)) => {
                if items.iter().any(|i| i.as_str().is_none()) {
                    return Err("accepted a non-string aud member".into());
                }
                items
                    .iter()
                    .any(|i| i.as_str().is_some_and(|a| audiences.iter().any(|w| w == a)))
            }
            _ => false,
        };
        if !ok {
            return Err(format!("aud {:?} not in {audiences:?}", claims.get("aud")));
        }
    }
    if let Some(subject) = &v.subject {
        if sub != Some(subject.as_str()) {
            return Err(format!("sub {sub:?} is not {subject:?}"));
        }
    }
    if let Some(typ) = &v.typ {
        let got = header.get("typ").and_then(Value::as_str).map(normalize_typ);
        if got.as_ref() != Some(typ) {
            return Err(format!("typ {got:?} is not {typ:?}"));
        }
    }
    let now = now as f64;
    let tolerance = v.clock_tolerance;
    match number(claims, "exp")? {
        None if !v.allow_missing_exp => return Err("accepted without exp".into()),
        Some(exp) if exp <= now - tolerance => return Err(format!("accepted expired {exp}")),
        _ => {}
    }
    if let Some(nbf) = number(claims, "nbf")? {
        if nbf > now + tolerance {
            return Err(format!("accepted before nbf {nbf}"));
        }
    }
    let iat = number(claims, "iat")?;
    if iat.is_some_and(|iat| iat > now + tolerance) {
        return Err("accepted iat in the future".into());
    }
    if let Some(max_age) = v.max_token_age {
        match iat {
            None => return Err("accepted without iat under maxTokenAge".into()),
            Some(iat) if now - iat - tolerance > max_age => {
                return Err("accepted older than maxTokenAge".into())
            }
            _ => {}
        }
    }
    if let Some(c) = v.required_claims.iter().find(|c| !claims.contains_key(c)) {
        return Err(format!("accepted without required claim {c}"));
    }
    Ok(())
}

/// Everything that must hold when `case` accepted `token`.
pub fn verified(token: &str, case: &Case, call: &CallOptions, v: &Verified) {
    let validation = case.verifier.validation();
    assert!(token.len() <= validation.max_token_length);
    segments(token, v);
    let now = call.now.or(validation.now).unwrap_or(case.clock);
    if let Err(why) = policy(validation, &v.header, &v.claims, now) {
        panic!("{}: {why}", case.name);
    }
    let granted = scopes::granted(&v.claims, &validation.scope_source);
    assert_eq!(granted.as_ref(), Ok(&v.scopes), "{}: scopes", case.name);
    let (required, mode) = call.scopes(&validation.scopes);
    let check = scopes::check(&v.scopes, required, mode);
    assert!(
        check.ok,
        "{}: accepted without the required scopes",
        case.name
    );
    // The unverified reading of the same token sees the same thing.
    let options = DecodeOptions {
        scope_source: validation.scope_source.clone(),
        max_token_length: validation.max_token_length,
    };
    match decode(token, &options) {
        Ok(d) => assert_eq!(&d, v, "{}: decode disagrees with verify", case.name),
        Err(e) => panic!("{}: verified but decode fails: {e}", case.name),
    }
}

/// Verifies `token` with every verifier of the fixture (and, when accepted,
/// again with per-call scopes), and decodes it; checks every outcome.
/// Returns each verifier's outcome (`Ok` or the error code), in the order of
/// `fixture().cases`.
pub fn verify_everywhere(token: &str) -> Vec<Result<(), &'static str>> {
    let fx = fixture();
    let plain = CallOptions::default();
    let mut outcomes = Vec::with_capacity(fx.cases.len());
    for case in &fx.cases {
        let outcome = match case.verifier.verify(token, &plain, case.clock) {
            Ok(v) => {
                verified(token, case, &plain, &v);
                scoped_call(token, case, &v);
                Ok(())
            }
            Err(e) => {
                token_error(token, &e);
                Err(e.code())
            }
        };
        if case.name.starts_with("jwks/") {
            jws_layer(token, case, outcome);
        }
        outcomes.push(outcome);
    }
    for options in &fx.decode {
        decoded(token, options);
    }
    outcomes
}

/// The pipeline in two halves: `verify_jws` runs the same steps as `verify`
/// up to the signature. Where it fails, `verify` fails the same way; where it
/// passes, `verify` can only fail on the claims.
fn jws_layer(token: &str, case: &Case, full: Result<(), &'static str>) {
    let v = case.verifier.validation();
    let jws = verify_jws(
        token,
        &case.keys,
        v.algorithms.as_deref(),
        v.max_token_length,
    );
    match jws {
        Ok(j) => {
            let parts: Vec<&str> = token.split('.').collect();
            assert_eq!(parts.len(), 3);
            let header = b64::decode(parts[0].as_bytes()).expect("verified header");
            assert_eq!(
                tollgate::json::parse_object(&header).ok().as_ref(),
                Some(&j.header)
            );
            assert_eq!(b64::decode(parts[1].as_bytes()), Some(j.payload));
            assert!(
                matches!(
                    full,
                    Ok(())
                        | Err("ERR_JWT_INVALID"
                            | "ERR_JWT_EXPIRED"
                            | "ERR_JWT_CLAIM_VALIDATION_FAILED"
                            | "ERR_JWT_SENDER_CONSTRAINED"
                            | "ERR_JWT_INSUFFICIENT_SCOPE")
                ),
                "{}: the JWS verified, then verify failed with {full:?}",
                case.name
            );
        }
        Err(e) => {
            token_error(token, &e);
            assert_eq!(
                full,
                Err(e.code()),
                "{}: verify_jws and verify disagree",
                case.name
            );
        }
    }
}

/// A second call with required scopes: accepted exactly when the scopes of
/// the first answer cover them, else a 403 naming the missing ones.
fn scoped_call(token: &str, case: &Case, first: &Verified) {
    let call = &fixture().call_scopes;
    assert!(call.required_scopes.is_some(), "call options with scopes");
    let (required, mode) = call.scopes(&case.verifier.validation().scopes);
    let check = scopes::check(&first.scopes, required, mode);
    match case.verifier.verify(token, call, case.clock) {
        Ok(v) => {
            assert!(check.ok, "{}: per-call scopes ignored", case.name);
            assert_eq!(&v, first);
        }
        Err(Error::InsufficientScope { missing }) => {
            assert!(
                !check.ok,
                "{}: 403 though the scopes are granted",
                case.name
            );
            assert_eq!(missing, check.missing);
            if mode == Mode::Any {
                assert_eq!(missing.len(), required.len());
            }
        }
        Err(e) => panic!(
            "{}: accepted, then {} with per-call scopes",
            case.name,
            e.code()
        ),
    }
}

/// `decode`: a shape check only, so only shape errors.
pub fn decoded(token: &str, options: &DecodeOptions) {
    match decode(token, options) {
        Ok(d) => {
            assert!(token.len() <= options.max_token_length);
            segments(token, &d);
            let granted = scopes::granted(&d.claims, &options.scope_source);
            assert_eq!(granted.as_ref(), Ok(&d.scopes));
        }
        Err(e) => {
            token_error(token, &e);
            assert!(
                matches!(e.code(), "ERR_JWS_INVALID" | "ERR_JWT_INVALID"),
                "decode returned {}",
                e.code()
            );
        }
    }
}
