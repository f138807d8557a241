"""A contribution's language (chosen or guessed) and staff's hand translation beneath it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient

from facilitate.auth.models import User
from facilitate.db import session
from facilitate.live.models import Contribution
from facilitate.meetings import operations as meeting_ops

from .conftest import NS, named, open_meeting
from .test_protocol import ack, error_code, state_of

Connect = Callable[..., SocketIOTestClient]


def stored(app: Flask, contribution_id: int) -> Contribution:
    with app.app_context():
        contribution = session().get(Contribution, contribution_id)
        assert contribution is not None
        session().expunge(contribution)
        return contribution


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("الإضاءة في الحديقة ضعيفة جدا في الليل", "ar"),
        ("Lapset eivät uskalla kulkea puiston läpi kun on pimeää ja se on ongelma", "fi"),
        ("Carruurta waa inay helaan meel ay ku ciyaaraan oo nabad ah", "so"),
        ("The park is too dark and we need more lights there", "en"),
        ("Det är för mörkt i parken och vi behöver mer ljus", "sv"),
    ],
)
def test_contribution_language_guessed_from_text(
    room: dict[str, SocketIOTestClient], text: str, language: str
) -> None:
    room["console"].get_received(NS)
    answer = ack(room["anna"], "contribution_add", text=text)
    assert answer["ok"] is True
    assert answer["language"] == language
    (seen,) = named(room["console"].get_received(NS), "contribution")
    assert seen["language"] == language


@pytest.mark.parametrize(
    ("headers", "language"),
    [
        ({"Cookie": "lang=so"}, "so"),
        ({"Accept-Language": "fi-FI,fi;q=0.9"}, "fi"),
        ({"Cookie": "lang=sv-easy"}, "sv"),
        ({}, "sv"),
    ],
)
def test_contribution_language_of_short_text_follows_writer_screen(
    app: Flask,
    meeting_id: int,
    join: Callable[..., str],
    connect: Connect,
    headers: dict[str, str],
    language: str,
) -> None:
    open_meeting(app, meeting_id)
    phone = connect({"token": join(meeting_id)}, headers=headers)
    answer = ack(phone, "contribution_add", text="Ok!")
    assert answer["language"] == language


def test_contribution_language_chosen_by_note_taker_wins(
    app: Flask, room: dict[str, SocketIOTestClient]
) -> None:
    answer = ack(
        room["notes"],
        "contribution_add",
        text="Det är för mörkt i parken och vi behöver ljus",
        on_behalf=True,
        language="so",
    )
    assert answer["language"] == "so"
    assert stored(app, answer["id"]).language == "so"


def test_contribution_language_unknown_refused_nothing_written(
    room: dict[str, SocketIOTestClient], connect: Connect
) -> None:
    room["console"].get_received(NS)
    answer = ack(room["notes"], "contribution_add", text="Hej", on_behalf=True, language="xx")
    assert error_code(answer) == "validation_error"
    assert answer["error"]["field"] == "language"
    assert named(room["console"].get_received(NS), "contribution") == []
    assert state_of(connect(dict(room["console"].connect_auth)))["contributions"] == []


def test_contribution_translate_reaches_every_screen(
    app: Flask, room: dict[str, SocketIOTestClient]
) -> None:
    made = ack(room["anna"], "contribution_add", text="الإضاءة في الحديقة ضعيفة جدا")
    for client in room.values():
        client.get_received(NS)
    answer = ack(
        room["notes"], "contribution_translate", id=made["id"], text="Belysningen i parken är svag"
    )
    assert answer == {"ok": True, "id": made["id"], "language": "sv"}
    for name in ("anna", "bo", "console", "screen"):
        (seen,) = named(room[name].get_received(NS), "contribution")
        assert seen["translation"] == "Belysningen i parken är svag", name
        assert seen["translation_language"] == "sv"
        assert seen["text"] == "الإضاءة في الحديقة ضعيفة جدا"  # the original stays
    assert stored(app, made["id"]).translation == "Belysningen i parken är svag"


def test_contribution_translate_empty_removes_it(
    app: Flask, room: dict[str, SocketIOTestClient]
) -> None:
    made = ack(room["anna"], "contribution_add", text="Bra idé")
    ack(room["console"], "contribution_translate", id=made["id"], text="Good idea", language="en")
    assert ack(room["console"], "contribution_translate", id=made["id"], text="  ")["ok"]
    contribution = stored(app, made["id"])
    assert (contribution.translation, contribution.translation_language) == ("", None)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": "x" * 501}, "text"),
        ({"text": "Hej\x07"}, "text"),
        ({"text": "Hello", "language": "de"}, "language"),
    ],
)
def test_contribution_translate_bad_input_refused(
    app: Flask, room: dict[str, SocketIOTestClient], payload: dict[str, Any], field: str
) -> None:
    made = ack(room["anna"], "contribution_add", text="Bra idé")
    answer = ack(room["console"], "contribution_translate", id=made["id"], **payload)
    assert error_code(answer) == "validation_error"
    assert answer["error"]["field"] == field
    assert stored(app, made["id"]).translation == ""


def test_contribution_translate_by_resident_forbidden(room: dict[str, SocketIOTestClient]) -> None:
    made = ack(room["anna"], "contribution_add", text="Bra idé")
    answer = ack(room["bo"], "contribution_translate", id=made["id"], text="Good idea")
    assert error_code(answer) == "forbidden"


def test_contribution_edit_clears_translation_and_guesses_again(
    app: Flask, room: dict[str, SocketIOTestClient]
) -> None:
    made = ack(room["anna"], "contribution_add", text="Ok")
    ack(room["console"], "contribution_translate", id=made["id"], text="Okej")
    ack(room["anna"], "contribution_edit", id=made["id"], text="الإضاءة في الحديقة ضعيفة")
    contribution = stored(app, made["id"])
    assert contribution.language == "ar"
    assert contribution.translation == ""


def test_phase_prompt_translation_added_mid_meeting_reaches_phones(
    app: Flask,
    client: FlaskClient,
    facilitator: User,
    room: dict[str, SocketIOTestClient],
    meeting_id: int,
) -> None:
    """A facilitator adds the Finnish question while the step runs: phones update at once."""
    with app.app_context():
        phase = meeting_ops.get_meeting(meeting_id).phases[0]
        phase_id, title, minutes, kind = phase.id, phase.title, phase.minutes, phase.kind.value
    for phone in room.values():
        phone.get_received(NS)
    response = client.post(
        f"/meetings/{meeting_id}/phases/{phase_id}/edit",
        data={
            "title": title,
            "prompt": "Hur mår du?",
            "minutes": str(minutes),
            "kind": kind,
            "prompt_fi": "Mitä kuuluu?",
        },
    )
    assert response.status_code == 302
    for name in ("anna", "console", "screen"):
        (phases,) = named(room[name].get_received(NS), "phases")
        assert phases["phases"][0]["prompt"] == "Hur mår du?", name
        assert phases["phases"][0]["prompts"]["fi"] == "Mitä kuuluu?", name
