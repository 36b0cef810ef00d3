//! One ScalarUDF wrapper for every family of our own functions: a family is an `op` enum that
//! implements [`UdfOp`]; [`op_call`] wraps it as a DataFusion scalar function. The wrapper
//! evaluates calls whose arguments are all constants once, as a scalar.

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Arc;

/// A family of functions evaluated by our own code.
pub trait UdfOp: Debug + PartialEq + Eq + Hash + Send + Sync + 'static {
    /// The UDF's name (`kql_...`).
    fn name(&self) -> &str;
    /// The Arrow type of the result.
    fn return_type(&self) -> DataType;
    /// The result for `rows` rows (1 when every argument is a scalar).
    fn eval(&self, args: &[ColumnarValue], rows: usize) -> Result<ArrayRef>;
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct OpUdf<O> {
    op: O,
    signature: Signature,
}

/// A call of `op` on `args` (any number and type of arguments; the op checks them).
pub fn op_call<O: UdfOp>(op: O, args: Vec<Expr>) -> Expr {
    Arc::new(ScalarUDF::from(OpUdf {
        op,
        signature: Signature::variadic_any(Volatility::Immutable),
    }))
    .call(args)
}

/// The arguments as arrays of `rows` rows.
pub fn arrays(args: &[ColumnarValue], rows: usize) -> Result<Vec<ArrayRef>> {
    args.iter().map(|a| a.to_array(rows)).collect()
}

impl<O: UdfOp> ScalarUDFImpl for OpUdf<O> {
    fn name(&self) -> &str {
        self.op.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.op.return_type())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let all_scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if all_scalar { 1 } else { args.number_rows };
        let out = self.op.eval(&args.args, rows)?;
        if all_scalar && out.len() == 1 {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
        } else {
            Ok(ColumnarValue::Array(out))
        }
    }
}
