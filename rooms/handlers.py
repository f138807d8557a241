"""The /live events: each parses, is authorised by ``write``, calls one operation, acks."""

from __future__ import annotations

import functools
from typing import Any, Literal

from pydantic import Field

from facilitate.actions import operations as action_ops
from facilitate.i18n import select_locale
from facilitate.live import operations as live_ops
from facilitate.live.models import LANGUAGE_MAX, Participant
from facilitate.live.views_json import screen_json
from facilitate.live.writes import WriteRecord
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings.models import Meeting
from facilitate.perspectives import operations as perspectives_ops
from facilitate.proposals import operations as proposal_ops

from . import perspectives
from .connections import Connection
from .engine import (
    ANYONE,
    FACILITATOR,
    PARTICIPANT,
    ROOM,
    STAFF,
    Write,
    after_commit,
    lean_write,
    mark_tally,
    online_participants,
    participant_of,
    resync,
    write,
)

Ack = dict[str, Any]


class ContributionAdd(Write):
    text: str
    kind: str | None = None
    on_behalf: bool = False
    #: The language it is written in, when the writer says; otherwise guessed.
    language: str | None = Field(default=None, max_length=LANGUAGE_MAX)


class ContributionTranslate(Write):
    id: int
    text: str
    language: str | None = Field(default=None, max_length=LANGUAGE_MAX)


class ContributionEdit(Write):
    id: int
    text: str


class ById(Write):
    id: int


class Hide(Write):
    id: int
    reason: str


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


class HandGive(Write):
    """A hand in the queue, by its ``id``; or a resident's by ``participant_id``."""

    participant_id: int | None = None
    id: int | None = None


class HandRaiseFor(Write):
    #: Who it is for: a name, or where they sit ("person at table 3").
    label: str


class ScreenSet(Write):
    """Any of the three; what is left out stays as it is (``language: null`` is the
    original only)."""

    language: str | None = Field(default=None, max_length=LANGUAGE_MAX)
    mode: str | None = Field(default=None, max_length=20)
    theme: str | None = Field(default=None, max_length=20)


class GroupsSplit(Write):
    count: int
    by: Literal["random", "area"] | None = None


class Notice(Write):
    text: str


@write("contribution_add", ContributionAdd, ANYONE)
def contribution_add(
    conn: Connection, meeting: Meeting, participant: Participant | None, p: ContributionAdd
) -> Ack:
    on_behalf = p.on_behalf or participant is None
    made = live_ops.add_contribution(
        meeting,
        conn.viewer,
        participant,
        p.text,
        p.kind,
        on_behalf=on_behalf,
        language=p.language,
        writer_language=select_locale(),  # the handshake's cookie and Accept-Language
    )
    return {"id": made.id, "language": made.language}


@write("contribution_edit", ContributionEdit, PARTICIPANT)
def contribution_edit(
    conn: Connection, meeting: Meeting, participant: Participant | None, p: ContributionEdit
) -> Ack:
    live_ops.edit_contribution(meeting, participant, p.id, p.text)
    return {"id": p.id}


@write("contribution_delete", ById, PARTICIPANT)
def contribution_delete(
    conn: Connection, meeting: Meeting, participant: Participant | None, p: ById
) -> Ack:
    live_ops.delete_contribution(meeting, participant, p.id)
    return {"id": p.id}


@write("reaction_add", OnContribution, PARTICIPANT)
def reaction_add(
    conn: Connection, meeting: Meeting, participant: Participant | None, p: OnContribution
) -> Ack:
    made = live_ops.set_reaction(meeting, conn.viewer, participant, p.contribution_id, True)
    return {"contribution_id": made.id, "reactions": len(made.reactions)}


@write("reaction_remove", OnContribution, PARTICIPANT)
def reaction_remove(
    conn: Connection, meeting: Meeting, participant: Participant | None, p: OnContribution
) -> Ack:
    made = live_ops.set_reaction(meeting, conn.viewer, participant, p.contribution_id, False)
    return {"contribution_id": made.id, "reactions": len(made.reactions)}


@write("hand_raise", Write, PARTICIPANT)
def hand_raise(
    conn: Connection, meeting: Meeting, participant: Participant | None, p: Write
) -> Ack:
    live_ops.raise_hand(meeting, participant)
    return {}


@write("hand_lower", Write, PARTICIPANT)
def hand_lower(
    conn: Connection, meeting: Meeting, participant: Participant | None, p: Write
) -> Ack:
    live_ops.lower_hand(meeting, participant)
    return {}


# -- facilitator ---------------------------------------------------------------------------


@write("meeting_open", Write, FACILITATOR)
def meeting_open(conn: Connection, meeting: Meeting, _: Participant | None, p: Write) -> Ack:
    live_ops.open_meeting(meeting)
    return {}


@write("meeting_close", Write, FACILITATOR)
def meeting_close(conn: Connection, meeting: Meeting, _: Participant | None, p: Write) -> Ack:
    live_ops.close_meeting(meeting)
    return {}


@write("phase_goto", PhaseGoto, FACILITATOR)
def phase_goto(conn: Connection, meeting: Meeting, _: Participant | None, p: PhaseGoto) -> Ack:
    live_ops.goto_phase(meeting, p.index)
    return {"current_phase": p.index}


@write("timer_start", TimerStart, FACILITATOR)
def timer_start(conn: Connection, meeting: Meeting, _: Participant | None, p: TimerStart) -> Ack:
    live_ops.start_timer(meeting, p.seconds)
    return {}


@write("timer_pause", Write, FACILITATOR)
def timer_pause(conn: Connection, meeting: Meeting, _: Participant | None, p: Write) -> Ack:
    live_ops.check_open(meeting)
    live_ops.pause_timer(meeting)
    return {}


@write("timer_add", TimerAdd, FACILITATOR)
def timer_add(conn: Connection, meeting: Meeting, _: Participant | None, p: TimerAdd) -> Ack:
    live_ops.add_time(meeting, p.seconds)
    return {}


@write("contribution_hide", Hide, FACILITATOR)
def contribution_hide(conn: Connection, meeting: Meeting, _: Participant | None, p: Hide) -> Ack:
    live_ops.hide_contribution(meeting, p.id, p.reason)
    return {"id": p.id}


@write("contribution_show", ById, FACILITATOR)
def contribution_show(conn: Connection, meeting: Meeting, _: Participant | None, p: ById) -> Ack:
    live_ops.show_contribution(meeting, p.id)
    return {"id": p.id}


@write("contribution_approve", ById, STAFF)
def contribution_approve(conn: Connection, meeting: Meeting, _: Participant | None, p: ById) -> Ack:
    live_ops.approve_contribution(meeting, p.id)
    return {"id": p.id}


class PremoderationSet(Write):
    on: bool


@write("premoderation_set", PremoderationSet, FACILITATOR)
def premoderation_set(
    conn: Connection, meeting: Meeting, _: Participant | None, p: PremoderationSet
) -> Ack:
    meeting_ops.set_premoderation(meeting, p.on)
    return {"premoderation": meeting.premoderation}


class QuestionAnswer(Write):
    id: int
    answered: bool = True


@write("question_answer", QuestionAnswer, FACILITATOR)
def question_answer(
    conn: Connection, meeting: Meeting, _: Participant | None, p: QuestionAnswer
) -> Ack:
    made = live_ops.answer_question(meeting, p.id, p.answered)
    return {"id": p.id, "answered": made.answered}


@write("contribution_translate", ContributionTranslate, STAFF)
def contribution_translate(
    conn: Connection, meeting: Meeting, _: Participant | None, p: ContributionTranslate
) -> Ack:
    made = live_ops.translate_contribution(meeting, p.id, p.text, p.language)
    return {"id": p.id, "language": made.translation_language}


@write("contribution_pin", ById, FACILITATOR)
def contribution_pin(conn: Connection, meeting: Meeting, _: Participant | None, p: ById) -> Ack:
    made = live_ops.pin_contribution(meeting, p.id)
    return {"id": p.id, "pinned": made.pinned}


@write("hand_give", HandGive, FACILITATOR)
def hand_give(conn: Connection, meeting: Meeting, _: Participant | None, p: HandGive) -> Ack:
    live_ops.give_hand(meeting, p.participant_id, hand_id=p.id)
    return {}


@write("hand_raise_for", HandRaiseFor, STAFF)
def hand_raise_for(
    conn: Connection, meeting: Meeting, _: Participant | None, p: HandRaiseFor
) -> Ack:
    return {"id": live_ops.raise_hand_for(meeting, p.label).id}


@write("hand_lower_for", ById, STAFF)
def hand_lower_for(conn: Connection, meeting: Meeting, _: Participant | None, p: ById) -> Ack:
    live_ops.lower_hand_for(meeting, p.id)
    return {"id": p.id}


@write("screen_set", ScreenSet, FACILITATOR)
def screen_set(conn: Connection, meeting: Meeting, _: Participant | None, p: ScreenSet) -> Ack:
    given = {name: getattr(p, name) for name in p.model_fields_set & {"language", "mode", "theme"}}
    live_ops.set_screen(meeting, given)
    # The ack echoes what was set, as the state now has it.
    now = screen_json(meeting)
    return {name: now[name] for name in given}


@write("hand_clear", Write, FACILITATOR)
def hand_clear(conn: Connection, meeting: Meeting, _: Participant | None, p: Write) -> Ack:
    live_ops.clear_hands(meeting)
    return {}


@write("speaker_clear", Write, FACILITATOR)
def speaker_clear(conn: Connection, meeting: Meeting, _: Participant | None, p: Write) -> Ack:
    live_ops.clear_speaker(meeting)
    return {}


@write("groups_split", GroupsSplit, FACILITATOR)
def groups_split(conn: Connection, meeting: Meeting, _: Participant | None, p: GroupsSplit) -> Ack:
    online = online_participants(meeting.id)  # on every instance
    seating = live_ops.split_groups(meeting, p.count, p.by, online)
    _after_commit_resync(meeting.id)
    return {"count": p.count, "groups": {str(k): v for k, v in seating.items()}}


@write("groups_end", Write, FACILITATOR)
def groups_end(conn: Connection, meeting: Meeting, _: Participant | None, p: Write) -> Ack:
    live_ops.end_groups(meeting)
    _after_commit_resync(meeting.id)
    return {}


@write("notice", Notice, FACILITATOR)
def notice(conn: Connection, meeting: Meeting, _: Participant | None, p: Notice) -> Ack:
    live_ops.send_notice(meeting, p.text)
    return {}


@write("participant_block", OnParticipant, FACILITATOR)
def participant_block(
    conn: Connection, meeting: Meeting, _: Participant | None, p: OnParticipant
) -> Ack:
    live_ops.block_participant(meeting, p.participant_id)
    # Their answers leave the analysis (perspectives.queries.answers): the room's map is
    # made again without them, whether or not they wrote anything the wall shows. Their
    # votes leave the tally (proposals.tally) the same way.
    after_commit(functools.partial(perspectives.mark, meeting.id))
    after_commit(functools.partial(mark_tally, meeting.id))
    return {}


@write("participant_erase", OnParticipant, FACILITATOR)
def participant_erase(
    conn: Connection, meeting: Meeting, _: Participant | None, p: OnParticipant
) -> Ack:
    return {"erased": live_ops.erase_participant(meeting, p.participant_id)}


def _after_commit_resync(meeting_id: int) -> None:
    """Walls change wholesale when groups start or end: everyone gets a fresh ``state``."""
    after_commit(lambda: resync(meeting_id))


# -- proposals and votes -------------------------------------------------------------------


class ProposalAdd(Write):
    title: str
    body: str | None = None


class ProposalPromote(Write):
    contribution_id: int
    title: str | None = None


class ProposalEdit(Write):
    id: int
    title: str | None = None
    body: str | None = None


class ProposalMerge(Write):
    ids: list[int] = Field(max_length=100)
    into: int


class VotingOpen(Write):
    proposal_ids: list[int] | None = Field(default=None, max_length=200)


class VoteCast(Write):
    proposal_id: int
    value: int


class PaperVotesAdd(Write):
    proposal_id: int
    counts: dict[str, int] = Field(max_length=10)


class ProposalDecide(Write):
    proposal_id: int
    outcome: str
    note: str | None = None


@write("proposal_add", ProposalAdd, ROOM)
def proposal_add(
    conn: Connection, meeting: Meeting, participant: Participant | None, p: ProposalAdd
) -> Ack:
    made = proposal_ops.add_proposal(meeting, conn.viewer, participant, p.title, p.body)
    return {"id": made.id}


@write("proposal_promote", ProposalPromote, FACILITATOR)
def proposal_promote(
    conn: Connection, meeting: Meeting, _: Participant | None, p: ProposalPromote
) -> Ack:
    made = proposal_ops.promote_contribution(meeting, conn.viewer, p.contribution_id, p.title)
    return {"id": made.id}


@write("proposal_approve", ById, STAFF)
def proposal_approve(conn: Connection, meeting: Meeting, _: Participant | None, p: ById) -> Ack:
    proposal_ops.approve_proposal(meeting, p.id)
    return {"id": p.id}


@write("proposal_reject", Hide, FACILITATOR)
def proposal_reject(conn: Connection, meeting: Meeting, _: Participant | None, p: Hide) -> Ack:
    proposal_ops.reject_proposal(meeting, p.id, p.reason)
    return {"id": p.id}


@write("proposal_edit", ProposalEdit, FACILITATOR)
def proposal_edit(
    conn: Connection, meeting: Meeting, _: Participant | None, p: ProposalEdit
) -> Ack:
    proposal_ops.edit_proposal(meeting, p.id, p.title, p.body)
    return {"id": p.id}


@write("proposal_merge", ProposalMerge, FACILITATOR)
def proposal_merge(
    conn: Connection, meeting: Meeting, _: Participant | None, p: ProposalMerge
) -> Ack:
    into = proposal_ops.merge_proposals(meeting, p.ids, p.into)
    # Ballots moved between proposals: tallies and each voter's own picture change,
    # in this meeting and in the one ``into`` belongs to.
    for meeting_id in {meeting.id, into.meeting_id}:
        after_commit(functools.partial(mark_tally, meeting_id))
        _after_commit_resync(meeting_id)
    return {"id": into.id}


@write("voting_open", VotingOpen, FACILITATOR)
def voting_open(conn: Connection, meeting: Meeting, _: Participant | None, p: VotingOpen) -> Ack:
    ids = proposal_ops.open_voting(meeting, p.proposal_ids)
    _after_commit_resync(meeting.id)  # each phone's ballot and dots left, afresh
    return {"proposal_ids": ids}


@write("voting_close", Write, FACILITATOR)
def voting_close(conn: Connection, meeting: Meeting, _: Participant | None, p: Write) -> Ack:
    proposal_ops.close_voting(meeting)
    _after_commit_resync(meeting.id)
    return {}


def _vote_now(conn: Connection, p: VoteCast) -> dict[str, dict[str, Any]]:
    vote = proposal_ops.vote_now(participant_of(conn), p.proposal_id)
    return {} if vote is None else {"vote": vote}


@lean_write("vote_cast", VoteCast, PARTICIPANT, again=_vote_now)
def vote_cast(conn: Connection, p: VoteCast, record: WriteRecord) -> Ack:
    remaining = proposal_ops.vote(participant_of(conn), p.proposal_id, p.value, record)
    after_commit(functools.partial(mark_tally, conn.viewer.meeting_id))
    return {} if remaining is None else {"remaining": remaining}


@write("paper_votes_add", PaperVotesAdd, STAFF)
def paper_votes_add(
    conn: Connection, meeting: Meeting, _: Participant | None, p: PaperVotesAdd
) -> Ack:
    proposal_ops.add_paper_votes(meeting, conn.viewer, p.proposal_id, p.counts)
    after_commit(functools.partial(mark_tally, meeting.id))
    return {}


@write("proposal_decide", ProposalDecide, FACILITATOR)
def proposal_decide(
    conn: Connection, meeting: Meeting, _: Participant | None, p: ProposalDecide
) -> Ack:
    item = action_ops.decide(meeting, conn.viewer, p.proposal_id, p.outcome, p.note)
    return {"action_id": item.id if item is not None else None}


# -- perspectives --------------------------------------------------------------------------


class StatementVote(Write):
    contribution_id: int
    value: int


class StatementQuote(Write):
    note_id: int


@write("statement_vote", StatementVote, PARTICIPANT)
def statement_vote(
    conn: Connection, meeting: Meeting, participant: Participant | None, p: StatementVote
) -> Ack:
    perspectives_ops.answer_statement(meeting, participant, p.contribution_id, p.value)
    after_commit(functools.partial(perspectives.mark, meeting.id))
    return {"contribution_id": p.contribution_id, "value": p.value}


@write("statement_quote", StatementQuote, FACILITATOR)
def statement_quote(
    conn: Connection, meeting: Meeting, _: Participant | None, p: StatementQuote
) -> Ack:
    return {"id": perspectives_ops.quote_statement(meeting, conn.viewer, p.note_id).id}
