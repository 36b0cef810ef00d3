//! `kql_stay_above(p, c1, …)`: the value of `p`, with references to input columns that keep
//! DataFusion's filter push-down from moving `p` below an aggregate or window.
//!
//! DataFusion pushes a `Filter` conjunct below an `Aggregate` when every column it reads is a
//! group key. A conjunct that reads no column passes that test vacuously, so a column-free
//! predicate (`toscalar(U | count) > 100`, `rand() < 0.5`) was evaluated on the aggregate's
//! input: `T | count | where toscalar(U | count) > 100` returned `Count = 0` instead of no
//! rows. (fuzz finding, engine/fuzz/regressions/plan/toscalar-where-after-count.kql)

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Column, Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
    expr::ScalarFunction,
};
use std::sync::{Arc, LazyLock};

#[derive(Debug, PartialEq, Eq, Hash)]
struct StayAbove {
    signature: Signature,
}

impl ScalarUDFImpl for StayAbove {
    fn name(&self) -> &str {
        "kql_stay_above"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        match args.args.into_iter().next() {
            Some(v) if v.data_type() == DataType::Boolean => Ok(v),
            _ => exec_err!("kql_stay_above expects a bool first argument"),
        }
    }
}

static STAY_ABOVE: LazyLock<Arc<ScalarUDF>> = LazyLock::new(|| {
    // Volatile, so no rewrite treats the call as a constant or duplicates it.
    Arc::new(ScalarUDF::from(StayAbove {
        signature: Signature::variadic_any(Volatility::Volatile),
    }))
});

/// `predicate`, made to read `columns` (which should include a column that is not a group key
/// of any aggregate below, e.g. all of the filter input's columns).
pub fn stay_above(predicate: Expr, columns: impl IntoIterator<Item = Column>) -> Expr {
    let mut args = vec![predicate];
    args.extend(columns.into_iter().map(Expr::Column));
    Expr::ScalarFunction(ScalarFunction::new_udf(Arc::clone(&STAY_ABOVE), args))
}
