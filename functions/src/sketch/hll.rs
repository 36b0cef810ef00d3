//! A HyperLogLog distinct-count sketch with Kusto's accuracy levels
//! (`includes/estimation-accuracy.md`):
//!
//! | accuracy | registers (1-byte) | precision p | 1.04/√m |
//! |---|---|---|---|
//! | 0 | 2^12 | 12 | 1.63 % |
//! | 1 (default) | 2^14 | 14 | 0.81 % |
//! | 2 | 2^16 | 16 | 0.41 % |
//! | 3 | 2^17 | 17 | 0.29 % |
//! | 4 | 2^18 | 18 | 0.20 % |
//!
//! The register counts are the documented "entry counts"; the standard error of HyperLogLog
//! with m registers, 1.04/√m, reproduces the documented error column.
//!
//! **Small cardinalities are exact.** The docs say Kusto counts exactly up to 1000 values at
//! accuracy 1 and 8000 at accuracy 2. The sketch starts in a *sparse* mode that keeps the
//! distinct 64-bit hashes themselves and reports their number; it switches to the dense
//! registers once it holds more than [`sparse_limit`] hashes (1024 at accuracy 1 and 8192 at
//! accuracy 2, so at least the documented counts; the docs are silent for 0, 3 and 4, where we
//! switch when the hashes would take as much memory as the registers: m/8 hashes). "Exact"
//! means up to 64-bit hash collisions, which are negligible at these sizes.
//!
//! **Deterministic and mergeable.** The sketch's state is a function of the *set* of hashes
//! it has seen: sparse holds that set; dense holds, per register, the maximum rank over the
//! set; and the mode is dense exactly when the set (as far as the sketch knows it) exceeded
//! the limit. So insertion order, partitioning and merge order do not change the result, and
//! merging is associative and commutative.
//!
//! The dense estimate is Otmar Ertl's "improved raw estimator" (*New cardinality estimation
//! algorithms for HyperLogLog sketches*, 2017), computed from the histogram of register
//! values; it is nearly unbiased over the whole range, so no empirical bias tables or
//! linear-counting switch-over are needed.
//!
//! The serialized bytes are this engine's own format and are **not compatible with Kusto's
//! `hll()` values**.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// The highest accuracy level.
pub const MAX_ACCURACY: u8 = 4;

/// Register index bits for an accuracy level (0..=4).
pub fn precision(accuracy: u8) -> u32 {
    match accuracy {
        0 => 12,
        1 => 14,
        2 => 16,
        3 => 17,
        _ => 18,
    }
}

/// The number of distinct hashes kept exactly before switching to registers.
pub fn sparse_limit(accuracy: u8) -> usize {
    match accuracy {
        0 => 512,
        1 => 1024,
        2 => 8192,
        3 => 16_384,
        _ => 32_768,
    }
}

/// The values are already hashes: use them as their own hash in the sparse set.
#[derive(Default)]
pub(crate) struct IdentityHasher(u64);

impl Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

type HashSet64 = HashSet<u64, BuildHasherDefault<IdentityHasher>>;

#[derive(Clone, Debug, PartialEq)]
enum Mode {
    Sparse(HashSet64),
    Dense(Vec<u8>),
}

/// A HyperLogLog sketch (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct Hll {
    accuracy: u8,
    mode: Mode,
}

const MAGIC: u8 = b'H';
const VERSION: u8 = 1;

impl Hll {
    /// An empty sketch; `accuracy` must be 0..=4.
    pub fn new(accuracy: u8) -> Hll {
        Hll {
            accuracy: accuracy.min(MAX_ACCURACY),
            mode: Mode::Sparse(HashSet64::default()),
        }
    }

    pub fn accuracy(&self) -> u8 {
        self.accuracy
    }

    fn p(&self) -> u32 {
        precision(self.accuracy)
    }

    /// True when no value has been added.
    pub fn is_empty(&self) -> bool {
        match &self.mode {
            Mode::Sparse(set) => set.is_empty(),
            Mode::Dense(regs) => regs.iter().all(|r| *r == 0),
        }
    }

    /// True while the sketch still counts exactly.
    pub fn is_sparse(&self) -> bool {
        matches!(self.mode, Mode::Sparse(_))
    }

    /// Adds one 64-bit hash.
    pub fn insert(&mut self, hash: u64) {
        let p = self.p();
        match &mut self.mode {
            Mode::Sparse(set) => {
                set.insert(hash);
                if set.len() > sparse_limit(self.accuracy) {
                    self.densify();
                }
            }
            Mode::Dense(regs) => update_register(regs, p, hash),
        }
    }

    fn densify(&mut self) {
        let p = self.p();
        if let Mode::Sparse(set) = &self.mode {
            let mut regs = vec![0u8; 1usize << p];
            for h in set {
                update_register(&mut regs, p, *h);
            }
            self.mode = Mode::Dense(regs);
        }
    }

    /// Merges `other` into `self`; both must have the same accuracy.
    pub fn merge(&mut self, other: &Hll) -> Result<(), String> {
        if other.accuracy != self.accuracy {
            return Err(format!(
                "cannot merge hll values of different accuracy ({} and {})",
                self.accuracy, other.accuracy
            ));
        }
        match &other.mode {
            Mode::Sparse(set) => {
                for h in set {
                    self.insert(*h);
                }
            }
            Mode::Dense(theirs) => {
                self.densify();
                if let Mode::Dense(mine) = &mut self.mode {
                    for (a, b) in mine.iter_mut().zip(theirs) {
                        *a = (*a).max(*b);
                    }
                }
            }
        }
        Ok(())
    }

    /// The estimated number of distinct values (exact in sparse mode).
    pub fn estimate(&self) -> f64 {
        match &self.mode {
            Mode::Sparse(set) => set.len() as f64,
            Mode::Dense(regs) => ertl_estimate(regs, self.p()),
        }
    }

    /// The estimate rounded to a count.
    pub fn count(&self) -> i64 {
        self.estimate().round() as i64
    }

    /// Approximate heap size in bytes.
    pub fn size(&self) -> usize {
        match &self.mode {
            Mode::Sparse(set) => set.capacity() * 9,
            Mode::Dense(regs) => regs.len(),
        }
    }

    /// Serializes: magic, version, accuracy, mode (0 sparse: count u32 + sorted u64 hashes;
    /// 1 dense: the registers), little-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![MAGIC, VERSION, self.accuracy];
        match &self.mode {
            Mode::Sparse(set) => {
                let mut v: Vec<u64> = set.iter().copied().collect();
                v.sort_unstable();
                out.push(0);
                out.extend_from_slice(&(v.len() as u32).to_le_bytes());
                for h in v {
                    out.extend_from_slice(&h.to_le_bytes());
                }
            }
            Mode::Dense(regs) => {
                out.push(1);
                out.extend_from_slice(regs);
            }
        }
        out
    }

    /// Parses [`Hll::to_bytes`] output.
    pub fn from_bytes(b: &[u8]) -> Result<Hll, String> {
        let bad = || "not an hll value produced by this engine".to_string();
        let [magic, version, accuracy, mode, rest @ ..] = b else {
            return Err(bad());
        };
        if *magic != MAGIC || *version != VERSION || *accuracy > MAX_ACCURACY {
            return Err(bad());
        }
        let mut h = Hll::new(*accuracy);
        match mode {
            0 => {
                let (n, hashes) = rest.split_at_checked(4).ok_or_else(bad)?;
                let n = u32::from_le_bytes(n.try_into().map_err(|_| bad())?) as usize;
                if hashes.len() != n * 8 || n > sparse_limit(*accuracy) {
                    return Err(bad());
                }
                let mut set = HashSet64::with_capacity_and_hasher(n, Default::default());
                for c in hashes.chunks_exact(8) {
                    set.insert(u64::from_le_bytes(c.try_into().map_err(|_| bad())?));
                }
                h.mode = Mode::Sparse(set);
            }
            1 => {
                let m = 1usize << precision(*accuracy);
                let q = 64 - precision(*accuracy) + 1;
                if rest.len() != m || rest.iter().any(|r| u32::from(*r) > q) {
                    return Err(bad());
                }
                h.mode = Mode::Dense(rest.to_vec());
            }
            _ => return Err(bad()),
        }
        Ok(h)
    }
}

/// Register index: the top p bits; value: 1 + the number of leading zeros of the remaining
/// 64 − p bits (64 − p + 1 when they are all zero).
fn update_register(regs: &mut [u8], p: u32, hash: u64) {
    let idx = (hash >> (64 - p)) as usize;
    let rest = hash << p;
    let rank = if rest == 0 {
        64 - p + 1
    } else {
        rest.leading_zeros() + 1
    };
    if let Some(r) = regs.get_mut(idx)
        && (rank as u8) > *r
    {
        *r = rank as u8;
    }
}

/// σ(x) of Ertl's estimator: x + Σ_{k≥1} x^(2^k) 2^(k−1).
fn sigma(mut x: f64) -> f64 {
    if x >= 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let prev = z;
        z += x * y;
        y += y;
        if z == prev {
            return z;
        }
    }
}

/// τ(x) of Ertl's estimator: (1 − x − Σ_{k≥1} (1 − x^(2^−k))² 2^−k) / 3.
fn tau(mut x: f64) -> f64 {
    if x <= 0.0 || x >= 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let prev = z;
        y *= 0.5;
        z -= (1.0 - x).powi(2) * y;
        if z == prev {
            return z / 3.0;
        }
    }
}

/// Ertl's improved raw estimator over the register histogram.
fn ertl_estimate(regs: &[u8], p: u32) -> f64 {
    let q = (64 - p) as usize;
    let m = regs.len() as f64;
    let mut c = vec![0u64; q + 2];
    for r in regs {
        if let Some(slot) = c.get_mut(usize::from(*r)) {
            *slot += 1;
        }
    }
    let mut z = m * tau(1.0 - c[q + 1] as f64 / m);
    for k in (1..=q).rev() {
        z = 0.5 * (z + c[k] as f64);
    }
    z += m * sigma(c[0] as f64 / m);
    let alpha_inf = 1.0 / (2.0 * std::f64::consts::LN_2);
    alpha_inf * m * m / z
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(i: u64) -> u64 {
        twox_hash::XxHash64::oneshot(0, &i.to_le_bytes())
    }

    #[test]
    fn exact_while_sparse() {
        // docs: accuracy 1 counts exactly up to 1000 values, accuracy 2 up to 8000
        let mut s = Hll::new(1);
        for i in 0..1000 {
            s.insert(h(i));
            s.insert(h(i));
        }
        assert!(s.is_sparse());
        assert_eq!(s.count(), 1000);
        let mut s = Hll::new(2);
        for i in 0..8000 {
            s.insert(h(i));
        }
        assert_eq!(s.count(), 8000);
    }

    #[test]
    fn dense_error_within_three_sigma() {
        // documented sigma per accuracy; 99.7% of estimates lie within 3 sigma
        for (acc, sigma) in [
            (0u8, 0.016),
            (1, 0.008),
            (2, 0.004),
            (3, 0.0028),
            (4, 0.002),
        ] {
            for n in [5_000u64, 50_000, 300_000] {
                let mut s = Hll::new(acc);
                for i in 0..n {
                    s.insert(h(i + 1_000_000 * u64::from(acc)));
                }
                let err = (s.estimate() - n as f64).abs() / n as f64;
                assert!(
                    err < 3.0 * sigma,
                    "acc {acc} n {n}: {} err {err}",
                    s.count()
                );
            }
        }
    }

    #[test]
    fn no_jump_past_the_sparse_limit() {
        // right after switching to registers the estimate is still within 3 sigma
        for (acc, sigma) in [
            (0u8, 0.016),
            (1, 0.008),
            (2, 0.004),
            (3, 0.0028),
            (4, 0.002),
        ] {
            let n = sparse_limit(acc) as u64 + 1;
            let mut s = Hll::new(acc);
            for i in 0..n {
                s.insert(h(i + 7_000_000));
            }
            assert!(!s.is_sparse());
            let err = (s.estimate() - n as f64).abs() / n as f64;
            assert!(
                err < 3.0 * sigma,
                "acc {acc} n {n}: {} err {err}",
                s.count()
            );
        }
    }

    #[test]
    fn merge_is_order_independent_and_round_trips() {
        let mut a = Hll::new(1);
        let mut b = Hll::new(1);
        let mut c = Hll::new(1);
        for i in 0..3000 {
            a.insert(h(i));
        }
        for i in 2000..2500 {
            b.insert(h(i));
        }
        for i in 2400..9000 {
            c.insert(h(i));
        }
        let mut ab_c = a.clone();
        ab_c.merge(&b).unwrap();
        ab_c.merge(&c).unwrap();
        let mut bc = b.clone();
        bc.merge(&c).unwrap();
        let mut a_bc = a.clone();
        a_bc.merge(&bc).unwrap();
        let mut cba = c.clone();
        cba.merge(&b).unwrap();
        cba.merge(&a).unwrap();
        assert_eq!(ab_c, a_bc);
        assert_eq!(ab_c, cba);
        let mut whole = Hll::new(1);
        for i in (0..9000).rev() {
            whole.insert(h(i));
        }
        assert_eq!(whole, ab_c);
        assert_eq!(Hll::from_bytes(&whole.to_bytes()).unwrap(), whole);
        assert_eq!(Hll::from_bytes(&b.to_bytes()).unwrap(), b);
        assert!(Hll::new(2).merge(&a).is_err());
        assert!(Hll::from_bytes(b"xyz").is_err());
    }

    #[test]
    fn empty_and_tiny() {
        assert_eq!(Hll::new(0).count(), 0);
        assert!(Hll::new(0).is_empty());
        let mut s = Hll::new(4);
        s.insert(7);
        assert_eq!(s.count(), 1);
    }
}
