"""The coverage page through the Flask test client on the small database: what it shows is
checked against coverage_values read with plain SQL, and every callback gets valid and hostile
payloads (never a 500)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

from dashboard import ids
from tests.dashboard.helpers import find_by_id, nodes_of_type, render_page, text_of
from tests.dashboard.tidy_sql import ENGLAND, catalogue_yaml, query

CAMDEN = "E09000007"
MEASURE = "ethnicity_unknown"  # counted from CIN children in every LA-year


@pytest.fixture(scope="module")
def app(small_app: Any) -> Any:
    return small_app


@pytest.fixture(scope="module")
def client(app: Any) -> Any:
    return app.server.test_client()


@pytest.fixture(scope="module")
def measure_rows(small_db: str) -> pd.DataFrame:
    """The gap's rows, once each (every indicator listing it repeats the same rows)."""
    frame = query(
        small_db,
        "SELECT DISTINCT time_period, geographic_level, area_code, area_name, value "
        "FROM coverage_values WHERE measure = :m",
        m=MEASURE,
    )
    assert not frame.empty, "the small database has no ethnicity coverage rows"
    return frame


@pytest.fixture(scope="module")
def year(measure_rows: pd.DataFrame) -> int:
    return int(measure_rows["time_period"].max())


def share(value: Any) -> str:
    return "c" if pd.isna(value) else f"{float(value):.1f}%"


def body_rows(table: dict[str, Any]) -> list[list[str]]:
    body = nodes_of_type(table, "Tbody")[0]
    return [
        [text_of(cell) for cell in row["props"]["children"]] for row in nodes_of_type(body, "Tr")
    ]


@pytest.mark.parametrize("path", ["/coverage", "/about", "/accessibility"])
def test_pages_are_served(client: Any, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert b"SYNTHETIC" in response.data


def test_default_view_renders_the_first_gap(client: Any) -> None:
    content = render_page(client, "/coverage")
    assert text_of(find_by_id(content, ids.COVERAGE_HEADING)) == "Data coverage and quality"
    assert find_by_id(content, f"{ids.COVERAGE_ALL_LAS}-graph") is not None
    assert find_by_id(content, ids.COVERAGE_NOT_FOUND) is None


def test_all_las_table_matches_sql(client: Any, measure_rows: pd.DataFrame, year: int) -> None:
    content = render_page(client, "/coverage", f"?measure={MEASURE}&year={year}&area={CAMDEN}")
    table = find_by_id(content, f"{ids.COVERAGE_ALL_LAS}-table")
    assert table is not None
    las = measure_rows[
        (measure_rows["time_period"] == year)
        & (measure_rows["geographic_level"] == "local_authority")
    ]
    las = las.assign(_missing=las["value"].isna()).sort_values(
        ["_missing", "value", "area_name"], ascending=[True, False, True]
    )
    rows = body_rows(table)
    names = [r[1].removesuffix(" (chosen)") for r in rows]
    assert names == list(las["area_name"])
    assert [r[2] for r in rows] == [share(v) for v in las["value"]]
    assert [r[-1] for r in rows] == ["synthetic"] * len(las)
    chosen = [r[1] for r in rows if r[1].endswith("(chosen)")]
    camden = las.loc[las["area_code"] == CAMDEN, "area_name"].iloc[0]
    assert chosen == [f"{camden} (chosen)"]
    graph = find_by_id(content, f"{ids.COVERAGE_ALL_LAS}-graph")
    assert graph is not None
    figure = graph["props"]["figure"]
    with_value = list(las.loc[las["value"].notna(), "area_name"])
    assert figure["layout"]["xaxis"]["categoryarray"] == with_value
    bars = [t for t in figure["data"] if t["type"] == "bar"]
    assert sorted(x for t in bars for x in t["x"]) == sorted(with_value)
    assert [t["x"] for t in bars if t["name"].startswith(camden)] == [[camden]]


def test_profile_sets_camden_beside_england(
    client: Any, measure_rows: pd.DataFrame, year: int
) -> None:
    content = render_page(client, "/coverage", f"?measure={MEASURE}&year={year}&area={CAMDEN}")
    table = find_by_id(content, f"{ids.COVERAGE_PROFILE}-table")
    assert table is not None
    in_year = measure_rows[measure_rows["time_period"] == year].set_index("area_code")
    wanted = [share(in_year.loc[CAMDEN, "value"]), share(in_year.loc[ENGLAND, "value"])]
    rows = {r[0]: r for r in body_rows(table)}
    row = rows["Children with ethnicity refused or not obtained"]
    assert row[2:4] == wanted
    assert "Camden" in text_of(find_by_id(content, f"{ids.COVERAGE_PROFILE}-summary"))


def test_no_area_asks_for_one(client: Any) -> None:
    content = render_page(client, "/coverage", f"?measure={MEASURE}")
    profile = find_by_id(content, ids.COVERAGE_PROFILE)
    assert "Choose a local authority" in text_of(profile)


@pytest.mark.parametrize("search", ["", f"?measure={MEASURE}&area={CAMDEN}"])
def test_every_callback_output_is_in_the_layout(client: Any, search: str) -> None:
    content = render_page(client, "/coverage", search)
    for component in (ids.COVERAGE_LOCATION, ids.COVERAGE_AREA, ids.COVERAGE_REMEMBERED):
        assert find_by_id(content, component) is not None, component


def test_gap_table_lists_each_gap_with_its_indicator_count(client: Any, small_db: str) -> None:
    raw = catalogue_yaml()
    present = query(small_db, "SELECT DISTINCT indicator_id, measure FROM coverage_values")
    returns = {"CIN census": "cin", "SSDA903": "ssda903", "CSWW workforce census": "csww"}
    expected: dict[str, set[str]] = {}
    for ind, measure in present.itertuples(index=False):
        if measure == "returns_missing":
            ret = returns.get(raw[ind]["source"]["return"])
            if ret:
                expected[f"returns_missing_{ret}"] = set()
        elif measure in {m for e in raw.values() for m in e["annotations"]["coverage"].get(
            "measures", [])}:  # fmt: skip
            expected[measure] = set()
    for ind, entry in raw.items():
        for measure in entry["annotations"]["coverage"].get("measures", []):
            key = (
                f"returns_missing_{returns.get(entry['source']['return'])}"
                if measure == "returns_missing"
                else measure
            )
            if key in expected:
                expected[key].add(ind)
    content = render_page(client, "/coverage")
    rows = body_rows(find_by_id(content, ids.COVERAGE_GAPS))  # type: ignore[arg-type]
    assert sorted(int(r[2]) for r in rows) == sorted(len(v) for v in expected.values())
    links = nodes_of_type(find_by_id(content, ids.COVERAGE_GAPS), "A")
    keys = [parse_qs(urlsplit(a["props"]["href"]).query)["measure"][0] for a in links]
    assert sorted(keys) == sorted(expected)


def test_chosen_gap_lists_the_indicators_it_affects(client: Any) -> None:
    content = render_page(client, "/coverage", f"?measure={MEASURE}")
    block = find_by_id(content, f"{ids.COVERAGE_ALL_LAS}-indicators")
    hrefs = {a["props"]["href"] for a in nodes_of_type(block, "A")}
    raw = catalogue_yaml()
    wanted = {
        f"/indicator/{i}"
        for i, e in raw.items()
        if MEASURE in e["annotations"]["coverage"].get("measures", [])
    }
    assert hrefs == wanted


def test_download_link_uses_the_coverage_route(client: Any, year: int) -> None:
    content = render_page(client, "/coverage", f"?measure={MEASURE}&year={year}")
    link = find_by_id(content, f"{ids.COVERAGE_ALL_LAS}-download")
    assert link is not None
    parts = urlsplit(link["props"]["href"])
    assert parts.path == "/download/coverage.csv"
    assert parse_qs(parts.query)["year"] == [str(year)]


@pytest.mark.parametrize(
    "search",
    [
        "?measure=nope",
        "?measure=ethnicity_unknown&year=1999",
        "?measure=ethnicity_unknown&year=abcd",
        "?area=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "?area=" + "E" * 20_000,
        "?measure=ethnicity_unknown&measure=upn_missing",
        "?year=2025&year=2024",
        "?measure=%00%FF",
    ],
)
def test_hostile_queries_get_the_friendly_not_found_content(client: Any, search: str) -> None:
    content = render_page(client, "/coverage", search)
    assert find_by_id(content, ids.COVERAGE_NOT_FOUND) is not None
    assert find_by_id(content, f"{ids.COVERAGE_ALL_LAS}-graph") is None


def test_unknown_query_keys_are_ignored(client: Any) -> None:
    content = render_page(client, "/coverage", "?utm_source=x&measure=ethnicity_unknown")
    assert find_by_id(content, ids.COVERAGE_NOT_FOUND) is None


# ------------------------------------------------------------------------ callbacks


def callback_key(app: Any, *parts: str) -> str:
    """The registered output key of the callback whose outputs are exactly ``parts``."""
    matches = [
        k for k in app.callback_map
        if sorted(p.split("@")[0] for p in k.strip(".").split("...")) == sorted(parts)
    ]  # fmt: skip
    assert len(matches) == 1, matches
    return matches[0]


def outputs_of(key: str) -> Any:
    parts = key.strip(".").split("...") if key.startswith("..") else [key]
    outs = [dict(zip(("id", "property"), p.split(".", 1), strict=True)) for p in parts]
    return outs if key.startswith("..") else outs[0]


def post(client: Any, key: str, inputs: list[Any], state: list[Any]) -> Any:
    payload = {
        "output": key,
        "outputs": outputs_of(key),
        "inputs": inputs,
        "changedPropIds": [f"{i['id']}.{i['property']}" for i in inputs],
        "state": state,
    }
    return client.post("/_dash-update-component", json=payload)


def apply(app: Any, client: Any, measure: Any, year: Any, area: Any) -> Any:
    key = callback_key(app, f"{ids.COVERAGE_LOCATION}.href")
    return post(
        client,
        key,
        [
            {"id": ids.COVERAGE_APPLY, "property": "n_clicks", "value": 1},
            {"id": ids.COVERAGE_AREA, "property": "n_submit", "value": None},
        ],
        [
            {"id": ids.COVERAGE_MEASURE, "property": "value", "value": measure},
            {"id": ids.COVERAGE_YEAR, "property": "value", "value": year},
            {"id": ids.COVERAGE_AREA, "property": "value", "value": area},
        ],
    )


def href_of(response: Any) -> str:
    assert response.status_code == 200, response.data[:300]
    out = response.get_json()["response"]
    value: str = next(iter(out.values()))["href"]
    return value


def test_apply_writes_the_chosen_view_to_the_url(app: Any, client: Any, year: int) -> None:
    href = href_of(apply(app, client, MEASURE, str(year), "Camden (E09000007)"))
    parts = urlsplit(href)
    assert parts.path == "/coverage"
    assert parse_qs(parts.query) == {"measure": [MEASURE], "area": [CAMDEN], "year": [str(year)]}


def test_apply_turns_a_typed_name_into_a_code_and_drops_an_unavailable_year(
    app: Any, client: Any
) -> None:
    href = href_of(apply(app, client, MEASURE, "1990", "camden"))
    assert parse_qs(urlsplit(href).query) == {"measure": [MEASURE], "area": [CAMDEN]}


def test_apply_passes_an_unknown_area_on_for_the_page_to_explain(app: Any, client: Any) -> None:
    href = href_of(apply(app, client, MEASURE, None, "Atlantis"))
    assert parse_qs(urlsplit(href).query)["area"] == ["Atlantis"]
    content = render_page(client, "/coverage", "?" + urlsplit(href).query)
    assert "Atlantis" in text_of(find_by_id(content, ids.COVERAGE_NOT_FOUND))


@pytest.mark.parametrize(
    ("measure", "year", "area"),
    [
        ("nope", None, None),
        (None, None, None),
        (["ethnicity_unknown"], None, None),
        ({"a": 1}, None, None),
        ("x" * 100_000, None, None),
        (MEASURE, {"y": 1}, None),
        (MEASURE, None, ["Camden"]),
        (MEASURE, None, "C" * 5000),
        (123, True, 4.5),
    ],
)
def test_apply_with_hostile_values_never_fails(
    app: Any, client: Any, measure: Any, year: Any, area: Any
) -> None:
    response = apply(app, client, measure, year, area)
    assert response.status_code in (200, 204)
    if response.status_code == 200:  # only a harmless URL on our own page
        assert href_of(response).startswith("/coverage")


def sync(app: Any, client: Any, view: Any, stored: Any) -> Any:
    key = callback_key(
        app,
        f"{ids.CHOSEN_AREA}.data",
        f"{ids.COVERAGE_AREA}.value",
        f"{ids.COVERAGE_REMEMBERED}.children",
    )
    return post(
        client,
        key,
        [{"id": ids.COVERAGE_VIEW, "property": "data", "value": view}],
        [{"id": ids.CHOSEN_AREA, "property": "data", "value": stored}],
    )


def test_a_shown_la_is_remembered(app: Any, client: Any) -> None:
    view = {"measure": MEASURE, "year": 2025, "area": CAMDEN}
    response = sync(app, client, view, None)
    assert response.status_code == 200
    out = response.get_json()["response"]
    assert list(out) == [ids.CHOSEN_AREA]
    assert list(out[ids.CHOSEN_AREA].values()) == [CAMDEN]
    assert sync(app, client, view, CAMDEN).status_code == 204  # already remembered


def test_a_page_without_area_offers_the_remembered_la(app: Any, client: Any) -> None:
    view = {"measure": MEASURE, "year": 2025, "area": None}
    response = sync(app, client, view, CAMDEN)
    assert response.status_code == 200
    out = response.get_json()["response"]
    assert ids.CHOSEN_AREA not in out
    assert out[ids.COVERAGE_AREA]["value"] == f"Camden ({CAMDEN})"
    link = nodes_of_type(out[ids.COVERAGE_REMEMBERED]["children"], "A")[0]
    assert parse_qs(urlsplit(link["props"]["href"]).query) == {
        "measure": [MEASURE], "area": [CAMDEN], "year": ["2025"]
    }  # fmt: skip


@pytest.mark.parametrize(
    ("view", "stored"),
    [
        ("text", None),
        (None, CAMDEN),
        ({"area": "E99999999"}, None),
        ({"area": None}, None),
        ({"area": None, "measure": MEASURE, "year": 2025}, "<script>"),
        ({"area": None, "measure": MEASURE, "year": 2025}, {"x": 1}),
        ({"area": None, "measure": ["x"], "year": 2025}, CAMDEN),
        ({"area": None, "measure": MEASURE, "year": "2025; drop"}, CAMDEN),
        ({"area": ["E09000007"]}, None),
    ],
)
def test_sync_with_hostile_values_does_nothing(
    app: Any, client: Any, view: Any, stored: Any
) -> None:
    assert sync(app, client, view, stored).status_code == 204
