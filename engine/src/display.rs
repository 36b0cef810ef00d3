//! KQL-style rendering of values (shared by the CLI, the REPL and the test runner).
//!
//! Two renderings of one Arrow value:
//!
//! - [`format_value`]: text for tables, CSV and TSV. Null is the empty string; `bool` is
//!   `true`/`false`; `real` is the shortest text that round-trips, laid out like .NET's
//!   `double.ToString()` (Kusto's own formatting: `0.1`, `1E+15`, `1E-05`, `NaN`,
//!   `Infinity`, `-Infinity`); `datetime` is `2017-01-01T00:00:00Z`, with a 7-digit fraction
//!   only when it is non-zero (`2015-12-31T23:59:59.9000000Z`); `timespan` is
//!   `[-][d.]hh:mm:ss[.fffffff]`; `dynamic` is its compact JSON text, except that a JSON
//!   string shows its contents and JSON null nothing (as `tostring()` gives them).
//! - [`json_value`]: the value for `json`/`jsonl` output (DESIGN.md §7). Null is `null`; `int`
//!   and `long` are numbers; a finite `real` is a number and NaN/±inf the strings `"NaN"`,
//!   `"Infinity"`, `"-Infinity"`; `datetime` and `timespan` are strings as above; `decimal`
//!   is a string (its exact digits; JSON numbers would lose precision); `dynamic` is the JSON
//!   value itself.
//!
//! KQL's resolution is the tick (100 ns): sub-tick nanoseconds are not shown.

use crate::types::KqlType;
use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{
    ArrowDictionaryKeyType, DataType, Date32Type, Date64Type, Decimal32Type, Decimal64Type,
    Decimal128Type, Decimal256Type, DecimalType, DurationMicrosecondType, DurationMillisecondType,
    DurationNanosecondType, DurationSecondType, Field, Float16Type, Float32Type, Float64Type,
    Int8Type, Int16Type, Int32Type, Int64Type, IntervalDayTimeType, IntervalMonthDayNanoType,
    Time32MillisecondType, Time32SecondType, Time64MicrosecondType, Time64NanosecondType, TimeUnit,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use serde_json::Value as Json;

const NANOS_PER_SECOND: i128 = 1_000_000_000;
const NANOS_PER_TICK: i128 = 100;
const TICKS_PER_SECOND: i128 = 10_000_000;

/// The KQL text of `array[row]` (null → empty string). `field` describes `array` (its
/// metadata tells `dynamic` and `guid` apart from `string`).
pub fn format_value(array: &ArrayRef, row: usize, field: &Field) -> String {
    format_cell(value_of(array.as_ref(), row, field))
}

/// The JSON value of `array[row]` for `json`/`jsonl` output (DESIGN.md §7).
pub fn json_value(array: &ArrayRef, row: usize, field: &Field) -> Json {
    json_of(value_of(array.as_ref(), row, field))
}

/// A datetime (nanoseconds since the Unix epoch, UTC) as `2017-01-01T00:00:00Z`, with a
/// 7-digit fraction only when it is non-zero.
pub fn format_datetime_nanos(nanos: i64) -> String {
    format_datetime(i128::from(nanos))
}

/// A timespan in nanoseconds as `[-][d.]hh:mm:ss[.fffffff]`.
pub fn format_timespan_nanos(nanos: i64) -> String {
    format_timespan(i128::from(nanos))
}

/// A `real` the way Kusto (.NET `double.ToString()`) prints it: the shortest digits that
/// round-trip, in fixed notation unless the decimal exponent is below -5 or at least
/// max(15, number of digits), then `d.dddE+XX`.
pub fn format_real(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0" } else { "0" }.into();
    }
    // `{:e}` gives the shortest round-trip digits: "-1.2345e-7".
    let sci = format!("{v:e}");
    let (mantissa, exp) = match sci.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (sci.as_str(), 0),
    };
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let n = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    // .NET's "scale": where the decimal point goes relative to the digits.
    let scale = exp + 1;
    let mut out = String::with_capacity(digits.len() + 8);
    if neg {
        out.push('-');
    }
    if scale > n.max(15) || scale < -3 {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push_str(&format!(
            "E{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.unsigned_abs()
        ));
    } else if scale <= 0 {
        out.push_str("0.");
        for _ in 0..(-scale) {
            out.push('0');
        }
        out.push_str(&digits);
    } else if scale >= n {
        out.push_str(&digits);
        for _ in 0..(scale - n) {
            out.push('0');
        }
    } else {
        let split = usize::try_from(scale).unwrap_or(0);
        out.push_str(&digits[..split]);
        out.push('.');
        out.push_str(&digits[split..]);
    }
    out
}

/// One value, classified by how it renders.
enum Cell {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Real(f64),
    /// Exact decimal digits (trailing fractional zeros removed).
    Decimal(String),
    /// Already-formatted datetime or timespan text (a string in JSON).
    Time(String),
    Str(String),
    /// A `dynamic` stored as JSON text.
    DynamicText(String),
    /// A nested Arrow value (list, struct, map) as JSON.
    Json(Json),
}

fn format_cell(cell: Cell) -> String {
    match cell {
        Cell::Null => String::new(),
        Cell::Bool(b) => b.to_string(),
        Cell::Int(i) => i.to_string(),
        Cell::UInt(u) => u.to_string(),
        Cell::Real(f) => format_real(f),
        Cell::Decimal(s) | Cell::Time(s) | Cell::Str(s) => s,
        Cell::DynamicText(s) => dynamic_text(s),
        Cell::Json(Json::String(s)) => s,
        Cell::Json(j) => j.to_string(),
    }
}

fn json_of(cell: Cell) -> Json {
    match cell {
        Cell::Null => Json::Null,
        Cell::Bool(b) => Json::Bool(b),
        Cell::Int(i) => Json::from(i),
        Cell::UInt(u) => Json::from(u),
        Cell::Real(f) => json_real(f),
        Cell::Decimal(s) | Cell::Time(s) | Cell::Str(s) => Json::String(s),
        Cell::DynamicText(s) => serde_json::from_str(&s).unwrap_or(Json::String(s)),
        Cell::Json(j) => j,
    }
}

/// A dynamic's display text, as `tostring()` gives it: a JSON string shows its contents, JSON
/// null shows nothing, anything else its compact JSON text. Text that is not JSON is shown as
/// it is.
fn dynamic_text(s: String) -> String {
    match serde_json::from_str::<Json>(&s) {
        Ok(Json::String(inner)) => inner,
        Ok(Json::Null) => String::new(),
        Ok(v) => v.to_string(),
        Err(_) => s,
    }
}

fn json_real(f: f64) -> Json {
    match serde_json::Number::from_f64(f) {
        Some(n) => Json::Number(n),
        None => Json::String(format_real(f)),
    }
}

/// Fallback for Arrow types KQL has no rendering for: Arrow's own display.
fn arrow_text(array: &dyn Array, row: usize) -> Cell {
    let options = FormatOptions::default();
    match ArrayFormatter::try_new(array, &options).and_then(|f| f.value(row).try_to_string()) {
        Ok(s) => Cell::Str(s),
        Err(e) => Cell::Str(format!("<{e}>")),
    }
}

macro_rules! prim {
    ($array:expr, $row:expr, $t:ty) => {
        $array.as_primitive_opt::<$t>().map(|a| a.value($row))
    };
}

fn value_of(array: &dyn Array, row: usize, field: &Field) -> Cell {
    if row >= array.len() || array.is_null(row) {
        return Cell::Null;
    }
    let cell = match array.data_type() {
        DataType::Null => Some(Cell::Null),
        DataType::Boolean => array.as_boolean_opt().map(|a| Cell::Bool(a.value(row))),
        DataType::Int8 => prim!(array, row, Int8Type).map(|v| Cell::Int(v.into())),
        DataType::Int16 => prim!(array, row, Int16Type).map(|v| Cell::Int(v.into())),
        DataType::Int32 => prim!(array, row, Int32Type).map(|v| Cell::Int(v.into())),
        DataType::Int64 => prim!(array, row, Int64Type).map(Cell::Int),
        DataType::UInt8 => prim!(array, row, UInt8Type).map(|v| Cell::UInt(v.into())),
        DataType::UInt16 => prim!(array, row, UInt16Type).map(|v| Cell::UInt(v.into())),
        DataType::UInt32 => prim!(array, row, UInt32Type).map(|v| Cell::UInt(v.into())),
        DataType::UInt64 => prim!(array, row, UInt64Type).map(Cell::UInt),
        DataType::Float16 => prim!(array, row, Float16Type).map(|v| Cell::Real(v.to_f64())),
        // Widening f32 to f64 would print its binary noise (0.1f32 = 0.10000000149...);
        // the shortest f32 text parsed as f64 is what the value means.
        DataType::Float32 => prim!(array, row, Float32Type)
            .map(|v| Cell::Real(v.to_string().parse::<f64>().unwrap_or(f64::from(v)))),
        DataType::Float64 => prim!(array, row, Float64Type).map(Cell::Real),
        DataType::Decimal32(p, s) => {
            prim!(array, row, Decimal32Type).map(|v| decimal::<Decimal32Type>(v, *p, *s))
        }
        DataType::Decimal64(p, s) => {
            prim!(array, row, Decimal64Type).map(|v| decimal::<Decimal64Type>(v, *p, *s))
        }
        DataType::Decimal128(p, s) => {
            prim!(array, row, Decimal128Type).map(|v| decimal::<Decimal128Type>(v, *p, *s))
        }
        DataType::Decimal256(p, s) => {
            prim!(array, row, Decimal256Type).map(|v| decimal::<Decimal256Type>(v, *p, *s))
        }
        DataType::Timestamp(unit, _) => {
            let nanos = match unit {
                TimeUnit::Second => {
                    prim!(array, row, TimestampSecondType).map(|v| i128::from(v) * NANOS_PER_SECOND)
                }
                TimeUnit::Millisecond => {
                    prim!(array, row, TimestampMillisecondType).map(|v| i128::from(v) * 1_000_000)
                }
                TimeUnit::Microsecond => {
                    prim!(array, row, TimestampMicrosecondType).map(|v| i128::from(v) * 1_000)
                }
                TimeUnit::Nanosecond => prim!(array, row, TimestampNanosecondType).map(i128::from),
            };
            nanos.map(|n| Cell::Time(format_datetime(n)))
        }
        DataType::Date32 => prim!(array, row, Date32Type)
            .map(|d| Cell::Time(format_datetime(i128::from(d) * 86_400 * NANOS_PER_SECOND))),
        DataType::Date64 => prim!(array, row, Date64Type)
            .map(|ms| Cell::Time(format_datetime(i128::from(ms) * 1_000_000))),
        DataType::Duration(unit) => {
            let nanos = match unit {
                TimeUnit::Second => {
                    prim!(array, row, DurationSecondType).map(|v| i128::from(v) * NANOS_PER_SECOND)
                }
                TimeUnit::Millisecond => {
                    prim!(array, row, DurationMillisecondType).map(|v| i128::from(v) * 1_000_000)
                }
                TimeUnit::Microsecond => {
                    prim!(array, row, DurationMicrosecondType).map(|v| i128::from(v) * 1_000)
                }
                TimeUnit::Nanosecond => prim!(array, row, DurationNanosecondType).map(i128::from),
            };
            nanos.map(|n| Cell::Time(format_timespan(n)))
        }
        DataType::Time32(TimeUnit::Second) => prim!(array, row, Time32SecondType)
            .map(|v| Cell::Time(format_timespan(i128::from(v) * NANOS_PER_SECOND))),
        DataType::Time32(TimeUnit::Millisecond) => prim!(array, row, Time32MillisecondType)
            .map(|v| Cell::Time(format_timespan(i128::from(v) * 1_000_000))),
        DataType::Time64(TimeUnit::Microsecond) => prim!(array, row, Time64MicrosecondType)
            .map(|v| Cell::Time(format_timespan(i128::from(v) * 1_000))),
        DataType::Time64(TimeUnit::Nanosecond) => prim!(array, row, Time64NanosecondType)
            .map(|v| Cell::Time(format_timespan(i128::from(v)))),
        DataType::Interval(_) => interval(array, row),
        DataType::Utf8 => array
            .as_string_opt::<i32>()
            .map(|a| text(a.value(row), field)),
        DataType::LargeUtf8 => array
            .as_string_opt::<i64>()
            .map(|a| text(a.value(row), field)),
        DataType::Utf8View => array
            .as_string_view_opt()
            .map(|a| text(a.value(row), field)),
        DataType::FixedSizeBinary(16) => array
            .as_fixed_size_binary_opt()
            .map(|a| Cell::Str(guid(a.value(row)))),
        DataType::List(_)
        | DataType::LargeList(_)
        | DataType::FixedSizeList(..)
        | DataType::Struct(_)
        | DataType::Map(..) => Some(Cell::Json(nested_json(array, row))),
        DataType::Dictionary(key, _) => dictionary(array, row, key, field),
        _ => None,
    };
    cell.unwrap_or_else(|| arrow_text(array, row))
}

/// A Utf8 value: `dynamic` when the field says so, else a string (guid included).
fn text(s: &str, field: &Field) -> Cell {
    if KqlType::of_field(field) == KqlType::Dynamic {
        Cell::DynamicText(s.to_string())
    } else {
        Cell::Str(s.to_string())
    }
}

fn decimal<T: DecimalType>(v: T::Native, precision: u8, scale: i8) -> Cell {
    let s = T::format_decimal(v, precision, scale);
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    Cell::Decimal(if s == "-0" { "0".into() } else { s })
}

fn guid(bytes: &[u8]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    if hex.len() != 32 {
        return hex;
    }
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn interval(array: &dyn Array, row: usize) -> Option<Cell> {
    if let Some(a) = array.as_primitive_opt::<IntervalMonthDayNanoType>() {
        let v = a.value(row);
        if v.months != 0 {
            return None;
        }
        return Some(Cell::Time(format_timespan(
            i128::from(v.days) * 86_400 * NANOS_PER_SECOND + i128::from(v.nanoseconds),
        )));
    }
    if let Some(a) = array.as_primitive_opt::<IntervalDayTimeType>() {
        let v = a.value(row);
        return Some(Cell::Time(format_timespan(
            i128::from(v.days) * 86_400 * NANOS_PER_SECOND + i128::from(v.milliseconds) * 1_000_000,
        )));
    }
    None
}

fn dictionary(array: &dyn Array, row: usize, key: &DataType, field: &Field) -> Option<Cell> {
    fn key_of<K: ArrowDictionaryKeyType>(
        array: &dyn Array,
        row: usize,
    ) -> Option<(usize, &ArrayRef)> {
        let d = array.as_dictionary_opt::<K>()?;
        Some((d.key(row)?, d.values()))
    }
    let (k, values) = match key {
        DataType::Int8 => key_of::<Int8Type>(array, row),
        DataType::Int16 => key_of::<Int16Type>(array, row),
        DataType::Int32 => key_of::<Int32Type>(array, row),
        DataType::Int64 => key_of::<Int64Type>(array, row),
        DataType::UInt8 => key_of::<UInt8Type>(array, row),
        DataType::UInt16 => key_of::<UInt16Type>(array, row),
        DataType::UInt32 => key_of::<UInt32Type>(array, row),
        DataType::UInt64 => key_of::<UInt64Type>(array, row),
        _ => None,
    }?;
    let inner = Field::new(field.name(), values.data_type().clone(), true)
        .with_metadata(field.metadata().clone());
    Some(value_of(values.as_ref(), k, &inner))
}

/// An element of a list, struct or map as JSON: datetimes inside a `dynamic` take Kusto's full
/// form with seven fraction digits (`"2017-01-01T00:00:00.0000000Z"`, as make-series' axis).
fn element_json(array: &dyn Array, row: usize, field: &Field) -> Json {
    if let DataType::Timestamp(..) = field.data_type()
        && let Ok(t) = datafusion::arrow::compute::cast(
            &array.slice(row, 1),
            &DataType::Timestamp(TimeUnit::Nanosecond, None),
        )
        && let Some(t) = t.as_primitive_opt::<TimestampNanosecondType>()
    {
        return if t.is_null(0) {
            Json::Null
        } else {
            Json::String(kql_functions::format::format_datetime_nanos_full(
                t.value(0),
            ))
        };
    }
    json_of(value_of(array, row, field))
}

/// A list, struct or map value as JSON (the `dynamic` it stands for).
pub fn nested_json(array: &dyn Array, row: usize) -> Json {
    let elements = |values: &ArrayRef, child: &Field| -> Json {
        Json::Array(
            (0..values.len())
                .map(|i| element_json(values.as_ref(), i, child))
                .collect(),
        )
    };
    match array.data_type() {
        DataType::List(child) => match array.as_list_opt::<i32>() {
            Some(a) => elements(&a.value(row), child),
            None => Json::Null,
        },
        DataType::LargeList(child) => match array.as_list_opt::<i64>() {
            Some(a) => elements(&a.value(row), child),
            None => Json::Null,
        },
        DataType::FixedSizeList(child, _) => match array.as_fixed_size_list_opt() {
            Some(a) => elements(&a.value(row), child),
            None => Json::Null,
        },
        DataType::Struct(fields) => match array.as_struct_opt() {
            Some(a) => Json::Object(
                fields
                    .iter()
                    .zip(a.columns())
                    .map(|(f, col)| (f.name().clone(), element_json(col.as_ref(), row, f)))
                    .collect(),
            ),
            None => Json::Null,
        },
        DataType::Map(entries, _) => {
            let Some(a) = array.as_map_opt() else {
                return Json::Null;
            };
            let DataType::Struct(kv) = entries.data_type() else {
                return Json::Null;
            };
            let (Some(kf), Some(vf)) = (kv.first(), kv.get(1)) else {
                return Json::Null;
            };
            let offsets = a.value_offsets();
            let (start, end) = (offsets[row] as usize, offsets[row + 1] as usize);
            let (keys, values) = (a.keys(), a.values());
            Json::Object(
                (start..end)
                    .map(|i| {
                        let k = format_cell(value_of(keys.as_ref(), i, kf));
                        (k, element_json(values.as_ref(), i, vf))
                    })
                    .collect(),
            )
        }
        _ => Json::Null,
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn format_datetime(nanos: i128) -> String {
    let ticks = nanos.div_euclid(NANOS_PER_TICK);
    let secs = ticks.div_euclid(TICKS_PER_SECOND);
    let frac = ticks.rem_euclid(TICKS_PER_SECOND);
    let days = i64::try_from(secs.div_euclid(86_400)).unwrap_or(i64::MAX / 2);
    let sod = secs.rem_euclid(86_400);
    let (y, mo, d) = civil_from_days(days);
    let (h, mi, s) = (sod / 3_600, sod / 60 % 60, sod % 60);
    let mut out = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
    if frac != 0 {
        out.push_str(&format!(".{frac:07}"));
    }
    out.push('Z');
    out
}

fn format_timespan(nanos: i128) -> String {
    // Truncate toward zero to whole ticks, so -1.5 ticks shows as -1 tick.
    let ticks = nanos / NANOS_PER_TICK;
    let neg = ticks < 0;
    let t = ticks.unsigned_abs();
    let per_sec = TICKS_PER_SECOND as u128;
    let frac = t % per_sec;
    let secs = t / per_sec;
    let (days, h, m, s) = (secs / 86_400, secs / 3_600 % 24, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if days > 0 {
        out.push_str(&format!("{days}."));
    }
    out.push_str(&format!("{h:02}:{m:02}:{s:02}"));
    if frac != 0 {
        out.push_str(&format!(".{frac:07}"));
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::types::KQL_TYPE_KEY;
    use datafusion::arrow::array::{
        BooleanArray, Decimal128Array, DurationNanosecondArray, Float32Array, Float64Array,
        Int32Array, Int64Array, ListArray, StringArray, StringViewArray, StructArray,
        TimestampMillisecondArray, TimestampNanosecondArray,
    };
    use datafusion::arrow::datatypes::Fields;
    use serde_json::json;
    use std::collections::HashMap;
    use std::sync::Arc;

    fn field_of(a: &ArrayRef) -> Field {
        Field::new("x", a.data_type().clone(), true)
    }

    fn texts(a: ArrayRef) -> Vec<String> {
        let f = field_of(&a);
        (0..a.len()).map(|i| format_value(&a, i, &f)).collect()
    }

    fn jsons(a: ArrayRef) -> Vec<Json> {
        let f = field_of(&a);
        (0..a.len()).map(|i| json_value(&a, i, &f)).collect()
    }

    fn dynamic_field() -> Field {
        Field::new("d", DataType::Utf8, true).with_metadata(HashMap::from([(
            KQL_TYPE_KEY.to_string(),
            "dynamic".to_string(),
        )]))
    }

    #[test]
    fn reals_follow_dotnet_shortest_round_trip() {
        let cases: [(f64, &str); 19] = [
            (0.0, "0"),
            (1.0, "1"),
            (-2.5, "-2.5"),
            (0.1, "0.1"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1.0 / 3.0, "0.3333333333333333"),
            (123.456, "123.456"),
            (1e14, "100000000000000"),
            (1e15, "1E+15"),
            (1.5e15, "1.5E+15"),
            (123_456_789_012_345.0, "123456789012345"),
            // 17 significant digits: fixed up to a scale of 17.
            (12_345_678_901_234_568.0, "12345678901234568"),
            (1.2345678901234568e18, "1.2345678901234568E+18"),
            (1e300, "1E+300"),
            (0.0001, "0.0001"),
            (0.00012, "0.00012"),
            (0.00001, "1E-05"),
            (-1.5e-7, "-1.5E-07"),
            (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
        ];
        for (v, want) in cases {
            assert_eq!(format_real(v), want, "{v:e}");
        }
        assert_eq!(format_real(f64::NAN), "NaN");
        assert_eq!(format_real(f64::INFINITY), "Infinity");
        assert_eq!(format_real(f64::NEG_INFINITY), "-Infinity");
    }

    #[test]
    fn reals_in_json() {
        let a: ArrayRef = Arc::new(Float64Array::from(vec![
            Some(1.5),
            None,
            Some(f64::NAN),
            Some(f64::INFINITY),
            Some(f64::NEG_INFINITY),
        ]));
        assert_eq!(
            jsons(a.clone()),
            vec![
                json!(1.5),
                Json::Null,
                json!("NaN"),
                json!("Infinity"),
                json!("-Infinity")
            ]
        );
        assert_eq!(texts(a), ["1.5", "", "NaN", "Infinity", "-Infinity"]);
    }

    #[test]
    fn float32_prints_its_own_shortest_digits() {
        let a: ArrayRef = Arc::new(Float32Array::from(vec![0.1f32]));
        assert_eq!(texts(a), ["0.1"]);
    }

    #[test]
    fn datetimes() {
        // 2017-01-01T00:00:00Z is 1_483_228_800 s after the epoch (47 years, 12 of them leap:
        // (47*365 + 12) days = 17_167 days = 1_483_228_800 s).
        let base: i64 = 1_483_228_800 * 1_000_000_000;
        let a: ArrayRef = Arc::new(
            TimestampNanosecondArray::from(vec![
                Some(base),
                Some(base + 500_000_000),
                Some(base + 123_456_700),
                Some(base + 199), // 1 tick and 99 ns: the sub-tick part is not shown
                Some(0),
                Some(-1), // one ns before the epoch is in the last tick of 1969
                None,
            ])
            .with_timezone("UTC"),
        );
        assert_eq!(
            texts(a.clone()),
            [
                "2017-01-01T00:00:00Z",
                "2017-01-01T00:00:00.5000000Z",
                "2017-01-01T00:00:00.1234567Z",
                "2017-01-01T00:00:00.0000001Z",
                "1970-01-01T00:00:00Z",
                "1969-12-31T23:59:59.9999999Z",
                ""
            ]
        );
        assert_eq!(jsons(a)[0], json!("2017-01-01T00:00:00Z"));
        // 2015-12-31 23:59:59.9 is 0.1 s before 2016-01-01 (1_451_606_400 s).
        assert_eq!(
            format_datetime_nanos(1_451_606_400 * 1_000_000_000 - 100_000_000),
            "2015-12-31T23:59:59.9000000Z"
        );
        // 2020-02-29 (leap day): 18_321 days after the epoch.
        assert_eq!(
            format_datetime_nanos(18_321 * 86_400 * 1_000_000_000),
            "2020-02-29T00:00:00Z"
        );
        // Other units and no time zone render the same instant.
        let ms: ArrayRef = Arc::new(TimestampMillisecondArray::from(vec![1_483_228_800_250]));
        assert_eq!(texts(ms), ["2017-01-01T00:00:00.2500000Z"]);
    }

    #[test]
    fn timespans() {
        const S: i64 = 1_000_000_000;
        // 1.02:03:04.5 = 1 day + 2 h + 3 min + 4.5 s = 93_784.5 s.
        let a: ArrayRef = Arc::new(DurationNanosecondArray::from(vec![
            Some(93_784 * S + S / 2),
            Some(0),
            Some(30 * 60 * S),
            Some(-(90 * S)),
            Some(100),
            Some(-(2 * 86_400 * S)),
            Some(99), // below one tick
            None,
        ]));
        assert_eq!(
            texts(a.clone()),
            [
                "1.02:03:04.5000000",
                "00:00:00",
                "00:30:00",
                "-00:01:30",
                "00:00:00.0000001",
                "-2.00:00:00",
                "00:00:00",
                ""
            ]
        );
        assert_eq!(jsons(a)[0], json!("1.02:03:04.5000000"));
    }

    #[test]
    fn scalars() {
        let b: ArrayRef = Arc::new(BooleanArray::from(vec![Some(true), Some(false), None]));
        assert_eq!(texts(b.clone()), ["true", "false", ""]);
        assert_eq!(jsons(b), [json!(true), json!(false), Json::Null]);

        let l: ArrayRef = Arc::new(Int64Array::from(vec![Some(-5), Some(i64::MAX), None]));
        assert_eq!(texts(l.clone()), ["-5", "9223372036854775807", ""]);
        assert_eq!(jsons(l), [json!(-5), json!(i64::MAX), Json::Null]);

        let i: ArrayRef = Arc::new(Int32Array::from(vec![7]));
        assert_eq!(jsons(i), [json!(7)]);

        let s: ArrayRef = Arc::new(StringArray::from(vec![Some("a,\"b\""), Some(""), None]));
        assert_eq!(texts(s.clone()), ["a,\"b\"", "", ""]);
        assert_eq!(jsons(s), [json!("a,\"b\""), json!(""), Json::Null]);

        let v: ArrayRef = Arc::new(StringViewArray::from(vec!["view"]));
        assert_eq!(texts(v), ["view"]);
    }

    #[test]
    fn decimals_drop_trailing_zeros_and_are_strings_in_json() {
        let a: ArrayRef = Arc::new(
            Decimal128Array::from(vec![
                1_250_000_000_000_000_000i128,
                3_000_000_000_000_000_000,
                -500_000_000_000_000_000,
            ])
            .with_precision_and_scale(38, 18)
            .unwrap(),
        );
        assert_eq!(texts(a.clone()), ["1.25", "3", "-0.5"]);
        assert_eq!(jsons(a), [json!("1.25"), json!("3"), json!("-0.5")]);
    }

    #[test]
    fn dynamic_text_is_json_in_json_output() {
        let a: ArrayRef = Arc::new(StringArray::from(vec![
            Some(r#"{"a": [1, "x", null]}"#),
            Some("[1,2]"),
            Some("7"),
            None,
            Some(r#""text""#),
            Some("null"),
        ]));
        let f = dynamic_field();
        let text: Vec<String> = (0..6).map(|i| format_value(&a, i, &f)).collect();
        assert_eq!(
            text,
            [r#"{"a":[1,"x",null]}"#, "[1,2]", "7", "", "text", ""]
        );
        let js: Vec<Json> = (0..6).map(|i| json_value(&a, i, &f)).collect();
        assert_eq!(
            js,
            [
                json!({"a": [1, "x", null]}),
                json!([1, 2]),
                json!(7),
                Json::Null,
                json!("text"),
                Json::Null
            ]
        );
        // The same text in a plain string column stays a string.
        assert_eq!(json_value(&a, 1, &field_of(&a)), json!("[1,2]"));
    }

    #[test]
    fn lists_and_structs_are_dynamic_json() {
        let list: ArrayRef = Arc::new(ListArray::from_iter_primitive::<Float64Type, _, _>(vec![
            Some(vec![Some(1.0), Some(2.5), Some(f64::NAN), None]),
            Some(vec![]),
            None,
        ]));
        assert_eq!(texts(list.clone()), [r#"[1.0,2.5,"NaN",null]"#, "[]", ""]);
        assert_eq!(jsons(list)[0], json!([1.0, 2.5, "NaN", null]));

        let fields = Fields::from(vec![
            Field::new("k", DataType::Utf8, true),
            Field::new("n", DataType::Int64, true),
        ]);
        let s: ArrayRef = Arc::new(StructArray::new(
            fields,
            vec![
                Arc::new(StringArray::from(vec!["a"])) as ArrayRef,
                Arc::new(Int64Array::from(vec![3])) as ArrayRef,
            ],
            None,
        ));
        assert_eq!(texts(s.clone()), [r#"{"k":"a","n":3}"#]);
        assert_eq!(jsons(s), [json!({"k": "a", "n": 3})]);
    }
}
