//! Type inference for text sources (CSV/TSV cells, JSON values).
//!
//! Every value is classified into an [`Inferred`] kind; a column's kind is the join of its
//! values' kinds (see [`Inferred::merge`]), and [`Inferred::kql_type`] gives the final type.
//! The same lattice is used to unify a column across files (`unify.rs`).

use kql_functions::types::KqlType;
use serde_json::Value;

/// What a column's values look like so far. Ordered roughly from "no information" to "most
/// general"; [`Inferred::merge`] is the join.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Inferred {
    /// Only nulls / empty strings seen so far.
    Null,
    Bool,
    Long,
    Real,
    Datetime,
    /// Text that is a JSON object or array (a CSV cell, a JSON string holding JSON).
    JsonText,
    String,
    /// Real nested JSON (objects/arrays in a JSON source).
    Dynamic,
}

impl Inferred {
    /// The join of two kinds: long+real → real; anything with real nested JSON → dynamic;
    /// JSON text mixed with anything but nulls → string; other mixes → string.
    pub fn merge(self, other: Inferred) -> Inferred {
        use Inferred::*;
        match (self, other) {
            (a, b) if a == b => a,
            (Null, x) | (x, Null) => x,
            (Dynamic, _) | (_, Dynamic) => Dynamic,
            (Long, Real) | (Real, Long) => Real,
            _ => String,
        }
    }

    /// The KQL type of a column with this kind (all-null columns are strings).
    pub fn kql_type(self) -> KqlType {
        match self {
            Inferred::Null | Inferred::String => KqlType::String,
            Inferred::Bool => KqlType::Bool,
            Inferred::Long => KqlType::Long,
            Inferred::Real => KqlType::Real,
            Inferred::Datetime => KqlType::Datetime,
            Inferred::JsonText | Inferred::Dynamic => KqlType::Dynamic,
        }
    }

    /// The kind an existing Arrow column of KQL type `t` contributes (Parquet files).
    pub fn of_kql_type(t: KqlType) -> Inferred {
        match t {
            KqlType::Bool => Inferred::Bool,
            KqlType::Int | KqlType::Long => Inferred::Long,
            KqlType::Real | KqlType::Decimal => Inferred::Real,
            KqlType::Datetime => Inferred::Datetime,
            KqlType::Dynamic => Inferred::Dynamic,
            KqlType::Timespan | KqlType::Guid | KqlType::String => Inferred::String,
        }
    }
}

/// Classifies one CSV cell. Empty cells carry no information.
pub fn classify_text(s: &str) -> Inferred {
    if s.is_empty() {
        return Inferred::Null;
    }
    if parse_bool(s).is_some() {
        return Inferred::Bool;
    }
    if parse_long(s).is_some() {
        return Inferred::Long;
    }
    if parse_real(s).is_some() {
        return Inferred::Real;
    }
    if parse_datetime(s).is_some() {
        return Inferred::Datetime;
    }
    if parse_json_container(s).is_some() {
        return Inferred::JsonText;
    }
    Inferred::String
}

/// Classifies one JSON value. Strings are datetimes, JSON text or plain strings (never
/// numbers or bools: the JSON types are kept); `""` and `null` carry no information.
pub fn classify_json(v: &Value) -> Inferred {
    match v {
        Value::Null => Inferred::Null,
        Value::Bool(_) => Inferred::Bool,
        Value::Number(n) => {
            if n.as_i64().is_some() {
                Inferred::Long
            } else {
                Inferred::Real
            }
        }
        Value::String(s) => {
            if s.is_empty() {
                Inferred::Null
            } else if parse_datetime(s).is_some() {
                Inferred::Datetime
            } else if parse_json_container(s).is_some() {
                Inferred::JsonText
            } else {
                Inferred::String
            }
        }
        Value::Array(_) | Value::Object(_) => Inferred::Dynamic,
    }
}

/// `true`/`false` in the spellings CSV writers use (pandas writes `True`/`False`).
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// An optionally signed decimal integer that fits i64.
pub fn parse_long(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

/// A decimal number (`1.5`, `-.5`, `1e-3`, `12345678901234567890`); not `inf`/`NaN` words.
pub fn parse_real(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((a, b)) => (a, b),
        None => (mantissa, ""),
    };
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if int_part.is_empty() && frac_part.is_empty()
        || !all_digits(int_part)
        || !all_digits(frac_part)
    {
        return None;
    }
    if let Some(e) = exponent {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        if e.is_empty() || !all_digits(e) {
            return None;
        }
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Text that is a JSON object or array, parsed.
pub fn parse_json_container(s: &str) -> Option<Value> {
    parse_json_container_bytes(s.as_bytes())
}

/// [`parse_json_container`] over bytes.
pub fn parse_json_container_bytes(b: &[u8]) -> Option<Value> {
    let t = b.trim_ascii_start();
    if !(t.starts_with(b"{") || t.starts_with(b"[")) {
        return None;
    }
    match serde_json::from_slice::<Value>(b) {
        Ok(v @ (Value::Object(_) | Value::Array(_))) => Some(v),
        _ => None,
    }
}

/// Parses a datetime to Unix nanoseconds (UTC). Accepted forms:
/// - ISO 8601: `YYYY-MM-DD`, optionally followed by `T` or a space and `hh:mm[:ss[.f…]]`,
///   optionally followed by `Z` or an offset `±hh[:mm]` (no zone means UTC);
/// - US / Log Analytics portal exports: `M/D/YYYY[,] [h:mm[:ss[.f…]]] [AM|PM]`.
///
/// Values outside Arrow's nanosecond range (1677-09-21 .. 2262-04-11) are `None`.
pub fn parse_datetime(s: &str) -> Option<i64> {
    parse_datetime_bytes(s.as_bytes())
}

/// [`parse_datetime`] over bytes.
pub fn parse_datetime_bytes(b: &[u8]) -> Option<i64> {
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        parse_iso(b)
    } else if b.len() >= 8 && b.iter().take(3).any(|&c| c == b'/') {
        parse_us(b)
    } else {
        None
    }
}

/// A cursor over ASCII bytes.
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    /// Between `min` and `max` digits as a number.
    fn digits(&mut self, min: usize, max: usize) -> Option<i64> {
        let start = self.i;
        let mut v: i64 = 0;
        while self.i - start < max {
            match self.peek() {
                Some(c) if c.is_ascii_digit() => {
                    v = v * 10 + i64::from(c - b'0');
                    self.i += 1;
                }
                _ => break,
            }
        }
        (self.i - start >= min).then_some(v)
    }
    /// A fraction after `.`: up to 9 digits kept, further digits ignored; in nanoseconds.
    fn fraction_nanos(&mut self) -> Option<i64> {
        let start = self.i;
        let mut nanos: i64 = 0;
        let mut n = 0;
        while let Some(c) = self.peek().filter(u8::is_ascii_digit) {
            if n < 9 {
                nanos = nanos * 10 + i64::from(c - b'0');
                n += 1;
            }
            self.i += 1;
        }
        if self.i == start {
            return None;
        }
        for _ in n..9 {
            nanos *= 10;
        }
        Some(nanos)
    }
    fn done(&self) -> bool {
        self.i == self.b.len()
    }
}

/// `hh:mm[:ss[.fff]]` → (hour, minute, second, nanos).
fn parse_clock(c: &mut Cur<'_>, hour_digits_min: usize) -> Option<(i64, i64, i64, i64)> {
    let h = c.digits(hour_digits_min, 2)?;
    if !c.eat(b':') {
        return None;
    }
    let m = c.digits(2, 2)?;
    let (mut sec, mut nanos) = (0, 0);
    if c.eat(b':') {
        sec = c.digits(2, 2)?;
        if c.eat(b'.') || c.eat(b',') {
            nanos = c.fraction_nanos()?;
        }
    }
    (m < 60 && sec < 60).then_some((h, m, sec, nanos))
}

fn parse_iso(b: &[u8]) -> Option<i64> {
    let mut c = Cur { b, i: 0 };
    let y = c.digits(4, 4)?;
    c.eat(b'-').then_some(())?;
    let mo = c.digits(2, 2)?;
    c.eat(b'-').then_some(())?;
    let d = c.digits(2, 2)?;
    let days = days_from_civil(y, mo, d)?;
    if c.done() {
        return to_nanos(days, 0, 0, 0, 0, 0);
    }
    if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
        return None;
    }
    let (h, mi, s, nanos) = parse_clock(&mut c, 2)?;
    if h > 23 {
        return None;
    }
    let mut offset_secs = 0;
    if c.eat(b'Z') || c.eat(b'z') {
    } else if let Some(sign) = c.peek().filter(|&s| s == b'+' || s == b'-') {
        c.i += 1;
        let oh = c.digits(2, 2)?;
        let om = if c.eat(b':') {
            c.digits(2, 2)?
        } else {
            c.digits(0, 2).unwrap_or(0)
        };
        if oh > 23 || om > 59 {
            return None;
        }
        offset_secs = (oh * 3600 + om * 60) * if sign == b'-' { -1 } else { 1 };
    }
    if !c.done() {
        return None;
    }
    to_nanos(days, h, mi, s, nanos, offset_secs)
}

fn parse_us(b: &[u8]) -> Option<i64> {
    let mut c = Cur { b, i: 0 };
    let mo = c.digits(1, 2)?;
    c.eat(b'/').then_some(())?;
    let d = c.digits(1, 2)?;
    c.eat(b'/').then_some(())?;
    let y = c.digits(4, 4)?;
    let days = days_from_civil(y, mo, d)?;
    if c.done() {
        return to_nanos(days, 0, 0, 0, 0, 0);
    }
    c.eat(b',');
    if !c.eat(b' ') {
        return None;
    }
    let (mut h, mi, sec, nanos) = parse_clock(&mut c, 1)?;
    let rest = b.get(c.i..)?;
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    let pm = rest.eq_ignore_ascii_case(b"PM");
    if rest.is_empty() {
        if h > 23 {
            return None;
        }
    } else if pm || rest.eq_ignore_ascii_case(b"AM") {
        if !(1..=12).contains(&h) {
            return None;
        }
        h %= 12;
        if pm {
            h += 12;
        }
    } else {
        return None;
    }
    to_nanos(days, h, mi, sec, nanos, 0)
}

fn to_nanos(days: i64, h: i64, mi: i64, s: i64, nanos: i64, offset_secs: i64) -> Option<i64> {
    let secs = days
        .checked_mul(86_400)?
        .checked_add(h * 3600 + mi * 60 + s - offset_secs)?;
    secs.checked_mul(1_000_000_000)?.checked_add(nanos)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm), or
/// `None` for an invalid date.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> Option<i64> {
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: i64 = 1_000_000_000;

    #[test]
    fn iso_datetimes() {
        // 2024-01-01T00:10:00Z = 1704067800 s since the epoch.
        assert_eq!(
            parse_datetime("2024-01-01T00:10:00Z"),
            Some(1_704_067_800 * SEC)
        );
        assert_eq!(
            parse_datetime("2024-01-01 00:10:00"),
            Some(1_704_067_800 * SEC)
        );
        assert_eq!(
            parse_datetime("2024-01-01T02:10:00+02:00"),
            Some(1_704_067_800 * SEC)
        );
        assert_eq!(
            parse_datetime("2024-01-01T00:10Z"),
            Some(1_704_067_800 * SEC)
        );
        assert_eq!(parse_datetime("2024-01-01"), Some(1_704_067_200 * SEC));
        // 2020-11-12T10:58:36Z = 1605178716 s.
        assert_eq!(
            parse_datetime("2020-11-12T10:58:36.523Z"),
            Some(1_605_178_716 * SEC + 523_000_000)
        );
        assert_eq!(
            parse_datetime("2020-11-12T10:58:36.5234567Z"),
            Some(1_605_178_716 * SEC + 523_456_700)
        );
        assert_eq!(
            parse_datetime("2020-11-12 10:58:36.523"),
            Some(1_605_178_716 * SEC + 523_000_000)
        );
        assert_eq!(parse_datetime("1969-12-31T23:59:59Z"), Some(-SEC));
        for bad in [
            "2020-13-01",
            "2021-02-29",
            "2020-11-12T25:00:00Z",
            "2020-11-12T10:61:00Z",
            "2020-11-12T10:58:36Q",
            "2020-11-12x",
            "0001-01-01T00:00:00Z",
            "hello",
            "12",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
        assert!(parse_datetime("2020-02-29").is_some());
    }

    #[test]
    fn us_datetimes() {
        let t = 1_605_178_716 * SEC + 523_000_000;
        assert_eq!(parse_datetime("11/12/2020, 10:58:36.523 AM"), Some(t));
        assert_eq!(
            parse_datetime("11/12/2020, 10:58:36.523 PM"),
            Some(t + 12 * 3600 * SEC)
        );
        assert_eq!(
            parse_datetime("1/15/2019, 12:15:02.980 AM"),
            parse_datetime("2019-01-15T00:15:02.980Z")
        );
        assert_eq!(
            parse_datetime("1/15/2019, 12:15:02 PM"),
            parse_datetime("2019-01-15T12:15:02Z")
        );
        assert_eq!(
            parse_datetime("7/8/2019 16:08"),
            parse_datetime("2019-07-08T16:08:00Z")
        );
        assert_eq!(parse_datetime("7/8/2019"), parse_datetime("2019-07-08"));
        for bad in [
            "13/1/2020",
            "1/15/2019, 13:00:00 PM",
            "1/15/2019, 0:00:00 AM",
            "1/2/20",
            "1/15/2019 10:00 XM",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }

    #[test]
    fn text_classification() {
        assert_eq!(classify_text(""), Inferred::Null);
        assert_eq!(classify_text("True"), Inferred::Bool);
        assert_eq!(classify_text("-42"), Inferred::Long);
        assert_eq!(classify_text("0.5"), Inferred::Real);
        assert_eq!(classify_text("1e-3"), Inferred::Real);
        assert_eq!(classify_text("99999999999999999999"), Inferred::Real);
        assert_eq!(classify_text("NaN"), Inferred::String);
        assert_eq!(classify_text("inf"), Inferred::String);
        assert_eq!(classify_text("0x1610"), Inferred::String);
        assert_eq!(classify_text("1."), Inferred::Real);
        assert_eq!(classify_text("."), Inferred::String);
        assert_eq!(classify_text("2019-01-15 05:24:24.010"), Inferred::Datetime);
        assert_eq!(classify_text("{\"a\": 1}"), Inferred::JsonText);
        assert_eq!(classify_text("['1.2.3.4']"), Inferred::String);
        assert_eq!(classify_text("[INFO] started"), Inferred::String);
    }

    #[test]
    fn json_classification() {
        assert_eq!(classify_json(&serde_json::json!(5)), Inferred::Long);
        assert_eq!(classify_json(&serde_json::json!(5.5)), Inferred::Real);
        assert_eq!(classify_json(&serde_json::json!(u64::MAX)), Inferred::Real);
        assert_eq!(classify_json(&serde_json::json!("5")), Inferred::String);
        assert_eq!(classify_json(&serde_json::json!("")), Inferred::Null);
        assert_eq!(
            classify_json(&serde_json::json!({"a": 1})),
            Inferred::Dynamic
        );
        assert_eq!(
            classify_json(&serde_json::json!("[1,2]")),
            Inferred::JsonText
        );
        assert_eq!(
            classify_json(&serde_json::json!("2021-08-02T13:29:25.983Z")),
            Inferred::Datetime
        );
    }

    #[test]
    fn lattice() {
        use Inferred::*;
        assert_eq!(Long.merge(Real), Real);
        assert_eq!(Null.merge(Long), Long);
        assert_eq!(Long.merge(Bool), String);
        assert_eq!(Datetime.merge(String), String);
        assert_eq!(JsonText.merge(String), String);
        assert_eq!(JsonText.merge(Null), JsonText);
        assert_eq!(JsonText.merge(Dynamic), Dynamic);
        assert_eq!(Long.merge(Dynamic), Dynamic);
        assert_eq!(Null.kql_type(), KqlType::String);
        assert_eq!(JsonText.kql_type(), KqlType::Dynamic);
    }
}
