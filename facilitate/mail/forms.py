"""The sign-up form: an address and what to get (shape only; the rules live in operations)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectMultipleField, widgets

from .models import ADDRESS_MAX


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class FollowForm(FlaskForm):
    # No CSRF token, as for joining: a forged sign-up only asks the address to confirm,
    # which anyone may do by typing it, and a token that expired on a phone in a pocket
    # would turn the resident away.
    class Meta:
        csrf = False

    email = EmailField(
        _l("Your e-mail address"),
        render_kw={"autocomplete": "email", "maxlength": ADDRESS_MAX, "inputmode": "email"},
    )
    news = BooleanField(_l("News when initiatives change (at most one mail a day)"))
    meetings = CheckboxesField(_l("A reminder the day before a meeting"), coerce=int, choices=[])
