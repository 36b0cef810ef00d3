//! Lowering of the element-wise, fill and vector `series_*` functions (the kernels are in
//! `crate::ml::{elementwise, fill, vector}`), and the Arrow plumbing their UDFs share.
//!
//! A series argument reaches these functions as an Arrow list (from make-series; read as
//! slices, never through JSON) or as `dynamic` JSON text (literals, `pack_array`, JSON
//! columns). The result keeps the argument's form:
//! - list in → list out (`List<Float64>`, `List<Int64>` where Kusto keeps long elements,
//!   `List<Boolean>` for comparisons); the element type is fixed per column, from the
//!   arguments' Arrow types;
//! - JSON in → JSON out, element by element, so a long element stays long exactly where
//!   Kusto's dynamic arrays keep it (`series_add([1,2,4],[4,2,1])` prints `[5,4,5]`,
//!   `series_fill_const([111,null],0.0)` prints `[111,0.0]`, as the docs show).
//!
//! When a call mixes a JSON series with a list series, the list form wins and the JSON side's
//! elements are read as reals (the column's element type cannot depend on the row).

use super::{arity, ok, type_error};
use crate::lower::{Arg, CallContext, CallResult, Lowered};
use crate::ml::elementwise::{Arith, Compare, Num, Unary};
use crate::types::KqlType;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanBuilder, Float64Array, Float64Builder, Int64Array,
    Int64Builder, ListArray, ListBuilder, StringBuilder,
};
use datafusion::arrow::buffer::NullBuffer;
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Int64Type};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use std::fmt::Write as _;
use std::sync::Arc;

pub(crate) fn lower(name: &str, args: &[Arg], cx: &CallContext) -> CallResult<Lowered> {
    let arith = match name {
        "series_add" => Some(Arith::Add),
        "series_subtract" => Some(Arith::Subtract),
        "series_multiply" => Some(Arith::Multiply),
        "series_divide" => Some(Arith::Divide),
        "series_pow" => Some(Arith::Pow),
        _ => None,
    };
    if let Some(op) = arith {
        return binary(name, args, ElemOp::Arith(op));
    }
    let cmp = match name {
        "series_greater" => Some(Compare::Greater),
        "series_greater_equals" => Some(Compare::GreaterEquals),
        "series_less" => Some(Compare::Less),
        "series_less_equals" => Some(Compare::LessEquals),
        "series_equals" => Some(Compare::Equals),
        "series_not_equals" => Some(Compare::NotEquals),
        _ => None,
    };
    if let Some(op) = cmp {
        return binary(name, args, ElemOp::Compare(op));
    }
    let unary = match name {
        "series_abs" => Some(Unary::Abs),
        "series_sign" => Some(Unary::Sign),
        "series_exp" => Some(Unary::Exp),
        "series_log" => Some(Unary::Log),
        "series_floor" => Some(Unary::Floor),
        "series_ceiling" => Some(Unary::Ceiling),
        "series_sin" => Some(Unary::Sin),
        "series_cos" => Some(Unary::Cos),
        "series_tan" => Some(Unary::Tan),
        "series_asin" => Some(Unary::Asin),
        "series_acos" => Some(Unary::Acos),
        "series_atan" => Some(Unary::Atan),
        _ => None,
    };
    if let Some(op) = unary {
        arity(name, args, 1, 1, "series")?;
        let s = series_arg(name, args, 0)?;
        return ok(udf(name, ElemOp::Unary(op), vec![s]), KqlType::Dynamic);
    }
    if let Some(l) = super::series_elem_fill::lower(name, args, cx)? {
        return Ok(Some(l));
    }
    super::series_elem_vec::lower(name, args, cx)
}

fn binary(name: &str, args: &[Arg], op: ElemOp) -> CallResult<Lowered> {
    arity(name, args, 2, 2, "series1, series2")?;
    let a = series_or_number(name, args, 0)?;
    let b = series_or_number(name, args, 1)?;
    if args[0].ty != KqlType::Dynamic && args[1].ty != KqlType::Dynamic {
        return Err(crate::lower::CallError::types(format!(
            "`{name}` expects a series (dynamic array) as one of its arguments"
        )));
    }
    ok(udf(name, op, vec![a, b]), KqlType::Dynamic)
}

/// A series argument (`dynamic`), passed through in its list or JSON form.
pub(crate) fn series_arg(
    name: &str,
    args: &[Arg],
    i: usize,
) -> std::result::Result<Expr, crate::lower::CallError> {
    match args[i].ty {
        KqlType::Dynamic => Ok(args[i].expr.clone()),
        t => Err(type_error(name, i, "a series (dynamic array)", t)),
    }
}

/// A series, or a number broadcast over the other series: int/long stay Int64 (so long
/// arithmetic stays exact), real/decimal become Float64.
pub(crate) fn series_or_number(
    name: &str,
    args: &[Arg],
    i: usize,
) -> std::result::Result<Expr, crate::lower::CallError> {
    number_arg(&args[i]).map_or_else(
        || match args[i].ty {
            KqlType::Dynamic => Ok(args[i].expr.clone()),
            t => Err(type_error(
                name,
                i,
                "a series (dynamic array) or a number",
                t,
            )),
        },
        Ok,
    )
}

/// A numeric scalar as Int64 (int/long) or Float64 (real/decimal); `None` otherwise.
pub(crate) fn number_arg(a: &Arg) -> Option<Expr> {
    match a.ty {
        KqlType::Int | KqlType::Long => Some(super::cast(a.expr.clone(), DataType::Int64)),
        KqlType::Real | KqlType::Decimal => Some(super::cast(a.expr.clone(), DataType::Float64)),
        _ => None,
    }
}

/// The element-wise operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ElemOp {
    Arith(Arith),
    Compare(Compare),
    Unary(Unary),
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct SeriesElem {
    name: String,
    op: ElemOp,
    signature: Signature,
}

fn udf(name: &str, op: ElemOp, args: Vec<Expr>) -> Expr {
    Arc::new(ScalarUDF::from(SeriesElem {
        name: name.to_string(),
        op,
        signature: Signature::variadic_any(Volatility::Immutable),
    }))
    .call(args)
}

impl ScalarUDFImpl for SeriesElem {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.out_kind(arg_types).data_type())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let types: Vec<DataType> = args.args.iter().map(|a| a.data_type()).collect();
        let kind = self.out_kind(&types);
        let n = args.number_rows;
        let inputs = args
            .args
            .iter()
            .map(Input::of)
            .collect::<Result<Vec<_>>>()?;
        let mut out = Out::new(kind, n);
        match (self.op, inputs.as_slice()) {
            (ElemOp::Unary(op), [s]) => {
                for r in 0..n {
                    let row = s.row(r);
                    let Some(len) = row.len() else {
                        out.null_row();
                        continue;
                    };
                    for i in 0..len {
                        out.push(op.apply(row.get(i)));
                    }
                    out.end_row();
                }
            }
            (ElemOp::Arith(_) | ElemOp::Compare(_), [a, b]) => {
                let mut scratch: Vec<f64> = Vec::new();
                let mut valid: Vec<bool> = Vec::new();
                for r in 0..n {
                    let (x, y) = (a.row(r), b.row(r));
                    let len = match (x, y) {
                        (Row::Null, _) | (_, Row::Null) => None,
                        _ => match (x.len(), y.len()) {
                            (Some(p), Some(q)) => Some(p.max(q)),
                            (Some(p), None) | (None, Some(p)) => Some(p),
                            (None, None) => None,
                        },
                    };
                    let Some(len) = len else {
                        out.null_row();
                        continue;
                    };
                    match self.op {
                        ElemOp::Arith(op) if out.is_reals() => {
                            // fast paths over the raw values of real lists (a result at a
                            // null position is computed and then masked)
                            if let Some(()) = arith_fast(op, x, y, &mut scratch, &mut valid) {
                                out.push_reals_masked(&scratch, &valid);
                                out.end_row();
                                continue;
                            }
                            for i in 0..len {
                                out.push(op.apply(x.get(i), y.get(i)));
                            }
                        }
                        ElemOp::Arith(op) => {
                            for i in 0..len {
                                out.push(op.apply(x.get(i), y.get(i)));
                            }
                        }
                        ElemOp::Compare(op) => {
                            for i in 0..len {
                                out.push_bool(op.apply(x.get(i), y.get(i)));
                            }
                        }
                        ElemOp::Unary(_) => {}
                    }
                    out.end_row();
                }
            }
            _ => return exec_err!("{}: wrong number of arguments", self.name),
        }
        Ok(ColumnarValue::Array(out.finish()))
    }
}

/// `op` over two real list rows of one length, or a real list row and a number, computed on
/// the raw values into `out` with the validity in `valid`; `None` when the rows are of another
/// shape.
fn arith_fast(
    op: Arith,
    x: Row<'_>,
    y: Row<'_>,
    out: &mut Vec<f64>,
    valid: &mut Vec<bool>,
) -> Option<()> {
    out.clear();
    valid.clear();
    match (x.raw_reals(), y.raw_reals()) {
        (Some(p), Some(q)) if p.len() == q.len() => {
            crate::ml::elementwise::arith_reals(op, p, q, out);
            x.validity_into(valid);
            y.validity_and(valid);
        }
        (Some(p), None) => {
            let s = match y {
                Row::Scalar(s) => s.as_f64()?,
                _ => return None,
            };
            out.extend(p.iter().map(|a| op.reals(*a, s)));
            x.validity_into(valid);
        }
        (None, Some(q)) => {
            let s = match x {
                Row::Scalar(s) => s.as_f64()?,
                _ => return None,
            };
            out.extend(q.iter().map(|b| op.reals(s, *b)));
            y.validity_into(valid);
        }
        _ => return None,
    }
    Some(())
}

impl SeriesElem {
    fn out_kind(&self, types: &[DataType]) -> OutKind {
        if !types.iter().any(is_list) {
            return OutKind::Json;
        }
        match self.op {
            ElemOp::Compare(_) => OutKind::Bools,
            ElemOp::Arith(op) if op.keeps_long() && types.iter().all(is_integer) => OutKind::Longs,
            ElemOp::Unary(op) if op.keeps_long() && types.iter().all(is_integer) => OutKind::Longs,
            _ => OutKind::Reals,
        }
    }
}

/// Whether `dt` is a list (the columnar series form).
pub(crate) fn is_list(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..)
    )
}

/// Whether `dt` is a list of numbers (or of nulls).
fn list_of_numbers(dt: &DataType) -> bool {
    match dt {
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            f.data_type().is_numeric() || f.data_type() == &DataType::Null
        }
        _ => false,
    }
}

/// Whether `dt` is an integer scalar or a list of integers.
pub(crate) fn is_integer(dt: &DataType) -> bool {
    dt.is_integer() || crate::ml::is_integer_list(dt)
}

// ---- inputs ----

/// One argument, decoded once per batch.
pub(crate) struct Input {
    col: Col,
    /// A scalar argument: every row reads row 0.
    broadcast: bool,
}

enum Col {
    Reals(ListArray, Float64Array),
    Longs(ListArray, Int64Array),
    Json(Vec<Option<Vec<Num>>>),
    Numbers(Vec<Num>),
}

impl Input {
    pub(crate) fn of(v: &ColumnarValue) -> Result<Input> {
        let (array, broadcast) = match v {
            ColumnarValue::Array(a) => (a.clone(), false),
            ColumnarValue::Scalar(s) => (s.to_array_of_size(1)?, true),
        };
        let col = match array.data_type() {
            dt if is_list(dt) => {
                if crate::ml::is_integer_list(dt) {
                    let lists =
                        datafusion::arrow::compute::cast(&array, &crate::ml::long_list_type())?;
                    let lists = lists.as_list::<i32>().clone();
                    let child = lists.values().as_primitive::<Int64Type>().clone();
                    Col::Longs(lists, child)
                } else if list_of_numbers(dt) {
                    let lists = crate::ml::to_real_lists(&array)?;
                    let lists = lists.as_ref().clone();
                    let child = lists.values().as_primitive::<Float64Type>().clone();
                    Col::Reals(lists, child)
                } else {
                    // bools, strings, …: non-numeric elements are null (the docs), not
                    // converted
                    let lists = array.as_list_opt::<i32>().cloned().map_or_else(
                        || {
                            datafusion::arrow::compute::cast(
                                &array,
                                &DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
                            )
                            .map(|a| a.as_list::<i32>().clone())
                        },
                        Ok,
                    )?;
                    let child = Float64Array::new_null(lists.values().len());
                    let lists = ListArray::try_new(
                        Arc::new(Field::new("item", DataType::Float64, true)),
                        lists.offsets().clone(),
                        Arc::new(child.clone()),
                        lists.nulls().cloned(),
                    )?;
                    Col::Reals(lists, child)
                }
            }
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => {
                let text = datafusion::arrow::compute::cast(&array, &DataType::Utf8)?;
                let text = text.as_string::<i32>();
                Col::Json(
                    (0..text.len())
                        .map(|i| {
                            if text.is_null(i) {
                                None
                            } else {
                                parse_json_series(text.value(i))
                            }
                        })
                        .collect(),
                )
            }
            dt if dt.is_integer() => {
                let a = crate::udf::longs(&array)?;
                Col::Numbers(a.iter().map(|v| v.map_or(Num::Null, Num::Int)).collect())
            }
            dt if dt.is_numeric() => {
                let a = crate::udf::reals(&array)?;
                Col::Numbers(a.iter().map(Num::real).collect())
            }
            other => return exec_err!("expected a series or a number, got {other}"),
        };
        Ok(Input { col, broadcast })
    }

    /// Row `r`.
    #[inline]
    pub(crate) fn row(&self, r: usize) -> Row<'_> {
        let r = if self.broadcast { 0 } else { r };
        match &self.col {
            Col::Reals(lists, child) => list_row(lists, r, |s, e| Row::Reals {
                v: &child.values()[s..e],
                nulls: child.nulls(),
                start: s,
            }),
            Col::Longs(lists, child) => list_row(lists, r, |s, e| Row::Longs {
                v: &child.values()[s..e],
                nulls: child.nulls(),
                start: s,
            }),
            Col::Json(rows) => match rows.get(r) {
                Some(Some(v)) => Row::Json(v),
                _ => Row::Null,
            },
            Col::Numbers(v) => Row::Scalar(v.get(r).copied().unwrap_or(Num::Null)),
        }
    }
}

fn list_row<'a>(
    lists: &'a ListArray,
    r: usize,
    f: impl FnOnce(usize, usize) -> Row<'a>,
) -> Row<'a> {
    if r >= lists.len() || lists.is_null(r) {
        return Row::Null;
    }
    let o = lists.value_offsets();
    f(o[r] as usize, o[r + 1] as usize)
}

/// One row of an argument.
#[derive(Clone, Copy)]
pub(crate) enum Row<'a> {
    /// A null series (or a null row of a JSON column / a JSON value that is not an array).
    Null,
    Reals {
        v: &'a [f64],
        nulls: Option<&'a NullBuffer>,
        start: usize,
    },
    Longs {
        v: &'a [i64],
        nulls: Option<&'a NullBuffer>,
        start: usize,
    },
    Json(&'a [Num]),
    /// A number broadcast over the series.
    Scalar(Num),
}

impl Row<'_> {
    /// The series' length (`None` for a null series or a scalar).
    #[inline]
    pub(crate) fn len(&self) -> Option<usize> {
        match self {
            Row::Reals { v, .. } => Some(v.len()),
            Row::Longs { v, .. } => Some(v.len()),
            Row::Json(v) => Some(v.len()),
            Row::Null | Row::Scalar(_) => None,
        }
    }

    /// Element `i`: null past the end; a scalar's value everywhere.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Num {
        match self {
            Row::Reals { v, nulls, start } => match v.get(i) {
                Some(x) if nulls.is_none_or(|n| n.is_valid(start + i)) => Num::Real(*x),
                _ => Num::Null,
            },
            Row::Longs { v, nulls, start } => match v.get(i) {
                Some(x) if nulls.is_none_or(|n| n.is_valid(start + i)) => Num::Int(*x),
                _ => Num::Null,
            },
            Row::Json(v) => v.get(i).copied().unwrap_or(Num::Null),
            Row::Scalar(n) => *n,
            Row::Null => Num::Null,
        }
    }

    /// The raw values of a real list row (entries at null positions are meaningless).
    #[inline]
    pub(crate) fn raw_reals(&self) -> Option<&[f64]> {
        match self {
            Row::Reals { v, .. } => Some(v),
            _ => None,
        }
    }

    /// Appends the row's validity (true where the element is not null) to `out`.
    pub(crate) fn validity_into(&self, out: &mut Vec<bool>) {
        match self {
            Row::Reals { v, nulls, start } => validity(v.len(), *nulls, *start, out),
            Row::Longs { v, nulls, start } => validity(v.len(), *nulls, *start, out),
            _ => {
                if let Some(len) = self.len() {
                    out.extend((0..len).map(|i| !self.get(i).is_null()));
                }
            }
        }
    }

    /// Clears the entries of `valid` where this row's element is null (the rows have the
    /// same length).
    pub(crate) fn validity_and(&self, valid: &mut [bool]) {
        if let Row::Reals {
            v,
            nulls: Some(n),
            start,
        } = self
        {
            let bits = n.inner().slice(*start, v.len());
            for (x, b) in valid.iter_mut().zip(bits.iter()) {
                *x &= b;
            }
        }
    }

    /// The elements as reals (None for null), appended to `buf`.
    pub(crate) fn reals_into(&self, buf: &mut Vec<Option<f64>>) {
        buf.clear();
        match self {
            Row::Reals { v, nulls: None, .. } => buf.extend(v.iter().map(|x| Some(*x))),
            _ => {
                if let Some(len) = self.len() {
                    buf.extend((0..len).map(|i| self.get(i).as_f64()));
                }
            }
        }
    }
}

fn validity(len: usize, nulls: Option<&NullBuffer>, start: usize, out: &mut Vec<bool>) {
    match nulls {
        None => out.extend(std::iter::repeat_n(true, len)),
        Some(n) => out.extend(n.inner().slice(start, len).iter()),
    }
}

/// A JSON array as series elements (`None` when the text is not an array). Numbers written
/// without a fraction or exponent that fit a long are longs; `"NaN"`, `"Infinity"` and
/// `"-Infinity"` (how a real series prints them) are reals; anything else is null.
pub(crate) fn parse_json_series(text: &str) -> Option<Vec<Num>> {
    if let Some(v) = parse_flat_array(text) {
        return Some(v);
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Array(items)) => Some(items.iter().map(json_num).collect()),
        _ => None,
    }
}

/// A flat JSON array of numbers, nulls, bools and plain strings, parsed directly (`None` for
/// anything else, which goes through serde_json). Numbers are parsed by Rust's correctly
/// rounded `str::parse`: serde_json as configured in this workspace (without its
/// `float_roundtrip` feature) may read a decimal one unit in the last place off (e.g. `49.9`),
/// which would show in element-wise results.
fn parse_flat_array(text: &str) -> Option<Vec<Num>> {
    let b = text.as_bytes();
    let ws = |i: &mut usize| {
        while *i < b.len() && matches!(b[*i], b' ' | b'\t' | b'\n' | b'\r') {
            *i += 1;
        }
    };
    let mut i = 0;
    ws(&mut i);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    i += 1;
    let mut out = Vec::new();
    ws(&mut i);
    if b.get(i) == Some(&b']') {
        i += 1;
        ws(&mut i);
        return (i == b.len()).then_some(out);
    }
    loop {
        ws(&mut i);
        let start = i;
        let c = *b.get(i)?;
        let v = match c {
            b'n' | b't' | b'f' => {
                let word: &[u8] = match c {
                    b'n' => b"null",
                    b't' => b"true",
                    _ => b"false",
                };
                if !b[i..].starts_with(word) {
                    return None;
                }
                i += word.len();
                Num::Null
            }
            b'"' => {
                let end = i + 1 + b[i + 1..].iter().position(|&x| x == b'"')?;
                let inner = &text[i + 1..end];
                if inner.contains('\\') {
                    return None;
                }
                i = end + 1;
                match inner {
                    "NaN" => Num::Real(f64::NAN),
                    "Infinity" => Num::Real(f64::INFINITY),
                    "-Infinity" => Num::Real(f64::NEG_INFINITY),
                    _ => Num::Null,
                }
            }
            b'-' | b'0'..=b'9' => {
                while i < b.len() && matches!(b[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                {
                    i += 1;
                }
                let t = &text[start..i];
                let integral = !t.contains(['.', 'e', 'E']);
                match (integral, t.parse::<i64>()) {
                    (true, Ok(n)) => Num::Int(n),
                    _ => Num::Real(t.parse::<f64>().ok()?),
                }
            }
            _ => return None,
        };
        out.push(v);
        ws(&mut i);
        match b.get(i)? {
            b',' => i += 1,
            b']' => {
                i += 1;
                ws(&mut i);
                return (i == b.len()).then_some(out);
            }
            _ => return None,
        }
    }
}

fn json_num(v: &serde_json::Value) -> Num {
    match v {
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Num::Int(i),
            None => Num::real(n.as_f64()),
        },
        serde_json::Value::String(s) => match s.as_str() {
            "NaN" => Num::Real(f64::NAN),
            "Infinity" => Num::Real(f64::INFINITY),
            "-Infinity" => Num::Real(f64::NEG_INFINITY),
            _ => Num::Null,
        },
        _ => Num::Null,
    }
}

// ---- outputs ----

/// The physical form of a series result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OutKind {
    Reals,
    Longs,
    Bools,
    Json,
}

impl OutKind {
    pub(crate) fn data_type(self) -> DataType {
        match self {
            OutKind::Reals => crate::ml::real_list_type(),
            OutKind::Longs => crate::ml::long_list_type(),
            OutKind::Bools => DataType::List(Arc::new(Field::new("item", DataType::Boolean, true))),
            OutKind::Json => DataType::Utf8,
        }
    }
}

/// Builds a series result row by row, element by element.
pub(crate) enum Out {
    Reals(ListBuilder<Float64Builder>),
    Longs(ListBuilder<Int64Builder>),
    Bools(ListBuilder<BooleanBuilder>),
    Json {
        b: StringBuilder,
        buf: String,
        first: bool,
    },
}

impl Out {
    pub(crate) fn new(kind: OutKind, rows: usize) -> Out {
        match kind {
            OutKind::Reals => Out::Reals(ListBuilder::with_capacity(Float64Builder::new(), rows)),
            OutKind::Longs => Out::Longs(ListBuilder::with_capacity(Int64Builder::new(), rows)),
            OutKind::Bools => Out::Bools(ListBuilder::with_capacity(BooleanBuilder::new(), rows)),
            OutKind::Json => Out::Json {
                b: StringBuilder::with_capacity(rows, rows * 16),
                buf: String::from("["),
                first: true,
            },
        }
    }

    fn sep(buf: &mut String, first: &mut bool) {
        if !std::mem::take(first) {
            buf.push(',');
        }
    }

    /// Appends one element. Into a long list a real element is truncated (only reachable
    /// through a fill constant, see `series_elem_fill`).
    #[inline]
    pub(crate) fn push(&mut self, v: Num) {
        match self {
            Out::Reals(b) => b.values().append_option(v.as_f64()),
            Out::Longs(b) => b.values().append_option(match v {
                Num::Int(i) => Some(i),
                Num::Real(r) => Some(r.trunc() as i64),
                Num::Null => None,
            }),
            Out::Bools(b) => b.values().append_null(),
            Out::Json { buf, first, .. } => {
                Self::sep(buf, first);
                match v {
                    Num::Null => buf.push_str("null"),
                    Num::Int(i) => {
                        let _ = write!(buf, "{i}");
                    }
                    Num::Real(r) => match serde_json::Number::from_f64(r) {
                        Some(n) => {
                            let _ = write!(buf, "{n}");
                        }
                        None => {
                            let _ = write!(buf, "\"{}\"", crate::format::format_real(r));
                        }
                    },
                }
            }
        }
    }

    /// Whether the result is a real list.
    pub(crate) fn is_reals(&self) -> bool {
        matches!(self, Out::Reals(_))
    }

    /// Appends reals with a validity mask (the fast path of real list results).
    #[inline]
    pub(crate) fn push_reals_masked(&mut self, v: &[f64], valid: &[bool]) {
        match self {
            Out::Reals(b) => b.values().append_values(v, valid),
            _ => v
                .iter()
                .zip(valid)
                .for_each(|(x, k)| self.push(if *k { Num::Real(*x) } else { Num::Null })),
        }
    }

    #[inline]
    pub(crate) fn push_bool(&mut self, v: Option<bool>) {
        match self {
            Out::Bools(b) => b.values().append_option(v),
            Out::Json { buf, first, .. } => {
                Self::sep(buf, first);
                buf.push_str(match v {
                    Some(true) => "true",
                    Some(false) => "false",
                    None => "null",
                });
            }
            Out::Reals(b) => b.values().append_option(v.map(|b| f64::from(u8::from(b)))),
            Out::Longs(b) => b.values().append_option(v.map(i64::from)),
        }
    }

    pub(crate) fn end_row(&mut self) {
        match self {
            Out::Reals(b) => b.append(true),
            Out::Longs(b) => b.append(true),
            Out::Bools(b) => b.append(true),
            Out::Json { b, buf, first } => {
                buf.push(']');
                b.append_value(buf.as_str());
                buf.clear();
                buf.push('[');
                *first = true;
            }
        }
    }

    pub(crate) fn null_row(&mut self) {
        match self {
            Out::Reals(b) => b.append(false),
            Out::Longs(b) => b.append(false),
            Out::Bools(b) => b.append(false),
            Out::Json { b, .. } => b.append_null(),
        }
    }

    pub(crate) fn finish(self) -> ArrayRef {
        match self {
            Out::Reals(mut b) => Arc::new(b.finish()),
            Out::Longs(mut b) => Arc::new(b.finish()),
            Out::Bools(mut b) => Arc::new(b.finish()),
            Out::Json { mut b, .. } => Arc::new(b.finish()),
        }
    }
}

#[cfg(test)]
#[path = "series_elem_tests.rs"]
mod tests;
