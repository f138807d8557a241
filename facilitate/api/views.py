from __future__ import annotations

from apiflask import APIBlueprint

bp = APIBlueprint("api", __name__, url_prefix="/api/v1")
