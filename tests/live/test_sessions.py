"""A Socket.IO event's Flask context: its session is the connection's copy, not the cookie
read again; the URL map is bound once per connection and no view is matched; Flask-Limiter
makes no context of its own for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask_limiter._extension
import pytest
from flask import Flask, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient
from itsdangerous import BadSignature
from werkzeug.routing import Map, MapAdapter
from werkzeug.test import EnvironBuilder

from facilitate.auth.models import Role, User
from facilitate.extensions import socketio

from .conftest import NS, cid, open_meeting


def three_events(console: SocketIOTestClient) -> None:
    """Three of the console's writes after its connect, each answered ``ok``."""
    for event, payload in (
        ("timer_start", {"seconds": 60}),
        ("timer_pause", {}),
        ("phase_goto", {"index": 1}),
    ):
        answer = console.emit(event, {"client_id": cid(), **payload}, namespace=NS, callback=True)
        assert answer["ok"] is True, answer


def test_event_session_is_the_connect_s_copy_cookie_read_once(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    login: Callable[[User], None],
    meeting_id: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    open_meeting(app, meeting_id)
    login(make_user(Role.facilitator))
    reads: list[str] = []
    read_cookie = SecureCookieSessionInterface.open_session

    def counted(self: SecureCookieSessionInterface, app: Flask, request: Any) -> Any:
        reads.append(request.path)
        return read_cookie(self, app, request)

    monkeypatch.setattr(SecureCookieSessionInterface, "open_session", counted)
    console = socketio.test_client(
        app, namespace=NS, auth={"meeting_id": meeting_id}, flask_test_client=client
    )
    try:
        assert len(reads) == 1  # the connect's
        # The facilitator's session (Flask-Login's user) holds for every later event.
        three_events(console)
        assert len(reads) == 1
        # An HTTP request still reads its cookie.
        assert client.get(f"/meetings/{meeting_id}/console").status_code == 200
        assert len(reads) == 2
    finally:
        console.disconnect(NS)


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}], indirect=True)
def test_event_context_binds_urls_once_per_connection_and_matches_no_view(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    login: Callable[[User], None],
    meeting_id: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    open_meeting(app, meeting_id)
    login(make_user(Role.facilitator))
    binds: list[str] = []
    matches: list[str] = []
    limiter_contexts: list[object] = []
    bind = Map.bind_to_environ
    match = MapAdapter.match
    made = flask_limiter._extension.LimiterContext

    def counted_bind(self: Map, environ: Any, *args: Any, **kwargs: Any) -> Any:
        binds.append(environ["PATH_INFO"])
        return bind(self, environ, *args, **kwargs)

    def counted_match(self: MapAdapter, *args: Any, **kwargs: Any) -> Any:
        matches.append(self.path_info)
        return match(self, *args, **kwargs)

    class CountedContext(made):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            limiter_contexts.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(Map, "bind_to_environ", counted_bind)
    monkeypatch.setattr(MapAdapter, "match", counted_match)
    monkeypatch.setattr(flask_limiter._extension, "LimiterContext", CountedContext)
    console = socketio.test_client(
        app, namespace=NS, auth={"meeting_id": meeting_id}, flask_test_client=client
    )
    try:
        three_events(console)
        # The connect bound the map; its three events reused it, and nothing was matched
        # (the engine's path, which no view has) nor a limiter context made.
        assert [path for path in binds if path.startswith("/socket.io")] == ["/socket.io"]
        assert matches == []
        assert limiter_contexts == []
        # A page still matches its view, and a missing one is still a 404.
        assert client.get(f"/meetings/{meeting_id}/console").status_code == 200
        assert client.get("/no-such-page").status_code == 404
        assert len(matches) == 2
        assert len(limiter_contexts) == 2  # and each request made its limiter context
    finally:
        console.disconnect(NS)


def test_event_context_builds_urls_as_a_request_does(app: Flask) -> None:
    environ = EnvironBuilder(
        "/socket.io/", query_string="EIO=4&transport=websocket", base_url="https://example.org"
    ).get_environ()
    for _ in range(2):  # the second with the adapter the first kept
        with app.request_context(environ):
            assert request.routing_exception is None
            assert url_for("live.start", _external=True) == "https://example.org/join"
    with app.test_request_context("/", base_url="https://example.org"):
        assert url_for("live.start", _external=True) == "https://example.org/join"


def test_session_signing_kept_until_the_keys_change(app: Flask, client: FlaskClient) -> None:
    """The cookie's serializer is built once, not at every request and connect; a new key
    builds it again, and a key moved to the fallbacks still reads the cookies it signed."""
    interface = app.session_interface
    assert isinstance(interface, SecureCookieSessionInterface)
    first = interface.get_signing_serializer(app)
    assert first is not None
    assert interface.get_signing_serializer(app) is first
    client.get("/join")
    assert interface.get_signing_serializer(app) is first
    signed = first.dumps({"lang": "sv"})
    app.config["SECRET_KEY_FALLBACKS"] = [app.secret_key]
    app.secret_key = "a new key"
    rotated = interface.get_signing_serializer(app)
    assert rotated is not None
    assert rotated is not first
    assert rotated.loads(signed) == {"lang": "sv"}
    app.config["SECRET_KEY_FALLBACKS"] = []
    alone = interface.get_signing_serializer(app)
    assert alone is not None
    with pytest.raises(BadSignature):
        alone.loads(signed)
