//! Reading Kusto datetime text (the formats of `datetime(...)` literals and `todatetime()`):
//! ISO 8601, RFC 822, RFC 850 and the "sortable" forms listed on the docs page
//! `scalar-data-types/datetime.md`. Values are ticks (100 ns) since 0001-01-01T00:00:00Z.

pub const TICKS_PER_SECOND: i64 = 10_000_000;
pub const TICKS_PER_DAY: i64 = 86_400 * TICKS_PER_SECOND;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Days from 0001-01-01 to the given proleptic Gregorian date.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = year - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    // days since 1970-01-01, shifted to 0001-01-01 (719_162 days earlier)
    era * 146_097 + doe - 719_468 + 719_162
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

struct Cursor<'a> {
    s: &'a str,
}

impl<'a> Cursor<'a> {
    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let n = self.s.bytes().take_while(u8::is_ascii_digit).count();
        if n < min || n > max {
            return None;
        }
        let v = self.s[..n].parse().ok()?;
        self.s = &self.s[n..];
        Some(v)
    }
    fn eat(&mut self, c: char) -> bool {
        match self.s.strip_prefix(c) {
            Some(r) => {
                self.s = r;
                true
            }
            None => false,
        }
    }
    fn word(&mut self) -> &'a str {
        let n = self.s.bytes().take_while(u8::is_ascii_alphabetic).count();
        let w = &self.s[..n];
        self.s = &self.s[n..];
        w
    }
    fn skip_spaces(&mut self) {
        self.s = self.s.trim_start_matches(' ');
    }
}

/// `H:M[:S[.fffffff]]` → ticks within the day.
fn time_of_day(c: &mut Cursor<'_>) -> Option<i64> {
    let h = c.digits(1, 2)?;
    if !c.eat(':') {
        return None;
    }
    let m = c.digits(2, 2)?;
    let mut s = 0;
    let mut frac = 0i64;
    if c.eat(':') {
        s = c.digits(1, 2)?;
        if c.eat('.') {
            let n = c.s.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            let digits = &c.s[..n.min(7)];
            frac = digits.parse::<i64>().ok()? * 10i64.pow(7 - digits.len() as u32);
            c.s = &c.s[n..];
        }
    }
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    Some((i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s)) * TICKS_PER_SECOND + frac)
}

/// A zone suffix: `Z`, `GMT`, `UTC`, US zone abbreviations, or `±HH[:]MM`; returns the offset
/// in ticks to subtract to get UTC.
fn zone(c: &mut Cursor<'_>) -> Option<i64> {
    c.skip_spaces();
    if c.s.is_empty() {
        return Some(0);
    }
    if c.s.starts_with(['+', '-']) {
        let neg = c.s.starts_with('-');
        c.s = &c.s[1..];
        let h = c.digits(2, 2)?;
        c.eat(':');
        let m = c.digits(2, 2)?;
        let off = (i64::from(h) * 3600 + i64::from(m) * 60) * TICKS_PER_SECOND;
        return Some(if neg { -off } else { off });
    }
    let hours = match c.word() {
        "Z" | "GMT" | "UT" | "UTC" => 0,
        "EST" => -5,
        "EDT" => -4,
        "CST" => -6,
        "CDT" => -5,
        "MST" => -7,
        "MDT" => -6,
        "PST" => -8,
        "PDT" => -7,
        _ => return None,
    };
    Some(hours * 3600 * TICKS_PER_SECOND)
}

fn finish(year: i64, month: u32, day: u32, tod: i64, offset: i64) -> Option<i64> {
    if !(1..=9999).contains(&year)
        || !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
    {
        return None;
    }
    let ticks = days_from_civil(year, month, day) * TICKS_PER_DAY + tod - offset;
    (0..=days_from_civil(10_000, 1, 1) * TICKS_PER_DAY)
        .contains(&ticks)
        .then_some(ticks)
}

fn month_from(word: &str) -> Option<u32> {
    let w = word.to_ascii_lowercase();
    MONTHS.iter().position(|m| *m == w).map(|p| p as u32 + 1)
}

/// Parses datetime text to ticks since 0001-01-01 UTC; `None` when no documented format fits.
pub fn parse_datetime(text: &str) -> Option<i64> {
    let mut t = text.trim();
    // `datetime("2015-01-01")` and `datetime('2015-01-01')` are accepted too
    for q in ['"', '\''] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            t = t[1..t.len() - 1].trim();
        }
    }
    let mut c = Cursor { s: t };
    // `2025, 6, 14` (year, month, day)
    if t.as_bytes().get(4) == Some(&b',') {
        let parts: Vec<&str> = t.split(',').map(str::trim).collect();
        if let [y, m, d] = parts.as_slice() {
            let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i64>(), m.parse::<u32>(), d.parse::<u32>())
            else {
                return None;
            };
            return finish(y, m, d, 0, 0);
        }
        return None;
    }
    // US forms `M/D/YYYY[ h:mm[:ss[.f]] [AM|PM]]` and `M-D-YYYY` (as todatetime reads them)
    if let Some(v) = parse_us(t) {
        return Some(v);
    }
    if t.as_bytes().get(4) == Some(&b'-') {
        // ISO 8601 / sortable: Y-M-D[(T| )H:M[:S[.f]]][zone]
        let y = c.digits(4, 4)?;
        c.eat('-');
        let m = c.digits(1, 2)?;
        if !c.eat('-') {
            return None;
        }
        let d = c.digits(1, 2)?;
        let mut tod = 0;
        if c.eat('T') || c.eat(' ') {
            c.skip_spaces();
            tod = time_of_day(&mut c)?;
        }
        let off = zone(&mut c)?;
        if !c.s.trim().is_empty() {
            return None;
        }
        return finish(i64::from(y), m, d, tod, off);
    }
    // RFC 822 / RFC 850: [Weekday, ]D(-| )Mon(-| )YY[YY] H:M[:S] [zone]
    if t.starts_with(|ch: char| ch.is_ascii_alphabetic()) {
        let w = c.word().to_ascii_lowercase();
        if !WEEKDAYS.iter().any(|d| d.starts_with(&w) && w.len() >= 3) || !c.eat(',') {
            return None;
        }
        c.skip_spaces();
    }
    let d = c.digits(1, 2)?;
    let sep = if c.eat('-') {
        '-'
    } else if c.eat(' ') {
        ' '
    } else {
        return None;
    };
    let m = month_from(c.word())?;
    if !c.eat(sep) {
        return None;
    }
    let y = c.digits(2, 4)?;
    let year = match y {
        0..=49 => 2000 + i64::from(y),
        50..=99 => 1900 + i64::from(y),
        _ => i64::from(y),
    };
    c.skip_spaces();
    let tod = time_of_day(&mut c)?;
    let off = zone(&mut c)?;
    if !c.s.trim().is_empty() {
        return None;
    }
    finish(year, m, d, tod, off)
}

fn parse_us(t: &str) -> Option<i64> {
    let mut c = Cursor { s: t };
    let m = c.digits(1, 2)?;
    let sep = if c.eat('/') {
        '/'
    } else if c.eat('-') {
        '-'
    } else {
        return None;
    };
    let d = c.digits(1, 2)?;
    if !c.eat(sep) {
        return None;
    }
    let y = c.digits(4, 4)?;
    c.eat(',');
    c.skip_spaces();
    let mut tod = 0;
    if !c.s.is_empty() {
        tod = time_of_day(&mut c)?;
        c.skip_spaces();
        let upper = c.s.to_ascii_uppercase();
        let hour = tod / (3600 * TICKS_PER_SECOND);
        if upper == "PM" {
            if hour > 12 || hour == 0 {
                return None;
            }
            if hour < 12 {
                tod += 12 * 3600 * TICKS_PER_SECOND;
            }
            c.s = "";
        } else if upper == "AM" {
            if hour > 12 || hour == 0 {
                return None;
            }
            if hour == 12 {
                tod -= 12 * 3600 * TICKS_PER_SECOND;
            }
            c.s = "";
        }
        let off = zone(&mut c)?;
        if !c.s.trim().is_empty() {
            return None;
        }
        return finish(i64::from(y), m, d, tod, off);
    }
    finish(i64::from(y), m, d, tod, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected ticks are computed independently: (days between the dates as counted by
    // Python's `datetime.date.toordinal() - 1`) * 864e9 + time of day.
    #[test]
    fn documented_examples() {
        // date(2014, 11, 8).toordinal() - 1 == 735_544
        let day = 735_544 * TICKS_PER_DAY;
        let t = |h: i64, m: i64, s: i64| day + (h * 3600 + m * 60 + s) * TICKS_PER_SECOND;
        assert_eq!(parse_datetime("2014-11-08"), Some(day));
        assert_eq!(parse_datetime("2014-11-08 15:55"), Some(t(15, 55, 0)));
        assert_eq!(parse_datetime("2014-11-08 15:55:55"), Some(t(15, 55, 55)));
        assert_eq!(
            parse_datetime("2014-11-08 15:55:55.123456Z"),
            Some(t(15, 55, 55) + 1_234_560)
        );
        assert_eq!(parse_datetime("2014-11-08T15:55"), Some(t(15, 55, 0)));
        assert_eq!(
            parse_datetime("Sat, 8 Nov 14 15:05:02 GMT"),
            Some(t(15, 5, 2))
        );
        assert_eq!(parse_datetime("8 Nov 14 15:05"), Some(t(15, 5, 0)));
        assert_eq!(
            parse_datetime("Saturday, 08-Nov-14 15:05:02 GMT"),
            Some(t(15, 5, 2))
        );
        assert_eq!(parse_datetime("08-Nov-14 15:05"), Some(t(15, 5, 0)));
        assert_eq!(
            parse_datetime("2014-11-08 15:05:25 GMT"),
            Some(t(15, 5, 25))
        );
        assert_eq!(parse_datetime("2014-11-08T15:05 GMT"), Some(t(15, 5, 0)));
        assert_eq!(parse_datetime("2014-11-08T16:05+01:00"), Some(t(15, 5, 0)));
        // date(2015, 12, 31).toordinal() - 1 == 735_962
        assert_eq!(
            parse_datetime("2015-12-31 23:59:59.9"),
            Some(735_962 * TICKS_PER_DAY + 86_399 * TICKS_PER_SECOND + 9_000_000)
        );
        assert_eq!(parse_datetime("0001-01-01"), Some(0));
        // US forms and the comma form: 2014-11-08 as month/day/year
        assert_eq!(parse_datetime("11/08/2014"), Some(day));
        assert_eq!(parse_datetime("11-08-2014"), Some(day));
        assert_eq!(parse_datetime("11/8/2014 3:05:02 PM"), Some(t(15, 5, 2)));
        assert_eq!(parse_datetime("11/8/2014, 12:05:02 AM"), Some(t(0, 5, 2)));
        assert_eq!(parse_datetime("2014, 11, 8"), Some(day));
        // 1970-01-01 is day 719_162
        assert_eq!(
            parse_datetime("1970-01-01T00:00:00Z"),
            Some(719_162 * TICKS_PER_DAY)
        );
    }

    #[test]
    fn rejects_invalid() {
        for bad in [
            "2014-13-01",
            "2014-02-30",
            "2014-11-08 24:00",
            "2014-11-08 10:61",
            "yesterday",
            "2014/11/08",
            "2014-11-08 10:00 XYZ",
            "Sat, 32 Nov 14 15:05",
            "2014-11-08T",
            "",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
        assert!(parse_datetime("2016-02-29").is_some());
        assert!(parse_datetime("2015-02-29").is_none());
    }
}
