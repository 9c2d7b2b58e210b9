//! Strict JSON (RFC 8259) for headers, payloads, keys and options, written
//! for what a JOSE verifier needs:
//!
//! - duplicate member names are rejected (RFC 7515 §5.2 permits a parser that
//!   takes the last one, but then two parsers read one signed token two ways);
//! - nesting depth is bounded, so hostile input cannot exhaust the stack;
//! - invalid UTF-8, lone surrogate escapes, control characters, a BOM,
//!   trailing data and numbers that overflow an f64 are rejected.
//!
//! It is our own rather than serde_json because it is the one parser on the
//! hot path and the wasm size budget cannot carry serde's generic machinery
//! and float formatting; the tests check it against serde_json.

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
    let mut p = Parser { text, pos: 0 };
    let value = p.value(MAX_DEPTH)?;
    p.whitespace();
    if p.pos != text.len() {
        return Err(JsonError::Syntax);
    }
    Ok(value)
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

/// Appends `s` as a JSON string literal.
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

struct Parser<'a> {
    text: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    // Inlined at every opt-level (at "s" or "z" LLVM may keep it out of line): called
    // per byte, a call each costs more than the body.
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    #[inline(always)]
    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect(&mut self, b: u8) -> Result<(), JsonError> {
        if self.next() == Some(b) {
            Ok(())
        } else {
            Err(JsonError::Syntax)
        }
    }

    fn literal(&mut self, word: &[u8], value: Value) -> Result<Value, JsonError> {
        let end = self.pos.saturating_add(word.len());
        if self.text.get(self.pos..end) == Some(word) {
            self.pos = end;
            Ok(value)
        } else {
            Err(JsonError::Syntax)
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.whitespace();
        match self.peek() {
            Some(b'{') => self.object(depth.checked_sub(1).ok_or(JsonError::TooDeep)?),
            Some(b'[') => self.array(depth.checked_sub(1).ok_or(JsonError::TooDeep)?),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal(b"true", Value::Bool(true)),
            Some(b'f') => self.literal(b"false", Value::Bool(false)),
            Some(b'n') => self.literal(b"null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(JsonError::Syntax),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.expect(b'{')?;
        let mut map = Map::new();
        self.whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(map));
        }
        loop {
            self.whitespace();
            let key = self.string()?;
            self.whitespace();
            self.expect(b':')?;
            let value = self.value(depth)?;
            map.members.push((key, value));
            self.whitespace();
            match self.next() {
                Some(b',') => {}
                Some(b'}') if map.has_duplicates() => return Err(JsonError::Duplicate),
                Some(b'}') => return Ok(Value::Object(map)),
                _ => return Err(JsonError::Syntax),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.whitespace();
            match self.next() {
                Some(b',') => {}
                Some(b']') => return Ok(Value::Array(items)),
                _ => return Err(JsonError::Syntax),
            }
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.expect(b'"')?;
        let start = self.pos;
        // Fast path: no escapes.
        loop {
            match self.peek() {
                Some(b'"') => {
                    let raw = self.text.get(start..self.pos).ok_or(JsonError::Syntax)?;
                    self.pos += 1;
                    return String::from_utf8(raw.to_vec()).map_err(|_| JsonError::Syntax);
                }
                Some(b'\\') => break,
                Some(0x00..=0x1f) | None => return Err(JsonError::Syntax),
                Some(_) => self.pos += 1,
            }
        }
        let mut buf = self
            .text
            .get(start..self.pos)
            .ok_or(JsonError::Syntax)?
            .to_vec();
        loop {
            match self.next() {
                Some(b'"') => return String::from_utf8(buf).map_err(|_| JsonError::Syntax),
                Some(b'\\') => {
                    let c = match self.next() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => self.unicode_escape()?,
                        _ => return Err(JsonError::Syntax),
                    };
                    let mut tmp = [0u8; 4];
                    buf.extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
                }
                Some(0x00..=0x1f) | None => return Err(JsonError::Syntax),
                Some(b) => buf.push(b),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = char::from(self.next().ok_or(JsonError::Syntax)?)
                .to_digit(16)
                .ok_or(JsonError::Syntax)?;
            v = (v << 4) | d;
        }
        Ok(v)
    }

    /// `\uXXXX`, combining a surrogate pair; a lone surrogate is an error
    /// (it has no UTF-8 form, and JS would keep it as an unpaired code unit).
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        let code = match first {
            0xd800..=0xdbff => {
                if self.next() != Some(b'\\') || self.next() != Some(b'u') {
                    return Err(JsonError::Syntax);
                }
                let second = self.hex4()?;
                if !(0xdc00..=0xdfff).contains(&second) {
                    return Err(JsonError::Syntax);
                }
                0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)
            }
            0xdc00..=0xdfff => return Err(JsonError::Syntax),
            c => c,
        };
        char::from_u32(code).ok_or(JsonError::Syntax)
    }

    /// Reads a number per the RFC 8259 grammar. The value is exact for
    /// integers up to 2^64 and within a few ulps otherwise (a fraction or an
    /// exponent): tollgate only compares numbers with whole seconds, and a
    /// full decimal-to-float conversion would double this module's size.
    fn number(&mut self) -> Result<Value, JsonError> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let mut mantissa: u64 = 0;
        let mut exp10: i64 = 0;
        let mut take = |d: u8, scale: i64, exp10: &mut i64| {
            match mantissa
                .checked_mul(10)
                .and_then(|m| m.checked_add(u64::from(d - b'0')))
            {
                Some(m) => {
                    mantissa = m;
                    *exp10 = exp10.saturating_add(scale);
                }
                // Beyond 19 digits, further integer digits only scale.
                None => *exp10 = exp10.saturating_add(scale + 1),
            }
        };
        // int = zero / ( digit1-9 *DIGIT ): no leading zeros.
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                take(b'0', 0, &mut exp10);
            }
            Some(b'1'..=b'9') => {
                while let Some(d @ b'0'..=b'9') = self.peek() {
                    self.pos += 1;
                    take(d, 0, &mut exp10);
                }
            }
            _ => return Err(JsonError::Syntax),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            let mut fraction = false;
            while let Some(d @ b'0'..=b'9') = self.peek() {
                self.pos += 1;
                fraction = true;
                take(d, -1, &mut exp10);
            }
            if !fraction {
                return Err(JsonError::Syntax);
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            let sign: i64 = match self.peek() {
                Some(b'-') => {
                    self.pos += 1;
                    -1
                }
                Some(b'+') => {
                    self.pos += 1;
                    1
                }
                _ => 1,
            };
            let mut exponent: i64 = 0;
            let mut digits = 0;
            while let Some(d @ b'0'..=b'9') = self.peek() {
                self.pos += 1;
                digits += 1;
                exponent = exponent
                    .saturating_mul(10)
                    .saturating_add(i64::from(d - b'0'));
            }
            if digits == 0 {
                return Err(JsonError::Syntax);
            }
            exp10 = exp10.saturating_add(sign.saturating_mul(exponent));
        }
        let magnitude = if mantissa == 0 {
            0.0
        } else {
            let exp = i32::try_from(exp10.clamp(-400, 400)).unwrap_or(0);
            // Split the scaling so that 10^exp itself stays finite where the product is.
            (mantissa as f64) * 10f64.powi(exp / 2) * 10f64.powi(exp - exp / 2)
        };
        // A number too large for an f64 would read as Infinity in JS: refuse it.
        if !magnitude.is_finite() {
            return Err(JsonError::Syntax);
        }
        Ok(Value::Number(if negative { -magnitude } else { magnitude }))
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

    /// Differential check against serde_json on the accept/reject decision and
    /// on every parsed value, over hand-picked and generated inputs.
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
        fn close(a: &serde_json::Value, b: &serde_json::Value) -> bool {
            use serde_json::Value as V;
            match (a, b) {
                (V::Number(x), V::Number(y)) => {
                    let (x, y) = (
                        x.as_f64().unwrap_or(f64::NAN),
                        y.as_f64().unwrap_or(f64::NAN),
                    );
                    x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs())
                }
                (V::Array(x), V::Array(y)) => {
                    x.len() == y.len() && x.iter().zip(y).all(|(a, b)| close(a, b))
                }
                (V::Object(x), V::Object(y)) => {
                    x.len() == y.len()
                        && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| close(v, w)))
                }
                _ => a == b,
            }
        }
        for text in inputs {
            let ours = parse(&text);
            let theirs = serde_json::from_slice::<serde_json::Value>(&text);
            match (&ours, theirs) {
                (Ok(v), Ok(t)) => {
                    let (v, t) = (to_serde(v), normalize(t));
                    assert!(
                        close(&v, &t),
                        "{:?}: {v} vs {t}",
                        String::from_utf8_lossy(&text)
                    );
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
