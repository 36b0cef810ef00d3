//! Fuzzing harnesses shared by the cargo-fuzz targets in `engine/fuzz/` and by `cargo test`
//! (`tests/tests/cli/fuzz_regressions.rs` replays saved inputs and runs a seeded smoke test).
//!
//! - [`generator`]: a grammar-aware KQL generator driven by `arbitrary::Unstructured`, producing
//!   mostly valid queries over a fixed in-memory table ([`table`]).
//! - [`run_plan_case`]: generate a query, `check` it, run it with a memory limit and a timeout,
//!   and run it again without DataFusion's optional logical rewrites: both must give the same
//!   rows, or both fail.
//! - [`run_reader_case`]: write bytes to a data file and load and query it eagerly and streamed,
//!   strict and lenient: errors must name the file, and the file must stay unchanged.
//!
//! The harness functions return `Err` for a disagreement; a panic (anywhere, including a
//! DataFusion worker thread under libFuzzer) is a crash.

pub mod generator;
mod plan;
mod readers;
pub mod table;

pub use plan::{PlanOutcome, explain_plan_query, run_plan_case, run_plan_query};
pub use readers::{ReaderKind, run_reader_case};

#[cfg(test)]
mod tests {
    #![allow(clippy::panic)]

    /// Runs the query in `KQL_FUZZ_QUERY` through the differential check (to investigate a
    /// finding): `KQL_FUZZ_QUERY='T | ...' cargo test -p kql-tests --lib one_query -- --ignored`.
    #[test]
    #[ignore]
    fn one_query() {
        let script = std::env::var("KQL_FUZZ_QUERY").unwrap_or_else(|_| "T | count".into());
        let g = super::generator::Generated {
            script,
            rows_determined: true,
            count_determined: true,
            ordered: false,
        };
        if std::env::var_os("KQL_FUZZ_EXPLAIN").is_some() {
            println!(
                "{}",
                super::explain_plan_query(&g.script).unwrap_or_default()
            );
        }
        if let Err(e) = super::run_plan_query(&g) {
            panic!("{e}");
        }
    }

    /// Runs `KQL_FUZZ_CASES` (default 300) seeded plan cases from seed `KQL_FUZZ_SEED` and prints
    /// the outcomes and every disagreement (to measure the generator).
    #[test]
    #[ignore]
    fn many_cases() {
        let n: u64 = std::env::var("KQL_FUZZ_CASES")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(300);
        let seed: u64 = std::env::var("KQL_FUZZ_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut counts = std::collections::BTreeMap::new();
        for k in seed..seed + n {
            let bytes = kql_functions::rng::SplitMix64::new(k).bytes(8 * (8 + k as usize % 7 * 6));
            if std::env::var_os("KQL_FUZZ_TRACE").is_some() {
                let g = super::generator::generate(&mut arbitrary::Unstructured::new(&bytes));
                eprintln!("seed {k}: {}", g.script);
            }
            let outcome = match super::run_plan_case(&bytes) {
                Ok(o) => format!("{o:?}"),
                Err(e) => {
                    println!("seed {k}: {e}\n");
                    "Disagreement".to_string()
                }
            };
            *counts.entry(outcome).or_insert(0) += 1;
        }
        println!("{counts:?}");
    }

    /// Runs every file of folder `KQL_FUZZ_DIR` through the reader harness of kind
    /// `KQL_FUZZ_READER` (csv, json or parquet) and prints the failures.
    #[test]
    #[ignore]
    fn reader_folder() {
        let kind = match std::env::var("KQL_FUZZ_READER").as_deref() {
            Ok("json") => super::ReaderKind::Json,
            Ok("parquet") => super::ReaderKind::Parquet,
            _ => super::ReaderKind::Csv,
        };
        let dir = std::env::var("KQL_FUZZ_DIR").unwrap_or_default();
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        paths.sort();
        let mut failures = 0;
        for p in &paths {
            let bytes = std::fs::read(p).unwrap_or_default();
            if let Err(e) = super::run_reader_case(kind, &bytes) {
                failures += 1;
                println!("{}: {e}\n", p.display());
            }
        }
        println!("{failures} of {} fail", paths.len());
    }
}
