"""Locale choice: an explicit pick remembered per browser, else the browser's languages."""

from __future__ import annotations

from urllib.parse import urlsplit

from babel import Locale
from flask import Blueprint, Flask, current_app, has_request_context, redirect, request
from flask_babel import get_locale
from werkzeug.wrappers import Response

from .auth.permissions import public

COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    languages: list[str] = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background work speak the default language
        return languages[0]
    chosen = request.cookies.get(COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def text_direction() -> str:
    locale = get_locale()
    return locale.text_direction if locale is not None else "ltr"


def language_name(code: str) -> str:
    """A language's name in itself, as a language switch shows it."""
    return (Locale.parse(code).get_display_name(code) or code).capitalize()


def safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would make the switch a phishing aid."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target  # browsers read /\host as //host
    ):
        return "/"
    return target


@bp.route("/language/<code>")
@public
def switch(code: str) -> Response:
    response = redirect(safe_next(request.args.get("next")))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(
            COOKIE,
            code,
            max_age=COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.context_processor
    def _locale_context() -> dict[str, object]:
        return {
            "get_locale": get_locale,
            "text_direction": text_direction,
            "language_name": language_name,
            "languages": app.config["LANGUAGES"],
        }
