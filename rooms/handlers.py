"""The /live events: each parses, is authorised by ``write``, calls one operation, acks."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from facilitate.live import room
from facilitate.live.models import Participant
from facilitate.meetings.models import Meeting

from .connections import Connection, registry
from .engine import ANYONE, FACILITATOR, PARTICIPANT, Write, after_commit, resync, write

Ack = dict[str, Any]


class ContributionAdd(Write):
    text: str = Field(max_length=2000)
    kind: str | None = None
    on_behalf: bool = False


class ContributionEdit(Write):
    id: int
    text: str = Field(max_length=2000)


class ById(Write):
    id: int


class Hide(Write):
    id: int
    reason: str = Field(max_length=1000)


class OnContribution(Write):
    contribution_id: int


class PhaseGoto(Write):
    index: int


class TimerStart(Write):
    seconds: int | None = None


class TimerAdd(Write):
    seconds: int


class OnParticipant(Write):
    participant_id: int


class GroupsSplit(Write):
    count: int
    by: Literal["random", "area"] | None = None


class Notice(Write):
    text: str = Field(max_length=1000)


@write("contribution_add", ContributionAdd, ANYONE)
def contribution_add(
    conn: Connection, meeting: Meeting, participant: Participant | None, p: ContributionAdd
) -> Ack:
    on_behalf = p.on_behalf or participant is None
    made = room.add_contribution(
        meeting, conn.viewer, participant, p.text, p.kind, on_behalf=on_behalf
    )
    return {"id": made.id}


@write("contribution_edit", ContributionEdit, PARTICIPANT)
def contribution_edit(
    conn: Connection, meeting: Meeting, participant: Participant | None, p: ContributionEdit
) -> Ack:
    room.edit_contribution(meeting, participant, p.id, p.text)
    return {"id": p.id}


@write("contribution_delete", ById, PARTICIPANT)
def contribution_delete(
    conn: Connection, meeting: Meeting, participant: Participant | None, p: ById
) -> Ack:
    room.delete_contribution(meeting, participant, p.id)
    return {"id": p.id}


@write("reaction_add", OnContribution, PARTICIPANT)
def reaction_add(
    conn: Connection, meeting: Meeting, participant: Participant | None, p: OnContribution
) -> Ack:
    made = room.set_reaction(meeting, conn.viewer, participant, p.contribution_id, True)
    return {"contribution_id": made.id, "reactions": len(made.reactions)}


@write("reaction_remove", OnContribution, PARTICIPANT)
def reaction_remove(
    conn: Connection, meeting: Meeting, participant: Participant | None, p: OnContribution
) -> Ack:
    made = room.set_reaction(meeting, conn.viewer, participant, p.contribution_id, False)
    return {"contribution_id": made.id, "reactions": len(made.reactions)}


@write("hand_raise", Write, PARTICIPANT)
def hand_raise(
    conn: Connection, meeting: Meeting, participant: Participant | None, p: Write
) -> Ack:
    room.raise_hand(meeting, participant)
    return {}


@write("hand_lower", Write, PARTICIPANT)
def hand_lower(
    conn: Connection, meeting: Meeting, participant: Participant | None, p: Write
) -> Ack:
    room.lower_hand(meeting, participant)
    return {}


# -- facilitator ---------------------------------------------------------------------------


@write("meeting_open", Write, FACILITATOR)
def meeting_open(conn: Connection, meeting: Meeting, _: Participant | None, p: Write) -> Ack:
    room.open_meeting(meeting)
    return {}


@write("meeting_close", Write, FACILITATOR)
def meeting_close(conn: Connection, meeting: Meeting, _: Participant | None, p: Write) -> Ack:
    room.close_meeting(meeting)
    return {}


@write("phase_goto", PhaseGoto, FACILITATOR)
def phase_goto(conn: Connection, meeting: Meeting, _: Participant | None, p: PhaseGoto) -> Ack:
    room.goto_phase(meeting, p.index)
    return {"current_phase": p.index}


@write("timer_start", TimerStart, FACILITATOR)
def timer_start(conn: Connection, meeting: Meeting, _: Participant | None, p: TimerStart) -> Ack:
    room.start_timer(meeting, p.seconds)
    return {}


@write("timer_pause", Write, FACILITATOR)
def timer_pause(conn: Connection, meeting: Meeting, _: Participant | None, p: Write) -> Ack:
    room.check_open(meeting)
    room.pause_timer(meeting)
    return {}


@write("timer_add", TimerAdd, FACILITATOR)
def timer_add(conn: Connection, meeting: Meeting, _: Participant | None, p: TimerAdd) -> Ack:
    room.add_time(meeting, p.seconds)
    return {}


@write("contribution_hide", Hide, FACILITATOR)
def contribution_hide(conn: Connection, meeting: Meeting, _: Participant | None, p: Hide) -> Ack:
    room.hide_contribution(meeting, p.id, p.reason)
    return {"id": p.id}


@write("contribution_show", ById, FACILITATOR)
def contribution_show(conn: Connection, meeting: Meeting, _: Participant | None, p: ById) -> Ack:
    room.show_contribution(meeting, p.id)
    return {"id": p.id}


@write("contribution_pin", ById, FACILITATOR)
def contribution_pin(conn: Connection, meeting: Meeting, _: Participant | None, p: ById) -> Ack:
    made = room.pin_contribution(meeting, p.id)
    return {"id": p.id, "pinned": made.pinned}


@write("hand_give", OnParticipant, FACILITATOR)
def hand_give(conn: Connection, meeting: Meeting, _: Participant | None, p: OnParticipant) -> Ack:
    room.give_hand(meeting, p.participant_id)
    return {}


@write("hand_clear", Write, FACILITATOR)
def hand_clear(conn: Connection, meeting: Meeting, _: Participant | None, p: Write) -> Ack:
    room.clear_hands(meeting)
    return {}


@write("groups_split", GroupsSplit, FACILITATOR)
def groups_split(conn: Connection, meeting: Meeting, _: Participant | None, p: GroupsSplit) -> Ack:
    online = registry.online_participants(meeting.id)
    seating = room.split_groups(meeting, p.count, p.by, online)
    _after_commit_resync(meeting.id)
    return {"count": p.count, "groups": {str(k): v for k, v in seating.items()}}


@write("groups_end", Write, FACILITATOR)
def groups_end(conn: Connection, meeting: Meeting, _: Participant | None, p: Write) -> Ack:
    room.end_groups(meeting)
    _after_commit_resync(meeting.id)
    return {}


@write("notice", Notice, FACILITATOR)
def notice(conn: Connection, meeting: Meeting, _: Participant | None, p: Notice) -> Ack:
    room.send_notice(meeting, p.text)
    return {}


@write("participant_block", OnParticipant, FACILITATOR)
def participant_block(
    conn: Connection, meeting: Meeting, _: Participant | None, p: OnParticipant
) -> Ack:
    room.block_participant(meeting, p.participant_id)
    return {}


def _after_commit_resync(meeting_id: int) -> None:
    """Walls change wholesale when groups start or end: everyone gets a fresh ``state``."""
    after_commit(lambda: resync(meeting_id))
