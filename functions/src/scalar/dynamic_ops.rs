//! Array, set and property-bag functions over dynamic values (JSON text), and the dynamic
//! aggregates in [`agg`] (`make_set` of arrays, `make_bag`, `make_list_with_nulls`).
//!
//! One scalar UDF, [`DynUdf`], dispatches on [`DynOp`]. Dynamic arguments arrive as JSON text;
//! scalar arguments that become elements (`pack_array(x)`, `bag_pack("k", x)`,
//! `array_index_of(a, x)`, …) are first rendered to JSON text by [`DynOp::ToJson`] (numbers
//! and bools as JSON, strings as JSON strings, datetimes and timespans as strings in their
//! KQL text form). Each row is parsed with serde_json; a literal argument is parsed once.
//!
//! Deviations (documented where they apply): `array_sort_*` of several arrays returns one
//! dynamic array holding the sorted arrays (Kusto returns one column per array; indexing it,
//! as the docs' `array_sort_asc(a, b)[1]`, behaves the same); typed values inside dynamic
//! (datetime, timespan, guid) are plain JSON strings, so `gettype` reports them as `string`.

#[path = "dynamic_agg.rs"]
pub(crate) mod agg;

use super::{arity, cast, ok, string_arg, type_error};
use crate::format::{format_datetime_nanos_full, format_real, format_timespan_nanos};
use crate::lower::{Arg, CallContext, CallError, CallResult, Lowered};
use crate::types::KqlType;
use crate::udf::{self, ConvTarget, Op, bools, longs, reals, strings};
use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int64Array, StringArray,
};
use datafusion::arrow::compute::cast as arrow_cast;
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashSet;
use std::sync::Arc;

/// The operations of [`DynUdf`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DynOp {
    /// Any non-dynamic value → JSON text (null stays null).
    ToJson,
    PackArray,
    /// `bag_pack(k1, v1, …)`: string keys and JSON values alternate.
    BagPack,
    ArrayConcat,
    /// `(array, start: long, end: long)`.
    ArraySlice,
    ArrayReverse,
    /// `(nulls_last: bool, array1, …)`.
    ArraySort {
        desc: bool,
    },
    /// `(array, value, start, length, occurrence)`, all longs after `value`.
    ArrayIndexOf,
    ArrayIff,
    /// `(array, count: long)`: rotate left (right when `right`).
    ArrayRotate {
        right: bool,
    },
    /// `(array, count: long [, default])`.
    ArrayShift {
        right: bool,
    },
    /// `(array, index)` with index a JSON number or array of numbers.
    ArraySplit,
    ArraySum,
    /// `(array, delimiter: string)` → string.
    StrcatArray,
    SetUnion,
    SetIntersect,
    SetDifference,
    SetHasElement,
    Zip,
    BagKeys,
    BagMerge,
    BagRemoveKeys,
    /// `(bag, key: string, value)`.
    BagSetKey,
    /// `(bag, key: string)`.
    BagHasKey,
    BagZip,
    TreePath,
    JaccardIndex,
    /// `gettype(dynamic)` → string.
    GetType,
    /// `(path: string, json text)` → dynamic (null when the path selects nothing).
    ExtractJson,
}

/// How a [`DynOp`] result is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ret {
    Dynamic,
    Str,
    Long,
    Real,
    Bool,
}

impl DynOp {
    fn name(&self) -> &'static str {
        match self {
            DynOp::ToJson => "kql_to_json",
            DynOp::PackArray => "kql_pack_array",
            DynOp::BagPack => "kql_bag_pack",
            DynOp::ArrayConcat => "kql_array_concat",
            DynOp::ArraySlice => "kql_array_slice",
            DynOp::ArrayReverse => "kql_array_reverse",
            DynOp::ArraySort { desc: false } => "kql_array_sort_asc",
            DynOp::ArraySort { desc: true } => "kql_array_sort_desc",
            DynOp::ArrayIndexOf => "kql_array_index_of",
            DynOp::ArrayIff => "kql_array_iff",
            DynOp::ArrayRotate { right: false } => "kql_array_rotate_left",
            DynOp::ArrayRotate { right: true } => "kql_array_rotate_right",
            DynOp::ArrayShift { right: false } => "kql_array_shift_left",
            DynOp::ArrayShift { right: true } => "kql_array_shift_right",
            DynOp::ArraySplit => "kql_array_split",
            DynOp::ArraySum => "kql_array_sum",
            DynOp::StrcatArray => "kql_strcat_array",
            DynOp::SetUnion => "kql_set_union",
            DynOp::SetIntersect => "kql_set_intersect",
            DynOp::SetDifference => "kql_set_difference",
            DynOp::SetHasElement => "kql_set_has_element",
            DynOp::Zip => "kql_zip",
            DynOp::BagKeys => "kql_bag_keys",
            DynOp::BagMerge => "kql_bag_merge",
            DynOp::BagRemoveKeys => "kql_bag_remove_keys",
            DynOp::BagSetKey => "kql_bag_set_key",
            DynOp::BagHasKey => "kql_bag_has_key",
            DynOp::BagZip => "kql_bag_zip",
            DynOp::TreePath => "kql_treepath",
            DynOp::JaccardIndex => "kql_jaccard_index",
            DynOp::GetType => "kql_gettype_dynamic",
            DynOp::ExtractJson => "kql_extract_json",
        }
    }

    fn ret(&self) -> Ret {
        match self {
            DynOp::ArrayIndexOf => Ret::Long,
            DynOp::ArraySum | DynOp::JaccardIndex => Ret::Real,
            DynOp::SetHasElement | DynOp::BagHasKey => Ret::Bool,
            DynOp::StrcatArray | DynOp::GetType => Ret::Str,
            _ => Ret::Dynamic,
        }
    }
}

/// The scalar UDF for the dynamic functions.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DynUdf {
    op: DynOp,
    signature: Signature,
}

/// A call of the UDF for `op`.
pub fn call(op: DynOp, args: Vec<Expr>) -> Expr {
    Arc::new(ScalarUDF::from(DynUdf {
        op,
        signature: Signature::variadic_any(Volatility::Immutable),
    }))
    .call(args)
}

// ---- argument access ----

/// Parses dynamic JSON text; text that isn't JSON is a JSON string holding it.
pub(crate) fn parse(s: &str) -> Value {
    serde_json::from_str::<Value>(s).unwrap_or_else(|_| Value::String(s.to_string()))
}

/// One argument column, read as the op needs it (a scalar is converted once).
enum ArgCol {
    Json(Value),
    JsonCol(StringArray),
    Long(Option<i64>),
    LongCol(Int64Array),
    Str(String),
    StrCol(StringArray),
    Bool(Option<bool>),
    BoolCol(BooleanArray),
}

fn scalar_text(s: &ScalarValue) -> Option<String> {
    if s.is_null() {
        return None;
    }
    match s {
        ScalarValue::Utf8(Some(v))
        | ScalarValue::LargeUtf8(Some(v))
        | ScalarValue::Utf8View(Some(v)) => Some(v.clone()),
        other => Some(other.to_string()),
    }
}

impl ArgCol {
    fn json(c: &ColumnarValue) -> Result<ArgCol> {
        Ok(match c {
            ColumnarValue::Scalar(s) => {
                ArgCol::Json(scalar_text(s).map_or(Value::Null, |t| parse(&t)))
            }
            ColumnarValue::Array(a) => ArgCol::JsonCol(strings(a)?),
        })
    }
    fn long(c: &ColumnarValue) -> Result<ArgCol> {
        Ok(match c {
            ColumnarValue::Scalar(s) => {
                let a = s.to_array_of_size(1)?;
                let v = longs(&a)?;
                ArgCol::Long((!v.is_null(0)).then(|| v.value(0)))
            }
            ColumnarValue::Array(a) => ArgCol::LongCol(longs(a)?),
        })
    }
    fn string(c: &ColumnarValue) -> Result<ArgCol> {
        Ok(match c {
            ColumnarValue::Scalar(s) => ArgCol::Str(scalar_text(s).unwrap_or_default()),
            ColumnarValue::Array(a) => ArgCol::StrCol(strings(a)?),
        })
    }
    fn boolean(c: &ColumnarValue) -> Result<ArgCol> {
        Ok(match c {
            ColumnarValue::Scalar(s) => {
                let a = s.to_array_of_size(1)?;
                let v = bools(&a)?;
                ArgCol::Bool((!v.is_null(0)).then(|| v.value(0)))
            }
            ColumnarValue::Array(a) => ArgCol::BoolCol(bools(a)?),
        })
    }

    /// The JSON value at row `i` (null for a null or a non-JSON column).
    fn j(&self, i: usize) -> Cow<'_, Value> {
        match self {
            ArgCol::Json(v) => Cow::Borrowed(v),
            ArgCol::JsonCol(a) if !a.is_null(i) => Cow::Owned(parse(a.value(i))),
            _ => Cow::Owned(Value::Null),
        }
    }
    fn l(&self, i: usize) -> Option<i64> {
        match self {
            ArgCol::Long(v) => *v,
            ArgCol::LongCol(a) if !a.is_null(i) => Some(a.value(i)),
            _ => None,
        }
    }
    fn s(&self, i: usize) -> &str {
        match self {
            ArgCol::Str(v) => v,
            ArgCol::StrCol(a) if !a.is_null(i) => a.value(i),
            _ => "",
        }
    }
    fn b(&self, i: usize) -> Option<bool> {
        match self {
            ArgCol::Bool(v) => *v,
            ArgCol::BoolCol(a) if !a.is_null(i) => Some(a.value(i)),
            _ => None,
        }
    }
}

#[derive(Clone, Copy)]
enum Kind {
    J,
    L,
    S,
    B,
}

/// The kind of argument `i` (of `n`) of `op`.
fn kind(op: DynOp, i: usize) -> Kind {
    use Kind::*;
    match (op, i) {
        (DynOp::ArraySlice, 1 | 2)
        | (DynOp::ArrayIndexOf, 2..)
        | (DynOp::ArrayRotate { .. }, 1)
        | (DynOp::ArrayShift { .. }, 1) => L,
        (DynOp::ArraySort { .. }, 0) => B,
        (DynOp::BagPack, i) if i % 2 == 0 => S,
        (DynOp::StrcatArray, 1)
        | (DynOp::BagSetKey, 1)
        | (DynOp::BagHasKey, 1)
        | (DynOp::ExtractJson, 0) => S,
        _ => J,
    }
}

impl ScalarUDFImpl for DynUdf {
    fn name(&self) -> &str {
        self.op.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.op.ret() {
            Ret::Dynamic | Ret::Str => DataType::Utf8,
            Ret::Long => DataType::Int64,
            Ret::Real => DataType::Float64,
            Ret::Bool => DataType::Boolean,
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let all_scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let n = if all_scalar { 1 } else { args.number_rows };
        if self.op == DynOp::ToJson {
            let Some(a) = args.args.first() else {
                return exec_err!("kql_to_json expects 1 argument");
            };
            let arr = a.to_array(n)?;
            let vals = to_json_values(&arr)?;
            let out: StringArray = vals.into_iter().map(|v| v.map(|v| v.to_string())).collect();
            return finish(Arc::new(out), all_scalar);
        }
        let cols = args
            .args
            .iter()
            .enumerate()
            .map(|(i, c)| match kind(self.op, i) {
                Kind::J => ArgCol::json(c),
                Kind::L => ArgCol::long(c),
                Kind::S => ArgCol::string(c),
                Kind::B => ArgCol::boolean(c),
            })
            .collect::<Result<Vec<_>>>()?;
        let out: ArrayRef = match self.op.ret() {
            Ret::Dynamic => Arc::new(
                (0..n)
                    .map(|i| {
                        eval_row(self.op, &cols, i)
                            .filter(|v| !v.is_null())
                            .map(|v| v.to_string())
                    })
                    .collect::<StringArray>(),
            ),
            Ret::Str => Arc::new(
                (0..n)
                    .map(|i| match eval_row(self.op, &cols, i) {
                        Some(Value::String(s)) => Some(s),
                        Some(Value::Null) | None => None,
                        Some(v) => Some(v.to_string()),
                    })
                    .collect::<StringArray>(),
            ),
            Ret::Long => Arc::new(
                (0..n)
                    .map(|i| eval_row(self.op, &cols, i).and_then(|v| v.as_i64()))
                    .collect::<Int64Array>(),
            ),
            Ret::Real => Arc::new(
                (0..n)
                    .map(|i| eval_row(self.op, &cols, i).and_then(|v| v.as_f64()))
                    .collect::<Float64Array>(),
            ),
            Ret::Bool => Arc::new(
                (0..n)
                    .map(|i| eval_row(self.op, &cols, i).and_then(|v| v.as_bool()))
                    .collect::<BooleanArray>(),
            ),
        };
        finish(out, all_scalar)
    }
}

fn finish(out: ArrayRef, all_scalar: bool) -> Result<ColumnarValue> {
    if all_scalar && out.len() == 1 {
        Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
    } else {
        Ok(ColumnarValue::Array(out))
    }
}

fn real_value(f: f64) -> Value {
    serde_json::Number::from_f64(f).map_or_else(|| Value::String(format_real(f)), Value::Number)
}

/// JSON values of a non-dynamic column (None for nulls).
pub(crate) fn to_json_values(values: &ArrayRef) -> Result<Vec<Option<Value>>> {
    let n = values.len();
    Ok(match values.data_type() {
        DataType::Null => vec![None; n],
        DataType::Boolean => {
            let b = bools(values)?;
            (0..n)
                .map(|i| (!b.is_null(i)).then(|| Value::Bool(b.value(i))))
                .collect()
        }
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32 => {
            let v = longs(values)?;
            (0..n)
                .map(|i| (!v.is_null(i)).then(|| Value::from(v.value(i))))
                .collect()
        }
        DataType::Float16
        | DataType::Float32
        | DataType::Float64
        | DataType::UInt64
        | DataType::Decimal128(..)
        | DataType::Decimal256(..) => {
            let v = reals(values)?;
            (0..n)
                .map(|i| (!v.is_null(i)).then(|| real_value(v.value(i))))
                .collect()
        }
        DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => {
            let t = arrow_cast(values, &DataType::Timestamp(TimeUnit::Nanosecond, None))?;
            let v = longs(&t)?;
            (0..n)
                .map(|i| {
                    (!v.is_null(i)).then(|| Value::String(format_datetime_nanos_full(v.value(i))))
                })
                .collect()
        }
        DataType::Duration(_) => {
            let t = arrow_cast(values, &DataType::Duration(TimeUnit::Nanosecond))?;
            let v = longs(&t)?;
            (0..n)
                .map(|i| (!v.is_null(i)).then(|| Value::String(format_timespan_nanos(v.value(i)))))
                .collect()
        }
        _ => {
            let s = strings(values)?;
            (0..n)
                .map(|i| {
                    Some(Value::String(if s.is_null(i) {
                        String::new()
                    } else {
                        s.value(i).to_string()
                    }))
                })
                .collect()
        }
    })
}

// ---- value helpers ----

/// A canonical key for set membership (compact JSON text; integral reals equal integers).
fn key(v: &Value) -> String {
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        _ => v.to_string(),
    }
}

/// Value equality for lookups: numbers compare numerically.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(p), Some(q)) => p == q,
            _ => x.as_f64() == y.as_f64(),
        },
        _ => a == b,
    }
}

fn arr(v: &Value) -> Option<&Vec<Value>> {
    v.as_array()
}

fn distinct_into(items: &[Value], seen: &mut HashSet<String>, out: &mut Vec<Value>) {
    for v in items {
        if seen.insert(key(v)) {
            out.push(v.clone());
        }
    }
}

fn is_true(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_f64().map(|f| f != 0.0),
        _ => None,
    }
}

/// Sort rank of an element: numbers, strings, everything else (nulls are placed apart).
fn rank(v: &Value) -> u8 {
    match v {
        Value::Number(_) => 0,
        Value::String(_) => 1,
        _ => 2,
    }
}

fn cmp_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(p), Some(q)) => p.cmp(&q),
            _ => x
                .as_f64()
                .unwrap_or(f64::NAN)
                .total_cmp(&y.as_f64().unwrap_or(f64::NAN)),
        },
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => rank(a)
            .cmp(&rank(b))
            .then_with(|| a.to_string().cmp(&b.to_string())),
    }
}

/// A JSONPath subset: `$`, `.name`, `['name']`, `["name"]`, `[index]`; a path without a
/// leading `$` is a single top-level key.
#[derive(Clone, Debug, PartialEq)]
enum Seg {
    Key(String),
    Index(i64),
}

fn parse_path(p: &str) -> Option<Vec<Seg>> {
    let p = p.trim();
    let Some(rest) = p.strip_prefix('$') else {
        return Some(vec![Seg::Key(p.to_string())]);
    };
    let mut segs = Vec::new();
    let c: Vec<char> = rest.chars().collect();
    let mut i = 0;
    while i < c.len() {
        match c[i] {
            '.' => {
                let start = i + 1;
                let mut j = start;
                while j < c.len() && c[j] != '.' && c[j] != '[' {
                    j += 1;
                }
                if j == start {
                    return None;
                }
                segs.push(Seg::Key(c[start..j].iter().collect()));
                i = j;
            }
            '[' => {
                let close = (i + 1..c.len()).find(|&j| c[j] == ']')?;
                let inner: String = c[i + 1..close].iter().collect();
                let inner = inner.trim();
                if let Some(q) = inner
                    .strip_prefix('\'')
                    .and_then(|s| s.strip_suffix('\''))
                    .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
                {
                    segs.push(Seg::Key(q.to_string()));
                } else {
                    segs.push(Seg::Index(inner.parse().ok()?));
                }
                i = close + 1;
            }
            _ => return None,
        }
    }
    Some(segs)
}

fn select<'a>(v: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    path.iter().try_fold(v, |cur, seg| match (seg, cur) {
        (Seg::Key(k), Value::Object(m)) => m.get(k),
        (Seg::Index(ix), Value::Array(a)) => {
            let ix = if *ix < 0 { a.len() as i64 + ix } else { *ix };
            usize::try_from(ix).ok().and_then(|ix| a.get(ix))
        }
        _ => None,
    })
}

/// Only object keys (bag_* functions do not index arrays).
fn key_path(p: &str) -> Option<Vec<String>> {
    parse_path(p)?
        .into_iter()
        .map(|s| match s {
            Seg::Key(k) => Some(k),
            Seg::Index(_) => None,
        })
        .collect()
}

fn remove_path(m: &mut Map<String, Value>, path: &[String]) {
    match path {
        [] => {}
        [k] => {
            m.shift_remove(k);
        }
        [k, rest @ ..] => {
            if let Some(Value::Object(inner)) = m.get_mut(k) {
                remove_path(inner, rest);
            }
        }
    }
}

fn set_path(m: &mut Map<String, Value>, path: &[String], value: Value) {
    match path {
        [] => {}
        [k] => {
            m.insert(k.clone(), value);
        }
        [k, rest @ ..] => {
            let slot = m
                .entry(k.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            if let Value::Object(inner) = slot {
                set_path(inner, rest, value);
            }
        }
    }
}

fn push_path(p: &str, out: &mut Vec<String>, seen: &mut HashSet<String>) {
    if seen.insert(p.to_string()) {
        out.push(p.to_string());
    }
}

fn treepath(v: &Value, prefix: &str, out: &mut Vec<String>, seen: &mut HashSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = format!("{prefix}['{k}']");
                push_path(&p, out, seen);
                treepath(child, &p, out, seen);
            }
        }
        Value::Array(items) => {
            let p = format!("{prefix}[0]");
            push_path(&p, out, seen);
            for child in items {
                treepath(child, &p, out, seen);
            }
        }
        _ => {}
    }
}

fn gettype(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) => match n.as_i64() {
            Some(x) if i32::try_from(x).is_ok() => "int",
            Some(_) => "long",
            None if n.is_u64() => "long",
            None => "real",
        },
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "dictionary",
    }
}

fn to_usize_clamped(x: i64, len: usize) -> usize {
    usize::try_from(x.max(0)).unwrap_or(0).min(len)
}

fn norm_index(x: i64, len: usize) -> i64 {
    if x < 0 { len as i64 + x } else { x }
}

/// Evaluates `op` on row `i`; `None` (or JSON null) is a null result.
fn eval_row(op: DynOp, a: &[ArgCol], i: usize) -> Option<Value> {
    let j = |k: usize| a.get(k).map_or(Cow::Owned(Value::Null), |c| c.j(i));
    let l = |k: usize| a.get(k).and_then(|c| c.l(i));
    match op {
        DynOp::ToJson => None,
        DynOp::PackArray => Some(Value::Array(
            a.iter().map(|c| c.j(i).into_owned()).collect(),
        )),
        DynOp::BagPack => {
            let mut m = Map::new();
            for pair in a.chunks(2) {
                if let [k, v] = pair {
                    m.insert(k.s(i).to_string(), v.j(i).into_owned());
                }
            }
            Some(Value::Object(m))
        }
        DynOp::ArrayConcat => {
            let mut out = Vec::new();
            for c in a {
                out.extend(arr(&c.j(i))?.iter().cloned());
            }
            Some(Value::Array(out))
        }
        DynOp::ArraySlice => {
            let v = j(0);
            let items = arr(&v)?;
            let len = items.len();
            let s = norm_index(l(1)?, len);
            let e = norm_index(l(2)?, len);
            let s = to_usize_clamped(s, len);
            let e = to_usize_clamped(e.saturating_add(1), len);
            Some(Value::Array(if s < e {
                items[s..e].to_vec()
            } else {
                vec![]
            }))
        }
        DynOp::ArrayReverse => {
            let v = j(0);
            Some(Value::Array(arr(&v)?.iter().rev().cloned().collect()))
        }
        DynOp::ArraySort { desc } => {
            let nulls_last = a.first().and_then(|c| c.b(i)).unwrap_or(true);
            let arrays: Vec<Cow<'_, Value>> = a[1..].iter().map(|c| c.j(i)).collect();
            let first = arr(arrays.first()?)?;
            let mut order: Vec<usize> = (0..first.len()).collect();
            order.sort_by(|&x, &y| {
                let (p, q) = (&first[x], &first[y]);
                match (p.is_null(), q.is_null()) {
                    (true, true) => Ordering::Equal,
                    (true, false) if nulls_last => Ordering::Greater,
                    (true, false) => Ordering::Less,
                    (false, true) if nulls_last => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    // array-sort-desc-function.md: the type groups keep their order
                    (false, false) if desc => rank(p).cmp(&rank(q)).then_with(|| cmp_values(q, p)),
                    (false, false) => cmp_values(p, q),
                }
            });
            let sorted: Vec<Value> = arrays
                .iter()
                .map(|v| match arr(v) {
                    Some(items) if items.len() == first.len() => {
                        Value::Array(order.iter().map(|&k| items[k].clone()).collect())
                    }
                    _ => Value::Null,
                })
                .collect();
            if sorted.len() == 1 {
                sorted.into_iter().next()
            } else {
                Some(Value::Array(sorted))
            }
        }
        DynOp::ArrayIndexOf => {
            let v = j(0);
            let items = arr(&v)?;
            let needle = j(1);
            let len = items.len();
            let start = match a.get(2) {
                Some(c) => c.l(i)?,
                None => 0,
            };
            let length = match a.get(3) {
                Some(c) => c.l(i)?,
                None => -1,
            };
            let occurrence = match a.get(4) {
                Some(c) => c.l(i)?,
                None => 1,
            };
            if length < -1 || occurrence < 0 {
                return None;
            }
            let start = to_usize_clamped(norm_index(start, len), len);
            let end = if length == -1 {
                len
            } else {
                start
                    .saturating_add(usize::try_from(length).unwrap_or(0))
                    .min(len)
            };
            let mut seen = 0;
            for (k, x) in items.iter().enumerate().take(end).skip(start) {
                if same(x, &needle) {
                    seen += 1;
                    if seen >= occurrence {
                        return Some(Value::from(k as i64));
                    }
                }
            }
            Some(Value::from(-1))
        }
        DynOp::ArrayIff => {
            let c = j(0);
            let conds = arr(&c)?;
            let (t, f) = (j(1), j(2));
            let pick = |v: &Value, k: usize| match v {
                Value::Array(items) => items.get(k).cloned().unwrap_or(Value::Null),
                other => other.clone(),
            };
            Some(Value::Array(
                conds
                    .iter()
                    .enumerate()
                    .map(|(k, c)| match is_true(c) {
                        Some(true) => pick(&t, k),
                        Some(false) => pick(&f, k),
                        None => Value::Null,
                    })
                    .collect(),
            ))
        }
        DynOp::ArrayRotate { right } => {
            let v = j(0);
            let mut items = arr(&v)?.clone();
            let n = l(1)?;
            let len = items.len() as i64;
            if len > 0 {
                let left = if right { -n } else { n }.rem_euclid(len);
                items.rotate_left(usize::try_from(left).unwrap_or(0));
            }
            Some(Value::Array(items))
        }
        DynOp::ArrayShift { right } => {
            let v = j(0);
            let items = arr(&v)?;
            let n = l(1)?;
            let left = if right { n.saturating_neg() } else { n };
            let fill = match a.get(2) {
                Some(c) => c.j(i).into_owned(),
                // docs: "null or an empty string depending on the type of elements"
                None if !items.is_empty() && items.iter().all(Value::is_string) => {
                    Value::String(String::new())
                }
                None => Value::Null,
            };
            let len = items.len() as i64;
            let out = (0..len)
                .map(|k| {
                    let src = k.saturating_add(left);
                    if (0..len).contains(&src) {
                        items[src as usize].clone()
                    } else {
                        fill.clone()
                    }
                })
                .collect();
            Some(Value::Array(out))
        }
        DynOp::ArraySplit => {
            let v = j(0);
            let items = arr(&v)?;
            let len = items.len();
            let ix = j(1);
            let raw: Vec<i64> = match &*ix {
                Value::Number(n) => vec![n.as_i64()?],
                Value::Array(xs) => xs.iter().map(Value::as_i64).collect::<Option<_>>()?,
                _ => return None,
            };
            let mut out = Vec::new();
            let mut prev = 0usize;
            for x in raw {
                let cut = to_usize_clamped(norm_index(x, len), len).max(prev);
                out.push(Value::Array(items[prev..cut].to_vec()));
                prev = cut;
            }
            out.push(Value::Array(items[prev..].to_vec()));
            Some(Value::Array(out))
        }
        DynOp::ArraySum => {
            let v = j(0);
            let mut sum = 0.0;
            for x in arr(&v)? {
                sum += x.as_f64()?;
            }
            Some(real_value(sum))
        }
        DynOp::StrcatArray => {
            let v = j(0);
            let delim = a.get(1).map_or("", |c| c.s(i));
            let parts: Vec<String> = arr(&v)?
                .iter()
                .map(|x| match x {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                })
                .collect();
            Some(Value::String(parts.join(delim)))
        }
        DynOp::SetUnion => {
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for c in a {
                distinct_into(arr(&c.j(i))?, &mut seen, &mut out);
            }
            Some(Value::Array(out))
        }
        DynOp::SetIntersect | DynOp::SetDifference => {
            let first = j(0);
            let mut rest = Vec::new();
            for c in &a[1..] {
                let v = c.j(i);
                rest.push(arr(&v)?.iter().map(key).collect::<HashSet<String>>());
            }
            let mut seen = HashSet::new();
            let mut out = Vec::new();
            for x in arr(&first)? {
                let k = key(x);
                let keep = if op == DynOp::SetIntersect {
                    rest.iter().all(|s| s.contains(&k))
                } else {
                    !rest.iter().any(|s| s.contains(&k))
                };
                if keep && seen.insert(k) {
                    out.push(x.clone());
                }
            }
            Some(Value::Array(out))
        }
        DynOp::SetHasElement => {
            let v = j(0);
            let needle = j(1);
            Some(Value::Bool(arr(&v)?.iter().any(|x| same(x, &needle))))
        }
        DynOp::Zip => {
            let vals: Vec<Cow<'_, Value>> = a.iter().map(|c| c.j(i)).collect();
            let arrays = vals.iter().map(|v| arr(v)).collect::<Option<Vec<_>>>()?;
            let n = arrays.iter().map(|x| x.len()).max().unwrap_or(0);
            Some(Value::Array(
                (0..n)
                    .map(|k| {
                        Value::Array(
                            arrays
                                .iter()
                                .map(|x| x.get(k).cloned().unwrap_or(Value::Null))
                                .collect(),
                        )
                    })
                    .collect(),
            ))
        }
        DynOp::BagKeys => match &*j(0) {
            Value::Object(m) => Some(Value::Array(
                m.keys().map(|k| Value::String(k.clone())).collect(),
            )),
            _ => None,
        },
        DynOp::BagMerge => {
            let mut out = Map::new();
            for c in a {
                if let Value::Object(m) = &*c.j(i) {
                    for (k, v) in m {
                        if !out.contains_key(k) {
                            out.insert(k.clone(), v.clone());
                        }
                    }
                }
            }
            Some(Value::Object(out))
        }
        DynOp::BagRemoveKeys => {
            let Value::Object(mut m) = j(0).into_owned() else {
                return None;
            };
            let keys = j(1);
            for k in arr(&keys)? {
                if let Some(path) = k.as_str().and_then(key_path) {
                    remove_path(&mut m, &path);
                }
            }
            Some(Value::Object(m))
        }
        DynOp::BagSetKey => {
            let Value::Object(mut m) = j(0).into_owned() else {
                return None;
            };
            let path = key_path(a.get(1)?.s(i))?;
            if path.is_empty() {
                return None;
            }
            set_path(&mut m, &path, j(2).into_owned());
            Some(Value::Object(m))
        }
        DynOp::BagHasKey => {
            let v = j(0);
            if !v.is_object() {
                return None;
            }
            let path: Vec<Seg> = key_path(a.get(1)?.s(i))?
                .into_iter()
                .map(Seg::Key)
                .collect();
            Some(Value::Bool(!path.is_empty() && select(&v, &path).is_some()))
        }
        DynOp::BagZip => {
            let keys = j(0);
            let vals = j(1);
            let values = arr(&vals);
            let mut m = Map::new();
            for (k, key) in arr(&keys)?.iter().enumerate() {
                if let Value::String(s) = key {
                    let v = values
                        .and_then(|xs| xs.get(k).cloned())
                        .unwrap_or(Value::Null);
                    m.insert(s.clone(), v);
                }
            }
            Some(Value::Object(m))
        }
        DynOp::TreePath => {
            let v = j(0);
            if !(v.is_object() || v.is_array()) {
                return None;
            }
            let mut out = Vec::new();
            treepath(&v, "", &mut out, &mut HashSet::new());
            Some(Value::Array(out.into_iter().map(Value::String).collect()))
        }
        DynOp::JaccardIndex => {
            let x = j(0);
            let y = j(1);
            let p: HashSet<String> = arr(&x)?.iter().map(key).collect();
            let q: HashSet<String> = arr(&y)?.iter().map(key).collect();
            let union = p.union(&q).count();
            if union == 0 {
                return None;
            }
            Some(real_value(p.intersection(&q).count() as f64 / union as f64))
        }
        DynOp::GetType => {
            let t = match a.first() {
                Some(ArgCol::JsonCol(c)) if c.is_null(i) => "null",
                _ => gettype(&j(0)),
            };
            Some(Value::String(t.to_string()))
        }
        DynOp::ExtractJson => {
            let path = parse_path(a.first()?.s(i))?;
            if !a.first()?.s(i).trim_start().starts_with('$') {
                return None;
            }
            let doc = j(1);
            select(&doc, &path).cloned()
        }
    }
}

// ---- lowering ----

fn not_dynamic(name: &str, args: &[Arg], range: std::ops::Range<usize>) -> Result<(), CallError> {
    for i in range {
        if let Some(a) = args.get(i)
            && a.ty != KqlType::Dynamic
        {
            return Err(type_error(name, i, "a dynamic value", a.ty));
        }
    }
    Ok(())
}

/// The argument as JSON text: dynamic as is, other values rendered by [`DynOp::ToJson`].
pub(crate) fn json_arg(a: &Arg) -> Expr {
    if a.ty == KqlType::Dynamic {
        a.expr.clone()
    } else {
        call(DynOp::ToJson, vec![a.expr.clone()])
    }
}

fn long_or_err(name: &str, args: &[Arg], i: usize) -> Result<Expr, CallError> {
    match args[i].ty {
        KqlType::Int | KqlType::Long => Ok(cast(args[i].expr.clone(), DataType::Int64)),
        // a dynamic number (e.g. `arr[0]`)
        KqlType::Dynamic => Ok(udf::call(
            Op::Convert {
                target: ConvTarget::Long,
                dynamic: true,
            },
            vec![args[i].expr.clone()],
        )),
        t => Err(type_error(name, i, "an integer", t)),
    }
}

fn string_or_err(name: &str, args: &[Arg], i: usize) -> Result<Expr, CallError> {
    match args[i].ty {
        KqlType::String | KqlType::Guid => Ok(args[i].expr.clone()),
        KqlType::Dynamic => Ok(udf::call(Op::DynamicToString, vec![args[i].expr.clone()])),
        t => Err(type_error(name, i, "a string", t)),
    }
}

fn dyn_call(op: DynOp, args: Vec<Expr>) -> CallResult<Lowered> {
    let ty = match op.ret() {
        Ret::Dynamic => KqlType::Dynamic,
        Ret::Str => KqlType::String,
        Ret::Long => KqlType::Long,
        Ret::Real => KqlType::Real,
        Ret::Bool => KqlType::Bool,
    };
    ok(call(op, args), ty)
}

fn all_dynamic(name: &str, args: &[Arg], op: DynOp) -> CallResult<Lowered> {
    not_dynamic(name, args, 0..args.len())?;
    dyn_call(op, args.iter().map(|a| a.expr.clone()).collect())
}

fn is_star(a: &Arg) -> bool {
    matches!(a.literal, Some(ScalarValue::Null)) && a.ty == KqlType::Dynamic
}

pub(super) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<Lowered> {
    match name {
        "pack_array" => {
            arity(name, args, 1, usize::MAX, "value1 [, value2, ...]")?;
            if args.iter().any(is_star) {
                return Err(CallError::not_implemented(
                    "`pack_array(*)` (needs row context)",
                ));
            }
            dyn_call(DynOp::PackArray, args.iter().map(json_arg).collect())
        }
        "bag_pack" | "pack" | "pack_dictionary" => {
            if !args.len().is_multiple_of(2) {
                return Err(CallError::types(format!(
                    "`{name}` expects an even number of arguments (key1, value1, key2, value2, ...), got {}",
                    args.len()
                )));
            }
            let mut e = Vec::with_capacity(args.len());
            for (i, a) in args.iter().enumerate() {
                if i % 2 == 0 {
                    e.push(string_or_err(name, args, i)?);
                } else {
                    e.push(json_arg(a));
                }
            }
            dyn_call(DynOp::BagPack, e)
        }
        "array_concat" => {
            arity(name, args, 1, usize::MAX, "array1 [, array2, ...]")?;
            all_dynamic(name, args, DynOp::ArrayConcat)
        }
        "array_slice" => {
            arity(name, args, 3, 3, "array, start, end")?;
            not_dynamic(name, args, 0..1)?;
            dyn_call(
                DynOp::ArraySlice,
                vec![
                    args[0].expr.clone(),
                    long_or_err(name, args, 1)?,
                    long_or_err(name, args, 2)?,
                ],
            )
        }
        "array_reverse" | "array_sum" | "bag_keys" | "treepath" => {
            arity(name, args, 1, 1, "array")?;
            let op = match name {
                "array_reverse" => DynOp::ArrayReverse,
                "array_sum" => DynOp::ArraySum,
                "bag_keys" => DynOp::BagKeys,
                _ => DynOp::TreePath,
            };
            all_dynamic(name, args, op)
        }
        "array_sort_asc" | "array_sort_desc" => {
            arity(
                name,
                args,
                1,
                usize::MAX,
                "array1 [, ..., arrayN] [, nulls_last]",
            )?;
            let (arrays, nulls_last) = match args.last() {
                Some(a) if a.ty == KqlType::Bool && args.len() > 1 => {
                    (&args[..args.len() - 1], a.expr.clone())
                }
                _ => (args, super::lit(ScalarValue::Boolean(Some(true)))),
            };
            not_dynamic(name, arrays, 0..arrays.len())?;
            let mut e = vec![nulls_last];
            e.extend(arrays.iter().map(|a| a.expr.clone()));
            dyn_call(
                DynOp::ArraySort {
                    desc: name.ends_with("desc"),
                },
                e,
            )
        }
        "array_index_of" => {
            arity(
                name,
                args,
                2,
                5,
                "array, value [, start [, length [, occurrence]]]",
            )?;
            not_dynamic(name, args, 0..1)?;
            let mut e = vec![args[0].expr.clone(), json_arg(&args[1])];
            for i in 2..args.len() {
                e.push(long_or_err(name, args, i)?);
            }
            dyn_call(DynOp::ArrayIndexOf, e)
        }
        "set_has_element" => {
            arity(name, args, 2, 2, "array, value")?;
            not_dynamic(name, args, 0..1)?;
            dyn_call(
                DynOp::SetHasElement,
                vec![args[0].expr.clone(), json_arg(&args[1])],
            )
        }
        "array_iff" | "array_iif" => {
            arity(name, args, 3, 3, "condition_array, when_true, when_false")?;
            not_dynamic(name, args, 0..1)?;
            dyn_call(
                DynOp::ArrayIff,
                vec![args[0].expr.clone(), json_arg(&args[1]), json_arg(&args[2])],
            )
        }
        "array_rotate_left" | "array_rotate_right" => {
            arity(name, args, 2, 2, "array, rotate_count")?;
            not_dynamic(name, args, 0..1)?;
            dyn_call(
                DynOp::ArrayRotate {
                    right: name.ends_with("right"),
                },
                vec![args[0].expr.clone(), long_or_err(name, args, 1)?],
            )
        }
        "array_shift_left" | "array_shift_right" => {
            arity(name, args, 2, 3, "array, shift_count [, default_value]")?;
            not_dynamic(name, args, 0..1)?;
            let mut e = vec![args[0].expr.clone(), long_or_err(name, args, 1)?];
            if let Some(d) = args.get(2) {
                e.push(json_arg(d));
            }
            dyn_call(
                DynOp::ArrayShift {
                    right: name.ends_with("right"),
                },
                e,
            )
        }
        "array_split" => {
            arity(name, args, 2, 2, "array, index")?;
            not_dynamic(name, args, 0..1)?;
            match args[1].ty {
                KqlType::Int | KqlType::Long | KqlType::Dynamic => {}
                t => return Err(type_error(name, 1, "an integer or a dynamic array", t)),
            }
            dyn_call(
                DynOp::ArraySplit,
                vec![args[0].expr.clone(), json_arg(&args[1])],
            )
        }
        "strcat_array" => {
            arity(name, args, 2, 2, "array, delimiter")?;
            not_dynamic(name, args, 0..1)?;
            dyn_call(
                DynOp::StrcatArray,
                vec![args[0].expr.clone(), string_arg(&args[1])],
            )
        }
        "set_union" | "set_intersect" | "set_difference" => {
            arity(name, args, 2, 64, "set1, set2 [, set3, ...]")?;
            let op = match name {
                "set_union" => DynOp::SetUnion,
                "set_intersect" => DynOp::SetIntersect,
                _ => DynOp::SetDifference,
            };
            all_dynamic(name, args, op)
        }
        "zip" => {
            arity(name, args, 2, 16, "array1, array2 [, ...]")?;
            all_dynamic(name, args, DynOp::Zip)
        }
        "bag_merge" => {
            arity(name, args, 2, 64, "bag1, bag2 [, ...]")?;
            all_dynamic(name, args, DynOp::BagMerge)
        }
        "bag_remove_keys" => {
            arity(name, args, 2, 2, "bag, keys")?;
            all_dynamic(name, args, DynOp::BagRemoveKeys)
        }
        "bag_zip" => {
            arity(name, args, 2, 2, "keys_array, values_array")?;
            all_dynamic(name, args, DynOp::BagZip)
        }
        "jaccard_index" => {
            arity(name, args, 2, 2, "set1, set2")?;
            all_dynamic(name, args, DynOp::JaccardIndex)
        }
        "bag_set_key" => {
            arity(name, args, 3, 3, "bag, key, value")?;
            not_dynamic(name, args, 0..1)?;
            dyn_call(
                DynOp::BagSetKey,
                vec![
                    args[0].expr.clone(),
                    string_or_err(name, args, 1)?,
                    json_arg(&args[2]),
                ],
            )
        }
        "bag_has_key" => {
            arity(name, args, 2, 2, "bag, key")?;
            not_dynamic(name, args, 0..1)?;
            dyn_call(
                DynOp::BagHasKey,
                vec![args[0].expr.clone(), string_or_err(name, args, 1)?],
            )
        }
        // other types are handled by the conversion family
        "gettype" if args.len() == 1 && args[0].ty == KqlType::Dynamic => {
            dyn_call(DynOp::GetType, vec![args[0].expr.clone()])
        }
        "extract_json" | "extractjson" => {
            arity(name, args, 2, 3, "jsonPath, dataSource [, type]")?;
            let path = string_or_err(name, args, 0)?;
            let doc = match args[1].ty {
                KqlType::String | KqlType::Dynamic => args[1].expr.clone(),
                t => return Err(type_error(name, 1, "a string", t)),
            };
            let found = call(DynOp::ExtractJson, vec![path, doc]);
            let target = match args.get(2) {
                None => "string".to_string(),
                Some(t) => match &t.literal {
                    Some(ScalarValue::Utf8(Some(s))) => s.clone(),
                    _ => {
                        return Err(type_error(
                            name,
                            2,
                            "a type literal, e.g. typeof(long)",
                            t.ty,
                        ));
                    }
                },
            };
            let conv = |target| {
                udf::call(
                    Op::Convert {
                        target,
                        dynamic: true,
                    },
                    vec![found.clone()],
                )
            };
            match target.as_str() {
                "string" => ok(udf::call(Op::DynamicToString, vec![found]), KqlType::String),
                "dynamic" => ok(found, KqlType::Dynamic),
                "int" => ok(conv(ConvTarget::Int), KqlType::Int),
                "long" => ok(conv(ConvTarget::Long), KqlType::Long),
                "real" | "double" => ok(conv(ConvTarget::Real), KqlType::Real),
                "bool" | "boolean" => ok(conv(ConvTarget::Bool), KqlType::Bool),
                "datetime" | "date" => ok(conv(ConvTarget::Datetime), KqlType::Datetime),
                "timespan" | "time" => ok(conv(ConvTarget::Timespan), KqlType::Timespan),
                other => Err(CallError::not_implemented(&format!(
                    "`{name}` with typeof({other})"
                ))),
            }
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests;
