"""The life course of children in one LA: referral after referral, each with its path through
assessment, section 47, child protection and care.

Children are simulated, not rows: a child's later referral starts only after the previous
episode closes, a second CP plan knows about the first, a child in care has an open CIN episode
throughout, and ages move on with the calendar. Returns are cut from these life courses later
(``annual.py``), exactly as an LA's system produces a census from its case records.

Arrays hold integer day numbers (``dates.py``); everything is vectorised within one generation of
referrals, and generations follow each other (first referral, re-referral, ...).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data.synth import national as nat
from data.synth.care import CarePeriods, simulate_care, year_end_day
from data.synth.dates import (
    NULL_DAY,
    add_working_days,
    add_years,
    age_on,
    collection_year,
    day,
    year_end,
    year_start,
)
from data.synth.effects import LAEffects
from data.synth.latent import LAFactors, population_0_17

SIM_FIRST_YEAR = 2002  # care histories start here so that 2017's stocks carry real histories
HISTORY_YEARS = 5  # all referral paths are simulated from this many years before the first report
SIM_LAST_DAY = day("2026-03-31")

NFA, NOT_IN_NEED, CIN, CPP, CLA, UASC = range(6)

# Probability that a closed episode is followed by another referral of the same child, and the
# gap (days from closure), tuned so that ~22.6% of referrals come within 12 months of the last.
P_REREFERRAL = 0.43
GAP_MEDIAN_DAYS = 150.0
GAP_SIGMA = 1.1

P_PATH = {NFA: 0.071, NOT_IN_NEED: 0.308, CPP: 0.075, CLA: 0.033}
P_CPP_AFTER_CPP = 0.36  # a child with an earlier plan is much more likely to have another
P_REREFERRAL_AFTER_CPP = 0.6
P_S47 = {NOT_IN_NEED: 0.30, CIN: 0.26, CLA: 0.55}
P_ICPC_NO_PLAN = 0.035  # CIN-path referrals with an ICPC that decides against a plan
P_CARE_AFTER_CPP = 0.12
P_DISABLED = 0.06
# Care is likelier for babies (and the unborn) than for school-age children (DfE starts by age).
CARE_AGE_MULTIPLIER = np.array([2.0, 1.12, 0.79, 0.81, 1.04])


@dataclass
class Children:
    birth: np.ndarray
    sex: np.ndarray  # M F U (unborn get U only while unborn; resolved at birth)
    ethnic_group: np.ndarray  # index into nat.ETHNIC_GROUPS
    ethnicity: np.ndarray  # 4-letter code as recorded (may be NOBT/REFU)
    disabled: np.ndarray  # bool
    uasc: np.ndarray  # bool

    def __len__(self) -> int:
        return len(self.birth)


@dataclass
class Episodes:
    child: np.ndarray
    referral: np.ndarray
    source: np.ndarray
    need: np.ndarray
    path: np.ndarray
    assessment_start: np.ndarray
    assessment_end: np.ndarray
    s47: np.ndarray
    icpc_target: np.ndarray
    icpc: np.ndarray
    cpp_start: np.ndarray
    cpp_end: np.ndarray
    cpp_category: np.ndarray
    cpp_latest: np.ndarray
    previous_cpp: np.ndarray
    cin_plan_start: np.ndarray
    cin_plan_end: np.ndarray
    care_entry: np.ndarray
    closure: np.ndarray
    closure_reason: np.ndarray


@dataclass
class LifeCourses:
    children: Children
    episodes: Episodes
    care: CarePeriods  # one row per period of care; ``episode`` links back to ``episodes``


def _pick(rng: np.random.Generator, table: tuple[tuple[str, float], ...], n: int) -> np.ndarray:
    codes, p = nat.codes_and_probs(table)
    return codes[rng.choice(len(codes), size=n, p=p)]


def _piecewise(
    rng: np.random.Generator, points: tuple[tuple[float, float], ...], n: int
) -> np.ndarray:
    q, v = np.array(points).T
    return np.interp(rng.random(n), q, v)


def _banded(
    rng: np.random.Generator, bands: tuple[tuple[int, int, float], ...], n: int
) -> np.ndarray:
    lo = np.array([b[0] for b in bands])
    hi = np.array([b[1] for b in bands])
    p = np.array([b[2] for b in bands])
    k = rng.choice(len(bands), size=n, p=p / p.sum())
    return lo[k] + rng.integers(0, np.maximum(hi[k] - lo[k], 1))


def _new_children(
    rng: np.random.Generator,
    f: LAFactors,
    n: int,
    first_referral: np.ndarray,
    uasc: bool,
    flaw_rng: np.random.Generator | None,
) -> Children:
    if uasc:
        age = rng.choice([14, 15, 16, 17], size=n, p=[0.03, 0.08, 0.29, 0.60])
        days_past_birthday = rng.integers(0, np.where(age >= 17, 240, 365))
        birth = first_referral - (age * 365.25 + days_past_birthday).astype(np.int64)
        sex = np.where(rng.random(n) < 0.90, "M", "F")
        mix = np.array([0.08, 0.02, 0.30, 0.40, 0.20])
    else:
        bands = list(nat.AGE_BANDS_REFERRAL.values())
        p = np.array([b[0] for b in bands])
        k = rng.choice(len(bands), size=n, p=p / p.sum())
        lo = np.array([b[1] for b in bands])[k]
        hi = np.array([b[2] for b in bands])[k]
        age = lo + rng.integers(0, hi - lo + 1)
        unborn = age < 0
        # A 17-year-old is referred at least four months before turning 18, so the work a
        # referral starts (assessment, S47, conference) fits before children's services end.
        days_past_birthday = rng.integers(0, np.where(age >= 17, 240, 365))
        birth = first_referral - (np.maximum(age, 0) * 365.25 + days_past_birthday).astype(np.int64)
        birth = np.where(unborn, first_referral + rng.integers(20, 160, n), birth)
        sex = np.where(rng.random(n) < 0.535, "M", "F")
        base = np.array(
            nat.REGION_ETHNIC_MIX.get(f.region_code, nat.REGION_ETHNIC_MIX["E12000004"])
        )
        mix = base * nat.CONTACT_MULTIPLIER
    mix = mix / mix.sum()
    group = rng.choice(len(mix), size=n, p=mix)
    ethnicity = np.empty(n, dtype="U4")
    for g, name in enumerate(nat.ETHNIC_GROUPS):
        sel = group == g
        ethnicity[sel] = _pick(rng, nat.ETHNIC_CODES[name], int(sel.sum()))
    if flaw_rng is not None:
        # Ethnicity not obtained or refused (the same rate for every age and LA).
        unknown = flaw_rng.random(n) < 0.035
        ethnicity[unknown] = np.where(flaw_rng.random(int(unknown.sum())) < 0.75, "NOBT", "REFU")
    disabled = rng.random(n) < (0.02 if uasc else P_DISABLED)
    return Children(
        birth=birth.astype(np.int64),
        sex=sex.astype("U1"),
        ethnic_group=group,
        ethnicity=ethnicity,
        disabled=disabled,
        uasc=np.full(n, uasc),
    )


def _concat_children(a: Children, b: Children) -> Children:
    return Children(
        **{k: np.concatenate([getattr(a, k), getattr(b, k)]) for k in a.__dataclass_fields__}
    )


def _arrivals(rng: np.random.Generator, volumes: dict[int, float]) -> np.ndarray:
    days = []
    for year, volume in volumes.items():
        n = rng.poisson(volume)
        days.append(year_start(year) + rng.integers(0, year_end(year) - year_start(year) + 1, n))
    return np.sort(np.concatenate(days)).astype(np.int64) if days else np.zeros(0, np.int64)


def simulate_life_courses(
    f: LAFactors,
    eff: LAEffects,
    years: range,
    seed_rng: np.random.Generator,
    scale: float,
    flaw_rng: np.random.Generator | None,
) -> LifeCourses:
    """Life courses from 2002, in full from five years before the first reported year.

    Before that only referrals that lead straight into care are simulated: they are the ones
    still visible years later (a child who entered care in 2005 may be looked after in 2017),
    while other episodes and re-referral chains settle within a few years. This keeps the work
    proportional to the reported years rather than to the whole history.

    ``flaw_rng`` draws the deliberate recording flaws; ``None`` (a clean build) leaves them
    out. Flaws have their own stream so that a clean build simulates the same children.
    """
    rng = seed_rng
    full_from = years[0] - HISTORY_YEARS
    national_pop = 12_183_016
    share = population_0_17(f, 2025) / national_pop

    # First referrals of new children; later referrals come from the chains below. The factor
    # converts all referrals into first referrals for a stationary chain.
    first_share = 1.0 - P_REREFERRAL * 0.895
    volumes = {
        y: nat.referrals_in(y) * share * eff.referral * first_share * scale
        for y in range(full_from, years[-1] + 1)
    }
    care_share = (P_PATH[CLA] * eff.cla + P_PATH[CPP] * eff.cpp * P_CARE_AFTER_CPP) / first_share
    early_volumes = {
        y: nat.referrals_in(y) * share * eff.referral * first_share * scale * care_share
        for y in range(SIM_FIRST_YEAR, full_from)
    }
    early = _arrivals(rng, early_volumes)
    first = np.concatenate([early, _arrivals(rng, volumes)])
    children = _new_children(rng, f, len(first), first, uasc=False, flaw_rng=flaw_rng)

    uasc_share = population_0_17(f, 2025) / national_pop * eff.uasc
    uasc_days = _arrivals(
        rng,
        {
            y: nat.uasc_starts_in(y) * uasc_share * scale
            for y in range(SIM_FIRST_YEAR, years[-1] + 1)
        },
    )
    uasc_children = _new_children(rng, f, len(uasc_days), uasc_days, uasc=True, flaw_rng=flaw_rng)
    uasc_index = np.arange(len(children), len(children) + len(uasc_days))
    children = _concat_children(children, uasc_children)

    child = np.concatenate([np.arange(len(first)), uasc_index])
    referral = np.concatenate([first, uasc_days])
    forced_path = np.concatenate(
        [
            np.full(len(early), CLA),
            np.full(len(first) - len(early), -1),
            np.full(len(uasc_days), UASC),
        ]
    )
    previous_cpp = np.zeros(len(children), dtype=np.int64)

    parts: list[Episodes] = []
    cares: list[CarePeriods] = []
    offset = 0
    while len(child):
        ep, care = _episodes(
            rng, f, eff, children, child, referral, forced_path, previous_cpp, flaw_rng
        )
        care.episode += offset
        offset += len(ep.child)
        parts.append(ep)
        cares.append(care)
        np.add.at(previous_cpp, ep.child, (ep.cpp_start != NULL_DAY).astype(np.int64))
        again = rng.random(len(ep.child)) < np.where(
            ep.cpp_start != NULL_DAY, P_REREFERRAL_AFTER_CPP, P_REREFERRAL
        )
        gap = np.exp(np.log(GAP_MEDIAN_DAYS) + GAP_SIGMA * rng.standard_normal(len(ep.child)))
        nxt = ep.closure + 1 + gap.astype(np.int64)
        adult = add_years(children.birth[ep.child], 18)
        keep = again & (ep.closure != NULL_DAY) & (nxt <= SIM_LAST_DAY) & (nxt < adult - 120)
        # Nobody comes back after dying, nor under the same id after being adopted (DfE 199).
        keep &= ~np.isin(ep.closure_reason, ["RC1", "RC2"])
        child, referral = ep.child[keep], nxt[keep]
        forced_path = np.full(len(child), -1)

    episodes = Episodes(
        **{k: np.concatenate([getattr(p, k) for p in parts]) for k in Episodes.__dataclass_fields__}
    )
    care = CarePeriods.concat(cares)
    return LifeCourses(children=children, episodes=episodes, care=care)


def _episodes(
    rng: np.random.Generator,
    f: LAFactors,
    eff: LAEffects,
    children: Children,
    child: np.ndarray,
    referral: np.ndarray,
    forced_path: np.ndarray,
    previous_cpp: np.ndarray,
    flaw_rng: np.random.Generator | None,
) -> tuple[Episodes, CarePeriods]:
    n = len(child)
    birth = children.birth[child]
    prior = previous_cpp[child]

    # ---- path of each referral
    p_cpp = np.where(prior > 0, P_CPP_AFTER_CPP, P_PATH[CPP]) * eff.cpp
    age_band = np.digitize(age_on(birth, referral), [1, 5, 10, 16])
    # Entries to care did not follow the 2021 dip in referrals: hold the expected number steady.
    ref_year = collection_year(referral)
    steadiness = nat.REFERRALS_BEFORE_2017 / nat.by_year(nat.referrals_in, ref_year)
    steadiness *= nat.by_year(nat.care_entry_index, ref_year)
    p_cla = P_PATH[CLA] * eff.cla * CARE_AGE_MULTIPLIER[age_band] * steadiness
    u = rng.random(n)
    cut1 = P_PATH[NFA]
    cut2 = cut1 + P_PATH[NOT_IN_NEED]
    cut3 = cut2 + p_cpp
    cut4 = cut3 + p_cla
    path = np.select([u < cut1, u < cut2, u < cut3, u < cut4], [NFA, NOT_IN_NEED, CPP, CLA], CIN)
    path = np.where(forced_path >= 0, forced_path, path)
    # Disabled children mostly come for support with their disability: a CIN plan, rarely NFA.
    disabled = children.disabled[child]
    path = np.where(disabled & (path == NFA), CIN, path)

    source = _pick(rng, nat.REFERRAL_SOURCES, n)
    source = np.where(path == UASC, np.where(rng.random(n) < 0.5, "7", "10"), source)
    need = np.empty(n, dtype="U2")
    in_need = np.isin(path, [CIN, CPP])
    need[in_need] = _pick(rng, nat.PRIMARY_NEED_IN_NEED, int(in_need.sum()))
    low = np.isin(path, [NFA, NOT_IN_NEED])
    need[low] = _pick(rng, nat.PRIMARY_NEED_NOT_IN_NEED, int(low.sum()))
    care_path = path == CLA
    need[care_path] = _pick(rng, nat.PRIMARY_NEED_CLA, int(care_path.sum()))
    need[path == UASC] = "N8"
    need = np.where(disabled & (path == CIN) & (rng.random(n) < 0.8), "N2", need)

    # ---- assessment (all but NFA)
    has_assessment = path != NFA
    a_start = referral + np.where(rng.random(n) < 0.45, 0, rng.geometric(0.25, n))
    # On-time share: 87.5% nationally before recording flaws (85.7% published), shifted by LA.
    p_on = 1.0 / (1.0 + np.exp(-(np.log(0.875 / 0.125) - eff.assessment_late)))
    on_time = rng.random(n) < p_on
    q = np.where(on_time, rng.random(n) * 0.857, 0.857 + rng.random(n) * 0.143)
    qs, vs = np.array(nat.ASSESSMENT_WD_QUANTILES).T
    wd = np.interp(q, qs, vs)
    a_end = add_working_days(a_start, np.maximum(wd.astype(np.int64), 1))
    a_start = np.where(has_assessment, a_start, NULL_DAY)
    a_end = np.where(has_assessment, a_end, NULL_DAY)

    # ---- section 47 and ICPC
    s47_trend = nat.by_year(nat.s47_index, ref_year)
    s47_p = np.select(
        [path == NOT_IN_NEED, path == CIN, path == CLA, path == CPP],
        [P_S47[NOT_IN_NEED] * s47_trend, P_S47[CIN] * s47_trend, P_S47[CLA], 1.0],
        0.0,
    )
    has_s47 = rng.random(n) < s47_p
    s47 = np.where(has_s47, referral + rng.integers(0, 8, n), NULL_DAY)
    icpc_no_plan = (path == CIN) & (rng.random(n) < P_ICPC_NO_PLAN)
    has_s47 |= icpc_no_plan
    s47 = np.where(icpc_no_plan & (s47 == NULL_DAY), referral + rng.integers(0, 8, n), s47)
    has_icpc = (path == CPP) | (icpc_no_plan & has_s47)
    icpc_wd = _banded(rng, nat.ICPC_WORKING_DAYS, n)
    late_icpc = rng.random(n) < max(0.0, 0.12 * eff.icpc_late)
    icpc_wd = np.where(late_icpc & (icpc_wd <= 15), 16 + rng.integers(0, 10, n), icpc_wd)
    safe_s47 = np.where(has_s47, s47, referral)
    icpc = np.where(has_icpc, add_working_days(safe_s47, icpc_wd), NULL_DAY)
    icpc_target = np.where(has_s47, add_working_days(safe_s47, np.full(n, 15)), NULL_DAY)
    # The enquiry is part of the episode's assessment (DfE 2991Q): the assessment starts no later
    # than the enquiry and is not authorised before it starts; and when the conference falls in
    # a later collection year than the authorisation, the assessment runs to the conference so
    # the return that reports the enquiry also holds its assessment.
    assessed_s47 = has_s47 & has_assessment
    a_start = np.where(assessed_s47, np.minimum(a_start, s47), a_start)
    a_end = np.where(assessed_s47, np.maximum(a_end, s47), a_end)
    crosses = assessed_s47 & (icpc != NULL_DAY) & (collection_year(icpc) > collection_year(a_end))
    a_end = np.where(crosses, icpc, a_end)

    # ---- child protection plan
    is_cpp = path == CPP
    cpp_start = np.where(is_cpp, icpc, NULL_DAY)
    cpp_len = _banded(rng, nat.CPP_DURATION_BANDS, n)
    cpp_end = np.where(is_cpp, cpp_start + cpp_len, NULL_DAY)
    category = _pick(rng, nat.CPP_CATEGORY, n)
    latest = np.where(rng.random(n) < 0.9, category, _pick(rng, nat.CPP_CATEGORY, n))
    care_after_cpp = is_cpp & (rng.random(n) < P_CARE_AFTER_CPP)

    # ---- care
    entry = np.full(n, NULL_DAY, dtype=np.int64)
    direct = (path == CLA) | (path == UASC)
    entry[direct] = referral[direct] + np.where(
        rng.random(int(direct.sum())) < 0.45,
        rng.integers(0, 7, int(direct.sum())),
        rng.exponential(35, int(direct.sum())).astype(np.int64),
    )
    entry[path == UASC] = referral[path == UASC]
    entry[care_after_cpp] = cpp_end[care_after_cpp]
    adult = add_years(birth, 18)
    entry = np.where((entry != NULL_DAY) & (entry < birth), birth + rng.integers(0, 5, n), entry)
    in_care = (entry != NULL_DAY) & (entry < adult - 30)
    entry = np.where(in_care, entry, NULL_DAY)
    care_idx = np.flatnonzero(in_care)
    care = simulate_care(
        rng,
        f,
        eff,
        episode=care_idx,
        child=child[care_idx],
        entry=entry[care_idx],
        birth=birth[care_idx],
        uasc=path[care_idx] == UASC,
        need=need[care_idx],
        disabled=disabled[care_idx],
        flaw_rng=flaw_rng,
    )

    # ---- CIN plan and closure
    plan_start = np.where(path == CIN, a_end + rng.integers(0, 15, n), NULL_DAY)
    median = np.where(disabled, 480.0, 95.0) * eff.cin_duration
    cin_len = np.exp(
        np.log(median) + np.where(disabled, 0.8, 1.05) * rng.standard_normal(n)
    ).astype(np.int64)
    plan_end = np.where(path == CIN, plan_start + cin_len, NULL_DAY)

    closure = np.full(n, NULL_DAY, dtype=np.int64)
    reason = np.full(n, "RC7", dtype="U3")
    # No further action: closed within one working day, never in a later collection year than
    # the referral (DfE 8569Q), and with RC7, since RC8 means closed after an assessment these
    # referrals never had (DfE 8825Q; returns_spec 5.5 asks for RC8).
    nfa_days = add_working_days(referral, (rng.integers(0, 6, n) >= 3).astype(np.int64))
    nfa_close = np.minimum(np.maximum(nfa_days, referral), year_end_day(referral))
    closure = np.where(path == NFA, nfa_close, closure)
    nin = path == NOT_IN_NEED
    # Closed after assessment in the same collection year as the authorisation, so a return
    # never shows factor 21 on an episode still open (DfE 8873Q); never before the enquiry.
    nin_close = np.minimum(a_end + rng.integers(0, 8, n), np.maximum(year_end_day(a_end), a_end))
    closure = np.where(nin, np.maximum(nin_close, np.where(has_s47, s47, nin_close)), closure)
    early_help = rng.random(n) < 0.35
    # A section 47 enquiry is activity that RC8 and RC9 exclude (DfE 2990): close those with RC7.
    reason = np.where(nin & ~has_s47, np.where(early_help, "RC9", "RC8"), reason)
    closure = np.where(path == CIN, plan_end + rng.integers(0, 8, n), closure)
    step_down = np.exp(np.log(90) + 0.8 * rng.standard_normal(n)).astype(np.int64)
    closure = np.where(is_cpp & ~care_after_cpp, cpp_end + step_down, closure)

    # Episodes with care close when care ends (or a while after a return home).
    exit_day = np.full(n, NULL_DAY, dtype=np.int64)
    exit_rec = np.full(n, "", dtype="U3")
    exit_day[care.episode] = care.exit_day
    exit_rec[care.episode] = care.exit_rec
    had_care = exit_day != NULL_DAY
    went_home = np.isin(exit_rec, ["E4A", "E4B", "E13"])
    lag = np.where(
        went_home, np.exp(np.log(80) + 0.9 * rng.standard_normal(n)), rng.integers(0, 20, n)
    ).astype(np.int64)
    closure = np.where(had_care, exit_day + lag, closure)
    rec_to_rc = {
        "E11": "RC1",
        "E12": "RC1",
        "E2": "RC2",
        "E41": "RC3",
        "E45": "RC4",
        "E46": "RC4",
        "E47": "RC4",
        "E48": "RC4",
        "E3": "RC5",
        "E7": "RC6",
    }
    for rec, rc in rec_to_rc.items():
        reason = np.where(had_care & (exit_rec == rec), rc, reason)
    closure = np.where(had_care & np.isin(exit_rec, ["E11", "E12", "E2"]), exit_day, closure)
    # Care periods still open at the end of the simulation keep the episode open.
    in_care_open = np.zeros(n, dtype=bool)
    in_care_open[care.episode] = care.exit_day == NULL_DAY
    closure = np.where(in_care_open, NULL_DAY, closure)
    # Children reaching 18 leave children's services.
    turning_adult = (closure != NULL_DAY) & (closure > adult)
    turning_adult |= (closure == NULL_DAY) & (adult <= SIM_LAST_DAY) & ~in_care_open
    closure = np.where(turning_adult, adult, closure)
    reason = np.where(turning_adult, np.where(rng.random(n) < 0.3, "RC6", "RC7"), reason)
    # Activity dates never follow the closure: short care stays can end before a late enquiry.
    last_activity = np.zeros(n, dtype=np.int64)
    for d in (a_start, s47, icpc, cpp_start, plan_start):
        last_activity = np.maximum(last_activity, np.where(d == NULL_DAY, 0, d))
    closure = np.where(closure != NULL_DAY, np.maximum(closure, last_activity), closure)
    # Every date in an episode falls on or before its closure (DfE 8565), and plans that would
    # not last a day are not made (DfE 4011, 8840).
    plan_end = np.where(path == CIN, np.minimum(plan_end, closure), plan_end)
    no_plan = (path == CIN) & (plan_end <= plan_start)
    plan_start = np.where(no_plan, NULL_DAY, plan_start)
    plan_end = np.where(no_plan, NULL_DAY, plan_end)
    cpp_end = np.where(is_cpp, np.minimum(np.maximum(cpp_end, cpp_start + 1), closure), cpp_end)
    no_cpp = is_cpp & (cpp_end <= cpp_start)
    cpp_start = np.where(no_cpp, NULL_DAY, cpp_start)
    cpp_end = np.where(no_cpp, NULL_DAY, cpp_end)

    ep = Episodes(
        child=child,
        referral=referral,
        source=source,
        need=need,
        path=path,
        assessment_start=a_start,
        assessment_end=np.minimum(a_end, np.maximum(closure, a_start)),
        s47=s47,
        icpc_target=icpc_target,
        icpc=icpc,
        cpp_start=cpp_start,
        cpp_end=cpp_end,
        cpp_category=category,
        cpp_latest=latest,
        previous_cpp=np.where(is_cpp, previous_cpp[child], 0),
        cin_plan_start=plan_start,
        cin_plan_end=plan_end,
        care_entry=entry,
        closure=closure,
        closure_reason=reason,
    )
    return ep, care
