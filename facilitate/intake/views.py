"""Intake pages: record and import conversations, tag notes, a theme's evidence, merging."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from facilitate.auth.models import Role
from facilitate.auth.permissions import requires
from facilitate.dialogues import operations as dialogue_ops
from facilitate.dialogues.models import Dialogue
from facilitate.errors import DomainError, ValidationError
from facilitate.i18n import safe_next
from facilitate.web import refuse, show_form

from . import operations as ops
from . import pending, queries
from .forms import (
    ConversationForm,
    ImportConfirmForm,
    ImportForm,
    area_choices,
    channel_choices,
    edit_form,
    lines,
    theme_choices,
)
from .imports import COLUMNS, REQUIRED, ImportPlan, ImportRejected, plan_import, write_plan
from .models import Channel, Note

bp = Blueprint("intake", __name__)

View = str | Response | tuple[str, int]


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


def _int_form(name: str) -> int:
    value = request.form.get(name, "")
    if not value.isdigit():
        raise ValidationError(_("Choose a theme."), field=name)
    return int(value)


def _back(note: Note) -> Response:
    """Back to the page the button was on (a same-site path only), else the list."""
    target = request.form.get("back", "")
    if target:
        return redirect(safe_next(target))
    return redirect(
        url_for(".conversations", dialogue_id=note.conversation.dialogue_id) + f"#note-{note.id}"
    )


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


# -- conversations -------------------------------------------------------------------------


@bp.route("/dialogues/<int:dialogue_id>/conversations")
@requires(Role.observer)
def conversations(dialogue_id: int) -> View:
    dialogue = dialogue_ops.get_dialogue(dialogue_id)
    theme_id = _int_arg("theme")
    untagged = request.args.get("untagged") == "1"
    channel = request.args.get("channel") or None
    if channel not in {None, *(c.value for c in Channel)}:
        channel = None
    area_id = _int_arg("area")
    rows = ops.list_conversations(
        dialogue, theme_id=theme_id, untagged=untagged, channel=channel, area_id=area_id
    )
    notes = [note for conversation in rows for note in conversation.notes]
    return render_template(
        "intake/conversations.html",
        dialogue=dialogue,
        conversations=rows,
        channels=channel_choices(),
        areas=area_choices(dialogue)[1:],
        filters={"theme": theme_id, "untagged": untagged, "channel": channel, "area": area_id},
        **_cards(dialogue, notes),
    )


def _cards(dialogue: Dialogue, notes: list[Note]) -> dict[str, object]:
    """What a conversation's card needs (intake/_conversation.html), for these notes."""
    return {
        "suggestions": queries.suggestions(dialogue, notes),
        "themes": theme_choices(dialogue),
        "theme_titles": {t.id: t.title for t in dialogue.themes},
        "channel_labels": ops.CHANNEL_LABELS,
        "role_labels": ops.ROLE_LABELS,
    }


@bp.route("/dialogues/<int:dialogue_id>/conversations/new", methods=["GET", "POST"])
@requires(Role.facilitator)
def new_conversation(dialogue_id: int) -> View:
    dialogue = dialogue_ops.get_dialogue(dialogue_id)
    form = ConversationForm().for_dialogue(dialogue)
    if request.method == "GET" and _int_arg("theme") is not None:
        form.themes.data = [_int_arg("theme")]
    context = {"dialogue": dialogue}
    if not form.validate_on_submit():
        return show_form("intake/new.html", form, **context)
    spec = ops.ConversationSpec(
        **form.details(),
        notes=form.note_lines(),
        theme_ids=form.themes.data or [],
    )
    try:
        conversation = ops.record_conversation(dialogue, spec, user_id=_user_id())
    except DomainError as error:
        _form_field(error)
        return refuse("intake/new.html", form, error, **context)
    flash(
        _("The conversation was saved with %(num)d notes.", num=len(conversation.notes))
        if len(conversation.notes) != 1
        else _("The conversation was saved."),
        "success",
    )
    if request.form.get("another"):
        return redirect(url_for(".new_conversation", dialogue_id=dialogue.id))
    return redirect(url_for(".conversations", dialogue_id=dialogue.id))


@bp.route("/conversations/<int:conversation_id>")
@requires(Role.observer)
def conversation(conversation_id: int) -> View:
    record = ops.get_conversation(conversation_id)
    return render_template(
        "intake/conversation.html",
        dialogue=record.dialogue,
        conversation=record,
        **_cards(record.dialogue, list(record.notes)),
    )


@bp.route("/conversations/<int:conversation_id>/edit", methods=["GET", "POST"])
@requires(Role.facilitator)
def edit_conversation(conversation_id: int) -> View:
    record = ops.get_conversation(conversation_id)
    form = edit_form(record)
    context = {
        "dialogue": record.dialogue,
        "conversation": record,
        "notes": form.note_fields(record),
        "theme_titles": {t.id: t.title for t in record.dialogue.themes},
    }
    if not form.validate_on_submit():
        return show_form("intake/edit.html", form, **context)
    changes = ops.ConversationChanges(
        **form.details(),
        texts=form.texts(record),
        new_notes=lines(form.new_notes.data),
    )
    try:
        ops.update_conversation(record, changes)
    except DomainError as error:
        _form_field(error, notes="new_notes")
        return refuse("intake/edit.html", form, error, **context)
    flash(_("The conversation was saved."), "success")
    return redirect(url_for(".conversation", conversation_id=record.id))


def _form_field(error: DomainError, **names: str) -> None:
    """Point a refusal at the form's input: the operations' field names are the API's."""
    names = {"date": "held_on", "theme_ids": "themes", **names}
    if error.field in names:
        error.field = names[error.field]


# -- import: preview, then confirm ---------------------------------------------------------

#: How many rows the preview shows as they will be stored.
PREVIEW_ROWS = 10


def _import_page(dialogue: Dialogue, form: FlaskForm, error: DomainError) -> tuple[str, int]:
    problems = error.problems if isinstance(error, ImportRejected) else []
    return refuse(
        "intake/import.html",
        form,
        error,
        dialogue=dialogue,
        columns=COLUMNS,
        required=REQUIRED,
        problems=problems,
    )


def _preview(dialogue: Dialogue, filename: str, data: bytes, plan: ImportPlan) -> str:
    token = pending.keep(
        data, dialogue_id=dialogue.id, user_id=_user_id(), filename=filename, plan=plan.digest()
    )
    form = ImportConfirmForm()
    form.token.data = token  # not the one a re-shown preview was posted with
    return render_template(
        "intake/preview.html",
        dialogue=dialogue,
        form=form,
        filename=filename,
        plan=plan,
        rows=plan.rows(PREVIEW_ROWS),
        channel_labels=ops.CHANNEL_LABELS,
        role_labels=ops.ROLE_LABELS,
    )


@bp.route("/dialogues/<int:dialogue_id>/conversations/import", methods=["GET", "POST"])
@requires(Role.facilitator)
def import_file(dialogue_id: int) -> View:
    """Upload: the file is checked and previewed, nothing is written (confirm_import is)."""
    dialogue = dialogue_ops.get_dialogue(dialogue_id)
    form = ImportForm()
    context = {"dialogue": dialogue, "columns": COLUMNS, "required": REQUIRED, "problems": []}
    if not form.validate_on_submit():
        return show_form("intake/import.html", form, **context)
    upload = form.file.data
    filename, data = upload.filename or "", upload.read()
    try:
        plan = plan_import(dialogue, filename, data)
    except DomainError as error:
        return _import_page(dialogue, form, error)
    return _preview(dialogue, filename, data, plan)


@bp.route("/dialogues/<int:dialogue_id>/conversations/import/confirm", methods=["POST"])
@requires(Role.facilitator)
def confirm_import(dialogue_id: int) -> View:
    """Import exactly what the preview showed, or discard the file ("cancel")."""
    dialogue = dialogue_ops.get_dialogue(dialogue_id)
    form = ImportConfirmForm()  # CSRF is checked for every POST before this runs
    try:
        taken = pending.confirmed(
            form.token.data or "",
            cancel=bool(form.cancel.data),
            dialogue_id=dialogue.id,
            user_id=_user_id(),
        )
        if taken is None:
            flash(_("The import was cancelled; nothing was imported."), "success")
            return redirect(url_for(".conversations", dialogue_id=dialogue.id))
        upload, data = taken
        plan = plan_import(dialogue, upload.filename, data)
    except DomainError as error:
        return _import_page(dialogue, ImportForm(), error)
    if plan.digest() != upload.plan:
        # Themes or districts changed since the preview: show what would happen now.
        flash(_("The dialogue changed since the preview: check it again."), "warning")
        return _preview(dialogue, upload.filename, data, plan), 409
    result = write_plan(dialogue, plan, user_id=_user_id())
    flash(
        _(
            "Imported %(conversations)d conversations with %(notes)d notes.",
            conversations=len(result.conversations),
            notes=result.notes,
        ),
        "success",
    )
    return redirect(url_for(".conversations", dialogue_id=dialogue.id))


@bp.route("/conversations/<int:conversation_id>/delete", methods=["POST"])
@requires(Role.facilitator)
def delete_conversation(conversation_id: int) -> Response:
    conversation = ops.get_conversation(conversation_id)
    dialogue_id = conversation.dialogue_id
    ops.delete_conversation(conversation)
    flash(_("The conversation was deleted."), "success")
    return redirect(url_for(".conversations", dialogue_id=dialogue_id))


# -- notes ---------------------------------------------------------------------------------


@bp.route("/notes/<int:note_id>/themes", methods=["POST"])
@requires(Role.facilitator)
def set_note_themes(note_id: int) -> Response:
    note = ops.get_note(note_id)
    raw = request.form.getlist("themes")
    if not all(v.isdigit() for v in raw):
        raise ValidationError(_("Choose a theme."), field="themes")
    ops.set_note_themes(note, [int(v) for v in raw])
    return _back(note)


@bp.route("/notes/<int:note_id>/tag", methods=["POST"])
@requires(Role.facilitator)
def tag_note(note_id: int) -> Response:
    note = ops.get_note(note_id)
    theme = dialogue_ops.get_theme(_int_form("theme_id"))
    ops.tag_note(note, theme)
    return _back(note)


@bp.route("/notes/<int:note_id>/representative", methods=["POST"])
@requires(Role.facilitator)
def mark_note(note_id: int) -> Response:
    note = ops.get_note(note_id)
    theme = dialogue_ops.get_theme(_int_form("theme_id"))
    ops.set_representative(note, theme, request.form.get("representative") == "1")
    return _back(note)


@bp.route("/notes/<int:note_id>/move", methods=["POST"])
@requires(Role.facilitator)
def move_note(note_id: int) -> Response:
    note = ops.get_note(note_id)
    source = dialogue_ops.get_theme(_int_form("theme_id"))
    target = dialogue_ops.get_theme(_int_form("target"))
    ops.move_note(note, source, target)
    return _back(note)


@bp.route("/notes/<int:note_id>/untag", methods=["POST"])
@requires(Role.facilitator)
def untag_note(note_id: int) -> Response:
    note = ops.get_note(note_id)
    ops.untag_note(note, dialogue_ops.get_theme(_int_form("theme_id")))
    return _back(note)


@bp.route("/notes/<int:note_id>/delete", methods=["POST"])
@requires(Role.facilitator)
def delete_note(note_id: int) -> Response:
    note = ops.get_note(note_id)
    dialogue_id = note.conversation.dialogue_id
    ops.delete_note(note)
    flash(_("The note was deleted."), "success")
    return redirect(url_for(".conversations", dialogue_id=dialogue_id))


# -- themes --------------------------------------------------------------------------------


@bp.route("/themes/<int:theme_id>/evidence")
@requires(Role.observer)
def evidence(theme_id: int) -> View:
    theme = dialogue_ops.get_theme(theme_id)
    return render_template(
        "intake/evidence.html",
        theme=theme,
        dialogue=theme.dialogue,
        evidence=queries.evidence(theme, no_area=_("Not given")),
        others=[(tid, title) for tid, title in theme_choices(theme.dialogue) if tid != theme.id],
        channel_labels=ops.CHANNEL_LABELS,
        role_labels=ops.ROLE_LABELS,
    )


@bp.route("/themes/<int:theme_id>/merge", methods=["POST"])
@requires(Role.facilitator)
def merge(theme_id: int) -> Response:
    source = dialogue_ops.get_theme(theme_id)
    target = dialogue_ops.get_theme(_int_form("target"), dialogue=source.dialogue)
    ops.merge_themes(source, target)
    flash(
        _("%(source)s was merged into %(target)s.", source=source.title, target=target.title),
        "success",
    )
    return redirect(url_for(".evidence", theme_id=target.id))
