//! Timeline helpers shared by the window plugins (`sliding_window_counts`, `session_count`,
//! `rolling_percentile`) and `ipv4_lookup`: the kinds of timeline values, bin grids, constant
//! arguments of the timeline's kind, grouping by dimension columns, output schemas.

use super::{PluginArgs, PluginError};
use crate::types::KqlType;
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, DurationNanosecondArray, Float64Array, Int32Array, Int64Array,
    TimestampNanosecondArray, UInt32Array,
};
use datafusion::arrow::compute::{concat_batches, take};
use datafusion::arrow::datatypes::{
    DataType, DurationNanosecondType, Field, Float64Type, Int32Type, Int64Type, Schema, SchemaRef,
    TimeUnit, TimestampNanosecondType,
};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::row::{RowConverter, SortField};
use datafusion::common::{DataFusionError, Result, ScalarValue};
use std::collections::HashMap;
use std::sync::Arc;

/// What kind of values a timeline (or index) column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Axis {
    Datetime,
    Timespan,
    Int,
    Real,
}

impl Axis {
    /// The axis of a column type; `None` when the column cannot be binned.
    pub(super) fn of(dt: &DataType) -> Option<Axis> {
        match dt {
            DataType::Timestamp(TimeUnit::Nanosecond, _) => Some(Axis::Datetime),
            DataType::Duration(TimeUnit::Nanosecond) => Some(Axis::Timespan),
            DataType::Int32 | DataType::Int64 => Some(Axis::Int),
            DataType::Float64 => Some(Axis::Real),
            _ => None,
        }
    }

    pub(super) fn is_int(self) -> bool {
        self != Axis::Real
    }
}

/// A constant on an axis: integer-like (nanoseconds for datetime/timespan) or real.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Num {
    I(i64),
    R(f64),
}

impl Num {
    pub(super) fn as_f64(self) -> f64 {
        match self {
            Num::I(v) => v as f64,
            Num::R(v) => v,
        }
    }
}

/// The values of a timeline column: integer-like (Int32/Int64/datetime/timespan as i64) or real.
pub(super) enum Col {
    I(Vec<Option<i64>>),
    R(Vec<Option<f64>>),
}

impl Col {
    pub(super) fn read(a: &ArrayRef) -> Result<Col> {
        let ints = |v: Vec<Option<i64>>| Ok(Col::I(v));
        match a.data_type() {
            DataType::Int32 => ints(
                a.as_primitive::<Int32Type>()
                    .iter()
                    .map(|x| x.map(i64::from))
                    .collect(),
            ),
            DataType::Int64 => ints(a.as_primitive::<Int64Type>().iter().collect()),
            DataType::Timestamp(TimeUnit::Nanosecond, _) => {
                ints(a.as_primitive::<TimestampNanosecondType>().iter().collect())
            }
            DataType::Duration(TimeUnit::Nanosecond) => {
                ints(a.as_primitive::<DurationNanosecondType>().iter().collect())
            }
            DataType::Float64 => Ok(Col::R(a.as_primitive::<Float64Type>().iter().collect())),
            other => Err(DataFusionError::Execution(format!(
                "a timeline column of type {other} cannot be binned"
            ))),
        }
    }

    pub(super) fn len(&self) -> usize {
        match self {
            Col::I(v) => v.len(),
            Col::R(v) => v.len(),
        }
    }

    /// Value `i` as a [`Num`] (`None` for null and NaN).
    pub(super) fn get(&self, i: usize) -> Option<Num> {
        match self {
            Col::I(v) => v.get(i).copied().flatten().map(Num::I),
            Col::R(v) => v
                .get(i)
                .copied()
                .flatten()
                .filter(|x| !x.is_nan())
                .map(Num::R),
        }
    }
}

fn kind_name(axis: Axis) -> &'static str {
    match axis {
        Axis::Datetime => "a datetime",
        Axis::Timespan => "a timespan",
        Axis::Int => "a whole number",
        Axis::Real => "a number",
    }
}

/// A constant argument read on `axis`: a point (`Start`, `End`) when `point`, else a length
/// (`Bin`, `LookbackWindow`). Datetime points are datetimes; datetime lengths and everything on
/// a timespan axis are timespans; integer axes take whole numbers, real axes any number.
pub(super) fn axis_const(
    args: &PluginArgs,
    i: usize,
    what: &str,
    axis: Axis,
    point: bool,
) -> Result<Num, PluginError> {
    let v = args
        .value(i, what)?
        .ok_or_else(|| PluginError::at(i, format!("{what} is required")))?;
    let bad = || {
        PluginError::at(
            i,
            format!(
                "{what} must be {} (the timeline column's kind), got {v}",
                kind_name(match (axis, point) {
                    (Axis::Datetime, false) => Axis::Timespan,
                    (a, _) => a,
                })
            ),
        )
    };
    match (axis, v) {
        (Axis::Datetime, ScalarValue::TimestampNanosecond(Some(n), _)) if point => Ok(Num::I(*n)),
        (Axis::Datetime, ScalarValue::DurationNanosecond(Some(n))) if !point => Ok(Num::I(*n)),
        (Axis::Timespan, ScalarValue::DurationNanosecond(Some(n))) => Ok(Num::I(*n)),
        (Axis::Datetime | Axis::Timespan, _) => Err(bad()),
        (Axis::Int, v) if v.data_type().is_numeric() => match super::scalar_f64(v) {
            Some(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Ok(Num::I(x as i64)),
            _ => Err(bad()),
        },
        (Axis::Real, v) if v.data_type().is_numeric() => {
            super::scalar_f64(v).map(Num::R).ok_or_else(bad)
        }
        _ => Err(bad()),
    }
}

/// Checks that a column can be a timeline; returns its axis.
pub(super) fn timeline_axis(
    schema: &SchemaRef,
    col: usize,
    arg: usize,
    what: &str,
) -> Result<Axis, PluginError> {
    let f = schema.field(col);
    Axis::of(f.data_type()).ok_or_else(|| {
        PluginError::at(
            arg,
            format!(
                "{what} '{}' must be a datetime, timespan, int, long or real column, not {}",
                f.name(),
                KqlType::of_field(f)
            ),
        )
    })
}

/// Bins on an axis: `origin + k·size` (index `k`), or calendar months (`months` per bin).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Grid {
    Int { origin: i128, size: i128 },
    Real { origin: f64, size: f64 },
    Months(i64),
}

impl Grid {
    /// A grid of `size` steps anchored at `origin` (both on the same axis). Fails for a size ≤ 0.
    pub(super) fn fixed(origin: Num, size: Num) -> Option<Grid> {
        match (origin, size) {
            (Num::I(o), Num::I(s)) if s > 0 => Some(Grid::Int {
                origin: i128::from(o),
                size: i128::from(s),
            }),
            (o, s) if s.as_f64() > 0.0 && s.as_f64().is_finite() => Some(Grid::Real {
                origin: o.as_f64(),
                size: s.as_f64(),
            }),
            _ => None,
        }
    }

    /// The grid of `bin(x, size)`: datetimes from Kusto's origin 0001-01-01, numbers from 0.
    pub(super) fn bin(axis: Axis, size: Num) -> Option<Grid> {
        match (axis, size) {
            (Axis::Datetime, Num::I(s)) if s > 0 => Some(Grid::Int {
                origin: crate::format::KQL_ORIGIN_NANOS,
                size: i128::from(s),
            }),
            (Axis::Real, s) => Grid::fixed(Num::R(0.0), s),
            (_, s) => Grid::fixed(Num::I(0), s),
        }
    }

    /// The index of the bin holding `x`.
    pub(super) fn index(&self, x: Num) -> Option<i64> {
        match (*self, x) {
            (Grid::Int { origin, size }, Num::I(v)) => {
                i64::try_from((i128::from(v) - origin).div_euclid(size)).ok()
            }
            (Grid::Real { origin, size }, x) => {
                let k = ((x.as_f64() - origin) / size).floor();
                (k.is_finite() && k.abs() < 9.0e18).then_some(k as i64)
            }
            (Grid::Months(m), Num::I(v)) => {
                let d = Utc.timestamp_nanos(v);
                let months = i64::from(d.year()) * 12 + i64::from(d.month0());
                Some(months.div_euclid(m))
            }
            _ => None,
        }
    }

    /// The start of bin `k`.
    pub(super) fn start(&self, k: i64) -> Option<Num> {
        match *self {
            Grid::Int { origin, size } => i64::try_from(origin + i128::from(k) * size)
                .ok()
                .map(Num::I),
            Grid::Real { origin, size } => Some(Num::R(origin + k as f64 * size)),
            Grid::Months(m) => {
                let months = k.checked_mul(m)?;
                let year = i32::try_from(months.div_euclid(12)).ok()?;
                let month = u32::try_from(months.rem_euclid(12)).ok()? + 1;
                let d = NaiveDate::from_ymd_opt(year, month, 1)?.and_hms_opt(0, 0, 0)?;
                d.and_utc().timestamp_nanos_opt().map(Num::I)
            }
        }
    }
}

/// The piped input (or table argument `k`) as one batch.
pub(super) fn one_batch(
    inputs: &[Vec<RecordBatch>],
    k: usize,
    schema: &SchemaRef,
) -> Result<RecordBatch> {
    match inputs.get(k) {
        Some(batches) if !batches.is_empty() => Ok(concat_batches(&batches[0].schema(), batches)?),
        _ => Ok(RecordBatch::new_empty(Arc::clone(schema))),
    }
}

/// Rows grouped by the values of some columns; groups are numbered in ascending order of
/// their values (nulls first), so emitting groups by number sorts the output by dimensions.
pub(super) struct Groups {
    /// The group of each row.
    pub of_row: Vec<usize>,
    /// One row of each group (to copy its dimension values).
    pub first_row: Vec<usize>,
}

impl Groups {
    pub(super) fn new(batch: &RecordBatch, cols: &[usize]) -> Result<Groups> {
        let n = batch.num_rows();
        if cols.is_empty() {
            return Ok(Groups {
                of_row: vec![0; n],
                first_row: if n > 0 { vec![0] } else { vec![] },
            });
        }
        let arrays: Vec<ArrayRef> = cols.iter().map(|&c| Arc::clone(batch.column(c))).collect();
        let conv = RowConverter::new(
            arrays
                .iter()
                .map(|a| SortField::new(a.data_type().clone()))
                .collect(),
        )?;
        let rows = conv.convert_columns(&arrays)?;
        let mut seen: HashMap<&[u8], usize> = HashMap::new();
        let mut first_row = Vec::new();
        let mut of_row = Vec::with_capacity(n);
        for i in 0..n {
            let key = rows.row(i).data();
            let g = *seen.entry(key).or_insert_with(|| {
                first_row.push(i);
                first_row.len() - 1
            });
            of_row.push(g);
        }
        // renumber so that group numbers follow the sort order of the dimension values
        let mut order: Vec<usize> = (0..first_row.len()).collect();
        order.sort_by(|&a, &b| rows.row(first_row[a]).cmp(&rows.row(first_row[b])));
        let mut rank = vec![0; order.len()];
        for (r, &g) in order.iter().enumerate() {
            rank[g] = r;
        }
        Ok(Groups {
            of_row: of_row.into_iter().map(|g| rank[g]).collect(),
            first_row: order.into_iter().map(|g| first_row[g]).collect(),
        })
    }

    pub(super) fn len(&self) -> usize {
        self.first_row.len()
    }

    /// The dimension columns for output rows belonging to `groups` (one entry per output row).
    pub(super) fn dims(
        &self,
        batch: &RecordBatch,
        cols: &[usize],
        groups: &[usize],
    ) -> Result<Vec<ArrayRef>> {
        let idx = UInt32Array::from(
            groups
                .iter()
                .map(|&g| u32::try_from(self.first_row[g]).ok())
                .collect::<Vec<_>>(),
        );
        cols.iter()
            .map(|&c| Ok(take(batch.column(c).as_ref(), &idx, None)?))
            .collect()
    }
}

/// A column of type `dt` (an axis type) from values on its axis.
pub(super) fn axis_array(dt: &DataType, values: &[Option<Num>]) -> Result<ArrayRef> {
    let ints = || -> Vec<Option<i64>> {
        values
            .iter()
            .map(|v| match v {
                Some(Num::I(x)) => Some(*x),
                Some(Num::R(x)) => Some(*x as i64),
                None => None,
            })
            .collect()
    };
    Ok(match dt {
        DataType::Int64 => Arc::new(Int64Array::from(ints())),
        DataType::Int32 => Arc::new(Int32Array::from(
            ints()
                .into_iter()
                .map(|x| x.and_then(|x| i32::try_from(x).ok()))
                .collect::<Vec<_>>(),
        )),
        DataType::Timestamp(TimeUnit::Nanosecond, tz) => {
            Arc::new(TimestampNanosecondArray::from(ints()).with_timezone_opt(tz.clone()))
        }
        DataType::Duration(TimeUnit::Nanosecond) => Arc::new(DurationNanosecondArray::from(ints())),
        DataType::Float64 => Arc::new(Float64Array::from(
            values
                .iter()
                .map(|v| v.map(Num::as_f64))
                .collect::<Vec<_>>(),
        )),
        other => {
            return Err(DataFusionError::Execution(format!(
                "cannot build a timeline column of type {other}"
            )));
        }
    })
}

/// Dimension columns: every positional argument from `from` on must name an input column that
/// is not dynamic, is not the timeline column and is not listed twice (each becomes an output
/// column of its own name).
pub(super) fn dimension_args(
    args: &PluginArgs,
    from: usize,
    input: &SchemaRef,
    timeline: usize,
) -> Result<Vec<usize>, PluginError> {
    let mut out = Vec::new();
    for i in from..args.len() {
        let (name, idx) = args.required_column(i, "a dimension", input)?;
        if KqlType::of_field(input.field(idx)) == KqlType::Dynamic {
            return Err(PluginError::at(
                i,
                format!("the dimension column '{name}' must not be dynamic"),
            ));
        }
        if idx == timeline || out.contains(&idx) {
            return Err(PluginError::at(
                i,
                format!("the column '{name}' is already an output column"),
            ));
        }
        out.push(idx);
    }
    Ok(out)
}

/// The output schema: the timeline field, the dimension fields (copied from the input, so they
/// keep their types and metadata), then `extra`.
pub(super) fn output_schema(
    input: &SchemaRef,
    timeline: usize,
    dims: &[usize],
    extra: Vec<Field>,
) -> SchemaRef {
    let mut fields: Vec<Field> = vec![input.field(timeline).clone().with_nullable(true)];
    fields.extend(
        dims.iter()
            .map(|&d| input.field(d).clone().with_nullable(true)),
    );
    fields.extend(extra);
    Arc::new(Schema::new(fields))
}

// ---------------------------------------------------------------------------------------------
// sliding_window_counts
