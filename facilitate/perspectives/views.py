"""The staff page that imports a Pol.is conversation into a meeting and exports one, and
the upload both it and the API read."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response
from wtforms import SelectField

from facilitate.auth.models import Role
from facilitate.auth.permissions import requires
from facilitate.errors import DomainError, ValidationError
from facilitate.extensions import csrf
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings.models import Meeting
from facilitate.web import refuse, show_form

from . import operations as ops
from . import polis, queries

bp = Blueprint("perspectives", __name__)

View = str | Response | tuple[str, int]


def allow_upload() -> None:
    """Let this request carry both files: each may be ``POLIS_MAX_BYTES``, more than the
    app's usual limit, which stays for every other request. Call before the body is read."""
    each: int = current_app.config["POLIS_MAX_BYTES"]
    request.max_content_length = 2 * each + 64 * 1024


def _file(name: str) -> FileStorage | None:
    """The upload in the field ``name`` or ``name.csv``, or else any whose file is called
    ``name.csv`` (scripts name their fields in different ways)."""
    found = request.files.get(name) or request.files.get(f"{name}.csv")
    if found is not None:
        return found
    for _field, upload in request.files.items(multi=True):
        if (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1].lower() == f"{name}.csv":
            return upload
    return None


def read_upload() -> polis.Conversation:
    """The conversation in the request's ``comments`` and ``votes`` files, checked."""
    files = {name: _file(name) for name in ("comments", "votes")}
    for name, upload in files.items():
        if upload is None or not upload.filename:
            raise ValidationError(
                _l("Send %(file)s in the field named %(field)s.", file=f"{name}.csv", field=name),
                field=name,
            )
    comments, votes = (upload.read() if upload else b"" for upload in files.values())
    return polis.read(comments, votes, max_bytes=current_app.config["POLIS_MAX_BYTES"])


def step_of(meeting: Meeting, value: str | None) -> int | None:
    """The ``step`` field: a perspectives step's position in the agenda, or none given."""
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise ValidationError(_l("That step is not a perspectives step."), field="step")
    return ops.import_step(meeting, int(value))


def log_import(meeting: Meeting, made: ops.Imported) -> None:
    current_app.logger.info(
        "Pol.is conversation imported into meeting %d: %d statements, %d votes, %d voters",
        meeting.id,
        made.statements,
        made.votes,
        len(made.participants),
    )


class PolisImportForm(FlaskForm):
    comments = FileField("comments.csv", validators=[FileRequired(_l("Choose a file."))])
    votes = FileField("votes.csv", validators=[FileRequired(_l("Choose a file."))])
    # Shown only when the meeting has more than one; ``step_of`` checks what comes.
    step = SelectField(_l("Perspectives step"), choices=[], validate_choice=False)


def _form(meeting: Meeting) -> PolisImportForm:
    form = PolisImportForm()
    form.step.choices = [
        (str(p.position), p.title)
        for p in meeting.phases
        if p.position in queries.perspectives_steps(meeting)
    ]
    return form


def _context(meeting: Meeting, problems: list[polis.Problem] | None = None) -> dict[str, object]:
    return {
        "meeting": meeting,
        "steps": queries.perspectives_steps(meeting),
        "imported": len(queries.imported(meeting)),
        "problems": problems or [],
    }


@bp.get("/meetings/<int:meeting_id>/polis")
@requires(Role.observer)
def polis_page(meeting_id: int) -> View:
    """Bring a Pol.is conversation into the meeting, or take its statements out."""
    meeting = meeting_ops.get_meeting(meeting_id)
    return render_template("perspectives/polis.html", form=_form(meeting), **_context(meeting))


@bp.post("/meetings/<int:meeting_id>/polis")
@csrf.exempt  # checked by the form below, once the larger body may be read
@requires(Role.facilitator)
def polis_import(meeting_id: int) -> View:
    allow_upload()
    meeting = meeting_ops.get_meeting(meeting_id)
    form = _form(meeting)
    if not form.validate_on_submit():
        return show_form("perspectives/polis.html", form, **_context(meeting))
    try:
        step = step_of(meeting, form.step.data)
        made = ops.import_polis(meeting, read_upload(), step=step)
    except polis.PolisRejected as error:
        return refuse(
            "perspectives/polis.html", form, error, **_context(meeting, error.file_problems)
        )
    except DomainError as error:
        return refuse("perspectives/polis.html", form, error, **_context(meeting))
    log_import(meeting, made)
    flash(
        _(
            "Imported %(statements)d statements, %(votes)d answers and %(voters)d participants.",
            statements=made.statements,
            votes=made.votes,
            voters=len(made.participants),
        ),
        "success",
    )
    return redirect(url_for(".polis_page", meeting_id=meeting.id))


@bp.get("/meetings/<int:meeting_id>/polis-export.zip")
@requires(Role.observer)
def polis_export(meeting_id: int) -> Response:
    return export_response(meeting_ops.get_meeting(meeting_id))


def export_response(meeting: Meeting) -> Response:
    response = Response(ops.export_polis(meeting), mimetype="application/zip")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="polis-meeting-{meeting.id}.zip"'
    )
    return response
