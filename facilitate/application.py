"""The Flask application class: APIFlask, with a lighter context for a Socket.IO event.

Flask-SocketIO runs every event inside ``app.request_context(environ)``, with the environ
of the request that opened the connection. Flask builds that context as for a page: it
binds the URL map to the environ, and matches the path (``/socket.io/``, which no view
has, so a ``NotFound`` is raised and kept, unread, at every event). In the hall storm
that was half of what an event's context cost (docs/performance.md). A Socket.IO event
now binds the map once per connection and matches nothing; ``url_for`` works as before.
"""

from __future__ import annotations

from typing import Any

from apiflask import APIFlask
from flask import Request
from flask.ctx import RequestContext
from werkzeug.routing import MapAdapter

#: Where the engine's path starts (Flask-SocketIO's default ``path``, which we keep): the
#: Socket.IO middleware answers every request under it, so Flask only ever sees it in an
#: event's context.
SOCKET_PATH = "/socket.io"
#: The connection's URL adapter, kept in its environ for its later events.
ADAPTER = "facilitate.url_adapter"


def is_event(environ: dict[str, Any]) -> bool:
    return str(environ.get("PATH_INFO", "")).startswith(SOCKET_PATH)


class EventContext(RequestContext):
    """A Socket.IO event's request context: the path is the engine's, never a view's."""

    def match_request(self) -> None:
        pass


class Facilitate(APIFlask):
    def request_context(self, environ: dict[str, Any]) -> RequestContext:
        if is_event(environ):
            return EventContext(self, environ)
        return super().request_context(environ)

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        if request is None or not is_event(request.environ):
            return super().create_url_adapter(request)
        kept: MapAdapter | None = request.environ.get(ADAPTER)
        if kept is None:
            kept = super().create_url_adapter(request)
            request.environ[ADAPTER] = kept
        return kept
