"""LA-level figures: spending, Ofsted judgements and injury admissions against design targets."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from data.schema import la_finance, la_hospital_injury, la_ofsted
from data.synth.la_figures import generate_la_figures
from data.synth.latent import draw_factors

SEED = 5
DESIGN = Path(__file__).resolve().parents[3] / "docs" / "design"
YEARS = range(2017, 2027)
COMPONENTS = [
    "children_looked_after", "safeguarding", "family_support", "leaving_care_support",
    "other_childrens_services",
]  # fmt: skip


@pytest.fixture(scope="module")
def all_las() -> dict[str, pd.DataFrame]:
    outs = [generate_la_figures(f, YEARS, SEED, clean=True) for f in draw_factors(SEED).values()]
    return {k: pd.concat([o[k] for o in outs], ignore_index=True) for k in outs[0]}


def _indicator(name: str) -> pd.Series:
    return pd.read_csv(DESIGN / "indicators.csv").set_index("id").loc[name]


def _target(measure: str, year: int = 2025) -> float:
    cal = pd.read_csv(DESIGN / "calibration_targets.csv")
    return float(cal.loc[(cal["measure"] == measure) & (cal["year"] == year), "value"].iloc[0])


def _within_spread(values: pd.Series, indicator: str) -> None:
    target = _indicator(indicator)
    for q, col in ((0.1, "la_p10"), (0.5, "la_median"), (0.9, "la_p90")):
        got, want = values.quantile(q), float(target[col])
        assert got == pytest.approx(want, rel=0.2), (indicator, col, got, want)


def test_columns_match_schema(all_las) -> None:
    for name, table in (
        ("la_finance", la_finance),
        ("la_ofsted", la_ofsted),
        ("la_hospital_injury", la_hospital_injury),
    ):
        assert list(all_las[name].columns) == [c.name for c in table.columns]


def test_deterministic_and_seed_sensitive() -> None:
    f = draw_factors(SEED)["805"]
    a = generate_la_figures(f, YEARS, SEED, clean=False)
    b = generate_la_figures(f, YEARS, SEED, clean=False)
    c = generate_la_figures(f, YEARS, SEED + 1, clean=False)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not a["la_finance"].equals(c["la_finance"])


def _wide_2025(all_las) -> pd.DataFrame:
    fin = all_las["la_finance"]
    return fin[fin["year"] == 2025].pivot(index="la_code", columns="line", values="value_gbp")


def test_lines_add_up(all_las) -> None:
    fin = all_las["la_finance"].pivot_table(
        index=["year", "la_code"], columns="line", values="value_gbp"
    )
    assert (fin[COMPONENTS].sum(axis=1) - fin["childrens_services_total"]).abs().max() < 1
    assert (fin[COMPONENTS] >= 0).all().all()
    assert (fin["total_la_spend"] > fin["childrens_services_total"]).all()


def test_england_spending_2025(all_las) -> None:
    w = _wide_2025(all_las)
    population = sum(f.population_0_17 for f in draw_factors(SEED).values())
    total = w["childrens_services_total"].sum()
    assert total == pytest.approx(_target("csc_expenditure_gbp"), rel=0.05)
    assert total / population == pytest.approx(_target("csc_spend_per_child_gbp"), rel=0.05)
    non_cla = 100 * (1 - w["children_looked_after"].sum() / total)
    assert non_cla == pytest.approx(_target("csc_spend_not_on_cla_pct"), rel=0.05)


def test_spending_spread_2025(all_las) -> None:
    w = _wide_2025(all_las)
    population = pd.Series({f.la_code: f.population_0_17 for f in draw_factors(SEED).values()})
    _within_spread(w["childrens_services_total"] / population, "spend_per_child_gbp")
    _within_spread(
        100 * w["childrens_services_total"] / w["total_la_spend"],
        "spend_share_childrens_services_pct",
    )
    _within_spread(
        100 * (1 - w["children_looked_after"] / w["childrens_services_total"]),
        "spend_non_cla_share_pct",
    )


def test_spending_grows_towards_2025(all_las) -> None:
    fin = all_las["la_finance"]
    totals = fin[fin["line"] == "childrens_services_total"].groupby("year")["value_gbp"].sum()
    assert totals[2017] < totals[2021] < totals[2025]


def test_ofsted_counts_2025(all_las) -> None:
    o = all_las["la_ofsted"]
    counts = o[o["year"] == 2025]["leadership_judgement"].value_counts()
    expected = {
        "Outstanding": _target("ofsted_leadership_outstanding_las"),
        "Good": _target("ofsted_leadership_good_las"),
        "Requires improvement": _target("ofsted_leadership_requires_improvement_las"),
        "Inadequate": _target("ofsted_leadership_inadequate_las"),
    }
    assert counts.to_dict() == expected


def test_ofsted_mostly_persists(all_las) -> None:
    o = all_las["la_ofsted"].sort_values(["la_code", "year"])
    changed = o.groupby("la_code")["leadership_judgement"].transform(lambda s: s != s.shift())
    first = o.groupby("la_code").cumcount() == 0
    share = changed[~first].mean()
    assert 0.02 < share < 0.3


def test_worse_judgements_where_deprived_and_unstable(all_las) -> None:
    fs = draw_factors(SEED)
    o = all_las["la_ofsted"]
    o = o[o["year"] == 2025].assign(
        risk=lambda d: d["la_code"].map(
            {c: f.deprivation - f.workforce_stability for c, f in fs.items()}
        )
    )
    mean = o.groupby("leadership_judgement")["risk"].mean()
    assert mean["Inadequate"] > mean["Outstanding"]
    # The same LA made more deprived is never judged better.
    base = fs["805"]
    order = {"Outstanding": 0, "Good": 1, "Requires improvement": 2, "Inadequate": 3}
    ranks = []
    for dep in (-2.0, 2.0):
        out = generate_la_figures(dataclasses.replace(base, deprivation=dep), YEARS, SEED, True)
        ranks.append(out["la_ofsted"]["leadership_judgement"].map(order).to_numpy())
    assert (ranks[1] >= ranks[0]).all() and (ranks[1] > ranks[0]).any()


def test_injury_admissions(all_las) -> None:
    h = all_las["la_hospital_injury"]
    h24 = h[h["year"] == 2024].set_index("la_code")
    england = float(_indicator("hospital_injury_0_14_rate")["england_value"])
    rate = 1e4 * h24["admissions_0_14"] / h24["population_0_14"]
    assert 1e4 * h24["admissions_0_14"].sum() / h24["population_0_14"].sum() == pytest.approx(
        england, rel=0.05
    )
    _within_spread(rate, "hospital_injury_0_14_rate")
    pop = pd.Series({f.la_code: f.population_0_17 for f in draw_factors(SEED).values()})
    assert (h24["population_0_14"] / pop).between(0.8, 0.86).all()


def test_unclean_drops_a_few_returns() -> None:
    outs = [generate_la_figures(f, YEARS, SEED, clean=False) for f in draw_factors(SEED).values()]
    fin = pd.concat(o["la_finance"] for o in outs)
    la_years = fin.groupby(["year", "la_code"]).ngroups
    assert 0.95 * 153 * len(YEARS) < la_years < 153 * len(YEARS)
