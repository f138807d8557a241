"""docs/protocol.md gives a JSON example for every event, both ways, and the examples parse."""

from __future__ import annotations

import json
import re
from pathlib import Path

from flask import Flask

from rooms.engine import EVENTS

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
SERVER_EVENTS = {
    "state",
    "meeting",
    "phase",
    "timer",
    "contribution",
    "contribution_removed",
    "reaction",
    "hands",
    "hand_given",
    "speaker",
    "screen",
    "presence",
    "groups",
    "notice",
    "proposal",
    "proposal_removed",
    "proposal_duplicates",
    "voting",
    "tally",
    "vote",
    "statement_vote",
    "perspectives",
    "perspectives_me",
}


def examples() -> list[tuple[str, dict[str, object], dict[str, object] | None]]:
    found = []
    for line in DOC.read_text().splitlines():
        match = re.fullmatch(r'(\["\w+", \{.*\}\])(?:\s+→ (\{.*\}))?', line.strip())
        if match:
            name, payload = json.loads(match.group(1))
            ack = json.loads(match.group(2)) if match.group(2) else None
            found.append((name, payload, ack))
    return found


def test_protocol_doc_has_example_for_every_write_with_its_ack(app: Flask) -> None:
    # ``app`` registers the handlers, which fills EVENTS.
    writes = {name: (payload, ack) for name, payload, ack in examples() if ack is not None}
    assert set(writes) == set(EVENTS)
    for name, (payload, ack) in writes.items():
        assert isinstance(payload.get("client_id"), str), name
        assert "ok" in ack, name


def test_protocol_doc_has_example_for_every_server_event() -> None:
    sent = {name for name, _, ack in examples() if ack is None}
    assert sent == SERVER_EVENTS
