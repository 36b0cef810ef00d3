//! Catalog entries for the sketch functions (HyperLogLog and t-digest; part of `catalog.rs`).
//! The sketches are `dynamic` values in this engine's own format, not Kusto's.

use super::{FunctionEntry, Kind};

pub(super) static ENTRIES: &[FunctionEntry] = &[
    entry!(
        "hll",
        [],
        Aggregate,
        "aggregate",
        "hll(expr [, accuracy: int]) -> dynamic",
        "HyperLogLog sketch of the group's distinct values (accuracy 0..4 as dcount), for dcount_hll and hll_merge. The sketch format is this engine's, not Kusto's.",
        r#"range x from 1 to 1000 step 1 | summarize h = hll(x % 10) | project n = dcount_hll(h)"#,
        "n\n10\n"
    ),
    entry!(
        "hll_if",
        [],
        Aggregate,
        "aggregate",
        "hll_if(expr, predicate: bool [, accuracy: int]) -> dynamic",
        "HyperLogLog sketch of the distinct values among the rows for which the predicate holds.",
        r#"range x from 1 to 100 step 1 | summarize h = hll_if(x, x % 2 == 0) | project n = dcount_hll(h)"#,
        "n\n50\n"
    ),
    entry!(
        "hll_merge",
        [],
        Aggregate,
        "aggregate",
        "hll_merge(hll: dynamic) -> dynamic (aggregate); hll_merge(hll1, hll2, ...) -> dynamic (scalar)",
        "Merges hll sketches of the same accuracy: across the group, or (with 2 to 64 arguments) per row.",
        r#"range x from 1 to 10 step 1 | extend y = x + 10 | summarize hx = hll(x), hy = hll(y) | project merged = hll_merge(hx, hy) | project n = dcount_hll(merged)"#,
        "n\n20\n"
    ),
    entry!(
        "dcount_hll",
        [],
        Scalar,
        "sketch",
        "dcount_hll(hll: dynamic) -> long",
        "The distinct count estimated by an hll, hll_if or hll_merge sketch.",
        r#"range x from 1 to 5 step 1 | summarize h = hll(x) | project n = dcount_hll(h)"#,
        "n\n5\n"
    ),
    entry!(
        "tdigest",
        [],
        Aggregate,
        "aggregate",
        "tdigest(expr [, weight: long]) -> dynamic",
        "t-digest sketch of the group's values (numbers, datetimes, timespans), optionally weighted, for percentile_tdigest and tdigest_merge. The format is this engine's, not Kusto's.",
        r#"datatable(V: real, W: long) [1.0, 1, 2.0, 2] | summarize TD = tdigest(V, W) | project P50 = percentile_tdigest(TD, 50)"#,
        "P50\n2\n"
    ),
    entry!(
        "tdigest_merge",
        ["merge_tdigest"],
        Aggregate,
        "aggregate",
        "tdigest_merge(tdigest: dynamic) -> dynamic (aggregate); merge_tdigest(tdigest1, ...) -> dynamic (scalar)",
        "Merges t-digests of the same value type: across the group, or (merge_tdigest with several arguments) per row.",
        r#"range x from 1 to 10 step 1 | summarize t = tdigest(x) by g = x % 2 | summarize m = tdigest_merge(t) | project p = percentile_tdigest(m, 100, typeof(long))"#,
        "p\n10\n"
    ),
    entry!(
        "percentile_tdigest",
        [],
        Scalar,
        "sketch",
        "percentile_tdigest(tdigest: dynamic, percentile: real [, typeof(T)]) -> T (dynamic without a type)",
        "A percentile estimated from a t-digest (exact nearest rank while the digest holds at most 2048 distinct values).",
        r#"range x from 1 to 10 step 1 | extend y = x + 10 | summarize tx = tdigest(x), ty = tdigest(y) | project merged = merge_tdigest(tx, ty) | project p = percentile_tdigest(merged, 100, typeof(long))"#,
        "p\n20\n"
    ),
    entry!(
        "percentiles_array_tdigest",
        [],
        Scalar,
        "sketch",
        "percentiles_array_tdigest(tdigest: dynamic, percentile1, ... | dynamic([...]) [, typeof(T)]) -> dynamic",
        "Several percentiles estimated from a t-digest, as a dynamic array.",
        r#"range x from 1 to 10 step 1 | summarize t = tdigest(x) | project a = percentiles_array_tdigest(t, 0, 50, 100)"#,
        "a\n\"[1,5,10]\"\n"
    ),
    entry!(
        "percentrank_tdigest",
        [],
        Scalar,
        "sketch",
        "percentrank_tdigest(tdigest: dynamic, value) -> real",
        "The percentage of the digest's values that are less than or equal to a value.",
        r#"range x from 1 to 1000 step 1 | summarize t = tdigest(x) | project r = percentrank_tdigest(t, 685)"#,
        "r\n68.5\n"
    ),
    entry!(
        "rank_tdigest",
        [],
        Scalar,
        "sketch",
        "rank_tdigest(tdigest: dynamic, value) -> long",
        "The number of the digest's values that are less than or equal to a value.",
        r#"range x from 1 to 1000 step 1 | summarize t_x = tdigest(x) | project rank_of_685 = rank_tdigest(t_x, 685)"#,
        "rank_of_685\n685\n"
    ),
];
