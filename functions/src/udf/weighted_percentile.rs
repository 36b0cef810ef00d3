//! Weighted and array-valued nearest-rank percentiles: `percentilew`, `percentilesw`,
//! `percentilesw_array` (percentilesw-aggregation-function.md) and `percentiles_array`
//! (percentiles-aggregation-function.md, "Return percentiles as an array").
//!
//! The value picked is the exact nearest-rank percentile, the same rule as
//! [`super::percentile`] (`percentile`/`percentiles`): each value counts as if it were repeated
//! `weight` times; with W the total weight, the P-th percentile is the smallest value whose
//! cumulative weight reaches `ceil(P/100 · W)`, and the smallest value for P = 0. With all
//! weights 1 this is `sorted[ceil(P/100 · n) − 1]`. Kusto estimates with a t-digest; on small
//! inputs both give this value.
//!
//! Rows with a null value, or a null, zero or negative weight, are skipped (a value repeated
//! zero times is absent; the docs say nothing about negative weights, and a negative count of
//! repetitions has no meaning). No rows → null (the array form: null too, as for
//! `percentiles`, whose columns are null).
//!
//! The input value is Int64 (integers, and datetimes and timespans as nanoseconds, cast by the
//! lowering) or Float64; the weight is Int64. The single form returns the value's type; the
//! array form returns dynamic JSON text with elements formatted per [`ElemKind`].

use crate::format::{format_datetime_nanos, format_timespan_nanos};
use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type, Int64Type};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Expr, Signature, Volatility,
};
use serde_json::Value;
use std::sync::Arc;

/// How array elements are written in the JSON result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ElemKind {
    Long,
    Real,
    /// Int64 Unix nanoseconds → a datetime string.
    Datetime,
    /// Int64 nanoseconds → a timespan string.
    Timespan,
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct KqlPercentilesW {
    /// The percentiles (0..=100) as f64 bits (for Eq/Hash).
    p_bits: Vec<u64>,
    /// `None`: one percentile, the value's type; `Some`: a dynamic array of all of them.
    array: Option<ElemKind>,
    /// Whether the value is Float64 (else Int64).
    real: bool,
    signature: Signature,
}

/// The weighted nearest-rank percentile `p` of `value` (Int64 or Float64), weights Int64.
pub fn percentile_w(value: Expr, weight: Expr, p: f64, real: bool) -> Expr {
    udaf(vec![p], None, real).call(vec![value, weight])
}

/// The weighted nearest-rank percentiles `ps` of `value` as a dynamic JSON array.
pub fn percentiles_w_array(value: Expr, weight: Expr, ps: &[f64], kind: ElemKind) -> Expr {
    udaf(ps.to_vec(), Some(kind), kind == ElemKind::Real).call(vec![value, weight])
}

fn udaf(ps: Vec<f64>, array: Option<ElemKind>, real: bool) -> Arc<AggregateUDF> {
    Arc::new(AggregateUDF::from(KqlPercentilesW {
        p_bits: ps.iter().map(|p| p.to_bits()).collect(),
        array,
        real,
        signature: Signature::any(2, Volatility::Immutable),
    }))
}

impl AggregateUDFImpl for KqlPercentilesW {
    fn name(&self) -> &str {
        if self.array.is_some() {
            "kql_percentilesw_array"
        } else {
            "kql_percentilew"
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(match (self.array, self.real) {
            (Some(_), _) => DataType::Utf8,
            (None, true) => DataType::Float64,
            (None, false) => DataType::Int64,
        })
    }

    fn accumulator(&self, _acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(WAcc {
            ps: self.p_bits.iter().map(|b| f64::from_bits(*b)).collect(),
            array: self.array,
            real: self.real,
            values: Vec::new(),
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        let dt = if self.real {
            DataType::Float64
        } else {
            DataType::Int64
        };
        Ok(vec![
            Arc::new(Field::new_list(
                format_state_name(args.name, "values"),
                Field::new_list_field(dt, true),
                true,
            )),
            Arc::new(Field::new_list(
                format_state_name(args.name, "weights"),
                Field::new_list_field(DataType::Int64, true),
                true,
            )),
        ])
    }
}

/// A value as read from the input: integers stay exact.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Num {
    I(i64),
    F(f64),
}

impl Num {
    fn cmp(a: &Num, b: &Num) -> std::cmp::Ordering {
        match (a, b) {
            (Num::I(x), Num::I(y)) => x.cmp(y),
            (Num::F(x), Num::F(y)) => x.total_cmp(y),
            (Num::I(x), Num::F(y)) => (*x as f64).total_cmp(y),
            (Num::F(x), Num::I(y)) => x.total_cmp(&(*y as f64)),
        }
    }
}

#[derive(Debug)]
struct WAcc {
    ps: Vec<f64>,
    array: Option<ElemKind>,
    real: bool,
    /// (value, weight) with weight > 0.
    values: Vec<(Num, i64)>,
}

fn read(values: &ArrayRef, weights: &ArrayRef, out: &mut Vec<(Num, i64)>) -> Result<()> {
    let Some(w) = weights.as_primitive_opt::<Int64Type>() else {
        return exec_err!("kql_percentilew: the weight must be Int64");
    };
    let mut push = |i: usize, v: Num| {
        if w.is_valid(i) && w.value(i) > 0 {
            out.push((v, w.value(i)));
        }
    };
    if let Some(a) = values.as_primitive_opt::<Int64Type>() {
        for i in 0..a.len() {
            if a.is_valid(i) {
                push(i, Num::I(a.value(i)));
            }
        }
    } else if let Some(a) = values.as_primitive_opt::<Float64Type>() {
        for i in 0..a.len() {
            if a.is_valid(i) {
                push(i, Num::F(a.value(i)));
            }
        }
    } else {
        return exec_err!("kql_percentilew expects Int64 or Float64 values");
    }
    Ok(())
}

/// The index (into `sorted`) of the weighted nearest-rank P-th percentile; `sorted` is in
/// ascending order of value with positive weights and is not empty.
pub fn weighted_rank_index(p: f64, weights: &[i64]) -> usize {
    let total: i64 = weights.iter().sum();
    if weights.is_empty() || p.is_nan() || p <= 0.0 {
        return 0;
    }
    // the same formula as the unweighted nearest rank (`percentile::nearest_rank_index`)
    let rank = (p / 100.0 * total as f64).ceil().clamp(1.0, total as f64);
    let mut cum = 0i64;
    for (i, w) in weights.iter().enumerate() {
        cum += w;
        if cum as f64 >= rank {
            return i;
        }
    }
    weights.len() - 1
}

impl WAcc {
    fn scalar(&self, v: Option<Num>) -> ScalarValue {
        match (v, self.real) {
            (Some(Num::I(x)), false) => ScalarValue::Int64(Some(x)),
            (Some(Num::F(x)), true) => ScalarValue::Float64(Some(x)),
            (Some(Num::I(x)), true) => ScalarValue::Float64(Some(x as f64)),
            (Some(Num::F(x)), false) => ScalarValue::Int64(Some(x as i64)),
            (None, true) => ScalarValue::Float64(None),
            (None, false) => ScalarValue::Int64(None),
        }
    }

    fn json(kind: ElemKind, v: Num) -> Value {
        match (kind, v) {
            (ElemKind::Datetime, Num::I(x)) => Value::String(format_datetime_nanos(x)),
            (ElemKind::Timespan, Num::I(x)) => Value::String(format_timespan_nanos(x)),
            (ElemKind::Real, Num::F(x)) | (ElemKind::Long, Num::F(x)) => {
                serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
            }
            (ElemKind::Real, Num::I(x)) => {
                serde_json::Number::from_f64(x as f64).map_or(Value::Null, Value::Number)
            }
            (_, Num::I(x)) => Value::from(x),
            (_, Num::F(x)) => serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number),
        }
    }
}

impl Accumulator for WAcc {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let [v, w] = values else {
            return exec_err!("kql_percentilew expects a value and a weight");
        };
        read(v, w, &mut self.values)
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let [v, w] = states else {
            return exec_err!("kql_percentilew: unexpected state");
        };
        let (Some(v), Some(w)) = (v.as_list_opt::<i32>(), w.as_list_opt::<i32>()) else {
            return exec_err!("kql_percentilew: unexpected state types");
        };
        for i in 0..v.len() {
            if v.is_valid(i) && w.is_valid(i) {
                read(&v.value(i), &w.value(i), &mut self.values)?;
            }
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let dt = if self.real {
            DataType::Float64
        } else {
            DataType::Int64
        };
        let vals: Vec<ScalarValue> = self
            .values
            .iter()
            .map(|(v, _)| self.scalar(Some(*v)))
            .collect();
        let ws: Vec<ScalarValue> = self
            .values
            .iter()
            .map(|(_, w)| ScalarValue::Int64(Some(*w)))
            .collect();
        Ok(vec![
            ScalarValue::List(ScalarValue::new_list_nullable(&vals, &dt)),
            ScalarValue::List(ScalarValue::new_list_nullable(&ws, &DataType::Int64)),
        ])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        if self.values.is_empty() {
            return Ok(match self.array {
                Some(_) => ScalarValue::Utf8(None),
                None => self.scalar(None),
            });
        }
        self.values.sort_by(|a, b| Num::cmp(&a.0, &b.0));
        let weights: Vec<i64> = self.values.iter().map(|(_, w)| *w).collect();
        let picks: Vec<Num> = self
            .ps
            .iter()
            .map(|p| self.values[weighted_rank_index(*p, &weights)].0)
            .collect();
        Ok(match self.array {
            None => self.scalar(picks.first().copied()),
            Some(kind) => ScalarValue::Utf8(Some(
                Value::Array(picks.into_iter().map(|v| Self::json(kind, v)).collect()).to_string(),
            )),
        })
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self.values.capacity() * std::mem::size_of::<(Num, i64)>()
            + self.ps.capacity() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::weighted_rank_index;
    use crate::udf::percentile::nearest_rank_index;

    #[test]
    fn docs_latency_buckets() {
        // percentilesw-aggregation-function.md: buckets 10, 20, 30, 40 with counts 8, 6, 3, 1
        // (W = 18): P50 → rank 9 → 20; P75 → rank 13.5 → 14 → 20; P99.9 → rank 17.98 → 18 → 40
        let values = [10, 20, 30, 40];
        let w = [8, 6, 3, 1];
        for (p, want) in [(50.0, 20), (75.0, 20), (99.9, 40), (0.0, 10), (100.0, 40)] {
            assert_eq!(values[weighted_rank_index(p, &w)], want, "P{p}");
        }
        // the 18 raw latencies the buckets stand for give the same bucket ranks unweighted
        let raw = [
            1, 1, 2, 2, 2, 5, 7, 7, 12, 12, 15, 15, 15, 18, 21, 22, 26, 35,
        ];
        assert_eq!(raw[nearest_rank_index(50.0, raw.len())], 12);
    }

    #[test]
    fn unit_weights_match_nearest_rank() {
        for n in 1..12usize {
            let w = vec![1i64; n];
            for p in [0.0, 1.0, 10.0, 25.0, 33.3, 50.0, 66.7, 90.0, 99.9, 100.0] {
                assert_eq!(
                    weighted_rank_index(p, &w),
                    nearest_rank_index(p, n),
                    "n={n} P{p}"
                );
            }
        }
    }
}
