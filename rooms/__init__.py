"""The real-time engine: Socket.IO handlers, presence, timers and broadcasts."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from flask import Flask

from facilitate import events
from facilitate.extensions import socketio

from . import wire
from .queue import WatchedRedisManager, client_manager
from .sessions import EventSessionInterface
from .shared import Shared

__all__ = ["client_manager", "init_app", "stop", "wire"]


def init_app(app: Flask) -> None:
    """Wire the /live namespace in and make it the sender of after-commit events."""
    from . import engine, handlers, perspectives  # noqa: F401 -- registering is the import

    socketio.on_event("connect", engine.on_connect, namespace=engine.NAMESPACE)
    socketio.on_event("disconnect", engine.on_disconnect, namespace=engine.NAMESPACE)
    for name, handler in engine.EVENTS.items():
        socketio.on_event(name, handler, namespace=engine.NAMESPACE)
    events.set_sender(_send)
    app.session_interface = EventSessionInterface()
    shared = Shared(
        app.config.get("SOCKETIO_MESSAGE_QUEUE"),
        app.config["SOCKETIO_CHANNEL"],
        heartbeat=app.config["PRESENCE_HEARTBEAT"],
    )
    app.extensions[engine.SHARED_KEY] = shared
    app.extensions[engine.ROOMS_KEY] = engine.RoomStates()
    server = socketio.server  # type: ignore[attr-defined]
    app.extensions[engine.PRESENCE_KEY] = engine.PresenceFlusher(server, shared)
    app.extensions[engine.TALLY_KEY] = engine.TallyFlusher(server, shared)
    perspectives.init_app(app, server, shared)
    app.config.setdefault("LIVE_WRITE_LIMIT", (30, 10.0))
    manager = server.manager
    if isinstance(manager, WatchedRedisManager):
        manager.recovered = functools.partial(engine.resync_local, app)
        manager.resynced = functools.partial(engine.resync_asked, app)
        manager.delivering = functools.partial(engine.delivering_to, app)
        app.extensions[engine.QUEUE_KEY] = manager


def _send(batch: Sequence[events.Event]) -> None:
    """The after-commit sender: the events go out, and a room whose contributions changed
    has its perspectives analysed again (a hidden statement leaves the deck)."""
    from . import engine, perspectives

    engine.send_events(batch)
    perspectives.deck_changed(batch)


def stop(app: Flask) -> None:
    """Before an app is dropped (tests make many): its coalesced flushes end first."""
    from . import engine, perspectives

    for key in (engine.PRESENCE_KEY, engine.TALLY_KEY, perspectives.KEY):
        flusher = app.extensions.get(key)
        if flusher is not None:
            flusher.stop()
