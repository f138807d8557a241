"""A client's picture of a room: the last ``state`` it got with every later event folded
in (docs/protocol.md, "Keeping state"). The protocol tests and the kill test both hold
pictures against a fresh ``state``."""

from __future__ import annotations

import copy
from typing import Any


def apply(state: dict[str, Any], name: str, payload: Any) -> dict[str, Any]:
    """How a client folds an event into its state (docs/protocol.md, "Keeping state")."""
    if name == "state":
        return copy.deepcopy(payload)
    if name == "meeting":
        state["meeting"] = payload
    elif name == "phases":
        state["phases"] = payload["phases"]
    elif name == "phase":
        state["current_phase"] = payload["current_phase"]
    elif name in {"timer", "groups", "presence", "screen"}:
        state[name] = payload
    elif name == "hands":
        state["hands"] = payload["hands"]
    elif name == "speaker":
        state["speaker"] = payload["speaker"]
    elif name == "contribution":
        items = state["contributions"]
        current = next((c for c in items if c["id"] == payload["id"]), None)
        if current is None:
            items.append({"reacted": False, **payload})
            items.sort(key=lambda c: c["id"])
        else:
            current.update(payload)
    elif name == "contribution_removed":
        state["contributions"] = [c for c in state["contributions"] if c["id"] != payload["id"]]
    elif name == "reaction":
        for item in state["contributions"]:
            if item["id"] == payload["contribution_id"]:
                item["reactions"] = payload["reactions"]
                if "reacted" in payload:
                    item["reacted"] = payload["reacted"]
    elif name == "proposal":
        proposals = [p for p in state["proposals"] if p["id"] != payload["id"]]
        state["proposals"] = sorted([*proposals, payload], key=lambda p: p["id"])
    elif name == "proposal_removed":
        state["proposals"] = [p for p in state["proposals"] if p["id"] != payload["id"]]
    elif name in {"voting", "tally"}:
        state[name] = payload
    elif name == "statement_vote":
        state["me"]["answers"][str(payload["contribution_id"])] = payload["value"]
    elif name == "perspectives":
        state["perspectives"] = payload
    elif name == "perspectives_me":
        state["me"]["perspectives"] = payload
    elif name == "vote":
        votes = state["me"]["votes"]
        key = str(payload["proposal_id"])
        if payload["value"] == 0 and state["voting"]["method"] == "dots":
            votes.pop(key, None)
        else:
            votes[key] = payload["value"]
        state["me"]["remaining"] = payload["remaining"]
    return state


def comparable(state: dict[str, Any]) -> dict[str, Any]:
    """What must match: the clock and who is online move on their own."""
    result = copy.deepcopy(state)
    result["timer"].pop("now")
    result.pop("presence")
    return result
