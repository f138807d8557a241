"""A room's shared ``state``: read once per change and given to everyone of an audience,
with each viewer's own parts added, and never older than what the room has been told."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_socketio import SocketIOTestClient
from pictures import comparable

from facilitate.db import session
from facilitate.live.models import Participant
from facilitate.live.snapshot import snapshot
from facilitate.live.views_json import Viewer, ViewerRole
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings.models import VotingMethod
from rooms import engine
from rooms.connections import registry

from .conftest import NS, named, open_meeting
from .test_protocol import ack, state_of
from .test_voting import SETTLE, set_voting

Connect = Callable[..., SocketIOTestClient]


def reads(app: Flask) -> int:
    kept: engine.RoomStates = app.extensions[engine.ROOMS_KEY]
    return kept.reads


def read_now(app: Flask, meeting_id: int, auth: dict[str, Any], state: dict[str, Any]) -> Any:
    """The same viewer's state read straight from the database, with nothing kept."""
    me = state["me"]
    with app.app_context():
        meeting = meeting_ops.get_meeting(meeting_id)
        participant = (
            session().get(Participant, me["participant_id"]) if me["participant_id"] else None
        )
        viewer = Viewer(
            meeting_id=meeting_id,
            role=ViewerRole(me["role"]),
            participant_id=me["participant_id"],
            user_id=1 if participant is None else None,
        )
        return snapshot(meeting, viewer, participant, state["presence"])


def test_room_state_read_once_for_many_residents(
    app: Flask,
    room: dict[str, SocketIOTestClient],
    connect: Connect,
    join: Callable[..., str],
    meeting_id: int,
) -> None:
    tokens = [join(meeting_id, f"Boende {i}") for i in range(12)]
    time.sleep(1.2)  # the room fixture's presence flush is over
    before = reads(app)
    phones = [connect({"token": token}) for token in tokens]
    # Twelve arrivals: the residents' picture is read once (once more if a presence
    # summary went out in between), not twelve times.
    assert reads(app) - before <= 2
    states = [state_of(phone) for phone in phones]
    assert len({s["me"]["participant_id"] for s in states}) == 12
    assert all(s["contributions"] == states[0]["contributions"] for s in states)


def test_kept_room_gives_each_viewer_their_own(
    app: Flask, room: dict[str, SocketIOTestClient], connect: Connect, meeting_id: int
) -> None:
    set_voting(app, meeting_id, VotingMethod.dots, dots=3)
    said = ack(room["bo"], "contribution_add", text="Mörkt vid busshållplatsen")
    ack(room["anna"], "reaction_add", contribution_id=said["id"])
    proposal = ack(room["anna"], "proposal_add", title="Fler lampor")
    ack(room["console"], "voting_open")
    ack(room["anna"], "vote_cast", proposal_id=proposal["id"], value=2)
    ack(room["console"], "premoderation_set", on=True)
    waiting = ack(room["anna"], "contribution_add", text="Väntar på godkännande")
    waiting_proposal = ack(room["anna"], "proposal_add", title="Väntande förslag")
    time.sleep(SETTLE)
    for name in ("anna", "bo", "console", "screen"):
        auth = dict(room[name].connect_auth)  # type: ignore[attr-defined]
        first = state_of(connect(auth))
        kept = state_of(connect(auth))  # from the kept room: nothing changed in between
        assert comparable(kept) == comparable(first), name
        assert comparable(kept) == comparable(read_now(app, meeting_id, auth, kept)), name
    anna = state_of(connect(dict(room["anna"].connect_auth)))  # type: ignore[attr-defined]
    bo = state_of(connect(dict(room["bo"].connect_auth)))  # type: ignore[attr-defined]
    # Anna's own waiting items and her "me too" are hers alone; Bo's contribution is his.
    assert waiting["id"] in [c["id"] for c in anna["contributions"]]
    assert waiting["id"] not in [c["id"] for c in bo["contributions"]]
    assert waiting_proposal["id"] in [p["id"] for p in anna["proposals"]]
    assert waiting_proposal["id"] not in [p["id"] for p in bo["proposals"]]
    on_anna = next(c for c in anna["contributions"] if c["id"] == said["id"])
    on_bo = next(c for c in bo["contributions"] if c["id"] == said["id"])
    assert (on_anna["own"], on_anna["reacted"]) == (False, True)
    assert (on_bo["own"], on_bo["reacted"]) == (True, False)
    assert anna["me"]["votes"] == {str(proposal["id"]): 2}
    assert anna["me"]["remaining"] == 1
    assert bo["me"]["votes"] == {}
    assert bo["me"]["remaining"] == 3


def test_tally_summary_makes_kept_room_old(
    app: Flask,
    room: dict[str, SocketIOTestClient],
    connect: Connect,
    join: Callable[..., str],
    meeting_id: int,
) -> None:
    """A vote tells the room nothing but the coalesced tally: that summary alone must make a
    kept picture old, or later arrivals would see the count from before it for good."""
    with app.app_context():
        meeting = meeting_ops.get_meeting(meeting_id)
        spec = meeting_ops.VotingSpec(method="approval", dots=3, cap=None, results="live")
        meeting_ops.set_voting(meeting, spec)
        session().commit()
    proposal = ack(room["anna"], "proposal_add", title="Fler lampor")
    ack(room["console"], "voting_open")
    time.sleep(SETTLE)
    early = state_of(connect({"token": join(meeting_id, "Först")}))
    assert early["tally"]["ballots"] == 0
    ack(room["bo"], "vote_cast", proposal_id=proposal["id"], value=1)
    time.sleep(SETTLE)
    assert named(room["anna"].get_received(NS), "tally")[-1]["ballots"] == 1
    late = state_of(connect({"token": join(meeting_id, "Sen")}))
    assert late["tally"]["ballots"] == 1
    assert late["tally"]["proposals"][str(proposal["id"])]["yes"] == 1


def test_meeting_is_here_until_its_last_connection_leaves(
    app: Flask, connect: Connect, join: Callable[..., str], meeting_id: int
) -> None:
    open_meeting(app, meeting_id)
    first = connect({"token": join(meeting_id, "Boende 1")})
    second = connect({"token": join(meeting_id, "Boende 2")})
    assert registry.has_meeting(meeting_id)
    first.disconnect(NS)
    assert registry.has_meeting(meeting_id)
    assert len(registry.in_meeting(meeting_id)) == 1
    second.disconnect(NS)
    assert not registry.has_meeting(meeting_id)
    assert registry.in_meeting(meeting_id) == []
    assert meeting_id not in registry.meetings()
