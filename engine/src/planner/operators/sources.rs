//! datatable, print, range, union.

use super::col;
use crate::error::Result;
use crate::planner::Planner;
use crate::sources::range::{Steps, range_table};
use datafusion::arrow::array::{ArrayRef, new_null_array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::DFSchema;
use datafusion::datasource::{MemTable, provider_as_source};
use datafusion::logical_expr::{Expr, LogicalPlan, LogicalPlanBuilder, lit};
use datafusion::scalar::ScalarValue;
use kql_functions::KqlType;
use kql_parser::ast::{self, ColumnDecl, ExprKind, Ident, NamedExpr, OpParam};
use kql_parser::span::Span;
use std::sync::Arc;

impl Planner<'_> {
    /// Evaluates a constant expression (a literal, possibly negated, or a scalar `let`).
    fn constant(&mut self, e: &ast::Expr) -> Result<(ScalarValue, KqlType)> {
        let (x, ty) = self.plan_scalar(e, &DFSchema::empty())?;
        match x {
            Expr::Literal(v, _) => Ok((v, ty)),
            _ => self.err("KQL0314", "expected a constant value here", e.span),
        }
    }

    pub(crate) fn plan_datatable(
        &mut self,
        columns: &[ColumnDecl],
        values: &[ast::Expr],
        span: Span,
    ) -> Result<LogicalPlan> {
        if columns.is_empty() {
            return self.err("KQL0107", "`datatable` needs at least one column", span);
        }
        if !values.len().is_multiple_of(columns.len()) {
            return self.err(
                "KQL0107",
                format!(
                    "`datatable` has {} values, which is not a multiple of its {} columns",
                    values.len(),
                    columns.len()
                ),
                span,
            );
        }
        let mut cols: Vec<Vec<ScalarValue>> = vec![Vec::new(); columns.len()];
        for (i, v) in values.iter().enumerate() {
            let c = &columns[i % columns.len()];
            let want = KqlType::from_type_name(c.ty);
            let (sv, ty) = self.constant(v)?;
            let sv = if sv.is_null() {
                ScalarValue::try_from(&want.arrow_type())?
            } else if ty == want
                || (want == KqlType::Dynamic)
                || (want.is_numeric() && ty.is_numeric())
            {
                if want == KqlType::Dynamic && ty != KqlType::Dynamic {
                    // a scalar in a dynamic column: its JSON form
                    ScalarValue::Utf8(Some(crate::planner::literal::scalar_json(&sv).to_string()))
                } else {
                    sv.cast_to(&want.arrow_type())?
                }
            } else {
                return self.err(
                    "KQL0315",
                    format!(
                        "value of type {ty} in column '{}' of type {want}",
                        c.name.name
                    ),
                    v.span,
                );
            };
            cols[i % columns.len()].push(sv);
        }
        let fields: Vec<Field> = columns
            .iter()
            .map(|c| KqlType::from_type_name(c.ty).field(&c.name.name))
            .collect();
        let schema = Arc::new(Schema::new(fields));
        let rows = values.len() / columns.len();
        let mut arrays: Vec<ArrayRef> = Vec::new();
        for (c, vals) in columns.iter().zip(cols) {
            let dt = KqlType::from_type_name(c.ty).arrow_type();
            let arr = if rows == 0 {
                new_null_array(&dt, 0)
            } else {
                let a = ScalarValue::iter_to_array(vals)?;
                if a.data_type() == &dt {
                    a
                } else {
                    cast(&a, &dt)?
                }
            };
            arrays.push(arr);
        }
        let batch = RecordBatch::try_new(schema.clone(), arrays)?;
        let table = MemTable::try_new(schema.clone(), vec![vec![batch]])?;
        let exprs: Vec<Expr> = schema.fields().iter().map(|f| col(f.name())).collect();
        Ok(
            LogicalPlanBuilder::scan("datatable", provider_as_source(Arc::new(table)), None)?
                .project(exprs)?
                .build()?,
        )
    }

    pub(crate) fn plan_print(&mut self, cols: &[NamedExpr]) -> Result<LogicalPlan> {
        let one = LogicalPlanBuilder::empty(true).build()?;
        let (one, cols, _tuples) = self.lift_tuples(one, cols, false)?;
        let schema = one.schema().clone();
        let mut exprs = Vec::new();
        let mut taken: Vec<String> = Vec::new();
        for (i, c) in cols.iter().enumerate() {
            let (e, ty) = self.plan_scalar(&c.expr, &schema)?;
            // unnamed print columns are print_0, print_1, ... by position
            let name = match c.names.first() {
                Some(n) => n.name.clone(),
                None => format!("print_{i}"),
            };
            if taken.contains(&name) {
                return self.err(
                    "KQL0205",
                    format!("column '{name}' is printed more than once"),
                    c.span,
                );
            }
            taken.push(name.clone());
            exprs.push(super::typed_alias(e, name, ty));
        }
        Ok(LogicalPlanBuilder::from(one).project(exprs)?.build()?)
    }

    pub(crate) fn plan_range(
        &mut self,
        column: &Ident,
        from: &ast::Expr,
        to: &ast::Expr,
        step: &ast::Expr,
        span: Span,
    ) -> Result<LogicalPlan> {
        let empty = DFSchema::empty();
        let (fe, ft) = self.plan_scalar(from, &empty)?;
        let (te, tt) = self.plan_scalar(to, &empty)?;
        let (se, st) = self.plan_scalar(step, &empty)?;
        let name = column.name.clone();
        let all_constant = [&fe, &te, &se]
            .iter()
            .all(|e| matches!(e, Expr::Literal(..)));
        if !all_constant {
            // bounds computed at run time (toscalar(...), functions): a long series generated
            // by DataFusion on one row, then unnested
            if !(ft.is_numeric() && tt.is_numeric() && st.is_numeric())
                || [ft, tt, st].contains(&KqlType::Real)
            {
                return self.err(
                    "KQL0314",
                    "`range` bounds that are not constants must be long or int values",
                    span,
                );
            }
            let as_long = |e: Expr| {
                Expr::Cast(datafusion::logical_expr::Cast::new(
                    Box::new(e),
                    DataType::Int64,
                ))
            };
            let series = datafusion::functions_nested::range::gen_series(
                as_long(fe),
                as_long(te),
                as_long(se),
            );
            return Ok(LogicalPlanBuilder::empty(true)
                .project(vec![series.alias(name.clone())])?
                .unnest_column(name.as_str())?
                .build()?);
        }
        let (f, t, s) = match (fe, te, se) {
            (Expr::Literal(f, _), Expr::Literal(t, _), Expr::Literal(s, _)) => (f, t, s),
            _ => return self.err("KQL0314", "expected constant `range` bounds", span),
        };
        let lazy = |field: Field, steps: Steps, count: Option<u64>| -> Result<LogicalPlan> {
            let Some(count) = count else {
                return self.err("KQL0314", "`range` step must not be zero", step.span);
            };
            let table = range_table(field.clone(), steps, count)?;
            Ok(
                LogicalPlanBuilder::scan("range", provider_as_source(table), None)?
                    .project(vec![col(field.name())])?
                    .build()?,
            )
        };
        match (ft, st) {
            (KqlType::Datetime, KqlType::Timespan) => {
                let (
                    ScalarValue::TimestampNanosecond(Some(a), _),
                    ScalarValue::TimestampNanosecond(Some(b), _),
                    ScalarValue::DurationNanosecond(Some(d)),
                ) = (&f, &t.cast_to(&KqlType::Datetime.arrow_type())?, &s)
                else {
                    return self.err(
                        "KQL0314",
                        "`range` needs non-null datetime bounds and a timespan step",
                        span,
                    );
                };
                lazy(
                    KqlType::Datetime.field(&name),
                    Steps::Int {
                        start: *a,
                        step: *d,
                    },
                    Steps::count_to_int(*a, *b, *d),
                )
            }
            (a, b) if a.is_numeric() && b.is_numeric() => {
                let real = a == KqlType::Real
                    || b == KqlType::Real
                    || !matches!(t, ScalarValue::Int64(_) | ScalarValue::Int32(_));
                if real {
                    let (
                        Ok(ScalarValue::Float64(Some(a))),
                        Ok(ScalarValue::Float64(Some(b))),
                        Ok(ScalarValue::Float64(Some(d))),
                    ) = (
                        f.cast_to(&DataType::Float64),
                        t.cast_to(&DataType::Float64),
                        s.cast_to(&DataType::Float64),
                    )
                    else {
                        return self.err("KQL0314", "`range` needs non-null bounds and step", span);
                    };
                    lazy(
                        KqlType::Real.field(&name),
                        Steps::Real { start: a, step: d },
                        Steps::count_to_real(a, b, d),
                    )
                } else {
                    let (
                        Ok(ScalarValue::Int64(Some(a))),
                        Ok(ScalarValue::Int64(Some(b))),
                        Ok(ScalarValue::Int64(Some(d))),
                    ) = (
                        f.cast_to(&DataType::Int64),
                        t.cast_to(&DataType::Int64),
                        s.cast_to(&DataType::Int64),
                    )
                    else {
                        return self.err("KQL0314", "`range` needs non-null bounds and step", span);
                    };
                    lazy(
                        KqlType::Long.field(&name),
                        Steps::Int { start: a, step: d },
                        Steps::count_to_int(a, b, d),
                    )
                }
            }
            (KqlType::Timespan, KqlType::Timespan) => {
                let (
                    ScalarValue::DurationNanosecond(Some(a)),
                    ScalarValue::DurationNanosecond(Some(b)),
                    ScalarValue::DurationNanosecond(Some(d)),
                ) = (&f, &t, &s)
                else {
                    return self.err("KQL0314", "`range` needs non-null bounds and step", span);
                };
                lazy(
                    KqlType::Timespan.field(&name),
                    Steps::Int {
                        start: *a,
                        step: *d,
                    },
                    Steps::count_to_int(*a, *b, *d),
                )
            }
            (a, b) => self.err(
                "KQL0314",
                format!("`range` cannot step {a} values by {b}"),
                span,
            ),
        }
    }

    pub(crate) fn plan_union(
        &mut self,
        input: Option<LogicalPlan>,
        params: &[OpParam],
        tables: &[ast::Expr],
        span: Span,
    ) -> Result<LogicalPlan> {
        let mut kind_inner = false;
        let mut fuzzy = false;
        let mut withsource: Option<String> = None;
        for p in params {
            let value = match &p.value.kind {
                ExprKind::Name(n) => n.name.clone(),
                ExprKind::Literal(ast::Literal::String { value, .. }) => value.clone(),
                ExprKind::Literal(ast::Literal::Bool(Some(b))) => b.to_string(),
                _ => p.value.to_string(),
            };
            match p.name.as_str() {
                "kind" => match value.as_str() {
                    "inner" => kind_inner = true,
                    "outer" => kind_inner = false,
                    other => {
                        return self.err(
                            "KQL0107",
                            format!("union kind must be `inner` or `outer`, found `{other}`"),
                            p.span,
                        );
                    }
                },
                "withsource" | "with_source" => withsource = Some(value),
                "isfuzzy" => fuzzy = value == "true",
                n if n.starts_with("hint.") => {}
                other => {
                    return self.err(
                        "KQL0107",
                        format!("unknown union parameter `{other}`"),
                        p.span,
                    );
                }
            }
        }
        let mut legs: Vec<(String, LogicalPlan)> = Vec::new();
        if let Some(i) = input {
            legs.push(("union_arg0".to_string(), i));
        }
        for t in tables {
            let label = match &t.kind {
                ExprKind::Name(n) => n.name.clone(),
                _ => as_name(t).unwrap_or_else(|| format!("union_arg{}", legs.len())),
            };
            if let ExprKind::Name(n) = &t.kind
                && n.name.contains('*')
            {
                let mut matches: Vec<String> = self
                    .ctx
                    .table_names()
                    .into_iter()
                    .chain(self.views.iter().cloned())
                    .filter(|tn| super::project::wildcard_match(&n.name, tn))
                    .collect();
                matches.dedup();
                for m in matches {
                    let e = ast::Expr::new(ExprKind::Name(Ident::new(m.clone(), t.span)), t.span);
                    let p = self.plan_tabular(&e)?;
                    legs.push((m, p));
                }
                continue;
            }
            match self.plan_tabular(t) {
                Ok(p) => legs.push((label, p)),
                // isfuzzy=true: legs that do not resolve are skipped
                Err(crate::error::KqlError::Query { .. }) if fuzzy => continue,
                Err(e) => return Err(e),
            }
        }
        if legs.is_empty() {
            return self.err("KQL0107", "`union` has no table that resolves", span);
        }
        // Output columns by name in first-seen order; a name with different KQL types in
        // different legs becomes one column per type, `name_type` (Kusto's rule), made unique.
        let mut by_name: Vec<(String, Vec<(KqlType, Field)>)> = Vec::new();
        for (_, p) in &legs {
            for f in p.schema().fields() {
                let ty = KqlType::of_field(f);
                match by_name.iter_mut().find(|(n, _)| n == f.name()) {
                    Some((_, types)) => {
                        if !types.iter().any(|(t, _)| *t == ty) {
                            types.push((ty, f.as_ref().clone()));
                        }
                    }
                    None => by_name.push((f.name().clone(), vec![(ty, f.as_ref().clone())])),
                }
            }
        }
        if kind_inner {
            by_name.retain(|(n, _)| {
                legs.iter()
                    .all(|(_, p)| p.schema().fields().iter().any(|f| f.name() == n))
            });
        }
        let plain: Vec<String> = by_name
            .iter()
            .filter(|(_, t)| t.len() == 1)
            .map(|(n, _)| n.clone())
            .collect();
        // (output name, source name, KQL type, field)
        let mut names: Vec<(String, String, KqlType, Field)> = Vec::new();
        let mut taken: Vec<String> = plain.clone();
        for (n, types) in &by_name {
            if types.len() == 1 {
                let (ty, f) = &types[0];
                names.push((n.clone(), n.clone(), *ty, f.clone()));
            } else {
                for (ty, f) in types {
                    let base = format!("{n}_{}", ty.name());
                    let mut out = base.clone();
                    let mut i = 1;
                    while taken.contains(&out) {
                        out = format!("{base}{i}");
                        i += 1;
                    }
                    taken.push(out.clone());
                    names.push((out, n.clone(), *ty, f.clone()));
                }
            }
        }
        let mut unioned: Option<LogicalPlanBuilder> = None;
        for (label, p) in legs {
            let schema = p.schema().clone();
            let mut exprs: Vec<Expr> = Vec::new();
            if let Some(ws) = &withsource {
                exprs.push(lit(label.clone()).alias(ws.clone()));
            }
            for (out, src, ty, f) in &names {
                let here = schema
                    .fields()
                    .iter()
                    .find(|g| g.name() == src && KqlType::of_field(g) == *ty);
                let e = match here {
                    Some(g) if g.data_type() == f.data_type() => col(src),
                    Some(_) => Expr::Cast(datafusion::logical_expr::Cast::new(
                        Box::new(col(src)),
                        f.data_type().clone(),
                    )),
                    None => Expr::Literal(ScalarValue::try_from(f.data_type())?, None),
                };
                exprs.push(super::typed_alias(e, out.clone(), *ty));
            }
            let leg = LogicalPlanBuilder::from(p).project(exprs)?.build()?;
            unioned = Some(match unioned {
                None => LogicalPlanBuilder::from(leg),
                Some(b) => b.union(leg)?,
            });
        }
        match unioned {
            Some(b) => Ok(b.build()?),
            None => self.err("KQL0107", "`union` needs at least one table", span),
        }
    }
}

/// The name given by a trailing `as` in a union leg (`(T | ... | as Name)`), which `withsource`
/// reports for that leg.
fn as_name(e: &ast::Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Paren(inner) => as_name(inner),
        ExprKind::Pipe { ops, .. } => match ops.last().map(|o| &o.kind) {
            Some(ast::OperatorKind::As { name, .. }) => Some(name.name.clone()),
            _ => None,
        },
        _ => None,
    }
}
