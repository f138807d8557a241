"""Locale choice: an explicit pick remembered per browser, else the browser's languages.

Besides the languages there is one reading level: easy Swedish (*lättläst*), a separate
catalog (``facilitate/translations/sv/LC_MESSAGES/easy.po``) over the ordinary Swedish one
for the fixed texts of the resident flow. Chosen like a language, it keeps the locale
``sv`` (dates, plurals, ``<html lang>``) and only swaps the words.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from babel import Locale, support
from flask import Blueprint, Flask, current_app, has_request_context, redirect, request
from flask_babel import Domain, get_domain, get_locale
from werkzeug.wrappers import Response

from .auth.permissions import public
from .languages import localized

COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
#: The cookie value of easy Swedish; not a locale, a reading level of ``EASY_BASE``.
EASY = "sv-easy"
EASY_BASE = "sv"
EASY_DOMAIN = "easy"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"

bp = Blueprint("i18n", __name__)


class EasyDomain(Domain):  # type: ignore[misc]  # flask_babel ships no types
    """The ordinary catalog with the easy one merged over it; a missing easy text falls
    back to ordinary Swedish, never to English."""

    def get_translations(self) -> support.Translations | support.NullTranslations:
        key = (str(get_locale()), EASY_DOMAIN)
        try:
            return self.cache[key]  # type: ignore[no-any-return]
        except KeyError:
            pass
        base = super().get_translations()
        merged = support.Translations()
        if isinstance(base, support.Translations):
            merged.merge(base)
            merged.plural = base.plural
        easy = support.Translations.load(str(TRANSLATIONS), [EASY_BASE], EASY_DOMAIN)
        if isinstance(easy, support.Translations):
            merged.merge(easy)
        self.cache[key] = merged
        return merged


easy_domain = EasyDomain(translation_directories=[str(TRANSLATIONS)])


def chosen() -> str | None:
    """The pick in the cookie, if it still names a language (or easy Swedish)."""
    value = request.cookies.get(COOKIE)
    if value == EASY or value in current_app.config["LANGUAGES"]:
        return value
    return None


def select_locale() -> str:
    languages: list[str] = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background work speak the default language
        return languages[0]
    pick = chosen()
    if pick == EASY:
        return EASY_BASE
    if pick is not None:
        return pick
    return request.accept_languages.best_match(languages) or languages[0]


def is_easy() -> bool:
    return has_request_context() and chosen() == EASY


def current_language() -> str:
    """The bare language code of this request's locale (``sv`` for easy Swedish too)."""
    locale = get_locale()
    return str(locale.language if locale is not None else current_app.config["LANGUAGES"][0])


def current_choice() -> str:
    """What the language switch marks as current: a language code or ``EASY``."""
    return EASY if is_easy() else current_language()


def in_my_language(original: str, translations: Mapping[str, str]) -> str:
    """Content (a prompt, an intro) in the viewer's language when given, else the original."""
    return localized(original, translations, current_language())


def text_direction() -> str:
    locale = get_locale()
    return locale.text_direction if locale is not None else "ltr"


@functools.cache
def _plural_examples(locale: str) -> dict[str, int]:
    """A whole number in each of the language's plural categories (CLDR's: ``one`` and
    ``other``; Arabic's ``zero``, ``two``, ``few`` and ``many`` besides), the smallest."""
    rule = Locale.parse(locale).plural_form
    examples: dict[str, int] = {}
    for number in range(200):
        examples.setdefault(rule(number), number)
    return examples


def plural_forms(singular: str, plural: str, **variables: str) -> dict[str, str]:
    """A text with a count, for the scripts: its translation for each plural category of
    this request's language. The script picks the form its count falls in with the
    browser's ``Intl.PluralRules`` (``static/js/live.js``); the gettext form of a
    category is the one of a number in it. ``variables`` pass the placeholders through
    as themselves (``num="%(num)s"``), for the script to fill."""
    locale = get_locale()
    examples = _plural_examples(str(locale) if locale is not None else "en")
    translations = get_domain().get_translations()
    return {
        category: translations.ungettext(singular, plural, number) % variables
        for category, number in examples.items()
    }


def language_direction(code: str) -> str:
    """How a language's script runs, ``rtl`` or ``ltr``, whatever the page's locale."""
    return str(Locale.parse(code).text_direction)


def language_name(code: str) -> str:
    """A language's name in itself, as a language switch shows it."""
    if code == EASY:
        return "Lättläst svenska"
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
    if code == EASY or code in current_app.config["LANGUAGES"]:
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

    @app.before_request
    def _reading_level() -> None:
        if is_easy():
            easy_domain.as_default()

    @app.context_processor
    def _locale_context() -> dict[str, object]:
        return {
            "get_locale": get_locale,
            "text_direction": text_direction,
            "language_name": language_name,
            "languages": app.config["LANGUAGES"],
            "current_choice": current_choice,
            "in_my_language": in_my_language,
            "plural_forms": plural_forms,
            "EASY": EASY,
        }
