"""SQL for each unit in ``units.py``: SQLAlchemy Core selects that run unchanged on DuckDB,
SQLite and PostgreSQL.

Portability rules: no engine date functions (dates are compared, or looked up in
``metrics_calendar`` / ``metrics_year``), no FILTER clauses (CASE inside aggregates), text
functions limited to SUBSTR. Each select yields ``year``, ``la_code``, the unit's columns and,
for person units, the breakdown columns, one row per unit member.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import ColumnElement, Select

from data import schema as s
from metrics.calendar import calendar, year_dates

Builder = Callable[[], Select]

TRUE = sa.true()


def on_grid(value: ColumnElement[Any], bits: int = 32) -> ColumnElement[Any]:
    """``value`` rounded to a multiple of 2**-bits (a change below 1e-9 at the default).

    Floating-point addition is not associative, and parallel engines (DuckDB, PostgreSQL) add
    a group's rows in whatever order their threads finish, so a plain SUM of non-integer values
    can differ in its last bit from one run to the next, and between a build of every LA and a
    rebuild of one. Values on a grid add exactly while the total stays below 2**(53 - bits), so
    their sum is the same in any order: a rebuild after an import matches a full build exactly.
    Values of 2**(52 - bits) and more are on the grid already and are left as they are."""
    scale = float(2**bits)
    return sa.func.round(value * scale) / scale


def exact_sum(value: ColumnElement[Any], bits: int = 32) -> ColumnElement[Any]:
    """SUM that does not depend on the order rows are added in (see :func:`on_grid`)."""
    return sa.func.sum(on_grid(value, bits))


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """A 0/1 integer column (booleans travel badly between engines)."""
    return sa.case((condition, 1), else_=0)


# ---------------------------------------------------------------- people and breakdowns
def _ethnicity_group(code: ColumnElement[str]) -> ColumnElement[str]:
    first = sa.func.substr(code, 1, 1)
    return sa.case(
        (code.in_(["REFU", "NOBT"]), "Unknown"),
        (code.is_(None), "Unknown"),
        (first == "W", "White"),
        (first == "M", "Mixed"),
        (first == "A", "Asian"),
        (first == "B", "Black"),
        else_="Other",
    )


def _sex_label(code: ColumnElement[str]) -> ColumnElement[str]:
    return sa.case((code == "M", "Male"), (code == "F", "Female"), else_="Unknown")


def _age_band(age: ColumnElement[int]) -> ColumnElement[str]:
    return sa.case(
        (age < 1, "Under 1"),
        (age < 5, "1-4"),
        (age < 10, "5-9"),
        (age < 16, "10-15"),
        else_="16+",
    )


def _age_at_31_march(year: ColumnElement[int], birth_cal: sa.FromClause) -> ColumnElement[int]:
    # Whole years on 31 March of the collection year; the unborn (no calendar row) count as 0.
    age = year - birth_cal.c.cal_year - sa.case((birth_cal.c.month_day > 331, 1), else_=0)
    return sa.func.coalesce(sa.case((age < 0, 0), else_=age), 0)


def _disability() -> sa.Subquery:
    d = s.cin_disability
    return (
        sa.select(
            d.c.year,
            d.c.la_code,
            d.c.child_id,
            sa.func.max(_flag(d.c.disability != "NONE")).label("disabled"),
        )
        .group_by(d.c.year, d.c.la_code, d.c.child_id)
        .subquery("dis")
    )


def _person_columns(
    year: ColumnElement[int],
    sex: ColumnElement[str],
    ethnicity: ColumnElement[str],
    dis: sa.Subquery,
    birth_cal: sa.FromClause,
) -> list[ColumnElement[str]]:
    """The four breakdown columns, labelled, for a child record of either return."""
    return [
        _age_band(_age_at_31_march(year, birth_cal)).label("age_band"),
        _sex_label(sex).label("sex"),
        _ethnicity_group(ethnicity).label("ethnicity_group"),
        sa.case(
            (dis.c.disabled == 1, "Disabled"),
            (dis.c.disabled == 0, "Not disabled"),
            else_="Not recorded",
        ).label("disability"),
    ]


def _with_disability(table: sa.Table, child: ColumnElement[str], dis: sa.Subquery) -> sa.Join:
    return table.outerjoin(
        dis,
        (dis.c.year == table.c.year)
        & (dis.c.la_code == table.c.la_code)
        & (dis.c.child_id == child),
    )


def cin_people_select() -> Select:
    """One row per child in each year's CIN census, with the breakdown columns."""
    c = s.cin_child
    dis = _disability()
    bcal = calendar.alias("bcal")
    birth = sa.func.coalesce(c.c.birth_date, c.c.expected_birth_date)
    return sa.select(
        c.c.year,
        c.c.la_code,
        c.c.child_id,
        c.c.upn,
        c.c.ethnicity,
        birth.label("birth"),
        *_person_columns(c.c.year, c.c.sex, c.c.ethnicity, dis, bcal),
    ).select_from(_with_disability(c, c.c.child_id, dis).outerjoin(bcal, bcal.c.date == birth))


def cla_people_select() -> Select:
    """One row per child in each year's 903 header, with breakdowns (disability from the CIN
    census of the same LA-year, where the child is there)."""
    h = s.cla_header
    dis = _disability()
    bcal = calendar.alias("hcal")
    return sa.select(
        h.c.year,
        h.c.la_code,
        h.c.child,
        h.c.upn,
        h.c.dob,
        *_person_columns(h.c.year, h.c.sex, h.c.ethnic, dis, bcal),
    ).select_from(_with_disability(h, h.c.child, dis).outerjoin(bcal, bcal.c.date == h.c.dob))


def _people_table(name: str, child: str, birth: str, extra: tuple[str, ...]) -> sa.Table:
    return sa.Table(
        name,
        sa.MetaData(),
        sa.Column("year", sa.Integer),
        sa.Column("la_code", sa.String),
        sa.Column(child, sa.String),
        sa.Column("upn", sa.String),
        *(sa.Column(c, sa.String) for c in extra),
        sa.Column(birth, sa.Date),
        *(sa.Column(c, sa.String) for c in ("age_band", "sex", "ethnicity_group", "disability")),
    )


# Materialised once per metrics build (see PEOPLE_SQL), then joined by every person unit.
CIN_PEOPLE = _people_table("metrics_cin_people", "child_id", "birth", ("ethnicity",))
CLA_PEOPLE = _people_table("metrics_cla_people", "child", "dob", ())


def cin_people() -> sa.Table:
    return CIN_PEOPLE


def cla_people() -> sa.Table:
    return CLA_PEOPLE


def _breakdowns(p: sa.FromClause) -> list[ColumnElement[str]]:
    return [p.c.age_band, p.c.sex, p.c.ethnicity_group, p.c.disability]


def _person_join(
    table: sa.FromClause, p: sa.FromClause, child_col: str, person_col: str
) -> ColumnElement[bool]:
    return (
        (p.c.year == table.c.year)
        & (p.c.la_code == table.c.la_code)
        & (getattr(p.c, person_col) == getattr(table.c, child_col))
    )


def _in_year(col: ColumnElement[object], y: sa.Table | sa.Alias) -> ColumnElement[bool]:
    return (col >= y.c.year_start) & (col <= y.c.year_end)


# ---------------------------------------------------------------- CIN units
def _referral_history() -> sa.Subquery:
    """Every distinct referral of each child across all returns, with the date of the child's
    previous referral: DfE links collection years, so a referral in April can be a re-referral
    of one made the previous summer and closed before this year's census began."""
    e = s.cin_episode
    distinct = sa.select(e.c.la_code, e.c.child_id, e.c.referral_date).distinct().subquery("refs")
    previous = sa.func.lag(distinct.c.referral_date).over(
        partition_by=(distinct.c.la_code, distinct.c.child_id), order_by=distinct.c.referral_date
    )
    return sa.select(
        distinct.c.la_code,
        distinct.c.child_id,
        distinct.c.referral_date,
        previous.label("previous"),
    ).subquery("history")


def referral() -> Select:
    e = s.cin_episode
    p = cin_people()
    y = year_dates
    h = _referral_history()
    pcal = calendar.alias("pcal")
    # Within 12 months: previous < current <= previous + 12 months (returns_spec 4.4).
    within = pcal.c.plus_12_months >= e.c.referral_date
    return (
        sa.select(
            e.c.year,
            e.c.la_code,
            e.c.child_id,
            _flag(within).label("rereferral_12m"),
            _flag(e.c.referral_nfa).label("nfa"),
            e.c.referral_source.label("source"),
            *_breakdowns(p),
        )
        .select_from(
            e.join(y, y.c.year == e.c.year)
            .join(
                h,
                (h.c.la_code == e.c.la_code)
                & (h.c.child_id == e.c.child_id)
                & (h.c.referral_date == e.c.referral_date),
            )
            .outerjoin(pcal, pcal.c.date == h.c.previous)
            .join(p, _person_join(e, p, "child_id", "child_id"))
        )
        .where(_in_year(e.c.referral_date, y))
    )


def child_referred() -> Select:
    r = referral().subquery("r")
    return sa.select(
        r.c.year,
        r.c.la_code,
        sa.func.max(r.c.rereferral_12m).label("rereferred_12m"),
        sa.func.min(r.c.age_band).label("age_band"),
        sa.func.min(r.c.sex).label("sex"),
        sa.func.min(r.c.ethnicity_group).label("ethnicity_group"),
        sa.func.min(r.c.disability).label("disability"),
    ).group_by(r.c.year, r.c.la_code, r.c.child_id)


def cin_31mar() -> Select:
    e = s.cin_episode
    p = cin_people()
    cpp = s.cin_cpp
    on_plan = (
        sa.select(sa.literal(1))
        .where(
            cpp.c.year == e.c.year,
            cpp.c.la_code == e.c.la_code,
            cpp.c.child_id == e.c.child_id,
            cpp.c.end_date.is_(None),
        )
        .exists()
    )
    ce = s.cla_episode
    in_care = (
        sa.select(sa.literal(1))
        .where(
            ce.c.year == e.c.year,
            ce.c.la_code == e.c.la_code,
            ce.c.child == e.c.child_id,
            ce.c.dec.is_(None),
            ce.c.ls.notin_(["V3", "V4"]),
        )
        .exists()
    )
    kids = (
        sa.select(
            e.c.year,
            e.c.la_code,
            e.c.child_id,
            sa.func.max(_flag(on_plan)).label("on_cpp"),
            sa.func.max(_flag(in_care)).label("looked_after"),
            sa.func.max(e.c.primary_need).label("primary_need"),
        )
        .where(e.c.closure_date.is_(None))
        .group_by(e.c.year, e.c.la_code, e.c.child_id)
        .subquery("open31")
    )
    return sa.select(
        kids.c.year,
        kids.c.la_code,
        kids.c.on_cpp,
        kids.c.looked_after,
        kids.c.primary_need,
        _flag(p.c.upn.is_not(None)).label("upn_known"),
        *_breakdowns(p),
    ).select_from(kids.join(p, _person_join(kids, p, "child_id", "child_id")))


def _cin_event(
    t: sa.Table,
    date: ColumnElement[Any],
    *columns: ColumnElement[Any],
    joins: tuple[tuple[sa.FromClause, ColumnElement[bool]], ...] = (),
) -> Select:
    """A CIN unit with one row per record whose ``date`` falls in the collection year."""
    p = cin_people()
    y = year_dates
    source = t.join(y, y.c.year == t.c.year)
    for other, on in joins:
        source = source.join(other, on)
    return (
        sa.select(t.c.year, t.c.la_code, *columns, *_breakdowns(p))
        .select_from(source.join(p, _person_join(t, p, "child_id", "child_id")))
        .where(_in_year(date, year_dates))
    )


def assessment() -> Select:
    a = s.cin_assessment
    sc, ec = calendar.alias("acs"), calendar.alias("ace")
    wd = ec.c.working_day - sc.c.working_day
    return _cin_event(
        a,
        a.c.authorisation_date,
        _flag(wd <= 45).label("within_45wd"),
        wd.label("working_days"),
        joins=((sc, sc.c.date == a.c.start_date), (ec, ec.c.date == a.c.authorisation_date)),
    )


def assessment_factor() -> Select:
    a = s.cin_assessment
    f = s.cin_assessment_factor
    p = cin_people()
    y = year_dates
    keys = (a.c.year == f.c.year) & (a.c.la_code == f.c.la_code)
    return (
        sa.select(f.c.year, f.c.la_code, f.c.factor, *_breakdowns(p))
        .select_from(
            f.join(a, keys & (a.c.assessment_id == f.c.assessment_id))
            .join(y, y.c.year == a.c.year)
            .join(p, _person_join(a, p, "child_id", "child_id"))
        )
        .where(_in_year(a.c.authorisation_date, y))
    )


def s47() -> Select:
    t = s.cin_s47
    return _cin_event(t, t.c.start_date, _flag(t.c.icpc_date.is_not(None)).label("icpc_held"))


def icpc() -> Select:
    t = s.cin_s47
    sc, ec = calendar.alias("ics"), calendar.alias("ice")
    return _cin_event(
        t,
        t.c.icpc_date,
        _flag(ec.c.working_day - sc.c.working_day <= 15).label("within_15wd"),
        joins=((sc, sc.c.date == t.c.start_date), (ec, ec.c.date == t.c.icpc_date)),
    )


def cpp_start() -> Select:
    t = s.cin_cpp
    return _cin_event(
        t, t.c.start_date, _flag(t.c.previous_cpp >= 1).label("repeat"), t.c.initial_category
    )


def cpp_31mar() -> Select:
    t = s.cin_cpp
    p = cin_people()
    y = year_dates
    kids = (
        sa.select(
            t.c.year,
            t.c.la_code,
            t.c.child_id,
            sa.func.max(_flag(t.c.start_date <= y.c.end_minus_2y)).label("over_2y"),
            sa.func.min(t.c.initial_category).label("initial_category"),
        )
        .select_from(t.join(y, y.c.year == t.c.year))
        .where(t.c.end_date.is_(None))
        .group_by(t.c.year, t.c.la_code, t.c.child_id)
        .subquery("cpp31")
    )
    return sa.select(
        kids.c.year, kids.c.la_code, kids.c.over_2y, kids.c.initial_category, *_breakdowns(p)
    ).select_from(kids.join(p, _person_join(kids, p, "child_id", "child_id")))


# ---------------------------------------------------------------- 903 units
PLACEMENT_GROUPS = {
    "foster": ["U1", "U2", "U3", "U4", "U5", "U6"],
    "childrens_homes": ["K1", "K2"],
    "independent_supported": ["H5", "P2", "K3"],
    "placed_with_parents": ["P1"],
    "placed_for_adoption": ["A3", "A4", "A5", "A6"],
    "other_residential": ["R1", "R2", "R3", "R5"],
}


def _placement_group(place: ColumnElement[str]) -> ColumnElement[str]:
    return sa.case(
        *((place.in_(codes), name) for name, codes in PLACEMENT_GROUPS.items()), else_="other"
    )


def _not_short_break(ep: sa.Table | sa.Alias) -> ColumnElement[bool]:
    return ep.c.ls.notin_(["V3", "V4"])


def cla_31mar() -> Select:
    e = s.cla_episode
    p = cla_people()
    y = year_dates
    u = s.cla_uasc
    is_uasc = (
        sa.select(sa.literal(1))
        .where(u.c.year == e.c.year, u.c.la_code == e.c.la_code, u.c.child == e.c.child)
        .exists()
    )
    # Placements in the year: episodes starting a placement (RNE S, P, T, B, U) in the year, plus
    # the placement open on 1 April.
    e2 = s.cla_episode.alias("e2")
    starts_in_year = e2.c.rne.in_(["S", "P", "T", "B", "U"]) & (e2.c.decom >= y.c.year_start)
    placements = (
        sa.select(sa.func.count())
        .select_from(e2)
        .where(
            e2.c.year == e.c.year,
            e2.c.la_code == e.c.la_code,
            e2.c.child == e.c.child,
            starts_in_year | (e2.c.decom < y.c.year_start),
        )
        .scalar_subquery()
    )
    sw = s.cla_social_worker
    workers = (
        sa.select(sa.func.count(sa.distinct(sw.c.sw_id)))
        .where(sw.c.year == e.c.year, sw.c.la_code == e.c.la_code, sw.c.child == e.c.child)
        .scalar_subquery()
    )
    # Long-term stability: the current period began 2.5 years ago or more and the current
    # placement 2 years ago or more (the placement's start is its latest placement episode).
    # A period that began before this year's return starts in an earlier return of the same
    # LA, so the search runs over every return up to this one.
    e3 = s.cla_episode.alias("e3")

    def latest_start(reasons: list[str]) -> ColumnElement[Any]:
        return (
            sa.select(sa.func.max(e3.c.decom))
            .where(
                e3.c.year <= e.c.year,
                e3.c.la_code == e.c.la_code,
                e3.c.child == e.c.child,
                e3.c.rne.in_(reasons),
                e3.c.decom <= e.c.decom,
            )
            .scalar_subquery()
        )

    period_start = latest_start(["S"])
    placement_start = latest_start(["S", "P", "T", "B", "U"])
    under16 = p.c.age_band.in_(["Under 1", "1-4", "5-9", "10-15"])
    long_in_care = under16 & ((period_start.is_(None)) | (period_start <= y.c.end_minus_2y6m))
    return (
        sa.select(
            e.c.year,
            e.c.la_code,
            _flag(is_uasc).label("uasc"),
            _placement_group(e.c.place).label("placement_group"),
            _flag(e.c.pl_distance.is_not(None)).label("distance_known"),
            _flag(e.c.pl_distance > 20).label("over_20mi"),
            _flag(placements >= 3).label("placements_3plus"),
            sa.case((e.c.year >= 2024, _flag(workers >= 3)), else_=None).label(
                "social_workers_3plus"
            ),
            _flag(long_in_care).label("under_16_in_care_2_5y"),
            _flag(
                long_in_care & ((placement_start.is_(None)) | (placement_start <= y.c.end_minus_2y))
            ).label("same_placement_2y"),
            sa.null().label("school_move"),
            _flag(sa.func.substr(p.c.upn, 1, 2) != "UN").label("upn_known"),
            *_breakdowns(p),
        )
        .select_from(e.join(y, y.c.year == e.c.year).join(p, _person_join(e, p, "child", "child")))
        .where(e.c.dec.is_(None), _not_short_break(e))
    )


def cla_start() -> Select:
    e = s.cla_episode
    p = cla_people()
    y = year_dates
    u = s.cla_uasc
    starters = (
        sa.select(e.c.year, e.c.la_code, e.c.child)
        .select_from(e.join(y, y.c.year == e.c.year))
        .where(e.c.rne == "S", _in_year(e.c.decom, y), _not_short_break(e))
        .distinct()
        .subquery("starters")
    )
    is_uasc = (
        sa.select(sa.literal(1))
        .where(
            u.c.year == starters.c.year,
            u.c.la_code == starters.c.la_code,
            u.c.child == starters.c.child,
        )
        .exists()
    )
    return sa.select(
        starters.c.year, starters.c.la_code, _flag(is_uasc).label("uasc"), *_breakdowns(p)
    ).select_from(starters.join(p, _person_join(starters, p, "child", "child")))


def cla_ceased() -> Select:
    e = s.cla_episode
    p = cla_people()
    y = year_dates
    return (
        sa.select(
            e.c.year,
            e.c.la_code,
            e.c.rec.label("reason"),
            _flag(e.c.rec.in_(["E11", "E12"])).label("adopted"),
            _flag(e.c.rec.in_(["E45", "E46", "E47", "E48", "E43", "E44"])).label("sgo"),
            _flag(e.c.rec == "E41").label("cao"),
            *_breakdowns(p),
        )
        .select_from(e.join(y, y.c.year == e.c.year).join(p, _person_join(e, p, "child", "child")))
        .where(_in_year(e.c.dec, y), e.c.rec != "X1", _not_short_break(e))
    )


def cla_in_year() -> Select:
    e = s.cla_episode
    p = cla_people()
    y = year_dates
    m = s.cla_missing
    kids = (
        sa.select(e.c.year, e.c.la_code, e.c.child)
        .where(_not_short_break(e))
        .distinct()
        .subquery("inyear")
    )

    def incident(kind: str) -> ColumnElement[bool]:
        return (
            sa.select(sa.literal(1))
            .select_from(m.join(y, y.c.year == m.c.year))
            .where(
                m.c.year == kids.c.year,
                m.c.la_code == kids.c.la_code,
                m.c.child == kids.c.child,
                m.c.missing == kind,
                _in_year(m.c.mis_start, y),
            )
            .exists()
        )

    return sa.select(
        kids.c.year,
        kids.c.la_code,
        _flag(incident("M")).label("went_missing"),
        _flag(incident("A")).label("away"),
        *_breakdowns(p),
    ).select_from(kids.join(p, _person_join(kids, p, "child", "child")))


def cla12() -> Select:
    o = s.cla_oc2
    p = cla_people()
    bcal = calendar.alias("sdqcal")
    age = _age_at_31_march(o.c.year, bcal)
    # An SDQ is due for children aged 4 to 16 on 31 March, unless the reason says otherwise.
    due = (age >= 4) & (age <= 16) & (o.c.sdq_reason.is_(None) | (o.c.sdq_reason != "SDQ1"))
    return sa.select(
        o.c.year,
        o.c.la_code,
        o.c.sdq_score,
        _flag(due).label("sdq_due"),
        _flag(o.c.sdq_score.is_not(None)).label("sdq_recorded"),
        *_breakdowns(p),
    ).select_from(
        o.join(bcal, bcal.c.date == o.c.dob).join(p, _person_join(o, p, "child", "child"))
    )


def care_leaver() -> Select:
    o = s.cla_oc3
    p = cla_people()
    y = year_dates
    bcal = calendar.alias("ocal")
    # The age reached on the birthday that falls in this collection year (1 April to 31
    # March): April to December birthdays fall in the calendar year before the one it ends.
    age_on_birthday = y.c.year - bcal.c.cal_year - sa.case((bcal.c.month_day <= 331, 0), else_=1)
    activ = sa.func.substr(o.c.activ, 1, 1)
    return sa.select(
        o.c.year,
        o.c.la_code,
        sa.case((age_on_birthday <= 18, "17-18"), else_="19-21").label("leaver_age_band"),
        _flag(o.c.in_touch == "YES").label("in_touch"),
        _flag(activ.in_(["F", "P"])).label("eet"),
        _flag(sa.func.substr(o.c.accom, 2, 1) == "1").label("suitable_accom"),
        _flag(sa.func.substr(o.c.accom, 1, 1) == "Z").label("staying_put"),
        p.c.sex,
        p.c.ethnicity_group,
    ).select_from(
        o.join(y, y.c.year == o.c.year)
        .join(bcal, bcal.c.date == o.c.dob)
        .join(p, _person_join(o, p, "child", "child"))
    )


def adoption() -> Select:
    a = s.cla_ad1
    p = cla_people()
    ic, mc = calendar.alias("adi"), calendar.alias("adm")
    months = (mc.c.day_number - ic.c.day_number) / 30.4375
    return sa.select(
        a.c.year, a.c.la_code, months.label("months_decision_to_match"), *_breakdowns(p)
    ).select_from(
        a.join(ic, ic.c.date == a.c.date_int)
        .join(mc, mc.c.date == a.c.date_match)
        .join(p, _person_join(a, p, "child", "child"))
    )


# ---------------------------------------------------------------- education and LA-level units
def pupil() -> Select:
    """Pupils linked by UPN to a child in the same LA-year's returns, with that child's status on
    31 March: CLA12 from OC2, CPPO from an open plan, otherwise CINO if a CIN episode is open."""
    ed = s.edu_pupil
    p = cin_people()
    o = s.cla_oc2
    c = s.cin_cpp
    e = s.cin_episode
    cla_open = s.cla_episode
    hp = cla_people()
    links = (
        sa.select(p.c.year, p.c.la_code, p.c.child_id.label("child"), p.c.upn, *_breakdowns(p))
        .where(p.c.upn.is_not(None))
        .union(
            sa.select(hp.c.year, hp.c.la_code, hp.c.child, hp.c.upn, *_breakdowns(hp)).where(
                sa.func.substr(hp.c.upn, 1, 2) != "UN"
            )
        )
        .subquery("links")
    )

    def exists(table: sa.Table, child_col: str, *conds: ColumnElement[bool]) -> ColumnElement[bool]:
        return (
            sa.select(sa.literal(1))
            .where(
                table.c.year == links.c.year,
                table.c.la_code == links.c.la_code,
                getattr(table.c, child_col) == links.c.child,
                *conds,
            )
            .exists()
        )

    group = sa.case(
        (exists(o, "child"), "cla12"),
        (exists(cla_open, "child", cla_open.c.dec.is_(None)), "cla_other"),
        (exists(c, "child_id", c.c.end_date.is_(None)), "cppo"),
        (exists(e, "child_id", e.c.closure_date.is_(None)), "cino"),
        else_="known",
    )
    linked = (
        sa.select(
            links.c.year,
            links.c.la_code,
            links.c.upn,
            sa.func.min(group).label("group"),
            *(
                sa.func.min(links.c[b]).label(b)
                for b in ("age_band", "sex", "ethnicity_group", "disability")
            ),
        )
        .group_by(links.c.year, links.c.la_code, links.c.upn)
        .subquery("linked")
    )
    missed = ed.c.sessions_missed * 1.0
    possible = ed.c.sessions_possible
    return sa.select(
        ed.c.year,
        ed.c.la_code,
        linked.c.group,
        possible.label("sessions_possible"),
        ed.c.sessions_missed,
        _flag(possible > 0).label("absence_recorded"),
        _flag(missed >= 0.1 * possible).label("persistent"),
        _flag(missed >= 0.5 * possible).label("severe"),
        _flag(ed.c.ks2_rwm_expected.is_not(None)).label("ks2_cohort"),
        _flag(ed.c.ks2_rwm_expected == sa.true()).label("ks2_expected"),
        _flag(ed.c.attainment8.is_not(None)).label("ks4_cohort"),
        ed.c.attainment8,
        _flag(ed.c.eyfs_gld.is_not(None)).label("eyfs_cohort"),
        _flag(ed.c.eyfs_gld == sa.true()).label("eyfs_gld"),
        *_breakdowns(linked),
    ).select_from(
        ed.join(
            linked,
            (linked.c.year == ed.c.year)
            & (linked.c.la_code == ed.c.la_code)
            & (linked.c.upn == ed.c.upn),
        )
    )


def all_pupils() -> Select:
    b = s.edu_la_baseline
    return sa.select(b.c.year, b.c.la_code, b.c.measure, b.c.numerator, b.c.denominator)


def social_care_child() -> Select:
    p = cin_people()
    ed = s.edu_pupil
    bcal = calendar.alias("scal")
    age = (
        p.c.year - bcal.c.cal_year - sa.case((bcal.c.month_day > 831, 1), else_=0) - 1
    )  # on 31 Aug before
    linked = (
        sa.select(sa.literal(1))
        .where(ed.c.year == p.c.year, ed.c.la_code == p.c.la_code, ed.c.upn == p.c.upn)
        .exists()
    )
    school_age = (age >= 5) & (age <= 15)
    return sa.select(
        p.c.year,
        p.c.la_code,
        _flag(school_age).label("school_age"),
        _flag(p.c.upn.is_not(None)).label("upn_known"),
        _flag(linked).label("linked_to_education"),
        _flag(p.c.ethnicity_group != "Unknown").label("ethnicity_known"),
        _flag(p.c.disability != "Not recorded").label("disability_recorded"),
        *_breakdowns(p),
    ).select_from(p.outerjoin(bcal, bcal.c.date == p.c.birth))


def workforce() -> Select:
    w = s.csww_worker
    v = s.csww_la
    y = year_dates
    in_post = (w.c.role_end_date.is_(None)) | (w.c.role_end_date > y.c.sept_30)
    started_before = (w.c.role_start_date.is_(None)) | (w.c.role_start_date <= y.c.sept_30)
    employed = w.c.agency_worker == 0
    left = w.c.role_end_date.is_not(None) & (w.c.role_end_date <= y.c.sept_30)
    fte = sa.func.coalesce(w.c.fte30, 0.0)
    per_la = (
        sa.select(
            w.c.year,
            w.c.la_code,
            exact_sum(sa.case((employed & in_post & started_before, fte), else_=0.0)).label(
                "fte_in_post"
            ),
            exact_sum(sa.case((employed & left, sa.func.coalesce(w.c.fte, 0.0)), else_=0.0)).label(
                "leaver_fte"
            ),
            exact_sum(sa.case((~employed & in_post, fte), else_=0.0)).label("agency_fte_workers"),
            # Caseloads count every case-holding worker, agency staff included (DfE's measure).
            exact_sum(sa.case((in_post & (w.c.org_role == 5), fte), else_=0.0)).label(
                "caseholder_fte"
            ),
            exact_sum(
                sa.case(
                    (in_post & (w.c.org_role == 5), sa.func.coalesce(w.c.cases30, 0)),
                    else_=0,
                )
            ).label("cases"),
            sa.func.sum(_flag(employed & in_post)).label("headcount"),
            sa.func.sum(
                _flag(
                    employed
                    & in_post
                    & w.c.ethnicity.is_not(None)
                    & w.c.ethnicity.notin_(["REFU", "NOBT"])
                )
            ).label("ethnicity_known_headcount"),
            sa.func.sum(
                _flag(
                    employed
                    & in_post
                    & w.c.ethnicity.is_not(None)
                    & w.c.ethnicity.notin_(["REFU", "NOBT", "WBRI", "WIRI", "WOTH", "WIRT", "WROM"])
                )
            ).label("ethnic_minority_headcount"),
        )
        .select_from(w.join(y, y.c.year == w.c.year))
        .group_by(w.c.year, w.c.la_code)
        .subquery("wf")
    )
    return sa.select(
        per_la.c.year,
        per_la.c.la_code,
        per_la.c.fte_in_post,
        per_la.c.leaver_fte,
        v.c.agency_fte,
        v.c.vacancies_fte.label("vacancy_fte"),
        per_la.c.caseholder_fte,
        per_la.c.cases,
        per_la.c.headcount,
        per_la.c.ethnicity_known_headcount,
        per_la.c.ethnic_minority_headcount,
    ).select_from(per_la.join(v, (v.c.year == per_la.c.year) & (v.c.la_code == per_la.c.la_code)))


def la_finance() -> Select:
    f = s.la_finance

    def line(name: str) -> ColumnElement[float]:
        return sa.func.sum(sa.case((f.c.line == name, f.c.value_gbp), else_=0.0))

    pop = s.ref_population
    pops = (
        sa.select(pop.c.year, pop.c.la_code, sa.func.sum(pop.c.population).label("population_0_17"))
        .group_by(pop.c.year, pop.c.la_code)
        .subquery("pops")
    )
    per_la = (
        sa.select(
            f.c.year,
            f.c.la_code,
            line("total_la_spend").label("total_la_spend"),
            line("childrens_services_total").label("childrens_services_total"),
            line("children_looked_after").label("children_looked_after"),
        )
        .group_by(f.c.year, f.c.la_code)
        .subquery("fin")
    )
    return sa.select(
        per_la.c.year,
        per_la.c.la_code,
        per_la.c.total_la_spend,
        per_la.c.childrens_services_total,
        per_la.c.children_looked_after,
        pops.c.population_0_17,
    ).select_from(
        per_la.outerjoin(
            pops, (pops.c.year == per_la.c.year) & (pops.c.la_code == per_la.c.la_code)
        )
    )


def la_ofsted() -> Select:
    o = s.la_ofsted
    return sa.select(o.c.year, o.c.la_code, o.c.leadership_judgement.label("judgement"))


def la_hospital() -> Select:
    h = s.la_hospital_injury
    return sa.select(h.c.year, h.c.la_code, h.c.admissions_0_14, h.c.population_0_14)


PEOPLE_SQL: dict[str, Builder] = {
    CIN_PEOPLE.name: cin_people_select,
    CLA_PEOPLE.name: cla_people_select,
}

UNIT_SQL: dict[str, Builder] = {
    "referral": referral,
    "child_referred": child_referred,
    "cin_31mar": cin_31mar,
    "assessment": assessment,
    "assessment_factor": assessment_factor,
    "s47": s47,
    "icpc": icpc,
    "cpp_start": cpp_start,
    "cpp_31mar": cpp_31mar,
    "cla_31mar": cla_31mar,
    "cla_start": cla_start,
    "cla_ceased": cla_ceased,
    "cla_in_year": cla_in_year,
    "cla12": cla12,
    "care_leaver": care_leaver,
    "adoption": adoption,
    "pupil": pupil,
    "all_pupils": all_pupils,
    "social_care_child": social_care_child,
    "workforce": workforce,
    "la_finance": la_finance,
    "la_ofsted": la_ofsted,
    "la_hospital": la_hospital,
}


# Which years of a unit's rows one LA-year's records can change (a rebuild after an import
# recomputes those only). Every unit joins the records of one LA and one year, except these:
# a referral is a re-referral by the child's previous referral, in any return of the LA, so
# referral rows of any year read every year's records; long-term stability looks back to the
# start of the period of care, so rows of later years read earlier returns.
Reach = tuple[int | None, int | None]  # first and last year, None for no bound
REACH: dict[str, str] = {"referral": "all", "child_referred": "all", "cla_31mar": "later"}


def reached(unit: str | None, year: int) -> Reach:
    """The years of ``unit``'s rows that records of ``year`` can change (a population: only
    ``year``, but it is not the LA's records: the import does not change it)."""
    reach = REACH.get(unit, "same") if unit is not None else "all"
    return {"same": (year, year), "later": (year, None), "all": (None, None)}[reach]
