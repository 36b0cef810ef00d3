//! Measures loading a JSON-lines table eagerly (`MemTable`) or streamed (`TextTable`).
//!
//! ```sh
//! cargo build --release -p kql-engine --example load_json
//! target/release/examples/load_json gen /tmp/perf.jsonl 1000000
//! /usr/bin/time -v target/release/examples/load_json eager /tmp/perf.jsonl
//! /usr/bin/time -v target/release/examples/load_json streaming /tmp/perf.jsonl
//! ```
//!
//! `eager`/`streaming` open the table (pass 1: type inference over every line; eager also
//! builds all rows into memory) and then scan every column of every row with DataFusion
//! (`SELECT *`, batches counted and dropped). It prints the time of each phase, rows/s and MB/s
//! over the whole (open + scan), and the peak RSS (`VmHWM`).

use futures::StreamExt;
use kql_engine::datafusion::prelude::SessionContext;
use kql_engine::sources::{LoadMode, SourceOptions, open_table_with_report};
use std::error::Error;
use std::io::Write;
use std::time::Instant;

type Res<T> = Result<T, Box<dyn Error>>;

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    match (arg(1), arg(2), arg(3)) {
        (Some("gen"), Some(path), Some(rows)) => generate(path, rows.parse()?),
        (Some("eager"), Some(path), None) => measure(path, LoadMode::Eager),
        (Some("streaming"), Some(path), None) => measure(path, LoadMode::Streaming),
        _ => Err("usage: load_json gen PATH ROWS | load_json (eager|streaming) PATH".into()),
    }
}

/// Writes `rows` Perf-like JSON lines (deterministic).
fn generate(path: &str, rows: u64) -> Res<()> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    let counters = [
        ("Processor", "% Processor Time", "_Total"),
        ("Memory", "Available MBytes", ""),
        ("LogicalDisk", "% Free Space", "C:"),
        ("Network Adapter", "Bytes Received/sec", "eth0"),
    ];
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let start = 1_704_067_200u64; // 2024-01-01T00:00:00Z
    for i in 0..rows {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let (object, counter, instance) = counters[(x % 4) as usize];
        let secs = start + i * 3;
        let (d, rem) = (secs / 86_400 - 19_723, secs % 86_400);
        writeln!(
            w,
            r#"{{"TimeGenerated":"2024-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z","Computer":"vm-{:03}.contoso.com","ObjectName":"{object}","CounterName":"{counter}","InstanceName":"{instance}","CounterValue":{}.{:02},"SourceSystem":"OMS","_ResourceId":"/subscriptions/0000/resourcegroups/rg{}/providers/microsoft.compute/virtualmachines/vm-{:03}","Tags":{{"env":"{}","tier":{}}}}}"#,
            1 + d / 31,
            1 + d % 31,
            rem / 3600,
            (rem / 60) % 60,
            rem % 60,
            x % 1000,
            (x >> 8) % 200,
            (x >> 16) % 100,
            (x >> 24) % 100,
            (x >> 8) % 10,
            (x >> 8) % 200,
            if x.is_multiple_of(3) { "prod" } else { "dev" },
            (x >> 32) % 4
        )?;
    }
    w.flush()?;
    Ok(())
}

fn measure(path: &str, mode: LoadMode) -> Res<()> {
    let bytes = std::fs::metadata(path)?.len();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let t0 = Instant::now();
    let options = SourceOptions {
        mode,
        ..SourceOptions::default()
    };
    let opened = open_table_with_report(path, &options)?;
    let open_secs = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let rows = runtime.block_on(async {
        let ctx = SessionContext::new();
        let mut stream = ctx
            .read_table(opened.provider.clone())?
            .execute_stream()
            .await?;
        let mut rows = 0usize;
        while let Some(batch) = stream.next().await {
            rows += batch?.num_rows();
        }
        Ok::<usize, Box<dyn Error>>(rows)
    })?;
    let scan_secs = t1.elapsed().as_secs_f64();
    let total = open_secs + scan_secs;
    let mb = bytes as f64 / 1e6;
    println!(
        "{mode:?}: {rows} rows, {mb:.1} MB; open {open_secs:.2} s, scan {scan_secs:.2} s, total {total:.2} s; \
         {:.0} rows/s, {:.1} MB/s; streaming={}; peak RSS {}",
        rows as f64 / total,
        mb / total,
        opened.report.streaming,
        peak_rss().unwrap_or_else(|| "?".into())
    );
    Ok(())
}

/// `VmHWM` (peak resident set size) from /proc/self/status.
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.trim_start_matches("VmHWM:").trim().to_string())
}
