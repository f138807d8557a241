"""JSON API v1: token-authenticated, documented at /api/v1/openapi.json."""

from __future__ import annotations

from apiflask import APIFlask


def init_app(app: APIFlask) -> None:
    from . import views

    app.register_blueprint(views.bp)
