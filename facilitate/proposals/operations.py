"""The write path of proposals and votes: check, act, queue the events (flush, never commit).

Who may call what is decided by the caller (``rooms`` authorises every event); what
the meeting's state allows is checked here, on the server's data only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from rapidfuzz import fuzz, process, utils
from sqlalchemy.dialects import postgresql, sqlite

from facilitate import events
from facilitate.db import (
    HotStatement,
    autocommit_connection,
    begin_explicitly,
    event_connection,
    session,
    utcnow,
)
from facilitate.errors import Conflict, NotFound, ValidationError
from facilitate.live import audience, snapshot
from facilitate.live import operations as live_ops
from facilitate.live.models import (
    REASON_MAX,
    ClientWrite,
    Contribution,
    Participant,
)
from facilitate.live.views_json import Audience, Viewer
from facilitate.live.writes import WriteRecord
from facilitate.meetings.models import Meeting, ResultsVisibility, VotingMethod
from facilitate.validation import check_optional_text, check_title, clean_text

from .models import (
    BODY_MAX,
    TITLE_MAX,
    TITLE_MIN,
    PaperVotes,
    Proposal,
    ProposalStatus,
    Vote,
    VotingStatus,
)
from .tally import PAPER_KEYS, ballot, suggest, tally

MERGE_MAX = 50
PAPER_MAX = 100_000
#: rapidfuzz scores (0–100) from which two proposals look like the same idea.
DUPLICATE_SCORE = 70
DUPLICATES_SHOWN = 5
DECIDED = (ProposalStatus.agreed, ProposalStatus.not_agreed, ProposalStatus.parked)


class VotingClosed(Conflict):
    code = "voting_closed"


class VotingOpen(Conflict):
    code = "voting_open"


# -- how they look on the wire -------------------------------------------------------------


def proposal_json(proposal: Proposal, *, staff: bool = False) -> dict[str, Any]:
    """``waiting`` only while it waits for approval (staff and its author see it then);
    ``hidden`` and ``reason`` only for staff, once it was rejected. A ``proposal`` event
    replaces the whole proposal, so a key left out is a key that does not apply."""
    data: dict[str, Any] = {
        "id": proposal.id,
        "title": proposal.title,
        "body": proposal.body,
        "status": proposal.status.value,
        "source": proposal.source_contribution_id,
        "on_ballot": proposal.on_ballot,
        "merged_into": proposal.merged_into_id,
        "note": proposal.decision_note,
    }
    if proposal.waiting:
        data["waiting"] = True
    if staff and proposal.hidden:
        data["hidden"] = True
        data["reason"] = proposal.hidden_reason
    return data


def proposal_shown(proposal: Proposal) -> bool:
    """Before the whole room: approved (or never needing it), not rejected, not merged away."""
    return not (proposal.waiting or proposal.hidden) and (
        proposal.status is not ProposalStatus.merged
    )


def voting_json(meeting: Meeting, on_ballot: list[Proposal] | None = None) -> dict[str, Any]:
    if meeting.voting_status and on_ballot is None:
        on_ballot = ballot(meeting)
    return {
        "status": meeting.voting_status,
        "method": meeting.voting_method.value,
        "dots": meeting.voting_dots,
        "cap": meeting.effective_cap,
        "results": meeting.voting_results.value,
        "proposal_ids": [p.id for p in on_ballot or ()] if meeting.voting_status else [],
    }


def results_public(meeting: Meeting) -> bool:
    """Live results, or hidden ones once the vote has closed."""
    return meeting.voting_status is not None and (
        meeting.voting_results is ResultsVisibility.live
        or meeting.voting_status == VotingStatus.closed
    )


def joined(meeting: Meeting) -> int:
    return (
        session().scalar(
            sa.select(sa.func.count(Participant.id)).where(
                Participant.meeting_id == meeting.id, Participant.imported.is_(False)
            )
        )
        or 0
    )


def staff_tally(meeting: Meeting, on_ballot: list[Proposal] | None = None) -> dict[str, Any] | None:
    """What staff see: counts always, with the rule's suggestion and joined versus ballots."""
    if meeting.voting_status is None:
        return None
    return _staff_counts(meeting, on_ballot)


def _staff_counts(meeting: Meeting, on_ballot: list[Proposal] | None = None) -> dict[str, Any]:
    counts = tally(meeting, on_ballot)
    return {
        **counts,
        "joined": joined(meeting),
        "suggestions": {
            pid: suggest(meeting.voting_method, c) for pid, c in counts["proposals"].items()
        },
    }


def public_tally(
    meeting: Meeting, on_ballot: list[Proposal] | None = None
) -> dict[str, Any] | None:
    """What residents and the projector see: nothing at all while results are hidden."""
    return dict(tally(meeting, on_ballot)) if results_public(meeting) else None


def public_of(meeting: Meeting, staff_counts: Mapping[str, Any]) -> dict[str, Any] | None:
    """``public_tally`` from staff's counts just made, without counting again."""
    if not results_public(meeting):
        return None
    return {key: staff_counts[key] for key in ("proposals", "ballots")}


def _budget(meeting: Meeting) -> int | None:
    """The dots a phone has to give in this vote (``None``: not a dots vote, or none yet)."""
    if meeting.voting_method is VotingMethod.dots and meeting.voting_status is not None:
        return meeting.voting_dots
    return None


_MY_VOTES = HotStatement(
    sa.select(Vote.proposal_id, Vote.value, Proposal.on_ballot)
    .join(Proposal, Proposal.id == Vote.proposal_id)
    .where(Vote.participant_id == sa.bindparam("participant_id"))
)


def votes_of(participant_id: int, budget: int | None) -> dict[str, Any]:
    """A phone's votes (every proposal's, by id) and the dots it has left of ``budget``.
    Read on each phone's connect, so a Core statement made once."""
    rows = _MY_VOTES.all(event_connection(), {"participant_id": participant_id})
    votes: dict[str, int] = {}
    used = 0
    for proposal_id, value, on_ballot in rows:
        votes[str(proposal_id)] = value
        used += value if on_ballot else 0
    return {"votes": votes, "remaining": None if budget is None else budget - used}


def vote_now(participant_id: int, proposal_id: int) -> dict[str, Any] | None:
    """The ``vote`` event a phone would hear now for its vote on ``proposal_id`` (None when
    it has none to hear): for the answer to a retried vote, whose own event of the time
    could be older than a vote cast since."""
    participant = session().get(Participant, participant_id)
    if participant is None:
        return None
    mine = votes_of(participant_id, _budget(participant.meeting))
    value = mine["votes"].get(str(proposal_id))
    if value is None and participant.meeting.voting_method is not VotingMethod.dots:
        return None
    return {"proposal_id": proposal_id, "value": value or 0, "remaining": mine["remaining"]}


def visible_proposals(meeting: Meeting) -> list[Proposal]:
    """Every proposal of the meeting before the whole room (not merged away, not waiting
    for approval, not rejected), in ``id`` order."""
    return [p for p in proposals_and_ballot(meeting)[0] if proposal_shown(p)]


def proposals_and_ballot(meeting: Meeting) -> tuple[list[Proposal], list[Proposal]]:
    """Every proposal not merged away (waiting and rejected ones too) and the ballot in
    one read, for a snapshot that needs both."""
    every = list(
        session().scalars(
            sa.select(Proposal).where(Proposal.meeting_id == meeting.id).order_by(Proposal.id)
        )
    )
    visible = [p for p in every if p.status is not ProposalStatus.merged]
    return visible, [p for p in every if p.on_ballot]


def proposal_seen(proposal: Proposal, who: Audience) -> Literal["all", "author"] | None:
    """Staff see every one; residents and the projector those shown, and a phone its own
    waiting ones too."""
    return live_ops.seen_as(who, hidden=proposal.hidden, waiting=proposal.waiting)


@snapshot.section
def room_state(meeting: Meeting, who: Audience) -> snapshot.Part:
    """Proposals' part of a live room's ``state``: the wall of proposals, the vote, the
    tally this audience may see, and each phone's own votes and waiting proposals."""
    proposals, on_ballot = proposals_and_ballot(meeting)
    items = [
        snapshot.Item(
            proposal_json(p, staff=who.staff), author=p.participant_id, author_only=seen == "author"
        )
        for p in proposals
        if (seen := proposal_seen(p, who)) is not None
    ]
    budget = _budget(meeting)
    waiting = any(item.author_only for item in items)

    def personal(viewer: Viewer) -> dict[str, Any]:
        mine = viewer.participant_id
        if mine is None:
            return {"me": {"votes": {}, "remaining": None}}
        part: dict[str, Any] = {"me": votes_of(mine, budget)}
        if waiting:
            part["proposals"] = snapshot.items_for(items, mine, marked=False)
        return part

    return snapshot.Part(
        {
            "proposals": snapshot.items_for(items, None),
            "voting": voting_json(meeting, on_ballot),
            "tally": (
                staff_tally(meeting, on_ballot) if who.staff else public_tally(meeting, on_ballot)
            ),
        },
        personal,
    )


def _announce(proposal: Proposal) -> None:
    """Staff hear of every change; the room only of a proposal before it, and a waiting
    one's author of theirs (a rejected one goes from the author's phone)."""
    meeting_id = proposal.meeting_id
    events.queue("proposal", proposal_json(proposal, staff=True), audience.staff(meeting_id))
    if proposal_shown(proposal):
        events.queue("proposal", proposal_json(proposal), audience.public(meeting_id))
    elif proposal.participant_id is not None:
        author = audience.participant(meeting_id, proposal.participant_id)
        if proposal.hidden:
            events.queue("proposal_removed", {"id": proposal.id, "into": None}, author)
        else:
            events.queue("proposal", proposal_json(proposal), author)


# -- checks --------------------------------------------------------------------------------


def check_proposal_title(value: str | None) -> str:
    title = clean_text(value)
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise ValidationError(
            _l("A title of %(min)d to %(max)d characters.", min=TITLE_MIN, max=TITLE_MAX),
            field="title",
        )
    return title


class Waiting(Conflict):
    code = "waiting"


def get_proposal(
    meeting: Meeting, proposal_id: int, *, field: str = "id", moderating: bool = False
) -> Proposal:
    """One of this meeting's proposals; one waiting for approval or rejected only when
    ``moderating`` it (nothing else may put it before the room by a side door)."""
    proposal = session().get(Proposal, proposal_id)
    if proposal is None or proposal.meeting_id != meeting.id:
        raise NotFound(_l("No such proposal."), field=field)
    check_proposal(proposal.status, proposal.waiting or proposal.hidden, field, moderating)
    return proposal


def check_proposal(
    status: ProposalStatus, unapproved: bool, field: str, moderating: bool = False
) -> None:
    if status is ProposalStatus.merged:
        raise NotFound(_l("This proposal was merged into another."), field=field)
    if not moderating and unapproved:
        raise Waiting(_l("This proposal has not been approved."), field=field)


def get_theme_proposal(meeting: Meeting, proposal_id: int) -> Proposal:
    """A proposal of any meeting of this meeting's theme: duplicates recur across meetings."""
    proposal = session().get(Proposal, proposal_id)
    if proposal is None or proposal.theme_id != meeting.theme_id:
        raise NotFound(_l("No such proposal."), field="into")
    if proposal.status is ProposalStatus.merged:
        raise NotFound(_l("This proposal was merged into another."), field="into")
    if proposal.waiting or proposal.hidden:
        raise Waiting(_l("This proposal has not been approved."), field="into")
    return proposal


def check_not_in_open_vote(meeting: Meeting, proposal: Proposal) -> None:
    if meeting.voting_status == VotingStatus.open and proposal.on_ballot:
        raise VotingOpen(_l("Not while the vote on it is open."))


# -- proposals -----------------------------------------------------------------------------


def duplicates(proposal: Proposal) -> list[dict[str, Any]]:
    """Likely duplicates in the same theme, across its meetings, best first.

    Token-set similarity on case-folded text: word order and extra words matter
    little, and it needs no language model, so Swedish, Arabic or Somali alike.
    """
    others = session().execute(
        sa.select(Proposal.id, Proposal.title, Proposal.body, Proposal.meeting_id).where(
            Proposal.theme_id == proposal.theme_id,
            Proposal.id != proposal.id,
            Proposal.status != ProposalStatus.merged,
        )
    )
    choices = {row.id: (f"{row.title} {row.body}", row) for row in others}
    found = process.extract(
        f"{proposal.title} {proposal.body}",
        {pid: text for pid, (text, _) in choices.items()},
        scorer=fuzz.token_set_ratio,
        processor=utils.default_process,
        score_cutoff=DUPLICATE_SCORE,
        limit=DUPLICATES_SHOWN,
    )
    return [
        {
            "id": pid,
            "title": choices[pid][1].title,
            "meeting_id": choices[pid][1].meeting_id,
            "score": round(score),
        }
        for _, score, pid in found
    ]


def _suggest_duplicates(proposal: Proposal) -> None:
    candidates = duplicates(proposal)
    if candidates:
        events.queue(
            "proposal_duplicates",
            {"id": proposal.id, "candidates": candidates},
            audience.staff(proposal.meeting_id),
        )


def add_proposal(
    meeting: Meeting,
    viewer: Viewer,
    participant: Participant | None,
    title: str,
    body: str | None = None,
    *,
    source: Contribution | None = None,
) -> Proposal:
    live_ops.check_open(meeting)
    live_ops.check_not_blocked(participant)
    proposal = Proposal(
        meeting_id=meeting.id,
        theme_id=meeting.theme_id,
        title=check_proposal_title(title),
        body=check_optional_text(body, field="body", max_length=BODY_MAX),
        source_contribution_id=source.id if source is not None else None,
        participant_id=participant.id if participant is not None else None,
        author_user_id=viewer.user_id,
        waiting=live_ops.needs_approval(meeting, participant),
    )
    session().add(proposal)
    session().flush()
    _announce(proposal)
    _suggest_duplicates(proposal)
    return proposal


def approve_proposal(meeting: Meeting, proposal_id: int) -> Proposal:
    """Put a resident's waiting proposal before the room; approving again changes nothing."""
    proposal = get_proposal(meeting, proposal_id, moderating=True)
    if proposal.hidden:
        raise Conflict(_l("This proposal was rejected."), code="rejected", field="id")
    if proposal.waiting:
        proposal.waiting = False
        session().flush()
        _announce(proposal)
    return proposal


def reject_proposal(meeting: Meeting, proposal_id: int, reason: str) -> Proposal:
    """Turn down a waiting proposal with a reason: it leaves its author's phone and stays
    on the console, marked. Only waiting ones: the room has never seen them."""
    proposal = get_proposal(meeting, proposal_id, moderating=True)
    reason = check_title(reason, field="reason", max_length=REASON_MAX)
    if not proposal.waiting:
        raise Conflict(_l("Only a proposal waiting for approval is rejected."), field="id")
    proposal.waiting = False
    proposal.hidden = True
    proposal.hidden_reason = reason
    session().flush()
    _announce(proposal)
    return proposal


def promote_contribution(
    meeting: Meeting, viewer: Viewer, contribution_id: int, title: str | None = None
) -> Proposal:
    """A facilitator turns something said into a proposal; it keeps the link to its source."""
    contribution = session().get(Contribution, contribution_id)
    if contribution is None or contribution.meeting_id != meeting.id or contribution.deleted:
        raise NotFound(_l("No such contribution."), field="contribution_id")
    text = title if title is not None else contribution.text[:TITLE_MAX]
    return add_proposal(meeting, viewer, None, text, None, source=contribution)


def edit_proposal(
    meeting: Meeting, proposal_id: int, title: str | None, body: str | None
) -> Proposal:
    """Staff's edit; a waiting one may be tidied before it is approved."""
    proposal = get_proposal(meeting, proposal_id, moderating=True)
    check_not_in_open_vote(meeting, proposal)
    if title is not None:
        proposal.title = check_proposal_title(title)
    if body is not None:
        proposal.body = check_optional_text(body, field="body", max_length=BODY_MAX)
    session().flush()
    _announce(proposal)
    return proposal


def merge_proposals(meeting: Meeting, ids: Sequence[int], into_id: int) -> Proposal:
    """Fold ``ids`` into ``into_id`` (of any meeting of the theme): ballots carry over
    where the voter has none there.

    Nobody is counted twice: a voter with a ballot on both keeps the one on ``into``.
    The merged ones stay, pointing to what they became, so the trail is kept.
    """
    if not ids or len(ids) > MERGE_MAX or len(set(ids)) != len(ids):
        raise ValidationError(
            _l("Name 1 to %(max)d different proposals to merge.", max=MERGE_MAX), field="ids"
        )
    if into_id in ids:
        raise ValidationError(_l("A proposal cannot be merged into itself."), field="into")
    into = get_theme_proposal(meeting, into_id)
    merged = [get_proposal(meeting, pid, field="ids") for pid in ids]
    check_not_in_open_vote(into.meeting, into)
    for proposal in merged:
        check_not_in_open_vote(meeting, proposal)
    voters_on_into = set(
        session().scalars(sa.select(Vote.participant_id).where(Vote.proposal_id == into.id))
    )
    for proposal in merged:
        for vote in list(proposal.votes):
            if vote.participant_id in voters_on_into:
                session().delete(vote)
            else:
                vote.proposal_id = into.id
                voters_on_into.add(vote.participant_id)
        for paper in list(proposal.paper):
            paper.proposal_id = into.id
        if (
            proposal.on_ballot
            and meeting.voting_status is not None
            and into.meeting_id == meeting.id
        ):
            into.on_ballot = True  # another meeting's ballot is that meeting's business
        proposal.status = ProposalStatus.merged
        proposal.merged_into_id = into.id
        proposal.on_ballot = False
    session().flush()
    session().expire_all()
    for proposal in merged:
        events.queue(
            "proposal_removed",
            {"id": proposal.id, "into": into.id},
            audience.everyone(meeting.id),
        )
    _announce(into)
    return into


# -- voting --------------------------------------------------------------------------------


def _announce_voting(meeting: Meeting) -> None:
    events.queue("voting", voting_json(meeting), audience.everyone(meeting.id))


def open_voting(meeting: Meeting, proposal_ids: Sequence[int] | None = None) -> list[int]:
    """Open a vote. Without ids: after a close, the same ballot again; else all open ones."""
    live_ops.check_open(meeting)
    if meeting.voting_status == VotingStatus.open:
        raise VotingOpen(_l("A vote is already open."))
    current = ballot(meeting)
    if proposal_ids is not None:
        if not proposal_ids or len(set(proposal_ids)) != len(proposal_ids):
            raise ValidationError(_l("Name the proposals to vote on."), field="proposal_ids")
        chosen = [get_proposal(meeting, pid, field="proposal_ids") for pid in proposal_ids]
    elif current:
        chosen = current
    else:
        chosen = [p for p in visible_proposals(meeting) if p.status is ProposalStatus.open]
    if not chosen:
        raise ValidationError(_l("There is no open proposal to vote on."), field="proposal_ids")
    if any(p.status in DECIDED for p in chosen):
        raise Conflict(_l("A decided proposal is not voted on again."), field="proposal_ids")
    chosen_ids = {p.id for p in chosen}
    for proposal in current:
        if proposal.id not in chosen_ids:
            proposal.on_ballot = False
    for proposal in chosen:
        proposal.on_ballot = True
        proposal.status = ProposalStatus.voting
    meeting.voting_status = VotingStatus.open
    session().flush()
    _announce_voting(meeting)
    for proposal in chosen:
        _announce(proposal)
    return sorted(chosen_ids)


def close_voting(meeting: Meeting) -> None:
    if meeting.voting_status != VotingStatus.open:
        raise VotingClosed(_l("No vote is open."))
    meeting.voting_status = VotingStatus.closed
    for proposal in ballot(meeting):
        proposal.status = ProposalStatus.open
    session().flush()
    _announce_voting(meeting)
    for proposal in ballot(meeting):
        _announce(proposal)
    # Everyone gets the final count now, hidden results included: a closed vote is public.
    events.queue("tally", dict(tally(meeting)), audience.public(meeting.id))
    events.queue("tally", _staff_counts(meeting), audience.staff(meeting.id))


def check_value(meeting: Meeting, value: int) -> None:
    check_vote_value(meeting.voting_method, meeting.effective_cap, value)


def check_vote_value(method: VotingMethod, cap: int, value: int) -> None:
    allowed: range | tuple[int, ...]
    if method is VotingMethod.approval:
        allowed = (0, 1)
    elif method is VotingMethod.agree:
        allowed = (-1, 0, 1)
    elif method is VotingMethod.dots:
        allowed = range(0, cap + 1)
    else:
        allowed = range(0, 6)
    if value not in allowed:
        raise ValidationError(
            _l("This vote does not allow the value %(value)d.", value=value), field="value"
        )


VOTES: sa.Table = Vote.__table__  # type: ignore[assignment]
PARTICIPANTS: sa.Table = Participant.__table__  # type: ignore[assignment]
_LOCK_VOTER = HotStatement(
    sa.update(PARTICIPANTS)
    .where(PARTICIPANTS.c.id == sa.bindparam("participant_id"))
    .values(vote_seq=PARTICIPANTS.c.vote_seq + 1)
)
_BALLOT_VOTES = HotStatement(
    sa.select(VOTES.c.id, VOTES.c.proposal_id, VOTES.c.value)
    .join(Proposal.__table__, Proposal.__table__.c.id == VOTES.c.proposal_id)
    .where(
        VOTES.c.participant_id == sa.bindparam("participant_id"),
        Proposal.__table__.c.on_ballot.is_(True),
    )
)
_CHANGE_VOTE = HotStatement(
    sa.update(VOTES)
    .where(VOTES.c.id == sa.bindparam("vote_id"))
    .values(value=sa.bindparam("value"), cast_at=sa.bindparam("cast_at"))
)

_TAKE_VOTE = HotStatement(sa.delete(VOTES).where(VOTES.c.id == sa.bindparam("vote_id")))
_VOTE_COLUMNS = ("proposal_id", "participant_id", "value", "cast_at")
_ADD_VOTE = HotStatement(sa.insert(VOTES), columns=_VOTE_COLUMNS)


def _upsert(insert: Any) -> Any:
    return insert.on_conflict_do_update(
        index_elements=[VOTES.c.proposal_id, VOTES.c.participant_id],
        set_={"value": insert.excluded.value, "cast_at": insert.excluded.cast_at},
    )


#: A vote without a budget (every method but dots) in one statement, per database.
_PUT_VOTE = {
    "postgresql": HotStatement(_upsert(postgresql.insert(VOTES)), columns=_VOTE_COLUMNS),
    "sqlite": HotStatement(_upsert(sqlite.insert(VOTES)), columns=_VOTE_COLUMNS),
}


CLIENT_WRITES: sa.Table = ClientWrite.__table__  # type: ignore[assignment]


def _put_vote_recorded() -> Any:
    """PostgreSQL: the vote and its write's record in one statement (one round trip), each
    stored only with the other; a retry's record already there refuses both."""
    put = (
        _upsert(
            postgresql.insert(VOTES).values(
                proposal_id=sa.bindparam("proposal_id"),
                participant_id=sa.bindparam("participant_id"),
                value=sa.bindparam("value"),
                cast_at=sa.bindparam("cast_at"),
            )
        )
        .returning(VOTES.c.id)
        .cte("put_vote")
    )
    columns = ("actor", "client_id", "event", "response")
    row = sa.select(
        *(sa.bindparam(name, type_=CLIENT_WRITES.c[name].type) for name in columns),
        sa.bindparam("cast_at", type_=CLIENT_WRITES.c.created_at.type),
    ).select_from(put)
    return sa.insert(CLIENT_WRITES).from_select([*columns, "created_at"], row).add_cte(put)


_PUT_VOTE_RECORDED = {"postgresql": HotStatement(_put_vote_recorded())}


#: All a vote is checked against, in one statement: the meeting, the voter, the proposal.
_VOTE_CHECK = HotStatement(
    sa.select(
        Meeting.id,
        Meeting.status,
        Meeting.voting_status,
        Meeting.voting_method,
        Meeting.voting_dots,
        Meeting.voting_cap,
        Participant.blocked,
        Proposal.id,
        Proposal.status,
        Proposal.waiting | Proposal.hidden,
        Proposal.on_ballot,
    )
    .select_from(Participant)
    .join(Meeting, Meeting.id == Participant.meeting_id)
    .outerjoin(
        Proposal,
        sa.and_(Proposal.id == sa.bindparam("proposal_id"), Proposal.meeting_id == Meeting.id),
    )
    .where(Participant.id == sa.bindparam("participant_id"))
)


def vote(
    participant_id: int, proposal_id: int, value: int, record: WriteRecord | None = None
) -> int | None:
    """Record or change a participant's vote; returns the dots left (dots only). In Core
    statements made once: a vote storm's every vote comes this way, and the ORM's rows
    would cost more than the vote itself.

    ``record``, the live write's, is stored with the vote where one statement can hold
    both (``record.response`` is then set). Each statement commits on its own on
    PostgreSQL (``autocommit_connection``): the check only reads, and the vote is one
    statement, but for dots, whose budget is read and spent in a transaction.
    """
    db = autocommit_connection()
    row = _VOTE_CHECK.first(db, {"participant_id": participant_id, "proposal_id": proposal_id})
    if row is None:  # erased meanwhile
        raise ValidationError(_l("Only participants vote."))
    (meeting_id, status, voting_status, method, dots, cap, blocked, found, *proposal) = row
    live_ops.check_status(status)
    live_ops.check_unblocked(blocked)
    if voting_status != VotingStatus.open:
        raise VotingClosed(_l("Voting is not open."))
    if found is None:
        raise NotFound(_l("No such proposal."), field="proposal_id")
    proposal_status, unapproved, on_ballot = proposal
    check_proposal(proposal_status, unapproved, "proposal_id")
    if not on_ballot:
        raise Conflict(_l("This proposal is not on the ballot."), code="not_on_ballot")
    check_vote_value(method, cap if cap is not None else dots, value)
    mine: dict[str, Any] = {"proposal_id": proposal_id, "value": value, "remaining": None}
    put = _PUT_VOTE.get(db.dialect.name)
    if method is not VotingMethod.dots and put is not None:
        # No budget to read: the pair's unique constraint settles two votes at once.
        ballot_row = {
            "proposal_id": proposal_id,
            "participant_id": participant_id,
            "value": value,
            "cast_at": utcnow(),
        }
        recorded = _PUT_VOTE_RECORDED.get(db.dialect.name)
        if record is not None and recorded is not None:
            response: dict[str, object] = {"ok": True}
            recorded.run(db, {**ballot_row, **record.row(response)})
            record.response = response
        else:
            put.run(db, ballot_row)
        _tell_voter(mine, audience.participant(meeting_id, participant_id), record)
        return None
    begin_explicitly(db)
    # Lock this participant first (a row lock on PostgreSQL, the write lock on SQLite):
    # the budget below is then read and spent by one request at a time. Core statements
    # on the connection, made once: a vote storm's every vote takes this path.
    _LOCK_VOTER.run(db, {"participant_id": participant_id})
    votes = {
        pid: (vote_id, given)
        for vote_id, pid, given in _BALLOT_VOTES.all(db, {"participant_id": participant_id})
    }
    remaining = None
    if method is VotingMethod.dots:
        used = sum(given for pid, (_, given) in votes.items() if pid != proposal_id)
        if used + value > dots:
            raise Conflict(
                _l("You have %(left)d dots left.", left=dots - used),
                code="no_dots_left",
                field="value",
            )
        remaining = dots - used - value
    existing = votes.get(proposal_id)
    if method is VotingMethod.dots and value == 0:
        if existing is not None:
            _TAKE_VOTE.run(db, {"vote_id": existing[0]})
    elif existing is not None:
        _CHANGE_VOTE.run(db, {"vote_id": existing[0], "value": value, "cast_at": utcnow()})
    else:
        _ADD_VOTE.run(
            db,
            {
                "proposal_id": proposal_id,
                "participant_id": participant_id,
                "value": value,
                "cast_at": utcnow(),
            },
        )
    mine["remaining"] = remaining
    _tell_voter(mine, audience.participant(meeting_id, participant_id), record)
    return remaining


def _tell_voter(mine: dict[str, Any], voter: str, record: WriteRecord | None) -> None:
    """The voter's phones hear their vote: the one that cast it in its answer, when it
    came live (``record``), the others as an event."""
    if record is None:
        events.queue("vote", mine, voter)
    else:
        record.tell("vote", mine, voter)


def check_paper_counts(meeting: Meeting, counts: Mapping[str, object]) -> dict[str, int]:
    keys = PAPER_KEYS[meeting.voting_method]
    unknown = sorted(set(counts) - set(keys))
    if unknown or not counts:
        raise ValidationError(
            _l("Counts for this vote are: %(keys)s.", keys=", ".join(keys)), field="counts"
        )
    checked: dict[str, int] = {}
    for key, number in counts.items():
        if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number <= PAPER_MAX:
            raise ValidationError(
                _l("Counts are whole numbers from 0 to %(max)d.", max=PAPER_MAX), field="counts"
            )
        checked[key] = number
    return checked


def add_paper_votes(
    meeting: Meeting, viewer: Viewer, proposal_id: int, counts: Mapping[str, object]
) -> None:
    if meeting.voting_status is None:
        raise VotingClosed(_l("There has been no vote yet."))
    proposal = get_proposal(meeting, proposal_id, field="proposal_id")
    if not proposal.on_ballot:
        raise Conflict(_l("This proposal is not on the ballot."), code="not_on_ballot")
    session().add(
        PaperVotes(
            proposal_id=proposal.id,
            counts=check_paper_counts(meeting, counts),
            added_by_user_id=viewer.user_id,
        )
    )
    session().flush()
