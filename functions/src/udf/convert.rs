//! `tostring` of non-string values, and string/dynamic → typed conversions
//! (`toint`, `tolong`, `toreal`, `tobool`, `todatetime`, `totimespan`). A failed conversion
//! gives null.

use super::{ConvTarget, longs, reals, str_at, strings};
use crate::format::{format_bool, format_datetime_nanos_full, format_real, format_timespan_nanos};
use crate::types::datetime_type;
use datafusion::arrow::array::{
    Array, ArrayRef, BooleanArray, DurationNanosecondArray, Float64Array, Int32Array, Int64Array,
    StringArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::Result;
use std::sync::Arc;

/// KQL text of each value; null → "".
pub(super) fn to_string(a: &ArrayRef) -> Result<ArrayRef> {
    let n = a.len();
    let out: StringArray = match a.data_type() {
        DataType::Null => (0..n).map(|_| Some(String::new())).collect(),
        DataType::Boolean => {
            let b = super::bools(a)?;
            (0..n)
                .map(|i| {
                    Some(
                        if b.is_null(i) {
                            ""
                        } else {
                            format_bool(b.value(i))
                        }
                        .to_string(),
                    )
                })
                .collect()
        }
        DataType::Float16 | DataType::Float32 | DataType::Float64 => {
            let f = reals(a)?;
            (0..n)
                .map(|i| {
                    Some(if f.is_null(i) {
                        String::new()
                    } else {
                        format_real(f.value(i))
                    })
                })
                .collect()
        }
        DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => {
            let t = cast(a, &DataType::Timestamp(TimeUnit::Nanosecond, None))?;
            let v = longs(&t)?;
            (0..n)
                .map(|i| {
                    Some(if v.is_null(i) {
                        String::new()
                    } else {
                        format_datetime_nanos_full(v.value(i))
                    })
                })
                .collect()
        }
        DataType::Duration(_) => {
            let t = cast(a, &DataType::Duration(TimeUnit::Nanosecond))?;
            let v = longs(&t)?;
            (0..n)
                .map(|i| {
                    Some(if v.is_null(i) {
                        String::new()
                    } else {
                        format_timespan_nanos(v.value(i))
                    })
                })
                .collect()
        }
        _ => {
            // integers, decimals and strings: Arrow's text is KQL's text
            let s = strings(a)?;
            (0..n).map(|i| Some(str_at(&s, i).to_string())).collect()
        }
    };
    Ok(Arc::new(out))
}

/// A value read from a string or a dynamic value.
enum Scalar {
    Text(String),
    Long(i64),
    Real(f64),
    Bool(bool),
}

fn read(text: &str, dynamic: bool) -> Option<Scalar> {
    if !dynamic {
        return Some(Scalar::Text(text.to_string()));
    }
    match serde_json::from_str::<serde_json::Value>(text).ok()? {
        serde_json::Value::String(s) => Some(Scalar::Text(s)),
        serde_json::Value::Bool(b) => Some(Scalar::Bool(b)),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Some(Scalar::Long(i)),
            None => n.as_f64().map(Scalar::Real),
        },
        _ => None,
    }
}

fn to_long(v: &Scalar) -> Option<i64> {
    match v {
        Scalar::Text(s) => parse_long(s),
        Scalar::Long(i) => Some(*i),
        Scalar::Real(f) => real_to_long(*f),
        Scalar::Bool(b) => Some(i64::from(*b)),
    }
}

fn real_to_long(f: f64) -> Option<i64> {
    let t = f.trunc();
    // i64::MAX as f64 rounds up to 2^63, which is out of range
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if (-TWO_63..TWO_63).contains(&t) {
        Some(t as i64)
    } else {
        None
    }
}

/// Integer text: optional sign, decimal digits, surrounding whitespace.
pub(crate) fn parse_long(s: &str) -> Option<i64> {
    let t = s.trim();
    let t = t.strip_prefix('+').unwrap_or(t);
    t.parse::<i64>().ok()
}

fn to_real(v: &Scalar) -> Option<f64> {
    match v {
        Scalar::Text(s) => s.trim().parse::<f64>().ok(),
        Scalar::Long(i) => Some(*i as f64),
        Scalar::Real(f) => Some(*f),
        Scalar::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
    }
}

fn to_bool(v: &Scalar) -> Option<bool> {
    match v {
        Scalar::Text(s) => {
            let t = s.trim();
            if t.eq_ignore_ascii_case("true") {
                Some(true)
            } else if t.eq_ignore_ascii_case("false") {
                Some(false)
            } else {
                None
            }
        }
        Scalar::Long(i) => Some(*i != 0),
        Scalar::Real(f) => Some(*f != 0.0),
        Scalar::Bool(b) => Some(*b),
    }
}

fn to_datetime_nanos(v: &Scalar) -> Option<i64> {
    match v {
        Scalar::Text(s) => {
            crate::types::ticks_to_unix_nanos(kql_parser::datetime::parse_datetime(s)?)
        }
        _ => None,
    }
}

fn to_timespan_nanos(v: &Scalar) -> Option<i64> {
    match v {
        Scalar::Text(s) => parse_timespan_ticks(s)?.checked_mul(100),
        _ => None,
    }
}

pub(super) fn convert(a: &ArrayRef, target: ConvTarget, dynamic: bool) -> Result<ArrayRef> {
    let s = strings(a)?;
    let n = s.len();
    let val = |i: usize| -> Option<Scalar> {
        if s.is_null(i) && dynamic {
            return None;
        }
        read(str_at(&s, i), dynamic)
    };
    Ok(match target {
        ConvTarget::Int => Arc::new(
            (0..n)
                .map(|i| {
                    val(i)
                        .and_then(|v| to_long(&v))
                        .and_then(|x| i32::try_from(x).ok())
                })
                .collect::<Int32Array>(),
        ),
        ConvTarget::Long => Arc::new(
            (0..n)
                .map(|i| val(i).and_then(|v| to_long(&v)))
                .collect::<Int64Array>(),
        ),
        ConvTarget::Real => Arc::new(
            (0..n)
                .map(|i| val(i).and_then(|v| to_real(&v)))
                .collect::<Float64Array>(),
        ),
        ConvTarget::Bool => Arc::new(
            (0..n)
                .map(|i| val(i).and_then(|v| to_bool(&v)))
                .collect::<BooleanArray>(),
        ),
        ConvTarget::Datetime => {
            let v: Int64Array = (0..n)
                .map(|i| val(i).and_then(|v| to_datetime_nanos(&v)))
                .collect();
            cast(&(Arc::new(v) as ArrayRef), &datetime_type())?
        }
        ConvTarget::Timespan => Arc::new(
            (0..n)
                .map(|i| val(i).and_then(|v| to_timespan_nanos(&v)))
                .collect::<DurationNanosecondArray>(),
        ),
    })
}

const TICKS_PER_SECOND: i128 = 10_000_000;
const TICKS_PER_MINUTE: i128 = 60 * TICKS_PER_SECOND;
const TICKS_PER_HOUR: i128 = 60 * TICKS_PER_MINUTE;
const TICKS_PER_DAY: i128 = 24 * TICKS_PER_HOUR;

/// Timespan text → ticks: `[-][d.]hh:mm[:ss[.fffffff]]`, or a number with a timespan-literal
/// unit (`2d`, `1.5h`, `30m`, `10s`, `100ms`, `10microsecond`, `1tick`, …; no unit = days).
pub fn parse_timespan_ticks(text: &str) -> Option<i64> {
    let t = text.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r.trim_start()),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let ticks = if t.contains(':') {
        clock(t)?
    } else {
        with_unit(t)?
    };
    let ticks = if neg { -ticks } else { ticks };
    i64::try_from(ticks).ok()
}

fn digits_value(s: &str) -> Option<i128> {
    if s.is_empty() || s.len() > 18 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `0.1234567` seconds fraction digits → ticks (at most 7 digits count).
fn fraction_ticks(f: &str, unit: i128) -> Option<i128> {
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
}

fn clock(t: &str) -> Option<i128> {
    let colon = t.find(':')?;
    let (days, rest) = match t.find('.') {
        Some(dot) if dot < colon => (digits_value(&t[..dot])?, &t[dot + 1..]),
        _ => (0, t),
    };
    let parts: Vec<&str> = rest.split(':').collect();
    if parts.len() < 2 || parts.len() > 3 {
        return None;
    }
    let h = digits_value(parts[0])?;
    let m = digits_value(parts[1])?;
    let mut total = days * TICKS_PER_DAY + h * TICKS_PER_HOUR + m * TICKS_PER_MINUTE;
    if let Some(sec) = parts.get(2) {
        let (s, f) = sec.split_once('.').unwrap_or((sec, ""));
        total += digits_value(s)? * TICKS_PER_SECOND + fraction_ticks(f, TICKS_PER_SECOND)?;
    }
    Some(total)
}

fn with_unit(t: &str) -> Option<i128> {
    let num_end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = (&t[..num_end], t[num_end..].trim());
    let unit_ticks: i128 = match unit.to_ascii_lowercase().as_str() {
        "" | "d" | "day" | "days" => TICKS_PER_DAY,
        "h" | "hr" | "hrs" | "hour" | "hours" => TICKS_PER_HOUR,
        "m" | "min" | "minute" | "minutes" => TICKS_PER_MINUTE,
        "s" | "sec" | "second" | "seconds" => TICKS_PER_SECOND,
        "ms" | "milli" | "millis" | "millisecond" | "milliseconds" => 10_000,
        "microsecond" | "microseconds" | "micro" | "micros" => 10,
        "tick" | "ticks" => 1,
        "nanosecond" | "nanoseconds" | "nano" | "nanos" => {
            // 100 ns per tick: only whole ticks are representable
            let (i, f) = num.split_once('.').unwrap_or((num, ""));
            if !f.is_empty() {
                return None;
            }
            return Some(digits_value(i)? / 100);
        }
        _ => return None,
    };
    let (i, f) = num.split_once('.').unwrap_or((num, ""));
    if i.is_empty() && f.is_empty() {
        return None;
    }
    let whole = if i.is_empty() { 0 } else { digits_value(i)? };
    Some(whole * unit_ticks + fraction_ticks(f, unit_ticks)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespan_text() {
        assert_eq!(
            parse_timespan_ticks("0.00:03:00"),
            Some(3 * 60 * 10_000_000)
        );
        assert_eq!(parse_timespan_ticks("00:03"), Some(3 * 60 * 10_000_000));
        assert_eq!(
            parse_timespan_ticks("1.02:03:04.5"),
            Some((((24 + 2) * 3600 + 3 * 60 + 4) * 10 + 5) * 1_000_000)
        );
        assert_eq!(parse_timespan_ticks("4d"), Some(4 * 864_000_000_000));
        assert_eq!(parse_timespan_ticks("1.5h"), Some(54_000_000_000));
        assert_eq!(parse_timespan_ticks("-10s"), Some(-100_000_000));
        assert_eq!(parse_timespan_ticks("100ms"), Some(1_000_000));
        assert_eq!(parse_timespan_ticks("abc"), None);
        assert_eq!(parse_timespan_ticks(""), None);
    }

    #[test]
    fn long_text() {
        assert_eq!(parse_long(" 123 "), Some(123));
        assert_eq!(parse_long("-5"), Some(-5));
        assert_eq!(parse_long("abc"), None);
        assert_eq!(parse_long("1.5"), None);
    }
}
