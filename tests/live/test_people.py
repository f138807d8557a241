"""The people page: a resident's words erased on request, during the meeting or after it."""

from __future__ import annotations

import sqlalchemy as sa
from conftest import every_word_column, holding, on_disk
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient

from facilitate.auth.models import User
from facilitate.db import session
from facilitate.live.models import Contribution, Participant
from facilitate.meetings import operations as meeting_ops

from .conftest import NS, named
from .test_protocol import ack


def texts(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        rows = session().execute(
            sa.select(Participant.display_name, Contribution.text)
            .join(Participant, Participant.id == Contribution.participant_id)
            .order_by(Contribution.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def participant_id(app: Flask, name: str) -> int:
    with app.app_context():
        return (
            session()
            .scalars(sa.select(Participant.id).where(Participant.display_name == name))
            .one()
        )


def test_people_erased_after_the_meeting_closed(
    app: Flask,
    client: FlaskClient,
    facilitator: User,
    meeting_id: int,
    room: dict[str, SocketIOTestClient],
) -> None:
    ack(room["anna"], "contribution_add", text="Jag heter Anna Svensson")
    ack(room["anna"], "contribution_add", text="Jag bor på Storgatan 5")
    ack(room["bo"], "contribution_add", text="Buskarna skymmer gångvägen")
    ack(room["console"], "meeting_close")
    page = client.get(f"/meetings/{meeting_id}/people").get_data(as_text=True)
    for words in ("Anna", "Jag bor på Storgatan 5", "Bo", "Buskarna skymmer gångvägen"):
        assert words in page
    assert "2 contributions will be erased for good." in page
    room["bo"].get_received(NS)
    anna = participant_id(app, "Anna")
    response = client.post(f"/meetings/{meeting_id}/people/{anna}/erase")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/meetings/{meeting_id}/people"
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 contributions were erased." in after
    assert "Storgatan" not in after
    assert texts(app) == [("Anna", ""), ("Anna", ""), ("Bo", "Buskarna skymmer gångvägen")]
    # Screens still open after the meeting drop the words at once.
    assert len(named(room["bo"].get_received(NS), "contribution_removed")) == 2


def test_people_erase_refuses_someone_of_another_meeting(
    app: Flask,
    client: FlaskClient,
    facilitator: User,
    meeting_id: int,
    room: dict[str, SocketIOTestClient],
) -> None:
    ack(room["anna"], "contribution_add", text="Mörkt vid skolan")
    anna = participant_id(app, "Anna")
    with app.app_context():
        here = meeting_ops.get_meeting(meeting_id)
        other = meeting_ops.create_meeting(here.theme, "Dagtid").id
        session().commit()
    assert client.post(f"/meetings/{other}/people/{anna}/erase").status_code == 404
    assert client.post(f"/meetings/{meeting_id}/people/{anna + 99}/erase").status_code == 404
    assert client.get(f"/meetings/{meeting_id}/people/{anna}/erase").status_code == 405
    assert texts(app) == [("Anna", "Mörkt vid skolan")]


#: Said by Anna, translated by the note-taker and given as the reason it was hidden.
PHRASE = "Ove på Storgatan 5 slår sin hund"


def said_everywhere(room: dict[str, SocketIOTestClient]) -> None:
    """PHRASE in every column that holds a contribution's words, through the room."""
    made = ack(room["anna"], "contribution_add", text=PHRASE)
    assert ack(room["notes"], "contribution_translate", id=made["id"], text=PHRASE)["ok"]
    assert ack(room["console"], "contribution_hide", id=made["id"], reason=PHRASE)["ok"]


def contribution_columns() -> set[str]:
    return {c for c in every_word_column() if c.startswith("contributions.")}


def test_people_erase_clears_every_copy_of_the_words_from_the_files_too(
    app: Flask,
    client: FlaskClient,
    facilitator: User,
    meeting_id: int,
    room: dict[str, SocketIOTestClient],
) -> None:
    said_everywhere(room)
    assert holding(app, PHRASE) == contribution_columns()
    assert on_disk(app, PHRASE)  # the byte search sees them while they are kept
    anna = participant_id(app, "Anna")
    assert client.post(f"/meetings/{meeting_id}/people/{anna}/erase").status_code == 302
    assert holding(app, PHRASE) == set()
    # Not even in the database's files: in the WAL, or in a page's free space.
    assert on_disk(app, PHRASE) == []


def test_participant_erase_event_clears_every_copy_of_the_words_from_the_files_too(
    app: Flask, room: dict[str, SocketIOTestClient]
) -> None:
    said_everywhere(room)
    anna = participant_id(app, "Anna")
    assert ack(room["console"], "participant_erase", participant_id=anna)["erased"] == 1
    assert holding(app, PHRASE) == set()
    assert on_disk(app, PHRASE) == []
