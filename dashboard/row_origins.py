"""The ``data_origin`` of each row leaving the app (downloads and the API), so a figure counted
from an LA's own returns is never read as synthetic, nor a synthetic one as real."""

from __future__ import annotations

import pandas as pd

from dashboard.context import current_data
from dashboard.origins import download_lines, imported_years, origin_column, source_returns
from metrics.api import Tidy

ORIGIN_COLUMN = "data_origin"  # synthetic | imported | includes imported (dashboard.origins)


def with_origin(tidy: Tidy, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[list[str]]]:
    """``frame`` with its ``data_origin`` column, and the header rows naming the imported
    LA-years among its rows. Each row's indicator says which returns it is counted from."""
    items = imported_years(tidy)
    sources = {ind.id: source_returns(ind.source.return_) for ind in tidy.catalogue}
    returns = [sources.get(str(i), ()) for i in frame["indicator_id"]] if items else []
    neighbours = neighbour_lists() if items else None
    out = frame.assign(**{ORIGIN_COLUMN: origin_column(frame, tidy, items, returns, neighbours)})
    return out, download_lines(out, items)


def neighbour_lists() -> dict[str, list[str]]:
    """Each LA's statistical neighbours (the rows a neighbour median or mean adds up)."""
    frame = current_data().statistical_neighbours
    return {
        str(code): [str(n) for n in part["neighbour_ons_code"]]
        for code, part in frame.groupby("ons_code", sort=False)
    }
