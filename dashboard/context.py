"""Per-app data that page layouts need, kept on the Flask app rather than in module globals.

Dash's page registry is process-wide, but each ``create_app`` call may point at a different
database (tests build several apps in one process), so layouts look their data up on the app
that is serving the current request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import flask
import pandas as pd

from metrics.api import Tidy

_EXTENSION_KEY = "csc_dashboard"


@dataclass(frozen=True)
class DashboardData:
    """Everything the pages show, read once at app creation."""

    local_authorities: pd.DataFrame
    tidy: Tidy  # the catalogue and both tidy tables: everything the pages and the API show
    # Each LA's ten statistical neighbours (ons_code, rank, neighbour_ons_code, closeness).
    statistical_neighbours: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["ons_code", "rank", "neighbour_ons_code", "closeness"]
        )
    )
    # Memos derived from these data (built lazily by pages and the API). They live here, not on
    # the app, so data reloaded after an upload starts with none and never serves stale views.
    caches: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def attach(server: flask.Flask, data: DashboardData) -> None:
    """Serve ``data`` from now on (at creation, and again when an upload has changed the
    database): one assignment, so a request sees the old data or the new, never a mix."""
    server.extensions[_EXTENSION_KEY] = data


def current_data() -> DashboardData:
    """The data of the app handling the current request."""
    data = flask.current_app.extensions.get(_EXTENSION_KEY)
    if not isinstance(data, DashboardData):
        raise RuntimeError("dashboard data not attached: build the app with app.create_app()")
    return data
