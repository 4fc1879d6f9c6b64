"""The upload page's actions apart from Dash: reading the form, checking files (the importer's
own validation, which needs no database) and refusing loads that cannot happen."""

from __future__ import annotations

import base64
from pathlib import Path

import pandas as pd
import pytest

from dashboard.upload_access import UploadSettings
from dashboard.upload_actions import (
    Choice,
    check_upload,
    choice_from_state,
    load_upload,
    read_choice,
)
from dashboard.upload_files import UploadError, new_token

AREAS = pd.DataFrame(
    [
        ("E92000001", "England", "national", None, None),
        ("E12000001", "North East", "regional", "E12000001", None),
        ("E06000001", "Hartlepool", "local_authority", "E12000001", "805"),
        ("E09000007", "Camden", "local_authority", "E12000007", "202"),
    ],
    columns=["code", "name", "level", "region_code", "dfe_la_code"],
)
YEARS = [2024, 2025]
HARTLEPOOL = Choice("805", "E06000001", "Hartlepool", 2025)


@pytest.mark.parametrize(
    "text", ["Hartlepool (E06000001)", "E06000001", "805", "hartlepool", " Hartlepool "]
)
def test_read_choice_accepts_what_the_picker_accepts(text: str) -> None:
    assert read_choice(text, "2025", AREAS, YEARS) == HARTLEPOOL
    assert read_choice(text, 2025, AREAS, YEARS) == HARTLEPOOL


@pytest.mark.parametrize(
    ("la", "year", "message"),
    [
        ("", "2025", "Choose the local authority"),
        (None, "2025", "Choose the local authority"),
        ("x" * 500, "2025", "Choose the local authority"),
        ("North East (E12000001)", "2025", "No single local authority"),  # a region
        ("England", "2025", "No single local authority"),
        ("Hartlepool", "2023", "Choose the collection year"),
        ("Hartlepool", None, "Choose the collection year"),
        ("Hartlepool", True, "Choose the collection year"),
        ("Hartlepool", "2025 ", "Choose the collection year"),
    ],
)
def test_read_choice_says_what_to_fix(la: object, year: object, message: str) -> None:
    with pytest.raises(UploadError, match=message):
        read_choice(la, year, AREAS, YEARS)


def test_choice_from_state_validates_the_store() -> None:
    token = new_token()
    assert choice_from_state({"token": token, "la": "805", "year": 2025}, AREAS, YEARS) == (
        token,
        HARTLEPOOL,
    )
    for state in (
        None,
        [],
        {"token": "../../x", "la": "805", "year": 2025},
        {"token": token, "la": "E06000001", "year": 2025},
        {"token": token, "la": "805", "year": "2025"},
        {"token": token, "la": "805", "year": 2023},
    ):
        with pytest.raises(UploadError, match="Check the files before loading"):
            choice_from_state(state, AREAS, YEARS)


def settings(tmp_path: Path, reloads: list[int]) -> UploadSettings:
    found = UploadSettings(True, f"duckdb:///{tmp_path / 'none.duckdb'}", lambda: reloads.append(1))
    found._work_dir = tmp_path / "work"
    found._work_dir.mkdir()
    return found


def as_data_url(body: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(body).decode("ascii")


def test_check_upload_keeps_only_the_report_of_a_rejected_upload(tmp_path: Path) -> None:
    reloads: list[int] = []
    found = settings(tmp_path, reloads)
    checked = check_upload(found, HARTLEPOOL, ["cin.xml"], [as_data_url(b"<Message><x")])
    assert not checked.ok
    assert checked.files == ["cin.xml"]
    assert any(f.severity == "error" for f in checked.report.findings)
    folder = found.work_dir() / checked.token
    assert sorted(p.name for p in folder.iterdir()) == ["report.csv"]
    assert "cin.xml" in (folder / "report.csv").read_text()
    assert checked.state() == {"token": checked.token, "la": "805", "year": 2025}
    # Loading it is refused before the database is touched, and the app is not reloaded.
    with pytest.raises(UploadError, match="no longer kept"):
        load_upload(found, checked.token, HARTLEPOOL)
    assert reloads == []
    assert not (tmp_path / "none.duckdb").exists()
