"""Files a browser sent to the upload page, on disk only as long as they are needed.

The browser keeps nothing but a random token: the files live in ``<work dir>/<token>/files``
until they are loaded, found to have errors, or an hour old. Names come from the browser, which
anyone can forge, so a name is never used as a path: only its last component is kept, reduced
to letters, digits, dot, dash and underscore, never starting with a dot or a dash, and every
file is created new inside the token's folder (existing files are never overwritten).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
import shutil
import time
import unicodedata
from collections.abc import Sequence
from pathlib import Path

TOKEN_PATTERN = re.compile(r"[0-9a-f]{32}")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME_CHARS = 100
MAX_AGE_SECONDS = 3600  # checked files not loaded within an hour are removed
FILES = "files"
REPORT = "report.csv"


class UploadError(ValueError):
    """An upload that cannot be taken as sent (a sentence for the page)."""


def new_token() -> str:
    return secrets.token_hex(16)


def is_token(value: object) -> bool:
    return isinstance(value, str) and TOKEN_PATTERN.fullmatch(value) is not None


def safe_name(name: object, index: int) -> str:
    """A file name safe to create in a folder of our own; ``file-<n>`` when nothing is left."""
    text = name if isinstance(name, str) else ""
    last = re.split(r"[\\/]", text)[-1]
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFKC", last)).lstrip(".-")
    if len(cleaned) > MAX_NAME_CHARS:
        stem, dot, suffix = cleaned.rpartition(".")
        if dot and stem and len(suffix) <= 10:  # keep the extension: it says CSV or XML
            cleaned = stem[: MAX_NAME_CHARS - len(suffix) - 1] + "." + suffix
        else:
            cleaned = cleaned[:MAX_NAME_CHARS]
    return cleaned or f"file-{index + 1}"


def unique_names(names: Sequence[object]) -> list[str]:
    """Safe names, numbered where two would be the same (case-insensitively)."""
    out: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(names):
        base = safe_name(name, i)
        candidate, n = base, 1
        while candidate.lower() in seen:
            n += 1
            stem, dot, suffix = base.rpartition(".")
            candidate = f"{stem}-{n}.{suffix}" if dot and stem else f"{base}-{n}"
        seen.add(candidate.lower())
        out.append(candidate)
    return out


def decode_contents(contents: object, name: str) -> bytes:
    """The bytes of a ``data:...;base64,...`` URL as dcc.Upload sends it."""
    if not isinstance(contents, str) or not contents.startswith("data:"):
        raise UploadError(f"{name} did not arrive as a file; choose it again")
    header, comma, body = contents.partition(",")
    if not comma or not header.endswith(";base64"):
        raise UploadError(f"{name} did not arrive as a file; choose it again")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise UploadError(f"{name} arrived damaged; choose it again") from None


def save_upload(root: Path, names: object, contents: object) -> tuple[str, list[str]]:
    """Write the files a browser sent into a new token folder under ``root``; returns the token
    and the names they were saved under. Nothing is left behind when this fails."""
    if not isinstance(names, list) or not isinstance(contents, list) or not names:
        raise UploadError("Choose the files to check first")
    if len(names) != len(contents):
        raise UploadError("The files arrived incomplete; choose them again")
    saved = unique_names(names)
    token = new_token()
    folder = root / token / FILES
    folder.mkdir(parents=True, mode=0o700)
    try:
        for name, body in zip(saved, contents, strict=True):
            data = decode_contents(body, name)
            path = folder / name
            if path.parent != folder:  # cannot happen with safe names; never write elsewhere
                raise UploadError(f"{name} is not a file name")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
    except BaseException:
        remove(root, token)
        raise
    return token, saved


def token_dir(root: Path, token: object) -> Path:
    if not is_token(token):
        raise UploadError("This check is unknown; choose and check the files again")
    return root / str(token)


def files_dir(root: Path, token: object) -> Path:
    """The folder of a checked upload whose files are still kept (ready to load)."""
    folder = token_dir(root, token) / FILES
    if not folder.is_dir():
        raise UploadError(
            "The checked files are no longer kept (they are removed after an hour, after a "
            "load, or when they had errors); choose and check them again"
        )
    return folder


def write_report(root: Path, token: str, text: str) -> None:
    (token_dir(root, token) / REPORT).write_text(text, encoding="utf-8")


def read_report(root: Path, token: object) -> str:
    path = token_dir(root, token) / REPORT
    if not path.is_file():
        raise UploadError("No report is kept for this check")
    return path.read_text(encoding="utf-8")


def drop_files(root: Path, token: str) -> None:
    """Remove a check's files but keep its report (a rejected upload can never be loaded)."""
    shutil.rmtree(token_dir(root, token) / FILES, ignore_errors=True)


def remove(root: Path, token: str) -> None:
    shutil.rmtree(token_dir(root, token), ignore_errors=True)


def prune(root: Path, max_age: float = MAX_AGE_SECONDS, now: float | None = None) -> list[str]:
    """Remove token folders older than ``max_age`` seconds; returns the tokens removed."""
    if not root.is_dir():
        return []
    cutoff = (time.time() if now is None else now) - max_age
    removed = []
    for child in root.iterdir():
        if is_token(child.name) and child.is_dir() and child.stat().st_mtime < cutoff:
            shutil.rmtree(child, ignore_errors=True)
            removed.append(child.name)
    return removed
