"""Decisions on proposals, and the action items agreed ones become (flush, never commit)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from facilitate import events
from facilitate.db import session, utcnow
from facilitate.dialogues.models import Dialogue, Theme
from facilitate.errors import Conflict, NotFound, ValidationError
from facilitate.live import audience
from facilitate.live.models import Contribution, Participant
from facilitate.live.views_json import Viewer
from facilitate.meetings.models import Meeting
from facilitate.proposals import operations as proposal_ops
from facilitate.proposals.models import NOTE_MAX, Proposal, ProposalStatus
from facilitate.proposals.tally import tally
from facilitate.validation import check_optional_text, check_title

from .models import FIELD_MAX, TEXT_MAX, TITLE_MAX, ActionItem, ActionStatus, ActionStatusChange

OUTCOMES = (ProposalStatus.agreed, ProposalStatus.not_agreed, ProposalStatus.parked)


def check_outcome(value: str) -> ProposalStatus:
    try:
        outcome = ProposalStatus(value)
    except ValueError:
        outcome = None
    if outcome is None or outcome not in OUTCOMES:
        raise ValidationError(_l("The outcome is agreed, not_agreed or parked."), field="outcome")
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


# -- the action list -----------------------------------------------------------------------


STATUS_LABELS = {
    ActionStatus.proposed: _l("Proposed"),
    ActionStatus.accepted: _l("Accepted"),
    ActionStatus.in_progress: _l("In progress"),
    ActionStatus.done: _l("Done"),
    ActionStatus.declined: _l("Declined"),
}
SORTS = ("due_date", "theme", "status", "owner", "title")


@dataclass(frozen=True)
class ItemChanges:
    """What a team member may change; ``None`` leaves a field as it is."""

    owner: str | None = None
    contact: str | None = None
    due_date: dt.date | None = None
    clear_due_date: bool = False
    status: str | None = None
    next_step: str | None = None
    public_note: str | None = None
    title: str | None = None
    description: str | None = None


def get_item(item_id: int) -> ActionItem:
    item = session().get(ActionItem, item_id)
    if item is None:
        raise NotFound(_l("No such action item."))
    return item


def check_status(value: str) -> ActionStatus:
    try:
        return ActionStatus(value)
    except ValueError:
        raise ValidationError(
            _l(
                "Unknown status; one of: %(values)s.",
                values=", ".join(s.value for s in ActionStatus),
            ),
            field="status",
        ) from None


def update_item(item: ActionItem, changes: ItemChanges, *, user_id: int | None) -> ActionItem:
    """Change an item; a status change is kept in its history, and a decline must say why."""
    if changes.title is not None:
        item.title = check_title(changes.title, field="title", max_length=TITLE_MAX)
    if changes.description is not None:
        item.description = check_optional_text(
            changes.description, field="description", max_length=TEXT_MAX
        )
    for name in ("owner", "contact"):
        value = getattr(changes, name)
        if value is not None:
            setattr(item, name, check_optional_text(value, field=name, max_length=FIELD_MAX))
    if changes.next_step is not None:
        item.next_step = check_optional_text(
            changes.next_step, field="next_step", max_length=TEXT_MAX
        )
    if changes.public_note is not None:
        note = check_optional_text(changes.public_note, field="public_note", max_length=TEXT_MAX)
        if note != item.public_note:
            item.public_note = note
            item.public_note_at = utcnow()
    if changes.clear_due_date:
        item.due_date = None
    elif changes.due_date is not None:
        item.due_date = changes.due_date
    if changes.status is not None:
        status = check_status(changes.status)
        if status is ActionStatus.declined and not item.public_note:
            raise ValidationError(
                _l("A declined item says why in its public note."), field="public_note"
            )
        if status is not item.status:
            item.history.append(
                ActionStatusChange(
                    from_status=item.status.value, to_status=status.value, user_id=user_id
                )
            )
            item.status = status
    session().flush()
    return item


@dataclass(frozen=True)
class Filters:
    theme_id: int | None = None
    status: str | None = None
    owner: str | None = None
    area_id: int | None = None
    sort: str = "due_date"


def list_items(dialogue: Dialogue, filters: Filters = Filters()) -> list[ActionItem]:
    """The dialogue's action items, filtered and sorted as the team asks."""
    query = (
        sa.select(ActionItem)
        .where(ActionItem.dialogue_id == dialogue.id)
        .options(selectinload(ActionItem.theme), selectinload(ActionItem.meeting))
    )
    if filters.theme_id is not None:
        query = query.where(ActionItem.theme_id == filters.theme_id)
    if filters.status:
        query = query.where(ActionItem.status == check_status(filters.status))
    if filters.owner:
        query = query.where(sa.func.lower(ActionItem.owner).contains(filters.owner.lower()))
    if filters.area_id is not None:
        # A district's items: those whose proposal came from someone of that district,
        # directly or through the contribution it was promoted from.
        from_area = (
            sa.select(Proposal.id)
            .outerjoin(Contribution, Contribution.id == Proposal.source_contribution_id)
            .join(
                Participant,
                sa.or_(
                    Participant.id == Proposal.participant_id,
                    Participant.id == Contribution.participant_id,
                ),
            )
            .where(Participant.area_id == filters.area_id)
        )
        query = query.where(ActionItem.proposal_id.in_(from_area))
    order = {
        "due_date": (ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id),
        "theme": (Theme.position, ActionItem.id),
        "status": (ActionItem.status, ActionItem.id),
        "owner": (sa.func.lower(ActionItem.owner), ActionItem.id),
        "title": (sa.func.lower(ActionItem.title), ActionItem.id),
    }
    if filters.sort not in order:
        raise ValidationError(
            _l("Sort by one of: %(values)s.", values=", ".join(SORTS)), field="sort"
        )
    if filters.sort == "theme":
        query = query.join(Theme, Theme.id == ActionItem.theme_id)
    return list(session().scalars(query.order_by(*order[filters.sort])))


def sources(item: ActionItem) -> list[str]:
    """The words an item came from: its proposal's source contribution, and those of the
    proposals merged into it."""
    if item.proposal_id is None:
        return []
    proposal_ids = [item.proposal_id]
    proposal_ids += list(
        session().scalars(sa.select(Proposal.id).where(Proposal.merged_into_id == item.proposal_id))
    )
    texts = session().scalars(
        sa.select(Contribution.text)
        .join(Proposal, Proposal.source_contribution_id == Contribution.id)
        .where(
            Proposal.id.in_(proposal_ids),
            Contribution.hidden.is_(False),
            Contribution.waiting.is_(False),
            Contribution.text != "",  # purged after the retention period
        )
        .order_by(Contribution.id)
    )
    return list(texts)


def item_json(item: ActionItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "description": item.description,
        "theme": {"id": item.theme_id, "title": item.theme.title},
        "origin": {
            "meeting_id": item.meeting_id,
            "meeting": item.meeting.title if item.meeting is not None else None,
            "proposal_id": item.proposal_id,
            "sources": sources(item),
            "tally": item.tally,
        },
        "owner": item.owner,
        "contact": item.contact,
        "due_date": item.due_date,
        "status": item.status.value,
        "next_step": item.next_step,
        "public_note": item.public_note,
        "history": [
            {
                "from_status": change.from_status,
                "to_status": change.to_status,
                "at": change.at,
                "user_id": change.user_id,
            }
            for change in item.history
        ],
    }
