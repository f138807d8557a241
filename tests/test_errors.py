"""Errors look like errors: an id too large for any row is a 404, not a server error, and a
405 says which methods the URL takes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from facilitate.db import ID_MAX

HUGE = str(ID_MAX + 1)


def test_id_past_any_row_is_404_on_every_page_and_api(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., Any],
    login: Callable[..., None],
    api_token: Callable[..., str],
) -> None:
    admin = make_user("admin")
    login(admin)
    headers = {"Authorization": f"Bearer {api_token(admin)}"}
    checked = 0
    for rule in app.url_map.iter_rules():
        if "int:" not in rule.rule or "GET" not in (rule.methods or set()):
            continue
        url = re.sub(r"<int:[^>]+>", HUGE, rule.rule)
        response = client.get(url, headers=headers)
        assert response.status_code == 404, (url, response.status_code)
        checked += 1
    assert checked > 20


def test_wrong_method_405_says_what_is_allowed(
    client: FlaskClient, make_user: Callable[..., Any], login: Callable[..., None]
) -> None:
    login(make_user("admin"))
    page = client.delete("/dialogues/new")
    assert page.status_code == 405
    assert set(page.headers["Allow"].split(", ")) >= {"GET", "POST"}
    api = client.put("/api/v1/dialogues")
    assert api.status_code == 405
    assert "GET" in api.headers["Allow"]
    assert api.get_json()["error"]["code"] == "method_not_allowed"
