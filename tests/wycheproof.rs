//! Project Wycheproof, natively (see tests/common/wycheproof.rs).

mod common;

#[test]
fn wycheproof_vectors_give_their_results_or_a_documented_exception() {
    let (reports, failures) = common::wycheproof::run_all();
    println!("{}", common::wycheproof::table(&reports));
    assert!(
        reports.iter().map(|r| r.tests).sum::<usize>() > 5000,
        "too few Wycheproof tests ran"
    );
    assert!(
        failures.is_empty(),
        "{} Wycheproof failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
