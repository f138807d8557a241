"""Reads of meetings that other domains and pages share."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from facilitate.db import session
from facilitate.dialogues.models import Theme

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


def by_status(meetings: Sequence[Meeting]) -> dict[MeetingStatus, list[Meeting]]:
    """Meetings as the dashboard groups them: upcoming (draft), open, closed; archived ones
    are left out."""
    groups: dict[MeetingStatus, list[Meeting]] = {status: [] for status in MeetingStatus}
    for meeting in meetings:
        if not meeting.is_archived:
            groups[meeting.status].append(meeting)
    return groups
