//! The `reduce` operator (reduce-operator.md):
//! `T | reduce [kind=source] by Expr [with [threshold=Threshold] [, characters=Characters]]`.
//!
//! Groups the string values of `Expr` into text patterns. The default result has one row per
//! group with the columns `Pattern` (`*` marks the variable parts), `Count` (a long) and
//! `Representative` (one of the group's values); values that fit no pattern are counted in a
//! row whose pattern is `others` and whose representative is empty. With `kind=source` the
//! input rows are kept and a `Pattern` column is appended. The grouping algorithm and its
//! INFER choices are documented in [`super::reduce_miner`].
//!
//! This is an operator, not an `evaluate` plugin: the planner projects `by Expr` to a column of
//! the input and calls [`reduce_plugin`]; it is not in [`super::PLUGINS`].
//!
//! INFER choices of this file:
//! - Column names `Pattern`, `Count`, `Representative` (the docs' result tables; the prose
//!   writes them in lower case).
//! - A null value is reduced as the empty string.
//! - Groups come in the order of their first row, `others` last; the representative is the
//!   group's first value (both deterministic; Kusto documents neither).
//! - With `kind=source`, an input column already named `Pattern` is kept and the new column is
//!   named `Pattern1` (Kusto's usual suffix for clashing generated names).
//! - `characters=""` means no separator at all: each value is a single term.

use super::reduce_miner::{Separators, mine};
use super::{PluginError, TablePlugin};
use crate::types::KqlType;
use datafusion::arrow::array::{ArrayRef, AsArray, Int64Array, StringArray};
use datafusion::arrow::compute::{cast, concat_batches};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::{Result, exec_err};
use std::sync::Arc;

/// The documented default of `threshold`.
pub const DEFAULT_THRESHOLD: f64 = 0.1;

/// Plans `reduce`: `column` is the position of the `by` expression's column in `input`,
/// `threshold` must lie in [0, 1] (the caller passes [`DEFAULT_THRESHOLD`] when the query gives
/// none), `characters` is the `characters=` string (`None` = the default separators: every
/// character that is not a letter or digit), and `kind_source` is `kind=source`.
///
/// Errors name the parameter: `PluginError::named("threshold" | "characters", ..)`; a bad
/// column is a call error.
pub fn reduce_plugin(
    column: usize,
    threshold: f64,
    characters: Option<String>,
    kind_source: bool,
    input: &SchemaRef,
) -> Result<Arc<dyn TablePlugin>, PluginError> {
    if !(0.0..=1.0).contains(&threshold) {
        return Err(PluginError::named(
            "threshold",
            format!("reduce: threshold must be a real number between 0 and 1, got {threshold}"),
        ));
    }
    let Some(field) = input.fields().get(column) else {
        return Err(PluginError::call(format!(
            "reduce: the input has no column number {column} (it has {})",
            input.fields().len()
        )));
    };
    if !matches!(
        field.data_type(),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    ) {
        return Err(PluginError::call(format!(
            "reduce by: the expression must be a string, but '{}' is {} (convert it with tostring())",
            field.name(),
            KqlType::of_field(field).name()
        )));
    }
    let output = if kind_source {
        let mut fields: Vec<Field> = input.fields().iter().map(|f| f.as_ref().clone()).collect();
        let mut name = "Pattern".to_string();
        let mut k = 0;
        while input.index_of(&name).is_ok() {
            k += 1;
            name = format!("Pattern{k}");
        }
        fields.push(Field::new(name, DataType::Utf8, true));
        Arc::new(Schema::new_with_metadata(fields, input.metadata().clone()))
    } else {
        Arc::new(Schema::new(vec![
            Field::new("Pattern", DataType::Utf8, true),
            Field::new("Count", DataType::Int64, true),
            Field::new("Representative", DataType::Utf8, true),
        ]))
    };
    Ok(Arc::new(Reduce {
        column,
        column_name: field.name().clone(),
        threshold,
        separators: Separators::from_option(characters.as_deref()),
        characters,
        kind_source,
        output,
    }))
}

#[derive(Debug)]
struct Reduce {
    column: usize,
    column_name: String,
    threshold: f64,
    separators: Separators,
    characters: Option<String>,
    kind_source: bool,
    output: SchemaRef,
}

impl TablePlugin for Reduce {
    fn name(&self) -> &'static str {
        "reduce"
    }

    fn output_schema(&self) -> Option<SchemaRef> {
        Some(Arc::clone(&self.output))
    }

    fn describe(&self) -> String {
        let kind = if self.kind_source { " kind=source" } else { "" };
        let chars = match &self.characters {
            Some(c) => format!(", characters={c:?}"),
            None => String::new(),
        };
        format!(
            "reduce{kind} by {} with threshold={}{chars}",
            self.column_name, self.threshold
        )
    }

    fn run(&self, inputs: &[Vec<RecordBatch>]) -> Result<RecordBatch> {
        let Some(batches) = inputs.first() else {
            return exec_err!("reduce: no input table");
        };
        // the by-column of every batch as Utf8
        let mut cols: Vec<ArrayRef> = Vec::with_capacity(batches.len());
        for b in batches {
            if self.column >= b.num_columns() {
                return exec_err!("reduce: the input batch has no column {}", self.column);
            }
            cols.push(cast(b.column(self.column), &DataType::Utf8)?);
        }
        let mut values: Vec<Option<&str>> = Vec::new();
        for c in &cols {
            let s = c.as_string::<i32>();
            values.extend(s.iter());
        }
        let mining = mine(&values, self.threshold, &self.separators);

        if self.kind_source {
            let input_schema = match batches.first() {
                Some(b) => b.schema(),
                None => {
                    let n = self.output.fields().len().saturating_sub(1);
                    let fields: Vec<Field> = self
                        .output
                        .fields()
                        .iter()
                        .take(n)
                        .map(|f| f.as_ref().clone())
                        .collect();
                    Arc::new(Schema::new(fields))
                }
            };
            let all = concat_batches(&input_schema, batches)?;
            let patterns: StringArray = mining
                .row_group
                .iter()
                .map(|&g| Some(mining.groups[g].pattern.as_str()))
                .collect();
            let mut columns: Vec<ArrayRef> = all.columns().to_vec();
            columns.push(Arc::new(patterns));
            return Ok(RecordBatch::try_new(Arc::clone(&self.output), columns)?);
        }

        let patterns: StringArray = mining
            .groups
            .iter()
            .map(|g| Some(g.pattern.as_str()))
            .collect();
        let counts: Int64Array = mining
            .groups
            .iter()
            .map(|g| Some(i64::try_from(g.count).unwrap_or(i64::MAX)))
            .collect();
        let reps: StringArray = mining
            .groups
            .iter()
            .map(|g| Some(g.representative.and_then(|r| values[r]).unwrap_or("")))
            .collect();
        let columns: Vec<ArrayRef> = vec![Arc::new(patterns), Arc::new(counts), Arc::new(reps)];
        Ok(RecordBatch::try_new(Arc::clone(&self.output), columns)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::Array;

    fn schema(fields: Vec<Field>) -> SchemaRef {
        Arc::new(Schema::new(fields))
    }

    fn str_batch(values: &[Option<&str>]) -> RecordBatch {
        let s = schema(vec![Field::new("Text", DataType::Utf8, true)]);
        let arr: StringArray = values.iter().copied().collect();
        RecordBatch::try_new(s, vec![Arc::new(arr)]).unwrap()
    }

    fn run(values: &[&str], threshold: f64, chars: Option<&str>) -> Vec<(String, i64, String)> {
        let vals: Vec<Option<&str>> = values.iter().map(|v| Some(*v)).collect();
        let b = str_batch(&vals);
        let p = reduce_plugin(0, threshold, chars.map(String::from), false, &b.schema()).unwrap();
        let out = p.run(&[vec![b]]).unwrap();
        assert_eq!(out.schema(), p.output_schema().unwrap());
        let pat = out.column(0).as_string::<i32>();
        let cnt = out.column(1).as_any().downcast_ref::<Int64Array>().unwrap();
        let rep = out.column(2).as_string::<i32>();
        (0..out.num_rows())
            .map(|i| {
                (
                    pat.value(i).to_string(),
                    cnt.value(i),
                    rep.value(i).to_string(),
                )
            })
            .collect()
    }

    fn row(p: &str, c: i64, r: &str) -> (String, i64, String) {
        (p.to_string(), c, r.to_string())
    }

    // reduce-operator.md: `range x from 1 to 10 step 1 | project str = strcat("foo", "Z",
    // tostring(x)) | reduce by str`. Re-derived: with the default separators each value is
    // one term (`fooZ1` ... `fooZ10`), each with a digit, so no group keeps a constant term:
    // one `others` row counting all 10 rows, empty representative.
    #[test]
    fn doc_example_default_separators_gives_others() {
        let vals: Vec<String> = (1..=10).map(|x| format!("fooZ{x}")).collect();
        let v: Vec<&str> = vals.iter().map(String::as_str).collect();
        assert_eq!(
            run(&v, DEFAULT_THRESHOLD, None),
            vec![row("others", 10, "")]
        );
    }

    // reduce-operator.md: the same with `with characters="Z"`: the terms are `foo` and the
    // number, so every value fits `foo*`; the representative is the first value, `fooZ1`.
    #[test]
    fn doc_example_custom_separator() {
        let vals: Vec<String> = (1..=10).map(|x| format!("fooZ{x}")).collect();
        let v: Vec<&str> = vals.iter().map(String::as_str).collect();
        assert_eq!(
            run(&v, DEFAULT_THRESHOLD, Some("Z")),
            vec![row("foo*", 10, "fooZ1")]
        );
    }

    // reduce-operator.md: `range x from 1 to 1000 | project MyText = strcat("MachineLearningX",
    // tostring(toint(rand(10)))) | reduce by MyText with threshold=0.001, characters="X"`:
    // one group `MachineLearning*` of all 1000 rows. (rand replaced by a fixed digit cycle.)
    #[test]
    fn doc_example_machine_learning_low_threshold() {
        let vals: Vec<String> = (0..1000)
            .map(|x| format!("MachineLearningX{}", (x * 7) % 10))
            .collect();
        let v: Vec<&str> = vals.iter().map(String::as_str).collect();
        assert_eq!(
            run(&v, 0.001, Some("X")),
            vec![row("MachineLearning*", 1000, "MachineLearningX0")]
        );
    }

    // The docs' "Returns" illustration: `San *` for city names starting with `San`, `Paris` as
    // itself. Two-word values route on their first word only.
    #[test]
    fn city_names() {
        let v = ["San Bernard", "Paris", "San Diego", "Paris", "San Jose"];
        assert_eq!(
            run(&v, DEFAULT_THRESHOLD, None),
            vec![row("San *", 3, "San Bernard"), row("Paris", 2, "Paris")]
        );
    }

    #[test]
    fn log_lines_group_by_template() {
        let v = [
            "PacketResponder 1 for block blk_38865049064139660 terminating",
            "Received block blk_-1608999687919862906 of size 91178 from /10.250.10.6",
            "PacketResponder 0 for block blk_-6952295868487656571 terminating",
            "Received block blk_7503483334202473044 of size 233217 from /10.250.14.224",
            "PacketResponder 2 for block blk_-1 terminating",
        ];
        assert_eq!(
            run(&v, DEFAULT_THRESHOLD, None),
            vec![
                row("PacketResponder * for block blk_* terminating", 3, v[0]),
                row("Received block blk_-* of size * from /*.*.*.*", 2, v[1]),
            ]
        );
    }

    #[test]
    fn kind_source_appends_pattern_and_keeps_fields() {
        let dynamic = KqlType::Dynamic.field("Extra");
        let s = schema(vec![
            Field::new("Text", DataType::Utf8, true),
            dynamic.clone(),
        ]);
        let text: StringArray = vec![Some("user 1 logged in"), None, Some("user 22 logged in")]
            .into_iter()
            .collect();
        let extra: StringArray = vec![Some("{}"), Some("[1]"), Some("null")]
            .into_iter()
            .collect();
        let b =
            RecordBatch::try_new(Arc::clone(&s), vec![Arc::new(text), Arc::new(extra)]).unwrap();
        // two batches: the plugin sees all rows
        let b1 = b.slice(0, 2);
        let b2 = b.slice(2, 1);
        let p = reduce_plugin(0, DEFAULT_THRESHOLD, None, true, &s).unwrap();
        let out_schema = p.output_schema().unwrap();
        assert_eq!(out_schema.field(1), &dynamic);
        assert_eq!(out_schema.field(2).name(), "Pattern");
        let out = p.run(&[vec![b1, b2]]).unwrap();
        assert_eq!(out.num_rows(), 3);
        let pat = out.column(2).as_string::<i32>();
        let got: Vec<&str> = (0..3).map(|i| pat.value(i)).collect();
        // the null reduces as "": its own pattern, the empty string
        assert_eq!(got, vec!["user * logged in", "", "user * logged in"]);
    }

    #[test]
    fn kind_source_renames_clashing_pattern_column() {
        let s = schema(vec![
            Field::new("Pattern", DataType::Utf8, true),
            Field::new("Pattern1", DataType::Utf8, true),
        ]);
        let p = reduce_plugin(0, 0.5, None, true, &s).unwrap();
        assert_eq!(p.output_schema().unwrap().field(2).name(), "Pattern2");
    }

    #[test]
    fn empty_input_gives_no_rows() {
        let b = str_batch(&[]);
        let p = reduce_plugin(0, DEFAULT_THRESHOLD, None, false, &b.schema()).unwrap();
        assert_eq!(p.run(&[vec![b]]).unwrap().num_rows(), 0);
        let s = schema(vec![Field::new("Text", DataType::Utf8, true)]);
        let p = reduce_plugin(0, DEFAULT_THRESHOLD, None, true, &s).unwrap();
        assert_eq!(p.run(&[vec![]]).unwrap().num_rows(), 0);
    }

    #[test]
    fn threshold_direction_and_bounds() {
        // "a smaller threshold ... fewer groups": each value matches the others in 3 of its 4
        // words (0.75). At 0.9 that is not enough and every value is its own group; at 0.1
        // they join, and no third word is frequent (each covers 1 of 4 rows), so the third
        // word becomes `*`.
        let v = [
            "job run alpha finished",
            "job run beta finished",
            "job run gamma finished",
            "job run delta finished",
        ];
        assert_eq!(run(&v, 0.9, None).len(), 4);
        assert_eq!(
            run(&v, 0.1, None),
            vec![row("job run * finished", 4, "job run alpha finished")]
        );
        for bad in [-0.1, 1.5, f64::NAN] {
            let s = schema(vec![Field::new("Text", DataType::Utf8, true)]);
            let e = reduce_plugin(0, bad, None, false, &s).unwrap_err();
            assert_eq!(e.arg, Some(super::super::ArgRef::Named("threshold".into())));
        }
    }

    #[test]
    fn non_string_column_is_an_error() {
        let s = schema(vec![Field::new("n", DataType::Int64, true)]);
        let e = reduce_plugin(0, 0.1, None, false, &s).unwrap_err();
        assert!(e.message.contains("must be a string"), "{}", e.message);
        assert!(e.message.contains("long"), "{}", e.message);
        let e = reduce_plugin(3, 0.1, None, false, &s).unwrap_err();
        assert!(e.message.contains("no column"), "{}", e.message);
    }

    #[test]
    fn deterministic() {
        let vals: Vec<String> = (0..500)
            .map(|i| match i % 3 {
                0 => format!("open file /tmp/f{i} ok"),
                1 => format!("user u{} logged out", i % 7),
                _ => format!("cache miss key {}", i * 31),
            })
            .collect();
        let v: Vec<&str> = vals.iter().map(String::as_str).collect();
        let a = run(&v, DEFAULT_THRESHOLD, None);
        assert_eq!(a, run(&v, DEFAULT_THRESHOLD, None));
        assert_eq!(a.iter().map(|r| r.1).sum::<i64>(), 500);
    }
}
