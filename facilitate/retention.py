"""Keeping residents' words only as long as a dialogue says: archive, then purge.

``archive`` writes the whole record of a dialogue (JSON, and a PDF to file); ``purge``
then removes what ties the record to people, and the free text, for everything older
than the dialogue's ``retention_months``: names, tokens and every column that holds
residents' words (``Holds.resident_words`` in ``db.py``: contributions, their translations
and hidden reasons, conversation notes) go; districts, age bands, counts, proposals,
tallies and the action list stay. The e-mail addresses that follow the dialogue
(``mail``) are deleted with their reminders and mail; an archive never holds them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from typing import Any, cast

import sqlalchemy as sa

from .actions import exports
from .actions import operations as action_ops
from .db import Base, resident_words, scrub_after_commit, session, utcnow, word_models
from .dialogues.models import Dialogue
from .intake.models import Conversation, Note
from .live.models import ClientWrite, Contribution, Hand, Participant
from .mail import operations as mail_ops
from .mail.models import OutboxMail, Reminder, Subscription
from .meetings import queries as meeting_queries
from .meetings.models import Meeting
from .proposals import operations as proposal_ops
from .proposals.models import Proposal
from .proposals.tally import tally


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day ``months`` calendar months earlier (clamped to the month's last day)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _meetings(dialogue: Dialogue) -> list[Meeting]:
    return [m for theme in dialogue.themes for m in meeting_queries.of_theme(theme)]


def archive_data(dialogue: Dialogue) -> dict[str, Any]:
    """Everything stored about a dialogue, as plain data; who voted what is never in it."""
    meetings = []
    for meeting in _meetings(dialogue):
        people = session().scalars(
            sa.select(Participant).where(Participant.meeting_id == meeting.id)
        )
        contributions = session().scalars(
            sa.select(Contribution)
            .where(Contribution.meeting_id == meeting.id)
            .order_by(Contribution.id)
        )
        meetings.append(
            {
                "id": meeting.id,
                "theme_id": meeting.theme_id,
                "title": meeting.title,
                "starts_at": meeting.starts_at,
                "place": meeting.place,
                "status": meeting.status.value,
                "agenda": [{"title": p.title, "prompt": p.prompt} for p in meeting.phases],
                "participants": [
                    {
                        "id": p.id,
                        "name": p.display_name,
                        "area": p.area.name if p.area is not None else None,
                        "age_band": p.age_band.value if p.age_band is not None else None,
                        "joined_at": p.joined_at,
                    }
                    for p in people
                ],
                "contributions": [
                    {
                        "id": c.id,
                        "phase": c.phase,
                        "participant_id": c.participant_id,
                        "on_behalf": c.on_behalf,
                        "text": c.text,
                        "kind": c.kind.value,
                        "hidden": c.hidden,
                        "reason": c.hidden_reason,
                        "deleted": c.deleted,
                        "reactions": len(c.reactions),
                        "created_at": c.created_at,
                    }
                    for c in contributions
                ],
                "proposals": [
                    proposal_ops.proposal_json(p)
                    for p in session().scalars(
                        sa.select(Proposal).where(Proposal.meeting_id == meeting.id)
                    )
                ],
                "tally": tally(meeting) if meeting.voting_status is not None else None,
            }
        )
    return {
        "dialogue": {
            "id": dialogue.id,
            "title": dialogue.title,
            "description": dialogue.description,
            "retention_months": dialogue.retention_months,
            "areas": [a.name for a in dialogue.areas],
            "themes": [{"id": t.id, "title": t.title} for t in dialogue.themes],
        },
        "meetings": meetings,
        "actions": [action_ops.item_json(i) for i in action_ops.list_items(dialogue)],
        "archived_at": utcnow(),
    }


def archive_pdf(dialogue: Dialogue) -> bytes:
    """The printable part of the archive: every meeting's words, then the action list."""
    columns = [exports.Column("phase", "#"), exports.Column("text", "Text")]
    groups = []
    for meeting in _meetings(dialogue):
        rows = session().scalars(
            sa.select(Contribution)
            .where(Contribution.meeting_id == meeting.id, Contribution.deleted.is_(False))
            .order_by(Contribution.id)
        )
        groups.append((meeting.title, [{"phase": c.phase + 1, "text": c.text} for c in rows]))
    return exports.to_pdf(groups, columns, title=dialogue.title, subtitle="Archive")


Older = Callable[[Dialogue, list[int], dt.datetime], sa.ColumnElement[bool]]

#: For each model that holds residents' words, its rows of a dialogue from before a
#: moment. Purge refuses to run while a model with residents' words is missing here,
#: rather than leave a copy of them behind.
OLDER: dict[type[Base], Older] = {
    Contribution: lambda _, meeting_ids, cutoff: sa.and_(
        Contribution.meeting_id.in_(meeting_ids), Contribution.created_at < cutoff
    ),
    Note: lambda dialogue, _, cutoff: Note.conversation_id.in_(
        sa.select(Conversation.id).where(
            Conversation.dialogue_id == dialogue.id, Conversation.created_at < cutoff
        )
    ),
}

#: Models of residents' identity that purge deletes whole, as selects of their rows of a
#: dialogue from before a moment (beside the participants, whose names and tokens it
#: replaces). ``tests/test_db.py`` fails on a model with ``Holds.resident_identity``
#: columns found in neither place.
FORGOTTEN: dict[type[Base], Callable[[Dialogue, dt.datetime], sa.Select[int]]] = {
    Subscription: lambda dialogue, cutoff: sa.select(Subscription.id).where(
        Subscription.dialogue_id == dialogue.id, Subscription.created_at < cutoff
    ),
}
#: Deleted with the subscription they belong to (``mail_ops.erase``).
FORGOTTEN_WITH = {OutboxMail: Subscription, Reminder: Subscription}
#: Whose identity columns purge replaces in place.
REPLACED = (Participant,)
#: Deleted outright for the purged meetings (a hand may carry a label a note-taker typed
#: for someone without a phone: a name).
DELETED = (Hand,)

#: Links to people that purge cuts in the rows it clears, beside the words.
UNLINKED: dict[type[Base], dict[str, None]] = {
    Contribution: {"participant_id": None, "author_user_id": None},
}


def purge(dialogue: Dialogue, *, now: dt.datetime | None = None) -> dict[str, int]:
    """Remove names, links and free text older than the dialogue's retention period."""
    missing = [model.__name__ for model in word_models() if model not in OLDER]
    if missing:
        raise LookupError(f"purge cannot find the old rows of {', '.join(missing)}")
    cutoff = months_before(now or utcnow(), dialogue.retention_months)
    meeting_ids = [m.id for m in _meetings(dialogue)]
    cleared = {
        str(model.__tablename__): _clear(model, OLDER[model](dialogue, meeting_ids, cutoff))
        for model in word_models()
    }
    old_people = list(
        session().scalars(
            sa.select(Participant).where(
                Participant.meeting_id.in_(meeting_ids),
                Participant.joined_at < cutoff,
            )
        )
    )
    named = any(person.display_name for person in old_people)
    for person in old_people:
        # A random hash no token can match: the phone's cookie leads nowhere any more.
        person.token_hash = hashlib.sha256(secrets.token_bytes(32)).hexdigest()
        person.display_name = ""
    session().execute(
        sa.update(Proposal)
        .where(Proposal.meeting_id.in_(meeting_ids), Proposal.created_at < cutoff)
        .values(participant_id=None)
    )
    hands = _changed(
        sa.delete(Hand).where(Hand.meeting_id.in_(meeting_ids), Hand.raised_at < cutoff)
    )
    actors = [f"p{p.id}" for p in old_people]
    writes = _changed(sa.delete(ClientWrite).where(ClientWrite.actor.in_(actors))) if actors else 0
    followers = mail_ops.erase(FORGOTTEN[Subscription](dialogue, cutoff))
    session().flush()
    # Only when something was said or named: a purge run again on the same old rows (it
    # re-randomises their token hashes) does not rewrite the tables every time.
    if any(cleared.values()) or named:
        scrub_after_commit(*cleared, Participant.__tablename__, full=True)
    if followers:
        scrub_after_commit(Subscription.__tablename__, OutboxMail.__tablename__, full=True)
    return {
        "contributions": cleared["contributions"],
        "participants": len(old_people),
        "hands": hands,
        "writes": writes,
        "notes": cleared["notes"],
        "followers": followers,
    }


def _clear(model: type[Base], older: sa.ColumnElement[bool]) -> int:
    """Clear the words (and cut the links) of ``model``'s old rows; how many changed."""
    words = resident_words(model)
    links = UNLINKED.get(model, {})
    still_there = [getattr(model, key) != "" for key in words]
    still_there += [getattr(model, key).is_not(None) for key in links]
    return _changed(sa.update(model).where(older, sa.or_(*still_there)).values({**words, **links}))


def _changed(statement: sa.Executable) -> int:
    result = cast("sa.CursorResult[Any]", session().execute(statement))
    return result.rowcount
