//! API keys: a recognisable, checksummed key format and a catalog that holds
//! only each key's SHA-256.
//!
//! A key reads `<prefix>_<id>_<secret><checksum>` (`tg_4Fh2…_9xQ…`):
//! - `prefix`: 2 to 16 of `a-z0-9`, starting with a letter (`tg` by default):
//!   names the issuer, so that secret scanners can tell whose key leaked;
//! - `id`: 1 to 64 base62 characters (12 random ones when minted), public: the
//!   catalog is looked up by it, and it is the verified result's subject;
//! - `secret`: 32 base62 characters (~190 bits) from the caller's randomness;
//! - `checksum`: CRC-32 (the zlib/PNG one) of everything before it, as 6
//!   base62 digits: a scanner (or a client) rejects a typo or a random match
//!   of the pattern without asking the server, as with GitHub's and npm's tokens.
//!
//! Underscores, not dashes: a double click selects the whole key. The catalog
//! stores `sha256` = SHA-256 of the whole key (hex), computable with
//! `printf %s "$KEY" | sha256sum`. A fast hash is enough: the secret has 190
//! bits, there is nothing to brute-force, unlike a password ([`crate::basic`]).
//!
//! Checking a key: format and checksum → the entry by id → SHA-256 of the key
//! compared in constant time with the entry's (with a dummy digest when the
//! id is unknown, so both paths do the same work) → only then expiry, so that
//! only the holder of the secret learns that a key has expired.

use crate::credential::{arrange, sorted_unique, Authenticated, Obj, ObjectWriter, Path};
use crate::crypto;
use crate::error::{invalid_arg, Error};

/// The base62 digits, in ASCII order.
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Characters of the secret part of a key.
pub const SECRET_LEN: usize = 32;
/// Characters of the checksum (CRC-32 in base62).
pub const CHECKSUM_LEN: usize = 6;
/// Characters of an id drawn by [`mint`].
pub const MINTED_ID_LEN: usize = 12;
/// Longest key accepted (a 16-character prefix and a 64-character id).
pub const MAX_KEY_LEN: usize = 16 + 1 + 64 + 1 + SECRET_LEN + CHECKSUM_LEN;

/// CRC-32/ISO-HDLC (zlib, PNG, `crc32` in every language): reflected
/// polynomial 0xEDB88320, bitwise (no table: a few bytes of wasm, and keys
/// are short).
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

/// `n` as 6 base62 digits, most significant first.
pub fn checksum_digits(n: u32) -> [u8; CHECKSUM_LEN] {
    let mut out = [b'0'; CHECKSUM_LEN];
    let mut n = u64::from(n);
    for slot in out.iter_mut().rev() {
        *slot = BASE62.get((n % 62) as usize).copied().unwrap_or(b'0');
        n /= 62;
    }
    out
}

fn is_base62(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn is_prefix(s: &str) -> bool {
    (2..=16).contains(&s.len())
        && s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Whether `id` can be a key's id: 1 to 64 base62 characters.
pub fn is_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && is_base62(id)
}

/// The parts of a well-formed key whose checksum matches.
#[derive(Debug, PartialEq, Eq)]
pub struct Parts<'a> {
    /// The issuer's prefix (`tg`).
    pub prefix: &'a str,
    /// The public id.
    pub id: &'a str,
}

/// Parses `key` and checks its checksum. The errors say which (a malformed
/// key, a wrong checksum) and never quote the key.
pub fn parse(key: &str) -> Result<Parts<'_>, Error> {
    let malformed = || Error::ApiKeyInvalid("malformed API key");
    if key.len() > MAX_KEY_LEN {
        return Err(malformed());
    }
    let mut parts = key.splitn(3, '_');
    let (Some(prefix), Some(id), Some(tail)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(malformed());
    };
    if !is_prefix(prefix)
        || !is_id(id)
        || tail.len() != SECRET_LEN + CHECKSUM_LEN
        || !is_base62(tail)
    {
        return Err(malformed());
    }
    // `get`, not `split_at`: no panic path (and its formatting) in the module.
    let at = key.len() - CHECKSUM_LEN;
    let (Some(body), Some(checksum)) = (key.get(..at), key.get(at..)) else {
        return Err(malformed());
    };
    if checksum.as_bytes() != checksum_digits(crc32(body.as_bytes())) {
        return Err(Error::ApiKeyInvalid("API key checksum does not match"));
    }
    Ok(Parts { prefix, id })
}

/// The lowercase hex SHA-256 of `key`, what a catalog entry stores, after
/// checking the key's format and checksum.
pub fn hash(key: &str) -> Result<String, Error> {
    parse(key)?;
    Ok(hex(&crypto::sha256(key.as_bytes())))
}

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(
            HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'),
        ));
        out.push(char::from(
            HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0'),
        ));
    }
    out
}

fn unhex(text: &str) -> Option<[u8; 32]> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        if let [hi, lo] = pair {
            *slot = (digit(*hi)? << 4) | digit(*lo)?;
        }
    }
    Some(out)
}

/// Mints a key: `id` (or [`MINTED_ID_LEN`] characters drawn from `random`) and
/// a [`SECRET_LEN`]-character secret drawn from `random` (uniformly: bytes of
/// 248 and above are skipped), then the checksum. Returns the key and its
/// hex SHA-256. `random` must come from a CSPRNG; 96 bytes are plenty (an
/// error asks for more in the ~1e-20 case they are not).
pub fn mint(prefix: &str, id: Option<&str>, random: &[u8]) -> Result<(String, String), Error> {
    if !is_prefix(prefix) {
        return Err(invalid_arg(
            "API key prefix must be 2 to 16 of a-z and 0-9, starting with a letter",
        ));
    }
    if id.is_some_and(|id| !is_id(id)) {
        return Err(invalid_arg(
            "API key id must be 1 to 64 of 0-9, A-Z and a-z",
        ));
    }
    let mut draw = random
        .iter()
        .filter(|&&b| b < 248)
        .filter_map(|&b| BASE62.get(usize::from(b % 62)).copied().map(char::from));
    let mut key = String::with_capacity(MAX_KEY_LEN);
    key.push_str(prefix);
    key.push('_');
    match id {
        Some(id) => key.push_str(id),
        None => key.extend(draw.by_ref().take(MINTED_ID_LEN)),
    }
    key.push('_');
    let before = key.len();
    key.extend(draw.by_ref().take(SECRET_LEN));
    let drawn = key.len() - before;
    if drawn != SECRET_LEN
        || (id.is_none() && key.len() != prefix.len() + MINTED_ID_LEN + 2 + SECRET_LEN)
    {
        return Err(invalid_arg("not enough random bytes to mint an API key"));
    }
    let checksum = checksum_digits(crc32(key.as_bytes()));
    key.extend(checksum.iter().map(|&b| char::from(b)));
    let digest = hex(&crypto::sha256(key.as_bytes()));
    Ok((key, digest))
}

/// One key of the catalog.
#[derive(Clone, Debug)]
struct Entry {
    id: String,
    sha256: [u8; 32],
    scopes: Vec<String>,
    roles: Vec<String>,
    owner: Option<String>,
    environment: Option<String>,
    /// `None`: never expires (explicitly `null` in the catalog).
    expires: Option<i64>,
    created: Option<i64>,
}

/// The members of a catalog entry.
pub const ENTRY_FIELDS: &[&str] = &[
    "id",
    "sha256",
    "scopes",
    "roles",
    "owner",
    "environment",
    "expires",
    "created",
    "description",
];

/// A loaded key catalog, sorted by id.
#[derive(Clone, Debug)]
pub struct Catalog {
    keys: Vec<Entry>,
}

/// Compared with when the id is unknown, so that an unknown id costs what a
/// known one does. No key hashes to it (it is not a SHA-256 output anyone knows).
const DUMMY: [u8; 32] = [0x5a; 32];

impl Catalog {
    /// Loads `{"version": 1, "keys": [{ "id", "sha256", "scopes", "roles"?,
    /// "owner"?, "environment"?, "expires", "created"?, "description"? }]}`.
    /// `expires` is required: seconds since 1970, or `null` for a key that
    /// never expires (say so explicitly; `tollgate lint` warns). Errors are
    /// `ERR_CREDENTIALS_INVALID` with the JSON path.
    #[inline(never)]
    pub fn from_json(text: &[u8]) -> Result<Catalog, Error> {
        const KNOWN: &[&str] = &["version", "keys", "description"];
        let doc = Obj::document(text, KNOWN, "API key catalog")?;
        let root = Obj::new(&doc, Path::root(), KNOWN)?;
        let mut keys = Vec::new();
        for (path, item) in root.array("keys")? {
            keys.push(Entry::read(&Obj::new(item, path, ENTRY_FIELDS)?)?);
        }
        let ids: Vec<&str> = keys.iter().map(|k| k.id.as_str()).collect();
        let order = sorted_unique(&ids, &root.at("keys"), "id")?;
        Ok(Catalog {
            keys: arrange(keys, &order),
        })
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the catalog has no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Checks a presented key at `now` (seconds): 401 `ERR_APIKEY_INVALID`
    /// for a malformed key, a wrong checksum, an unknown id or a wrong secret
    /// (the last two alike), 401 `ERR_APIKEY_EXPIRED` for a valid key past its
    /// expiry. The required scopes and roles are the caller's next step
    /// ([`Authenticated::require`]).
    #[inline(never)]
    pub fn check(&self, key: &str, now: i64) -> Result<Authenticated, Error> {
        let parts = parse(key)?;
        let entry = self
            .keys
            .binary_search_by(|k| k.id.as_str().cmp(parts.id))
            .ok()
            .and_then(|i| self.keys.get(i));
        let digest = crypto::sha256(key.as_bytes());
        let expected = entry.map_or(&DUMMY, |e| &e.sha256);
        let (true, Some(entry)) = (crypto::same_bytes(&digest, expected), entry) else {
            return Err(Error::ApiKeyInvalid("API key is not valid"));
        };
        if entry.expires.is_some_and(|exp| now >= exp) {
            return Err(Error::ApiKeyExpired);
        }
        Ok(entry.authenticated())
    }

    /// [`Catalog::check`] for a request to `url`: 400 `ERR_INSECURE_TRANSPORT`
    /// when `url` is not `https:` (nor loopback `http:`) and `allow_insecure`
    /// is false, before the key is read: a key is a password that does not
    /// expire with the connection, and is refused in the clear as Basic's
    /// passwords are ([`crate::basic::secure_transport`]).
    pub fn check_request(
        &self,
        key: &str,
        url: &str,
        allow_insecure: bool,
        now: i64,
    ) -> Result<Authenticated, Error> {
        if !allow_insecure && !crate::basic::secure_transport(url) {
            return Err(Error::InsecureTransport);
        }
        self.check(key, now)
    }
}

impl Entry {
    /// One entry of the catalog; every check runs before anything is kept.
    #[inline(never)]
    fn read(e: &Obj<'_>) -> Result<Entry, Error> {
        let id = e.required_string("id")?;
        if !is_id(&id) {
            return Err(e.at("id").error("must be 1 to 64 of 0-9, A-Z and a-z"));
        }
        let sha256 = unhex(&e.required_string("sha256")?).ok_or_else(|| {
            e.at("sha256")
                .error("must be the key's SHA-256 as 64 lowercase hex digits")
        })?;
        e.required("scopes")?;
        e.required("expires")?;
        e.string("description")?;
        let (expires, created) = (e.seconds("expires")?, e.seconds("created")?);
        let (owner, environment) = (e.string("owner")?, e.string("environment")?);
        let (scopes, roles) = (e.names("scopes")?, e.names("roles")?);
        Ok(Entry {
            id,
            sha256,
            scopes,
            roles,
            owner,
            environment,
            expires,
            created,
        })
    }

    fn authenticated(&self) -> Authenticated {
        let mut claims = ObjectWriter::new();
        claims.string("sub", &self.id);
        claims.string("scope", &self.scopes.join(" "));
        claims.strings("roles", &self.roles);
        claims.seconds("exp", self.expires);
        claims.seconds("iat", self.created);
        claims.optional("owner", self.owner.as_deref());
        claims.optional("environment", self.environment.as_deref());
        let mut credential = ObjectWriter::new();
        credential.string("kind", "apikey");
        credential.string("id", &self.id);
        credential.optional("owner", self.owner.as_deref());
        credential.optional("environment", self.environment.as_deref());
        Authenticated {
            subject: self.id.clone(),
            claims_json: claims.finish(),
            scopes: self.scopes.clone(),
            roles: self.roles.clone(),
            credential_json: credential.finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RANDOM: [u8; 96] = {
        let mut r = [0u8; 96];
        let mut i = 0;
        while i < 96 {
            r[i] = (i as u8).wrapping_mul(37).wrapping_add(11);
            i += 1;
        }
        r
    };

    #[test]
    fn crc32_is_the_zlib_one() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(&checksum_digits(0), b"000000");
        assert_eq!(&checksum_digits(61), b"00000z");
        assert_eq!(&checksum_digits(62), b"000010");
        assert_eq!(&checksum_digits(u32::MAX), b"4gfFC3");
    }

    #[test]
    fn minted_keys_parse_and_hash() {
        let (key, digest) = mint("tg", None, &RANDOM).unwrap();
        assert_eq!(
            key.len(),
            2 + 1 + MINTED_ID_LEN + 1 + SECRET_LEN + CHECKSUM_LEN
        );
        let parts = parse(&key).unwrap();
        assert_eq!(parts.prefix, "tg");
        assert_eq!(parts.id.len(), MINTED_ID_LEN);
        assert_eq!(hash(&key).unwrap(), digest);
        assert_eq!(digest, hex(&crypto::sha256(key.as_bytes())));
        let (named, _) = mint("acme", Some("ci"), &RANDOM).unwrap();
        assert_eq!(
            parse(&named).unwrap(),
            Parts {
                prefix: "acme",
                id: "ci"
            }
        );
        assert_eq!(
            mint("tg", None, &RANDOM[..40]).unwrap_err().code(),
            "ERR_INVALID_ARG"
        );
        assert!(mint("TG", None, &RANDOM).is_err() && mint("t", None, &RANDOM).is_err());
        assert!(mint("tg", Some("a_b"), &RANDOM).is_err());
        // Bytes of 248 and above are skipped, not folded (no modulo bias).
        assert!(mint("tg", None, &[255; 96]).is_err());
    }

    #[test]
    fn malformed_keys_and_bad_checksums() {
        let (key, _) = mint("tg", None, &RANDOM).unwrap();
        let code = |k: &str| parse(k).map(|_| ()).map_err(|e| e.to_string());
        // One character changed anywhere: the checksum no longer matches.
        for at in [0, 3, 20, key.len() - 1] {
            let mut bytes = key.clone().into_bytes();
            bytes[at] = if bytes[at] == b'a' { b'b' } else { b'a' };
            let changed = String::from_utf8(bytes).unwrap();
            assert!(parse(&changed).is_err(), "{at}");
        }
        assert_eq!(
            code(&key.replacen("tg_", "tx_", 1)),
            Err("API key checksum does not match".into())
        );
        for bad in [
            "",
            "tg",
            "tg__",
            &key[1..],
            &format!("{key}0"),
            &key.replace('_', "-"),
            &format!("Tg{}", &key[2..]),
            &"a".repeat(MAX_KEY_LEN + 1),
        ] {
            assert_eq!(code(bad), Err("malformed API key".into()), "{bad}");
        }
    }

    fn catalog(entries: &str) -> Result<Catalog, Error> {
        Catalog::from_json(format!(r#"{{"version":1,"keys":[{entries}]}}"#).as_bytes())
    }

    #[test]
    fn load_errors_carry_their_path() {
        let (_, digest) = mint("tg", None, &RANDOM).unwrap();
        let path = |entries: &str| match catalog(entries) {
            Err(Error::CredentialsInvalid { path, .. }) => path,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            path(r#"{"id":"a","sha256":"00","scopes":[],"expires":null}"#),
            "$.keys[0].sha256"
        );
        let ok = format!(r#"{{"id":"a","sha256":"{digest}","scopes":["read"],"expires":null}}"#);
        assert!(catalog(&ok).is_ok());
        assert_eq!(path(&format!("{ok},{ok}")), "$.keys[1].id");
        assert_eq!(
            path(&ok.replace("\"expires\":null", "\"expire\":1")),
            "$.keys[0].expire"
        );
        assert_eq!(
            path(&ok.replace(",\"expires\":null", "")),
            "$.keys[0].expires"
        );
        assert_eq!(
            path(&ok.replace("[\"read\"]", "[\"a b\"]")),
            "$.keys[0].scopes[0]"
        );
        assert_eq!(path(&ok.replace("null", "1.5")), "$.keys[0].expires");
        assert_eq!(path(&ok.replace("\"a\"", "\"a_b\"")), "$.keys[0].id");
        assert_eq!(
            path(&ok.replace(&digest, &digest.to_uppercase())),
            "$.keys[0].sha256"
        );
        for (doc, at) in [
            ("[]", "$"),
            ("{\"version\":2,\"keys\":[]}", "$.version"),
            ("{\"version\":1}", "$.keys"),
            ("{\"version\":1,\"keys\":[],\"x\":1}", "$.x"),
        ] {
            match Catalog::from_json(doc.as_bytes()) {
                Err(e @ Error::CredentialsInvalid { .. }) => {
                    assert_eq!(e.code(), "ERR_CREDENTIALS_INVALID");
                    assert!(
                        matches!(e, Error::CredentialsInvalid { ref path, .. } if path == at),
                        "{doc}: {e:?}"
                    );
                }
                other => panic!("{doc}: {other:?}"),
            }
        }
    }

    #[test]
    fn check_answers_and_synthesizes_claims() {
        let (key, digest) = mint("tg", Some("ci7"), &RANDOM).unwrap();
        let c = catalog(&format!(
            r#"{{"id":"zz","sha256":"{}","scopes":[],"expires":null}},
               {{"id":"ci7","sha256":"{digest}","scopes":["read","write"],"roles":["bot"],
                 "owner":"team-a","environment":"production","expires":2000,"created":1000}}"#,
            "0".repeat(64)
        ))
        .unwrap();
        assert_eq!(c.len(), 2);
        let ok = c.check(&key, 1999).unwrap();
        assert_eq!(ok.subject, "ci7");
        assert_eq!(
            ok.claims_json,
            r#"{"sub":"ci7","scope":"read write","roles":["bot"],"exp":2000,"iat":1000,"owner":"team-a","environment":"production"}"#
        );
        assert_eq!(
            ok.credential_json,
            r#"{"kind":"apikey","id":"ci7","owner":"team-a","environment":"production"}"#
        );
        assert!(ok
            .to_json()
            .starts_with(r#"{"subject":"ci7","claims":{"sub""#));
        assert_eq!(c.check(&key, 2000).unwrap_err(), Error::ApiKeyExpired);
        // The right id with another secret, and an unknown id: one answer.
        let (other, _) = mint("tg", Some("ci7"), &RANDOM[1..]).unwrap();
        let (unknown, _) = mint("tg", Some("nope"), &RANDOM).unwrap();
        for k in [&other, &unknown] {
            assert_eq!(
                c.check(k, 0).unwrap_err(),
                Error::ApiKeyInvalid("API key is not valid")
            );
        }
        // Expiry is only told to the holder of the secret.
        assert_eq!(
            c.check(&other, 5000).unwrap_err().code(),
            "ERR_APIKEY_INVALID"
        );
        assert!(ok.require(&["read".into()], &["bot".into()]).is_ok());
        assert_eq!(
            ok.require(&["admin".into()], &[]).unwrap_err(),
            Error::InsufficientScope {
                missing: vec!["admin".into()]
            }
        );
        assert_eq!(
            ok.require(&[], &["admin".into()]).unwrap_err().code(),
            "ERR_JWT_INSUFFICIENT_ROLE"
        );
    }
}
