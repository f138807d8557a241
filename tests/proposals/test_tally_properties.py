"""Property: after any sequence of votes, changes, closes, reopens, paper counts and merges,
the tally equals a recount of what is stored, and no budget or ballot rule is broken."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import sqlalchemy as sa
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilitate.db import session
from facilitate.dialogues import operations as dialogue_ops
from facilitate.errors import DomainError
from facilitate.live import participants
from facilitate.live.models import Participant
from facilitate.live.views_json import Viewer, ViewerRole
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings.models import Meeting, MeetingStatus, VotingMethod
from facilitate.proposals import operations as ops
from facilitate.proposals.models import PaperVotes, Proposal, ProposalStatus, Vote
from facilitate.proposals.tally import PAPER_KEYS, tally

PEOPLE = 3
PROPOSALS = 4

steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("vote"),
            st.integers(0, PEOPLE - 1),
            st.integers(0, PROPOSALS - 1),
            st.integers(-1, 5),
        ),
        st.tuples(st.just("close")),
        st.tuples(st.just("open")),
        st.tuples(st.just("merge"), st.integers(0, PROPOSALS - 1), st.integers(0, PROPOSALS - 1)),
        st.tuples(st.just("paper"), st.integers(0, PROPOSALS - 1), st.integers(0, 9)),
    ),
    max_size=40,
)


def setup(method: VotingMethod) -> tuple[int, list[int], list[int]]:
    dialogue = dialogue_ops.create_dialogue("Trygghet", areas=["Fröslunda"])
    theme = dialogue_ops.create_theme(dialogue, "Belysning")
    meeting = meeting_ops.create_meeting(theme, "Kväll")
    spec = meeting_ops.VotingSpec(method=method.value, dots=3, cap=2, results=None)
    meeting_ops.set_voting(meeting, spec)
    meeting.status = MeetingStatus.open
    meeting.current_phase = 0
    people = [participants.join(meeting)[0] for _ in range(PEOPLE)]
    staff = Viewer(meeting.id, ViewerRole.facilitator, user_id=None)
    proposals = [
        ops.add_proposal(meeting, staff, None, f"Förslag nummer {n}") for n in range(PROPOSALS)
    ]
    ops.open_voting(meeting)
    session().commit()
    return meeting.id, [p.id for p in people], [p.id for p in proposals]


def recount(meeting: Meeting) -> dict[str, Any]:
    """Counted from the rows themselves, by a different route than the tally's."""
    method = meeting.voting_method
    on_ballot = [
        p.id
        for p in session().scalars(
            sa.select(Proposal).where(
                Proposal.meeting_id == meeting.id, Proposal.on_ballot.is_(True)
            )
        )
    ]
    counts: dict[str, dict[str, int]] = {}
    voters = set()
    for pid in on_ballot:
        votes = list(session().scalars(sa.select(Vote).where(Vote.proposal_id == pid)))
        voters |= {v.participant_id for v in votes}
        values = Counter(v.value for v in votes)
        papers: defaultdict[str, int] = defaultdict(int)
        for paper in session().scalars(sa.select(PaperVotes).where(PaperVotes.proposal_id == pid)):
            for key, number in paper.counts.items():
                papers[key] += number
        if method is VotingMethod.approval:
            c = {"yes": values[1] + papers["yes"], "no": values[0] + papers["no"]}
            paper_total = papers["yes"] + papers["no"]
        elif method is VotingMethod.agree:
            c = {
                "agree": values[1] + papers["agree"],
                "disagree": values[-1] + papers["disagree"],
                "pass": values[0] + papers["pass"],
            }
            paper_total = papers["agree"] + papers["disagree"] + papers["pass"]
        elif method is VotingMethod.dots:
            c = {
                "dots": sum(v.value for v in votes) + papers["dots"],
                "voters": len(votes) + papers["voters"],
            }
            paper_total = papers["voters"]
        else:
            c = {str(n): values[n] + papers[str(n)] for n in range(6)}
            c["blocks"] = c["0"] + c["1"]
            paper_total = sum(papers[str(n)] for n in range(6))
        if paper_total:
            c["paper"] = paper_total
        counts[str(pid)] = c
    return {"proposals": counts, "ballots": len(voters)}


def check_rules(meeting: Meeting) -> None:
    votes = list(
        session().scalars(sa.select(Vote).join(Proposal).where(Proposal.meeting_id == meeting.id))
    )
    pairs = [(v.participant_id, v.proposal_id) for v in votes]
    assert len(pairs) == len(set(pairs)), "one ballot per participant per proposal"
    if meeting.voting_method is VotingMethod.dots:
        spent: Counter[int] = Counter()
        for vote in votes:
            assert 1 <= vote.value <= meeting.effective_cap
            if vote.proposal.on_ballot:
                spent[vote.participant_id] += vote.value
        assert all(total <= meeting.voting_dots for total in spent.values())
    merged = session().scalars(sa.select(Proposal).where(Proposal.status == ProposalStatus.merged))
    for proposal in merged:
        assert proposal.votes == []  # every ballot went over, or was dropped as a second one


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(method=st.sampled_from(list(VotingMethod)), plan=steps)
def test_tally_equals_recount_after_any_sequence(
    app: Flask, method: VotingMethod, plan: list[tuple[Any, ...]]
) -> None:
    with app.app_context():
        meeting_id, people, proposals = setup(method)
        for step in plan:
            meeting = session().get(Meeting, meeting_id)
            assert meeting is not None
            try:
                if step[0] == "vote":
                    person = session().get(Participant, people[step[1]])
                    ops.vote(person.id, proposals[step[2]], step[3])
                elif step[0] == "close":
                    ops.close_voting(meeting)
                elif step[0] == "open":
                    ops.open_voting(meeting)
                elif step[0] == "merge":
                    ops.merge_proposals(meeting, [proposals[step[1]]], proposals[step[2]])
                else:
                    keys = PAPER_KEYS[method]
                    counts = {keys[step[2] % len(keys)]: step[2]}
                    staff = Viewer(meeting.id, ViewerRole.facilitator)
                    ops.add_paper_votes(meeting, staff, proposals[step[1]], counts)
                session().commit()
            except DomainError:
                session().rollback()
            meeting = session().get(Meeting, meeting_id)
            assert meeting is not None
            assert tally(meeting) == recount(meeting)
            check_rules(meeting)
