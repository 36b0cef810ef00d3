//! Calendar UDFs: `datetime_add`, `datetime_diff`, `datetime_part`, `format_datetime`,
//! `format_timespan`, `make_datetime`, `make_timespan`, `datetime_utc_to_local`,
//! `datetime_local_to_utc`.
//!
//! Inputs arrive already cast by `crate::scalar::datetime`: datetimes as Timestamp(ns, UTC),
//! timespans as Duration(ns), integers as Int64, seconds as Float64 and strings as Utf8. The
//! period/part names are literals resolved at lowering time ([`Unit`], [`DtPart`]). A literal
//! format string or time zone is parsed once (scalar fast path). Nulls propagate; results
//! outside Arrow's nanosecond range are null.

use super::{long_at, longs, reals, scalar_str, str_at, strings};
use crate::format::{civil_from_days, days_from_civil};
use crate::types::datetime_type;
use chrono::{LocalResult, Offset, TimeZone};
use chrono_tz::Tz;
use datafusion::arrow::array::{
    Array, ArrayRef, DurationNanosecondArray, Float64Array, Int32Array, Int64Array, StringArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::Arc;

const NS_US: i64 = 1_000;
const NS_MS: i64 = 1_000_000;
const NS_S: i64 = 1_000_000_000;
const NS_MIN: i64 = 60 * NS_S;
const NS_HOUR: i64 = 60 * NS_MIN;
const NS_DAY: i64 = 24 * NS_HOUR;
const NS_TICK: i64 = 100;

/// Periods of `datetime_add` / `datetime_diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    Year,
    Quarter,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
    Millisecond,
    Microsecond,
    Nanosecond,
}

impl Unit {
    /// The period named `s` (case-insensitive), as the docs list them.
    pub fn parse(s: &str) -> Option<Unit> {
        Some(match s.to_ascii_lowercase().as_str() {
            "year" => Unit::Year,
            "quarter" => Unit::Quarter,
            "month" => Unit::Month,
            "week" => Unit::Week,
            "day" => Unit::Day,
            "hour" => Unit::Hour,
            "minute" => Unit::Minute,
            "second" => Unit::Second,
            "millisecond" => Unit::Millisecond,
            "microsecond" => Unit::Microsecond,
            "nanosecond" => Unit::Nanosecond,
            _ => return None,
        })
    }
}

/// Parts of `datetime_part`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DtPart {
    Year,
    Quarter,
    Month,
    WeekOfYear,
    Day,
    DayOfYear,
    Hour,
    Minute,
    Second,
    Millisecond,
    Microsecond,
    Nanosecond,
}

impl DtPart {
    /// The part named `s` (case-insensitive).
    pub fn parse(s: &str) -> Option<DtPart> {
        Some(match s.to_ascii_lowercase().as_str() {
            "year" => DtPart::Year,
            "quarter" => DtPart::Quarter,
            "month" => DtPart::Month,
            "week_of_year" | "weekofyear" => DtPart::WeekOfYear,
            "day" => DtPart::Day,
            "dayofyear" => DtPart::DayOfYear,
            "hour" => DtPart::Hour,
            "minute" => DtPart::Minute,
            "second" => DtPart::Second,
            "millisecond" => DtPart::Millisecond,
            "microsecond" => DtPart::Microsecond,
            "nanosecond" => DtPart::Nanosecond,
            _ => return None,
        })
    }
}

/// The operations of [`DtUdf`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DtOp {
    /// `(amount: Int64, dt: Timestamp)` → Timestamp.
    Add(Unit),
    /// `(dt1, dt2)` → Int64.
    Diff(Unit),
    /// `(dt)` → Int32.
    Part(DtPart),
    /// `(dt, format: Utf8)` → Utf8.
    FormatDatetime,
    /// `(ts: Duration, format: Utf8)` → Utf8.
    FormatTimespan,
    /// `(y, m, d [, h, min [, s: Float64]])` → Timestamp.
    MakeDatetime,
    /// `(h, m)`, `(h, m, s: Float64)`, `(d, h, m, s: Float64)` → Duration.
    MakeTimespan,
    /// `(dt, tz: Utf8)` → Timestamp.
    UtcToLocal,
    /// `(dt, tz: Utf8)` → Timestamp.
    LocalToUtc,
}

impl DtOp {
    fn name(&self) -> String {
        match self {
            DtOp::Add(u) => format!("kql_datetime_add_{u:?}").to_ascii_lowercase(),
            DtOp::Diff(u) => format!("kql_datetime_diff_{u:?}").to_ascii_lowercase(),
            DtOp::Part(p) => format!("kql_datetime_part_{p:?}").to_ascii_lowercase(),
            DtOp::FormatDatetime => "kql_format_datetime".into(),
            DtOp::FormatTimespan => "kql_format_timespan".into(),
            DtOp::MakeDatetime => "kql_make_datetime".into(),
            DtOp::MakeTimespan => "kql_make_timespan".into(),
            DtOp::UtcToLocal => "kql_datetime_utc_to_local".into(),
            DtOp::LocalToUtc => "kql_datetime_local_to_utc".into(),
        }
    }

    fn return_type(&self) -> DataType {
        match self {
            DtOp::Add(_) | DtOp::MakeDatetime | DtOp::UtcToLocal | DtOp::LocalToUtc => {
                datetime_type()
            }
            DtOp::Diff(_) => DataType::Int64,
            DtOp::Part(_) => DataType::Int32,
            DtOp::FormatDatetime | DtOp::FormatTimespan => DataType::Utf8,
            DtOp::MakeTimespan => DataType::Duration(TimeUnit::Nanosecond),
        }
    }
}

/// A calendar UDF.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DtUdf {
    op: DtOp,
    name: String,
    signature: Signature,
}

/// A call of the UDF for `op`.
pub fn call(op: DtOp, args: Vec<Expr>) -> Expr {
    Arc::new(ScalarUDF::from(DtUdf {
        op,
        name: op.name(),
        signature: Signature::variadic_any(Volatility::Immutable),
    }))
    .call(args)
}

impl ScalarUDFImpl for DtUdf {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.op.return_type())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let all_scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let scalars: Vec<Option<ScalarValue>> = args
            .args
            .iter()
            .map(|a| match a {
                ColumnarValue::Scalar(s) => Some(s.clone()),
                ColumnarValue::Array(_) => None,
            })
            .collect();
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let out = self.eval(&arrays, &scalars)?;
        if all_scalar && out.len() == 1 {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
        } else {
            Ok(ColumnarValue::Array(out))
        }
    }
}

impl DtUdf {
    fn eval(&self, a: &[ArrayRef], s: &[Option<ScalarValue>]) -> Result<ArrayRef> {
        let need = |n: usize| -> Result<()> {
            if a.len() < n {
                return exec_err!("{} expects {n} arguments, got {}", self.name, a.len());
            }
            Ok(())
        };
        match self.op {
            DtOp::Add(u) => {
                need(2)?;
                let (amount, t) = (longs(&a[0])?, longs(&a[1])?);
                let out: Int64Array = (0..t.len())
                    .map(|i| add(u, long_at(&amount, i)?, long_at(&t, i)?))
                    .collect();
                to_datetime(out)
            }
            DtOp::Diff(u) => {
                need(2)?;
                let (x, y) = (longs(&a[0])?, longs(&a[1])?);
                let out: Int64Array = (0..x.len())
                    .map(|i| diff(u, long_at(&x, i)?, long_at(&y, i)?))
                    .collect();
                Ok(Arc::new(out))
            }
            DtOp::Part(p) => {
                need(1)?;
                let t = longs(&a[0])?;
                let out: Int32Array = (0..t.len()).map(|i| part(p, long_at(&t, i)?)).collect();
                Ok(Arc::new(out))
            }
            DtOp::FormatDatetime | DtOp::FormatTimespan => {
                need(2)?;
                let timespan = self.op == DtOp::FormatTimespan;
                let v = longs(&a[0])?;
                let fmts = strings(&a[1])?;
                let fixed = scalar_str(s.get(1).and_then(Option::as_ref)).map(|f| tokens(&f));
                let out: StringArray = (0..v.len())
                    .map(|i| {
                        let n = long_at(&v, i)?;
                        let owned;
                        let toks = match &fixed {
                            Some(t) => t,
                            None => {
                                owned = tokens(str_at(&fmts, i));
                                &owned
                            }
                        };
                        Some(if timespan {
                            format_timespan(n, toks)
                        } else {
                            format_datetime(n, toks)
                        })
                    })
                    .collect();
                Ok(Arc::new(out))
            }
            DtOp::MakeDatetime => {
                need(3)?;
                let ints: Vec<Int64Array> = a.iter().take(5).map(longs).collect::<Result<_>>()?;
                let secs = a.get(5).map(reals).transpose()?;
                let out: Int64Array = (0..ints[0].len())
                    .map(|i| {
                        let mut f = [0i64; 5];
                        for (k, arr) in ints.iter().enumerate() {
                            f[k] = long_at(arr, i)?;
                        }
                        let sec = match &secs {
                            Some(s) => real_at(s, i)?,
                            None => 0.0,
                        };
                        make_datetime(f, sec)
                    })
                    .collect();
                to_datetime(out)
            }
            DtOp::MakeTimespan => {
                need(2)?;
                // (h, m), (h, m, s), (d, h, m, s): the last argument of 3 or 4 is seconds
                let n = a.len().min(4);
                let ints: Vec<Int64Array> = a
                    .iter()
                    .take(if n == 2 { 2 } else { n - 1 })
                    .map(longs)
                    .collect::<Result<_>>()?;
                let secs = if n == 2 {
                    None
                } else {
                    Some(reals(&a[n - 1])?)
                };
                let out: DurationNanosecondArray = (0..ints[0].len())
                    .map(|i| {
                        let mut f = Vec::with_capacity(3);
                        for arr in &ints {
                            f.push(long_at(arr, i)?);
                        }
                        let (d, h, m) = match f.as_slice() {
                            [h, m] => (0, *h, *m),
                            [d, h, m] => (*d, *h, *m),
                            _ => return None,
                        };
                        let sec = match &secs {
                            Some(s) => real_at(s, i)?,
                            None => 0.0,
                        };
                        make_timespan(d, h, m, sec)
                    })
                    .collect();
                Ok(Arc::new(out))
            }
            DtOp::UtcToLocal | DtOp::LocalToUtc => {
                need(2)?;
                let to_local = self.op == DtOp::UtcToLocal;
                let v = longs(&a[0])?;
                let zones = strings(&a[1])?;
                let fixed = scalar_str(s.get(1).and_then(Option::as_ref)).map(|z| parse_tz(&z));
                let out: Int64Array = (0..v.len())
                    .map(|i| {
                        let n = long_at(&v, i)?;
                        let tz = match &fixed {
                            Some(tz) => (*tz)?,
                            None => parse_tz(str_at(&zones, i))?,
                        };
                        if to_local {
                            utc_to_local(n, tz)
                        } else {
                            local_to_utc(n, tz)
                        }
                    })
                    .collect();
                to_datetime(out)
            }
        }
    }
}

fn to_datetime(a: Int64Array) -> Result<ArrayRef> {
    Ok(cast(&(Arc::new(a) as ArrayRef), &datetime_type())?)
}

fn real_at(a: &Float64Array, i: usize) -> Option<f64> {
    if a.is_null(i) { None } else { Some(a.value(i)) }
}

fn split_days(nanos: i64) -> (i64, i64) {
    (nanos.div_euclid(NS_DAY), nanos.rem_euclid(NS_DAY))
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Years Kusto's datetime can hold (0001..9999).
fn year_ok(y: i64) -> bool {
    (1..=9999).contains(&y)
}

/// Days since the epoch + time of day → nanoseconds (checked).
fn join(days: i64, tod: i64) -> Option<i64> {
    days.checked_mul(NS_DAY)?.checked_add(tod)
}

/// Adds `months` calendar months, clamping the day to the target month's length.
fn add_months(nanos: i64, months: i64) -> Option<i64> {
    let (days, tod) = split_days(nanos);
    let (y, m, d) = civil_from_days(days);
    let total = (y * 12 + i64::from(m) - 1).checked_add(months)?;
    let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
    if !year_ok(ny) {
        return None;
    }
    join(days_from_civil(ny, nm, d.min(days_in_month(ny, nm))), tod)
}

/// `datetime_add(unit, amount, t)`. Kusto's datetime has 100 ns ticks, so a nanosecond
/// amount is taken in whole ticks (truncated toward zero).
fn add(u: Unit, amount: i64, t: i64) -> Option<i64> {
    let fixed = |per: i64| t.checked_add(amount.checked_mul(per)?);
    match u {
        Unit::Year => add_months(t, amount.checked_mul(12)?),
        Unit::Quarter => add_months(t, amount.checked_mul(3)?),
        Unit::Month => add_months(t, amount),
        Unit::Week => fixed(7 * NS_DAY),
        Unit::Day => fixed(NS_DAY),
        Unit::Hour => fixed(NS_HOUR),
        Unit::Minute => fixed(NS_MIN),
        Unit::Second => fixed(NS_S),
        Unit::Millisecond => fixed(NS_MS),
        Unit::Microsecond => fixed(NS_US),
        Unit::Nanosecond => t.checked_add(amount / NS_TICK * NS_TICK),
    }
}

/// The index of the `u` period containing `t` (periods counted from an arbitrary origin),
/// so that `datetime_diff` is the number of period boundaries between the two values. Weeks
/// start on Sunday.
fn period_index(u: Unit, t: i64) -> i64 {
    let (days, _) = split_days(t);
    match u {
        Unit::Year => civil_from_days(days).0,
        Unit::Quarter => {
            let (y, m, _) = civil_from_days(days);
            y * 4 + (i64::from(m) - 1) / 3
        }
        Unit::Month => {
            let (y, m, _) = civil_from_days(days);
            y * 12 + i64::from(m) - 1
        }
        // 1970-01-01 was a Thursday: days + 4 counts from Sunday 1969-12-28
        Unit::Week => (days + 4).div_euclid(7),
        Unit::Day => days,
        Unit::Hour => t.div_euclid(NS_HOUR),
        Unit::Minute => t.div_euclid(NS_MIN),
        Unit::Second => t.div_euclid(NS_S),
        Unit::Millisecond => t.div_euclid(NS_MS),
        Unit::Microsecond => t.div_euclid(NS_US),
        Unit::Nanosecond => t,
    }
}

/// `datetime_diff(unit, t1, t2)`: boundaries of `unit` between `t2` and `t1` (`t1 - t2`).
fn diff(u: Unit, t1: i64, t2: i64) -> Option<i64> {
    period_index(u, t1).checked_sub(period_index(u, t2))
}

fn part(p: DtPart, t: i64) -> Option<i32> {
    let (days, tod) = split_days(t);
    let (y, m, d) = civil_from_days(days);
    let frac = tod % NS_S;
    let v: i64 = match p {
        DtPart::Year => y,
        DtPart::Quarter => (i64::from(m) - 1) / 3 + 1,
        DtPart::Month => i64::from(m),
        DtPart::WeekOfYear => i64::from(super::time::iso_week(days)),
        DtPart::Day => i64::from(d),
        DtPart::DayOfYear => days - days_from_civil(y, 1, 1) + 1,
        DtPart::Hour => tod / NS_HOUR,
        DtPart::Minute => tod / NS_MIN % 60,
        DtPart::Second => tod / NS_S % 60,
        DtPart::Millisecond => frac / NS_MS,
        DtPart::Microsecond => frac / NS_US,
        DtPart::Nanosecond => frac,
    };
    i32::try_from(v).ok()
}

/// `make_datetime`: `f` = year, month, day, hour, minute; `sec` may carry a fraction (rounded
/// to 100 ns ticks). Out-of-range fields give null.
fn make_datetime(f: [i64; 5], sec: f64) -> Option<i64> {
    let [y, mo, d, h, mi] = f;
    if !year_ok(y) || !(1..=12).contains(&mo) || !(0..24).contains(&h) || !(0..60).contains(&mi) {
        return None;
    }
    let mo = mo as u32;
    if d < 1 || d > i64::from(days_in_month(y, mo)) {
        return None;
    }
    let sec_ns = seconds_nanos(sec)?;
    join(
        days_from_civil(y, mo, d as u32),
        h * NS_HOUR + mi * NS_MIN + sec_ns,
    )
}

/// Seconds in [0, 60) → nanoseconds, rounded to whole ticks.
fn seconds_nanos(sec: f64) -> Option<i64> {
    if !(0.0..60.0).contains(&sec) {
        return None;
    }
    Some((sec * 1e7).round() as i64 * NS_TICK)
}

/// `make_timespan`: hour 0–23, minute 0–59, second 0–59.9999999 (docs); otherwise null.
fn make_timespan(d: i64, h: i64, m: i64, sec: f64) -> Option<i64> {
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    d.checked_mul(NS_DAY)?
        .checked_add(h * NS_HOUR + m * NS_MIN + seconds_nanos(sec)?)
}

// ---- format_datetime / format_timespan ----

/// A format element: a run of one specifier letter, or literal text.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Spec(char, usize),
    Lit(String),
}

/// Splits a .NET-style custom format into runs of specifier letters and literal text
/// (`\x` escapes one character; `'…'` / `"…"` quote literal text).
fn tokens(fmt: &str) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::new();
    let lit = |out: &mut Vec<Tok>, c: char| match out.last_mut() {
        Some(Tok::Lit(s)) => s.push(c),
        _ => out.push(Tok::Lit(c.to_string())),
    };
    let chars: Vec<char> = fmt.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            'd' | 'f' | 'F' | 'h' | 'H' | 'm' | 'M' | 's' | 'y' | 't' => {
                let mut n = 1;
                while i + n < chars.len() && chars[i + n] == c {
                    n += 1;
                }
                out.push(Tok::Spec(c, n));
                i += n;
            }
            '\\' => {
                if let Some(&e) = chars.get(i + 1) {
                    lit(&mut out, e);
                }
                i += 2;
            }
            '\'' | '"' => {
                i += 1;
                while i < chars.len() && chars[i] != c {
                    lit(&mut out, chars[i]);
                    i += 1;
                }
                i += 1;
            }
            _ => {
                lit(&mut out, c);
                i += 1;
            }
        }
    }
    out
}

/// Pushes the first `n` (≤ 7) digits of the 7-digit tick fraction; `trim` (the `F` forms)
/// drops trailing zeros, and when nothing is left also a preceding '.'.
fn push_fraction(out: &mut String, ticks_frac: i64, n: usize, trim: bool) {
    let digits = format!("{ticks_frac:07}");
    let n = n.min(7);
    let mut part = &digits[..n];
    if trim {
        part = part.trim_end_matches('0');
        if part.is_empty() {
            if out.ends_with('.') {
                out.pop();
            }
            return;
        }
    }
    out.push_str(part);
}

fn pad(out: &mut String, v: i64, n: usize) {
    out.push_str(&format!("{v:0n$}"));
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

fn format_datetime(nanos: i64, toks: &[Tok]) -> String {
    let (days, tod) = split_days(nanos);
    let (y, mo, d) = civil_from_days(days);
    let h = tod / NS_HOUR;
    let ticks_frac = tod % NS_S / NS_TICK;
    let mut out = String::new();
    for t in toks {
        match t {
            Tok::Lit(s) => out.push_str(s),
            Tok::Spec(c, n) => {
                let n = *n;
                match c {
                    'd' if n >= 4 => out.push_str(DAYS[(days + 4).rem_euclid(7) as usize]),
                    'd' if n == 3 => out.push_str(&DAYS[(days + 4).rem_euclid(7) as usize][..3]),
                    'd' => pad(&mut out, i64::from(d), n),
                    'M' if n >= 4 => out.push_str(MONTHS[mo as usize - 1]),
                    'M' if n == 3 => out.push_str(&MONTHS[mo as usize - 1][..3]),
                    'M' => pad(&mut out, i64::from(mo), n),
                    'y' if n <= 2 => pad(&mut out, y % 100, n),
                    'y' => pad(&mut out, y, n),
                    'h' => pad(&mut out, (h + 11) % 12 + 1, n.min(2)),
                    'H' => pad(&mut out, h, n.min(2)),
                    'm' => pad(&mut out, tod / NS_MIN % 60, n.min(2)),
                    's' => pad(&mut out, tod / NS_S % 60, n.min(2)),
                    'f' => push_fraction(&mut out, ticks_frac, n, false),
                    'F' => push_fraction(&mut out, ticks_frac, n, true),
                    't' => {
                        let ampm = if h < 12 { "AM" } else { "PM" };
                        out.push_str(if n == 1 { &ampm[..1] } else { ampm });
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

/// Timespan components are those of its absolute value (custom formats print no sign).
fn format_timespan(nanos: i64, toks: &[Tok]) -> String {
    let abs = i128::from(nanos).unsigned_abs();
    let ns_day = NS_DAY as u128;
    let days = abs / ns_day;
    let tod = (abs % ns_day) as i64;
    let ticks_frac = tod % NS_S / NS_TICK;
    let mut out = String::new();
    for t in toks {
        match t {
            Tok::Lit(s) => out.push_str(s),
            Tok::Spec(c, n) => {
                let n = *n;
                match c {
                    'd' => out.push_str(&format!("{days:0n$}", n = n.min(8))),
                    'h' | 'H' => pad(&mut out, tod / NS_HOUR, n.min(2)),
                    'm' => pad(&mut out, tod / NS_MIN % 60, n.min(2)),
                    's' => pad(&mut out, tod / NS_S % 60, n.min(2)),
                    'f' => push_fraction(&mut out, ticks_frac, n, false),
                    'F' => push_fraction(&mut out, ticks_frac, n, true),
                    _ => {}
                }
            }
        }
    }
    out
}

// ---- time zones ----

/// An IANA zone name (exact, else case-insensitive).
fn parse_tz(name: &str) -> Option<Tz> {
    let name = name.trim();
    name.parse::<Tz>().ok().or_else(|| {
        chrono_tz::TZ_VARIANTS
            .iter()
            .find(|z| z.name().eq_ignore_ascii_case(name))
            .copied()
    })
}

/// The zone's UTC offset (seconds) at the UTC instant `nanos`.
fn offset_at_utc(tz: Tz, nanos: i64) -> i64 {
    let utc = chrono::DateTime::from_timestamp_nanos(nanos).naive_utc();
    i64::from(tz.offset_from_utc_datetime(&utc).fix().local_minus_utc())
}

fn utc_to_local(nanos: i64, tz: Tz) -> Option<i64> {
    nanos.checked_add(offset_at_utc(tz, nanos) * NS_S)
}

/// Local wall time → UTC. An ambiguous time (clocks going back) is taken as standard time
/// (the smaller offset, as .NET's `TimeZoneInfo` does); a skipped time (clocks going
/// forward) uses the offset after the transition, so 2022-03-27 02:00 in Europe/Brussels
/// gives 00:00 UTC (datetime-local-to-utc-function.md).
fn local_to_utc(nanos: i64, tz: Tz) -> Option<i64> {
    let local = chrono::DateTime::from_timestamp_nanos(nanos).naive_utc();
    let off = match tz.offset_from_local_datetime(&local) {
        LocalResult::Single(o) => i64::from(o.fix().local_minus_utc()),
        LocalResult::Ambiguous(a, b) => {
            i64::from(a.fix().local_minus_utc().min(b.fix().local_minus_utc()))
        }
        LocalResult::None => {
            let before = offset_at_utc(tz, nanos.checked_sub(NS_DAY)?);
            offset_at_utc(tz, nanos.checked_sub(before * NS_S)?)
        }
    };
    nanos.checked_sub(off * NS_S)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(y: i64, mo: u32, d: u32, h: i64, mi: i64, s: i64, ticks: i64) -> i64 {
        days_from_civil(y, mo, d) * NS_DAY + h * NS_HOUR + mi * NS_MIN + s * NS_S + ticks * NS_TICK
    }

    fn text(n: i64) -> String {
        crate::format::format_datetime_nanos(n)
    }

    #[test]
    fn adding() {
        let base = ns(2017, 1, 1, 0, 0, 0, 0);
        // docs: -15 months from 2017-01-01 → 2015-10-01; 100 weeks → 2018-12-02
        assert_eq!(
            text(add(Unit::Month, -15, base).unwrap_or(0)),
            "2015-10-01T00:00:00Z"
        );
        assert_eq!(
            text(add(Unit::Week, 100, base).unwrap_or(0)),
            "2018-12-02T00:00:00Z"
        );
        assert_eq!(
            text(add(Unit::Quarter, 12, base).unwrap_or(0)),
            "2020-01-01T00:00:00Z"
        );
        // month arithmetic clamps the day: 2016-01-31 + 1 month → 2016-02-29 (leap year)
        let jan31 = ns(2016, 1, 31, 10, 0, 0, 0);
        assert_eq!(
            text(add(Unit::Month, 1, jan31).unwrap_or(0)),
            "2016-02-29T10:00:00Z"
        );
        // 2016-02-29 + 1 year → 2017-02-28
        let feb29 = ns(2016, 2, 29, 0, 0, 0, 0);
        assert_eq!(
            text(add(Unit::Year, 1, feb29).unwrap_or(0)),
            "2017-02-28T00:00:00Z"
        );
        assert_eq!(
            text(add(Unit::Millisecond, 1500, base).unwrap_or(0)),
            "2017-01-01T00:00:01.5000000Z"
        );
        assert_eq!(add(Unit::Nanosecond, 250, base), Some(base + 200));
        assert_eq!(add(Unit::Year, i64::MAX, base), None);
    }

    #[test]
    fn differences() {
        // the docs' examples (datetime-diff-function.md), boundaries counted by hand
        assert_eq!(
            diff(
                Unit::Year,
                ns(2017, 1, 1, 0, 0, 0, 0),
                ns(2000, 12, 31, 0, 0, 0, 0)
            ),
            Some(17)
        );
        assert_eq!(
            diff(
                Unit::Quarter,
                ns(2017, 7, 1, 0, 0, 0, 0),
                ns(2017, 3, 30, 0, 0, 0, 0)
            ),
            Some(2)
        );
        assert_eq!(
            diff(
                Unit::Month,
                ns(2017, 1, 1, 0, 0, 0, 0),
                ns(2015, 12, 30, 0, 0, 0, 0)
            ),
            Some(13)
        );
        // Sat 2017-09-30 is in the week of Sun 09-24; Sun 10-29 starts a week 35 days later
        assert_eq!(
            diff(
                Unit::Week,
                ns(2017, 10, 29, 0, 0, 0, 0),
                ns(2017, 9, 30, 23, 59, 0, 0)
            ),
            Some(5)
        );
        assert_eq!(
            diff(
                Unit::Day,
                ns(2017, 10, 29, 0, 0, 0, 0),
                ns(2017, 9, 30, 23, 59, 0, 0)
            ),
            Some(29)
        );
        assert_eq!(
            diff(
                Unit::Hour,
                ns(2017, 10, 31, 1, 0, 0, 0),
                ns(2017, 10, 30, 23, 59, 0, 0)
            ),
            Some(2)
        );
        assert_eq!(
            diff(
                Unit::Second,
                ns(2017, 10, 30, 23, 0, 10, 1_000_000),
                ns(2017, 10, 30, 23, 0, 0, 9_000_000)
            ),
            Some(10)
        );
        assert_eq!(
            diff(
                Unit::Millisecond,
                ns(2017, 1, 1, 0, 0, 0, 2_001_000),
                ns(2017, 1, 1, 0, 0, 0, 1_009_000)
            ),
            Some(100)
        );
        assert_eq!(
            diff(
                Unit::Microsecond,
                ns(2017, 1, 1, 0, 0, 0, 1_009_001),
                ns(2017, 1, 1, 0, 0, 0, 1_008_009)
            ),
            Some(100)
        );
        assert_eq!(
            diff(
                Unit::Nanosecond,
                ns(2017, 1, 1, 0, 0, 0, 0),
                ns(2017, 1, 1, 0, 0, 0, 7)
            ),
            Some(-700)
        );
        // before the epoch: 1969-12-31 23:00 → 1970-01-01 00:00 crosses one day boundary
        assert_eq!(
            diff(
                Unit::Day,
                ns(1970, 1, 1, 0, 0, 0, 0),
                ns(1969, 12, 31, 23, 0, 0, 0)
            ),
            Some(1)
        );
    }

    #[test]
    fn parts() {
        // docs: datetime(2017-10-30 01:02:03.7654321)
        let t = ns(2017, 10, 30, 1, 2, 3, 7_654_321);
        let got: Vec<Option<i32>> = [
            DtPart::Year,
            DtPart::Quarter,
            DtPart::Month,
            DtPart::WeekOfYear,
            DtPart::Day,
            DtPart::DayOfYear,
            DtPart::Hour,
            DtPart::Minute,
            DtPart::Second,
            DtPart::Millisecond,
            DtPart::Microsecond,
            DtPart::Nanosecond,
        ]
        .iter()
        .map(|p| part(*p, t))
        .collect();
        let want = [2017, 4, 10, 44, 30, 303, 1, 2, 3, 765, 765_432, 765_432_100];
        assert_eq!(got, want.iter().map(|v| Some(*v)).collect::<Vec<_>>());
        assert_eq!(DtPart::parse("DayOfYear"), Some(DtPart::DayOfYear));
        assert_eq!(Unit::parse("Nanosecond"), Some(Unit::Nanosecond));
        assert_eq!(Unit::parse("fortnight"), None);
    }

    #[test]
    fn formats() {
        let t = ns(2017, 1, 29, 9, 0, 5, 0);
        let f = |t: i64, fmt: &str| format_datetime(t, &tokens(fmt));
        // docs examples
        assert_eq!(f(t, "yy-MM-dd [HH:mm:ss]"), "17-01-29 [09:00:05]");
        assert_eq!(f(t, "yyyy-M-dd [H:mm:ss]"), "2017-1-29 [9:00:05]");
        assert_eq!(f(t, "yy-MM-dd [hh:mm:ss tt]"), "17-01-29 [09:00:05 AM]");
        // table rows: 2009-06-15T13:45:30.6175425
        let u = ns(2009, 6, 15, 13, 45, 30, 6_175_425);
        assert_eq!(f(u, "h hh H HH tt"), "1 01 13 13 PM");
        assert_eq!(f(u, "f ff fff ffff fffffff"), "6 61 617 6175 6175425");
        assert_eq!(f(u, "y yy yyyy d dd M MM"), "9 09 2009 15 15 6 06");
        // F trims trailing zeros: .0001150 → 000115; .0500000 with F → nothing (and its '.')
        assert_eq!(f(ns(2009, 6, 15, 13, 45, 30, 1_150), "FFFFFFF"), "000115");
        assert_eq!(f(ns(2009, 6, 15, 13, 45, 30, 500_000), "ss.F"), "30");
        assert_eq!(f(ns(1900, 1, 1, 0, 0, 0, 0), "y yy yyyy"), "0 00 1900");
        assert_eq!(
            f(ns(2009, 6, 1, 0, 12, 3, 0), "d/M/yyyy h:m:s tt"),
            "1/6/2009 12:12:3 AM"
        );
    }

    #[test]
    fn timespan_formats() {
        // docs: time(29.09:00:05.12345)
        let t = 29 * NS_DAY + 9 * NS_HOUR + 5 * NS_S + 1_234_500 * NS_TICK;
        let f = |t: i64, fmt: &str| format_timespan(t, &tokens(fmt));
        assert_eq!(f(t, "dd.hh:mm:ss:FF"), "29.09:00:05:12");
        assert_eq!(f(t, "ddd.h:mm:ss [fffffff]"), "029.9:00:05 [1234500]");
        // 15.13:45:30: d → 15, ddd → 015
        let u = 15 * NS_DAY + 13 * NS_HOUR + 45 * NS_MIN + 30 * NS_S;
        assert_eq!(f(u, "d ddd H m s"), "15 015 13 45 30");
        assert_eq!(f(-u, "d.HH"), "15.13");
    }

    #[test]
    fn makes() {
        assert_eq!(
            make_datetime([2017, 10, 1, 12, 11], 0.1234567),
            Some(ns(2017, 10, 1, 12, 11, 0, 1_234_567))
        );
        assert_eq!(make_datetime([2017, 2, 29, 0, 0], 0.0), None);
        assert_eq!(make_datetime([2017, 13, 1, 0, 0], 0.0), None);
        assert_eq!(make_datetime([2017, 1, 1, 0, 0], 60.0), None);
        // 1.12:30:55.123
        assert_eq!(
            make_timespan(1, 12, 30, 55.123),
            Some(NS_DAY + 12 * NS_HOUR + 30 * NS_MIN + 55 * NS_S + 123 * NS_MS)
        );
        assert_eq!(make_timespan(0, 24, 0, 0.0), None);
    }

    #[test]
    fn zones() {
        let pacific = parse_tz("US/Pacific");
        assert!(pacific.is_some());
        let paris = parse_tz("europe/paris");
        assert!(paris.is_some());
        assert!(parse_tz("Mars/Olympus").is_none());
        let local = ns(2020, 2, 2, 20, 2, 20, 0);
        // docs: 20:02:20 in US/Pacific (UTC-8) → 2020-02-03 04:02:20 UTC; Paris (UTC+1) → 19:02:20
        if let (Some(p), Some(e)) = (pacific, paris) {
            assert_eq!(local_to_utc(local, p), Some(ns(2020, 2, 3, 4, 2, 20, 0)));
            assert_eq!(local_to_utc(local, e), Some(ns(2020, 2, 2, 19, 2, 20, 0)));
            assert_eq!(utc_to_local(ns(2020, 2, 3, 4, 2, 20, 0), p), Some(local));
        }
        // docs: Europe/Brussels on 2022-03-27 (clocks 02:00 → 03:00): 01:00 → 00:00,
        // 02:00 (skipped) → 00:00, 03:00 → 01:00, and 00:00 UTC back to local is 01:00
        if let Some(b) = parse_tz("Europe/Brussels") {
            let l = |h| ns(2022, 3, 27, h, 0, 0, 0);
            assert_eq!(local_to_utc(l(1), b), Some(l(0)));
            assert_eq!(local_to_utc(l(2), b), Some(l(0)));
            assert_eq!(local_to_utc(l(3), b), Some(l(1)));
            assert_eq!(local_to_utc(l(4), b), Some(l(2)));
            assert_eq!(utc_to_local(l(0), b), Some(l(1)));
        } else {
            panic!("Europe/Brussels missing");
        }
    }

    fn udf(op: DtOp) -> DtUdf {
        DtUdf {
            op,
            name: op.name(),
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }

    #[test]
    fn array_inputs() -> Result<()> {
        let t = ns(2017, 1, 29, 9, 0, 5, 0);
        let times: ArrayRef = Arc::new(Int64Array::from(vec![Some(t), None, Some(t)]));
        let fmts: ArrayRef = Arc::new(StringArray::from(vec!["yyyy", "yyyy", "HH:mm"]));
        // per-row formats, a null datetime gives null
        let out = udf(DtOp::FormatDatetime).eval(&[times.clone(), fmts], &[None, None])?;
        let out = strings(&out)?;
        assert_eq!(out.value(0), "2017");
        assert!(out.is_null(1));
        assert_eq!(out.value(2), "09:00");
        // per-row zones; an unknown zone gives null
        let zones: ArrayRef = Arc::new(StringArray::from(vec!["UTC", "UTC", "Nowhere"]));
        let out = udf(DtOp::UtcToLocal).eval(&[times.clone(), zones], &[None, None])?;
        let out = longs(&out)?;
        assert_eq!(long_at(&out, 0), Some(t));
        assert_eq!(long_at(&out, 1), None);
        assert_eq!(long_at(&out, 2), None);
        // make_timespan(h, m, s) over columns
        let h: ArrayRef = Arc::new(Int64Array::from(vec![Some(1), Some(2), None]));
        let m: ArrayRef = Arc::new(Int64Array::from(vec![30, 0, 0]));
        let sec: ArrayRef = Arc::new(Float64Array::from(vec![0.5, 1.0, 0.0]));
        let out = udf(DtOp::MakeTimespan).eval(&[h, m, sec], &[None, None, None])?;
        let out = longs(&cast(&out, &DataType::Int64)?)?;
        assert_eq!(long_at(&out, 0), Some(NS_HOUR + 30 * NS_MIN + NS_S / 2));
        assert_eq!(long_at(&out, 1), Some(2 * NS_HOUR + NS_S));
        assert_eq!(long_at(&out, 2), None);
        Ok(())
    }
}
