"""Parameter sweep behind the improved mode of run_kql.py (see RESULTS.md).

For each trend choice the engine is run once per series to get ad_score (which does not depend
on the threshold); flags are then re-derived here as |ad_score| > threshold, the quiet-period
filter of the improved mode is applied, and the detections are scored. The chosen setting is
then re-run end to end, in KQL, by `run_kql.py --mode improved`.

    python3 bench/nab/sweep.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import run_kql as R  # noqa: E402
from scorer import PROFILES, Corpus, parse_ts, score_corpus, window_rows  # noqa: E402

NAB = "/work/shared/data/nab"


def scores(kql: str, path: str, step: str, args: str) -> tuple[list, list]:
    q = (
        f"S | make-series v=avg(value) default=double(null) on timestamp step {step}"
        " | extend v = series_fill_linear(v)"
        f" | extend (flag, score, baseline) = series_decompose_anomalies(v{args})"
        " | mv-expand timestamp to typeof(datetime), score to typeof(real)"
        " | project timestamp, score"
    )
    out = subprocess.run(
        [kql, "--format", "csv", "-t", f"S={path}", q], capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    rows = [line.split(",") for line in out.stdout.strip().splitlines()[1:]]
    return [parse_ts(r[0]) for r in rows], [float(r[1]) if r[1] else 0.0 for r in rows]


def main() -> None:
    kql = R.kql_binary(None)
    with open(os.path.join(NAB, "labels", "combined_windows.json")) as f:
        labels = json.load(f)
    files, steps = {}, {}
    for name in sorted(labels):
        ts = R.read_timestamps(os.path.join(NAB, "data", name))
        files[name] = (ts, window_rows(ts, labels[name]))
        steps[name] = R.step_of(ts)
    corpus = Corpus(files=files)
    for trend in ("avg", "linefit"):
        got = {
            n: scores(kql, os.path.join(NAB, "data", n), R.kql_step(steps[n]),
                      f", 1.5, -1, '{trend}'")
            for n in files
        }
        for thr in (3.0, 4.0, 5.0, 6.0, 8.0):
            cells = []
            for qf in (0.0, 0.005, 0.01, 0.015, 0.02):
                dets = {}
                for n, (ts, _) in files.items():
                    bt, sc = got[n]
                    quiet = max(1, int(qf * len(ts))) if qf > 0 else 0
                    last, bins = None, []
                    for j, s in enumerate(sc):
                        if abs(s) > thr:
                            if last is None or j - last > quiet:
                                bins.append(bt[j])
                            last = j
                    dets[n] = R.detections_to_rows(ts, bins, steps[n])
                r = [score_corpus(corpus, dets, PROFILES[p])[0] for p in PROFILES]
                cells.append(f"{r[0]:.1f} / {r[1]:.1f} / {r[2]:.1f}")
            print(f"| {trend} | {thr} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
