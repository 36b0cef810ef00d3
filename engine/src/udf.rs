//! Engine-level UDFs: access into `dynamic` values (JSON text).

use datafusion::arrow::array::{Array, ArrayRef, Int64Array, StringArray, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, cast::as_string_array};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};
use kql_functions::KqlType;
use std::sync::{Arc, LazyLock};

/// `d.key` / `d[index]` on dynamic JSON text: the member's JSON text, or null.
#[derive(Debug, PartialEq, Eq, Hash)]
struct DynamicGet {
    signature: Signature,
}

impl ScalarUDFImpl for DynamicGet {
    fn name(&self) -> &str {
        "kql_dynamic_get"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }
    fn return_field_from_args(&self, _args: ReturnFieldArgs) -> Result<FieldRef> {
        Ok(Arc::new(KqlType::Dynamic.field("kql_dynamic_get")))
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let (Some(target), Some(key)) = (arrays.first(), arrays.get(1)) else {
            return datafusion::common::exec_err!("kql_dynamic_get expects two arguments");
        };
        let target = as_string_array(target)?;
        let mut out = StringBuilder::new();
        let key_str = key.as_any().downcast_ref::<StringArray>();
        let key_int = key.as_any().downcast_ref::<Int64Array>();
        for i in 0..n {
            let value = if target.is_null(i) {
                None
            } else {
                serde_json::from_str::<serde_json::Value>(target.value(i))
                    .ok()
                    .and_then(|v| {
                        let got = if let Some(k) = key_str.filter(|k| !k.is_null(i)) {
                            v.get(k.value(i)).cloned()
                        } else if let Some(k) = key_int.filter(|k| !k.is_null(i)) {
                            let idx = k.value(i);
                            match &v {
                                serde_json::Value::Array(a) => {
                                    let len = a.len() as i64;
                                    let j = if idx < 0 { len + idx } else { idx };
                                    usize::try_from(j).ok().and_then(|j| a.get(j).cloned())
                                }
                                _ => None,
                            }
                        } else {
                            None
                        };
                        got.filter(|g| !g.is_null()).map(|g| g.to_string())
                    })
            };
            out.append_option(value);
        }
        let arr: ArrayRef = Arc::new(out.finish());
        Ok(ColumnarValue::Array(arr))
    }
}

static DYNAMIC_GET: LazyLock<Arc<ScalarUDF>> = LazyLock::new(|| {
    Arc::new(ScalarUDF::from(DynamicGet {
        signature: Signature::any(2, Volatility::Immutable),
    }))
});

/// `target[key]` for dynamic values; `key` is a string (property) or long (array index).
pub fn dynamic_get(target: Expr, key: Expr) -> Expr {
    DYNAMIC_GET.call(vec![target, key])
}

#[allow(dead_code)]
fn field() -> Field {
    KqlType::Dynamic.field("x")
}
