//! Scalar expressions: names, literals, operators with KQL typing rules, calls.

use super::{Binding, Planner};
use crate::error::Result;
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::{Column, DFSchema};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{Between, BinaryExpr, Cast, Expr, Operator, Subquery, lit};
use datafusion::scalar::ScalarValue;
use kql_functions::KqlType;
use kql_functions::lower::{Arg, CallContext};
use kql_parser::ast::{self, BinaryOp, ExprKind, ListOp, Literal, UnaryOp};
use std::sync::Arc;

fn binary(l: Expr, op: Operator, r: Expr) -> Expr {
    Expr::BinaryExpr(BinaryExpr::new(Box::new(l), op, Box::new(r)))
}

fn cast(e: Expr, dt: DataType) -> Expr {
    Expr::Cast(Cast::new(Box::new(e), dt))
}

/// Finds a column by name in a schema (unqualified), returning its expression and KQL type.
pub(crate) fn column_in(schema: &DFSchema, name: &str) -> Option<(Expr, KqlType)> {
    schema.iter().find(|(_, f)| f.name() == name).map(|(q, f)| {
        (
            Expr::Column(Column::new(q.cloned(), name)),
            KqlType::of_field(f),
        )
    })
}

/// The closest name within a small edit distance, for "did you mean".
pub(crate) fn closest<'n>(name: &str, candidates: impl Iterator<Item = &'n str>) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    candidates
        .map(|c| (distance(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push(
                (prev[j] + usize::from(ca != *cb))
                    .min(prev[j + 1] + 1)
                    .min(cur[j] + 1),
            );
        }
        prev = cur;
    }
    prev[b.len()]
}

impl Planner<'_> {
    pub(crate) fn call_context(&self) -> CallContext {
        CallContext {
            now_nanos: self.now_nanos,
        }
    }

    /// Plans a scalar expression against `schema`.
    pub(crate) fn plan_scalar(
        &mut self,
        e: &ast::Expr,
        schema: &DFSchema,
    ) -> Result<(Expr, KqlType)> {
        match &e.kind {
            ExprKind::Literal(l) => self.plan_literal(l, e.span),
            ExprKind::Name(id) => self.plan_name(&id.name, e.span, schema),
            ExprKind::Paren(inner) => self.plan_scalar(inner, schema),
            ExprKind::Unary { op, operand } => {
                let (x, ty) = self.plan_scalar(operand, schema)?;
                match op {
                    UnaryOp::Plus => Ok((x, ty)),
                    UnaryOp::Neg => {
                        if !(ty.is_numeric() || ty == KqlType::Timespan) {
                            return self.err(
                                "KQL0302",
                                format!("cannot negate a value of type {ty}"),
                                e.span,
                            );
                        }
                        // fold literals so `-5` stays a literal (datatable values, parameters)
                        if let Expr::Literal(ScalarValue::DurationNanosecond(Some(n)), _) = &x
                            && let Some(neg) = n.checked_neg()
                        {
                            return Ok((
                                Expr::Literal(ScalarValue::DurationNanosecond(Some(neg)), None),
                                ty,
                            ));
                        }
                        if let Expr::Literal(v, _) = &x
                            && let Ok(n) = v.arithmetic_negate()
                        {
                            return Ok((Expr::Literal(n, None), ty));
                        }
                        if ty == KqlType::Timespan {
                            let dur = DataType::Duration(TimeUnit::Nanosecond);
                            return Ok((
                                cast(Expr::Negative(Box::new(cast(x, DataType::Int64))), dur),
                                ty,
                            ));
                        }
                        Ok((Expr::Negative(Box::new(x)), ty))
                    }
                }
            }
            ExprKind::Binary { op, left, right } => self
                .plan_binary(*op, left, right, e.span, schema)
                .map(|(x, t)| (crate::udf::fuse_comparison(x), t)),
            ExprKind::Between {
                expr,
                low,
                high,
                negated,
            } => {
                let (x, xty) = self.plan_scalar(expr, schema)?;
                let (lo, lty) = self.plan_scalar(low, schema)?;
                let (hi, hty) = self.plan_scalar(high, schema)?;
                // the bounds compare with the value as `>=` and `<=` do; the upper bound of
                // `datetime .. timespan` is a span added to the lower one
                let span_end = xty == KqlType::Datetime && hty == KqlType::Timespan;
                for (bound, ty, ok) in [(low, lty, false), (high, hty, span_end)] {
                    if !(ok || comparable(xty, ty)) {
                        return self.err("KQL0310", mismatch("`between`", xty, ty), bound.span);
                    }
                }
                // `datetime .. timespan` means an upper bound of low + span
                let hi = if hty == KqlType::Timespan
                    && !matches!(self.type_of(&x, schema), Some(KqlType::Timespan))
                {
                    binary(lo.clone(), Operator::Plus, hi)
                } else {
                    hi
                };
                Ok((
                    Expr::Between(Between::new(
                        Box::new(x),
                        *negated,
                        Box::new(lo),
                        Box::new(hi),
                    )),
                    KqlType::Bool,
                ))
            }
            ExprKind::List { op, expr, items } => self.plan_list(*op, expr, items, e.span, schema),
            ExprKind::Call { func, args } => self.plan_call(func, args, e.span, schema),
            ExprKind::Member { target, name } => {
                let (t, ty) = self.plan_scalar(target, schema)?;
                if ty != KqlType::Dynamic {
                    return self.err(
                        "KQL0303",
                        format!("`.{}` needs a dynamic value, found {ty}", name.name),
                        e.span,
                    );
                }
                let t = self.json_if_nested(t, schema);
                Ok((
                    crate::udf::dynamic_get(t, lit(name.name.clone())),
                    KqlType::Dynamic,
                ))
            }
            ExprKind::Index { target, index } => {
                let (t, ty) = self.plan_scalar(target, schema)?;
                // a tuple result (struct) read by position: its i-th field
                if let (Ok(DataType::Struct(fields)), ExprKind::Literal(Literal::Long(Some(i)))) = (
                    datafusion::logical_expr::ExprSchemable::get_type(&t, schema),
                    &index.kind,
                ) && let Some(f) = usize::try_from(*i).ok().and_then(|i| fields.get(i))
                {
                    let fty = KqlType::of_field(f);
                    return Ok((
                        datafusion::functions::core::expr_fn::get_field(t, f.name().as_str()),
                        fty,
                    ));
                }
                if ty != KqlType::Dynamic {
                    return self.err(
                        "KQL0303",
                        format!("indexing needs a dynamic value, found {ty}"),
                        e.span,
                    );
                }
                let (i, _) = self.plan_scalar(index, schema)?;
                let t = self.json_if_nested(t, schema);
                Ok((crate::udf::dynamic_get(t, i), KqlType::Dynamic))
            }
            ExprKind::Star => self.err(
                "KQL0304",
                "`*` is only allowed as a function argument here",
                e.span,
            ),
            ExprKind::Pipe { .. } | ExprKind::Source(_) => self.err(
                "KQL0305",
                "a tabular expression is not allowed here; use toscalar(...) for a single value",
                e.span,
            ),
            ExprKind::EntityGroup(_) => {
                self.err("KQL0402", "entity groups are not supported", e.span)
            }
        }
    }

    /// The KQL type of an already planned expression, when it is a column or literal.
    fn type_of(&self, e: &Expr, schema: &DFSchema) -> Option<KqlType> {
        match e {
            Expr::Column(c) => schema
                .field_with_unqualified_name(&c.name)
                .ok()
                .map(|f| KqlType::of_field(f)),
            Expr::Literal(v, _) => Some(KqlType::of_arrow(&v.data_type())),
            _ => None,
        }
    }

    fn plan_literal(&self, l: &Literal, span: kql_parser::Span) -> Result<(Expr, KqlType)> {
        match super::literal_value(l, self.now_nanos) {
            Ok((v, ty)) => Ok((Expr::Literal(v, None), ty)),
            Err(m) => self.err("KQL0306", m, span),
        }
    }

    fn plan_name(
        &mut self,
        name: &str,
        span: kql_parser::Span,
        schema: &DFSchema,
    ) -> Result<(Expr, KqlType)> {
        if let Some(c) = column_in(schema, name) {
            return Ok(c);
        }
        match self.lookup(name) {
            Some(Binding::Scalar(e, ty)) => {
                if self.subquery_depth > 0 && !e.column_refs().is_empty() {
                    return self.err(
                        "KQL0316",
                        format!(
                            "can't use '{name}' inside toscalar(...): it is a value of the outer query's current row (toscalar is evaluated once, not per row)"
                        ),
                        span,
                    );
                }
                return Ok((e.clone(), *ty));
            }
            Some(Binding::Tabular(_)) => {
                return self.err(
                    "KQL0305",
                    format!("`{name}` is a table; use toscalar({name}) for a single value"),
                    span,
                );
            }
            Some(Binding::Function(def)) => {
                // a function without parameters may be used without parentheses
                if def.params.is_empty()
                    && !def.body.result.as_ref().is_some_and(|r| self.is_tabular(r))
                {
                    let def = def.clone();
                    return self.expand_scalar_function(name, &def, &[], span, schema);
                }
                return self.err(
                    "KQL0305",
                    format!("`{name}` is a function; call it with `{name}()`"),
                    span,
                );
            }
            None => {}
        }
        let names: Vec<String> = schema
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .chain(self.scope_names())
            .collect();
        let help =
            closest(name, names.iter().map(String::as_str)).map(|s| format!("did you mean '{s}'?"));
        self.err_help(
            "KQL0201",
            format!("unknown column or name '{name}'"),
            span,
            help,
        )
    }

    /// `e` as dynamic JSON text when its value is a list, struct or map (see
    /// [`crate::udf::nested_to_json`]); `e` itself otherwise.
    pub(crate) fn json_if_nested(&self, e: Expr, schema: &DFSchema) -> Expr {
        use datafusion::logical_expr::ExprSchemable;
        match e.get_type(schema) {
            Ok(dt) if crate::udf::is_nested(&dt) => crate::udf::nested_to_json(e),
            _ => e,
        }
    }

    /// [`Self::plan_args`] for a function that reads `dynamic` arguments as JSON text (every
    /// function except the `series_*` family): nested arguments are converted.
    pub(crate) fn plan_json_args(
        &mut self,
        args: &[ast::Arg],
        schema: &DFSchema,
    ) -> Result<Vec<Arg>> {
        let mut out = self.plan_args(args, schema)?;
        for a in &mut out {
            a.expr = self.json_if_nested(a.expr.clone(), schema);
        }
        Ok(out)
    }

    pub(crate) fn plan_args(&mut self, args: &[ast::Arg], schema: &DFSchema) -> Result<Vec<Arg>> {
        let mut out = Vec::new();
        for a in args {
            if let Some(n) = &a.name {
                return self.err(
                    "KQL0307",
                    format!("named argument `{}` is not supported here", n.name),
                    n.span,
                );
            }
            let column = match &a.value.kind {
                ExprKind::Name(id) if column_in(schema, &id.name).is_some() => {
                    Some(id.name.clone())
                }
                _ => None,
            };
            let (expr, ty) = match &a.value.kind {
                ExprKind::Star => (Expr::Literal(ScalarValue::Null, None), KqlType::Dynamic),
                ExprKind::Literal(Literal::TypeOf(items)) => match items.as_slice() {
                    [
                        ast::TypeOfItem {
                            name: None,
                            ty: Some(t),
                        },
                    ] => (lit(t.as_str()), KqlType::String),
                    _ => {
                        return self.err(
                            "KQL0306",
                            "expected a single type, e.g. typeof(long)",
                            a.value.span,
                        );
                    }
                },
                _ => self.plan_scalar(&a.value, schema)?,
            };
            let literal = match &expr {
                Expr::Literal(v, _) => Some(v.clone()),
                _ => None,
            };
            out.push(Arg {
                expr,
                ty,
                literal,
                column,
            });
        }
        Ok(out)
    }

    fn plan_call(
        &mut self,
        func: &ast::Expr,
        args: &[ast::Arg],
        span: kql_parser::Span,
        schema: &DFSchema,
    ) -> Result<(Expr, KqlType)> {
        let ExprKind::Name(fname) = &func.kind else {
            return self.err("KQL0202", "only named functions can be called", func.span);
        };
        let name = fname.name.as_str();
        if name == "toscalar" {
            let [arg] = args else {
                return self.err("KQL0301", "`toscalar` expects one tabular argument", span);
            };
            if !self.is_tabular(&arg.value) {
                // toscalar(2): a scalar stays itself
                return self.plan_scalar(&arg.value, schema);
            }
            self.subquery_depth += 1;
            let plan = self.plan_tabular(&arg.value);
            self.subquery_depth -= 1;
            let plan = plan?;
            let Some(field) = plan.schema().fields().first().cloned() else {
                return self.err(
                    "KQL0308",
                    "`toscalar` needs a table with at least one column",
                    span,
                );
            };
            let ty = KqlType::of_field(&field);
            let plan = datafusion::logical_expr::LogicalPlanBuilder::from(plan)
                .limit(0, Some(1))?
                .project(vec![Expr::Column(Column::from_name(field.name()))])?
                .build()?;
            return Ok((
                Expr::ScalarSubquery(Subquery {
                    subquery: Arc::new(plan),
                    outer_ref_columns: vec![],
                    spans: Default::default(),
                }),
                ty,
            ));
        }
        if let Some(Binding::Function(def)) = self.lookup(name).cloned() {
            return self.expand_scalar_function(name, &def, args, span, schema);
        }
        if let Some(planned) = self.plan_row_function(name, args, span, schema) {
            return planned;
        }
        let lowered_args = if kql_functions::ml::reads_series(name) {
            self.plan_args(args, schema)?
        } else {
            self.plan_json_args(args, schema)?
        };
        let cx = self.call_context();
        match kql_functions::lower::scalar_call(name, &lowered_args, &cx) {
            Ok(Some(l)) => Ok((crate::udf::fuse_conversion(l.expr), l.ty)),
            Ok(None) => {
                if kql_functions::lower::is_aggregate(name) {
                    return self.err(
                        "KQL0309",
                        format!("aggregation function `{name}` can only be used in summarize or make-series"),
                        span,
                    );
                }
                let candidates: Vec<String> = kql_functions::catalog::names()
                    .map(str::to_string)
                    .chain(self.scope_names())
                    .collect();
                let help = closest(name, candidates.iter().map(String::as_str))
                    .map(|s| format!("did you mean '{s}'?"));
                self.err_help(
                    "KQL0202",
                    format!("unknown function '{name}'"),
                    fname.span,
                    help,
                )
            }
            Err(e) => self.err(e.code, e.message, span),
        }
    }

    fn plan_list(
        &mut self,
        op: ListOp,
        x: &ast::Expr,
        items: &[ast::Expr],
        span: kql_parser::Span,
        schema: &DFSchema,
    ) -> Result<(Expr, KqlType)> {
        let (xe, xty) = self.plan_scalar(x, schema)?;
        // a single tabular item: `x in (T | project y)`
        if let [item] = items
            && self.is_tabular(item)
            && matches!(op, ListOp::In | ListOp::NotIn)
        {
            let plan = self.plan_tabular(item)?;
            let sub = Subquery {
                subquery: Arc::new(plan),
                outer_ref_columns: vec![],
                spans: Default::default(),
            };
            return Ok((
                Expr::InSubquery(datafusion::logical_expr::expr::InSubquery::new(
                    Box::new(xe),
                    sub,
                    op == ListOp::NotIn,
                )),
                KqlType::Bool,
            ));
        }
        let mut values = Vec::new();
        for it in items {
            let (v, _) = self.plan_scalar(it, schema)?;
            values.push(v);
        }
        match op {
            // a null value is not in any list (so `!in` keeps it)
            ListOp::In | ListOp::NotIn => Ok((
                datafusion::functions::core::expr_fn::coalesce(vec![
                    xe.in_list(values, op == ListOp::NotIn),
                    lit(op == ListOp::NotIn),
                ]),
                KqlType::Bool,
            )),
            ListOp::InCi | ListOp::NotInCi => {
                if xty != KqlType::String {
                    return self.err(
                        "KQL0303",
                        format!("`{}` compares strings, found {xty}", op.as_str()),
                        span,
                    );
                }
                let lower = |e: Expr| {
                    Expr::ScalarFunction(ScalarFunction::new_udf(
                        datafusion::functions::string::lower(),
                        vec![e],
                    ))
                };
                let values = values.into_iter().map(lower).collect();
                Ok((
                    lower(xe).in_list(values, op == ListOp::NotInCi),
                    KqlType::Bool,
                ))
            }
            ListOp::HasAny | ListOp::HasAll => {
                let mut acc: Option<Expr> = None;
                for v in values {
                    let l = Arg {
                        expr: xe.clone(),
                        ty: xty,
                        literal: None,
                        column: None,
                    };
                    let r = Arg {
                        expr: v,
                        ty: KqlType::String,
                        literal: None,
                        column: None,
                    };
                    let one = match kql_functions::string_ops::string_op(BinaryOp::Has, &l, &r) {
                        Ok(x) => x.expr,
                        Err(e) => return self.err(e.code, e.message, span),
                    };
                    acc = Some(match acc {
                        None => one,
                        Some(a) if op == ListOp::HasAny => a.or(one),
                        Some(a) => a.and(one),
                    });
                }
                Ok((acc.unwrap_or(lit(op == ListOp::HasAll)), KqlType::Bool))
            }
        }
    }

    fn plan_binary(
        &mut self,
        op: BinaryOp,
        left: &ast::Expr,
        right: &ast::Expr,
        span: kql_parser::Span,
        schema: &DFSchema,
    ) -> Result<(Expr, KqlType)> {
        let (l, lt) = self.plan_scalar(left, schema)?;
        let (r, rt) = self.plan_scalar(right, schema)?;
        use BinaryOp as B;
        let cmp = |o| Ok((binary(l.clone(), o, r.clone()), KqlType::Bool));
        // KQL: null == value is false and null != value is true; null == null stays null
        let eq = |ne: bool| -> Result<(Expr, KqlType)> {
            let e = binary(
                l.clone(),
                if ne { Operator::NotEq } else { Operator::Eq },
                r.clone(),
            );
            let l_lit = matches!(&l, Expr::Literal(v, _) if !v.is_null());
            let r_lit = matches!(&r, Expr::Literal(v, _) if !v.is_null());
            let out = if l_lit || r_lit {
                datafusion::functions::core::expr_fn::coalesce(vec![e, lit(ne)])
            } else {
                Expr::Case(datafusion::logical_expr::Case::new(
                    None,
                    vec![(
                        Box::new(l.clone().is_null().and(r.clone().is_null())),
                        Box::new(Expr::Literal(ScalarValue::Boolean(None), None)),
                    )],
                    Some(Box::new(datafusion::functions::core::expr_fn::coalesce(
                        vec![e, lit(ne)],
                    ))),
                ))
            };
            Ok((out, KqlType::Bool))
        };
        match op {
            B::Or | B::And => {
                if lt != KqlType::Bool || rt != KqlType::Bool {
                    return self.err(
                        "KQL0310",
                        format!("`{}` needs bool operands, found {lt} and {rt}", op.as_str()),
                        span,
                    );
                }
                Ok((
                    binary(
                        l,
                        if op == B::Or {
                            Operator::Or
                        } else {
                            Operator::And
                        },
                        r,
                    ),
                    KqlType::Bool,
                ))
            }
            B::Eq | B::NotEq | B::Lt | B::Le | B::Gt | B::Ge if !comparable(lt, rt) => self.err(
                "KQL0310",
                mismatch(&format!("`{}`", op.as_str()), lt, rt),
                span,
            ),
            B::Eq => eq(false),
            B::NotEq => eq(true),
            B::Lt => cmp(Operator::Lt),
            B::Le => cmp(Operator::LtEq),
            B::Gt => cmp(Operator::Gt),
            B::Ge => cmp(Operator::GtEq),
            B::Add | B::Sub | B::Mul | B::Div | B::Mod => self.plan_arith(op, l, lt, r, rt, span),
            _ => {
                let la = Arg {
                    expr: l,
                    ty: lt,
                    literal: None,
                    column: None,
                };
                let ra = Arg {
                    expr: r,
                    ty: rt,
                    literal: None,
                    column: None,
                };
                match kql_functions::string_ops::string_op(op, &la, &ra) {
                    Ok(x) => Ok((x.expr, x.ty)),
                    Err(e) => self.err(e.code, e.message, span),
                }
            }
        }
    }

    fn plan_arith(
        &self,
        op: BinaryOp,
        l: Expr,
        lt: KqlType,
        r: Expr,
        rt: KqlType,
        span: kql_parser::Span,
    ) -> Result<(Expr, KqlType)> {
        use BinaryOp as B;
        use KqlType as T;
        let dur = DataType::Duration(TimeUnit::Nanosecond);
        let as_i64 = |e: Expr| cast(e, DataType::Int64);
        let as_f64 = |e: Expr| cast(e, DataType::Float64);
        // a scaled timespan out of range (`1s / 0.0`, `1s * 1e300`, NaN) is null, not a cast
        // error (found by the plan fuzz harness; engine/fuzz/regressions/plan/span-scale.kql)
        let ticks = |e: Expr| {
            Expr::TryCast(datafusion::logical_expr::TryCast::new(
                Box::new(e),
                DataType::Int64,
            ))
        };
        let bad = || {
            self.err(
                "KQL0311",
                format!(
                    "operator `{}` is not defined for {lt} and {rt}",
                    op.as_str()
                ),
                span,
            )
        };
        match (lt, rt) {
            _ if lt.is_numeric() && rt.is_numeric() => {
                let ty = if lt == T::Real || rt == T::Real {
                    T::Real
                } else if lt == T::Decimal || rt == T::Decimal {
                    T::Decimal
                } else {
                    T::Long
                };
                let (l, r) = match ty {
                    T::Long => (as_i64(l), as_i64(r)),
                    T::Real => (as_f64(l), as_f64(r)),
                    _ => (l, r),
                };
                let e = match op {
                    B::Add => binary(l, Operator::Plus, r),
                    B::Sub => binary(l, Operator::Minus, r),
                    B::Mul => binary(l, Operator::Multiply, r),
                    B::Div => binary(l, Operator::Divide, r),
                    // Kusto's `%` is never negative: ((a % b) + |b|) % |b|
                    _ => {
                        let abs_r = Expr::ScalarFunction(ScalarFunction::new_udf(
                            datafusion::functions::math::abs(),
                            vec![r.clone()],
                        ));
                        let m = binary(l, Operator::Modulo, r);
                        binary(
                            binary(m, Operator::Plus, abs_r.clone()),
                            Operator::Modulo,
                            abs_r,
                        )
                    }
                };
                Ok((e, ty))
            }
            (T::Datetime, T::Datetime) if op == B::Sub => {
                Ok((binary(l, Operator::Minus, r), T::Timespan))
            }
            (T::Datetime, T::Timespan) if matches!(op, B::Add | B::Sub) => Ok((
                binary(
                    l,
                    if op == B::Add {
                        Operator::Plus
                    } else {
                        Operator::Minus
                    },
                    r,
                ),
                T::Datetime,
            )),
            (T::Timespan, T::Datetime) if op == B::Add => {
                Ok((binary(r, Operator::Plus, l), T::Datetime))
            }
            (T::Timespan, T::Timespan) => match op {
                B::Add | B::Sub => Ok((
                    cast(
                        binary(
                            as_i64(l),
                            if op == B::Add {
                                Operator::Plus
                            } else {
                                Operator::Minus
                            },
                            as_i64(r),
                        ),
                        dur,
                    ),
                    T::Timespan,
                )),
                B::Div => Ok((
                    binary(as_f64(as_i64(l)), Operator::Divide, as_f64(as_i64(r))),
                    T::Real,
                )),
                B::Mod => Ok((
                    cast(binary(as_i64(l), Operator::Modulo, as_i64(r)), dur),
                    T::Timespan,
                )),
                _ => bad(),
            },
            (T::Timespan, n) | (n, T::Timespan) if n.is_numeric() && matches!(op, B::Mul) => {
                let (span_e, num_e) = if lt == T::Timespan { (l, r) } else { (r, l) };
                Ok((
                    cast(
                        ticks(binary(
                            as_f64(as_i64(span_e)),
                            Operator::Multiply,
                            as_f64(num_e),
                        )),
                        dur,
                    ),
                    T::Timespan,
                ))
            }
            (T::Timespan, n) if n.is_numeric() && op == B::Div => Ok((
                cast(
                    ticks(binary(as_f64(as_i64(l)), Operator::Divide, as_f64(r))),
                    dur,
                ),
                T::Timespan,
            )),
            _ => bad(),
        }
    }
}

/// Whether a comparison between values of types `a` and `b` is allowed: numbers with
/// numbers, a type with itself, `dynamic` with anything, and guids with strings. Kusto rejects
/// the others when the query is compiled ("Cannot compare values of types string and
/// datetime"), where an implicit conversion would give answers Kusto never gives (`1 == "1"`)
/// or fail part-way through a query.
fn comparable(a: KqlType, b: KqlType) -> bool {
    use KqlType as T;
    a == b
        || (a.is_numeric() && b.is_numeric())
        || a == T::Dynamic
        || b == T::Dynamic
        || matches!((a, b), (T::Guid, T::String) | (T::String, T::Guid))
}

/// The error for comparing values of types `a` and `b` with `what`.
fn mismatch(what: &str, a: KqlType, b: KqlType) -> String {
    format!(
        "{what} cannot compare values of types {a} and {b}; convert one side explicitly (for \
         example with tolong(), todatetime() or tostring())"
    )
}
