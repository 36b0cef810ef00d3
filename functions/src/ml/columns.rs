//! Argument and result columns shared by the `series_*` UDFs: a series argument read once when it
//! is a constant, and the builder of a tuple-valued result (an Arrow struct).

use super::{LongListBuilder, RealListBuilder, SeriesRef, long_list_type, to_real_lists};
use datafusion::arrow::array::{ArrayRef, Float64Builder, Int64Builder, ListArray, StructArray};
use datafusion::arrow::datatypes::{DataType, Fields};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::ColumnarValue;
use std::sync::Arc;

/// A series argument as `List<Float64>` (a constant is converted once, not per row).
pub struct SeriesCol {
    lists: Arc<ListArray>,
    scalar: bool,
}

impl SeriesCol {
    pub fn new(v: &ColumnarValue) -> Result<SeriesCol> {
        // a make-series time axis: its Arrow values (Unix nanoseconds) are not Kusto's ticks,
        // and the docs ask for a conversion to real first (series-fit-poly-function.md), so
        // say so instead of computing on other numbers than Kusto would
        if let DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) =
            v.data_type()
            && matches!(
                f.data_type(),
                DataType::Timestamp(..)
                    | DataType::Date32
                    | DataType::Date64
                    | DataType::Duration(_)
            )
        {
            return exec_err!(
                "a series of datetime or timespan values is not numeric; convert it to real first (e.g. normalise it to [0, 1] as series-fit-poly-function.md shows)"
            );
        }
        Ok(match v {
            ColumnarValue::Scalar(s) => SeriesCol {
                lists: to_real_lists(&s.to_array_of_size(1)?)?,
                scalar: true,
            },
            ColumnarValue::Array(a) => SeriesCol {
                lists: to_real_lists(a)?,
                scalar: false,
            },
        })
    }

    /// Whether the argument is a constant (one value for every row).
    pub fn is_constant(&self) -> bool {
        self.scalar
    }

    /// Row `i` (the constant's only row when the argument is a constant).
    pub fn row(&self, i: usize) -> Option<SeriesRef> {
        SeriesRef::of(&self.lists, if self.scalar { 0 } else { i })
    }
}

enum Col {
    Real(Float64Builder),
    Long(Int64Builder),
    RealList(RealListBuilder),
    LongList(LongListBuilder),
}

/// Builds the struct of a tuple-valued function, row by row; each field's builder follows its
/// type in `fields` (Float64, Int64, `List<Int64>`, else `List<Float64>`).
pub struct TupleBuilder {
    fields: Fields,
    cols: Vec<Col>,
}

impl TupleBuilder {
    pub fn new(fields: Fields, rows: usize) -> TupleBuilder {
        let cols = fields
            .iter()
            .map(|f| match f.data_type() {
                DataType::Int64 => Col::Long(Int64Builder::with_capacity(rows)),
                DataType::Float64 => Col::Real(Float64Builder::with_capacity(rows)),
                t if *t == long_list_type() => Col::LongList(LongListBuilder::with_capacity(rows)),
                _ => Col::RealList(RealListBuilder::with_capacity(rows)),
            })
            .collect();
        TupleBuilder { fields, cols }
    }

    /// A row whose every field is null.
    pub fn null_row(&mut self) {
        for c in &mut self.cols {
            match c {
                Col::Real(b) => b.append_null(),
                Col::Long(b) => b.append_null(),
                Col::RealList(b) => b.append_null(),
                Col::LongList(b) => b.append_null(),
            }
        }
    }

    pub fn real(&mut self, i: usize, v: f64) {
        if let Some(Col::Real(b)) = self.cols.get_mut(i) {
            b.append_value(v);
        }
    }

    pub fn long(&mut self, i: usize, v: usize) {
        if let Some(Col::Long(b)) = self.cols.get_mut(i) {
            b.append_value(i64::try_from(v).unwrap_or(i64::MAX));
        }
    }

    /// A real series.
    pub fn list(&mut self, i: usize, v: &[f64]) {
        if let Some(Col::RealList(b)) = self.cols.get_mut(i) {
            b.append_values(v);
        }
    }

    /// A real series with null elements.
    pub fn optional_list(&mut self, i: usize, v: &[Option<f64>]) {
        if let Some(Col::RealList(b)) = self.cols.get_mut(i) {
            b.append_series(v.iter().copied());
        }
    }

    /// A long series.
    pub fn longs(&mut self, i: usize, v: &[i64]) {
        if let Some(Col::LongList(b)) = self.cols.get_mut(i) {
            b.append_series(v.iter().map(|x| Some(*x)));
        }
    }

    pub fn finish(self) -> Result<ArrayRef> {
        let children: Vec<ArrayRef> = self
            .cols
            .into_iter()
            .map(|c| -> ArrayRef {
                match c {
                    Col::Real(mut b) => Arc::new(b.finish()),
                    Col::Long(mut b) => Arc::new(b.finish()),
                    Col::RealList(b) => Arc::new(b.finish()),
                    Col::LongList(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        Ok(Arc::new(StructArray::try_new(self.fields, children, None)?))
    }
}
