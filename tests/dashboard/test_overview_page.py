"""The overview page through Flask's test client: cards, search in the URL, hostile input, and
compressed responses."""

from __future__ import annotations

import gzip
import re
from typing import Any
from urllib.parse import parse_qs

import pytest

from dashboard import ids
from dashboard.overview_search import (
    MAX_QUERY_CHARS,
    result_count_text,
    search_href,
    validate_query,
)
from metrics.catalogue import load_catalogue
from tests.dashboard.helpers import find_by_id, nodes_of_type, post_callback, render_page, text_of

SEARCH_OUTPUT = [(ids.OVERVIEW_LOCATION, "search")]


@pytest.fixture(scope="module")
def app(small_app: Any) -> Any:
    return small_app


@pytest.fixture(scope="module")
def client(app: Any) -> Any:
    return app.server.test_client()


def card_ids(content: Any) -> list[str]:
    prefix = f"{ids.OVERVIEW_CARD}-"
    return [
        str(li["props"]["id"]).removeprefix(prefix)
        for li in nodes_of_type(content, "Li")
        if str(li["props"].get("id", "")).startswith(prefix)
    ]


def test_every_indicator_has_a_card_linking_to_its_page(client: Any) -> None:
    content = render_page(client, "/")
    catalogue = load_catalogue()
    assert card_ids(content) == list(catalogue.ids)
    links = {
        link["props"]["href"]
        for link in nodes_of_type(find_by_id(content, ids.OVERVIEW_CARDS), "Link")
    }
    assert links == {f"/indicator/{i}" for i in catalogue.ids}
    count = find_by_id(content, ids.OVERVIEW_RESULT_COUNT)
    assert count is not None
    # Announced through the shell's persistent live region (assets/nav.js reads the marker).
    assert count["props"]["data-announce"] == "polite"
    assert text_of(count) == f"Showing all {len(catalogue)} indicators."
    headings = [text_of(h) for h in nodes_of_type(content, "H2")]
    assert headings == ["Outcomes", "Enablers", "Data quality"]
    assert "Numbers hide needs" in text_of(find_by_id(content, ids.OVERVIEW_HOW_TO_READ))


def expected_matches(words: list[str]) -> list[str]:
    """Indicators whose title, definition or annotations contain every word (a plain-Python
    path over the catalogue, independent of the page's search index)."""
    out = []
    for ind in load_catalogue():
        a = ind.annotations
        text = " ".join(
            [
                ind.title, ind.short_title, ind.id.replace("_", " "), ind.domain, ind.definition,
                a.purpose, a.voice, a.coverage.text, a.hidden_needs.text, a.caveats, a.risks,
            ]
        ).lower()  # fmt: skip
        padded = " " + "".join(ch if ch.isalnum() else " " for ch in text)
        if all(f" {w}" in padded for w in words):
            out.append(ind.id)
    return out


@pytest.mark.parametrize("query", ["absence", "protection plan", "Neglect", "sdq"])
def test_search_in_the_url_filters_cards(client: Any, query: str) -> None:
    content = render_page(client, "/", f"?q={query.replace(' ', '+')}")
    expected = expected_matches(query.lower().split())
    assert expected, f"no indicator mentions {query!r}: pick another example"
    assert card_ids(content) == expected
    total = len(load_catalogue())
    assert text_of(find_by_id(content, ids.OVERVIEW_RESULT_COUNT)) == result_count_text(
        len(expected), total, query
    )
    assert find_by_id(content, ids.OVERVIEW_SEARCH)["props"]["value"] == query  # type: ignore[index]


def test_search_with_no_match_says_so(client: Any) -> None:
    content = render_page(client, "/", "?q=zebra+xylophone")
    assert card_ids(content) == []
    assert text_of(find_by_id(content, ids.OVERVIEW_RESULT_COUNT)).startswith("No indicators")


@pytest.mark.parametrize(
    "search",
    [
        "?q=" + "a" * (MAX_QUERY_CHARS + 1),  # too long
        "?q=cin&q=cla",  # given twice
    ],
)
def test_bad_search_gets_a_message_and_all_cards(client: Any, search: str) -> None:
    content = render_page(client, "/", search)
    error = find_by_id(content, ids.OVERVIEW_SEARCH_ERROR)
    assert error is not None and text_of(error).startswith("Error: ")
    assert len(card_ids(content)) == len(load_catalogue())


def test_unknown_parameters_are_ignored(client: Any) -> None:
    content = render_page(client, "/", "?area=E09000007&x=<script>")
    assert len(card_ids(content)) == len(load_catalogue())
    assert find_by_id(content, ids.OVERVIEW_SEARCH_ERROR) is None


def test_search_callback_writes_the_query_string(client: Any) -> None:
    response = post_callback(
        client,
        SEARCH_OUTPUT,
        [
            (ids.OVERVIEW_SEARCH, "value", " child  protection "),
            (ids.OVERVIEW_SEARCH_BUTTON, "n_clicks", 0),
        ],
        [(ids.OVERVIEW_LOCATION, "search", "")],
    )
    assert response.status_code == 200
    search = response.get_json()["response"][ids.OVERVIEW_LOCATION]["search"]
    assert parse_qs(search.removeprefix("?")) == {"q": ["child protection"]}


@pytest.mark.parametrize(
    ("value", "current"),
    [
        (None, ""),
        (12345, ""),
        (["a", "b"], ""),
        ({"q": "x"}, ""),
        ("same", "?q=same"),  # nothing changed: no navigation
    ],
)
def test_hostile_or_idle_search_payloads_change_nothing(
    client: Any, value: Any, current: str
) -> None:
    response = post_callback(
        client,
        SEARCH_OUTPUT,
        [(ids.OVERVIEW_SEARCH, "value", value), (ids.OVERVIEW_SEARCH_BUTTON, "n_clicks", 1)],
        [(ids.OVERVIEW_LOCATION, "search", current)],
    )
    assert response.status_code == 204


def test_huge_search_text_is_cut_so_the_page_can_refuse_it(client: Any) -> None:
    response = post_callback(
        client,
        SEARCH_OUTPUT,
        [
            (ids.OVERVIEW_SEARCH, "value", "x" * 1_000_000),
            (ids.OVERVIEW_SEARCH_BUTTON, "n_clicks", 1),
        ],
        [(ids.OVERVIEW_LOCATION, "search", "")],
    )
    assert response.status_code == 200
    search = response.get_json()["response"][ids.OVERVIEW_LOCATION]["search"]
    assert parse_qs(search.removeprefix("?"))["q"] == ["x" * (MAX_QUERY_CHARS + 1)]


def test_pure_helpers() -> None:
    assert search_href("") == ""
    assert search_href("a&b=c") == "?q=a%26b%3Dc"
    assert validate_query(None) == ("", "")
    assert validate_query("  two   words ") == ("two words", "")
    assert validate_query(["a", "b"])[1]
    assert result_count_text(1, 98, "sdq") == "1 of 98 indicator matches \u201csdq\u201d."


def test_responses_are_gzip_compressed(client: Any) -> None:
    page = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200
    assert page.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(page.get_data()).decode("utf-8")
    assert "SYNTHETIC" in html
    # The biggest transfer is Dash's own JavaScript: its address is in the page.
    match = re.search(r'src="(/_dash-component-suites/[^"]*dash_renderer[^"]*)"', html)
    assert match is not None
    script = client.get(match.group(1), headers={"Accept-Encoding": "gzip"})
    assert script.headers["Content-Encoding"] == "gzip"
    assert b"React" in gzip.decompress(script.get_data())
    plain = client.get("/", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert len(page.get_data()) < len(plain.get_data())
