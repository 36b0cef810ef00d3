//! Our own scalar UDFs (one `ScalarUDFImpl`, [`KqlUdf`], dispatching on [`Op`]).
//!
//! The UDFs accept any argument types (`Signature::variadic_any`): the lowering in
//! `crate::scalar` casts arguments to the types each op expects (Utf8, Int64, Float64,
//! Timestamp(ns, UTC), Duration(ns)), so the kernels here only read those forms. String
//! inputs are read through a cast to Utf8, or in place when they are string views ([`Text`],
//! for the kernels `kql_lift_view_casts` passes views to), and a null string reads as ""
//! (KQL strings are never null).

mod bin;
pub(crate) mod buildschema;
mod convert;
pub(crate) mod covariance;
pub mod datetime_fn;
mod encoding;
pub mod ext;
mod has;
mod hash;
pub(crate) mod ip;
mod json;
pub mod misc_ops;
pub mod op_udf;
pub mod percentile;
pub(crate) mod special;
mod text;
mod time;
pub(crate) mod weighted_percentile;

pub use has::{HasKind, has_match};

use crate::types::datetime_type;
use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, Float64Array, Int64Array, StringArray, StringViewArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::Arc;

/// Target types of the string/dynamic → scalar conversions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConvTarget {
    Int,
    Long,
    Real,
    Bool,
    Datetime,
    Timespan,
}

/// Units of `startof*` / `endof*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Period {
    Day,
    Week,
    Month,
    Year,
}

/// Datetime parts returned as int.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    Year,
    Month,
    DayOfMonth,
    DayOfYear,
    Hour,
    Minute,
    Second,
    WeekOfYear,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrimKind {
    Both,
    Start,
    End,
}

/// The operations of [`KqlUdf`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// `bin(value, size)`: Int64/Float64/Duration/Timestamp value, size of the matching kind.
    Bin,
    /// `bin_at(value, size, origin)`.
    BinAt,
    /// Non-string value → KQL text.
    ToString,
    /// Dynamic JSON text → KQL text (`tostring(dynamic)`).
    DynamicToString,
    /// Utf8 (string, or dynamic JSON text when `dynamic`) → target type.
    Convert { target: ConvTarget, dynamic: bool },
    /// Utf8 → normalised JSON text (invalid JSON → a JSON string).
    ParseJson,
    /// `split(s, delim [, index])` → JSON array text.
    Split,
    /// `extract(regex, group, s)` → Utf8 ("" when no match).
    Extract,
    /// `substring(s, start [, length])`.
    Substring,
    /// `indexof(s, match, start, length, occurrence)` (all five given).
    IndexOf,
    /// `countof(s, search)` plain (overlapping) or regex (non-overlapping).
    CountOf { regex: bool },
    /// `trim*(regex, s)`.
    Trim(TrimKind),
    /// Term matching for `has`, `hasprefix`, `hassuffix` (+ `_cs`).
    Has { kind: HasKind, case_sensitive: bool },
    /// `startof*(ts, offset)` (`end = false`) / `endof*(ts, offset)`.
    StartOf { period: Period, end: bool },
    /// A datetime part as Int32.
    DatePart(Part),
    /// `dayofweek(ts)`: timespan since the preceding Sunday.
    DayOfWeek,
    /// `make_list`/`make_set` results: List → JSON array text (arg 1: max size, arg 2: whether
    /// Utf8 elements are dynamic JSON text).
    ListToJson,
    /// `array_length(dynamic)` → Int64 (null when not an array).
    ArrayLength,
    /// `dynamic[key]` / `dynamic.key` / `dynamic[index]` → JSON text (null when missing).
    DynamicGet,
}

impl Op {
    fn name(&self) -> &'static str {
        use HasKind::*;
        match self {
            Op::Bin => "kql_bin",
            Op::BinAt => "kql_bin_at",
            Op::ToString => "kql_tostring",
            Op::DynamicToString => "kql_dynamic_tostring",
            Op::Convert { target, dynamic } => match (target, dynamic) {
                (ConvTarget::Int, false) => "kql_toint",
                (ConvTarget::Long, false) => "kql_tolong",
                (ConvTarget::Real, false) => "kql_toreal",
                (ConvTarget::Bool, false) => "kql_tobool",
                (ConvTarget::Datetime, false) => "kql_todatetime",
                (ConvTarget::Timespan, false) => "kql_totimespan",
                (ConvTarget::Int, true) => "kql_dynamic_toint",
                (ConvTarget::Long, true) => "kql_dynamic_tolong",
                (ConvTarget::Real, true) => "kql_dynamic_toreal",
                (ConvTarget::Bool, true) => "kql_dynamic_tobool",
                (ConvTarget::Datetime, true) => "kql_dynamic_todatetime",
                (ConvTarget::Timespan, true) => "kql_dynamic_totimespan",
            },
            Op::ParseJson => "kql_parse_json",
            Op::Split => "kql_split",
            Op::Extract => "kql_extract",
            Op::Substring => "kql_substring",
            Op::IndexOf => "kql_indexof",
            Op::CountOf { regex: false } => "kql_countof",
            Op::CountOf { regex: true } => "kql_countof_regex",
            Op::Trim(TrimKind::Both) => "kql_trim",
            Op::Trim(TrimKind::Start) => "kql_trim_start",
            Op::Trim(TrimKind::End) => "kql_trim_end",
            Op::Has {
                kind,
                case_sensitive,
            } => match (kind, case_sensitive) {
                (Term, false) => "kql_has",
                (Term, true) => "kql_has_cs",
                (Prefix, false) => "kql_hasprefix",
                (Prefix, true) => "kql_hasprefix_cs",
                (Suffix, false) => "kql_hassuffix",
                (Suffix, true) => "kql_hassuffix_cs",
            },
            Op::StartOf { period, end } => match (period, end) {
                (Period::Day, false) => "kql_startofday",
                (Period::Week, false) => "kql_startofweek",
                (Period::Month, false) => "kql_startofmonth",
                (Period::Year, false) => "kql_startofyear",
                (Period::Day, true) => "kql_endofday",
                (Period::Week, true) => "kql_endofweek",
                (Period::Month, true) => "kql_endofmonth",
                (Period::Year, true) => "kql_endofyear",
            },
            Op::DatePart(p) => match p {
                Part::Year => "kql_getyear",
                Part::Month => "kql_getmonth",
                Part::DayOfMonth => "kql_dayofmonth",
                Part::DayOfYear => "kql_dayofyear",
                Part::Hour => "kql_hourofday",
                Part::Minute => "kql_minuteofhour",
                Part::Second => "kql_secondofminute",
                Part::WeekOfYear => "kql_week_of_year",
            },
            Op::DayOfWeek => "kql_dayofweek",
            Op::ListToJson => "kql_list_to_json",
            Op::ArrayLength => "kql_array_length",
            Op::DynamicGet => "kql_dynamic_get",
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self {
            Op::Bin | Op::BinAt => match arg_types.first() {
                Some(t) => t.clone(),
                None => return exec_err!("kql_bin needs arguments"),
            },
            Op::Convert { target, .. } => match target {
                ConvTarget::Int => DataType::Int32,
                ConvTarget::Long => DataType::Int64,
                ConvTarget::Real => DataType::Float64,
                ConvTarget::Bool => DataType::Boolean,
                ConvTarget::Datetime => datetime_type(),
                ConvTarget::Timespan => DataType::Duration(TimeUnit::Nanosecond),
            },
            Op::IndexOf | Op::CountOf { .. } | Op::ArrayLength => DataType::Int64,
            Op::Has { .. } => DataType::Boolean,
            Op::StartOf { .. } => datetime_type(),
            Op::DatePart(_) => DataType::Int32,
            Op::DayOfWeek => DataType::Duration(TimeUnit::Nanosecond),
            Op::ToString
            | Op::DynamicToString
            | Op::ParseJson
            | Op::Split
            | Op::Extract
            | Op::Substring
            | Op::Trim(_)
            | Op::ListToJson
            | Op::DynamicGet => DataType::Utf8,
        })
    }
}

/// A KQL scalar UDF.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct KqlUdf {
    op: Op,
    signature: Signature,
}

impl KqlUdf {
    pub fn new(op: Op) -> Self {
        KqlUdf {
            op,
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }
}

/// The `ScalarUDF` for `op`.
pub fn udf(op: Op) -> ScalarUDF {
    ScalarUDF::from(KqlUdf::new(op))
}

/// A call of the UDF for `op`.
pub fn call(op: Op, args: Vec<Expr>) -> Expr {
    Arc::new(udf(op)).call(args)
}

impl ScalarUDFImpl for KqlUdf {
    fn name(&self) -> &str {
        self.op.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        self.op.return_type(arg_types)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let all_scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        // a scalar argument (e.g. a literal needle or pattern) lets kernels precompute
        let scalar_args: Vec<Option<ScalarValue>> = args
            .args
            .iter()
            .map(|a| match a {
                ColumnarValue::Scalar(s) => Some(s.clone()),
                ColumnarValue::Array(_) => None,
            })
            .collect();
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let ret = args.return_type().clone();
        let out = self.eval(&arrays, &scalar_args, &ret)?;
        if all_scalar && out.len() == 1 {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
        } else {
            Ok(ColumnarValue::Array(out))
        }
    }
}

impl KqlUdf {
    fn eval(&self, a: &[ArrayRef], s: &[Option<ScalarValue>], ret: &DataType) -> Result<ArrayRef> {
        let need = |n: usize| -> Result<()> {
            if a.len() < n {
                return exec_err!("{} expects {n} arguments, got {}", self.op.name(), a.len());
            }
            Ok(())
        };
        match self.op {
            Op::Bin => {
                need(2)?;
                bin::bin(&a[0], &a[1], None, ret)
            }
            Op::BinAt => {
                need(3)?;
                bin::bin(&a[0], &a[1], Some(&a[2]), ret)
            }
            Op::ToString => {
                need(1)?;
                convert::to_string(&a[0])
            }
            Op::DynamicToString => {
                need(1)?;
                let v = strings(&a[0])?;
                Ok(map_str_to_str(&v, |x| {
                    Some(crate::format::dynamic_to_string(x))
                }))
            }
            Op::Convert { target, dynamic } => {
                need(1)?;
                convert::convert(&a[0], target, dynamic)
            }
            Op::ParseJson => {
                need(1)?;
                json::parse_json(&a[0])
            }
            Op::Split => {
                need(2)?;
                text::split(&a[0], &a[1], a.get(2))
            }
            Op::Extract => {
                need(3)?;
                text::extract(&a[0], s[0].as_ref(), &a[1], &a[2])
            }
            Op::Substring => {
                need(2)?;
                text::substring(&a[0], &a[1], a.get(2))
            }
            Op::IndexOf => {
                need(5)?;
                text::indexof(&a[0], &a[1], &a[2], &a[3], &a[4])
            }
            Op::CountOf { regex } => {
                need(2)?;
                text::countof(&a[0], &a[1], s[1].as_ref(), regex)
            }
            Op::Trim(kind) => {
                need(2)?;
                text::trim(&a[0], s[0].as_ref(), &a[1], kind)
            }
            Op::Has {
                kind,
                case_sensitive,
            } => {
                need(2)?;
                has::has(&a[0], &a[1], s[1].as_ref(), kind, case_sensitive)
            }
            Op::StartOf { period, end } => {
                need(1)?;
                time::start_of(&a[0], a.get(1), period, end)
            }
            Op::DatePart(p) => {
                need(1)?;
                time::date_part(&a[0], p)
            }
            Op::DayOfWeek => {
                need(1)?;
                time::day_of_week(&a[0])
            }
            Op::ListToJson => {
                need(3)?;
                json::list_to_json(&a[0], &a[1], &a[2])
            }
            Op::ArrayLength => {
                need(1)?;
                json::array_length(&a[0])
            }
            Op::DynamicGet => {
                need(2)?;
                json::dynamic_get(&a[0], &a[1])
            }
        }
    }
}

// ---- helpers shared by the kernels ----

/// The array as Utf8 (null type and other string types are cast).
pub(crate) fn strings(a: &ArrayRef) -> Result<StringArray> {
    let c = cast(a, &DataType::Utf8)?;
    match c.as_any().downcast_ref::<StringArray>() {
        Some(s) => Ok(s.clone()),
        None => exec_err!("expected a string array"),
    }
}

/// A string argument read where it lies: plain strings, or the string views a Parquet scan
/// produces (read in place, with no copy into a plain array). Other types are cast to Utf8.
#[derive(Debug, Clone)]
pub enum Text {
    Plain(StringArray),
    View(StringViewArray),
}

impl Text {
    pub fn new(a: &ArrayRef) -> Result<Text> {
        Ok(match a.as_any().downcast_ref::<StringViewArray>() {
            Some(v) => Text::View(v.clone()),
            None => Text::Plain(strings(a)?),
        })
    }

    pub fn len(&self) -> usize {
        match self {
            Text::Plain(a) => a.len(),
            Text::View(a) => a.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_null(&self, i: usize) -> bool {
        match self {
            Text::Plain(a) => a.is_null(i),
            Text::View(a) => a.is_null(i),
        }
    }

    /// The string at `i`, "" when null (KQL strings are never null).
    pub fn str_at(&self, i: usize) -> &str {
        match self {
            Text::Plain(a) => str_at(a, i),
            Text::View(a) => {
                if a.is_null(i) {
                    ""
                } else {
                    a.value(i)
                }
            }
        }
    }
}

/// The array as Int64.
pub(crate) fn longs(a: &ArrayRef) -> Result<Int64Array> {
    let c = cast(a, &DataType::Int64)?;
    match c.as_any().downcast_ref::<Int64Array>() {
        Some(s) => Ok(s.clone()),
        None => exec_err!("expected an Int64 array"),
    }
}

/// The array as Float64.
pub(crate) fn reals(a: &ArrayRef) -> Result<Float64Array> {
    let c = cast(a, &DataType::Float64)?;
    match c.as_any().downcast_ref::<Float64Array>() {
        Some(s) => Ok(s.clone()),
        None => exec_err!("expected a Float64 array"),
    }
}

/// The array as Boolean.
pub(crate) fn bools(a: &ArrayRef) -> Result<BooleanArray> {
    let c = cast(a, &DataType::Boolean)?;
    match c.as_any().downcast_ref::<BooleanArray>() {
        Some(s) => Ok(s.clone()),
        None => exec_err!("expected a Boolean array"),
    }
}

/// The string at `i`, "" when null.
pub(crate) fn str_at(a: &StringArray, i: usize) -> &str {
    if a.is_null(i) { "" } else { a.value(i) }
}

/// The long at `i`, or `None`.
pub(crate) fn long_at(a: &Int64Array, i: usize) -> Option<i64> {
    if a.is_null(i) { None } else { Some(a.value(i)) }
}

/// Applies `f` to each string (null reads as "").
pub(crate) fn map_str_to_str(a: &StringArray, f: impl Fn(&str) -> Option<String>) -> ArrayRef {
    let out: StringArray = (0..a.len()).map(|i| f(str_at(a, i))).collect();
    Arc::new(out)
}

/// The scalar's string value when it is a (non-null) string scalar.
pub(crate) fn scalar_str(s: Option<&ScalarValue>) -> Option<String> {
    match s {
        Some(ScalarValue::Utf8(Some(v)))
        | Some(ScalarValue::LargeUtf8(Some(v)))
        | Some(ScalarValue::Utf8View(Some(v))) => Some(v.clone()),
        Some(ScalarValue::Utf8(None))
        | Some(ScalarValue::LargeUtf8(None))
        | Some(ScalarValue::Utf8View(None)) => Some(String::new()),
        _ => None,
    }
}
