#!/usr/bin/env python3
"""Independent oracle (pandas) for corpus/samples/incident.kql over corpus/samples/data.

Prints the expected first two result sets as CSV, in the kql CLI's csv layout; the values
are pasted into tests/tests/cli.rs (test `incident_sample_matches_the_pandas_oracle`).
"""
import pandas as pd

logs = pd.read_json("corpus/samples/data/AppLogs.jsonl", lines=True)
logs["TimeGenerated"] = pd.to_datetime(logs["TimeGenerated"], utc=True)
err = logs[(logs.Level == "Error") & ~logs.Message.str.contains(r"\bhealthcheck\b", case=False, regex=True)]

# 1. errors per service and 30-minute bucket (bins aligned to midnight), buckets with >= 5
b = err.assign(Bucket=err.TimeGenerated.dt.floor("30min"))
g = b.groupby(["Service", "Bucket"]).agg(Errors=("Host", "size"), Hosts=("Host", "nunique")).reset_index()
g = g[g.Errors >= 5].sort_values(["Errors", "Bucket"], ascending=[False, True])
print("Service,Bucket,Errors,Hosts")
for r in g.itertuples():
    print(f"{r.Service},{r.Bucket.strftime('%Y-%m-%dT%H:%M:%SZ')},{r.Errors},{r.Hosts}")

# 2. signatures of the worst service with counts
worst = err.groupby("Service").size().idxmax()
w = err[err.Service == worst].copy()
w["Signature"] = w.Message.str.extract(r"^([A-Za-z]+(Exception|Error))")[0].fillna("")
s = w.groupby("Signature").size().sort_values(ascending=False)
print()
print("Signature,Count")
for sig, n in s.items():
    print(f"{sig},{n}")
