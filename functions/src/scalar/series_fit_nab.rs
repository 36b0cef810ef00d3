//! The series stats/fit/filter/FFT functions on a real series: NAB's
//! `realKnownCause/nyc_taxi.csv` (10,320 half-hourly taxi counts, read from
//! `../shared/data/nab`, see its README), against the values `tests/oracles/series_fits.py`
//! printed with numpy/scipy (section "NAB"). Skipped when the data is not beside the checkout.

use crate::ml::fft::Fft;
use crate::ml::filter::{fir, fir_coefficients, iir};
use crate::ml::fit::{TwoLinesScratch, fit_2lines, fit_line, fit_poly};
use crate::ml::stats::series_stats;
use crate::scalar::series_fit_udf::{SeriesFitOp, eval_for_tests};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::Float64Type;
use datafusion::common::ScalarValue;
use datafusion::logical_expr::ColumnarValue;

fn taxi() -> Option<Vec<f64>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/nab/data/realKnownCause/nyc_taxi.csv");
    let text = std::fs::read_to_string(&path).ok()?;
    Some(
        text.lines()
            .skip(1)
            .map(|l| {
                let (_, v) = l.split_once(',').unwrap_or_else(|| panic!("bad line {l}"));
                v.trim()
                    .parse::<f64>()
                    .unwrap_or_else(|e| panic!("{v}: {e}"))
            })
            .collect(),
    )
}

/// |got − want| ≤ rel · max(|want|, scale).
fn close(what: &str, got: f64, want: f64, rel: f64, scale: f64) {
    let tol = rel * want.abs().max(scale);
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:e}, want {want:e} (diff {:e}, tolerance {tol:e})",
        (got - want).abs()
    );
}

#[test]
fn nyc_taxi_against_numpy_and_scipy() {
    let Some(v) = taxi() else {
        println!("skipped: ../shared/data/nab not found");
        return;
    };
    assert_eq!(v.len(), 10320);

    let s = series_stats(&v, false).unwrap();
    let m = s.summary.unwrap();
    assert_eq!(
        (m.min, m.min_idx, m.max, m.max_idx),
        (8.0, 10086, 39197.0, 5954)
    );
    assert_eq!(s.sum, 156219716.0);
    close("avg", m.avg, 15137.569379844961, 1e-13, 0.0);
    close("stdev", m.stdev, 6939.495808067993, 1e-12, 0.0);
    close("variance", m.variance, 48156602.07019324, 1e-12, 0.0);

    let mut line = Vec::new();
    let f = fit_line(&v, &mut line).unwrap();
    close("rsquare", f.rsquare, 0.00032738861140202413, 1e-8, 0.0);
    close("slope", f.slope, -0.0421453424528689, 1e-9, 0.0);
    close("variance", f.variance, 48156602.07019324, 1e-12, 0.0);
    close("rvariance", f.rvariance, 48140836.14711164, 1e-12, 0.0);
    close(
        "interception",
        f.interception,
        15355.060419572987,
        1e-11,
        0.0,
    );
    close("line_fit[0]", line[0], 15355.018274230533, 1e-11, 0.0);
    close(
        "line_fit[10319]",
        line[10319],
        14920.12048545938,
        1e-11,
        0.0,
    );

    let mut scratch = TwoLinesScratch::default();
    let t = fit_2lines(&v, &mut line, &mut scratch).unwrap();
    assert_eq!(t.split_idx, 10063);
    close("2lines rsquare", t.rsquare, 0.01983285864427664, 1e-9, 0.0);
    close(
        "2lines rvariance",
        t.rvariance,
        47201518.988546416,
        1e-11,
        0.0,
    );
    close("left slope", t.left.slope, -0.012297909981897762, 1e-8, 0.0);
    close(
        "left interception",
        t.left.interception,
        15255.800900777092,
        1e-11,
        0.0,
    );
    close(
        "left rvariance",
        t.left.rvariance,
        47451056.69933808,
        1e-11,
        0.0,
    );
    close("right slope", t.right.slope, 77.7896167484843, 1e-10, 0.0);
    close(
        "right interception",
        t.right.interception,
        2896.349556177046,
        1e-10,
        0.0,
    );
    close(
        "right rsquare",
        t.right.rsquare,
        0.47083771575495215,
        1e-10,
        0.0,
    );
    close(
        "right variance",
        t.right.variance,
        71013939.010366,
        1e-11,
        0.0,
    );

    let p = fit_poly(&v, None, 2).unwrap();
    close("poly rsquare", p.rsquare, 0.005827051454796006, 1e-8, 0.0);
    close(
        "poly rvariance",
        p.rvariance,
        47875991.072042085,
        1e-11,
        0.0,
    );
    close("c2", p.coefficients[0], -6.482638086777046e-05, 1e-8, 0.0);
    close("c1", p.coefficients[1], 0.6269277344833892, 1e-8, 0.0);
    close("c0", p.coefficients[2], 14204.031702883656, 1e-10, 0.0);

    let h = fir_coefficients(&[1.0; 48], None).unwrap();
    let mut y = Vec::new();
    fir(&v, &h, true, &mut y);
    close("fir[0]", y[0], 5204.916666666667, 1e-12, 0.0);
    close("fir[23]", y[23], 15205.33333333334, 1e-12, 0.0);
    close("fir[5000]", y[5000], 13240.895833333332, 1e-12, 0.0);
    close("fir[10319]", y[10319], 12527.041666666664, 1e-12, 0.0);
    close("fir sum", y.iter().sum(), 156023034.3125, 1e-12, 0.0);

    assert!(iir(&v, &[0.1], &[1.0, -0.9], &mut y));
    close("iir[0]", y[0], 1084.4, 1e-12, 0.0);
    close("iir[5000]", y[5000], 9713.216607368258, 1e-11, 0.0);
    close("iir[10319]", y[10319], 24293.080705076227, 1e-11, 0.0);

    // 10320 = 2⁴·3·5·43 (mixed radix); errors relative to the DC term's size
    let (mut re, mut im) = (Vec::new(), Vec::new());
    Fft::default()
        .transform(&v, None, false, &mut re, &mut im)
        .unwrap();
    let scale = 156219716.0;
    close("fft re[0]", re[0], 156219716.0, 1e-12, scale);
    close("fft re[215]", re[215], -6930006.76192986, 1e-12, scale);
    close("fft im[215]", im[215], 33093497.610560317, 1e-12, scale);
    close("fft re[1505]", re[1505], -963535.0228479451, 1e-12, scale);
    close("fft im[1505]", im[1505], -2202371.794242911, 1e-12, scale);

    // the same series through the UDF as one make-series-like row
    let list =
        datafusion::arrow::array::ListArray::from_iter_primitive::<Float64Type, _, _>(vec![Some(
            v.iter().map(|x| Some(*x)),
        )]);
    let arg = ColumnarValue::Scalar(ScalarValue::List(std::sync::Arc::new(list)));
    let out = eval_for_tests(SeriesFitOp::FitLine, &[arg], 1).unwrap();
    let slope = out
        .as_struct()
        .column(1)
        .as_primitive::<Float64Type>()
        .value(0);
    close("udf slope", slope, -0.0421453424528689, 1e-9, 0.0);
    assert!(!out.is_null(0));
}
