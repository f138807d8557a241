"""Two instances, one meeting: PostgreSQL and Redis shared, as behind the load balancer.

Anna's phone is on instance A; Bo's phone and the facilitator's console are on instance
B. Everything that makes the room one room must hold across them: contributions, the
phase and its timer, one presence count, one tally, a voting opened and closed on B
seen on A, and a write limit that a phone cannot double by reconnecting elsewhere. Run
on both async servers (``python wsgi.py``), as an operator runs them.
"""

from __future__ import annotations

import secrets
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import processes
import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from phones import Phone
from processes import http_status

from facilitate.auth.models import Role
from facilitate.db import session
from facilitate.live.models import ClientWrite
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings.models import VotingMethod
from facilitate.proposals.models import Vote

from .conftest import open_meeting

#: Presence is coalesced once a second, the tally four times a second; events cross
#: Redis in milliseconds. Generous for a loaded CI machine, never waited out on success.
SOON = 6.0


@pytest.fixture
def app_config(postgres_config: dict[str, Any]) -> dict[str, Any]:
    return postgres_config


def instances(
    app_config: dict[str, Any],
    redis_url: str,
    tmp_path: Path,
    mode: str,
    started: dict[str, subprocess.Popen[bytes]],
) -> Iterator[dict[str, str]]:
    channel = f"facilitate-test-{secrets.token_hex(6)}"
    common = {
        "SECRET_KEY": "two-instances",
        "DATABASE_URL": app_config["DATABASE_URL"],
        "SOCKETIO_MESSAGE_QUEUE": redis_url,
        # Its own channel (and so its own keys): other runs share this Redis server.
        "SOCKETIO_CHANNEL": channel,
        "ASYNC_MODE": mode,
        # A beat a second: a killed instance leaves the count within seconds, not 30.
        "PRESENCE_HEARTBEAT": "1",
    }
    try:
        with processes.instances(tmp_path, common, started=started) as urls:
            yield urls
    finally:
        leftovers = redis.Redis.from_url(redis_url)
        for key in leftovers.scan_iter(f"{channel}:*"):
            leftovers.delete(key)


@pytest.fixture
def started() -> dict[str, subprocess.Popen[bytes]]:
    """The instances' processes by name, once ``pair`` has started them."""
    return {}


@pytest.fixture(params=["gevent", "eventlet"])
def pair(
    request: pytest.FixtureRequest,
    app_config: dict[str, Any],
    redis_url: str,
    tmp_path: Path,
    started: dict[str, subprocess.Popen[bytes]],
) -> Iterator[dict[str, str]]:
    yield from instances(app_config, redis_url, tmp_path, request.param, started)


@pytest.fixture
def phones() -> Iterator[list[Phone]]:
    made: list[Phone] = []
    yield made
    for phone in made:
        phone.close()


def online(phone: Phone) -> int | None:
    presence = phone.last("presence")
    return None if presence is None else int(presence["online"])


def assert_fresh_states(console: Phone, event: str, phones: tuple[Phone, ...], status: str) -> None:
    """``event`` from the console gives every phone a new ``state`` with voting ``status``."""
    before = {phone: len(phone.named("state")) for phone in phones}
    assert console.call(event, {"client_id": event})["ok"]
    for phone, count in before.items():
        assert phone.wait(
            lambda p=phone, n=count: (
                p.heard_more("state", n) and p.last("state")["voting"]["status"] == status
            ),
            SOON,
        ), phone.named("state")[-1:]


def test_two_instances_make_one_room(
    app: Flask,
    meeting_id: int,
    join: Callable[..., str],
    staff: Callable[[Role], str],
    pair: dict[str, str],
    phones: list[Phone],
) -> None:
    open_meeting(app, meeting_id)
    with app.app_context():
        meeting = meeting_ops.get_meeting(meeting_id)
        spec = meeting_ops.VotingSpec(method=VotingMethod.approval.value, results="live")
        meeting_ops.set_voting(meeting, spec)
        session().commit()
    anna = Phone(pair["a"], join(meeting_id, "Anna", "Fröslunda"))
    phones.append(anna)
    bo = Phone(pair["b"], join(meeting_id, "Bo", "Myrtorp"))
    phones.append(bo)
    console = Phone(pair["b"], staff(Role.facilitator), meeting_id=meeting_id)
    phones.append(console)

    # Presence: each instance counts the other's residents too, names for staff.
    for phone in (anna, bo, console):
        assert phone.wait(lambda p=phone: online(p) == 2, SOON), phone.named("presence")
    assert console.wait(
        lambda: {p["name"] for p in console.last("presence")["people"]} == {"Anna", "Bo"}, SOON
    )

    # Contributions both ways.
    assert anna.call("contribution_add", {"client_id": "a1", "text": "Mörkt vid tunneln"})["ok"]
    assert bo.call("contribution_add", {"client_id": "b1", "text": "Buskarna skymmer"})["ok"]
    for phone in (anna, bo, console):
        assert phone.wait(
            lambda p=phone: {"Mörkt vid tunneln", "Buskarna skymmer"} <= set(p.texts()), SOON
        )

    # The phase and its timer, moved by the facilitator on B, the same on A.
    assert console.call("phase_goto", {"client_id": "f1", "index": 1})["ok"]
    assert console.call("timer_start", {"client_id": "f2", "seconds": 300})["ok"]
    for phone in (anna, bo):
        assert phone.wait(lambda p=phone: (p.last("phase") or {}).get("current_phase") == 1, SOON)
        assert phone.wait(lambda p=phone: (p.last("timer") or {}).get("running") is True, SOON)
    assert anna.last("timer")["ends_at"] == bo.last("timer")["ends_at"]

    # Voting, opened on B: Anna's phone on A gets its fresh picture (its ballot) too.
    made = anna.call("proposal_add", {"client_id": "a2", "title": "Bättre belysning"})
    assert made["ok"]
    proposal = made["id"]
    assert_fresh_states(console, "voting_open", (anna, bo), "open")

    # Votes on both instances: one tally, the same on every screen.
    assert anna.call("vote_cast", {"client_id": "a3", "proposal_id": proposal, "value": 1})["ok"]
    assert bo.call("vote_cast", {"client_id": "b3", "proposal_id": proposal, "value": 1})["ok"]

    def counted(phone: Phone) -> Any:
        tally = phone.last("tally")
        return None if tally is None else tally["proposals"]

    for phone in (anna, bo, console):
        assert phone.wait(lambda p=phone: "2" in repr(counted(p)), SOON), phone.named("tally")
    assert counted(anna) == counted(bo) == counted(console)
    with app.app_context():
        votes = session().scalar(sa.select(sa.func.count(Vote.id)))
    assert votes == 2

    # Closed on B, closed on A.
    assert_fresh_states(console, "voting_close", (anna, bo), "closed")

    # Bo leaves: A counts one.
    bo.close()
    assert anna.wait(lambda: online(anna) == 1, SOON), anna.named("presence")


def test_write_limit_is_shared_by_instances(
    app: Flask,
    meeting_id: int,
    join: Callable[..., str],
    pair: dict[str, str],
    phones: list[Phone],
) -> None:
    """A phone that reconnects to the other instance does not get a fresh allowance."""
    open_meeting(app, meeting_id)
    token = join(meeting_id, "Anna", "Fröslunda")
    on_a = Phone(pair["a"], token)
    phones.append(on_a)
    on_b = Phone(pair["b"], token)
    phones.append(on_b)
    answers = []
    for n in range(31):  # the default limit: 30 writes in 10 s
        phone = on_a if n % 2 else on_b
        answers.append(phone.call("contribution_add", {"client_id": f"w{n}", "text": f"{n}"}))
    assert all(a["ok"] for a in answers[:30]), answers
    assert answers[30]["ok"] is False
    assert answers[30]["error"]["code"] == "rate_limited"
    with app.app_context():
        assert session().scalar(sa.select(sa.func.count(ClientWrite.id))) == 30


def test_failed_joins_are_counted_across_instances(
    app: Flask, pair: dict[str, str], tmp_path: Path
) -> None:
    """Someone guessing codes gets no fresh budget from the other instance."""

    answers = [http_status(f"{pair['ab'[n % 2]]}/j/ZZZZ2222") for n in range(31)]
    assert answers == [404] * 30 + [429]  # JOIN_FAILURE_LIMIT: 30 per minute per address


def test_killed_instance_leaves_the_count(
    app: Flask,
    meeting_id: int,
    join: Callable[..., str],
    pair: dict[str, str],
    started: dict[str, subprocess.Popen[bytes]],
    phones: list[Phone],
) -> None:
    """No goodbye from a killed instance: its presence expires and the others notice."""
    open_meeting(app, meeting_id)
    anna = Phone(pair["a"], join(meeting_id, "Anna", "Fröslunda"))
    phones.append(anna)
    bo = Phone(pair["b"], join(meeting_id, "Bo", "Myrtorp"))
    assert anna.wait(lambda: online(anna) == 2, SOON), anna.named("presence")
    started["b"].send_signal(signal.SIGKILL)
    started["b"].wait(timeout=10)
    # Three beats of a second for B's presence to expire, one for A to notice, one flush.
    assert anna.wait(lambda: online(anna) == 1, SOON + 3), anna.named("presence")
    bo.client.eio.disconnect(abort=True)  # its server is gone; only the client is left
