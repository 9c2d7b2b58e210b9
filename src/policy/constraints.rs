//! Constraints on a scope or a rule: read from the document, checked per request, described.

use std::fmt::Write as _;

use super::read::{Obj, Path};
use crate::error::Error;
use crate::json::{write_str_array, Map, Value};
use crate::net::{Addr, Cidr};

/// A kind of constraint: its name in documents and decisions, and its types in the JS
/// package's declarations (`pkg/facts.d.ts` is written from these rows).
pub struct Kind {
    /// The name (`ipRanges`), also a decision's `constraint`.
    pub name: &'static str,
    /// Its doc line.
    pub doc: &'static str,
    /// Where a document gives it: in a `constraints` object, or on the scope itself.
    pub in_constraints: bool,
    /// The TypeScript type of the document's value.
    pub document_type: &'static str,
    /// The TypeScript type of the compiled value (`describe()`).
    pub compiled_type: &'static str,
}

/// Every constraint kind. A new kind is a row here and its code in this file
/// (field, parse, check, write, summary); the JS types follow from `make facts`.
pub const KINDS: &[Kind] = &[
    Kind {
        name: "ipRanges",
        doc: "IPv4/IPv6 CIDR ranges the request's `ip` must be in (IPv4-mapped IPv6 counts as IPv4).",
        in_constraints: true,
        document_type: "string[]",
        compiled_type: "string[]",
    },
    Kind {
        name: "environments",
        doc: "Environments the request's `environment` must be one of.",
        in_constraints: true,
        document_type: "string[]",
        compiled_type: "string[]",
    },
    Kind {
        name: "timeWindows",
        doc: "UTC windows: `days` (`mon`…`sun`, default all), `start`/`end` `\"HH:MM\"` (end exclusive, `\"24:00\"` allowed; start > end runs past midnight).",
        in_constraints: true,
        document_type: "{ days?: string[]; start: string; end: string }[]",
        compiled_type: "{ days: string[]; start: string; end: string }[]",
    },
    Kind {
        name: "maxTokenLifetime",
        doc: "Longest lifetime (`exp − iat`) of a token used for it, in seconds (a scope's own field; `\"5m\"` in documents).",
        in_constraints: false,
        document_type: "number | string",
        compiled_type: "number | null",
    },
];

/// The names a document's `constraints` object may hold.
fn document_names() -> Vec<&'static str> {
    KINDS
        .iter()
        .filter(|k| k.in_constraints)
        .map(|k| k.name)
        .collect()
}

/// A UTC weekly time window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Window {
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

    /// `mon-fri 08:00-18:00 UTC` (the days left out when all seven are listed).
    fn summary(&self) -> String {
        let listed: Vec<usize> = (0..7usize).filter(|d| self.days & (1 << d) != 0).collect();
        let mut runs = Vec::new();
        let mut i = 0;
        while let Some(&first) = listed.get(i) {
            let mut j = i;
            while listed
                .get(j + 1)
                .is_some_and(|&next| Some(&(next - 1)) == listed.get(j))
            {
                j += 1;
            }
            let name = |d: usize| DAYS.get(d).copied().unwrap_or("");
            let last = listed.get(j).copied().unwrap_or(first);
            runs.push(if j - i >= 2 {
                format!("{}-{}", name(first), name(last))
            } else {
                (first..=last).map(name).collect::<Vec<_>>().join(",")
            });
            i = j + 1;
        }
        let hm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        let days = if listed.len() == 7 {
            String::new()
        } else {
            format!("{} ", runs.join(","))
        };
        format!("{days}{}-{} UTC", hm(self.start), hm(self.end))
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
pub(super) struct Constraints {
    pub(super) ip_ranges: Vec<Cidr>,
    pub(super) environments: Vec<String>,
    pub(super) time_windows: Vec<Window>,
    pub(super) max_token_lifetime: Option<u64>,
}

/// A failed constraint: its name and a sentence for the reason.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Failure {
    pub(super) name: &'static str,
    pub(super) detail: String,
}

impl Constraints {
    pub(super) fn is_empty(&self) -> bool {
        self.ip_ranges.is_empty()
            && self.environments.is_empty()
            && self.time_windows.is_empty()
            && self.max_token_lifetime.is_none()
    }

    pub(super) fn check(&self, ctx: &Context<'_>) -> Result<(), Failure> {
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

    pub(super) fn write(&self, out: &mut String) {
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
        out.push_str(",\"summary\":");
        crate::json::write_str(out, &self.summary());
        out.push('}');
    }

    /// The constraints in one line, for catalogs: `IP 10.0.0.0/8; env production;
    /// mon-fri 08:00-18:00 UTC; lifetime ≤ 5m`; empty when there are none.
    pub(super) fn summary(&self) -> String {
        let mut parts = Vec::new();
        if !self.ip_ranges.is_empty() {
            let ranges: Vec<&str> = self.ip_ranges.iter().map(|r| r.text()).collect();
            parts.push(format!("IP {}", ranges.join(", ")));
        }
        if !self.environments.is_empty() {
            parts.push(format!("env {}", self.environments.join(", ")));
        }
        if !self.time_windows.is_empty() {
            let windows: Vec<String> = self.time_windows.iter().map(Window::summary).collect();
            parts.push(windows.join(" or "));
        }
        if let Some(max) = self.max_token_lifetime {
            parts.push(format!("lifetime ≤ {}", duration(max)));
        }
        parts.join("; ")
    }
}

/// Seconds in the largest unit that divides them: `5m`, `2h`, `90s`.
fn duration(seconds: u64) -> String {
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if seconds >= size && seconds % size == 0 {
            return format!("{}{unit}", seconds / size);
        }
    }
    format!("{seconds}s")
}

fn write_number(out: &mut String, n: Option<u64>) {
    match n {
        Some(n) => {
            let _ = write!(out, "{n}");
        }
        None => out.push_str("null"),
    }
}

/// What evaluation knows about the request.
pub(super) struct Context<'a> {
    pub(super) ip: Option<Addr>,
    pub(super) ip_text: Option<&'a str>,
    pub(super) ip_given: bool,
    pub(super) environment: Option<&'a str>,
    pub(super) now: i64,
    pub(super) claims: Option<&'a Map>,
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

pub(super) fn constraints(
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
    let c = Obj::new(value, path, &document_names())?;
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
            .error(format!("constrains nothing: remove it or list {}", {
                let names = document_names();
                match names.split_last() {
                    Some((last, rest)) if !rest.is_empty() => {
                        format!("{} or {last}", rest.join(", "))
                    }
                    _ => names.join(""),
                }
            })));
    }
    Ok(out)
}
