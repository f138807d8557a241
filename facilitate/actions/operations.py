"""Decisions on proposals, and the action items agreed ones become (flush, never commit)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from facilitate import events
from facilitate.db import session, utcnow
from facilitate.errors import Conflict, ValidationError
from facilitate.live import audience
from facilitate.live.views_json import Viewer
from facilitate.meetings.models import Meeting
from facilitate.proposals import operations as proposal_ops
from facilitate.proposals.models import NOTE_MAX, ProposalStatus
from facilitate.proposals.tally import tally
from facilitate.validation import check_optional_text

from .models import ActionItem, ActionStatus, ActionStatusChange

OUTCOMES = (ProposalStatus.agreed, ProposalStatus.not_agreed, ProposalStatus.parked)


def check_outcome(value: str) -> ProposalStatus:
    try:
        outcome = ProposalStatus(value)
    except ValueError:
        outcome = None
    if outcome not in OUTCOMES:
        raise ValidationError(_l("The outcome is agreed, not_agreed or parked."), field="outcome")
    assert outcome is not None
    return outcome


def decide(
    meeting: Meeting, viewer: Viewer, proposal_id: int, outcome: str, note: str | None = None
) -> ActionItem | None:
    """Record the room's decision; an agreed proposal becomes an action item of the dialogue."""
    result = check_outcome(outcome)
    proposal = proposal_ops.get_proposal(meeting, proposal_id, field="proposal_id")
    proposal_ops.check_not_in_open_vote(meeting, proposal)
    item = session().scalar(sa.select(ActionItem).where(ActionItem.proposal_id == proposal.id))
    if item is not None and result is not ProposalStatus.agreed:
        if item.status is not ActionStatus.proposed:
            raise Conflict(
                _l("Its action item is already under way; change the item instead."),
                code="action_started",
            )
        session().delete(item)
        item = None
    proposal.status = result
    proposal.decision_note = check_optional_text(note, field="note", max_length=NOTE_MAX)
    proposal.decided_at = utcnow()
    if result is ProposalStatus.agreed and item is None:
        counts = tally(meeting)["proposals"]
        assert isinstance(counts, dict)
        dialogue = meeting.theme.dialogue
        item = ActionItem(
            dialogue_id=dialogue.id,
            theme_id=meeting.theme_id,
            meeting_id=meeting.id,
            proposal_id=proposal.id,
            title=proposal.title,
            description=proposal.body,
            due_date=dialogue.action_deadline,
            tally=counts.get(str(proposal.id)),
        )
        item.history.append(
            ActionStatusChange(
                from_status=None, to_status=ActionStatus.proposed.value, user_id=viewer.user_id
            )
        )
        session().add(item)
    session().flush()
    events.queue("proposal", proposal_ops.proposal_json(proposal), audience.everyone(meeting.id))
    return item
