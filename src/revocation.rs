//! Revocation: tokens revoked one by one (by `jti`) and every token of a
//! subject issued at or before a time (after a password change or an
//! account lock). Checked by `verify` and by policy evaluation, in time that
//! does not grow with the list: one hash probe per claim.
//!
//! The list is stored as one string arena plus an open-addressing table of
//! 32-bit entry indices, so 10^6 identifiers cost their bytes plus ~12 bytes
//! each, not a heap allocation each.
//!
//! Read by hand from the parsed `json::Value`, not derived: one `#[derive(Deserialize)]` struct
//! read with serde_json cost +23.4 KB of wasm gzip (docs/design.md, "serde, measured").

use crate::error::{cat, decimal, invalid_arg, Error};
use crate::json::{self, Map, Value};

/// A set of strings with an optional number per string.
#[derive(Clone, Debug, Default)]
struct StrTable {
    arena: String,
    /// (start in arena, length, value).
    entries: Vec<(u32, u32, f64)>,
    /// 0 = empty, otherwise an index into `entries` plus one. Length is a
    /// power of two, at most half full.
    slots: Vec<u32>,
}

/// A fast 64-bit hash (multiply-xorshift over 8-byte words). Entries come
/// from the operator and lookups from signed tokens, so no keyed hash is
/// needed against flooding.
fn hash(bytes: &[u8]) -> u64 {
    let mut h = 0x9e37_79b9_7f4a_7c15_u64 ^ (bytes.len() as u64);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        h = (h ^ u64::from_le_bytes(word)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h ^= h >> 29;
    }
    let mut word = [0u8; 8];
    let rest = chunks.remainder();
    if let Some(w) = word.get_mut(..rest.len()) {
        w.copy_from_slice(rest);
    }
    h = (h ^ u64::from_le_bytes(word)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 32)
}

impl StrTable {
    fn len(&self) -> usize {
        self.entries.len()
    }

    fn text(&self, entry: &(u32, u32, f64)) -> &str {
        let start = entry.0 as usize;
        self.arena
            .get(start..start + entry.1 as usize)
            .unwrap_or("")
    }

    /// The slot holding `key`, or the empty slot where it would go.
    fn probe(&self, key: &str) -> Option<usize> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut slot = (hash(key.as_bytes()) as usize) & mask;
        loop {
            match self.slots.get(slot).copied()? {
                0 => return Some(slot),
                i => {
                    let entry = self.entries.get(i as usize - 1)?;
                    if self.text(entry) == key {
                        return Some(slot);
                    }
                }
            }
            slot = (slot + 1) & mask;
        }
    }

    fn get(&self, key: &str) -> Option<f64> {
        let slot = self.probe(key)?;
        match self.slots.get(slot).copied()? {
            0 => None,
            i => self.entries.get(i as usize - 1).map(|e| e.2),
        }
    }

    /// Inserts `key`, or merges `value` into the existing entry with `merge`.
    fn insert(&mut self, key: &str, value: f64, merge: fn(f64, f64) -> f64) -> Result<(), Error> {
        if (self.entries.len() + 1) * 2 > self.slots.len() {
            self.grow()?;
        }
        let slot = self.probe(key).ok_or_else(too_large)?;
        match self.slots.get(slot).copied() {
            Some(0) => {
                let start = u32::try_from(self.arena.len()).map_err(|_| too_large())?;
                let len = u32::try_from(key.len()).map_err(|_| too_large())?;
                self.arena.push_str(key);
                self.entries.push((start, len, value));
                let index = u32::try_from(self.entries.len()).map_err(|_| too_large())?;
                if let Some(s) = self.slots.get_mut(slot) {
                    *s = index;
                }
            }
            Some(i) => {
                if let Some(e) = self.entries.get_mut(i as usize - 1) {
                    e.2 = merge(e.2, value);
                }
            }
            None => return Err(too_large()),
        }
        Ok(())
    }

    fn grow(&mut self) -> Result<(), Error> {
        let size = (self.slots.len() * 2).max(16);
        if size > (u32::MAX as usize) {
            return Err(too_large());
        }
        self.slots = vec![0; size];
        let mask = size - 1;
        for (i, entry) in self.entries.iter().enumerate() {
            let mut slot = (hash(self.text(entry).as_bytes()) as usize) & mask;
            while self.slots.get(slot).is_some_and(|s| *s != 0) {
                slot = (slot + 1) & mask;
            }
            if let Some(s) = self.slots.get_mut(slot) {
                *s = u32::try_from(i + 1).map_err(|_| too_large())?;
            }
        }
        Ok(())
    }

    fn reserve(&mut self, entries: usize, bytes: usize) -> Result<(), Error> {
        self.arena.reserve(bytes);
        self.entries.reserve(entries);
        let wanted = (self.entries.len() + entries)
            .checked_mul(2)
            .and_then(usize::checked_next_power_of_two)
            .ok_or_else(too_large)?;
        while self.slots.len() < wanted {
            self.grow()?;
        }
        Ok(())
    }
}

fn too_large() -> Error {
    invalid_arg("revocation list is too large")
}

/// Why a token is revoked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Revoked {
    /// Its `jti` is listed.
    Token,
    /// Its subject is revoked at or after its `iat` (or it has no `iat`).
    Subject,
}

/// Revoked token identifiers and per-subject revocation times.
#[derive(Clone, Debug, Default)]
pub struct RevocationList {
    tokens: StrTable,
    subjects: StrTable,
}

impl RevocationList {
    /// An empty list.
    pub fn new() -> RevocationList {
        RevocationList::default()
    }

    /// Loads `{"version":1,"tokens":["jti",…],"subjects":{"sub":seconds,…}}`
    /// (both lists optional; `subjects` values are NumericDates: every token
    /// of that subject issued at or before that time is revoked).
    pub fn from_json(text: &[u8]) -> Result<RevocationList, Error> {
        let map = json::parse_object(text)
            .map_err(|_| invalid_arg("revocation list must be a JSON object"))?;
        let mut list = RevocationList::new();
        list.merge_json(&map)?;
        Ok(list)
    }

    fn merge_json(&mut self, map: &Map) -> Result<(), Error> {
        if let Some(unknown) = map
            .keys()
            .find(|k| !["version", "tokens", "subjects"].contains(k))
        {
            return Err(invalid_arg(cat(&[
                "revocation list: unknown member `",
                &crate::error::truncate(unknown),
                "` (expected version, tokens, subjects)",
            ])));
        }
        match map.get("version") {
            Some(Value::Number(n)) if *n == 1.0 => {}
            _ => return Err(invalid_arg("revocation list: `version` must be 1")),
        }
        if let Some(tokens) = map.get("tokens") {
            let items = tokens.as_array().ok_or_else(|| {
                invalid_arg("revocation list: `tokens` must be an array of strings")
            })?;
            let bytes = items.iter().filter_map(Value::as_str).map(str::len).sum();
            self.tokens.reserve(items.len(), bytes)?;
            for (i, item) in items.iter().enumerate() {
                match item.as_str() {
                    Some(jti) if !jti.is_empty() => self.revoke_token(jti)?,
                    _ => {
                        return Err(invalid_arg(cat(&[
                            "revocation list: tokens[",
                            &decimal(i),
                            "] must be a non-empty string",
                        ])))
                    }
                }
            }
        }
        if let Some(subjects) = map.get("subjects") {
            let Value::Object(subjects) = subjects else {
                return Err(invalid_arg(
                    "revocation list: `subjects` must be an object of subject → seconds",
                ));
            };
            let bytes = subjects.keys().map(str::len).sum();
            self.subjects.reserve(subjects.len(), bytes)?;
            for (sub, before) in subjects.iter() {
                match before {
                    Value::Number(t) if t.is_finite() && *t >= 0.0 && !sub.is_empty() => {
                        self.revoke_subject(sub, *t)?
                    }
                    _ => {
                        return Err(invalid_arg(cat(&[
                            "revocation list: subjects[\"",
                            &crate::error::truncate(sub),
                            "\"] must be a non-negative number of seconds",
                        ])))
                    }
                }
            }
        }
        Ok(())
    }

    /// Revokes the token with this `jti`.
    pub fn revoke_token(&mut self, jti: &str) -> Result<(), Error> {
        self.tokens.insert(jti, 0.0, |a, _| a)
    }

    /// Revokes every token of `sub` issued at or before `before` (seconds).
    /// A later time replaces an earlier one; an earlier one is ignored.
    pub fn revoke_subject(&mut self, sub: &str, before: f64) -> Result<(), Error> {
        if !before.is_finite() || before < 0.0 {
            return Err(invalid_arg(
                "revokeSubject: the time must be a non-negative number of seconds",
            ));
        }
        self.subjects.insert(sub, before, f64::max)
    }

    /// Number of revoked token identifiers.
    pub fn token_count(&self) -> usize {
        self.tokens.len()
    }

    /// Number of revoked subjects.
    pub fn subject_count(&self) -> usize {
        self.subjects.len()
    }

    /// Whether the token with these claims is revoked, and why. A listed
    /// subject's token without a numeric `iat` is revoked: its issue time
    /// cannot be shown to follow the revocation.
    pub fn check(&self, claims: &Map) -> Option<Revoked> {
        let text = |name| match claims.get(name) {
            Some(Value::String(s)) => Some(s.as_str()),
            _ => None,
        };
        let iat = match claims.get("iat") {
            Some(Value::Number(n)) => Some(*n),
            _ => None,
        };
        self.check_parts(text("jti"), text("sub"), iat)
    }

    /// [`RevocationList::check`] on the three claims it reads: string `jti`
    /// and `sub`, numeric `iat` (`None` for absent or of another type).
    pub fn check_parts(
        &self,
        jti: Option<&str>,
        sub: Option<&str>,
        iat: Option<f64>,
    ) -> Option<Revoked> {
        if jti.is_some_and(|jti| self.tokens.get(jti).is_some()) {
            return Some(Revoked::Token);
        }
        let before = self.subjects.get(sub?)?;
        match iat {
            Some(iat) if iat > before => None,
            _ => Some(Revoked::Subject),
        }
    }

    /// [`RevocationList::check`] as the verifier's error.
    pub fn ensure_not_revoked(&self, claims: &Map) -> Result<(), Error> {
        match self.check(claims) {
            Some(why) => Err(Error::Revoked(why)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(json: &str) -> Map {
        json::parse_object(json.as_bytes()).unwrap()
    }

    #[test]
    fn tokens_and_subjects_are_revoked() {
        let list = RevocationList::from_json(
            br#"{"version":1,"tokens":["t-1","t-2"],"subjects":{"user-42":1000}}"#,
        )
        .unwrap();
        assert_eq!(
            list.check(&claims(r#"{"jti":"t-2","sub":"x"}"#)),
            Some(Revoked::Token)
        );
        assert_eq!(list.check(&claims(r#"{"jti":"t-3","sub":"x"}"#)), None);
        assert_eq!(list.check(&claims(r#"{"jti":"t-","sub":"x"}"#)), None);
        assert_eq!(
            list.check(&claims(r#"{"sub":"user-42","iat":999}"#)),
            Some(Revoked::Subject)
        );
        assert_eq!(
            list.check(&claims(r#"{"sub":"user-42","iat":1000}"#)),
            Some(Revoked::Subject)
        );
        assert_eq!(list.check(&claims(r#"{"sub":"user-42","iat":1001}"#)), None);
        assert_eq!(
            list.check(&claims(r#"{"sub":"user-42"}"#)),
            Some(Revoked::Subject)
        );
        assert_eq!(
            list.check(&claims(r#"{"sub":"user-42","iat":"2000"}"#)),
            Some(Revoked::Subject)
        );
        assert_eq!(list.check(&claims(r#"{"sub":"user-4","iat":1}"#)), None);
        assert_eq!(list.check(&claims(r#"{"jti":7,"sub":["user-42"]}"#)), None);
    }

    #[test]
    fn later_subject_revocations_win() {
        let mut list = RevocationList::new();
        list.revoke_subject("u", 100.0).unwrap();
        list.revoke_subject("u", 50.0).unwrap();
        assert_eq!(
            list.check(&claims(r#"{"sub":"u","iat":80}"#)),
            Some(Revoked::Subject)
        );
        list.revoke_subject("u", 200.0).unwrap();
        assert_eq!(
            list.check(&claims(r#"{"sub":"u","iat":150}"#)),
            Some(Revoked::Subject)
        );
        assert_eq!(list.subject_count(), 1);
        assert!(list.revoke_subject("u", f64::NAN).is_err());
    }

    #[test]
    fn bad_lists_are_caller_errors() {
        for bad in [
            "[]",
            "{}",
            r#"{"version":2}"#,
            r#"{"version":1,"tokens":"t"}"#,
            r#"{"version":1,"tokens":[""]}"#,
            r#"{"version":1,"tokens":[1]}"#,
            r#"{"version":1,"subjects":{"u":-1}}"#,
            r#"{"version":1,"subjects":{"u":"2024"}}"#,
            r#"{"version":1,"subjects":[]}"#,
            r#"{"version":1,"jtis":[]}"#,
        ] {
            let got = RevocationList::from_json(bad.as_bytes())
                .err()
                .map(|e| e.code());
            assert_eq!(got, Some("ERR_INVALID_ARG"), "{bad}");
        }
    }

    #[test]
    fn many_entries_stay_exact() {
        let mut list = RevocationList::new();
        for i in 0..100_000 {
            list.revoke_token(&format!("jti-{i}")).unwrap();
        }
        list.revoke_token("jti-7").unwrap();
        assert_eq!(list.token_count(), 100_000);
        for i in (0..100_000).step_by(997) {
            let c = claims(&format!(r#"{{"jti":"jti-{i}"}}"#));
            assert_eq!(list.check(&c), Some(Revoked::Token));
        }
        for probe in ["jti-100000", "jti-", "jti-00", ""] {
            let c = claims(&format!(r#"{{"jti":"{probe}"}}"#));
            assert_eq!(list.check(&c), None, "{probe}");
        }
    }
}
