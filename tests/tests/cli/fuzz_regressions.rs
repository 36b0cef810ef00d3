//! Replays the inputs the fuzz targets in `engine/fuzz/` once crashed on
//! (`engine/fuzz/regressions/<target>/`: raw fuzzer inputs, or minimised queries in `.kql`
//! files for `plan`) through the same harness functions
//! (`kql_tests::fuzzing`), the readers' seed corpora too, and runs a seeded smoke test of a few
//! hundred generated plan cases.

use kql_tests::fuzzing::generator::Generated;
use kql_tests::fuzzing::{PlanOutcome, ReaderKind, run_plan_case, run_plan_query, run_reader_case};
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/fuzz")
}

/// The files of `dir` (none when it does not exist), sorted, without READMEs.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "md"))
        .collect();
    paths.sort();
    paths
}

fn replay(folder: &str, kinds: &[(&str, Option<ReaderKind>)]) -> Vec<String> {
    let mut failures = Vec::new();
    for (target, kind) in kinds {
        for path in inputs(&fuzz_dir().join(folder).join(target)) {
            let bytes = std::fs::read(&path).expect("read input");
            let result = match kind {
                Some(k) => run_reader_case(*k, &bytes),
                // a minimised query, as text
                None if path.extension().is_some_and(|x| x == "kql") => {
                    let g = Generated {
                        script: String::from_utf8_lossy(&bytes).into_owned(),
                        rows_determined: true,
                        count_determined: true,
                        ordered: false,
                    };
                    run_plan_query(&g).map(|_| ())
                }
                // the generator's input bytes, as libFuzzer saved them
                None => run_plan_case(&bytes).map(|_| ()),
            };
            if let Err(e) = result {
                failures.push(format!("{}: {e}", path.display()));
            }
        }
    }
    failures
}

const TARGETS: &[(&str, Option<ReaderKind>)] = &[
    ("plan", None),
    ("read_csv", Some(ReaderKind::Csv)),
    ("read_json", Some(ReaderKind::Json)),
    ("read_parquet", Some(ReaderKind::Parquet)),
];

#[test]
fn fuzz_regressions_replay() {
    let failures = replay("regressions", TARGETS);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn fuzz_reader_seeds_replay() {
    let failures = replay("corpus", &TARGETS[1..]);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// SplitMix64 bytes, so the smoke test generates the same queries on every run.
fn seeded_bytes(seed: u64, len: usize) -> Vec<u8> {
    kql_functions::rng::SplitMix64::new(seed).bytes(len)
}

/// How many generated plan cases the smoke test runs.
const SMOKE_CASES: u64 = 300;

#[test]
fn fuzz_plan_smoke() {
    let mut failures = Vec::new();
    let (mut ran, mut failed, mut skipped) = (0, 0, 0);
    for seed in 0..SMOKE_CASES {
        let bytes = seeded_bytes(seed, 64 + (seed as usize % 7) * 48);
        match run_plan_case(&bytes) {
            Ok(PlanOutcome::Ran) => ran += 1,
            Ok(PlanOutcome::Failed) => failed += 1,
            Ok(PlanOutcome::Skipped | PlanOutcome::Known) => skipped += 1,
            Err(e) => failures.push(format!("seed {seed}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // mostly valid queries, or the differential check is hollow
    assert!(
        ran * 2 > SMOKE_CASES,
        "only {ran} of {SMOKE_CASES} generated queries ran ({failed} failed, {skipped} skipped or known)"
    );
}
