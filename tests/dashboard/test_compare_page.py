"""The compare page through Flask's test client: the rendered tables against plain SQL, the
size caps, and every callback with valid and hostile payloads."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from dashboard import ids
from tests.dashboard.helpers import find_by_id, nodes_of_type, post_update, render_page, text_of
from tests.dashboard.tidy_sql import ENGLAND, catalogue_yaml, query

CAMDEN, HARTLEPOOL, LONDON = "E09000007", "E06000001", "E12000007"
HOSTILE = [None, 12, ["x"], {"a": 1}, "x" * 100_000, "<script>alert(1)</script>"]


@pytest.fixture(scope="module")
def app(small_app: Any) -> Any:
    built = small_app
    built.server.test_client().get("/")
    return built


@pytest.fixture(scope="module")
def client(app: Any) -> Any:
    return app.server.test_client()


def rows_of(table: dict[str, Any]) -> list[list[str]]:
    body = nodes_of_type(table, "Tbody")[0]
    return [
        [text_of(cell) for cell in row["props"]["children"]] for row in nodes_of_type(body, "Tr")
    ]


def test_page_is_served(client: Any) -> None:
    assert client.get("/compare").status_code == 200
    assert client.get("/compare?area=E09999999").status_code == 200  # message, not an error
    content = render_page(client, "/compare")
    assert text_of(find_by_id(content, ids.COMPARE_HEADING)) == "Compare areas and indicators"
    assert find_by_id(content, ids.COMPARE_TABLES) is None


def test_tables_show_the_tidy_values(small_db: str, client: Any) -> None:
    content = render_page(
        client,
        "/compare",
        f"?area={CAMDEN}&area={HARTLEPOOL}&indicator=cla_rate&year=2024&year=2025",
    )
    table = find_by_id(content, f"{ids.COMPARE_TABLES}-cla_rate")
    assert table is not None
    values = query(
        small_db,
        "SELECT area_code, time_period, value, status FROM indicator_values WHERE "
        "indicator_id = 'cla_rate' AND breakdown = 'total' AND time_period IN (2024, 2025) "
        "AND geographic_level IN ('local_authority', 'national')",
    )
    decimals = int(catalogue_yaml()["cla_rate"]["decimals"])
    names = {CAMDEN: "Camden", HARTLEPOOL: "Hartlepool", ENGLAND: "England"}
    expected = []
    for code in (CAMDEN, HARTLEPOOL, ENGLAND):
        row = [names[code]]
        for year in (2024, 2025):
            hit = values[(values["area_code"] == code) & (values["time_period"] == year)]
            if hit.empty:
                row.append("x")
            elif hit["status"].iloc[0]:
                row.append(hit["status"].iloc[0])
            else:
                row.append(f"{hit['value'].iloc[0]:,.{decimals}f}")
        expected.append(row)
    assert rows_of(table) == expected
    chart = find_by_id(content, f"{ids.COMPARE_CHART}-graph")
    assert chart is not None
    assert len(chart["props"]["figure"]["data"]) == 2  # one bar trace per year
    link = find_by_id(content, f"{ids.COMPARE_CHART}-download")
    assert link is not None
    assert parse_qs(urlsplit(link["props"]["href"]).query) == {
        "indicator": ["cla_rate"],
        "area": [CAMDEN, HARTLEPOOL],
        "year": ["2024", "2025"],
    }


def test_too_large_a_selection_shows_a_message(small_db: str, client: Any) -> None:
    las = query(small_db, "SELECT ons_code FROM ref_la ORDER BY ons_code LIMIT 21")["ons_code"]
    search = "?" + "&".join(f"area={c}" for c in las) + "&indicator=cin_rate"
    content = render_page(client, "/compare", search)
    message = text_of(find_by_id(content, ids.COMPARE_MESSAGE))
    assert "You chose 21 areas; a comparison shows at most 20" in message
    assert find_by_id(content, ids.COMPARE_TABLES) is None


@pytest.mark.parametrize(
    "search",
    [
        "?area=E09999999&indicator=cin_rate",
        "?indicator=nope",
        "?indicator=cin_rate&year=1800",
        "?area=%3Cscript%3E",
        "?area=" + "A" * 10_000,
        "?" + "&".join(["area=E09000007"] * 500),
    ],
)
def test_unknown_or_hostile_queries_are_named_not_crashed(client: Any, search: str) -> None:
    content = render_page(client, "/compare", search)
    assert "not found" in text_of(find_by_id(content, ids.COMPARE_MESSAGE))
    assert find_by_id(content, ids.COMPARE_TABLES) is None


# ---------------------------------------------------------------- callbacks
NAV_KEY = f"..{ids.COMPARE_LOCATION}.href...{ids.COMPARE_MESSAGE}.children.."


def press(
    client: Any,
    trigger: str | dict[str, str],
    *,
    areas: list[str] | Any = (),
    picker: Any = "",
    search: Any = "",
    checked: Any = None,
    years: Any = None,
    chosen: Any = None,
    state: Any = "default",
) -> Any:
    button_ids = [
        (ids.COMPARE_ADD_AREA, "n_clicks"),
        (ids.COMPARE_AREA_PICKER, "n_submit"),
        (ids.COMPARE_ADD_NEIGHBOURS, "n_clicks"),
        (ids.COMPARE_ADD_REGION, "n_clicks"),
        None,  # the remove buttons
        (ids.COMPARE_ADD_INDICATOR, "n_clicks"),
        (ids.COMPARE_INDICATOR_SEARCH, "n_submit"),
        (ids.COMPARE_APPLY, "n_clicks"),
    ]
    removes = [
        (
            {"type": ids.COMPARE_REMOVE_AREA, "code": code},
            "n_clicks",
            1 if trigger == {"type": ids.COMPARE_REMOVE_AREA, "code": code} else 0,
        )
        for code in (areas if isinstance(areas, list | tuple) else [])
    ]
    inputs: list[Any] = [
        removes if b is None else (b[0], b[1], 1 if b[0] == trigger else 0) for b in button_ids
    ]
    groups = sorted({v["group"] for v in catalogue_yaml().values()})
    checklists = [
        ({"type": ids.COMPARE_INDICATORS, "group": g}, "value", (checked or {}).get(g, []))
        for g in groups
    ]
    data = (
        {"areas": list(areas), "indicators": [], "years": [], "valid": True}
        if state == "default"
        else state
    )
    states: list[Any] = [
        (ids.COMPARE_AREA_PICKER, "value", picker),
        (ids.COMPARE_INDICATOR_SEARCH, "value", search),
        checklists,
        (ids.COMPARE_YEARS, "value", years or []),
        (ids.COMPARE_STATE, "data", data),
        (ids.CHOSEN_AREA, "data", chosen),
    ]
    if isinstance(trigger, dict):
        changed = [
            '{"code":"' + trigger["code"] + '","type":"' + ids.COMPARE_REMOVE_AREA + '"}.n_clicks'
        ]
    else:
        prop = (
            "n_submit"
            if trigger in (ids.COMPARE_AREA_PICKER, ids.COMPARE_INDICATOR_SEARCH)
            else "n_clicks"
        )
        changed = [f"{trigger}.{prop}"]
    return post_update(client, NAV_KEY, inputs, states, changed=changed)


def href_of(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 200, response.data[:300]
    href = response.get_json()["response"][ids.COMPARE_LOCATION]["href"]
    parts = urlsplit(href)
    assert parts.path == "/compare"
    return parse_qs(parts.query)


def test_add_area_and_apply(client: Any) -> None:
    got = href_of(press(client, ids.COMPARE_ADD_AREA, areas=[CAMDEN], picker="Hartlepool"))
    assert got == {"area": [CAMDEN, HARTLEPOOL]}
    group = catalogue_yaml()["cin_rate"]["group"]
    got = href_of(
        press(
            client, ids.COMPARE_APPLY, areas=[CAMDEN], checked={group: ["cin_rate"]}, years=["2025"]
        )
    )
    assert got == {"area": [CAMDEN], "indicator": ["cin_rate"], "year": ["2025"]}
    got = href_of(
        press(
            client,
            ids.COMPARE_INDICATOR_SEARCH,
            areas=[CAMDEN],
            search=catalogue_yaml()["cla_rate"]["title"],
        )
    )
    assert got == {"area": [CAMDEN], "indicator": ["cla_rate"]}


def test_add_my_neighbours_and_region(small_db: str, client: Any) -> None:
    neighbours = query(
        small_db,
        "SELECT neighbour_ons_code FROM ref_statistical_neighbours WHERE model = 2025 AND "
        "ons_code = :code ORDER BY rank",
        code=HARTLEPOOL,
    )["neighbour_ons_code"].tolist()
    got = href_of(press(client, ids.COMPARE_ADD_NEIGHBOURS, areas=[CAMDEN], chosen=HARTLEPOOL))
    assert got["area"] == list(dict.fromkeys([CAMDEN, HARTLEPOOL, *neighbours]))
    # With nothing remembered, "my" is the first LA in the list.
    got = href_of(press(client, ids.COMPARE_ADD_REGION, areas=[LONDON, CAMDEN]))
    assert got["area"] == [LONDON, CAMDEN]
    got = href_of(press(client, ids.COMPARE_ADD_REGION, areas=[CAMDEN], chosen=HARTLEPOOL))
    assert got["area"] == [CAMDEN, HARTLEPOOL, "E12000001"]


def test_remove_area(client: Any) -> None:
    trigger = {"type": ids.COMPARE_REMOVE_AREA, "code": CAMDEN}
    got = href_of(press(client, trigger, areas=[HARTLEPOOL, CAMDEN]))
    assert got == {"area": [HARTLEPOOL]}


def test_messages_when_nothing_matches(client: Any) -> None:
    for response in (
        press(client, ids.COMPARE_ADD_AREA, picker="Atlantis"),
        press(client, ids.COMPARE_ADD_NEIGHBOURS, areas=[LONDON]),
        press(client, ids.COMPARE_ADD_INDICATOR, search="no such thing"),
    ):
        assert response.status_code == 200
        body = response.get_json()["response"]
        assert ids.COMPARE_LOCATION not in body
        assert text_of(body[ids.COMPARE_MESSAGE]["children"])


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_payloads_never_500(client: Any, value: Any) -> None:
    for trigger in (
        ids.COMPARE_ADD_AREA,
        ids.COMPARE_ADD_NEIGHBOURS,
        ids.COMPARE_ADD_INDICATOR,
        ids.COMPARE_APPLY,
    ):
        response = press(
            client,
            trigger,
            picker=value,
            search=value,
            years=value,
            chosen=value,
            state=value,
            checked={"outcome_1_family_support": value} if isinstance(value, list) else None,
        )
        assert response.status_code in (200, 204), (trigger, response.data[:200])
        if response.status_code == 200:
            body = response.get_json()["response"]
            if ids.COMPARE_LOCATION in body:
                assert "<" not in body[ids.COMPARE_LOCATION]["href"]


def test_opening_without_areas_starts_with_my_la(app: Any, client: Any) -> None:
    key = next(k for k in app.callback_map if k.startswith(f"{ids.COMPARE_LOCATION}.href@"))
    state = {"areas": [], "indicators": ["cin_rate"], "years": [2025], "valid": True}
    response = post_update(
        client, key, [(ids.CHOSEN_AREA, "data", CAMDEN)], [(ids.COMPARE_STATE, "data", state)]
    )
    assert response.status_code == 200
    href = response.get_json()["response"][ids.COMPARE_LOCATION]["href"]
    assert parse_qs(urlsplit(href).query) == {
        "area": [CAMDEN],
        "indicator": ["cin_rate"],
        "year": ["2025"],
    }
    for chosen, data in (
        [(CAMDEN, {**state, "areas": [HARTLEPOOL]}), (CAMDEN, {**state, "valid": False})]
        + [(value, state) for value in HOSTILE]
        + [(CAMDEN, value) for value in HOSTILE]
    ):
        response = post_update(
            client, key, [(ids.CHOSEN_AREA, "data", chosen)], [(ids.COMPARE_STATE, "data", data)]
        )
        assert response.status_code == 204
