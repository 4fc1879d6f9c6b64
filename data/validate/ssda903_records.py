"""Record checks of one LA-year's 903 tables: each child's rows against each other.

These are the faults that make indicators wrong while every cell looks fine: a child counted
twice, episodes that overlap or leave a gap inside a period of care, rows for a child the
Header does not know, episodes from another year. Each check works on whole tables (sort once
by child and start date, compare each row with its neighbour by ``groupby``/``shift``), so a
large authority costs no more than a few passes over its episodes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from data.returns.codes import SSDA903_SOCIAL_WORKER_FROM
from data.validate.report import Report
from data.validate.ssda903_fields import Parsed, emit, shown, year_end, year_start
from data.validate.ssda903_spec import LABEL, SHORT, codes_for, season

# Tables with at most one row per child (903 guide; PrevPerm: one per child starting care).
ONE_ROW_PER_CHILD = (
    "cla_header",
    "cla_uasc",
    "cla_oc2",
    "cla_oc3",
    "cla_ad1",
    "cla_prev_perm",
)
# (start, end) date pairs: the end may not come before the start.
DATE_PAIRS = {
    "cla_episode": ("DECOM", "DEC"),
    "cla_ad1": ("DATE_INT", "DATE_MATCH"),
    "cla_placed_adoption": ("DATE_PLACED", "DATE_PLACED_CEASED"),
    "cla_missing": ("MIS_START", "MIS_END"),
    "cla_social_worker": ("SW_DECOM", "SW_DEC"),
}
# A row whose date here is before 1 April belongs to an earlier year's return. Indicators filter
# these by date, so it is a warning; episodes are checked apart (they are counted as they are).
BEFORE_YEAR = {
    "cla_review": "REVIEW",
    "cla_missing": "MIS_START",
    "cla_social_worker": "SW_DEC",
}
# Placement types DfE withdrew: still reported for placements begun before the date, not after.
WITHDRAWN_PLACE = {"H5": pd.Timestamp(2024, 4, 1), "P2": pd.Timestamp(2024, 4, 1)}
STARTS_PLACEMENT = ("S", "P", "T", "B", "U")  # RNE codes that begin a placement
REQUIRED_TABLES = ("cla_header", "cla_episode")


def check_records(parsed: Mapping[str, Parsed], year: int, report: Report) -> None:
    """Add the record-level findings for one LA-year's parsed 903 tables."""
    _tables_present(parsed, year, report)
    for table in ONE_ROW_PER_CHILD:
        if table in parsed:
            _duplicate_child(parsed[table], report)
    for table, (start, end) in DATE_PAIRS.items():
        if table in parsed:
            _dates_order(parsed[table], start, end, report)
    for table, column in BEFORE_YEAR.items():
        if table in parsed:
            _before_year(parsed[table], column, year, report)
    header = parsed.get("cla_header")
    if header is not None:
        _children_known(header, parsed, report)
        _dob_agrees(header, parsed, report)
    episodes = parsed.get("cla_episode")
    if episodes is not None:
        _end_reason(episodes, report)
        _other_year(episodes, year, report)
        _withdrawn_place(episodes, report)
        _episode_sequence(episodes, year, report)
        if header is not None:
            _before_birth(episodes, header, report)
            _header_without_episode(header, episodes, parsed.get("cla_oc3"), report)


def _tables_present(parsed: Mapping[str, Parsed], year: int, report: Report) -> None:
    # A refused file may well be the table that looks missing: say only what the file layer
    # has not already said.
    refused = any(
        f.rule.startswith("file.") and (f.file == "" or f.file.lower().endswith(".csv"))
        for f in report.errors
    )
    if not refused:
        for table in REQUIRED_TABLES:
            if table not in parsed:
                report.error(
                    "",
                    "",
                    "",
                    LABEL[table],
                    "903.table.missing",
                    f"no 903 {LABEL[table]} table was found among the CSV files; the return "
                    "cannot be read without it",
                )
    sw = parsed.get("cla_social_worker")
    if sw is not None and year < SSDA903_SOCIAL_WORKER_FROM:
        report.warning(
            sw.table.name,
            "",
            "",
            "",
            "903.table.not_collected",
            f"the SocialWorker table was first collected in 2023-24, not in {season(year)}; "
            "its rows are loaded but no indicator uses them",
        )


def _children(p: Parsed) -> pd.Series:
    return p.text["CHILD"]


def _duplicate_child(p: Parsed, report: Report) -> None:
    child = _children(p)
    named = child.ne("")
    again = named & child.duplicated(keep="first")
    if not again.any():
        return
    first_line = pd.Series(p.lines, index=child.index).groupby(child).transform("first")
    label = LABEL[p.table.table]
    emit(
        report,
        p,
        again,
        "CHILD",
        f"903.{SHORT[p.table.table]}.duplicate_child",
        "error",
        lambda i: (
            f"child {child.iat[i]} already has a {label} row (row {first_line.iat[i]}); "
            "each child has one"
        ),
    )


def _dates_order(p: Parsed, start: str, end: str, report: Report) -> None:
    begins, ends = p.dates[start], p.dates[end]
    backwards = ends < begins
    emit(
        report,
        p,
        backwards,
        end,
        f"903.{SHORT[p.table.table]}.dates_order",
        "error",
        lambda i: f"{end} is before {start} ({shown(begins.iat[i])})",
    )


def _before_year(p: Parsed, column: str, year: int, report: Report) -> None:
    start = year_start(year)
    early = p.dates[column] < start
    emit(
        report,
        p,
        early,
        column,
        "903.date.before_year",
        "warning",
        (
            f"is before {shown(start)}, the start of the {season(year)} collection year: "
            "the row belongs to an earlier year's return"
        ),
    )


def _children_known(header: Parsed, parsed: Mapping[str, Parsed], report: Report) -> None:
    known = set(_children(header))
    for table, p in parsed.items():
        if table == "cla_header" or "CHILD" not in p.text:
            continue
        child = _children(p)
        unknown = child.ne("") & ~child.isin(known)
        emit(
            report,
            p,
            unknown,
            "CHILD",
            "903.child.unknown",
            "error",
            "the child has no row in the Header table, which every child in the return needs",
        )


def _dob_agrees(header: Parsed, parsed: Mapping[str, Parsed], report: Report) -> None:
    for table, p in parsed.items():
        if table == "cla_header" or "DOB" not in p.dates:
            continue
        theirs = _header_dob(header, p)
        dob = p.dates["DOB"]
        differs = dob.notna() & theirs.notna() & dob.ne(theirs)
        emit(
            report,
            p,
            differs,
            "DOB",
            "903.child.dob_mismatch",
            "warning",
            _says_header(theirs),
        )


def _header_dob(header: Parsed, p: Parsed) -> pd.Series:
    """The Header's date of birth of each row's child (NaT where it has none)."""
    dob = pd.Series(header.dates["DOB"].to_numpy(), index=_children(header))
    dob = dob[~dob.index.duplicated()].dropna()
    found = dob.reindex(pd.Index(_children(p).to_numpy(dtype=object)))
    return pd.Series(found.to_numpy(), index=p.text.index)


def _says_header(dob: pd.Series) -> Callable[[int], str]:
    def message(i: int) -> str:
        return f"differs from the child's date of birth in the Header table ({shown(dob.iat[i])})"

    return message


def _end_reason(e: Parsed, report: Report) -> None:
    dec_given = e.text["DEC"].ne("")
    rec_given = e.text["REC"].ne("")
    emit(
        report,
        e,
        dec_given & ~rec_given,
        "REC",
        "903.episode.end_reason",
        "error",
        "is blank although the episode ended (DEC is given); give the reason it ended",
    )
    emit(
        report,
        e,
        rec_given & ~dec_given,
        "DEC",
        "903.episode.end_reason",
        "error",
        lambda i: (
            f"is blank although REC gives a reason the episode ended "
            f"({e.text['REC'].iat[i]}); give the date it ended"
        ),
    )


def _other_year(e: Parsed, year: int, report: Report) -> None:
    start = year_start(year)
    dec, decom = e.dates["DEC"], e.dates["DECOM"]
    old = (dec < start) & ~(dec < decom)
    emit(
        report,
        e,
        old,
        "DEC",
        "903.episode.other_year",
        "error",
        (
            f"the episode ended before {shown(start)}, so it belongs to an earlier "
            f"year's return, not {season(year)}'s (which holds episodes open during the year)"
        ),
    )


def _withdrawn_place(e: Parsed, report: Report) -> None:
    place, rne, decom = e.text["PLACE"], e.text["RNE"], e.dates["DECOM"]
    since = place.map(WITHDRAWN_PLACE)
    new = since.notna() & rne.isin(STARTS_PLACEMENT) & (decom >= since)
    emit(
        report,
        e,
        new,
        "PLACE",
        "903.episode.place_withdrawn",
        "error",
        lambda i: (
            f"placement type {place.iat[i]} was withdrawn on "
            f"{shown(since.iat[i])}; a placement starting on or after that day "
            "takes a current code (supported accommodation is K3)"
        ),
    )


def _before_birth(e: Parsed, header: Parsed, report: Report) -> None:
    dob = _header_dob(header, e)
    early = e.dates["DECOM"] < dob
    emit(
        report,
        e,
        early,
        "DECOM",
        "903.episode.before_birth",
        "error",
        lambda i: (
            f"the episode starts before the child's date of birth in the Header table "
            f"({shown(dob.iat[i])})"
        ),
    )


def _header_without_episode(header: Parsed, e: Parsed, oc3: Parsed | None, report: Report) -> None:
    looked_after = set(_children(e))
    leavers = set() if oc3 is None else set(_children(oc3))
    child = _children(header)
    alone = child.ne("") & ~child.isin(looked_after) & ~child.isin(leavers)
    emit(
        report,
        header,
        alone,
        "CHILD",
        "903.header.no_episode",
        "warning",
        "the child has a Header row but no episode (nor an OC3 row as a care leaver)",
    )


def _episode_sequence(e: Parsed, year: int, report: Report) -> None:
    """Overlaps and broken chains, child by child in start-date order.

    Children with a cell already reported in CHILD, DECOM or DEC, or an episode that ends
    before it starts, are left out: their order is unknown, and a second finding about the
    same slip would only bury the first.
    """
    child = _children(e)
    decom, dec = e.dates["DECOM"], e.dates["DEC"]
    unsure = ~e.ok("CHILD") | ~e.ok("DECOM") | e.invalid["DEC"] | (dec < decom)
    skip = child.isin(set(child[unsure]))
    frame = pd.DataFrame(
        {
            "child": child,
            "decom": decom,
            "dec": dec,
            "open": e.text["DEC"].eq(""),
            "rne": e.text["RNE"],
            "rec": e.text["REC"],
            "line": e.lines,
            "pos": np.arange(len(child)),
        }
    )[~skip]
    if frame.empty:
        return
    frame = frame.sort_values(["child", "decom", "line"], kind="stable").reset_index(drop=True)
    by_child = frame.groupby("child", sort=False)
    # Latest end so far among a child's earlier episodes (an open one never ends).
    ends = frame["dec"].where(~frame["open"], pd.Timestamp.max)
    reach = ends.groupby(frame["child"], sort=False).cummax()
    earlier_reach = reach.groupby(frame["child"], sort=False).shift(1)
    has_prev = by_child.cumcount() > 0
    prev = frame.groupby("child", sort=False).shift(1)
    nxt = frame.groupby("child", sort=False).shift(-1)
    overlap = has_prev & (frame["decom"] < earlier_reach)
    _report_overlaps(e, frame, prev, overlap, report)

    # Chains only for children whose episodes do not overlap.
    clean = ~frame["child"].isin(set(frame.loc[overlap, "child"]))
    first_day, last_day = year_start(year), year_end(year)
    valid_rne = codes_for("RNE", year)
    x1 = frame["rec"].eq("X1")
    has_next = nxt["decom"].notna()
    followed = has_next & nxt["decom"].eq(frame["dec"])
    unfollowed = clean & x1 & frame["dec"].notna() & (frame["dec"] <= last_day) & ~followed
    continues = has_prev & prev["rec"].eq("X1") & prev["dec"].eq(frame["decom"])
    in_year = (frame["decom"] >= first_day) & (frame["decom"] <= last_day)
    prev_ended = has_prev & prev["rec"].ne("X1") & prev["rec"].ne("") & prev["rec"].notna()
    orphan = clean & in_year & frame["rne"].isin(valid_rne - {"S"}) & (prev_ended | ~has_prev)
    restart = clean & frame["rne"].eq("S") & continues

    def at(mask: pd.Series) -> np.ndarray:
        hit = np.zeros(len(e.lines), dtype=bool)
        hit[frame.loc[mask, "pos"].to_numpy()] = True
        return hit

    row_of = _sorted_position(frame, len(e.lines))

    def x1_message(i: int) -> str:
        k = int(row_of[i])
        if not has_next.iat[k]:
            return (
                f"is X1 (a new episode starts the same day), but the child has no episode "
                f"starting on {shown(frame['dec'].iat[k])}"
            )
        return (
            f"is X1 (a new episode starts the same day), but the child's next episode "
            f"(row {nxt['line'].iat[k]:.0f}) starts on {shown(nxt['decom'].iat[k])}, not "
            f"{shown(frame['dec'].iat[k])}"
        )

    def orphan_message(i: int) -> str:
        k = int(row_of[i])
        rne = frame["rne"].iat[k]
        if not has_prev.iat[k]:
            return (
                f"RNE {rne} says the episode continues a period of care, but the child has no "
                "earlier episode; a period's first episode has RNE S"
            )
        return (
            f"RNE {rne} says the episode continues a period of care, but the child's previous "
            f"episode (row {prev['line'].iat[k]:.0f}) ended it (REC {prev['rec'].iat[k]}); "
            "a new period starts with RNE S"
        )

    def restart_message(i: int) -> str:
        k = int(row_of[i])
        return (
            f"RNE S says care started, but the child's previous episode (row "
            f"{prev['line'].iat[k]:.0f}) ended with X1 that day, so this one continues its "
            "period (RNE L, P, T, B or U)"
        )

    emit(report, e, at(unfollowed), "REC", "903.episode.chain", "error", x1_message)
    emit(report, e, at(orphan), "RNE", "903.episode.chain", "error", orphan_message)
    emit(report, e, at(restart), "RNE", "903.episode.chain", "error", restart_message)


def _sorted_position(frame: pd.DataFrame, rows: int) -> np.ndarray:
    """For each row of the table, its position in the sorted ``frame`` (-1 if left out)."""
    out = np.full(rows, -1, dtype=np.int64)
    out[frame["pos"].to_numpy()] = np.arange(len(frame))
    return out


def _report_overlaps(
    e: Parsed, frame: pd.DataFrame, prev: pd.DataFrame, overlap: pd.Series, report: Report
) -> None:
    row_of = _sorted_position(frame, len(e.lines))
    hit = np.zeros(len(e.lines), dtype=bool)
    hit[frame.loc[overlap, "pos"].to_numpy()] = True
    within_previous = frame["decom"] < prev["dec"]

    def message(i: int) -> str:
        k = int(row_of[i])
        start = shown(frame["decom"].iat[k])
        prev_line = f"row {prev['line'].iat[k]:.0f}"
        if bool(prev["open"].iat[k]):
            return (
                f"the episode starts on {start} while the child's episode on {prev_line} is "
                "still open (no DEC); only a child's latest episode may be open"
            )
        if bool(within_previous.iat[k]):
            return (
                f"the episode starts on {start}, before the child's episode on {prev_line} "
                f"ends ({shown(prev['dec'].iat[k])}); a child's episodes may not overlap"
            )
        return (
            f"the episode starts on {start}, inside an earlier episode of the same child; "
            "a child's episodes may not overlap"
        )

    emit(report, e, hit, "DECOM", "903.episode.overlap", "error", message)
