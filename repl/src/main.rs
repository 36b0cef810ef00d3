//! The `kql` binary; see `kql --help` and DESIGN.md §7.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(kql_cli::run(std::env::args_os()))
}
