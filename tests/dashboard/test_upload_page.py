"""The upload page through the Flask test client: off it is an unknown page, on it serves only
this machine, a bad file gets the report and changes nothing, and a synthetic LA-year exported
by ``python -m data export`` checks clean, loads, and is then marked as the LA's own everywhere.
Each app works on its own writable copy of the small database."""

from __future__ import annotations

import base64
import csv
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from app import create_app
from dashboard import ids
from dashboard.upload_access import max_request_bytes
from data.cli import main as data_cli
from data.load import table_checksums
from data.validate.files import Limits
from tests.dashboard.helpers import find_by_id, post_callback, render_page, text_of
from tests.dashboard.tidy_sql import query, split_download

HARTLEPOOL_ONS, HARTLEPOOL_DFE, YEAR = "E06000001", "805", 2025
LA_TEXT = f"Hartlepool ({HARTLEPOOL_ONS})"
REMOTE = {"REMOTE_ADDR": "192.0.2.10"}
CHECK_OUTPUTS = [
    (ids.UPLOAD_STATE, "data"),
    (ids.UPLOAD_RESULT, "children"),
    (ids.UPLOAD_STATUS, "children"),
    (ids.UPLOAD_FORM_ERROR, "children"),
    (ids.UPLOAD_FILES, "contents"),
    (ids.UPLOAD_FILES, "filename"),
]
# A 903 episodes table separated by semicolons: refused by the file layer.
BAD_EPISODES = b"CHILD;DECOM;RNE;LS;CIN;PLACE;PLACE_PROVIDER;DEC;REC;REASON_PLACE_CHANGE\n1;x\n"


def writable_copy(url: str, folder: Path) -> str:
    source = Path(str(make_url(url).database))
    target = folder / "upload.duckdb"
    shutil.copyfile(source, target)
    target.chmod(0o644)
    return f"duckdb:///{target}"


def checksums(url: str) -> dict[str, str]:
    engine = create_engine(url)
    try:
        return table_checksums(engine)
    finally:
        engine.dispose()


def data_url(body: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(body).decode("ascii")


def check_payload(names: list[str], bodies: list[bytes], la: str = LA_TEXT) -> dict[str, Any]:
    """The request the browser sends when "Check files" is pressed."""
    output = "...".join(f"{i}.{p}" for i, p in CHECK_OUTPUTS)
    contents = [data_url(b) for b in bodies] or None
    return {
        "output": f"..{output}..",
        "outputs": [{"id": i, "property": p} for i, p in CHECK_OUTPUTS],
        "inputs": [{"id": ids.UPLOAD_CHECK, "property": "n_clicks", "value": 1}],
        "changedPropIds": [f"{ids.UPLOAD_CHECK}.n_clicks"],
        "state": [
            {"id": ids.UPLOAD_LA, "property": "value", "value": la},
            {"id": ids.UPLOAD_YEAR, "property": "value", "value": str(YEAR)},
            {"id": ids.UPLOAD_FILES, "property": "contents", "value": contents},
            {"id": ids.UPLOAD_FILES, "property": "filename", "value": names or None},
            {"id": ids.UPLOAD_STATE, "property": "data", "value": None},
        ],
    }


def post_check(client: Any, names: list[str], bodies: list[bytes], **request: Any) -> Any:
    return client.post("/_dash-update-component", json=check_payload(names, bodies), **request)


def post_load(client: Any, state: Any) -> Any:
    return post_callback(
        client,
        [(ids.UPLOAD_OUTCOME, "children")],
        [(ids.UPLOAD_CONFIRM, "n_clicks", 1)],
        [(ids.UPLOAD_STATE, "data", state)],
    )


# ---------------------------------------------------------------- off
@pytest.fixture(scope="module")
def client_off(small_app: Any) -> Any:
    return small_app.server.test_client()  # made with the upload page off


def test_upload_is_an_unknown_page_when_off(client_off: Any) -> None:
    assert client_off.get("/upload").status_code == 404
    content = render_page(client_off, "/upload")
    assert find_by_id(content, ids.NOT_FOUND_HEADING) is not None
    assert find_by_id(content, ids.UPLOAD_FILES) is None
    # No upload callback accepts anything, from this machine or any other.
    response = post_check(client_off, ["episodes.csv"], [BAD_EPISODES])
    assert response.status_code == 404
    assert client_off.get("/upload/report.csv?token=" + "0" * 32).status_code == 404
    assert post_load(client_off, {"token": "0" * 32, "la": "805", "year": YEAR}).status_code == 404
    listed = post_callback(
        client_off,
        [(ids.UPLOAD_FILE_LIST, "children")],
        [(ids.UPLOAD_FILES, "filename", ["episodes.csv"])],
    )
    assert listed.status_code == 404


def test_create_app_reads_the_switch_from_the_environment(
    small_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import upload_allowed_from_env

    monkeypatch.delenv("CSC_ALLOW_UPLOAD", raising=False)
    assert upload_allowed_from_env() is False
    monkeypatch.setenv("CSC_ALLOW_UPLOAD", "yes")
    assert upload_allowed_from_env() is False  # only the documented value turns it on
    monkeypatch.setenv("CSC_ALLOW_UPLOAD", "1")
    assert upload_allowed_from_env() is True


# ---------------------------------------------------------------- on, checking
@pytest.fixture(scope="module")
def upload_db(small_db: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    return writable_copy(small_db, tmp_path_factory.mktemp("upload"))


@pytest.fixture(scope="module")
def upload_app(upload_db: str) -> Any:
    return create_app(upload_db, allow_upload=True)


@pytest.fixture(scope="module")
def client(upload_app: Any) -> Any:
    return upload_app.server.test_client()


def test_the_form_from_this_machine(client: Any) -> None:
    assert client.get("/upload").status_code == 200
    content = render_page(client, "/upload")
    assert text_of(find_by_id(content, ids.UPLOAD_HEADING)) == "Load an LA's own returns"
    upload = find_by_id(content, ids.UPLOAD_FILES)
    assert upload is not None
    assert upload["props"]["multiple"] is True
    assert upload["props"]["max_size"] == Limits().file_bytes
    status = find_by_id(content, ids.UPLOAD_STATUS)
    assert status is not None
    assert status["props"]["role"] == "status" and status["props"]["aria-live"] == "polite"
    years = find_by_id(content, ids.UPLOAD_YEAR)
    assert years is not None and str(YEAR) in [o["value"] for o in years["props"]["options"]]
    assert find_by_id(content, ids.UPLOAD_CONFIRM) is None  # only after a clean check
    assert "synthetic" in text_of(content)


@pytest.mark.parametrize(
    "request_args",
    [
        {"environ_base": REMOTE},
        {"environ_base": {"REMOTE_ADDR": "::ffff:192.0.2.10"}},
        {"headers": {"X-Forwarded-For": "192.0.2.10"}},  # through a proxy on this machine
        {"base_url": "http://evil.example/"},  # another site's name for 127.0.0.1
    ],
)
def test_refused_unless_made_on_this_machine(
    client: Any, upload_db: str, request_args: dict[str, Any]
) -> None:
    before = checksums(upload_db)
    page = client.get("/upload", **request_args)
    assert page.status_code == 403
    assert "computer running the dashboard" in page.get_data(as_text=True)
    assert post_check(client, ["episodes.csv"], [BAD_EPISODES], **request_args).status_code == 403
    report = client.get("/upload/report.csv?token=" + "0" * 32, **request_args)
    assert report.status_code == 403
    assert checksums(upload_db) == before


def test_oversized_requests_get_413(upload_app: Any, client: Any) -> None:
    server = upload_app.server
    assert server.config["MAX_CONTENT_LENGTH"] == max_request_bytes(Limits())
    assert max_request_bytes(Limits()) > Limits().total_bytes * 4 / 3  # base64 fits
    server.config["MAX_CONTENT_LENGTH"] = 2_000
    try:
        response = post_check(client, ["episodes.csv"], [b"x" * 5_000])
    finally:
        server.config["MAX_CONTENT_LENGTH"] = max_request_bytes(Limits())
    assert response.status_code == 413


def test_a_bad_file_gets_the_report_and_changes_nothing(
    upload_app: Any, client: Any, upload_db: str
) -> None:
    before = checksums(upload_db)
    work_dir = upload_app.server.extensions["csc_upload"].work_dir()
    response = post_check(client, ["../../../tmp/episodes.csv"], [BAD_EPISODES])
    assert response.status_code == 200, response.data[:300]
    out = response.get_json()["response"]
    status = out[ids.UPLOAD_STATUS]["children"]
    assert status.startswith("Not loaded: the files for Hartlepool, 2025 have 1 error")
    assert out[ids.UPLOAD_FORM_ERROR]["children"] == ""
    assert out[ids.UPLOAD_FILES] == {"contents": None, "filename": None}  # contents let go
    result = out[ids.UPLOAD_RESULT]["children"]
    assert text_of(find_by_id(result, ids.UPLOAD_SUMMARY)).startswith("Summary: rejected: 1 error")
    counts = text_of(find_by_id(result, ids.UPLOAD_COUNTS))
    assert "file.delimiter" in counts
    findings = find_by_id(result, ids.UPLOAD_FINDINGS)
    assert findings is not None
    first_row = text_of(findings["props"]["children"][2]["props"]["children"][0])
    assert first_row.startswith("episodes.csv")  # the name, never the path it came with
    assert "semicolons" in first_row
    assert find_by_id(result, ids.UPLOAD_CONFIRM) is None  # errors: nothing to confirm
    # The browser keeps a token, not the file; the file itself is already removed.
    state = out[ids.UPLOAD_STATE]["data"]
    assert set(state) == {"token", "la", "year"} and state["la"] == HARTLEPOOL_DFE
    token_dir = work_dir / state["token"]
    assert not (token_dir / "files").exists()
    assert [f.name for f in work_dir.rglob("*") if f.is_file()] == ["report.csv"]
    # The full report downloads as CSV; an unknown token is a 404.
    link = find_by_id(result, ids.UPLOAD_REPORT_CSV)
    assert link is not None
    report = client.get(link["props"]["href"])
    assert report.status_code == 200 and report.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(report.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["file"], r["rule"], r["severity"]) for r in rows] == [
        ("episodes.csv", "file.delimiter", "error")
    ]
    assert client.get("/upload/report.csv?token=" + "f" * 32).status_code == 404
    assert client.get("/upload/report.csv?token=../../etc").status_code == 404
    # Loading a rejected check is refused, and nothing at all changed.
    loaded = post_load(client, state)
    assert loaded.status_code == 200
    assert "no longer kept" in text_of(
        loaded.get_json()["response"][ids.UPLOAD_OUTCOME]["children"]
    )
    assert checksums(upload_db) == before


@pytest.mark.parametrize(
    ("la", "names", "message"),
    [
        ("", ["a.csv"], "Choose the local authority"),
        ("Nowhere", ["a.csv"], "No single local authority matches"),
        (LA_TEXT, [], "Choose the files to check first"),
    ],
)
def test_form_mistakes_are_said_plainly(
    client: Any, la: str, names: list[str], message: str
) -> None:
    payload = check_payload(names, [b"x"] * len(names), la=la)
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200
    out = response.get_json()["response"]
    assert out[ids.UPLOAD_FORM_ERROR]["children"].startswith(message)
    assert out[ids.UPLOAD_STATE]["data"] is None


def test_hostile_store_values_are_refused_without_a_500(client: Any) -> None:
    for state in (None, "x", {"token": "../../etc", "la": "805", "year": YEAR},
                  {"token": "0" * 32, "la": "999", "year": YEAR},
                  {"token": "0" * 32, "la": "805", "year": "2025; drop"}):  # fmt: skip
        response = post_load(client, state)
        assert response.status_code == 200
        assert "Check the files before loading" in text_of(
            response.get_json()["response"][ids.UPLOAD_OUTCOME]["children"]
        )


# ---------------------------------------------------------------- on, loading
def test_an_export_checks_clean_loads_and_is_marked_imported(small_db: str, tmp_path: Path) -> None:
    url = writable_copy(small_db, tmp_path)
    out = tmp_path / "export"
    assert data_cli(
        ["export", "--la", HARTLEPOOL_DFE, "--year", str(YEAR), "--out", str(out),
         "--database-url", url]
    ) == 0  # fmt: skip
    files = sorted(p for p in out.rglob("*") if p.is_file())
    names = [p.relative_to(out).as_posix() for p in files]  # 'ssda903/episodes.csv': flattened
    app = create_app(url, allow_upload=True)
    client = app.server.test_client()
    assert HARTLEPOOL_ONS not in client.get("/").get_data(as_text=True).split("<main")[0]

    checked = post_check(client, names, [p.read_bytes() for p in files])
    assert checked.status_code == 200, checked.data[:300]
    response = checked.get_json()["response"]
    assert response[ids.UPLOAD_STATUS]["children"].startswith(
        "Ready to load: the files for Hartlepool, 2025 have no errors"
    )
    result = response[ids.UPLOAD_RESULT]["children"]
    assert "accepted: 0 errors" in text_of(find_by_id(result, ids.UPLOAD_SUMMARY))
    confirm = find_by_id(result, ids.UPLOAD_CONFIRM)
    assert confirm is not None
    assert text_of(confirm) == "Load these returns for Hartlepool, 2025"
    before = query(url, "SELECT count(*) AS n FROM return_status WHERE origin = 'imported'")
    assert int(before["n"].iloc[0]) == 0

    loaded = post_load(client, response[ids.UPLOAD_STATE]["data"])
    assert loaded.status_code == 200, loaded.data[:300]
    outcome = loaded.get_json()["response"][ids.UPLOAD_OUTCOME]["children"]
    assert "Returns loaded" in text_of(outcome)
    link = find_by_id(outcome, ids.UPLOAD_PROFILE_LINK)
    assert link is not None and link["props"]["href"] == f"/la/{HARTLEPOOL_ONS}?year={YEAR}"

    # The database says so ...
    origins = query(
        url,
        "SELECT area_code, time_period, return_name FROM data_origins WHERE origin = 'imported'",
    )
    assert set(origins["area_code"]) == {HARTLEPOOL_ONS}
    assert set(origins["time_period"]) == {YEAR}
    exported = {"cin": "cin_census.xml", "ssda903": "ssda903/episodes.csv", "csww": "csww.xml"}
    assert set(origins["return_name"]) == {r for r, name in exported.items() if name in names}
    # ... and the running app shows it without a restart: banner, profile, coverage, downloads.
    banner = client.get("/").get_data(as_text=True).split("<main")[0]
    assert "Synthetic data, except" in banner and "Hartlepool 2025" in banner
    profile = render_page(client, f"/la/{HARTLEPOOL_ONS}")
    notice = text_of(find_by_id(profile, ids.PROFILE_ORIGIN))
    assert "Hartlepool's own returns" in notice and "2025" in notice
    assert find_by_id(render_page(client, "/la/E09000007"), ids.PROFILE_ORIGIN) is None
    indicator = render_page(client, "/indicator/cla_rate", f"?area={HARTLEPOOL_ONS}")
    assert "SSDA903" in text_of(find_by_id(indicator, ids.INDICATOR_ORIGIN))
    coverage = text_of(find_by_id(render_page(client, "/coverage"), ids.COVERAGE_ORIGINS))
    assert "Hartlepool" in coverage and str(YEAR) in coverage
    csv_text = client.get(
        f"/download/values.csv?indicator=cla_rate&area={HARTLEPOOL_ONS}&breakdown=total"
    ).get_data(as_text=True)
    block, table, _ = split_download(csv_text)
    named = [text for key, *text in block if key == "Imported"]
    assert named[0][0].startswith(f"Hartlepool ({HARTLEPOOL_ONS}) {YEAR}: from the LA's own")
    assert dict((row[0], row[1]) for row in block)["Source"].startswith("Synthetic data")
    marks = {
        int(r["time_period"]): r["data_origin"]
        for r in table
        if r["geographic_level"] == "local_authority"
    }
    assert marks[YEAR] == "imported" and set(marks.values()) == {"imported", "synthetic"}
    # The API says the same of its rows, and its notice no longer calls everything synthetic.
    api = client.get(f"/api/v1/data?indicator=cla_rate&area={HARTLEPOOL_ONS}&breakdown=total")
    body = api.get_json()
    assert "except rows whose data_origin is 'imported'" in body["notice"]
    origin_of = {(r["geographic_level"], r["time_period"]): r["data_origin"] for r in body["rows"]}
    assert origin_of[("local_authority", YEAR)] == "imported"
    assert origin_of[("local_authority", YEAR - 1)] == "synthetic"
    # The checked files are gone, and a second click says it is done rather than failing.
    work_dir = app.server.extensions["csc_upload"].work_dir()
    assert not any(work_dir.iterdir())
    again = post_load(client, response[ids.UPLOAD_STATE]["data"])
    assert "loaded already" in text_of(again.get_json()["response"][ids.UPLOAD_OUTCOME]["children"])
