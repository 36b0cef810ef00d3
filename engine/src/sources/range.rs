//! `range x from a to b step s` as a lazy source: the values are computed batch by batch when
//! the query runs (not collected while planning), so a long range costs no memory up front and
//! a running query over it can be cancelled or timed out at any batch.

use datafusion::arrow::array::{
    ArrayRef, DurationNanosecondArray, Float64Array, Int64Array, TimestampNanosecondArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::TableProvider;
use datafusion::catalog::streaming::StreamingTable;
use datafusion::error::Result;
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_plan::coop::make_cooperative;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::streaming::PartitionStream;
use std::sync::Arc;

/// Rows per generated batch.
const BATCH: u64 = 8192;

/// The arithmetic of a range: the i-th value is `start + i * step`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Steps {
    /// long, datetime (Unix nanoseconds) and timespan (nanoseconds) values.
    Int {
        start: i64,
        step: i64,
    },
    Real {
        start: f64,
        step: f64,
    },
}

impl Steps {
    /// How many values lie from the start to `end` inclusive, as KQL's `range` produces them
    /// (stopping before a value would pass `end` or overflow). `None` for a zero step.
    pub(crate) fn count_to_int(start: i64, end: i64, step: i64) -> Option<u64> {
        if step == 0 {
            return None;
        }
        if (step > 0 && start > end) || (step < 0 && start < end) {
            return Some(0);
        }
        let n = (i128::from(end) - i128::from(start)) / i128::from(step) + 1;
        u64::try_from(n).ok()
    }

    /// Like [`Steps::count_to_int`] for reals: the first `i` with `start + i * step` past `end`.
    pub(crate) fn count_to_real(start: f64, end: f64, step: f64) -> Option<u64> {
        if step == 0.0 || !(start.is_finite() && end.is_finite() && step.is_finite()) {
            return None;
        }
        let past = |i: f64| {
            let x = start + i * step;
            (step > 0.0 && x > end) || (step < 0.0 && x < end)
        };
        if past(0.0) {
            return Some(0);
        }
        // the estimate, then corrected to the exact first index past the end
        let mut i = ((end - start) / step).floor().max(0.0);
        while i > 0.0 && past(i) {
            i -= 1.0;
        }
        while !past(i + 1.0) {
            i += 1.0;
        }
        if i >= 9.0e18 {
            return None;
        }
        Some(i as u64 + 1)
    }
}

/// A table of `count` range values in one column `field` (long, real, datetime or timespan).
pub(crate) fn range_table(
    field: Field,
    steps: Steps,
    count: u64,
) -> Result<Arc<dyn TableProvider>> {
    let schema = Arc::new(Schema::new(vec![field]));
    let partition = Arc::new(RangePartition {
        schema: Arc::clone(&schema),
        steps,
        count,
    });
    // one partition: `range` rows come in order, which `serialize`, window functions and
    // plain output rely on
    Ok(Arc::new(StreamingTable::try_new(schema, vec![partition])?))
}

#[derive(Debug)]
struct RangePartition {
    schema: SchemaRef,
    steps: Steps,
    count: u64,
}

impl PartitionStream for RangePartition {
    fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    fn execute(&self, _ctx: Arc<TaskContext>) -> SendableRecordBatchStream {
        let schema = Arc::clone(&self.schema);
        let steps = self.steps;
        let count = self.count;
        let batches = (0..count.div_ceil(BATCH)).map(move |b| {
            let from = b * BATCH;
            let to = (from + BATCH).min(count);
            let field = schema.field(0);
            let column: ArrayRef = match steps {
                Steps::Int { start, step } => {
                    // the count was chosen so that no value overflows
                    let values =
                        (from..to).map(|i| start.wrapping_add((i as i64).wrapping_mul(step)));
                    match field.data_type() {
                        DataType::Timestamp(_, tz) => Arc::new(
                            TimestampNanosecondArray::from_iter_values(values)
                                .with_timezone_opt(tz.clone()),
                        ),
                        DataType::Duration(_) => {
                            Arc::new(DurationNanosecondArray::from_iter_values(values))
                        }
                        _ => Arc::new(Int64Array::from_iter_values(values)),
                    }
                }
                Steps::Real { start, step } => Arc::new(Float64Array::from_iter_values(
                    (from..to).map(|i| start + i as f64 * step),
                )),
            };
            Ok(RecordBatch::try_new(Arc::clone(&schema), vec![column])?)
        });
        make_cooperative(Box::pin(RecordBatchStreamAdapter::new(
            Arc::clone(&self.schema),
            futures::stream::iter(batches),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_follow_the_inclusive_end_and_the_direction() {
        assert_eq!(Steps::count_to_int(1, 10, 1), Some(10));
        assert_eq!(Steps::count_to_int(1, 10, 3), Some(4)); // 1 4 7 10
        assert_eq!(Steps::count_to_int(1, 9, 3), Some(3)); // 1 4 7
        assert_eq!(Steps::count_to_int(10, 1, -4), Some(3)); // 10 6 2
        assert_eq!(Steps::count_to_int(10, 1, 1), Some(0));
        assert_eq!(Steps::count_to_int(1, 10, 0), None);
        assert_eq!(Steps::count_to_int(i64::MAX - 1, i64::MAX, 5), Some(1));
        assert_eq!(Steps::count_to_real(0.0, 1.0, 0.1), Some(11)); // 0 + 10 * 0.1 == 1.0
        assert_eq!(Steps::count_to_real(0.0, 1.0, 0.25), Some(5));
        assert_eq!(Steps::count_to_real(1.0, 0.0, -0.5), Some(3));
        assert_eq!(Steps::count_to_real(0.0, 1.0, 0.0), None);
    }
}
