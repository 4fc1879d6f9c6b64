"""The compare page's selection (areas x indicators x years), read from a URL query and checked.

The query comes from anyone's address bar, so every value is checked for shape first (the same
patterns the API publishes) and then against the catalogue, the areas and the years present.
The selection is capped so one request cannot ask for a table of every LA by every indicator:
the cap is a message to the user, not an error page, because they can remove items.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from dashboard.request_args import (
    AREA_PATTERN,
    INDICATOR_PATTERN,
    MAX_REPEATS,
    MAX_VALUE_LENGTH,
    YEAR_PATTERN,
    shown,
)
from metrics.api import Tidy, UnknownAreaError

MAX_AREAS = 20
MAX_INDICATORS = 10
MAX_YEARS = 10


@dataclass(frozen=True)
class Selection:
    areas: tuple[str, ...] = ()  # ONS codes, in the order chosen
    indicators: tuple[str, ...] = ()
    years: tuple[int, ...] = ()  # ascending; empty means "each indicator's latest"
    unknown: tuple[str, ...] = ()  # what the URL named that does not exist, for the message
    too_many: tuple[str, ...] = field(default=())  # messages about the caps

    @property
    def valid(self) -> bool:
        return not self.unknown

    @property
    def within_limits(self) -> bool:
        return not self.too_many

    def query(self) -> str:
        """The query string (without '?') that reproduces this selection."""
        pairs = [("area", a) for a in self.areas]
        pairs += [("indicator", i) for i in self.indicators]
        pairs += [("year", str(y)) for y in self.years]
        return urlencode(pairs)


def _texts(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def _shaped(name: str, texts: list[str], pattern: str, unknown: list[str]) -> list[str]:
    good = []
    for text in texts[:MAX_REPEATS]:
        if len(text) <= MAX_VALUE_LENGTH and re.fullmatch(pattern, text):
            good.append(text)
        else:
            unknown.append(f"{name} {shown(text)}")
    if len(texts) > MAX_REPEATS:
        unknown.append(f"{name} given {len(texts)} times (at most {MAX_REPEATS})")
    return good


def parse_selection(query: Mapping[str, object], tidy: Tidy) -> Selection:
    """The checked selection named by ``query`` (Dash's parsed query: str or list per name)."""
    unknown: list[str] = []
    area_texts = _shaped("area", _texts(query.get("area")), AREA_PATTERN, unknown)
    ind_texts = _shaped("indicator", _texts(query.get("indicator")), INDICATOR_PATTERN, unknown)
    year_texts = _shaped("year", _texts(query.get("year")), YEAR_PATTERN, unknown)
    areas: list[str] = []
    for text in area_texts:
        try:
            areas.append(tidy.area_code(text))
        except UnknownAreaError:
            unknown.append(f"area {shown(text)}")
    indicators = []
    for text in ind_texts:
        if text in tidy.catalogue:
            indicators.append(text)
        else:
            unknown.append(f"indicator {shown(text)}")
    known_years: set[int] = set()
    for ind in indicators:
        known_years.update(tidy.years(ind))
    years = []
    for text in year_texts:
        if int(text) in known_years or not indicators:
            years.append(int(text))
        else:
            unknown.append(f"year {shown(text)}")
    areas = list(dict.fromkeys(areas))
    indicators = list(dict.fromkeys(indicators))
    years = sorted(set(years))
    too_many = []
    for what, chosen, cap in (
        ("areas", areas, MAX_AREAS),
        ("indicators", indicators, MAX_INDICATORS),
        ("years", years, MAX_YEARS),
    ):
        if len(chosen) > cap:
            too_many.append(
                f"You chose {len(chosen)} {what}; a comparison shows at most {cap}. "
                f"Remove {len(chosen) - cap} to see the table and chart."
            )
    return Selection(tuple(areas), tuple(indicators), tuple(years), tuple(unknown), tuple(too_many))


def add_areas(current: Sequence[str], new: Sequence[str]) -> list[str]:
    """``current`` followed by the codes of ``new`` not already in it."""
    return list(dict.fromkeys([*current, *new]))
