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
from facilitate.intake.models import Conversation, Note
from facilitate.live.models import AgeBand, Contribution, PaperCount, Participant
from facilitate.meetings import queries as meeting_queries
from facilitate.meetings.models import Meeting, MeetingStatus
from facilitate.proposals import operations as proposal_ops
from facilitate.proposals.models import Vote
from facilitate.proposals.tally import tally
from facilitate.suppression import (
    Column,
    Count,
    Group,
    Hidden,
    column,
    protect_filtered,
    protect_group,
    protect_subset,
    protect_sum,
)


@dataclass
class Participation:
    joined: int | None  # None: fewer than 5, which would pin the hidden cells below
    with_paper: bool = False  # some of them took part on paper, counted by staff
    by_area: list[Count] = field(default_factory=list)
    by_age: list[Count] = field(default_factory=list)


def participation(meeting: Meeting, *, no_area: str, no_age: str) -> Participation:
    """The meeting's column of "Who is in the room", decided exactly as there (the same
    label order breaks ties the same way), so the report and the page hide the same cells;
    two different choices of the same column could be subtracted from each other."""
    people = list(
        session().scalars(
            sa.select(Participant)
            .where(Participant.meeting_id == meeting.id, Participant.imported.is_(False))
            .options(selectinload(Participant.area))
        )
    )
    paper = _paper([meeting.id])
    dialogue = meeting.theme.dialogue
    area_labels = _area_labels(dialogue, no_area)
    age_labels = [*(band.value for band in AgeBand), no_age]
    group = _group(
        [(p.area, p.age_band) for p in people] + _on_paper(paper, {meeting.id}),
        area_labels,
        age_labels,
    )
    hidden = protect_group(group)
    columns = [
        column(group, hidden, table, labels, "")
        for table, labels in enumerate((area_labels, age_labels))
    ]
    return Participation(
        joined=columns[0].total,
        # Whether to mark the counts as including paper; how many is not said, since a
        # meeting's paper count is no column of "Who is in the room".
        with_paper=any(row.count for row in paper),
        # Districts nobody came from are left out; zero points at no one either way.
        by_area=[c for c, n in zip(columns[0].cells, group.tables[0], strict=True) if n],
        by_age=[c for c, n in zip(columns[1].cells, group.tables[1], strict=True) if n],
    )


@dataclass(frozen=True)
class PhaseWords:
    title: str
    contributions: list[tuple[str, int]]  # text, "me too" count


def contributions_by_phase(meeting: Meeting) -> list[PhaseWords]:
    """What was said, step by step; hidden, deleted and never approved ones are left out."""
    rows = list(
        session().scalars(
            sa.select(Contribution)
            .where(
                Contribution.meeting_id == meeting.id,
                Contribution.hidden.is_(False),
                Contribution.waiting.is_(False),  # never let through under pre-moderation
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
    """People by district and by age band, one column per source (see ``representation``)."""

    by_area: list[Column]
    by_age: list[Column]
    area_labels: list[str]
    age_labels: list[str]


@dataclass(frozen=True)
class RepresentationFilters:
    theme_id: int | None = None
    channel: str | None = None  # conversations only: meetings have no channel
    role: str | None = None  # conversations only: residents in meetings are not asked


Person = tuple[Area | None, AgeBand | None]


def _area_labels(dialogue: Dialogue, no_area: str) -> list[str]:
    """Every district of the dialogue in one order, the same on every page: active ones,
    then archived ones that still have people counted, then "not given"."""
    active = sorted((a.name for a in dialogue.areas if not a.is_archived), key=str.casefold)
    used = set(
        session().scalars(
            sa.select(Area.name)
            .join(Conversation, Conversation.area_id == Area.id)
            .where(Conversation.dialogue_id == dialogue.id)
        )
    )
    for counted in (Participant, PaperCount):  # phones, and people counted on paper
        used |= set(
            session().scalars(
                sa.select(Area.name)
                .join(counted, counted.area_id == Area.id)
                .join(Meeting, Meeting.id == counted.meeting_id)
                .join(Theme, Theme.id == Meeting.theme_id)
                .where(Theme.dialogue_id == dialogue.id)
            )
        )
    return [*active, *sorted(used - set(active), key=str.casefold), no_area]


def _paper(meeting_ids: list[int]) -> list[PaperCount]:
    return list(
        session().scalars(
            sa.select(PaperCount)
            .where(PaperCount.meeting_id.in_(meeting_ids))
            .options(selectinload(PaperCount.area))
        )
    )


def _on_paper(rows: list[PaperCount], meeting_ids: set[int]) -> list[Person]:
    """Paper counts as people, one per person counted, to be grouped like phones."""
    return [
        (row.area, row.age_band)
        for row in rows
        if row.meeting_id in meeting_ids
        for _ in range(row.count)
    ]


def _minus(whole: Group, part: Group) -> Group:
    return Group(
        tuple(
            tuple(w - p for w, p in zip(ws, ps, strict=True))
            for ws, ps in zip(whole.tables, part.tables, strict=True)
        )
    )


def _group(people: list[Person], area_labels: list[str], age_labels: list[str]) -> Group:
    areas = Counter(a.name if a is not None else area_labels[-1] for a, _ in people)
    ages = Counter(b.value if b is not None else age_labels[-1] for _, b in people)
    return Group((tuple(areas[x] for x in area_labels), tuple(ages[x] for x in age_labels)))


@dataclass(frozen=True)
class _Block:
    """Some meetings: everyone present, those on paper, those who voted (on a phone), and
    the hidden cells of the first, a sum of meeting columns."""

    everyone: Group
    on_paper: Group
    votes: Group
    everyone_hidden: Hidden


ConversationKey = tuple[int | None, str | None, str | None]  # theme, channel, role


def representation(
    dialogue: Dialogue,
    filters: RepresentationFilters,
    *,
    labels: dict[str, str],
) -> Representation:
    """``labels``: "conversations", "all_meetings", "on_paper", "voted", "no_area",
    "no_age" as shown.

    Suppression is decided for the whole dialogue, never for this page alone, so a count
    has the same status on every page that shows it (see ``facilitate.suppression``):

    - Meetings: each meeting's column (phones and paper together) on its own; "All
      meetings" (of a theme, or of all) shows a cell only where every meeting's cell is
      shown; "On paper" is a subset of "All meetings" with the phones protected too;
      "Voted" is a subset of the phones with the non-voters protected too; both summed
      over themes like "All meetings". The meeting block is the same whatever the channel
      or role filter.
    - Conversations: the unfiltered column on its own, then each filtered column against
      each column with one filter fewer (decided first), down to this page's filters.

    Conversations and meetings count different people with no stated relation between
    them, so the two are protected independently.
    """
    no_area, no_age = labels["no_area"], labels["no_age"]
    area_labels = _area_labels(dialogue, no_area)
    age_labels = [*(band.value for band in AgeBand), no_age]

    talked = list(
        session().scalars(
            sa.select(Conversation)
            .where(Conversation.dialogue_id == dialogue.id)
            .options(
                selectinload(Conversation.area),
                selectinload(Conversation.notes).selectinload(Note.links),
            )
        )
    )
    themes_of = {c.id: {t for n in c.notes for t in n.theme_ids} for c in talked}

    def conversations(key: ConversationKey) -> Group:
        theme_id, channel, role = key
        return _group(
            [
                (c.area, c.age_band)
                for c in talked
                if (theme_id is None or theme_id in themes_of[c.id])
                and (channel is None or c.channel == channel)
                and (role is None or c.role == role)
            ],
            area_labels,
            age_labels,
        )

    decided: dict[ConversationKey, tuple[Group, Hidden]] = {}

    def decide(key: ConversationKey) -> tuple[Group, Hidden]:
        if key not in decided:
            group = conversations(key)
            parents = [
                decide((*key[:i], None, *key[i + 1 :]))  # type: ignore[arg-type]
                for i in range(3)
                if key[i] is not None
            ]
            decided[key] = (
                group,
                protect_filtered(group, parents) if parents else protect_group(group),
            )
        return decided[key]

    talk_group, talk_hidden = decide((filters.theme_id, filters.channel, filters.role))

    meetings = sorted(
        (
            m
            for t in dialogue.themes
            for m in meeting_queries.of_theme(t)
            if not m.is_archived and m.status is not MeetingStatus.draft
        ),
        key=lambda m: (m.starts_at is None, m.starts_at, m.id),
    )
    people = list(
        session().scalars(
            sa.select(Participant)
            .where(
                Participant.meeting_id.in_([m.id for m in meetings]),
                Participant.imported.is_(False),
            )
            .options(selectinload(Participant.area))
        )
    )
    # A blocked resident's votes stay on record but count in no tally (proposals/tally.py):
    # nor do they make the resident one who voted here.
    voted = set(
        session().scalars(
            sa.select(Vote.participant_id).where(
                Vote.participant_id.in_([p.id for p in people if not p.blocked])
            )
        )
    )
    paper = _paper([m.id for m in meetings])

    def present(ids: set[int]) -> list[Person]:
        """Who took part in the meetings ``ids``: on a phone or on paper."""
        return [(p.area, p.age_band) for p in people if p.meeting_id in ids] + _on_paper(paper, ids)

    joined = {m.id: _group(present({m.id}), area_labels, age_labels) for m in meetings}
    meeting_hidden = {m.id: protect_group(joined[m.id]) for m in meetings}

    def block(chosen: list[Meeting]) -> _Block:
        ids = {m.id for m in chosen}
        rows = [p for p in people if p.meeting_id in ids]
        return _Block(
            _group(present(ids), area_labels, age_labels),
            _group(_on_paper(paper, ids), area_labels, age_labels),
            _group([(p.area, p.age_band) for p in rows if p.id in voted], area_labels, age_labels),
            protect_sum([meeting_hidden[m.id] for m in chosen], tables=2),
        )

    # Per theme: "On paper" within "All meetings", its complement (the phones) protected
    # too; then "Voted" within the phones, which are known only where both "All meetings"
    # and "On paper" are shown (voting is on phones, so an auditor may use voted <= phones).
    paper_hidden = {}
    voted_hidden = {}
    for theme in dialogue.themes:
        b = block([m for m in meetings if m.theme_id == theme.id])
        paper_hidden[theme.id] = protect_subset(b.on_paper, b.everyone, b.everyone_hidden)
        phones_hidden = protect_sum([b.everyone_hidden, paper_hidden[theme.id]], tables=2)
        voted_hidden[theme.id] = protect_subset(
            b.votes, _minus(b.everyone, b.on_paper), phones_hidden
        )
    if filters.theme_id is not None:
        shown = [m for m in meetings if m.theme_id == filters.theme_id]
        on_paper_hidden = paper_hidden[filters.theme_id]
        votes_hidden = voted_hidden[filters.theme_id]
    else:
        shown = meetings
        # Over all themes both are the sum of each theme's column.
        on_paper_hidden = protect_sum(list(paper_hidden.values()), tables=2)
        votes_hidden = protect_sum(list(voted_hidden.values()), tables=2)
    b = block(shown)

    sources = [
        (labels["conversations"], talk_group, talk_hidden),
        *((m.title, joined[m.id], meeting_hidden[m.id]) for m in shown),
        (labels["all_meetings"], b.everyone, b.everyone_hidden),
        (labels["on_paper"], b.on_paper, on_paper_hidden),
        (labels["voted"], b.votes, votes_hidden),
    ]
    return Representation(
        by_area=[column(g, h, 0, area_labels, title) for title, g, h in sources],
        by_age=[column(g, h, 1, age_labels, title) for title, g, h in sources],
        area_labels=area_labels,
        age_labels=age_labels,
    )
