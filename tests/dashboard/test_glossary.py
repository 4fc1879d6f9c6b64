"""The glossary: the terms the issue names are there, anchors are unique and stable, and the page
lists every term as a summary-list row other pages can link to."""

from __future__ import annotations

from typing import Any

import pytest

from dashboard import ids
from dashboard.formatting import SYMBOLS
from dashboard.glossary import TERMS, lookup, term, term_anchor, term_link
from tests.dashboard.helpers import find_by_id, nodes_of_type, render_page, text_of

REQUIRED = [
    "CIN", "CPP", "CLA", "UASC", "S47", "ICPC", "SGO", "CAO", "EET", "SDQ", "UPN", "LAIT",
    "Statistical neighbours", "Confidence interval", "Funnel plot", "Quartile", "Suppression",
]  # fmt: skip


@pytest.mark.parametrize("name", REQUIRED)
def test_required_terms_are_defined(name: str) -> None:
    entry = lookup(name)
    assert len(entry.definition) > 30


def test_anchors_are_unique_and_readable() -> None:
    anchors = [t.anchor for t in TERMS]
    assert len(anchors) == len(set(anchors))
    assert term_anchor("CIN") == "term-cin"
    assert term_anchor("Rate per 10,000") == "term-rate-per-10-000"
    assert lookup("cin").href == "/glossary#term-cin"


def test_every_symbol_is_explained_with_the_tables_wording() -> None:
    for symbol, meaning in SYMBOLS.items():
        assert lookup(symbol).definition.lower().startswith(meaning.lower())


def test_term_gives_an_abbr_with_its_expansion() -> None:
    abbr = term("UASC")
    assert abbr.children == "UASC"
    assert abbr.title == "unaccompanied asylum-seeking child"
    assert term("Funnel plot").title == lookup("Funnel plot").definition
    assert term_link("SGO").href == "/glossary#term-sgo"
    with pytest.raises(KeyError, match="no glossary term 'XYZ'"):
        term("XYZ")


@pytest.fixture(scope="module")
def client(small_app: Any) -> Any:
    return small_app.server.test_client()


def test_page_lists_every_term_under_its_anchor(client: Any) -> None:
    assert client.get("/glossary").status_code == 200
    content = render_page(client, "/glossary")
    assert text_of(find_by_id(content, ids.GLOSSARY_HEADING)) == "Glossary"
    for entry in TERMS:
        row = find_by_id(content, entry.anchor)
        assert row is not None, entry.name
        assert row["props"]["className"] == "govuk-summary-list__row"
        assert entry.definition in text_of(row)
    rows = sum(len(nodes_of_type(dl, "Div")) for dl in nodes_of_type(content, "Dl"))
    assert rows == len(TERMS)


def test_query_strings_do_not_change_the_glossary(client: Any) -> None:
    plain = render_page(client, "/glossary")
    assert render_page(client, "/glossary", "?q=<script>&x=1&x=2") == plain
