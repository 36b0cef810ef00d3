//! `evaluate autocluster([SizeWeight, WeightColumn, NumSeeds, CustomWildcard, ...])`: a small
//! set of segments (patterns of column values) that each cover many rows and share many
//! values, see `autocluster-plugin.md` and spec §17.2.
//!
//! Kusto's algorithm is proprietary, "largely based on the Seed-Expand algorithm" of
//! "Algorithms for Telemetry Data Mining using Discrete Attributes" (ICPRAM 2017). This is a
//! reconstruction (INFER, spec §17.2 "CHOICE"):
//! 1. NumSeeds seed rows are drawn without replacement by a fixed-seed generator from the rows
//!    sorted by their values, so the output depends only on the input's rows, not on the
//!    order they arrive in (Kusto says segment ids are not stable across runs).
//! 2. Each seed starts as the fully specified segment (every non-missing value of its row)
//!    and, separately, as its single best-scoring value; the better of the two results is kept
//!    (from the full row alone the search stalls on tables with many unique columns, where
//!    dropping one value at a time never adds rows).
//! 3. Local search: repeatedly apply the single best change (drop one of the segment's values,
//!    or add one of the seed row's values) while the score improves; values implied by the
//!    segment (every matching row has them) are added at once. The score is the
//!    documented weighted geometric mean of a "generic" and an "informative" part:
//!    `(Count/N)^SizeWeight · (Dims/D)^(1−SizeWeight)`, with N the (weighted) rows and D the
//!    number of dimension columns.
//! 4. Duplicate segments are merged.
//! 5. A small, diverse set is kept: by score, best first, a segment is dropped when it is
//!    nested in (a subset or superset of the values of) a kept one, or when more than half of
//!    the smaller of the two segments' rows are shared with a kept one.
//!
//! INFER: a segment matching a single row is not reported. A column with one value in every
//! row (a filter's constant, `where Level == "Error"`) is neither a seed value nor a dimension
//! of the score (D counts the other columns); every segment reports its value, and it is a
//! segment on its own only when every column is constant.
//!
//! Counts are exact (bitsets per seed value, ANDed), Percent = 100·Count/N. Dimensions: every
//! column but the weight column (INFER), values as in `basket` (categorical, no binning; null
//! and empty strings are not values).

use super::itemsets::{
    EncodedColumn, MISSING, PatternCells, Wildcards, concat_input, count_column, encode_columns,
    output_schema, pattern_columns, read_weights, segment_ids, weight_column,
};
use super::{PluginArgs, PluginDef, PluginError, TablePlugin};
use datafusion::arrow::array::{ArrayRef, Float64Array};
use datafusion::arrow::datatypes::{DataType, Field, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::Result;
use std::collections::HashMap;
use std::sync::Arc;

pub const DEF: PluginDef = PluginDef {
    name: "autocluster",
    signature: "autocluster([SizeWeight [, WeightColumn [, NumSeeds [, CustomWildcard, ...]]]])",
    description: "Reduces the rows to a few segments: patterns of column values that each cover \
                  many rows and share many values (a seeded local search, based on Seed-Expand).",
    params: &[
        (
            "SizeWeight",
            "0 to 1: weight of coverage against the number of shared values (default 0.5)",
        ),
        (
            "WeightColumn",
            "integer column: each row counts as its weight (default 1)",
        ),
        (
            "NumSeeds",
            "number of local-search starting rows (default 25)",
        ),
        (
            "CustomWildcard",
            "typed literals: the wildcard for columns of that type (default: empty string \
             for string columns, null otherwise)",
        ),
    ],
    example: "datatable(Region:string, Service:string, Host:string) \
              ['eu','api','h1', 'eu','api','h2', 'eu','api','h3', 'us','db','h4', 'us','db','h5'] \
              | evaluate autocluster()",
    // By hand (D = 3, SizeWeight 0.5, all 5 rows are seeds): from (eu, api, h1), score
    // sqrt(1/5 · 3/3) = 0.447, dropping Host gives sqrt(3/5 · 2/3) = 0.632, the best change;
    // dropping Service next would give sqrt(3/5 · 1/3) = 0.447, so (eu, api) is a local
    // optimum. Likewise (us, db): sqrt(2/5 · 2/3) = 0.516. They share no rows.
    expected: "SegmentId,Count,Percent,Region,Service,Host\n\
               0,3,60,eu,api,\n\
               1,2,40,us,db,\n",
    plan,
};

#[derive(Debug)]
struct AutoCluster {
    input: SchemaRef,
    schema: SchemaRef,
    size_weight: f64,
    weight: Option<(String, usize)>,
    num_seeds: usize,
    wildcards: Wildcards,
}

fn plan(args: &PluginArgs, inputs: &[SchemaRef]) -> Result<Arc<dyn TablePlugin>, PluginError> {
    let input = inputs
        .first()
        .ok_or_else(|| PluginError::call("autocluster() needs a piped input table"))?;
    args.only_named("autocluster", &[])?;
    let size_weight = match args.f64(0, "SizeWeight")? {
        None => 0.5,
        Some(w) if (0.0..=1.0).contains(&w) => w,
        Some(w) => {
            return Err(PluginError::at(
                0,
                format!("SizeWeight must be between 0 and 1, got {w}"),
            ));
        }
    };
    let weight = weight_column(args, 1, input, true)?;
    let num_seeds = match args.i64(2, "NumSeeds")? {
        None => 25,
        Some(n) if (1..=100_000).contains(&n) => n as usize,
        Some(n) => {
            return Err(PluginError::at(
                2,
                format!("NumSeeds must be between 1 and 100000, got {n}"),
            ));
        }
    };
    let wildcards = Wildcards::parse(args, 3)?;
    let leading = vec![
        Field::new("SegmentId", DataType::Int64, false),
        Field::new("Count", DataType::Int64, false),
        Field::new("Percent", DataType::Float64, false),
    ];
    Ok(Arc::new(AutoCluster {
        input: input.clone(),
        schema: output_schema(leading, input),
        size_weight,
        weight,
        num_seeds,
        wildcards,
    }))
}

/// The rows matching one value, as a bitset.
type Bits = Vec<u64>;

struct Search<'a> {
    cols: &'a [EncodedColumn],
    weights: Option<&'a [f64]>,
    n_rows: usize,
    total: f64,
    dims: f64,
    size_weight: f64,
    /// Columns holding one value in every row: no information, so neither seeds nor
    /// dimensions of the score; every segment reports them (they are implied).
    constant: Vec<bool>,
    /// Bitset per (column position, value id) used by some seed.
    bits: HashMap<(usize, u32), Bits>,
}

/// One segment found by the local search.
struct Segment {
    items: Vec<(usize, u32)>,
    count: f64,
    score: f64,
    rows: Bits,
}

impl Search<'_> {
    fn words(&self) -> usize {
        self.n_rows.div_ceil(64)
    }

    /// Builds the bitsets of every value of the seed rows (one pass per column).
    fn build_bits(&mut self, seeds: &[usize]) {
        for (c, col) in self.cols.iter().enumerate() {
            let mut wanted: Vec<u32> = seeds
                .iter()
                .map(|&r| col.ids[r])
                .filter(|id| *id != MISSING)
                .collect();
            wanted.sort_unstable();
            wanted.dedup();
            if wanted.is_empty() {
                continue;
            }
            let mut slot = vec![MISSING; col.n_values()];
            let mut sets: Vec<Bits> = vec![vec![0u64; self.words()]; wanted.len()];
            for (i, id) in wanted.iter().enumerate() {
                slot[*id as usize] = i as u32;
            }
            for (r, id) in col.ids.iter().enumerate() {
                if *id != MISSING {
                    let s = slot[*id as usize];
                    if s != MISSING {
                        sets[s as usize][r / 64] |= 1u64 << (r % 64);
                    }
                }
            }
            for (id, set) in wanted.into_iter().zip(sets) {
                self.bits.insert((c, id), set);
            }
        }
    }

    fn weigh(&self, rows: &Bits) -> f64 {
        match self.weights {
            None => rows.iter().map(|w| w.count_ones() as f64).sum(),
            Some(wt) => {
                let mut sum = 0.0;
                for (i, word) in rows.iter().enumerate() {
                    let mut w = *word;
                    while w != 0 {
                        let b = w.trailing_zeros() as usize;
                        sum += wt[i * 64 + b];
                        w &= w - 1;
                    }
                }
                sum
            }
        }
    }

    /// The rows matching all `items` (every row when there are none).
    fn rows_of(&self, items: &[(usize, u32)]) -> Bits {
        let mut acc: Bits = vec![u64::MAX; self.words()];
        if !self.n_rows.is_multiple_of(64)
            && let Some(last) = acc.last_mut()
        {
            *last = (1u64 << (self.n_rows % 64)) - 1;
        }
        for it in items {
            if let Some(b) = self.bits.get(it) {
                acc.iter_mut().zip(b).for_each(|(a, x)| *a &= *x);
            }
        }
        acc
    }

    fn score(&self, count: f64, k: usize) -> f64 {
        if k == 0 || count <= 0.0 || self.total <= 0.0 {
            return 0.0;
        }
        (count / self.total).powf(self.size_weight)
            * (k as f64 / self.dims).powf(1.0 - self.size_weight)
    }

    /// The weighted count of the rows in both `a` and `b`.
    fn weigh_and(&self, a: &Bits, b: &Bits) -> f64 {
        match self.weights {
            None => a
                .iter()
                .zip(b)
                .map(|(x, y)| (x & y).count_ones() as f64)
                .sum(),
            Some(_) => self.weigh(&a.iter().zip(b).map(|(x, y)| x & y).collect()),
        }
    }

    /// Local search over the values of `seed`'s row from the fully specified segment and from
    /// the seed's best single value; the better of the two local optima.
    fn climb(&self, seed: usize) -> Option<Segment> {
        let seed_items: Vec<(usize, u32)> = (0..self.cols.len())
            .filter(|c| !self.constant[*c])
            .filter_map(|c| {
                let id = self.cols[c].ids[seed];
                (id != MISSING).then_some((c, id))
            })
            .collect();
        if seed_items.is_empty() {
            return None;
        }
        let full = vec![true; seed_items.len()];
        let mut best_single = vec![false; seed_items.len()];
        let singles: Vec<f64> = seed_items
            .iter()
            .map(|it| {
                self.bits
                    .get(it)
                    .map(|b| self.score(self.weigh(b), 1))
                    .unwrap_or(0.0)
            })
            .collect();
        let top = (0..singles.len())
            .max_by(|a, b| singles[*a].total_cmp(&singles[*b]).then(b.cmp(a)))
            .unwrap_or(0);
        best_single[top] = true;
        let a = self.climb_from(&seed_items, full);
        let b = self.climb_from(&seed_items, best_single);
        let s = match (a, b) {
            (Some(a), Some(b)) => {
                if b.score > a.score * (1.0 + 1e-12) {
                    b
                } else {
                    a
                }
            }
            (a, b) => a.or(b)?,
        };
        Some(s)
    }

    /// Best-improvement hill climbing: each step adds one of the seed's values or drops one of
    /// the segment's, whichever raises the score most; values that keep every matching row
    /// (implied by the segment) are added at once, as each of them only raises the score.
    fn climb_from(&self, seed_items: &[(usize, u32)], mut on: Vec<bool>) -> Option<Segment> {
        let items_of = |on: &[bool]| -> Vec<(usize, u32)> {
            seed_items
                .iter()
                .zip(on)
                .filter(|(_, o)| **o)
                .map(|(it, _)| *it)
                .collect()
        };
        let mut rows = self.rows_of(&items_of(&on));
        let mut count = self.weigh(&rows);
        let mut current = self.score(count, on.iter().filter(|o| **o).count());
        let mut memo: HashMap<Vec<bool>, f64> = HashMap::new();
        for _ in 0..4 * seed_items.len() + 4 {
            // Absorb the implied values.
            for (i, it) in seed_items.iter().enumerate() {
                if !on[i]
                    && let Some(b) = self.bits.get(it)
                    && count > 0.0
                    && self.weigh_and(&rows, b) >= count
                {
                    on[i] = true;
                }
            }
            let k = on.iter().filter(|o| **o).count();
            current = current.max(self.score(count, k));
            let mut best: Option<(usize, f64)> = None;
            for i in 0..on.len() {
                let s = if on[i] {
                    on[i] = false;
                    let s = match memo.get(&on) {
                        Some(s) => *s,
                        None => {
                            let s = self.score(self.weigh(&self.rows_of(&items_of(&on))), k - 1);
                            memo.insert(on.clone(), s);
                            s
                        }
                    };
                    on[i] = true;
                    s
                } else {
                    match self.bits.get(&seed_items[i]) {
                        Some(b) => self.score(self.weigh_and(&rows, b), k + 1),
                        None => 0.0,
                    }
                };
                if s > current * (1.0 + 1e-12) && best.is_none_or(|(_, b)| s > b) {
                    best = Some((i, s));
                }
            }
            match best {
                Some((i, s)) => {
                    on[i] = !on[i];
                    current = s;
                    rows = self.rows_of(&items_of(&on));
                    count = self.weigh(&rows);
                }
                None => break,
            }
        }
        let items = items_of(&on);
        if items.is_empty() {
            return None;
        }
        Some(Segment {
            score: self.score(count, items.len()),
            items,
            count,
            rows,
        })
    }
}

fn nested(a: &[(usize, u32)], b: &[(usize, u32)]) -> bool {
    a.iter().all(|x| b.contains(x)) || b.iter().all(|x| a.contains(x))
}

impl AutoCluster {
    fn segments(&self, batch: &RecordBatch) -> Result<(Vec<Segment>, Vec<EncodedColumn>, f64)> {
        let n = batch.num_rows();
        let dims: Vec<usize> = (0..self.input.fields().len())
            .filter(|i| self.weight.as_ref().is_none_or(|w| w.1 != *i))
            .collect();
        let cols = encode_columns(batch, &dims);
        let weights = match &self.weight {
            Some((name, idx)) => Some(read_weights(batch, *idx, name)?),
            None => None,
        };
        let total: f64 = match &weights {
            Some(w) => w.iter().sum(),
            None => n as f64,
        };
        // Seed candidates: rows with some weight and at least one value.
        let mut eligible: Vec<usize> = (0..n)
            .filter(|&r| weights.as_ref().is_none_or(|w| w[r] > 0.0))
            .filter(|&r| cols.iter().any(|c| c.ids[r] != MISSING))
            .collect();
        let mut rng = crate::rng::SplitMix64::new(0x4b51_4c5f_6175_746f);
        let take = self.num_seeds.min(eligible.len());
        for i in 0..take {
            let j = i + rng.index(eligible.len() - i);
            eligible.swap(i, j);
        }
        let seeds = &eligible[..take];
        // INFER: a column with the same value in every row (say `Level == "Error"` after a
        // filter) tells the segments nothing apart; counting it would make the all-rows
        // segment a strong pattern that every real one is nested in.
        let constants: Vec<(usize, u32)> = cols
            .iter()
            .enumerate()
            .filter_map(|(c, col)| {
                let first = *col.ids.first()?;
                (first != MISSING && col.ids.iter().all(|id| *id == first)).then_some((c, first))
            })
            .collect();
        let constant: Vec<bool> = (0..cols.len())
            .map(|c| constants.iter().any(|(k, _)| *k == c))
            .collect();
        let informative = cols.len() - constants.len();
        let mut search = Search {
            cols: &cols,
            weights: weights.as_deref(),
            n_rows: n,
            total,
            dims: informative.max(1) as f64,
            size_weight: self.size_weight,
            constant,
            bits: HashMap::new(),
        };
        search.build_bits(seeds);
        let mut found: Vec<Segment> = Vec::new();
        for &seed in seeds {
            if let Some(s) = search.climb(seed)
                && !found.iter().any(|f| f.items == s.items)
            {
                found.push(s);
            }
        }
        found.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(b.count.total_cmp(&a.count))
                .then_with(|| a.items.cmp(&b.items))
        });
        let mut kept: Vec<Segment> = Vec::new();
        for s in found {
            // INFER: a segment is a pattern shared by rows; one matching a single row is not.
            if s.rows.iter().map(|w| w.count_ones()).sum::<u32>() < 2 {
                continue;
            }
            let redundant = kept.iter().any(|k| {
                if nested(&k.items, &s.items) {
                    return true;
                }
                let shared: Bits = k.rows.iter().zip(&s.rows).map(|(a, b)| a & b).collect();
                search.weigh(&shared) > 0.5 * k.count.min(s.count)
            });
            if !redundant {
                kept.push(s);
            }
        }
        if informative == 0 && !constants.is_empty() && n > 1 {
            // every column is constant: the one pattern is the whole table
            let rows = search.rows_of(&[]);
            kept.push(Segment {
                items: Vec::new(),
                count: search.weigh(&rows),
                score: 1.0,
                rows,
            });
        }
        for s in &mut kept {
            s.items.extend(constants.iter().copied());
            s.items.sort_unstable();
        }
        Ok((kept, cols, total))
    }
}

impl TablePlugin for AutoCluster {
    fn name(&self) -> &'static str {
        "autocluster"
    }

    fn output_schema(&self) -> Option<SchemaRef> {
        Some(self.schema.clone())
    }

    fn describe(&self) -> String {
        format!(
            "autocluster(size_weight={}, weight={}, num_seeds={})",
            self.size_weight,
            self.weight.as_ref().map(|w| w.0.as_str()).unwrap_or("-"),
            self.num_seeds
        )
    }

    fn run(&self, inputs: &[Vec<RecordBatch>]) -> Result<RecordBatch> {
        // the seed rows are drawn by position: put the rows in an order of their values first
        let batch = super::itemsets::canonical_order(&concat_input(&self.input, inputs)?)?;
        let (segs, cols, total) = self.segments(&batch)?;
        let patterns: Vec<PatternCells> = segs
            .iter()
            .map(|s| {
                s.items
                    .iter()
                    .map(|&(c, id)| (cols[c].input_index, cols[c].first_row[id as usize]))
                    .collect()
            })
            .collect();
        let mut columns: Vec<ArrayRef> = vec![
            segment_ids(segs.len()),
            count_column(segs.iter().map(|s| s.count)),
            Arc::new(Float64Array::from_iter_values(
                segs.iter().map(|s| 100.0 * s.count / total),
            )),
        ];
        columns.extend(pattern_columns(&batch, &patterns, &self.wildcards)?);
        Ok(RecordBatch::try_new(self.schema.clone(), columns)?)
    }
}
