//! `evaluate basket()`, `autocluster()` and `diffpatterns()` over 1,000,000 rows × 8
//! categorical string columns (release build, outside CI):
//! `cargo bench -p kql-functions --bench plugins_patterns`. Target (issue #7): basket and
//! autocluster ≤ 3 s per run.
//!
//! The data: 8 columns with skewed (Zipf-like, exponent 1.1) value distributions of growing
//! cardinality (4 .. 5,000 values), so a few values per column are frequent; three planted
//! patterns overwrite some columns of 25 %, 10 % and 6 % of the rows, and a split column
//! (`Outcome`) is "fail" for most rows of the second pattern and 8 % of the others. Each
//! iteration plans the plugin and runs it over the input batches (dictionary encoding,
//! mining / local search and building the output), as `PluginExec` does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use datafusion::arrow::array::{ArrayRef, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::ScalarValue;
use kql_functions::plugins::{PluginArg, PluginArgs, lookup};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

const ROWS: usize = 1_000_000;
const BATCH: usize = 8_192;
const CARDINALITY: [usize; 8] = [4, 8, 16, 40, 100, 400, 1_000, 5_000];
const NAMES: [&str; 8] = [
    "Region",
    "Level",
    "Service",
    "Status",
    "Tenant",
    "Host",
    "Operation",
    "User",
];

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

/// Cumulative Zipf weights over `n` values.
fn zipf_cdf(n: usize) -> Vec<f64> {
    let w: Vec<f64> = (1..=n).map(|k| 1.0 / (k as f64).powf(1.1)).collect();
    let total: f64 = w.iter().sum();
    let mut acc = 0.0;
    w.iter()
        .map(|x| {
            acc += x / total;
            acc
        })
        .collect()
}

/// Value indexes per column (plus the split column), with the planted patterns.
fn generate() -> (Vec<Vec<u32>>, Vec<bool>) {
    let mut next = rng(20261205);
    let cdfs: Vec<Vec<f64>> = CARDINALITY.iter().map(|&n| zipf_cdf(n)).collect();
    let mut cols: Vec<Vec<u32>> = (0..8).map(|_| Vec::with_capacity(ROWS)).collect();
    let mut fail = Vec::with_capacity(ROWS);
    for _ in 0..ROWS {
        for (c, cdf) in cdfs.iter().enumerate() {
            let u = next();
            let v = cdf.partition_point(|p| *p < u).min(cdf.len() - 1);
            cols[c].push(v as u32);
        }
        let r = next();
        let row = cols[0].len() - 1;
        // Planted patterns: (values are indexes into each column's value list)
        let planted = if r < 0.25 {
            for (c, v) in [(0, 1), (1, 2), (2, 5), (3, 3)] {
                cols[c][row] = v;
            }
            0
        } else if r < 0.35 {
            for (c, v) in [(0, 3), (2, 9), (4, 17), (5, 42), (6, 7)] {
                cols[c][row] = v;
            }
            1
        } else if r < 0.41 {
            for (c, v) in [(1, 6), (3, 30), (7, 1234)] {
                cols[c][row] = v;
            }
            2
        } else {
            3
        };
        let p_fail = if planted == 1 { 0.85 } else { 0.08 };
        fail.push(next() < p_fail);
    }
    (cols, fail)
}

fn batches() -> Vec<RecordBatch> {
    let (cols, fail) = generate();
    let mut fields: Vec<Field> = NAMES
        .iter()
        .map(|n| Field::new(*n, DataType::Utf8, true))
        .collect();
    fields.push(Field::new("Outcome", DataType::Utf8, true));
    let schema = Arc::new(Schema::new(fields));
    let values: Vec<Vec<String>> = (0..8)
        .map(|c| {
            (0..CARDINALITY[c])
                .map(|v| format!("{}-{v}", NAMES[c].to_lowercase()))
                .collect()
        })
        .collect();
    let mut out = Vec::new();
    let mut start = 0;
    while start < ROWS {
        let end = (start + BATCH).min(ROWS);
        let mut arrays: Vec<ArrayRef> = (0..8)
            .map(|c| {
                Arc::new(StringArray::from_iter_values(
                    cols[c][start..end]
                        .iter()
                        .map(|v| values[c][*v as usize].as_str()),
                )) as ArrayRef
            })
            .collect();
        arrays.push(Arc::new(StringArray::from_iter_values(
            fail[start..end]
                .iter()
                .map(|f| if *f { "fail" } else { "ok" }),
        )));
        out.push(RecordBatch::try_new(schema.clone(), arrays).unwrap());
        start = end;
    }
    out
}

fn run(name: &str, input: &[RecordBatch], args: Vec<PluginArg>) -> RecordBatch {
    let def = lookup(name).unwrap();
    let args = PluginArgs {
        positional: args,
        ..Default::default()
    };
    let plugin = (def.plan)(&args, &[input[0].schema()]).unwrap();
    plugin.run(&[input.to_vec()]).unwrap()
}

fn project8(input: &[RecordBatch]) -> Vec<RecordBatch> {
    input
        .iter()
        .map(|b| b.project(&[0, 1, 2, 3, 4, 5, 6, 7]).unwrap())
        .collect()
}

fn bench(c: &mut Criterion) {
    let all = batches();
    let eight = project8(&all);
    let mut g = c.benchmark_group("plugins_patterns_1M_x8");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(30))
        .throughput(Throughput::Elements(ROWS as u64));
    g.bench_function("basket_default", |b| {
        b.iter(|| black_box(run("basket", &eight, vec![])))
    });
    g.bench_function("autocluster_default", |b| {
        b.iter(|| black_box(run("autocluster", &eight, vec![])))
    });
    let split = PluginArg::Column {
        name: "Outcome".to_string(),
        index: 8,
    };
    let text = |s: &str| PluginArg::Value(ScalarValue::Utf8(Some(s.to_string())));
    g.bench_function("diffpatterns_default", |b| {
        b.iter(|| {
            black_box(run(
                "diffpatterns",
                &all,
                vec![split.clone(), text("fail"), text("ok")],
            ))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
