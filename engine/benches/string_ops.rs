//! The hot string operators over 10 M log-like strings, KQL against DataFusion's nearest
//! built-in expression (issue #4's benchmark; DataFrame API, as our DataFusion build has no SQL
//! front end). Each pair counts matching rows of the same in-memory table:
//!
//! - `has "timeout"` (term match, case-insensitive) vs `ILIKE '%timeout%'` (substring; the
//!   closest built-in — a term match must do at least this much work);
//! - `contains "Timeout"` (case-insensitive substring) vs `ILIKE '%Timeout%'`;
//! - `contains_cs "timeout"` vs `LIKE '%timeout%'`;
//! - `=~ "GET timeout ok DB"` (case-insensitive equality) vs `lower(s) = '...'`;
//! - `startswith "get"` (case-insensitive) vs `ILIKE 'get%'`.
//!
//! Run: `cargo bench -p kql-engine --bench string_ops` (a release build). `KQL_BENCH_ROWS`
//! overrides the row count (default 10,000,000).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, criterion_group, criterion_main};
use datafusion::arrow::array::{ArrayRef, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use kql_engine::KqlContext;
use std::sync::Arc;

const WORDS: &[&str] = &[
    "GET",
    "POST",
    "request",
    "completed",
    "failed",
    "timeout",
    "Timeout",
    "connection",
    "reset",
    "by",
    "peer",
    "worker-17",
    "retry",
    "in",
    "5s",
    "user",
    "login",
    "ok",
    "error",
    "db",
    "query",
    "slow",
    "cache",
    "miss",
    "hit",
    "/api/v1/items",
    "status=500",
    "status=200",
];

/// Deterministic log-like messages: 4 to 11 words drawn with a 64-bit LCG.
fn messages(rows: usize) -> Vec<RecordBatch> {
    let schema = Arc::new(Schema::new(vec![Field::new("s", DataType::Utf8, true)]));
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    let mut batches = Vec::new();
    let mut left = rows;
    while left > 0 {
        let n = left.min(65_536);
        left -= n;
        let values: Vec<String> = (0..n)
            .map(|_| {
                let words = 4 + next() % 8;
                (0..words)
                    .map(|_| WORDS[next() % WORDS.len()])
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let array: ArrayRef = Arc::new(StringArray::from(values));
        if let Ok(b) = RecordBatch::try_new(schema.clone(), vec![array]) {
            batches.push(b);
        }
    }
    batches
}

fn bench(c: &mut Criterion) {
    let rows: usize = std::env::var("KQL_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let ctx = KqlContext::new();
    let batches = messages(rows);
    ctx.register_batches("T", batches[0].schema(), batches.clone())
        .expect("register");
    let sql = datafusion::prelude::SessionContext::new();
    let table = datafusion::datasource::MemTable::try_new(batches[0].schema(), vec![batches])
        .expect("memtable");
    sql.register_table("t", Arc::new(table))
        .expect("register sql");

    use datafusion::functions::expr_fn::lower;
    use datafusion::functions_aggregate::expr_fn::count;
    use datafusion::prelude::{col, lit};
    let s = || col("s");
    let pairs: Vec<(&str, &str, datafusion::prelude::Expr)> = vec![
        (
            "has",
            r#"T | where s has "timeout" | count"#,
            s().ilike(lit("%timeout%")),
        ),
        (
            "contains",
            r#"T | where s contains "Timeout" | count"#,
            s().ilike(lit("%Timeout%")),
        ),
        (
            "contains_cs",
            r#"T | where s contains_cs "timeout" | count"#,
            s().like(lit("%timeout%")),
        ),
        (
            "eq_ci",
            r#"T | where s =~ "GET timeout ok DB" | count"#,
            lower(s()).eq(lit("get timeout ok db")),
        ),
        (
            "startswith",
            r#"T | where s startswith "get" | count"#,
            s().ilike(lit("get%")),
        ),
    ];
    let mut group = c.benchmark_group("string_ops");
    group.sample_size(10);
    for (name, kql, filter) in pairs {
        group.bench_function(format!("{name}/kql"), |b| {
            b.iter(|| rt.block_on(ctx.run(kql)).expect("kql query"))
        });
        group.bench_function(format!("{name}/datafusion"), |b| {
            b.iter(|| {
                rt.block_on(async {
                    sql.table("t")
                        .await?
                        .filter(filter.clone())?
                        .aggregate(vec![], vec![count(lit(1))])?
                        .collect()
                        .await
                })
                .expect("datafusion query")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
