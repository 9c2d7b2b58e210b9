//! The JavaScript boundary of signing (`src/sign.rs`, feature `sign`): in the
//! full module only, beside `wasm.rs` whose helpers it uses.

use wasm_bindgen::prelude::*;

use crate::wasm::{err, now_seconds};
use crate::Error;

/// A private key bound to one algorithm (wrapped by the JS `SigningKey`).
#[wasm_bindgen(js_name = RawSigningKey)]
pub struct SigningKey {
    inner: crate::sign::SigningKey,
}

#[wasm_bindgen(js_class = RawSigningKey)]
impl SigningKey {
    /// Imports a private JWK given as JSON text; `options` is JSON text.
    #[wasm_bindgen(js_name = fromJwk)]
    pub fn from_jwk(text: &str, options: &str) -> Result<SigningKey, JsValue> {
        let (alg, kid) = crate::sign::key_options(options).map_err(err)?;
        Self::wrap(crate::sign::SigningKey::from_jwk(text.as_bytes(), alg, kid))
    }

    /// Imports a PKCS #8 PEM private key.
    #[wasm_bindgen(js_name = fromPem)]
    pub fn from_pem(pem: &str, options: &str) -> Result<SigningKey, JsValue> {
        let (alg, kid) = crate::sign::key_options(options).map_err(err)?;
        let alg = alg.ok_or_else(|| {
            err(Error::InvalidArg(
                "SigningKey.fromPem: `alg` is required".into(),
            ))
        })?;
        Self::wrap(crate::sign::SigningKey::from_pem(pem, alg, kid))
    }

    /// Imports an HMAC secret.
    #[wasm_bindgen(js_name = fromSecret)]
    pub fn from_secret(secret: &[u8], options: &str) -> Result<SigningKey, JsValue> {
        let (alg, kid) = crate::sign::key_options(options).map_err(err)?;
        let alg = alg.ok_or_else(|| {
            err(Error::InvalidArg(
                "SigningKey.fromSecret: `alg` is required".into(),
            ))
        })?;
        Self::wrap(crate::sign::SigningKey::from_secret(secret, alg, kid))
    }

    fn wrap(key: Result<crate::sign::SigningKey, Error>) -> Result<SigningKey, JsValue> {
        key.map(|inner| SigningKey { inner }).map_err(err)
    }

    /// The algorithm the key signs with.
    pub fn alg(&self) -> String {
        self.inner.alg().name().to_owned()
    }

    /// The key id written into headers, if any.
    pub fn kid(&self) -> Option<String> {
        self.inner.kid().map(str::to_owned)
    }

    /// The public key as JWK text; `undefined` for an HMAC secret.
    #[wasm_bindgen(js_name = publicJwk)]
    pub fn public_jwk(&self) -> Option<String> {
        self.inner.public_jwk()
    }

    /// Signs `claims` (JSON text) with `options` (JSON text): a compact JWS.
    pub fn sign(&self, claims: &str, options: &str) -> Result<String, JsValue> {
        let options = crate::sign::sign_options(options).map_err(err)?;
        let now = options.now.unwrap_or_else(now_seconds);
        crate::sign::sign(claims, &self.inner, &options, now).map_err(err)
    }

    /// A downscoped token from a verification result's JSON text.
    pub fn downscope(&self, verified: &str, options: &str) -> Result<String, JsValue> {
        let options = crate::sign::downscope_options(options).map_err(err)?;
        let (claims, scopes) = crate::sign::verified_parts(verified).map_err(err)?;
        let now = options.now.unwrap_or_else(now_seconds);
        crate::sign::downscope(&claims, &scopes, &self.inner, &options, now).map_err(err)
    }
}
