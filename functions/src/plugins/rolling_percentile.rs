//! `T | evaluate rolling_percentile(ValueColumn, Percentile, IndexColumn, BinSize,
//! BinsPerWindow [, dim1, ...])` (rolling-percentile-plugin.md): per bin of the index column
//! (and per dimension combination), the percentile of the values in the window of
//! *BinsPerWindow* bins that ends at the bin, inclusive.
//!
//! - Bins are `bin(IndexColumn, BinSize)` (datetimes from Kusto's origin 0001-01-01, numbers
//!   from 0). The window of bin `b` is bins `b - (BinsPerWindow - 1) ..= b`.
//! - The percentile is the nearest-rank value, like `percentile()` on small inputs
//!   ([`crate::udf::percentile::nearest_rank_index`]): the docs' examples (3-day medians of
//!   1..240) give 12, 24, 36, 60, … = `sorted[ceil(P/100·n) − 1]`. Ours is always exact (no
//!   digest), so on large windows it can differ from Kusto's estimate by the estimate's error.
//! - Output: the index column (binned, its type), the dimensions, then
//!   `rolling_<BinsPerWindow>_percentile_<ValueColumn>_<Percentile>` of the value column's
//!   type. A fractional percentile is written with `_` for the point, as `percentile()` names
//!   its column (`99.5` → `99_5`) — INFER: the docs only show whole percentiles.
//!
//! INFER choices (the docs are silent): a row per bin that has rows of its dimension
//! combination (the docs' examples have data in every bin); null and NaN values are skipped,
//! and a window without values gives null; rows with a null index are skipped; the output is
//! sorted by dimensions then bin (as the docs' second example lists it: `Even` rows, then `Odd`).

use super::sliding_window_counts::{
    Axis, Col, Grid, Groups, Num, axis_array, axis_const, dimension_args, one_batch, output_schema,
    timeline_axis,
};
use super::{PluginArgs, PluginDef, PluginError, TablePlugin};
use crate::types::KqlType;
use crate::udf::percentile::nearest_rank_index;
use datafusion::arrow::datatypes::{Field, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::Result;
use std::collections::BTreeMap;
use std::sync::Arc;

pub const DEF: PluginDef = PluginDef {
    name: "rolling_percentile",
    signature: "rolling_percentile(ValueColumn, Percentile, IndexColumn, BinSize, BinsPerWindow \
                [, dim1, dim2, ...])",
    description: "The percentile of the values in a rolling window of BinsPerWindow bins ending \
                  at each bin of the index column, per dimension combination.",
    params: &[
        ("ValueColumn", "the column whose percentile is computed"),
        ("Percentile", "the percentile, 0 to 100"),
        ("IndexColumn", "the column the window rolls over"),
        ("BinSize", "the bin size applied to IndexColumn"),
        (
            "BinsPerWindow",
            "how many bins each window holds (the bin itself and the ones before it)",
        ),
        ("dim1, dim2, ...", "columns that slice the computation"),
    ],
    example: "range x from 1 to 6 step 1 | extend v = x * 10 \
              | evaluate rolling_percentile(v, 50, x, 2, 2)",
    // by hand: bins of 2 over x = 1..6 are 0 {10}, 2 {20, 30}, 4 {40, 50}, 6 {60}; windows of 2
    // bins: {10}, {10,20,30}, {20..50}, {40,50,60}; nearest-rank medians 10, 20, 30, 50
    expected: "x,rolling_2_percentile_v_50\n0,10\n2,20\n4,30\n6,50\n",
    plan,
};

#[derive(Debug)]
struct RollingPercentile {
    input: SchemaRef,
    value: usize,
    p: f64,
    index: usize,
    grid: Grid,
    bins_per_window: i64,
    dims: Vec<usize>,
    schema: SchemaRef,
}

/// `99.5` → `99_5`, `50` → `50` (a percentile in a column name).
fn name_fragment(p: f64) -> String {
    let s = if p.fract() == 0.0 && p.abs() < 1e15 {
        format!("{}", p as i64)
    } else {
        format!("{p}")
    };
    s.replace(['.', '-'], "_")
}

fn plan(args: &PluginArgs, schemas: &[SchemaRef]) -> Result<Arc<dyn TablePlugin>, PluginError> {
    let name = DEF.name;
    args.only_named(name, &[])?;
    let input = schemas
        .first()
        .ok_or_else(|| PluginError::call(format!("{name}() needs an input table")))?;
    if args.len() < 5 {
        return Err(PluginError::call(format!(
            "{name}() needs at least 5 arguments: {}",
            DEF.signature
        )));
    }
    let (value_name, value) = args.required_column(0, "ValueColumn", input)?;
    let value_field = input.field(value);
    if Axis::of(value_field.data_type()).is_none() {
        return Err(PluginError::at(
            0,
            format!(
                "ValueColumn '{value_name}' must be an int, long, real, datetime or timespan \
                 column, not {}",
                KqlType::of_field(value_field)
            ),
        ));
    }
    let p = args
        .f64(1, "Percentile")?
        .ok_or_else(|| PluginError::at(1, "Percentile is required"))?;
    if !(0.0..=100.0).contains(&p) {
        return Err(PluginError::at(
            1,
            format!("Percentile must be between 0 and 100, got {p}"),
        ));
    }
    let (_, index) = args.required_column(2, "IndexColumn", input)?;
    let axis = timeline_axis(input, index, 2, "IndexColumn")?;
    let bin = axis_const(args, 3, "BinSize", axis, false)?;
    let grid = Grid::bin(axis, bin)
        .ok_or_else(|| PluginError::at(3, "BinSize must be greater than zero"))?;
    let bins_per_window = args
        .i64(4, "BinsPerWindow")?
        .ok_or_else(|| PluginError::at(4, "BinsPerWindow is required"))?;
    if bins_per_window < 1 {
        return Err(PluginError::at(
            4,
            format!("BinsPerWindow must be at least 1, got {bins_per_window}"),
        ));
    }
    let dims = dimension_args(args, 5, input)?;
    let out_name = format!(
        "rolling_{bins_per_window}_percentile_{value_name}_{}",
        name_fragment(p)
    );
    let out_field = Field::new(out_name, value_field.data_type().clone(), true)
        .with_metadata(value_field.metadata().clone());
    let schema = output_schema(input, index, &dims, vec![out_field]);
    Ok(Arc::new(RollingPercentile {
        input: Arc::clone(input),
        value,
        p,
        index,
        grid,
        bins_per_window,
        dims,
        schema,
    }))
}

impl TablePlugin for RollingPercentile {
    fn name(&self) -> &'static str {
        DEF.name
    }

    fn output_schema(&self) -> Option<SchemaRef> {
        Some(Arc::clone(&self.schema))
    }

    fn describe(&self) -> String {
        format!(
            "rolling_percentile(value={}, p={}, index={}, bins {:?}, {} bins per window)",
            self.input.field(self.value).name(),
            self.p,
            self.input.field(self.index).name(),
            self.grid,
            self.bins_per_window
        )
    }

    fn run(&self, inputs: &[Vec<RecordBatch>]) -> Result<RecordBatch> {
        let batch = one_batch(inputs, 0, &self.input)?;
        let index = Col::read(batch.column(self.index))?;
        let values = Col::read(batch.column(self.value))?;
        let groups = Groups::new(&batch, &self.dims)?;
        // (group, bin) → the bin's values
        let mut bins: BTreeMap<(usize, i64), Vec<Num>> = BTreeMap::new();
        for i in 0..index.len() {
            let Some(k) = index.get(i).and_then(|t| self.grid.index(t)) else {
                continue;
            };
            let cell = bins.entry((groups.of_row[i], k)).or_default();
            if let Some(v) = values.get(i) {
                cell.push(v);
            }
        }
        let mut out_groups = Vec::with_capacity(bins.len());
        let mut out_bins = Vec::with_capacity(bins.len());
        let mut out_values = Vec::with_capacity(bins.len());
        let mut window: Vec<Num> = Vec::new();
        for &(g, k) in bins.keys() {
            let from = k.saturating_sub(self.bins_per_window - 1);
            window.clear();
            for (_, vs) in bins.range((g, from)..=(g, k)) {
                window.extend_from_slice(vs);
            }
            let pct = if window.is_empty() {
                None
            } else {
                window.sort_by(|a, b| match (a, b) {
                    (Num::I(x), Num::I(y)) => x.cmp(y),
                    (a, b) => a.as_f64().total_cmp(&b.as_f64()),
                });
                window
                    .get(nearest_rank_index(self.p, window.len()))
                    .copied()
            };
            out_groups.push(g);
            out_bins.push(self.grid.start(k));
            out_values.push(pct);
        }
        let mut columns = vec![axis_array(
            self.input.field(self.index).data_type(),
            &out_bins,
        )?];
        columns.extend(groups.dims(&batch, &self.dims, &out_groups)?);
        columns.push(axis_array(
            self.input.field(self.value).data_type(),
            &out_values,
        )?);
        Ok(RecordBatch::try_new(Arc::clone(&self.schema), columns)?)
    }
}
