//! `Policy::evaluate`: the matching rule, the subject's scopes and roles, then the constraints.

use super::bits::Bits;
use super::constraints::{Context, Failure};
use super::decision::Decision;
use super::model::Policy;
use crate::error::Code;
use std::borrow::Cow;

use crate::json::Map;
use crate::net::Addr;
use crate::revocation::{RevocationList, Revoked};
use crate::route;
use crate::{roles, scopes};

/// A request to authorize.
#[derive(Clone, Debug, Default)]
pub struct Request<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Request path (query and fragment are ignored).
    pub path: &'a str,
    /// Client IP address, if known.
    pub ip: Option<&'a str>,
    /// Deployment environment (`production`, `staging`, …), if named.
    pub environment: Option<&'a str>,
    /// Now, in seconds since the epoch.
    pub now: i64,
}

/// Who is asking: claims from a verified token or, for UI gating, a decoded one.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    /// The token's claims.
    pub claims: &'a Map,
    /// Whether the claims come from a token tollgate verified.
    pub verified: bool,
}

/// Scopes and roles already read from a subject's claims (by the verifier),
/// from the same claims as this policy reads them.
#[derive(Clone, Copy, Debug, Default)]
pub struct AlreadyRead<'a> {
    /// The granted scopes, if read from this policy's scope claims.
    pub scopes: Option<&'a [String]>,
    /// The token's roles, if read strictly from this policy's role claim.
    pub roles: Option<&'a [String]>,
}

/// Who is asking, as evaluation sees it.
#[derive(Clone, Copy)]
enum Who<'a> {
    /// No credentials were sent.
    Nobody,
    /// Credentials whose claims cannot be read.
    Unreadable,
    /// Readable claims, and what was already read from them.
    Claims(Subject<'a>, AlreadyRead<'a>),
}

impl Policy {
    /// Decides `request` for `subject` (`None`: no credentials were sent).
    /// Never fails: problems with the request are decisions too.
    pub fn evaluate(
        &self,
        subject: Option<Subject<'_>>,
        request: &Request<'_>,
        revocations: Option<&RevocationList>,
    ) -> Decision {
        let revoked = subject.and_then(|s| revocations.and_then(|r| r.check(s.claims)));
        self.evaluate_verdict(subject, request, revoked)
    }

    /// [`Policy::evaluate`] with the revocation verdict decided by the
    /// caller (the policy's wasm module does not hold the revocation list).
    pub fn evaluate_verdict(
        &self,
        subject: Option<Subject<'_>>,
        request: &Request<'_>,
        revoked: Option<Revoked>,
    ) -> Decision {
        self.evaluate_read(subject, AlreadyRead::default(), request, revoked)
    }

    /// [`Policy::evaluate_verdict`] reusing the scopes and roles a verifier
    /// already read from the subject's claims (the one-trip path, [`crate::authorize`]).
    pub fn evaluate_read(
        &self,
        subject: Option<Subject<'_>>,
        read: AlreadyRead<'_>,
        request: &Request<'_>,
        revoked: Option<Revoked>,
    ) -> Decision {
        let who = match subject {
            Some(s) => Who::Claims(s, read),
            None => Who::Nobody,
        };
        let mut d = self.decide(who, request, revoked);
        d.unverified = subject.is_some_and(|s| !s.verified);
        d
    }

    /// Whether the verifier's `scope_source` and `role_source` read claims as this policy does.
    pub fn reads_like(&self, scopes: &scopes::Source, roles: &roles::Source) -> (bool, bool) {
        (self.scope_source == *scopes, self.role_source == *roles)
    }

    /// The decision for a subject whose claims cannot be read (not a JSON
    /// object): the path, public rules and credentials are decided as usual,
    /// and where the claims would be read the answer is 401 `ERR_JWT_INVALID`.
    pub fn evaluate_unreadable(&self, request: &Request<'_>, verified: bool) -> Decision {
        let mut d = self.decide(Who::Unreadable, request, None);
        d.unverified = !verified;
        d
    }

    fn decide(&self, who: Who<'_>, request: &Request<'_>, revoked: Option<Revoked>) -> Decision {
        let Ok(path) = route::normalize(request.path) else {
            return Decision::refuse(Code::InvalidRequest, format!("denied: {}", route::BAD_PATH));
        };
        let matched = self
            .rules
            .iter()
            .position(|r| r.methods.matches(request.method) && r.path.matches(&path));
        let rule = matched.and_then(|i| self.rules.get(i));
        let with_rule = |mut d: Decision| {
            d.rule = matched;
            d
        };
        if rule.is_some_and(|r| r.public) {
            let label = matched.map(|i| self.rule_label(i)).unwrap_or_default();
            return with_rule(Decision::allowed(format!("allowed: {label} is public")));
        }
        let (subject, read) = match who {
            Who::Claims(subject, read) => (subject, read),
            Who::Nobody => {
                let what = match matched {
                    Some(i) => self.rule_label(i),
                    None => "this route",
                };
                return with_rule(Decision::refuse(
                    Code::NoCredentials,
                    format!("denied: {what} needs a bearer token"),
                ));
            }
            Who::Unreadable => {
                return with_rule(Decision::refuse(
                    Code::JwtInvalid,
                    "denied: the claims are not a JSON object".to_owned(),
                ))
            }
        };
        if let Some(why) = revoked {
            let reason = match why {
                Revoked::Token => "denied: the token has been revoked (its jti is on the revocation list)",
                Revoked::Subject => "denied: the token has been revoked (its subject's tokens issued at or before a revocation time are)",
            };
            return with_rule(Decision::refuse(Code::Revoked, reason.to_owned()));
        }
        let granted = match read.scopes {
            Some(read) => Cow::Borrowed(read),
            None => match scopes::granted(subject.claims, &self.scope_source) {
                Ok(g) => Cow::Owned(g),
                Err(e) => return with_rule(Decision::refuse(e.kind(), format!("denied: {e}"))),
            },
        };
        let token_roles = match read.roles.map_or_else(
            || roles::granted(subject.claims, &self.role_source, true).map(Cow::Owned),
            |read| Ok(Cow::Borrowed(read)),
        ) {
            Ok(r) => r,
            Err(_) => {
                return with_rule(Decision::refuse(
                    Code::JwtInvalid,
                    format!(
                        "denied: the role claim ({}) must be a space-delimited string or an array of strings",
                        self.role_source.describe()
                    ),
                ))
            }
        };

        // Roles held, with inheritance; honoured scopes, then the effective closure.
        let super::carried::Reading {
            held,
            honoured,
            refused,
            unknown,
        } = self.reading(&granted, &token_roles);
        let mut effective = honoured.clone();
        for i in honoured.iter() {
            if let Some(s) = self.scopes.get(i) {
                effective.union(&s.implied);
            }
        }
        let mut d = Decision::allowed(String::new());
        d.rule = matched;
        d.scopes = effective
            .iter()
            .map(|i| self.scope_name(i).to_owned())
            .chain(unknown)
            .collect();
        d.roles = held.iter().map(|i| self.role_name(i).to_owned()).collect();

        let Some(rule) = rule else {
            if self.default_allow {
                d.reason = "allowed: no rule matches; the policy's default is allow".to_owned();
            } else {
                d.allow = false;
                d.deny(Code::NoMatchingRule);
                d.reason = format!(
                    "denied: no rule matches {} {} and the policy's default is deny",
                    crate::error::truncate(&request.method.to_ascii_uppercase()),
                    crate::error::truncate(request.path)
                );
            }
            return d;
        };
        let label = matched.map(|i| self.rule_label(i)).unwrap_or_default();

        // What the rule needs.
        let missing = |all: &[usize], any: &[usize], have: &Bits| -> Vec<usize> {
            let mut out: Vec<usize> = all.iter().copied().filter(|&i| !have.has(i)).collect();
            if !any.is_empty() && !any.iter().any(|&i| have.has(i)) {
                let extra: Vec<usize> = any.iter().copied().filter(|i| !out.contains(i)).collect();
                out.extend(extra);
            }
            out
        };
        let missing_scopes = missing(&rule.scopes, &rule.any_scopes, &effective);
        let missing_roles = missing(&rule.roles, &rule.any_roles, &held);
        d.missing_scopes = missing_scopes
            .iter()
            .map(|&i| self.scope_name(i).to_owned())
            .collect();
        d.missing_roles = missing_roles
            .iter()
            .map(|&i| self.role_name(i).to_owned())
            .collect();
        if !missing_scopes.is_empty() || !missing_roles.is_empty() {
            let mut parts = Vec::new();
            if !missing_scopes.is_empty() {
                d.deny(Code::InsufficientScope);
                let (in_token, absent): (Vec<usize>, Vec<usize>) =
                    missing_scopes.iter().partition(|i| refused.contains(i));
                if !absent.is_empty() {
                    let names: Vec<&str> = absent.iter().map(|&i| self.scope_name(i)).collect();
                    let any = if rule.any_scopes.iter().any(|i| absent.contains(i)) {
                        " (or one of them)"
                    } else {
                        ""
                    };
                    parts.push(format!(
                        "needs scope {}{any}, which the token does not carry",
                        names.join(", ")
                    ));
                }
                for i in in_token {
                    parts.push(format!(
                        "scope {} is in the token but none of the user's roles grants it",
                        self.scope_name(i)
                    ));
                }
            } else {
                d.deny(Code::InsufficientRole);
            }
            if !missing_roles.is_empty() {
                let held_names = if d.roles.is_empty() {
                    "no role this policy knows".to_owned()
                } else {
                    d.roles.join(", ")
                };
                parts.push(format!(
                    "needs role {}; the user holds {held_names}",
                    d.missing_roles.join(", ")
                ));
            }
            d.reason = format!("denied: {label} {}", parts.join("; "));
            return d;
        }

        // Constraints: the rule's own, then those of each scope it uses.
        let ip = request.ip.and_then(Addr::parse);
        let ctx = Context {
            ip,
            ip_text: request.ip,
            ip_given: request.ip.is_some(),
            environment: request.environment,
            now: request.now,
            claims: Some(subject.claims),
        };
        let fail = |mut d: Decision, who: String, f: Failure| {
            d.allow = false;
            d.deny(Code::ConstraintFailed);
            d.constraint = Some(f.name);
            d.reason = format!("denied: {who} {}", f.detail);
            d
        };
        if let Err(f) = rule.constraints.check(&ctx) {
            return fail(d, label.to_owned(), f);
        }
        let mut cache: Vec<Option<Result<(), Failure>>> = vec![None; self.scopes.len()];
        let mut own = |i: usize| -> Result<(), Failure> {
            match cache.get(i).cloned().flatten() {
                Some(r) => r,
                None => {
                    let r = self
                        .scopes
                        .get(i)
                        .map_or(Ok(()), |s| s.constraints.check(&ctx));
                    if let Some(slot) = cache.get_mut(i) {
                        *slot = Some(r.clone());
                    }
                    r
                }
            }
        };
        // A required scope is usable when it, or a honoured scope that
        // implies it, reaches it along scopes that all pass their constraints.
        let mut usable = Bits::new(self.scopes.len());
        let mut first_failure: Option<(usize, Failure)> = None;
        let mut stack: Vec<usize> = honoured.iter().collect();
        let mut seen = Bits::new(self.scopes.len());
        while let Some(i) = stack.pop() {
            if seen.has(i) {
                continue;
            }
            seen.set(i);
            match own(i) {
                Ok(()) => {
                    usable.set(i);
                    stack.extend(
                        self.scopes
                            .get(i)
                            .into_iter()
                            .flat_map(|s| s.implies.iter().copied()),
                    );
                }
                Err(f) => {
                    first_failure.get_or_insert((i, f));
                }
            }
        }
        let used: Vec<usize> = rule
            .scopes
            .iter()
            .copied()
            .chain(if rule.any_scopes.iter().any(|&i| usable.has(i)) {
                Vec::new()
            } else {
                rule.any_scopes.clone()
            })
            .collect();
        for r in used {
            if usable.has(r) || !effective.has(r) {
                continue;
            }
            // Report the scope's own failure, else one on a path to it.
            let failure = match own(r) {
                Err(f) => Some((r, f)),
                Ok(()) => honoured
                    .iter()
                    .filter(|&h| h == r || self.scopes.get(h).is_some_and(|s| s.implied.has(r)))
                    .find_map(|h| own(h).err().map(|f| (h, f)))
                    .or_else(|| first_failure.clone()),
            };
            if let Some((s, f)) = failure {
                let via = if s == r {
                    String::new()
                } else {
                    format!(" (which grants {} here)", self.scope_name(r))
                };
                return fail(d, format!("scope {}{via}", self.scope_name(s)), f);
            }
        }
        d.reason = format!("allowed: {label}");
        d
    }
}
