//! The policy engine's part of the JavaScript boundary: the full module
//! (`tollgate/policy`, feature `policy-module`) is the verifier's module
//! (`wasm.rs`) plus this, so that a guard with a policy authorizes a request
//! in one call (`RawVerifier.authorize`). Applications that only verify
//! tokens load the verifier's module, which carries no policy code.
//!
//! Like `wasm.rs`, this only converts: documents arrive as JSON text,
//! decisions leave as JSON text, load errors as JS `Error`s with `code` and
//! `path`. Revocation is decided by the verifier's module (which holds the
//! list) and arrives here as a verdict.

use std::rc::Rc;

use js_sys::{Error as JsError, Reflect};
use wasm_bindgen::prelude::*;

use crate::json;
use crate::policy::{Request, Subject};
use crate::revocation::Revoked;
use crate::wasm::now_seconds;
use crate::Error;

fn err(error: &Error) -> JsValue {
    let js = JsError::new(&error.to_string());
    // Reflect.set on a fresh Error cannot fail.
    let _ = Reflect::set(&js, &"code".into(), &error.code().into());
    if let Error::PolicyInvalid { path, .. } = error {
        let _ = Reflect::set(&js, &"path".into(), &path.as_str().into());
    }
    js.into()
}

/// The `claims` member of a verifier's result object.
fn claims_of(mut result: json::Map) -> Option<json::Map> {
    match result.remove("claims") {
        Some(json::Value::Object(claims)) => Some(claims),
        _ => None,
    }
}

/// A compiled policy (wrapped by the JS `Policy`).
#[wasm_bindgen(js_name = RawPolicy)]
pub struct Policy {
    inner: Rc<crate::Policy>,
    realm: Option<String>,
}

impl Policy {
    /// The compiled policy and its realm, shared with a verifier (`withPolicy`).
    pub(crate) fn shared(&self) -> (Rc<crate::Policy>, Option<String>) {
        (Rc::clone(&self.inner), self.realm.clone())
    }
}

#[wasm_bindgen(js_class = RawPolicy)]
impl Policy {
    /// Loads a policy document (JSON text); `realm` goes into `WWW-Authenticate`.
    #[wasm_bindgen(constructor)]
    pub fn new(text: &str, realm: Option<String>) -> Result<Policy, JsValue> {
        let inner = crate::Policy::from_json(text.as_bytes()).map_err(|e| err(&e))?;
        Ok(Policy {
            inner: Rc::new(inner),
            realm,
        })
    }

    /// Decides one request; returns the decision as JSON text. `claims` is
    /// the subject's claims as JSON text, or `None` without credentials —
    /// or, with `verified`, the verifier's whole result text (whose `claims`
    /// member is read: the claims as they were verified, with no
    /// re-serialization in JS); `revoked` is the revocation verdict: "",
    /// "token" or "subject".
    #[allow(clippy::too_many_arguments)]
    pub fn evaluate(
        &self,
        claims: Option<String>,
        verified: bool,
        method: &str,
        path: &str,
        ip: Option<String>,
        environment: Option<String>,
        now: Option<f64>,
        revoked: &str,
    ) -> String {
        let now = match now {
            Some(n) if n.is_finite() && n >= 0.0 => n.floor() as i64,
            _ => now_seconds(),
        };
        let request = Request {
            method,
            path,
            ip: ip.as_deref(),
            environment: environment.as_deref(),
            now,
        };
        let revoked = match revoked {
            "" => None,
            "token" => Some(Revoked::Token),
            _ => Some(Revoked::Subject),
        };
        let realm = self.realm.as_deref();
        let parsed = claims.map(|c| json::parse_object(c.as_bytes()));
        let claims = match parsed.map(|r| r.map(|m| if verified { claims_of(m) } else { Some(m) }))
        {
            Some(Ok(Some(map))) => Some(map),
            Some(Ok(None)) | Some(Err(_)) => {
                return self
                    .inner
                    .evaluate_unreadable(&request, verified)
                    .to_json(&self.inner, realm)
            }
            None => None,
        };
        let subject = claims.as_ref().map(|claims| Subject { claims, verified });
        self.inner
            .evaluate_verdict(subject, &request, revoked)
            .to_json(&self.inner, realm)
    }

    /// The compiled model as JSON text.
    pub fn describe(&self) -> String {
        self.inner.describe()
    }
}

/// Questions tools ask the compiled policy (`tollgate lint | catalog | drift`).
#[wasm_bindgen(js_class = RawPolicy)]
impl Policy {
    /// The rules matching a request, in order, as JSON text
    /// `{path, rule, matches}`; `undefined` when the path is refused (400).
    pub fn cover(&self, method: &str, path: &str) -> Option<String> {
        self.inner.cover(method, path).ok().map(|c| c.to_json())
    }

    /// What `claims` (JSON text of an object) carry as this policy reads
    /// them, as JSON text; `undefined` when the claims are not an object or a
    /// scope or role claim has the wrong shape (evaluation answers 401).
    pub fn carried(&self, claims: &str) -> Option<String> {
        let claims = json::parse_object(claims.as_bytes()).ok()?;
        self.inner.carried(&claims).ok().map(|c| c.to_json())
    }
}
