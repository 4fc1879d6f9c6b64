"""Path validators: a templated page can reject the values its template matches."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from dashboard.routing import is_known_page

PAGES = [
    {"module": "pages.home", "path": "/"},
    {
        "module": "pages.indicator",
        "path": "/indicator/<indicator_id>",
        "path_template": "/indicator/<indicator_id>",
    },
    {"module": "pages.la", "path": "/la/<ons_code>", "path_template": "/la/<ons_code>"},
]
KNOWN = {"cin_rate", "cla_rate"}
SEEN: list[Mapping[str, str]] = []


def _indicator(variables: Mapping[str, str]) -> bool:
    SEEN.append(dict(variables))
    return variables["indicator_id"] in KNOWN


VALIDATORS = {"/indicator/<indicator_id>": _indicator}


@pytest.mark.parametrize(
    ("path", "known"),
    [
        ("/indicator/cin_rate", True),
        ("/indicator/cla_rate/", True),
        ("/indicator/nope", False),
        ("/indicator/", False),
        ("/indicator/cin_rate/x", False),
        ("/la/anything", True),  # no validator: the template alone decides
        ("/", True),
    ],
)
def test_validators_decide_for_their_template(path: str, known: bool) -> None:
    assert is_known_page(path, PAGES, VALIDATORS) is known


def test_validator_receives_the_path_variables_by_name() -> None:
    SEEN.clear()
    is_known_page("/indicator/cla_rate", PAGES, VALIDATORS)
    assert SEEN == [{"indicator_id": "cla_rate"}]


def test_without_validators_templates_match_as_before() -> None:
    assert is_known_page("/indicator/nope", PAGES) is True
