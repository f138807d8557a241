"""The staff page for a meeting's paper counts: people who took part without a phone."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from facilitate.auth.models import Role
from facilitate.auth.permissions import requires
from facilitate.db import rollback
from facilitate.dialogues.models import Area
from facilitate.errors import DomainError
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings.models import Meeting

from .forms import age_band_choices
from .paper import Cell, cell_field, paper_areas, paper_counts, record_paper

bp = Blueprint("paper", __name__)

View = str | Response | tuple[str, int]


@bp.route("/meetings/<int:meeting_id>/paper", methods=["GET", "POST"])
@requires(Role.observer)
def form(meeting_id: int) -> View:
    """How many took part on paper, by district and age band: staff fill it in during or
    after the meeting, and every save replaces the whole grid."""
    meeting = meeting_ops.get_meeting(meeting_id)
    areas = paper_areas(meeting)
    bands: list[str | None] = [value for value, _label in age_band_choices()[1:]] + [None]
    rows: list[int | None] = [*(a.id for a in areas), None]
    grid: list[Cell] = [(a, b) for a in rows for b in bands]
    values: dict[Cell, str] = dict.fromkeys(grid, "")
    if request.method == "POST":
        values = {cell: request.form.get(cell_field(cell), "") for cell in grid}
        try:
            total = record_paper(meeting, values)
        except DomainError as error:
            rollback()
            return _paper_page(meeting, areas, values, error), 422
        flash(
            ngettext(
                "Saved: %(num)d person took part on paper.",
                "Saved: %(num)d people took part on paper.",
                total,
            ),
            "success",
        )
        return redirect(url_for(".form", meeting_id=meeting.id))
    for row in paper_counts(meeting):
        values[(row.area_id, row.age_band.value if row.age_band else None)] = str(row.count)
    return _paper_page(meeting, areas, values, None)


def _paper_page(
    meeting: Meeting,
    areas: list[Area],
    values: dict[Cell, str],
    error: DomainError | None,
) -> str:
    names = {a.id: a.name for a in areas}
    bands = dict(age_band_choices()[1:])
    where = next(
        (
            f"{names[a] if a else _('No district given')} · {bands[b] if b else _('No age given')}"
            for a, b in values
            if error is not None and cell_field((a, b)) == error.field
        ),
        None,
    )
    return render_template(
        "live/paper.html",
        where=where,
        meeting=meeting,
        areas=areas,
        bands=age_band_choices()[1:],
        band_values=[value for value, _label in age_band_choices()[1:]] + [None],
        values={cell_field(cell): value for cell, value in values.items()},
        field=cell_field,
        error=error,
    )
