//! `buildschema(DynamicExpr)` (buildschema-aggregation-function.md): the minimal schema that
//! admits every value of the group, as a dynamic value.
//!
//! The schema model of the docs: a *type* is a primitive type name (`"long"`, `"double"`,
//! `"string"`, `"bool"`), a *container* `{name: type, ..., "`indexer`": type}` (a property bag's
//! properties by name; an array's elements under the key `` `indexer` ``), or a *union* of
//! several types written as a JSON array (`["long", "string"]`). A single type is written
//! without the union brackets. Alternatives and properties keep the order in which they were
//! first seen (the docs' example lists `x, y, z, t` and `["double", {"w": "string"}]` in
//! input order).
//!
//! Choices where the docs are silent (what a Kusto user would expect from "minimal schema that
//! admits all values", with "every property implicitly optional and any array possibly empty"):
//! null values add nothing (so a property or array element that is only ever null is left
//! out, and a group of nulls gives null); an array and a property bag are the same kind of
//! container, so an array and a bag at the same place merge into one container; an empty array
//! is an empty container `{}`. Values are dynamic JSON text: datetimes, timespans and guids
//! inside dynamic values are strings in this engine, so their type is `"string"`.

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
use std::collections::HashMap;
use std::sync::Arc;

/// The key under which a container holds its array elements' type.
pub const INDEXER: &str = "`indexer`";

/// A union of alternatives (empty: nothing seen yet): primitive type names, and at most one
/// container, which sits among the primitives at the position where it was first seen.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    prims: Vec<String>,
    container: Option<(usize, Container)>,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Container {
    keys: Vec<(String, Schema)>,
    index: HashMap<String, usize>,
}

impl Container {
    fn entry(&mut self, key: &str) -> &mut Schema {
        let i = match self.index.get(key) {
            Some(i) => *i,
            None => {
                self.keys.push((key.to_string(), Schema::default()));
                self.index.insert(key.to_string(), self.keys.len() - 1);
                self.keys.len() - 1
            }
        };
        &mut self.keys[i].1
    }
}

impl Schema {
    fn prim(&mut self, name: &str) {
        if !self.prims.iter().any(|p| p == name) {
            self.prims.push(name.to_string());
        }
    }

    fn container(&mut self) -> &mut Container {
        let at = self.prims.len();
        &mut self
            .container
            .get_or_insert_with(|| (at, Container::default()))
            .1
    }

    /// Widens the schema so that it admits `v`.
    pub fn add_value(&mut self, v: &Value) {
        match v {
            Value::Null => {}
            Value::Bool(_) => self.prim("bool"),
            Value::Number(n) if n.is_i64() => self.prim("long"),
            Value::Number(_) => self.prim("double"),
            Value::String(_) => self.prim("string"),
            Value::Array(xs) => {
                let c = self.container();
                for x in xs {
                    if !x.is_null() {
                        c.entry(INDEXER).add_value(x);
                    }
                }
            }
            Value::Object(m) => {
                let c = self.container();
                for (k, x) in m {
                    if !x.is_null() {
                        c.entry(k).add_value(x);
                    }
                }
            }
        }
    }

    /// Widens the schema so that it admits everything `s` (a rendered schema) admits.
    pub fn add_schema(&mut self, s: &Value) {
        match s {
            Value::String(p) => self.prim(p),
            Value::Array(alts) => alts.iter().for_each(|a| self.add_schema(a)),
            Value::Object(m) => {
                let c = self.container();
                for (k, x) in m {
                    c.entry(k).add_schema(x);
                }
            }
            _ => {}
        }
    }

    /// The schema as a dynamic value (`None` when nothing was seen).
    pub fn render(&self) -> Option<Value> {
        let mut alts: Vec<Value> = self
            .prims
            .iter()
            .map(|p| Value::String(p.clone()))
            .collect();
        if let Some((at, c)) = &self.container {
            let mut m = Map::new();
            for (k, s) in &c.keys {
                if let Some(v) = s.render() {
                    m.insert(k.clone(), v);
                }
            }
            alts.insert((*at).min(alts.len()), Value::Object(m));
        }
        match alts.len() {
            0 => None,
            1 => alts.pop(),
            _ => Some(Value::Array(alts)),
        }
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct KqlBuildSchema {
    signature: Signature,
}

/// `buildschema(value)` over dynamic JSON text.
pub fn buildschema(value: Expr) -> Expr {
    Arc::new(AggregateUDF::from(KqlBuildSchema {
        signature: Signature::any(1, Volatility::Immutable),
    }))
    .call(vec![value])
}

impl AggregateUDFImpl for KqlBuildSchema {
    fn name(&self) -> &str {
        "kql_buildschema"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn accumulator(&self, _acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(SchemaAcc {
            schema: Schema::default(),
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "schema"),
            DataType::Utf8,
            true,
        ))])
    }
}

#[derive(Debug)]
struct SchemaAcc {
    schema: Schema,
}

impl SchemaAcc {
    fn text(&self) -> Option<String> {
        self.schema.render().map(|v| v.to_string())
    }
}

impl Accumulator for SchemaAcc {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let Some(v) = values.first() else {
            return Ok(());
        };
        let s = strings(v)?;
        for i in 0..s.len() {
            if s.is_valid(i) {
                let v = crate::scalar::dynamic_ops::parse(s.value(i));
                self.schema.add_value(&v);
            }
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let Some(v) = states.first() else {
            return Ok(());
        };
        let s = strings(v)?;
        for i in 0..s.len() {
            if s.is_valid(i)
                && let Ok(v) = serde_json::from_str::<Value>(s.value(i))
            {
                self.schema.add_schema(&v);
            }
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Utf8(self.text())])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Utf8(self.text()))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.text().map_or(0, |t| t.len() * 2)
    }
}

#[cfg(test)]
mod tests {
    use super::Schema;
    use serde_json::{Value, json};

    fn build(values: &[Value]) -> Option<String> {
        let mut s = Schema::default();
        values.iter().for_each(|v| s.add_value(v));
        s.render().map(|v| v.to_string())
    }

    #[test]
    fn docs_example() {
        // buildschema-aggregation-function.md: x is long or string, y double or {w: string},
        // z an array of long or string, t an array of strings; in order of first appearance
        let got = build(&[
            json!({"x": 1, "y": 3.5}),
            json!({"x": "somevalue", "z": [1, 2, 3]}),
            json!({"y": {"w": "zzz"}, "t": ["aa", "bb"], "z": ["foo"]}),
        ]);
        assert_eq!(
            got.as_deref(),
            Some(
                r#"{"x":["long","string"],"y":["double",{"w":"string"}],"z":{"`indexer`":["long","string"]},"t":{"`indexer`":"string"}}"#
            )
        );
    }

    #[test]
    fn nulls_scalars_and_merge() {
        assert_eq!(build(&[Value::Null]), None);
        assert_eq!(
            build(&[json!(1), json!(true)]).as_deref(),
            Some(r#"["long","bool"]"#)
        );
        assert_eq!(build(&[json!([])]).as_deref(), Some("{}"));
        assert_eq!(
            build(&[json!({"a": null, "b": [null, 2.5]})]).as_deref(),
            Some(r#"{"b":{"`indexer`":"double"}}"#)
        );
        // partial schemas merge into the same result as one pass
        let mut a = Schema::default();
        a.add_value(&json!({"x": 1, "y": 3.5}));
        let mut b = Schema::default();
        b.add_value(&json!({"x": "s", "y": {"w": "z"}}));
        let mut m = Schema::default();
        m.add_schema(&a.render().unwrap());
        m.add_schema(&b.render().unwrap());
        assert_eq!(
            m.render().unwrap().to_string(),
            r#"{"x":["long","string"],"y":["double",{"w":"string"}]}"#
        );
    }
}
