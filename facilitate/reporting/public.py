"""What the public pages of a dialogue show: its upcoming meetings, its calendar, and the
feed of its feedback page. Public, so only what residents may read: titles, times, places
and call links the team wrote, never who took part or what anyone said.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from facilitate.actions.models import ActionItem
from facilitate.db import utcnow
from facilitate.dialogues.models import Dialogue
from facilitate.languages import LANGUAGES, ORIGINAL
from facilitate.meetings import queries as meeting_queries
from facilitate.meetings.models import Meeting, MeetingStatus

#: How long a meeting lasts in a calendar when its agenda adds up to nothing.
DEFAULT_LENGTH = dt.timedelta(hours=1)


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
        for m in meeting_queries.scheduled(dialogue)
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
