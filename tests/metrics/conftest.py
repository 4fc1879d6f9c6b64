"""Helpers for the indicator tests. The shared ``small_db`` fixture lives in tests/conftest.py;
tests compare its tidy rows with answers they work out themselves from the record tables."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from data.engine import make_engine


def read_sql(url: str, sql: str) -> pd.DataFrame:
    """Run one query and return its rows (tests read raw tables with their own SQL)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return pd.read_sql(sa.text(sql), conn)
    finally:
        engine.dispose()
