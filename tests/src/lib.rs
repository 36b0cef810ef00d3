//! `kql-tests`: end-to-end tests of the `kql` workspace.
//!
//! The tests live in `tests/tests/`: `cli.rs` holds golden tests of the `kql` binary
//! (exit codes, diagnostics on stderr, script files under `corpus/samples/`). The
//! conformance runner over `corpus/**/*.kqlt` joins them once the engine exists.
