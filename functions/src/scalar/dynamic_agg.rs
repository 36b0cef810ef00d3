//! Aggregates over dynamic values, producing dynamic JSON text directly:
//!
//! - `make_set` of a dynamic column (make-set-aggregation-function.md, "Set from array
//!   column"): an array value contributes its elements, any other non-null value itself;
//!   distinct by value, in order of first appearance, at most `maxSize` elements;
//! - `make_bag` (make-bag-aggregation-function.md): merges the property bags of the group;
//!   non-dictionary values are skipped; a key seen in several rows keeps its first value (the
//!   docs allow an arbitrary one); at most `maxSize` keys; no input rows → `[]` (summarize-
//!   operator.md, "Default values of aggregations");
//! - `make_list_with_nulls`: every value, nulls included, in input order.
//!
//! The input is JSON text (the lowering renders non-dynamic values with
//! [`super::DynOp::ToJson`]); a null input is a JSON null. The state is one Utf8 column of JSON
//! text (null for a bag that saw no rows).

use super::parse;
use crate::udf::strings;
use datafusion::arrow::array::{Array, ArrayRef};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Expr, Signature, Volatility,
};
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JsonAggKind {
    /// `make_set` of dynamic values (arrays unioned element-wise).
    SetUnion,
    Bag,
    ListWithNulls,
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct JsonAgg {
    kind: JsonAggKind,
    max: usize,
    signature: Signature,
}

/// The aggregate call over `value` (JSON text).
pub fn call(kind: JsonAggKind, max: i64, value: Expr) -> Expr {
    Arc::new(AggregateUDF::from(JsonAgg {
        kind,
        max: usize::try_from(max).unwrap_or(0),
        signature: Signature::any(1, Volatility::Immutable),
    }))
    .call(vec![value])
}

impl AggregateUDFImpl for JsonAgg {
    fn name(&self) -> &str {
        match self.kind {
            JsonAggKind::SetUnion => "kql_make_set_dynamic",
            JsonAggKind::Bag => "kql_make_bag",
            JsonAggKind::ListWithNulls => "kql_make_list_with_nulls",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn accumulator(&self, _acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(JsonAcc {
            kind: self.kind,
            max: self.max,
            items: Vec::new(),
            seen: HashSet::new(),
            bag: Map::new(),
            any: false,
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "json"),
            DataType::Utf8,
            true,
        ))])
    }
}

#[derive(Debug)]
struct JsonAcc {
    kind: JsonAggKind,
    max: usize,
    items: Vec<Value>,
    seen: HashSet<String>,
    bag: Map<String, Value>,
    /// Whether any row (or non-null partial state) was seen.
    any: bool,
}

impl JsonAcc {
    fn add_set(&mut self, v: Value) {
        if self.items.len() < self.max && !v.is_null() && self.seen.insert(v.to_string()) {
            self.items.push(v);
        }
    }

    fn add(&mut self, v: Value) {
        self.any = true;
        match self.kind {
            JsonAggKind::SetUnion => match v {
                Value::Array(xs) => xs.into_iter().for_each(|x| self.add_set(x)),
                other => self.add_set(other),
            },
            JsonAggKind::ListWithNulls => self.items.push(v),
            JsonAggKind::Bag => {
                if let Value::Object(m) = v {
                    for (k, x) in m {
                        if self.bag.len() >= self.max {
                            break;
                        }
                        self.bag.entry(k).or_insert(x);
                    }
                }
            }
        }
    }

    fn text(&self) -> String {
        match self.kind {
            JsonAggKind::Bag => Value::Object(self.bag.clone()).to_string(),
            _ => Value::Array(self.items.clone()).to_string(),
        }
    }
}

impl Accumulator for JsonAcc {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let Some(v) = values.first() else {
            return Ok(());
        };
        let s = strings(v)?;
        for i in 0..s.len() {
            self.add(if s.is_null(i) {
                Value::Null
            } else {
                parse(s.value(i))
            });
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let Some(v) = states.first() else {
            return Ok(());
        };
        let s = strings(v)?;
        for i in 0..s.len() {
            if s.is_null(i) {
                continue;
            }
            match (self.kind, parse(s.value(i))) {
                (JsonAggKind::ListWithNulls, Value::Array(xs)) => {
                    self.any = true;
                    self.items.extend(xs);
                }
                (_, v) => self.add(v),
            }
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let text = (self.any || self.kind != JsonAggKind::Bag).then(|| self.text());
        Ok(vec![ScalarValue::Utf8(text)])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        if self.kind == JsonAggKind::Bag && !self.any {
            return Ok(ScalarValue::Utf8(Some("[]".to_string())));
        }
        Ok(ScalarValue::Utf8(Some(self.text())))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self.items.capacity() * std::mem::size_of::<Value>()
            + self.seen.iter().map(String::len).sum::<usize>()
            + self.bag.len() * 64
    }
}

#[cfg(test)]
mod tests {
    use crate::KqlType;
    use crate::lower::{Arg, aggregate_call};
    use crate::scalar::test_util::{cx, text};
    use datafusion::arrow::array::{ArrayRef, BooleanArray, Int64Array, RecordBatch, StringArray};
    use datafusion::arrow::datatypes::Schema;
    use datafusion::prelude::{SessionContext, col};
    use std::sync::Arc;

    /// make-set-aggregation-function.md's table (Val, Arr1), with the make-bag docs' bags in
    /// `p` (`bag_pack(prop, value)`; the last row is not a bag), a predicate `k` and a
    /// nullable long `n`.
    fn table() -> RecordBatch {
        let schema = Schema::new(vec![
            KqlType::Long.field("val"),
            KqlType::Dynamic.field("arr"),
            KqlType::Dynamic.field("p"),
            KqlType::Bool.field("k"),
            KqlType::Long.field("n"),
        ]);
        let cols: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(vec![1, 5, 7, 5])),
            Arc::new(StringArray::from(vec![
                r#"["A1","A2","A3"]"#,
                r#"["A2","C1"]"#,
                r#"["C2","A3"]"#,
                r#"["C2","A1"]"#,
            ])),
            Arc::new(StringArray::from(vec![
                Some(r#"{"prop01":"val_a"}"#),
                Some(r#"{"prop02":"val_b"}"#),
                Some(r#"{"prop03":"val_c"}"#),
                Some("[1]"),
            ])),
            Arc::new(BooleanArray::from(vec![true, false, true, true])),
            Arc::new(Int64Array::from(vec![None, Some(4), Some(4), None])),
        ];
        RecordBatch::try_new(Arc::new(schema), cols).unwrap()
    }

    fn arg(name: &str) -> Arg {
        let t = table();
        let f = t.schema().field_with_name(name).unwrap().clone();
        Arg::column(name, KqlType::of_field(&f))
    }

    /// (result name, KQL text, type) of the aggregate over the table (or an empty slice).
    async fn run(name: &str, args: &[Arg], empty: bool) -> (String, String, KqlType) {
        let l = aggregate_call(name, args, &cx()).unwrap().unwrap();
        let (e, ty) = l.exprs[0].clone();
        let mut batch = table();
        if empty {
            batch = batch.slice(0, 0);
        }
        let df = SessionContext::new()
            .read_batch(batch)
            .unwrap()
            .aggregate(vec![], vec![e.alias("a")])
            .unwrap()
            .select(vec![l.finish[0].apply(col("a"))])
            .unwrap();
        let out = df.collect().await.unwrap();
        (l.names[0].clone(), text(out[0].column(0)), ty)
    }

    #[tokio::test]
    async fn make_set_of_arrays_unions_elements() {
        // docs: Arr1_set = ["A1","A2","A3","C1","C2"] (in order of first appearance here)
        assert_eq!(
            run("make_set", &[arg("arr")], false).await,
            (
                "set_arr".into(),
                r#"["A1","A2","A3","C1","C2"]"#.into(),
                KqlType::Dynamic
            )
        );
        // rows 1, 3, 4 (k): A1 A2 A3, C2 A3, C2 A1 → 4 distinct
        assert_eq!(
            run("make_set_if", &[arg("arr"), arg("k")], false).await.1,
            r#"["A1","A2","A3","C2"]"#
        );
        let max = crate::scalar::test_util::l(2);
        assert_eq!(
            run("make_set", &[arg("arr"), max], false).await.1,
            r#"["A1","A2"]"#
        );
        assert_eq!(run("make_set", &[arg("arr")], true).await.1, "[]");
        // make_list keeps arrays as elements
        assert_eq!(
            run("make_list", &[arg("arr")], false).await.1,
            r#"[["A1","A2","A3"],["A2","C1"],["C2","A3"],["C2","A1"]]"#
        );
    }

    #[tokio::test]
    async fn make_bag() {
        // make-bag-aggregation-function.md: {"prop01":"val_a","prop02":"val_b","prop03":"val_c"};
        // the non-bag row is skipped
        assert_eq!(
            run("make_bag", &[arg("p")], false).await,
            (
                "bag_p".into(),
                r#"{"prop01":"val_a","prop02":"val_b","prop03":"val_c"}"#.into(),
                KqlType::Dynamic
            )
        );
        // make-bag-if-aggregation-function.md: the predicate drops prop02
        assert_eq!(
            run("make_bag_if", &[arg("p"), arg("k")], false).await.1,
            r#"{"prop01":"val_a","prop03":"val_c"}"#
        );
        let max = crate::scalar::test_util::l(1);
        assert_eq!(
            run("make_bag", &[arg("p"), max], false).await.1,
            r#"{"prop01":"val_a"}"#
        );
        // summarize-operator.md: no rows → []
        assert_eq!(run("make_bag", &[arg("p")], true).await.1, "[]");
        assert!(aggregate_call("make_bag", &[arg("val")], &cx()).is_err());
    }

    #[tokio::test]
    async fn make_list_with_nulls() {
        // make-list-with-nulls-aggregation-function.md: the null side count stays: n = null, 4,
        // 4, null
        assert_eq!(
            run("make_list_with_nulls", &[arg("n")], false).await,
            ("list_n".into(), "[null,4,4,null]".into(), KqlType::Dynamic)
        );
        assert_eq!(run("make_list_with_nulls", &[arg("n")], true).await.1, "[]");
    }
}
