//! Strict JSON (RFC 8259) for headers, payloads, keys and options: serde_json
//! reads the text (correctly rounded numbers, RFC 8259 syntax, UTF-8 and
//! surrogates checked), and one visitor builds the [`Value`] and adds what a
//! JOSE verifier needs on top:
//!
//! - duplicate member names are rejected at every depth (RFC 7515 §5.2
//!   permits a parser that takes the last one, but then two parsers read one
//!   signed token two ways);
//! - nesting depth is bounded, so hostile input cannot exhaust the stack;
//! - numbers that overflow an f64 are rejected (serde_json's own rule).

use std::cell::Cell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Default maximum nesting depth of arrays and objects.
pub const MAX_DEPTH: usize = 32;

/// Up to this many names, duplicates are found by comparing every pair (at
/// most 120 comparisons, no allocation); above, by sorting ([`sorted_order`]).
pub(crate) const SMALL: usize = 16;

/// A JSON object: members in document order, names unique. A vector, not a
/// tree: objects here are small, lookups few, and the wasm stays smaller.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Map {
    members: Vec<(String, Value)>,
}

impl Map {
    /// An empty object.
    pub fn new() -> Map {
        Map::default()
    }

    /// The value of member `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.members.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Whether member `key` exists.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Removes and returns member `key`.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let index = self.members.iter().position(|(k, _)| k == key)?;
        Some(self.members.remove(index).1)
    }

    /// Member names, in document order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.members.iter().map(|(k, _)| k.as_str())
    }

    /// Members, in document order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.members.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether the object has no members.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Whether two members share a name (compared after unescaping:
    /// "a" and "\u0061" are one name).
    fn has_duplicates(&self) -> bool {
        if self.members.len() < 2 {
            return false;
        }
        if self.members.len() <= SMALL {
            // A claims object's ten-odd names: comparing pairs beats sorting.
            let members = self.members.as_slice();
            return members.iter().enumerate().any(|(i, (name, _))| {
                members
                    .get(i + 1..)
                    .is_some_and(|rest| rest.iter().any(|(later, _)| later == name))
            });
        }
        let names: Vec<&str> = self.keys().collect();
        let order = sorted_order(&names);
        order.windows(2).any(|w| match (w.first(), w.get(1)) {
            (Some(&a), Some(&b)) => names.get(a) == names.get(b),
            _ => false,
        })
    }
}

/// A JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number (always finite).
    Number(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object.
    Object(Map),
}

impl Value {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The member `key`, if this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(m) => m.get(key),
            _ => None,
        }
    }
}

/// Why a JSON text was refused. Deliberately without position or content:
/// the text may be a token or a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonError {
    /// Not valid JSON.
    Syntax,
    /// An object has two members with the same name.
    Duplicate,
    /// Nested deeper than allowed.
    TooDeep,
}

/// Parses `text` strictly.
pub fn parse(text: &[u8]) -> Result<Value, JsonError> {
    let why = Cell::new(None);
    let mut de = serde_json::Deserializer::from_slice(text);
    let seed = Seed {
        depth: MAX_DEPTH,
        why: &why,
    };
    let parsed = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    // A refusal of the visitor's own wins; serde_json's errors carry a
    // position, ours only the kind.
    match (why.get(), parsed) {
        (Some(why), _) => Err(why),
        (None, Ok(value)) => Ok(value),
        (None, Err(_)) => Err(JsonError::Syntax),
    }
}

/// Parses `text` strictly and requires an object at the top.
pub fn parse_object(text: &[u8]) -> Result<Map, JsonError> {
    match parse(text)? {
        Value::Object(map) => Ok(map),
        _ => Err(JsonError::Syntax),
    }
}

/// Indices of `items` in sorted order, ties by position: equal strings end up
/// adjacent with the first occurrence first. One sort serves duplicate names
/// here and duplicate scopes in `scopes` (one copy of the sort in the wasm).
///
/// A bottom-up merge sort rather than the standard library's sorts: a few
/// hundred bytes of wasm instead of ~4 KiB, stable (so ties stay in order
/// without comparing positions), O(n log n) on hostile input, and sequential
/// in memory: loading a revocation list of 300 000 subjects takes ~1.4x as
/// long as with `sort_unstable_by` (a heapsort took ~2x).
pub(crate) fn sorted_order(items: &[&str]) -> Vec<usize> {
    let name = |i: Option<&usize>| i.and_then(|&i| items.get(i));
    let n = items.len();
    let mut order: Vec<usize> = (0..n).collect();
    let mut merged = vec![0; n];
    let mut width = 1;
    while width < n {
        for (start, out) in (0..n).step_by(2 * width).zip(merged.chunks_mut(2 * width)) {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut left, mut right) = (start, mid);
            for slot in out {
                let take_left =
                    right >= end || (left < mid && name(order.get(left)) <= name(order.get(right)));
                let from = if take_left { &mut left } else { &mut right };
                *slot = order.get(*from).copied().unwrap_or(0);
                *from += 1;
            }
        }
        std::mem::swap(&mut order, &mut merged);
        width *= 2;
    }
    order
}

/// Appends `s` as a JSON string literal. Our own (results are text built
/// around the token's own JSON): serde's serializer was not measured here.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    // Most strings need no escape: copy them whole.
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push_str(s);
        out.push('"');
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let n = c as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX.get(n >> 4).copied().unwrap_or(b'0')));
                out.push(char::from(HEX.get(n & 15).copied().unwrap_or(b'0')));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends a JSON array of strings.
pub fn write_str_array(out: &mut String, items: &[String]) {
    out.push('[');
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(out, s);
    }
    out.push(']');
}

/// Builds a [`Value`] at a remaining nesting `depth`. A refusal of its own
/// is recorded in `why` rather than returned as a serde error: building one
/// (`Error::custom`) costs ~3 KB of wasm. A refused container is left
/// unread, so serde_json stops at its first member with an error of its own;
/// an empty one lets parsing go on, and `why` decides at the end.
#[derive(Clone, Copy)]
struct Seed<'a> {
    depth: usize,
    why: &'a Cell<Option<JsonError>>,
}

impl Seed<'_> {
    fn refuse(self, why: JsonError) -> Value {
        if self.why.get().is_none() {
            self.why.set(Some(why));
        }
        Value::Null
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Value, D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n as f64))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n as f64))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        // serde_json already refuses what overflows; kept as this type's rule.
        Ok(if n.is_finite() {
            Value::Number(n)
        } else {
            self.refuse(JsonError::Syntax)
        })
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let Some(depth) = self.depth.checked_sub(1) else {
            return Ok(self.refuse(JsonError::TooDeep));
        };
        let inner = Seed { depth, ..self };
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(inner)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let Some(depth) = self.depth.checked_sub(1) else {
            return Ok(self.refuse(JsonError::TooDeep));
        };
        let inner = Seed { depth, ..self };
        let mut map = Map::new();
        while let Some(key) = access.next_key_seed(Name)? {
            let value = access.next_value_seed(inner)?;
            map.members.push((key, value));
        }
        if map.has_duplicates() {
            return Ok(self.refuse(JsonError::Duplicate));
        }
        Ok(Value::Object(map))
    }
}

/// A member name: a string, read without `String`'s own visitor (whose
/// error paths would bring serde's message formatting into the wasm).
struct Name;

impl<'de> DeserializeSeed<'de> for Name {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<String, D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Name {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_str<E>(self, s: &str) -> Result<String, E> {
        Ok(s.to_owned())
    }

    fn visit_string<E>(self, s: String) -> Result<String, E> {
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_order_matches_a_stable_sort() {
        let mut seed = 7u32;
        for len in 0..200 {
            let items: Vec<String> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    ((seed >> 16) % 13).to_string()
                })
                .collect();
            let names: Vec<&str> = items.iter().map(String::as_str).collect();
            let mut expected: Vec<usize> = (0..len).collect();
            expected.sort_by_key(|&i| names[i]);
            assert_eq!(sorted_order(&names), expected, "{names:?}");
        }
    }

    #[test]
    fn parses_values() {
        let v = parse(
            br#" {"a":[1,-2.5e3,0,true,false,null],"b":{"c":"x\u00e9\ud83d\ude00\n\/"},"":""} "#,
        );
        let Ok(Value::Object(m)) = v else {
            panic!("{v:?}")
        };
        assert_eq!(
            m.get("a"),
            Some(&Value::Array(vec![
                Value::Number(1.0),
                Value::Number(-2500.0),
                Value::Number(0.0),
                Value::Bool(true),
                Value::Bool(false),
                Value::Null
            ]))
        );
        assert_eq!(
            m.get("b").and_then(|b| b.get("c")).and_then(Value::as_str),
            Some("xé😀\n/")
        );
        assert_eq!(m.get(""), Some(&Value::String(String::new())));
    }

    #[test]
    fn numbers() {
        let num = |t: &str| match parse(t.as_bytes()) {
            Ok(Value::Number(n)) => Some(n),
            _ => None,
        };
        assert_eq!(num("9007199254740991"), Some(9_007_199_254_740_991.0));
        assert_eq!(num("9007199254740993"), Some(9_007_199_254_740_992.0));
        assert_eq!(
            num("18446744073709551615"),
            Some(18_446_744_073_709_551_615.0)
        );
        assert_eq!(num("1700000000.5"), Some(1_700_000_000.5));
        assert_eq!(num("17000000005e-1"), Some(1_700_000_000.5));
        assert_eq!(num("1.7E9"), Some(1_700_000_000.0));
        assert_eq!(num("-0"), Some(0.0));
        assert_eq!(num("0.000"), Some(0.0));
        assert_eq!(num("0e99999999999999999999"), Some(0.0));
        assert_eq!(num("1e-400"), Some(0.0));
        assert!(num("1.5e308").is_some_and(|n| (n / 1.5e308 - 1.0).abs() < 1e-12));
        assert_eq!(num("1e309"), None);
        assert_eq!(
            num("123456789012345678901234567890"),
            Some(1.2345678901234568e29)
        );
    }

    /// Numbers of up to 15 significant digits with a decimal exponent within
    /// ±22 (every time claim, every duration) read as the nearest f64, what
    /// `str::parse` and JS's `JSON.parse` give; longer ones within 2 ulps
    /// (serde_json's default float parsing: `float_roundtrip`, exact
    /// everywhere, costs 11 KB of wasm gzip). f64::MAX is accepted.
    #[test]
    fn numbers_are_correctly_rounded() {
        let num = |t: &str| match parse(t.as_bytes()) {
            Ok(Value::Number(n)) => n,
            other => panic!("{t}: {other:?}"),
        };
        let exact = |t: &str| {
            assert_eq!(num(t).to_bits(), t.parse::<f64>().unwrap().to_bits(), "{t}");
        };
        for t in [
            "0.1",
            "0.3",
            "-7.25",
            "1700000000.5",
            "1700000000.123456",
            "0.000001",
            "2.5e-3",
            "123456789012345e-22",
            "1e22",
            "9007199254740993",
            "18446744073709551615",
            "1.7976931348623157e308",
            "-1.7976931348623157e308",
            "1e308",
        ] {
            exact(t);
        }
        assert_eq!(num("1.7976931348623157e308"), f64::MAX);
        assert_eq!(parse(b"1e309"), Err(JsonError::Syntax));
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let r = next();
            let digits = r % 1_000_000_000_000_000;
            let exp = (r >> 58) as i32 % 23 * if r & 1 == 0 { 1 } else { -1 };
            exact(&format!("{digits}e{exp}"));
            exact(&format!("{}.{}", digits / 100_000, digits % 100_000));
            let long = format!("{}e{}", next() % 100_000_000_000_000_000, exp * 13);
            let (got, want) = (num(&long), long.parse::<f64>().unwrap());
            if want.is_normal() {
                let ulps = (got.to_bits() as i64 - want.to_bits() as i64).abs();
                assert!(ulps <= 2, "{long}: {ulps} ulps");
            }
        }
    }

    #[test]
    fn rejects_duplicates_at_any_depth() {
        assert_eq!(parse(br#"{"a":1,"a":2}"#), Err(JsonError::Duplicate));
        assert_eq!(
            parse(br#"{"x":{"a":1,"b":{"a":[{"k":1,"k":1}]}}}"#),
            Err(JsonError::Duplicate)
        );
        assert_eq!(parse(br#"{"a":1,"\u0061":2}"#), Err(JsonError::Duplicate));
        assert!(parse(br#"{"a":{"a":1}}"#).is_ok());
        // Both ways of finding them, below and above SMALL names, any position.
        for n in [2, SMALL - 1, SMALL, SMALL + 1, 40] {
            let names: Vec<String> = (0..n).map(|i| format!("\"k{i}\":{i}")).collect();
            assert!(
                parse(format!("{{{}}}", names.join(",")).as_bytes()).is_ok(),
                "{n}"
            );
            for (dup, of) in [(n - 1, 0), (n - 1, n - 2), (1, 0)] {
                let mut with = names.clone();
                if let Some(slot) = with.get_mut(dup) {
                    *slot = format!("\"k{of}\":true");
                }
                let text = format!("{{{}}}", with.join(","));
                assert_eq!(
                    parse(text.as_bytes()),
                    Err(JsonError::Duplicate),
                    "{n} {dup} {of}"
                );
            }
        }
    }

    #[test]
    fn bounds_depth() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse(deep(MAX_DEPTH).as_bytes()).is_ok());
        assert_eq!(
            parse(deep(MAX_DEPTH + 1).as_bytes()),
            Err(JsonError::TooDeep)
        );
        assert_eq!(parse(deep(10_000).as_bytes()), Err(JsonError::TooDeep));
        let objects = format!("{}1{}", r#"{"a":"#.repeat(10_000), "}".repeat(10_000));
        assert_eq!(parse(objects.as_bytes()), Err(JsonError::TooDeep));
    }

    const REJECTED: &[&[u8]] = &[
        b"",
        b" ",
        b"{",
        b"{} {}",
        b"{\"a\":1,}",
        b"[1,]",
        b"{'a':1}",
        b"{a:1}",
        b"{\"a\" 1}",
        b"{\"a\":NaN}",
        b"{\"a\":Infinity}",
        b"{\"a\":1e400}",
        b"{\"a\":-1e400}",
        b"{\"a\":01}",
        b"{\"a\":1.}",
        b"{\"a\":.5}",
        b"{\"a\":+1}",
        b"{\"a\":1e}",
        b"{\"a\":0x10}",
        b"{\"a\":\"\\ud800\"}",
        b"{\"a\":\"\\udc00\"}",
        b"{\"a\":\"\\ud800\\u0041\"}",
        b"{\"a\":\"\\x41\"}",
        b"{\"a\":\"\\u12\"}",
        b"{\"a\":\"\xff\"}",
        b"{\"a\":\"\xc0\xaf\"}",
        b"{\"a\":\"\xed\xa0\x80\"}",
        b"{\"a\":\"tab\there\"}",
        b"{\"a\":\"\x00\"}",
        b"\xef\xbb\xbf{}",
        b"{\"a\":tru}",
        b"{\"a\":nul}",
        b"\"unterminated",
        b"{\"a\":1}\x00",
        b"[1 2]",
        b"\x0c{}",
    ];

    #[test]
    fn rejects_what_rfc_8259_rejects() {
        for bad in REJECTED {
            assert_eq!(
                parse(bad).map(|_| ()),
                Err(JsonError::Syntax),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(parse_object(b"[1]"), Err(JsonError::Syntax));
        assert!(parse_object(b" {\"a\" : [1, 2.5, null, true]}\r\n\t").is_ok());
    }

    /// The visitor builds what serde_json's own `Value` holds, member for
    /// member and number for number, and refuses only what it adds (duplicate
    /// names, depth), over hand-picked and generated inputs.
    #[test]
    fn agrees_with_serde_json() {
        fn to_serde(v: &Value) -> serde_json::Value {
            match v {
                Value::Null => serde_json::Value::Null,
                Value::Bool(b) => serde_json::Value::Bool(*b),
                Value::Number(n) => serde_json::json!(*n),
                Value::String(s) => serde_json::Value::String(s.clone()),
                Value::Array(a) => serde_json::Value::Array(a.iter().map(to_serde).collect()),
                Value::Object(m) => serde_json::Value::Object(
                    m.iter().map(|(k, v)| (k.to_owned(), to_serde(v))).collect(),
                ),
            }
        }
        fn normalize(v: serde_json::Value) -> serde_json::Value {
            match v {
                serde_json::Value::Number(n) => serde_json::json!(n.as_f64().unwrap_or(f64::NAN)),
                serde_json::Value::Array(a) => {
                    serde_json::Value::Array(a.into_iter().map(normalize).collect())
                }
                serde_json::Value::Object(m) => serde_json::Value::Object(
                    m.into_iter().map(|(k, v)| (k, normalize(v))).collect(),
                ),
                other => other,
            }
        }
        let mut inputs: Vec<Vec<u8>> = REJECTED.iter().map(|b| b.to_vec()).collect();
        let pieces: [&[u8]; 24] = [
            b"{",
            b"}",
            b"[",
            b"]",
            b",",
            b":",
            b"\"a\"",
            b"\"b\\n\"",
            b"1",
            b"-0.5",
            b"1e3",
            b"2E-2",
            b"true",
            b"null",
            b" ",
            b"\"\\u00e9\"",
            b"\"\\ud83d\\ude00\"",
            b"\"",
            b"0",
            b"12345678901234567890",
            b"\xc3\xa9",
            b"\"x\"",
            b"\\",
            b"\t",
        ];
        // A small deterministic generator (xorshift) stringing pieces together.
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let mut s = Vec::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = 1 + (state % 9) as usize;
            for k in 0..len {
                let idx = ((state >> (k * 5)) % pieces.len() as u64) as usize;
                s.extend_from_slice(pieces[idx]);
            }
            inputs.push(s);
        }
        for text in inputs {
            let ours = parse(&text);
            let theirs = serde_json::from_slice::<serde_json::Value>(&text);
            match (&ours, theirs) {
                (Ok(v), Ok(t)) => {
                    let (v, t) = (to_serde(v), normalize(t));
                    assert_eq!(v, t, "{:?}", String::from_utf8_lossy(&text));
                }
                // serde_json keeps the last of duplicate names; we refuse.
                (Err(JsonError::Duplicate), Ok(_)) => {}
                (Err(_), Err(_)) => {}
                (o, t) => panic!(
                    "{:?}: ours {o:?}, serde_json {t:?}",
                    String::from_utf8_lossy(&text)
                ),
            }
        }
    }

    #[test]
    fn writes_string_literals() {
        let mut out = String::new();
        write_str_array(&mut out, &["a\"b\\c\n\u{1}é".to_owned(), String::new()]);
        assert_eq!(out, "[\"a\\\"b\\\\c\\n\\u0001é\",\"\"]");
        assert_eq!(
            parse(out.as_bytes())
                .ok()
                .and_then(|v| v.as_array().map(<[Value]>::len)),
            Some(2)
        );
    }
}
