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

use super::timeline::{
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
    let dims = dimension_args(args, 5, input, index)?;
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

#[cfg(test)]
mod tests {
    use super::super::PluginArg;
    use super::super::sliding_window_counts::testing::*;
    use super::*;
    use datafusion::arrow::array::{
        Float64Array, Int64Array, StringArray, TimestampNanosecondArray,
    };
    use datafusion::arrow::datatypes::DataType;
    use datafusion::common::ScalarValue;

    const HOUR: i64 = 3_600_000_000_000;

    /// rolling-percentile-plugin.md's data (query MIT): val = 1..240, one per hour from
    /// 2018-01-01, EvenOrOdd by parity.
    fn docs_data() -> RecordBatch {
        let t0 = 1_514_764_800_000_000_000_i64; // 2018-01-01
        let idx: Vec<i64> = (0..240).collect();
        batch(vec![
            (
                "Timestamp",
                Arc::new(
                    TimestampNanosecondArray::from(
                        idx.iter().map(|i| t0 + i * HOUR).collect::<Vec<_>>(),
                    )
                    .with_timezone("UTC"),
                ),
            ),
            (
                "val",
                Arc::new(Int64Array::from(
                    idx.iter().map(|i| i + 1).collect::<Vec<_>>(),
                )),
            ),
            (
                "EvenOrOdd",
                Arc::new(StringArray::from(
                    idx.iter()
                        .map(|i| if (i + 1) % 2 == 0 { "Even" } else { "Odd" })
                        .collect::<Vec<_>>(),
                )),
            ),
        ])
    }

    fn docs_args(s: &SchemaRef, dims: bool) -> PluginArgs {
        let mut pos = vec![
            col(s, "val"),
            long(50),
            col(s, "Timestamp"),
            val(ScalarValue::DurationNanosecond(Some(24 * HOUR))),
            long(3),
        ];
        if dims {
            pos.push(col(s, "EvenOrOdd"));
        }
        args(pos)
    }

    /// Re-derived by hand: day d holds 24(d−1)+1 ..= 24d; the window of day d ≥ 3 holds the
    /// 72 values 24(d−3)+1 ..= 24d, whose nearest-rank median (the 36th) is 24d − 36; days 1
    /// and 2 hold 24 and 48 values: medians 12 and 24. By parity the 18th even value of the
    /// window is the same 24d − 36 and the 18th odd one 24d − 37 (days 1, 2: 12/11, 24/23).
    #[test]
    fn docs_examples() {
        let b = docs_data();
        let s = b.schema();
        let all = |d: i64| if d >= 3 { 24 * d - 36 } else { 12 * d };
        let out = run(plan, &docs_args(&s, false), vec![b.clone()]);
        let names: Vec<_> = out
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(names, ["Timestamp", "rolling_3_percentile_val_50"]);
        let expected: Vec<String> = (1..=10)
            .map(|d| format!("2018-01-{d:02}T00:00:00Z,{}", all(d)))
            .collect();
        assert_eq!(render(&out, &[0, 1]), expected.join(";"));

        let out = run(plan, &docs_args(&s, true), vec![b]);
        let names: Vec<_> = out
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(
            names,
            ["Timestamp", "EvenOrOdd", "rolling_3_percentile_val_50"]
        );
        let mut expected: Vec<String> = (1..=10)
            .map(|d| format!("2018-01-{d:02}T00:00:00Z,Even,{}", all(d)))
            .collect();
        expected.extend((1..=10).map(|d| format!("2018-01-{d:02}T00:00:00Z,Odd,{}", all(d) - 1)));
        assert_eq!(render(&out, &[0, 1, 2]), expected.join(";"));
    }

    /// Generated data against tests/oracles/plugins_windows.py (numpy 'inverted_cdf').
    #[test]
    fn oracle_generated() {
        let b = lcg_rows();
        let s = b.schema();
        let a = args(vec![
            col(&s, "v"),
            long(75),
            col(&s, "t"),
            long(10),
            long(3),
            col(&s, "dim"),
        ]);
        let out = run(plan, &a, vec![b]);
        let expected = "A,0,868;A,10,850;A,20,750;A,30,565;A,40,420;A,50,420;A,60,230;\
                        A,70,749;A,80,749;A,90,759;A,100,759;A,110,854;A,120,880;A,130,631;\
                        A,140,631;A,150,754;A,160,698;A,170,698;A,180,756;A,190,849;B,0,581;\
                        B,10,674;B,20,639;B,30,639;B,40,420;B,50,453;B,60,587;B,70,928;\
                        B,80,587;B,90,493;B,100,444;B,110,366;B,120,531;B,130,531;B,140,501;\
                        B,150,580;B,160,580;B,170,622;B,180,552;B,190,703";
        assert_eq!(render(&out, &[1, 0, 2]), expected);
    }

    /// Real values and index, a fractional percentile, nulls, by hand: bins of 0.5 over
    /// x = 0.1, 0.2, 0.7, 1.6 are 0 {1.5, null}, 0.5 {2.5}, 1.5 {9}; windows of 2 bins:
    /// {1.5}, {1.5, 2.5}, {9} (bin 1.0 is empty); P99.5 is the largest value.
    #[test]
    fn reals_and_nulls() {
        let b = batch(vec![
            ("x", Arc::new(Float64Array::from(vec![0.1, 0.2, 0.7, 1.6]))),
            (
                "y",
                Arc::new(Float64Array::from(vec![
                    Some(1.5),
                    None,
                    Some(2.5),
                    Some(9.0),
                ])),
            ),
        ]);
        let s = b.schema();
        let a = args(vec![
            col(&s, "y"),
            val(ScalarValue::Float64(Some(99.5))),
            col(&s, "x"),
            val(ScalarValue::Float64(Some(0.5))),
            long(2),
        ]);
        let out = run(plan, &a, vec![b]);
        assert_eq!(out.schema().field(1).name(), "rolling_2_percentile_y_99_5");
        assert_eq!(out.schema().field(1).data_type(), &DataType::Float64);
        assert_eq!(render(&out, &[0, 1]), "0.0,1.5;0.5,2.5;1.5,9.0");
    }

    #[test]
    fn bad_arguments() {
        let b = lcg_rows();
        let s = b.schema();
        let call = |pos: Vec<PluginArg>| plan(&args(pos), &[Arc::clone(&s)]).unwrap_err();
        let e = call(vec![
            col(&s, "v"),
            long(101),
            col(&s, "t"),
            long(10),
            long(3),
        ]);
        assert_eq!(e.arg, Some(super::super::ArgRef::Positional(1)));
        let e = call(vec![
            col(&s, "v"),
            long(50),
            col(&s, "t"),
            long(10),
            long(0),
        ]);
        assert_eq!(e.arg, Some(super::super::ArgRef::Positional(4)));
        let e = call(vec![
            col(&s, "id"),
            long(50),
            col(&s, "t"),
            long(10),
            long(3),
        ]);
        assert!(e.message.contains("ValueColumn 'id'"), "{}", e.message);
        let e = call(vec![
            col(&s, "v"),
            long(50),
            col(&s, "t"),
            long(-10),
            long(3),
        ]);
        assert!(e.message.contains("BinSize"), "{}", e.message);
        let e = call(vec![
            col(&s, "v"),
            long(50),
            col(&s, "t"),
            long(10),
            long(3),
            col(&s, "dim"),
            col(&s, "dim"),
        ]);
        assert_eq!(e.arg, Some(super::super::ArgRef::Positional(6)));
    }
}
