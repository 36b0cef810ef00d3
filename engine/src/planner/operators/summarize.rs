//! summarize: group keys (any expression, incl. `bin()`), aggregations with Kusto's default
//! names, and expressions over aggregations (`summarize r = sum(x) * 100 / count()`).

use super::{col, next_column_name, typed_alias};
use kql_functions::KqlType;

/// How a `summarize` output column is computed after the Aggregate node.
enum Final {
    /// A finished aggregation value.
    Direct(Expr, KqlType),
    /// An expression over aggregation placeholders.
    Post(ast::Expr),
}
use crate::error::Result;
use crate::planner::Planner;
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder};
use kql_functions::lower::{aggregate_call, is_aggregate};
use kql_parser::ast::{self, Arg, ExprKind, Ident, NamedExpr};
use kql_parser::span::Span;

/// A unique name: `base`, else `base1`, `base2`, ...
fn unique(base: &str, taken: &[String]) -> String {
    if !taken.iter().any(|t| t == base) {
        return base.to_string();
    }
    (1..)
        .map(|i| format!("{base}{i}"))
        .find(|n| !taken.contains(n))
        .unwrap_or_else(|| base.to_string())
}

fn aggregate_name(e: &ast::Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Call { func, .. } => match &func.kind {
            ExprKind::Name(id) if is_aggregate(&id.name) => Some(id.name.as_str()),
            _ => None,
        },
        _ => None,
    }
}

/// Whether `e` calls an aggregation function somewhere.
pub(super) fn has_aggregate(e: &ast::Expr) -> bool {
    let mut found = Vec::new();
    extract_aggregates(e, 0, &mut found);
    !found.is_empty()
}

/// Replaces aggregation calls inside `e` with references to hidden columns.
fn extract_aggregates(
    e: &ast::Expr,
    tag: usize,
    found: &mut Vec<(String, ast::Expr)>,
) -> ast::Expr {
    if aggregate_name(e).is_some() {
        let name = format!("__kql_post_{tag}_{}", found.len());
        found.push((name.clone(), e.clone()));
        return ast::Expr::new(ExprKind::Name(Ident::new(name, e.span)), e.span);
    }
    let mut out = e.clone();
    match &mut out.kind {
        ExprKind::Binary { left, right, .. } => {
            **left = extract_aggregates(left, tag, found);
            **right = extract_aggregates(right, tag, found);
        }
        ExprKind::Unary { operand, .. } => **operand = extract_aggregates(operand, tag, found),
        ExprKind::Paren(inner) => **inner = extract_aggregates(inner, tag, found),
        ExprKind::Call { args, .. } => {
            for a in args.iter_mut() {
                a.value = extract_aggregates(&a.value, tag, found);
            }
        }
        ExprKind::Between {
            expr, low, high, ..
        } => {
            **expr = extract_aggregates(expr, tag, found);
            **low = extract_aggregates(low, tag, found);
            **high = extract_aggregates(high, tag, found);
        }
        ExprKind::List { expr, items, .. } => {
            **expr = extract_aggregates(expr, tag, found);
            for it in items.iter_mut() {
                *it = extract_aggregates(it, tag, found);
            }
        }
        _ => {}
    }
    out
}

impl Planner<'_> {
    /// `arg_max(ExprToMaximize, * | ExprToReturn, ...)` (and arg_min): for each output column,
    /// the value from the row where the expression is largest (smallest), as `first_value`
    /// ordered by the expression. Output names: the expression's column name (else `max_`/
    /// `min_`), then the returned columns (`*`: every column but the grouping keys).
    #[allow(clippy::type_complexity)]
    fn plan_arg_extreme(
        &mut self,
        max: bool,
        args: &[Arg],
        a: &NamedExpr,
        schema: &datafusion::common::DFSchema,
        key_names: &[String],
        span: Span,
    ) -> Result<Vec<(String, Expr, KqlType)>> {
        let fname = if max { "arg_max" } else { "arg_min" };
        let Some((first, rest)) = args.split_first() else {
            return self.err(
                "KQL0301",
                format!("`{fname}` expects an expression and the columns to return"),
                span,
            );
        };
        if rest.is_empty() {
            return self.err(
                "KQL0301",
                format!("`{fname}` expects the columns to return (or `*`) after the expression"),
                span,
            );
        }
        let (by, by_ty) = self.plan_scalar(&first.value, schema)?;
        let order = vec![by.clone().sort(!max, false)];
        let pick =
            |e: Expr| datafusion::functions_aggregate::expr_fn::first_value(e, order.clone());
        let mut outs: Vec<(String, Expr, KqlType)> = Vec::new();
        let first_name = match &first.value.kind {
            ExprKind::Name(id) => id.name.clone(),
            _ => format!("{}_", if max { "max" } else { "min" }),
        };
        outs.push((first_name.clone(), pick(by), by_ty));
        for r in rest {
            if matches!(r.value.kind, ExprKind::Star) {
                for f in schema.fields() {
                    let n = f.name();
                    if n == &first_name
                        || key_names.contains(n)
                        || outs.iter().any(|(o, _, _)| o == n)
                    {
                        continue;
                    }
                    outs.push((n.clone(), pick(col(n)), KqlType::of_field(f)));
                }
                continue;
            }
            let (e, ty) = self.plan_scalar(&r.value, schema)?;
            let n = match (&r.name, &r.value.kind) {
                (Some(n), _) => n.name.clone(),
                (None, ExprKind::Name(id)) => id.name.clone(),
                _ => format!("Column{}", outs.len()),
            };
            outs.push((n, pick(e), ty));
        }
        if !a.names.is_empty() {
            for (i, n) in a.names.iter().enumerate() {
                if let Some(o) = outs.get_mut(i) {
                    o.0 = n.name.clone();
                }
            }
        }
        Ok(outs)
    }

    /// The default name of a group key: the column for `x` and `bin(x, ...)`, else `ColumnN`.
    fn key_name(k: &NamedExpr) -> Option<String> {
        if let Some(n) = k.names.first() {
            return Some(n.name.clone());
        }
        match &k.expr.kind {
            ExprKind::Name(id) => Some(id.name.clone()),
            ExprKind::Call { func, args } => match (&func.kind, args.first()) {
                (ExprKind::Name(f), Some(Arg { value, .. }))
                    if matches!(f.name.as_str(), "bin" | "floor" | "bin_at" | "bin_auto") =>
                {
                    match &value.kind {
                        ExprKind::Name(id) => Some(id.name.clone()),
                        _ => None,
                    }
                }
                _ => None,
            },
            _ => None,
        }
    }

    pub(crate) fn plan_summarize(
        &mut self,
        input: LogicalPlan,
        aggs: &[NamedExpr],
        by: &[NamedExpr],
        _span: Span,
    ) -> Result<LogicalPlan> {
        let schema = input.schema().clone();
        let mut taken: Vec<String> = Vec::new();
        let mut auto = 0;
        // group keys
        let mut group_exprs = Vec::new();
        let mut key_names = Vec::new();
        for k in by {
            if k.names.len() > 1 {
                return self.err("KQL0107", "a grouping key takes a single name", k.span);
            }
            if aggregate_name(&k.expr).is_some() {
                return self.err(
                    "KQL0309",
                    "an aggregation cannot be used as a grouping key",
                    k.expr.span,
                );
            }
            let (e, _) = self.plan_scalar(&k.expr, &schema)?;
            let name = match Self::key_name(k) {
                Some(n) => unique(&n, &taken),
                None => next_column_name(&taken, &mut auto),
            };
            taken.push(name.clone());
            key_names.push(name.clone());
            group_exprs.push(e.alias(name));
        }
        // aggregations: direct calls, or expressions over calls (computed after aggregating)
        let mut agg_exprs: Vec<Expr> = Vec::new();
        // the same aggregate expressions without their aliases (each is computed once)
        let mut agg_plain: Vec<Expr> = Vec::new();
        let mut finals: Vec<(String, Final)> = Vec::new();
        // finished values of aggregations used inside expressions, named by their placeholders
        let mut pre: Vec<Expr> = Vec::new();
        for a in aggs {
            if let Some(fname) = aggregate_name(&a.expr) {
                let ExprKind::Call { args, .. } = &a.expr.kind else {
                    continue;
                };
                if matches!(fname, "arg_max" | "arg_min" | "argmax" | "argmin") {
                    let max = fname.contains("max");
                    for (name, e, ty) in
                        self.plan_arg_extreme(max, args, a, &schema, &key_names, a.expr.span)?
                    {
                        let name = unique(&name, &taken);
                        taken.push(name.clone());
                        let hidden = add_aggregate(&mut agg_exprs, &mut agg_plain, e);
                        finals.push((name, Final::Direct(col(&hidden), ty)));
                    }
                    continue;
                }
                let lowered_args = self.plan_json_args(args, &schema)?;
                let cx = self.call_context();
                let lowered = match aggregate_call(fname, &lowered_args, &cx) {
                    Ok(Some(l)) => l,
                    Ok(None) => {
                        return self.err(
                            "KQL0202",
                            format!("unknown aggregation function '{fname}'"),
                            a.expr.span,
                        );
                    }
                    Err(e) => return self.err(e.code, e.message, a.expr.span),
                };
                if !a.names.is_empty() && a.names.len() != lowered.exprs.len() {
                    return self.err(
                        "KQL0107",
                        format!(
                            "`{fname}` produces {} column(s) but {} name(s) were given",
                            lowered.exprs.len(),
                            a.names.len()
                        ),
                        a.span,
                    );
                }
                for (i, (e, ty)) in lowered.exprs.into_iter().enumerate() {
                    let base = a
                        .names
                        .get(i)
                        .map(|n| n.name.clone())
                        .or_else(|| lowered.names.get(i).cloned())
                        .unwrap_or_else(|| format!("{fname}_"));
                    let name = unique(&base, &taken);
                    taken.push(name.clone());
                    let hidden = add_aggregate(&mut agg_exprs, &mut agg_plain, e);
                    let finished = match lowered.finish.get(i) {
                        Some(f) => f.apply(col(&hidden)),
                        None => col(&hidden),
                    };
                    finals.push((name, Final::Direct(finished, ty)));
                }
            } else {
                let mut found = Vec::new();
                let post = extract_aggregates(&a.expr, finals.len(), &mut found);
                if found.is_empty() {
                    return self.err(
                        "KQL0309",
                        "a `summarize` column must be an aggregation (e.g. count(), sum(x)); use `by` for grouping keys",
                        a.expr.span,
                    );
                }
                for (placeholder, call) in &found {
                    let (Some(fname), ExprKind::Call { args, .. }) =
                        (aggregate_name(call), &call.kind)
                    else {
                        continue;
                    };
                    let lowered_args = self.plan_json_args(args, &schema)?;
                    let cx = self.call_context();
                    let lowered = match aggregate_call(fname, &lowered_args, &cx) {
                        Ok(Some(l)) => l,
                        Ok(None) => {
                            return self.err(
                                "KQL0202",
                                format!("unknown aggregation function '{fname}'"),
                                call.span,
                            );
                        }
                        Err(e) => return self.err(e.code, e.message, call.span),
                    };
                    let Some((e, ty)) = lowered.exprs.into_iter().next() else {
                        return self.err(
                            "KQL0309",
                            format!("`{fname}` cannot be used inside an expression"),
                            call.span,
                        );
                    };
                    let hidden = add_aggregate(&mut agg_exprs, &mut agg_plain, e);
                    let finished = match lowered.finish.first() {
                        Some(f) => f.apply(col(&hidden)),
                        None => col(&hidden),
                    };
                    pre.push(typed_alias(finished, placeholder.clone(), ty));
                }
                let name = match a.names.first() {
                    Some(n) => unique(&n.name, &taken),
                    None => next_column_name(&taken, &mut auto),
                };
                taken.push(name.clone());
                finals.push((name, Final::Post(post)));
            }
        }
        let aggregated = LogicalPlanBuilder::from(input)
            .aggregate(group_exprs, agg_exprs)?
            .build()?;
        // finish aggregations used inside expressions, so the expressions can refer to them
        let aggregated = if pre.is_empty() {
            aggregated
        } else {
            let mut exprs: Vec<Expr> = super::all_columns(aggregated.schema());
            exprs.extend(pre);
            LogicalPlanBuilder::from(aggregated)
                .project(exprs)?
                .build()?
        };
        // final projection: keys, then aggregations in order
        let out_schema = aggregated.schema().clone();
        let mut exprs: Vec<Expr> = key_names.iter().map(|n| col(n)).collect();
        for (name, f) in finals {
            match f {
                Final::Direct(e, ty) => exprs.push(typed_alias(e, name, ty)),
                Final::Post(p) => {
                    let (e, ty) = self.plan_scalar(&p, &out_schema)?;
                    exprs.push(typed_alias(e, name, ty));
                }
            }
        }
        Ok(LogicalPlanBuilder::from(aggregated)
            .project(exprs)?
            .build()?)
    }
}

/// Adds aggregate expression `e` under a hidden name and returns the name; an identical
/// deterministic expression added before is reused (e.g. the one digest behind all the columns
/// of `percentiles(x, 50, 90, 99)`).
fn add_aggregate(aliased: &mut Vec<Expr>, plain: &mut Vec<Expr>, e: Expr) -> String {
    if !e.is_volatile()
        && let Some(i) = plain.iter().position(|p| *p == e)
    {
        return format!("__kql_agg_{i}");
    }
    let hidden = format!("__kql_agg_{}", aliased.len());
    plain.push(e.clone());
    aliased.push(e.alias(hidden.clone()));
    hidden
}

#[cfg(test)]
mod tests {
    use crate::KqlContext;

    /// `percentiles(x, 50, 90)` is one aggregate (one digest per group) whose list the output
    /// columns index; a separate `percentile(x, 50)` is another aggregate.
    #[tokio::test]
    async fn percentiles_share_one_digest() -> Result<(), Box<dyn std::error::Error>> {
        let ctx = KqlContext::new();
        let q =
            "range x from 1 to 10 step 1 | summarize percentiles(x, 50, 90), p = percentile(x, 50)";
        let plan = ctx.explain(q).await?;
        let aggregate = plan
            .lines()
            .find(|l| l.trim_start().starts_with("Aggregate:"))
            .ok_or("no Aggregate node")?;
        assert_eq!(
            aggregate.matches("kql_percentile(").count(),
            2,
            "{aggregate}"
        );
        let out = ctx.run(q).await?;
        let text = datafusion::arrow::util::pretty::pretty_format_batches(&out[0].batches)?;
        let cells = text
            .to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(cells.contains("| 5 | 9 | 5 |"), "{text}");
        Ok(())
    }
}
