//! The JavaScript boundary: every `#[wasm_bindgen]` item lives here, and it
//! only converts. Options and key documents arrive as JSON text (the JS layer
//! stringifies them, which also strips functions and `undefined`); results
//! leave as JSON text built from the token's own validated JSON, for one
//! `JSON.parse` on the JS side; errors leave as JS `Error`s carrying `code`,
//! `status`, `wwwAuthenticate` and the fields of [`crate::Error`]. The clock
//! is read here and nowhere else.
//!
//! JSON text rather than serde-wasm-bindgen: reading the options object through its
//! `Deserializer` into the same `json::Value` cost +19.5 KB of wasm gzip (docs/design.md).

use std::cell::{Cell, Ref, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use js_sys::{Array, Error as JsError, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::crypto::Material;
#[cfg(feature = "policy-module")]
use crate::dpop::{self, Credential, Presentation, Proven};
use crate::error::Offer;
use crate::json::{self, Value};
use crate::options::{self, CallOptions};
use crate::{claims, scopes, verify, Error};

/// The clock, read here and nowhere else.
pub(crate) fn now_seconds() -> i64 {
    (js_sys::Date::now() / 1000.0).floor() as i64
}

fn set(target: &Object, key: &str, value: &JsValue) {
    // Reflect.set on a fresh plain object cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// Converts an error into a JS `Error` with the fields the JS layer exposes.
pub(crate) fn to_js(error: &Error, realm: Option<&str>) -> JsValue {
    to_js_offering(error, realm, Offer::BEARER)
}

/// [`to_js`] with the challenge in `scheme` (the credentials' own).
#[cfg(feature = "credentials")]
pub(crate) fn to_js_as(error: &Error, scheme: crate::Scheme, realm: Option<&str>) -> JsValue {
    with_challenge(error, error.challenge_for(scheme, realm))
}

/// [`to_js`], its challenge offering the schemes of `offer`.
fn to_js_offering(error: &Error, realm: Option<&str>, offer: Offer<'_>) -> JsValue {
    with_challenge(error, error.www_authenticate_offering(realm, offer))
}

/// A JS `Error` for `error`, with `header` as its `wwwAuthenticate`.
fn with_challenge(error: &Error, header: Option<String>) -> JsValue {
    let js = JsError::new(&error.to_string());
    set(&js, "code", &JsValue::from_str(error.code()));
    if let Some(status) = error.status() {
        set(&js, "status", &JsValue::from(status));
    }
    if let Some(header) = header {
        set(&js, "wwwAuthenticate", &JsValue::from_str(&header));
    }
    if let Some(claim) = error.claim() {
        set(&js, "claim", &JsValue::from_str(claim));
    }
    if let Some(reason) = error.reason() {
        set(&js, "reason", &JsValue::from_str(reason.as_str()));
    }
    match error {
        Error::InsufficientScope { missing }
        | Error::InsufficientRole { missing }
        | Error::DownscopeSuperset { missing } => {
            let list: Array = missing.iter().map(|s| JsValue::from_str(s)).collect();
            set(&js, "missing", &list);
        }
        Error::PolicyInvalid { path, .. } | Error::CredentialsInvalid { path, .. } => {
            set(&js, "path", &JsValue::from_str(path))
        }
        Error::SenderConstrained(binding) => {
            set(&js, "binding", &JsValue::from_str(binding.as_str()))
        }
        Error::DpopNonceRequired { nonce } => set(&js, "nonce", &JsValue::from_str(nonce)),
        Error::JwkInvalid { skipped, .. } if !skipped.is_empty() => {
            set(&js, "skipped", &skipped_to_js(skipped));
        }
        _ => {}
    }
    js.into()
}

fn skipped_to_js(skipped: &[crate::Skipped]) -> Array {
    skipped
        .iter()
        .map(|s| {
            let o = Object::new();
            set(&o, "index", &JsValue::from(s.index as u32));
            if let Some(kid) = &s.kid {
                set(&o, "kid", &JsValue::from_str(kid));
            }
            set(&o, "reason", &JsValue::from_str(&s.reason));
            JsValue::from(o)
        })
        .collect()
}

pub(crate) fn err(error: Error) -> JsValue {
    to_js(&error, None)
}

/// `{"header":…,"claims":…,"scopes":[…]}` from the token's own JSON texts.
fn result_json(v: &verify::Verified) -> String {
    let mut out = String::with_capacity(v.header_json.len() + v.claims_json.len() + 64);
    out.push_str("{\"header\":");
    out.push_str(&v.header_json);
    out.push_str(",\"claims\":");
    out.push_str(&v.claims_json);
    out.push_str(",\"scopes\":");
    json::write_str_array(&mut out, &v.scopes);
    out.push_str(",\"roles\":");
    json::write_str_array(&mut out, &v.roles);
    out.push('}');
    out
}

// DPoP and certificate binding are in the full module only (tollgate/policy): together
// they are ~9 KB of gzip, more than the verifier's module has to spare (docs/dpop.md).

/// [`result_json`] with what the request's proofs showed: `credential`
/// (`{kind, jkt}` / `{kind, x5t}` / `{kind: "jwt"}` for a bearer token) and, for DPoP,
/// `proof: {jkt, jti, expiresAt}` for the replay store and `nonce` when a
/// fresh one should be sent.
#[cfg(feature = "policy-module")]
pub(crate) fn presented_json(v: &verify::Verified, proven: &Proven) -> String {
    let mut out = result_json(v);
    out.pop();
    out.push_str(",\"credential\":");
    match &proven.credential {
        Credential::Bearer => out.push_str("{\"kind\":\"jwt\"}"),
        Credential::Dpop(jkt) => {
            out.push_str("{\"kind\":\"dpop\",\"jkt\":");
            json::write_str(&mut out, jkt);
            out.push('}');
        }
        Credential::Mtls(x5t) => {
            out.push_str("{\"kind\":\"mtls\",\"x5t\":");
            json::write_str(&mut out, x5t);
            out.push('}');
        }
    }
    if let Some(proof) = &proven.proof {
        out.push_str(",\"proof\":{\"jkt\":");
        json::write_str(&mut out, &proof.jkt);
        out.push_str(",\"jti\":");
        json::write_str(&mut out, &proof.jti);
        out.push_str(",\"expiresAt\":");
        out.push_str(&crate::error::decimal(
            usize::try_from(proof.expires_at).unwrap_or(0),
        ));
        out.push('}');
        if let Some(nonce) = &proof.nonce {
            out.push_str(",\"nonce\":");
            json::write_str(&mut out, nonce);
        }
    }
    out.push('}');
    out
}

/// A resource server's DPoP settings (wrapped by the guard's `dpop` option).
#[cfg(feature = "policy-module")]
#[wasm_bindgen(js_name = RawDpop)]
#[derive(Clone)]
pub struct Dpop {
    inner: Rc<dpop::Config>,
}

#[cfg(feature = "policy-module")]
#[wasm_bindgen(js_class = RawDpop)]
impl Dpop {
    /// Compiles the settings: see [`dpop::Config::new`].
    #[wasm_bindgen(constructor)]
    pub fn new(
        algorithms: &str,
        iat_window: f64,
        nonce_secret: Option<Vec<u8>>,
        require_nonce: bool,
        nonce_lifetime: f64,
    ) -> Result<Dpop, JsValue> {
        let config = dpop::Config::new(
            algorithms,
            iat_window,
            nonce_secret.as_deref(),
            require_nonce,
            nonce_lifetime,
        )
        .map_err(err)?;
        Ok(Dpop {
            inner: Rc::new(config),
        })
    }

    /// A handle on the same settings (for a verifier to keep).
    pub fn share(&self) -> Dpop {
        self.clone()
    }

    /// The accepted algorithms, space-separated (the challenge's `algs`).
    pub fn algs(&self) -> String {
        self.inner.algs().to_owned()
    }

    /// The nonce to hand out now (`DPoP-Nonce`), or `undefined` without nonces.
    pub fn nonce(&self) -> Option<String> {
        self.inner.nonce(now_seconds())
    }
}

/// A public key in the form WebCrypto imports (see `RawVerifier.publicKey`);
/// `undefined` for an HMAC secret, which never leaves the module.
fn public_key_to_js(key: &crate::Key) -> JsValue {
    let bytes = |b: &[u8]| JsValue::from(Uint8Array::from(b));
    let parts = match key.material() {
        Material::Hmac(_) => return JsValue::UNDEFINED,
        Material::Rsa { n, e } => [bytes(n), bytes(e)],
        Material::Ec(_, point) => [bytes(point), JsValue::UNDEFINED],
        Material::Ed25519(pk) => [bytes(pk), JsValue::UNDEFINED],
    };
    Array::of3(&JsValue::from_str(key.kty()), &parts[0], &parts[1]).into()
}

#[cfg(feature = "policy-module")]
impl Held {
    /// What a request showed besides its token (its proof is read apart).
    pub(crate) fn new(
        method: String,
        url: String,
        dpop: bool,
        certificate: Option<String>,
    ) -> Held {
        Held {
            method,
            url,
            dpop,
            certificate,
        }
    }

    /// The request's method.
    pub(crate) fn method(&self) -> &str {
        &self.method
    }

    /// The request as the first half saw it (its proof already opened).
    pub(crate) fn presentation<'a>(&'a self, verifier: &'a Verifier) -> Presentation<'a> {
        Presentation {
            config: verifier.dpop.as_deref(),
            dpop: self.dpop,
            proof: None,
            method: &self.method,
            url: &self.url,
            certificate: self.certificate.as_deref(),
        }
    }
}

/// A prepared key set (wrapped by the JS `KeySet` class).
#[wasm_bindgen(js_name = RawKeySet)]
pub struct KeySet {
    inner: Arc<crate::KeySet>,
}

#[wasm_bindgen(js_class = RawKeySet)]
impl KeySet {
    /// Imports a JWKS given as JSON text; `options` is JSON text.
    #[wasm_bindgen(js_name = fromJwks)]
    pub fn from_jwks(text: &str, options: &str) -> Result<KeySet, JsValue> {
        let algorithms = options::jwks_options(options).map_err(err)?;
        Self::wrap(crate::KeySet::from_jwks(text.as_bytes(), &algorithms))
    }

    /// Imports one JWK given as JSON text.
    #[wasm_bindgen(js_name = fromJwk)]
    pub fn from_jwk(text: &str, options: &str) -> Result<KeySet, JsValue> {
        let alg = options::jwk_options(options).map_err(err)?;
        Self::wrap(crate::KeySet::from_jwk(text.as_bytes(), alg))
    }

    /// Imports a PEM public key.
    #[wasm_bindgen(js_name = fromPem)]
    pub fn from_pem(pem: &str, options: &str) -> Result<KeySet, JsValue> {
        let (alg, kid) = options::key_options(options).map_err(err)?;
        Self::wrap(crate::KeySet::from_pem(pem, alg, kid))
    }

    /// Imports an HMAC secret.
    #[wasm_bindgen(js_name = fromSecret)]
    pub fn from_secret(secret: &[u8], options: &str) -> Result<KeySet, JsValue> {
        let (alg, kid) = options::key_options(options).map_err(err)?;
        Self::wrap(crate::KeySet::from_secret(secret, alg, kid))
    }

    fn wrap(set: Result<crate::KeySet, Error>) -> Result<KeySet, JsValue> {
        set.map(|s| KeySet { inner: Arc::new(s) }).map_err(err)
    }

    /// Checks a detached signature with the key at `index` and its bound
    /// algorithm: only the `ring` primitive, no token, no claims. Not part of
    /// the package's API: `bench/` times it as the floor of `verify`.
    #[wasm_bindgen(js_name = verifySignature)]
    pub fn verify_signature(&self, index: usize, message: &[u8], signature: &[u8]) -> bool {
        self.inner
            .keys()
            .get(index)
            .is_some_and(|key| key.verify_signature(message, signature))
    }

    /// `{ keys: [{kid?, alg, kty}], skipped: [{index, kid?, reason}] }`.
    pub fn describe(&self) -> JsValue {
        let keys: Array = self
            .inner
            .keys()
            .iter()
            .map(|k| {
                let o = Object::new();
                if let Some(kid) = k.kid() {
                    set(&o, "kid", &JsValue::from_str(kid));
                }
                set(&o, "alg", &JsValue::from_str(k.alg().name()));
                set(&o, "kty", &JsValue::from_str(k.kty()));
                JsValue::from(o)
            })
            .collect();
        let out = Object::new();
        set(&out, "keys", &keys);
        set(&out, "skipped", &skipped_to_js(self.inner.skipped()));
        out.into()
    }
}

/// Signatures left to the caller at most at once per verifier; the oldest
/// is dropped past it (its `resume` then answers `undefined`: start over).
const PENDING_MAX: usize = 64;

/// A verifier with options compiled once (wrapped by the JS layer).
#[wasm_bindgen(js_name = RawVerifier)]
pub struct Verifier {
    pub(crate) inner: verify::Verifier,
    revocations: Option<Rc<RefCell<crate::RevocationList>>>,
    /// The time window of the last result.
    window: Cell<(f64, f64)>,
    /// Tokens whose signature the caller is checking, by ticket.
    pending: RefCell<Vec<(u32, verify::Pending)>>,
    next_ticket: Cell<u32>,
    /// The route rules `authorize` applies (the full module only).
    #[cfg(feature = "policy-module")]
    pub(crate) policy: Option<(Rc<crate::Policy>, Option<String>)>,
    /// The DPoP settings `verifyPresented` and `authorizePresented` check proofs with.
    #[cfg(feature = "policy-module")]
    dpop: Option<Rc<dpop::Config>>,
    /// Presented requests whose signatures the caller is checking, by ticket.
    #[cfg(feature = "policy-module")]
    presented: RefCell<Vec<(u32, Presented)>>,
}

/// A presented request between its halves: what the core left to check and
/// the request it came with, kept so that the second half sees the first's.
#[cfg(feature = "policy-module")]
pub(crate) struct Presented {
    pub(crate) pending: verify::PendingPresented,
    pub(crate) request: Held,
}

/// What a presented request showed besides its token, owned between the halves.
#[cfg(feature = "policy-module")]
pub(crate) struct Held {
    method: String,
    url: String,
    pub(crate) dpop: bool,
    certificate: Option<String>,
}

#[wasm_bindgen(js_class = RawVerifier)]
impl Verifier {
    /// Compiles `options` (JSON text, without `keys`) against `keys`.
    /// `revocations` is checked on every call, as it is then.
    #[wasm_bindgen(constructor)]
    pub fn new(
        keys: &KeySet,
        options: &str,
        revocations: Option<RevocationList>,
    ) -> Result<Verifier, JsValue> {
        let validation = options::verify_options(options).map_err(err)?;
        let inner = verify::Verifier::new(Arc::clone(&keys.inner), validation).map_err(err)?;
        Ok(Verifier {
            inner,
            revocations: revocations.map(|r| r.inner),
            window: Cell::new((f64::INFINITY, f64::NEG_INFINITY)),
            pending: RefCell::default(),
            next_ticket: Cell::new(0),
            #[cfg(feature = "policy-module")]
            policy: None,
            #[cfg(feature = "policy-module")]
            dpop: None,
            #[cfg(feature = "policy-module")]
            presented: RefCell::default(),
        })
    }

    /// This verifier checking DPoP proofs with `dpop` too (see `verifyPresented`).
    #[cfg(feature = "policy-module")]
    #[wasm_bindgen(js_name = withDpop)]
    pub fn with_dpop(&self, dpop: &Dpop) -> Verifier {
        Verifier {
            inner: self.inner.clone(),
            revocations: self.revocations.clone(),
            window: Cell::new((f64::INFINITY, f64::NEG_INFINITY)),
            pending: RefCell::default(),
            next_ticket: Cell::new(0),
            policy: self.policy.clone(),
            dpop: Some(Rc::clone(&dpop.inner)),
            presented: RefCell::default(),
        }
    }

    /// This verifier deciding requests with `policy` too (see `authorize`).
    #[cfg(feature = "policy-module")]
    #[wasm_bindgen(js_name = withPolicy)]
    pub fn with_policy(&self, policy: &crate::wasm_policy::Policy) -> Verifier {
        let (inner, realm) = policy.shared();
        Verifier {
            inner: self.inner.clone(),
            revocations: self.revocations.clone(),
            window: Cell::new((f64::INFINITY, f64::NEG_INFINITY)),
            pending: RefCell::default(),
            next_ticket: Cell::new(0),
            policy: Some((inner, realm)),
            dpop: self.dpop.clone(),
            presented: RefCell::default(),
        }
    }

    /// Verifies `token`; `call` is JSON text of per-call options, or empty.
    /// Returns the result as JSON text.
    pub fn verify(&self, token: &str, call: &str) -> Result<String, JsValue> {
        let (call, list) = self.prepare(call)?;
        let result = self
            .inner
            .verify_revocable(token, &call, now_seconds(), list.as_deref());
        self.answer(result)
    }

    /// `verify` for a request that presents more than its token: `dpop`
    /// when it used the DPoP scheme, with `proof` (the `DPoP` header) for
    /// `method` and `url`; `certificate` the TLS client certificate's
    /// SHA-256 thumbprint (base64url). The token, then the proof, then the
    /// binding, in one call; the result adds `credential`, `proof` and `nonce`.
    #[cfg(feature = "policy-module")]
    #[wasm_bindgen(js_name = verifyPresented)]
    #[allow(clippy::too_many_arguments)]
    pub fn verify_presented(
        &self,
        token: &str,
        call: &str,
        method: &str,
        url: &str,
        dpop: bool,
        proof: Option<String>,
        certificate: Option<String>,
    ) -> Result<String, JsValue> {
        let (call, list) = self.prepare(call)?;
        let presentation = self.presentation(method, url, dpop, &proof, &certificate);
        let result = self.inner.verify_presented(
            token,
            &call,
            now_seconds(),
            list.as_deref(),
            &presentation,
        );
        match result {
            Ok((v, proven)) => Ok(presented_json(&v, &proven)),
            Err(e) => Err(self.refusal(&e, dpop, None)),
        }
    }

    /// Keeps a presented request under a new ticket: `[ticket, token
    /// candidates (empty when the core checked the token), token signing
    /// input then signature (or undefined), proof]`, the proof `undefined`
    /// or `[alg, public key as publicKey gives it, signing input length,
    /// signing input then signature]`.
    #[cfg(feature = "policy-module")]
    pub(crate) fn park_presented(
        &self,
        pending: verify::PendingPresented,
        request: Held,
    ) -> JsValue {
        let ticket = self.next_ticket.get();
        self.next_ticket.set(ticket.wrapping_add(1));
        let (keys, bytes) = match pending.token() {
            Some(token) => {
                let keys: Vec<u32> = token.candidates.iter().map(|&i| i as u32).collect();
                let bytes = Uint8Array::from(token.signed_then_signature.as_slice());
                (keys, JsValue::from(bytes))
            }
            None => (Vec::new(), JsValue::UNDEFINED),
        };
        let proof = match pending.proof() {
            Some(opened) => {
                let out = Array::new();
                out.push(&JsValue::from_str(opened.key().alg().name()));
                out.push(&public_key_to_js(opened.key()));
                out.push(&JsValue::from(opened.signing_input().len() as u32));
                out.push(&Uint8Array::from(opened.signed_then_signature()));
                JsValue::from(out)
            }
            None => JsValue::UNDEFINED,
        };
        let out = Array::of4(
            &JsValue::from(ticket),
            &js_sys::Uint32Array::from(keys.as_slice()),
            &bytes,
            &proof,
        );
        let mut parked = self.presented.borrow_mut();
        if parked.len() >= PENDING_MAX {
            parked.remove(0);
        }
        parked.push((ticket, Presented { pending, request }));
        out.into()
    }

    #[cfg(feature = "policy-module")]
    pub(crate) fn unpark_presented(&self, ticket: u32) -> Option<Presented> {
        let mut parked = self.presented.borrow_mut();
        let at = parked.iter().position(|(t, _)| *t == ticket)?;
        Some(parked.remove(at).1)
    }

    #[cfg(feature = "policy-module")]
    pub(crate) fn presentation<'a>(
        &'a self,
        method: &'a str,
        url: &'a str,
        dpop: bool,
        proof: &'a Option<String>,
        certificate: &'a Option<String>,
    ) -> Presentation<'a> {
        Presentation {
            config: self.dpop.as_deref(),
            dpop,
            proof: proof.as_deref(),
            method,
            url,
            certificate: certificate.as_deref(),
        }
    }

    /// A refusal of a presented request: its challenge offers DPoP when the
    /// verifier takes DPoP proofs, and answers on it when the request used it.
    #[cfg(feature = "policy-module")]
    pub(crate) fn refusal(&self, error: &Error, dpop: bool, realm: Option<&str>) -> JsValue {
        let offer = Offer {
            bearer: true,
            dpop: self.dpop.as_deref().map(dpop::Config::algs),
            error_in_dpop: dpop,
            ..Offer::BEARER
        };
        let realm = realm.or(self.inner.validation().realm.as_deref());
        to_js_offering(error, realm, offer)
    }

    /// `verify` with an RSA, ECDSA or EdDSA signature left to the caller
    /// (the native-crypto path): the result text when the answer is final
    /// (an HMAC token), else `[ticket, candidate key indexes, signing input
    /// then signature]` for `verifyResume` once a candidate verifies the
    /// signature. The payload is not read before then.
    #[wasm_bindgen(js_name = verifyBegin)]
    pub fn verify_begin(&self, token: &str, call: &str) -> Result<JsValue, JsValue> {
        let (call, list) = self.prepare(call)?;
        let begun = self
            .inner
            .begin(token, &call, now_seconds(), list.as_deref());
        drop(list);
        match begun {
            Ok(verify::Begun::Verified(v)) => self.answer(Ok(v)).map(JsValue::from),
            Ok(verify::Begun::Pending(p)) => Ok(self.park(p)),
            Err(e) => self.answer(Err(e)).map(JsValue::from),
        }
    }

    /// The rest of `verifyBegin` after the signature verified: the result
    /// text, or `undefined` when the ticket is unknown (dropped: start over).
    #[wasm_bindgen(js_name = verifyResume)]
    pub fn verify_resume(&self, ticket: u32, call: &str) -> Result<Option<String>, JsValue> {
        let Some(pending) = self.unpark(ticket) else {
            return Ok(None);
        };
        let (call, list) = self.prepare(call)?;
        let result = self
            .inner
            .resume(pending, &call, now_seconds(), list.as_deref());
        self.answer(result).map(Some)
    }

    /// Forgets a ticket whose signature did not verify.
    #[wasm_bindgen(js_name = abandon)]
    pub fn abandon(&self, ticket: u32) {
        drop(self.unpark(ticket));
    }

    /// The algorithm of each of the verifier's keys, by index (its key set's,
    /// with RSA keys that came without `alg` bound by the allow-list).
    /// Space-separated.
    pub fn algorithms(&self) -> String {
        let mut out = String::new();
        for key in self.inner.keys().keys() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(key.alg().name());
        }
        out
    }

    /// The first second at which the last result passes the time checks
    /// (exp, nbf, iat, max age): for the package's verified-token cache.
    #[wasm_bindgen(js_name = windowFrom)]
    pub fn window_from(&self) -> f64 {
        self.window.get().0
    }

    /// The first second at which it no longer passes them.
    #[wasm_bindgen(js_name = windowUntil)]
    pub fn window_until(&self) -> f64 {
        self.window.get().1
    }

    /// The public key at `index` in the form WebCrypto imports, for the
    /// package's WebCrypto path: `["RSA", n, e]` (big-endian bytes),
    /// `["EC", point]` (uncompressed SEC1) or `["OKP", key]` (Ed25519);
    /// `undefined` for an HMAC secret (secrets never leave the module) or a
    /// bad index. From the verifier, which keeps its keys after the key set's
    /// handle is freed.
    #[wasm_bindgen(js_name = publicKey)]
    pub fn public_key(&self, index: usize) -> JsValue {
        self.inner
            .keys()
            .keys()
            .get(index)
            .map_or(JsValue::UNDEFINED, public_key_to_js)
    }

    /// The error a bad signature gets (for the WebCrypto path).
    #[wasm_bindgen(js_name = signatureError)]
    pub fn signature_error(&self) -> JsValue {
        to_js(
            &Error::SignatureInvalid,
            self.inner.validation().realm.as_deref(),
        )
    }

    /// The result as JSON text, keeping its time window; errors with the realm.
    pub(crate) fn answer(
        &self,
        result: Result<verify::Verified, Error>,
    ) -> Result<String, JsValue> {
        match result {
            Ok(v) => {
                self.window
                    .set(claims::window(&v.claims, self.inner.validation()));
                Ok(result_json(&v))
            }
            Err(e) => Err(to_js(&e, self.inner.validation().realm.as_deref())),
        }
    }

    /// Keeps `pending` under a new ticket: `[ticket, candidates, bytes]` for JS.
    pub(crate) fn park(&self, pending: verify::Pending) -> JsValue {
        let ticket = self.next_ticket.get();
        self.next_ticket.set(ticket.wrapping_add(1));
        let keys: Vec<u32> = pending.candidates.iter().map(|&i| i as u32).collect();
        let out = Array::of3(
            &JsValue::from(ticket),
            &js_sys::Uint32Array::from(keys.as_slice()),
            &Uint8Array::from(pending.signed_then_signature.as_slice()),
        );
        let mut parked = self.pending.borrow_mut();
        if parked.len() >= PENDING_MAX {
            parked.remove(0);
        }
        parked.push((ticket, pending));
        out.into()
    }

    pub(crate) fn unpark(&self, ticket: u32) -> Option<verify::Pending> {
        let mut parked = self.pending.borrow_mut();
        let at = parked.iter().position(|(t, _)| *t == ticket)?;
        Some(parked.remove(at).1)
    }

    /// Parses `call` (errors carry the verifier's realm) and borrows the
    /// revocation list.
    pub(crate) fn prepare(
        &self,
        call: &str,
    ) -> Result<(CallOptions, Option<Ref<'_, crate::RevocationList>>), JsValue> {
        let call = if call.is_empty() {
            CallOptions::default()
        } else {
            options::call_options(call)
                .map_err(|e| to_js(&e, self.inner.validation().realm.as_deref()))?
        };
        let list = match &self.revocations {
            Some(cell) => Some(cell.try_borrow().map_err(|_| busy())?),
            None => None,
        };
        Ok((call, list))
    }
}

/// The `WWW-Authenticate` value answering with `code` (the core's one
/// challenge builder, [`crate::error::challenge`]), for answers the JS layer
/// gives without a core error in hand; `undefined` for an unknown code or one
/// that is not a 400, 401 or 403.
/// `dpop`: the DPoP algorithms when the server takes DPoP proofs; `bearer`:
/// whether it takes bearer tokens; `error_in_dpop`: the error concerns DPoP;
/// `basic`: the realm of the Basic credentials it takes; `api_key`: whether
/// it takes API keys.
#[wasm_bindgen(js_name = rawChallenge)]
#[allow(clippy::too_many_arguments)]
pub fn challenge(
    code: &str,
    realm: Option<String>,
    description: &str,
    dpop: Option<String>,
    bearer: Option<bool>,
    error_in_dpop: Option<bool>,
    basic: Option<String>,
    api_key: Option<bool>,
) -> Option<String> {
    let offer = Offer {
        bearer: bearer.unwrap_or(true),
        dpop: dpop.as_deref(),
        error_in_dpop: error_in_dpop.unwrap_or(false),
        basic: basic.as_deref(),
        api_key: api_key.unwrap_or(false),
    };
    crate::error::challenge_offering(
        crate::Code::parse(code)?,
        realm.as_deref(),
        description,
        &[],
        offer,
    )
}

/// Decodes without verifying; `options` is JSON text. Returns JSON text.
#[wasm_bindgen(js_name = rawDecode)]
pub fn decode(token: &str, options: &str) -> Result<String, JsValue> {
    let options = options::decode_options(options).map_err(err)?;
    verify::decode(token, &options)
        .map(|d| result_json(&d))
        .map_err(err)
}

/// Checks scopes. `input` is JSON text of a claims object, a space-delimited
/// string or an array of strings; `required` a JSON array; returns JSON text
/// `{ok, missing, granted}`.
#[wasm_bindgen(js_name = rawCheckScopes)]
pub fn check_scopes(input: &str, required: &str, options: &str) -> Result<String, JsValue> {
    let options = options::check_options(options).map_err(err)?;
    let required = options::required_scopes(required).map_err(err)?;
    let mut granted = Vec::new();
    let shape_error = || {
        err(Error::InvalidArg(
            "checkScopes input must be claims, a scope string or an array of strings".into(),
        ))
    };
    match json::parse(input.as_bytes()).map_err(|_| shape_error())? {
        Value::Object(claims) => {
            granted = scopes::granted(&claims, &options.scope_source).map_err(err)?
        }
        other => {
            scopes::collect(&other, &mut granted).ok_or_else(shape_error)?;
            granted = scopes::dedupe(granted);
        }
    }
    let check = scopes::check(&granted, &required, options.mode);
    let mut out = String::from(if check.ok {
        "{\"ok\":true,\"missing\":"
    } else {
        "{\"ok\":false,\"missing\":"
    });
    json::write_str_array(&mut out, &check.missing);
    out.push_str(",\"granted\":");
    json::write_str_array(&mut out, &granted);
    out.push('}');
    Ok(out)
}

fn busy() -> JsValue {
    err(Error::InvalidArg(
        "the revocation list is being changed".into(),
    ))
}

/// Revoked tokens and subjects (wrapped by the JS `RevocationList`). Shared,
/// not copied, with the verifiers and policies given it: a revocation added
/// later applies to them at once.
#[wasm_bindgen(js_name = RawRevocationList)]
#[derive(Clone)]
pub struct RevocationList {
    inner: Rc<RefCell<crate::RevocationList>>,
}

#[wasm_bindgen(js_class = RawRevocationList)]
impl RevocationList {
    /// An empty list.
    #[wasm_bindgen(constructor)]
    pub fn new() -> RevocationList {
        RevocationList {
            inner: Rc::new(RefCell::new(crate::RevocationList::new())),
        }
    }

    /// Loads a list from JSON text.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(text: &str) -> Result<RevocationList, JsValue> {
        let list = crate::RevocationList::from_json(text.as_bytes()).map_err(err)?;
        Ok(RevocationList {
            inner: Rc::new(RefCell::new(list)),
        })
    }

    /// A handle on the same list (for a verifier to keep).
    pub fn share(&self) -> RevocationList {
        self.clone()
    }

    /// Revokes one token by `jti`.
    #[wasm_bindgen(js_name = revokeToken)]
    pub fn revoke_token(&self, jti: &str) -> Result<(), JsValue> {
        let mut list = self.inner.try_borrow_mut().map_err(|_| busy())?;
        list.revoke_token(jti).map_err(err)
    }

    /// Revokes the subject's tokens issued at or before `before` (seconds).
    #[wasm_bindgen(js_name = revokeSubject)]
    pub fn revoke_subject(&self, sub: &str, before: f64) -> Result<(), JsValue> {
        let mut list = self.inner.try_borrow_mut().map_err(|_| busy())?;
        list.revoke_subject(sub, before).map_err(err)
    }

    /// Number of revoked token ids.
    #[wasm_bindgen(js_name = tokenCount)]
    pub fn token_count(&self) -> usize {
        self.inner.try_borrow().map_or(0, |l| l.token_count())
    }

    /// Number of revoked subjects.
    #[wasm_bindgen(js_name = subjectCount)]
    pub fn subject_count(&self) -> usize {
        self.inner.try_borrow().map_or(0, |l| l.subject_count())
    }

    /// Whether a token with these claims is revoked: "", "token" or
    /// "subject". `jti`/`sub` are given only when strings, `iat` only when a
    /// number (the JS layer reads them: no JSON round trip).
    #[wasm_bindgen(js_name = checkParts)]
    pub fn check_parts(
        &self,
        jti: Option<String>,
        sub: Option<String>,
        iat: Option<f64>,
    ) -> Result<String, JsValue> {
        let list = self.inner.try_borrow().map_err(|_| busy())?;
        Ok(
            match list.check_parts(jti.as_deref(), sub.as_deref(), iat) {
                None => "",
                Some(crate::revocation::Revoked::Token) => "token",
                Some(crate::revocation::Revoked::Subject) => "subject",
            }
            .to_owned(),
        )
    }
}

impl Default for RevocationList {
    fn default() -> Self {
        Self::new()
    }
}

// ─── Opaque tokens (RFC 7662). Internal: for pkg/introspection.js and the
// guard, not part of the package's API.

#[wasm_bindgen(js_class = RawVerifier)]
impl Verifier {
    /// Checks an introspection response (JSON text of an object) with the
    /// core's claim checks ([`verify::Verifier::check_introspected`]);
    /// `call` as for `verify`. Returns the result as `verify` does, the
    /// response as its claims and `{}` as its header; throws the refusal as
    /// `verify` does (`ERR_TOKEN_INACTIVE` when not active). The JS layer
    /// compiles this verifier without `typ` and `algorithms` (no JWS here).
    #[wasm_bindgen(js_name = checkIntrospected)]
    pub fn check_introspected(&self, response: &str, call: &str) -> Result<String, JsValue> {
        let (call, list) = self.prepare(call)?;
        let result = self
            .inner
            .check_introspected(response, &call, now_seconds(), list.as_deref());
        drop(list);
        self.answer(result)
    }
}
