"""Handing one stored mail to the SMTP server (``SMTP_URL``), with timeouts.

``smtp://user:pass@host:587`` says STARTTLS whenever the server offers it and refuses to
send a password without it; ``smtps://host:465`` is TLS from the first byte. Under
gevent the server's socket is cooperative, so a slow mail server holds only the worker.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email import message_from_string, policy
from email.utils import getaddresses
from urllib.parse import unquote, urlsplit


class SendError(Exception):
    """Sending failed; ``permanent`` when trying again cannot help (a 5xx answer)."""

    def __init__(self, text: str, *, permanent: bool) -> None:
        super().__init__(text)
        self.permanent = permanent


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    tls: bool  # smtps: TLS from the start
    user: str
    password: str

    @classmethod
    def parse(cls, url: str) -> Server:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://user:pass@host:587 or smtps://host")
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 587),
            tls=tls,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
        )


def send(url: str, raw: str, sender: str, timeout: float) -> None:
    """Deliver ``raw`` to its To address through the server at ``url``."""
    server = Server.parse(url)
    parsed = message_from_string(raw, policy=policy.SMTP)
    recipients = [address for _, address in getaddresses(parsed.get_all("To", []))]
    envelope_from = getaddresses([sender])[0][1]
    context = ssl.create_default_context()
    try:
        smtp: smtplib.SMTP
        if server.tls:
            smtp = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=timeout)
        with smtp:
            smtp.ehlo()
            if not server.tls and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
                secure = True
            else:
                secure = server.tls
            if server.user:
                if not secure:
                    raise SendError(
                        "the server offers no STARTTLS; the password is not sent in clear",
                        permanent=False,
                    )
                smtp.login(server.user, server.password)
            # Bytes go as given: every line must end in CRLF (RFC 5321), whatever the
            # database did to the text.
            wire = raw.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
            refused = smtp.sendmail(envelope_from, recipients, wire)
            if refused:
                raise SendError(_refusal(refused), permanent=True)
    except SendError:
        raise
    except smtplib.SMTPRecipientsRefused as error:
        raise SendError(_refusal(error.recipients), permanent=True) from error
    except smtplib.SMTPResponseException as error:
        text = f"{error.smtp_code} {_text(error.smtp_error)}"
        raise SendError(text, permanent=500 <= error.smtp_code < 600) from error
    except (OSError, smtplib.SMTPException) as error:
        raise SendError(f"{type(error).__name__}: {error}", permanent=False) from error


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _refusal(refused: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{code} {_text(text)}" for code, text in refused.values())
