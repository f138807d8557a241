"""Joining a meeting: a participant token instead of an account.

The token is minted here, handed to the phone once (cookie or API answer) and
stored only as its hash, like API tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import TypeGuard

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from facilitate.db import HotStatement, event_connection, session
from facilitate.dialogues.operations import find_area
from facilitate.errors import Conflict, NotFound, ValidationError
from facilitate.meetings.models import Meeting, MeetingStatus
from facilitate.meetings.operations import normalise_join_code
from facilitate.validation import check_optional_text

from .models import DISPLAY_NAME_MAX, AgeBand, Participant

TOKEN_PREFIX = "fcp_"  # noqa: S105 -- a marker that tells tokens apart, not a secret


def cookie_name(meeting_id: int) -> str:
    """One cookie per meeting, so a phone can be in two meetings' rooms."""
    return f"fcp_{meeting_id}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def meeting_for_code(raw_code: str | None) -> Meeting:
    """The open meeting with this join code; unknown, malformed, draft and closed all look alike."""
    code = normalise_join_code(raw_code)
    meeting = (
        session().scalar(sa.select(Meeting).where(Meeting.join_code == code)) if code else None
    )
    if meeting is None or meeting.status is not MeetingStatus.open or meeting.is_archived:
        raise NotFound(_l("No open meeting has this code."), field="join_code")
    return meeting


def check_age_band(value: str | None) -> AgeBand | None:
    if not value:
        return None
    try:
        return AgeBand(value)
    except ValueError:
        raise ValidationError(_l("Unknown age band."), field="age_band") from None


def join(
    meeting: Meeting,
    *,
    display_name: str | None = None,
    area: str | None = None,
    age_band: str | None = None,
) -> tuple[Participant, str]:
    """Add a participant to an open meeting; returns it and its token (shown only now)."""
    name = check_optional_text(display_name, field="display_name", max_length=DISPLAY_NAME_MAX)
    band = check_age_band(age_band)
    area_row = find_area(meeting.theme.dialogue, area) if area else None
    limit: int = current_app.config["MAX_PARTICIPANTS"]
    count = session().scalar(
        sa.select(sa.func.count(Participant.id)).where(
            Participant.meeting_id == meeting.id, Participant.imported.is_(False)
        )
    )
    if (count or 0) >= limit:
        raise Conflict(_l("This meeting is full."), code="meeting_full")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    participant = Participant(
        meeting=meeting,
        token_hash=token_hash(token),
        display_name=name,
        area=area_row,
        age_band=band,
    )
    session().add(participant)
    session().flush()
    return participant, token


def _is_token(token: str | None) -> TypeGuard[str]:
    return token is not None and token.startswith(TOKEN_PREFIX)


def _by_token(token: str | None) -> sa.ColumnElement[bool] | None:
    return Participant.token_hash == token_hash(token) if _is_token(token) else None


def participant_for_token(
    token: str | None, *, meeting_id: int | None = None
) -> Participant | None:
    """The participant this token belongs to (of ``meeting_id`` when given), or ``None``."""
    match = _by_token(token)
    participant = (
        session().scalar(sa.select(Participant).where(match)) if match is not None else None
    )
    if participant is None or (meeting_id is not None and participant.meeting_id != meeting_id):
        return None
    return participant


@dataclass(frozen=True)
class Seat:
    """A participant as a live connection needs them, read in one query without the ORM's
    rows: a thousand phones connecting at once each cost one index lookup."""

    participant_id: int
    meeting_id: int
    group: int | None
    meeting_status: MeetingStatus
    groups_running: bool


_SEAT = HotStatement(
    sa.select(
        Participant.id,
        Participant.meeting_id,
        Participant.group,
        Meeting.status,
        Meeting.groups_count.is_not(None),
    )
    .join(Meeting, Meeting.id == Participant.meeting_id)
    .where(Participant.token_hash == sa.bindparam("token_hash"))
)


def seat_for_token(token: str | None, *, meeting_id: int | None = None) -> Seat | None:
    """``participant_for_token``'s answer as a ``Seat``."""
    if not _is_token(token):
        return None
    row = _SEAT.first(event_connection(), {"token_hash": token_hash(token)})
    if row is None or (meeting_id is not None and row[1] != meeting_id):
        return None
    return Seat(*row)
