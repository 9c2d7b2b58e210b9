//! What API keys ([`crate::apikey`]) and Basic credentials ([`crate::basic`])
//! have in common: the verified result every credential ends in, so that the
//! same scope checks and policy apply to all of them, and the strict reading
//! of their JSON documents, with the JSON path of every load error.

use crate::error::Error;
use crate::json::{self, write_str, Map, Value};
use crate::scopes;

/// A verified credential, in the shape of a verified token: the subject, a
/// synthesized claims object (`sub`, `scope`, `roles`, …) that scope and role
/// checks and the policy read as they read a token's, and what the
/// credential was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authenticated {
    /// The key's id, or the Basic username.
    pub subject: String,
    /// The synthesized claims, as JSON text.
    pub claims_json: String,
    /// The scopes granted, in catalog order.
    pub scopes: Vec<String>,
    /// The roles held, in catalog order.
    pub roles: Vec<String>,
    /// `{"kind":"apikey","id",…}` or `{"kind":"basic","username"}`, as JSON text.
    pub credential_json: String,
}

impl Authenticated {
    /// `{"subject","claims","scopes","roles","credential"}` as JSON text.
    #[inline(never)]
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(
            self.claims_json.len() + self.credential_json.len() + self.subject.len() + 64,
        );
        out.push_str("{\"subject\":");
        write_str(&mut out, &self.subject);
        out.push_str(",\"claims\":");
        out.push_str(&self.claims_json);
        out.push_str(",\"scopes\":");
        json::write_str_array(&mut out, &self.scopes);
        out.push_str(",\"roles\":");
        json::write_str_array(&mut out, &self.roles);
        out.push_str(",\"credential\":");
        out.push_str(&self.credential_json);
        out.push('}');
        out
    }

    /// Checks the requirements of one request: every scope of `scopes` and
    /// every role of `roles` (403 `ERR_JWT_INSUFFICIENT_SCOPE` /
    /// `ERR_JWT_INSUFFICIENT_ROLE`, as for a token).
    pub fn require(&self, scopes: &[String], roles: &[String]) -> Result<(), Error> {
        let check = scopes::check(&self.scopes, scopes, scopes::Mode::All);
        if !check.ok {
            return Err(Error::InsufficientScope {
                missing: check.missing,
            });
        }
        let check = scopes::check(&self.roles, roles, scopes::Mode::All);
        if !check.ok {
            return Err(Error::InsufficientRole {
                missing: check.missing,
            });
        }
        Ok(())
    }
}

/// Writes `"name":value` members of a synthesized claims or credential object.
pub(crate) struct ObjectWriter(String);

impl ObjectWriter {
    pub(crate) fn new() -> ObjectWriter {
        ObjectWriter(String::from("{"))
    }

    fn name(&mut self, name: &str) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        write_str(&mut self.0, name);
        self.0.push(':');
    }

    pub(crate) fn string(&mut self, name: &str, value: &str) {
        self.name(name);
        write_str(&mut self.0, value);
    }

    pub(crate) fn optional(&mut self, name: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.string(name, value);
        }
    }

    pub(crate) fn strings(&mut self, name: &str, values: &[String]) {
        self.name(name);
        json::write_str_array(&mut self.0, values);
    }

    pub(crate) fn seconds(&mut self, name: &str, value: Option<i64>) {
        if let Some(value) = value {
            self.name(name);
            // Whole seconds below 2^53 (as read); digits by hand, not `to_string`, whose
            // formatting machinery the wasm module does without.
            let mut digits = [0u8; 20];
            let mut n = value.unsigned_abs();
            let mut at = digits.len();
            loop {
                at -= 1;
                if let Some(d) = digits.get_mut(at) {
                    *d = b'0' + (n % 10) as u8;
                }
                n /= 10;
                if n == 0 || at == 0 {
                    break;
                }
            }
            if value < 0 {
                self.0.push('-');
            }
            self.0
                .extend(digits.iter().skip(at).map(|&d| char::from(d)));
        }
    }

    pub(crate) fn finish(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

/// A JSON path into a credentials document, for load errors (`$.keys[3].sha256`).
#[derive(Clone)]
pub(crate) struct Path(String);

impl Path {
    pub(crate) fn root() -> Path {
        Path(String::from("$"))
    }

    pub(crate) fn member(&self, name: &str) -> Path {
        let plain = name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let mut out = self.0.clone();
        if plain {
            out.push('.');
            out.push_str(name);
        } else {
            out.push('[');
            write_str(&mut out, &crate::error::truncate(name));
            out.push(']');
        }
        Path(out)
    }

    pub(crate) fn index(&self, i: usize) -> Path {
        Path(crate::error::cat(&[
            &self.0,
            "[",
            &crate::error::decimal(i),
            "]",
        ]))
    }

    pub(crate) fn error(&self, message: &str) -> Error {
        Error::CredentialsInvalid {
            path: self.0.clone(),
            message: message.to_owned(),
        }
    }
}

/// An object of a credentials document being read: unknown members are errors
/// (a misspelled `expires` must not leave a key valid for ever).
pub(crate) struct Obj<'a> {
    map: &'a Map,
    path: Path,
}

impl<'a> Obj<'a> {
    /// `value` as an object whose members are all in `known`.
    pub(crate) fn new(value: &'a Value, path: Path, known: &[&str]) -> Result<Obj<'a>, Error> {
        let Value::Object(map) = value else {
            return Err(path.error("must be an object"));
        };
        if let Some(unknown) = map.keys().find(|k| !known.contains(k)) {
            return Err(path.member(unknown).error(&crate::error::cat(&[
                "unknown field (expected one of: ",
                &known.join(", "),
                ")",
            ])));
        }
        Ok(Obj { map, path })
    }

    /// Parses a whole document: `{"version": 1, …}` with members in `known`.
    pub(crate) fn document(text: &[u8], known: &[&str], what: &str) -> Result<Value, Error> {
        let value = json::parse(text).map_err(|_| {
            Path::root().error(&crate::error::cat(&["must be a JSON ", what, " document"]))
        })?;
        let obj = Obj::new(&value, Path::root(), known)?;
        match obj.map.get("version") {
            Some(Value::Number(n)) if *n == 1.0 => {}
            _ => return Err(obj.at("version").error("must be 1")),
        }
        Ok(value)
    }

    pub(crate) fn at(&self, name: &str) -> Path {
        self.path.member(name)
    }

    /// A required member.
    pub(crate) fn required(&self, name: &str) -> Result<&'a Value, Error> {
        self.map
            .get(name)
            .ok_or_else(|| self.at(name).error("is required"))
    }

    /// A non-empty string, when present.
    pub(crate) fn string(&self, name: &str) -> Result<Option<String>, Error> {
        match self.map.get(name) {
            None => Ok(None),
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            Some(_) => Err(self.at(name).error("must be a non-empty string")),
        }
    }

    /// A required non-empty string.
    pub(crate) fn required_string(&self, name: &str) -> Result<String, Error> {
        self.required(name)?;
        self.string(name)?
            .ok_or_else(|| self.at(name).error("is required"))
    }

    /// An array of scope-tokens (RFC 6749 §3.3) without repeats; empty when absent.
    pub(crate) fn names(&self, name: &str) -> Result<Vec<String>, Error> {
        let path = self.at(name);
        let items = match self.map.get(name) {
            None => return Ok(Vec::new()),
            Some(Value::Array(items)) => items,
            Some(_) => return Err(path.error("must be an array of strings")),
        };
        let mut out: Vec<String> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item.as_str() {
                Some(s) if scopes::is_scope_token(s) => {
                    if out.iter().any(|o| o == s) {
                        return Err(path.index(i).error("is listed twice"));
                    }
                    out.push(s.to_owned());
                }
                _ => {
                    return Err(path
                        .index(i)
                        .error("must be a name without spaces, quotes or backslashes"))
                }
            }
        }
        Ok(out)
    }

    /// Whole seconds since 1970 (a NumericDate), when present and not `null`.
    pub(crate) fn seconds(&self, name: &str) -> Result<Option<i64>, Error> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n))
                if n.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(n) =>
            {
                Ok(Some(*n as i64))
            }
            Some(_) => Err(self
                .at(name)
                .error("must be whole seconds since 1970 (a NumericDate) or null")),
        }
    }

    /// A whole number in `min..=max`.
    pub(crate) fn integer(
        &self,
        name: &str,
        min: u32,
        max: u32,
        message: &str,
    ) -> Result<u32, Error> {
        match self.required(name)? {
            Value::Number(n)
                if n.fract() == 0.0 && *n >= f64::from(min) && *n <= f64::from(max) =>
            {
                Ok(*n as u32)
            }
            _ => Err(self.at(name).error(message)),
        }
    }

    /// The elements of a required array member, each with its path.
    pub(crate) fn array(
        &self,
        name: &str,
    ) -> Result<impl Iterator<Item = (Path, &'a Value)>, Error> {
        let path = self.at(name);
        let items = self
            .required(name)?
            .as_array()
            .ok_or_else(|| path.error("must be an array"))?;
        Ok(items
            .iter()
            .enumerate()
            .map(move |(i, v)| (path.index(i), v)))
    }
}

/// The order that sorts `names`, after checking that they are unique: the
/// second of two equal names is reported at `path[i].member`.
pub(crate) fn sorted_unique(
    names: &[&str],
    path: &Path,
    member: &str,
) -> Result<Vec<usize>, Error> {
    let order = json::sorted_order(names);
    for pair in order.windows(2) {
        if let [a, b] = pair {
            if names.get(*a) == names.get(*b) {
                return Err(path.index(*b).member(member).error("is listed twice"));
            }
        }
    }
    Ok(order)
}

/// `items` rearranged in `order` (a permutation of their indices).
pub(crate) fn arrange<T>(items: Vec<T>, order: &[usize]) -> Vec<T> {
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    order
        .iter()
        .filter_map(|&i| slots.get_mut(i).and_then(Option::take))
        .collect()
}
