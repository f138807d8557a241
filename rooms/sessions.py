"""The Flask session of a Socket.IO event: the copy Flask-SocketIO keeps per connection."""

from __future__ import annotations

from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from itsdangerous import URLSafeTimedSerializer

#: The app's signing serializer, with the keys it was built from (``app.extensions``).
SERIALIZER_KEY = "facilitate.session_serializer"


class EventSessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, except for a Socket.IO event after the connect.

    Flask-SocketIO (``manage_session``) gives each connection's events a copy of the
    session as it was at the connect, kept in the connection's WSGI environ as
    ``saved_session``, and swaps it in once Flask has opened the session from the cookie.
    Flask opens it anyway, at every event: verifying the cookie's signature and decoding
    it again cost 3 % of the server's CPU in a vote storm (docs/performance.md). So an
    event whose connection has its copy gets that copy at once; the connect and every
    HTTP request read the cookie as before.
    """

    # Flask's base interface returns any SessionMixin; the cookie one narrows it.
    def open_session(  # type: ignore[override]
        self, app: Flask, request: Request
    ) -> SessionMixin | None:
        saved: SessionMixin | None = request.environ.get("saved_session")
        if saved is not None:
            return saved
        return super().open_session(app, request)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        # Built once per set of keys: Flask builds it anew for every request and every
        # connect (2 % of a phone's connect in one process), though nothing in it changes
        # until the keys do. It keeps no state between calls, so all may share it.
        if not app.secret_key:
            return None
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept: tuple[Any, URLSafeTimedSerializer | None] | None = app.extensions.get(SERIALIZER_KEY)
        if kept is None or kept[0] != keys:
            kept = (keys, super().get_signing_serializer(app))
            app.extensions[SERIALIZER_KEY] = kept
        return kept[1]
