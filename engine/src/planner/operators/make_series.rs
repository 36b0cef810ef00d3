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
//! ends fold to constants the bounds are literals (so filters on the axis push down to the
//! scan); otherwise a one-row table of bounds is cross-joined.
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
        let axis_i = cast(axis, internal.clone());
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
        let in_range = offset
            .clone()
            .gt_eq(zero(kind))
            .and(k.clone().lt(nbins.clone()));
        let keep: Vec<Expr> = column_names(binned.schema())
            .iter()
            .map(|n| col(n))
            .chain([k.alias(BIN)])
            .collect();
        binned = LogicalPlanBuilder::from(binned)
            .filter(axis_i.is_not_null().and(in_range))?
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
