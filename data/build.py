"""Building the record-level database from the synthetic generator, all or nothing.

LAs are simulated in worker processes (each LA is independent given the seed) while the parent
streams their Arrow tables into the side copy of the database; the swap happens only after the
last LA loaded, so an interrupted build leaves the previous database in place.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from data.load import atomic_build, bulk_insert, to_arrow
from data.refdata import load_reference, resolve_la
from data.synth.education import generate_education
from data.synth.generate import generate_la
from data.synth.la_figures import generate_la_figures
from data.synth.latent import draw_factors
from data.synth.population import synth_population
from data.synth.workforce import generate_workforce

DEFAULT_YEARS = range(2017, 2027)


@dataclass(frozen=True)
class BuildRequest:
    seed: int
    scale: float
    years: range
    la_codes: tuple[str, ...]
    clean: bool


def la_tables(code: str, req: BuildRequest) -> dict[str, pd.DataFrame]:
    """Every synthetic table for one LA, as DataFrames in schema columns."""
    factors = draw_factors(req.seed)[code]
    tables = generate_la(factors, req.years, req.seed, req.scale, req.clean)
    tables.update(generate_education(tables, factors, req.years, req.seed, req.clean))
    tables.update(generate_workforce(factors, req.years, req.seed, req.clean))
    tables.update(generate_la_figures(factors, req.years, req.seed, req.clean))
    csww = pd.DataFrame(
        {
            "year": list(req.years),
            "la_code": code,
            "return_name": "csww",
            "status": "submitted",
            "origin": "synthetic",
        }
    )
    tables["return_status"] = pd.concat([tables["return_status"], csww], ignore_index=True)
    return tables


def _la_arrow(args: tuple[str, BuildRequest]) -> tuple[str, dict[str, pa.Table]]:
    code, req = args
    return code, {name: to_arrow(name, df) for name, df in la_tables(code, req).items()}


def _generated(req: BuildRequest, workers: int) -> Iterator[tuple[str, dict[str, pa.Table]]]:
    jobs = [(code, req) for code in req.la_codes]
    if workers <= 1 or len(jobs) <= 1:
        yield from map(_la_arrow, jobs)
        return
    # "forkserver", not the default fork: the caller may already run threads (DuckDB, Arrow,
    # a web server, a test session), and a forked child inherits their locks mid-use; a test
    # session's national build crashed that way (segfault in a worker).
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver")) as pool:
        # Largest LAs first keeps both workers busy to the end.
        factors = draw_factors(req.seed)
        jobs.sort(key=lambda j: -factors[j[0]].population_0_17)
        yield from pool.map(_la_arrow, jobs, chunksize=1)


def build_database(
    url: str,
    *,
    seed: int = 1,
    scale: float = 1.0,
    years: range = DEFAULT_YEARS,
    la_codes: Iterable[str] | None = None,
    clean: bool = False,
    progress: bool = True,
    workers: int | None = None,
    on_la: Callable[[str], None] | None = None,
    after_load: Callable[[sa.Engine], None] | None = None,
) -> None:
    """Simulate returns for the chosen LAs and years and load them into ``url`` atomically.

    ``after_load`` runs on the side copy once every LA has loaded (the CLI passes the metrics
    build), so derived tables are swapped in together with the records they came from."""
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    if len(years) == 0:
        raise ValueError("no years to build")
    codes = (
        tuple(sorted({resolve_la(c) for c in la_codes}))
        if la_codes
        else tuple(sorted(draw_factors(seed)))
    )
    req = BuildRequest(seed=seed, scale=scale, years=years, la_codes=codes, clean=clean)
    workers = workers if workers is not None else min(2, os.cpu_count() or 1)
    with atomic_build(url) as target, _progress(progress, len(codes)) as advance:
        _defer_checkpoints(target.engine)
        load_reference(target.engine)
        bulk_insert(target.engine, "ref_population", synth_population(seed, years, list(codes)))
        # One transaction per LA keeps memory flat; atomicity comes from the side copy, which
        # replaces the live database only after the last LA has loaded.
        for code, tables in _generated(req, workers):
            with target.engine.begin() as conn:
                for name, table in tables.items():
                    if table.num_rows:
                        bulk_insert(conn, name, table)
            advance(code)
            if on_la is not None:
                on_la(code)
        if after_load is not None:
            after_load(target.engine)


BUILD_CHECKPOINT_THRESHOLD = "512MB"


def _defer_checkpoints(engine: sa.Engine) -> None:
    """DuckDB writes its log into the file (a checkpoint) at any commit after 16 MB of log; each
    LA's commit passes that, and those checkpoints were two thirds of a national build's
    loading time. Fewer, larger ones write the same file (the side copy's, swapped in whole)."""
    if engine.dialect.name == "duckdb":
        with engine.connect() as conn:
            conn.exec_driver_sql(f"SET checkpoint_threshold = '{BUILD_CHECKPOINT_THRESHOLD}'")


class _progress:
    """A rich progress bar over LAs, or nothing when quiet."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled = enabled
        self.total = total

    def __enter__(self) -> Callable[[str], None]:
        if not self.enabled:
            return lambda _code: None
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._bar = Progress(
            TextColumn("[bold]Simulating and loading LAs"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            transient=False,
        )
        self._bar.__enter__()
        task = self._bar.add_task("", total=self.total)
        return lambda code: self._bar.update(task, advance=1, description=code)

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self._bar.__exit__(*exc)  # type: ignore[arg-type]
