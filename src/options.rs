//! Caller options: parsed once from JSON (what the JS layer hands over),
//! checked strictly, and compiled into the form the verifier uses. Every
//! mistake here is the caller's (`ERR_INVALID_ARG`, a `TypeError` in JS),
//! never a 401: a misspelled `audiance` must not silently disable a check.
//!
//! Read by hand from the parsed `json::Value`, not derived: one `#[derive(Deserialize)]` struct
//! read with serde_json cost +23.4 KB of wasm gzip (docs/design.md, "serde, measured").

use crate::alg::Algorithm;
use crate::error::{cat, decimal, invalid_arg, truncate, Error};
use crate::json::{self, Map, Value};
use crate::jws::DEFAULT_MAX_TOKEN_LENGTH;
use crate::roles;
use crate::scopes::{self, Mode, Source};

/// Hard upper bound on `maxTokenLength` (4 MiB).
pub const MAX_TOKEN_LENGTH_LIMIT: usize = 4 << 20;

/// The option names of `verify` / `createVerifier` (the JS layer adds
/// `keys`, `revocations`, `cache` and `currentDate`).
pub const VERIFY_FIELDS: &[&str] = &[
    "issuer",
    "audience",
    "algorithms",
    "clockTolerance",
    "maxTokenAge",
    "subject",
    "typ",
    "requiredClaims",
    "requiredScopes",
    "scopeMode",
    "scopeClaim",
    "requiredRoles",
    "roleMode",
    "roleClaim",
    "maxTokenLength",
    "realm",
    "now",
    "dangerouslyAllowMissingExp",
    "dangerouslySkipIssuerCheck",
    "dangerouslySkipAudienceCheck",
    "dangerouslyIgnoreTokenBinding",
];

/// An options object being read: every member must be known, and each
/// accessor checks its member's type.
struct Fields {
    map: Map,
    what: &'static str,
}

impl Fields {
    fn parse(text: &str, what: &'static str, known: &[&str]) -> Result<Fields, Error> {
        let map = json::parse_object(text.as_bytes())
            .map_err(|_| invalid_arg(cat(&[what, " must be a JSON-compatible object"])))?;
        if let Some(unknown) = map.keys().find(|k| !known.contains(k)) {
            return Err(invalid_arg(cat(&[
                what,
                ": unknown option `",
                &truncate(unknown),
                "` (expected one of: ",
                &known.join(", "),
                ")",
            ])));
        }
        Ok(Fields { map, what })
    }

    fn wrong(&self, name: &str, expected: &str) -> Error {
        invalid_arg(cat(&[self.what, ": `", name, "` must be ", expected]))
    }

    fn string(&self, name: &str) -> Result<Option<String>, Error> {
        match self.map.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.wrong(name, "a string")),
        }
    }

    fn strings(&self, name: &str) -> Result<Option<Vec<String>>, Error> {
        match self.map.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => string_list(items)
                .map(Some)
                .ok_or_else(|| self.wrong(name, "an array of strings")),
            Some(_) => Err(self.wrong(name, "an array of strings")),
        }
    }

    fn string_or_strings(&self, name: &str) -> Result<Option<Vec<String>>, Error> {
        match self.map.get(name) {
            Some(Value::String(s)) => Ok(Some(vec![s.clone()])),
            Some(Value::Array(_)) | None => self.strings(name),
            Some(_) => Err(self.wrong(name, "a string or an array of strings")),
        }
    }

    fn number(&self, name: &str) -> Result<Option<f64>, Error> {
        match self.map.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(Some(*n)),
            Some(_) => Err(self.wrong(name, "a number")),
        }
    }

    fn bool(&self, name: &str) -> Result<bool, Error> {
        match self.map.get(name) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(self.wrong(name, "a boolean")),
        }
    }

    /// Seconds, as a number or a jose-style duration string ("30s", "5m").
    fn duration(&self, name: &str) -> Result<Option<f64>, Error> {
        let seconds = match self.map.get(name) {
            None => return Ok(None),
            Some(Value::Number(n)) => *n,
            Some(Value::String(t)) => parse_duration(t)
                .ok_or_else(|| self.wrong(name, "seconds or a duration like \"30s\" or \"5m\""))?,
            Some(_) => return Err(self.wrong(name, "seconds or a duration string")),
        };
        if !seconds.is_finite() || seconds < 0.0 {
            return Err(self.wrong(name, "a finite, non-negative number of seconds"));
        }
        Ok(Some(seconds))
    }
}

/// Scope requirement of one verification.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScopeRequirement {
    /// Scopes to require.
    pub required: Vec<String>,
    /// All of them, or any one.
    pub mode: Mode,
}

/// Role requirement of one verification.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RoleRequirement {
    /// Roles to require.
    pub required: Vec<String>,
    /// All of them, or any one.
    pub mode: Mode,
}

/// Compiled verification options.
#[derive(Clone, Debug, PartialEq)]
pub struct Validation {
    /// Accepted `iss` values; `None` only when the caller opted out.
    pub issuers: Option<Vec<String>>,
    /// Accepted `aud` values; `None` only when the caller opted out.
    pub audiences: Option<Vec<String>>,
    /// Allowed algorithms; `None` means "the algorithms of the keys".
    pub algorithms: Option<Vec<Algorithm>>,
    /// Clock skew tolerance in seconds.
    pub clock_tolerance: f64,
    /// Maximum age since `iat`, in seconds.
    pub max_token_age: Option<f64>,
    /// Required `sub`.
    pub subject: Option<String>,
    /// Required header `typ`, normalized (lowercase, no `application/`).
    pub typ: Option<String>,
    /// Claims that must be present.
    pub required_claims: Vec<String>,
    /// Scopes required by default.
    pub scopes: ScopeRequirement,
    /// Where scopes are read from.
    pub scope_source: Source,
    /// Roles required by default.
    pub roles: RoleRequirement,
    /// Where roles are read from.
    pub role_source: roles::Source,
    /// Whether a malformed role claim is an error (roles are required or
    /// their claim was named); otherwise it reads as no roles.
    pub roles_strict: bool,
    /// Maximum token length in bytes.
    pub max_token_length: usize,
    /// Realm for `WWW-Authenticate`.
    pub realm: Option<String>,
    /// A fixed "now" (seconds), instead of the clock.
    pub now: Option<i64>,
    /// Accept tokens without `exp` (a token that never expires).
    pub allow_missing_exp: bool,
    /// Accept sender-constrained tokens (`cnf`) without their proof, as bearer
    /// tokens: only for a server that checks the binding itself.
    pub ignore_binding: bool,
}

impl Default for Validation {
    /// Checks everything but issuer and audience; for tests and `decode`.
    fn default() -> Self {
        Validation {
            issuers: None,
            audiences: None,
            algorithms: None,
            clock_tolerance: 0.0,
            max_token_age: None,
            subject: None,
            typ: None,
            required_claims: Vec::new(),
            scopes: ScopeRequirement::default(),
            scope_source: Source::Default,
            roles: RoleRequirement::default(),
            role_source: roles::Source::Default,
            roles_strict: false,
            max_token_length: DEFAULT_MAX_TOKEN_LENGTH,
            realm: None,
            now: None,
            allow_missing_exp: false,
            ignore_binding: false,
        }
    }
}

/// Per-call overrides of a prepared verifier. Each field replaces the
/// verifier's own only when set: a call giving `scopeMode` alone keeps the
/// verifier's `requiredScopes` (and never requires nothing instead).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CallOptions {
    /// Replaces the verifier's required scopes when set.
    pub required_scopes: Option<Vec<String>>,
    /// Replaces the verifier's scope mode when set.
    pub scope_mode: Option<Mode>,
    /// Replaces the verifier's required roles when set.
    pub required_roles: Option<Vec<String>>,
    /// Replaces the verifier's role mode when set.
    pub role_mode: Option<Mode>,
    /// A fixed "now" for this call.
    pub now: Option<i64>,
}

impl CallOptions {
    /// The scope requirement of this call over the verifier's `base`.
    pub fn scopes<'a>(&'a self, base: &'a ScopeRequirement) -> (&'a [String], Mode) {
        (
            self.required_scopes.as_deref().unwrap_or(&base.required),
            self.scope_mode.unwrap_or(base.mode),
        )
    }

    /// The role requirement of this call over the verifier's `base`.
    pub fn roles<'a>(&'a self, base: &'a RoleRequirement) -> (&'a [String], Mode) {
        (
            self.required_roles.as_deref().unwrap_or(&base.required),
            self.role_mode.unwrap_or(base.mode),
        )
    }
}

/// Decode options.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodeOptions {
    /// Where scopes are read from.
    pub scope_source: Source,
    /// Maximum token length in bytes.
    pub max_token_length: usize,
}

/// `checkScopes` options.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckOptions {
    /// All or any.
    pub mode: Mode,
    /// Where scopes are read from when the input is a claims object.
    pub scope_source: Source,
}

/// Parses and checks `verify` / `createVerifier` options.
pub fn verify_options(text: &str) -> Result<Validation, Error> {
    let f = Fields::parse(text, "verify options", VERIFY_FIELDS)?;
    let issuers = required_list(&f, "issuer", "dangerouslySkipIssuerCheck")?;
    let audiences = required_list(&f, "audience", "dangerouslySkipAudienceCheck")?;
    let algorithms = match f.strings("algorithms")? {
        None => None,
        Some(list) if list.is_empty() => return Err(invalid_arg("algorithms must not be empty")),
        Some(list) => Some(algorithm_list(&list)?),
    };
    let max_token_age = match f.duration("maxTokenAge")? {
        Some(age) if age <= 0.0 => {
            return Err(invalid_arg("maxTokenAge must be greater than zero"))
        }
        age => age,
    };
    // Checked after normalizing: "application/" alone names no media type.
    let typ = match f.string("typ")?.map(|t| normalize_typ(&t)) {
        Some(t) if t.is_empty() => return Err(invalid_arg("typ must name a media type")),
        t => t,
    };
    let required_claims = f.strings("requiredClaims")?.unwrap_or_default();
    if required_claims.iter().any(String::is_empty) {
        return Err(invalid_arg("requiredClaims must not contain an empty name"));
    }
    let realm = f.string("realm")?;
    if let Some(realm) = &realm {
        if realm.is_empty()
            || !realm
                .bytes()
                .all(|b| matches!(b, 0x20..=0x7e) && b != b'"' && b != b'\\')
        {
            return Err(invalid_arg(
                "realm must be printable ASCII without quotes or backslashes",
            ));
        }
    }
    let role_requirement = role_requirement(&f)?;
    let role_source = role_source(&f)?;
    let roles_strict =
        !role_requirement.required.is_empty() || role_source != roles::Source::Default;
    Ok(Validation {
        issuers,
        audiences,
        algorithms,
        clock_tolerance: f.duration("clockTolerance")?.unwrap_or(0.0),
        max_token_age,
        subject: f.string("subject")?,
        typ,
        required_claims,
        scopes: scope_requirement(&f, "requiredScopes", "scopeMode")?,
        scope_source: scope_source(f.string("scopeClaim")?)?,
        roles: role_requirement,
        role_source,
        roles_strict,
        max_token_length: max_token_length(f.number("maxTokenLength")?)?,
        realm,
        now: now(f.number("now")?)?,
        allow_missing_exp: f.bool("dangerouslyAllowMissingExp")?,
        ignore_binding: f.bool("dangerouslyIgnoreTokenBinding")?,
    })
}

/// The option names of one call of a prepared verifier (the JS layer adds
/// `currentDate`).
pub const CALL_FIELDS: &[&str] = &[
    "requiredScopes",
    "scopeMode",
    "requiredRoles",
    "roleMode",
    "now",
];

/// Parses per-call options of a prepared verifier.
pub fn call_options(text: &str) -> Result<CallOptions, Error> {
    let f = Fields::parse(text, "verify call options", CALL_FIELDS)?;
    let required_scopes = f.strings("requiredScopes")?;
    if let Some(list) = &required_scopes {
        check_scope_tokens(list)?;
    }
    let required_roles = f.strings("requiredRoles")?;
    if required_roles.iter().flatten().any(String::is_empty) {
        return Err(invalid_arg("requiredRoles must not contain an empty name"));
    }
    let mode_of = |name: &str| -> Result<Option<Mode>, Error> {
        match f.string(name)? {
            None => Ok(None),
            Some(m) => mode(Some(&m), name).map(Some),
        }
    };
    Ok(CallOptions {
        required_scopes,
        scope_mode: mode_of("scopeMode")?,
        required_roles,
        role_mode: mode_of("roleMode")?,
        now: now(f.number("now")?)?,
    })
}

/// Parses `decode` options.
pub fn decode_options(text: &str) -> Result<DecodeOptions, Error> {
    let f = Fields::parse(text, "decode options", &["scopeClaim", "maxTokenLength"])?;
    Ok(DecodeOptions {
        scope_source: scope_source(f.string("scopeClaim")?)?,
        max_token_length: max_token_length(f.number("maxTokenLength")?)?,
    })
}

/// Parses `checkScopes` options.
pub fn check_options(text: &str) -> Result<CheckOptions, Error> {
    let f = Fields::parse(text, "checkScopes options", &["mode", "scopeClaim"])?;
    Ok(CheckOptions {
        mode: mode(f.string("mode")?.as_deref(), "mode")?,
        scope_source: scope_source(f.string("scopeClaim")?)?,
    })
}

/// Parses the required-scopes argument of `checkScopes` (a JSON array of strings).
pub fn required_scopes(text: &str) -> Result<Vec<String>, Error> {
    let not_list = || invalid_arg("required scopes must be an array of strings");
    let value = json::parse(text.as_bytes()).map_err(|_| not_list())?;
    let list = value
        .as_array()
        .and_then(string_list)
        .ok_or_else(not_list)?;
    check_scope_tokens(&list)?;
    Ok(list)
}

/// Parses `KeySet.fromJwks` options: the algorithms for JWKs without `alg`.
pub fn jwks_options(text: &str) -> Result<Vec<Algorithm>, Error> {
    let f = Fields::parse(text, "KeySet.fromJwks options", &["algorithms"])?;
    algorithm_list(&f.strings("algorithms")?.unwrap_or_default())
}

// The two list conversions below are loops, not `collect::<Result<Vec<_>, _>>()`:
// each such collect is its own ~0.5-1 KiB of wasm.

/// The strings of `items`, or `None` if one is not a string.
fn string_list(items: &[Value]) -> Option<Vec<String>> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(item.as_str()?.to_owned());
    }
    Some(out)
}

/// The algorithms named in `names` ([`Algorithm::from_option`]).
fn algorithm_list(names: &[String]) -> Result<Vec<Algorithm>, Error> {
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        out.push(Algorithm::from_option(name)?);
    }
    Ok(out)
}

/// Parses `KeySet.fromJwk` options.
pub fn jwk_options(text: &str) -> Result<Option<Algorithm>, Error> {
    let f = Fields::parse(text, "KeySet.fromJwk options", &["alg"])?;
    f.string("alg")?
        .as_deref()
        .map(Algorithm::from_option)
        .transpose()
}

/// Parses `KeySet.fromPem` / `fromSecret` options.
pub fn key_options(text: &str) -> Result<(Algorithm, Option<String>), Error> {
    let f = Fields::parse(text, "key options", &["alg", "kid"])?;
    let alg = f
        .string("alg")?
        .ok_or_else(|| invalid_arg("key options: `alg` is required"))?;
    Ok((Algorithm::from_option(&alg)?, f.string("kid")?))
}

/// RFC 8725 §3.11 / RFC 7515 §4.1.9: `typ` is compared case-insensitively,
/// and `application/` may be omitted.
pub fn normalize_typ(typ: &str) -> String {
    let lower = typ.to_ascii_lowercase();
    match lower.strip_prefix("application/") {
        Some(rest) => rest.to_owned(),
        None => lower,
    }
}

fn required_list(f: &Fields, name: &str, opt_out_name: &str) -> Result<Option<Vec<String>>, Error> {
    match (f.string_or_strings(name)?, f.bool(opt_out_name)?) {
        (Some(_), true) => Err(invalid_arg(cat(&[
            name,
            " is set and ",
            opt_out_name,
            " is true: choose one",
        ]))),
        (None, true) => Ok(None),
        (None, false) => Err(invalid_arg(cat(&[
            name,
            " is required (or set ",
            opt_out_name,
            ": true to accept tokens for any ",
            name,
            ")",
        ]))),
        (Some(list), false) => {
            if list.is_empty() || list.iter().any(String::is_empty) {
                return Err(invalid_arg(cat(&[
                    name,
                    " must be a non-empty string or array of non-empty strings",
                ])));
            }
            Ok(Some(list))
        }
    }
}

/// Reads jose-style durations: `"30s"`, `"5 minutes"`, `"2h"`, `"1d"`, `"1w"`, `"1y"`.
pub fn parse_duration(text: &str) -> Option<f64> {
    // Digits with an optional fraction, then a unit; read by hand (no float
    // parser in the wasm for this).
    let text = text.trim().as_bytes();
    let mut value = 0f64;
    let mut scale = 0f64;
    let mut digits = 0usize;
    let mut unit_start = text.len();
    for (i, &b) in text.iter().enumerate() {
        match b {
            b'0'..=b'9' if digits < DURATION_MAX_DIGITS => {
                digits += 1;
                let d = f64::from(b - b'0');
                if scale == 0.0 {
                    value = value * 10.0 + d;
                } else {
                    value += d * scale;
                    scale /= 10.0;
                }
            }
            b'.' if scale == 0.0 && digits > 0 => scale = 0.1,
            _ => {
                unit_start = i;
                break;
            }
        }
    }
    if digits == 0 || scale == 0.1 {
        return None;
    }
    let unit = std::str::from_utf8(text.get(unit_start..)?)
        .ok()?
        .trim()
        .to_ascii_lowercase();
    let (_, unit_seconds) = DURATION_UNITS
        .iter()
        .find(|(names, _)| names.contains(&unit.as_str()))?;
    Some(value * unit_seconds)
}

/// The units of a duration string and their seconds (a year is 365.25 days).
pub const DURATION_UNITS: [(&[&str], f64); 6] = [
    (&["s", "sec", "secs", "second", "seconds"], 1.0),
    (&["m", "min", "mins", "minute", "minutes"], 60.0),
    (&["h", "hr", "hrs", "hour", "hours"], 3600.0),
    (&["d", "day", "days"], 86_400.0),
    (&["w", "week", "weeks"], 604_800.0),
    (&["y", "yr", "yrs", "year", "years"], 31_557_600.0),
];

/// The most digits a duration's number may have.
pub const DURATION_MAX_DIGITS: usize = 15;

fn scope_requirement(f: &Fields, list: &str, mode_name: &str) -> Result<ScopeRequirement, Error> {
    let required = f.strings(list)?.unwrap_or_default();
    check_scope_tokens(&required)?;
    Ok(ScopeRequirement {
        required,
        mode: mode(f.string(mode_name)?.as_deref(), mode_name)?,
    })
}

fn role_requirement(f: &Fields) -> Result<RoleRequirement, Error> {
    let required = f.strings("requiredRoles")?.unwrap_or_default();
    if required.iter().any(String::is_empty) {
        return Err(invalid_arg("requiredRoles must not contain an empty name"));
    }
    Ok(RoleRequirement {
        required,
        mode: mode(f.string("roleMode")?.as_deref(), "roleMode")?,
    })
}

/// `roleClaim`: a claim path (`realm_access.roles`) or an array of member names.
fn role_source(f: &Fields) -> Result<roles::Source, Error> {
    let bad = || {
        invalid_arg("roleClaim must be a claim path such as \"realm_access.roles\" or an array of member names")
    };
    match f.map.get("roleClaim") {
        None => Ok(roles::Source::Default),
        Some(Value::String(path)) => roles::Source::parse(path).ok_or_else(bad),
        Some(Value::Array(_)) => {
            roles::Source::from_segments(f.strings("roleClaim")?.unwrap_or_default())
                .ok_or_else(bad)
        }
        Some(_) => Err(bad()),
    }
}

fn check_scope_tokens(list: &[String]) -> Result<(), Error> {
    match list.iter().find(|s| !scopes::is_scope_token(s)) {
        Some(bad) => Err(invalid_arg(cat(&[
            "required scope \"",
            &truncate(bad),
            "\" is not a valid scope token (RFC 6749 section 3.3)",
        ]))),
        None => Ok(()),
    }
}

fn mode(name: Option<&str>, field: &str) -> Result<Mode, Error> {
    match name {
        None | Some("all") => Ok(Mode::All),
        Some("any") => Ok(Mode::Any),
        Some(_) => Err(invalid_arg(cat(&[field, " must be \"all\" or \"any\""]))),
    }
}

fn scope_source(claim: Option<String>) -> Result<Source, Error> {
    match claim {
        None => Ok(Source::Default),
        Some(c) if c.is_empty() => Err(invalid_arg("scopeClaim must not be empty")),
        Some(c) => Ok(Source::Claim(c)),
    }
}

fn max_token_length(value: Option<f64>) -> Result<usize, Error> {
    match value {
        None => Ok(DEFAULT_MAX_TOKEN_LENGTH),
        Some(v) if v.fract() == 0.0 && v >= 1.0 && v <= MAX_TOKEN_LENGTH_LIMIT as f64 => {
            Ok(v as usize)
        }
        Some(_) => Err(invalid_arg(cat(&[
            "maxTokenLength must be an integer from 1 to ",
            &decimal(MAX_TOKEN_LENGTH_LIMIT),
        ]))),
    }
}

fn now(value: Option<f64>) -> Result<Option<i64>, Error> {
    match value {
        None => Ok(None),
        Some(v) if v.is_finite() && (0.0..=9_007_199_254_740_991.0).contains(&v) => {
            Ok(Some(v.floor() as i64))
        }
        Some(_) => Err(invalid_arg(
            "now must be a finite, non-negative number of seconds since the epoch",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code<T>(r: Result<T, Error>) -> &'static str {
        r.err().map_or("ok", |e| e.code())
    }

    const BASE: &str = r#""issuer":"https://idp","audience":"api""#;

    #[test]
    fn issuer_and_audience_are_required_unless_opted_out_by_name() {
        assert_eq!(code(verify_options("{}")), "ERR_INVALID_ARG");
        assert_eq!(code(verify_options(r#"{"issuer":"i"}"#)), "ERR_INVALID_ARG");
        assert_eq!(code(verify_options(&format!("{{{BASE}}}"))), "ok");
        let skipped = verify_options(
            r#"{"dangerouslySkipIssuerCheck":true,"dangerouslySkipAudienceCheck":true}"#,
        );
        assert!(matches!(skipped, Ok(v) if v.issuers.is_none() && v.audiences.is_none()));
        assert_eq!(
            code(verify_options(&format!(
                r#"{{{BASE},"dangerouslySkipIssuerCheck":true}}"#
            ))),
            "ERR_INVALID_ARG"
        );
        assert_eq!(
            code(verify_options(r#"{"issuer":[],"audience":"a"}"#)),
            "ERR_INVALID_ARG"
        );
        assert_eq!(
            code(verify_options(r#"{"issuer":"","audience":"a"}"#)),
            "ERR_INVALID_ARG"
        );
    }

    #[test]
    fn misspelled_or_mistyped_options_are_caller_errors() {
        for bad in [
            r#""isuer":"x""#,
            r#""audiance":"x""#,
            r#""algorithms":["none"]"#,
            r#""algorithms":["Ed448"]"#,
            r#""algorithms":[]"#,
            r#""clockTolerance":-1"#,
            r#""clockTolerance":"soon""#,
            r#""maxTokenAge":0"#,
            r#""scopeMode":"some""#,
            r#""requiredScopes":"read""#,
            r#""requiredScopes":["a b"]"#,
            r#""maxTokenLength":0"#,
            r#""maxTokenLength":1.5"#,
            r#""now":-5"#,
            r#""realm":"a\"b""#,
            r#""typ":"""#,
            r#""typ":"application/""#,
            r#""typ":"APPLICATION/""#,
        ] {
            let r = verify_options(&format!("{{{BASE},{bad}}}"));
            assert_eq!(code(r), "ERR_INVALID_ARG", "{bad}");
        }
        let Err(e) = verify_options(&format!("{{{BASE},\"audiance\":\"x\"}}")) else {
            panic!()
        };
        assert!(e.to_string().contains("audiance"), "{e}");
    }

    #[test]
    fn compiles_values() {
        let v = verify_options(&format!(
            r#"{{{BASE},"clockTolerance":"5m","maxTokenAge":3600,"typ":"Application/AT+JWT","requiredScopes":["a"],"scopeMode":"any","now":10.9}}"#
        ));
        let Ok(v) = v else { panic!("{v:?}") };
        assert_eq!(v.clock_tolerance, 300.0);
        assert_eq!(v.max_token_age, Some(3600.0));
        assert_eq!(v.typ.as_deref(), Some("at+jwt"));
        assert_eq!(
            v.scopes,
            ScopeRequirement {
                required: vec!["a".into()],
                mode: Mode::Any
            }
        );
        assert_eq!(v.now, Some(10));
        assert_eq!(v.issuers, Some(vec!["https://idp".to_owned()]));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Some(30.0));
        assert_eq!(parse_duration("2 hours"), Some(7200.0));
        assert_eq!(parse_duration("1.5m"), Some(90.0));
        assert_eq!(parse_duration("1d"), Some(86400.0));
        assert_eq!(parse_duration("5"), None);
        assert_eq!(parse_duration("m"), None);
        assert_eq!(parse_duration("5 fortnights"), None);
        assert_eq!(parse_duration("5.s"), None);
        assert_eq!(parse_duration(".5s"), None);
        assert_eq!(parse_duration("1.2.3s"), None);
        assert_eq!(parse_duration(" 90 s "), Some(90.0));
    }

    #[test]
    fn key_and_call_options() {
        assert_eq!(
            key_options(r#"{"alg":"RS256","kid":"k"}"#),
            Ok((Algorithm::RS256, Some("k".into())))
        );
        assert_eq!(code(key_options("{}")), "ERR_INVALID_ARG");
        assert_eq!(
            code(key_options(r#"{"alg":"RS256","kdi":"k"}"#)),
            "ERR_INVALID_ARG"
        );
        assert_eq!(
            jwks_options(r#"{"algorithms":["RS256"]}"#),
            Ok(vec![Algorithm::RS256])
        );
        assert_eq!(code(call_options(r#"{"issuer":"x"}"#)), "ERR_INVALID_ARG");
        assert_eq!(call_options("{}"), Ok(CallOptions::default()));
        assert_eq!(
            code(required_scopes(r#"["ok","not ok"]"#)),
            "ERR_INVALID_ARG"
        );
    }
}
