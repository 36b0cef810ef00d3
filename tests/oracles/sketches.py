#!/usr/bin/env python3
"""Exact oracle values for corpus/kqlt/functions_sketches.kqlt (numpy).

The .kqlt records check the HyperLogLog `dcount` and the t-digest `percentile` against
exact answers within the documented error bounds (dcount-aggregation-function.md,
"Estimation accuracy": sigma 1.6/0.8/0.4/0.28/0.2 % for accuracy 0..4, 99.7% of estimates
within 3 sigma; percentiles-aggregation-function.md: the rank error is at most 1%).

Datasets (the same formulas as the KQL `range`/`extend` in the .kqlt file):
  Q: range i from 0 to 299999 step 1 | extend v = (i * i) % 100003
  P: range i from 0 to 199999 step 1 | extend v = (i * 7919) % 100003

Run: python3 tests/oracles/sketches.py
"""
import math

import numpy as np


def nearest_rank(sorted_values, p):
    """Kusto's nearest-rank percentile: the smallest value with at least p% of the values
    less than or equal to it; the minimum for p = 0."""
    n = len(sorted_values)
    if p <= 0:
        return sorted_values[0]
    rank = min(max(math.ceil(p / 100.0 * n), 1), n)
    return sorted_values[rank - 1]


def main():
    i = np.arange(0, 300000, dtype=np.int64)
    q = (i * i) % 100003
    print("Q rows", len(q), "distinct", len(np.unique(q)))
    for lo in (1000, 5000, 20000):
        sub = q[i < lo]
        print(f"Q distinct where i < {lo}:", len(np.unique(sub)))

    j = np.arange(0, 200000, dtype=np.int64)
    v = np.sort((j * 7919) % 100003)
    print("P rows", len(v), "distinct", len(np.unique(v)))
    for p in (0, 1, 10, 50, 90, 99, 100):
        print(f"P nearest-rank P{p}:", nearest_rank(v, p))
    for x in (25000, 50000, 99999):
        print(f"P rank of {x}:", int(np.searchsorted(v, x, side="right")))

    # small exact cases: 1..1000 and the docs' weighted example
    s = np.arange(1, 1001)
    for p in (5, 50, 99.9):
        print(f"1..1000 nearest-rank P{p}:", nearest_rank(s, p))
    print("rank of 685 in 1..1000:", int(np.searchsorted(s, 685, side="right")))


if __name__ == "__main__":
    main()
