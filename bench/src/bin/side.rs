//! Side-by-side worker (issue #9): the kql and DataFusion-SQL half of `bench/run.py`.
//!
//!     side [--data DIR] serve        (driven by run.py over stdin/stdout)
//!     side [--data DIR] list         (the question names, one per line)
//!
//! It opens `DIR/perf.parquet` once with the engine's own source (a streaming `ListingTable`),
//! registers that provider as `Perf` in the `KqlContext` and in its DataFusion
//! `SessionContext`, registers the 500-row `Computers` dimension table (a `MemTable`) on both
//! sides and writes it to `DIR/computers.csv` so the DuckDB worker loads the same rows.
//!
//! Commands, one per line on stdin; each answer is one JSON line on stdout:
//!
//!     run kql|df NAME [DUMP_PATH]   → {"ms": wall ms, "rows": n}
//!     explain NAME PATH             (kql's logical and physical plans written to PATH)
//!     sqltext SELECT ...            (any DataFusion SQL on the same session; row count)
//!     quit
//!
//! The time covers parse + plan + execute + collect into Arrow batches (`KqlContext::run`,
//! `SessionContext::sql(..).collect()`). With DUMP_PATH the rows are then written (outside
//! the timing) as JSON arrays, one row per line: timestamps and durations as integer
//! nanoseconds, reals at full precision (NaN/inf as null), lists as arrays. run.py normalises
//! and checksums them.
//!
//! JSON-lines questions (`json_*`) read `DIR/perf.jsonl` from scratch on every run: kql with
//! `register_path` in a fresh `KqlContext` (its own reader, type inference included). They have
//! no DataFusion-SQL side: the bench builds DataFusion with the workspace's features, which
//! leave out its `json` reader.

use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, Float64Array, GenericListArray, Int64Array, OffsetSizeTrait,
    StringArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::common::TableReference;
use datafusion::datasource::MemTable;
use datafusion::logical_expr::Expr;
use datafusion::prelude::{SessionConfig, SessionContext, lit};
use kql_bench::*;
use kql_engine::KqlContext;
use kql_engine::sources::{SourceOptions, open_table};
use std::io::{BufRead, Write};
use std::sync::Arc;
use std::time::Instant;

type BoxErr = Box<dyn std::error::Error>;

struct Question {
    name: &'static str,
    kql: &'static str,
    /// DataFusion SQL; `None` = no SQL equivalent (kql is timed alone).
    sql: Option<&'static str>,
}

const fn q(name: &'static str, kql: &'static str, sql: &'static str) -> Question {
    Question {
        name,
        kql,
        sql: Some(sql),
    }
}

const QUESTIONS: &[Question] = &[
    // ---- the 12 questions of the earlier macro suite (same text) ----
    q(
        "filter_count",
        r#"Perf | where CounterName == "% Processor Time" and CounterValue > 90 | count"#,
        r#"SELECT count(*) AS "Count" FROM "Perf" WHERE "CounterName" = '% Processor Time' AND "CounterValue" > 90"#,
    ),
    q(
        "bin_avg",
        r#"Perf | where CounterName == "% Processor Time" | summarize avg(CounterValue) by bin(TimeGenerated, 1h), Computer"#,
        r#"SELECT date_bin(INTERVAL '1 hour', "TimeGenerated") AS "TimeGenerated", "Computer", avg("CounterValue") AS "avg_CounterValue" FROM "Perf" WHERE "CounterName" = '% Processor Time' GROUP BY 1, 2"#,
    ),
    q(
        "top10",
        r#"Perf | where CounterName == "% Processor Time" | summarize AvgCpu = avg(CounterValue) by Computer | top 10 by AvgCpu desc"#,
        r#"SELECT "Computer", avg("CounterValue") AS "AvgCpu" FROM "Perf" WHERE "CounterName" = '% Processor Time' GROUP BY "Computer" ORDER BY "AvgCpu" DESC LIMIT 10"#,
    ),
    q(
        "dcount",
        r#"Perf | where SeverityLevel >= 3 | summarize dcount(Computer) by CounterName"#,
        r#"SELECT "CounterName", count(DISTINCT "Computer") AS "dcount_Computer" FROM "Perf" WHERE "SeverityLevel" >= 3 GROUP BY "CounterName""#,
    ),
    q(
        "has_term",
        r#"Perf | where Message has "timeout" | summarize count() by SeverityLevel"#,
        r#"SELECT "SeverityLevel", count(*) AS "count_" FROM "Perf" WHERE "Message" ILIKE '%timeout%' GROUP BY "SeverityLevel""#,
    ),
    q(
        "percentile",
        r#"Perf | summarize percentile(CounterValue, 95) by CounterName"#,
        r#"SELECT "CounterName", array_sort(array_agg("CounterValue"))[CAST(ceil(0.95 * count(*)) AS BIGINT)] AS "percentile_CounterValue_95" FROM "Perf" GROUP BY "CounterName""#,
    ),
    q(
        "join_dim",
        r#"Perf | where CounterName == "% Processor Time" | join kind=inner (Computers | where Environment == "prod") on Computer | summarize avg(CounterValue) by Region"#,
        r#"SELECT c."Region", avg(p."CounterValue") AS "avg_CounterValue" FROM "Perf" p JOIN "Computers" c ON p."Computer" = c."Computer" WHERE p."CounterName" = '% Processor Time' AND c."Environment" = 'prod' GROUP BY c."Region""#,
    ),
    q(
        "sort_take",
        r#"Perf | project TimeGenerated, Computer, CounterName, CounterValue | sort by CounterValue desc, TimeGenerated desc, Computer asc | take 20"#,
        r#"SELECT "TimeGenerated", "Computer", "CounterName", "CounterValue" FROM "Perf" ORDER BY "CounterValue" DESC NULLS LAST, "TimeGenerated" DESC NULLS LAST, "Computer" ASC NULLS FIRST LIMIT 20"#,
    ),
    q(
        "distinct",
        r#"Perf | where SeverityLevel >= 2 | distinct Computer, CounterName"#,
        r#"SELECT DISTINCT "Computer", "CounterName" FROM "Perf" WHERE "SeverityLevel" >= 2"#,
    ),
    q(
        "time_window",
        r#"Perf | where TimeGenerated > datetime(2024-01-28) | summarize count(), max(CounterValue) by ObjectName"#,
        r#"SELECT "ObjectName", count(*) AS "count_", max("CounterValue") AS "max_CounterValue" FROM "Perf" WHERE "TimeGenerated" > TIMESTAMP '2024-01-28T00:00:00Z' GROUP BY "ObjectName""#,
    ),
    q(
        "dynamic_prop",
        r#"Perf | where tostring(Properties.status) == "503" | summarize count() by Computer"#,
        r#"SELECT "Computer", count(*) AS "count_" FROM "Perf" WHERE kql_dynamic_get("Properties", 'status') = '503' GROUP BY "Computer""#,
    ),
    q(
        "count_by_2keys",
        r#"Perf | summarize count(), avg(CounterValue) by Computer, CounterName"#,
        r#"SELECT "Computer", "CounterName", count(*) AS "count_", avg("CounterValue") AS "avg_CounterValue" FROM "Perf" GROUP BY "Computer", "CounterName""#,
    ),
    // ---- added for issue #9 ----
    q(
        "has_any_daily",
        r#"Perf | where Message has_any ("deadlock", "refused") | summarize count() by bin(TimeGenerated, 1d)"#,
        r#"SELECT date_bin(INTERVAL '1 day', "TimeGenerated") AS "TimeGenerated", count(*) AS "count_" FROM "Perf" WHERE "Message" ILIKE '%deadlock%' OR "Message" ILIKE '%refused%' GROUP BY 1"#,
    ),
    q(
        "contains_sub",
        r#"Perf | where Message contains "lock" | summarize count() by CounterName"#,
        r#"SELECT "CounterName", count(*) AS "count_" FROM "Perf" WHERE "Message" ILIKE '%lock%' GROUP BY "CounterName""#,
    ),
    q(
        "dcount_hourly",
        r#"Perf | where SeverityLevel >= 3 | summarize dcount(Computer) by bin(TimeGenerated, 1h)"#,
        r#"SELECT date_bin(INTERVAL '1 hour', "TimeGenerated") AS "TimeGenerated", count(DISTINCT "Computer") AS "dcount_Computer" FROM "Perf" WHERE "SeverityLevel" >= 3 GROUP BY 1"#,
    ),
    q(
        "percentiles3",
        r#"Perf | where ObjectName == "LogicalDisk" | summarize percentiles(CounterValue, 50, 90, 99) by CounterName, Computer"#,
        r#"SELECT "CounterName", "Computer", s[CAST(ceil(0.5 * n) AS BIGINT)] AS p50, s[CAST(ceil(0.9 * n) AS BIGINT)] AS p90, s[CAST(ceil(0.99 * n) AS BIGINT)] AS p99 FROM (SELECT "CounterName", "Computer", array_sort(array_agg("CounterValue")) AS s, count(*) AS n FROM "Perf" WHERE "ObjectName" = 'LogicalDisk' GROUP BY 1, 2)"#,
    ),
    q(
        "top_severe",
        r#"Perf | where SeverityLevel == 4 | top 100 by TimeGenerated desc"#,
        r#"SELECT * FROM "Perf" WHERE "SeverityLevel" = 4 ORDER BY "TimeGenerated" DESC NULLS LAST LIMIT 100"#,
    ),
    q(
        "top_nested",
        r#"Perf | top-nested 3 of CounterName by count(), top-nested 3 of Computer by avg(CounterValue)"#,
        r#"WITH l1 AS (SELECT "CounterName", count(*) AS a1 FROM "Perf" GROUP BY 1 ORDER BY a1 DESC LIMIT 3), l2 AS (SELECT p."CounterName", p."Computer", avg(p."CounterValue") AS a2 FROM "Perf" p JOIN l1 ON p."CounterName" = l1."CounterName" GROUP BY 1, 2), r AS (SELECT l2.*, row_number() OVER (PARTITION BY "CounterName" ORDER BY a2 DESC) AS rn FROM l2) SELECT r."CounterName", l1.a1 AS "aggregated_CounterName", r."Computer", r.a2 AS "aggregated_Computer" FROM r JOIN l1 ON r."CounterName" = l1."CounterName" WHERE r.rn <= 3"#,
    ),
    q(
        "lookup_dim",
        r#"Perf | where SeverityLevel >= 3 | lookup Computers on Computer | summarize count(), avg(CounterValue) by Environment, OSType"#,
        r#"SELECT c."Environment", c."OSType", count(*) AS "count_", avg(p."CounterValue") AS "avg_CounterValue" FROM "Perf" p LEFT JOIN "Computers" c ON p."Computer" = c."Computer" WHERE p."SeverityLevel" >= 3 GROUP BY 1, 2"#,
    ),
    q(
        "parse_msg",
        r#"Perf | where SeverityLevel >= 2 | parse Message with Subject " " Verb " " * | summarize count() by Verb"#,
        r#"SELECT split_part("Message", ' ', 2) AS "Verb", count(*) AS "count_" FROM "Perf" WHERE "SeverityLevel" >= 2 GROUP BY 1"#,
    ),
    q(
        "extract_ms",
        r#"Perf | where SeverityLevel >= 2 | extend Ms = extract(@"(\d+) ms$", 1, Message, typeof(long)) | summarize avg(Ms), max(Ms) by SeverityLevel"#,
        r#"SELECT "SeverityLevel", avg(m) AS "avg_Ms", max(m) AS "max_Ms" FROM (SELECT "SeverityLevel", CAST(regexp_match("Message", '(\d+) ms$')[1] AS BIGINT) AS m FROM "Perf" WHERE "SeverityLevel" >= 2) GROUP BY 1"#,
    ),
    q(
        "dynamic_region",
        r#"Perf | where CounterName == "% Processor Time" | extend Region = tostring(Properties.region), Dur = tolong(Properties.durationMs) | summarize count(), avg(Dur) by Region"#,
        r#"SELECT btrim(kql_dynamic_get("Properties", 'region'), '"') AS "Region", count(*) AS "count_", avg(CAST(kql_dynamic_get("Properties", 'durationMs') AS BIGINT)) AS "avg_Dur" FROM "Perf" WHERE "CounterName" = '% Processor Time' GROUP BY 1"#,
    ),
    q(
        "make_series",
        r#"Perf | where CounterName == "% Processor Time" | make-series avg(CounterValue) default = 0 on TimeGenerated from datetime(2024-01-01) to datetime(2024-01-31) step 1h by Computer"#,
        r#"WITH agg AS (SELECT "Computer", date_bin(INTERVAL '1 hour', "TimeGenerated") AS b, avg("CounterValue") AS v FROM "Perf" WHERE "CounterName" = '% Processor Time' AND "TimeGenerated" >= TIMESTAMP '2024-01-01T00:00:00Z' AND "TimeGenerated" < TIMESTAMP '2024-01-31T00:00:00Z' GROUP BY 1, 2), keys AS (SELECT DISTINCT "Computer" FROM agg), axis AS (SELECT unnest(generate_series(TIMESTAMP '2024-01-01T00:00:00Z', TIMESTAMP '2024-01-30T23:00:00Z', INTERVAL '1 hour')) AS b) SELECT k."Computer", array_agg(coalesce(a.v, 0.0) ORDER BY x.b) AS "avg_CounterValue", array_agg(x.b ORDER BY x.b) AS "TimeGenerated" FROM keys k CROSS JOIN axis x LEFT JOIN agg a ON a."Computer" = k."Computer" AND a.b = x.b GROUP BY k."Computer""#,
    ),
    Question {
        name: "anomalies_5k",
        kql: r#"Perf | make-series v = avg(CounterValue) default = 0 on TimeGenerated from datetime(2024-01-01) to datetime(2024-01-31) step 1h by Computer, CounterName | extend a = series_decompose_anomalies(v) | mv-expand a to typeof(long) | where a != 0 | summarize anomalies = count() by CounterName"#,
        sql: None,
    },
    Question {
        name: "autocluster",
        kql: r#"Perf | where SeverityLevel >= 3 | extend Region = tostring(Properties.region) | project SeverityLevel, ObjectName, CounterName, Region | evaluate autocluster()"#,
        sql: None,
    },
    // JSON lines: kql vs DuckDB (DataFusion is built without its `json` feature).
    Question {
        name: "json_severe",
        kql: r#"PerfJson | where SeverityLevel >= 3 | summarize count() by CounterName"#,
        sql: None,
    },
];

fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// Every value of `c` as JSON text.
fn json_column(c: &ArrayRef) -> Result<Vec<String>, BoxErr> {
    let n = c.len();
    let nulls = |out: Vec<String>| -> Vec<String> {
        out.into_iter()
            .enumerate()
            .map(|(i, v)| if c.is_null(i) { "null".into() } else { v })
            .collect()
    };
    Ok(match c.data_type() {
        DataType::Float16 | DataType::Float32 | DataType::Float64 | DataType::Decimal128(_, _) => {
            let f = cast(c, &DataType::Float64)?;
            let f = f.as_any().downcast_ref::<Float64Array>().ok_or("f64")?;
            nulls(
                (0..n)
                    .map(|i| {
                        let v = f.value(i);
                        if v.is_finite() {
                            format!("{v:?}")
                        } else {
                            "null".into()
                        }
                    })
                    .collect(),
            )
        }
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => {
            let v = cast(c, &DataType::Int64)?;
            let v = v.as_any().downcast_ref::<Int64Array>().ok_or("i64")?;
            nulls((0..n).map(|i| v.value(i).to_string()).collect())
        }
        DataType::Timestamp(_, _) => {
            let t = cast(c, &DataType::Timestamp(TimeUnit::Nanosecond, None))?;
            json_column(&cast(&t, &DataType::Int64)?)?
        }
        DataType::Duration(_) => {
            let t = cast(c, &DataType::Duration(TimeUnit::Nanosecond))?;
            json_column(&cast(&t, &DataType::Int64)?)?
        }
        DataType::Boolean => {
            let b = c.as_any().downcast_ref::<BooleanArray>().ok_or("bool")?;
            nulls((0..n).map(|i| b.value(i).to_string()).collect())
        }
        DataType::List(_) => json_list::<i32>(c)?,
        DataType::LargeList(_) => json_list::<i64>(c)?,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let s = cast(c, &DataType::Utf8)?;
            let s = s.as_any().downcast_ref::<StringArray>().ok_or("utf8")?;
            nulls((0..n).map(|i| json_str(s.value(i))).collect())
        }
        _ => {
            let opts = FormatOptions::default();
            let f = ArrayFormatter::try_new(c.as_ref(), &opts)?;
            nulls((0..n).map(|i| json_str(&f.value(i).to_string())).collect())
        }
    })
}

fn json_list<O: OffsetSizeTrait>(c: &ArrayRef) -> Result<Vec<String>, BoxErr> {
    let l = c
        .as_any()
        .downcast_ref::<GenericListArray<O>>()
        .ok_or("list")?;
    let mut out = Vec::with_capacity(l.len());
    for i in 0..l.len() {
        if l.is_null(i) {
            out.push("null".into());
        } else {
            out.push(format!("[{}]", json_column(&l.value(i))?.join(",")));
        }
    }
    Ok(out)
}

fn dump(batches: &[RecordBatch], path: &str) -> Result<(), BoxErr> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    for b in batches {
        let cols = b
            .columns()
            .iter()
            .map(json_column)
            .collect::<Result<Vec<_>, _>>()?;
        for r in 0..b.num_rows() {
            let row: Vec<&str> = cols.iter().map(|c| c[r].as_str()).collect();
            writeln!(w, "[{}]", row.join(","))?;
        }
    }
    w.flush()?;
    Ok(())
}

/// The `Computers` dimension table: Computer, Region, Environment, OSType (500 rows).
fn computers_batch() -> Result<RecordBatch, BoxErr> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("Computer", DataType::Utf8, false),
        Field::new("Region", DataType::Utf8, false),
        Field::new("Environment", DataType::Utf8, false),
        Field::new("OSType", DataType::Utf8, false),
    ]));
    let (mut c, mut r, mut e, mut o) = (vec![], vec![], vec![], vec![]);
    for i in 0..COMPUTERS {
        let (reg, env, os) = computer_info(i);
        c.push(computer(i));
        r.push(reg);
        e.push(env);
        o.push(os);
    }
    Ok(RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from(c)),
            Arc::new(StringArray::from(r)),
            Arc::new(StringArray::from(e)),
            Arc::new(StringArray::from(o)),
        ],
    )?)
}

fn write_computers_csv(path: &str) -> Result<(), BoxErr> {
    let mut s = String::from("Computer,Region,Environment,OSType\n");
    for i in 0..COMPUTERS {
        let (reg, env, os) = computer_info(i);
        s.push_str(&format!("{},{reg},{env},{os}\n", computer(i)));
    }
    std::fs::write(path, s)?;
    Ok(())
}

fn register_dynamic_get(s: &SessionContext) {
    // the engine's dynamic-member UDF, so SQL does the same JSON work for `Properties.x`
    if let Expr::ScalarFunction(f) = kql_engine::udf::dynamic_get(lit(""), lit("")) {
        s.register_udf(f.func.as_ref().clone());
    }
}

struct Worker {
    ctx: KqlContext,
    data: String,
}

impl Worker {
    async fn run(&self, engine: &str, qs: &Question) -> Result<(f64, Vec<RecordBatch>), BoxErr> {
        let json = qs.name.starts_with("json_");
        let jsonl = format!("{}/perf.jsonl", self.data);
        match engine {
            "kql" => {
                let t = Instant::now();
                let res = if json {
                    let ctx = KqlContext::new();
                    ctx.register_path("PerfJson", &jsonl)?;
                    ctx.run(qs.kql).await?
                } else {
                    self.ctx.run(qs.kql).await?
                };
                let ms = t.elapsed().as_secs_f64() * 1e3;
                let r = res.into_iter().last().ok_or("no result")?;
                Ok((ms, r.batches))
            }
            "df" => {
                let sql = qs.sql.ok_or("no SQL for this question")?;
                if json {
                    // the bench (like the workspace) builds DataFusion without its `json`
                    // feature, so DataFusion SQL has no JSON-lines reader here
                    return Err("DataFusion built without the json feature".into());
                }
                let t = Instant::now();
                let batches = self.ctx.session().sql(sql).await?.collect().await?;
                Ok((t.elapsed().as_secs_f64() * 1e3, batches))
            }
            e => Err(format!("unknown engine {e}").into()),
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), BoxErr> {
    let mut data = String::from("data");
    let mut cmd = String::from("serve");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--data" => data = args.next().ok_or("--data DIR")?,
            "serve" | "list" => cmd = a,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    if cmd == "list" {
        for q in QUESTIONS {
            let kind = if q.sql.is_some() {
                "sql"
            } else if q.name.starts_with("json_") {
                "no-df"
            } else {
                "kql-only"
            };
            println!("{}\t{kind}", q.name);
        }
        return Ok(());
    }
    let pq = format!("{data}/perf.parquet");
    let ctx = KqlContext::new();
    let perf = open_table(&pq, &SourceOptions::default())?;
    ctx.register_table("Perf", perf.clone())?;
    ctx.session()
        .register_table(TableReference::bare("Perf"), perf)?;
    let b = computers_batch()?;
    let dim = Arc::new(MemTable::try_new(b.schema(), vec![vec![b]])?);
    ctx.register_table("Computers", dim.clone())?;
    ctx.session()
        .register_table(TableReference::bare("Computers"), dim)?;
    register_dynamic_get(ctx.session());
    write_computers_csv(&format!("{data}/computers.csv"))?;
    let cfg: SessionConfig = ctx.session().copied_config();
    let threads = cfg.target_partitions();
    let worker = Worker { ctx, data };
    let stdout = std::io::stdout();
    println!(r#"{{"ready": true, "target_partitions": {threads}}}"#);
    stdout.lock().flush()?;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let parts: Vec<&str> = line.split_whitespace().collect();
        let answer = match parts.as_slice() {
            ["quit"] => break,
            // debugging aid: `explain NAME PATH` writes kql's optimized plan to PATH
            ["explain", name, path] => match QUESTIONS.iter().find(|q| q.name == *name) {
                None => format!(r#"{{"error": {}}}"#, json_str("unknown question")),
                Some(qs) => match worker.ctx.explain(qs.kql).await {
                    Ok(text) => match std::fs::write(path, text) {
                        Ok(()) => r#"{"ok": true}"#.to_string(),
                        Err(e) => format!(r#"{{"error": {}}}"#, json_str(&e.to_string())),
                    },
                    Err(e) => format!(r#"{{"error": {}}}"#, json_str(&e.to_string())),
                },
            },
            // debugging aid: `sqltext SELECT ...` runs DataFusion SQL text, prints the row count
            ["sqltext", ..] => match worker.ctx.session().sql(line["sqltext".len()..].trim()).await {
                Ok(df) => match df.collect().await {
                    Ok(b) => format!(r#"{{"rows": {}}}"#, b.iter().map(|b| b.num_rows()).sum::<usize>()),
                    Err(e) => format!(r#"{{"error": {}}}"#, json_str(&e.to_string())),
                },
                Err(e) => format!(r#"{{"error": {}}}"#, json_str(&e.to_string())),
            },
            ["run", engine, name, rest @ ..] => {
                match QUESTIONS.iter().find(|q| q.name == *name) {
                    None => format!(r#"{{"error": {}}}"#, json_str("unknown question")),
                    Some(qs) => match worker.run(engine, qs).await {
                        Ok((ms, batches)) => {
                            let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
                            match rest.first().map(|p| dump(&batches, p)) {
                                Some(Err(e)) => {
                                    format!(r#"{{"error": {}}}"#, json_str(&e.to_string()))
                                }
                                _ => format!(r#"{{"ms": {ms}, "rows": {rows}}}"#),
                            }
                        }
                        Err(e) => format!(r#"{{"error": {}}}"#, json_str(&e.to_string())),
                    },
                }
            }
            _ => format!(r#"{{"error": {}}}"#, json_str(&format!("bad command {line}"))),
        };
        let mut o = stdout.lock();
        writeln!(o, "{answer}")?;
        o.flush()?;
    }
    Ok(())
}
