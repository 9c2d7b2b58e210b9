//! One request, one trip: the route's own answer, then the token, its
//! revocation and the policy's decision, composed here so that a guard asks
//! the core once per request and the claims are read once.

use crate::credential::Authenticated;
use crate::dpop::{Presentation, Proven};
use crate::error::{Code, Error};
use crate::options::CallOptions;
use crate::policy::{AlreadyRead, Decision, Policy, Request, Subject};
use crate::revocation::RevocationList;
use crate::verify::{Begun, Pending, PendingPresented, Verified, Verifier};

/// What one request comes to.
#[derive(Debug)]
pub enum Outcome {
    /// A public rule: no credentials were looked at.
    Public(Decision),
    /// The route needs a token and none was presented. With a policy, its
    /// decision (`ERR_NO_CREDENTIALS`, with the rule that matched); the
    /// caller answers with its own refusal of malformed credentials, if it
    /// found some, else with the bare challenge (RFC 6750 §3.1).
    NoToken(Option<Decision>),
    /// The token verified and, with a policy, the policy allows the request.
    Allowed(Box<Verified>, Option<Decision>),
    /// The token is refused: signature, claims, binding, revocation, scopes, roles.
    Refused(Error),
    /// The policy refuses the request: its path, rule, scopes, roles or constraints.
    Denied(Decision),
}

/// What a guard authorizes with: a verifier, and maybe a policy and a revocation list.
#[derive(Clone, Copy)]
pub struct Authorizer<'a> {
    /// The compiled verification options and keys.
    pub verifier: &'a Verifier,
    /// The route rules, if any.
    pub policy: Option<&'a Policy>,
    /// Revoked tokens and subjects, if any.
    pub revocations: Option<&'a RevocationList>,
}

/// [`Authorizer::begin`]'s answer: final, or a signature for the caller
/// (signatures, from [`Authorizer::begin_presented`]).
#[derive(Debug)]
pub enum Step<P = Pending> {
    /// The whole answer.
    Done(Outcome),
    /// An RSA, ECDSA or EdDSA signature to check before [`Authorizer::resume`].
    Signature(P),
}

impl Authorizer<'_> {
    /// Authorizes `request` presenting `token` (`None`: no bearer token).
    /// `request.now` is ignored: the time is the call's, the verifier's or `clock`.
    pub fn authorize(
        &self,
        token: Option<&str>,
        call: &CallOptions,
        request: &Request<'_>,
        clock: i64,
    ) -> Outcome {
        let verify = |token: &str| -> Result<Begun, Error> {
            self.verifier
                .verify_revocable(token, call, clock, self.revocations)
                .map(Begun::Verified)
        };
        match self.begin_with(token, call, request, clock, verify) {
            Step::Done(outcome) => outcome,
            // Not reached: the signature was checked here.
            Step::Signature(_) => Outcome::Refused(Error::SignatureInvalid),
        }
    }

    /// [`Authorizer::authorize`] for a request that presents more than its
    /// token (a DPoP proof, a client certificate: see
    /// [`Verifier::verify_presented`]), with what the proofs showed when the
    /// token was accepted.
    pub fn authorize_presented(
        &self,
        token: Option<&str>,
        call: &CallOptions,
        request: &Request<'_>,
        clock: i64,
        presentation: &Presentation<'_>,
    ) -> (Outcome, Option<Proven>) {
        let mut proven = None;
        let verify = |token: &str| -> Result<Begun, Error> {
            let (verified, p) = self.verifier.verify_presented(
                token,
                call,
                clock,
                self.revocations,
                presentation,
            )?;
            proven = Some(p);
            Ok(Begun::Verified(verified))
        };
        match self.begin_with(token, call, request, clock, verify) {
            Step::Done(outcome) => (outcome, proven),
            Step::Signature(_) => (Outcome::Refused(Error::SignatureInvalid), None),
        }
    }

    /// [`Authorizer::authorize`] with an asymmetric signature left to the
    /// caller, who checks it with the runtime's native crypto: the payload
    /// is read only in [`Authorizer::resume`], after it verified.
    pub fn begin(
        &self,
        token: Option<&str>,
        call: &CallOptions,
        request: &Request<'_>,
        clock: i64,
    ) -> Step {
        let verify = |token: &str| self.verifier.begin(token, call, clock, self.revocations);
        self.begin_with(token, call, request, clock, verify)
    }

    /// An opaque token's introspection response (RFC 7662), checked as
    /// [`Verifier::check_introspected`] checks it, then the policy's decision
    /// on its claims: the rest of a request whose route already asked for
    /// credentials (the caller asked the route first, before the lookup).
    pub fn authorize_introspected(
        &self,
        response: &str,
        call: &CallOptions,
        request: &Request<'_>,
        clock: i64,
    ) -> Outcome {
        let checked = self
            .verifier
            .check_introspected(response, call, clock, self.revocations);
        match checked {
            Ok(verified) => self.decide(verified, &self.at(request, call, clock)),
            Err(e) => Outcome::Refused(e),
        }
    }

    /// The rest of [`Authorizer::begin`], once a candidate key verified the signature.
    pub fn resume(
        &self,
        pending: Pending,
        call: &CallOptions,
        request: &Request<'_>,
        clock: i64,
    ) -> Outcome {
        match self.verifier.resume(pending, call, clock, self.revocations) {
            Ok(verified) => self.decide(verified, &self.at(request, call, clock)),
            Err(e) => Outcome::Refused(e),
        }
    }

    /// [`Authorizer::authorize_presented`] with the signatures left to the
    /// caller ([`Verifier::begin_presented`]): the final answer, with what
    /// the proofs showed when the token was accepted, or the signatures for
    /// [`Authorizer::resume_presented`].
    pub fn begin_presented(
        &self,
        token: Option<&str>,
        call: &CallOptions,
        request: &Request<'_>,
        clock: i64,
        presentation: &Presentation<'_>,
    ) -> (Step<PendingPresented>, Option<Proven>) {
        let mut proven = None;
        let verify = |token: &str| {
            let begun = self.verifier.begin_presented(
                token,
                call,
                clock,
                self.revocations,
                presentation,
            )?;
            Ok(match begun {
                Begun::Verified((verified, p)) => {
                    proven = Some(p);
                    Begun::Verified(verified)
                }
                Begun::Pending(pending) => Begun::Pending(pending),
            })
        };
        let step = self.begin_with(token, call, request, clock, verify);
        (step, proven)
    }

    /// The rest of [`Authorizer::begin_presented`], with the caller's
    /// verdicts on the signatures (see [`Verifier::resume_presented`]).
    #[allow(clippy::too_many_arguments)]
    pub fn resume_presented(
        &self,
        pending: PendingPresented,
        call: &CallOptions,
        request: &Request<'_>,
        clock: i64,
        presentation: &Presentation<'_>,
        token_verified: Option<bool>,
        proof_verified: Option<bool>,
    ) -> (Outcome, Option<Proven>) {
        let resumed = self.verifier.resume_presented(
            pending,
            call,
            clock,
            self.revocations,
            presentation,
            token_verified,
            proof_verified,
        );
        match resumed {
            Ok((verified, proven)) => (
                self.decide(verified, &self.at(request, call, clock)),
                Some(proven),
            ),
            Err(e) => (Outcome::Refused(e), None),
        }
    }

    fn begin_with<P>(
        &self,
        token: Option<&str>,
        call: &CallOptions,
        request: &Request<'_>,
        clock: i64,
        verify: impl FnOnce(&str) -> Result<Begun<P>, Error>,
    ) -> Step<P> {
        let request = self.at(request, call, clock);
        let mut before = None;
        if let Some(policy) = self.policy {
            // The route first: a public rule needs no token, and a path that
            // could route elsewhere is refused whatever the token.
            let d = policy.evaluate_verdict(None, &request, None);
            if d.allow {
                return Step::Done(Outcome::Public(d));
            }
            if d.code == Some(Code::InvalidRequest) {
                return Step::Done(Outcome::Denied(d));
            }
            before = Some(d);
        }
        let Some(token) = token else {
            return Step::Done(Outcome::NoToken(before));
        };
        Step::Done(match verify(token) {
            Ok(Begun::Verified(verified)) => self.decide(verified, &request),
            Ok(Begun::Pending(p)) => return Step::Signature(p),
            Err(e) => Outcome::Refused(e),
        })
    }

    /// The request at the time the verification uses.
    fn at<'r>(&self, request: &Request<'r>, call: &CallOptions, clock: i64) -> Request<'r> {
        Request {
            now: self.verifier.now(call, clock),
            ..request.clone()
        }
    }

    /// The policy's decision on a verified token, with the scopes and roles
    /// the verifier read when it read them as the policy does.
    fn decide(&self, verified: Verified, request: &Request<'_>) -> Outcome {
        let Some(policy) = self.policy else {
            return Outcome::Allowed(Box::new(verified), None);
        };
        let v = self.verifier.validation();
        let (scopes_alike, roles_alike) = policy.reads_like(&v.scope_source, &v.role_source);
        let read = AlreadyRead {
            scopes: scopes_alike.then_some(verified.scopes.as_slice()),
            // Read leniently, a malformed role claim is dropped; the policy reads strictly.
            roles: (roles_alike && v.roles_strict).then_some(verified.roles.as_slice()),
        };
        let subject = Subject {
            claims: &verified.claims,
            verified: true,
        };
        let decision = policy.evaluate_read(Some(subject), read, request, None);
        if decision.allow {
            Outcome::Allowed(Box::new(verified), Some(decision))
        } else {
            Outcome::Denied(decision)
        }
    }
}

/// What one request presenting an API key or Basic credentials comes to:
/// [`Outcome`]'s answers, with the credential in place of a token.
#[derive(Debug)]
pub enum CredentialOutcome {
    /// A public rule: the credential was not looked at.
    Public(Decision),
    /// The credential verified, held what the call requires and, with a
    /// policy, the policy allows the request.
    Allowed(Box<Authenticated>, Option<Decision>),
    /// The credential is refused: transport, unknown, wrong, expired, scopes, roles.
    Refused(Error),
    /// The policy refuses the request: its path, rule, scopes, roles or constraints.
    Denied(Decision),
}

/// Authorizes a request presenting an API key or Basic credentials, as
/// [`Authorizer::authorize`] does a token, in one step: with a `policy`, the
/// route first (a public rule checks nothing, a path that could route
/// elsewhere is a 400); then `check` (the catalog's or the list's, with the
/// transport); then the call's required `scopes` and `roles`
/// ([`Authenticated::require`]); then the policy's decision on the
/// credential's synthesized claims, read as a verified token's are.
/// `request.now` is the time of the decision.
pub fn authorize_credential(
    policy: Option<&Policy>,
    request: &Request<'_>,
    scopes: &[String],
    roles: &[String],
    check: impl FnOnce() -> Result<Authenticated, Error>,
) -> CredentialOutcome {
    if let Some(policy) = policy {
        let d = policy.evaluate_verdict(None, request, None);
        if d.allow {
            return CredentialOutcome::Public(d);
        }
        if d.code == Some(Code::InvalidRequest) {
            return CredentialOutcome::Denied(d);
        }
    }
    let ok = match check().and_then(|ok| ok.require(scopes, roles).map(|()| ok)) {
        Ok(ok) => ok,
        Err(e) => return CredentialOutcome::Refused(e),
    };
    let Some(policy) = policy else {
        return CredentialOutcome::Allowed(Box::new(ok), None);
    };
    let decision = match crate::json::parse_object(ok.claims_json.as_bytes()) {
        Ok(claims) => policy.evaluate_verdict(
            Some(Subject {
                claims: &claims,
                verified: true,
            }),
            request,
            None,
        ),
        // Not reached: the claims are the core's own JSON.
        Err(_) => policy.evaluate_unreadable(request, true),
    };
    if decision.allow {
        CredentialOutcome::Allowed(Box::new(ok), Some(decision))
    } else {
        CredentialOutcome::Denied(decision)
    }
}
