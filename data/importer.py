"""Loading an LA's own returns for one year: validate everything, then change everything or
nothing.

The import works on a copy of the database (``atomic_update``): the returns given replace that
LA-year's records of those returns, ``return_status`` marks them imported, the caller's
``after_load`` (the metrics rebuild) runs on the same copy, and only then does the copy become
the database. Returns not given keep the records they had, still marked as they were, so an LA
can bring its 903 return before its CIN census. Importing the same files twice gives the same
database, because the LA-year's rows are deleted and written again from the files alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from data.load import atomic_update, bulk_insert, replace_la_year
from data.refdata import load_reference
from data.schema import ref_la, ref_population, return_status
from data.synth.population import synth_population
from data.validate.files import Limits
from data.validate.report import Report
from data.validate.run import Validated, validate_returns

RETURN_NAMES = ("cin", "ssda903", "csww")
BUILD_SEED = 1  # python -m data build's default seed, which sets the population figures


@dataclass
class ImportResult:
    validated: Validated
    imported: bool = False
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def report(self) -> Report:
        return self.validated.report


def import_returns(
    url: str,
    paths: Iterable[str | Path],
    la_code: str,
    year: int,
    *,
    after_load: Callable[[sa.Engine], None] | None = None,
    limits: Limits | None = None,
    check_only: bool = False,
) -> ImportResult:
    """Validate the files; if there is no error (and not ``check_only``), load them atomically.

    The database must exist (``python -m data build``, or any database made by this project);
    its reference tables are added if it has none, so an empty database can take an import."""
    tick = time.perf_counter()
    validated = validate_returns(paths, la_code, year, limits=limits)
    result = ImportResult(validated, seconds={"validate": time.perf_counter() - tick})
    if validated.tables is None or check_only:
        return result
    tables = dict(validated.tables)
    tick = time.perf_counter()
    with atomic_update(url) as target:
        engine = target.engine
        if not _has_reference(engine):
            load_reference(engine)
        if not _has_population(engine, la_code, year):
            # The child population by age, sex and ethnicity is the denominator of every rate;
            # a database made for imports alone gets the same figures a build would give it.
            bulk_insert(engine, "ref_population", synth_population(BUILD_SEED, [year], [la_code]))
        tables["return_status"] = _statuses(engine, la_code, year, validated.returns)
        replace_la_year(engine, tables, la_code, year)
        result.seconds["load"] = time.perf_counter() - tick
        if after_load is not None:
            tock = time.perf_counter()
            after_load(engine)
            result.seconds["metrics"] = time.perf_counter() - tock
    result.imported = True
    result.rows = {name: len(frame) for name, frame in tables.items()}
    result.seconds["total"] = sum(result.seconds.values())
    return result


def _has_reference(engine: sa.Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(ref_la)).scalar_one() > 0


def _has_population(engine: sa.Engine, la_code: str, year: int) -> bool:
    p = ref_population
    stmt = sa.select(sa.func.count()).where(p.c.la_code == la_code, p.c.year == year)
    with engine.connect() as conn:
        return conn.execute(stmt).scalar_one() > 0


def _statuses(engine: sa.Engine, la_code: str, year: int, given: list[str]) -> pd.DataFrame:
    """The LA-year's return_status rows after the import: the returns given are submitted and
    imported; the others keep the row they had (none if the LA-year had none)."""
    r = return_status
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(r.c.return_name, r.c.status, r.c.origin).where(
                r.c.la_code == la_code, r.c.year == year
            )
        ).fetchall()
    kept = {name: (status, origin) for name, status, origin in rows if name not in given}
    out = [
        {"year": year, "la_code": la_code, "return_name": name, "status": s, "origin": o}
        for name, (s, o) in sorted(kept.items())
    ]
    out += [
        {
            "year": year,
            "la_code": la_code,
            "return_name": name,
            "status": "submitted",
            "origin": "imported",
        }
        for name in RETURN_NAMES
        if name in given
    ]
    return pd.DataFrame(out, columns=["year", "la_code", "return_name", "status", "origin"])
