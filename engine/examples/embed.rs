//! A small program that embeds kql: it registers exported logs, finds the services whose error
//! counts broke from their baseline (make-series + series_decompose_anomalies), and then keeps
//! working on the answer with DataFusion's own API.
//!
//! ```sh
//! cargo run -p kql-engine --example embed                  # the bundled sample export
//! cargo run -p kql-engine --example embed -- path/to/AppLogs.jsonl
//! ```

use futures::StreamExt;
use kql_engine::KqlContext;
use kql_engine::datafusion::arrow::util::pretty::pretty_format_batches;
use kql_engine::datafusion::prelude::{ident, lit};
use std::error::Error;

const QUERY: &str = r#"
let bucket = 15m;
AppLogs
| make-series Errors = countif(Level == "Error") default = 0 on TimeGenerated step bucket by Service
| extend (Anomaly, Score, Baseline) = series_decompose_anomalies(Errors, 3.0, -1, 'linefit')
| mv-expand TimeGenerated to typeof(datetime), Errors to typeof(long),
            Anomaly to typeof(int), Score to typeof(real), Baseline to typeof(real)
| where Anomaly > 0
| project TimeGenerated, Service, Errors, Baseline = round(Baseline, 1), Score = round(Score, 1)
| sort by TimeGenerated asc
"#;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../corpus/samples/data/AppLogs.jsonl"
        )
        .to_string()
    });
    let ctx = KqlContext::new();
    ctx.register_path("AppLogs", &path)?;

    // 1. Diagnostics before running: name and type errors with line:column and a caret.
    let diagnostics = ctx.check(QUERY);
    if !diagnostics.is_empty() {
        eprint!(
            "{}",
            kql_parser::diagnostic::render_all(&diagnostics, QUERY, "<query>")
        );
        std::process::exit(1);
    }

    // 2. Run it as a stream of Arrow record batches.
    let mut results = ctx.run_streaming(QUERY).await?;
    let mut anomalies = Vec::new();
    while let Some(batch) = results[0].stream.next().await {
        anomalies.push(batch?);
    }
    println!(
        "anomalous 15-minute buckets:\n{}",
        pretty_format_batches(&anomalies)?
    );

    // 3. Hand the same query to DataFusion as a DataFrame and continue there.
    // (KQL names are case-sensitive: refer to columns with `ident`, which DataFusion does not
    // lower-case, rather than `col`)
    let df = ctx.dataframe(QUERY).await?;
    let worst = df
        .filter(ident("Score").gt(lit(5.0)))?
        .select(vec![
            ident("Service"),
            ident("TimeGenerated"),
            ident("Errors"),
        ])?
        .collect()
        .await?;
    println!("scores above 5:\n{}", pretty_format_batches(&worst)?);
    Ok(())
}
