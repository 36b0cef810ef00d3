//! `evaluate basket([Threshold, WeightColumn, MaxDimensions, CustomWildcard, ...])`: the
//! frequent patterns of column values (closed frequent itemsets, Apriori-style), see
//! `basket-plugin.md`.
//!
//! Output: `SegmentId:long, Count:long, Percent:real`, then every input column holding the
//! pattern's value or a wildcard. Semantics (spec §17.1):
//! - a pattern is returned when its (weighted) share of the rows is `>= Threshold`;
//! - only closed patterns are returned: a pattern is dropped when a more specific pattern
//!   matches the same rows (the doc example has `Damage=NO ∧ DamageCrops=0` but not
//!   `Damage=NO` alone, and `DamageCrops=0` alone, which matches more rows);
//! - `MaxDimensions` (default 5) bounds the number of *uncorrelated* dimensions: INFER, a
//!   pattern is returned when it is the closure of at most that many column values (values
//!   implied by the others, like `ScaleUnit` by `Region` in the anomaly-diagnosis example, do
//!   not count);
//! - Kusto finds the initial frequent values by sampling; we count exactly, so patterns near
//!   the threshold do not vary between runs.
//! - INFER: the `WeightColumn` itself is not a dimension (it is a count, not an attribute); it
//!   is output as a wildcard column like any unused column.
//! - INFER: rows come out by `Count` descending, then fewer dimensions first, then by column
//!   order and first appearance of the values (the docs do not define an order).

use super::itemsets::{
    MineSpec, Wildcards, cells, concat_input, count_column, encode_columns, mine_closed,
    output_schema, pattern_columns, read_weights, segment_ids, weight_column,
};
use super::{PluginArgs, PluginDef, PluginError, TablePlugin};
use datafusion::arrow::array::{ArrayRef, Float64Array};
use datafusion::arrow::datatypes::{DataType, Field, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::Result;
use std::sync::Arc;

pub const DEF: PluginDef = PluginDef {
    name: "basket",
    signature: "basket([Threshold [, WeightColumn [, MaxDimensions [, CustomWildcard, ...]]]])",
    description: "Finds frequent patterns of column values (closed frequent itemsets): every \
                  combination of values shared by at least Threshold of the rows, unless a more \
                  specific pattern matches the same rows.",
    params: &[
        (
            "Threshold",
            "minimum share of the rows a pattern must match, 0.015 to 1 (default 0.05)",
        ),
        (
            "WeightColumn",
            "numeric column: each row counts as its weight (default 1)",
        ),
        (
            "MaxDimensions",
            "maximum number of uncorrelated dimensions per pattern (default 5)",
        ),
        (
            "CustomWildcard",
            "typed literals: the wildcard for columns of that type (default: empty string \
             for string columns, null otherwise)",
        ),
    ],
    example: "datatable(Region:string, Level:string, Code:long) \
              ['eu','error',1, 'eu','error',1, 'eu','warn',2, 'us','error',1, 'us','info',3] \
              | evaluate basket(0.3)",
    // By hand: 5 rows, frequent means >= 1.5 rows. Level=error always has Code=1, so the
    // closed patterns are eu (3 rows), error+1 (3), us (2) and eu+error+1 (2).
    expected: "SegmentId,Count,Percent,Region,Level,Code\n\
               0,3,60,eu,,\n\
               1,3,60,,error,1\n\
               2,2,40,us,,\n\
               3,2,40,eu,error,1\n",
    plan,
};

#[derive(Debug)]
struct Basket {
    input: SchemaRef,
    schema: SchemaRef,
    threshold: f64,
    weight: Option<(String, usize)>,
    max_dims: usize,
    wildcards: Wildcards,
}

fn plan(args: &PluginArgs, inputs: &[SchemaRef]) -> Result<Arc<dyn TablePlugin>, PluginError> {
    let input = inputs
        .first()
        .ok_or_else(|| PluginError::call("basket() needs a piped input table"))?;
    args.only_named("basket", &[])?;
    let threshold = threshold_arg(args, 0)?.unwrap_or(0.05);
    let weight = weight_column(args, 1, input, false)?;
    let max_dims = max_dims_arg(args, 2)?.unwrap_or(5);
    let wildcards = Wildcards::parse(args, 3)?;
    Ok(Arc::new(Basket {
        input: input.clone(),
        schema: output_schema(leading_fields(), input),
        threshold,
        weight,
        max_dims,
        wildcards,
    }))
}

fn leading_fields() -> Vec<Field> {
    vec![
        Field::new("SegmentId", DataType::Int64, false),
        Field::new("Count", DataType::Int64, false),
        Field::new("Percent", DataType::Float64, false),
    ]
}

/// `Threshold`: a ratio between 0.015 and 1 (the documented range; outside it is an error).
pub(super) fn threshold_arg(args: &PluginArgs, i: usize) -> Result<Option<f64>, PluginError> {
    match args.f64(i, "Threshold")? {
        None => Ok(None),
        Some(t) if (0.015..=1.0).contains(&t) => Ok(Some(t)),
        Some(t) => Err(PluginError::at(
            i,
            format!("Threshold must be between 0.015 and 1, got {t}"),
        )),
    }
}

/// `MaxDimensions`: a whole number >= 1.
pub(super) fn max_dims_arg(args: &PluginArgs, i: usize) -> Result<Option<usize>, PluginError> {
    match args.i64(i, "MaxDimensions")? {
        None => Ok(None),
        Some(m) if m >= 1 => Ok(Some(m as usize)),
        Some(m) => Err(PluginError::at(
            i,
            format!("MaxDimensions must be at least 1, got {m}"),
        )),
    }
}

impl TablePlugin for Basket {
    fn name(&self) -> &'static str {
        "basket"
    }

    fn output_schema(&self) -> Option<SchemaRef> {
        Some(self.schema.clone())
    }

    fn describe(&self) -> String {
        format!(
            "basket(threshold={}, weight={}, max_dimensions={})",
            self.threshold,
            self.weight.as_ref().map(|w| w.0.as_str()).unwrap_or("-"),
            self.max_dims
        )
    }

    fn run(&self, inputs: &[Vec<RecordBatch>]) -> Result<RecordBatch> {
        let batch = concat_input(&self.input, inputs)?;
        let dims: Vec<usize> = (0..self.input.fields().len())
            .filter(|i| self.weight.as_ref().is_none_or(|w| w.1 != *i))
            .collect();
        let cols = encode_columns(&batch, &dims);
        let weights = match &self.weight {
            Some((name, idx)) => Some(read_weights(&batch, *idx, name)?),
            None => None,
        };
        let total: f64 = match &weights {
            Some(w) => w.iter().sum(),
            None => batch.num_rows() as f64,
        };
        let spec = MineSpec {
            cols: &cols,
            weights: weights.as_deref(),
            groups: None,
            k: 1,
            threshold: self.threshold,
            max_dims: self.max_dims,
        };
        let mut sets = mine_closed(&spec)?;
        sets.sort_by(|a, b| {
            b.counts[0]
                .total_cmp(&a.counts[0])
                .then(a.items.len().cmp(&b.items.len()))
                .then_with(|| a.items.cmp(&b.items))
        });
        let patterns: Vec<_> = sets.iter().map(|s| cells(&cols, &s.items)).collect();
        let mut columns: Vec<ArrayRef> = vec![
            segment_ids(sets.len()),
            count_column(sets.iter().map(|s| s.counts[0])),
            Arc::new(Float64Array::from_iter_values(
                sets.iter().map(|s| 100.0 * s.counts[0] / total),
            )),
        ];
        columns.extend(pattern_columns(&batch, &patterns, &self.wildcards)?);
        Ok(RecordBatch::try_new(self.schema.clone(), columns)?)
    }
}
