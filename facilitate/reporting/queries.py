"""Read-only views of a meeting and a dialogue, shaped for reports; no personal data leaves.

Participation is counted by district and age band with small groups suppressed (see
``facilitate.suppression``): a count under ``SMALL_GROUP`` could point at a person, so it is
shown as "fewer than 5".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from facilitate.actions.models import ActionItem
from facilitate.db import session
from facilitate.dialogues.models import Area, Dialogue, Theme
from facilitate.intake.models import Conversation, Note, NoteTheme
from facilitate.live.models import AgeBand, Contribution, Participant
from facilitate.meetings import queries as meeting_queries
from facilitate.meetings.models import Meeting, MeetingStatus
from facilitate.proposals import operations as proposal_ops
from facilitate.proposals.models import Vote
from facilitate.proposals.tally import tally
from facilitate.suppression import Column, Count, suppress


@dataclass
class Participation:
    joined: int
    by_area: list[Count] = field(default_factory=list)
    by_age: list[Count] = field(default_factory=list)


def _suppressed(counter: Counter[str], order: list[str]) -> list[Count]:
    return [cell for cell in suppress(counter, order).cells if counter[cell.label]]


def participation(meeting: Meeting, *, no_area: str, no_age: str) -> Participation:
    people = list(
        session().scalars(
            sa.select(Participant)
            .where(Participant.meeting_id == meeting.id)
            .options(selectinload(Participant.area))
        )
    )
    areas = Counter(p.area.name if p.area is not None else no_area for p in people)
    ages = Counter(p.age_band.value if p.age_band is not None else no_age for p in people)
    area_order = [*sorted((a for a in areas if a != no_area), key=str.casefold), no_area]
    age_order = [*(band.value for band in AgeBand), no_age]
    return Participation(
        joined=len(people),
        by_area=_suppressed(areas, area_order),
        by_age=_suppressed(ages, age_order),
    )


@dataclass(frozen=True)
class PhaseWords:
    title: str
    contributions: list[tuple[str, int]]  # text, "me too" count


def contributions_by_phase(meeting: Meeting) -> list[PhaseWords]:
    """What was said, step by step; hidden and deleted contributions are left out."""
    rows = list(
        session().scalars(
            sa.select(Contribution)
            .where(
                Contribution.meeting_id == meeting.id,
                Contribution.hidden.is_(False),
                Contribution.deleted.is_(False),
            )
            .options(selectinload(Contribution.reactions))
            .order_by(Contribution.id)
        )
    )
    return [
        PhaseWords(
            phase.title,
            # Purged after the retention period: the text is gone, so is the line.
            [(c.text, len(c.reactions)) for c in rows if c.phase == index and c.text],
        )
        for index, phase in enumerate(meeting.phases)
    ]


def proposals_with_tally(meeting: Meeting) -> list[dict[str, Any]]:
    counts = tally(meeting)["proposals"] if meeting.voting_status is not None else {}
    return [
        {**proposal_ops.proposal_json(p), "tally": counts.get(str(p.id))}
        for p in proposal_ops.visible_proposals(meeting)
    ]


@dataclass(frozen=True)
class ThemeFeedback:
    theme: Theme
    items: list[ActionItem]


def feedback(dialogue: Dialogue) -> list[ThemeFeedback]:
    """Each theme with the initiatives it led to; only what residents may read."""
    themes = sorted((t for t in dialogue.themes if not t.is_archived), key=lambda t: t.position)
    items = list(
        session().scalars(
            sa.select(ActionItem)
            .where(ActionItem.dialogue_id == dialogue.id)
            .order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)
        )
    )
    return [ThemeFeedback(t, [i for i in items if i.theme_id == t.id]) for t in themes]


# -- who is in the room --------------------------------------------------------------------


@dataclass(frozen=True)
class Representation:
    """People by district and by age band, one column per source, each column suppressed."""

    by_area: list[Column]
    by_age: list[Column]
    area_labels: list[str]
    age_labels: list[str]


@dataclass(frozen=True)
class RepresentationFilters:
    theme_id: int | None = None
    channel: str | None = None  # conversations only: meetings have no channel
    role: str | None = None  # conversations only: residents in meetings are not asked


def representation(
    dialogue: Dialogue,
    filters: RepresentationFilters,
    *,
    labels: dict[str, str],
) -> Representation:
    """``labels``: "conversations", "all_meetings", "voted", "no_area", "no_age" as shown."""
    no_area, no_age = labels["no_area"], labels["no_age"]
    conversations = sa.select(Conversation).where(Conversation.dialogue_id == dialogue.id)
    if filters.theme_id is not None:
        conversations = conversations.where(
            Conversation.id.in_(
                sa.select(Note.conversation_id)
                .join(NoteTheme, NoteTheme.note_id == Note.id)
                .where(NoteTheme.theme_id == filters.theme_id)
            )
        )
    if filters.channel:
        conversations = conversations.where(Conversation.channel == filters.channel)
    if filters.role:
        conversations = conversations.where(Conversation.role == filters.role)
    talked = list(session().scalars(conversations.options(selectinload(Conversation.area))))

    meetings = [
        m
        for t in dialogue.themes
        if filters.theme_id in (None, t.id)
        for m in meeting_queries.of_theme(t)
        if not m.is_archived and m.status is not MeetingStatus.draft
    ]
    meetings.sort(key=lambda m: (m.starts_at is None, m.starts_at, m.id))
    people = list(
        session().scalars(
            sa.select(Participant)
            .where(Participant.meeting_id.in_([m.id for m in meetings]))
            .options(selectinload(Participant.area))
        )
    )
    voted = set(
        session().scalars(
            sa.select(Vote.participant_id).where(Vote.participant_id.in_([p.id for p in people]))
        )
    )
    sources: list[tuple[str, list[tuple[Area | None, AgeBand | None]]]] = [
        (labels["conversations"], [(c.area, c.age_band) for c in talked])
    ]
    for meeting in meetings:
        sources.append(
            (meeting.title, [(p.area, p.age_band) for p in people if p.meeting_id == meeting.id])
        )
    sources.append((labels["all_meetings"], [(p.area, p.age_band) for p in people]))
    sources.append((labels["voted"], [(p.area, p.age_band) for p in people if p.id in voted]))

    area_labels = [
        *sorted((a.name for a in dialogue.areas if not a.is_archived), key=str.casefold),
        no_area,
    ]
    age_labels = [*(band.value for band in AgeBand), no_age]

    def area_name(area: Area | None) -> str:
        # An archived district still counts, under its own name, after the active ones.
        if area is None:
            return no_area
        if area.name not in area_labels:
            area_labels.insert(-1, area.name)
        return area.name

    area_counts = [(t, Counter(area_name(a) for a, _ in rows)) for t, rows in sources]
    age_counts = [
        (t, Counter(b.value if b is not None else no_age for _, b in rows)) for t, rows in sources
    ]
    return Representation(
        by_area=[suppress(c, area_labels, title=t) for t, c in area_counts],
        by_age=[suppress(c, age_labels, title=t) for t, c in age_counts],
        area_labels=area_labels,
        age_labels=age_labels,
    )
