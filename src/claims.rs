//! Registered claim checks (RFC 7519 §4.1) on a payload whose signature has
//! already verified. Every registered claim that is present must have its
//! registered type, whether or not a check uses it: a malformed `nbf` is an
//! error, never "absent" (an attacker must not turn off a check by sending
//! `"nbf":"later"`).

use crate::json::{Map, Value};

use crate::error::{Binding, Error, Reason};
use crate::options::{normalize_typ, Validation};

/// Largest NumericDate accepted: 2^53 − 1, the last integer a JS number and an
/// f64 hold exactly.
const MAX_NUMERIC_DATE: f64 = 9_007_199_254_740_991.0;

/// The registered time claims of a payload, type-checked.
#[derive(Debug, Default, PartialEq)]
struct Times {
    exp: Option<f64>,
    nbf: Option<f64>,
    iat: Option<f64>,
}

fn numeric_date(claims: &Map, name: &'static str) -> Result<Option<f64>, Error> {
    let Some(value) = claims.get(name) else {
        return Ok(None);
    };
    let invalid = |message| Error::JwtInvalid {
        claim: Some(name),
        message,
    };
    let Value::Number(n) = value else {
        return Err(invalid("time claim (exp, nbf, iat) must be a JSON number"));
    };
    // RFC 7519 §2: a NumericDate may be non-integer. Negative or unsafe
    // integers are refused: no issuer mints them and JS cannot represent the
    // latter exactly.
    match *n {
        t if t.is_finite() && (0.0..=MAX_NUMERIC_DATE).contains(&t) => Ok(Some(t)),
        _ => Err(invalid("time claim (exp, nbf, iat) is out of range")),
    }
}

fn string_claim<'a>(claims: &'a Map, name: &'static str) -> Result<Option<&'a str>, Error> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Error::JwtInvalid {
            claim: Some(name),
            message: "claim must be a string",
        }),
    }
}

/// The `aud` claim: a string or an array of strings (RFC 7519 §4.1.3).
fn audiences(claims: &Map) -> Result<Option<Vec<&str>>, Error> {
    let invalid = Error::JwtInvalid {
        claim: Some("aud"),
        message: "aud must be a string or an array of strings",
    };
    match claims.get("aud") {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(vec![s.as_str()])),
        Some(Value::Array(items)) => {
            // A loop: `collect::<Result<Vec<_>, _>>()` costs more wasm.
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match item.as_str() {
                    Some(s) => out.push(s),
                    None => return Err(invalid),
                }
            }
            Ok(Some(out))
        }
        Some(_) => Err(invalid),
    }
}

/// What a sender-constrained token is bound to (RFC 7800 `cnf`): the
/// thumbprints tollgate can check; neither means another method.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Confirmation<'a> {
    /// `cnf.jkt`: the DPoP key's RFC 7638 thumbprint (RFC 9449 §6.1).
    pub jkt: Option<&'a str>,
    /// `cnf.x5t#S256`: the client certificate's SHA-256 thumbprint (RFC 8705 §3.1).
    pub x5t: Option<&'a str>,
}

impl Confirmation<'_> {
    /// The proof the token needs first: DPoP, then mTLS, else another method.
    pub fn binding(&self) -> Binding {
        match (self.jkt, self.x5t) {
            (Some(_), _) => Binding::Dpop,
            (None, Some(_)) => Binding::Mtls,
            (None, None) => Binding::Other,
        }
    }
}

/// What a request proved possession of besides its token: a DPoP proof's
/// key thumbprint (a proof that passed every check), a TLS client
/// certificate's thumbprint. Both base64url SHA-256, as `cnf` holds them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Presented<'a> {
    /// The RFC 7638 thumbprint of the key of a verified DPoP proof.
    pub jkt: Option<&'a str>,
    /// The SHA-256 thumbprint of the TLS client certificate.
    pub x5t: Option<&'a str>,
}

/// The confirmation method of a sender-constrained token (RFC 7800 §3.1):
/// `cnf` must be a non-empty object; the thumbprints DPoP (RFC 9449 §6.1) and
/// mTLS (RFC 8705 §3.1) bind with must be strings.
fn binding(claims: &Map) -> Result<Option<Confirmation<'_>>, Error> {
    let invalid = |message| Error::JwtInvalid {
        claim: Some("cnf"),
        message,
    };
    let cnf = match claims.get("cnf") {
        None => return Ok(None),
        Some(Value::Object(cnf)) if !cnf.is_empty() => cnf,
        Some(_) => {
            return Err(invalid(
                "cnf must be an object naming a confirmation method",
            ))
        }
    };
    let thumbprint = |name| match cnf.get(name) {
        None => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.as_str())),
        Some(_) => Err(invalid(
            "cnf thumbprints (jkt, x5t#S256) must be non-empty strings",
        )),
    };
    // Any other method binds the token as well: one this verifier cannot
    // check is refused rather than read as no binding at all.
    Ok(Some(Confirmation {
        jkt: thumbprint("jkt")?,
        x5t: thumbprint("x5t#S256")?,
    }))
}

/// Whether a request that presented `presented` may use a token bound by
/// `bound` (`None`: not bound). A bound token presented without its proof is
/// refused (RFC 9449 §7.2, RFC 8705 §3): whoever holds a copy of it must not
/// be able to use it. A DPoP proof with a token bound to no key is refused
/// too: the DPoP scheme claims a binding (RFC 9449 §7.1) that is not there.
pub fn check_binding(
    bound: Option<Confirmation<'_>>,
    v: &Validation,
    presented: &Presented<'_>,
) -> Result<(), Error> {
    let Some(bound) = bound else {
        return match presented.jkt {
            Some(_) => Err(failed("cnf", Reason::Missing)),
            None => Ok(()),
        };
    };
    if v.ignore_binding {
        return Ok(());
    }
    if bound.jkt.is_none() && bound.x5t.is_none() {
        return Err(Error::SenderConstrained(Binding::Other));
    }
    if let Some(jkt) = bound.jkt {
        match presented.jkt {
            None => return Err(Error::SenderConstrained(Binding::Dpop)),
            Some(key) if key != jkt => {
                return Err(Error::DpopProofInvalid(
                    "the DPoP proof's key is not the key the token is bound to (cnf.jkt)",
                ))
            }
            Some(_) => {}
        }
    }
    if let Some(x5t) = bound.x5t {
        match presented.x5t {
            None => return Err(Error::SenderConstrained(Binding::Mtls)),
            Some(cert) if cert != x5t => return Err(Error::MtlsCertMismatch),
            Some(_) => {}
        }
    }
    Ok(())
}

fn failed(claim: &str, reason: Reason) -> Error {
    Error::ClaimInvalid {
        claim: claim.to_owned(),
        reason,
    }
}

/// Validates the claims (and the header `typ`) against `v` at time `now`
/// (seconds since the epoch), for a request that proved nothing besides the
/// token: a bound token is refused.
pub fn validate(
    claims: &Map,
    header_typ: Option<&str>,
    v: &Validation,
    now: i64,
) -> Result<(), Error> {
    let bound = validate_unbound(claims, header_typ, v, now)?;
    check_binding(bound, v, &Presented::default())
}

/// [`validate`] but for the binding, which is returned for [`check_binding`]
/// once the request's proofs are known.
pub fn validate_unbound<'c>(
    claims: &'c Map,
    header_typ: Option<&str>,
    v: &Validation,
    now: i64,
) -> Result<Option<Confirmation<'c>>, Error> {
    // Types first, for every registered claim present.
    let times = Times {
        exp: numeric_date(claims, "exp")?,
        nbf: numeric_date(claims, "nbf")?,
        iat: numeric_date(claims, "iat")?,
    };
    let iss = string_claim(claims, "iss")?;
    let sub = string_claim(claims, "sub")?;
    string_claim(claims, "jti")?;
    let aud = audiences(claims)?;
    let bound = binding(claims)?;

    if let Some(wanted) = &v.typ {
        match header_typ {
            None => return Err(failed("typ", Reason::Missing)),
            Some(t) if normalize_typ(t) != *wanted => {
                return Err(failed("typ", Reason::CheckFailed))
            }
            Some(_) => {}
        }
    }
    if let Some(issuers) = &v.issuers {
        // Exact comparison: "https://idp/" is not "https://idp" (RFC 7519 §4.1.1
        // StringOrURI values are compared as case-sensitive strings).
        match iss {
            None => return Err(failed("iss", Reason::Missing)),
            Some(iss) if !issuers.iter().any(|i| i == iss) => {
                return Err(failed("iss", Reason::CheckFailed))
            }
            Some(_) => {}
        }
    }
    if let Some(audiences) = &v.audiences {
        match aud {
            None => return Err(failed("aud", Reason::Missing)),
            Some(aud) if !aud.iter().any(|a| audiences.iter().any(|w| w == a)) => {
                return Err(failed("aud", Reason::CheckFailed))
            }
            Some(_) => {}
        }
    }
    if let Some(subject) = &v.subject {
        match sub {
            None => return Err(failed("sub", Reason::Missing)),
            Some(sub) if sub != subject => return Err(failed("sub", Reason::CheckFailed)),
            Some(_) => {}
        }
    }

    let now = now as f64;
    let tolerance = v.clock_tolerance;
    match times.exp {
        None if !v.allow_missing_exp => return Err(failed("exp", Reason::Missing)),
        // RFC 7519 §4.1.4: the current time MUST be before exp.
        Some(exp) if exp <= now - tolerance => return Err(Error::Expired),
        _ => {}
    }
    if times.nbf.is_some_and(|nbf| nbf > now + tolerance) {
        return Err(failed("nbf", Reason::CheckFailed));
    }
    // A token issued in the future was minted by a broken or hostile clock.
    if times.iat.is_some_and(|iat| iat > now + tolerance) {
        return Err(failed("iat", Reason::CheckFailed));
    }
    if let Some(max_age) = v.max_token_age {
        match times.iat {
            None => return Err(failed("iat", Reason::Missing)),
            Some(iat) if now - iat - tolerance > max_age => {
                return Err(failed("iat", Reason::CheckFailed))
            }
            Some(_) => {}
        }
    }
    if let Some(name) = v
        .required_claims
        .iter()
        .find(|c| !claims.contains_key(c.as_str()))
    {
        return Err(failed(name, Reason::Missing));
    }
    Ok(bound)
}

/// The whole seconds at which [`validate`] accepts these claims as far as
/// time goes, as `[from, until)`: `now` passes the exp, nbf, iat and
/// max-age checks exactly when `from <= now < until` (for integer `now`,
/// which is what the clock gives). Infinite ends mean no bound. Claims that
/// fail [`validate`] for another reason have no meaningful window: ask only
/// for claims that verified. Lets a cache of verified tokens re-check time
/// on every hit without parsing the token again.
pub fn window(claims: &Map, v: &Validation) -> (f64, f64) {
    let tolerance = v.clock_tolerance;
    let time = |name| numeric_date(claims, name).ok().flatten();
    let mut from = f64::NEG_INFINITY;
    let mut until = f64::INFINITY;
    // Accepted iff now < exp + tolerance, i.e. now < ceil(exp + tolerance).
    if let Some(exp) = time("exp") {
        until = (exp + tolerance).ceil();
    }
    // Accepted iff now >= t - tolerance for nbf and iat.
    for t in [time("nbf"), time("iat")].into_iter().flatten() {
        from = from.max((t - tolerance).ceil());
    }
    // Accepted iff now <= iat + tolerance + max_age; never without iat.
    if let Some(max_age) = v.max_token_age {
        until = match time("iat") {
            Some(iat) => until.min((iat + tolerance + max_age).floor() + 1.0),
            None => f64::NEG_INFINITY,
        };
    }
    (from, until)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(json: &str) -> Map {
        crate::json::parse_object(json.as_bytes()).unwrap()
    }

    fn check(
        json: &str,
        v: &Validation,
        now: i64,
    ) -> (&'static str, Option<String>, Option<&'static str>) {
        match validate(&claims(json), None, v, now) {
            Ok(()) => ("ok", None, None),
            Err(e) => (
                e.code(),
                e.claim().map(str::to_owned),
                e.reason().map(|r| r.as_str()),
            ),
        }
    }

    const NOW: i64 = 1_700_000_000;

    #[test]
    fn bound_tokens_are_not_bearer_tokens() {
        let v = Validation::default();
        let bound = |cnf: &str| {
            let json = format!(r#"{{"exp":1700000100,"cnf":{cnf}}}"#);
            validate(&claims(&json), None, &v, NOW)
        };
        assert_eq!(
            bound(r#"{"jkt":"0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}"#),
            Err(Error::SenderConstrained(Binding::Dpop))
        );
        assert_eq!(
            bound(r#"{"x5t#S256":"bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}"#),
            Err(Error::SenderConstrained(Binding::Mtls))
        );
        // Both thumbprints: DPoP is named (the proof it needs is the first asked for).
        assert_eq!(
            bound(r#"{"x5t#S256":"a","jkt":"b"}"#),
            Err(Error::SenderConstrained(Binding::Dpop))
        );
        // A method this verifier cannot check still binds the token.
        assert_eq!(
            bound(r#"{"jwk":{"kty":"OKP","crv":"Ed25519","x":"AA"}}"#),
            Err(Error::SenderConstrained(Binding::Other))
        );
        let e = bound(r#"{"jkt":"b"}"#).unwrap_err();
        assert_eq!(
            (e.code(), e.status(), e.claim()),
            ("ERR_JWT_SENDER_CONSTRAINED", Some(401), Some("cnf"))
        );
        assert_eq!(e.oauth_error(), Some("invalid_token"));
        // Malformed confirmations are invalid tokens, never "not bound".
        for cnf in [
            "{}",
            "\"jkt\"",
            "[]",
            "null",
            r#"{"jkt":7}"#,
            r#"{"jkt":""}"#,
            r#"{"x5t#S256":{}}"#,
        ] {
            let e = bound(cnf).unwrap_err();
            assert_eq!(
                (e.code(), e.claim()),
                ("ERR_JWT_INVALID", Some("cnf")),
                "{cnf}"
            );
        }
        // Told that something else checks the binding, the verifier accepts it.
        let waived = Validation {
            ignore_binding: true,
            ..Validation::default()
        };
        let json = r#"{"exp":1700000100,"cnf":{"jkt":"b"}}"#;
        assert_eq!(validate(&claims(json), None, &waived, NOW), Ok(()));
        // ...but still refuses a malformed one.
        let json = r#"{"exp":1700000100,"cnf":{"jkt":1}}"#;
        assert!(validate(&claims(json), None, &waived, NOW).is_err());
        // The binding is checked after the claims that prove identity: an
        // expired bound token is expired.
        let json = r#"{"exp":1600000000,"cnf":{"jkt":"b"}}"#;
        assert_eq!(validate(&claims(json), None, &v, NOW), Err(Error::Expired));
    }

    #[test]
    fn exp_is_required_and_checked_with_tolerance() {
        let v = Validation::default();
        assert_eq!(
            check("{}", &v, NOW),
            (
                "ERR_JWT_CLAIM_VALIDATION_FAILED",
                Some("exp".into()),
                Some("missing")
            )
        );
        let lenient = Validation {
            allow_missing_exp: true,
            ..Validation::default()
        };
        assert_eq!(check("{}", &lenient, NOW).0, "ok");
        assert_eq!(check(r#"{"exp":1700000001}"#, &v, NOW).0, "ok");
        assert_eq!(
            check(r#"{"exp":1700000000}"#, &v, NOW),
            ("ERR_JWT_EXPIRED", Some("exp".into()), Some("check_failed"))
        );
        let tolerant = Validation {
            clock_tolerance: 30.0,
            ..Validation::default()
        };
        assert_eq!(check(r#"{"exp":1699999971}"#, &tolerant, NOW).0, "ok");
        assert_eq!(
            check(r#"{"exp":1699999970}"#, &tolerant, NOW).0,
            "ERR_JWT_EXPIRED"
        );
        assert_eq!(check(r#"{"exp":1700000000.5}"#, &v, NOW).0, "ok");
    }

    #[test]
    fn malformed_time_claims_are_never_absent() {
        let lenient = Validation {
            allow_missing_exp: true,
            ..Validation::default()
        };
        for claim in ["exp", "nbf", "iat"] {
            for bad in [
                "\"1700000000\"",
                "null",
                "-1",
                "9007199254740992",
                "1e300",
                "true",
                "[1]",
                "{}",
            ] {
                let got = check(&format!(r#"{{"{claim}":{bad}}}"#), &lenient, NOW);
                assert_eq!(
                    got,
                    ("ERR_JWT_INVALID", Some(claim.into()), Some("invalid")),
                    "{claim}: {bad}"
                );
            }
        }
    }

    #[test]
    fn nbf_iat_and_max_age() {
        let v = Validation {
            allow_missing_exp: true,
            ..Validation::default()
        };
        assert_eq!(check(r#"{"nbf":1700000000}"#, &v, NOW).0, "ok");
        assert_eq!(
            check(r#"{"nbf":1700000001}"#, &v, NOW),
            (
                "ERR_JWT_CLAIM_VALIDATION_FAILED",
                Some("nbf".into()),
                Some("check_failed")
            )
        );
        assert_eq!(
            check(r#"{"iat":1700000001}"#, &v, NOW).1,
            Some("iat".into())
        );
        let aged = Validation {
            max_token_age: Some(60.0),
            ..v.clone()
        };
        assert_eq!(
            check("{}", &aged, NOW),
            (
                "ERR_JWT_CLAIM_VALIDATION_FAILED",
                Some("iat".into()),
                Some("missing")
            )
        );
        assert_eq!(check(r#"{"iat":1699999940}"#, &aged, NOW).0, "ok");
        assert_eq!(
            check(r#"{"iat":1699999939}"#, &aged, NOW).2,
            Some("check_failed")
        );
    }

    #[test]
    fn window_agrees_with_validate_at_every_second() {
        // Integer and fractional times, with and without tolerance and max age:
        // `window` must say yes exactly when `validate` does.
        let times = [
            1_700_000_000.0,
            1_700_000_000.5,
            1_699_999_999.25,
            1_700_000_007.75,
        ];
        for tolerance in [0.0, 5.0, 2.5] {
            for max_age in [None, Some(30.0), Some(4.5)] {
                let v = Validation {
                    clock_tolerance: tolerance,
                    max_token_age: max_age,
                    allow_missing_exp: true,
                    ..Validation::default()
                };
                for exp in times.iter().map(|t| Some(t + 20.0)).chain([None]) {
                    for nbf in times.iter().map(|t| Some(*t)).chain([None]) {
                        for iat in times.iter().map(|t| Some(t - 3.0)).chain([None]) {
                            let mut members = Vec::new();
                            for (name, t) in [("exp", exp), ("nbf", nbf), ("iat", iat)] {
                                if let Some(t) = t {
                                    members.push(format!("\"{name}\":{t}"));
                                }
                            }
                            let json = format!("{{{}}}", members.join(","));
                            let c = claims(&json);
                            let (from, until) = window(&c, &v);
                            for now in 1_699_999_950..1_700_000_050 {
                                let ok = validate(&c, None, &v, now).is_ok();
                                let inside = from <= now as f64 && (now as f64) < until;
                                assert_eq!(
                                    ok, inside,
                                    "{json} tolerance {tolerance} max age {max_age:?} at {now}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn issuer_audience_subject() {
        let v = Validation {
            issuers: Some(vec!["https://idp/".into(), "https://other".into()]),
            audiences: Some(vec!["api".into()]),
            allow_missing_exp: true,
            ..Validation::default()
        };
        assert_eq!(
            check(r#"{"iss":"https://idp/","aud":"api"}"#, &v, NOW).0,
            "ok"
        );
        assert_eq!(
            check(r#"{"iss":"https://other","aud":["x","api"]}"#, &v, NOW).0,
            "ok"
        );
        for (json, claim, reason) in [
            (
                r#"{"iss":"https://idp","aud":"api"}"#,
                "iss",
                "check_failed",
            ),
            (
                r#"{"iss":"HTTPS://IDP/","aud":"api"}"#,
                "iss",
                "check_failed",
            ),
            (r#"{"aud":"api"}"#, "iss", "missing"),
            (
                r#"{"iss":"https://idp/","aud":"API"}"#,
                "aud",
                "check_failed",
            ),
            (r#"{"iss":"https://idp/","aud":[]}"#, "aud", "check_failed"),
            (r#"{"iss":"https://idp/"}"#, "aud", "missing"),
        ] {
            assert_eq!(
                check(json, &v, NOW),
                (
                    "ERR_JWT_CLAIM_VALIDATION_FAILED",
                    Some(claim.into()),
                    Some(reason)
                ),
                "{json}"
            );
        }
        for (json, claim) in [
            (r#"{"iss":1,"aud":"api"}"#, "iss"),
            (r#"{"iss":"https://idp/","aud":["api",1]}"#, "aud"),
            (r#"{"iss":"https://idp/","aud":{"a":1}}"#, "aud"),
            (r#"{"iss":"https://idp/","aud":"api","sub":5}"#, "sub"),
            (r#"{"iss":"https://idp/","aud":"api","jti":[]}"#, "jti"),
        ] {
            assert_eq!(
                check(json, &v, NOW),
                ("ERR_JWT_INVALID", Some(claim.into()), Some("invalid")),
                "{json}"
            );
        }
        let s = Validation {
            subject: Some("u1".into()),
            allow_missing_exp: true,
            ..Validation::default()
        };
        assert_eq!(check(r#"{"sub":"u1"}"#, &s, NOW).0, "ok");
        assert_eq!(check(r#"{"sub":"u2"}"#, &s, NOW).1, Some("sub".into()));
    }

    #[test]
    fn typ_and_required_claims() {
        let v = Validation {
            typ: Some("at+jwt".into()),
            allow_missing_exp: true,
            ..Validation::default()
        };
        let c = claims("{}");
        assert!(validate(&c, Some("at+jwt"), &v, NOW).is_ok());
        assert!(validate(&c, Some("application/AT+JWT"), &v, NOW).is_ok());
        assert_eq!(
            validate(&c, Some("JWT"), &v, NOW)
                .err()
                .as_ref()
                .and_then(Error::claim),
            Some("typ")
        );
        assert_eq!(
            validate(&c, None, &v, NOW).err().and_then(|e| e.reason()),
            Some(Reason::Missing)
        );
        let r = Validation {
            required_claims: vec!["jti".into()],
            allow_missing_exp: true,
            ..Validation::default()
        };
        assert_eq!(check(r#"{"jti":"x"}"#, &r, NOW).0, "ok");
        assert_eq!(
            check("{}", &r, NOW),
            (
                "ERR_JWT_CLAIM_VALIDATION_FAILED",
                Some("jti".into()),
                Some("missing")
            )
        );
    }
}
