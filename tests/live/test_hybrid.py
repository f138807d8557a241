"""Rooms with and without phones: hands a note-taker raises for someone in the room, and
the projector's second language, through Socket.IO (docs/protocol.md)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_socketio import SocketIOTestClient
from pictures import apply

from facilitate.live.models import HAND_LABEL_MAX

from .conftest import NS, named
from .test_protocol import ack, comparable, error_code, state_of

Connect = Callable[..., SocketIOTestClient]
#: A new meeting's projector: the wall (its corner keeps the join code), light, no second
#: language.
DEFAULT_SCREEN = {"language": None, "mode": "wall", "theme": "light"}


def queue_of(client: SocketIOTestClient) -> list[dict[str, Any]]:
    hands: list[dict[str, Any]] = named(client.get_received(NS), "hands")[-1]["hands"]
    return hands


# -- hands for people without a phone ------------------------------------------------------


def test_note_taker_raises_a_hand_for_someone_and_it_queues_in_order(
    room: dict[str, SocketIOTestClient],
) -> None:
    ack(room["anna"], "hand_raise")
    made = ack(room["notes"], "hand_raise_for", label="  Person vid bord 3 ")
    assert made["ok"] is True, made
    ack(room["bo"], "hand_raise")
    for who in ("console", "screen", "anna", "bo", "notes"):
        queue = queue_of(room[who])
        assert [h["name"] for h in queue] == ["Anna", "Person vid bord 3", "Bo"], who
        assert [h["on_behalf"] for h in queue] == [False, True, False], who
        labelled = queue[1]
        assert labelled["id"] == made["id"]
        # Residents see what they saw of hands before: the queue, with a label where a
        # resident's own display name would be; nothing of who typed it in.
        assert set(labelled) == {"id", "participant_id", "name", "on_behalf", "raised_at"}
        assert labelled["participant_id"] is None
    # The same person asked again (a double tap, a second note-taker): still once.
    again = ack(room["console"], "hand_raise_for", label="person vid BORD 3")
    assert again == {"ok": True, "id": made["id"]}
    assert named(room["screen"].get_received(NS), "hands") == []


def test_facilitator_gives_the_word_to_a_labelled_hand(
    room: dict[str, SocketIOTestClient],
) -> None:
    ack(room["anna"], "hand_raise")
    made = ack(room["notes"], "hand_raise_for", label="Fatima")
    room["anna"].get_received(NS)
    assert ack(room["console"], "hand_give", id=made["id"]) == {"ok": True}
    received = room["anna"].get_received(NS)
    assert named(received, "hand_given") == [{"participant_id": None, "id": made["id"]}]
    assert [h["name"] for h in named(received, "hands")[-1]["hands"]] == ["Anna"]
    assert error_code(ack(room["console"], "hand_give", id=made["id"])) == "not_found"
    # One hand, named one way: both or neither is a refusal, not a guess.
    assert error_code(ack(room["console"], "hand_give")) == "validation_error"
    anna_id = queue_of(room["screen"])[0]["participant_id"]
    both = ack(room["console"], "hand_give", id=made["id"], participant_id=anna_id)
    assert error_code(both) == "validation_error"


def test_staff_lower_a_labelled_hand_but_not_a_residents(
    room: dict[str, SocketIOTestClient],
) -> None:
    ack(room["anna"], "hand_raise")
    made = ack(room["notes"], "hand_raise_for", label="Bord 5")
    anna_hand = queue_of(room["screen"])[0]["id"]
    assert ack(room["notes"], "hand_lower_for", id=made["id"]) == {"ok": True, "id": made["id"]}
    assert [h["name"] for h in queue_of(room["bo"])] == ["Anna"]
    assert error_code(ack(room["notes"], "hand_lower_for", id=made["id"])) == "not_found"
    assert error_code(ack(room["notes"], "hand_lower_for", id=anna_hand)) == "forbidden"
    assert error_code(ack(room["console"], "hand_lower_for", id=anna_hand)) == "forbidden"
    # Cleared with the rest.
    ack(room["console"], "hand_raise_for", label="Bord 6")
    ack(room["console"], "hand_clear")
    assert queue_of(room["screen"]) == []


def test_hand_label_required_one_line_and_short(
    room: dict[str, SocketIOTestClient], app: Flask
) -> None:
    notes = room["notes"]
    for label in ("", "   ", "Bord\x073", "å" * (HAND_LABEL_MAX + 1)):
        answer = ack(notes, "hand_raise_for", label=label)
        assert error_code(answer) == "validation_error", label
        assert answer["error"]["field"] == "label", answer
    assert ack(notes, "hand_raise_for", label="å" * HAND_LABEL_MAX)["ok"] is True
    assert app.jinja_env.globals["limits"]["hand_label"] == HAND_LABEL_MAX  # type: ignore[index]


def test_hands_for_others_only_by_staff_and_only_while_open(
    room: dict[str, SocketIOTestClient],
) -> None:
    assert error_code(ack(room["anna"], "hand_raise_for", label="Min granne")) == "forbidden"
    assert error_code(ack(room["screen"], "hand_raise_for", label="Bord 1")) == "forbidden"
    made = ack(room["notes"], "hand_raise_for", label="Bord 1")
    assert error_code(ack(room["anna"], "hand_lower_for", id=made["id"])) == "forbidden"
    assert error_code(ack(room["notes"], "hand_give", id=made["id"])) == "forbidden"
    ack(room["console"], "meeting_close")
    assert error_code(ack(room["notes"], "hand_raise_for", label="Bord 2")) == "meeting_closed"


# -- the projector's second language -------------------------------------------------------


def test_screen_language_set_by_the_facilitator_reaches_everyone_and_stays(
    room: dict[str, SocketIOTestClient], connect: Connect
) -> None:
    assert state_of(room["screen"])["screen"] == DEFAULT_SCREEN
    assert ack(room["console"], "screen_set", language="ar") == {"ok": True, "language": "ar"}
    for who in ("console", "notes", "screen", "anna", "bo"):
        screens = named(room[who].get_received(NS), "screen")
        assert screens == [{**DEFAULT_SCREEN, "language": "ar"}], who
    # Already so: nothing is sent.
    assert ack(room["console"], "screen_set", language="ar")["ok"] is True
    assert named(room["screen"].get_received(NS), "screen") == []
    # A projector that reloads shows it still.
    again = connect(dict(room["screen"].connect_auth))  # type: ignore[attr-defined]
    assert state_of(again)["screen"] == {**DEFAULT_SCREEN, "language": "ar"}
    assert ack(room["console"], "screen_set", language=None) == {"ok": True, "language": None}
    assert named(room["anna"].get_received(NS), "screen") == [DEFAULT_SCREEN]


def test_screen_language_refused_unless_known_and_facilitators(
    room: dict[str, SocketIOTestClient],
) -> None:
    for bad in ("de", "AR", "x" * 13):
        answer = ack(room["console"], "screen_set", language=bad)
        assert error_code(answer) == "validation_error", bad
        assert answer["error"]["field"] == "language", answer
    # Nothing to change: say null for the original only.
    assert error_code(ack(room["console"], "screen_set")) == "validation_error"
    for who in ("notes", "anna", "screen"):
        assert error_code(ack(room[who], "screen_set", language="so")) == "forbidden", who


# -- the projector's mode and theme ---------------------------------------------------------


def test_screen_mode_and_theme_set_by_the_facilitator_reach_everyone(
    room: dict[str, SocketIOTestClient], connect: Connect
) -> None:
    for mode in ("join", "question", "questions", "results", "speaker", "perspectives", "wall"):
        assert ack(room["console"], "screen_set", mode=mode) == {"ok": True, "mode": mode}
        for who in ("console", "notes", "screen", "anna", "bo"):
            screens = named(room[who].get_received(NS), "screen")
            assert screens == [{**DEFAULT_SCREEN, "mode": mode}], (who, mode)
    both = ack(room["console"], "screen_set", client_id="dark1", mode="results", theme="dark")
    assert both == {"ok": True, "mode": "results", "theme": "dark"}
    after = {"language": None, "mode": "results", "theme": "dark"}
    for who in ("console", "notes", "screen", "anna", "bo"):
        assert named(room[who].get_received(NS), "screen") == [after], who
    # The language is kept when only the mode changes, and the other way round.
    ack(room["console"], "screen_set", language="fi")
    ack(room["console"], "screen_set", mode="speaker")
    again = connect(dict(room["screen"].connect_auth))  # type: ignore[attr-defined]
    assert state_of(again)["screen"] == {"language": "fi", "mode": "speaker", "theme": "dark"}
    # A retry of an acknowledged write changes nothing and gets the first answer.
    room["screen"].get_received(NS)
    retry = ack(room["console"], "screen_set", client_id="dark1", mode="results", theme="dark")
    assert retry == both
    assert named(room["screen"].get_received(NS), "screen") == []


def test_screen_mode_refused_unless_known_and_facilitators_and_nothing_half_set(
    room: dict[str, SocketIOTestClient], connect: Connect
) -> None:
    for field, bad in (
        ("mode", "disco"),
        ("mode", "WALL"),
        ("mode", None),
        ("mode", 3),
        ("theme", "pink"),
        ("theme", None),
        ("mode", "x" * 21),
    ):
        answer = ack(room["console"], "screen_set", **{field: bad})
        assert error_code(answer) == "validation_error", (field, bad)
        assert answer["error"]["field"] == field, answer
    # A good language with a bad mode: neither is set.
    answer = ack(room["console"], "screen_set", language="ar", mode="disco")
    assert answer["error"]["field"] == "mode", answer
    assert state_of(connect(dict(room["screen"].connect_auth)))["screen"] == DEFAULT_SCREEN  # type: ignore[attr-defined]
    assert named(room["anna"].get_received(NS), "screen") == []
    for who in ("notes", "anna", "bo", "screen"):
        assert error_code(ack(room[who], "screen_set", mode="results")) == "forbidden", who
        assert error_code(ack(room[who], "screen_set", theme="dark")) == "forbidden", who


# -- a client's picture --------------------------------------------------------------------


def test_state_plus_hybrid_events_equals_fresh_state(
    room: dict[str, SocketIOTestClient], connect: Connect
) -> None:
    watchers = {name: room[name] for name in ("anna", "console", "notes", "screen")}
    pictures = {name: state_of(client) for name, client in watchers.items()}
    ack(room["anna"], "hand_raise")
    first = ack(room["notes"], "hand_raise_for", label="Bord 3")
    ack(room["bo"], "hand_raise")
    second = ack(room["console"], "hand_raise_for", label="Fatima")
    ack(room["console"], "screen_set", language="so")
    ack(room["console"], "hand_give", id=first["id"])
    ack(room["notes"], "hand_lower_for", id=second["id"])
    ack(room["notes"], "hand_raise_for", label="Bord 4")
    ack(room["console"], "screen_set", language="ar")
    ack(room["console"], "screen_set", mode="results")
    ack(room["console"], "screen_set", mode="speaker", theme="dark")
    time.sleep(0.3)
    for name, client in watchers.items():
        for event in client.get_received(NS):
            pictures[name] = apply(pictures[name], event["name"], event["args"][0])
    for name, client in watchers.items():
        fresh = state_of(connect(dict(client.connect_auth)))  # type: ignore[attr-defined]
        assert comparable(pictures[name]) == comparable(fresh), name
        assert [h["name"] for h in fresh["hands"]] == ["Anna", "Bo", "Bord 4"], name
        assert fresh["screen"] == {"language": "ar", "mode": "speaker", "theme": "dark"}, name
