"""Forms for meetings, their agendas and voting settings (shape only; rules live in operations)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from facilitate.i18n import language_name
from facilitate.languages import TRANSLATED

from .agendas import DEFAULT_TEMPLATE, TEMPLATES
from .models import (
    INTRO_MAX,
    PLACE_MAX,
    PROMPT_MAX,
    TITLE_MAX,
    VIDEO_URL_MAX,
    PhaseKind,
    ResultsVisibility,
    VotingMethod,
)


def template_choices() -> list[tuple[str, str]]:
    return [(key, str(template.name)) for key, template in TEMPLATES.items()]


def kind_choices() -> list[tuple[str, str]]:
    labels = {
        PhaseKind.welcome: _l("Welcome"),
        PhaseKind.share: _l("Share"),
        PhaseKind.explore: _l("Explore"),
        PhaseKind.propose: _l("Propose"),
        PhaseKind.prioritise: _l("Prioritise"),
        PhaseKind.perspectives: _l("Perspectives"),
        PhaseKind.close: _l("Close"),
    }
    return [(kind.value, str(labels[kind])) for kind in PhaseKind]


def method_choices() -> list[tuple[str, str]]:
    labels = {
        VotingMethod.dots: _l("Dots: each person spreads a number of dots"),
        VotingMethod.approval: _l("Approval: yes to as many as you like"),
        VotingMethod.agree: _l("Agree or disagree on each proposal"),
        VotingMethod.consent: _l("Consent: can everyone live with it?"),
    }
    return [(method.value, str(labels[method])) for method in VotingMethod]


def results_choices() -> list[tuple[str, str]]:
    labels = {
        ResultsVisibility.live: _l("Live, while people vote"),
        ResultsVisibility.hidden: _l("Hidden until the vote closes"),
    }
    default = ("", str(_l("As suits the method (hidden for dots and consent)")))
    return [default, *((value.value, str(labels[value])) for value in ResultsVisibility)]


def _add_translation_fields(
    form: type[FlaskForm], name: str, max_length: int, *, one_line: bool = False
) -> None:
    """A field ``<name>_<code>`` per other language, labelled with the language's own name:
    a text area, or a one-line input for a title (``one_line``)."""
    for code in TRANSLATED:
        label = language_name(code)
        attributes = {"maxlength": max_length, "lang": code, "dir": "auto"}
        field = (
            StringField(label, validators=[Optional()], render_kw=attributes)
            if one_line
            else TextAreaField(label, validators=[Optional()], render_kw={**attributes, "rows": 2})
        )
        setattr(form, f"{name}_{code}", field)


def translations_from(form: FlaskForm, name: str) -> dict[str, str]:
    return {code: form[f"{name}_{code}"].data or "" for code in TRANSLATED}


def translations_data(values: dict[str, str], name: str) -> dict[str, str]:
    """Form data for the translation fields, to fill an edit form."""
    return {f"{name}_{code}": values.get(code, "") for code in TRANSLATED}


class MeetingForm(FlaskForm):
    title = StringField(_l("Title"), render_kw={"maxlength": TITLE_MAX, "required": True})
    # Without a time a meeting is still being planned: meetings.queries.scheduled keeps it
    # off the public page, the calendars and the e-mail sign-up, and staff should know.
    starts_at = DateTimeLocalField(
        _l("Starts"),
        validators=[Optional()],
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        description=_l("Residents see the meeting on the public page once it has a start time."),
    )
    place = StringField(
        _l("Place"),
        render_kw={"maxlength": PLACE_MAX},
        description=_l("An address, or a note on the call for a digital meeting."),
    )
    is_digital = BooleanField(_l("Digital meeting"))
    # A text field, not type=url: the browser's own check would speak before ours, in its
    # language, and let http:// through; the operation says what is wrong in the page's.
    video_url = StringField(
        _l("Call link"),
        render_kw={"maxlength": VIDEO_URL_MAX, "inputmode": "url", "dir": "ltr"},
        description=_l(
            "The https:// address of the call (Jitsi, Teams, Zoom…). Residents get a "
            "“Join the call” button."
        ),
    )
    intro = TextAreaField(
        _l("Welcome text for residents"),
        render_kw={"maxlength": INTRO_MAX, "rows": 3},
        description=_l("Shown when residents join and until the first step starts."),
    )
    premoderation = BooleanField(
        _l("Pre-moderation"),
        description=_l(
            "Residents' contributions and proposals show on the wall and the projector only "
            "once a facilitator or observer approves them. Can be switched during the meeting."
        ),
    )


_add_translation_fields(MeetingForm, "intro", INTRO_MAX)


class VotingForm(FlaskForm):
    voting_method = SelectField(_l("Voting method"), choices=method_choices)
    voting_dots = IntegerField(
        _l("Dots per person"),
        default=3,
        validators=[InputRequired(_l("Give a number."))],
        render_kw={"min": 1, "max": 20},
    )
    voting_cap = IntegerField(
        _l("At most this many dots on one proposal"),
        validators=[Optional()],
        description=_l("Leave empty for no limit."),
        render_kw={"min": 1, "max": 20},
    )
    voting_results = SelectField(_l("Results"), choices=results_choices)


class NewMeetingForm(MeetingForm, VotingForm):
    template = SelectField(
        _l("Agenda template"), choices=template_choices, default=DEFAULT_TEMPLATE
    )


class PhaseForm(FlaskForm):
    title = StringField(_l("Title"), render_kw={"maxlength": TITLE_MAX, "required": True})
    prompt = TextAreaField(
        _l("Question for residents"),
        render_kw={"maxlength": PROMPT_MAX, "rows": 3},
        description=_l("Shown on every phone during this step."),
    )
    minutes = IntegerField(
        _l("Minutes"),
        default=10,
        validators=[InputRequired(_l("Give a number."))],
        render_kw={"min": 1, "max": 600},
    )
    kind = SelectField(_l("Kind"), choices=kind_choices, default=PhaseKind.share.value)


_add_translation_fields(PhaseForm, "title", TITLE_MAX, one_line=True)
_add_translation_fields(PhaseForm, "prompt", PROMPT_MAX)
