"""The overview's search: which cards a query finds, and how a query travels in the URL.

Matching is on whole words or their beginnings, every word required, so "protect plan" finds
"child protection plans" but "ten" does not find "attention"; the text searched is each card's
title, definition and annotations (built once per card in ``overview_cards``). Kept apart from
the page module so it can be tested without an app.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

from dash.exceptions import PreventUpdate

from dashboard.overview_cards import Card

MAX_QUERY_CHARS = 100
MAX_QUERY_WORDS = 12
_WORD = re.compile(r"[a-z0-9]+")


def query_words(query: str) -> list[str]:
    """The words of a search, lower case, at most ``MAX_QUERY_WORDS``."""
    return _WORD.findall(query.lower())[:MAX_QUERY_WORDS]


def matches(card: Card, words: list[str]) -> bool:
    """Whether every word appears in the card's text as a word or the start of one."""
    haystack = f" {card.search_text}"
    return all(f" {w}" in haystack for w in words)


def filter_cards(cards: tuple[Card, ...], query: str) -> list[Card]:
    words = query_words(query)
    return [c for c in cards if matches(c, words)] if words else list(cards)


def validate_query(q: object) -> tuple[str, str]:
    """``(search text, error message)`` from the ``q`` URL parameter: text longer than
    ``MAX_QUERY_CHARS`` or given twice is refused with a message, never an exception."""
    if q is None:
        return "", ""
    if not isinstance(q, str):
        return "", "Enter one search at a time."
    text = " ".join(q.split())
    if len(text) > MAX_QUERY_CHARS:
        return "", f"Search must be {MAX_QUERY_CHARS} characters or fewer."
    return text, ""


def search_href(text: object) -> str:
    """The URL query string for a search box value ('' for an empty search); anything but text
    is a hostile payload and changes nothing."""
    if not isinstance(text, str):
        raise PreventUpdate
    cleaned = " ".join(text.split())
    # Longer text still goes into the URL (cut short), so the page can say why it was refused.
    cleaned = cleaned[: MAX_QUERY_CHARS + 1]
    return f"?{urlencode({'q': cleaned})}" if cleaned else ""


def result_count_text(shown: int, total: int, query: str) -> str:
    """What the live region announces after a search."""
    if not query:
        return f"Showing all {total} indicators."
    if shown == 0:
        return f"No indicators match \u201c{query}\u201d. Try fewer or shorter words."
    noun = "indicator matches" if shown == 1 else "indicators match"
    return f"{shown} of {total} {noun} \u201c{query}\u201d."
