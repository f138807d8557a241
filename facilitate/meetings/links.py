"""The URLs residents use to reach a meeting; the one place that builds them."""

from __future__ import annotations

from flask import request

from .models import Meeting


def join_url(meeting: Meeting) -> str:
    """The absolute address of the meeting's join page, ``<host>/j/<join_code>``."""
    return f"{request.host_url}j/{meeting.join_code}"
