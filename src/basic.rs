//! HTTP Basic authentication (RFC 7617), the weaker option: a password crosses
//! the wire on every request and the server must run a deliberately slow hash
//! for each one. Prefer bearer tokens (docs/credentials.md says when Basic is
//! acceptable).
//!
//! The credential list holds, per user, a random salt, an iteration count
//! and PBKDF2-HMAC-SHA256 of the password (RFC 8018), never the password. At
//! least [`MIN_ITERATIONS`] iterations: OWASP's 2023 figure for
//! PBKDF2-HMAC-SHA256. Checking a request:
//! transport (`https:` unless explicitly allowed) → strict parsing of the
//! `Authorization` value → the user by name → PBKDF2 compared in constant
//! time, against a dummy entry with the same cost when the user is unknown,
//! so that the answer's timing does not tell which usernames exist.

use crate::b64;
use crate::credential::{arrange, sorted_unique, Authenticated, Obj, ObjectWriter, Path};
use crate::crypto;
use crate::error::{invalid_arg, Error};

/// The fewest PBKDF2-HMAC-SHA256 iterations a list may use (OWASP Password
/// Storage Cheat Sheet, 2023).
pub const MIN_ITERATIONS: u32 = 600_000;
/// The most: a typo of a few zeros must not make every check take minutes.
pub const MAX_ITERATIONS: u32 = 10_000_000;
/// The shortest salt, in bytes (NIST SP 800-132 asks for at least 16).
pub const MIN_SALT_LEN: usize = 16;
/// Longest `Authorization` value read (a longer one is malformed).
pub const MAX_HEADER_LEN: usize = 4096;

/// One user of the list.
#[derive(Clone, Debug)]
struct User {
    username: String,
    salt: Vec<u8>,
    iterations: u32,
    hash: Vec<u8>,
    scopes: Vec<String>,
    roles: Vec<String>,
    owner: Option<String>,
}

/// The members of a user entry.
pub const USER_FIELDS: &[&str] = &[
    "username",
    "salt",
    "iterations",
    "hash",
    "scopes",
    "roles",
    "owner",
    "description",
];

/// A loaded credential list, sorted by username.
#[derive(Clone, Debug)]
pub struct Credentials {
    users: Vec<User>,
    /// Checked when the username is unknown: the list's highest cost.
    dummy: User,
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

impl Credentials {
    /// Loads `{"version": 1, "users": [{ "username", "salt", "iterations",
    /// "hash", "scopes"?, "roles"?, "owner"?, "description"? }]}`: `salt` and
    /// `hash` in base64url without padding (at least 16 bytes of salt, a
    /// 32-byte hash), `iterations` from [`MIN_ITERATIONS`] to
    /// [`MAX_ITERATIONS`]. Errors are `ERR_CREDENTIALS_INVALID` with the path.
    #[inline(never)]
    pub fn from_json(text: &[u8]) -> Result<Credentials, Error> {
        const KNOWN: &[&str] = &["version", "users", "description"];
        let doc = Obj::document(text, KNOWN, "Basic credential list")?;
        let root = Obj::new(&doc, Path::root(), KNOWN)?;
        let mut users = Vec::new();
        for (path, item) in root.array("users")? {
            users.push(User::read(&Obj::new(item, path, USER_FIELDS)?)?);
        }
        let names: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
        let order = sorted_unique(&names, &root.at("users"), "username")?;
        let dummy = User {
            username: String::new(),
            salt: vec![0; MIN_SALT_LEN],
            iterations: users
                .iter()
                .map(|u| u.iterations)
                .max()
                .unwrap_or(MIN_ITERATIONS),
            hash: vec![0; 32],
            scopes: Vec::new(),
            roles: Vec::new(),
            owner: None,
        };
        Ok(Credentials {
            users: arrange(users, &order),
            dummy,
        })
    }

    /// Number of users.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// Whether the list has no user.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// Checks an `Authorization` header value for a request to `url`: 400
    /// `ERR_INSECURE_TRANSPORT` when `url` is not `https:` (nor loopback
    /// `http:`) and `allow_insecure` is false, before anything is read; 401
    /// `ERR_BASIC_INVALID` for malformed credentials, an unknown user or a
    /// wrong password (the last two alike, in the same time).
    #[inline(never)]
    pub fn check(
        &self,
        authorization: &str,
        url: &str,
        allow_insecure: bool,
    ) -> Result<Authenticated, Error> {
        if !allow_insecure && !secure_transport(url) {
            return Err(Error::InsecureTransport);
        }
        let (username, password) = parse(authorization)?;
        let found = self
            .users
            .binary_search_by(|u| u.username.as_str().cmp(&username))
            .ok()
            .and_then(|i| self.users.get(i));
        let user = found.unwrap_or(&self.dummy);
        let ok = crypto::pbkdf2_sha256_verify(
            user.iterations,
            &user.salt,
            password.as_bytes(),
            &user.hash,
        );
        match found {
            Some(user) if ok => Ok(user.authenticated()),
            _ => Err(Error::BasicInvalid("Basic credentials are not valid")),
        }
    }
}

impl User {
    /// One user of the list.
    #[inline(never)]
    fn read(u: &Obj<'_>) -> Result<User, Error> {
        let username = u.required_string("username")?;
        if username.contains(':') || has_control(&username) {
            return Err(u
                .at("username")
                .error("must not contain a colon or control characters (RFC 7617 §2)"));
        }
        let salt = b64::decode(u.required_string("salt")?.as_bytes())
            .filter(|s| s.len() >= MIN_SALT_LEN)
            .ok_or_else(|| {
                u.at("salt")
                    .error("must be at least 16 random bytes in base64url without padding")
            })?;
        let hash = b64::decode(u.required_string("hash")?.as_bytes())
            .filter(|h| h.len() == 32)
            .ok_or_else(|| {
                u.at("hash")
                    .error("must be the 32-byte PBKDF2-HMAC-SHA256 in base64url without padding")
            })?;
        let iterations = u.integer(
            "iterations",
            MIN_ITERATIONS,
            MAX_ITERATIONS,
            "must be a whole number from 600000 (OWASP 2023) to 10000000",
        )?;
        u.string("description")?;
        let owner = u.string("owner")?;
        let (scopes, roles) = (u.names("scopes")?, u.names("roles")?);
        Ok(User {
            username,
            salt,
            iterations,
            hash,
            scopes,
            roles,
            owner,
        })
    }

    fn authenticated(&self) -> Authenticated {
        let mut claims = ObjectWriter::new();
        claims.string("sub", &self.username);
        claims.string("scope", &self.scopes.join(" "));
        claims.strings("roles", &self.roles);
        claims.optional("owner", self.owner.as_deref());
        let mut credential = ObjectWriter::new();
        credential.string("kind", "basic");
        credential.string("username", &self.username);
        Authenticated {
            subject: self.username.clone(),
            claims_json: claims.finish(),
            scopes: self.scopes.clone(),
            roles: self.roles.clone(),
            credential_json: credential.finish(),
        }
    }
}

/// The user-id and password of a `Basic` `Authorization` value (RFC 7617 §2):
/// the scheme (any case), one or more spaces, then strict padded standard
/// base64 of `user-id ":" password` in UTF-8 (§2.1, `charset="UTF-8"`),
/// without control characters. The errors never quote the value.
pub fn parse(authorization: &str) -> Result<(String, String), Error> {
    let value = authorization.trim_matches([' ', '\t']);
    if value.len() > MAX_HEADER_LEN {
        return Err(Error::BasicInvalid("Basic credentials are too long"));
    }
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(Error::BasicInvalid(
            "credentials are not of the Basic scheme",
        ));
    }
    let bytes = b64::decode_padded_standard(rest.trim_start_matches(' ').as_bytes())
        .filter(|b| !b.is_empty())
        .ok_or(Error::BasicInvalid("Basic credentials are not base64"))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Error::BasicInvalid("Basic credentials are not UTF-8"))?;
    let (user, password) = text.split_once(':').ok_or(Error::BasicInvalid(
        "Basic credentials lack the colon after the user-id",
    ))?;
    if user.is_empty() || has_control(user) || has_control(password) {
        return Err(Error::BasicInvalid(
            "Basic credentials have an empty user-id or control characters",
        ));
    }
    Ok((user.to_owned(), password.to_owned()))
}

/// Whether a request to `url` came over a channel fit for a password:
/// `https:`, or `http:` to a loopback host (`localhost`, `127.0.0.1`,
/// `[::1]`: the Secure Contexts spec's potentially trustworthy origins), for
/// local development. Anything else, a URL without a scheme included, is not.
pub fn secure_transport(url: &str) -> bool {
    let lower = |s: &str| s.to_ascii_lowercase();
    let Some((scheme, rest)) = url.split_once(':') else {
        return false;
    };
    let Some(rest) = rest.strip_prefix("//") else {
        return false;
    };
    match lower(scheme).as_str() {
        "https" => return true,
        "http" => {}
        _ => return false,
    }
    // The authority ends at the first `/`, `?` or `#`; the host follows any userinfo.
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..end).unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map_or("", |(h, _)| h),
        None => host.split_once(':').map_or(host, |(h, _)| h),
    };
    matches!(lower(host).as_str(), "localhost" | "127.0.0.1" | "::1")
}

/// A list entry's `hash` for `password`: PBKDF2-HMAC-SHA256 with `salt` (at
/// least 16 random bytes) and `iterations` (the list's limits), base64url.
pub fn hash_password(password: &str, salt: &[u8], iterations: u32) -> Result<String, Error> {
    if salt.len() < MIN_SALT_LEN {
        return Err(invalid_arg("the salt must be at least 16 random bytes"));
    }
    if !(MIN_ITERATIONS..=MAX_ITERATIONS).contains(&iterations) {
        return Err(invalid_arg(
            "iterations must be a whole number from 600000 (OWASP 2023) to 10000000",
        ));
    }
    crypto::pbkdf2_sha256(iterations, salt, password.as_bytes())
        .map(|h| b64::encode(&h))
        .ok_or_else(|| invalid_arg("iterations must not be 0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(userpass: &[u8]) -> String {
        // Standard base64 with padding, written out here (b64 encodes base64url only).
        const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::from("Basic ");
        for chunk in userpass.chunks(3) {
            let mut buf = [0u8; 3];
            buf[..chunk.len()].copy_from_slice(chunk);
            let n = (u32::from(buf[0]) << 16) | (u32::from(buf[1]) << 8) | u32::from(buf[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(char::from(STD[((n >> (18 - 6 * i)) & 63) as usize]));
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    #[test]
    fn parses_strictly() {
        assert_eq!(
            parse(&header(b"Aladdin:open sesame")).unwrap(),
            ("Aladdin".to_owned(), "open sesame".to_owned())
        );
        // RFC 7617 §2's example, any scheme case, extra spaces around.
        assert_eq!(
            parse("  bAsIc   QWxhZGRpbjpvcGVuIHNlc2FtZQ== ").unwrap().0,
            "Aladdin"
        );
        // The password may hold colons; the user-id ends at the first.
        assert_eq!(parse(&header(b"u:p:q")).unwrap().1, "p:q");
        assert_eq!(
            parse(&header("tëst:pässwörd".as_bytes())).unwrap().0,
            "tëst"
        );
        let message = |v: &str| parse(v).unwrap_err().to_string();
        assert_eq!(
            message("Bearer abc"),
            "credentials are not of the Basic scheme"
        );
        assert_eq!(message("Basic"), "Basic credentials are not base64");
        assert_eq!(
            message("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ"),
            "Basic credentials are not base64"
        );
        assert_eq!(
            message("Basic QWxhZGRpbjpvcGVuIHNlc2FtZR=="),
            "Basic credentials are not base64"
        );
        assert_eq!(
            message("Basic QWxh-GRpbjpvcGVuIHNlc2FtZQ=="),
            "Basic credentials are not base64"
        );
        assert_eq!(
            message(&header(b"\xff\xfe:x")),
            "Basic credentials are not UTF-8"
        );
        assert_eq!(
            message(&header(b"nocolon")),
            "Basic credentials lack the colon after the user-id"
        );
        assert_eq!(
            message(&header(b":p")),
            "Basic credentials have an empty user-id or control characters"
        );
        assert!(parse(&header(b"u:p\n")).is_err());
        assert!(parse(&format!("Basic {}", "A".repeat(MAX_HEADER_LEN))).is_err());
    }

    #[test]
    fn transport() {
        for ok in [
            "https://api.example/x",
            "HTTPS://api.example",
            "http://localhost:8787/x",
            "http://127.0.0.1/",
            "http://[::1]:3000/x",
            "http://user@localhost/",
        ] {
            assert!(secure_transport(ok), "{ok}");
        }
        for bad in [
            "http://api.example/x",
            "http://localhost.evil.example/",
            "http://127.0.0.1.evil/",
            "http://evil/@localhost",
            "/just/a/path",
            "",
            "ws://localhost/",
        ] {
            assert!(!secure_transport(bad), "{bad}");
        }
    }

    #[test]
    fn hashes_and_checks() {
        let salt = [7u8; 16];
        let hash = hash_password("s3cret", &salt, MIN_ITERATIONS).unwrap();
        assert!(hash_password("s3cret", &salt, MIN_ITERATIONS - 1).is_err());
        assert!(hash_password("s3cret", &salt[..15], MIN_ITERATIONS).is_err());
        let doc = format!(
            r#"{{"version":1,"users":[{{"username":"alice","salt":"{}","iterations":{MIN_ITERATIONS},
               "hash":"{hash}","scopes":["read"],"roles":["ops"],"owner":"team"}}]}}"#,
            b64::encode(&salt)
        );
        let list = Credentials::from_json(doc.as_bytes()).unwrap();
        assert_eq!(list.len(), 1);
        let url = "https://api.example/";
        let ok = list.check(&header(b"alice:s3cret"), url, false).unwrap();
        assert_eq!(ok.subject, "alice");
        assert_eq!(
            ok.claims_json,
            r#"{"sub":"alice","scope":"read","roles":["ops"],"owner":"team"}"#
        );
        assert_eq!(ok.credential_json, r#"{"kind":"basic","username":"alice"}"#);
        for wrong in [&b"alice:s3creT"[..], b"bob:s3cret"] {
            assert_eq!(
                list.check(&header(wrong), url, false).unwrap_err().code(),
                "ERR_BASIC_INVALID"
            );
        }
        let http = "http://api.example/";
        assert_eq!(
            list.check(&header(b"alice:s3cret"), http, false)
                .unwrap_err(),
            Error::InsecureTransport
        );
        assert!(list.check(&header(b"alice:s3cret"), http, true).is_ok());
        // Loading: iterations below OWASP's figure, short salts, duplicates.
        let path = |doc: &str| match Credentials::from_json(doc.as_bytes()) {
            Err(Error::CredentialsInvalid { path, .. }) => path,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            path(&doc.replace("600000", "100000")),
            "$.users[0].iterations"
        );
        assert_eq!(
            path(&doc.replace(&b64::encode(&salt), "AAAA")),
            "$.users[0].salt"
        );
        assert_eq!(path(&doc.replace("alice", "al:ice")), "$.users[0].username");
        assert_eq!(path(&doc.replace(&hash, &hash[1..])), "$.users[0].hash");
        let twice = doc.replace("}]}", "},{\"username\":\"alice\",\"salt\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"iterations\":600000,\"hash\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}]}");
        assert_eq!(path(&twice), "$.users[1].username");
    }
}
