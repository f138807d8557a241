"""How errors look: HTML pages for people, JSON for the API."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from .errors import DomainError


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[Response | str, int]:
        code = error.code or 500
        if _wants_json():
            body = {
                "error": {
                    "code": (error.name or "error").lower().replace(" ", "_"),
                    "message": error.description or error.name,
                }
            }
            return jsonify(body), code
        return render_template(
            "error.html", code=code, title=str(code), message=_error_message(code)
        ), code

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> tuple[Response | str, int]:
        from .db import rollback

        rollback()
        if _wants_json():
            return jsonify({"error": error.as_dict()}), error.status
        return render_template(
            "error.html", code=error.status, title=str(error.message), message=str(error.message)
        ), error.status


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
