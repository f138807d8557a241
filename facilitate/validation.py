"""Shared checks used by operations: one rule, one message, wherever the input came from."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence

from flask_babel import lazy_gettext as _l

from .errors import ValidationError
from .languages import LANGUAGES, TRANSLATED


def clean_text(value: str | None) -> str:
    """Normalise to NFC and strip surrounding white space."""
    return unicodedata.normalize("NFC", value or "").strip()


def check_title(value: str | None, *, field: str = "title", max_length: int = 200) -> str:
    text = clean_text(value)
    if not text:
        raise ValidationError(_l("A title is required."), field=field)
    return check_plain_text(text, field=field, max_length=max_length)


def check_plain_text(value: str | None, *, field: str, max_length: int) -> str:
    """Optional text without control characters (a title, a translation)."""
    text = check_optional_text(value, field=field, max_length=max_length)
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise ValidationError(_l("Control characters are not allowed."), field=field)
    return text


def check_optional_text(value: str | None, *, field: str, max_length: int) -> str:
    text = clean_text(value)
    if len(text) > max_length:
        raise ValidationError(_l("At most %(max)d characters.", max=max_length), field=field)
    return text


def check_period(start: dt.date | None, end: dt.date | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationError(_l("The period cannot end before it starts."), field="period_end")


def check_int_range(value: int, *, field: str, low: int, high: int) -> int:
    if not low <= value <= high:
        raise ValidationError(
            _l("Must be between %(low)d and %(high)d.", low=low, high=high), field=field
        )
    return value


def check_translations(
    values: Mapping[str, str | None] | None,
    *,
    field: str,
    max_length: int,
    among: Sequence[str] = TRANSLATED,
) -> dict[str, str]:
    """Texts by language code (``among``: the other languages content is translated into,
    unless told), empty ones dropped."""
    checked: dict[str, str] = {}
    for code, value in (values or {}).items():
        check_language(code, field=f"{field}.{code}", among=among)
        text = check_optional_text(value, field=f"{field}.{code}", max_length=max_length)
        if text:
            checked[code] = text
    return checked


def check_language(
    code: str | None, *, field: str = "language", among: Sequence[str] = LANGUAGES
) -> str | None:
    """A language code content may be in; ``None`` when none is given."""
    if not code:
        return None
    if code not in among:
        raise ValidationError(_l("Unknown language: %(code)s.", code=code), field=field)
    return code
