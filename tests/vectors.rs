//! Public vectors, natively: RFC 7515 Appendix A, RFC 7797, RFC 8037 and the
//! JOSE cookbook (see tests/vectors/README.md for each expectation).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

#[test]
fn every_vector_gives_its_documented_outcome() {
    let (count, failures) = common::run_all();
    assert!(count >= 20, "only {count} vector cases were built");
    assert!(
        failures.is_empty(),
        "{} of {count} vector cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn vector_keys_import_as_documented() {
    let failures = common::key_import_failures();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
