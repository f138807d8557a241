"""The team's action list: filter, sort, edit, download; every item traced to its origin."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from facilitate.auth.models import Role
from facilitate.auth.permissions import requires
from facilitate.dialogues import operations as dialogue_ops
from facilitate.dialogues.models import Dialogue
from facilitate.errors import DomainError, ValidationError
from facilitate.web import refuse, show_form

from . import operations as ops
from .downloads import FORMATS, download
from .forms import ActionItemForm, status_choices
from .progress import progress_chart

bp = Blueprint("actions", __name__)

View = str | Response | tuple[str, int]


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def filters_from_request() -> ops.Filters:
    sort = request.args.get("sort") or "due_date"
    if sort not in ops.SORTS:
        raise ValidationError(_("Sort by one of: %(values)s.", values=", ".join(ops.SORTS)))
    return ops.Filters(
        theme_id=_int_arg("theme"),
        status=request.args.get("status") or None,
        owner=(request.args.get("owner") or "").strip() or None,
        area_id=_int_arg("area"),
        sort=sort,
    )


def _list_context(dialogue: Dialogue, filters: ops.Filters) -> dict[str, object]:
    items = ops.list_items(dialogue, filters)
    themes = sorted((t for t in dialogue.themes if not t.is_archived), key=lambda t: t.position)
    return {
        "dialogue": dialogue,
        "items": items,
        "progress": progress_chart(themes, items),
        "filters": filters,
        "statuses": status_choices(),
        "status_labels": {k.value: str(v) for k, v in ops.STATUS_LABELS.items()},
        "themes": themes,
        "areas": sorted((a for a in dialogue.areas if not a.is_archived), key=lambda a: a.name),
        "sources": ops.sources,
        "formats": FORMATS,
        "query": request.query_string.decode(),
    }


@bp.route("/dialogues/<int:dialogue_id>/actions")
@requires(Role.observer)
def action_list(dialogue_id: int) -> View:
    dialogue = dialogue_ops.get_dialogue(dialogue_id)
    return render_template("actions/list.html", **_list_context(dialogue, filters_from_request()))


@bp.route("/dialogues/<int:dialogue_id>/actions.<fmt>")
@requires(Role.observer)
def action_download(dialogue_id: int, fmt: str) -> Response:
    dialogue = dialogue_ops.get_dialogue(dialogue_id)
    return download(dialogue, filters_from_request(), fmt)


@bp.route("/actions/<int:item_id>/edit", methods=["GET", "POST"])
@requires(Role.facilitator)
def edit(item_id: int) -> View:
    item = ops.get_item(item_id)
    form = ActionItemForm(obj=item)
    if request.method == "GET":
        form.status.data = item.status.value
    context = {"item": item, "sources": ops.sources(item)}
    if not form.validate_on_submit():
        return show_form("actions/edit.html", form, **context)
    changes = ops.ItemChanges(
        title=form.title.data or "",
        description=form.description.data or "",
        owner=form.owner.data or "",
        contact=form.contact.data or "",
        due_date=form.due_date.data,
        clear_due_date=form.due_date.data is None,
        status=form.status.data,
        next_step=form.next_step.data or "",
        public_note=form.public_note.data or "",
    )
    try:
        ops.update_item(item, changes, user_id=_current_user_id())
    except DomainError as error:
        return refuse("actions/edit.html", form, error, **context)
    flash(_("The action item was saved."), "success")
    return redirect(url_for(".action_list", dialogue_id=item.dialogue_id))


def _current_user_id() -> int | None:
    from flask_login import current_user

    return current_user.id if current_user.is_authenticated else None
