#!/usr/bin/env python3
"""How many of the docs' inline-data *function* examples the .kqlt corpus reproduces.

Usage:
    python3 corpus/tools/doc_function_coverage.py [--index PATH] [--run] [--list]

The case list comes from the doc-case index (default ../shared/reference/doc-cases-index.md,
relative to the repository root): every case of the "Scalar functions", "Aggregation functions"
and "Window functions" categories, plus the "Bare-expression cases" (a lone function call that a
record wraps in `print`). A case is *covered* when a record in corpus/kqlt/*.kqlt carries a
`# source: <page>.md` comment for its page:

- a comment with `@L<n>` covers exactly the case whose fence is on line n;
- a comment without a line (older files) covers the case of that page whose query the record's
  query starts with (whitespace-insensitive; a leading `print ` added to a bare expression is
  ignored), read from a docs checkout (`--docs`, default /work/.mirror/MicrosoftDocs+dataexplorer-docs/repo,
  any git directory of MicrosoftDocs/dataexplorer-docs); without a checkout, it covers one
  not-yet-covered case of that page.

Cases without a record are listed with `--list`, each marked when corpus/kqlt/ERRATA.md names
its page (the errata say why there is no record).

With `--run` the script also runs the corpus (`cargo run -q -p kql-tests --example run_kqlt --
--verbose`) and counts how many of the doc-function records pass: a record fails when the
runner reports `at corpus/kqlt/<file>:<line of its query>`.

Stdlib only; prints a short report, the first line being `covered: N / M`.
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KQLT = ROOT / "corpus" / "kqlt"
DEFAULT_INDEX = ROOT.parent / "shared" / "reference" / "doc-cases-index.md"
DEFAULT_DOCS = Path("/work/.mirror/MicrosoftDocs+dataexplorer-docs/repo")
FUNCTION_CATEGORIES = {"Scalar functions", "Aggregation functions", "Window functions"}

CASE_RE = re.compile(r"^- \[P\d\] `query/([^`]+)` — .*?\d+ case\(s\) @L([\d,]+);")
BARE_RE = re.compile(r"^- `query/([^`]+)` @L(\d+)")
SOURCE_RE = re.compile(
    r"^#\s*source:\s*(?:data-explorer/kusto/query/)?(\S+?\.md)(?:\s+@L(\d+))?"
)


def read_cases(index: Path) -> list[tuple[str, int]]:
    """(page, fence line) of every function case in the index."""
    cases: list[tuple[str, int]] = []
    category = None
    in_all = False
    in_bare = False
    for line in index.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            in_all = line.startswith("## All inline cases")
            in_bare = line.startswith("## Bare-expression cases")
            category = None
            continue
        if line.startswith("### "):
            category = line[4:].split(" — ")[0].strip()
            continue
        if in_all and category in FUNCTION_CATEGORIES:
            m = CASE_RE.match(line)
            if m:
                cases.extend((m.group(1), int(n)) for n in m.group(2).split(","))
        elif in_bare:
            m = BARE_RE.match(line)
            if m:
                cases.append((m.group(1), int(m.group(2))))
    return cases


def read_records() -> list[dict]:
    """Every query record of corpus/kqlt with the `# source:` comment in front of it (if any)."""
    records = []
    for path in sorted(KQLT.glob("*.kqlt")):
        pending = None
        collecting = False
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            m = SOURCE_RE.match(line)
            if m:
                pending = (m.group(1), int(m.group(2)) if m.group(2) else None)
                continue
            if line.startswith("query ") or line.startswith("statement "):
                records.append(
                    {"file": path.name, "line": no, "source": pending, "text": []}
                )
                pending = None
                collecting = True
                continue
            if records and collecting:
                if line.startswith("----") or line.strip() == "":
                    collecting = False
                else:
                    records[-1]["text"].append(line)
    return records


def norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def doc_query(docs: Path, page: str, line: int) -> str | None:
    """The text of the fenced block opening on `line` of the page, or None."""
    try:
        md = subprocess.run(
            ["git", "-C", str(docs), "show", f"HEAD:data-explorer/kusto/query/{page}"],
            capture_output=True, text=True, check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return None
    if line - 1 >= len(md) or not md[line - 1].strip().startswith("```"):
        return None
    body = []
    for l in md[line:]:
        if l.strip().startswith("```"):
            break
        body.append(l)
    return "\n".join(body)


def cover(cases, records, docs: Path | None = None):
    """Maps each covered case to the record covering it."""
    by_page = collections.defaultdict(list)
    for page, n in cases:
        by_page[page].append(n)
    covered: dict[tuple[str, int], dict] = {}
    unlined = []
    for rec in records:
        if not rec["source"]:
            continue
        page, n = rec["source"]
        if page not in by_page:
            continue
        if n is not None and n in by_page[page] and (page, n) not in covered:
            covered[(page, n)] = rec
        elif n is None:
            unlined.append(rec)
    texts = {}
    if docs is not None and docs.exists():
        for page, n in cases:
            q = doc_query(docs, page, n)
            if q is not None:
                texts[(page, n)] = norm(q)
    for rec in unlined:
        page, _ = rec["source"]
        mine = norm("\n".join(rec["text"]))
        for n in by_page[page]:
            if (page, n) in covered:
                continue
            want = texts.get((page, n))
            if want is None and texts:
                continue
            if want is None or mine.startswith(want) or mine.removeprefix("print").startswith(want):
                covered[(page, n)] = rec
                break
        else:
            # A record that edits the docs' query (e.g. drops a column, see ERRATA.md section 2)
            # still covers the case whose query it shares its first 40 characters with.
            for n in by_page[page]:
                want = texts.get((page, n))
                if (page, n) not in covered and want and mine[:40] == want[:40]:
                    covered[(page, n)] = rec
                    break
    return covered


def run_failures() -> set[tuple[str, int]]:
    out = subprocess.run(
        ["cargo", "run", "-q", "-p", "kql-tests", "--example", "run_kqlt", "--", "--verbose"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout
    failed = set()
    for m in re.finditer(r"at (?:\S*/)?corpus/kqlt/([^:\s]+\.kqlt):(\d+)", out):
        failed.add((m.group(1), int(m.group(2))))
    return failed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    ap.add_argument("--docs", type=Path, default=DEFAULT_DOCS)
    ap.add_argument("--run", action="store_true", help="also run the corpus and count passes")
    ap.add_argument("--list", action="store_true", help="list the cases without a record")
    args = ap.parse_args()

    cases = read_cases(args.index)
    records = read_records()
    covered = cover(cases, records, args.docs)
    print(f"covered: {len(covered)} / {len(cases)} doc function examples")

    errata = (KQLT / "ERRATA.md").read_text(encoding="utf-8")
    missing = [c for c in cases if c not in covered]
    in_errata = [c for c in missing if c[0] in errata or c[0].removesuffix(".md") in errata]
    print(f"without a record: {len(missing)} ({len(in_errata)} on pages named in ERRATA.md)")
    if args.list:
        for page, n in missing:
            mark = "errata" if (page, n) in in_errata else "-"
            print(f"  {page} @L{n}  [{mark}]")

    if args.run:
        failed = run_failures()
        recs = {(r["file"], r["line"]) for r in covered.values()}
        bad = sorted(r for r in recs if r in failed)
        print(f"doc function records passing: {len(recs) - len(bad)} / {len(recs)}")
        for f, n in bad:
            print(f"  failing: {f}:{n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
