"""The web process's only window onto the database.

It reads small, already-aggregated tables once, when the app is created, and then lets the engine
go: callbacks never query record-level tables, and an embedded DuckDB file is not left locked
while a build or an import wants to write to it.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import create_engine, inspect, select
from sqlalchemy.engine import make_url

from data.engine import make_engine
from data.schema import ref_la
from metrics.api import Tidy, TidyNotBuiltError

LA_COLUMNS = ("la_name", "ons_code", "dfe_la_code", "region_name", "population_0_17")


class DatabaseNotReadyError(RuntimeError):
    """The database exists but lacks a table the dashboard needs."""


def read_local_authorities(database_url: str) -> pd.DataFrame:
    """LAs from ``ref_la`` (columns ``LA_COLUMNS``), ordered by name."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table(ref_la.name):
                shown = make_url(database_url).render_as_string(hide_password=True)
                raise DatabaseNotReadyError(
                    f"{shown}: table {ref_la.name} is missing; "
                    f"build the database first: python -m data build --database-url {shown}"
                )
            query = select(*(ref_la.c[name] for name in LA_COLUMNS)).order_by(ref_la.c.la_name)
            rows = conn.execute(query).all()
    finally:
        engine.dispose()
    frame = pd.DataFrame(rows, columns=list(LA_COLUMNS))
    frame["population_0_17"] = frame["population_0_17"].astype("int64")
    return frame


def read_tidy(database_url: str) -> Tidy:
    """The catalogue and tidy tables, read once; the engine is disposed straight after."""
    engine = make_engine(database_url)
    try:
        return Tidy.load(engine)
    except TidyNotBuiltError as error:
        shown = make_url(database_url).render_as_string(hide_password=True)
        raise DatabaseNotReadyError(
            f"{shown}: {error} (or rebuild: python -m data build --database-url {shown})"
        ) from error
    finally:
        engine.dispose()


NEIGHBOUR_COLUMNS = ("ons_code", "rank", "neighbour_ons_code", "closeness")
NEIGHBOUR_MODEL = 2025  # the model the tidy tables' neighbour median and mean use


def read_statistical_neighbours(database_url: str) -> pd.DataFrame:
    """Each LA's ten statistical neighbours (``NEIGHBOUR_COLUMNS``) in the 2025 model, by rank;
    empty when the database has no neighbour table, so the rest of the dashboard still serves."""
    from data.schema import ref_statistical_neighbours as sn

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table(sn.name):
                return pd.DataFrame({name: pd.Series(dtype=object) for name in NEIGHBOUR_COLUMNS})
            query = (
                select(*(sn.c[name] for name in NEIGHBOUR_COLUMNS))
                .where(sn.c.model == NEIGHBOUR_MODEL)
                .order_by(sn.c.ons_code, sn.c.rank)
            )
            rows = conn.execute(query).all()
    finally:
        engine.dispose()
    frame = pd.DataFrame(rows, columns=list(NEIGHBOUR_COLUMNS))
    frame["rank"] = frame["rank"].astype("int64")
    return frame
