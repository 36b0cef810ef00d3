//! `percentile(x, P)`: exact nearest-rank percentile (docs "Nearest-rank percentile"): the
//! smallest value such that at least P% of the values are less than or equal to it —
//! `sorted[ceil(P/100 · n) − 1]`, and the smallest value for P = 0. Nulls are skipped; no
//! values → null. Kusto estimates with a t-digest; on small inputs both give this value.
//!
//! The input is Int64 (integers, datetimes and timespans as nanoseconds, cast by the lowering)
//! or Float64, and the result has the input's type.

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type, Int64Type};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Expr, Signature, Volatility,
};
use std::sync::Arc;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct KqlPercentile {
    /// The percentile P (0..=100) as f64 bits (for Eq/Hash).
    p_bits: u64,
    signature: Signature,
}

impl KqlPercentile {
    pub fn new(p: f64) -> Self {
        KqlPercentile {
            p_bits: p.to_bits(),
            signature: Signature::uniform(
                1,
                vec![DataType::Int64, DataType::Float64],
                Volatility::Immutable,
            ),
        }
    }
}

/// `percentile(value, p)` as an aggregate expression over an Int64 or Float64 value.
pub fn percentile(value: Expr, p: f64) -> Expr {
    Arc::new(AggregateUDF::from(KqlPercentile::new(p))).call(vec![value])
}

impl AggregateUDFImpl for KqlPercentile {
    fn name(&self) -> &str {
        "kql_percentile"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types.first() {
            Some(DataType::Int64) => Ok(DataType::Int64),
            Some(DataType::Float64) => Ok(DataType::Float64),
            other => exec_err!("kql_percentile expects Int64 or Float64, got {other:?}"),
        }
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let p = f64::from_bits(self.p_bits);
        Ok(match acc_args.return_field.data_type() {
            DataType::Int64 => Box::new(PercentileAcc::<i64>::new(p)),
            _ => Box::new(PercentileAcc::<f64>::new(p)),
        })
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let dt = args.return_field.data_type().clone();
        Ok(vec![Arc::new(Field::new_list(
            format_state_name(args.name, "values"),
            Field::new_list_field(dt, true),
            true,
        ))])
    }
}

trait Value: Copy + Send + Sync + std::fmt::Debug + 'static {
    fn read(a: &ArrayRef, out: &mut Vec<Self>);
    fn cmp(a: &Self, b: &Self) -> std::cmp::Ordering;
    fn scalar(v: Option<Self>) -> ScalarValue;
    fn data_type() -> DataType;
}

impl Value for i64 {
    fn read(a: &ArrayRef, out: &mut Vec<Self>) {
        if let Some(a) = a.as_primitive_opt::<Int64Type>() {
            out.extend(a.iter().flatten());
        }
    }
    fn cmp(a: &Self, b: &Self) -> std::cmp::Ordering {
        a.cmp(b)
    }
    fn scalar(v: Option<Self>) -> ScalarValue {
        ScalarValue::Int64(v)
    }
    fn data_type() -> DataType {
        DataType::Int64
    }
}

impl Value for f64 {
    fn read(a: &ArrayRef, out: &mut Vec<Self>) {
        if let Some(a) = a.as_primitive_opt::<Float64Type>() {
            out.extend(a.iter().flatten());
        }
    }
    fn cmp(a: &Self, b: &Self) -> std::cmp::Ordering {
        a.total_cmp(b)
    }
    fn scalar(v: Option<Self>) -> ScalarValue {
        ScalarValue::Float64(v)
    }
    fn data_type() -> DataType {
        DataType::Float64
    }
}

#[derive(Debug)]
struct PercentileAcc<T> {
    p: f64,
    values: Vec<T>,
}

impl<T: Value> PercentileAcc<T> {
    fn new(p: f64) -> Self {
        PercentileAcc {
            p,
            values: Vec::new(),
        }
    }
}

/// The 0-based index of the nearest-rank P-th percentile among `n` sorted values.
pub fn nearest_rank_index(p: f64, n: usize) -> usize {
    if n == 0 || p.is_nan() || p <= 0.0 {
        return 0;
    }
    let rank = (p / 100.0 * n as f64).ceil();
    (rank.clamp(1.0, n as f64) as usize) - 1
}

impl<T: Value> Accumulator for PercentileAcc<T> {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        if let Some(v) = values.first() {
            T::read(v, &mut self.values);
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let Some(s) = states.first() else {
            return Ok(());
        };
        let Some(lists) = s.as_list_opt::<i32>() else {
            return exec_err!("kql_percentile: unexpected state type {}", s.data_type());
        };
        for i in 0..lists.len() {
            if !lists.is_null(i) {
                T::read(&lists.value(i), &mut self.values);
            }
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let items: Vec<ScalarValue> = self.values.iter().map(|v| T::scalar(Some(*v))).collect();
        Ok(vec![ScalarValue::List(ScalarValue::new_list_nullable(
            &items,
            &T::data_type(),
        ))])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        if self.values.is_empty() {
            return Ok(T::scalar(None));
        }
        let k = nearest_rank_index(self.p, self.values.len());
        let (_, v, _) = self.values.select_nth_unstable_by(k, T::cmp);
        Ok(T::scalar(Some(*v)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.values.capacity() * std::mem::size_of::<T>()
    }
}

#[cfg(test)]
mod tests {
    use super::nearest_rank_index;

    #[test]
    fn nearest_rank() {
        // Wikipedia's nearest-rank example: {15, 20, 35, 40, 50}: P5 → 15, P30 → 20,
        // P40 → 20, P50 → 35, P100 → 50
        let v = [15, 20, 35, 40, 50];
        for (p, want) in [
            (5.0, 15),
            (30.0, 20),
            (40.0, 20),
            (50.0, 35),
            (100.0, 50),
            (0.0, 15),
        ] {
            assert_eq!(v[nearest_rank_index(p, v.len())], want, "P{p}");
        }
    }
}
