"""Unbound extension singletons; ``create_app`` binds them with ``init_app``."""

from __future__ import annotations

import flask_limiter
from flask.globals import request_ctx
from flask_babel import Babel
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_socketio import SocketIO
from flask_sqlalchemy_lite import SQLAlchemy
from flask_wtf.csrf import CSRFProtect


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter, resetting at a request's end only a limiter context the request made.

    Its teardown asks for the request's context to reset it, and so makes one where there
    was none: at every Socket.IO event, which no route limit sees, that cost an eighth of
    the event's Flask context (docs/performance.md).
    """

    # The name Flask-Limiter's own (name-mangled) teardown has, so init_app registers this.
    def _Limiter__release_context(self, error: BaseException | None = None) -> None:  # noqa: N802
        if hasattr(request_ctx, "_limiter_request_context"):
            self.context.reset()  # what Flask-Limiter's own does


db = SQLAlchemy()
socketio = SocketIO()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# No default limits: each route that needs one declares it.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
