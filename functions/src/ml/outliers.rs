//! `series_outliers` (series-outliers-function.md; ml-operators.md §10): Tukey's fence test
//! scores, also the scoring step of `series_decompose_anomalies`.
//!
//! With `P_lo`, `P_hi` the chosen percentiles of the scored values and `IQR = P_hi − P_lo`, a
//! value `x` scores `F·(x − P_hi)/IQR` above `P_hi`, `F·(x − P_lo)/IQR` below `P_lo` and 0
//! in between.
//! - `tukey`: the 25th/75th percentiles and `F = 1`, so the score is "how many IQRs outside the
//!   box" (1.5 is Tukey's mild fence, 3 the strong one, as the docs describe).
//! - `ctukey` (the default): the 10th/90th percentiles (or custom ones in [2, 98]) and a factor
//!   rescaling the score to the standard Tukey scale for normally distributed data. For
//!   10/90 the factor is the one measured from Kusto's own output
//!   ([`CTUKEY_FACTOR_10_90`], ml-operators.md §10 [DOC-NUM]); for other percentiles it is the
//!   normal-model factor `1.5·(z(ph) − z(pl)) / (4·z(0.75) − z(ph))` scaled by the same ratio
//!   that maps the model's 10/90 value onto the measured one (ml-operators.md §10 [CHOICE];
//!   parity with Kusto is unverified there).
//! - Percentiles interpolate linearly between order statistics (position `p/100·(m−1)`, numpy's
//!   default), ml-operators.md §10 [MAINT].
//! - Null and NaN elements, and elements equal to `ignore_val`, score 0 and take no part in the
//!   percentiles (the docs). A zero IQR (e.g. a constant series) scores every point 0
//!   (ml-operators.md §10 [CHOICE]; the docs are silent).

/// The ctukey factor for the default 10th/90th percentiles, measured from Kusto's output.
pub const CTUKEY_FACTOR_10_90: f64 = 2.772_605_605_507_915;

/// The outlier test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OutlierKind {
    /// 25th/75th percentiles, factor 1.
    Tukey,
    /// Custom percentiles (defaults 10/90) with the rescaling factor.
    CTukey {
        min_percentile: f64,
        max_percentile: f64,
    },
}

impl OutlierKind {
    /// `ctukey` with the default percentiles.
    pub const DEFAULT: OutlierKind = OutlierKind::CTukey {
        min_percentile: 10.0,
        max_percentile: 90.0,
    };

    /// The kind named `name` (`"tukey"` or `"ctukey"`, case-sensitive like Kusto's string
    /// parameters) with the given percentiles (ctukey only). `Err` with a message for an
    /// unknown kind or percentiles outside [2, 98] (the documented range) or not increasing.
    pub fn parse(name: &str, min_percentile: f64, max_percentile: f64) -> Result<Self, String> {
        match name {
            "tukey" => Ok(OutlierKind::Tukey),
            "ctukey" => {
                let ok = |p: f64| (2.0..=98.0).contains(&p);
                if !ok(min_percentile) || !ok(max_percentile) {
                    return Err(format!(
                        "series_outliers: percentiles must be in [2, 98], got {min_percentile} and {max_percentile}"
                    ));
                }
                if min_percentile >= max_percentile {
                    return Err(format!(
                        "series_outliers: min_percentile ({min_percentile}) must be below max_percentile ({max_percentile})"
                    ));
                }
                Ok(OutlierKind::CTukey {
                    min_percentile,
                    max_percentile,
                })
            }
            other => Err(format!(
                "series_outliers: unknown kind '{other}' (expected \"tukey\" or \"ctukey\")"
            )),
        }
    }

    /// (low percentile, high percentile, factor).
    pub fn parameters(self) -> (f64, f64, f64) {
        match self {
            OutlierKind::Tukey => (25.0, 75.0, 1.0),
            OutlierKind::CTukey {
                min_percentile,
                max_percentile,
            } => (
                min_percentile,
                max_percentile,
                ctukey_factor(min_percentile, max_percentile),
            ),
        }
    }
}

/// The ctukey factor for percentiles `pl` < `ph` (see the module comment).
pub fn ctukey_factor(pl: f64, ph: f64) -> f64 {
    if pl == 10.0 && ph == 90.0 {
        return CTUKEY_FACTOR_10_90;
    }
    let model = |pl: f64, ph: f64| {
        let (zl, zh) = (normal_quantile(pl / 100.0), normal_quantile(ph / 100.0));
        1.5 * (zh - zl) / (4.0 * normal_quantile(0.75) - zh)
    };
    model(pl, ph) * (CTUKEY_FACTOR_10_90 / model(10.0, 90.0))
}

/// The standard normal quantile (Acklam's rational approximation, relative error below
/// 1.2e-9; enough for a factor whose parity with Kusto is unverified anyway).
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    const P_LOW: f64 = 0.02425;
    if p < P_LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - P_LOW {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

/// The `p`-th percentile (0..=100) of sorted, non-empty `v` by linear interpolation between
/// order statistics.
pub fn percentile_sorted(v: &[f64], p: f64) -> f64 {
    let m = v.len();
    if m == 0 {
        return f64::NAN;
    }
    let pos = p / 100.0 * (m - 1) as f64;
    let lo = pos.floor();
    let i = lo as usize;
    if i + 1 >= m {
        return v[m - 1];
    }
    let frac = pos - lo;
    v[i] + (v[i + 1] - v[i]) * frac
}

/// Percentile fences with the score factor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fences {
    pub lo: f64,
    pub hi: f64,
    pub factor: f64,
    pub iqr: f64,
}

/// The same percentile as [`percentile_sorted`] of unsorted, non-empty `v` by selection
/// (O(n); `v` is reordered).
pub fn percentile_select(v: &mut [f64], p: f64) -> f64 {
    let m = v.len();
    if m == 0 {
        return f64::NAN;
    }
    let pos = p / 100.0 * (m - 1) as f64;
    let lo = pos.floor();
    let i = (lo as usize).min(m - 1);
    let (_, &mut a, right) = v.select_nth_unstable_by(i, f64::total_cmp);
    let frac = pos - lo;
    match right.iter().copied().min_by(f64::total_cmp) {
        Some(b) if frac > 0.0 => a + (b - a) * frac,
        _ => a,
    }
}

/// Reusable buffers for [`outlier_scores`].
#[derive(Default)]
pub struct OutlierScratch {
    sorted: Vec<f64>,
}

/// Whether element `x` is scored (not null/NaN and not the ignore value).
fn counted(x: Option<f64>, ignore: Option<f64>) -> Option<f64> {
    x.filter(|v| !v.is_nan() && ignore != Some(*v))
}

/// The fences `(P_lo, P_hi, F, IQR)` learned from `learn`, or `None` when no value is counted
/// or the IQR is 0.
pub fn fences(
    learn: impl Iterator<Item = Option<f64>>,
    ignore: Option<f64>,
    kind: OutlierKind,
    scratch: &mut OutlierScratch,
) -> Option<Fences> {
    scratch.sorted.clear();
    scratch
        .sorted
        .extend(learn.filter_map(|x| counted(x, ignore)));
    if scratch.sorted.is_empty() {
        return None;
    }
    let (pl, ph, factor) = kind.parameters();
    let lo = percentile_select(&mut scratch.sorted, pl);
    let hi = percentile_select(&mut scratch.sorted, ph);
    let iqr = hi - lo;
    // a zero (or non-finite) IQR: no point is an outlier
    (iqr > 0.0 && iqr.is_finite()).then_some(Fences {
        lo,
        hi,
        factor,
        iqr,
    })
}

/// The score of `x` against fences from [`fences`].
#[inline]
pub fn score(x: Option<f64>, ignore: Option<f64>, fences: Option<Fences>) -> f64 {
    let (Some(x), Some(f)) = (counted(x, ignore), fences) else {
        return 0.0;
    };
    if x > f.hi {
        f.factor * (x - f.hi) / f.iqr
    } else if x < f.lo {
        f.factor * (x - f.lo) / f.iqr
    } else {
        0.0
    }
}

/// `series_outliers` of `values` (nulls as `None`), percentiles learned from the first
/// `learn` elements (all of them for `series_outliers`; the learning prefix for
/// `series_decompose_anomalies`). Scores are written to `out` (cleared first).
pub fn outlier_scores(
    values: &[Option<f64>],
    learn: usize,
    ignore: Option<f64>,
    kind: OutlierKind,
    scratch: &mut OutlierScratch,
    out: &mut Vec<f64>,
) {
    out.clear();
    let learn = learn.min(values.len());
    let f = fences(values[..learn].iter().copied(), ignore, kind, scratch);
    out.extend(values.iter().map(|&x| score(x, ignore, f)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(v: &[f64], kind: OutlierKind) -> Vec<f64> {
        let vals: Vec<Option<f64>> = v.iter().map(|&x| Some(x)).collect();
        let mut out = Vec::new();
        outlier_scores(
            &vals,
            vals.len(),
            None,
            kind,
            &mut OutlierScratch::default(),
            &mut out,
        );
        out
    }

    #[test]
    fn maintainer_example_ctukey() {
        // ml-operators.md §10 [DOC-NUM]: p10 = 2.7, p90 = 11 (numpy linear percentiles), IQR
        // 8.3; -3 → F·(-3 − 2.7)/8.3, 15 → F·4/8.3, 16 → F·5/8.3, 2.4 → F·(−0.3)/8.3
        let x = [
            -3.0, 2.4, 15.0, 3.9, 5.0, 6.0, 4.5, 5.2, 3.0, 4.0, 5.0, 16.0, 7.0, 5.0, 5.0, 4.0,
        ];
        let s = scores(&x, OutlierKind::DEFAULT);
        let want = [
            (0, -1.904_078_548_360_857),
            (1, -0.100_214_660_440_045_2),
            (2, 1.336_195_472_533_934_7),
            (11, 1.670_244_340_667_418_3),
        ];
        for (i, w) in want {
            assert!((s[i] - w).abs() < 1e-12, "{i}: {} vs {w}", s[i]);
        }
        assert_eq!(s.iter().filter(|v| **v != 0.0).count(), 4);
    }

    #[test]
    fn selection_matches_sorting() {
        let mut next = 12345u64;
        for m in 1..60 {
            let v: Vec<f64> = (0..m)
                .map(|_| {
                    next = next
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((next >> 33) % 1000) as f64 / 7.0
                })
                .collect();
            let mut sorted = v.clone();
            sorted.sort_unstable_by(f64::total_cmp);
            for p in [2.0, 10.0, 25.0, 50.0, 75.0, 90.0, 98.0, 100.0] {
                let mut w = v.clone();
                assert_eq!(
                    percentile_select(&mut w, p),
                    percentile_sorted(&sorted, p),
                    "{m} {p}"
                );
            }
        }
    }

    #[test]
    fn tukey_quartiles() {
        // 1..=9 and 100: sorted positions 0..9; p25 at 2.25 → 3.25, p75 at 6.75 → 7.75,
        // IQR 4.5; 100 → (100 − 7.75)/4.5 = 20.5
        let mut x: Vec<f64> = (1..=9).map(f64::from).collect();
        x.push(100.0);
        let s = scores(&x, OutlierKind::Tukey);
        assert!((s[9] - 20.5).abs() < 1e-12);
        assert_eq!(s[0], (1.0 - 3.25) / 4.5);
        assert_eq!(s[4], 0.0);
    }

    #[test]
    fn nulls_ignore_values_and_zero_iqr() {
        let vals = vec![Some(1.0), None, Some(-1.0), Some(1.0), Some(50.0)];
        let mut out = Vec::new();
        let mut sc = OutlierScratch::default();
        outlier_scores(&vals, 5, Some(-1.0), OutlierKind::Tukey, &mut sc, &mut out);
        // counted: 1, 1, 50 → p25 1, p75 25.5, IQR 24.5; 50 → 24.5/24.5 = 1
        assert_eq!(out, vec![0.0, 0.0, 0.0, 0.0, 1.0]);
        let flat = scores(&[3.0; 10], OutlierKind::DEFAULT);
        assert!(flat.iter().all(|v| *v == 0.0));
    }

    #[test]
    fn custom_percentile_factor_and_errors() {
        assert_eq!(ctukey_factor(10.0, 90.0), CTUKEY_FACTOR_10_90);
        // the scaled normal model is continuous around the default
        let near = ctukey_factor(10.0, 90.000_001);
        assert!((near - CTUKEY_FACTOR_10_90).abs() < 1e-5, "{near}");
        assert!((normal_quantile(0.75) - 0.674_489_750_196_081_7).abs() < 1e-8);
        assert!((normal_quantile(0.01) + 2.326_347_874_040_841).abs() < 1e-8);
        assert!(OutlierKind::parse("ctukey", 1.0, 90.0).is_err());
        assert!(OutlierKind::parse("ctukey", 50.0, 40.0).is_err());
        assert!(OutlierKind::parse("iqr", 10.0, 90.0).is_err());
        assert_eq!(
            OutlierKind::parse("tukey", 1.0, 99.0),
            Ok(OutlierKind::Tukey)
        );
    }
}
