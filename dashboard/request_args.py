"""Query-string checking shared by the open API and the CSV downloads.

Both take their arguments from URLs anyone can type, so they read them the same way: first the
shape of the query (only known names, no value given twice unless the name is a list, short
values matching a pattern), which is a client's mistake and answers 400; then each value against
the catalogue, the areas and the years present, which names something that does not exist and
answers 404. Keeping both steps here means the API, the downloads and the OpenAPI document (which
publishes the same patterns and limits) cannot disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from metrics.api import (
    Tidy,
    UnknownAreaError,
    UnknownBreakdownError,
    UnknownIndicatorError,
    UnknownYearError,
)

MAX_VALUE_LENGTH = 64
MAX_REPEATS = 200  # more than the 153 LAs, 9 regions and England together
INDICATOR_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
AREA_PATTERN = r"^[A-Za-z0-9]{1,12}$"  # ONS code, DfE three-digit code, or 'England'
YEAR_PATTERN = r"^[0-9]{4}$"
BREAKDOWN_PATTERN = r"^[a-z][a-z_]{0,31}$"
FORMAT_PATTERN = r"^(json|csv)$"
LEVELS = (
    "national",
    "regional",
    "local_authority",
    "statistical_neighbours_median",
    "statistical_neighbours_mean",
)
LEVEL_PATTERN = "^(" + "|".join(LEVELS) + ")$"
_SHOWN = 40  # characters of a bad value echoed back in an error message

NOT_FOUND_ERRORS = (
    UnknownIndicatorError,
    UnknownAreaError,
    UnknownYearError,
    UnknownBreakdownError,
)


class BadParameterError(ValueError):
    """A malformed query: answered with 400."""


class NotFoundError(LookupError):
    """A well-formed value naming nothing that exists: answered with 404."""


@dataclass(frozen=True)
class Param:
    """One query parameter a route accepts."""

    name: str
    pattern: str
    repeatable: bool = False
    required: bool = False


def shown(value: str) -> str:
    """A bad value quoted for an error message, cut short and on one line."""
    text = value if len(value) <= _SHOWN else value[:_SHOWN] + "..."
    return repr(text.replace("\n", " ").replace("\r", " "))


def read_query(args: MultiDict[str, str], params: Sequence[Param]) -> dict[str, list[str]]:
    """The values of each known parameter (duplicates dropped, order kept), or
    :class:`BadParameterError` naming the first problem."""
    known = {p.name: p for p in params}
    for name in args:
        if name not in known:
            allowed = ", ".join(known) or "none"
            raise BadParameterError(f"unknown parameter {shown(name)} (allowed: {allowed})")
    out: dict[str, list[str]] = {}
    for param in params:
        values = args.getlist(param.name)
        if not values:
            if param.required:
                raise BadParameterError(f"parameter '{param.name}' is required")
            continue
        if len(values) > 1 and not param.repeatable:
            raise BadParameterError(
                f"parameter '{param.name}' is given {len(values)} times; give it once"
            )
        if len(values) > MAX_REPEATS:
            raise BadParameterError(
                f"parameter '{param.name}' is given {len(values)} times (at most {MAX_REPEATS})"
            )
        for value in values:
            if len(value) > MAX_VALUE_LENGTH:
                raise BadParameterError(
                    f"parameter '{param.name}' is longer than {MAX_VALUE_LENGTH} characters"
                )
            if not re.fullmatch(param.pattern, value):
                raise BadParameterError(
                    f"malformed {param.name} {shown(value)} (expected {param.pattern})"
                )
        out[param.name] = list(dict.fromkeys(values))
    return out


def checked_path_id(text: str) -> str:
    """An indicator id taken from a URL path, checked for shape only."""
    if len(text) > MAX_VALUE_LENGTH:
        raise BadParameterError(f"indicator id is longer than {MAX_VALUE_LENGTH} characters")
    if not re.fullmatch(INDICATOR_PATTERN, text):
        raise BadParameterError(f"malformed indicator id {shown(text)}")
    return text


# ---------------------------------------------------------------- values against the data
def indicator_id(tidy: Tidy, text: str) -> str:
    if text not in tidy.catalogue:
        raise NotFoundError(f"unknown indicator {shown(text)}")
    return text


def area_codes(tidy: Tidy, texts: Iterable[str]) -> list[str]:
    """Canonical (ONS) codes for areas given by any accepted code, duplicates dropped."""
    codes = []
    for text in texts:
        try:
            codes.append(tidy.area_code(text))
        except UnknownAreaError:
            raise NotFoundError(f"unknown area {shown(text)}") from None
    return list(dict.fromkeys(codes))


def years(tidy: Tidy, indicator_ids: Sequence[str], texts: Sequence[str]) -> list[int]:
    """Years that at least one of the indicators has values for."""
    known: set[int] = set()
    for ind in indicator_ids:
        known.update(tidy.years(ind))
    chosen = [int(t) for t in texts]
    for text, year in zip(texts, chosen, strict=True):
        if year not in known:
            what = f"indicator '{indicator_ids[0]}'" if len(indicator_ids) == 1 else "indicators"
            raise NotFoundError(f"no year {shown(str(text))} for {what}")
    return sorted(set(chosen))


def breakdown(tidy: Tidy, ind: str, text: str) -> str:
    if text not in tidy.breakdowns(ind):
        raise NotFoundError(f"indicator '{ind}' has no breakdown {shown(text)}")
    return text


def levels(texts: Iterable[str]) -> list[str]:
    """Geographic levels: the query pattern already limits them to :data:`LEVELS`."""
    return [t for t in LEVELS if t in set(texts)]


def filters_text(filters: Mapping[str, Sequence[object]]) -> str:
    """'indicator=cin_rate; area=E09000007, E06000001' from validated values."""
    parts = [f"{k}={', '.join(str(v) for v in vs)}" for k, vs in filters.items() if vs]
    return "; ".join(parts) or "none"
