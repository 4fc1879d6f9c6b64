"""Periods of care: how long each lasts, how it ends, and the episodes, moves, reviews and
missing incidents inside it.

A period's exit is decided first from the child's age at entry (babies are adopted or go to
special guardians, teenagers mostly stay until 18 or return home), then its episodes are built as
the union of placement changes and legal-status changes, so the 903 rules hold by construction:
no overlaps, X1 chains with the next DECOM equal to DEC, RNE S only at the start, and RNE agreeing
with what changed (P placement, L legal status, B both).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from pyproj import Transformer

from data.synth import national as nat
from data.synth.dates import (
    NULL_DAY,
    add_working_days,
    add_years,
    age_on,
    collection_year,
    year_end,
)
from data.synth.effects import LAEffects
from data.synth.latent import LAFactors, draw_factors

_TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)

# Exit routes by age at entry: (route, probability) rows for under 1, 1-4, 5-9, 10-15, 16-17.
ROUTES = ("adopt", "sgo", "home", "cao", "to18", "other")
ROUTE_P = np.array(
    [
        [0.50, 0.23, 0.12, 0.03, 0.08, 0.04],
        [0.28, 0.26, 0.24, 0.05, 0.12, 0.05],
        [0.02, 0.19, 0.35, 0.05, 0.29, 0.10],
        [0.00, 0.09, 0.38, 0.02, 0.41, 0.10],
        [0.00, 0.00, 0.28, 0.00, 0.62, 0.10],
    ]
)
ROUTE_MEDIAN_DAYS = {"sgo": 640.0, "cao": 480.0, "home": 165.0, "other": 270.0}
ROUTE_SIGMA = {"sgo": 0.45, "cao": 0.5, "home": 1.25, "other": 1.1}


@dataclass
class CarePeriods:
    # one row per period of care
    episode: np.ndarray
    child: np.ndarray
    entry: np.ndarray
    birth: np.ndarray
    uasc: np.ndarray
    exit_day: np.ndarray  # NULL_DAY while still looked after
    exit_rec: np.ndarray
    date_int: np.ndarray  # decision to place for adoption, or NULL_DAY
    date_match: np.ndarray
    date_placed_adoption: np.ndarray
    prev_perm: np.ndarray
    # one row per 903 episode
    e_period: np.ndarray
    e_decom: np.ndarray
    e_dec: np.ndarray
    e_rne: np.ndarray
    e_ls: np.ndarray
    e_cin: np.ndarray
    e_place: np.ndarray
    e_provider: np.ndarray
    e_rec: np.ndarray
    e_reason_change: np.ndarray
    e_placement: np.ndarray  # placement serial within the period (for tokens and URNs)
    e_distance: np.ndarray  # miles, NaN when unknown
    e_pl_la: np.ndarray
    e_out: np.ndarray  # bool: placed outside the LA
    e_known: np.ndarray  # bool: placement postcode known
    # incidents
    m_period: np.ndarray
    m_start: np.ndarray
    m_end: np.ndarray
    m_kind: np.ndarray
    # reviews
    r_period: np.ndarray
    r_day: np.ndarray
    r_code: np.ndarray
    # social worker episodes
    w_period: np.ndarray
    w_id: np.ndarray
    w_start: np.ndarray
    w_end: np.ndarray
    w_reason: np.ndarray

    @staticmethod
    def concat(parts: list[CarePeriods]) -> CarePeriods:
        out = {}
        offset = 0
        offsets = []
        for p in parts:
            offsets.append(offset)
            offset += len(p.episode)
        for fld in fields(CarePeriods):
            arrays = [getattr(p, fld.name) for p in parts]
            if fld.name in ("e_period", "m_period", "r_period", "w_period"):
                arrays = [a + o for a, o in zip(arrays, offsets, strict=True)]
            out[fld.name] = np.concatenate(arrays) if arrays else np.zeros(0)
        return CarePeriods(**out)


def _pick(rng: np.random.Generator, table: tuple[tuple[str, float], ...], n: int) -> np.ndarray:
    codes, p = nat.codes_and_probs(table)
    return codes[rng.choice(len(codes), size=n, p=p)]


def year_end_day(days: np.ndarray) -> np.ndarray:
    """The 31 March closing the collection year each day falls in (NULL_DAY stays NULL_DAY)."""
    years = collection_year(np.where(days == NULL_DAY, 0, days))
    distinct = np.unique(years)
    ends = np.array([year_end(int(y)) for y in distinct], dtype=np.int64)
    return np.where(days == NULL_DAY, NULL_DAY, ends[np.searchsorted(distinct, years)])


def _age_band(age: np.ndarray) -> np.ndarray:
    return np.digitize(age, [1, 5, 10, 16])


def _lognormal(
    rng: np.random.Generator, median: np.ndarray | float, sigma: np.ndarray | float, n: int
) -> np.ndarray:
    return np.exp(np.log(median) + sigma * rng.standard_normal(n))


def _exits(rng, entry, birth, uasc, n):  # type: ignore[no-untyped-def]
    age = age_on(birth, entry)
    band = _age_band(age)
    u = rng.random(n)
    cum = np.cumsum(ROUTE_P[band], axis=1)
    route = (u[:, None] > cum).sum(axis=1)
    route = np.minimum(route, len(ROUTES) - 1)
    route = np.where(
        uasc, np.where(rng.random(n) < 0.86, ROUTES.index("to18"), ROUTES.index("other")), route
    )
    adult = add_years(birth, 18)
    exit_day = np.full(n, NULL_DAY, dtype=np.int64)
    rec = np.full(n, "E8", dtype="U3")
    date_int = np.full(n, NULL_DAY, dtype=np.int64)
    date_match = np.full(n, NULL_DAY, dtype=np.int64)
    placed = np.full(n, NULL_DAY, dtype=np.int64)

    adopt = route == ROUTES.index("adopt")
    date_int[adopt] = entry[adopt] + _lognormal(rng, 290.0, 0.35, int(adopt.sum())).astype(np.int64)
    date_match[adopt] = date_int[adopt] + _lognormal(rng, 255.0, 0.55, int(adopt.sum())).astype(
        np.int64
    )
    placed[adopt] = date_match[adopt] + rng.integers(10, 60, int(adopt.sum()))
    exit_day[adopt] = placed[adopt] + rng.integers(90, 330, int(adopt.sum()))
    rec[adopt] = np.where(rng.random(int(adopt.sum())) < 0.58, "E11", "E12")

    for name in ("sgo", "cao", "home", "other"):
        sel = route == ROUTES.index(name)
        k = int(sel.sum())
        exit_day[sel] = entry[sel] + np.maximum(
            _lognormal(rng, ROUTE_MEDIAN_DAYS[name], ROUTE_SIGMA[name], k), 1
        ).astype(np.int64)
        if name == "sgo":
            rec[sel] = _pick(rng, (("E45", 0.68), ("E46", 0.07), ("E47", 0.22), ("E48", 0.03)), k)
        elif name == "cao":
            rec[sel] = "E41"
        elif name == "home":
            rec[sel] = np.where(rng.random(k) < 0.84, "E4A", "E4B")
        else:
            rec[sel] = _pick(
                rng,
                (
                    ("E8", 0.35),
                    ("E13", 0.30),
                    ("E3", 0.10),
                    ("E9", 0.06),
                    ("E14", 0.08),
                    ("E16", 0.04),
                    ("E15", 0.05),
                    ("E2", 0.02),
                ),
                k,
            )
            rec[sel] = np.where(~uasc[sel] & (rec[sel] == "E15"), "E8", rec[sel])
    to18 = route == ROUTES.index("to18")
    k = int(to18.sum())
    exit_day[to18] = adult[to18]
    rec[to18] = _pick(
        rng,
        (
            ("E17", 0.24),
            ("E5", 0.33),
            ("E6", 0.08),
            ("E4A", 0.07),
            ("E8", 0.14),
            ("E13", 0.10),
            ("E7", 0.04),
        ),
        k,
    )
    # Nobody stays past 18; exits other than "to 18" that would run past it end at 18.
    late = exit_day >= adult
    exit_day = np.where(late, adult, exit_day)
    rec = np.where(late & ~to18, _pick(rng, (("E5", 0.5), ("E8", 0.3), ("E17", 0.2)), n), rec)
    # DfE counts a child as looked after all year unless an episode ends before 31 March, so an
    # exit on 31 March would need OC2 and forbid AD1 (903 rules 191, 187): leave a day earlier
    # (a day later when the period would otherwise be empty).
    on_31_march = exit_day == year_end_day(exit_day)
    exit_day = np.where(
        on_31_march, np.where(exit_day - 1 > entry, exit_day - 1, exit_day + 1), exit_day
    )
    # Independent-living exits and E17 belong to 16+ (E17 only at 18).
    age_exit = age_on(birth, exit_day)
    young = age_exit < 16
    rec = np.where(young & np.isin(rec, ["E5", "E6", "E17", "E7"]), "E8", rec)
    rec = np.where((age_exit < 18) & (rec == "E17"), "E5", rec)
    return exit_day, rec, date_int, date_match, placed, route


def _placement_types(rng, age_band, uasc, year, n):  # type: ignore[no-untyped-def]
    """Placement codes by age band; supported accommodation is K3 from 2024-25, H5 before."""
    tables = [
        (
            ("U3", 0.16),
            ("U1", 0.06),
            ("U6", 0.47),
            ("U4", 0.18),
            ("U5", 0.04),
            ("P1", 0.06),
            ("R3", 0.02),
            ("Z1", 0.01),
        ),
        (
            ("U3", 0.15),
            ("U1", 0.07),
            ("U6", 0.42),
            ("U4", 0.22),
            ("K2", 0.05),
            ("P1", 0.07),
            ("Z1", 0.02),
        ),
        (
            ("U3", 0.09),
            ("U1", 0.05),
            ("U6", 0.27),
            ("U4", 0.20),
            ("K2", 0.24),
            ("K1", 0.01),
            ("P1", 0.07),
            ("S1", 0.02),
            ("R1", 0.01),
            ("Z1", 0.02),
        ),
        (
            ("U3", 0.04),
            ("U1", 0.03),
            ("U6", 0.09),
            ("U4", 0.06),
            ("K2", 0.16),
            ("K1", 0.01),
            ("SUP", 0.55),
            ("P1", 0.05),
            ("R5", 0.01),
            ("Z1", 0.02),
        ),
    ]
    out = np.empty(n, dtype="U3")
    band = np.minimum(np.maximum(age_band - 1, 0), 3)
    for b, table in enumerate(tables):
        sel = band == b
        out[sel] = _pick(rng, table, int(sel.sum()))
    sel = uasc
    out[sel] = _pick(rng, (("U6", 0.30), ("U4", 0.05), ("SUP", 0.60), ("K2", 0.05)), int(sel.sum()))
    # Supported accommodation is for 16- and 17-year-olds (903 rules 234, 371): younger UASC are
    # fostered instead.
    out = np.where((out == "SUP") & (age_band < 4), "U6", out)
    out = np.where(out == "SUP", np.where(year >= 2025, "K3", "H5"), out)
    # Z1 ("other placement") was split into Z11-Z14 in 2025-26; Z14 stands for it from then.
    out = np.where((out == "Z1") & (year >= 2026), "Z14", out)
    return out


def _providers(rng, place, n):  # type: ignore[no-untyped-def]
    u = rng.random(n)
    prov = np.full(n, "PR1", dtype="U3")
    foster = np.char.startswith(place, "U")
    prov = np.where(foster & np.isin(place, ["U4", "U5", "U6"]) & (u < 0.45), "PR4", prov)
    prov = np.where(
        np.isin(place, ["K2", "K3", "H5", "S1"]),
        np.where(u < 0.8, "PR4", np.where(u < 0.9, "PR5", "PR1")),
        prov,
    )
    prov = np.where(place == "K1", np.where(u < 0.6, "PR2", "PR1"), prov)
    prov = np.where(place == "P1", "PR0", prov)
    prov = np.where(np.isin(place, ["R1", "R2", "R3", "R5"]), "PR3", prov)
    prov = np.where(np.char.startswith(place, "A"), np.where(u < 0.7, "PR1", "PR2"), prov)
    # "Other" placements have no provider (903 rule 178).
    prov = np.where(np.char.startswith(place, "Z"), "", prov)
    return prov


def simulate_care(
    rng: np.random.Generator,
    f: LAFactors,
    eff: LAEffects,
    *,
    episode: np.ndarray,
    child: np.ndarray,
    entry: np.ndarray,
    birth: np.ndarray,
    uasc: np.ndarray,
    need: np.ndarray,
    disabled: np.ndarray,
    flaw_rng: np.random.Generator | None,
) -> CarePeriods:
    n = len(entry)
    exit_day, rec, date_int, date_match, placed, route = _exits(rng, entry, birth, uasc, n)
    end = exit_day  # NULL_DAY never happens here: every route has an end (possibly in the future)
    adopt = route == ROUTES.index("adopt")

    # ---- placement changes: a heterogeneous hazard per period
    max_moves = 10
    hazard = rng.gamma(0.55, 1.0 / 0.55, n) * 0.55 * eff.placement_moves / 365.0
    gaps = rng.exponential(1.0, (n, max_moves)) / np.maximum(hazard[:, None], 1e-6)
    change = entry[:, None] + np.cumsum(gaps, axis=1).astype(np.int64)
    change = np.where(change < end[:, None], change, NULL_DAY)

    # ---- legal status: starting status and later changes
    ls0 = np.where(
        uasc,
        "V2",
        _pick(
            rng,
            (("V2", 0.30), ("C1", 0.52), ("L1", 0.07), ("L2", 0.04), ("J1", 0.02), ("C2", 0.05)),
            n,
        ),
    )
    ls0 = np.where(adopt & (ls0 == "V2"), "C1", ls0)
    # Remand (J1) is for children of 10 or over (903 rule 358).
    ls0 = np.where((ls0 == "J1") & (age_on(birth, entry) < 10), "C1", ls0)
    ls_change1 = np.full(n, NULL_DAY, dtype=np.int64)
    ls1 = np.full(n, "", dtype="U2")
    to_c2 = ls0 == "C1"
    ls_change1[to_c2] = entry[to_c2] + _lognormal(rng, 240.0, 0.35, int(to_c2.sum())).astype(
        np.int64
    )
    ls1[to_c2] = "C2"
    emerg = np.isin(ls0, ["L1", "L2"])
    ls_change1[emerg] = entry[emerg] + rng.integers(2, 10, int(emerg.sum()))
    # Police protection lasts at most 72 hours (903 rule 361).
    police = ls0 == "L1"
    ls_change1[police] = entry[police] + rng.integers(1, 4, int(police.sum()))
    ls1[emerg] = np.where(rng.random(int(emerg.sum())) < 0.6, "C1", "V2")
    remand = ls0 == "J1"
    ls_change1[remand] = entry[remand] + rng.integers(14, 90, int(remand.sum()))
    ls1[remand] = "V2"
    s20_to_order = (ls0 == "V2") & ~uasc & (rng.random(n) < 0.15)
    ls_change1[s20_to_order] = entry[s20_to_order] + rng.integers(60, 300, int(s20_to_order.sum()))
    ls1[s20_to_order] = "C1"
    ls_change2 = np.full(n, NULL_DAY, dtype=np.int64)
    ls2 = np.full(n, "", dtype="U2")
    ls_change2[adopt] = np.minimum(
        date_int[adopt] + rng.integers(20, 90, int(adopt.sum())), placed[adopt] - 1
    )
    ls2[adopt] = "E1"
    ls_change1 = np.where(ls_change1 >= np.minimum(end, ls_change2), NULL_DAY, ls_change1)
    ls_change2 = np.where(ls_change2 >= end, NULL_DAY, ls_change2)

    # ---- merge events into episodes
    ids = np.arange(n)
    ev_period = np.concatenate([ids, np.repeat(ids, max_moves), ids, ids, ids])
    ev_day = np.concatenate(
        [entry, change.ravel(), ls_change1, ls_change2, np.where(adopt, placed, NULL_DAY)]
    )
    ev_place = np.concatenate(
        [
            np.ones(n, bool),
            np.ones(n * max_moves, bool),
            np.zeros(n, bool),
            np.zeros(n, bool),
            np.ones(n, bool),
        ]
    )
    ev_ls = np.concatenate(
        [np.full(n, ""), np.full(n * max_moves, ""), ls1, ls2, np.full(n, "")]
    ).astype("U2")
    ev_ls[:n] = ls0
    ev_adopt = np.concatenate([np.zeros(n * (max_moves + 3), bool), adopt])
    keep = ev_day < np.concatenate([end, np.repeat(end, max_moves), end, end, end])
    keep &= ev_day != NULL_DAY
    ev_period, ev_day, ev_place, ev_ls, ev_adopt = (
        a[keep] for a in (ev_period, ev_day, ev_place, ev_ls, ev_adopt)
    )
    # Once placed for adoption, no more ordinary moves.
    after_adopt = ev_day > np.where(adopt, placed, NULL_DAY)[ev_period]
    drop = after_adopt & ev_place & ~ev_adopt
    ev_period, ev_day, ev_place, ev_ls, ev_adopt = (
        a[~drop] for a in (ev_period, ev_day, ev_place, ev_ls, ev_adopt)
    )
    order = np.lexsort((ev_day, ev_period))
    ev_period, ev_day, ev_place, ev_ls, ev_adopt = (
        a[order] for a in (ev_period, ev_day, ev_place, ev_ls, ev_adopt)
    )
    # Combine events on the same day into one episode start.
    new_start = np.ones(len(ev_day), bool)
    new_start[1:] = (ev_period[1:] != ev_period[:-1]) | (ev_day[1:] != ev_day[:-1])
    grp = np.cumsum(new_start) - 1
    g_n = int(grp[-1] + 1) if len(grp) else 0
    g_place = np.zeros(g_n, bool)
    np.logical_or.at(g_place, grp, ev_place)
    g_adopt = np.zeros(g_n, bool)
    np.logical_or.at(g_adopt, grp, ev_adopt)
    g_ls = np.full(g_n, "", dtype="U2")
    has_ls = ev_ls != ""
    g_ls[grp[has_ls]] = ev_ls[has_ls]
    g_period = ev_period[new_start]
    g_day = ev_day[new_start]
    first = np.ones(g_n, bool)
    first[1:] = g_period[1:] != g_period[:-1]
    # Forward-fill legal status within a period.
    idx = np.where(g_ls != "", np.arange(g_n), 0)
    np.maximum.accumulate(idx, out=idx)
    cur_ls = g_ls[idx]
    ls_changed = (g_ls != "") & ~first
    # Placement serial within period.
    place_serial = np.cumsum(g_place) - 1
    period_first_serial = place_serial[first]
    place_serial = place_serial - np.repeat(
        period_first_serial, np.diff(np.append(np.flatnonzero(first), g_n))
    )

    # ---- placement attributes per placement (one draw per placement start)
    p_rows = np.flatnonzero(g_place)
    per = g_period[p_rows]
    age_p = age_on(birth[per], g_day[p_rows])
    yr = collection_year(g_day[p_rows])
    place_p = _placement_types(rng, _age_band(age_p), uasc[per], yr, len(p_rows))
    place_p = np.where(
        g_adopt[p_rows], np.where(rng.random(len(p_rows)) < 0.9, "A6", "A5"), place_p
    )
    # Placement of each episode (forward-filled within the period).
    pidx = np.where(g_place, np.arange(g_n), 0)
    np.maximum.accumulate(pidx, out=pidx)
    rank = np.full(g_n, -1)
    rank[p_rows] = np.arange(len(p_rows))
    pr = rank[pidx]
    # Placed with parents is never under section 20 alone (903 rule 378): foster instead.
    under_v2 = np.zeros(len(p_rows), bool)
    np.logical_or.at(under_v2, pr, cur_ls == "V2")
    place_p = np.where(under_v2 & (place_p == "P1"), "U4", place_p)
    prov_p = _providers(rng, place_p, len(p_rows))
    # Location: inside the LA or in another one chosen by distance.
    out_p = rng.random(len(p_rows)) < 1.0 / (
        1.0
        + np.exp(-(-0.15 + eff.distance + 0.6 * np.isin(place_p, ["K2", "K1", "S1", "K3", "H5"])))
    )
    out_p &= place_p != "P1"
    # The LA's own provision other than fostering and adoption is inside the LA (903 rule 1015).
    own = (prov_p == "PR1") & ~np.char.startswith(place_p, "U") & ~np.char.startswith(place_p, "A")
    out_p &= ~own
    dist, pl_la = _placement_geography(rng, f, out_p)
    known = np.ones(len(p_rows), bool) if flaw_rng is None else flaw_rng.random(len(p_rows)) > 0.08
    # forward fill placement attributes onto episodes
    e_place = place_p[pr]
    e_provider = prov_p[pr]
    e_distance = np.where(known[pr], dist[pr], np.nan)
    e_pl_la = pl_la[pr]
    e_out = out_p[pr]
    e_known = known[pr]

    # RNE: S first; B when both change; P (or T, same carer) for a placement; L for status only.
    same_carer = rng.random(g_n) < 0.08
    rne = np.where(
        g_place & ls_changed,
        np.where(same_carer, "U", "B"),
        np.where(g_place, np.where(same_carer, "T", "P"), "L"),
    )
    # Placed for adoption with the current foster carers (A5) is the same carer (903 rule 217).
    with_carer = g_adopt & (e_place == "A5")
    rne = np.where(with_carer, np.where(ls_changed, "U", "T"), rne)
    rne = np.where(first, "S", rne).astype("U1")
    reason_change = np.where(g_place & ~first, _pick(rng, nat.PLACE_CHANGE_REASONS, g_n), "")
    # A move into custody is for children of 10 or over (903 rule 234 in 2024-25).
    young_custody = (reason_change == "CUSTOD") & (age_on(birth[g_period], g_day) < 10)
    reason_change = np.where(young_custody, "OTHER", reason_change)
    # Episode end: next start in the same period, or the period's exit.
    last = np.ones(g_n, bool)
    last[:-1] = g_period[1:] != g_period[:-1]
    dec = np.empty(g_n, dtype=np.int64)
    dec[:-1] = g_day[1:]
    dec[last] = end[g_period[last]]
    # Special guardianship to former foster carers (E45, E46) needs a last placement in foster
    # care (903 rule 516); otherwise the order went to other carers (E47, E48).
    fostered_last = np.ones(n, bool)
    fostered_last[g_period[last]] = np.char.startswith(e_place[last], "U")
    rec = np.where(~fostered_last & (rec == "E45"), "E47", rec)
    rec = np.where(~fostered_last & (rec == "E46"), "E48", rec)
    e_rec = np.where(last, rec[g_period], "X1")

    # ---- reviews: 20 working days, then 3 months, then every 6 months
    max_reviews = 40
    k = np.arange(max_reviews)
    first_review = add_working_days(entry, np.full(n, 20)) + np.where(
        rng.random(n) < 0.1, rng.integers(1, 30, n), 0
    )
    offsets = np.where(k == 0, 0, 91 + (k - 1) * 182)[None, :] + rng.integers(
        -10, 1, (n, max_reviews)
    )
    offsets[:, 0] = 0
    r_days = first_review[:, None] + offsets
    r_ok = r_days < end[:, None]
    r_period = np.repeat(ids, max_reviews)[r_ok.ravel()]
    r_day = r_days.ravel()[r_ok.ravel()]
    r_age = age_on(birth[r_period], r_day)
    r_code = np.where(r_age < 4, "PN0", _pick(rng, nat.REVIEW_CODES, len(r_day)))

    # ---- missing and away incidents, mostly teenagers, concentrated in few children
    max_inc = 30
    prone = (age_on(birth, entry) >= 10) & (rng.random(n) < 0.44)  # ~11% of CLA in a year
    rate = np.where(prone, rng.gamma(0.8, 6.0, n), 0.0) / 365.0
    inc_gaps = rng.exponential(1.0, (n, max_inc)) / np.maximum(rate[:, None], 1e-9)
    # Each incident starts once the last has ended (903 rule 574).
    inc_len = rng.integers(0, 4, (n, max_inc))
    before = np.cumsum(inc_len, axis=1) - inc_len
    inc_days = entry[:, None] + np.cumsum(inc_gaps, axis=1).astype(np.int64) + before
    inc_ok = (inc_days < end[:, None]) & prone[:, None]
    m_period = np.repeat(ids, max_inc)[inc_ok.ravel()]
    m_start = inc_days.ravel()[inc_ok.ravel()]
    m_end = m_start + inc_len.ravel()[inc_ok.ravel()]
    m_end = np.minimum(m_end, end[m_period])
    m_kind = np.where(rng.random(len(m_start)) < 0.78, "M", "A")

    # ---- social workers: changes at a rate set by workforce stability
    max_sw = 12
    # About 1.2 changes a year on average: 27% of children looked after have 3 or more
    # social workers in a year (DfE 2024).
    sw_rate = rng.gamma(1.2, 1.2 / 1.2, n) * np.exp(-0.25 * f.workforce_stability) / 365.0
    sw_gaps = rng.exponential(1.0, (n, max_sw)) / np.maximum(sw_rate[:, None], 1e-9)
    # A worker stays at least 3 days (2025-26 rules SW09STG2, SW18STG2, SW19STG2); a change
    # within 3 days of the period's end is not made.
    sw_gaps = np.maximum(sw_gaps.astype(np.int64), 3)
    sw_starts = np.concatenate(
        [entry[:, None], entry[:, None] + np.cumsum(sw_gaps[:, :-1], axis=1)],
        axis=1,
    )
    sw_ok = sw_starts < end[:, None] - 3
    sw_ok[:, 0] = True
    w_period = np.repeat(ids, max_sw)[sw_ok.ravel()]
    w_start = sw_starts.ravel()[sw_ok.ravel()]
    nxt = np.full_like(sw_starts, NULL_DAY)
    nxt[:, :-1] = np.where(sw_ok[:, 1:], sw_starts[:, 1:], NULL_DAY)
    nxt = np.where(nxt < end[:, None], nxt, end[:, None])
    w_end = nxt.ravel()[sw_ok.ravel()]
    pool = max(20, int(f.population_0_17 / 900))
    # At least four characters from 2025-26 (SW02STG1): SW and a zero-padded number.
    w_id = np.char.mod("SW%04d", rng.integers(0, pool, len(w_start))).astype("U8")
    w_reason = _pick(
        rng,
        (
            ("LEFTRL", 0.30),
            ("ORGRST", 0.18),
            ("TSPROC", 0.20),
            ("CHCHAN", 0.08),
            ("PCCHAN", 0.06),
            ("ABSENC", 0.06),
            ("MANAGE", 0.04),
            ("OTHERS", 0.08),
        ),
        len(w_start),
    )
    w_first = np.ones(len(w_start), bool)
    w_first[1:] = w_period[1:] != w_period[:-1]
    # The first worker of a period is a first contact (FCONTA), not a change (SW13STG1).
    w_reason = np.where(w_first, "FCONTA", w_reason)

    prev_perm = _pick(
        rng, (("Z1", 0.86), ("P1", 0.02), ("P2", 0.05), ("P3", 0.03), ("P4", 0.04)), n
    )
    # An earlier permanence order needs time before this period: none for babies (903 rule 632;
    # annual.cla_return dates the order at least 60 days before entry).
    prev_perm = np.where(birth + 30 > entry - 60, "Z1", prev_perm)
    del disabled
    cla_need = np.where(np.isin(need, [f"N{i}" for i in range(1, 9)]), need, "N1")
    return CarePeriods(
        episode=episode,
        child=child,
        entry=entry,
        birth=birth,
        uasc=uasc,
        exit_day=exit_day,
        exit_rec=rec,
        date_int=date_int,
        date_match=date_match,
        date_placed_adoption=placed,
        prev_perm=prev_perm,
        e_period=g_period,
        e_decom=g_day,
        e_dec=dec,
        e_rne=rne,
        e_ls=cur_ls,
        e_cin=cla_need[g_period],
        e_place=e_place,
        e_provider=e_provider,
        e_rec=e_rec,
        e_reason_change=reason_change,
        e_placement=place_serial,
        e_distance=e_distance,
        e_pl_la=e_pl_la,
        e_out=e_out,
        e_known=e_known,
        m_period=m_period,
        m_start=m_start,
        m_end=m_end,
        m_kind=m_kind,
        r_period=r_period,
        r_day=r_day,
        r_code=r_code,
        w_period=w_period,
        w_id=w_id,
        w_start=w_start,
        w_end=w_end,
        w_reason=w_reason,
    )


_NEIGHBOURS: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def _placement_geography(
    rng: np.random.Generator, f: LAFactors, out: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Straight-line miles between home and placement on the British National Grid, and the
    placement's LA: near home inside the LA, or in a nearby LA (closer ones likelier)."""
    codes, lat, lon = _la_points()
    n = len(out)
    home_x, home_y = _TO_BNG.transform(np.full(n, f.centroid_lon), np.full(n, f.centroid_lat))
    spread = np.sqrt(max(f.population_0_17, 5_000) / 50_000.0) * 4_000.0
    home_x = home_x + rng.normal(0, spread, n)
    home_y = home_y + rng.normal(0, spread, n)
    xs, ys = _TO_BNG.transform(lon, lat)
    d = np.hypot(xs - xs[codes == f.la_code][0], ys - ys[codes == f.la_code][0])
    order = np.argsort(d)[1:40]
    w = 1.0 / np.arange(1, len(order) + 1) ** 1.3
    pick = order[rng.choice(len(order), size=n, p=w / w.sum())]
    px = np.where(out, xs[pick], xs[codes == f.la_code][0]) + rng.normal(0, spread, n)
    py = np.where(out, ys[pick], ys[codes == f.la_code][0]) + rng.normal(0, spread, n)
    miles = np.round(np.hypot(px - home_x, py - home_y) / 1000.0 / 1.6093, 1)
    pl_la = np.where(out, codes[pick], f.la_code)
    return miles, pl_la


def _la_points() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if "all" not in _NEIGHBOURS:
        fs = draw_factors(0)
        codes = np.array(sorted(fs))
        _NEIGHBOURS["all"] = (
            codes,
            np.array([fs[c].centroid_lat for c in codes]),
            np.array([fs[c].centroid_lon for c in codes]),
        )
    return _NEIGHBOURS["all"]
