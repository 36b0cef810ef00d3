//! `series_seasonal`, `series_decompose`, `series_decompose_anomalies` and
//! `series_decompose_forecast` (their docs pages; ml-operators.md §12–§15).
//!
//! The docs' steps: the seasonal component is the median of the points of the same phase
//! (computed on the series itself, not a detrended one), the trend is extracted from the
//! deseasonalized series (`avg`: its mean, `linefit`: a least-squares line at x = 1..n,
//! `none`: 0), baseline = seasonal + trend and residual = x − baseline. Anomaly scores are
//! `series_outliers` of the residual and flags compare them with the threshold.
//!
//! This reproduces Log Analytics' own output for msticpy's TimeSeriesDemo (840 hourly points,
//! period 168, `linefit`): baseline to the unit the export rounded to, scores to 1e-13.
//!
//! Choices where the docs are silent (ml-operators.md §12–§15 [INFER]/[CHOICE]; also in
//! ARCHITECTURE.md "Anomaly detection choices"):
//! - `test_points` excludes the last points from learning: the medians, the mean, the line and
//!   the anomaly percentiles use the first n − test_points points; the components are then
//!   extended over the whole series (the seasonal tiled forward, the line extrapolated).
//! - Seasonality −1 autodetects on the learning points with periods in [4, L/2] and keeps the
//!   best period when its score reaches the threshold ([`super::periods::autodetect`]);
//!   a period is used only when the learning part holds at least two full cycles (else the
//!   seasonal component is 0); 0 and other negative values mean no seasonality.
//! - A non-finite value (null, NaN, ±inf) among the learning points gives no decomposition
//!   (a null result); a non-finite test point only makes its own residual NaN.

use super::fit::fit_line;
use super::outliers::{OutlierKind, OutlierScratch, fences, score};
use super::periods::{PeriodScratch, autodetect};

/// How the trend component is extracted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trend {
    /// The mean of the deseasonalized learning points (the default).
    Avg,
    /// A least-squares line through the deseasonalized learning points.
    LineFit,
    /// No trend (0).
    None,
}

impl Trend {
    /// `avg`, `linefit` or `none`.
    pub fn parse(s: &str) -> Option<Trend> {
        match s {
            "avg" => Some(Trend::Avg),
            "linefit" => Some(Trend::LineFit),
            "none" => Some(Trend::None),
            _ => None,
        }
    }
}

/// The parameters shared by the decomposition functions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DecomposeParams {
    /// −1: autodetect; a positive period in bins; 0 (or another negative): none.
    pub seasonality: i64,
    pub trend: Trend,
    /// The number of trailing points excluded from learning.
    pub test_points: usize,
    /// The minimum autodetection score.
    pub seasonality_threshold: f64,
}

impl Default for DecomposeParams {
    /// The documented defaults: −1, `avg`, 0, 0.6.
    fn default() -> Self {
        DecomposeParams {
            seasonality: -1,
            trend: Trend::Avg,
            test_points: 0,
            seasonality_threshold: 0.6,
        }
    }
}

/// The four components (all of the input's length).
#[derive(Default, Debug)]
pub struct Decomposition {
    pub baseline: Vec<f64>,
    pub seasonal: Vec<f64>,
    pub trend: Vec<f64>,
    pub residual: Vec<f64>,
    /// The period used (0: none).
    pub period: usize,
}

/// Reusable buffers.
#[derive(Default)]
pub struct DecomposeScratch {
    pub periods: PeriodScratch,
    pub outliers: OutlierScratch,
    phase: Vec<f64>,
    medians: Vec<f64>,
    line: Vec<f64>,
    deseasonal: Vec<f64>,
}

/// The median of `v` (reordered); the mean of the two middle values for an even count.
fn median(v: &mut [f64]) -> f64 {
    let m = v.len();
    if m == 0 {
        return 0.0;
    }
    v.sort_unstable_by(f64::total_cmp);
    if m % 2 == 1 {
        v[m / 2]
    } else {
        (v[m / 2 - 1] + v[m / 2]) / 2.0
    }
}

/// Writes the per-phase medians of `learn` for period `p`, tiled over `n` points, to `out`.
fn seasonal_medians(
    learn: &[f64],
    p: usize,
    n: usize,
    s: &mut DecomposeScratch,
    out: &mut Vec<f64>,
) {
    s.medians.clear();
    for k in 0..p {
        s.phase.clear();
        s.phase.extend(learn.iter().skip(k).step_by(p).copied());
        s.medians.push(median(&mut s.phase));
    }
    out.clear();
    out.extend((0..n).map(|i| s.medians[i % p]));
}

/// `series_seasonal(x, period, test_points)`: the per-phase medians of the learning points
/// tiled over the series; zeros when no period applies (autodetect with threshold 0.7 below
/// the threshold, a period of 0 or below −1, or a period longer than the learning part).
/// `None` (a null result) when a learning point is not finite.
pub fn seasonal(
    x: &[f64],
    period: i64,
    test_points: usize,
    s: &mut DecomposeScratch,
    out: &mut Vec<f64>,
) -> Option<()> {
    let n = x.len();
    let l = n.saturating_sub(test_points);
    let learn = &x[..l];
    if learn.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let p = match period {
        -1 => autodetect(learn, 0.7, &mut s.periods).unwrap_or(0),
        p if p > 0 => usize::try_from(p).unwrap_or(0),
        _ => 0,
    };
    if p == 0 || p > l {
        out.clear();
        out.resize(n, 0.0);
    } else {
        seasonal_medians(learn, p, n, s, out);
    }
    Some(())
}

/// `series_decompose`; `None` when there is no decomposition (no learning point, or a
/// non-finite one).
pub fn decompose(
    x: &[f64],
    params: &DecomposeParams,
    s: &mut DecomposeScratch,
    d: &mut Decomposition,
) -> Option<()> {
    let n = x.len();
    let l = n.saturating_sub(params.test_points);
    if l == 0 {
        return None;
    }
    let learn = &x[..l];
    if learn.iter().any(|v| !v.is_finite()) {
        return None;
    }
    // seasonal
    let p = match params.seasonality {
        -1 => autodetect(learn, params.seasonality_threshold, &mut s.periods).unwrap_or(0),
        p if p > 0 => usize::try_from(p).unwrap_or(0),
        _ => 0,
    };
    let p = if p > 0 && l >= 2 * p { p } else { 0 };
    d.period = p;
    if p > 0 {
        seasonal_medians(learn, p, n, s, &mut d.seasonal);
    } else {
        d.seasonal.clear();
        d.seasonal.resize(n, 0.0);
    }
    // trend, from the deseasonalized learning points
    s.deseasonal.clear();
    s.deseasonal
        .extend(learn.iter().zip(&d.seasonal).map(|(v, se)| v - se));
    d.trend.clear();
    match params.trend {
        Trend::None => d.trend.resize(n, 0.0),
        Trend::Avg => {
            let mean = s.deseasonal.iter().sum::<f64>() / l as f64;
            d.trend.resize(n, mean);
        }
        Trend::LineFit => match fit_line(&s.deseasonal, &mut s.line) {
            Some(f) => d
                .trend
                .extend((1..=n).map(|i| f.interception + f.slope * i as f64)),
            // one learning point: the line through it is flat
            None => d.trend.resize(n, s.deseasonal[0]),
        },
    }
    d.baseline.clear();
    d.baseline
        .extend(d.seasonal.iter().zip(&d.trend).map(|(a, b)| a + b));
    d.residual.clear();
    d.residual
        .extend(x.iter().zip(&d.baseline).map(|(v, b)| v - b));
    Some(())
}

/// The anomaly part of `series_decompose_anomalies`: scores of the residual (percentiles of
/// the learning residuals, `learn` points) and flags (+1 above `threshold`, −1 below
/// −`threshold`, strictly: the docs say "above").
pub fn anomalies(
    residual: &[f64],
    learn: usize,
    threshold: f64,
    kind: OutlierKind,
    s: &mut OutlierScratch,
    scores: &mut Vec<f64>,
    flags: &mut Vec<i64>,
) {
    let learn = learn.min(residual.len());
    let opt = |v: f64| (!v.is_nan()).then_some(v);
    let f = fences(residual[..learn].iter().map(|&v| opt(v)), None, kind, s);
    scores.clear();
    scores.extend(residual.iter().map(|&v| score(opt(v), None, f)));
    flags.clear();
    flags.extend(scores.iter().map(|&sc| {
        if sc > threshold {
            1
        } else if sc < -threshold {
            -1
        } else {
            0
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seas(x: &[f64], p: i64) -> Vec<f64> {
        let mut out = Vec::new();
        seasonal(x, p, 0, &mut DecomposeScratch::default(), &mut out).unwrap();
        out
    }

    #[test]
    fn docs_seasonal_examples() {
        // series-seasonal-function.md, re-derived: phase medians
        assert_eq!(
            seas(&[1.0, 3.0, 5.0, 1.0, 3.0, 5.0, 2.0, 4.0, 6.0], 3),
            [1.0, 3.0, 5.0, 1.0, 3.0, 5.0, 1.0, 3.0, 5.0]
        );
        let x = [1.0, 3.0, 5.0, 2.0, 4.0, 6.0, 1.0, 3.0, 5.0, 2.0, 4.0, 6.0];
        assert_eq!(seas(&x, 3), [1.5, 3.5, 5.5].repeat(4));
        // too short to detect: zeros
        assert_eq!(seas(&x, -1), [0.0; 12]);
        assert_eq!(seas(&x, 0), [0.0; 12]);
        assert_eq!(seas(&x, -5), [0.0; 12]);
        let s25 = [
            2.0, 5.0, 3.0, 4.0, 3.0, 2.0, 1.0, 2.0, 3.0, 4.0, 3.0, 2.0, 1.0, 2.0, 3.0, 4.0, 3.0,
            2.0, 1.0, 2.0, 3.0, 4.0, 3.0, 2.0, 1.0,
        ];
        let want: Vec<f64> = (0..25)
            .map(|i| [1.0, 2.0, 3.0, 4.0, 3.0, 2.0][i % 6])
            .collect();
        assert_eq!(seas(&s25, -1), want);
        let s20: Vec<f64> = (0..20)
            .map(|i| [8.0, 12.0, 14.0, 12.0, 10.0][i % 5])
            .collect();
        // the first value is 8 while the others at that phase are 10: median 10
        let mut s20b = s20.clone();
        for (i, v) in s20b.iter_mut().enumerate().skip(1) {
            if i % 5 == 0 {
                *v = 10.0;
            }
        }
        let want: Vec<f64> = (0..20)
            .map(|i| [10.0, 12.0, 14.0, 12.0, 10.0][i % 5])
            .collect();
        assert_eq!(seas(&s20b, -1), want);
    }

    #[test]
    fn components_and_test_points() {
        // period 2 given, trend avg: x = [0, 2] repeated + 1 → medians 1 and 3, deseasonal 0
        let x: Vec<f64> = (0..8).map(|i| [0.0, 2.0][i % 2] + 1.0).collect();
        let p = DecomposeParams {
            seasonality: 2,
            ..DecomposeParams::default()
        };
        let mut d = Decomposition::default();
        let mut s = DecomposeScratch::default();
        decompose(&x, &p, &mut s, &mut d).unwrap();
        assert_eq!(d.seasonal[..2], [1.0, 3.0]);
        assert_eq!(d.trend, [0.0; 8]);
        assert_eq!(d.baseline, x);
        assert_eq!(d.residual, [0.0; 8]);
        // linefit without seasonality on a line 2x + 1 at x = 1..8: exact, and the last 3
        // points (garbage) are excluded from learning and extrapolated
        let line: Vec<f64> = (1..=8).map(|i| 2.0 * i as f64 + 1.0).collect();
        let mut y = line.clone();
        for v in &mut y[5..] {
            *v = -100.0;
        }
        let p = DecomposeParams {
            seasonality: 0,
            trend: Trend::LineFit,
            test_points: 3,
            ..DecomposeParams::default()
        };
        decompose(&y, &p, &mut s, &mut d).unwrap();
        for (i, (b, want)) in d.baseline.iter().zip(&line).enumerate() {
            assert!((b - want).abs() < 1e-12, "{i}: {b}");
        }
        assert!((d.residual[7] - (-100.0 - 17.0)).abs() < 1e-12);
        // a period needs two cycles of learning points: 2 · 5 > 8 − 0
        let p = DecomposeParams {
            seasonality: 5,
            ..DecomposeParams::default()
        };
        decompose(&x, &p, &mut s, &mut d).unwrap();
        assert_eq!(d.period, 0);
        // no components: baseline 0, residual x
        let p = DecomposeParams {
            seasonality: 0,
            trend: Trend::None,
            ..DecomposeParams::default()
        };
        decompose(&x, &p, &mut s, &mut d).unwrap();
        assert!(d.baseline.iter().all(|v| *v == 0.0));
        assert_eq!(d.residual, x);
        // non-finite learning point: none
        let z = [1.0, f64::NAN, 3.0];
        assert!(decompose(&z, &DecomposeParams::default(), &mut s, &mut d).is_none());
        assert!(decompose(&[], &DecomposeParams::default(), &mut s, &mut d).is_none());
    }

    #[test]
    fn avg_trend_without_seasonality_is_the_mean() {
        let x = [1.0, 2.0, 3.0, 10.0];
        let p = DecomposeParams {
            seasonality: 0,
            ..DecomposeParams::default()
        };
        let mut d = Decomposition::default();
        decompose(&x, &p, &mut DecomposeScratch::default(), &mut d).unwrap();
        assert_eq!(d.trend, [4.0; 4]);
        assert_eq!(d.residual, [-3.0, -2.0, -1.0, 6.0]);
    }

    #[test]
    fn flags_are_strict() {
        // tukey on 1..=9, 100: 100 scores 20.5; threshold 20.5 flags nothing, 20 flags it
        let mut r: Vec<f64> = (1..=9).map(f64::from).collect();
        r.push(100.0);
        let (mut sc, mut fl) = (Vec::new(), Vec::new());
        let mut s = OutlierScratch::default();
        anomalies(&r, 10, 20.5, OutlierKind::Tukey, &mut s, &mut sc, &mut fl);
        assert_eq!(fl.iter().filter(|f| **f != 0).count(), 0);
        anomalies(&r, 10, 20.0, OutlierKind::Tukey, &mut s, &mut sc, &mut fl);
        assert_eq!(fl[9], 1);
        assert_eq!(fl.iter().filter(|f| **f != 0).count(), 1);
    }
}
