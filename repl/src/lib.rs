//! `kql-cli`: the `kql` command line (DESIGN.md §7).
//!
//! The binary is a thin wrapper around [`run`], so the whole command line can be driven from
//! tests and never exits the process from library code. Queries run through the public
//! `kql_engine` API ([`KqlContext`]); results are written by [`output`].

pub mod chart;
pub mod cli;
pub mod output;
pub mod repl;
pub mod source;
pub mod tables;

use clap::Parser;
use cli::{Cli, OutputFormat};
use kql_engine::{KqlContext, QueryResult};
use output::OutputError;
use source::{Source, SourceError};
use std::ffi::OsString;
use std::io::{IsTerminal, Write};

/// Exit statuses of the contract.
pub mod exit {
    pub const OK: u8 = 0;
    /// A query or data error; diagnostics are on stderr.
    pub const QUERY_ERROR: u8 = 1;
    /// A usage error: bad flags, a file that cannot be read, a mode not available.
    pub const USAGE: u8 = 2;
}

/// Ticks (100 ns since 0001-01-01) at the Unix epoch.
const EPOCH_TICKS: i64 = 621_355_968_000_000_000;

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
        match execute(&cli) {
            Ok(()) => exit::OK,
            Err(Failure { status, message }) => {
                if !message.is_empty() {
                    write_stderr(&message);
                }
                status
            }
        }
    }
}

/// A failed run: the exit status and what to print on stderr (already rendered).
struct Failure {
    status: u8,
    message: String,
}

impl Failure {
    fn usage(message: impl AsRef<str>) -> Self {
        Failure {
            status: exit::USAGE,
            message: format!("error: {}\n", message.as_ref()),
        }
    }

    fn data(message: impl AsRef<str>) -> Self {
        Failure {
            status: exit::QUERY_ERROR,
            message: format!("error: {}\n", message.as_ref()),
        }
    }

    fn source(e: &SourceError) -> Self {
        Failure {
            status: e.exit_code(),
            message: format!("error: {e}\n"),
        }
    }
}

/// Where results go.
enum Destination {
    Stdout,
    File(std::path::PathBuf),
}

/// Reads the scripts named on the command line: QUERY, `-` (stdin) or every --file.
fn read_sources(cli: &Cli, mode: &str) -> Result<Vec<Source>, Failure> {
    match (&cli.query, cli.file.is_empty()) {
        (Some(q), _) if q == "-" => Ok(vec![source::stdin().map_err(|e| Failure::source(&e))?]),
        (Some(q), _) => Ok(vec![source::inline(q)]),
        (None, false) => cli
            .file
            .iter()
            .map(|p| source::file(p).map_err(|e| Failure::source(&e)))
            .collect(),
        (None, true) => Err(Failure::usage(format!(
            "{mode} needs a query: give QUERY, `-` to read standard input, or --file PATH"
        ))),
    }
}

/// A datetime as Unix nanoseconds (`--now`, the REPL's `.now`).
pub(crate) fn parse_now_text(text: &str) -> Option<i64> {
    kql_parser::datetime::parse_datetime(text)
        .and_then(|ticks| ticks.checked_sub(EPOCH_TICKS)?.checked_mul(100))
}

/// `--now DATETIME` as Unix nanoseconds.
fn parse_now(text: &str) -> Result<i64, Failure> {
    parse_now_text(text).ok_or_else(|| {
        Failure::usage(format!(
            "invalid --now '{text}': expected a datetime between 1677-09-22 and 2262-04-11, \
                 such as 2024-01-01T00:00:00Z"
        ))
    })
}

/// The output format and destination, checked before anything runs.
fn output_plan(cli: &Cli) -> Result<(OutputFormat, Destination), Failure> {
    let stdout_is_terminal = std::io::stdout().is_terminal();
    match &cli.output {
        Some(path) => {
            let format = cli
                .format
                .or_else(|| OutputFormat::from_extension(path))
                .unwrap_or(OutputFormat::Csv);
            if path.is_dir() {
                return Err(Failure::usage(format!(
                    "--output '{}' is a folder",
                    path.display()
                )));
            }
            let dir = output::parent_dir(path);
            if !dir.is_dir() {
                return Err(Failure::usage(format!(
                    "--output '{}': no such folder '{}'",
                    path.display(),
                    dir.display()
                )));
            }
            Ok((format, Destination::File(path.clone())))
        }
        None => {
            let format = cli.format.unwrap_or(if stdout_is_terminal {
                OutputFormat::Table
            } else {
                OutputFormat::Csv
            });
            if format.is_binary() && stdout_is_terminal {
                return Err(Failure::usage(format!(
                    "not writing binary {} output to a terminal; use -o PATH or redirect standard output",
                    if format == OutputFormat::Parquet {
                        "parquet"
                    } else {
                        "arrow"
                    }
                )));
            }
            Ok((format, Destination::Stdout))
        }
    }
}

/// Builds the session: settings, then `-d` folders, then `-t` tables (so `-t` can replace a
/// table a folder provides).
fn context(cli: &Cli) -> Result<KqlContext, Failure> {
    let mut ctx = match cli.memory_limit {
        Some(bytes) => KqlContext::with_memory_limit(bytes)
            .map_err(|e| Failure::usage(format!("--memory-limit: {e}")))?,
        None => KqlContext::new(),
    };
    ctx.set_lenient(cli.lenient);
    if let Some(now) = &cli.now {
        ctx.set_now(parse_now(now)?);
    }
    for (name, value) in &cli.params {
        ctx.set_parameter(name, value);
    }
    let mut tables: Vec<(String, std::path::PathBuf)> = Vec::new();
    for dir in &cli.dbs {
        let found = tables::scan(dir).map_err(|e| match e {
            tables::DbError::Duplicate { .. } => Failure::usage(e.to_string()),
            tables::DbError::Unreadable { .. } => Failure::data(e.to_string()),
        })?;
        tables.extend(found.into_iter().map(|t| (t.name, t.path)));
    }
    tables.extend(cli.tables.iter().map(|t| (t.name.clone(), t.path.clone())));
    for (name, path) in tables {
        let Some(p) = path.to_str() else {
            return Err(Failure::usage(format!(
                "table '{name}': the path '{}' is not valid UTF-8",
                path.display()
            )));
        };
        let report = ctx
            .register_path_with_report(&name, p)
            .map_err(|e| Failure {
                status: exit::QUERY_ERROR,
                message: e.render(&path.display().to_string()),
            })?;
        if report.skipped_records > 0 {
            // --lenient: say how many bad records were skipped, and the first few
            let mut msg = format!(
                "warning: table '{name}': skipped {} bad record(s)",
                report.skipped_records
            );
            for r in &report.skipped_examples {
                match r.line {
                    Some(l) => {
                        msg.push_str(&format!("\n  {}:{l}: {}", r.file.display(), r.message))
                    }
                    None => msg.push_str(&format!("\n  {}: {}", r.file.display(), r.message)),
                }
            }
            eprintln!("{msg}");
        }
    }
    Ok(ctx)
}

/// Everything but `--parse-only`: check or run the scripts and write the results.
fn execute(cli: &Cli) -> Result<(), Failure> {
    let mode = if cli.check { "--check" } else { "" };
    // Usage errors first, before any data is read.
    if let Some(now) = &cli.now {
        parse_now(now)?;
    }
    if cli.query.is_none() && cli.file.is_empty() && !cli.check {
        return interactive(cli);
    }
    let plan = if cli.check {
        None
    } else {
        Some(output_plan(cli)?)
    };
    let chart_format = chart_plan(cli)?;
    let sources = read_sources(cli, mode)?;
    let ctx = context(cli)?;
    let Some((format, destination)) = plan else {
        return check(&ctx, &sources);
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::data(format!("cannot start the query runtime: {e}")))?;
    let mut results: Vec<QueryResult> = Vec::new();
    let deadline = cli.timeout.map(|t| std::time::Instant::now() + t);
    for src in &sources {
        let outcome = match deadline {
            None => runtime.block_on(ctx.run(&src.text)),
            Some(at) => {
                let left = at.saturating_duration_since(std::time::Instant::now());
                match runtime
                    .block_on(async { tokio::time::timeout(left, ctx.run(&src.text)).await })
                {
                    Ok(r) => r,
                    Err(_) => {
                        // the query's tasks stop at their next yield; do not wait for them
                        runtime.shutdown_background();
                        return Err(Failure::data(format!(
                            "the query did not finish within --timeout {}",
                            humanize(cli.timeout.unwrap_or_default())
                        )));
                    }
                }
            }
        };
        match outcome {
            Ok(r) => results.extend(r),
            Err(e) => {
                return Err(Failure {
                    status: exit::QUERY_ERROR,
                    message: e.render(&src.origin),
                });
            }
        }
    }
    let chart_bytes = match chart_format {
        Some(f) => Some(chart_file(&results, f)?),
        None => None,
    };
    let written = match &destination {
        Destination::File(path) => {
            output::write_atomically(path, |w| output::write_results(w, format, &results))
        }
        Destination::Stdout if format == OutputFormat::Table && std::io::stdout().is_terminal() => {
            write_with_terminal_charts(&results)
        }
        Destination::Stdout => {
            let mut out = std::io::BufWriter::new(std::io::stdout());
            output::write_results(&mut out, format, &results).and_then(|()| Ok(out.flush()?))
        }
    };
    if let (Some(bytes), Some(path)) = (chart_bytes, &cli.chart) {
        output::write_atomically(path, |w| Ok(w.write_all(&bytes)?)).map_err(|e| {
            Failure::data(format!("cannot write the chart '{}': {e}", path.display()))
        })?;
    }
    match written {
        Ok(()) => Ok(()),
        // A reader that stopped early (`kql ... | head`) is not an error.
        Err(OutputError::Io(e))
            if e.kind() == std::io::ErrorKind::BrokenPipe
                && matches!(destination, Destination::Stdout) =>
        {
            Ok(())
        }
        Err(e @ OutputError::Shape(_)) => Err(Failure::usage(e.to_string())),
        Err(e) => Err(Failure::data(match &destination {
            Destination::File(path) => format!("cannot write '{}': {e}", path.display()),
            Destination::Stdout => format!("cannot write the output: {e}"),
        })),
    }
}

/// A duration as the user would write it back (`30s`, `1.5s`, `250ms`).
fn humanize(d: std::time::Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{:.3}s", d.as_secs_f64())
    }
}

/// `--chart PATH`: its format, from the extension, checked before anything runs.
fn chart_plan(cli: &Cli) -> Result<Option<chart::ChartFormat>, Failure> {
    let Some(path) = &cli.chart else {
        return Ok(None);
    };
    let format = chart::ChartFormat::from_path(path).map_err(|e| Failure::usage(e.0))?;
    let dir = output::parent_dir(path);
    if !dir.is_dir() {
        return Err(Failure::usage(format!(
            "--chart '{}': no such folder '{}'",
            path.display(),
            dir.display()
        )));
    }
    Ok(Some(format))
}

/// The chart file of the last result with a render spec.
fn chart_file(results: &[QueryResult], format: chart::ChartFormat) -> Result<Vec<u8>, Failure> {
    let Some((result, spec)) = chart::last_rendered(results) else {
        return Err(Failure::data(
            "--chart: no result has a render operator; end the query with e.g. `| render timechart`",
        ));
    };
    let chart = chart::build(result, spec).map_err(|e| Failure::data(e.0))?;
    chart::encode(&chart, format).map_err(|e| Failure::data(e.0))
}

/// Tables on a terminal, each followed by its chart when it has a render spec.
fn write_with_terminal_charts(results: &[QueryResult]) -> Result<(), OutputError> {
    let width = terminal_size::terminal_size().map_or(100, |(w, _)| usize::from(w.0));
    let mut out = std::io::BufWriter::new(std::io::stdout());
    for (i, r) in results.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        output::write_results(&mut out, OutputFormat::Table, std::slice::from_ref(r))?;
        match chart::for_terminal(r, width, true) {
            Some(Ok(text)) => write!(out, "{text}")?,
            Some(Err(e)) => {
                out.flush()?;
                write_stderr(&format!("warning: cannot draw the chart: {e}\n"));
            }
            None => {}
        }
    }
    Ok(out.flush()?)
}

/// No query and no --file: the REPL, with the tables the command line registers.
fn interactive(cli: &Cli) -> Result<(), Failure> {
    if cli.output.is_some() {
        return Err(Failure::usage(
            "--output needs a query or --file; the interactive REPL prints its results",
        ));
    }
    if cli.chart.is_some() {
        return Err(Failure::usage(
            "--chart needs a query or --file; the interactive REPL draws charts in the terminal",
        ));
    }
    let format = cli.format.unwrap_or(OutputFormat::Table);
    if format.is_binary() {
        return Err(Failure::usage(
            "the interactive REPL shows table, csv, tsv, json or jsonl; use -o with a query for binary output",
        ));
    }
    let ctx = context(cli)?;
    repl::run(ctx, format).map_err(Failure::data)
}

/// `--check`: parse and bind every script against the registered tables.
fn check(ctx: &KqlContext, sources: &[Source]) -> Result<(), Failure> {
    let mut message = String::new();
    let mut failed = false;
    for src in sources {
        let diagnostics = ctx.check(&src.text);
        if diagnostics.is_empty() {
            continue;
        }
        if !message.is_empty() {
            message.push('\n');
        }
        message.push_str(&kql_parser::diagnostic::render_all(
            &diagnostics,
            &src.text,
            &src.origin,
        ));
        failed |= diagnostics
            .iter()
            .any(|d| d.severity == kql_parser::Severity::Error);
    }
    if failed {
        Err(Failure {
            status: exit::QUERY_ERROR,
            message,
        })
    } else {
        write_stderr(&message);
        Ok(())
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
