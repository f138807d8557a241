"""The perspectives step through Socket.IO: answers, refusals, retries, and the analysis
reaching staff, the projector and each phone with only what each may see."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask_socketio import SocketIOTestClient
from live.conftest import NS, open_meeting
from live.test_protocol import ack, error_code

from facilitate.auth.models import Role
from facilitate.db import session
from facilitate.dialogues import operations as dialogue_ops
from facilitate.intake import operations as intake_ops
from facilitate.meetings import operations as meeting_ops
from facilitate.perspectives.models import StatementVote

from .conftest import STEP, Inbox

Connect = Callable[..., SocketIOTestClient]

#: Two camps of six who disagree on six statements and share one.
CAMP_A = ["Anna", "Bo", "Cecilia", "David", "Eva", "Fredrik"]
CAMP_B = ["Gunnar", "Hanna", "Ivar", "Johanna", "Karl", "Lina"]
STATEMENTS = [
    "Mer poliser i centrum",
    "Kameror vid stationen",
    "Hårdare straff för klotter",
    "Fler fritidsgårdar",
    "Fältassistenter på kvällarna",
    "Stöd till föreningar",
    "Bättre belysning på gångvägarna",  # everyone agrees: the common ground
]
BRIDGE = 6


def start(app: Flask, meeting_id: int, connect: Connect, staff: Callable[[Role], str]) -> Any:
    open_meeting(app, meeting_id)
    console = connect({"token": staff(Role.facilitator), "meeting_id": meeting_id})
    assert ack(console, "phase_goto", index=STEP)["ok"]
    ids = [ack(console, "contribution_add", text=text)["id"] for text in STATEMENTS]
    return console, ids


def camp_answers(camp_a: bool) -> list[int]:
    sign = 1 if camp_a else -1
    return [sign, sign, sign, -sign, -sign, -sign, 1]


def test_answers_replace_retry_once_and_reach_only_the_own_phone(
    app: Flask,
    meeting_id: int,
    connect: Connect,
    join: Callable[..., str],
    staff: Callable[[Role], str],
) -> None:
    console, ids = start(app, meeting_id, connect, staff)
    anna_token = join(meeting_id, "Anna")
    anna, anna_tab = connect({"token": anna_token}), connect({"token": anna_token})
    bo = connect({"token": join(meeting_id, "Bo")})
    for client in (anna, anna_tab, bo, console):
        client.get_received(NS)
    first = ack(anna, "statement_vote", client_id="v1", contribution_id=ids[0], value=1)
    assert first == {"ok": True, "contribution_id": ids[0], "value": 1}
    assert ack(anna, "statement_vote", client_id="v1", contribution_id=ids[0], value=1) == first
    ack(anna, "statement_vote", contribution_id=ids[0], value=-1)  # changed: replaces
    mine = [e["args"][0] for e in anna_tab.get_received(NS) if e["name"] == "statement_vote"]
    assert mine == [
        {"contribution_id": ids[0], "value": 1},
        {"contribution_id": ids[0], "value": -1},
    ]
    # Nobody else hears of an answer: neither another phone nor staff.
    for other in (bo, console):
        assert [e for e in other.get_received(NS) if e["name"] == "statement_vote"] == []
    with app.app_context():
        votes = session().scalars(sa.select(StatementVote)).all()
        assert [(v.contribution_id, v.value) for v in votes] == [(ids[0], -1)]
    fresh = connect({"token": anna_token})
    state = next(e["args"][0] for e in fresh.get_received(NS) if e["name"] == "state")
    assert state["me"]["answers"] == {str(ids[0]): -1}


def test_refusals(
    app: Flask,
    meeting_id: int,
    connect: Connect,
    join: Callable[..., str],
    staff: Callable[[Role], str],
) -> None:
    console, ids = start(app, meeting_id, connect, staff)
    anna = connect({"token": join(meeting_id, "Anna")})
    screen = connect({"token": staff(Role.facilitator), "meeting_id": meeting_id, "view": "screen"})

    def refused(client: SocketIOTestClient, **payload: Any) -> str:
        return error_code(ack(client, "statement_vote", **payload))

    assert refused(anna, contribution_id=ids[0], value=2) == "validation_error"
    assert refused(anna, contribution_id=ids[0], value="1") == "validation_error"
    assert refused(anna, contribution_id=ids[0]) == "validation_error"
    assert refused(anna, contribution_id=999_999, value=1) == "not_found"
    assert refused(console, contribution_id=ids[0], value=1) == "forbidden"
    assert refused(screen, contribution_id=ids[0], value=1) == "forbidden"
    ack(console, "contribution_hide", id=ids[1], reason="Dubblett")
    assert refused(anna, contribution_id=ids[1], value=1) == "not_found"
    # A contribution of another step is no statement.
    ack(console, "phase_goto", index=1)
    other_step = ack(anna, "contribution_add", text="Mörkt vid skolan")["id"]
    assert refused(anna, contribution_id=other_step, value=1) == "not_statement"
    # Under pre-moderation a resident's statement joins the deck once approved.
    ack(console, "phase_goto", index=STEP)
    ack(console, "premoderation_set", on=True)
    waiting = ack(anna, "contribution_add", text="Fler bänkar i parken")["id"]
    assert refused(anna, contribution_id=waiting, value=1) == "not_found"
    ack(console, "contribution_approve", id=waiting)
    assert ack(anna, "statement_vote", contribution_id=waiting, value=1)["ok"] is True
    # Another meeting's statement is not found here.
    with app.app_context():
        meeting = meeting_ops.get_meeting(meeting_id)
        other = meeting_ops.create_meeting(
            meeting.theme, "Annan kväll", template="common_ground_90"
        )
        session().commit()
        other_id = other.id
    open_meeting(app, other_id)
    other_console = connect({"token": staff(Role.facilitator), "meeting_id": other_id})
    ack(other_console, "phase_goto", index=STEP)
    foreign = ack(other_console, "contribution_add", text="Annat möte")["id"]
    assert refused(anna, contribution_id=foreign, value=1) == "not_found"
    ack(console, "meeting_close")
    assert refused(anna, contribution_id=ids[0], value=1) == "meeting_closed"
    with app.app_context():
        votes = session().scalars(sa.select(StatementVote)).all()
        assert [v.contribution_id for v in votes] == [waiting]  # nothing else half-written


def test_two_camps_share_one_statement_and_each_sees_only_its_part(
    app: Flask,
    meeting_id: int,
    connect: Connect,
    join: Callable[..., str],
    staff: Callable[[Role], str],
) -> None:
    console, ids = start(app, meeting_id, connect, staff)
    screen = connect({"token": staff(Role.facilitator), "meeting_id": meeting_id, "view": "screen"})
    phones = {name: connect({"token": join(meeting_id, name)}) for name in CAMP_A + CAMP_B}
    inboxes = {name: Inbox(client) for name, client in phones.items()}
    console_in, screen_in = Inbox(console), Inbox(screen)
    votes = 0
    for name, phone in phones.items():
        for statement, value in zip(ids, camp_answers(name in CAMP_A), strict=True):
            assert ack(phone, "statement_vote", contribution_id=statement, value=value)["ok"]
            votes += 1
    everyone_placed = len(CAMP_A + CAMP_B)
    staff_view = console_in.wait("perspectives", lambda v: v["placed"] == everyone_placed)
    # Coalesced: far fewer analyses than answers.
    assert len(console_in.named("perspectives")) < votes / 4
    assert staff_view["common_ground"][0]["contribution_id"] == ids[BRIDGE]
    assert staff_view["common_ground"][0]["text"] == STATEMENTS[BRIDGE]
    assert sorted(g["size"] for g in staff_view["groups"]) == [6, 6]
    anna_id = next(
        e["args"][0]["me"]["participant_id"] for e in inboxes["Anna"].read() if e["name"] == "state"
    )
    camps = [set(g["participant_ids"]) for g in staff_view["groups"]]
    assert any(anna_id in camp and len(camp) == 6 for camp in camps)
    assert all(g["shown"] for g in staff_view["groups"])
    assert staff_view["answers"] == votes

    public = screen_in.wait("perspectives", lambda v: v["placed"] == everyone_placed)
    assert public["common_ground"][0] == {
        "contribution_id": ids[BRIDGE],
        "text": STATEMENTS[BRIDGE],
        "agree_share": staff_view["common_ground"][0]["agree_share"],
    }
    assert sorted(g["size"] for g in public["groups"]) == [6, 6]
    assert len(public["dots"]) == everyone_placed
    assert all(len(dot) == 3 and dot[2] in {"A", "B"} for dot in public["dots"])
    assert set(public) == {
        "statements",
        "participants",
        "placed",
        "dots",
        "groups",
        "common_ground",
    }

    where = inboxes["Anna"].wait("perspectives_me", lambda v: v["placed"])
    assert where["group"]["size"] == 6
    assert where["position"] + [where["group"]["label"]] in public["dots"]
    assert where["common_ground"][0]["mine"] == 1
    assert where["answered"] == len(STATEMENTS)
    # A phone gets its own view only, and the room's view with nothing of anyone's.
    for name, inbox in inboxes.items():
        assert len({json.dumps(v) for v in inbox.named("perspectives_me")}) >= 1, name
    for name in ("Bo", "Gunnar"):
        inbox = inboxes[name]
        inbox.wait("perspectives", lambda v: v["placed"] == everyone_placed)
        said = json.dumps([e for e in inbox.read() if e["name"] != "state"], ensure_ascii=False)
        assert "participant_ids" not in said
        for other in CAMP_A + CAMP_B:
            assert other not in said or other == name
    # A reconnecting client gets the same analysis in its state.
    fresh = connect({"token": staff(Role.facilitator), "meeting_id": meeting_id, "view": "screen"})
    state = next(e["args"][0] for e in fresh.get_received(NS) if e["name"] == "state")
    assert state["perspectives"] == screen_in.named("perspectives")[-1]


def test_small_groups_are_not_shown(
    app: Flask,
    meeting_id: int,
    connect: Connect,
    join: Callable[..., str],
    staff: Callable[[Role], str],
) -> None:
    console, ids = start(app, meeting_id, connect, staff)
    screen = connect({"token": staff(Role.facilitator), "meeting_id": meeting_id, "view": "screen"})
    phones = {name: connect({"token": join(meeting_id, name)}) for name in CAMP_A[:4] + CAMP_B[:3]}
    for name, phone in phones.items():
        for statement, value in zip(ids, camp_answers(name in CAMP_A), strict=True):
            ack(phone, "statement_vote", contribution_id=statement, value=value)
    staff_view = Inbox(console).wait("perspectives", lambda v: v["placed"] == 7)
    assert staff_view["groups"]
    assert not any(g["shown"] for g in staff_view["groups"])
    public = Inbox(screen).wait("perspectives", lambda v: v["placed"] == 7)
    assert public["groups"] == []
    assert [dot[2] for dot in public["dots"]] == [None] * 7
    # Their answers still count in the common ground.
    assert public["common_ground"][0]["contribution_id"] == ids[BRIDGE]
    where = Inbox(phones["Anna"]).wait("perspectives_me", lambda v: v["placed"])
    assert where["group"] is None


def test_facilitator_puts_a_quote_of_the_theme_before_the_room(
    app: Flask,
    meeting_id: int,
    connect: Connect,
    join: Callable[..., str],
    staff: Callable[[Role], str],
) -> None:

    quote = "Jag går inte ut efter nio, det är för mörkt i parken"
    with app.app_context():
        theme = meeting_ops.get_meeting(meeting_id).theme
        elsewhere = dialogue_ops.create_theme(theme.dialogue, "Arbete")

        def note(text: str, theme_id: int) -> int:
            spec = intake_ops.ConversationSpec(
                held_on=dt.date(2026, 3, 1), channel="door", notes=[text], theme_ids=[theme_id]
            )
            made = intake_ops.record_conversation(theme.dialogue, spec, user_id=None)
            session().flush()
            return made.notes[0].id

        note_id = note(quote, theme.id)
        other_theme = note("Svårt att hitta jobb", elsewhere.id)
        session().commit()
    open_meeting(app, meeting_id)
    console = connect({"token": staff(Role.facilitator), "meeting_id": meeting_id})
    notes = connect({"token": staff(Role.observer), "meeting_id": meeting_id})
    anna = connect({"token": join(meeting_id, "Anna")})
    console_state = next(e["args"][0] for e in console.get_received(NS) if e["name"] == "state")
    assert console_state["quotes"] == [{"note_id": note_id, "text": quote}]
    anna_state = next(e["args"][0] for e in anna.get_received(NS) if e["name"] == "state")
    assert anna_state["quotes"] == []  # residents never get the notes
    assert error_code(ack(console, "statement_quote", note_id=note_id)) == "not_perspectives"
    ack(console, "phase_goto", index=STEP)
    assert error_code(ack(console, "statement_quote", note_id=other_theme)) == "not_found"
    assert error_code(ack(console, "statement_quote", note_id=999_999)) == "not_found"
    assert error_code(ack(anna, "statement_quote", note_id=note_id)) == "forbidden"
    assert error_code(ack(notes, "statement_quote", note_id=note_id)) == "forbidden"
    made = ack(console, "statement_quote", note_id=note_id)
    assert made["ok"] is True
    added = [e["args"][0] for e in anna.get_received(NS) if e["name"] == "contribution"]
    assert [(c["id"], c["text"], c["phase"]) for c in added] == [(made["id"], quote, STEP)]
    assert ack(anna, "statement_vote", contribution_id=made["id"], value=1)["ok"] is True


def test_hiding_a_statement_analyses_the_room_again(
    app: Flask,
    meeting_id: int,
    connect: Connect,
    join: Callable[..., str],
    staff: Callable[[Role], str],
) -> None:
    console, ids = start(app, meeting_id, connect, staff)
    phones = {name: connect({"token": join(meeting_id, name)}) for name in CAMP_A + CAMP_B}
    for name, phone in phones.items():
        for statement, value in zip(ids, camp_answers(name in CAMP_A), strict=True):
            ack(phone, "statement_vote", contribution_id=statement, value=value)
    console_in, anna_in = Inbox(console), Inbox(phones["Anna"])
    before = console_in.wait("perspectives", lambda v: v["placed"] == len(phones))
    assert before["common_ground"][0]["contribution_id"] == ids[BRIDGE]
    # No answer comes after this: the hiding alone brings a new analysis.
    assert ack(console, "contribution_hide", id=ids[BRIDGE], reason="Dubblett")["ok"]
    after = console_in.wait("perspectives", lambda v: v["statements"] == len(STATEMENTS) - 1)
    assert ids[BRIDGE] not in [s["contribution_id"] for s in after["common_ground"]]
    assert after["answers"] == len(phones) * (len(STATEMENTS) - 1)
    # Answers to the hidden statement still count towards being placed, as in Pol.is.
    assert after["placed"] == len(phones)
    where = anna_in.wait("perspectives_me", lambda v: v["common_ground"] == [])
    assert (where["placed"], where["answered"], where["needed"]) == (True, 7, 7)


def test_blocked_residents_answers_leave_the_analysis(
    app: Flask,
    meeting_id: int,
    connect: Connect,
    join: Callable[..., str],
    staff: Callable[[Role], str],
) -> None:
    """A resident blocked for abusing the room no longer shapes its map: the analysis is
    made again without their answers, even when they wrote nothing the wall shows."""
    console, ids = start(app, meeting_id, connect, staff)
    inbox = Inbox(console)
    phones = {name: connect({"token": join(meeting_id, name)}) for name in [*CAMP_A, "Troll"]}
    for name, phone in phones.items():
        for statement, value in zip(ids, camp_answers(name != "Troll"), strict=True):
            ack(phone, "statement_vote", contribution_id=statement, value=value)
    before = inbox.wait("perspectives", lambda v: v["placed"] == len(phones))
    assert before["answers"] == len(phones) * len(STATEMENTS)
    troll = Inbox(phones["Troll"])
    troll_id = next(
        e["args"][0]["me"]["participant_id"] for e in troll.read() if e["name"] == "state"
    )
    assert any(troll_id in g["participant_ids"] for g in before["groups"])

    inbox.read()
    inbox.received.clear()  # an analysis from before the troll's last answer placed six too
    assert ack(console, "participant_block", participant_id=troll_id)["ok"] is True
    after = inbox.wait("perspectives", lambda v: v["placed"] == len(CAMP_A))
    assert after["answers"] == len(CAMP_A) * len(STATEMENTS)
    assert all(troll_id not in g["participant_ids"] for g in after["groups"])
    # The statement all seven agreed with now counts the six.
    bridge = next(s for s in after["common_ground"] if s["contribution_id"] == ids[BRIDGE])
    assert (bridge["agree"], bridge["disagree"]) == (len(CAMP_A), 0)
    # The API and a fresh connection say the same; the troll's answers are still on record.
    fresh = connect({"token": staff(Role.facilitator), "meeting_id": meeting_id})
    state = next(e["args"][0] for e in fresh.get_received(NS) if e["name"] == "state")
    assert state["perspectives"]["placed"] == len(CAMP_A)
    with app.app_context():
        kept = (
            session()
            .scalars(sa.select(StatementVote).where(StatementVote.participant_id == troll_id))
            .all()
        )
        assert len(kept) == len(STATEMENTS)
