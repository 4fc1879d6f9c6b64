"""Coverage measured from the records themselves: who is missing from each indicator, per LA,
region, England and year, with a sentence a manager can read.

Each measure is a share (numerator of denominator) computed once per LA-year from the records
and attached to every indicator whose catalogue entry lists it, so an indicator's page shows the
gaps of the very records it was computed from.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from data import schema as s
from metrics.catalogue import Indicator
from metrics.disclosure import apply_disclosure
from metrics.tidy import coverage_values

KEYS = ["year", "la_code"]
COLUMNS = [c.name for c in coverage_values.columns]
RETURN_NAMES = {
    "CIN census": "cin",
    "SSDA903": "ssda903",
    "CSWW": "csww",
    "CSWW workforce census": "csww",
}

# measure id -> (what is missing, of what) for labels
WORDING = {
    "returns_missing": ("returns not received", "returns expected"),
    "ethnicity_unknown": ("children with ethnicity refused or not obtained", "children"),
    "sex_unknown": ("children with sex not recorded", "children"),
    "disability_not_recorded": ("children with no disability information", "children"),
    "upn_missing": ("school-age children with no UPN", "school-age children"),
    "primary_need_not_stated": ("episodes with primary need not stated", "episodes"),
    "education_link_rate": ("school-age children linked to school records", "school-age children"),
    "care_leavers_not_in_touch": ("care leavers not in touch", "care leavers"),
    "distance_unknown": ("children whose placement distance is unknown", "children looked after"),
    "sdq_missing": ("children due an SDQ without a score", "children due an SDQ"),
    "workforce_ethnicity_unknown": ("social workers with ethnicity not known", "social workers"),
    "values_imputed": ("values imputed or rolled forward", "values"),
}


# Measures counted from materialised units: measure -> (unit, missing-flag, which rows count).
UnitFlag = Callable[[sa.Table], sa.ColumnElement[Any]]
UNIT_MEASURES: dict[str, tuple[str, UnitFlag, UnitFlag | None]] = {
    "upn_missing": (
        "social_care_child",
        lambda u: _flag(u.c.upn_known == 0),
        lambda u: u.c.school_age == 1,
    ),
    "education_link_rate": (
        "social_care_child",
        lambda u: u.c.linked_to_education,
        lambda u: u.c.school_age == 1,
    ),
    "care_leavers_not_in_touch": ("care_leaver", lambda u: _flag(u.c.in_touch == 0), None),
    "distance_unknown": ("cla_31mar", lambda u: _flag(u.c.distance_known == 0), None),
    "sdq_missing": ("cla12", lambda u: _flag(u.c.sdq_recorded == 0), lambda u: u.c.sdq_due == 1),
}


def _share(conn: sa.Connection, stmt: sa.Select) -> pd.DataFrame:
    return pd.DataFrame(conn.execute(stmt).fetchall(), columns=[*KEYS, "numerator", "denominator"])


def _flag(cond: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.case((cond, 1), else_=0)


def _measures(
    conn: sa.Connection, units: dict[str, sa.Table], la_code: str | None = None
) -> dict[str, Callable[[], pd.DataFrame]]:
    c, e = s.cin_child, s.cin_episode
    d = s.cin_disability
    has_dis = (
        sa.select(sa.literal(1))
        .where(d.c.year == c.c.year, d.c.la_code == c.c.la_code, d.c.child_id == c.c.child_id)
        .exists()
    )

    def per_la(
        table: sa.Table | sa.FromClause,
        flag: sa.ColumnElement[int],
        where: sa.ColumnElement[bool] | None = None,
    ) -> pd.DataFrame:
        stmt = sa.select(
            table.c.year, table.c.la_code, sa.func.sum(flag), sa.func.count()
        ).group_by(table.c.year, table.c.la_code)
        if where is not None:
            stmt = stmt.where(where)
        if la_code is not None:
            stmt = stmt.where(table.c.la_code == la_code)
        return _share(conn, stmt)

    out: dict[str, Callable[[], pd.DataFrame]] = {
        "ethnicity_unknown": lambda: per_la(c, _flag(c.c.ethnicity.in_(["REFU", "NOBT"]))),
        "sex_unknown": lambda: per_la(c, _flag(c.c.sex == "U")),
        "disability_not_recorded": lambda: per_la(c, _flag(~has_dis)),
        "primary_need_not_stated": lambda: per_la(e, _flag(e.c.primary_need == "N0")),
    }
    for measure, (unit, flag, where) in UNIT_MEASURES.items():
        if unit in units:
            t = units[unit]
            out[measure] = functools.partial(per_la, t, flag(t), where(t) if where else None)
    w = s.csww_worker
    out["workforce_ethnicity_unknown"] = lambda: per_la(
        w, _flag(w.c.ethnicity.is_(None) | w.c.ethnicity.in_(["REFU", "NOBT"]))
    )
    return out


def _returns_missing(conn: sa.Connection, la_code: str | None = None) -> pd.DataFrame:
    r = s.return_status
    stmt = sa.select(r.c.year, r.c.la_code, r.c.return_name, r.c.status)
    if la_code is not None:
        stmt = stmt.where(r.c.la_code == la_code)
    rows = conn.execute(stmt).fetchall()
    return pd.DataFrame(rows, columns=[*KEYS, "return_name", "status"])


def _label(measure: str, num: float, den: float, value: float, status: str) -> str:
    what, of = WORDING.get(measure, (measure.replace("_", " "), "records"))
    if status == "c":
        return f"{what}: fewer than 6 (suppressed to protect individuals)"
    if not np.isfinite(den) or den == 0:
        return f"{what}: no records to measure"
    return f"{what}: {value:.1f}% ({num:,.0f} of {den:,.0f} {of})"


SOURCE_COLUMNS = [*KEYS, "source", "numerator", "denominator"]
LINK_COLUMNS = ["indicator_id", "measure", "source"]


def coverage_inputs(
    conn: sa.Connection,
    units: dict[str, sa.Table],
    indicators: list[Indicator],
    la_code: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each coverage measure's per-LA shares (``SOURCE_COLUMNS``, one row per year, LA and
    source), and which indicator shows which source (``LINK_COLUMNS``). Only ``la_code``'s rows
    if given: after an import the other LAs' shares are read back from the last build."""
    measures = _measures(conn, units, la_code)
    wanted = {m for ind in indicators for m in ind.annotations.coverage.measures}
    status = _returns_missing(conn, la_code)
    # (indicator, measure, source key): returns_missing is per return, so its key names it.
    links = []
    sources: dict[str, pd.DataFrame] = {}
    for m, fn in measures.items():
        if m in wanted:
            sources[m] = fn()
    for ind in indicators:
        ret = RETURN_NAMES.get(ind.source.return_)
        for measure in ind.annotations.coverage.measures:
            if measure == "returns_missing":
                if ret is None:
                    continue
                key = f"returns_missing:{ret}"
                if key not in sources:
                    st = status[status["return_name"] == ret]
                    sources[key] = st.assign(
                        numerator=(st["status"] == "missing").astype(float), denominator=1.0
                    )[[*KEYS, "numerator", "denominator"]]
            elif measure in sources:
                key = measure
            else:
                continue
            links.append((ind.id, measure, key))
    pairs = pd.DataFrame(links, columns=LINK_COLUMNS)
    used = sorted(set(pairs["source"]))
    if not used:
        return pd.DataFrame(columns=SOURCE_COLUMNS), pairs
    la = pd.concat([sources[k].assign(source=k) for k in used], ignore_index=True)
    return canonical_sources(la), pairs


def canonical_sources(frame: pd.DataFrame) -> pd.DataFrame:
    """Per-LA shares in one fixed order and dtypes: secondary suppression hides the first of
    equal cells, so a rebuild after an import must see them in the order a full build does."""
    out = frame[SOURCE_COLUMNS].copy()
    out["year"] = out["year"].astype("int64")
    out["la_code"] = out["la_code"].astype(str)
    out["source"] = out["source"].astype(str)
    for col in ("numerator", "denominator"):
        out[col] = pd.to_numeric(out[col]).astype(float)
    return out.sort_values(["source", "year", "la_code"], ignore_index=True)


def coverage_frame(
    conn: sa.Connection, units: dict[str, sa.Table], indicators: list[Indicator], geo: pd.DataFrame
) -> pd.DataFrame:
    """Each coverage measure computed and disclosure-controlled once, then attached to every
    indicator that lists it (many indicators share a measure: the work must not repeat)."""
    sources, links = coverage_inputs(conn, units, indicators)
    return coverage_rows(sources, links, geo)


def coverage_rows(sources: pd.DataFrame, links: pd.DataFrame, geo: pd.DataFrame) -> pd.DataFrame:
    """The published coverage rows from the per-LA shares (:func:`coverage_inputs`): regions and
    England summed, disclosure control within each source and year, a sentence each."""
    if links.empty or sources.empty:
        return pd.DataFrame(columns=COLUMNS)
    la = sources.merge(geo, on="la_code", how="inner")
    la["geographic_level"] = "local_authority"
    sums = ["numerator", "denominator"]
    by = ["year", "source"]
    region = la.groupby([*by, "region_code", "region_name"])[sums].sum().reset_index()
    region = region.rename(columns={"region_name": "area_name"}).assign(
        area_code=region["region_code"], geographic_level="regional"
    )
    england = (
        la.groupby(by)[sums]
        .sum()
        .reset_index()
        .assign(
            area_code="E92000001",
            area_name="England",
            region_code=None,
            geographic_level="national",
        )
    )
    frame = pd.concat([la, region, england], ignore_index=True).rename(
        columns={"year": "time_period"}
    )
    frame["numerator"] = frame["numerator"].astype(float)
    frame["denominator"] = frame["denominator"].astype(float)
    frame["value"] = frame["numerator"] / frame["denominator"].where(frame["denominator"] > 0) * 100
    # Disclosure: the same rules as indicator values (counts of 1-5 never leave metrics). Each
    # source is its own relation (indicator_id = source), so its cells are not taken for
    # breakdowns of anything else.
    frame["indicator_id"] = frame["source"]
    frame["breakdown"] = "total"
    frame["breakdown_value"] = "total"
    frame["status"] = ""
    for col in ("lower_95", "upper_95", "lower_998", "upper_998"):
        frame[col] = np.nan
    # Whether an LA sent its return says nothing about any child: those rows are not counts of
    # people, and hiding them would hide which LAs are missing, the point of the measure.
    about_las = frame["source"].str.startswith("returns_missing").to_numpy()
    frame = pd.concat(
        [apply_disclosure(frame[~about_las], primary=5, round_to=1), frame[about_las]],
        ignore_index=True,
    )
    frame["measure"] = frame["source"].str.split(":").str[0]
    frame["label"] = [
        _label(m, n, d, v, st)
        for m, n, d, v, st in zip(
            frame["measure"],
            frame["numerator"],
            frame["denominator"],
            frame["value"],
            frame["status"],
            strict=True,
        )
    ]
    frame = frame.drop(columns=["indicator_id", "measure"]).merge(links, on="source")
    return frame[COLUMNS]
