//! Sketch aggregates over 10 M values (release build, outside CI):
//! `cargo bench -p kql-functions --bench sketches`.
//!
//! - `dcount`: our HyperLogLog `dcount(x)` (accuracy 1) vs DataFusion's exact
//!   `count(DISTINCT x)`, over 10 M longs with 1 M distinct values;
//! - `percentile`: our t-digest `percentile(x, 50)` and `tdigest(x)` vs DataFusion's
//!   `approx_percentile_cont(0.5)`, over 10 M distinct-ish reals;
//! - `sketch_only`: the sketches without DataFusion (HLL insert of precomputed hashes,
//!   t-digest add).
//!
//! Throughput is reported per element (10 M elements per iteration).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use datafusion::arrow::array::{Float64Array, Int64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::functions_aggregate::expr_fn as agg;
use datafusion::logical_expr::Expr;
use datafusion::prelude::{SessionContext, col, lit};
use kql_functions::aggregate_sketch::{SketchKind, sketch_expr};
use kql_functions::sketch::DigestType;
use kql_functions::sketch::hll::Hll;
use kql_functions::sketch::tdigest::TDigest;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

const N: usize = 10_000_000;
const BATCH: usize = 8192;

/// A deterministic pseudo-random sequence (xorshift64*).
fn rng(seed: u64) -> impl FnMut() -> u64 {
    let mut s = seed;
    move || {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        s.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// x: long with 1 M distinct values; r: real in [0, 1000).
fn table() -> SessionContext {
    let schema = Arc::new(Schema::new(vec![
        Field::new("x", DataType::Int64, false),
        Field::new("r", DataType::Float64, false),
    ]));
    let mut next = rng(42);
    let partitions = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut parts: Vec<Vec<RecordBatch>> = vec![Vec::new(); partitions];
    let mut done = 0;
    let mut k = 0;
    while done < N {
        let n = BATCH.min(N - done);
        let x: Vec<i64> = (0..n).map(|_| (next() % 1_000_000) as i64).collect();
        let r: Vec<f64> = (0..n)
            .map(|_| (next() >> 11) as f64 / (1u64 << 53) as f64 * 1000.0)
            .collect();
        let b = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from(x)),
                Arc::new(Float64Array::from(r)),
            ],
        )
        .unwrap();
        parts[k % partitions].push(b);
        k += 1;
        done += n;
    }
    let ctx = SessionContext::new();
    ctx.register_table("t", Arc::new(MemTable::try_new(schema, parts).unwrap()))
        .unwrap();
    ctx
}

fn run(rt: &tokio::runtime::Runtime, ctx: &SessionContext, e: Expr) {
    rt.block_on(async {
        let df = ctx.table("t").await.unwrap();
        let out = df
            .aggregate(vec![], vec![e])
            .unwrap()
            .collect()
            .await
            .unwrap();
        black_box(out);
    });
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ctx = table();

    let mut g = c.benchmark_group("dcount_10M");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(N as u64));
    g.bench_function("kql_dcount_hll_acc1", |b| {
        b.iter(|| {
            run(
                &rt,
                &ctx,
                sketch_expr(SketchKind::DCount { accuracy: 1 }, vec![col("x")]),
            )
        })
    });
    g.bench_function("kql_dcount_hll_acc4", |b| {
        b.iter(|| {
            run(
                &rt,
                &ctx,
                sketch_expr(SketchKind::DCount { accuracy: 4 }, vec![col("x")]),
            )
        })
    });
    g.bench_function("datafusion_count_distinct_exact", |b| {
        b.iter(|| run(&rt, &ctx, agg::count_distinct(col("x"))))
    });
    g.finish();

    let mut g = c.benchmark_group("percentile_10M");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(N as u64));
    g.bench_function("kql_percentile_tdigest", |b| {
        b.iter(|| {
            run(
                &rt,
                &ctx,
                kql_functions::udf::percentile::percentile(col("r"), 50.0),
            )
        })
    });
    g.bench_function("kql_tdigest_sketch", |b| {
        b.iter(|| {
            run(
                &rt,
                &ctx,
                sketch_expr(
                    SketchKind::TDigest {
                        ty: DigestType::Real,
                        weighted: false,
                    },
                    vec![col("r")],
                ),
            )
        })
    });
    g.bench_function("datafusion_approx_percentile_cont", |b| {
        b.iter(|| {
            run(
                &rt,
                &ctx,
                agg::approx_percentile_cont(col("r").sort(true, false), lit(0.5), None),
            )
        })
    });
    g.finish();

    let mut g = c.benchmark_group("sketch_only_10M");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(N as u64));
    let mut next = rng(7);
    let hashes: Vec<u64> = (0..N).map(|_| next()).collect();
    let reals: Vec<f64> = hashes.iter().map(|h| (*h >> 11) as f64).collect();
    g.bench_function("hll_insert_acc1", |b| {
        b.iter(|| {
            let mut h = Hll::new(1);
            for x in &hashes {
                h.insert(*x);
            }
            black_box(h.count())
        })
    });
    g.bench_function("tdigest_add", |b| {
        b.iter(|| {
            let mut d = TDigest::<f64>::new();
            for x in &reals {
                d.add(*x, 1);
            }
            black_box(d.percentile(50.0))
        })
    });
    g.finish();
}

criterion_group!(sketches, benches);
criterion_main!(sketches);
