"""A second, pandas-only reading of the CIN census and education units, written from the unit
descriptions in ``metrics/units.py`` and the derivations in the design's returns_spec (section
4) without looking at the SQL that builds them.

The indicator tests compare the tidy tables with what this module works out from the raw record
tables, so a wrong join, window or working-day convention in the SQL shows up as a mismatch
instead of being copied into the expectation. It deliberately reads records with plain SQL
``SELECT *`` and does all the logic in pandas and numpy.

Conventions chosen here (each is a reading of the spec, named so a mismatch can be argued):
- collection year Y runs from 1 April Y-1 to 31 March Y; a flow counts from the year's own return;
- ages are whole years on 31 March of the collection year; an unborn child is "Under 1";
  school age (5 to 15) is reckoned on 31 August before the academic year, as schools do;
- a child with any disability code other than NONE is "Disabled", with only NONE "Not disabled",
  with no disability row "Not recorded" (903-only children are "Not recorded");
- working days are Monday to Friday less English bank holidays, counted with
  ``numpy.busday_count`` (start inclusive, end exclusive);
- a re-referral follows the same child's previous distinct referral date in the same LA, from
  any year's return, within ``DateOffset(months=12)`` (later than, and on or before, the date
  12 months after it);
- pupil groups are the child's status on 31 March: cla12 (looked after on every day from 1 April
  to 31 March, from the 903 episodes), cppo (on a plan, not looked after), cino (in need,
  neither); a UPN shared by two children takes the first of cla12, cppo, cino.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import holidays
import numpy as np
import pandas as pd
import sqlalchemy as sa

from data.engine import make_engine

Frames = dict[str, pd.DataFrame]

RECORD_TABLES = (
    "cin_child",
    "cin_disability",
    "cin_episode",
    "cin_assessment",
    "cin_assessment_factor",
    "cin_s47",
    "cin_cpp",
    "cla_header",
    "cla_episode",
    "edu_pupil",
    "edu_la_baseline",
    "ref_population",
)
DATE_COLUMNS = {
    "cin_child": ("birth_date", "expected_birth_date", "death_date"),
    "cin_episode": ("referral_date", "closure_date", "date_initial_cpc"),
    "cin_assessment": ("start_date", "authorisation_date"),
    "cin_s47": ("start_date", "icpc_target", "icpc_date"),
    "cin_cpp": ("start_date", "end_date"),
    "cla_header": ("dob", "mc_dob"),
    "cla_episode": ("decom", "dec"),
}
KEYS = ["year", "la_code"]
PERSON = ["age_band", "sex", "ethnicity_group", "disability"]
SHORT_BREAKS = ("V3", "V4")
ETHNIC_GROUPS = {
    **dict.fromkeys(("WBRI", "WIRI", "WIRT", "WOTH", "WROM"), "White"),
    **dict.fromkeys(("MWBC", "MWBA", "MWAS", "MOTH"), "Mixed"),
    **dict.fromkeys(("AIND", "APKN", "ABAN", "AOTH"), "Asian"),
    **dict.fromkeys(("BCRB", "BAFR", "BOTH"), "Black"),
    **dict.fromkeys(("CHNE", "OOTH"), "Other"),
}
SEXES = {"M": "Male", "F": "Female"}
UNIT_NAMES = (
    "referral",
    "child_referred",
    "cin_31mar",
    "assessment",
    "assessment_factor",
    "s47",
    "icpc",
    "cpp_start",
    "cpp_31mar",
    "social_care_child",
    "pupil",
    "all_pupils",
)


# ----------------------------------------------------------------------------- reading
def read_records(url: str) -> Frames:
    """Every record table the units need, with date columns as ``datetime64``."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            frames = {
                name: pd.read_sql(sa.text(f"SELECT * FROM {name}"), conn) for name in RECORD_TABLES
            }
    finally:
        engine.dispose()
    for name, columns in DATE_COLUMNS.items():
        for col in columns:
            frames[name][col] = pd.to_datetime(frames[name][col])
    for frame in frames.values():
        frame["la_code"] = frame["la_code"].astype(str)
        frame["year"] = frame["year"].astype(int)
    return frames


# ----------------------------------------------------------------------------- dates
def year_start(year: pd.Series) -> pd.Series:
    return pd.to_datetime((year - 1).astype(str) + "-04-01")


def year_end(year: pd.Series) -> pd.Series:
    return pd.to_datetime(year.astype(str) + "-03-31")


def academic_start(year: pd.Series) -> pd.Series:
    """31 August before the academic year that ends in the collection year: school age is
    reckoned on it (years 1 to 11 are ages 5 to 15)."""
    return pd.to_datetime((year - 1).astype(str) + "-08-31")


def in_year(dates: pd.Series, year: pd.Series) -> pd.Series:
    return dates.notna() & (dates >= year_start(year)) & (dates <= year_end(year))


def age_on(birth: pd.Series, ref: pd.Series) -> pd.Series:
    """Whole years from ``birth`` to ``ref`` (NaN where birth is unknown)."""
    before = (birth.dt.month > ref.dt.month) | (
        (birth.dt.month == ref.dt.month) & (birth.dt.day > ref.dt.day)
    )
    return ref.dt.year - birth.dt.year - before.astype(int)


def age_band(age: pd.Series) -> pd.Series:
    """Publication bands; an unknown age (an unborn child) is "Under 1"."""
    bins = [-np.inf, 0, 4, 9, 15, np.inf]
    labels = ["Under 1", "1-4", "5-9", "10-15", "16+"]
    banded = pd.cut(age.fillna(0), bins=bins, labels=labels, right=True)
    return banded.astype(str)


def english_holidays(years: Sequence[int]) -> np.ndarray:
    days = holidays.country_holidays("GB", subdiv="ENG", years=list(years))
    return np.array(sorted(days.keys()), dtype="datetime64[D]")


def working_days(start: pd.Series, end: pd.Series) -> pd.Series:
    """Working days elapsed from ``start`` (inclusive) to ``end`` (exclusive); NaN if either is
    missing."""
    ok = start.notna() & end.notna()
    out = pd.Series(np.nan, index=start.index)
    if not ok.any():
        return out
    lo = int(min(start[ok].dt.year.min(), end[ok].dt.year.min())) - 1
    hi = int(max(start[ok].dt.year.max(), end[ok].dt.year.max())) + 1
    hol = english_holidays(range(lo, hi + 1))
    s = start[ok].to_numpy().astype("datetime64[D]")
    e = end[ok].to_numpy().astype("datetime64[D]")
    out[ok] = np.busday_count(s, e, holidays=hol)
    return out


# ----------------------------------------------------------------------------- people
def cin_people(t: Frames) -> pd.DataFrame:
    """Breakdown columns per CIN child and year (one row per year, LA and child)."""
    kids = t["cin_child"].drop_duplicates([*KEYS, "child_id"]).copy()
    age = age_on(kids["birth_date"], year_end(kids["year"]))
    kids["age"] = age
    kids["age_band"] = age_band(age)
    kids["sex"] = kids["sex"].map(SEXES).fillna("Unknown")
    kids["ethnicity_group"] = kids["ethnicity"].map(ETHNIC_GROUPS).fillna("Unknown")
    dis = t["cin_disability"].copy()
    dis["real"] = dis["disability"] != "NONE"
    flags = dis.groupby([*KEYS, "child_id"])["real"].any().rename("any_real").reset_index()
    kids = kids.merge(flags, on=[*KEYS, "child_id"], how="left")
    kids["disability"] = np.where(
        kids["any_real"].isna(),
        "Not recorded",
        np.where(kids["any_real"].fillna(False).astype(bool), "Disabled", "Not disabled"),
    )
    kids["upn_known"] = kids["upn"].notna() & ~kids["upn"].fillna("").str.startswith("UN")
    kids["birth"] = kids["birth_date"]
    return kids[[*KEYS, "child_id", "upn", "upn_known", "age", "birth", *PERSON]]


def cla_people(t: Frames) -> pd.DataFrame:
    """Breakdown columns per 903 child and year, keyed ``child_id`` like the CIN side."""
    head = t["cla_header"].drop_duplicates([*KEYS, "child"]).copy()
    head = head.rename(columns={"child": "child_id"})
    age = age_on(head["dob"], year_end(head["year"]))
    head["age"] = age
    head["age_band"] = age_band(age)
    head["sex"] = head["sex"].map(SEXES).fillna("Unknown")
    head["ethnicity_group"] = head["ethnic"].map(ETHNIC_GROUPS).fillna("Unknown")
    head["disability"] = "Not recorded"
    head["upn_known"] = head["upn"].notna() & ~head["upn"].fillna("").str.startswith("UN")
    head["birth"] = head["dob"]
    return head[[*KEYS, "child_id", "upn", "upn_known", "age", "birth", *PERSON]]


def _with_person(frame: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    out = frame.merge(people[[*KEYS, "child_id", *PERSON]], on=[*KEYS, "child_id"], how="left")
    if out[PERSON].isna().any().any():
        missing = out[out[PERSON].isna().any(axis=1)].iloc[0]
        raise ValueError(f"child {missing['child_id']} ({missing['year']}) has no cin_child row")
    return out


# ----------------------------------------------------------------------------- CIN units
def referral(t: Frames) -> pd.DataFrame:
    ep = t["cin_episode"].drop_duplicates([*KEYS, "child_id", "episode_id"])
    history = ep[["la_code", "child_id", "referral_date"]].drop_duplicates()
    history = history.sort_values(["la_code", "child_id", "referral_date"])
    previous = history.groupby(["la_code", "child_id"])["referral_date"].shift()
    history = history.assign(
        rereferral_12m=previous.notna()
        & (history["referral_date"] <= previous + pd.DateOffset(months=12))
    )
    this = ep[in_year(ep["referral_date"], ep["year"])]
    out = this.merge(history, on=["la_code", "child_id", "referral_date"], how="left")
    out = out.assign(nfa=out["referral_nfa"].astype(bool), source=out["referral_source"])
    return _with_person(out[[*KEYS, "child_id", "rereferral_12m", "nfa", "source"]], cin_people(t))


def child_referred(t: Frames) -> pd.DataFrame:
    refs = referral(t)
    flags = refs.groupby([*KEYS, "child_id"])["rereferral_12m"].any().rename("rereferred_12m")
    return _with_person(flags.reset_index(), cin_people(t))


def open_on_31mar(start: pd.Series, end: pd.Series, year: pd.Series) -> pd.Series:
    ref = year_end(year)
    return start.notna() & (start <= ref) & (end.isna() | (end > ref))


def cla_open_31mar(t: Frames) -> pd.DataFrame:
    """903 children with a non-short-break episode open on 31 March (year, la_code, child_id)."""
    ep = t["cla_episode"]
    ep = ep[~ep["ls"].isin(SHORT_BREAKS)]
    open_ = ep[open_on_31mar(ep["decom"], ep["dec"], ep["year"])]
    return open_[[*KEYS, "child"]].drop_duplicates().rename(columns={"child": "child_id"})


def cla12_children(t: Frames) -> pd.DataFrame:
    """Children looked after on every day of the 12 months ending 31 March (1 April to 31 March):
    a run of back-to-back episodes starting on or before 1 April and still open after 31 March."""
    ep = t["cla_episode"]
    ep = ep[~ep["ls"].isin(SHORT_BREAKS)][[*KEYS, "child", "decom", "dec"]].copy()
    ep = ep.sort_values([*KEYS, "child", "decom"])
    far = pd.Timestamp("2262-01-01")
    ep["stop"] = ep["dec"].fillna(far)
    reach = ep.groupby([*KEYS, "child"])["stop"].cummax()
    prev_reach = reach.groupby([ep[k] for k in [*KEYS, "child"]]).shift()
    ep["run"] = (prev_reach.isna() | (ep["decom"] > prev_reach)).cumsum()
    runs = ep.groupby([*KEYS, "child", "run"]).agg(first=("decom", "min"), last=("stop", "max"))
    runs = runs.reset_index()
    ok = (runs["first"] <= year_start(runs["year"])) & (runs["last"] > year_end(runs["year"]))
    out = runs.loc[ok, [*KEYS, "child"]].drop_duplicates()
    return out.rename(columns={"child": "child_id"})


def _flag(frame: pd.DataFrame, members: pd.DataFrame, name: str) -> pd.DataFrame:
    marked = members[[*KEYS, "child_id"]].drop_duplicates().assign(**{name: True})
    out = frame.merge(marked, on=[*KEYS, "child_id"], how="left")
    out[name] = out[name].fillna(False).astype(bool)
    return out


def cin_31mar(t: Frames) -> pd.DataFrame:
    ep = t["cin_episode"]
    open_ = ep[open_on_31mar(ep["referral_date"], ep["closure_date"], ep["year"])]
    open_ = open_.sort_values("referral_date")
    kids = open_.groupby([*KEYS, "child_id"])["primary_need"].last().reset_index()
    cpp = t["cin_cpp"]
    on_plan = cpp[open_on_31mar(cpp["start_date"], cpp["end_date"], cpp["year"])]
    kids = _flag(kids, on_plan, "on_cpp")
    kids = _flag(kids, cla_open_31mar(t), "looked_after")
    people = cin_people(t)
    kids = kids.merge(people[[*KEYS, "child_id", "upn_known"]], on=[*KEYS, "child_id"], how="left")
    return _with_person(kids, people)


def assessment(t: Frames) -> pd.DataFrame:
    a = t["cin_assessment"].drop_duplicates([*KEYS, "assessment_id"])
    a = a[in_year(a["authorisation_date"], a["year"])].copy()
    a["working_days"] = working_days(a["start_date"], a["authorisation_date"])
    a["within_45wd"] = a["working_days"] <= 45
    cols = [*KEYS, "child_id", "assessment_id", "working_days", "within_45wd"]
    return _with_person(a[cols], cin_people(t))


def assessment_factor(t: Frames) -> pd.DataFrame:
    a = assessment(t)
    f = t["cin_assessment_factor"].drop_duplicates([*KEYS, "assessment_id", "factor"])
    return a.merge(f[[*KEYS, "assessment_id", "factor"]], on=[*KEYS, "assessment_id"])


def s47(t: Frames) -> pd.DataFrame:
    s = t["cin_s47"].drop_duplicates([*KEYS, "s47_id"])
    s = s[in_year(s["start_date"], s["year"])].copy()
    s["icpc_held"] = s["icpc_date"].notna()
    return _with_person(s[[*KEYS, "child_id", "s47_id", "icpc_held"]], cin_people(t))


def icpc(t: Frames) -> pd.DataFrame:
    s = t["cin_s47"].drop_duplicates([*KEYS, "s47_id"])
    s = s[in_year(s["icpc_date"], s["year"])].copy()
    s["within_15wd"] = working_days(s["start_date"], s["icpc_date"]) <= 15
    return _with_person(s[[*KEYS, "child_id", "s47_id", "within_15wd"]], cin_people(t))


def cpp_start(t: Frames) -> pd.DataFrame:
    p = t["cin_cpp"].drop_duplicates([*KEYS, "cpp_id"])
    p = p[in_year(p["start_date"], p["year"])].copy()
    p["repeat"] = p["previous_cpp"] >= 1
    return _with_person(p[[*KEYS, "child_id", "repeat", "initial_category"]], cin_people(t))


def cpp_31mar(t: Frames) -> pd.DataFrame:
    p = t["cin_cpp"]
    p = p[open_on_31mar(p["start_date"], p["end_date"], p["year"])]
    p = p.sort_values("start_date").drop_duplicates([*KEYS, "child_id"], keep="first").copy()
    two_years_before = year_end(p["year"]) - pd.DateOffset(years=2)
    p["over_2y"] = p["start_date"] <= two_years_before
    return _with_person(p[[*KEYS, "child_id", "over_2y", "initial_category"]], cin_people(t))


# ----------------------------------------------------------------------------- linkage units
def _all_people(t: Frames) -> pd.DataFrame:
    """Children in either return, the CIN record winning where both hold the child."""
    both = pd.concat([cin_people(t), cla_people(t)], ignore_index=True)
    return both.drop_duplicates([*KEYS, "child_id"], keep="first").reset_index(drop=True)


def social_care_child(t: Frames) -> pd.DataFrame:
    kids = _all_people(t)
    cla = cla_people(t)[[*KEYS, "child_id", "upn"]].rename(columns={"upn": "upn_903"})
    kids = kids.merge(cla, on=[*KEYS, "child_id"], how="left")
    kids["school_age"] = age_on(kids["birth"], academic_start(kids["year"])).between(5, 15)
    pupils = t["edu_pupil"][[*KEYS, "upn"]].drop_duplicates().assign(linked=True)
    linked = pd.Series(False, index=kids.index)
    for col in ("upn", "upn_903"):
        hit = kids[[*KEYS, col]].merge(
            pupils.rename(columns={"upn": col}), on=[*KEYS, col], how="left"
        )["linked"]
        linked |= hit.fillna(False).astype(bool).to_numpy()
    kids["linked_to_education"] = linked
    kids["ethnicity_known"] = kids["ethnicity_group"] != "Unknown"
    kids["disability_recorded"] = kids["disability"] != "Not recorded"
    cols = ["school_age", "upn_known", "linked_to_education", "ethnicity_known"]
    return kids[[*KEYS, "child_id", *cols, "disability_recorded", *PERSON]]


def pupil_groups(t: Frames) -> pd.DataFrame:
    """(year, la_code, child_id, group) for children in one of the three published groups."""
    cin = cin_31mar(t)
    cla12 = cla12_children(t).assign(group="cla12")
    cppo = cin[cin["on_cpp"] & ~cin["looked_after"]][[*KEYS, "child_id"]].assign(group="cppo")
    cino = cin[~cin["on_cpp"] & ~cin["looked_after"]][[*KEYS, "child_id"]].assign(group="cino")
    groups = pd.concat([cla12, cppo, cino], ignore_index=True)
    return groups.drop_duplicates([*KEYS, "child_id"], keep="first")


def pupil(t: Frames) -> pd.DataFrame:
    people = _all_people(t)
    groups = pupil_groups(t).merge(people, on=[*KEYS, "child_id"], how="left")
    cla_upn = cla_people(t)[[*KEYS, "child_id", "upn"]].rename(columns={"upn": "upn_903"})
    groups = groups.merge(cla_upn, on=[*KEYS, "child_id"], how="left")
    groups["upn"] = groups["upn"].where(groups["upn"].notna(), groups["upn_903"])
    groups = groups[groups["upn"].notna()].drop(columns="upn_903")
    order = {"cla12": 0, "cppo": 1, "cino": 2}
    groups = groups.assign(rank=groups["group"].map(order)).sort_values("rank")
    groups = groups.drop_duplicates([*KEYS, "upn"], keep="first").drop(columns="rank")
    edu = t["edu_pupil"].drop_duplicates([*KEYS, "upn"])
    out = edu.merge(groups[[*KEYS, "upn", "group", *PERSON]], on=[*KEYS, "upn"])
    possible = out["sessions_possible"].astype(float)
    missed = out["sessions_missed"].astype(float)
    share = missed / possible.where(possible > 0)
    out["sessions_possible"] = possible
    out["sessions_missed"] = missed
    out["absence_recorded"] = possible > 0  # the base of persistent and severe absence
    out["persistent"] = share >= 0.10
    out["severe"] = share >= 0.50
    out["ks2_cohort"] = out["ks2_rwm_expected"].notna()
    out["ks2_expected"] = out["ks2_rwm_expected"].fillna(False).astype(bool)
    out["ks4_cohort"] = out["attainment8"].notna()
    out["eyfs_cohort"] = out["eyfs_gld"].notna()
    out["eyfs_gld"] = out["eyfs_gld"].fillna(False).astype(bool)
    out["attainment8"] = out["attainment8"].astype(float)
    return out


def all_pupils(t: Frames) -> pd.DataFrame:
    return t["edu_la_baseline"][[*KEYS, "measure", "numerator", "denominator"]].copy()


UNITS = {name: globals()[name] for name in UNIT_NAMES}


def build_units(t: Frames, names: Sequence[str] = UNIT_NAMES) -> Frames:
    return {name: UNITS[name](t) for name in names}


# ----------------------------------------------------------------------------- indicators
def filtered(frame: pd.DataFrame, where: Mapping[str, Any] | None) -> pd.DataFrame:
    keep = pd.Series(True, index=frame.index)
    for col, wanted in (where or {}).items():
        values = frame[col]
        if isinstance(wanted, list):
            keep &= values.isin(wanted)
        elif isinstance(wanted, bool):
            keep &= values.fillna(not wanted).astype(bool) == wanted
        else:
            keep &= values == wanted
    return frame[keep]


def _side(
    spec: Mapping[str, Any], units: Frames, by: list[str]
) -> tuple[pd.Series, pd.Series | None]:
    """(aggregate, count of contributing rows) per ``by`` group for one side of an indicator."""
    frame = filtered(units[spec["unit"]], spec.get("where"))
    aggregate = spec["aggregate"]
    grouped = frame.groupby(by)
    if aggregate == "count":
        return grouped.size().astype(float), None
    columns = spec["column"] if isinstance(spec["column"], list) else [spec["column"]]
    values = frame[columns].astype(float).sum(axis=1, min_count=len(columns))
    if aggregate == "sum":
        return values.groupby([frame[c] for c in by]).sum(), None
    if aggregate == "mean":
        present = values.notna()
        keyed = values[present].groupby([frame.loc[present, c] for c in by])
        return keyed.mean(), keyed.size().astype(float)
    raise ValueError(f"aggregate {aggregate!r} is not handled here")


def population(t: Frames, by: list[str]) -> pd.Series:
    pop = t["ref_population"].copy()
    pop["age_band"] = age_band(pop["age"].astype(float))
    pop["sex"] = pop["sex"].map(SEXES).fillna("Unknown")
    return pop.groupby(by)["population"].sum().astype(float)


def expected_values(
    indicator: Mapping[str, Any], t: Frames, units: Frames, breakdown: str | None = None
) -> pd.DataFrame:
    """One row per year, LA (and breakdown value): numerator, denominator, value, and ``n`` (the
    count a disclosure rule looks at: the numerator count, or the mean's contributing rows)."""
    by = KEYS + ([breakdown] if breakdown else [])
    num_spec = indicator["numerator"]
    numerator, n = _side(num_spec, units, by)
    out = pd.DataFrame({"numerator": numerator})
    den_spec = indicator.get("denominator")
    if num_spec["aggregate"] == "mean":
        out["denominator"] = n
        out["value"] = out["numerator"]
    else:
        if den_spec is None:
            denominator = pd.Series(np.nan, index=out.index)
        elif "population" in den_spec:
            denominator = population(t, by)
        else:
            denominator, _ = _side(den_spec, units, by)
        out = out.join(denominator.rename("denominator"), how="outer")
        out["numerator"] = out["numerator"].fillna(0.0)
        scale = indicator.get("scale") or {"rate_per_10000": 10_000, "proportion": 100}.get(
            indicator["measure"], 1
        )
        out["value"] = out["numerator"] / out["denominator"].where(out["denominator"] > 0) * scale
    return out.reset_index()
