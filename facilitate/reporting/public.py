"""What the public pages of a dialogue show: its upcoming meetings, its calendar, and the
feed of its feedback page. Public, so only what residents may read: titles, times, places
and call links the team wrote, never who took part or what anyone said.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from facilitate.actions.models import ActionItem
from facilitate.db import session, utcnow
from facilitate.dialogues.models import Dialogue, Theme
from facilitate.languages import LANGUAGES, ORIGINAL
from facilitate.meetings.models import Meeting, MeetingStatus

#: How long a meeting lasts in a calendar when its agenda adds up to nothing.
DEFAULT_LENGTH = dt.timedelta(hours=1)


def public_themes(dialogue: Dialogue) -> list[Theme]:
    return sorted((t for t in dialogue.themes if not t.is_archived), key=lambda t: t.position)


def scheduled_meetings(dialogue: Dialogue) -> list[Meeting]:
    """The meetings residents may see, in the order they start.

    A meeting is public once it has a time: one without is still being planned (a draft in
    the sense of the public pages; every meeting is ``MeetingStatus.draft`` until it
    opens, so that status alone cannot tell). Archived meetings, and meetings of archived
    themes, are never shown.
    """
    themes = [t.id for t in public_themes(dialogue)]
    if not themes:
        return []
    return list(
        session().scalars(
            sa.select(Meeting)
            .where(
                Meeting.theme_id.in_(themes),
                Meeting.is_archived.is_(False),
                Meeting.starts_at.is_not(None),
            )
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )


def ends_at(meeting: Meeting) -> dt.datetime:
    """When the meeting ends by its agenda."""
    if meeting.starts_at is None:
        raise ValueError("an unscheduled meeting has no end")
    minutes = sum(phase.minutes for phase in meeting.phases)
    return meeting.starts_at + (dt.timedelta(minutes=minutes) if minutes else DEFAULT_LENGTH)


def upcoming_meetings(dialogue: Dialogue, *, now: dt.datetime | None = None) -> list[Meeting]:
    """Scheduled meetings that have not ended: open now, or not yet over by their agenda."""
    now = now or utcnow()
    return [
        m
        for m in scheduled_meetings(dialogue)
        if m.status is MeetingStatus.open or (m.status is MeetingStatus.draft and ends_at(m) > now)
    ]


def meeting_languages(meeting: Meeting) -> list[str]:
    """The languages a meeting offers: Swedish, which it is written in, and every language
    its welcome text or one of its steps' questions is translated into (meetings made from
    an agenda template have the questions in every language the catalogs have)."""
    offered = {ORIGINAL, *meeting.intro_translations}
    for phase in meeting.phases:
        offered.update(phase.prompt_translations)
    return [code for code in LANGUAGES if code in offered]


@dataclass(frozen=True)
class FeedEntry:
    item: ActionItem
    #: The latest of its creation, its status changes and the last edit of its public note.
    updated: dt.datetime


def feed_entry(item: ActionItem) -> FeedEntry:
    times = [item.created_at, *(change.at for change in item.history)]
    if item.public_note_at is not None:
        times.append(item.public_note_at)
    return FeedEntry(item, max(times))
