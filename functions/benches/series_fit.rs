//! `series_fit_line` and `series_stats` over 10,000 series × 720 points (a month of hourly
//! bins per series; release build, outside CI):
//! `cargo bench -p kql-functions --bench series_fit`.
//!
//! - `kernel`: the pure kernels (`ml::fit::fit_line`, `ml::stats::series_stats`) over slices;
//! - `udf`: the lowered calls evaluated by DataFusion over `List<Float64>` columns (what
//!   make-series produces), including the struct results (`line_fit` copied into its list).
//!
//! Throughput is reported in points (7.2 M per iteration).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use datafusion::arrow::array::{ArrayRef, Float64Builder, ListBuilder};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionContext, col};
use kql_functions::KqlType;
use kql_functions::lower::{Arg, CallContext, scalar_call};
use kql_functions::ml::fit::fit_line;
use kql_functions::ml::stats::series_stats;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

const SERIES: usize = 10_000;
const POINTS: usize = 720;
const BATCH: usize = 1_000;

/// A deterministic pseudo-random sequence (xorshift64*) in [0, 1).
fn rng(seed: u64) -> impl FnMut() -> f64 {
    let mut s = seed;
    move || {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        (s.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Series with a trend, a daily cycle and noise.
fn series() -> Vec<Vec<f64>> {
    let mut next = rng(7);
    (0..SERIES)
        .map(|k| {
            let slope = (k % 17) as f64 * 0.01 - 0.08;
            (0..POINTS)
                .map(|i| {
                    let t = i as f64;
                    100.0
                        + slope * t
                        + 10.0 * (t * std::f64::consts::PI / 12.0).sin()
                        + 5.0 * next()
                })
                .collect()
        })
        .collect()
}

fn table(data: &[Vec<f64>]) -> SessionContext {
    let item = Arc::new(Field::new("item", DataType::Float64, true));
    let schema = Arc::new(Schema::new(vec![Field::new(
        "s",
        DataType::List(item),
        true,
    )]));
    let partitions = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut parts: Vec<Vec<RecordBatch>> = vec![Vec::new(); partitions];
    for (k, chunk) in data.chunks(BATCH).enumerate() {
        let mut b = ListBuilder::new(Float64Builder::new());
        for s in chunk {
            b.values().append_slice(s);
            b.append(true);
        }
        let col: ArrayRef = Arc::new(b.finish());
        parts[k % partitions].push(RecordBatch::try_new(schema.clone(), vec![col]).unwrap());
    }
    let ctx = SessionContext::new();
    ctx.register_table("t", Arc::new(MemTable::try_new(schema, parts).unwrap()))
        .unwrap();
    ctx
}

fn bench(c: &mut Criterion) {
    let data = series();
    let points = (SERIES * POINTS) as u64;

    let mut g = c.benchmark_group("kernel");
    g.throughput(Throughput::Elements(points));
    g.sample_size(20);
    g.measurement_time(Duration::from_secs(5));
    g.bench_function("fit_line", |b| {
        let mut line = Vec::with_capacity(POINTS);
        b.iter(|| {
            let mut acc = 0.0;
            for s in &data {
                acc += fit_line(s, &mut line).map_or(0.0, |f| f.slope);
            }
            black_box(acc)
        })
    });
    g.bench_function("stats", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for s in &data {
                acc += series_stats(s, false)
                    .and_then(|s| s.summary)
                    .map_or(0.0, |m| m.variance);
            }
            black_box(acc)
        })
    });
    g.finish();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let ctx = table(&data);
    let cx = CallContext { now_nanos: 0 };
    let mut g = c.benchmark_group("udf");
    g.throughput(Throughput::Elements(points));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(8));
    for name in ["series_fit_line", "series_stats"] {
        let e = scalar_call(name, &[Arg::expr(col("s"), KqlType::Dynamic)], &cx)
            .unwrap()
            .unwrap()
            .expr;
        g.bench_function(name, |b| {
            b.iter(|| {
                rt.block_on(async {
                    let df = ctx.table("t").await.unwrap();
                    let out = df.select(vec![e.clone().alias("r")]).unwrap();
                    let batches = out.collect().await.unwrap();
                    black_box(batches.iter().map(|b| b.num_rows()).sum::<usize>())
                })
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
