"""The live pages: joining, the resident's phone, the console, the projector and the notes form.

The pages are shells around one Socket.IO connection (``static/js/live.js``); the
phone's first screen is rendered here, before any script runs, from the same
snapshot the socket sends as ``state``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from facilitate.auth.models import Role
from facilitate.auth.permissions import public, requires
from facilitate.db import session
from facilitate.errors import DomainError, NotFound
from facilitate.extensions import csrf
from facilitate.i18n import current_language, language_direction, language_name
from facilitate.languages import LANGUAGES, ORIGINAL
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings.links import join_url, start_url
from facilitate.meetings.models import Meeting
from facilitate.meetings.operations import normalise_join_code
from facilitate.web import refuse, show_form

from . import operations as live_ops
from . import participants
from .forms import JoinForm, age_band_choices
from .handout import handout_pdf, qr_svg
from .join_limits import count_failure
from .models import Participant
from .snapshot import snapshot
from .views_json import Viewer, ViewerRole

bp = Blueprint("live", __name__)

View = str | Response | tuple[str, int]
#: A phone stays the same participant for a day: reloads, dropped networks, a second visit.
COOKIE_MAX_AGE = int(dt.timedelta(days=1).total_seconds())
#: The handout speaks every language, Swedish first, whatever the printer's language is.
HANDOUT_LANGUAGES = LANGUAGES


def _private(response: Response) -> Response:
    """Personal pages: never cached by a shared proxy or kept by the browser's back button."""
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _page(template: str, status: int = 200, **context: Any) -> Response:
    return _private(make_response(render_template(template, **context), status))


# -- joining -------------------------------------------------------------------------------


@bp.route("/join")
@public
def start() -> View:
    """The start page: type the code from the projector or the handout."""
    raw = request.args.get("code")
    if raw is None:
        return render_template("live/start.html", code="")
    cleaned = raw.strip()
    if not cleaned:
        message = _("Enter the code shown in the room.")
        return render_template("live/start.html", code="", error=message), 422
    return redirect(url_for(".join", code=normalise_join_code(cleaned) or cleaned))


def _area_choices(meeting: Meeting) -> list[tuple[str, str]]:
    areas = sorted(
        (a.name for a in meeting.theme.dialogue.areas if not a.is_archived), key=str.casefold
    )
    return [("", _("Rather not say"))] + [(name, name) for name in areas]


@bp.route("/j/<code>", methods=["GET", "POST"])
@public
@csrf.exempt  # see JoinForm: a forged join only joins, an expired token turns people away
def join(code: str) -> View:
    try:
        meeting = participants.meeting_for_code(code)
    except NotFound:
        count_failure()  # a 429 once this address has missed too often
        message = _("No open meeting has this code. Check it and try again.")
        return render_template("live/start.html", code=code, error=message), 404
    cookie = request.cookies.get(participants.cookie_name(meeting.id))
    if participants.participant_for_token(cookie, meeting_id=meeting.id) is not None:
        return redirect(url_for(".phone", meeting_id=meeting.id))
    form = JoinForm()
    form.area.choices = _area_choices(meeting)
    form.age_band.choices = age_band_choices()
    context = {"meeting": meeting}
    if not form.validate_on_submit():
        return show_form("live/join.html", form, **context)
    try:
        participant, token = participants.join(
            meeting,
            display_name=form.display_name.data,
            area=form.area.data or None,
            age_band=form.age_band.data or None,
        )
    except DomainError as error:
        page, _status = refuse("live/join.html", form, error, **context)
        return page, error.status  # a full meeting is 409, not a form mistake
    response = redirect(url_for(".phone", meeting_id=participant.meeting_id))
    response.set_cookie(
        participants.cookie_name(meeting.id),
        token,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    return response


@bp.route("/privacy")
@public
def privacy() -> str:
    """What is stored about a resident, why and for how long; linked from every resident page."""
    return render_template("live/privacy.html")


# -- the rooms -----------------------------------------------------------------------------


def _joined(meeting_id: int) -> int:
    count = session().scalar(
        sa.select(sa.func.count(Participant.id)).where(
            Participant.meeting_id == meeting_id, Participant.imported.is_(False)
        )
    )
    return count or 0


def _room_config(meeting: Meeting, role: ViewerRole, **extra: Any) -> dict[str, Any]:
    """What the page's script needs: which meeting, which view, where the socket is, and
    which language the viewer reads (to pick a prompt's or intro's translation)."""
    return {
        "meeting_id": meeting.id,
        "view": role.value,
        "language": current_language(),
        "original_language": ORIGINAL,
        "languages": {code: language_name(code) for code in LANGUAGES},
        # How each reads, for content shown in a language other than the page's.
        "directions": {code: language_direction(code) for code in LANGUAGES},
        **extra,
    }


@bp.route("/m/<int:meeting_id>")
@public
def phone(meeting_id: int) -> View:
    """A resident's phone: the current phase, the wall, the write form, the hand."""
    participant = participants.participant_for_token(
        request.cookies.get(participants.cookie_name(meeting_id)), meeting_id=meeting_id
    )
    if participant is None:
        flash(_("Join the meeting with its code first."), "info")
        return redirect(url_for(".start"))
    meeting = participant.meeting
    viewer = Viewer(
        meeting_id=meeting.id, role=ViewerRole.participant, participant_id=participant.id
    )
    state = snapshot(meeting, viewer, participant, {"online": 0, "joined": _joined(meeting.id)})
    return _page(
        "live/phone.html",
        meeting=meeting,
        participant=participant,
        state=state,
        config=_room_config(meeting, ViewerRole.participant),
    )


@bp.route("/meetings/<int:meeting_id>/preview")
@requires(Role.observer)
def preview(meeting_id: int) -> View:
    """The phone view as residents see it, for staff: no participant is made, the socket
    connects with ``view: "preview"`` (not counted, every write refused)."""
    meeting = meeting_ops.get_meeting(meeting_id)
    viewer = Viewer(meeting_id=meeting.id, role=ViewerRole.preview, user_id=current_user.id)
    state = snapshot(meeting, viewer, None, {"online": 0, "joined": _joined(meeting.id)})
    return _page(
        "live/phone.html",
        meeting=meeting,
        state=state,
        preview=True,
        config=_room_config(meeting, ViewerRole.preview),
    )


def _staff_page(template: str, meeting_id: int, role: ViewerRole) -> Response:
    meeting = meeting_ops.get_meeting(meeting_id)
    return _page(
        template,
        meeting=meeting,
        join_url=join_url(meeting),
        config=_room_config(meeting, role, join_url=join_url(meeting)),
    )


@bp.route("/meetings/<int:meeting_id>/console")
@requires(Role.facilitator)
def console(meeting_id: int) -> View:
    return _staff_page("live/console.html", meeting_id, ViewerRole.facilitator)


@bp.route("/meetings/<int:meeting_id>/screen")
@requires(Role.observer)
def screen(meeting_id: int) -> View:
    return _staff_page("live/screen.html", meeting_id, ViewerRole.screen)


@bp.route("/meetings/<int:meeting_id>/notes")
@requires(Role.observer)
def notes(meeting_id: int) -> View:
    role = (
        ViewerRole.facilitator if current_user.has_role(Role.facilitator) else ViewerRole.observer
    )
    return _staff_page("live/notes.html", meeting_id, role)


@bp.route("/meetings/<int:meeting_id>/people")
@requires(Role.facilitator)
def people(meeting_id: int) -> View:
    """Who joined and what they wrote, so a resident's request to erase it can be met."""
    meeting = meeting_ops.get_meeting(meeting_id)
    return _page("live/people.html", meeting=meeting, people=live_ops.people_and_words(meeting))


@bp.route("/meetings/<int:meeting_id>/people/<int:participant_id>/erase", methods=["POST"])
@requires(Role.facilitator)
def erase_person(meeting_id: int, participant_id: int) -> Response:
    meeting = meeting_ops.get_meeting(meeting_id)
    erased = live_ops.erase_participant(meeting, participant_id)
    flash(
        ngettext("%(num)d contribution was erased.", "%(num)d contributions were erased.", erased),
        "success",
    )
    return redirect(url_for(".people", meeting_id=meeting.id))


# -- printables ----------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/qr.svg")
@requires(Role.observer)
def qr(meeting_id: int) -> Response:
    meeting = meeting_ops.get_meeting(meeting_id)
    return _private(Response(qr_svg(join_url(meeting)), mimetype="image/svg+xml"))


@bp.route("/meetings/<int:meeting_id>/handout.pdf")
@requires(Role.observer)
def handout(meeting_id: int) -> Response:
    meeting = meeting_ops.get_meeting(meeting_id)
    texts = []
    for language in HANDOUT_LANGUAGES:
        with force_locale(language):
            texts.append(
                {
                    "heading": _("Take part in the dialogue"),
                    "scan": _("Scan the code with your phone's camera"),
                    "or_visit": _("or go to"),
                    "and_enter": _("and enter the code"),
                }
            )
    pdf = handout_pdf(
        title=meeting.title,
        code=meeting.join_code,
        url=join_url(meeting),
        start_url=start_url(),
        texts=texts,
    )
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="handout-{meeting.join_code}.pdf"'
    return _private(response)
