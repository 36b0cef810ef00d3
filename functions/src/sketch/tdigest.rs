//! A merging t-digest (Dunning & Ertl, *Computing extremely accurate quantiles using
//! t-digests*, 2019) used by `tdigest()`, `tdigest_merge()`, `percentile_tdigest()` & co. and
//! by `percentile()`/`percentiles()` (percentiles-aggregation-function.md: Kusto estimates
//! percentiles with a t-digest; error bounds are on the rank, best at both ends, capped at 1%
//! at the median; percentiles 0 and 100 are the exact minimum and maximum).
//!
//! **Exact while small.** The digest keeps one centroid per distinct value (value, count) as
//! long as there are at most [`EXACT_LIMIT`] distinct values; queries on such a digest are
//! exact: the nearest-rank percentile (`sorted[ceil(P/100·n) − 1]`, the minimum for P = 0) and
//! the exact rank. This matches the docs' small examples (`tdigest(V, W)` over 1×1.0 and
//! 2×2.0 gives P50 = 2; the rank of 685 in 1..1000 is 685). Past the limit the digest is
//! compressed with the k1 scale function, δ = [`COMPRESSION`], which keeps about 100–150
//! centroids; queries then interpolate linearly between centroid centres (and the exact
//! min/max at the ends), so results need not be members of the population, as the docs warn.
//!
//! Values are `i64` (int, long, and datetime/timespan as nanoseconds, so they stay exact) or
//! `f64` (real); a merged centroid of integers keeps its mean rounded to an integer, as Kusto's
//! digests of long columns show. Weights are integer counts.
//!
//! The serialized bytes are this engine's own format and are **not compatible with Kusto's
//! `tdigest()` values**.

use crate::hashing::FastMap;
use std::cmp::Ordering;

/// The number of distinct values a digest keeps exactly.
pub const EXACT_LIMIT: usize = 2048;
/// δ of the k1 scale function k(q) = δ/(2π)·asin(2q − 1) once the digest is compressed.
pub const COMPRESSION: f64 = 200.0;
/// Points buffered before they are merged into the centroids.
const BUFFER: usize = 4096;

/// A value the digest can hold.
pub trait Value: Copy + Send + Sync + std::fmt::Debug + PartialEq + 'static {
    fn cmp(a: &Self, b: &Self) -> Ordering;
    fn to_f64(self) -> f64;
    /// The weighted mean of two centroids (integers round to the nearest integer).
    fn mean(a: Self, wa: u64, b: Self, wb: u64) -> Self;
    /// `a + (b − a)·t` for t in [0, 1].
    fn lerp(a: Self, b: Self, t: f64) -> Self;
    fn to_bits(self) -> u64;
    fn from_bits(b: u64) -> Self;
    /// A key whose unsigned order is the value order (the digest sorts by it).
    fn key(self) -> u64;
}

impl Value for i64 {
    fn cmp(a: &Self, b: &Self) -> Ordering {
        Ord::cmp(a, b)
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn mean(a: Self, wa: u64, b: Self, wb: u64) -> Self {
        let w = i128::from(wa) + i128::from(wb);
        if w == 0 {
            return a;
        }
        let s = i128::from(a) * i128::from(wa) + i128::from(b) * i128::from(wb);
        // round half away from zero
        let q = (2 * s + if s >= 0 { w } else { -w }) / (2 * w);
        q as i64
    }
    fn lerp(a: Self, b: Self, t: f64) -> Self {
        let d = (i128::from(b) - i128::from(a)) as f64;
        (i128::from(a) + (d * t).round() as i128) as i64
    }
    fn to_bits(self) -> u64 {
        self as u64
    }
    fn from_bits(b: u64) -> Self {
        b as i64
    }
    fn key(self) -> u64 {
        (self as u64) ^ (1 << 63)
    }
}

impl Value for f64 {
    fn cmp(a: &Self, b: &Self) -> Ordering {
        a.total_cmp(b)
    }
    fn to_f64(self) -> f64 {
        self
    }
    fn mean(a: Self, wa: u64, b: Self, wb: u64) -> Self {
        let w = (wa + wb) as f64;
        if w == 0.0 {
            return a;
        }
        // incremental form keeps the mean inside [a, b]
        a + (b - a) * (wb as f64 / w)
    }
    fn lerp(a: Self, b: Self, t: f64) -> Self {
        a + (b - a) * t
    }
    fn to_bits(self) -> u64 {
        f64::to_bits(self)
    }
    fn from_bits(b: u64) -> Self {
        f64::from_bits(b)
    }
    fn key(self) -> u64 {
        // the total order of f64::total_cmp: negative values reversed below positive ones
        let b = f64::to_bits(self);
        if b >> 63 == 1 { !b } else { b ^ (1 << 63) }
    }
}

/// A t-digest over values of type `T` (see the module docs).
#[derive(Clone, Debug)]
pub struct TDigest<T: Value> {
    /// Sorted by value; while `exact`, one per distinct value (then, once `counts` is in use,
    /// a snapshot of it taken by [`TDigest::flush`]).
    centroids: Vec<(T, u64)>,
    /// Points not yet merged into the centroids or counted.
    buffer: Vec<(T, u64)>,
    /// While `exact`, once a full buffer has been counted: the weight of each distinct value,
    /// by its bits (equal bits ⇔ equal under [`Value::cmp`]).
    counts: FastMap<u64, u64>,
    /// `centroids` no longer reflects `counts`.
    dirty: bool,
    total: u64,
    min: Option<T>,
    max: Option<T>,
    exact: bool,
}

impl<T: Value> Default for TDigest<T> {
    fn default() -> Self {
        TDigest {
            centroids: Vec::new(),
            buffer: Vec::new(),
            counts: FastMap::default(),
            dirty: false,
            total: 0,
            min: None,
            max: None,
            exact: true,
        }
    }
}

/// Two digests are equal when they hold the same values and weights (whatever was flushed).
impl<T: Value> PartialEq for TDigest<T> {
    fn eq(&self, other: &Self) -> bool {
        let mut a = self.clone();
        let mut b = other.clone();
        a.flush();
        b.flush();
        (a.centroids, a.total, a.min, a.max, a.exact)
            == (b.centroids, b.total, b.min, b.max, b.exact)
    }
}

/// k1(q) = δ/(2π)·asin(2q − 1) and its inverse.
fn k1(q: f64) -> f64 {
    COMPRESSION / (2.0 * std::f64::consts::PI) * (2.0 * q - 1.0).clamp(-1.0, 1.0).asin()
}

fn k1_inv(k: f64) -> f64 {
    let x = (k * 2.0 * std::f64::consts::PI / COMPRESSION)
        .clamp(-std::f64::consts::FRAC_PI_2, std::f64::consts::FRAC_PI_2);
    (x.sin() + 1.0) / 2.0
}

impl<T: Value> TDigest<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// Total weight (number of values).
    pub fn count(&self) -> u64 {
        self.total
    }

    /// True while every centroid is one distinct value (queries are exact).
    pub fn is_exact(&self) -> bool {
        self.exact
    }

    pub fn min(&mut self) -> Option<T> {
        self.flush();
        self.min
    }

    pub fn max(&mut self) -> Option<T> {
        self.flush();
        self.max
    }

    /// Adds `value` with integer weight `weight` (0 is ignored). The minimum and maximum are
    /// updated when the buffer is flushed (from the ends of the sorted buffer).
    pub fn add(&mut self, value: T, weight: u64) {
        if weight == 0 {
            return;
        }
        self.total += weight;
        if self.exact && !self.counts.is_empty() {
            // a large exact group: counted at once, as [`TDigest::count_buffer`] would
            *self.counts.entry(value.to_bits()).or_insert(0) += weight;
            self.dirty = true;
            if self.counts.len() > EXACT_LIMIT {
                self.compress_counts();
            }
            return;
        }
        self.buffer.push((value, weight));
        if self.buffer.len() >= BUFFER {
            self.spill();
        }
    }

    /// Empties a full buffer: while exact, into the counts; else into the centroids.
    fn spill(&mut self) {
        if self.exact {
            self.count_buffer();
        } else {
            self.flush();
        }
    }

    /// While exact: moves the buffer (and, when the counts are not in use yet, the sorted
    /// centroids) into the counts, leaving exact mode past [`EXACT_LIMIT`] distinct values.
    fn count_buffer(&mut self) {
        let counts = &mut self.counts;
        let centroids = if counts.is_empty() {
            self.centroids.drain(..)
        } else {
            self.centroids.drain(..0)
        };
        for (v, w) in centroids.chain(self.buffer.drain(..)) {
            *counts.entry(v.to_bits()).or_insert(0) += w;
        }
        self.dirty = true;
        if self.counts.len() > EXACT_LIMIT {
            self.compress_counts();
        }
    }

    /// Leaves exact mode: the counted values become compressed centroids.
    fn compress_counts(&mut self) {
        let mut all: Vec<(T, u64)> = self
            .counts
            .drain()
            .map(|(bits, w)| (T::from_bits(bits), w))
            .collect();
        self.counts = FastMap::default();
        self.dirty = false;
        self.exact = false;
        sort_by_value(&mut all);
        self.widen_ends(&all);
        self.centroids = compress(all, self.total);
    }

    /// Widens the minimum and maximum to the ends of `sorted`.
    fn widen_ends(&mut self, sorted: &[(T, u64)]) {
        if let (Some(first), Some(last)) = (sorted.first(), sorted.last()) {
            let (lo, hi) = (first.0, last.0);
            self.widen(lo);
            self.widen(hi);
        }
    }

    fn widen(&mut self, v: T) {
        self.min = Some(match self.min {
            Some(m) if T::cmp(&m, &v) != Ordering::Greater => m,
            _ => v,
        });
        self.max = Some(match self.max {
            Some(m) if T::cmp(&m, &v) != Ordering::Less => m,
            _ => v,
        });
    }

    /// Merges another digest into this one.
    pub fn merge(&mut self, other: &TDigest<T>) {
        if other.total == 0 {
            return;
        }
        self.total += other.total;
        if self.exact && !other.exact {
            self.count_buffer();
            if self.exact {
                self.compress_counts();
            }
        }
        // other's min/max cover what it has flushed; the rest is scanned below
        for v in [other.min, other.max].into_iter().flatten() {
            self.widen(v);
        }
        // two flushed exact digests (the final phase of an aggregation merging partial
        // states): one pass over the two sorted lists instead of a sort of both
        if self.exact
            && other.exact
            && self.buffer.is_empty()
            && other.buffer.is_empty()
            && self.counts.is_empty()
            && other.counts.is_empty()
        {
            let merged = merge_sorted(&self.centroids, &other.centroids);
            if merged.len() <= EXACT_LIMIT {
                self.centroids = merged;
                return;
            }
        }
        let start = self.buffer.len();
        if other.exact && !other.counts.is_empty() {
            // its centroids are only a snapshot of its counts
            let counts = other.counts.iter();
            self.buffer
                .extend(counts.map(|(b, w)| (T::from_bits(*b), *w)));
        } else {
            self.buffer.extend_from_slice(&other.centroids);
        }
        self.buffer.extend_from_slice(&other.buffer);
        for i in start..self.buffer.len() {
            let v = self.buffer[i].0;
            self.widen(v);
        }
        if self.buffer.len() >= BUFFER {
            self.spill();
        }
    }

    /// Brings the centroids up to date with everything added: sorted, one per distinct value
    /// while exact, else compressed.
    ///
    /// While exact, the values of a small digest are sorted together with its centroids; once
    /// a full buffer has been counted (a large group), the centroids are a sorted snapshot of
    /// the counts. Counting costs far less per value than sorting, and gives the same
    /// centroids.
    pub fn flush(&mut self) {
        if self.exact && !self.counts.is_empty() {
            if !self.buffer.is_empty() {
                self.count_buffer();
            }
            if self.exact && self.dirty {
                self.dirty = false;
                let mut snapshot = std::mem::take(&mut self.centroids);
                snapshot.clear();
                snapshot.extend(self.counts.iter().map(|(b, w)| (T::from_bits(*b), *w)));
                sort_by_value(&mut snapshot);
                self.widen_ends(&snapshot);
                self.centroids = snapshot;
            }
            return;
        }
        if self.buffer.is_empty() {
            return;
        }
        let mut all = std::mem::take(&mut self.centroids);
        all.append(&mut self.buffer);
        sort_by_value(&mut all);
        // centroid means lie within the values seen, so the ends give the new extremes
        self.widen_ends(&all);
        // equal values always share a centroid
        let mut merged: Vec<(T, u64)> = Vec::with_capacity(all.len());
        for (v, w) in all {
            match merged.last_mut() {
                Some(last) if T::cmp(&last.0, &v) == Ordering::Equal => last.1 += w,
                _ => merged.push((v, w)),
            }
        }
        if self.exact && merged.len() <= EXACT_LIMIT {
            self.centroids = merged;
            return;
        }
        self.exact = false;
        self.centroids = compress(merged, self.total);
    }

    /// The flushed centroids (value, weight), sorted.
    pub fn centroids(&mut self) -> &[(T, u64)] {
        self.flush();
        &self.centroids
    }

    /// The P-th percentile (0..=100): nearest rank while exact, else interpolated; the exact
    /// minimum for P ≤ 0 and maximum for P ≥ 100. `None` when empty.
    pub fn percentile(&mut self, p: f64) -> Option<T> {
        self.flush();
        if self.total == 0 || p.is_nan() {
            return None;
        }
        if p <= 0.0 {
            return self.min;
        }
        if p >= 100.0 {
            return self.max;
        }
        let n = self.total as f64;
        if self.exact {
            let rank = ((p / 100.0 * n).ceil()).clamp(1.0, n) as u64;
            let mut cum = 0u64;
            for (v, w) in &self.centroids {
                cum += w;
                if cum >= rank {
                    return Some(*v);
                }
            }
            return self.max;
        }
        let target = p / 100.0 * n;
        let (min, max) = (self.min?, self.max?);
        // knots: (0, min), (centre_i, mean_i)..., (n, max)
        let mut prev = (0.0, min);
        let mut cum = 0.0;
        for (v, w) in &self.centroids {
            let centre = cum + *w as f64 / 2.0;
            if target <= centre {
                return Some(interpolate(prev, (centre, *v), target));
            }
            prev = (centre, *v);
            cum += *w as f64;
        }
        Some(interpolate(prev, (n, max), target))
    }

    /// The number of values ≤ `v` (exact while the digest is exact, else interpolated).
    pub fn rank(&mut self, v: f64) -> u64 {
        self.flush();
        let (Some(min), Some(max)) = (self.min, self.max) else {
            return 0;
        };
        if v < min.to_f64() {
            return 0;
        }
        if v >= max.to_f64() {
            return self.total;
        }
        if self.exact {
            return self
                .centroids
                .iter()
                .take_while(|(c, _)| c.to_f64() <= v)
                .map(|(_, w)| w)
                .sum();
        }
        let n = self.total as f64;
        let mut prev = (0.0, min.to_f64());
        let mut cum = 0.0;
        let knots = self.centroids.iter().map(|(c, w)| {
            let centre = cum + *w as f64 / 2.0;
            cum += *w as f64;
            (centre, c.to_f64())
        });
        for (centre, c) in knots.chain(std::iter::once((n, max.to_f64()))) {
            if v < c {
                let (r0, v0) = prev;
                let t = if c > v0 { (v - v0) / (c - v0) } else { 1.0 };
                return (r0 + (centre - r0) * t).round().clamp(0.0, n) as u64;
            }
            prev = (centre, c);
        }
        self.total
    }

    /// Approximate heap size in bytes.
    pub fn size(&self) -> usize {
        (self.centroids.capacity() + self.buffer.capacity() + self.counts.capacity()) * 16
    }

    /// Serializes (after a flush): exact flag, total, min, max, count, then (value, weight)
    /// pairs, little-endian.
    pub fn to_bytes(&mut self, out: &mut Vec<u8>) {
        self.flush();
        out.reserve(29 + 16 * self.centroids.len());
        out.push(u8::from(self.exact));
        out.extend_from_slice(&self.total.to_le_bytes());
        let (min, max) = (
            self.min.map_or(0, T::to_bits),
            self.max.map_or(0, T::to_bits),
        );
        out.extend_from_slice(&min.to_le_bytes());
        out.extend_from_slice(&max.to_le_bytes());
        out.extend_from_slice(&(self.centroids.len() as u32).to_le_bytes());
        for (v, w) in &self.centroids {
            out.extend_from_slice(&v.to_bits().to_le_bytes());
            out.extend_from_slice(&w.to_le_bytes());
        }
    }

    /// Parses [`TDigest::to_bytes`] output.
    pub fn from_bytes(b: &[u8]) -> Option<TDigest<T>> {
        let u64_at = |i: usize| -> Option<u64> {
            Some(u64::from_le_bytes(b.get(i..i + 8)?.try_into().ok()?))
        };
        let exact = *b.first()? == 1;
        let total = u64_at(1)?;
        let (min, max) = (T::from_bits(u64_at(9)?), T::from_bits(u64_at(17)?));
        let n = u32::from_le_bytes(b.get(25..29)?.try_into().ok()?) as usize;
        if b.len() != 29 + n * 16 {
            return None;
        }
        let mut centroids = Vec::with_capacity(n);
        let mut sum = 0u64;
        for i in 0..n {
            let at = 29 + i * 16;
            let w = u64_at(at + 8)?;
            sum = sum.checked_add(w)?;
            centroids.push((T::from_bits(u64_at(at)?), w));
        }
        if sum != total {
            return None;
        }
        let some = total > 0;
        // exact centroids are one per distinct value, in order, as `to_bytes` writes them;
        // any others go through the buffer, which sorts them and merges repeated values
        let in_order = centroids.windows(2).all(|w| w[0].0.key() < w[1].0.key());
        let (centroids, buffer) = if exact && !in_order {
            (Vec::new(), centroids)
        } else {
            (centroids, Vec::new())
        };
        Some(TDigest {
            centroids,
            buffer,
            counts: FastMap::default(),
            dirty: false,
            total,
            min: some.then_some(min),
            max: some.then_some(max),
            exact,
        })
    }
}

/// The union of two lists sorted by value with one entry per distinct value, the weights of
/// a value in both added.
fn merge_sorted<T: Value>(a: &[(T, u64)], b: &[(T, u64)]) -> Vec<(T, u64)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while let (Some(&x), Some(&y)) = (a.get(i), b.get(j)) {
        match x.0.key().cmp(&y.0.key()) {
            Ordering::Less => {
                out.push(x);
                i += 1;
            }
            Ordering::Greater => {
                out.push(y);
                j += 1;
            }
            Ordering::Equal => {
                out.push((x.0, x.1 + y.1));
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(a.get(i..).unwrap_or_default());
    out.extend_from_slice(b.get(j..).unwrap_or_default());
    out
}

/// Sorts by value (the total order of [`Value::key`]). The digest sorts at most a few
/// thousand pairs at a time; at those sizes the standard unstable sort on the key measured
/// about twice as fast as an 8-bit LSD radix sort (2,000 pairs: 25 µs against 46 µs).
fn sort_by_value<T: Value>(v: &mut [(T, u64)]) {
    v.sort_unstable_by_key(|(x, _)| x.key());
}

fn interpolate<T: Value>(a: (f64, T), b: (f64, T), x: f64) -> T {
    let (xa, va) = a;
    let (xb, vb) = b;
    if xb <= xa {
        return vb;
    }
    T::lerp(va, vb, ((x - xa) / (xb - xa)).clamp(0.0, 1.0))
}

/// One merging pass: adjacent centroids are combined while the combined centroid spans at
/// most one unit of k1.
fn compress<T: Value>(sorted: Vec<(T, u64)>, total: u64) -> Vec<(T, u64)> {
    let n = total as f64;
    let mut out: Vec<(T, u64)> = Vec::with_capacity(COMPRESSION as usize);
    let mut iter = sorted.into_iter();
    let Some(mut cur) = iter.next() else {
        return out;
    };
    let mut done = 0u64; // weight before `cur`
    let mut limit = k1_inv(k1(0.0) + 1.0) * n;
    for (v, w) in iter {
        if (done + cur.1 + w) as f64 <= limit {
            cur = (T::mean(cur.0, cur.1, v, w), cur.1 + w);
        } else {
            done += cur.1;
            out.push(cur);
            limit = k1_inv(k1(done as f64 / n) + 1.0) * n;
            cur = (v, w);
        }
    }
    out.push(cur);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_inputs_are_exact_nearest_rank() {
        // Wikipedia's nearest-rank example (linked from percentiles-aggregation-function.md):
        // {15, 20, 35, 40, 50}: P5 → 15, P30 → 20, P40 → 20, P50 → 35, P100 → 50; P0 → min
        let mut d = TDigest::<i64>::new();
        for v in [50, 15, 40, 20, 35] {
            d.add(v, 1);
        }
        for (p, want) in [
            (5.0, 15),
            (30.0, 20),
            (40.0, 20),
            (50.0, 35),
            (100.0, 50),
            (0.0, 15),
        ] {
            assert_eq!(d.percentile(p), Some(want), "P{p}");
        }
        // tdigest-aggregation-function.md: V = 1.0 (weight 1), 2.0 (weight 2) → P50 = 2
        let mut d = TDigest::<f64>::new();
        d.add(1.0, 1);
        d.add(2.0, 2);
        assert_eq!(d.percentile(50.0), Some(2.0));
        // rank-tdigest-function.md: the rank of 685 in 1..1000 is 685
        let mut d = TDigest::<i64>::new();
        for v in 1..=1000 {
            d.add(v, 1);
        }
        assert_eq!(d.rank(685.0), 685);
        assert_eq!(d.rank(0.0), 0);
        assert_eq!(d.rank(5000.0), 1000);
        assert!(TDigest::<i64>::new().percentile(50.0).is_none());
    }

    #[test]
    fn large_inputs_stay_within_rank_error() {
        // 1..=200000 shuffled deterministically: rank error below 1% (docs: capped at 1%)
        let n = 200_000i64;
        let mut d = TDigest::<i64>::new();
        let mut x = 1u64;
        let mut vals: Vec<i64> = (1..=n).collect();
        for i in (1..vals.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            vals.swap(i, (x % (i as u64 + 1)) as usize);
        }
        for v in &vals {
            d.add(*v, 1);
        }
        assert!(!d.is_exact());
        assert!(d.centroids().len() < 200, "{}", d.centroids().len());
        for p in [1.0, 10.0, 25.0, 50.0, 75.0, 90.0, 99.0, 99.9] {
            let got = d.percentile(p).unwrap() as f64;
            let want = (p / 100.0 * n as f64).ceil();
            assert!(
                (got - want).abs() / (n as f64) < 0.005,
                "P{p}: {got} vs {want}"
            );
        }
        assert_eq!(d.percentile(0.0), Some(1));
        assert_eq!(d.percentile(100.0), Some(n));
        let r = d.rank(50_000.0) as f64;
        assert!((r - 50_000.0).abs() < 0.005 * n as f64, "{r}");
    }

    /// The fraction of `sorted` that is ≤ v.
    fn rank_fraction(sorted: &[f64], v: f64) -> f64 {
        sorted.partition_point(|x| *x <= v) as f64 / sorted.len() as f64
    }

    #[test]
    fn skewed_data_merged_from_many_digests() {
        // a heavy-tailed sample (x = u^-1 − 1 for u uniform in (0, 1]) split over 64 digests
        // merged pairwise in a tree: every percentile's rank stays within 1% (docs' bound)
        let n = 256_000usize;
        let mut s = 0x9e37_79b9_7f4a_7c15u64;
        let mut vals = Vec::with_capacity(n);
        for _ in 0..n {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let u = ((s >> 11) as f64 + 1.0) / (1u64 << 53) as f64;
            vals.push(1.0 / u - 1.0);
        }
        let mut parts: Vec<TDigest<f64>> = vals
            .chunks(n / 64)
            .map(|c| {
                let mut d = TDigest::new();
                for v in c {
                    d.add(*v, 1);
                }
                d
            })
            .collect();
        while parts.len() > 1 {
            parts = parts
                .chunks(2)
                .map(|p| {
                    let mut a = p[0].clone();
                    if let Some(b) = p.get(1) {
                        a.merge(b);
                    }
                    a
                })
                .collect();
        }
        let mut d = parts.pop().unwrap();
        vals.sort_by(f64::total_cmp);
        for p in [0.1, 1.0, 5.0, 25.0, 50.0, 75.0, 95.0, 99.0, 99.9] {
            let got = d.percentile(p).unwrap();
            let r = rank_fraction(&vals, got) * 100.0;
            assert!((r - p).abs() <= 1.0, "P{p}: value {got} has rank {r}");
        }
        assert_eq!(d.percentile(0.0), vals.first().copied());
        assert_eq!(d.percentile(100.0), vals.last().copied());
        assert_eq!(d.count(), n as u64);
    }

    #[test]
    fn sorting_by_key_matches_total_order() {
        let mut x = 12345u64;
        let mut reals: Vec<(f64, u64)> = Vec::new();
        let mut ints: Vec<(i64, u64)> = Vec::new();
        for i in 0..5000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let r = match i % 7 {
                0 => -((x % 1000) as f64) / 7.0,
                1 => 0.0,
                2 => -0.0,
                3 => f64::INFINITY,
                4 => f64::NEG_INFINITY,
                _ => (x >> 11) as f64 * 1e-3,
            };
            reals.push((r, i));
            ints.push((x as i64, i));
        }
        let mut want = reals.clone();
        want.sort_by(|a, b| a.0.total_cmp(&b.0));
        sort_by_value(&mut reals);
        let got: Vec<u64> = reals.iter().map(|p| p.0.to_bits()).collect();
        let exp: Vec<u64> = want.iter().map(|p| p.0.to_bits()).collect();
        assert_eq!(got, exp);
        let mut want = ints.clone();
        want.sort_by_key(|p| p.0);
        sort_by_value(&mut ints);
        let got: Vec<i64> = ints.iter().map(|p| p.0).collect();
        let exp: Vec<i64> = want.iter().map(|p| p.0).collect();
        assert_eq!(got, exp);
    }

    #[test]
    fn exact_counts_after_queries_merges_and_bytes() {
        // a digest queried (its snapshot taken), then added to, then merged: nothing stale
        let mut a = TDigest::<f64>::new();
        for v in [3.0, 1.0, 2.0] {
            a.add(v, 1);
        }
        assert_eq!(a.percentile(50.0), Some(2.0));
        a.add(0.5, 2);
        let mut b = TDigest::<f64>::new();
        b.add(2.0, 1);
        assert_eq!(b.percentile(100.0), Some(2.0));
        b.add(9.0, 1);
        b.merge(&a);
        assert!(b.is_exact());
        assert_eq!(
            b.centroids(),
            &[(0.5, 2), (1.0, 1), (2.0, 2), (3.0, 1), (9.0, 1)]
        );
        assert_eq!((b.min(), b.max(), b.count()), (Some(0.5), Some(9.0), 7));
        // -0.0 and 0.0 are distinct values in the total order
        let mut z = TDigest::<f64>::new();
        z.add(0.0, 1);
        z.add(-0.0, 1);
        assert_eq!(z.centroids().len(), 2);
        // bytes whose exact centroids repeat a value still count it once per weight
        let mut bytes = Vec::new();
        bytes.push(1u8);
        bytes.extend_from_slice(&3u64.to_le_bytes());
        bytes.extend_from_slice(&5.0f64.to_bits().to_le_bytes());
        bytes.extend_from_slice(&5.0f64.to_bits().to_le_bytes());
        bytes.extend_from_slice(&2u32.to_le_bytes());
        for w in [1u64, 2] {
            bytes.extend_from_slice(&5.0f64.to_bits().to_le_bytes());
            bytes.extend_from_slice(&w.to_le_bytes());
        }
        let mut back = TDigest::<f64>::from_bytes(&bytes).expect("valid bytes");
        assert_eq!(back.centroids(), &[(5.0, 3)]);
        // one more distinct value than the exact limit leaves exact mode, with every value
        let mut big = TDigest::<i64>::new();
        for v in 0..=EXACT_LIMIT as i64 {
            big.add(v, 1);
        }
        assert_eq!(big.count(), EXACT_LIMIT as u64 + 1);
        big.flush();
        assert!(!big.is_exact());
        assert_eq!((big.min(), big.max()), (Some(0), Some(EXACT_LIMIT as i64)));
    }

    #[test]
    fn large_groups_are_counted_exactly() {
        // more values than the buffer holds, over few distinct values: the counts are used
        let value = |i: usize| ((i * 7919) % 1000) as f64 / 4.0;
        let mut d = TDigest::<f64>::new();
        for i in 0..3 * BUFFER + 5 {
            d.add(value(i), 1);
        }
        let mut want = std::collections::BTreeMap::<u64, u64>::new();
        for i in 0..3 * BUFFER + 5 {
            *want.entry(value(i).key()).or_insert(0) += 1;
        }
        let want: Vec<(f64, u64)> = want
            .iter()
            .map(|(k, w)| {
                let v = (0..1000).map(|i| i as f64 / 4.0).find(|v| v.key() == *k);
                (v.expect("a generated value"), *w)
            })
            .collect();
        assert_eq!(d.centroids(), want.as_slice());
        assert!(d.is_exact());
        // the nearest rank: sorted[ceil(0.5·n) − 1]
        let mut sorted: Vec<f64> = (0..3 * BUFFER + 5).map(value).collect();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        assert_eq!(d.percentile(50.0), Some(sorted[n.div_ceil(2) - 1]));
        // values added after a query, then merged with a small digest
        d.add(1e6, 3);
        let mut small = TDigest::<f64>::new();
        small.add(-1.0, 1);
        small.merge(&d);
        assert_eq!(small.count(), n as u64 + 4);
        assert_eq!((small.min(), small.max()), (Some(-1.0), Some(1e6)));
        assert_eq!(small.centroids().len(), want.len() + 2);
        let mut bytes = Vec::new();
        small.to_bytes(&mut bytes);
        let back = TDigest::<f64>::from_bytes(&bytes).expect("round trip");
        assert!(back == small);
    }

    /// Partial digests sent as bytes and merged (the final phase of an aggregation) hold what
    /// one digest of every value holds: exact while the union has at most EXACT_LIMIT distinct
    /// values, with -0.0 and 0.0 apart, and compressed past it.
    #[test]
    fn merged_partial_states_equal_one_digest_of_all_values() {
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            seed >> 33
        };
        for distinct in [1u64, 5, 300, 1000, 1500, 2100, 5000] {
            for parts in [1usize, 2, 4, 7] {
                let mut all = TDigest::<f64>::new();
                let mut partial: Vec<TDigest<f64>> = (0..parts).map(|_| TDigest::new()).collect();
                for i in 0..3000 {
                    let v = match next() % distinct {
                        0 => -0.0,
                        1 => 0.0,
                        k => k as f64 / 8.0 - 40.0,
                    };
                    let w = 1 + next() % 3;
                    all.add(v, w);
                    if let Some(p) = partial.get_mut(i % parts) {
                        p.add(v, w);
                    }
                }
                let mut merged = TDigest::<f64>::new();
                for p in &mut partial {
                    let mut bytes = Vec::new();
                    p.to_bytes(&mut bytes);
                    let back = TDigest::<f64>::from_bytes(&bytes).expect("round trip");
                    merged.merge(&back);
                }
                assert_eq!(merged.count(), all.count(), "{distinct} {parts}");
                assert_eq!((merged.min(), merged.max()), (all.min(), all.max()));
                assert_eq!(merged.is_exact(), all.is_exact(), "{distinct} {parts}");
                if all.is_exact() {
                    assert_eq!(merged.centroids(), all.centroids(), "{distinct} {parts}");
                }
                for p in [0.0, 1.0, 25.0, 50.0, 90.0, 99.0, 100.0] {
                    let (m, a) = (merged.percentile(p), all.percentile(p));
                    if all.is_exact() {
                        assert_eq!(m, a, "P{p}, {distinct} distinct, {parts} parts");
                    } else {
                        // compressed: within 1% of the rank
                        let (m, a) = (m.unwrap_or(f64::NAN), a.unwrap_or(f64::NAN));
                        let (rm, ra) = (all.rank(m) as f64, all.rank(a) as f64);
                        assert!((rm - ra).abs() <= 0.01 * all.count() as f64 + 1.0, "P{p}");
                    }
                }
            }
        }
    }

    #[test]
    fn merge_and_bytes() {
        let mut a = TDigest::<f64>::new();
        let mut b = TDigest::<f64>::new();
        for i in 0..30_000 {
            a.add(f64::from(i) * 0.5, 1);
            b.add(f64::from(i) * 0.25, 2);
        }
        let mut m = a.clone();
        m.merge(&b);
        assert_eq!(m.count(), 90_000);
        let mut bytes = Vec::new();
        m.to_bytes(&mut bytes);
        let mut back = TDigest::<f64>::from_bytes(&bytes).unwrap();
        assert_eq!(back.percentile(50.0), m.percentile(50.0));
        assert_eq!(back.min(), Some(0.0));
        assert_eq!(back.max(), Some(14_999.5));
        assert!(TDigest::<f64>::from_bytes(&bytes[..bytes.len() - 1]).is_none());
        // integers: merged means stay integers, datetimes (large i64) stay exact
        let mut d = TDigest::<i64>::new();
        let base = 1_170_000_000_000_000_123i64;
        d.add(base, 1);
        d.add(base + 1, 3);
        assert_eq!(d.percentile(50.0), Some(base + 1));
        assert_eq!(i64::mean(1, 1, 2, 1), 2);
        // extremes still in an unflushed buffer survive a merge
        let mut a = TDigest::<i64>::new();
        let mut b = TDigest::<i64>::new();
        a.add(5, 1);
        b.add(-3, 1);
        b.add(100, 2);
        a.merge(&b);
        assert_eq!((a.min(), a.max(), a.count()), (Some(-3), Some(100), 4));
        assert_eq!(a.percentile(50.0), Some(5));
        assert_eq!(i64::mean(-1, 1, -2, 1), -2);
    }
}
