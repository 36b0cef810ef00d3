//! `T | evaluate narrow()` (narrow-plugin.md): unpivots a table into three columns, `Row` (the
//! row's number, from 0), `Column` (the column's name) and `Value` (the value as a string), one
//! output row per input cell, row by row and within a row in column order.
//!
//! INFER: `Value` is the value's text as `tostring()` gives it (`true`, `2017-03-14T10:59:18.9263023Z`,
//! a null → ""). The doc's sample output (a 2017 `.show diagnostics`, shown "something like
//! this") has `True`, `2017-03-14 10:59:18.9263023` and `[null]` instead; those are .NET display
//! forms of that era, not KQL's text forms. `Row` is a `long`.

use super::bag_unpack::{gather, make_batch, run_udf};
use super::{PluginArgs, PluginDef, PluginError, TablePlugin};
use crate::types::KqlType;
use crate::udf::Op;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Int64Builder, StringArray, StringBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::{Result, ScalarValue, exec_err};
use serde_json::Value;
use std::sync::Arc;

pub const DEF: PluginDef = PluginDef {
    name: "narrow",
    signature: "narrow()",
    description: "Unpivots a table into Row (row number from 0), Column (column name) and Value \
                  (the value as a string), one row per cell.",
    params: &[],
    example: "datatable(a:string, b:long) ['x', 1, 'y', 2] | evaluate narrow()",
    // by hand: row 0 is (x, 1), row 1 is (y, 2)
    expected: "Row,Column,Value\n0,a,x\n0,b,1\n1,a,y\n1,b,2\n",
    plan,
};

#[derive(Debug)]
struct Narrow {
    input: SchemaRef,
    output: SchemaRef,
}

fn plan(args: &PluginArgs, inputs: &[SchemaRef]) -> Result<Arc<dyn TablePlugin>, PluginError> {
    args.at_most("narrow", 0)?;
    args.only_named("narrow", &[])?;
    let Some(input) = inputs.first() else {
        return Err(PluginError::call("narrow needs an input table"));
    };
    for f in input.fields() {
        if !can_show(f.data_type()) {
            return Err(PluginError::call(format!(
                "narrow cannot show the column '{}' of Arrow type {}",
                f.name(),
                f.data_type()
            )));
        }
    }
    Ok(Arc::new(Narrow {
        input: Arc::clone(input),
        output: Arc::new(Schema::new(vec![
            Field::new("Row", DataType::Int64, true),
            Field::new("Column", DataType::Utf8, true),
            Field::new("Value", DataType::Utf8, true),
        ])),
    }))
}

fn can_show(dt: &DataType) -> bool {
    match dt {
        DataType::List(f) | DataType::LargeList(f) => can_show(f.data_type()),
        DataType::Struct(_) | DataType::Map(..) | DataType::Union(..) => false,
        _ => true,
    }
}

/// The KQL text of every value of a column (`tostring()`; null → "").
pub(super) fn column_text(col: &ArrayRef, field: &Field) -> Result<StringArray> {
    let out = match col.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let utf8 = datafusion::arrow::compute::cast(col, &DataType::Utf8)?;
            if KqlType::of_field(field) == KqlType::Dynamic {
                run_udf(Op::DynamicToString, utf8, DataType::Utf8)?
            } else {
                let s = utf8.as_string::<i32>();
                Arc::new(
                    (0..s.len())
                        .map(|i| Some(if s.is_null(i) { "" } else { s.value(i) }))
                        .collect::<StringArray>(),
                )
            }
        }
        DataType::List(_) | DataType::LargeList(_) => {
            // make-series lists: their dynamic JSON text
            let mut b = StringBuilder::new();
            for i in 0..col.len() {
                if col.is_null(i) {
                    b.append_value("");
                    continue;
                }
                match ScalarValue::try_from_array(col, i)? {
                    ScalarValue::List(l) => b.append_value(list_json(&l.value(0), field)?),
                    ScalarValue::LargeList(l) => b.append_value(list_json(&l.value(0), field)?),
                    other => b.append_value(other.to_string()),
                }
            }
            Arc::new(b.finish())
        }
        _ => run_udf(Op::ToString, Arc::clone(col), DataType::Utf8)?,
    };
    match out.as_string_opt::<i32>() {
        Some(s) => Ok(s.clone()),
        None => exec_err!("narrow: could not format the column '{}'", field.name()),
    }
}

/// A list's elements as compact JSON text.
fn list_json(items: &ArrayRef, field: &Field) -> Result<String> {
    let mut out = Vec::with_capacity(items.len());
    for i in 0..items.len() {
        out.push(match ScalarValue::try_from_array(items, i)? {
            v if v.is_null() => Value::Null,
            ScalarValue::Float64(Some(x)) => real_json(x),
            ScalarValue::Float32(Some(x)) => real_json(f64::from(x)),
            ScalarValue::Int64(Some(x)) => Value::from(x),
            ScalarValue::Int32(Some(x)) => Value::from(x),
            ScalarValue::Boolean(Some(x)) => Value::from(x),
            ScalarValue::Utf8(Some(x)) => Value::from(x),
            other => {
                return exec_err!(
                    "narrow: cannot show the column '{}' (list of {})",
                    field.name(),
                    other.data_type()
                );
            }
        });
    }
    Ok(Value::Array(out).to_string())
}

/// A real as JSON (NaN and infinities, which JSON lacks, as their KQL text).
fn real_json(x: f64) -> Value {
    serde_json::Number::from_f64(x).map_or_else(
        || Value::String(crate::format::format_real(x)),
        Value::Number,
    )
}

impl TablePlugin for Narrow {
    fn name(&self) -> &'static str {
        "narrow"
    }

    fn output_schema(&self) -> Option<SchemaRef> {
        Some(Arc::clone(&self.output))
    }

    fn run(&self, inputs: &[Vec<RecordBatch>]) -> Result<RecordBatch> {
        let batch = gather(inputs, &self.input)?;
        let schema = batch.schema();
        let texts = batch
            .columns()
            .iter()
            .zip(schema.fields())
            .map(|(c, f)| column_text(c, f))
            .collect::<Result<Vec<_>>>()?;
        let cells = batch.num_rows() * texts.len();
        let mut rows = Int64Builder::with_capacity(cells);
        let mut names = StringBuilder::new();
        let mut values = StringBuilder::new();
        for r in 0..batch.num_rows() {
            for (t, f) in texts.iter().zip(schema.fields()) {
                rows.append_value(r as i64);
                names.append_value(f.name());
                values.append_value(t.value(r));
            }
        }
        let cols: Vec<ArrayRef> = vec![
            Arc::new(rows.finish()),
            Arc::new(names.finish()),
            Arc::new(values.finish()),
        ];
        make_batch(Arc::clone(&self.output), cols, cells)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{
        BooleanArray, DurationNanosecondArray, Float64Array, Int64Array, TimestampNanosecondArray,
    };

    fn run_narrow(batch: RecordBatch) -> Vec<(i64, String, String)> {
        let p = plan(&PluginArgs::default(), &[batch.schema()]).unwrap();
        let out = p.run(&[vec![batch]]).unwrap();
        assert_eq!(p.output_schema().unwrap(), out.schema());
        let r = out.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
        let c = out.column(1).as_string::<i32>();
        let v = out.column(2).as_string::<i32>();
        (0..out.num_rows())
            .map(|i| (r.value(i), c.value(i).to_string(), v.value(i).to_string()))
            .collect()
    }

    fn row(r: i64, c: &str, v: &str) -> (i64, String, String) {
        (r, c.to_string(), v.to_string())
    }

    #[test]
    fn one_row_per_cell_with_kql_text() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("s", DataType::Utf8, true),
            Field::new("l", DataType::Int64, true),
            Field::new("r", DataType::Float64, true),
            Field::new("b", DataType::Boolean, true),
            KqlType::Datetime.field("t"),
            KqlType::Timespan.field("ts"),
            KqlType::Dynamic.field("d"),
        ]));
        // 2017-03-14T10:59:18.9263023Z: 17239 days after the epoch
        let t = (17_239i64 * 86_400 + 10 * 3600 + 59 * 60 + 18) * 1_000_000_000 + 926_302_300;
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(StringArray::from(vec![Some("x"), None])),
                Arc::new(Int64Array::from(vec![Some(5_167_628_070), None])),
                Arc::new(Float64Array::from(vec![
                    Some(0.130552847673333),
                    Some(1e20),
                ])),
                Arc::new(BooleanArray::from(vec![Some(true), Some(false)])),
                Arc::new(TimestampNanosecondArray::from(vec![Some(t), None]).with_timezone("UTC")),
                Arc::new(DurationNanosecondArray::from(vec![
                    Some(90_000_000_000),
                    Some(-1),
                ])),
                Arc::new(StringArray::from(vec![
                    Some(r#"{"a":[1,2]}"#),
                    Some("\"txt\""),
                ])),
            ],
        )
        .unwrap();
        assert_eq!(
            run_narrow(batch),
            [
                row(0, "s", "x"),
                row(0, "l", "5167628070"),
                row(0, "r", "0.130552847673333"),
                row(0, "b", "true"),
                row(0, "t", "2017-03-14T10:59:18.9263023Z"),
                row(0, "ts", "00:01:30"),
                row(0, "d", r#"{"a":[1,2]}"#),
                row(1, "s", ""),
                row(1, "l", ""),
                row(1, "r", "1E+20"),
                row(1, "b", "false"),
                row(1, "t", ""),
                row(1, "ts", "00:00:00"),
                row(1, "d", "txt"),
            ]
        );
    }

    #[test]
    fn empty_input_and_arguments() {
        let schema = Arc::new(Schema::new(vec![Field::new("a", DataType::Int64, true)]));
        let p = plan(&PluginArgs::default(), &[Arc::clone(&schema)]).unwrap();
        let out = p.run(&[vec![]]).unwrap();
        assert_eq!(out.num_rows(), 0);
        assert_eq!(out.num_columns(), 3);
        let args = PluginArgs {
            positional: vec![super::super::PluginArg::Value(ScalarValue::Int64(Some(1)))],
            ..Default::default()
        };
        let e = plan(&args, &[schema]).unwrap_err();
        assert!(e.message.contains("at most 0"), "{}", e.message);
    }
}
