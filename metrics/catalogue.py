"""The indicator catalogue: what each indicator counts, how it should be read, and what it hides.

Indicators are declared in YAML (``metrics/catalogue/<group>.yaml``) so that analysts and policy
readers can review definitions and annotations without reading code. This module is the gate
between that prose and the rest of the system: it checks every declaration against the units in
:mod:`metrics.units` before anything is computed, so a typo in a unit, column or filter value fails
at load time with one line naming the file, the indicator and the field, instead of surfacing as an
empty chart. It declares only; the SQL builders and statistics live elsewhere.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from metrics.units import BREAKDOWN_VALUES, POPULATIONS, UNITS, Unit

CATALOGUE_DIR = Path(__file__).with_name("catalogue")
_REPO_ROOT = Path(__file__).resolve().parent.parent

Measure = Literal["count", "rate_per_10000", "proportion", "mean", "median", "ratio"]
Aggregate = Literal["count", "sum", "mean", "median"]
Polarity = Literal["higher_better", "lower_better", "no_judgement"]
Interval = Literal["wilson", "poisson_exact", "t_mean", "none"]
Kind = Literal["outcome", "enabler", "data_quality"]
Breakdown = Literal["age_band", "sex", "ethnicity_group", "disability"]
CoverageMeasure = Literal[
    "returns_missing",
    "values_imputed",
    "ethnicity_unknown",
    "sex_unknown",
    "disability_not_recorded",
    "upn_missing",
    "primary_need_not_stated",
    "education_link_rate",
    "care_leavers_not_in_touch",
    "distance_unknown",
    "sdq_missing",
    "workforce_ethnicity_unknown",
]
Signal = Literal[
    "expected_rate",
    "disparity_ethnicity",
    "disparity_disability",
    "disparity_sex",
    "disparity_age",
]
WhereValue = bool | str | list[bool] | list[str]

# ONS estimates split by age, sex and ethnic group exist (ref_population); none by disability.
POPULATION_BREAKDOWNS: tuple[str, ...] = ("age_band", "sex", "ethnicity_group")
SIGNAL_BREAKDOWN = {
    "disparity_ethnicity": "ethnicity_group",
    "disparity_disability": "disability",
    "disparity_sex": "sex",
    "disparity_age": "age_band",
}
# The multiplier from numerator / denominator to the displayed value, unless ``scale`` is given.
DEFAULT_SCALE: dict[str, float] = {
    "count": 1.0,
    "rate_per_10000": 10_000.0,
    "proportion": 100.0,
    "mean": 1.0,
    "median": 1.0,
    "ratio": 1.0,
}
_KIND_ORDER = {"outcome": 0, "enabler": 1, "data_quality": 2}

# The ids of indicators.csv (the design's published indicator list): the real catalogue must
# hold every one of them, unchanged, so published figures and downloads stay joinable.
PUBLISHED_IDS: tuple[str, ...] = (
    "cin_rate", "rereferral_12m_pct", "cla_start_rate", "cla_rate", "cla_uasc_start_rate",
    "cla_uasc_rate", "cla_school_move_pct", "absence_overall_cino_pct",
    "absence_overall_cppo_pct", "absence_overall_cla12_pct", "persistent_absence_cino_pct",
    "persistent_absence_cppo_pct", "persistent_absence_cla12_pct", "severe_absence_cino_pct",
    "severe_absence_cppo_pct", "severe_absence_cla12_pct", "ks2_rwm_expected_cino_pct",
    "ks2_rwm_expected_cppo_pct", "ks2_rwm_expected_cla12_pct", "attainment8_cino_mean",
    "attainment8_cppo_mean", "attainment8_cla12_mean", "cpp_repeat_pct", "cpp_over_2y_pct",
    "hospital_injury_0_14_rate", "af_domestic_abuse_child_rate", "af_domestic_abuse_parent_rate",
    "af_domestic_abuse_other_rate", "af_emotional_abuse_rate", "af_faith_linked_abuse_rate",
    "af_neglect_rate", "af_physical_abuse_adult_rate", "af_physical_abuse_child_rate",
    "af_physical_abuse_unknown_rate", "af_sexual_abuse_adult_rate", "af_sexual_abuse_child_rate",
    "af_sexual_abuse_unknown_rate", "af_child_criminal_exploitation_rate",
    "af_child_sexual_exploitation_rate", "af_gangs_rate", "af_going_missing_rate",
    "af_trafficking_rate", "sgo_exit_pct", "cao_exit_pct", "placements_3plus_pct",
    "placed_over_20mi_pct", "adoption_decision_to_match_months", "placement_foster_pct",
    "placement_childrens_homes_pct", "placement_independent_supported_pct", "sdq_mean",
    "care_leavers_eet_17_18_pct", "care_leavers_eet_19_21_pct",
    "care_leavers_suitable_accom_17_18_pct", "care_leavers_suitable_accom_19_21_pct",
    "spend_share_childrens_services_pct", "spend_per_child_gbp", "spend_non_cla_share_pct",
    "ofsted_leadership_outstanding_count", "ofsted_leadership_good_count",
    "ofsted_leadership_requires_improvement_count", "ofsted_leadership_inadequate_count",
    "sw_turnover_pct", "sw_agency_pct", "sw_vacancy_pct", "sw_caseload_mean",
    "cla_3plus_social_workers_pct", "sw_ethnic_minority_pct", "referral_rate", "s47_rate",
    "icpc_rate", "cpp_rate_31mar", "cpp_start_rate", "assessments_45wd_pct", "icpc_15wd_pct",
    "s47_to_icpc_pct", "cla_adopted_pct", "cla_missing_pct", "care_leavers_staying_put_pct",
    "long_term_stability_pct",
)  # fmt: skip


# libyaml's loader when present: the pure-Python one takes seconds over the catalogue.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogueError(ValueError):
    """An invalid catalogue file; the message is one line naming file, indicator and field."""


class UnknownIndicatorError(KeyError):
    """No indicator with this id in the catalogue."""

    def __str__(self) -> str:  # KeyError would print the repr of its argument
        return str(self.args[0]) if self.args else "unknown indicator"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Count(_Strict):
    """One side of an indicator: an aggregate over a unit, or a population."""

    unit: str | None = None
    aggregate: Aggregate | None = None
    column: str | list[str] | None = None  # a list is summed column by column (FTE sums)
    where: dict[str, WhereValue] = Field(default_factory=dict)
    population: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        if self.column is None:
            return ()
        return (self.column,) if isinstance(self.column, str) else tuple(self.column)


class Source(_Strict):
    return_: str = Field(alias="return", min_length=1)
    fields: list[str] = Field(default_factory=list)


class Disclosure(_Strict):
    primary: int = Field(ge=0)  # counts 1..primary are suppressed (0: no primary suppression)
    round_national: int | None = Field(default=None, ge=1)  # national and regional rounding base
    round_local: int | None = Field(default=None, ge=1)  # LA-level rounding base (e.g. HES: 5)


class Coverage(_Strict):
    text: str = Field(min_length=1)
    measures: list[CoverageMeasure] = Field(default_factory=list)


class HiddenNeeds(_Strict):
    text: str = Field(min_length=1)
    signals: list[Signal] = Field(default_factory=list)


class Annotations(_Strict):
    purpose: str = Field(min_length=1)
    voice: str = Field(min_length=1)
    coverage: Coverage
    hidden_needs: HiddenNeeds
    caveats: str = Field(min_length=1)
    risks: str = Field(min_length=1)


class Published(_Strict):
    england: float | None
    year: int
    la_p10: float | None = None
    la_median: float | None = None
    la_p90: float | None = None
    la_min: float | None = None
    la_max: float | None = None


class Indicator(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    group: str  # set by the loader from the file's group
    title: str = Field(min_length=1)
    short_title: str = Field(min_length=1, max_length=40)
    domain: str = Field(min_length=1)
    definition: str = Field(min_length=1)
    measure: Measure
    numerator: Count
    denominator: Count | None = None
    unit: str = Field(min_length=1)  # display unit
    scale: float | None = None  # overrides DEFAULT_SCALE[measure]
    decimals: int = Field(ge=0, le=3)
    polarity: Polarity = "no_judgement"
    lait_polarity: Literal["low", "high"] | None = None
    source: Source
    first_year: int = Field(ge=2000, le=2100)
    breakdowns: list[Breakdown] = Field(default_factory=list)
    interval: Interval
    disclosure: Disclosure
    computable: bool = True
    not_computable_reason: str | None = None
    annotations: Annotations
    related: list[str] = Field(default_factory=list)
    published: Published | None = None

    @property
    def multiplier(self) -> float:
        """What numerator / denominator is multiplied by for display (100 for a percentage)."""
        return self.scale if self.scale is not None else DEFAULT_SCALE[self.measure]


class Group(_Strict):
    group: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1)
    kind: Kind
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True, eq=False)
class Catalogue:
    """Every indicator, in file order within groups ordered outcomes, enablers, data quality."""

    groups: tuple[Group, ...]

    @functools.cached_property
    def _by_id(self) -> dict[str, Indicator]:
        return {ind.id: ind for g in self.groups for ind in g.indicators}

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(ind for g in self.groups for ind in g.indicators)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._by_id)

    def indicator(self, indicator_id: str) -> Indicator:
        try:
            return self._by_id[indicator_id]
        except KeyError:
            raise UnknownIndicatorError(f"unknown indicator '{indicator_id}'") from None

    def group(self, name: str) -> Group:
        for g in self.groups:
            if g.group == name:
                return g
        raise KeyError(f"unknown group '{name}'")

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self._by_id

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self._by_id)


# ---------------------------------------------------------------------------- loading


class _FieldError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _display(path: Path) -> str:
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(_REPO_ROOT))
    except ValueError:
        return str(path)


def _loc(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


def _first_error(err: ValidationError) -> tuple[str, str]:
    first = err.errors()[0]
    loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    # Unions add the member type to the location (``column.str``); keep the field path only.
    loc = tuple(p for p in loc if p not in ("str", "bool", "list[str]", "list[bool]"))
    message = first["msg"].replace("\n", " ")
    if first["type"] == "extra_forbidden":
        message = "unexpected field (not part of the catalogue format)"
    elif first["type"] == "missing":
        message = "required field is missing"
    else:
        message = f"{message} (got {first['input']!r})"
    return _loc(loc) or "(file)", message


def _check_where(unit: Unit, where: Mapping[str, WhereValue], field: str) -> None:
    for column, value in where.items():
        values = value if isinstance(value, list) else [value]
        if not values:
            raise _FieldError(f"{field}.{column}", "empty list of values")
        if column in unit.breakdowns:
            allowed: tuple[str, ...] | None = BREAKDOWN_VALUES[column]
            kind = "text"
        elif column in unit.columns:
            kind = unit.columns[column]
            allowed = unit.values.get(column)
        else:
            raise _FieldError(
                f"{field}.{column}", f"unit '{unit.name}' has no column '{column}' to filter on"
            )
        if kind == "bool":
            if not all(isinstance(v, bool) for v in values):
                raise _FieldError(f"{field}.{column}", f"expects true or false, got {value!r}")
        elif kind == "text":
            for v in values:
                if not isinstance(v, str):
                    raise _FieldError(f"{field}.{column}", f"expects text, got {v!r}")
                if allowed is not None and v not in allowed:
                    raise _FieldError(
                        f"{field}.{column}",
                        f"unknown value '{v}' (allowed: {', '.join(allowed)})",
                    )
        else:
            raise _FieldError(
                f"{field}.{column}", f"cannot filter on {kind} column '{column}' (only flags/text)"
            )


def _check_side(side: Count, field: str, *, allow_population: bool) -> Unit | None:
    """Check one side against the units; return its unit (None for a population)."""
    if side.population is not None:
        if not allow_population:
            raise _FieldError(f"{field}.population", "a population can only be a denominator")
        if side.population not in POPULATIONS:
            raise _FieldError(f"{field}.population", f"unknown population '{side.population}'")
        for name in ("unit", "aggregate", "column"):
            if getattr(side, name) is not None:
                raise _FieldError(f"{field}.{name}", "not allowed with a population")
        if side.where:
            raise _FieldError(f"{field}.where", "not allowed with a population")
        return None
    if side.unit is None:
        raise _FieldError(f"{field}.unit", "required field is missing")
    unit = UNITS.get(side.unit)
    if unit is None:
        raise _FieldError(f"{field}.unit", f"unknown unit '{side.unit}'")
    if side.aggregate is None:
        raise _FieldError(f"{field}.aggregate", "required field is missing")
    if side.aggregate == "count":
        if side.column is not None:
            raise _FieldError(f"{field}.column", "a count takes no column")
    else:
        if not side.columns:
            raise _FieldError(f"{field}.column", f"aggregate '{side.aggregate}' needs a column")
        if isinstance(side.column, list) and side.aggregate != "sum":
            raise _FieldError(f"{field}.column", "a list of columns is only allowed with sum")
        for column in side.columns:
            if column not in unit.columns:
                raise _FieldError(f"{field}.column", f"unit '{unit.name}' has no column '{column}'")
            if unit.columns[column] != "number":
                raise _FieldError(
                    f"{field}.column",
                    f"column '{column}' is {unit.columns[column]}, not a number",
                )
    _check_where(unit, side.where, f"{field}.where")
    return unit


def _check_measure(ind: Indicator) -> None:
    num, den = ind.numerator, ind.denominator
    agg = num.aggregate
    if ind.measure == "count":
        if den is not None:
            raise _FieldError("denominator", "a count has no denominator")
        if agg not in ("count", "sum"):
            raise _FieldError("numerator.aggregate", "a count needs aggregate count or sum")
    elif ind.measure in ("mean", "median"):
        if agg == ind.measure:
            if den is not None:
                raise _FieldError("denominator", f"a {ind.measure} has no denominator")
        elif ind.measure == "mean" and agg == "sum":
            # A mean held as a ratio of sums (e.g. all-pupil points over pupils).
            if den is None or den.aggregate != "sum":
                raise _FieldError("denominator", "a mean of sums needs a sum denominator")
        else:
            raise _FieldError(
                "numerator.aggregate", f"a {ind.measure} needs aggregate '{ind.measure}'"
            )
    else:
        if den is None:
            raise _FieldError("denominator", f"a {ind.measure} needs a denominator")
        if agg in ("mean", "median"):
            raise _FieldError("numerator.aggregate", f"a {ind.measure} needs count or sum")
        # Only injury admissions use a unit population (la_hospital.population_0_14).
        rate_of_unit = ind.measure == "rate_per_10000" and den.population is None
        if rate_of_unit and den.aggregate != "sum":
            raise _FieldError("denominator", "a rate needs a population or a summed column")
        if ind.measure in ("proportion", "ratio") and den.population is not None:
            raise _FieldError("denominator.population", f"a {ind.measure} needs a unit")
        if ind.measure == "proportion" and den.unit == num.unit:
            for column, value in den.where.items():
                if num.where.get(column) != value:
                    raise _FieldError(
                        f"numerator.where.{column}",
                        "a proportion's numerator must keep every denominator filter",
                    )


def _check_interval(ind: Indicator) -> None:
    ok = {
        "wilson": ind.measure == "proportion",
        "poisson_exact": ind.measure in ("rate_per_10000", "ratio"),
        "t_mean": ind.measure == "mean" and ind.numerator.aggregate == "mean",
        "none": True,
    }[ind.interval]
    if not ok:
        raise _FieldError("interval", f"'{ind.interval}' does not fit measure '{ind.measure}'")


def _check_breakdowns(ind: Indicator, units: list[Unit | None]) -> None:
    if len(set(ind.breakdowns)) != len(ind.breakdowns):
        raise _FieldError("breakdowns", "listed twice")
    for b in ind.breakdowns:
        for unit in units:
            carried = POPULATION_BREAKDOWNS if unit is None else unit.breakdowns
            if b not in carried:
                what = "the population" if unit is None else f"unit '{unit.name}'"
                raise _FieldError("breakdowns", f"{what} does not carry breakdown '{b}'")
    for signal in ind.annotations.hidden_needs.signals:
        if signal == "expected_rate" and ind.measure != "rate_per_10000":
            raise _FieldError("annotations.hidden_needs.signals", "expected_rate needs a rate")
        needed = SIGNAL_BREAKDOWN.get(signal)
        if needed is not None and needed not in ind.breakdowns:
            raise _FieldError(
                "annotations.hidden_needs.signals", f"'{signal}' needs breakdown '{needed}'"
            )


def _check_indicator(ind: Indicator) -> None:
    units = [_check_side(ind.numerator, "numerator", allow_population=False)]
    if ind.denominator is not None:
        units.append(_check_side(ind.denominator, "denominator", allow_population=True))
    _check_measure(ind)
    _check_interval(ind)
    _check_breakdowns(ind, units)
    if ind.computable and ind.not_computable_reason is not None:
        raise _FieldError("not_computable_reason", "only for indicators with computable: false")
    if not ind.computable and not ind.not_computable_reason:
        raise _FieldError("not_computable_reason", "required when computable is false")


def _load_group(path: Path) -> Group:
    where = _display(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or "unreadable"
        raise CatalogueError(f"{where}: {line}invalid YAML: {problem}") from None
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: expected a mapping with group, title, kind, indicators")
    raw_indicators = raw.get("indicators")
    if not isinstance(raw_indicators, list) or not raw_indicators:
        raise CatalogueError(f"{where}: field 'indicators': expected a non-empty list")
    group_name = raw.get("group")
    if group_name != path.stem:
        raise CatalogueError(
            f"{where}: field 'group': '{group_name}' does not match the file name '{path.stem}'"
        )
    indicators: list[Indicator] = []
    for position, item in enumerate(raw_indicators, start=1):
        ident = item.get("id") if isinstance(item, dict) else None
        label = f"indicator '{ident}'" if isinstance(ident, str) else f"indicator #{position}"
        if not isinstance(item, dict):
            raise CatalogueError(f"{where}: {label}: expected a mapping of fields")
        if "group" in item:
            raise CatalogueError(
                f"{where}: {label}: field 'group': set by the file, not per indicator"
            )
        try:
            ind = Indicator.model_validate({**item, "group": group_name})
            _check_indicator(ind)
        except ValidationError as exc:
            field, message = _first_error(exc)
            raise CatalogueError(f"{where}: {label}: field '{field}': {message}") from None
        except _FieldError as exc:
            raise CatalogueError(f"{where}: {label}: field '{exc.field}': {exc.message}") from None
        indicators.append(ind)
    try:
        return Group.model_validate({**raw, "indicators": tuple(indicators)})
    except ValidationError as exc:
        field, message = _first_error(exc)
        raise CatalogueError(f"{where}: field '{field}': {message}") from None


def _read_catalogue(directory: Path, required: tuple[str, ...]) -> Catalogue:
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise CatalogueError(f"{_display(directory)}: no catalogue files (*.yaml)")
    loaded: list[tuple[Path, Group]] = [(p, _load_group(p)) for p in files]
    loaded.sort(key=lambda pg: (_KIND_ORDER[pg[1].kind], pg[1].group))
    seen: dict[str, Path] = {}
    for path, group in loaded:
        for ind in group.indicators:
            if ind.id in seen:
                raise CatalogueError(
                    f"{_display(path)}: indicator '{ind.id}': field 'id': duplicate id "
                    f"(also in {_display(seen[ind.id])})"
                )
            seen[ind.id] = path
    for path, group in loaded:
        for ind in group.indicators:
            for other in ind.related:
                if other not in seen or other == ind.id:
                    raise CatalogueError(
                        f"{_display(path)}: indicator '{ind.id}': field 'related': "
                        f"unknown or self reference '{other}'"
                    )
    missing = [i for i in required if i not in seen]
    if missing:
        raise CatalogueError(
            f"{_display(directory)}: indicator '{missing[0]}': field 'id': published indicator "
            f"missing from the catalogue ({len(missing)} missing)"
        )
    return Catalogue(groups=tuple(g for _, g in loaded))


@functools.lru_cache(maxsize=8)
def _cached(directory: str, required: tuple[str, ...]) -> Catalogue:
    return _read_catalogue(Path(directory), required)


def load_catalogue(
    path: str | Path | None = None, *, required_ids: tuple[str, ...] | None = None
) -> Catalogue:
    """Load and validate every ``*.yaml`` in ``path`` (default: ``metrics/catalogue``).

    The default catalogue must hold every published id (:data:`PUBLISHED_IDS`); another folder
    must hold ``required_ids`` (none unless given). Results are cached per folder, so edit-and-
    reload needs :func:`clear_catalogue_cache`. Raises :class:`CatalogueError` (one line).
    """
    directory = CATALOGUE_DIR if path is None else Path(path)
    if required_ids is None:
        required_ids = PUBLISHED_IDS if path is None else ()
    return _cached(str(directory.resolve()), tuple(required_ids))


def clear_catalogue_cache() -> None:
    """Forget loaded catalogues (after editing the YAML in a running process or a test)."""
    _cached.cache_clear()


def catalogue_records(catalogue: Catalogue) -> list[dict[str, Any]]:
    """Plain dicts (YAML field names) for the API and downloads."""
    return [ind.model_dump(by_alias=True) for ind in catalogue.indicators]
