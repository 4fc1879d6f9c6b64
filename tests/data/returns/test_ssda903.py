from __future__ import annotations

import csv
from pathlib import Path

import pytest

from data.returns.frames import ReturnFormatError
from data.returns.ssda903 import read_ssda903, write_ssda903

# DfE column names per file (returns_spec 2.1).
EXPECTED_COLUMNS = {
    "header": "CHILD SEX DOB ETHNIC UPN MOTHER MC_DOB",
    "episodes": "CHILD DECOM RNE LS CIN PLACE PLACE_PROVIDER DEC REC REASON_PLACE_CHANGE "
    "HOME_POST PL_POST URN",
    "uasc": "CHILD SEX DOB DUC",
    "reviews": "CHILD DOB REVIEW REVIEW_CODE",
    "oc2": "CHILD DOB SDQ_SCORE SDQ_REASON CONVICTED HEALTH_CHECK IMMUNISATIONS TEETH_CHECK "
    "HEALTH_ASSESSMENT SUBSTANCE_MISUSE INTERVENTION_RECEIVED INTERVENTION_OFFERED",
    "oc3": "CHILD DOB IN_TOUCH ACTIV ACCOM",
    "ad1": "CHILD DOB DATE_INT DATE_MATCH FOSTER_CARE NB_ADOPTR SEX_ADOPTR LS_ADOPTR",
    "placed_for_adoption": "CHILD DOB DATE_PLACED DATE_PLACED_CEASED REASON_PLACED_CEASED",
    "previous_permanence": "CHILD DOB PREV_PERM LA_PERM DATE_PERM",
    "missing": "CHILD DOB MISSING MIS_START MIS_END",
    "social_worker": "CHILD DOB SW_ID SW_DECOM SW_DEC SW_REASON",
}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_round_trip_gives_the_same_rows(la_year, norm, tmp_path):
    tables = la_year(2025)
    write_ssda903(tables, 2025, tmp_path)
    back = read_ssda903(tmp_path / "ssda903", year=2025, la_code="805")
    assert set(back) == {n for n in tables if n.startswith("cla_")}
    for name, frame in back.items():
        assert list(frame.columns) == list(tables[name].columns)
        assert norm(frame, name).equals(norm(tables[name], name)), name


def test_files_have_dfe_names_columns_and_dates(la_year, tmp_path):
    write_ssda903(la_year(2025), 2025, tmp_path)
    folder = tmp_path / "ssda903"
    for stem, cols in EXPECTED_COLUMNS.items():
        with (folder / f"{stem}.csv").open(encoding="utf-8") as fh:
            assert fh.readline().strip().split(",") == cols.split(), stem
    episodes = _rows(folder / "episodes.csv")
    assert episodes[0]["DECOM"] == "01/06/2023"
    assert episodes[0]["DEC"] == "01/05/2024"
    assert "PL_DISTANCE" not in episodes[0]
    side = _rows(folder / "_derived_placement_fields.csv")
    assert [r["PL_LOCATION"] for r in side] == ["IN", "OUT", "OUT", "", "IN", ""]


def test_sex_is_numeric_to_2024_and_letters_from_2025(la_year, tmp_path):
    expected_canonical = ["M", "M", "F", "F"]
    for year, codes in ((2024, ["1", "1", "2", "2"]), (2025, ["M", "M", "F", "F"])):
        out = tmp_path / str(year)
        write_ssda903(la_year(year), year, out)
        assert [r["SEX"] for r in _rows(out / "ssda903" / "header.csv")] == codes
        assert [r["SEX"] for r in _rows(out / "ssda903" / "uasc.csv")] == codes[:1]
        back = read_ssda903(out / "ssda903", year=year, la_code="805")
        assert back["cla_header"]["sex"].tolist() == expected_canonical


def test_unknown_sex_cannot_be_written_before_2025(la_year, tmp_path):
    tables = la_year(2024)
    tables["cla_header"].loc[0, "sex"] = "U"
    with pytest.raises(ReturnFormatError, match=r"header\.csv, row 1, field SEX: 'U'"):
        write_ssda903(tables, 2024, tmp_path)


def test_social_worker_file_only_from_2024(la_year, tmp_path):
    write_ssda903(la_year(2023), 2023, tmp_path / "a")
    write_ssda903(la_year(2024), 2024, tmp_path / "b")
    assert not (tmp_path / "a" / "ssda903" / "social_worker.csv").exists()
    assert len(_rows(tmp_path / "b" / "ssda903" / "social_worker.csv")) == 3
    back = read_ssda903(tmp_path / "a" / "ssda903", year=2023, la_code="805")
    assert back["cla_social_worker"].empty


def test_files_are_recognised_by_columns_not_names(la_year, norm, tmp_path):
    tables = la_year(2025)
    write_ssda903(tables, 2025, tmp_path)
    folder = tmp_path / "ssda903"
    renamed = []
    for i, path in enumerate(sorted(folder.glob("*.csv"))):
        target = tmp_path / f"upload_{i}.csv"
        path.rename(target)
        renamed.append(target)
    back = read_ssda903(renamed, year=2025, la_code="805")
    assert norm(back["cla_oc3"], "cla_oc3").equals(norm(tables["cla_oc3"], "cla_oc3"))
    assert back["cla_episode"]["pl_la"].tolist() == ["805", "806", "806", None, "805", None]


def test_without_the_sidecar_derived_fields_are_null(la_year, tmp_path):
    write_ssda903(la_year(2025), 2025, tmp_path)
    (tmp_path / "ssda903" / "_derived_placement_fields.csv").unlink()
    back = read_ssda903(tmp_path / "ssda903", year=2025, la_code="805")
    episodes = back["cla_episode"]
    assert len(episodes) == 6
    assert episodes[["pl_distance", "pl_la", "pl_location"]].isna().all().all()


def test_bad_date_names_file_row_field_and_value(la_year, tmp_path):
    write_ssda903(la_year(2025), 2025, tmp_path)
    path = tmp_path / "ssda903" / "episodes.csv"
    text = path.read_text().replace("01/05/2024,P", "31/02/2024,P")
    path.write_text(text)
    with pytest.raises(ReturnFormatError) as err:
        read_ssda903(tmp_path / "ssda903")
    message = str(err.value)
    assert "episodes.csv" in message
    assert "row 3" in message
    assert "DECOM" in message
    assert "31/02/2024" in message


def test_unknown_sex_code_and_unknown_columns_are_rejected(la_year, tmp_path):
    write_ssda903(la_year(2025), 2025, tmp_path)
    header = tmp_path / "ssda903" / "header.csv"
    header.write_text(header.read_text().replace("C6,M,", "C6,X,"))
    with pytest.raises(ReturnFormatError, match=r"header\.csv, row 3, field SEX: 'X'"):
        read_ssda903(tmp_path / "ssda903")
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.csv").write_text("CHILD,COLOUR\n1,red\n")
    with pytest.raises(ReturnFormatError, match=r"notes\.csv: columns .* match no SSDA903"):
        read_ssda903(other)
