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

            /// The row's doc line: when a code is answered (for `docs/errors.md`).
            pub fn doc(self) -> &'static str {
                match self { $(Code::$variant => concat!($($doc),+),)+ }
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
    /// The token names no `kid` and more keys could have signed it than are tried.
    MultipleMatchingKeys = "ERR_JWKS_MULTIPLE_MATCHING_KEYS", Some(401), Some("invalid_token"), Core;
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
    /// The authorization server says the opaque token is not active (RFC 7662 §2.2).
    TokenInactive = "ERR_TOKEN_INACTIVE", Some(401), Some("invalid_token"), Core;
    /// The DPoP proof is missing, malformed, badly signed, for another request or token,
    /// or its key is not the one the token is bound to (RFC 9449 §4.3, §7.1).
    DpopProofInvalid = "ERR_DPOP_PROOF_INVALID", Some(401), Some("invalid_dpop_proof"), Core;
    /// The DPoP proof lacks the server's current nonce (`nonce`: a fresh one; RFC 9449 §9).
    DpopNonceRequired = "ERR_DPOP_NONCE_REQUIRED", Some(401), Some("use_dpop_nonce"), Core;
    /// The DPoP proof's `jti` was already used with its key (RFC 9449 §11.1).
    DpopReplayed = "ERR_DPOP_REPLAYED", Some(401), Some("invalid_dpop_proof"), Decision;
    /// The client certificate is not the one the token is bound to (RFC 8705 §3).
    MtlsCertMismatch = "ERR_MTLS_CERT_MISMATCH", Some(401), Some("invalid_token"), Core;
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
    /// An API key that is malformed, fails its checksum, or matches no key of the catalog.
    ApiKeyInvalid = "ERR_APIKEY_INVALID", Some(401), Some("invalid_token"), Core;
    /// An API key of the catalog, presented with its secret, past its expiry.
    ApiKeyExpired = "ERR_APIKEY_EXPIRED", Some(401), Some("invalid_token"), Core;
    /// Basic credentials that are malformed or match no user and password (RFC 7617).
    BasicInvalid = "ERR_BASIC_INVALID", Some(401), None, Core;
    /// Credentials sent in the clear (`http:`) where only `https:` is accepted.
    InsecureTransport = "ERR_INSECURE_TRANSPORT", Some(400), Some("invalid_request"), Core;
    /// An API key catalog or Basic credential list cannot be loaded (`path`).
    CredentialsInvalid = "ERR_CREDENTIALS_INVALID", None, None, Core;
    /// Fetching a key set or discovery document timed out.
    JwksTimeout = "ERR_JWKS_TIMEOUT", Some(503), None, Edge;
    /// A key set or discovery document could not be fetched or used.
    JwksFetchFailed = "ERR_JWKS_FETCH_FAILED", Some(503), None, Edge;
    /// The discovery document names another issuer.
    DiscoveryIssuerMismatch = "ERR_DISCOVERY_ISSUER_MISMATCH", Some(503), None, Edge;
    /// The introspection endpoint could not be reached, timed out or answered unusably.
    IntrospectionFailed = "ERR_INTROSPECTION_FAILED", Some(503), None, Edge;
    /// The DPoP replay store could not answer: the proof is refused, not trusted.
    ReplayStoreFailed = "ERR_REPLAY_STORE_FAILED", Some(503), None, Edge;
    /// The revocation store could not answer in time: the token is refused, not trusted.
    RevocationStoreFailed = "ERR_REVOCATION_STORE_FAILED", Some(503), None, Edge;
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
    /// The token names no `kid` (or one no key has) and more keys without a
    /// matching `kid` fit its `alg` than are tried ([`crate::verify::MAX_UNNAMED_KEYS`]).
    MultipleMatchingKeys,
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
    /// The authorization server answered `active: false` (or anything but
    /// `true`) for an opaque token (RFC 7662 §2.2).
    TokenInactive,
    /// The DPoP proof does not pass a check of RFC 9449 §4.3 or §7.1.
    DpopProofInvalid(&'static str),
    /// The DPoP proof lacks the server's current nonce; `nonce` is a fresh one
    /// for the `DPoP-Nonce` response header (RFC 9449 §9).
    DpopNonceRequired {
        /// The nonce the client must put in its next proof.
        nonce: String,
    },
    /// The client certificate's thumbprint is not the token's `cnf.x5t#S256`.
    MtlsCertMismatch,
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
    /// An API key is malformed, fails its checksum, or matches no key (the
    /// same answer for an unknown id and a wrong secret).
    ApiKeyInvalid(&'static str),
    /// An API key matched (id and secret) but is past its `expires`.
    ApiKeyExpired,
    /// Basic credentials are malformed or wrong (one answer for an unknown
    /// user and a wrong password).
    BasicInvalid(&'static str),
    /// Credentials came over plain `http:` and insecure transport is not allowed.
    InsecureTransport,
    /// An API key catalog or Basic credential list cannot be loaded.
    CredentialsInvalid {
        /// The JSON path of the problem (`$.keys[0].sha256`).
        path: String,
        /// What is wrong there.
        message: String,
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
            Error::MultipleMatchingKeys => Code::MultipleMatchingKeys,
            Error::SignatureInvalid => Code::SignatureInvalid,
            Error::JwtInvalid { .. } => Code::JwtInvalid,
            Error::Expired => Code::Expired,
            Error::ClaimInvalid { .. } => Code::ClaimInvalid,
            Error::InsufficientScope { .. } => Code::InsufficientScope,
            Error::InsufficientRole { .. } => Code::InsufficientRole,
            Error::Revoked(_) => Code::Revoked,
            Error::SenderConstrained(_) => Code::SenderConstrained,
            Error::TokenInactive => Code::TokenInactive,
            Error::DpopProofInvalid(_) => Code::DpopProofInvalid,
            Error::DpopNonceRequired { .. } => Code::DpopNonceRequired,
            Error::MtlsCertMismatch => Code::MtlsCertMismatch,
            Error::InvalidArg(_) => Code::InvalidArg,
            Error::PolicyInvalid { .. } => Code::PolicyInvalid,
            Error::JwkInvalid { .. } => Code::JwkInvalid,
            Error::ApiKeyInvalid(_) => Code::ApiKeyInvalid,
            Error::ApiKeyExpired => Code::ApiKeyExpired,
            Error::BasicInvalid(_) => Code::BasicInvalid,
            Error::InsecureTransport => Code::InsecureTransport,
            Error::CredentialsInvalid { .. } => Code::CredentialsInvalid,
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
        self.www_authenticate_offering(realm, Offer::BEARER)
    }

    /// The `WWW-Authenticate` value in `scheme` (see [`challenge_for`]).
    pub fn challenge_for(&self, scheme: Scheme, realm: Option<&str>) -> Option<String> {
        if scheme == Scheme::Bearer {
            return self.www_authenticate(realm);
        }
        let scope = match self {
            Error::InsufficientScope { missing } => missing.as_slice(),
            _ => &[],
        };
        challenge_for(scheme, self.kind(), realm, &self.to_string(), scope)
    }

    /// [`Error::www_authenticate`] for a server offering the schemes of `offer`.
    pub fn www_authenticate_offering(
        &self,
        realm: Option<&str>,
        offer: Offer<'_>,
    ) -> Option<String> {
        let scope = match self {
            Error::InsufficientScope { missing } => missing.as_slice(),
            _ => &[],
        };
        // The proof's own errors, and a token bound to a DPoP key but sent as a
        // bearer token, are answered on the DPoP scheme (RFC 9449 §7.1, §7.2).
        let offer = Offer {
            error_in_dpop: offer.error_in_dpop
                || matches!(
                    self,
                    Error::SenderConstrained(Binding::Dpop)
                        | Error::DpopProofInvalid(_)
                        | Error::DpopNonceRequired { .. }
                ),
            ..offer
        };
        challenge_offering(self.kind(), realm, &self.to_string(), scope, offer)
    }
}

/// The authentication scheme a challenge names: the one the refused
/// credentials came in (for Bearer and DPoP, see [`Offer`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scheme {
    /// RFC 6750 bearer tokens (JWT access tokens).
    Bearer,
    /// API keys. No such scheme is registered with IANA: the challenge reuses
    /// RFC 6750's attributes under the name `ApiKey`, which clients that only
    /// know `Bearer` ignore (RFC 9110 §11.6.1 asks for a challenge on every 401).
    ApiKey,
    /// RFC 7617 Basic: `realm` (required, default `"api"`) and `charset="UTF-8"`,
    /// nothing else, and only on a 401: a 400 or 403 must not invite the client
    /// to send the password again.
    Basic,
}

/// The authentication schemes a resource server offers in its challenges
/// (RFC 9110 §11.6.1): Bearer (RFC 6750), DPoP (RFC 9449 §7.1), HTTP Basic
/// (RFC 7617) and API keys, in any combination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Offer<'a> {
    /// Bearer tokens are accepted.
    pub bearer: bool,
    /// DPoP proofs are accepted, with these algorithms (space-separated, the
    /// `algs` attribute).
    pub dpop: Option<&'a str>,
    /// The error concerns the DPoP scheme: the request used it, or the token
    /// needs it, or the error is the proof's.
    pub error_in_dpop: bool,
    /// Basic credentials are accepted, in this realm (RFC 7617 §2: required).
    pub basic: Option<&'a str>,
    /// API keys are accepted ([`Scheme::ApiKey`]).
    pub api_key: bool,
}

impl Offer<'_> {
    /// Bearer only: RFC 6750.
    pub const BEARER: Offer<'static> = Offer {
        bearer: true,
        dpop: None,
        error_in_dpop: false,
        basic: None,
        api_key: false,
    };

    /// Whether a token scheme (Bearer, DPoP) is offered, or only credentials.
    fn tokens(&self) -> bool {
        self.bearer || self.dpop.is_some()
    }
}

/// The `WWW-Authenticate` value answering with `code` (RFC 6750 §3): the
/// realm first when given; `error` and `error_description` where the code
/// has an RFC 6750 error; `scope` with the missing scopes. `None` where the
/// answer is not a 400, 401 or 403.
pub fn challenge(
    code: Code,
    realm: Option<&str>,
    description: &str,
    scope: &[String],
) -> Option<String> {
    challenge_offering(code, realm, description, scope, Offer::BEARER)
}

/// [`challenge`] in `scheme`: for [`Scheme::Basic`], RFC 7617 §2:
/// `Basic realm="…", charset="UTF-8"` on a 401, nothing otherwise; for
/// [`Scheme::ApiKey`], the Bearer challenge's attributes under `ApiKey`,
/// nothing for a key sent over an insecure transport.
pub fn challenge_for(
    scheme: Scheme,
    code: Code,
    realm: Option<&str>,
    description: &str,
    scope: &[String],
) -> Option<String> {
    match scheme {
        Scheme::Bearer => challenge(code, realm, description, scope),
        // A key refused for its transport gets no challenge: one would invite
        // the client to send it in the clear again (as Basic's 400 does not).
        Scheme::ApiKey if code == Code::InsecureTransport => None,
        Scheme::ApiKey => challenge(code, realm, description, scope)
            .and_then(|c| c.strip_prefix("Bearer").map(|rest| format!("ApiKey{rest}"))),
        Scheme::Basic => {
            if code.status() != Some(401) {
                return None;
            }
            let mut out = String::from("Basic realm=\"");
            push_quoted(&mut out, realm.unwrap_or("api"));
            out.push_str("\", charset=\"UTF-8\"");
            Some(out)
        }
    }
}

/// [`challenge`] for a server offering the schemes of `offer`; every
/// challenge of a server taking several schemes is built here. An error is
/// answered on one scheme: DPoP (with `algs`, RFC 9449 §7.1) when it
/// concerns DPoP or Bearer is not accepted, else Bearer; a server that takes
/// no token answers on `ApiKey`, else on Basic (a 401 only). The bare
/// challenge (no credentials) names every scheme offered (RFC 9110
/// §11.6.1), Bearer first (RFC 9449 §7.2: `Bearer, DPoP algs="ES256"`),
/// then `Basic realm="…", charset="UTF-8"`, then `ApiKey`.
pub fn challenge_offering(
    code: Code,
    realm: Option<&str>,
    description: &str,
    scope: &[String],
    offer: Offer<'_>,
) -> Option<String> {
    if !matches!(code.status(), Some(400 | 401 | 403)) {
        return None;
    }
    let only_credentials = !offer.tokens() && (offer.api_key || offer.basic.is_some());
    let Some(error) = code.oauth_error() else {
        let mut out = String::new();
        let next = |out: &mut String, scheme: &str| {
            if !out.is_empty() {
                out.push_str(", ");
            }
            push_scheme(out, scheme, realm);
        };
        if offer.bearer || (offer.dpop.is_none() && !only_credentials) {
            next(&mut out, "Bearer");
        }
        if let Some(algs) = offer.dpop {
            next(&mut out, "DPoP");
            push_algs(&mut out, algs, realm.is_some());
        }
        if let Some(basic) = offer.basic {
            if !out.is_empty() {
                out.push_str(", ");
            }
            if let Some(c) = challenge_for(Scheme::Basic, Code::NoCredentials, Some(basic), "", &[])
            {
                out.push_str(&c);
            }
        }
        if offer.api_key {
            next(&mut out, "ApiKey");
        }
        return Some(out);
    };
    if only_credentials {
        let scheme = if offer.api_key {
            Scheme::ApiKey
        } else {
            Scheme::Basic
        };
        return challenge_for(scheme, code, realm.or(offer.basic), description, scope);
    }
    let dpop = offer.dpop.filter(|_| offer.error_in_dpop || !offer.bearer);
    let mut out = String::new();
    push_scheme(
        &mut out,
        if dpop.is_some() { "DPoP" } else { "Bearer" },
        realm,
    );
    out.push_str(if realm.is_some() { ", " } else { " " });
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
    if let Some(algs) = dpop {
        push_algs(&mut out, algs, true);
    }
    Some(out)
}

/// `scheme`, then the realm when given.
fn push_scheme(out: &mut String, scheme: &str, realm: Option<&str>) {
    out.push_str(scheme);
    if let Some(realm) = realm {
        out.push_str(" realm=\"");
        push_quoted(out, realm);
        out.push('"');
    }
}

/// The DPoP `algs` attribute, after other attributes or right after the scheme.
fn push_algs(out: &mut String, algs: &str, after_attribute: bool) {
    out.push_str(if after_attribute {
        ", algs=\""
    } else {
        " algs=\""
    });
    push_quoted(out, algs);
    out.push('"');
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
            Error::JwsInvalid(m)
            | Error::AlgNotAllowed(m)
            | Error::NotSupported(m)
            | Error::DpopProofInvalid(m) => f.write_str(m),
            Error::DpopNonceRequired { .. } => f.write_str(
                "the DPoP proof must carry the server's current nonce: retry with the DPoP-Nonce value",
            ),
            Error::MtlsCertMismatch => f.write_str(
                "the client certificate is not the one the token is bound to (cnf.x5t#S256)",
            ),
            Error::NoMatchingKey => {
                f.write_str("no key in the key set matches the token's kid and alg")
            }
            Error::MultipleMatchingKeys => f.write_str(
                "more than 3 keys could have signed this token and none is named by its kid: send a kid",
            ),
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
            Error::TokenInactive => f.write_str("token is not active"),
            Error::InvalidArg(m) => f.write_str(m),
            Error::PolicyInvalid { path, message } => write!(f, "policy {path} {message}"),
            Error::JwkInvalid { message, .. } => f.write_str(message),
            Error::ApiKeyInvalid(m) | Error::BasicInvalid(m) => f.write_str(m),
            Error::ApiKeyExpired => f.write_str("API key expired"),
            Error::InsecureTransport => {
                f.write_str("credentials must not be sent over plain http: (use https:)")
            }
            Error::CredentialsInvalid { path, message } => {
                write!(f, "credentials {path} {message}")
            }
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

    #[test]
    fn credential_schemes_join_the_bare_challenge() {
        let all = Offer {
            basic: Some("staff"),
            api_key: true,
            ..Offer::BEARER
        };
        assert_eq!(
            challenge_offering(Code::NoCredentials, Some("api"), "", &[], all).as_deref(),
            Some("Bearer realm=\"api\", Basic realm=\"staff\", charset=\"UTF-8\", ApiKey realm=\"api\"")
        );
        // Errors stay on Bearer while tokens are taken.
        assert_eq!(
            challenge_offering(Code::InvalidRequest, None, "two", &[], all).as_deref(),
            Some("Bearer error=\"invalid_request\", error_description=\"two\"")
        );
        let keys_only = Offer {
            bearer: false,
            api_key: true,
            ..Offer::BEARER
        };
        assert_eq!(
            challenge_offering(Code::NoCredentials, None, "", &[], keys_only).as_deref(),
            Some("ApiKey")
        );
        assert_eq!(
            challenge_offering(Code::InvalidRequest, None, "two", &[], keys_only).as_deref(),
            Some("ApiKey error=\"invalid_request\", error_description=\"two\"")
        );
        let basic_only = Offer {
            bearer: false,
            basic: Some("api"),
            ..Offer::BEARER
        };
        assert_eq!(
            challenge_offering(Code::NoCredentials, None, "", &[], basic_only).as_deref(),
            Some("Basic realm=\"api\", charset=\"UTF-8\"")
        );
        // RFC 7617: a 400 does not invite the password again.
        assert_eq!(
            challenge_offering(Code::InvalidRequest, None, "two", &[], basic_only),
            None
        );
    }

    #[test]
    fn dpop_challenges_follow_rfc_9449() {
        let both = Offer {
            bearer: true,
            dpop: Some("ES256 EdDSA"),
            ..Offer::BEARER
        };
        // §7.2: the bare challenge names both schemes.
        assert_eq!(
            challenge_offering(Code::NoCredentials, None, "", &[], both).as_deref(),
            Some("Bearer, DPoP algs=\"ES256 EdDSA\"")
        );
        assert_eq!(
            challenge_offering(Code::NoCredentials, Some("api"), "", &[], both).as_deref(),
            Some("Bearer realm=\"api\", DPoP realm=\"api\", algs=\"ES256 EdDSA\"")
        );
        let dpop_only = Offer {
            bearer: false,
            ..both
        };
        assert_eq!(
            challenge_offering(Code::NoCredentials, None, "", &[], dpop_only).as_deref(),
            Some("DPoP algs=\"ES256 EdDSA\"")
        );
        // §7.1: an error on a DPoP request, with algs.
        let used = Offer {
            error_in_dpop: true,
            ..both
        };
        assert_eq!(
            Error::Expired
                .www_authenticate_offering(None, used)
                .as_deref(),
            Some(
                "DPoP error=\"invalid_token\", error_description=\"token expired (exp claim \
                 check failed)\", algs=\"ES256 EdDSA\""
            )
        );
        // A bearer request's own errors stay on Bearer...
        assert_eq!(
            Error::Expired.www_authenticate_offering(None, both),
            Error::Expired.www_authenticate(None)
        );
        // ...but a DPoP-bound token sent as a bearer token is told to use DPoP.
        let downgraded = Error::SenderConstrained(Binding::Dpop)
            .www_authenticate_offering(Some("api"), both)
            .unwrap();
        assert!(
            downgraded.starts_with("DPoP realm=\"api\", error=\"invalid_token\"")
                && downgraded.ends_with(", algs=\"ES256 EdDSA\""),
            "{downgraded}"
        );
        let nonce = Error::DpopNonceRequired { nonce: "n".into() };
        assert!(nonce
            .www_authenticate_offering(None, both)
            .unwrap()
            .starts_with("DPoP error=\"use_dpop_nonce\""));
    }
}
