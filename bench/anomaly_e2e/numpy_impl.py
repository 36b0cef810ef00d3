"""series_decompose_anomalies with default parameters (seasonality -1, trend avg, threshold 1.5,
ctukey, seasonality threshold 0.6, no test points) over a matrix of series, in numpy.

Two pieces:
* `detect_periods`: the seasonality autodetection. Kusto does not publish its algorithm; this
  is a numpy port of the engine's documented choice (functions/src/ml/periods.rs module
  comment, ml-operators.md section 11 [CHOICE]), written from that description: detrend by a
  least-squares line, unbiased autocorrelation by a zero-padded FFT, score(L) = r(L)(1-(L/n)^2)
  clipped to [0, 1] and zeroed under 2/sqrt(n), candidate lags = local maxima of r within +/-20%
  of the 18 strongest periodogram peaks, best score wins if it reaches 0.6. It is vectorized
  over all rows at once.
* the decomposition and scoring: either tests/oracles/anomaly.py's `anomalies` row by row
  (`anomalies_oracle`, the oracle the engine is tested against, imported as is) or the same
  formulas vectorized over the matrix (`anomalies_matrix`, checked equal to the oracle by
  run.py).
"""

import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "oracles"))

import anomaly  # noqa: E402  (tests/oracles/anomaly.py)

F_CTUKEY = anomaly.F_CTUKEY


def detect_periods(x: np.ndarray, threshold: float = 0.6, num: int = 1) -> np.ndarray:
    """The autodetected period of every row of `x` (rows x n, all finite), 0 for none."""
    rows, n = x.shape
    t = np.arange(n, dtype=np.float64)
    # 1. remove the least-squares line
    mean_t = (n - 1) / 2.0
    mean_z = x.mean(axis=1, keepdims=True)
    stt = n * (n * n - 1) / 12.0
    slope = ((t - mean_t) * (x - mean_z)).sum(axis=1, keepdims=True) / stt
    z = x - (mean_z + slope * (t - mean_t))
    var0 = (z * z).sum(axis=1)
    scale = np.abs(z).max(axis=1)
    ok = (var0 > 0) & (scale > 1e-12 * np.maximum(np.abs(mean_z[:, 0]), 1e-300))
    # 2. unbiased autocorrelation through a transform of length >= 2n
    m = 1 << (2 * n - 1).bit_length()
    f = np.fft.rfft(z, m, axis=1)
    c = np.fft.irfft(f.real**2 + f.imag**2, m, axis=1)[:, :n]
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (c / (n - t)) / (c[:, :1] / n)
    # 3. scores of the integer lags; 0 outside [4, n/2] and under the white-noise band
    lag = t
    score = np.clip(r * (1 - (lag / n) ** 2), 0.0, 1.0)
    score[score < 2.0 / np.sqrt(n)] = 0.0
    lo, hi = 4, n // 2
    score[:, :lo] = 0.0
    score[:, hi + 1 :] = 0.0
    # local maxima of r (lag 1 .. n-2)
    peak = np.zeros_like(score, dtype=bool)
    peak[:, 1:-1] = (r[:, 1:-1] >= r[:, :-2]) & (r[:, 1:-1] >= r[:, 2:])
    # 4. periodogram peaks (unpadded), strongest first, periods within the widened range
    p = np.abs(np.fft.rfft(z, n, axis=1)) ** 2
    kk = np.arange(p.shape[1])
    with np.errstate(divide="ignore"):
        per = n / kk
    inrange = (per >= 0.8 * lo) & (per <= 1.2 * hi)
    inrange[0] = False
    is_max = np.ones_like(p, dtype=bool)
    is_max[:, 1:] &= p[:, 1:] >= p[:, :-1]
    is_max[:, :-1] &= p[:, :-1] >= p[:, 1:]
    cand = is_max & inrange[None, :]
    keyed = np.where(cand, p, -np.inf)
    top = min(2 * num + 16, p.shape[1])
    order = np.argsort(-keyed, axis=1, kind="stable")[:, :top]
    valid = np.take_along_axis(cand, order, axis=1)
    # lags covered by the windows [max(floor(0.8 per), lo), min(ceil(1.2 per), hi)]
    per_top = n / np.maximum(order, 1)
    a = np.maximum(np.floor(0.8 * per_top), lo).astype(np.int64)
    b = np.minimum(np.ceil(1.2 * per_top), hi).astype(np.int64)
    valid &= a <= b
    diff = np.zeros((rows, n + 1), dtype=np.int64)
    ri = np.repeat(np.arange(rows), top).reshape(rows, top)
    np.add.at(diff, (ri[valid], a[valid]), 1)
    np.add.at(diff, (ri[valid], b[valid] + 1), -1)
    covered = np.cumsum(diff[:, :n], axis=1) > 0
    s = np.where(covered & peak & (score > 0), score, 0.0)
    # with num = 1 the result is the best-scoring candidate (the smallest lag on a tie)
    best = s.argmax(axis=1)
    best_score = s[np.arange(rows), best]
    return np.where(ok & (best_score > 0) & (best_score >= threshold), best, 0)


def anomalies_oracle(x: np.ndarray, periods: np.ndarray, threshold: float = 1.5):
    """tests/oracles/anomaly.py's `anomalies` on every row; (flags, scores, baselines)."""
    fl = np.zeros(x.shape, dtype=np.int64)
    sc = np.zeros(x.shape)
    bl = np.zeros(x.shape)
    for i in range(x.shape[0]):
        fl[i], sc[i], bl[i] = anomaly.anomalies(x[i], int(periods[i]), threshold)
    return fl, sc, bl


def seasonal_matrix(x: np.ndarray, periods: np.ndarray) -> np.ndarray:
    """Per-phase medians tiled, rows grouped by period (0 where no period or < 2 cycles)."""
    rows, n = x.shape
    out = np.zeros_like(x)
    for p in np.unique(periods):
        p = int(p)
        if p <= 0 or n < 2 * p:
            continue
        idx = np.nonzero(periods == p)[0]
        cycles = -(-n // p)
        pad = np.full((len(idx), cycles * p), np.nan)
        pad[:, :n] = x[idx]
        med = np.nanmedian(pad.reshape(len(idx), cycles, p), axis=1)
        out[idx] = np.tile(med, cycles)[:, :n]
    return out


def tukey_scores(r: np.ndarray, lp: float = 10, hp: float = 90, f: float = F_CTUKEY):
    """series_outliers (ctukey by default) of every row of `r`, percentiles over the row."""
    lo, hi = np.percentile(r, [lp, hp], axis=1)
    iqr = (hi - lo)[:, None]
    lo, hi = lo[:, None], hi[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        up = f * (r - hi) / iqr
        down = f * (r - lo) / iqr
    sc = np.where(r > hi, up, np.where(r < lo, down, 0.0))
    return np.where(iqr > 0, sc, 0.0)


def flags_of(sc: np.ndarray, threshold: float = 1.5) -> np.ndarray:
    return np.where(sc > threshold, 1, np.where(sc < -threshold, -1, 0))


def anomalies_matrix(x: np.ndarray, periods: np.ndarray, threshold: float = 1.5):
    """The oracle's formulas (trend avg, ctukey) vectorized; (flags, scores, baselines)."""
    s = seasonal_matrix(x, periods)
    t = (x - s).mean(axis=1, keepdims=True)
    b = s + t
    sc = tukey_scores(x - b)
    return flags_of(sc, threshold), sc, b
