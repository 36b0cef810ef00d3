//! `reduce by` over 1,000,000 synthetic log lines (release build, outside CI):
//! `cargo bench -p kql-functions --bench reduce`. Target: ≤ 5 s per run.
//!
//! The lines come from 50 templates of 4–13 words drawn from a small vocabulary; about a
//! quarter of the slots are variables filled per line with a number, an IPv4 address, a user
//! name with digits, a hex id or a path. The input arrives as 8,192-row batches, as DataFusion
//! delivers it, and the measured step is the whole operator (`reduce_plugin(..).run`), default
//! parameters, plus one run with `kind=source`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use datafusion::arrow::array::StringArray;
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use kql_functions::plugins::reduce::{DEFAULT_THRESHOLD, reduce_plugin};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

const LINES: usize = 1_000_000;
const TEMPLATES: usize = 50;
const BATCH: usize = 8_192;

const VOCAB: [&str; 24] = [
    "connection",
    "closed",
    "opened",
    "by",
    "user",
    "session",
    "for",
    "from",
    "block",
    "received",
    "failed",
    "to",
    "write",
    "cache",
    "miss",
    "request",
    "served",
    "in",
    "ms",
    "retry",
    "worker",
    "started",
    "stopped",
    "disk",
];

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

fn lines() -> Vec<String> {
    let mut next = rng(7);
    // a template is a list of words; None = a variable slot
    let templates: Vec<Vec<Option<&str>>> = (0..TEMPLATES)
        .map(|_| {
            let len = 4 + (next() % 10) as usize;
            (0..len)
                .map(|i| {
                    if i > 1 && next().is_multiple_of(4) {
                        None
                    } else {
                        Some(VOCAB[(next() % VOCAB.len() as u64) as usize])
                    }
                })
                .collect()
        })
        .collect();
    (0..LINES)
        .map(|_| {
            let t = &templates[(next() % TEMPLATES as u64) as usize];
            let words: Vec<String> = t
                .iter()
                .map(|w| match w {
                    Some(w) => (*w).to_string(),
                    None => match next() % 5 {
                        0 => (next() % 1_000_000).to_string(),
                        1 => format!(
                            "{}.{}.{}.{}",
                            next() % 256,
                            next() % 256,
                            next() % 256,
                            next() % 256
                        ),
                        2 => format!("u{}", next() % 5_000),
                        3 => format!("0x{:08x}", next() % (1 << 32)),
                        _ => format!("/var/data/{}/part-{}", next() % 100, next() % 1_000),
                    },
                })
                .collect();
            words.join(" ")
        })
        .collect()
}

fn batches() -> (Arc<Schema>, Vec<RecordBatch>) {
    let schema = Arc::new(Schema::new(vec![Field::new("Text", DataType::Utf8, true)]));
    let all = lines();
    let out = all
        .chunks(BATCH)
        .map(|c| {
            let arr: StringArray = c.iter().map(|s| Some(s.as_str())).collect();
            RecordBatch::try_new(Arc::clone(&schema), vec![Arc::new(arr)]).unwrap()
        })
        .collect();
    (schema, out)
}

fn bench(c: &mut Criterion) {
    let (schema, input) = batches();
    let inputs = vec![input];
    let plain = reduce_plugin(0, DEFAULT_THRESHOLD, None, false, &schema).unwrap();
    let source = reduce_plugin(0, DEFAULT_THRESHOLD, None, true, &schema).unwrap();
    let groups = plain.run(&inputs).unwrap().num_rows();
    println!("reduce: {LINES} lines from {TEMPLATES} templates -> {groups} patterns");

    let mut g = c.benchmark_group("reduce");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(30));
    g.throughput(Throughput::Elements(LINES as u64));
    g.bench_function("summary_1M", |b| {
        b.iter(|| black_box(plain.run(black_box(&inputs)).unwrap()))
    });
    g.bench_function("kind_source_1M", |b| {
        b.iter(|| black_box(source.run(black_box(&inputs)).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
