//! Times the two passes of kql's JSON-lines reader on one file (for profiling):
//! `jsonprof FILE [QUERY]` prints the open (type inference) and query (read) times.

use kql_engine::KqlContext;
use std::time::Instant;

type BoxErr = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxErr> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: jsonprof FILE [QUERY]")?;
    let query = args.next().unwrap_or_else(|| {
        "PerfJson | where SeverityLevel >= 3 | summarize count() by CounterName".into()
    });
    let ctx = KqlContext::new();
    let t = Instant::now();
    ctx.register_path("PerfJson", &path)?;
    let open = t.elapsed();
    let t = Instant::now();
    let res = ctx.run(&query).await?;
    let run = t.elapsed();
    let rows: usize = res
        .last()
        .map_or(0, |r| r.batches.iter().map(|b| b.num_rows()).sum());
    println!(
        "open (inference) {:.0} ms, query {:.0} ms, {rows} rows",
        open.as_secs_f64() * 1e3,
        run.as_secs_f64() * 1e3
    );
    Ok(())
}
