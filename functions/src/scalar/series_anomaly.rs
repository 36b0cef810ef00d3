//! Lowering of the anomaly detection, decomposition, forecasting and period functions
//! (ml-operators.md §10–§15): `series_periods_detect`, `series_periods_validate`,
//! `series_seasonal`, `series_outliers`, `series_decompose`, `series_decompose_anomalies`,
//! `series_decompose_forecast`.
//!
//! Series arguments must be `dynamic`; the other parameters follow the docs' types (integers
//! for periods and point counts, any number for thresholds and percentiles, strings for the
//! trend and the method) and may be null or omitted for their documented defaults. The
//! evaluation is one ScalarUDF ([`super::series_anomaly_udf`]). Tuple-valued functions return
//! a struct (KQL type `dynamic`) that the planner spreads into columns named
//! `<function>_<argument>_<field>` (or by a tuple assignment).
//!
//! `series_seasonal` also takes the symbol table's undocumented third parameter
//! `test_points` (ml-operators.md §12 [SYM][INFER]).

use super::series_anomaly_udf::{AnomalyOp, call};
use super::{arity, cast, ok, type_error};
use crate::lower::{Arg, CallContext, CallResult, Lowered};
use crate::types::KqlType;
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::Expr;

pub(super) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<Lowered> {
    use AnomalyOp as Op;
    use Param::{Int, Real, Series, Str};
    let op = match name {
        "series_periods_detect" => Op::PeriodsDetect,
        "series_periods_validate" => Op::PeriodsValidate,
        "series_seasonal" => Op::Seasonal,
        "series_outliers" => Op::Outliers,
        "series_decompose" => Op::Decompose,
        "series_decompose_anomalies" => Op::DecomposeAnomalies,
        "series_decompose_forecast" => Op::DecomposeForecast,
        _ => return Ok(None),
    };
    const VALIDATE: [Param; 17] = [
        Series, Real, Real, Real, Real, Real, Real, Real, Real, Real, Real, Real, Real, Real, Real,
        Real, Real,
    ];
    // the kind of each parameter, in order; the first `required` are required
    let (params, required, sig): (&[Param], usize, &str) = match op {
        Op::PeriodsDetect => (
            &[Series, Real, Real, Int],
            4,
            "series: dynamic, min_period: real, max_period: real, num_periods: long",
        ),
        Op::PeriodsValidate => (
            &VALIDATE,
            2,
            "series: dynamic, period1: real [, ... period16: real]",
        ),
        Op::Seasonal => (
            &[Series, Int, Int],
            1,
            "series: dynamic [, period: int [, test_points: int]]",
        ),
        Op::Outliers => (
            &[Series, Str, Real, Real, Real],
            1,
            "series: dynamic [, kind: string [, ignore_val: real [, min_percentile: real [, max_percentile: real]]]]",
        ),
        Op::Decompose => (
            &[Series, Int, Str, Int, Real],
            1,
            "series: dynamic [, seasonality: int [, trend: string [, test_points: int [, seasonality_threshold: real]]]]",
        ),
        Op::DecomposeAnomalies => (
            &[Series, Real, Int, Str, Int, Str, Real],
            1,
            "series: dynamic [, threshold: real [, seasonality: int [, trend: string [, test_points: int [, ad_method: string [, seasonality_threshold: real]]]]]]",
        ),
        Op::DecomposeForecast => (
            &[Series, Int, Int, Str, Real],
            2,
            "series: dynamic, points: int [, seasonality: int [, trend: string [, seasonality_threshold: real]]]",
        ),
    };
    arity(name, args, required, params.len(), sig)?;
    let mut exprs: Vec<Expr> = Vec::with_capacity(args.len());
    for (i, (a, p)) in args.iter().zip(params).enumerate() {
        exprs.push(match p {
            Param::Series => match a.ty {
                KqlType::Dynamic => a.expr.clone(),
                t => return Err(type_error(name, i, "a dynamic array", t)),
            },
            Param::Real => match a.ty {
                t if t.is_numeric() => cast(a.expr.clone(), DataType::Float64),
                t => return Err(type_error(name, i, "a number", t)),
            },
            Param::Int => match a.ty {
                KqlType::Int | KqlType::Long => cast(a.expr.clone(), DataType::Float64),
                t => return Err(type_error(name, i, "an integer", t)),
            },
            Param::Str => match a.ty {
                KqlType::String => cast(a.expr.clone(), DataType::Utf8),
                t => return Err(type_error(name, i, "a string", t)),
            },
        });
    }
    ok(call(op, exprs), KqlType::Dynamic)
}

#[derive(Clone, Copy)]
enum Param {
    Series,
    /// Any number (cast to real).
    Real,
    /// int or long (passed as real).
    Int,
    Str,
}

#[cfg(test)]
#[path = "series_anomaly_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "series_anomaly_nab.rs"]
mod nab;
