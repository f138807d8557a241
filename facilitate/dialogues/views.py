"""Facilitator pages for dialogues, districts and themes, and the dashboard."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("dialogues", __name__)
