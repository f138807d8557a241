"""The accessibility statement: public to read, kept true by an admin."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from facilitate.auth.models import Role
from facilitate.auth.permissions import public, requires
from facilitate.errors import DomainError
from facilitate.i18n import current_language, language_name
from facilitate.languages import LANGUAGES, ORIGINAL, guess_language
from facilitate.web import refuse, show_form

from . import operations
from .forms import StatementForm, intro_fields
from .models import Compliance

bp = Blueprint("site", __name__)

#: Where the enforcement body takes complaints; a link, nothing is loaded from there.
DIGG_COMPLAINTS = "https://www.digg.se/tdosanmalan"


def _lines(statement: Any) -> list[tuple[str, str | None]]:
    """The shortcomings with the language each is in: ours in the reader's, the municipality's
    as written (guessed, staff write Swedish unless told)."""
    if statement is None:
        return [(str(text), None) for text in operations.default_shortcomings()]
    return [(line, guess_language(line, ORIGINAL)) for line in statement.shortcoming_lines()]


@bp.route("/accessibility")
@public
def statement() -> str:
    """The accessibility statement (tillgänglighetsredogörelse) under the DOS law."""
    saved = operations.get_statement()
    language = current_language()
    return render_template(
        "site/statement.html",
        statement=saved,
        status=saved.status if saved is not None else Compliance.partially_compliant,
        shortcomings=_lines(saved),
        intro=saved.intros.get(language) if saved is not None else None,
        language=language,
        digg_complaints=DIGG_COMPLAINTS,
    )


def _form_data(today: dt.date) -> dict[str, Any]:
    """What the form starts from: the saved statement, or our defaults dated today."""
    saved = operations.get_statement()
    if saved is None:
        return {
            "status": Compliance.partially_compliant.value,
            "shortcomings": "\n".join(str(text) for text in operations.default_shortcomings()),
            "made_on": today,
            "reviewed_on": today,
        }
    return {
        "organisation": saved.organisation,
        "email": saved.email,
        "phone": saved.phone,
        "status": saved.status.value,
        "shortcomings": saved.shortcomings,
        "made_on": saved.made_on,
        "reviewed_on": saved.reviewed_on,
        **{f"intro_{code}": saved.intros.get(code, "") for code in LANGUAGES},
    }


@bp.route("/admin/accessibility", methods=["GET", "POST"])
@requires(Role.admin)
def edit_statement() -> str | Response | tuple[str, int]:
    form = StatementForm(data=_form_data(operations.local_today()))
    context = {"intro_fields": intro_fields(), "language_name": language_name}
    if not form.validate_on_submit():
        return show_form("site/statement_form.html", form, **context)
    try:
        operations.update_statement(
            organisation=form.organisation.data,
            email=form.email.data,
            phone=form.phone.data,
            status=form.status.data,
            shortcomings=form.shortcomings.data,
            made_on=form.made_on.data,
            reviewed_on=form.reviewed_on.data,
            intros={code: form[f"intro_{code}"].data for code in LANGUAGES},
        )
    except DomainError as error:
        return refuse("site/statement_form.html", form, error, **context)
    flash(_("The accessibility statement was saved."), "success")
    return redirect(url_for(".statement"))
