//! Writes a parsed `tollgate::json::Value` back as JSON text (tollgate has no
//! serializer of its own beyond strings), and compares it with serde_json's
//! reading of the same text: the two oracles of the JSON parser.

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

/// Whether tollgate's value and serde_json's value of one text agree.
/// (tollgate refuses duplicate names, so its objects map one-to-one.)
pub fn same_as_serde(ours: &Value, theirs: &serde_json::Value) -> bool {
    use serde_json::Value as S;
    match (ours, theirs) {
        (Value::Null, S::Null) => true,
        (Value::Bool(a), S::Bool(b)) => a == b,
        // serde keeps integers as u64/i64; `as f64` rounds to nearest-even,
        // as a correct decimal-to-double conversion of the same digits does.
        (Value::Number(a), S::Number(b)) => b.as_f64().is_some_and(|b| b == *a),
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
