//! `row_window_session(Expr, MaxDistanceFromFirst, MaxDistanceBetweenNeighbors [, Restart])`
//! (row-window-session-function.md) as a DataFusion window function over the whole serialized
//! row set.
//!
//! The planner passes the value and both distances as Int64 nanoseconds and the restart
//! condition as a bool (false when absent); the result is the session's first value, Int64
//! nanoseconds, which the planner casts back to a datetime. A new session starts when there is
//! no current session (first row, or the previous value was null), when the value is at or past
//! the session start plus MaxDistanceFromFirst, when it is at or past the previous value plus
//! MaxDistanceBetweenNeighbors, or when Restart is true. A null value gives null and ends the
//! session.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Int64Builder};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Int64Type};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::function::{PartitionEvaluatorArgs, WindowUDFFieldArgs};
use datafusion::logical_expr::{
    PartitionEvaluator, Signature, Volatility, WindowUDF, WindowUDFImpl,
};
use std::sync::Arc;

#[derive(Debug, PartialEq, Eq, Hash)]
struct RowWindowSession {
    signature: Signature,
}

/// The window function; arguments (value, max_from_first, max_between, restart).
pub(crate) fn row_window_session_udwf() -> Arc<WindowUDF> {
    Arc::new(WindowUDF::from(RowWindowSession {
        signature: Signature::exact(
            vec![
                DataType::Int64,
                DataType::Int64,
                DataType::Int64,
                DataType::Boolean,
            ],
            Volatility::Immutable,
        ),
    }))
}

impl WindowUDFImpl for RowWindowSession {
    fn name(&self) -> &str {
        "row_window_session"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn partition_evaluator(
        &self,
        _args: PartitionEvaluatorArgs,
    ) -> Result<Box<dyn PartitionEvaluator>> {
        Ok(Box::new(SessionEvaluator))
    }

    fn field(&self, field_args: WindowUDFFieldArgs) -> Result<FieldRef> {
        Ok(Arc::new(Field::new(
            field_args.name(),
            DataType::Int64,
            true,
        )))
    }
}

#[derive(Debug)]
struct SessionEvaluator;

impl PartitionEvaluator for SessionEvaluator {
    fn evaluate_all(&mut self, values: &[ArrayRef], num_rows: usize) -> Result<ArrayRef> {
        let [value, from_first, between, restart] = values else {
            return exec_err!("row_window_session expects 4 arguments");
        };
        let value = value.as_primitive::<Int64Type>();
        let from_first = from_first.as_primitive::<Int64Type>();
        let between = between.as_primitive::<Int64Type>();
        let restart = restart.as_boolean();
        let mut out = Int64Builder::with_capacity(num_rows);
        let mut start: Option<i64> = None;
        let mut prev: Option<i64> = None;
        for i in 0..num_rows {
            if value.is_null(i) {
                out.append_null();
                start = None;
                prev = None;
                continue;
            }
            let v = value.value(i);
            let reached = |base: Option<i64>, dist: &datafusion::arrow::array::Int64Array| {
                base.is_some_and(|b| !dist.is_null(i) && v >= b.saturating_add(dist.value(i)))
            };
            let new_session = start.is_none()
                || reached(start, from_first)
                || reached(prev, between)
                || (restart.is_valid(i) && restart.value(i));
            if new_session {
                start = Some(v);
            }
            out.append_option(start);
            prev = Some(v);
        }
        Ok(Arc::new(out.finish()))
    }

    fn uses_window_frame(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{BooleanArray, Int64Array};

    fn run(
        values: Vec<Option<i64>>,
        first: i64,
        between: i64,
        restart: Vec<bool>,
    ) -> Vec<Option<i64>> {
        let n = values.len();
        let args: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(values)),
            Arc::new(Int64Array::from(vec![first; n])),
            Arc::new(Int64Array::from(vec![between; n])),
            Arc::new(BooleanArray::from(restart)),
        ];
        let out = SessionEvaluator.evaluate_all(&args, n).unwrap();
        out.as_primitive::<Int64Type>().iter().collect()
    }

    #[test]
    fn sessions_split_on_both_distances_restart_and_null() {
        // minutes; max 60 from the first, 5 between neighbours
        let got = run(
            vec![
                Some(0),
                Some(3),
                Some(8),
                Some(12),
                Some(14),
                None,
                Some(15),
                Some(16),
            ],
            60,
            5,
            vec![false, false, false, false, true, false, false, false],
        );
        // 3-0 < 5 keeps; 8-3 = 5 reaches the gap -> new at 8; 12 keeps; restart at 14;
        // null -> null and ends the session; 15 starts; 16 keeps
        assert_eq!(
            got,
            vec![
                Some(0),
                Some(0),
                Some(8),
                Some(8),
                Some(14),
                None,
                Some(15),
                Some(15)
            ]
        );
        // the distance from the first value: 0,4,8,12 every 4 (< 5 apart) with max 10 from first
        let got = run(
            vec![Some(0), Some(4), Some(8), Some(12)],
            10,
            5,
            vec![false; 4],
        );
        assert_eq!(got, vec![Some(0), Some(0), Some(0), Some(12)]);
    }
}
