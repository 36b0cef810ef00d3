//! top-nested: hierarchical top-N. Each clause aggregates by the keys so far, keeps the top N
//! groups within its parent group (ranked with `row_number()` over the parent keys), and the
//! kept groups restrict the next level. With `with others` on any clause the rows are labelled
//! level by level instead (see [`Planner::plan_top_nested_others`]).

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
        let mut prev: Option<LogicalPlan> = None;
        for (i, c) in clauses.iter().enumerate() {
            let parent_keys: Vec<String> = key_names[..i].to_vec();
            let level_input = match &prev {
                Some(p) => {
                    join_on_names(base.clone(), p.clone(), &parent_keys, JoinType::LeftSemi)?
                }
                None => base.clone(),
            };
            let (agg_name, aggs) = level_aggregate(c, &key_names[i]);
            let by = group_keys(&key_names[..=i], c.span);
            let level = self.plan_summarize(level_input, &aggs, &by, c.span)?;
            let level = self.keep_top(level, c, &parent_keys, &agg_name)?;
            prev = Some(match prev {
                None => level,
                // parent keys and aggregates first, then this level's key and aggregate
                Some(p) => join_on_names(p, level, &parent_keys, JoinType::Inner)?,
            });
        }
        match prev {
            Some(p) => Ok(p),
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

    fn top_nested_count(&mut self, e: &ast::Expr) -> Result<i64> {
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
