"""The funnel plot: which indicators get one, where LAs fall, and the mean's read-back SD."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dashboard.figures.funnel import funnel_figure, funnel_kind, funnel_view
from metrics.catalogue import load_catalogue
from tests.dashboard.indicator_rows import ENGLAND, frame, row

CAT = load_catalogue()


@pytest.mark.parametrize(
    ("indicator_id", "kind"),
    [
        ("cin_rate", "rate"),
        ("rereferral_12m_pct", "proportion"),
        ("sdq_mean", "mean"),
        ("sw_caseload_mean", "rate"),
        ("ofsted_leadership_good_count", None),
    ],
)
def test_funnel_kind(indicator_id: str, kind: str | None) -> None:
    assert funnel_kind(CAT.indicator(indicator_id)) == kind


def _proportion_rows() -> pd.DataFrame:
    rows = [row(ENGLAND, "England", "national", value=20.0, numerator=2000, denominator=10000)]
    # Ten LAs at exactly England's 20%, one far above, one with a suppressed value.
    for i in range(10):
        n = 200 + 50 * i
        rows.append(row(f"E0600{i:04d}", f"LA {i}", value=20.0, numerator=n / 5, denominator=n))
    rows.append(row("E06000100", "High", value=90.0, numerator=900, denominator=1000))
    rows.append(row("E06000101", "Hidden", value=None, status="c", numerator=None, denominator=50))
    return frame(rows)


def test_proportion_funnel_places_an_extreme_la_above_and_the_rest_inside() -> None:
    ind = CAT.indicator("rereferral_12m_pct")
    view = funnel_view(ind, _proportion_rows())
    assert view is not None
    assert view.england == 20.0
    assert view.limits.target == 20.0
    points = view.points.set_index("area_name")
    assert "Hidden" not in points.index
    assert points.loc["High", "position_998"] == "above"
    assert (points.drop(index="High")["position_998"] == "inside").all()
    # The grid spans the smallest to the largest denominator.
    assert view.limits.denominators[0] == pytest.approx(200)
    assert view.limits.denominators[-1] == pytest.approx(1000)


def test_mean_funnel_reads_the_england_sd_back_from_its_interval() -> None:
    ind = CAT.indicator("sdq_mean")
    n, mean, sd = 400.0, 14.0, 6.0
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    rows = [
        row(
            ENGLAND,
            "England",
            "national",
            value=mean,
            numerator=n,
            lower=mean - half,
            upper=mean + half,
        )
    ]
    rng = np.random.default_rng(3)
    for i in range(8):
        rows.append(
            row(
                f"E0800{i:04d}",
                f"LA {i}",
                value=float(mean + rng.normal(0, 0.2)),
                numerator=50 + 10 * i,
            )
        )
    view = funnel_view(ind, frame(rows))
    assert view is not None
    assert view.limits.sd == pytest.approx(sd)
    assert view.limits.kind == "mean"
    assert list(view.points["size"]) == [50 + 10 * i for i in range(8)]


def test_no_funnel_for_counts_or_too_few_las() -> None:
    rows = _proportion_rows()
    assert funnel_view(CAT.indicator("ofsted_leadership_good_count"), rows) is None
    few = rows[rows["area_name"].isin(["England", "LA 1", "LA 2"])]
    assert funnel_view(CAT.indicator("rereferral_12m_pct"), few) is None


def test_figure_has_both_limits_england_and_a_labelled_chosen_la() -> None:
    ind = CAT.indicator("rereferral_12m_pct")
    view = funnel_view(ind, _proportion_rows())
    assert view is not None
    figure = funnel_figure(ind, view, chosen="E06000100", neighbours=["E06000001"])
    names = [t["name"] for t in figure["data"]]
    assert names[:5] == [
        "95% control limits",
        "95% control limits",
        "99.8% control limits",
        "99.8% control limits",
        "England 20.0%",
    ]
    assert "High (chosen)" in names and "Statistical neighbours" in names
    chosen = figure["data"][names.index("High (chosen)")]
    assert chosen["texttemplate"] == "High" and chosen["y"] == [90.0]
    assert figure["layout"]["xaxis"]["type"] == "log"
    upper_95 = figure["data"][0]["y"]
    upper_998 = figure["data"][2]["y"]
    assert all(a < b for a, b in zip(upper_95, upper_998, strict=True))
