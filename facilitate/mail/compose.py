"""Mails as RFC 5322 text (the standard library's ``email``), and the signed links in them.

Links are built from ``PUBLIC_URL``, since the worker composes mail outside any request.
Each link is signed with the app's secret (itsdangerous) and names the subscription's
random nonce, so a link stops working the moment its row is deleted.
"""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from .models import Subscription

CONFIRM_SALT = "facilitate.mail.confirm"
UNSUBSCRIBE_SALT = "facilitate.mail.unsubscribe"
#: How long a confirmation link works.
CONFIRM_MAX_AGE = 7 * 24 * 3600


def public_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for a mail: ``PUBLIC_URL`` and the route's path."""
    adapter = current_app.url_map.bind("localhost")
    path = adapter.build(endpoint, values)
    return str(current_app.config["PUBLIC_URL"]).rstrip("/") + path


def confirm_token(subscription: Subscription, news: bool, meetings: list[int]) -> str:
    """The confirmation link's token: it carries the choices, applied only when followed."""
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)
    return str(serializer.dumps([subscription.id, subscription.nonce, news, meetings]))


def read_confirm_token(token: str) -> tuple[int, str, bool, list[int]] | None:
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)
    try:
        data = serializer.loads(token, max_age=CONFIRM_MAX_AGE)
    except BadSignature:
        return None
    match data:
        case [int(sid), str(nonce), bool(news), list(meetings)] if all(
            isinstance(m, int) for m in meetings
        ):
            return sid, nonce, news, meetings
    return None


def unsubscribe_token(*subscriptions: Subscription) -> str:
    """The unsubscribe link's token. A digest names every subscription it covers, so its
    link (and its ``List-Unsubscribe`` header) stops all the mail it brought."""
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)
    if len(subscriptions) == 1:
        # One pair, not a list of one: the links of mail already sent keep this shape.
        return str(serializer.dumps([subscriptions[0].id, subscriptions[0].nonce]))
    return str(serializer.dumps([[s.id, s.nonce] for s in subscriptions]))


def read_unsubscribe_token(token: str) -> list[tuple[int, str]] | None:
    """The (subscription id, nonce) pairs an unsubscribe link names; None when forged."""
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)
    try:
        data = serializer.loads(token)
    except BadSignature:
        return None
    match data:
        case [int(sid), str(nonce)]:
            return [(sid, nonce)]
        case [*pairs] if pairs and all(_pair(p) for p in pairs):
            return [(int(p[0]), str(p[1])) for p in pairs]
    return None


def _pair(value: Any) -> bool:
    match value:
        case [int(), str()]:
            return True
    return False


def sender() -> str:
    return str(current_app.config["MAIL_FROM"])


def message(
    *,
    to: str,
    subject: str,
    body: str,
    language: str,
    unsubscribe_url: str,
    now: dt.datetime,
) -> EmailMessage:
    """One plain-text mail with the one-click unsubscribe headers (RFC 2369, RFC 8058)."""
    mail = EmailMessage()
    from_address = sender()
    domain = parseaddr(from_address)[1].rpartition("@")[2] or "localhost"
    mail["From"] = from_address
    mail["To"] = formataddr(("", to))
    mail["Subject"] = subject
    mail["Date"] = format_datetime(now)
    mail["Message-ID"] = make_msgid(domain=domain)
    mail["Auto-Submitted"] = "auto-generated"
    mail["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(body, cte="quoted-printable")
    mail["Content-Language"] = language  # after set_content, which clears Content-*
    return mail
