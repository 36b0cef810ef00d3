//! Literal values: KQL literal → Arrow scalar of the KQL type's representation.

use datafusion::scalar::ScalarValue;
use kql_functions::KqlType;
use kql_functions::format::{format_datetime_nanos_full, format_timespan_nanos};
use kql_parser::ast::{Dynamic, Literal};
use kql_parser::datetime::parse_datetime;
use std::sync::Arc;

/// Ticks (100 ns since 0001-01-01) → Unix nanoseconds, if representable.
fn ticks_to_nanos(ticks: i64) -> Option<i64> {
    const EPOCH_TICKS: i64 = 621_355_968_000_000_000;
    ticks.checked_sub(EPOCH_TICKS)?.checked_mul(100)
}

fn utc() -> Option<Arc<str>> {
    Some(Arc::from("UTC"))
}

/// The scalar value and KQL type of a literal; `Err` carries a message for bad values
/// (e.g. a datetime outside 1677..2262, which Arrow's nanosecond timestamps cannot hold).
pub fn literal_value(lit: &Literal, now_nanos: i64) -> Result<(ScalarValue, KqlType), String> {
    Ok(match lit {
        Literal::Bool(v) => (ScalarValue::Boolean(*v), KqlType::Bool),
        Literal::Int(v) => (ScalarValue::Int32(*v), KqlType::Int),
        Literal::Long(v) => (ScalarValue::Int64(*v), KqlType::Long),
        Literal::Real(v) => (ScalarValue::Float64(v.map(|r| r.0)), KqlType::Real),
        Literal::Decimal(v) => match v {
            None => (ScalarValue::Decimal128(None, 38, 18), KqlType::Decimal),
            Some(text) => (decimal_value(text)?, KqlType::Decimal),
        },
        Literal::Datetime(v) => {
            let nanos = match v.as_deref() {
                None => None,
                Some("") => Some(now_nanos),
                Some(text) => {
                    let ticks = parse_datetime(text)
                        .ok_or_else(|| format!("invalid datetime literal `{text}`"))?;
                    Some(ticks_to_nanos(ticks).ok_or_else(|| {
                        format!("datetime `{text}` is outside the supported range 1677-09-21 .. 2262-04-11")
                    })?)
                }
            };
            (
                ScalarValue::TimestampNanosecond(nanos, utc()),
                KqlType::Datetime,
            )
        }
        Literal::Timespan(v) => {
            let nanos = match v {
                None => None,
                Some(t) => Some(
                    t.checked_mul(100)
                        .ok_or_else(|| "timespan is out of range (±292 years)".to_string())?,
                ),
            };
            (ScalarValue::DurationNanosecond(nanos), KqlType::Timespan)
        }
        Literal::Guid(v) => (
            ScalarValue::Utf8(v.as_ref().map(|g| g.to_ascii_lowercase())),
            KqlType::Guid,
        ),
        Literal::String { value, .. } => (ScalarValue::Utf8(Some(value.clone())), KqlType::String),
        Literal::Dynamic(d) => match d {
            Dynamic::Null => (ScalarValue::Utf8(None), KqlType::Dynamic),
            other => (
                ScalarValue::Utf8(Some(dynamic_json(other, now_nanos)?.to_string())),
                KqlType::Dynamic,
            ),
        },
        Literal::TypeOf(_) => {
            return Err("`typeof(...)` is only allowed in type positions".to_string());
        }
    })
}

fn decimal_value(text: &str) -> Result<ScalarValue, String> {
    let (neg, t) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if frac.len() > 18 || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return Err(format!("unsupported decimal literal `{text}`"));
    }
    let digits = format!("{int}{frac:0<18}");
    let v: i128 = digits
        .parse()
        .map_err(|_| format!("decimal literal `{text}` is out of range"))?;
    Ok(ScalarValue::Decimal128(
        Some(if neg { -v } else { v }),
        38,
        18,
    ))
}

/// The JSON value of a dynamic literal; typed literals inside become their KQL text forms
/// (datetimes as ISO 8601 strings, timespans as `d.hh:mm:ss` strings).
pub fn dynamic_json(d: &Dynamic, now_nanos: i64) -> Result<serde_json::Value, String> {
    use serde_json::Value;
    Ok(match d {
        Dynamic::Null => Value::Null,
        Dynamic::Bool(b) => Value::Bool(*b),
        Dynamic::Long(v) => Value::from(*v),
        Dynamic::Real(r) => serde_json::Number::from_f64(r.0)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        Dynamic::String(s) => Value::String(s.clone()),
        Dynamic::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| dynamic_json(i, now_nanos))
                .collect::<Result<_, _>>()?,
        ),
        Dynamic::Object(props) => {
            let mut m = serde_json::Map::new();
            for (k, v) in props {
                m.insert(k.clone(), dynamic_json(v, now_nanos)?);
            }
            Value::Object(m)
        }
        // `dynamic({'a': dynamic({'b': 1})})`: the inner value nests as JSON, not as text
        Dynamic::Typed(lit) if matches!(lit.as_ref(), Literal::Dynamic(_)) => match lit.as_ref() {
            Literal::Dynamic(inner) => dynamic_json(inner, now_nanos)?,
            _ => Value::Null,
        },
        Dynamic::Typed(lit) => {
            let (v, ty) = literal_value(lit, now_nanos)?;
            match (v, ty) {
                (ScalarValue::TimestampNanosecond(Some(n), _), _) => {
                    Value::String(format_datetime_nanos_full(n))
                }
                (ScalarValue::DurationNanosecond(Some(n)), _) => {
                    Value::String(format_timespan_nanos(n))
                }
                (ScalarValue::Int32(Some(v)), _) => Value::from(v),
                (ScalarValue::Int64(Some(v)), _) => Value::from(v),
                (ScalarValue::Float64(Some(v)), _) => serde_json::Number::from_f64(v)
                    .map(Value::Number)
                    .unwrap_or(Value::Null),
                (ScalarValue::Boolean(Some(b)), _) => Value::Bool(b),
                (ScalarValue::Utf8(Some(s)), _) => Value::String(s),
                _ => Value::Null,
            }
        }
    })
}

/// The JSON form of a scalar (for scalars stored in dynamic columns).
pub fn scalar_json(v: &ScalarValue) -> serde_json::Value {
    use serde_json::Value;
    match v {
        ScalarValue::Boolean(Some(b)) => Value::Bool(*b),
        ScalarValue::Int32(Some(x)) => Value::from(*x),
        ScalarValue::Int64(Some(x)) => Value::from(*x),
        ScalarValue::Float64(Some(x)) => serde_json::Number::from_f64(*x)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        ScalarValue::Utf8(Some(s)) => Value::String(s.clone()),
        ScalarValue::TimestampNanosecond(Some(n), _) => {
            Value::String(format_datetime_nanos_full(*n))
        }
        ScalarValue::DurationNanosecond(Some(n)) => Value::String(format_timespan_nanos(*n)),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        // 2017-01-01 is 17_167 days after 1970-01-01 (Python: date(2017,1,1).toordinal() - 719163)
        let n = 17_167 * 86_400 * 1_000_000_000;
        assert_eq!(
            format_datetime_nanos_full(n),
            "2017-01-01T00:00:00.0000000Z"
        );
        assert_eq!(
            format_datetime_nanos_full(n + 1_500_000_000),
            "2017-01-01T00:00:01.5000000Z"
        );
        // 1.02:03:04.5 = 93_784.5 s
        assert_eq!(
            format_timespan_nanos(93_784_500_000_000),
            "1.02:03:04.5000000"
        );
        assert_eq!(format_timespan_nanos(-3_600_000_000_000), "-01:00:00");
    }
}
