"""Reads of meetings that other domains and pages share."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from facilitate.db import session
from facilitate.dialogues.models import Dialogue, Theme

from .models import Meeting, MeetingStatus


def of_theme(theme: Theme) -> list[Meeting]:
    """A theme's meetings in the order they start, archived ones included."""
    return list(
        session().scalars(
            sa.select(Meeting)
            .where(Meeting.theme_id == theme.id)
            .order_by(Meeting.starts_at.is_(None), Meeting.starts_at, Meeting.id)
        )
    )


def public_themes(dialogue: Dialogue) -> list[Theme]:
    """The themes residents may see: not archived, in the dialogue's order."""
    return sorted((t for t in dialogue.themes if not t.is_archived), key=lambda t: t.position)


def scheduled(dialogue: Dialogue) -> list[Meeting]:
    """The meetings residents may see, in the order they start: the public pages, the
    calendars and the e-mail sign-up all offer these and no others.

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


def by_status(meetings: Sequence[Meeting]) -> dict[MeetingStatus, list[Meeting]]:
    """Meetings as the dashboard groups them: upcoming (draft), open, closed; archived ones
    are left out."""
    groups: dict[MeetingStatus, list[Meeting]] = {status: [] for status in MeetingStatus}
    for meeting in meetings:
        if not meeting.is_archived:
            groups[meeting.status].append(meeting)
    return groups
