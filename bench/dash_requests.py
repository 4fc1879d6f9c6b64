"""Requests as the browser makes them: callback payloads built from the app's own callback map
and a rendered page, and the scripts, styles and data files a page makes the browser fetch.

Payloads are built from ``app.callback_map`` rather than written out by hand, so the inputs are
always in the order the server expects and a changed callback signature shows up as a failed
request, not as a silently wrong measurement. Values come from the components of a page the
server has just rendered (what the browser would send), overridden where a user acts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

ROUTER_KEY = ".._pages_content.children..._pages_store.data.."
PATHNAME = "_pages_location.pathname"
SEARCH = "_pages_location.search"
# Where dcc's Graph fetches its code from when it first draws (a webpack chunk, not in the HTML).
GRAPH_CHUNK = "/_dash-component-suites/dash/dcc/async-graph.js"
# ... and plotly.js, which that chunk loads from here when the app serves its scripts itself
# (the page's Dash config names a CDN address instead when it does not).
LOCAL_PLOTLYJS = "/_dash-component-suites/plotly/package_data/plotly.min.js"
WILDCARDS = ("ALL", "MATCH", "ALLSMALLER")


def stringify_id(component_id: Any) -> str:
    """A component id as Dash writes it in ``changedPropIds``: plain text, or for a dict id its
    JSON with sorted keys and no spaces."""
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return str(component_id)


def _components(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, list):
        for child in node:
            yield from _components(child)
    elif isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict) and "type" in node:
            yield node
            for value in props.values():
                yield from _components(value)
        else:
            for value in node.values():
                yield from _components(value)


def index_components(layout: Any) -> dict[str, dict[str, Any]]:
    """Every component with an id in a rendered layout (the JSON the router returns): its
    stringified id -> its props. Components nested in any prop are found, not only children."""
    out: dict[str, dict[str, Any]] = {}
    for node in _components(layout):
        component_id = node["props"].get("id")
        if component_id is not None:
            out[stringify_id(component_id)] = node["props"]
    return out


def component_types(layout: Any) -> set[str]:
    return {str(node.get("type")) for node in _components(layout)}


def split_outputs(key: str) -> list[dict[str, str]]:
    """The outputs named by a ``callback_map`` key ('a.b' or '..a.b...c.d..')."""
    parts = key.strip(".").split("...") if key.startswith("..") else [key]
    outputs = []
    for part in parts:
        component, _, prop = part.rpartition(".")
        if not component:
            raise ValueError(f"not a callback output key: {key!r}")
        outputs.append({"id": component, "property": prop})
    return outputs


def _pattern(spec_id: str) -> dict[str, Any] | None:
    if not spec_id.startswith("{"):
        return None
    parsed = json.loads(spec_id)
    return parsed if isinstance(parsed, dict) else None


def _matches(pattern: dict[str, Any], candidate: str) -> bool:
    other = _pattern(candidate)
    if other is None or set(other) != set(pattern):
        return False
    return all(
        (isinstance(v, list) and v and v[0] in WILDCARDS) or other[k] == v
        for k, v in pattern.items()
    )


def _entries(
    specs: Sequence[Mapping[str, str]],
    values: Mapping[str, Any],
    components: Mapping[str, Mapping[str, Any]],
) -> list[Any]:
    out: list[Any] = []
    for spec in specs:
        spec_id, prop = spec["id"], spec["property"]
        pattern = _pattern(spec_id)
        if pattern is None:
            key = f"{spec_id}.{prop}"
            value = values[key] if key in values else components.get(spec_id, {}).get(prop)
            out.append({"id": spec_id, "property": prop, "value": value})
            continue
        group = []
        for found_id in sorted(c for c in components if _matches(pattern, c)):
            key = f"{found_id}.{prop}"
            value = values[key] if key in values else components[found_id].get(prop)
            group.append({"id": json.loads(found_id), "property": prop, "value": value})
        out.append(group)
    return out


def callback_payload(
    key: str,
    spec: Mapping[str, Any],
    *,
    values: Mapping[str, Any] | None = None,
    changed: Sequence[str] = (),
    components: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The body of ``POST /_dash-update-component`` for the callback ``key`` of
    ``app.callback_map`` (``spec`` is its entry). Each input and state takes its value from
    ``values`` ('id.prop' -> value; a dict id as :func:`stringify_id` writes it), else from the
    rendered ``components``, else None; pattern-matching ones list every matching component."""
    values = values or {}
    components = components or {}
    outputs = split_outputs(key)
    return {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": _entries(spec.get("inputs", []), values, components),
        "changedPropIds": list(changed),
        "state": _entries(spec.get("state", []), values, components),
    }


def router_payload(spec: Mapping[str, Any], pathname: str, search: str = "") -> dict[str, Any]:
    """The page-routing request the browser sends on navigation to ``pathname`` + ``search``."""
    return callback_payload(
        ROUTER_KEY,
        spec,
        values={PATHNAME: pathname, SEARCH: search},
        changed=[PATHNAME],
    )


# ------------------------------------------------------------------ what a page fetches
@dataclass
class PageResources:
    """The scripts and stylesheets an HTML page names, and Dash's plotly.js address."""

    scripts: list[str] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    plotlyjs_url: str | None = None


class _ResourceParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found = PageResources()
        self._in_config = False
        self._config: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {k: v for k, v in attrs}
        if tag == "script":
            if named.get("src"):
                self.found.scripts.append(str(named["src"]))
            self._in_config = named.get("id") == "_dash-config"
        elif tag == "link":
            rel = (named.get("rel") or "").lower().split()
            if "stylesheet" in rel and named.get("href"):
                self.found.styles.append(str(named["href"]))

    def handle_data(self, data: str) -> None:
        if self._in_config:
            self._config.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_config:
            self._in_config = False
            try:
                config = json.loads("".join(self._config))
            except json.JSONDecodeError:
                return
            url = config.get("plotlyjs_url") if isinstance(config, dict) else None
            self.found.plotlyjs_url = url if isinstance(url, str) else None


def page_resources(html: str) -> PageResources:
    parser = _ResourceParser()
    parser.feed(html)
    parser.close()
    return parser.found


def asset_references(node: Any, prefix: str = "/assets/") -> set[str]:
    """Every string in a callback response that is an address under ``prefix`` (e.g. the
    boundaries file a choropleth's figure tells the browser to fetch)."""
    if isinstance(node, str):
        return {node} if node.startswith(prefix) else set()
    if isinstance(node, list):
        return set().union(*(asset_references(v, prefix) for v in node)) if node else set()
    if isinstance(node, dict):
        found: set[str] = set()
        for value in node.values():
            found |= asset_references(value, prefix)
        return found
    return set()


def chart_fetches(content: Any, plotlyjs_url: str | None) -> list[str]:
    """What the browser fetches after the router's answer arrives: dcc's graph chunk and
    plotly.js when the page draws a chart, and any asset the content names."""
    wanted: list[str] = []
    if "Graph" in component_types(content):
        wanted += [GRAPH_CHUNK, plotlyjs_url or LOCAL_PLOTLYJS]
    wanted += sorted(asset_references(content))
    return wanted
