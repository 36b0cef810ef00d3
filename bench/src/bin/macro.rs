//! Macro benchmark: the same log-analytics questions in KQL (kql-engine) and in DataFusion
//! SQL, over the same Parquet `ListingTable` on the same DataFusion session.
//!
//!     macro [--data DIR] [--reps N] [--only NAME[,NAME..]] [--explain] [--no-json] [--no-queries]
//!
//! For each query: one warm-up run of each side (results compared: row count and a checksum
//! of the sorted rows), then N (default 5) interleaved repetitions (the side that goes first
//! alternates). Reports the median wall time of each side and KQL/SQL. Then times loading
//! `DIR/perf.jsonl` with `register_path` + `| count` (rows/s, MB/s).

use datafusion::arrow::array::{Array, ArrayRef, Float64Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::common::TableReference;
use datafusion::datasource::MemTable;
use datafusion::logical_expr::Expr;
use datafusion::prelude::lit;
use kql_bench::*;
use kql_engine::KqlContext;
use kql_engine::sources::{SourceOptions, open_table};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Instant;

type BoxErr = Box<dyn std::error::Error>;

struct Query {
    name: &'static str,
    kql: &'static str,
    sql: &'static str,
}

const QUERIES: &[Query] = &[
    Query {
        name: "filter_count",
        kql: r#"Perf | where CounterName == "% Processor Time" and CounterValue > 90 | count"#,
        sql: r#"SELECT count(*) AS "Count" FROM "Perf" WHERE "CounterName" = '% Processor Time' AND "CounterValue" > 90"#,
    },
    Query {
        name: "bin_avg",
        kql: r#"Perf | where CounterName == "% Processor Time" | summarize avg(CounterValue) by bin(TimeGenerated, 1h), Computer"#,
        sql: r#"SELECT date_bin(INTERVAL '1 hour', "TimeGenerated") AS "TimeGenerated", "Computer", avg("CounterValue") AS "avg_CounterValue" FROM "Perf" WHERE "CounterName" = '% Processor Time' GROUP BY 1, 2"#,
    },
    Query {
        name: "top10",
        kql: r#"Perf | where CounterName == "% Processor Time" | summarize AvgCpu = avg(CounterValue) by Computer | top 10 by AvgCpu desc"#,
        sql: r#"SELECT "Computer", avg("CounterValue") AS "AvgCpu" FROM "Perf" WHERE "CounterName" = '% Processor Time' GROUP BY "Computer" ORDER BY "AvgCpu" DESC LIMIT 10"#,
    },
    Query {
        name: "dcount",
        kql: r#"Perf | where SeverityLevel >= 3 | summarize dcount(Computer) by CounterName"#,
        sql: r#"SELECT "CounterName", count(DISTINCT "Computer") AS "dcount_Computer" FROM "Perf" WHERE "SeverityLevel" >= 3 GROUP BY "CounterName""#,
    },
    Query {
        name: "has_term",
        kql: r#"Perf | where Message has "timeout" | summarize count() by SeverityLevel"#,
        sql: r#"SELECT "SeverityLevel", count(*) AS "count_" FROM "Perf" WHERE "Message" ILIKE '%timeout%' GROUP BY "SeverityLevel""#,
    },
    Query {
        name: "percentile",
        kql: r#"Perf | summarize percentile(CounterValue, 95) by CounterName"#,
        sql: r#"SELECT "CounterName", percentile_cont(0.95) WITHIN GROUP (ORDER BY "CounterValue") AS "percentile_CounterValue_95" FROM "Perf" GROUP BY "CounterName""#,
    },
    Query {
        name: "join_dim",
        kql: r#"Perf | where CounterName == "% Processor Time" | join kind=inner (Computers | where Environment == "prod") on Computer | summarize avg(CounterValue) by Region"#,
        sql: r#"SELECT c."Region", avg(p."CounterValue") AS "avg_CounterValue" FROM "Perf" p JOIN "Computers" c ON p."Computer" = c."Computer" WHERE p."CounterName" = '% Processor Time' AND c."Environment" = 'prod' GROUP BY c."Region""#,
    },
    Query {
        name: "sort_take",
        kql: r#"Perf | project TimeGenerated, Computer, CounterName, CounterValue | sort by CounterValue desc, TimeGenerated desc, Computer asc | take 20"#,
        sql: r#"SELECT "TimeGenerated", "Computer", "CounterName", "CounterValue" FROM "Perf" ORDER BY "CounterValue" DESC NULLS LAST, "TimeGenerated" DESC NULLS LAST, "Computer" ASC NULLS FIRST LIMIT 20"#,
    },
    Query {
        name: "distinct",
        kql: r#"Perf | where SeverityLevel >= 2 | distinct Computer, CounterName"#,
        sql: r#"SELECT DISTINCT "Computer", "CounterName" FROM "Perf" WHERE "SeverityLevel" >= 2"#,
    },
    Query {
        name: "time_window",
        kql: r#"Perf | where TimeGenerated > datetime(2024-01-28) | summarize count(), max(CounterValue) by ObjectName"#,
        sql: r#"SELECT "ObjectName", count(*) AS "count_", max("CounterValue") AS "max_CounterValue" FROM "Perf" WHERE "TimeGenerated" > TIMESTAMP '2024-01-28T00:00:00Z' GROUP BY "ObjectName""#,
    },
    Query {
        name: "dynamic_prop",
        kql: r#"Perf | where tostring(Properties.status) == "503" | summarize count() by Computer"#,
        sql: r#"SELECT "Computer", count(*) AS "count_" FROM "Perf" WHERE kql_dynamic_get("Properties", 'status') = '503' GROUP BY "Computer""#,
    },
    Query {
        name: "count_by_2keys",
        kql: r#"Perf | summarize count(), avg(CounterValue) by Computer, CounterName"#,
        sql: r#"SELECT "Computer", "CounterName", count(*) AS "count_", avg("CounterValue") AS "avg_CounterValue" FROM "Perf" GROUP BY "Computer", "CounterName""#,
    },
];

/// Row count and an order-independent checksum: every row rendered as text (timestamps as
/// integer nanoseconds, reals with 9 significant digits), the rows sorted, then hashed.
struct Digest {
    rows: usize,
    hash: u64,
    sample: Vec<String>,
}

fn digest(batches: &[RecordBatch]) -> Result<Digest, BoxErr> {
    let mut rows = Vec::new();
    for b in batches {
        let mut cols: Vec<Vec<String>> = Vec::new();
        for c in b.columns() {
            cols.push(render_column(c)?);
        }
        for r in 0..b.num_rows() {
            rows.push(
                cols.iter()
                    .map(|c| c[r].as_str())
                    .collect::<Vec<_>>()
                    .join("|"),
            );
        }
    }
    rows.sort();
    let mut h = DefaultHasher::new();
    rows.hash(&mut h);
    Ok(Digest {
        rows: rows.len(),
        hash: h.finish(),
        sample: rows.into_iter().take(3).collect(),
    })
}

fn render_column(c: &ArrayRef) -> Result<Vec<String>, BoxErr> {
    let n = c.len();
    let out = match c.data_type() {
        DataType::Float64 | DataType::Float32 => {
            let c = cast(c, &DataType::Float64)?;
            let f = c
                .as_any()
                .downcast_ref::<Float64Array>()
                .ok_or("float column")?;
            (0..n)
                .map(|i| {
                    if f.is_null(i) {
                        "null".to_string()
                    } else {
                        format!("{:.8e}", f.value(i))
                    }
                })
                .collect()
        }
        DataType::Timestamp(_, _) => {
            let c = cast(c, &DataType::Timestamp(TimeUnit::Nanosecond, None))?;
            let c = cast(&c, &DataType::Int64)?;
            fmt_all(&c)?
        }
        _ => fmt_all(c)?,
    };
    Ok(out)
}

fn fmt_all(c: &ArrayRef) -> Result<Vec<String>, BoxErr> {
    let opts = FormatOptions::default().with_null("null");
    let f = ArrayFormatter::try_new(c.as_ref(), &opts)?;
    Ok((0..c.len()).map(|i| f.value(i).to_string()).collect())
}

async fn run_kql(ctx: &KqlContext, q: &str) -> Result<(f64, Vec<RecordBatch>), BoxErr> {
    let t = Instant::now();
    let mut res = ctx.run(q).await?;
    let ms = t.elapsed().as_secs_f64() * 1e3;
    let r = res.pop().ok_or("no result")?;
    Ok((ms, r.batches))
}

async fn run_sql(ctx: &KqlContext, q: &str) -> Result<(f64, Vec<RecordBatch>), BoxErr> {
    let t = Instant::now();
    let batches = ctx.session().sql(q).await?.collect().await?;
    let ms = t.elapsed().as_secs_f64() * 1e3;
    Ok((ms, batches))
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The `Computers` dimension table: Computer, Region, Environment, OSType (500 rows).
fn computers_table() -> Result<Arc<MemTable>, BoxErr> {
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
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from(c)),
            Arc::new(StringArray::from(r)),
            Arc::new(StringArray::from(e)),
            Arc::new(StringArray::from(o)),
        ],
    )?;
    Ok(Arc::new(MemTable::try_new(schema, vec![vec![batch]])?))
}

#[tokio::main]
async fn main() -> Result<(), BoxErr> {
    let mut data = String::from("data");
    let mut reps = 5usize;
    let mut only: Option<Vec<String>> = None;
    let mut explain = false;
    let mut json = true;
    let mut queries = true;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--data" => data = args.next().ok_or("--data DIR")?,
            "--reps" => reps = args.next().ok_or("--reps N")?.parse()?,
            "--only" => {
                only = Some(
                    args.next()
                        .ok_or("--only NAMES")?
                        .split(',')
                        .map(str::to_string)
                        .collect(),
                )
            }
            "--explain" => explain = true,
            "--no-json" => json = false,
            "--no-queries" => queries = false,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let pq = format!("{data}/perf.parquet");
    let jsonl = format!("{data}/perf.jsonl");

    if queries {
        let ctx = KqlContext::new();
        // one provider (the engine's Parquet ListingTable), registered on both sides
        let perf = open_table(&pq, &SourceOptions::default())?;
        ctx.register_table("Perf", perf.clone())?;
        ctx.session().register_table(TableReference::bare("Perf"), perf)?;
        let dim = computers_table()?;
        ctx.register_table("Computers", dim.clone())?;
        ctx.session().register_table(TableReference::bare("Computers"), dim)?;
        // the engine's dynamic-member UDF, so SQL does the same JSON work for `Properties.x`
        if let Expr::ScalarFunction(f) = kql_engine::udf::dynamic_get(lit(""), lit("")) {
            ctx.session().register_udf(f.func.as_ref().clone());
        }
        let total = run_sql(&ctx, r#"SELECT count(*) FROM "Perf""#).await?;
        println!(
            "Perf: {} rows ({})",
            fmt_all(total.1[0].column(0))?[0],
            pq
        );
        println!(
            "\n| query | KQL ms | SQL ms | KQL/SQL | rows | results agree |\n|---|---:|---:|---:|---:|---|"
        );
        let mut ratios = Vec::new();
        let mut explains = String::new();
        for q in QUERIES {
            if let Some(o) = &only
                && !o.iter().any(|n| n == q.name)
            {
                continue;
            }
            let (_, kb) = run_kql(&ctx, q.kql).await?;
            let (_, sb) = run_sql(&ctx, q.sql).await?;
            let (kd, sd) = (digest(&kb)?, digest(&sb)?);
            let agree = kd.rows == sd.rows && kd.hash == sd.hash;
            if !agree {
                eprintln!(
                    "MISMATCH {}: KQL {} rows {:?} / SQL {} rows {:?}",
                    q.name, kd.rows, kd.sample, sd.rows, sd.sample
                );
            }
            let (mut kt, mut st) = (Vec::new(), Vec::new());
            for rep in 0..reps {
                if rep % 2 == 0 {
                    kt.push(run_kql(&ctx, q.kql).await?.0);
                    st.push(run_sql(&ctx, q.sql).await?.0);
                } else {
                    st.push(run_sql(&ctx, q.sql).await?.0);
                    kt.push(run_kql(&ctx, q.kql).await?.0);
                }
            }
            let (km, sm) = (median(&mut kt), median(&mut st));
            let ratio = km / sm;
            ratios.push(ratio);
            println!(
                "| `{}` | {km:.1} | {sm:.1} | {ratio:.3} | {} | {} |",
                q.name,
                kd.rows,
                if agree { "yes" } else { "**NO**" }
            );
            eprintln!(
                "  {}: KQL runs {:?} SQL runs {:?}",
                q.name,
                kt.iter().map(|x| x.round() as i64).collect::<Vec<_>>(),
                st.iter().map(|x| x.round() as i64).collect::<Vec<_>>()
            );
            if explain {
                let k = ctx.explain(q.kql).await?;
                let s = ctx
                    .session()
                    .sql(q.sql)
                    .await?
                    .into_optimized_plan()?
                    .display_indent()
                    .to_string();
                explains.push_str(&format!(
                    "=== {}\n--- KQL: {}\n{k}\n--- SQL: {}\n{s}\n\n",
                    q.name, q.kql, q.sql
                ));
                let analyzed = ctx
                    .session()
                    .sql(&format!("EXPLAIN ANALYZE {}", q.sql))
                    .await?
                    .collect()
                    .await?;
                let s = datafusion::arrow::util::pretty::pretty_format_batches(&analyzed)?;
                explains.push_str(&format!("--- SQL EXPLAIN ANALYZE\n{s}\n"));
            }
        }
        let mut r = ratios.clone();
        println!(
            "\nmedian KQL/SQL ratio over {} queries: {:.3} (reps = {reps})",
            ratios.len(),
            median(&mut r)
        );
        if explain {
            std::fs::write(format!("{data}/explain.txt"), explains)?;
            println!("plans written to {data}/explain.txt");
        }
    }

    if json {
        let size = std::fs::metadata(&jsonl)?.len() as f64;
        for attempt in 1..=2 {
            let ctx = KqlContext::new();
            let t = Instant::now();
            ctx.register_path("PerfJson", &jsonl)?;
            let load = t.elapsed().as_secs_f64();
            let res = ctx.run("PerfJson | count").await?;
            let secs = t.elapsed().as_secs_f64();
            let b = &res.first().ok_or("no result")?.batches;
            let n: f64 = fmt_all(b[0].column(0))?[0].parse()?;
            println!(
                "JSON lines load #{attempt}: {n} rows, {:.1} MB in {secs:.2} s (register_path {load:.2} s): {:.0} rows/s, {:.1} MB/s",
                size / 1e6,
                n / secs,
                size / 1e6 / secs
            );
        }
    }
    Ok(())
}
