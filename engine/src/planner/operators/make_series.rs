//! make-series (make-series-operator.md; ml-operators.md §2).
//!
//! Planned as two DataFusion aggregations so both run in parallel and stream:
//!
//! 1. rows whose axis lies in `[start, end)` get a bin number `k = floor((axis − start) / step)`
//!    and are summarized by the `by` keys and `k` with the series' aggregates (the ordinary
//!    `summarize` lowering, so every aggregate and its naming work as there);
//! 2. the per-bin rows are aggregated by the keys with `kql_make_series`, which builds each dense
//!    series (`List<Int64>` or `List<Float64>`; empty bins hold the `default=` value, 0 unless
//!    given); the axis column is the list of bin starts.
//!
//! `start`/`end`: `from`/`to` when given (`to` exclusive); otherwise `bin(min(axis), step)` and
//! `bin(max(axis), step) + step` over the whole input (`bin` aligns datetimes to 0001-01-01).
//! `in range(a, b, step)` is `from bin(a, step) to bin(b, step) + step` (b inclusive). When both
//! ends fold to constants the bounds are literals, and the rows in range are those with
//! `start <= axis < start + nbins · step` (a filter on the axis itself, which Parquet scans
//! prune row groups by); otherwise a one-row table of bounds is cross-joined.
//!
//! Output: the by-columns, one series per aggregate, then the axis. Input with no rows in range
//! gives no rows, except `kind=nonempty` without `by`, which gives one row of defaults.

use super::{col, column_names};
use crate::error::{KqlError, Result};
use crate::planner::Planner;
use crate::planner::ast_build::{call, name};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::functions_aggregate::expr_fn::{count, max, min};
use datafusion::logical_expr::simplify::SimplifyContext;
use datafusion::logical_expr::{Cast, Expr, LogicalPlan, LogicalPlanBuilder, lit};
use datafusion::optimizer::simplify_expressions::ExprSimplifier;
use kql_functions::KqlType;
use kql_functions::series::{
    AxisKind, MAX_SERIES_POINTS, make_series_collect, series_axis, too_many_points,
};
use kql_parser::Span;
use kql_parser::ast::{self, ExprKind, Ident, MakeSeries, MakeSeriesRange, NamedExpr};

const BIN: &str = "__kql_bin";
const START: &str = "__kql_ms_start";
const NBINS: &str = "__kql_ms_nbins";
const ROWS: &str = "__kql_ms_rows";

fn cast(e: Expr, t: DataType) -> Expr {
    Expr::Cast(Cast::new(Box::new(e), t))
}

/// The bounds of the axis: literals, or columns of a one-row plan.
enum Bounds {
    Const { start: ScalarValue, nbins: i64 },
    Computed(LogicalPlan),
}

impl Planner<'_> {
    pub(crate) fn plan_make_series(
        &mut self,
        input: LogicalPlan,
        ms: &MakeSeries,
        span: Span,
    ) -> Result<LogicalPlan> {
        let mut nonempty = false;
        for p in &ms.params {
            match (p.name.as_str(), super::mv_expand::param_text(p).as_deref()) {
                ("kind", Some("nonempty")) => nonempty = true,
                ("kind", _) => {
                    return self.err("KQL0107", "make-series `kind` must be `nonempty`", p.span);
                }
                (n, _) if n.starts_with("hint.") => {}
                (n, _) => {
                    return self.err(
                        "KQL0107",
                        format!("unknown make-series parameter `{n}`"),
                        p.span,
                    );
                }
            }
        }
        let schema = input.schema().clone();
        // the axis and its step
        let (axis, axis_ty) = self.plan_scalar(&ms.on.expr, &schema)?;
        let axis_name = match ms.on.names.first() {
            Some(n) => n.name.clone(),
            None => match super::mv_expand::result_name(&ms.on.expr) {
                Some(n) => n,
                None => {
                    return self.err(
                        "KQL0107",
                        "name the make-series axis: `on Name = expression`",
                        ms.on.span,
                    );
                }
            },
        };
        let step_ast = match &ms.range {
            MakeSeriesRange::FromToStep { step, .. } | MakeSeriesRange::InRange { step, .. } => {
                step
            }
        };
        let (step, step_ty) = self.plan_scalar(step_ast, &datafusion::common::DFSchema::empty())?;
        let step = self.fold(step);
        let kind = match (axis_ty, step_ty) {
            (KqlType::Datetime, KqlType::Timespan) => AxisKind::Datetime,
            (KqlType::Timespan, KqlType::Timespan) => AxisKind::Timespan,
            (KqlType::Int | KqlType::Long, KqlType::Int | KqlType::Long) => AxisKind::Long,
            (a, s) if a.is_numeric() && s.is_numeric() => AxisKind::Real,
            (KqlType::Datetime | KqlType::Timespan, s) => {
                return self.err(
                    "KQL0301",
                    format!(
                        "the make-series step of a {axis_ty} axis must be a timespan, found {s}"
                    ),
                    step_ast.span,
                );
            }
            (a, _) => {
                return self.err(
                    "KQL0301",
                    format!(
                        "the make-series axis must be a datetime, timespan or number, found {a}"
                    ),
                    ms.on.expr.span,
                );
            }
        };
        let step = match self.step_value(&step, kind) {
            Some(v) => v,
            None => {
                return self.err(
                    "KQL0301",
                    "the make-series step must be a positive constant",
                    step_ast.span,
                );
            }
        };
        let internal = kind.input_type();
        // the axis in its internal form (Int64 nanoseconds for times)
        let axis_i = cast(axis.clone(), internal.clone());
        // 1. the bounds
        let bounds = self.series_bounds(&input, ms, &ms.on.expr, kind, &step, span)?;
        let (start, nbins, mut binned) = match &bounds {
            Bounds::Const { start, nbins } => (lit(start.clone()), lit(*nbins), input.clone()),
            Bounds::Computed(params) => (
                col(START),
                col(NBINS),
                LogicalPlanBuilder::from(input.clone())
                    .cross_join(params.clone())?
                    .build()?,
            ),
        };
        // 2. bin numbers of the rows in range
        let offset = axis_i.clone() - start.clone();
        let k = match kind {
            AxisKind::Real => cast(
                datafusion::functions::math::expr_fn::floor(offset.clone() / lit(step.clone())),
                DataType::Int64,
            ),
            _ => offset.clone() / lit(step.clone()),
        };
        let in_range = match const_range(&bounds, &step, &axis, &schema) {
            Some((low, high)) => axis.clone().gt_eq(low).and(axis.clone().lt(high)),
            None => axis_i.clone().is_not_null().and(
                offset
                    .clone()
                    .gt_eq(zero(kind))
                    .and(k.clone().lt(nbins.clone())),
            ),
        };
        let keep: Vec<Expr> = column_names(binned.schema())
            .iter()
            .map(|n| col(n))
            .chain([k.alias(BIN)])
            .collect();
        binned = LogicalPlanBuilder::from(binned)
            .filter(in_range)?
            .project(keep)?
            .build()?;
        // 3. summarize by the keys and the bin
        let mut aggs = Vec::new();
        let mut defaults = Vec::new();
        for a in &ms.aggs {
            let mut item = a.agg.clone();
            if !super::summarize::has_aggregate(&item.expr) {
                // a constant (`other = -1`) is take_any of itself: present where bins have rows
                item.expr = call("take_any", vec![item.expr.clone()], item.span);
            }
            let default = match &a.default {
                Some(d) => {
                    let (e, _) = self.plan_scalar(d, &datafusion::common::DFSchema::empty())?;
                    match self.fold(e) {
                        Expr::Literal(v, _) => Some(v),
                        _ => {
                            return self.err(
                                "KQL0301",
                                "a make-series `default=` must be a constant",
                                d.span,
                            );
                        }
                    }
                }
                None => None,
            };
            aggs.push(item);
            defaults.push(default);
        }
        let mut by: Vec<NamedExpr> = ms.by.clone();
        by.push(NamedExpr {
            names: vec![Ident::new(BIN, span)],
            expr: name(BIN, span),
            span,
        });
        let per_bin = self.plan_summarize(binned, &aggs, &by, span)?;
        let names = column_names(per_bin.schema());
        let nkeys = ms.by.len();
        if names.len() != nkeys + 1 + aggs.len() {
            return self.err(
                "KQL0301",
                "each make-series aggregate must give one value (e.g. percentile, not percentiles)",
                span,
            );
        }
        let key_names: Vec<String> = names[..nkeys].to_vec();
        let agg_names: Vec<String> = names[nkeys + 1..].to_vec();
        // 4. one dense series per key
        let per_bin = match &bounds {
            Bounds::Const { .. } => per_bin,
            Bounds::Computed(params) => LogicalPlanBuilder::from(per_bin)
                .cross_join(params.clone())?
                .build()?,
        };
        let mut series = Vec::new();
        for ((name, default), a) in agg_names.iter().zip(&defaults).zip(&ms.aggs) {
            let field = per_bin
                .schema()
                .field_with_unqualified_name(name)
                .map_err(KqlError::from)?;
            let ty = KqlType::of_field(field);
            let default_real = matches!(default, Some(ScalarValue::Float64(Some(_))));
            let real = match ty {
                KqlType::Int | KqlType::Long | KqlType::Bool => default_real,
                KqlType::Real | KqlType::Decimal => true,
                other => {
                    return self.err(
                        "KQL0301",
                        format!("make-series aggregates must be numeric; `{name}` is {other}"),
                        a.agg.span,
                    );
                }
            };
            let value = cast(
                col(name),
                if real {
                    DataType::Float64
                } else {
                    DataType::Int64
                },
            );
            let default = default.clone().unwrap_or(ScalarValue::Int64(Some(0)));
            let fixed = match &bounds {
                Bounds::Const { nbins, .. } => Some(*nbins),
                Bounds::Computed(_) => None,
            };
            let collected =
                make_series_collect(col(BIN), value, nbins.clone(), real, &default, fixed)
                    .map_err(KqlError::from)?;
            series.push(collected.alias(name.clone()));
        }
        let no_keys = key_names.is_empty();
        if no_keys {
            series.push(count(col(BIN)).alias(ROWS));
        }
        let group: Vec<Expr> = key_names.iter().map(|k| col(k)).collect();
        let mut collected = LogicalPlanBuilder::from(per_bin).aggregate(group, series)?;
        if no_keys && !nonempty {
            collected = collected.filter(col(ROWS).gt(lit(0i64)))?;
        }
        let collected = collected.build()?;
        // 5. keys, series, axis
        let (collected, start, nbins) = match &bounds {
            Bounds::Const { .. } => (collected, start, nbins),
            Bounds::Computed(params) => (
                LogicalPlanBuilder::from(collected)
                    .cross_join(params.clone())?
                    .build()?,
                col(START),
                col(NBINS),
            ),
        };
        let mut out: Vec<Expr> = key_names.iter().map(|k| col(k)).collect();
        out.extend(agg_names.iter().map(|n| col(n)));
        out.push(series_axis(kind, start, lit(step), nbins).alias(axis_name));
        Ok(LogicalPlanBuilder::from(collected).project(out)?.build()?)
    }

    /// Constant-folds `e` (DataFusion's simplifier); `e` itself when it cannot.
    fn fold(&self, e: Expr) -> Expr {
        let simplifier = ExprSimplifier::new(SimplifyContext::builder().build());
        simplifier.simplify(e.clone()).unwrap_or(e)
    }

    /// The step in the axis' internal form, when it is a positive constant.
    fn step_value(&self, step: &Expr, kind: AxisKind) -> Option<ScalarValue> {
        let Expr::Literal(v, _) = step else {
            return None;
        };
        match (kind, v) {
            (AxisKind::Datetime | AxisKind::Timespan, ScalarValue::DurationNanosecond(Some(n)))
                if *n > 0 =>
            {
                Some(ScalarValue::Int64(Some(*n)))
            }
            (AxisKind::Long, ScalarValue::Int64(Some(n))) if *n > 0 => {
                Some(ScalarValue::Int64(Some(*n)))
            }
            (AxisKind::Long, ScalarValue::Int32(Some(n))) if *n > 0 => {
                Some(ScalarValue::Int64(Some(i64::from(*n))))
            }
            (AxisKind::Real, v) => {
                let f = match v {
                    ScalarValue::Float64(Some(f)) => *f,
                    ScalarValue::Int64(Some(n)) => *n as f64,
                    ScalarValue::Int32(Some(n)) => f64::from(*n),
                    _ => return None,
                };
                (f > 0.0 && f.is_finite()).then_some(ScalarValue::Float64(Some(f)))
            }
            _ => None,
        }
    }

    /// The series' start and number of bins (see the module comment).
    fn series_bounds(
        &mut self,
        input: &LogicalPlan,
        ms: &MakeSeries,
        axis_ast: &ast::Expr,
        kind: AxisKind,
        step: &ScalarValue,
        span: Span,
    ) -> Result<Bounds> {
        let (from, to, step_ast): (Option<ast::Expr>, Option<ast::Expr>, &ast::Expr) =
            match &ms.range {
                MakeSeriesRange::FromToStep { from, to, step } => (from.clone(), to.clone(), step),
                MakeSeriesRange::InRange { start, stop, step } => (
                    Some(call("bin", vec![start.clone(), step.clone()], span)),
                    Some(ast::Expr::new(
                        ExprKind::Binary {
                            op: ast::BinaryOp::Add,
                            left: Box::new(call("bin", vec![stop.clone(), step.clone()], span)),
                            right: Box::new(step.clone()),
                        },
                        span,
                    )),
                    step,
                ),
            };
        // bounds that need the data: min/max of the axis over the whole input
        let needs_data = from.is_none() || to.is_none();
        let (source, schema) = if needs_data {
            let (axis, _) = self.plan_scalar(axis_ast, input.schema())?;
            let agg = LogicalPlanBuilder::from(input.clone())
                .aggregate(
                    Vec::<Expr>::new(),
                    vec![
                        min(axis.clone()).alias("__kql_ms_min"),
                        max(axis).alias("__kql_ms_max"),
                    ],
                )?
                .build()?;
            let s = agg.schema().as_ref().clone();
            (Some(agg), s)
        } else {
            (None, datafusion::common::DFSchema::empty())
        };
        let start_ast = from.unwrap_or_else(|| {
            call(
                "bin",
                vec![name("__kql_ms_min", span), step_ast.clone()],
                span,
            )
        });
        let end_ast = to.unwrap_or_else(|| {
            ast::Expr::new(
                ExprKind::Binary {
                    op: ast::BinaryOp::Add,
                    left: Box::new(call(
                        "bin",
                        vec![name("__kql_ms_max", span), step_ast.clone()],
                        span,
                    )),
                    right: Box::new(step_ast.clone()),
                },
                span,
            )
        });
        let (start, _) = self.plan_scalar(&start_ast, &schema)?;
        let (end, _) = self.plan_scalar(&end_ast, &schema)?;
        let internal = kind.input_type();
        let start = self.fold(cast(start, internal.clone()));
        let end = self.fold(cast(end, internal.clone()));
        if let (None, Expr::Literal(s, _), Expr::Literal(e, _)) = (&source, &start, &end) {
            let nbins = match bin_count(s, e, step) {
                Some(n) => n,
                None => {
                    return self.err(
                        "KQL0301",
                        "the make-series range bounds must be non-null constants of the axis type",
                        span,
                    );
                }
            };
            if nbins > MAX_SERIES_POINTS {
                return self.err("KQL0313", too_many_points(nbins), span);
            }
            return Ok(Bounds::Const {
                start: s.clone(),
                nbins,
            });
        }
        // computed: a one-row plan of start and nbins
        let source = match source {
            Some(s) => s,
            None => LogicalPlanBuilder::empty(true).build()?,
        };
        let span_len = end - start.clone();
        let nbins = match kind {
            AxisKind::Real => cast(
                datafusion::functions::math::expr_fn::ceil(
                    span_len / lit(step.clone()) - lit(1e-9),
                ),
                DataType::Int64,
            ),
            _ => (span_len + lit(step.clone()) - lit(1i64)) / lit(step.clone()),
        };
        let params = LogicalPlanBuilder::from(source)
            .project(vec![start.alias(START), nbins.alias(NBINS)])?
            .build()?;
        Ok(Bounds::Computed(params))
    }
}

fn zero(kind: AxisKind) -> Expr {
    match kind {
        AxisKind::Real => lit(0.0f64),
        _ => lit(0i64),
    }
}

/// For constant bounds on an integer-valued axis (datetime, timespan, long): the rows in range
/// as `[low, high)` literals of the axis's own type, `high = start + nbins · step`. For
/// `axis − start ≥ 0`, `(axis − start) / step < nbins` (integer division) holds exactly when
/// `axis < high`, so this keeps the same rows as the bin test, and a filter on the axis column
/// itself lets Parquet scans skip row groups outside the range. `None` (the bin test is used)
/// for computed bounds, a real or int axis, or a `high` beyond the 64-bit range.
fn const_range(
    bounds: &Bounds,
    step: &ScalarValue,
    axis: &Expr,
    schema: &datafusion::common::DFSchema,
) -> Option<(Expr, Expr)> {
    use datafusion::arrow::datatypes::TimeUnit;
    use datafusion::logical_expr::ExprSchemable;
    let Bounds::Const {
        start: ScalarValue::Int64(Some(start)),
        nbins,
    } = bounds
    else {
        return None;
    };
    let ScalarValue::Int64(Some(step)) = step else {
        return None;
    };
    let high = nbins.checked_mul(*step)?.checked_add(*start)?;
    let ty = axis.get_type(schema).ok()?;
    let typed = |v: i64| match &ty {
        DataType::Timestamp(TimeUnit::Nanosecond, tz) => {
            Some(ScalarValue::TimestampNanosecond(Some(v), tz.clone()))
        }
        DataType::Duration(TimeUnit::Nanosecond) => Some(ScalarValue::DurationNanosecond(Some(v))),
        DataType::Int64 => Some(ScalarValue::Int64(Some(v))),
        _ => None,
    };
    Some((lit(typed(*start)?), lit(typed(high)?)))
}

/// The number of bins between constant bounds: ceil((end − start) / step), at least 0.
fn bin_count(start: &ScalarValue, end: &ScalarValue, step: &ScalarValue) -> Option<i64> {
    match (start, end, step) {
        (ScalarValue::Int64(Some(s)), ScalarValue::Int64(Some(e)), ScalarValue::Int64(Some(d))) => {
            let span = i128::from(*e) - i128::from(*s);
            let d = i128::from(*d);
            let n = if span <= 0 { 0 } else { (span + d - 1) / d };
            i64::try_from(n).ok()
        }
        (
            ScalarValue::Float64(Some(s)),
            ScalarValue::Float64(Some(e)),
            ScalarValue::Float64(Some(d)),
        ) => {
            let n = ((e - s) / d - 1e-9).ceil();
            (n.is_finite()).then_some(n.max(0.0) as i64)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::KqlContext;
    use crate::display::format_value;

    type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

    /// The first row of `query`'s result, each column as the CLI prints it.
    async fn first_row(
        ctx: &KqlContext,
        query: &str,
    ) -> Result<Vec<String>, Box<dyn std::error::Error>> {
        let res = ctx.run(query).await?;
        let b = res
            .first()
            .and_then(|r| r.batches.iter().find(|b| b.num_rows() > 0))
            .ok_or("no rows")?;
        let schema = b.schema();
        Ok((0..b.num_columns())
            .map(|c| format_value(b.column(c), 0, schema.field(c)))
            .collect())
    }

    /// Constant bounds filter on the axis itself (`start <= axis < start + nbins·step`), with
    /// the bin test's rows: each bound's edge, a null axis, for datetime, timespan and long.
    #[tokio::test]
    async fn constant_bounds_filter_the_axis_itself() -> TestResult {
        let ctx = KqlContext::new();
        // from Jan 1 to Jan 10 step 1d: [Jan 1, Jan 10); the row 1 tick before Jan 10 is in
        // the last bin, Jan 10 and the row 1 tick before Jan 1 are out, as is a null time
        let q = "datatable(t:datetime, v:long)[
              datetime(2016-12-31T23:59:59.9999999), 1, datetime(2017-01-01), 2,
              datetime(2017-01-09T23:59:59.9999999), 4, datetime(2017-01-10), 8,
              datetime(null), 16]
            | make-series sum(v) on t from datetime(2017-01-01) to datetime(2017-01-10) step 1d";
        assert_eq!(first_row(&ctx, q).await?[0], "[2,0,0,0,0,0,0,0,4]");
        let plan = ctx.explain(q).await?;
        assert!(
            plan.contains("t >= TimestampNanosecond(1483228800000000000"),
            "{plan}"
        );
        assert!(
            plan.contains("t < TimestampNanosecond(1484006400000000000"),
            "{plan}"
        );
        // timespan: [0, 4h)
        let q = "datatable(t:timespan, v:long)[-1s, 1, 0s, 2, 1h, 4, timespan(03:59:59.9999999), 8, 4h, 16,
              timespan(null), 32]
            | make-series sum(v) on t from 0s to 4h step 1h";
        assert_eq!(first_row(&ctx, q).await?[0], "[2,4,0,8]");
        // long: [0, 12)
        let q = "datatable(x:long, v:long)[-1, 1, 0, 2, 5, 4, 11, 8, 12, 16, long(null), 32]
            | make-series sum(v) on x from 0 to 12 step 3";
        assert_eq!(first_row(&ctx, q).await?[0], "[2,4,0,8]");
        // an end beyond the 64-bit range keeps the bin test
        let q = "datatable(x:long, v:long)[5, 1, 9223372036854775807, 2]
            | make-series sum(v) on x from 9223372036854775800 to 9223372036854775807 step 4";
        assert_eq!(first_row(&ctx, q).await?[0], "[0,2]");
        Ok(())
    }
}
