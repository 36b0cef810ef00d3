//! Column sets and schema unification across files.
//!
//! Text files (CSV, JSON) are inferred into a [`ColumnSet`] each; the sets are merged by
//! column name (order of first appearance, files in path order) with the [`Inferred`]
//! lattice: long+real → real, nested JSON anywhere → dynamic, other conflicts → string.
//! A column missing from a file is null there (`""` for strings).
//!
//! Parquet-only tables keep their Arrow types (see [`unify_arrow`]).

use super::infer::Inferred;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use kql_functions::types::{KqlType, datetime_type};
use std::collections::HashMap;
use std::sync::Arc;

/// Named columns with their inferred kinds, in first-appearance order.
#[derive(Clone, Debug, Default)]
pub struct ColumnSet {
    names: Vec<String>,
    kinds: Vec<Inferred>,
    index: HashMap<String, usize>,
}

impl ColumnSet {
    /// The index of column `name`, adding it (as [`Inferred::Null`]) if new.
    pub fn index_of(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len();
        self.names.push(name.to_string());
        self.kinds.push(Inferred::Null);
        self.index.insert(name.to_string(), i);
        i
    }

    /// Records that column `i` holds a value of kind `kind`.
    pub fn observe_at(&mut self, i: usize, kind: Inferred) {
        if let Some(k) = self.kinds.get_mut(i) {
            *k = k.merge(kind);
        }
    }

    pub fn observe(&mut self, name: &str, kind: Inferred) {
        let i = self.index_of(name);
        self.observe_at(i, kind);
    }

    /// Merges another file's columns into this set.
    pub fn merge(&mut self, other: &ColumnSet) {
        for (name, kind) in other.names.iter().zip(&other.kinds) {
            self.observe(name, *kind);
        }
    }

    pub fn position(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    #[cfg(test)]
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The final KQL type of each column.
    pub fn types(&self) -> Vec<KqlType> {
        self.kinds.iter().map(|k| k.kql_type()).collect()
    }

    /// The Arrow schema of the final types.
    pub fn schema(&self) -> SchemaRef {
        let fields: Vec<Field> = self
            .names
            .iter()
            .zip(&self.kinds)
            .map(|(n, k)| k.kql_type().field(n))
            .collect();
        Arc::new(Schema::new(fields))
    }
}

/// The Arrow type a Parquet column is exposed as: datetimes of any unit and zone (and dates)
/// become `Timestamp(Nanosecond, "UTC")`; other types are kept.
pub fn normalize_arrow_type(dt: &DataType) -> DataType {
    match dt {
        DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => datetime_type(),
        other => other.clone(),
    }
}

/// Unifies Parquet schemas by column name: identical types are kept; otherwise the KQL types
/// are joined (int+long → long, long+real → real, other conflicts → string or dynamic).
pub fn unify_arrow(schemas: &[SchemaRef]) -> SchemaRef {
    let mut fields: Vec<Field> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for schema in schemas {
        for f in schema.fields() {
            let f = f
                .as_ref()
                .clone()
                .with_data_type(normalize_arrow_type(f.data_type()))
                .with_nullable(true);
            match index.get(f.name()).copied().and_then(|i| fields.get_mut(i)) {
                None => {
                    index.insert(f.name().clone(), fields.len());
                    fields.push(f);
                }
                Some(existing) => {
                    if existing.data_type() != f.data_type()
                        || KqlType::of_field(existing) != KqlType::of_field(&f)
                    {
                        let a = Inferred::of_kql_type(KqlType::of_field(existing));
                        let b = Inferred::of_kql_type(KqlType::of_field(&f));
                        *existing = a.merge(b).kql_type().field(f.name());
                    }
                }
            }
        }
    }
    Arc::new(Schema::new(fields))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::datatypes::TimeUnit;

    #[test]
    fn column_sets_merge_by_name() {
        let mut a = ColumnSet::default();
        a.observe("t", Inferred::Datetime);
        a.observe("n", Inferred::Long);
        a.observe("s", Inferred::String);
        let mut b = ColumnSet::default();
        b.observe("n", Inferred::Real);
        b.observe("extra", Inferred::Bool);
        b.observe("s", Inferred::Dynamic);
        b.observe("t", Inferred::Null);
        a.merge(&b);
        assert_eq!(a.names(), ["t", "n", "s", "extra"]);
        assert_eq!(
            a.types(),
            [
                KqlType::Datetime,
                KqlType::Real,
                KqlType::Dynamic,
                KqlType::Bool
            ]
        );
        let schema = a.schema();
        assert_eq!(KqlType::of_field(schema.field(2)), KqlType::Dynamic);
        assert_eq!(schema.field(0).data_type(), &datetime_type());
    }

    #[test]
    fn arrow_schemas_unify() {
        let s1 = Arc::new(Schema::new(vec![
            Field::new("a", DataType::Int32, false),
            Field::new("t", DataType::Timestamp(TimeUnit::Microsecond, None), true),
            Field::new("x", DataType::Utf8, true),
        ]));
        let s2 = Arc::new(Schema::new(vec![
            Field::new("a", DataType::Float64, true),
            Field::new("x", DataType::Int64, true),
            Field::new("y", DataType::Int32, true),
        ]));
        let u = unify_arrow(&[s1, s2]);
        let types: Vec<_> = u
            .fields()
            .iter()
            .map(|f| (f.name().as_str(), f.data_type().clone()))
            .collect();
        assert_eq!(
            types,
            [
                ("a", DataType::Float64),
                ("t", datetime_type()),
                ("x", DataType::Utf8),
                ("y", DataType::Int32)
            ]
        );
    }
}
