//! Strict reading of the document: `Obj` refuses unknown members, `Path` locates every error.
//! Read by hand from the parsed `json::Value`, not derived: one `#[derive(Deserialize)]` struct
//! read with serde_json cost +23.4 KB of wasm gzip (docs/design.md, "serde, measured").

use crate::error::Error;
use crate::json::{write_str, Map, Value};

/// A JSON path into the document, for load errors (`$.roles.admin.inherits[0]`).
#[derive(Clone)]
pub(super) struct Path(pub(super) String);

impl Path {
    pub(super) fn member(&self, name: &str) -> Path {
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
    pub(super) fn index(&self, i: usize) -> Path {
        Path(format!("{}[{i}]", self.0))
    }
    pub(super) fn error(&self, message: impl Into<String>) -> Error {
        Error::PolicyInvalid {
            path: self.0.clone(),
            message: message.into(),
        }
    }
}

/// An object being read: unknown members are errors.
pub(super) struct Obj<'a> {
    pub(super) map: &'a Map,
    pub(super) path: Path,
}

impl<'a> Obj<'a> {
    pub(super) fn new(value: &'a Value, path: Path, known: &[&str]) -> Result<Obj<'a>, Error> {
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

    pub(super) fn at(&self, name: &str) -> Path {
        self.path.member(name)
    }

    pub(super) fn string(&self, name: &str) -> Result<Option<String>, Error> {
        match self.map.get(name) {
            None => Ok(None),
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            Some(_) => Err(self.at(name).error("must be a non-empty string")),
        }
    }

    /// A string or an array of strings, non-empty, without repeats.
    pub(super) fn strings(
        &self,
        name: &str,
        allow_single: bool,
    ) -> Result<Option<Vec<String>>, Error> {
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
    pub(super) fn seconds(&self, name: &str) -> Result<Option<u64>, Error> {
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

    pub(super) fn date(&self, name: &str) -> Result<Option<String>, Error> {
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
