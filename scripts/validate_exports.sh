#!/usr/bin/env bash
# Run DfE's own validation rules (data-to-insight's csc-validator-be-903 and -cin) over exported
# returns. The validators pin pandas 1.5, so they live in their own venv, never in .venv.
#
#   scripts/validate_exports.sh [EXPORTS_DIR] [extra options for validate_exports.py]
#
# EXPORTS_DIR (default out/exports) is one export folder (ssda903/, cin_census.xml) or a tree
# of them. Each export is checked with its collection year's rule sets (2025 -> lac2024_25 and
# cin2024_25) unless --lac-ruleset / --cin-ruleset name others. Exits 1 if a rule fires that
# data/synth/validator_allowlist.csv does not allow, 2 on bad arguments or a malformed allow-list.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.cache/validators-venv"
PYTHON_BIN="${VALIDATORS_PYTHON:-python3.11}"
# Versions checked with `pip index versions` (newest on PyPI when this was written).
PACKAGES=("csc-validator-be-903==0.1.17" "csc-validator-be-cin==0.1.13")

if ! command -v "$PYTHON_BIN" >/dev/null 2>&1; then
    PYTHON_BIN=python3
fi
if [[ ! -x "$VENV/bin/python" ]]; then
    echo "creating $VENV (pandas 1.5 for the DfE validators)" >&2
    "$PYTHON_BIN" -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import lac_validator, cin_validator" 2>/dev/null; then
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "${PACKAGES[@]}"
fi

exec "$VENV/bin/python" "$ROOT/scripts/validate_exports.py" "$@"
