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

impl Methods {
    /// The request methods this matches by name (`GET` brings `HEAD`, as
    /// [`Methods::matches`] does); `None` for any method.
    pub fn requested(&self) -> Option<Vec<String>> {
        match self {
            Methods::Any => None,
            Methods::List(list) => {
                let mut out = list.clone();
                if out.iter().any(|m| m == "GET") && !out.iter().any(|m| m == "HEAD") {
                    out.push("HEAD".to_owned());
                }
                Some(out)
            }
        }
    }
}

/// A class of request segments at one point of a coverage question: a
/// literal some pattern spells there, or any segment none of them spells.
#[derive(Clone, Copy)]
enum Class<'a> {
    Literal(&'a str),
    Other,
}

/// Patterns still in play: (index into the general patterns, segments consumed).
type State = Vec<(usize, usize)>;

struct Coverage<'a> {
    general: &'a [&'a Pattern],
    /// Answers known so far, sorted by question (a sorted `Vec`: a map's code costs ~KBs of wasm).
    memo: Vec<((usize, State), bool)>,
}

impl<'a> Coverage<'a> {
    fn head(&self, &(p, at): &(usize, usize)) -> Option<&'a Segment> {
        self.general.get(p).and_then(|g| g.segments.get(at))
    }

    /// The patterns of `state` that match one more segment of `class`.
    fn step(&self, state: &[(usize, usize)], class: Class<'_>) -> State {
        state
            .iter()
            .filter(|s| match (self.head(s), class) {
                (Some(Segment::One), _) => true,
                (Some(Segment::Literal(l)), Class::Literal(c)) => l == c,
                _ => false,
            })
            .map(|&(p, at)| (p, at + 1))
            .collect()
    }

    /// Whether the patterns of `state` together match every path `rest` matches.
    /// Decided segment by segment: a literal steps every pattern by it; a
    /// wildcard must be covered for each literal the patterns spell at that
    /// point and for one segment none of them spells. Each step consumes a
    /// segment of every remaining pattern, so it ends; the memo keeps repeated
    /// sub-questions cheap.
    fn covers(&mut self, state: State, rest: &[Segment]) -> bool {
        if state
            .iter()
            .any(|s| matches!(self.head(s), Some(Segment::Rest)))
        {
            return true;
        }
        if state.is_empty() {
            return false;
        }
        let key = (rest.len(), state);
        if let Ok(found) = self.memo.binary_search_by(|(k, _)| k.cmp(&key)) {
            return self.memo.get(found).is_some_and(|(_, known)| *known);
        }
        let state = &key.1;
        let ends_here = state.iter().any(|s| self.head(s).is_none());
        let after = rest.get(1..).unwrap_or_default();
        let result = match rest.first() {
            None => ends_here,
            Some(Segment::Literal(l)) => {
                let next = self.step(state, Class::Literal(l));
                self.covers(next, after)
            }
            Some(wild) => {
                let mut classes: Vec<Class<'a>> = Vec::new();
                for s in state {
                    if let Some(Segment::Literal(l)) = self.head(s) {
                        if !classes
                            .iter()
                            .any(|c| matches!(c, Class::Literal(x) if x == l))
                        {
                            classes.push(Class::Literal(l));
                        }
                    }
                }
                classes.push(Class::Other);
                // `**` also matches nothing more, and then every first segment followed by `**` again.
                let (ok, next_rest) = match wild {
                    Segment::Rest => (ends_here, rest),
                    _ => (true, after),
                };
                ok && classes.into_iter().all(|c| {
                    let next = self.step(state, c);
                    self.covers(next, next_rest)
                })
            }
        };
        // The recursion above added answers: find the slot now.
        let slot = match self.memo.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(found) | Err(found) => found.min(self.memo.len()),
        };
        self.memo.insert(slot, (key, result));
        result
    }
}

/// Whether the patterns `general` together match every request path that
/// `specific` matches: `/a/**` covers `/a/:id` and `/a`; `/a/*` does not
/// cover `/a/**` (`/a`, `/a/b/c`); `/a` and `/a/*/**` together cover `/a/**`.
pub fn covers(general: &[&Pattern], specific: &Pattern) -> bool {
    let mut coverage = Coverage {
        general,
        memo: Vec::new(),
    };
    let start = (0..general.len()).map(|p| (p, 0)).collect();
    coverage.covers(start, &specific.segments)
}

/// Whether the routes `earlier` together match every request (method and
/// path) that `methods` and `pattern` match: for each method the later route
/// matches by name (and, for `*`, each method the earlier ones name and one
/// they do not), the earlier routes matching that method cover its paths.
pub fn routes_cover(
    earlier: &[(&Methods, &Pattern)],
    methods: &Methods,
    pattern: &Pattern,
) -> bool {
    let classes: Vec<Option<String>> = match methods.requested() {
        Some(names) => names.into_iter().map(Some).collect(),
        None => {
            let mut named: Vec<Option<String>> = Vec::new();
            for (m, _) in earlier {
                for name in m.requested().unwrap_or_default() {
                    if !named.iter().flatten().any(|n| *n == name) {
                        named.push(Some(name));
                    }
                }
            }
            named.push(None);
            named
        }
    };
    classes.iter().all(|class| {
        let paths: Vec<&Pattern> = earlier
            .iter()
            .filter(|(m, _)| match class {
                Some(name) => m.matches(name),
                None => **m == Methods::Any,
            })
            .map(|(_, p)| *p)
            .collect();
        !paths.is_empty() && covers(&paths, pattern)
    })
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
    fn pat(text: &str) -> Pattern {
        Pattern::parse(text).unwrap()
    }

    fn cover(general: &[&str], specific: &str) -> bool {
        let general: Vec<Pattern> = general.iter().map(|g| pat(g)).collect();
        let refs: Vec<&Pattern> = general.iter().collect();
        covers(&refs, &pat(specific))
    }

    #[test]
    fn one_pattern_covers_another() {
        for (general, specific, expected) in [
            ("/a/**", "/a/:id", true),
            ("/a/**", "/a", true),
            ("/a/*", "/a/**", false),
            ("/a/:x", "/a/*", true),
            ("/a/*", "/a/:x", true),
            ("/a/x", "/a/*", false),
            ("/a/*/c", "/a/b/c", true),
            ("/a/b/c", "/a/*/c", false),
            ("/**", "/", true),
            ("/**", "/x/y/**", true),
            ("/*/**", "/**", false),
            ("/a//b/", "/a/b", true),
            ("/a/:id", "/a/:id/x", false),
            ("/A/**", "/a/x", false),
            ("/", "/a", false),
            // Literals compare decoded, as requests are matched.
            ("/a%20b", "/a b", true),
        ] {
            assert_eq!(
                cover(&[general], specific),
                expected,
                "{general} over {specific}"
            );
        }
    }

    #[test]
    fn patterns_cover_together() {
        assert!(cover(&["/a", "/a/*/**"], "/a/**"));
        assert!(!cover(&["/a/*/**"], "/a/**"));
        assert!(!cover(&["/a/x", "/a/y"], "/a/*"));
        assert!(cover(&["/a/x", "/a/:id"], "/a/*"));
        assert!(!cover(&[], "/a"));
    }

    #[test]
    fn many_overlapping_wildcards_stay_fast() {
        // Pattern i is `*` everywhere but a literal `x` at position i: 2^14 paths to tell apart.
        let depth = 14;
        let general: Vec<String> = (0..depth)
            .map(|i| {
                let segs: Vec<&str> = (0..depth).map(|j| if i == j { "x" } else { "*" }).collect();
                format!("/{}/**", segs.join("/"))
            })
            .collect();
        let refs: Vec<&str> = general.iter().map(String::as_str).collect();
        let all_stars = format!("/{}**", "*/".repeat(depth));
        let start = std::time::Instant::now();
        assert!(!cover(&refs, &all_stars));
        let mut more = refs.clone();
        more.push(&all_stars);
        assert!(cover(&more, &format!("/{}q", "x/".repeat(depth))));
        assert!(start.elapsed().as_secs() < 5);
    }

    #[test]
    fn routes_cover_by_method() {
        let m = |names: &[&str]| {
            Methods::parse(&names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()).unwrap()
        };
        let (get, head, post, any) = (m(&["GET"]), m(&["HEAD"]), m(&["POST"]), m(&["*"]));
        let a = pat("/a");
        let all = pat("/**");
        assert!(routes_cover(&[(&get, &a)], &head, &a), "GET covers HEAD");
        assert!(
            !routes_cover(&[(&head, &a)], &get, &a),
            "HEAD does not cover GET"
        );
        assert!(!routes_cover(&[(&get, &a)], &m(&["GET", "POST"]), &a));
        assert!(routes_cover(
            &[(&get, &a), (&post, &a)],
            &m(&["get", "post"]),
            &a
        ));
        assert!(routes_cover(&[(&any, &all)], &post, &a));
        assert!(
            !routes_cover(&[(&get, &all)], &any, &a),
            "a named method does not cover *"
        );
        let named = m(&["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
        assert!(
            !routes_cover(&[(&named, &all)], &any, &a),
            "a method no earlier route names still reaches *"
        );
        assert!(routes_cover(&[(&named, &all), (&any, &a)], &any, &a));
        assert_eq!(
            get.requested(),
            Some(vec!["GET".to_owned(), "HEAD".to_owned()])
        );
        assert_eq!(any.requested(), None);
    }
}
