//! Aggregation functions (`summarize`, `make-series`).
//!
//! Result names follow Kusto.Language (`Aggregates.cs`, `ResultNameKind.PrefixAndFirstArgument`):
//! `<prefix>_<first argument's result name>`, the name part empty when the argument is not a
//! column (`count()` → `count_`, `countif(x > 0)` → `countif_`, `sum(x)` → `sum_x`,
//! `make_list(x)` → `list_x`, `make_set(x)` → `set_x`, `dcountif(x, p)` → `dcountif_x`,
//! `percentile(x, 95)` → `percentile_x_95`); `take_any(x)` is named `x` (`any_arg0` for a
//! non-column expression) while the obsolete `any(x)` is `any_x`.
//!
//! Values (docs `summarize-operator.md`, "Default values of aggregations"): nulls are
//! skipped, `count()` counts rows; on no values `count`/`countif`/`dcount`/`dcountif`/
//! `sum`/`sumif`/`stdev`/`variance` give 0, `make_list`/`make_set` give `[]`, `avg` of
//! numbers gives NaN (0/0), everything else null. `sum` of int/long is long, of real real,
//! of timespan timespan; `avg` of numbers is real, of timespan/datetime the same type.
//! `dcount`/`dcountif`/`hll*`/`tdigest*` are in [`crate::aggregate_sketch`] (HyperLogLog and
//! t-digest, exact on small inputs); `percentile` is a t-digest (exact nearest rank on small
//! inputs, [`crate::udf::percentile`]). `make_set` element order is unspecified.

use crate::lower::{Arg, CallContext, CallError, CallResult, LoweredAggregate};
use crate::scalar::dynamic_ops::agg::{self as dyn_agg, JsonAggKind};
use crate::scalar::{arity, cast, lit, type_error};
use crate::types::{KqlType, datetime_type};
use crate::udf::{self, Op};
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::functions::core;
use datafusion::functions_aggregate::expr_fn as agg;
use datafusion::logical_expr::{Expr, ExprFunctionExt, when};
use datafusion::scalar::ScalarValue;

/// Kusto's default `make_list`/`make_set` size limit.
const DEFAULT_MAX_SIZE: i64 = 1_048_576;

/// How an aggregate's output becomes the KQL value (see [`LoweredAggregate`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Finish {
    steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq)]
enum Step {
    /// `coalesce(value, v)`: the value on no input.
    Default(ScalarValue),
    Cast(DataType),
    /// The element at this 0-based index of a list.
    Element(usize),
    /// List → dynamic JSON array text.
    ListToJson {
        max: i64,
        dynamic: bool,
    },
}

impl Finish {
    fn new(steps: Vec<Step>) -> Finish {
        Finish { steps }
    }

    /// True when the aggregate's output is already the KQL value.
    pub fn is_identity(&self) -> bool {
        self.steps.is_empty()
    }

    /// Applies the steps to `value` (the aggregate's output column).
    pub fn apply(&self, value: Expr) -> Expr {
        self.steps.iter().fold(value, |e, s| match s {
            Step::Default(v) => core::coalesce().call(vec![e, lit(v.clone())]),
            Step::Cast(dt) => cast(e, dt.clone()),
            Step::Element(i) => datafusion::functions_nested::expr_fn::array_element(
                e,
                lit(ScalarValue::Int64(Some(*i as i64 + 1))),
            ),
            Step::ListToJson { max, dynamic } => udf::call(
                Op::ListToJson,
                vec![
                    e,
                    lit(ScalarValue::Int64(Some(*max))),
                    lit(ScalarValue::Boolean(Some(*dynamic))),
                ],
            ),
        })
    }
}

const AGGREGATES: &[&str] = &[
    "count",
    "countif",
    "sum",
    "sumif",
    "avg",
    "avgif",
    "min",
    "max",
    "minif",
    "maxif",
    "dcount",
    "dcountif",
    "count_distinct",
    "count_distinctif",
    "take_any",
    "any",
    "take_anyif",
    "anyif",
    "make_list",
    "makelist",
    "make_list_if",
    "make_set",
    "makeset",
    "make_set_if",
    "stdev",
    "stdevif",
    "stdevp",
    "variance",
    "varianceif",
    "variancep",
    "variancepif",
    "stdevpif",
    "percentile",
    "percentiles",
    // arg_max/arg_min expand to several columns and are lowered by the planner's summarize
    "arg_max",
    "arg_min",
    "argmax",
    "argmin",
    "make_bag",
    "make_bag_if",
    "make_dictionary",
    "make_list_with_nulls",
    // lowered by `aggregate_stats.rs` (covariance, weighted and array percentiles,
    // binary_all_*, buildschema) and `aggregate_sketch.rs` (hll, tdigest and their merges)
    "percentiles_array",
    "percentilew",
    "percentilesw",
    "percentilesw_array",
    "covariance",
    "covarianceif",
    "covariancep",
    "covariancepif",
    "hll",
    "hll_if",
    "hll_merge",
    "tdigest",
    "tdigest_merge",
    "merge_tdigest",
    "buildschema",
    "binary_all_and",
    "binary_all_or",
    "binary_all_xor",
    "cnt",
];

pub(crate) fn is_aggregate(name: &str) -> bool {
    AGGREGATES.contains(&name)
}

fn name_of(prefix: &str, args: &[Arg]) -> String {
    let col = args
        .first()
        .and_then(|a| a.column.clone())
        .unwrap_or_default();
    format!("{prefix}_{col}")
}

fn pred(name: &str, args: &[Arg], i: usize) -> Result<Expr, CallError> {
    match args[i].ty {
        KqlType::Bool => Ok(args[i].expr.clone()),
        t => Err(type_error(name, i, "a bool predicate", t)),
    }
}

fn build(e: datafusion::logical_expr::expr_fn::ExprFuncBuilder) -> Result<Expr, CallError> {
    e.build().map_err(|e| CallError::types(e.to_string()))
}

/// Applies the `*if` predicate, if any.
fn filtered(e: Expr, p: Option<Expr>) -> Result<Expr, CallError> {
    match p {
        Some(p) => build(e.filter(p)),
        None => Ok(e),
    }
}

fn one(expr: Expr, ty: KqlType, name: String, finish: Finish) -> CallResult<LoweredAggregate> {
    Ok(Some(LoweredAggregate {
        exprs: vec![(expr, ty)],
        names: vec![name],
        finish: vec![finish],
    }))
}

fn literal_f64(a: &Arg) -> Option<f64> {
    match a.literal.as_ref()? {
        ScalarValue::Int32(Some(v)) => Some(f64::from(*v)),
        ScalarValue::Int64(Some(v)) => Some(*v as f64),
        ScalarValue::Float64(Some(v)) => Some(*v),
        _ => None,
    }
}

fn literal_i64(a: &Arg) -> Option<i64> {
    match a.literal.as_ref()? {
        ScalarValue::Int32(Some(v)) => Some(i64::from(*v)),
        ScalarValue::Int64(Some(v)) => Some(*v),
        _ => None,
    }
}

/// Kusto's `MakeValidNameFragment` for a percentile constant: `95` → "95", `99.9` → "99_9".
fn percentile_fragment(p: f64) -> String {
    crate::format::format_real(p)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn duration() -> DataType {
    DataType::Duration(TimeUnit::Nanosecond)
}

#[path = "aggregate_stats.rs"]
mod stats;

pub(crate) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<LoweredAggregate> {
    if !is_aggregate(name) {
        return Ok(None);
    }
    if let Some(l) = crate::aggregate_sketch::lower(name, args, _cx)? {
        return Ok(Some(l));
    }
    if stats::NAMES.contains(&name) {
        return stats::lower(name, args, _cx);
    }
    match name {
        "count" => {
            arity(name, args, 0, 1, "[predicate]")?;
            let p = match args.first() {
                Some(a) if a.ty == KqlType::Bool => Some(a.expr.clone()),
                _ => None,
            };
            let e = filtered(agg::count(lit(ScalarValue::Int64(Some(1)))), p)?;
            let n = name_of("count", args);
            one(
                e,
                KqlType::Long,
                n,
                Finish::new(vec![Step::Default(ScalarValue::Int64(Some(0)))]),
            )
        }
        "countif" => {
            arity(name, args, 1, 1, "predicate")?;
            let e = filtered(
                agg::count(lit(ScalarValue::Int64(Some(1)))),
                Some(pred(name, args, 0)?),
            )?;
            one(
                e,
                KqlType::Long,
                name_of(name, args),
                Finish::new(vec![Step::Default(ScalarValue::Int64(Some(0)))]),
            )
        }
        "dcount" | "dcountif" | "count_distinct" | "count_distinctif" => {
            let is_if = name.ends_with("if");
            if is_if {
                arity(name, args, 2, 3, "expr, predicate [, accuracy]")?;
            } else {
                arity(name, args, 1, 2, "expr [, accuracy]")?;
            }
            if args[0].ty == KqlType::Dynamic {
                return Err(type_error(name, 0, "a scalar (not dynamic)", args[0].ty));
            }
            // the predicate nulls out the value (count_distinct skips nulls): DataFusion's
            // distinct-aggregate rewrites do not keep a FILTER clause
            let x = if is_if {
                when(pred(name, args, 1)?, args[0].expr.clone())
                    .end()
                    .map_err(|e| CallError::types(e.to_string()))?
            } else {
                args[0].expr.clone()
            };
            let e = agg::count_distinct(x);
            one(
                e,
                KqlType::Long,
                name_of(name, args),
                Finish::new(vec![Step::Default(ScalarValue::Int64(Some(0)))]),
            )
        }
        "sum" | "sumif" => {
            let is_if = name == "sumif";
            arity(
                name,
                args,
                1 + usize::from(is_if),
                1 + usize::from(is_if),
                if is_if { "expr, predicate" } else { "expr" },
            )?;
            let p = if is_if {
                Some(pred(name, args, 1)?)
            } else {
                None
            };
            let a = &args[0];
            let (input, ty, zero) = match a.ty {
                KqlType::Int | KqlType::Long | KqlType::Bool => (
                    cast(a.expr.clone(), DataType::Int64),
                    KqlType::Long,
                    ScalarValue::Int64(Some(0)),
                ),
                KqlType::Real => (
                    a.expr.clone(),
                    KqlType::Real,
                    ScalarValue::Float64(Some(0.0)),
                ),
                KqlType::Decimal => (
                    a.expr.clone(),
                    KqlType::Decimal,
                    ScalarValue::Decimal128(Some(0), 38, 18),
                ),
                KqlType::Timespan => (
                    cast(a.expr.clone(), duration()),
                    KqlType::Timespan,
                    ScalarValue::DurationNanosecond(Some(0)),
                ),
                t => return Err(type_error(name, 0, "a number or timespan", t)),
            };
            let e = filtered(agg::sum(input), p)?;
            one(
                e,
                ty,
                name_of(name, args),
                Finish::new(vec![Step::Default(zero)]),
            )
        }
        "avg" | "avgif" => {
            let is_if = name == "avgif";
            arity(
                name,
                args,
                1 + usize::from(is_if),
                1 + usize::from(is_if),
                if is_if { "expr, predicate" } else { "expr" },
            )?;
            let p = if is_if {
                Some(pred(name, args, 1)?)
            } else {
                None
            };
            let a = &args[0];
            let n = name_of(name, args);
            match a.ty {
                KqlType::Int | KqlType::Long | KqlType::Real => {
                    let e = filtered(agg::avg(cast(a.expr.clone(), DataType::Float64)), p)?;
                    one(
                        e,
                        KqlType::Real,
                        n,
                        Finish::new(vec![Step::Default(ScalarValue::Float64(Some(f64::NAN)))]),
                    )
                }
                KqlType::Decimal => one(
                    filtered(agg::avg(a.expr.clone()), p)?,
                    KqlType::Decimal,
                    n,
                    Finish::default(),
                ),
                KqlType::Timespan | KqlType::Datetime => {
                    let e = filtered(agg::avg(cast(a.expr.clone(), DataType::Int64)), p)?;
                    let back = if a.ty == KqlType::Timespan {
                        duration()
                    } else {
                        datetime_type()
                    };
                    one(
                        e,
                        a.ty,
                        n,
                        Finish::new(vec![Step::Cast(DataType::Int64), Step::Cast(back)]),
                    )
                }
                t => Err(type_error(name, 0, "a number, timespan or datetime", t)),
            }
        }
        "min" | "max" | "minif" | "maxif" => {
            let is_if = name.ends_with("if");
            arity(
                name,
                args,
                1 + usize::from(is_if),
                1 + usize::from(is_if),
                if is_if { "expr, predicate" } else { "expr" },
            )?;
            let p = if is_if {
                Some(pred(name, args, 1)?)
            } else {
                None
            };
            let a = &args[0];
            if a.ty == KqlType::Dynamic {
                return Err(type_error(name, 0, "an orderable scalar", a.ty));
            }
            // INFER: NaN is skipped like null (a group of only NaN gives null). DataFusion's
            // grouped min/max compare with `partial_cmp`, so a NaN would win or lose depending
            // on the order rows arrive in — a different answer per plan.
            let x = if a.ty == KqlType::Real {
                when(
                    datafusion::functions::math::expr_fn::isnan(a.expr.clone()),
                    lit(ScalarValue::Float64(None)),
                )
                .otherwise(a.expr.clone())
                .map_err(|e| CallError::types(e.to_string()))?
            } else {
                a.expr.clone()
            };
            let e = if name.starts_with("min") {
                agg::min(x)
            } else {
                agg::max(x)
            };
            one(
                filtered(e, p)?,
                a.ty,
                name_of(name, args),
                Finish::default(),
            )
        }
        "stdev" | "stdevif" | "stdevp" | "stdevpif" | "variance" | "varianceif" | "variancep"
        | "variancepif" => {
            let is_if = name.ends_with("if");
            arity(
                name,
                args,
                1 + usize::from(is_if),
                1 + usize::from(is_if),
                if is_if { "expr, predicate" } else { "expr" },
            )?;
            let p = if is_if {
                Some(pred(name, args, 1)?)
            } else {
                None
            };
            let a = &args[0];
            if !a.ty.is_numeric() {
                return Err(type_error(name, 0, "a number", a.ty));
            }
            let x = cast(a.expr.clone(), DataType::Float64);
            let e = match name {
                "stdev" | "stdevif" => agg::stddev(x),
                "stdevp" | "stdevpif" => agg::stddev_pop(x),
                "variance" | "varianceif" => agg::var_sample(x),
                _ => agg::var_pop(x),
            };
            one(
                filtered(e, p)?,
                KqlType::Real,
                name_of(name, args),
                Finish::new(vec![Step::Default(ScalarValue::Float64(Some(0.0)))]),
            )
        }
        "take_any" | "any" | "take_anyif" | "anyif" => {
            let is_if = name.ends_with("if");
            if is_if {
                arity(name, args, 2, 2, "expr, predicate")?;
            } else if args.len() != 1 {
                return Err(CallError::not_implemented(&format!(
                    "`{name}` with other than one argument"
                )));
            }
            let a = &args[0];
            let mut p = if is_if {
                Some(pred(name, args, 1)?)
            } else {
                None
            };
            let mut finish = Finish::default();
            if crate::scalar::is_string_like(a.ty) {
                // prefer a non-empty string (docs: "attempt to return a non-null/non-empty value")
                let non_empty = a
                    .expr
                    .clone()
                    .not_eq(lit(ScalarValue::Utf8(Some(String::new()))));
                p = Some(match p {
                    Some(q) => q.and(non_empty),
                    None => non_empty,
                });
                finish = Finish::new(vec![Step::Default(ScalarValue::Utf8(Some(String::new())))]);
            }
            let e = filtered(agg::any_value(a.expr.clone()), p)?;
            let n = match name {
                "any" | "anyif" => name_of(name, args),
                _ => a.column.clone().unwrap_or_else(|| "any_arg0".to_string()),
            };
            one(e, a.ty, n, finish)
        }
        "make_list" | "makelist" | "make_list_if" | "make_set" | "makeset" | "make_set_if" => {
            let is_if = name.ends_with("_if");
            let base = 1 + usize::from(is_if);
            arity(
                name,
                args,
                base,
                base + 1,
                if is_if {
                    "expr, predicate [, maxSize]"
                } else {
                    "expr [, maxSize]"
                },
            )?;
            let a = &args[0];
            let max = match args.get(base) {
                None => DEFAULT_MAX_SIZE,
                Some(m) => literal_i64(m)
                    .ok_or_else(|| type_error(name, base, "an integer literal", m.ty))?,
            };
            let set = name.contains("set");
            if set && a.ty == KqlType::Dynamic {
                // make-set-aggregation-function.md: an array value contributes its elements
                let mut e = dyn_agg::call(JsonAggKind::SetUnion, max, a.expr.clone());
                if is_if {
                    e = build(e.filter(pred(name, args, 1)?))?;
                }
                return one(e, KqlType::Dynamic, name_of("set", args), Finish::default());
            }
            let e = if set {
                // DataFusion's distinct aggregates drop a FILTER clause: null out the values
                // the predicate rejects instead (the JSON rendering skips nulls)
                let x = if is_if {
                    when(pred(name, args, 1)?, a.expr.clone())
                        .end()
                        .map_err(|e| CallError::types(e.to_string()))?
                } else {
                    a.expr.clone()
                };
                build(agg::array_agg(x).distinct())?
            } else {
                let mut p = a.expr.clone().is_not_null();
                if is_if {
                    p = pred(name, args, 1)?.and(p);
                }
                build(agg::array_agg(a.expr.clone()).filter(p))?
            };
            let prefix = if set { "set" } else { "list" };
            one(
                e,
                KqlType::Dynamic,
                name_of(prefix, args),
                Finish::new(vec![Step::ListToJson {
                    max,
                    dynamic: a.ty == KqlType::Dynamic,
                }]),
            )
        }
        "percentile" | "percentiles" => {
            if name == "percentile" {
                arity(name, args, 2, 2, "expr, percentile")?;
            } else {
                arity(name, args, 2, 64, "expr, percentile1 [, percentile2, ...]")?;
            }
            let a = &args[0];
            let (input, ty, back) = match a.ty {
                KqlType::Int | KqlType::Long => {
                    (cast(a.expr.clone(), DataType::Int64), KqlType::Long, None)
                }
                KqlType::Real | KqlType::Decimal => {
                    (cast(a.expr.clone(), DataType::Float64), KqlType::Real, None)
                }
                KqlType::Datetime => (
                    cast(a.expr.clone(), DataType::Int64),
                    KqlType::Datetime,
                    Some(datetime_type()),
                ),
                KqlType::Timespan => (
                    cast(a.expr.clone(), DataType::Int64),
                    KqlType::Timespan,
                    Some(duration()),
                ),
                t => return Err(type_error(name, 0, "a number, datetime or timespan", t)),
            };
            let col = a.column.clone().unwrap_or_default();
            let mut ps = Vec::with_capacity(args.len() - 1);
            for (i, pa) in args.iter().enumerate().skip(1) {
                let p = literal_f64(pa)
                    .ok_or_else(|| type_error(name, i, "a numeric literal", pa.ty))?;
                if !(0.0..=100.0).contains(&p) {
                    return Err(CallError::types(format!(
                        "`{name}`: a percentile must be between 0 and 100, got {p}"
                    )));
                }
                ps.push(p);
            }
            let mut out = LoweredAggregate {
                exprs: vec![],
                names: vec![],
                finish: vec![],
            };
            // Several percentiles come from one digest per group: each output column is an
            // element of the same aggregate (which the planner computes once).
            let shared = (ps.len() > 1).then(|| udf::percentile::percentiles(input.clone(), &ps));
            for (i, p) in ps.iter().enumerate() {
                let (expr, mut steps) = match &shared {
                    Some(e) => (e.clone(), vec![Step::Element(i)]),
                    None => (udf::percentile::percentile(input.clone(), *p), vec![]),
                };
                steps.extend(back.clone().map(Step::Cast));
                out.exprs.push((expr, ty));
                out.names
                    .push(format!("percentile_{col}_{}", percentile_fragment(*p)));
                out.finish.push(Finish::new(steps));
            }
            Ok(Some(out))
        }
        "make_bag" | "make_bag_if" | "make_dictionary" => {
            let is_if = name == "make_bag_if";
            let base = 1 + usize::from(is_if);
            arity(
                name,
                args,
                base,
                base + 1,
                if is_if {
                    "expr, predicate [, maxSize]"
                } else {
                    "expr [, maxSize]"
                },
            )?;
            let a = &args[0];
            if a.ty != KqlType::Dynamic {
                return Err(type_error(name, 0, "a dynamic property bag", a.ty));
            }
            let max = match args.get(base) {
                None => DEFAULT_MAX_SIZE,
                Some(m) => literal_i64(m)
                    .ok_or_else(|| type_error(name, base, "an integer literal", m.ty))?,
            };
            let mut e = dyn_agg::call(JsonAggKind::Bag, max, a.expr.clone());
            if is_if {
                e = build(e.filter(pred(name, args, 1)?))?;
            }
            one(e, KqlType::Dynamic, name_of("bag", args), Finish::default())
        }
        "make_list_with_nulls" => {
            arity(name, args, 1, 1, "expr")?;
            let e = dyn_agg::call(
                JsonAggKind::ListWithNulls,
                DEFAULT_MAX_SIZE,
                crate::scalar::dynamic_ops::json_arg(&args[0]),
            );
            one(
                e,
                KqlType::Dynamic,
                name_of("list", args),
                Finish::default(),
            )
        }
        other => Err(CallError::not_implemented(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::aggregate_call;
    use crate::scalar::test_util::{cx, text};
    use datafusion::arrow::array::{
        ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray,
    };
    use datafusion::arrow::datatypes::{Field, Schema};
    use datafusion::prelude::{SessionContext, col};
    use std::sync::Arc;

    /// x: 1, 2, null, 2, 5; r: 1.5, null, 2.5, 0.5, 4.0; s: "a", "", "b", "a", "c";
    /// k: true, false, true, true, false; d: datetimes (days 0..4); t: timespans
    fn table() -> RecordBatch {
        let schema = Schema::new(vec![
            Field::new("x", DataType::Int64, true),
            Field::new("r", DataType::Float64, true),
            Field::new("s", DataType::Utf8, true),
            Field::new("k", DataType::Boolean, true),
            Field::new("d", datetime_type(), true),
            Field::new("t", duration(), true),
        ]);
        let day = 86_400_000_000_000i64;
        let d: ArrayRef = Arc::new(Int64Array::from(vec![0, day, 2 * day, 3 * day, 4 * day]));
        let t: ArrayRef = Arc::new(Int64Array::from(vec![
            Some(3600 * 1_000_000_000i64),
            None,
            Some(0),
            Some(0),
            Some(0),
        ]));
        let cols: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(vec![
                Some(1),
                Some(2),
                None,
                Some(2),
                Some(5),
            ])),
            Arc::new(Float64Array::from(vec![
                Some(1.5),
                None,
                Some(2.5),
                Some(0.5),
                Some(4.0),
            ])),
            Arc::new(StringArray::from(vec!["a", "", "b", "a", "c"])),
            Arc::new(BooleanArray::from(vec![true, false, true, true, false])),
            datafusion::arrow::compute::cast(&d, &datetime_type()).unwrap(),
            datafusion::arrow::compute::cast(&t, &duration()).unwrap(),
        ];
        RecordBatch::try_new(Arc::new(schema), cols).unwrap()
    }

    fn arg(name: &str) -> Arg {
        let t = table();
        let f = t.schema().field_with_name(name).unwrap().clone();
        Arg::column(name, KqlType::of_field(&f))
    }

    fn gt(name: &str, v: i64) -> Arg {
        Arg::expr(
            col(name).gt(lit(ScalarValue::Int64(Some(v)))),
            KqlType::Bool,
        )
    }

    /// Runs the aggregate over the table (optionally an empty slice of it); returns
    /// (names, KQL texts, types).
    async fn run(
        name: &str,
        args: &[Arg],
        empty: bool,
    ) -> (Vec<String>, Vec<String>, Vec<KqlType>) {
        let l = aggregate_call(name, args, &cx()).unwrap().unwrap();
        let ctx = SessionContext::new();
        let mut batch = table();
        if empty {
            batch = batch.slice(0, 0);
        }
        let aliases: Vec<String> = (0..l.exprs.len()).map(|i| format!("__a{i}")).collect();
        let aggs: Vec<Expr> = l
            .exprs
            .iter()
            .zip(&aliases)
            .map(|((e, _), a)| e.clone().alias(a))
            .collect();
        let proj: Vec<Expr> = l
            .finish
            .iter()
            .zip(&aliases)
            .zip(&l.exprs)
            .map(|((f, a), (_, ty))| crate::scalar::tostring_expr(&Arg::expr(f.apply(col(a)), *ty)))
            .collect();
        let df = ctx
            .read_batch(batch)
            .unwrap()
            .aggregate(vec![], aggs)
            .unwrap()
            .select(proj)
            .unwrap();
        let out = df.collect().await.unwrap();
        // expectations use the compact datetime form; tostring always prints 7 fraction digits
        let texts = out[0]
            .columns()
            .iter()
            .map(|c| text(c).replace(".0000000Z", "Z"))
            .collect();
        (l.names, texts, l.exprs.iter().map(|e| e.1).collect())
    }

    async fn one_value(name: &str, args: &[Arg]) -> (String, String, KqlType) {
        let (n, v, t) = run(name, args, false).await;
        (n[0].clone(), v[0].clone(), t[0])
    }

    #[tokio::test]
    async fn counts() {
        assert_eq!(
            one_value("count", &[]).await,
            ("count_".into(), "5".into(), KqlType::Long)
        );
        // count(x) counts rows, nulls included (docs: count_y = 2 with one null)
        assert_eq!(
            one_value("count", &[arg("x")]).await,
            ("count_x".into(), "5".into(), KqlType::Long)
        );
        assert_eq!(
            one_value("countif", &[gt("x", 1)]).await,
            ("countif_".into(), "3".into(), KqlType::Long)
        );
        assert_eq!(
            one_value("dcount", &[arg("x")]).await,
            ("dcount_x".into(), "3".into(), KqlType::Long)
        );
        assert_eq!(one_value("dcountif", &[arg("x"), gt("x", 1)]).await.1, "2");
        assert_eq!(one_value("dcount", &[arg("s")]).await.1, "4");
    }

    #[tokio::test]
    async fn sums_and_averages() {
        assert_eq!(
            one_value("sum", &[arg("x")]).await,
            ("sum_x".into(), "10".into(), KqlType::Long)
        );
        assert_eq!(
            one_value("sum", &[arg("r")]).await,
            ("sum_r".into(), "8.5".into(), KqlType::Real)
        );
        assert_eq!(
            one_value("sumif", &[arg("x"), gt("x", 1)]).await,
            ("sumif_x".into(), "9".into(), KqlType::Long)
        );
        assert_eq!(
            one_value("sum", &[arg("t")]).await,
            ("sum_t".into(), "01:00:00".into(), KqlType::Timespan)
        );
        // avg skips nulls (docs: sum_y 15, avg_y 5)
        assert_eq!(
            one_value("avg", &[arg("x")]).await,
            ("avg_x".into(), "2.5".into(), KqlType::Real)
        );
        assert_eq!(one_value("avgif", &[arg("r"), gt("x", 1)]).await.1, "2.25");
        assert_eq!(
            one_value("avg", &[arg("d")]).await,
            (
                "avg_d".into(),
                "1970-01-03T00:00:00Z".into(),
                KqlType::Datetime
            )
        );
        assert_eq!(one_value("avg", &[arg("t")]).await.1, "00:15:00");
        assert_eq!(
            one_value("min", &[arg("x")]).await,
            ("min_x".into(), "1".into(), KqlType::Long)
        );
        assert_eq!(
            one_value("max", &[arg("s")]).await,
            ("max_s".into(), "c".into(), KqlType::String)
        );
        assert_eq!(one_value("maxif", &[arg("r"), gt("x", 1)]).await.1, "4");
        assert_eq!(
            one_value("minif", &[arg("d"), gt("x", 1)]).await.1,
            "1970-01-02T00:00:00Z"
        );
        assert!(aggregate_call("sum", &[arg("s")], &cx()).is_err());
    }

    #[tokio::test]
    async fn empty_input_defaults() {
        // docs "Default values of aggregations" and the empty datatable example
        for (f, want) in [
            ("count", "0"),
            ("sum", "0"),
            ("dcount", "0"),
            ("stdev", "0"),
            ("variance", "0"),
            ("avg", "NaN"),
            ("make_list", "[]"),
            ("make_set", "[]"),
        ] {
            let args = if f == "count" { vec![] } else { vec![arg("x")] };
            assert_eq!(run(f, &args, true).await.1[0], want, "{f}");
        }
        assert_eq!(run("countif", &[gt("x", 0)], true).await.1[0], "0");
        assert_eq!(run("sumif", &[arg("x"), gt("x", 0)], true).await.1[0], "0");
        assert_eq!(run("max", &[arg("x")], true).await.1[0], "");
        assert_eq!(
            run(
                "percentile",
                &[arg("x"), crate::scalar::test_util::l(55)],
                true
            )
            .await
            .0[0],
            "percentile_x_55"
        );
    }

    #[tokio::test]
    async fn lists_sets_any() {
        assert_eq!(
            one_value("make_list", &[arg("x")]).await,
            ("list_x".into(), "[1,2,2,5]".into(), KqlType::Dynamic)
        );
        assert_eq!(
            one_value("make_list", &[arg("s")]).await.1,
            r#"["a","","b","a","c"]"#
        );
        assert_eq!(
            one_value("make_list", &[arg("x"), crate::scalar::test_util::l(2)])
                .await
                .1,
            "[1,2]"
        );
        assert_eq!(
            one_value("make_list_if", &[arg("x"), gt("x", 1)]).await,
            ("list_x".into(), "[2,2,5]".into(), KqlType::Dynamic)
        );
        let (n, v, _) = one_value("make_set", &[arg("x")]).await;
        assert_eq!(n, "set_x");
        let mut got: Vec<i64> = serde_json::from_str(&v).unwrap();
        got.sort();
        assert_eq!(got, vec![1, 2, 5]);
        assert_eq!(
            one_value("make_list", &[arg("r")]).await.1,
            "[1.5,2.5,0.5,4.0]"
        );
        let (n, v, _) = one_value("make_set_if", &[arg("x"), gt("x", 1)]).await;
        let mut got: Vec<i64> = serde_json::from_str(&v).unwrap();
        got.sort();
        assert_eq!((n.as_str(), got), ("set_x", vec![2, 5]));
        let (n, v, t) = one_value("take_any", &[arg("s")]).await;
        assert_eq!((n.as_str(), t), ("s", KqlType::String));
        assert!(["a", "b", "c"].contains(&v.as_str()));
        assert_eq!(one_value("any", &[arg("x")]).await.0, "any_x");
        assert_eq!(
            one_value("take_anyif", &[arg("x"), gt("x", 4)]).await.1,
            "5"
        );
    }

    #[tokio::test]
    async fn stats_and_percentiles() {
        // x = 1, 2, 2, 5: mean 2.5, sample variance (2.25+0.25+0.25+6.25)/3 = 3
        let (n, v, t) = one_value("variance", &[arg("x")]).await;
        assert_eq!((n.as_str(), t), ("variance_x", KqlType::Real));
        assert!((v.parse::<f64>().unwrap() - 3.0).abs() < 1e-12, "{v}");
        for (f, want) in [("variancep", 2.25), ("stdevp", 1.5), ("stdev", 3f64.sqrt())] {
            let v = one_value(f, &[arg("x")]).await.1;
            assert!((v.parse::<f64>().unwrap() - want).abs() < 1e-12, "{f}: {v}");
        }
        let l = crate::scalar::test_util::l;
        let r = crate::scalar::test_util::r;
        // nearest rank over 1, 2, 2, 5: P50 → rank 2 → 2; P95 → rank 4 → 5; P0 → 1
        assert_eq!(
            one_value("percentile", &[arg("x"), l(50)]).await,
            ("percentile_x_50".into(), "2".into(), KqlType::Long)
        );
        assert_eq!(one_value("percentile", &[arg("x"), l(95)]).await.1, "5");
        assert_eq!(
            one_value("percentile", &[arg("r"), r(99.9)]).await.0,
            "percentile_r_99_9"
        );
        let (n, v, _) = run("percentiles", &[arg("x"), l(0), l(25), l(100)], false).await;
        assert_eq!(
            n,
            vec!["percentile_x_0", "percentile_x_25", "percentile_x_100"]
        );
        assert_eq!(v, vec!["1", "1", "5"]);
        assert_eq!(
            one_value("percentile", &[arg("d"), l(50)]).await.1,
            "1970-01-03T00:00:00Z"
        );
    }

    #[tokio::test]
    async fn errors_and_names() {
        let e = aggregate_call("arg_max", &[arg("x"), arg("s")], &cx())
            .err()
            .unwrap();
        assert_eq!(e.message, "arg_max is not implemented yet");
        assert!(is_aggregate("count") && is_aggregate("arg_max") && !is_aggregate("strlen"));
        assert!(
            aggregate_call("strlen", &[arg("s")], &cx())
                .unwrap()
                .is_none()
        );
        let e = aggregate_call("sum", &[arg("x"), arg("x")], &cx())
            .err()
            .unwrap();
        assert_eq!(e.message, "`sum` expects 1 argument (expr), got 2");
        // a non-column argument gives an empty name part
        let a = Arg::expr(col("x") * lit(ScalarValue::Int64(Some(2))), KqlType::Long);
        assert_eq!(
            one_value("sum", &[a]).await,
            ("sum_".into(), "20".into(), KqlType::Long)
        );
    }
}
