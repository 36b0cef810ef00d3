//! Linear filters: `series_fir` (series-fir-function.md) and `series_iir`
//! (series-iir-function.md); ml-operators.md §8–§9.
//!
//! Both start from a zero state (values before the first element are 0), which is what the
//! docs' examples show: the 5-point moving average of a spike rises 2, 6, 14, 34, 42, 44, and
//! the cumulative sum by `b = [1], a = [1, -1]` starts at x[0]. NaN (and a null element, given
//! as NaN) propagates into every output it reaches.

/// The FIR coefficients to apply: `filter` divided by its sum when normalising. `normalize`
/// is the caller's flag (`None` when not given): the default is true unless a coefficient is
/// negative; normalising a filter with a negative coefficient gives null (the docs). `None`
/// also for an empty filter, a non-finite coefficient, or normalising coefficients that sum
/// to 0 (which cannot be normalised; our choice, like the negative case).
pub fn fir_coefficients(filter: &[f64], normalize: Option<bool>) -> Option<Vec<f64>> {
    if filter.is_empty() || filter.iter().any(|c| !c.is_finite()) {
        return None;
    }
    let negative = filter.iter().any(|&c| c < 0.0);
    let normalize = normalize.unwrap_or(!negative);
    if !normalize {
        return Some(filter.to_vec());
    }
    if negative {
        return None;
    }
    let sum: f64 = filter.iter().sum();
    if sum == 0.0 {
        return None;
    }
    Some(filter.iter().map(|c| c / sum).collect())
}

/// Applies the FIR filter `h` to `x`, writing `x.len()` values to `out` (cleared first).
/// Causal: y[i] = Σⱼ h[j]·x[i−j]. Centred: the causal output shifted left by
/// d = ⌊(m−1)/2⌋ (y_c[i] = y[i+d], reading zeros past the end): for odd m the window is
/// symmetric around i, as the docs' chart shows; for even m this is the shift of
/// `numpy.convolve(mode='same')` and pandas' centred rolling window (the docs do not say).
pub fn fir(x: &[f64], h: &[f64], center: bool, out: &mut Vec<f64>) {
    out.clear();
    let n = x.len();
    let m = h.len();
    let d = if center { m.saturating_sub(1) / 2 } else { 0 };
    out.reserve(n);
    for i in 0..n {
        let t = i + d;
        // terms with 0 ≤ t − j < n
        let lo = (t + 1).saturating_sub(n);
        let hi = m.min(t + 1);
        let mut acc = 0.0;
        for j in lo..hi {
            acc += h[j] * x[t - j];
        }
        out.push(acc);
    }
}

/// Applies the IIR filter with numerators `b` and denominators `a` to `x` (docs' recursive
/// formula): a[0]·y[i] = Σⱼ b[j]·x[i−j] − Σⱼ≥₁ a[j]·y[i−j]. Writes `x.len()` values to `out`.
/// `false` (and `out` empty) when a filter is empty, a coefficient is not finite, or a[0] is
/// 0 (the docs: it "mustn't be zero").
pub fn iir(x: &[f64], b: &[f64], a: &[f64], out: &mut Vec<f64>) -> bool {
    out.clear();
    let Some(&a0) = a.first() else {
        return false;
    };
    if b.is_empty() || a0 == 0.0 || a.iter().chain(b).any(|c| !c.is_finite()) {
        return false;
    }
    // normalised by a[0] first, as scipy.signal.lfilter does
    let bn: Vec<f64> = b.iter().map(|c| c / a0).collect();
    let an: Vec<f64> = a.iter().map(|c| c / a0).collect();
    out.reserve(x.len());
    for i in 0..x.len() {
        let mut acc = 0.0;
        for (j, bj) in bn.iter().enumerate().take(i + 1) {
            acc += bj * x[i - j];
        }
        for (j, aj) in an.iter().enumerate().take(i + 1).skip(1) {
            acc -= aj * out[i - j];
        }
        out.push(acc);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spike() -> Vec<f64> {
        let mut x = vec![0.0; 24];
        x[9..16].copy_from_slice(&[10.0, 20.0, 40.0, 100.0, 40.0, 20.0, 10.0]);
        x
    }

    #[test]
    fn moving_average_doc_example() {
        // series-fir-function.md: 5-point moving average of the spike; the sums of 5 values
        // divided by 5: 10/5, 30/5, 70/5, 170/5, 210/5, 220/5, ...
        let h = fir_coefficients(&[1.0; 5], None).unwrap();
        let mut y = Vec::new();
        fir(&spike(), &h, false, &mut y);
        let mut want = vec![0.0; 24];
        want[9..20].copy_from_slice(&[2., 6., 14., 34., 42., 44., 42., 34., 14., 6., 2.]);
        for (a, b) in y.iter().zip(&want) {
            assert!((a - b).abs() < 1e-12, "{y:?}");
        }
        // centred: the peak stays at index 12
        fir(&spike(), &h, true, &mut y);
        let mut want = vec![0.0; 24];
        want[7..18].copy_from_slice(&[2., 6., 14., 34., 42., 44., 42., 34., 14., 6., 2.]);
        for (a, b) in y.iter().zip(&want) {
            assert!((a - b).abs() < 1e-12, "{y:?}");
        }
    }

    #[test]
    fn difference_doc_example() {
        // series-fir-function.md: [1, -1] without normalisation: x[i] − x[i−1]
        let x = [0., 0., 0., 0., 2., 2., 2., 2., 3., 3., 3., 3.];
        let h = fir_coefficients(&[1.0, -1.0], Some(false)).unwrap();
        let mut y = Vec::new();
        fir(&x, &h, false, &mut y);
        assert_eq!(y, vec![0., 0., 0., 0., 2., 0., 0., 0., 1., 0., 0., 0.]);
        // the default with a negative coefficient is not to normalise
        assert_eq!(fir_coefficients(&[1.0, -1.0], None), Some(vec![1.0, -1.0]));
        // normalising a filter with a negative coefficient gives null
        assert_eq!(fir_coefficients(&[1.0, -1.0], Some(true)), None);
        assert_eq!(fir_coefficients(&[], None), None);
        assert_eq!(fir_coefficients(&[0.0, 0.0], None), None);
    }

    #[test]
    fn even_centred_shift() {
        // m = 4: d = 1, y_c[i] = x[i+1] + x[i] + x[i−1] + x[i−2]
        let x = [1., 2., 3., 4., 5.];
        let mut y = Vec::new();
        fir(&x, &[1.0; 4], true, &mut y);
        assert_eq!(y, vec![3., 6., 10., 14., 12.]);
    }

    #[test]
    fn cumulative_sum_doc_example() {
        // series-iir-function.md: b = [1], a = [1, −1] is a running sum
        let x: Vec<f64> = (1..=10).map(f64::from).collect();
        let mut y = Vec::new();
        assert!(iir(&x, &[1.0], &[1.0, -1.0], &mut y));
        assert_eq!(y, vec![1., 3., 6., 10., 15., 21., 28., 36., 45., 55.]);
        assert!(iir(&[0., 1., 2., 3., 4.], &[1.0], &[1.0, -1.0], &mut y));
        assert_eq!(y[4], 10.0);
        assert!(!iir(&x, &[1.0], &[0.0, 1.0], &mut y));
        assert!(!iir(&x, &[], &[1.0], &mut y));
    }

    #[test]
    fn exponential_smoothing() {
        // series_exp_smoothing_fl: b = [α], a = [1, α − 1]; y[i] = α x[i] + (1 − α) y[i−1]
        let x = [4.0, 8.0, 2.0];
        let mut y = Vec::new();
        assert!(iir(&x, &[0.5], &[1.0, -0.5], &mut y));
        assert_eq!(y, vec![2.0, 5.0, 3.5]);
        // a[0] ≠ 1 divides everything: 2y[i] = x[i] → y = x / 2
        assert!(iir(&x, &[1.0], &[2.0], &mut y));
        assert_eq!(y, vec![2.0, 4.0, 1.0]);
    }
}
