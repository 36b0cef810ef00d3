//! `kql-cli`: the `kql` command line (DESIGN.md §7).
//!
//! The binary is a thin wrapper around [`run`], so the whole command line can be driven from
//! tests and never exits the process from library code. Query execution arrives with the
//! engine; today only `--parse-only` does real work, and every other mode says so plainly
//! (exit 2) instead of pretending to run the query.

pub mod cli;
pub mod source;

use clap::Parser;
use cli::Cli;
use source::{Source, SourceError};
use std::ffi::OsString;
use std::io::Write;

/// Exit statuses of the contract.
pub mod exit {
    pub const OK: u8 = 0;
    /// A query or data error; diagnostics are on stderr.
    pub const QUERY_ERROR: u8 = 1;
    /// A usage error: bad flags, a file that cannot be read, a mode not available.
    pub const USAGE: u8 = 2;
}

/// The message for every mode that needs the engine.
pub const NOT_AVAILABLE: &str = "query execution is not available yet in this build \
(the engine lands with issue #3); use --parse-only to check syntax";

/// Runs the command line with `args` (the first item is the program name) and returns the
/// exit status. Diagnostics and errors go to stderr; nothing here panics or exits.
pub fn run<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version come through here too, with exit status 0.
            let _ = e.print();
            return u8::try_from(e.exit_code()).unwrap_or(exit::USAGE);
        }
    };
    if cli.parse_only {
        parse_only(&cli)
    } else {
        error(NOT_AVAILABLE);
        exit::USAGE
    }
}

/// `--parse-only`: parse every input, print all diagnostics, and report the worst status.
fn parse_only(cli: &Cli) -> u8 {
    let sources: Vec<Result<Source, SourceError>> = match (&cli.query, cli.file.is_empty()) {
        (Some(q), _) if q == "-" => vec![source::stdin()],
        (Some(q), _) => vec![Ok(source::inline(q))],
        (None, false) => cli.file.iter().map(|p| source::file(p)).collect(),
        (None, true) => {
            error(
                "--parse-only needs a query: give QUERY, `-` to read standard input, or --file PATH",
            );
            return exit::USAGE;
        }
    };
    let mut status = exit::OK;
    let mut printed = false;
    for src in sources {
        match src {
            Ok(src) => {
                let out = kql_parser::parse_script(&src.text);
                if out.diagnostics.is_empty() {
                    continue;
                }
                let rendered =
                    kql_parser::diagnostic::render_all(&out.diagnostics, &src.text, &src.origin);
                if printed {
                    write_stderr("\n");
                }
                write_stderr(&rendered);
                printed = true;
                if out
                    .diagnostics
                    .iter()
                    .any(|d| d.severity == kql_parser::Severity::Error)
                {
                    status = status.max(exit::QUERY_ERROR);
                }
            }
            Err(e) => {
                error(&e.to_string());
                status = status.max(e.exit_code());
            }
        }
    }
    status
}

fn error(message: &str) {
    write_stderr(&format!("error: {message}\n"));
}

/// Writes to stderr, ignoring failures (a closed stderr must not turn into a panic).
fn write_stderr(s: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(s.as_bytes());
    let _ = err.flush();
}
