//! Parse throughput of `kql_parser::parse_script`.
//!
//! * `corpus/all`: every query of `corpus/parse/docs` that is not listed in
//!   `corpus/parse/EXCLUDED.txt`, each parsed once per iteration (throughput = their total size).
//! * `large/*`: single synthetic queries of growing size (a `datatable` literal, a long
//!   `| where` pipeline, a long `and` chain). Flat MB/s across sizes means parsing is linear.
//!
//! Run with `cargo bench -p kql-parser --bench parse`; see BENCHMARKS.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;

fn corpus() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus/parse");
    let excluded: Vec<String> = std::fs::read_to_string(root.join("EXCLUDED.txt"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next().map(str::to_string))
        .collect();
    let mut paths: Vec<_> = std::fs::read_dir(root.join("docs"))
        .expect("read corpus/parse/docs")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "kql"))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            !excluded.iter().any(|e| e == name)
        })
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("read corpus file"))
        .collect()
}

/// `datatable(...)[...]` with rows of a long, a string, a real and a bool, about `size` bytes.
fn datatable(size: usize) -> String {
    let mut s = String::from("datatable(Id:long, Name:string, Score:real, Ok:bool)\n[\n");
    let mut i = 0u64;
    while s.len() < size {
        let _ = writeln!(
            s,
            "    {i}, \"name-{i}\", {}.5, {},",
            i % 977,
            i.is_multiple_of(2)
        );
        i += 1;
    }
    s.push_str("]\n| count");
    s
}

/// `T | where ... | where ...`, about `size` bytes.
fn where_chain(size: usize) -> String {
    let mut s = String::from("StormEvents");
    let mut i = 0u64;
    while s.len() < size {
        let _ = write!(
            s,
            "\n| where State == \"S{i}\" and DamageProperty > {i} or isnotempty(EventType)"
        );
        i += 1;
    }
    s
}

/// `T | where X == 0 or X == 1 or ... | where ...`: long binary chains, each at the parser's
/// chain limit (`MAX_CHAIN` operands), one `where` per chain.
fn or_chain(size: usize) -> String {
    let mut s = String::from("StormEvents");
    let mut i = 0u64;
    while s.len() < size {
        let _ = write!(s, "\n| where X == {i}");
        i += 1;
        for _ in 1..kql_parser::MAX_CHAIN - 1 {
            let _ = write!(s, " or X == {i}");
            i += 1;
        }
    }
    s
}

fn bench_corpus(c: &mut Criterion) {
    let queries = corpus();
    let total: usize = queries.iter().map(String::len).sum();
    let failing = queries
        .iter()
        .filter(|q| !kql_parser::parse_script(q).is_ok())
        .count();
    eprintln!(
        "corpus: {} queries, {total} bytes, {failing} with diagnostics",
        queries.len()
    );
    let mut g = c.benchmark_group("corpus");
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function("all", |b| {
        b.iter(|| {
            for q in &queries {
                black_box(kql_parser::parse_script(black_box(q)));
            }
        });
    });
    g.finish();
}

fn bench_large(c: &mut Criterion) {
    let mut g = c.benchmark_group("large");
    g.sample_size(10);
    type Gen = fn(usize) -> String;
    let gens: [(&str, Gen); 3] = [
        ("datatable", datatable),
        ("where_chain", where_chain),
        ("or_chain", or_chain),
    ];
    for (name, make) in gens {
        for size in [64 << 10, 256 << 10, 1 << 20] {
            let q = make(size);
            let out = kql_parser::parse_script(&q);
            if !out.is_ok() {
                eprintln!(
                    "large/{name}/{size}: {} diagnostics, first: {:?}",
                    out.diagnostics.len(),
                    out.diagnostics.first().map(|d| &d.message)
                );
            }
            drop(out);
            g.throughput(Throughput::Bytes(q.len() as u64));
            g.bench_with_input(BenchmarkId::new(name, q.len()), &q, |b, q| {
                b.iter(|| black_box(kql_parser::parse_script(black_box(q))));
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench_corpus, bench_large);
criterion_main!(benches);
