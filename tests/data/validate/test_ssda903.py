"""The 903 field and record checks: each rule fires on a minimal table and stays quiet on clean
data, the declared rules agree with the schema, and clean exports pass."""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
from sqlalchemy import create_engine

from data.returns.frames import ReturnFormatError, column_kinds, table
from data.returns.ssda903 import FILES, SIDECAR, SIDECAR_COLUMNS, file_columns
from data.synth import national
from data.validate.files import CsvTable, sort_files
from data.validate.report import Finding, Report
from data.validate.run import validate_returns
from data.validate.ssda903 import check_ssda903
from data.validate.ssda903_spec import all_codes, codes_for, field_specs

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "fixtures" / "bad_returns"
STEM = {table_name: stem for stem, table_name in FILES.items()}

HEADER = {"CHILD": "A", "SEX": "M", "DOB": "01/01/2010", "ETHNIC": "WBRI", "UPN": "UN4"}
EPISODE = {
    "CHILD": "A",
    "DECOM": "01/06/2024",
    "RNE": "S",
    "LS": "C2",
    "CIN": "N1",
    "PLACE": "U4",
    "PLACE_PROVIDER": "PR1",
}


def csv_table(stem: str, rows: list[dict[str, str]], lines: list[int] | None = None) -> CsvTable:
    """A table as the file layer hands it over: text cells under every DfE column."""
    name = SIDECAR if stem == SIDECAR else FILES[stem]
    columns = SIDECAR_COLUMNS if stem == SIDECAR else file_columns(name)
    unknown = {c for r in rows for c in r} - set(columns)
    assert not unknown, unknown
    frame = pd.DataFrame([[r.get(c, "") for c in columns] for r in rows], columns=columns)
    frame = frame.astype(object) if rows else pd.DataFrame(columns=columns, dtype=object)
    return CsvTable(
        Path(f"{stem}.csv"),
        f"{stem}.csv",
        name,
        frame,
        lines if lines is not None else list(range(2, len(rows) + 2)),
    )


def check(year: int = 2025, report: Report | None = None, **tables: list[dict[str, str]]) -> Report:
    """Check the tables given (by file stem), with one clean child's Header and Episodes when
    those are not given."""
    tables.setdefault("header", [{**HEADER, "SEX": "M" if year >= 2025 else "1"}])
    tables.setdefault("episodes", [EPISODE])
    report = report or Report()
    check_ssda903([csv_table(s, rows) for s, rows in tables.items()], "805", year, report)
    return report


def only(report: Report, rule: str) -> Finding:
    """The one finding of ``rule``, and no finding of any other rule."""
    assert [f.rule for f in report.findings] == [rule], report.format_text()
    return report.findings[0]


def ep(**cells: str) -> dict[str, str]:
    return {**EPISODE, **cells}


# ---------------------------------------------------------------- clean data
def test_a_clean_minimal_return_has_no_findings() -> None:
    assert check().findings == []


def test_findings_name_the_csv_line_field_and_value() -> None:
    episodes = csv_table("episodes", [EPISODE, ep(CHILD="B", PLACE="ZZ9")], lines=[2, 7])
    report = Report()
    header = csv_table("header", [HEADER, {**HEADER, "CHILD": "B"}])
    check_ssda903([header, episodes], "805", 2025, report)
    f = only(report, "903.field.code")
    assert (f.file, f.location, f.field, f.value, f.severity) == (
        "episodes.csv",
        "row 7",
        "PLACE",
        "ZZ9",
        "error",
    )


# ---------------------------------------------------------------- declared rules
def test_declared_fields_are_every_column_with_the_schema_kind_and_nullability() -> None:
    specs = field_specs()
    for name in (*FILES.values(), SIDECAR):
        declared = [s.column for s in specs if s.table == name]
        wanted = SIDECAR_COLUMNS if name == SIDECAR else file_columns(name)
        assert declared == wanted, name
        if name == SIDECAR:
            continue
        kinds = column_kinds(name)
        for s in specs:
            if s.table != name:
                continue
            col = table(name).c[s.column.lower()]
            assert s.required == (not col.nullable), (name, s.column)
            schema_kind = kinds[s.column.lower()]
            assert (s.kind == "date") == (schema_kind == "date"), (name, s.column)
            assert (s.kind == "int") == (schema_kind == "int"), (name, s.column)


def test_every_code_set_named_by_a_field_has_codes_every_year() -> None:
    sets = {s.code_set for s in field_specs() if s.kind == "code"}
    assert sets <= {c.code_set for c in all_codes()}
    for code_set in sets:
        first = 2024 if code_set == "SW_REASON" else 2017  # SocialWorker table from 2023-24
        for year in range(first, 2027):
            assert codes_for(code_set, year), (code_set, year)
    for c in all_codes():
        assert c.first_year is None or c.last_year is None or c.first_year <= c.last_year


@pytest.mark.parametrize("year", [2023, 2024, 2025, 2026])
def test_the_generators_code_lists_are_accepted(year: int) -> None:
    lists = {
        "REVIEW_CODE": [c for c, _ in national.REVIEW_CODES],
        "REASON_PLACE_CHANGE": [c for c, _ in national.PLACE_CHANGE_REASONS],
        "CIN": [c for c, _ in national.PRIMARY_NEED_CLA],
        "ETHNIC": [c for group in national.ETHNIC_CODES.values() for c, _ in group],
    }
    for code_set, codes in lists.items():
        assert set(codes) <= codes_for(code_set, year), code_set


# ---------------------------------------------------------------- field level
def test_blank_required_field() -> None:
    f = only(check(header=[{**HEADER, "ETHNIC": ""}]), "903.field.required")
    assert (f.field, f.location) == ("ETHNIC", "row 2")


@pytest.mark.parametrize(
    "value", ["2024-06-01", "1/6/24", "01/06/2024 00:00", "June 2024", "1.6.2024"]
)
def test_date_not_written_dd_mm_yyyy(value: str) -> None:
    f = only(check(episodes=[ep(DECOM=value)]), "903.date.format")
    assert (f.field, f.value) == ("DECOM", value)


@pytest.mark.parametrize(
    "value", ["31/02/2024", "00/06/2024", "01/13/2024", "01/06/1850", "31/12/9999"]
)
def test_impossible_date(value: str) -> None:
    only(check(episodes=[ep(DECOM=value)]), "903.date.impossible")


def test_one_digit_day_and_month_are_read() -> None:
    assert check(episodes=[ep(DECOM="1/6/2024")]).findings == []


def test_date_after_the_year_where_it_cannot_be() -> None:
    f = only(check(episodes=[ep(DECOM="01/04/2025")]), "903.date.after_year")
    assert f.field == "DECOM"
    # DUC (the day UASC status ends, an 18th birthday) may lie ahead.
    uasc = [{"CHILD": "A", "SEX": "M", "DOB": "01/01/2010", "DUC": "01/01/2028"}]
    assert check(uasc=uasc).findings == []


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("17.5", "903.field.integer"),
        ("x", "903.field.integer"),
        ("41", "903.field.range"),
        ("-1", "903.field.range"),
    ],
)
def test_whole_numbers_and_their_range(value: str, rule: str) -> None:
    oc2 = [{"CHILD": "A", "DOB": "01/01/2010", "SDQ_SCORE": value}]
    assert only(check(oc2=oc2), rule).field == "SDQ_SCORE"


def test_a_flag_must_be_0_or_1() -> None:
    f = only(check(header=[{**HEADER, "SEX": "F", "MOTHER": "2"}]), "903.field.range")
    assert "0 or 1" in f.message


def test_whole_numbers_as_excel_writes_them_are_accepted() -> None:
    oc2 = [{"CHILD": "A", "DOB": "01/01/2010", "SDQ_SCORE": "17.0", "CONVICTED": "0"}]
    assert check(oc2=oc2).findings == []


@pytest.mark.parametrize(
    ("year", "column", "value", "ok"),
    [
        (2025, "PLACE", "ZZ9", False),
        (2025, "PLACE", "u4", False),
        (2024, "PLACE", "K3", False),  # supported accommodation from 2024-25
        (2025, "PLACE", "K3", True),
        (2025, "PLACE", "Z14", False),  # Z11-Z14 from 2025-26
        (2026, "PLACE", "Z14", True),
        (2026, "PLACE", "Z1", False),
        (2025, "LS", "C3", False),
        (2025, "RNE", "X", False),
        (2025, "CIN", "N9", False),  # a CIN census code, not a 903 category of need
        (2025, "REC", "E4C", False),  # E4A or E4B
        (2025, "PLACE_PROVIDER", "PR6", False),
    ],
)
def test_episode_codes_by_year(year: int, column: str, value: str, ok: bool) -> None:
    episode = ep(DECOM=f"01/06/{year - 1}", **{column: value})
    if column == "REC":
        episode["DEC"] = f"01/09/{year - 1}"
    report = check(year, episodes=[episode])
    if ok:
        assert report.findings == []
    else:
        assert only(report, "903.field.code").field == column


@pytest.mark.parametrize(
    ("year", "sex", "ok"),
    [
        (2025, "M", True),
        (2025, "1", False),
        (2024, "1", True),
        (2024, "M", False),
        (2024, "U", False),
    ],
)
def test_sex_is_coded_by_year(year: int, sex: str, ok: bool) -> None:
    header = [{**HEADER, "SEX": sex}]
    report = check(year, header=header, episodes=[ep(DECOM="01/06/2023")])
    if ok:
        assert report.findings == []
    else:
        assert only(report, "903.field.code").field == "SEX"


def test_a_code_from_another_year_says_when_it_was_valid() -> None:
    f = only(check(header=[{**HEADER, "SEX": "1"}]), "903.field.code")
    assert "2023-24" in f.message


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("A805201200001", True),
        ("A80520120001Z", True),
        ("UN3", True),
        ("805201200001", False),
        ("UN9", False),
    ],
)
def test_upn_format_is_a_warning(value: str, ok: bool) -> None:
    report = check(header=[{**HEADER, "UPN": value}])
    if ok:
        assert report.findings == []
    else:
        f = only(report, "903.field.code")
        assert (f.field, f.severity) == ("UPN", "warning")


@pytest.mark.parametrize(
    ("value", "ok"), [("805", True), ("WAL", True), ("999", True), ("8051", False), ("XYZ", False)]
)
def test_previous_permanence_la(value: str, ok: bool) -> None:
    rows = [
        {
            "CHILD": "A",
            "DOB": "01/01/2010",
            "PREV_PERM": "P1",
            "LA_PERM": value,
            "DATE_PERM": "01/01/2015",
        }
    ]
    report = check(previous_permanence=rows)
    if ok:
        assert report.findings == []
    else:
        assert only(report, "903.field.code").field == "LA_PERM"


KID = {"CHILD": "A", "DOB": "01/01/2010"}


@pytest.mark.parametrize(
    ("stem", "row", "column"),
    [
        ("reviews", {**KID, "REVIEW": "01/07/2024", "REVIEW_CODE": "PN8"}, "REVIEW_CODE"),
        ("missing", {**KID, "MISSING": "X", "MIS_START": "01/07/2024"}, "MISSING"),
        ("oc3", {**KID, "IN_TOUCH": "YES", "ACTIV": "F3"}, "ACTIV"),
        ("oc3", {**KID, "IN_TOUCH": "YES", "ACCOM": "A1"}, "ACCOM"),
        ("ad1", {**KID, "SEX_ADOPTR": "XY"}, "SEX_ADOPTR"),
        (
            "social_worker",
            {**KID, "SW_ID": "S1", "SW_DECOM": "01/06/2024", "SW_REASON": "LEFT"},
            "SW_REASON",
        ),
    ],
)
def test_codes_of_the_other_tables(stem: str, row: dict[str, str], column: str) -> None:
    assert only(check(**{stem: [row]}), "903.field.code").field == column


def test_derived_placement_fields() -> None:
    side = [
        {
            "CHILD": "A",
            "DECOM": "01/06/2024",
            "PL_DISTANCE": "3.5",
            "PL_LA": "8050",
            "PL_LOCATION": "IN",
        }
    ]
    assert only(check(**{SIDECAR: side}), "903.field.length").field == "PL_LA"
    side[0].update(PL_LA="805", PL_DISTANCE="far")
    assert only(check(**{SIDECAR: side}), "903.field.number").field == "PL_DISTANCE"


# ---------------------------------------------------------------- record level
def test_duplicate_child_in_header() -> None:
    f = only(check(header=[HEADER, HEADER]), "903.header.duplicate_child")
    assert (f.location, f.field) == ("row 3", "CHILD")
    assert "row 2" in f.message


def test_duplicate_child_in_oc2() -> None:
    oc2 = [{"CHILD": "A", "DOB": "01/01/2010"}] * 2
    only(check(oc2=oc2), "903.oc2.duplicate_child")


def test_overlapping_episodes() -> None:
    episodes = [
        ep(DEC="01/09/2024", REC="X1"),
        ep(DECOM="01/08/2024", RNE="P"),
    ]
    f = only(check(episodes=episodes), "903.episode.overlap")
    assert (f.location, f.field) == ("row 3", "DECOM")


def test_an_episode_inside_a_long_earlier_one_overlaps() -> None:
    episodes = [
        ep(DEC="01/12/2024", REC="E8"),
        ep(DECOM="01/07/2024", DEC="01/08/2024", REC="E8"),
        ep(DECOM="01/09/2024", DEC="01/10/2024", REC="E8"),
    ]
    report = check(episodes=episodes)
    assert [f.location for f in report.findings] == ["row 3", "row 4"]
    assert {f.rule for f in report.findings} == {"903.episode.overlap"}


def test_an_open_episode_followed_by_another_overlaps() -> None:
    episodes = [ep(), ep(DECOM="01/09/2024", RNE="P")]
    f = only(check(episodes=episodes), "903.episode.overlap")
    assert "still open" in f.message


def test_episode_ending_before_it_starts() -> None:
    f = only(check(episodes=[ep(DEC="01/05/2024", REC="E8")]), "903.episode.dates_order")
    assert f.field == "DEC"


def test_end_before_start_in_other_tables() -> None:
    missing = [
        {
            "CHILD": "A",
            "DOB": "01/01/2010",
            "MISSING": "M",
            "MIS_START": "05/07/2024",
            "MIS_END": "04/07/2024",
        }
    ]
    assert only(check(missing=missing), "903.missing.dates_order").field == "MIS_END"
    sw = [
        {
            "CHILD": "A",
            "DOB": "01/01/2010",
            "SW_ID": "S1",
            "SW_DECOM": "05/07/2024",
            "SW_DEC": "04/07/2024",
            "SW_REASON": "FCONTA",
        }
    ]
    assert only(check(social_worker=sw), "903.social_worker.dates_order").field == "SW_DEC"


def test_x1_chain_is_clean() -> None:
    episodes = [
        ep(DECOM="01/02/2024", DEC="01/06/2024", REC="X1"),
        ep(DECOM="01/06/2024", RNE="P", DEC="01/09/2024", REC="X1"),
        ep(DECOM="01/09/2024", RNE="L", LS="C1"),
    ]
    assert check(episodes=episodes).findings == []


def test_x1_not_followed_by_an_episode_the_same_day() -> None:
    episodes = [
        ep(DEC="01/09/2024", REC="X1"),
        ep(DECOM="02/09/2024", RNE="P"),
    ]
    f = only(check(episodes=episodes), "903.episode.chain")
    assert (f.location, f.field) == ("row 2", "REC")


def test_x1_on_the_last_episode() -> None:
    f = only(check(episodes=[ep(DEC="01/09/2024", REC="X1")]), "903.episode.chain")
    assert "no episode" in f.message


def test_continuing_episode_without_a_period_in_the_year() -> None:
    f = only(check(episodes=[ep(RNE="P")]), "903.episode.chain")
    assert (f.field, f.value) == ("RNE", "P")


def test_continuing_episode_after_the_period_ended() -> None:
    episodes = [ep(DEC="01/09/2024", REC="E4A"), ep(DECOM="01/09/2024", RNE="T")]
    f = only(check(episodes=episodes), "903.episode.chain")
    assert (f.location, f.field) == ("row 3", "RNE")


def test_new_period_although_the_last_one_continued() -> None:
    episodes = [ep(DEC="01/09/2024", REC="X1"), ep(DECOM="01/09/2024", RNE="S")]
    f = only(check(episodes=episodes), "903.episode.chain")
    assert (f.location, f.field) == ("row 3", "RNE")


def test_an_episode_open_on_1_april_may_continue_an_earlier_return() -> None:
    assert check(episodes=[ep(DECOM="01/02/2024", RNE="L")]).findings == []


def test_child_not_in_header() -> None:
    reviews = [{"CHILD": "Z", "DOB": "01/01/2010", "REVIEW": "01/07/2024", "REVIEW_CODE": "PN1"}]
    f = only(check(reviews=reviews), "903.child.unknown")
    assert (f.file, f.field, f.value) == ("reviews.csv", "CHILD", "Z")


def test_header_child_without_episode_is_a_warning_unless_a_care_leaver() -> None:
    header = [HEADER, {**HEADER, "CHILD": "B"}]
    f = only(check(header=header), "903.header.no_episode")
    assert (f.severity, f.value) == ("warning", "B")
    oc3 = [{"CHILD": "B", "DOB": "01/01/2010", "IN_TOUCH": "YES", "ACTIV": "F2", "ACCOM": "U1"}]
    assert check(header=header, oc3=oc3).findings == []


def test_episode_from_an_earlier_year() -> None:
    episodes = [ep(DECOM="01/06/2023", DEC="01/03/2024", REC="E8")]
    f = only(check(episodes=episodes), "903.episode.other_year")
    assert f.field == "DEC"


def test_episode_before_birth() -> None:
    f = only(check(episodes=[ep(DECOM="01/06/2009")]), "903.episode.before_birth")
    assert f.field == "DECOM"


def test_end_date_and_reason_come_together() -> None:
    assert only(check(episodes=[ep(DEC="01/09/2024")]), "903.episode.end_reason").field == "REC"
    assert only(check(episodes=[ep(REC="E8")]), "903.episode.end_reason").field == "DEC"


@pytest.mark.parametrize(
    ("episodes", "ok"),
    [
        ([ep(PLACE="H5")], False),  # a new H5 placement in 2024-25
        ([ep(DECOM="01/02/2024", PLACE="H5")], True),  # begun before, still open
        (
            [
                ep(DECOM="01/02/2024", PLACE="H5", DEC="01/06/2024", REC="X1"),
                ep(DECOM="01/06/2024", PLACE="H5", RNE="L", LS="C1"),  # same placement
            ],
            True,
        ),
    ],
)
def test_withdrawn_placement_type(episodes: list[dict[str, str]], ok: bool) -> None:
    report = check(episodes=episodes)
    if ok:
        assert report.findings == []
    else:
        assert only(report, "903.episode.place_withdrawn").field == "PLACE"


def test_date_of_birth_disagreeing_with_header_is_a_warning() -> None:
    reviews = [{"CHILD": "A", "DOB": "02/01/2010", "REVIEW": "01/07/2024", "REVIEW_CODE": "PN1"}]
    f = only(check(reviews=reviews), "903.child.dob_mismatch")
    assert (f.severity, f.field) == ("warning", "DOB")


def test_review_from_an_earlier_year_is_a_warning() -> None:
    reviews = [{"CHILD": "A", "DOB": "01/01/2010", "REVIEW": "01/03/2024", "REVIEW_CODE": "PN1"}]
    assert only(check(reviews=reviews), "903.date.before_year").severity == "warning"


def test_header_and_episodes_are_needed() -> None:
    report = Report()
    check_ssda903([csv_table("header", [HEADER])], "805", 2025, report)
    f = only(report, "903.table.missing")
    assert f.value == "Episodes"


def test_a_missing_table_is_not_reported_when_a_file_was_refused() -> None:
    report = Report()
    report.error("episodes.csv", "", "", "", "file.encoding", "is saved as UTF-16")
    check_ssda903([csv_table("header", [HEADER])], "805", 2025, report)
    assert [f.rule for f in report.findings] == ["file.encoding"]


def test_social_worker_table_before_it_was_collected() -> None:
    sw = [{"CHILD": "A", "DOB": "01/01/2010", "SW_ID": "S1", "SW_DECOM": "01/06/2022"}]
    report = check(2023, episodes=[ep(DECOM="01/06/2022")], social_worker=sw)
    assert only(report, "903.table.not_collected").severity == "warning"


# ---------------------------------------------------------------- the corpus
def _load_case_maker() -> ModuleType:
    path = CORPUS / "make_csv_cases.py"
    spec = importlib.util.spec_from_file_location("make_csv_cases", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_committed_cases_are_what_the_script_writes(tmp_path: Path) -> None:
    maker = _load_case_maker()
    maker.write_cases(tmp_path)
    made = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    committed = {
        p.relative_to(CORPUS): p.read_bytes() for p in CORPUS.glob("csv_*/*") if p.is_file()
    }
    assert made == committed


def test_the_clean_base_of_the_cases_passes(tmp_path: Path) -> None:
    maker = _load_case_maker()
    for name, rows in maker.clean_tables().items():
        (tmp_path / name).write_bytes(maker.utf8(rows))
    assert validate_returns([tmp_path], "805", 2025).report.findings == []


@pytest.mark.parametrize("case", sorted(p.name for p in CORPUS.glob("csv_*")))
def test_each_case_is_refused_for_its_one_fault(case: str) -> None:
    folder = CORPUS / case
    expected = json.loads((folder / "expected.json").read_text())
    validated = validate_returns([folder], expected["la"], expected["year"])
    where = (expected["rule"], expected["file"], expected["location"], expected["field"])
    found = [(f.rule, f.file, f.location, f.field) for f in validated.report.errors]
    assert where in found, validated.report.format_text()
    assert {f.rule for f in validated.report.errors} == {expected["rule"]}
    assert validated.tables is None


# ---------------------------------------------------------------- clean exports and speed
LA_YEARS = [(la, year) for la in ("202", "805", "926") for year in (2023, 2024, 2025)]


@pytest.fixture(scope="module")
def exports(
    small_db: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, int], Path | str]:
    """Each small_db LA-year exported once: its folder, or why the export failed."""
    from data.returns.exchange import export_la_year

    engine = create_engine(small_db)
    out: dict[tuple[str, int], Path | str] = {}
    try:
        for la, year in LA_YEARS:
            folder = tmp_path_factory.mktemp(f"export_{la}_{year}")
            try:
                export_la_year(engine, la, year, folder)
            except ReturnFormatError as exc:
                out[(la, year)] = str(exc)
            else:
                out[(la, year)] = folder / "ssda903"
    finally:
        engine.dispose()
    return out


@pytest.mark.parametrize(("la", "year"), LA_YEARS)
def test_clean_exports_pass(exports: dict[tuple[str, int], Path | str], la: str, year: int) -> None:
    folder = exports[(la, year)]
    assert not isinstance(folder, str), f"export failed: {folder}"
    report = validate_returns([folder], la, year).report
    assert report.findings == [], report.format_text()


def test_a_large_clean_la_year_has_nothing_to_report(
    exports: dict[tuple[str, int], Path | str],
) -> None:
    """About 3,000 children and 3,000 episodes (the largest small_db LA-year copied under new
    ids): vectorised checks must not see faults across the copies. (Speed: ``make bench``.)"""
    folder = exports[("926", 2025)]
    assert isinstance(folder, Path)
    found = sort_files([folder], Report())
    copies = 8
    big = []
    for t in found.ssda903:
        parts = []
        for k in range(copies):
            part = t.frame.copy()
            part["CHILD"] = part["CHILD"] + f"_{k}"
            parts.append(part)
        frame = pd.concat(parts, ignore_index=True)
        big.append(replace(t, frame=frame, lines=list(range(2, len(frame) + 2))))
    sizes = {t.table: len(t.frame) for t in big}
    assert sizes["cla_episode"] >= 3000 and sizes["cla_header"] >= 1500, sizes
    report = Report()
    check_ssda903(big, "926", 2025, report)
    assert report.findings == []


def test_empty_tables_have_nothing_to_report() -> None:
    tables = {stem: [] for stem in FILES}
    report = Report()
    check_ssda903([csv_table(s, rows) for s, rows in tables.items()], "805", 2025, report)
    assert report.findings == []


def test_a_row_of_blanks_is_reported_field_by_field_without_a_crash() -> None:
    blank_episode = dict.fromkeys(EPISODE, "")
    report = check(episodes=[blank_episode, EPISODE])
    required = [f.field for f in report.findings if f.rule == "903.field.required"]
    assert required == ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE"]
    assert {f.rule for f in report.findings} == {"903.field.required"}
