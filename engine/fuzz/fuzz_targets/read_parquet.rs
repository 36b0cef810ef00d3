//! The parquet reader on arbitrary bytes (`kql_tests::fuzzing::run_reader_case`).
#![no_main]

use kql_tests::fuzzing::{ReaderKind, run_reader_case};
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: {
        // libFuzzer's hook aborts on every panic, even one the engine catches: a panic inside
        // the parquet/DataFusion crates on a damaged file, which the engine turns into an error
        // naming the file (engine/src/guard.rs). Restore the default hook; a panic that is
        // not caught still aborts (libfuzzer-sys does), and `run_reader_case` fails on an
        // error that mentions a panic.
        drop(std::panic::take_hook());
    },
    |data: &[u8]| {
        if let Err(e) = run_reader_case(ReaderKind::Parquet, data) {
            panic!("{e}");
        }
    }
);
