//! Deterministic generator of an Azure-Monitor-like `Perf` table.
//!
//!     gen [--rows N] [--json-rows M] [--out DIR]
//!
//! Writes `DIR/perf.parquet` (Snappy, ~1 M-row row groups) and `DIR/perf.jsonl` (the first
//! M rows, default N) with the same rows. Defaults: N = 10,000,000, DIR = `data`.
//! Columns: TimeGenerated (datetime, 30 days from 2024-01-01, nearly ordered, ms precision),
//! Computer (500 values), ObjectName (5), CounterName (10), CounterValue (real, 1,000 levels per counter),
//! SeverityLevel (int 0–4), Message (words; rare terms such as "timeout"), Properties (dynamic
//! JSON object: region, status, durationMs, retries, tags).

use datafusion::arrow::array::{
    ArrayRef, Float64Builder, Int32Builder, StringBuilder, TimestampNanosecondBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::properties::WriterProperties;
use kql_bench::*;
use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::sync::Arc;
use std::time::Instant;

const BATCH: usize = 65_536;

struct Row {
    time_ns: i64,
    computer: usize,
    counter: usize,
    value: f64,
    severity: i32,
    message: String,
    properties: String,
}

fn schema() -> SchemaRef {
    let dynamic = HashMap::from([("kql.type".to_string(), "dynamic".to_string())]);
    Arc::new(Schema::new(vec![
        Field::new(
            "TimeGenerated",
            DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into())),
            false,
        ),
        Field::new("Computer", DataType::Utf8, false),
        Field::new("ObjectName", DataType::Utf8, false),
        Field::new("CounterName", DataType::Utf8, false),
        Field::new("CounterValue", DataType::Float64, false),
        Field::new("SeverityLevel", DataType::Int32, false),
        Field::new("Message", DataType::Utf8, false),
        Field::new("Properties", DataType::Utf8, false).with_metadata(dynamic),
    ]))
}

/// A real as JSON with a decimal point, so every value reads back as `real`.
fn json_real(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.1}")
    } else {
        format!("{v}")
    }
}

fn gen_row(rng: &mut Rng, i: u64, n: u64) -> Row {
    let span_ms = (SPAN_NS / 1_000_000) as i128;
    let base_ms = (i as i128 * span_ms / n as i128) as i64;
    let jitter_ms = rng.below(2_000) as i64;
    let t_ms = (base_ms + jitter_ms).min(span_ms as i64 - 1);
    let time_ns = START_NS + t_ms * 1_000_000;
    let computer = rng.below(COMPUTERS as u64) as usize;
    let counter = rng.below(COUNTERS.len() as u64) as usize;
    let (_, _, lo, hi) = COUNTERS[counter];
    // skewed towards low values, on a grid of 1,000 steps per counter (like sampled perf
    // counters), so exact percentiles do not depend on the interpolation rule
    let u = rng.unit();
    let step = (u * u.sqrt() * 1000.0).round() / 1000.0;
    let value = ((lo + (hi - lo) * step) * 100.0).round() / 100.0;
    let s = rng.below(1000);
    let severity = match s {
        0..500 => 0,
        500..800 => 1,
        800..950 => 2,
        950..990 => 3,
        _ => 4,
    };
    let mut msg = String::with_capacity(64);
    let subject = SUBJECTS[rng.below(SUBJECTS.len() as u64) as usize];
    if rng.below(4) == 0 {
        // capitalised first word: `has` is case-insensitive
        let mut c = subject.chars();
        if let Some(f) = c.next() {
            msg.push(f.to_ascii_uppercase());
            msg.push_str(c.as_str());
        }
    } else {
        msg.push_str(subject);
    }
    msg.push(' ');
    msg.push_str(VERBS[rng.below(VERBS.len() as u64) as usize]);
    // rare terms are much more likely at high severity
    let rare_per_mille = if severity >= 3 { 200 } else { 15 };
    if rng.below(1000) < rare_per_mille {
        msg.push_str(" with ");
        msg.push_str(RARE[rng.below(RARE.len() as u64) as usize]);
        msg.push(';');
    }
    msg.push(' ');
    msg.push_str(DETAILS[rng.below(DETAILS.len() as u64) as usize]);
    msg.push_str(&format!(" {} ms", rng.below(5_000)));
    let (region, env, _) = computer_info(computer);
    let status = [200, 200, 200, 200, 201, 204, 400, 404, 429, 500, 503][rng.below(11) as usize];
    let properties = format!(
        r#"{{"region":"{region}","status":{status},"durationMs":{},"retries":{},"tags":["{env}","v{}"]}}"#,
        rng.below(10_000),
        rng.below(4),
        1 + rng.below(3)
    );
    Row {
        time_ns,
        computer,
        counter,
        value,
        severity,
        message: msg,
        properties,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rows: u64 = 10_000_000;
    let mut json_rows: Option<u64> = None;
    let mut out = String::from("data");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rows" => rows = args.next().ok_or("--rows N")?.replace('_', "").parse()?,
            "--json-rows" => {
                json_rows = Some(args.next().ok_or("--json-rows M")?.replace('_', "").parse()?)
            }
            "--out" => out = args.next().ok_or("--out DIR")?,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let json_rows = json_rows.unwrap_or(rows).min(rows);
    std::fs::create_dir_all(&out)?;
    let computers: Vec<String> = (0..COMPUTERS).map(computer).collect();
    let schema = schema();
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(1_000_000))
        .build();
    let pq_path = format!("{out}/perf.parquet");
    let js_path = format!("{out}/perf.jsonl");
    let mut writer = ArrowWriter::try_new(
        std::fs::File::create(&pq_path)?,
        schema.clone(),
        Some(props),
    )?;
    let mut json = BufWriter::with_capacity(1 << 20, std::fs::File::create(&js_path)?);
    let mut rng = Rng::new(SEED);
    let started = Instant::now();
    let mut i = 0u64;
    while i < rows {
        let len = BATCH.min((rows - i) as usize);
        let mut t = TimestampNanosecondBuilder::with_capacity(len).with_timezone("UTC");
        let mut c = StringBuilder::with_capacity(len, len * 20);
        let mut o = StringBuilder::with_capacity(len, len * 12);
        let mut cn = StringBuilder::with_capacity(len, len * 20);
        let mut v = Float64Builder::with_capacity(len);
        let mut s = Int32Builder::with_capacity(len);
        let mut m = StringBuilder::with_capacity(len, len * 48);
        let mut p = StringBuilder::with_capacity(len, len * 100);
        for _ in 0..len {
            let r = gen_row(&mut rng, i, rows);
            let (obj, cname, _, _) = COUNTERS[r.counter];
            t.append_value(r.time_ns);
            c.append_value(&computers[r.computer]);
            o.append_value(obj);
            cn.append_value(cname);
            v.append_value(r.value);
            s.append_value(r.severity);
            m.append_value(&r.message);
            p.append_value(&r.properties);
            if i < json_rows {
                // none of the generated strings needs JSON escaping
                writeln!(
                    json,
                    r#"{{"TimeGenerated":"{}","Computer":"{}","ObjectName":"{obj}","CounterName":"{cname}","CounterValue":{},"SeverityLevel":{},"Message":"{}","Properties":{}}}"#,
                    iso8601(r.time_ns),
                    computers[r.computer],
                    json_real(r.value),
                    r.severity,
                    r.message,
                    r.properties
                )?;
            }
            i += 1;
        }
        let cols: Vec<ArrayRef> = vec![
            Arc::new(t.finish()),
            Arc::new(c.finish()),
            Arc::new(o.finish()),
            Arc::new(cn.finish()),
            Arc::new(v.finish()),
            Arc::new(s.finish()),
            Arc::new(m.finish()),
            Arc::new(p.finish()),
        ];
        writer.write(&RecordBatch::try_new(schema.clone(), cols)?)?;
    }
    writer.close()?;
    json.flush()?;
    let size = |p: &str| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "wrote {rows} rows to {pq_path} ({:.1} MB) and {json_rows} rows to {js_path} ({:.1} MB) in {:.1} s",
        size(&pq_path) as f64 / 1e6,
        size(&js_path) as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
