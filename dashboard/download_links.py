"""Addresses of the dashboard's CSV downloads, for pages to link to.

The download routes (:mod:`dashboard.downloads`) are a contract between pages written by several
people; building every href here means no page hand-writes a query string, so a renamed or
re-ordered parameter changes in one place. The helpers only format: the routes validate.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

DOWNLOAD_PREFIX = "/download"


def _href(name: str, pairs: list[tuple[str, str]]) -> str:
    query = urlencode(pairs)
    return f"{DOWNLOAD_PREFIX}/{name}.csv" + (f"?{query}" if query else "")


def _many(name: str, values: Iterable[object]) -> list[tuple[str, str]]:
    return [(name, str(v)) for v in dict.fromkeys(values)]


def values_href(
    indicator: str,
    areas: Iterable[str] = (),
    years: Iterable[int] = (),
    breakdown: str | None = None,
    levels: Iterable[str] = (),
) -> str:
    """``/download/values.csv``: rows of one indicator, filtered."""
    pairs = [("indicator", indicator), *_many("area", areas), *_many("year", years)]
    if breakdown is not None:
        pairs.append(("breakdown", breakdown))
    pairs += _many("level", levels)
    return _href("values", pairs)


def coverage_href(indicator: str, areas: Iterable[str] = (), years: Iterable[int] = ()) -> str:
    """``/download/coverage.csv``: coverage measures and hidden-need signals of one indicator."""
    return _href(
        "coverage", [("indicator", indicator), *_many("area", areas), *_many("year", years)]
    )


def profile_href(area: str, year: int | None = None) -> str:
    """``/download/profile.csv``: every indicator for one LA with its comparators."""
    pairs = [("area", area)]
    if year is not None:
        pairs.append(("year", str(year)))
    return _href("profile", pairs)


def compare_href(
    indicators: Iterable[str], areas: Iterable[str] = (), years: Iterable[int] = ()
) -> str:
    """``/download/compare.csv``: many indicators for many areas and years."""
    pairs = [*_many("indicator", indicators), *_many("area", areas), *_many("year", years)]
    return _href("compare", pairs)
