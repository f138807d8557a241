"""Facilitator pages for meetings and their agendas."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from facilitate.auth.models import Role
from facilitate.auth.permissions import requires
from facilitate.dialogues import operations as dialogue_ops
from facilitate.errors import DomainError
from facilitate.web import from_local, invalid, refuse, register_labels, show_form, to_local

from . import operations as ops
from . import queries
from .agendas import TEMPLATES
from .forms import (
    MeetingForm,
    NewMeetingForm,
    PhaseForm,
    VotingForm,
    kind_choices,
    method_choices,
    results_choices,
    translations_data,
    translations_from,
)
from .links import join_url
from .models import Meeting, MeetingStatus

bp = Blueprint("meetings", __name__)
# The dialogue pages list each theme's meetings: meetings lends them these reads, so
# dialogues, below it, imports nothing of meetings.
bp.add_app_template_global(queries.of_theme, "meetings_of")
bp.add_app_template_global(queries.by_status, "meetings_by_status")
register_labels(
    (MeetingStatus.draft, _l("Upcoming")),
    (MeetingStatus.open, _l("Open")),
    (MeetingStatus.closed, _l("Closed")),
)
for _choices in (kind_choices, method_choices, results_choices):
    bp.add_app_template_global(_choices)

View = str | Response | tuple[str, int]


def _voting_spec(form: VotingForm) -> ops.VotingSpec:
    return ops.VotingSpec(
        method=form.voting_method.data or "",
        dots=form.voting_dots.data,
        cap=form.voting_cap.data,
        results=form.voting_results.data or None,
    )


def _phase_spec(form: PhaseForm) -> ops.PhaseSpec:
    return ops.PhaseSpec(
        title=form.title.data or "",
        prompt=form.prompt.data or "",
        minutes=form.minutes.data if form.minutes.data is not None else 0,
        kind=form.kind.data or "",
        prompt_translations=translations_from(form, "prompt"),
        title_translations=translations_from(form, "title"),
    )


def _detail(meeting: Meeting, anchor: str | None = None) -> Response:
    return redirect(url_for(".detail", meeting_id=meeting.id, _anchor=anchor))


@bp.route("/themes/<int:theme_id>/meetings/new", methods=["GET", "POST"])
@requires(Role.facilitator)
def new(theme_id: int) -> View:
    theme = dialogue_ops.get_theme(theme_id)
    form = NewMeetingForm()
    context = {"theme": theme, "templates": TEMPLATES}
    if not form.validate_on_submit():
        return show_form("meetings/new.html", form, **context)
    try:
        meeting = ops.create_meeting(
            theme,
            form.title.data or "",
            starts_at=from_local(form.starts_at.data),
            place=form.place.data,
            is_digital=form.is_digital.data,
            video_url=form.video_url.data,
            intro=form.intro.data,
            intro_translations=translations_from(form, "intro"),
            template=form.template.data,
            voting=_voting_spec(form),
            premoderation=form.premoderation.data,
        )
    except DomainError as error:
        return refuse("meetings/new.html", form, error, **context)
    flash(_("The meeting was created. Adjust its agenda below."), "success")
    return _detail(meeting)


@bp.route("/meetings/<int:meeting_id>")
@requires(Role.observer)
def detail(meeting_id: int) -> View:
    meeting = ops.get_meeting(meeting_id)
    return render_template(
        "meetings/detail.html",
        meeting=meeting,
        phase_form=PhaseForm(formdata=None),
        total_minutes=sum(phase.minutes for phase in meeting.phases),
        join_url=join_url(meeting),
    )


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@requires(Role.facilitator)
def edit(meeting_id: int) -> View:
    meeting = ops.get_meeting(meeting_id)
    # Not obj=meeting: the form shows wall-clock time where the model keeps UTC.
    form = MeetingForm(
        data={
            "title": meeting.title,
            "starts_at": to_local(meeting.starts_at),
            "place": meeting.place,
            "is_digital": meeting.is_digital,
            "video_url": meeting.video_url,
            "intro": meeting.intro,
            **translations_data(meeting.intro_translations, "intro"),
            "premoderation": meeting.premoderation,
        }
    )
    context = {"meeting": meeting}
    if not form.validate_on_submit():
        return show_form("meetings/edit.html", form, **context)
    try:
        ops.update_meeting(
            meeting,
            title=form.title.data or "",
            starts_at=from_local(form.starts_at.data),
            place=form.place.data,
            is_digital=form.is_digital.data,
            video_url=form.video_url.data or "",
            intro=form.intro.data or "",
            intro_translations=translations_from(form, "intro"),
            premoderation=form.premoderation.data,
        )
    except DomainError as error:
        return refuse("meetings/edit.html", form, error, **context)
    flash(_("The meeting was saved."), "success")
    return _detail(meeting)


@bp.route("/meetings/<int:meeting_id>/voting", methods=["GET", "POST"])
@requires(Role.facilitator)
def voting(meeting_id: int) -> View:
    meeting = ops.get_meeting(meeting_id)
    form = VotingForm(obj=meeting)
    context = {"meeting": meeting}
    if not form.validate_on_submit():
        return show_form("meetings/voting.html", form, **context)
    try:
        ops.set_voting(meeting, _voting_spec(form))
    except DomainError as error:
        return refuse("meetings/voting.html", form, error, **context)
    flash(_("The voting settings were saved."), "success")
    return _detail(meeting, "voting")


@bp.route("/meetings/<int:meeting_id>/archive", methods=["POST"])
@requires(Role.facilitator)
def archive(meeting_id: int) -> Response:
    meeting = ops.get_meeting(meeting_id)
    ops.set_meeting_archived(meeting, True)
    flash(_("The meeting was archived."), "success")
    return _detail(meeting)


@bp.route("/meetings/<int:meeting_id>/restore", methods=["POST"])
@requires(Role.facilitator)
def restore(meeting_id: int) -> Response:
    meeting = ops.get_meeting(meeting_id)
    ops.set_meeting_archived(meeting, False)
    flash(_("The meeting was restored."), "success")
    return _detail(meeting)


# -- agenda --------------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/phases", methods=["POST"])
@requires(Role.facilitator)
def add_phase(meeting_id: int) -> View:
    meeting = ops.get_meeting(meeting_id)
    form = PhaseForm()
    context = {
        "meeting": meeting,
        "total_minutes": sum(p.minutes for p in meeting.phases),
    }
    if not form.validate_on_submit():
        return invalid("meetings/detail.html", form, phase_form=form, **context)
    try:
        ops.add_phase(meeting, _phase_spec(form))
    except DomainError as error:
        return refuse("meetings/detail.html", form, error, phase_form=form, **context)
    flash(_("The step was added."), "success")
    return _detail(meeting, "agenda")


@bp.route("/meetings/<int:meeting_id>/phases/<int:phase_id>/edit", methods=["GET", "POST"])
@requires(Role.facilitator)
def edit_phase(meeting_id: int, phase_id: int) -> View:
    meeting = ops.get_meeting(meeting_id)
    phase = ops.get_phase(phase_id, meeting=meeting)
    form = PhaseForm(
        obj=phase,
        data={
            **translations_data(phase.title_translations, "title"),
            **translations_data(phase.prompt_translations, "prompt"),
        },
    )
    context = {"meeting": meeting, "phase": phase}
    if not form.validate_on_submit():
        return show_form("meetings/phase_form.html", form, **context)
    try:
        ops.update_phase(phase, _phase_spec(form))
    except DomainError as error:
        return refuse("meetings/phase_form.html", form, error, **context)
    flash(_("The step was saved."), "success")
    return _detail(meeting, "agenda")


@bp.route("/meetings/<int:meeting_id>/phases/<int:phase_id>/remove", methods=["POST"])
@requires(Role.facilitator)
def remove_phase(meeting_id: int, phase_id: int) -> Response:
    meeting = ops.get_meeting(meeting_id)
    ops.remove_phase(ops.get_phase(phase_id, meeting=meeting))
    flash(_("The step was removed."), "success")
    return _detail(meeting, "agenda")


@bp.route("/meetings/<int:meeting_id>/phases/<int:phase_id>/move", methods=["POST"])
@requires(Role.facilitator)
def move_phase(meeting_id: int, phase_id: int) -> Response:
    meeting = ops.get_meeting(meeting_id)
    value = request.form.get("offset", "")
    offset = int(value) if value in {"-1", "1"} else 0
    ops.move_phase(ops.get_phase(phase_id, meeting=meeting), offset)
    return _detail(meeting, "agenda")
