"""Any payload to any event: a clear ack, never an unhandled error, nothing half-stored."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask_socketio import SocketIOTestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilitate.db import session
from facilitate.live.models import ClientWrite
from rooms import handlers  # noqa: F401 -- importing it registers the events
from rooms.engine import EVENTS

from .conftest import NS

texts = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.sampled_from("\u202e\u200b\u0000<>&\"'😀å日ع"), max_size=20),
    st.just("x" * 10_000),
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(), texts)
junk = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
FIELDS = [
    "client_id",
    "text",
    "kind",
    "id",
    "contribution_id",
    "participant_id",
    "index",
    "seconds",
    "reason",
    "count",
    "by",
    "title",
    "body",
    "ids",
    "into",
    "proposal_ids",
    "proposal_id",
    "value",
    "counts",
    "outcome",
    "note",
    "on_behalf",
    "language",
]
payloads = st.one_of(
    junk,
    st.dictionaries(st.sampled_from(FIELDS), junk, max_size=6),
    st.fixed_dictionaries(
        {"client_id": st.text(min_size=1, max_size=64)},
        optional=dict.fromkeys(FIELDS[1:], junk),
    ),
)


assert len(EVENTS) > 20  # the strategy below really covers the protocol


def check_answer(answer: Any) -> bool:
    assert isinstance(answer, dict), answer
    if answer.get("ok") is True:
        return True
    assert answer["ok"] is False, answer
    assert isinstance(answer["error"]["code"], str)
    assert isinstance(answer["error"]["message"], str)
    assert answer["error"]["message"]
    return False


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    who=st.sampled_from(["anna", "console", "notes", "screen"]),
    event=st.sampled_from([*sorted(EVENTS), "no_such_event"]),
    payload=payloads,
)
def test_any_payload_gets_clear_ack_and_stores_nothing_half(
    app: Flask, room: dict[str, SocketIOTestClient], who: str, event: str, payload: Any
) -> None:
    with app.app_context():
        before = session().scalar(sa.select(sa.func.count(ClientWrite.id)))
    answer = room[who].emit(event, payload, namespace=NS, callback=True)
    with app.app_context():
        after = session().scalar(sa.select(sa.func.count(ClientWrite.id)))
    if event == "no_such_event":
        assert answer is None  # unknown events are not answered, and nothing happens
        assert after == before
        return
    accepted = check_answer(answer)
    # An accepted write is stored once (or was a retry); a refused one leaves no trace.
    assert after - before in ((1, 0) if accepted else (0,))
    assert room[who].is_connected(NS)
