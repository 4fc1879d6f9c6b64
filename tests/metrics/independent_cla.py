"""A second, deliberately separate reading of the 903, workforce and LA-level units, in pandas.

The metrics layer turns record tables into units with SQL (``metrics/unit_sql.py``). A test that
compared that SQL with itself would prove nothing, so this module re-derives the same units from
the raw record tables, following only the written definitions (``metrics/units.py``, the design's
returns_spec section 4 and methods.md) and never importing the code under test. Where the written
definitions leave a choice open, the choice made here is stated next to the code, so that a
disagreement with the SQL points at a definition to settle rather than at a silent difference.

Periods of care and placements need a child's episode history beyond one collection year (an
episode open on 1 April keeps its original start date, and the episode that began the period may
only be in an earlier return), so chains are built over every year of the LA's returns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from data.engine import make_engine

Tables = Mapping[str, pd.DataFrame]

RECORD_TABLES = (
    "cla_header",
    "cla_episode",
    "cla_uasc",
    "cla_oc2",
    "cla_oc3",
    "cla_ad1",
    "cla_missing",
    "cla_social_worker",
    "csww_worker",
    "csww_la",
    "la_finance",
    "la_ofsted",
    "la_hospital_injury",
    "ref_population",
    "ref_la",
)
DATE_COLUMNS = {
    "cla_header": ("dob",),
    "cla_episode": ("decom", "dec"),
    "cla_uasc": ("dob", "duc"),
    "cla_oc2": ("dob",),
    "cla_oc3": ("dob",),
    "cla_ad1": ("dob", "date_int", "date_match"),
    "cla_missing": ("dob", "mis_start", "mis_end"),
    "cla_social_worker": ("dob", "sw_decom", "sw_dec"),
    "csww_worker": ("birth_date", "role_start_date", "role_end_date"),
}

SHORT_BREAKS = ("V3", "V4")  # left out of CLA statistics (returns_spec 2.2)
NEW_PLACEMENT_RNE = ("S", "P", "T", "B", "U")  # RNE L keeps the placement (returns_spec 4.1)
PLACEMENT_GROUPS = {
    "foster": ("U1", "U2", "U3", "U4", "U5", "U6"),
    "childrens_homes": ("K1", "K2"),
    "independent_supported": ("H5", "P2", "K3"),
    "placed_with_parents": ("P1",),
    "placed_for_adoption": ("A3", "A4", "A5", "A6"),
    "other_residential": ("R1", "R2", "R3", "R5"),
}
ADOPTED = ("E11", "E12")
SGO = ("E43", "E44", "E45", "E46", "E47", "E48")
CAO = ("E41",)
WHITE = ("WBRI", "WIRI", "WIRT", "WOTH", "WROM")
ETHNICITY_UNKNOWN = ("REFU", "NOBT")
SEX_NAMES = {"M": "Male", "F": "Female", "U": "Unknown"}
AGE_BANDS = ((0, 0, "Under 1"), (1, 4, "1-4"), (5, 9, "5-9"), (10, 15, "10-15"), (16, 200, "16+"))


# ---------------------------------------------------------------------------- reading


def read_tables(url: str) -> dict[str, pd.DataFrame]:
    """Every record and reference table this module reads, with dates as datetimes."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            tables = {
                name: pd.read_sql(sa.text(f"SELECT * FROM {name}"), conn) for name in RECORD_TABLES
            }
    finally:
        engine.dispose()
    for name, columns in DATE_COLUMNS.items():
        for column in columns:
            tables[name][column] = pd.to_datetime(tables[name][column])
    for frame in tables.values():
        if "la_code" in frame.columns:
            frame["la_code"] = frame["la_code"].astype(str)
    return tables


# ---------------------------------------------------------------------------- dates and people


def year_start(year: pd.Series) -> pd.Series:
    """1 April before the 31 March that names the collection year."""
    return pd.to_datetime((year - 1).astype(str) + "-04-01")


def year_end(year: pd.Series) -> pd.Series:
    return pd.to_datetime(year.astype(str) + "-03-31")


def age_on(dob: pd.Series, when: pd.Series) -> pd.Series:
    """Whole years of age on ``when`` (a birthday counts on the day itself)."""
    before_birthday = (when.dt.month * 100 + when.dt.day) < (dob.dt.month * 100 + dob.dt.day)
    return when.dt.year - dob.dt.year - before_birthday.astype(int)


def age_band(age: pd.Series) -> pd.Series:
    band = pd.Series(pd.NA, index=age.index, dtype="object")
    for low, high, name in AGE_BANDS:
        band[age.between(low, high)] = name
    return band


def ethnicity_group(code: pd.Series) -> pd.Series:
    first = code.str[0]
    group = first.map({"M": "Mixed", "A": "Asian", "B": "Black"}).astype("object")
    group[code.isin(WHITE)] = "White"
    group[code.isin(("CHNE", "OOTH"))] = "Other"
    group[code.isin(ETHNICITY_UNKNOWN) | group.isna()] = "Unknown"
    return group


def with_person(frame: pd.DataFrame, tables: Tables, ref_date: pd.Series) -> pd.DataFrame:
    """``frame`` (year, la_code, child) plus sex, ethnicity_group and age_band at ``ref_date``,
    from the same year's 903 header."""
    header = tables["cla_header"][["year", "la_code", "child", "sex", "dob", "ethnic"]]
    header = header.drop_duplicates(["year", "la_code", "child"])
    out = frame.assign(_ref=ref_date.to_numpy()).merge(
        header, on=["year", "la_code", "child"], how="left", validate="many_to_one"
    )
    out["sex"] = out["sex"].map(SEX_NAMES)
    out["ethnicity_group"] = ethnicity_group(out["ethnic"].fillna(""))
    out["age_band"] = age_band(age_on(out["dob"], out["_ref"]))
    return out.drop(columns=["_ref", "ethnic"])


# ---------------------------------------------------------------------------- episodes


def episodes(tables: Tables) -> pd.DataFrame:
    """Each year's episodes without short breaks, with the collection year's bounds."""
    ep = tables["cla_episode"]
    ep = ep[~ep["ls"].isin(SHORT_BREAKS)].copy()
    ep["start"] = year_start(ep["year"])
    ep["end"] = year_end(ep["year"])
    return ep


def chains(tables: Tables) -> pd.DataFrame:
    """One row per known episode of each child (over all years), with the start of its period of
    care and of its placement.

    A period is a chain of episodes joined by X1 (a new one starts after any other REC, or with
    RNE S); a placement starts with every RNE other than L, and with every new period. Where the
    earliest known episode is not an RNE S start, the period is taken to start at that episode:
    the returns hold nothing earlier, and ``period_known`` / ``placement_known`` say so."""
    ep = tables["cla_episode"]
    ep = ep[~ep["ls"].isin(SHORT_BREAKS)]
    # The latest return's copy of an episode carries its end date if it has ended since.
    ep = ep.sort_values("year").drop_duplicates(["la_code", "child", "decom"], keep="last")
    ep = ep.sort_values(["la_code", "child", "decom"]).reset_index(drop=True)
    first = ~ep.duplicated(["la_code", "child"])
    prev_rec = ep.groupby(["la_code", "child"])["rec"].shift()
    new_period = first | (prev_rec != "X1") | (ep["rne"] == "S")
    new_placement = new_period | ep["rne"].isin(NEW_PLACEMENT_RNE)
    period_id = new_period.cumsum()
    placement_id = new_placement.cumsum()
    # Known only if the chain reaches back to a real start rather than to the oldest return.
    real_start = (ep["rne"] == "S") | (~first & new_placement)
    out = ep[["la_code", "child", "decom"]].copy()
    out["period_start"] = ep["decom"].groupby(period_id).transform("min")
    out["period_known"] = (ep["rne"] == "S").groupby(period_id).transform("max")
    out["placement_start"] = ep["decom"].groupby(placement_id).transform("min")
    out["placement_known"] = real_start.groupby(placement_id).transform("max")
    return out


def _open_on_31mar(tables: Tables) -> pd.DataFrame:
    ep = episodes(tables)
    open_ = ep[(ep["decom"] <= ep["end"]) & (ep["dec"].isna() | (ep["dec"] > ep["end"]))]
    open_ = open_.sort_values("decom").drop_duplicates(["year", "la_code", "child"], keep="last")
    return open_.merge(chains(tables), on=["la_code", "child", "decom"], how="left")


def _placements_in_year(tables: Tables) -> pd.DataFrame:
    """Number of placements open at any time in the year, per child: every episode in the year
    that starts a placement, plus one if the first episode in the year continues (RNE L) a
    placement that began before it."""
    ep = episodes(tables)
    ep = ep[(ep["decom"] <= ep["end"]) & (ep["dec"].isna() | (ep["dec"] >= ep["start"]))]
    ep = ep.sort_values(["year", "la_code", "child", "decom"])
    starts = ep["rne"].isin(NEW_PLACEMENT_RNE).astype(int)
    first = ~ep.duplicated(["year", "la_code", "child"])
    starts = starts + (first & (ep["rne"] == "L")).astype(int)
    return (
        starts.groupby([ep["year"], ep["la_code"], ep["child"]]).sum().rename("placements")
    ).reset_index()


def _uasc_on(tables: Tables, frame: pd.DataFrame, when: pd.Series) -> pd.Series:
    """Whether each child of ``frame`` is in the year's UASC table with status not ceased by
    ``when`` (DUC blank or after it)."""
    uasc = tables["cla_uasc"][["year", "la_code", "child", "duc"]]
    uasc = uasc.drop_duplicates(["year", "la_code", "child"])
    joined = frame[["year", "la_code", "child"]].merge(uasc, how="left", indicator=True)
    in_table = (joined["_merge"] == "both").to_numpy()
    not_ceased = (joined["duc"].isna() | (joined["duc"] > when.to_numpy())).to_numpy()
    return pd.Series(in_table & not_ceased, index=frame.index)


def _upn_known(upn: pd.Series) -> pd.Series:
    return upn.notna() & (upn.astype(str).str.strip() != "") & ~upn.astype(str).str.match(r"UN\d")


# ---------------------------------------------------------------------------- 903 units


def cla_31mar(tables: Tables) -> pd.DataFrame:
    """Children looked after on 31 March: one row per child with the unit's columns."""
    ep = _open_on_31mar(tables)
    ep = ep.reset_index(drop=True)
    out = with_person(ep[["year", "la_code", "child"]], tables, ep["end"])
    out["uasc"] = _uasc_on(tables, out, ep["end"]).to_numpy()
    group = pd.Series("other", index=ep.index)
    for name, codes in PLACEMENT_GROUPS.items():
        group[ep["place"].isin(codes)] = name
    out["placement_group"] = group.to_numpy()
    out["distance_known"] = ep["pl_distance"].notna().to_numpy()
    out["over_20mi"] = (ep["pl_distance"] > 20).to_numpy()  # unknown distance: not over
    placements = _placements_in_year(tables)
    out = out.merge(placements, on=["year", "la_code", "child"], how="left")
    out["placements_3plus"] = out["placements"].fillna(0) >= 3
    out["social_workers_3plus"] = _social_workers_3plus(tables, out)
    age = age_on(out["dob"], ep["end"])
    long_ago = ep["period_start"] <= ep["end"] - pd.DateOffset(months=30)
    same_place = ep["placement_start"] <= ep["end"] - pd.DateOffset(years=2)
    # A chain cut off by the oldest return with a start too recent to settle it is unknown
    # (nullable booleans: unknown and false is false, unknown and true is unknown).
    under_16 = pd.array((age < 16).to_numpy(), dtype="boolean")
    long_in_care = _settled(long_ago, ep["period_known"]).array & under_16
    out["under_16_in_care_2_5y"] = long_in_care
    stable = _settled(same_place, ep["placement_known"]).array & long_in_care
    out["same_placement_2y"] = stable
    header = tables["cla_header"].drop_duplicates(["year", "la_code", "child"])
    upn = out[["year", "la_code", "child"]].merge(header, how="left")["upn"]
    out["upn_known"] = _upn_known(upn).to_numpy()
    return out.drop(columns=["placements"])


def _settled(condition: pd.Series, known: pd.Series) -> pd.Series:
    """``condition`` where it is true or the start it tests is known, else unknown (NA)."""
    unsettled = ~condition & ~known.fillna(False).astype(bool)
    return condition.astype("boolean").mask(unsettled)


def _social_workers_3plus(tables: Tables, cohort: pd.DataFrame) -> np.ndarray:
    """Distinct social workers whose episodes overlap the 12 months to 31 March; null in years
    whose return has no social worker table (before 2023-24)."""
    sw = tables["cla_social_worker"].copy()
    sw["start"], sw["end"] = year_start(sw["year"]), year_end(sw["year"])
    sw = sw[(sw["sw_decom"] <= sw["end"]) & (sw["sw_dec"].isna() | (sw["sw_dec"] >= sw["start"]))]
    workers = sw.groupby(["year", "la_code", "child"])["sw_id"].nunique().rename("n")
    joined = cohort[["year", "la_code", "child"]].merge(workers.reset_index(), how="left")
    collected = joined["year"].isin(tables["cla_social_worker"]["year"].unique())
    flag = (joined["n"].fillna(0) >= 3).astype("object")
    flag[~collected] = None
    return flag.to_numpy()


def cla_start(tables: Tables) -> pd.DataFrame:
    """Children who started to be looked after in the year, each once (at their first start)."""
    ep = episodes(tables)
    starts = ep[(ep["rne"] == "S") & ep["decom"].between(ep["start"], ep["end"])]
    starts = starts.sort_values("decom").drop_duplicates(["year", "la_code", "child"])
    starts = starts.reset_index(drop=True)
    out = with_person(starts[["year", "la_code", "child"]], tables, starts["decom"])
    out["uasc"] = _uasc_on(tables, out, starts["decom"]).to_numpy()
    return out


def cla_ceased(tables: Tables) -> pd.DataFrame:
    """Periods of care that ended in the year: episodes ending with a REC other than X1."""
    ep = episodes(tables)
    ended = ep[ep["dec"].between(ep["start"], ep["end"]) & ep["rec"].notna() & (ep["rec"] != "X1")]
    ended = ended.reset_index(drop=True)
    out = with_person(ended[["year", "la_code", "child"]], tables, ended["dec"])
    out["reason"] = ended["rec"].to_numpy()
    out["adopted"] = ended["rec"].isin(ADOPTED).to_numpy()
    out["sgo"] = ended["rec"].isin(SGO).to_numpy()
    out["cao"] = ended["rec"].isin(CAO).to_numpy()
    return out


def cla_in_year(tables: Tables) -> pd.DataFrame:
    """Children looked after at any time in the year, each once; missing (M) or away (A)
    incidents starting in the year."""
    ep = episodes(tables)
    during = ep[(ep["decom"] <= ep["end"]) & (ep["dec"].isna() | (ep["dec"] >= ep["start"]))]
    kids = during.drop_duplicates(["year", "la_code", "child"])[["year", "la_code", "child"]]
    kids = kids.reset_index(drop=True)
    out = with_person(kids, tables, year_end(kids["year"]))
    miss = tables["cla_missing"].copy()
    miss = miss[miss["mis_start"].between(year_start(miss["year"]), year_end(miss["year"]))]
    for flag, code in (("went_missing", "M"), ("away", "A")):
        who = miss.loc[miss["missing"] == code, ["year", "la_code", "child"]].drop_duplicates()
        hit = out[["year", "la_code", "child"]].merge(who, how="left", indicator=True)
        out[flag] = (hit["_merge"] == "both").to_numpy()
    return out


def cla12(tables: Tables) -> pd.DataFrame:
    """Children looked after on 31 March whose period of care began at least 12 months before:
    a start on 1 April of the previous year or earlier (the whole year to 31 March) counts."""
    ep = _open_on_31mar(tables)
    ep = ep[ep["period_start"] <= ep["start"]].reset_index(drop=True)
    out = with_person(ep[["year", "la_code", "child"]], tables, ep["end"])
    oc2 = tables["cla_oc2"].drop_duplicates(["year", "la_code", "child"])
    sdq = out[["year", "la_code", "child"]].merge(oc2, how="left")["sdq_score"]
    age = age_on(out["dob"], ep["end"])
    out["sdq_score"] = sdq.astype(float).to_numpy()
    out["sdq_due"] = age.between(4, 16).to_numpy()  # returns_spec: SDQ for ages 4 to 16
    out["sdq_recorded"] = sdq.notna().to_numpy()
    return out


def care_leaver(tables: Tables) -> pd.DataFrame:
    """OC3 rows: care leavers whose 17th to 21st birthday fell in the year."""
    oc3 = tables["cla_oc3"].reset_index(drop=True)
    end = year_end(oc3["year"])
    out = with_person(oc3[["year", "la_code", "child"]], tables, end)
    age = age_on(oc3["dob"], end)  # the birthday in the year has passed by 31 March
    band = pd.Series(pd.NA, index=oc3.index, dtype="object")
    band[age.between(17, 18)] = "17-18"
    band[age.between(19, 21)] = "19-21"
    activ = oc3["activ"].fillna("").astype(str)
    accom = oc3["accom"].fillna("").astype(str)
    out["leaver_age_band"] = band.to_numpy()
    out["in_touch"] = (oc3["in_touch"] == "YES").to_numpy()
    out["eet"] = activ.str.match(r"[FP]\d").to_numpy()
    out["suitable_accom"] = accom.str.match(r"[A-Z]1$").to_numpy()
    out["staying_put"] = accom.isin(("Z1", "Z2")).to_numpy()
    return out


def adoption(tables: Tables) -> pd.DataFrame:
    """AD1 rows; months from the decision to place for adoption to the match, as days over the
    mean month length (365.25 / 12)."""
    ad1 = tables["cla_ad1"].reset_index(drop=True)
    out = with_person(ad1[["year", "la_code", "child"]], tables, year_end(ad1["year"]))
    days = (ad1["date_match"] - ad1["date_int"]).dt.days
    out["months_decision_to_match"] = (days / (365.25 / 12)).to_numpy()
    return out


# ---------------------------------------------------------------------------- workforce and LA


def workforce(tables: Tables) -> pd.DataFrame:
    """One row per LA-year of the workforce census, following returns_spec section 3."""
    w = tables["csww_worker"].copy()
    w["employed"] = w["agency_worker"] == 0
    w["fte30_"] = w["fte30"].fillna(0.0)
    sept30 = pd.to_datetime(w["year"].astype(str) + "-09-30")
    oct1 = pd.to_datetime((w["year"] - 1).astype(str) + "-10-01")
    w["leaver"] = w["employed"] & w["role_end_date"].between(oct1, sept30)
    w["in_post"] = w["fte30"].fillna(0) > 0
    # Caseload follows returns_spec: Cases30 over case holders (OrgRole 5), agency included.
    w["caseholder"] = w["in_post"] & (w["org_role"] == 5)
    # Characteristics of agency workers are patchy in the census (returns_spec 3), so headcounts
    # and ethnicity are of LA-employed workers in post, as DfE reports workforce diversity.
    w["counted"] = w["in_post"] & w["employed"]
    eth = w["ethnicity"]
    w["eth_known"] = w["counted"] & eth.notna() & ~eth.isin(ETHNICITY_UNKNOWN)
    w["eth_minority"] = w["eth_known"] & ~eth.isin(WHITE)
    keys = [w["year"], w["la_code"]]
    out = pd.DataFrame(
        {
            "fte_in_post": w["fte30_"].where(w["employed"], 0.0).groupby(keys).sum(),
            "leaver_fte": w["fte"].fillna(0.0).where(w["leaver"], 0.0).groupby(keys).sum(),
            "agency_fte_workers": w["fte30_"].where(~w["employed"], 0.0).groupby(keys).sum(),
            "caseholder_fte": w["fte30_"].where(w["caseholder"], 0.0).groupby(keys).sum(),
            "cases": w["cases30"].fillna(0).where(w["caseholder"], 0).groupby(keys).sum(),
            "headcount": w["counted"].groupby(keys).sum(),
            "ethnicity_known_headcount": w["eth_known"].groupby(keys).sum(),
            "ethnic_minority_headcount": w["eth_minority"].groupby(keys).sum(),
        }
    ).reset_index()
    la = tables["csww_la"][["year", "la_code", "vacancies_fte", "agency_fte"]]
    out = out.merge(la, on=["year", "la_code"], how="outer")
    return out.rename(columns={"vacancies_fte": "vacancy_fte"})


def la_finance(tables: Tables) -> pd.DataFrame:
    """Spending lines as columns, with the 0-17 population of the same year."""
    fin = tables["la_finance"].pivot_table(
        index=["year", "la_code"], columns="line", values="value_gbp", aggfunc="sum"
    )
    pop = tables["ref_population"].groupby(["year", "la_code"])["population"].sum()
    out = fin.reset_index()
    out.columns.name = None
    return out.merge(pop.rename("population_0_17").reset_index(), how="left")


def la_ofsted(tables: Tables) -> pd.DataFrame:
    of = tables["la_ofsted"]
    return of.rename(columns={"leadership_judgement": "judgement"})[
        ["year", "la_code", "judgement"]
    ]


def la_hospital(tables: Tables) -> pd.DataFrame:
    return tables["la_hospital_injury"][["year", "la_code", "admissions_0_14", "population_0_14"]]


UNIT_FUNCTIONS: dict[str, Callable[[Tables], pd.DataFrame]] = {
    "cla_31mar": cla_31mar,
    "cla_start": cla_start,
    "cla_ceased": cla_ceased,
    "cla_in_year": cla_in_year,
    "cla12": cla12,
    "care_leaver": care_leaver,
    "adoption": adoption,
    "workforce": workforce,
    "la_finance": la_finance,
    "la_ofsted": la_ofsted,
    "la_hospital": la_hospital,
}


def population_0_17(tables: Tables) -> pd.DataFrame:
    """ref_population with the breakdown names the tidy table uses."""
    pop = tables["ref_population"].copy()
    pop["age_band"] = age_band(pop["age"])
    pop["sex"] = pop["sex"].map(SEX_NAMES)
    return pop


# ---------------------------------------------------------------------------- indicators


DEFAULT_SCALE = {"rate_per_10000": 10_000.0, "proportion": 100.0}  # catalogue README


def scale_of(entry: Mapping[str, Any]) -> float:
    """What numerator / denominator is multiplied by, read from the catalogue entry as data."""
    return float(entry.get("scale", DEFAULT_SCALE.get(entry["measure"], 1.0)))


def _columns(side: Mapping[str, Any]) -> list[str]:
    column = side.get("column")
    return [] if column is None else [column] if isinstance(column, str) else list(column)


def _filtered(frame: pd.DataFrame, where: Mapping[str, Any]) -> pd.DataFrame:
    keep = pd.Series(True, index=frame.index)
    for column, wanted in where.items():
        values = wanted if isinstance(wanted, list) else [wanted]
        keep &= frame[column].isin(values).fillna(False).astype(bool) & frame[column].notna()
    return frame[keep]


def _where_columns(frame: pd.DataFrame, sides: list[Mapping[str, Any]]) -> list[str]:
    return sorted({c for side in sides for c in side.get("where", {}) if c in frame})


def _unsettled(frame: pd.DataFrame, sides: list[Mapping[str, Any]]) -> pd.DataFrame:
    """year, la_code where a filter column is unknown for some record: a flag not collected
    that year, or not settled by the returns held."""
    columns = _where_columns(frame, sides)
    if not columns:
        return frame[["year", "la_code"]].iloc[:0]
    unknown = frame[columns].isna().any(axis=1)
    return frame.loc[unknown, ["year", "la_code"]].drop_duplicates()


def _settled_groups(frame: pd.DataFrame, sides: list[Mapping[str, Any]]) -> pd.DataFrame:
    """``frame`` without its unsettled LA-years: there is no expectation there."""
    hit = frame[["year", "la_code"]].merge(_unsettled(frame, sides), how="left", indicator=True)
    return frame[(hit["_merge"] == "left_only").to_numpy()]


def _sides(entry: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    den = entry.get("denominator")
    return [entry["numerator"]] + ([den] if den and "unit" in den else [])


def unsettled_la_years(
    entry: Mapping[str, Any], units: Mapping[str, pd.DataFrame]
) -> set[tuple[int, str]]:
    """The LA-years ``expected_values`` leaves out because the records cannot settle them."""
    sides = _sides(entry)
    out: set[tuple[int, str]] = set()
    for side in sides:
        frame = _unsettled(units[side["unit"]], sides)
        out |= {(int(y), str(la)) for y, la in frame.itertuples(index=False)}
    return out


def _side(frame: pd.DataFrame, side: Mapping[str, Any], keys: list[str]) -> pd.DataFrame:
    """One catalogue side (unit, aggregate, column, where) aggregated into ``total`` (and ``n``,
    the number of values, for a mean or median)."""
    part = _filtered(frame, side.get("where", {}))
    columns = _columns(side)
    by = [part[k] for k in keys]
    if side["aggregate"] == "count":
        return part.groupby(by).size().rename("total").reset_index()
    if side["aggregate"] == "sum":
        total = sum(
            (part[c].astype(float).fillna(0.0) for c in columns), pd.Series(0.0, part.index)
        )
        return total.groupby(by).sum().rename("total").reset_index()
    values = part[columns[0]].astype(float)
    valid = part[values.notna()]
    stat = "mean" if side["aggregate"] == "mean" else "median"
    out = values.dropna().groupby([valid[k] for k in keys]).agg(["size", stat]).reset_index()
    return out.rename(columns={"size": "n", stat: "total"})


def expected_values(
    entry: Mapping[str, Any],
    units: Mapping[str, pd.DataFrame],
    population: pd.DataFrame,
    breakdown: str = "total",
) -> pd.DataFrame:
    """year, la_code (and ``breakdown``), numerator, denominator and value of the catalogue
    ``entry`` (its YAML as a dict) by this module's path: a row for every group with a
    denominator (or any record of the unit when there is none), zero numerators included. For a
    mean the numerator is the number of values averaged."""
    keys = ["year", "la_code"] + ([] if breakdown == "total" else [breakdown])
    num_side = entry["numerator"]
    den_side = entry.get("denominator")
    sides = _sides(entry)
    frame = _settled_groups(units[num_side["unit"]], sides)
    num = _side(frame, num_side, keys)
    if num_side["aggregate"] in ("mean", "median"):
        out = num.rename(columns={"n": "numerator", "total": "value"})
        out["denominator"] = np.nan
        return out[[*keys, "numerator", "denominator", "value"]]
    if den_side is None:
        out = frame[keys].drop_duplicates().merge(num, how="left")
        out = out.rename(columns={"total": "numerator"})
        out["numerator"] = out["numerator"].fillna(0.0)
        out["denominator"] = np.nan
        out["value"] = out["numerator"] * scale_of(entry)
        return out[[*keys, "numerator", "denominator", "value"]]
    if "population" in den_side:
        den = population.groupby(keys)["population"].sum().rename("total").reset_index()
    else:
        den = _side(_settled_groups(units[den_side["unit"]], sides), den_side, keys)
    out = den.rename(columns={"total": "denominator"}).merge(
        num.rename(columns={"total": "numerator"}), on=keys, how="left"
    )
    out["numerator"] = out["numerator"].fillna(0.0)
    out = out[out["denominator"] > 0].copy()
    out["value"] = out["numerator"] / out["denominator"] * scale_of(entry)
    return out[[*keys, "numerator", "denominator", "value"]].reset_index(drop=True)


def build_units(tables: Tables, names: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """Every unit of this module (or only ``names``) from ``tables``."""
    wanted = names if names is not None else list(UNIT_FUNCTIONS)
    return {name: UNIT_FUNCTIONS[name](tables) for name in wanted}
