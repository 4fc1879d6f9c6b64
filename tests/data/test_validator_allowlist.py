"""The allow-list of DfE validator rules is read by a script that runs in another venv, so a
malformed row would only show up when someone runs the validators. These tests check the file's
shape here, and check the script's reading and matching of it on small hand-made lists."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
ALLOWLIST = ROOT / "data" / "synth" / "validator_allowlist.csv"
SCRIPT = ROOT / "scripts" / "validate_exports.py"
README = ROOT / "data" / "synth" / "README.md"


def _script() -> ModuleType:
    # The script imports only the standard library at module level (the validator packages are
    # imported inside the functions that run them), so it loads in this venv too.
    spec = importlib.util.spec_from_file_location("validate_exports", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file loads
    spec.loader.exec_module(module)
    return module


def _rows() -> list[dict[str, str]]:
    with ALLOWLIST.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_allowlist_has_the_columns_the_script_expects() -> None:
    with ALLOWLIST.open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header == ["rule", "return", "rulesets", "class", "reason"]


def test_every_row_names_a_return_a_class_and_a_real_reason() -> None:
    rows = _rows()
    assert rows, "the allow-list is empty"
    for line, row in enumerate(rows, start=2):
        assert row["return"] in {"903", "CIN"}, f"line {line}: {row['return']!r}"
        assert row["class"] in {"external-reference", "validator-bug", "expected-query"}, line
        assert len(row["reason"].split()) >= 8, f"line {line}: reason too short"
        for ruleset in row["rulesets"].split():
            prefix = "lac" if row["return"] == "903" else "cin"
            assert ruleset.startswith(prefix) and ruleset[3:7].isdigit(), (line, ruleset)


def test_no_rule_is_listed_twice_for_the_same_rule_set() -> None:
    seen: set[tuple[str, str, str]] = set()
    for row in _rows():
        for ruleset in row["rulesets"].split() or ["*"]:
            key = (row["return"], row["rule"], ruleset)
            assert key not in seen, key
            seen.add(key)


def test_only_query_rules_are_excused_as_expected_queries() -> None:
    # DfE names its query (warning) rules with a trailing Q; an error rule may never be waved
    # through as "realistic".
    for row in _rows():
        if row["class"] == "expected-query":
            assert row["rule"].endswith("Q"), row["rule"]


def test_every_allowed_rule_is_explained_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    for row in _rows():
        assert f"`{row['rule']}`" in text, row["rule"]


def test_script_reads_and_matches_return_and_rule_set(tmp_path: Path) -> None:
    ve = _script()
    path = tmp_path / "allow.csv"
    path.write_text(
        "rule,return,rulesets,class,reason\n"
        "146,903,lac2024_25,validator-bug,a reason\n"
        "169,903,,external-reference,another reason\n",
        encoding="utf-8",
    )
    allow = ve.read_allowlist(path)
    covered = {
        (ret, code, rs)
        for ret in ("903", "CIN")
        for code in ("146", "169", "999")
        for rs in ("lac2024_25", "lac2025_26")
        if any(a.covers(ret, code, rs) for a in allow)
    }
    assert covered == {
        ("903", "146", "lac2024_25"),
        ("903", "169", "lac2024_25"),
        ("903", "169", "lac2025_26"),
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rule,reason\n169,why\n", "must have the columns"),
        ("rule,return,rulesets,class,reason\n169,SSDA,,external-reference,why\n", ":2: return"),
        ("rule,return,rulesets,class,reason\n169,903,,guess,why\n", ":2: class"),
        ("rule,return,rulesets,class,reason\n169,903,,validator-bug,\n", ":2: rule and reason"),
    ],
)
def test_a_malformed_allowlist_stops_with_exit_2_and_names_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    ve = _script()
    path = tmp_path / "allow.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        ve.read_allowlist(path)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
