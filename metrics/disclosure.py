"""Disclosure control for the tidy indicator table, as DfE applies it to its CIN and CLA releases.

Every figure the dashboard, downloads and API show passes through here (ARCHITECTURE.md), so a
small count must never be visible and must never be recoverable by subtraction. The rules are
methods.md section 8: counts of 1 to 5 become ``c``; no rate, percentage or interval is shown
from a suppressed numerator or from a denominator of 1 to 5; secondary suppression makes sure no
additive relation (a total and its breakdown parts; a region and its LAs; England and its
regions) has exactly one unknown cell; national and regional counts are rounded to the nearest
10, while values stay computed from the unrounded counts. No Python library does secondary
suppression (sdcMicro and tau-Argus are R and Java), so this is a small tested function. It
checks each relation on its own; it does not audit what a combination of relations or the
rounded totals could narrow a hidden cell down to.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

REQUIRED_COLUMNS = (
    "time_period",
    "geographic_level",
    "area_code",
    "region_code",
    "indicator_id",
    "breakdown",
    "breakdown_value",
    "numerator",
    "denominator",
    "value",
    "lower_95",
    "upper_95",
    "lower_998",
    "upper_998",
    "status",
)
KEY = (
    "time_period",
    "geographic_level",
    "area_code",
    "indicator_id",
    "breakdown",
    "breakdown_value",
)
VALUE_COLUMNS = ("value", "lower_95", "upper_95", "lower_998", "upper_998")
# Columns later stages may have added; a suppressed cell must not keep them either.
DERIVED_COLUMNS = ("compared_to_england", "quartile", "rank", "trend")
LINKED_LEVELS = ("national", "regional", "local_authority")
ROUNDED_LEVELS = ("national", "regional")
TOTAL = "total"
SUPPRESSED, ROUNDS_TO_ZERO = "c", "k"
LEFT_ALONE = ("x", "z")  # unavailable / not applicable: keep the symbol

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


def _counts(frame: pd.DataFrame, column: str) -> FloatArray:
    try:
        values = pd.to_numeric(frame[column], errors="raise")
    except (TypeError, ValueError) as error:
        raise ValueError(f"apply_disclosure: column {column!r} is not numeric ({error})") from None
    array = np.asarray(values.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    negative = np.flatnonzero(array < 0)
    if negative.size:
        row = int(negative[0])
        raise ValueError(f"apply_disclosure: row {row} has a negative {column} ({array[row]:g})")
    return array


def _validate(frame: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"apply_disclosure: frame lacks column(s) {', '.join(missing)}")
    duplicated = frame.duplicated(list(KEY))
    if duplicated.any():
        row = int(np.flatnonzero(duplicated.to_numpy())[0])
        where = ", ".join(f"{k}={frame[k].iloc[row]}" for k in KEY)
        raise ValueError(f"apply_disclosure: row {row} repeats the cell {where}")


def _members(rows: pd.DataFrame, keys: list[str], eq_offset: int) -> pd.DataFrame:
    """Number each distinct ``keys`` combination from ``eq_offset``."""
    ids = rows.groupby(keys, sort=False, dropna=False).ngroup().to_numpy() + eq_offset
    return pd.DataFrame({"eq": ids, "row": rows["_row"].to_numpy()}, index=rows.index)


def _equations(frame: pd.DataFrame) -> tuple[IntArray, IntArray, BoolArray]:
    """Every additive relation total = sum(parts), as (equation id, row, is_total) triples."""
    linked = frame[frame["geographic_level"].isin(LINKED_LEVELS)].copy()
    linked["_row"] = np.flatnonzero(frame["geographic_level"].isin(LINKED_LEVELS).to_numpy())
    pieces: list[pd.DataFrame] = []
    offset = 0

    def add(
        parts: pd.DataFrame, totals: pd.DataFrame, part_keys: list[str], link: list[str]
    ) -> None:
        # part_keys: what one relation's parts share; link: the part columns naming its total.
        nonlocal offset
        if parts.empty or totals.empty:
            return
        members = _members(parts, part_keys, offset)
        offset = int(members["eq"].max()) + 1
        heads = parts[link].assign(eq=members["eq"]).drop_duplicates("eq")
        total_rows = totals[[*link, "_row"]].rename(columns={"_row": "row"})
        matched = heads.merge(total_rows, on=link, how="inner")[["eq", "row"]]
        members = members[members["eq"].isin(matched["eq"])]
        pieces.append(members.assign(is_total=False))
        pieces.append(matched.assign(is_total=True))

    # A total and its parts within one breakdown, for one area.
    area = ["time_period", "geographic_level", "area_code", "indicator_id"]
    is_total = linked["breakdown"] == TOTAL
    add(linked[~is_total], linked[is_total], [*area, "breakdown"], area)

    # LAs adding up to their region, and regions (or LAs, where no regions are given) to England.
    cell = ["time_period", "indicator_id", "breakdown", "breakdown_value"]
    las = linked[linked["geographic_level"] == "local_authority"]
    regions = linked[linked["geographic_level"] == "regional"]
    national = linked[linked["geographic_level"] == "national"]
    add(
        las.assign(_region=las["region_code"]),
        regions.assign(_region=regions["area_code"]),
        [*cell, "_region"],
        [*cell, "_region"],
    )
    add(regions, national, cell, cell)
    if not regions.empty:
        has_regions = las[cell].merge(regions[cell].drop_duplicates(), how="left", indicator=True)
        las = las[(has_regions["_merge"] == "left_only").to_numpy()]
    add(las, national, cell, cell)

    if not pieces:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=bool)
    table = pd.concat(pieces, ignore_index=True)
    return (
        table["eq"].to_numpy(dtype=np.int64),
        table["row"].to_numpy(dtype=np.int64),
        table["is_total"].to_numpy(dtype=bool),
    )


def _secondary_pass(
    values: FloatArray, hidden: BoolArray, eq: IntArray, row: IntArray, is_total: BoolArray
) -> BoolArray:
    """One pass: in each relation with exactly one unknown cell that is confidential, hide the
    smallest visible part (non-zero parts first; the total only when no part is left)."""
    unknown = hidden[row] | np.isnan(values[row])
    size = int(eq.max()) + 1
    n_unknown = np.bincount(eq, weights=unknown, minlength=size)
    n_confidential = np.bincount(eq, weights=hidden[row], minlength=size)
    exposed = (n_unknown == 1) & (n_confidential >= 1)
    candidate = exposed[eq] & ~unknown
    if not candidate.any():
        return hidden
    c_eq, c_row, c_total = eq[candidate], row[candidate], is_total[candidate]
    c_value = values[c_row]
    order = np.lexsort((c_row, c_value, c_value == 0, c_total, c_eq))
    _, first = np.unique(c_eq[order], return_index=True)
    result = hidden.copy()
    result[c_row[order][first]] = True
    return result


def _secondary(
    values: FloatArray, hidden: BoolArray, eq: IntArray, row: IntArray, is_total: BoolArray
) -> BoolArray:
    if eq.size == 0:
        return hidden
    while True:
        after = _secondary_pass(values, hidden, eq, row, is_total)
        if np.array_equal(after, hidden):
            return hidden
        hidden = after


def _round_half_up(values: FloatArray, step: int) -> FloatArray:
    return np.floor(values / step + 0.5) * step


def apply_disclosure(
    frame: pd.DataFrame, *, primary: int = 5, round_to: int = 10, round_local: int = 1
) -> pd.DataFrame:
    """The frame as it may be published: suppressed cells have ``status`` ``c`` and no
    numerator, value or intervals (and no denominator when the denominator is itself small or
    recoverable); national and regional counts are rounded to ``round_to`` (``k`` if that makes
    a non-zero count 0). Cells marked ``x`` keep it; a ``z`` cell whose count is hidden
    becomes ``c``. Row order is kept."""
    _validate(frame)
    out = frame.reset_index(drop=True).copy()
    numerator = _counts(out, "numerator")
    denominator = _counts(out, "denominator")
    status = out["status"].astype(object).where(out["status"].notna(), "").astype(str).to_numpy()

    den_hidden = (denominator > 0) & (denominator <= primary)
    cell_hidden = (numerator > 0) & (numerator <= primary) | den_hidden | (status == SUPPRESSED)
    eq, row, is_total = _equations(out)
    while True:
        cell_after = _secondary(numerator, cell_hidden, eq, row, is_total)
        den_after = _secondary(denominator, den_hidden, eq, row, is_total)
        cell_after = cell_after | den_after
        if np.array_equal(cell_after, cell_hidden) and np.array_equal(den_after, den_hidden):
            break
        cell_hidden, den_hidden = cell_after, den_after

    shown_num = np.where(cell_hidden, np.nan, numerator)
    shown_den = np.where(den_hidden, np.nan, denominator)
    # A hidden count says so ("c") even where the rate was not applicable ("z"): the reader
    # must know a count was withheld, not that there was nothing to count. "x" stays "x".
    new_status = np.where(cell_hidden & (status != "x"), SUPPRESSED, status)
    level = out["geographic_level"]
    for step, rounded_level, counts in (
        (round_to, level.isin(ROUNDED_LEVELS).to_numpy(), (shown_num, shown_den)),
        # Some sources publish LA counts rounded too (HES: events to the nearest 5); the
        # denominator there is a population estimate, which is published as it is.
        (round_local, (level == "local_authority").to_numpy(), (shown_num,)),
    ):
        if step <= 1:
            continue
        for shown in counts:
            rounded = _round_half_up(shown, step)
            to_zero = rounded_level & (rounded == 0) & (shown > 0)
            shown[rounded_level] = rounded[rounded_level]
            shown[to_zero] = np.nan
            new_status = np.where(
                to_zero & ~np.isin(new_status, (SUPPRESSED, *LEFT_ALONE)),
                ROUNDS_TO_ZERO,
                new_status,
            )
    out["numerator"] = shown_num
    out["denominator"] = shown_den
    for column in VALUE_COLUMNS:
        values = out[column].to_numpy(dtype=np.float64, na_value=np.nan)
        out[column] = np.where(cell_hidden, np.nan, values)
    for column in DERIVED_COLUMNS:
        if column in out.columns:
            out[column] = out[column].astype(object).where(~cell_hidden, None)
    out["status"] = new_status
    return out
