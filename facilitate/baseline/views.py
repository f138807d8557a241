"""The staff pages that import the population and the outcome indicators and show what
was imported."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from facilitate import charts
from facilitate.auth.models import Role
from facilitate.auth.permissions import requires
from facilitate.dialogues import operations as dialogue_ops
from facilitate.dialogues.models import Dialogue
from facilitate.errors import DomainError
from facilitate.intake import pending
from facilitate.intake.forms import ImportConfirmForm, ImportForm
from facilitate.intake.imports import ImportRejected
from facilitate.live.models import AgeBand
from facilitate.web import local_number, refuse, show_form

from . import operations as ops

bp = Blueprint("baseline", __name__)

View = str | Response | tuple[str, int]


def _population_context(dialogue: Dialogue) -> dict[str, object]:
    rows = ops.population(dialogue)
    counts = {(p.area.name, p.age_band.value): p.count for p in rows}
    areas = sorted({p.area.name for p in rows}, key=str.casefold)
    bands = [b.value for b in AgeBand]
    by_area = [(area, sum(counts.get((area, band), 0) for band in bands)) for area in areas]
    by_age = [(band, sum(counts.get((area, band), 0) for area in areas)) for band in bands]
    return {
        "dialogue": dialogue,
        "charts": [
            charts.bars(title, rows, header=(corner, _("Residents")), number=local_number)
            for title, corner, rows in (
                (_("Residents by district"), _("District"), by_area),
                (_("Residents by age"), _("Age"), by_age),
            )
        ]
        if rows
        else [],
        "kind": "population",
        "columns": ops.POPULATION_COLUMNS,
        "required": ops.POPULATION_REQUIRED,
        "bands": bands,
        "areas": areas,
        "counts": counts,
        "sources": sorted({(p.year, p.source) for p in rows}, key=str),
        "problems": [],
    }


def _indicator_context(dialogue: Dialogue) -> dict[str, object]:
    return {
        "dialogue": dialogue,
        "kind": "indicators",
        "columns": ops.INDICATOR_COLUMNS,
        "required": ops.INDICATOR_REQUIRED,
        "indicators": ops.indicators(dialogue),
        "problems": [],
    }


#: How many rows the preview shows as they will be stored.
PREVIEW_ROWS = 50
PLANS: dict[str, Callable[[Dialogue, str, bytes], ops.Plan]] = {
    "population": ops.plan_population,
    "indicators": ops.plan_indicators,
}


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _page(kind: str, dialogue: Dialogue, form: FlaskForm, error: DomainError) -> tuple[str, int]:
    context = (_population_context if kind == "population" else _indicator_context)(dialogue)
    context["problems"] = error.problems if isinstance(error, ImportRejected) else []
    return refuse(f"baseline/{kind}.html", form, error, **context)


def _preview(kind: str, dialogue: Dialogue, filename: str, data: bytes, plan: ops.Plan) -> str:
    """What Import will store, before anything is: the file waits on the server (as the
    conversation import's does, ``intake.pending``) under a token naming this plan."""
    form = ImportConfirmForm()
    form.token.data = pending.keep(
        data, dialogue_id=dialogue.id, user_id=_user_id(), filename=filename, plan=plan.digest()
    )
    return render_template(
        "baseline/preview.html",
        dialogue=dialogue,
        kind=kind,
        form=form,
        filename=filename,
        plan=plan,
        rows=plan.rows[:PREVIEW_ROWS],
        replaces=ops.existing(dialogue, kind),
    )


def _upload(kind: str, dialogue_id: int) -> View:
    dialogue = dialogue_ops.get_dialogue(dialogue_id)
    form = ImportForm()
    if not form.validate_on_submit():
        context = (_population_context if kind == "population" else _indicator_context)(dialogue)
        return show_form(f"baseline/{kind}.html", form, **context)
    upload = form.file.data
    filename, data = upload.filename or "", upload.read()
    try:
        plan = PLANS[kind](dialogue, filename, data)
    except DomainError as error:
        return _page(kind, dialogue, form, error)
    return _preview(kind, dialogue, filename, data, plan)


def _confirm(kind: str, dialogue_id: int) -> View:
    """Import exactly what the preview showed, or discard the file ("cancel")."""
    dialogue = dialogue_ops.get_dialogue(dialogue_id)
    form = ImportConfirmForm()
    try:
        taken = pending.confirmed(
            form.token.data or "",
            cancel=bool(form.cancel.data),
            dialogue_id=dialogue.id,
            user_id=_user_id(),
        )
        if taken is None:
            flash(_("The import was cancelled; nothing was imported."), "success")
            return redirect(url_for(f".{kind}", dialogue_id=dialogue.id))
        upload, data = taken
        plan = PLANS[kind](dialogue, upload.filename, data)
    except DomainError as error:
        return _page(kind, dialogue, ImportForm(), error)
    if plan.digest() != upload.plan:
        # Another kind's token, or districts or themes changed since the preview.
        flash(_("The dialogue changed since the preview: check it again."), "warning")
        return _preview(kind, dialogue, upload.filename, data, plan), 409
    result = ops.write_plan(dialogue, plan)
    flash(
        _(
            "Imported %(num)d rows; they replace the %(before)d rows imported before.",
            num=result.rows,
            before=result.before,
        )
        if result.before
        else _("Imported %(num)d rows.", num=result.rows),
        "success",
    )
    return redirect(url_for(f".{kind}", dialogue_id=dialogue.id))


@bp.get("/dialogues/<int:dialogue_id>/population")
@requires(Role.observer)
def population(dialogue_id: int) -> View:
    """Residents per district and age band, as imported, and the form to import them."""
    dialogue = dialogue_ops.get_dialogue(dialogue_id)
    return render_template(
        "baseline/population.html", form=ImportForm(), **_population_context(dialogue)
    )


@bp.post("/dialogues/<int:dialogue_id>/population")
@requires(Role.facilitator)
def import_population(dialogue_id: int) -> View:
    """Upload: the file is checked and previewed, nothing is written."""
    return _upload("population", dialogue_id)


@bp.post("/dialogues/<int:dialogue_id>/population/confirm")
@requires(Role.facilitator)
def confirm_population(dialogue_id: int) -> View:
    return _confirm("population", dialogue_id)


@bp.get("/dialogues/<int:dialogue_id>/indicators")
@requires(Role.observer)
def indicators(dialogue_id: int) -> View:
    """Outcome indicators by district and year, as imported, and the form to import them."""
    dialogue = dialogue_ops.get_dialogue(dialogue_id)
    return render_template(
        "baseline/indicators.html", form=ImportForm(), **_indicator_context(dialogue)
    )


@bp.post("/dialogues/<int:dialogue_id>/indicators")
@requires(Role.facilitator)
def import_indicators(dialogue_id: int) -> View:
    """Upload: the file is checked and previewed, nothing is written."""
    return _upload("indicators", dialogue_id)


@bp.post("/dialogues/<int:dialogue_id>/indicators/confirm")
@requires(Role.facilitator)
def confirm_indicators(dialogue_id: int) -> View:
    return _confirm("indicators", dialogue_id)
