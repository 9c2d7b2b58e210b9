//! Route questions about the compiled rules, for tools: which rules a request
//! matches (`Policy::cover`) and which rules no request ever reaches
//! (`Policy::shadowed`), answered with the same patterns and methods that
//! evaluation matches with (`crate::route`).

use super::model::Policy;
use crate::route;

/// The rules a request matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cover {
    /// The normalized path segments, as matching reads them.
    pub path: Vec<String>,
    /// Indices of the rules whose method and path match, in order: the
    /// first decides, the others are never consulted for this request.
    pub matches: Vec<usize>,
}

impl Cover {
    /// The rule that decides, if any matches.
    pub fn rule(&self) -> Option<usize> {
        self.matches.first().copied()
    }

    /// `{"path":[…],"rule":0|null,"matches":[…]}`.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\"path\":");
        crate::json::write_str_array(&mut out, &self.path);
        out.push_str(",\"rule\":");
        match self.rule() {
            Some(i) => out.push_str(&i.to_string()),
            None => out.push_str("null"),
        }
        out.push_str(",\"matches\":[");
        let matches: Vec<String> = self.matches.iter().map(usize::to_string).collect();
        out.push_str(&matches.join(","));
        out.push_str("]}");
        out
    }
}

/// A rule that never decides: earlier rules match every request it matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shadowed {
    /// The shadowed rule.
    pub index: usize,
    /// A minimal set of the earliest rules that together match all it matches.
    pub by: Vec<usize>,
}

impl Policy {
    /// The rules matching `method` and `path`, in order. `Err` (with the
    /// reason) when the path is refused, which evaluation answers with 400.
    pub fn cover(&self, method: &str, path: &str) -> Result<Cover, &'static str> {
        let path = route::normalize(path)?;
        let matches = self
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.methods.matches(method) && r.path.matches(&path))
            .map(|(i, _)| i)
            .collect();
        Ok(Cover { path, matches })
    }

    /// The rules that never decide anything, in order, each with the earlier
    /// rules that shadow it (a minimal set, preferring the earliest).
    pub fn shadowed(&self) -> Vec<Shadowed> {
        let routes: Vec<_> = self.rules.iter().map(|r| (&r.methods, &r.path)).collect();
        let mut out = Vec::new();
        for (index, rule) in self.rules.iter().enumerate() {
            let mut by: Vec<usize> = (0..index).collect();
            let covered = |by: &[usize]| {
                let earlier: Vec<_> = by.iter().filter_map(|&i| routes.get(i).copied()).collect();
                route::routes_cover(&earlier, &rule.methods, &rule.path)
            };
            if !covered(&by) {
                continue;
            }
            // Keep the earliest rules that still cover it: drop the later ones first.
            for i in (0..by.len()).rev() {
                let mut without = by.clone();
                without.remove(i);
                if !without.is_empty() && covered(&without) {
                    by = without;
                }
            }
            out.push(Shadowed { index, by });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// A policy with one scope and rules of (method, path).
    fn rules(rules: &[(&str, &str)]) -> Policy {
        let rules: Vec<String> = rules
            .iter()
            .map(|(m, p)| {
                let method = if m.contains(',') {
                    let names: Vec<String> = m.split(',').map(|n| format!("\"{n}\"")).collect();
                    format!("[{}]", names.join(","))
                } else {
                    format!("\"{m}\"")
                };
                format!(r#"{{"method":{method},"path":"{p}","scopes":["a"]}}"#)
            })
            .collect();
        let doc = format!(
            r#"{{"version":1,"scopes":{{"a":{{}}}},"rules":[{}]}}"#,
            rules.join(",")
        );
        Policy::from_json(doc.as_bytes()).unwrap()
    }

    fn shadowed(r: &[(&str, &str)]) -> Vec<(usize, Vec<usize>)> {
        rules(r)
            .shadowed()
            .into_iter()
            .map(|s| (s.index, s.by))
            .collect()
    }

    #[test]
    fn cover_lists_every_matching_rule_in_order() {
        let p = rules(&[
            ("GET", "/a/:id"),
            ("*", "/a/**"),
            ("POST", "/a/x"),
            ("GET", "/b"),
        ]);
        let c = p.cover("GET", "/a/x?q=1").unwrap();
        assert_eq!((c.rule(), c.matches.clone()), (Some(0), vec![0, 1]));
        assert_eq!(c.path, vec!["a".to_owned(), "x".to_owned()]);
        assert_eq!(p.cover("post", "/a//x/").unwrap().matches, vec![1, 2]);
        assert_eq!(
            p.cover("HEAD", "/b").unwrap().matches,
            vec![3],
            "GET covers HEAD"
        );
        assert_eq!(p.cover("PUT", "/b").unwrap().rule(), None);
        assert!(p.cover("GET", "/a/../b").is_err());
    }

    #[test]
    fn shadowed_rules_name_a_minimal_earliest_set() {
        assert_eq!(
            shadowed(&[("GET", "/a/**"), ("GET", "/a/:id")]),
            vec![(1, vec![0])]
        );
        assert_eq!(shadowed(&[("GET", "/a/:id"), ("GET", "/a/**")]), vec![]);
        assert_eq!(shadowed(&[("GET", "/a/*"), ("GET", "/a/**")]), vec![]);
        assert_eq!(shadowed(&[("GET", "/a/me"), ("GET", "/a/:id")]), vec![]);
        assert_eq!(
            shadowed(&[("GET", "/a"), ("POST", "/a"), ("GET,POST", "/a")]),
            vec![(2, vec![0, 1])]
        );
        assert_eq!(
            shadowed(&[("GET", "/a"), ("GET", "/a/*/**"), ("GET", "/a/**")]),
            vec![(2, vec![0, 1])]
        );
        assert_eq!(
            shadowed(&[("GET", "/a/**"), ("GET", "/a/:id"), ("GET", "/a/:id")]),
            vec![(1, vec![0]), (2, vec![0])]
        );
        assert_eq!(
            shadowed(&[("GET", "/a"), ("HEAD", "/a")]),
            vec![(1, vec![0])]
        );
        assert_eq!(shadowed(&[("HEAD", "/a"), ("GET", "/a")]), vec![]);
        assert_eq!(
            shadowed(&[("get", "/a"), ("GET", "/a")]),
            vec![(1, vec![0])]
        );
        assert_eq!(shadowed(&[("GET", "/a/**"), ("*", "/a/x")]), vec![]);
        assert_eq!(shadowed(&[("*", "/**"), ("GET", "/")]), vec![(1, vec![0])]);
        assert_eq!(shadowed(&[("GET", "/"), ("GET", "/a")]), vec![]);
    }
}
