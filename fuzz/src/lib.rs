//! Shared by the fuzz targets and the corpus seeder: fixed keys of every type
//! (built once), the verifiers over them, tokens minted with their private
//! halves, and the invariants every result must satisfy.
//!
//! Only tollgate's public API is used; `ring` only signs (tollgate never does).
//! Everything here panics on a broken invariant: that is how a fuzz target
//! reports a finding.

pub mod check;
pub mod fixtures;
pub mod json_text;

pub use fixtures::{fixture, Case, Fixture, Signer, NOW, RFC_NOW};
