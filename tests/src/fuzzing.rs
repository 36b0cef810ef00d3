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

pub use plan::{PlanOutcome, run_plan_case, run_plan_query};
pub use readers::{ReaderKind, run_reader_case};
