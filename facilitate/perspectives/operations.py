"""The write path of perspectives: answers to statements, quotes as statements, and the
analysis of the room published to each audience as it may see it.

Who sees what: staff get everything (groups with their members, counts, what sets each
group apart, divisive statements); residents and the projector get an anonymous map (dots
without ids, coloured only by groups of at least ``MIN_GROUP``) and the common ground;
each phone gets where it stands itself. No non-staff payload ties a position or an
answer to a person.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from facilitate import events
from facilitate.db import Base, session
from facilitate.errors import Conflict, NotFound, ValidationError
from facilitate.intake.models import Note, NoteTheme
from facilitate.live import audience, snapshot
from facilitate.live import operations as live_ops
from facilitate.live.models import TEXT_MAX, Contribution, ContributionKind, Participant
from facilitate.live.views_json import Audience, Viewer
from facilitate.meetings.models import Meeting, MeetingStatus

from . import polis, queries
from .analysis import Analysis, StatementScore, analyse
from .models import VALUES, PerspectivesResult, StatementQuote, StatementVote

#: Answers a resident needs to be placed on the map (fewer when the deck is smaller).
MIN_ANSWERS = 7
#: Smaller groups are not shown as groups: their members could be too easy to tell.
MIN_GROUP = 5
#: Statements listed per kind (common ground, divisive, a group's distinct ones).
LIMIT = 10
#: Common-ground statements the room (projector, phones) sees: the first few that more
#: than half of those who answered agree with ("what most of the room agrees with").
PUBLIC_LIMIT = 3
MAJORITY = 0.5


# -- answers -------------------------------------------------------------------------------


def get_statement(meeting: Meeting, contribution_id: int) -> Contribution:
    """A statement residents may answer: shown in the room, of a perspectives step."""
    contribution = live_ops.get_contribution(meeting, contribution_id)
    if not live_ops.shown(contribution):
        raise NotFound(_l("No such statement."), field="contribution_id")
    if contribution.phase not in queries.perspectives_steps(meeting):
        raise Conflict(
            _l("This is not a statement of a perspectives step."),
            code="not_statement",
            field="contribution_id",
        )
    return contribution


def answer_statement(
    meeting: Meeting, participant: Participant | None, contribution_id: int, value: int
) -> StatementVote:
    """Record or change this phone's answer: 1 agree, -1 disagree, 0 pass."""
    live_ops.check_open(meeting)
    if participant is None:
        raise ValidationError(_l("Only participants answer statements."))
    live_ops.check_not_blocked(participant)
    if value not in VALUES:
        raise ValidationError(_l("Answer 1, -1 or 0."), field="value")
    statement = get_statement(meeting, contribution_id)
    made = session().scalar(
        sa.select(StatementVote).where(
            StatementVote.participant_id == participant.id,
            StatementVote.contribution_id == statement.id,
        )
    )
    if made is None:
        made = StatementVote(participant_id=participant.id, contribution_id=statement.id)
        session().add(made)
    made.value = value
    session().flush()
    events.queue(
        "statement_vote",
        {"contribution_id": statement.id, "value": value},
        audience.participant(meeting.id, participant.id),
    )
    return made


def quote_statement(meeting: Meeting, viewer: Viewer, note_id: int) -> Contribution:
    """Put a note of the theme's first conversations before the room as a statement."""
    live_ops.check_open(meeting)
    if not queries.in_perspectives(meeting):
        raise Conflict(_l("Go to a perspectives step first."), code="not_perspectives")
    link = session().get(NoteTheme, (note_id, meeting.theme_id))
    note = session().get(Note, note_id) if link is not None else None
    if note is None:
        raise NotFound(_l("No such note in this theme."), field="note_id")
    text = " ".join(note.text.split())[:TEXT_MAX]
    made = live_ops.add_contribution(meeting, viewer, None, text, on_behalf=True)
    session().add(StatementQuote(contribution_id=made.id, note_id=note.id))
    session().flush()
    return made


# -- the analysis --------------------------------------------------------------------------


def analysis_input(meeting: Meeting) -> tuple[list[tuple[int, int, int]], list[int]]:
    """What ``analyse`` needs, read in one go (the analysis itself runs off the loop)."""
    return queries.answers(meeting), list(queries.deck(meeting))


def run(answers: Sequence[tuple[int, int, int]], statement_ids: Sequence[int]) -> Analysis:
    return analyse(
        answers, statement_ids, min_answers=MIN_ANSWERS, min_group=MIN_GROUP, limit=LIMIT
    )


def _score(score: StatementScore) -> dict[str, Any]:
    return {
        "contribution_id": score.statement_id,
        "agree": score.agree,
        "disagree": score.disagree,
        "passed": score.passed,
        "votes": score.votes,
        "agree_share": round(score.agree_share, 3),
        "disagree_share": round(score.disagree_share, 3),
        "score": round(score.score, 4),
    }


def _label(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else str(index + 1)


def result_data(
    analysis: Analysis, answers: Sequence[tuple[int, int, int]], statement_ids: Sequence[int]
) -> dict[str, Any]:
    """The analysis as stored: ids and numbers, no words."""
    spread = max((abs(c) for xy in analysis.positions.values() for c in xy), default=0.0) or 1.0
    deck = set(statement_ids)
    current = [(p, c) for p, c, _ in answers if c in deck]
    # Statements hidden since they were answered still count towards the threshold.
    answered = deck | {c for _, c, _ in answers}
    return {
        "statements": len(statement_ids),
        "answers": len(current),
        "participants": len({p for p, _ in current}),
        "needed": min(MIN_ANSWERS, len(answered)),
        "placed": list(analysis.placed),
        # Scaled into -1..1, so every screen draws the same map.
        "positions": {
            str(p): [round(x / spread, 3), round(y / spread, 3)]
            for p, (x, y) in analysis.positions.items()
        },
        "groups": [
            {
                "id": g.id,
                "label": _label(i),
                "members": list(g.members),
                "shown": g.shown,
                "distinct": [_score(s) for s in g.distinct],
                # Whether the group stands apart by agreeing or disagreeing, for the report;
                # beside the scores, so the staff view and the API keep their shape.
                "sides": [s.side for s in g.distinct],
            }
            for i, g in enumerate(analysis.groups)
        ],
        "common_ground": [_score(s) for s in analysis.common_ground],
        "common_disagreement": [_score(s) for s in analysis.common_disagreement],
        "divisive": [_score(s) for s in analysis.divisive],
        # Each shown group's answers to the listed statements, ``[group id, agree,
        # disagree, pass]``, for the report's shares per group.
        "by_group": {
            str(s.statement_id): [[c.group_id, c.agree, c.disagree, c.passed] for c in s.by_group]
            for s in (*analysis.common_ground, *analysis.common_disagreement, *analysis.divisive)
        },
    }


def current_data(meeting: Meeting) -> dict[str, Any]:
    """The stored analysis, or one made now when the room has none yet."""
    stored = queries.result(meeting.id)
    if stored is not None:
        return stored.data
    answers, statement_ids = analysis_input(meeting)
    return result_data(run(answers, statement_ids), answers, statement_ids)


#: The deck's words by statement id.
Texts = dict[int, str]


def deck(meeting: Meeting) -> Texts:
    """The deck as it is now, by id: the words every view shows (read once per view)."""
    return queries.deck(meeting)


def _with_text(scores: list[dict[str, Any]], texts: Texts) -> list[Any]:
    """Scores of statements still shown in the room, with their words as they are now."""
    return [
        {**s, "text": texts[s["contribution_id"]]} for s in scores if s["contribution_id"] in texts
    ]


def _agreed(scores: list[dict[str, Any]], texts: Texts) -> list[Any]:
    shown = [s for s in _with_text(scores, texts) if s["agree_share"] > MAJORITY]
    return shown[:PUBLIC_LIMIT]


def _groups_by_member(data: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {member: g for g in data["groups"] for member in g["members"]}


def _dots(data: dict[str, Any]) -> list[list[Any]]:
    """``[x, y, label]`` per placed resident, ``label`` null outside shown groups; sorted by
    place, so the order says nothing of who joined or answered when."""
    by_member = _groups_by_member(data)
    dots = []
    for pid, (x, y) in data["positions"].items():
        group = by_member.get(int(pid))
        dots.append([x, y, group["label"] if group is not None and group["shown"] else None])
    return sorted(dots, key=lambda d: (d[0], d[1], d[2] or ""))


def staff_view(data: dict[str, Any], texts: Texts) -> dict[str, Any]:
    return {
        "statements": data["statements"],
        "answers": data["answers"],
        "participants": data["participants"],
        "placed": len(data["placed"]),
        "dots": _dots(data),
        "groups": [
            {
                "id": g["id"],
                "label": g["label"],
                "size": len(g["members"]),
                "shown": g["shown"],
                "participant_ids": g["members"],
                "distinct": _with_text(g["distinct"], texts),
            }
            for g in data["groups"]
        ],
        "common_ground": _with_text(data["common_ground"], texts),
        "common_disagreement": _with_text(data["common_disagreement"], texts),
        "divisive": _with_text(data["divisive"], texts),
    }


def public_view(data: dict[str, Any], texts: Texts) -> dict[str, Any]:
    return {
        "statements": data["statements"],
        "participants": data["participants"],
        "placed": len(data["placed"]),
        "dots": _dots(data),
        "groups": [
            {"label": g["label"], "size": len(g["members"])} for g in data["groups"] if g["shown"]
        ],
        "common_ground": [
            {k: s[k] for k in ("contribution_id", "text", "agree_share")}
            for s in _agreed(data["common_ground"], texts)
        ],
    }


def _share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def _distinct(group: dict[str, Any], texts: Texts) -> list[dict[str, Any]]:
    """What sets a group apart: each statement with the side the group stands on and the
    group's share on that side. A result stored before sides were kept says it by the
    larger share."""
    sides = group.get("sides") or [
        "agree" if s["agree_share"] >= s["disagree_share"] else "disagree"
        for s in group["distinct"]
    ]
    return [
        {
            "text": texts[s["contribution_id"]],
            "side": side,
            "share": s["agree_share"] if side == "agree" else s["disagree_share"],
        }
        for s, side in zip(group["distinct"], sides, strict=True)
        if s["contribution_id"] in texts
    ]


def report_view(data: dict[str, Any], texts: Texts) -> dict[str, Any]:
    """The analysis for the meeting report, which staff print, export and pass on.

    So it keeps the room's rules (``public_view``): groups only of at least ``MIN_GROUP``
    and only by label and size, no participant id, no position, no one's answers. Beyond
    the room's view it has what staff read as numbers: the counts, every list (common
    ground, shared disagreement, divisive statements, what sets each shown group apart)
    with the shown groups' shares, and how many placed residents were in groups too small
    to show (one total, never a group). Left out against ``staff_view``: members, dots,
    and the smaller groups themselves.
    """
    labels = {g["id"]: g["label"] for g in data["groups"] if g["shown"]}
    by_group: dict[str, list[list[int]]] = data.get("by_group", {})

    def scored(scores: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {
                "contribution_id": s["contribution_id"],
                "text": s["text"],
                "agree": s["agree"],
                "disagree": s["disagree"],
                "passed": s["passed"],
                "votes": s["votes"],
                "agree_share": s["agree_share"],
                "disagree_share": s["disagree_share"],
                "groups": [
                    {
                        "label": labels[group],
                        "agree_share": _share(agree, agree + disagree + passed),
                        "disagree_share": _share(disagree, agree + disagree + passed),
                    }
                    for group, agree, disagree, passed in by_group.get(
                        str(s["contribution_id"]), []
                    )
                    if group in labels
                ],
            }
            for s in _with_text(scores, texts)
        ]

    shown = [g for g in data["groups"] if g["shown"]]
    return {
        "statements": data["statements"],
        "answers": data["answers"],
        "participants": data["participants"],
        "placed": len(data["placed"]),
        "groups": [
            {
                "label": g["label"],
                "size": len(g["members"]),
                "distinct": _distinct(g, texts),
            }
            for g in shown
        ],
        "unshown": sum(len(g["members"]) for g in data["groups"] if not g["shown"]),
        # As the room sees it: only what more than half of those who answered agree with.
        "common_ground": [s for s in scored(data["common_ground"]) if s["agree_share"] > MAJORITY],
        "common_disagreement": scored(data["common_disagreement"]),
        "divisive": scored(data["divisive"]),
    }


class Standing:
    """Where each resident stands, built from one analysis: the parts every phone shares
    are made once, so a room of thousands costs one pass."""

    def __init__(self, data: dict[str, Any], texts: Texts) -> None:
        self._data = data
        self._by_member = _groups_by_member(data)
        self._common = _agreed(data["common_ground"], texts)

    def __repr__(self) -> str:
        return f"<Standing placed={len(self._data['placed'])}>"

    def of(self, participant_id: int, mine: dict[int, int]) -> dict[str, Any]:
        """This resident's view only: their own position, group and answers."""
        group = self._by_member.get(participant_id)
        shown = group is not None and group["shown"]
        return {
            "placed": str(participant_id) in self._data["positions"],
            # Answers to statements hidden since count too, as they do towards ``needed``.
            "answered": len(mine),
            "needed": self._data["needed"],
            "position": self._data["positions"].get(str(participant_id)),
            "group": {"label": group["label"], "size": len(group["members"])}
            if shown and group is not None
            else None,
            "common_ground": [
                {
                    "contribution_id": s["contribution_id"],
                    "text": s["text"],
                    "agree_share": s["agree_share"],
                    "mine": mine.get(s["contribution_id"]),
                }
                for s in self._common
            ],
        }


def publish(
    meeting: Meeting, data: dict[str, Any], answers: Sequence[tuple[int, int, int]]
) -> None:
    """Store the new analysis and queue it to each audience (sent once committed).

    ``answers`` are those the analysis was made from: each phone's own are taken from them
    rather than read again (60,000 rows in a large room). Every phone that has answered
    gets where it stands."""
    stored = queries.result(meeting.id)
    if stored is None:
        session().add(PerspectivesResult(meeting_id=meeting.id, data=data))
    else:
        stored.data = data
    session().flush()
    texts = deck(meeting)
    events.queue("perspectives", staff_view(data, texts), audience.staff(meeting.id))
    events.queue("perspectives", public_view(data, texts), audience.public(meeting.id))
    standing = Standing(data, texts)
    # Voters of an imported conversation have no phone to tell.
    imported = queries.imported(meeting)
    answered: dict[int, dict[int, int]] = {}
    for participant_id, statement_id, value in answers:
        if participant_id not in imported:
            answered.setdefault(participant_id, {})[statement_id] = value
    for participant_id, mine in answered.items():
        events.queue(
            "perspectives_me",
            standing.of(participant_id, mine),
            audience.participant(meeting.id, participant_id),
        )


# -- Pol.is conversations ------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    statements: int
    votes: int
    participants: dict[int, int]  # Pol.is voter-id → participant id


def import_step(meeting: Meeting, step: int | None) -> int:
    """The perspectives step an import goes into: the one given (its agenda position), or
    the meeting's first."""
    steps = queries.perspectives_steps(meeting)
    if not steps:
        raise Conflict(
            _l("The meeting has no perspectives step: add one to the agenda first."),
            code="no_perspectives_step",
        )
    if step is None:
        return steps[0]
    if step not in steps:
        raise ValidationError(_l("That step is not a perspectives step."), field="step")
    return step


def import_polis(
    meeting: Meeting, conversation: polis.Conversation, *, step: int | None = None
) -> Imported:
    """A Pol.is conversation as the step's statements, its voters as imported anonymous
    participants and their last votes as answers; then the room analysed again.

    One import per meeting: a second would count every voter twice. Rows go in as bulk
    inserts (a large conversation has 200,000 votes) and the analysis is stored before
    the commit, so the next read of the common ground shows the conversation."""
    if meeting.is_archived:
        raise Conflict(_l("The meeting is archived."), code="archived")
    position = import_step(meeting, step)
    if queries.imported(meeting):
        raise Conflict(
            _l("This meeting already holds an imported Pol.is conversation."),
            code="already_imported",
        )
    now = dt.datetime.now(dt.UTC)
    seen = conversation.first_seen()
    ids = session().scalars(
        sa.insert(Participant).returning(Participant.id, sort_by_parameter_order=True),
        [
            {
                "meeting_id": meeting.id,
                # A hash no token has: nobody can ever act as an imported voter.
                "token_hash": secrets.token_hex(32),
                "display_name": "",
                "imported": True,
                "joined_at": seen.get(voter, now),
            }
            for voter in conversation.voters
        ],
    )
    participant_of = dict(zip(conversation.voters, ids, strict=True))
    moderated_out = str(_l("Moderated out in Pol.is"))
    statement_ids = list(
        session().scalars(
            sa.insert(Contribution).returning(Contribution.id, sort_by_parameter_order=True),
            [
                {
                    "meeting_id": meeting.id,
                    "phase": position,
                    "participant_id": participant_of.get(c.author)
                    if c.author is not None
                    else None,
                    "text": c.body,
                    "kind": ContributionKind.experience,
                    "hidden": c.moderated == polis.MODERATED_OUT,
                    "hidden_reason": moderated_out if c.moderated == polis.MODERATED_OUT else "",
                    "created_at": c.at or now,
                }
                for c in conversation.comments
            ],
        )
    )
    statement_of = dict(zip((c.id for c in conversation.comments), statement_ids, strict=True))
    if conversation.votes:
        # Core, not the ORM's bulk path: the table's insert skips a per-row ORM pass.
        session().execute(
            sa.insert(sa.Table(StatementVote.__tablename__, Base.metadata)),
            [
                {
                    "participant_id": participant_of[voter],
                    "contribution_id": statement_of[comment],
                    "value": value,
                    "updated_at": at,
                }
                for (voter, comment), (value, at) in conversation.votes.items()
            ],
        )
    session().flush()
    if meeting.status is MeetingStatus.open:
        # A room in session sees the statements arrive, as if typed in one by one.
        live_ops.announce_added(
            meeting,
            session().scalars(
                sa.select(Contribution)
                .where(Contribution.id.in_(statement_ids))
                .order_by(Contribution.id)
            ),
        )
    answers, deck_ids = analysis_input(meeting)
    publish(meeting, result_data(run(answers, deck_ids), answers, deck_ids), answers)
    return Imported(len(conversation.comments), len(conversation.votes), participant_of)


def export_polis(meeting: Meeting) -> bytes:
    """The meeting's statements and answers as Pol.is's open data (see ``polis.export``):
    every statement of its perspectives steps that was not deleted, and the answers to them."""
    steps = queries.perspectives_steps(meeting)
    contributions = session().scalars(
        sa.select(Contribution)
        .where(
            Contribution.meeting_id == meeting.id,
            Contribution.phase.in_(steps),
            Contribution.deleted.is_(False),
        )
        .order_by(Contribution.id)
    )
    statements = [
        polis.Statement(c.id, c.participant_id, live_ops.shown(c), c.text, c.created_at)
        for c in contributions
    ]
    return polis.export(statements, queries.timed_answers(meeting))


@snapshot.section
def room_state(meeting: Meeting, who: Audience) -> snapshot.Part:
    """Perspectives' part of ``state``: the last analysis as this audience may see it,
    each phone's own answers and where it stands, and for staff the notes they may quote."""
    # Staff (a few connections) get the notes they may quote even before the agenda has a
    # perspectives step, so adding one later needs no reload.
    quotes = (
        [{"note_id": n.id, "text": n.text[:TEXT_MAX]} for n in queries.theme_quotes(meeting)]
        if who.staff
        else []
    )
    if not queries.perspectives_steps(meeting):
        # Most meetings have no perspectives step: a resident's connect reads nothing more.
        return snapshot.Part({"perspectives": None, "quotes": quotes}, _no_answers)
    stored = queries.result(meeting.id)
    texts = deck(meeting)
    view = None
    standing = None
    if stored is not None:
        view = staff_view(stored.data, texts) if who.staff else public_view(stored.data, texts)
        standing = Standing(stored.data, texts)
    meeting_id = meeting.id

    def personal(viewer: Viewer) -> dict[str, Any]:
        if viewer.participant_id is None:
            return _no_answers(viewer)
        mine = queries.answers_of(meeting_id, viewer.participant_id)
        return {
            "me": {
                "answers": {str(c): v for c, v in sorted(mine.items())},
                # As ``publish`` sends it: to a phone that has answered.
                "perspectives": (
                    standing.of(viewer.participant_id, mine)
                    if standing is not None and mine
                    else None
                ),
            }
        }

    return snapshot.Part({"perspectives": view, "quotes": quotes}, personal)


def _no_answers(_viewer: Viewer) -> dict[str, Any]:
    return {"me": {"answers": {}, "perspectives": None}}
