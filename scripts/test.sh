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

stage "ruff check" "$VENV_BIN/ruff" check .
stage "ruff format" "$VENV_BIN/ruff" format --check .
stage "mypy" "$VENV_BIN/mypy"

echo "==> starting PostgreSQL"
if ! pg_url=$(scripts/pg.sh start); then
    echo "test: PostgreSQL did not start" >&2
    exit 1
fi
trap 'scripts/pg.sh stop' EXIT
echo "    $pg_url"
export CSC_TEST_PG_URL="$pg_url"

# dash[testing] starts /usr/bin/chromedriver from PATH and Debian's chromium.
export PATH="/usr/bin:$PATH"
export DASH_TEST_CHROMEPATH="${DASH_TEST_CHROMEPATH:-/usr/bin/chromium}"

echo "==> pytest"
"$VENV_BIN/python" -m pytest --durations=30 "$@"
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
