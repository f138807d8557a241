"""Forms for dialogues, districts and themes.

Fields carry only shape (required, type, length caps a browser can show); the
rules themselves live in ``operations``, which every client goes through.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional

from .models import AREA_NAME_MAX, DESCRIPTION_MAX, TITLE_MAX, ThemeStatus


def theme_status_choices() -> list[tuple[str, str]]:
    labels = {
        ThemeStatus.planned: _l("Planned"),
        ThemeStatus.in_depth: _l("In depth"),
        ThemeStatus.done: _l("Done"),
    }
    return [(status.value, str(labels[status])) for status in ThemeStatus]


class DialogueForm(FlaskForm):
    title = StringField(_l("Title"), render_kw={"maxlength": TITLE_MAX, "required": True})
    description = TextAreaField(_l("Description"), render_kw={"maxlength": DESCRIPTION_MAX})
    period_start = DateField(_l("Period starts"), validators=[Optional()])
    period_end = DateField(_l("Period ends"), validators=[Optional()])
    action_deadline = DateField(
        _l("Action list due"),
        validators=[Optional()],
        description=_l("The date the action list should be delivered, e.g. before summer."),
    )
    retention_months = IntegerField(
        _l("Keep residents' text for (months)"),
        default=24,
        validators=[InputRequired(_l("Give a number of months."))],
        render_kw={"min": 1, "max": 120},
    )


class NewDialogueForm(DialogueForm):
    areas = TextAreaField(
        _l("Districts"),
        description=_l("One per line."),
        render_kw={"rows": 7},
    )

    def area_names(self) -> list[str]:
        return [line for line in (self.areas.data or "").splitlines() if line.strip()]


class AreaForm(FlaskForm):
    name = StringField(_l("District"), render_kw={"maxlength": AREA_NAME_MAX, "required": True})


class ThemeForm(FlaskForm):
    title = StringField(_l("Title"), render_kw={"maxlength": TITLE_MAX, "required": True})
    description = TextAreaField(_l("Description"), render_kw={"maxlength": DESCRIPTION_MAX})
    status = SelectField(_l("Status"), choices=theme_status_choices, default=ThemeStatus.planned)


class ThemeStatusForm(FlaskForm):
    status = SelectField(_l("Status"), choices=theme_status_choices)
