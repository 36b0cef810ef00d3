//! Parse + bind + plan + run a generated query, with and without the optional logical
//! rewrites (`kql_tests::fuzzing::run_plan_case`); a disagreement or a panic is a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = kql_tests::fuzzing::run_plan_case(data) {
        panic!("{e}");
    }
});
