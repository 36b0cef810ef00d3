#!/usr/bin/env python3
"""Oracle values (numpy / scipy / pandas) for the anomaly functions: series_outliers,
series_seasonal, series_decompose, series_decompose_anomalies, series_decompose_forecast and
a sanity check of series_periods_detect (ml-operators.md sections 10-15 and 18).

Definitions, from the docs and ml-operators.md, computed independently of the engine:
  - outliers: numpy.percentile (method 'linear') of the non-null values, then
    F*(x - P_hi)/IQR above, F*(x - P_lo)/IQR below, 0 inside; tukey 25/75 with F = 1,
    ctukey 10/90 with F = 2.772605605507915 (ml-operators.md section 10 [DOC-NUM]);
  - seasonal: numpy.median per phase (i mod p) over the learning points, tiled;
  - decompose: seasonal on the raw series, trend = mean (avg) or numpy.polyfit(x=1..L, deg 1)
    (linefit) of the deseasonalized learning points, baseline = seasonal + trend;
  - anomalies: outliers of the residual, percentiles of the learning residuals, flags by
    strict comparison with the threshold;
  - forecast: the decompose baseline with test_points = points;
  - periods: no exact oracle exists (Kusto's scoring is unpublished); scipy.signal.periodogram
    and the autocorrelation from numpy.correlate are printed as sanity checks only.

Series:
  G3 (kqlt records, make-series over range): y = 10 + 5*sin(2*pi*i/24) + 0.05*i + (i*37 % 11)/5
     for i = 0..335 (14 days of hourly bins), with y[100] += 15 and y[250] -= 15.
  SO: the maintainer's vector [-3, 2.4, 15, ...] (ml-operators.md section 10).
  NAB: realKnownCause/nyc_taxi.csv (10,320 half-hourly counts) from ../shared/data/nab,
     weekly period 336 bins; used by functions/src/scalar/series_anomaly_nab.rs.
  TSD: msticpy's TimeSeriesDemo.csv (Log Analytics' own series_decompose_anomalies output,
     threshold 3, linefit): our numpy reference reproduces the exported baseline and scores,
     which validates the reference itself.

Run: python3 tests/oracles/anomaly.py   (the values it printed are at the end of this file)
"""
import csv
import math
import os

import numpy as np
import pandas as pd
from scipy import signal

F_CTUKEY = 2.772605605507915
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data")


def outliers(x, kind="ctukey", ignore=None, learn=None):
    x = np.asarray(x, dtype=float)
    learn = len(x) if learn is None else learn
    keep = ~np.isnan(x)
    if ignore is not None:
        keep &= x != ignore
    lp, hp, f = (25, 75, 1.0) if kind == "tukey" else (10, 90, F_CTUKEY)
    vals = x[:learn][keep[:learn]]
    out = np.zeros(len(x))
    if len(vals) == 0:
        return out
    lo, hi = np.percentile(vals, [lp, hp])
    iqr = hi - lo
    if iqr <= 0:
        return out
    for i, v in enumerate(x):
        if not keep[i]:
            continue
        if v > hi:
            out[i] = f * (v - hi) / iqr
        elif v < lo:
            out[i] = f * (v - lo) / iqr
    return out


def seasonal(x, p, learn=None):
    x = np.asarray(x, dtype=float)
    learn = len(x) if learn is None else learn
    med = np.array([np.median(x[:learn][k::p]) for k in range(p)])
    return med[np.arange(len(x)) % p]


def decompose(x, p, trend="avg", test_points=0):
    x = np.asarray(x, dtype=float)
    n = len(x)
    L = n - test_points
    s = seasonal(x, p, L) if p and L >= 2 * p else np.zeros(n)
    d = x[:L] - s[:L]
    if trend == "avg":
        t = np.full(n, d.mean())
    elif trend == "linefit":
        slope, icpt = np.polyfit(np.arange(1, L + 1), d, 1)
        t = icpt + slope * np.arange(1, n + 1)
    else:
        t = np.zeros(n)
    b = s + t
    return b, s, t, x - b


def anomalies(x, p, threshold=1.5, trend="avg", test_points=0, kind="ctukey"):
    b, _, _, r = decompose(x, p, trend, test_points)
    sc = outliers(r, kind, learn=len(x) - test_points)
    fl = np.where(sc > threshold, 1, np.where(sc < -threshold, -1, 0))
    return fl, sc, b


def g3():
    i = np.arange(336)
    y = 10 + 5 * np.sin(2 * np.pi * i / 24) + 0.05 * i + (i * 37 % 11) / 5
    y[100] += 15
    y[250] -= 15
    return y


def taxi():
    path = os.path.join(ROOT, "nab", "data", "realKnownCause", "nyc_taxi.csv")
    return pd.read_csv(path)["value"].to_numpy(dtype=float)


def tsd():
    path = os.path.join(ROOT, "msticpy", "TimeSeriesDemo.csv")
    return pd.read_csv(path, encoding="utf-8-sig")


def acf_unbiased(z, lag):
    z = z - z.mean()
    n = len(z)
    full = np.correlate(z, z, mode="full")[n - 1:]
    return (full[lag] / (n - lag)) / (full[0] / n)


def main():
    print("# SO vector, ctukey (ml-operators.md section 10)")
    so = [-3, 2.4, 15, 3.9, 5, 6, 4.5, 5.2, 3, 4, 5, 16, 7, 5, 5, 4]
    print("so.ctukey =", [float(v) for v in outliers(so)])

    print("# G3")
    y = g3()
    fl, sc, b = anomalies(y, 24, 1.5, "linefit")
    print("g3.flags_nonzero =", [(int(i), int(fl[i])) for i in np.nonzero(fl)[0]])
    for i in [0, 100, 250, 335]:
        print(f"g3.score[{i}] = {float(sc[i])!r}")
        print(f"g3.baseline[{i}] = {float(b[i])!r}")
    print("g3.baseline.sum =", repr(float(b.sum())))
    print("g3.tukey_outliers[100] =", repr(float(outliers(y, "tukey")[100])))
    print("g3.ctukey_outliers[250] =", repr(float(outliers(y)[250])))
    s = seasonal(y, 24)
    print("g3.seasonal[:3] =", [float(v) for v in s[:3]])
    b, s, t, r = decompose(y, 24, "avg")
    print("g3.decompose_avg.trend =", repr(float(t[0])), " residual[100] =", repr(float(r[100])))
    fc = decompose(y, 24, "linefit", test_points=48)[0]
    print("g3.forecast48[335] =", repr(float(fc[335])), " sum =", repr(float(fc.sum())))
    f, pxx = signal.periodogram(y - np.polyval(np.polyfit(np.arange(336), y, 1), np.arange(336)))
    k = np.argmax(pxx[1:]) + 1
    print("g3.periodogram_peak_period =", 1 / f[k], " acf24 =", acf_unbiased(y, 24))

    print("# NAB nyc_taxi, weekly period 336, default ctukey, threshold 1.5, avg")
    x = taxi()
    fl, sc, b = anomalies(x, 336)
    print("nab.len =", len(x))
    print("nab.flags_up =", int((fl == 1).sum()), " nab.flags_down =", int((fl == -1).sum()))
    for i in [0, 5000, 10319]:
        print(f"nab.score[{i}] = {float(sc[i])!r}")
        print(f"nab.baseline[{i}] = {float(b[i])!r}")
    print("nab.score.sum =", repr(float(sc.sum())))
    print("nab.baseline.sum =", repr(float(b.sum())))
    f, pxx = signal.periodogram(x - x.mean())
    order = np.argsort(pxx[1:])[::-1][:3] + 1
    print("nab.periodogram_top_periods =", [round(1 / f[k], 2) for k in order])
    print("nab.acf336 =", acf_unbiased(x, 336), " acf48 =", acf_unbiased(x, 48))
    o = outliers(x)
    print("nab.outliers.nonzero =", int(np.count_nonzero(o)), " sum =", repr(float(o.sum())),
          " max =", repr(float(o.max())), " argmax =", int(o.argmax()))
    ot = outliers(x, "tukey")
    print("nab.tukey.nonzero =", int(np.count_nonzero(ot)), " sum =", repr(float(ot.sum())))
    s = seasonal(x, 336)
    print("nab.seasonal336.sum =", repr(float(s.sum())), " [100] =", repr(float(s[100])))
    fc = decompose(x, 336, "linefit", test_points=336)[0]
    print("nab.forecast336_linefit[10319] =", repr(float(fc[10319])), " sum =", repr(float(fc.sum())))

    print("# TimeSeriesDemo (Log Analytics output) against this reference")
    df = tsd()
    v = df.TotalBytesSent.to_numpy(dtype=float)
    fl, sc, b = anomalies(v, 168, 3.0, "linefit")
    print("tsd.flag_agreement =", float((fl == df.anomalies.to_numpy()).mean()))
    print("tsd.max_abs_baseline_error =", float(np.abs(b - df.baseline.to_numpy()).max()))
    print("tsd.max_abs_score_error =", float(np.abs(sc - df.score.to_numpy()).max()))


if __name__ == "__main__":
    main()

# ---- output of python3 tests/oracles/anomaly.py (numpy 2.4.6, scipy 1.17.1, pandas 3.1.1) ----
# # SO vector, ctukey (ml-operators.md section 10)
# so.ctukey = [-1.904078548360857, -0.10021466044004519, 1.3361954725339347, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.6702443406674183, 0.0, 0.0, 0.0, 0.0]
# # G3
# g3.flags_nonzero = [(82, 1), (100, 1), (178, 1), (250, -1)]
# g3.score[0] = 0.0
# g3.baseline[0] = 10.127518722622568
# g3.score[100] = 14.642240638336206
# g3.baseline[100] = 21.168011251848267
# g3.score[250] = -12.39507354417389
# g3.baseline[250] = 24.003432498381343
# g3.score[335] = 0.0
# g3.baseline[335] = 27.233147956626716
# g3.baseline.sum = 6509.399999999999
# g3.tukey_outliers[100] = 1.3119408928362022
# g3.ctukey_outliers[250] = 0.0
# g3.seasonal[:3] = [18.29999999999999, 20.444095225512605, 21.39999999999999]
# g3.decompose_avg.trend = 0.05238095238095143  residual[100] = 10.64761904761906
# g3.forecast48[335] = 26.520365860212934  sum = 6497.453337834417
# g3.periodogram_peak_period = 24.0  acf24 = 0.8464589266044477
# # NAB nyc_taxi, weekly period 336, default ctukey, threshold 1.5, avg
# nab.len = 10320
# nab.flags_up = 76  nab.flags_down = 448
# nab.score[0] = 0.0
# nab.baseline[0] = 9622.851453488372
# nab.score[5000] = 0.0
# nab.baseline[5000] = 1799.351453488372
# nab.score[10319] = 0.0
# nab.baseline[10319] = 25473.851453488372
# nab.score.sum = -1510.3675116263375
# nab.baseline.sum = 156219716.0
# nab.periodogram_top_periods = [np.float64(48.0), np.float64(24.0), np.float64(25.86)]
# nab.acf336 = 0.9169746172786336  acf48 = 0.8028671381871542
# nab.outliers.nonzero = 2061  sum = 88.91764905019501  max = 2.1805722682293824  argmax = 5954
# nab.tukey.nonzero = 5160  sum = -586.3816012739185
# nab.seasonal336.sum = 160906529.0  [100] = 5249.0
# nab.forecast336_linefit[10319] = 25437.285804003528  sum = 156978048.92196625
# # TimeSeriesDemo (Log Analytics output) against this reference
# tsd.flag_agreement = 1.0
# tsd.max_abs_baseline_error = 0.9992246627807617
# tsd.max_abs_score_error = 3.2862601528904634e-14
