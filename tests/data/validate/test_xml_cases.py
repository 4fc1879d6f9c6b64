"""The xml_* cases of the bad-returns corpus: up to date with their script, and each refused
with its one expected rule at its file, location and field (the lead's corpus test adds the
database side)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from data.validate.run import validate_returns
from tests.fixtures.bad_returns.make_xml_cases import CASES, PREFIX, write_cases

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "bad_returns"
NAMES = sorted(p.name for p in CORPUS.glob(f"{PREFIX}*"))


def test_the_committed_cases_are_what_the_script_writes(tmp_path: Path) -> None:
    written = write_cases(tmp_path)
    assert sorted(written) == NAMES
    for name in written:
        ours = {p.name: p.read_bytes() for p in (tmp_path / name).iterdir()}
        committed = {p.name: p.read_bytes() for p in (CORPUS / name).iterdir()}
        assert ours == committed, name


def test_there_are_at_least_twenty_cases() -> None:
    assert len(NAMES) >= 20
    assert len(CASES) == len(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_case_is_refused_with_its_rule(name: str) -> None:
    expected = json.loads((CORPUS / name / "expected.json").read_text("utf-8"))
    result = validate_returns([CORPUS / name], expected["la"], expected["year"])
    report = result.report
    assert not report.ok and result.tables is None
    hits = [
        f
        for f in report.errors
        if (f.rule, f.file, f.location, f.field)
        == (expected["rule"], expected["file"], expected["location"], expected["field"])
    ]
    assert hits, report.format_text()
    # One kind of fault per case: no other rule stops the import.
    assert {f.rule for f in report.errors} == {expected["rule"]}, report.format_text()
