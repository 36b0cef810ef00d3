//! Type conversion: `tostring`, `toint`, `tolong`, `toreal`/`todouble`, `tobool`/`toboolean`,
//! `todatetime`, `totimespan`/`totime`, `parse_json`/`todynamic` (+ obsolete aliases),
//! `gettype`.
//!
//! Failed conversions give null. Numbers convert with truncation toward zero (`toint(2.3)` is
//! 2) and null on overflow; `tolong`/`toint`/`toreal` of a datetime or timespan give its ticks
//! (100 ns units; datetimes count from 0001-01-01); strings are parsed (integers: optional
//! sign and decimal digits; bools: `true`/`false` in any case; datetimes: the formats of
//! datetime literals; timespans: `[-][d.]hh:mm[:ss[.f]]` or a number with a literal unit).

use super::{arity, cast, lit, ok, try_cast, type_error};
use crate::format::EPOCH_TICKS;
use crate::lower::{Arg, CallContext, CallError, CallResult, Lowered};
use crate::types::KqlType;
use crate::udf::{self, ConvTarget, Op};
use datafusion::arrow::datatypes::DataType;
use datafusion::functions::core::expr_fn::coalesce;
use datafusion::logical_expr::Expr;
use datafusion::scalar::ScalarValue;

/// `tostring(a)` as an expression: never null (null → "").
pub fn tostring_expr(a: &Arg) -> Expr {
    match a.ty {
        KqlType::String | KqlType::Guid => coalesce(vec![
            a.expr.clone(),
            lit(ScalarValue::Utf8(Some(String::new()))),
        ]),
        KqlType::Dynamic => udf::call(Op::DynamicToString, vec![a.expr.clone()]),
        _ => udf::call(Op::ToString, vec![a.expr.clone()]),
    }
}

/// Ticks of a datetime (from 0001-01-01) or timespan expression, as Int64.
fn ticks(a: &Arg) -> Expr {
    let n = cast(a.expr.clone(), DataType::Int64) / lit(ScalarValue::Int64(Some(100)));
    if a.ty == KqlType::Datetime {
        n + lit(ScalarValue::Int64(Some(EPOCH_TICKS as i64)))
    } else {
        n
    }
}

fn from_text(a: &Arg, target: ConvTarget) -> Expr {
    udf::call(
        Op::Convert {
            target,
            dynamic: a.ty == KqlType::Dynamic,
        },
        vec![a.expr.clone()],
    )
}

fn null_of(t: KqlType) -> Expr {
    lit(ScalarValue::try_from(&t.arrow_type()).unwrap_or(ScalarValue::Null))
}

/// `toint`/`tolong`/`toreal`: to the numeric KQL type `to`.
fn to_number(name: &str, a: &Arg, to: KqlType) -> Result<Expr, CallError> {
    let dt = to.arrow_type();
    let target = match to {
        KqlType::Int => ConvTarget::Int,
        KqlType::Long => ConvTarget::Long,
        _ => ConvTarget::Real,
    };
    Ok(match a.ty {
        t if t == to => a.expr.clone(),
        KqlType::Int | KqlType::Long | KqlType::Real | KqlType::Decimal | KqlType::Bool => {
            if to == KqlType::Real {
                cast(a.expr.clone(), dt)
            } else if a.ty == KqlType::Real {
                // truncation toward zero; NaN/±inf/out of range → null
                try_cast(
                    datafusion::functions::math::expr_fn::trunc(vec![a.expr.clone()]),
                    dt,
                )
            } else {
                try_cast(a.expr.clone(), dt)
            }
        }
        KqlType::String | KqlType::Dynamic => from_text(a, target),
        KqlType::Datetime | KqlType::Timespan => try_cast(ticks(a), dt),
        KqlType::Guid => null_of(to),
        #[allow(unreachable_patterns)]
        t => return Err(type_error(name, 0, "a scalar", t)),
    })
}

pub(super) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<Lowered> {
    let one = |sig: &str| arity(name, args, 1, 1, sig);
    match name {
        "tostring" => {
            one("value")?;
            ok(tostring_expr(&args[0]), KqlType::String)
        }
        "toint" => {
            one("value")?;
            ok(to_number(name, &args[0], KqlType::Int)?, KqlType::Int)
        }
        "tolong" => {
            one("value")?;
            ok(to_number(name, &args[0], KqlType::Long)?, KqlType::Long)
        }
        "toreal" | "todouble" => {
            one("value")?;
            ok(to_number(name, &args[0], KqlType::Real)?, KqlType::Real)
        }
        "tobool" | "toboolean" => {
            one("value")?;
            let a = &args[0];
            let e = match a.ty {
                KqlType::Bool => a.expr.clone(),
                KqlType::Int | KqlType::Long | KqlType::Real | KqlType::Decimal => {
                    cast(a.expr.clone(), DataType::Float64)
                        .not_eq(lit(ScalarValue::Float64(Some(0.0))))
                }
                KqlType::String | KqlType::Dynamic => from_text(a, ConvTarget::Bool),
                t => return Err(type_error(name, 0, "a string, number or bool", t)),
            };
            ok(e, KqlType::Bool)
        }
        "todatetime" => {
            one("value")?;
            let a = &args[0];
            let e = match a.ty {
                KqlType::Datetime => a.expr.clone(),
                KqlType::String | KqlType::Dynamic => from_text(a, ConvTarget::Datetime),
                t => return Err(type_error(name, 0, "a string or datetime", t)),
            };
            ok(e, KqlType::Datetime)
        }
        "totimespan" | "totime" => {
            one("value")?;
            let a = &args[0];
            let e = match a.ty {
                KqlType::Timespan => a.expr.clone(),
                KqlType::String | KqlType::Dynamic => from_text(a, ConvTarget::Timespan),
                t => return Err(type_error(name, 0, "a string or timespan", t)),
            };
            ok(e, KqlType::Timespan)
        }
        "parse_json" | "parsejson" | "todynamic" | "toobject" => {
            one("json")?;
            let a = &args[0];
            let e = match a.ty {
                KqlType::Dynamic => a.expr.clone(),
                KqlType::String => udf::call(Op::ParseJson, vec![a.expr.clone()]),
                // a scalar becomes the dynamic scalar: numbers and bools as JSON, the rest
                // (datetime, timespan, guid text) as JSON strings
                _ => udf::call(Op::ParseJson, vec![tostring_expr(a)]),
            };
            ok(e, KqlType::Dynamic)
        }
        "gettype" => {
            one("value")?;
            match args[0].ty {
                KqlType::Dynamic => Err(CallError::not_implemented("`gettype` of a dynamic value")),
                t => ok(
                    // per row, so the result has the input's cardinality
                    lit(ScalarValue::Utf8(Some(t.name().to_string()))),
                    KqlType::String,
                ),
            }
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use crate::KqlType;
    use crate::scalar::test_util::*;

    #[tokio::test]
    async fn tostring_of_each_type() {
        assert_eq!(kt("tostring", &[l(123)]).await, "123");
        assert_eq!(kt("tostring", &[r(1.5)]).await, "1.5");
        assert_eq!(kt("tostring", &[r(1.0)]).await, "1");
        assert_eq!(kt("tostring", &[b(true)]).await, "true");
        assert_eq!(
            kt("tostring", &[dt("2017-01-01")]).await,
            "2017-01-01T00:00:00Z"
        );
        assert_eq!(
            kt("tostring", &[dt("2017-01-01 10:20:30.5")]).await,
            "2017-01-01T10:20:30.5000000Z"
        );
        assert_eq!(kt("tostring", &[ts(36_000_000_000)]).await, "01:00:00");
        assert_eq!(kt("tostring", &[null(KqlType::Long)]).await, "");
        assert_eq!(kt("tostring", &[dynamic("\"abc\"")]).await, "abc");
        assert_eq!(kt("tostring", &[dynamic("[1,2]")]).await, "[1,2]");
        assert_eq!(
            kql("tostring", &[null(KqlType::String)]).await.0.as_deref(),
            Some("")
        );
    }

    #[tokio::test]
    async fn numbers() {
        // docs: toint("123") == 123; toint(2.3) → 2; tolong("123") == 123; toreal("123.4")
        assert_eq!(
            kql("toint", &[s("123")]).await,
            (Some("123".into()), KqlType::Int)
        );
        assert_eq!(kt("toint", &[r(2.3)]).await, "2");
        assert_eq!(kt("toint", &[r(-2.7)]).await, "-2");
        assert_eq!(kt("tolong", &[s("123")]).await, "123");
        assert_eq!(kt("tolong", &[s("abc")]).await, "NULL");
        assert_eq!(kt("toint", &[l(1 << 40)]).await, "NULL");
        assert_eq!(kt("toreal", &[s("123.4")]).await, "123.4");
        assert_eq!(kt("todouble", &[l(2)]).await, "2");
        assert_eq!(kt("tolong", &[b(true)]).await, "1");
        assert_eq!(kt("tolong", &[ts(10)]).await, "10");
        assert_eq!(
            kt("tolong", &[dt("2024-01-01")]).await,
            "638396640000000000"
        );
        assert_eq!(kt("tolong", &[dynamic("42")]).await, "42");
        assert_eq!(kt("tolong", &[dynamic("\"42\"")]).await, "42");
        assert_eq!(kt("toreal", &[dynamic("1.25")]).await, "1.25");
    }

    #[tokio::test]
    async fn bools_and_times() {
        // docs: tobool("true") == true, tobool("false") == false, tobool(1), tobool(123)
        assert_eq!(kt("tobool", &[s("true")]).await, "true");
        assert_eq!(kt("tobool", &[s("FALSE")]).await, "false");
        assert_eq!(kt("tobool", &[l(1)]).await, "true");
        assert_eq!(kt("tobool", &[l(123)]).await, "true");
        assert_eq!(kt("tobool", &[l(0)]).await, "false");
        assert_eq!(kt("tobool", &[s("yes")]).await, "NULL");
        assert_eq!(
            kql("todatetime", &[s("2015-12-24")]).await,
            (Some("2015-12-24T00:00:00Z".into()), KqlType::Datetime)
        );
        assert_eq!(kt("todatetime", &[s("not a date")]).await, "NULL");
        // docs: totimespan("0.00:03:00") → 00:03:00
        assert_eq!(kt("totimespan", &[s("0.00:03:00")]).await, "00:03:00");
        assert_eq!(
            kt("totimespan", &[ts(4 * 864_000_000_000)]).await,
            "4.00:00:00"
        );
    }

    #[tokio::test]
    async fn parse_json() {
        assert_eq!(
            kql("parse_json", &[s(r#"{"a": 123, "b": [1, "x"]}"#)]).await,
            (Some(r#"{"a":123,"b":[1,"x"]}"#.into()), KqlType::Dynamic)
        );
        // not JSON → a dynamic string holding the text; tostring gives the text back
        assert_eq!(kt("parse_json", &[s("hello world")]).await, "hello world");
        assert_eq!(kt("todynamic", &[l(5)]).await, "5");
        let inner = kt("parse_json", &[s(r#"{"a":123, "b":"{\"c\":456}"}"#)]).await;
        assert_eq!(inner, r#"{"a":123,"b":"{\"c\":456}"}"#);
        assert_eq!(kt("parse_json", &[s("null")]).await, "NULL");
    }

    #[tokio::test]
    async fn arity_errors() {
        let e = crate::lower::scalar_call("tostring", &[l(1), l(2)], &cx());
        let e = e.err().map(|e| (e.code, e.message));
        assert_eq!(
            e,
            Some((
                "KQL0301",
                "`tostring` expects 1 argument (value), got 2".to_string()
            ))
        );
    }
}
