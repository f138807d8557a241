"""Schemathesis against /api/v1/openapi.json: no 5xx, and every answer as documented.

Schemathesis generates requests from the document and checks every response: no
server error, a documented status code and content type, a body that matches the
response schema, and invalid input (negative cases) refused with a 4xx.

The document is read from an app of its own, built on import, and each operation's
cases go to that test's ``app``, seeded with the demo dialogue and an agreed action
item so that ids exist. ``schemathesis.pytest.from_fixture`` would take the schema
from the ``app`` fixture directly, but it reads ``Node._nodeid``, which pytest 9.2
no longer has.

At the end, what the runs found, pinned as plain tests.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import APIOperation, CheckContext, Response
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from api.test_openapi import Api, error_of
from facilitate import create_app
from facilitate.auth import operations as auth_ops
from facilitate.db import ID_MAX, session
from facilitate.demo import ADMIN_EMAIL, load_demo
from facilitate.dialogues.models import DESCRIPTION_MAX

#: A generated case of any operation of the document.
Case = schemathesis.Case[APIOperation[Any, Any, Any, Any]]

DOCUMENT = "/api/v1/openapi.json"
#: The document has 24 operations; test_openapi.py pins which.
OPERATIONS = 24
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
#: Every kind of row has ids up to this once ``seeded`` ran, except action items (1).
KNOWN_IDS = 12


def _config(*, mode: str, tokens: bool, coverage: bool) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": 20210618,
            "generation": {
                "mode": mode,
                "database": "none",
                # Also send made-up bearer tokens (negative cases then expect 401).
                "with-security-parameters": tokens,
            },
            "phases": {"coverage": {"enabled": coverage}, "stateful": {"enabled": False}},
        }
    )


# Only its document is read: no request reaches its database.
_document_app = create_app(
    {
        "TESTING": True,
        "SECRET_KEY": "schemathesis",
        "DATABASE_URL": "sqlite://",
        "ASYNC_MODE": "threading",
    }
)
#: The coverage phase (boundary values, wrong types, missing fields, other methods),
#: then fuzzing; positive and negative cases in both.
admin_schema = schemathesis.openapi.from_wsgi(
    DOCUMENT, _document_app, config=_config(mode="all", tokens=True, coverage=True)
)
#: Valid requests only, fuzzed: the coverage phase's other methods 405 before any auth.
anonymous_schema = schemathesis.openapi.from_wsgi(
    DOCUMENT, _document_app, config=_config(mode="positive", tokens=False, coverage=False)
)


@admin_schema.hook
def before_generate_path_parameters(
    context: schemathesis.HookContext, strategy: st.SearchStrategy[dict[str, Any]]
) -> st.SearchStrategy[dict[str, Any]]:
    """About half the cases name a row that exists: random ids nearly all answer 404."""
    assert context.operation is not None
    names = [parameter.name for parameter in context.operation.path_parameters]
    known = st.fixed_dictionaries({name: st.integers(1, KNOWN_IDS) for name in names})
    return st.one_of(strategy, known)


@pytest.fixture
def seeded(app: Flask, request: pytest.FixtureRequest) -> str:
    """The demo dialogue and an agreed action item; returns the demo admin's API token."""
    with app.app_context():
        load_demo()
        session().commit()
    # Only now: the demo loads only into an empty database.
    request.getfixturevalue("agreed")
    with app.app_context():
        admin = auth_ops.get_user_by_email(ADMIN_EMAIL)
        assert admin is not None
        token = auth_ops.issue_api_token(admin)
        session().commit()
    return token


# Fixed examples, no example database: every run sends the same requests. The seeded
# app is shared by an operation's cases on purpose, as a server is by its clients.
RUN = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@admin_schema.parametrize()
@settings(RUN, max_examples=60)
def test_api_answers_admin_as_documented(case: Case, app: Flask, seeded: str) -> None:
    """19 operations with an admin's token: each operation's coverage cases (9 to 215)
    and 60 fuzzed ones; about 40 s here."""
    case.call_and_validate(
        app=app,
        headers={"Authorization": f"Bearer {seeded}"},
        checks=[
            *CONFORMANCE,
            negative_data_rejection,
            unsupported_method,
            allow_header_conformance,
        ],
    )


def refused_without_token(ctx: CheckContext, response: Response, case: Case) -> None:
    """An operation that requires a token answers 401 to a request without one."""
    if case.operation.definition.raw.get("security"):
        assert response.status_code == 401, f"{response.status_code} without a token"


@anonymous_schema.parametrize()
@settings(RUN, max_examples=5)
def test_api_refuses_anonymous_as_documented(case: Case, app: Flask) -> None:
    """19 operations without a token, 5 valid fuzzed requests each (a list
    without parameters has one request to make): 401 for all but the public join."""
    case.call_and_validate(app=app, checks=[*CONFORMANCE, refused_without_token])


def test_every_operation_is_run() -> None:
    results = list(admin_schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results)  # none failed to load
    assert len(operations) == OPERATIONS
    secured = [op for op in operations if op.definition.raw.get("security")]
    assert len(secured) == OPERATIONS - 1  # all but joining


# -- what the runs found -------------------------------------------------------------------


def test_document_requires_bodies_and_bounds_ids(client: FlaskClient) -> None:
    doc = Api(client).doc
    for operations in doc["paths"].values():
        for operation in operations.values():
            if "requestBody" in operation:
                assert operation["requestBody"]["required"] is True
            for parameter in operation["parameters"]:
                if parameter["in"] == "path":
                    assert parameter["schema"]["minimum"] == 1
                    assert parameter["schema"]["maximum"] == ID_MAX
    ids = doc["components"]["schemas"]["NoteThemesIn"]["properties"]["theme_ids"]["items"]
    assert (ids["minimum"], ids["maximum"]) == (1, ID_MAX)


def test_id_past_int64_404_not_500(observer: Api, facilitator: Api) -> None:
    """SQLite cannot even look such an id up: it raised OverflowError, a 500."""
    for path in ("/meetings/{}", "/dialogues/{}/actions.pdf", "/notes/{}", "/actions/{}/trail"):
        error_of(observer.get(path.format(ID_MAX + 1)), 404, "not_found")
    error_of(observer.get(f"/meetings/{ID_MAX}"), 404, "not_found")
    patch = facilitator.call("PATCH", f"/actions/{ID_MAX + 1}", json={"owner": "x"})
    error_of(patch, 404, "not_found")


def test_theme_ids_past_int64_422_not_500(facilitator: Api, intake: dict[str, int]) -> None:
    said = {"date": "2021-03-01", "channel": "door", "notes": ["Mörkt vid skolan"]}
    response = facilitator.post(
        f"/dialogues/{intake['dialogue']}/conversations", json={**said, "theme_ids": [ID_MAX + 1]}
    )
    assert error_of(response, 422, "validation_error", "theme_ids.0") == "No such theme."


@pytest.mark.parametrize("body", ["null", "[]", '"owner"', "5"])
def test_body_not_an_object_422(facilitator: Api, agreed: dict[str, int], body: str) -> None:
    """APIFlask read ``null`` as ``{}``: a PATCH of null changed nothing and answered 200."""
    json_body = {"Content-Type": "application/json"}
    response = facilitator.call("PATCH", f"/actions/{agreed['item']}", data=body, headers=json_body)
    assert "JSON object" in error_of(response, 422, "validation_error")


def test_text_longer_than_documented_422_even_if_blank(facilitator: Api) -> None:
    """The limit held only for the cleaned text: 5,001 newlines passed, stored as ""."""
    dialogue = facilitator.post("/dialogues", json={"title": "Trygghet"}).get_json()["id"]
    body = {"title": "Belysning", "description": "\n" * (DESCRIPTION_MAX + 1)}
    response = facilitator.post(f"/dialogues/{dialogue}/themes", json=body)
    message = error_of(response, 422, "validation_error", "description")
    assert message == f"At most {DESCRIPTION_MAX} characters."
