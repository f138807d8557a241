"""The real-time engine: Socket.IO handlers, presence, timers and broadcasts."""

from __future__ import annotations

import functools

from flask import Flask

from facilitate import events
from facilitate.extensions import socketio

from .queue import WatchedRedisManager, client_manager

__all__ = ["client_manager", "init_app"]


def init_app(app: Flask) -> None:
    """Wire the /live namespace in and make it the sender of after-commit events."""
    from . import engine, handlers  # noqa: F401 -- registering the handlers is the import

    socketio.on_event("connect", engine.on_connect, namespace=engine.NAMESPACE)
    socketio.on_event("disconnect", engine.on_disconnect, namespace=engine.NAMESPACE)
    for name, handler in engine.EVENTS.items():
        socketio.on_event(name, handler, namespace=engine.NAMESPACE)
    events.set_sender(engine.send_events)
    app.extensions[engine.PRESENCE_KEY] = engine.PresenceFlusher(socketio.server)  # type: ignore[attr-defined]
    app.extensions[engine.TALLY_KEY] = engine.TallyFlusher(socketio.server)  # type: ignore[attr-defined]
    app.config.setdefault("LIVE_WRITE_LIMIT", (30, 10.0))
    manager = socketio.server.manager  # type: ignore[attr-defined]
    if isinstance(manager, WatchedRedisManager):
        manager.recovered = functools.partial(engine.resync_local, app)
        app.extensions[engine.QUEUE_KEY] = manager
