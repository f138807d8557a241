"""The hot events' Core unit (facilitate.db.Unit): a vote and a phone's connect run without
an ORM Session, on one pooled connection at a time, and their events go out only after the
commit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_socketio import SocketIOTestClient
from sqlalchemy.orm import Session

from facilitate.extensions import db
from facilitate.meetings.models import VotingMethod

from .conftest import NS, cid, named
from .test_protocol import ack, error_code, state_of
from .test_voting import SETTLE, set_voting, votes_of

Connect = Callable[..., SocketIOTestClient]


def dots_vote(app: Flask, room: dict[str, SocketIOTestClient], meeting_id: int) -> Any:
    """An open dots vote of three dots each, on one proposal (returned)."""
    set_voting(app, meeting_id, VotingMethod.dots, dots=3)
    proposal = ack(room["anna"], "proposal_add", title="Fler lampor")
    ack(room["console"], "voting_open")
    return proposal


def state_of_received(received: list[dict[str, Any]]) -> dict[str, Any]:
    states = named(received, "state")
    assert states
    return dict(states[-1])


@dataclass
class Watch:
    """What this thread's socket events did with the database (the test client runs a
    handler in the thread that emits; background flushes run in others)."""

    thread: int = field(default_factory=threading.get_ident)
    sessions: int = 0
    held: int = 0
    most_held: int = 0

    def checkout(self, *_: Any) -> None:
        if threading.get_ident() == self.thread:
            self.held += 1
            self.most_held = max(self.most_held, self.held)

    def checkin(self, *_: Any) -> None:
        if threading.get_ident() == self.thread:
            self.held -= 1


@pytest.fixture
def watch(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Watch]:
    watched = Watch()
    made = Session.__init__

    def counted(self: Session, *args: Any, **kwargs: Any) -> None:
        if threading.get_ident() == watched.thread:
            watched.sessions += 1
        made(self, *args, **kwargs)

    monkeypatch.setattr(Session, "__init__", counted)
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "checkout", watched.checkout)
    sa.event.listen(engine, "checkin", watched.checkin)
    yield watched
    sa.event.remove(engine, "checkout", watched.checkout)
    sa.event.remove(engine, "checkin", watched.checkin)


def test_vote_and_phone_connect_make_no_session(
    app: Flask,
    room: dict[str, SocketIOTestClient],
    connect: Connect,
    meeting_id: int,
    watch: Watch,
) -> None:
    proposal = dots_vote(app, room, meeting_id)
    auth = dict(room["bo"].connect_auth)  # type: ignore[attr-defined]
    state_of(connect(auth))  # the residents' room is read now, and kept
    for client in room.values():
        client.get_received(NS)
    watch.sessions = 0
    again = connect(auth)  # Bo's second phone: from the kept room
    answer = ack(room["bo"], "vote_cast", proposal_id=proposal["id"], value=2)
    assert watch.sessions == 0
    assert answer == {"ok": True, "remaining": 1}
    mine = {"proposal_id": proposal["id"], "value": 2, "remaining": 1}
    assert named(room["bo"].get_received(NS), "vote") == [mine]  # in the answer
    received = again.get_received(NS)
    assert state_of_received(received)["me"]["remaining"] == 3  # before the vote
    # After the commit: stored, and Bo's other phone heard it as a message.
    assert [v[2] for v in votes_of(app)] == [2]
    assert named(received, "vote") == [mine]
    assert watch.held == 0  # every connection went back to the pool


def test_hot_events_hold_one_connection_at_a_time(
    app: Flask,
    room: dict[str, SocketIOTestClient],
    connect: Connect,
    meeting_id: int,
    watch: Watch,
) -> None:
    proposal = dots_vote(app, room, meeting_id)
    watch.most_held = 0
    # A console's connect (the staff login needs the Session), a phone's connect into a
    # room that changed (read afresh through the Session), a vote, a vote refused, and a
    # vote sent again (answered from its record, through the Session).
    connect(dict(room["console"].connect_auth))  # type: ignore[attr-defined]
    ack(room["bo"], "contribution_add", text="Mörkt vid busshållplatsen")
    phone = connect(dict(room["anna"].connect_auth))  # type: ignore[attr-defined]
    assert "Mörkt vid busshållplatsen" in [c["text"] for c in state_of(phone)["contributions"]]
    client_id = cid()
    first = ack(room["anna"], "vote_cast", proposal_id=proposal["id"], value=2, client_id=client_id)
    refused = ack(room["anna"], "vote_cast", proposal_id=proposal["id"], value=9)
    retried = ack(
        room["anna"], "vote_cast", proposal_id=proposal["id"], value=2, client_id=client_id
    )
    assert first["ok"] is True
    assert error_code(refused) == "validation_error"
    assert retried == first == {"ok": True, "remaining": 1}
    assert watch.most_held == 1
    assert watch.held == 0
    assert [v[2] for v in votes_of(app)] == [2]


def test_vote_refused_in_a_unit_leaves_nothing_behind(
    app: Flask, room: dict[str, SocketIOTestClient], meeting_id: int, watch: Watch
) -> None:
    set_voting(app, meeting_id, VotingMethod.dots, dots=3)
    lamps = ack(room["anna"], "proposal_add", title="Fler lampor")
    bus = ack(room["anna"], "proposal_add", title="Tätare bussar")
    ack(room["console"], "voting_open")
    ack(room["bo"], "vote_cast", proposal_id=lamps["id"], value=3)
    time.sleep(SETTLE)
    for client in room.values():
        client.get_received(NS)
    # Bo has no dots left: his row is locked, his budget read and the vote refused in
    # the unit, which ends without a commit: nothing stored, nothing said, no lock kept.
    refused = ack(room["bo"], "vote_cast", proposal_id=bus["id"], value=1)
    assert error_code(refused) == "no_dots_left"
    time.sleep(SETTLE)
    assert all(named(client.get_received(NS), "vote") == [] for client in room.values())
    assert [v[2] for v in votes_of(app)] == [3]
    assert watch.held == 0
    # The next write is not kept waiting by a lock the refused one took.
    assert ack(room["anna"], "vote_cast", proposal_id=bus["id"], value=1)["ok"] is True


@pytest.mark.parametrize("app_config", [{"DATABASE_POOL_SIZE": 2}], indirect=True)
def test_vote_beyond_the_pool_waits_for_a_kept_connection(
    app: Flask, room: dict[str, SocketIOTestClient], meeting_id: int
) -> None:
    """An event that finds every pooled connection busy waits for one to come back rather
    than open a connection of its own: on PostgreSQL that is a backend forked and closed
    for one vote, in a storm of them."""
    proposal = dots_vote(app, room, meeting_id)
    with app.app_context():
        engine = db.engine
    busy = [engine.connect() for _ in range(2)]  # say, two slow events
    opened: list[object] = []
    sa.event.listen(engine, "connect", lambda *_: opened.append(True))
    answers: list[dict[str, Any]] = []
    voter = threading.Thread(
        target=lambda: answers.append(
            ack(room["bo"], "vote_cast", proposal_id=proposal["id"], value=2)
        )
    )
    try:
        voter.start()
        time.sleep(0.3)
        assert answers == []  # waiting its turn
        busy.pop().close()
        voter.join(timeout=10)
        assert answers == [{"ok": True, "remaining": 1}]
        assert opened == []
        assert [v[2] for v in votes_of(app)] == [2]
    finally:
        for connection in busy:
            connection.close()
        voter.join(timeout=10)


@pytest.mark.parametrize(
    "app_config", [{"DATABASE_POOL_SIZE": 1, "DATABASE_POOL_WAIT": 1}], indirect=True
)
def test_vote_refused_when_the_pool_stays_busy_and_applied_when_sent_again(
    app: Flask, room: dict[str, SocketIOTestClient], meeting_id: int
) -> None:
    """An event that waits longer than DATABASE_POOL_WAIT for a connection is refused as
    unavailable, before the phone gives up on its answer: it keeps the vote and sends it
    again with the same client_id, and the vote counts once."""
    proposal = dots_vote(app, room, meeting_id)
    with app.app_context():
        engine = db.engine
    assert engine.pool.timeout() == 1
    busy = engine.connect()  # the one connection, held by something slow
    client_id = cid()
    try:
        refused = ack(
            room["bo"], "vote_cast", proposal_id=proposal["id"], value=2, client_id=client_id
        )
    finally:
        busy.close()
    assert error_code(refused) == "unavailable"
    assert votes_of(app) == []
    again = ack(room["bo"], "vote_cast", proposal_id=proposal["id"], value=2, client_id=client_id)
    assert again == {"ok": True, "remaining": 1}
    assert [v[2] for v in votes_of(app)] == [2]
