//! tollgate verifies JWT access tokens and answers who may do what, locally:
//! no call to an authorization server. The core is plain Rust (this crate,
//! tested natively); `wasm` is the one boundary to JavaScript.
//!
//! # Design
//! - **Secure by default.** Expiry is required; `issuer` and `audience` must
//!   be configured or explicitly waived; `none` is never accepted; keys never
//!   come from the token (`jwk`, `jku`, `x5u`, `x5c` are ignored).
//! - **Keys bound to one algorithm.** A key is parsed, validated and prepared
//!   once, bound to a single `alg` at import; a token's header is compared
//!   against that binding and never chooses the verification (RFC 8725 §3.1).
//! - **One pipeline** ([`verify::verify`]): size → three segments → strict
//!   base64url → header (`alg`, `kid`, `typ`, `crit`, `b64`) → allow-list →
//!   key by `kid` → signature → payload → time claims → `iss`/`aud`/`sub` →
//!   scopes. Every segment must be canonical base64url before the signature
//!   is checked, and the payload is read as claims only after it verifies.
//! - **Strict parsing.** Canonical base64url only; JSON with duplicate member
//!   names or deep nesting is refused; registered claims of the wrong type are
//!   errors, never "absent".
//! - **Errors as HTTP answers.** Every rejection is an [`Error`] with a stable
//!   code, a status (401 or 403) and an RFC 6750 `WWW-Authenticate` value;
//!   messages never echo token or key bytes.
//! - **No reachable panic.** A panic in wasm kills the worker's instance, so
//!   the crate denies `unwrap`, `expect`, indexing and `panic!` (see Cargo.toml).
//! - **Time and randomness from outside.** Core functions take `now` in
//!   seconds; only the boundary reads the clock. Signing's randomness is the
//!   runtime's CSPRNG, reached through ring in `crypto` only.
//! - **Features.** `sign` (signing, [`sign`]), `es512` and `es256k` (the
//!   curves ring lacks, verified with RustCrypto), all on by default; the npm
//!   package's wasm modules choose theirs to fit their size budgets.
#![forbid(unsafe_code)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod alg;
pub mod apikey;
pub mod authorize;
pub mod b64;
pub mod basic;
pub mod claims;
pub mod credential;
pub mod crypto;
pub mod der;
pub mod dpop;
pub mod error;
#[cfg(not(target_arch = "wasm32"))]
pub mod facts;
pub mod json;
pub mod jwk;
pub mod jws;
pub mod net;
pub mod options;
pub mod policy;
pub mod revocation;
pub mod roles;
pub mod route;
pub mod scopes;
#[cfg(feature = "sign")]
pub mod sign;
pub mod verify;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
#[cfg(all(target_arch = "wasm32", feature = "policy-module"))]
pub mod wasm_authorize;
#[cfg(all(target_arch = "wasm32", feature = "credentials"))]
pub mod wasm_credentials;
#[cfg(all(target_arch = "wasm32", feature = "policy-module"))]
pub mod wasm_policy;
#[cfg(all(target_arch = "wasm32", feature = "sign"))]
pub mod wasm_sign;

pub use alg::Algorithm;
pub use authorize::{authorize_credential, Authorizer, CredentialOutcome, Outcome};
pub use error::{Binding, Code, Error, Reason, Scheme, Skipped};
pub use jwk::{Key, KeySet};
pub use options::{CallOptions, DecodeOptions, ScopeRequirement, Validation};
pub use policy::{Decision, Policy};
pub use revocation::RevocationList;
#[cfg(feature = "sign")]
pub use sign::{downscope, sign, SigningKey};
pub use verify::{decode, verify, verify_jws, Verified, VerifiedJws, Verifier};

/// The allocator of both wasm modules (see Cargo.toml).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
