#!/usr/bin/env python3
"""Writes the bundled sample logs in corpus/samples/data/ (deterministic; our own synthetic data).

AppLogs.jsonl: 24 hours of application logs from 4 services on 6 hosts, one line per record,
  with an incident: after `checkout` v2.4.1 is deployed at 2024-03-15T09:40Z its error rate
  jumps (NullReferenceException in the payment path) until 11:10Z.
Deployments.csv: the deployments of that day (a CSV export with a ` [UTC]` header suffix, as the
  Log Analytics portal writes).
"""
import json
import random
from datetime import datetime, timedelta, timezone

rng = random.Random(20240315)
start = datetime(2024, 3, 14, 12, 0, tzinfo=timezone.utc)
services = ["checkout", "catalog", "auth", "search"]
hosts = [f"web-{i:02d}" for i in range(1, 7)]
incident = (datetime(2024, 3, 15, 9, 40, tzinfo=timezone.utc), datetime(2024, 3, 15, 11, 10, tzinfo=timezone.utc))

def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"

messages_ok = [
    "GET /api/{svc}/items completed in {ms} ms",
    "healthcheck ok",
    "cache hit ratio {ratio}",
    "user session refreshed",
]
errors = [
    ("Error", "TimeoutException: upstream {svc}-db did not answer within 5000 ms"),
    ("Warning", "retrying request to {svc}-db (attempt 2)"),
    ("Error", "SqlException: deadlock victim in {svc}_orders"),
]

rows = []
t = start
while t < start + timedelta(hours=24):
    for svc in services:
        n = rng.randint(2, 5)
        for _ in range(n):
            ts = t + timedelta(seconds=rng.randint(0, 299), milliseconds=rng.randint(0, 999))
            host = rng.choice(hosts)
            in_incident = svc == "checkout" and incident[0] <= ts < incident[1]
            p_err = 0.45 if in_incident else 0.04
            if rng.random() < p_err:
                if in_incident and rng.random() < 0.8:
                    level, msg = "Error", "NullReferenceException in PaymentClient.Authorize (order {oid})"
                else:
                    level, msg = rng.choice(errors)
            else:
                level, msg = "Information", rng.choice(messages_ok)
            msg = msg.format(svc=svc, ms=rng.randint(3, 900), ratio=round(rng.random(), 2), oid=rng.randint(10000, 99999))
            duration = round(rng.lognormvariate(4.0, 0.6) * (6 if in_incident else 1), 1)
            rows.append({
                "TimeGenerated": iso(ts),
                "Service": svc,
                "Host": host,
                "Level": level,
                "Message": msg,
                "DurationMs": duration,
                "TraceId": f"{rng.getrandbits(64):016x}",
                "Properties": {"region": rng.choice(["westeurope", "eastus"]), "version": "2.4.1" if svc == "checkout" and ts >= incident[0] else "2.4.0"},
            })
    t += timedelta(minutes=5)

rows.sort(key=lambda r: r["TimeGenerated"])
with open("data/AppLogs.jsonl", "w", newline="\n") as f:
    for r in rows:
        f.write(json.dumps(r, separators=(",", ":")) + "\n")

deploys = [
    ("2024-03-14T15:02:11Z", "catalog", "1.9.0", "dana"),
    ("2024-03-15T02:30:40Z", "auth", "3.1.2", "lee"),
    ("2024-03-15T09:40:05Z", "checkout", "2.4.1", "sam"),
    ("2024-03-15T11:08:52Z", "checkout", "2.4.2", "sam"),
]
with open("data/Deployments.csv", "w", newline="\n") as f:
    f.write("TimeGenerated [UTC],Service,Version,Author\n")
    for d in deploys:
        f.write(",".join(d) + "\n")
print(len(rows), "log rows")
