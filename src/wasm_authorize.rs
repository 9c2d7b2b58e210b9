//! The one-trip part of the verifier's JavaScript boundary (`src/authorize.rs`):
//! `RawVerifier.authorize` and its native-crypto halves, in the full module
//! only (with `withPolicy`), beside `wasm.rs` whose verifier and helpers it uses.

use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::dpop::Presentation;
use crate::wasm::{now_seconds, presented_json, to_js, Held, Presented, Verifier};

/// The policy's view of a request, from the route arguments every authorize export takes.
pub(crate) fn route<'a>(
    method: &'a str,
    path: &'a str,
    ip: &'a Option<String>,
    environment: &'a Option<String>,
    now: i64,
) -> crate::policy::Request<'a> {
    crate::policy::Request {
        method,
        path,
        ip: ip.as_deref(),
        environment: environment.as_deref(),
        now,
    }
}

#[wasm_bindgen(js_class = RawVerifier)]
impl Verifier {
    /// Authorizes one request in one call (the full module, with a policy
    /// from `withPolicy`): the route's own answer, then `token` (absent: no
    /// bearer token), its revocation and the policy's decision. Returns
    /// `[outcome, result text, decision text]` — outcome `"public"`,
    /// `"no_token"`, `"allowed"` or `"denied"` — or throws the token's refusal
    /// as `verify` does.
    pub fn authorize(
        &self,
        token: Option<String>,
        call: &str,
        method: &str,
        path: &str,
        ip: Option<String>,
        environment: Option<String>,
    ) -> Result<Array, JsValue> {
        let (call, list) = self.prepare(call)?;
        let route = route(method, path, &ip, &environment, 0);
        let outcome = self.authorizer(list.as_deref()).authorize(
            token.as_deref(),
            &call,
            &route,
            now_seconds(),
        );
        drop(list);
        self.outcome(outcome)
    }

    /// `authorize` for a request that presents more than its token (see
    /// `verifyPresented`): `url` is the request's absolute URL. The halves
    /// of `authorizePresentedBegin` in one call, the core checking every
    /// signature: one code path, whoever checks them.
    #[wasm_bindgen(js_name = authorizePresented)]
    #[allow(clippy::too_many_arguments)]
    pub fn authorize_presented(
        &self,
        token: Option<String>,
        call: &str,
        method: String,
        path: &str,
        ip: Option<String>,
        environment: Option<String>,
        url: String,
        dpop: bool,
        proof: Option<String>,
        certificate: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let request = Held::new(method, url, dpop, certificate);
        self.presented(token, call, path, ip, environment, proof, request, false)
    }

    /// The realm of answers: the verifier's, else the policy's.
    fn realm(&self) -> Option<&str> {
        self.inner
            .validation()
            .realm
            .as_deref()
            .or_else(|| self.policy.as_ref().and_then(|(_, r)| r.as_deref()))
    }

    /// `authorize` with an RSA, ECDSA or EdDSA signature left to the caller:
    /// the answer as `authorize` gives it when final, else `[ticket,
    /// candidates, bytes]` as `verifyBegin` gives them, for `authorizeResume`.
    #[wasm_bindgen(js_name = authorizeBegin)]
    pub fn authorize_begin(
        &self,
        token: Option<String>,
        call: &str,
        method: &str,
        path: &str,
        ip: Option<String>,
        environment: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let (call, list) = self.prepare(call)?;
        let route = route(method, path, &ip, &environment, 0);
        let step =
            self.authorizer(list.as_deref())
                .begin(token.as_deref(), &call, &route, now_seconds());
        drop(list);
        match step {
            crate::authorize::Step::Done(outcome) => self.outcome(outcome).map(JsValue::from),
            crate::authorize::Step::Signature(pending) => Ok(self.park(pending)),
        }
    }

    /// The rest of `authorizeBegin` after the signature verified; `undefined`
    /// when the ticket is unknown (dropped: start over).
    #[wasm_bindgen(js_name = authorizeResume)]
    pub fn authorize_resume(
        &self,
        ticket: u32,
        call: &str,
        method: &str,
        path: &str,
        ip: Option<String>,
        environment: Option<String>,
    ) -> Result<Option<Array>, JsValue> {
        let Some(pending) = self.unpark(ticket) else {
            return Ok(None);
        };
        let (call, list) = self.prepare(call)?;
        let route = route(method, path, &ip, &environment, 0);
        let outcome =
            self.authorizer(list.as_deref())
                .resume(pending, &call, &route, now_seconds());
        drop(list);
        self.outcome(outcome).map(Some)
    }

    /// An opaque token's introspection response (JSON text) checked and the
    /// policy's decision on it, in one call (the route was asked first, before
    /// the lookup): `[outcome, result text, decision text]`, outcome
    /// `"allowed"` or `"denied"`, or the refusal thrown as `checkIntrospected`.
    #[wasm_bindgen(js_name = authorizeIntrospected)]
    pub fn authorize_introspected(
        &self,
        response: &str,
        call: &str,
        method: &str,
        path: &str,
        ip: Option<String>,
        environment: Option<String>,
    ) -> Result<Array, JsValue> {
        let (call, list) = self.prepare(call)?;
        let route = route(method, path, &ip, &environment, 0);
        let outcome = self.authorizer(list.as_deref()).authorize_introspected(
            response,
            &call,
            &route,
            now_seconds(),
        );
        drop(list);
        self.outcome(outcome)
    }

    fn authorizer<'a>(
        &'a self,
        revocations: Option<&'a crate::RevocationList>,
    ) -> crate::Authorizer<'a> {
        crate::Authorizer {
            verifier: &self.inner,
            policy: self.policy.as_ref().map(|(p, _)| p.as_ref()),
            revocations,
        }
    }

    /// `[outcome, result text, decision text]`, or the token's refusal thrown.
    fn outcome(&self, outcome: crate::Outcome) -> Result<Array, JsValue> {
        use crate::Outcome;
        let realm = self
            .inner
            .validation()
            .realm
            .as_deref()
            .or_else(|| self.policy.as_ref().and_then(|(_, r)| r.as_deref()));
        let decision = |d: Option<crate::Decision>| match (d, &self.policy) {
            (Some(d), Some((policy, _))) => JsValue::from(d.to_json(policy, realm)),
            _ => JsValue::UNDEFINED,
        };
        let (kind, result, decision) = match outcome {
            Outcome::Public(d) => ("public", JsValue::UNDEFINED, decision(Some(d))),
            Outcome::NoToken(d) => ("no_token", JsValue::UNDEFINED, decision(d)),
            Outcome::Denied(d) => ("denied", JsValue::UNDEFINED, decision(Some(d))),
            Outcome::Allowed(v, d) => {
                let text = self.answer(Ok(*v))?;
                ("allowed", JsValue::from(text), decision(d))
            }
            Outcome::Refused(e) => return Err(to_js(&e, realm)),
        };
        Ok(Array::of3(&JsValue::from_str(kind), &result, &decision))
    }
}

// ─── The presented request's native-crypto halves (DPoP, certificates).

#[wasm_bindgen(js_class = RawVerifier)]
impl Verifier {
    /// `authorizePresented` with the signatures left to the caller (the
    /// native-crypto path; without a policy, `verifyPresented`'s): the answer
    /// as `authorizePresented` gives it when final, else the ticket
    /// (`park_presented`) for `authorizePresentedResume`. Neither payload is
    /// read before then.
    #[wasm_bindgen(js_name = authorizePresentedBegin)]
    #[allow(clippy::too_many_arguments)]
    pub fn authorize_presented_begin(
        &self,
        token: Option<String>,
        call: &str,
        method: String,
        path: &str,
        ip: Option<String>,
        environment: Option<String>,
        url: String,
        dpop: bool,
        proof: Option<String>,
        certificate: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let request = Held::new(method, url, dpop, certificate);
        self.presented(token, call, path, ip, environment, proof, request, true)
    }

    /// `authorizePresented` (`park` false: the core checks every signature)
    /// or `authorizePresentedBegin` (`park`: the signatures are the caller's).
    #[allow(clippy::too_many_arguments)]
    fn presented(
        &self,
        token: Option<String>,
        call: &str,
        path: &str,
        ip: Option<String>,
        environment: Option<String>,
        proof: Option<String>,
        request: Held,
        park: bool,
    ) -> Result<JsValue, JsValue> {
        let (call, list) = self.prepare(call)?;
        let route = route(request.method(), path, &ip, &environment, 0);
        let presentation = Presentation {
            proof: proof.as_deref(),
            ..request.presentation(self)
        };
        let authorizer = self.authorizer(list.as_deref());
        let clock = now_seconds();
        let (step, proven) =
            authorizer.begin_presented(token.as_deref(), &call, &route, clock, &presentation);
        let (outcome, proven) = match step {
            crate::authorize::Step::Done(outcome) => (outcome, proven),
            crate::authorize::Step::Signature(pending) if !park => authorizer.resume_presented(
                pending,
                &call,
                &route,
                clock,
                &presentation,
                None,
                None,
            ),
            crate::authorize::Step::Signature(pending) => {
                drop(list);
                return Ok(self.park_presented(pending, request));
            }
        };
        drop(list);
        self.presented_outcome(outcome, proven, request.dpop)
            .map(JsValue::from)
    }

    /// The rest of `authorizePresentedBegin`: `token_ok` and `proof_ok` are
    /// whether the token's signature verified with one of its candidates and
    /// the proof's with its key (`undefined`: not checked, the core checks it
    /// here); `undefined` when the ticket is unknown (dropped: start over).
    #[wasm_bindgen(js_name = authorizePresentedResume)]
    #[allow(clippy::too_many_arguments)]
    pub fn authorize_presented_resume(
        &self,
        ticket: u32,
        call: &str,
        method: &str,
        path: &str,
        ip: Option<String>,
        environment: Option<String>,
        token_ok: Option<bool>,
        proof_ok: Option<bool>,
    ) -> Result<Option<Array>, JsValue> {
        let Some(Presented { pending, request }) = self.unpark_presented(ticket) else {
            return Ok(None);
        };
        let (call, list) = self.prepare(call)?;
        let route = route(method, path, &ip, &environment, 0);
        let presentation = request.presentation(self);
        let (outcome, proven) = self.authorizer(list.as_deref()).resume_presented(
            pending,
            &call,
            &route,
            now_seconds(),
            &presentation,
            token_ok,
            proof_ok,
        );
        drop(list);
        self.presented_outcome(outcome, proven, request.dpop)
            .map(Some)
    }

    /// `authorizePresented`'s answer: `[outcome, result text with what the
    /// proofs showed, decision text]`, or the refusal thrown, on DPoP when
    /// the request used it.
    fn presented_outcome(
        &self,
        outcome: crate::Outcome,
        proven: Option<crate::dpop::Proven>,
        dpop: bool,
    ) -> Result<Array, JsValue> {
        match (outcome, proven) {
            (crate::Outcome::Allowed(v, d), Some(proven)) => {
                let decision = match (d, &self.policy) {
                    (Some(d), Some((policy, _))) => JsValue::from(d.to_json(policy, self.realm())),
                    _ => JsValue::UNDEFINED,
                };
                Ok(Array::of3(
                    &JsValue::from_str("allowed"),
                    &JsValue::from(presented_json(&v, &proven)),
                    &decision,
                ))
            }
            (crate::Outcome::Refused(e), _) => Err(self.refusal(&e, dpop, self.realm())),
            (outcome, _) => self.outcome(outcome),
        }
    }
}
