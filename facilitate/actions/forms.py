"""The action item form (shape only; the rules live in operations)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from .models import FIELD_MAX, TEXT_MAX, TITLE_MAX, ActionStatus
from .operations import STATUS_LABELS


def status_choices() -> list[tuple[str, str]]:
    return [(status.value, str(STATUS_LABELS[status])) for status in ActionStatus]


class ActionItemForm(FlaskForm):
    title = StringField(_l("Title"), render_kw={"maxlength": TITLE_MAX, "required": True})
    description = TextAreaField(_l("Description"), render_kw={"maxlength": TEXT_MAX})
    owner = StringField(
        _l("Owner"),
        description=_l("Who acts: a department, the police, a housing company, an association…"),
        render_kw={"maxlength": FIELD_MAX},
    )
    contact = StringField(_l("Contact"), render_kw={"maxlength": FIELD_MAX})
    due_date = DateField(_l("Due date"), validators=[Optional()])
    status = SelectField(_l("Status"), choices=status_choices)
    next_step = TextAreaField(_l("Next step"), render_kw={"maxlength": TEXT_MAX, "rows": 2})
    public_note = TextAreaField(
        _l("Public note"),
        description=_l("Shown to residents on the feedback page. A declined item says why."),
        render_kw={"maxlength": TEXT_MAX, "rows": 3},
    )
