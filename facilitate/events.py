"""Events for live clients, sent only after the transaction that caused them commits.

Operations call ``queue``; the events wait on the SQLAlchemy session (or a hot event's
Core unit, facilitate.db.Unit) and go to the registered sender when it commits, or are
dropped when it rolls back. So a client never hears of a write that did not happen. The
real-time engine (``rooms``) registers the sender; the domain never imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from facilitate import db

PENDING = "facilitate.pending_events"


@dataclass(frozen=True)
class Event:
    """One delivery: ``payload`` under ``name`` to everyone in audience ``to``.

    ``skip`` names an audience whose members get nothing from this delivery,
    because another delivery gives them their own version (``own: true``).
    """

    name: str
    payload: dict[str, Any]
    to: str
    skip: str | None = None


Sender = Callable[[Sequence[Event]], None]
_sender: Sender | None = None


def set_sender(sender: Sender | None) -> None:
    global _sender  # one engine per process, registered at start-up
    _sender = sender


def queue(name: str, payload: dict[str, Any], to: str, *, skip: str | None = None) -> None:
    db.unit_info().setdefault(PENDING, []).append(Event(name, payload, to, skip))


def _send_pending(info: dict[str, Any]) -> None:
    events: list[Event] = info.pop(PENDING, [])
    if events and _sender is not None:
        _sender(events)


@sa.event.listens_for(Session, "after_commit")
def _send_after_commit(db_session: Session) -> None:
    _send_pending(db_session.info)


db.UNIT_COMMITTED.append(_send_pending)


@sa.event.listens_for(Session, "after_rollback")
def _drop_after_rollback(db_session: Session) -> None:
    db_session.info.pop(PENDING, None)
