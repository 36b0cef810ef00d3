//! `kql_series_axis(start, step, nbins)`: the bin starts `start + k·step`, k = 0..nbins, as a
//! list of the axis type (make-series' last output column). Datetimes and timespans come in
//! as Int64 nanoseconds.

use super::{MAX_SERIES_POINTS, too_many_points};
use crate::types::datetime_type;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, DurationNanosecondArray, Float64Array, Int64Array, ListArray,
    TimestampNanosecondArray,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Int64Type, TimeUnit};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::Arc;

/// The type of a make-series axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AxisKind {
    Datetime,
    Timespan,
    Long,
    Real,
}

impl AxisKind {
    /// The Arrow type of the start and step arguments.
    pub fn input_type(self) -> DataType {
        match self {
            AxisKind::Real => DataType::Float64,
            _ => DataType::Int64,
        }
    }

    fn element_type(self) -> DataType {
        match self {
            AxisKind::Datetime => datetime_type(),
            AxisKind::Timespan => DataType::Duration(TimeUnit::Nanosecond),
            AxisKind::Long => DataType::Int64,
            AxisKind::Real => DataType::Float64,
        }
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct SeriesAxis {
    kind: AxisKind,
    signature: Signature,
}

/// The axis list of each row.
pub fn series_axis(kind: AxisKind, start: Expr, step: Expr, nbins: Expr) -> Expr {
    let t = kind.input_type();
    ScalarUDF::from(SeriesAxis {
        kind,
        signature: Signature::exact(vec![t.clone(), t, DataType::Int64], Volatility::Immutable),
    })
    .call(vec![start, step, nbins])
}

impl ScalarUDFImpl for SeriesAxis {
    fn name(&self) -> &str {
        "kql_series_axis"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::List(Arc::new(Field::new(
            "item",
            self.kind.element_type(),
            true,
        ))))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let arrays = args
            .args
            .iter()
            .map(|a| a.to_array(rows))
            .collect::<Result<Vec<ArrayRef>>>()?;
        let [start, step, nbins] = arrays.as_slice() else {
            return exec_err!("kql_series_axis expects 3 arguments");
        };
        let nbins = nbins.as_primitive::<Int64Type>();
        let mut lengths = Vec::with_capacity(rows);
        let mut nulls = Vec::with_capacity(rows);
        for i in 0..rows {
            let ok = start.is_valid(i) && step.is_valid(i) && nbins.is_valid(i);
            let n = if ok { nbins.value(i).max(0) } else { 0 };
            if n > MAX_SERIES_POINTS {
                return exec_err!("{}", too_many_points(n));
            }
            lengths.push(usize::try_from(n).unwrap_or(0));
            nulls.push(ok);
        }
        let values: ArrayRef = match self.kind {
            AxisKind::Real => {
                let (s, d) = (
                    start.as_primitive::<Float64Type>(),
                    step.as_primitive::<Float64Type>(),
                );
                let mut out = Vec::new();
                for (i, n) in lengths.iter().enumerate() {
                    out.extend((0..*n).map(|k| s.value(i) + k as f64 * d.value(i)));
                }
                Arc::new(Float64Array::from(out))
            }
            kind => {
                let (s, d) = (
                    start.as_primitive::<Int64Type>(),
                    step.as_primitive::<Int64Type>(),
                );
                let mut out = Vec::new();
                for (i, n) in lengths.iter().enumerate() {
                    out.extend((0..*n).map(|k| {
                        s.value(i)
                            .saturating_add((k as i64).saturating_mul(d.value(i)))
                    }));
                }
                match kind {
                    AxisKind::Datetime => {
                        Arc::new(TimestampNanosecondArray::from(out).with_timezone("UTC"))
                    }
                    AxisKind::Timespan => Arc::new(DurationNanosecondArray::from(out)),
                    _ => Arc::new(Int64Array::from(out)),
                }
            }
        };
        let field = Arc::new(Field::new("item", self.kind.element_type(), true));
        let list = ListArray::try_new(
            field,
            OffsetBuffer::from_lengths(lengths),
            values,
            Some(nulls.into()),
        )?;
        Ok(ColumnarValue::Array(Arc::new(list)))
    }
}
