"""Any text in any field of any form: a page or a form error, never a server error, and a
refused form leaves the database as it was."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilitate.auth.permissions import declared_permission
from facilitate.db import Base, session

texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from("\u202e\u200b\u0000\r\n<>&\"'😀å日ع-1"), max_size=20),
    st.just("x" * 10_000),
    st.sampled_from(["", "1", "-1", "0", "99999999999999999999", "2026-13-45", "sv", "open"]),
)
#: What a form may carry beyond its own inputs: the move and status buttons' fields.
EXTRA_FIELDS = ["offset", "status", "back", "outcome", "next"]
#: Routes a walk must not take: logging out would end it.
SKIPPED = {"auth.logout"}
NAME = re.compile(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"')


def form_routes(app: Flask, code: str = "1") -> list[tuple[str, str, bool]]:
    """(endpoint, url, has a GET page) of every HTML form target, ids filled in as 1 and
    a join code as ``code``."""
    found = []
    for rule in app.url_map.iter_rules():
        methods = rule.methods or set()
        view = app.view_functions[rule.endpoint]
        if "POST" not in methods or rule.rule.startswith("/api/") or rule.endpoint in SKIPPED:
            continue
        if declared_permission(view) is None:
            continue
        url = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule.replace("<code>", code))
        found.append((rule.endpoint, url, "GET" in methods))
    return sorted(found)


def row_counts() -> dict[str, int]:
    return {
        table.name: session().scalar(sa.select(sa.func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
        if table.name != "alembic_version"
    }


@pytest.fixture
def walker(
    client: FlaskClient,
    demo_join_path: str,  # the demo, meeting 1 open so that its join form takes residents
    make_user: Callable[..., Any],
    login: Callable[..., None],
) -> FlaskClient:
    login(make_user("admin"))
    return client


def test_every_form_is_walked(app: Flask) -> None:
    endpoints = {endpoint for endpoint, _, _ in form_routes(app)}
    assert {"meetings.new", "dialogues.new", "live.join", "live.erase_person"} <= endpoints
    assert len(endpoints) > 25


def test_any_text_in_any_form_field_is_handled(
    app: Flask, walker: FlaskClient, demo_join_path: str
) -> None:
    code = demo_join_path.removeprefix("/j/")
    for _, url, has_page in form_routes(app, code):
        names = EXTRA_FIELDS
        if has_page:
            page = walker.get(url)
            assert page.status_code < 500, (url, page.status_code)
            found = set(NAME.findall(page.get_data(as_text=True)))
            names = sorted((found | set(EXTRA_FIELDS)) - {"csrf_token"})
        fuzz_form(app, walker, url, names)


def fuzz_form(app: Flask, walker: FlaskClient, url: str, names: list[str]) -> None:
    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(form=st.dictionaries(st.sampled_from(names), texts, max_size=len(names)))
    def post(form: dict[str, str]) -> None:
        with app.app_context():
            before = row_counts()
        response = walker.post(url, data=form)
        assert response.status_code < 500, (url, form, response.status_code)
        if response.status_code >= 400:
            with app.app_context():
                assert row_counts() == before, (url, form, response.status_code)

    post()
