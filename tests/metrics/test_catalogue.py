"""The catalogue is the contract between analysts' YAML and the metrics build: these tests check
the real catalogue against the design's indicator list and methods, and check that a broken file
is rejected with one line that tells its author exactly where to look."""

from __future__ import annotations

import copy
import csv
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from metrics.catalogue import (
    CatalogueError,
    UnknownIndicatorError,
    clear_catalogue_cache,
    load_catalogue,
)

DESIGN_CSV = Path(__file__).resolve().parents[2] / "docs" / "design" / "indicators.csv"


def _design_rows() -> list[dict[str, str]]:
    with DESIGN_CSV.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def design() -> list[dict[str, str]]:
    return _design_rows()


# ------------------------------------------------------------------ the real catalogue


def test_real_catalogue_loads_with_groups_in_order() -> None:
    cat = load_catalogue()
    kinds = [g.kind for g in cat.groups]
    assert kinds == sorted(kinds, key=["outcome", "enabler", "data_quality"].index)
    assert {g.group for g in cat.groups} >= {
        "outcome_1_family_support",
        "outcome_2_safety",
        "outcome_3_family_network",
        "outcome_4_stable_homes",
        "enabler_leadership",
        "enabler_workforce",
        "data_quality",
    }
    flat = [ind.id for g in cat.groups for ind in g.indicators]
    assert [ind.id for ind in cat.indicators] == flat
    assert len(set(flat)) == len(flat) == len(cat)
    assert load_catalogue() is cat  # cached


def test_every_design_indicator_is_present_unchanged(design: list[dict[str, str]]) -> None:
    cat = load_catalogue()
    assert len(design) == 80
    for row in design:
        ind = cat.indicator(row["id"])
        assert ind.title == row["title"], row["id"]
        assert ind.domain == row["domain"], row["id"]
        assert ind.group == row["framework_group"], row["id"]


def test_published_england_values_match_the_design(design: list[dict[str, str]]) -> None:
    cat = load_catalogue()
    for row in design:
        published = cat.indicator(row["id"]).published
        assert published is not None, row["id"]
        assert published.england == pytest.approx(float(row["england_value"])), row["id"]
        if row["la_median"]:
            assert published.la_median == pytest.approx(float(row["la_median"])), row["id"]


def test_required_extensions_are_present() -> None:
    cat = load_catalogue()
    required = {
        "eyfs_gld_cino_pct": "pupil",
        "eyfs_gld_cppo_pct": "pupil",
        "eyfs_gld_cla12_pct": "pupil",
        "eyfs_gld_all_pupils_pct": "all_pupils",
        "absence_overall_all_pupils_pct": "all_pupils",
        "persistent_absence_all_pupils_pct": "all_pupils",
        "severe_absence_all_pupils_pct": "all_pupils",
        "ks2_rwm_expected_all_pupils_pct": "all_pupils",
        "attainment8_all_pupils_mean": "all_pupils",
        "education_link_pct": "social_care_child",
        "cin_ethnicity_known_pct": "cin_31mar",
        "cin_disability_recorded_pct": "cin_31mar",
        "cin_upn_known_pct": "cin_31mar",
        "cla_upn_known_pct": "cla_31mar",
        "care_leavers_in_touch_pct": "care_leaver",
        "placement_distance_known_pct": "cla_31mar",
        "sdq_completion_pct": "cla12",
        "sw_ethnicity_known_pct": "workforce",
    }
    for ident, unit in required.items():
        assert cat.indicator(ident).numerator.unit == unit, ident
    assert cat.indicator("eyfs_gld_cla12_pct").group == "outcome_1_family_support"
    assert cat.group("data_quality").kind == "data_quality"
    link = cat.indicator("education_link_pct").annotations.hidden_needs.text.lower()
    assert "attainment" in link and "absence" in link


def test_annotations_are_specific_to_each_indicator() -> None:
    cat = load_catalogue()
    texts = {
        "purpose": [i.annotations.purpose for i in cat],
        "hidden_needs": [i.annotations.hidden_needs.text for i in cat],
        "risks": [i.annotations.risks for i in cat],
        "voice": [i.annotations.voice for i in cat],
    }
    for field, values in texts.items():
        repeated = [
            t for t, n in Counter(" ".join(v.split()).lower() for v in values).items() if n > 1
        ]
        assert not repeated, f"{field} shared by several indicators: {repeated[:1]}"


def test_polarity_follows_methods_table() -> None:
    # methods.md 3.1, hand-copied; (polarity, LAIT polarity)
    expected = {
        "rereferral_12m_pct": ("no_judgement", "low"),
        "cpp_repeat_pct": ("no_judgement", "low"),
        "cpp_over_2y_pct": ("no_judgement", "low"),
        "cpp_start_rate": ("no_judgement", "low"),
        "cin_rate": ("no_judgement", None),
        "cla_adopted_pct": ("no_judgement", "high"),
        "placement_foster_pct": ("no_judgement", "high"),
        "af_neglect_rate": ("no_judgement", None),
        "s47_to_icpc_pct": ("no_judgement", None),
        "ks2_rwm_expected_cla12_pct": ("higher_better", None),
        "care_leavers_eet_19_21_pct": ("higher_better", "high"),
        "assessments_45wd_pct": ("higher_better", "high"),
        "long_term_stability_pct": ("higher_better", "high"),
        "persistent_absence_cppo_pct": ("lower_better", "low"),
        "placements_3plus_pct": ("lower_better", "low"),
        "sw_caseload_mean": ("lower_better", "low"),
        "sdq_mean": ("lower_better", "low"),
        "cla_school_move_pct": ("lower_better", "low"),
    }
    cat = load_catalogue()
    for ident, (polarity, lait) in expected.items():
        ind = cat.indicator(ident)
        assert (ind.polarity, ind.lait_polarity) == (polarity, lait), ident


def test_declarations_follow_the_measure_conventions() -> None:
    cat = load_catalogue()
    for ind in cat:
        den = ind.denominator
        if ind.measure == "rate_per_10000":
            assert den is not None, ind.id
            if ind.id == "hospital_injury_0_14_rate":
                assert (den.unit, den.column) == ("la_hospital", "population_0_14")
            else:
                assert den.population == "children_0_17", ind.id
        if ind.measure == "proportion":
            assert ind.multiplier == 100 and ind.interval in ("wilson", "none"), ind.id
        if ind.numerator.unit == "workforce" and ind.measure == "ratio":
            assert ind.interval in ("none", "poisson_exact"), ind.id
    assert cat.indicator("sw_turnover_pct").multiplier == 100
    assert cat.indicator("cin_rate").multiplier == 10_000


def test_not_computable_indicators_say_why() -> None:
    cat = load_catalogue()
    off = {i.id for i in cat if not i.computable}
    assert "cla_school_move_pct" in off
    for ident in off:
        reason = cat.indicator(ident).not_computable_reason
        assert reason and len(reason) > 20, ident
    assert cat.indicator("cin_rate").not_computable_reason is None


def test_unknown_indicator_error_names_the_id() -> None:
    cat = load_catalogue()
    with pytest.raises(UnknownIndicatorError) as info:
        cat.indicator("cin_rates")
    assert isinstance(info.value, KeyError)
    assert "cin_rates" in str(info.value)
    assert "cin_rates" not in cat and "cin_rate" in cat


# ------------------------------------------------------------------ invalid files

VALID: dict[str, Any] = {
    "id": "demo_rate",
    "title": "Demo rate",
    "short_title": "Demo",
    "domain": "Demo domain",
    "definition": "Children looked after on 31 March per 10,000.",
    "measure": "rate_per_10000",
    "numerator": {"unit": "cla_31mar", "aggregate": "count", "where": {"uasc": False}},
    "denominator": {"population": "children_0_17"},
    "unit": "per 10,000 children",
    "decimals": 1,
    "polarity": "no_judgement",
    "lait_polarity": None,
    "source": {"return": "SSDA903", "fields": ["Episodes.DECOM"]},
    "first_year": 2017,
    "breakdowns": ["age_band", "sex"],
    "interval": "poisson_exact",
    "disclosure": {"primary": 5, "round_national": 10},
    "computable": True,
    "annotations": {
        "purpose": "p",
        "voice": "v",
        "coverage": {"text": "c", "measures": ["returns_missing"]},
        "hidden_needs": {"text": "h", "signals": ["expected_rate", "disparity_age"]},
        "caveats": "c",
        "risks": "r",
    },
    "related": [],
}
PROPORTION: dict[str, Any] = {
    **copy.deepcopy(VALID),
    "id": "demo_pct",
    "measure": "proportion",
    "numerator": {
        "unit": "cla_31mar",
        "aggregate": "count",
        "where": {"placement_group": "foster"},
    },
    "denominator": {"unit": "cla_31mar", "aggregate": "count"},
    "interval": "wilson",
}
PROPORTION["annotations"]["hidden_needs"]["signals"] = ["disparity_age"]


def _write(folder: Path, name: str, indicators: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    doc = {"group": name, "title": "Demo group", "kind": "outcome", "indicators": indicators}
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def _error(folder: Path) -> str:
    clear_catalogue_cache()
    with pytest.raises(CatalogueError) as info:
        load_catalogue(folder)
    message = str(info.value)
    assert "\n" not in message
    return message


def _mutated(base: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(base)
    *parents, last = dotted.split(".")
    node = out
    for key in parents:
        node = node[key]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value
    return out


_DELETE = object()


def test_minimal_fixture_is_valid(tmp_path: Path) -> None:
    _write(tmp_path, "demo_group", [VALID, PROPORTION])
    clear_catalogue_cache()
    cat = load_catalogue(tmp_path)
    assert [i.id for i in cat] == ["demo_rate", "demo_pct"]
    assert cat.indicator("demo_pct").group == "demo_group"
    assert len(load_catalogue(tmp_path, required_ids=("demo_rate",))) == 2


@pytest.mark.parametrize(
    ("base", "field", "value", "expected_field", "expected_text"),
    [
        (VALID, "numerator.unit", "cla_at_31mar", "numerator.unit", "unknown unit 'cla_at_31mar'"),
        (
            VALID,
            "numerator",
            {"unit": "cla_31mar", "aggregate": "sum", "column": "weight"},
            "numerator.column",
            "no column 'weight'",
        ),
        (
            PROPORTION,
            "numerator.where",
            {"placement_group": "castle"},
            "numerator.where.placement_group",
            "unknown value 'castle'",
        ),
        (
            PROPORTION,
            "numerator.where",
            {"uasc": "yes"},
            "numerator.where.uasc",
            "true or false",
        ),
        (VALID, "colour", "red", "colour", "unexpected field"),
        (VALID, "annotations.mood", "calm", "annotations.mood", "unexpected field"),
        (VALID, "annotations.risks", _DELETE, "annotations.risks", "missing"),
        (VALID, "breakdowns", ["disability"], "breakdowns", "disability"),
        (VALID, "interval", "wilson", "interval", "does not fit"),
        (VALID, "short_title", "x" * 41, "short_title", "40"),
        (VALID, "computable", False, "not_computable_reason", "required"),
        (
            VALID,
            "annotations.hidden_needs.signals",
            ["disparity_ethnicity"],
            "annotations.hidden_needs.signals",
            "ethnicity_group",
        ),
    ],
)
def test_invalid_indicator_gives_one_line_naming_file_id_and_field(
    tmp_path: Path,
    base: dict[str, Any],
    field: str,
    value: Any,
    expected_field: str,
    expected_text: str,
) -> None:
    bad = _mutated(base, field, value)
    path = _write(tmp_path, "demo_group", [VALID if base is PROPORTION else PROPORTION, bad])
    message = _error(tmp_path)
    assert path.name in message
    assert f"indicator '{base['id']}'" in message
    assert f"field '{expected_field}'" in message
    assert expected_text in message


def test_proportion_numerator_must_keep_the_denominator_filter(tmp_path: Path) -> None:
    bad = _mutated(PROPORTION, "denominator.where", {"uasc": True})
    _write(tmp_path, "demo_group", [bad])
    message = _error(tmp_path)
    assert "indicator 'demo_pct': field 'numerator.where.uasc'" in message


def test_duplicate_id_across_files_is_rejected(tmp_path: Path) -> None:
    _write(tmp_path, "demo_a", [VALID])
    _write(tmp_path, "demo_b", [copy.deepcopy(VALID)])
    message = _error(tmp_path)
    assert "demo_b.yaml" in message and "demo_a.yaml" in message
    assert "indicator 'demo_rate'" in message and "field 'id'" in message
    assert "duplicate" in message


def test_unknown_related_id_is_rejected(tmp_path: Path) -> None:
    _write(tmp_path, "demo_group", [_mutated(VALID, "related", ["nope_rate"])])
    message = _error(tmp_path)
    assert "demo_group.yaml" in message and "indicator 'demo_rate'" in message
    assert "field 'related'" in message and "nope_rate" in message


def test_missing_required_id_is_rejected(tmp_path: Path) -> None:
    _write(tmp_path, "demo_group", [VALID])
    clear_catalogue_cache()
    with pytest.raises(CatalogueError, match=r"indicator 'cin_rate': field 'id'"):
        load_catalogue(tmp_path, required_ids=("demo_rate", "cin_rate"))


def test_group_must_match_file_name_and_yaml_must_parse(tmp_path: Path) -> None:
    path = _write(tmp_path, "demo_group", [VALID])
    path.rename(tmp_path / "other_name.yaml")
    message = _error(tmp_path)
    assert "other_name.yaml" in message and "field 'group'" in message

    (tmp_path / "other_name.yaml").write_text("group: [unclosed\n", encoding="utf-8")
    message = _error(tmp_path)
    assert "other_name.yaml" in message and "invalid YAML" in message
