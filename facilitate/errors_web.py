"""How errors look: HTML pages for people, JSON for the API."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from .db import ID_MAX, unavailable_reason
from .errors import DomainError, Unavailable
from .extensions import login_manager

#: Seconds a client should wait before trying again when the database is away.
RETRY_AFTER = 5


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _ids_fit(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """An id past ID_MAX names no row: 404, before SQLite overflows looking it up (500).

    Not a maximum on the URL converter: Werkzeug answers a failed conversion with 405
    when the same URL has a rule for another method.
    """
    if any(type(v) is int and v > ID_MAX for v in (values or {}).values()):
        abort(404)


def init_app(app: Flask) -> None:
    app.url_value_preprocessor(_ids_fit)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[Response | str, int]:
        original = getattr(error, "original_exception", None)
        if isinstance(original, (OperationalError, PoolTimeout)):
            # Raised where no handler sees it (the commit after the view): still a 503.
            return _database_unavailable(original)
        code = error.code or 500
        if _wants_json():
            body = {
                "error": {
                    "code": (error.name or "error").lower().replace(" ", "_"),
                    "message": error.description or error.name,
                }
            }
            response = jsonify(body)
        else:
            response = current_app.make_response(
                render_template(
                    "error.html", code=code, title=str(code), message=_error_message(code)
                )
            )
        # What the error itself says, such as the Allow of a 405, which RFC 9110 requires.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response, code

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> tuple[Response | str, int]:
        from .db import rollback

        rollback()
        if _wants_json():
            return jsonify({"error": error.as_dict()}), error.status
        return render_template(
            "error.html", code=error.status, title=str(error.message), message=str(error.message)
        ), error.status

    app.register_error_handler(OperationalError, _database_unavailable)
    # Every pooled connection stayed busy for DATABASE_POOL_WAIT: as unavailable as a
    # database that is away, for this request.
    app.register_error_handler(PoolTimeout, _database_unavailable)


def _database_unavailable(error: OperationalError | PoolTimeout) -> tuple[Response | str, int]:
    """The database is down, locked or all its pooled connections busy: a 503 that says
    nothing was saved, not a traceback.

    The request's writes roll back after this (its status is an error), so that is true.
    """
    current_app.logger.error(
        "database unavailable for %s %s: %s",
        request.method,
        request.path,
        unavailable_reason(error),
    )
    # Drawn for an anonymous visitor: the signed-in menu would ask the database for the
    # user (again, after a rollback expired it) and fail inside the error page.
    login_manager._update_request_context_with_user()
    unavailable = Unavailable(
        _l("The service is unavailable for a moment. Nothing was saved; try again shortly.")
    )
    if _wants_json():
        response = jsonify({"error": unavailable.as_dict()})
    else:
        page = render_template("error.html", code=503, title="503", message=unavailable.message)
        response = current_app.make_response(page)
    # No cache may keep the outage; a client may come back when Retry-After says.
    response.headers.update({"Retry-After": str(RETRY_AFTER), "Cache-Control": "no-store"})
    return response, unavailable.status


def _error_message(code: int) -> str:
    messages = {
        400: _("The request could not be understood."),
        401: _("Please log in to see this page."),
        403: _("You do not have permission to do this."),
        404: _("There is nothing here."),
        405: _("That is not allowed here."),
        413: _("That was too large."),
        429: _("Too many attempts. Wait a minute and try again."),
    }
    return str(messages.get(code, _("Something went wrong on our side.")))
