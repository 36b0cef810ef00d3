//! Catalog entries (part of `catalog.rs`): anomaly detection, decomposition, forecasting and
//! period detection (lowered in `scalar::series_anomaly`). The `series_seasonal` and
//! `series_periods_*` examples are the docs' (series-seasonal-function.md,
//! series-periods-detect-function.md, series-periods-validate-function.md); the others use
//! small series whose results are exact in binary floating point, derived by hand in the
//! comments. The period score itself is not published by Kusto (the docs give "about 0.84",
//! ours is 0.93 on that series), so the period examples show the periods and compare the
//! scores with bounds.

use super::{FunctionEntry, Kind};

pub(super) static ENTRIES: &[FunctionEntry] = &[
    entry!(
        "series_periods_detect",
        [],
        Scalar,
        "series",
        "series_periods_detect(series: dynamic, min_period: real, max_period: real, num_periods: long) -> (periods: dynamic, scores: dynamic)",
        "The most significant periods (in bins, at least 4 and at most half the length) within [min_period, max_period], best first, with scores in [0, 1]; padded with zeros to num_periods (FFT autocorrelation).",
        "print y=dynamic([80, 139, 87, 110, 68, 54, 50, 51, 53, 133, 86, 141, 97, 156, 94, 149, 95, 140, 77, 61, 50, 54, 47, 133, 72, 152, 94, 148, 105, 162, 101, 160, 87, 63, 53, 55, 54, 151, 103, 189, 108, 183, 113, 175, 113, 178, 90, 71, 62, 62, 65, 165, 109, 181, 115, 182, 121, 178, 114, 170])\n| extend (periods, scores) = series_periods_detect(y, 0.0, 50.0, 2)\n| project periods, strong = todouble(scores[0]) > 0.7, none = todouble(scores[1]) == 0",
        // the docs: a weekly pattern of 14 twelve-hour bins (score about 0.84) and no other
        "periods,strong,none\n\"[14,0]\",true,true\n"
    ),
    entry!(
        "series_periods_validate",
        [],
        Scalar,
        "series",
        "series_periods_validate(series: dynamic, period1: real [, ... period16: real]) -> (periods: dynamic, scores: dynamic)",
        "Scores in [0, 1] for each given period (in bins) of the series; a period below 4 or above half the length scores 0.",
        "print y=dynamic([80, 139, 87, 110, 68, 54, 50, 51, 53, 133, 86, 141, 97, 156, 94, 149, 95, 140, 77, 61, 50, 54, 47, 133, 72, 152, 94, 148, 105, 162, 101, 160, 87, 63, 53, 55, 54, 151, 103, 189, 108, 183, 113, 175, 113, 178, 90, 71, 62, 62, 65, 165, 109, 181, 115, 182, 121, 178, 114, 170])\n| extend (periods, scores) = series_periods_validate(y, 14.0, 10.0)\n| project periods, weekly = todouble(scores[0]) > 0.7, five_days = todouble(scores[1])",
        // the docs: 14 scores high (about 0.84), 10 scores 0.0
        "periods,weekly,five_days\n\"[14.0,10.0]\",true,0\n"
    ),
    entry!(
        "series_seasonal",
        [],
        Scalar,
        "series",
        "series_seasonal(series: dynamic [, period: int [, test_points: int]]) -> dynamic",
        "The seasonal component: the median of the points at the same phase of the period (-1, the default: detected with a score of at least 0.7; zeros when none is found or the period is 0).",
        "print s=dynamic([1, 3, 5, 2, 4, 6, 1, 3, 5, 2, 4, 6])\n| extend s_seasonal = series_seasonal(s, 3)",
        // the docs' "Force a period": phase medians (1+2)/2, (3+4)/2, (5+6)/2
        "s,s_seasonal\n\"[1,3,5,2,4,6,1,3,5,2,4,6]\",\"[1.5,3.5,5.5,1.5,3.5,5.5,1.5,3.5,5.5,1.5,3.5,5.5]\"\n"
    ),
    entry!(
        "series_outliers",
        [],
        Scalar,
        "series",
        "series_outliers(series: dynamic [, kind: string [, ignore_val: real [, min_percentile: real [, max_percentile: real]]]]) -> dynamic",
        "Tukey fence scores per point: beyond the high (low) percentile, the distance to it over the inter-percentile range (\"tukey\": 25/75; \"ctukey\", the default: 10/90 rescaled to Tukey's scale); 0 inside, for nulls and for ignore_val.",
        "print x=dynamic([0, 1, 2, 3, 4, 5, 6, 7, 24])\n| extend scores = series_outliers(x, 'tukey')",
        // nine points: the 25th/75th percentiles are the 3rd and 7th values, 2 and 6, IQR 4;
        // 0 → (0 − 2)/4, 1 → −1/4, 7 → 1/4, 24 → 18/4
        "x,scores\n\"[0,1,2,3,4,5,6,7,24]\",\"[-0.5,-0.25,0.0,0.0,0.0,0.0,0.0,0.25,4.5]\"\n"
    ),
    entry!(
        "series_decompose",
        [],
        Scalar,
        "series",
        "series_decompose(series: dynamic [, seasonality: int [, trend: string [, test_points: int [, seasonality_threshold: real]]]]) -> (baseline: dynamic, seasonal: dynamic, trend: dynamic, residual: dynamic)",
        "Decomposes a series into seasonal (phase medians; seasonality -1 detects the period, 0 none), trend ('avg', 'linefit' or 'none', of the deseasonalized series), baseline = seasonal + trend and residual = series - baseline.",
        "print y=dynamic([2, 6, 2, 6, 2, 6, 5, 9])\n| extend (baseline, seasonal, trend, residual) = series_decompose(y, 2)\n| project seasonal, baseline, residual",
        // phase medians: (2, 2, 2, 5) → 2 and (6, 6, 6, 9) → 6; deseasonalized
        // [0, 0, 0, 0, 0, 0, 3, 3] has mean 0.75 (the avg trend); residual = y − baseline
        "seasonal,baseline,residual\n\"[2.0,6.0,2.0,6.0,2.0,6.0,2.0,6.0]\",\"[2.75,6.75,2.75,6.75,2.75,6.75,2.75,6.75]\",\"[-0.75,-0.75,-0.75,-0.75,-0.75,-0.75,2.25,2.25]\"\n"
    ),
    entry!(
        "series_decompose_anomalies",
        [],
        Scalar,
        "series",
        "series_decompose_anomalies(series: dynamic [, threshold: real [, seasonality: int [, trend: string [, test_points: int [, ad_method: string [, seasonality_threshold: real]]]]]]) -> (ad_flag: dynamic, ad_score: dynamic, baseline: dynamic)",
        "Anomalies of a series: series_outliers scores (ctukey or tukey) of the series_decompose residual, flagged +1/-1 beyond the threshold (default 1.5), with the baseline.",
        "print x=dynamic([0, 1, 2, 3, 4, 5, 6, 7, 24])\n| extend (flag, score, baseline) = series_decompose_anomalies(x, 1.5, 0, 'none', 0, 'tukey')",
        // no seasonality and no trend: baseline 0, residual = x; tukey scores as in
        // series_outliers' example; only 24 (4.5) is beyond 1.5
        "x,flag,score,baseline\n\"[0,1,2,3,4,5,6,7,24]\",\"[0,0,0,0,0,0,0,0,1]\",\"[-0.5,-0.25,0.0,0.0,0.0,0.0,0.0,0.25,4.5]\",\"[0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0]\"\n"
    ),
    entry!(
        "series_decompose_forecast",
        [],
        Scalar,
        "series",
        "series_decompose_forecast(series: dynamic, points: int [, seasonality: int [, trend: string [, seasonality_threshold: real]]]) -> dynamic",
        "A forecast of the last `points` bins (excluded from learning) from series_decompose's seasonal and trend components; the whole baseline is returned.",
        "print y=dynamic([1, 2, 3, 4, 5, 0, 0])\n| extend forecast = series_decompose_forecast(y, 2, 0, 'linefit')",
        // the line through 1..5 at x = 1..5 is y = x, extended to x = 6, 7
        "y,forecast\n\"[1,2,3,4,5,0,0]\",\"[1.0,2.0,3.0,4.0,5.0,6.0,7.0]\"\n"
    ),
];
