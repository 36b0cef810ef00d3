//! Arrow column builders for the inferred KQL types, fed with CSV cells or JSON values.

use super::infer::{parse_bool, parse_datetime, parse_json_container, parse_long, parse_real};
use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Float64Builder, Int64Builder, StringBuilder,
    TimestampNanosecondBuilder,
};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use kql_functions::types::KqlType;
use serde_json::Value;
use std::sync::Arc;

/// Rows per record batch (eager tables and streamed partitions alike).
pub const BATCH_ROWS: usize = 8192;

/// One column under construction. Strings never hold nulls (KQL strings are never null: a
/// missing string is `""`); the other types use Arrow nulls.
pub enum ColumnBuilder {
    Bool(BooleanBuilder),
    Long(Int64Builder),
    Real(Float64Builder),
    Datetime(TimestampNanosecondBuilder),
    String(StringBuilder),
    Dynamic(StringBuilder),
}

impl ColumnBuilder {
    /// A builder for `t`, which must be one of the types inference produces.
    pub fn new(t: KqlType) -> ColumnBuilder {
        match t {
            KqlType::Bool => ColumnBuilder::Bool(BooleanBuilder::new()),
            KqlType::Int | KqlType::Long => ColumnBuilder::Long(Int64Builder::new()),
            KqlType::Real | KqlType::Decimal => ColumnBuilder::Real(Float64Builder::new()),
            KqlType::Datetime => ColumnBuilder::Datetime(TimestampNanosecondBuilder::new()),
            KqlType::Dynamic => ColumnBuilder::Dynamic(StringBuilder::new()),
            KqlType::Timespan | KqlType::Guid | KqlType::String => {
                ColumnBuilder::String(StringBuilder::new())
            }
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            ColumnBuilder::Bool(_) => "bool",
            ColumnBuilder::Long(_) => "long",
            ColumnBuilder::Real(_) => "real",
            ColumnBuilder::Datetime(_) => "datetime",
            ColumnBuilder::String(_) => "string",
            ColumnBuilder::Dynamic(_) => "dynamic",
        }
    }

    /// A missing value: `""` for strings, null otherwise.
    pub fn append_missing(&mut self) {
        match self {
            ColumnBuilder::Bool(b) => b.append_null(),
            ColumnBuilder::Long(b) => b.append_null(),
            ColumnBuilder::Real(b) => b.append_null(),
            ColumnBuilder::Datetime(b) => b.append_null(),
            ColumnBuilder::String(b) => b.append_value(""),
            ColumnBuilder::Dynamic(b) => b.append_null(),
        }
    }

    fn mismatch(&self, shown: &str) -> String {
        let mut v: String = shown.chars().take(60).collect();
        if v.len() < shown.len() {
            v.push('…');
        }
        format!("value '{v}' is not a {}", self.type_name())
    }

    /// Appends a CSV cell; `Err` (a message) when it does not fit the column's type.
    pub fn append_text(&mut self, s: &str) -> Result<(), String> {
        if s.is_empty() {
            self.append_missing();
            return Ok(());
        }
        let ok = match self {
            ColumnBuilder::Bool(b) => parse_bool(s).map(|v| b.append_value(v)),
            ColumnBuilder::Long(b) => parse_long(s).map(|v| b.append_value(v)),
            ColumnBuilder::Real(b) => parse_real(s).map(|v| b.append_value(v)),
            ColumnBuilder::Datetime(b) => parse_datetime(s).map(|v| b.append_value(v)),
            ColumnBuilder::String(b) => {
                b.append_value(s);
                Some(())
            }
            ColumnBuilder::Dynamic(b) => {
                b.append_value(dynamic_text_of_str(s)?);
                Some(())
            }
        };
        ok.ok_or_else(|| self.mismatch(s))
    }

    /// Appends a JSON value; `Err` (a message) when it does not fit the column's type.
    pub fn append_json(&mut self, v: &Value) -> Result<(), String> {
        match v {
            Value::Null => {
                self.append_missing();
                return Ok(());
            }
            Value::String(s) => return self.append_json_str(s),
            _ => {}
        }
        let ok = match (&mut *self, v) {
            (ColumnBuilder::Bool(b), Value::Bool(x)) => {
                b.append_value(*x);
                Some(())
            }
            (ColumnBuilder::Long(b), Value::Number(n)) => n.as_i64().map(|x| b.append_value(x)),
            (ColumnBuilder::Real(b), Value::Number(n)) => n.as_f64().map(|x| b.append_value(x)),
            (ColumnBuilder::String(b), other) => {
                b.append_value(compact_json(other)?);
                Some(())
            }
            (ColumnBuilder::Dynamic(b), other) => {
                b.append_value(compact_json(other)?);
                Some(())
            }
            _ => None,
        };
        ok.ok_or_else(|| self.mismatch(&v.to_string()))
    }

    /// Appends a JSON string value: the same as [`ColumnBuilder::append_json`] of
    /// `Value::String(s)`, without building the value.
    pub fn append_json_str(&mut self, s: &str) -> Result<(), String> {
        if s.is_empty() {
            self.append_missing();
            return Ok(());
        }
        let ok = match self {
            ColumnBuilder::Datetime(b) => parse_datetime(s).map(|x| b.append_value(x)),
            ColumnBuilder::String(b) => {
                b.append_value(s);
                Some(())
            }
            ColumnBuilder::Dynamic(b) => {
                b.append_value(dynamic_text_of_str(s)?);
                Some(())
            }
            ColumnBuilder::Bool(_) | ColumnBuilder::Long(_) | ColumnBuilder::Real(_) => None,
        };
        ok.ok_or_else(|| self.mismatch(&Value::String(s.to_string()).to_string()))
    }

    pub fn finish(&mut self) -> ArrayRef {
        match self {
            ColumnBuilder::Bool(b) => Arc::new(b.finish()),
            ColumnBuilder::Long(b) => Arc::new(b.finish()),
            ColumnBuilder::Real(b) => Arc::new(b.finish()),
            ColumnBuilder::Datetime(b) => Arc::new(b.finish().with_timezone("UTC")),
            ColumnBuilder::String(b) | ColumnBuilder::Dynamic(b) => Arc::new(b.finish()),
        }
    }
}

/// Compact JSON text of a value.
pub fn compact_json(v: &Value) -> Result<String, String> {
    serde_json::to_string(v).map_err(|e| format!("cannot serialize JSON value: {e}"))
}

/// The dynamic value of a text: the JSON object/array it holds (re-serialized compactly), or
/// else the text as a JSON string.
fn dynamic_text_of_str(s: &str) -> Result<String, String> {
    match parse_json_container(s) {
        Some(v) => compact_json(&v),
        None => compact_json(&Value::String(s.to_string())),
    }
}

/// Builds record batches row by row, for all columns of a table or a projection of them.
pub struct BatchBuilder {
    schema: SchemaRef,
    columns: Vec<ColumnBuilder>,
    /// For each table column, the index of its builder (`None`: not projected).
    slots: Vec<Option<usize>>,
    rows: usize,
    batches: Vec<RecordBatch>,
}

impl BatchBuilder {
    /// A builder of all the columns of `schema` (whose KQL types are `types`).
    pub fn new(schema: SchemaRef, types: &[KqlType]) -> BatchBuilder {
        BatchBuilder {
            schema,
            columns: types.iter().map(|t| ColumnBuilder::new(*t)).collect(),
            slots: (0..types.len()).map(Some).collect(),
            rows: 0,
            batches: Vec::new(),
        }
    }

    /// A builder of the table columns `projection` (indexes into `schema`/`types`, in output
    /// order), or of all columns when `None`.
    pub fn projected(
        schema: &SchemaRef,
        types: &[KqlType],
        projection: Option<&[usize]>,
    ) -> datafusion::error::Result<BatchBuilder> {
        let Some(projection) = projection else {
            return Ok(BatchBuilder::new(schema.clone(), types));
        };
        let mut slots = vec![None; types.len()];
        let mut columns = Vec::with_capacity(projection.len());
        for (out, &col) in projection.iter().enumerate() {
            let t = types.get(col).copied().ok_or_else(|| {
                datafusion::error::DataFusionError::Internal(format!(
                    "projection column {col} out of range"
                ))
            })?;
            if let Some(slot) = slots.get_mut(col) {
                *slot = Some(out);
            }
            columns.push(ColumnBuilder::new(t));
        }
        Ok(BatchBuilder {
            schema: Arc::new(schema.project(projection)?),
            columns,
            slots,
            rows: 0,
            batches: Vec::new(),
        })
    }

    /// The builder index of table column `col` (`None` when it is not projected).
    pub fn slot(&self, col: usize) -> Option<usize> {
        self.slots.get(col).copied().flatten()
    }

    /// The builders of the projected columns, in output order.
    pub fn columns_mut(&mut self) -> &mut [ColumnBuilder] {
        &mut self.columns
    }

    /// Marks the end of a row (every column must have had exactly one value appended).
    pub fn end_row(&mut self) -> datafusion::error::Result<()> {
        self.rows += 1;
        if self.rows >= BATCH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    /// Finishes the rows built so far into a batch (kept until [`BatchBuilder::take_batches`]).
    pub fn flush(&mut self) -> datafusion::error::Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let arrays: Vec<ArrayRef> = self.columns.iter_mut().map(ColumnBuilder::finish).collect();
        let batch = if arrays.is_empty() {
            RecordBatch::try_new_with_options(
                self.schema.clone(),
                arrays,
                &datafusion::arrow::record_batch::RecordBatchOptions::new()
                    .with_row_count(Some(self.rows)),
            )?
        } else {
            RecordBatch::try_new(self.schema.clone(), arrays)?
        };
        self.batches.push(batch);
        self.rows = 0;
        Ok(())
    }

    /// The completed batches, removed from the builder.
    pub fn take_batches(&mut self) -> Vec<RecordBatch> {
        std::mem::take(&mut self.batches)
    }

    pub fn finish(mut self) -> datafusion::error::Result<Vec<RecordBatch>> {
        self.flush()?;
        Ok(self.batches)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::{Int64Type, TimestampNanosecondType};

    #[test]
    fn text_cells() -> Result<(), String> {
        let mut l = ColumnBuilder::new(KqlType::Long);
        l.append_text("5")?;
        l.append_text("")?;
        assert!(l.append_text("x").is_err());
        let a = l.finish();
        let a = a.as_primitive::<Int64Type>();
        assert_eq!((a.len(), a.value(0), a.is_null(1)), (2, 5, true));

        let mut s = ColumnBuilder::new(KqlType::String);
        s.append_text("")?;
        s.append_missing();
        let a = s.finish();
        assert_eq!((a.null_count(), a.as_string::<i32>().value(0)), (0, ""));

        let mut d = ColumnBuilder::new(KqlType::Dynamic);
        d.append_text("{ \"a\" : [1, 2] }")?;
        d.append_text("plain")?;
        d.append_text("")?;
        let a = d.finish();
        let a = a.as_string::<i32>();
        assert_eq!(
            (a.value(0), a.value(1), a.is_null(2)),
            ("{\"a\":[1,2]}", "\"plain\"", true)
        );

        let mut t = ColumnBuilder::new(KqlType::Datetime);
        t.append_text("1970-01-01T00:00:01Z")?;
        let a = t.finish();
        assert_eq!(
            a.as_primitive::<TimestampNanosecondType>().value(0),
            1_000_000_000
        );
        Ok(())
    }

    #[test]
    fn json_values() -> Result<(), String> {
        let mut s = ColumnBuilder::new(KqlType::String);
        s.append_json(&serde_json::json!(5))?;
        s.append_json(&serde_json::json!(true))?;
        s.append_json(&serde_json::json!(null))?;
        let a = s.finish();
        let a = a.as_string::<i32>();
        assert_eq!((a.value(0), a.value(1), a.value(2)), ("5", "true", ""));

        let mut r = ColumnBuilder::new(KqlType::Real);
        r.append_json(&serde_json::json!(5))?;
        r.append_json(&serde_json::json!(""))?;
        assert!(r.append_json(&serde_json::json!("x")).is_err());

        let mut d = ColumnBuilder::new(KqlType::Dynamic);
        d.append_json(&serde_json::json!({"b": 1, "a": [true]}))?;
        d.append_json(&serde_json::json!("[1, 2]"))?;
        d.append_json(&serde_json::json!(3))?;
        let a = d.finish();
        let a = a.as_string::<i32>();
        assert_eq!(
            (a.value(0), a.value(1), a.value(2)),
            ("{\"b\":1,\"a\":[true]}", "[1,2]", "3")
        );
        Ok(())
    }
}
