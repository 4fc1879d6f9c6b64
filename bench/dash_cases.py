"""Realistic dashboard inputs: the addresses people open and what they do on each page.

Inputs are drawn at random (from a fixed seed, so two runs ask the same questions) over what
the database actually holds: indicators with the years and breakdowns they have, real LAs and
regions, coverage gaps with their years. A user does not ask for the same view over and over,
so neither does the benchmark; the per-page caches warm up only as a real worker's would.

Each page callback has an action builder: given the components of a page the server has just
rendered, it says which values the browser sends when the user acts (types an area and presses
the button, picks a year, removes an area, ...). Callbacks without a builder are reported as
unmeasured, so a new callback cannot slip past the benchmark unnoticed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode


@dataclass(frozen=True)
class IndicatorChoice:
    id: str
    title: str
    years: tuple[int, ...]
    breakdowns: tuple[str, ...]  # without "total"


@dataclass(frozen=True)
class Universe:
    """What there is to ask for."""

    indicators: tuple[IndicatorChoice, ...]  # only those with values
    las: tuple[tuple[str, str], ...]  # (ONS code, name)
    regions: tuple[tuple[str, str], ...]
    coverage: tuple[tuple[str, tuple[int, ...]], ...]  # (gap key, years)


@dataclass(frozen=True)
class Sizes:
    """How many of each page kind to open (and actions per page callback)."""

    indicator: int = 60
    la_profile: int = 24
    compare: int = 6
    coverage: int = 10
    searches: int = 6
    actions: int = 16


@dataclass(frozen=True)
class Route:
    kind: str  # overview, indicator, la_profile, la_index, compare, coverage, about, ...
    path: str
    search: str = ""

    @property
    def label(self) -> str:
        return self.path + self.search


@dataclass(frozen=True)
class Action:
    """One user action on a rendered page: the values the browser sends and what fired."""

    label: str
    values: dict[str, Any] = field(default_factory=dict)
    changed: tuple[str, ...] = ()


def _query(pairs: Sequence[tuple[str, str]]) -> str:
    return f"?{urlencode(pairs, safe=',')}" if pairs else ""


STATIC_PAGES = (
    ("about", "/about"),
    ("glossary", "/glossary"),
    ("accessibility", "/accessibility"),
    ("la_index", "/la"),
)


def indicator_route(u: Universe, rng: random.Random, ind: IndicatorChoice) -> Route:
    """An indicator page for a random LA; often the latest year and default breakdown (the
    address a link gives), sometimes a chosen year, breakdown or comparison LAs."""
    pairs = [("area", rng.choice(u.las)[0])]
    if ind.years and rng.random() < 0.4:
        pairs.append(("year", str(rng.choice(ind.years))))
    if ind.breakdowns and rng.random() < 0.5:
        pairs.append(("breakdown", rng.choice(ind.breakdowns)))
    if rng.random() < 0.25 and len(u.las) > 3:
        others = rng.sample(u.las, rng.randint(1, 3))
        pairs.append(("compare", ",".join(code for code, _ in others)))
    return Route("indicator", f"/indicator/{ind.id}", _query(pairs))


def compare_route(u: Universe, rng: random.Random) -> Route:
    areas = [code for code, _ in rng.sample(u.las, min(len(u.las), rng.randint(2, 5)))]
    if u.regions and rng.random() < 0.5:
        areas.append(rng.choice(u.regions)[0])
    chosen = rng.sample(u.indicators, min(len(u.indicators), rng.randint(1, 4)))
    pairs = [("area", a) for a in areas] + [("indicator", i.id) for i in chosen]
    years = sorted(set(chosen[0].years))
    if years and rng.random() < 0.5:
        pairs += [("year", str(y)) for y in sorted(rng.sample(years, min(3, len(years))))]
    return Route("compare", "/compare", _query(pairs))


def coverage_route(u: Universe, rng: random.Random) -> Route:
    key, years = rng.choice(u.coverage)
    pairs = [("measure", key)]
    if u.las and rng.random() < 0.7:
        pairs.append(("area", rng.choice(u.las)[0]))
    if years and rng.random() < 0.5:
        pairs.append(("year", str(rng.choice(years))))
    return Route("coverage", "/coverage", _query(pairs))


def search_words(u: Universe) -> list[str]:
    """Words people would type into the overview search: those of the indicators' titles."""
    words = {w.strip("(),.'").lower() for i in u.indicators for w in i.title.split()}
    return sorted(w for w in words if len(w) > 3 and w.isalpha())


def sample_routes(u: Universe, rng: random.Random, sizes: Sizes) -> list[Route]:
    """Every page kind, the data pages many times over different inputs, in random order."""
    if not u.indicators or not u.las:
        raise ValueError("the database has no indicator values or no local authorities")
    routes = [Route("overview", "/")]
    words = search_words(u)
    for _ in range(sizes.searches if words else 0):
        query = " ".join(rng.sample(words, min(len(words), rng.randint(1, 2))))
        routes.append(Route("overview", "/", _query([("q", query)])))
    # Cycle through the indicators in a shuffled order so that many different ones are seen.
    order = list(u.indicators)
    rng.shuffle(order)
    for i in range(sizes.indicator):
        routes.append(indicator_route(u, rng, order[i % len(order)]))
    las = list(u.las)
    rng.shuffle(las)
    for i in range(sizes.la_profile):
        code = las[i % len(las)][0]
        year_pairs: list[tuple[str, str]] = []
        if u.indicators and rng.random() < 0.2:
            year_pairs = [("year", str(rng.choice(u.indicators[0].years)))]
        routes.append(Route("la_profile", f"/la/{code}", _query(year_pairs)))
    for code, _ in u.regions[:2]:
        routes.append(Route("la_profile", f"/la/{code}"))
    routes.append(Route("compare", "/compare"))
    routes += [compare_route(u, rng) for _ in range(sizes.compare)]
    if u.coverage:
        routes.append(Route("coverage", "/coverage"))
        routes += [coverage_route(u, rng) for _ in range(sizes.coverage)]
    routes += [Route(kind, path) for kind, path in STATIC_PAGES]
    first, rest = routes[0], routes[1:]
    rng.shuffle(rest)
    return [first, *rest]


# ------------------------------------------------------------------ actions on a page
Components = Mapping[str, Mapping[str, Any]]


def choices(components: Components, component_id: str) -> list[Any]:
    """The values a control offers: a radio or checklist's options, or a text box's datalist
    (``<id>-options``) of picker texts."""
    props = components.get(component_id, {})
    options = props.get("options")
    if isinstance(options, list):
        return [o["value"] if isinstance(o, dict) else o for o in options]
    datalist = components.get(f"{component_id}-options", {}).get("children")
    if isinstance(datalist, list):
        return [
            node["props"]["value"]
            for node in datalist
            if isinstance(node, dict) and "value" in node.get("props", {})
        ]
    return []


def _pick(rng: random.Random, values: Sequence[Any], default: Any = None) -> Any:
    return rng.choice(list(values)) if values else default


def _la_code(u: Universe, rng: random.Random) -> str:
    return str(rng.choice(u.las)[0])


def overview_search(c: Components, u: Universe, rng: random.Random) -> list[Action]:
    words = search_words(u) or ["care"]
    typed = " ".join(rng.sample(words, min(len(words), rng.randint(1, 3))))
    return [
        Action(
            f"search '{typed}'",
            {"overview-search.value": typed, "overview-location.search": ""},
            ("overview-search.value",),
        )
    ]


def indicator_navigate(c: Components, u: Universe, rng: random.Random) -> list[Action]:
    area = _pick(rng, choices(c, "indicator-area"), "")
    year = _pick(rng, choices(c, "indicator-year"))
    breakdown = _pick(rng, choices(c, "indicator-breakdown"))
    values = {
        "indicator-apply.n_clicks": 1,
        "indicator-area.value": area,
        "indicator-year.value": year,
        "indicator-breakdown.value": breakdown,
    }
    label = f"apply area={area!r} year={year} breakdown={breakdown}"
    return [Action(label, values, ("indicator-apply.n_clicks",))]


def indicator_remember(c: Components, u: Universe, rng: random.Random) -> list[Action]:
    chosen = _la_code(u, rng) if rng.random() < 0.7 else None
    view = c.get("indicator-view", {}).get("data")
    label = f"rendered {view.get('indicator') if isinstance(view, dict) else view}, chosen {chosen}"
    return [Action(label, {"chosen-area.data": chosen}, ("indicator-view.data",))]


def profile_navigate(c: Components, u: Universe, rng: random.Random) -> list[Action]:
    text = _pick(rng, choices(c, "profile-picker"), "")
    year = _pick(rng, choices(c, "profile-year"), "latest")
    return [
        Action(
            f"picker {text!r} + button",
            {"profile-picker.value": text, "profile-picker-button.n_clicks": 1},
            ("profile-picker-button.n_clicks",),
        ),
        Action(f"year {year}", {"profile-year.value": year}, ("profile-year.value",)),
    ]


def profile_remember(c: Components, u: Universe, rng: random.Random) -> list[Action]:
    area = c.get("profile-area", {}).get("data")
    return [Action(f"shown {area}", {}, ("profile-area.data",))]


def profile_open_remembered(c: Components, u: Universe, rng: random.Random) -> list[Action]:
    chosen = _la_code(u, rng)
    return [Action(f"remembered {chosen}", {"chosen-area.data": chosen}, ("chosen-area.data",))]


def compare_navigate(c: Components, u: Universe, rng: random.Random) -> list[Action]:
    actions = [
        Action(
            "add area",
            {
                "compare-area-picker.value": _pick(rng, choices(c, "compare-area-picker"), ""),
                "compare-add-area.n_clicks": 1,
            },
            ("compare-add-area.n_clicks",),
        ),
        Action(
            "add neighbours",
            {"compare-add-neighbours.n_clicks": 1, "chosen-area.data": _la_code(u, rng)},
            ("compare-add-neighbours.n_clicks",),
        ),
        Action(
            "add region",
            {"compare-add-region.n_clicks": 1, "chosen-area.data": _la_code(u, rng)},
            ("compare-add-region.n_clicks",),
        ),
        Action(
            "add indicator",
            {
                "compare-indicator-search.value": _pick(
                    rng, choices(c, "compare-indicator-search"), ""
                ),
                "compare-add-indicator.n_clicks": 1,
            },
            ("compare-add-indicator.n_clicks",),
        ),
        Action("apply", {"compare-apply.n_clicks": 1}, ("compare-apply.n_clicks",)),
    ]
    removable = sorted(k for k in c if '"compare-remove-area"' in k)
    if removable:
        prop = f"{rng.choice(removable)}.n_clicks"
        actions.append(Action("remove area", {prop: 1}, (prop,)))
    return actions


def compare_start(c: Components, u: Universe, rng: random.Random) -> list[Action]:
    chosen = _la_code(u, rng)
    return [Action(f"remembered {chosen}", {"chosen-area.data": chosen}, ("chosen-area.data",))]


def coverage_apply(c: Components, u: Universe, rng: random.Random) -> list[Action]:
    measure = _pick(rng, choices(c, "coverage-measure"))
    year = _pick(rng, choices(c, "coverage-year"))
    area = _pick(rng, choices(c, "coverage-area"), "") if rng.random() < 0.7 else ""
    values = {
        "coverage-apply.n_clicks": 1,
        "coverage-measure.value": measure,
        "coverage-year.value": year,
        "coverage-area.value": area,
    }
    return [Action(f"apply {measure} {year} {area!r}", values, ("coverage-apply.n_clicks",))]


def coverage_sync(c: Components, u: Universe, rng: random.Random) -> list[Action]:
    chosen = _la_code(u, rng) if rng.random() < 0.7 else None
    return [Action(f"chosen {chosen}", {"chosen-area.data": chosen}, ("coverage-view.data",))]


Builder = Callable[[Components, Universe, random.Random], list[Action]]


@dataclass(frozen=True)
class PageCallback:
    """A page's callback: the page kinds it is exercised on and its action builder."""

    pages: tuple[str, ...]
    build: Builder


# Callbacks the dashboard benchmark does not time, each with the reason.
NOT_TIMED: dict[str, str] = {
    "upload._list_files": "needs uploaded files; the upload page is off unless CSC_ALLOW_UPLOAD=1",
    "upload._check": "validates uploaded returns: timed by the import_duckdb_national benchmark",
    "upload._load": "imports returns and rebuilds metrics: timed by import_duckdb_national",
}

# Keyed by "<page module>.<function>" as the callback map names the callback's function.
PAGE_CALLBACKS: dict[str, PageCallback] = {
    "overview.search_to_url": PageCallback(("overview",), overview_search),
    "indicator.navigate": PageCallback(("indicator",), indicator_navigate),
    "indicator.remember_or_redirect": PageCallback(("indicator",), indicator_remember),
    "la_profile._navigate": PageCallback(("la_profile",), profile_navigate),
    "la_profile._remember": PageCallback(("la_profile",), profile_remember),
    "la_profile._open_remembered": PageCallback(("la_index",), profile_open_remembered),
    "compare._navigate": PageCallback(("compare",), compare_navigate),
    "compare._start_with_my_la": PageCallback(("compare",), compare_start),
    "coverage._apply": PageCallback(("coverage",), coverage_apply),
    "coverage._sync_area": PageCallback(("coverage",), coverage_sync),
}
