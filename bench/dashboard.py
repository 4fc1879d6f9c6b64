"""The dashboard at national scale: view reads, every callback's server time, each page's
transfer, a worker's memory and the time to the first chart in a real browser.

Server times are taken through Flask's test client, as the issue sets them: what the server
spends between receiving a callback request and having its (gzip) answer ready, without the
network. Every callback in the app's callback map is exercised, the page router for each page
kind and each page's own callbacks with payloads built from a page the server just rendered;
a callback nobody wrote a payload for is named in the notes rather than skipped silently.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.dash_cases import (
    NOT_TIMED,
    PAGE_CALLBACKS,
    IndicatorChoice,
    Route,
    Sizes,
    Universe,
    sample_routes,
)
from bench.dash_requests import (
    ROUTER_KEY,
    callback_payload,
    chart_fetches,
    index_components,
    page_resources,
    router_payload,
)
from bench.machine import load_average
from bench.percentiles import percentile, summarise
from bench.record import BenchResult, Check

READ_LIMIT_MS = 5.0
CALLBACK_LIMIT_MS = 50.0
MB = 1_000_000
TRANSFER_LIMIT_MB = 2.0
MEMORY_LIMIT_MB = 400.0
FIRST_CHART_LIMIT_S = 2.5
FIRST_CHART_PATH = "/indicator/cin_rate?area=E08000035"
SEED = 20260401
GZIP = {"Accept-Encoding": "gzip, deflate"}

FULL_SIZES = Sizes()
QUICK_SIZES = Sizes(indicator=6, la_profile=3, compare=2, coverage=2, searches=2, actions=3)


# ------------------------------------------------------------------ what there is to ask for
def universe_of(tidy: Any) -> Universe:
    """Indicators with values (their years and breakdowns), LAs, regions and coverage gaps."""
    from dashboard.coverage_data import coverage_data, years_of

    indicators = []
    for ind in tidy.catalogue.indicators:
        years = tuple(tidy.years(ind.id))
        if years:
            breakdowns = tuple(b for b in tidy.breakdowns(ind.id) if b != "total")
            indicators.append(IndicatorChoice(ind.id, ind.title, years, breakdowns))
    areas = tidy.areas
    with_values = {str(c) for c in tidy.values("cin_rate")["area_code"].unique()}
    las = areas[(areas["level"] == "local_authority") & areas["code"].isin(with_values)]
    regions = areas[areas["level"] == "regional"]
    data = coverage_data(tidy)
    gaps = [(m.key, tuple(years_of(data, m.key))) for m in data.measures]
    return Universe(
        indicators=tuple(indicators),
        las=tuple(zip(las["code"].astype(str), las["name"].astype(str), strict=True)),
        regions=tuple(zip(regions["code"].astype(str), regions["name"].astype(str), strict=True)),
        coverage=tuple((k, y) for k, y in gaps if y),
    )


# ------------------------------------------------------------------ reads
def time_reads(tidy: Any, u: Universe, rng: random.Random, n: int) -> dict[str, Any]:
    """``Tidy.values`` for one indicator x LA x year (every breakdown, as the page shows), and
    for every LA of one indicator-year (the headline rows the bar chart and map draw)."""
    one: list[float] = []
    one_labels: list[str] = []
    all_las: list[float] = []
    all_labels: list[str] = []
    for _ in range(n):
        ind = rng.choice(u.indicators)
        year = rng.choice(ind.years)
        area = rng.choice(u.las)[0]
        tick = time.perf_counter()
        tidy.values(ind.id, area=area, year=year)
        one.append(time.perf_counter() - tick)
        one_labels.append(f"{ind.id} {area} {year}")
        tick = time.perf_counter()
        tidy.values(ind.id, year=year, level="local_authority", breakdown="total")
        all_las.append(time.perf_counter() - tick)
        all_labels.append(f"{ind.id} {year}")
    return {
        "indicator_la_year": summarise(one, one_labels),
        "indicator_year_all_las": summarise(all_las, all_labels),
    }


# ------------------------------------------------------------------ callbacks
def callback_name(key: str, entry: dict[str, Any]) -> str | None:
    """'<page module>.<function>' of a server callback; None for a clientside one."""
    if key == ROUTER_KEY:
        return "router"
    function = entry.get("callback")
    if function is None:
        return None
    inner = getattr(function, "__wrapped__", function)
    module = str(getattr(inner, "__module__", "")).rsplit(".", 1)[-1]
    return f"{module}.{getattr(inner, '__name__', key)}"


class Timer:
    """Posts callback requests and keeps every time with its label, per callback name."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.times: dict[str, list[float]] = {}
        self.labels: dict[str, list[str]] = {}
        self.statuses: dict[str, dict[str, int]] = {}
        self.bytes: dict[str, list[int]] = {}

    def post(self, name: str, label: str, payload: dict[str, Any]) -> Any:
        tick = time.perf_counter()
        response = self.client.post("/_dash-update-component", json=payload, headers=GZIP)
        elapsed = time.perf_counter() - tick
        self.times.setdefault(name, []).append(elapsed)
        self.labels.setdefault(name, []).append(label)
        self.bytes.setdefault(name, []).append(len(response.data))
        status = self.statuses.setdefault(name, {})
        status[str(response.status_code)] = status.get(str(response.status_code), 0) + 1
        return response

    def summary(self) -> dict[str, Any]:
        return {
            name: {
                **summarise(self.times[name], self.labels[name]),
                # The first request of a kind fills the per-app caches: slower than the rest.
                "first_ms": self.times[name][0] * 1000,
                "first_input": self.labels[name][0],
                "statuses": self.statuses[name],
                "max_response_bytes": max(self.bytes[name]),
            }
            for name in self.times
        }


def _content(response: Any) -> Any:
    import gzip
    import json

    raw = response.data
    if response.headers.get("Content-Encoding") == "gzip":
        raw = gzip.decompress(raw)
    return json.loads(raw)["response"]["_pages_content"]["children"]


def time_routes(timer: Timer, spec: dict[str, Any], routes: Sequence[Route]) -> dict[str, Any]:
    """Each route once through the router, timed per page kind; returns the rendered content
    of each route that answered 200, by label (for the transfer and callback stages)."""
    rendered: dict[str, Any] = {}
    for route in routes:
        response = timer.post(
            f"router {route.kind}", route.label, router_payload(spec, *_ps(route))
        )
        if response.status_code == 200:
            rendered[route.label] = _content(response)
    return rendered


def _ps(route: Route) -> tuple[str, str]:
    return route.path, route.search


def time_page_callbacks(
    timer: Timer,
    callback_map: dict[str, Any],
    routes: Sequence[Route],
    rendered: dict[str, Any],
    u: Universe,
    rng: random.Random,
    sizes: Sizes,
) -> list[str]:
    """Each page callback over ``sizes.actions`` actions on pages of its kinds; the notes name
    callbacks that could not be exercised."""
    notes = []
    for key, entry in callback_map.items():
        name = callback_name(key, entry)
        if name is None or name == "router" or name in NOT_TIMED:
            continue
        known = PAGE_CALLBACKS.get(name)
        if known is None:
            notes.append(f"callback {name} ({key}) has no payload builder: not measured")
            continue
        pages = [r for r in routes if r.kind in known.pages and r.label in rendered]
        if not pages:
            notes.append(f"callback {name}: no rendered page of kind {known.pages}")
            continue
        done = 0
        for i in range(sizes.actions * 4):
            if done >= sizes.actions:
                break
            page = pages[i % len(pages)]
            components = index_components(rendered[page.label])
            for action in known.build(components, u, rng):
                if done >= sizes.actions:
                    break
                payload = callback_payload(
                    key, entry, values=action.values, changed=action.changed, components=components
                )
                timer.post(name, f"{page.label}: {action.label}", payload)
                done += 1
    return notes


# ------------------------------------------------------------------ transfer
def page_transfer(
    client: Any, spec: dict[str, Any], route: Route, content: Any, cache: dict[str, int]
) -> dict[str, Any]:
    """Bytes over the wire (gzip asked for) to show ``route``: its HTML, the router's answer,
    every script and stylesheet the HTML names, and what the content makes the browser fetch.
    ``cache`` holds sizes of resources already fetched (they are counted, not fetched again)."""
    html_response = client.get(route.label, headers=GZIP)
    html_text = html_response.get_data()
    if html_response.headers.get("Content-Encoding") == "gzip":
        import gzip

        html_text = gzip.decompress(html_text)
    resources = page_resources(html_text.decode("utf-8", "replace"))
    items: dict[str, int] = {"html": len(html_response.data)}
    router = client.post(
        "/_dash-update-component",
        json=router_payload(spec, *_ps(route)),
        headers=GZIP,
    )
    items["router_json"] = len(router.data)
    missing = []
    for address in [
        *resources.scripts,
        *resources.styles,
        *chart_fetches(content, resources.plotlyjs_url),
    ]:
        if address not in cache:
            response = client.get(address, headers=GZIP)
            if response.status_code != 200:
                missing.append(f"{address} ({response.status_code})")
            cache[address] = len(response.get_data()) if response.status_code == 200 else 0
        items[address] = cache[address]
    return {
        "route": route.label,
        "total_bytes": sum(items.values()),
        "html_bytes": items["html"],
        "router_json_bytes": items["router_json"],
        "scripts_and_styles_bytes": sum(
            v for k, v in items.items() if k not in ("html", "router_json")
        ),
        "largest": sorted(items.items(), key=lambda kv: -kv[1])[:6],
        "missing": missing,
    }


# ------------------------------------------------------------------ the benchmark
def _kind_representatives(routes: Sequence[Route], timer: Timer) -> dict[str, Route]:
    """For each page kind, the route whose router answer was the largest (the worst case)."""
    out: dict[str, Route] = {}
    for kind in dict.fromkeys(r.kind for r in routes):
        name = f"router {kind}"
        labels = timer.labels.get(name, [])
        sizes = timer.bytes.get(name, [])
        if not labels:
            continue
        biggest = labels[max(range(len(sizes)), key=lambda i: sizes[i])]
        out[kind] = next(r for r in routes if r.kind == kind and r.label == biggest)
    return out


def _safely(notes: list[str], what: str, run: Callable[[], Any]) -> Any:
    try:
        return run()
    except Exception as error:  # one failed stage must not lose the others' figures
        notes.append(f"{what} failed: {type(error).__name__}: {error}")
        return None


def bench_dashboard(url: str, workdir: Path, *, quick: bool, browser: bool = True) -> BenchResult:
    from app import create_app
    from dashboard.context import current_data

    sizes = QUICK_SIZES if quick else FULL_SIZES
    rng = random.Random(SEED)
    notes: list[str] = []
    results: dict[str, Any] = {"load_average_before": load_average()}
    tick = time.perf_counter()
    app = create_app(url)
    results["create_app_s"] = time.perf_counter() - tick
    client = app.server.test_client()
    client.get("/")  # the first request sets up the callback map
    with app.server.app_context():
        tidy = current_data().tidy
    u = universe_of(tidy)
    results["universe"] = {
        "indicators_with_values": len(u.indicators),
        "las": len(u.las),
        "regions": len(u.regions),
        "coverage_gaps": len(u.coverage),
    }

    results["reads"] = time_reads(tidy, u, rng, 100 if quick else 1000)

    routes = sample_routes(u, rng, sizes)
    timer = Timer(client)
    spec = app.callback_map[ROUTER_KEY]
    rendered = time_routes(timer, spec, routes)
    notes += time_page_callbacks(timer, app.callback_map, routes, rendered, u, rng, sizes)
    results["callbacks"] = timer.summary()
    results["routes_opened"] = len(routes)

    cache: dict[str, int] = {}
    representatives = _kind_representatives(routes, timer)
    transfers = {
        kind: page_transfer(client, spec, route, rendered[route.label], cache)
        for kind, route in representatives.items()
        if route.label in rendered
    }
    results["transfer"] = transfers
    results["load_average_after_server_stages"] = load_average()

    kinds = [[r.path, r.search] for r in representatives.values()]
    session = [[r.path, r.search] for r in routes]
    memory = _safely(
        notes,
        "memory probe",
        lambda: _memory(url, kinds, session, workdir),
    )
    results["worker_memory"] = memory

    chart = None
    if browser:
        address = FIRST_CHART_PATH
        leeds = "E08000035"
        if leeds not in {code for code, _ in u.las}:
            address = f"/indicator/cin_rate?area={u.las[0][0]}"
            notes.append(f"{leeds} has no values in this database: first chart on {address}")
        chart = _safely(
            notes,
            "browser",
            lambda: _browser(url, address, 2 if quick else 5, workdir),
        )
    results["first_chart"] = chart
    results["load_average_after"] = load_average()

    checks = _checks(results, transfers, memory, chart, browser)
    parameters = {
        "database": url.split(":", 1)[0],
        "seed": SEED,
        "sizes": asdict(sizes),
        "first_chart_path": FIRST_CHART_PATH,
    }
    return BenchResult("dashboard_national", parameters, results, checks, notes)


def _memory(url: str, kinds: list[list[str]], session: list[list[str]], workdir: Path) -> Any:
    from bench.dash_memory import measure_worker_memory

    return measure_worker_memory(url, kinds, session, workdir / "memory")


def _browser(url: str, address: str, repeats: int, workdir: Path) -> Any:
    from bench.dash_browser import first_chart_times

    return first_chart_times(url, address, repeats, workdir / "browser")


def _checks(
    results: dict[str, Any],
    transfers: dict[str, Any],
    memory: dict[str, Any] | None,
    chart: dict[str, Any] | None,
    browser: bool,
) -> list[Check]:
    reads = results["reads"]
    checks = [
        Check("read p95: indicator x LA x year", _ms(reads["indicator_la_year"]["p95_ms"]), "ms",
              READ_LIMIT_MS),
        Check("read p95: indicator-year, all LAs",
              _ms(reads["indicator_year_all_las"]["p95_ms"]), "ms", READ_LIMIT_MS),
    ]  # fmt: skip
    for name, summary in sorted(results["callbacks"].items()):
        slowest = summary.get("slowest", [{}])[0].get("input", "")
        checks.append(
            Check(f"callback p95: {name}", _ms(summary["p95_ms"]), "ms", CALLBACK_LIMIT_MS, slowest)
        )
    for kind, transfer in sorted(transfers.items()):
        checks.append(
            Check(f"transfer (gzip): {kind}", _mb(transfer["total_bytes"]), "MB",
                  TRANSFER_LIMIT_MB, transfer["route"])
        )  # fmt: skip
    rss_create = memory.get("rss_after_create_app_bytes") if memory else None
    rss_pages = memory.get("rss_after_every_page_kind_bytes") if memory else None
    rss_session = memory.get("rss_after_session_bytes") if memory else None
    checks += [
        Check("worker RSS after create_app", _mb(rss_create), "MB", MEMORY_LIMIT_MB),
        Check("worker RSS after every page kind", _mb(rss_pages), "MB", MEMORY_LIMIT_MB),
        Check("worker RSS after the whole session", _mb(rss_session), "MB"),
    ]
    if browser:
        times = [r["first_chart_s"] for r in (chart or {}).get("runs", [])]
        measured = times if times and all(t is not None for t in times) else None
        checks += [
            Check("first chart visible, max", _round(max(measured), 3) if measured else None,
                  "s", FIRST_CHART_LIMIT_S, (chart or {}).get("address", "")),
            Check("first chart visible, p50",
                  _round(percentile(measured, 50), 3) if measured else None, "s"),
        ]  # fmt: skip
    return checks


def _round(value: float, digits: int) -> float:
    return round(float(value), digits)


def _ms(value: float) -> float:
    """Milliseconds to two decimals: the summary table prints them as they are."""
    return _round(value, 2)


def _mb(value: Any) -> float | None:
    """Bytes as decimal megabytes to three decimals (None stays None: not measured)."""
    return None if value is None else _round(float(value) / MB, 3)
