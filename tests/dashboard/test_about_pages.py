"""The about page and the accessibility statement through the Flask test client: structure
(one h1, no skipped heading levels, working in-page links), the symbols, the framework groups
read straight from the catalogue YAML, and the API links."""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from dashboard import ids
from tests.dashboard.helpers import find_by_id, nodes_of_type, render_page, text_of

CATALOGUE = Path(__file__).resolve().parents[2] / "metrics" / "catalogue"
HEADINGS = ("H1", "H2", "H3", "H4")


@pytest.fixture(scope="module")
def client(small_app: Any) -> Any:
    return small_app.server.test_client()


def headings(node: Any) -> list[int]:
    """Heading levels in document order."""
    out: list[int] = []
    if isinstance(node, list):
        for child in node:
            out += headings(child)
    elif isinstance(node, dict):
        if node.get("type") in HEADINGS:
            out.append(int(node["type"][1]))
        out += headings(node.get("props", {}).get("children"))
    return out


def all_ids(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, list):
        for child in node:
            found |= all_ids(child)
    elif isinstance(node, dict):
        props = node.get("props", {})
        if isinstance(props.get("id"), str):
            found.add(props["id"])
        found |= all_ids(props.get("children"))
    return found


@pytest.mark.parametrize("path", ["/about", "/accessibility", "/coverage"])
def test_one_h1_and_no_skipped_heading_levels(client: Any, path: str) -> None:
    levels = headings(render_page(client, path))
    assert levels.count(1) == 1 and levels[0] == 1
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, (path, levels)


@pytest.mark.parametrize("path", ["/about", "/accessibility"])
def test_in_page_links_land_on_an_element(client: Any, path: str) -> None:
    content = render_page(client, path)
    targets = all_ids(content)
    fragments = [
        a["props"]["href"][1:]
        for a in nodes_of_type(content, "A")
        if str(a["props"].get("href", "")).startswith("#")
    ]
    assert fragments, "expected in-page links"
    assert [f for f in fragments if f not in targets] == []


def test_about_lists_the_five_symbols_in_order(client: Any) -> None:
    table = find_by_id(render_page(client, "/about"), ids.ABOUT_SYMBOLS)
    body = nodes_of_type(table, "Tbody")[0]
    rows = [[text_of(c) for c in r["props"]["children"]] for r in nodes_of_type(body, "Tr")]
    assert [r[0] for r in rows] == ["c", "k", "u", "x", "z"]
    assert "confidential" in rows[0][1].lower() or "suppressed" in rows[0][1].lower()
    assert all(r[1] and r[2] for r in rows)


def test_about_names_every_framework_group_with_its_indicator_count(client: Any) -> None:
    text = text_of(render_page(client, "/about"))
    for path in sorted(CATALOGUE.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text())
        n = len(doc["indicators"])
        assert f"{doc['title']}. " in text
        assert re.search(rf"{re.escape(doc['title'])}\. \w[\w ]*, {n} indicators?\.", text)


def test_about_says_synthetic_and_describes_the_methods_the_code_uses(client: Any) -> None:
    text = text_of(render_page(client, "/about"))
    for phrase in (
        "Every figure on this site is made up",
        "Wilson score interval",
        "exact Poisson interval",
        "t interval",
        "99.8%",
        "over-dispersion",
        "Cochran-Armitage",
        "9.55",
        "Counts of 1 to 5 are suppressed",
        "Open Government Licence v3.0",
        "MIT licence",
    ):
        assert phrase in text, phrase


def test_about_links_to_the_openapi_document_which_is_served(client: Any) -> None:
    content = render_page(client, "/about")
    hrefs = {a["props"]["href"] for a in nodes_of_type(content, "A")}
    assert "/api/v1/openapi.json" in hrefs
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"].startswith("3.")


def test_accessibility_statement_follows_the_pattern(client: Any) -> None:
    content = render_page(client, "/accessibility")
    assert text_of(find_by_id(content, ids.ACCESSIBILITY_HEADING)) == "Accessibility statement"
    text = text_of(content)
    for phrase in (
        "WCAG) version 2.2",
        "level AA",
        "axe-core",
        "keyboard",
        "320 pixels",
        "Known limitations",
        "cannot be explored point by point",
        "Reporting accessibility problems",
        "Enforcement procedure",
        "Equality and Human Rights Commission",
        "partially compliant",
    ):
        assert phrase in text, phrase
