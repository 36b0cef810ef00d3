//! `series_pearson_correlation`, `series_dot_product`, `series_magnitude`,
//! `series_cosine_similarity`, `series_sum`, `series_product`: lowering and the UDF (kernels
//! and null rules in `crate::ml::vector`). Each returns a `real`; a null series gives null.
//!
//! `series_dot_product` also takes a number on either side, broadcast to the series' length
//! (the docs' alternate syntax); choice: a null number gives null.

use super::series_elem::{Input, Row, number_arg, series_arg, series_or_number};
use super::{arity, lit, ok, real_arg};
use crate::lower::{Arg, CallContext, CallError, CallResult, Lowered};
use crate::ml::vector;
use crate::types::KqlType;
use datafusion::arrow::array::Float64Builder;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Reduce {
    Pearson,
    Dot,
    Magnitude,
    Cosine,
    Sum,
    Product,
}

pub(crate) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<Lowered> {
    let (op, exprs) = match name {
        "series_pearson_correlation" => {
            arity(name, args, 2, 2, "series1, series2")?;
            (
                Reduce::Pearson,
                vec![series_arg(name, args, 0)?, series_arg(name, args, 1)?],
            )
        }
        "series_dot_product" => {
            arity(name, args, 2, 2, "series1, series2")?;
            if number_arg(&args[0]).is_some() && number_arg(&args[1]).is_some() {
                return Err(CallError::types(format!(
                    "`{name}` expects a series (dynamic array) as one of its arguments"
                )));
            }
            (
                Reduce::Dot,
                vec![
                    series_or_number(name, args, 0)?,
                    series_or_number(name, args, 1)?,
                ],
            )
        }
        "series_cosine_similarity" => {
            arity(
                name,
                args,
                2,
                4,
                "series1, series2 [, magnitude1 [, magnitude2]]",
            )?;
            let m = |i: usize| -> std::result::Result<_, CallError> {
                match args.get(i) {
                    Some(_) => real_arg(name, args, i),
                    None => Ok(lit(ScalarValue::Float64(None))),
                }
            };
            (
                Reduce::Cosine,
                vec![
                    series_arg(name, args, 0)?,
                    series_arg(name, args, 1)?,
                    m(2)?,
                    m(3)?,
                ],
            )
        }
        "series_magnitude" | "series_sum" | "series_product" => {
            arity(name, args, 1, 1, "series")?;
            let op = match name {
                "series_magnitude" => Reduce::Magnitude,
                "series_sum" => Reduce::Sum,
                _ => Reduce::Product,
            };
            (op, vec![series_arg(name, args, 0)?])
        }
        _ => return Ok(None),
    };
    let e = Arc::new(ScalarUDF::from(SeriesReduce {
        name: name.to_string(),
        op,
        signature: Signature::variadic_any(Volatility::Immutable),
    }))
    .call(exprs);
    ok(e, KqlType::Real)
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct SeriesReduce {
    name: String,
    op: Reduce,
    signature: Signature,
}

impl ScalarUDFImpl for SeriesReduce {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let inputs = args
            .args
            .iter()
            .map(Input::of)
            .collect::<Result<Vec<_>>>()?;
        let mut out = Float64Builder::with_capacity(n);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for r in 0..n {
            let v = match (self.op, inputs.as_slice()) {
                (Reduce::Pearson, [x, y]) => {
                    if read(x.row(r), &mut a) && read(y.row(r), &mut b) {
                        vector::pearson(&a, &b)
                    } else {
                        None
                    }
                }
                (Reduce::Dot, [x, y]) => match (x.row(r), y.row(r)) {
                    (Row::Null, _) | (_, Row::Null) => None,
                    (Row::Scalar(s), v) | (v, Row::Scalar(s)) => match s.as_f64() {
                        None => None,
                        Some(s) => {
                            read(v, &mut a);
                            vector::dot(a.iter().map(|x| (*x, Some(s))))
                        }
                    },
                    (x, y) => {
                        read(x, &mut a);
                        read(y, &mut b);
                        vector::dot(a.iter().copied().zip(b.iter().copied()))
                    }
                },
                (Reduce::Cosine, [x, y, m1, m2]) => {
                    if read(x.row(r), &mut a) && read(y.row(r), &mut b) {
                        let m = |i: &Input| match i.row(r) {
                            Row::Scalar(s) => s.as_f64(),
                            _ => None,
                        };
                        vector::cosine_similarity(&a, &b, m(m1), m(m2))
                    } else {
                        None
                    }
                }
                (op, [x]) => {
                    if read(x.row(r), &mut a) {
                        match op {
                            Reduce::Magnitude => vector::magnitude(a.iter().copied()),
                            Reduce::Sum => Some(vector::sum(a.iter().copied())),
                            _ => Some(vector::product(a.iter().copied())),
                        }
                    } else {
                        None
                    }
                }
                _ => return exec_err!("{}: wrong number of arguments", self.name),
            };
            out.append_option(v);
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

/// Reads a series row into `buf`; false for a null series (or a number).
fn read(row: Row<'_>, buf: &mut Vec<Option<f64>>) -> bool {
    match row {
        Row::Null | Row::Scalar(_) => {
            buf.clear();
            false
        }
        row => {
            row.reals_into(buf);
            true
        }
    }
}
