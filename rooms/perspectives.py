"""The perspectives analysis, recomputed at most every few seconds per room as answers come.

An answer marks its room; the flusher reads the answers, runs the analysis in a native
thread (numpy releases the GIL; under gevent the hub goes on serving everyone else
meanwhile), stores it and sends each audience its view. Never on the path of an ack.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flask import Flask, current_app

from facilitate import events
from facilitate.db import session
from facilitate.live import audience
from facilitate.meetings.models import Meeting
from facilitate.perspectives import operations as perspectives_ops
from facilitate.perspectives import queries as perspectives_queries
from facilitate.perspectives.analysis import Analysis

from .engine import Coalescer
from .shared import Shared

KEY = "facilitate.perspectives"
T = TypeVar("T")


def off_loop(mode: str, fn: Callable[..., T], *args: Any) -> T:
    """Run CPU-heavy ``fn`` in a native thread so the event loop keeps serving."""
    if mode == "gevent":
        import gevent

        result: T = gevent.get_hub().threadpool.apply(fn, args)
        return result
    if mode == "eventlet":
        from eventlet import tpool

        return tpool.execute(fn, *args)  # type: ignore[no-any-return]
    return fn(*args)  # threading: the flusher is a thread of its own already


class PerspectivesFlusher(Coalescer):
    """``perspectives`` (and each phone's ``perspectives_me``) at most every ``INTERVAL``."""

    INTERVAL = 3.0
    KIND = "perspectives"

    def __init__(self, server: Any, shared: Shared, *, interval: float, mode: str) -> None:
        super().__init__(server, shared)
        self.INTERVAL = interval
        self._mode = mode

    def flush(self, meeting_id: int) -> None:
        read = read_room(meeting_id)
        if read is None:
            return
        answers, statement_ids = read
        analysis = off_loop(self._mode, perspectives_ops.run, answers, statement_ids)
        send_room(meeting_id, analysis, answers, statement_ids)


# The flush in its parts, so that bench/analysis.py times each as the flusher runs it: the
# read and the send on the event loop, ``perspectives_ops.run`` in between off it.


def read_room(meeting_id: int) -> tuple[list[tuple[int, int, int]], list[int]] | None:
    """The room's answers and deck, or None when there is nothing to analyse."""
    meeting = session().get(Meeting, meeting_id)
    if meeting is None:
        return None
    if not perspectives_queries.perspectives_steps(meeting):
        return None
    answers, statement_ids = perspectives_ops.analysis_input(meeting)
    if not answers and perspectives_queries.result(meeting_id) is None:
        return None  # nothing answered yet: nothing to show, and nobody to tell
    # The read transaction ends before the long computation: no connection held.
    session().rollback()
    return answers, statement_ids


def send_room(
    meeting_id: int,
    analysis: Analysis,
    answers: list[tuple[int, int, int]],
    statement_ids: list[int],
) -> None:
    """Store the analysis and send each audience its view."""
    meeting = session().get(Meeting, meeting_id)
    if meeting is None:
        return
    data = perspectives_ops.result_data(analysis, answers, statement_ids)
    perspectives_ops.publish(meeting, data, answers)
    session().commit()  # the events go out now


def init_app(app: Flask, server: Any, shared: Shared) -> None:
    app.extensions[KEY] = PerspectivesFlusher(
        server,
        shared,
        interval=app.config["PERSPECTIVES_INTERVAL"],
        mode=app.config["ASYNC_MODE"],
    )


#: Events that change what a room's deck holds (a statement added, edited, hidden, shown).
DECK_EVENTS = frozenset({"contribution", "contribution_removed"})


def deck_changed(batch: Sequence[events.Event]) -> None:
    """Analyse again the rooms whose contributions changed; a room without a perspectives
    step, or with no answers yet, is let go at the flush."""
    changed = (audience.meeting_of(e.to) for e in batch if e.name in DECK_EVENTS)
    for meeting_id in {m for m in changed if m is not None}:
        mark(meeting_id)


def mark(meeting_id: int) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    app.extensions[KEY].mark(app, meeting_id)
