//! Conversions, encodings and other scalar functions: `toguid`, `tohex`, `todecimal`,
//! `parse_version`, `base64_encode_fromarray`, `base64_decode_toarray`,
//! `base64_decode_toguid`, `dynamic_to_json`, `repeat`, `range` (the array function),
//! `around`, `assert`, `datetime_list_timezones` (kernels in `crate::udf::misc_ops`, the
//! base64 decoders in `crate::udf::encoding`).

use super::{arity, cast, is_string_like, lit, long_arg, ok, string_arg, try_cast, type_error};
use crate::lower::{Arg, CallContext, CallError, CallResult, Lowered};
use crate::types::KqlType;
use crate::udf::ext::{self, ExtOp};
use crate::udf::misc_ops::{self as k, MiscOp, RangeKind};
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::Expr;
use datafusion::scalar::ScalarValue;

fn text_arg(name: &str, args: &[Arg], i: usize) -> Result<Expr, CallError> {
    let a = &args[i];
    if is_string_like(a.ty) || a.ty == KqlType::Dynamic {
        Ok(string_arg(a))
    } else {
        Err(type_error(name, i, "a string", a.ty))
    }
}

/// One hour in nanoseconds: `range`'s default step for datetimes and timespans.
const HOUR_NANOS: i64 = 3_600_000_000_000;

/// `range(start, stop [, step])`: the element kind follows the start value.
fn lower_range(name: &str, args: &[Arg]) -> CallResult<Lowered> {
    arity(name, args, 2, 3, "start, stop [, step]")?;
    let step_ty = args.get(2).map(|a| a.ty);
    let as_long = |a: &Arg| cast(a.expr.clone(), DataType::Int64);
    let hour = || lit(ScalarValue::Int64(Some(HOUR_NANOS)));
    let kind = match (args[0].ty, args[1].ty) {
        (KqlType::Datetime, KqlType::Datetime) => RangeKind::Datetime,
        (KqlType::Timespan, KqlType::Timespan) => RangeKind::Timespan,
        (a, b) if a.is_numeric() && b.is_numeric() => {
            let all_int = [Some(a), Some(b), step_ty]
                .iter()
                .flatten()
                .all(|t| matches!(t, KqlType::Int | KqlType::Long));
            if all_int {
                RangeKind::Long
            } else {
                RangeKind::Real
            }
        }
        (a, b) => {
            let i = if a.is_numeric() || matches!(a, KqlType::Datetime | KqlType::Timespan) {
                1
            } else {
                0
            };
            let t = if i == 0 { a } else { b };
            return Err(type_error(
                name,
                i,
                "a number, datetime or timespan matching the start value",
                t,
            ));
        }
    };
    let step = match (kind, args.get(2)) {
        (RangeKind::Datetime | RangeKind::Timespan, None) => hour(),
        (RangeKind::Datetime | RangeKind::Timespan, Some(s)) => {
            if s.ty != KqlType::Timespan {
                return Err(type_error(name, 2, "a timespan", s.ty));
            }
            as_long(s)
        }
        (RangeKind::Long, None) => lit(ScalarValue::Int64(Some(1))),
        (RangeKind::Real, None) => lit(ScalarValue::Float64(Some(1.0))),
        (RangeKind::Long, Some(_)) => long_arg(name, args, 2)?,
        (RangeKind::Real, Some(_)) => super::real_arg(name, args, 2)?,
    };
    let (start, stop) = match kind {
        RangeKind::Real => (
            super::real_arg(name, args, 0)?,
            super::real_arg(name, args, 1)?,
        ),
        _ => (as_long(&args[0]), as_long(&args[1])),
    };
    ok(
        k::call(MiscOp::Range(kind), vec![start, stop, step]),
        KqlType::Dynamic,
    )
}

/// `around(value, center, delta)`: `center - delta <= value <= center + delta`, compared as
/// numbers (datetimes and timespans as nanoseconds); null when any argument is null.
fn lower_around(name: &str, args: &[Arg]) -> CallResult<Lowered> {
    arity(name, args, 3, 3, "value, center, delta")?;
    let (v, c, d) = (args[0].ty, args[1].ty, args[2].ty);
    let target = match (v, c, d) {
        (KqlType::Datetime, KqlType::Datetime, KqlType::Timespan)
        | (KqlType::Timespan, KqlType::Timespan, KqlType::Timespan) => DataType::Int64,
        (a, b, e) if a.is_numeric() && b.is_numeric() && e.is_numeric() => {
            if [a, b, e]
                .iter()
                .all(|t| matches!(t, KqlType::Int | KqlType::Long))
            {
                DataType::Int64
            } else {
                DataType::Float64
            }
        }
        _ => {
            return Err(CallError::types(format!(
                "`{name}` expects numbers, or a datetime (or timespan) value and center with a timespan delta, got {v}, {c}, {d}"
            )));
        }
    };
    let [value, center, delta] = [0, 1, 2].map(|i| cast(args[i].expr.clone(), target.clone()));
    let e = value
        .clone()
        .gt_eq(center.clone() - delta.clone())
        .and(value.lt_eq(center + delta));
    ok(e, KqlType::Bool)
}

/// `assert(condition, message)`: both must be constants when the query is analysed (the docs:
/// "must be evaluated to constants during the query analysis phase"); a false condition is
/// a query error "assert() has failed with message: '…'", otherwise the value is `true`.
fn lower_assert(name: &str, args: &[Arg]) -> CallResult<Lowered> {
    use datafusion::logical_expr::simplify::SimplifyContext;
    use datafusion::optimizer::simplify_expressions::ExprSimplifier;
    arity(name, args, 2, 2, "condition, message")?;
    if args[0].ty != KqlType::Bool {
        return Err(type_error(name, 0, "a bool", args[0].ty));
    }
    if !is_string_like(args[1].ty) {
        return Err(type_error(name, 1, "a string", args[1].ty));
    }
    let simplifier = ExprSimplifier::new(SimplifyContext::default());
    let fold = |e: &Expr| simplifier.simplify(e.clone()).ok();
    let not_constant = || {
        CallError::types(format!(
            "`{name}`: the condition and the message must be constants (they cannot depend on the row)"
        ))
    };
    let cond = match fold(&args[0].expr) {
        Some(Expr::Literal(ScalarValue::Boolean(b), _)) => b,
        _ => return Err(not_constant()),
    };
    let message = match fold(&cast(args[1].expr.clone(), DataType::Utf8)) {
        Some(Expr::Literal(
            ScalarValue::Utf8(s) | ScalarValue::LargeUtf8(s) | ScalarValue::Utf8View(s),
            _,
        )) => s.unwrap_or_default(),
        _ => return Err(not_constant()),
    };
    if cond == Some(true) {
        return ok(lit(ScalarValue::Boolean(Some(true))), KqlType::Bool);
    }
    // a false (or null) condition fails the query
    Err(CallError {
        code: "KQL0317",
        message: format!("assert() has failed with message: '{message}'"),
    })
}

pub(super) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<Lowered> {
    match name {
        "toguid" => {
            arity(name, args, 1, 1, "value")?;
            if args[0].ty == KqlType::Guid {
                return ok(args[0].expr.clone(), KqlType::Guid);
            }
            // other values through their text: only text holding a guid converts
            ok(
                k::call(MiscOp::ToGuid, vec![string_arg(&args[0])]),
                KqlType::Guid,
            )
        }
        "tohex" => {
            arity(name, args, 1, 2, "value [, minLength]")?;
            let int32 = match args[0].ty {
                KqlType::Int => true,
                KqlType::Long => false,
                t => return Err(type_error(name, 0, "an int or long", t)),
            };
            let min = if args.len() == 2 {
                long_arg(name, args, 1)?
            } else {
                lit(ScalarValue::Int64(Some(0)))
            };
            let v = vec![cast(args[0].expr.clone(), DataType::Int64), min];
            ok(k::call(MiscOp::ToHex { int32 }, v), KqlType::String)
        }
        // decimal is Decimal128(38, 18) here (crate::types), so values need at most 20 integer
        // digits; text that is not a number, and values out of that range, give null.
        "todecimal" => {
            arity(name, args, 1, 1, "value")?;
            let dt = KqlType::Decimal.arrow_type();
            let e = match args[0].ty {
                KqlType::Decimal => return ok(args[0].expr.clone(), KqlType::Decimal),
                KqlType::Int | KqlType::Long | KqlType::Real => try_cast(args[0].expr.clone(), dt),
                KqlType::Bool => try_cast(cast(args[0].expr.clone(), DataType::Int64), dt),
                KqlType::String | KqlType::Dynamic => try_cast(super::string_arg(&args[0]), dt),
                t => {
                    return Err(type_error(
                        name,
                        0,
                        "a number, bool, string or dynamic value",
                        t,
                    ));
                }
            };
            ok(e, KqlType::Decimal)
        }
        // the result is a decimal with scale 0 (Decimal128(38, 0)): versions reach 32 digits,
        // more than the 20 integer digits of the default decimal type
        "parse_version" => {
            arity(name, args, 1, 1, "version")?;
            ok(
                k::call(MiscOp::ParseVersion, vec![text_arg(name, args, 0)?]),
                KqlType::Decimal,
            )
        }
        "base64_encode_fromarray" => {
            arity(name, args, 1, 1, "base64_string_decoded_as_a_byte_array")?;
            if args[0].ty != KqlType::Dynamic {
                return Err(type_error(name, 0, "a dynamic array", args[0].ty));
            }
            ok(
                k::call(MiscOp::Base64FromArray, vec![args[0].expr.clone()]),
                KqlType::String,
            )
        }
        "base64_decode_toarray" => {
            arity(name, args, 1, 1, "base64_string")?;
            ok(
                ext::call(ExtOp::Base64ToArray, vec![text_arg(name, args, 0)?]),
                KqlType::Dynamic,
            )
        }
        "base64_decode_toguid" => {
            arity(name, args, 1, 1, "base64_string")?;
            ok(
                ext::call(ExtOp::Base64ToGuid, vec![text_arg(name, args, 0)?]),
                KqlType::Guid,
            )
        }
        "dynamic_to_json" => {
            arity(name, args, 1, 1, "expr")?;
            if args[0].ty != KqlType::Dynamic {
                // "the application of tostring() to that value" (dynamic-to-json-function.md)
                return ok(string_arg(&args[0]), KqlType::String);
            }
            ok(
                k::call(MiscOp::DynamicToJson, vec![args[0].expr.clone()]),
                KqlType::String,
            )
        }
        "repeat" => {
            arity(name, args, 2, 2, "value, count")?;
            // datetimes as range() writes them (full seven-digit fraction); other values as
            // pack_array does
            let v = if args[0].ty == KqlType::Datetime {
                k::call(
                    MiscOp::DatetimeJson,
                    vec![cast(args[0].expr.clone(), DataType::Int64)],
                )
            } else {
                super::dynamic_ops::json_arg(&args[0])
            };
            ok(
                k::call(MiscOp::Repeat, vec![v, long_arg(name, args, 1)?]),
                KqlType::Dynamic,
            )
        }
        "range" => lower_range(name, args),
        "around" => lower_around(name, args),
        "assert" => lower_assert(name, args),
        "datetime_list_timezones" => {
            arity(name, args, 0, 0, "")?;
            let mut names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|t| t.name()).collect();
            names.sort_unstable();
            let json = serde_json::Value::from(names).to_string();
            ok(lit(ScalarValue::Utf8(Some(json))), KqlType::Dynamic)
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use crate::KqlType;
    use crate::scalar::test_util::*;

    #[tokio::test]
    async fn conversions() {
        // toguid-function.md
        assert_eq!(
            kql("toguid", &[s("0123456789ab-cdef-0123-456789abcdef")]).await,
            (
                Some("01234567-89ab-cdef-0123-456789abcdef".into()),
                KqlType::Guid
            )
        );
        assert_eq!(
            kt("toguid", &[s("a string that is not a guid")]).await,
            "NULL"
        );
        // tohex-function.md
        assert_eq!(kt("tohex", &[l(256)]).await, "100");
        assert_eq!(kt("tohex", &[l(-256)]).await, "ffffffffffffff00");
        assert_eq!(kt("tohex", &[i(-256), l(8)]).await, "ffffff00");
        assert_eq!(kt("tohex", &[l(256), l(8)]).await, "00000100");
        assert_eq!(kt("tohex", &[l(256), l(2)]).await, "100");
        // todecimal-function.md
        assert_eq!(
            kql("todecimal", &[s("123.45678")]).await.1,
            KqlType::Decimal
        );
        assert_eq!(kt("todecimal", &[s("not a number")]).await, "NULL");
        // parse-version-function.md
        assert_eq!(
            kql("parse_version", &[s("1.2.3.4")]).await,
            (Some("1000000020000000300000004".into()), KqlType::Decimal)
        );
        assert_eq!(kt("parse_version", &[s("0.0.7.0")]).await, "700000000");
        assert_eq!(kt("parse_version", &[s("1.x")]).await, "NULL");
    }

    #[tokio::test]
    async fn base64_arrays() {
        // base64-decode-toarray-function.md, base64-decode-toguid-function.md,
        // base64-encode-fromarray-function.md
        assert_eq!(
            kql("base64_decode_toarray", &[s("S3VzdG8=")]).await,
            (Some("[75,117,115,116,111]".into()), KqlType::Dynamic)
        );
        // The docs print 10e99626-bc2b-754c-bb3e-fe606de25700 for "JpbpECu8dUy7Pv5gbeJXAA==",
        // keeping the bytes of the third group in order, while base64_encode_fromguid's page
        // reverses it (.NET byte order). We follow .NET order so the two functions invert each
        // other: the bytes 26 96 e9 10 2b bc 75 4c ... give 10e99626-bc2b-4c75-...
        assert_eq!(
            kql("base64_decode_toguid", &[s("JpbpECu8dUy7Pv5gbeJXAA==")]).await,
            (
                Some("10e99626-bc2b-4c75-bb3e-fe606de25700".into()),
                KqlType::Guid
            )
        );
        // base64-encode-fromguid-function.md, inverted
        assert_eq!(
            kt("base64_decode_toguid", &[s("8jMxriJurkmwahbmqbIS6w==")]).await,
            "ae3133f2-6e22-49ae-b06a-16e6a9b212eb"
        );
        assert_eq!(kt("base64_decode_toguid", &[s("abcd1231")]).await, "NULL");
        assert_eq!(
            kt(
                "base64_encode_fromarray",
                &[dynamic("[75,117,115,116,111]")]
            )
            .await,
            "S3VzdG8="
        );
        assert_eq!(kt("base64_encode_fromarray", &[dynamic("[300]")]).await, "");
    }

    #[tokio::test]
    async fn arrays_and_json() {
        // dynamic-to-json-function.md
        assert_eq!(
            kt(
                "dynamic_to_json",
                &[dynamic(
                    r#"{"Y10":{},"X8":{"c3":1,"d8":5,"a4":6},"D1":114,"A1":12,"B1":2,"C1":3,"A14":[15,13,18]}"#
                )]
            )
            .await,
            r#"{"A1":12,"A14":[15,13,18],"B1":2,"C1":3,"D1":114,"X8":{"a4":6,"c3":1,"d8":5},"Y10":{}}"#
        );
        assert_eq!(kt("dynamic_to_json", &[l(5)]).await, "5");
        // repeat-function.md
        assert_eq!(kt("repeat", &[l(1), l(3)]).await, "[1,1,1]");
        assert_eq!(kt("repeat", &[s("a"), l(2)]).await, r#"["a","a"]"#);
        assert_eq!(kt("repeat", &[l(1), l(0)]).await, "[]");
        let lowered = crate::lower::scalar_call("repeat", &[dt("2020-01-01"), l(2)], &cx())
            .unwrap()
            .unwrap();
        assert_eq!(
            eval_text(lowered.expr).await,
            r#"["2020-01-01T00:00:00.0000000Z","2020-01-01T00:00:00.0000000Z"]"#
        );
        assert_eq!(kt("repeat", &[l(1), l(-1)]).await, "NULL");
        // range-function.md
        assert_eq!(kt("range", &[l(1), l(8), l(3)]).await, "[1,4,7]");
        assert_eq!(kt("range", &[l(1), l(3)]).await, "[1,2,3]");
        assert_eq!(
            kt("range", &[ts(36_000_000_000), ts(180_000_000_000)]).await,
            r#"["01:00:00","02:00:00","03:00:00","04:00:00","05:00:00"]"#
        );
        // (raw text: the test helper shortens ".0000000Z")
        let lowered = crate::lower::scalar_call(
            "range",
            &[dt("2007-01-01"), dt("2007-01-03"), ts(864_000_000_000)],
            &cx(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            eval_text(lowered.expr).await,
            r#"["2007-01-01T00:00:00.0000000Z","2007-01-02T00:00:00.0000000Z","2007-01-03T00:00:00.0000000Z"]"#
        );
        assert_eq!(kt("range", &[r(1.0), l(2), r(0.5)]).await, "[1.0,1.5,2.0]");
    }

    #[tokio::test]
    async fn around_and_assert() {
        // around-function.md: within [01:29, 01:31]
        let c = || dt("2021-01-01 01:30");
        let m = || ts(600_000_000);
        assert_eq!(
            kt("around", &[dt("2021-01-01 01:29"), c(), m()]).await,
            "true"
        );
        assert_eq!(
            kt("around", &[dt("2021-01-01 01:31"), c(), m()]).await,
            "true"
        );
        assert_eq!(
            kt("around", &[dt("2021-01-01 01:32"), c(), m()]).await,
            "false"
        );
        assert_eq!(kt("around", &[l(5), l(3), r(2.0)]).await, "true");
        assert_eq!(
            kt("around", &[null(KqlType::Long), l(3), l(2)]).await,
            "NULL"
        );
        // assert-function.md
        assert_eq!(kt("assert", &[b(true), s("m")]).await, "true");
        let e = crate::lower::scalar_call(
            "assert",
            &[b(false), s("Length must be greater than zero")],
            &cx(),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "assert() has failed with message: 'Length must be greater than zero'"
        );
        let col = crate::lower::Arg::column("x", KqlType::Bool);
        assert!(crate::lower::scalar_call("assert", &[col, s("m")], &cx()).is_err());
        let (tz, ty) = kql("datetime_list_timezones", &[]).await;
        assert_eq!(ty, KqlType::Dynamic);
        assert!(tz.is_some_and(|t| t.contains("\"Europe/London\"")));
    }
}
