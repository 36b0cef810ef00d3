//! Catalog entries (part of `catalog.rs`): series statistics, regression fits, FIR/IIR filters
//! and the FFT (lowered in `scalar::series_fit`). The `series_stats` examples are the docs'
//! (series-stats-function.md, series-stats-dynamic-function.md; the digits are the docs');
//! the others use small series whose results are exact in binary floating point, derived by
//! hand in the comments (tests/oracles/series_fits.py checks the same functions with numpy
//! and scipy).

use super::{FunctionEntry, Kind};

pub(super) static ENTRIES: &[FunctionEntry] = &[
    entry!(
        "series_stats",
        [],
        Scalar,
        "series",
        "series_stats(series: dynamic [, ignore_nonfinite: bool]) -> (min: real, min_idx: long, max: real, max_idx: long, avg: real, stdev: real, variance: real)",
        "Statistics of a numeric series as columns series_stats_<arg>_min, _min_idx, _max, _max_idx, _avg, _stdev, _variance (first positions, sample variance); null when a value is null, NaN or infinite unless ignore_nonfinite skips them.",
        "print x=dynamic([23, 46, 23, 87, 4, 8, 3, 75, 2, 56, 13, 75, 32, 16, 29])\n| project series_stats(x)",
        // the docs' output: min 2 at index 8, max 87 at 3, avg 492/15 = 32.8, and the stdev
        // and variance digits of series-stats-dynamic-function.md (28.503633853548269,
        // 812.45714285714291) in shortest round-trip form
        "series_stats_x_min,series_stats_x_min_idx,series_stats_x_max,series_stats_x_max_idx,series_stats_x_avg,series_stats_x_stdev,series_stats_x_variance\n2,8,87,3,32.8,28.50363385354827,812.4571428571429\n"
    ),
    entry!(
        "series_stats_dynamic",
        [],
        Scalar,
        "series",
        "series_stats_dynamic(series: dynamic [, ignore_nonfinite: bool]) -> dynamic",
        "Statistics of a numeric series as a property bag {min, min_idx, max, max_idx, avg, stdev, variance, sum, len}; null when a value is null, NaN or infinite unless ignore_nonfinite skips them.",
        "print x=dynamic([23, 46, 23, 87, 4, 8, 3, 75, 2, 56, 13, 75, 32, 16, 29])\n| project stats=series_stats_dynamic(x)",
        // the docs' output (series-stats-dynamic-function.md), reals in shortest form
        "stats\n\"{\"\"min\"\":2.0,\"\"min_idx\"\":8,\"\"max\"\":87.0,\"\"max_idx\"\":3,\"\"avg\"\":32.8,\"\"stdev\"\":28.50363385354827,\"\"variance\"\":812.4571428571429,\"\"sum\"\":492.0,\"\"len\"\":15}\"\n"
    ),
    entry!(
        "series_fit_line",
        [],
        Scalar,
        "series",
        "series_fit_line(series: dynamic) -> (rsquare: real, slope: real, variance: real, rvariance: real, interception: real, line_fit: dynamic)",
        "Least-squares line through the series at x = 1..n: r-square, slope, sample variance of the data and of the residuals, interception and the fitted values.",
        "print y=dynamic([0, 1, 0, 2, 2])\n| project series_fit_line(y)",
        // x̄ = 3, ȳ = 1; Sxy = (−2)(−1) + 0 + 0 + 1·1 + 2·1 = 5, Sxx = 10: slope 0.5,
        // interception 1 − 0.5·3 = −0.5; fit 0, 0.5, 1, 1.5, 2; residuals 0, 0.5, −1, 0.5, 0:
        // SSR 1.5, SST 4; rsquare 1 − 1.5/4 = 0.625, variance 4/4 = 1, rvariance 1.5/4 = 0.375
        "series_fit_line_y_rsquare,series_fit_line_y_slope,series_fit_line_y_variance,series_fit_line_y_rvariance,series_fit_line_y_interception,series_fit_line_y_line_fit\n0.625,0.5,1,0.375,-0.5,\"[0.0,0.5,1.0,1.5,2.0]\"\n"
    ),
    entry!(
        "series_fit_line_dynamic",
        [],
        Scalar,
        "series",
        "series_fit_line_dynamic(series: dynamic) -> dynamic",
        "series_fit_line's results as a property bag {rsquare, slope, variance, rvariance, interception, line_fit}.",
        "print y=dynamic([0, 1, 0, 2, 2])\n| project fit=series_fit_line_dynamic(y)",
        // the same line as series_fit_line's example
        "fit\n\"{\"\"rsquare\"\":0.625,\"\"slope\"\":0.5,\"\"variance\"\":1.0,\"\"rvariance\"\":0.375,\"\"interception\"\":-0.5,\"\"line_fit\"\":[0.0,0.5,1.0,1.5,2.0]}\"\n"
    ),
    entry!(
        "series_fit_2lines",
        [],
        Scalar,
        "series",
        "series_fit_2lines(series: dynamic) -> (rsquare: real, split_idx: long, variance: real, rvariance: real, line_fit: dynamic, right_rsquare: real, right_slope: real, right_interception: real, right_variance: real, right_rvariance: real, left_rsquare: real, left_slope: real, left_interception: real, left_variance: real, left_rvariance: real)",
        "Two-segment linear regression: the split (index of the first point of the right part) whose two independent line fits give the largest total r-square, with both lines' parameters.",
        "print y=dynamic([0, 1, 2, 10, 11, 12])\n| extend (rsquare, split_idx, variance, rvariance) = series_fit_2lines(y)",
        // splitting before index 3 fits [0, 1, 2] and [10, 11, 12] exactly (SSR 0, rsquare 1);
        // variance: ȳ = 6, SST = 36 + 25 + 16 + 16 + 25 + 36 = 154, 154 / 5 = 30.8
        "y,rsquare,split_idx,variance,rvariance\n\"[0,1,2,10,11,12]\",1,3,30.8,0\n"
    ),
    entry!(
        "series_fit_2lines_dynamic",
        [],
        Scalar,
        "series",
        "series_fit_2lines_dynamic(series: dynamic) -> dynamic",
        "series_fit_2lines' results as a property bag {rsquare, split_idx, variance, rvariance, line_fit, right: {rsquare, slope, interception, variance, rvariance}, left: {...}}.",
        "print y=dynamic([0, 1, 2, 10, 11, 12])\n| extend f = series_fit_2lines_dynamic(y)\n| project split = toint(f.split_idx), left_slope = toreal(f.left.slope), right_interception = toreal(f.right.interception)",
        // right part [10, 11, 12] on its own x = 1..3: slope 1, interception 9
        "split,left_slope,right_interception\n3,1,9\n"
    ),
    entry!(
        "series_fit_poly",
        [],
        Scalar,
        "series",
        "series_fit_poly(y_series: dynamic [, x_series: dynamic [, degree: long]]) -> (rsquare: real, coefficients: dynamic, variance: real, rvariance: real, poly_fit: dynamic)",
        "Least-squares polynomial of the given degree (default 1) from x_series (default 1..n) to y_series: r-square, coefficients (highest power first), sample variance of the data and of the residuals, fitted values.",
        "print y=dynamic([6, 15, 28, 45])\n| extend (rsquare, coefficients) = series_fit_poly(y, dynamic([1, 2, 3, 4]), 2)\n| project a = round(todouble(coefficients[0]), 9), b = round(todouble(coefficients[1]), 9), c = round(todouble(coefficients[2]), 9), r2 = round(rsquare, 9)",
        // y = 2x² + 3x + 1 at x = 1..4, so the quadratic fit is exact
        "a,b,c,r2\n2,3,1,1\n"
    ),
    entry!(
        "series_fir",
        [],
        Scalar,
        "series",
        "series_fir(series: dynamic, filter: dynamic [, normalize: bool [, center: bool]]) -> dynamic",
        "Applies a finite impulse response filter (normalized by the coefficients' sum unless a coefficient is negative; center = true aligns the window on each point).",
        "print value=dynamic([0, 0, 0, 0, 2, 2, 2, 2, 3, 3, 3, 3])\n| project diff=series_fir(value, dynamic([1, -1]), false, false)",
        // the docs' difference filter: y[i] = x[i] − x[i−1] (x[−1] = 0)
        "diff\n\"[0.0,0.0,0.0,0.0,2.0,0.0,0.0,0.0,1.0,0.0,0.0,0.0]\"\n"
    ),
    entry!(
        "series_iir",
        [],
        Scalar,
        "series",
        "series_iir(series: dynamic, numerators: dynamic, denominators: dynamic) -> dynamic",
        "Applies an infinite impulse response filter: a[0]·y[i] = Σ b[j]·x[i−j] − Σ(j≥1) a[j]·y[i−j], from a zero state.",
        "print x=dynamic([1, 2, 3, 4])\n| project y=series_iir(x, dynamic([1]), dynamic([1, -1]))",
        // the docs' cumulative sum: 1, 1+2, 3+3, 6+4
        "y\n\"[1.0,3.0,6.0,10.0]\"\n"
    ),
    entry!(
        "series_fft",
        [],
        Scalar,
        "series",
        "series_fft(x_real: dynamic [, x_imaginary: dynamic]) -> (real: dynamic, imag: dynamic)",
        "Fast Fourier transform of a real or complex series (unscaled, X[k] = Σ x[n]·e^(−2πikn/N)); any length.",
        "print x=dynamic([1, 2, 3, 4])\n| extend (re, im) = series_fft(x)",
        // X0 = 10, X1 = 1 − 2i − 3 + 4i = −2 + 2i, X2 = 1 − 2 + 3 − 4 = −2, X3 = −2 − 2i
        "x,re,im\n\"[1,2,3,4]\",\"[10.0,-2.0,-2.0,-2.0]\",\"[0.0,2.0,0.0,-2.0]\"\n"
    ),
    entry!(
        "series_ifft",
        [],
        Scalar,
        "series",
        "series_ifft(fft_real: dynamic [, fft_imaginary: dynamic]) -> (real: dynamic, imag: dynamic)",
        "Inverse fast Fourier transform (scaled by 1/N, so series_ifft(series_fft(x)) is x).",
        "print re=dynamic([10, -2, -2, -2]), im=dynamic([0, 2, 0, -2])\n| extend (x_real) = series_ifft(re, im)\n| project x_real",
        // the inverse of series_fft's example
        "x_real\n\"[1.0,2.0,3.0,4.0]\"\n"
    ),
];
