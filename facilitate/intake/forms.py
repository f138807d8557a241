"""Forms for recording and importing conversations (shape only; rules live in operations)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    Field,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from facilitate.dialogues.models import Area, Dialogue
from facilitate.live.forms import age_band_choices

from .models import Channel, Conversation, Note, SpeakerRole
from .operations import CHANNEL_LABELS, ROLE_LABELS


def channel_choices() -> list[tuple[str, str]]:
    return [(c.value, str(CHANNEL_LABELS[c])) for c in Channel]


def role_choices() -> list[tuple[str, str]]:
    return [("", str(_l("Not given")))] + [(r.value, str(ROLE_LABELS[r])) for r in SpeakerRole]


def area_choices(dialogue: Dialogue, current: Area | None = None) -> list[tuple[str, str]]:
    """The dialogue's active districts; ``current`` too when archived since (an edit keeps it)."""
    areas = sorted(
        (a for a in dialogue.areas if not a.is_archived or a == current), key=lambda a: a.name
    )
    return [("", str(_l("Not given")))] + [(str(a.id), a.name) for a in areas]


def theme_choices(dialogue: Dialogue) -> list[tuple[int, str]]:
    themes = sorted((t for t in dialogue.themes if not t.is_archived), key=lambda t: t.position)
    return [(t.id, f"{n}. {t.title}") for n, t in enumerate(themes, 1)]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _ConversationFields(FlaskForm):
    """What a conversation is, as recording and editing both ask for it."""

    held_on = DateField(
        _l("Date"),
        default=lambda: dt.datetime.now(dt.UTC).date(),
        validators=[InputRequired(_l("Give the date of the conversation."))],
    )
    channel = RadioField(_l("Where"), choices=channel_choices, default=Channel.street.value)
    area = SelectField(_l("District"), choices=[], default="")
    age_band = SelectField(_l("Age"), choices=[], default="")
    role = SelectField(_l("Lives or works in the area"), choices=role_choices, default="")

    def details(self) -> dict[str, Any]:
        """The operation's arguments for these fields (ConversationSpec, ConversationChanges)."""
        return {
            "held_on": self.held_on.data,
            "channel": self.channel.data,
            "area_id": int(self.area.data) if self.area.data else None,
            "age_band": self.age_band.data,
            "role": self.role.data,
        }


class ConversationForm(_ConversationFields):
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
        return lines(self.notes.data)


def lines(text: str | None) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()]


class ConversationEditForm(_ConversationFields):
    """The conversation's details, one text box per note (``notes_<id>``, added by
    ``edit_form``) and a box for notes to add."""

    new_notes = TextAreaField(
        _l("Add notes"),
        description=_l("One note or quote per line. New notes start without themes."),
        render_kw={"rows": 3},
    )

    def note_fields(self, conversation: Conversation) -> list[tuple[Note, Field]]:
        return [(note, self[f"notes_{note.id}"]) for note in conversation.notes]

    def texts(self, conversation: Conversation) -> dict[int, str]:
        return {note.id: field.data or "" for note, field in self.note_fields(conversation)}


def edit_form(conversation: Conversation) -> ConversationEditForm:
    """The edit form of this conversation, filled with what was recorded (on a GET)."""

    class Form(ConversationEditForm):
        pass

    for number, note in enumerate(conversation.notes, 1):
        setattr(
            Form,
            f"notes_{note.id}",
            TextAreaField(
                _l("Note %(num)d", num=number),
                default=note.text,
                render_kw={"rows": 3, "required": True, "dir": "auto"},
            ),
        )
    form = Form(
        held_on=conversation.held_on,
        channel=conversation.channel.value,
        area=str(conversation.area_id or ""),
        age_band=conversation.age_band.value if conversation.age_band else "",
        role=conversation.role.value if conversation.role else "",
    )
    form.area.choices = area_choices(conversation.dialogue, conversation.area)
    form.age_band.choices = age_band_choices()
    return form


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired(_l("Choose a file."))])


class ImportConfirmForm(FlaskForm):
    """The preview's buttons; the token names the uploaded file (see pending.py)."""

    token = HiddenField()
    confirm = SubmitField(_l("Import"))
    cancel = SubmitField(_l("Cancel"))


class NoteThemesForm(FlaskForm):
    themes = CheckboxesField(_l("Themes"), coerce=int, choices=[])
