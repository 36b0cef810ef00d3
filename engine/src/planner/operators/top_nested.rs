//! top-nested: hierarchical top-N. Each clause aggregates by the keys so far, keeps the top N
//! groups within its parent group (ranked with `row_number()` over the parent keys), and the
//! kept groups restrict the next level.

use super::col;
use crate::error::Result;
use crate::planner::Planner;
use datafusion::common::JoinType;
use datafusion::functions_window::expr_fn::row_number;
use datafusion::logical_expr::{Expr, ExprFunctionExt, LogicalPlan, LogicalPlanBuilder, lit};
use kql_parser::ast::{self, ExprKind, Ident, NamedExpr, SortOrder, TopNestedClause};
use kql_parser::span::Span;

fn name_expr(name: &str, span: Span) -> ast::Expr {
    ast::Expr::new(ExprKind::Name(Ident::new(name, span)), span)
}

/// Joins `left` and `right` on the same-named `keys`; output: left's columns, then right's
/// non-key columns.
fn join_on_names(
    left: LogicalPlan,
    right: LogicalPlan,
    keys: &[String],
    jt: JoinType,
) -> Result<LogicalPlan> {
    let pairs: Vec<(String, String)> = keys.iter().map(|k| (k.clone(), k.clone())).collect();
    let (joined, left_names, right_names) = super::join::prefixed_join(left, right, &pairs, jt)?;
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
            if let Some(o) = &c.others
                && clauses.len() > 1
            {
                return self.err(
                    "KQL0402",
                    "`with others` in a multi-level top-nested is not supported yet (it is supported with a single clause)",
                    o.span,
                );
            }
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
        let mut prev: Option<LogicalPlan> = None;
        for (i, c) in clauses.iter().enumerate() {
            let parent_keys: Vec<String> = key_names[..i].to_vec();
            let level_input = match &prev {
                Some(p) => {
                    join_on_names(base.clone(), p.clone(), &parent_keys, JoinType::LeftSemi)?
                }
                None => base.clone(),
            };
            let agg_name = match c.by.expr.names.first() {
                Some(n) => n.name.clone(),
                None => format!("aggregated_{}", key_names[i]),
            };
            let aggs = vec![NamedExpr {
                names: vec![Ident::new(agg_name.clone(), c.by.span)],
                expr: c.by.expr.expr.clone(),
                span: c.by.span,
            }];
            let by: Vec<NamedExpr> = key_names[..=i]
                .iter()
                .map(|k| NamedExpr {
                    names: Vec::new(),
                    expr: name_expr(k, c.span),
                    span: c.span,
                })
                .collect();
            let level = self.plan_summarize(level_input, &aggs, &by, c.span)?;
            let level = match &c.count {
                None => level,
                Some(n) => {
                    let n = self.top_nested_count(n)?;
                    let asc = c.by.order == Some(SortOrder::Asc);
                    let rank = row_number()
                        .partition_by(parent_keys.iter().map(|k| col(k)).collect())
                        .order_by(vec![col(&agg_name).sort(asc, !asc)])
                        .build()?
                        .alias("__kql_rank");
                    let cols = super::all_columns(level.schema());
                    LogicalPlanBuilder::from(level)
                        .window(vec![rank])?
                        .filter(col("__kql_rank").lt_eq(lit(n)))?
                        .project(cols)?
                        .build()?
                }
            };
            // `with others = v` (single level): one more row, keyed v, aggregating the rows
            // whose key did not make the top
            let level = match (&c.others, i) {
                (Some(o), 0) => {
                    let key = &key_names[0];
                    let kept_keys = LogicalPlanBuilder::from(level.clone())
                        .project(vec![col(key)])?
                        .build()?;
                    let rest = join_on_names(
                        base.clone(),
                        kept_keys,
                        std::slice::from_ref(key),
                        JoinType::LeftAnti,
                    )?;
                    let mut rest_aggs = aggs.clone();
                    rest_aggs.push(NamedExpr {
                        names: vec![Ident::new("__kql_rest_rows", c.span)],
                        expr: ast::Expr::new(
                            ExprKind::Call {
                                func: Box::new(name_expr("count", c.span)),
                                args: Vec::new(),
                            },
                            c.span,
                        ),
                        span: c.span,
                    });
                    let rest = self.plan_summarize(rest, &rest_aggs, &[], c.span)?;
                    let (ov, _) = self.plan_scalar(o, &datafusion::common::DFSchema::empty())?;
                    let key_type = level
                        .schema()
                        .field_with_unqualified_name(key)
                        .map(|f| f.data_type().clone())
                        .map_err(crate::error::KqlError::from)?;
                    let others = LogicalPlanBuilder::from(rest)
                        .filter(col("__kql_rest_rows").gt(lit(0i64)))?
                        .project(vec![
                            Expr::Cast(datafusion::logical_expr::Cast::new(Box::new(ov), key_type))
                                .alias(key.clone()),
                            col(&agg_name),
                        ])?
                        .build()?;
                    LogicalPlanBuilder::from(level).union(others)?.build()?
                }
                _ => level,
            };
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
