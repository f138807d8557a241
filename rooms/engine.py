"""The /live namespace: connect, identity, broadcasts after commit, presence, the write wrapper."""

from __future__ import annotations

import abc
import contextlib
import enum
import functools
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room, leave_room  # type: ignore[attr-defined]
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from facilitate import events
from facilitate.auth.models import Role, User
from facilitate.auth.operations import user_for_token
from facilitate.db import (
    HotStatement,
    autocommit_connection,
    begin_explicitly,
    begin_unit,
    event_connection,
    session,
    unavailable_reason,
    utcnow,
)
from facilitate.errors import DomainError, Forbidden, Unavailable, ValidationError
from facilitate.extensions import socketio
from facilitate.live import audience
from facilitate.live import operations as live_ops
from facilitate.live.models import ClientWrite, Participant
from facilitate.live.participants import Seat, cookie_name, seat_for_token
from facilitate.live.snapshot import Room, room
from facilitate.live.views_json import Audience, Viewer, ViewerRole
from facilitate.live.writes import WriteRecord
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings.models import Meeting, MeetingStatus
from facilitate.proposals import operations as proposal_ops

from . import wire
from .connections import Connection, registry
from .queue import WatchedRedisManager
from .shared import Shared

NAMESPACE = "/live"
PRESENCE_INTERVAL = 1

M = TypeVar("M", bound="Write")


class Write(BaseModel):
    """Every write names itself with a client-made id; a retry with it is applied once."""

    model_config = ConfigDict(extra="forbid", strict=True)
    client_id: str = Field(min_length=1, max_length=64)


# -- identity ------------------------------------------------------------------------------


def _refuse(code: str, message: str) -> ConnectionRefusedError:
    return ConnectionRefusedError({"code": code, "message": message})


def _meeting_id(auth: dict[str, Any]) -> int | None:
    # The query string only when the auth lacks it: parsing it costs more than the lookup.
    raw = auth["meeting_id"] if "meeting_id" in auth else request.args.get("meeting_id")
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.isdigit():
        return int(raw)
    return None


def _staff_viewer(user: User, meeting_id: int | None, view: object) -> tuple[Viewer, None]:
    if meeting_id is None or session().get(Meeting, meeting_id) is None:
        raise _refuse("not_found", str(_l("No such meeting.")))
    if view == "screen":
        role = ViewerRole.screen
    elif view == "preview":
        role = ViewerRole.preview
    else:
        role = ViewerRole.facilitator if user.has_role(Role.facilitator) else ViewerRole.observer
    return Viewer(meeting_id=meeting_id, role=role, user_id=user.id), None


def identify(auth: object) -> tuple[Viewer, Seat | None]:
    """Who this connection is, from a token, the participant cookie or the staff login."""
    data = auth if isinstance(auth, dict) else {}
    token = data.get("token")
    meeting_id = _meeting_id(data)
    if isinstance(token, str) and token:
        seat = seat_for_token(token, meeting_id=meeting_id)
        if seat is not None:
            return _participant_viewer(seat)
        user = user_for_token(token)
        if user is not None and user.active:
            return _staff_viewer(user, meeting_id, data.get("view"))
        raise _refuse("unauthorized", str(_l("This token is not valid here.")))
    if meeting_id is not None:
        seat = seat_for_token(request.cookies.get(cookie_name(meeting_id)), meeting_id=meeting_id)
        if seat is not None:
            return _participant_viewer(seat)
    if current_user.is_authenticated:
        return _staff_viewer(current_user, meeting_id, data.get("view"))
    raise _refuse("unauthorized", str(_l("Join the meeting first.")))


def _participant_viewer(seat: Seat) -> tuple[Viewer, Seat]:
    if seat.meeting_status is MeetingStatus.draft:
        raise _refuse("not_found", str(_l("No such meeting.")))
    viewer = Viewer(
        meeting_id=seat.meeting_id,
        role=ViewerRole.participant,
        participant_id=seat.participant_id,
    )
    return viewer, seat


def participant_of(conn: Connection) -> int:
    """The writing participant's id, for a ``PARTICIPANT`` write (authorised already)."""
    if conn.viewer.participant_id is None:
        raise Forbidden(_l("Only participants do this."))
    return conn.viewer.participant_id


def connection() -> Connection:
    found = registry.get(request.sid)  # type: ignore[attr-defined]
    if found is None:  # pragma: no cover -- Socket.IO calls connect first
        raise Forbidden(_l("Connect first."))
    return found


def rooms_for(viewer: Viewer, group: int | None, groups_running: bool) -> set[str]:
    meeting_id = viewer.meeting_id
    rooms = {audience.everyone(meeting_id)}
    if viewer.is_staff:
        rooms.add(audience.staff(meeting_id))
    else:
        rooms.add(audience.public(meeting_id))
    if viewer.role in (ViewerRole.screen, ViewerRole.preview):
        # No group of its own: like the projector, a preview sees every group's wall.
        rooms.add(audience.screen(meeting_id))
    if viewer.participant_id is not None:
        rooms.add(audience.participant(meeting_id, viewer.participant_id))
        if groups_running and group is not None:
            rooms.add(audience.group(meeting_id, group))
    return rooms


def shared() -> Shared:
    """The room state this app shares with the other instances (rooms/shared.py)."""
    found: Shared = current_app.extensions[SHARED_KEY]
    return found


def online_participants(meeting_id: int) -> set[int]:
    """The meeting's residents connected to any instance."""
    return shared().online(meeting_id, registry.online_participants(meeting_id))


def presence(meeting_id: int, *, staff: bool) -> dict[str, Any]:
    online = online_participants(meeting_id)
    joined = session().scalar(
        sa.select(sa.func.count(Participant.id)).where(
            Participant.meeting_id == meeting_id, Participant.imported.is_(False)
        )
    )
    data: dict[str, Any] = {"online": len(online), "joined": joined or 0}
    if staff:
        names = (
            dict(
                session()
                .execute(
                    sa.select(Participant.id, Participant.display_name).where(
                        Participant.id.in_(online)
                    )
                )
                .all()
            )
            if online
            else {}
        )
        data["people"] = [
            {"participant_id": pid, "name": names.get(pid, "")} for pid in sorted(online)
        ]
    return data


class DeliveryLocks:
    """One lock per meeting, held while a connection's ``state`` is read and sent and while
    the meeting's events go out. Otherwise an event committed after a snapshot's read could
    reach the client just before that snapshot, which replaces the client's picture without
    it, for good. Per meeting, so a slow snapshot in one room holds up no other room."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[int, threading.RLock] = {}

    def __repr__(self) -> str:
        return f"<DeliveryLocks meetings={len(self._locks)}>"

    def meeting(self, meeting_id: int) -> threading.RLock:
        with self._guard:
            return self._locks.setdefault(meeting_id, threading.RLock())

    @contextlib.contextmanager
    def audiences(self, rooms: Iterable[str | None]) -> Iterator[None]:
        """The locks of every meeting the audiences belong to, taken in order (no deadlock)."""
        meetings = sorted({m for m in map(audience.meeting_of, rooms) if m is not None})
        with contextlib.ExitStack() as stack:
            for meeting_id in meetings:
                stack.enter_context(self.meeting(meeting_id))
            yield


delivering = DeliveryLocks()


class RoomStates:
    """Each meeting's shared ``state`` per audience (facilitate/live/snapshot.py, ``Room``),
    read once and then given to everyone of that audience who connects, until the meeting
    changes: a thousand phones arriving together cost one read of the room, not a thousand.

    A change is anything said to an audience of the meeting other than one phone's own:
    every event after a commit (``broadcast``, or the message queue's delivery from any
    instance), every coalesced summary (presence, tally) and every resync. Each bumps the
    meeting's generation, and a ``Room`` read under an older one is never kept. A ``Room``
    is also read again after ``MAX_AGE`` seconds, so nothing said without an event stays
    in new pictures for longer. Sent only under the meeting's delivery lock, so any event
    that follows a ``Room``'s read reaches the client after its ``state``.
    """

    MAX_AGE = 2.0

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._generation: dict[int, int] = {}
        self._rooms: dict[int, dict[Audience, tuple[int, float, Room]]] = {}
        self.reads = 0

    def __repr__(self) -> str:
        return f"<RoomStates meetings={len(self._rooms)} reads={self.reads}>"

    def changed(self, meeting_id: int | None) -> None:
        if meeting_id is None:
            return
        with self._guard:
            self._generation[meeting_id] = self._generation.get(meeting_id, 0) + 1
            self._rooms.pop(meeting_id, None)

    def said(self, room_name: str | None) -> None:
        """Something was said to ``room_name``: unless it is one phone's own, its meeting's
        shared states are old now."""
        if not audience.personal(room_name):
            self.changed(audience.meeting_of(room_name))

    def forget(self, meeting_id: int) -> None:
        """Nobody here sits in the meeting any more: its rooms go, not its generation."""
        with self._guard:
            self._rooms.pop(meeting_id, None)

    def get(self, meeting_id: int, seeing: Audience, read: Callable[[], Room]) -> Room:
        now = time.monotonic()
        with self._guard:
            generation = self._generation.get(meeting_id, 0)
            kept = self._rooms.get(meeting_id, {}).get(seeing)
        if kept is not None and kept[0] == generation and now - kept[1] < self.MAX_AGE:
            return kept[2]
        shared = read()
        self.reads += 1
        with self._guard:
            if self._generation.get(meeting_id, 0) == generation:
                self._rooms.setdefault(meeting_id, {})[seeing] = (generation, now, shared)
        return shared


def room_states() -> RoomStates:
    found: RoomStates = current_app.extensions[ROOMS_KEY]
    return found


def changed(room_name: str | None) -> None:
    room_states().said(room_name)


@contextlib.contextmanager
def delivering_to(app: Flask, room_name: str | None) -> Iterator[None]:
    """For the message queue: an event (from this instance or another) waits for a
    ``state`` being sent here, and makes the meeting's shared states old."""
    with delivering.audiences([room_name]):
        app.extensions[ROOMS_KEY].said(room_name)
        yield


_FRESH: Any = object()


def _read_room(meeting_id: int, seeing: Audience) -> Room:
    # Read it all now, under the lock, not what this event loaded before it: a change
    # committed in between was sent before this connection joined its rooms.
    session().expire_all()
    meeting = meeting_ops.get_meeting(meeting_id)
    shared = room(meeting, seeing, presence(meeting_id, staff=seeing.staff))
    shared.freeze(wire.fragment)
    return shared


def send_state(conn: Connection, group: int | None = _FRESH) -> None:
    """The connection's ``state``, and its rooms as it is now. ``group``: the participant's
    breakout group when the caller has just read it (otherwise it is read here)."""
    viewer = conn.viewer
    with delivering.meeting(viewer.meeting_id):
        if viewer.participant_id is None:
            group = None
        elif group is _FRESH:
            group = session().scalar(
                sa.select(Participant.group).where(Participant.id == viewer.participant_id)
            )
        seeing = Audience.of(viewer, group)
        shared = room_states().get(
            viewer.meeting_id, seeing, functools.partial(_read_room, viewer.meeting_id, seeing)
        )
        wanted = rooms_for(viewer, group, shared.groups_count is not None)
        for name in conn.rooms - wanted:
            leave_room(name, sid=conn.sid, namespace=NAMESPACE)
        for name in wanted - conn.rooms:
            join_room(name, sid=conn.sid, namespace=NAMESPACE)
        conn.rooms = wanted
        # Straight to the socket, never through the message queue: it is connected here,
        # and the queue would have to copy the shared fragments (rooms/wire.py).
        socketio.emit(
            "state",
            shared.state_for(viewer, group),
            to=conn.sid,
            namespace=NAMESPACE,
            ignore_queue=True,  # type: ignore[call-arg]  # passed on to python-socketio
        )


def resync_here(meeting_id: int) -> None:
    """Everyone in the meeting connected to this instance gets a fresh ``state``."""
    room_states().changed(meeting_id)
    for conn in registry.in_meeting(meeting_id):
        send_state(conn)


def resync(meeting_id: int) -> None:
    """Everyone in the meeting gets a fresh ``state``, on every instance (after voting
    opens or closes, or groups are split or ended: pictures change wholesale)."""
    resync_here(meeting_id)
    queue: WatchedRedisManager | None = current_app.extensions.get(QUEUE_KEY)
    if queue is not None:
        queue.publish_resync(meeting_id)


def resync_asked(app: Flask, meeting_id: int) -> None:
    """Another instance changed the meeting wholesale: this one's connections catch up."""
    with app.app_context():
        try:
            resync_here(meeting_id)
        finally:
            session().close()


def resync_local(app: Flask) -> None:
    """Every connection to this instance gets a fresh ``state``: called when the message
    queue is back, since events other instances sent while it was away never came."""
    with app.app_context():
        try:
            for meeting_id in registry.meetings():
                resync_here(meeting_id)
        finally:
            session().close()


# -- broadcasts and presence ---------------------------------------------------------------


def broadcast(batch: Sequence[events.Event]) -> None:
    """Each delivery to its room, minus the skipped room's sockets."""
    manager = socketio.server.manager  # type: ignore[attr-defined]
    alone = current_app.extensions.get(QUEUE_KEY) is None  # no other instance has sockets
    for event in batch:
        changed(event.to)
        skip = None
        if event.skip is not None:
            skip = [sid for sid, _ in manager.get_participants(NAMESPACE, event.skip)] or None
            if skip and alone and _only(manager, event.to, skip):
                continue  # a voter's one phone: it hears its vote in the answer
        socketio.emit(event.name, event.payload, to=event.to, namespace=NAMESPACE, skip_sid=skip)


def _only(manager: Any, room: str, skipped: list[str]) -> bool:
    """Whether every connection in ``room`` here is one of ``skipped``."""
    return all(sid in skipped for sid, _ in manager.get_participants(NAMESPACE, room))


def send_events(batch: Sequence[events.Event]) -> None:
    """The after-commit sender: ``broadcast``, never while a ``state`` is read and sent."""
    with delivering.audiences(event.to for event in batch):
        broadcast(batch)


class Coalescer(abc.ABC):
    """Sends a room's changing summary at most once per ``interval``, however often it changes.

    A join storm or a vote storm marks a room many times; it is flushed once. Each room
    keeps its own pace (``interval``), so a big room's slower one never holds a small
    room's back. Each app (a test's, a restart's) has its own, on its own Socket.IO server
    and database.
    """

    INTERVAL = 1.0
    #: The name of its claims in the shared state (rooms/shared.py).
    KIND = "summary"
    #: While the database is away a flush is tried again this often, this many times:
    #: the room's summary comes back with the database, not with the next change.
    RETRY_DELAY = 2.0
    RETRIES = 30

    def __init__(self, server: Any, shared: Shared) -> None:
        self._server = server
        self._shared = shared
        self._dirty: set[int] = set()
        self._scheduled: set[int] = set()
        self._stopped = False
        # One token per flush under way (a set: adding and removing are atomic in threads).
        self._flushing: set[object] = set()

    def interval(self, meeting_id: int) -> float:
        """How long a room's marks gather before it is flushed."""
        return self.INTERVAL

    def stop(self, timeout: float = 5.0) -> None:
        """Flush no more (the app is going away), once the flushes under way have ended:
        otherwise one could open a database connection after the app closed its pool."""
        self._stopped = True
        deadline = time.monotonic() + timeout
        while self._flushing and time.monotonic() < deadline:
            socketio.sleep(0.01)  # type: ignore[arg-type]

    def mark(self, app: Flask, meeting_id: int) -> None:
        # With several instances, one flush covers the marks of all: whoever claims the
        # room sends it, and the others leave it to them.
        if meeting_id in self._dirty:
            return
        interval = self.interval(meeting_id)
        if not self._shared.claim(self.KIND, meeting_id, ttl=4 * interval):
            return
        self._dirty.add(meeting_id)
        self._schedule(app, meeting_id, interval, 0)

    def _schedule(self, app: Flask, meeting_id: int, delay: float, attempt: int) -> None:
        if meeting_id not in self._scheduled:
            self._scheduled.add(meeting_id)
            socketio.start_background_task(self._flush_later, app, meeting_id, delay, attempt)

    def _flush_later(self, app: Flask, meeting_id: int, delay: float, attempt: int) -> None:
        socketio.sleep(delay)  # type: ignore[arg-type]  # any number of seconds
        self._scheduled.discard(meeting_id)
        if self._stopped:
            return
        token = object()
        self._flushing.add(token)
        try:
            self._flush_now(app, meeting_id, attempt)
        finally:
            self._flushing.discard(token)

    def _flush_now(self, app: Flask, meeting_id: int, attempt: int) -> None:
        self._dirty.discard(meeting_id)
        # Released before the room is read: a mark from now on claims the next flush.
        self._shared.release(self.KIND, [meeting_id])
        with app.app_context():
            try:
                self.flush(meeting_id)
            except (DBAPIError, PoolTimeout) as error:
                session().rollback()
                reason = unavailable_reason(error)
                if attempt >= self.RETRIES:
                    app.logger.error(
                        "%s gave up on meeting %s: %s", type(self).__name__, meeting_id, reason
                    )
                    return
                app.logger.warning("%s waits for the database: %s", type(self).__name__, reason)
                # Only a room someone here still sits in is worth waiting for.
                if registry.has_meeting(meeting_id):
                    self._dirty.add(meeting_id)
                    self._schedule(app, meeting_id, self.RETRY_DELAY, attempt + 1)
            finally:
                session().close()

    def emit(self, event: str, payload: object, to: str) -> None:
        # Under the delivery lock, like every event: a ``state`` read before this summary
        # must not reach a client after it.
        with delivering.audiences([to]):
            changed(to)
            self._server.emit(event, payload, to=to, namespace=NAMESPACE)

    @abc.abstractmethod
    def flush(self, meeting_id: int) -> None:
        """Send the room's summary now: each kind of summary says what that is."""


class PresenceFlusher(Coalescer):
    """``presence`` at most about once a second per room: names for staff only."""

    INTERVAL = PRESENCE_INTERVAL
    KIND = "presence"

    def flush(self, meeting_id: int) -> None:
        # Counted once (Redis and the database), then shown to each audience.
        staff_view = presence(meeting_id, staff=True)
        public_view = {k: v for k, v in staff_view.items() if k != "people"}
        self.emit("presence", public_view, audience.public(meeting_id))
        self.emit("presence", staff_view, audience.staff(meeting_id))


class TallyFlusher(Coalescer):
    """``tally`` at most four times a second per room, however fast votes come; in a big
    room less often (``interval``).

    Staff always get the counts; residents and the projector only while results are
    public (live results, or after close): with hidden results they get nothing at all.
    """

    INTERVAL = 0.25
    KIND = "tally"
    #: The slowest pace, for the biggest rooms: the final count still reaches everyone
    #: within about a second of the last vote.
    SLOWEST = 0.75

    def __init__(self, server: Any, shared: Shared) -> None:
        super().__init__(server, shared)
        self._pace: dict[int, float] = {}

    def interval(self, meeting_id: int) -> float:
        return self._pace.get(meeting_id, self.INTERVAL)

    def pace_for(self, joined: int, budget: int) -> float:
        """The interval for a room that ``joined`` residents have joined, its tallies paced
        to about ``budget`` messages a second to all of them together
        (``TALLY_MESSAGES_PER_SECOND``; 0: always the fastest pace). In a storm of 1,000
        (docs/performance.md) four tallies a second to everyone were most of the server's
        sending and put the votes' acks behind them; a resident needs the ack of their
        vote more than a third chart update a second."""
        if not budget:
            return self.INTERVAL
        return min(self.SLOWEST, max(self.INTERVAL, joined / budget))

    def flush(self, meeting_id: int) -> None:
        meeting = session().get(Meeting, meeting_id)
        if meeting is None:
            self._pace.pop(meeting_id, None)
            return
        staff_view = proposal_ops.staff_tally(meeting)
        if staff_view is None:  # marked by a proposal before voting opened: nothing to count
            return
        # Who joined (every instance's residents) sets the pace of this room's next tallies.
        budget = current_app.config["TALLY_MESSAGES_PER_SECOND"]
        self._pace[meeting_id] = self.pace_for(staff_view["joined"], budget)
        self.emit("tally", staff_view, audience.staff(meeting_id))
        public_view = proposal_ops.public_of(meeting, staff_view)
        if public_view is not None:
            self.emit("tally", public_view, audience.public(meeting_id))


PRESENCE_KEY = "facilitate.presence"
ROOMS_KEY = "facilitate.room_states"
TALLY_KEY = "facilitate.tally"
#: The watched message queue, when one is configured (rooms/queue.py).
QUEUE_KEY = "facilitate.queue"
SHARED_KEY = "facilitate.shared"


def mark_tally(meeting_id: int) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    app.extensions[TALLY_KEY].mark(app, meeting_id)


def mark_presence(meeting_id: int) -> None:
    """One flusher per app: a test's (or a restarted) app never flushes with another's database."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    app.extensions[PRESENCE_KEY].mark(app, meeting_id)


def on_connect(auth: object) -> None:
    # A phone's connect only reads (its seat, its own part of the state, in a Core unit;
    # the room itself is kept for everyone). Whatever needs the Session (a staff login, a
    # room to read afresh) ends the unit first. A late joiner's group is written in a
    # transaction of its own.
    unit = begin_unit(reads_only=True)
    try:
        viewer, seat = identify(auth)
        group = seat.group if seat is not None else None
        if seat is not None and seat.groups_running and seat.group is None:
            unit.end()
            begin_explicitly(autocommit_connection())
            participant = session().get(Participant, seat.participant_id)
            if participant is not None:
                live_ops.place_late_joiner(participant.meeting, participant)
                group = participant.group
                session().commit()
        conn = Connection(sid=request.sid, viewer=viewer)  # type: ignore[attr-defined]
        registry.add(conn)
        shared().arrived(viewer.meeting_id, conn.sid, viewer.participant_id)
        _beating(current_app._get_current_object())  # type: ignore[attr-defined]
        send_state(conn, group)
    finally:
        unit.end()
    mark_presence(viewer.meeting_id)


def on_disconnect(*_args: object) -> None:
    conn = registry.remove(request.sid)  # type: ignore[attr-defined]
    if conn is not None:
        meeting_id = conn.viewer.meeting_id
        shared().left(meeting_id, conn.sid)
        if not registry.has_meeting(meeting_id):
            room_states().forget(meeting_id)
        mark_presence(meeting_id)


_HEARTS: set[int] = set()


def _beating(app: Flask) -> None:
    """Start the app's presence heartbeat once its server runs (only with several instances)."""
    if shared().distributed and id(app) not in _HEARTS:
        _HEARTS.add(id(app))
        socketio.start_background_task(_heartbeat, app)


def _heartbeat(app: Flask) -> None:
    state: Shared = app.extensions[SHARED_KEY]
    while True:
        socketio.sleep(state.heartbeat_interval)  # type: ignore[arg-type]
        try:
            here: dict[int, dict[str, int]] = {}
            for meeting_id in registry.meetings():
                here[meeting_id] = {
                    c.sid: c.viewer.participant_id
                    for c in registry.in_meeting(meeting_id)
                    if c.viewer.participant_id is not None
                }
            for meeting_id in state.heartbeat(here):
                app.extensions[PRESENCE_KEY].mark(app, meeting_id)
        except Exception:  # the heartbeat must outlive any one bad turn
            app.logger.exception("presence heartbeat failed")


# -- the write wrapper ---------------------------------------------------------------------


class Permission(enum.StrEnum):
    """Who may send a write event; each event declares one (``PERMISSIONS``)."""

    anyone = "anyone"  # a participant, or staff typing in (observer only on someone's behalf)
    participant = "participant"
    facilitator = "facilitator"
    staff = "staff"  # facilitator or observer (note-takers), never the projector
    room = "room"  # anyone in the room: participants and staff, never the projector


ANYONE = Permission.anyone
PARTICIPANT = Permission.participant
FACILITATOR = Permission.facilitator
STAFF = Permission.staff
ROOM = Permission.room


def _authorise(viewer: Viewer, who: Permission, payload: BaseModel) -> None:
    if viewer.role is ViewerRole.screen:
        raise Forbidden(_l("The projector view only shows."))
    if viewer.role is ViewerRole.preview:
        raise Forbidden(_l("The preview only shows what residents see."))
    if who == PARTICIPANT and viewer.participant_id is None:
        raise Forbidden(_l("Only participants do this."))
    if who == FACILITATOR and viewer.role is not ViewerRole.facilitator:
        raise Forbidden(_l("Only the facilitator does this."))
    if who == STAFF and not viewer.is_staff:
        raise Forbidden(_l("Only staff do this."))
    if (
        who == ANYONE
        and viewer.role is ViewerRole.observer
        and not getattr(payload, "on_behalf", False)
    ):
        raise Forbidden(_l("Observers only type in on someone's behalf."))


def _error(error: DomainError) -> dict[str, Any]:
    return {"ok": False, "error": error.as_dict()}


def _check_queue() -> None:
    """Refuse a write whose events could not reach the other instances' clients; it is
    applied once the message queue answers again (the phone re-sends it)."""
    queue: WatchedRedisManager | None = current_app.extensions.get(QUEUE_KEY)
    if queue is not None and not queue.writable():
        raise Unavailable(_l("The server cannot save right now; try again."))


AFTER_COMMIT = "live_after_commit"


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once this event's write has committed (never if it rolls back)."""
    g.setdefault(AFTER_COMMIT, []).append(callback)


def _earlier(actor: str, data: object) -> dict[str, Any] | None:
    """The answer a write with this ``client_id`` got before, if it was applied."""
    client_id = data.get("client_id") if isinstance(data, dict) else None
    if not isinstance(client_id, str):
        return None
    response = session().scalar(
        sa.select(ClientWrite.response).where(
            ClientWrite.actor == actor, ClientWrite.client_id == client_id
        )
    )
    return dict(response) if response is not None else None


#: A write's answer kept for its retries: a Core statement made once, on every write's path.
_RECORD = HotStatement(
    sa.insert(ClientWrite), columns=("actor", "client_id", "event", "response", "created_at")
)


def _writer(viewer: Viewer) -> tuple[Meeting, Participant | None]:
    """The meeting and the participant writing, in one query for a participant."""
    if viewer.participant_id is not None:
        row = (
            session()
            .execute(
                sa.select(Participant, Meeting)
                .join(Meeting, Meeting.id == Participant.meeting_id)
                .where(Participant.id == viewer.participant_id)
            )
            .first()
        )
        if row is not None:
            return row[1], row[0]
    return meeting_ops.get_meeting(viewer.meeting_id), None


def _parse(model: type[M], data: object) -> M:
    try:
        return model.model_validate(data if isinstance(data, dict) else {})
    except PydanticError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        raise ValidationError(first["msg"], field=field) from None


Handler = Callable[[Connection, Meeting, Participant | None, M], dict[str, Any]]
LeanHandler = Callable[[Connection, M, WriteRecord], dict[str, Any]]

#: The write events by name; ``rooms.init_app`` puts them on each app's Socket.IO server
#: (a server made by a later ``init_app`` would not have handlers registered earlier).
EVENTS: dict[str, Callable[[object], dict[str, Any]]] = {}
#: Who may send each write event (``ANYONE``, ``PARTICIPANT``, ...): its declared permission.
PERMISSIONS: dict[str, Permission] = {}


def write(name: str, model: type[M], who: Permission) -> Callable[[Handler[M]], Handler[M]]:
    """Register a write event: parse, authorise, rate-limit, apply once, commit, then ack.

    The wrapped function calls one operation and returns the ack's extra fields.
    """

    def register(fn: Handler[M]) -> Handler[M]:
        def apply(conn: Connection, payload: M, _record: WriteRecord) -> dict[str, Any]:
            meeting, participant = _writer(conn.viewer)
            return fn(conn, meeting, participant, payload)

        _register(name, model, who, apply)
        return fn

    return register


#: Reads the writer's own events (``WriteRecord.own``) as they stand now, for a retry.
Again = Callable[[Connection, M], dict[str, dict[str, Any]]]


def lean_write(
    name: str, model: type[M], who: Permission, *, again: Again[M] | None = None
) -> Callable[[LeanHandler[M]], LeanHandler[M]]:
    """``write`` for a handler that reads what it needs itself, by the viewer's ids: the
    hottest writes (a vote storm's), where loading the meeting and the participant as
    rows would cost more than the write. It gets the write's record too, to store with
    its own statement where it can.

    A handler that answers the writer's own events (``WriteRecord.tell``) names
    ``again``: a retry of it is answered with them read afresh, since the phone may not
    have heard the first answer."""

    def register(fn: LeanHandler[M]) -> LeanHandler[M]:
        _register(name, model, who, fn, again, lean=True)
        return fn

    return register


def _register(
    name: str,
    model: type[M],
    who: Permission,
    apply: LeanHandler[M],
    again: Again[M] | None = None,
    *,
    lean: bool = False,
) -> None:
    """``lean``: the write runs in a Core unit (facilitate.db.Unit), without a Session."""

    def replayed(conn: Connection, payload: M | None, data: object) -> dict[str, Any] | None:
        """The answer the write got, if it was applied; with its own events as they are now."""
        answer = _earlier(conn.viewer.actor, data)
        if answer is None or again is None or payload is None:
            return answer
        own = again(conn, payload)
        return {**answer, "events": own} if own else answer

    def handler(data: object = None) -> dict[str, Any]:
        conn = connection()
        viewer = conn.viewer
        payload: M | None = None
        # A retry of a write already applied is not looked for first: its record
        # (``ClientWrite``) refuses to be stored twice, and a retry refused for any
        # reason is answered as the write was then. One statement less per write.
        unit = begin_unit() if lean else None

        def roll_back() -> None:
            # A unit's end lets the event use its Session, for the answer to a retry.
            if unit is not None:
                unit.end()
            else:
                session().rollback()
            g.pop(AFTER_COMMIT, None)

        try:
            payload = _parse(model, data)
            _authorise(viewer, who, payload)
            _check_queue()
            limit, window = current_app.config["LIVE_WRITE_LIMIT"]
            if not shared().allow(viewer.actor, limit, window):
                raise Forbidden(_l("Too many writes; wait a moment."), code="rate_limited")
            record = WriteRecord(viewer.actor, payload.client_id, name, writer=conn.sid)
            extra = apply(conn, payload, record)
            response = record.response
            if response is None:
                response = {"ok": True, **extra}
                _RECORD.run(event_connection(), {**record.row(response), "created_at": utcnow()})
            # The events go out now, before the ack.
            if unit is not None:
                unit.commit()
            else:
                session().commit()
            for callback in g.pop(AFTER_COMMIT, []):
                callback()
            # The writer's own events, after the others' went out under the delivery lock:
            # a ``state`` read before the commit has been sent to this connection by now.
            return {**response, "events": record.own} if record.own else response
        except DomainError as error:
            roll_back()
            return replayed(conn, payload, data) or _error(error)
        except IntegrityError:
            # The same client_id came again (a retry, or a race): the first answer stands.
            roll_back()
            answer = replayed(conn, payload, data)
            if answer is None:
                raise
            return answer
        except (DBAPIError, PoolTimeout):
            # The database is down or locked, or every pooled connection stayed busy for
            # DATABASE_POOL_WAIT: a clear refusal, never a false success. The phone keeps
            # the write and sends it again with the same client_id.
            roll_back()
            current_app.logger.exception("write %s failed in the database", name)
            return _error(Unavailable(_l("The server cannot save right now; try again.")))
        finally:
            if unit is not None:
                unit.end()

    EVENTS[name] = handler
    PERMISSIONS[name] = who
