//! KQL text forms of values (the rules of `tostring()`, shared with result display).
//!
//! - datetime: `yyyy-MM-ddTHH:mm:ss[.fffffff]Z` — the 7-digit fraction only when non-zero;
//! - timespan: `[-][d.]hh:mm:ss[.fffffff]`;
//! - real: the shortest text that round-trips, in .NET's style (`1E+15`, `1E-05`, `NaN`,
//!   `Infinity`, `-Infinity`): scientific notation when the decimal exponent is below −4 or at
//!   least 15, plain digits otherwise;
//! - bool: `true` / `false`.

/// Ticks (100 ns) from 0001-01-01 to 1970-01-01.
pub const EPOCH_TICKS: i128 = 621_355_968_000_000_000;
/// Nanoseconds per tick.
pub const NANOS_PER_TICK: i128 = 100;
pub const TICKS_PER_SECOND: i128 = 10_000_000;
pub const TICKS_PER_DAY: i128 = 86_400 * TICKS_PER_SECOND;
/// 0001-01-01T00:00:00Z in Unix nanoseconds (outside i64's range, hence i128).
pub const KQL_ORIGIN_NANOS: i128 = -EPOCH_TICKS * NANOS_PER_TICK;

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) → days since 1970-01-01.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    kql_parser::datetime::days_from_civil(year, month, day) - 719_162
}

/// Formats a datetime given in Unix nanoseconds (sub-tick nanoseconds are truncated).
pub fn format_datetime_nanos(nanos: i64) -> String {
    let ticks = i128::from(nanos).div_euclid(NANOS_PER_TICK);
    let days = ticks.div_euclid(TICKS_PER_DAY);
    let tod = ticks.rem_euclid(TICKS_PER_DAY);
    // |days| < 2^64 / 864e9, so it fits in i64
    let (y, m, d) = civil_from_days(days as i64);
    let secs = tod / TICKS_PER_SECOND;
    let frac = tod % TICKS_PER_SECOND;
    let mut s = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if frac != 0 {
        s.push_str(&format!(".{frac:07}"));
    }
    s.push('Z');
    s
}

/// `tostring()` of a datetime: always seven fraction digits (`2017-10-15T12:00:00.0000000Z`),
/// as Kusto prints it (reverse-function.md, range-function.md).
pub fn format_datetime_nanos_full(nanos: i64) -> String {
    let short = format_datetime_nanos(nanos);
    match short.strip_suffix('Z') {
        Some(body) if !body.contains('.') => format!("{body}.0000000Z"),
        _ => short,
    }
}

/// Formats a timespan given in nanoseconds as `[-][d.]hh:mm:ss[.fffffff]`.
pub fn format_timespan_nanos(nanos: i64) -> String {
    let ticks = i128::from(nanos) / NANOS_PER_TICK;
    let neg = ticks < 0;
    let abs = ticks.abs();
    let days = abs / TICKS_PER_DAY;
    let rem = abs % TICKS_PER_DAY;
    let secs = rem / TICKS_PER_SECOND;
    let frac = rem % TICKS_PER_SECOND;
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    if days > 0 {
        s.push_str(&format!("{days}."));
    }
    s.push_str(&format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    ));
    if frac != 0 {
        s.push_str(&format!(".{frac:07}"));
    }
    s
}

/// Formats a real the way Kusto prints it (shortest round-trip, .NET notation).
pub fn format_real(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    // Rust's `{:e}` is the shortest round-trip mantissa with its decimal exponent.
    let sci = format!("{x:e}");
    let (mantissa, exp) = match sci.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (sci.as_str(), 0),
    };
    if !(-4..15).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}E{sign}{:02}", exp.abs())
    } else {
        format!("{x}")
    }
}

/// Formats a bool as Kusto does.
pub fn format_bool(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// The text `tostring()` gives for a dynamic value held as JSON text: a JSON string gives its
/// contents, JSON null gives "", anything else its compact JSON text.
pub fn dynamic_to_string(json: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Null) => String::new(),
        Ok(v) => v.to_string(),
        Err(_) => json.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes() {
        assert_eq!(format_datetime_nanos(0), "1970-01-01T00:00:00Z");
        // 2017-01-01: 17167 days after the epoch
        let n = 17_167i64 * 86_400 * 1_000_000_000;
        assert_eq!(format_datetime_nanos(n), "2017-01-01T00:00:00Z");
        assert_eq!(
            format_datetime_nanos(n + 1_234_567_800),
            "2017-01-01T00:00:01.2345678Z"
        );
        assert_eq!(format_datetime_nanos(-1), "1969-12-31T23:59:59.9999999Z");
        assert_eq!(days_from_civil(2017, 1, 1), 17_167);
        assert_eq!(civil_from_days(17_167), (2017, 1, 1));
        assert_eq!(civil_from_days(-719_162), (1, 1, 1));
    }

    #[test]
    fn timespans() {
        let s = 1_000_000_000i64;
        assert_eq!(format_timespan_nanos(0), "00:00:00");
        assert_eq!(
            format_timespan_nanos(((24 + 2) * 3600 + 3 * 60 + 4) * s + s / 2),
            "1.02:03:04.5000000"
        );
        assert_eq!(format_timespan_nanos(-90 * s), "-00:01:30");
        assert_eq!(format_timespan_nanos(14 * 86_400 * s), "14.00:00:00");
        assert_eq!(format_timespan_nanos(100), "00:00:00.0000001");
    }

    #[test]
    fn reals() {
        assert_eq!(format_real(1.0), "1");
        assert_eq!(format_real(4.5), "4.5");
        assert_eq!(format_real(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(format_real(1e15), "1E+15");
        assert_eq!(format_real(123_456_789_012_345.0), "123456789012345");
        assert_eq!(format_real(1e-5), "1E-05");
        assert_eq!(format_real(0.0001), "0.0001");
        assert_eq!(format_real(-2.5e-7), "-2.5E-07");
        assert_eq!(format_real(f64::NAN), "NaN");
        assert_eq!(format_real(f64::NEG_INFINITY), "-Infinity");
    }

    #[test]
    fn dynamic_text() {
        assert_eq!(dynamic_to_string("\"abc\""), "abc");
        assert_eq!(dynamic_to_string("[1, 2]"), "[1,2]");
        assert_eq!(dynamic_to_string("null"), "");
    }
}
