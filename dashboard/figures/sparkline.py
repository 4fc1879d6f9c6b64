"""Tiny static pictures for the overview cards: England's trend and the spread across LAs.

Ninety-odd Plotly graphs on one page would cost megabytes of JSON and seconds of drawing for
pictures nobody interacts with, so these are small SVG documents written here, on the server,
and shown as ``<img>`` elements with a data URI (Dash has no SVG elements; a data URI needs no
extra request and the page's CSP allows ``data:`` images). The ``alt`` text of the image is the
accessible name; the SVG's own ``<title>`` is a tooltip for sighted mouse users.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import TypeGuard
from urllib.parse import quote

from dashboard.figures.theme import COLOURS, SECONDARY_TEXT

LINE = COLOURS["england"]
BAR = "#b1b4b6"  # the middle 80% of LAs (mid grey)
MEDIAN = SECONDARY_TEXT


def _finite(value: float | None) -> TypeGuard[float]:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _fmt(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _svg(width: int, height: int, title: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def sparkline_points(
    values: Sequence[float | None], *, width: int, height: int, pad: float = 3.0
) -> list[list[tuple[float, float]]]:
    """Pixel coordinates of ``values`` (equally spaced years), one list per unbroken run:
    a missing value breaks the line rather than being drawn as zero."""
    present = [float(v) for v in values if _finite(v)]
    if not present:
        return []
    low, high = min(present), max(present)
    span = high - low
    step = (width - 2 * pad) / (len(values) - 1) if len(values) > 1 else 0.0
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for i, v in enumerate(values):
        if not _finite(v):
            if current:
                runs.append(current)
            current = []
            continue
        x = pad + i * step if len(values) > 1 else width / 2
        # A flat series sits mid-height; otherwise the highest value touches the top padding.
        fraction = 0.5 if span == 0 else (float(v) - low) / span
        y = height - pad - fraction * (height - 2 * pad)
        current.append((round(x, 1), round(y, 1)))
    if current:
        runs.append(current)
    return runs


def sparkline_svg(
    values: Sequence[float | None], *, title: str, width: int = 120, height: int = 36
) -> str:
    """A line through ``values`` (oldest first) with the latest point marked."""
    runs = sparkline_points(values, width=width, height=height)
    body = []
    for run in runs:
        if len(run) > 1:
            points = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in run)
            body.append(
                f'<polyline points="{points}" fill="none" stroke="{LINE}" stroke-width="2" '
                'stroke-linejoin="round" stroke-linecap="round"/>'
            )
    if runs:
        x, y = runs[-1][-1]
        body.append(f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="3" fill="{LINE}"/>')
    return _svg(width, height, title, "".join(body))


def strip_position(value: float, low: float, high: float, *, width: int, pad: float) -> float:
    """Where ``value`` sits on a strip drawn from ``low`` to ``high``."""
    if high == low:
        return width / 2
    return round(pad + (value - low) / (high - low) * (width - 2 * pad), 1)


def spread_strip_svg(
    p10: float,
    median: float,
    p90: float,
    england: float | None,
    *,
    title: str,
    width: int = 120,
    height: int = 20,
) -> str:
    """A bar over the middle 80% of LAs (10th to 90th percentile), a tick at their median and a
    diamond at England's value, on a scale just wide enough for all of them."""
    pad = 6.0
    marks = [p10, median, p90, *([england] if _finite(england) else [])]
    low, high = min(marks), max(marks)
    mid = height / 2

    def pos(v: float) -> str:
        return _fmt(strip_position(v, low, high, width=width, pad=pad))

    body = [
        f'<rect x="{pos(p10)}" y="{_fmt(mid - 4)}" '
        f'width="{_fmt(max(float(pos(p90)) - float(pos(p10)), 1.0))}" height="8" fill="{BAR}"/>',
        f'<line x1="{pos(median)}" x2="{pos(median)}" y1="{_fmt(mid - 7)}" y2="{_fmt(mid + 7)}" '
        f'stroke="{MEDIAN}" stroke-width="2"/>',
    ]
    if _finite(england):
        x = float(pos(england))
        diamond = " ".join(
            f"{_fmt(px)},{_fmt(py)}"
            for px, py in ((x, mid - 6), (x + 5, mid), (x, mid + 6), (x - 5, mid))
        )
        body.append(f'<polygon points="{diamond}" fill="{LINE}"/>')
    return _svg(width, height, title, "".join(body))


def data_uri(svg: str) -> str:
    """``svg`` as an ``<img src>`` value: percent-encoded text, a third smaller than base64
    (attribute quotes become apostrophes, which need no escaping; the text is already escaped)."""
    return "data:image/svg+xml," + quote(svg.replace('"', "'"), safe=" /:=,.-'()")
