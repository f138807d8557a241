"""Who has the word is room state: given, seen by everyone and by late comers, cleared."""

from __future__ import annotations

from collections.abc import Callable

from flask_socketio import SocketIOTestClient

from .conftest import NS, named
from .test_protocol import ack, error_code, state_of

Connect = Callable[..., SocketIOTestClient]


def drain(room: dict[str, SocketIOTestClient]) -> None:
    for client in room.values():
        client.get_received(NS)


def test_given_word_is_state_for_everyone_and_late_comers(
    room: dict[str, SocketIOTestClient], connect: Connect
) -> None:
    assert state_of(room["screen"])["speaker"] is None
    ack(room["anna"], "hand_raise")
    anna_id = state_of(room["anna"])["me"]["participant_id"]
    drain(room)
    assert ack(room["console"], "hand_give", participant_id=anna_id)["ok"]
    anna = {"name": "Anna", "participant_id": anna_id}
    for name, client in room.items():
        received = client.get_received(NS)
        assert named(received, "speaker") == [{"speaker": anna}], name
        # The moment stays for the phone's own "You have the word".
        assert len(named(received, "hand_given")) == 1, name
    # A projector that reloads, and a phone that connects later, know who has the word.
    assert state_of(connect(dict(room["screen"].connect_auth)))["speaker"] == anna
    assert state_of(connect({"token": room["bo"].connect_auth["token"]}))["speaker"] == anna


def test_hand_raised_for_someone_without_a_phone_shows_its_label(
    room: dict[str, SocketIOTestClient], connect: Connect
) -> None:
    hand = ack(room["notes"], "hand_raise_for", label="Bord 3")
    drain(room)
    ack(room["console"], "hand_give", id=hand["id"])
    table = {"name": "Bord 3", "participant_id": None}
    assert named(room["bo"].get_received(NS), "speaker") == [{"speaker": table}]
    assert state_of(connect({"token": room["bo"].connect_auth["token"]}))["speaker"] == table


def test_next_step_clears_the_speaker(room: dict[str, SocketIOTestClient]) -> None:
    ack(room["bo"], "hand_raise")
    bo_id = state_of(room["bo"])["me"]["participant_id"]
    ack(room["console"], "hand_give", participant_id=bo_id)
    drain(room)
    ack(room["console"], "phase_goto", index=1)
    assert named(room["anna"].get_received(NS), "speaker") == [{"speaker": None}]
    # Nobody had the word: the next step change says nothing more.
    ack(room["console"], "phase_goto", index=2)
    assert named(room["anna"].get_received(NS), "speaker") == []


def test_only_the_facilitator_ends_the_speech(
    room: dict[str, SocketIOTestClient], connect: Connect
) -> None:
    ack(room["anna"], "hand_raise")
    anna_id = state_of(room["anna"])["me"]["participant_id"]
    ack(room["console"], "hand_give", participant_id=anna_id)
    drain(room)
    for who in ("anna", "bo", "notes", "screen"):
        assert error_code(ack(room[who], "speaker_clear")) == "forbidden", who
    assert named(room["bo"].get_received(NS), "speaker") == []
    assert ack(room["console"], "speaker_clear") == {"ok": True}
    assert named(room["bo"].get_received(NS), "speaker") == [{"speaker": None}]
    assert state_of(connect(dict(room["screen"].connect_auth)))["speaker"] is None
