"""The file layer: which files are returns, and can they be read at all.

Nothing is trusted from a file's name: a CSV is a 903 table if its header holds that table's
DfE columns, an XML file is a CIN or workforce census by its root and first elements. Files
are read as bytes first so that an encoding, a delimiter or a truncated line is reported as
itself, rather than as a confusing error from a parser further on.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pandas as pd
from defusedxml import EntitiesForbidden, ExternalReferenceForbidden

from data.returns.ssda903 import FILES, SIDECAR, SIDECAR_COLUMNS, file_columns
from data.validate.report import Report

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Sizes beyond which a file is refused unread (an LA-year's largest CIN census is ~30 MB)."""

    file_bytes: int = 200 * MB
    total_bytes: int = 500 * MB
    files: int = 100


@dataclass
class CsvTable:
    """A 903 CSV whose file layer passed: its text cells, with CSV line numbers."""

    path: Path
    name: str  # shown in the report
    table: str  # schema table, or SIDECAR
    frame: pd.DataFrame  # upper-case DfE column names, text cells ('' for blank)
    lines: list[int]  # the CSV line of each row of ``frame`` (the header is line 1)
    extra_columns: list[str] = field(default_factory=list)


@dataclass
class Sorted:
    """The files found, by return; each has passed the file layer."""

    ssda903: list[CsvTable] = field(default_factory=list)
    cin: list[tuple[Path, str]] = field(default_factory=list)  # (path, shown name)
    csww: list[tuple[Path, str]] = field(default_factory=list)

    def kinds(self) -> list[str]:
        return [k for k in ("ssda903", "cin", "csww") if getattr(self, k)]


def discover(paths: list[Path]) -> list[tuple[Path, str]]:
    """Every file under the given files and folders, with the name the report shows (relative
    to the folder given, so two ``episodes.csv`` in different folders stay distinguishable)."""
    found: list[tuple[Path, str]] = []
    for given in paths:
        if given.is_dir():
            for f in sorted(given.rglob("*")):
                rel = f.relative_to(given)
                if f.is_file() and not any(part.startswith(".") for part in rel.parts):
                    found.append((f, rel.as_posix()))
        else:
            found.append((given, given.name))
    return found


def sort_files(paths: list[Path], report: Report, limits: Limits | None = None) -> Sorted:
    """Check each file's layer and sort the readable returns by kind."""
    limits = limits or Limits()
    files = discover(paths)
    out = Sorted()
    if len(files) > limits.files:
        report.error(
            "",
            "",
            "",
            len(files),
            "file.too_many",
            f"{len(files)} files given; at most {limits.files} are read in one import",
        )
        return out
    total = 0
    for path, name in files:
        try:
            size = path.stat().st_size
        except OSError as exc:
            report.error(name, "", "", "", "file.unreadable", f"cannot be read: {exc.strerror}")
            continue
        total += size
        if size > limits.file_bytes:
            report.error(
                name,
                "",
                "",
                f"{size / MB:.0f} MB",
                "file.too_large",
                f"is larger than the {limits.file_bytes // MB} MB a return file may be",
            )
            continue
        if total > limits.total_bytes:
            report.error(
                name,
                "",
                "",
                f"{total / MB:.0f} MB",
                "file.too_large",
                f"the files given pass {limits.total_bytes // MB} MB in all",
            )
            break
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".xml"):
            report.warning(
                name,
                "",
                "",
                "",
                "file.ignored",
                "is neither a CSV nor an XML file, so it was not read",
            )
            continue
        data = path.read_bytes()
        text = _decoded(data, name, report)
        if text is None:
            continue
        if suffix == ".csv":
            table = _csv_table(path, name, text, report)
            if table is not None:
                out.ssda903.append(table)
        else:
            kind = _xml_kind(path, name, data, report)
            if kind == "cin":
                out.cin.append((path, name))
            elif kind == "csww":
                out.csww.append((path, name))
    _one_each(out, report)
    if not out.kinds() and not report.errors:
        report.error(
            "",
            "",
            "",
            "",
            "file.none",
            "no SSDA903 CSV table, CIN census XML or workforce census XML was found",
        )
    return out


def _one_each(out: Sorted, report: Report) -> None:
    for kind, label in (("cin", "CIN census"), ("csww", "workforce census")):
        items = getattr(out, kind)
        if len(items) > 1:
            names = ", ".join(n for _, n in items)
            for _, name in items[1:]:
                report.error(
                    name,
                    "",
                    "",
                    "",
                    "file.duplicate_return",
                    f"a second {label} file ({names}); give one file per return",
                )
    seen: dict[str, str] = {}
    for t in out.ssda903:
        if t.table in seen:
            report.error(
                t.name,
                "",
                "",
                "",
                "file.duplicate_return",
                f"holds the same 903 table ({t.table}) as {seen[t.table]}",
            )
        else:
            seen[t.table] = t.name


# ---------------------------------------------------------------- bytes and text
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _decoded(data: bytes, name: str, report: Report) -> str | None:
    """UTF-8 text (BOM allowed) or None with the reason reported."""
    if not data.strip():
        report.error(name, "", "", "", "file.empty", "is empty")
        return None
    for bom, label in _BOMS:
        if data.startswith(bom):
            report.error(
                name,
                "",
                "",
                label,
                "file.encoding",
                f"is saved as {label}; save it as UTF-8 (Excel: 'CSV UTF-8')",
            )
            return None
    if b"\x00" in data[:4096]:
        report.error(
            name,
            "",
            "",
            "",
            "file.encoding",
            "contains NUL bytes: it is UTF-16 without a byte order mark, or not text at all",
        )
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start : exc.start + 1].hex()
        report.error(
            name,
            f"row {line}",
            "",
            f"0x{byte}",
            "file.encoding",
            "is not UTF-8 (a byte that UTF-8 does not allow); save it as UTF-8",
        )
        return None


# ---------------------------------------------------------------- CSV
def _csv_table(path: Path, name: str, text: str, report: Report) -> CsvTable | None:
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        report.error(name, "", "", "", "file.empty", "holds only blank lines")
        return None
    header_line = lines[first]
    if "," not in header_line:
        for delim, label in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
            if delim in header_line:
                report.error(
                    name,
                    f"row {first + 1}",
                    "",
                    label,
                    "file.delimiter",
                    f"separates columns with {label}; 903 files are comma-separated",
                )
                return None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [h.strip().upper() for h in rows[first]]
    table = _identify(header, name, first + 1, report)
    if table is None:
        return None
    body = rows[first + 1 :]
    width = len(header)
    keep: list[list[str]] = []
    line_numbers: list[int] = []
    bad = False
    for offset, row in enumerate(body):
        line_no = first + 2 + offset
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != width:
            last = offset == len(body) - 1
            rule = "file.truncated" if last and len(row) < width else "file.csv.ragged"
            what = "is cut off" if rule == "file.truncated" else "has a different number"
            report.error(
                name,
                f"row {line_no}",
                "",
                f"{len(row)} of {width}",
                rule,
                f"{what}: {len(row)} values where the header has {width} columns"
                if rule == "file.csv.ragged"
                else f"ends part-way through a row ({len(row)} of {width} values): "
                "the file is incomplete",
            )
            bad = True
            continue
        keep.append(row)
        line_numbers.append(line_no)
    if bad:
        return None
    frame = (
        pd.DataFrame(keep, columns=header, dtype=object)
        if keep
        else pd.DataFrame({h: pd.Series([], dtype=object) for h in header})
    )
    if frame.columns.duplicated().any():
        dup = frame.columns[frame.columns.duplicated()][0]
        report.error(
            name,
            f"row {first + 1}",
            dup,
            dup,
            "file.columns.duplicate",
            f"column {dup} appears twice in the header",
        )
        return None
    wanted = SIDECAR_COLUMNS if table == SIDECAR else file_columns(table)
    extra = [c for c in header if c not in wanted]
    for col in extra:
        report.warning(
            name,
            f"row {first + 1}",
            col,
            col,
            "file.columns.extra",
            f"column {col} is not part of the {table} table and was not read",
        )
    frame = frame[list(wanted)].map(lambda v: v.strip() if isinstance(v, str) else v)
    return CsvTable(path, name, table, frame.reset_index(drop=True), line_numbers, extra)


def _identify(header: list[str], name: str, line: int, report: Report) -> str | None:
    """The 903 table these columns are (extra columns allowed), or None with the reason."""
    got = set(header)
    candidates = [*FILES.values(), SIDECAR]
    complete = [
        (len(got - cols), table)
        for table in candidates
        if (cols := set(SIDECAR_COLUMNS if table == SIDECAR else file_columns(table))) <= got
    ]
    if complete:
        return min(complete)[1]  # fewest extra columns
    # Nearest table by shared columns, to say which columns are missing.
    scored = []
    for table in FILES.values():
        columns = file_columns(table)
        scored.append((len(got & set(columns)) / len(columns), table, columns))
    score, table, columns = max(scored)
    if score >= 0.5:
        missing = [c for c in columns if c not in got]
        report.error(
            name,
            f"row {line}",
            ", ".join(missing),
            "",
            "file.columns.missing",
            f"looks like the 903 {table} table but lacks column"
            f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
        )
    else:
        shown = ", ".join(header[:8]) + (", ..." if len(header) > 8 else "")
        report.error(
            name,
            f"row {line}",
            "",
            shown,
            "file.unrecognised",
            "its columns match no SSDA903 table (is the first row the header?)",
        )
    return None


# ---------------------------------------------------------------- XML
def _xml_kind(path: Path, name: str, data: bytes, report: Report) -> str | None:
    """'cin' or 'csww' after checking the whole document parses safely; None if it does not."""
    root = ""
    tags: list[str] = []
    depth = 0
    try:
        # DTDs are let through the parser so that entities and external references are named
        # as such (defusedxml refuses both); a DTD with neither is refused after the parse.
        parser = SafeET.iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=False)
        for event, elem in parser:
            if event == "start":
                depth += 1
                if depth == 1:
                    root = elem.tag
                elif depth == 2 and elem.tag not in tags:
                    tags.append(elem.tag)
            else:
                depth -= 1
                if depth == 1:
                    elem.clear()
    except ET.ParseError as exc:
        line, col = exc.position
        report.error(
            name,
            f"line {line}, column {col}",
            "",
            "",
            "xml.malformed",
            f"is not well-formed XML ({_parse_reason(exc)}); if it ends early, the file is "
            "incomplete",
        )
        return None
    except EntitiesForbidden as exc:
        report.error(
            name,
            "",
            "",
            getattr(exc, "name", ""),
            "xml.entity",
            "declares entities (which can expand without limit or read files and web addresses); "
            "DfE returns have none, and it is refused for safety",
        )
        return None
    except ExternalReferenceForbidden as exc:
        report.error(
            name,
            "",
            "",
            getattr(exc, "sysid", "") or "",
            "xml.external",
            "refers to an external DTD at a file or web address; DfE returns have none, and it "
            "is refused for safety",
        )
        return None
    doctype = _PROLOG_DOCTYPE.match(data)
    if doctype and re.match(rb"\s+\w+\s+(SYSTEM|PUBLIC)\b", data[doctype.end() :]):
        report.error(
            name,
            "",
            "",
            "DOCTYPE",
            "xml.external",
            "refers to an external DTD at a file or web address; DfE returns have none, and it "
            "is refused for safety",
        )
        return None
    if doctype:
        report.error(
            name,
            "",
            "",
            "DOCTYPE",
            "xml.dtd",
            "declares a DTD (<!DOCTYPE>); DfE returns have none, and it is refused for safety",
        )
        return None
    if root != "Message":
        report.error(
            name,
            f"/{root}",
            "",
            root,
            "xml.root",
            f"the root element is <{root}>, not the <Message> every DfE XML return has",
        )
        return None
    if "Children" in tags:
        return "cin"
    if "LALevelVacancies" in tags or "CSWWWorker" in tags:
        return "csww"
    report.error(
        name,
        "/Message",
        "",
        ", ".join(tags),
        "file.unrecognised",
        "holds neither <Children> (CIN census) nor workforce records (<CSWWWorker>)",
    )
    return None


# A DOCTYPE among the declaration, comments and processing instructions before the root.
_PROLOG_DOCTYPE = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*)*<!DOCTYPE", re.DOTALL
)


def _parse_reason(exc: ET.ParseError) -> str:
    text = str(exc)
    return text.split(":")[0] if ":" in text else text
