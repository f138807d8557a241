"""The write path of a live room: check, then act, then queue the events.

Functions flush, never commit; the caller (a socket handler) commits, and the
queued events go out after that commit (see ``facilitate.events``). Who may call
what is the caller's business (``rooms`` authorises every event); what the
room's state allows is checked here.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping
from typing import Any, Literal, TypeVar

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from facilitate import events
from facilitate.db import resident_words, scrub_after_commit, session, utcnow
from facilitate.errors import Conflict, Forbidden, NotFound, ValidationError
from facilitate.languages import ORIGINAL, guess_language
from facilitate.meetings.models import Meeting, MeetingStatus, ScreenMode, ScreenTheme
from facilitate.meetings.signals import content_changed
from facilitate.validation import (
    check_int_range,
    check_language,
    check_plain_text,
    check_title,
    clean_text,
)

from . import audience
from .models import (
    HAND_LABEL_MAX,
    NOTICE_MAX,
    REASON_MAX,
    TEXT_MAX,
    Contribution,
    ContributionKind,
    Hand,
    Participant,
    Reaction,
)
from .views_json import (
    Audience,
    Viewer,
    contribution_json,
    hand_json,
    meeting_json,
    phases_json,
    screen_json,
    speaker_json,
    timer_json,
)

TIMER_MAX = 4 * 3600
GROUPS_MAX = 50


class RoomClosed(Conflict):
    code = "meeting_closed"


# -- checks --------------------------------------------------------------------------------


def check_open(meeting: Meeting) -> None:
    check_status(meeting.status)


def check_status(status: MeetingStatus) -> None:
    if status is not MeetingStatus.open:
        raise RoomClosed(_l("The meeting is not open."))


def check_not_blocked(participant: Participant | None) -> None:
    if participant is not None:
        check_unblocked(participant.blocked)


def check_unblocked(blocked: bool) -> None:
    if blocked:
        raise Forbidden(_l("You can no longer write in this meeting."), code="blocked")


def check_text(text: str | None, *, field: str = "text") -> str:
    value = clean_text(text)
    if not value:
        raise ValidationError(_l("Write something first."), field=field)
    if len(value) > TEXT_MAX:
        raise ValidationError(_l("At most %(max)d characters.", max=TEXT_MAX), field=field)
    return value


def check_kind(kind: str | None) -> ContributionKind:
    try:
        return ContributionKind(kind or ContributionKind.experience.value)
    except ValueError:
        raise ValidationError(_l("Unknown kind of contribution."), field="kind") from None


def get_contribution(meeting: Meeting, contribution_id: int) -> Contribution:
    contribution = session().get(Contribution, contribution_id)
    if contribution is None or contribution.meeting_id != meeting.id or contribution.deleted:
        raise NotFound(_l("No such contribution."), field="id")
    return contribution


def get_participant(meeting: Meeting, participant_id: int) -> Participant:
    participant = session().get(Participant, participant_id)
    if participant is None or participant.meeting_id != meeting.id:
        raise NotFound(_l("No such participant."), field="participant_id")
    return participant


# -- who sees a contribution ---------------------------------------------------------------


def groups_running(meeting: Meeting) -> bool:
    return meeting.groups_count is not None


def seen_as(who: Audience, *, hidden: bool, waiting: bool) -> Literal["all", "author"] | None:
    """Who of ``who`` sees a resident's item by its moderation: staff every one; nobody
    else a hidden one; only its author one waiting for approval (under pre-moderation)."""
    if who.staff:
        return "all"
    if hidden:
        return None
    if waiting:
        return "author" if who.resident else None
    return "all"


def seen_by(
    contribution: Contribution, who: Audience, grouped: bool
) -> Literal["all", "author"] | None:
    """Who of ``who`` sees it: all of them, only its author among them (waiting for
    approval), or none (hidden ones are staff-only; a group sees its own wall)."""
    if contribution.deleted:
        return None
    seen = seen_as(who, hidden=contribution.hidden, waiting=contribution.waiting)
    if seen != "all" or who.staff:
        return seen
    if not who.resident or not grouped or contribution.group is None:
        return "all"  # the projector sees every group's wall side by side
    return "all" if contribution.group == who.group else None


def visible_to(
    contribution: Contribution, meeting: Meeting, viewer: Viewer, group: int | None
) -> bool:
    """Whether ``viewer`` (in breakout ``group``) may see it."""
    seen = seen_by(contribution, Audience.of(viewer, group), groups_running(meeting))
    return seen == "all" or (
        seen == "author" and contribution.participant_id == viewer.participant_id
    )


def shown(contribution: Contribution) -> bool:
    """On the wall for the whole room: not deleted, not hidden, not waiting for approval."""
    return not (contribution.deleted or contribution.hidden or contribution.waiting)


def needs_approval(meeting: Meeting, participant: Participant | None) -> bool:
    """Under pre-moderation a resident's writing waits; staff's own and what they type in
    on someone's behalf do not (staff are the moderators)."""
    return meeting.premoderation and participant is not None


def _resident_audiences(meeting: Meeting, contribution: Contribution) -> list[str]:
    if groups_running(meeting) and contribution.group is not None:
        return [audience.group(meeting.id, contribution.group), audience.screen(meeting.id)]
    return [audience.public(meeting.id)]


def _reacted(contribution: Contribution, participant_id: int | None) -> bool:
    return any(r.participant_id == participant_id for r in contribution.reactions)


def _announce(
    meeting: Meeting, contribution: Contribution, *, was_shown: bool | None = None
) -> None:
    """Send a contribution as each audience may see it; its author's phones get ``own``.

    ``was_shown``: whether the room saw it before this change (by default: as now). Only
    then do residents and the projector hear that it went: an item that waited for
    approval never reaches them, not even as a removal.
    """
    if was_shown is None:
        was_shown = shown(contribution)
    author = contribution.participant_id
    author_room = audience.participant(meeting.id, author) if author is not None else None
    removed = {"id": contribution.id}
    if contribution.deleted:
        events.queue("contribution_removed", removed, audience.staff(meeting.id))
        if was_shown:
            for to in _resident_audiences(meeting, contribution):
                events.queue("contribution_removed", removed, to)
        if author_room is not None:
            events.queue("contribution_removed", removed, author_room)
        return
    events.queue(
        "contribution",
        contribution_json(contribution, staff=True, own=False),
        audience.staff(meeting.id),
    )
    if not shown(contribution):
        if was_shown:
            # Waiting again (edited under pre-moderation): its author keeps it, marked.
            skip = None if contribution.hidden else author_room
            for to in _resident_audiences(meeting, contribution):
                events.queue("contribution_removed", removed, to, skip=skip)
        if author_room is None:
            return
        if contribution.hidden:
            events.queue("contribution_removed", removed, author_room)
        else:
            own_view = contribution_json(
                contribution, staff=False, own=True, reacted=_reacted(contribution, author)
            )
            events.queue("contribution", own_view, author_room)
        return
    public_view = contribution_json(contribution, staff=False, own=False)
    for to in _resident_audiences(meeting, contribution):
        events.queue("contribution", public_view, to, skip=author_room)
    if author_room is not None:
        own_view = contribution_json(
            contribution, staff=False, own=True, reacted=_reacted(contribution, author)
        )
        events.queue("contribution", own_view, author_room)
    if not was_shown:
        _retell_reactors(meeting, contribution)


def announce_added(meeting: Meeting, contributions: Iterable[Contribution]) -> None:
    """Contributions written in bulk, past the usual path (an imported Pol.is
    conversation): each told to the room as one just added."""
    for contribution in contributions:
        _announce(meeting, contribution)


def _retell_reactors(meeting: Meeting, contribution: Contribution) -> None:
    """Back on the walls: the wall event leaves ``reacted`` out, and a client that dropped
    the contribution forgot its own "me too", so each reactor hears it again."""
    count = len(contribution.reactions)
    for reaction in contribution.reactions:
        if reaction.participant_id != contribution.participant_id:  # the author's view has it
            events.queue(
                "reaction",
                {"contribution_id": contribution.id, "reactions": count, "reacted": True},
                audience.participant(meeting.id, reaction.participant_id),
            )


# -- meeting, phases, timer ----------------------------------------------------------------


@content_changed.connect
def _announce_content(meeting: Meeting, **_: object) -> None:
    """A facilitator edited the meeting or its agenda: every screen gets the new texts
    (a step's question in a language just added, say) without a reload."""
    events.queue("meeting", meeting_json(meeting), audience.everyone(meeting.id))
    events.queue("phases", {"phases": phases_json(meeting)}, audience.everyone(meeting.id))


def _phase_seconds(meeting: Meeting) -> int | None:
    if meeting.current_phase is None or not meeting.phases:
        return None
    return meeting.phases[meeting.current_phase].minutes * 60


def _announce_timer(meeting: Meeting) -> None:
    events.queue("timer", timer_json(meeting), audience.everyone(meeting.id))


def open_meeting(meeting: Meeting) -> None:
    if meeting.status is not MeetingStatus.draft:
        raise Conflict(_l("Only a planned meeting can be opened."), code="not_draft")
    if not meeting.phases:
        raise ValidationError(_l("The agenda needs at least one phase."), field="agenda")
    meeting.status = MeetingStatus.open
    meeting.current_phase = 0
    meeting.timer_ends_at = None
    meeting.timer_remaining = _phase_seconds(meeting)
    session().flush()
    events.queue("meeting", meeting_json(meeting), audience.everyone(meeting.id))
    events.queue("phase", {"current_phase": 0}, audience.everyone(meeting.id))
    _announce_timer(meeting)


def close_meeting(meeting: Meeting) -> None:
    check_open(meeting)
    meeting.status = MeetingStatus.closed
    if meeting.timer_ends_at is not None:
        pause_timer(meeting)
    session().flush()
    events.queue("meeting", meeting_json(meeting), audience.everyone(meeting.id))


def goto_phase(meeting: Meeting, index: int) -> None:
    check_open(meeting)
    check_int_range(index, field="index", low=0, high=len(meeting.phases) - 1)
    meeting.current_phase = index
    meeting.timer_ends_at = None
    meeting.timer_remaining = _phase_seconds(meeting)
    session().flush()
    events.queue("phase", {"current_phase": index}, audience.everyone(meeting.id))
    _announce_timer(meeting)
    clear_speaker(meeting)  # the word was given on the step before


def start_timer(
    meeting: Meeting, seconds: int | None = None, *, now: dt.datetime | None = None
) -> None:
    check_open(meeting)
    now = now or utcnow()
    if seconds is not None:
        left = check_int_range(seconds, field="seconds", low=1, high=TIMER_MAX)
    else:
        left = meeting.timer_remaining or _phase_seconds(meeting) or 0
    if meeting.timer_ends_at is not None and seconds is None:
        return  # already running: a second start changes nothing
    meeting.timer_ends_at = now + dt.timedelta(seconds=left)
    meeting.timer_remaining = None
    session().flush()
    _announce_timer(meeting)


def pause_timer(meeting: Meeting, *, now: dt.datetime | None = None) -> None:
    if meeting.timer_ends_at is None:
        return
    left = (meeting.timer_ends_at - (now or utcnow())).total_seconds()
    meeting.timer_remaining = max(0, round(left))
    meeting.timer_ends_at = None
    session().flush()
    _announce_timer(meeting)


def add_time(meeting: Meeting, seconds: int) -> None:
    check_open(meeting)
    check_int_range(seconds, field="seconds", low=-TIMER_MAX, high=TIMER_MAX)
    if meeting.timer_ends_at is not None:
        meeting.timer_ends_at = max(utcnow(), meeting.timer_ends_at + dt.timedelta(seconds=seconds))
    else:
        meeting.timer_remaining = max(0, (meeting.timer_remaining or 0) + seconds)
    session().flush()
    _announce_timer(meeting)


_Choice = TypeVar("_Choice", ScreenMode, ScreenTheme)


def set_screen(meeting: Meeting, changes: Mapping[str, object]) -> None:
    """Changes what the projector shows, each setting only when ``changes`` names it:
    ``language``, the second language beneath the original (``None``: the original only),
    ``mode`` and ``theme``. All are checked before any is changed. Every screen hears of a
    change, so a reloaded projector keeps it."""
    if not changes.keys() & {"language", "mode", "theme"}:
        raise ValidationError(_l("Say what to change: mode, theme or language."), field="mode")
    language = meeting.screen_language
    if "language" in changes:
        given = changes["language"]
        language = check_language(given if isinstance(given, str) else None)
    mode = _choice(ScreenMode, changes.get("mode", meeting.screen_mode), "mode")
    theme = _choice(ScreenTheme, changes.get("theme", meeting.screen_theme), "theme")
    before = screen_json(meeting)
    meeting.screen_language, meeting.screen_mode, meeting.screen_theme = language, mode, theme
    if screen_json(meeting) == before:
        return
    session().flush()
    events.queue("screen", screen_json(meeting), audience.everyone(meeting.id))


def _choice(kind: type[_Choice], value: object, field: str) -> _Choice:
    if not isinstance(value, str) or value not in {member.value for member in kind}:
        raise ValidationError(_l("Unknown choice: %(value)s.", value=str(value)[:20]), field=field)
    return kind(value)


def send_notice(meeting: Meeting, text: str) -> None:
    check_open(meeting)
    message = check_title(text, field="text", max_length=NOTICE_MAX)
    events.queue(
        "notice", {"text": message, "at": timer_json(meeting)["now"]}, audience.everyone(meeting.id)
    )


# -- contributions -------------------------------------------------------------------------


def add_contribution(
    meeting: Meeting,
    viewer: Viewer,
    participant: Participant | None,
    text: str,
    kind: str | None = None,
    *,
    on_behalf: bool = False,
    language: str | None = None,
    writer_language: str | None = None,
) -> Contribution:
    """``language`` is the writer's pick; without one it is guessed from the text, and
    ``writer_language`` (the language their screen is in) settles what the guess cannot."""
    check_open(meeting)
    check_not_blocked(participant)
    text = check_text(text)
    chosen = check_language(language)
    contribution = Contribution(
        meeting_id=meeting.id,
        phase=meeting.current_phase or 0,
        participant_id=participant.id if participant is not None else None,
        author_user_id=viewer.user_id,
        on_behalf=on_behalf,
        text=text,
        language=chosen or guess_language(text, check_language(writer_language)),
        kind=check_kind(kind),
        group=participant.group if participant is not None and groups_running(meeting) else None,
        waiting=needs_approval(meeting, participant),
        reactions=[],
    )
    session().add(contribution)
    session().flush()
    _announce(meeting, contribution)
    return contribution


def _check_own(contribution: Contribution, participant: Participant | None) -> None:
    if participant is None or contribution.participant_id != participant.id:
        raise Forbidden(_l("You can only change what you wrote yourself."))


def edit_contribution(
    meeting: Meeting, participant: Participant | None, contribution_id: int, text: str
) -> Contribution:
    check_open(meeting)
    check_not_blocked(participant)
    contribution = get_contribution(meeting, contribution_id)
    _check_own(contribution, participant)
    if contribution.phase != meeting.current_phase:
        raise Conflict(_l("This phase is over; what was said stays."), code="phase_over")
    was_shown = shown(contribution)
    contribution.text = check_text(text)
    # Approved words changed: under pre-moderation they are read again before the room
    # sees them, or approving once would let anything through later.
    if needs_approval(meeting, participant):
        contribution.waiting = True
    contribution.language = guess_language(contribution.text, contribution.language)
    # The hand translation was of the words before the edit.
    contribution.translation = ""
    contribution.translation_language = None
    contribution.edited_at = utcnow()
    session().flush()
    _announce(meeting, contribution, was_shown=was_shown)
    return contribution


def delete_contribution(
    meeting: Meeting, participant: Participant | None, contribution_id: int
) -> None:
    contribution = get_contribution(meeting, contribution_id)
    _check_own(contribution, participant)
    was_shown = shown(contribution)
    _erase(contribution)
    session().flush()
    _announce(meeting, contribution, was_shown=was_shown)


def _erase(contribution: Contribution) -> None:
    """Deleted means gone: the words too, not only from the screens (a tombstone stays).

    Every column marked as residents' words goes, so a copy added later goes with them.
    """
    contribution.deleted = True
    for key, erased in resident_words(Contribution).items():
        setattr(contribution, key, erased)
    scrub_after_commit(Contribution.__tablename__)


def erase_participant(meeting: Meeting, participant_id: int) -> int:
    """On a resident's request, everything they wrote in this meeting is erased."""
    participant = get_participant(meeting, participant_id)
    written = list(
        session().scalars(
            sa.select(Contribution).where(
                Contribution.participant_id == participant.id, Contribution.deleted.is_(False)
            )
        )
    )
    for contribution in written:
        was_shown = shown(contribution)
        _erase(contribution)
        session().flush()
        _announce(meeting, contribution, was_shown=was_shown)
    return len(written)


def people_and_words(meeting: Meeting) -> list[tuple[Participant, list[Contribution]]]:
    """Everyone who joined, in order, with what they still have on record (hidden too):
    how staff find the resident who asks, during the meeting or long after it."""
    people = session().scalars(
        sa.select(Participant)
        .where(Participant.meeting_id == meeting.id, Participant.imported.is_(False))
        .order_by(Participant.id)
    )
    words: dict[int, list[Contribution]] = {}
    for contribution in session().scalars(
        sa.select(Contribution)
        .where(Contribution.meeting_id == meeting.id, Contribution.deleted.is_(False))
        .where(Contribution.participant_id.is_not(None))
        .order_by(Contribution.id)
    ):
        words.setdefault(contribution.participant_id or 0, []).append(contribution)
    return [(person, words.get(person.id, [])) for person in people]


def hide_contribution(meeting: Meeting, contribution_id: int, reason: str) -> Contribution:
    """Hide it with a reason; for one waiting for approval, this is the rejection."""
    contribution = get_contribution(meeting, contribution_id)
    reason = check_title(reason, field="reason", max_length=REASON_MAX)
    was_shown = shown(contribution)
    contribution.hidden = True
    contribution.hidden_reason = reason
    session().flush()
    _announce(meeting, contribution, was_shown=was_shown)
    return contribution


def show_contribution(meeting: Meeting, contribution_id: int) -> Contribution:
    """Undo a hide. One that was waiting for approval goes back to waiting, not on the wall."""
    contribution = get_contribution(meeting, contribution_id)
    was_shown = shown(contribution)
    contribution.hidden = False
    contribution.hidden_reason = ""
    session().flush()
    _announce(meeting, contribution, was_shown=was_shown)
    return contribution


def approve_contribution(meeting: Meeting, contribution_id: int) -> Contribution:
    """Let a waiting contribution through to the wall and the projector; approving one
    that no longer waits changes nothing. A hidden one stays hidden."""
    contribution = get_contribution(meeting, contribution_id)
    if not contribution.waiting:
        return contribution
    was_shown = shown(contribution)
    contribution.waiting = False
    session().flush()
    _announce(meeting, contribution, was_shown=was_shown)
    return contribution


def answer_question(meeting: Meeting, contribution_id: int, answered: bool) -> Contribution:
    """Mark a question answered (or not): the console and projector move it down."""
    contribution = get_contribution(meeting, contribution_id)
    if contribution.kind is not ContributionKind.question:
        raise ValidationError(_l("Only a question can be marked answered."), field="id")
    if contribution.answered == answered:
        return contribution
    contribution.answered = answered
    session().flush()
    _announce(meeting, contribution)
    return contribution


def translate_contribution(
    meeting: Meeting, contribution_id: int, text: str | None, language: str | None
) -> Contribution:
    """Staff's own translation shown beneath the original; empty text removes it."""
    contribution = get_contribution(meeting, contribution_id)
    translation = check_plain_text(text, field="text", max_length=TEXT_MAX)
    contribution.translation = translation
    contribution.translation_language = (
        (check_language(language) or ORIGINAL) if translation else None
    )
    session().flush()
    _announce(meeting, contribution)
    return contribution


def pin_contribution(meeting: Meeting, contribution_id: int) -> Contribution:
    """Pin, or unpin when pinned: the projector keeps pinned ones on top."""
    contribution = get_contribution(meeting, contribution_id)
    contribution.pinned = not contribution.pinned
    session().flush()
    _announce(meeting, contribution)
    return contribution


# -- reactions -----------------------------------------------------------------------------


def _announce_reactions(meeting: Meeting, contribution: Contribution, reactor: int) -> None:
    count = {"contribution_id": contribution.id, "reactions": len(contribution.reactions)}
    events.queue("reaction", count, audience.staff(meeting.id))
    if not shown(contribution):
        return
    skip = audience.participant(meeting.id, reactor)
    for to in _resident_audiences(meeting, contribution):
        events.queue("reaction", count, to, skip=skip)
    mine = {**count, "reacted": _reacted(contribution, reactor)}
    events.queue("reaction", mine, audience.participant(meeting.id, reactor))


def set_reaction(
    meeting: Meeting,
    viewer: Viewer,
    participant: Participant | None,
    contribution_id: int,
    on: bool,
) -> Contribution:
    check_open(meeting)
    check_not_blocked(participant)
    if participant is None:
        raise Forbidden(_l("Only participants react."))
    contribution = get_contribution(meeting, contribution_id)
    if not on_wall(contribution, meeting, viewer, participant.group):
        raise NotFound(_l("No such contribution."), field="contribution_id")
    existing = next((r for r in contribution.reactions if r.participant_id == participant.id), None)
    if on and existing is None:
        contribution.reactions.append(Reaction(participant_id=participant.id))
    elif not on and existing is not None:
        contribution.reactions.remove(existing)
    else:
        return contribution  # already so: nothing changes, nothing is sent
    session().flush()
    _announce_reactions(meeting, contribution, participant.id)
    return contribution


def on_wall(
    contribution: Contribution, meeting: Meeting, viewer: Viewer, group: int | None
) -> bool:
    """Seen by this viewer and by the room: a waiting one takes no "me too", even its author's."""
    return shown(contribution) and visible_to(contribution, meeting, viewer, group)


# -- hands ---------------------------------------------------------------------------------


def open_hands(meeting: Meeting) -> list[Hand]:
    return list(
        session().scalars(
            sa.select(Hand)
            .where(Hand.meeting_id == meeting.id, Hand.closed_at.is_(None))
            .order_by(Hand.raised_at, Hand.id)
        )
    )


def _announce_hands(meeting: Meeting) -> None:
    events.queue(
        "hands",
        {"hands": [hand_json(h) for h in open_hands(meeting)]},
        audience.everyone(meeting.id),
    )


def raise_hand(meeting: Meeting, participant: Participant | None) -> None:
    check_open(meeting)
    check_not_blocked(participant)
    if participant is None:
        raise Forbidden(_l("Only participants raise a hand."))
    if any(h.participant_id == participant.id for h in open_hands(meeting)):
        return
    session().add(Hand(meeting_id=meeting.id, participant_id=participant.id))
    session().flush()
    _announce_hands(meeting)


def lower_hand(meeting: Meeting, participant: Participant | None) -> None:
    if participant is None:
        raise Forbidden(_l("Only participants raise a hand."))
    _close_hands(meeting, (h for h in open_hands(meeting) if h.participant_id == participant.id))


def _close_hands(meeting: Meeting, hands: Iterable[Hand], *, given: bool = False) -> bool:
    changed = False
    for hand in hands:
        hand.closed_at = utcnow()
        hand.given = given
        changed = True
    if changed:
        session().flush()
        _announce_hands(meeting)
    return changed


def raise_hand_for(meeting: Meeting, label: str | None) -> Hand:
    """Staff raise a hand for someone in the room without a phone, saying who it is for;
    it queues with the residents' own. The same label already up stays once."""
    check_open(meeting)
    who = clean_text(label)
    if not who:
        raise ValidationError(_l("Say who the hand is for."), field="label")
    who = check_plain_text(who, field="label", max_length=HAND_LABEL_MAX)
    queue = open_hands(meeting)
    same = next(
        (h for h in queue if h.participant_id is None and h.label.casefold() == who.casefold()),
        None,
    )
    if same is not None:
        return same
    hand = Hand(meeting_id=meeting.id, participant_id=None, label=who)
    session().add(hand)
    session().flush()
    _announce_hands(meeting)
    return hand


def _open_hand(meeting: Meeting, hand_id: int) -> Hand:
    hand = next((h for h in open_hands(meeting) if h.id == hand_id), None)
    if hand is None:
        raise NotFound(_l("This hand is not raised."), field="id")
    return hand


def lower_hand_for(meeting: Meeting, hand_id: int) -> None:
    """Staff lower a hand they raised for someone; a resident's own is theirs to lower
    (the facilitator gives the word or clears the queue)."""
    hand = _open_hand(meeting, hand_id)
    if hand.participant_id is not None:
        raise Forbidden(_l("Residents lower their own hands."))
    _close_hands(meeting, [hand])


def give_hand(
    meeting: Meeting, participant_id: int | None = None, *, hand_id: int | None = None
) -> None:
    """The word to a hand in the queue: by its id, or a resident's by their id (one of them)."""
    check_open(meeting)
    if (hand_id is None) == (participant_id is None):
        raise ValidationError(_l("Name one hand: its id or the participant's."), field="id")
    if hand_id is not None:
        hands = [_open_hand(meeting, hand_id)]
    else:
        participant = get_participant(meeting, participant_id or 0)
        hands = [h for h in open_hands(meeting) if h.participant_id == participant.id]
        if not hands:
            raise NotFound(_l("This participant has no hand raised."), field="participant_id")
    _close_hands(meeting, hands, given=True)
    given = {"participant_id": hands[0].participant_id, "id": hands[0].id}
    events.queue("hand_given", given, audience.everyone(meeting.id))
    _set_speaker(meeting, hands[0])


def speaker_hand(meeting: Meeting) -> Hand | None:
    if meeting.speaker_hand_id is None:
        return None
    hand = session().get(Hand, meeting.speaker_hand_id)
    return hand if hand is not None and hand.meeting_id == meeting.id else None


def _set_speaker(meeting: Meeting, hand: Hand | None) -> None:
    """Who has the word is state, not only the moment it was given: a projector or phone
    that connects later shows it too."""
    new_id = hand.id if hand is not None else None
    if meeting.speaker_hand_id == new_id:
        return
    meeting.speaker_hand_id = new_id
    session().flush()
    events.queue("speaker", {"speaker": speaker_json(hand)}, audience.everyone(meeting.id))


def clear_speaker(meeting: Meeting) -> None:
    """The facilitator ends the speech: nobody has the word until the next is given it."""
    _set_speaker(meeting, None)


def clear_hands(meeting: Meeting) -> None:
    _close_hands(meeting, open_hands(meeting))


# -- participants and groups ---------------------------------------------------------------


def block_participant(meeting: Meeting, participant_id: int) -> None:
    participant = get_participant(meeting, participant_id)
    participant.blocked = True
    _close_hands(meeting, (h for h in open_hands(meeting) if h.participant_id == participant.id))
    written = session().scalars(
        sa.select(Contribution).where(
            Contribution.participant_id == participant.id, Contribution.hidden.is_(False)
        )
    )
    for contribution in written:
        was_shown = shown(contribution)
        contribution.hidden = True
        contribution.hidden_reason = str(_l("Participant blocked"))
        session().flush()
        _announce(meeting, contribution, was_shown=was_shown)
    session().flush()


def split_groups(
    meeting: Meeting, count: int, by: str | None, online: Iterable[int], *, seed: int | None = None
) -> dict[int, int]:
    """Put everyone online into ``count`` groups, shuffled or by district; returns the seating."""
    check_open(meeting)
    check_int_range(count, field="count", low=2, high=GROUPS_MAX)
    how = by or "random"
    if how not in {"random", "area"}:
        raise ValidationError(_l("Split at random or by district."), field="by")
    ids = set(online)
    people = list(
        session().scalars(
            sa.select(Participant)
            .where(Participant.meeting_id == meeting.id, Participant.id.in_(ids))
            .order_by(Participant.id)
        )
    )
    if how == "random":
        random.Random(seed).shuffle(people)  # noqa: S311 -- seating, not security
    else:
        people.sort(key=lambda p: (p.area.name if p.area is not None else "\uffff", p.id))
    assignment: dict[int, int] = {}
    # Consecutive runs keep a district together; dealing round-robin would scatter it.
    for index, person in enumerate(people):
        number = index * count // max(1, len(people)) + 1 if how == "area" else index % count + 1
        person.group = number
        assignment[person.id] = number
    meeting.groups_count = count
    meeting.groups_by = how
    session().flush()
    events.queue("groups", groups_json(meeting), audience.everyone(meeting.id))
    return assignment


def end_groups(meeting: Meeting) -> None:
    check_open(meeting)
    meeting.groups_count = None
    meeting.groups_by = None
    session().execute(
        sa.update(Participant).where(Participant.meeting_id == meeting.id).values(group=None)
    )
    session().flush()
    events.queue("groups", groups_json(meeting), audience.everyone(meeting.id))


def place_late_joiner(meeting: Meeting, participant: Participant) -> None:
    """While groups run, a newcomer joins the smallest group."""
    if not groups_running(meeting) or participant.group is not None:
        return
    sizes = dict.fromkeys(range(1, (meeting.groups_count or 0) + 1), 0)
    for number in session().scalars(
        sa.select(Participant.group).where(
            Participant.meeting_id == meeting.id, Participant.group.is_not(None)
        )
    ):
        if number in sizes:
            sizes[number] += 1
    participant.group = min(sizes, key=lambda n: (sizes[n], n))
    session().flush()


def groups_json(meeting: Meeting) -> dict[str, Any]:
    return {"count": meeting.groups_count, "by": meeting.groups_by}
