"""The SSDA903 (children looked after) return as the CSV tables an LA uploads to DfE.

One CSV per table with the DfE upper-case column names and dd/mm/YYYY dates, so the files open
in the DfE validator unchanged. The placement fields DfE derives from postcodes (PL_DISTANCE,
PL_LA, PL_LOCATION) are not part of the LA's files; ours come from synthetic coordinates, so we
keep them in a sidecar ``_derived_placement_fields.csv`` of our own making to round-trip them.
Files are recognised by their columns, never by their names, as the DfE tool does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from data.returns.codes import (
    SSDA903_DATE,
    SSDA903_SOCIAL_WORKER_FROM,
    sex_from_903,
    sex_to_903,
)
from data.returns.frames import (
    ReturnFormatError,
    as_text,
    column_kinds,
    conform,
    empty_frame,
    format_dates,
    format_ints,
    parse_dates,
    parse_floats,
    parse_ints,
)

# File stem -> schema table, in the order DfE lists them.
FILES: dict[str, str] = {
    "header": "cla_header",
    "episodes": "cla_episode",
    "uasc": "cla_uasc",
    "reviews": "cla_review",
    "oc2": "cla_oc2",
    "oc3": "cla_oc3",
    "ad1": "cla_ad1",
    "placed_for_adoption": "cla_placed_adoption",
    "previous_permanence": "cla_prev_perm",
    "missing": "cla_missing",
    "social_worker": "cla_social_worker",
}
DERIVED = ("pl_distance", "pl_la", "pl_location")
SIDECAR = "_derived_placement_fields.csv"
_SIDECAR_KEYS = ("CHILD", "DECOM")
SIDECAR_COLUMNS = [*_SIDECAR_KEYS, *(c.upper() for c in DERIVED)]
_KEYS = ("year", "la_code")


def file_columns(table_name: str) -> list[str]:
    """The DfE column names of a 903 table's CSV, in order."""
    kinds = column_kinds(table_name)
    return [c.upper() for c in kinds if c not in _KEYS and c not in DERIVED]


def identify_csv(header: Iterable[str]) -> str | None:
    """The schema table (or ``SIDECAR``) whose CSV has exactly these columns, else None."""
    got = {h.strip().upper() for h in header}
    for table_name in FILES.values():
        if got == set(file_columns(table_name)):
            return table_name
    if got == set(SIDECAR_COLUMNS):
        return SIDECAR
    return None


def files_for_year(year: int) -> dict[str, str]:
    return {
        stem: name
        for stem, name in FILES.items()
        if name != "cla_social_worker" or year >= SSDA903_SOCIAL_WORKER_FROM
    }


def write_ssda903(tables: Mapping[str, pd.DataFrame], year: int, out_dir: str | Path) -> list[Path]:
    """Write one LA-year's 903 tables to ``out_dir/ssda903/<file>.csv``; returns the paths.

    ``tables`` maps schema table names to that LA-year's rows; absent tables give header-only
    files. social_worker is written only from 2024 (2023-24), when DfE began collecting it.
    """
    folder = Path(out_dir) / "ssda903"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, name in files_for_year(year).items():
        frame = tables.get(name)
        rows = empty_frame(name) if frame is None else _conform_for_write(frame, name, year)
        out = _to_file_frame(rows, name, year, f"ssda903/{stem}.csv")
        path = folder / f"{stem}.csv"
        out.to_csv(path, index=False)
        written.append(path)
        if name == "cla_episode":
            side = pd.DataFrame(
                {
                    "CHILD": out["CHILD"],
                    "DECOM": out["DECOM"],
                    "PL_DISTANCE": rows["pl_distance"].map(lambda v: "" if pd.isna(v) else repr(v)),
                    "PL_LA": rows["pl_la"].fillna(""),
                    "PL_LOCATION": rows["pl_location"].fillna(""),
                }
            )
            side.to_csv(folder / SIDECAR, index=False)
            written.append(folder / SIDECAR)
    return written


def _conform_for_write(frame: pd.DataFrame, name: str, year: int) -> pd.DataFrame:
    fill: dict[str, object] = {"year": year, "la_code": None}
    fill.update({c: None for c in DERIVED})
    return conform(frame, name, fill={k: v for k, v in fill.items() if k not in frame.columns})


def _to_file_frame(rows: pd.DataFrame, name: str, year: int, where: str) -> pd.DataFrame:
    kinds = column_kinds(name)
    out = pd.DataFrame(index=rows.index)
    for col in file_columns(name):
        values = rows[col.lower()]
        kind = kinds[col.lower()]
        if col == "SEX":
            out[col] = sex_to_903(values, year, where)
        elif kind == "date":
            out[col] = format_dates(values, SSDA903_DATE)
        elif kind == "int":
            out[col] = format_ints(values)
        else:
            out[col] = values.fillna("")
    return out


def read_ssda903(
    source: str | Path | Iterable[str | Path],
    *,
    year: int | None = None,
    la_code: str | None = None,
) -> dict[str, pd.DataFrame]:
    """Read 903 CSVs (a folder, or a list of files) into every ``cla_*`` schema table.

    SEX may be coded 1/2 or M/F/U; it comes back canonical. A table with no file comes back
    empty. The files carry neither LA nor year, so ``year``/``la_code`` fill those columns.
    """
    paths = _csv_paths(source)
    found: dict[str, tuple[Path, pd.DataFrame]] = {}
    for path in paths:
        raw = read_csv_text(path)
        name = identify_csv(raw.columns)
        if name is None:
            raise ReturnFormatError(f"{path}: columns {list(raw.columns)} match no SSDA903 table")
        if name in found:
            raise ReturnFormatError(
                f"{path}: a second file for the same 903 table as {found[name][0]}"
            )
        raw.columns = [c.strip().upper() for c in raw.columns]
        found[name] = (path, raw)
    return frames_from_csv_text(found, year=year, la_code=la_code)


def frames_from_csv_text(
    found: Mapping[str, tuple[Path, pd.DataFrame]],
    *,
    year: int | None,
    la_code: str | None,
) -> dict[str, pd.DataFrame]:
    """Parse identified raw 903 CSV text frames (as from ``read_csv_text``) into schema tables."""
    fill = {"year": year, "la_code": la_code}
    result: dict[str, pd.DataFrame] = {}
    for name in FILES.values():
        if name not in found:
            result[name] = empty_frame(name)
            continue
        path, raw = found[name]
        parsed = _parse_table(raw, name, str(path))
        if name == "cla_episode":
            parsed = _attach_derived(parsed, raw, found.get(SIDECAR))
        result[name] = conform(parsed, name, fill=fill)
    return result


def read_csv_text(path: Path) -> pd.DataFrame:
    """A CSV as text cells ('' for blank), BOM tolerated; a clear error if it is not CSV."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ReturnFormatError(f"{path}: not a readable UTF-8 CSV ({exc})") from exc


def _csv_paths(source: str | Path | Iterable[str | Path]) -> list[Path]:
    if isinstance(source, str | Path):
        path = Path(source)
        if path.is_dir():
            return sorted(p for p in path.glob("*.csv") if p.is_file())
        return [path]
    return [Path(p) for p in source]


def _parse_table(raw: pd.DataFrame, name: str, where: str) -> pd.DataFrame:
    kinds = column_kinds(name)
    lines = range(2, len(raw) + 2)  # CSV line numbers: line 1 is the header
    out = pd.DataFrame(index=raw.index)
    for col in file_columns(name):
        text = raw[col].map(str.strip)
        kind = kinds[col.lower()]
        if col == "SEX":
            out[col.lower()] = sex_from_903(text, where)
        elif kind == "date":
            out[col.lower()] = parse_dates(text, SSDA903_DATE, where, col, lines)
        elif kind == "int":
            out[col.lower()] = parse_ints(text, where, col, lines)
        else:
            out[col.lower()] = as_text(text)
    return out


def _attach_derived(
    episodes: pd.DataFrame, raw: pd.DataFrame, sidecar: tuple[Path, pd.DataFrame] | None
) -> pd.DataFrame:
    """Add PL_DISTANCE/PL_LA/PL_LOCATION from our sidecar, matched on CHILD and DECOM."""
    out = episodes.copy()
    if sidecar is None:
        for col in DERIVED:
            out[col] = None
        return out
    path, side = sidecar
    where = str(path)
    lines = range(2, len(side) + 2)
    keyed = pd.DataFrame(
        {
            "CHILD": side["CHILD"].map(str.strip),
            "DECOM": parse_dates(side["DECOM"], SSDA903_DATE, where, "DECOM", lines),
            "pl_distance": parse_floats(side["PL_DISTANCE"], where, "PL_DISTANCE", lines),
            "pl_la": as_text(side["PL_LA"].map(str.strip)),
            "pl_location": as_text(side["PL_LOCATION"].map(str.strip)),
        }
    )
    # Duplicate CHILD+DECOM pairs (bad data) pair up in file order rather than multiplying.
    keyed["_n"] = keyed.groupby(["CHILD", "DECOM"]).cumcount()
    left = pd.DataFrame({"CHILD": raw["CHILD"].map(str.strip), "DECOM": out["decom"]})
    left["_n"] = left.groupby(["CHILD", "DECOM"]).cumcount()
    merged = left.merge(keyed, on=["CHILD", "DECOM", "_n"], how="left", validate="1:1")
    for col in DERIVED:
        out[col] = merged[col].to_numpy()
    return out
