//! The parse + bind + plan + run harness with its differential check.

use super::generator::{Generated, generate};
use super::table::{t_datatable, u_datatable};
use arbitrary::Unstructured;
use kql_engine::display::format_value;
use kql_engine::{KqlContext, QueryResult};
use kql_parser::diagnostic::Severity;
use std::sync::OnceLock;
use std::time::Duration;

/// Memory the optimized run may use in tracked operators.
const MEMORY_LIMIT: usize = 256 * 1024 * 1024;
/// Per-query time limit (a query over 62 rows that takes longer is not worth waiting for; a
/// true hang is caught by libFuzzer's own `-timeout`).
const QUERY_TIMEOUT: Duration = Duration::from_secs(8);
/// A fixed `now()` for both contexts.
const NOW: i64 = 1_710_000_000_000_000_000;

struct Harness {
    rt: tokio::runtime::Runtime,
    limited: KqlContext,
    plain: KqlContext,
}

fn build() -> Result<Harness, String> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let limited = KqlContext::with_memory_limit(MEMORY_LIMIT).map_err(|e| e.to_string())?;
    let plain = KqlContext::without_logical_optimizer();
    for ctx in [&limited, &plain] {
        ctx.set_now(NOW);
        for (name, text) in [("T", t_datatable()), ("U", u_datatable())] {
            let r = rt
                .block_on(ctx.run(&text))
                .map_err(|e| format!("building {name}: {e}"))?;
            let first = r.into_iter().next().ok_or("no result")?;
            ctx.register_batches(name, first.schema, first.batches)
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(Harness { rt, limited, plain })
}

fn harness() -> Result<&'static Harness, String> {
    static H: OnceLock<Result<Harness, String>> = OnceLock::new();
    H.get_or_init(build).as_ref().map_err(Clone::clone)
}

/// Failures of the plain plan only (the one without DataFusion's optional rewrites, which no
/// user query runs) that are DataFusion's, not ours: the optimized plan of the same query runs.
/// A plain-plan error containing the text counts as [`PlanOutcome::Known`], so fuzzing goes on
/// looking for new problems; the same text from the optimized plan is still reported.
const KNOWN_PLAIN_ONLY: &[&str] = &[
    // `T | count | summarize c9 = dcountif(Count, false), c10 = min(Count) | extend c9 = 1`:
    // DataFusion's physical rule `aggregate_statistics` fails with "PhysicalExpr Column
    // references column '__kql_agg_1' at index 1 (zero-based) but input schema only has 1
    // columns" (regressions/plan/known-aggregate-statistics.kql)
    "aggregate_statistics",
    // `T | extend c2 = (I == 61) | count`: KQL's `==` is `coalesce(I = 61, false)`, which
    // DataFusion's logical plan calls non-nullable and its physical plan nullable, so the
    // physical planner rejects the aggregate's input ("field nullability at index 10 [c2]").
    // The expression simplifier, which every user query gets, rewrites the coalesce first.
    // (regressions/plan/known-coalesce-nullability.kql)
    "Physical input schema should be the same as the one converted from logical input schema",
    // Three `summarize`s grouping by `bin()` of a constant: in the plan that skipped the
    // logical optimizer, DataFusion's physical optimizer leaves an aggregate whose constant
    // key (`0 as c10`) its own sanity check rejects ("does not satisfy distribution
    // requirements"). The optimized plan folds the constant keys and runs.
    // (regressions/plan/known-constant-key-distribution.kql)
    "does not satisfy distribution requirements",
];

fn known_plain_only(e: &str) -> bool {
    KNOWN_PLAIN_ONLY.iter().any(|k| e.contains(k))
}

/// What one case did (for statistics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanOutcome {
    /// Both runs succeeded and agreed.
    Ran,
    /// Both runs failed (or `check` rejected the query).
    Failed,
    /// A run timed out or hit the memory limit: not compared.
    Skipped,
    /// A known, reported problem ([`KNOWN_PLAIN_ONLY`]).
    Known,
}

/// Generates a query from `data` and runs [`run_plan_query`] on it.
pub fn run_plan_case(data: &[u8]) -> Result<PlanOutcome, String> {
    let mut u = Unstructured::new(data);
    let g = generate(&mut u);
    run_plan_query(&g).map_err(|e| format!("{}\n{e}", g.script))
}

/// Cells rendered as text; numbers with a fraction rounded to 9 significant digits, since
/// a sum of reals may be added up in another order by another plan.
fn rows(results: &[QueryResult], ordered: bool) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    for r in results {
        let mut out = Vec::new();
        for b in &r.batches {
            for i in 0..b.num_rows() {
                let cells: Vec<String> = b
                    .columns()
                    .iter()
                    .zip(r.schema.fields())
                    .map(|(c, f)| normalize(&format_value(c, i, f)))
                    .collect();
                out.push(cells.join("|"));
            }
        }
        if !ordered {
            out.sort();
        }
        all.push(out);
    }
    all
}

fn normalize(cell: &str) -> String {
    if (cell.contains('.') || cell.contains('e'))
        && let Ok(x) = cell.parse::<f64>()
        && x.is_finite()
    {
        return format!("{x:.8e}");
    }
    cell.to_string()
}

fn columns(results: &[QueryResult]) -> Vec<Vec<String>> {
    results
        .iter()
        .map(|r| r.schema.fields().iter().map(|f| f.name().clone()).collect())
        .collect()
}

/// An error raised by a value while computing (`x / 0` on integers, an overflow): which rows
/// an expression sees depends on the plan (the optimizer drops unused columns, and moves
/// filters below operators that would have removed the rows first), so such an error in one
/// plan only is not a disagreement.
fn value_error(e: &str) -> bool {
    // a cast of a value that does not convert: `I == S` (an int and a string) casts the
    // string per row, so it fails only on the rows a plan computes it for
    e.contains("Divide by zero")
        || e.contains("overflow")
        || e.contains("Overflow")
        || e.contains("Cast error: Cannot cast string")
}

fn resource_error(e: &str) -> bool {
    let e = e.to_ascii_lowercase();
    e.contains("memory") || e.contains("resources exhausted") || e.contains("spill")
}

/// Checks and runs `g` in both contexts; `Err` describes a disagreement or an internal error
/// that should have been a clear KQL error (a caught panic).
pub fn run_plan_query(g: &Generated) -> Result<PlanOutcome, String> {
    let h = harness()?;
    let q = g.script.as_str();
    let diags = h.limited.check(q);
    let check_failed = diags.iter().any(|d| d.severity == Severity::Error);
    let run = |ctx: &KqlContext| {
        h.rt.block_on(async { tokio::time::timeout(QUERY_TIMEOUT, ctx.run(q)).await })
    };
    let (a, b) = (run(&h.limited), run(&h.plain));
    let (Ok(a), Ok(b)) = (a, b) else {
        return Ok(PlanOutcome::Skipped);
    };
    for r in [&a, &b] {
        if let Err(e) = r {
            let text = e.to_string();
            if text.contains("panicked") || text.contains("panic") {
                return Err(format!("a panic became an error: {text}"));
            }
        }
    }
    match (a, b) {
        (Ok(a), Ok(b)) => {
            if check_failed {
                let d: Vec<String> = diags.iter().map(|d| d.message.clone()).collect();
                return Err(format!("check reported errors but the query ran: {d:?}"));
            }
            let (mut ca, mut cb) = (columns(&a), columns(&b));
            if !g.rows_determined {
                // pivot and bag_unpack add columns in the order they meet the values
                ca.iter_mut().for_each(|c| c.sort());
                cb.iter_mut().for_each(|c| c.sort());
            }
            if ca != cb {
                return Err(format!("columns differ: {ca:?} / {cb:?}"));
            }
            let (ra, rb) = (rows(&a, g.ordered), rows(&b, g.ordered));
            if g.rows_determined {
                if ra != rb {
                    return Err(format!(
                        "rows differ (ordered: {})\n  optimized: {:?}\n  plain:     {:?}",
                        g.ordered,
                        ra.iter()
                            .map(|r| r.iter().take(8).collect::<Vec<_>>())
                            .collect::<Vec<_>>(),
                        rb.iter()
                            .map(|r| r.iter().take(8).collect::<Vec<_>>())
                            .collect::<Vec<_>>()
                    ));
                }
            } else if g.count_determined {
                let na: Vec<usize> = ra.iter().map(Vec::len).collect();
                let nb: Vec<usize> = rb.iter().map(Vec::len).collect();
                if na != nb {
                    return Err(format!("row counts differ: {na:?} / {nb:?}"));
                }
            }
            Ok(PlanOutcome::Ran)
        }
        (Err(e), Err(_)) => {
            if std::env::var_os("KQL_FUZZ_VERBOSE").is_some() {
                eprintln!("both fail: {q}\n  {e}\n");
            }
            Ok(PlanOutcome::Failed)
        }
        (Ok(_), Err(e)) if known_plain_only(&e.to_string()) => Ok(PlanOutcome::Known),
        (Ok(_), Err(e)) => {
            let text = e.to_string();
            // the plain plan computes columns the optimized one drops as unused: an error in
            // one of those (an invalid regex from the data) is not a disagreement
            if resource_error(&text)
                || value_error(&text)
                || text.starts_with("Execution error")
                || text.starts_with("Arrow error: Compute error")
            {
                return Ok(PlanOutcome::Skipped);
            }
            Err(format!("only the plain plan fails: {text}"))
        }
        (Err(e), Ok(_)) => {
            let text = e.to_string();
            if resource_error(&text) || value_error(&text) {
                return Ok(PlanOutcome::Skipped);
            }
            Err(format!("only the optimized plan fails: {text}"))
        }
    }
}

/// The optimized plan of `script` (on the memory-limited context) and the plain one, for
/// investigating a finding.
pub fn explain_plan_query(script: &str) -> Result<String, String> {
    let h = harness()?;
    let mut out = String::new();
    for (label, ctx) in [("optimized", &h.limited), ("plain", &h.plain)] {
        let text =
            h.rt.block_on(ctx.explain(script))
                .unwrap_or_else(|e| format!("error: {e}"));
        out.push_str(&format!("== {label}\n{text}\n"));
    }
    Ok(out)
}
