"""The ``state`` a client gets on connect: the whole room as this viewer may see it.

A client's picture is this snapshot plus the events that follow; a test checks
that applying the events to a first snapshot gives the same as a fresh one.

The state is built in two parts, so a room of a thousand phones is read once per change
and not once per phone: a ``Room`` holds what everyone of one ``Audience`` sees alike
(staff; the projector and previews; the residents of a group), and ``Room.state_for``
adds what is one viewer's alone (``me``, which contributions are their own or have their
"me too", their own items still waiting for approval, their votes and answers). The
real-time engine keeps a ``Room`` while nothing in the meeting changes.

Domains above ``live`` (proposals: the ballot, the tally, this phone's votes) add their
part of the room through ``section``, so ``live`` imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from facilitate.db import session, utcnow
from facilitate.meetings.models import Meeting

from .models import Contribution, Participant
from .operations import groups_json, groups_running, open_hands, seen_by, speaker_hand
from .views_json import (
    Audience,
    Viewer,
    contribution_json,
    hand_json,
    iso,
    meeting_json,
    phases_json,
    screen_json,
    speaker_json,
    timer_json,
)

#: One viewer's additions to a section's part: top-level keys that replace the shared
#: ones (a list with their own waiting items) and ``me``'s keys. It may read the
#: database by the viewer's ids, never through the meeting's rows: a ``Room`` outlives
#: the session that built it.
Personal = Callable[[Viewer], dict[str, Any]]


@dataclass
class Part:
    """A section's part of the room: ``keys`` as the whole audience sees them."""

    keys: dict[str, Any]
    personal: Personal | None = None


#: A higher domain's part of the room, for one audience.
Section = Callable[[Meeting, Audience], Part]
_sections: list[Section] = []


def section(build: Section) -> Section:
    """Register ``build`` to add its keys to every snapshot (its ``me`` merges into ``me``)."""
    _sections.append(build)
    return build


@dataclass(frozen=True)
class Item:
    """A contribution or proposal in a shared list, with what decides each viewer's
    version of it: whose it is, who gave it a "me too", and whether only its author
    may see it yet (waiting for approval)."""

    data: dict[str, Any]
    author: int | None = None
    author_only: bool = False
    reactors: frozenset[int] = frozenset()

    def __repr__(self) -> str:
        return f"<Item {self.data.get('id')} author={self.author}>"


def items_for(
    items: Sequence[Item],
    mine: int | None,
    *,
    marked: bool = True,
    sent: Sequence[Any] | None = None,
) -> list[Any]:
    """A list as viewer ``mine`` sees it; the shared items themselves where nothing is
    theirs (as ``sent``, when the engine encoded them once). ``marked`` lists
    (contributions) say on each item whether it is theirs (``own``) and has their "me too"
    (``reacted``)."""
    shared = [item.data for item in items] if sent is None else sent
    if mine is None:
        return [shared[i] for i, item in enumerate(items) if not item.author_only]
    seen: list[Any] = []
    for i, item in enumerate(items):
        own = item.author == mine
        if item.author_only and not own:
            continue
        reacted = mine in item.reactors
        if marked and (own or reacted):
            seen.append({**item.data, "own": own, "reacted": reacted})
        else:
            seen.append(shared[i])
    return seen


@dataclass
class Room:
    """What everyone of one audience sees alike, built once per change of the meeting."""

    audience: Audience
    keys: dict[str, Any]
    contributions: list[Item]
    groups_count: int | None
    personal: list[Personal] = field(default_factory=list)
    #: The contributions as ``freeze`` encoded them, in ``contributions``' order.
    sent: list[Any] | None = None

    def __repr__(self) -> str:
        return f"<Room {self.audience} keys={len(self.keys)}>"

    def freeze(self, encode: Callable[[Any], Any]) -> None:
        """Encode what every viewer gets as it is once, with ``encode`` (the engine's JSON
        fragments), for a room kept for many. The clock is each viewer's own."""
        self.keys = {k: v if k == "timer" else encode(v) for k, v in self.keys.items()}
        self.sent = [encode(item.data) for item in self.contributions]

    def state_for(self, viewer: Viewer, group: int | None) -> dict[str, Any]:
        """The state one viewer gets: the shared keys, their own parts, a fresh clock."""
        state = dict(self.keys)
        state["timer"] = {**state["timer"], "now": iso(utcnow())}
        state["contributions"] = items_for(
            self.contributions, viewer.participant_id, sent=self.sent
        )
        me: dict[str, Any] = {
            "participant_id": viewer.participant_id,
            "role": viewer.role.value,
            "group": group,
        }
        for personal in self.personal:
            part = personal(viewer)
            me.update(part.pop("me", {}))
            state.update(part)
        state["me"] = me
        return state


def _contribution_items(meeting: Meeting, audience: Audience) -> list[Item]:
    contributions = session().scalars(
        sa.select(Contribution)
        .where(Contribution.meeting_id == meeting.id, Contribution.deleted.is_(False))
        .options(selectinload(Contribution.reactions))
        .order_by(Contribution.id)
    )
    grouped = groups_running(meeting)
    items = []
    for c in contributions:
        seen = seen_by(c, audience, grouped)
        if seen is None:
            continue
        items.append(
            Item(
                contribution_json(c, staff=audience.staff, own=False, reacted=False),
                author=c.participant_id,
                author_only=seen == "author",
                reactors=frozenset(r.participant_id for r in c.reactions),
            )
        )
    return items


def room(meeting: Meeting, audience: Audience, presence: dict[str, Any]) -> Room:
    """Read the meeting as ``audience`` sees it: every query of a ``state`` but a viewer's own."""
    shared = Room(
        audience=audience,
        keys={
            "meeting": meeting_json(meeting),
            "phases": phases_json(meeting),
            "current_phase": meeting.current_phase,
            "timer": timer_json(meeting),
            "hands": [hand_json(h) for h in open_hands(meeting)],
            "speaker": speaker_json(speaker_hand(meeting)),
            "groups": groups_json(meeting),
            "presence": presence,
            "screen": screen_json(meeting),
        },
        contributions=_contribution_items(meeting, audience),
        groups_count=meeting.groups_count,
    )
    for build in _sections:
        part = build(meeting, audience)
        shared.keys.update(part.keys)
        if part.personal is not None:
            shared.personal.append(part.personal)
    return shared


def snapshot(
    meeting: Meeting, viewer: Viewer, participant: Participant | None, presence: dict[str, Any]
) -> dict[str, Any]:
    """One viewer's state, read now (pages that embed it; the engine keeps ``room``s)."""
    group = participant.group if participant is not None else None
    return room(meeting, Audience.of(viewer, group), presence).state_for(viewer, group)
