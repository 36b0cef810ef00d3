//! Lowering of the series statistics, fit, filter and FFT functions (ml-operators.md §4–§9,
//! §16): `series_stats`, `series_stats_dynamic`, `series_fit_line`,
//! `series_fit_line_dynamic`, `series_fit_2lines`, `series_fit_2lines_dynamic`,
//! `series_fit_poly`, `series_fir`, `series_iir`, `series_fft`, `series_ifft`.
//!
//! Series arguments must be `dynamic` (a make-series list or JSON array text); flags are
//! `bool` and the polynomial degree an integer. The evaluation is one ScalarUDF
//! ([`super::series_fit_udf`]). Tuple-valued functions return a struct (KQL type `dynamic`)
//! that the planner spreads into columns named `<function>_<argument>_<field>`.
//!
//! There is no `series_fit_poly_dynamic`: the docs have no such function.

use super::series_fit_udf::{SeriesFitOp, call};
use super::{arity, cast, ok, type_error};
use crate::lower::{Arg, CallContext, CallResult, Lowered};
use crate::types::KqlType;
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::Expr;

pub(super) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<Lowered> {
    use SeriesFitOp as Op;
    let op = match name {
        "series_stats" => Op::Stats,
        "series_stats_dynamic" => Op::StatsDynamic,
        "series_fit_line" => Op::FitLine,
        "series_fit_line_dynamic" => Op::FitLineDynamic,
        "series_fit_2lines" => Op::Fit2Lines,
        "series_fit_2lines_dynamic" => Op::Fit2LinesDynamic,
        "series_fit_poly" => Op::FitPoly,
        "series_fir" => Op::Fir,
        "series_iir" => Op::Iir,
        "series_fft" => Op::Fft,
        "series_ifft" => Op::Ifft,
        _ => return Ok(None),
    };
    // the kind of each parameter, in order; the first `required` are required
    let (params, required, sig): (&[Param], usize, &str) = match op {
        Op::Stats | Op::StatsDynamic => (
            &[Param::Series, Param::Bool],
            1,
            "series: dynamic [, ignore_nonfinite: bool]",
        ),
        Op::FitLine | Op::FitLineDynamic | Op::Fit2Lines | Op::Fit2LinesDynamic => {
            (&[Param::Series], 1, "series: dynamic")
        }
        Op::FitPoly => (
            &[Param::Series, Param::Series, Param::Integer],
            1,
            "y_series: dynamic [, x_series: dynamic [, degree: long]]",
        ),
        Op::Fir => (
            &[Param::Series, Param::Series, Param::Bool, Param::Bool],
            2,
            "series: dynamic, filter: dynamic [, normalize: bool [, center: bool]]",
        ),
        Op::Iir => (
            &[Param::Series, Param::Series, Param::Series],
            3,
            "series: dynamic, numerators: dynamic, denominators: dynamic",
        ),
        Op::Fft | Op::Ifft => (
            &[Param::Series, Param::Series],
            1,
            "real: dynamic [, imaginary: dynamic]",
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
            Param::Bool => match a.ty {
                KqlType::Bool => cast(a.expr.clone(), DataType::Boolean),
                t => return Err(type_error(name, i, "a bool", t)),
            },
            Param::Integer => match a.ty {
                KqlType::Int | KqlType::Long => cast(a.expr.clone(), DataType::Int64),
                t => return Err(type_error(name, i, "an integer", t)),
            },
        });
    }
    ok(call(op, exprs), KqlType::Dynamic)
}

#[derive(Clone, Copy)]
enum Param {
    Series,
    Bool,
    Integer,
}

#[cfg(test)]
#[path = "series_fit_nab.rs"]
mod nab;

#[cfg(test)]
mod tests {
    use super::super::test_util::{b, dynamic, kt, l, r};
    use crate::lower::scalar_call;

    #[tokio::test]
    async fn dynamic_variants() {
        assert_eq!(
            kt("series_fit_line_dynamic", &[dynamic("[1, 3, 5, 7]")]).await,
            r#"{"rsquare":1.0,"slope":2.0,"variance":6.666666666666667,"rvariance":0.0,"interception":-1.0,"line_fit":[1.0,3.0,5.0,7.0]}"#
        );
        assert_eq!(
            kt("series_fit_line_dynamic", &[dynamic("[1]")]).await,
            "NULL"
        );
        // split after [0, 1, 2] / [10, 11, 12]: both parts exact
        assert_eq!(
            kt(
                "series_fit_2lines_dynamic",
                &[dynamic("[0, 1, 2, 10, 11, 12]")]
            )
            .await,
            r#"{"rsquare":1.0,"split_idx":3,"variance":30.8,"rvariance":0.0,"line_fit":[0.0,1.0,2.0,10.0,11.0,12.0],"right":{"rsquare":1.0,"slope":1.0,"interception":9.0,"variance":1.0,"rvariance":0.0},"left":{"rsquare":1.0,"slope":1.0,"interception":-1.0,"variance":1.0,"rvariance":0.0}}"#
        );
        assert_eq!(
            kt("series_stats_dynamic", &[dynamic("[2, 4]"), b(true)]).await,
            r#"{"min":2.0,"min_idx":0,"max":4.0,"max_idx":1,"avg":3.0,"stdev":1.4142135623730951,"variance":2.0,"sum":6.0,"len":2}"#
        );
    }

    #[tokio::test]
    async fn filters() {
        assert_eq!(
            kt("series_fir", &[dynamic("[1, 2, 3]"), dynamic("[1, 1]")]).await,
            "[0.5,1.5,2.5]"
        );
        assert_eq!(
            kt(
                "series_fir",
                &[dynamic("[1, 2, 3]"), dynamic("[1, -1]"), b(true)]
            )
            .await,
            "NULL"
        );
        assert_eq!(
            kt(
                "series_iir",
                &[dynamic("[1, 2, 3]"), dynamic("[1]"), dynamic("[1, -1]")]
            )
            .await,
            "[1.0,3.0,6.0]"
        );
    }

    #[test]
    fn type_errors() {
        let cx = super::super::test_util::cx();
        let e = scalar_call("series_stats", &[r(1.0)], &cx).unwrap_err();
        assert_eq!(e.code, "KQL0301");
        assert!(e.message.contains("a dynamic array"), "{}", e.message);
        let e = scalar_call("series_fir", &[dynamic("[1]")], &cx).unwrap_err();
        assert!(
            e.message.contains("expects 2 to 4 arguments"),
            "{}",
            e.message
        );
        let e = scalar_call("series_fit_poly", &[dynamic("[1]"), l(2)], &cx).unwrap_err();
        assert!(e.message.contains("argument 2"), "{}", e.message);
        let e = scalar_call("series_stats", &[dynamic("[1]"), l(1)], &cx).unwrap_err();
        assert!(e.message.contains("a bool"), "{}", e.message);
    }
}
