#!/usr/bin/env python3
"""Writes the seed corpora of the engine fuzz targets (engine/fuzz/corpus/<target>/).

    bench/.venv/bin/python engine/fuzz/make_seeds.py

Every seed is small and written by this script: CSV and JSON text by hand, gzip with the
standard library, Parquet with DuckDB (an independent writer; `bench/run.sh` creates the venv
that has it) and then damaged copies of those files. The `plan` seeds are pseudo-random bytes
for the query generator (kql_tests::fuzzing::generator).
"""

import gzip
import os
import random
import shutil
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def gz(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return gzip.compress(data, mtime=0)


CSV = {
    "basic.csv": "TimeGenerated,Host,Level,Bytes,Latency\n"
    "2024-03-10T00:00:00Z,web-01,Error,120,1.5\n"
    "2024-03-10T00:01:00Z,web-02,Warning,80,\n"
    "2024-03-10T00:02:00Z,,Information,4000,0.25\n",
    "quoted.csv": 'a,b,c\n"x, y","he said ""hi""",1\n"multi\nline",z,2\n',
    "crlf.csv": "a,b\r\n1,2\r\n3,4\r\n",
    "bom.csv": "\ufeffname,n\nalpha,1\nbeta,2\n",
    "header_only.csv": "a,b,c\n",
    "empty.csv": "",
    "one_column.csv": "x\n1\n2\n\n3\n",
    "ragged.csv": "a,b,c\n1,2\n1,2,3,4\n5,6,7\n",
    "types.csv": "b,l,r,d,t,g,s\n"
    "true,1,1.5,2024-01-01,01:00:00,00000000-0000-0000-0000-000000000001,x\n"
    "false,-9223372036854775808,NaN,2024-02-29 23:59:59,1.02:03:04,not-a-guid,\n"
    "TRUE,9223372036854775808,1e308,not a date,-00:00:01,,\"\"\n",
    "dup_header.csv": "a,a,b,\n1,2,3,4\n",
    "unterminated.csv": 'a,b\n"open,1\n2,3\n',
    "unicode.csv": "名前,値\nü,1\n😀,2\n",
    "nul.csv": "a,b\n1\x00,2\n",
    "invalid_utf8.csv": b"a,b\n\xff\xfe,1\n",
    "tabs.csv": "a\tb\n1\t2\n",
    "numbers_mixed.csv": "v\n1\n2.5\nx\n\n-0\n",
    "long_line.csv": "a,b\n" + "x" * 2000 + ",1\n",
    "many_columns.csv": ",".join(f"c{i}" for i in range(60)) + "\n" + ",".join(str(i) for i in range(60)) + "\n",
    "azure_export.csv": "TenantId,TimeGenerated,Computer,_ResourceId\n"
    "t1,2024-03-10T00:00:00.0000000Z,vm1,/subscriptions/x\n",
}

JSON = {
    "lines.jsonl": '{"TimeGenerated":"2024-03-10T00:00:00Z","Host":"web-01","Bytes":120,"Ok":true}\n'
    '{"TimeGenerated":"2024-03-10T00:01:00Z","Host":"web-02","Bytes":null,"Ok":false}\n'
    '{"Host":"db","Extra":{"a":[1,2]}}\n',
    "array.json": '[{"a":1,"b":"x"},{"a":2.5,"b":null},{"c":[1,2,3]}]',
    "records.json": '{"records":[{"time":"2024-01-01T00:00:00Z","properties":{"k":"v"}}]}',
    "mixed_types.jsonl": '{"v":1}\n{"v":"text"}\n{"v":1.5}\n{"v":true}\n{"v":[1]}\n{"v":{"a":1}}\n',
    "broken_line.jsonl": '{"a":1}\n{"a":\n{"a":3}\n',
    "trailing_garbage.jsonl": '{"a":1} xyz\n',
    "empty.jsonl": "",
    "blank_lines.jsonl": '\n\n{"a":1}\n\n',
    "not_object.jsonl": "1\n\"s\"\n[1,2]\nnull\n",
    "deep.jsonl": '{"a":' * 40 + "1" + "}" * 40 + "\n",
    "big_numbers.jsonl": '{"n":9223372036854775807}\n{"n":9223372036854775808}\n{"n":-1e400}\n{"n":1.0e-400}\n',
    "escapes.jsonl": '{"s":"\\u00e9\\n\\t\\"q\\"","u":"\\ud83d\\ude00","bad":"\\ud800"}\n',
    "dup_keys.jsonl": '{"a":1,"a":2}\n',
    "unicode_keys.jsonl": '{"名前":"x","":"empty key","a b":1}\n',
    "invalid_utf8.jsonl": b'{"a":"\xff"}\n',
    "crlf.jsonl": '{"a":1}\r\n{"a":2}\r\n',
    "bom.jsonl": '\ufeff{"a":1}\n',
    "array_broken.json": '[{"a":1},{"a":2}',
    "records_not_array.json": '{"records":{"a":1}}',
    "timestamps.jsonl": '{"t":"2024-03-10T00:00:00Z"}\n{"t":"2024-03-10 01:02:03"}\n{"t":"yesterday"}\n{"t":1710000000}\n',
    "nul.jsonl": '{"a":"x\x00y"}\n',
    "wide.jsonl": "{" + ",".join(f'"k{i}":{i}' for i in range(80)) + "}\n",
}


def parquet_seeds():
    """Parquet files written by DuckDB, plus damaged copies."""
    try:
        import duckdb
    except ImportError:
        print("duckdb not available: Parquet seeds skipped (run with bench/.venv/bin/python)", file=sys.stderr)
        return
    tmp = tempfile.mkdtemp(prefix="kql-seeds-")
    queries = {
        "basic": "SELECT TIMESTAMP '2024-03-10 00:00:00' + INTERVAL (i) MINUTE AS TimeGenerated, "
        "'web-0' || (i % 3) AS Host, i * 10 AS Bytes, i / 4.0 AS Latency, i % 2 = 0 AS Ok "
        "FROM range(20) t(i)",
        "nulls": "SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE i END AS a, "
        "CASE WHEN i % 2 = 0 THEN NULL ELSE 'x' || i END AS b FROM range(10) t(i)",
        "types": "SELECT 1::TINYINT AS i8, 2::SMALLINT AS i16, 3::INTEGER AS i32, 4::BIGINT AS i64, "
        "5::UTINYINT AS u8, 6::UBIGINT AS u64, 1.5::FLOAT AS f32, 2.5::DOUBLE AS f64, "
        "12.34::DECIMAL(10,2) AS dec, DATE '2024-01-01' AS d, TIME '01:02:03' AS tm, "
        "TIMESTAMP '2024-01-01 00:00:00' AS ts, TIMESTAMPTZ '2024-01-01 00:00:00+00' AS tstz, "
        "INTERVAL 90 MINUTE AS iv, 'abc'::BLOB AS bin, uuid() AS u, true AS b",
        "nested": "SELECT [1, 2, i] AS list, {'a': i, 'b': 'x'} AS st, MAP {'k': i} AS m FROM range(5) t(i)",
        "empty": "SELECT 1 AS a WHERE false",
        "strings": "SELECT repeat('ab', i) AS s, '' AS e, 'ünï😀' AS u FROM range(12) t(i)",
        "row_groups": "SELECT i AS n FROM range(3000) t(i)",
        "dict": "SELECT ['a', 'b', 'c'][1 + i % 3] AS k FROM range(100) t(i)",
        "wide": "SELECT " + ", ".join(f"{i} AS c{i}" for i in range(40)),
        "timestamps_ns": "SELECT TIMESTAMP_NS '2024-03-10 00:00:00.123456789' AS t, "
        "TIMESTAMP_MS '2024-03-10 00:00:00.123' AS tms, TIMESTAMP_S '1970-01-01 00:00:00' AS ts",
    }
    con = duckdb.connect()
    files = {}
    for name, q in queries.items():
        path = os.path.join(tmp, name + ".parquet")
        extra = ", ROW_GROUP_SIZE 1000" if name == "row_groups" else ""
        con.execute(f"COPY ({q}) TO '{path}' (FORMAT parquet{extra})")
        with open(path, "rb") as f:
            files[name] = f.read()
    shutil.rmtree(tmp)
    rng = random.Random(7)
    for name, data in files.items():
        write("read_parquet", name + ".parquet", data)
    basic = files["basic"]
    write("read_parquet", "truncated_half.parquet", basic[: len(basic) // 2])
    write("read_parquet", "truncated_footer.parquet", basic[:-3])
    write("read_parquet", "magic_only.parquet", b"PAR1")
    write("read_parquet", "magic_twice.parquet", b"PAR1PAR1")
    write("read_parquet", "zero_footer.parquet", b"PAR1" + b"\x00" * 8 + b"PAR1")
    write("read_parquet", "huge_footer_len.parquet", b"PAR1" + b"\xff\xff\xff\x7f" + b"PAR1")
    write("read_parquet", "not_parquet.parquet", b"a,b\n1,2\n")
    write("read_parquet", "empty_file.parquet", b"")
    for k in range(6):
        src = files[rng.choice(sorted(files))]
        b = bytearray(src)
        for _ in range(1 + k):
            # damage the footer (metadata) or the data pages
            pos = len(b) - 8 - rng.randrange(min(200, len(b) - 8)) if k % 2 == 0 else rng.randrange(4, len(b) - 8)
            b[pos] = rng.randrange(256)
        write("read_parquet", f"damaged_{k}.parquet", bytes(b))
    write("read_parquet", "gzipped.parquet", gz(files["nulls"]))


def main():
    rng = random.Random(2024)
    for i in range(40):
        n = rng.choice([16, 32, 64, 128, 256, 512])
        write("plan", f"seed_{i:02}", bytes(rng.randrange(256) for _ in range(n)))
    for name, text in CSV.items():
        write("read_csv", name, text)
    write("read_csv", "basic.csv.gz", gz(CSV["basic.csv"]))
    write("read_csv", "quoted.csv.gz", gz(CSV["quoted.csv"]))
    write("read_csv", "truncated.csv.gz", gz(CSV["basic.csv"])[:30])
    for name, text in JSON.items():
        write("read_json", name, text)
    write("read_json", "lines.jsonl.gz", gz(JSON["lines.jsonl"]))
    write("read_json", "truncated.jsonl.gz", gz(JSON["lines.jsonl"])[:25])
    parquet_seeds()


if __name__ == "__main__":
    main()
