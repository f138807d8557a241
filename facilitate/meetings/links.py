"""The URLs residents use to reach a meeting; the one place that builds them."""

from __future__ import annotations

from flask import url_for

from .models import Meeting


def join_url(meeting: Meeting) -> str:
    """The absolute address of the meeting's join page, ``<host>/j/<join_code>`` (the QR)."""
    return url_for("live.join", code=meeting.join_code, _external=True)


def start_url() -> str:
    """The page where a code is typed in, for those who cannot scan."""
    return url_for("live.start", _external=True)
