"""The meeting report (HTML and PDF) and the public "you said – we did" page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template
from flask_babel import gettext as _

from facilitate.actions.operations import STATUS_LABELS
from facilitate.auth.models import Role
from facilitate.auth.permissions import public, requires
from facilitate.db import session
from facilitate.dialogues.models import Dialogue
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings.forms import method_choices
from facilitate.meetings.models import Meeting

from . import pdf, queries

bp = Blueprint("reporting", __name__)


def proposal_status_labels() -> dict[str, str]:
    return {
        "open": _("Proposed"),
        "voting": _("In the vote"),
        "agreed": _("Agreed"),
        "not_agreed": _("Not agreed"),
        "parked": _("Parked"),
    }


def report_context(meeting: Meeting) -> dict[str, Any]:
    return {
        "meeting": meeting,
        "participation": queries.participation(
            meeting, no_area=_("No district given"), no_age=_("No age given")
        ),
        "phases": queries.contributions_by_phase(meeting),
        "proposals": queries.proposals_with_tally(meeting),
        "statuses": proposal_status_labels(),
        "method": dict(method_choices()).get(meeting.voting_method.value, ""),
        "fewer": _("fewer than %(num)d", num=queries.SMALL_GROUP),
    }


@bp.route("/meetings/<int:meeting_id>/report")
@requires(Role.observer)
def report(meeting_id: int) -> str:
    meeting = meeting_ops.get_meeting(meeting_id)
    return render_template("reporting/report.html", **report_context(meeting))


@bp.route("/meetings/<int:meeting_id>/report.pdf")
@requires(Role.observer)
def report_pdf(meeting_id: int) -> Response:
    meeting = meeting_ops.get_meeting(meeting_id)
    body = pdf.meeting_report(report_context(meeting))
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="report-{meeting.id}.pdf"'
    return response


@bp.route("/d/<int:dialogue_id>/feedback")
@public
def feedback(dialogue_id: int) -> str:
    """No login and no personal data: themes, initiatives, who acts, how it goes."""
    dialogue = session().get(Dialogue, dialogue_id)
    if dialogue is None or dialogue.is_archived:
        abort(404)
    return render_template(
        "reporting/feedback.html",
        dialogue=dialogue,
        themes=queries.feedback(dialogue),
        statuses={k.value: str(v) for k, v in STATUS_LABELS.items()},
    )
