//! make-series at scale (issue #5's benchmark): 10 M rows into 10,000 series × 720 hourly bins,
//! `count()` and `avg()`, against the same work written with DataFusion's DataFrame API: group
//! by key and hour, then collect each key's values in hour order with `array_agg` — without
//! filling the missing hours, which DataFusion has no built-in for (a lower bound; filling by
//! joining every key with every hour took over 3 minutes per run). Both read the same
//! in-memory table.
//!
//! Run: `cargo bench -p kql-engine --bench make_series` (a release build). `KQL_BENCH_ROWS`
//! overrides the row count (default 10,000,000).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, criterion_group, criterion_main};
use datafusion::arrow::array::{ArrayRef, Float64Array, StringArray, TimestampNanosecondArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::functions_aggregate::expr_fn::{array_agg, avg, count};
use datafusion::logical_expr::ExprFunctionExt;
use datafusion::prelude::{SessionContext, col, ident, lit};
use kql_engine::KqlContext;
use std::sync::Arc;

const KEYS: u64 = 10_000;
const HOURS: i64 = 720;
const HOUR: i64 = 3_600_000_000_000;
/// 2024-01-01T00:00:00Z in Unix nanoseconds.
const START: i64 = 1_704_067_200_000_000_000;

fn table(rows: usize) -> Vec<RecordBatch> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("Computer", DataType::Utf8, false),
        Field::new(
            "TimeGenerated",
            DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into())),
            false,
        ),
        Field::new("Value", DataType::Float64, false),
    ]));
    let mut state: u64 = 42;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 11
    };
    let mut batches = Vec::new();
    let mut left = rows;
    while left > 0 {
        let n = left.min(131_072);
        left -= n;
        let mut keys = Vec::with_capacity(n);
        let mut times = Vec::with_capacity(n);
        let mut values = Vec::with_capacity(n);
        for _ in 0..n {
            let r = next();
            keys.push(format!("host-{:05}", r % KEYS));
            times.push(START + (next() % (HOURS as u64 * HOUR as u64)) as i64);
            values.push((next() % 10_000) as f64 / 100.0);
        }
        let cols: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(keys)),
            Arc::new(TimestampNanosecondArray::from(times).with_timezone("UTC")),
            Arc::new(Float64Array::from(values)),
        ];
        batches.push(RecordBatch::try_new(schema.clone(), cols).unwrap());
    }
    batches
}

fn bench(c: &mut Criterion) {
    let rows: usize = std::env::var("KQL_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let batches = table(rows);
    let schema = batches[0].schema();
    let ctx = KqlContext::new();
    ctx.register_batches("Perf", schema.clone(), batches.clone())
        .unwrap();
    let df_ctx = SessionContext::new();
    let mem = datafusion::datasource::MemTable::try_new(schema, vec![batches]).unwrap();
    df_ctx.register_table("perf", Arc::new(mem)).unwrap();

    let kql = "Perf | make-series n=count(), a=avg(Value) on TimeGenerated \
               from datetime(2024-01-01) to datetime(2024-01-31) step 1h by Computer";
    // sanity: one row per key (every key appears at 10 M rows)
    let out = rt.block_on(ctx.run(kql)).unwrap();
    let series = out[0].num_rows();
    assert!(series > 0 && series <= KEYS as usize);
    if rows >= 1_000_000 {
        assert_eq!(series, KEYS as usize);
    }

    let mut g = c.benchmark_group("make_series");
    g.sample_size(10);
    g.bench_function("kql", |b| b.iter(|| rt.block_on(ctx.run(kql)).unwrap()));
    g.bench_function("datafusion_group_collect", |b| {
        b.iter(|| {
            rt.block_on(async {
                let hour_ns = lit(HOUR);
                let nanos =
                    datafusion::logical_expr::Expr::Cast(datafusion::logical_expr::Cast::new(
                        Box::new(ident("TimeGenerated")),
                        DataType::Int64,
                    ));
                let bin = ((nanos - lit(START)) / hour_ns).alias("bin");
                let per_bin = df_ctx
                    .table("perf")
                    .await?
                    .aggregate(
                        vec![ident("Computer").alias("c"), bin],
                        vec![count(lit(1)).alias("n"), avg(ident("Value")).alias("a")],
                    )?
                    .filter(col("bin").gt_eq(lit(0i64)).and(col("bin").lt(lit(HOURS))))?;
                // each key's (hour, value) pairs collected in hour order; DataFusion has no
                // built-in to fill the missing hours, so this is a lower bound of the work
                let collected = per_bin.aggregate(
                    vec![col("c")],
                    vec![
                        array_agg(col("bin"))
                            .order_by(vec![col("bin").sort(true, false)])
                            .build()?
                            .alias("bins"),
                        array_agg(col("n"))
                            .order_by(vec![col("bin").sort(true, false)])
                            .build()?
                            .alias("n"),
                        array_agg(col("a"))
                            .order_by(vec![col("bin").sort(true, false)])
                            .build()?
                            .alias("a"),
                    ],
                )?;
                collected.collect().await
            })
            .unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
