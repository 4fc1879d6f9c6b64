from __future__ import annotations

import pytest

from dashboard.routing import is_known_page

PAGES = [
    {"module": "pages.home", "path": "/"},
    {"module": "pages.la", "path": "/la/<ons_code>", "path_template": "/la/<ons_code>"},
    {"module": "pages.about", "path": "/about"},
    {"module": "pages.not_found_404", "path": "/404"},
]


@pytest.mark.parametrize(
    ("path", "known"),
    [
        ("/", True),
        ("", True),
        ("/about", True),
        ("/about/", True),
        ("/la/E09000007", True),
        ("/la/", False),
        ("/la/E09000007/extra", False),
        ("/abouts", False),
        ("/404", False),  # the not-found page is never a real address
        ("/nope", False),
    ],
)
def test_is_known_page(path: str, known: bool) -> None:
    assert is_known_page(path, PAGES) is known
