//! `percentile(x, P)` (and each column of `percentiles`), as Kusto documents it
//! (percentiles-aggregation-function.md): an estimate of the nearest-rank percentile made with
//! a t-digest ([`crate::sketch::tdigest`]).
//!
//! - While a group has at most [`crate::sketch::tdigest::EXACT_LIMIT`] distinct values the digest holds them all and
//!   the result is the exact nearest-rank value: the smallest value such that at least P% of
//!   the values are less than or equal to it, `sorted[ceil(P/100 · n) − 1]`, and the smallest
//!   value for P = 0. The docs' small examples and Kusto's behaviour on small inputs agree.
//! - Past that the digest is compressed (about 100–150 centroids, bounded memory per group)
//!   and the result is interpolated; the docs bound the error on the rank (at most 1% at the
//!   median, exact at P = 0 and P = 100).
//!
//! Nulls are skipped (and NaN for reals); no values → null. The input is Int64 (integers,
//! datetimes and timespans as nanoseconds, cast by the lowering) or Float64, and the result
//! has the input's type. Partial states are the digest's bytes; there is a
//! [`GroupsAccumulator`] (one digest per group).

use crate::sketch::tdigest::{TDigest, Value};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BinaryArray, BooleanArray, Float64Array, Int64Array, ListBuilder,
    PrimitiveBuilder,
};
use datafusion::arrow::buffer::{Buffer, OffsetBuffer, ScalarBuffer};
use datafusion::arrow::datatypes::{
    ArrowPrimitiveType, DataType, Field, FieldRef, Float64Type, Int64Type,
};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, EmitTo, Expr, GroupsAccumulator, Signature,
    Volatility,
};
use std::sync::Arc;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct KqlPercentile {
    /// The percentiles P (0..=100) as f64 bits (for Eq/Hash). With one, the result is that
    /// percentile; with several, the list of them, from one digest per group.
    p_bits: Vec<u64>,
    signature: Signature,
}

impl KqlPercentile {
    pub fn new(p: f64) -> Self {
        Self::many(&[p])
    }

    /// The percentiles `ps` of one digest, as a list (for `percentiles(x, p1, p2, ...)`).
    pub fn many(ps: &[f64]) -> Self {
        KqlPercentile {
            p_bits: ps.iter().map(|p| p.to_bits()).collect(),
            signature: Signature::uniform(
                1,
                vec![DataType::Int64, DataType::Float64],
                Volatility::Immutable,
            ),
        }
    }

    /// The percentiles (one, or the list's).
    fn ps(&self) -> Vec<f64> {
        self.p_bits.iter().map(|b| f64::from_bits(*b)).collect()
    }

    fn is_list(&self) -> bool {
        self.p_bits.len() != 1
    }
}

/// `percentile(value, p)` as an aggregate expression over an Int64 or Float64 value.
pub fn percentile(value: Expr, p: f64) -> Expr {
    Arc::new(AggregateUDF::from(KqlPercentile::new(p))).call(vec![value])
}

/// The list of the percentiles `ps` (at least two) of `value`, from one digest per group.
pub fn percentiles(value: Expr, ps: &[f64]) -> Expr {
    Arc::new(AggregateUDF::from(KqlPercentile::many(ps))).call(vec![value])
}

impl AggregateUDFImpl for KqlPercentile {
    fn name(&self) -> &str {
        "kql_percentile"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        let item = match arg_types.first() {
            Some(DataType::Int64) => DataType::Int64,
            Some(DataType::Float64) => DataType::Float64,
            other => return exec_err!("kql_percentile expects Int64 or Float64, got {other:?}"),
        };
        Ok(if self.is_list() {
            DataType::new_list(item, true)
        } else {
            item
        })
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        let (ps, list) = (self.ps(), self.is_list());
        Ok(
            match acc_args.exprs.first().map(|e| e.data_type(acc_args.schema)) {
                Some(Ok(DataType::Int64)) => Box::new(Single(Digests::<Int64Type>::new(ps, list))),
                _ => Box::new(Single(Digests::<Float64Type>::new(ps, list))),
            },
        )
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "tdigest"),
            DataType::Binary,
            true,
        ))])
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(
        &self,
        args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        let (ps, list) = (self.ps(), self.is_list());
        Ok(match args.exprs.first().map(|e| e.data_type(args.schema)) {
            Some(Ok(DataType::Int64)) => Box::new(Digests::<Int64Type>::new(ps, list)),
            _ => Box::new(Digests::<Float64Type>::new(ps, list)),
        })
    }
}

/// An Arrow primitive type whose native values a digest can hold.
trait Native: ArrowPrimitiveType<Native: Value> + Send + Sync {
    fn skip(v: Self::Native) -> bool;
    fn array(values: Vec<Option<Self::Native>>) -> ArrayRef;
}

impl Native for Int64Type {
    fn skip(_: i64) -> bool {
        false
    }
    fn array(values: Vec<Option<i64>>) -> ArrayRef {
        Arc::new(Int64Array::from(values))
    }
}

impl Native for Float64Type {
    fn skip(v: f64) -> bool {
        v.is_nan()
    }
    fn array(values: Vec<Option<f64>>) -> ArrayRef {
        Arc::new(Float64Array::from(values))
    }
}

/// One digest per group.
struct Digests<T: Native> {
    ps: Vec<f64>,
    /// The result is the list of `ps` (else the one percentile `ps[0]`).
    list: bool,
    groups: Vec<TDigest<T::Native>>,
}

impl<T: Native> Digests<T> {
    fn new(ps: Vec<f64>, list: bool) -> Self {
        Digests {
            ps,
            list,
            groups: Vec::new(),
        }
    }

    /// The result of each digest: the percentile, or the list of percentiles.
    fn results(&self, digests: &mut [TDigest<T::Native>]) -> ArrayRef {
        if self.list {
            let mut b = ListBuilder::new(PrimitiveBuilder::<T>::new());
            for d in digests {
                for p in &self.ps {
                    b.values().append_option(d.percentile(*p));
                }
                b.append(true);
            }
            return Arc::new(b.finish());
        }
        let p = self.ps.first().copied().unwrap_or(50.0);
        T::array(digests.iter_mut().map(|d| d.percentile(p)).collect())
    }

    fn ensure(&mut self, n: usize) {
        if self.groups.len() < n {
            self.groups.resize_with(n, TDigest::new);
        }
    }

    fn update(
        &mut self,
        values: &[ArrayRef],
        groups: &[usize],
        filter: Option<&BooleanArray>,
    ) -> Result<()> {
        let Some(v) = values.first() else {
            return Ok(());
        };
        let Some(a) = v.as_primitive_opt::<T>() else {
            return exec_err!("kql_percentile: unexpected input type {}", v.data_type());
        };
        for (i, g) in groups.iter().enumerate() {
            if a.is_null(i) || filter.is_some_and(|f| !(f.is_valid(i) && f.value(i))) {
                continue;
            }
            let x = a.value(i);
            if !T::skip(x)
                && let Some(d) = self.groups.get_mut(*g)
            {
                d.add(x, 1);
            }
        }
        Ok(())
    }

    fn merge(
        &mut self,
        states: &[ArrayRef],
        groups: &[usize],
        filter: Option<&BooleanArray>,
    ) -> Result<()> {
        let Some(s) = states.first() else {
            return Ok(());
        };
        let Some(bin) = s.as_binary_opt::<i32>() else {
            return exec_err!("kql_percentile: unexpected state type {}", s.data_type());
        };
        for (i, g) in groups.iter().enumerate() {
            if bin.is_null(i) || filter.is_some_and(|f| !(f.is_valid(i) && f.value(i))) {
                continue;
            }
            let Some(other) = TDigest::<T::Native>::from_bytes(bin.value(i)) else {
                return exec_err!("kql_percentile: corrupt partial state");
            };
            if let Some(d) = self.groups.get_mut(*g) {
                d.merge(&other);
            }
        }
        Ok(())
    }

    fn state_of(d: &mut TDigest<T::Native>) -> Vec<u8> {
        let mut out = Vec::new();
        d.to_bytes(&mut out);
        out
    }
}

impl<T: Native> GroupsAccumulator for Digests<T> {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.ensure(total_num_groups);
        self.update(values, group_indices, opt_filter)
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let mut digests = emit_to.take_needed(&mut self.groups);
        Ok(self.results(&mut digests))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        // one buffer for all the groups' states, not one allocation each
        let mut digests = emit_to.take_needed(&mut self.groups);
        let mut data = Vec::new();
        let mut offsets = Vec::with_capacity(digests.len() + 1);
        offsets.push(0i32);
        for d in &mut digests {
            d.to_bytes(&mut data);
            let Ok(end) = i32::try_from(data.len()) else {
                return exec_err!(
                    "kql_percentile: the partial states of {} groups exceed 2 GiB",
                    digests.len()
                );
            };
            offsets.push(end);
        }
        let offsets = OffsetBuffer::new(ScalarBuffer::from(offsets));
        Ok(vec![Arc::new(BinaryArray::try_new(
            offsets,
            Buffer::from_vec(data),
            None,
        )?)])
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        self.ensure(total_num_groups);
        self.merge(values, group_indices, None)
    }

    /// One single-value digest per input row (used when DataFusion skips partial
    /// aggregation because groups barely repeat).
    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        let n = values.first().map_or(0, |v| v.len());
        let mut d = Digests::<T>::new(self.ps.clone(), self.list);
        d.ensure(n);
        d.update(values, &(0..n).collect::<Vec<_>>(), opt_filter)?;
        d.state(EmitTo::All)
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self
                .groups
                .iter()
                .map(|d| d.size() + std::mem::size_of_val(d))
                .sum::<usize>()
    }
}

/// The single-group accumulator (group 0 of [`Digests`]).
struct Single<T: Native>(Digests<T>);

impl<T: Native> std::fmt::Debug for Single<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PercentileAcc(P{:?})", self.0.ps)
    }
}

impl<T: Native> Accumulator for Single<T> {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.0.ensure(1);
        let (Some(v), Some(d)) = (values.first(), self.0.groups.first_mut()) else {
            return Ok(());
        };
        let Some(a) = v.as_primitive_opt::<T>() else {
            return exec_err!("kql_percentile: unexpected input type {}", v.data_type());
        };
        if a.null_count() == 0 {
            for x in a.values().iter() {
                if !T::skip(*x) {
                    d.add(*x, 1);
                }
            }
        } else {
            for x in a.iter().flatten() {
                if !T::skip(x) {
                    d.add(x, 1);
                }
            }
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        self.0.ensure(1);
        let n = states.first().map_or(0, |v| v.len());
        self.0.merge(states, &vec![0; n], None)
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        self.0.ensure(1);
        let b = self.0.groups.first_mut().map(Digests::<T>::state_of);
        Ok(vec![ScalarValue::Binary(b)])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        // (the digest stays: evaluate may be called again, e.g. over a growing window)
        self.0.ensure(1);
        let mut digests = std::mem::take(&mut self.0.groups);
        let out = self.0.results(&mut digests);
        self.0.groups = digests;
        ScalarValue::try_from_array(&out, 0)
    }

    fn size(&self) -> usize {
        GroupsAccumulator::size(&self.0)
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

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Float64Array, Int64Array};
    use datafusion::arrow::datatypes::Schema;
    use datafusion::arrow::record_batch::RecordBatch;
    use datafusion::prelude::{SessionConfig, SessionContext, col, lit};

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

    /// Runs `percentile(x, p) by g` over several partitions (so partial states are merged).
    async fn by_group(x: Vec<Option<i64>>, g: Vec<i64>, p: f64) -> Vec<(i64, Option<i64>)> {
        let schema = Arc::new(Schema::new(vec![
            Field::new("x", DataType::Int64, true),
            Field::new("g", DataType::Int64, false),
        ]));
        let n = x.len();
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(Int64Array::from(x)), Arc::new(Int64Array::from(g))],
        )
        .unwrap();
        let parts: Vec<Vec<RecordBatch>> = (0..4)
            .map(|k| vec![batch.slice(k * n / 4, (k + 1) * n / 4 - k * n / 4)])
            .collect();
        let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(4));
        let t = datafusion::datasource::MemTable::try_new(schema, parts).unwrap();
        let df = ctx
            .read_table(Arc::new(t))
            .unwrap()
            .aggregate(vec![col("g")], vec![percentile(col("x"), p).alias("p")])
            .unwrap()
            .sort(vec![col("g").sort(true, false)])
            .unwrap();
        let mut out = Vec::new();
        for b in df.collect().await.unwrap() {
            let g = b.column(0).as_primitive::<Int64Type>().clone();
            let v = b.column(1).as_primitive::<Int64Type>().clone();
            for i in 0..b.num_rows() {
                out.push((g.value(i), v.is_valid(i).then(|| v.value(i))));
            }
        }
        out
    }

    #[tokio::test]
    async fn groups_and_partitions() {
        // group 0: 1..=1000, group 1: 1000 × 7, group 2: only nulls; exact nearest rank:
        // P50 of 1..=1000 → rank 500 → 500
        let mut x = Vec::new();
        let mut g = Vec::new();
        for i in 1..=1000 {
            x.push(Some(i));
            g.push(0);
            x.push(Some(7));
            g.push(1);
            x.push(None);
            g.push(2);
        }
        let got = by_group(x, g, 50.0).await;
        assert_eq!(got, vec![(0, Some(500)), (1, Some(7)), (2, None)]);
    }

    #[tokio::test]
    async fn large_input_is_within_the_documented_rank_error() {
        // 100 000 distinct values (a permutation of 0..100000): compressed digest; the docs
        // bound the rank error by 1% at the median
        let n = 100_000i64;
        let x: Vec<Option<i64>> = (0..n).map(|i| Some((i * 7919) % n)).collect();
        for p in [10.0, 50.0, 99.0] {
            let got = by_group(x.clone(), vec![0; n as usize], p).await[0]
                .1
                .unwrap();
            let want = (p / 100.0 * n as f64).ceil() - 1.0;
            assert!((got as f64 - want).abs() <= 0.01 * n as f64, "P{p}: {got}");
        }
        let got = by_group(x, vec![0; n as usize], 100.0).await[0].1;
        assert_eq!(got, Some(n - 1));
    }

    #[tokio::test]
    async fn reals_skip_nan() {
        let schema = Arc::new(Schema::new(vec![Field::new("r", DataType::Float64, true)]));
        let batch = RecordBatch::try_new(
            schema,
            vec![Arc::new(Float64Array::from(vec![
                Some(2.5),
                Some(f64::NAN),
                None,
                Some(0.5),
            ]))],
        )
        .unwrap();
        let ctx = SessionContext::new();
        let out = ctx
            .read_batch(batch)
            .unwrap()
            .aggregate(vec![], vec![percentile(col("r"), 100.0).alias("p")])
            .unwrap()
            .filter(col("p").gt(lit(0.0)))
            .unwrap()
            .collect()
            .await
            .unwrap();
        let v = out[0].column(0).as_primitive::<Float64Type>().value(0);
        assert_eq!(v, 2.5);
    }
}
