//! top-nested: hierarchical top-N. Each clause aggregates by the keys so far, keeps the top N
//! groups within its parent group (ranked with `row_number()` over the parent keys), and the
//! kept groups restrict the next level: they are joined with the rows (as the hash join's
//! build side) and carry their aggregates down, so each level is aggregated once. With `with
//! others` on any clause the rows are labelled level by level instead (see
//! [`Planner::plan_top_nested_others`]). When every level above the last counts rows, the rows
//! are aggregated once and the levels computed from those groups (`top_nested_rollup.rs`).

use super::col;
use crate::error::Result;
use crate::planner::Planner;
use datafusion::common::{JoinType, NullEquality};
use datafusion::functions_window::expr_fn::row_number;
use datafusion::logical_expr::{Expr, ExprFunctionExt, LogicalPlan, LogicalPlanBuilder, lit};
use kql_parser::ast::{self, ExprKind, Ident, NamedExpr, SortOrder, TopNestedClause};
use kql_parser::span::Span;

/// Joins `left` and `right` on the same-named `keys`; output: left's columns, then right's
/// non-key columns.
pub(super) fn join_on_names(
    left: LogicalPlan,
    right: LogicalPlan,
    keys: &[String],
    jt: JoinType,
) -> Result<LogicalPlan> {
    let pairs: Vec<(String, String)> = keys.iter().map(|k| (k.clone(), k.clone())).collect();
    let (joined, left_names, right_names) =
        super::join::prefixed_join_with(left, right, &pairs, jt, NullEquality::NullEqualsNull)?;
    let mut exprs: Vec<Expr> = left_names
        .iter()
        .map(|n| col(&format!("__l_{n}")).alias(n.clone()))
        .collect();
    if !matches!(jt, JoinType::LeftSemi | JoinType::LeftAnti) {
        for n in right_names.iter().filter(|n| !keys.contains(n)) {
            exprs.push(col(&format!("__r_{n}")).alias(n.clone()));
        }
    }
    Ok(LogicalPlanBuilder::from(joined).project(exprs)?.build()?)
}

/// A clause's aggregate: its output name (`aggregated_<key>` unless named) and the
/// summarize item computing it.
pub(super) fn level_aggregate(c: &TopNestedClause, key: &str) -> (String, Vec<NamedExpr>) {
    let agg_name = match c.by.expr.names.first() {
        Some(n) => n.name.clone(),
        None => format!("aggregated_{key}"),
    };
    let aggs = vec![NamedExpr {
        names: vec![Ident::new(agg_name.clone(), c.by.span)],
        expr: c.by.expr.expr.clone(),
        span: c.by.span,
    }];
    (agg_name, aggs)
}

/// `by` items grouping on the named columns.
pub(super) fn group_keys(names: &[String], span: Span) -> Vec<NamedExpr> {
    names
        .iter()
        .map(|k| NamedExpr {
            names: Vec::new(),
            expr: crate::planner::ast_build::name(k, span),
            span,
        })
        .collect()
}

impl Planner<'_> {
    pub(crate) fn plan_top_nested(
        &mut self,
        input: LogicalPlan,
        clauses: &[TopNestedClause],
    ) -> Result<LogicalPlan> {
        // 1. the grouping column of each level, computed once
        let mut key_names: Vec<String> = Vec::new();
        let mut key_items: Vec<NamedExpr> = Vec::new();
        for (i, c) in clauses.iter().enumerate() {
            let name = match (c.of.names.first(), &c.of.expr.kind) {
                (Some(n), _) => n.name.clone(),
                (None, ExprKind::Name(id)) => id.name.clone(),
                (None, _) => format!("Column{}", i + 1),
            };
            key_items.push(NamedExpr {
                names: vec![Ident::new(name.clone(), c.of.span)],
                expr: c.of.expr.clone(),
                span: c.of.span,
            });
            key_names.push(name);
        }
        let base = self.plan_extend(input, &key_items)?;
        if clauses.iter().any(|c| c.others.is_some()) {
            return self.plan_top_nested_others(base, clauses, &key_names);
        }
        if let Some(plan) = self.plan_top_nested_rollup(&base, clauses, &key_names)? {
            return Ok(plan);
        }
        // 2. level by level: the kept groups of the levels so far (their keys and aggregates,
        // the aggregates under hidden names) joined with the rows (the small side first, so
        // it is the hash join's build side); each level aggregates by the parent keys and
        // aggregates (one value per parent group, so the groups are the same) and its own
        // key. Each level's aggregate is computed once and carried down to the output.
        let mut prev: Option<LogicalPlan> = None;
        let mut carried: Vec<String> = Vec::new();
        let mut shown: Vec<Expr> = Vec::new();
        // at most this many groups are kept after each level (the product of the counts)
        let mut bound: Option<u64> = Some(1);
        for (i, c) in clauses.iter().enumerate() {
            let parent_keys: Vec<String> = key_names[..i].to_vec();
            let level_input = match &prev {
                Some(p) => join_on_names(p.clone(), base.clone(), &parent_keys, JoinType::Inner)?,
                None => base.clone(),
            };
            let (agg_name, _) = level_aggregate(c, &key_names[i]);
            let hidden = format!("__kql_level_{i}");
            let aggs = vec![NamedExpr {
                names: vec![Ident::new(hidden.clone(), c.by.span)],
                expr: c.by.expr.expr.clone(),
                span: c.by.span,
            }];
            let mut by_names = parent_keys.clone();
            by_names.extend(carried.iter().cloned());
            by_names.push(key_names[i].clone());
            let by = group_keys(&by_names, c.span);
            let level = self.plan_summarize(level_input, &aggs, &by, c.span)?;
            let kept = self.keep_top(level, c, &parent_keys, &hidden)?;
            bound = match (&c.count, bound) {
                (Some(n), Some(b)) => u64::try_from(self.top_nested_count(n)?)
                    .ok()
                    .and_then(|n| b.checked_mul(n)),
                _ => None,
            };
            // A limit the kept groups never exceed: it changes no result, but gives the join
            // below a known small size, so DataFusion builds its hash table from these groups
            // and streams the rows past it, instead of hash-partitioning every row.
            prev = Some(match bound {
                Some(b) if b > 0 => LogicalPlanBuilder::from(kept)
                    .limit(0, usize::try_from(b).ok())?
                    .build()?,
                _ => kept,
            });
            shown.push(col(&key_names[i]));
            shown.push(col(&hidden).alias(agg_name));
            carried.push(hidden);
        }
        match prev {
            // each level's key and aggregate, in clause order
            Some(p) => Ok(LogicalPlanBuilder::from(p).project(shown)?.build()?),
            None => self.err(
                "KQL0107",
                "`top-nested` needs at least one clause",
                Span::default(),
            ),
        }
    }

    /// The groups of `level` (aggregated by the parent keys and this level's key) that make the
    /// clause's top N within their parent group; all of them without N.
    pub(super) fn keep_top(
        &mut self,
        level: LogicalPlan,
        c: &TopNestedClause,
        parent_keys: &[String],
        agg_name: &str,
    ) -> Result<LogicalPlan> {
        let Some(n) = &c.count else {
            return Ok(level);
        };
        let n = self.top_nested_count(n)?;
        let asc = c.by.order == Some(SortOrder::Asc);
        let rank = row_number()
            .partition_by(parent_keys.iter().map(|k| col(k)).collect())
            .order_by(vec![col(agg_name).sort(asc, !asc)])
            .build()?
            .alias("__kql_rank");
        let cols = super::all_columns(level.schema());
        Ok(LogicalPlanBuilder::from(level)
            .window(vec![rank])?
            .filter(col("__kql_rank").lt_eq(lit(n)))?
            .project(cols)?
            .build()?)
    }

    pub(super) fn top_nested_count(&mut self, e: &ast::Expr) -> Result<i64> {
        let (x, _) = self.plan_scalar(e, &datafusion::common::DFSchema::empty())?;
        match x {
            Expr::Literal(datafusion::scalar::ScalarValue::Int64(Some(v)), _) if v >= 0 => Ok(v),
            Expr::Literal(datafusion::scalar::ScalarValue::Int32(Some(v)), _) if v >= 0 => {
                Ok(i64::from(v))
            }
            _ => self.err(
                "KQL0313",
                "the count of `top-nested` must be a non-negative integer constant",
                e.span,
            ),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use crate::{KqlContext, QueryResult};
    use datafusion::arrow::util::display::array_value_to_string;
    use std::collections::BTreeMap;

    type Row = (String, String, i64, i64);

    fn data() -> Vec<Row> {
        let mut x: u64 = 0x853c_49e6_748f_ea9b;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        (0..300)
            .map(|_| {
                let a = format!("a{}", next() % 5);
                let b = format!("b{}", next() % 4);
                let c = (next() % 3) as i64;
                // wide values: no ties between the aggregates compared
                let v = (next() % 1_000_000_000) as i64 + 1;
                (a, b, c, v)
            })
            .collect()
    }

    /// top-nested computed directly: top 2 A by sum(V) desc; every B by max(V); the top 1 C
    /// by min(V) asc.
    fn oracle(rows: &[Row]) -> Vec<Vec<String>> {
        let mut by_a: BTreeMap<&str, i64> = BTreeMap::new();
        for r in rows {
            *by_a.entry(&r.0).or_default() += r.3;
        }
        let mut tops: Vec<(&str, i64)> = by_a.into_iter().collect();
        tops.sort_by_key(|x| std::cmp::Reverse(x.1));
        tops.truncate(2);
        let mut out = Vec::new();
        for (a, sum_a) in tops {
            let mut by_b: BTreeMap<&str, i64> = BTreeMap::new();
            for r in rows.iter().filter(|r| r.0 == a) {
                let m = by_b.entry(&r.1).or_insert(i64::MIN);
                *m = (*m).max(r.3);
            }
            for (b, max_b) in by_b {
                let mut by_c: BTreeMap<i64, i64> = BTreeMap::new();
                for r in rows.iter().filter(|r| r.0 == a && r.1 == b) {
                    let m = by_c.entry(r.2).or_insert(i64::MAX);
                    *m = (*m).min(r.3);
                }
                if let Some((c, min_c)) = by_c.into_iter().min_by_key(|(_, m)| *m) {
                    out.push(vec![
                        a.to_string(),
                        sum_a.to_string(),
                        b.to_string(),
                        max_b.to_string(),
                        c.to_string(),
                        min_c.to_string(),
                    ]);
                }
            }
        }
        out.sort();
        out
    }

    #[tokio::test]
    async fn three_levels_agree_with_a_direct_computation() {
        let rows = data();
        let values: Vec<String> = rows
            .iter()
            .map(|(a, b, c, v)| format!("'{a}','{b}',{c},{v}"))
            .collect();
        // the second level has no count and names its aggregate like an input column
        let q = format!(
            "datatable(A:string, B:string, C:long, V:long)[{}] \
             | top-nested 2 of A by sum(V), top-nested of B by V = max(V), \
               top-nested 1 of C by min(V) asc",
            values.join(",")
        );
        let ctx = KqlContext::new();
        let res = ctx.run(&q).await.unwrap();
        let r = &res[0];
        let names: Vec<&str> = r
            .schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        assert_eq!(names, ["A", "aggregated_A", "B", "V", "C", "aggregated_C"]);
        assert_eq!(sorted_rows(r), oracle(&rows));
    }

    /// A result's rows as text, sorted.
    pub(in crate::planner::operators) fn sorted_rows(r: &QueryResult) -> Vec<Vec<String>> {
        let mut got = Vec::new();
        for b in &r.batches {
            for i in 0..b.num_rows() {
                got.push(
                    b.columns()
                        .iter()
                        .map(|c| array_value_to_string(c, i).unwrap())
                        .collect::<Vec<_>>(),
                );
            }
        }
        got.sort();
        got
    }
}
