#!/usr/bin/env python3
"""Independent oracle (pandas) for the CLI tests over the real exports in ../shared/data
(tests/tests/cli.rs: `real_exports_match_the_pandas_oracle`). Run from the repository root."""
import json
import pandas as pd

S = "../shared/data"

storm = pd.read_csv(f"{S}/stormevents-noaa/StormEvents_2019Q1.csv.gz")
g = (storm.groupby("State").agg(Events=("EventType", "size"), Deaths=("DeathsDirect", "sum"))
     .reset_index().sort_values(["Events", "State"], ascending=[False, True]).head(3))
print("storm top states:\n" + g.to_csv(index=False))
# `has "wind"`: the term "wind" (case-insensitive) on alphanumeric boundaries
print("storm wind events:", storm.EventType.str.contains(r"(?i)(?<![A-Za-z0-9])wind(?![A-Za-z0-9])").sum())

logons = pd.read_csv(f"{S}/msticpy/host_logons.csv")
c = logons.groupby("LogonType").size().reset_index(name="n").sort_values("LogonType")
print("host logons by type:\n" + c.to_csv(index=False))

rows = [json.loads(l) for l in open(f"{S}/otrf-la-exports/WindowsEvents.json") if l.strip()]
w = pd.DataFrame(rows)
e = w.groupby("EventID").size().reset_index(name="n").sort_values(["n", "EventID"], ascending=[False, True]).head(3)
print("windows events by id:\n" + e.to_csv(index=False))
