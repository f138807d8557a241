"""Nothing outside staff lets anyone tell how a named resident answered: no names, no
participant ids, no one else's answers, in any event or ``state`` a phone or the projector
gets; groups smaller than five are not shown as groups."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_socketio import SocketIOTestClient
from live.conftest import NS
from live.test_protocol import ack

from facilitate.auth.models import Role

from .conftest import Inbox
from .test_socket import CAMP_A, CAMP_B, camp_answers, start

Connect = Callable[..., SocketIOTestClient]
NAMES = [f"{name} Testsson" for name in CAMP_A + CAMP_B[:3]]


def ids_in(payload: Any) -> set[int]:
    """Every participant id under a key that names one (``participants`` is a count)."""
    found: set[int] = set()
    if isinstance(payload, dict):
        for key, value in payload.items():
            if key.endswith("participant_id") and isinstance(value, int):
                found.add(value)
            if key in {"participant_ids", "members"} and isinstance(value, list):
                found |= {v for v in value if isinstance(v, int)}
            found |= ids_in(value)
    elif isinstance(payload, list):
        for value in payload:
            found |= ids_in(value)
    return found


def test_no_name_id_or_answer_of_anyone_reaches_a_phone_or_the_projector(
    app: Flask,
    meeting_id: int,
    connect: Connect,
    join: Callable[..., str],
    staff: Callable[[Role], str],
) -> None:
    console, statements = start(app, meeting_id, connect, staff)
    screen = connect({"token": staff(Role.facilitator), "meeting_id": meeting_id, "view": "screen"})
    bystander = Inbox(connect({"token": join(meeting_id, "Åskådare")}))
    phones = {name: connect({"token": join(meeting_id, name)}) for name in NAMES}
    inboxes = {name: Inbox(client) for name, client in phones.items()}
    for number, phone in enumerate(phones.values()):
        for statement, value in zip(statements, camp_answers(number < 6), strict=True):
            assert ack(phone, "statement_vote", contribution_id=statement, value=value)["ok"]
    staff_view = Inbox(console).wait("perspectives", lambda v: v["placed"] == len(NAMES))
    members = {p for g in staff_view["groups"] for p in g["participant_ids"]}
    assert len(members) == len(NAMES)  # staff see who is in which group
    assert {g["size"]: g["shown"] for g in staff_view["groups"]} == {6: True, 3: False}

    screen_in = Inbox(screen)
    public = screen_in.wait("perspectives", lambda v: v["placed"] == len(NAMES))
    assert [g["size"] for g in public["groups"]] == [6]  # the group of three is not shown
    assert sorted(str(d[2]) for d in public["dots"]) == ["A"] * 6 + ["None"] * 3
    bystander.wait("perspectives", lambda v: v["placed"] == len(NAMES))
    fresh = connect({"token": staff(Role.facilitator), "meeting_id": meeting_id, "view": "screen"})
    for label, received in [
        ("screen", screen_in.read() + fresh.get_received(NS)),
        ("bystander", bystander.read()),
    ]:
        said = [e["args"][0] for e in received]
        text = json.dumps(said, ensure_ascii=False)
        assert not any(name in text for name in NAMES), label
        assert "participant_ids" not in text, label
        assert ids_in(said) & members == set(), label
        assert [e for e in received if e["name"] in {"statement_vote", "perspectives_me"}] == []
    # Each phone hears its own answers and where it stands, never another's.
    for name, inbox in inboxes.items():
        mine = inbox.wait("perspectives_me", lambda v: v["placed"])
        assert mine["answered"] == len(statements)
        said = [e["args"][0] for e in inbox.read() if e["name"] != "state"]
        others = [n for n in NAMES if n != name]
        assert not any(other in json.dumps(said, ensure_ascii=False) for other in others), name
        assert len(inbox.named("statement_vote")) == len(statements), name
