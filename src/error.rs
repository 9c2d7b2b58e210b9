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

/// Who answers with a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Thrown by the core (verification, keys, options, policy loading).
    Core,
    /// Only in decisions: policy evaluation and the request guard.
    Decision,
    /// Thrown by the JS edge layer (key sets over HTTP); the guard answers 503.
    Edge,
}

/// Defines [`Code`]: each row is a stable code, the HTTP status a resource
/// server answers with (`None`: the server's own misconfiguration), the RFC
/// 6750 §3.1 error (`None`: no error attribute) and who answers with it. The
/// JS package's code lists, types and answers are generated from these rows.
macro_rules! codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = $code:literal, $status:expr, $oauth:expr, $origin:ident;)+) => {
        /// Every stable code tollgate answers with.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl Code {
            /// Every code, in table order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),+];

            // One function per column, so that a build keeps only the columns it reads.

            /// The stable string (`"ERR_JWT_EXPIRED"`).
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)+ }
            }

            /// The HTTP status a resource server answers with, `None` for the
            /// server's own misconfiguration (bad options, keys, policies).
            pub fn status(self) -> Option<u16> {
                match self { $(Code::$variant => $status,)+ }
            }

            /// The RFC 6750 §3.1 error code, `None` where the answer has none.
            pub fn oauth_error(self) -> Option<&'static str> {
                match self { $(Code::$variant => $oauth,)+ }
            }

            /// Who answers with this code.
            pub fn origin(self) -> Origin {
                match self { $(Code::$variant => Origin::$origin,)+ }
            }
        }
    };
}

codes! {
    /// The token is not a well-formed JWS compact serialization.
    JwsInvalid = "ERR_JWS_INVALID", Some(401), Some("invalid_token"), Core;
    /// The token's `alg` is `none`, outside the allow-list, or not its key's.
    AlgNotAllowed = "ERR_JOSE_ALG_NOT_ALLOWED", Some(401), Some("invalid_token"), Core;
    /// The token's `alg` is one tollgate cannot verify.
    NotSupported = "ERR_JOSE_NOT_SUPPORTED", Some(401), Some("invalid_token"), Core;
    /// No key matches the token's `kid` and `alg`.
    NoMatchingKey = "ERR_JWKS_NO_MATCHING_KEY", Some(401), Some("invalid_token"), Core;
    /// The signature does not verify.
    SignatureInvalid = "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", Some(401), Some("invalid_token"), Core;
    /// The payload is not a JSON object, or a registered claim has the wrong type.
    JwtInvalid = "ERR_JWT_INVALID", Some(401), Some("invalid_token"), Core;
    /// The token has expired.
    Expired = "ERR_JWT_EXPIRED", Some(401), Some("invalid_token"), Core;
    /// A claim check failed (`claim`, `reason`).
    ClaimInvalid = "ERR_JWT_CLAIM_VALIDATION_FAILED", Some(401), Some("invalid_token"), Core;
    /// The token lacks required scopes (`missing`).
    InsufficientScope = "ERR_JWT_INSUFFICIENT_SCOPE", Some(403), Some("insufficient_scope"), Core;
    /// The user lacks required roles (`missing`).
    InsufficientRole = "ERR_JWT_INSUFFICIENT_ROLE", Some(403), Some("insufficient_scope"), Core;
    /// The token, or its subject, is revoked.
    Revoked = "ERR_JWT_REVOKED", Some(401), Some("invalid_token"), Core;
    /// The token is bound by `cnf` and came without its proof (`binding`).
    SenderConstrained = "ERR_JWT_SENDER_CONSTRAINED", Some(401), Some("invalid_token"), Core;
    /// A bad argument or option: a `TypeError` in JS, never a 401.
    InvalidArg = "ERR_INVALID_ARG", None, None, Core;
    /// A key or key set cannot be imported (`skipped`).
    JwkInvalid = "ERR_JWK_INVALID", None, None, Core;
    /// A policy document cannot be loaded (`path`).
    PolicyInvalid = "ERR_POLICY_INVALID", None, None, Core;
    /// `downscope` asked for scopes the verified token does not grant (`missing`).
    DownscopeSuperset = "ERR_DOWNSCOPE_SUPERSET", None, None, Core;
    /// No policy rule matches and the policy denies by default.
    NoMatchingRule = "ERR_POLICY_NO_MATCHING_RULE", Some(403), Some("insufficient_scope"), Decision;
    /// A constraint of the matching rule or scope failed (`constraint`).
    ConstraintFailed = "ERR_POLICY_CONSTRAINT_FAILED", Some(403), Some("insufficient_scope"), Decision;
    /// No credentials were sent: the bare challenge (RFC 6750 §3.1).
    NoCredentials = "ERR_NO_CREDENTIALS", Some(401), None, Decision;
    /// Malformed credentials or request (RFC 6750 §3.1 `invalid_request`).
    InvalidRequest = "ERR_INVALID_REQUEST", Some(400), Some("invalid_request"), Decision;
    /// Fetching a key set or discovery document timed out.
    JwksTimeout = "ERR_JWKS_TIMEOUT", Some(503), None, Edge;
    /// A key set or discovery document could not be fetched or used.
    JwksFetchFailed = "ERR_JWKS_FETCH_FAILED", Some(503), None, Edge;
    /// The discovery document names another issuer.
    DiscoveryIssuerMismatch = "ERR_DISCOVERY_ISSUER_MISMATCH", Some(503), None, Edge;
}

impl Code {
    /// Looks up a code by its string.
    pub fn parse(code: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == code)
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
    /// `downscope` asked for scopes the verified token does not grant: a
    /// derived token carries a subset of the original's scopes, never more.
    DownscopeSuperset {
        /// The requested scopes the verified token does not grant.
        missing: Vec<String>,
    },
}

impl Error {
    /// The row of the code table this error answers with.
    pub fn kind(&self) -> Code {
        match self {
            Error::JwsInvalid(_) => Code::JwsInvalid,
            Error::AlgNotAllowed(_) => Code::AlgNotAllowed,
            Error::NotSupported(_) => Code::NotSupported,
            Error::NoMatchingKey => Code::NoMatchingKey,
            Error::SignatureInvalid => Code::SignatureInvalid,
            Error::JwtInvalid { .. } => Code::JwtInvalid,
            Error::Expired => Code::Expired,
            Error::ClaimInvalid { .. } => Code::ClaimInvalid,
            Error::InsufficientScope { .. } => Code::InsufficientScope,
            Error::InsufficientRole { .. } => Code::InsufficientRole,
            Error::Revoked(_) => Code::Revoked,
            Error::SenderConstrained(_) => Code::SenderConstrained,
            Error::InvalidArg(_) => Code::InvalidArg,
            Error::PolicyInvalid { .. } => Code::PolicyInvalid,
            Error::JwkInvalid { .. } => Code::JwkInvalid,
            Error::DownscopeSuperset { .. } => Code::DownscopeSuperset,
        }
    }

    /// The stable error code (jose's names where the meaning is the same).
    pub fn code(&self) -> &'static str {
        self.kind().as_str()
    }

    /// The HTTP status a resource server answers with, or `None` for errors
    /// that are the server's own misconfiguration (bad options, bad keys).
    pub fn status(&self) -> Option<u16> {
        self.kind().status()
    }

    /// The RFC 6750 §3.1 error code, or `None` for caller errors.
    pub fn oauth_error(&self) -> Option<&'static str> {
        self.kind().oauth_error()
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
        let scope = match self {
            Error::InsufficientScope { missing } => missing.as_slice(),
            _ => &[],
        };
        challenge(self.kind(), realm, &self.to_string(), scope)
    }
}

/// The `WWW-Authenticate` value answering with `code` (RFC 6750 §3): the
/// realm first when given; `error` and `error_description` where the code
/// has an RFC 6750 error; `scope` with the missing scopes. `None` where the
/// answer is not a 400, 401 or 403. Every challenge of the package is built
/// here.
pub fn challenge(
    code: Code,
    realm: Option<&str>,
    description: &str,
    scope: &[String],
) -> Option<String> {
    if !matches!(code.status(), Some(400 | 401 | 403)) {
        return None;
    }
    let mut out = String::from("Bearer");
    let mut sep = " ";
    if let Some(realm) = realm {
        out.push_str(" realm=\"");
        push_quoted(&mut out, realm);
        out.push('"');
        sep = ", ";
    }
    if let Some(error) = code.oauth_error() {
        out.push_str(sep);
        out.push_str("error=\"");
        out.push_str(error);
        out.push_str("\", error_description=\"");
        push_quoted(&mut out, description);
        out.push('"');
        if !scope.is_empty() {
            out.push_str(", scope=\"");
            push_quoted(&mut out, &scope.join(" "));
            out.push('"');
        }
    }
    Some(out)
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
            Error::DownscopeSuperset { missing } => write!(
                f,
                "downscope asked for scopes the verified token does not grant: {}",
                missing.join(" ")
            ),
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

/// Shortens caller text quoted back in an error message, and keeps it
/// printable (no quotes, backslashes or control characters).
pub(crate) fn truncate(s: &str) -> String {
    s.chars()
        .take(40)
        .map(|c| {
            if c.is_control() || c == '"' || c == '\\' {
                '?'
            } else {
                c
            }
        })
        .collect()
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
