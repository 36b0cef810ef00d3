//! Regression kernels: `series_fit_line` (series-fit-line-function.md), `series_fit_2lines`
//! (series-fit-2lines-function.md) and `series_fit_poly` (series-fit-poly-function.md);
//! ml-operators.md §5–§7.
//!
//! Conventions shared by the three (ml-operators.md §1, §5):
//! - the independent variable defaults to x = 1..n (the docs' `series_fit_poly` default, and
//!   the `series_fit_line` doc example's line starts at interception + slope);
//! - `variance` is the sample variance of y (SST / (n − 1)), `rvariance` the sample variance of
//!   the residuals (SSR / (n − 1); OLS residuals have zero mean), `rsquare` = 1 − SSR / SST
//!   (NaN for a constant series, where SST = 0: the docs do not say, and 0/0 is what a direct
//!   implementation gives);
//! - a series with a non-finite element (null, NaN, ±inf) or too few points has no fit: the
//!   docs are silent, and a fit through NaN would be NaN everywhere, so the result is null.

/// 1 − SSR / SST; NaN for a constant series (SST = 0), also when rounding leaves a tiny
/// residual (a QR fit of a constant series), so every fit agrees on it.
fn rsquare(ssr: f64, sst: f64) -> f64 {
    if sst == 0.0 {
        f64::NAN
    } else {
        1.0 - ssr / sst
    }
}

/// The scalar results of a line fit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineFit {
    pub rsquare: f64,
    pub slope: f64,
    pub variance: f64,
    pub rvariance: f64,
    pub interception: f64,
    /// Sum of squared residuals.
    pub ssr: f64,
    /// Sum of squared deviations of y from its mean.
    pub sst: f64,
}

/// Least-squares line through (1, y[0]), …, (n, y[n−1]); the fitted values are written to
/// `line` (cleared first). `None` (and `line` empty) when n < 2 or a value is not finite.
/// Three passes over `y`: sum, centred cross products, residuals.
pub fn fit_line(y: &[f64], line: &mut Vec<f64>) -> Option<LineFit> {
    line.clear();
    let n = y.len();
    if n < 2 {
        return None;
    }
    let mut sum = 0.0;
    let mut finite = true;
    for &v in y {
        sum += v;
        finite &= v.is_finite();
    }
    if !finite {
        return None;
    }
    let nf = n as f64;
    let mean_y = sum / nf;
    let mean_x = (nf + 1.0) / 2.0;
    // Σ (x − x̄)² for x = 1..n
    let sxx = nf * (nf * nf - 1.0) / 12.0;
    let (mut sxy, mut syy) = (0.0, 0.0);
    let mut dx = 1.0 - mean_x;
    for &v in y {
        let d = v - mean_y;
        sxy += dx * d;
        syy += d * d;
        dx += 1.0;
    }
    let slope = sxy / sxx;
    let interception = mean_y - slope * mean_x;
    line.reserve(n);
    let mut ssr = 0.0;
    let mut x = 1.0;
    for &v in y {
        let f = interception + slope * x;
        let r = v - f;
        ssr += r * r;
        line.push(f);
        x += 1.0;
    }
    Some(LineFit {
        rsquare: rsquare(ssr, syy),
        slope,
        variance: syy / (nf - 1.0),
        rvariance: ssr / (nf - 1.0),
        interception,
        ssr,
        sst: syy,
    })
}

/// The results of a two-segment fit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TwoLines {
    pub rsquare: f64,
    /// The number of points in the left segment, which is the 0-based index of the first
    /// point of the right segment.
    pub split_idx: usize,
    pub variance: f64,
    pub rvariance: f64,
    pub left: LineFit,
    pub right: LineFit,
}

/// Reusable buffers for [`fit_2lines`].
#[derive(Default)]
pub struct TwoLinesScratch {
    p0: Vec<f64>,
    p1: Vec<f64>,
    p2: Vec<f64>,
    right: Vec<f64>,
}

/// The least minimum segment length: a line through fewer than 2 points is undefined.
const MIN_SEGMENT: usize = 2;

/// Two-segment linear regression (series-fit-2lines-function.md): for every split the two
/// parts are fitted independently with [`fit_line`] (each part on its own x = 1..m, as
/// Microsoft's `series_shapes_fl` reads the results, ml-operators.md §6), and the split with
/// the largest total r² = 1 − (SSR_left + SSR_right) / SST wins; ties go to the smallest
/// split. Each side has at least two points, so n < 4 has no fit (the docs do not give a
/// minimum segment length). The concatenated fitted values are written to `line`.
///
/// The search is O(n): prefix sums of z, i·z and z² (z = y − ȳ, centred to limit cancellation)
/// give every segment's SSR in O(1); the winning split is then refitted directly.
pub fn fit_2lines(
    y: &[f64],
    line: &mut Vec<f64>,
    scratch: &mut TwoLinesScratch,
) -> Option<TwoLines> {
    line.clear();
    let n = y.len();
    if n < 2 * MIN_SEGMENT || y.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mean = y.iter().sum::<f64>() / n as f64;
    let TwoLinesScratch { p0, p1, p2, right } = scratch;
    for p in [&mut *p0, &mut *p1, &mut *p2] {
        p.clear();
        p.reserve(n + 1);
        p.push(0.0);
    }
    let (mut s0, mut s1, mut s2) = (0.0, 0.0, 0.0);
    for (i, &v) in y.iter().enumerate() {
        let z = v - mean;
        s0 += z;
        s1 += i as f64 * z;
        s2 += z * z;
        p0.push(s0);
        p1.push(s1);
        p2.push(s2);
    }
    // SSR of the line fitted to y[a..b)
    let ssr = |a: usize, b: usize| -> f64 {
        let m = (b - a) as f64;
        let sz = p0[b] - p0[a];
        let szz = (p2[b] - p2[a]) - sz * sz / m;
        let mean_i = (a + b - 1) as f64 / 2.0;
        let sxz = (p1[b] - p1[a]) - mean_i * sz;
        let sxx = m * (m * m - 1.0) / 12.0;
        (szz - sxz * sxz / sxx).max(0.0)
    };
    let mut best = MIN_SEGMENT;
    let mut best_ssr = f64::INFINITY;
    for k in MIN_SEGMENT..=n - MIN_SEGMENT {
        let s = ssr(0, k) + ssr(k, n);
        if s < best_ssr {
            best_ssr = s;
            best = k;
        }
    }
    let left = fit_line(&y[..best], line)?;
    let right_fit = fit_line(&y[best..], right)?;
    line.extend_from_slice(right);
    let sst: f64 = y.iter().map(|v| (v - mean) * (v - mean)).sum();
    let total_ssr = left.ssr + right_fit.ssr;
    let nf = n as f64;
    Some(TwoLines {
        rsquare: rsquare(total_ssr, sst),
        split_idx: best,
        variance: sst / (nf - 1.0),
        rvariance: total_ssr / (nf - 1.0),
        left,
        right: right_fit,
    })
}

/// The results of a polynomial fit.
#[derive(Clone, Debug, PartialEq)]
pub struct PolyFit {
    pub rsquare: f64,
    /// Highest power first (the docs' order, as numpy.polyfit).
    pub coefficients: Vec<f64>,
    pub variance: f64,
    pub rvariance: f64,
    /// The fitted values at each x.
    pub poly_fit: Vec<f64>,
}

/// Least-squares polynomial of `degree` through (x[i], y[i]) (x = 1..n when `x` is `None`),
/// solved by Householder QR of the column-scaled Vandermonde matrix (never the normal
/// equations, whose condition number is the square of the matrix's). `None` when a value is
/// not finite, the lengths differ, there are fewer points than coefficients, or the columns
/// are linearly dependent (e.g. a constant x with degree ≥ 1); numpy.polyfit would return a
/// minimum-norm solution there with a rank warning, a fit Kusto's docs do not describe.
pub fn fit_poly(y: &[f64], x: Option<&[f64]>, degree: usize) -> Option<PolyFit> {
    let n = y.len();
    let p = degree.checked_add(1)?;
    if n < p.max(2) || y.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let xs: Vec<f64> = match x {
        Some(x) if x.len() != n || x.iter().any(|v| !v.is_finite()) => return None,
        Some(x) => x.to_vec(),
        None => (1..=n).map(|i| i as f64).collect(),
    };
    // column-major Vandermonde, column j holds x^(degree − j)
    let mut a = vec![0.0; n * p];
    for (i, &xi) in xs.iter().enumerate() {
        let mut pw = 1.0;
        for j in (0..p).rev() {
            a[j * n + i] = pw;
            pw *= xi;
        }
    }
    // scale each column to unit norm (as numpy.polyfit does) to balance the powers
    let mut scale = vec![1.0; p];
    for (j, s) in scale.iter_mut().enumerate() {
        let col = &mut a[j * n..(j + 1) * n];
        let norm = col.iter().map(|v| v * v).sum::<f64>().sqrt();
        if !norm.is_finite() || norm <= 0.0 {
            return None;
        }
        col.iter_mut().for_each(|v| *v /= norm);
        *s = norm;
    }
    let mut b = y.to_vec();
    let mut rdiag = vec![0.0; p];
    for k in 0..p {
        let (done, rest) = a.split_at_mut((k + 1) * n);
        let col = &mut done[k * n..];
        let norm = col[k..].iter().map(|v| v * v).sum::<f64>().sqrt();
        // a column (nearly) in the span of the previous ones: rank deficient
        if norm.is_nan() || norm <= 1e-12 {
            return None;
        }
        let alpha = if col[k] > 0.0 { -norm } else { norm };
        // Householder vector v = col[k..] − alpha·e₁, stored in col[k..]
        col[k] -= alpha;
        let vnorm2: f64 = col[k..].iter().map(|v| v * v).sum();
        rdiag[k] = alpha;
        if vnorm2 == 0.0 {
            continue;
        }
        let apply = |target: &mut [f64]| {
            let dot: f64 = col[k..].iter().zip(&target[k..]).map(|(v, t)| v * t).sum();
            let f = 2.0 * dot / vnorm2;
            target[k..]
                .iter_mut()
                .zip(&col[k..])
                .for_each(|(t, v)| *t -= f * v);
        };
        for j in 0..p - k - 1 {
            apply(&mut rest[j * n..(j + 1) * n]);
        }
        apply(&mut b);
    }
    // back substitution R c = Qᵀ y (R's diagonal in rdiag, above it in a's upper triangle)
    let mut c = vec![0.0; p];
    for k in (0..p).rev() {
        let mut s = b[k];
        for j in k + 1..p {
            s -= a[j * n + k] * c[j];
        }
        c[k] = s / rdiag[k];
    }
    let coefficients: Vec<f64> = c.iter().zip(&scale).map(|(c, s)| c / s).collect();
    let poly_fit: Vec<f64> = xs
        .iter()
        .map(|&xi| coefficients.iter().fold(0.0, |acc, &c| acc * xi + c))
        .collect();
    let mean = y.iter().sum::<f64>() / n as f64;
    let sst: f64 = y.iter().map(|v| (v - mean) * (v - mean)).sum();
    let ssr: f64 = y
        .iter()
        .zip(&poly_fit)
        .map(|(v, f)| (v - f) * (v - f))
        .sum();
    let nf = n as f64;
    Some(PolyFit {
        rsquare: rsquare(ssr, sst),
        coefficients,
        variance: sst / (nf - 1.0),
        rvariance: ssr / (nf - 1.0),
        poly_fit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!(
            (a - b).abs() <= tol * b.abs().max(1.0),
            "got {a}, want {b} (tolerance {tol})"
        );
    }

    #[test]
    fn line_doc_example() {
        // series-fit-line-function.md; values re-derived with numpy.polyfit (ml-operators.md §5)
        let y = [2., 5., 6., 8., 11., 15., 17., 18., 25., 26., 30., 30.];
        let mut line = Vec::new();
        let f = fit_line(&y, &mut line).unwrap();
        // slope = Sxy / Sxx = 390.5 / 143 (Sxx = 12·143/12), interception = 16.0833… − 6.5·slope
        close(f.slope, 390.5 / 143.0, 1e-14);
        close(f.interception, 193.0 / 12.0 - 6.5 * 390.5 / 143.0, 1e-13);
        close(f.rsquare, 0.982_900_73, 1e-8);
        close(f.variance, 98.628_787_88, 1e-9);
        close(f.rvariance, 1.686_480_19, 1e-8);
        assert_eq!(line.len(), 12);
        close(line[0], 1.064_102_564, 1e-9);
        close(line[11], 31.102_564_1, 1e-9);
    }

    #[test]
    fn line_edge_cases() {
        let mut line = vec![1.0];
        assert_eq!(fit_line(&[1.0], &mut line), None);
        assert!(line.is_empty());
        assert_eq!(fit_line(&[1.0, f64::NAN, 3.0], &mut line), None);
        let f = fit_line(&[4.0, 4.0, 4.0], &mut line).unwrap();
        assert!(f.rsquare.is_nan());
        assert_eq!(
            (f.slope, f.interception, f.variance, f.rvariance),
            (0.0, 4.0, 0.0, 0.0)
        );
        assert_eq!(line, vec![4.0; 3]);
    }

    #[test]
    fn two_lines_chart_example() {
        // series-fit-2lines-function.md's series; expected values from a brute-force numpy
        // loop over the splits (ml-operators.md §6)
        let y = [1., 2.2, 2.5, 4.7, 5.0, 12., 10.3, 10.3, 9., 8.3, 6.2];
        let mut line = Vec::new();
        let mut s = TwoLinesScratch::default();
        let t = fit_2lines(&y, &mut line, &mut s).unwrap();
        assert_eq!(t.split_idx, 5);
        close(t.rsquare, 0.986_513_19, 1e-8);
        close(t.left.slope, 1.05, 1e-12);
        close(t.left.interception, -0.07, 1e-12);
        close(t.right.slope, -1.037_142_857_142_857, 1e-12);
        close(t.right.interception, 12.98, 1e-12);
        close(t.variance, 13.894, 1e-12);
        close(t.rvariance, 0.187_385_7, 1e-7);
        close(line[0], 0.98, 1e-12);
        close(line[5], 11.942_857_142_857, 1e-11);
        assert_eq!(line.len(), 11);
        assert_eq!(fit_2lines(&y[..3], &mut line, &mut s), None);
    }

    #[test]
    fn two_lines_matches_brute_force() {
        // the O(n) search against refitting every split
        let y: Vec<f64> = (0..60)
            .map(|i| {
                let x = i as f64;
                (x * 0.7).sin() * 3.0 + if i < 37 { 0.2 * x } else { 20.0 - 0.5 * x } + 1e3
            })
            .collect();
        let mut line = Vec::new();
        let mut s = TwoLinesScratch::default();
        let t = fit_2lines(&y, &mut line, &mut s).unwrap();
        let mut best = (f64::INFINITY, 0);
        let mut tmp = Vec::new();
        for k in 2..=y.len() - 2 {
            let l = fit_line(&y[..k], &mut tmp).unwrap().ssr;
            let r = fit_line(&y[k..], &mut tmp).unwrap().ssr;
            if l + r < best.0 {
                best = (l + r, k);
            }
        }
        assert_eq!(t.split_idx, best.1);
        close(t.left.ssr + t.right.ssr, best.0, 1e-12);
    }

    #[test]
    fn poly_degree_one_equals_line() {
        let y = [2., 5., 6., 8., 11., 15., 17., 18., 25., 26., 30., 30.];
        let mut line = Vec::new();
        let l = fit_line(&y, &mut line).unwrap();
        let p = fit_poly(&y, None, 1).unwrap();
        close(p.coefficients[0], l.slope, 1e-12);
        close(p.coefficients[1], l.interception, 1e-12);
        close(p.rsquare, l.rsquare, 1e-12);
        close(p.rvariance, l.rvariance, 1e-12);
        close(p.variance, l.variance, 1e-12);
        for (a, b) in p.poly_fit.iter().zip(&line) {
            close(*a, *b, 1e-12);
        }
    }

    #[test]
    fn poly_exact_cubic() {
        // y = 2x³ − x + 5 is reproduced exactly by a cubic fit
        let x: Vec<f64> = (0..20).map(|i| -1.0 + 0.13 * i as f64).collect();
        let y: Vec<f64> = x.iter().map(|x| 2.0 * x * x * x - x + 5.0).collect();
        let p = fit_poly(&y, Some(&x), 3).unwrap();
        for (c, want) in p.coefficients.iter().zip([2.0, 0.0, -1.0, 5.0]) {
            close(*c, want, 1e-11);
        }
        close(p.rsquare, 1.0, 1e-12);
        assert!(p.rvariance < 1e-20);
    }

    #[test]
    fn poly_degenerate() {
        assert_eq!(fit_poly(&[1.0, 2.0], None, 2), None);
        assert_eq!(fit_poly(&[1.0, 2.0, 3.0], Some(&[1.0, 1.0, 1.0]), 1), None);
        assert_eq!(fit_poly(&[1.0, 2.0, 3.0], Some(&[1.0, 2.0]), 1), None);
        assert_eq!(fit_poly(&[1.0, f64::NAN, 3.0], None, 1), None);
        // degree 0: the mean
        let p = fit_poly(&[1.0, 2.0, 6.0], None, 0).unwrap();
        close(p.coefficients[0], 3.0, 1e-15);
        // a constant series: rsquare is NaN as for series_fit_line, even with rounding noise
        let x: Vec<f64> = (0..6).map(|i| 1.7e18 + 3.6e12 * i as f64).collect();
        let p = fit_poly(&[1.0; 6], Some(&x), 1).unwrap();
        assert!(p.rsquare.is_nan());
    }
}
