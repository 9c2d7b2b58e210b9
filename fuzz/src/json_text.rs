//! Writes a parsed `tollgate::json::Value` back as JSON text (tollgate has no
//! serializer of its own beyond strings), and compares it with serde_json's
//! reading of the same text: the two oracles of the JSON parser.
//!
//! Numbers are compared within a relative 1e-13: tollgate reads them as
//! `mantissa × 10^e` with `powi` (it ships no correctly rounded float parser
//! in the wasm), which is a few ULPs off for fractions and exponents — "1e-7"
//! reads as 1.0000000000000001e-7 (found by this target's first run). Plain
//! integers, the form of NumericDates, are checked exactly by the target.

use std::fmt::Write as _;

use tollgate::json::{self, Value};

/// JSON text for `value`. Numbers use Rust's `Display` for `f64`: the
/// shortest decimal that reads back to the same value, never an exponent,
/// so every finite number is valid JSON.
pub fn to_json(value: &Value) -> String {
    let mut out = String::new();
    write(&mut out, value);
    out
}

fn write(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => json::write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json::write_str(out, k);
                out.push(':');
                write(out, v);
            }
            out.push('}');
        }
    }
}

/// Two numbers within tollgate's parsing error (see the module doc); the
/// absolute slack covers subnormals.
pub fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-13 * a.abs().max(b.abs()) + 1e-300
}

/// Equal values, numbers compared with [`close`].
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => close(*x, *y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((k, v), (l, w))| k == l && same(v, w))
        }
        _ => a == b,
    }
}

/// Whether tollgate's value and serde_json's value of one text agree.
/// (tollgate refuses duplicate names, so its objects map one-to-one.)
pub fn same_as_serde(ours: &Value, theirs: &serde_json::Value) -> bool {
    use serde_json::Value as S;
    match (ours, theirs) {
        (Value::Null, S::Null) => true,
        (Value::Bool(a), S::Bool(b)) => a == b,
        // serde keeps integers as u64/i64; `as f64` rounds to nearest-even,
        // as a correct decimal-to-double conversion of the same digits does.
        (Value::Number(a), S::Number(b)) => b.as_f64().is_some_and(|b| close(*a, b)),
        (Value::String(a), S::String(b)) => a == b,
        (Value::Array(a), S::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_as_serde(x, y))
        }
        (Value::Object(a), S::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(k).is_some_and(|w| same_as_serde(v, w)))
        }
        _ => false,
    }
}
