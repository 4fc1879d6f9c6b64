"""Run DfE's validation rules over our exported returns and fail on rules we have not excused.

Runs inside ``.cache/validators-venv`` (see validate_exports.sh): the validator packages pin
pandas 1.5, so this file imports nothing from our own packages and reads la.csv directly.
Some rules can never pass on synthetic data because they check against real reference data
(ONS postcodes, Ofsted URNs); those are listed with a reason in
``data/synth/validator_allowlist.csv``. Any other rule that fires is a defect in the generator
or the writers, and makes this exit 1. Usage errors exit 2.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib
import io
import logging
import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LA_CSV = ROOT / "data" / "reference" / "la.csv"
DEFAULT_ALLOWLIST = ROOT / "data" / "synth" / "validator_allowlist.csv"


def find_exports(folder: Path) -> list[Path]:
    """Folders that hold an export: a ``ssda903/`` folder or a ``cin_census.xml``."""
    found = set()
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir() and ((path / "ssda903").is_dir() or (path / "cin_census.xml").is_file()):
            found.add(path)
    return sorted(found)


def header_keys(export: Path) -> tuple[str | None, int | None]:
    """DfE LA code and year from the CIN or workforce header of an export."""
    for name in ("cin_census.xml", "csww.xml"):
        path = export / name
        if path.is_file():
            root = ET.parse(path).getroot()
            lea = root.findtext("Header/Source/LEA")
            year = root.findtext("Header/CollectionDetails/Year")
            return lea, int(year) if year else None
    return None, None


def ons_code(dfe_code: str) -> str:
    with LA_CSV.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["dfe_la_code"] == dfe_code:
                return row["ons_code"]
    raise SystemExit(f"error: LA {dfe_code} is not in {LA_CSV}")


def run_903(folder: Path, ons: str, year: int, ruleset: str) -> tuple[Counter, list[str], dict]:
    from lac_validator import lac_validator
    from lac_validator.report import Report

    files = [
        {"name": p.name, "file_content": p.read_bytes(), "description": "This year"}
        for p in sorted(folder.glob("*.csv"))
        if not p.name.startswith("_")  # our sidecar of derived fields, not an LA file
    ]
    registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry
    metadata = {"collectionYear": str(year), "localAuthority": ons}
    with contextlib.redirect_stdout(io.StringIO()):  # some rules print debugging output
        validator = lac_validator.LacValidator(
            metadata=metadata, files=files, registry=registry, selected_rules=None
        )
    report = Report(validator.ds_results, registry).error_report
    counts = Counter(
        {str(r.Code): int(r.Count) for r in report.itertuples() if r.Count and r.Count > 0}
    )
    messages = {str(rule.code): str(rule.message) for rule in registry.values()}
    return counts, [str(c) for c in validator.fails], messages


def run_cin(path: Path, ruleset: str) -> tuple[Counter, list[str], dict]:
    from cin_validator import cin_validator

    root = ET.parse(path).getroot()
    data = cin_validator.process_data(cin_validator.convert_data(root))
    registry = importlib.import_module(f"cin_validator.rules.{ruleset}").registry
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        validator = cin_validator.CinValidator(data, registry, selected_rules=None)
    crashed = re.findall(r"Error with rule (\S+):", printed.getvalue())
    counts: Counter = Counter()
    if len(validator.full_issue_df):
        counts.update(validator.full_issue_df["rule_code"].astype(str).tolist())
    if len(validator.multichild_issues):
        counts.update(validator.multichild_issues["rule_code"].astype(str).tolist())
    messages = {str(rule.code): str(rule.message) for rule in registry.values()}
    return counts, crashed, messages


def read_allowlist(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or not {"rule", "reason"} <= set(reader.fieldnames):
            raise SystemExit(f"error: {path} must have columns rule,reason")
        return {row["rule"].strip(): row["reason"].strip() for row in reader}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exports", nargs="?", default=str(ROOT / "out" / "exports"))
    parser.add_argument("--lac-ruleset", default="lac2025_26")
    parser.add_argument("--cin-ruleset", default="cin2025_26")
    parser.add_argument("--allowlist", default=str(DEFAULT_ALLOWLIST))
    parser.add_argument("--la", help="DfE LA code, if the export has no XML header")
    parser.add_argument("--year", type=int, help="collection year, if no XML header")
    parser.add_argument("--verbose", action="store_true", help="show the validators' logging")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.ERROR, force=True)
    logging.getLogger().setLevel(logging.INFO if args.verbose else logging.ERROR)

    folder = Path(args.exports)
    if not folder.is_dir():
        parser.error(f"{folder} is not a folder")
    exports = find_exports(folder)
    if not exports:
        parser.error(f"no exports (ssda903/ or cin_census.xml) under {folder}")
    allow = read_allowlist(Path(args.allowlist))

    totals: dict[tuple[str, str], int] = Counter()
    messages: dict[tuple[str, str], str] = {}
    crashed: set[tuple[str, str]] = set()
    for export in exports:
        lea, year = header_keys(export)
        lea = lea or args.la
        year = year or args.year
        if lea is None or year is None:
            parser.error(f"{export}: no XML header; give --la and --year")
        print(f"validating {export} (LA {lea}, {year})", file=sys.stderr)
        runs = []
        if (export / "ssda903").is_dir():
            runs.append(
                ("903", *run_903(export / "ssda903", ons_code(lea), year, args.lac_ruleset))
            )
        if (export / "cin_census.xml").is_file():
            runs.append(("CIN", *run_cin(export / "cin_census.xml", args.cin_ruleset)))
        for name, counts, fails, texts in runs:
            for code, n in counts.items():
                totals[(name, code)] += n
                messages[(name, code)] = texts.get(code, "")
            crashed.update((name, c) for c in fails)

    failing = 0
    print(f"{'return':6} {'rule':10} {'count':>6}  {'status':9} message")
    for (name, code), n in sorted(totals.items()):
        allowed = code in allow
        failing += 0 if allowed else 1
        status = "allowed" if allowed else "FAIL"
        print(f"{name:6} {code:10} {n:6d}  {status:9} {messages[(name, code)][:90]}")
    if crashed:
        listed = ", ".join(f"{n} {c}" for n, c in sorted(crashed))
        print(f"rules that could not run on this data (not counted): {listed}")
    print(
        f"{len(exports)} export(s); {len(totals)} rule(s) fired, "
        f"{failing} not in the allow-list {args.allowlist}"
    )
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
