//! Conditionals and null/emptiness predicates: `iff`/`iif`, `case`, `coalesce`, `max_of`,
//! `min_of`, `isnull`, `isnotnull`/`notnull`, `isempty`, `isnotempty`/`notempty`, `not`.
//!
//! Strings are never null in KQL: `isnull(string)` is false, `isempty` is true for "" (and
//! for a physical null), and `coalesce` over strings skips empty strings.

use super::{arity, coerce, common_type, is_string_like, lit, ok, string_arg, type_error};
use crate::lower::{Arg, CallContext, CallError, CallResult, Lowered};
use crate::types::KqlType;
use datafusion::functions::core;
use datafusion::logical_expr::{Expr, when};
use datafusion::scalar::ScalarValue;

fn bool_arg(name: &str, args: &[Arg], i: usize) -> Result<Expr, CallError> {
    match args[i].ty {
        KqlType::Bool => Ok(args[i].expr.clone()),
        t => Err(type_error(name, i, "a bool", t)),
    }
}

fn common(name: &str, args: &[&Arg]) -> Result<KqlType, CallError> {
    let types: Vec<KqlType> = args.iter().map(|a| a.ty).collect();
    common_type(&types).ok_or_else(|| {
        let list: Vec<&str> = types.iter().map(|t| t.name()).collect();
        CallError::types(format!(
            "`{name}` expects arguments of one type, got ({})",
            list.join(", ")
        ))
    })
}

fn empty_string() -> Expr {
    lit(ScalarValue::Utf8(Some(String::new())))
}

fn is_empty(a: &Arg) -> Expr {
    if is_string_like(a.ty) || a.ty == KqlType::Dynamic {
        string_arg(a).eq(empty_string())
    } else {
        a.expr.clone().is_null()
    }
}

fn is_null(a: &Arg) -> Expr {
    // only strings are never null; a guid is (`isnull(toguid("x"))` is true)
    if a.ty == KqlType::String {
        lit(ScalarValue::Boolean(Some(false)))
    } else {
        a.expr.clone().is_null()
    }
}

fn to_err(e: datafusion::error::DataFusionError) -> CallError {
    CallError::types(e.to_string())
}

pub(super) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<Lowered> {
    match name {
        "iff" | "iif" => {
            arity(name, args, 3, 3, "condition, ifTrue, ifFalse")?;
            let c = bool_arg(name, args, 0)?;
            let ty = common(name, &[&args[1], &args[2]])?;
            let e = when(c, coerce(&args[1], ty))
                .otherwise(coerce(&args[2], ty))
                .map_err(to_err)?;
            ok(e, ty)
        }
        "case" => {
            arity(name, args, 3, usize::MAX, "predicate1, then1, ..., else")?;
            if args.len().is_multiple_of(2) {
                return Err(CallError::types(format!(
                    "`{name}` expects predicate/value pairs and a final else value, got {} arguments",
                    args.len()
                )));
            }
            let values: Vec<&Arg> = args
                .iter()
                .enumerate()
                .filter(|(i, _)| i % 2 == 1 || *i == args.len() - 1)
                .map(|(_, a)| a)
                .collect();
            let ty = common(name, &values)?;
            let mut b = when(bool_arg(name, args, 0)?, coerce(&args[1], ty));
            let mut i = 2;
            while i + 1 < args.len() {
                b = b.when(bool_arg(name, args, i)?, coerce(&args[i + 1], ty));
                i += 2;
            }
            ok(
                b.otherwise(coerce(&args[args.len() - 1], ty))
                    .map_err(to_err)?,
                ty,
            )
        }
        "coalesce" => {
            arity(name, args, 2, 64, "arg, arg_2, ...")?;
            let all: Vec<&Arg> = args.iter().collect();
            let ty = common(name, &all)?;
            if is_string_like(ty) {
                let mut v: Vec<Expr> = args
                    .iter()
                    .map(|a| core::nullif().call(vec![string_arg(a), empty_string()]))
                    .collect();
                v.push(empty_string());
                return ok(core::coalesce().call(v), ty);
            }
            let v = args.iter().map(|a| coerce(a, ty)).collect();
            ok(core::coalesce().call(v), ty)
        }
        "max_of" | "min_of" => {
            arity(name, args, 2, 64, "arg, arg_2, ...")?;
            let all: Vec<&Arg> = args.iter().collect();
            let ty = common(name, &all)?;
            let v = args.iter().map(|a| coerce(a, ty)).collect();
            let f = if name == "max_of" {
                core::greatest()
            } else {
                core::least()
            };
            ok(f.call(v), ty)
        }
        "isnull" => {
            arity(name, args, 1, 1, "value")?;
            ok(is_null(&args[0]), KqlType::Bool)
        }
        "isnotnull" | "notnull" => {
            arity(name, args, 1, 1, "value")?;
            ok(Expr::Not(Box::new(is_null(&args[0]))), KqlType::Bool)
        }
        "isempty" => {
            arity(name, args, 1, 1, "value")?;
            ok(is_empty(&args[0]), KqlType::Bool)
        }
        "isnotempty" | "notempty" => {
            arity(name, args, 1, 1, "value")?;
            ok(Expr::Not(Box::new(is_empty(&args[0]))), KqlType::Bool)
        }
        "not" => {
            arity(name, args, 1, 1, "expr")?;
            ok(Expr::Not(Box::new(bool_arg(name, args, 0)?)), KqlType::Bool)
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use crate::KqlType;
    use crate::scalar::test_util::*;

    #[tokio::test]
    async fn iff_and_case() {
        assert_eq!(
            kql("iff", &[b(true), s("a"), s("b")]).await,
            (Some("a".into()), KqlType::String)
        );
        assert_eq!(kt("iif", &[b(false), s("a"), s("b")]).await, "b");
        // a null condition takes the else branch
        assert_eq!(kt("iff", &[null(KqlType::Bool), l(1), l(2)]).await, "2");
        assert_eq!(
            kql("iff", &[b(true), i(1), r(2.5)]).await,
            (Some("1".into()), KqlType::Real)
        );
        assert_eq!(
            kt("iff", &[b(true), null(KqlType::Real), r(5.0)]).await,
            "NULL"
        );
        assert!(crate::lower::scalar_call("iff", &[b(true), l(1), s("x")], &cx()).is_err());
        assert!(crate::lower::scalar_call("iff", &[l(1), l(1), l(2)], &cx()).is_err());
        let c = |x: bool| b(x);
        assert_eq!(
            kt("case", &[c(false), s("a"), c(true), s("b"), s("c")]).await,
            "b"
        );
        assert_eq!(
            kt("case", &[c(false), s("a"), c(false), s("b"), s("c")]).await,
            "c"
        );
        assert!(crate::lower::scalar_call("case", &[c(false), s("a")], &cx()).is_err());
    }

    #[tokio::test]
    async fn coalesce_and_nulls() {
        // docs: coalesce(tolong("not a number"), tolong("42"), 33) → 42 (here with long nulls)
        assert_eq!(
            kt("coalesce", &[null(KqlType::Long), l(42), l(33)]).await,
            "42"
        );
        assert_eq!(kt("coalesce", &[s(""), s("x")]).await, "x");
        assert_eq!(kt("coalesce", &[s(""), s("")]).await, "");
        assert_eq!(kt("max_of", &[l(1), l(5), null(KqlType::Long)]).await, "5");
        assert_eq!(kt("min_of", &[r(1.5), l(5)]).await, "1.5");
        assert_eq!(kt("isnull", &[null(KqlType::Long)]).await, "true");
        assert_eq!(kt("isnull", &[l(1)]).await, "false");
        assert_eq!(kt("isnull", &[s("")]).await, "false");
        assert_eq!(kt("isnull", &[null(KqlType::Guid)]).await, "true");
        assert_eq!(kt("isnotnull", &[null(KqlType::Real)]).await, "false");
        assert_eq!(kt("isempty", &[s("")]).await, "true");
        assert_eq!(kt("isempty", &[null(KqlType::String)]).await, "true");
        assert_eq!(kt("isempty", &[s("a")]).await, "false");
        assert_eq!(kt("isempty", &[null(KqlType::Long)]).await, "true");
        assert_eq!(kt("isnotempty", &[s("a")]).await, "true");
        assert_eq!(kt("not", &[b(true)]).await, "false");
    }
}
