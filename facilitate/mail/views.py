"""Residents follow a dialogue by e-mail; staff see the outbox.

The sign-up form lives on the feedback page, at the end of a meeting on the phone, and
on its own page (``/d/<id>/follow``); any page can show it with
``{% include "mail/_follow.html" %}`` and a ``dialogue`` in its context.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from limits import parse
from limits.errors import StorageError

from facilitate.auth.models import Role
from facilitate.auth.permissions import public, requires
from facilitate.db import session
from facilitate.dialogues.models import Dialogue
from facilitate.errors import DomainError, NotFound
from facilitate.extensions import csrf, limiter
from facilitate.i18n import current_language
from facilitate.web import refuse, show_form

from . import operations as ops
from .forms import FollowForm

bp = Blueprint("mail", __name__)


class TooManySignUps(DomainError):
    status = 429
    code = "rate_limited"


def count_sign_up() -> None:
    """Count one sign-up from this client address, as joins count their misses."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    item = parse(current_app.config["MAIL_SIGNUP_LIMIT"])
    try:
        allowed = limiter.limiter.hit(item, "mail-signup", get_remote_address())
    except StorageError as error:
        current_app.logger.warning("mail sign-ups not counted: %s", error.storage_error)
        return
    if not allowed:
        raise TooManySignUps(_l("Too many attempts. Wait a minute and try again."))


def _dialogue(dialogue_id: int) -> Dialogue:
    dialogue = session().get(Dialogue, dialogue_id)
    if dialogue is None or dialogue.is_archived:
        raise NotFound(_l("No such dialogue."))
    return dialogue


@bp.app_template_global()
def follow_form(dialogue: Dialogue) -> dict[str, Any]:
    """The sign-up form of ``dialogue``, for any page: the form and its meetings."""
    form = FollowForm(formdata=None)
    _fill(form, dialogue)
    return {"form": form, "dialogue": dialogue}


def _fill(form: FollowForm, dialogue: Dialogue) -> None:
    form.meetings.choices = [
        (m.id, f"{m.title} · {_when(m.starts_at)}") for m in ops.upcoming_meetings(dialogue)
    ]


def _when(moment: Any) -> str:
    return str(format_datetime(moment, "medium"))


@bp.route("/d/<int:dialogue_id>/follow", methods=["GET", "POST"])
@public
@csrf.exempt
def follow(dialogue_id: int) -> Any:
    """Sign up for mail about a dialogue; only a confirmation mail goes out now."""
    dialogue = _dialogue(dialogue_id)
    form = FollowForm()
    _fill(form, dialogue)
    context = {"dialogue": dialogue}
    if not form.validate_on_submit():
        return show_form("mail/follow.html", form, **context)
    try:
        count_sign_up()
        ops.sign_up(
            dialogue,
            form.email.data,
            language=current_language(),
            news=bool(form.news.data),
            meeting_ids=form.meetings.data or [],
        )
    except DomainError as error:
        page, status = refuse("mail/follow.html", form, error, **context)
        return page, error.status if error.status == 429 else status
    return render_template("mail/asked.html", dialogue=dialogue)


@bp.route("/mail/confirm/<token>", methods=["GET", "POST"])
@public
@csrf.exempt
def confirm(token: str) -> Any:
    """A page with one button, not a GET that confirms: link checkers in mail programs
    open every link, and must not confirm for the resident."""
    if request.method == "POST":
        subscription = ops.confirm(token)
        return render_template("mail/confirmed.html", subscription=subscription)
    subscription, news, meetings = ops.confirmation(token)
    return render_template(
        "mail/confirm.html",
        subscription=subscription,
        news=news,
        meetings=ops.meetings(meetings),
    )


@bp.route("/mail/unsubscribe/<token>", methods=["GET", "POST"])
@public
@csrf.exempt
def unsubscribe(token: str) -> Any:
    """GET: a page whose script (``static/js/unsubscribe.js``) presses its one button, so
    a person's click on the link is all it takes, while a link checker in a mail program,
    which fetches the page without running scripts, ends nothing; without JavaScript the
    person presses the button. POST: delete, also as a mail program's one-click POST
    (RFC 8058, ``List-Unsubscribe=One-Click``), which carries no cookie and no form token."""
    if request.method == "POST":
        farewells = ops.unsubscribe(token)
        if farewells is None:
            raise NotFound(_l("This link no longer works."))
        return render_template("mail/unsubscribed.html", again=_again(farewells))
    subscriptions = ops.named(token)
    if subscriptions is None:
        raise NotFound(_l("This link no longer works."))
    if not subscriptions:
        return render_template("mail/unsubscribed.html", again=[])
    return render_template("mail/unsubscribe.html", subscriptions=subscriptions)


def _again(farewells: list[ops.Farewell]) -> list[dict[str, Any]]:
    """The sign-up forms that follow each ended dialogue again, as it was followed: they
    ask for a new confirmation, as any sign-up does (the address is already deleted)."""
    forms = []
    for farewell in farewells:
        if farewell.dialogue.is_archived:
            continue
        ahead = {m.id for m in ops.upcoming_meetings(farewell.dialogue)}
        meetings = [m for m in farewell.meetings if m in ahead]
        if farewell.news or meetings:
            forms.append(
                {
                    "dialogue": farewell.dialogue,
                    "address": farewell.address,
                    "news": farewell.news,
                    "meetings": meetings,
                }
            )
    return forms


@bp.route("/mail/outbox")
@requires(Role.admin)
def outbox() -> str:
    """Every mail with its recipient, status, last error and text (``SMTP_URL`` or not)."""
    return render_template(
        "mail/outbox.html",
        mails=ops.outbox(),
        counts=ops.outbox_counts(),
        sending=bool(current_app.config.get("SMTP_URL")),
    )
