//! `series_periods_detect` and `series_periods_validate` (series-periods-detect-function.md,
//! series-periods-validate-function.md; ml-operators.md §11), also the seasonality
//! autodetection of `series_seasonal` and `series_decompose*`.
//!
//! Kusto does not publish its algorithm; the docs fix: periods of at least 4 points and at most
//! half the series length, scores in [0, 1], detect ordered by score and padded with zeros,
//! validate scoring 0 outside [4, n/2]. Ours (ml-operators.md §11 [CHOICE], checked against the
//! docs' observations: the 60-point traffic series detects only 14 (score ≈ 0.84 in the docs,
//! 0.93 here) and validates 10 with 0; the `series_seasonal` examples detect 6 and 5 above 0.7
//! and a two-cycle series nothing above 0.7; Log Analytics' TimeSeriesDemo detects 168):
//!
//! 1. Missing values (null, NaN, ±inf) are replaced by the mean of the others and a
//!    least-squares line is removed (a trend would otherwise correlate at every lag).
//! 2. The autocorrelation at every lag comes from one zero-padded FFT (Wiener–Khinchin,
//!    O(n log n) with rustfft): `r(L)` = the unbiased autocovariance at lag L over the
//!    variance, `Σ z_t z_{t+L} / (n − L)` over `Σ z_t² / n`. A fractional lag (validate)
//!    interpolates linearly between its neighbours.
//! 3. score(L) = `r(L) · (1 − (L/n)²)`, clipped to [0, 1]. The factor is a cycle-count
//!    penalty (a period seen only twice scores at most 0.75); a score below the white-noise
//!    band `2/√n` is not significant and becomes 0.
//! 4. detect: candidates are the 2·num_periods + 16 strongest local maxima of the periodogram
//!    (a second FFT; a daily cycle puts its harmonics first, so a handful is not enough)
//!    whose period n/k lies within the range widened by 20%; each is refined to the lag within
//!    ±20% of n/k that is a local maximum of `r` with the best score. Candidates are taken by
//!    score; one within 0.1 of an integer multiple of a better-scoring period (or of the same
//!    period) is dropped.

use rustfft::FftPlanner;
use rustfft::num_complex::Complex;

/// Reusable FFT plans and buffers.
pub struct PeriodScratch {
    planner: FftPlanner<f64>,
    buf: Vec<Complex<f64>>,
    spec: Vec<Complex<f64>>,
    scratch: Vec<Complex<f64>>,
    z: Vec<f64>,
    /// Unbiased autocorrelation r(L), L = 0..n−1.
    acf: Vec<f64>,
}

impl Default for PeriodScratch {
    fn default() -> Self {
        PeriodScratch {
            planner: FftPlanner::new(),
            buf: Vec::new(),
            spec: Vec::new(),
            scratch: Vec::new(),
            z: Vec::new(),
            acf: Vec::new(),
        }
    }
}

/// The autocorrelation of one series, ready for scoring lags.
pub struct Acf<'a> {
    r: &'a [f64],
    /// The periodogram |Z_k|², k = 0..=n/2 (empty unless asked for).
    power: &'a [f64],
}

impl PeriodScratch {
    /// Steps 1–2 of the module comment for `x`; `None` when the series is constant or has no
    /// finite value (nothing is periodic). With `periodogram`, also the unpadded power
    /// spectrum (for detect).
    pub fn analyze(&mut self, x: &[f64], periodogram: bool) -> Option<Acf<'_>> {
        let n = x.len();
        if n < 2 {
            return None;
        }
        let (mut sum, mut count) = (0.0, 0usize);
        for &v in x {
            if v.is_finite() {
                sum += v;
                count += 1;
            }
        }
        if count == 0 {
            return None;
        }
        let fill = sum / count as f64;
        self.z.clear();
        self.z
            .extend(x.iter().map(|&v| if v.is_finite() { v } else { fill }));
        detrend(&mut self.z);
        let var0: f64 = self.z.iter().map(|v| v * v).sum();
        // a (numerically) constant series after detrending has no period
        let scale: f64 = self.z.iter().map(|v| v.abs()).fold(0.0, f64::max);
        if var0.is_nan() || var0 <= 0.0 || scale <= 1e-12 * fill.abs().max(1e-300) {
            return None;
        }
        // autocovariance sums through a transform of length ≥ 2n (no circular wrap)
        let m = (2 * n).next_power_of_two();
        self.buf.clear();
        self.buf
            .extend(self.z.iter().map(|&v| Complex::new(v, 0.0)));
        self.buf.resize(m, Complex::new(0.0, 0.0));
        let fwd = self.planner.plan_fft_forward(m);
        let inv = self.planner.plan_fft_inverse(m);
        let need = fwd
            .get_inplace_scratch_len()
            .max(inv.get_inplace_scratch_len());
        if self.scratch.len() < need {
            self.scratch.resize(need, Complex::new(0.0, 0.0));
        }
        fwd.process_with_scratch(&mut self.buf, &mut self.scratch);
        for c in &mut self.buf {
            *c = Complex::new(c.norm_sqr(), 0.0);
        }
        inv.process_with_scratch(&mut self.buf, &mut self.scratch);
        let c0 = self.buf[0].re;
        self.acf.clear();
        let nf = n as f64;
        self.acf.extend(
            self.buf[..n]
                .iter()
                .enumerate()
                .map(|(l, c)| (c.re / (nf - l as f64)) / (c0 / nf)),
        );
        self.spec.clear();
        if periodogram {
            self.spec
                .extend(self.z.iter().map(|&v| Complex::new(v, 0.0)));
            let plan = self.planner.plan_fft_forward(n);
            let need = plan.get_inplace_scratch_len();
            if self.scratch.len() < need {
                self.scratch.resize(need, Complex::new(0.0, 0.0));
            }
            plan.process_with_scratch(&mut self.spec, &mut self.scratch);
            self.spec.truncate(n / 2 + 1);
            for c in &mut self.spec {
                *c = Complex::new(c.norm_sqr(), 0.0);
            }
        }
        // the spectrum's real parts are the powers; reuse `z` for them
        self.z.clear();
        self.z.extend(self.spec.iter().map(|c| c.re));
        Some(Acf {
            r: &self.acf,
            power: &self.z,
        })
    }
}

/// Removes the least-squares line through (t, z[t]), t = 0..n−1.
fn detrend(z: &mut [f64]) {
    let n = z.len();
    if n < 2 {
        return;
    }
    let nf = n as f64;
    let mean_t = (nf - 1.0) / 2.0;
    let mean_z = z.iter().sum::<f64>() / nf;
    let stt = nf * (nf * nf - 1.0) / 12.0;
    let mut stz = 0.0;
    for (t, v) in z.iter().enumerate() {
        stz += (t as f64 - mean_t) * (v - mean_z);
    }
    let slope = stz / stt;
    for (t, v) in z.iter_mut().enumerate() {
        *v -= mean_z + slope * (t as f64 - mean_t);
    }
}

impl Acf<'_> {
    fn n(&self) -> usize {
        self.r.len()
    }

    /// The score of (possibly fractional) lag `period`; 0 outside [4, n/2].
    pub fn score(&self, period: f64) -> f64 {
        let n = self.n();
        let nf = n as f64;
        if !(period >= 4.0 && period <= nf / 2.0) {
            return 0.0;
        }
        let lo = period.floor();
        let i = lo as usize;
        let frac = period - lo;
        let r = if frac == 0.0 || i + 1 >= n {
            self.r[i.min(n - 1)]
        } else {
            self.r[i] * (1.0 - frac) + self.r[i + 1] * frac
        };
        let s = (r * (1.0 - (period / nf).powi(2))).clamp(0.0, 1.0);
        if s < 2.0 / nf.sqrt() { 0.0 } else { s }
    }

    /// Whether integer lag `l` is a local maximum of the autocorrelation.
    fn is_peak(&self, l: usize) -> bool {
        l >= 1 && l + 1 < self.n() && self.r[l] >= self.r[l - 1] && self.r[l] >= self.r[l + 1]
    }

    /// Up to `num` (period, score) pairs with positive scores, best first, for periods in
    /// [max(4, min_period), min(max_period, n/2)].
    pub fn detect(&self, min_period: f64, max_period: f64, num: usize) -> Vec<(usize, f64)> {
        let n = self.n();
        let nf = n as f64;
        let lo = min_period.max(4.0).ceil();
        let hi = max_period.min(nf / 2.0).floor();
        if num == 0 || lo.is_nan() || hi.is_nan() || lo > hi || self.power.len() < 2 {
            return Vec::new();
        }
        let (lo, hi) = (lo as usize, hi as usize);
        // periodogram peaks within the widened range, strongest first
        let p = self.power;
        let mut peaks: Vec<(f64, usize)> = (1..p.len())
            .filter(|&k| {
                let per = nf / k as f64;
                per >= 0.8 * lo as f64
                    && per <= 1.2 * hi as f64
                    && p[k] >= p[k - 1]
                    && (k + 1 >= p.len() || p[k] >= p[k + 1])
            })
            .map(|k| (p[k], k))
            .collect();
        peaks.sort_by(|a, b| b.0.total_cmp(&a.0));
        peaks.truncate(2 * num + 16);
        let mut found: Vec<(usize, f64)> = Vec::new();
        for &(_, k) in &peaks {
            let per = nf / k as f64;
            let a = ((0.8 * per).floor() as usize).max(lo);
            let b = ((1.2 * per).ceil() as usize).min(hi);
            let best = (a..=b)
                .filter(|&l| self.is_peak(l))
                .map(|l| (l, self.score(l as f64)))
                .filter(|&(_, s)| s > 0.0)
                .max_by(|x, y| x.1.total_cmp(&y.1).then(y.0.cmp(&x.0)));
            if let Some(c) = best
                && !found.iter().any(|f| f.0 == c.0)
            {
                found.push(c);
            }
        }
        found.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        let mut out: Vec<(usize, f64)> = Vec::new();
        for (l, s) in found {
            let multiple = out.iter().any(|&(q, _)| {
                let ratio = l as f64 / q as f64;
                ratio >= 1.0 && (ratio - ratio.round()).abs() < 0.1
            });
            if !multiple {
                out.push((l, s));
                if out.len() == num {
                    break;
                }
            }
        }
        out
    }
}

/// The best period of `x` in [4, n/2] if its score reaches `threshold` (the autodetection of
/// `series_seasonal` and `series_decompose`; ml-operators.md §12–§13).
pub fn autodetect(x: &[f64], threshold: f64, scratch: &mut PeriodScratch) -> Option<usize> {
    let n = x.len() as f64;
    let acf = scratch.analyze(x, true)?;
    let (p, s) = *acf.detect(4.0, n / 2.0, 1).first()?;
    (s >= threshold).then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const Y60: [f64; 60] = [
        80.0, 139.0, 87.0, 110.0, 68.0, 54.0, 50.0, 51.0, 53.0, 133.0, 86.0, 141.0, 97.0, 156.0,
        94.0, 149.0, 95.0, 140.0, 77.0, 61.0, 50.0, 54.0, 47.0, 133.0, 72.0, 152.0, 94.0, 148.0,
        105.0, 162.0, 101.0, 160.0, 87.0, 63.0, 53.0, 55.0, 54.0, 151.0, 103.0, 189.0, 108.0,
        183.0, 113.0, 175.0, 113.0, 178.0, 90.0, 71.0, 62.0, 62.0, 65.0, 165.0, 109.0, 181.0,
        115.0, 182.0, 121.0, 178.0, 114.0, 170.0,
    ];

    #[test]
    fn docs_traffic_series() {
        // series-periods-detect-function.md: [14, 0] with a score of about 0.84;
        // series-periods-validate-function.md: 14 scores about 0.84, 10 scores 0
        let mut sc = PeriodScratch::default();
        let acf = sc.analyze(&Y60, true).unwrap();
        let d = acf.detect(0.0, 50.0, 2);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].0, 14);
        assert!((d[0].1 - 0.84).abs() < 0.1, "{}", d[0].1);
        assert!((acf.score(14.0) - 0.84).abs() < 0.1);
        assert_eq!(acf.score(10.0), 0.0);
        // outside [4, n/2]
        assert_eq!(acf.score(3.0), 0.0);
        assert_eq!(acf.score(31.0), 0.0);
    }

    #[test]
    fn docs_seasonal_autodetect() {
        // series-seasonal-function.md: periods 6 and 5 detected at threshold 0.7, a two-cycle
        // series not
        let mut sc = PeriodScratch::default();
        let s25 = [
            2.0, 5.0, 3.0, 4.0, 3.0, 2.0, 1.0, 2.0, 3.0, 4.0, 3.0, 2.0, 1.0, 2.0, 3.0, 4.0, 3.0,
            2.0, 1.0, 2.0, 3.0, 4.0, 3.0, 2.0, 1.0,
        ];
        assert_eq!(autodetect(&s25, 0.7, &mut sc), Some(6));
        let s20 = [
            8.0, 12.0, 14.0, 12.0, 10.0, 10.0, 12.0, 14.0, 12.0, 10.0, 10.0, 12.0, 14.0, 12.0,
            10.0, 10.0, 12.0, 14.0, 12.0, 10.0,
        ];
        assert_eq!(autodetect(&s20, 0.7, &mut sc), Some(5));
        let s12 = [1.0, 3.0, 5.0, 2.0, 4.0, 6.0, 1.0, 3.0, 5.0, 2.0, 4.0, 6.0];
        assert_eq!(autodetect(&s12, 0.7, &mut sc), None);
    }

    #[test]
    fn degenerate_inputs() {
        let mut sc = PeriodScratch::default();
        assert!(sc.analyze(&[5.0; 40], true).is_none());
        assert!(sc.analyze(&[f64::NAN; 10], true).is_none());
        assert!(sc.analyze(&[1.0], true).is_none());
        // a pure line has nothing left after detrending
        let line: Vec<f64> = (0..50).map(|i| 3.0 * i as f64 + 1.0).collect();
        assert!(sc.analyze(&line, true).is_none());
    }

    #[test]
    fn hourly_weekly_series_has_period_168() {
        // a noise-free weekly profile (weekdays 15, weekends 10, a daily dip) over 5 weeks:
        // the weekly period wins over the daily one (ml-operators.md §14 recipe)
        let y: Vec<f64> = (1..=840)
            .map(|t| {
                let base = if (t / 24) % 7 >= 5 { 10.0 } else { 15.0 };
                // the docs' KQL divides longs: (t % 24) / 10 is 0, 1 or 2
                let h = ((t % 24) / 10) as f64;
                base - h * h
            })
            .collect();
        let mut sc = PeriodScratch::default();
        assert_eq!(autodetect(&y, 0.6, &mut sc), Some(168));
    }
}
