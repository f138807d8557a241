"""The whole chain behind an action item: from what was said at the door to what is done.

notes and quotes → theme → meetings → contributions → proposal → vote → decision →
status changes. Everything here may be shown publicly: no district, age, name or user.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from facilitate.actions.models import ActionItem
from facilitate.actions.operations import sources
from facilitate.db import session
from facilitate.dialogues.models import Theme
from facilitate.intake.queries import ThemeEvidence, theme_evidence
from facilitate.meetings import queries as meeting_queries
from facilitate.meetings.models import Meeting, MeetingStatus
from facilitate.proposals.models import Proposal


@dataclass(frozen=True)
class StatusStep:
    at: dt.datetime
    from_status: str | None
    to_status: str


@dataclass(frozen=True)
class Trail:
    item: ActionItem
    theme: Theme
    evidence: ThemeEvidence
    meetings: list[Meeting]
    contributions: list[str]
    proposal: Proposal | None
    merged: list[Proposal]
    tally: dict[str, int] | None
    decided_at: dt.datetime | None
    decision_note: str
    history: list[StatusStep]


def trail(item: ActionItem) -> Trail:
    meetings = sorted(
        (
            m
            for m in meeting_queries.of_theme(item.theme)
            if not m.is_archived and m.status is not MeetingStatus.draft
        ),
        key=lambda m: (m.starts_at is None, m.starts_at, m.id),
    )
    if item.meeting is not None and item.meeting not in meetings:
        meetings.append(item.meeting)  # e.g. a meeting whose theme was merged away since
    proposal = item.proposal
    merged = (
        list(
            session().scalars(
                sa.select(Proposal)
                .where(Proposal.merged_into_id == proposal.id)
                .order_by(Proposal.id)
            )
        )
        if proposal is not None
        else []
    )
    return Trail(
        item=item,
        theme=item.theme,
        evidence=theme_evidence(item.theme_id),
        meetings=meetings,
        contributions=sources(item),
        proposal=proposal,
        merged=merged,
        tally=item.tally,
        decided_at=proposal.decided_at if proposal is not None else None,
        decision_note=proposal.decision_note if proposal is not None else "",
        history=[StatusStep(c.at, c.from_status, c.to_status) for c in item.history],
    )


def trail_json(t: Trail) -> dict[str, Any]:
    return {
        "action_id": t.item.id,
        "notes": {
            "count": t.evidence.notes,
            "conversations": t.evidence.conversations,
            "quotes": t.evidence.quotes,
        },
        "theme": {"id": t.theme.id, "title": t.theme.title},
        "meetings": [
            {
                "id": m.id,
                "title": m.title,
                "starts_at": m.starts_at and m.starts_at.astimezone(dt.UTC),
            }
            for m in t.meetings
        ],
        "contributions": t.contributions,
        "proposal": None
        if t.proposal is None
        else {
            "id": t.proposal.id,
            "title": t.proposal.title,
            "merged": [{"id": p.id, "title": p.title} for p in t.merged],
        },
        "vote": t.tally,
        "decision": None if t.decided_at is None else {"at": t.decided_at, "note": t.decision_note},
        "status_changes": [
            {"at": s.at, "from_status": s.from_status, "to_status": s.to_status} for s in t.history
        ],
    }
