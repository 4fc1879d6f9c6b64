"""Files from the browser on disk: names are never paths, folders are private, nothing outlives
its use. Real files in a pytest temporary folder."""

from __future__ import annotations

import base64
import os
import stat
import time
from pathlib import Path

import pytest

from dashboard.upload_files import (
    MAX_NAME_CHARS,
    UploadError,
    decode_contents,
    drop_files,
    files_dir,
    is_token,
    new_token,
    prune,
    read_report,
    remove,
    safe_name,
    save_upload,
    unique_names,
    write_report,
)


def data_url(body: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(body).decode("ascii")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("episodes.csv", "episodes.csv"),
        ("ssda903/episodes.csv", "episodes.csv"),  # a folder dropped: the path is not kept
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\cin.xml", "cin.xml"),
        ("C:\\exports\\CIN 2025.xml", "CIN_2025.xml"),
        ("..", "file-1"),
        (".bashrc", "bashrc"),  # never a hidden file
        ("", "file-1"),
        ("/", "file-1"),
        ("a\x00b.csv", "a_b.csv"),
        ("épisodes (1).csv", "_pisodes_1_.csv"),
        ("-rf.csv", "rf.csv"),
        ("_derived_placement_fields.csv", "_derived_placement_fields.csv"),
        (None, "file-1"),
        (42, "file-1"),
    ],
)
def test_safe_name(given: object, expected: str) -> None:
    assert safe_name(given, 0) == expected


def test_safe_name_is_short_and_keeps_its_extension() -> None:
    name = safe_name("x" * 500 + ".csv", 0)
    assert len(name) == MAX_NAME_CHARS and name.endswith(".csv")
    assert len(safe_name("y" * 500, 0)) == MAX_NAME_CHARS


def test_unique_names_number_clashes() -> None:
    assert unique_names(["a/episodes.csv", "b/episodes.csv", "EPISODES.csv", "x"]) == [
        "episodes.csv",
        "episodes-2.csv",
        "EPISODES-3.csv",
        "x",
    ]


def test_tokens() -> None:
    token = new_token()
    assert is_token(token) and token != new_token()
    for bad in ("", "../x", "0" * 31, "0" * 33, "G" * 32, None, 1):
        assert not is_token(bad)


def test_decode_contents() -> None:
    assert decode_contents(data_url(b"A,B\n"), "a.csv") == b"A,B\n"
    assert decode_contents("data:;base64,", "a.csv") == b""
    for bad in ("A,B", "data:text/csv,A%2CB", "data:text/csv;base64,@@@", None, ["x"]):
        with pytest.raises(UploadError, match=r"a\.csv"):
            decode_contents(bad, "a.csv")


def test_save_upload_writes_private_files_inside_its_own_folder(tmp_path: Path) -> None:
    outside = tmp_path / "victim.csv"
    outside.write_text("keep")
    token, names = save_upload(
        tmp_path, ["../victim.csv", "sub/dir/cin.xml"], [data_url(b"new"), data_url(b"<x/>")]
    )
    assert names == ["victim.csv", "cin.xml"]
    assert outside.read_text() == "keep"
    folder = files_dir(tmp_path, token)
    assert folder == tmp_path / token / "files"
    assert sorted(p.name for p in folder.iterdir()) == ["cin.xml", "victim.csv"]
    assert (folder / "victim.csv").read_bytes() == b"new"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "cin.xml").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("names", "contents", "message"),
    [
        ([], [], "Choose the files"),
        (None, None, "Choose the files"),
        (["a.csv"], [], "incomplete"),
        (["a.csv", "b.csv"], [data_url(b"x"), "not a file"], "b.csv did not arrive"),
    ],
)
def test_a_bad_upload_leaves_nothing_behind(
    tmp_path: Path, names: object, contents: object, message: str
) -> None:
    with pytest.raises(UploadError, match=message):
        save_upload(tmp_path, names, contents)
    assert list(tmp_path.iterdir()) == []


def test_report_files_and_removal(tmp_path: Path) -> None:
    token, _ = save_upload(tmp_path, ["a.csv"], [data_url(b"x")])
    write_report(tmp_path, token, "file,rule\n")
    assert read_report(tmp_path, token) == "file,rule\n"
    drop_files(tmp_path, token)  # a rejected check keeps only its report
    with pytest.raises(UploadError, match="no longer kept"):
        files_dir(tmp_path, token)
    assert read_report(tmp_path, token) == "file,rule\n"
    remove(tmp_path, token)
    assert not (tmp_path / token).exists()
    for bad in ("../x", new_token()):
        with pytest.raises(UploadError):
            read_report(tmp_path, bad)


def test_prune_removes_only_old_token_folders(tmp_path: Path) -> None:
    old, _ = save_upload(tmp_path, ["a.csv"], [data_url(b"x")])
    fresh, _ = save_upload(tmp_path, ["a.csv"], [data_url(b"x")])
    other = tmp_path / "not-a-token"
    other.mkdir()
    hour_ago = time.time() - 3700
    os.utime(tmp_path / old, (hour_ago, hour_ago))
    os.utime(other, (hour_ago, hour_ago))
    assert prune(tmp_path) == [old]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([fresh, "not-a-token"])
    assert prune(tmp_path / "missing") == []
