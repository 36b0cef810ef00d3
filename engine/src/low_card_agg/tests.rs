use super::*;
use crate::KqlContext;
use crate::sources::testutil::{temp_dir, write_parquet};
use datafusion::arrow::array::{
    Float64Array, Int64Array, StringViewArray, TimestampNanosecondArray,
};
use datafusion::arrow::datatypes::{Field, Int64Type, Schema};
use datafusion::arrow::util::display::array_value_to_string;
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::execution::memory_pool::GreedyMemoryPool;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::functions_aggregate::count::count_udaf;
use datafusion::functions_aggregate::sum::sum_udaf;
use datafusion::physical_expr::aggregate::AggregateExprBuilder;
use datafusion::physical_expr::expressions::col;
use datafusion::physical_plan::aggregates::PhysicalGroupBy;
use datafusion::physical_plan::collect;
use datafusion::prelude::SessionConfig;
use std::collections::BTreeMap;

type TestResult<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

const RULE: &str = "kql_low_card_aggregate";

/// Every row of every result of `script`, as text, sorted.
async fn rows(ctx: &KqlContext, script: &str) -> TestResult<Vec<String>> {
    let mut out = Vec::new();
    for r in ctx.run(script).await? {
        for b in &r.batches {
            for i in 0..b.num_rows() {
                let cells = b
                    .columns()
                    .iter()
                    .map(|c| array_value_to_string(c, i))
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                out.push(cells.join(" | "));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Host: 37 names (≤ 12 bytes, stored inline in the views) and null on every 41st row;
/// Counter: 6 names longer than 12 bytes; V: whole numbers (sums are exact in any order),
/// null on every 13th row; Level: 0–4; T: one row a minute.
struct Data {
    host: Vec<Option<String>>,
    counter: Vec<String>,
    v: Vec<Option<f64>>,
    level: Vec<i64>,
    t: Vec<i64>,
}

fn data(n: usize) -> Data {
    let mut d = Data {
        host: Vec::new(),
        counter: Vec::new(),
        v: Vec::new(),
        level: Vec::new(),
        t: Vec::new(),
    };
    for i in 0..n {
        d.host
            .push((i % 41 != 0).then(|| format!("host-{:02}", (i * 7) % 37)));
        d.counter.push(format!("% Counter number {}", (i * 5) % 6));
        d.v.push((i % 13 != 0).then_some(((i * 31) % 101) as f64));
        d.level.push((i % 5) as i64);
        d.t.push(1_700_000_000_000_000_000 + i as i64 * 60_000_000_000);
    }
    d
}

fn batch(d: &Data) -> TestResult<RecordBatch> {
    Ok(RecordBatch::try_from_iter(vec![
        (
            "Host",
            Arc::new(StringViewArray::from_iter(
                d.host.iter().map(|h| h.as_deref()),
            )) as ArrayRef,
        ),
        (
            "Counter",
            Arc::new(StringViewArray::from_iter_values(d.counter.iter())) as ArrayRef,
        ),
        ("V", Arc::new(Float64Array::from(d.v.clone())) as ArrayRef),
        (
            "Level",
            Arc::new(Int64Array::from(d.level.clone())) as ArrayRef,
        ),
        (
            "T",
            Arc::new(TimestampNanosecondArray::from(d.t.clone()).with_timezone("UTC")) as ArrayRef,
        ),
    ])?)
}

/// Writes the data as Parquet (row groups of 3,000 rows) and registers it as `P` in a context
/// with the rule and one without.
async fn contexts(tag: &str, d: &Data) -> TestResult<(KqlContext, KqlContext)> {
    let dir = temp_dir(tag)?;
    let path = dir.join("p.parquet");
    write_parquet(&path, &batch(d)?, Some(3_000))?;
    let with = KqlContext::new();
    let without = KqlContext::without_physical_rule(RULE);
    for ctx in [&with, &without] {
        ctx.register_path("P", path.to_str().ok_or("path")?)?;
    }
    Ok((with, without))
}

/// Counts and sums by (Host, Counter) against the same computed directly from the data.
#[tokio::test]
async fn counts_and_sums_match_the_data() -> TestResult {
    let d = data(20_000);
    let (ctx, _) = contexts("lowcard-oracle", &d).await?;
    let mut expected: BTreeMap<(String, String), (i64, i64, i64)> = BTreeMap::new();
    for i in 0..d.counter.len() {
        let host = d.host[i].clone().unwrap_or_default();
        let e = expected.entry((host, d.counter[i].clone())).or_default();
        e.0 += 1;
        if let Some(v) = d.v[i] {
            e.1 += v as i64;
            e.2 += 1;
        }
    }
    let want: Vec<String> = expected
        .iter()
        .map(|((h, c), (n, s, nv))| format!("{h} | {c} | {n} | {s} | {nv}"))
        .collect();
    let got = rows(
        &ctx,
        "P | summarize n = count(), s = tolong(sum(V)), nv = countif(isnotnull(V)) by Host, Counter \
         | extend Host = coalesce(Host, '')",
    )
    .await?;
    assert_eq!(got, want);
    let plan = ctx
        .explain("P | summarize count() by Host, Counter")
        .await?;
    assert!(plan.contains("KqlLowCardAggregateExec"), "{plan}");
    Ok(())
}

/// The same answers with the rule and without it, over aggregates of each kind (DataFusion's,
/// KQL's own, with a filter), one to three group columns of each supported type, and nulls.
#[tokio::test]
async fn same_answers_as_datafusion_grouping() -> TestResult {
    let d = data(25_000);
    let (with, without) = contexts("lowcard-diff", &d).await?;
    let queries = [
        "P | summarize count() by Counter",
        "P | summarize percentile(V, 95), max(V), min(V) by Counter",
        "P | summarize dcount(Host) by Counter",
        "P | summarize countif(V > 50), sumif(V, Level == 2) by Host",
        "P | summarize avg(V), s = make_set(Level) by Host, Counter | extend s = array_sort_asc(s)",
        "P | where Level >= 2 | distinct Host, Counter",
        "P | summarize count() by bin(T, 1h), Host",
        "P | summarize count() by Level, Host, Counter",
        "P | summarize arg_max(T, Level, V) by Counter",
        "P | summarize arg_min(T, *) by Host, Counter",
        "P | summarize percentiles(V, 50, 90) by Counter, Host",
        "P | make-series avg(V) default = 0 on T step 1d by Host",
        "P | where Counter == '% Counter number 3' | summarize count() by Host",
        "P | summarize count(), sum(V) by L = toint(Level), Host",
        "P | summarize count() by D = (T - datetime(2023-11-14)) / 7d * 7d, Counter",
    ];
    let mut rewritten = Vec::new();
    for q in queries {
        assert_eq!(rows(&with, q).await?, rows(&without, q).await?, "{q}");
        if with.explain(q).await?.contains("KqlLowCardAggregateExec") {
            rewritten.push(q);
        }
        assert!(
            !without
                .explain(q)
                .await?
                .contains("KqlLowCardAggregateExec"),
            "{q}"
        );
    }
    // make-series groups in its own node
    let expected: Vec<&str> = queries
        .iter()
        .copied()
        .filter(|q| !q.contains("make-series"))
        .collect();
    assert_eq!(rewritten, expected, "queries using the new stage");
    Ok(())
}

/// One partition's worth of batches of 1,000 rows: `key` strings and `v` = 1.
fn keyed_batches(keys: impl Iterator<Item = String>) -> TestResult<Vec<RecordBatch>> {
    let keys: Vec<String> = keys.collect();
    let mut out = Vec::new();
    for chunk in keys.chunks(1_000) {
        out.push(RecordBatch::try_from_iter(vec![
            (
                "key",
                Arc::new(StringViewArray::from_iter_values(chunk.iter())) as ArrayRef,
            ),
            (
                "v",
                Arc::new(Int64Array::from(vec![1i64; chunk.len()])) as ArrayRef,
            ),
        ])?);
    }
    Ok(out)
}

/// `count(v), sum(v) by key` over `batches` in one partition: the partial stage in this node,
/// then DataFusion's final stage. Returns each key with its count and sum, sorted.
async fn count_by_key(
    batches: Vec<RecordBatch>,
    context: Arc<TaskContext>,
) -> TestResult<Vec<(String, i64, i64)>> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8View, false),
        Field::new("v", DataType::Int64, false),
    ]));
    let source = MemorySourceConfig::try_new_exec(&[batches], Arc::clone(&schema), None)?;
    let v = col("v", &schema)?;
    let aggs = vec![
        Arc::new(
            AggregateExprBuilder::new(count_udaf(), vec![Arc::clone(&v)])
                .schema(Arc::clone(&schema))
                .alias("n")
                .build()?,
        ),
        Arc::new(
            AggregateExprBuilder::new(sum_udaf(), vec![v])
                .schema(Arc::clone(&schema))
                .alias("s")
                .build()?,
        ),
    ];
    let group_by = PhysicalGroupBy::new_single(vec![(col("key", &schema)?, "key".into())]);
    let partial = AggregateExec::try_new(
        AggregateMode::Partial,
        group_by.clone(),
        aggs.clone(),
        vec![None, None],
        source,
        Arc::clone(&schema),
    )?;
    let types = eligible(&partial)?.ok_or("not eligible")?;
    let node = Arc::new(LowCardAggregateExec {
        agg: Arc::new(partial),
        types,
    });
    let last = AggregateExec::try_new(
        AggregateMode::Final,
        group_by.as_final(),
        aggs,
        vec![None, None],
        node,
        schema,
    )?;
    let mut out = Vec::new();
    for b in collect(Arc::new(last), context).await? {
        let keys = b.column(0).as_string_view();
        let n = b.column(1).as_primitive::<Int64Type>();
        let s = b.column(2).as_primitive::<Int64Type>();
        for i in 0..b.num_rows() {
            out.push((keys.value(i).to_string(), n.value(i), s.value(i)));
        }
    }
    out.sort();
    Ok(out)
}

/// The keys of `keys` with how often each occurs (as count and as sum of ones), sorted.
fn expected_counts(keys: impl Iterator<Item = String>) -> Vec<(String, i64, i64)> {
    let mut m: BTreeMap<String, i64> = BTreeMap::new();
    for k in keys {
        *m.entry(k).or_default() += 1;
    }
    m.into_iter().map(|(k, n)| (k, n, n)).collect()
}

/// Past the probe, a high-cardinality partition is handed to DataFusion's stage: the groups
/// counted before and after the hand-over merge into the right answer. 250,000 rows over
/// 150,000 keys (each key on rows i and i + 150,000 when both exist).
#[tokio::test]
async fn high_cardinality_hands_over() -> TestResult {
    let keys = || (0..250_000).map(|i| format!("a-long-key-{:08}", i % 150_000));
    let context = Arc::new(TaskContext::default());
    let got = count_by_key(keyed_batches(keys())?, context).await?;
    assert_eq!(got.len(), 150_000);
    assert_eq!(got, expected_counts(keys()));
    Ok(())
}

/// Low cardinality over many batches stays in this node and gives the same counts.
#[tokio::test]
async fn low_cardinality_over_many_batches() -> TestResult {
    // each batch's rows start at a different key, so a view (buffer, offset) names different
    // strings in different batches
    let keys = || (0..200_000).map(|i| format!("counter name {}", i % 7));
    let context = Arc::new(TaskContext::default());
    let got = count_by_key(keyed_batches(keys())?, context).await?;
    assert_eq!(got.len(), 7);
    assert_eq!(got, expected_counts(keys()));
    Ok(())
}

/// A memory pool that refuses the state's growth hands over too (DataFusion's partial stage
/// then emits early); the answer stays right. In 320 KB the node is refused after 5,000 rows,
/// and the final stage still fits.
#[tokio::test]
async fn refused_memory_hands_over() -> TestResult {
    let keys = || (0..30_000).map(|i| format!("k{}", i % 5_000));
    let batches = keyed_batches(keys())?;
    let runtime = RuntimeEnvBuilder::new()
        .with_memory_pool(Arc::new(GreedyMemoryPool::new(320 * 1024)))
        .build_arc()?;
    let context = Arc::new(
        TaskContext::default()
            .with_session_config(SessionConfig::new())
            .with_runtime(runtime),
    );
    assert_eq!(
        count_by_key(batches, context).await?,
        expected_counts(keys())
    );
    Ok(())
}
