//! The JavaScript boundary of the credentials (`src/apikey.rs`, `src/basic.rs`),
//! beside `wasm.rs` whose helpers it uses: in the full module only (feature
//! `credentials`, which `policy-module` enables), the verifier's module has no
//! room for them (docs/credentials.md).

use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::options;
use crate::wasm::{err, now_seconds, to_js_as};
use crate::Error;

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
    inner: crate::apikey::Catalog,
    realm: Option<String>,
}

#[wasm_bindgen(js_class = RawApiKeys)]
impl ApiKeys {
    /// Loads a catalog from JSON text; `realm` goes into its challenges.
    #[wasm_bindgen(constructor)]
    pub fn new(text: &str, realm: Option<String>) -> Result<ApiKeys, JsValue> {
        let inner = crate::apikey::Catalog::from_json(text.as_bytes()).map_err(err)?;
        Ok(ApiKeys { inner, realm })
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

/// A loaded Basic credential list (wrapped by the JS `BasicCredentials`).
#[wasm_bindgen(js_name = RawBasic)]
pub struct Basic {
    inner: crate::basic::Credentials,
    realm: Option<String>,
}

#[wasm_bindgen(js_class = RawBasic)]
impl Basic {
    /// Loads a credential list from JSON text; `realm` goes into its challenges.
    #[wasm_bindgen(constructor)]
    pub fn new(text: &str, realm: Option<String>) -> Result<Basic, JsValue> {
        let inner = crate::basic::Credentials::from_json(text.as_bytes()).map_err(err)?;
        Ok(Basic { inner, realm })
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
