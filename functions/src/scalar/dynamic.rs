//! Dynamic values (JSON text): `array_length`, and property/element access for the planner
//! ([`dynamic_access`] for `d.key`, `d["key"]`, `d[0]`).

use super::{arity, cast, ok, type_error};
use crate::lower::{Arg, CallContext, CallError, CallResult, Lowered};
use crate::types::KqlType;
use crate::udf::{self, Op};
use datafusion::arrow::datatypes::DataType;

/// `base.key` / `base["key"]` / `base[index]` on a dynamic value: the member as dynamic, null
/// when missing (a negative index counts from the end). `key` must be a string or integer.
pub fn dynamic_access(base: &Arg, key: &Arg) -> Result<Lowered, CallError> {
    if base.ty != KqlType::Dynamic {
        return Err(CallError::types(format!(
            "property or element access needs a dynamic value, got {}",
            base.ty
        )));
    }
    let k = match key.ty {
        KqlType::Int | KqlType::Long => cast(key.expr.clone(), DataType::Int64),
        KqlType::String => key.expr.clone(),
        t => {
            return Err(CallError::types(format!(
                "an index must be a string or an integer, got {t}"
            )));
        }
    };
    Ok(Lowered {
        expr: udf::call(Op::DynamicGet, vec![base.expr.clone(), k]),
        ty: KqlType::Dynamic,
    })
}

pub(super) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<Lowered> {
    match name {
        "array_length" => {
            arity(name, args, 1, 1, "array")?;
            if args[0].ty != KqlType::Dynamic {
                return Err(type_error(name, 0, "a dynamic array", args[0].ty));
            }
            ok(
                udf::call(Op::ArrayLength, vec![args[0].expr.clone()]),
                KqlType::Long,
            )
        }
        // the array, set and bag functions are in `dynamic_ops`
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalar::test_util::*;

    #[tokio::test]
    async fn arrays_and_access() {
        assert_eq!(kt("array_length", &[dynamic("[1,2,3]")]).await, "3");
        assert_eq!(kt("array_length", &[dynamic("{\"a\":1}")]).await, "NULL");
        let d = dynamic(r#"{"a":{"b":[10,"x"]}}"#);
        let a = dynamic_access(&d, &s("a")).unwrap();
        let ab = dynamic_access(&Arg::expr(a.expr, a.ty), &s("b")).unwrap();
        let ab = Arg::expr(ab.expr, ab.ty);
        let last = dynamic_access(&ab, &l(-1)).unwrap();
        let first = dynamic_access(&ab, &l(0)).unwrap();
        assert_eq!(
            eval_text(crate::scalar::tostring_expr(&Arg::expr(last.expr, last.ty))).await,
            "x"
        );
        assert_eq!(eval_text(first.expr).await, "10");
        let missing = dynamic_access(&d, &s("zz")).unwrap();
        assert_eq!(eval_text(missing.expr).await, "NULL");
        assert!(dynamic_access(&s("x"), &s("a")).is_err());
    }
}
