"""What an indicator page's address asks for, checked against the catalogue, the areas and the
years the indicator has, and the address of any view.

Query values come from users and links, so each is validated on its own: a bad one gets a
plain message naming it and a sensible default, never an error page, and the rest of the view
is still shown. The address built here is the only way the page's controls change the view, so
opening a copied address reproduces what was on screen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from metrics.api import ENGLAND_CODE, Tidy, UnknownAreaError
from metrics.catalogue import UnknownIndicatorError

MAX_COMPARE = 5
MAX_SHOWN = 40  # characters of a bad value repeated back in a message
QUERY_KEYS = ("area", "year", "breakdown", "compare")


@dataclass(frozen=True)
class IndicatorView:
    indicator_id: str
    area: str  # ONS code of the chosen area (an LA, a region or England)
    area_given: bool  # the address named a valid area (otherwise England by default)
    year: int | None  # None when the indicator has no values at all
    breakdown: str | None  # the breakdown charted, None when the indicator has none
    compare: tuple[str, ...]  # extra LAs to compare, ONS codes
    messages: tuple[str, ...]  # one sentence per query value that could not be used


def shown(value: object) -> str:
    """A user's value, shortened, for repeating back in a message."""
    text = str(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def _single(name: str, value: object, messages: list[str]) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        messages.append(f"The address gives '{name}' more than once, so it was ignored.")
        return None
    text = str(value).strip()
    return text or None


def known_indicator(tidy: Tidy, indicator_id: object) -> bool:
    if not isinstance(indicator_id, str):
        return False
    try:
        tidy.indicator(indicator_id)
    except UnknownIndicatorError:
        return False
    return True


def _area(tidy: Tidy, text: str | None, messages: list[str]) -> tuple[str, bool]:
    if text is None:
        return ENGLAND_CODE, False
    try:
        return tidy.area_code(text), True
    except UnknownAreaError:
        messages.append(f"There is no area '{shown(text)}'. Showing England instead.")
        return ENGLAND_CODE, False


def year_number(text: str | None) -> int | None:
    """A year written in ASCII digits (not full-width digits, '+2024' or '2024.0'), else None."""
    if text is None or not (text.isascii() and text.isdigit() and len(text) <= 4):
        return None
    return int(text)


def _year(tidy: Tidy, indicator_id: str, text: str | None, messages: list[str]) -> int | None:
    years = tidy.years(indicator_id)
    latest = years[-1] if years else None
    if text is None:
        return latest
    year = year_number(text)
    if year in years:
        return year
    if latest is None:
        messages.append(f"There are no figures for year '{shown(text)}'.")
    else:
        messages.append(
            f"There are no figures for year '{shown(text)}'. Showing {latest}, the latest year."
        )
    return latest


def _breakdown(breakdowns: Sequence[str], text: str | None, messages: list[str]) -> str | None:
    available = [b for b in breakdowns if b != "total"]
    default = available[0] if available else None
    if text is None or text in available:
        return default if text is None else text
    if default is None:
        messages.append(f"This indicator is not broken down by '{shown(text)}'.")
    else:
        messages.append(
            f"This indicator is not broken down by '{shown(text)}'. "
            f"Showing the breakdown by {default.replace('_', ' ')}."
        )
    return default


def _compare(tidy: Tidy, text: str | None, chosen: str, messages: list[str]) -> tuple[str, ...]:
    if text is None:
        return ()
    las = tidy.areas.loc[tidy.areas["level"] == "local_authority", "code"]
    known = set(las.astype(str))
    chosen_codes: list[str] = []
    unknown: list[str] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            code = tidy.area_code(part)
        except UnknownAreaError:
            code = None
        if code is None or code not in known:
            unknown.append(part)
        elif code != chosen and code not in chosen_codes:
            chosen_codes.append(code)
    if unknown:
        listed = ", ".join(f"'{shown(u)}'" for u in unknown[:3])
        more = f" and {len(unknown) - 3} more" if len(unknown) > 3 else ""
        messages.append(f"No local authority matches {listed}{more}, so it was left out.")
    if len(chosen_codes) > MAX_COMPARE:
        messages.append(
            f"Up to {MAX_COMPARE} local authorities can be compared; the first {MAX_COMPARE} "
            "are shown."
        )
    return tuple(chosen_codes[:MAX_COMPARE])


def parse_view(
    tidy: Tidy,
    indicator_id: str,
    query: Mapping[str, object],
    *,
    breakdowns: Sequence[str] | None = None,
) -> IndicatorView:
    """The view the address asks for; ``indicator_id`` must be known (the page checks first).
    ``breakdowns`` defaults to ``tidy.breakdowns(indicator_id)`` (pass it when already known)."""
    if breakdowns is None:
        breakdowns = tidy.breakdowns(indicator_id)
    messages: list[str] = []
    area, area_given = _area(tidy, _single("area", query.get("area"), messages), messages)
    year = _year(tidy, indicator_id, _single("year", query.get("year"), messages), messages)
    breakdown = _breakdown(
        breakdowns, _single("breakdown", query.get("breakdown"), messages), messages
    )
    compare = _compare(tidy, _single("compare", query.get("compare"), messages), area, messages)
    return IndicatorView(
        indicator_id=indicator_id,
        area=area,
        area_given=area_given,
        year=year,
        breakdown=breakdown,
        compare=compare,
        messages=tuple(messages),
    )


def view_path(
    indicator_id: str,
    *,
    area: str | None = None,
    year: int | None = None,
    breakdown: str | None = None,
    compare: Sequence[str] = (),
) -> str:
    """``/indicator/<id>?area=..&year=..&breakdown=..&compare=a,b`` (empty values left out)."""
    pairs: list[tuple[str, str]] = []
    if area:
        pairs.append(("area", area))
    if year is not None:
        pairs.append(("year", str(year)))
    if breakdown:
        pairs.append(("breakdown", breakdown))
    if compare:
        pairs.append(("compare", ",".join(compare)))
    query = urlencode(pairs, safe=",")
    return f"/indicator/{indicator_id}" + (f"?{query}" if query else "")
