"""The worker that empties the outbox: in the running server, and ``mail send-due``.

Once across instances: only the holder of the lease row (``mail_lease``) plans reminders
and digests and sends; the lease is taken with one conditional UPDATE, which works the same
on SQLite and PostgreSQL. Each mail is also reserved on its own before it is sent (its
next attempt moved into the future, committed), so even two senders never send one mail
at the same time.

Between sending and recording there is a gap no SMTP server lets us close: a crash after
the server took a mail and before its row says ``sent`` sends it again when the reserved
attempt comes due. It is then the same mail, with the same ``Message-ID``, so mail
programs can show it once. Nothing is lost: a mail leaves the outbox only as ``sent``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from facilitate.db import session, utcnow
from facilitate.extensions import socketio

from . import compose, transport
from . import operations as ops
from .models import MailLease, MailStatus, OutboxMail

log = logging.getLogger(__name__)

LEASE = "sender"
#: A mail that failed waits MAIL_RETRY_SECONDS (a minute), then twice that ... at most an
#: hour, before it goes again.
BACKOFF_MAX = dt.timedelta(hours=1)
#: Attempts before a mail is given up as failed (about a day of trying).
ATTEMPTS_MAX = 30

Deliver = Callable[[str, str, str, float], None]


def backoff(attempts: int) -> dt.timedelta:
    """How long after its ``attempts``-th try a mail is due again."""
    first = dt.timedelta(seconds=current_app.config["MAIL_RETRY_SECONDS"])
    wait: dt.timedelta = first * 2 ** max(attempts - 1, 0)
    return min(wait, BACKOFF_MAX)


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def claim(holder: str, now: dt.datetime | None = None) -> bool:
    """Take or renew the lease for ``MAIL_LEASE_SECONDS``; whether this holder has it.
    Commits: the lease must be visible to the other instances at once."""
    moment = now or utcnow()
    until = moment + dt.timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"])
    if session().get(MailLease, LEASE) is None:
        try:
            with session().begin_nested():
                session().add(MailLease(name=LEASE, holder="", expires_at=moment))
        except sa.exc.IntegrityError:
            pass  # another instance made it first
    result: Any = session().execute(
        sa.update(MailLease)
        .where(
            MailLease.name == LEASE,
            sa.or_(MailLease.expires_at <= moment, MailLease.holder == holder),
        )
        .values(holder=holder, expires_at=until)
    )
    session().commit()
    return bool(result.rowcount == 1)


def release(holder: str) -> None:
    session().execute(
        sa.update(MailLease)
        .where(MailLease.name == LEASE, MailLease.holder == holder)
        .values(holder="", expires_at=utcnow())
    )
    session().commit()


@dataclass
class Round:
    planned: int = 0
    sent: int = 0
    failed: int = 0
    retry: int = 0
    kept: int = 0
    #: Another instance holds the lease: it sends, this round did nothing.
    busy: bool = False
    errors: list[str] = field(default_factory=list)


def send_due(
    holder: str | None = None, *, now: Callable[[], dt.datetime] = utcnow, limit: int = 10_000
) -> Round:
    """Plan what is due (reminders, digests), then send every mail due now. Commits after
    each step. Without ``SMTP_URL`` mail is planned and kept in the outbox, unsent.

    Without a ``holder`` (a one-off run: ``mail send-due``) the lease is let go at the end,
    so the server's worker goes on at once."""
    if holder is None:
        holder = holder_name()
        try:
            return send_due(holder, now=now, limit=limit)
        finally:
            session().rollback()
            release(holder)
    done = Round()
    if not claim(holder, now()):
        done.busy = True
        return done
    done.planned = ops.plan_reminders(now()) + ops.plan_digests(now())
    ops.prune(now())
    session().commit()
    url = current_app.config.get("SMTP_URL")
    if not url:
        done.kept = (
            session().scalar(
                sa.select(sa.func.count(OutboxMail.id)).where(
                    OutboxMail.status == MailStatus.pending
                )
            )
            or 0
        )
        return done
    for _ in range(limit):
        if not claim(holder, now()):
            break
        mail_id = session().scalar(
            sa.select(OutboxMail.id)
            .where(OutboxMail.status == MailStatus.pending, OutboxMail.next_attempt_at <= now())
            .order_by(OutboxMail.next_attempt_at, OutboxMail.id)
            .limit(1)
        )
        if mail_id is None:
            break
        send_one(mail_id, url, now, done)
    return done


def send_one(mail_id: int, url: str, now: Callable[[], dt.datetime], done: Round) -> None:
    """Reserve one mail (commit), hand it to the server, record the outcome (commit)."""
    moment = now()
    mail = session().get(OutboxMail, mail_id)
    if mail is None or mail.status is not MailStatus.pending or mail.next_attempt_at > moment:
        session().rollback()
        return
    reserved: Any = session().execute(
        sa.update(OutboxMail)
        .where(
            OutboxMail.id == mail_id,
            OutboxMail.status == MailStatus.pending,
            OutboxMail.attempts == mail.attempts,
        )
        .values(attempts=mail.attempts + 1, next_attempt_at=moment + backoff(mail.attempts + 1))
    )
    session().commit()
    if reserved.rowcount != 1:
        return  # another sender took it
    session().refresh(mail)
    try:
        deliver(url, mail.message, compose.sender(), current_app.config["MAIL_TIMEOUT"])
    except transport.SendError as error:
        mail.error = str(error)[:2000]
        if error.permanent or mail.attempts >= ATTEMPTS_MAX:
            mail.status = MailStatus.failed
            done.failed += 1
        else:
            done.retry += 1
        done.errors.append(f"mail {mail.id}: {error}")
        log.warning("mail %s not sent (attempt %s): %s", mail.id, mail.attempts, error)
    else:
        mail.status = MailStatus.sent
        mail.sent_at = now()
        mail.error = ""
        done.sent += 1
    session().commit()


def deliver(url: str, raw: str, sender: str, timeout: float) -> None:
    """The transport; tests replace it to fail on purpose."""
    transport.send(url, raw, sender, timeout)


def run(app: Flask, stop: Callable[[], bool] = lambda: False) -> None:
    """The server's loop: a round every ``MAIL_POLL_SECONDS``, never raising."""
    holder = holder_name()
    while not stop():
        try:
            with app.app_context():
                result = send_due(holder)
                if result.sent or result.failed or result.retry:
                    log.info(
                        "mail: %s sent, %s failed, %s to retry",
                        result.sent,
                        result.failed,
                        result.retry,
                    )
        except Exception:
            log.exception("the mail worker's round failed; the next one tries again")
            with app.app_context():
                session().rollback()
        socketio.sleep(app.config["MAIL_POLL_SECONDS"])


def start(app: Flask) -> None:
    """Run the worker beside the server: a greenlet under gevent, never in a request."""
    if not app.config.get("SMTP_URL"):
        log.warning("SMTP_URL is not set: mail is kept in the outbox and not sent")
    socketio.start_background_task(run, app)
