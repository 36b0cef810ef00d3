//! Sketch-based aggregation functions: `dcount`, `dcountif` (HyperLogLog, estimate-accuracy
//! levels 0..4), `hll`, `hll_if`, `hll_merge`, `tdigest`, `tdigest_merge`/`merge_tdigest`.
//! The sketches themselves are in [`crate::sketch`]; `percentile(s)` is in
//! [`crate::udf::percentile`].
//!
//! Each is one DataFusion aggregate UDF with a Binary partial state (the sketch's bytes), an
//! [`Accumulator`] and a [`GroupsAccumulator`] (one sketch per group, so `summarize ... by`
//! with many groups does not allocate an accumulator object per group).
//!
//! Result names (Kusto's `<prefix>_<column>`): `dcount_x`, `dcountif_x`, `hll_x`,
//! `hll_if_x`, `hll_merge_x`, `tdigest_x`; both `tdigest_merge(x)` and `merge_tdigest(x)` are
//! named `merge_tdigests_x`, as in the docs' outputs (tdigest-merge-aggregation-function.md,
//! using-hll-tdigest.md).
//!
//! On no input: `dcount` gives 0; `hll`, `hll_if`, `tdigest`, `hll_merge` and `tdigest_merge`
//! give null, as the docs' empty-input example shows for `hll` and `tdigest`
//! (summarize-operator.md, "Default values of aggregations"); `dcount_hll(null)` is 0 and
//! `percentile_tdigest(null, p)` null.

use crate::aggregate::Finish;
use crate::lower::{Arg, CallContext, CallError, CallResult, LoweredAggregate};
use crate::scalar::{arity, cast, type_error};
use crate::sketch::hll::{Hll, MAX_ACCURACY};
use crate::sketch::{
    DigestType, TypedDigest, digest_input_type, hash_values, hll_from_dynamic, hll_to_dynamic,
    text_at,
};
use crate::types::KqlType;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BinaryArray, BooleanArray, Int64Array, StringArray,
};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type, Int64Type};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, EmitTo, Expr, ExprFunctionExt, GroupsAccumulator,
    Signature, Volatility,
};
use std::sync::Arc;

/// What a sketch aggregate computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SketchKind {
    /// `dcount`/`dcountif`: the estimated distinct count (long).
    DCount { accuracy: u8 },
    /// `hll`/`hll_if`: the sketch (dynamic).
    Hll { accuracy: u8 },
    /// `hll_merge(sketch)`.
    HllMerge,
    /// `tdigest(x [, weight])`.
    TDigest { ty: DigestType, weighted: bool },
    /// `tdigest_merge(sketch)`.
    TDigestMerge,
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SketchUdaf {
    kind: SketchKind,
    signature: Signature,
}

impl SketchUdaf {
    pub fn new(kind: SketchKind) -> Self {
        SketchUdaf {
            kind,
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }
}

/// The aggregate expression for `kind` over `args`.
pub fn sketch_expr(kind: SketchKind, args: Vec<Expr>) -> Expr {
    Arc::new(AggregateUDF::from(SketchUdaf::new(kind))).call(args)
}

impl AggregateUDFImpl for SketchUdaf {
    fn name(&self) -> &str {
        match self.kind {
            SketchKind::DCount { .. } => "kql_dcount",
            SketchKind::Hll { .. } => "kql_hll",
            SketchKind::HllMerge => "kql_hll_merge",
            SketchKind::TDigest { .. } => "kql_tdigest",
            SketchKind::TDigestMerge => "kql_tdigest_merge",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(match self.kind {
            SketchKind::DCount { .. } => DataType::Int64,
            _ => DataType::Utf8,
        })
    }

    fn accumulator(&self, _acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(SketchAcc(Groups::new(self.kind))))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "sketch"),
            DataType::Binary,
            true,
        ))])
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(
        &self,
        _args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(Groups::new(self.kind)))
    }
}

/// One group's sketch (`None` until the first input for the merge kinds).
#[derive(Clone, Debug)]
enum Sketch {
    Hll(Option<Hll>),
    Digest(Option<TypedDigest>),
}

impl Sketch {
    fn new(kind: SketchKind) -> Sketch {
        match kind {
            SketchKind::DCount { accuracy } | SketchKind::Hll { accuracy } => {
                Sketch::Hll(Some(Hll::new(accuracy)))
            }
            SketchKind::HllMerge => Sketch::Hll(None),
            SketchKind::TDigest { ty, .. } => Sketch::Digest(Some(TypedDigest::new(ty))),
            SketchKind::TDigestMerge => Sketch::Digest(None),
        }
    }

    fn merge_hll(&mut self, other: Hll) -> Result<()> {
        match self {
            Sketch::Hll(slot @ None) => *slot = Some(other),
            Sketch::Hll(Some(h)) => {
                if let Err(e) = h.merge(&other) {
                    return exec_err!("hll_merge: {e}");
                }
            }
            Sketch::Digest(_) => return exec_err!("expected a tdigest, got an hll value"),
        }
        Ok(())
    }

    fn merge_digest(&mut self, other: TypedDigest) -> Result<()> {
        match self {
            Sketch::Digest(slot @ None) => *slot = Some(other),
            Sketch::Digest(Some(d)) => d.merge(&other)?,
            Sketch::Hll(_) => return exec_err!("expected an hll value, got a tdigest"),
        }
        Ok(())
    }

    /// Merges a partial state (this engine's bytes; empty = nothing).
    fn merge_bytes(&mut self, b: &[u8]) -> Result<()> {
        if b.is_empty() {
            return Ok(());
        }
        match self {
            Sketch::Hll(_) => match Hll::from_bytes(b) {
                Ok(h) => self.merge_hll(h),
                Err(e) => exec_err!("{e}"),
            },
            Sketch::Digest(_) => self.merge_digest(TypedDigest::from_bytes(b)?),
        }
    }

    fn state_bytes(&mut self) -> Vec<u8> {
        match self {
            Sketch::Hll(Some(h)) => h.to_bytes(),
            Sketch::Digest(Some(d)) => d.to_bytes(),
            _ => Vec::new(),
        }
    }

    fn size(&self) -> usize {
        std::mem::size_of::<Sketch>()
            + match self {
                Sketch::Hll(Some(h)) => h.size(),
                Sketch::Digest(Some(d)) => d.size(),
                _ => 0,
            }
    }
}

/// The sketches of all groups (the [`GroupsAccumulator`]; the [`Accumulator`] uses group 0).
struct Groups {
    kind: SketchKind,
    sketches: Vec<Sketch>,
}

impl Groups {
    fn new(kind: SketchKind) -> Self {
        Groups {
            kind,
            sketches: Vec::new(),
        }
    }

    fn ensure(&mut self, n: usize) {
        if self.sketches.len() < n {
            let kind = self.kind;
            self.sketches.resize_with(n, || Sketch::new(kind));
        }
    }

    fn update(
        &mut self,
        values: &[ArrayRef],
        groups: &[usize],
        filter: Option<&BooleanArray>,
    ) -> Result<()> {
        let keep = |i: usize| filter.is_none_or(|f| f.is_valid(i) && f.value(i));
        let Some(v) = values.first() else {
            return Ok(());
        };
        match self.kind {
            SketchKind::DCount { .. } | SketchKind::Hll { .. } => {
                let sketches = &mut self.sketches;
                hash_values(v, |i, h| {
                    if keep(i)
                        && let Some(Sketch::Hll(Some(s))) = sketches.get_mut(groups[i])
                    {
                        s.insert(h);
                    }
                })
            }
            SketchKind::HllMerge | SketchKind::TDigestMerge => {
                for (i, g) in groups.iter().enumerate() {
                    let Some(text) = text_at(v, i).filter(|_| keep(i)) else {
                        continue;
                    };
                    let Some(s) = self.sketches.get_mut(*g) else {
                        continue;
                    };
                    if self.kind == SketchKind::HllMerge {
                        if let Some(h) = hll_from_dynamic(text)? {
                            s.merge_hll(h)?;
                        }
                    } else if let Some(d) = TypedDigest::from_dynamic(text)? {
                        s.merge_digest(d)?;
                    }
                }
                Ok(())
            }
            SketchKind::TDigest { weighted, .. } => {
                let weights = match values.get(1) {
                    Some(w) if weighted => {
                        Some(w.as_primitive_opt::<Int64Type>().ok_or_else(|| {
                            datafusion::error::DataFusionError::Execution(
                                "tdigest: the weight must be a long".into(),
                            )
                        })?)
                    }
                    _ => None,
                };
                let weight = |i: usize| match weights {
                    Some(w) => w.is_valid(i).then(|| w.value(i)),
                    None => Some(1),
                };
                add_rows(&mut self.sketches, v, groups, &|i| {
                    if keep(i) { weight(i) } else { None }
                })
            }
        }
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
            return exec_err!("sketch state: unexpected type {}", s.data_type());
        };
        for (i, g) in groups.iter().enumerate() {
            if bin.is_null(i) || filter.is_some_and(|f| !(f.is_valid(i) && f.value(i))) {
                continue;
            }
            if let Some(sk) = self.sketches.get_mut(*g) {
                sk.merge_bytes(bin.value(i))?;
            }
        }
        Ok(())
    }

    fn take(&mut self, emit_to: EmitTo) -> Vec<Sketch> {
        emit_to.take_needed(&mut self.sketches)
    }

    fn evaluate_all(kind: SketchKind, sketches: Vec<Sketch>) -> ArrayRef {
        match kind {
            SketchKind::DCount { .. } => Arc::new(
                sketches
                    .iter()
                    .map(|s| match s {
                        Sketch::Hll(Some(h)) => Some(h.count()),
                        _ => Some(0),
                    })
                    .collect::<Int64Array>(),
            ),
            _ => Arc::new(
                sketches
                    .into_iter()
                    .map(|s| match s {
                        Sketch::Hll(Some(h)) if !h.is_empty() => Some(hll_to_dynamic(&h)),
                        Sketch::Digest(Some(mut d)) if d.count() > 0 => Some(d.to_dynamic()),
                        _ => None,
                    })
                    .collect::<StringArray>(),
            ),
        }
    }

    fn state_all(sketches: Vec<Sketch>) -> ArrayRef {
        let bytes: Vec<Vec<u8>> = sketches.into_iter().map(|mut s| s.state_bytes()).collect();
        Arc::new(BinaryArray::from_iter_values(bytes.iter()))
    }
}

/// Adds row `i`'s value (Int64 or Float64) with weight `weight(i)` to its group's digest.
fn add_rows(
    sketches: &mut [Sketch],
    v: &ArrayRef,
    groups: &[usize],
    weight: &dyn Fn(usize) -> Option<i64>,
) -> Result<()> {
    match v.data_type() {
        DataType::Int64 => {
            let a = v.as_primitive::<Int64Type>();
            for (i, g) in groups.iter().enumerate() {
                if let (true, Some(w)) = (a.is_valid(i), weight(i))
                    && w > 0
                    && let Some(Sketch::Digest(Some(TypedDigest::Int(_, d)))) = sketches.get_mut(*g)
                {
                    d.add(a.value(i), w as u64);
                }
            }
        }
        DataType::Float64 => {
            let a = v.as_primitive::<Float64Type>();
            for (i, g) in groups.iter().enumerate() {
                if let (true, Some(w)) = (a.is_valid(i), weight(i))
                    && w > 0
                    && !a.value(i).is_nan()
                    && let Some(Sketch::Digest(Some(TypedDigest::Real(d)))) = sketches.get_mut(*g)
                {
                    d.add(a.value(i), w as u64);
                }
            }
        }
        DataType::Null => {}
        other => return exec_err!("tdigest: unexpected value type {other}"),
    }
    Ok(())
}

impl GroupsAccumulator for Groups {
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
        let taken = self.take(emit_to);
        Ok(Groups::evaluate_all(self.kind, taken))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        Ok(vec![Groups::state_all(self.take(emit_to))])
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

    /// One single-row sketch per input row (DataFusion skips partial aggregation this way
    /// when groups barely repeat).
    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        let n = values.first().map_or(0, |v| v.len());
        let mut g = Groups::new(self.kind);
        g.ensure(n);
        g.update(values, &(0..n).collect::<Vec<_>>(), opt_filter)?;
        Ok(vec![Groups::state_all(g.sketches)])
    }

    fn size(&self) -> usize {
        self.sketches.iter().map(Sketch::size).sum::<usize>() + std::mem::size_of::<Self>()
    }
}

/// The single-group accumulator.
struct SketchAcc(Groups);

impl std::fmt::Debug for SketchAcc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SketchAcc({:?})", self.0.kind)
    }
}

impl Accumulator for SketchAcc {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.0.ensure(1);
        let n = values.first().map_or(0, |v| v.len());
        self.0.update(values, &vec![0; n], None)
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        self.0.ensure(1);
        let n = states.first().map_or(0, |v| v.len());
        self.0.merge(states, &vec![0; n], None)
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        self.0.ensure(1);
        let b = self.0.sketches.first_mut().map(Sketch::state_bytes);
        Ok(vec![ScalarValue::Binary(b)])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        self.0.ensure(1);
        let a = Groups::evaluate_all(self.0.kind, self.0.sketches.clone());
        ScalarValue::try_from_array(&a, 0)
    }

    fn size(&self) -> usize {
        self.0.size()
    }
}

// ---- lowering ----

fn name_of(prefix: &str, args: &[Arg]) -> String {
    let col = args
        .first()
        .and_then(|a| a.column.clone())
        .unwrap_or_default();
    format!("{prefix}_{col}")
}

/// The accuracy argument (an int literal 0..=4; default 1).
fn accuracy(name: &str, args: &[Arg], i: usize) -> Result<u8, CallError> {
    let Some(a) = args.get(i) else {
        return Ok(1);
    };
    let v = match &a.literal {
        Some(ScalarValue::Int32(Some(v))) => i64::from(*v),
        Some(ScalarValue::Int64(Some(v))) => *v,
        _ => {
            return Err(type_error(
                name,
                i,
                "an integer literal accuracy (0..4)",
                a.ty,
            ));
        }
    };
    if !(0..=i64::from(MAX_ACCURACY)).contains(&v) {
        return Err(CallError::types(format!(
            "`{name}`: the accuracy must be 0, 1, 2, 3 or 4, got {v}"
        )));
    }
    Ok(v as u8)
}

fn pred(name: &str, args: &[Arg], i: usize) -> Result<Expr, CallError> {
    match args[i].ty {
        KqlType::Bool => Ok(args[i].expr.clone()),
        t => Err(type_error(name, i, "a bool predicate", t)),
    }
}

/// The digest type of a `tdigest`/`percentile` argument and the expression cast for it.
pub(crate) fn digest_arg(name: &str, a: &Arg, i: usize) -> Result<(DigestType, Expr), CallError> {
    let ty = match a.ty {
        KqlType::Int => DigestType::Int,
        KqlType::Long => DigestType::Long,
        KqlType::Real | KqlType::Decimal => DigestType::Real,
        KqlType::Datetime => DigestType::Datetime,
        KqlType::Timespan => DigestType::Timespan,
        t => return Err(type_error(name, i, "a number, datetime or timespan", t)),
    };
    Ok((ty, cast(a.expr.clone(), digest_input_type(ty))))
}

fn one(expr: Expr, ty: KqlType, name: String) -> CallResult<LoweredAggregate> {
    Ok(Some(LoweredAggregate {
        exprs: vec![(expr, ty)],
        names: vec![name],
        finish: vec![Finish::default()],
    }))
}

fn with_filter(e: Expr, p: Option<Expr>) -> Result<Expr, CallError> {
    match p {
        Some(p) => e
            .filter(p)
            .build()
            .map_err(|e| CallError::types(e.to_string())),
        None => Ok(e),
    }
}

/// Lowers the sketch aggregates; `Ok(None)` for other names.
pub(crate) fn lower(name: &str, args: &[Arg], _cx: &CallContext) -> CallResult<LoweredAggregate> {
    match name {
        "dcount" | "dcountif" | "hll" | "hll_if" => {
            let is_if = name.ends_with("if");
            if is_if {
                arity(name, args, 2, 3, "expr, predicate [, accuracy]")?;
            } else {
                arity(name, args, 1, 2, "expr [, accuracy]")?;
            }
            if args[0].ty == KqlType::Dynamic {
                return Err(type_error(name, 0, "a scalar (not dynamic)", args[0].ty));
            }
            let acc = accuracy(name, args, 1 + usize::from(is_if))?;
            let p = if is_if {
                Some(pred(name, args, 1)?)
            } else {
                None
            };
            // ints hash as longs; decimals by their canonical text (exact, unlike a real)
            let x = match args[0].ty {
                KqlType::Int => cast(args[0].expr.clone(), DataType::Int64),
                KqlType::Decimal => cast(args[0].expr.clone(), DataType::Utf8),
                _ => args[0].expr.clone(),
            };
            let (kind, ty) = if name.starts_with("dcount") {
                (SketchKind::DCount { accuracy: acc }, KqlType::Long)
            } else {
                (SketchKind::Hll { accuracy: acc }, KqlType::Dynamic)
            };
            let e = with_filter(sketch_expr(kind, vec![x]), p)?;
            one(e, ty, name_of(name, args))
        }
        "hll_merge" | "tdigest_merge" | "merge_tdigest" => {
            arity(name, args, 1, 1, "sketch")?;
            if !matches!(args[0].ty, KqlType::Dynamic | KqlType::String) {
                return Err(type_error(name, 0, "a dynamic sketch", args[0].ty));
            }
            let (kind, prefix) = if name == "hll_merge" {
                (SketchKind::HllMerge, "hll_merge")
            } else {
                (SketchKind::TDigestMerge, "merge_tdigests")
            };
            let e = sketch_expr(kind, vec![args[0].expr.clone()]);
            one(e, KqlType::Dynamic, name_of(prefix, args))
        }
        "tdigest" => {
            arity(name, args, 1, 2, "expr [, weight]")?;
            let (ty, x) = digest_arg(name, &args[0], 0)?;
            let mut inputs = vec![x];
            if let Some(w) = args.get(1) {
                if !matches!(w.ty, KqlType::Int | KqlType::Long) {
                    return Err(type_error(name, 1, "an integer weight", w.ty));
                }
                inputs.push(cast(w.expr.clone(), DataType::Int64));
            }
            let kind = SketchKind::TDigest {
                ty,
                weighted: inputs.len() == 2,
            };
            one(
                sketch_expr(kind, inputs),
                KqlType::Dynamic,
                name_of(name, args),
            )
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lower::{aggregate_call, scalar_call};
    use crate::scalar::test_util::{cx, l};
    use datafusion::arrow::datatypes::Schema;
    use datafusion::arrow::record_batch::RecordBatch;
    use datafusion::prelude::{SessionConfig, SessionContext, col};

    /// x: 0..n (long), g: x % groups, s: "v{x % 1000}", k: x is even; in 4 partitions.
    fn table(n: i64, groups: i64) -> SessionContext {
        let schema = Arc::new(Schema::new(vec![
            Field::new("x", DataType::Int64, true),
            Field::new("g", DataType::Int64, false),
            Field::new("s", DataType::Utf8, false),
            Field::new("k", DataType::Boolean, false),
        ]));
        let x: Vec<i64> = (0..n).collect();
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from(x.clone())),
                Arc::new(Int64Array::from_iter_values(x.iter().map(|v| v % groups))),
                Arc::new(StringArray::from_iter_values(
                    x.iter().map(|v| format!("v{}", v % 1000)),
                )),
                Arc::new(BooleanArray::from_iter(x.iter().map(|v| Some(v % 2 == 0)))),
            ],
        )
        .unwrap();
        let nn = n as usize;
        let parts: Vec<Vec<RecordBatch>> = (0..4)
            .map(|k| vec![batch.slice(k * nn / 4, (k + 1) * nn / 4 - k * nn / 4)])
            .collect();
        let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(4));
        let t = datafusion::datasource::MemTable::try_new(schema, parts).unwrap();
        ctx.register_table("t", Arc::new(t)).unwrap();
        ctx
    }

    fn arg(name: &str) -> Arg {
        let ty = match name {
            "s" => KqlType::String,
            "k" => KqlType::Bool,
            _ => KqlType::Long,
        };
        Arg::column(name, ty)
    }

    /// `t | summarize <aggs> by g?`, then the scalar `post` over the aggregates' columns;
    /// returns the rows as strings, sorted by g.
    async fn run(
        ctx: &SessionContext,
        aggs: &[(&str, Vec<Arg>)],
        by: bool,
        post: Option<(&str, Vec<Arg>)>,
    ) -> Vec<Vec<String>> {
        let mut exprs = Vec::new();
        for (i, (f, args)) in aggs.iter().enumerate() {
            let la = aggregate_call(f, args, &cx()).unwrap().unwrap();
            exprs.push(la.exprs[0].0.clone().alias(format!("a{i}")));
        }
        let keys = if by { vec![col("g")] } else { vec![] };
        let mut df = ctx
            .table("t")
            .await
            .unwrap()
            .aggregate(keys, exprs)
            .unwrap();
        if let Some((f, args)) = post {
            let l = scalar_call(f, &args, &cx()).unwrap().unwrap();
            df = df.select(vec![l.expr.alias("p")]).unwrap();
        } else if by {
            df = df.sort(vec![col("g").sort(true, false)]).unwrap();
        }
        let mut out = Vec::new();
        for b in df.collect().await.unwrap() {
            for r in 0..b.num_rows() {
                out.push(
                    b.columns()
                        .iter()
                        .map(|c| {
                            datafusion::arrow::util::display::array_value_to_string(c, r).unwrap()
                        })
                        .collect(),
                );
            }
        }
        out
    }

    fn a(name: &str) -> Arg {
        Arg::column(name, KqlType::Dynamic)
    }

    #[tokio::test]
    async fn dcount_exact_small_and_bounded_large() {
        let ctx = table(300_000, 3);
        // s has 1000 distinct values: exact at accuracy 1 (docs: exact up to 1000)
        let r = run(&ctx, &[("dcount", vec![arg("s")])], false, None).await;
        assert_eq!(r, vec![vec!["1000".to_string()]]);
        // dcountif over even x: 150 000 distinct; per group of 100 000 with the groups
        // accumulator; each within 3 sigma of the documented error
        let r = run(
            &ctx,
            &[
                ("dcountif", vec![arg("x"), arg("k")]),
                ("dcount", vec![arg("x"), l(0)]),
                ("dcount", vec![arg("x"), l(4)]),
            ],
            false,
            None,
        )
        .await;
        let v: Vec<f64> = r[0].iter().map(|s| s.parse().unwrap()).collect();
        assert!((v[0] - 150_000.0).abs() < 3.0 * 0.008 * 150_000.0, "{v:?}");
        assert!((v[1] - 300_000.0).abs() < 3.0 * 0.016 * 300_000.0, "{v:?}");
        assert!((v[2] - 300_000.0).abs() < 3.0 * 0.002 * 300_000.0, "{v:?}");
        let r = run(&ctx, &[("dcount", vec![arg("x"), l(2)])], true, None).await;
        assert_eq!(r.len(), 3);
        for row in r {
            let n: f64 = row[1].parse().unwrap();
            assert!((n - 100_000.0).abs() < 3.0 * 0.004 * 100_000.0, "{row:?}");
        }
    }

    #[tokio::test]
    async fn hll_round_trips_and_merges_deterministically() {
        let ctx = table(50_000, 7);
        // dcount_hll(hll(x)) == dcount(x) at the same accuracy
        let d = run(&ctx, &[("dcount", vec![arg("x"), l(3)])], false, None).await;
        let h = run(
            &ctx,
            &[("hll", vec![arg("x"), l(3)])],
            false,
            Some(("dcount_hll", vec![a("a0")])),
        )
        .await;
        assert_eq!(d, h);
        // hll(x) over everything equals hll_merge of per-group hll(x) (same bytes)
        let whole = run(&ctx, &[("hll", vec![arg("x")])], false, None).await;
        ctx.register_table(
            "h",
            ctx.table("t")
                .await
                .unwrap()
                .aggregate(
                    vec![col("g")],
                    vec![
                        aggregate_call("hll", &[arg("x")], &cx())
                            .unwrap()
                            .unwrap()
                            .exprs[0]
                            .0
                            .clone()
                            .alias("hx"),
                    ],
                )
                .unwrap()
                .into_view(),
        )
        .unwrap();
        let merged = ctx
            .table("h")
            .await
            .unwrap()
            .aggregate(
                vec![],
                vec![
                    aggregate_call("hll_merge", &[a("hx")], &cx())
                        .unwrap()
                        .unwrap()
                        .exprs[0]
                        .0
                        .clone(),
                ],
            )
            .unwrap()
            .collect()
            .await
            .unwrap();
        let m = datafusion::arrow::util::display::array_value_to_string(merged[0].column(0), 0)
            .unwrap();
        assert_eq!(whole[0][0], m);
        // hll_if counts only rows passing the predicate (exact below the sparse limit)
        let r = run(
            &ctx,
            &[("hll_if", vec![arg("s"), arg("k")])],
            false,
            Some(("dcount_hll", vec![a("a0")])),
        )
        .await;
        assert_eq!(r, vec![vec!["500".to_string()]]);
    }

    #[tokio::test]
    async fn tdigest_and_percentile_tdigest() {
        let ctx = table(1000, 2);
        // rank-tdigest-function.md: the rank of 685 among 1..1000 is 685 (here 0..999: 686
        // values are ≤ 685)
        let r = run(
            &ctx,
            &[("tdigest", vec![arg("x")])],
            false,
            Some(("rank_tdigest", vec![a("a0"), l(685)])),
        )
        .await;
        assert_eq!(r, vec![vec!["686".to_string()]]);
        // nearest rank P50 of 0..999 → rank 500 → 499; typed long
        let r = run(
            &ctx,
            &[("tdigest", vec![arg("x")])],
            false,
            Some((
                "percentile_tdigest",
                vec![
                    a("a0"),
                    l(50),
                    Arg::lit(ScalarValue::Utf8(Some("long".into())), KqlType::String),
                ],
            )),
        )
        .await;
        assert_eq!(r, vec![vec!["499".to_string()]]);
        // tdigest_merge of the per-group digests: P100 is the overall maximum
        let r = run(
            &ctx,
            &[("tdigest", vec![arg("x")])],
            true,
            Some(("percentiles_array_tdigest", vec![a("a0"), l(0), l(100)])),
        )
        .await;
        assert_eq!(r.len(), 2);
        assert!(r.contains(&vec!["[0,998]".to_string()]), "{r:?}");
        assert!(r.contains(&vec!["[1,999]".to_string()]), "{r:?}");
    }

    #[tokio::test]
    async fn empty_input() {
        // summarize-operator.md, "Default values of aggregations": on an empty table dcount
        // is 0 and hll/tdigest are empty (null)
        let ctx = table(0, 1);
        let r = run(
            &ctx,
            &[
                ("dcount", vec![arg("x")]),
                ("hll", vec![arg("x")]),
                ("tdigest", vec![arg("x")]),
                ("hll_merge", vec![arg("s")]),
            ],
            false,
            None,
        )
        .await;
        assert_eq!(r, vec![vec!["0", "", "", ""]]);
        // dcount_hll of that null sketch counts nothing
        let r = run(
            &ctx,
            &[("hll", vec![arg("x")])],
            false,
            Some(("dcount_hll", vec![a("a0")])),
        )
        .await;
        assert_eq!(r, vec![vec!["0"]]);
    }

    #[test]
    fn lowering_errors_and_names() {
        let e = |f: &str, args: &[Arg]| aggregate_call(f, args, &cx()).err().unwrap().message;
        assert!(e("dcount", &[arg("x"), l(5)]).contains("accuracy must be 0, 1, 2, 3 or 4"));
        assert!(e("hll", &[arg("x"), arg("x")]).contains("integer literal accuracy"));
        assert!(e("tdigest", &[arg("s")]).contains("a number, datetime or timespan"));
        assert!(e("hll_merge", &[arg("x")]).contains("a dynamic sketch"));
        let name = |f: &str, args: &[Arg]| {
            aggregate_call(f, args, &cx()).unwrap().unwrap().names[0].clone()
        };
        assert_eq!(name("hll", &[arg("x")]), "hll_x");
        assert_eq!(name("hll_if", &[arg("x"), arg("k")]), "hll_if_x");
        assert_eq!(name("dcountif", &[arg("x"), arg("k")]), "dcountif_x");
        assert_eq!(name("tdigest", &[arg("x")]), "tdigest_x");
        assert_eq!(name("tdigest_merge", &[a("d")]), "merge_tdigests_d");
        assert_eq!(name("merge_tdigest", &[a("d")]), "merge_tdigests_d");
        assert_eq!(name("hll_merge", &[a("d")]), "hll_merge_d");
    }
}
