"""One LA's synthetic returns for a run of collection years, from life courses to tables.

The same seed gives the same rows for an LA whether it is built alone or with the others: every
random stream is keyed by (seed, LA, purpose).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from data.synth import national as nat
from data.synth.annual import child_records, cin_extras, cin_return, cla_return
from data.synth.effects import la_effects
from data.synth.latent import LAFactors, draw_factors, la_rng
from data.synth.lifecourse import simulate_life_courses

# Share of LA-years whose return is missing (a cyberattack, a system migration): about one
# CIN return and one 903 in every 250 LA-years.
P_MISSING_RETURN = {"cin": 0.004, "ssda903": 0.003}


def generate_la(
    factors: LAFactors, years: Iterable[int], seed: int, scale: float = 1.0, clean: bool = False
) -> dict[str, pd.DataFrame]:
    years = sorted(years)
    la = factors.la_code
    eff = la_effects(seed)[la]

    # Deliberate recording flaws draw from streams of their own ("flaws-" + a suffix that keeps
    # the first 8 characters distinct), so --clean removes the flaws and nothing else.
    def flaws(name: str) -> np.random.Generator | None:
        return None if clean else la_rng(seed, la, f"flaws-{name}")

    lc = simulate_life_courses(
        factors,
        eff,
        range(years[0], years[-1] + 1),
        la_rng(seed, la, "lifecourse"),
        scale,
        flaws("lc"),
    )
    rec = child_records(lc, la, la_rng(seed, la, "records"), flaws("rc"))
    frng = la_rng(seed, la, "factors")
    factor_mult = np.exp(0.35 * frng.standard_normal(len(nat.ASSESSMENT_FACTORS)))
    extras = cin_extras(lc, la_rng(seed, la, "cin-extras"), years[0], factor_mult, flaws("ex"))
    oc_u = la_rng(seed, la, "outcomes").random(len(lc.care.entry))
    missing_rng = la_rng(seed, la, "missing-returns")
    missing = {
        name: {y for y in years if not clean and missing_rng.random() < p}
        for name, p in P_MISSING_RETURN.items()
    }
    parts: dict[str, list[pd.DataFrame]] = {}
    status = []
    for year in years:
        for name, tables in (
            ("cin", lambda y=year: cin_return(lc, rec, la, y, extras)),
            ("ssda903", lambda y=year: cla_return(lc, rec, la, y, oc_u)),
        ):
            if year in missing[name]:
                status.append((year, la, name, "missing", "synthetic"))
                continue
            status.append((year, la, name, "submitted", "synthetic"))
            for table, df in tables().items():
                parts.setdefault(table, []).append(df)
    out = {t: pd.concat(dfs, ignore_index=True) for t, dfs in parts.items()}
    out["return_status"] = pd.DataFrame(
        status, columns=["year", "la_code", "return_name", "status", "origin"]
    )
    return out


def generate(
    seed: int,
    years: Iterable[int],
    la_codes: Iterable[str] | None = None,
    scale: float = 1.0,
    clean: bool = False,
) -> Iterable[tuple[str, dict[str, pd.DataFrame]]]:
    factors = draw_factors(seed)
    for code in la_codes or sorted(factors):
        yield code, generate_la(factors[code], years, seed, scale, clean)
