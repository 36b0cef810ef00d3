//! Time-series and ML kernels (ml-operators.md) and the plumbing the `series_*` functions share.
//!
//! A series argument arrives in one of two physical forms (DESIGN.md §3): an Arrow list of
//! numbers (`List<Int64>` / `List<Float64>` from make-series, any integer or float element
//! type) or `dynamic` JSON text (`dynamic([1, 2, 3])`, `parse_json(...)`, a JSON column).
//! [`to_real_lists`] turns either into one `List<Float64>` array, zero-copy for `List<Float64>`;
//! JSON elements that are not numbers become null, a JSON value that is not an array gives a
//! null series. Kernels then read each row's values as a `&[f64]` slice plus its null mask
//! ([`SeriesRef`]) and build results with [`RealListBuilder`] / [`LongListBuilder`].

pub mod elementwise;
pub mod fill;
pub mod vector;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Float64Array, Float64Builder, Int64Builder, ListArray, ListBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, Float64Type};
use datafusion::common::{Result, exec_err};
use std::sync::Arc;

pub mod columns;
pub mod decompose;
pub mod fft;
pub mod filter;
pub mod fit;
pub mod outliers;
pub mod periods;
pub mod stats;

/// Whether the function `name` reads series arguments in their list form (the `series_*`
/// family); every other function gets lists converted to `dynamic` JSON text by the planner.
pub fn reads_series(name: &str) -> bool {
    name.starts_with("series_")
}

/// The fields of a `series_*` function whose result is several columns, in Kusto's order
/// (ml-operators.md). Such a function lowers to an Arrow `Struct` with these field names; the
/// planner spreads it into columns named `<function>_<argument>_<field>` (or by the names of a
/// tuple assignment). `None` for single-result functions.
pub fn tuple_fields(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "series_stats" => &[
            "min", "min_idx", "max", "max_idx", "avg", "stdev", "variance",
        ],
        "series_fit_line" => &[
            "rsquare",
            "slope",
            "variance",
            "rvariance",
            "interception",
            "line_fit",
        ],
        "series_fit_2lines" => &[
            "rsquare",
            "split_idx",
            "variance",
            "rvariance",
            "line_fit",
            "right_rsquare",
            "right_slope",
            "right_interception",
            "right_variance",
            "right_rvariance",
            "left_rsquare",
            "left_slope",
            "left_interception",
            "left_variance",
            "left_rvariance",
        ],
        "series_fit_poly" => &[
            "rsquare",
            "coefficients",
            "variance",
            "rvariance",
            "poly_fit",
        ],
        "series_decompose" => &["baseline", "seasonal", "trend", "residual"],
        "series_decompose_anomalies" => &["ad_flag", "ad_score", "baseline"],
        "series_periods_detect" | "series_periods_validate" => &["periods", "scores"],
        "series_fft" | "series_ifft" => &["real", "imag"],
        _ => return None,
    })
}

/// `List<Float64>`, the type of a real series.
pub fn real_list_type() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Float64, true)))
}

/// `List<Int64>`, the type of a long series.
pub fn long_list_type() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Int64, true)))
}

/// Whether `dt` is a list whose elements are integers (a `long` series: the fill functions
/// keep that element type).
pub fn is_integer_list(dt: &DataType) -> bool {
    match dt {
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            f.data_type().is_integer()
        }
        _ => false,
    }
}

/// Whether `dt` can be a series argument (a list of numbers or `dynamic` text).
pub fn is_series_type(dt: &DataType) -> bool {
    match dt {
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            f.data_type().is_numeric() || f.data_type() == &DataType::Null
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => true,
        _ => false,
    }
}

/// Any accepted series array as `List<Float64>` (see the module comment).
pub fn to_real_lists(array: &ArrayRef) -> Result<Arc<ListArray>> {
    match array.data_type() {
        DataType::List(f) if f.data_type() == &DataType::Float64 => {
            Ok(Arc::new(array.as_list::<i32>().clone()))
        }
        DataType::List(_) | DataType::LargeList(_) | DataType::FixedSizeList(..) => {
            let cast = datafusion::arrow::compute::cast(array, &real_list_type())?;
            Ok(Arc::new(cast.as_list::<i32>().clone()))
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let text = datafusion::arrow::compute::cast(array, &DataType::Utf8)?;
            let text = text.as_string::<i32>();
            let mut b = RealListBuilder::with_capacity(text.len());
            for i in 0..text.len() {
                if text.is_null(i) {
                    b.append_null();
                    continue;
                }
                match serde_json::from_str::<serde_json::Value>(text.value(i)) {
                    Ok(serde_json::Value::Array(items)) => {
                        b.append_series(items.iter().map(serde_json::Value::as_f64))
                    }
                    _ => b.append_null(),
                }
            }
            Ok(Arc::new(b.finish()))
        }
        DataType::Null => {
            let mut b = RealListBuilder::with_capacity(array.len());
            for _ in 0..array.len() {
                b.append_null();
            }
            Ok(Arc::new(b.finish()))
        }
        other => exec_err!("expected a series (a dynamic array of numbers), got {other}"),
    }
}

/// One row of a `List<Float64>`: its values (nulls hold an unspecified number; check
/// [`SeriesRef::is_null`]) and null mask.
pub struct SeriesRef {
    values: Float64Array,
}

impl SeriesRef {
    /// Row `row` of `lists`, or `None` when the row itself is null.
    pub fn of(lists: &ListArray, row: usize) -> Option<SeriesRef> {
        if lists.is_null(row) {
            return None;
        }
        let v = lists.value(row);
        Some(SeriesRef {
            values: v.as_primitive::<Float64Type>().clone(),
        })
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The raw values (zero-copy); entries at null positions are meaningless.
    pub fn values(&self) -> &[f64] {
        self.values.values()
    }

    pub fn is_null(&self, i: usize) -> bool {
        self.values.is_null(i)
    }

    /// Whether any element is null.
    pub fn has_nulls(&self) -> bool {
        self.values.null_count() > 0
    }

    /// Element `i` (None when null).
    pub fn get(&self, i: usize) -> Option<f64> {
        (!self.values.is_null(i)).then(|| self.values.value(i))
    }

    /// The elements with nulls as NaN (for kernels that propagate NaN).
    pub fn with_nan(&self) -> Vec<f64> {
        (0..self.len())
            .map(|i| self.get(i).unwrap_or(f64::NAN))
            .collect()
    }

    /// The elements as options.
    pub fn options(&self) -> Vec<Option<f64>> {
        (0..self.len()).map(|i| self.get(i)).collect()
    }
}

/// Builds a `List<Float64>` row by row.
pub struct RealListBuilder(ListBuilder<Float64Builder>);

impl RealListBuilder {
    pub fn with_capacity(rows: usize) -> Self {
        RealListBuilder(ListBuilder::with_capacity(Float64Builder::new(), rows))
    }

    /// Appends one series; NaN stays NaN (use `None` for null elements).
    pub fn append_series(&mut self, values: impl IntoIterator<Item = Option<f64>>) {
        for v in values {
            self.0.values().append_option(v);
        }
        self.0.append(true);
    }

    /// Appends a series of plain values.
    pub fn append_values(&mut self, values: &[f64]) {
        self.0.values().append_slice(values);
        self.0.append(true);
    }

    pub fn append_null(&mut self) {
        self.0.append(false);
    }

    pub fn finish(mut self) -> ListArray {
        self.0.finish()
    }
}

/// Builds a `List<Int64>` row by row.
pub struct LongListBuilder(ListBuilder<Int64Builder>);

impl LongListBuilder {
    pub fn with_capacity(rows: usize) -> Self {
        LongListBuilder(ListBuilder::with_capacity(Int64Builder::new(), rows))
    }

    pub fn append_series(&mut self, values: impl IntoIterator<Item = Option<i64>>) {
        for v in values {
            self.0.values().append_option(v);
        }
        self.0.append(true);
    }

    pub fn append_null(&mut self) {
        self.0.append(false);
    }

    pub fn finish(mut self) -> ListArray {
        self.0.finish()
    }
}

/// `ListArray` as an `ArrayRef`.
pub fn array_ref(l: ListArray) -> ArrayRef {
    Arc::new(l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Int64Array, StringArray};
    use datafusion::arrow::datatypes::Int64Type;

    #[test]
    fn json_and_integer_lists_become_real_lists() {
        let json: ArrayRef = Arc::new(StringArray::from(vec![
            Some("[1, 2.5, null, \"x\"]"),
            None,
            Some("{\"a\":1}"),
        ]));
        let l = to_real_lists(&json).unwrap();
        let s = SeriesRef::of(&l, 0).unwrap();
        assert_eq!(s.options(), vec![Some(1.0), Some(2.5), None, None]);
        assert!(SeriesRef::of(&l, 1).is_none());
        assert!(SeriesRef::of(&l, 2).is_none());

        let ints = ListArray::from_iter_primitive::<Int64Type, _, _>(vec![Some(vec![
            Some(3),
            None,
            Some(-1),
        ])]);
        let ints: ArrayRef = Arc::new(ints);
        assert!(is_integer_list(ints.data_type()));
        let l = to_real_lists(&ints).unwrap();
        let s = SeriesRef::of(&l, 0).unwrap();
        assert_eq!(s.options(), vec![Some(3.0), None, Some(-1.0)]);
        assert!(s.has_nulls());
        let _ = Int64Array::from(vec![1]);
    }

    #[test]
    fn builders() {
        let mut b = RealListBuilder::with_capacity(2);
        b.append_values(&[1.0, f64::NAN]);
        b.append_null();
        let l = b.finish();
        assert_eq!(l.len(), 2);
        assert!(l.is_null(1));
        let s = SeriesRef::of(&l, 0).unwrap();
        assert!(s.values()[1].is_nan());
    }
}
