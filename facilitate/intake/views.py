"""Intake pages: record and import conversations, tag notes, a theme's evidence, merging."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from facilitate.auth.models import Role
from facilitate.auth.permissions import requires
from facilitate.dialogues import operations as dialogue_ops
from facilitate.errors import DomainError, ValidationError
from facilitate.i18n import safe_next
from facilitate.web import refuse, show_form

from . import operations as ops
from . import queries
from .forms import ConversationForm, ImportForm, area_choices, channel_choices, theme_choices
from .imports import COLUMNS, REQUIRED, ImportRejected, import_conversations
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
        suggestions=queries.suggestions(dialogue, notes),
        themes=theme_choices(dialogue),
        theme_titles={t.id: t.title for t in dialogue.themes},
        channels=channel_choices(),
        areas=area_choices(dialogue)[1:],
        filters={"theme": theme_id, "untagged": untagged, "channel": channel, "area": area_id},
        channel_labels=ops.CHANNEL_LABELS,
        role_labels=ops.ROLE_LABELS,
    )


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
        held_on=form.held_on.data,
        channel=form.channel.data,
        area_id=int(form.area.data) if form.area.data else None,
        age_band=form.age_band.data,
        role=form.role.data,
        notes=form.note_lines(),
        theme_ids=form.themes.data or [],
    )
    try:
        conversation = ops.record_conversation(dialogue, spec, user_id=_user_id())
    except DomainError as error:
        if error.field == "date":
            error.field = "held_on"
        elif error.field == "theme_ids":
            error.field = "themes"
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


@bp.route("/dialogues/<int:dialogue_id>/conversations/import", methods=["GET", "POST"])
@requires(Role.facilitator)
def import_file(dialogue_id: int) -> View:
    dialogue = dialogue_ops.get_dialogue(dialogue_id)
    form = ImportForm()
    context = {"dialogue": dialogue, "columns": COLUMNS, "required": REQUIRED, "problems": []}
    if not form.validate_on_submit():
        return show_form("intake/import.html", form, **context)
    upload = form.file.data
    try:
        result = import_conversations(
            dialogue, upload.filename or "", upload.read(), user_id=_user_id()
        )
    except ImportRejected as error:
        return refuse("intake/import.html", form, error, **{**context, "problems": error.problems})
    except DomainError as error:
        return refuse("intake/import.html", form, error, **context)
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
