"""The /live protocol through Flask-SocketIO's test client: rights, refusals, retries, moderation,
restarts, and a client's picture (first state plus events) against a fresh state."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_socketio import SocketIOTestClient

# ``comparable`` is re-exported: the other protocol tests import it from here.
from pictures import apply
from pictures import comparable as comparable

from facilitate import create_app
from facilitate.auth.models import Role
from facilitate.db import session
from facilitate.extensions import db
from facilitate.live.models import ClientWrite, Contribution
from facilitate.live.snapshot import Room
from facilitate.live.snapshot import room as read_room
from facilitate.meetings import operations as meeting_ops
from rooms import engine

from .conftest import NS, cid, named, open_meeting

Connect = Callable[..., SocketIOTestClient]


def ack(client: SocketIOTestClient, event: str, **payload: Any) -> dict[str, Any]:
    """A write's answer, as a phone takes it (static/js/live.js): the writer's own events
    in it (a vote's) are heard where they came, after the messages before the answer."""
    payload.setdefault("client_id", cid())
    answer = client.emit(event, payload, namespace=NS, callback=True)
    assert isinstance(answer, dict), answer
    for name, args in answer.pop("events", {}).items():
        client.queue.append({"name": name, "args": [args], "namespace": NS})
    return answer


def error_code(answer: dict[str, Any]) -> str:
    assert answer["ok"] is False, answer
    return str(answer["error"]["code"])


def state_of(client: SocketIOTestClient) -> dict[str, Any]:
    states = named(client.get_received(NS), "state")
    assert states
    return dict(states[-1])


def test_connect_refused_without_valid_identity(
    app: Flask, meeting_id: int, join: Callable[..., str], connect: Connect
) -> None:
    open_meeting(app, meeting_id)
    assert not connect({"token": "fcp_not-a-token"}).is_connected(NS)
    assert not connect(None).is_connected(NS)
    token = join(meeting_id)
    assert not connect({"token": token, "meeting_id": meeting_id + 1}).is_connected(NS)


def test_connect_draft_meeting_staff_only(
    app: Flask, meeting_id: int, connect: Connect, staff: Callable
) -> None:
    console = connect({"token": staff(Role.facilitator), "meeting_id": meeting_id})
    state = state_of(console)
    assert state["meeting"]["status"] == "draft"
    assert state["current_phase"] is None
    assert ack(console, "meeting_open")["ok"] is True
    assert named(console.get_received(NS), "phase") == [{"current_phase": 0}]


def test_resident_cannot_run_facilitator_events(room: dict[str, SocketIOTestClient]) -> None:
    anna = room["anna"]
    for event, payload in [
        ("phase_goto", {"index": 1}),
        ("timer_start", {}),
        ("meeting_close", {}),
        ("contribution_hide", {"id": 1, "reason": "x"}),
        ("groups_split", {"count": 2}),
        ("participant_block", {"participant_id": 2}),
        ("notice", {"text": "hej"}),
    ]:
        assert error_code(ack(anna, event, **payload)) == "forbidden", event


def test_screen_and_observer_write_limits(room: dict[str, SocketIOTestClient]) -> None:
    assert error_code(ack(room["screen"], "contribution_add", text="x")) == "forbidden"
    assert error_code(ack(room["notes"], "contribution_add", text="x")) == "forbidden"
    typed = ack(room["notes"], "contribution_add", text="Sagt av en äldre man", on_behalf=True)
    assert typed["ok"] is True
    assert error_code(ack(room["notes"], "phase_goto", index=1)) == "forbidden"
    (seen,) = list(named(room["bo"].get_received(NS), "contribution"))
    assert seen["on_behalf"] is True


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "x" * 501}, "text"),
        ({"text": 5}, "text"),
        ({"text": "ok", "kind": "rant"}, "kind"),
        ({"text": "ok", "surprise": 1}, "surprise"),
    ],
)
def test_contribution_add_bad_payload_refused(
    app: Flask, room: dict[str, SocketIOTestClient], payload: dict[str, Any], field: str
) -> None:
    answer = ack(room["anna"], "contribution_add", **payload)
    assert error_code(answer) == "validation_error"
    assert answer["error"]["field"] == field
    assert named(room["bo"].get_received(NS), "contribution") == []
    with app.app_context():
        assert session().scalar(sa.select(sa.func.count(Contribution.id))) == 0


def test_write_without_client_id_refused(room: dict[str, SocketIOTestClient]) -> None:
    answer = room["anna"].emit("contribution_add", {"text": "hej"}, namespace=NS, callback=True)
    assert answer["ok"] is False
    assert answer["error"]["field"] == "client_id"


def test_retry_with_same_client_id_applied_once(
    app: Flask, room: dict[str, SocketIOTestClient]
) -> None:
    first = ack(room["anna"], "contribution_add", client_id="same-1", text="Mörkt i parken")
    room["bo"].get_received(NS)
    again = ack(room["anna"], "contribution_add", client_id="same-1", text="Mörkt i parken")
    assert again == first
    assert named(room["bo"].get_received(NS), "contribution") == []
    with app.app_context():
        assert session().scalar(sa.select(sa.func.count(Contribution.id))) == 1
        assert session().scalar(sa.select(sa.func.count(ClientWrite.id))) == 1


def test_hidden_contribution_leaves_residents_and_screen(
    room: dict[str, SocketIOTestClient], connect: Connect, join: Callable[..., str], meeting_id: int
) -> None:
    made = ack(room["anna"], "contribution_add", text="Något olämpligt")
    for client in room.values():
        client.get_received(NS)
    assert ack(room["console"], "contribution_hide", id=made["id"], reason="Personangrepp")["ok"]
    assert named(room["bo"].get_received(NS), "contribution_removed") == [{"id": made["id"]}]
    assert named(room["screen"].get_received(NS), "contribution_removed") == [{"id": made["id"]}]
    (staff_view,) = named(room["console"].get_received(NS), "contribution")
    assert (staff_view["hidden"], staff_view["reason"]) == (True, "Personangrepp")
    # Never sent to residents again: not in a fresh state, not in later events.
    later = connect({"token": join(meeting_id, "Cilla")})
    assert state_of(later)["contributions"] == []
    ack(room["anna"], "reaction_add", contribution_id=made["id"])
    assert named(room["bo"].get_received(NS), "reaction") == []
    fresh_console = state_of(connect({"token": room_token(room), "meeting_id": meeting_id}))
    assert [c["reason"] for c in fresh_console["contributions"]] == ["Personangrepp"]


def room_token(room: dict[str, SocketIOTestClient]) -> str:
    token = room["console"].connect_auth["token"]
    assert isinstance(token, str)
    return token


def test_edit_and_delete_only_own(room: dict[str, SocketIOTestClient]) -> None:
    made = ack(room["anna"], "contribution_add", text="Först")
    assert error_code(ack(room["bo"], "contribution_edit", id=made["id"], text="Hack")) == (
        "forbidden"
    )
    assert error_code(ack(room["bo"], "contribution_delete", id=made["id"])) == "forbidden"
    assert ack(room["anna"], "contribution_edit", id=made["id"], text="Sedan")["ok"]
    ack(room["console"], "phase_goto", index=1)
    assert error_code(ack(room["anna"], "contribution_edit", id=made["id"], text="Sent")) == (
        "phase_over"
    )
    assert ack(room["anna"], "contribution_delete", id=made["id"])["ok"]
    assert error_code(ack(room["anna"], "contribution_delete", id=made["id"])) == "not_found"


def test_hands_queue_and_give(room: dict[str, SocketIOTestClient]) -> None:
    ack(room["anna"], "hand_raise")
    ack(room["bo"], "hand_raise")
    ack(room["anna"], "hand_raise")  # already up: still once in the queue
    queue = named(room["screen"].get_received(NS), "hands")[-1]["hands"]
    assert [h["name"] for h in queue] == ["Anna", "Bo"]
    bo_id = queue[1]["participant_id"]
    assert ack(room["console"], "hand_give", participant_id=bo_id)["ok"]
    received = room["bo"].get_received(NS)
    assert named(received, "hand_given") == [{"participant_id": bo_id, "id": queue[1]["id"]}]
    assert [h["name"] for h in named(received, "hands")[-1]["hands"]] == ["Anna"]


def test_closed_meeting_refuses_writes_stays_readable(
    room: dict[str, SocketIOTestClient], connect: Connect, join: Callable[..., str], meeting_id: int
) -> None:
    ack(room["anna"], "contribution_add", text="Innan stängning")
    assert ack(room["console"], "meeting_close")["ok"]
    assert named(room["bo"].get_received(NS), "meeting")[-1]["status"] == "closed"
    assert error_code(ack(room["anna"], "contribution_add", text="Efter")) == "meeting_closed"
    assert error_code(ack(room["anna"], "hand_raise")) == "meeting_closed"
    reconnect = connect({"token": room["anna"].connect_auth["token"]})
    assert [c["text"] for c in state_of(reconnect)["contributions"]] == ["Innan stängning"]


def test_writes_rate_limited_per_participant(
    app: Flask, room: dict[str, SocketIOTestClient]
) -> None:
    app.config["LIVE_WRITE_LIMIT"] = (5, 60.0)
    answers = [ack(room["anna"], "hand_raise") for _ in range(6)]
    assert [a["ok"] for a in answers[:5]] == [True] * 5
    assert error_code(answers[5]) == "rate_limited"
    assert ack(room["bo"], "hand_raise")["ok"] is True  # another phone is not affected


def test_blocked_participant_hidden_and_refused(room: dict[str, SocketIOTestClient]) -> None:
    made = ack(room["anna"], "contribution_add", text="Stör")
    room["bo"].get_received(NS)
    anna_id = state_of_me(room["anna"])
    assert ack(room["console"], "participant_block", participant_id=anna_id)["ok"]
    assert named(room["bo"].get_received(NS), "contribution_removed") == [{"id": made["id"]}]
    assert error_code(ack(room["anna"], "contribution_add", text="Igen")) == "blocked"


def state_of_me(client: SocketIOTestClient) -> int:
    ack(client, "hand_raise")
    ack(client, "hand_lower")
    hands = list(named(client.get_received(NS), "hands"))
    me = hands[0]["hands"][-1]["participant_id"]
    assert isinstance(me, int)
    return me


def test_groups_walls_private_and_late_joiner(
    room: dict[str, SocketIOTestClient], connect: Connect, join: Callable[..., str], meeting_id: int
) -> None:
    answer = ack(room["console"], "groups_split", count=2, by="area")
    assert answer["ok"] is True
    anna_state = state_of(room["anna"])
    bo_state = state_of(room["bo"])
    assert {anna_state["me"]["group"], bo_state["me"]["group"]} == {1, 2}
    ack(room["anna"], "contribution_add", text="Bara vår grupp")
    assert named(room["bo"].get_received(NS), "contribution") == []
    assert [c["text"] for c in named(room["screen"].get_received(NS), "contribution")] == [
        "Bara vår grupp"
    ]
    late = state_of(connect({"token": join(meeting_id, "Dan")}))
    assert late["me"]["group"] in {1, 2}
    ack(room["console"], "groups_end")
    assert [c["text"] for c in state_of(room["bo"])["contributions"]] == ["Bara vår grupp"]


# -- a client's picture --------------------------------------------------------------------


@pytest.mark.parametrize("app_config", [{"PERSPECTIVES_INTERVAL": 0.1}], indirect=True)
def test_state_plus_events_equals_fresh_state(
    app: Flask,
    room: dict[str, SocketIOTestClient],
    connect: Connect,
    meeting_id: int,
) -> None:
    watchers = {name: room[name] for name in ("anna", "bo", "console", "screen")}
    pictures = {name: state_of(client) for name, client in watchers.items()}
    a = ack(room["anna"], "contribution_add", text="Dålig belysning", kind="experience")
    b = ack(room["bo"], "contribution_add", text="Buskar skymmer", kind="cause")
    ack(room["notes"], "contribution_add", text="Inskickat", on_behalf=True)
    ack(room["bo"], "reaction_add", contribution_id=a["id"])
    ack(room["anna"], "reaction_add", contribution_id=b["id"])
    ack(room["anna"], "reaction_remove", contribution_id=b["id"])
    ack(room["anna"], "contribution_edit", id=a["id"], text="Dålig belysning vid skolan")
    ack(room["console"], "contribution_pin", id=a["id"])
    ack(room["notes"], "contribution_translate", id=a["id"], text="Poor lighting", language="en")
    ack(room["bo"], "contribution_add", text="الإضاءة ضعيفة في الحديقة")
    ack(room["console"], "contribution_hide", id=b["id"], reason="Dubblett")
    # Hidden and shown again: Bo's "me too" on Anna's must come back to his screen.
    ack(room["console"], "contribution_hide", id=a["id"], reason="Kontroll")
    ack(room["console"], "contribution_show", id=a["id"])
    ack(room["anna"], "hand_raise")
    ack(room["bo"], "hand_raise")
    table = ack(room["notes"], "hand_raise_for", label="Bord 3")
    ack(room["console"], "hand_give", id=table["id"])
    ack(room["console"], "speaker_clear")
    ack(room["console"], "hand_give", participant_id=pictures["anna"]["me"]["participant_id"])
    ack(room["console"], "timer_start", seconds=300)
    ack(room["console"], "timer_pause")
    ack(room["console"], "phase_goto", index=2)
    with app.app_context():  # the facilitator adds a translation of a step's question
        phase = meeting_ops.get_meeting(meeting_id).phases[2]
        spec = meeting_ops.PhaseSpec(
            title=phase.title,
            prompt=phase.prompt,
            minutes=phase.minutes,
            kind="perspectives",  # what is written from now on is a statement to answer
            prompt_translations={**phase.prompt_translations, "so": "Maxaa sababa?"},
        )
        meeting_ops.update_phase(phase, spec)
        session().commit()
    # The step change took the word from Anna; Bo's hand, still up, gets it in this one.
    ack(room["console"], "hand_give", participant_id=pictures["bo"]["me"]["participant_id"])
    c = ack(room["bo"], "contribution_add", text="I nästa steg")
    ack(room["bo"], "contribution_delete", id=c["id"])
    # Proposals and a dots vote (hidden results: residents get no tally, staff do).
    p1 = ack(room["anna"], "proposal_add", title="Belysning i parken")
    p2 = ack(room["console"], "proposal_promote", contribution_id=a["id"])
    p3 = ack(room["bo"], "proposal_add", title="Belysning i parken, tack")
    ack(room["console"], "proposal_merge", ids=[p3["id"]], into=p1["id"])
    ack(room["console"], "proposal_edit", id=p2["id"], title="Belys skolvägen")
    ack(room["console"], "voting_open")
    ack(room["anna"], "vote_cast", proposal_id=p1["id"], value=2)
    ack(room["bo"], "vote_cast", proposal_id=p2["id"], value=1)
    ack(room["anna"], "vote_cast", proposal_id=p1["id"], value=0)
    ack(room["anna"], "vote_cast", proposal_id=p2["id"], value=3)
    ack(room["notes"], "paper_votes_add", proposal_id=p2["id"], counts={"dots": 4, "voters": 2})
    # After the ballot froze: new proposals and edits fold in without a fresh state.
    p4 = ack(room["bo"], "proposal_add", title="Sen idé om bänkar")
    p5 = ack(room["anna"], "proposal_add", title="Bänkar, en sen idé")
    ack(room["console"], "proposal_edit", id=p4["id"], body="Vid torget")
    ack(room["console"], "proposal_merge", ids=[p5["id"]], into=p4["id"])
    # Pre-moderation switched on mid-meeting: waiting, approved, rejected, edited back into
    # the queue, a question answered; then off again with one still waiting.
    ack(room["console"], "premoderation_set", on=True)
    w1 = ack(room["bo"], "contribution_add", text="Väntar på godkännande")
    w2 = ack(room["anna"], "contribution_add", text="Varför släcks lamporna?", kind="question")
    w3 = ack(room["bo"], "contribution_add", text="Avvisas")
    w4 = ack(room["bo"], "contribution_add", text="Godkänd först")
    ack(room["notes"], "contribution_approve", id=w2["id"])
    ack(room["bo"], "reaction_add", contribution_id=w2["id"])
    ack(room["console"], "question_answer", id=w2["id"])
    ack(room["console"], "contribution_hide", id=w3["id"], reason="Olämpligt")
    ack(room["console"], "contribution_approve", id=w4["id"])
    ack(room["anna"], "reaction_add", contribution_id=w4["id"])
    ack(room["bo"], "contribution_edit", id=w4["id"], text="Ändrad efteråt")
    pw1 = ack(room["anna"], "proposal_add", title="Väntande förslag")
    pw2 = ack(room["bo"], "proposal_add", title="Avvisat förslag")
    pw3 = ack(room["bo"], "proposal_add", title="Godkänt förslag")
    ack(room["console"], "proposal_reject", id=pw2["id"], reason="Utanför temat")
    ack(room["console"], "proposal_approve", id=pw3["id"])
    ack(room["console"], "proposal_edit", id=pw1["id"], body="Förtydligat")
    ack(room["console"], "premoderation_set", on=False)
    shown_again = ack(room["anna"], "contribution_add", text="Syns direkt igen")
    # Answers to the perspectives step's statements, and the analysis they bring.
    s1 = ack(room["console"], "contribution_add", text="Fler lampor i parken")
    for phone, values in (("anna", (1, 1, -1)), ("bo", (1, -1, 0))):
        for statement, value in zip((w2, shown_again, s1), values, strict=True):
            ack(room[phone], "statement_vote", contribution_id=statement["id"], value=value)
    ack(room["bo"], "statement_vote", contribution_id=s1["id"], value=1)
    time.sleep(0.5)  # the tally's coalescing interval
    deadline = time.monotonic() + 10
    while True:
        for name, client in watchers.items():
            for event in client.get_received(NS):
                pictures[name] = apply(pictures[name], event["name"], event["args"][0])
        analysed = pictures["console"]["perspectives"]
        if (analysed is not None and analysed["answers"] == 6) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert pictures["anna"]["me"]["perspectives"]["answered"] == 3
    assert pictures["screen"]["speaker"] == {
        "name": "Bo",
        "participant_id": pictures["bo"]["me"]["participant_id"],
    }
    fresh = {
        "anna": state_of(connect({"token": room["anna"].connect_auth["token"]})),
        "bo": state_of(connect({"token": room["bo"].connect_auth["token"]})),
        "console": state_of(connect(dict(room["console"].connect_auth))),
        "screen": state_of(connect(dict(room["screen"].connect_auth))),
    }
    # Connecting again, each gets the room as kept since the first (nothing changed).
    kept = {
        "anna": state_of(connect({"token": room["anna"].connect_auth["token"]})),
        "bo": state_of(connect({"token": room["bo"].connect_auth["token"]})),
        "console": state_of(connect(dict(room["console"].connect_auth))),
        "screen": state_of(connect(dict(room["screen"].connect_auth))),
    }
    for name in watchers:
        assert comparable(pictures[name]) == comparable(fresh[name]), name
        assert comparable(kept[name]) == comparable(fresh[name]), name
    # The pictures differ by who is looking: staff see the hidden and waiting ones, residents
    # do not, except their own waiting ones.
    assert len(fresh["console"]["contributions"]) == 10
    assert len(fresh["anna"]["contributions"]) == 6
    # The analysis: staff see the groups' members, the room sees no one's.
    assert fresh["console"]["perspectives"]["answers"] == 6
    assert "participant_ids" not in str(fresh["screen"]["perspectives"])
    assert fresh["bo"]["me"]["answers"] == {
        str(w2["id"]): 1,
        str(shown_again["id"]): -1,
        str(s1["id"]): 1,
    }
    assert [c["id"] for c in fresh["bo"]["contributions"] if c["waiting"]] == [
        w1["id"],
        w4["id"],
    ]
    assert not any(c["waiting"] for c in fresh["screen"]["contributions"])
    assert [p.get("waiting", False) for p in fresh["anna"]["proposals"]][-2:] == [True, False]
    assert pw1["id"] not in [p["id"] for p in fresh["bo"]["proposals"]]
    assert len(fresh["console"]["proposals"]) == len(fresh["screen"]["proposals"]) + 2
    shown = next(c for c in pictures["bo"]["contributions"] if c["id"] == a["id"])
    assert shown["reacted"] is True


def test_write_committed_while_a_state_is_read_reaches_the_new_client(
    app: Flask,
    room: dict[str, SocketIOTestClient],
    connect: Connect,
    join: Callable[..., str],
    meeting_id: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A write that commits after a connecting client's state was read must reach that
    client after the state: before it, the state would wipe it from the picture for good."""
    writers: list[threading.Thread] = []

    def read_then_write(*args: Any) -> Room:
        state = read_room(*args)
        writer = threading.Thread(
            target=ack, args=(room["anna"], "contribution_add"), kwargs={"text": "Under tiden"}
        )
        writers.append(writer)
        writer.start()
        writer.join(timeout=0.5)  # committed at once; its event is what must wait
        return state

    monkeypatch.setattr(engine, "room", read_then_write)
    app.extensions[engine.ROOMS_KEY].changed(meeting_id)  # so the room is read, not kept
    late = connect({"token": join(meeting_id, "Dan")})
    monkeypatch.undo()
    writers[0].join(timeout=5)
    picture: dict[str, Any] | None = None
    for event in late.get_received(NS):
        if picture is not None or event["name"] == "state":
            picture = apply(picture or {}, event["name"], event["args"][0])
    assert picture is not None
    assert [c["text"] for c in picture["contributions"]] == ["Under tiden"]


def test_restart_on_same_database_loses_nothing(
    app: Flask, room: dict[str, SocketIOTestClient], app_config: dict[str, Any], tmp_path: Path
) -> None:
    ack(room["anna"], "contribution_add", text="Sparas")
    ack(room["console"], "phase_goto", index=3)
    ack(room["console"], "timer_start", seconds=120)
    ack(room["bo"], "hand_raise")
    token = room["anna"].connect_auth["token"]
    before = comparable(state_of_fresh(app, token))
    restarted = create_app(app_config)  # a new process's app on the same database
    after = comparable(state_of_fresh(restarted, token))
    assert after == before
    assert after["current_phase"] == 3
    assert after["timer"]["running"] is True
    with restarted.app_context():
        db.engine.dispose()


def state_of_fresh(app: Flask, token: str) -> dict[str, Any]:
    from facilitate.extensions import socketio

    client = socketio.test_client(app, namespace=NS, auth={"token": token})
    try:
        return state_of(client)
    finally:
        client.disconnect(NS)


def test_presence_coalesced_and_staff_sees_names(
    app: Flask, meeting_id: int, join: Callable[..., str], connect: Connect, staff: Callable
) -> None:
    open_meeting(app, meeting_id)
    console = connect({"token": staff(Role.facilitator), "meeting_id": meeting_id})
    phones = [connect({"token": join(meeting_id, f"P{i}")}) for i in range(5)]
    time.sleep(1.5)
    staff_presence = named(console.get_received(NS), "presence")
    phone_presence = named(phones[0].get_received(NS), "presence")
    # Six connects within a second become at most two broadcasts, not six.
    assert 1 <= len(staff_presence) <= 2
    assert staff_presence[-1]["online"] == 5
    assert staff_presence[-1]["joined"] == 5
    assert sorted(p["name"] for p in staff_presence[-1]["people"]) == [f"P{i}" for i in range(5)]
    assert phone_presence[-1] == {"online": 5, "joined": 5}


def test_participant_erase_removes_their_words_for_good(
    app: Flask, room: dict[str, SocketIOTestClient]
) -> None:
    for text in ("Mitt namn är Anna Svensson", "Jag bor på Storgatan 5"):
        ack(room["anna"], "contribution_add", text=text)
    kept = ack(room["bo"], "contribution_add", text="Bos inlägg")
    anna_id = state_of(room["anna"])["me"]["participant_id"]
    for client in room.values():
        client.get_received(NS)
    refused = ack(room["bo"], "participant_erase", participant_id=anna_id)
    assert error_code(refused) == "forbidden"
    assert ack(room["console"], "participant_erase", participant_id=anna_id) == {
        "ok": True,
        "erased": 2,
    }
    assert len(named(room["bo"].get_received(NS), "contribution_removed")) == 2
    with app.app_context():
        texts = session().scalars(sa.select(Contribution.text).order_by(Contribution.id))
        assert list(texts) == ["", "", "Bos inlägg"]
    assert kept["ok"]


def test_own_delete_erases_the_text(app: Flask, room: dict[str, SocketIOTestClient]) -> None:
    made = ack(room["anna"], "contribution_add", text="Skrev fel sak")
    ack(room["anna"], "contribution_delete", id=made["id"])
    with app.app_context():
        stored = session().get(Contribution, made["id"])
        assert stored is not None
        assert (stored.deleted, stored.text) == (True, "")
