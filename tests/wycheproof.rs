//! Project Wycheproof, natively (see tests/common/wycheproof.rs).

mod common;

#[test]
fn wycheproof_vectors_give_their_results_or_a_documented_exception() {
    let reports = common::wycheproof::assert_all();
    println!("{}", common::wycheproof::table(&reports));
}
