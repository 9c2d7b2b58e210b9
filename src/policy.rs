//! Policy as code: a versioned JSON document of scopes, roles and route
//! rules, compiled once ([`Policy::from_json`]) and evaluated per request
//! ([`Policy::evaluate`]) into an HTTP-ready [`Decision`].
//!
//! The model: a scope tags a permission delegated to a client (it rides in
//! the token); a role is a collection of permissions the user holds. A rule
//! names the scopes and roles a route needs. A scope that the policy lets
//! some role grant is honoured only when one of the user's roles grants it,
//! so an admin scope minted into a non-admin's token is refused. Scopes imply
//! other scopes and roles inherit roles, transitively; both closures are
//! computed at load. Constraints (networks, environments, UTC time windows,
//! token lifetime) bind to a scope or a rule.
//!
//! Evaluation never fails: every request gets a decision with a status, a
//! stable code and a reason written for a log line.

use std::fmt::Write as _;

use crate::error::Error;
use crate::json::{self, write_str, write_str_array, Map, Value};
use crate::net::{Addr, Cidr};
use crate::revocation::{RevocationList, Revoked};
use crate::route::{self, Methods, Pattern};
use crate::{roles, scopes};

/// The document versions this library reads.
pub const VERSION: f64 = 1.0;

/// A fixed-size set of small integers (scope or role indices).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn set(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }
    fn has(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
    fn union(&mut self, other: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }
    fn iter(&self) -> BitsIter<'_> {
        BitsIter {
            words: &self.0,
            base: 0,
            current: self.0.first().copied().unwrap_or(0),
        }
    }
}

/// The set bits of a [`Bits`], lowest first: one step per set bit, not per bit.
struct BitsIter<'a> {
    words: &'a [u64],
    base: usize,
    current: u64,
}

impl Iterator for BitsIter<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        while self.current == 0 {
            self.words = self.words.get(1..)?;
            self.base += 64;
            self.current = *self.words.first()?;
        }
        let bit = self.current.trailing_zeros() as usize;
        self.current &= self.current - 1;
        Some(self.base + bit)
    }
}

/// A UTC weekly time window.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Window {
    /// Bit d set: day d is listed (0 = Monday).
    days: u8,
    /// Minutes after midnight, `start` inclusive, `end` exclusive; when
    /// `start > end` the window runs past midnight into the next day.
    start: u16,
    end: u16,
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl Window {
    fn contains(&self, now: i64) -> bool {
        let day = (now.div_euclid(86_400) + 3).rem_euclid(7) as u8; // 1970-01-01 was a Thursday
        let minute = (now.rem_euclid(86_400) / 60) as u16;
        let listed = |d: u8| self.days & (1 << d) != 0;
        if self.start < self.end {
            listed(day) && (self.start..self.end).contains(&minute)
        } else {
            (listed(day) && minute >= self.start) || (listed((day + 6) % 7) && minute < self.end)
        }
    }

    fn write(&self, out: &mut String) {
        let days: Vec<String> = (0..7u8)
            .filter(|d| self.days & (1 << d) != 0)
            .filter_map(|d| DAYS.get(usize::from(d)).map(|s| (*s).to_owned()))
            .collect();
        out.push_str("{\"days\":");
        write_str_array(out, &days);
        let _ = write!(
            out,
            ",\"start\":\"{:02}:{:02}\",\"end\":\"{:02}:{:02}\"}}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        );
    }
}

/// Constraints on a scope or a rule; empty lists constrain nothing.
#[derive(Clone, Debug, Default, PartialEq)]
struct Constraints {
    ip_ranges: Vec<Cidr>,
    environments: Vec<String>,
    time_windows: Vec<Window>,
    max_token_lifetime: Option<u64>,
}

/// A failed constraint: its name and a sentence for the reason.
#[derive(Clone, Debug, PartialEq)]
struct Failure {
    name: &'static str,
    detail: String,
}

impl Constraints {
    fn is_empty(&self) -> bool {
        self.ip_ranges.is_empty()
            && self.environments.is_empty()
            && self.time_windows.is_empty()
            && self.max_token_lifetime.is_none()
    }

    fn check(&self, ctx: &Context<'_>) -> Result<(), Failure> {
        if !self.ip_ranges.is_empty() {
            let ok = ctx
                .ip
                .is_some_and(|ip| self.ip_ranges.iter().any(|r| r.contains(ip)));
            if !ok {
                let ranges: Vec<String> =
                    self.ip_ranges.iter().map(|r| r.text().to_owned()).collect();
                let from = match (ctx.ip, ctx.ip_given) {
                    (Some(_), _) => format!(
                        "the request came from {}",
                        crate::error::truncate(ctx.ip_text.unwrap_or(""))
                    ),
                    (None, true) => "the request's client IP is not a valid address".to_owned(),
                    (None, false) => "the request's client IP is unknown".to_owned(),
                };
                return Err(Failure {
                    name: "ipRanges",
                    detail: format!("is usable only from {}; {from}", ranges.join(", ")),
                });
            }
        }
        if !self.environments.is_empty() {
            let ok = ctx
                .environment
                .is_some_and(|e| self.environments.iter().any(|x| x == e));
            if !ok {
                return Err(Failure {
                    name: "environments",
                    detail: format!(
                        "is usable only in the environments {}; this is {}",
                        self.environments.join(", "),
                        ctx.environment
                            .map_or("an unnamed environment".to_owned(), |e| {
                                format!("\"{}\"", crate::error::truncate(e))
                            })
                    ),
                });
            }
        }
        if !self.time_windows.is_empty() && !self.time_windows.iter().any(|w| w.contains(ctx.now)) {
            return Err(Failure {
                name: "timeWindows",
                detail: "is usable only within its time windows (UTC), and now is outside them"
                    .to_owned(),
            });
        }
        if let Some(max) = self.max_token_lifetime {
            let number = |name| match ctx.claims.and_then(|c| c.get(name)) {
                Some(Value::Number(n)) => Some(*n),
                _ => None,
            };
            let lifetime = match (number("iat"), number("exp")) {
                (Some(iat), Some(exp)) => Some(exp - iat),
                _ => None,
            };
            match lifetime {
                Some(l) if l <= max as f64 => {}
                Some(l) => {
                    return Err(Failure {
                        name: "maxTokenLifetime",
                        detail: format!(
                            "needs a token that lives at most {max} s; this one lives {} s",
                            l.ceil() as i64
                        ),
                    })
                }
                None => {
                    return Err(Failure {
                        name: "maxTokenLifetime",
                        detail: format!(
                            "needs a token that lives at most {max} s; this one has no iat or exp"
                        ),
                    })
                }
            }
        }
        Ok(())
    }

    fn write(&self, out: &mut String) {
        out.push_str("{\"ipRanges\":");
        let ranges: Vec<String> = self.ip_ranges.iter().map(|r| r.text().to_owned()).collect();
        write_str_array(out, &ranges);
        out.push_str(",\"environments\":");
        write_str_array(out, &self.environments);
        out.push_str(",\"timeWindows\":[");
        for (i, w) in self.time_windows.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            w.write(out);
        }
        out.push_str("],\"maxTokenLifetime\":");
        write_number(out, self.max_token_lifetime);
        out.push('}');
    }
}

fn write_number(out: &mut String, n: Option<u64>) {
    match n {
        Some(n) => {
            let _ = write!(out, "{n}");
        }
        None => out.push_str("null"),
    }
}

fn write_opt_str(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => write_str(out, s),
        None => out.push_str("null"),
    }
}

#[derive(Clone, Debug, PartialEq)]
struct ScopeDef {
    name: String,
    description: Option<String>,
    owner: Option<String>,
    implies: Vec<usize>,
    /// Scopes implied, transitively (not including itself).
    implied: Bits,
    constraints: Constraints,
    deprecated: Option<String>,
    sunset: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
struct RoleDef {
    name: String,
    description: Option<String>,
    owner: Option<String>,
    inherits: Vec<usize>,
    /// `grants` as written (names and wildcards).
    grants_written: Vec<String>,
    /// Roles held by holding this one: itself and all it inherits.
    holds: Bits,
    /// Scopes granted by this role and every role it inherits.
    grants: Bits,
}

#[derive(Clone, Debug, PartialEq)]
struct Rule {
    /// `rule #2 "id" (GET /path)`, for reasons.
    label: String,
    id: Option<String>,
    description: Option<String>,
    methods: Methods,
    path_text: String,
    path: Pattern,
    scopes: Vec<usize>,
    any_scopes: Vec<usize>,
    roles: Vec<usize>,
    any_roles: Vec<usize>,
    constraints: Constraints,
    public: bool,
}

/// A compiled policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    description: Option<String>,
    default_allow: bool,
    scope_source: scopes::Source,
    role_source: roles::Source,
    role_claim_text: Option<String>,
    scopes: Vec<ScopeDef>,
    /// Scope indices sorted by name.
    scope_order: Vec<usize>,
    roles: Vec<RoleDef>,
    role_order: Vec<usize>,
    rules: Vec<Rule>,
    /// Scopes some role grants: honoured only through the user's roles.
    role_granted: Bits,
}

/// A request to authorize.
#[derive(Clone, Debug, Default)]
pub struct Request<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Request path (query and fragment are ignored).
    pub path: &'a str,
    /// Client IP address, if known.
    pub ip: Option<&'a str>,
    /// Deployment environment (`production`, `staging`, …), if named.
    pub environment: Option<&'a str>,
    /// Now, in seconds since the epoch.
    pub now: i64,
}

/// Who is asking: claims from a verified token or, for UI gating, a decoded one.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    /// The token's claims.
    pub claims: &'a Map,
    /// Whether the claims come from a token tollgate verified.
    pub verified: bool,
}

/// The answer to one request.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// Whether the request may proceed.
    pub allow: bool,
    /// 200, 400, 401 or 403.
    pub status: u16,
    /// The stable code, `None` when allowed.
    pub code: Option<&'static str>,
    /// The index of the rule that decided, if one matched.
    pub rule: Option<usize>,
    /// Scopes the rule needs that are not effective.
    pub missing_scopes: Vec<String>,
    /// Roles the rule needs that the user does not hold.
    pub missing_roles: Vec<String>,
    /// The constraint that failed.
    pub constraint: Option<&'static str>,
    /// One sentence for a log.
    pub reason: String,
    /// Whether the subject was not verified by tollgate (UI gating only).
    pub unverified: bool,
    /// The effective scopes.
    pub scopes: Vec<String>,
    /// The roles held (policy roles, with inheritance).
    pub roles: Vec<String>,
}

impl Decision {
    fn new(status: u16, code: Option<&'static str>, reason: String) -> Decision {
        Decision {
            allow: status == 200,
            status,
            code,
            rule: None,
            missing_scopes: Vec::new(),
            missing_roles: Vec::new(),
            constraint: None,
            reason,
            unverified: false,
            scopes: Vec::new(),
            roles: Vec::new(),
        }
    }

    /// The RFC 6750 §3 `WWW-Authenticate` value for a 400/401/403, `None` when allowed.
    pub fn www_authenticate(&self, realm: Option<&str>) -> Option<String> {
        let error = match (self.status, self.code) {
            (200, _) => return None,
            (401, Some("ERR_NO_CREDENTIALS")) => None,
            (400, _) => Some("invalid_request"),
            (401, _) => Some("invalid_token"),
            _ => Some("insufficient_scope"),
        };
        let mut out = String::from("Bearer");
        let mut sep = " ";
        if let Some(realm) = realm {
            out.push_str(" realm=\"");
            crate::error::push_quoted(&mut out, realm);
            out.push('"');
            sep = ", ";
        }
        if let Some(error) = error {
            let _ = write!(out, "{sep}error=\"{error}\", error_description=\"");
            crate::error::push_quoted(&mut out, &self.reason);
            out.push('"');
            if !self.missing_scopes.is_empty() {
                out.push_str(", scope=\"");
                crate::error::push_quoted(&mut out, &self.missing_scopes.join(" "));
                out.push('"');
            }
        }
        Some(out)
    }

    /// The decision as JSON text (`rule` from `policy`, realm for the header).
    pub fn to_json(&self, policy: &Policy, realm: Option<&str>) -> String {
        let mut out = String::with_capacity(256);
        let _ = write!(
            out,
            "{{\"allow\":{},\"status\":{},\"code\":",
            self.allow, self.status
        );
        write_opt_str(&mut out, self.code);
        out.push_str(",\"rule\":");
        match self.rule.and_then(|i| policy.rules.get(i).map(|r| (i, r))) {
            Some((i, rule)) => {
                let _ = write!(out, "{{\"index\":{i},\"id\":");
                write_opt_str(&mut out, rule.id.as_deref());
                out.push_str(",\"method\":");
                write_str_array(&mut out, &rule.methods.names());
                out.push_str(",\"path\":");
                write_str(&mut out, &rule.path_text);
                out.push('}');
            }
            None => out.push_str("null"),
        }
        out.push_str(",\"missingScopes\":");
        write_str_array(&mut out, &self.missing_scopes);
        out.push_str(",\"missingRoles\":");
        write_str_array(&mut out, &self.missing_roles);
        out.push_str(",\"constraint\":");
        write_opt_str(&mut out, self.constraint);
        out.push_str(",\"reason\":");
        write_str(&mut out, &self.reason);
        out.push_str(",\"wwwAuthenticate\":");
        write_opt_str(&mut out, self.www_authenticate(realm).as_deref());
        let _ = write!(out, ",\"unverified\":{},\"scopes\":", self.unverified);
        write_str_array(&mut out, &self.scopes);
        out.push_str(",\"roles\":");
        write_str_array(&mut out, &self.roles);
        out.push('}');
        out
    }
}

/// Who is asking, as evaluation sees it.
#[derive(Clone, Copy)]
enum Who<'a> {
    /// No credentials were sent.
    Nobody,
    /// Credentials whose claims cannot be read.
    Unreadable,
    /// Readable claims.
    Claims(Subject<'a>),
}

/// What evaluation knows about the request.
struct Context<'a> {
    ip: Option<Addr>,
    ip_text: Option<&'a str>,
    ip_given: bool,
    environment: Option<&'a str>,
    now: i64,
    claims: Option<&'a Map>,
}

// ───────────────────────────────────────────────────────────────── loading

/// A JSON path into the document, for load errors (`$.roles.admin.inherits[0]`).
#[derive(Clone)]
struct Path(String);

impl Path {
    fn member(&self, name: &str) -> Path {
        let plain = name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'$')
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$');
        let mut out = self.0.clone();
        if plain {
            out.push('.');
            out.push_str(name);
        } else {
            out.push('[');
            write_str(&mut out, name);
            out.push(']');
        }
        Path(out)
    }
    fn index(&self, i: usize) -> Path {
        Path(format!("{}[{i}]", self.0))
    }
    fn error(&self, message: impl Into<String>) -> Error {
        Error::PolicyInvalid {
            path: self.0.clone(),
            message: message.into(),
        }
    }
}

/// An object being read: unknown members are errors.
struct Obj<'a> {
    map: &'a Map,
    path: Path,
}

impl<'a> Obj<'a> {
    fn new(value: &'a Value, path: Path, known: &[&str]) -> Result<Obj<'a>, Error> {
        let Value::Object(map) = value else {
            return Err(path.error("must be an object"));
        };
        if let Some(unknown) = map.keys().find(|k| !known.contains(k)) {
            return Err(path.member(unknown).error(format!(
                "unknown field (expected one of: {})",
                known.join(", ")
            )));
        }
        Ok(Obj { map, path })
    }

    fn at(&self, name: &str) -> Path {
        self.path.member(name)
    }

    fn string(&self, name: &str) -> Result<Option<String>, Error> {
        match self.map.get(name) {
            None => Ok(None),
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            Some(_) => Err(self.at(name).error("must be a non-empty string")),
        }
    }

    /// A string or an array of strings, non-empty, without repeats.
    fn strings(&self, name: &str, allow_single: bool) -> Result<Option<Vec<String>>, Error> {
        let path = self.at(name);
        let items = match self.map.get(name) {
            None => return Ok(None),
            Some(Value::String(s)) if allow_single => vec![s.clone()],
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) if !s.is_empty() => {
                            if out.contains(s) {
                                return Err(path.index(i).error("is listed twice"));
                            }
                            out.push(s.clone());
                        }
                        _ => return Err(path.index(i).error("must be a non-empty string")),
                    }
                }
                out
            }
            Some(_) => {
                return Err(path.error(if allow_single {
                    "must be a string or an array of strings"
                } else {
                    "must be an array of strings"
                }))
            }
        };
        Ok(Some(items))
    }

    /// Whole seconds, as a number or a duration string ("5m").
    fn seconds(&self, name: &str) -> Result<Option<u64>, Error> {
        let seconds = match self.map.get(name) {
            None => return Ok(None),
            Some(Value::Number(n)) => *n,
            Some(Value::String(s)) => crate::options::parse_duration(s).ok_or_else(|| {
                self.at(name)
                    .error("must be seconds or a duration such as \"5m\"")
            })?,
            Some(_) => {
                return Err(self
                    .at(name)
                    .error("must be seconds or a duration such as \"5m\""))
            }
        };
        if !(seconds.is_finite()
            && seconds >= 1.0
            && seconds.fract() == 0.0
            && seconds <= 9_007_199_254_740_991.0)
        {
            return Err(self
                .at(name)
                .error("must be a positive whole number of seconds"));
        }
        Ok(Some(seconds as u64))
    }

    fn date(&self, name: &str) -> Result<Option<String>, Error> {
        let Some(text) = self.string(name)? else {
            return Ok(None);
        };
        if !is_date(&text) {
            return Err(self.at(name).error("must be a date YYYY-MM-DD"));
        }
        Ok(Some(text))
    }
}

fn is_date(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r)
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .map(|d| d.iter().fold(0u32, |n, c| n * 10 + u32::from(c - b'0')))
    };
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

fn minutes(text: &str, allow_24: bool) -> Option<u16> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 || !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = (h.parse::<u16>().ok()?, m.parse::<u16>().ok()?);
    match (h, m) {
        (24, 0) if allow_24 => Some(1440),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

fn constraints(
    value: Option<&Value>,
    path: Path,
    lifetime: Option<u64>,
) -> Result<Constraints, Error> {
    let mut out = Constraints {
        max_token_lifetime: lifetime,
        ..Constraints::default()
    };
    let Some(value) = value else {
        return Ok(out);
    };
    let c = Obj::new(value, path, &["ipRanges", "environments", "timeWindows"])?;
    for (i, range) in c
        .strings("ipRanges", false)?
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let cidr = Cidr::parse(range).map_err(|m| c.at("ipRanges").index(i).error(m))?;
        out.ip_ranges.push(cidr);
    }
    out.environments = c.strings("environments", false)?.unwrap_or_default();
    match c.map.get("timeWindows") {
        None => {}
        Some(Value::Array(windows)) => {
            for (i, w) in windows.iter().enumerate() {
                let wp = c.at("timeWindows").index(i);
                let o = Obj::new(w, wp.clone(), &["days", "start", "end"])?;
                let days = match o.strings("days", false)? {
                    None => 0x7f,
                    Some(list) => {
                        let mut bits = 0u8;
                        for (j, d) in list.iter().enumerate() {
                            let lower = d.to_ascii_lowercase();
                            let day = DAYS.iter().position(|x| *x == lower).ok_or_else(|| {
                                o.at("days")
                                    .index(j)
                                    .error("must be one of mon, tue, wed, thu, fri, sat, sun")
                            })?;
                            bits |= 1 << day;
                        }
                        if bits == 0 {
                            return Err(o.at("days").error("must list at least one day"));
                        }
                        bits
                    }
                };
                let time = |name: &str, allow_24| -> Result<u16, Error> {
                    o.string(name)?
                        .as_deref()
                        .and_then(|t| minutes(t, allow_24))
                        .ok_or_else(|| {
                            o.at(name)
                                .error("must be a time HH:MM (UTC, 00:00 to 24:00)")
                        })
                };
                let (start, end) = (time("start", false)?, time("end", true)?);
                if start == end {
                    return Err(wp.error("start and end are equal: the window is empty"));
                }
                // An end of 24:00 (1440) is never before a start: it never wraps.
                out.time_windows.push(Window { days, start, end });
            }
        }
        Some(_) => {
            return Err(c
                .at("timeWindows")
                .error("must be an array of time windows"))
        }
    }
    if out.is_empty() {
        return Err(c
            .path
            .error("constrains nothing: remove it or list ipRanges, environments or timeWindows"));
    }
    Ok(out)
}

/// Looks `name` up in `order` (indices of `items` sorted by name).
fn find<T>(items: &[T], order: &[usize], name: &str, key: fn(&T) -> &str) -> Option<usize> {
    order
        .binary_search_by(|&i| items.get(i).map_or("", key).cmp(name))
        .ok()
        .and_then(|pos| order.get(pos).copied())
}

fn sorted<T>(items: &[T], key: fn(&T) -> &str) -> Vec<usize> {
    let names: Vec<&str> = items.iter().map(key).collect();
    json::sorted_order(&names)
}

/// Closes `direct` edges transitively into `out[i]` (excluding `i` unless on
/// a cycle); returns the index of a node on a cycle, if any.
fn closure(direct: &[Vec<usize>], n: usize) -> (Vec<Bits>, Option<usize>) {
    let mut out = vec![Bits::new(n); n];
    let mut cycle = None;
    for (start, row) in out.iter_mut().enumerate() {
        let mut stack: Vec<usize> = direct.get(start).cloned().unwrap_or_default();
        while let Some(next) = stack.pop() {
            if row.has(next) {
                continue;
            }
            row.set(next);
            if next == start {
                cycle.get_or_insert(start);
            }
            stack.extend(direct.get(next).into_iter().flatten().copied());
        }
    }
    (out, cycle)
}

const TOP: &[&str] = &[
    "version",
    "description",
    "roleClaim",
    "scopeClaim",
    "scopes",
    "roles",
    "rules",
    "default",
];
const SCOPE: &[&str] = &[
    "description",
    "owner",
    "implies",
    "maxTokenLifetime",
    "constraints",
    "deprecated",
    "sunset",
];
const ROLE: &[&str] = &["description", "owner", "inherits", "grants"];
const RULE: &[&str] = &[
    "id",
    "description",
    "method",
    "path",
    "scopes",
    "anyScopes",
    "roles",
    "anyRoles",
    "constraints",
    "maxTokenLifetime",
    "public",
];

impl Policy {
    /// Loads and compiles a policy document. Every problem is an
    /// `ERR_POLICY_INVALID` error with the JSON path of its cause.
    pub fn from_json(text: &[u8]) -> Result<Policy, Error> {
        let root = Path("$".to_owned());
        let doc = json::parse(text).map_err(|e| {
            root.error(match e {
                json::JsonError::Duplicate => "is not valid JSON: an object has a duplicate member",
                json::JsonError::TooDeep => "is nested too deeply",
                json::JsonError::Syntax => "is not valid JSON",
            })
        })?;
        let top = Obj::new(&doc, root, TOP)?;
        match top.map.get("version") {
            Some(Value::Number(v)) if *v == VERSION => {}
            Some(_) => {
                return Err(top
                    .at("version")
                    .error("must be 1 (the only version this library reads)"))
            }
            None => return Err(top.at("version").error("is required (1)")),
        }
        let default_allow = match top.string("default")?.as_deref() {
            None | Some("deny") => false,
            Some("allow") => true,
            Some(_) => return Err(top.at("default").error("must be \"deny\" or \"allow\"")),
        };
        let (role_source, role_claim_text) = match top.map.get("roleClaim") {
            None => (roles::Source::Default, None),
            Some(Value::String(s)) => (
                roles::Source::parse(s).ok_or_else(|| {
                    top.at("roleClaim")
                        .error("must be a claim path such as realm_access.roles")
                })?,
                Some(s.clone()),
            ),
            Some(Value::Array(_)) => {
                let segments = top.strings("roleClaim", false)?.unwrap_or_default();
                let text = segments.join(".");
                (
                    roles::Source::from_segments(segments).ok_or_else(|| {
                        top.at("roleClaim").error("must name at least one member")
                    })?,
                    Some(text),
                )
            }
            Some(_) => {
                return Err(top
                    .at("roleClaim")
                    .error("must be a claim path (string) or an array of member names"))
            }
        };
        let scope_source = match top.string("scopeClaim")? {
            None => scopes::Source::Default,
            Some(s) => scopes::Source::Claim(s),
        };

        // Scopes: names first, so that `implies` can refer forward.
        let scope_map = match top.map.get("scopes") {
            Some(Value::Object(m)) => m,
            Some(_) => {
                return Err(top
                    .at("scopes")
                    .error("must be an object of scope name → definition"))
            }
            None => {
                return Err(top
                    .at("scopes")
                    .error("is required (an object of scope name → definition)"))
            }
        };
        let mut scope_defs = Vec::with_capacity(scope_map.len());
        for (name, _) in scope_map.iter() {
            if !scopes::is_scope_token(name) {
                return Err(top
                    .at("scopes")
                    .member(name)
                    .error("is not a valid scope token (RFC 6749 section 3.3)"));
            }
            scope_defs.push(ScopeDef {
                name: name.to_owned(),
                description: None,
                owner: None,
                implies: Vec::new(),
                implied: Bits::default(),
                constraints: Constraints::default(),
                deprecated: None,
                sunset: None,
            });
        }
        let scope_order = sorted(&scope_defs, |s| &s.name);
        let scope_index = |defs: &[ScopeDef], name: &str, path: &Path| {
            find(defs, &scope_order, name, |s| &s.name).ok_or_else(|| {
                path.error(format!(
                    "unknown scope \"{}\" (not in $.scopes)",
                    crate::error::truncate(name)
                ))
            })
        };
        for (i, (name, value)) in scope_map.iter().enumerate() {
            let o = Obj::new(value, top.at("scopes").member(name), SCOPE)?;
            let mut implies = Vec::new();
            for (j, s) in o
                .strings("implies", false)?
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                implies.push(scope_index(&scope_defs, s, &o.at("implies").index(j))?);
            }
            let lifetime = o.seconds("maxTokenLifetime")?;
            let def = ScopeDef {
                name: name.to_owned(),
                description: o.string("description")?,
                owner: o.string("owner")?,
                implies,
                implied: Bits::default(),
                constraints: constraints(o.map.get("constraints"), o.at("constraints"), lifetime)?,
                deprecated: o.date("deprecated")?,
                sunset: o.date("sunset")?,
            };
            if let Some(slot) = scope_defs.get_mut(i) {
                *slot = def;
            }
        }
        let n_scopes = scope_defs.len();
        let direct: Vec<Vec<usize>> = scope_defs.iter().map(|s| s.implies.clone()).collect();
        let (implied, cycle) = closure(&direct, n_scopes);
        if let Some(i) = cycle {
            let name = scope_defs.get(i).map_or("", |s| s.name.as_str());
            return Err(top
                .at("scopes")
                .member(name)
                .member("implies")
                .error("forms a cycle: a scope implies itself through other scopes"));
        }
        for (def, bits) in scope_defs.iter_mut().zip(implied) {
            def.implied = bits;
        }

        // Roles.
        let empty = Map::new();
        let role_map = match top.map.get("roles") {
            None => &empty,
            Some(Value::Object(m)) => m,
            Some(_) => {
                return Err(top
                    .at("roles")
                    .error("must be an object of role name → definition"))
            }
        };
        let mut role_defs: Vec<RoleDef> = role_map
            .keys()
            .map(|name| RoleDef {
                name: name.to_owned(),
                description: None,
                owner: None,
                inherits: Vec::new(),
                grants_written: Vec::new(),
                holds: Bits::default(),
                grants: Bits::new(n_scopes),
            })
            .collect();
        if let Some(bad) = role_defs
            .iter()
            .find(|r| r.name.is_empty() || r.name.contains([' ', '\t']))
        {
            return Err(top
                .at("roles")
                .member(&bad.name)
                .error("a role name must be non-empty and without spaces"));
        }
        let role_order = sorted(&role_defs, |r| &r.name);
        for (i, (name, value)) in role_map.iter().enumerate() {
            let o = Obj::new(value, top.at("roles").member(name), ROLE)?;
            let mut inherits = Vec::new();
            for (j, r) in o
                .strings("inherits", false)?
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let index = find(&role_defs, &role_order, r, |r| &r.name).ok_or_else(|| {
                    o.at("inherits").index(j).error(format!(
                        "unknown role \"{}\" (not in $.roles)",
                        crate::error::truncate(r)
                    ))
                })?;
                inherits.push(index);
            }
            let written = o.strings("grants", false)?.unwrap_or_default();
            let mut grants = Bits::new(n_scopes);
            for (j, g) in written.iter().enumerate() {
                let path = o.at("grants").index(j);
                match wildcard_prefix(g) {
                    Some(prefix) => {
                        let mut any = false;
                        for (k, s) in scope_defs.iter().enumerate() {
                            if s.name.starts_with(prefix) {
                                grants.set(k);
                                any = true;
                            }
                        }
                        if !any {
                            return Err(path.error("this wildcard matches no scope in $.scopes"));
                        }
                    }
                    None if g.contains('*') => {
                        return Err(path.error("a wildcard grant must end in * after :, . or / (\"messages:*\") or be \"*\""))
                    }
                    None => grants.set(scope_index(&scope_defs, g, &path)?),
                }
            }
            if let Some(def) = role_defs.get_mut(i) {
                def.description = o.string("description")?;
                def.owner = o.string("owner")?;
                def.inherits = inherits;
                def.grants_written = written;
                def.grants = grants;
            }
        }
        let n_roles = role_defs.len();
        let direct: Vec<Vec<usize>> = role_defs.iter().map(|r| r.inherits.clone()).collect();
        let (inherited, cycle) = closure(&direct, n_roles);
        if let Some(i) = cycle {
            let name = role_defs.get(i).map_or("", |r| r.name.as_str());
            return Err(top
                .at("roles")
                .member(name)
                .member("inherits")
                .error("forms a cycle: a role inherits itself through other roles"));
        }
        let own: Vec<Bits> = role_defs.iter().map(|r| r.grants.clone()).collect();
        let mut role_granted = Bits::new(n_scopes);
        for (i, (def, mut holds)) in role_defs.iter_mut().zip(inherited).enumerate() {
            for j in holds.iter() {
                if let Some(g) = own.get(j) {
                    def.grants.union(g);
                }
            }
            holds.set(i);
            def.holds = holds;
            // A role's grants include what its scopes imply.
            let granted: Vec<usize> = def.grants.iter().collect();
            for s in granted {
                if let Some(implied) = scope_defs.get(s).map(|d| d.implied.clone()) {
                    def.grants.union(&implied);
                }
            }
            role_granted.union(&def.grants);
        }

        // Rules.
        let mut rules = Vec::new();
        match top.map.get("rules") {
            None => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    let at = top.at("rules").index(i);
                    let rule = Self::rule(
                        item,
                        at.clone(),
                        &scope_defs,
                        &scope_order,
                        &role_defs,
                        &role_order,
                    )?;
                    if rule.id.is_some() && rules.iter().any(|r: &Rule| r.id == rule.id) {
                        return Err(at
                            .member("id")
                            .error("is used by an earlier rule: rule ids must be unique"));
                    }
                    let mut rule = rule;
                    let id = rule
                        .id
                        .as_deref()
                        .map(|id| format!(" '{}'", crate::error::truncate(id)))
                        .unwrap_or_default();
                    rule.label = format!(
                        "rule #{i}{id} ({} {})",
                        rule.methods.names().join(","),
                        rule.path_text
                    );
                    rules.push(rule);
                }
            }
            Some(_) => return Err(top.at("rules").error("must be an array of rules")),
        }

        Ok(Policy {
            description: top.string("description")?,
            default_allow,
            scope_source,
            role_source,
            role_claim_text,
            scopes: scope_defs,
            scope_order,
            roles: role_defs,
            role_order,
            rules,
            role_granted,
        })
    }

    fn rule(
        value: &Value,
        path: Path,
        scope_defs: &[ScopeDef],
        scope_order: &[usize],
        role_defs: &[RoleDef],
        role_order: &[usize],
    ) -> Result<Rule, Error> {
        let o = Obj::new(value, path.clone(), RULE)?;
        let methods = o.strings("method", true)?.ok_or_else(|| {
            o.at("method")
                .error("is required (\"GET\", [\"POST\", \"PUT\"] or \"*\")")
        })?;
        let methods = Methods::parse(&methods).map_err(|m| o.at("method").error(m))?;
        let path_text = o
            .string("path")?
            .ok_or_else(|| o.at("path").error("is required"))?;
        let pattern = Pattern::parse(&path_text).map_err(|m| o.at("path").error(m))?;
        let names = |field: &str, defs_scope: bool| -> Result<Vec<usize>, Error> {
            let list = o.strings(field, false)?.unwrap_or_default();
            if o.map.contains_key(field) && list.is_empty() {
                return Err(o
                    .at(field)
                    .error("must not be empty (leave it out instead)"));
            }
            list.iter()
                .enumerate()
                .map(|(j, n)| {
                    let at = o.at(field).index(j);
                    let found = if defs_scope {
                        find(scope_defs, scope_order, n, |s| &s.name)
                    } else {
                        find(role_defs, role_order, n, |r| &r.name)
                    };
                    found.ok_or_else(|| {
                        at.error(format!(
                            "unknown {} \"{}\" (not in $.{})",
                            if defs_scope { "scope" } else { "role" },
                            crate::error::truncate(n),
                            if defs_scope { "scopes" } else { "roles" }
                        ))
                    })
                })
                .collect()
        };
        let public = match o.map.get("public") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(o.at("public").error("must be true or false")),
        };
        let rule = Rule {
            label: String::new(),
            id: o.string("id")?,
            description: o.string("description")?,
            methods,
            path_text,
            path: pattern,
            scopes: names("scopes", true)?,
            any_scopes: names("anyScopes", true)?,
            roles: names("roles", false)?,
            any_roles: names("anyRoles", false)?,
            constraints: match o.map.get("constraints") {
                None => Constraints {
                    max_token_lifetime: o.seconds("maxTokenLifetime")?,
                    ..Constraints::default()
                },
                Some(c) => {
                    constraints(Some(c), o.at("constraints"), o.seconds("maxTokenLifetime")?)?
                }
            },
            public,
        };
        if public
            && !(rule.scopes.is_empty()
                && rule.any_scopes.is_empty()
                && rule.roles.is_empty()
                && rule.any_roles.is_empty()
                && rule.constraints.is_empty())
        {
            return Err(o
                .at("public")
                .error("a public rule cannot also require scopes, roles or constraints"));
        }
        Ok(rule)
    }

    fn scope_index(&self, name: &str) -> Option<usize> {
        find(&self.scopes, &self.scope_order, name, |s| &s.name)
    }

    fn role_index(&self, name: &str) -> Option<usize> {
        find(&self.roles, &self.role_order, name, |r| &r.name)
    }

    fn scope_name(&self, i: usize) -> &str {
        self.scopes.get(i).map_or("", |s| &s.name)
    }

    fn role_name(&self, i: usize) -> &str {
        self.roles.get(i).map_or("", |r| &r.name)
    }

    /// Number of rules.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    fn rule_label(&self, i: usize) -> &str {
        self.rules.get(i).map_or("", |r| r.label.as_str())
    }

    /// Decides `request` for `subject` (`None`: no credentials were sent).
    /// Never fails: problems with the request are decisions too.
    pub fn evaluate(
        &self,
        subject: Option<Subject<'_>>,
        request: &Request<'_>,
        revocations: Option<&RevocationList>,
    ) -> Decision {
        let revoked = subject.and_then(|s| revocations.and_then(|r| r.check(s.claims)));
        self.evaluate_verdict(subject, request, revoked)
    }

    /// [`Policy::evaluate`] with the revocation verdict decided by the
    /// caller (the policy's wasm module does not hold the revocation list).
    pub fn evaluate_verdict(
        &self,
        subject: Option<Subject<'_>>,
        request: &Request<'_>,
        revoked: Option<Revoked>,
    ) -> Decision {
        let who = match subject {
            Some(s) => Who::Claims(s),
            None => Who::Nobody,
        };
        let mut d = self.decide(who, request, revoked);
        d.unverified = subject.is_some_and(|s| !s.verified);
        d
    }

    /// The decision for a subject whose claims cannot be read (not a JSON
    /// object): the path, public rules and credentials are decided as usual,
    /// and where the claims would be read the answer is 401 `ERR_JWT_INVALID`.
    pub fn evaluate_unreadable(&self, request: &Request<'_>, verified: bool) -> Decision {
        let mut d = self.decide(Who::Unreadable, request, None);
        d.unverified = !verified;
        d
    }

    fn decide(&self, who: Who<'_>, request: &Request<'_>, revoked: Option<Revoked>) -> Decision {
        let Ok(path) = route::normalize(request.path) else {
            return Decision::new(
                400,
                Some("ERR_INVALID_REQUEST"),
                format!("denied: {}", route::BAD_PATH),
            );
        };
        let matched = self
            .rules
            .iter()
            .position(|r| r.methods.matches(request.method) && r.path.matches(&path));
        let rule = matched.and_then(|i| self.rules.get(i));
        let with_rule = |mut d: Decision| {
            d.rule = matched;
            d
        };
        if rule.is_some_and(|r| r.public) {
            let label = matched.map(|i| self.rule_label(i)).unwrap_or_default();
            return with_rule(Decision::new(
                200,
                None,
                format!("allowed: {label} is public"),
            ));
        }
        let subject = match who {
            Who::Claims(subject) => subject,
            Who::Nobody => {
                let what = match matched {
                    Some(i) => self.rule_label(i),
                    None => "this route",
                };
                return with_rule(Decision::new(
                    401,
                    Some("ERR_NO_CREDENTIALS"),
                    format!("denied: {what} needs a bearer token"),
                ));
            }
            Who::Unreadable => {
                return with_rule(Decision::new(
                    401,
                    Some("ERR_JWT_INVALID"),
                    "denied: the claims are not a JSON object".to_owned(),
                ))
            }
        };
        if let Some(why) = revoked {
            let reason = match why {
                Revoked::Token => "denied: the token has been revoked (its jti is on the revocation list)",
                Revoked::Subject => "denied: the token has been revoked (its subject's tokens issued at or before a revocation time are)",
            };
            return with_rule(Decision::new(
                401,
                Some("ERR_JWT_REVOKED"),
                reason.to_owned(),
            ));
        }
        let granted = match scopes::granted(subject.claims, &self.scope_source) {
            Ok(g) => g,
            Err(e) => return with_rule(Decision::new(401, Some(e.code()), format!("denied: {e}"))),
        };
        let token_roles = match roles::granted(subject.claims, &self.role_source, true) {
            Ok(r) => r,
            Err(_) => {
                return with_rule(Decision::new(
                    401,
                    Some("ERR_JWT_INVALID"),
                    format!(
                        "denied: the role claim ({}) must be a space-delimited string or an array of strings",
                        self.role_source.describe()
                    ),
                ))
            }
        };

        // Roles held, with inheritance, and the scopes they grant.
        let mut held = Bits::new(self.roles.len());
        let mut user_grants = Bits::new(self.scopes.len());
        for name in &token_roles {
            if let Some(role) = self.role_index(name).and_then(|i| self.roles.get(i)) {
                held.union(&role.holds);
                user_grants.union(&role.grants);
            }
        }
        // Honoured scopes, then the effective closure.
        let mut honoured = Bits::new(self.scopes.len());
        let mut refused = Vec::new();
        let mut unknown = Vec::new();
        for name in &granted {
            match self.scope_index(name) {
                Some(i) if self.role_granted.has(i) && !user_grants.has(i) => refused.push(i),
                Some(i) => honoured.set(i),
                None => unknown.push(name.clone()),
            }
        }
        let mut effective = honoured.clone();
        for i in honoured.iter() {
            if let Some(s) = self.scopes.get(i) {
                effective.union(&s.implied);
            }
        }
        let mut d = Decision::new(200, None, String::new());
        d.rule = matched;
        d.scopes = effective
            .iter()
            .map(|i| self.scope_name(i).to_owned())
            .chain(unknown)
            .collect();
        d.roles = held.iter().map(|i| self.role_name(i).to_owned()).collect();

        let Some(rule) = rule else {
            if self.default_allow {
                d.reason = "allowed: no rule matches; the policy's default is allow".to_owned();
            } else {
                d.allow = false;
                d.status = 403;
                d.code = Some("ERR_POLICY_NO_MATCHING_RULE");
                d.reason = format!(
                    "denied: no rule matches {} {} and the policy's default is deny",
                    crate::error::truncate(&request.method.to_ascii_uppercase()),
                    crate::error::truncate(request.path)
                );
            }
            return d;
        };
        let label = matched.map(|i| self.rule_label(i)).unwrap_or_default();

        // What the rule needs.
        let missing = |all: &[usize], any: &[usize], have: &Bits| -> Vec<usize> {
            let mut out: Vec<usize> = all.iter().copied().filter(|&i| !have.has(i)).collect();
            if !any.is_empty() && !any.iter().any(|&i| have.has(i)) {
                let extra: Vec<usize> = any.iter().copied().filter(|i| !out.contains(i)).collect();
                out.extend(extra);
            }
            out
        };
        let missing_scopes = missing(&rule.scopes, &rule.any_scopes, &effective);
        let missing_roles = missing(&rule.roles, &rule.any_roles, &held);
        d.missing_scopes = missing_scopes
            .iter()
            .map(|&i| self.scope_name(i).to_owned())
            .collect();
        d.missing_roles = missing_roles
            .iter()
            .map(|&i| self.role_name(i).to_owned())
            .collect();
        if !missing_scopes.is_empty() || !missing_roles.is_empty() {
            d.allow = false;
            d.status = 403;
            let mut parts = Vec::new();
            if !missing_scopes.is_empty() {
                d.code = Some("ERR_JWT_INSUFFICIENT_SCOPE");
                let (in_token, absent): (Vec<usize>, Vec<usize>) =
                    missing_scopes.iter().partition(|i| refused.contains(i));
                if !absent.is_empty() {
                    let names: Vec<&str> = absent.iter().map(|&i| self.scope_name(i)).collect();
                    let any = if rule.any_scopes.iter().any(|i| absent.contains(i)) {
                        " (or one of them)"
                    } else {
                        ""
                    };
                    parts.push(format!(
                        "needs scope {}{any}, which the token does not carry",
                        names.join(", ")
                    ));
                }
                for i in in_token {
                    parts.push(format!(
                        "scope {} is in the token but none of the user's roles grants it",
                        self.scope_name(i)
                    ));
                }
            } else {
                d.code = Some("ERR_JWT_INSUFFICIENT_ROLE");
            }
            if !missing_roles.is_empty() {
                let held_names = if d.roles.is_empty() {
                    "no role this policy knows".to_owned()
                } else {
                    d.roles.join(", ")
                };
                parts.push(format!(
                    "needs role {}; the user holds {held_names}",
                    d.missing_roles.join(", ")
                ));
            }
            d.reason = format!("denied: {label} {}", parts.join("; "));
            return d;
        }

        // Constraints: the rule's own, then those of each scope it uses.
        let ip = request.ip.and_then(Addr::parse);
        let ctx = Context {
            ip,
            ip_text: request.ip,
            ip_given: request.ip.is_some(),
            environment: request.environment,
            now: request.now,
            claims: Some(subject.claims),
        };
        let fail = |mut d: Decision, who: String, f: Failure| {
            d.allow = false;
            d.status = 403;
            d.code = Some("ERR_POLICY_CONSTRAINT_FAILED");
            d.constraint = Some(f.name);
            d.reason = format!("denied: {who} {}", f.detail);
            d
        };
        if let Err(f) = rule.constraints.check(&ctx) {
            return fail(d, label.to_owned(), f);
        }
        let mut cache: Vec<Option<Result<(), Failure>>> = vec![None; self.scopes.len()];
        let mut own = |i: usize| -> Result<(), Failure> {
            match cache.get(i).cloned().flatten() {
                Some(r) => r,
                None => {
                    let r = self
                        .scopes
                        .get(i)
                        .map_or(Ok(()), |s| s.constraints.check(&ctx));
                    if let Some(slot) = cache.get_mut(i) {
                        *slot = Some(r.clone());
                    }
                    r
                }
            }
        };
        // A required scope is usable when it, or a honoured scope that
        // implies it, reaches it along scopes that all pass their constraints.
        let mut usable = Bits::new(self.scopes.len());
        let mut first_failure: Option<(usize, Failure)> = None;
        let mut stack: Vec<usize> = honoured.iter().collect();
        let mut seen = Bits::new(self.scopes.len());
        while let Some(i) = stack.pop() {
            if seen.has(i) {
                continue;
            }
            seen.set(i);
            match own(i) {
                Ok(()) => {
                    usable.set(i);
                    stack.extend(
                        self.scopes
                            .get(i)
                            .into_iter()
                            .flat_map(|s| s.implies.iter().copied()),
                    );
                }
                Err(f) => {
                    first_failure.get_or_insert((i, f));
                }
            }
        }
        let used: Vec<usize> = rule
            .scopes
            .iter()
            .copied()
            .chain(if rule.any_scopes.iter().any(|&i| usable.has(i)) {
                Vec::new()
            } else {
                rule.any_scopes.clone()
            })
            .collect();
        for r in used {
            if usable.has(r) || !effective.has(r) {
                continue;
            }
            // Report the scope's own failure, else one on a path to it.
            let failure = match own(r) {
                Err(f) => Some((r, f)),
                Ok(()) => honoured
                    .iter()
                    .filter(|&h| h == r || self.scopes.get(h).is_some_and(|s| s.implied.has(r)))
                    .find_map(|h| own(h).err().map(|f| (h, f)))
                    .or_else(|| first_failure.clone()),
            };
            if let Some((s, f)) = failure {
                let via = if s == r {
                    String::new()
                } else {
                    format!(" (which grants {} here)", self.scope_name(r))
                };
                return fail(d, format!("scope {}{via}", self.scope_name(s)), f);
            }
        }
        d.reason = format!("allowed: {label}");
        d
    }

    /// The compiled model as JSON text: scopes with their closures and the
    /// roles that grant them, roles with what they hold, and rules.
    pub fn describe(&self) -> String {
        let mut out = String::with_capacity(1024);
        let _ = write!(
            out,
            "{{\"version\":1,\"default\":\"{}\",\"description\":",
            if self.default_allow { "allow" } else { "deny" }
        );
        write_opt_str(&mut out, self.description.as_deref());
        out.push_str(",\"scopeClaim\":");
        write_opt_str(
            &mut out,
            match &self.scope_source {
                scopes::Source::Claim(c) => Some(c.as_str()),
                scopes::Source::Default => None,
            },
        );
        out.push_str(",\"roleClaim\":");
        write_opt_str(&mut out, self.role_claim_text.as_deref());
        out.push_str(",\"scopes\":[");
        let names = |bits: &Bits, f: &dyn Fn(usize) -> String| -> Vec<String> {
            bits.iter().map(f).collect()
        };
        for (i, s) in self.scopes.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"name\":");
            write_str(&mut out, &s.name);
            out.push_str(",\"description\":");
            write_opt_str(&mut out, s.description.as_deref());
            out.push_str(",\"owner\":");
            write_opt_str(&mut out, s.owner.as_deref());
            out.push_str(",\"implies\":");
            let direct: Vec<String> = s
                .implies
                .iter()
                .map(|&j| self.scope_name(j).to_owned())
                .collect();
            write_str_array(&mut out, &direct);
            out.push_str(",\"impliesAll\":");
            write_str_array(
                &mut out,
                &names(&s.implied, &|j| self.scope_name(j).to_owned()),
            );
            out.push_str(",\"grantedBy\":");
            let by: Vec<String> = self
                .roles
                .iter()
                .filter(|r| r.grants.has(i))
                .map(|r| r.name.clone())
                .collect();
            write_str_array(&mut out, &by);
            let _ = write!(out, ",\"roleGated\":{}", self.role_granted.has(i));
            out.push_str(",\"constraints\":");
            s.constraints.write(&mut out);
            out.push_str(",\"deprecated\":");
            write_opt_str(&mut out, s.deprecated.as_deref());
            out.push_str(",\"sunset\":");
            write_opt_str(&mut out, s.sunset.as_deref());
            out.push('}');
        }
        out.push_str("],\"roles\":[");
        for (i, r) in self.roles.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"name\":");
            write_str(&mut out, &r.name);
            out.push_str(",\"description\":");
            write_opt_str(&mut out, r.description.as_deref());
            out.push_str(",\"owner\":");
            write_opt_str(&mut out, r.owner.as_deref());
            out.push_str(",\"inherits\":");
            let direct: Vec<String> = r
                .inherits
                .iter()
                .map(|&j| self.role_name(j).to_owned())
                .collect();
            write_str_array(&mut out, &direct);
            out.push_str(",\"holds\":");
            write_str_array(
                &mut out,
                &names(&r.holds, &|j| self.role_name(j).to_owned()),
            );
            out.push_str(",\"grants\":");
            write_str_array(&mut out, &r.grants_written);
            out.push_str(",\"grantsAll\":");
            write_str_array(
                &mut out,
                &names(&r.grants, &|j| self.scope_name(j).to_owned()),
            );
            out.push('}');
        }
        out.push_str("],\"rules\":[");
        for (i, r) in self.rules.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{{\"index\":{i},\"id\":");
            write_opt_str(&mut out, r.id.as_deref());
            out.push_str(",\"description\":");
            write_opt_str(&mut out, r.description.as_deref());
            out.push_str(",\"method\":");
            write_str_array(&mut out, &r.methods.names());
            out.push_str(",\"path\":");
            write_str(&mut out, &r.path_text);
            for (field, list) in [("scopes", &r.scopes), ("anyScopes", &r.any_scopes)] {
                let _ = write!(out, ",\"{field}\":");
                let v: Vec<String> = list
                    .iter()
                    .map(|&j| self.scope_name(j).to_owned())
                    .collect();
                write_str_array(&mut out, &v);
            }
            for (field, list) in [("roles", &r.roles), ("anyRoles", &r.any_roles)] {
                let _ = write!(out, ",\"{field}\":");
                let v: Vec<String> = list.iter().map(|&j| self.role_name(j).to_owned()).collect();
                write_str_array(&mut out, &v);
            }
            let _ = write!(out, ",\"public\":{},\"constraints\":", r.public);
            r.constraints.write(&mut out);
            out.push('}');
        }
        out.push_str("]}");
        out
    }
}

/// The prefix of a namespace wildcard grant (`messages:*` → `messages:`,
/// `*` → ``), or `None` when `grant` is not one.
fn wildcard_prefix(grant: &str) -> Option<&str> {
    let prefix = grant.strip_suffix('*')?;
    if prefix.contains('*') {
        return None;
    }
    match prefix.bytes().last() {
        None | Some(b':' | b'.' | b'/') => Some(prefix),
        _ => None,
    }
}
