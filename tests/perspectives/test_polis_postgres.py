"""The Pol.is import and export of ``test_polis`` again, on PostgreSQL: its bulk inserts
with ``RETURNING`` in order, and its constraints, are production's, not SQLite's."""

from __future__ import annotations

from typing import Any

import pytest

from .test_polis import *  # noqa: F403 -- every test of the module, collected here again


@pytest.fixture
def app_config(postgres_config: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    return {**postgres_config, "PERSPECTIVES_INTERVAL": 0.3, **getattr(request, "param", {})}
