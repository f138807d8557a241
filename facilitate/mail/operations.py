"""Sign up, confirm, unsubscribe, and put mail in the outbox. Flush, never commit.

What is sent and when is decided here, in the database, in the same transaction as the
rest of the request: the worker (``worker.py``) only carries what the outbox holds.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, format_datetime, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from facilitate.actions.models import ActionItem, ActionStatusChange
from facilitate.actions.operations import STATUS_LABELS
from facilitate.db import session, utcnow
from facilitate.dialogues.models import Dialogue
from facilitate.errors import NotFound, ValidationError
from facilitate.meetings import queries as meeting_queries
from facilitate.meetings.models import Meeting, MeetingStatus

from . import compose
from .models import ADDRESS_MAX, MailStatus, OutboxMail, Reminder, Subscription

#: Repeated sign-ups of one address get at most one confirmation mail in this time.
CONFIRM_EVERY = dt.timedelta(hours=1)
#: A sign-up nobody confirmed is deleted after this.
PENDING_FOR = dt.timedelta(days=7)
#: A reminder goes out this long before the meeting starts.
REMIND_BEFORE = dt.timedelta(hours=24)
#: News of action items: one digest a day at most.
DIGEST_EVERY = dt.timedelta(days=1)

_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def check_address(value: str | None) -> str:
    """A deliverable-looking address, lower-cased; an international domain is kept as typed."""
    address = (value or "").strip()
    local, at, domain = address.rpartition("@")
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_domain = ""
    labels = ascii_domain.split(".")
    if (
        not at
        or len(address) > ADDRESS_MAX
        or len(local) > 64
        or not _LOCAL.match(local)
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise ValidationError(_l("Write an e-mail address such as name@example.se."), field="email")
    return f"{local}@{domain}".lower()


def upcoming_meetings(dialogue: Dialogue, now: dt.datetime | None = None) -> list[Meeting]:
    """The meetings one may ask to be reminded of: public (``meetings.queries.scheduled``),
    still ahead, not closed."""
    moment = now or utcnow()
    return [
        meeting
        for meeting in meeting_queries.scheduled(dialogue)
        if meeting.starts_at is not None
        and meeting.starts_at > moment
        and meeting.status is not MeetingStatus.closed
    ]


def meetings(ids: Sequence[int]) -> list[Meeting]:
    return list(
        session().scalars(sa.select(Meeting).where(Meeting.id.in_(ids)).order_by(Meeting.id))
    )


def count(dialogue: Dialogue) -> int:
    """How many confirmed addresses follow ``dialogue``: all anyone sees of them."""
    return (
        session().scalar(
            sa.select(sa.func.count(Subscription.id)).where(
                Subscription.dialogue_id == dialogue.id, Subscription.confirmed_at.is_not(None)
            )
        )
        or 0
    )


def sign_up(
    dialogue: Dialogue,
    address: str | None,
    *,
    language: str,
    news: bool,
    meeting_ids: Sequence[int],
    now: dt.datetime | None = None,
) -> bool:
    """Ask ``address`` to confirm that it follows ``dialogue``; whether a mail was queued.

    Nothing changes for the address until the link is followed: the choices travel in
    the link. The answer to the resident is the same either way, so the form does not
    tell who follows what.
    """
    moment = now or utcnow()
    if dialogue.is_archived:
        raise NotFound(_l("No such dialogue."))
    address = check_address(address)
    wanted = {m.id for m in upcoming_meetings(dialogue, moment)}
    meetings = sorted(set(meeting_ids))
    if any(m not in wanted for m in meetings):
        raise ValidationError(_l("Choose among the meetings shown."), field="meetings")
    if not news and not meetings:
        raise ValidationError(
            _l("Choose news about the initiatives, a meeting, or both."), field="news"
        )
    if language not in current_app.config["LANGUAGES"]:
        language = current_app.config["LANGUAGES"][0]
    recent = session().scalar(
        sa.select(sa.func.max(Subscription.asked_at)).where(Subscription.address == address)
    )
    subscription = session().scalar(
        sa.select(Subscription).where(
            Subscription.dialogue_id == dialogue.id, Subscription.address == address
        )
    )
    if subscription is None:
        subscription = Subscription(
            dialogue_id=dialogue.id,
            address=address,
            language=language,
            nonce=secrets.token_hex(16),
            created_at=moment,
        )
        session().add(subscription)
        session().flush()
    if recent is not None and moment - recent < CONFIRM_EVERY:
        return False
    subscription.asked_at = moment
    if subscription.confirmed_at is None:
        subscription.language = language
    with force_locale(subscription.language):
        link = compose.public_url(
            "mail.confirm", token=compose.confirm_token(subscription, news, meetings)
        )
        lines = [
            _("Hello,"),
            "",
            _(
                "Someone, probably you, asked to follow the dialogue “%(title)s” by e-mail.",
                title=dialogue.title,
            ),
            _("Nothing will be sent unless you confirm with this link:"),
            "",
            link,
            "",
            *_choice_lines(news, meetings),
            "",
            _("If it was not you, do nothing: the address is deleted within 7 days."),
        ]
        enqueue(
            subscription,
            key=None,
            subject=_("Confirm that you want mail about “%(title)s”", title=dialogue.title),
            lines=lines,
            now=moment,
        )
    return True


def _choice_lines(news: bool, meetings: Sequence[int]) -> list[str]:
    lines = [_("You chose:")]
    if news:
        lines.append("- " + _("news when initiatives change, at most one mail a day"))
    for meeting_id in meetings:
        meeting = session().get(Meeting, meeting_id)
        if meeting is not None:
            lines.append("- " + _("a reminder the day before “%(title)s”", title=meeting.title))
    return lines


def _subscription(sid: int, nonce: str) -> Subscription | None:
    subscription = session().get(Subscription, sid)
    if subscription is None or not secrets.compare_digest(subscription.nonce, nonce):
        return None
    return subscription


def confirmation(token: str) -> tuple[Subscription, bool, list[int]]:
    """The subscription and choices a confirmation link names; NotFound when it is dead."""
    data = compose.read_confirm_token(token)
    subscription = _subscription(data[0], data[1]) if data is not None else None
    if data is None or subscription is None:
        raise NotFound(_l("This link no longer works. Sign up again if you want mail."))
    return subscription, data[2], data[3]


def confirm(token: str, now: dt.datetime | None = None) -> Subscription:
    """Follow a confirmation link: from now on the address gets what it chose."""
    moment = now or utcnow()
    subscription, news, meetings = confirmation(token)
    if subscription.confirmed_at is None:
        subscription.confirmed_at = moment
    if news and not subscription.news:
        subscription.news_since = moment
    subscription.news = news
    existing = {r.meeting_id for r in subscription.reminders}
    for meeting_id in meetings:
        if meeting_id not in existing and session().get(Meeting, meeting_id) is not None:
            subscription.reminders.append(Reminder(meeting_id=meeting_id))
    session().flush()
    return subscription


@dataclass(frozen=True)
class Farewell:
    """What one ended subscription had chosen: enough to offer signing up again (with a
    new confirmation) on the page that says it ended, and nothing is kept of it."""

    dialogue: Dialogue
    address: str
    news: bool
    meetings: list[int]


def named(token: str) -> list[Subscription] | None:
    """The subscriptions an unsubscribe link names that still exist; None when the link
    is not ours."""
    pairs = compose.read_unsubscribe_token(token)
    if pairs is None:
        return None
    found = (_subscription(sid, nonce) for sid, nonce in pairs)
    return [s for s in found if s is not None]


def unsubscribe(token: str) -> list[Farewell] | None:
    """Delete the addresses a link names, with their choices and their mail; None when
    the link is not ours.

    A link whose rows are already gone is a success (an empty list): it did what it says.
    """
    subscriptions = named(token)
    if subscriptions is None:
        return None
    farewells = [
        Farewell(
            dialogue=s.dialogue,
            address=s.address,
            news=s.news,
            meetings=[r.meeting_id for r in s.reminders],
        )
        for s in subscriptions
    ]
    erase(sa.select(Subscription.id).where(Subscription.id.in_([s.id for s in subscriptions])))
    return farewells


def erase(ids: sa.Select[int]) -> int:
    """Delete the subscriptions ``ids`` selects, with their reminders and their outbox
    rows; how many."""
    chosen = list(session().scalars(ids))
    if not chosen:
        return 0
    session().execute(sa.delete(OutboxMail).where(OutboxMail.subscription_id.in_(chosen)))
    session().execute(sa.delete(Reminder).where(Reminder.subscription_id.in_(chosen)))
    session().execute(sa.delete(Subscription).where(Subscription.id.in_(chosen)))
    session().expire_all()
    session().flush()
    return len(chosen)


def enqueue(
    subscription: Subscription,
    *,
    key: str | None,
    subject: str,
    lines: Sequence[str],
    now: dt.datetime,
    covers: Sequence[Subscription] = (),
) -> OutboxMail:
    """Compose a mail to ``subscription`` and queue it, due at once. Call under the
    subscriber's ``force_locale``: the footer is in their language too. A digest
    ``covers`` several subscriptions of the address: its footer link stops them all."""
    unsubscribe_url = compose.public_url(
        "mail.unsubscribe", token=compose.unsubscribe_token(*(covers or [subscription]))
    )
    body = "\n".join(
        [
            *lines,
            "",
            "-- ",
            _(
                "You get this because this address signed up on the dialogue's page. "
                "The address is used for nothing else."
            ),
            _("Stop these mails and delete the address:"),
            unsubscribe_url,
        ]
    )
    mail = compose.message(
        to=subscription.address,
        subject=subject,
        body=body,
        language=subscription.language,
        unsubscribe_url=unsubscribe_url,
        now=now,
    )
    row = OutboxMail(
        subscription_id=subscription.id,
        key=key,
        recipient=subscription.address,
        subject=subject,
        body=body,
        message=mail.as_string(policy=policy.SMTP),
        message_id=str(mail["Message-ID"]),
        next_attempt_at=now,
        created_at=now,
    )
    session().add(row)
    session().flush()
    return row


def _queued(key: str) -> bool:
    return session().scalar(sa.select(OutboxMail.id).where(OutboxMail.key == key)) is not None


def plan_reminders(now: dt.datetime | None = None) -> int:
    """Queue the reminder of every chosen meeting starting within ``REMIND_BEFORE``."""
    moment = now or utcnow()
    rows = session().execute(
        sa.select(Subscription, Meeting)
        .join(Reminder, Reminder.subscription_id == Subscription.id)
        .join(Meeting, Meeting.id == Reminder.meeting_id)
        .where(
            Subscription.confirmed_at.is_not(None),
            Meeting.starts_at > moment,
            Meeting.starts_at <= moment + REMIND_BEFORE,
            Meeting.status != MeetingStatus.closed,
        )
        .order_by(Subscription.id, Meeting.id)
    )
    queued = 0
    for subscription, meeting in rows:
        key = f"reminder:{subscription.id}:{meeting.id}"
        if _queued(key):
            continue
        with force_locale(subscription.language):
            when = format_datetime(cast("dt.datetime", meeting.starts_at), "full")
            lines = [
                _("Hello,"),
                "",
                _(
                    "Tomorrow is the meeting “%(title)s” in the dialogue “%(dialogue)s”.",
                    title=meeting.title,
                    dialogue=subscription.dialogue.title,
                ),
                _("When: %(when)s", when=when),
            ]
            if meeting.place:
                lines.append(_("Where: %(place)s", place=meeting.place))
            lines += [
                "",
                _("Welcome! What came of the dialogue so far:"),
                compose.public_url("reporting.feedback", dialogue_id=subscription.dialogue_id),
            ]
            enqueue(
                subscription,
                key=key,
                subject=_("Reminder: “%(title)s” tomorrow", title=meeting.title),
                lines=lines,
                now=moment,
            )
        queued += 1
    return queued


def plan_digests(now: dt.datetime | None = None) -> int:
    """Queue one digest for each address with news of action items: one mail with a
    section per dialogue it follows, the status changes since its last digest, at most
    one mail a day per address (however many dialogues it follows).

    The mail is in the language of the address's most recently confirmed subscription:
    the latest choice the person made. Its footer link stops all the dialogues it covers;
    each section has a link that stops only that dialogue.
    """
    moment = now or utcnow()
    following = session().scalars(
        sa.select(Subscription)
        .where(Subscription.confirmed_at.is_not(None), Subscription.news.is_(True))
        .order_by(Subscription.address, Subscription.id)
    )
    people: dict[str, list[Subscription]] = {}
    for subscription in following:
        people.setdefault(subscription.address, []).append(subscription)
    queued = 0
    for subscriptions in people.values():
        last_digest = max((s.digest_at for s in subscriptions if s.digest_at), default=None)
        if last_digest is not None and last_digest > moment - DIGEST_EVERY:
            continue
        sections = [(s, _news(s, moment)) for s in subscriptions]
        sections = [(s, changes) for s, changes in sections if changes]
        if not sections:
            continue
        queued += 1
        _queue_digest(subscriptions, sections, moment)
    session().flush()
    return queued


Changes = list[tuple[ActionStatusChange, ActionItem]]


def _news(subscription: Subscription, moment: dt.datetime) -> Changes:
    """The status changes of the subscription's dialogue it has not been told of."""
    since = subscription.news_since or subscription.confirmed_at
    rows = session().execute(
        sa.select(ActionStatusChange, ActionItem)
        .join(ActionItem, ActionItem.id == ActionStatusChange.item_id)
        .where(
            ActionItem.dialogue_id == subscription.dialogue_id,
            ActionStatusChange.at > since,
            ActionStatusChange.at <= moment,
        )
        .order_by(ActionStatusChange.at, ActionStatusChange.id)
    )
    return [(change, item) for change, item in rows]


def _queue_digest(
    subscriptions: list[Subscription],
    sections: list[tuple[Subscription, Changes]],
    moment: dt.datetime,
) -> None:
    # The latest choice of language wins; confirmed_at is set on every one here.
    person = max(subscriptions, key=lambda s: (s.confirmed_at or moment, s.id))
    covered = [s for s, _changes in sections]
    last = max((changes[-1][0] for _s, changes in sections), key=lambda c: c.id)
    with force_locale(person.language):
        lines = [_("Hello,"), ""]
        for subscription, changes in sections:
            lines += _digest_section(subscription, changes, several=len(sections) > 1)
        if len(sections) == 1:
            subject = _("News from “%(title)s”", title=sections[0][0].dialogue.title)
        else:
            subject = ngettext(
                "News from %(num)d dialogue you follow",
                "News from %(num)d dialogues you follow",
                len(sections),
            )
        enqueue(
            person,
            key=f"digest:{person.id}:{last.id}",
            subject=subject,
            lines=lines,
            now=moment,
            covers=covered,
        )
    for subscription in subscriptions:
        subscription.digest_at = moment
    for subscription, changes in sections:
        subscription.news_since = changes[-1][0].at


def _digest_section(subscription: Subscription, changes: Changes, *, several: bool) -> list[str]:
    latest: dict[int, tuple[ActionStatusChange, ActionItem]] = {}
    for change, item in changes:
        latest[item.id] = (change, item)
    lines = [
        _(
            "News about the initiatives of the dialogue “%(title)s”:",
            title=subscription.dialogue.title,
        ),
        "",
    ]
    for change, item in latest.values():
        lines.append(f"- {item.title}: {_status(change.to_status)}")
        if item.public_note:
            lines.append(f"  {item.public_note}")
    lines += [
        "",
        _("Everything that came of the dialogue:"),
        compose.public_url("reporting.feedback", dialogue_id=subscription.dialogue_id),
    ]
    if several:
        lines += [
            _("Stop the mail about this dialogue only:"),
            compose.public_url("mail.unsubscribe", token=compose.unsubscribe_token(subscription)),
        ]
    lines.append("")
    return lines


def _status(value: str) -> str:
    for status, label in STATUS_LABELS.items():
        if status.value == value:
            return str(label)
    return value


def prune(now: dt.datetime | None = None) -> dict[str, int]:
    """Forget sign-ups never confirmed, and mail kept past ``MAIL_KEEP_DAYS``."""
    moment = now or utcnow()
    pending = erase(
        sa.select(Subscription.id).where(
            Subscription.confirmed_at.is_(None), Subscription.created_at < moment - PENDING_FOR
        )
    )
    keep = dt.timedelta(days=current_app.config["MAIL_KEEP_DAYS"])
    old = _rowcount(
        session().execute(
            sa.delete(OutboxMail).where(
                OutboxMail.status != MailStatus.pending, OutboxMail.created_at < moment - keep
            )
        )
    )
    session().flush()
    return {"pending": pending, "mail": old}


def _rowcount(result: Any) -> int:
    return int(result.rowcount)


def outbox(limit: int = 200) -> list[OutboxMail]:
    """The newest mail first, for the staff page."""
    return list(
        session().scalars(sa.select(OutboxMail).order_by(OutboxMail.id.desc()).limit(limit))
    )


def outbox_counts() -> dict[str, int]:
    rows = session().execute(
        sa.select(OutboxMail.status, sa.func.count(OutboxMail.id)).group_by(OutboxMail.status)
    )
    found = {status.value: 0 for status in MailStatus}
    found.update({status.value: number for status, number in rows})
    return found
