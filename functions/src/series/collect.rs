//! `kql_make_series(bin, value, nbins)`: collects the per-bin aggregates of one group into a
//! dense list of `nbins` elements; bins without a row hold the aggregate's `default=` value
//! (0 unless given; null with `default=double(null)`). A bin whose aggregate is null stays null.
//! Rows with a null bin are ignored (they only carry `nbins`, see the make-series planner).

use super::{MAX_SERIES_POINTS, too_many_points};
use datafusion::arrow::array::BooleanArray;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Float64Builder, Int64Builder, ListArray, ListBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type, Int64Type};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, EmitTo, Expr, GroupsAccumulator, Signature,
    Volatility,
};
use std::sync::Arc;

/// The element type of a series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Elem {
    Long,
    Real,
}

impl Elem {
    fn data_type(self) -> DataType {
        match self {
            Elem::Long => DataType::Int64,
            Elem::Real => DataType::Float64,
        }
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct MakeSeriesCollect {
    elem: Elem,
    /// The `default=` value, as i64 bits or f64 bits (None: null).
    default_bits: Option<u64>,
    /// The series length when the bounds are constants (so a group without rows, as with
    /// `kind=nonempty` on empty input, still gets its series of defaults).
    fixed_nbins: Option<i64>,
    signature: Signature,
}

/// `kql_make_series(bin: Int64, value, nbins: Int64)`: `value` is Int64 (a `long` series) or
/// Float64 (a `real` series); `default` is the value of empty bins (Int64/Float64/null);
/// `fixed_nbins` the length when it is known when planning.
pub fn make_series_collect(
    bin: Expr,
    value: Expr,
    nbins: Expr,
    real: bool,
    default: &ScalarValue,
    fixed_nbins: Option<i64>,
) -> Result<Expr> {
    let elem = if real { Elem::Real } else { Elem::Long };
    let default_bits = match (elem, default) {
        (_, v) if v.is_null() => None,
        (Elem::Long, ScalarValue::Int64(Some(v))) => Some(*v as u64),
        (Elem::Long, ScalarValue::Int32(Some(v))) => Some(i64::from(*v) as u64),
        (Elem::Real, ScalarValue::Float64(Some(v))) => Some(v.to_bits()),
        (Elem::Real, ScalarValue::Int64(Some(v))) => Some((*v as f64).to_bits()),
        (Elem::Real, ScalarValue::Int32(Some(v))) => Some(f64::from(*v).to_bits()),
        (_, other) => {
            return exec_err!("make-series: default={other} does not fit the series");
        }
    };
    let udaf = AggregateUDF::from(MakeSeriesCollect {
        elem,
        default_bits,
        fixed_nbins,
        signature: Signature::exact(
            vec![DataType::Int64, elem.data_type(), DataType::Int64],
            Volatility::Immutable,
        ),
    });
    Ok(Arc::new(udaf).call(vec![bin, value, nbins]))
}

impl MakeSeriesCollect {
    fn groups(&self) -> CollectGroups {
        CollectGroups {
            elem: self.elem,
            default_bits: self.default_bits,
            nbins: self.fixed_nbins,
            groups: Vec::new(),
        }
    }
}

fn list_of(dt: DataType) -> DataType {
    DataType::List(Arc::new(Field::new("item", dt, true)))
}

impl AggregateUDFImpl for MakeSeriesCollect {
    fn name(&self) -> &str {
        "kql_make_series"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(list_of(self.elem.data_type()))
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(CollectAcc(self.groups())))
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(
        &self,
        _args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(self.groups()))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![
            Arc::new(Field::new(
                format_state_name(args.name, "nbins"),
                DataType::Int64,
                true,
            )),
            Arc::new(Field::new(
                format_state_name(args.name, "bins"),
                list_of(DataType::Int64),
                true,
            )),
            Arc::new(Field::new(
                format_state_name(args.name, "values"),
                list_of(self.elem.data_type()),
                true,
            )),
        ])
    }
}

/// The one-group form (make-series without `by`): the groups accumulator with group 0.
#[derive(Debug)]
struct CollectAcc(CollectGroups);

impl CollectAcc {
    fn group_zero(n: usize) -> Vec<usize> {
        vec![0; n]
    }
}

impl Accumulator for CollectAcc {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let n = values.first().map_or(0, |v| v.len());
        self.0.update_batch(values, &Self::group_zero(n), None, 1)
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let n = states.first().map_or(0, |v| v.len());
        self.0.merge_batch(states, &Self::group_zero(n), 1)
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        self.0.ensure(1);
        self.0
            .state(EmitTo::All)?
            .iter()
            .map(|a| ScalarValue::try_from_array(a, 0))
            .collect()
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        // a group without rows (`kind=nonempty` on empty input) still gets its defaults
        self.0.ensure(1);
        ScalarValue::try_from_array(&self.0.evaluate(EmitTo::All)?, 0)
    }

    fn size(&self) -> usize {
        GroupsAccumulator::size(&self.0)
    }
}

/// One group's bins: (bin, value bits) pairs and the bins whose aggregate is null.
#[derive(Debug, Default)]
struct Group {
    entries: Vec<(u32, u64)>,
    nulls: Vec<u32>,
}

/// The many-groups form of [`CollectAcc`] (DataFusion calls it with every group's rows at once,
/// instead of one accumulator per group).
#[derive(Debug)]
struct CollectGroups {
    elem: Elem,
    default_bits: Option<u64>,
    nbins: Option<i64>,
    groups: Vec<Group>,
}

impl CollectGroups {
    fn set_nbins(&mut self, nbins: &dyn Array) -> Result<()> {
        if let Some(n) = nbins.as_primitive::<Int64Type>().iter().flatten().max() {
            if n > MAX_SERIES_POINTS {
                return exec_err!("{}", too_many_points(n));
            }
            self.nbins = Some(self.nbins.map_or(n, |m| m.max(n)));
        }
        Ok(())
    }

    /// Adds (bin, value) pairs to groups; `keep(i)` filters rows.
    fn add(
        &mut self,
        bins: &dyn Array,
        values: &dyn Array,
        group_of: impl Fn(usize) -> usize,
        keep: impl Fn(usize) -> bool,
    ) {
        let bins = bins.as_primitive::<Int64Type>();
        let bits = |i: usize| -> Option<u64> {
            match self.elem {
                Elem::Long => {
                    let v = values.as_primitive::<Int64Type>();
                    v.is_valid(i).then(|| v.value(i) as u64)
                }
                Elem::Real => {
                    let v = values.as_primitive::<Float64Type>();
                    v.is_valid(i).then(|| v.value(i).to_bits())
                }
            }
        };
        for i in 0..bins.len() {
            if !keep(i) || bins.is_null(i) {
                continue;
            }
            let Ok(b) = u32::try_from(bins.value(i)) else {
                continue;
            };
            let v = bits(i);
            let g = &mut self.groups[group_of(i)];
            match v {
                Some(v) => g.entries.push((b, v)),
                None => g.nulls.push(b),
            }
        }
    }

    fn ensure(&mut self, total: usize) {
        if self.groups.len() < total {
            self.groups.resize_with(total, Group::default);
        }
    }
}

impl GroupsAccumulator for CollectGroups {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        let [bins, vals, nbins] = values else {
            return exec_err!("kql_make_series expects 3 arguments");
        };
        self.set_nbins(nbins.as_ref())?;
        self.ensure(total_num_groups);
        let keep = |i: usize| opt_filter.is_none_or(|f| f.is_valid(i) && f.value(i));
        self.add(bins.as_ref(), vals.as_ref(), |i| group_indices[i], keep);
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let groups = emit_to.take_needed(&mut self.groups);
        let n = usize::try_from(self.nbins.unwrap_or(0).max(0)).unwrap_or(0);
        let mut dense: Vec<Option<u64>> = Vec::with_capacity(n);
        let list: ListArray = match self.elem {
            Elem::Long => {
                let mut lb = ListBuilder::new(Int64Builder::with_capacity(n * groups.len()));
                for g in &groups {
                    fill_dense(&mut dense, n, self.default_bits, g);
                    for v in &dense {
                        lb.values().append_option(v.map(|b| b as i64));
                    }
                    lb.append(true);
                }
                lb.finish()
            }
            Elem::Real => {
                let mut lb = ListBuilder::new(Float64Builder::with_capacity(n * groups.len()));
                for g in &groups {
                    fill_dense(&mut dense, n, self.default_bits, g);
                    for v in &dense {
                        lb.values().append_option(v.map(f64::from_bits));
                    }
                    lb.append(true);
                }
                lb.finish()
            }
        };
        Ok(Arc::new(list))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        let groups = emit_to.take_needed(&mut self.groups);
        let nbins: ArrayRef = Arc::new(datafusion::arrow::array::Int64Array::from(vec![
            self.nbins;
            groups
                .len()
        ]));
        let mut bins = ListBuilder::new(Int64Builder::new());
        let values: ArrayRef = match self.elem {
            Elem::Long => {
                let mut vb = ListBuilder::new(Int64Builder::new());
                for g in &groups {
                    for (b, v) in &g.entries {
                        bins.values().append_value(i64::from(*b));
                        vb.values().append_value(*v as i64);
                    }
                    for b in &g.nulls {
                        bins.values().append_value(i64::from(*b));
                        vb.values().append_null();
                    }
                    bins.append(true);
                    vb.append(true);
                }
                Arc::new(vb.finish())
            }
            Elem::Real => {
                let mut vb = ListBuilder::new(Float64Builder::new());
                for g in &groups {
                    for (b, v) in &g.entries {
                        bins.values().append_value(i64::from(*b));
                        vb.values().append_value(f64::from_bits(*v));
                    }
                    for b in &g.nulls {
                        bins.values().append_value(i64::from(*b));
                        vb.values().append_null();
                    }
                    bins.append(true);
                    vb.append(true);
                }
                Arc::new(vb.finish())
            }
        };
        Ok(vec![nbins, Arc::new(bins.finish()), values])
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        let [nbins, bins, vals] = values else {
            return exec_err!("kql_make_series: unexpected state");
        };
        self.set_nbins(nbins.as_ref())?;
        self.ensure(total_num_groups);
        let bins = bins.as_list::<i32>();
        let vals = vals.as_list::<i32>();
        for (i, g) in group_indices.iter().enumerate() {
            if bins.is_null(i) || vals.is_null(i) {
                continue;
            }
            let (b, v) = (bins.value(i), vals.value(i));
            let g = *g;
            self.add(b.as_ref(), v.as_ref(), |_| g, |_| true);
        }
        Ok(())
    }

    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        // each input row as the state of a one-row group
        let [bins, vals, nbins] = values else {
            return exec_err!("kql_make_series expects 3 arguments");
        };
        let b = bins.as_primitive::<Int64Type>();
        let mut bl = ListBuilder::new(Int64Builder::new());
        let mut keep = Vec::with_capacity(b.len());
        for i in 0..b.len() {
            let k = opt_filter.is_none_or(|f| f.is_valid(i) && f.value(i)) && b.is_valid(i);
            if k {
                bl.values().append_value(b.value(i));
            }
            bl.append(true);
            keep.push(k);
        }
        let values: ArrayRef = match self.elem {
            Elem::Long => {
                let v = vals.as_primitive::<Int64Type>();
                let mut vb = ListBuilder::new(Int64Builder::new());
                for (i, k) in keep.iter().enumerate() {
                    if *k {
                        vb.values().append_option(v.is_valid(i).then(|| v.value(i)));
                    }
                    vb.append(true);
                }
                Arc::new(vb.finish())
            }
            Elem::Real => {
                let v = vals.as_primitive::<Float64Type>();
                let mut vb = ListBuilder::new(Float64Builder::new());
                for (i, k) in keep.iter().enumerate() {
                    if *k {
                        vb.values().append_option(v.is_valid(i).then(|| v.value(i)));
                    }
                    vb.append(true);
                }
                Arc::new(vb.finish())
            }
        };
        Ok(vec![Arc::clone(nbins), Arc::new(bl.finish()), values])
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self
                .groups
                .iter()
                .map(|g| {
                    std::mem::size_of::<Group>()
                        + g.entries.capacity() * std::mem::size_of::<(u32, u64)>()
                        + g.nulls.capacity() * std::mem::size_of::<u32>()
                })
                .sum::<usize>()
    }
}

/// `dense` := the group's series of `n` bins (defaults where no row landed).
fn fill_dense(dense: &mut Vec<Option<u64>>, n: usize, default_bits: Option<u64>, g: &Group) {
    dense.clear();
    dense.resize(n, default_bits);
    for (b, v) in &g.entries {
        if let Some(slot) = dense.get_mut(*b as usize) {
            *slot = Some(*v);
        }
    }
    for b in &g.nulls {
        if let Some(slot) = dense.get_mut(*b as usize) {
            *slot = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Float64Array, Int64Array};

    fn acc(elem: Elem, default_bits: Option<u64>) -> CollectAcc {
        CollectAcc(CollectGroups {
            elem,
            default_bits,
            nbins: None,
            groups: Vec::new(),
        })
    }

    #[test]
    fn dense_series_with_defaults_and_nulls() {
        let mut a = acc(Elem::Real, Some((-2.0f64).to_bits()));
        let bins: ArrayRef = Arc::new(Int64Array::from(vec![Some(0), Some(3), None]));
        let vals: ArrayRef = Arc::new(Float64Array::from(vec![Some(1.5), None, Some(9.0)]));
        let nb: ArrayRef = Arc::new(Int64Array::from(vec![5, 5, 5]));
        a.update_batch(&[bins, vals, nb]).unwrap();
        // merge a partial state holding bin 1
        let mut b = acc(Elem::Real, Some((-2.0f64).to_bits()));
        let bins: ArrayRef = Arc::new(Int64Array::from(vec![1]));
        let vals: ArrayRef = Arc::new(Float64Array::from(vec![7.0]));
        let nb: ArrayRef = Arc::new(Int64Array::from(vec![5]));
        b.update_batch(&[bins, vals, nb]).unwrap();
        let state: Vec<ArrayRef> = b
            .state()
            .unwrap()
            .into_iter()
            .map(|s| s.to_array().unwrap())
            .collect();
        a.merge_batch(&state).unwrap();
        let ScalarValue::List(l) = a.evaluate().unwrap() else {
            panic!("not a list")
        };
        let v = l.value(0);
        let v = v.as_primitive::<Float64Type>();
        let got: Vec<Option<f64>> = v.iter().collect();
        assert_eq!(
            got,
            vec![Some(1.5), Some(7.0), Some(-2.0), None, Some(-2.0)]
        );
    }

    #[test]
    fn too_long_is_an_error() {
        let mut a = acc(Elem::Long, Some(0));
        let bins: ArrayRef = Arc::new(Int64Array::from(vec![0]));
        let vals: ArrayRef = Arc::new(Int64Array::from(vec![1]));
        let nb: ArrayRef = Arc::new(Int64Array::from(vec![MAX_SERIES_POINTS + 1]));
        let e = a.update_batch(&[bins, vals, nb]).unwrap_err();
        assert!(e.to_string().contains("2^20"), "{e}");
    }

    #[test]
    fn groups_accumulator_matches() {
        let mut g = CollectGroups {
            elem: Elem::Long,
            default_bits: Some(0),
            nbins: Some(3),
            groups: Vec::new(),
        };
        let bins: ArrayRef = Arc::new(Int64Array::from(vec![0, 2, 1, 1]));
        let vals: ArrayRef = Arc::new(Int64Array::from(vec![Some(5), Some(7), None, Some(9)]));
        let nb: ArrayRef = Arc::new(Int64Array::from(vec![3, 3, 3, 3]));
        g.update_batch(&[bins, vals, nb], &[0, 0, 0, 1], None, 2)
            .unwrap();
        // round trip through the state of group 1 merged into a fresh group 0 of another one
        let state = g.state(EmitTo::All).unwrap();
        let mut h = CollectGroups {
            elem: Elem::Long,
            default_bits: Some(0),
            nbins: None,
            groups: Vec::new(),
        };
        h.merge_batch(&state, &[0, 1], 2).unwrap();
        let out = h.evaluate(EmitTo::All).unwrap();
        let l = out.as_list::<i32>();
        let row = |i: usize| -> Vec<Option<i64>> {
            l.value(i).as_primitive::<Int64Type>().iter().collect()
        };
        assert_eq!(row(0), vec![Some(5), None, Some(7)]);
        assert_eq!(row(1), vec![Some(0), Some(9), Some(0)]);
    }
}
