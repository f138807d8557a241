"""Every endpoint says who may use it, and anonymous visitors get no further than that."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from facilitate.auth.models import Role, User
from facilitate.auth.permissions import PUBLIC, declared_permission

#: Endpoints served by libraries, not by us: static files and the generated OpenAPI document.
LIBRARY_ENDPOINTS = {"static", "openapi.spec"}


def endpoints(app: Flask) -> dict[str, str | Role | None]:
    return {
        rule.endpoint: declared_permission(app.view_functions[rule.endpoint])
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in LIBRARY_ENDPOINTS
    }


def test_every_endpoint_declares_a_permission(app: Flask) -> None:
    undeclared = sorted(name for name, permission in endpoints(app).items() if permission is None)
    assert undeclared == []
    # The walk saw the real application, not an empty map.
    assert {"dialogues.dashboard", "auth.login", "auth.users"} <= set(endpoints(app))


def test_anonymous_refused_everywhere_but_public(app: Flask, client: FlaskClient) -> None:
    checked = 0
    for rule in app.url_map.iter_rules():
        permission = declared_permission(app.view_functions.get(rule.endpoint, lambda: None))
        if rule.endpoint in LIBRARY_ENDPOINTS or permission in (PUBLIC, None):
            continue
        url = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            expected = {401} if url.startswith("/api/") else {302}
            assert response.status_code in expected, (method, url, response.status_code)
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/login")
            checked += 1
    assert checked > 20


@pytest.mark.parametrize("role", [Role.observer, Role.facilitator, Role.admin])
def test_every_page_refuses_lower_roles_and_lets_higher_ones_in(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    login: Callable[[User], None],
    role: Role,
) -> None:
    login(make_user(role))
    user = make_user(role)  # the same role, to ask has_role without a request
    checked = 0
    for rule in app.url_map.iter_rules():
        permission = declared_permission(app.view_functions.get(rule.endpoint, lambda: None))
        if rule.endpoint in LIBRARY_ENDPOINTS or not isinstance(permission, Role):
            continue
        if rule.rule.startswith("/api/") or rule.endpoint == "auth.logout":
            continue  # the API takes tokens (tests/api); logging out would end this walk
        url = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            status = client.open(url, method=method).status_code
            assert status < 500, (role, method, url, status)
            assert (status == 403) == (not user.has_role(permission)), (role, method, url, status)
            checked += 1
    assert checked > 30
