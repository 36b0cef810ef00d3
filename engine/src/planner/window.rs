//! Window functions over a serialized row set (window-functions.md): `row_number`, `prev`,
//! `next`, `row_cumsum`, `row_rank_dense`. Only `sort`/`order`, `top`, `range`, `serialize`,
//! `getschema`, `top-nested` produce serialized input, and `where`, `extend`, `project*`,
//! `take`, `mv-expand`, `parse` keep it; other operators end it.
//!
//! Calls are lifted out of the expression before it is planned: the input gets a hidden
//! ordinal (`row_number()` over the input order) and one window column per call, ordered by
//! that ordinal; the expression then refers to the window columns by name.

use super::Planner;
use super::operators::{all_columns, col};
use crate::error::Result;
use datafusion::functions_window::expr_fn::{lag, lead, row_number};
use datafusion::logical_expr::expr::WindowFunction;
use datafusion::logical_expr::{Expr, ExprFunctionExt, LogicalPlan, LogicalPlanBuilder, lit};
use datafusion::scalar::ScalarValue;
use kql_parser::ast::{self, ExprKind, Ident, OperatorKind};

pub(crate) const WINDOW_FUNCTIONS: &[&str] = &[
    "row_number",
    "prev",
    "next",
    "row_cumsum",
    "row_rank_dense",
    "row_rank_min",
    "row_window_session",
];

const ORDINAL: &str = "__kql_ordinal";

fn window_name(e: &ast::Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Call { func, .. } => match &func.kind {
            ExprKind::Name(id) if WINDOW_FUNCTIONS.contains(&id.name.as_str()) => {
                Some(id.name.as_str())
            }
            _ => None,
        },
        _ => None,
    }
}

/// Replaces window-function calls in `e` with hidden column names, collecting the calls.
fn lift(e: &ast::Expr, found: &mut Vec<(String, ast::Expr)>) -> ast::Expr {
    if window_name(e).is_some() {
        let name = format!("__kql_win_{}", found.len());
        found.push((name.clone(), e.clone()));
        return ast::Expr::new(ExprKind::Name(Ident::new(name, e.span)), e.span);
    }
    let mut out = e.clone();
    match &mut out.kind {
        ExprKind::Binary { left, right, .. } => {
            **left = lift(left, found);
            **right = lift(right, found);
        }
        ExprKind::Unary { operand, .. } => **operand = lift(operand, found),
        ExprKind::Paren(inner) => **inner = lift(inner, found),
        ExprKind::Call { args, .. } => {
            for a in args.iter_mut() {
                a.value = lift(&a.value, found);
            }
        }
        ExprKind::Between {
            expr, low, high, ..
        } => {
            **expr = lift(expr, found);
            **low = lift(low, found);
            **high = lift(high, found);
        }
        ExprKind::List { expr, items, .. } => {
            **expr = lift(expr, found);
            for it in items.iter_mut() {
                *it = lift(it, found);
            }
        }
        ExprKind::Member { target, .. } => **target = lift(target, found),
        ExprKind::Index { target, index } => {
            **target = lift(target, found);
            **index = lift(index, found);
        }
        _ => {}
    }
    out
}

/// Whether the output of `op` is serialized, given whether its input is.
pub(crate) fn serialized_after(op: &OperatorKind, input: bool) -> bool {
    use OperatorKind as K;
    match op {
        K::Sort { .. }
        | K::Top { .. }
        | K::Serialize { .. }
        | K::GetSchema
        | K::TopNested(_)
        | K::TopHitters { .. } => true,
        K::Where { .. }
        | K::Extend(_)
        | K::Project(_)
        | K::ProjectAway(_)
        | K::ProjectKeep(_)
        | K::ProjectRename(_)
        | K::ProjectReorder(_)
        | K::Take { .. }
        | K::MvExpand { .. }
        | K::Parse(_)
        | K::ParseWhere(_)
        | K::Render(_)
        | K::As { .. } => input,
        _ => false,
    }
}

impl Planner<'_> {
    /// Lifts window-function calls out of `exprs`. Returns the input extended with the window
    /// columns (or unchanged when there are none), the rewritten expressions, and the names of
    /// the hidden columns to drop afterwards.
    pub(crate) fn lift_window_functions(
        &mut self,
        input: LogicalPlan,
        exprs: &[&ast::Expr],
    ) -> Result<(LogicalPlan, Vec<ast::Expr>, Vec<String>)> {
        let mut found = Vec::new();
        let rewritten: Vec<ast::Expr> = exprs.iter().map(|e| lift(e, &mut found)).collect();
        if found.is_empty() {
            return Ok((input, rewritten, Vec::new()));
        }
        if !self.serialized {
            let (_, call) = &found[0];
            let name = window_name(call).unwrap_or("window function");
            return self.err(
                "KQL0405",
                format!("function '{name}' needs a serialized row set; add `serialize` (or `sort by`) before it"),
                call.span,
            );
        }
        // the hidden ordinal keeps the input order for every window
        let mut plan = LogicalPlanBuilder::from(input)
            .window(vec![row_number().alias(ORDINAL)])?
            .build()?;
        let order = vec![col(ORDINAL).sort(true, false)];
        let mut hidden = vec![ORDINAL.to_string()];
        for (name, call) in &found {
            let ExprKind::Call { func, args } = &call.kind else {
                continue;
            };
            let fname = match &func.kind {
                ExprKind::Name(id) => id.name.clone(),
                _ => continue,
            };
            let schema = plan.schema().clone();
            let mut planned = Vec::new();
            for a in args {
                planned.push(self.plan_scalar(&a.value, &schema)?);
            }
            let constant = |i: usize| -> Option<ScalarValue> {
                match planned.get(i) {
                    Some((Expr::Literal(v, _), _)) => Some(v.clone()),
                    _ => None,
                }
            };
            let offset = |i: usize| -> Option<i64> {
                match constant(i) {
                    Some(ScalarValue::Int64(Some(v))) => Some(v),
                    Some(ScalarValue::Int32(Some(v))) => Some(i64::from(v)),
                    _ => None,
                }
            };
            let w = match fname.as_str() {
                "row_number" => {
                    if planned.len() > 1 {
                        return self.err(
                            "KQL0402",
                            "`row_number` with a restart argument is not supported yet",
                            call.span,
                        );
                    }
                    let start = match planned.first() {
                        None => 1,
                        Some(_) => match offset(0) {
                            Some(v) => v,
                            None => {
                                return self.err(
                                    "KQL0301",
                                    "`row_number` start must be a long constant",
                                    call.span,
                                );
                            }
                        },
                    };
                    // row_number() = ordinal; shifted by the start
                    let e = col(ORDINAL) + lit((start - 1) as u64);
                    let cols: Vec<Expr> = all_columns(plan.schema())
                        .into_iter()
                        .chain([e.alias(name.clone())])
                        .collect();
                    plan = LogicalPlanBuilder::from(plan).project(cols)?.build()?;
                    hidden.push(name.clone());
                    continue;
                }
                "prev" | "next" => {
                    let Some((value, _)) = planned.first() else {
                        return self.err(
                            "KQL0301",
                            format!("`{fname}` expects a column"),
                            call.span,
                        );
                    };
                    let off = if planned.len() > 1 {
                        match offset(1) {
                            Some(v) => Some(v),
                            None => {
                                return self.err(
                                    "KQL0301",
                                    format!("`{fname}` offset must be a long constant"),
                                    call.span,
                                );
                            }
                        }
                    } else {
                        Some(1)
                    };
                    let default = if planned.len() > 2 {
                        match constant(2) {
                            Some(v) => Some(v),
                            None => {
                                return self.err(
                                    "KQL0301",
                                    format!("`{fname}` default must be a constant"),
                                    call.span,
                                );
                            }
                        }
                    } else {
                        None
                    };
                    let f = if fname == "prev" {
                        lag(value.clone(), off, default)
                    } else {
                        lead(value.clone(), off, default)
                    };
                    f.order_by(order.clone()).build()?
                }
                "row_cumsum" => {
                    if planned.len() > 1 {
                        return self.err(
                            "KQL0402",
                            "`row_cumsum` with a restart argument is not supported yet",
                            call.span,
                        );
                    }
                    let Some((value, _)) = planned.first() else {
                        return self.err(
                            "KQL0301",
                            "`row_cumsum` expects a numeric term",
                            call.span,
                        );
                    };
                    Expr::from(WindowFunction::new(
                        datafusion::functions_aggregate::sum::sum_udaf(),
                        vec![value.clone()],
                    ))
                    .order_by(order.clone())
                    .build()?
                }
                "row_rank_dense" => {
                    // 1 + the number of value changes so far in the (sorted) row set
                    let Some((value, _)) = planned.first() else {
                        return self.err("KQL0301", "`row_rank_dense` expects a column", call.span);
                    };
                    let prev_value = lag(value.clone(), Some(1), None)
                        .order_by(order.clone())
                        .build()?;
                    let tmp = format!("{name}_prev");
                    plan = LogicalPlanBuilder::from(plan)
                        .window(vec![prev_value.alias(tmp.clone())])?
                        .build()?;
                    hidden.push(tmp.clone());
                    let changed = Expr::Case(datafusion::logical_expr::Case::new(
                        None,
                        vec![(
                            Box::new(col(&tmp).is_null().or(col(&tmp).not_eq(value.clone()))),
                            Box::new(lit(1i64)),
                        )],
                        Some(Box::new(lit(0i64))),
                    ));
                    Expr::from(WindowFunction::new(
                        datafusion::functions_aggregate::sum::sum_udaf(),
                        vec![changed],
                    ))
                    .order_by(order.clone())
                    .build()?
                }
                other => {
                    return self.err(
                        "KQL0402",
                        format!("window function `{other}` is not supported yet"),
                        call.span,
                    );
                }
            };
            plan = LogicalPlanBuilder::from(plan)
                .window(vec![w.alias(name.clone())])?
                .build()?;
            hidden.push(name.clone());
        }
        Ok((plan, rewritten, hidden))
    }

    /// Drops the hidden window columns again.
    pub(crate) fn drop_hidden(&self, plan: LogicalPlan, hidden: &[String]) -> Result<LogicalPlan> {
        if hidden.is_empty() {
            return Ok(plan);
        }
        let keep: Vec<Expr> = plan
            .schema()
            .iter()
            .filter(|(_, f)| !hidden.contains(f.name()))
            .map(|(q, f)| Expr::Column(datafusion::common::Column::new(q.cloned(), f.name())))
            .collect();
        Ok(LogicalPlanBuilder::from(plan).project(keep)?.build()?)
    }
}
