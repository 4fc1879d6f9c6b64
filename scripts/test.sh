#!/usr/bin/env bash
# Every check make test promises: lint, format, types, then all test tiers against real engines
# (DuckDB, SQLite, and a private PostgreSQL started here and stopped on exit, pass or fail).
# All stages run even when one fails, so one run shows every problem; the exit status is
# non-zero if any stage failed. Extra arguments go to pytest.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV_BIN=.venv/bin
failed=()

stage() {
    local name=$1
    shift
    echo "==> $name: $*"
    if ! "$@"; then
        failed+=("$name")
    fi
}

# The national database the realism and calibration tests read takes the longest to build:
# start it first, so it runs beside lint, types and the other tests, at their priority (it is
# the longest path through the run). The test session waits for it (tests/conftest.py,
# CSC_NATIONAL_BUILD_DIR) only when it needs it.
national_dir=""
national_pid=""
only_options=1
for arg in "$@"; do
    case $arg in -*) ;; *) only_options=0 ;; esac
done
# Only for a whole run (pytest given options alone): a run of chosen tests starts the build
# itself if it needs it.
if [ "$only_options" -eq 1 ]; then
    national_dir=$(mktemp -d "${TMPDIR:-/tmp}/csc-national-XXXXXX")
    # In its own process group (setsid), so that stopping it stops its worker processes too.
    setsid bash -c '
        "$1" -m data build --quiet --database-url "duckdb:///$2/national.duckdb" >"$2/build.log" 2>&1
        echo $? >"$2/status.tmp" && mv "$2/status.tmp" "$2/status"
    ' national-build "$VENV_BIN/python" "$national_dir" &
    national_pid=$!
    export CSC_NATIONAL_BUILD_DIR="$national_dir"
fi

cleanup() {
    if [ -n "$national_pid" ]; then
        kill -- "-$national_pid" 2>/dev/null
        rm -rf "$national_dir"
    fi
    scripts/pg.sh stop
}
trap cleanup EXIT

stage "ruff check" "$VENV_BIN/ruff" check .
stage "ruff format" "$VENV_BIN/ruff" format --check .
stage "mypy" "$VENV_BIN/mypy"

echo "==> starting PostgreSQL"
if ! pg_url=$(scripts/pg.sh start); then
    echo "test: PostgreSQL did not start" >&2
    exit 1
fi
echo "    $pg_url"
export CSC_TEST_PG_URL="$pg_url"

# dash[testing] starts /usr/bin/chromedriver from PATH and Debian's chromium.
export PATH="/usr/bin:$PATH"
export DASH_TEST_CHROMEPATH="${DASH_TEST_CHROMEPATH:-/usr/bin/chromium}"

echo "==> pytest"
# One worker per core (pytest-xdist), each test file on one worker so that its module fixtures
# are built once. Files go out in collection order (xdist would start with the files of most
# tests), which puts the tests on the national database last (tests/conftest.py): a worker
# that took them first would wait for the build instead of running the rest.
"$VENV_BIN/python" -m pytest -n auto --dist loadfile --no-loadscope-reorder --durations=30 "$@"
status=$?
# pytest exits 5 when it collected no tests: that is a failure here, like any non-zero status.
if [ "$status" -eq 5 ]; then
    echo "test: pytest collected no tests" >&2
fi
if [ "$status" -ne 0 ]; then
    failed+=("pytest (exit $status)")
fi

if [ ${#failed[@]} -gt 0 ]; then
    echo "test: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "test: all checks passed"
