#!/usr/bin/env python3
"""Writes the benchmark table of bench/anomaly_e2e: a deterministic Parquet file with one row per
computer per hour.

    bench/anomaly_e2e/.venv/bin/python bench/anomaly_e2e/gen.py [--out PATH] [--keys N] [--hours H]

Columns (7,200,000 rows with the defaults):
  Computer       string, "host-00000" .. "host-09999" (10,000 keys)
  TimeGenerated  timestamp[us, UTC], hourly from 2024-01-01T00:00Z, 720 points (30 days)
  Value          float64

Value per key k and hour t (all parameters drawn per key from numpy's PCG64 with a fixed seed):
  level_k + a_k * daily(t) + b_k * weekly(t) + slope_k * t + noise_k(t) + spikes
  daily(t)  = sin(2*pi*(t - phase_k)/24)             (a_k in 0..6 x noise sd: weak .. strong)
  weekly(t) = -1 on Saturdays and Sundays, else 0     (b_k in 0..4 x noise sd; 2024-01-06 is a Saturday)
  noise     = Gaussian, sd_k in 0.5..3
  spikes    = 3 points per key at random hours, +/-(6..12) x sd_k (a sign per spike)
The mix gives keys whose autodetected period is 24, 168 or none, as in real fleets.

Rows are written in time order (every key for hour 0, then hour 1, ...), as a log export
would be, so make-series has to group, not just read runs. The file is about 31 MB (snappy, dictionary-encoded keys, 7 row groups).
"""

import argparse
import os
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240101


def generate(keys: int, hours: int, seed: int = SEED):
    rng = np.random.default_rng(seed)
    t = np.arange(hours, dtype=np.float64)
    sd = rng.uniform(0.5, 3.0, keys)
    level = rng.uniform(10.0, 100.0, keys)
    a = rng.uniform(0.0, 6.0, keys) * sd
    b = rng.uniform(0.0, 4.0, keys) * sd
    slope = rng.normal(0.0, 0.002, keys) * sd
    phase = rng.integers(0, 24, keys)
    day = (np.arange(hours) // 24) % 7  # 2024-01-01 is a Monday: day 5 and 6 are the weekend
    weekend = np.where(day >= 5, -1.0, 0.0)
    daily = np.sin(2 * np.pi * (t[None, :] - phase[:, None]) / 24.0)
    v = (
        level[:, None]
        + a[:, None] * daily
        + b[:, None] * weekend[None, :]
        + slope[:, None] * t[None, :]
        + rng.normal(0.0, 1.0, (keys, hours)) * sd[:, None]
    )
    n_spikes = 3
    pos = rng.integers(0, hours, (keys, n_spikes))
    mag = rng.uniform(6.0, 12.0, (keys, n_spikes)) * np.where(
        rng.random((keys, n_spikes)) < 0.5, -1.0, 1.0
    )
    rows = np.repeat(np.arange(keys), n_spikes)
    np.add.at(v, (rows, pos.ravel()), (mag * sd[:, None]).ravel())
    return np.round(v, 3)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(HERE, "data", "perf.parquet"))
    ap.add_argument("--keys", type=int, default=10_000)
    ap.add_argument("--hours", type=int, default=720)
    args = ap.parse_args()
    t0 = time.perf_counter()
    v = generate(args.keys, args.hours)  # keys x hours
    names = np.array([f"host-{k:05d}" for k in range(args.keys)], dtype=object)
    start = np.datetime64("2024-01-01T00:00:00", "us")
    times = start + np.arange(args.hours).astype("timedelta64[h]").astype("timedelta64[us]")
    # time-major order: row r = hour (r // keys), key (r % keys)
    table = pa.table(
        {
            "Computer": pa.array(np.tile(names, args.hours), pa.string()),
            "TimeGenerated": pa.array(
                np.repeat(times, args.keys), pa.timestamp("us", tz="UTC")
            ),
            "Value": pa.array(v.T.ravel(), pa.float64()),
        }
    )
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    pq.write_table(table, args.out, compression="snappy")
    md = pq.ParquetFile(args.out).metadata
    print(
        f"wrote {args.out}: {md.num_rows} rows, {md.num_row_groups} row groups, "
        f"{os.path.getsize(args.out) / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s"
    )


if __name__ == "__main__":
    main()
