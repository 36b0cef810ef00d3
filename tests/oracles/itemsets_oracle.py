#!/usr/bin/env python3
"""Independent oracle for `evaluate basket(...)` and `evaluate diffpatterns(...)` (mlxtend).

What it computes (spec ml-operators.md §17.1/§17.3; the Rust side is
functions/src/plugins/patterns_oracle_tests.rs):

* basket(Threshold, WeightColumn, MaxDimensions): the closed frequent itemsets over items
  `column=value`. Recipe: one-hot encode (pandas get_dummies over the non-missing values;
  the empty string is missing, as a KQL string cannot be null), mlxtend `fpgrowth` with
  `min_support=Threshold` and no length limit, keep the itemsets that have no superset with
  the same support (closed), then keep those whose smallest generator (a subset with the same
  support) has at most MaxDimensions items -- "the maximal number of uncorrelated dimensions".
  Weighted rows: mlxtend has no weights, so every row is replicated `weight` times (the weights
  used here are small whole numbers).
* diffpatterns(Split, A, B, '~', Threshold): the candidate superset -- every itemset frequent
  (support >= Threshold) in set A or in set B (fpgrowth on each), counted in both sets with
  pandas masks, kept when |PercentA - PercentB| >= 100*Threshold and closed (no more specific
  candidate has the same counts in both sets). The plugin's rows must be a subset of these,
  with the same counts, and its first row must have the best difference.

Data:
* generated: tests/oracles/data/itemsets_generated.csv, written by this script (numpy seed 7):
  1200 rows, skewed categorical columns with planted patterns, an int column, empty strings,
  and a weight column W in 1..3.
* real (read from ../shared/data when present; the results, not the data, are committed):
  - StormEvents_2019Q1.csv.gz (NOAA, public domain): State, EventType, Source,
    Damage = iff(DamageCrops + DamageProperty > 0, "YES", "NO"), DamageCrops.
  - msticpy az_net_flows.csv (MIT): FlowType, VMName, L4Protocol, L7Protocol, DestPort,
    FlowDirection, RemoteRegion, AllowedOutFlows (values as the CSV text).
  - msticpy alertlist.csv (MIT): ProviderName, CompromisedEntity, VendorName, Severity,
    AlertType; diffpatterns split by Severity 'High' vs 'Medium'.
  - OTRF WindowsEvents.json (MIT; 38 rows of SecurityEvent, JSON lines): 12 categorical
    columns (OTRF_COLS); values are the JSON strings, other JSON values by their JSON text
    (4624), null as missing; diffpatterns split by Computer.

Output: tests/oracles/data/itemsets_expected.json (one object per case; each pattern is a
map column -> value text and its count(s)).

Run: python3 -m venv /tmp/v && /tmp/v/bin/pip install mlxtend pandas numpy &&
     /tmp/v/bin/python tests/oracles/itemsets_oracle.py   (mlxtend 0.25.0, pandas 2.x)
The printed summary of the committed run is at the end of this file.
"""
import json
import os
import sys

import numpy as np
import pandas as pd
from mlxtend.frequent_patterns import fpgrowth

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "data"))


def generate():
    rng = np.random.default_rng(7)
    n = 1200
    region = rng.choice(["eu", "us", "asia", "sa", ""], size=n, p=[0.45, 0.3, 0.15, 0.07, 0.03])
    level = rng.choice(["error", "warn", "info"], size=n, p=[0.2, 0.3, 0.5])
    service = rng.choice(["api", "web", "db", "cache", "auth", "queue"], size=n,
                         p=[0.35, 0.25, 0.15, 0.1, 0.1, 0.05])
    code = rng.choice([200, 404, 500, 503], size=n, p=[0.6, 0.15, 0.15, 0.1])
    host = np.array([f"h{int(x)}" for x in rng.integers(0, 40, size=n)])
    # Planted patterns: db errors in eu are 503 on host h7; auth warnings are 404 in us.
    for i in range(n):
        if service[i] == "db" and region[i] == "eu" and rng.random() < 0.9:
            level[i] = "error"
            code[i] = 503
            host[i] = "h7"
        if service[i] == "auth" and rng.random() < 0.8:
            level[i] = "warn"
            code[i] = 404
            region[i] = "us"
    w = rng.integers(1, 4, size=n)
    df = pd.DataFrame({"Region": region, "Level": level, "Service": service, "Code": code,
                       "Host": host, "W": w})
    os.makedirs(DATA, exist_ok=True)
    df.to_csv(os.path.join(DATA, "itemsets_generated.csv"), index=False)
    return df.astype(str)


def one_hot(df, cols):
    parts = {}
    for c in cols:
        for v in sorted(set(df[c]) - {""}):
            parts[(c, v)] = (df[c] == v).to_numpy()
    return pd.DataFrame(parts)


def frequent(df, cols, threshold):
    """All frequent itemsets: frozenset of (col, value) -> row count."""
    if len(df) == 0:
        return {}
    oh = one_hot(df, cols)
    fi = fpgrowth(oh, min_support=threshold, use_colnames=True)
    n = len(df)
    return {frozenset(s): int(round(sup * n)) for s, sup in zip(fi["itemsets"], fi["support"])}


def basket(df, cols, threshold, max_dims, weight=None):
    if weight is not None:
        df = df.loc[df.index.repeat(df[weight].astype(int))].reset_index(drop=True)
    fr = frequent(df, cols, threshold)
    by_count = {}
    for s, c in fr.items():
        by_count.setdefault(c, []).append(s)
    out = []
    for s, c in fr.items():
        same = by_count[c]
        if any(len(t) > len(s) and s < t for t in same):
            continue  # not closed
        mingen = min(len(t) for t in same if t <= s)
        if mingen <= max_dims:
            out.append({"items": dict(sorted(s)), "count": c})
    # A non-empty itemset shared by every row has the empty set as generator (size 0); it is
    # closed when nothing more specific has the same count -- covered by the loop above.
    out.sort(key=lambda p: (-p["count"], len(p["items"]), sorted(p["items"].items())))
    return {"total": len(df), "patterns": out}


def diffpatterns(df, cols, split, a, b, threshold):
    da = df[df[split] == a].reset_index(drop=True)
    db = df[df[split] == b].reset_index(drop=True)
    cands = set(frequent(da, cols, threshold)) | set(frequent(db, cols, threshold))
    out = []
    for s in cands:
        ma = np.ones(len(da), dtype=bool)
        mb = np.ones(len(db), dtype=bool)
        for c, v in s:
            ma &= (da[c] == v).to_numpy()
            mb &= (db[c] == v).to_numpy()
        ca, cb = int(ma.sum()), int(mb.sum())
        pa, pb = 100.0 * ca / len(da), 100.0 * cb / len(db)
        if abs(pa - pb) >= 100.0 * threshold:
            out.append({"items": dict(sorted(s)), "countA": ca, "countB": cb,
                        "diff": abs(pa - pb)})
    # Keep the closed candidates: those without a more specific candidate that has the same
    # counts in both sets (it matches the same rows of A and of B).
    by_counts = {}
    for p in out:
        by_counts.setdefault((p["countA"], p["countB"]), []).append(frozenset(p["items"].items()))
    out = [p for p in out
           if not any(frozenset(p["items"].items()) < t
                      for t in by_counts[(p["countA"], p["countB"])])]
    out.sort(key=lambda p: (-p["diff"], len(p["items"]), sorted(p["items"].items())))
    return {"totalA": len(da), "totalB": len(db), "candidates": out}


def load_storm():
    path = os.path.join(SHARED, "stormevents-noaa", "StormEvents_2019Q1.csv.gz")
    if not os.path.exists(path):
        return None
    d = pd.read_csv(path, dtype=str, keep_default_na=False)
    dmg = d["DamageCrops"].astype(int) + d["DamageProperty"].astype(int)
    d["Damage"] = np.where(dmg > 0, "YES", "NO")
    return d[["State", "EventType", "Source", "Damage", "DamageCrops"]]


def load_msticpy(name, cols):
    path = os.path.join(SHARED, "msticpy", name)
    if not os.path.exists(path):
        return None
    d = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return d[cols]


def load_otrf():
    path = os.path.join(SHARED, "otrf-la-exports", "WindowsEvents.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        rows = [json.loads(line) for line in f if line.strip()]

    def text(v):
        if v is None:
            return ""
        return v if isinstance(v, str) else json.dumps(v)

    return pd.DataFrame({c: [text(r.get(c)) for r in rows] for c in OTRF_COLS})


OTRF_COLS = ["Computer", "EventSourceName", "Task", "SubjectUserName", "LogonProcessName",
             "AuthenticationPackageName", "Activity", "EventID", "TargetUserName", "IpAddress",
             "WorkstationName", "Account"]
NETFLOW_COLS = ["FlowType", "VMName", "L4Protocol", "L7Protocol", "DestPort", "FlowDirection",
                "RemoteRegion", "AllowedOutFlows"]
ALERT_COLS = ["ProviderName", "CompromisedEntity", "VendorName", "Severity", "AlertType"]


def main():
    gen = generate()
    gcols = ["Region", "Level", "Service", "Code", "Host"]
    cases = []

    def add_basket(name, df, cols, threshold, max_dims, weight=None):
        r = basket(df, cols, threshold, max_dims, weight)
        cases.append({"name": name, "kind": "basket", "columns": cols, "threshold": threshold,
                      "max_dims": max_dims, "weight": weight, **r})
        print(f"{name}: total {r['total']}, {len(r['patterns'])} patterns, top "
              f"{r['patterns'][0] if r['patterns'] else None}")

    def add_diff(name, df, cols, split, a, b, threshold):
        r = diffpatterns(df, [c for c in cols if c != split], split, a, b, threshold)
        cases.append({"name": name, "kind": "diffpatterns", "columns": cols, "split": split,
                      "a": a, "b": b, "threshold": threshold, **r})
        print(f"{name}: |A| {r['totalA']}, |B| {r['totalB']}, {len(r['candidates'])} "
              f"candidates, top {r['candidates'][0] if r['candidates'] else None}")

    add_basket("generated_t05_d5", gen, gcols, 0.05, 5)
    add_basket("generated_t02_d2", gen, gcols, 0.02, 2)
    add_basket("generated_t03_unlimited", gen, gcols, 0.03, 99)
    add_basket("generated_weighted_t04", gen, gcols, 0.04, 5, weight="W")
    add_diff("generated_diff_level", gen, gcols, "Level", "error", "info", 0.05)

    storm = load_storm()
    if storm is not None:
        scols = list(storm.columns)
        add_basket("storm_t02_d5", storm, scols, 0.02, 5)
        add_basket("storm_t05_d2", storm, scols, 0.05, 2)
        add_diff("storm_diff_damage", storm, scols, "Damage", "YES", "NO", 0.03)
    else:
        print("StormEvents_2019Q1.csv.gz absent: storm cases skipped", file=sys.stderr)
    flows = load_msticpy("az_net_flows.csv", NETFLOW_COLS)
    if flows is not None:
        add_basket("netflows_t05_d5", flows, NETFLOW_COLS, 0.05, 5)
        add_basket("netflows_t015_d3", flows, NETFLOW_COLS, 0.015, 3)
    alerts = load_msticpy("alertlist.csv", ALERT_COLS)
    if alerts is not None:
        add_basket("alerts_t05_d5", alerts, ALERT_COLS, 0.05, 5)
        add_diff("alerts_diff_severity", alerts, ALERT_COLS, "Severity", "High", "Medium",
                 0.05)

    otrf = load_otrf()
    if otrf is not None:
        add_basket("otrf_windows_t05_d5", otrf, OTRF_COLS, 0.05, 5)
        add_basket("otrf_windows_t10_unlimited", otrf, OTRF_COLS, 0.1, 99)
        add_diff("otrf_windows_diff_computer", otrf, OTRF_COLS, "Computer",
                 "DC01.simulandlabs.com", "ADFS01.simulandlabs.com", 0.1)

    with open(os.path.join(DATA, "itemsets_expected.json"), "w") as f:
        json.dump({"cases": cases}, f, indent=None, sort_keys=True, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()

# Output of the committed run (mlxtend 0.25.0):
# generated_t05_d5: total 1200, 77 patterns, top {'items': {'Code': '200'}, 'count': 645}
# generated_t02_d2: total 1200, 127 patterns, top {'items': {'Code': '200'}, 'count': 645}
# generated_t03_unlimited: total 1200, 120 patterns, top {'items': {'Code': '200'}, 'count': 645}
# generated_weighted_t04: total 2391, 95 patterns, top {'items': {'Code': '200'}, 'count': 1264}
# generated_diff_level: |A| 259, |B| 501, 18 candidates, top {'items': {'Code': '503', 'Host': 'h7', 'Region': 'eu', 'Service': 'db'}, 'countA': 75, 'countB': 0, 'diff': 28.957528957528957}
# storm_t02_d5: total 15447, 128 patterns, top {'items': {'DamageCrops': '0'}, 'count': 15398}
# storm_t05_d2: total 15447, 38 patterns, top {'items': {'DamageCrops': '0'}, 'count': 15398}
# storm_diff_damage: |A| 2194, |B| 13253, 55 candidates, top {'items': {'EventType': 'Strong Wind'}, 'countA': 595, 'countB': 140, 'diff': 26.063051994006827}
# netflows_t05_d5: total 460, 47 patterns, top {'items': {'FlowDirection': 'O'}, 'count': 453}
# netflows_t015_d3: total 460, 91 patterns, top {'items': {'FlowDirection': 'O'}, 'count': 453}
# alerts_t05_d5: total 189, 22 patterns, top {'items': {'VendorName': 'Microsoft'}, 'count': 151}
# alerts_diff_severity: |A| 102, |B| 56, 16 candidates, top {'items': {'AlertType': 'Executable found running from a suspicious location', 'CompromisedEntity': 'MSTICALERTSWIN1', 'ProviderName': 'Detection', 'VendorName': 'Microsoft'}, 'countA': 0, 'countB': 9, 'diff': 16.071428571428573}
# otrf_windows_t05_d5: total 38, 23 patterns, top {'items': {'EventSourceName': 'Microsoft-Windows-Security-Auditing'}, 'count': 33}
# otrf_windows_t10_unlimited: total 38, 19 patterns, top {'items': {'EventSourceName': 'Microsoft-Windows-Security-Auditing'}, 'count': 33}
# otrf_windows_diff_computer: |A| 29, |B| 9, 19 candidates, top {'items': {'EventSourceName': 'Microsoft-Windows-Security-Auditing'}, 'countA': 29, 'countB': 4, 'diff': 55.55555555555556}
