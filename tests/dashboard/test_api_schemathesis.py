"""The API checked against its own OpenAPI document by schemathesis, through the WSGI app (no
network): generated valid and invalid requests must never get a 5xx, and every response must match
the status codes, content types, headers and body schemas the document declares.

schemathesis's own pytest parametrisation does not run under pytest 9 (it writes a node attribute
pytest no longer has), so each operation's schemathesis strategy is driven by Hypothesis here."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

MAX_EXAMPLES = 40  # per operation and mode: the whole file stays well under a minute
# schemathesis leaves out the operation that serves the document it was loaded from
# (/openapi.json); test_api.py checks that one.
OPERATIONS = ["/indicators", "/indicators/{id}", "/areas", "/data", "/coverage"]


@pytest.fixture(scope="module")
def api_schema(small_app: Any) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", small_app.server)


def test_document_is_loaded_with_every_operation(api_schema: Any) -> None:
    paths = {op.ok().path for op in api_schema.get_all_operations()}
    assert paths == set(OPERATIONS)


# Invalid requests only exist where there are parameters to get wrong.
CASES = [(path, GenerationMode.POSITIVE) for path in OPERATIONS] + [
    (path, GenerationMode.NEGATIVE) for path in ("/indicators/{id}", "/data", "/coverage")
]
# The app gzips responses (flask-compress) for clients that accept it; schemathesis's WSGI
# transport would hand the compressed bytes to its checks undecoded.
PLAIN = {"Accept-Encoding": "identity"}


@pytest.mark.parametrize(("path", "mode"), CASES)
def test_api_matches_its_openapi_document(api_schema: Any, path: str, mode: GenerationMode) -> None:
    operation = api_schema[path]["GET"]
    seen: list[int] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        response = case.call_and_validate(headers=PLAIN)
        assert response.status_code < 500
        seen.append(response.status_code)

    check()
    assert seen, "no request was generated"
