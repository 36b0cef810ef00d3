//! The anomaly functions on a real series: NAB's `realKnownCause/nyc_taxi.csv` (10,320
//! half-hourly taxi counts, read from `../shared/data/nab`, see its README), against the values
//! `tests/oracles/anomaly.py` printed with numpy (section "NAB"). Skipped when the data is not
//! beside the checkout.

use super::super::series_anomaly_udf::{AnomalyOp, eval_for_tests};
use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::{Float64Type, Int64Type};
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

fn close(what: &str, got: f64, want: f64, rel: f64) {
    let tol = rel * want.abs().max(1.0);
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:e}, want {want:e}"
    );
}

fn json_of(v: &[f64]) -> ColumnarValue {
    let parts: Vec<String> = v.iter().map(|x| format!("{x:?}")).collect();
    ColumnarValue::Scalar(ScalarValue::Utf8(Some(format!("[{}]", parts.join(",")))))
}

fn text(v: &str) -> ColumnarValue {
    ColumnarValue::Scalar(ScalarValue::Utf8(Some(v.to_string())))
}

fn real(v: f64) -> ColumnarValue {
    ColumnarValue::Scalar(ScalarValue::Float64(Some(v)))
}

#[test]
fn nyc_taxi_weekly_decomposition() {
    let Some(x) = taxi() else {
        eprintln!("skipped: ../shared/data/nab is absent");
        return;
    };
    assert_eq!(x.len(), 10_320);
    // weekly period 336 half-hours, default threshold 1.5, trend avg, ctukey
    let a = eval_for_tests(
        AnomalyOp::DecomposeAnomalies,
        &[json_of(&x), real(1.5), real(336.0)],
        1,
    )
    .unwrap();
    let s = a.as_struct();
    let flags = s.column(0).as_list::<i32>().value(0);
    let flags = flags.as_primitive::<Int64Type>().values().to_vec();
    let score = s.column(1).as_list::<i32>().value(0);
    let score = score.as_primitive::<Float64Type>().values().to_vec();
    let base = s.column(2).as_list::<i32>().value(0);
    let base = base.as_primitive::<Float64Type>().values().to_vec();
    assert_eq!(flags.iter().filter(|f| **f == 1).count(), 76);
    assert_eq!(flags.iter().filter(|f| **f == -1).count(), 448);
    for (i, w) in [
        (0, 9622.851453488372),
        (5000, 1799.351453488372),
        (10319, 25473.851453488372),
    ] {
        close(&format!("baseline[{i}]"), base[i], w, 1e-12);
        assert_eq!(score[i], 0.0);
    }
    close("score sum", score.iter().sum(), -1510.3675116263375, 1e-9);
    close("baseline sum", base.iter().sum(), 156219716.0, 1e-12);

    // series_outliers of the raw series (ctukey and tukey), series_seasonal and a one-week
    // linefit forecast
    let list = |op: AnomalyOp, args: &[ColumnarValue]| -> Vec<f64> {
        let a = eval_for_tests(op, args, 1).unwrap();
        let l = a.as_list::<i32>().value(0);
        l.as_primitive::<Float64Type>().values().to_vec()
    };
    let o = list(AnomalyOp::Outliers, &[json_of(&x)]);
    assert_eq!(o.iter().filter(|v| **v != 0.0).count(), 2061);
    close("ctukey sum", o.iter().sum(), 88.91764905019501, 1e-9);
    close("ctukey max", o[5954], 2.1805722682293824, 1e-12);
    let o = list(AnomalyOp::Outliers, &[json_of(&x), text("tukey")]);
    assert_eq!(o.iter().filter(|v| **v != 0.0).count(), 5160);
    close("tukey sum", o.iter().sum(), -586.3816012739185, 1e-9);
    let s = list(AnomalyOp::Seasonal, &[json_of(&x), real(336.0)]);
    close("seasonal sum", s.iter().sum(), 160906529.0, 1e-12);
    assert_eq!(s[100], 5249.0);
    let f = list(
        AnomalyOp::DecomposeForecast,
        &[json_of(&x), real(336.0), real(336.0), text("linefit")],
    );
    close("forecast[10319]", f[10319], 25437.285804003528, 1e-9);
    close("forecast sum", f.iter().sum(), 156978048.92196625, 1e-9);

    // the periods: the strongest are the daily (48) and weekly (336) cycles, both validated
    // high (scipy's periodogram peaks at 48; the unbiased autocorrelation at 336 is 0.92)
    let d = eval_for_tests(
        AnomalyOp::PeriodsDetect,
        &[json_of(&x), real(24.0), real(500.0), real(2.0)],
        1,
    )
    .unwrap();
    let p = d.as_struct().column(0).as_list::<i32>().value(0);
    let mut p = p.as_primitive::<Int64Type>().values().to_vec();
    eprintln!("nyc_taxi periods: {p:?}");
    p.sort_unstable();
    assert_eq!(p, vec![48, 336]);
}
