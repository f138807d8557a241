"""Forms for recording and importing conversations (shape only; rules live in operations)."""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from facilitate.dialogues.models import Dialogue
from facilitate.live.forms import age_band_choices

from .models import Channel, SpeakerRole
from .operations import CHANNEL_LABELS, ROLE_LABELS


def channel_choices() -> list[tuple[str, str]]:
    return [(c.value, str(CHANNEL_LABELS[c])) for c in Channel]


def role_choices() -> list[tuple[str, str]]:
    return [("", str(_l("Not given")))] + [(r.value, str(ROLE_LABELS[r])) for r in SpeakerRole]


def area_choices(dialogue: Dialogue) -> list[tuple[str, str]]:
    areas = sorted((a for a in dialogue.areas if not a.is_archived), key=lambda a: a.name)
    return [("", str(_l("Not given")))] + [(str(a.id), a.name) for a in areas]


def theme_choices(dialogue: Dialogue) -> list[tuple[int, str]]:
    themes = sorted((t for t in dialogue.themes if not t.is_archived), key=lambda t: t.position)
    return [(t.id, f"{n}. {t.title}") for n, t in enumerate(themes, 1)]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ConversationForm(FlaskForm):
    held_on = DateField(
        _l("Date"),
        default=lambda: dt.datetime.now(dt.UTC).date(),
        validators=[InputRequired(_l("Give the date of the conversation."))],
    )
    channel = RadioField(_l("Where"), choices=channel_choices, default=Channel.street.value)
    area = SelectField(_l("District"), choices=[], default="")
    age_band = SelectField(_l("Age"), choices=[], default="")
    role = SelectField(_l("Lives or works in the area"), choices=role_choices, default="")
    notes = TextAreaField(
        _l("Notes and quotes"),
        description=_l("One note or quote per line."),
        render_kw={"rows": 6, "required": True},
    )
    themes = CheckboxesField(_l("Themes"), coerce=int, choices=[])

    def for_dialogue(self, dialogue: Dialogue) -> ConversationForm:
        self.area.choices = area_choices(dialogue)
        self.age_band.choices = age_band_choices()
        self.themes.choices = theme_choices(dialogue)
        return self

    def note_lines(self) -> list[str]:
        return [line for line in (self.notes.data or "").splitlines() if line.strip()]


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired(_l("Choose a file."))])


class NoteThemesForm(FlaskForm):
    themes = CheckboxesField(_l("Themes"), coerce=int, choices=[])
