//! `series_fill_forward`, `series_fill_backward`, `series_fill_const`, `series_fill_linear`:
//! lowering and the UDF (kernels in `crate::ml::fill`; semantics in its module comment).
//!
//! Parameters (the docs): `series_fill_forward(series [, missing_value_placeholder])`, the same
//! for backward, `series_fill_const(series, constant_value [, missing_value_placeholder])` and
//! `series_fill_linear(series [, missing_value_placeholder [, fill_edges [, constant_value]]])`;
//! the placeholder defaults to `double(null)` (`long(null)` and `int(null)` mean the same),
//! `fill_edges` to true and the linear constant to 0.
//!
//! Element types. A JSON row is a long row when it holds at least one number and all its
//! numbers are longs (the docs' all-null row fills with `0.0`, a real); filled elements keep
//! the row's type, except that `series_fill_const` and the all-missing case of
//! `series_fill_linear` put the constant in as it is (the docs: `[111,0.0,36,…]`). A list of
//! integers gives a list of longs, unless the constant is a real with a fraction (it would be
//! lost), which gives a list of reals.
//!
//! Choice where the docs are silent: with a placeholder that is not null, null elements are
//! ordinary values (they are not the placeholder): forward and backward fills copy them, and an
//! interpolation next to one is null.

use super::series_elem::{Input, Out, OutKind, Row, is_list, number_arg, series_arg};
use super::{arity, cast, lit, ok, type_error};
use crate::lower::{Arg, CallContext, CallResult, Lowered};
use crate::ml::elementwise::Num;
use crate::ml::fill;
use crate::types::KqlType;
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Fill {
    Forward,
    Backward,
    Const,
    Linear,
}

pub(crate) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<Lowered> {
    let (fill, min, max, sig) = match name {
        "series_fill_forward" => (Fill::Forward, 1, 2, "series [, missing_value_placeholder]"),
        "series_fill_backward" => (Fill::Backward, 1, 2, "series [, missing_value_placeholder]"),
        "series_fill_const" => (
            Fill::Const,
            2,
            3,
            "series, constant_value [, missing_value_placeholder]",
        ),
        "series_fill_linear" => (
            Fill::Linear,
            1,
            4,
            "series [, missing_value_placeholder [, fill_edges [, constant_value]]]",
        ),
        _ => return Ok(None),
    };
    arity(name, args, min, max, sig)?;
    let series = series_arg(name, args, 0)?;
    let number = |i: usize| -> std::result::Result<Option<Expr>, crate::lower::CallError> {
        match args.get(i) {
            None => Ok(None),
            Some(a) => number_arg(a)
                .map(Some)
                .ok_or_else(|| type_error(name, i, "a number", a.ty)),
        }
    };
    let placeholder_at = if fill == Fill::Const { 2 } else { 1 };
    let placeholder = number(placeholder_at)?.unwrap_or_else(|| lit(ScalarValue::Float64(None)));
    let fill_edges = match (fill, args.get(2)) {
        (Fill::Linear, Some(a)) if a.ty == KqlType::Bool => a.expr.clone(),
        (Fill::Linear, Some(a)) => return Err(type_error(name, 2, "a bool", a.ty)),
        _ => lit(ScalarValue::Boolean(Some(true))),
    };
    let (constant, constant_arg) = match fill {
        Fill::Const => (number(1)?, args.get(1)),
        Fill::Linear => (number(3)?, args.get(3)),
        _ => (None, None),
    };
    let constant = constant.unwrap_or_else(|| lit(ScalarValue::Int64(Some(0))));
    // a real constant with a fraction turns an integer list into a real list
    let keeps_long = match constant_arg {
        None => true,
        Some(a) => match (&a.ty, &a.literal) {
            (KqlType::Int | KqlType::Long, _) => true,
            (_, Some(ScalarValue::Float64(v))) => v.is_none_or(|v| v.fract() == 0.0),
            (_, Some(ScalarValue::Null)) => true,
            _ => false,
        },
    };
    let e = Arc::new(ScalarUDF::from(SeriesFill {
        name: name.to_string(),
        fill,
        keeps_long,
        signature: Signature::variadic_any(Volatility::Immutable),
    }))
    .call(vec![
        series,
        placeholder,
        cast(fill_edges, DataType::Boolean),
        constant,
    ]);
    ok(e, KqlType::Dynamic)
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct SeriesFill {
    name: String,
    fill: Fill,
    keeps_long: bool,
    signature: Signature,
}

impl SeriesFill {
    fn out_kind(&self, series: &DataType) -> OutKind {
        if !is_list(series) {
            OutKind::Json
        } else if crate::ml::is_integer_list(series) && self.keeps_long {
            OutKind::Longs
        } else {
            OutKind::Reals
        }
    }
}

/// Whether `x` is the placeholder `p` (null matches null; NaN matches NaN).
#[inline]
fn is_missing(p: Num, x: Num) -> bool {
    match (p, x) {
        (Num::Null, x) => x.is_null(),
        (_, Num::Null) => false,
        (Num::Int(a), Num::Int(b)) => a == b,
        (p, x) => match (p.as_f64(), x.as_f64()) {
            (Some(a), Some(b)) => a == b || (a.is_nan() && b.is_nan()),
            _ => false,
        },
    }
}

impl ScalarUDFImpl for SeriesFill {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types.first() {
            Some(dt) => Ok(self.out_kind(dt).data_type()),
            None => exec_err!("{} expects a series", self.name),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [series, placeholder, edges, constant] = args.args.as_slice() else {
            return exec_err!("{}: wrong number of arguments", self.name);
        };
        let n = args.number_rows;
        let kind = self.out_kind(&series.data_type());
        let series = Input::of(series)?;
        let placeholder = Input::of(placeholder)?;
        let constant = Input::of(constant)?;
        let edges = edges.to_array(n)?;
        let edges = edges.as_boolean();
        let mut out = Out::new(kind, n);
        let mut nums: Vec<Num> = Vec::new();
        let mut reals: Vec<Option<f64>> = Vec::new();
        let mut longs: Vec<Option<i64>> = Vec::new();
        let mut vals: Vec<f64> = Vec::new();
        let mut known: Vec<bool> = Vec::new();
        for r in 0..n {
            let row = series.row(r);
            let Some(len) = row.len() else {
                out.null_row();
                continue;
            };
            let p = scalar(placeholder.row(r));
            let c = scalar(constant.row(r));
            let missing = |x: &Num| is_missing(p, *x);
            match self.fill {
                Fill::Forward | Fill::Backward | Fill::Const => {
                    nums.clear();
                    nums.extend((0..len).map(|i| row.get(i)));
                    match self.fill {
                        Fill::Forward => fill::fill_forward(&mut nums, missing),
                        Fill::Backward => fill::fill_backward(&mut nums, missing),
                        _ => fill::fill_const(&mut nums, missing, c),
                    }
                    nums.iter().for_each(|x| out.push(*x));
                }
                Fill::Linear => {
                    let fill_edges = edges.is_valid(r) && edges.value(r);
                    if (0..len).all(|i| missing(&row.get(i))) {
                        // all missing: the constant in the row's element type (a null
                        // constant keeps the row)
                        let c = match (c, is_long_row(&row)) {
                            // a list's element type is the column's (Out converts)
                            (c, _) if matches!(row, Row::Longs { .. }) => c,
                            (Num::Real(v), true) => Num::Int(v.trunc() as i64),
                            (Num::Int(v), false) => Num::Real(v as f64),
                            (c, _) => c,
                        };
                        for i in 0..len {
                            out.push(if c.is_null() { row.get(i) } else { c });
                        }
                    } else if is_long_row(&row) {
                        longs.clear();
                        longs.extend((0..len).map(|i| match row.get(i) {
                            Num::Int(v) => Some(v),
                            Num::Real(v) => Some(v as i64),
                            Num::Null => None,
                        }));
                        let m = |x: &Option<i64>| is_missing(p, x.map_or(Num::Null, Num::Int));
                        fill::fill_linear(&mut longs, m, fill_edges, None);
                        longs
                            .iter()
                            .for_each(|x| out.push(x.map_or(Num::Null, Num::Int)));
                    } else if let (Some(raw), true, Out::Reals(b)) =
                        (row.raw_reals(), p.is_null(), &mut out)
                    {
                        // the real list fast path: raw values and a validity mask
                        vals.clear();
                        vals.extend_from_slice(raw);
                        known.clear();
                        row.validity_into(&mut known);
                        fill::fill_linear_masked(&mut vals, &mut known, fill_edges);
                        b.values().append_values(&vals, &known);
                    } else {
                        row.reals_into(&mut reals);
                        if p.is_null() {
                            fill::fill_linear(&mut reals, Option::is_none, fill_edges, None);
                        } else {
                            let m = |x: &Option<f64>| is_missing(p, Num::real(*x));
                            fill::fill_linear(&mut reals, m, fill_edges, None);
                        }
                        match &mut out {
                            Out::Reals(b) => {
                                for x in &reals {
                                    b.values().append_option(*x);
                                }
                            }
                            o => reals.iter().for_each(|x| o.push(Num::real(*x))),
                        }
                    }
                }
            }
            out.end_row();
        }
        Ok(ColumnarValue::Array(out.finish()))
    }
}

/// A scalar argument's value in a row.
fn scalar(row: Row<'_>) -> Num {
    match row {
        Row::Scalar(n) => n,
        _ => Num::Null,
    }
}

/// Whether a row interpolates as longs: a list of integers, or a JSON array with at least one
/// number, all of them longs.
fn is_long_row(row: &Row<'_>) -> bool {
    match row {
        Row::Longs { .. } => true,
        Row::Json(v) => {
            v.iter().any(|x| matches!(x, Num::Int(_)))
                && !v.iter().any(|x| matches!(x, Num::Real(_)))
        }
        _ => false,
    }
}
