"""The staff pages that import the population and the outcome indicators and show what
was imported."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from facilitate import charts
from facilitate.auth.models import Role
from facilitate.auth.permissions import requires
from facilitate.dialogues import operations as dialogue_ops
from facilitate.dialogues.models import Dialogue
from facilitate.errors import DomainError
from facilitate.intake.forms import ImportForm
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


def _import(
    dialogue_id: int,
    template: str,
    context_of: Callable[[Dialogue], dict[str, object]],
    run: Callable[[Dialogue, str, bytes], ops.Replaced],
    endpoint: str,
) -> View:
    dialogue = dialogue_ops.get_dialogue(dialogue_id)
    form = ImportForm()
    if not form.validate_on_submit():
        return show_form(template, form, **context_of(dialogue))
    upload = form.file.data
    try:
        result = run(dialogue, upload.filename or "", upload.read())
    except DomainError as error:
        context = context_of(dialogue)
        context["problems"] = error.problems if isinstance(error, ImportRejected) else []
        return refuse(template, form, error, **context)
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
    return redirect(url_for(endpoint, dialogue_id=dialogue.id))


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
    return _import(
        dialogue_id,
        "baseline/population.html",
        _population_context,
        ops.import_population,
        ".population",
    )


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
    return _import(
        dialogue_id,
        "baseline/indicators.html",
        _indicator_context,
        ops.import_indicators,
        ".indicators",
    )
