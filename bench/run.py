#!/usr/bin/env python3
"""Side-by-side benchmark (issue #9): kql vs DataFusion SQL vs DuckDB on the same files.

    python3 bench/run.py [--rows N] [--reps R] [--threads T] [--only a,b] [--no-json]
                         [--json-rows M] [--json-reps J] [--skip-build] [--out FILE]

One command does everything:
  1. creates bench/.venv (gitignored) and pip-installs the pinned peers (REQUIREMENTS), then
     re-runs itself under that interpreter;
  2. `cargo build --release --bins` in bench/ (a no-op when up to date);
  3. generates the data with target/release/gen if the Parquet file is missing or holds a
     different number of rows, or the JSON-lines file is missing (10 M rows → bench/data/, any other N → bench/data/rows-N/; the
     JSON-lines file holds the first min(N, --json-rows) rows);
  4. starts two long-lived workers — target/release/side (kql and DataFusion SQL: the kql-engine
     library and DataFusion's SessionContext in one Rust process, over one ListingTable) and
     this script in --duck-worker mode (DuckDB in its own Python process, on the same files,
     `SET threads` = T) — and for every question runs one warm-up per engine (answers dumped
     and compared), then R interleaved repetitions (the starting engine rotates);
  5. prints medians, ratios kql/DataFusion and kql/DuckDB and the issue's targets.

Timing: every engine's time includes parsing and planning the query text and executing it to a
fully materialised result (kql: KqlContext::run → Arrow batches; DataFusion:
SessionContext::sql(..).collect(); DuckDB: connection.execute(..), which materialises the
result inside DuckDB; converting it to Python objects for the check is not timed).

Answer check: the row count and a SHA-256 over the sorted rows after normalisation:
  * reals rounded to 9 significant digits; a real that is integral compares equal to the
    integer (so avg/percentile results agree whether an engine returns 95 or 95.0);
  * NaN and ±inf become null;
  * timestamps as integer nanoseconds since the Unix epoch (DuckDB's Python datetimes carry
    microseconds; the data has millisecond precision), durations as integer nanoseconds;
  * lists are normalised element by element; column names are not compared (column order is).
"""
import argparse
import datetime as dt
import decimal
import hashlib
import json
import math
import os
import statistics
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(BENCH, ".venv")
REQUIREMENTS = ["duckdb==2.0.0", "pytz==2026.6"]  # pytz: DuckDB needs it to return TIMESTAMPTZ
DEFAULT_ROWS = 10_000_000

# DuckDB SQL for every question of side.rs (same names). None = no SQL equivalent.
# TimeGenerated is TIMESTAMPTZ_NS in DuckDB; time_bucket and comparisons need TIMESTAMPTZ,
# hence the casts.
DUCK = {
    "filter_count": "SELECT count(*) FROM Perf WHERE CounterName = '% Processor Time' AND CounterValue > 90",
    "bin_avg": "SELECT time_bucket(INTERVAL 1 hour, TimeGenerated::TIMESTAMPTZ) AS TimeGenerated, Computer, avg(CounterValue) FROM Perf WHERE CounterName = '% Processor Time' GROUP BY 1, 2",
    "top10": "SELECT Computer, avg(CounterValue) AS AvgCpu FROM Perf WHERE CounterName = '% Processor Time' GROUP BY Computer ORDER BY AvgCpu DESC LIMIT 10",
    "dcount": "SELECT CounterName, count(DISTINCT Computer) FROM Perf WHERE SeverityLevel >= 3 GROUP BY CounterName",
    "has_term": "SELECT SeverityLevel, count(*) FROM Perf WHERE Message ILIKE '%timeout%' GROUP BY SeverityLevel",
    "percentile": "SELECT CounterName, quantile_disc(CounterValue, 0.95) FROM Perf GROUP BY CounterName",
    "join_dim": "SELECT c.Region, avg(p.CounterValue) FROM Perf p JOIN Computers c ON p.Computer = c.Computer WHERE p.CounterName = '% Processor Time' AND c.Environment = 'prod' GROUP BY c.Region",
    "sort_take": "SELECT TimeGenerated, Computer, CounterName, CounterValue FROM Perf ORDER BY CounterValue DESC NULLS LAST, TimeGenerated DESC NULLS LAST, Computer ASC NULLS FIRST LIMIT 20",
    "distinct": "SELECT DISTINCT Computer, CounterName FROM Perf WHERE SeverityLevel >= 2",
    "time_window": "SELECT ObjectName, count(*), max(CounterValue) FROM Perf WHERE TimeGenerated > '2024-01-28 00:00:00+00'::TIMESTAMPTZ_NS GROUP BY ObjectName",
    "dynamic_prop": "SELECT Computer, count(*) FROM Perf WHERE Properties->>'$.status' = '503' GROUP BY Computer",
    "count_by_2keys": "SELECT Computer, CounterName, count(*), avg(CounterValue) FROM Perf GROUP BY Computer, CounterName",
    "has_any_daily": "SELECT time_bucket(INTERVAL 1 day, TimeGenerated::TIMESTAMPTZ) AS TimeGenerated, count(*) FROM Perf WHERE Message ILIKE '%deadlock%' OR Message ILIKE '%refused%' GROUP BY 1",
    "contains_sub": "SELECT CounterName, count(*) FROM Perf WHERE Message ILIKE '%lock%' GROUP BY CounterName",
    "dcount_hourly": "SELECT time_bucket(INTERVAL 1 hour, TimeGenerated::TIMESTAMPTZ) AS TimeGenerated, count(DISTINCT Computer) FROM Perf WHERE SeverityLevel >= 3 GROUP BY 1",
    "percentiles3": "SELECT CounterName, Computer, quantile_disc(CounterValue, 0.5), quantile_disc(CounterValue, 0.9), quantile_disc(CounterValue, 0.99) FROM Perf WHERE ObjectName = 'LogicalDisk' GROUP BY 1, 2",
    "top_severe": "SELECT * FROM Perf WHERE SeverityLevel = 4 ORDER BY TimeGenerated DESC NULLS LAST LIMIT 100",
    "top_nested": "WITH l1 AS (SELECT CounterName, count(*) AS a1 FROM Perf GROUP BY 1 ORDER BY a1 DESC LIMIT 3), l2 AS (SELECT p.CounterName, p.Computer, avg(p.CounterValue) AS a2 FROM Perf p JOIN l1 ON p.CounterName = l1.CounterName GROUP BY 1, 2), r AS (SELECT l2.*, row_number() OVER (PARTITION BY CounterName ORDER BY a2 DESC) AS rn FROM l2) SELECT r.CounterName, l1.a1, r.Computer, r.a2 FROM r JOIN l1 ON r.CounterName = l1.CounterName WHERE r.rn <= 3",
    "lookup_dim": "SELECT c.Environment, c.OSType, count(*), avg(p.CounterValue) FROM Perf p LEFT JOIN Computers c ON p.Computer = c.Computer WHERE p.SeverityLevel >= 3 GROUP BY 1, 2",
    "parse_msg": "SELECT split_part(Message, ' ', 2) AS Verb, count(*) FROM Perf WHERE SeverityLevel >= 2 GROUP BY 1",
    "extract_ms": "SELECT SeverityLevel, avg(m), max(m) FROM (SELECT SeverityLevel, TRY_CAST(regexp_extract(Message, '(\\d+) ms$', 1) AS BIGINT) AS m FROM Perf WHERE SeverityLevel >= 2) GROUP BY 1",
    "dynamic_region": "SELECT Properties->>'$.region' AS Region, count(*), avg(CAST(Properties->>'$.durationMs' AS BIGINT)) FROM Perf WHERE CounterName = '% Processor Time' GROUP BY 1",
    "make_series": "WITH agg AS (SELECT Computer, time_bucket(INTERVAL 1 hour, TimeGenerated::TIMESTAMPTZ) AS b, avg(CounterValue) AS v FROM Perf WHERE CounterName = '% Processor Time' AND TimeGenerated >= '2024-01-01 00:00:00+00'::TIMESTAMPTZ_NS AND TimeGenerated < '2024-01-31 00:00:00+00'::TIMESTAMPTZ_NS GROUP BY 1, 2), keys AS (SELECT DISTINCT Computer FROM agg), axis AS (SELECT TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * INTERVAL 1 hour AS b FROM range(720) t(i)) SELECT k.Computer, list(coalesce(a.v, 0.0) ORDER BY x.b), list(x.b ORDER BY x.b) FROM keys k CROSS JOIN axis x LEFT JOIN agg a ON a.Computer = k.Computer AND a.b = x.b GROUP BY k.Computer",
    "anomalies_5k": None,
    "autocluster": None,
    "json_severe": "SELECT CounterName, count(*) FROM read_json('{jsonl}', format = 'newline_delimited') WHERE SeverityLevel >= 3 GROUP BY CounterName",
}

# What each question exercises (for the table) and how the SQL peers differ, if they do.
NOTES = {
    "has_term": "SQL: ILIKE '%term%' (the data has no word containing a searched term, so `has` and ILIKE agree)",
    "has_any_daily": "SQL: OR of ILIKEs",
    "dcount": "kql dcount is HyperLogLog; SQL count(DISTINCT) is exact (equal at this cardinality)",
    "dcount_hourly": "kql dcount is HyperLogLog; SQL count(DISTINCT) is exact (equal at this cardinality)",
    "percentile": "kql: exact nearest rank (≤ 2,048 distinct values per group); DataFusion: array_sort(array_agg(x))[ceil(p·n)] (it has no percentile_disc); DuckDB: quantile_disc",
    "percentiles3": "as percentile, three percentiles per group (~2,000 rows per group, so interpolating percentiles would differ)",
    "top_nested": "SQL: top-3 groups, then row_number() over the second level",
    "parse_msg": "SQL: split_part(Message, ' ', 2)",
    "extract_ms": "SQL: regexp_match / regexp_extract + cast",
    "dynamic_prop": "DataFusion SQL calls the engine's kql_dynamic_get UDF; DuckDB ->> (its JSON extension)",
    "dynamic_region": "as dynamic_prop",
    "make_series": "SQL (closest honest): group by key and bin, cross join keys × 720-bin axis, left join, array_agg ordered by bin",
    "anomalies_5k": "no SQL equivalent (series_decompose_anomalies over 5,000 series × 720 bins): kql alone",
    "autocluster": "no SQL equivalent (evaluate autocluster): kql alone",
    "json_severe": "JSON lines, read from scratch each run (type inference included); no DataFusion side (built without its json feature)",
}


# ---------------------------------------------------------------- normalisation and checksum

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def norm(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, decimal.Decimal):
        v = float(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            return None
        r = float(f"{v:.9g}")
        return int(r) if r.is_integer() and abs(r) < 2**53 else r
    if isinstance(v, dt.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=dt.timezone.utc)
        return ((v - EPOCH) // dt.timedelta(microseconds=1)) * 1000
    if isinstance(v, dt.timedelta):
        return (v // dt.timedelta(microseconds=1)) * 1000
    if isinstance(v, (list, tuple)):
        return [norm(x) for x in v]
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    return v


def digest(rows):
    lines = sorted(json.dumps([norm(v) for v in r], separators=(",", ":")) for r in rows)
    h = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
    return len(lines), h, lines[:2]


def read_dump(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


# ---------------------------------------------------------------- the DuckDB worker process

def duck_worker(args):
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {args.threads}")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    pq = os.path.join(args.data, "perf.parquet")
    jsonl = os.path.join(args.data, "perf.jsonl")
    con.execute(f"CREATE VIEW Perf AS SELECT * FROM read_parquet('{pq}')")
    # the dimension table in memory, like the MemTable on the Rust side (written by `side`)
    con.execute(
        f"CREATE TABLE Computers AS SELECT * FROM read_csv('{os.path.join(args.data, 'computers.csv')}', header = true)"
    )
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    print(json.dumps({"ready": True, "threads": threads, "version": duckdb.__version__}), flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == "quit":
            break
        _, name, *rest = parts
        sql = DUCK.get(name)
        try:
            if sql is None:
                raise ValueError("no SQL for this question")
            sql = sql.replace("{jsonl}", jsonl)
            t = time.perf_counter()
            res = con.execute(sql)
            ms = (time.perf_counter() - t) * 1e3
            rows = res.fetchall()
            if rest:
                with open(rest[0], "w") as f:
                    for r in rows:
                        f.write(json.dumps([norm(v) for v in r]) + "\n")
            print(json.dumps({"ms": ms, "rows": len(rows)}), flush=True)
        except Exception as e:  # reported to the runner, which marks the question
            print(json.dumps({"error": str(e)}), flush=True)


# ---------------------------------------------------------------- setup

def ensure_venv():
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    py = os.path.join(VENV, "bin", "python")
    if not os.path.exists(py):
        print(f"creating {VENV}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    ok = subprocess.run([py, "-c", "import duckdb, pytz; assert duckdb.__version__ == '2.0.0'"],
                        capture_output=True).returncode == 0
    if not ok:
        subprocess.run([py, "-m", "pip", "install", "-q", *REQUIREMENTS], check=True)
    os.execv(py, [py, os.path.abspath(__file__), *sys.argv[1:]])


def parquet_rows(path):
    import duckdb

    return duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]


class Worker:
    def __init__(self, cmd, name):
        self.name = name
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                  cwd=BENCH)
        self.hello = self.read()

    def read(self):
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.name} worker exited")
        return json.loads(line)

    def ask(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        return self.read()

    def close(self):
        try:
            self.p.stdin.write("quit\n")
            self.p.stdin.flush()
        except BrokenPipeError:
            pass
        self.p.wait()


def fmt_ms(x):
    return "–" if x is None else f"{x:,.1f}"


def fmt_ratio(x, bold_above=None):
    if x is None:
        return "–"
    s = f"{x:.2f}"
    return f"**{s}**" if bold_above is not None and x > bold_above else s


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    ap.add_argument("--json-rows", type=int, default=10_000_000,
                    help="rows in perf.jsonl (the first min(rows, M) rows; default 10 M)")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--json-reps", type=int, default=2,
                    help="repetitions of the JSON-lines question (each reads 3.2 GB at 10 M rows; default 2)")
    ap.add_argument("--threads", type=int, default=2, help="DuckDB threads (kql/DataFusion use target_partitions = cores)")
    ap.add_argument("--only", default=None)
    ap.add_argument("--no-json", action="store_true", help="skip the JSON-lines question")
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--out", default=None, help="results JSON (default DATA/side_results.json)")
    ap.add_argument("--duck-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--data", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.duck_worker:
        return duck_worker(args)
    ensure_venv()
    import duckdb

    data = args.data or (os.path.join(BENCH, "data") if args.rows == DEFAULT_ROWS
                         else os.path.join(BENCH, "data", f"rows-{args.rows}"))
    if not args.skip_build:
        subprocess.run(["cargo", "build", "--release", "--bins"], cwd=BENCH, check=True)
    pq = os.path.join(data, "perf.parquet")
    jsonl_missing = not args.no_json and not os.path.exists(os.path.join(data, "perf.jsonl"))
    if not os.path.exists(pq) or jsonl_missing or parquet_rows(pq) != args.rows:
        os.makedirs(data, exist_ok=True)
        subprocess.run([os.path.join(BENCH, "target/release/gen"), "--rows", str(args.rows),
                        "--json-rows", str(min(args.rows, args.json_rows)), "--out", data],
                       check=True)
    dumps = os.path.join(data, "answers")
    os.makedirs(dumps, exist_ok=True)

    names = [l.split("\t") for l in subprocess.run(
        [os.path.join(BENCH, "target/release/side"), "list"], capture_output=True, text=True,
        check=True).stdout.splitlines()]
    only = set(args.only.split(",")) if args.only else None
    qs = [(n, k) for n, k in names if (only is None or n in only)
          and not (args.no_json and n.startswith("json_"))]
    missing = [n for n, _ in names if n not in DUCK]
    if missing:
        sys.exit(f"no DuckDB entry for {missing}")

    rs = Worker([os.path.join(BENCH, "target/release/side"), "--data", data, "serve"], "side")
    dk = Worker([sys.executable, os.path.abspath(__file__), "--duck-worker", "--data", data,
                 "--threads", str(args.threads)], "duckdb")
    info = {
        "rows": args.rows, "reps": args.reps, "data": data,
        "kql_target_partitions": rs.hello["target_partitions"],
        "duckdb_threads": dk.hello["threads"], "duckdb_version": dk.hello["version"],
        "cpus": os.cpu_count(), "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    print(f"data {data}: {args.rows:,} rows; kql/DataFusion target_partitions = "
          f"{info['kql_target_partitions']}, DuckDB {info['duckdb_version']} threads = "
          f"{info['duckdb_threads']}, {args.reps} reps", flush=True)

    engines = {
        "kql": lambda n, d="": rs.ask(f"run kql {n} {d}".strip()),
        "df": lambda n, d="": rs.ask(f"run df {n} {d}".strip()),
        "duck": lambda n, d="": dk.ask(f"run {n} {d}".strip()),
    }
    results = []
    for name, kind in qs:
        present = ["kql"] + {"sql": ["df", "duck"], "no-df": ["duck"]}.get(kind, [])
        row = {"name": name, "kind": kind, "ms": {}, "runs": {}, "rows": {}, "digest": {}, "error": {}}
        for e in present:  # warm-up + answer dump
            path = os.path.join(dumps, f"{name}.{e}.jsonl")
            r = engines[e](name, path)
            if "error" in r:
                row["error"][e] = r["error"]
                print(f"  {name} {e}: ERROR {r['error']}", file=sys.stderr, flush=True)
                continue
            n, h, sample = digest(read_dump(path))
            row["rows"][e], row["digest"][e] = n, h
            row.setdefault("sample", {})[e] = sample
        ok = [e for e in present if e not in row["error"]]
        ds = {row["digest"][e] for e in ok}
        row["agree"] = len(ok) == len(present) and len(ds) == 1
        if len(ds) > 1:
            print(f"  MISMATCH {name}: " + "; ".join(
                f"{e} {row['rows'][e]} rows {row['sample'][e]}" for e in ok), file=sys.stderr, flush=True)
        times = {e: [] for e in ok}
        reps = args.json_reps if name.startswith("json_") else args.reps
        for rep in range(reps):
            order = ok[rep % len(ok):] + ok[:rep % len(ok)]
            for e in order:
                r = engines[e](name)
                if "error" in r:
                    raise RuntimeError(f"{name} {e}: {r['error']}")
                times[e].append(r["ms"])
        for e in ok:
            row["runs"][e] = times[e]
            row["ms"][e] = statistics.median(times[e]) if times[e] else None
        m = row["ms"]
        row["kql_df"] = m["kql"] / m["df"] if "kql" in m and "df" in m else None
        row["kql_duck"] = m["kql"] / m["duck"] if "kql" in m and "duck" in m else None
        results.append(row)
        print(f"  {name:16s} kql {fmt_ms(m.get('kql')):>10} df {fmt_ms(m.get('df')):>10} "
              f"duck {fmt_ms(m.get('duck')):>10}  kql/df {fmt_ratio(row['kql_df']):>5} "
              f"kql/duck {fmt_ratio(row['kql_duck']):>5}  rows {row['rows'].get('kql', '?')} "
              f"agree {'yes' if row['agree'] else 'NO'}", flush=True)
    rs.close()
    dk.close()

    print("\n| question | kql ms | DataFusion SQL ms | DuckDB ms | kql/DF | kql/DuckDB | rows | answers agree |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        m = r["ms"]
        agree = ("yes" if r["agree"] else "**NO**") if r["kind"] != "kql-only" else "kql only"
        print(f"| `{r['name']}` | {fmt_ms(m.get('kql'))} | {fmt_ms(m.get('df'))} | {fmt_ms(m.get('duck'))} "
              f"| {fmt_ratio(r['kql_df'], 1.05)} | {fmt_ratio(r['kql_duck'], 1.0)} | "
              f"{r['rows'].get('kql', '–'):,} | {agree} |" if isinstance(r['rows'].get('kql'), int) else
              f"| `{r['name']}` | {fmt_ms(m.get('kql'))} | {fmt_ms(m.get('df'))} | {fmt_ms(m.get('duck'))} "
              f"| {fmt_ratio(r['kql_df'], 1.05)} | {fmt_ratio(r['kql_duck'], 1.0)} | – | {agree} |")
    kdf = [r["kql_df"] for r in results if r["kql_df"] is not None]
    kdk = [r["kql_duck"] for r in results if r["kql_duck"] is not None]
    targets = []
    if kdf:
        v = statistics.median(kdf)
        targets.append(("median kql/DataFusion ≤ 1.05", f"{v:.3f} over {len(kdf)} questions", v <= 1.05))
    if kdk:
        v = statistics.median(kdk)
        targets.append(("median kql/DuckDB ≤ 1.0", f"{v:.3f} over {len(kdk)} questions", v <= 1.0))
        worst = max(results, key=lambda r: r["kql_duck"] or 0)
        targets.append(("no question slower than 2× DuckDB",
                        f"worst {worst['name']} {worst['kql_duck']:.2f}×; "
                        f"{sum(x > 2 for x in kdk)} of {len(kdk)} above 2×", max(kdk) <= 2.0))
    print("\n| target | measured | |\n|---|---|---|")
    for t, v, ok in targets:
        print(f"| {t} | {v} | {'PASS' if ok else '**FAIL**'} |")
    disagree = [r["name"] for r in results if r["kind"] != "kql-only" and not r["agree"]]
    print(f"\nanswers disagree: {', '.join(disagree) if disagree else 'none'}")
    out = args.out or os.path.join(data, "side_results.json")
    with open(out, "w") as f:
        json.dump({"info": info, "results": results,
                   "targets": [{"target": t, "measured": v, "pass": ok} for t, v, ok in targets]},
                  f, indent=1)
    print(f"results written to {out}")


if __name__ == "__main__":
    main()
