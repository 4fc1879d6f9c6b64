"""The pure parts of the dashboard benchmark: percentiles, callback payloads, the resources a
page makes the browser fetch, and the realistic inputs; plus, on the small database, that every
server callback of the app has a payload builder whose requests the server accepts."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from bench.dash_cases import (
    NOT_TIMED,
    PAGE_CALLBACKS,
    IndicatorChoice,
    Sizes,
    Universe,
    choices,
    compare_navigate,
    sample_routes,
)
from bench.dash_requests import (
    GRAPH_CHUNK,
    LOCAL_PLOTLYJS,
    ROUTER_KEY,
    asset_references,
    callback_payload,
    chart_fetches,
    index_components,
    page_resources,
    router_payload,
    split_outputs,
    stringify_id,
)
from bench.dashboard import callback_name
from bench.percentiles import percentile, summarise


# ------------------------------------------------------------------ percentiles
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        (0, 1.0),
        (50, 2.5),  # rank 1.5: halfway between 2 and 3
        (95, 3.85),  # rank 2.85: 3 + 0.85 * (4 - 3)
        (100, 4.0),
        (25, 1.75),  # rank 0.75: 1 + 0.75 * (2 - 1)
    ],
)
def test_percentile_interpolates_between_closest_ranks(q: float, expected: float) -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], q) == pytest.approx(expected)


def test_percentile_of_one_value_is_that_value() -> None:
    assert percentile([7.5], 95) == 7.5


@pytest.mark.parametrize(
    ("values", "q", "message"), [([], 50, "no values"), ([1.0], 101, "0 and 100")]
)
def test_percentile_refuses_what_it_cannot_answer(
    values: list[float], q: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        percentile(values, q)


def test_summary_is_in_milliseconds_and_names_the_slowest_inputs() -> None:
    summary = summarise([0.001, 0.004, 0.002], ["a", "b", "c"], slowest=2)
    assert summary["n"] == 3
    assert summary["p50_ms"] == pytest.approx(2.0)
    assert summary["max_ms"] == pytest.approx(4.0)
    assert summary["mean_ms"] == pytest.approx(7 / 3)
    # rank 1.9 of (1, 2, 4): 2 + 0.9 * 2
    assert summary["p95_ms"] == pytest.approx(3.8)
    assert summary["slowest"] == [
        {"input": "b", "ms": pytest.approx(4.0)},
        {"input": "c", "ms": pytest.approx(2.0)},
    ]


def test_summary_needs_a_label_per_timing() -> None:
    with pytest.raises(ValueError, match="2 timings but 1 labels"):
        summarise([0.1, 0.2], ["only one"])


# ------------------------------------------------------------------ payloads
def test_ids_are_written_as_dash_writes_them() -> None:
    assert stringify_id("plain-id") == "plain-id"
    assert stringify_id({"type": "t", "code": "E1"}) == '{"code":"E1","type":"t"}'


def _node(kind: str, **props: Any) -> dict[str, Any]:
    return {"type": kind, "namespace": "dash_html_components", "props": props}


LAYOUT = _node(
    "Div",
    children=[
        _node("Input", id="picker", value="Leeds (E08000035)"),
        _node(
            "Label",
            # A component inside a prop that is not ``children`` is found too.
            label=_node("Button", id={"type": "remove", "code": "E1"}, n_clicks=0),
            children=[_node("Button", id={"type": "remove", "code": "E2"}, n_clicks=0)],
        ),
        _node("Button", id={"type": "other", "code": "E3"}, n_clicks=0),
        _node("Span", children="no id"),
    ],
)


def test_every_component_with_an_id_is_indexed() -> None:
    index = index_components(LAYOUT)
    assert set(index) == {
        "picker",
        '{"code":"E1","type":"remove"}',
        '{"code":"E2","type":"remove"}',
        '{"code":"E3","type":"other"}',
    }
    assert index["picker"]["value"] == "Leeds (E08000035)"


def test_output_keys_split_into_outputs() -> None:
    assert split_outputs("overview-location.search") == [
        {"id": "overview-location", "property": "search"}
    ]
    assert split_outputs("..chosen-area.data@ab12...coverage-area.value..") == [
        {"id": "chosen-area", "property": "data@ab12"},
        {"id": "coverage-area", "property": "value"},
    ]
    with pytest.raises(ValueError, match="not a callback output key"):
        split_outputs("nodot")


def test_payload_takes_values_from_overrides_then_the_page_and_expands_patterns() -> None:
    spec = {
        "inputs": [
            {"id": "go", "property": "n_clicks"},
            {"id": '{"code":["ALL"],"type":"remove"}', "property": "n_clicks"},
        ],
        "state": [
            {"id": "picker", "property": "value"},
            {"id": "missing", "property": "data"},
        ],
    }
    key = "..out.href...msg.children.."
    clicked = '{"code":"E2","type":"remove"}.n_clicks'
    payload = callback_payload(
        key,
        spec,
        values={"go.n_clicks": 3, clicked: 1},
        changed=[clicked],
        components=index_components(LAYOUT),
    )
    assert payload == {
        "output": key,
        "outputs": [{"id": "out", "property": "href"}, {"id": "msg", "property": "children"}],
        "inputs": [
            {"id": "go", "property": "n_clicks", "value": 3},
            [
                {"id": {"code": "E1", "type": "remove"}, "property": "n_clicks", "value": 0},
                {"id": {"code": "E2", "type": "remove"}, "property": "n_clicks", "value": 1},
            ],
        ],
        "changedPropIds": [clicked],
        "state": [
            {"id": "picker", "property": "value", "value": "Leeds (E08000035)"},
            {"id": "missing", "property": "data", "value": None},
        ],
    }


def test_router_payload_is_the_navigation_request() -> None:
    spec = {
        "inputs": [
            {"id": "_pages_location", "property": "pathname"},
            {"id": "_pages_location", "property": "search"},
        ],
        "state": [],
    }
    assert router_payload(spec, "/la/E08000035", "?year=2024") == {
        "output": ROUTER_KEY,
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": "/la/E08000035"},
            {"id": "_pages_location", "property": "search", "value": "?year=2024"},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }


# ------------------------------------------------------------------ what a page fetches
PAGE = """<!DOCTYPE html><html><head>
<link rel="icon" href="/_favicon.ico">
<link rel="stylesheet" href="/assets/govuk.css?m=1">
</head><body>
<script id="_dash-config" type="application/json">{"url_base_pathname": "/",
 "plotlyjs_url": "https://cdn.example/plotly.js"}</script>
<script src="/_dash-component-suites/dash/deps/react.js"></script>
<script>var inline = 1;</script>
<script src="/assets/nav.js?m=2"></script>
</body></html>"""


def test_page_resources_are_its_scripts_and_stylesheets() -> None:
    found = page_resources(PAGE)
    assert found.scripts == ["/_dash-component-suites/dash/deps/react.js", "/assets/nav.js?m=2"]
    assert found.styles == ["/assets/govuk.css?m=1"]  # the icon is not a stylesheet
    assert found.plotlyjs_url == "https://cdn.example/plotly.js"
    assert page_resources("<html><script src='/a.js'></script></html>").plotlyjs_url is None


def test_a_page_with_a_chart_also_fetches_plotly_and_the_assets_its_figure_names() -> None:
    chart = _node("Graph", figure={"data": [{"geojson": "/assets/map.json", "z": [1, 2]}]})
    content = _node("Div", children=[chart, _node("A", href="/assets/not-fetched-by-a-link")])
    assert asset_references(content) == {"/assets/map.json", "/assets/not-fetched-by-a-link"}
    fetched = chart_fetches(content, None)
    assert fetched[:2] == [GRAPH_CHUNK, LOCAL_PLOTLYJS]
    assert chart_fetches(content, "https://cdn.example/p.js")[1] == "https://cdn.example/p.js"
    no_chart = _node("Div", children=[_node("Img", src="/assets/logo.png")])
    assert chart_fetches(no_chart, None) == ["/assets/logo.png"]


# ------------------------------------------------------------------ realistic inputs
UNIVERSE = Universe(
    indicators=(
        IndicatorChoice("cin_rate", "Children in need rate", (2023, 2024, 2025), ("sex",)),
        IndicatorChoice("cla_rate", "Looked after children rate", (2024, 2025), ()),
        IndicatorChoice("sdq_mean", "Average emotional health score", (2025,), ("age_band",)),
    ),
    las=(("E09000007", "Camden"), ("E06000001", "Hartlepool"), ("E08000013", "St. Helens"),
         ("E08000035", "Leeds")),
    regions=(("E12000007", "London"),),
    coverage=(("ethnicity_unknown", (2024, 2025)),),
)  # fmt: skip
SIZES = Sizes(indicator=9, la_profile=5, compare=3, coverage=4, searches=2, actions=2)


def _query(search: str) -> dict[str, list[str]]:
    from urllib.parse import parse_qs

    return parse_qs(search.lstrip("?"))


def test_routes_cover_every_page_kind_in_the_numbers_asked_for() -> None:
    routes = sample_routes(UNIVERSE, random.Random(1), SIZES)
    kinds = [r.kind for r in routes]
    assert routes[0].label == "/"  # the first page a worker serves
    assert kinds.count("indicator") == 9
    assert kinds.count("la_profile") == 5 + 1  # and the one region
    assert kinds.count("compare") == 3 + 1  # and the empty compare page
    assert kinds.count("coverage") == 4 + 1  # and the default view
    assert kinds.count("overview") == 1 + 2
    for kind in ("about", "glossary", "accessibility", "la_index"):
        assert kinds.count(kind) == 1


def test_routes_ask_only_for_what_the_database_has() -> None:
    las = {code for code, _ in UNIVERSE.las}
    by_id = {i.id: i for i in UNIVERSE.indicators}
    routes = sample_routes(UNIVERSE, random.Random(2), SIZES)
    for route in routes:
        query = _query(route.search)
        if route.kind == "indicator":
            ind = by_id[route.path.removeprefix("/indicator/")]
            assert query["area"][0] in las
            assert all(int(y) in ind.years for y in query.get("year", []))
            assert all(b in ind.breakdowns for b in query.get("breakdown", []))
            assert all(c in las for c in ",".join(query.get("compare", [])).split(",") if c)
        elif route.kind == "la_profile":
            assert route.path.removeprefix("/la/") in las | {"E12000007"}
        elif route.kind == "compare":
            assert set(query.get("area", [])) <= las | {"E12000007"}
            assert set(query.get("indicator", [])) <= set(by_id)
        elif route.kind == "coverage" and query:
            assert query["measure"] == ["ethnicity_unknown"]
    # Nine indicator pages over three indicators: each is seen (the order cycles).
    seen = {r.path for r in routes if r.kind == "indicator"}
    assert seen == {f"/indicator/{i}" for i in by_id}


def test_routes_repeat_with_the_seed_and_differ_without_it() -> None:
    first = sample_routes(UNIVERSE, random.Random(5), SIZES)
    assert first == sample_routes(UNIVERSE, random.Random(5), SIZES)
    assert first != sample_routes(UNIVERSE, random.Random(6), SIZES)


def test_an_empty_database_cannot_be_sampled() -> None:
    empty = Universe(indicators=(), las=(), regions=(), coverage=())
    with pytest.raises(ValueError, match="no indicator values"):
        sample_routes(empty, random.Random(1), SIZES)


def test_choices_come_from_options_or_the_pickers_datalist() -> None:
    components: dict[str, dict[str, Any]] = {
        "year": {"options": [{"label": y, "value": y} for y in ("2024", "2025")]},
        "area": {"value": ""},
        "area-options": {
            "children": [
                {"type": "Option", "props": {"value": "Camden (E09000007)"}},
                {"type": "Option", "props": {"value": "Leeds (E08000035)"}},
            ]
        },
    }  # fmt: skip
    assert choices(components, "year") == ["2024", "2025"]
    assert choices(components, "area") == ["Camden (E09000007)", "Leeds (E08000035)"]
    assert choices(components, "absent") == []


def test_removing_an_area_on_the_compare_page_fires_that_areas_button() -> None:
    components = index_components(
        _node(
            "Div",
            children=[
                _node("Button", id={"type": "compare-remove-area", "code": "E09000007"}),
                _node("Input", id="compare-area-picker", value=""),
            ],
        )
    )
    actions = compare_navigate(components, UNIVERSE, random.Random(3))
    remove = [a for a in actions if a.label == "remove area"]
    assert len(remove) == 1
    key = '{"code":"E09000007","type":"compare-remove-area"}.n_clicks'
    assert remove[0].changed == (key,)
    assert remove[0].values == {key: 1}
    assert {a.label for a in actions} >= {"add area", "add neighbours", "apply"}


def test_callbacks_are_named_by_page_module_and_function() -> None:
    def navigate() -> None: ...

    navigate.__module__ = "dashboard.pages.indicator"

    def wrapper() -> None: ...

    wrapper.__wrapped__ = navigate  # type: ignore[attr-defined]
    assert callback_name("indicator-location.href", {"callback": wrapper}) == "indicator.navigate"
    assert callback_name(ROUTER_KEY, {"callback": wrapper}) == "router"
    assert callback_name("_pages_dummy.children", {}) is None  # clientside


# ------------------------------------------------------------------ against the real app
@pytest.mark.slow
def test_every_server_callback_has_a_builder_whose_requests_the_server_accepts(
    small_db: str,
) -> None:
    from app import create_app
    from bench.dashboard import Timer, time_page_callbacks, time_routes, universe_of
    from dashboard.context import current_data

    app = create_app(small_db)
    client = app.server.test_client()
    client.get("/")
    names = {callback_name(k, v) for k, v in app.callback_map.items()} - {None, "router"}
    # A new callback needs a payload builder, or a reason in NOT_TIMED.
    assert names == set(PAGE_CALLBACKS) | set(NOT_TIMED)
    with app.server.app_context():
        u = universe_of(current_data().tidy)
    routes = sample_routes(u, random.Random(4), Sizes(2, 2, 1, 1, 1, actions=2))
    timer = Timer(client)
    rendered = time_routes(timer, app.callback_map[ROUTER_KEY], routes)
    assert len(rendered) == len({r.label for r in routes})  # every page rendered (200)
    notes = time_page_callbacks(timer, app.callback_map, routes, rendered, u, random.Random(4),
                                Sizes(actions=2))  # fmt: skip
    assert notes == []
    summary = timer.summary()
    for name in PAGE_CALLBACKS:
        assert summary[name]["n"] == 2
        # 204 is PreventUpdate (nothing to change); a 4xx or 5xx would mean a wrong payload.
        assert set(summary[name]["statuses"]) <= {"200", "204"}, (name, summary[name])
    json.dumps(summary)  # the record must be JSON
