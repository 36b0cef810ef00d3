"""Oracle for corpus/kqlt/make_series.kqlt: make-series on a small generated table, computed with
pandas (ml-operators.md §2.5: group by keys and floor((axis - start) / step), reindex on the bin
range with the default). Prints the expected series; the .kqlt record carries these values.

    python3 tests/oracles/make_series.py
"""
import numpy as np
import pandas as pd

# the table of the record "generated table" (same rows as the datatable literal there)
rows = []
rng = np.random.default_rng(7)
for i in range(40):
    k = ["a", "b", "c"][i % 3]
    minute = int(rng.integers(0, 6 * 60))  # within 6 hours from 2024-03-01 00:00
    v = int(rng.integers(-5, 20))
    rows.append((k, minute, v))

print("datatable(k:string, m:long, v:long) rows (t = datetime(2024-03-01) + m minutes):")
print(", ".join(f'"{k}", {m}, {v}' for k, m, v in rows))

df = pd.DataFrame(rows, columns=["k", "minute", "v"])
start, end, step = 60, 300, 60  # from 01:00 to 05:00 step 1h
df = df[(df.minute >= start) & (df.minute < end)].copy()
df["bin"] = (df.minute - start) // step
nbins = (end - start + step - 1) // step
for k, g in sorted(df.groupby("k")):
    s = g.groupby("bin").v.sum().reindex(range(nbins), fill_value=0)
    c = g.groupby("bin").v.count().reindex(range(nbins), fill_value=0)
    a = g.groupby("bin").v.mean().reindex(range(nbins))
    m = g.groupby("bin").v.max().reindex(range(nbins))
    print(k, "sum", list(s), "count", list(c),
          "avg", [None if pd.isna(x) else round(float(x), 6) for x in a],
          "max(default=-99)", [(-99 if pd.isna(x) else int(x)) for x in m])
