//! Date/time and binning: `now`, `ago`, `bin`/`floor`, `bin_at`, `startof*`/`endof*`,
//! `dayofweek`, `hourofday`, `getyear`, `getmonth`/`monthofyear`, `dayofmonth`,
//! `dayofyear`, `week_of_year`, `datetime_part`, `unixtime_*_todatetime`, `datetime_add`,
//! `datetime_diff`, `format_datetime`, `format_timespan`, `make_datetime`, `make_timespan`,
//! `datetime_utc_to_local`, `datetime_local_to_utc` (the calendar kernels are in
//! `crate::udf::datetime_fn`; period and part names must be string literals).
//!
//! `bin(value, size)`: the largest multiple of `size` not above `value`. Number types follow
//! Kusto's signature (the widest argument type, int promoted to long: `bin(int, int)` is long,
//! any real makes it real); `bin(timespan, timespan)` is a timespan; `bin(datetime, timespan)`
//! aligns to 0001-01-01T00:00:00Z, Kusto's origin (so 7d bins start on Mondays). A null, zero
//! or negative size gives null.

use super::{arity, cast, lit, long_arg, ok, real_arg, type_error};
use crate::lower::{Arg, CallContext, CallError, CallResult, Lowered};
use crate::types::{KqlType, datetime_type};
use crate::udf::datetime_fn::{self as dt, DtOp, DtPart, Unit};
use crate::udf::{self, Op, Part, Period};
use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::logical_expr::Expr;
use datafusion::scalar::ScalarValue;

fn now_lit(cx: &CallContext) -> Expr {
    lit(ScalarValue::TimestampNanosecond(
        Some(cx.now_nanos),
        Some("UTC".into()),
    ))
}

fn duration() -> DataType {
    DataType::Duration(TimeUnit::Nanosecond)
}

fn datetime_arg(name: &str, args: &[Arg], i: usize) -> Result<Expr, CallError> {
    match args[i].ty {
        KqlType::Datetime => Ok(cast(args[i].expr.clone(), datetime_type())),
        t => Err(type_error(name, i, "a datetime", t)),
    }
}

/// A string argument (format, time zone) as Utf8.
fn text_arg(name: &str, args: &[Arg], i: usize) -> Result<Expr, CallError> {
    match args[i].ty {
        KqlType::String => Ok(cast(args[i].expr.clone(), DataType::Utf8)),
        t => Err(type_error(name, i, "a string", t)),
    }
}

/// A string-literal argument (a period or part name).
fn literal_name(name: &str, args: &[Arg], i: usize) -> Result<String, CallError> {
    match &args[i].literal {
        Some(
            ScalarValue::Utf8(Some(p))
            | ScalarValue::LargeUtf8(Some(p))
            | ScalarValue::Utf8View(Some(p)),
        ) => Ok(p.clone()),
        _ => Err(type_error(name, i, "a string literal", args[i].ty)),
    }
}

/// The period of `datetime_add` / `datetime_diff` (argument 1, a string literal).
fn unit_arg(name: &str, args: &[Arg]) -> Result<Unit, CallError> {
    let p = literal_name(name, args, 0)?;
    Unit::parse(&p).ok_or_else(|| {
        CallError::types(format!(
            "`{name}`: unknown period \"{p}\" (expected Year, Quarter, Month, Week, Day, Hour, Minute, Second, Millisecond, Microsecond or Nanosecond)"
        ))
    })
}

fn timespan_arg(name: &str, args: &[Arg], i: usize) -> Result<Expr, CallError> {
    match args[i].ty {
        KqlType::Timespan => Ok(cast(args[i].expr.clone(), duration())),
        t => Err(type_error(name, i, "a timespan", t)),
    }
}

/// `bin(value, size)` / `bin_at(value, size, fixed_point)`.
fn bin(name: &str, args: &[Arg]) -> CallResult<Lowered> {
    let at = name == "bin_at";
    if at {
        arity(name, args, 3, 3, "value, bin_size, fixed_point")?;
    } else {
        arity(name, args, 2, 2, "value, roundTo")?;
    }
    let (v, s) = (&args[0], &args[1]);
    let num = |t: KqlType| matches!(t, KqlType::Int | KqlType::Long | KqlType::Real);
    let (dt, size_dt, ty) = match (v.ty, s.ty) {
        (a, b) if num(a) && num(b) && (!at || num(args[2].ty)) => {
            if [a, b].contains(&KqlType::Real) || (at && args[2].ty == KqlType::Real) {
                (DataType::Float64, DataType::Float64, KqlType::Real)
            } else {
                (DataType::Int64, DataType::Int64, KqlType::Long)
            }
        }
        (KqlType::Timespan, KqlType::Timespan) => (duration(), duration(), KqlType::Timespan),
        (KqlType::Datetime, KqlType::Timespan) => (datetime_type(), duration(), KqlType::Datetime),
        (KqlType::Decimal, _) | (_, KqlType::Decimal) => {
            return Err(CallError::not_implemented(&format!("`{name}` on decimals")));
        }
        (a, b) => {
            return Err(CallError::types(format!(
                "`{name}` expects (number, number), (timespan, timespan) or (datetime, timespan), got ({a}, {b})"
            )));
        }
    };
    let mut call_args = vec![
        cast(v.expr.clone(), dt.clone()),
        cast(s.expr.clone(), size_dt),
    ];
    if at {
        let o = &args[2];
        let ok_origin = match ty {
            KqlType::Real | KqlType::Long => num(o.ty),
            _ => o.ty == v.ty,
        };
        if !ok_origin {
            return Err(type_error(name, 2, &format!("a {}", v.ty), o.ty));
        }
        call_args.push(cast(o.expr.clone(), dt));
    }
    ok(
        udf::call(if at { Op::BinAt } else { Op::Bin }, call_args),
        ty,
    )
}

fn start_of(name: &str, args: &[Arg], period: Period, end: bool) -> CallResult<Lowered> {
    arity(name, args, 1, 2, "date [, offset]")?;
    let mut v = vec![datetime_arg(name, args, 0)?];
    if args.len() == 2 {
        v.push(long_arg(name, args, 1)?);
    }
    ok(udf::call(Op::StartOf { period, end }, v), KqlType::Datetime)
}

fn part(name: &str, args: &[Arg], p: Part) -> CallResult<Lowered> {
    arity(name, args, 1, 1, "date")?;
    ok(
        udf::call(Op::DatePart(p), vec![datetime_arg(name, args, 0)?]),
        KqlType::Int,
    )
}

fn unixtime(name: &str, args: &[Arg], nanos_per_unit: i64) -> CallResult<Lowered> {
    arity(name, args, 1, 1, "value")?;
    let a = &args[0];
    // "If the conversion is successful, the result is a datetime value; otherwise null"
    // (unixtime-seconds-todatetime-function.md): a value whose nanoseconds do not fit the
    // datetime range, NaN or an infinity gives null, not an overflow or a cast error.
    let nanos = match a.ty {
        KqlType::Int | KqlType::Long => {
            let x = cast(a.expr.clone(), DataType::Int64);
            let bound = i64::MAX / nanos_per_unit;
            Expr::Case(datafusion::logical_expr::expr::Case::new(
                None,
                vec![(
                    Box::new(x.clone().between(
                        lit(ScalarValue::Int64(Some(-bound))),
                        lit(ScalarValue::Int64(Some(bound))),
                    )),
                    Box::new(x * lit(ScalarValue::Int64(Some(nanos_per_unit)))),
                )],
                Some(Box::new(lit(ScalarValue::Int64(None)))),
            ))
        }
        KqlType::Real | KqlType::Decimal => Expr::TryCast(datafusion::logical_expr::TryCast::new(
            Box::new(
                cast(a.expr.clone(), DataType::Float64)
                    * lit(ScalarValue::Float64(Some(nanos_per_unit as f64))),
            ),
            DataType::Int64,
        )),
        t => return Err(type_error(name, 0, "a number", t)),
    };
    ok(cast(nanos, datetime_type()), KqlType::Datetime)
}

pub(super) fn lower(name: &str, args: &[Arg], cx: &CallContext) -> CallResult<Lowered> {
    match name {
        "now" => {
            arity(name, args, 0, 1, "[offset]")?;
            let mut e = now_lit(cx);
            if !args.is_empty() {
                e = e + timespan_arg(name, args, 0)?;
            }
            ok(e, KqlType::Datetime)
        }
        "ago" => {
            arity(name, args, 1, 1, "timespan")?;
            ok(
                now_lit(cx) - timespan_arg(name, args, 0)?,
                KqlType::Datetime,
            )
        }
        "bin" | "floor" | "bin_at" => bin(name, args),
        "startofday" => start_of(name, args, Period::Day, false),
        "startofweek" => start_of(name, args, Period::Week, false),
        "startofmonth" => start_of(name, args, Period::Month, false),
        "startofyear" => start_of(name, args, Period::Year, false),
        "endofday" => start_of(name, args, Period::Day, true),
        "endofweek" => start_of(name, args, Period::Week, true),
        "endofmonth" => start_of(name, args, Period::Month, true),
        "endofyear" => start_of(name, args, Period::Year, true),
        "getyear" => part(name, args, Part::Year),
        "getmonth" | "monthofyear" => part(name, args, Part::Month),
        "dayofmonth" => part(name, args, Part::DayOfMonth),
        "dayofyear" => part(name, args, Part::DayOfYear),
        "hourofday" => part(name, args, Part::Hour),
        "week_of_year" | "weekofyear" => part(name, args, Part::WeekOfYear),
        "dayofweek" => {
            arity(name, args, 1, 1, "date")?;
            ok(
                udf::call(Op::DayOfWeek, vec![datetime_arg(name, args, 0)?]),
                KqlType::Timespan,
            )
        }
        "datetime_part" | "datepart" => {
            arity(name, args, 2, 2, "part, datetime")?;
            let p = literal_name(name, args, 0)?;
            let Some(p) = DtPart::parse(&p) else {
                return Err(CallError::types(format!(
                    "`{name}`: unknown part \"{p}\" (expected Year, Quarter, Month, week_of_year, Day, DayOfYear, Hour, Minute, Second, Millisecond, Microsecond or Nanosecond)"
                )));
            };
            ok(
                dt::call(DtOp::Part(p), vec![datetime_arg(name, args, 1)?]),
                KqlType::Int,
            )
        }
        "unixtime_seconds_todatetime" => unixtime(name, args, 1_000_000_000),
        "unixtime_milliseconds_todatetime" => unixtime(name, args, 1_000_000),
        "unixtime_microseconds_todatetime" => unixtime(name, args, 1_000),
        "unixtime_nanoseconds_todatetime" => unixtime(name, args, 1),
        "datetime_add" => {
            arity(name, args, 3, 3, "period, amount, datetime")?;
            let u = unit_arg(name, args)?;
            ok(
                dt::call(
                    DtOp::Add(u),
                    vec![long_arg(name, args, 1)?, datetime_arg(name, args, 2)?],
                ),
                KqlType::Datetime,
            )
        }
        "datetime_diff" => {
            arity(name, args, 3, 3, "period, datetime1, datetime2")?;
            let u = unit_arg(name, args)?;
            ok(
                dt::call(
                    DtOp::Diff(u),
                    vec![datetime_arg(name, args, 1)?, datetime_arg(name, args, 2)?],
                ),
                KqlType::Long,
            )
        }
        "format_datetime" => {
            arity(name, args, 2, 2, "date, format")?;
            ok(
                dt::call(
                    DtOp::FormatDatetime,
                    vec![datetime_arg(name, args, 0)?, text_arg(name, args, 1)?],
                ),
                KqlType::String,
            )
        }
        "format_timespan" => {
            arity(name, args, 2, 2, "timespan, format")?;
            ok(
                dt::call(
                    DtOp::FormatTimespan,
                    vec![timespan_arg(name, args, 0)?, text_arg(name, args, 1)?],
                ),
                KqlType::String,
            )
        }
        "make_datetime" => {
            if ![3, 5, 6].contains(&args.len()) {
                return Err(CallError::types(format!(
                    "`{name}` expects 3, 5 or 6 arguments (year, month, day [, hour, minute [, second]]), got {}",
                    args.len()
                )));
            }
            let mut v = Vec::with_capacity(args.len());
            for i in 0..args.len().min(5) {
                v.push(long_arg(name, args, i)?);
            }
            if args.len() == 6 {
                v.push(real_arg(name, args, 5)?);
            }
            ok(dt::call(DtOp::MakeDatetime, v), KqlType::Datetime)
        }
        "make_timespan" => {
            arity(name, args, 2, 4, "[day,] hour, minute [, second]")?;
            let n = args.len();
            let mut v = Vec::with_capacity(n);
            for i in 0..if n == 2 { 2 } else { n - 1 } {
                v.push(long_arg(name, args, i)?);
            }
            if n > 2 {
                v.push(real_arg(name, args, n - 1)?);
            }
            ok(dt::call(DtOp::MakeTimespan, v), KqlType::Timespan)
        }
        "datetime_utc_to_local" | "datetime_local_to_utc" => {
            arity(name, args, 2, 2, "from, timezone")?;
            let op = if name == "datetime_utc_to_local" {
                DtOp::UtcToLocal
            } else {
                DtOp::LocalToUtc
            };
            ok(
                dt::call(
                    op,
                    vec![datetime_arg(name, args, 0)?, text_arg(name, args, 1)?],
                ),
                KqlType::Datetime,
            )
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use crate::KqlType;
    use crate::scalar::test_util::*;

    const HOUR: i64 = 36_000_000_000;
    const DAY: i64 = 24 * HOUR;

    #[tokio::test]
    async fn now_and_ago() {
        assert_eq!(
            kql("now", &[]).await,
            (Some("2024-01-10T12:00:00Z".into()), KqlType::Datetime)
        );
        assert_eq!(kt("ago", &[ts(HOUR)]).await, "2024-01-10T11:00:00Z");
        assert_eq!(kt("now", &[ts(-DAY)]).await, "2024-01-09T12:00:00Z");
    }

    #[tokio::test]
    async fn bin_numbers() {
        // docs: bin(4.5, 1) → 4
        assert_eq!(
            kql("bin", &[r(4.5), l(1)]).await,
            (Some("4".into()), KqlType::Real)
        );
        assert_eq!(
            kql("bin", &[i(7), i(5)]).await,
            (Some("5".into()), KqlType::Long)
        );
        assert_eq!(kt("bin", &[l(-1), l(5)]).await, "-5");
        assert_eq!(kt("floor", &[r(-0.5), r(0.25)]).await, "-0.5");
        assert_eq!(kt("bin", &[l(7), l(-5)]).await, "NULL");
        assert_eq!(kt("bin", &[l(7), l(0)]).await, "NULL");
        assert_eq!(kt("bin", &[null(KqlType::Long), l(5)]).await, "NULL");
        assert_eq!(kt("bin_at", &[l(7), l(5), l(3)]).await, "3");
        assert_eq!(kt("bin_at", &[r(6.5), r(2.5), r(1.0)]).await, "6");
    }

    #[tokio::test]
    async fn bin_times() {
        // docs: bin(time(16d), 7d) → 14.00:00:00
        assert_eq!(
            kql("bin", &[ts(16 * DAY), ts(7 * DAY)]).await,
            (Some("14.00:00:00".into()), KqlType::Timespan)
        );
        // docs: bin(datetime(1970-05-11 13:45:07), 1d) → 1970-05-11T00:00:00Z
        assert_eq!(
            kql("bin", &[dt("1970-05-11 13:45:07"), ts(DAY)]).await,
            (Some("1970-05-11T00:00:00Z".into()), KqlType::Datetime)
        );
        assert_eq!(
            kt("bin", &[dt("2024-01-10 13:45"), ts(HOUR)]).await,
            "2024-01-10T13:00:00Z"
        );
        // 0001-01-01 was a Monday, so 7d bins start on Mondays: 2024-01-10 → 2024-01-08
        assert_eq!(
            kt("bin", &[dt("2024-01-10"), ts(7 * DAY)]).await,
            "2024-01-08T00:00:00Z"
        );
        assert_eq!(
            kt("bin", &[dt("1969-12-31 23:00"), ts(DAY)]).await,
            "1969-12-31T00:00:00Z"
        );
        // bin_at docs: bin_at(datetime(2017-05-15 10:20:00.0), 1d, datetime(1970-01-01 12:00:00.0))
        assert_eq!(
            kt(
                "bin_at",
                &[
                    dt("2017-05-15 10:20:00.0"),
                    ts(DAY),
                    dt("1970-01-01 12:00:00.0")
                ]
            )
            .await,
            "2017-05-14T12:00:00Z"
        );
        // bin_at(time(1h), 1d, 12h) → -12:00:00
        assert_eq!(
            kt("bin_at", &[ts(HOUR), ts(DAY), ts(12 * HOUR)]).await,
            "-12:00:00"
        );
        assert!(crate::lower::scalar_call("bin", &[dt("2024-01-01"), l(1)], &cx()).is_err());
    }

    #[tokio::test]
    async fn periods_and_parts() {
        let d = || dt("2017-01-01 10:10:17");
        assert_eq!(kt("startofday", &[d()]).await, "2017-01-01T00:00:00Z");
        assert_eq!(
            kt("startofday", &[d(), l(-1)]).await,
            "2016-12-31T00:00:00Z"
        );
        assert_eq!(kt("endofday", &[d()]).await, "2017-01-01T23:59:59.9999999Z");
        // 2017-01-01 is a Sunday
        assert_eq!(
            kt("startofweek", &[dt("2017-01-04")]).await,
            "2017-01-01T00:00:00Z"
        );
        assert_eq!(
            kt("startofmonth", &[d(), l(1)]).await,
            "2017-02-01T00:00:00Z"
        );
        assert_eq!(
            kt("startofmonth", &[d(), l(-1)]).await,
            "2016-12-01T00:00:00Z"
        );
        assert_eq!(
            kt("endofmonth", &[dt("2016-02-10")]).await,
            "2016-02-29T23:59:59.9999999Z"
        );
        assert_eq!(kt("startofyear", &[d()]).await, "2017-01-01T00:00:00Z");
        assert_eq!(
            kt("endofyear", &[d()]).await,
            "2017-12-31T23:59:59.9999999Z"
        );
        assert_eq!(
            kql("hourofday", &[d()]).await,
            (Some("10".into()), KqlType::Int)
        );
        assert_eq!(kt("getyear", &[d()]).await, "2017");
        assert_eq!(kt("getmonth", &[dt("2015-10-12")]).await, "10");
        assert_eq!(kt("dayofmonth", &[dt("2015-12-14")]).await, "14");
        assert_eq!(kt("dayofyear", &[dt("2015-12-14")]).await, "348");
        assert_eq!(kt("week_of_year", &[dt("2015-12-14")]).await, "51");
        // docs: dayofweek(datetime(1947-11-30 10:00:05)) → 00:00:00 (Sunday),
        // dayofweek(datetime(1970-05-11)) → 1.00:00:00 (Monday)
        assert_eq!(
            kt("dayofweek", &[dt("1947-11-30 10:00:05")]).await,
            "00:00:00"
        );
        assert_eq!(
            kql("dayofweek", &[dt("1970-05-11")]).await,
            (Some("1.00:00:00".into()), KqlType::Timespan)
        );
        assert_eq!(kt("datetime_part", &[s("hour"), d()]).await, "10");
        assert_eq!(
            kt("unixtime_seconds_todatetime", &[l(1_546_300_800)]).await,
            "2019-01-01T00:00:00Z"
        );
        assert_eq!(
            kt(
                "unixtime_milliseconds_todatetime",
                &[r(1_546_300_800_000.0)]
            )
            .await,
            "2019-01-01T00:00:00Z"
        );
        // "otherwise, the result is null": out of the datetime range, NaN, infinities
        // (fuzz finding: these were cast or overflow errors)
        for (f, arg) in [
            ("unixtime_seconds_todatetime", r(f64::NEG_INFINITY)),
            ("unixtime_seconds_todatetime", r(f64::NAN)),
            ("unixtime_milliseconds_todatetime", r(1e300)),
            ("unixtime_seconds_todatetime", l(i64::MAX / 2)),
            ("unixtime_microseconds_todatetime", l(i64::MIN)),
        ] {
            assert_eq!(kql(f, &[arg]).await, (None, KqlType::Datetime), "{f}");
        }
        assert_eq!(
            kt("unixtime_nanoseconds_todatetime", &[l(-1_000_000_000)]).await,
            "1969-12-31T23:59:59Z"
        );
    }

    #[tokio::test]
    async fn add_and_diff() {
        let d = || dt("2017-01-01");
        // docs (datetime-add-function.md): one of each period added to 2017-01-01
        for (p, n, want) in [
            ("year", 1, "2018-01-01T00:00:00Z"),
            ("Quarter", 1, "2017-04-01T00:00:00Z"),
            ("month", 1, "2017-02-01T00:00:00Z"),
            ("week", 1, "2017-01-08T00:00:00Z"),
            ("day", 1, "2017-01-02T00:00:00Z"),
            ("hour", 1, "2017-01-01T01:00:00Z"),
            ("minute", 1, "2017-01-01T00:01:00Z"),
            ("second", 1, "2017-01-01T00:00:01Z"),
            ("year", -5, "2012-01-01T00:00:00Z"),
            ("month", -15, "2015-10-01T00:00:00Z"),
        ] {
            assert_eq!(
                kql("datetime_add", &[s(p), i(n), d()]).await,
                (Some(want.into()), KqlType::Datetime),
                "{p} {n}"
            );
        }
        // day clamped: 2017-01-31 + 1 month → 2017-02-28
        assert_eq!(
            kt("datetime_add", &[s("month"), l(1), dt("2017-01-31")]).await,
            "2017-02-28T00:00:00Z"
        );
        assert_eq!(
            kt("datetime_add", &[s("day"), null(KqlType::Long), d()]).await,
            "NULL"
        );
        // docs (datetime-diff-function.md): 17 year boundaries; 5 Sunday-started weeks
        assert_eq!(
            kql("datetime_diff", &[s("year"), d(), dt("2000-12-31")]).await,
            (Some("17".into()), KqlType::Long)
        );
        assert_eq!(
            kt(
                "datetime_diff",
                &[s("week"), dt("2017-10-29 00:00"), dt("2017-09-30 23:59")]
            )
            .await,
            "5"
        );
        assert_eq!(
            kt(
                "datetime_diff",
                &[
                    s("nanosecond"),
                    dt("2017-10-30 23:00:00.0000000"),
                    dt("2017-10-30 23:00:00.0000007")
                ]
            )
            .await,
            "-700"
        );
        assert_eq!(
            kt("datetime_diff", &[s("day"), null(KqlType::Datetime), d()]).await,
            "NULL"
        );
        assert!(
            crate::lower::scalar_call("datetime_add", &[s("decade"), l(1), d()], &cx()).is_err()
        );
        let col = crate::lower::Arg::column("p", KqlType::String);
        assert!(crate::lower::scalar_call("datetime_diff", &[col, d(), d()], &cx()).is_err());
    }

    #[tokio::test]
    async fn all_parts() {
        // docs (datetime-part-function.md): datetime(2017-10-30 01:02:03.7654321)
        let d = || dt("2017-10-30 01:02:03.7654321");
        for (p, want) in [
            ("year", "2017"),
            ("quarter", "4"),
            ("month", "10"),
            ("week_of_year", "44"),
            ("day", "30"),
            ("dayOfYear", "303"),
            ("hour", "1"),
            ("minute", "2"),
            ("second", "3"),
            ("millisecond", "765"),
            ("microsecond", "765432"),
            ("nanosecond", "765432100"),
        ] {
            assert_eq!(
                kql("datetime_part", &[s(p), d()]).await,
                (Some(want.into()), KqlType::Int),
                "{p}"
            );
        }
        assert_eq!(
            kt("datetime_part", &[s("year"), null(KqlType::Datetime)]).await,
            "NULL"
        );
    }

    #[tokio::test]
    async fn formatting() {
        let d = || dt("2017-01-29 09:00:05");
        // docs (format-datetime-function.md)
        assert_eq!(
            kql("format_datetime", &[d(), s("yy-MM-dd [HH:mm:ss]")]).await,
            (Some("17-01-29 [09:00:05]".into()), KqlType::String)
        );
        assert_eq!(
            kt("format_datetime", &[d(), s("yyyy-M-dd [H:mm:ss]")]).await,
            "2017-1-29 [9:00:05]"
        );
        assert_eq!(
            kt("format_datetime", &[d(), s("yy-MM-dd [hh:mm:ss tt]")]).await,
            "17-01-29 [09:00:05 AM]"
        );
        // docs (format-timespan-function.md): time(29.09:00:05.12345)
        let t = || ts(((29 * 24 + 9) * 3600 + 5) * 10_000_000 + 1_234_500);
        assert_eq!(
            kt("format_timespan", &[t(), s("dd.hh:mm:ss:FF")]).await,
            "29.09:00:05:12"
        );
        assert_eq!(
            kt("format_timespan", &[t(), s("ddd.h:mm:ss [fffffff]")]).await,
            "029.9:00:05 [1234500]"
        );
        assert_eq!(
            kt("format_datetime", &[null(KqlType::Datetime), s("yyyy")]).await,
            "NULL"
        );
    }

    #[tokio::test]
    async fn making() {
        // docs (make-datetime-function.md)
        assert_eq!(
            kql("make_datetime", &[i(2017), i(10), i(1)]).await,
            (Some("2017-10-01T00:00:00Z".into()), KqlType::Datetime)
        );
        assert_eq!(
            kt("make_datetime", &[i(2017), i(10), i(1), i(12), i(10)]).await,
            "2017-10-01T12:10:00Z"
        );
        assert_eq!(
            kt(
                "make_datetime",
                &[i(2017), i(10), i(1), i(12), i(11), r(0.1234567)]
            )
            .await,
            "2017-10-01T12:11:00.1234567Z"
        );
        // 2017 is not a leap year
        assert_eq!(kt("make_datetime", &[i(2017), i(2), i(29)]).await, "NULL");
        assert!(
            crate::lower::scalar_call("make_datetime", &[i(1), i(2), i(3), i(4)], &cx()).is_err()
        );
        // docs (make-timespan-function.md): make_timespan(1,12,30,55.123)
        assert_eq!(
            kql("make_timespan", &[i(1), i(12), i(30), r(55.123)]).await,
            (Some("1.12:30:55.1230000".into()), KqlType::Timespan)
        );
        assert_eq!(kt("make_timespan", &[i(2), i(30)]).await, "02:30:00");
        assert_eq!(kt("make_timespan", &[i(2), i(30), i(15)]).await, "02:30:15");
        assert_eq!(kt("make_timespan", &[i(2), i(60)]).await, "NULL");
    }

    #[tokio::test]
    async fn time_zones() {
        // docs (datetime-local-to-utc-function.md): 2020-02-02 20:02:20 local
        let d = || dt("2020-02-02 20:02:20");
        assert_eq!(
            kql("datetime_local_to_utc", &[d(), s("America/Chicago")]).await,
            (Some("2020-02-03T02:02:20Z".into()), KqlType::Datetime)
        );
        assert_eq!(
            kt("datetime_local_to_utc", &[d(), s("Europe/Paris")]).await,
            "2020-02-02T19:02:20Z"
        );
        // docs (datetime-utc-to-local-function.md): 2022-07-11 22:18:48 UTC is 15:18:48 in
        // US/Pacific (PDT, UTC-7) and 08:18:48 the next day in Australia/Canberra (AEST, UTC+10)
        let u = || dt("2022-07-11 22:18:48.4678620");
        assert_eq!(
            kt("datetime_utc_to_local", &[u(), s("US/Pacific")]).await,
            "2022-07-11T15:18:48.4678620Z"
        );
        assert_eq!(
            kt("datetime_utc_to_local", &[u(), s("Australia/Canberra")]).await,
            "2022-07-12T08:18:48.4678620Z"
        );
        assert_eq!(
            kt("datetime_utc_to_local", &[u(), s("No/Such_Zone")]).await,
            "NULL"
        );
    }
}
