"""Run DfE's validation rules over our exported returns and fail on rules we have not excused.

Runs inside ``.cache/validators-venv`` (see validate_exports.sh): the validator packages pin
pandas 1.5, so this file imports nothing from our own packages and reads la.csv directly.
Some rules can never pass on synthetic data because they check against real reference data
(ONS postcodes, Ofsted URNs), and a few are wrong as implemented; those are listed, per return and
rule set, with a reason in ``data/synth/validator_allowlist.csv`` (data/synth/README.md explains
each). Any other rule that fires is a defect in the generator or the writers, and makes this
exit 1. Usage errors and a malformed allow-list exit 2.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib
import importlib.util
import io
import logging
import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parents[1]
LA_CSV = ROOT / "data" / "reference" / "la.csv"
DEFAULT_ALLOWLIST = ROOT / "data" / "synth" / "validator_allowlist.csv"


def fail(message: str) -> NoReturn:
    """Bad input named on the command line (allow-list, LA, rule set): one line, exit 2."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


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
    fail(f"LA {dfe_code} is not in {LA_CSV}")


def _deep_copy_tables(data_store: dict) -> dict:
    return {k: v.copy(deep=True) if k != "metadata" else dict(v) for k, v in data_store.items()}


def isolate_lac_rules() -> None:
    """Give every 903 rule its own copy of the tables.

    lac_validator means to hand each rule "a clean copy" but makes it with ``copy(deep=False)``,
    so a rule that edits a column in place changes what every later rule sees: rule 361 fills
    blank DEC with 31 March, after which rules 575 and 577 report missing-from-care incidents
    open on 31 March as if the child had left care. Run alone, those rules pass.
    """
    from lac_validator import lac_validator

    lac_validator.copy_datastore = _deep_copy_tables


def run_903(folder: Path, ons: str, year: int, ruleset: str) -> tuple[Counter, list[str], dict]:
    from lac_validator import lac_validator
    from lac_validator.report import Report

    isolate_lac_rules()

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


@dataclass(frozen=True)
class Allowance:
    """One allow-list row: a rule excused for one return, in every rule set or only in some."""

    rule: str
    return_name: str  # "903" or "CIN"
    rulesets: frozenset[str]  # empty: every rule set
    reason: str

    def covers(self, return_name: str, code: str, ruleset: str) -> bool:
        return (
            self.rule == code
            and self.return_name == return_name
            and (not self.rulesets or ruleset in self.rulesets)
        )


ALLOWLIST_COLUMNS = ("rule", "return", "rulesets", "class", "reason")
ALLOWLIST_CLASSES = ("external-reference", "validator-bug", "expected-query")


def read_allowlist(path: Path) -> list[Allowance]:
    """The allow-list; a malformed row stops the run with the file, line and field at fault."""
    if not path.is_file():
        fail(f"allow-list {path} does not exist")
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or tuple(reader.fieldnames) != ALLOWLIST_COLUMNS:
            fail(f"{path} must have the columns {','.join(ALLOWLIST_COLUMNS)}")
        out = []
        for line, row in enumerate(reader, start=2):
            where = f"{path}:{line}"
            if row["return"] not in ("903", "CIN"):
                fail(f"{where}: return must be 903 or CIN, not {row['return']!r}")
            if row["class"] not in ALLOWLIST_CLASSES:
                fail(
                    f"{where}: class must be one of {', '.join(ALLOWLIST_CLASSES)},"
                    f" not {row['class']!r}"
                )
            if not row["rule"].strip() or not row["reason"].strip():
                fail(f"{where}: rule and reason must not be empty")
            out.append(
                Allowance(
                    rule=row["rule"].strip(),
                    return_name=row["return"],
                    rulesets=frozenset(row["rulesets"].split()),
                    reason=row["reason"].strip(),
                )
            )
        return out


def ruleset_for(package: str, year: int, chosen: str | None) -> str:
    """The rule set to run: the one named on the command line, else the collection year's own
    (2025 is 2024-25, so lac2024_25 and cin2024_25)."""
    name = chosen or f"{package}{year - 1}_{year % 100:02d}"
    if importlib.util.find_spec(f"{package}_validator.rules.{name}") is None:
        fail(f"no rule set {name} in {package}_validator (collection year {year})")
    return name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exports", nargs="?", default=str(ROOT / "out" / "exports"))
    parser.add_argument("--lac-ruleset", help="e.g. lac2025_26 (default: the export's year)")
    parser.add_argument("--cin-ruleset", help="e.g. cin2025_26 (default: the export's year)")
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

    # Keyed by (return, rule set, rule): exports of different years run different rule sets.
    totals: dict[tuple[str, str, str], int] = Counter()
    messages: dict[tuple[str, str, str], str] = {}
    crashed: set[tuple[str, str, str]] = set()
    for export in exports:
        lea, year = header_keys(export)
        lea = lea or args.la
        year = year or args.year
        if lea is None or year is None:
            parser.error(f"{export}: no XML header; give --la and --year")
        runs = []
        if (export / "ssda903").is_dir():
            rs = ruleset_for("lac", year, args.lac_ruleset)
            print(f"validating {export} (LA {lea}, {year}) with {rs}", file=sys.stderr)
            runs.append(("903", rs, *run_903(export / "ssda903", ons_code(lea), year, rs)))
        if (export / "cin_census.xml").is_file():
            rs = ruleset_for("cin", year, args.cin_ruleset)
            print(f"validating {export} (LA {lea}, {year}) with {rs}", file=sys.stderr)
            runs.append(("CIN", rs, *run_cin(export / "cin_census.xml", rs)))
        for name, rs, counts, fails, texts in runs:
            for code, n in counts.items():
                totals[(name, rs, code)] += n
                messages[(name, rs, code)] = texts.get(code, "")
            crashed.update((name, rs, c) for c in fails)

    failing = 0
    print(f"{'return':6} {'rule set':10} {'rule':10} {'count':>6}  {'status':9} message")
    for (name, rs, code), n in sorted(totals.items()):
        allowed = any(a.covers(name, code, rs) for a in allow)
        failing += 0 if allowed else 1
        status = "allowed" if allowed else "FAIL"
        text = messages[(name, rs, code)][:80]
        print(f"{name:6} {rs:10} {code:10} {n:6d}  {status:9} {text}")
    if crashed:
        listed = ", ".join(f"{n} {rs} {c}" for n, rs, c in sorted(crashed))
        print(f"rules that could not run on this data (not counted): {listed}")
    print(
        f"{len(exports)} export(s); {len(totals)} rule(s) fired, "
        f"{failing} not in the allow-list {args.allowlist}"
    )
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
