//! Scalar functions on sketches: `dcount_hll`, `hll_merge` (scalar form), `merge_tdigest`
//! (scalar form; `tdigest_merge` is only an aggregate), `percentile_tdigest`,
//! `percentiles_array_tdigest`, `percentrank_tdigest`, `rank_tdigest`.
//!
//! Result types:
//! - `dcount_hll` → long; `rank_tdigest` → long (the number of values ≤ v, rounded when the
//!   digest is compressed); `percentrank_tdigest` → real, `rank · 100 / count` (the docs'
//!   rank-tdigest-function.md shows `rank_tdigest(d, 4490) * 100.0 / count_` giving the same
//!   85.0015237192293 as `percentrank_tdigest(d, 4490)`).
//! - `percentile_tdigest(d, p, typeof(T))` → T; without a type literal the digest's value type
//!   is not known when the query is planned, so the result is `dynamic` holding the value
//!   (a number, or the datetime/timespan text), which prints the same as the typed value.
//! - `percentiles_array_tdigest(d, p1, p2, ...)` or `(d, dynamic([...]) [, typeof(T)])` →
//!   dynamic array.
//!
//! A null sketch (the aggregate of no values) gives null, except `dcount_hll`, which counts
//! nothing: 0.

use super::{DigestValue, TypedDigest, hll_from_dynamic, hll_to_dynamic, text_at};
use crate::lower::{Arg, CallContext, CallError, CallResult, Lowered};
use crate::scalar::{arity, cast, lit, ok, type_error};
use crate::types::{KqlType, datetime_type};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array, Int64Array, StringArray};
use datafusion::arrow::datatypes::{DataType, Float64Type, TimeUnit};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::Arc;

/// The type a `percentile_tdigest` result is converted to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Out {
    /// JSON text (`dynamic`)
    Dynamic,
    Long,
    Real,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Op {
    DcountHll,
    HllMerge,
    MergeTDigest,
    Percentile(Out),
    /// percentiles from a JSON array; elements typed as the digest (`None`) or as T
    PercentilesArray(Option<KqlType>),
    PercentRank,
    Rank,
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct SketchFn {
    op: Op,
    signature: Signature,
}

fn call(op: Op, args: Vec<Expr>) -> Expr {
    Arc::new(ScalarUDF::from(SketchFn {
        op,
        signature: Signature::variadic_any(Volatility::Immutable),
    }))
    .call(args)
}

impl ScalarUDFImpl for SketchFn {
    fn name(&self) -> &str {
        match self.op {
            Op::DcountHll => "kql_dcount_hll",
            Op::HllMerge => "kql_hll_merge",
            Op::MergeTDigest => "kql_merge_tdigest",
            Op::Percentile(_) => "kql_percentile_tdigest",
            Op::PercentilesArray(_) => "kql_percentiles_array_tdigest",
            Op::PercentRank => "kql_percentrank_tdigest",
            Op::Rank => "kql_rank_tdigest",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.op {
            Op::DcountHll | Op::Rank | Op::Percentile(Out::Long) => DataType::Int64,
            Op::PercentRank | Op::Percentile(Out::Real) => DataType::Float64,
            _ => DataType::Utf8,
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let all_scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let out = eval(self.op, &arrays, args.number_rows)?;
        if all_scalar && out.len() == 1 {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
        } else {
            Ok(ColumnarValue::Array(out))
        }
    }
}

/// Parses the digest of each row, reusing the previous parse when the text repeats (a digest
/// computed once and used on many rows).
struct DigestCache {
    text: Option<String>,
    digest: Option<TypedDigest>,
}

impl DigestCache {
    fn get(&mut self, text: Option<&str>) -> Result<Option<&mut TypedDigest>> {
        let Some(t) = text else {
            return Ok(None);
        };
        if self.text.as_deref() != Some(t) {
            self.digest = TypedDigest::from_dynamic(t)?;
            self.text = Some(t.to_string());
        }
        Ok(self.digest.as_mut().filter(|d| d.count() > 0))
    }
}

fn f64_at(a: &ArrayRef, i: usize) -> Option<f64> {
    let a = a.as_primitive_opt::<Float64Type>()?;
    a.is_valid(i).then(|| a.value(i))
}

fn eval(op: Op, a: &[ArrayRef], rows: usize) -> Result<ArrayRef> {
    let Some(first) = a.first() else {
        return exec_err!("sketch function without arguments");
    };
    let mut cache = DigestCache {
        text: None,
        digest: None,
    };
    Ok(match op {
        Op::DcountHll => {
            let mut out = Vec::with_capacity(rows);
            for i in 0..rows {
                // a null sketch (hll of no values) counts nothing
                out.push(match text_at(first, i) {
                    Some(t) => Some(hll_from_dynamic(t)?.map_or(0, |h| h.count())),
                    None => Some(0),
                });
            }
            Arc::new(Int64Array::from(out))
        }
        Op::HllMerge => {
            let mut out = Vec::with_capacity(rows);
            for i in 0..rows {
                let mut acc: Option<crate::sketch::hll::Hll> = None;
                for col in a {
                    let Some(h) = text_at(col, i).map(hll_from_dynamic).transpose()?.flatten()
                    else {
                        continue;
                    };
                    match &mut acc {
                        None => acc = Some(h),
                        Some(m) => {
                            if let Err(e) = m.merge(&h) {
                                return exec_err!("hll_merge: {e}");
                            }
                        }
                    }
                }
                out.push(acc.map(|h| hll_to_dynamic(&h)));
            }
            Arc::new(StringArray::from(out))
        }
        Op::MergeTDigest => {
            let mut out = Vec::with_capacity(rows);
            for i in 0..rows {
                let mut acc: Option<TypedDigest> = None;
                for col in a {
                    let Some(d) = text_at(col, i)
                        .map(TypedDigest::from_dynamic)
                        .transpose()?
                        .flatten()
                    else {
                        continue;
                    };
                    match &mut acc {
                        None => acc = Some(d),
                        Some(m) => m.merge(&d)?,
                    }
                }
                out.push(acc.map(|mut d| d.to_dynamic()));
            }
            Arc::new(StringArray::from(out))
        }
        Op::Percentile(out_ty) => {
            let p = a.get(1);
            let mut vals: Vec<Option<DigestValue>> = Vec::with_capacity(rows);
            for i in 0..rows {
                let pv = p.and_then(|p| f64_at(p, i));
                let d = cache.get(text_at(first, i))?;
                vals.push(match (d, pv) {
                    (Some(d), Some(pv)) => d.percentile(pv),
                    _ => None,
                });
            }
            match out_ty {
                Out::Long => Arc::new(
                    vals.into_iter()
                        .map(|v| v.and_then(DigestValue::as_i64))
                        .collect::<Int64Array>(),
                ),
                Out::Real => Arc::new(
                    vals.into_iter()
                        .map(|v| v.map(DigestValue::as_f64))
                        .collect::<Float64Array>(),
                ),
                Out::Dynamic => Arc::new(
                    vals.into_iter()
                        .map(|v| v.map(DigestValue::to_json))
                        .collect::<StringArray>(),
                ),
            }
        }
        Op::PercentilesArray(target) => {
            let ps = a.get(1);
            let mut out = Vec::with_capacity(rows);
            for i in 0..rows {
                let list = ps.and_then(|p| text_at(p, i)).map(parse_percentiles);
                let d = cache.get(text_at(first, i))?;
                let (Some(d), Some(list)) = (d, list) else {
                    out.push(None);
                    continue;
                };
                let items: Vec<String> = list?
                    .into_iter()
                    .map(|p| match d.percentile(p) {
                        None => "null".to_string(),
                        Some(v) => typed_json(v, target),
                    })
                    .collect();
                out.push(Some(format!("[{}]", items.join(","))));
            }
            Arc::new(StringArray::from(out))
        }
        Op::PercentRank | Op::Rank => {
            let v = a.get(1);
            let mut out_r = Vec::with_capacity(rows);
            for i in 0..rows {
                let x = v.and_then(|v| f64_at(v, i));
                let d = cache.get(text_at(first, i))?;
                out_r.push(match (d, x) {
                    (Some(d), Some(x)) => Some((d.rank(x), d.count())),
                    _ => None,
                });
            }
            if op == Op::Rank {
                Arc::new(
                    out_r
                        .into_iter()
                        .map(|r| r.map(|(r, _)| r as i64))
                        .collect::<Int64Array>(),
                )
            } else {
                Arc::new(
                    out_r
                        .into_iter()
                        .map(|r| r.map(|(r, n)| r as f64 * 100.0 / n as f64))
                        .collect::<Float64Array>(),
                )
            }
        }
    })
}

/// The percentiles of a JSON array of numbers.
fn parse_percentiles(text: &str) -> Result<Vec<f64>> {
    let bad = || exec_err!("percentiles_array_tdigest expects an array of numbers, got {text}");
    let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(text)
    else {
        return bad();
    };
    let mut out = Vec::with_capacity(items.len());
    for it in items {
        match it.as_f64() {
            Some(p) => out.push(p),
            None => return bad(),
        }
    }
    Ok(out)
}

/// The JSON text of a value converted to `target` (none: the digest's own type).
fn typed_json(v: DigestValue, target: Option<KqlType>) -> String {
    use super::DigestType;
    let as_long = |v: DigestValue| v.as_i64().map_or("null".to_string(), |x| x.to_string());
    match target {
        None | Some(KqlType::Dynamic) => v.to_json(),
        Some(KqlType::Int | KqlType::Long) => as_long(v),
        Some(KqlType::Real) => DigestValue::Real(v.as_f64()).to_json(),
        Some(KqlType::Datetime) => v.as_i64().map_or("null".into(), |x| {
            DigestValue::Int(DigestType::Datetime, x).to_json()
        }),
        Some(KqlType::Timespan) => v.as_i64().map_or("null".into(), |x| {
            DigestValue::Int(DigestType::Timespan, x).to_json()
        }),
        Some(_) => v.to_json(),
    }
}

/// The KQL type named by a `typeof(...)` argument.
fn type_literal(name: &str, args: &[Arg], i: usize) -> Result<KqlType, CallError> {
    let a = &args[i];
    let t = match &a.literal {
        Some(ScalarValue::Utf8(Some(s))) => s.as_str(),
        _ => {
            return Err(type_error(
                name,
                i,
                "a type literal, e.g. typeof(long)",
                a.ty,
            ));
        }
    };
    Ok(match t {
        "int" => KqlType::Int,
        "long" => KqlType::Long,
        "real" | "double" => KqlType::Real,
        "datetime" | "date" => KqlType::Datetime,
        "timespan" | "time" => KqlType::Timespan,
        "dynamic" => KqlType::Dynamic,
        other => {
            return Err(CallError::types(format!(
                "`{name}`: cannot convert percentiles to {other}"
            )));
        }
    })
}

fn sketch_arg(name: &str, args: &[Arg], i: usize) -> Result<Expr, CallError> {
    match args[i].ty {
        KqlType::Dynamic | KqlType::String => Ok(args[i].expr.clone()),
        t => Err(type_error(name, i, "a dynamic sketch", t)),
    }
}

fn number_arg(name: &str, args: &[Arg], i: usize) -> Result<Expr, CallError> {
    let a = &args[i];
    match a.ty {
        t if t.is_numeric() => Ok(cast(a.expr.clone(), DataType::Float64)),
        KqlType::Datetime | KqlType::Timespan => Ok(cast(
            cast(a.expr.clone(), DataType::Int64),
            DataType::Float64,
        )),
        t => Err(type_error(name, i, "a number, datetime or timespan", t)),
    }
}

/// Lowers the scalar sketch functions; `Ok(None)` for other names.
pub(crate) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<Lowered> {
    match name {
        "dcount_hll" => {
            arity(name, args, 1, 1, "hll")?;
            ok(
                call(Op::DcountHll, vec![sketch_arg(name, args, 0)?]),
                KqlType::Long,
            )
        }
        "hll_merge" | "merge_tdigest" => {
            let (min, op) = if name == "hll_merge" {
                (2, Op::HllMerge)
            } else {
                (1, Op::MergeTDigest)
            };
            arity(name, args, min, 64, "sketch1, sketch2 [, ...]")?;
            let xs = (0..args.len())
                .map(|i| sketch_arg(name, args, i))
                .collect::<Result<Vec<_>, _>>()?;
            ok(call(op, xs), KqlType::Dynamic)
        }
        "percentile_tdigest" => {
            arity(name, args, 2, 3, "tdigest, percentile [, typeof(T)]")?;
            let d = sketch_arg(name, args, 0)?;
            let p = number_arg(name, args, 1)?;
            let target = match args.get(2) {
                None => KqlType::Dynamic,
                Some(_) => type_literal(name, args, 2)?,
            };
            let (out, back): (Out, Option<DataType>) = match target {
                KqlType::Dynamic => (Out::Dynamic, None),
                KqlType::Int => (Out::Long, Some(DataType::Int32)),
                KqlType::Long => (Out::Long, None),
                KqlType::Real => (Out::Real, None),
                KqlType::Datetime => (Out::Long, Some(datetime_type())),
                _ => (Out::Long, Some(DataType::Duration(TimeUnit::Nanosecond))),
            };
            let mut e = call(Op::Percentile(out), vec![d, p]);
            if let Some(dt) = back {
                e = cast(e, dt);
            }
            ok(e, target)
        }
        "percentiles_array_tdigest" => {
            arity(
                name,
                args,
                2,
                64,
                "tdigest, percentile1 [, percentile2, ...] | tdigest, dynamic([...]) [, typeof(T)]",
            )?;
            let d = sketch_arg(name, args, 0)?;
            let (list, target) = if args[1].ty == KqlType::Dynamic {
                arity(name, args, 2, 3, "tdigest, dynamic([...]) [, typeof(T)]")?;
                let t = match args.get(2) {
                    None => None,
                    Some(_) => Some(type_literal(name, args, 2)?),
                };
                (args[1].expr.clone(), t)
            } else {
                let mut ps = Vec::new();
                for (i, a) in args.iter().enumerate().skip(1) {
                    let p = match &a.literal {
                        Some(ScalarValue::Int32(Some(v))) => f64::from(*v),
                        Some(ScalarValue::Int64(Some(v))) => *v as f64,
                        Some(ScalarValue::Float64(Some(v))) => *v,
                        _ => return Err(type_error(name, i, "a numeric literal", a.ty)),
                    };
                    ps.push(format!("{p}"));
                }
                let json = format!("[{}]", ps.join(","));
                (lit(ScalarValue::Utf8(Some(json))), None)
            };
            ok(
                call(Op::PercentilesArray(target), vec![d, list]),
                KqlType::Dynamic,
            )
        }
        "percentrank_tdigest" | "rank_tdigest" => {
            arity(name, args, 2, 2, "tdigest, value")?;
            let d = sketch_arg(name, args, 0)?;
            let v = number_arg(name, args, 1)?;
            if name == "rank_tdigest" {
                ok(call(Op::Rank, vec![d, v]), KqlType::Long)
            } else {
                ok(call(Op::PercentRank, vec![d, v]), KqlType::Real)
            }
        }
        _ => Ok(None),
    }
}
