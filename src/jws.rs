//! JWS compact serialization (RFC 7515 §7.1): splitting, strict decoding and
//! the protected header. JSON serialization and JWE are rejected here.

use crate::json::{Map, Value};

use crate::error::Error;
use crate::{b64, json};

/// Default bound on the whole token, in bytes.
pub const DEFAULT_MAX_TOKEN_LENGTH: usize = 16 * 1024;

/// A token split into its three segments, with the header decoded and parsed.
/// The payload is still encoded: it is read only after the signature verifies.
#[derive(Debug)]
pub struct Compact<'a> {
    /// `BASE64URL(header) '.' BASE64URL(payload)`: the bytes that were signed.
    pub signing_input: &'a [u8],
    /// The decoded payload bytes (not yet parsed: that waits for the signature).
    pub payload: Vec<u8>,
    /// The decoded signature.
    pub signature: Vec<u8>,
    /// The decoded header JSON text (validated).
    pub header_json: Vec<u8>,
    /// The parsed header.
    pub header: Header,
}

/// The protected header members tollgate acts on.
#[derive(Debug)]
pub struct Header {
    /// `alg`, as written (checked against the table later).
    pub alg: String,
    /// `kid`, when present.
    pub kid: Option<String>,
    /// `typ`, when present.
    pub typ: Option<String>,
    /// Every member, for callers who want the rest.
    pub members: Map,
}

/// Splits and decodes a compact JWS; checks size, shape, base64url and header.
pub fn split(token: &str, max_len: usize) -> Result<Compact<'_>, Error> {
    let bytes = token.as_bytes();
    if bytes.len() > max_len {
        return Err(Error::JwsInvalid(
            "token is longer than the maximum token length",
        ));
    }
    let mut parts = bytes.splitn(4, |&b| b == b'.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::JwsInvalid(
            "token must be a JWS in compact serialization: exactly three dot-separated segments",
        ));
    };
    // The signing input is everything before the second dot.
    let signed_len = h.len().checked_add(1).and_then(|n| n.checked_add(p.len()));
    let signing_input = signed_len
        .and_then(|n| bytes.get(..n))
        .ok_or(Error::JwsInvalid("token is malformed"))?;
    let header_json = b64::decode(h).ok_or(Error::JwsInvalid("header is not valid base64url"))?;
    // Every segment must be canonical base64url before anything else is
    // trusted; the payload is decoded here but read only after the signature.
    let payload = b64::decode(p).ok_or(Error::JwsInvalid("payload is not valid base64url"))?;
    let signature = b64::decode(s).ok_or(Error::JwsInvalid("signature is not valid base64url"))?;
    let header = parse_header(&header_json)?;
    Ok(Compact {
        signing_input,
        payload,
        signature,
        header_json,
        header,
    })
}

fn parse_header(text: &[u8]) -> Result<Header, Error> {
    let members = json::parse_object(text).map_err(|e| match e {
        json::JsonError::Duplicate => Error::JwsInvalid("header has duplicate member names"),
        _ => Error::JwsInvalid("header is not a valid JSON object"),
    })?;
    let alg = match members.get("alg") {
        Some(Value::String(alg)) => alg.clone(),
        Some(_) => return Err(Error::JwsInvalid("header alg is not a string")),
        None => return Err(Error::JwsInvalid("header has no alg")),
    };
    let kid = optional_string(&members, "kid", "header kid is not a string")?;
    let typ = optional_string(&members, "typ", "header typ is not a string")?;
    // RFC 7515 §4.1.11: a recipient MUST reject a token whose crit lists an
    // extension it does not process. tollgate processes none, so any crit, and
    // an empty or malformed one, is refused.
    if members.contains_key("crit") {
        return Err(Error::JwsInvalid(
            "header crit names extensions tollgate does not process",
        ));
    }
    // RFC 7797: an unencoded payload changes what is signed; refuse it (with or
    // without crit) rather than verify a different signing input. `matches!`,
    // not `!=`: comparing `Value`s would link their recursive `PartialEq`.
    if members
        .get("b64")
        .is_some_and(|v| !matches!(v, Value::Bool(true)))
    {
        return Err(Error::JwsInvalid(
            "header b64 other than true is not supported",
        ));
    }
    if members.contains_key("enc") {
        return Err(Error::JwsInvalid(
            "token is a JWE (header has enc), not a JWS",
        ));
    }
    // A nested JWT (RFC 7519 §5.2 cty "JWT") would need a second verification
    // that this API does not do; refuse instead of returning a token as claims.
    if let Some(cty) = members.get("cty") {
        let nested = cty.as_str().is_some_and(|c| c.eq_ignore_ascii_case("JWT"));
        if nested || cty.as_str().is_none() {
            return Err(Error::JwsInvalid("nested JWTs (cty JWT) are not supported"));
        }
    }
    Ok(Header {
        alg,
        kid,
        typ,
        members,
    })
}

fn optional_string(
    members: &Map,
    name: &str,
    message: &'static str,
) -> Result<Option<String>, Error> {
    match members.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Error::JwsInvalid(message)),
    }
}

/// Parses the decoded payload: a strict JSON object.
pub fn parse_payload(text: &[u8]) -> Result<Map, Error> {
    match json::parse(text) {
        Ok(Value::Object(claims)) => Ok(claims),
        Ok(_) => Err(Error::JwtInvalid {
            claim: None,
            message: "payload is not a JSON object",
        }),
        Err(json::JsonError::Duplicate) => Err(Error::JwtInvalid {
            claim: None,
            message: "payload has duplicate claim names",
        }),
        Err(json::JsonError::TooDeep) => Err(Error::JwtInvalid {
            claim: None,
            message: "payload is nested too deeply",
        }),
        Err(json::JsonError::Syntax) => Err(Error::JwtInvalid {
            claim: None,
            message: "payload is not valid JSON",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(header: &str, payload: &str) -> String {
        format!(
            "{}.{}.c2ln",
            b64::encode(header.as_bytes()),
            b64::encode(payload.as_bytes())
        )
    }

    fn code<T>(r: Result<T, Error>) -> &'static str {
        r.err().map_or("ok", |e| e.code())
    }

    #[test]
    fn shape() {
        let ok = token(r#"{"alg":"HS256"}"#, "{}");
        assert_eq!(code(split(&ok, DEFAULT_MAX_TOKEN_LENGTH)), "ok");
        for bad in [
            String::new(),
            "a.b".into(),
            "a.b.c.d".into(),
            "a.b.c.d.e".into(),
            format!("{ok}="),
            format!(" {ok}"),
            ".".repeat(10_000),
        ] {
            assert_eq!(code(split(&bad, 1 << 20)), "ERR_JWS_INVALID", "{bad:.40}");
        }
        assert_eq!(code(split(&ok, ok.len() - 1)), "ERR_JWS_INVALID");
        assert_eq!(code(split(&ok, ok.len())), "ok");
    }

    #[test]
    fn header_rules() {
        for bad in [
            r#"{"alg":"HS256","alg":"HS256"}"#,
            r#"{"alg":1}"#,
            r#"{}"#,
            r#"[]"#,
            r#"{"alg":"HS256","kid":5}"#,
            r#"{"alg":"HS256","typ":null}"#,
            r#"{"alg":"HS256","crit":["exp"],"exp":1}"#,
            r#"{"alg":"HS256","crit":[]}"#,
            r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#,
            r#"{"alg":"HS256","b64":false}"#,
            r#"{"alg":"HS256","cty":"JWT"}"#,
            r#"{"alg":"HS256","cty":"jwt"}"#,
            r#"{"alg":"RSA-OAEP","enc":"A256GCM"}"#,
        ] {
            assert_eq!(
                code(split(&token(bad, "{}"), 1 << 20)),
                "ERR_JWS_INVALID",
                "{bad}"
            );
        }
        let t = token(
            r#"{"alg":"ES256","kid":"k","typ":"at+jwt","jku":"https://x"}"#,
            "{}",
        );
        let ok = split(&t, 1 << 20);
        let Ok(c) = ok else { panic!() };
        assert_eq!(
            (
                c.header.alg.as_str(),
                c.header.kid.as_deref(),
                c.header.typ.as_deref()
            ),
            ("ES256", Some("k"), Some("at+jwt"))
        );
    }

    #[test]
    fn payload_must_be_a_json_object() {
        for bad in [
            &b"[1]"[..],
            b"\"s\"",
            b"12",
            br#"{"sub":"a","sub":"b"}"#,
            b"{\"a\":\"\x00\"}",
            b"{\"a\":\"\xff\"}",
            b"",
        ] {
            assert_eq!(
                code(parse_payload(bad)),
                "ERR_JWT_INVALID",
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(code(parse_payload(br#"{"a":1}"#)), "ok");
    }

    #[test]
    fn every_segment_must_be_canonical_base64url() {
        let good = token(r#"{"alg":"HS256"}"#, "{}");
        let parts: Vec<&str> = good.split('.').collect();
        for i in 0..3 {
            let mut p: Vec<String> = parts.iter().map(|s| (*s).to_owned()).collect();
            p[i].push('=');
            assert_eq!(
                code(split(&p.join("."), 1 << 20)),
                "ERR_JWS_INVALID",
                "segment {i}"
            );
        }
    }
}
