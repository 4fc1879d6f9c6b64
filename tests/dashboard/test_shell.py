"""The static shell around every page: skip link first, navigation to every section, the
synthetic-data banner, footer links, and the navigation script's hooks."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from dashboard import ids
from dashboard.shell import NAV_ITEMS, PHASE_TAG, index_string

ROOT = Path(__file__).resolve().parents[2]


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[dict[str, str | None]] = []
        self.in_nav = False
        self.nav_hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "nav":
            self.in_nav = True
        if tag == "a":
            self.anchors.append(found)
            if self.in_nav:
                self.nav_hrefs.append(found.get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self.in_nav = False


def parsed() -> Links:
    parser = Links()
    parser.feed(index_string())
    return parser


def test_skip_link_comes_first_and_targets_main() -> None:
    first = parsed().anchors[0]
    assert first["href"] == f"#{ids.MAIN}"
    assert first["class"] == "govuk-skip-link"
    assert f'<main class="govuk-main-wrapper" id="{ids.MAIN}"' in index_string()


def test_navigation_reaches_every_section() -> None:
    hrefs = parsed().nav_hrefs
    assert hrefs == [
        "/", "/la", "/compare", "/coverage", "/glossary", "/about", "/accessibility",
    ]  # fmt: skip
    html = index_string()
    assert f'id="{ids.NAV}" aria-label="Menu"' in html
    # The LA profile link gets the chosen LA in its path, Compare and Coverage in the query.
    assert 'href="/la" data-nav-sections="/la" data-nav-area="path"' in html
    assert 'data-nav-area="query" data-nav-base="/compare"' in html
    # Indicator pages count as the overview's section.
    assert NAV_ITEMS[0].sections == ("/", "/indicator")


def test_banner_and_footer_are_kept() -> None:
    html = index_string()
    assert PHASE_TAG in html and "synthetic" in html.lower()
    assert "Open Government Licence" in html
    footer = html[html.index(f'id="{ids.FOOTER}"') :]
    assert 'href="/accessibility"' in footer and 'href="/glossary"' in footer
    # The persistent live region pages announce through, outside the re-rendered content.
    assert f'<div id="{ids.ANNOUNCER}" class="govuk-visually-hidden" role="status" ' in html
    assert html.index(f'id="{ids.ANNOUNCER}"') > html.index("{%app_entry%}")
    for placeholder in ("{%app_entry%}", "{%config%}", "{%scripts%}", "{%renderer%}"):
        assert html.count(placeholder) == 1


def test_nav_script_reads_the_store_key_the_app_writes() -> None:
    script = (ROOT / "assets" / "nav.js").read_text(encoding="utf-8")
    assert re.search(rf'STORE_KEY = "{ids.CHOSEN_AREA}"', script)
    assert "aria-current" in script
    assert "<script" not in index_string().replace("{%scripts%}", "")  # no inline script (CSP)
