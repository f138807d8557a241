"""Facilitate: real-time rooms for in-depth citizen dialogues."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Response, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from . import assets, i18n
from . import config as config_module
from . import db as db_module
from .application import Facilitate
from .extensions import babel, csrf, limiter, login_manager, socketio

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Facilitate:
    """Build the application.

    ``config`` None reads the environment (see the README); a mapping is used as
    given on top of the defaults, which is how tests configure an app.
    """
    app = Facilitate(
        __name__,
        title="Facilitate API",
        version="1",
        spec_path="/api/v1/openapi.json",
        docs_path=None,  # the docs UI loads from a CDN; the JSON document is enough
        json_errors=False,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(config_module.DEFAULTS)
    app.config.update(config_module.from_environment() if config is None else config)
    for key in ("DATABASE_URL", "SECRET_KEY"):
        if not app.config.get(key):
            raise RuntimeError(f"{key} must be configured")
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    db_module.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    limiter.init_app(app)
    import rooms

    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        # A watched Redis queue: a write is refused while it is away, not acked unheard.
        client_manager=rooms.client_manager(
            app.config["SOCKETIO_MESSAGE_QUEUE"], app.config["SOCKETIO_CHANNEL"]
        ),
        # None means same-origin only; never "*" nor [] (which turns the origin check off
        # and would allow cross-site hijacking of a resident's socket).
        cors_allowed_origins=app.config.get("SOCKETIO_CORS_ORIGINS"),  # type: ignore[arg-type]
        max_http_buffer_size=64 * 1024,
        json=rooms.wire,
        serializer=rooms.wire.Packet,  # type: ignore[call-arg]  # passed on to python-socketio
    )

    from . import cli, errors_web, web
    from .actions import views as action_views
    from .api import init_app as init_api
    from .auth import views as auth_views
    from .baseline import views as baseline_views
    from .dialogues import views as dialogue_views
    from .intake import views as intake_views
    from .live import paper_views
    from .live import views as live_views
    from .mail import views as mail_views
    from .meetings import views as meeting_views
    from .perspectives import views as perspectives_views
    from .reporting import views as reporting_views
    from .site import views as site_views

    i18n.init_app(app)
    web.init_app(app)
    app.jinja_env.globals["limits"] = text_limits()
    auth_views.init_app(app)
    app.register_blueprint(dialogue_views.bp)
    app.register_blueprint(meeting_views.bp)
    app.register_blueprint(live_views.bp)
    app.register_blueprint(paper_views.bp)
    app.register_blueprint(action_views.bp)
    app.register_blueprint(intake_views.bp)
    app.register_blueprint(baseline_views.bp)
    app.register_blueprint(perspectives_views.bp)
    app.register_blueprint(reporting_views.bp)
    app.register_blueprint(site_views.bp)
    app.register_blueprint(mail_views.bp)
    init_api(app)
    errors_web.init_app(app)
    cli.init_app(app)
    rooms.init_app(app)
    _security_headers(app)
    # Last: it wraps the WSGI app, Socket.IO's middleware included, to answer /static/ first.
    assets.init_app(app)
    if proxies := app.config["TRUSTED_PROXIES"]:
        # Outermost, so everything inside (limits, cookies, the origin check) sees the
        # resident's address and scheme, not the proxy's.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    return app


def text_limits() -> dict[str, int]:
    """The longest text each live input takes, as the server checks it: the templates'
    ``maxlength`` and the scripts (through ``room-config``) read these, never a number of
    their own, so a browser never lets through what the server would refuse."""
    from .live import models as live
    from .live import operations as live_ops
    from .proposals import models as proposals

    return {
        "contribution": live.TEXT_MAX,
        "translation": live.TEXT_MAX,
        "reason": live.REASON_MAX,
        "notice": live.NOTICE_MAX,
        "display_name": live.DISPLAY_NAME_MAX,
        "hand_label": live.HAND_LABEL_MAX,
        "proposal_title": proposals.TITLE_MAX,
        "proposal_body": proposals.BODY_MAX,
        "decision_note": proposals.NOTE_MAX,
        # Numbers rather than lengths, kept in step the same way.
        "timer_minutes": live_ops.TIMER_MAX // 60,
        "groups": live_ops.GROUPS_MAX,
    }


def _security_headers(app: Facilitate) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        if current_user.is_authenticated or request.path.startswith("/api/"):
            response.headers["Cache-Control"] = "private, no-store"
        return response
