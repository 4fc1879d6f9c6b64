"""The indicator page through the Flask test client on the small built database: every view
renders, unknown ids give a real 404, bad query values a friendly message, and the callbacks
turn valid input into addresses and hostile input into no update, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text

from dashboard import ids
from tests.dashboard.helpers import find_by_id, render_page, text_of

ENGLAND = "E92000001"


@pytest.fixture(scope="module")
def app(small_app: Any) -> Any:
    return small_app


@pytest.fixture(scope="module")
def client(app: Any) -> Any:
    return app.server.test_client()


def _query(small_db: str, sql: str, **params: Any) -> list[Any]:
    engine = create_engine(small_db)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params).all())
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def an_la(small_db: str) -> tuple[str, str]:
    """An LA of the small database that has a CIN rate for its latest year: (code, name)."""
    rows = _query(
        small_db,
        "select area_code, area_name from indicator_values where indicator_id = 'cin_rate' "
        "and geographic_level = 'local_authority' and breakdown = 'total' and value is not null "
        "order by area_code",
    )
    return str(rows[0][0]), str(rows[0][1])


def _figure(content: Any, block: str) -> dict[str, Any]:
    graph = find_by_id(content, f"{block}-graph")
    assert graph is not None, f"no graph in {block}"
    figure: dict[str, Any] = graph["props"]["figure"]
    return figure


# ---------------------------------------------------------------------------- HTTP status


def test_known_indicator_is_200_and_unknown_is_404(client: Any) -> None:
    assert client.get("/indicator/cin_rate").status_code == 200
    assert client.get("/indicator/cin_rate?area=nowhere&year=1").status_code == 200
    assert client.get("/indicator/not_an_indicator").status_code == 404
    assert client.get("/indicator/cin_rate/extra").status_code == 404
    assert client.get("/indicator/%3Cscript%3E").status_code == 404


def test_unknown_indicator_renders_the_not_found_content(client: Any) -> None:
    content = render_page(client, "/indicator/not_an_indicator")
    heading = find_by_id(content, ids.NOT_FOUND_HEADING)
    assert heading is not None and text_of(heading) == "Page not found"
    assert find_by_id(content, ids.INDICATOR_HEADING) is None


# ---------------------------------------------------------------------------- views


def test_default_view_is_england_latest_year(client: Any, small_db: str) -> None:
    content = render_page(client, "/indicator/cin_rate")
    heading = find_by_id(content, ids.INDICATOR_HEADING)
    assert heading is not None
    assert text_of(heading) == "Children in need per 10,000 children"
    latest = _query(
        small_db,
        "select max(time_period) from indicator_values where indicator_id = 'cin_rate'",
    )[0][0]
    (england,) = _query(
        small_db,
        "select value from indicator_values where indicator_id = 'cin_rate' and area_code = "
        ":code and time_period = :year and breakdown = 'total'",
        code=ENGLAND,
        year=latest,
    )
    summary = text_of(find_by_id(content, f"{ids.INDICATOR_TIMESERIES}-summary"))
    assert summary.startswith(f"In {latest} England's rate was {england[0]:,.1f} per 10,000")
    for block in (ids.INDICATOR_BARS, ids.INDICATOR_FUNNEL, ids.INDICATOR_MAP):
        assert find_by_id(content, f"{block}-graph") is not None
        assert find_by_id(content, f"{block}-details") is not None  # "View as table"
    download = find_by_id(content, f"{ids.INDICATOR_BARS}-download")
    assert download is not None
    assert download["props"]["href"].startswith("/download/values.csv?indicator=cin_rate")
    assert find_by_id(content, ids.INDICATOR_MESSAGE)["props"].get("children") is None  # type: ignore[index]


def test_each_breakdown_renders_with_the_groups_in_the_database(
    client: Any, small_db: str, an_la: tuple[str, str]
) -> None:
    code, name = an_la
    breakdowns = [
        r[0]
        for r in _query(
            small_db,
            "select distinct breakdown from indicator_values where indicator_id = 'cin_rate' "
            "and breakdown <> 'total' order by breakdown",
        )
    ]
    assert breakdowns  # the small database has breakdowns to test
    for breakdown in breakdowns:
        content = render_page(client, "/indicator/cin_rate", f"?area={code}&breakdown={breakdown}")
        figure = _figure(content, ids.INDICATOR_BREAKDOWN_CHART)
        groups = {
            r[0]
            for r in _query(
                small_db,
                "select distinct breakdown_value from indicator_values where indicator_id = "
                "'cin_rate' and area_code = :code and breakdown = :b and geographic_level = "
                "'local_authority' and time_period = (select max(time_period) from "
                "indicator_values where indicator_id = 'cin_rate')",
                code=code,
                b=breakdown,
            )
        }
        assert set(figure["data"][0]["x"]) == groups
        assert figure["data"][0]["name"] == name
        assert figure["data"][1]["name"] == "England"


def test_chosen_la_is_highlighted_and_outlined(
    client: Any, small_db: str, an_la: tuple[str, str]
) -> None:
    code, name = an_la
    content = render_page(client, "/indicator/cin_rate", f"?area={code}")
    bars = _figure(content, ids.INDICATOR_BARS)
    chosen = [t for t in bars["data"] if t["name"] == f"{name} (chosen)"]
    assert len(chosen) == 1 and chosen[0]["x"] == [code]
    mapped = _figure(content, ids.INDICATOR_MAP)
    outlines = [t for t in mapped["data"] if t["name"] == f"{name} (outlined)"]
    assert [t["locations"] for t in outlines] == [[code], [code]]
    series = _figure(content, ids.INDICATOR_TIMESERIES)
    names = [t.get("name") for t in series["data"]]
    assert names[-1] == name and "England" in names


@pytest.mark.parametrize(
    ("search", "fragment"),
    [
        ("?area=Atlantis", "There is no area 'Atlantis'"),
        ("?year=1812", "There are no figures for year '1812'"),
        ("?breakdown=shoe_size", "not broken down by 'shoe_size'"),
        ("?compare=nowhere", "No local authority matches 'nowhere'"),
        ("?area=E92000001&area=E92000001", "gives 'area' more than once"),
        ("?area=" + "%3Cb%3E" * 400, "There is no area '<b><b>"),
    ],
)
def test_bad_query_values_get_a_friendly_message(client: Any, search: str, fragment: str) -> None:
    content = render_page(client, "/indicator/cin_rate", search)
    message = find_by_id(content, ids.INDICATOR_MESSAGE)
    assert message is not None and fragment in text_of(message)
    assert find_by_id(content, f"{ids.INDICATOR_TIMESERIES}-graph") is not None


def test_indicator_without_values_explains_itself(client: Any) -> None:
    content = render_page(client, "/indicator/cla_school_move_pct")
    assert "No values are available for this indicator." in text_of(content)
    assert find_by_id(content, ids.INDICATOR_ANNOTATIONS) is not None


# ---------------------------------------------------------------------------- callbacks


def _key(app: Any, *parts: str) -> str:
    matches = [
        k
        for k in app.callback_map
        if sorted(p.split("@")[0] for p in k.strip(".").split("...")) == sorted(parts)
    ]
    assert len(matches) == 1, matches
    return matches[0]


def _outputs(key: str) -> Any:
    parts = key.strip(".").split("...") if key.startswith("..") else [key]
    outs = [dict(zip(("id", "property"), p.split(".", 1), strict=True)) for p in parts]
    return outs if len(outs) > 1 else outs[0]


def _post(client: Any, key: str, inputs: list[Any], state: list[Any]) -> Any:
    payload = {
        "output": key,
        "outputs": _outputs(key),
        "inputs": inputs,
        "changedPropIds": [f"{i['id']}.{i['property']}" for i in inputs[:1]],
        "state": state,
    }
    return client.post("/_dash-update-component", json=payload)


def _navigate(
    app: Any, client: Any, area: Any, year: Any, breakdown: Any, compare: Any, view: Any
) -> Any:
    key = _key(app, f"{ids.INDICATOR_LOCATION}.href")
    return _post(
        client,
        key,
        [
            {"id": ids.INDICATOR_APPLY, "property": "n_clicks", "value": 1},
            {"id": ids.INDICATOR_AREA, "property": "n_submit", "value": None},
            {"id": ids.INDICATOR_COMPARE, "property": "n_submit", "value": None},
        ],
        [
            {"id": ids.INDICATOR_AREA, "property": "value", "value": area},
            {"id": ids.INDICATOR_YEAR, "property": "value", "value": year},
            {"id": ids.INDICATOR_BREAKDOWN, "property": "value", "value": breakdown},
            {"id": ids.INDICATOR_COMPARE, "property": "value", "value": compare},
            {"id": ids.INDICATOR_VIEW, "property": "data", "value": view},
        ],
    )


def _href(response: Any) -> str:
    assert response.status_code == 200, response.data[:300]
    body = response.get_json()["response"]
    (value,) = [v["href"] for v in body.values()]
    return str(value)


VIEW = {"indicator": "cin_rate", "area": ENGLAND, "area_given": False, "year": 2025}


def test_navigate_writes_the_address_of_the_chosen_view(
    app: Any, client: Any, an_la: tuple[str, str]
) -> None:
    code, name = an_la
    response = _navigate(app, client, f"{name} ({code})", "2024", "sex", "", VIEW)
    assert _href(response) == f"/indicator/cin_rate?area={code}&year=2024&breakdown=sex"
    # A typed name with no match is passed on as typed, for the page to explain.
    response = _navigate(app, client, "Narnia", None, None, None, VIEW)
    assert _href(response) == "/indicator/cin_rate?area=Narnia"


@pytest.mark.parametrize(
    ("area", "year", "breakdown", "compare", "view"),
    [
        ({"x": 1}, "2025", None, None, VIEW),
        ("England", ["2025"], None, None, VIEW),
        ("England", None, 7, None, VIEW),
        ("x" * 10_000, None, None, None, VIEW),
        ("England", None, None, None, {"indicator": "drop_tables"}),
        ("England", None, None, None, "cin_rate"),
        ("England", None, None, None, None),
        ("England", None, None, {"a": [1, 2]}, VIEW),
    ],
)
def test_navigate_ignores_hostile_payloads(
    app: Any, client: Any, area: Any, year: Any, breakdown: Any, compare: Any, view: Any
) -> None:
    response = _navigate(app, client, area, year, breakdown, compare, view)
    assert response.status_code == 204


def _render_callback(app: Any, client: Any, view: Any, chosen: Any, redirected: Any) -> Any:
    key = _key(
        app,
        f"{ids.INDICATOR_LOCATION}.href",
        f"{ids.CHOSEN_AREA}.data",
        f"{ids.INDICATOR_REDIRECTED}.data",
    )
    return _post(
        client,
        key,
        [{"id": ids.INDICATOR_VIEW, "property": "data", "value": view}],
        [
            {"id": ids.CHOSEN_AREA, "property": "data", "value": chosen},
            {"id": ids.INDICATOR_REDIRECTED, "property": "data", "value": redirected},
        ],
    )


def test_an_la_shown_becomes_the_chosen_area(app: Any, client: Any, an_la: tuple[str, str]) -> None:
    code, _ = an_la
    view = {**VIEW, "area": code, "area_given": True}
    response = _render_callback(app, client, view, None, None)
    assert response.status_code == 200
    body = response.get_json()["response"]
    assert body[ids.CHOSEN_AREA] == {"data": code}
    assert ids.INDICATOR_LOCATION not in body


def test_view_without_area_moves_to_the_chosen_la_once(
    app: Any, client: Any, an_la: tuple[str, str]
) -> None:
    code, _ = an_la
    view = {**VIEW, "breakdown": "sex", "compare": []}
    response = _render_callback(app, client, view, code, None)
    assert response.status_code == 200
    body = response.get_json()["response"]
    assert body[ids.INDICATOR_LOCATION]["href"] == (
        f"/indicator/cin_rate?area={code}&year=2025&breakdown=sex"
    )
    assert body[ids.INDICATOR_REDIRECTED] == {"data": ["cin_rate"]}
    # Back to the address without an area: no second redirect, so back works.
    assert _render_callback(app, client, view, code, ["cin_rate"]).status_code == 204


@pytest.mark.parametrize(
    ("view", "chosen", "redirected"),
    [
        (VIEW, {"code": "E09000007"}, None),
        (VIEW, "E92000001", None),  # England is not an LA to move to
        (VIEW, "x" * 5000, None),
        (VIEW, None, None),
        ({"indicator": ["cin_rate"]}, "E09000007", None),
        (12, "E09000007", "garbage"),
        ({**VIEW, "area_given": True, "area": {"$ne": 1}}, None, None),
    ],
)
def test_render_callback_ignores_hostile_payloads(
    app: Any, client: Any, view: Any, chosen: Any, redirected: Any
) -> None:
    assert _render_callback(app, client, view, chosen, redirected).status_code == 204
