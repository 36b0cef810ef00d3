#!/bin/sh
# One command for the side-by-side benchmark (issue #9): kql vs DataFusion SQL vs DuckDB.
# Creates bench/.venv with the pinned DuckDB, builds, generates data if missing, runs.
# Options are run.py's: --rows N (default 10000000), --reps R (5), --threads T (2),
# --only a,b, --no-json, --json-rows M, --skip-build.
exec python3 "$(dirname "$0")/run.py" "$@"
