"""Every endpoint says who may use it, and anonymous visitors get no further than that."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from facilitate.auth.models import Role, User
from facilitate.auth.permissions import PUBLIC, declared_permission
from facilitate.db import session
from facilitate.dialogues import operations as dialogue_ops
from facilitate.live import participants
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings.models import MeetingStatus

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


def guarded(app: Flask) -> Iterator[tuple[str, str, str]]:
    """(endpoint, url, method) of every route that is not public, ids filled in as 1."""
    for rule in app.url_map.iter_rules():
        permission = declared_permission(app.view_functions.get(rule.endpoint, lambda: None))
        if rule.endpoint in LIBRARY_ENDPOINTS or permission in (PUBLIC, None):
            continue
        url = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, url, method


def test_anonymous_refused_everywhere_but_public(app: Flask, client: FlaskClient) -> None:
    checked = 0
    for _, url, method in guarded(app):
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


#: What a participant token gets from the API besides 403; other views are staff only.
RESIDENT_API = {"api.list_proposals": {"here": 200, "other": 404}}


@pytest.fixture
def residents(app: Flask) -> dict[str, tuple[int, str]]:
    """A phone in meeting 1 (which every walked URL names) and one in another meeting."""
    with app.app_context():
        dialogue = dialogue_ops.create_dialogue("Trygghet", areas=["Fröslunda"])
        theme = dialogue_ops.create_theme(dialogue, "Belysning")
        found = {}
        for who, title in (("here", "Kväll"), ("other", "Dagtid")):
            meeting = meeting_ops.create_meeting(theme, title, template="in_depth_90")
            meeting.status = MeetingStatus.open
            meeting.current_phase = 0
            session().flush()
            _, token = participants.join(meeting, display_name=who)
            found[who] = (meeting.id, token)
        session().commit()
    assert found["here"][0] == 1
    return found


@pytest.mark.parametrize("who", ["here", "other"])
def test_resident_gets_no_further_than_anonymous(
    app: Flask, client: FlaskClient, residents: dict[str, tuple[int, str]], who: str
) -> None:
    meeting_id, token = residents[who]
    client.set_cookie(participants.cookie_name(meeting_id), token)
    assert client.get(f"/m/{meeting_id}").status_code == 200  # the phone's own page
    headers = {"Authorization": f"Bearer {token}"}
    checked = 0
    for endpoint, url, method in guarded(app):
        response = client.open(url, method=method, headers=headers)
        if not url.startswith("/api/"):
            expected = 302  # to the login page, as for anyone else
        else:  # a valid token of the lowest role: it reads its own meeting's proposals
            expected = RESIDENT_API.get(endpoint, {}).get(who, 403)
        assert response.status_code == expected, (who, method, url, response.status_code)
        if expected == 302:
            assert response.headers["Location"].startswith("/login"), (who, url)
        checked += 1
    assert checked > 20


def test_resident_of_another_meeting_gets_no_phone_here(
    client: FlaskClient, residents: dict[str, tuple[int, str]]
) -> None:
    here, _ = residents["here"]
    _, other_token = residents["other"]
    client.set_cookie(participants.cookie_name(here), other_token)
    response = client.get(f"/m/{here}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/join"
