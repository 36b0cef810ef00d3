//! mv-expand: one output row per element of dynamic arrays / properties of property bags,
//! several columns in lock-step (mv-expand-operator.md).
//!
//! A UDF zips the expanded values of each input row into a `List<Struct<c0, c1, ..., index>>`
//! (one struct per output row, shorter arrays padded with null, `to typeof(T)` casts applied);
//! `unnest` makes the rows and a projection puts the struct fields back under their names.

use super::{col, next_column_name, typed_alias};
use crate::error::Result;
use crate::planner::Planner;
use crate::udf::{BagExpansion, MV_INDEX_FIELD, MvExpandSpec, mv_expand, mv_field_name};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Column, DFSchema, UnnestOptions};
use datafusion::functions::core::expr_fn::get_field;
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder};
use datafusion::scalar::ScalarValue;
use kql_functions::KqlType;
use kql_parser::ast::{self, ExprKind, Literal, MvItem, OpParam};
use kql_parser::span::Span;

/// The hidden column holding the zipped values between the UDF and `unnest`.
const ZIPPED: &str = "__kql_mv_expand";

/// One expanded column.
struct Expanded {
    name: String,
    expr: Expr,
    ty: KqlType,
}

/// The text of an operator parameter's value: a name or a string literal.
pub(super) fn param_text(p: &OpParam) -> Option<String> {
    match &p.value.kind {
        ExprKind::Name(id) => Some(id.name.clone()),
        ExprKind::Literal(Literal::String { value, .. }) => Some(value.clone()),
        _ => None,
    }
}

/// Kusto's result name of an expanded expression (`Binder.GetExpressionResultName`): the
/// column for `x`, `x_a` for `x.a` / `x["a"]`, `x_0` for `x[0]`; `None` for other expressions
/// (they get `ColumnN`).
pub(crate) fn result_name(e: &ast::Expr) -> Option<String> {
    let selector = |s: &ast::Expr| match &s.kind {
        ExprKind::Name(id) => Some(id.name.clone()),
        ExprKind::Literal(Literal::String { value, .. }) => Some(value.clone()),
        ExprKind::Literal(Literal::Long(Some(v))) => Some(v.to_string()),
        ExprKind::Literal(Literal::Int(Some(v))) => Some(v.to_string()),
        _ => None,
    };
    let joined = |left: Option<String>, right: Option<String>| match (left, right) {
        (Some(l), Some(r)) if !l.trim().is_empty() => Some(format!("{l}_{r}")),
        (_, r) => r,
    };
    match &e.kind {
        ExprKind::Paren(inner) => result_name(inner),
        ExprKind::Name(id) => Some(id.name.clone()),
        ExprKind::Member { target, name } => joined(result_name(target), Some(name.name.clone())),
        ExprKind::Index { target, index } => joined(result_name(target), selector(index)),
        ExprKind::Call { func, args } => {
            use kql_functions::catalog::ResultName;
            let ExprKind::Name(f) = &func.kind else {
                return None;
            };
            let first = || args.first().and_then(|a| result_name(&a.value));
            match kql_functions::catalog::result_name_rule(&f.name) {
                ResultName::None => None,
                ResultName::FirstArgument => first(),
                ResultName::OnlyArgument if args.len() == 1 => first(),
                ResultName::OnlyArgument => None,
                ResultName::PrefixAndFirstArgument(p) => {
                    Some(format!("{p}_{}", first().unwrap_or_default()))
                }
                ResultName::PrefixOnly(p) => Some(p.to_string()),
            }
        }
        _ => None,
    }
}

impl Planner<'_> {
    pub(crate) fn plan_mv_expand(
        &mut self,
        input: LogicalPlan,
        params: &[OpParam],
        items: &[MvItem],
        limit: Option<&ast::Expr>,
        span: Span,
    ) -> Result<LogicalPlan> {
        let schema = input.schema().clone();
        let mut bag = BagExpansion::Bag;
        let mut index_name: Option<(String, Span)> = None;
        for p in params {
            match p.name.as_str() {
                "kind" | "bagexpansion" => {
                    bag = match param_text(p).as_deref() {
                        Some("bag") => BagExpansion::Bag,
                        Some("array") => BagExpansion::Array,
                        _ => {
                            return self.err(
                                "KQL0107",
                                format!("`{}` must be `bag` or `array`", p.name),
                                p.span,
                            );
                        }
                    };
                }
                "with_itemindex" => match param_text(p) {
                    Some(n) => index_name = Some((n, p.span)),
                    None => {
                        return self.err(
                            "KQL0107",
                            "`with_itemindex` expects a column name",
                            p.span,
                        );
                    }
                },
                other => {
                    return self.err(
                        "KQL0107",
                        format!("unknown `mv-expand` parameter `{other}`"),
                        p.span,
                    );
                }
            }
        }
        let limit = match limit {
            Some(e) => Some(self.row_limit(e, &schema)?),
            None => None,
        };
        if items.is_empty() {
            return self.err("KQL0107", "`mv-expand` needs a column to expand", span);
        }

        let mut taken = super::column_names(&schema);
        let mut auto = 0;
        let mut expanded: Vec<Expanded> = Vec::new();
        for it in items {
            if it.expr.names.len() > 1 {
                return self.err(
                    "KQL0107",
                    "`mv-expand` takes a single name per expression",
                    it.expr.span,
                );
            }
            let (expr, ty) = self.plan_scalar(&it.expr.expr, &schema)?;
            if ty != KqlType::Dynamic {
                return self.err(
                    "KQL0303",
                    format!("`mv-expand` expands dynamic arrays or property bags, found {ty}"),
                    it.expr.expr.span,
                );
            }
            let name = match it.expr.names.first() {
                Some(n) => n.name.clone(),
                None => match result_name(&it.expr.expr) {
                    Some(n) => n,
                    None => next_column_name(&taken, &mut auto),
                },
            };
            if expanded.iter().any(|e| e.name == name) {
                return self.err(
                    "KQL0205",
                    format!("column '{name}' is expanded more than once"),
                    it.expr.span,
                );
            }
            taken.push(name.clone());
            let ty = it
                .to_type
                .map(KqlType::from_type_name)
                .unwrap_or(KqlType::Dynamic);
            expanded.push(Expanded { name, expr, ty });
        }
        if let Some((n, sp)) = &index_name
            && taken.contains(n)
        {
            return self.err(
                "KQL0205",
                format!("`with_itemindex` column '{n}' already exists"),
                *sp,
            );
        }

        // series (Arrow lists) expand natively: DataFusion's unnest zips several list columns,
        // padding the shorter ones with nulls, as mv-expand does (no JSON on the way)
        if index_name.is_none() && limit.is_none() {
            let lists = expanded.iter().all(|e| {
                matches!(
                    datafusion::logical_expr::ExprSchemable::get_type(&e.expr, &schema),
                    Ok(DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..))
                )
            });
            if lists {
                return self.mv_expand_lists(input, &schema, &expanded, items, span);
            }
        }
        let spec = MvExpandSpec {
            types: expanded.iter().map(|e| e.ty).collect(),
            bag,
            limit,
            with_index: index_name.is_some(),
        };
        let zipped = mv_expand(spec, expanded.iter().map(|e| e.expr.clone()).collect());
        let mut exprs = super::all_columns(&schema);
        exprs.push(zipped.alias(ZIPPED));
        let unnested = LogicalPlanBuilder::from(input)
            .project(exprs)?
            .unnest_column_with_options(ZIPPED, UnnestOptions::new().with_preserve_nulls(false))?
            .build()?;

        let field = |k: usize| get_field(col(ZIPPED), mv_field_name(k));
        let mut out: Vec<Expr> = Vec::new();
        for (q, f) in unnested.schema().iter() {
            if f.name() == ZIPPED {
                continue;
            }
            match expanded.iter().position(|e| &e.name == f.name()) {
                Some(k) => out.push(typed_alias(field(k), f.name(), expanded[k].ty)),
                None => out.push(Expr::Column(Column::new(q.cloned(), f.name()))),
            }
        }
        for (k, e) in expanded.iter().enumerate() {
            if schema.field_with_unqualified_name(&e.name).is_err() {
                out.push(typed_alias(field(k), e.name.clone(), e.ty));
            }
        }
        if let Some((n, _)) = index_name {
            out.push(get_field(col(ZIPPED), MV_INDEX_FIELD).alias(n));
        }
        Ok(LogicalPlanBuilder::from(unnested).project(out)?.build()?)
    }

    /// mv-expand of list columns with DataFusion's unnest. Without `to typeof()` the values
    /// keep their element type (a series of reals expands to reals).
    fn mv_expand_lists(
        &mut self,
        input: LogicalPlan,
        schema: &DFSchema,
        expanded: &[Expanded],
        items: &[MvItem],
        span: Span,
    ) -> Result<LogicalPlan> {
        let hidden = |k: usize| format!("__kql_mv_{k}");
        let mut exprs = super::all_columns(schema);
        for (k, e) in expanded.iter().enumerate() {
            exprs.push(e.expr.clone().alias(hidden(k)));
        }
        let cols: Vec<Column> = (0..expanded.len())
            .map(|k| Column::from_name(hidden(k)))
            .collect();
        let unnested = LogicalPlanBuilder::from(input)
            .project(exprs)?
            .unnest_columns_with_options(cols, UnnestOptions::new().with_preserve_nulls(false))?
            .build()?;
        let uschema = unnested.schema().clone();
        // each expanded value, converted when `to typeof(T)` asks for it
        let mut values = Vec::new();
        for (k, (e, it)) in expanded.iter().zip(items).enumerate() {
            let value = match it.to_type {
                Some(t) => {
                    let conv = match KqlType::from_type_name(t) {
                        KqlType::Bool => "tobool",
                        KqlType::Int => "toint",
                        KqlType::Long => "tolong",
                        KqlType::Real => "toreal",
                        KqlType::Decimal => "todecimal",
                        KqlType::Datetime => "todatetime",
                        KqlType::Timespan => "totimespan",
                        KqlType::Guid => "toguid",
                        KqlType::String => "tostring",
                        KqlType::Dynamic => "todynamic",
                    };
                    use crate::planner::ast_build::{call, name};
                    let call = call(conv, vec![name(&hidden(k), span)], span);
                    self.plan_scalar(&call, &uschema)?
                }
                None => {
                    let f = uschema
                        .field_with_unqualified_name(&hidden(k))
                        .map_err(crate::error::KqlError::from)?;
                    (col(&hidden(k)), KqlType::of_field(f))
                }
            };
            values.push((e.name.clone(), value));
        }
        let mut out: Vec<Expr> = Vec::new();
        for (q, f) in uschema.iter() {
            if f.name().starts_with("__kql_mv_") {
                continue;
            }
            match values.iter().find(|(n, _)| n == f.name()) {
                Some((n, (v, ty))) => out.push(typed_alias(v.clone(), n.clone(), *ty)),
                None => out.push(Expr::Column(Column::new(q.cloned(), f.name()))),
            }
        }
        for (n, (v, ty)) in &values {
            if schema.field_with_unqualified_name(n).is_err() {
                out.push(typed_alias(v.clone(), n.clone(), *ty));
            }
        }
        Ok(LogicalPlanBuilder::from(unnested).project(out)?.build()?)
    }

    /// `limit N`: a non-negative integer constant.
    fn row_limit(&mut self, e: &ast::Expr, schema: &DFSchema) -> Result<usize> {
        let (v, _) = self.plan_scalar(e, schema)?;
        let n = match v {
            Expr::Literal(ScalarValue::Int32(Some(n)), _) => Some(i64::from(n)),
            Expr::Literal(ScalarValue::Int64(Some(n)), _) => Some(n),
            _ => None,
        };
        match n.and_then(|n| usize::try_from(n).ok()) {
            Some(n) => Ok(n),
            None => self.err(
                "KQL0314",
                "`mv-expand ... limit` expects a non-negative integer constant",
                e.span,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kql_parser::ast::Ident;

    fn e(kind: ExprKind) -> ast::Expr {
        ast::Expr::new(kind, Span::default())
    }

    fn name(n: &str) -> ast::Expr {
        e(ExprKind::Name(Ident::new(n.to_string(), Span::default())))
    }

    #[test]
    fn result_names_follow_kusto() {
        assert_eq!(result_name(&name("x")).as_deref(), Some("x"));
        let member = e(ExprKind::Member {
            target: Box::new(name("d")),
            name: Ident::new("a".to_string(), Span::default()),
        });
        assert_eq!(result_name(&member).as_deref(), Some("d_a"));
        let index = e(ExprKind::Index {
            target: Box::new(member),
            index: Box::new(e(ExprKind::Literal(Literal::Long(Some(0))))),
        });
        assert_eq!(result_name(&index).as_deref(), Some("d_a_0"));
        let paren = e(ExprKind::Paren(Box::new(name("y"))));
        assert_eq!(result_name(&paren).as_deref(), Some("y"));
        let call = e(ExprKind::Call {
            func: Box::new(name("pack_array")),
            args: vec![],
        });
        assert_eq!(result_name(&call), None);
    }
}
