//! `kql-tests`: end-to-end tests of the `kql` workspace.
//!
//! - [`kqlt`]: the conformance runner over `corpus/**/*.kqlt` (sqllogictest records whose
//!   query text is KQL), used by the integration test and by `examples/run_kqlt.rs`.
//! - `tests/cli.rs`: golden tests of the `kql` binary (exit codes, diagnostics on stderr,
//!   script files under `corpus/samples/`).

pub mod fuzzing;
pub mod kqlt;
