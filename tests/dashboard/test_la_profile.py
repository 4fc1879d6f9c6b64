"""The LA profile page through Flask's test client: statuses, the rendered tables against the
tidy tables read with plain SQL, and every callback with valid and hostile payloads."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from dashboard import ids
from dashboard.formatting import SYMBOLS
from tests.dashboard.helpers import (
    find_by_id,
    nodes_of_type,
    output_key,
    post_update,
    render_page,
    text_of,
)
from tests.dashboard.tidy_sql import ENGLAND, catalogue_yaml, query

CAMDEN, CAMDEN_DFE, HARTLEPOOL, LONDON = "E09000007", "202", "E06000001", "E12000007"
HOSTILE = ["", None, 12, ["E09000007"], {"a": 1}, "x" * 100_000, "<script>alert(1)</script>"]


@pytest.fixture(scope="module")
def app(small_app: Any) -> Any:
    built = small_app
    built.server.test_client().get("/")  # registers the callbacks
    return built


@pytest.fixture(scope="module")
def client(app: Any) -> Any:
    return app.server.test_client()


def rows_of(table: dict[str, Any]) -> list[list[str]]:
    body = nodes_of_type(table, "Tbody")[0]
    return [
        [text_of(cell) for cell in row["props"]["children"]] for row in nodes_of_type(body, "Tr")
    ]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/la/{CAMDEN}", 200),
        (f"/la/{CAMDEN_DFE}", 200),  # the DfE code names the same LA
        (f"/la/{LONDON}", 200),  # a region has a profile too
        ("/la", 200),
        ("/la/E09999999", 404),
        (f"/la/{ENGLAND}", 404),  # England is the comparator, not a profile
        ("/la/%3Cscript%3E", 404),
        (f"/la/{CAMDEN}/extra", 404),
        ("/la/" + "E" * 5000, 404),
    ],
)
def test_status(client: Any, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert "SYNTHETIC" in response.get_data(as_text=True)


def test_unknown_code_renders_not_found_content(client: Any) -> None:
    content = render_page(client, "/la/E09999999")
    assert text_of(find_by_id(content, ids.PROFILE_HEADING)) == "Profile not found"
    assert "E09999999" in text_of(find_by_id(content, ids.PROFILE_NOT_FOUND))
    content = render_page(client, f"/la/{CAMDEN}", "?year=1999")
    assert "1999" in text_of(find_by_id(content, ids.PROFILE_NOT_FOUND))
    content = render_page(client, f"/la/{CAMDEN}", "?year=" + "9" * 5000)
    assert text_of(find_by_id(content, ids.PROFILE_HEADING)) == "Profile not found"


def test_profile_tables_show_the_tidy_values(small_db: str, client: Any) -> None:
    content = render_page(client, f"/la/{CAMDEN}", "?year=2025")
    assert text_of(find_by_id(content, ids.PROFILE_HEADING)) == "Camden"
    entries = catalogue_yaml()
    shown: dict[str, list[str]] = {}
    for group in {v["group"] for v in entries.values()}:
        table = find_by_id(content, f"{ids.PROFILE_SUMMARY}-{group}")
        if table is None:
            continue
        for row in rows_of(table):
            title = row[0]
            match = [k for k, v in entries.items() if v["title"] == title]
            assert len(match) == 1, title
            shown[match[0]] = row
    assert set(shown) == set(entries)
    values = query(
        small_db,
        "SELECT indicator_id, geographic_level, area_code, value, status FROM indicator_values "
        "WHERE breakdown = 'total' AND time_period = 2025",
    )
    # cin_rate: a rate per 10,000 with one decimal in the catalogue.
    decimals = int(entries["cin_rate"]["decimals"])

    def expected(level: str, area: str) -> str:
        row = values[
            (values["indicator_id"] == "cin_rate")
            & (values["geographic_level"] == level)
            & (values["area_code"] == area)
        ]
        if row.empty or pd.isna(row["value"].iloc[0]):
            return (row["status"].iloc[0] or "x") if len(row) else "x"
        return f"{row['value'].iloc[0]:,.{decimals}f}"

    row = shown["cin_rate"]
    assert row[1] == "2025"
    assert row[2] == expected("local_authority", CAMDEN)
    assert row[4] == expected("statistical_neighbours_median", CAMDEN)
    assert row[5] == expected("statistical_neighbours_mean", CAMDEN)
    assert row[6] == expected("regional", LONDON)
    assert row[7] == expected("national", ENGLAND)
    # Every indicator title links to its page for this LA.
    links = [n for n in nodes_of_type(content, "Link") if "/indicator/" in n["props"]["href"]]
    assert {n["props"]["href"] for n in links} >= {f"/indicator/{i}?area={CAMDEN}" for i in entries}
    download = find_by_id(content, ids.PROFILE_DOWNLOAD)
    assert download is not None
    assert download["props"]["href"] == f"/download/profile.csv?area={CAMDEN}&year=2025"
    for symbol in SYMBOLS:
        assert symbol in text_of(content)


def test_neighbours_table_lists_the_ten_with_closeness(small_db: str, client: Any) -> None:
    content = render_page(client, f"/la/{CAMDEN}")
    expected = query(
        small_db,
        "SELECT n.rank, l.la_name, n.neighbour_ons_code, n.closeness "
        "FROM ref_statistical_neighbours n JOIN ref_la l ON l.ons_code = n.neighbour_ons_code "
        "WHERE n.model = 2025 AND n.ons_code = :code ORDER BY n.rank",
        code=CAMDEN,
    )
    assert len(expected) == 10
    table = find_by_id(content, ids.PROFILE_NEIGHBOURS)
    assert table is not None
    assert rows_of(table) == [
        [str(r.rank), r.la_name, r.neighbour_ons_code, r.closeness]
        for r in expected.itertuples(index=False)
    ]


def test_regional_profile_has_no_neighbours(client: Any) -> None:
    content = render_page(client, f"/la/{LONDON}")
    assert text_of(find_by_id(content, ids.PROFILE_HEADING)) == "London"
    assert find_by_id(content, ids.PROFILE_NEIGHBOURS) is None
    assert "Neighbours median" not in text_of(content)


def test_spine_charts_have_a_summary_and_a_table(client: Any) -> None:
    content = render_page(client, f"/la/{CAMDEN}")
    group = next(iter({v["group"] for v in catalogue_yaml().values()}))
    block = find_by_id(content, f"{ids.PROFILE_SPINE}-{group}")
    assert block is not None
    summary = text_of(find_by_id(block, f"{ids.PROFILE_SPINE}-{group}-summary"))
    assert summary.startswith("Camden ") or summary.startswith("No indicator")
    assert find_by_id(block, f"{ids.PROFILE_SPINE}-{group}-table") is not None


# ---------------------------------------------------------------- callbacks
NAV_STATE_IDS = [(ids.PROFILE_PICKER, "value"), (ids.PROFILE_AREA, "data")]


def navigate(
    app: Any, client: Any, *, text: Any, year: Any = "latest", area: Any = None, changed: str
) -> Any:
    return post_update(
        client,
        output_key(app, ids.PROFILE_LOCATION, "href"),
        [
            (ids.PROFILE_PICKER_BUTTON, "n_clicks", 1),
            (ids.PROFILE_PICKER, "n_submit", 1),
            (ids.PROFILE_YEAR, "value", year),
        ],
        [(ids.PROFILE_PICKER, "value", text), (ids.PROFILE_AREA, "data", area)],
        changed=[changed],
    )


def test_picker_writes_the_profile_address(app: Any, client: Any) -> None:
    for text in ("Hartlepool", f"Hartlepool ({HARTLEPOOL})", HARTLEPOOL, "805", "hartlepool"):
        response = navigate(app, client, text=text, changed=f"{ids.PROFILE_PICKER}.n_submit")
        assert response.status_code == 200
        body = response.get_json()["response"]
        assert body[ids.PROFILE_LOCATION]["href"] == f"/la/{HARTLEPOOL}"
    response = navigate(
        app, client, text="Camden", year="2024", changed=f"{ids.PROFILE_PICKER_BUTTON}.n_clicks"
    )
    assert (
        response.get_json()["response"][ids.PROFILE_LOCATION]["href"] == f"/la/{CAMDEN}?year=2024"
    )


def test_year_choice_keeps_the_area(app: Any, client: Any) -> None:
    response = navigate(
        app, client, text="", year="2024", area=CAMDEN, changed=f"{ids.PROFILE_YEAR}.value"
    )
    assert (
        response.get_json()["response"][ids.PROFILE_LOCATION]["href"] == f"/la/{CAMDEN}?year=2024"
    )
    response = navigate(
        app, client, text="", year="latest", area=CAMDEN, changed=f"{ids.PROFILE_YEAR}.value"
    )
    assert response.get_json()["response"][ids.PROFILE_LOCATION]["href"] == f"/la/{CAMDEN}"


@pytest.mark.parametrize("text", ["Nowhere", *HOSTILE])
def test_picker_rejects_unknown_and_hostile_text(app: Any, client: Any, text: Any) -> None:
    response = navigate(app, client, text=text, changed=f"{ids.PROFILE_PICKER}.n_submit")
    assert response.status_code in (200, 204)
    if response.status_code == 200:
        body = response.get_json()["response"]
        assert ids.PROFILE_LOCATION not in body
        assert body[ids.PROFILE_PICKER_ERROR]["children"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_year_and_area(app: Any, client: Any, value: Any) -> None:
    response = navigate(
        app, client, text="", year=value, area=value, changed=f"{ids.PROFILE_YEAR}.value"
    )
    assert response.status_code in (200, 204)
    if response.status_code == 200:
        href = response.get_json()["response"][ids.PROFILE_LOCATION]["href"]
        assert href.startswith("/la/") and "<" not in href


def test_chosen_area_store_gets_only_las(app: Any, client: Any) -> None:
    key = output_key(app, ids.CHOSEN_AREA, "data")
    key = next(
        k
        for k in app.callback_map
        if ids.CHOSEN_AREA in k and app.callback_map[k]["inputs"][0]["id"] == ids.PROFILE_AREA
    )
    response = post_update(client, key, [(ids.PROFILE_AREA, "data", CAMDEN)])
    assert response.status_code == 200
    assert response.get_json()["response"][ids.CHOSEN_AREA]["data"] == CAMDEN
    for value in [LONDON, ENGLAND, *HOSTILE]:
        response = post_update(client, key, [(ids.PROFILE_AREA, "data", value)])
        assert response.status_code == 204, value


def test_index_redirects_to_the_remembered_la(app: Any, client: Any) -> None:
    key = next(
        k
        for k in app.callback_map
        if k.startswith(f"{ids.PROFILE_LOCATION}.href@")
        and app.callback_map[k]["inputs"][0]["id"] == ids.CHOSEN_AREA
    )
    state = [
        (ids.PROFILE_AREA, "data", None),
        (ids.PROFILE_HEADING, "children", "Local authority profile"),
    ]
    response = post_update(client, key, [(ids.CHOSEN_AREA, "data", HARTLEPOOL)], state)
    assert response.status_code == 200
    assert response.get_json()["response"][ids.PROFILE_LOCATION]["href"] == f"/la/{HARTLEPOOL}"
    # On a profile already showing an area, or with a hostile store, nothing happens.
    shown = [(ids.PROFILE_AREA, "data", CAMDEN), (ids.PROFILE_HEADING, "children", "Camden")]
    assert (
        post_update(client, key, [(ids.CHOSEN_AREA, "data", HARTLEPOOL)], shown).status_code == 204
    )
    for value in HOSTILE:
        response = post_update(client, key, [(ids.CHOSEN_AREA, "data", value)], state)
        assert response.status_code == 204
