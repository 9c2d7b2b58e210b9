//! Route patterns of policy rules and the request paths they match.
//!
//! Patterns: `/messages/:id`, `/files/*/meta`, `/admin/**`. A request path is
//! normalized before matching, the way an origin server will read it:
//! query and fragment dropped, empty segments ignored (`/a//b/` is `/a/b`),
//! each segment percent-decoded. A path an origin could resolve to another
//! route (`.`/`..` segments, plain or encoded, an encoded `/` or `\` inside a
//! segment, control characters) is refused rather than guessed at.

/// One segment of a pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// Matches exactly this (decoded) text.
    Literal(String),
    /// `:name` or `*`: any one segment.
    One,
    /// `**`: zero or more segments; last in a pattern.
    Rest,
}

/// A compiled path pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    segments: Vec<Segment>,
}

impl Pattern {
    /// Compiles `text`; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Pattern, &'static str> {
        let rest = text
            .strip_prefix('/')
            .ok_or("a path pattern must start with /")?;
        if text.contains(['?', '#']) {
            return Err("a path pattern cannot contain ? or #");
        }
        let mut segments = Vec::new();
        let raw: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
        for (i, s) in raw.iter().enumerate() {
            let segment = match *s {
                "**" if i + 1 == raw.len() => Segment::Rest,
                "**" => return Err("** must be the last segment of a path pattern"),
                "*" => Segment::One,
                p if p.starts_with(':') => {
                    let name = p.get(1..).unwrap_or("");
                    if name.is_empty()
                        || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                    {
                        return Err("a :parameter needs a name of letters, digits or _");
                    }
                    Segment::One
                }
                p if p.contains('*') => {
                    return Err("* and ** must be whole segments (no partial wildcards)")
                }
                p => Segment::Literal(
                    decode_segment(p)
                        .map_err(|_| "a path pattern segment is not a valid path segment")?,
                ),
            };
            segments.push(segment);
        }
        Ok(Pattern { segments })
    }

    /// The segments.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Whether the normalized request path `path` matches.
    pub fn matches(&self, path: &[String]) -> bool {
        let mut rest = path.iter();
        for segment in &self.segments {
            match segment {
                Segment::Rest => return true,
                Segment::One => {
                    if rest.next().is_none() {
                        return false;
                    }
                }
                Segment::Literal(l) => {
                    if rest.next() != Some(l) {
                        return false;
                    }
                }
            }
        }
        rest.next().is_none()
    }
}

/// Why a request path is refused.
pub const BAD_PATH: &str =
    "the request path is not a normalized absolute path (dot segments, an encoded slash or backslash, or control characters)";

/// Normalizes a request path (see the module docs) into decoded segments.
pub fn normalize(path: &str) -> Result<Vec<String>, &'static str> {
    let end = path.find(['?', '#']).unwrap_or(path.len());
    let path = path.get(..end).unwrap_or("");
    let rest = path.strip_prefix('/').ok_or(BAD_PATH)?;
    rest.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| decode_segment(s).map_err(|_| BAD_PATH))
        .collect()
}

/// Percent-decodes one segment, refusing what could change the route.
fn decode_segment(raw: &str) -> Result<String, ()> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).and_then(|c| char::from(*c).to_digit(16));
            let (Some(hi), Some(lo)) = (hex(i + 1), hex(i + 2)) else {
                return Err(());
            };
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    let text = String::from_utf8(out).map_err(|_| ())?;
    if text == "."
        || text == ".."
        || text.contains(['/', '\\'])
        || text.chars().any(char::is_control)
    {
        return Err(());
    }
    Ok(text)
}

/// Methods a rule matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Methods {
    /// `*`: every method.
    Any,
    /// These methods (upper case); `GET` also matches `HEAD`.
    List(Vec<String>),
}

impl Methods {
    /// Compiles a list of method names (`*` alone means any).
    pub fn parse(names: &[String]) -> Result<Methods, &'static str> {
        if names.is_empty() {
            return Err("a rule needs at least one method");
        }
        if names.iter().any(|m| m == "*") {
            return if names.len() == 1 {
                Ok(Methods::Any)
            } else {
                Err("* cannot be listed with other methods")
            };
        }
        let mut list = Vec::new();
        for name in names {
            // RFC 9110 §9.1: a method is a token.
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
            {
                return Err("a method must be an HTTP token such as GET");
            }
            let upper = name.to_ascii_uppercase();
            if list.contains(&upper) {
                return Err("a method is listed twice");
            }
            list.push(upper);
        }
        Ok(Methods::List(list))
    }

    /// Whether `method` (any case) matches. A rule for `GET` covers `HEAD`,
    /// as routers do: a HEAD must not slip past a GET rule to the default.
    pub fn matches(&self, method: &str) -> bool {
        match self {
            Methods::Any => true,
            Methods::List(list) => list.iter().any(|m| {
                m.eq_ignore_ascii_case(method)
                    || (m == "GET" && method.eq_ignore_ascii_case("HEAD"))
            }),
        }
    }

    /// The names, `["*"]` for any.
    pub fn names(&self) -> Vec<String> {
        match self {
            Methods::Any => vec!["*".to_owned()],
            Methods::List(l) => l.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        Pattern::parse(pattern)
            .unwrap()
            .matches(&normalize(path).unwrap())
    }

    #[test]
    fn patterns_match_segments() {
        assert!(m("/messages/**", "/messages"));
        assert!(m("/messages/**", "/messages/1/replies"));
        assert!(!m("/messages/**", "/messagesX"));
        assert!(!m("/messages/**", "/"));
        assert!(m("/messages/:id", "/messages/42"));
        assert!(!m("/messages/:id", "/messages"));
        assert!(!m("/messages/:id", "/messages/42/x"));
        assert!(m("/files/*/meta", "/files/a/meta"));
        assert!(m("/", "/"));
        assert!(m("/**", "/"));
        assert!(!m("/", "/a"));
        assert!(!m("/Messages/:id", "/messages/1"));
    }

    #[test]
    fn request_paths_are_normalized_as_an_origin_reads_them() {
        assert!(m("/a/b", "/a//b/"));
        assert!(m("/a/b", "/a/b?x=/admin#frag"));
        assert!(m("/admin/**", "/%61dmin/x"));
        assert!(m("/caf%C3%A9", "/café"));
        assert!(m("/a b", "/a%20b"));
        for bad in [
            "",
            "a/b",
            "/a/../admin",
            "/a/./b",
            "/a/%2e%2E/admin",
            "/a/%2E",
            "/a%2Fb",
            "/a%5cb",
            "/a\\b",
            "/a%00",
            "/a%zz",
            "/a%4",
            "/%ff",
        ] {
            assert_eq!(normalize(bad), Err(BAD_PATH), "{bad}");
        }
    }

    #[test]
    fn bad_patterns_are_refused() {
        for bad in [
            "", "messages", "/a/**/b", "/a/:", "/a/:x-y", "/a/b*", "/a?x", "/a/..", "/%zz",
        ] {
            assert!(Pattern::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn methods() {
        let get = Methods::parse(&["get".into(), "POST".into()]).unwrap();
        assert!(get.matches("GET") && get.matches("head") && get.matches("post"));
        assert!(!get.matches("DELETE"));
        let put = Methods::parse(&["PUT".into()]).unwrap();
        assert!(!put.matches("HEAD"));
        assert_eq!(Methods::parse(&["*".into()]), Ok(Methods::Any));
        assert!(Methods::parse(&["*".into(), "GET".into()]).is_err());
        assert!(Methods::parse(&[]).is_err());
        assert!(Methods::parse(&["GE T".into()]).is_err());
        assert!(Methods::parse(&["GET".into(), "get".into()]).is_err());
    }
}
