"""Facilitator pages for dialogues, districts and themes, and the dashboard."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from facilitate.auth.models import Role
from facilitate.auth.permissions import requires
from facilitate.db import session
from facilitate.errors import DomainError
from facilitate.web import invalid, refuse, register_labels, show_form

from . import operations as ops
from .forms import (
    AreaForm,
    DialogueForm,
    NewDialogueForm,
    ThemeForm,
    ThemeStatusForm,
    theme_status_choices,
)
from .models import Dialogue, DialogueStatus, Theme, ThemeStatus

bp = Blueprint("dialogues", __name__)
register_labels(
    (DialogueStatus.active, _l("Active")),
    (DialogueStatus.archived, _l("Archived")),
    (ThemeStatus.planned, _l("Planned")),
    (ThemeStatus.in_depth, _l("In depth")),
    (ThemeStatus.done, _l("Done")),
)
bp.add_app_template_global(theme_status_choices)

View = str | Response | tuple[str, int]


def _offset() -> int:
    """The move direction of an up/down button: -1 or 1, anything else is no move."""
    value = request.form.get("offset", "")
    return int(value) if value in {"-1", "1"} else 0


# -- dashboard and dialogues ---------------------------------------------------------------


@bp.route("/dialogues")
@bp.route("/")  # the canonical address: registered first, so url_for builds it
@requires(Role.observer)
def dashboard() -> View:
    archived = request.args.get("archived") == "1"
    status = DialogueStatus.archived if archived else DialogueStatus.active
    dialogues = session().scalars(
        sa.select(Dialogue).where(Dialogue.status == status).order_by(Dialogue.created_at.desc())
    )
    return render_template(
        "dialogues/dashboard.html",
        dialogues=list(dialogues),
        archived=archived,
    )


@bp.route("/dialogues/new", methods=["GET", "POST"])
@requires(Role.facilitator)
def new() -> View:
    form = NewDialogueForm()
    if not form.validate_on_submit():
        return show_form("dialogues/form.html", form)
    try:
        dialogue = ops.create_dialogue(
            form.title.data or "",
            description=form.description.data,
            period_start=form.period_start.data,
            period_end=form.period_end.data,
            action_deadline=form.action_deadline.data,
            retention_months=form.retention_months.data or 0,
            areas=form.area_names(),
        )
    except DomainError as error:
        return refuse("dialogues/form.html", form, error)
    flash(_("The dialogue was created."), "success")
    return redirect(url_for(".detail", dialogue_id=dialogue.id))


@bp.route("/dialogues/<int:dialogue_id>")
@requires(Role.observer)
def detail(dialogue_id: int) -> View:
    dialogue = ops.get_dialogue(dialogue_id)
    return render_template(
        "dialogues/detail.html",
        dialogue=dialogue,
        area_form=AreaForm(),
    )


@bp.route("/dialogues/<int:dialogue_id>/edit", methods=["GET", "POST"])
@requires(Role.facilitator)
def edit(dialogue_id: int) -> View:
    dialogue = ops.get_dialogue(dialogue_id)
    form = DialogueForm(obj=dialogue)
    context = {"dialogue": dialogue}
    if not form.validate_on_submit():
        return show_form("dialogues/form.html", form, **context)
    try:
        ops.update_dialogue(
            dialogue,
            title=form.title.data or "",
            description=form.description.data,
            period_start=form.period_start.data,
            period_end=form.period_end.data,
            action_deadline=form.action_deadline.data,
            retention_months=form.retention_months.data or 0,
        )
    except DomainError as error:
        return refuse("dialogues/form.html", form, error, **context)
    flash(_("The dialogue was saved."), "success")
    return redirect(url_for(".detail", dialogue_id=dialogue.id))


@bp.route("/dialogues/<int:dialogue_id>/archive", methods=["POST"])
@requires(Role.facilitator)
def archive(dialogue_id: int) -> Response:
    ops.archive_dialogue(ops.get_dialogue(dialogue_id))
    flash(_("The dialogue was archived."), "success")
    return redirect(url_for(".detail", dialogue_id=dialogue_id))


@bp.route("/dialogues/<int:dialogue_id>/restore", methods=["POST"])
@requires(Role.facilitator)
def restore(dialogue_id: int) -> Response:
    ops.restore_dialogue(ops.get_dialogue(dialogue_id))
    flash(_("The dialogue was restored."), "success")
    return redirect(url_for(".detail", dialogue_id=dialogue_id))


# -- districts -----------------------------------------------------------------------------


@bp.route("/dialogues/<int:dialogue_id>/areas", methods=["POST"])
@requires(Role.facilitator)
def add_area(dialogue_id: int) -> View:
    dialogue = ops.get_dialogue(dialogue_id)
    form = AreaForm()
    context = {"dialogue": dialogue}
    if not form.validate_on_submit():
        return invalid("dialogues/detail.html", form, area_form=form, **context)
    try:
        area = ops.add_area(dialogue, form.name.data or "")
    except DomainError as error:
        return refuse("dialogues/detail.html", form, error, area_form=form, **context)
    flash(_("The district %(name)s was added.", name=area.name), "success")
    return redirect(url_for(".detail", dialogue_id=dialogue.id, _anchor="districts"))


@bp.route("/dialogues/<int:dialogue_id>/areas/<int:area_id>/edit", methods=["GET", "POST"])
@requires(Role.facilitator)
def edit_area(dialogue_id: int, area_id: int) -> View:
    dialogue = ops.get_dialogue(dialogue_id)
    area = ops.get_area(area_id, dialogue=dialogue)
    form = AreaForm(obj=area)
    context = {"dialogue": dialogue, "area": area}
    if not form.validate_on_submit():
        return show_form("dialogues/area_form.html", form, **context)
    try:
        ops.rename_area(area, form.name.data or "")
    except DomainError as error:
        return refuse("dialogues/area_form.html", form, error, **context)
    flash(_("The district was renamed."), "success")
    return redirect(url_for(".detail", dialogue_id=dialogue.id, _anchor="districts"))


@bp.route("/dialogues/<int:dialogue_id>/areas/<int:area_id>/archive", methods=["POST"])
@requires(Role.facilitator)
def archive_area(dialogue_id: int, area_id: int) -> Response:
    dialogue = ops.get_dialogue(dialogue_id)
    ops.set_area_archived(ops.get_area(area_id, dialogue=dialogue), True)
    flash(_("The district was archived."), "success")
    return redirect(url_for(".detail", dialogue_id=dialogue.id, _anchor="districts"))


@bp.route("/dialogues/<int:dialogue_id>/areas/<int:area_id>/restore", methods=["POST"])
@requires(Role.facilitator)
def restore_area(dialogue_id: int, area_id: int) -> Response:
    dialogue = ops.get_dialogue(dialogue_id)
    ops.set_area_archived(ops.get_area(area_id, dialogue=dialogue), False)
    flash(_("The district was restored."), "success")
    return redirect(url_for(".detail", dialogue_id=dialogue.id, _anchor="districts"))


# -- themes --------------------------------------------------------------------------------


@bp.route("/dialogues/<int:dialogue_id>/themes/new", methods=["GET", "POST"])
@requires(Role.facilitator)
def new_theme(dialogue_id: int) -> View:
    dialogue = ops.get_dialogue(dialogue_id)
    form = ThemeForm()
    context = {"dialogue": dialogue}
    if not form.validate_on_submit():
        return show_form("dialogues/theme_form.html", form, **context)
    try:
        theme = ops.create_theme(
            dialogue,
            form.title.data or "",
            description=form.description.data,
            status=form.status.data or "",
        )
    except DomainError as error:
        return refuse("dialogues/theme_form.html", form, error, **context)
    flash(_("The theme was created."), "success")
    return redirect(url_for(".theme", theme_id=theme.id))


@bp.route("/themes/<int:theme_id>")
@requires(Role.observer)
def theme(theme_id: int) -> View:
    item = ops.get_theme(theme_id)
    return render_template(
        "dialogues/theme.html",
        theme=item,
        dialogue=item.dialogue,
        status_form=ThemeStatusForm(obj=item),
    )


@bp.route("/themes/<int:theme_id>/edit", methods=["GET", "POST"])
@requires(Role.facilitator)
def edit_theme(theme_id: int) -> View:
    item = ops.get_theme(theme_id)
    form = ThemeForm(obj=item)
    context = {"dialogue": item.dialogue, "theme": item}
    if not form.validate_on_submit():
        return show_form("dialogues/theme_form.html", form, **context)
    try:
        ops.update_theme(
            item,
            title=form.title.data or "",
            description=form.description.data,
            status=form.status.data or "",
        )
    except DomainError as error:
        return refuse("dialogues/theme_form.html", form, error, **context)
    flash(_("The theme was saved."), "success")
    return redirect(url_for(".theme", theme_id=item.id))


def _back_to(item: Theme) -> Response:
    """Back to where the button was: the dialogue page or the theme page."""
    if request.form.get("back") == "dialogue":
        return redirect(url_for(".detail", dialogue_id=item.dialogue_id, _anchor="themes"))
    return redirect(url_for(".theme", theme_id=item.id))


@bp.route("/themes/<int:theme_id>/status", methods=["POST"])
@requires(Role.facilitator)
def set_theme_status(theme_id: int) -> Response:
    item = ops.get_theme(theme_id)
    ops.set_theme_status(item, request.form.get("status", ""))
    flash(_("The theme's status was changed."), "success")
    return _back_to(item)


@bp.route("/themes/<int:theme_id>/move", methods=["POST"])
@requires(Role.facilitator)
def move_theme(theme_id: int) -> Response:
    item = ops.get_theme(theme_id)
    ops.move_theme(item, _offset())
    return _back_to(item)


@bp.route("/themes/<int:theme_id>/archive", methods=["POST"])
@requires(Role.facilitator)
def archive_theme(theme_id: int) -> Response:
    item = ops.get_theme(theme_id)
    ops.set_theme_archived(item, True)
    flash(_("The theme was archived."), "success")
    return _back_to(item)


@bp.route("/themes/<int:theme_id>/restore", methods=["POST"])
@requires(Role.facilitator)
def restore_theme(theme_id: int) -> Response:
    item = ops.get_theme(theme_id)
    ops.set_theme_archived(item, False)
    flash(_("The theme was restored."), "success")
    return _back_to(item)
