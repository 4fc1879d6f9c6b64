"""Move one LA-year between the database and the DfE return files, both ways.

Export writes exactly what an LA would send (the 903 CSVs, the CIN census XML and the workforce
XML) so the same files can be checked with DfE's validators and imported again. Import reads a
folder as an LA would hand it over: file names are not trusted, each file is recognised by its
CSV columns or its XML root and first elements. Loading the frames into the database is
``data.load.replace_la_year``'s job, so reading never touches the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from data.returns.cin_xml import read_cin_xml, write_cin_xml
from data.returns.csww_xml import read_csww_xml, write_csww_xml
from data.returns.frames import ReturnFormatError, conform
from data.returns.ssda903 import identify_csv, read_ssda903, write_ssda903
from data.returns.xml_io import top_level_tags
from data.schema import CIN_TABLES, CLA_TABLES, CSWW_TABLES, metadata, return_status

CIN_FILE = "cin_census.xml"
CSWW_FILE = "csww.xml"
RETURNS = {"cin": CIN_TABLES, "ssda903": CLA_TABLES, "csww": CSWW_TABLES}


def read_la_year_tables(engine: Engine, la_code: str, year: int) -> dict[str, pd.DataFrame]:
    """Every CIN, 903 and workforce table's rows for one LA-year, typed as the schema says."""
    out: dict[str, pd.DataFrame] = {}
    with engine.connect() as conn:
        for name in (*CIN_TABLES, *CLA_TABLES, *CSWW_TABLES):
            tbl = metadata.tables[name]
            stmt = select(tbl).where(tbl.c.year == year, tbl.c.la_code == la_code)
            result = conn.execute(stmt)
            frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
            out[name] = conform(frame, name)
    return out


def _missing_returns(engine: Engine, la_code: str, year: int) -> set[str]:
    stmt = select(return_status.c.return_name).where(
        return_status.c.year == year,
        return_status.c.la_code == la_code,
        return_status.c.status == "missing",
    )
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(stmt)}


def export_la_year(
    engine: Engine, la_code: str, year: int, out_dir: str | Path
) -> dict[str, list[Path]]:
    """Write an LA-year's returns under ``out_dir``; returns the files written per return.

    ``out_dir/ssda903/*.csv``, ``out_dir/cin_census.xml`` and ``out_dir/csww.xml``. A return
    that ``return_status`` marks missing for the LA-year is not written, as the LA sent none.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = read_la_year_tables(engine, la_code, year)
    missing = _missing_returns(engine, la_code, year)
    written: dict[str, list[Path]] = {}
    if "ssda903" not in missing:
        written["ssda903"] = write_ssda903(tables, year, out)
    if "cin" not in missing:
        written["cin"] = [write_cin_xml(tables, year, la_code, out / CIN_FILE)]
    if "csww" not in missing:
        written["csww"] = [write_csww_xml(tables, year, la_code, out / CSWW_FILE)]
    return written


def classify_file(path: Path) -> str | None:
    """'ssda903', 'cin' or 'csww' from the file's content; None for files that are not returns."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise ReturnFormatError(f"{path}: not a readable UTF-8 CSV ({exc})") from exc
        if identify_csv(header) is None:
            raise ReturnFormatError(f"{path}: columns {list(header)} match no SSDA903 table")
        return "ssda903"
    if suffix == ".xml":
        root, tags = top_level_tags(path)
        if root != "Message":
            raise ReturnFormatError(f"{path}: root element <{root}> is not a DfE return")
        if "Children" in tags:
            return "cin"
        if "LALevelVacancies" in tags or "CSWWWorker" in tags:
            return "csww"
        raise ReturnFormatError(
            f"{path}: <Message> holds {tags}, neither a CIN census nor a workforce census"
        )
    return None


def read_return_files(
    paths: Iterable[str | Path], la_code: str, year: int
) -> dict[str, pd.DataFrame]:
    """Read returns from files and folders (searched recursively) into schema tables.

    Only the returns present appear in the result; a present 903 return gives every ``cla_*``
    table (empty where its file is absent). Files other than .csv and .xml are ignored.
    """
    given = list(paths)
    files: list[Path] = []
    for p in given:
        path = Path(p)
        if path.is_dir():
            files.extend(sorted(f for f in path.rglob("*") if f.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise ReturnFormatError(f"{path}: no such file or folder")
    kinds: dict[str, list[Path]] = {"ssda903": [], "cin": [], "csww": []}
    for f in files:
        if f.name.startswith("."):
            continue
        kind = classify_file(f)
        if kind is not None:
            kinds[kind].append(f)
    for kind in ("cin", "csww"):
        if len(kinds[kind]) > 1:
            raise ReturnFormatError(
                f"more than one {kind} return: {', '.join(str(f) for f in kinds[kind])}"
            )
    result: dict[str, pd.DataFrame] = {}
    if kinds["ssda903"]:
        result.update(read_ssda903(kinds["ssda903"], year=year, la_code=la_code))
    if kinds["cin"]:
        result.update(read_cin_xml(kinds["cin"][0], la_code=la_code, year=year))
    if kinds["csww"]:
        result.update(read_csww_xml(kinds["csww"][0], la_code=la_code, year=year))
    if not result:
        raise ReturnFormatError(
            f"no 903 CSV, CIN census XML or workforce XML among {', '.join(map(str, given))}"
        )
    return result


def read_return_folder(path: str | Path, la_code: str, year: int) -> dict[str, pd.DataFrame]:
    """Read every return found in a folder (as ``export_la_year`` writes one) into schema tables."""
    folder = Path(path)
    if not folder.is_dir():
        raise ReturnFormatError(f"{folder}: not a folder")
    return read_return_files([folder], la_code, year)
