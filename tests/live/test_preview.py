"""Staff's preview of the phone view (``/meetings/<id>/preview``, ``view: "preview"``):
what residents see, without being a participant, counted, or able to write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_socketio import SocketIOTestClient

from facilitate.auth.models import Role, User
from facilitate.db import session
from facilitate.live.models import Participant
from facilitate.meetings import operations as meeting_ops

from .conftest import NS, named, open_meeting
from .test_authorisation import table_rows
from .test_protocol import ack, error_code, state_of

Connect = Callable[..., SocketIOTestClient]


def participants(app: Flask) -> int:
    with app.app_context():
        return session().scalar(sa.select(sa.func.count(Participant.id))) or 0


@pytest.fixture
def preview(
    room: dict[str, SocketIOTestClient],
    connect: Connect,
    staff: Callable[[Role], str],
    meeting_id: int,
) -> SocketIOTestClient:
    """The room of conftest (two phones, console, notes, projector) and a preview in it."""
    client = connect({"token": staff(Role.observer), "meeting_id": meeting_id, "view": "preview"})
    assert client.is_connected(NS)
    return client


# -- the page ------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [(Role.observer, 200), (Role.facilitator, 200)])
def test_preview_page_for_staff_makes_no_participant(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    login: Callable[[User], None],
    meeting_id: int,
    role: Role,
    status: int,
) -> None:
    open_meeting(app, meeting_id)
    login(make_user(role))
    response = client.get(f"/meetings/{meeting_id}/preview")
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert "Preview: this is what residents see on their phones." in page
    assert '"view": "preview"' in page
    assert 'id="write"' in page  # the phone's own page, its controls shown (locked by script)
    assert participants(app) == 0
    assert client.get_cookie(f"fcp_{meeting_id}") is None


def test_preview_page_refused_to_residents_and_strangers(
    app: Flask, client: FlaskClient, meeting_id: int
) -> None:
    open_meeting(app, meeting_id)
    anonymous = client.get(f"/meetings/{meeting_id}/preview")
    assert anonymous.status_code in (302, 401)
    assert "/login" in anonymous.headers.get("Location", "/login")
    # A resident's cookie is no staff login.
    with app.app_context():
        code = meeting_ops.get_meeting(meeting_id).join_code
    assert client.post(f"/j/{code}", data={"display_name": "Anna"}).status_code == 302
    assert client.get(f"/meetings/{meeting_id}/preview").status_code in (302, 401)


def test_preview_page_of_unknown_meeting(client: FlaskClient, facilitator: User) -> None:
    assert client.get("/meetings/999/preview").status_code == 404


# -- the socket ----------------------------------------------------------------------------


def test_preview_is_not_counted(
    app: Flask,
    room: dict[str, SocketIOTestClient],
    connect: Connect,
    staff: Callable[[Role], str],
    meeting_id: int,
) -> None:
    before = participants(app)
    client = connect(
        {"token": staff(Role.facilitator), "meeting_id": meeting_id, "view": "preview"}
    )
    state = state_of(client)
    me = {
        "participant_id": None,
        "role": "preview",
        "group": None,
        "votes": {},
        "remaining": None,
        "answers": {},  # a perspectives step's answers: the preview has none
        "perspectives": None,
    }
    assert state["me"] == me
    assert state["presence"] == {"online": 2, "joined": 2}  # Anna and Bo only
    assert participants(app) == before
    console = connect({"token": staff(Role.facilitator), "meeting_id": meeting_id})
    presence = state_of(console)["presence"]
    assert (presence["online"], presence["joined"], len(presence["people"])) == (2, 2, 2)


def test_preview_sees_what_residents_see(
    room: dict[str, SocketIOTestClient], preview: SocketIOTestClient
) -> None:
    console, anna = room["console"], room["anna"]
    shown = ack(anna, "contribution_add", text="Mörkt vid busshållplatsen")["id"]
    hidden = ack(anna, "contribution_add", text="Något olämpligt")["id"]
    ack(console, "contribution_hide", id=hidden, reason="Olämpligt")
    ack(console, "premoderation_set", on=True)
    waiting = ack(anna, "contribution_add", text="Väntar på godkännande")["id"]
    ack(anna, "proposal_add", title="Fler lampor")  # waits too
    heard = preview.get_received(NS)
    assert waiting not in [c["id"] for c in named(heard, "contribution")]
    assert not named(heard, "proposal")

    state = state_of_fresh(preview)
    assert [c["id"] for c in state["contributions"]] == [shown]
    assert state["proposals"] == []
    assert "hidden" not in state["contributions"][0]
    assert "reason" not in state["contributions"][0]
    assert "people" not in state["presence"]
    # The same picture as the projector's, which sees exactly what residents see.
    projector = state_of_fresh(room["screen"])
    assert {k: v for k, v in state.items() if k not in ("me", "timer")} == {
        k: v for k, v in projector.items() if k not in ("me", "timer")
    }

    ack(console, "contribution_approve", id=waiting)
    assert [c["id"] for c in named(preview.get_received(NS), "contribution")] == [waiting]


def state_of_fresh(client: SocketIOTestClient) -> dict[str, Any]:
    """The state a reconnect of ``client`` gets."""
    client.disconnect(NS)
    client.connect(namespace=NS, auth=client.connect_auth)  # type: ignore[attr-defined]
    return state_of(client)


@pytest.mark.parametrize(
    ("event", "payload"),
    [
        ("contribution_add", {"text": "Från förhandsvisningen"}),
        ("contribution_add", {"text": "För någon i rummet", "on_behalf": True}),
        ("hand_raise", {}),
        ("hand_raise_for", {"label": "Bord 3"}),
        ("proposal_add", {"title": "Ett förslag"}),
        ("phase_goto", {"index": 1}),
        ("timer_start", {}),
        ("notice", {"text": "Hej"}),
    ],
)
def test_preview_writes_are_refused(
    app: Flask,
    room: dict[str, SocketIOTestClient],
    preview: SocketIOTestClient,
    event: str,
    payload: dict[str, Any],
) -> None:
    before = table_rows(app)
    for client in room.values():
        client.get_received(NS)
    answer = ack(preview, event, **payload)
    assert error_code(answer) == "forbidden"
    with app.test_request_context(), force_locale("sv"):  # the connection's language
        assert answer["error"]["message"] == _("The preview only shows what residents see.")
    assert table_rows(app) == before
    for client in room.values():  # nobody heard of it
        assert not [e for e in client.get_received(NS) if e["name"] != "presence"]


def test_preview_write_never_replays_the_consoles_ack(
    room: dict[str, SocketIOTestClient],
    connect: Connect,
    api_token: Callable[[User], str],
    make_user: Callable[..., User],
    meeting_id: int,
) -> None:
    """The same user's console and preview: a client_id the console used gets no stored ack."""
    token = api_token(make_user(Role.facilitator))
    console = connect({"token": token, "meeting_id": meeting_id})
    preview = connect({"token": token, "meeting_id": meeting_id, "view": "preview"})
    assert ack(console, "notice", client_id="same", text="Hej")["ok"] is True
    assert error_code(ack(preview, "notice", client_id="same", text="Hej")) == "forbidden"
