"""The validation report: one row per finding, the same for the CLI, the CSV and the web page.

A finding names where (file, row or XML path, field), what (value), which rule, and says in
plain words what is wrong, because the person reading it is an analyst fixing an export, not a
developer reading a traceback.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import astuple, dataclass, field, fields
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]
COLUMNS = ("file", "location", "field", "value", "rule", "severity", "message")
VALUE_CHARS = 80  # values are echoed, not dumped: a bad cell may be a whole line of junk
MAX_PER_RULE_AND_FILE = 200  # a systematic fault (every date in a column) is not 10,000 rows


@dataclass(frozen=True)
class Finding:
    file: str  # the file's name as given (relative to the folder imported)
    location: str  # "row 12" (CSV line, the header is row 1), an XML path, or "" for the file
    field: str  # DfE column or element name; "" for file-level findings
    value: str  # the offending value, shortened; "" when there is none
    rule: str  # a stable id such as "file.encoding" or "903.episode.overlap"
    severity: Severity
    message: str  # one plain sentence

    def __post_init__(self) -> None:
        text = " ".join(str(self.value).split())
        if len(text) > VALUE_CHARS:
            text = text[: VALUE_CHARS - 1] + "…"
        object.__setattr__(self, "value", text)
        object.__setattr__(self, "message", " ".join(self.message.split()))


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    # Findings not kept once a rule has fired MAX_PER_RULE_AND_FILE times in one file.
    dropped: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    _seen: Counter[tuple[str, str]] = field(default_factory=Counter, repr=False)

    def add(
        self,
        file: str,
        location: str,
        field_name: str,
        value: object,
        rule: str,
        severity: Severity,
        message: str,
    ) -> None:
        key = (file, rule)
        self._seen[key] += 1
        if self._seen[key] > MAX_PER_RULE_AND_FILE:
            self.dropped[(file, rule, severity)] += 1
            return
        shown = "" if value is None else str(value)
        self.findings.append(Finding(file, location, field_name, shown, rule, severity, message))

    def error(
        self, file: str, location: str, field_name: str, value: object, rule: str, message: str
    ) -> None:
        self.add(file, location, field_name, value, rule, "error", message)

    def warning(
        self, file: str, location: str, field_name: str, value: object, rule: str, message: str
    ) -> None:
        self.add(file, location, field_name, value, rule, "warning", message)

    def extend(self, findings: Iterable[Finding]) -> None:
        for f in findings:
            self.add(f.file, f.location, f.field, f.value, f.rule, f.severity, f.message)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        """No errors (warnings do not stop an import)."""
        return not self.errors and not any(sev == "error" for _, _, sev in self.dropped)

    def counts(self) -> list[tuple[str, str, int]]:
        """(rule, severity, count) including findings beyond the per-file cap, errors first."""
        tally: Counter[tuple[str, str]] = Counter((f.rule, f.severity) for f in self.findings)
        for (_, rule, severity), n in self.dropped.items():
            tally[(rule, severity)] += n
        order = {"error": 0, "warning": 1}
        return sorted(
            ((rule, sev, n) for (rule, sev), n in tally.items()),
            key=lambda r: (order[r[1]], -r[2], r[0]),
        )

    def summary(self) -> str:
        """One line: how many errors and warnings, and under how many rules."""
        errors = sum(n for _, sev, n in self.counts() if sev == "error")
        warnings = sum(n for _, sev, n in self.counts() if sev == "warning")
        rules = len({rule for rule, _, _ in self.counts()})
        verdict = "rejected" if errors else "accepted"
        return (
            f"{verdict}: {errors} error{'s' if errors != 1 else ''}, "
            f"{warnings} warning{'s' if warnings != 1 else ''} under {rules} rule"
            f"{'s' if rules != 1 else ''}"
        )

    def rows(self) -> list[tuple[str, ...]]:
        """Findings as tuples in COLUMNS order, errors first, then by file and position."""
        order = {"error": 0, "warning": 1}
        return [
            astuple(f) for f in sorted(self.findings, key=lambda f: (order[f.severity], f.file))
        ]

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(_safe_cells(row) for row in self.rows())
        return out.getvalue()

    def write_csv(self, path: str | Path) -> None:
        Path(path).write_text(self.to_csv(), encoding="utf-8")

    def format_text(self, limit: int = 50) -> str:
        """The report for a terminal: the summary, counts per rule, then the first findings."""
        lines = [self.summary()]
        if self.counts():
            lines.append("")
            lines.append("count  severity  rule")
            lines.extend(f"{n:>5}  {sev:<8}  {rule}" for rule, sev, n in self.counts())
        shown = self.rows()[:limit]
        if shown:
            lines.append("")
            for file, location, field_name, value, rule, sev, message in shown:
                where = ", ".join(p for p in (file, location, field_name) if p)
                got = f" (value {value!r})" if value else ""
                lines.append(f"{sev}: {where}: {message}{got} [{rule}]")
            more = len(self.findings) - len(shown) + sum(self.dropped.values())
            if more > 0:
                lines.append(f"... and {more} more (write them all with --report FILE)")
        return "\n".join(lines)


assert tuple(f.name for f in fields(Finding)) == COLUMNS


def _safe_cells(row: tuple[str, ...]) -> tuple[str, ...]:
    """Cells a spreadsheet would run as a formula are prefixed with an apostrophe: values in the
    report come from the files being checked, which nobody has vouched for."""
    return tuple("'" + c if c[:1] in ("=", "+", "-", "@", "\t", "\r") else c for c in row)
