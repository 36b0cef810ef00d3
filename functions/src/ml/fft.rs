//! `series_fft` / `series_ifft` (series-fft-function.md, series-ifft-function.md,
//! ml-operators.md §16) with rustfft, O(n log n) for every length (mixed radix, Rader and
//! Bluestein for large primes).
//!
//! Scaling: the docs only say that the inverse transform of the forward transform returns the
//! input. We use numpy's convention: the forward transform is unscaled,
//! X[k] = Σₙ x[n]·e^(−2πikn/N), and the inverse divides by N.

use rustfft::FftPlanner;
use rustfft::num_complex::Complex;

/// Transforms reuse plans (rustfft caches one per length and direction).
pub struct Fft {
    planner: FftPlanner<f64>,
    buf: Vec<Complex<f64>>,
    scratch: Vec<Complex<f64>>,
}

impl Default for Fft {
    fn default() -> Self {
        Fft {
            planner: FftPlanner::new(),
            buf: Vec::new(),
            scratch: Vec::new(),
        }
    }
}

impl Fft {
    /// The (inverse, when `inverse`) transform of the complex series `re + i·im` (`im` absent:
    /// zero). `None` when `im` has a different length from `re` (our choice; the docs do not
    /// say). Writes the real and imaginary parts to `out_re` and `out_im`.
    pub fn transform(
        &mut self,
        re: &[f64],
        im: Option<&[f64]>,
        inverse: bool,
        out_re: &mut Vec<f64>,
        out_im: &mut Vec<f64>,
    ) -> Option<()> {
        out_re.clear();
        out_im.clear();
        let n = re.len();
        if im.is_some_and(|im| im.len() != n) {
            return None;
        }
        self.buf.clear();
        match im {
            Some(im) => self
                .buf
                .extend(re.iter().zip(im).map(|(&r, &i)| Complex::new(r, i))),
            None => self.buf.extend(re.iter().map(|&r| Complex::new(r, 0.0))),
        }
        if n > 0 {
            let plan = if inverse {
                self.planner.plan_fft_inverse(n)
            } else {
                self.planner.plan_fft_forward(n)
            };
            let need = plan.get_inplace_scratch_len();
            if self.scratch.len() < need {
                self.scratch.resize(need, Complex::new(0.0, 0.0));
            }
            plan.process_with_scratch(&mut self.buf, &mut self.scratch[..need]);
        }
        let scale = if inverse && n > 0 {
            1.0 / n as f64
        } else {
            1.0
        };
        out_re.extend(self.buf.iter().map(|c| c.re * scale));
        out_im.extend(self.buf.iter().map(|c| c.im * scale));
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The transform by its definition, O(n²).
    fn dft(re: &[f64], im: &[f64], inverse: bool) -> (Vec<f64>, Vec<f64>) {
        let n = re.len();
        let sign = if inverse { 1.0 } else { -1.0 };
        let mut outr = vec![0.0; n];
        let mut outi = vec![0.0; n];
        for k in 0..n {
            for t in 0..n {
                let ang = sign * 2.0 * std::f64::consts::PI * (k * t) as f64 / n as f64;
                let (s, c) = ang.sin_cos();
                outr[k] += re[t] * c - im[t] * s;
                outi[k] += re[t] * s + im[t] * c;
            }
            if inverse {
                outr[k] /= n as f64;
                outi[k] /= n as f64;
            }
        }
        (outr, outi)
    }

    #[test]
    fn small_known_transform() {
        // X[k] of [1, 2, 3, 4]: [10, −2+2i, −2, −2−2i]
        let mut f = Fft::default();
        let (mut r, mut i) = (Vec::new(), Vec::new());
        f.transform(&[1., 2., 3., 4.], None, false, &mut r, &mut i)
            .unwrap();
        let want = [(10.0, 0.0), (-2.0, 2.0), (-2.0, 0.0), (-2.0, -2.0)];
        for (k, (wr, wi)) in want.iter().enumerate() {
            assert!((r[k] - wr).abs() < 1e-12 && (i[k] - wi).abs() < 1e-12);
        }
    }

    #[test]
    fn matches_definition_and_round_trips() {
        let mut f = Fft::default();
        for n in [1usize, 2, 7, 12, 97, 128] {
            let re: Vec<f64> = (0..n).map(|t| ((t * 7 % 11) as f64).sin() + 0.5).collect();
            let im: Vec<f64> = (0..n).map(|t| (t as f64 * 0.3).cos()).collect();
            let (mut r, mut i) = (Vec::new(), Vec::new());
            f.transform(&re, Some(&im), false, &mut r, &mut i).unwrap();
            let (dr, di) = dft(&re, &im, false);
            for k in 0..n {
                assert!((r[k] - dr[k]).abs() < 1e-9 && (i[k] - di[k]).abs() < 1e-9);
            }
            let (mut r2, mut i2) = (Vec::new(), Vec::new());
            f.transform(&r, Some(&i), true, &mut r2, &mut i2).unwrap();
            for t in 0..n {
                assert!((r2[t] - re[t]).abs() < 1e-12 && (i2[t] - im[t]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn empty_and_mismatched() {
        let mut f = Fft::default();
        let (mut r, mut i) = (vec![1.0], vec![1.0]);
        f.transform(&[], None, true, &mut r, &mut i).unwrap();
        assert!(r.is_empty() && i.is_empty());
        assert_eq!(
            f.transform(&[1.0, 2.0], Some(&[1.0]), false, &mut r, &mut i),
            None
        );
    }
}
