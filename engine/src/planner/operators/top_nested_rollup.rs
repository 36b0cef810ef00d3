//! top-nested in one aggregation, when every level above the last counts rows (`count()` or
//! `countif(p)`): the rows are aggregated once by all the levels' keys (the counts, and the
//! last level's own aggregate), and each level is then computed from those groups with window
//! functions, without reading the rows again:
//!
//! - level i's count is the sum of the per-group counts over its keys k1..ki (a window
//!   partitioned by them, over the whole partition);
//! - its top N groups within each parent group are those whose `dense_rank()` (partitioned by
//!   the parent keys, ordered by the level's value and then its key) is at most N. Each group
//!   has one (value, key) pair, so the ranks number the groups, ties on the value broken by
//!   the key: a valid top N, as `row_number()` over the groups is in the level-by-level plan;
//! - the last level's groups are the aggregated rows themselves.
//!
//! Dropping the groups of one level keeps or drops whole groups of the next, so the sums of
//! the remaining levels are unchanged. Any other aggregate above the last level (`sum`,
//! `dcount`, `avg`, …) uses the level-by-level plan of [`Planner::plan_top_nested`].

use super::col;
use super::top_nested::group_keys;
use crate::error::Result;
use crate::planner::Planner;
use datafusion::functions_window::expr_fn::dense_rank;
use datafusion::logical_expr::expr::WindowFunction;
use datafusion::logical_expr::{Expr, ExprFunctionExt, LogicalPlan, LogicalPlanBuilder, lit};
use kql_parser::ast::{ExprKind, Ident, NamedExpr, SortOrder, TopNestedClause};

/// True for `count()` and `countif(p)`: per-group counts whose sum is the count of the union.
fn is_count(e: &kql_parser::ast::Expr) -> bool {
    let ExprKind::Call { func, args } = &e.kind else {
        return false;
    };
    let ExprKind::Name(id) = &func.kind else {
        return false;
    };
    let unnamed = args.iter().all(|a| a.name.is_none());
    unnamed
        && match id.name.as_str() {
            "count" => args.is_empty(),
            "countif" => args.len() == 1,
            _ => false,
        }
}

impl Planner<'_> {
    /// The plan described in the module docs, or `None` when a level above the last does not
    /// count rows (or there is only one level). `base` has the levels' keys `key_names`.
    pub(super) fn plan_top_nested_rollup(
        &mut self,
        base: &LogicalPlan,
        clauses: &[TopNestedClause],
        key_names: &[String],
    ) -> Result<Option<LogicalPlan>> {
        let Some((last, above)) = clauses.split_last() else {
            return Ok(None);
        };
        if above.is_empty() || !above.iter().all(|c| is_count(&c.by.expr.expr)) {
            return Ok(None);
        }
        let n = clauses.len();
        let hidden = |i: usize| format!("__kql_level_{i}");
        let part = |i: usize| format!("__kql_part_{i}");
        // 1. one aggregation by every key: each upper level's count, the last level's value
        let mut aggs: Vec<NamedExpr> = above
            .iter()
            .enumerate()
            .map(|(i, c)| NamedExpr {
                names: vec![Ident::new(part(i), c.by.span)],
                expr: c.by.expr.expr.clone(),
                span: c.by.span,
            })
            .collect();
        aggs.push(NamedExpr {
            names: vec![Ident::new(hidden(n - 1), last.by.span)],
            expr: last.by.expr.expr.clone(),
            span: last.by.span,
        });
        let by = group_keys(key_names, last.span);
        let mut plan = self.plan_summarize(base.clone(), &aggs, &by, last.span)?;
        // 2. level by level over those groups
        for (i, c) in clauses.iter().enumerate() {
            let keys: Vec<Expr> = key_names[..=i].iter().map(|k| col(k)).collect();
            let parents: Vec<Expr> = key_names[..i].iter().map(|k| col(k)).collect();
            if i + 1 < n {
                let total = Expr::from(WindowFunction::new(
                    datafusion::functions_aggregate::sum::sum_udaf(),
                    vec![col(&part(i))],
                ))
                .partition_by(keys)
                .build()?
                .alias(hidden(i));
                plan = LogicalPlanBuilder::from(plan)
                    .window(vec![total])?
                    .build()?;
            }
            let Some(count) = &c.count else {
                continue;
            };
            let count = self.top_nested_count(count)?;
            let asc = c.by.order == Some(SortOrder::Asc);
            let rank = dense_rank()
                .partition_by(parents)
                .order_by(vec![
                    col(&hidden(i)).sort(asc, !asc),
                    col(&key_names[i]).sort(true, true),
                ])
                .build()?
                .alias("__kql_rank");
            let cols = super::all_columns(plan.schema());
            plan = LogicalPlanBuilder::from(plan)
                .window(vec![rank])?
                .filter(col("__kql_rank").lt_eq(lit(count)))?
                .project(cols)?
                .build()?;
        }
        // 3. each level's key and value, in clause order
        let mut shown: Vec<Expr> = Vec::new();
        for (i, c) in clauses.iter().enumerate() {
            let (agg_name, _) = super::top_nested::level_aggregate(c, &key_names[i]);
            shown.push(col(&key_names[i]));
            shown.push(col(&hidden(i)).alias(agg_name));
        }
        Ok(Some(
            LogicalPlanBuilder::from(plan).project(shown)?.build()?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use crate::KqlContext;
    use crate::planner::operators::top_nested::tests::sorted_rows;
    use std::collections::BTreeMap;

    /// (A, B, C, V); B and C may be null.
    type Row = [Option<i64>; 4];

    #[derive(Clone, Copy)]
    enum Agg {
        Count,
        CountBig,
        Max,
        Min,
    }

    struct Level {
        key: usize,
        agg: Agg,
        n: Option<usize>,
        asc: bool,
    }

    fn data() -> Vec<Row> {
        let mut rng = kql_functions::rng::SplitMix64::new(0x9e37_79b9_7f4a_7c15);
        let mut next = move || rng.next_u64();
        (0..400)
            .map(|_| {
                let a = Some((next() % 6) as i64);
                let b = match next() % 5 {
                    0 => None,
                    k => Some(k as i64),
                };
                let c = match next() % 4 {
                    0 => None,
                    k => Some(k as i64),
                };
                // wide values: no ties between the max/min compared
                let v = Some((next() % 1_000_000_000) as i64 + 1);
                [a, b, c, v]
            })
            .collect()
    }

    fn show(v: Option<i64>) -> String {
        v.map_or_else(String::new, |v| v.to_string())
    }

    /// top-nested computed directly, level by level: groups ordered by their value (desc
    /// unless `asc`), ties broken by the key ascending with null first (the rollup plan's
    /// order; Kusto leaves ties unspecified).
    fn oracle(rows: &[&Row], levels: &[Level]) -> Vec<Vec<String>> {
        let Some((level, deeper)) = levels.split_first() else {
            return vec![Vec::new()];
        };
        let mut groups: BTreeMap<Option<i64>, Vec<&Row>> = BTreeMap::new();
        for r in rows {
            groups.entry(r[level.key]).or_default().push(r);
        }
        let value = |g: &[&Row]| -> i64 {
            let v = g.iter().filter_map(|r| r[3]);
            match level.agg {
                Agg::Count => g.len() as i64,
                Agg::CountBig => v.filter(|v| *v > 500_000_000).count() as i64,
                Agg::Max => v.max().unwrap_or(i64::MIN),
                Agg::Min => v.min().unwrap_or(i64::MAX),
            }
        };
        let mut ranked: Vec<(i64, Option<i64>, Vec<&Row>)> =
            groups.into_iter().map(|(k, g)| (value(&g), k, g)).collect();
        ranked.sort_by(|a, b| {
            let by_value = if level.asc {
                a.0.cmp(&b.0)
            } else {
                b.0.cmp(&a.0)
            };
            by_value.then(a.1.cmp(&b.1))
        });
        ranked.truncate(level.n.unwrap_or(usize::MAX));
        let mut out = Vec::new();
        for (v, k, g) in ranked {
            for rest in oracle(&g, deeper) {
                let mut row = vec![show(k), v.to_string()];
                row.extend(rest);
                out.push(row);
            }
        }
        out
    }

    async fn run(query: &str, rows: &[Row]) -> Vec<Vec<String>> {
        let values: Vec<String> = rows
            .iter()
            .map(|r| {
                let cell =
                    |v: Option<i64>| v.map_or_else(|| "long(null)".into(), |v| v.to_string());
                r.map(cell).join(",")
            })
            .collect();
        let q = format!(
            "datatable(A:long, B:long, C:long, V:long)[{}] | {query}",
            values.join(",")
        );
        let ctx = KqlContext::new();
        let res = ctx.run(&q).await.unwrap();
        sorted_rows(&res[0])
    }

    #[tokio::test]
    async fn counted_levels_agree_with_a_direct_computation() {
        let rows = data();
        let all: Vec<&Row> = rows.iter().collect();
        let level = |key, agg, n, asc| Level { key, agg, n, asc };
        let cases = [
            (
                "top-nested 3 of A by count(), top-nested 2 of B by countif(V > 500000000), \
                 top-nested 1 of C by max(V)",
                vec![
                    level(0, Agg::Count, Some(3), false),
                    level(1, Agg::CountBig, Some(2), false),
                    level(2, Agg::Max, Some(1), false),
                ],
            ),
            (
                // ascending, and a level without N; ties on the counts are common here
                "top-nested 2 of A by count() asc, top-nested of C by count(), \
                 top-nested 2 of B by min(V) asc",
                vec![
                    level(0, Agg::Count, Some(2), true),
                    level(2, Agg::Count, None, false),
                    level(1, Agg::Min, Some(2), true),
                ],
            ),
            (
                "top-nested 4 of B by count(), top-nested 3 of C by count()",
                vec![
                    level(1, Agg::Count, Some(4), false),
                    level(2, Agg::Count, Some(3), false),
                ],
            ),
        ];
        for (query, levels) in cases {
            let mut want = oracle(&all, &levels);
            want.sort();
            assert!(want.len() > 3, "{query}: a non-trivial answer");
            assert_eq!(run(query, &rows).await, want, "{query}");
        }
    }
}
