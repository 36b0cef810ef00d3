//! Differential check: seeded random KQL queries over a fixed table, each run twice — with
//! DataFusion's logical optimizer and without it (`KqlContext::without_logical_optimizer`) — must
//! give the same rows (compared as sorted text unless the query ends in a sort), or both fail.
//! Predicate push-down, projection pruning, constant folding and common-subexpression rules all
//! rewrite our plans; a rule that changes a KQL answer shows up here.

use kql_engine::KqlContext;
use kql_engine::datafusion::arrow::array::{
    ArrayRef, Float64Array, Int64Array, StringArray, TimestampNanosecondArray,
};
use kql_engine::datafusion::arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use kql_engine::datafusion::arrow::record_batch::RecordBatch;
use kql_engine::datafusion::datasource::MemTable;
use kql_engine::display::format_value;
use kql_functions::rng::SplitMix64;
use std::sync::Arc;

/// SplitMix64, so every run generates the same queries.
struct Rng(SplitMix64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0.index(n)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const HOSTS: [&str; 6] = ["web-01", "web-02", "db-01", "DB-02", "", "cache-1"];
const LEVELS: [&str; 4] = ["Information", "Warning", "Error", "Critical"];

/// `Logs`: 3 partitions of 700 rows with nulls, empty strings, NaN and mixed case.
fn context(optimized: bool) -> KqlContext {
    let ctx = if optimized {
        KqlContext::new()
    } else {
        KqlContext::without_logical_optimizer()
    };
    let schema = Arc::new(Schema::new(vec![
        Field::new(
            "TimeGenerated",
            DataType::Timestamp(TimeUnit::Nanosecond, Some("UTC".into())),
            true,
        ),
        Field::new("Host", DataType::Utf8, true),
        Field::new("Level", DataType::Utf8, true),
        Field::new("Bytes", DataType::Int64, true),
        Field::new("Latency", DataType::Float64, true),
        Field::new("Message", DataType::Utf8, true),
    ]));
    let mut rng = Rng(SplitMix64::new(7));
    let start: i64 = 1_710_000_000_000_000_000;
    let partitions: Vec<Vec<RecordBatch>> = (0..3)
        .map(|p| {
            let n = 700;
            let mut t = Vec::new();
            let mut host = Vec::new();
            let mut level = Vec::new();
            let mut bytes = Vec::new();
            let mut lat = Vec::new();
            let mut msg = Vec::new();
            for i in 0..n {
                let k = (p * n + i) as i64;
                t.push(Some(
                    start + k * 37_000_000_000 + (rng.below(1000) as i64) * 1_000_000,
                ));
                host.push((!rng.chance(5)).then(|| HOSTS[rng.below(HOSTS.len())].to_string()));
                level.push(Some(LEVELS[rng.below(LEVELS.len())].to_string()));
                bytes.push((!rng.chance(8)).then(|| rng.below(5000) as i64 - 200));
                lat.push(if rng.chance(3) {
                    Some(f64::NAN)
                } else if rng.chance(5) {
                    None
                } else {
                    Some(rng.below(100_000) as f64 / 100.0)
                });
                msg.push(Some(format!(
                    "{} request {} took {}ms user=u{}",
                    ["GET", "POST", "get"][rng.below(3)],
                    ["/api/cart", "/api/search?q=x", "/health"][rng.below(3)],
                    rng.below(900),
                    rng.below(20)
                )));
            }
            let columns: Vec<ArrayRef> = vec![
                Arc::new(TimestampNanosecondArray::from(t).with_timezone("UTC")),
                Arc::new(StringArray::from(host)),
                Arc::new(StringArray::from(level)),
                Arc::new(Int64Array::from(bytes)),
                Arc::new(Float64Array::from(lat)),
                Arc::new(StringArray::from(msg)),
            ];
            vec![RecordBatch::try_new(Arc::clone(&schema), columns).expect("batch")]
        })
        .collect();
    let table = MemTable::try_new(schema, partitions).expect("table");
    ctx.register_table("Logs", Arc::new(table))
        .expect("register");
    ctx
}

fn predicate(r: &mut Rng) -> String {
    let p = match r.below(12) {
        0 => format!(
            "Bytes {} {}",
            r.pick(&[">", "<", ">=", "==", "!="]),
            r.below(4000)
        ),
        1 => format!("Host == '{}'", r.pick(&HOSTS)),
        2 => format!("Host =~ '{}'", r.pick(&["db-02", "WEB-01", "cache-1"])),
        3 => format!(
            "Message has '{}'",
            r.pick(&["GET", "cart", "api", "took", "u1"])
        ),
        4 => format!("Message contains '{}'", r.pick(&["Api", "search?", "ms u"])),
        5 => format!("Level in ('{}', '{}')", r.pick(&LEVELS), r.pick(&LEVELS)),
        6 => format!("isnull({})", r.pick(&["Bytes", "Latency"])),
        7 => format!("isnotempty({})", r.pick(&["Host", "Level"])),
        8 => format!(
            "Latency between ({} .. {})",
            r.below(300),
            300 + r.below(700)
        ),
        9 => format!("Message startswith '{}'", r.pick(&["get", "POST", "G"])),
        10 => format!(
            "TimeGenerated > datetime(2024-03-09 16:00) + {}h",
            r.below(20)
        ),
        _ => format!("Bytes % {} == 0", 2 + r.below(5)),
    };
    match r.below(6) {
        0 => format!("not({p})"),
        1 => format!("{p} and {}", predicate(r)),
        2 => format!("{p} or {}", predicate(r)),
        _ => p,
    }
}

fn computed(r: &mut Rng) -> String {
    match r.below(9) {
        0 => format!("Bytes * {} + 1", 1 + r.below(3)),
        1 => "Bytes / 7".to_string(),
        2 => "round(Latency / 10, 1)".to_string(),
        3 => "strcat(Host, ':', Level)".to_string(),
        4 => format!("iff(Bytes > {}, 'big', 'small')", r.below(3000)),
        5 => "bin(TimeGenerated, 1h)".to_string(),
        6 => "tolower(Host)".to_string(),
        7 => "extract('took ([0-9]+)ms', 1, Message)".to_string(),
        _ => "coalesce(Latency, -1.0)".to_string(),
    }
}

/// A query and whether its row order is defined (it ends in a total sort).
fn query(r: &mut Rng) -> (String, bool) {
    let mut q = String::from("Logs");
    let mut ordered = false;
    if r.chance(80) {
        q.push_str(&format!(" | where {}", predicate(r)));
    }
    if r.chance(50) {
        q.push_str(&format!(" | extend c = {}", computed(r)));
    }
    match r.below(4) {
        0 => {
            let agg = r.pick(&[
                "count()",
                "sum(Bytes)",
                "min(Bytes)",
                "max(Latency)",
                "countif(Bytes > 1000)",
                "avg(Bytes)",
            ]);
            let by = r.pick(&["Host", "Level", "bin(TimeGenerated, 6h)", "Host, Level"]);
            q.push_str(&format!(" | summarize v = {agg} by {by}"));
            if r.chance(40) {
                q.push_str(&format!(" | where {}", r.pick(&["v > 10", "isnotnull(v)"])));
            }
        }
        1 => {
            q.push_str(" | project TimeGenerated, Host, Bytes");
            if r.chance(50) {
                // TimeGenerated is unique per row, so the order (and top's rows) are defined
                let n = 1 + r.below(40);
                q.push_str(&format!(
                    " | top {n} by TimeGenerated {}",
                    r.pick(&["asc", "desc"])
                ));
                ordered = true;
            }
        }
        2 => {
            q.push_str(&format!(
                " | summarize n = count() by k = {}",
                r.pick(&["Level", "tolower(Host)", "Bytes % 3"])
            ));
            q.push_str(" | sort by k asc");
            ordered = true;
        }
        _ => {
            q.push_str(&format!(
                " | distinct {}",
                r.pick(&["Level", "Host", "Level, Host"])
            ));
        }
    }
    (q, ordered)
}

/// The rows as text, sorted unless the order is defined.
fn rows(result: &[kql_engine::QueryResult], ordered: bool) -> Vec<String> {
    let mut out = Vec::new();
    for r in result {
        for b in &r.batches {
            for i in 0..b.num_rows() {
                let cells: Vec<String> = b
                    .columns()
                    .iter()
                    .zip(r.schema.fields())
                    .map(|(c, f)| format_value(c, i, f))
                    .collect();
                out.push(cells.join("|"));
            }
        }
    }
    if !ordered {
        out.sort();
    }
    out
}

/// How many queries a test run checks (1,500 with two other seeds agreed when this was written;
/// the first disagreement found this way, NaN in grouped min/max, is fixed and kept in
/// corpus/kqlt/summarize.kqlt).
const QUERIES: usize = 200;

#[test]
fn queries_agree_with_and_without_the_logical_optimizer() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let optimized = context(true);
    let plain = context(false);
    let mut rng = Rng(SplitMix64::new(2024));
    let mut problems = Vec::new();
    let mut ran = 0;
    for _ in 0..QUERIES {
        let (q, ordered) = query(&mut rng);
        let a = rt.block_on(optimized.run(&q));
        let b = rt.block_on(plain.run(&q));
        match (a, b) {
            (Ok(a), Ok(b)) => {
                ran += 1;
                let (ra, rb) = (rows(&a, ordered), rows(&b, ordered));
                if ra != rb {
                    problems.push(format!(
                        "{q}\n  optimized: {} rows {:?}\n  plain:     {} rows {:?}",
                        ra.len(),
                        ra.iter().take(3).collect::<Vec<_>>(),
                        rb.len(),
                        rb.iter().take(3).collect::<Vec<_>>()
                    ));
                }
            }
            (Err(a), Err(b)) => {
                if a.to_string() != b.to_string() {
                    problems.push(format!("{q}\n  errors differ: {a} / {b}"));
                }
            }
            (Ok(_), Err(e)) => problems.push(format!("{q}\n  only the plain plan fails: {e}")),
            (Err(e), Ok(_)) => problems.push(format!("{q}\n  only the optimized plan fails: {e}")),
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {QUERIES} queries disagree:\n{}",
        problems.len(),
        problems.join("\n")
    );
    // the generator must produce mostly valid queries, or the check is hollow
    assert!(
        ran >= QUERIES * 9 / 10,
        "only {ran} of {QUERIES} generated queries ran"
    );
}
