"""The write path for the accessibility statement: an admin keeps it true."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from flask_babel import LazyString, get_timezone
from flask_babel import lazy_gettext as _l

from facilitate.auth.operations import check_email
from facilitate.db import session
from facilitate.errors import ValidationError
from facilitate.languages import LANGUAGES
from facilitate.validation import (
    check_optional_text,
    check_plain_text,
    check_translations,
    clean_text,
)

from .models import (
    INTRO_MAX,
    ORGANISATION_MAX,
    PHONE_MAX,
    SHORTCOMINGS_MAX,
    THE_STATEMENT,
    AccessibilityStatement,
    Compliance,
)

#: Digits with the usual separators, optionally international: "08-123 456 78", "+46 8 123 45 67".
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()/-]*$")
PHONE_DIGITS_MIN = 5


def default_shortcomings() -> list[LazyString]:
    """What we know falls short in Facilitate itself, shown until the municipality lists its own."""
    return [
        _l(
            "The PDF downloads (the meeting report and the printed join instructions) are not "
            "tagged PDFs, so a screen reader may read them without headings or in the wrong "
            "order."
        ),
        _l("The spreadsheet downloads have not been checked for accessibility."),
        _l(
            "The Finnish, Arabic and Somali texts of the service were translated without a "
            "native speaker and have not yet been reviewed by one."
        ),
    ]


def get_statement() -> AccessibilityStatement | None:
    """The statement the municipality saved, or ``None`` while it has not."""
    return session().get(AccessibilityStatement, THE_STATEMENT)


def local_today() -> dt.date:
    """Today where the municipality is (BABEL_DEFAULT_TIMEZONE)."""
    return dt.datetime.now(ZoneInfo(str(get_timezone()))).date()


def check_phone(phone: str | None) -> str:
    value = " ".join(clean_text(phone).split())
    digits = sum(ch.isdigit() for ch in value)
    if value and (len(value) > PHONE_MAX or not PHONE_RE.match(value) or digits < PHONE_DIGITS_MIN):
        raise ValidationError(
            _l("Enter a phone number with digits only, such as 08-123 456 78."), field="phone"
        )
    return value


def check_status(status: str | Compliance | None) -> Compliance:
    try:
        return Compliance(status or "")
    except ValueError:
        raise ValidationError(_l("Choose a compliance status."), field="status") from None


def check_shortcomings(value: str | None, status: Compliance) -> str:
    """One shortcoming a line, blank lines dropped; the list must fit the status."""
    text = check_optional_text(value, field="shortcomings", max_length=SHORTCOMINGS_MAX)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    if any(unicodedata.category(ch) == "Cc" for line in lines for ch in line):
        raise ValidationError(_l("Control characters are not allowed."), field="shortcomings")
    lines = [line for line in lines if line]
    if status is Compliance.compliant and lines:
        raise ValidationError(
            _l(
                "A fully compliant service has no known shortcomings: remove them, or choose "
                "partially compliant."
            ),
            field="shortcomings",
        )
    if status is not Compliance.compliant and not lines:
        raise ValidationError(
            _l("List the known shortcomings, one a line: the law asks for them."),
            field="shortcomings",
        )
    return "\n".join(lines)


def _date(value: dt.date | None, *, field: str, today: dt.date) -> dt.date:
    if value is None:
        raise ValidationError(_l("Enter a date."), field=field)
    if value > today:
        raise ValidationError(_l("The date cannot be in the future."), field=field)
    return value


def check_dates(made_on: dt.date | None, reviewed_on: dt.date | None) -> tuple[dt.date, dt.date]:
    """When the statement was made and last reviewed: neither ahead of today nor out of order."""
    today = local_today()
    made = _date(made_on, field="made_on", today=today)
    reviewed = _date(reviewed_on, field="reviewed_on", today=today)
    if reviewed < made:
        raise ValidationError(
            _l("The statement cannot be reviewed before it was made."), field="reviewed_on"
        )
    return made, reviewed


def update_statement(
    *,
    organisation: str | None,
    email: str | None,
    phone: str | None,
    status: str | Compliance | None,
    shortcomings: str | None,
    made_on: dt.date | None,
    reviewed_on: dt.date | None,
    intros: Mapping[str, str | None] | None = None,
) -> AccessibilityStatement:
    """Save what the municipality states; every input is checked before anything changes."""
    name = check_plain_text(organisation, field="organisation", max_length=ORGANISATION_MAX)
    if not name:
        raise ValidationError(_l("Enter the name of the organisation."), field="organisation")
    address = check_email(email) if clean_text(email) else ""
    number = check_phone(phone)
    if not address and not number:
        raise ValidationError(
            _l("Give an e-mail address or a phone number, so people can report problems."),
            field="email",
        )
    compliance = check_status(status)
    lines = check_shortcomings(shortcomings, compliance)
    made, reviewed = check_dates(made_on, reviewed_on)
    texts = check_translations(intros, field="intro", max_length=INTRO_MAX, among=LANGUAGES)

    statement = get_statement()
    if statement is None:
        statement = AccessibilityStatement(id=THE_STATEMENT)
        session().add(statement)
    statement.organisation = name
    statement.email = address
    statement.phone = number
    statement.status = compliance
    statement.shortcomings = lines
    statement.made_on = made
    statement.reviewed_on = reviewed
    statement.intros = texts
    session().flush()
    return statement
