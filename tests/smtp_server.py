"""A real SMTP server for the tests (aiosmtpd), collecting what it is handed."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from processes import free_port


class Inbox:
    """Every mail the server accepted, parsed; ``refuse`` names recipients to 550."""

    def __init__(self, delay: float = 0.0) -> None:
        self.mails: list[EmailMessage] = []
        self.lock = threading.Lock()
        self.refuse: set[str] = set()
        self.delay = delay

    async def handle_RCPT(  # noqa: N802 -- aiosmtpd's hook names
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)
        mail = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        with self.lock:
            self.mails.append(mail)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.mails if address in str(m["To"])]

    def wait(self, condition: Callable[[], bool], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, "mail did not arrive in time"
            time.sleep(0.05)


@contextmanager
def smtp_server(delay: float = 0.0) -> Iterator[tuple[Inbox, str]]:
    """An SMTP server on a free port: its inbox and its ``SMTP_URL``."""
    inbox = Inbox(delay)
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()
