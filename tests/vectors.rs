//! Public vectors, natively: RFC 7515 Appendix A, RFC 7797, RFC 8037 and the
//! JOSE cookbook (see tests/vectors/README.md for each expectation).

mod common;

#[test]
fn every_vector_gives_its_documented_outcome() {
    common::assert_all_vectors();
}
