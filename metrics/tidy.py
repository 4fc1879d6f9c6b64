"""The tidy tables everything outside ``metrics`` reads: ``indicator_values`` and
``coverage_values`` (ARCHITECTURE.md), and ``data_origins``, which says for each LA-year and
return whether the records are synthetic or the LA's own imported return. Every row in them has
passed disclosure control (``data_origins`` holds no counts of children)."""

from __future__ import annotations

import sqlalchemy as sa

meta = sa.MetaData()


def _indicator_columns() -> tuple[sa.Column[object], ...]:
    return (
        sa.Column("time_period", sa.Integer, nullable=False),
        sa.Column("geographic_level", sa.String, nullable=False),
        sa.Column("area_code", sa.String, nullable=False),
        sa.Column("area_name", sa.String, nullable=False),
        sa.Column("region_code", sa.String),
        sa.Column("indicator_id", sa.String, nullable=False),
        sa.Column("breakdown", sa.String, nullable=False),
        sa.Column("breakdown_value", sa.String, nullable=False),
        sa.Column("numerator", sa.Double),
        sa.Column("denominator", sa.Double),
        sa.Column("value", sa.Double),
        sa.Column("lower_95", sa.Double),
        sa.Column("upper_95", sa.Double),
        sa.Column("lower_998", sa.Double),
        sa.Column("upper_998", sa.Double),
        sa.Column("status", sa.String, nullable=False),
        sa.Column("compared_to_england", sa.String, nullable=False),
        sa.Column("quartile", sa.String, nullable=False),
        sa.Column("rank", sa.Integer),
        sa.Column("trend", sa.String, nullable=False),
        sa.Column("neighbours_used", sa.Integer),
    )


def _coverage_columns() -> tuple[sa.Column[object], ...]:
    return (
        sa.Column("time_period", sa.Integer, nullable=False),
        sa.Column("geographic_level", sa.String, nullable=False),
        sa.Column("area_code", sa.String, nullable=False),
        sa.Column("area_name", sa.String, nullable=False),
        sa.Column("indicator_id", sa.String, nullable=False),
        sa.Column("measure", sa.String, nullable=False),
        sa.Column("numerator", sa.Double),
        sa.Column("denominator", sa.Double),
        sa.Column("value", sa.Double),
        sa.Column("label", sa.String, nullable=False),
        # Hidden-need signals (metrics/signals.py) carry a 95% range; coverage shares do not.
        sa.Column("lower_95", sa.Double),
        sa.Column("upper_95", sa.Double),
    )


def _origin_columns() -> tuple[sa.Column[object], ...]:
    return (
        sa.Column("time_period", sa.Integer, nullable=False),
        sa.Column("area_code", sa.String, nullable=False),
        sa.Column("area_name", sa.String, nullable=False),
        sa.Column("return_name", sa.String, nullable=False),  # cin | ssda903 | csww
        sa.Column("status", sa.String, nullable=False),  # submitted | missing
        sa.Column("origin", sa.String, nullable=False),  # synthetic | imported
    )


def data_origins_table(name: str = "data_origins") -> sa.Table:
    return sa.Table(name, sa.MetaData(), *_origin_columns())


def indicator_values_table(name: str = "indicator_values") -> sa.Table:
    return sa.Table(name, sa.MetaData(), *_indicator_columns())


def coverage_values_table(name: str = "coverage_values") -> sa.Table:
    return sa.Table(name, sa.MetaData(), *_coverage_columns())


indicator_values = indicator_values_table()
coverage_values = coverage_values_table()
data_origins = data_origins_table()
