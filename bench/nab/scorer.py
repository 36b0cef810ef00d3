"""A scorer for the Numenta Anomaly Benchmark (NAB), written from NAB's published rules.

Rules implemented (NAB paper, Lavin & Ahmad 2015, and the NAB README):

* Each labelled anomaly window [start, end] covers the data rows whose timestamp lies in it.
* A detection is a data row the detector flags. Detections in the probationary period (the
  first min(15 % of the file, 15 % of 5000) rows) are ignored.
* Inside a window only the earliest detection counts (later ones in the same window add
  nothing). It earns  A_TP * sigma(y) / sigma(-1)  where y = -(right - i + 1) / width is the
  row's relative position in the window (-1 at its first row, -1/width at its last) and
  sigma(y) = 2 / (1 + exp(5 y)) - 1 is NAB's scaled sigmoid (sigma(y) = -1 for y > 3).
  Dividing by sigma(-1) makes a detection on a window's first row worth exactly A_TP.
* A detection outside every window is a false positive. Before the first window it costs
  A_FP in full. After a window it costs  -A_FP * sigma(y)  with y = (i - right) / (width - 1)
  the distance past the previous window's last row in units of that window's width, so a
  detection just after a window costs little and one more than three widths later the full
  A_FP.
* Every window with no counted detection costs A_FN.
* A file's raw score is the sum of these; a detector's raw score is the sum over files. It is
  normalised as 100 * (raw - null) / (perfect - null), where the null detector (no
  detections) scores -A_FN per window and the perfect detector (one detection on each
  window's first row) +A_TP per window.

A_TN is part of each application profile but true negatives earn nothing in NAB's scoring;
it is kept only so the profiles read as NAB publishes them.

Standard library only.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Sequence

PROFILES: dict[str, dict[str, float]] = {
    "standard": {"tp": 1.0, "fp": 0.11, "fn": 1.0, "tn": 1.0},
    "reward_low_FP_rate": {"tp": 1.0, "fp": 0.22, "fn": 1.0, "tn": 1.0},
    "reward_low_FN_rate": {"tp": 1.0, "fp": 0.11, "fn": 2.0, "tn": 1.0},
}

PROBATION_PERCENT = 0.15


def scaled_sigmoid(y: float) -> float:
    """NAB's scaled sigmoid: 2 / (1 + e^(5y)) - 1, and -1 beyond y = 3."""
    if y > 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * y)) - 1.0


MAX_TP = scaled_sigmoid(-1.0)


def probation_rows(n_rows: int, percent: float = PROBATION_PERCENT) -> int:
    """Number of leading rows whose detections are ignored."""
    return int(min(math.floor(percent * n_rows), percent * 5000))


def parse_ts(text: str) -> datetime:
    """Parses NAB's `YYYY-MM-DD HH:MM:SS[.ffffff]` (and ISO `...T...Z`) timestamps."""
    t = text.strip().replace("T", " ").rstrip("Z")
    return datetime.fromisoformat(t)


def window_rows(
    timestamps: Sequence[datetime], windows: Iterable[Sequence[str]]
) -> list[tuple[int, int]]:
    """Each window [start, end] as the inclusive row range [lo, hi] of the sorted timestamps
    inside it. Windows with no rows are dropped."""
    out = []
    for start, end in windows:
        lo = bisect.bisect_left(timestamps, parse_ts(start))
        hi = bisect.bisect_right(timestamps, parse_ts(end)) - 1
        if hi >= lo:
            out.append((lo, hi))
    out.sort()
    return out


@dataclass
class FileScore:
    raw: float = 0.0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tp_score: float = 0.0
    fp_score: float = 0.0
    fn_score: float = 0.0
    parts: list[tuple[int, str, float]] = field(default_factory=list)


def score_file(
    n_rows: int,
    windows: Sequence[tuple[int, int]],
    detections: Iterable[int],
    profile: dict[str, float],
    probation: int | None = None,
) -> FileScore:
    """Raw NAB score of one file.

    `windows`: inclusive row ranges, sorted and disjoint; `detections`: flagged row indexes.
    """
    if probation is None:
        probation = probation_rows(n_rows)
    his = [hi for _, hi in windows]
    hit = [False] * len(windows)
    s = FileScore()
    for i in sorted(set(detections)):
        if i < probation or i < 0 or i >= n_rows:
            continue
        # The first window whose last row is at or after i.
        k = bisect.bisect_left(his, i)
        if k < len(windows) and windows[k][0] <= i:
            lo, hi = windows[k]
            if hit[k]:
                continue
            hit[k] = True
            width = hi - lo + 1
            y = -(hi - i + 1) / width
            v = profile["tp"] * scaled_sigmoid(y) / MAX_TP
            s.tp += 1
            s.tp_score += v
            s.parts.append((i, "TP", v))
        else:
            if k == 0:
                v = -profile["fp"]
            else:
                lo, hi = windows[k - 1]
                width = hi - lo + 1
                y = (i - hi) / max(width - 1, 1)
                v = profile["fp"] * scaled_sigmoid(y)
            s.fp += 1
            s.fp_score += v
            s.parts.append((i, "FP", v))
    for k, was_hit in enumerate(hit):
        if not was_hit:
            s.fn += 1
            s.fn_score -= profile["fn"]
            s.parts.append((windows[k][0], "FN", -profile["fn"]))
    s.raw = s.tp_score + s.fp_score + s.fn_score
    return s


def normalise(raw: float, n_windows: int, profile: dict[str, float]) -> float:
    """100 * (raw - null) / (perfect - null) over `n_windows` windows in all."""
    null = -profile["fn"] * n_windows
    perfect = profile["tp"] * n_windows
    if perfect == null:
        return 0.0
    return 100.0 * (raw - null) / (perfect - null)


@dataclass
class Corpus:
    """Per file: the sorted data timestamps and the window row ranges."""

    files: dict[str, tuple[list[datetime], list[tuple[int, int]]]]

    @property
    def n_windows(self) -> int:
        return sum(len(w) for _, w in self.files.values())


def score_corpus(
    corpus: Corpus,
    detections: dict[str, Iterable[int]],
    profile: dict[str, float],
) -> tuple[float, dict[str, FileScore]]:
    """Normalised score of a detector (row indexes per file) and the per-file scores.
    A file missing from `detections` counts as having no detections."""
    per_file = {}
    raw = 0.0
    for name, (ts, wins) in corpus.files.items():
        fs = score_file(len(ts), wins, detections.get(name, ()), profile)
        per_file[name] = fs
        raw += fs.raw
    return normalise(raw, corpus.n_windows, profile), per_file
