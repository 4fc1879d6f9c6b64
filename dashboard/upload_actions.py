"""What the upload page's buttons do, apart from Dash: read the choice, check the files, load.

Checking runs the importer's validation (``import_returns(..., check_only=True)``), exactly what
``python -m data import --check`` runs, so the page and the command line can never disagree about
a file. Loading runs the full import with the rebuild of the metrics it changes; the importer
works on a copy of the database and swaps it in only when everything succeeded, and only then
does the running app re-read its data.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.picker import area_from_text
from dashboard.upload_access import UploadSettings
from dashboard.upload_files import (
    UploadError,
    drop_files,
    files_dir,
    is_token,
    prune,
    remove,
    save_upload,
    write_report,
)
from data.cli import metrics_step
from data.importer import ImportResult, import_returns
from data.validate.report import Report

MAX_TEXT = 200
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Choice:
    """The LA and collection year the files are for."""

    la_code: str  # DfE three-digit code, as the importer takes it
    ons_code: str
    la_name: str
    year: int


@dataclass(frozen=True)
class Checked:
    token: str
    choice: Choice
    report: Report
    files: list[str]  # the names the files were saved (and reported) under
    returns: list[str]  # the returns recognised among them ('ssda903', 'cin', 'csww')

    @property
    def ok(self) -> bool:
        return self.report.ok

    def state(self) -> dict[str, Any]:
        """What the browser keeps between the check and the load: no file contents."""
        return {"token": self.token, "la": self.choice.la_code, "year": self.choice.year}


def local_authorities(areas: pd.DataFrame) -> pd.DataFrame:
    return areas[areas["level"] == "local_authority"]


def read_choice(la_text: object, year: object, areas: pd.DataFrame, years: Sequence[int]) -> Choice:
    """The choice the form's controls hold, or UploadError saying what to fix."""
    las = local_authorities(areas)
    if not isinstance(la_text, str) or not la_text.strip() or len(la_text) > MAX_TEXT:
        raise UploadError("Choose the local authority the files are for")
    code = area_from_text(la_text, las)
    if code is None:
        raise UploadError("No single local authority matches; choose one from the list")
    text = str(year) if isinstance(year, str | int) and not isinstance(year, bool) else ""
    if not (text.isdigit() and int(text) in years):
        raise UploadError("Choose the collection year the files are for")
    return _choice(las, code, int(text))


def _choice(las: pd.DataFrame, ons_code: str, year: int) -> Choice:
    row = las.loc[las["code"] == ons_code].iloc[0]
    return Choice(str(row["dfe_la_code"]), ons_code, str(row["name"]), year)


def choice_from_state(
    state: object, areas: pd.DataFrame, years: Sequence[int]
) -> tuple[str, Choice]:
    """(token, choice) from the browser's store, validated like any other input."""
    if not isinstance(state, dict) or not is_token(state.get("token")):
        raise UploadError("Check the files before loading them")
    las = local_authorities(areas)
    match = las.loc[las["dfe_la_code"] == state.get("la"), "code"]
    year = state.get("year")
    if len(match) != 1 or not isinstance(year, int) or year not in years:
        raise UploadError("Check the files before loading them")
    return str(state["token"]), _choice(las, str(match.iloc[0]), year)


def check_upload(
    settings: UploadSettings, choice: Choice, names: object, contents: object
) -> Checked:
    """Save the files under a new token and validate them; a rejected upload's files are removed
    at once (only its report is kept, for the download)."""
    root = settings.work_dir()
    prune(root)
    token, saved = save_upload(root, names, contents)
    try:
        result = import_returns(
            settings.database_url,
            [files_dir(root, token)],
            choice.la_code,
            choice.year,
            limits=settings.limits,
            check_only=True,
        )
        write_report(root, token, result.report.to_csv())
    except Exception as error:
        remove(root, token)
        logger.exception("checking uploaded files failed")
        raise UploadError(f"The files could not be checked ({error})") from error
    if not result.report.ok:
        drop_files(root, token)
    return Checked(token, choice, result.report, saved, list(result.validated.returns))


def load_upload(settings: UploadSettings, token: str, choice: Choice) -> ImportResult:
    """Import the checked files for real, then show the new data in the running app. The
    files are removed once they are loaded (or refused); after a failure they stay, so the
    analyst can try again."""
    root = settings.work_dir()
    with settings.load_lock:
        folder = files_dir(root, token)
        try:
            result = import_returns(
                settings.database_url,
                [folder],
                choice.la_code,
                choice.year,
                after_load=metrics_step(changed=(choice.la_code, choice.year)),
                limits=settings.limits,
            )
        except Exception as error:
            # The importer swaps a finished copy in or nothing: the database is as it was.
            logger.exception("loading uploaded files failed")
            raise UploadError(
                f"The files passed every check but could not be loaded ({error}); "
                "nothing was changed"
            ) from error
        remove(root, token)
        if result.imported:
            settings.loaded.add(token)
            try:
                settings.reload()
            except Exception as error:
                logger.exception("re-reading the database after a load failed")
                raise UploadError(
                    "The returns were loaded, but the dashboard could not re-read the database "
                    f"({error}); restart it to see them"
                ) from error
    return result
