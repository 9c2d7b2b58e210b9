//! The one error type, its stable codes, and its HTTP answer.
//!
//! Every rejection maps to exactly one row of the table in [`Error::code`] and
//! [`Error::status`]. Messages are fixed strings or caller-supplied names (claim
//! names, scope names, option names): never token bytes and never key material.

use std::fmt;

/// Why a claim check failed (jose's `reason` values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// The claim is required but absent.
    Missing,
    /// The claim is present but has the wrong type or an out-of-range value.
    Invalid,
    /// The claim is well formed but its value does not pass the check.
    CheckFailed,
}

impl Reason {
    /// The stable string form (`"missing"`, `"invalid"`, `"check_failed"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Missing => "missing",
            Reason::Invalid => "invalid",
            Reason::CheckFailed => "check_failed",
        }
    }
}

/// How a sender-constrained token is bound to its holder (RFC 7800 `cnf`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Binding {
    /// `cnf.jkt`: the thumbprint of a DPoP proof key (RFC 9449 §6).
    Dpop,
    /// `cnf.x5t#S256`: the thumbprint of a TLS client certificate (RFC 8705 §3).
    Mtls,
    /// Another confirmation method (`jwk`, `kid`, `jwe`, `jku`, …).
    Other,
}

impl Binding {
    /// The stable string form (`"dpop"`, `"mtls"`, `"other"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Binding::Dpop => "dpop",
            Binding::Mtls => "mtls",
            Binding::Other => "other",
        }
    }
}

/// A key that a key set skipped at import, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// Position of the key in the JWKS `keys` array.
    pub index: usize,
    /// The key's `kid`, when it had a string one.
    pub kid: Option<String>,
    /// Why it cannot be used for verification.
    pub reason: String,
}

/// Every way tollgate rejects a token, a key or an option.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The token is not a well-formed JWS compact serialization (segments,
    /// base64url, header JSON, size, `crit`, `b64`).
    JwsInvalid(&'static str),
    /// The header `alg` is not allowed: `none`, outside the allow-list, or not
    /// the algorithm the selected key is bound to.
    AlgNotAllowed(&'static str),
    /// The header names an algorithm this library cannot verify.
    NotSupported(&'static str),
    /// No key in the set matches the token's `kid` / `alg`.
    NoMatchingKey,
    /// The signature does not verify with the selected key.
    SignatureInvalid,
    /// The payload is not a JSON object, or a registered claim has the wrong type.
    JwtInvalid {
        /// The claim at fault, if one claim is.
        claim: Option<&'static str>,
        /// What is wrong.
        message: &'static str,
    },
    /// The `exp` claim is in the past (beyond the clock tolerance).
    Expired,
    /// A claim check failed (`iss`, `aud`, `nbf`, `iat`, `sub`, `typ`, max age,
    /// a required claim).
    ClaimInvalid {
        /// The claim (or header parameter, for `typ`) that failed.
        claim: String,
        /// Why it failed.
        reason: Reason,
    },
    /// The token is valid but lacks required scopes.
    InsufficientScope {
        /// The required scopes the token does not carry.
        missing: Vec<String>,
    },
    /// The token is valid but its user lacks required roles.
    InsufficientRole {
        /// The required roles the user does not hold.
        missing: Vec<String>,
    },
    /// The token (by `jti`) or every token of its subject issued before a
    /// time is on the revocation list.
    Revoked(crate::revocation::Revoked),
    /// The token is sender-constrained (its `cnf` claim binds it to a key or
    /// certificate) and came without the proof of possession: a bound token
    /// must never be accepted as a bearer token.
    SenderConstrained(Binding),
    /// The caller passed a bad argument or option.
    InvalidArg(String),
    /// A policy document cannot be loaded.
    PolicyInvalid {
        /// The JSON path of the problem (`$.roles.admin.inherits[0]`).
        path: String,
        /// What is wrong there.
        message: String,
    },
    /// A key or key set cannot be imported.
    JwkInvalid {
        /// What is wrong.
        message: String,
        /// For key sets with no usable key: each key and why it was skipped.
        skipped: Vec<Skipped>,
    },
}

impl Error {
    /// The stable error code (jose's names where the meaning is the same).
    pub fn code(&self) -> &'static str {
        match self {
            Error::JwsInvalid(_) => "ERR_JWS_INVALID",
            Error::AlgNotAllowed(_) => "ERR_JOSE_ALG_NOT_ALLOWED",
            Error::NotSupported(_) => "ERR_JOSE_NOT_SUPPORTED",
            Error::NoMatchingKey => "ERR_JWKS_NO_MATCHING_KEY",
            Error::SignatureInvalid => "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
            Error::JwtInvalid { .. } => "ERR_JWT_INVALID",
            Error::Expired => "ERR_JWT_EXPIRED",
            Error::ClaimInvalid { .. } => "ERR_JWT_CLAIM_VALIDATION_FAILED",
            Error::InsufficientScope { .. } => "ERR_JWT_INSUFFICIENT_SCOPE",
            Error::InsufficientRole { .. } => "ERR_JWT_INSUFFICIENT_ROLE",
            Error::Revoked(_) => "ERR_JWT_REVOKED",
            Error::SenderConstrained(_) => "ERR_JWT_SENDER_CONSTRAINED",
            Error::InvalidArg(_) => "ERR_INVALID_ARG",
            Error::PolicyInvalid { .. } => "ERR_POLICY_INVALID",
            Error::JwkInvalid { .. } => "ERR_JWK_INVALID",
        }
    }

    /// The HTTP status a resource server answers with, or `None` for errors
    /// that are the server's own misconfiguration (bad options, bad keys).
    pub fn status(&self) -> Option<u16> {
        match self.oauth_error() {
            Some("insufficient_scope") => Some(403),
            Some(_) => Some(401),
            None => None,
        }
    }

    /// The RFC 6750 §3.1 error code, or `None` for caller errors.
    pub fn oauth_error(&self) -> Option<&'static str> {
        match self {
            Error::InsufficientScope { .. } | Error::InsufficientRole { .. } => {
                Some("insufficient_scope")
            }
            Error::InvalidArg(_) | Error::JwkInvalid { .. } | Error::PolicyInvalid { .. } => None,
            _ => Some("invalid_token"),
        }
    }

    /// The claim this error is about, if any.
    pub fn claim(&self) -> Option<&str> {
        match self {
            Error::Expired => Some("exp"),
            Error::SenderConstrained(_) => Some("cnf"),
            Error::ClaimInvalid { claim, .. } => Some(claim),
            Error::JwtInvalid { claim, .. } => *claim,
            _ => None,
        }
    }

    /// The jose-style reason (`missing`, `invalid`, `check_failed`), if any.
    pub fn reason(&self) -> Option<Reason> {
        match self {
            Error::Expired => Some(Reason::CheckFailed),
            Error::ClaimInvalid { reason, .. } => Some(*reason),
            Error::JwtInvalid { claim: Some(_), .. } => Some(Reason::Invalid),
            _ => None,
        }
    }

    /// The `WWW-Authenticate` response header value (RFC 6750 §3), with the
    /// realm first when one is given. `None` for caller errors.
    pub fn www_authenticate(&self, realm: Option<&str>) -> Option<String> {
        let error = self.oauth_error()?;
        let mut out = String::from("Bearer ");
        if let Some(realm) = realm {
            out.push_str("realm=\"");
            push_quoted(&mut out, realm);
            out.push_str("\", ");
        }
        out.push_str("error=\"");
        out.push_str(error);
        out.push_str("\", error_description=\"");
        push_quoted(&mut out, &self.to_string());
        out.push('"');
        if let Error::InsufficientScope { missing } = self {
            out.push_str(", scope=\"");
            push_quoted(&mut out, &missing.join(" "));
            out.push('"');
        }
        Some(out)
    }
}

/// Appends `s` restricted to the characters RFC 6750 §3 allows inside the
/// quoted attribute values (`%x20-21 / %x23-5B / %x5D-7E`); anything else
/// becomes `?`, so a caller-supplied name cannot break the header.
pub(crate) fn push_quoted(out: &mut String, s: &str) {
    out.extend(s.chars().map(|c| match c {
        ' '..='~' if c != '"' && c != '\\' => c,
        _ => '?',
    }));
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::JwsInvalid(m) | Error::AlgNotAllowed(m) | Error::NotSupported(m) => {
                f.write_str(m)
            }
            Error::NoMatchingKey => {
                f.write_str("no key in the key set matches the token's kid and alg")
            }
            Error::SignatureInvalid => f.write_str("signature verification failed"),
            Error::JwtInvalid { message, .. } => f.write_str(message),
            Error::Expired => f.write_str("token expired (exp claim check failed)"),
            Error::ClaimInvalid { claim, reason } => match reason {
                Reason::Missing => write!(f, "missing required {claim} claim"),
                Reason::Invalid => write!(f, "{claim} claim is invalid"),
                Reason::CheckFailed => write!(f, "{claim} claim check failed"),
            },
            Error::InsufficientScope { missing } => {
                write!(f, "token lacks required scope: {}", missing.join(" "))
            }
            Error::InsufficientRole { missing } => {
                write!(f, "user lacks required role: {}", missing.join(" "))
            }
            Error::Revoked(crate::revocation::Revoked::Token) => {
                f.write_str("token has been revoked")
            }
            Error::Revoked(crate::revocation::Revoked::Subject) => f.write_str(
                "token has been revoked (all tokens of its subject issued before a time are)",
            ),
            Error::SenderConstrained(binding) => f.write_str(match binding {
                Binding::Dpop => {
                    "token is bound to a DPoP key (cnf.jkt) and came without its proof; \
                     it cannot be used as a bearer token"
                }
                Binding::Mtls => {
                    "token is bound to a client certificate (cnf.x5t#S256) and came without \
                     it; it cannot be used as a bearer token"
                }
                Binding::Other => {
                    "token is bound to a key (cnf) and came without its proof; it cannot be \
                     used as a bearer token"
                }
            }),
            Error::InvalidArg(m) => f.write_str(m),
            Error::PolicyInvalid { path, message } => write!(f, "policy {path} {message}"),
            Error::JwkInvalid { message, .. } => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

/// `parts` joined. Messages are built with this rather than `format!`: each
/// `format!` call site costs the wasm module more than a join of the pieces.
pub(crate) fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// `n` in decimal, for messages (see [`cat`]).
pub(crate) fn decimal(mut n: usize) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits.iter().rev().map(|&d| char::from(d)).collect()
}

/// Shorthand for a caller-misuse error.
pub(crate) fn invalid_arg(message: impl Into<String>) -> Error {
    Error::InvalidArg(message.into())
}

/// Shorthand for a key-import error.
pub(crate) fn jwk_invalid(message: impl Into<String>) -> Error {
    Error::JwkInvalid {
        message: message.into(),
        skipped: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_matches_to_string() {
        for n in [0, 1, 9, 10, 99, 100, 4096, 1_048_576, usize::MAX] {
            assert_eq!(decimal(n), n.to_string());
        }
    }

    #[test]
    fn statuses_follow_rfc_6750() {
        assert_eq!(Error::Expired.status(), Some(401));
        assert_eq!(
            Error::InsufficientScope {
                missing: vec!["a".into()]
            }
            .status(),
            Some(403)
        );
        assert_eq!(Error::InvalidArg("x".into()).status(), None);
        assert_eq!(jwk_invalid("x").status(), None);
    }

    #[test]
    fn www_authenticate_quotes_and_orders_realm_first() {
        let e = Error::InsufficientScope {
            missing: vec!["write:messages".into(), "a\"b".into()],
        };
        assert_eq!(
            e.www_authenticate(Some("api")).as_deref(),
            Some(
                "Bearer realm=\"api\", error=\"insufficient_scope\", error_description=\"token lacks \
                 required scope: write:messages a?b\", scope=\"write:messages a?b\""
            )
        );
        assert_eq!(
            Error::Expired.www_authenticate(None).as_deref(),
            Some("Bearer error=\"invalid_token\", error_description=\"token expired (exp claim check failed)\"")
        );
        assert_eq!(Error::InvalidArg("x".into()).www_authenticate(None), None);
    }
}
