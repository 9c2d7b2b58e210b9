//! The JavaScript boundary of the credentials (`src/apikey.rs`, `src/basic.rs`),
//! beside `wasm.rs` whose helpers it uses: in the full module only (feature
//! `credentials`, which `policy-module` enables), the verifier's module has no
//! room for them (docs/credentials.md).

use std::rc::Rc;

use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::options;
use crate::wasm::{err, now_seconds, to_js_as};
use crate::Error;

/// A compiled policy and its realm, bound to a catalog or a list (`withPolicy`).
#[cfg(feature = "policy-module")]
type Shared = (Rc<crate::Policy>, Option<String>);

/// One request's answer with a credential (`src/authorize.rs`), for the
/// guard: `[outcome, result text, decision text, challenge]`, outcome
/// `"public"`, `"allowed"` or `"denied"` (then `challenge`, the denial's
/// `WWW-Authenticate` in `scheme`, or undefined), or the credential's
/// refusal thrown in `scheme`.
#[cfg(feature = "policy-module")]
#[allow(clippy::too_many_arguments)]
fn authorize(
    scheme: crate::Scheme,
    realm: Option<&str>,
    policy: Option<&Shared>,
    scopes: &str,
    roles: &str,
    route: (&str, &str, Option<String>, Option<String>),
    now: Option<f64>,
    check: impl FnOnce(i64) -> Result<crate::credential::Authenticated, Error>,
) -> Result<Array, JsValue> {
    use crate::authorize::CredentialOutcome;
    let (scopes, roles) = (
        required_list(scopes).map_err(err)?,
        required_list(roles).map_err(err)?,
    );
    let now = now.map_or_else(now_seconds, |n| n as i64);
    let (method, path, ip, environment) = route;
    let request = crate::wasm_authorize::route(method, path, &ip, &environment, now);
    let compiled = policy.map(|(p, _)| p.as_ref());
    let outcome =
        crate::authorize::authorize_credential(compiled, &request, &scopes, &roles, || check(now));
    let decision = |d: Option<crate::Decision>| match (d, policy) {
        (Some(d), Some((p, r))) => JsValue::from(d.to_json(p, r.as_deref())),
        _ => JsValue::UNDEFINED,
    };
    let mut challenge = JsValue::UNDEFINED;
    let (kind, result, decision) = match outcome {
        CredentialOutcome::Public(d) => ("public", JsValue::UNDEFINED, decision(Some(d))),
        CredentialOutcome::Denied(d) => {
            // The decision's own challenge is Bearer's: a credential is answered in its scheme.
            if let Some(c) = d.challenge_for(scheme, realm) {
                challenge = JsValue::from(c);
            }
            ("denied", JsValue::UNDEFINED, decision(Some(d)))
        }
        CredentialOutcome::Allowed(ok, d) => ("allowed", JsValue::from(ok.to_json()), decision(d)),
        CredentialOutcome::Refused(e) => return Err(to_js_as(&e, scheme, realm)),
    };
    Ok(Array::of4(
        &JsValue::from_str(kind),
        &result,
        &decision,
        &challenge,
    ))
}

/// The required scopes or roles of one call: a JSON array of strings, or empty.
fn required_list(text: &str) -> Result<Vec<String>, Error> {
    if text.is_empty() {
        Ok(Vec::new())
    } else {
        options::required_scopes(text)
    }
}

/// A loaded API key catalog (wrapped by the JS `ApiKeyCatalog`).
#[wasm_bindgen(js_name = RawApiKeys)]
pub struct ApiKeys {
    inner: Rc<crate::apikey::Catalog>,
    realm: Option<String>,
    #[cfg(feature = "policy-module")]
    policy: Option<Shared>,
}

#[wasm_bindgen(js_class = RawApiKeys)]
impl ApiKeys {
    /// Loads a catalog from JSON text; `realm` goes into its challenges.
    #[wasm_bindgen(constructor)]
    pub fn new(text: &str, realm: Option<String>) -> Result<ApiKeys, JsValue> {
        let inner = crate::apikey::Catalog::from_json(text.as_bytes()).map_err(err)?;
        Ok(ApiKeys {
            inner: Rc::new(inner),
            realm,
            #[cfg(feature = "policy-module")]
            policy: None,
        })
    }

    /// Number of keys.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.len()
    }

    /// Checks `key` and the required scopes and roles (JSON arrays, or
    /// empty) at `now` (seconds; absent: the clock). Returns the verified
    /// result as JSON text, or throws with an `ApiKey` challenge.
    pub fn check(
        &self,
        key: &str,
        scopes: &str,
        roles: &str,
        now: Option<f64>,
    ) -> Result<String, JsValue> {
        let now = now.map_or_else(now_seconds, |n| n as i64);
        let refuse = |e: Error| to_js_as(&e, crate::Scheme::ApiKey, self.realm.as_deref());
        let (scopes, roles) = (
            required_list(scopes).map_err(err)?,
            required_list(roles).map_err(err)?,
        );
        let ok = self.inner.check(key, now).map_err(refuse)?;
        ok.require(&scopes, &roles).map_err(refuse)?;
        Ok(ok.to_json())
    }
}

/// The guard's one call per request (`createGuard({ apiKeys })`).
#[cfg(feature = "policy-module")]
#[wasm_bindgen(js_class = RawApiKeys)]
impl ApiKeys {
    /// The same catalog, sharing its keys, whose `authorize` decides with
    /// `policy` (a guard with a policy binds it once).
    #[wasm_bindgen(js_name = withPolicy)]
    pub fn with_policy(&self, policy: &crate::wasm_policy::Policy) -> ApiKeys {
        ApiKeys {
            inner: Rc::clone(&self.inner),
            realm: self.realm.clone(),
            policy: Some(policy.shared()),
        }
    }

    /// Authorizes a request to `url` presenting `key`: its transport (unless
    /// `allow_insecure`), the key at `now` (absent: the clock), the required
    /// scopes and roles (JSON arrays, or empty) and, with a policy (`withPolicy`), the
    /// route's decision, in one call. `realm` (absent: the catalog's) names
    /// the `ApiKey` challenge of a refusal. See `authorize` above.
    #[allow(clippy::too_many_arguments)]
    pub fn authorize(
        &self,
        key: &str,
        url: &str,
        allow_insecure: bool,
        scopes: &str,
        roles: &str,
        now: Option<f64>,
        realm: Option<String>,
        method: &str,
        path: &str,
        ip: Option<String>,
        environment: Option<String>,
    ) -> Result<Array, JsValue> {
        let realm = realm.as_deref().or(self.realm.as_deref());
        authorize(
            crate::Scheme::ApiKey,
            realm,
            self.policy.as_ref(),
            scopes,
            roles,
            (method, path, ip, environment),
            now,
            |now| self.inner.check_request(key, url, allow_insecure, now),
        )
    }
}

/// A loaded Basic credential list (wrapped by the JS `BasicCredentials`).
#[wasm_bindgen(js_name = RawBasic)]
pub struct Basic {
    inner: Rc<crate::basic::Credentials>,
    realm: Option<String>,
    #[cfg(feature = "policy-module")]
    policy: Option<Shared>,
}

#[wasm_bindgen(js_class = RawBasic)]
impl Basic {
    /// Loads a credential list from JSON text; `realm` goes into its challenges.
    #[wasm_bindgen(constructor)]
    pub fn new(text: &str, realm: Option<String>) -> Result<Basic, JsValue> {
        let inner = crate::basic::Credentials::from_json(text.as_bytes()).map_err(err)?;
        Ok(Basic {
            inner: Rc::new(inner),
            realm,
            #[cfg(feature = "policy-module")]
            policy: None,
        })
    }

    /// Number of users.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.len()
    }

    /// Checks an `Authorization` value for a request to `url`, and the
    /// required scopes and roles (JSON arrays, or empty). Returns the
    /// verified result as JSON text, or throws with a `Basic` challenge.
    pub fn check(
        &self,
        authorization: &str,
        url: &str,
        allow_insecure: bool,
        scopes: &str,
        roles: &str,
    ) -> Result<String, JsValue> {
        let refuse = |e: Error| to_js_as(&e, crate::Scheme::Basic, self.realm.as_deref());
        let (scopes, roles) = (
            required_list(scopes).map_err(err)?,
            required_list(roles).map_err(err)?,
        );
        let ok = self
            .inner
            .check(authorization, url, allow_insecure)
            .map_err(refuse)?;
        ok.require(&scopes, &roles).map_err(refuse)?;
        Ok(ok.to_json())
    }
}

/// The guard's one call per request (`createGuard({ basic })`).
#[cfg(feature = "policy-module")]
#[wasm_bindgen(js_class = RawBasic)]
impl Basic {
    /// The same list, sharing its users, whose `authorize` decides with `policy`.
    #[wasm_bindgen(js_name = withPolicy)]
    pub fn with_policy(&self, policy: &crate::wasm_policy::Policy) -> Basic {
        Basic {
            inner: Rc::clone(&self.inner),
            realm: self.realm.clone(),
            policy: Some(policy.shared()),
        }
    }

    /// Authorizes a request to `url` whose `Authorization` value is
    /// `authorization`: as `RawApiKeys.authorize`, with Basic's check.
    #[allow(clippy::too_many_arguments)]
    pub fn authorize(
        &self,
        authorization: &str,
        url: &str,
        allow_insecure: bool,
        scopes: &str,
        roles: &str,
        now: Option<f64>,
        realm: Option<String>,
        method: &str,
        path: &str,
        ip: Option<String>,
        environment: Option<String>,
    ) -> Result<Array, JsValue> {
        let realm = realm.as_deref().or(self.realm.as_deref());
        authorize(
            crate::Scheme::Basic,
            realm,
            self.policy.as_ref(),
            scopes,
            roles,
            (method, path, ip, environment),
            now,
            |_| self.inner.check(authorization, url, allow_insecure),
        )
    }
}

/// The challenge answering with `code` in the credentials' scheme (`basic`:
/// `Basic`, else `ApiKey`), for answers given without a core error in hand
/// (no credentials, two of them).
#[wasm_bindgen(js_name = rawCredentialChallenge)]
pub fn credential_challenge(
    basic: bool,
    code: &str,
    realm: Option<String>,
    description: &str,
) -> Option<String> {
    let scheme = if basic {
        crate::Scheme::Basic
    } else {
        crate::Scheme::ApiKey
    };
    crate::error::challenge_for(
        scheme,
        crate::Code::parse(code)?,
        realm.as_deref(),
        description,
        &[],
    )
}

/// Mints an API key from `random` (CSPRNG bytes, 96 are plenty): `[key, sha256 hex]`.
#[wasm_bindgen(js_name = rawMintApiKey)]
pub fn mint_api_key(prefix: &str, id: Option<String>, random: &[u8]) -> Result<Array, JsValue> {
    let (key, digest) = crate::apikey::mint(prefix, id.as_deref(), random).map_err(err)?;
    Ok(Array::of2(
        &JsValue::from_str(&key),
        &JsValue::from_str(&digest),
    ))
}

/// The catalog's `sha256` of a key (after checking its format and checksum).
#[wasm_bindgen(js_name = rawHashApiKey)]
pub fn hash_api_key(key: &str) -> Result<String, JsValue> {
    crate::apikey::hash(key).map_err(err)
}

/// A Basic list entry's `hash` of `password` with `salt` and `iterations`.
#[wasm_bindgen(js_name = rawHashPassword)]
pub fn hash_password(password: &str, salt: &[u8], iterations: u32) -> Result<String, JsValue> {
    crate::basic::hash_password(password, salt, iterations).map_err(err)
}
