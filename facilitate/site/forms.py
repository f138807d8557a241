from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import DateField, EmailField, SelectField, StringField, TelField, TextAreaField
from wtforms.validators import Optional

from facilitate.i18n import language_name
from facilitate.languages import LANGUAGES

from .models import (
    EMAIL_MAX,
    INTRO_MAX,
    ORGANISATION_MAX,
    PHONE_MAX,
    SHORTCOMINGS_MAX,
    Compliance,
)


def status_choices() -> list[tuple[str, str]]:
    labels = {
        Compliance.compliant: _l("Fully compliant"),
        Compliance.partially_compliant: _l("Partially compliant"),
        Compliance.not_compliant: _l("Not compliant"),
    }
    return [(status.value, str(labels[status])) for status in Compliance]


class StatementForm(FlaskForm):
    """The admin's form; the checks are the operation's (``operations.update_statement``)."""

    organisation = StringField(
        _l("Organisation"),
        description=_l("The name people know you by, such as Exempelby kommun."),
        render_kw={"maxlength": ORGANISATION_MAX, "autocomplete": "organization"},
    )
    email = EmailField(
        _l("Contact e-mail"),
        description=_l("Where people report problems and ask for content in another form."),
        render_kw={"maxlength": EMAIL_MAX},
    )
    phone = TelField(_l("Contact phone"), render_kw={"maxlength": PHONE_MAX})
    status = SelectField(_l("Compliance status"), choices=status_choices)
    shortcomings = TextAreaField(
        _l("Known shortcomings"),
        description=_l("One a line. Leave empty only when the service is fully compliant."),
        render_kw={"maxlength": SHORTCOMINGS_MAX, "rows": 8},
    )
    made_on = DateField(_l("Statement made on"), validators=[Optional()])
    reviewed_on = DateField(_l("Last reviewed on"), validators=[Optional()])


def intro_fields() -> list[str]:
    return [f"intro_{code}" for code in LANGUAGES]


for _code in LANGUAGES:
    setattr(
        StatementForm,
        f"intro_{_code}",
        TextAreaField(
            # The language's own name, marked as such, so a screen reader says it right.
            Markup('<span lang="{}">{}</span>').format(_code, language_name(_code)),
            validators=[Optional()],
            render_kw={"maxlength": INTRO_MAX, "rows": 5, "lang": _code, "dir": "auto"},
        ),
    )
