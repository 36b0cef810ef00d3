//! Datetime kernels over Unix nanoseconds (UTC): `startof*`/`endof*`, parts, `dayofweek`.

use super::{Part, Period, long_at, longs};
use crate::format::{civil_from_days, days_from_civil};
use crate::types::datetime_type;
use datafusion::arrow::array::{ArrayRef, DurationNanosecondArray, Int32Array, Int64Array};
use datafusion::arrow::compute::cast;
use datafusion::common::Result;
use std::sync::Arc;

const NANOS_PER_DAY: i64 = 86_400_000_000_000;
const NANOS_PER_TICK: i64 = 100;

fn split_days(nanos: i64) -> (i64, i64) {
    (
        nanos.div_euclid(NANOS_PER_DAY),
        nanos.rem_euclid(NANOS_PER_DAY),
    )
}

/// Day index with Sunday = 0 (1970-01-01 was a Thursday).
fn weekday_sunday0(days: i64) -> i64 {
    (days + 4).rem_euclid(7)
}

/// The first day (days since epoch) of the period containing `days`, moved by `offset` periods.
fn period_start(days: i64, period: Period, offset: i64) -> Option<i64> {
    Some(match period {
        Period::Day => days.checked_add(offset)?,
        Period::Week => (days - weekday_sunday0(days)).checked_add(offset.checked_mul(7)?)?,
        Period::Month => {
            let (y, m, _) = civil_from_days(days);
            let total = (y * 12 + i64::from(m) - 1).checked_add(offset)?;
            days_from_civil(total.div_euclid(12), (total.rem_euclid(12) + 1) as u32, 1)
        }
        Period::Year => days_from_civil(y_of(days).checked_add(offset)?, 1, 1),
    })
}

fn y_of(days: i64) -> i64 {
    civil_from_days(days).0
}

pub(super) fn start_of(
    ts: &ArrayRef,
    offset: Option<&ArrayRef>,
    period: Period,
    end: bool,
) -> Result<ArrayRef> {
    let v = longs(ts)?;
    let off = offset.map(longs).transpose()?;
    let out: Int64Array = (0..v.len())
        .map(|i| {
            let (days, _) = split_days(long_at(&v, i)?);
            let o = match &off {
                Some(o) => long_at(o, i)?,
                None => 0,
            };
            let d = if end {
                period_start(days, period, o.checked_add(1)?)?
            } else {
                period_start(days, period, o)?
            };
            let n = d.checked_mul(NANOS_PER_DAY)?;
            if end {
                n.checked_sub(NANOS_PER_TICK)
            } else {
                Some(n)
            }
        })
        .collect();
    Ok(cast(&(Arc::new(out) as ArrayRef), &datetime_type())?)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// ISO 8601 week number.
pub(super) fn iso_week(days: i64) -> i32 {
    let (y, _, _) = civil_from_days(days);
    let doy = days - days_from_civil(y, 1, 1) + 1;
    let wd = (days + 3).rem_euclid(7) + 1; // Monday = 1
    let w = (doy - wd + 10) / 7;
    let weeks_in = |y: i64| -> i64 {
        let jan1 = (days_from_civil(y, 1, 1) + 3).rem_euclid(7) + 1;
        if jan1 == 4 || (jan1 == 3 && is_leap(y)) {
            53
        } else {
            52
        }
    };
    if w < 1 {
        weeks_in(y - 1) as i32
    } else if w > weeks_in(y) {
        1
    } else {
        w as i32
    }
}

pub(super) fn date_part(ts: &ArrayRef, part: Part) -> Result<ArrayRef> {
    let v = longs(ts)?;
    let out: Int32Array = (0..v.len())
        .map(|i| {
            let (days, tod) = split_days(long_at(&v, i)?);
            let (y, m, d) = civil_from_days(days);
            let secs = tod / 1_000_000_000;
            Some(match part {
                Part::Year => i32::try_from(y).ok()?,
                Part::Month => m as i32,
                Part::DayOfMonth => d as i32,
                Part::DayOfYear => (days - days_from_civil(y, 1, 1) + 1) as i32,
                Part::Hour => (secs / 3600) as i32,
                Part::Minute => (secs / 60 % 60) as i32,
                Part::Second => (secs % 60) as i32,
                Part::WeekOfYear => iso_week(days),
            })
        })
        .collect();
    Ok(Arc::new(out))
}

/// `dayofweek`: the timespan since the preceding Sunday midnight (whole days).
pub(super) fn day_of_week(ts: &ArrayRef) -> Result<ArrayRef> {
    let v = longs(ts)?;
    let out: DurationNanosecondArray = (0..v.len())
        .map(|i| {
            let (days, _) = split_days(long_at(&v, i)?);
            Some(weekday_sunday0(days) * NANOS_PER_DAY)
        })
        .collect();
    Ok(Arc::new(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks() {
        // 2015-12-14 is a Monday → ISO week 51
        assert_eq!(iso_week(days_from_civil(2015, 12, 14)), 51);
        // 2021-01-01 (Friday) belongs to ISO week 53 of 2020
        assert_eq!(iso_week(days_from_civil(2021, 1, 1)), 53);
        // 2019-12-30 (Monday) is ISO week 1 of 2020
        assert_eq!(iso_week(days_from_civil(2019, 12, 30)), 1);
        assert_eq!(weekday_sunday0(days_from_civil(1947, 11, 30)), 0);
        // week-of-year-function.md: 2020-12-31 → 53 (Thursday of 2020's last week),
        // 2020-06-15 → 25, 1970-01-01 (Thursday) → 1, 2000-01-01 (Saturday) → 52 of 1999
        assert_eq!(iso_week(days_from_civil(2020, 12, 31)), 53);
        assert_eq!(iso_week(days_from_civil(2020, 6, 15)), 25);
        assert_eq!(iso_week(0), 1);
        assert_eq!(iso_week(days_from_civil(2000, 1, 1)), 52);
    }
}
