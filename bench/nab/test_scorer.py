"""Hand-derived checks of the NAB scorer. Run: python3 bench/nab/test_scorer.py
(or python3 -m pytest bench/nab).

Useful identity for deriving values by hand: sigma(y) = 2/(1+e^(5y)) - 1 = tanh(-5y/2), so
sigma(-1) = tanh(2.5) = 0.98661429815...
"""

import math
import os
import sys
import unittest
from datetime import datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import scorer  # noqa: E402
from scorer import PROFILES, Corpus, normalise, score_corpus, score_file  # noqa: E402

STD = PROFILES["standard"]
LOW_FP = PROFILES["reward_low_FP_rate"]
LOW_FN = PROFILES["reward_low_FN_rate"]


class ScaledSigmoid(unittest.TestCase):
    def test_values(self):
        self.assertAlmostEqual(scorer.scaled_sigmoid(0.0), 0.0)
        self.assertAlmostEqual(scorer.scaled_sigmoid(-1.0), math.tanh(2.5))
        self.assertAlmostEqual(scorer.scaled_sigmoid(1.0), -math.tanh(2.5))
        self.assertAlmostEqual(scorer.scaled_sigmoid(3.0), -math.tanh(7.5))
        self.assertEqual(scorer.scaled_sigmoid(3.0001), -1.0)

    def test_probation(self):
        self.assertEqual(scorer.probation_rows(1000), 150)
        self.assertEqual(scorer.probation_rows(4032), 604)  # floor(604.8)
        self.assertEqual(scorer.probation_rows(22695), 750)  # capped at 15 % of 5000


class OneFile(unittest.TestCase):
    # 1000 rows, probation 150; windows rows 200..209 (width 10) and 500..519 (width 20).
    N = 1000
    W = [(200, 209), (500, 519)]

    def raw(self, det, profile=STD):
        return score_file(self.N, self.W, det, profile).raw

    def test_null_and_perfect(self):
        self.assertAlmostEqual(self.raw([]), -2.0)
        self.assertAlmostEqual(self.raw([200, 500]), 2.0)
        self.assertAlmostEqual(normalise(self.raw([]), 2, STD), 0.0)
        self.assertAlmostEqual(normalise(self.raw([200, 500]), 2, STD), 100.0)
        for p in (LOW_FP, LOW_FN):
            self.assertAlmostEqual(normalise(self.raw([], p), 2, p), 0.0)
            self.assertAlmostEqual(normalise(self.raw([200, 500], p), 2, p), 100.0)

    def test_only_first_detection_in_window_counts(self):
        self.assertAlmostEqual(self.raw([200, 201, 205, 209, 500, 510]), 2.0)
        s = score_file(self.N, self.W, [200, 201, 205], STD)
        self.assertEqual((s.tp, s.fp, s.fn), (1, 0, 1))

    def test_last_row_of_window(self):
        # y = -1/10: tanh(0.25) / tanh(2.5) = 0.2449187 / 0.9866143 = 0.2482416
        s = score_file(self.N, self.W, [209], STD)
        self.assertAlmostEqual(s.tp_score, math.tanh(0.25) / math.tanh(2.5))
        self.assertAlmostEqual(s.tp_score, 0.2482416, places=6)
        self.assertAlmostEqual(s.raw, 0.2482416 - 1.0, places=6)

    def test_middle_of_window(self):
        # Row 510 of 500..519: y = -(519-510+1)/20 = -0.5 -> tanh(1.25)/tanh(2.5) = 0.8482836 / 0.9866143 = 0.85979
        s = score_file(self.N, self.W, [510], STD)
        self.assertAlmostEqual(s.tp_score, math.tanh(1.25) / math.tanh(2.5))
        self.assertAlmostEqual(s.tp_score, 0.85979, places=5)

    def test_fp_before_first_window_costs_full_weight(self):
        self.assertAlmostEqual(score_file(self.N, self.W, [160], STD).fp_score, -0.11)
        self.assertAlmostEqual(score_file(self.N, self.W, [160], LOW_FP).fp_score, -0.22)

    def test_fp_after_window(self):
        # Row 210 just after window 200..209: y = 1/9 -> 0.11 * -tanh(5/18)
        s = score_file(self.N, self.W, [210], STD)
        self.assertAlmostEqual(s.fp_score, -0.11 * math.tanh(5 / 18))
        # Row 218: y = 9/9 = 1 -> -0.11 * tanh(2.5)
        s = score_file(self.N, self.W, [218], STD)
        self.assertAlmostEqual(s.fp_score, -0.11 * math.tanh(2.5))
        # Row 300: y = 91/9 > 3 -> the full -0.11
        s = score_file(self.N, self.W, [300], STD)
        self.assertAlmostEqual(s.fp_score, -0.11)
        # Row 600 is measured from the second window (519, width 20): y = 81/19 > 3
        self.assertAlmostEqual(score_file(self.N, self.W, [600], STD).fp_score, -0.11)
        # Row 530: y = 11/19 -> -0.11 * tanh(55/38)
        s = score_file(self.N, self.W, [530], STD)
        self.assertAlmostEqual(s.fp_score, -0.11 * math.tanh(55 / 38))

    def test_probation_ignored(self):
        s = score_file(self.N, self.W, [0, 10, 149], STD)
        self.assertEqual((s.tp, s.fp, s.fn), (0, 0, 2))
        s = score_file(self.N, self.W, [150], STD)
        self.assertEqual(s.fp, 1)

    def test_low_fn_profile(self):
        # One window found at its start, one missed, one FP far from everything (row 900).
        # standard: 1 - 1 - 0.11 = -0.11 ; null -2, perfect 2 -> 100 * 1.89 / 4 = 47.25
        # low FN:   1 - 2 - 0.11 = -1.11 ; null -4, perfect 2 -> 100 * 2.89 / 6 = 48.1667
        # low FP:   1 - 1 - 0.22 = -0.22 ; null -2, perfect 2 -> 100 * 1.78 / 4 = 44.5
        det = [200, 900]
        self.assertAlmostEqual(normalise(self.raw(det, STD), 2, STD), 47.25)
        self.assertAlmostEqual(normalise(self.raw(det, LOW_FN), 2, LOW_FN), 100 * 2.89 / 6)
        self.assertAlmostEqual(normalise(self.raw(det, LOW_FP), 2, LOW_FP), 44.5)


class Corpora(unittest.TestCase):
    def test_windows_from_timestamps_and_corpus_normalisation(self):
        t0 = datetime(2020, 1, 1)
        ts = [t0 + timedelta(minutes=5 * i) for i in range(1000)]
        wins = scorer.window_rows(
            ts, [["2020-01-01 16:40:00.000000", "2020-01-01 17:25:00.000000"]]
        )
        self.assertEqual(wins, [(200, 209)])
        corpus = Corpus(files={"a.csv": (ts, wins), "quiet.csv": (ts, [])})
        # A file without windows: every post-probation detection is a full FP.
        score, per = score_corpus(corpus, {"a.csv": [200], "quiet.csv": [500, 600]}, STD)
        self.assertAlmostEqual(per["quiet.csv"].raw, -0.22)
        # raw = 1 - 0.22; null -1; perfect 1 -> 100 * 1.78 / 2 = 89
        self.assertAlmostEqual(score, 89.0)
        score, _ = score_corpus(corpus, {}, STD)
        self.assertAlmostEqual(score, 0.0)


NAB = "/work/shared/data/nab"


class Runner(unittest.TestCase):
    def test_bins_to_rows(self):
        import run_kql

        t0 = datetime(2020, 1, 1)
        # Irregular rows: 00:00, 00:07, 00:21, 00:22 ; 5-minute bins.
        ts = [t0 + timedelta(minutes=m) for m in (0, 7, 21, 22)]
        step = timedelta(minutes=5)
        self.assertEqual(run_kql.step_of(ts), timedelta(minutes=7))
        bins = [t0 + timedelta(minutes=m) for m in (0, 5, 10, 20)]
        # 00:00 -> row 0; 00:05 -> row 1 (00:07); 00:10 has no row (a filled gap); 00:20 -> row 2
        self.assertEqual(run_kql.detections_to_rows(ts, bins, step), [0, 1, 2])

    @unittest.skipUnless(os.path.isdir(NAB), "NAB data not present")
    def test_real_corpus_null_and_perfect(self):
        import json

        import run_kql

        with open(os.path.join(NAB, "labels", "combined_windows.json")) as f:
            labels = json.load(f)
        files = {}
        for name, wins in labels.items():
            ts = run_kql.read_timestamps(os.path.join(NAB, "data", name))
            files[name] = (ts, scorer.window_rows(ts, wins))
        corpus = Corpus(files=files)
        self.assertEqual(corpus.n_windows, 116)
        perfect = {n: [lo for lo, _ in w] for n, (_, w) in files.items()}
        for p in PROFILES.values():
            self.assertAlmostEqual(score_corpus(corpus, perfect, p)[0], 100.0)
            self.assertAlmostEqual(score_corpus(corpus, {}, p)[0], 0.0)


if __name__ == "__main__":
    unittest.main()
