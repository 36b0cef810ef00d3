//! The interactive REPL (`kql` with no query): rustyline editing with multi-line input,
//! persistent history, completion and highlighting ([`helper`]); dot-commands ([`commands`]);
//! results cut to the terminal ([`display`]); Ctrl-C cancels the running query and keeps the
//! session; a progress line on stderr for queries that take more than a second.

pub mod commands;
pub mod display;
pub mod helper;
pub mod input;

use crate::cli::OutputFormat;
use commands::{After, Settings};
use helper::KqlHelper;
use kql_engine::datafusion::arrow::datatypes::SchemaRef;
use kql_engine::datafusion::arrow::record_batch::RecordBatch;
use kql_engine::{KqlContext, KqlError, QueryResult};
use kql_parser::ast::StatementKind;
use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{CompletionType, Config, Editor};
use std::cell::RefCell;
use std::io::{IsTerminal, Write};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Ctrl-C while a query runs: [`Interrupts::watch`] wakes [`Interrupts::notify`]'s waiters.
/// The signal is watched on its own thread and runtime, because a query can keep every worker
/// of the query runtime busy (and a busy runtime does not poll its signal driver).
struct Interrupts {
    notify: Arc<Notify>,
    running: Arc<AtomicBool>,
}

impl Interrupts {
    fn watch() -> Self {
        let notify = Arc::new(Notify::new());
        let running = Arc::new(AtomicBool::new(false));
        let (n, r) = (Arc::clone(&notify), Arc::clone(&running));
        let spawned = std::thread::Builder::new()
            .name("kql-interrupts".into())
            .spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async move {
                    while tokio::signal::ctrl_c().await.is_ok() {
                        if r.load(Ordering::SeqCst) {
                            n.notify_waiters();
                        } else {
                            // no query to cancel (input from a pipe): Ctrl-C ends kql as usual
                            std::process::exit(130);
                        }
                    }
                });
            });
        if spawned.is_err() {
            eprintln!("warning: Ctrl-C will not cancel queries (cannot start its thread)");
        }
        Interrupts { notify, running }
    }
}

/// One result as the REPL shows it: at most the row limit kept, the true row count.
struct Shown {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    total_rows: usize,
    /// With a `render` operator: the spec and every batch (a chart draws all rows).
    chart: Option<(kql_engine::RenderSpec, Vec<RecordBatch>)>,
}

/// Runs the REPL until `.quit` or end of input. Returns an error message only when the terminal
/// or the runtime cannot be set up.
pub fn run(ctx: KqlContext, format: OutputFormat) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the query runtime: {e}"))?;
    let interactive = std::io::stdin().is_terminal();
    let color = interactive
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let ctx = Arc::new(ctx);
    let interrupts = Interrupts::watch();
    let prelude = Rc::new(RefCell::new(String::new()));
    let config = Config::builder()
        .auto_add_history(false)
        .completion_type(CompletionType::List)
        .max_history_size(10_000)
        .map_err(|e| format!("cannot configure the line editor: {e}"))?
        .build();
    let mut editor: Editor<KqlHelper, DefaultHistory> =
        Editor::with_config(config).map_err(|e| format!("cannot start the line editor: {e}"))?;
    editor.set_helper(Some(KqlHelper {
        ctx: Arc::clone(&ctx),
        prelude: Rc::clone(&prelude),
        color,
    }));
    let history = history_path();
    if let Some(h) = &history {
        // a first run has no history file yet
        let _ = editor.load_history(h);
    }
    let mut settings = Settings {
        format,
        timing: true,
        max_rows: 100,
    };
    if interactive {
        eprintln!(
            "kql {} - type .help for help, Ctrl-D to quit",
            env!("CARGO_PKG_VERSION")
        );
    }
    loop {
        let line = match editor.readline("kql> ") {
            Ok(l) => l,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(format!("cannot read input: {e}")),
        };
        if !line.trim().is_empty() {
            let _ = editor.add_history_entry(line.as_str());
            if let Some(h) = &history {
                let _ = editor.append_history(h);
            }
        }
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        if text.starts_with('.') {
            let (after, out) = commands::run(text, &ctx, &mut settings);
            print_out(&out);
            if after == After::Quit {
                break;
            }
            continue;
        }
        run_input(&runtime, &interrupts, &ctx, &prelude, text, &settings);
    }
    // a cancelled query's tasks stop at their next yield; do not wait for them
    runtime.shutdown_background();
    Ok(())
}

/// `$KQL_HISTORY`, else `~/.kql_history`.
fn history_path() -> Option<std::path::PathBuf> {
    if let Some(p) = std::env::var_os("KQL_HISTORY") {
        return (!p.is_empty()).then(|| p.into());
    }
    std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".kql_history"))
}

/// Runs what the user typed: `let`/`set`/`declare` alone join the session's prelude; anything
/// else runs after the prelude.
fn run_input(
    runtime: &tokio::runtime::Runtime,
    interrupts: &Interrupts,
    ctx: &KqlContext,
    prelude: &Rc<RefCell<String>>,
    text: &str,
    settings: &Settings,
) {
    let text = text.trim_end_matches(|c: char| c == ';' || c.is_whitespace());
    let parsed = kql_parser::parse_script(text);
    if !parsed.diagnostics.is_empty() {
        print_err(&kql_parser::diagnostic::render_all(
            &parsed.diagnostics,
            text,
            "<input>",
        ));
        return;
    }
    let Some(script) = parsed.script else {
        return;
    };
    let prefix = prelude.borrow().clone();
    let full = format!("{prefix}{text}");
    let only_definitions = script
        .statements
        .iter()
        .all(|s| !matches!(s.kind, StatementKind::Query(_)));
    if only_definitions {
        let diags = ctx.check(&full);
        if diags.is_empty() {
            prelude.borrow_mut().push_str(&format!("{text};\n"));
        } else {
            print_err(&render_diagnostics(diags, prefix.len(), text, &full));
        }
        return;
    }
    let started = Instant::now();
    match run_cancellable(runtime, interrupts, ctx, &full, settings.max_rows) {
        Some(Ok(results)) => {
            let elapsed = started.elapsed();
            for (i, r) in results.iter().enumerate() {
                if i > 0 {
                    print_out("\n");
                }
                show(r, settings);
                if settings.timing {
                    let n = r.total_rows;
                    print_err(&format!(
                        "({n} row{}, {:.3} s)\n",
                        if n == 1 { "" } else { "s" },
                        elapsed.as_secs_f64()
                    ));
                }
            }
        }
        Some(Err(e)) => print_err(&render_error(e, prefix.len(), text)),
        None => print_err("query cancelled\n"),
    }
}

/// Runs `script`, keeping at most `max_rows` rows of each result; `None` when Ctrl-C cancelled
/// it (dropping the streams stops DataFusion's tasks and frees their memory).
fn run_cancellable(
    runtime: &tokio::runtime::Runtime,
    interrupts: &Interrupts,
    ctx: &KqlContext,
    script: &str,
    max_rows: usize,
) -> Option<Result<Vec<Shown>, KqlError>> {
    use futures::StreamExt;
    let progress = std::io::stderr().is_terminal();
    interrupts.running.store(true, Ordering::SeqCst);
    let outcome = runtime.block_on(async {
        let started = Instant::now();
        let work = async {
            let mut shown = Vec::new();
            for mut q in ctx.run_streaming(script).await? {
                let mut batches = Vec::new();
                let mut kept = 0usize;
                let mut total = 0usize;
                let mut chart = q.render.take().map(|spec| (spec, Vec::new()));
                while let Some(b) = q.stream.next().await {
                    let b = b.map_err(KqlError::Engine)?;
                    total += b.num_rows();
                    if let Some((_, all)) = chart.as_mut() {
                        all.push(b.clone());
                    }
                    if kept < max_rows {
                        let take = (max_rows - kept).min(b.num_rows());
                        batches.push(b.slice(0, take));
                        kept += take;
                    }
                }
                shown.push(Shown {
                    schema: q.schema,
                    batches,
                    total_rows: total,
                    chart,
                });
            }
            Ok::<_, KqlError>(shown)
        };
        tokio::pin!(work);
        let ctrl_c = interrupts.notify.notified();
        tokio::pin!(ctrl_c);
        let mut ticker = tokio::time::interval(Duration::from_millis(200));
        let mut drew = false;
        let spinner = ['|', '/', '-', '\\'];
        let mut tick = 0usize;
        let outcome = loop {
            tokio::select! {
                r = &mut work => break Some(r),
                _ = &mut ctrl_c => break None,
                _ = ticker.tick() => {
                    if progress && started.elapsed() > Duration::from_secs(1) {
                        tick += 1;
                        print_err(&format!(
                            "\r{} running... {:.1} s (Ctrl-C cancels)",
                            spinner[tick % spinner.len()],
                            started.elapsed().as_secs_f64()
                        ));
                        drew = true;
                    }
                }
            }
        };
        if drew {
            print_err("\r\x1b[K");
        }
        outcome
    });
    interrupts.running.store(false, Ordering::SeqCst);
    outcome
}

/// Prints one result in the chosen format.
fn show(r: &Shown, settings: &Settings) {
    if settings.format == OutputFormat::Table {
        print_out(&display::fitted_table(
            &r.schema,
            &r.batches,
            r.total_rows,
            terminal_width(),
        ));
        show_chart(r);
        return;
    }
    let result = QueryResult {
        schema: Arc::clone(&r.schema),
        batches: r.batches.clone(),
        render: None,
    };
    let mut buf: Vec<u8> = Vec::new();
    match crate::output::write_results(&mut buf, settings.format, &[result]) {
        Ok(()) => print_out(&String::from_utf8_lossy(&buf)),
        Err(e) => print_err(&format!("error: {e}\n")),
    }
    let shown: usize = r.batches.iter().map(RecordBatch::num_rows).sum();
    if r.total_rows > shown {
        print_err(&format!("({} more rows)\n", r.total_rows - shown));
    }
}

/// The terminal chart of a result with a `render` operator, after its table.
fn show_chart(r: &Shown) {
    let Some((spec, batches)) = &r.chart else {
        return;
    };
    let result = QueryResult {
        schema: Arc::clone(&r.schema),
        batches: batches.clone(),
        render: Some(spec.clone()),
    };
    let width = terminal_width().min(160);
    match crate::chart::for_terminal(&result, width, std::io::stdout().is_terminal()) {
        Some(Ok(text)) => print_out(&text),
        Some(Err(e)) => print_err(&format!("cannot draw the chart: {e}\n")),
        None => {}
    }
}

/// The terminal's width; `$COLUMNS` or no limit when stdout is not a terminal.
fn terminal_width() -> usize {
    if std::io::stdout().is_terminal()
        && let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size()
    {
        return usize::from(w).max(20);
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|w| *w >= 20)
        .unwrap_or(usize::MAX)
}

/// An error of `prelude + text`, shown against what the user typed when it is about that.
fn render_error(e: KqlError, prelude_len: usize, text: &str) -> String {
    match e {
        KqlError::Query {
            source,
            diagnostics,
        } => render_diagnostics(diagnostics, prelude_len, text, &source),
        other => other.render("<input>"),
    }
}

fn render_diagnostics(
    mut diagnostics: Vec<kql_parser::Diagnostic>,
    prelude_len: usize,
    text: &str,
    full: &str,
) -> String {
    let offset = u32::try_from(prelude_len).unwrap_or(u32::MAX);
    let in_text = diagnostics
        .iter()
        .all(|d| d.span.start >= offset && d.labels.iter().all(|l| l.span.start >= offset));
    if !in_text {
        return kql_parser::diagnostic::render_all(&diagnostics, full, "<session>");
    }
    for d in &mut diagnostics {
        d.span.start -= offset;
        d.span.end = d.span.end.saturating_sub(offset);
        for l in &mut d.labels {
            l.span.start -= offset;
            l.span.end = l.span.end.saturating_sub(offset);
        }
    }
    kql_parser::diagnostic::render_all(&diagnostics, text, "<input>")
}

fn print_out(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}

fn print_err(s: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(s.as_bytes());
    let _ = err.flush();
}
