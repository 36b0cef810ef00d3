//! Reading result columns for charts: what kind of values a column holds (datetime, number,
//! text, or an array of either, as `make-series` produces) and the values themselves as `f64`
//! (datetimes as nanoseconds since the Unix epoch).

use super::ChartError;
use kql_engine::KqlType;
use kql_engine::datafusion::arrow::array::{Array, ArrayRef, AsArray};
use kql_engine::datafusion::arrow::compute::cast;
use kql_engine::datafusion::arrow::datatypes::{DataType, Field, TimeUnit};
use kql_engine::display::format_value;

/// What a column holds, as far as charts care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColKind {
    Time,
    Number,
    Text,
    /// An array of datetimes per row (the axis of `make-series`).
    TimeArray,
    /// An array of numbers per row (a series of `make-series` or `series_*`).
    NumberArray,
    /// Anything else (bool, timespan, guid, dynamic bags): never picked automatically.
    Other,
}

impl ColKind {
    pub fn is_array(self) -> bool {
        matches!(self, ColKind::TimeArray | ColKind::NumberArray)
    }
}

/// One column of the (concatenated) result.
pub struct Column<'a> {
    pub name: &'a str,
    pub field: &'a Field,
    pub array: &'a ArrayRef,
    pub kind: ColKind,
}

/// The kind of a column; `dynamic` text holding JSON arrays counts as an array column when its
/// first non-empty value is an array of numbers or datetimes.
pub fn kind_of(field: &Field, array: &ArrayRef) -> ColKind {
    match field.data_type() {
        DataType::List(inner) | DataType::LargeList(inner) => {
            return match KqlType::of_arrow(inner.data_type()) {
                KqlType::Datetime => ColKind::TimeArray,
                t if t.is_numeric() => ColKind::NumberArray,
                _ => ColKind::Other,
            };
        }
        _ => {}
    }
    match KqlType::of_field(field) {
        KqlType::Datetime => ColKind::Time,
        KqlType::String => ColKind::Text,
        t if t.is_numeric() => ColKind::Number,
        KqlType::Dynamic => dynamic_kind(field, array),
        _ => ColKind::Other,
    }
}

fn dynamic_kind(field: &Field, array: &ArrayRef) -> ColKind {
    for row in 0..array.len() {
        if array.is_null(row) {
            continue;
        }
        let text = format_value(array, row, field);
        let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(&text)
        else {
            return ColKind::Other;
        };
        return match items.iter().find(|v| !v.is_null()) {
            Some(serde_json::Value::Number(_)) => ColKind::NumberArray,
            Some(serde_json::Value::String(s)) if parse_time(s).is_some() => ColKind::TimeArray,
            None => continue,
            _ => ColKind::Other,
        };
    }
    ColKind::Other
}

/// A datetime text as Unix nanoseconds.
fn parse_time(s: &str) -> Option<f64> {
    const EPOCH_TICKS: i64 = 621_355_968_000_000_000;
    let ticks = kql_parser::datetime::parse_datetime(s)?;
    Some((ticks.checked_sub(EPOCH_TICKS)? as f64) * 100.0)
}

fn arrow_error(e: impl std::fmt::Display) -> ChartError {
    ChartError(format!("cannot read a column for the chart: {e}"))
}

/// The values of a scalar datetime or numeric column as `f64` (null and NaN → `None`).
pub fn scalars(col: &Column<'_>) -> Result<Vec<Option<f64>>, ChartError> {
    numbers_of(col.array, col.kind == ColKind::Time)
}

fn numbers_of(array: &ArrayRef, time: bool) -> Result<Vec<Option<f64>>, ChartError> {
    let as_f64 = if time {
        let ns =
            cast(array, &DataType::Timestamp(TimeUnit::Nanosecond, None)).map_err(arrow_error)?;
        let ints = cast(&ns, &DataType::Int64).map_err(arrow_error)?;
        cast(&ints, &DataType::Float64).map_err(arrow_error)?
    } else {
        cast(array, &DataType::Float64).map_err(arrow_error)?
    };
    let floats = as_f64
        .as_primitive_opt::<kql_engine::datafusion::arrow::datatypes::Float64Type>()
        .ok_or_else(|| arrow_error("not a number column"))?;
    Ok((0..floats.len())
        .map(|i| {
            if floats.is_null(i) {
                None
            } else {
                Some(floats.value(i)).filter(|v| v.is_finite())
            }
        })
        .collect())
}

/// The values of an array column, one `Vec` per row (a null row → empty).
pub fn arrays(col: &Column<'_>) -> Result<Vec<Vec<Option<f64>>>, ChartError> {
    let time = col.kind == ColKind::TimeArray;
    let array = col.array;
    let mut out = Vec::with_capacity(array.len());
    match array.data_type() {
        DataType::List(_) => {
            let list = array.as_list::<i32>();
            for row in 0..list.len() {
                out.push(if list.is_null(row) {
                    Vec::new()
                } else {
                    numbers_of(&list.value(row), time)?
                });
            }
        }
        DataType::LargeList(_) => {
            let list = array.as_list::<i64>();
            for row in 0..list.len() {
                out.push(if list.is_null(row) {
                    Vec::new()
                } else {
                    numbers_of(&list.value(row), time)?
                });
            }
        }
        _ => {
            for row in 0..array.len() {
                out.push(json_numbers(&format_value(array, row, col.field), time));
            }
        }
    }
    Ok(out)
}

fn json_numbers(text: &str, time: bool) -> Vec<Option<f64>> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                serde_json::Value::Number(n) if !time => n.as_f64().filter(|f| f.is_finite()),
                serde_json::Value::String(s) if time => parse_time(s),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The KQL text of every value of a column (labels, series names, categories).
pub fn texts(col: &Column<'_>) -> Vec<String> {
    (0..col.array.len())
        .map(|row| format_value(col.array, row, col.field))
        .collect()
}
