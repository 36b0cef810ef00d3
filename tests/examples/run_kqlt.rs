//! Runs the `.kqlt` conformance corpus and prints `<file>: N passed, M failed` per file.
//!
//!     cargo run -p kql-tests --example run_kqlt -- [--verbose] [--parse-only] [DIR|FILE]...
//!
//! `DIR` defaults to `corpus/kqlt` in the workspace. `--verbose` prints each failure;
//! `--parse-only` only checks that every record's query parses as KQL (no engine needed).
//! Exits 1 when anything failed.

use kql_tests::kqlt;
use std::path::{Path, PathBuf};

#[tokio::main]
async fn main() {
    let mut verbose = false;
    let mut parse_only = false;
    let mut paths = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "-v" | "--verbose" => verbose = true,
            "--parse-only" => parse_only = true,
            _ => paths.push(PathBuf::from(arg)),
        }
    }
    if paths.is_empty() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        paths.push(root.join("corpus").join("kqlt"));
    }
    let mut failed = 0;
    for path in &paths {
        if parse_only {
            let (checked, failures) = kqlt::parse_check(path);
            for f in &failures {
                println!("{f}");
            }
            println!(
                "parse: {} passed, {} failed",
                checked - failures.len(),
                failures.len()
            );
            failed += failures.len();
        } else if path.is_file() {
            let fs = kqlt::run_file(path).await;
            for f in &fs.failures {
                println!("{f}");
            }
            println!(
                "{}: {} passed, {} failed",
                path.display(),
                fs.passed,
                fs.failed
            );
            failed += fs.failed;
        } else {
            failed += kqlt::run_corpus_with(path, verbose).await.failed();
        }
    }
    if failed > 0 {
        std::process::exit(1);
    }
}
