"""``python -m data build | export | import``: the command line of the data layer.

Every bad value ends in one line naming it and exit status 2, never a traceback: the people who
run this are analysts, and a traceback tells them nothing about which argument to change.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import sqlalchemy as sa

from data.engine import DatabaseURLError, check_database_url, database_url, make_engine, mask_url
from data.load import LoadError
from data.refdata import UnknownLAError, resolve_la
from data.returns.frames import ReturnFormatError

USAGE_ERROR = 2
REJECTED = 1  # the returns were read and refused: a verdict on the data, not on the command


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}\n")


def _years(text: str) -> range:
    m = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", text)
    if not m:
        raise argparse.ArgumentTypeError(
            f"malformed year range {text!r}: expected e.g. 2017-2026 or 2025"
        )
    first = int(m.group(1))
    last = int(m.group(2) or first)
    if last < first:
        raise argparse.ArgumentTypeError(
            f"malformed year range {text!r}: the end is before the start"
        )
    if first < 2012 or last > 2026:
        raise argparse.ArgumentTypeError(f"year range {text!r} is outside the supported 2012-2026")
    return range(first, last + 1)


def _year(text: str) -> int:
    r = _years(text)
    if len(r) != 1:
        raise argparse.ArgumentTypeError(f"expected one year, got {text!r}")
    return r[0]


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"scale must be a number, got {text!r}") from None
    if not value > 0 or value > 10:
        raise argparse.ArgumentTypeError(f"scale must be above 0 and at most 10, got {text!r}")
    return value


def _la(text: str) -> str:
    try:
        return resolve_la(text)
    except UnknownLAError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="python -m data",
        description="Build, export and import children's social care returns.",
    )
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    b = sub.add_parser("build", help="simulate synthetic returns and load them (atomically)")
    b.add_argument("--seed", type=int, default=1)
    b.add_argument("--scale", type=_scale, default=1.0, help="multiplier on the number of children")
    b.add_argument("--years", type=_years, default=range(2017, 2027), help="e.g. 2017-2026")
    b.add_argument(
        "--la", type=_la, nargs="+", default=None, help="DfE (202) or ONS (E09000007) codes"
    )
    b.add_argument("--clean", action="store_true", help="no data-quality flaws")
    b.add_argument("--database-url", default=None)
    b.add_argument("--quiet", action="store_true", help="no progress bar")

    e = sub.add_parser("export", help="write one LA-year in the DfE formats")
    e.add_argument("--la", type=_la, required=True)
    e.add_argument("--year", type=_year, required=True)
    e.add_argument("--out", type=Path, required=True)
    e.add_argument("--database-url", default=None)

    i = sub.add_parser(
        "import", help="load an LA's own returns for one year, replacing that LA-year"
    )
    i.add_argument("--la", type=_la, required=True)
    i.add_argument("--year", type=_year, required=True)
    i.add_argument("paths", type=Path, nargs="+", help="a folder, or the return files themselves")
    i.add_argument("--database-url", default=None)
    i.add_argument("--report", type=Path, default=None, help="write every finding to this CSV")
    i.add_argument("--check", action="store_true", help="validate and report only; change nothing")
    i.add_argument("--quiet", action="store_true", help="print the summary line only")
    return p


def _writable_folder(path: Path) -> None:
    probe = path
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise OSError(f"output folder {str(path)!r} is not a folder ({str(probe)!r} is a file)")
    import os

    if not os.access(probe, os.W_OK):
        raise OSError(f"output folder {str(path)!r} is not writable")


def metrics_step(
    *, quiet: bool = True, changed: tuple[str, int] | None = None
) -> Callable[[sa.Engine], None]:
    """The metrics build, for ``build_database(after_load=...)``; after an import of one
    LA-year (``changed``: LA code and year), the rebuild of only what that LA's records change,
    which writes the same tables in a fraction of the time (metrics/partial.py).

    The one place ``data`` reaches into ``metrics``: the command composes the pipeline that the
    ARCHITECTURE contract promises (``python -m data build`` ends with the tidy tables), while
    the data library itself never imports the layer above it (tests/test_layers.py)."""

    def run(engine: sa.Engine) -> None:
        from metrics.build import build_metrics
        from metrics.partial import rebuild_after_import

        if not quiet:
            print("Building indicator tables...", file=sys.stderr)
        if changed is None:
            report = build_metrics(engine)
        else:
            report = rebuild_after_import(engine, *changed)
        if not quiet:
            timings = ", ".join(f"{k} {v:.0f} s" for k, v in report.seconds.items())
            rows = report.rows["indicator_values"]
            if report.mode == "partial":
                print(f"  {rows:,} indicator rows rewritten ({timings})", file=sys.stderr)
            else:
                print(
                    f"  {rows:,} indicator rows, {report.mode} build ({timings})", file=sys.stderr
                )

    return run


def _build(args: argparse.Namespace) -> int:
    from data.build import build_database

    url = database_url(args.database_url)
    check_database_url(url)
    build_database(
        url,
        seed=args.seed,
        scale=args.scale,
        years=args.years,
        la_codes=args.la,
        clean=args.clean,
        progress=not args.quiet,
        after_load=metrics_step(quiet=args.quiet),
    )
    print(f"built {mask_url(url)}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from data.returns.exchange import export_la_year

    url = database_url(args.database_url)
    check_database_url(url)
    _writable_folder(args.out)
    engine = make_engine(url)
    try:
        written = export_la_year(engine, args.la, args.year, args.out)
    finally:
        engine.dispose()
    if not any(written.values()):
        raise LookupError(f"no records for LA {args.la} in {args.year} in {mask_url(url)}")
    for name, files in written.items():
        print(f"{name}: {len(files)} file(s) in {args.out}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from data.importer import import_returns

    url = database_url(args.database_url)
    check_database_url(url)
    for path in args.paths:
        if not path.exists():
            raise FileNotFoundError(f"no such file or folder: {str(path)!r}")
    if args.report is not None:
        _writable_folder(args.report.parent)
    result = import_returns(
        url,
        args.paths,
        args.la,
        args.year,
        after_load=metrics_step(quiet=args.quiet, changed=(args.la, args.year)),
        check_only=args.check,
    )
    report = result.report
    if args.report is not None:
        report.write_csv(args.report)
    print(report.summary() if args.quiet else report.format_text())
    if not report.ok:
        print(
            f"python -m data import: nothing was loaded for LA {args.la}, {args.year}; "
            "the database is unchanged",
            file=sys.stderr,
        )
        return REJECTED
    if result.imported:
        rows = sum(result.rows.values()) - result.rows.get("return_status", 0)
        returns = ", ".join(result.validated.returns)
        # The stage seconds let a slow import be traced to validation, the load (which
        # includes copying the database) or the metrics rebuild; bench/import_la_year.py reads them.
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items() if k != "total")
        print(
            f"imported {rows:,} records ({returns}) for LA {args.la}, {args.year} into "
            f"{mask_url(url)} in {result.seconds['total']:.1f} s ({stages})"
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handlers = {"build": _build, "export": _export, "import": _import}
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        print("interrupted: the database is unchanged", file=sys.stderr)
        return 130
    except (
        DatabaseURLError,
        UnknownLAError,
        ReturnFormatError,
        LoadError,
        LookupError,
        OSError,
        ValueError,
    ) as exc:
        message = " ".join(str(exc).split())
        print(f"python -m data {args.command}: error: {message}", file=sys.stderr)
        return USAGE_ERROR
