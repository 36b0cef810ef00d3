//! Dynamic values held as JSON text: `parse_json`, list → JSON rendering (for `make_list`,
//! `make_set`), `array_length`, element/property access.
//!
//! A dynamic null is an Arrow null. Real numbers render through serde_json (`5.0`, `0.5`);
//! NaN and ±infinity, which JSON cannot hold, render as the strings "NaN", "Infinity",
//! "-Infinity"; datetimes and timespans render as strings in their KQL text form.

use super::{bools, long_at, longs, reals, str_at, strings};
use crate::format::{format_datetime_nanos_full, format_real, format_timespan_nanos};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::{Result, exec_err};
use serde_json::Value;
use std::sync::Arc;

/// Parses JSON text; text that isn't JSON becomes a JSON string holding it.
pub fn parse_json_text(s: &str) -> Value {
    serde_json::from_str::<Value>(s).unwrap_or_else(|_| Value::String(s.to_string()))
}

fn dynamic_text(v: &Value) -> Option<String> {
    if v.is_null() {
        None
    } else {
        Some(v.to_string())
    }
}

/// `parse_json(string)`: normalised (compact) JSON text; invalid JSON → a JSON string; an
/// empty or null string → dynamic null (KQL's empty string is its missing value).
pub(super) fn parse_json(a: &ArrayRef) -> Result<ArrayRef> {
    let s = strings(a)?;
    let out: StringArray = (0..s.len())
        .map(|i| {
            let t = str_at(&s, i);
            if t.is_empty() {
                None
            } else {
                dynamic_text(&parse_json_text(t))
            }
        })
        .collect();
    Ok(Arc::new(out))
}

fn real_value(f: f64) -> Value {
    serde_json::Number::from_f64(f).map_or_else(|| Value::String(format_real(f)), Value::Number)
}

/// JSON values of all elements of `values` (None for nulls).
fn element_values(values: &ArrayRef, dynamic: bool) -> Result<Vec<Option<Value>>> {
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
            (0..n).map(|i| long_at(&v, i).map(Value::from)).collect()
        }
        DataType::Float16 | DataType::Float32 | DataType::Float64 => {
            let v = reals(values)?;
            (0..n)
                .map(|i| (!v.is_null(i)).then(|| real_value(v.value(i))))
                .collect()
        }
        DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => {
            let t = cast(values, &DataType::Timestamp(TimeUnit::Nanosecond, None))?;
            let v = longs(&t)?;
            (0..n)
                .map(|i| long_at(&v, i).map(|x| Value::String(format_datetime_nanos_full(x))))
                .collect()
        }
        DataType::Duration(_) => {
            let t = cast(values, &DataType::Duration(TimeUnit::Nanosecond))?;
            let v = longs(&t)?;
            (0..n)
                .map(|i| long_at(&v, i).map(|x| Value::String(format_timespan_nanos(x))))
                .collect()
        }
        _ => {
            let s = strings(values)?;
            (0..n)
                .map(|i| {
                    if s.is_null(i) {
                        None
                    } else if dynamic {
                        Some(parse_json_text(s.value(i))).filter(|v| !v.is_null())
                    } else {
                        Some(Value::String(s.value(i).to_string()))
                    }
                })
                .collect()
        }
    })
}

/// List → JSON array text, nulls skipped, at most `max` elements; a null list → `[]`.
pub(super) fn list_to_json(
    list: &ArrayRef,
    max: &ArrayRef,
    dynamic: &ArrayRef,
) -> Result<ArrayRef> {
    let max = longs(max)?;
    let dynamic = bools(dynamic)?;
    let is_dyn = !dynamic.is_empty() && !dynamic.is_null(0) && dynamic.value(0);
    let (values, offsets): (ArrayRef, Vec<usize>) = match list.data_type() {
        DataType::List(_) => {
            let l = list.as_list::<i32>();
            (
                l.values().clone(),
                l.value_offsets().iter().map(|o| *o as usize).collect(),
            )
        }
        DataType::LargeList(_) => {
            let l = list.as_list::<i64>();
            (
                l.values().clone(),
                l.value_offsets().iter().map(|o| *o as usize).collect(),
            )
        }
        DataType::Null => {
            let out: StringArray = (0..list.len()).map(|_| Some("[]")).collect();
            return Ok(Arc::new(out));
        }
        other => return exec_err!("kql_list_to_json expects a list, got {other}"),
    };
    let elems = element_values(&values, is_dyn)?;
    let out: StringArray = (0..list.len())
        .map(|i| {
            if list.is_null(i) {
                return Some("[]".to_string());
            }
            let cap = long_at(&max, i).map_or(usize::MAX, |m| usize::try_from(m).unwrap_or(0));
            let items: Vec<Value> = elems[offsets[i]..offsets[i + 1]]
                .iter()
                .flatten()
                .take(cap)
                .cloned()
                .collect();
            Some(Value::Array(items).to_string())
        })
        .collect();
    Ok(Arc::new(out))
}

/// `array_length(dynamic)`: the element count of an array, else null.
pub(super) fn array_length(a: &ArrayRef) -> Result<ArrayRef> {
    let s = strings(a)?;
    let out: Int64Array = (0..s.len())
        .map(|i| {
            if s.is_null(i) {
                return None;
            }
            match serde_json::from_str::<Value>(s.value(i)) {
                Ok(Value::Array(v)) => Some(v.len() as i64),
                _ => None,
            }
        })
        .collect();
    Ok(Arc::new(out))
}

/// `d[key]`, `d.key`, `d[index]` (a negative index counts from the end): JSON text of the
/// member, null when missing.
pub(super) fn dynamic_get(a: &ArrayRef, key: &ArrayRef) -> Result<ArrayRef> {
    let s = strings(a)?;
    let by_index = matches!(
        key.data_type(),
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64
    );
    let idx = if by_index { Some(longs(key)?) } else { None };
    let keys = strings(key)?;
    let out: StringArray = (0..s.len())
        .map(|i| {
            if s.is_null(i) {
                return None;
            }
            let v = serde_json::from_str::<Value>(s.value(i)).ok()?;
            let got = match (&idx, v) {
                (Some(ix), Value::Array(items)) => {
                    let k = long_at(ix, i)?;
                    let k = if k < 0 { items.len() as i64 + k } else { k };
                    usize::try_from(k)
                        .ok()
                        .and_then(|k| items.into_iter().nth(k))
                }
                (None, Value::Object(mut m)) => m.remove(str_at(&keys, i)),
                _ => None,
            }?;
            dynamic_text(&got)
        })
        .collect();
    Ok(Arc::new(out))
}
