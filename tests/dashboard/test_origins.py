"""Marking an LA's own (imported) returns: the pure functions over a small in-memory ``Tidy``
whose ``data_origins`` table is written out here, row by row."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.origins import (
    BANNER_LISTED,
    IMPORTED,
    INCLUDES_IMPORTED,
    SYNTHETIC,
    ImportedYear,
    download_lines,
    imported_years,
    join_words,
    notice_text,
    only_returns,
    origin_column,
    origin_notice,
    phase_text,
    source_returns,
)
from dashboard.shell import PHASE_TEXT
from metrics.api import ENGLAND_CODE, ORIGIN_COLUMNS, Tidy
from metrics.catalogue import load_catalogue

NE, LONDON = "E12000001", "E12000007"
HARTLEPOOL, MIDDLESBROUGH, CAMDEN = "E06000001", "E06000002", "E09000007"
AREAS = pd.DataFrame(
    [
        (ENGLAND_CODE, "England", "national", None, None),
        (NE, "North East", "regional", NE, None),
        (LONDON, "London", "regional", LONDON, None),
        (HARTLEPOOL, "Hartlepool", "local_authority", NE, "805"),
        (MIDDLESBROUGH, "Middlesbrough", "local_authority", NE, "806"),
        (CAMDEN, "Camden", "local_authority", LONDON, "202"),
    ],
    columns=["code", "name", "level", "region_code", "dfe_la_code"],
)


def origin_rows(imported: list[tuple[str, int, str]]) -> pd.DataFrame:
    """Every LA x 2024-2025 x return, synthetic unless listed in ``imported``."""
    names = dict(zip(AREAS["code"], AREAS["name"], strict=True))
    rows = []
    for code in (HARTLEPOOL, MIDDLESBROUGH, CAMDEN):
        for year in (2024, 2025):
            for ret in ("cin", "ssda903", "csww"):
                origin = "imported" if (code, year, ret) in imported else "synthetic"
                rows.append((year, code, names[code], ret, "submitted", origin))
    return pd.DataFrame(rows, columns=ORIGIN_COLUMNS)


def tidy_with(imported: list[tuple[str, int, str]]) -> Tidy:
    return Tidy(load_catalogue(), AREAS, {}, {}, origin_rows(imported))


HARTLEPOOL_2025 = [(HARTLEPOOL, 2025, "ssda903"), (HARTLEPOOL, 2025, "cin")]


def test_imported_years_group_returns_by_la_year() -> None:
    tidy = tidy_with([*HARTLEPOOL_2025, (CAMDEN, 2024, "csww")])
    items = imported_years(tidy)
    assert items == [
        ImportedYear(CAMDEN, "Camden", 2024, ("csww",)),
        ImportedYear(HARTLEPOOL, "Hartlepool", 2025, ("cin", "ssda903")),
    ]
    assert items[1].text == "Hartlepool 2025 (CIN census and SSDA903)"
    # An LA, its region and England see it; another LA and another region do not.
    assert [i.area_code for i in imported_years(tidy, HARTLEPOOL)] == [HARTLEPOOL]
    assert [i.area_code for i in imported_years(tidy, NE)] == [HARTLEPOOL]
    assert [i.area_code for i in imported_years(tidy, LONDON)] == [CAMDEN]
    assert imported_years(tidy, MIDDLESBROUGH) == []
    assert len(imported_years(tidy, ENGLAND_CODE)) == 2


def test_all_synthetic_has_no_imported_years() -> None:
    assert imported_years(tidy_with([])) == []
    empty = Tidy(load_catalogue(), AREAS, {}, {})  # a database built before data_origins
    assert imported_years(empty) == []


def test_join_words() -> None:
    assert join_words([]) == ""
    assert join_words(["a"]) == "a"
    assert join_words(["a", "b"]) == "a and b"
    assert join_words(["a", "b", "c"]) == "a, b and c"


def test_banner_says_synthetic_unless_something_is_imported() -> None:
    assert phase_text([]) == PHASE_TEXT
    text = phase_text(imported_years(tidy_with(HARTLEPOOL_2025)))
    assert text.startswith("Synthetic data, except ")
    assert "Hartlepool 2025 (CIN census and SSDA903)" in text
    assert "as an LA's own returns" in text


def test_banner_names_a_few_then_counts_the_rest() -> None:
    items = [ImportedYear(CAMDEN, "Camden", 2010 + n, ("cin",)) for n in range(BANNER_LISTED + 3)]
    text = phase_text(items)
    assert all(f"Camden {2010 + n} " in text for n in range(BANNER_LISTED))
    assert f"Camden {2010 + BANNER_LISTED} " not in text
    assert "3 more LA-years listed on the coverage page" in text


def test_notice_for_an_la_a_region_and_a_synthetic_la() -> None:
    tidy = tidy_with(HARTLEPOOL_2025)
    notice = origin_notice(tidy, HARTLEPOOL, "n")
    assert notice is not None and notice.id == "n"
    assert notice.role == "region"
    words = notice.children[1].children
    assert words == notice_text("Hartlepool", "local_authority", imported_years(tidy))
    assert "Hartlepool's own returns" in words and "2025: CIN census and SSDA903" in words
    assert "Every other year and return shown is synthetic" in words
    region = origin_notice(tidy, NE, "n")
    assert region is not None
    assert "North East add up its local authorities" in region.children[1].children
    assert origin_notice(tidy, MIDDLESBROUGH, "n") is None
    assert origin_notice(tidy, LONDON, "n") is None
    assert origin_notice(tidy, "E99999999", "n") is None  # unknown code: no notice, no error


def test_notice_only_for_the_returns_an_indicator_is_counted_from() -> None:
    tidy = tidy_with([(HARTLEPOOL, 2025, "csww")])
    assert origin_notice(tidy, HARTLEPOOL, "n", returns=("cin",)) is None
    assert origin_notice(tidy, HARTLEPOOL, "n", returns=("csww",)) is not None
    kept = only_returns(imported_years(tidy_with(HARTLEPOOL_2025)), ("ssda903",))
    assert kept == [ImportedYear(HARTLEPOOL, "Hartlepool", 2025, ("ssda903",))]


def test_every_catalogue_source_maps_to_the_returns_it_names() -> None:
    assert source_returns("CIN census") == ("cin",)
    assert source_returns("SSDA903 and NPD") == ("ssda903",)
    assert source_returns("CIN census and SSDA903") == ("ssda903", "cin")
    assert source_returns("CSWW workforce census") == ("csww",)
    assert source_returns("school census+NPD") == ()
    for ind in load_catalogue():
        named = [t for t in ("CIN census", "SSDA903", "CSWW") if t in ind.source.return_]
        assert len(source_returns(ind.source.return_)) == len(named), ind.id


def rows_frame(rows: list[tuple[str, int, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["area_code", "time_period", "geographic_level"])


def test_origin_column_marks_rows_counted_from_an_imported_return() -> None:
    tidy = tidy_with(HARTLEPOOL_2025)
    frame = rows_frame(
        [
            (HARTLEPOOL, 2025, "local_authority"),  # imported
            (HARTLEPOOL, 2024, "local_authority"),  # another year
            (MIDDLESBROUGH, 2025, "local_authority"),  # another LA
            (NE, 2025, "regional"),  # adds Hartlepool up
            (LONDON, 2025, "regional"),  # does not
            (ENGLAND_CODE, 2025, "national"),
            (ENGLAND_CODE, 2024, "national"),
            (MIDDLESBROUGH, 2025, "statistical_neighbours_median"),  # Hartlepool is one
            (CAMDEN, 2025, "statistical_neighbours_mean"),  # it is not
        ]
    )
    got = origin_column(
        frame,
        tidy,
        imported_years(tidy),
        [("ssda903",)] * len(frame),
        neighbours={MIDDLESBROUGH: [HARTLEPOOL], CAMDEN: [MIDDLESBROUGH]},
    )
    assert list(got) == [
        IMPORTED,
        SYNTHETIC,
        SYNTHETIC,
        INCLUDES_IMPORTED,
        SYNTHETIC,
        INCLUDES_IMPORTED,
        SYNTHETIC,
        INCLUDES_IMPORTED,
        SYNTHETIC,
    ]
    # The same rows counted from a return that was not imported are all synthetic.
    other = origin_column(frame, tidy, imported_years(tidy), [("csww",)] * len(frame))
    assert set(other) == {SYNTHETIC}
    assert set(origin_column(frame, tidy, [], [])) == {SYNTHETIC}


@pytest.mark.parametrize("with_region", [False, True])
def test_download_lines_name_the_imported_la_years_among_the_rows(with_region: bool) -> None:
    tidy = tidy_with([*HARTLEPOOL_2025, (CAMDEN, 2024, "cin")])
    items = imported_years(tidy)
    rows = [(HARTLEPOOL, 2025, "local_authority"), (HARTLEPOOL, 2024, "local_authority")]
    if with_region:
        rows.append((NE, 2025, "regional"))
    frame = rows_frame(rows)
    frame["data_origin"] = origin_column(frame, tidy, items, [("cin",)] * len(frame))
    lines = download_lines(frame, items)
    assert all(key == "Imported" for key, _ in lines)
    texts = [text for _, text in lines]
    assert any(t.startswith("Hartlepool (E06000001) 2025: from the LA's own") for t in texts)
    assert not any("Camden" in t for t in texts)  # not among the rows
    assert any("includes imported" in t for t in texts) == with_region
    assert texts[-1] == "every other row is synthetic (data_origin = synthetic)"
    frame["data_origin"] = SYNTHETIC
    assert download_lines(frame, items) == []
