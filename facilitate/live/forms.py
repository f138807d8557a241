"""The join form a resident fills in on their phone (shape only; rules live in participants)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length

from .models import DISPLAY_NAME_MAX, AgeBand


def age_band_choices() -> list[tuple[str, str]]:
    labels = {
        AgeBand.up_to_15: _l("15 or younger"),
        AgeBand.from_16: _l("16–19"),
        AgeBand.from_20: _l("20–29"),
        AgeBand.from_30: _l("30–44"),
        AgeBand.from_45: _l("45–64"),
        AgeBand.from_65: _l("65 or older"),
    }
    return [("", str(_l("Rather not say")))] + [(band.value, str(labels[band])) for band in AgeBand]


class JoinForm(FlaskForm):
    # No CSRF token: joining needs no session, and a token that expires while a phone
    # sits in a pocket at the door would turn residents away. A forged join only joins.
    class Meta:
        csrf = False

    display_name = StringField(
        _l("Your name (optional)"),
        validators=[Length(max=DISPLAY_NAME_MAX)],
        render_kw={"autocomplete": "nickname", "maxlength": DISPLAY_NAME_MAX},
    )
    area = SelectField(_l("District (optional)"), choices=[], default="")
    age_band = SelectField(_l("Age (optional)"), choices=[], default="")
