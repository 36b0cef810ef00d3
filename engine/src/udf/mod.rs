//! Engine-level UDFs: access into `dynamic` values (JSON text, `dynamic.rs`), lists → JSON
//! text, mv-expand, and `parse` (regex here, the split fast path in `parse_split.rs`).

use datafusion::arrow::array::{Array, ArrayRef, StringArray, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, cast::as_string_array};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};
use kql_functions::KqlType;
use std::sync::{Arc, LazyLock};

mod barrier;
mod dynamic;
mod parse_split;
pub use barrier::stay_above;
pub use dynamic::{dynamic_get, fuse_comparison, fuse_conversion};
pub use parse_split::{Piece, SplitSpec, parse_ok, parse_part};

/// Lists, structs and maps (series from make-series, tuple results) as `dynamic` JSON text, for
/// the functions and operators that read dynamic values as JSON.
#[derive(Debug, PartialEq, Eq, Hash)]
struct NestedToJson {
    signature: Signature,
}

impl ScalarUDFImpl for NestedToJson {
    fn name(&self) -> &str {
        "kql_to_json"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn return_field_from_args(&self, _args: ReturnFieldArgs) -> Result<FieldRef> {
        Ok(Arc::new(KqlType::Dynamic.field("kql_to_json")))
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let a = match args.args.first() {
            // A constant list (e.g. make-series' time axis with from/to): converted once.
            Some(ColumnarValue::Scalar(s)) => {
                let a = s.to_array()?;
                let text =
                    (!a.is_null(0)).then(|| crate::display::nested_json(a.as_ref(), 0).to_string());
                return Ok(ColumnarValue::Scalar(ScalarValue::Utf8(text)));
            }
            Some(ColumnarValue::Array(a)) => a,
            None => return datafusion::common::exec_err!("kql_to_json expects one argument"),
        };
        let mut out = StringBuilder::new();
        for i in 0..a.len() {
            if a.is_null(i) {
                out.append_null();
            } else {
                out.append_value(crate::display::nested_json(a.as_ref(), i).to_string());
            }
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

static NESTED_TO_JSON: LazyLock<Arc<ScalarUDF>> = LazyLock::new(|| {
    Arc::new(ScalarUDF::from(NestedToJson {
        signature: Signature::any(1, Volatility::Immutable),
    }))
});

/// Whether values of this Arrow type are nested (a list, struct or map): `dynamic` values the
/// JSON-text functions need converted with [`nested_to_json`].
pub fn is_nested(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::List(_)
            | DataType::LargeList(_)
            | DataType::FixedSizeList(..)
            | DataType::Struct(_)
            | DataType::Map(..)
    )
}

/// A nested value as dynamic JSON text.
pub fn nested_to_json(e: Expr) -> Expr {
    NESTED_TO_JSON.call(vec![e])
}

#[allow(dead_code)]
fn field() -> Field {
    KqlType::Dynamic.field("x")
}

// ---------------------------------------------------------------------------------------------
// mv-expand: dynamic arrays and property bags → one struct per output row

use datafusion::arrow::array::{
    BooleanBuilder, Decimal128Builder, DurationNanosecondBuilder, Float64Builder, Int32Builder,
    Int64Builder, ListArray, StructArray, TimestampNanosecondBuilder,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::Fields;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::scalar::ScalarValue;
use serde_json::Value as Json;

/// How `mv-expand` expands a property bag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BagExpansion {
    /// One single-property bag `{"key": value}` per property (`kind=bag`, the default).
    Bag,
    /// One `["key", value]` array per property (`kind=array`).
    Array,
}

/// The configuration of one `mv-expand`: the UDF [`mv_expand`] zips its arguments into a
/// `List<Struct<c0, c1, ..., [index]>>`, one struct per output row, for `unnest`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MvExpandSpec {
    /// The KQL type of each expanded column: `dynamic`, or the `to typeof(T)` type.
    pub types: Vec<KqlType>,
    pub bag: BagExpansion,
    /// At most this many output rows per input row (`limit N`).
    pub limit: Option<usize>,
    /// Adds the 0-based item index (long) as the last struct field, [`MV_INDEX_FIELD`].
    pub with_index: bool,
}

/// The struct field holding the item index.
pub const MV_INDEX_FIELD: &str = "index";

/// The struct field holding expanded column `i`.
pub fn mv_field_name(i: usize) -> String {
    format!("c{i}")
}

/// The Arrow type a column of KQL type `t` is built as (Utf8 for string, guid and dynamic).
fn storage_type(t: KqlType) -> DataType {
    t.arrow_type()
}

impl MvExpandSpec {
    fn struct_fields(&self) -> Fields {
        let mut fields: Vec<Field> = self
            .types
            .iter()
            .enumerate()
            .map(|(i, t)| Field::new(mv_field_name(i), storage_type(*t), true))
            .collect();
        if self.with_index {
            fields.push(Field::new(MV_INDEX_FIELD, DataType::Int64, true));
        }
        Fields::from(fields)
    }

    fn return_type(&self) -> DataType {
        DataType::List(Arc::new(Field::new_list_field(
            DataType::Struct(self.struct_fields()),
            true,
        )))
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct MvExpandUdf {
    signature: Signature,
    spec: MvExpandSpec,
}

impl ScalarUDFImpl for MvExpandUdf {
    fn name(&self) -> &str {
        "kql_mv_expand"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(self.spec.return_type())
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let arrays = args
            .args
            .iter()
            .map(|a| a.to_array(n))
            .collect::<Result<Vec<_>>>()?;
        Ok(ColumnarValue::Array(mv_expand_arrays(
            &self.spec, &arrays, n,
        )?))
    }
}

/// The `mv-expand` zip of `args` (one per expanded column, all dynamic), as configured by
/// `spec`; unnest the result to get the rows.
pub fn mv_expand(spec: MvExpandSpec, args: Vec<Expr>) -> Expr {
    let udf = ScalarUDF::from(MvExpandUdf {
        signature: Signature::variadic_any(Volatility::Immutable),
        spec,
    });
    Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(udf), args))
}

/// Reads the dynamic values of one argument: JSON text, or an Arrow list/struct standing for
/// a dynamic value.
enum DynamicReader {
    Text(StringArray),
    Nested(ArrayRef),
}

impl DynamicReader {
    fn new(a: &ArrayRef) -> Result<DynamicReader> {
        Ok(match a.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
                let s = datafusion::arrow::compute::cast(a, &DataType::Utf8)?;
                DynamicReader::Text(as_string_array(&s)?.clone())
            }
            _ => DynamicReader::Nested(Arc::clone(a)),
        })
    }

    fn value(&self, row: usize) -> Result<Json> {
        match self {
            DynamicReader::Text(s) => Ok(if s.is_null(row) {
                Json::Null
            } else {
                let t = s.value(row);
                serde_json::from_str(t).unwrap_or_else(|_| Json::String(t.to_string()))
            }),
            DynamicReader::Nested(a) => Ok(scalar_to_json(&ScalarValue::try_from_array(a, row)?)),
        }
    }
}

/// The elements one dynamic value expands to: an array's elements, a bag's properties (as
/// `{"k": v}` or `["k", v]`), a single null for null, the value itself for other scalars.
pub fn mv_elements(v: Json, bag: BagExpansion) -> Vec<Json> {
    match v {
        Json::Array(items) => items,
        Json::Object(props) => props
            .into_iter()
            .map(|(k, v)| match bag {
                BagExpansion::Bag => {
                    let mut m = serde_json::Map::new();
                    m.insert(k, v);
                    Json::Object(m)
                }
                BagExpansion::Array => Json::Array(vec![Json::String(k), v]),
            })
            .collect(),
        other => vec![other],
    }
}

fn mv_expand_arrays(spec: &MvExpandSpec, arrays: &[ArrayRef], n: usize) -> Result<ArrayRef> {
    let readers = arrays
        .iter()
        .map(DynamicReader::new)
        .collect::<Result<Vec<_>>>()?;
    let mut builders: Vec<TypedBuilder> =
        spec.types.iter().map(|t| TypedBuilder::new(*t)).collect();
    let mut index = Int64Builder::new();
    let mut lengths: Vec<usize> = Vec::with_capacity(n);
    for row in 0..n {
        let mut columns: Vec<Vec<Json>> = Vec::with_capacity(readers.len());
        for r in &readers {
            columns.push(mv_elements(r.value(row)?, spec.bag));
        }
        let mut count = columns.iter().map(Vec::len).max().unwrap_or(0);
        if let Some(l) = spec.limit {
            count = count.min(l);
        }
        for k in 0..count {
            for (c, b) in columns.iter().zip(builders.iter_mut()) {
                b.append_json(c.get(k));
            }
            if spec.with_index {
                index.append_value(k as i64);
            }
        }
        lengths.push(count);
    }
    let mut children: Vec<ArrayRef> = Vec::with_capacity(builders.len() + 1);
    for b in builders {
        children.push(b.finish()?);
    }
    if spec.with_index {
        children.push(Arc::new(index.finish()));
    }
    let fields = spec.struct_fields();
    let total: usize = lengths.iter().sum();
    let structs = if fields.is_empty() {
        StructArray::new_empty_fields(total, None)
    } else {
        StructArray::try_new(fields.clone(), children, None)?
    };
    let list = ListArray::try_new(
        Arc::new(Field::new_list_field(DataType::Struct(fields), true)),
        OffsetBuffer::from_lengths(lengths),
        Arc::new(structs),
        None,
    )?;
    Ok(Arc::new(list))
}

/// The JSON value an Arrow scalar stands for as a `dynamic` (datetimes and timespans as their
/// KQL text, lists as arrays, structs as bags).
fn scalar_to_json(v: &ScalarValue) -> Json {
    use kql_functions::format::{format_datetime_nanos_full, format_timespan_nanos};
    if v.is_null() {
        return Json::Null;
    }
    let real = |f: f64| {
        serde_json::Number::from_f64(f)
            .map(Json::Number)
            .unwrap_or(Json::Null)
    };
    let list = |a: &dyn Array| -> Json {
        Json::Array(
            (0..a.len())
                .map(|i| {
                    ScalarValue::try_from_array(a, i)
                        .map(|s| scalar_to_json(&s))
                        .unwrap_or(Json::Null)
                })
                .collect(),
        )
    };
    match v {
        ScalarValue::Boolean(Some(b)) => Json::Bool(*b),
        ScalarValue::Int8(Some(x)) => Json::from(*x),
        ScalarValue::Int16(Some(x)) => Json::from(*x),
        ScalarValue::Int32(Some(x)) => Json::from(*x),
        ScalarValue::Int64(Some(x)) => Json::from(*x),
        ScalarValue::UInt8(Some(x)) => Json::from(*x),
        ScalarValue::UInt16(Some(x)) => Json::from(*x),
        ScalarValue::UInt32(Some(x)) => Json::from(*x),
        ScalarValue::UInt64(Some(x)) => Json::from(*x),
        ScalarValue::Float32(Some(x)) => real(f64::from(*x)),
        ScalarValue::Float64(Some(x)) => real(*x),
        ScalarValue::Utf8(Some(s))
        | ScalarValue::LargeUtf8(Some(s))
        | ScalarValue::Utf8View(Some(s)) => Json::String(s.clone()),
        ScalarValue::TimestampNanosecond(Some(x), _) => {
            Json::String(format_datetime_nanos_full(*x))
        }
        ScalarValue::TimestampMicrosecond(Some(x), _) => {
            Json::String(format_datetime_nanos_full(x.saturating_mul(1_000)))
        }
        ScalarValue::TimestampMillisecond(Some(x), _) => {
            Json::String(format_datetime_nanos_full(x.saturating_mul(1_000_000)))
        }
        ScalarValue::TimestampSecond(Some(x), _) => {
            Json::String(format_datetime_nanos_full(x.saturating_mul(1_000_000_000)))
        }
        ScalarValue::DurationNanosecond(Some(x)) => Json::String(format_timespan_nanos(*x)),
        ScalarValue::DurationMicrosecond(Some(x)) => {
            Json::String(format_timespan_nanos(x.saturating_mul(1_000)))
        }
        ScalarValue::DurationMillisecond(Some(x)) => {
            Json::String(format_timespan_nanos(x.saturating_mul(1_000_000)))
        }
        ScalarValue::DurationSecond(Some(x)) => {
            Json::String(format_timespan_nanos(x.saturating_mul(1_000_000_000)))
        }
        ScalarValue::List(a) if !a.is_empty() => list(a.value(0).as_ref()),
        ScalarValue::LargeList(a) if !a.is_empty() => list(a.value(0).as_ref()),
        ScalarValue::FixedSizeList(a) if !a.is_empty() => list(a.value(0).as_ref()),
        ScalarValue::Struct(s) => {
            let mut m = serde_json::Map::new();
            for (f, c) in s.fields().iter().zip(s.columns()) {
                let v = ScalarValue::try_from_array(c.as_ref(), 0)
                    .map(|x| scalar_to_json(&x))
                    .unwrap_or(Json::Null);
                m.insert(f.name().clone(), v);
            }
            Json::Object(m)
        }
        other => {
            let t = other.to_string();
            serde_json::from_str::<serde_json::Number>(&t)
                .map(Json::Number)
                .unwrap_or(Json::String(t))
        }
    }
}

/// Builds a column of one KQL type from JSON elements (`mv-expand ... to typeof(T)`) or from
/// captured text (`parse ... Col:T`).
enum TypedBuilder {
    Dynamic(StringBuilder),
    String(StringBuilder),
    Guid(StringBuilder),
    Bool(BooleanBuilder),
    Int(Int32Builder),
    Long(Int64Builder),
    Real(Float64Builder),
    Decimal(Decimal128Builder),
    Datetime(TimestampNanosecondBuilder),
    Timespan(DurationNanosecondBuilder),
}

impl TypedBuilder {
    fn new(t: KqlType) -> TypedBuilder {
        match t {
            KqlType::Dynamic => TypedBuilder::Dynamic(StringBuilder::new()),
            KqlType::String => TypedBuilder::String(StringBuilder::new()),
            KqlType::Guid => TypedBuilder::Guid(StringBuilder::new()),
            KqlType::Bool => TypedBuilder::Bool(BooleanBuilder::new()),
            KqlType::Int => TypedBuilder::Int(Int32Builder::new()),
            KqlType::Long => TypedBuilder::Long(Int64Builder::new()),
            KqlType::Real => TypedBuilder::Real(Float64Builder::new()),
            KqlType::Decimal => TypedBuilder::Decimal(Decimal128Builder::new()),
            KqlType::Datetime => TypedBuilder::Datetime(TimestampNanosecondBuilder::new()),
            KqlType::Timespan => TypedBuilder::Timespan(DurationNanosecondBuilder::new()),
        }
    }

    /// A builder for about `n` values (string columns reserve their data buffer too).
    fn with_capacity(t: KqlType, n: usize) -> TypedBuilder {
        match t {
            KqlType::String => TypedBuilder::String(StringBuilder::with_capacity(n, n * 8)),
            _ => TypedBuilder::new(t),
        }
    }

    /// Appends a JSON element cast to the column's type (no parsing of strings into numbers:
    /// a value that isn't of the type becomes null; a string column gets "" for null).
    fn append_json(&mut self, v: Option<&Json>) {
        let v = v.filter(|v| !v.is_null());
        match self {
            TypedBuilder::Dynamic(b) => b.append_option(v.map(Json::to_string)),
            TypedBuilder::String(b) => b.append_value(v.map(json_to_string).unwrap_or_default()),
            TypedBuilder::Guid(b) => b.append_option(v.and_then(|v| match v {
                Json::String(s) => guid_text(s),
                _ => None,
            })),
            TypedBuilder::Bool(b) => b.append_option(v.and_then(Json::as_bool)),
            TypedBuilder::Int(b) => {
                b.append_option(v.and_then(json_to_long).and_then(|x| i32::try_from(x).ok()))
            }
            TypedBuilder::Long(b) => b.append_option(v.and_then(json_to_long)),
            TypedBuilder::Real(b) => b.append_option(v.and_then(Json::as_f64)),
            TypedBuilder::Decimal(b) => b.append_option(v.and_then(|v| match v {
                Json::Number(n) => decimal_text(&n.to_string()),
                _ => None,
            })),
            TypedBuilder::Datetime(b) => b.append_option(v.and_then(|v| match v {
                Json::String(s) => datetime_text(s),
                _ => None,
            })),
            TypedBuilder::Timespan(b) => b.append_option(v.and_then(|v| match v {
                Json::String(s) => timespan_text(s),
                _ => None,
            })),
        }
    }

    /// Appends captured text converted to the column's type; `false` (and a null, or "" for a
    /// string) when the text doesn't convert.
    fn append_text(&mut self, t: Option<&str>) -> bool {
        let Some(t) = t else {
            self.append_missing();
            return true;
        };
        match self {
            TypedBuilder::String(b) => {
                b.append_value(t);
                true
            }
            TypedBuilder::Dynamic(b) => {
                let j = serde_json::from_str::<Json>(t.trim())
                    .unwrap_or_else(|_| Json::String(t.to_string()));
                b.append_option((!j.is_null()).then(|| j.to_string()));
                true
            }
            TypedBuilder::Guid(b) => {
                let g = guid_text(t.trim());
                let ok = g.is_some();
                b.append_option(g);
                ok
            }
            TypedBuilder::Bool(b) => push_bool(b, bool_text(t)),
            TypedBuilder::Int(b) => push(b, long_text(t).and_then(|x| i32::try_from(x).ok())),
            TypedBuilder::Long(b) => push(b, long_text(t)),
            TypedBuilder::Real(b) => push(b, real_text(t)),
            TypedBuilder::Decimal(b) => push(b, decimal_text(t.trim())),
            TypedBuilder::Datetime(b) => push(b, datetime_text(t)),
            TypedBuilder::Timespan(b) => push(b, timespan_text(t)),
        }
    }

    /// A missing value: "" for string, null otherwise.
    fn append_missing(&mut self) {
        match self {
            TypedBuilder::String(b) => b.append_value(""),
            TypedBuilder::Dynamic(b) | TypedBuilder::Guid(b) => b.append_null(),
            TypedBuilder::Bool(b) => b.append_null(),
            TypedBuilder::Int(b) => b.append_null(),
            TypedBuilder::Long(b) => b.append_null(),
            TypedBuilder::Real(b) => b.append_null(),
            TypedBuilder::Decimal(b) => b.append_null(),
            TypedBuilder::Datetime(b) => b.append_null(),
            TypedBuilder::Timespan(b) => b.append_null(),
        }
    }

    fn finish(self) -> Result<ArrayRef> {
        Ok(match self {
            TypedBuilder::Dynamic(mut b)
            | TypedBuilder::String(mut b)
            | TypedBuilder::Guid(mut b) => Arc::new(b.finish()),
            TypedBuilder::Bool(mut b) => Arc::new(b.finish()),
            TypedBuilder::Int(mut b) => Arc::new(b.finish()),
            TypedBuilder::Long(mut b) => Arc::new(b.finish()),
            TypedBuilder::Real(mut b) => Arc::new(b.finish()),
            TypedBuilder::Decimal(mut b) => Arc::new(b.finish().with_precision_and_scale(38, 18)?),
            TypedBuilder::Datetime(mut b) => Arc::new(b.finish().with_timezone("UTC")),
            TypedBuilder::Timespan(mut b) => Arc::new(b.finish()),
        })
    }
}

/// Appends `v` (null when `None`); whether there was a value.
fn push<T: datafusion::arrow::datatypes::ArrowPrimitiveType>(
    b: &mut datafusion::arrow::array::PrimitiveBuilder<T>,
    v: Option<T::Native>,
) -> bool {
    let ok = v.is_some();
    b.append_option(v);
    ok
}

fn push_bool(b: &mut BooleanBuilder, v: Option<bool>) -> bool {
    let ok = v.is_some();
    b.append_option(v);
    ok
}

/// A dynamic element as a string: a JSON string's contents, else its JSON text.
fn json_to_string(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A JSON number as a long (reals truncate toward zero); other values are not longs.
pub fn json_to_long(v: &Json) -> Option<i64> {
    let Json::Number(n) = v else {
        return None;
    };
    n.as_i64().or_else(|| {
        let f = n.as_f64()?.trunc();
        // i64::MAX as f64 rounds up to 2^63, which is out of range
        const TWO_63: f64 = 9_223_372_036_854_775_808.0;
        (-TWO_63..TWO_63).contains(&f).then_some(f as i64)
    })
}

/// Integer text (optional sign, surrounding whitespace).
pub fn long_text(t: &str) -> Option<i64> {
    let t = t.trim();
    t.strip_prefix('+').unwrap_or(t).parse().ok()
}

/// Real text (`1.5`, `-3`, `1e5`, `NaN`, `Infinity`).
pub fn real_text(t: &str) -> Option<f64> {
    let t = t.trim();
    match t {
        "NaN" => Some(f64::NAN),
        "Infinity" | "+Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ if t.bytes().any(|b| b.is_ascii_digit())
            && t.bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E')) =>
        {
            t.parse().ok()
        }
        _ => None,
    }
}

/// `true`/`false` (any case) or an integer (non-zero is true).
pub fn bool_text(t: &str) -> Option<bool> {
    let t = t.trim();
    if t.eq_ignore_ascii_case("true") {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        long_text(t).map(|x| x != 0)
    }
}

/// A guid's canonical (lower-case) text, if `t` is one (`8-4-4-4-12` hex digits).
pub fn guid_text(t: &str) -> Option<String> {
    let groups: Vec<&str> = t.split('-').collect();
    let lens = [8, 4, 4, 4, 12];
    (groups.len() == 5
        && groups
            .iter()
            .zip(lens)
            .all(|(g, l)| g.len() == l && g.bytes().all(|b| b.is_ascii_hexdigit())))
    .then(|| t.to_ascii_lowercase())
}

/// Decimal text → Decimal128(38, 18) units.
pub fn decimal_text(t: &str) -> Option<i128> {
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (mantissa, exp) = match t.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (t, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let digits = format!("{int}{frac}");
    // value = digits × 10^(exp − frac.len()); stored × 10^18
    let shift = 18 + exp - frac.len() as i32;
    let mut v: i128 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    if shift >= 0 {
        v = v.checked_mul(10i128.checked_pow(shift as u32)?)?;
    } else {
        v /= 10i128.checked_pow((-shift) as u32)?;
    }
    Some(if neg { -v } else { v })
}

/// Datetime text → Unix nanoseconds: the KQL literal formats, plus US `M/d/yyyy[ H:mm[:ss[.f]]]
/// [AM|PM]` (as in the parse-operator docs' `02/17/2016 08:40:01`).
pub fn datetime_text(t: &str) -> Option<i64> {
    let t = t.trim();
    kql_parser::datetime::parse_datetime(t)
        .and_then(kql_functions::types::ticks_to_unix_nanos)
        .or_else(|| us_datetime(t))
}

fn us_datetime(t: &str) -> Option<i64> {
    let (date, time) = match t.split_once(' ') {
        Some((d, r)) => (d, r.trim()),
        None => (t, ""),
    };
    let parts: Vec<&str> = date.split('/').collect();
    let [m, d, y] = parts.as_slice() else {
        return None;
    };
    let num = |s: &str, max_len: usize| -> Option<u32> {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (month, day, year) = (num(m, 2)?, num(d, 2)?, num(y, 4)?);
    if y.len() != 4 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let mut nanos_of_day: i64 = 0;
    if !time.is_empty() {
        let (clock, ampm) = match time.rsplit_once(' ') {
            Some((c, ap)) if ap.eq_ignore_ascii_case("AM") || ap.eq_ignore_ascii_case("PM") => {
                (c.trim(), Some(ap.eq_ignore_ascii_case("PM")))
            }
            _ => (time, None),
        };
        let hms: Vec<&str> = clock.split(':').collect();
        if hms.len() < 2 || hms.len() > 3 {
            return None;
        }
        let mut h = num(hms[0], 2)?;
        let mi = num(hms[1], 2)?;
        let (s, frac) = match hms.get(2) {
            Some(sec) => {
                let (s, f) = sec.split_once('.').unwrap_or((sec, ""));
                (num(s, 2)?, f)
            }
            None => (0, ""),
        };
        if let Some(pm) = ampm {
            if !(1..=12).contains(&h) {
                return None;
            }
            h = h % 12 + if pm { 12 } else { 0 };
        }
        if h > 23 || mi > 59 || s > 59 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut frac_nanos: i64 = 0;
        for (i, b) in frac.bytes().take(9).enumerate() {
            frac_nanos += i64::from(b - b'0') * 10i64.pow(8 - i as u32);
        }
        nanos_of_day =
            (i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s)) * 1_000_000_000 + frac_nanos;
    }
    let days = kql_functions::format::days_from_civil(i64::from(year), month, day);
    days.checked_mul(86_400_000_000_000)?
        .checked_add(nanos_of_day)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 31,
    }
}

/// Timespan text → nanoseconds: `[-][d.]hh:mm[:ss[.fffffff]]`, or a number with a unit
/// (`2d`, `1.5h`, `30m`, `10s`, `100ms`, `10microsecond`, `5tick`; no unit = days).
pub fn timespan_text(t: &str) -> Option<i64> {
    const NS: i128 = 1_000_000_000;
    let t = t.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let digits = |s: &str| -> Option<i128> {
        (!s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    // fraction digits of one `unit` (in ns), at most 9 digits counted
    let fraction = |f: &str, unit: i128| -> Option<i128> {
        if !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut num: i128 = 0;
        let mut den: i128 = 1;
        for b in f.bytes().take(18) {
            num = num * 10 + i128::from(b - b'0');
            den *= 10;
        }
        Some(num * unit / den)
    };
    let total: i128 = if let Some(colon) = t.find(':') {
        let (days, rest) = match t.find('.') {
            Some(dot) if dot < colon => (digits(&t[..dot])?, &t[dot + 1..]),
            _ => (0, t),
        };
        let parts: Vec<&str> = rest.split(':').collect();
        if parts.len() < 2 || parts.len() > 3 {
            return None;
        }
        let mut total =
            days * 86_400 * NS + digits(parts[0])? * 3_600 * NS + digits(parts[1])? * 60 * NS;
        if let Some(sec) = parts.get(2) {
            let (s, f) = sec.split_once('.').unwrap_or((sec, ""));
            total += digits(s)? * NS + fraction(f, NS)?;
        }
        total
    } else {
        let end = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (num, unit) = (&t[..end], t[end..].trim());
        let unit_ns: i128 = match unit.to_ascii_lowercase().as_str() {
            "" | "d" | "day" | "days" => 86_400 * NS,
            "h" | "hr" | "hrs" | "hour" | "hours" => 3_600 * NS,
            "m" | "min" | "minute" | "minutes" => 60 * NS,
            "s" | "sec" | "second" | "seconds" => NS,
            "ms" | "milli" | "millis" | "millisecond" | "milliseconds" => 1_000_000,
            "microsecond" | "microseconds" | "micro" | "micros" => 1_000,
            "tick" | "ticks" => 100,
            _ => return None,
        };
        let (i, f) = num.split_once('.').unwrap_or((num, ""));
        let whole = if i.is_empty() && !f.is_empty() {
            0
        } else {
            digits(i)?
        };
        whole * unit_ns + fraction(f, unit_ns)?
    };
    i64::try_from(if neg { -total } else { total }).ok()
}

// ---------------------------------------------------------------------------------------------
// parse / parse-where: one regex match per row, typed captures

/// The configuration of one `parse`: the full regex (anchors and flags included) with exactly
/// one capture group per column, in column order, and the columns' KQL types.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ParseSpec {
    pub regex: String,
    pub types: Vec<KqlType>,
    /// `kind=relaxed`: a capture that doesn't convert is null, the others are kept; otherwise
    /// one failed conversion fails the whole match.
    pub relaxed: bool,
}

/// The struct field telling whether the row parsed (for `parse-where`).
pub const PARSE_OK_FIELD: &str = "ok";

impl ParseSpec {
    fn struct_fields(&self) -> Fields {
        let mut fields: Vec<Field> = self
            .types
            .iter()
            .enumerate()
            .map(|(i, t)| Field::new(mv_field_name(i), storage_type(*t), true))
            .collect();
        fields.push(Field::new(PARSE_OK_FIELD, DataType::Boolean, false));
        Fields::from(fields)
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct ParseUdf {
    signature: Signature,
    spec: ParseSpec,
}

impl ScalarUDFImpl for ParseUdf {
    fn name(&self) -> &str {
        "kql_parse"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Struct(self.spec.struct_fields()))
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let Some(text) = args.args.first() else {
            return datafusion::common::exec_err!("kql_parse expects one argument");
        };
        let text = text.to_array(n)?;
        Ok(ColumnarValue::Array(parse_array(&self.spec, &text)?))
    }
}

/// `parse` of the string `text` as configured by `spec`: a struct of the typed captures
/// (`c0`, `c1`, ...) and [`PARSE_OK_FIELD`].
pub fn parse_text(spec: ParseSpec, text: Expr) -> Expr {
    let udf = ScalarUDF::from(ParseUdf {
        signature: Signature::any(1, Volatility::Immutable),
        spec,
    });
    Expr::ScalarFunction(ScalarFunction::new_udf(Arc::new(udf), vec![text]))
}

/// Checks that `pattern` compiles (with the regex engine `parse` uses).
pub fn check_regex(pattern: &str) -> std::result::Result<(), String> {
    let probe = StringArray::from(vec![""]);
    let pat = datafusion::arrow::array::Scalar::new(StringArray::from(vec![pattern]));
    datafusion::arrow::compute::regexp_match(&probe, &pat, None)
        .map(|_| ())
        .map_err(|e| {
            let m = e.to_string();
            match m.split_once("regex parse error:") {
                Some((_, rest)) => rest.trim().trim_end_matches(')').trim().to_string(),
                None => m,
            }
        })
}

/// Does captured text convert to `t`?
fn text_converts(t: KqlType, s: &str) -> bool {
    match t {
        KqlType::String | KqlType::Dynamic => true,
        KqlType::Guid => guid_text(s.trim()).is_some(),
        KqlType::Bool => bool_text(s).is_some(),
        KqlType::Int => long_text(s).and_then(|x| i32::try_from(x).ok()).is_some(),
        KqlType::Long => long_text(s).is_some(),
        KqlType::Real => real_text(s).is_some(),
        KqlType::Decimal => decimal_text(s.trim()).is_some(),
        KqlType::Datetime => datetime_text(s).is_some(),
        KqlType::Timespan => timespan_text(s).is_some(),
    }
}

fn parse_array(spec: &ParseSpec, text: &ArrayRef) -> Result<ArrayRef> {
    let s = datafusion::arrow::compute::cast(text, &DataType::Utf8)?;
    let s = as_string_array(&s)?;
    // KQL strings are never null: a null reads as ""
    let s: StringArray = if s.null_count() > 0 {
        (0..s.len())
            .map(|i| Some(if s.is_null(i) { "" } else { s.value(i) }))
            .collect()
    } else {
        s.clone()
    };
    let pat = datafusion::arrow::array::Scalar::new(StringArray::from(vec![spec.regex.as_str()]));
    let matches = datafusion::arrow::compute::regexp_match(&s, &pat, None)?;
    let Some(matches) = matches.as_any().downcast_ref::<ListArray>() else {
        return datafusion::common::exec_err!("kql_parse: unexpected regexp_match result");
    };
    let mut builders: Vec<TypedBuilder> =
        spec.types.iter().map(|t| TypedBuilder::new(*t)).collect();
    let mut ok = BooleanBuilder::new();
    for row in 0..s.len() {
        let groups = (!matches.is_null(row)).then(|| matches.value(row));
        let groups = groups
            .as_ref()
            .and_then(|g| g.as_any().downcast_ref::<StringArray>())
            .filter(|g| spec.types.is_empty() || g.len() == spec.types.len());
        let Some(groups) = groups else {
            for b in &mut builders {
                b.append_missing();
            }
            ok.append_value(false);
            continue;
        };
        if spec.relaxed {
            for (i, b) in builders.iter_mut().enumerate() {
                b.append_text(Some(groups.value(i)));
            }
            ok.append_value(true);
            continue;
        }
        // strict: every capture must convert, else the row doesn't match
        let all = spec
            .types
            .iter()
            .enumerate()
            .all(|(i, t)| text_converts(*t, groups.value(i)));
        for (i, b) in builders.iter_mut().enumerate() {
            if all {
                b.append_text(Some(groups.value(i)));
            } else {
                b.append_missing();
            }
        }
        ok.append_value(all);
    }
    let mut children: Vec<ArrayRef> = Vec::with_capacity(builders.len() + 1);
    for b in builders {
        children.push(b.finish()?);
    }
    children.push(Arc::new(ok.finish()));
    Ok(Arc::new(StructArray::try_new(
        spec.struct_fields(),
        children,
        None,
    )?))
}

#[cfg(test)]
mod mv_expand_and_parse_tests {
    use super::*;
    use datafusion::arrow::array::{
        AsArray, DurationNanosecondArray, Float64Array, Int32Array, TimestampNanosecondArray,
    };
    use datafusion::arrow::datatypes::Float64Type;

    fn json(s: &str) -> Json {
        serde_json::from_str(s).unwrap()
    }

    fn texts(values: &[Option<&str>]) -> ArrayRef {
        Arc::new(StringArray::from(values.to_vec()))
    }

    /// The unnested struct rows of an mv-expand result, with each input row's count.
    fn expand(spec: &MvExpandSpec, arrays: &[ArrayRef], n: usize) -> (Vec<usize>, StructArray) {
        let out = mv_expand_arrays(spec, arrays, n).unwrap();
        let list = out.as_list::<i32>();
        let counts = (0..n).map(|i| list.value_length(i) as usize).collect();
        (counts, list.values().as_struct().clone())
    }

    fn strings_of(a: &ArrayRef) -> Vec<Option<String>> {
        let s = as_string_array(a).unwrap();
        (0..s.len())
            .map(|i| (!s.is_null(i)).then(|| s.value(i).to_string()))
            .collect()
    }

    #[test]
    fn elements_of_arrays_bags_nulls_and_scalars() {
        assert_eq!(
            mv_elements(json("[1, \"a\", [2]]"), BagExpansion::Bag),
            vec![json("1"), json("\"a\""), json("[2]")]
        );
        assert_eq!(
            mv_elements(json(r#"{"p":1,"q":"x"}"#), BagExpansion::Bag),
            vec![json(r#"{"p":1}"#), json(r#"{"q":"x"}"#)]
        );
        assert_eq!(
            mv_elements(json(r#"{"p":1,"q":"x"}"#), BagExpansion::Array),
            vec![json(r#"["p",1]"#), json(r#"["q","x"]"#)]
        );
        assert_eq!(mv_elements(Json::Null, BagExpansion::Bag), vec![Json::Null]);
        assert!(mv_elements(json("[]"), BagExpansion::Bag).is_empty());
        assert!(mv_elements(json("{}"), BagExpansion::Bag).is_empty());
        assert_eq!(mv_elements(json("5"), BagExpansion::Bag), vec![json("5")]);
    }

    #[test]
    fn lock_step_pads_with_null_and_counts_rows() {
        let spec = MvExpandSpec {
            types: vec![KqlType::Dynamic, KqlType::Dynamic],
            bag: BagExpansion::Bag,
            limit: None,
            with_index: true,
        };
        let a = texts(&[Some("[1,2,3]"), Some("[]"), None, Some("[]")]);
        let b = texts(&[Some("[\"x\"]"), Some("[7]"), Some("[5]"), Some("[]")]);
        let (counts, rows) = expand(&spec, &[a, b], 4);
        // row 3 (both empty) gives no row; row 2 (null) gives one null
        assert_eq!(counts, vec![3, 1, 1, 0]);
        assert_eq!(
            strings_of(rows.column(0)),
            vec![
                Some("1".into()),
                Some("2".into()),
                Some("3".into()),
                None,
                None
            ]
        );
        assert_eq!(
            strings_of(rows.column(1)),
            vec![
                Some("\"x\"".into()),
                None,
                None,
                Some("7".into()),
                Some("5".into())
            ]
        );
        let idx = rows
            .column(2)
            .as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        assert_eq!(idx.values().to_vec(), vec![0, 1, 2, 0, 0]);
    }

    #[test]
    fn limit_caps_rows_per_input_row() {
        let spec = MvExpandSpec {
            types: vec![KqlType::Long],
            bag: BagExpansion::Bag,
            limit: Some(2),
            with_index: false,
        };
        let (counts, rows) = expand(&spec, &[texts(&[Some("[1,2,3]"), Some("[4]")])], 2);
        assert_eq!(counts, vec![2, 1]);
        let v = rows
            .column(0)
            .as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        assert_eq!(v.values().to_vec(), vec![1, 2, 4]);
    }

    #[test]
    fn typed_elements_are_cast_not_parsed() {
        let spec = MvExpandSpec {
            types: vec![
                KqlType::Long,
                KqlType::Real,
                KqlType::String,
                KqlType::Datetime,
                KqlType::Timespan,
                KqlType::Int,
                KqlType::Bool,
            ],
            bag: BagExpansion::Bag,
            limit: None,
            with_index: false,
        };
        let arrays = [
            texts(&[Some(r#"[1, "2", 2.9]"#)]),
            texts(&[Some(r#"[1, 2.5, "3"]"#)]),
            texts(&[Some(r#"["a", 5, null]"#)]),
            texts(&[Some(r#"["2017-01-01T00:00:00Z", 5]"#)]),
            texts(&[Some(r#"["01:30:00", "1.00:00:00"]"#)]),
            texts(&[Some("[3000000000, 7]")]),
            texts(&[Some("[true, 1]")]),
        ];
        let (counts, rows) = expand(&spec, &arrays, 1);
        assert_eq!(counts, vec![3]);
        let longs = rows
            .column(0)
            .as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        assert_eq!(
            longs.iter().collect::<Vec<_>>(),
            vec![Some(1), None, Some(2)]
        );
        let reals = rows
            .column(1)
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap();
        assert_eq!(
            reals.iter().collect::<Vec<_>>(),
            vec![Some(1.0), Some(2.5), None]
        );
        assert_eq!(
            strings_of(rows.column(2)),
            vec![Some("a".into()), Some("5".into()), Some(String::new())]
        );
        let dt = rows
            .column(3)
            .as_any()
            .downcast_ref::<TimestampNanosecondArray>()
            .unwrap();
        // 2017-01-01 is 17_167 days after 1970-01-01
        assert_eq!(
            dt.iter().collect::<Vec<_>>(),
            vec![Some(17_167 * 86_400 * 1_000_000_000), None, None]
        );
        assert_eq!(
            rows.column(3).data_type(),
            &kql_functions::types::datetime_type()
        );
        let ts = rows
            .column(4)
            .as_any()
            .downcast_ref::<DurationNanosecondArray>()
            .unwrap();
        assert_eq!(
            ts.iter().collect::<Vec<_>>(),
            vec![Some(5_400_000_000_000), Some(86_400_000_000_000), None]
        );
        let ints = rows
            .column(5)
            .as_any()
            .downcast_ref::<Int32Array>()
            .unwrap();
        assert_eq!(ints.iter().collect::<Vec<_>>(), vec![None, Some(7), None]);
        let bools = rows.column(6).as_boolean();
        assert_eq!(
            bools.iter().collect::<Vec<_>>(),
            vec![Some(true), None, None]
        );
    }

    #[test]
    fn arrow_lists_expand_like_json_arrays() {
        let list =
            datafusion::arrow::array::ListArray::from_iter_primitive::<Float64Type, _, _>(vec![
                Some(vec![Some(1.5), Some(2.0)]),
                None,
            ]);
        let spec = MvExpandSpec {
            types: vec![KqlType::Real],
            bag: BagExpansion::Bag,
            limit: None,
            with_index: false,
        };
        let (counts, rows) = expand(&spec, &[Arc::new(list)], 2);
        assert_eq!(counts, vec![2, 1]);
        let reals = rows
            .column(0)
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap();
        assert_eq!(
            reals.iter().collect::<Vec<_>>(),
            vec![Some(1.5), Some(2.0), None]
        );
    }

    fn parse_rows(spec: &ParseSpec, input: &[Option<&str>]) -> StructArray {
        parse_array(spec, &texts(input))
            .unwrap()
            .as_struct()
            .clone()
    }

    #[test]
    fn strict_parse_fails_the_whole_row() {
        let spec = ParseSpec {
            regex: r"(?s)\Auser=(.*?) id=(-?\d+)\z".to_string(),
            types: vec![KqlType::String, KqlType::Long],
            relaxed: false,
        };
        let rows = parse_rows(&spec, &[Some("user=al id=7"), Some("user=x id=y"), None]);
        assert_eq!(
            strings_of(rows.column(0)),
            vec![Some("al".into()), Some(String::new()), Some(String::new())]
        );
        let ids = rows
            .column(1)
            .as_primitive::<datafusion::arrow::datatypes::Int64Type>();
        assert_eq!(ids.iter().collect::<Vec<_>>(), vec![Some(7), None, None]);
        let ok = rows.column(2).as_boolean();
        assert_eq!(
            ok.iter().collect::<Vec<_>>(),
            vec![Some(true), Some(false), Some(false)]
        );
    }

    #[test]
    fn strict_parse_checks_conversions_and_relaxed_keeps_the_rest() {
        let mut spec = ParseSpec {
            regex: r"(?s)\A(.*?),(.*?)\z".to_string(),
            types: vec![KqlType::String, KqlType::Datetime],
            relaxed: false,
        };
        let input = [Some("a,02/17/2016 08:40:01"), Some("b,not a date")];
        let rows = parse_rows(&spec, &input);
        assert_eq!(
            strings_of(rows.column(0)),
            vec![Some("a".into()), Some(String::new())]
        );
        assert_eq!(rows.column(1).null_count(), 1);
        spec.relaxed = true;
        let rows = parse_rows(&spec, &input);
        assert_eq!(
            strings_of(rows.column(0)),
            vec![Some("a".into()), Some("b".into())]
        );
        assert_eq!(rows.column(1).null_count(), 1);
        assert_eq!(
            rows.column(2).as_boolean().iter().collect::<Vec<_>>(),
            vec![Some(true), Some(true)]
        );
    }

    #[test]
    fn bad_regexes_are_reported() {
        assert!(check_regex(r"\A(a)\z").is_ok());
        assert!(check_regex("(").is_err());
    }

    #[test]
    fn text_conversions() {
        // 2016-02-17 is 16_848 days after 1970-01-01; 08:40:01 = 31_201 s
        let day = 16_848i64 * 86_400 * 1_000_000_000;
        assert_eq!(
            datetime_text("02/17/2016 08:40:01"),
            Some(day + 31_201 * 1_000_000_000)
        );
        assert_eq!(datetime_text("2/17/2016"), Some(day));
        assert_eq!(
            datetime_text("02/17/2016 08:40:01 PM"),
            Some(day + (31_201 + 12 * 3600) * 1_000_000_000)
        );
        assert_eq!(datetime_text("2016-02-17"), Some(day));
        assert_eq!(datetime_text("02/30/2016"), None);
        assert_eq!(datetime_text("nonValidDateTime"), None);
        assert_eq!(timespan_text("00:01:30"), Some(90_000_000_000));
        assert_eq!(timespan_text("-1.00:00:00.5"), Some(-86_400_500_000_000));
        assert_eq!(timespan_text("1.5h"), Some(5_400_000_000_000));
        assert_eq!(timespan_text("100ms"), Some(100_000_000));
        assert_eq!(timespan_text("abc"), None);
        assert_eq!(long_text(" +42 "), Some(42));
        assert_eq!(long_text("4x"), None);
        assert_eq!(real_text("-3.25"), Some(-3.25));
        assert_eq!(real_text("1e3"), Some(1000.0));
        assert_eq!(real_text("inf"), None);
        assert_eq!(bool_text("TRUE"), Some(true));
        assert_eq!(bool_text("0"), Some(false));
        assert_eq!(bool_text("yes"), None);
        assert_eq!(
            guid_text("0C83C1C3-3A2C-4D15-B8B2-9E9F4AB8B2E9").as_deref(),
            Some("0c83c1c3-3a2c-4d15-b8b2-9e9f4ab8b2e9")
        );
        assert_eq!(guid_text("0C83C1C3-3A2C"), None);
        let unit = 10i128.pow(18);
        assert_eq!(decimal_text("1.25"), Some(125 * unit / 100));
        assert_eq!(decimal_text("-2"), Some(-2 * unit));
        assert_eq!(decimal_text("1e2"), Some(100 * unit));
        assert_eq!(decimal_text("x"), None);
        assert_eq!(json_to_long(&json("2.9")), Some(2));
        assert_eq!(json_to_long(&json("-2.9")), Some(-2));
        assert_eq!(json_to_long(&json("\"2\"")), None);
    }
}
