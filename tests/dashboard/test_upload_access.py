"""Who may use the upload page: the address, host and forwarding checks as pure functions."""

from __future__ import annotations

import pytest

from dashboard.upload_access import (
    is_local_request,
    is_loopback_address,
    is_loopback_host,
    max_request_bytes,
)
from data.validate.files import MB, Limits


@pytest.mark.parametrize(
    ("address", "local"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("fe80::1%eth0", False),
        ("192.168.1.20", False),
        ("10.0.0.1", False),
        ("::ffff:192.0.2.10", False),
        ("0.0.0.0", False),
        ("localhost", False),  # a name is not an address
        ("", False),
        (None, False),
    ],
)
def test_is_loopback_address(address: str | None, local: bool) -> None:
    assert is_loopback_address(address) is local


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1:8050", True),
        ("localhost", True),
        ("LOCALHOST:8050", True),
        ("[::1]:8050", True),
        ("[::1]", True),
        ("::1", True),
        ("evil.example", False),
        ("evil.example:8050", False),
        ("127.0.0.1.evil.example", False),
        ("localhost.evil.example:80", False),
        ("", False),
        (None, False),
    ],
)
def test_is_loopback_host(host: str | None, local: bool) -> None:
    assert is_loopback_host(host) is local


def test_is_local_request_needs_all_three() -> None:
    assert is_local_request("127.0.0.1", "127.0.0.1:8050", {})
    assert not is_local_request("192.0.2.1", "127.0.0.1:8050", {})
    assert not is_local_request("127.0.0.1", "dashboard.example", {})
    for header in ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-Ip"):
        assert not is_local_request("127.0.0.1", "localhost", {header: "192.0.2.1"})
    assert is_local_request("127.0.0.1", "localhost", {"X-Forwarded-For": ""})


def test_request_limit_fits_the_largest_allowed_upload() -> None:
    limits = Limits()
    assert max_request_bytes(limits) >= limits.total_bytes * 4 // 3
    assert max_request_bytes(limits) < limits.total_bytes * 4 // 3 + 2 * MB
    small = Limits(file_bytes=MB, total_bytes=3 * MB, files=3)
    assert max_request_bytes(small) == 4 * MB + MB
