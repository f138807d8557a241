"""Read-only views of a meeting and a dialogue, shaped for reports; no personal data leaves.

Participation is counted by district and age band with small groups suppressed: a
count under ``SMALL_GROUP`` could point at a person, so it is shown as "fewer than 5".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from facilitate.actions.models import ActionItem
from facilitate.db import session
from facilitate.dialogues.models import Dialogue, Theme
from facilitate.live.models import AgeBand, Contribution, Participant
from facilitate.meetings.models import Meeting
from facilitate.proposals import operations as proposal_ops
from facilitate.proposals.tally import tally

SMALL_GROUP = 5


@dataclass(frozen=True)
class Count:
    label: str
    number: int | None  # None: suppressed, fewer than SMALL_GROUP


@dataclass
class Participation:
    joined: int
    by_area: list[Count] = field(default_factory=list)
    by_age: list[Count] = field(default_factory=list)


def _suppressed(counter: Counter[str], order: list[str]) -> list[Count]:
    return [
        Count(label, counter[label] if counter[label] >= SMALL_GROUP else None)
        for label in order
        if counter[label]
    ]


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
    assert isinstance(counts, dict)
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
