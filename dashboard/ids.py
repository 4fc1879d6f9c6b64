"""Component ids in one place, so layouts, callbacks and browser tests cannot drift apart."""

from __future__ import annotations

SKIP_LINK = "skip-link"
HEADER = "site-header"
PHASE_BANNER = "phase-banner"
MAIN = "main-content"
FOOTER = "site-footer"
CHOSEN_AREA = "chosen-area"  # dcc.Store (localStorage): the area the user last chose

HOME_HEADING = "home-heading"
HOME_LA_TABLE = "home-la-table"
HOME_LA_COUNT = "home-la-count"

NOT_FOUND_HEADING = "not-found-heading"
