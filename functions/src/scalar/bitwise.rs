//! Bitwise functions: `binary_and`, `binary_or`, `binary_xor`, `binary_not`,
//! `binary_shift_left`, `binary_shift_right` (binary-*-function.md). Arguments are longs;
//! shifts use `shift % 64` and a negative shift gives null. (`bitset_count_ones` is in
//! `hash.rs` with the other UDF-backed functions.)

use super::{arity, lit, long_arg, ok};
use crate::lower::{Arg, CallContext, CallResult, Lowered};
use crate::types::KqlType;
use datafusion::logical_expr::{BinaryExpr, Expr, Operator, when};
use datafusion::scalar::ScalarValue;

fn bin(l: Expr, op: Operator, r: Expr) -> Expr {
    Expr::BinaryExpr(BinaryExpr::new(Box::new(l), op, Box::new(r)))
}

fn long_lit(v: i64) -> Expr {
    lit(ScalarValue::Int64(Some(v)))
}

pub(super) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<Lowered> {
    let op = match name {
        "binary_and" => Operator::BitwiseAnd,
        "binary_or" => Operator::BitwiseOr,
        "binary_xor" => Operator::BitwiseXor,
        "binary_shift_left" => Operator::BitwiseShiftLeft,
        "binary_shift_right" => Operator::BitwiseShiftRight,
        "binary_not" => {
            arity(name, args, 1, 1, "long")?;
            let v = long_arg(name, args, 0)?;
            return ok(bin(v, Operator::BitwiseXor, long_lit(-1)), KqlType::Long);
        }
        _ => return Ok(None),
    };
    arity(name, args, 2, 2, "long, long")?;
    let (a, b) = (long_arg(name, args, 0)?, long_arg(name, args, 1)?);
    let e = match op {
        Operator::BitwiseShiftLeft | Operator::BitwiseShiftRight => {
            // shift % 64 (Euclidean, so the shifted amount is in 0..64); negative → null
            let amount = bin(b.clone(), Operator::BitwiseAnd, long_lit(63));
            match when(b.lt(long_lit(0)), lit(ScalarValue::Int64(None)))
                .otherwise(bin(a, op, amount))
            {
                Ok(e) => e,
                Err(e) => {
                    return Err(crate::lower::CallError::types(format!("`{name}`: {e}")));
                }
            }
        }
        _ => bin(a, op, b),
    };
    ok(e, KqlType::Long)
}

#[cfg(test)]
mod tests {
    use crate::scalar::test_util::*;

    #[tokio::test]
    async fn bitwise_docs() {
        // binary-and/or/xor/not/shift-*-function.md examples
        assert_eq!(kt("binary_and", &[l(6), l(3)]).await, "2");
        assert_eq!(kt("binary_or", &[l(5), l(3)]).await, "7");
        assert_eq!(kt("binary_xor", &[l(1), l(2)]).await, "3");
        assert_eq!(kt("binary_xor", &[l(1), l(1)]).await, "0");
        assert_eq!(kt("binary_xor", &[l(6), l(3)]).await, "5");
        assert_eq!(kt("binary_not", &[l(100)]).await, "-101");
        assert_eq!(kt("binary_shift_left", &[l(1), l(2)]).await, "4");
        assert_eq!(kt("binary_shift_right", &[l(1), l(2)]).await, "0");
        assert_eq!(kt("binary_shift_left", &[l(1), l(65)]).await, "2");
        assert_eq!(kt("binary_shift_right", &[l(-8), l(1)]).await, "-4");
        assert_eq!(kt("binary_shift_left", &[l(1), l(-1)]).await, "NULL");
        assert_eq!(kt("binary_and", &[i(6), l(3)]).await, "2");
    }
}
