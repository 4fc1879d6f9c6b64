"""What a full metrics build keeps for the next import: the LA-level counts every published
figure is computed from, before any statistics or disclosure control.

An import changes one LA's records, so it changes that LA's counts and nothing else; regions,
England, comparisons, ranks, disclosure and neighbour summaries depend on every LA, but only
through these counts. With them kept, a rebuild after an import queries the one LA and reads
the other 152 back instead of recomputing them from their records (metrics/partial.py). They
are internal tables (prefix ``metrics_``): they hold unsuppressed counts, so nothing outside
``metrics`` may read them, and the API and downloads serve only the tidy tables.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from metrics.catalogue import Indicator

LA_COUNTS = "metrics_la_counts"
AREA_VALUES = "metrics_area_values"
LA_COVERAGE = "metrics_la_coverage"
BUILD_STATE = "metrics_build_state"
STORED = (LA_COUNTS, AREA_VALUES, LA_COVERAGE, BUILD_STATE)
# Raised whenever what is kept changes (the fingerprint also covers the code that makes the
# published rows from it): a database kept by another version then gets a full build instead.
FORMAT = "2"


def la_counts_table(name: str = LA_COUNTS) -> sa.Table:
    """The output of ``metrics.build.gather`` for every indicator: one row per indicator,
    breakdown, year, LA and breakdown value; with the row's trend before disclosure control
    (suppression blanks it in ``indicator_values``, but it is a fact of the LA's series that a
    rebuild must publish again if the cell is no longer suppressed)."""
    return sa.Table(
        name,
        sa.MetaData(),
        sa.Column("indicator_id", sa.String, nullable=False),
        sa.Column("breakdown", sa.String, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("la_code", sa.String, nullable=False),
        sa.Column("breakdown_value", sa.String, nullable=False),
        sa.Column("numerator", sa.Double),
        sa.Column("denominator", sa.Double),
        sa.Column("sum", sa.Double),
        sa.Column("sumsq", sa.Double),
        sa.Column("trend", sa.String, nullable=False),
    )


def area_values_table(name: str = AREA_VALUES) -> sa.Table:
    """Regions' and England's rows before disclosure control: their counts, values, intervals
    and trends. An import changes them only in the years it changes; the trend of the years
    after those reads the years before, which are kept here rather than summed again from
    every LA."""
    return sa.Table(
        name,
        sa.MetaData(),
        sa.Column("indicator_id", sa.String, nullable=False),
        sa.Column("breakdown", sa.String, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("geographic_level", sa.String, nullable=False),
        sa.Column("area_code", sa.String, nullable=False),
        sa.Column("breakdown_value", sa.String, nullable=False),
        *(
            sa.Column(c, sa.Double)
            for c in ("numerator", "denominator", "sum", "sumsq", "value", "lower_95", "upper_95")
        ),
        sa.Column("trend", sa.String, nullable=False),
    )


def la_coverage_table(name: str = LA_COVERAGE) -> sa.Table:
    """Each coverage source's share per year and LA (``metrics.coverage.coverage_inputs``)."""
    return sa.Table(
        name,
        sa.MetaData(),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("la_code", sa.String, nullable=False),
        sa.Column("source", sa.String, nullable=False),
        sa.Column("numerator", sa.Double),
        sa.Column("denominator", sa.Double),
    )


def build_state_table(name: str = BUILD_STATE) -> sa.Table:
    """One row: which indicators (and which version of this format) the counts were kept for."""
    return sa.Table(
        name,
        sa.MetaData(),
        sa.Column("fingerprint", sa.String, nullable=False),
    )


def fingerprint(chosen: Sequence[Indicator]) -> str:
    """Changes when any indicator's declaration (or the set of indicators) or the code of
    ``metrics`` changes: what was kept by another catalogue or another version of the
    statistics must not be mixed with what this one computes (the next import then rebuilds
    in full, and keeps its counts again)."""
    digest = hashlib.sha256(FORMAT.encode())
    for ind in chosen:
        digest.update(ind.model_dump_json().encode())
    package = Path(__file__).parent
    for source in sorted(package.rglob("*.py")):
        digest.update(str(source.relative_to(package)).encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def kept_fingerprint(conn: sa.Connection) -> str | None:
    """The fingerprint the kept counts were made for, or None if there are none to use."""
    names = set(sa.inspect(conn).get_table_names())
    if not set(STORED) <= names or not {"indicator_values", "coverage_values"} <= names:
        return None
    row = conn.execute(sa.select(build_state_table().c.fingerprint)).first()
    return None if row is None else str(row[0])


def read_frame(conn: sa.Connection, stmt: sa.Select) -> pd.DataFrame:
    """Rows of ``stmt`` as a frame; on DuckDB through Arrow (no Python tuple per row: the kept
    counts run to a million rows at national scale)."""
    if conn.dialect.name == "duckdb":
        raw = conn.connection.driver_connection
        compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
        relation = raw.sql(str(compiled))  # type: ignore[union-attr]
        # DuckDB 2 renamed arrow() to to_arrow_table().
        fetch = getattr(relation, "to_arrow_table", None) or relation.arrow
        table: pa.Table = fetch()
        return table.to_pandas()
    result = conn.execute(stmt)
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))
