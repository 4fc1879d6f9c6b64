"""The corpus of malformed returns: each case is one kind of fault an LA's export can have.

Each must be refused with its rule at its place in the report, and the database must be exactly
as it was: a checksum of every table, before and after, through the same command an analyst
runs."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from data.cli import main
from data.engine import make_engine
from data.load import table_checksums

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "bad_returns"
CASES = sorted(p for p in CORPUS.iterdir() if (p / "expected.json").is_file())
FIELDS = ("file", "location", "field")


def _expected(case: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    return data


def test_the_corpus_is_large_and_each_case_names_its_rule() -> None:
    assert len(CASES) >= 40
    rules = [_expected(c)["rule"] for c in CASES]
    assert all(isinstance(r, str) and r.count(".") >= 1 for r in rules)
    # Many kinds of fault, not one fault forty times.
    assert len(set(rules)) >= 30


@pytest.fixture(scope="module")
def corpus_db(
    tiny_db_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, dict[str, Any]]:
    """One writable copy for the whole corpus: no case may change it, which each test checks."""
    path = tmp_path_factory.mktemp("corpus") / "corpus.duckdb"
    shutil.copyfile(tiny_db_file, path)
    url = f"duckdb:///{path}"
    engine = make_engine(url)
    try:
        sums = table_checksums(engine)
    finally:
        engine.dispose()
    return url, sums


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_return_is_refused_where_it_is_wrong_and_nothing_changes(
    case: Path,
    corpus_db: tuple[str, dict[str, Any]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, before = corpus_db
    expected = _expected(case)
    report_csv = tmp_path / "report.csv"
    status = main(
        [
            "import",
            "--la",
            str(expected["la"]),
            "--year",
            str(expected["year"]),
            "--database-url",
            url,
            "--report",
            str(report_csv),
            str(case),  # the folder, as an analyst would give it (expected.json is not read)
        ]
    )
    out = capsys.readouterr()
    assert status == 1, out.out + out.err
    assert "nothing was loaded" in out.err
    with report_csv.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    wanted = {k: str(expected[k]) for k in FIELDS}
    hits = [r for r in rows if r["rule"] == expected["rule"]]
    assert hits, f"rule {expected['rule']} not reported; got {[r['rule'] for r in rows]}"
    assert any(r["severity"] == "error" for r in hits)
    assert any({k: r[k] for k in FIELDS} == wanted for r in hits), (wanted, hits[:3])
    engine = make_engine(url)
    try:
        assert table_checksums(engine) == before
    finally:
        engine.dispose()
