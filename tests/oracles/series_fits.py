#!/usr/bin/env python3
"""Oracle values (numpy / scipy) for the series statistics, fit, filter and FFT functions:
series_stats, series_fit_line, series_fit_2lines, series_fit_poly, series_fir, series_iir,
series_fft, series_ifft (ml-operators.md sections 4-9 and 16).

Used by corpus/kqlt/series_fits.kqlt (generated series, section "G") and by the Rust unit test
functions/src/scalar/series_fit_nab.rs (a real series, section "NAB"). The definitions follow
ml-operators.md, computed independently of the engine:
  - stats: numpy min/argmin/max/argmax (first occurrence), mean, var/std with ddof=1;
  - fit_line: numpy.polyfit(x, y, 1) on x = 1..n (cross-checked with scipy.stats.linregress);
    variance = var(y, ddof=1), rvariance = SSR/(n-1), rsquare = 1 - SSR/SST;
  - fit_2lines: brute force over every split k in 2..n-2 with numpy.polyfit on each part's
    own x = 1..m, the smallest k with the least total SSR;
  - fit_poly: numpy.polyfit(x, y, degree) (SVD least squares, Microsoft's series_fit_poly_fl);
  - fir: scipy.signal.lfilter(h, [1], x) (causal) and the full numpy.convolve shifted by
    floor((m-1)/2) (centred), h normalised by its sum;
  - iir: scipy.signal.lfilter(b, a, x);
  - fft: numpy.fft.fft / numpy.fft.ifft.

Generated series (the same formulas as the KQL in the .kqlt file; i = 0, 1, ...):
  G1: y = 10.0 * sin(0.3 * i) + 0.5 * i + i % 7, i = 0..99
  G2: x = -2.3 + 0.025 * i, y = x^5 - 8 x^3 + 10 x + 6 + 0.3 sin(5 i), i = 0..199
Real series: NAB realKnownCause/nyc_taxi.csv (10,320 half-hourly taxi counts), read from
../shared/data/nab (see its README).

Run: python3 tests/oracles/series_fits.py   (the values it printed are at the end of this file)
"""
import csv
import math
import os

import numpy as np
from scipy import signal, stats as sstats


def g1():
    return np.array([10.0 * math.sin(0.3 * i) + 0.5 * i + i % 7 for i in range(100)])


def g2():
    xs, ys = [], []
    for i in range(200):
        x = -2.3 + 0.025 * i
        xs.append(x)
        ys.append(x ** 5 - 8 * x ** 3 + 10 * x + 6 + 0.3 * math.sin(5.0 * i))
    return np.array(xs), np.array(ys)


def nab():
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "..", "..", "shared", "data", "nab", "data",
                        "realKnownCause", "nyc_taxi.csv")
    with open(path) as f:
        return np.array([float(r["value"]) for r in csv.DictReader(f)])


def st(y):
    return dict(min=y.min(), min_idx=int(np.argmin(y)), max=y.max(), max_idx=int(np.argmax(y)),
                avg=y.mean(), stdev=y.std(ddof=1), variance=y.var(ddof=1), sum=y.sum(), len=len(y))


def fit_line(y, x=None):
    n = len(y)
    x = np.arange(1, n + 1, dtype=float) if x is None else x
    slope, icpt = np.polyfit(x, y, 1)
    lr = sstats.linregress(x, y)
    assert abs(lr.slope - slope) <= 1e-9 * max(1, abs(slope))
    fit = icpt + slope * x
    ssr = ((y - fit) ** 2).sum()
    sst = ((y - y.mean()) ** 2).sum()
    return dict(rsquare=1 - ssr / sst, slope=slope, variance=sst / (n - 1),
                rvariance=ssr / (n - 1), interception=icpt, line_fit=fit, ssr=ssr)


def fit_2lines(y):
    n = len(y)
    best = None
    for k in range(2, n - 1):
        left, right = fit_line(y[:k]), fit_line(y[k:])
        s = left["ssr"] + right["ssr"]
        if best is None or s < best[0]:
            best = (s, k, left, right)
    s, k, left, right = best
    sst = ((y - y.mean()) ** 2).sum()
    return dict(rsquare=1 - s / sst, split_idx=k, variance=sst / (n - 1), rvariance=s / (n - 1),
                line_fit=np.concatenate([left["line_fit"], right["line_fit"]]),
                left=left, right=right)


def fit_poly(y, x, deg):
    n = len(y)
    x = np.arange(1, n + 1, dtype=float) if x is None else x
    c = np.polyfit(x, y, deg)
    fit = np.poly1d(c)(x)
    ssr = ((y - fit) ** 2).sum()
    sst = ((y - y.mean()) ** 2).sum()
    return dict(rsquare=1 - ssr / sst, coefficients=c, variance=sst / (n - 1),
                rvariance=ssr / (n - 1), poly_fit=fit)


def fir(x, h, normalize, center):
    h = np.asarray(h, dtype=float)
    if normalize:
        h = h / h.sum()
    if not center:
        return signal.lfilter(h, [1.0], x)
    d = (len(h) - 1) // 2
    return np.convolve(x, h)[d:d + len(x)]


def iir(x, b, a):
    return signal.lfilter(b, a, x)


def show(label, d, keys):
    for k in keys:
        v = d[k]
        print(f"{label}.{k} = {v!r}" if isinstance(v, int) else f"{label}.{k} = {float(v)!r}")


def show_arr(label, arr, idx):
    for i in idx:
        print(f"{label}[{i}] = {float(arr[i])!r}")
    print(f"{label}.sum = {float(np.sum(arr))!r}")


def main():
    line_keys = ["rsquare", "slope", "variance", "rvariance", "interception"]
    side_keys = ["rsquare", "slope", "interception", "variance", "rvariance"]
    print("# DOC-NUM vectors (ml-operators.md)")
    x = np.array([23, 46, 23, 87, 4, 8, 3, 75, 2, 56, 13, 75, 32, 16, 29], dtype=float)
    show("doc_stats", st(x), ["min", "min_idx", "max", "max_idx", "avg", "stdev", "variance",
                               "sum", "len"])
    y = np.array([2, 5, 6, 8, 11, 15, 17, 18, 25, 26, 30, 30], dtype=float)
    f = fit_line(y)
    show("doc_line", f, line_keys)
    show_arr("doc_line.line_fit", f["line_fit"], [0, 11])
    y = np.array([1, 2.2, 2.5, 4.7, 5.0, 12, 10.3, 10.3, 9, 8.3, 6.2])
    t = fit_2lines(y)
    show("doc_2lines", t, ["rsquare", "split_idx", "variance", "rvariance"])
    show("doc_2lines.left", t["left"], side_keys)
    show("doc_2lines.right", t["right"], side_keys)
    spike = np.zeros(24)
    spike[9:16] = [10, 20, 40, 100, 40, 20, 10]
    print("doc_fir.causal =", [float(v) for v in fir(spike, [1] * 5, True, False).round(12)])
    print("doc_fir.centered =", [float(v) for v in fir(spike, [1] * 5, True, True).round(12)])
    print("doc_iir =", [float(v) for v in iir(np.arange(1.0, 11.0), [1.0], [1.0, -1.0])])

    print("# G: generated series")
    y = g1()
    show("g1_stats", st(y), ["min", "min_idx", "max", "max_idx", "avg", "stdev", "variance",
                              "sum"])
    y_nan = y.copy()
    y_nan[[5, 50]] = np.nan
    show("g1_stats_ignore", st(y_nan[~np.isnan(y_nan)]),
         ["min", "max", "avg", "stdev", "variance", "sum"])
    ys = y_nan[~np.isnan(y_nan)]
    # positions in the original array
    print("g1_stats_ignore.min_idx =", int(np.nanargmin(y_nan)))
    print("g1_stats_ignore.max_idx =", int(np.nanargmax(y_nan)))
    assert len(ys) == 98
    f = fit_line(y)
    show("g1_line", f, line_keys)
    show_arr("g1_line.line_fit", f["line_fit"], [0, 50, 99])
    t = fit_2lines(y)
    show("g1_2lines", t, ["rsquare", "split_idx", "variance", "rvariance"])
    show("g1_2lines.left", t["left"], side_keys)
    show("g1_2lines.right", t["right"], side_keys)
    show_arr("g1_2lines.line_fit", t["line_fit"], [0, 99])
    p = fit_poly(y, None, 3)
    show("g1_poly3", p, ["rsquare", "variance", "rvariance"])
    for i, c in enumerate(p["coefficients"]):
        print(f"g1_poly3.coefficients[{i}] = {float(c)!r}")
    show_arr("g1_poly3.poly_fit", p["poly_fit"], [0, 99])
    p1 = fit_poly(y, None, 1)
    assert abs(p1["coefficients"][0] - f["slope"]) < 1e-12
    fr = fir(y, [1, 2, 3, 2, 1], True, False)
    show_arr("g1_fir_causal", fr, [0, 3, 50, 99])
    fc = fir(y, [1, 2, 3, 2, 1], True, True)
    show_arr("g1_fir_centered", fc, [0, 50, 98, 99])
    fd = fir(y, [1, -2, 1], False, False)
    show_arr("g1_fir_second_difference", fd, [0, 1, 2, 50])
    fe = fir(y, [1, 1, 1, 1], True, True)
    show_arr("g1_fir_even_centered", fe, [0, 50, 99])
    ie = iir(y, [0.2], [1.0, -0.8])
    show_arr("g1_iir_smoothing", ie, [0, 1, 50, 99])
    b, a = signal.butter(2, 0.2)
    print("butter2_0.2.b =", [float(v) for v in b])
    print("butter2_0.2.a =", [float(v) for v in a])
    ib = iir(y, b, a)
    show_arr("g1_iir_butter", ib, [0, 1, 50, 99])
    F = np.fft.fft(y)
    show_arr("g1_fft.real", F.real, [0, 1, 7, 50, 99])
    show_arr("g1_fft.imag", F.imag, [1, 7, 99])
    yp = y[:97]
    F97 = np.fft.fft(yp)
    show_arr("g1_97_fft.real", F97.real, [1, 48])
    show_arr("g1_97_fft.imag", F97.imag, [1, 48])
    G = np.fft.fft(y + 1j * y[::-1])
    show_arr("g1_complex_fft.real", G.real, [3])
    show_arr("g1_complex_fft.imag", G.imag, [3])
    inv = np.fft.ifft(y)
    show_arr("g1_ifft.real", inv.real, [0, 1, 50])
    show_arr("g1_ifft.imag", inv.imag, [1, 50])

    x2, y2 = g2()
    p = fit_poly(y2, x2, 5)
    show("g2_poly5", p, ["rsquare", "variance", "rvariance"])
    for i, c in enumerate(p["coefficients"]):
        print(f"g2_poly5.coefficients[{i}] = {float(c)!r}")
    show_arr("g2_poly5.poly_fit", p["poly_fit"], [0, 100, 199])

    print("# NAB realKnownCause/nyc_taxi.csv")
    try:
        v = nab()
    except OSError as e:
        print("skipped:", e)
        return
    print("nab.len =", len(v))
    show("nab_stats", st(v), ["min", "min_idx", "max", "max_idx", "avg", "stdev", "variance",
                               "sum"])
    f = fit_line(v)
    show("nab_line", f, line_keys)
    show_arr("nab_line.line_fit", f["line_fit"], [0, 10319])
    t = fit_2lines(v) if os.environ.get("NAB_2LINES") else None
    if t is not None:
        show("nab_2lines", t, ["rsquare", "split_idx", "variance", "rvariance"])
        show("nab_2lines.left", t["left"], side_keys)
        show("nab_2lines.right", t["right"], side_keys)
    p = fit_poly(v, None, 2)
    show("nab_poly2", p, ["rsquare", "variance", "rvariance"])
    for i, c in enumerate(p["coefficients"]):
        print(f"nab_poly2.coefficients[{i}] = {float(c)!r}")
    fr = fir(v, [1] * 48, True, True)
    show_arr("nab_fir48_centered", fr, [0, 23, 5000, 10319])
    ie = iir(v, [0.1], [1.0, -0.9])
    show_arr("nab_iir_smoothing", ie, [0, 5000, 10319])
    F = np.fft.fft(v)
    show_arr("nab_fft.real", F.real, [0, 215, 1505])
    show_arr("nab_fft.imag", F.imag, [215, 1505])


if __name__ == "__main__":
    main()

# ---- The values this script printed (NAB_2LINES=1 python3 tests/oracles/series_fits.py) ----
# # DOC-NUM vectors (ml-operators.md)
# doc_stats.min = 2.0
# doc_stats.min_idx = 8
# doc_stats.max = 87.0
# doc_stats.max_idx = 3
# doc_stats.avg = 32.8
# doc_stats.stdev = 28.503633853548266
# doc_stats.variance = 812.4571428571427
# doc_stats.sum = 492.0
# doc_stats.len = 15
# doc_line.rsquare = 0.982900730884447
# doc_line.slope = 2.73076923076923
# doc_line.variance = 98.62878787878786
# doc_line.rvariance = 1.6864801864801862
# doc_line.interception = -1.6666666666666745
# doc_line.line_fit[0] = 1.0641025641025554
# doc_line.line_fit[11] = 31.102564102564084
# doc_line.line_fit.sum = 192.99999999999983
# doc_2lines.rsquare = 0.9865131917168768
# doc_2lines.split_idx = 5
# doc_2lines.variance = 13.894000000000002
# doc_2lines.rvariance = 0.18738571428571443
# doc_2lines.left.rsquare = 0.9384576098059244
# doc_2lines.left.slope = 1.05
# doc_2lines.left.interception = -0.07000000000000016
# doc_2lines.left.variance = 2.9370000000000003
# doc_2lines.left.rvariance = 0.1807500000000001
# doc_2lines.right.rsquare = 0.9423851242624709
# doc_2lines.right.slope = -1.0371428571428571
# doc_2lines.right.interception = 12.98
# doc_2lines.right.variance = 3.995
# doc_2lines.right.rvariance = 0.23017142857142883
# doc_fir.causal = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 6.0, 14.0, 34.0, 42.0, 44.0, 42.0, 34.0, 14.0, 6.0, 2.0, 0.0, 0.0, 0.0, 0.0]
# doc_fir.centered = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 6.0, 14.0, 34.0, 42.0, 44.0, 42.0, 34.0, 14.0, 6.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
# doc_iir = [1.0, 3.0, 6.0, 10.0, 15.0, 21.0, 28.0, 36.0, 45.0, 55.0]
# # G: generated series
# g1_stats.min = -1.715757724135882
# g1_stats.min_idx = 14
# g1_stats.max = 60.563759284045034
# g1_stats.max_idx = 90
# g1_stats.avg = 28.02920021483159
# g1_stats.stdev = 15.77301221741428
# g1_stats.variance = 248.78791441070013
# g1_stats.sum = 2802.920021483159
# g1_stats_ignore.min = -1.715757724135882
# g1_stats_ignore.max = 60.563759284045034
# g1_stats_ignore.avg = 28.091246869546396
# g1_stats_ignore.stdev = 15.892104066334339
# g1_stats_ignore.variance = 252.55897165520042
# g1_stats_ignore.sum = 2752.942193215547
# g1_stats_ignore.min_idx = 14
# g1_stats_ignore.max_idx = 90
# g1_line.rsquare = 0.7817040878919808
# g1_line.slope = 0.4806907526247699
# g1_line.variance = 248.78791441070013
# g1_line.rvariance = 54.30938469773562
# g1_line.interception = 3.7543172072807094
# g1_line.line_fit[0] = 4.235007959905479
# g1_line.line_fit[50] = 28.269545591143974
# g1_line.line_fit[99] = 51.8233924697577
# g1_line.line_fit.sum = 2802.9200214831594
# g1_2lines.rsquare = 0.8149234635331754
# g1_2lines.split_idx = 87
# g1_2lines.variance = 248.78791441070013
# g1_2lines.rvariance = 46.044805513937185
# g1_2lines.left.rsquare = 0.7209726506832158
# g1_2lines.left.slope = 0.4589615707239562
# g1_2lines.left.interception = 4.353849225004044
# g1_2lines.left.variance = 186.4037025575658
# g1_2lines.left.rvariance = 52.011731027471846
# g1_2lines.right.rsquare = 0.8255808258526443
# g1_2lines.right.slope = -1.4905421385035622
# g1_2lines.right.interception = 61.759198521563555
# g1_2lines.right.variance = 40.814930437364374
# g1_2lines.right.rvariance = 7.118906459766865
# g1_2lines.line_fit[0] = 4.812810795728001
# g1_2lines.line_fit[99] = 42.38215072101725
# g1_2lines.line_fit.sum = 2802.9200214831585
# g1_poly3.rsquare = 0.78694143211763
# g1_poly3.variance = 248.78791441070013
# g1_poly3.rvariance = 53.00639675078541
# g1_poly3.coefficients[0] = -5.542816701729696e-05
# g1_poly3.coefficients[1] = 0.008988827589981426
# g1_poly3.coefficients[2] = 0.0800090655117201
# g1_poly3.coefficients[3] = 7.710612549373726
# g1_poly3.poly_fit[0] = 7.79955501430841
# g1_poly3.poly_fit[99] = 50.17162798306304
# g1_poly3.poly_fit.sum = 2802.9200214831585
# g1_fir_causal[0] = 0.0
# g1_fir_causal[3] = 4.7768583071128585
# g1_fir_causal[50] = 36.75674364336751
# g1_fir_causal[99] = 45.24785622661203
# g1_fir_causal.sum = 2719.128924228118
# g1_fir_centered[0] = 1.9507587630196828
# g1_fir_centered[50] = 32.89916639763018
# g1_fir_centered[98] = 38.15730385749139
# g1_fir_centered[99] = 27.657144350852498
# g1_fir_centered.sum = 2784.448349984617
# g1_fir_second_difference[0] = 0.0
# g1_fir_second_difference[1] = 4.455202066613396
# g1_fir_second_difference[2] = -0.26397939927643677
# g1_fir_second_difference[50] = 6.244519544205261
# g1_fir_second_difference.sum = 0.6306752495564947
# g1_fir_even_centered[0] = 1.113800516653349
# g1_fir_even_centered[50] = 34.14608255244986
# g1_fir_even_centered[99] = 31.93239672621626
# g1_fir_even_centered.sum = 2772.6238434199568
# g1_iir_smoothing[0] = 0.0
# g1_iir_smoothing[1] = 0.8910404133226791
# g1_iir_smoothing[50] = 31.64216130649921
# g1_iir_smoothing[99] = 46.596997897228924
# g1_iir_smoothing.sum = 2616.532029894244
# butter2_0.2.b = [0.0674552738890719, 0.1349105477781438, 0.0674552738890719]
# butter2_0.2.a = [1.0, -1.1429805025399011, 0.41280159809618877]
# g1_iir_butter[0] = 0.0
# g1_iir_butter[1] = 0.3005268756345657
# g1_iir_butter[50] = 37.201511268901385
# g1_iir_butter[99] = 45.5611539704797
# g1_iir_butter.sum = 2712.4612245374265
# g1_fft.real[0] = 2802.9200214831585
# g1_fft.real[1] = 4.193500642952438
# g1_fft.real[7] = -51.06763214984248
# g1_fft.real[50] = -21.698953837254308
# g1_fft.real[99] = 4.193500642952409
# g1_fft.real.sum = -4.591882429849647e-13
# g1_fft.imag[1] = 802.7793314260728
# g1_fft.imag[7] = 70.31661404129025
# g1_fft.imag[99] = -802.7793314260728
# g1_fft.imag.sum = -1.1368683772161603e-13
# g1_97_fft.real[1] = 34.67558927337777
# g1_97_fft.real[48] = -24.84341760778526
# g1_97_fft.real.sum = -5.8264504332328215e-12
# g1_97_fft.imag[1] = 753.8111008693683
# g1_97_fft.imag[48] = 0.7222143310548765
# g1_97_fft.imag.sum = -3.410605131648481e-13
# g1_complex_fft.real[3] = 310.6992661170688
# g1_complex_fft.real.sum = -1.0231815394945443e-12
# g1_complex_fft.imag[3] = 375.5708961601922
# g1_complex_fft.imag.sum = 4060.5129167454634
# g1_ifft.real[0] = 28.029200214831587
# g1_ifft.real[1] = 0.041935006429524385
# g1_ifft.real[50] = -0.2169895383725431
# g1_ifft.real.sum = -1.3183898417423734e-16
# g1_ifft.imag[1] = -8.027793314260729
# g1_ifft.imag[50] = 1.9539925233402755e-16
# g1_ifft.imag.sum = -1.7763568394002505e-15
# g2_poly5.rsquare = 0.9989279527399918
# g2_poly5.variance = 42.0394736774017
# g2_poly5.rvariance = 0.04506830256804474
# g2_poly5.coefficients[0] = 1.0008827808027347
# g2_poly5.coefficients[1] = -0.0017589009132070212
# g2_poly5.coefficients[2] = -8.004036131965178
# g2_poly5.coefficients[3] = 0.0063485436700294684
# g2_poly5.coefficients[4] = 10.003369098658911
# g2_poly5.coefficients[5] = 5.997544908753022
# g2_poly5.poly_fit[0] = 15.939017336024868
# g2_poly5.poly_fit[100] = 7.934757849424281
# g2_poly5.poly_fit[199] = 16.59314741746988
# g2_poly5.poly_fit.sum = 1181.5212590668575
# # NAB realKnownCause/nyc_taxi.csv
# nab.len = 10320
# nab_stats.min = 8.0
# nab_stats.min_idx = 10086
# nab_stats.max = 39197.0
# nab_stats.max_idx = 5954
# nab_stats.avg = 15137.569379844961
# nab_stats.stdev = 6939.495808067993
# nab_stats.variance = 48156602.07019324
# nab_stats.sum = 156219716.0
# nab_line.rsquare = 0.00032738861140202413
# nab_line.slope = -0.0421453424528689
# nab_line.variance = 48156602.07019324
# nab_line.rvariance = 48140836.14711164
# nab_line.interception = 15355.060419572987
# nab_line.line_fit[0] = 15355.018274230533
# nab_line.line_fit[10319] = 14920.12048545938
# nab_line.line_fit.sum = 156219715.99999994
# nab_2lines.rsquare = 0.01983285864427664
# nab_2lines.split_idx = 10063
# nab_2lines.variance = 48156602.07019324
# nab_2lines.rvariance = 47201518.988546416
# nab_2lines.left.rsquare = 2.6898118599683052e-05
# nab_2lines.left.slope = -0.012297909981897762
# nab_2lines.left.interception = 15255.800900777092
# nab_2lines.left.variance = 47452333.07782104
# nab_2lines.left.rvariance = 47451056.69933808
# nab_2lines.right.rsquare = 0.47083771575495215
# nab_2lines.right.slope = 77.7896167484843
# nab_2lines.right.interception = 2896.349556177046
# nab_2lines.right.variance = 71013939.010366
# nab_2lines.right.rvariance = 37577898.17996378
# nab_poly2.rsquare = 0.005827051454796006
# nab_poly2.variance = 48156602.07019324
# nab_poly2.rvariance = 47875991.072042085
# nab_poly2.coefficients[0] = -6.482638086777046e-05
# nab_poly2.coefficients[1] = 0.6269277344833892
# nab_poly2.coefficients[2] = 14204.031702883656
# nab_fir48_centered[0] = 5204.916666666667
# nab_fir48_centered[23] = 15205.33333333334
# nab_fir48_centered[5000] = 13240.895833333332
# nab_fir48_centered[10319] = 12527.041666666664
# nab_fir48_centered.sum = 156023034.3125
# nab_iir_smoothing[0] = 1084.4
# nab_iir_smoothing[5000] = 9713.216607368258
# nab_iir_smoothing[10319] = 24293.080705076227
# nab_iir_smoothing.sum = 156001078.27365434
# nab_fft.real[0] = 156219716.0
# nab_fft.real[215] = -6930006.76192986
# nab_fft.real[1505] = -963535.0228479451
# nab_fft.real.sum = 111910079.99999996
# nab_fft.imag[215] = 33093497.610560317
# nab_fft.imag[1505] = -2202371.794242911
# nab_fft.imag.sum = -2.9802322387695312e-08
