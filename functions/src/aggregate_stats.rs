//! More aggregation functions (a child module of [`crate::aggregate`], which dispatches the
//! names in [`NAMES`] here):
//!
//! - `covariance`, `covarianceif`, `covariancep`, `covariancepif` (covariance*-aggregation-
//!   function.md): sample / population covariance of two numbers, rows with a null in either
//!   skipped; null on no rows. Result name `covariance_x_y` (the docs' examples name both
//!   columns; Kusto.Language's symbol table says `PrefixAndFirstArgument`, but the docs'
//!   outputs are the reference here).
//! - `percentiles_array`, `percentilew`, `percentilesw`, `percentilesw_array`
//!   (percentiles-aggregation-function.md, percentilesw-aggregation-function.md): exact
//!   nearest-rank (weighted) percentiles, the same rule as `percentile`; see
//!   [`crate::udf::weighted_percentile`]. Names: `percentile_x_50` for the column forms (as
//!   `percentiles`), `percentiles_x` for the array forms (Kusto.Language's
//!   `PercentileArrayReturn` and the percentiles_array examples' `percentiles_Value`; the
//!   percentilesw_array page shows `percentile_LatencyBucket` instead).
//! - `binary_all_and`, `binary_all_or`, `binary_all_xor` (binary-all-*-aggregation-
//!   function.md): bitwise AND/OR/XOR of the group's non-null values; the input's type; named
//!   after the argument column (Kusto.Language `ResultNameKind.FirstArgument`); null on no
//!   values.
//! - `buildschema` (buildschema-aggregation-function.md): see
//!   [`crate::udf::buildschema`]; named `schema_x`.

use super::{Finish, Step, filtered, literal_f64, one, percentile_fragment, pred};
use crate::lower::{Arg, CallContext, CallError, CallResult, LoweredAggregate};
use crate::scalar::{arity, cast, lit, type_error};
use crate::types::{KqlType, datetime_type};
use crate::udf::covariance::covariance;
use crate::udf::weighted_percentile::{ElemKind, percentile_w, percentiles_w_array};
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::functions_aggregate::expr_fn as agg;
use datafusion::logical_expr::Expr;
use datafusion::scalar::ScalarValue;

/// The aggregation functions lowered here.
pub(super) const NAMES: &[&str] = &[
    "covariance",
    "covarianceif",
    "covariancep",
    "covariancepif",
    "percentiles_array",
    "percentilew",
    "percentilesw",
    "percentilesw_array",
    "binary_all_and",
    "binary_all_or",
    "binary_all_xor",
    "buildschema",
];

/// The most percentiles one call may ask for (as `percentiles`).
const MAX_PERCENTILES: usize = 64;

fn col_name(a: &Arg) -> String {
    a.column.clone().unwrap_or_default()
}

pub(super) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<LoweredAggregate> {
    match name {
        "covariance" | "covarianceif" | "covariancep" | "covariancepif" => {
            let is_if = name.ends_with("if");
            let n = 2 + usize::from(is_if);
            arity(
                name,
                args,
                n,
                n,
                if is_if {
                    "expr1, expr2, predicate"
                } else {
                    "expr1, expr2"
                },
            )?;
            let mut xs = Vec::new();
            for (i, a) in args.iter().take(2).enumerate() {
                if !a.ty.is_numeric() {
                    return Err(type_error(name, i, "a number", a.ty));
                }
                xs.push(cast(a.expr.clone(), DataType::Float64));
            }
            let p = if is_if {
                Some(pred(name, args, 2)?)
            } else {
                None
            };
            let [x, y] = <[Expr; 2]>::try_from(xs)
                .map_err(|_| CallError::types(format!("`{name}`: bad arguments")))?;
            let population = name.starts_with("covariancep");
            let e = filtered(covariance(x, y, population), p)?;
            let prefix = name;
            one(
                e,
                KqlType::Real,
                format!("{prefix}_{}_{}", col_name(&args[0]), col_name(&args[1])),
                Finish::default(),
            )
        }
        "percentiles_array" | "percentilew" | "percentilesw" | "percentilesw_array" => {
            percentiles(name, args)
        }
        "binary_all_and" | "binary_all_or" | "binary_all_xor" => {
            arity(name, args, 1, 1, "expr")?;
            let a = &args[0];
            let x = match a.ty {
                KqlType::Int | KqlType::Long => a.expr.clone(),
                t => return Err(type_error(name, 0, "an integer", t)),
            };
            let e = match name {
                "binary_all_and" => agg::bit_and(x),
                "binary_all_or" => agg::bit_or(x),
                _ => agg::bit_xor(x),
            };
            // Kusto names the result after the argument column; a computed argument has no
            // name there (the planner's default `ColumnN` is not available to aggregates)
            let n = a.column.clone().unwrap_or_else(|| format!("{name}_"));
            one(e, a.ty, n, Finish::default())
        }
        "buildschema" => {
            arity(name, args, 1, 1, "DynamicExpr")?;
            let a = &args[0];
            if a.ty != KqlType::Dynamic {
                return Err(type_error(name, 0, "a dynamic value", a.ty));
            }
            let e = crate::udf::buildschema::buildschema(a.expr.clone());
            one(
                e,
                KqlType::Dynamic,
                format!("schema_{}", col_name(a)),
                Finish::default(),
            )
        }
        _ => Ok(None),
    }
}

/// The percentiles of a call: numeric literals from `first` on, or one dynamic array literal.
fn percentile_list(
    name: &str,
    args: &[Arg],
    first: usize,
    array: bool,
) -> Result<Vec<f64>, CallError> {
    let check = |i: usize, p: f64| -> Result<f64, CallError> {
        if (0.0..=100.0).contains(&p) {
            Ok(p)
        } else {
            Err(CallError::types(format!(
                "`{name}`: a percentile must be between 0 and 100, got {} (argument {})",
                crate::format::format_real(p),
                i + 1
            )))
        }
    };
    if array && args.len() == first + 1 && args[first].ty == KqlType::Dynamic {
        // percentiles_array(x, dynamic([5, 50, 95])): a constant array of numbers
        let a = &args[first];
        let text = match &a.literal {
            Some(ScalarValue::Utf8(Some(t))) | Some(ScalarValue::LargeUtf8(Some(t))) => t,
            _ => return Err(type_error(name, first, "a constant dynamic array", a.ty)),
        };
        let items = match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Array(items)) => items,
            _ => return Err(type_error(name, first, "a dynamic array of numbers", a.ty)),
        };
        if items.is_empty() || items.len() > MAX_PERCENTILES {
            return Err(CallError::types(format!(
                "`{name}` expects 1 to {MAX_PERCENTILES} percentiles, got {}",
                items.len()
            )));
        }
        return items
            .iter()
            .map(|v| {
                v.as_f64()
                    .ok_or_else(|| type_error(name, first, "a dynamic array of numbers", a.ty))
                    .and_then(|p| check(first, p))
            })
            .collect();
    }
    args.iter()
        .enumerate()
        .skip(first)
        .map(|(i, a)| {
            literal_f64(a)
                .ok_or_else(|| type_error(name, i, "a numeric literal", a.ty))
                .and_then(|p| check(i, p))
        })
        .collect()
}

fn percentiles(name: &str, args: &[Arg]) -> CallResult<LoweredAggregate> {
    let weighted = name.starts_with("percentilesw") || name == "percentilew";
    let array = name.ends_with("_array");
    let first = 1 + usize::from(weighted);
    let sig = match name {
        "percentilew" => "expr, weightExpr, percentile",
        "percentilesw" => "expr, weightExpr, percentile1 [, percentile2, ...]",
        "percentilesw_array" => "expr, weightExpr, percentile1 [, ...] | dynamic array",
        _ => "expr, percentile1 [, ...] | dynamic array",
    };
    if name == "percentilew" {
        arity(name, args, 3, 3, sig)?;
    } else {
        arity(name, args, first + 1, first + MAX_PERCENTILES, sig)?;
    }
    let a = &args[0];
    let (input, ty, kind, back) = match a.ty {
        KqlType::Int | KqlType::Long => (
            cast(a.expr.clone(), DataType::Int64),
            KqlType::Long,
            ElemKind::Long,
            None,
        ),
        KqlType::Real | KqlType::Decimal => (
            cast(a.expr.clone(), DataType::Float64),
            KqlType::Real,
            ElemKind::Real,
            None,
        ),
        KqlType::Datetime => (
            cast(a.expr.clone(), DataType::Int64),
            KqlType::Datetime,
            ElemKind::Datetime,
            Some(datetime_type()),
        ),
        KqlType::Timespan => (
            cast(a.expr.clone(), DataType::Int64),
            KqlType::Timespan,
            ElemKind::Timespan,
            Some(DataType::Duration(TimeUnit::Nanosecond)),
        ),
        t => return Err(type_error(name, 0, "a number, datetime or timespan", t)),
    };
    let weight = if weighted {
        match args[1].ty {
            KqlType::Int | KqlType::Long => cast(args[1].expr.clone(), DataType::Int64),
            t => return Err(type_error(name, 1, "an integer weight", t)),
        }
    } else {
        lit(ScalarValue::Int64(Some(1)))
    };
    let ps = percentile_list(name, args, first, array)?;
    let col = col_name(a);
    if array {
        let e = percentiles_w_array(input, weight, &ps, kind);
        return one(
            e,
            KqlType::Dynamic,
            format!("percentiles_{col}"),
            Finish::default(),
        );
    }
    let real = ty == KqlType::Real;
    let mut out = LoweredAggregate {
        exprs: vec![],
        names: vec![],
        finish: vec![],
    };
    for p in ps {
        out.exprs
            .push((percentile_w(input.clone(), weight.clone(), p, real), ty));
        out.names
            .push(format!("percentile_{col}_{}", percentile_fragment(p)));
        out.finish.push(Finish::new(
            back.clone().map(Step::Cast).into_iter().collect(),
        ));
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use crate::KqlType;
    use crate::lower::{Arg, aggregate_call};
    use crate::scalar::test_util::{cx, l, r, text};
    use crate::types::datetime_type;
    use datafusion::arrow::array::{
        ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray,
    };
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::logical_expr::Expr;
    use datafusion::prelude::{SessionContext, col};
    use datafusion::scalar::ScalarValue;
    use std::sync::Arc;

    /// x: 1..5 with y: 14, 10, 17, 20, 50 (covariance-aggregation-function.md) plus a row
    /// with a null y; w: weights; k: a predicate; d: datetimes (days); j: dynamic values
    fn table() -> RecordBatch {
        let day = 86_400_000_000_000i64;
        let d: ArrayRef = Arc::new(Int64Array::from(vec![
            0,
            day,
            2 * day,
            3 * day,
            4 * day,
            5 * day,
        ]));
        let schema = Schema::new(vec![
            Field::new("x", DataType::Float64, true),
            Field::new("y", DataType::Float64, true),
            Field::new("n", DataType::Int64, true),
            Field::new("w", DataType::Int64, true),
            Field::new("k", DataType::Boolean, true),
            Field::new("d", datetime_type(), true),
            Field::new("j", DataType::Utf8, true)
                .with_metadata([("kql.type".to_string(), "dynamic".to_string())].into()),
        ]);
        let cols: Vec<ArrayRef> = vec![
            Arc::new(Float64Array::from(vec![
                Some(1.0),
                Some(2.0),
                Some(3.0),
                Some(4.0),
                Some(5.0),
                Some(6.0),
            ])),
            Arc::new(Float64Array::from(vec![
                Some(14.0),
                Some(10.0),
                Some(17.0),
                Some(20.0),
                Some(50.0),
                None,
            ])),
            Arc::new(Int64Array::from(vec![
                Some(0xFF),
                Some(0x0F),
                None,
                Some(0x3C),
                Some(0x1F),
                Some(0x7F),
            ])),
            Arc::new(Int64Array::from(vec![
                Some(1),
                Some(0),
                Some(3),
                Some(-2),
                None,
                Some(1),
            ])),
            Arc::new(BooleanArray::from(vec![
                true, true, true, false, true, true,
            ])),
            datafusion::arrow::compute::cast(&d, &datetime_type()).unwrap(),
            Arc::new(StringArray::from(vec![
                Some(r#"{"a":1}"#),
                Some(r#"{"a":"s","b":[true]}"#),
                None,
                Some("null"),
                Some("[1.5]"),
                Some(r#"{"a":2}"#),
            ])),
        ];
        RecordBatch::try_new(Arc::new(schema), cols).unwrap()
    }

    fn arg(name: &str) -> Arg {
        let t = table();
        let f = t.schema().field_with_name(name).unwrap().clone();
        Arg::column(name, KqlType::of_field(&f))
    }

    fn dynamic_lit(json: &str) -> Arg {
        Arg::lit(ScalarValue::Utf8(Some(json.to_string())), KqlType::Dynamic)
    }

    /// Runs the aggregate over the table (or none of its rows); returns (names, texts, types).
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
        let texts = out[0]
            .columns()
            .iter()
            .map(|c| text(c).replace(".0000000Z", "Z"))
            .collect();
        (l.names, texts, l.exprs.iter().map(|e| e.1).collect())
    }

    fn num(s: &str) -> f64 {
        s.parse().unwrap_or_else(|_| panic!("not a number: {s}"))
    }

    #[tokio::test]
    async fn covariances() {
        // the docs' five pairs (the sixth row has a null y and is skipped): 20.5 and 16.4
        let (n, v, t) = run("covariance", &[arg("x"), arg("y")], false).await;
        assert_eq!((n[0].as_str(), t[0]), ("covariance_x_y", KqlType::Real));
        assert!((num(&v[0]) - 20.5).abs() < 1e-12, "{v:?}");
        let (n, v, _) = run("covariancep", &[arg("x"), arg("y")], false).await;
        assert_eq!(n[0], "covariancep_x_y");
        assert!((num(&v[0]) - 16.4).abs() < 1e-12, "{v:?}");
        // predicate k drops (4, 20): pairs (1,14) (2,10) (3,17) (5,50): x̄ = 2.75, ȳ = 22.75,
        // Σ(x−x̄)(y−ȳ) = 15.3125 + 9.5625 − 1.4375 + 61.3125 = 84.75 → 28.25 and 21.1875
        let (n, v, _) = run("covarianceif", &[arg("x"), arg("y"), arg("k")], false).await;
        assert_eq!(n[0], "covarianceif_x_y");
        assert!((num(&v[0]) - 28.25).abs() < 1e-12, "{v:?}");
        let (n, v, _) = run("covariancepif", &[arg("x"), arg("y"), arg("k")], false).await;
        assert_eq!(n[0], "covariancepif_x_y");
        assert!((num(&v[0]) - 21.1875).abs() < 1e-12, "{v:?}");
        // no rows → null (not among the aggregates whose default is 0)
        assert_eq!(
            run("covariance", &[arg("x"), arg("y")], true).await.1[0],
            ""
        );
        assert!(aggregate_call("covariance", &[arg("x"), arg("j")], &cx()).is_err());
        assert!(aggregate_call("covariance", &[arg("x")], &cx()).is_err());
    }

    #[tokio::test]
    async fn weighted_and_array_percentiles() {
        // x = 1..6; weights 1, 0, 3, −2, null, 1 → kept: 1 (1), 3 (3), 6 (1), W = 5:
        // P50 → rank 2.5 → 3 → 3; P90 → rank 4.5 → 5 → 6; P0 → 1
        let (n, v, t) = run("percentilew", &[arg("x"), arg("w"), l(50)], false).await;
        assert_eq!(
            (n, v, t),
            (
                vec!["percentile_x_50".to_string()],
                vec!["3".to_string()],
                vec![KqlType::Real]
            )
        );
        let (n, v, _) = run(
            "percentilesw",
            &[arg("x"), arg("w"), l(0), l(90), r(99.5)],
            false,
        )
        .await;
        assert_eq!(
            n,
            vec!["percentile_x_0", "percentile_x_90", "percentile_x_99_5"]
        );
        assert_eq!(v, vec!["1", "6", "6"]);
        let (n, v, t) = run(
            "percentilesw_array",
            &[arg("x"), arg("w"), dynamic_lit("[50, 90]")],
            false,
        )
        .await;
        assert_eq!(
            (n[0].as_str(), v[0].as_str(), t[0]),
            ("percentiles_x", "[3.0,6.0]", KqlType::Dynamic)
        );
        // unweighted over n = 255, 15, null, 60, 31, 127 (5 values: 15 31 60 127 255):
        // P20 → rank 1 → 15; P50 → rank 2.5 → 3 → 60; P100 → 255
        let (n, v, _) = run(
            "percentiles_array",
            &[arg("n"), l(20), l(50), l(100)],
            false,
        )
        .await;
        assert_eq!(
            (n[0].as_str(), v[0].as_str()),
            ("percentiles_n", "[15,60,255]")
        );
        let (_, v, _) = run("percentiles_array", &[arg("n"), dynamic_lit("[50]")], false).await;
        assert_eq!(v[0], "[60]");
        // datetimes keep their type; days 0..5, P50 of 6 → rank 3 → day 2
        let (_, v, t) = run("percentilew", &[arg("d"), l(1), l(50)], false).await;
        assert_eq!(
            (v[0].as_str(), t[0]),
            ("1970-01-03T00:00:00Z", KqlType::Datetime)
        );
        let (_, v, _) = run("percentiles_array", &[arg("d"), l(0), l(100)], false).await;
        assert_eq!(v[0], r#"["1970-01-01T00:00:00Z","1970-01-06T00:00:00Z"]"#);
        // no rows → null
        assert_eq!(
            run("percentiles_array", &[arg("n"), l(50)], true).await.1[0],
            ""
        );
        assert_eq!(
            run("percentilew", &[arg("n"), arg("w"), l(50)], true)
                .await
                .1[0],
            ""
        );
        // errors: percentile out of range, non-integer weight, non-constant percentiles
        assert!(aggregate_call("percentilew", &[arg("x"), arg("w"), l(101)], &cx()).is_err());
        assert!(aggregate_call("percentilew", &[arg("x"), arg("x"), l(50)], &cx()).is_err());
        assert!(aggregate_call("percentiles_array", &[arg("x"), arg("x")], &cx()).is_err());
        assert!(
            aggregate_call(
                "percentiles_array",
                &[arg("x"), dynamic_lit("[\"a\"]")],
                &cx()
            )
            .is_err()
        );
    }

    #[tokio::test]
    async fn binary_all() {
        // n = 0xFF, 0x0F, null, 0x3C, 0x1F, 0x7F: AND = 0x0C, OR = 0xFF,
        // XOR = 0xFF^0x0F^0x3C^0x1F^0x7F = 0xF0^0x3C = 0xCC; 0xCC^0x1F = 0xD3; 0xD3^0x7F = 0xAC
        for (f, want) in [
            ("binary_all_and", 0x0C),
            ("binary_all_or", 0xFF),
            ("binary_all_xor", 0xAC),
        ] {
            let (n, v, t) = run(f, &[arg("n")], false).await;
            assert_eq!(
                (n[0].as_str(), v[0].as_str(), t[0]),
                ("n", want.to_string().as_str(), KqlType::Long),
                "{f}"
            );
            assert_eq!(run(f, &[arg("n")], true).await.1[0], "", "{f}");
        }
        assert!(aggregate_call("binary_all_and", &[arg("x")], &cx()).is_err());
    }

    #[tokio::test]
    async fn buildschema() {
        // {"a":1}, {"a":"s","b":[true]}, null, null, [1.5], {"a":2}: one container with a
        // (long or string), b (array of bool) and the array's double elements
        let (n, v, t) = run("buildschema", &[arg("j")], false).await;
        assert_eq!((n[0].as_str(), t[0]), ("schema_j", KqlType::Dynamic));
        assert_eq!(
            v[0],
            r#"{"a":["long","string"],"b":{"`indexer`":"bool"},"`indexer`":"double"}"#
        );
        assert_eq!(run("buildschema", &[arg("j")], true).await.1[0], "");
        assert!(aggregate_call("buildschema", &[arg("x")], &cx()).is_err());
    }
}
