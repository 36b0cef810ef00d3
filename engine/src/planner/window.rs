//! Window functions over a serialized row set (window-functions.md): `row_number`, `prev`,
//! `next`, `row_cumsum`, `row_rank_dense`, `row_rank_min`, `row_window_session`. Only `sort`/`order`, `top`, `range`, `serialize`,
//! `getschema`, `top-nested` produce serialized input, and `where`, `extend`, `project*`,
//! `take`, `mv-expand`, `parse` keep it; other operators end it.
//!
//! Calls are lifted out of the expression before it is planned: the input gets a hidden
//! ordinal (`row_number()` over the input order) and one window column per call, ordered by
//! that ordinal; the expression then refers to the window columns by name. A call nested in
//! another's arguments (`row_number(1, prev(a) != a)`) is lifted first. A restart argument
//! becomes a segment number (the running count of restarts), and the window is partitioned by
//! it.

use super::Planner;
use super::operators::{all_columns, col};
use crate::error::Result;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::functions_window::expr_fn::{lag, lead, row_number};
use datafusion::logical_expr::expr::WindowFunction;
use datafusion::logical_expr::{
    Cast, Expr, ExprFunctionExt, LogicalPlan, LogicalPlanBuilder, lit, when,
};
use datafusion::scalar::ScalarValue;
use kql_functions::KqlType;
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
        // calls in the arguments are computed first and referenced by name
        let mut call = e.clone();
        if let ExprKind::Call { args, .. } = &mut call.kind {
            for a in args.iter_mut() {
                a.value = lift(&a.value, found);
            }
        }
        let name = format!("__kql_win_{}", found.len());
        found.push((name.clone(), call));
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
        // ordered by the sort keys that serialized the input when they still hold (DataFusion
        // drops a sort that nothing above it requires)
        let ordinal = match serialized_order(&input) {
            SortKeys::Keys(keys) => row_number().order_by(keys).build()?,
            SortKeys::NoSort => row_number(),
            SortKeys::Lost => {
                let (_, call) = &found[0];
                return self.err(
                    "KQL0402",
                    "window functions after a `project`/`extend` that drops or redefines the sort columns are not supported yet; sort after the projection instead",
                    call.span,
                );
            }
        };
        let mut plan = LogicalPlanBuilder::from(input)
            .window(vec![ordinal.alias(ORDINAL)])?
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
            // the optional restart condition: its position per function
            let restart_at = match fname.as_str() {
                "row_number" => Some(1),
                "row_cumsum" | "row_rank_dense" | "row_rank_min" => Some(1),
                "row_window_session" => Some(3),
                _ => None,
            };
            let restart = restart_at.and_then(|i| planned.get(i).cloned());
            let partition: Vec<Expr> = match &restart {
                // the session evaluator applies its restart condition itself
                Some(_) if fname == "row_window_session" => Vec::new(),
                Some((r, ty)) => {
                    if *ty != KqlType::Bool {
                        return self.err(
                            "KQL0301",
                            format!("the restart argument of `{fname}` must be a bool, found {ty}"),
                            call.span,
                        );
                    }
                    let seg = format!("{name}_segment");
                    plan = restart_segments(plan, r.clone(), &order, &seg)?;
                    hidden.push(seg.clone());
                    vec![col(&seg)]
                }
                None => Vec::new(),
            };
            let w = match fname.as_str() {
                "row_number" => {
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
                    // row_number() = ordinal (or the number within the restart segment),
                    // shifted by the start
                    let e = if partition.is_empty() {
                        Expr::Cast(Cast::new(Box::new(col(ORDINAL)), DataType::Int64))
                            + lit(start - 1)
                    } else {
                        let tmp = format!("{name}_n");
                        let n = row_number()
                            .partition_by(partition.clone())
                            .order_by(order.clone())
                            .build()?;
                        plan = LogicalPlanBuilder::from(plan)
                            .window(vec![n.alias(tmp.clone())])?
                            .build()?;
                        hidden.push(tmp.clone());
                        Expr::Cast(Cast::new(Box::new(col(&tmp)), DataType::Int64)) + lit(start - 1)
                    };
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
                    .partition_by(partition.clone())
                    .order_by(order.clone())
                    .build()?
                }
                "row_rank_dense" | "row_rank_min" => {
                    // dense: 1 + the number of value changes so far in the (sorted) row set;
                    // min: the row number at which the current run of equal values started
                    let Some((value, _)) = planned.first() else {
                        return self.err(
                            "KQL0301",
                            format!("`{fname}` expects a column"),
                            call.span,
                        );
                    };
                    let prev_value = lag(value.clone(), Some(1), None)
                        .partition_by(partition.clone())
                        .order_by(order.clone())
                        .build()?;
                    let tmp = format!("{name}_prev");
                    plan = LogicalPlanBuilder::from(plan)
                        .window(vec![prev_value.alias(tmp.clone())])?
                        .build()?;
                    hidden.push(tmp.clone());
                    let starts_run = col(&tmp).is_null().or(col(&tmp).not_eq(value.clone()));
                    if fname == "row_rank_dense" {
                        let changed = when(starts_run, lit(1i64)).otherwise(lit(0i64))?;
                        Expr::from(WindowFunction::new(
                            datafusion::functions_aggregate::sum::sum_udaf(),
                            vec![changed],
                        ))
                        .partition_by(partition.clone())
                        .order_by(order.clone())
                        .build()?
                    } else {
                        let n = format!("{name}_n");
                        let number = row_number()
                            .partition_by(partition.clone())
                            .order_by(order.clone())
                            .build()?;
                        plan = LogicalPlanBuilder::from(plan)
                            .window(vec![number.alias(n.clone())])?
                            .build()?;
                        hidden.push(n.clone());
                        let run_start = when(
                            starts_run,
                            Expr::Cast(Cast::new(Box::new(col(&n)), DataType::Int64)),
                        )
                        .end()?;
                        Expr::from(WindowFunction::new(
                            datafusion::functions_aggregate::min_max::max_udaf(),
                            vec![run_start],
                        ))
                        .partition_by(partition.clone())
                        .order_by(order.clone())
                        .build()?
                    }
                }
                "row_window_session" => {
                    let (Some((value, vt)), Some((first, ft)), Some((between, bt))) =
                        (planned.first(), planned.get(1), planned.get(2))
                    else {
                        return self.err(
                            "KQL0301",
                            "`row_window_session` expects (datetime, timespan, timespan [, bool])",
                            call.span,
                        );
                    };
                    if *vt != KqlType::Datetime
                        || *ft != KqlType::Timespan
                        || *bt != KqlType::Timespan
                    {
                        return self.err(
                            "KQL0301",
                            format!("`row_window_session` expects (datetime, timespan, timespan [, bool]), got ({vt}, {ft}, {bt})"),
                            call.span,
                        );
                    }
                    let nanos =
                        |e: &Expr| Expr::Cast(Cast::new(Box::new(e.clone()), DataType::Int64));
                    let restart_flag = match &restart {
                        Some((r, _)) => r.clone(),
                        None => lit(false),
                    };
                    let session = super::session_window::row_window_session_udwf()
                        .call(vec![
                            nanos(value),
                            nanos(first),
                            nanos(between),
                            restart_flag,
                        ])
                        .order_by(order.clone())
                        .build()?;
                    let tmp = format!("{name}_nanos");
                    plan = LogicalPlanBuilder::from(plan)
                        .window(vec![session.alias(tmp.clone())])?
                        .build()?;
                    hidden.push(tmp.clone());
                    let cols: Vec<Expr> = all_columns(plan.schema())
                        .into_iter()
                        .chain([Expr::Cast(Cast::new(
                            Box::new(col(&tmp)),
                            kql_functions::types::datetime_type(),
                        ))
                        .alias(name.clone())])
                        .collect();
                    plan = LogicalPlanBuilder::from(plan).project(cols)?.build()?;
                    hidden.push(name.clone());
                    continue;
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

/// Adds `seg`: the number of rows so far (in input order) whose restart condition is true.
fn restart_segments(
    plan: LogicalPlan,
    restart: Expr,
    order: &[datafusion::logical_expr::SortExpr],
    seg: &str,
) -> Result<LogicalPlan> {
    let flag = when(restart, lit(1i64)).otherwise(lit(0i64))?;
    let running = Expr::from(WindowFunction::new(
        datafusion::functions_aggregate::sum::sum_udaf(),
        vec![flag],
    ))
    .order_by(order.to_vec())
    .build()?;
    Ok(LogicalPlanBuilder::from(plan)
        .window(vec![running.alias(seg)])?
        .build()?)
}

/// What orders a serialized row set.
enum SortKeys {
    /// The keys of the sort below, valid at this point of the plan.
    Keys(Vec<datafusion::logical_expr::SortExpr>),
    /// No sort below (the order comes from the source, e.g. `range` or `serialize`).
    NoSort,
    /// A sort below whose key columns were dropped or redefined on the way up.
    Lost,
}

/// The sort keys that order `plan`'s rows: those of the nearest `Sort` below it, provided every
/// column they read reaches `plan` unchanged (through projections that pass it by name,
/// filters, limits, windows and unnests).
fn serialized_order(plan: &LogicalPlan) -> SortKeys {
    use std::collections::BTreeSet;
    // walk down to the sort, remembering the projections on the way
    let mut path: Vec<&LogicalPlan> = Vec::new();
    let mut node = plan;
    let keys = loop {
        match node {
            LogicalPlan::Sort(s) => break s.expr.clone(),
            LogicalPlan::Projection(_)
            | LogicalPlan::Filter(_)
            | LogicalPlan::Limit(_)
            | LogicalPlan::Window(_)
            | LogicalPlan::Unnest(_)
            | LogicalPlan::SubqueryAlias(_) => {
                path.push(node);
                match node.inputs().first() {
                    Some(n) => node = n,
                    None => return SortKeys::NoSort,
                }
            }
            _ => return SortKeys::NoSort,
        }
    };
    let mut needed: BTreeSet<String> = BTreeSet::new();
    for k in &keys {
        for c in k.expr.column_refs() {
            needed.insert(c.name.clone());
        }
    }
    // every projection above the sort must pass the key columns through by name
    for p in path {
        if let LogicalPlan::Projection(proj) = p {
            for name in &needed {
                let passes = proj.expr.iter().any(|e| {
                    let inner = match e {
                        Expr::Alias(a) if &a.name == name => a.expr.as_ref(),
                        other => other,
                    };
                    matches!(inner, Expr::Column(c) if &c.name == name)
                });
                if !passes {
                    return SortKeys::Lost;
                }
            }
        }
    }
    // reference the keys by unqualified name (qualifiers may differ above the sort)
    SortKeys::Keys(
        keys.into_iter()
            .map(|k| {
                let original = k.expr.clone();
                let expr = k
                    .expr
                    .transform(|e| {
                        Ok(match e {
                            Expr::Column(c) => Transformed::yes(col(&c.name)),
                            other => Transformed::no(other),
                        })
                    })
                    .map(|t| t.data)
                    .unwrap_or(original);
                datafusion::logical_expr::SortExpr::new(expr, k.asc, k.nulls_first)
            })
            .collect(),
    )
}
