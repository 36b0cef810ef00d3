#!/usr/bin/env python3
"""Harvest KQL code samples from the official Kusto docs into a parse corpus.

Usage:
    python3 corpus/tools/harvest_docs.py <path-to-dataexplorer-docs-git-dir> [--rev HEAD]

The argument is a (bare or non-bare) git checkout of
https://github.com/MicrosoftDocs/dataexplorer-docs.  Files are read with
`git show <rev>:<path>`, so no work tree is needed.

For every markdown page under data-explorer/kusto/query/ (recursively) every
fenced code block whose info string starts with `kusto` or `kql`
(case-insensitive) is written to corpus/parse/docs/<slug>__<NN>.kql, where
<slug> is the page path relative to data-explorer/kusto/query/ without `.md`
and with `/` replaced by `--`, and NN is the 1-based index of the block among
the page's kusto/kql blocks (so numbers are stable; skipped duplicates leave
gaps).  Byte-identical blocks (after whitespace normalisation) are written
only once, the first occurrence in sorted page order wins.

Blocks that are not KQL queries a parser should accept (management commands,
graph/GQL, grammar templates, other languages) are listed with a category in
corpus/parse/EXCLUDED.txt.  The files themselves are still written.

Stdlib only, deterministic, rerunnable (old corpus/parse/docs/*.kql are
deleted first).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO_NAME = "MicrosoftDocs/dataexplorer-docs"
QUERY_ROOT = "data-explorer/kusto/query/"
LANGS = {"kusto", "kql"}

ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "corpus" / "parse" / "docs"
EXCLUDED = ROOT / "corpus" / "parse" / "EXCLUDED.txt"


# ---------------------------------------------------------------------------
# git access


def git(mirror: str, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", mirror, *args], check=True, capture_output=True
    ).stdout.decode("utf-8")


# ---------------------------------------------------------------------------
# markdown fence extraction (CommonMark-ish)

OPEN_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<quote>(?:>[ ]?)*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


def extract_blocks(text: str):
    """Yield (line_no, info, content_lines) for every fenced block."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    n = len(lines)
    while i < n:
        m = OPEN_RE.match(lines[i])
        if not m:
            i += 1
            continue
        fence = m.group("fence")
        info = m.group("info")
        if fence[0] == "`" and "`" in info:
            # not a fence opening (inline code), per CommonMark
            i += 1
            continue
        quoted = ">" in m.group("quote")
        start = i
        close_re = re.compile(
            r"^[ \t]*(?:>[ ]?)*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$"
        )
        body = []
        i += 1
        while i < n and not close_re.match(lines[i]):
            line = lines[i]
            if quoted:
                line = re.sub(r"^[ \t]*(?:>[ ]?)+", "", line, count=1)
            body.append(line)
            i += 1
        i += 1  # skip closing fence (or EOF)
        yield start + 1, info.strip(), body


def normalise_block(body: list[str]) -> str:
    # strip trailing whitespace of the block and leading blank lines
    while body and not body[-1].strip():
        body = body[:-1]
    while body and not body[0].strip():
        body = body[1:]
    if not body:
        return ""
    # remove indentation common to all non-blank lines
    nonblank = [l for l in body if l.strip()]
    common = None
    for l in nonblank:
        ind = l[: len(l) - len(l.lstrip(" \t"))]
        if common is None:
            common = ind
        else:
            k = 0
            while k < min(len(common), len(ind)) and common[k] == ind[k]:
                k += 1
            common = common[:k]
    cut = len(common or "")
    out = [l[cut:] if l.startswith(common or "") else l.lstrip(" \t") for l in body]
    text = "\n".join(out)
    return text.rstrip()


# ---------------------------------------------------------------------------
# classification heuristics


def strip_strings_and_comments(src: str, problems: list | None = None) -> str:
    """Replace KQL string literals by "" and drop // comments (rough lexer).

    Unterminated single-line string literals are reported in `problems`."""
    out = []
    i = 0
    n = len(src)
    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
            continue
        if src.startswith("```", i) or src.startswith("~~~", i):
            d = src[i : i + 3]
            j = src.find(d, i + 3)
            i = n if j < 0 else j + 3
            out.append('""')
            continue
        # verbatim/obfuscated prefixes: @"..", h"..", H@'..' etc.
        m = re.match(r"(?:[hH]@?|@)(?=[\"'])", src[i:])
        if m and (i == 0 or not (src[i - 1].isalnum() or src[i - 1] == "_")):
            verbatim = "@" in m.group(0)
            i += len(m.group(0))
            c = src[i]
        else:
            verbatim = False
        if c in "\"'":
            q = c
            j = i + 1
            while j < n:
                if src[j] == "\\" and not verbatim:
                    j += 2
                    continue
                if src[j] == q:
                    if verbatim and j + 1 < n and src[j + 1] == q:
                        j += 2
                        continue
                    break
                if src[j] == "\n":  # unterminated on this line
                    if problems is not None:
                        problems.append(src[i:j])
                    break
                j += 1
            out.append('""')
            i = j + 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def bracket_problem(code: str):
    stack = []
    for ch in code:
        if ch in "([{":
            stack.append(ch)
        elif ch in ")]}":
            if not stack or "([{"[")]}".index(ch)] != stack[-1]:
                return f"unbalanced brackets (unexpected {ch!r})"
            stack.pop()
    if stack:
        return f"unbalanced brackets ({len(stack)} unclosed {stack[-1]!r})"
    return None


def first_statement_line(src: str) -> str:
    for line in src.split("\n"):
        s = line.strip()
        if not s or s.startswith("//"):
            continue
        return s
    return ""


MGMT_LINE_RE = re.compile(
    r"^\s*\.(?:show|create|create-or-alter|create-merge|alter|alter-merge|drop|set|set-or-append|"
    r"set-or-replace|append|ingest|execute|delete|purge|clear|add|rename|replace|move|"
    r"enable|disable|cancel|export|attach|detach|undo|dup-next-ingest|dup-next-failed-ingest|"
    r"evaluate|get|merge|refresh|run|abort|update|seal|restore|clean|manage|load|"
    r"activate|deactivate|verify|clone)\b",
    re.M,
)

GRAPH_RE = re.compile(
    r"\b(?:graph-match|graph-shortest-paths|graph-to-table|graph-mark-components|make-graph|"
    r"graph-merge)\b|\bgraph\s*\(",
    re.I,
)
GQL_RE = re.compile(r"(?:^|\s)(?:optional\s+)?match\s*\(", re.I | re.M)

# Known tabular operators / keywords that may follow a pipe.
PIPE_OPS = set(
    """
    as consume count datatable distinct evaluate extend externaldata facet filter find fork
    getschema invoke join limit lookup make-series mv-apply mv-expand order parse parse-where
    parse-kv partition print project project-away project-keep project-rename project-reorder
    range reduce render sample sample-distinct scan search serialize sort summarize take top
    top-hitters top-nested union where macro-expand make-graph graph-match graph-to-table
    graph-shortest-paths graph-mark-components graph-merge assert-schema project-smart
    project-by-names
    """.split()
)
# words that, after a `|`, signal grammar alternatives rather than a pipeline
GRAMMAR_WORDS = {"asc", "desc", "nulls", "first", "last", "inner", "innerunique", "leftouter",
                 "rightouter", "fullouter", "leftanti", "rightanti", "leftsemi", "rightsemi",
                 "true", "false", "string", "long", "int", "real", "bool", "datetime", "timespan"}


def is_json(src: str) -> bool:
    s = src.strip()
    if not s or s[0] not in "[{":
        return False
    try:
        json.loads(s)
        return True
    except ValueError:
        return False


SQL_RE = re.compile(r"^\s*(?:SELECT\b.*\bFROM\b|SELECT\s+(?:TOP|\*|COUNT)|INSERT\s+INTO|CREATE\s+TABLE|UPDATE\s+\w+\s+SET)", re.I | re.S)


def depth_lines(code: str):
    """Yield (depth_at_line_start, blank_line_before, stripped_line) for non-blank lines."""
    depth = 0
    blank = False
    for line in code.split("\n"):
        if line.strip():
            yield depth, blank, line.strip()
            blank = False
        else:
            blank = True
        for ch in line:
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth = max(0, depth - 1)


EXPR_START_RE = re.compile(r'^(?:(?!(?:with|typeof|on|by|kind|hint|and|or|not)\b)[a-z_][\w]*\s*\(|""|-?\d+(?:\.\d+)?\b)')
CONT_END_RE = re.compile(r"[;,|=(\[{+\-*/<>!.]$|\b(?:and|or|not|by|on|with|in|to|from|step|of|kind|let|print|union|join|project|extend|summarize|where)$")
NOT_START_RE = re.compile(r"^(?:[|\[\](),;{}.]|(?:with|on|by|to|from|step|of|and|or|kind|in|limit|hint\.\w+)\b)")


def multiple_statements(code: str):
    """Detect blocks holding several queries/expressions without `;` between them.

    Returns a reason string or None.  Two patterns:
    - consecutive top-level lines that are each a self-contained scalar
      expression (function call / literal), e.g. `tolong("1") == 1` then
      `tolong("2") == 2`;
    - a new top-level query after a blank line although the previous one is
      complete (Kusto Explorer style: blank lines separate queries)."""
    prev = None
    for depth, blank, line in depth_lines(code):
        if depth != 0:
            prev = None
            continue
        if prev is not None and not CONT_END_RE.search(prev):
            if EXPR_START_RE.match(line) and EXPR_START_RE.match(prev):
                return "several expressions, one per line, without ';' (not one query)"
            if blank and not NOT_START_RE.match(line):
                return "several queries separated by blank lines without ';' (Kusto Explorer style)"
        prev = line
    return None


def classify(src: str):
    """Return (category, reason) or None if the block looks like a KQL query."""
    problems: list[str] = []
    code = strip_strings_and_comments(src, problems)
    first = first_statement_line(src)
    first_code = next((l.strip() for l in code.split("\n") if l.strip() and l.strip() != "--"), "")

    # --- management commands
    if first.startswith("#connect"):
        return "management", "#connect script directive"
    if first.startswith("."):
        cmd = re.match(r"\.[\w-]+(?:\s+[\w-]+)?", first)
        return "management", f"starts with management command {cmd.group(0) if cmd else first[:20]!r}"
    m = MGMT_LINE_RE.search(code)
    if m:
        return "management", f"contains management command {m.group(0).strip()!r}"

    # --- other languages
    if is_json(src):
        return "other-language", "JSON document"
    if SQL_RE.match(first_code) or re.match(r"^\s*explain\b", first_code, re.I):
        return "other-language", "SQL (T-SQL / explain)"
    if re.search(r"^\s*-{3,}\s*$", src, re.M):
        return "other-language", "result table (header/---/values), not a query"
    if re.search(r"^\s*\|[^|\n]*\|\s*$", src, re.M) and re.search(r"^\s*\|\s*:?-{3,}", src, re.M):
        return "other-language", "markdown table (output), not a query"

    # --- graph
    m = GRAPH_RE.search(code)
    if m:
        return "graph", f"uses {m.group(0).strip()}"
    if GQL_RE.search(code) and re.search(r"\breturn\b", code, re.I):
        return "graph", "GQL/Cypher MATCH ... RETURN"

    # --- templates / grammar notation
    m = re.search(r"<[A-Za-z_][\w.:-]*(?: [\w.:-]+)*>", code)
    if m:
        return "template", f"placeholder {m.group(0)}"
    if "..." in code or "\u2026" in code:
        return "template", "ellipsis for omitted code"
    m = re.search(r"\[\s*(?:,|\||=)", code)
    if m:
        return "template", f"optional-grammar bracket {m.group(0)!r}"
    for m in re.finditer(r"\|\s*(\S+)?", code):
        word = m.group(1) or ""
        w = re.match(r"[A-Za-z][\w-]*", word)
        if w is None:
            return "template", f"pipe followed by {word[:15]!r}"
        if w.group(0).lower() in GRAMMAR_WORDS:
            return "template", f"grammar alternative '| {w.group(0)}'"

    # --- fragments that are not complete queries
    if re.match(r"^[A-Za-z_]\w*:\s", first_code):
        return "other-language", "plain text (`Label: value`), not KQL"
    if first_code.startswith("|"):
        return "fragment", "starts with '|': operator fragment without input"
    why = multiple_statements(code)
    if why:
        return "fragment", why

    # --- typos in the docs that make an otherwise real query invalid
    if problems:
        return "docs-bug", f"unterminated string literal {problems[0][:30]!r}"
    why = bracket_problem(code)
    if why:
        return "docs-bug", why
    return None


# ---------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mirror", help="path to a git dir of MicrosoftDocs/dataexplorer-docs")
    ap.add_argument("--rev", default="HEAD")
    args = ap.parse_args()

    commit = git(args.mirror, "rev-parse", args.rev).strip()
    date = git(args.mirror, "show", "-s", "--format=%cs", commit).strip()
    pages = sorted(
        p
        for p in git(args.mirror, "ls-tree", "-r", "--name-only", commit).splitlines()
        if p.startswith(QUERY_ROOT) and p.lower().endswith(".md")
    )

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for old in OUT_DIR.glob("*.kql"):
        old.unlink()

    seen: dict[str, str] = {}
    stats = Counter()
    excluded: list[tuple[str, str, str]] = []
    pages_with_blocks = 0
    for page in pages:
        text = git(args.mirror, "show", f"{commit}:{page}")
        rel = page[len(QUERY_ROOT) : -len(".md")]
        slug = rel.replace("/", "--")
        idx = 0
        for line_no, info, body in extract_blocks(text):
            lang = info.split()[0].lower() if info.split() else ""
            if lang not in LANGS:
                continue
            idx += 1
            stats["blocks"] += 1
            content = normalise_block(body)
            if not content:
                stats["empty"] += 1
                continue
            key = " ".join(content.split())
            if key in seen:
                stats["duplicates"] += 1
                continue
            nn = f"{idx:02d}"
            name = f"{slug}__{nn}.kql"
            seen[key] = name
            header = (
                f"// source: {REPO_NAME}@{commit} {page} block {nn} (line {line_no})"
                " \u2014 code sample, MIT"
            )
            (OUT_DIR / name).write_text(header + "\n" + content + "\n", encoding="utf-8")
            stats["written"] += 1
            cls = classify(content)
            if cls:
                excluded.append((name, cls[0], cls[1]))
        if idx:
            pages_with_blocks += 1

    excluded.sort()
    EXCLUDED.write_text(
        "".join(f"{n}\t{c}\t{r}\n" for n, c, r in excluded), encoding="utf-8"
    )
    per_cat = Counter(c for _, c, _ in excluded)

    summary = [
        f"pages scanned:          {len(pages)}",
        f"pages with kusto/kql:   {pages_with_blocks}",
        f"blocks found:           {stats['blocks']}",
        f"empty blocks skipped:   {stats['empty']}",
        f"duplicates skipped:     {stats['duplicates']}",
        f"files written:          {stats['written']}",
        f"excluded (total):       {len(excluded)}",
    ]
    for cat in ("management", "graph", "template", "other-language", "fragment", "docs-bug"):
        summary.append(f"  excluded {cat + ':':16}{per_cat.get(cat, 0)}")
    summary.append(f"expected to parse:      {stats['written'] - len(excluded)}")
    print("\n".join(summary))

    readme = f"""# Docs corpus

KQL code samples harvested from the official Kusto documentation.

- Source: https://github.com/{REPO_NAME}, pages under `{QUERY_ROOT}`
- Commit: `{commit}` ({date})
- Licence: the docs' code samples are MIT-licensed; prose and output tables are
  not copied. Each file starts with a `// source:` provenance comment.
- Blocks that are not plain KQL queries a parser should accept are still kept
  here but listed in `../EXCLUDED.txt` (`<file>\\t<category>\\t<reason>`).
  Categories: `management` (dot-commands, `#connect`), `graph` (graph
  operators/functions, GQL), `template` (`<placeholder>`, `...`, `[,` grammar
  notation), `other-language` (JSON, SQL, output tables, prose), `fragment`
  (operator fragments without input, several queries/expressions in one block
  without `;`), `docs-bug` (real query with a typo, e.g. unterminated string).
  The categorisation is heuristic (see `classify()` in the script).
- Only `data-explorer/kusto/query/` is harvested; the functions library
  (`data-explorer/kusto/functions-library/`) lives outside it and is not
  included.

Regenerate (needs a git checkout or bare mirror of the docs repo):

```sh
python3 corpus/tools/harvest_docs.py /path/to/dataexplorer-docs [--rev <commit>]
```

Counts:

```
{chr(10).join(summary)}
```
"""
    (OUT_DIR / "README.md").write_text(readme, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
