//! `series_decompose_anomalies` over 10,000 series × 720 points (a month of hourly bins per
//! series; release build, outside CI): `cargo bench -p kql-functions --bench anomaly`.
//!
//! - `kernel`: `ml::decompose::{decompose, anomalies}` over slices, default parameters
//!   (seasonality autodetected with the FFT period search, trend avg, ctukey);
//! - `udf`: the lowered `series_decompose_anomalies(s)` evaluated by DataFusion over a
//!   `List<Float64>` column (what make-series produces), including the struct results.
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
use kql_functions::ml::decompose::{
    DecomposeParams, DecomposeScratch, Decomposition, anomalies, decompose,
};
use kql_functions::ml::outliers::OutlierKind;
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

/// Series with a daily and a weekly cycle, a trend, noise and a few spikes.
fn series() -> Vec<Vec<f64>> {
    let mut next = rng(11);
    (0..SERIES)
        .map(|k| {
            let slope = (k % 13) as f64 * 0.01;
            (0..POINTS)
                .map(|i| {
                    let t = i as f64;
                    let weekend = if (i / 24) % 7 >= 5 { -20.0 } else { 0.0 };
                    let spike = if (i + k) % 97 == 0 { 40.0 } else { 0.0 };
                    100.0
                        + slope * t
                        + weekend
                        + 10.0 * (t * std::f64::consts::PI / 12.0).sin()
                        + 5.0 * next()
                        + spike
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
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("decompose_anomalies", |b| {
        let mut s = DecomposeScratch::default();
        let mut d = Decomposition::default();
        let (mut scores, mut flags) = (Vec::new(), Vec::new());
        let params = DecomposeParams::default();
        b.iter(|| {
            let mut acc = 0i64;
            for x in &data {
                if decompose(x, &params, &mut s, &mut d).is_some() {
                    anomalies(
                        &d.residual,
                        x.len(),
                        1.5,
                        OutlierKind::DEFAULT,
                        &mut s.outliers,
                        &mut scores,
                        &mut flags,
                    );
                    acc += flags.iter().map(|f| f.abs()).sum::<i64>();
                }
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
    g.measurement_time(Duration::from_secs(10));
    let e = scalar_call(
        "series_decompose_anomalies",
        &[Arg::expr(col("s"), KqlType::Dynamic)],
        &cx,
    )
    .unwrap()
    .unwrap()
    .expr;
    g.bench_function("series_decompose_anomalies", |b| {
        b.iter(|| {
            rt.block_on(async {
                let df = ctx.table("t").await.unwrap();
                let out = df.select(vec![e.clone().alias("r")]).unwrap();
                let batches = out.collect().await.unwrap();
                black_box(batches.iter().map(|b| b.num_rows()).sum::<usize>())
            })
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
