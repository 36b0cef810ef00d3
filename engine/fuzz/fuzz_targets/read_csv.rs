//! The csv reader on arbitrary bytes (`kql_tests::fuzzing::run_reader_case`).
#![no_main]

use kql_tests::fuzzing::{ReaderKind, run_reader_case};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = run_reader_case(ReaderKind::Csv, data) {
        panic!("{e}");
    }
});
