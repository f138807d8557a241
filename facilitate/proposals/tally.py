"""Counting: the tally is always a recount of the stored votes (plus paper counts).

Counts are flat integers per method, as the ``tally`` event carries them:
approval ``{yes, no}``, agree ``{agree, disagree, pass}``, dots ``{dots, voters}``,
consent ``{"0".."5", blocks}``; ``paper`` is how many of them came from paper or a
show of hands, when any did.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypedDict

import sqlalchemy as sa

from facilitate.db import session
from facilitate.live.models import Participant
from facilitate.meetings.models import Meeting, VotingMethod

from .models import PaperVotes, Proposal, Vote

#: The keys a paper count may give, per method (``blocks`` and ``voters`` are derived).
PAPER_KEYS: dict[VotingMethod, tuple[str, ...]] = {
    VotingMethod.approval: ("yes", "no"),
    VotingMethod.agree: ("agree", "disagree", "pass"),
    VotingMethod.dots: ("dots", "voters"),
    VotingMethod.consent: ("0", "1", "2", "3", "4", "5"),
}
#: At least this share of support among voters suggests "agreed" (approval and agree).
SUPPORT_SHARE = 0.6


def empty_counts(method: VotingMethod) -> dict[str, int]:
    counts = dict.fromkeys(PAPER_KEYS[method], 0)
    if method is VotingMethod.consent:
        counts["blocks"] = 0
    return counts


def _add_vote(counts: dict[str, int], method: VotingMethod, value: int) -> None:
    if method is VotingMethod.approval:
        counts["yes" if value == 1 else "no"] += 1
    elif method is VotingMethod.agree:
        counts[{1: "agree", -1: "disagree"}.get(value, "pass")] += 1
    elif method is VotingMethod.dots:
        counts["dots"] += value
        counts["voters"] += 1 if value > 0 else 0
    else:
        counts[str(value)] += 1
        counts["blocks"] += 1 if value <= 1 else 0


def _add_paper(counts: dict[str, int], method: VotingMethod, paper: Mapping[str, int]) -> int:
    added = 0
    for key in PAPER_KEYS[method]:
        number = int(paper.get(key, 0))
        counts[key] += number
        if method is not VotingMethod.dots or key == "voters":
            added += number
    if method is VotingMethod.consent:
        counts["blocks"] += int(paper.get("0", 0)) + int(paper.get("1", 0))
    return added


def count(
    method: VotingMethod,
    values: Iterable[int],
    papers: Iterable[Mapping[str, int]] = (),
) -> dict[str, int]:
    counts = empty_counts(method)
    for value in values:
        _add_vote(counts, method, value)
    paper_total = sum(_add_paper(counts, method, paper) for paper in papers)
    if paper_total:
        counts["paper"] = paper_total
    return counts


def ballot(meeting: Meeting) -> list[Proposal]:
    return list(
        session().scalars(
            sa.select(Proposal)
            .where(Proposal.meeting_id == meeting.id, Proposal.on_ballot.is_(True))
            .order_by(Proposal.id)
        )
    )


class Tally(TypedDict):
    proposals: dict[str, dict[str, int]]  # "<proposal id>": counts
    ballots: int  # residents who cast at least one vote


def tally(meeting: Meeting, on_ballot: list[Proposal] | None = None) -> Tally:
    """``{proposals: {"<id>": counts}, ballots}`` for the meeting's ballot, recounted.

    ``on_ballot`` is the ballot when the caller has just read it (a snapshot does).
    """
    proposals = ballot(meeting) if on_ballot is None else on_ballot
    ids = [p.id for p in proposals]
    values: dict[int, list[int]] = {pid: [] for pid in ids}
    papers: dict[int, list[Mapping[str, int]]] = {pid: [] for pid in ids}
    voters: set[int] = set()
    if ids:
        # A blocked resident's votes stay on record (their phone still shows them) but
        # leave the count, as their answers leave the perspectives analysis: whoever was
        # blocked for abusing the room does not decide its proposals.
        for proposal_id, participant_id, value in session().execute(
            sa.select(Vote.proposal_id, Vote.participant_id, Vote.value)
            .join(Participant, Participant.id == Vote.participant_id)
            .where(Vote.proposal_id.in_(ids), Participant.blocked.is_(False))
        ):
            values[proposal_id].append(value)
            voters.add(participant_id)
        for proposal_id, counts in session().execute(
            sa.select(PaperVotes.proposal_id, PaperVotes.counts).where(
                PaperVotes.proposal_id.in_(ids)
            )
        ):
            papers[proposal_id].append(counts)
    method = meeting.voting_method
    return {
        "proposals": {str(pid): count(method, values[pid], papers[pid]) for pid in ids},
        "ballots": len(voters),
    }


def suggest(method: VotingMethod, counts: Mapping[str, int]) -> str | None:
    """The meeting's rule applied to a tally: a suggestion; the facilitator decides."""
    if method is VotingMethod.approval:
        voters = counts["yes"] + counts["no"]
        return None if not voters else _share(counts["yes"], voters)
    if method is VotingMethod.agree:
        voters = counts["agree"] + counts["disagree"] + counts["pass"]
        return None if not voters else _share(counts["agree"], voters)
    if method is VotingMethod.consent:
        voters = sum(counts[str(n)] for n in range(6))
        if not voters:
            return None
        return "not_agreed" if counts["blocks"] else "agreed"
    return None  # dots rank proposals; where the line falls is the room's call


def _share(support: int, voters: int) -> str:
    return "agreed" if support >= SUPPORT_SHARE * voters else "not_agreed"
