#!/usr/bin/env python3
"""Oracle values (numpy / pandas) for the window plugins rolling_percentile, session_count and
sliding_window_counts (functions/src/plugins/{rolling_percentile,session_count,
sliding_window_counts}.rs), computed independently of the engine from the definitions the
docs give (rolling-percentile-plugin.md, session-count-plugin.md,
sliding-window-counts-plugin.md, tutorials/use-aggregation-functions.md):

  - rolling_percentile(v, P, t, B, W, dim): per dim and per bin floor(t/B)*B that has rows,
    numpy.percentile(method='inverted_cdf') — the nearest-rank percentile, which the docs'
    3-day-median example shows (12, 24, 36, 60, ...) — of the values in bins b-(W-1)*B .. b;
  - sliding_window_counts(id, t, S, E, L, B, dim): rows binned by bin_at(t, B, S); for each
    bin S, S+B, ..., <= E the rows and distinct ids (pandas nunique) of the last floor(L/B)
    bins up to and including it; only bins whose window has rows;
  - session_count(id, t, S, E, B, L, dim): rows with S <= t <= E; per (dim, id) in time order
    a row starts a new session when it is the first or comes more than L after the previous
    row of the same (dim, id); sessions started per (dim, floor(t/B)*B), for every (dim, bin)
    that has rows.

Data (G): 120 rows from the LCG s -> (1103515245*s + 12345) mod 2^31, seed 7, each draw being
s >> 16; per row four draws r1..r4 (in that order): id = "u" + str(r1 % 9), t = r2 % 200,
v = r3 % 1000,
dim = "A" if r4 % 2 == 0 else "B". The Rust tests regenerate the same rows.

Also printed: the docs' session_count example (ids 1..50 at every multiple over 1..9999, bins
of 100, look-back 41), the first 12 bins, to compare with the docs' chart.

Run: python3 tests/oracles/plugins_windows.py   (the values it printed are at the end)
"""

import numpy as np
import pandas as pd


def lcg_rows(n=120, seed=7):
    s = seed
    rows = []

    def draw():
        nonlocal s
        s = (1103515245 * s + 12345) % (2**31)
        return s >> 16

    for _ in range(n):
        r1, r2, r3, r4 = draw(), draw(), draw(), draw()
        rows.append(("u" + str(r1 % 9), r2 % 200, r3 % 1000, "A" if r4 % 2 == 0 else "B"))
    return pd.DataFrame(rows, columns=["id", "t", "v", "dim"])


def rolling_percentile(df, p, size, window):
    out = []
    df = df.assign(b=(df.t // size) * size)
    for dim, g in sorted(df.groupby("dim"), key=lambda x: x[0]):
        for b in sorted(g.b.unique()):
            vals = g[(g.b >= b - (window - 1) * size) & (g.b <= b)].v.to_numpy()
            out.append((dim, int(b), int(np.percentile(vals, p, method="inverted_cdf"))))
    return out


def sliding_window_counts(df, start, end, lookback, size):
    n = lookback // size
    out = []
    df = df.assign(b=start + ((df.t - start) // size) * size)
    for dim, g in sorted(df.groupby("dim"), key=lambda x: x[0]):
        b = start
        while b <= end:
            w = g[(g.b > b - n * size) & (g.b <= b)]
            if len(w) > 0:
                out.append((dim, int(b), len(w), int(w.id.nunique())))
            b += size
    return out


def session_count(df, start, end, size, lookback):
    df = df[(df.t >= start) & (df.t <= end)].copy()
    df = df.sort_values(["dim", "id", "t"], kind="stable")
    df["prev"] = df.groupby(["dim", "id"]).t.shift(1)
    df["new"] = df.prev.isna() | (df.t - df.prev > lookback)
    df["b"] = (df.t // size) * size
    res = df.groupby(["dim", "b"]).new.sum().reset_index().sort_values(["dim", "b"])
    return [(r.dim, int(r.b), int(r.new)) for r in res.itertuples()]


def doc_session_example():
    t = np.arange(1, 10000)
    rows = [(int(x), k) for x in t for k in range(1, 51) if x % k == 0]
    df = pd.DataFrame(rows, columns=["t", "id"]).assign(dim="-")
    return [c for _, _, c in session_count(df, 1, 10000, 100, 41)][:12]


def main():
    df = lcg_rows()
    print("# G head:", df.head(3).to_records(index=False).tolist())
    print("# rolling_percentile(v, 75, t, 10, 3, dim):")
    print(";".join(f"{d},{b},{x}" for d, b, x in rolling_percentile(df, 75, 10, 3)))
    print("# sliding_window_counts(id, t, 20, 180, 30, 10, dim):")
    print(";".join(f"{d},{b},{c},{u}" for d, b, c, u in sliding_window_counts(df, 20, 180, 30, 10)))
    print("# session_count(id, t, 10, 190, 20, 15, dim):")
    print(";".join(f"{d},{b},{c}" for d, b, c in session_count(df, 10, 190, 20, 15)))
    print("# docs' session_count example, first 12 bins:")
    print(doc_session_example())


if __name__ == "__main__":
    main()

# Printed by this script (python 3, numpy 2.4.6, pandas 3.1.1):
# G head: [('u7', 6, 868, 'A'), ('u5', 165, 34, 'A'), ('u2', 113, 213, 'B')]
# rolling_percentile(v, 75, t, 10, 3, dim):
# A,0,868;A,10,850;A,20,750;A,30,565;A,40,420;A,50,420;A,60,230;A,70,749;A,80,749;A,90,759;A,100,759;A,110,854;A,120,880;A,130,631;A,140,631;A,150,754;A,160,698;A,170,698;A,180,756;A,190,849;B,0,581;B,10,674;B,20,639;B,30,639;B,40,420;B,50,453;B,60,587;B,70,928;B,80,587;B,90,493;B,100,444;B,110,366;B,120,531;B,130,531;B,140,501;B,150,580;B,160,580;B,170,622;B,180,552;B,190,703
# sliding_window_counts(id, t, 20, 180, 30, 10, dim):
# A,20,10,6;A,30,9,6;A,40,9,8;A,50,8,5;A,60,8,5;A,70,9,6;A,80,7,6;A,90,9,5;A,100,9,5;A,110,9,6;A,120,7,4;A,130,6,3;A,140,8,6;A,150,7,7;A,160,12,9;A,170,10,7;A,180,11,7;B,20,9,6;B,30,5,4;B,40,6,6;B,50,6,5;B,60,6,6;B,70,7,5;B,80,10,5;B,90,13,6;B,100,11,6;B,110,8,5;B,120,7,5;B,130,8,6;B,140,9,6;B,150,8,4;B,160,9,6;B,170,8,6;B,180,14,8
# session_count(id, t, 10, 190, 20, 15, dim):
# A,0,2;A,20,4;A,40,5;A,60,2;A,80,4;A,100,3;A,120,1;A,140,5;A,160,6;A,180,2;B,0,1;B,20,3;B,40,4;B,60,3;B,80,4;B,100,3;B,120,5;B,140,3;B,160,4;B,180,4
# docs' session_count example, first 12 bins:
# [58, 18, 19, 20, 19, 20, 19, 21, 18, 20, 19, 20]
