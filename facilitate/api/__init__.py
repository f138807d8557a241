"""JSON API v1: token-authenticated, documented at /api/v1/openapi.json."""

from __future__ import annotations

from apiflask import APIFlask

from facilitate.extensions import csrf


def init_app(app: APIFlask) -> None:
    from . import views
    from .schemas import ERROR_SCHEMA

    # Bearer tokens, never cookies, authenticate the API: there is nothing for CSRF to forge.
    csrf.exempt(views.bp)
    # The generated 401/404/422 responses in the document carry the API's error shape.
    app.config["HTTP_ERROR_SCHEMA"] = ERROR_SCHEMA
    app.config["VALIDATION_ERROR_SCHEMA"] = ERROR_SCHEMA
    app.register_blueprint(views.bp)
