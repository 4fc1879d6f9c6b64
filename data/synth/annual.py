"""Cutting life courses into the annual returns an LA would submit.

Each collection year's CIN census holds every episode open at some point between 1 April and
31 March, and each 903 holds every episode of care open in the year; anything that happens after
31 March is not yet known to that return (closure dates, plan ends, ICPC dates are blank). The
same episode therefore appears, more complete, in later returns, as with real submissions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from data.returns.codes import SSDA903_SEX_LETTERS_FROM
from data.synth import national as nat
from data.synth.dates import NULL_DAY, add_working_days, add_years, age_on, year_end, year_start
from data.synth.lifecourse import CIN, CLA, CPP, NFA, NOT_IN_NEED, UASC, LifeCourses
from data.synth.upn import make_upns

URN_EXEMPT = ("P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4")
NOT_RECORDED_SHARE = 0.15  # children whose record has no disability information at all
DISABILITY_CODES = (
    ("AUT", 0.34),
    ("LD", 0.16),
    ("COMM", 0.12),
    ("BEH", 0.12),
    ("MOB", 0.06),
    ("HAND", 0.02),
    ("PC", 0.03),
    ("CON", 0.02),
    ("INC", 0.02),
    ("HEAR", 0.03),
    ("VIS", 0.03),
    ("DDA", 0.05),
)


def _frame(columns: dict[str, object]) -> pd.DataFrame:
    """A DataFrame built through one Arrow table: text goes to Arrow directly (several times
    faster than pandas converting numpy unicode arrays) and the frame is assembled in one call
    rather than column by column; these frames hold millions of ids."""
    n = max(
        (len(v) for v in columns.values() if hasattr(v, "__len__") and not isinstance(v, str)),
        default=0,
    )
    arrays = {}
    for name, values in columns.items():
        if isinstance(values, str):
            arrays[name] = pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(n, np.int8)), pa.array([values])
            ).cast(pa.string())
        elif isinstance(values, np.ndarray) and values.dtype.kind == "O":
            arrays[name] = pa.array(values, type=pa.string(), from_pandas=True)
        elif isinstance(values, int):
            arrays[name] = pa.array(np.full(n, values, dtype=np.int64))
        else:
            arrays[name] = pa.array(values, from_pandas=True)
    return pa.table(arrays).to_pandas()


def _keep(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Text values where ``keep``, nulls elsewhere (an object array that Arrow reads as strings)."""
    out = np.asarray(values).astype(object)
    out[~np.asarray(keep, dtype=bool)] = None
    return out


def _dates(days: np.ndarray) -> np.ndarray:
    """Day numbers to datetime64[s] with NaT for the null day (NaT is int64's minimum)."""
    secs = np.asarray(days, dtype=np.int64) * 86_400
    secs[days == NULL_DAY] = np.iinfo(np.int64).min
    return secs.view("datetime64[s]")


def _known(days: np.ndarray, by: int) -> np.ndarray:
    """A date as known at the return's reference date: later dates are still blank."""
    return np.where(days <= by, days, NULL_DAY)


def _padded(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """``prefix`` + zero-padded numbers, vectorised (and safe on empty input)."""
    if len(numbers) == 0:
        return np.zeros(0, dtype=f"U{len(prefix) + width}")
    return np.strings.add(
        prefix, np.strings.zfill(np.asarray(numbers, np.int64).astype("U12"), width)
    )


def _ids(prefix: str, idx: np.ndarray) -> np.ndarray:
    return _padded(prefix, idx, 7)


def _rank_within(group: np.ndarray, *keys: np.ndarray) -> np.ndarray:
    """1-based position of each row within its group, ordered by ``keys`` (first key first)."""
    order = np.lexsort((*reversed(keys), group))
    g = group[order]
    starts = np.ones(len(g), bool)
    starts[1:] = g[1:] != g[:-1]
    pos = np.arange(len(g)) - np.maximum.accumulate(np.where(starts, np.arange(len(g)), 0))
    out = np.empty(len(g), np.int64)
    out[order] = pos + 1
    return out


def _child_ids(base: np.ndarray, sep: str, rank: np.ndarray) -> np.ndarray:
    """Ids as the CIN census reader numbers them: ``<child>:<n>``, ``<episode>:A<n>`` and so on,
    so that exported and re-imported returns carry identical keys."""
    if len(rank) == 0:
        return np.zeros(0, dtype="U32")
    return np.strings.add(np.strings.add(base, sep), rank.astype("U6"))


@dataclass
class ChildRecord:
    """Per-child recorded attributes that stay the same across returns."""

    child_id: np.ndarray
    upn: np.ndarray  # valid UPN (allocated at 4) or ""
    upn_flaw: np.ndarray  # UN code to use whatever the age (unlinkable), or ""
    sex_recorded: np.ndarray
    disability_child: np.ndarray  # child index per recorded disability code, sorted
    disability_code: np.ndarray
    mother_u: np.ndarray


def child_records(
    lc: LifeCourses, la_code: str, rng: np.random.Generator, flaw_rng: np.random.Generator | None
) -> ChildRecord:
    """Recorded attributes; ``flaw_rng`` draws the deliberate recording flaws (``None``: clean),
    on a stream of its own so that a clean build records the same children the same way."""
    ch = lc.children
    n = len(ch)
    idx = np.arange(n)
    alloc_year = (
        ch.birth.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1974
    ) % 100
    upn = make_upns(la_code, idx, alloc_year)
    flaw = np.full(n, "", dtype="U3")
    if flaw_rng is not None:
        u = flaw_rng.random(n)
        flaw = np.where(u < 0.025, "UN5", flaw)
        flaw = np.where((u >= 0.025) & (u < 0.035), "UN3", flaw)
    flaw = np.where(ch.uasc & (rng.random(n) < 0.6), "UN2", flaw)
    sex = ch.sex.copy()
    if flaw_rng is not None:
        sex = np.where(flaw_rng.random(n) < 0.0025, "U", sex)
    codes, p = nat.codes_and_probs(DISABILITY_CODES)
    recorded = ch.disabled & (np.ones(n, bool) if flaw_rng is None else flaw_rng.random(n) < 0.72)
    # Codes are drawn for every disabled child, recorded or not, so the flaws leave the
    # other draws alone.
    n_codes = np.where(ch.disabled, 1 + (rng.random(n) < 0.3), 0)
    draws = codes[rng.choice(len(codes), size=int(n_codes.sum()), p=p)]
    d_child = np.repeat(idx, n_codes)
    # A child's two codes must differ: drop a repeated second code; and unrecorded ones.
    dup = np.zeros(len(draws), bool)
    dup[1:] = (d_child[1:] == d_child[:-1]) & (draws[1:] == draws[:-1])
    dup |= ~recorded[d_child]
    # Children with no disability are recorded as NONE; some records carry nothing at all, and
    # under-recorded disabled children are among those (NOT_RECORDED_SHARE of the rest).
    says_none = ~recorded & (
        np.ones(n, bool) if flaw_rng is None else flaw_rng.random(n) >= NOT_RECORDED_SHARE
    )
    none_child = idx[says_none]
    d_child = np.concatenate([d_child[~dup], none_child])
    draws = np.concatenate([draws[~dup], np.full(len(none_child), "NONE")])
    order = np.argsort(d_child, kind="stable")
    d_child, draws = d_child[order], draws[order]
    dup = np.zeros(len(draws), bool)
    return ChildRecord(
        child_id=_ids("C", idx),
        upn=upn,
        upn_flaw=flaw,
        sex_recorded=sex,
        disability_child=d_child[~dup],
        disability_code=draws[~dup],
        mother_u=rng.random(n),
    )


def _death_days(lc: LifeCourses) -> np.ndarray:
    """Each child's date of death (the closure of an episode closed because the child died),
    or NULL_DAY: CIN rule 8585Q wants it wherever RC2 is used."""
    ep = lc.episodes
    out = np.full(len(lc.children), NULL_DAY, dtype=np.int64)
    died = (ep.closure_reason == "RC2") & (ep.closure != NULL_DAY)
    out[ep.child[died]] = ep.closure[died]
    return out


def _upn_fields(
    rec: ChildRecord, child: np.ndarray, birth: np.ndarray, ref: int
) -> tuple[np.ndarray, np.ndarray]:
    """UPN or the reason it is unknown, as at the reference date."""
    age = age_on(birth, ref)
    unborn = birth > ref
    no_upn_yet = (age < 4) | unborn
    flaw = rec.upn_flaw[child]
    upn = np.where(no_upn_yet | (flaw != ""), "", rec.upn[child])
    unknown = np.where(flaw != "", flaw, np.where(no_upn_yet, "UN1", ""))
    return upn, unknown


def cin_return(
    lc: LifeCourses, rec: ChildRecord, la: str, year: int, extras: CinExtras
) -> dict[str, pd.DataFrame]:
    ep = lc.episodes
    ws, we = year_start(year), year_end(year)
    inc = (ep.referral <= we) & ((ep.closure == NULL_DAY) | (ep.closure >= ws))
    e = np.flatnonzero(inc)
    child = ep.child[e]
    birth = lc.children.birth[child]
    # Children appear once, with what is known of them at 31 March.
    kids = np.unique(child)
    kb = lc.children.birth[kids]
    unborn = kb > we
    upn, upn_unknown = _upn_fields(rec, kids, kb, we)
    sex = np.where(unborn, "U", rec.sex_recorded[kids])
    base = {"year": year, "la_code": la}
    cin_child = _frame(
        {
            **base,
            "child_id": rec.child_id[kids],
            "upn": _keep(upn, upn != ""),
            "former_upn": [None] * len(kids),
            "upn_unknown": _keep(upn_unknown, upn_unknown != ""),
            "birth_date": _dates(np.where(unborn, NULL_DAY, kb)),
            "expected_birth_date": _dates(np.where(unborn, kb, NULL_DAY)),
            "sex": sex,
            "death_date": _dates(_known(_death_days(lc)[kids], we)),
            "ethnicity": lc.children.ethnicity[kids],
        }
    )
    d_sel = np.isin(rec.disability_child, kids)
    cin_disability = _frame(
        {
            **base,
            "child_id": rec.child_id[rec.disability_child[d_sel]],
            "disability": rec.disability_code[d_sel],
        }
    )

    closure = _known(ep.closure[e], we)
    # Ids follow the census reader's numbering within this return (see _child_ids).
    ep_key = np.full(len(ep.child), "", dtype="U32")
    ep_key[e] = _child_ids(rec.child_id[child], ":", _rank_within(child, ep.referral[e], e))
    episode_id = ep_key[e]
    child_id = rec.child_id[child]
    closure_reason = _keep(ep.closure_reason[e], closure != NULL_DAY)
    if year < 2023:
        closure_reason = np.where(closure_reason == "RC9", "RC8", closure_reason)
    source = ep.source[e]
    if year < 2023:
        source = np.where(source == "5D", "5A", source)
    # The conference sits in the Section47 module whenever its enquiry is in this return, and in
    # CINdetails only otherwise (CIN rule 2884: never both).
    s47_e, icpc_e = ep.s47[e], ep.icpc[e]
    s47_reported = (
        (s47_e != NULL_DAY)
        & (s47_e <= we)
        & ((s47_e >= ws) | ((icpc_e >= ws) & (icpc_e != NULL_DAY)))
    )
    cin_episode = _frame(
        {
            **base,
            "child_id": child_id,
            "episode_id": episode_id,
            "referral_date": _dates(ep.referral[e]),
            "referral_source": source,
            "primary_need": ep.need[e],
            "closure_date": _dates(closure),
            "closure_reason": closure_reason,
            "referral_nfa": ep.path[e] == NFA,
            "date_initial_cpc": _dates(np.where(s47_reported, NULL_DAY, _known(ep.icpc[e], we))),
        }
    )

    # Assessments active in the year (started by 31 March, not completed before 1 April), in
    # episodes of this return.
    a_start, a_end = extras.a_start, extras.a_end
    a_sel = (a_start <= we) & ((a_end >= ws) | (a_end == NULL_DAY)) & inc[extras.a_episode]
    a_ep = extras.a_episode[a_sel]
    a_known_end = _known(a_end[a_sel], we)
    a_num = np.flatnonzero(a_sel)
    a_key = np.full(len(a_start), "", dtype="U40")
    a_key[a_num] = _child_ids(ep_key[a_ep], ":A", _rank_within(a_ep, a_start[a_sel], a_num))
    cin_assessment = _frame(
        {
            **base,
            "child_id": rec.child_id[ep.child[a_ep]],
            "episode_id": ep_key[a_ep],
            "assessment_id": a_key[a_num],
            "start_date": _dates(a_start[a_sel]),
            "authorisation_date": _dates(a_known_end),
        }
    )
    f_sel = np.isin(extras.f_assessment, a_num[a_known_end != NULL_DAY])
    cin_assessment_factor = _frame(
        {**base, "assessment_id": a_key[extras.f_assessment[f_sel]], "factor": extras.f_code[f_sel]}
    )

    # CIN plans (collected from 2021-22).
    ps, pe = ep.cin_plan_start[e], ep.cin_plan_end[e]
    p_in = (ps != NULL_DAY) & (ps <= we) & ((pe >= ws) | (pe == NULL_DAY)) & (year >= 2022)
    pi = e[p_in]
    cin_plan = _frame(
        {
            **base,
            "child_id": rec.child_id[ep.child[pi]],
            "episode_id": ep_key[pi],
            "start_date": _dates(ps[p_in]),
            "end_date": _dates(_known(pe[p_in], we)),
        }
    )

    s47, icpc = s47_e, icpc_e
    s_in = s47_reported
    si = e[s_in]
    icpc_known = _known(icpc[s_in], we)
    will_have_icpc = icpc[s_in] != NULL_DAY
    cin_s47 = _frame(
        {
            **base,
            "child_id": rec.child_id[ep.child[si]],
            "episode_id": ep_key[si],
            "s47_id": _child_ids(ep_key[si], ":S", np.ones(len(si), np.int64)),
            "start_date": _dates(s47[s_in]),
            "icpc_target": _dates(ep.icpc_target[si]),
            "icpc_date": _dates(icpc_known),
            "icpc_not_required": ~will_have_icpc,
        }
    )

    cs, ce = ep.cpp_start[e], ep.cpp_end[e]
    c_in = (cs != NULL_DAY) & (cs <= we) & ((ce >= ws) | (ce == NULL_DAY))
    ci = e[c_in]
    cin_cpp = _frame(
        {
            **base,
            "child_id": rec.child_id[ep.child[ci]],
            "episode_id": ep_key[ci],
            "cpp_id": _child_ids(ep_key[ci], ":P", np.ones(len(ci), np.int64)),
            "start_date": _dates(cs[c_in]),
            "end_date": _dates(_known(ce[c_in], we)),
            "initial_category": ep.cpp_category[ci],
            "latest_category": ep.cpp_latest[ci],
            "previous_cpp": ep.previous_cpp[ci],
        }
    )
    r_sel = (
        np.isin(extras.review_episode, ci) & (extras.review_day >= ws) & (extras.review_day <= we)
    )
    cin_cpp_review = _frame(
        {
            **base,
            "cpp_id": _child_ids(
                ep_key[extras.review_episode[r_sel]], ":P", np.ones(int(r_sel.sum()), np.int64)
            ),
            "review_date": _dates(extras.review_day[r_sel]),
        }
    )
    del birth
    return {
        "cin_child": cin_child,
        "cin_disability": cin_disability,
        "cin_episode": cin_episode,
        "cin_assessment": cin_assessment,
        "cin_assessment_factor": cin_assessment_factor,
        "cin_plan": cin_plan,
        "cin_s47": cin_s47,
        "cin_cpp": cin_cpp,
        "cin_cpp_review": cin_cpp_review,
    }


@dataclass
class CinExtras:
    """Record-keeping details drawn once so every return tells the same story: assessments (an
    episode's first, and a re-assessment for some long episodes) with their recorded dates and
    factors, and CP plan reviews."""

    a_episode: np.ndarray
    a_start: np.ndarray
    a_end: np.ndarray  # as recorded (some recorded late)
    f_assessment: np.ndarray
    f_code: np.ndarray
    review_episode: np.ndarray
    review_day: np.ndarray


P_REASSESSMENT = 0.22  # long episodes re-assessed: ~649k assessments a year for ~633k referrals


def cin_extras(
    lc: LifeCourses,
    rng: np.random.Generator,
    first_year: int,
    factor_mult: np.ndarray,
    flaw_rng: np.random.Generator | None,
) -> CinExtras:
    ep = lc.episodes
    n = len(ep.child)
    first = np.flatnonzero(ep.assessment_start != NULL_DAY)
    # A re-assessment 3 to 10 months after the first, while the episode is still open.
    re_start = ep.assessment_end + rng.integers(90, 300, n)
    re_end = add_working_days(np.minimum(re_start, ep.closure), rng.integers(15, 45, n))
    again = (
        np.isin(ep.path, [CIN, CPP, CLA])
        & (rng.random(n) < P_REASSESSMENT)
        & (ep.assessment_end != NULL_DAY)
        & (re_end < ep.closure)
    )
    second = np.flatnonzero(again)
    a_episode = np.concatenate([first, second])
    a_start = np.concatenate([ep.assessment_start[first], re_start[second]])
    a_end = np.concatenate([ep.assessment_end[first], re_end[second]])
    order = np.lexsort((a_start, a_episode))
    a_episode, a_start, a_end = a_episode[order], a_start[order], a_end[order]
    m = len(a_episode)
    if flaw_rng is not None:
        late = (a_end != NULL_DAY) & (flaw_rng.random(m) < 0.03)
        limit = np.maximum(ep.closure[a_episode], a_end)
        a_end = np.where(late, np.minimum(a_end + flaw_rng.integers(10, 60, m), limit), a_end)
    # Factors only for assessments that can appear in an output return.
    relevant = np.flatnonzero((a_end != NULL_DAY) & (a_end >= year_start(first_year)))
    codes = np.array([c for c, _, _ in nat.ASSESSMENT_FACTORS])
    p = np.array([q for _, q, _ in nat.ASSESSMENT_FACTORS])
    older = np.array([o for _, _, o in nat.ASSESSMENT_FACTORS])
    r_ep = a_episode[relevant]
    age = age_on(lc.children.birth[ep.child[r_ep]], a_start[relevant])
    path = ep.path[r_ep]
    weight = np.select(
        [path == NOT_IN_NEED, np.isin(path, [CPP, CLA]), path == UASC], [0.35, 1.6, 0.3], 1.0
    )
    prob = (p[None, :] * (weight[:, None] * factor_mult[None, :])).astype(np.float32)
    teen_only = older[None, :] & (age[:, None] < 10)
    prob = np.where(teen_only, prob * 0.1, prob * np.where(older, 1.9, 1.0)[None, :])
    prob = np.where((age[:, None] >= 16) & ~older[None, :], prob * 0.8, prob)
    hit = rng.random(prob.shape, dtype=np.float32) < np.minimum(prob, 0.95)
    hit[path == UASC, list(codes).index("9A")] = True
    # "21 No factors identified" only where the case closed after the assessment (RC8, RC9:
    # CIN rule 8873Q); every other assessment names at least one factor, drawn in proportion
    # to the factor probabilities.
    none = ~hit.any(axis=1)
    no_factors_ok = np.isin(ep.closure_reason[r_ep], ["RC8", "RC9"]) & (path == NOT_IN_NEED)
    keys = rng.random(prob.shape) ** (1.0 / np.maximum(prob, 1e-9))
    forced = none & ~no_factors_ok
    hit[np.flatnonzero(forced), keys[forced].argmax(axis=1)] = True
    none = ~hit.any(axis=1)
    rows, cols = np.nonzero(hit)
    f_assessment = np.concatenate([relevant[rows], relevant[none]])
    f_code = np.concatenate([codes[cols], np.full(int(none.sum()), "21")])
    f_order = np.argsort(f_assessment, kind="stable")
    # CP plan reviews: within 3 months of the start, then at most 6-monthly.
    c = np.flatnonzero(ep.cpp_start != NULL_DAY)
    k = np.arange(8)
    on_time = rng.random(len(c)) < 0.91
    first_review = ep.cpp_start[c] + np.where(
        on_time, rng.integers(60, 91, len(c)), rng.integers(91, 130, len(c))
    )
    days = first_review[:, None] + (k * 182)[None, :] - rng.integers(0, 20, (len(c), len(k)))
    days[:, 0] = first_review
    ok = days < ep.cpp_end[c][:, None]
    return CinExtras(
        a_episode=a_episode,
        a_start=a_start,
        a_end=a_end,
        f_assessment=f_assessment[f_order],
        f_code=f_code[f_order],
        review_episode=np.repeat(c, len(k))[ok.ravel()],
        review_day=days.ravel()[ok.ravel()],
    )


def cla_return(
    lc: LifeCourses, rec: ChildRecord, la: str, year: int, oc_u: np.ndarray
) -> dict[str, pd.DataFrame]:
    cp = lc.care
    ws, we = year_start(year), year_end(year)
    base = {"year": year, "la_code": la}
    e_in = (cp.e_decom <= we) & (cp.e_dec >= ws)
    ei = np.flatnonzero(e_in)
    per = cp.e_period[ei]
    child = cp.child[per]
    dec = _known(cp.e_dec[ei], we)
    rec_code = _keep(cp.e_rec[ei], dec != NULL_DAY)
    # The reason for a placement change sits on the episode that ends with it.
    nxt_reason = np.full(len(cp.e_period), "", dtype="U6")
    same_period_next = np.zeros(len(cp.e_period), bool)
    same_period_next[:-1] = cp.e_period[1:] == cp.e_period[:-1]
    nxt_reason[:-1] = np.where(same_period_next[:-1], cp.e_reason_change[1:], "")
    reason = nxt_reason[ei]
    reason = _keep(reason, (dec != NULL_DAY) & (reason != "") & (year >= 2016))
    token = _padded("SYN", child % 100000, 5)
    pl_token = _padded("PLC", (child * 13 + cp.e_placement[ei]) % 1000000, 6)
    known = cp.e_known[ei]
    place = cp.e_place[ei]
    if year >= 2026:
        # H5 and Z1 no longer exist from 2025-26: placements still open are recorded as K3 and
        # Z14 (care.py draws Z14 for new "other" placements; meaning to verify in the guide).
        place = np.where(place == "H5", "K3", np.where(place == "Z1", "Z14", place))
    # Every placement has an Ofsted URN (the provider's, the fostering service's or the LA's)
    # except those DfE exempts (903 rule 218); synthetic tokens stand in for real URNs.
    has_urn = ~np.isin(place, [*URN_EXEMPT, "Z1", "Z11", "Z12", "Z13", "Z14"])
    provider = cp.e_provider[ei]
    urn = _padded("SC", (child * 7 + cp.e_placement[ei] * 131) % 900000 + 100000, 6)
    cla_episode = _frame(
        {
            **base,
            "child": rec.child_id[child],
            "decom": _dates(cp.e_decom[ei]),
            "rne": cp.e_rne[ei],
            "ls": cp.e_ls[ei],
            "cin": cp.e_cin[ei],
            "place": place,
            "place_provider": _keep(provider, provider != ""),
            "dec": _dates(dec),
            "rec": rec_code,
            "reason_place_change": reason,
            "home_post": token,
            "pl_post": _keep(pl_token, known),
            "urn": _keep(urn, has_urn),
            "pl_distance": np.where(known, cp.e_distance[ei], np.nan),
            "pl_la": _keep(cp.e_pl_la[ei], known),
            "pl_location": _keep(np.where(cp.e_out[ei], "OUT", "IN"), known),
        }
    )
    periods_in = np.unique(per)

    # Reviews, missing incidents, social workers in the year.
    r = (cp.r_day >= ws) & (cp.r_day <= we)
    rp = cp.r_period[r]
    cla_review = _frame(
        {
            **base,
            "child": rec.child_id[cp.child[rp]],
            "dob": _dates(cp.birth[rp]),
            "review": _dates(cp.r_day[r]),
            "review_code": cp.r_code[r],
        }
    )
    m = (cp.m_start >= ws) & (cp.m_start <= we)
    mp = cp.m_period[m]
    cla_missing = _frame(
        {
            **base,
            "child": rec.child_id[cp.child[mp]],
            "dob": _dates(cp.birth[mp]),
            "missing": cp.m_kind[m],
            "mis_start": _dates(cp.m_start[m]),
            "mis_end": _dates(_known(cp.m_end[m], we)),
        }
    )
    w = (cp.w_start <= we) & (cp.w_end >= ws) & (year >= 2024)
    wp = cp.w_period[w]
    sw_dec = _known(cp.w_end[w], we)
    cla_social_worker = _frame(
        {
            **base,
            "child": rec.child_id[cp.child[wp]],
            "dob": _dates(cp.birth[wp]),
            "sw_id": cp.w_id[w],
            "sw_decom": _dates(cp.w_start[w]),
            "sw_dec": _dates(sw_dec),
            "sw_reason": _keep(cp.w_reason[w], cp.w_reason[w] != ""),
        }
    )

    # UASC children looked after in the year.
    up = periods_in[cp.uasc[periods_in]]
    uc, first_idx = np.unique(cp.child[up], return_index=True)
    cla_uasc = _frame(
        {
            **base,
            "child": rec.child_id[uc],
            "sex": _sex_for_903(rec.sex_recorded, uc, year),
            "dob": _dates(lc.children.birth[uc]),
            "duc": _dates(_known(add_years(lc.children.birth[uc], 18), we)),
        }
    )
    del first_idx

    # OC2: looked after continuously for 12 months at 31 March, that is from 1 April or earlier
    # (DfE's rules count a child starting on 1 April as continuously looked after: 903 rule 191).
    open_end = (cp.entry <= ws) & (cp.exit_day > we)
    o = np.flatnonzero(open_end)
    age = age_on(cp.birth[o], we)
    u = oc_u[o]
    sdq_age = (age >= 4) & (age <= 16)
    sdq_done = sdq_age & (u < 0.78)
    under_4, under_5, under_10 = age < 4, age < 5, age < 10
    trend = {2021: 13.7, 2025: 14.9}
    sdq_mean = float(np.interp(year, list(trend), list(trend.values())))
    score = np.clip(
        np.round(sdq_mean + 7.0 * _norm_from_u(oc_u[o] * 0.999 + 0.0005, 3)), 0, 40
    ).astype(np.int64)
    # Under 4 both SDQ fields are blank (903 rule 188); SDQ1 (no SDQ due) is for 17-year-olds.
    sdq_reason = np.where(
        under_4,
        "",
        np.where(~sdq_age, "SDQ1", np.where(sdq_done, "", np.where(u < 0.84, "SDQ4", "SDQ2"))),
    )
    v = _norm_from_u(oc_u[o], 5)
    cla_oc2 = _frame(
        {
            **base,
            "child": rec.child_id[cp.child[o]],
            "dob": _dates(cp.birth[o]),
            "sdq_score": pd.Series(score, dtype="Int64").where(sdq_done),
            "sdq_reason": _keep(sdq_reason, sdq_reason != ""),
            # Blank under 10 (903 rule 542); the development check is for under-5s (546).
            "convicted": pd.Series((v > 2.05).astype(int), dtype="Int64").mask(under_10),
            "health_check": pd.Series(
                (_norm_from_u(oc_u[o], 7) < 1.28).astype(int), dtype="Int64"
            ).where(under_5),
            "immunisations": (_norm_from_u(oc_u[o], 11) < 0.99).astype(int),
            "teeth_check": (_norm_from_u(oc_u[o], 13) < 0.88).astype(int),
            "health_assessment": (_norm_from_u(oc_u[o], 17) < 1.4).astype(int),
            "substance_misuse": np.where(
                age >= 10, (_norm_from_u(oc_u[o], 19) > 1.6).astype(int), 0
            ),
            "intervention_received": pd.Series(np.zeros(len(o), int), dtype="Int64"),
            "intervention_offered": pd.Series(np.zeros(len(o), int), dtype="Int64"),
        }
    )
    # Interventions only for a substance misuse problem (903 rule 193), and "offered" only when
    # none was received (rule 158).
    sm = cla_oc2["substance_misuse"].to_numpy() == 1
    received = _norm_from_u(oc_u[o], 23) < 0.5
    cla_oc2["intervention_received"] = cla_oc2["intervention_received"].where(sm)
    cla_oc2.loc[sm, "intervention_received"] = received[sm].astype(int)
    cla_oc2["intervention_offered"] = cla_oc2["intervention_offered"].where(sm & ~received)
    cla_oc2.loc[sm & ~received, "intervention_offered"] = 1

    cla_oc3 = _oc3(lc, rec, la, year, oc_u)

    # AD1: adopted in the year.
    ad = np.flatnonzero(
        np.isin(cp.exit_rec, ["E11", "E12"]) & (cp.exit_day >= ws) & (cp.exit_day <= we)
    )
    ua = oc_u[ad]
    # The couple first, then a legal status that fits it (903 rules 517, 524): married or civil
    # partners (L11 opposite sex, L12 same sex), unmarried couple (L2), one partner adopting
    # (L3 opposite sex, L4 same sex) or a single adopter (L0).
    sex_adoptr = np.where(
        ua < 0.75,
        "MF",
        np.where(ua < 0.81, "FF", np.where(ua < 0.85, "MM", np.where(ua < 0.97, "F1", "M1"))),
    )
    w = _norm_from_u(ua, 43)
    couple_ls = np.where(w < 0.6, np.where(sex_adoptr == "MF", "L11", "L12"), "L2")
    couple_ls = np.where(w > 1.5, np.where(sex_adoptr == "MF", "L3", "L4"), couple_ls)
    ls_adoptr = np.where(np.isin(sex_adoptr, ["F1", "M1"]), "L0", couple_ls)
    # Adopted by the foster carers exactly when the adoption placement is A5 (903 rule 335).
    last_episode = np.full(len(cp.entry), -1, dtype=np.int64)
    np.maximum.at(last_episode, cp.e_period, np.arange(len(cp.e_period)))
    by_foster_carers = cp.e_place[last_episode[ad]] == "A5"
    cla_ad1 = _frame(
        {
            **base,
            "child": rec.child_id[cp.child[ad]],
            "dob": _dates(cp.birth[ad]),
            "date_int": _dates(cp.date_int[ad]),
            "date_match": _dates(cp.date_match[ad]),
            "foster_care": by_foster_carers.astype(int),
            "nb_adoptr": np.where(np.isin(sex_adoptr, ["F1", "M1"]), 1, 2),
            "sex_adoptr": sex_adoptr,
            "ls_adoptr": ls_adoptr,
        }
    )
    pa = np.flatnonzero((cp.date_int <= we) & (cp.exit_day >= ws) & (cp.date_int != NULL_DAY))
    cla_placed_adoption = _frame(
        {
            **base,
            "child": rec.child_id[cp.child[pa]],
            "dob": _dates(cp.birth[pa]),
            "date_placed": _dates(cp.date_int[pa]),
            "date_placed_ceased": _dates(np.full(len(pa), NULL_DAY)),
            "reason_placed_ceased": [None] * len(pa),
        }
    )
    st = np.flatnonzero((cp.entry >= ws) & (cp.entry <= we))
    # One row per child (903 INT35): the first period of care starting in the year.
    st = st[np.lexsort((cp.entry[st], cp.child[st]))]
    st = st[np.unique(cp.child[st], return_index=True)[1]]
    pp = cp.prev_perm[st]
    # Every option but Z1 has an LA and a date (903 rule 630). For P4 (unknown) DfE takes LA 999
    # and a date with unknown parts as ZZ; the date column cannot hold ZZ, so P4 gets a full
    # synthetic date like the others. Orders predate entry by 60 days or more (rule 632; care
    # gives P1-P4 only to children old enough).
    has_perm = pp != "Z1"
    first_decom = np.full(len(lc.children), NULL_DAY, dtype=np.int64)
    np.minimum.at(first_decom, child, cp.e_decom[ei])
    perm_day = np.minimum(np.maximum(cp.entry[st] - 400, cp.birth[st] + 30), cp.entry[st] - 60)
    perm_day = np.minimum(perm_day, first_decom[cp.child[st]] - 60)
    cla_prev_perm = _frame(
        {
            **base,
            "child": rec.child_id[cp.child[st]],
            "dob": _dates(cp.birth[st]),
            "prev_perm": pp,
            "la_perm": _keep(np.where(pp == "P4", "999", la), has_perm),
            "date_perm": _dates(np.where(has_perm, perm_day, NULL_DAY)),
        }
    )

    # Header: every child in any of this year's tables.
    all_children = np.unique(
        np.concatenate(
            [
                child,
                cp.child[o],
                cp.child[ad],
                cp.child[st],
                cp.child[pa],
                cla_oc3.attrs.get("child_index", np.zeros(0, np.int64)),
            ]
        )
    ).astype(np.int64)
    hb = lc.children.birth[all_children]
    upn, unknown = _upn_fields(rec, all_children, hb, we)
    female = rec.sex_recorded[all_children] == "F"
    ages = age_on(hb, we)
    mother = female & (ages >= 13) & (rec.mother_u[all_children] < 0.025 * (ages - 12))
    # Motherhood is asked only of children looked after in the year (903 rule 628), and the
    # child was born by the mother's latest episode end in the return (rule 625).
    in_episodes = np.isin(all_children, child)
    female &= in_episodes
    mother &= in_episodes
    latest_dec = np.full(len(lc.children), np.iinfo(np.int64).min, dtype=np.int64)
    has_dec = dec != NULL_DAY
    np.maximum.at(latest_dec, child[has_dec], dec[has_dec])
    latest_dec[latest_dec == np.iinfo(np.int64).min] = NULL_DAY
    mc_limit = np.minimum(latest_dec[all_children], we)
    mc_day = np.minimum(we - (rec.mother_u[all_children] * 3000).astype(np.int64) % 700, mc_limit)
    cla_header = _frame(
        {
            **base,
            "child": rec.child_id[all_children],
            "sex": _sex_for_903(rec.sex_recorded, all_children, year),
            "dob": _dates(hb),
            "ethnic": lc.children.ethnicity[all_children],
            "upn": np.where(upn == "", unknown, upn),
            "mother": pd.Series(mother.astype(int), dtype="Int64").where(female),
            "mc_dob": _dates(np.where(mother, mc_day, NULL_DAY)),
        }
    )
    cla_oc3.attrs = {}
    return {
        "cla_header": cla_header,
        "cla_episode": cla_episode,
        "cla_uasc": cla_uasc,
        "cla_review": cla_review,
        "cla_oc2": cla_oc2,
        "cla_oc3": cla_oc3,
        "cla_ad1": cla_ad1,
        "cla_placed_adoption": cla_placed_adoption,
        "cla_prev_perm": cla_prev_perm,
        "cla_missing": cla_missing,
        "cla_social_worker": cla_social_worker,
    }


def _sex_for_903(sex: np.ndarray, children: np.ndarray, year: int) -> np.ndarray:
    """903 SEX before 2024-25 was 1 (male) or 2 (female) only: a child whose sex is recorded as
    unknown elsewhere had to be returned as one of them. Which one follows the child's index,
    so that no random stream shifts and the same child gets the same answer every year."""
    out = sex[children]
    if year >= SSDA903_SEX_LETTERS_FROM:
        return out
    unknown = out == "U"
    return np.where(unknown, np.where(children % 2 == 0, "M", "F"), out)


def _norm_from_u(u: np.ndarray, salt: int) -> np.ndarray:
    """A standard-normal value derived from a stored uniform, so a period's OC2 answers stay
    stable across years without keeping extra arrays (salt picks an independent-looking digit)."""
    from scipy.special import ndtri

    frac = (u * (10 ** (salt % 6 + 1)) * 7.31 + salt * 0.618) % 1.0
    return ndtri(np.clip(frac, 1e-6, 1 - 1e-6))


def _oc3(lc: LifeCourses, rec: ChildRecord, la: str, year: int, oc_u: np.ndarray) -> pd.DataFrame:
    """Care leavers whose 17th to 21st birthday falls in the year and who were 'former relevant'
    children: 13 weeks looked after since 14, including some time after 16."""
    cp = lc.care
    ws, we = year_start(year), year_end(year)
    b = cp.birth
    b14, b16 = add_years(b, 14), add_years(b, 16)
    time_after_14 = np.maximum(
        np.minimum(cp.exit_day, add_years(b, 18)) - np.maximum(cp.entry, b14), 0
    )
    after_16 = cp.exit_day > b16
    eligible = (time_after_14 >= 91) & after_16
    rows = []
    for age in range(17, 22):
        bd = add_years(b, age)
        # Only those who had left care before the birthday (903 rule 1016: no care leaver
        # information for 17 and 18 year olds who ceased on or after it).
        hit = eligible & (bd >= ws) & (bd <= we) & (cp.exit_day < bd)
        idx = np.flatnonzero(hit)
        rows.append((idx, np.full(len(idx), age)))
    idx = np.concatenate([r[0] for r in rows])
    ages = np.concatenate([r[1] for r in rows])
    # One row per child (the latest qualifying period).
    _, keep = np.unique(cp.child[idx][::-1], return_index=True)
    keep = len(idx) - 1 - keep
    idx, ages = idx[keep], ages[keep]
    # Not a care leaver on the birthday if a later period of care was open then or after.
    birthday = np.zeros(len(idx), dtype=np.int64)
    for age in range(17, 22):
        at = ages == age
        birthday[at] = add_years(cp.birth[idx[at]], age)
    periods = pd.DataFrame({"child": cp.child, "exit": cp.exit_day})
    cands = pd.DataFrame({"child": cp.child[idx], "bd": birthday, "pos": np.arange(len(idx))})
    back = cands.merge(periods, on="child")
    back_in_care = np.unique(back.loc[back["exit"] > back["bd"], "pos"].to_numpy())
    keep_mask = np.ones(len(idx), bool)
    keep_mask[back_in_care] = False
    idx, ages = idx[keep_mask], ages[keep_mask]
    u = oc_u[idx]
    z = _norm_from_u(u, 29)
    in_touch = np.where(
        z < 1.55,
        "YES",
        np.where(z < 1.85, "NO", np.where(z < 2.1, "REFU", np.where(z < 2.6, "NREQ", "RHOM"))),
    )
    young = ages <= 18
    # EET among those in touch (about 94%): P(a > cut) = 0.68 (17-18) and 0.575 (19-21), so
    # about 64% and 54% of all care leavers, DfE's 2025 figures.
    eet_cut = np.where(young, -0.47, -0.19)
    a = _norm_from_u(u, 31)
    activ = np.where(
        a > eet_cut + 0.55,
        np.where(ages >= 19, np.where(a > 1.8, "F1", "F5"), "F2"),
        np.where(
            a > eet_cut, np.where(a > eet_cut + 0.3, "P2", "F4"), np.where(a > -1.7, "G5", "G4")
        ),
    )
    s = _norm_from_u(u, 37)
    staying = (
        (ages >= 18) & (ages <= 20) & (s < np.select([ages == 18, ages == 19], [-0.3, -0.85], -1.2))
    )
    accom_letter = np.where(
        staying, "Z", np.where(s < 0.4, "U", np.where(s < 0.9, "D", np.where(s < 1.3, "B", "E")))
    )
    suitable = _norm_from_u(u, 41) < np.where(young, 1.55, 1.4)
    accom = np.char.add(accom_letter.astype("U1"), np.where(suitable, "1", "2"))
    not_in_touch = in_touch != "YES"
    activ = np.where(not_in_touch, "0", activ)
    accom = np.where(not_in_touch, "0", accom)
    df = _frame(
        {
            "year": year,
            "la_code": la,
            "child": rec.child_id[cp.child[idx]],
            "dob": _dates(cp.birth[idx]),
            "in_touch": in_touch,
            "activ": activ,
            "accom": accom,
        }
    )
    df.attrs["child_index"] = cp.child[idx]
    return df
