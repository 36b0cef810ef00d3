//! Math: `abs`, `round`, `ceiling`, `sign`, `sqrt`, `log`, `log2`, `log10`, `exp`, `exp2`,
//! `exp10`, `pow`, `pi`, trigonometry, `degrees`, `radians`, `isnan`, `isinf`, `isfinite`.
//!
//! Results are real except `abs`/`round`/`ceiling`/`sign` of integers, which keep the integer
//! type. `log*` and `sqrt` of a negative number give null (docs); `log(0)` is −∞.

use super::{arity, cast, lit, long_arg, ok, real_arg, type_error};
use crate::lower::{Arg, CallContext, CallResult, Lowered};
use crate::types::KqlType;
use datafusion::arrow::datatypes::DataType;
use datafusion::functions::math;
use datafusion::logical_expr::{Expr, ScalarUDF, when};
use datafusion::scalar::ScalarValue;
use std::sync::Arc;

fn real_lit(v: f64) -> Expr {
    lit(ScalarValue::Float64(Some(v)))
}

/// `f(x)` over reals, null where `x < 0`.
fn nonneg(f: Arc<ScalarUDF>, x: Expr) -> Option<Expr> {
    when(x.clone().lt(real_lit(0.0)), lit(ScalarValue::Float64(None)))
        .otherwise(f.call(vec![x]))
        .ok()
}

pub(super) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<Lowered> {
    let unary = |f: Arc<ScalarUDF>| -> CallResult<Lowered> {
        arity(name, args, 1, 1, "number")?;
        ok(f.call(vec![real_arg(name, args, 0)?]), KqlType::Real)
    };
    let integer = |t: KqlType| matches!(t, KqlType::Int | KqlType::Long);
    match name {
        "abs" | "sign" | "ceiling" => {
            arity(name, args, 1, 1, "number")?;
            let a = &args[0];
            let f = match name {
                "abs" => math::abs(),
                "sign" => math::signum(),
                _ => math::ceil(),
            };
            match a.ty {
                KqlType::Int | KqlType::Long => {
                    let e = f.call(vec![cast(a.expr.clone(), DataType::Float64)]);
                    let e = if name == "abs" {
                        math::abs().call(vec![a.expr.clone()])
                    } else {
                        cast(e, a.ty.arrow_type())
                    };
                    ok(e, a.ty)
                }
                KqlType::Real => ok(f.call(vec![a.expr.clone()]), KqlType::Real),
                KqlType::Timespan if name == "abs" => {
                    let n = math::abs().call(vec![cast(a.expr.clone(), DataType::Int64)]);
                    ok(cast(n, a.ty.arrow_type()), KqlType::Timespan)
                }
                t => Err(type_error(name, 0, "a number", t)),
            }
        }
        "round" => {
            arity(name, args, 1, 2, "number [, precision]")?;
            let p = if args.len() == 2 {
                long_arg(name, args, 1)?
            } else {
                lit(ScalarValue::Int64(Some(0)))
            };
            let e = math::round().call(vec![real_arg(name, args, 0)?, p]);
            if integer(args[0].ty) {
                ok(cast(e, DataType::Int64), KqlType::Long)
            } else {
                ok(e, KqlType::Real)
            }
        }
        "sqrt" | "log" | "log2" | "log10" => {
            arity(name, args, 1, 1, "number")?;
            let f = match name {
                "sqrt" => math::sqrt(),
                "log" => math::ln(),
                "log2" => math::log2(),
                _ => math::log10(),
            };
            let e = nonneg(f, real_arg(name, args, 0)?)
                .ok_or_else(|| crate::lower::CallError::types(format!("`{name}`: bad argument")))?;
            ok(e, KqlType::Real)
        }
        "exp" => unary(math::exp()),
        "exp2" | "exp10" => {
            arity(name, args, 1, 1, "number")?;
            let base = if name == "exp2" { 2.0 } else { 10.0 };
            ok(
                math::power().call(vec![real_lit(base), real_arg(name, args, 0)?]),
                KqlType::Real,
            )
        }
        "pow" => {
            arity(name, args, 2, 2, "base, exponent")?;
            ok(
                math::power().call(vec![real_arg(name, args, 0)?, real_arg(name, args, 1)?]),
                KqlType::Real,
            )
        }
        // rand(): a real in [0, 1); rand(N): a long in [0, N) (rand-function.md)
        "rand" => {
            arity(name, args, 0, 1, "[long]")?;
            let r = math::random().call(vec![]);
            match args.first() {
                None => ok(r, KqlType::Real),
                Some(n) => ok(
                    cast(
                        math::floor().call(vec![r * cast(n.expr.clone(), DataType::Float64)]),
                        DataType::Int64,
                    ),
                    KqlType::Long,
                ),
            }
        }
        "pi" => {
            arity(name, args, 0, 0, "")?;
            ok(real_lit(std::f64::consts::PI), KqlType::Real)
        }
        "sin" => unary(math::sin()),
        "cos" => unary(math::cos()),
        "tan" => unary(math::tan()),
        "asin" => unary(math::asin()),
        "acos" => unary(math::acos()),
        "atan" => unary(math::atan()),
        "degrees" => unary(math::degrees()),
        "radians" => unary(math::radians()),
        "atan2" => {
            arity(name, args, 2, 2, "y, x")?;
            ok(
                math::atan2().call(vec![real_arg(name, args, 0)?, real_arg(name, args, 1)?]),
                KqlType::Real,
            )
        }
        "isnan" | "isinf" | "isfinite" => {
            arity(name, args, 1, 1, "number")?;
            let x = real_arg(name, args, 0)?;
            let inf = real_lit(f64::INFINITY);
            let abs = math::abs().call(vec![x.clone()]);
            let e = match name {
                "isnan" => math::isnan().call(vec![x]),
                "isinf" => abs.eq(inf),
                // NaN < inf is false, as required
                _ => abs.lt(inf),
            };
            ok(e, KqlType::Bool)
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use crate::KqlType;
    use crate::scalar::test_util::*;

    #[tokio::test]
    async fn rounding() {
        // docs: round(2.98765, 3) = 2.988, round(2.15, 1) = 2.2, round(2.15) = 2,
        // round(-50.55, -2) = -100, round(21.5, -1) = 20
        assert_eq!(kt("round", &[r(2.98765), l(3)]).await, "2.988");
        assert_eq!(kt("round", &[r(2.15), l(1)]).await, "2.2");
        assert_eq!(kt("round", &[r(2.15)]).await, "2");
        assert_eq!(kt("round", &[r(-50.55), l(-2)]).await, "-100");
        assert_eq!(kt("round", &[r(21.5), l(-1)]).await, "20");
        assert_eq!(
            kql("round", &[l(7)]).await,
            (Some("7".into()), KqlType::Long)
        );
        assert_eq!(
            kql("abs", &[l(-7)]).await,
            (Some("7".into()), KqlType::Long)
        );
        assert_eq!(kt("abs", &[r(-1.5)]).await, "1.5");
        assert_eq!(kt("ceiling", &[r(1.2)]).await, "2");
        assert_eq!(kt("sign", &[l(-3)]).await, "-1");
    }

    #[tokio::test]
    async fn functions() {
        assert_eq!(kt("sqrt", &[l(16)]).await, "4");
        assert_eq!(kt("sqrt", &[l(-1)]).await, "NULL");
        assert_eq!(kt("log", &[r(std::f64::consts::E)]).await, "1");
        assert_eq!(kt("log", &[l(-1)]).await, "NULL");
        assert_eq!(kt("log10", &[l(100)]).await, "2");
        assert_eq!(kt("log2", &[l(8)]).await, "3");
        assert_eq!(kt("exp", &[l(0)]).await, "1");
        assert_eq!(kt("exp10", &[l(2)]).await, "100");
        assert_eq!(kt("pow", &[l(2), l(10)]).await, "1024");
        assert_eq!(kt("isnan", &[r(f64::NAN)]).await, "true");
        assert_eq!(kt("isinf", &[r(f64::NEG_INFINITY)]).await, "true");
        assert_eq!(kt("isfinite", &[r(1.0)]).await, "true");
        assert_eq!(kt("isfinite", &[r(f64::NAN)]).await, "false");
    }
}
