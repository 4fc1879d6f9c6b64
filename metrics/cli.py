"""``python -m metrics build``: recompute the tidy tables from the records in the database.

Bad values end in one line naming them and exit status 2, as in ``python -m data``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from data.engine import DatabaseURLError, check_database_url, database_url, make_engine, mask_url
from metrics.catalogue import CatalogueError, UnknownIndicatorError, load_catalogue

USAGE_ERROR = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m metrics", description="Build the indicator tables.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    b = sub.add_parser("build", help="recompute indicator_values and coverage_values")
    b.add_argument("--database-url", default=None)
    b.add_argument("--indicator", nargs="+", default=None, help="only these catalogue ids")
    b.add_argument("--quiet", action="store_true")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from metrics.build import build_metrics

    try:
        url = database_url(args.database_url)
        check_database_url(url)
        catalogue = load_catalogue()
        ids = [catalogue.indicator(i).id for i in args.indicator] if args.indicator else None
        engine = make_engine(url)
        try:
            report = build_metrics(
                engine,
                catalogue=catalogue,
                indicator_ids=ids,
                progress=None if args.quiet else lambda i: print(f"  {i}", file=sys.stderr),
            )
        finally:
            engine.dispose()
    except (DatabaseURLError, CatalogueError, UnknownIndicatorError, ValueError) as exc:
        text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        message = " ".join(str(text).split())
        print(f"python -m metrics {args.command}: error: {message}", file=sys.stderr)
        return USAGE_ERROR
    timings = ", ".join(f"{k} {v:.1f}s" for k, v in report.seconds.items())
    print(f"built metrics in {mask_url(url)}: {report.rows} ({timings})")
    return 0
