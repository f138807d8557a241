"""Pre-moderation and questions through Socket.IO: a waiting item reaches staff and its
author and nobody else, in any event or state; approval, rejection, editing, toggling
during the meeting; questions marked answered (docs/protocol.md, "Pre-moderation",
"Questions")."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from flask_socketio import SocketIOTestClient

from .conftest import NS, named
from .test_protocol import ack, error_code, state_of

Room = dict[str, SocketIOTestClient]
Connect = Callable[..., SocketIOTestClient]
OUTSIDERS = ("bo", "screen")


@pytest.fixture
def moderated(room: Room) -> Room:
    """The room with pre-moderation switched on from the console, every inbox emptied."""
    assert ack(room["console"], "premoderation_set", on=True) == {"ok": True, "premoderation": True}
    meeting = named(room["bo"].get_received(NS), "meeting")
    assert meeting[-1]["premoderation"] is True  # every screen knows
    drain(room)
    return room


def drain(room: Room) -> dict[str, list[dict[str, Any]]]:
    return {name: client.get_received(NS) for name, client in room.items()}


def names_item(received: Iterable[dict[str, Any]], ids: set[int], texts: set[str]) -> list[Any]:
    """Every event that mentions one of the contributions or proposals, by id or words."""
    found = []
    for event in received:
        payload = event["args"][0]
        if event["name"] in ("state", "presence", "hands", "timer", "meeting", "phase", "phases"):
            items = payload.get("contributions", []) + payload.get("proposals", [])
            mentioned = {i.get("id") for i in items if isinstance(i, dict)}
        else:
            mentioned = {payload.get("id"), payload.get("contribution_id")}
        blob = json.dumps(payload, ensure_ascii=False)
        if mentioned & ids or any(text in blob for text in texts):
            found.append((event["name"], payload))
    return found


def fresh(client: SocketIOTestClient, connect: Connect) -> dict[str, Any]:
    again = connect(dict(client.connect_auth))  # type: ignore[attr-defined]
    state = state_of(again)
    again.disconnect(NS)
    return state


def test_waiting_contribution_reaches_only_staff_and_author(
    moderated: Room, connect: Connect
) -> None:
    room = moderated
    made = ack(room["anna"], "contribution_add", text="Skärp er i nämnden!", kind="idea")
    assert made["ok"] is True
    heard = drain(room)
    for name in ("console", "notes"):
        (staff_view,) = named(heard[name], "contribution")
        assert (staff_view["waiting"], staff_view["hidden"]) == (True, False)
    (own,) = named(heard["anna"], "contribution")
    assert (own["own"], own["waiting"]) == (True, True)
    for name in OUTSIDERS:
        assert names_item(heard[name], {made["id"]}, {"Skärp er"}) == [], name
        assert [c["id"] for c in fresh(room[name], connect)["contributions"]] == []
    assert fresh(room["anna"], connect)["contributions"][0]["waiting"] is True
    # Nobody may "me too" it yet: not another resident, not its author.
    assert error_code(ack(room["bo"], "reaction_add", contribution_id=made["id"])) == "not_found"
    assert error_code(ack(room["anna"], "reaction_add", contribution_id=made["id"])) == (
        "not_found"
    )
    # Its author edits it while it waits: still only staff and the author hear.
    assert ack(room["anna"], "contribution_edit", id=made["id"], text="Skärp er, tack")["ok"]
    heard = drain(room)
    assert named(heard["anna"], "contribution")[-1]["waiting"] is True
    for name in OUTSIDERS:
        assert names_item(heard[name], {made["id"]}, {"Skärp er"}) == [], name

    # An observer (note-taker) approves: the whole room gets it now.
    assert ack(room["notes"], "contribution_approve", id=made["id"]) == {
        "ok": True,
        "id": made["id"],
    }
    heard = drain(room)
    for name in OUTSIDERS:
        (shown,) = named(heard[name], "contribution")
        assert (shown["text"], shown["waiting"], shown["own"]) == ("Skärp er, tack", False, False)
        assert "hidden" not in shown
    (own,) = named(heard["anna"], "contribution")
    assert (own["own"], own["waiting"]) == (True, False)
    assert named(heard["console"], "contribution")[-1]["waiting"] is False
    # Approving again changes nothing and tells nobody.
    assert ack(room["console"], "contribution_approve", id=made["id"])["ok"] is True
    assert {n: named(h, "contribution") for n, h in drain(room).items()} == {n: [] for n in room}
    assert ack(room["bo"], "reaction_add", contribution_id=made["id"])["ok"] is True


def test_staff_writing_needs_no_approval(moderated: Room) -> None:
    room = moderated
    ack(room["console"], "contribution_add", text="Facilitatorn skriver själv")
    ack(room["console"], "contribution_add", text="Inskrivet åt bord 2", on_behalf=True)
    ack(room["notes"], "contribution_add", text="Antecknat vid bord 3", on_behalf=True)
    ack(room["console"], "proposal_add", title="Trygga gångvägar")
    heard = drain(room)
    for name in OUTSIDERS:
        assert [c["waiting"] for c in named(heard[name], "contribution")] == [False] * 3
        (proposal,) = named(heard[name], "proposal")
        assert "waiting" not in proposal
    # A resident claiming to type in for someone still waits.
    made = ack(room["anna"], "contribution_add", text="Smygväg förbi", on_behalf=True)
    assert names_item(drain(room)["bo"], {made["id"]}, {"Smygväg"}) == []


def test_reject_is_hide_and_show_puts_it_back_in_the_queue(
    moderated: Room, connect: Connect
) -> None:
    room = moderated
    made = ack(room["anna"], "contribution_add", text="Grannen på nr 5 är en tjuv")
    drain(room)
    assert ack(room["console"], "contribution_hide", id=made["id"], reason="Personangrepp")["ok"]
    heard = drain(room)
    assert named(heard["anna"], "contribution_removed") == [{"id": made["id"]}]
    (staff_view,) = named(heard["console"], "contribution")
    assert (staff_view["hidden"], staff_view["waiting"], staff_view["reason"]) == (
        True,
        True,
        "Personangrepp",
    )
    for name in OUTSIDERS:
        assert names_item(heard[name], {made["id"]}, {"tjuv"}) == [], name
    # Shown again by mistake or second thought: it waits again, it is not on the wall.
    assert ack(room["console"], "contribution_show", id=made["id"])["ok"]
    heard = drain(room)
    assert named(heard["anna"], "contribution")[-1]["waiting"] is True
    for name in OUTSIDERS:
        assert names_item(heard[name], {made["id"]}, {"tjuv"}) == [], name
    # Deleted by its author while waiting: the room never hears of it at all.
    assert ack(room["anna"], "contribution_delete", id=made["id"])["ok"]
    heard = drain(room)
    assert named(heard["console"], "contribution_removed") == [{"id": made["id"]}]
    for name in OUTSIDERS:
        assert names_item(heard[name], {made["id"]}, {"tjuv"}) == [], name


def test_editing_an_approved_contribution_sends_it_back_to_the_queue(moderated: Room) -> None:
    room = moderated
    made = ack(room["anna"], "contribution_add", text="Bra belysning i parken")
    ack(room["console"], "contribution_approve", id=made["id"])
    ack(room["bo"], "reaction_add", contribution_id=made["id"])
    drain(room)
    assert ack(room["anna"], "contribution_edit", id=made["id"], text="Något helt annat")["ok"]
    heard = drain(room)
    for name in OUTSIDERS:
        assert named(heard[name], "contribution_removed") == [{"id": made["id"]}], name
        assert names_item(heard[name], {made["id"]}, {"helt annat"}) == [
            ("contribution_removed", {"id": made["id"]})
        ]
    assert named(heard["anna"], "contribution_removed") == []
    assert named(heard["anna"], "contribution")[-1]["waiting"] is True
    ack(room["console"], "contribution_approve", id=made["id"])
    heard = drain(room)
    assert named(heard["bo"], "contribution")[-1]["text"] == "Något helt annat"
    # Bo's "me too" comes back with it, marked as his.
    assert named(heard["bo"], "reaction")[-1] == {
        "contribution_id": made["id"],
        "reactions": 1,
        "reacted": True,
    }


def test_switching_during_the_meeting_shows_nothing_by_accident(
    moderated: Room, connect: Connect
) -> None:
    room = moderated
    early = ack(room["bo"], "contribution_add", text="Innan vi slog av")
    drain(room)
    assert ack(room["console"], "premoderation_set", on=False) == {
        "ok": True,
        "premoderation": False,
    }
    heard = drain(room)
    assert named(heard["anna"], "meeting")[-1]["premoderation"] is False
    for name in ("anna", "screen"):
        assert names_item(heard[name], {early["id"]}, {"Innan vi slog"}) == [], name
    # Switched off: new writing shows at once, what waited keeps waiting.
    late = ack(room["anna"], "contribution_add", text="Efter att vi slog av")
    heard = drain(room)
    assert [c["text"] for c in named(heard["bo"], "contribution")] == ["Efter att vi slog av"]
    assert named(heard["screen"], "contribution")[-1]["waiting"] is False
    assert [c["id"] for c in fresh(room["screen"], connect)["contributions"]] == [late["id"]]
    waiting = [c for c in fresh(room["console"], connect)["contributions"] if c["waiting"]]
    assert [c["id"] for c in waiting] == [early["id"]]
    # Switched on again: what is on the wall stays there; only new writing waits.
    ack(room["console"], "premoderation_set", on=True)
    again = ack(room["anna"], "contribution_add", text="Igen på")
    assert [c["id"] for c in fresh(room["screen"], connect)["contributions"]] == [late["id"]]
    ack(room["console"], "contribution_approve", id=early["id"])
    ack(room["console"], "contribution_approve", id=again["id"])
    ids = [c["id"] for c in fresh(room["screen"], connect)["contributions"]]
    assert ids == [early["id"], late["id"], again["id"]]


def test_waiting_proposals_approve_and_reject(moderated: Room, connect: Connect) -> None:
    room = moderated
    first = ack(room["anna"], "proposal_add", title="Lampor vid skolan")
    second = ack(room["anna"], "proposal_add", title="Stäng parken på natten")
    heard = drain(room)
    assert [p["waiting"] for p in named(heard["anna"], "proposal")] == [True, True]
    assert [p["waiting"] for p in named(heard["console"], "proposal")] == [True, True]
    for name in OUTSIDERS:
        assert names_item(heard[name], {first["id"], second["id"]}, {"Lampor", "Stäng"}) == []
        assert fresh(room[name], connect)["proposals"] == []
    # Not before the room by a side door: no vote, no decision, no merge while it waits.
    assert error_code(ack(room["console"], "voting_open", proposal_ids=[first["id"]])) == "waiting"
    assert error_code(ack(room["console"], "voting_open")) == "validation_error"
    assert error_code(
        ack(room["console"], "proposal_decide", proposal_id=first["id"], outcome="agreed")
    ) == ("waiting")
    assert error_code(
        ack(room["console"], "proposal_merge", ids=[second["id"]], into=first["id"])
    ) == ("waiting")
    assert ack(room["notes"], "proposal_approve", id=first["id"]) == {"ok": True, "id": first["id"]}
    assert ack(room["console"], "proposal_reject", id=second["id"], reason="Utanför temat")["ok"]
    heard = drain(room)
    for name in OUTSIDERS:
        assert [p["id"] for p in named(heard[name], "proposal")] == [first["id"]]
        assert names_item(heard[name], {second["id"]}, {"Stäng", "Utanför"}) == []
    assert named(heard["anna"], "proposal_removed") == [{"id": second["id"], "into": None}]
    rejected = named(heard["console"], "proposal")[-1]
    assert (rejected["hidden"], rejected["reason"], "waiting" in rejected) == (
        True,
        "Utanför temat",
        False,
    )
    assert error_code(ack(room["console"], "proposal_approve", id=second["id"])) == "rejected"
    assert [p["id"] for p in fresh(room["anna"], connect)["proposals"]] == [first["id"]]
    assert [p.get("hidden", False) for p in fresh(room["console"], connect)["proposals"]] == [
        False,
        True,
    ]
    assert ack(room["console"], "voting_open")["proposal_ids"] == [first["id"]]


def test_moderation_rights(moderated: Room) -> None:
    room = moderated
    made = ack(room["anna"], "contribution_add", text="Vänta på mig")
    proposal = ack(room["anna"], "proposal_add", title="Vänta också")
    for who in ("anna", "bo", "screen"):
        assert error_code(ack(room[who], "contribution_approve", id=made["id"])) == "forbidden"
        assert error_code(ack(room[who], "proposal_approve", id=proposal["id"])) == "forbidden"
        assert error_code(ack(room[who], "premoderation_set", on=False)) == "forbidden"
    assert error_code(ack(room["notes"], "premoderation_set", on=False)) == "forbidden"
    assert error_code(ack(room["notes"], "proposal_reject", id=proposal["id"], reason="x")) == (
        "forbidden"
    )
    assert error_code(ack(room["notes"], "contribution_hide", id=made["id"], reason="x")) == (
        "forbidden"
    )
    assert names_item(drain(room)["bo"], {made["id"], proposal["id"]}, {"Vänta"}) == []


def test_questions_marked_answered(room: Room, connect: Connect) -> None:
    question = ack(room["anna"], "contribution_add", text="När tänds lamporna?", kind="question")
    idea = ack(room["anna"], "contribution_add", text="Fler lampor", kind="idea")
    ack(room["bo"], "reaction_add", contribution_id=question["id"])
    drain(room)
    assert ack(room["console"], "question_answer", id=question["id"], answered=True) == {
        "ok": True,
        "id": question["id"],
        "answered": True,
    }
    heard = drain(room)
    for name in ("anna", "bo", "screen", "console"):
        (event,) = named(heard[name], "contribution")
        assert (event["id"], event["answered"]) == (question["id"], True), name
    assert fresh(room["screen"], connect)["contributions"][0]["answered"] is True
    answer = ack(room["console"], "question_answer", id=idea["id"])
    assert (error_code(answer), answer["error"]["field"]) == ("validation_error", "id")
    for who in ("anna", "notes", "screen"):
        assert error_code(ack(room[who], "question_answer", id=question["id"])) == "forbidden"
    assert ack(room["console"], "question_answer", id=question["id"], answered=False)[
        "answered"
    ] is (False)
    assert fresh(room["bo"], connect)["contributions"][0]["answered"] is False
