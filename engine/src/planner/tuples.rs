//! Functions whose result is several columns ("tuple" results): `array_sort_asc(a, b)` gives
//! `a_sorted` and `b_sorted` (array-sort-asc-function.md). In `extend`, `project` and `print`
//! such a call is computed once into a hidden column and each field becomes its own column:
//! `(x, y) = f(...)` names the fields by position; in `extend` the fields left unnamed by a
//! tuple assignment are dropped, in `project` and `print` they keep their default names.
//! Inside a larger expression the value stays one `dynamic` array of the fields (so
//! `array_sort_asc(a, b)[1]` is the second array, as the docs' example uses it). The
//! `series_*` tuple functions (`kql_functions::ml::tuple_fields`) lower to an Arrow struct;
//! their fields are read by position.

use super::Planner;
use super::operators::{all_columns, typed_alias};
use crate::error::Result;
use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use kql_parser::ast::{self, ExprKind, Ident, Literal, NamedExpr};

/// The default names of the fields of a tuple-valued call (`None`: Kusto's `ColumnN`), or
/// `None` when the call has a single result.
pub(crate) fn tuple_fields(e: &ast::Expr) -> Option<Vec<Option<String>>> {
    let ExprKind::Call { func, args } = &e.kind else {
        return None;
    };
    let ExprKind::Name(id) = &func.kind else {
        return None;
    };
    match id.name.as_str() {
        "array_sort_asc" | "array_sort_desc" => {
            // the arrays; a trailing bool literal is the nulls_last flag
            let arrays: Vec<&ast::Arg> = args
                .iter()
                .filter(|a| !matches!(a.value.kind, ExprKind::Literal(Literal::Bool(_))))
                .collect();
            (arrays.len() > 1).then(|| {
                arrays
                    .iter()
                    .map(|a| super::operators::result_name(&a.value).map(|n| format!("{n}_sorted")))
                    .collect()
            })
        }
        f => {
            let fields = kql_functions::ml::tuple_fields(f)?;
            // `series_fit_line(y)` -> series_fit_line_y_rsquare, ...; an argument without a
            // name leaves its part empty: `series_stats(series_multiply(x, 2))` gives
            // series_stats__min (series-fit-poly-function.md, Example 3)
            let arg = args
                .first()
                .and_then(|a| super::operators::result_name(&a.value))
                .unwrap_or_default();
            Some(
                fields
                    .iter()
                    .map(|field| Some(format!("{f}_{arg}_{field}")))
                    .collect(),
            )
        }
    }
}

impl Planner<'_> {
    /// Replaces each tuple-valued item of `cols` by one item per field reading a hidden column
    /// added to `input`. Returns the extended input, the items and the hidden columns (to drop
    /// after the operator). `drop_unnamed`: `extend`'s rule for fields a tuple assignment left
    /// unnamed.
    pub(crate) fn lift_tuples(
        &mut self,
        input: LogicalPlan,
        cols: &[NamedExpr],
        drop_unnamed: bool,
    ) -> Result<(LogicalPlan, Vec<NamedExpr>, Vec<String>)> {
        let mut plan = input;
        let mut out = Vec::new();
        let mut hidden = Vec::new();
        let mut auto = 0;
        for c in cols {
            let Some(defaults) = tuple_fields(&c.expr) else {
                out.push(c.clone());
                continue;
            };
            let name = format!("__kql_tuple_{}", hidden.len());
            let (e, ty) = self.plan_scalar(&c.expr, plan.schema())?;
            let exprs: Vec<_> = all_columns(plan.schema())
                .into_iter()
                .chain([typed_alias(e, name.clone(), ty)])
                .collect();
            plan = LogicalPlanBuilder::from(plan).project(exprs)?.build()?;
            for (i, default) in defaults.into_iter().enumerate() {
                let names = match (c.names.get(i), default) {
                    (Some(n), _) => vec![n.clone()],
                    (None, _) if drop_unnamed && !c.names.is_empty() => continue,
                    (None, Some(d)) => vec![Ident::new(d, c.span)],
                    (None, None) => {
                        let mut taken = super::operators::column_names(plan.schema());
                        taken.extend(
                            out.iter()
                                .flat_map(|o: &NamedExpr| o.names.iter().map(|n| n.name.clone())),
                        );
                        vec![Ident::new(
                            super::operators::next_column_name(&taken, &mut auto),
                            c.span,
                        )]
                    }
                };
                let target =
                    ast::Expr::new(ExprKind::Name(Ident::new(name.clone(), c.span)), c.span);
                let index =
                    ast::Expr::new(ExprKind::Literal(Literal::Long(Some(i as i64))), c.span);
                out.push(NamedExpr {
                    names,
                    expr: ast::Expr::new(
                        ExprKind::Index {
                            target: Box::new(target),
                            index: Box::new(index),
                        },
                        c.span,
                    ),
                    span: c.span,
                });
            }
            hidden.push(name);
        }
        Ok((plan, out, hidden))
    }
}
