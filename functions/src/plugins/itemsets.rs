//! The frequent-pattern machinery shared by `basket`, `autocluster` and `diffpatterns`.
//!
//! A *pattern* is a set of items `column == value`, at most one per column; it matches the rows
//! that have all of those values. Every dimension column is dictionary-encoded once into dense
//! per-column value ids ([`encode_columns`]), so counting is a pass over `u32` ids into flat
//! arrays. The miner ([`mine_closed`]) walks itemsets depth-first in column order over row-id
//! lists and reports their *closures* (every item shared by all matching rows), which are the
//! closed frequent itemsets of the data.
//!
//! Value handling (the docs speak of "discrete attributes" and show integer columns such as
//! `DamageCrops` and `Tracepoint` used by value, with no binning):
//! - every column type is categorical: strings, integers, reals, bools, datetimes, timespans,
//!   guids and dynamic values (by their JSON text) are items by exact value;
//! - INFER: null values, empty strings and real NaNs are not items (Kusto strings cannot be
//!   null, the empty string is their "missing" value and also the default wildcard, so a
//!   pattern `State == ""` could not be told apart from "any State");
//! - INFER: `-0.0` and `0.0` are the same real value.

use super::{PluginArg, PluginArgs, PluginError};
use crate::types::KqlType;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Float64Array, Int64Array, new_null_array,
};
use datafusion::arrow::compute::{cast, concat_batches, interleave};
use datafusion::arrow::datatypes::{
    ArrowPrimitiveType, DataType, Field, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type,
    Int64Type, Schema, SchemaRef, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result};
use std::collections::HashSet;
use std::sync::Arc;

/// The id of a missing value (null, empty string, NaN): never an item.
pub const MISSING: u32 = u32::MAX;

/// Upper bound on the itemsets the miner visits before it gives up with an error, so that a
/// very low threshold over a wide table fails clearly instead of running for hours.
const MAX_VISITED: usize = 5_000_000;

pub use crate::hashing::FastMap;

/// One dimension column, dictionary-encoded.
#[derive(Debug, Clone)]
pub struct EncodedColumn {
    /// The column's position in the input schema.
    pub input_index: usize,
    /// Per row: the value id, or [`MISSING`].
    pub ids: Vec<u32>,
    /// Per value id: the first row holding it (to copy the value into the output).
    pub first_row: Vec<u32>,
}

impl EncodedColumn {
    pub fn n_values(&self) -> usize {
        self.first_row.len()
    }
}

/// `batch`'s rows in an order that depends only on their values (sorted by every column
/// that can be sorted, nulls first), so that a result computed from rows met in order —
/// autocluster's seed rows — is the same however the input arrived (a parallel scan
/// delivers its partitions in any order). Rows that tie on every sortable column differ at
/// most in nested values, which the plugins do not look at.
pub fn canonical_order(batch: &RecordBatch) -> Result<RecordBatch> {
    use datafusion::arrow::array::UInt32Array;
    use datafusion::arrow::compute::{SortOptions, take_record_batch};
    use datafusion::arrow::row::{RowConverter, SortField};
    let (fields, columns): (Vec<SortField>, Vec<ArrayRef>) = batch
        .columns()
        .iter()
        .filter(|c| !c.data_type().is_nested())
        .map(|c| {
            let options = SortOptions {
                descending: false,
                nulls_first: true,
            };
            let field = SortField::new_with_options(c.data_type().clone(), options);
            (field, Arc::clone(c))
        })
        .unzip();
    if columns.is_empty() || batch.num_rows() < 2 {
        return Ok(batch.clone());
    }
    // Each row as bytes whose order is the columns' order. Equal rows are grouped by hashing
    // their bytes, only the distinct rows are sorted, and the rows are then placed group by
    // group (a counting sort): linear in the rows, where sorting them all was not (a 20 M-row
    // input took seconds). Rows of one group keep their input order; they differ, if at all,
    // only in nested columns, which the order never used.
    let rows = RowConverter::new(fields)?.convert_columns(&columns)?;
    let n = batch.num_rows();
    let mut ids: crate::hashing::FastMap<&[u8], u32> = crate::hashing::FastMap::default();
    let mut distinct: Vec<&[u8]> = Vec::new();
    let mut counts: Vec<u32> = Vec::new();
    let mut id_of: Vec<u32> = Vec::with_capacity(n);
    for i in 0..n {
        let bytes = rows.row(i).data();
        let id = *ids.entry(bytes).or_insert_with(|| {
            distinct.push(bytes);
            counts.push(0);
            (distinct.len() - 1) as u32
        });
        counts[id as usize] += 1;
        id_of.push(id);
    }
    let mut by_value: Vec<u32> = (0..distinct.len() as u32).collect();
    by_value.sort_unstable_by(|&a, &b| distinct[a as usize].cmp(distinct[b as usize]));
    // `next[id]`: where the next row of group `id` goes.
    let mut next = vec![0u32; distinct.len()];
    let mut at = 0u32;
    for &id in &by_value {
        next[id as usize] = at;
        at += counts[id as usize];
    }
    let mut order = vec![0u32; n];
    for (i, &id) in id_of.iter().enumerate() {
        order[next[id as usize] as usize] = i as u32;
        next[id as usize] += 1;
    }
    Ok(take_record_batch(batch, &UInt32Array::from(order))?)
}

/// Concatenates the piped input into one batch.
pub fn concat_input(schema: &SchemaRef, inputs: &[Vec<RecordBatch>]) -> Result<RecordBatch> {
    let empty = Vec::new();
    let batches = inputs.first().unwrap_or(&empty);
    let batch = concat_batches(schema, batches)?;
    if batch.num_rows() >= MISSING as usize {
        return Err(DataFusionError::Execution(format!(
            "the input has {} rows; pattern plugins handle at most {}",
            batch.num_rows(),
            MISSING - 1
        )));
    }
    Ok(batch)
}

/// Dictionary-encodes the columns `indexes` of `batch`. A column whose type cannot be used as
/// a dimension (nested Arrow types) is encoded as all-missing: it never takes part in a pattern.
pub fn encode_columns(batch: &RecordBatch, indexes: &[usize]) -> Vec<EncodedColumn> {
    indexes
        .iter()
        .map(|&i| encode_column(batch.column(i), i))
        .collect()
}

fn encode_column(array: &ArrayRef, input_index: usize) -> EncodedColumn {
    let n = array.len();
    let mut enc = Encoder::default();
    let mut ids = Vec::with_capacity(n);
    match array.data_type() {
        DataType::Utf8 => encode_strs(array.as_string::<i32>().iter(), &mut enc, &mut ids),
        DataType::LargeUtf8 => encode_strs(array.as_string::<i64>().iter(), &mut enc, &mut ids),
        DataType::Utf8View => encode_strs(array.as_string_view().iter(), &mut enc, &mut ids),
        DataType::Boolean => {
            for (row, v) in array.as_boolean().iter().enumerate() {
                ids.push(match v {
                    None => MISSING,
                    Some(b) => enc.id_u64(b as u64, row),
                });
            }
        }
        DataType::Int8 => encode_prim::<Int8Type>(array, &mut enc, &mut ids, |v| v as u64),
        DataType::Int16 => encode_prim::<Int16Type>(array, &mut enc, &mut ids, |v| v as u64),
        DataType::Int32 => encode_prim::<Int32Type>(array, &mut enc, &mut ids, |v| v as u64),
        DataType::Int64 => encode_prim::<Int64Type>(array, &mut enc, &mut ids, |v| v as u64),
        DataType::UInt8 => encode_prim::<UInt8Type>(array, &mut enc, &mut ids, |v| v as u64),
        DataType::UInt16 => encode_prim::<UInt16Type>(array, &mut enc, &mut ids, |v| v as u64),
        DataType::UInt32 => encode_prim::<UInt32Type>(array, &mut enc, &mut ids, |v| v as u64),
        DataType::UInt64 => encode_prim::<UInt64Type>(array, &mut enc, &mut ids, |v| v),
        DataType::Float32 => encode_floats(
            array
                .as_primitive::<Float32Type>()
                .iter()
                .map(|v| v.map(f64::from)),
            &mut enc,
            &mut ids,
        ),
        DataType::Float64 => encode_floats(
            array.as_primitive::<Float64Type>().iter(),
            &mut enc,
            &mut ids,
        ),
        DataType::Timestamp(..)
        | DataType::Duration(_)
        | DataType::Date32
        | DataType::Date64
        | DataType::Time32(_)
        | DataType::Time64(_) => match cast(array, &DataType::Int64) {
            Ok(a) => encode_prim::<Int64Type>(&a, &mut enc, &mut ids, |v| v as u64),
            Err(_) => ids.resize(n, MISSING),
        },
        // Dictionaries, decimals and anything else with a text form: by that text.
        _ => match cast(array, &DataType::Utf8) {
            Ok(a) => encode_strs(a.as_string::<i32>().iter(), &mut enc, &mut ids),
            Err(_) => ids.resize(n, MISSING),
        },
    }
    EncodedColumn {
        input_index,
        ids,
        first_row: enc.first_row,
    }
}

#[derive(Default)]
struct Encoder {
    by_u64: FastMap<u64, u32>,
    first_row: Vec<u32>,
}

impl Encoder {
    #[inline]
    fn id_u64(&mut self, key: u64, row: usize) -> u32 {
        let next = self.first_row.len() as u32;
        let id = *self.by_u64.entry(key).or_insert(next);
        if id == next {
            self.first_row.push(row as u32);
        }
        id
    }
}

fn encode_strs<'a>(
    values: impl Iterator<Item = Option<&'a str>>,
    enc: &mut Encoder,
    ids: &mut Vec<u32>,
) {
    let mut map: FastMap<&'a str, u32> = FastMap::default();
    for (row, v) in values.enumerate() {
        ids.push(match v {
            None | Some("") => MISSING,
            Some(s) => {
                let next = enc.first_row.len() as u32;
                let id = *map.entry(s).or_insert(next);
                if id == next {
                    enc.first_row.push(row as u32);
                }
                id
            }
        });
    }
}

fn encode_prim<T: ArrowPrimitiveType>(
    array: &ArrayRef,
    enc: &mut Encoder,
    ids: &mut Vec<u32>,
    key: impl Fn(T::Native) -> u64,
) {
    let a = array.as_primitive::<T>();
    let values = a.values();
    match a.nulls().filter(|n| n.null_count() > 0) {
        None => {
            for (row, v) in values.iter().enumerate() {
                ids.push(enc.id_u64(key(*v), row));
            }
        }
        Some(nulls) => {
            for (row, v) in values.iter().enumerate() {
                ids.push(if nulls.is_null(row) {
                    MISSING
                } else {
                    enc.id_u64(key(*v), row)
                });
            }
        }
    }
}

fn encode_floats(values: impl Iterator<Item = Option<f64>>, enc: &mut Encoder, ids: &mut Vec<u32>) {
    for (row, v) in values.enumerate() {
        ids.push(match v {
            None => MISSING,
            Some(x) if x.is_nan() => MISSING,
            Some(x) => {
                let x = if x == 0.0 { 0.0 } else { x };
                enc.id_u64(x.to_bits(), row)
            }
        });
    }
}

/// The row weights from `WeightColumn` (must be numeric). INFER: a null weight counts as 0;
/// negative or NaN weights are an error (they would make counts non-monotone).
pub fn read_weights(batch: &RecordBatch, index: usize, name: &str) -> Result<Vec<f64>> {
    let a = cast(batch.column(index), &DataType::Float64)?;
    let a: &Float64Array = a.as_primitive::<Float64Type>();
    let mut out = Vec::with_capacity(a.len());
    for v in a.iter() {
        match v {
            None => out.push(0.0),
            Some(x) if x.is_nan() || x < 0.0 || x.is_infinite() => {
                return Err(DataFusionError::Execution(format!(
                    "WeightColumn '{name}' has the value {x}; weights must be finite and \
                     non-negative"
                )));
            }
            Some(x) => out.push(x),
        }
    }
    Ok(out)
}

/// Checks that `WeightColumn` is a numeric column (integer only when `integer_only`).
pub fn weight_column(
    args: &PluginArgs,
    i: usize,
    input: &SchemaRef,
    integer_only: bool,
) -> Result<Option<(String, usize)>, PluginError> {
    let Some((name, idx)) = args.column(i, "WeightColumn", input)? else {
        return Ok(None);
    };
    let kind = KqlType::of_field(input.field(idx));
    let ok = match kind {
        KqlType::Int | KqlType::Long => true,
        KqlType::Real | KqlType::Decimal => !integer_only,
        _ => false,
    };
    if !ok {
        let want = if integer_only {
            "an integer (int or long)"
        } else {
            "a numeric (int, long or real)"
        };
        return Err(PluginError::at(
            i,
            format!("WeightColumn '{name}' must be {want} column, but it is {kind}"),
        ));
    }
    Ok(Some((name, idx)))
}

/// The wildcard values: per KQL type, the `CustomWildcard` given for it.
#[derive(Debug, Clone, Default)]
pub struct Wildcards {
    by_type: Vec<(KqlType, ScalarValue)>,
}

impl Wildcards {
    /// Reads `CustomWildcard` arguments from positional argument `start` on. Each is a typed
    /// constant and applies to every output column of its KQL type (`'*'` to string columns,
    /// `int(-1)` to int columns, ...). INFER: giving two wildcards of the same type is an error.
    pub fn parse(args: &PluginArgs, start: usize) -> Result<Wildcards, PluginError> {
        let mut by_type: Vec<(KqlType, ScalarValue)> = Vec::new();
        for i in start..args.len() {
            match args.get(i) {
                None => {}
                Some(PluginArg::Value(v)) => {
                    let kind = KqlType::of_arrow(&v.data_type());
                    if by_type.iter().any(|(k, _)| *k == kind) {
                        return Err(PluginError::at(
                            i,
                            format!("CustomWildcard: a second wildcard for type {kind}"),
                        ));
                    }
                    by_type.push((kind, v.clone()));
                }
                Some(PluginArg::Column { name, .. }) => {
                    return Err(PluginError::at(
                        i,
                        format!(
                            "CustomWildcard must be a constant (a typed literal such as '*' or \
                             long(-1)), not the column '{name}'"
                        ),
                    ));
                }
                Some(PluginArg::Table(_)) => {
                    return Err(PluginError::at(
                        i,
                        "CustomWildcard must be a constant, not a table",
                    ));
                }
            }
        }
        Ok(Wildcards { by_type })
    }

    /// A one-element array holding the wildcard for a column: the custom one for its KQL type,
    /// else the empty string for `string` columns and null for every other type (the docs'
    /// defaults; guid and dynamic are not strings in KQL, so their default is null).
    pub fn array_for(&self, field: &Field) -> Result<ArrayRef> {
        let kind = KqlType::of_field(field);
        let dt = field.data_type();
        if let Some((_, v)) = self.by_type.iter().find(|(k, _)| *k == kind) {
            let a = v.to_array_of_size(1)?;
            return Ok(cast(&a, dt)?);
        }
        if kind == KqlType::String {
            let a = ScalarValue::Utf8(Some(String::new())).to_array_of_size(1)?;
            if let Ok(a) = cast(&a, dt) {
                return Ok(a);
            }
        }
        Ok(new_null_array(dt, 1))
    }
}

/// The output schema: the leading columns, then every input column (same type and metadata,
/// nullable, since a wildcard may be null).
pub fn output_schema(leading: Vec<Field>, input: &SchemaRef) -> SchemaRef {
    let mut fields = leading;
    for f in input.fields() {
        fields.push(f.as_ref().clone().with_nullable(true));
    }
    Arc::new(Schema::new(fields))
}

/// A pattern for the output: `(input column index, row holding the value)` per item.
pub type PatternCells = Vec<(usize, u32)>;

/// Builds the input-column part of the output: each pattern's values, wildcards elsewhere.
pub fn pattern_columns(
    batch: &RecordBatch,
    patterns: &[PatternCells],
    wildcards: &Wildcards,
) -> Result<Vec<ArrayRef>> {
    let schema = batch.schema();
    let mut out = Vec::with_capacity(schema.fields().len());
    for (j, field) in schema.fields().iter().enumerate() {
        let wild = wildcards.array_for(field)?;
        let idx: Vec<(usize, usize)> = patterns
            .iter()
            .map(|p| match p.iter().find(|(c, _)| *c == j) {
                Some((_, row)) => (0, *row as usize),
                None => (1, 0),
            })
            .collect();
        let col = batch.column(j);
        out.push(interleave(&[col.as_ref(), wild.as_ref()], &idx)?);
    }
    Ok(out)
}

/// `SegmentId` values 0..n.
pub fn segment_ids(n: usize) -> ArrayRef {
    Arc::new(Int64Array::from_iter_values(0..n as i64))
}

/// Kusto's `Count` is a long: INFER with fractional weights it is the weighted count rounded
/// to the nearest whole number (the percentages use the exact weighted count).
pub fn count_column(counts: impl Iterator<Item = f64>) -> ArrayRef {
    Arc::new(Int64Array::from_iter_values(
        counts.map(|c| c.round() as i64),
    ))
}

/// Whether `a` and `b` are the same weighted count (exact for whole weights; a relative
/// tolerance absorbs summation order for fractional ones).
#[inline]
pub fn same_count(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// What to mine.
pub struct MineSpec<'a> {
    pub cols: &'a [EncodedColumn],
    /// Row weights (`None`: every row weighs 1).
    pub weights: Option<&'a [f64]>,
    /// Per row: its group `0..k` (`None`: a single group); rows with a group `>= k` are ignored.
    pub groups: Option<&'a [u8]>,
    pub k: usize,
    /// The minimum support ratio: an itemset is frequent when, in at least one group, its
    /// weighted count divided by the group's total is `>= threshold`.
    pub threshold: f64,
    /// Itemsets are closures of frequent itemsets of at most this many items.
    pub max_dims: usize,
}

/// A mined closed itemset: `(position in cols, value id)` items in column order, and its
/// weighted count per group.
#[derive(Debug, Clone, PartialEq)]
pub struct Itemset {
    pub items: Vec<(usize, u32)>,
    pub counts: Vec<f64>,
}

struct Miner<'a> {
    spec: &'a MineSpec<'a>,
    totals: Vec<f64>,
    /// Per column: weighted count per (value id, group), and row count per value id.
    wcount: Vec<Vec<f64>>,
    rcount: Vec<Vec<u32>>,
    /// Per column: scratch mapping a value id to its partition slot ([`MISSING`] when unused).
    slot: Vec<Vec<u32>>,
    seen: HashSet<Vec<(usize, u32)>>,
    out: Vec<Itemset>,
    visited: usize,
}

/// Mines the closed frequent itemsets: the closures `C(X)` (all items shared by every row
/// matching `X`) of the frequent itemsets `X` with at most `max_dims` items. With `max_dims`
/// at least the number of columns this is exactly the set of closed frequent itemsets; with
/// a smaller `max_dims` it is those whose smallest generator has at most `max_dims` items
/// (Kusto: "the maximal number of uncorrelated dimensions per pattern", INFER).
///
/// The walk adds items in column order and skips an item that is already in the current
/// closure (it would not change the matching rows), so constant and perfectly correlated
/// columns cost nothing; every generator (free itemset) of size `<= max_dims` is still
/// visited, so every wanted closure is found. The empty itemset's closure (the columns that
/// are constant over all rows) is reported when it is non-empty.
pub fn mine_closed(spec: &MineSpec<'_>) -> Result<Vec<Itemset>> {
    let k = spec.k.max(1);
    let n = spec.cols.first().map(|c| c.ids.len()).unwrap_or(0);
    let mut root: Vec<u32> = Vec::with_capacity(n);
    let mut totals = vec![0.0; k];
    for row in 0..n {
        let g = spec.groups.map(|g| g[row] as usize).unwrap_or(0);
        if g >= k {
            continue;
        }
        root.push(row as u32);
        totals[g] += spec.weights.map(|w| w[row]).unwrap_or(1.0);
    }
    let mut miner = Miner {
        spec,
        wcount: spec
            .cols
            .iter()
            .map(|c| vec![0.0; c.n_values() * k])
            .collect(),
        rcount: spec.cols.iter().map(|c| vec![0; c.n_values()]).collect(),
        slot: spec
            .cols
            .iter()
            .map(|c| vec![MISSING; c.n_values()])
            .collect(),
        totals: totals.clone(),
        seen: HashSet::new(),
        out: Vec::new(),
        visited: 0,
    };
    if root.is_empty() || !miner.frequent(&totals) {
        return Ok(Vec::new());
    }
    let mut prefix = Vec::new();
    miner.visit(&mut prefix, &root, &totals, None)?;
    Ok(miner.out)
}

impl Miner<'_> {
    fn k(&self) -> usize {
        self.spec.k.max(1)
    }

    fn frequent(&self, counts: &[f64]) -> bool {
        counts
            .iter()
            .zip(&self.totals)
            .any(|(c, t)| *t > 0.0 && *c / *t >= self.spec.threshold)
    }

    /// Visits itemset `prefix` (matching `rows`, with `counts`), whose last item is in column
    /// `last`.
    fn visit(
        &mut self,
        prefix: &mut Vec<(usize, u32)>,
        rows: &[u32],
        counts: &[f64],
        last: Option<usize>,
    ) -> Result<()> {
        self.visited += 1;
        if self.visited > MAX_VISITED {
            return Err(DataFusionError::Execution(format!(
                "too many candidate patterns (more than {MAX_VISITED}); raise Threshold or \
                 lower MaxDimensions"
            )));
        }
        let k = self.k();
        let ncols = self.spec.cols.len();
        let can_extend = prefix.len() < self.spec.max_dims;
        let mut closure: Vec<(usize, u32)> = prefix.clone();
        // Per extension column: its frequent values that shrink the row set.
        let mut extensions: Vec<(usize, Vec<u32>)> = Vec::new();
        for c in 0..ncols {
            if prefix.iter().any(|(pc, _)| *pc == c) {
                continue;
            }
            let extend_here = can_extend && last.is_none_or(|l| c > l);
            let col = &self.spec.cols[c];
            let ids = &col.ids;
            let wc = &mut self.wcount[c];
            let rc = &mut self.rcount[c];
            for &r in rows {
                let id = ids[r as usize];
                if id == MISSING {
                    continue;
                }
                let g = self
                    .spec
                    .groups
                    .map(|g| g[r as usize] as usize)
                    .unwrap_or(0);
                let w = self.spec.weights.map(|w| w[r as usize]).unwrap_or(1.0);
                wc[id as usize * k + g] += w;
                rc[id as usize] += 1;
            }
            let mut frequent_values = Vec::new();
            for &r in rows {
                let id = ids[r as usize];
                if id == MISSING || rc[id as usize] == 0 {
                    continue;
                }
                rc[id as usize] = 0;
                let cnt = &mut wc[id as usize * k..id as usize * k + k];
                let in_closure = cnt.iter().zip(counts).all(|(a, b)| same_count(*a, *b));
                if in_closure {
                    closure.push((c, id));
                } else if extend_here
                    && cnt
                        .iter()
                        .zip(&self.totals)
                        .any(|(c, t)| *t > 0.0 && *c / *t >= self.spec.threshold)
                {
                    frequent_values.push(id);
                }
                cnt.iter_mut().for_each(|x| *x = 0.0);
            }
            if !frequent_values.is_empty() {
                frequent_values.sort_unstable();
                extensions.push((c, frequent_values));
            }
        }
        closure.sort_unstable();
        if !closure.is_empty() && !self.seen.contains(&closure) {
            self.seen.insert(closure.clone());
            self.out.push(Itemset {
                items: closure,
                counts: counts.to_vec(),
            });
        }
        // Children with the same rows as an earlier sibling are skipped: if `X+e1` and `X+e2`
        // (e1's column first) match the same rows, e2 is in the closure of `X+e1`, and every
        // itemset below `X+e2` has the closure and size of one below `X+e1`.
        let mut siblings: HashSet<(u64, u64, usize)> = HashSet::new();
        for (c, values) in extensions {
            self.extend(prefix, rows, c, &values, &mut siblings)?;
        }
        Ok(())
    }

    /// Partitions `rows` by the values of column `c` and visits `prefix + (c, v)` for each
    /// frequent `v`.
    fn extend(
        &mut self,
        prefix: &mut Vec<(usize, u32)>,
        rows: &[u32],
        c: usize,
        values: &[u32],
        siblings: &mut HashSet<(u64, u64, usize)>,
    ) -> Result<()> {
        let k = self.k();
        let col = &self.spec.cols[c];
        // Slot of each wanted value, in the column's dense scratch (reset before recursing).
        let slot = &mut self.slot[c];
        for (i, v) in values.iter().enumerate() {
            slot[*v as usize] = i as u32;
        }
        let mut parts: Vec<Vec<u32>> = vec![Vec::new(); values.len()];
        let mut counts: Vec<Vec<f64>> = vec![vec![0.0; k]; values.len()];
        for &r in rows {
            let id = col.ids[r as usize];
            if id == MISSING {
                continue;
            }
            let s = slot[id as usize];
            if s != MISSING {
                let s = s as usize;
                parts[s].push(r);
                let g = self
                    .spec
                    .groups
                    .map(|g| g[r as usize] as usize)
                    .unwrap_or(0);
                counts[s][g] += self.spec.weights.map(|w| w[r as usize]).unwrap_or(1.0);
            }
        }
        for v in values {
            slot[*v as usize] = MISSING;
        }
        for (s, v) in values.iter().enumerate() {
            let part = std::mem::take(&mut parts[s]);
            if !siblings.insert(row_set_key(&part)) {
                continue;
            }
            prefix.push((c, *v));
            self.visit(prefix, &part, &counts[s], Some(c))?;
            prefix.pop();
        }
        Ok(())
    }
}

/// A fingerprint of a sorted row list (two independent 64-bit polynomial hashes and the
/// length), so that equal row sets are recognised without keeping them.
fn row_set_key(rows: &[u32]) -> (u64, u64, usize) {
    let mut a: u64 = 0x243f_6a88_85a3_08d3;
    let mut b: u64 = 0x1319_8a2e_0370_7344;
    for &r in rows {
        a = (a ^ u64::from(r)).wrapping_mul(0x0000_0100_0000_01b3);
        b = b
            .rotate_left(17)
            .wrapping_add(u64::from(r) + 1)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    (a, b, rows.len())
}

/// Converts mined items (positions in `cols`) to output cells (input column, value row).
pub fn cells(cols: &[EncodedColumn], items: &[(usize, u32)]) -> PatternCells {
    items
        .iter()
        .map(|&(c, id)| (cols[c].input_index, cols[c].first_row[id as usize]))
        .collect()
}

#[cfg(test)]
#[path = "patterns_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "patterns_oracle_tests.rs"]
mod oracle_tests;
