"""The vote-integrity tests of ``test_voting`` again, on PostgreSQL: its locks, its
isolation and its constraints are the ones that keep a budget and one ballot each in
production, not SQLite's."""

from __future__ import annotations

from typing import Any

import pytest

from .test_voting import *  # noqa: F403 -- every test of the module, collected here again


@pytest.fixture
def app_config(postgres_config: dict[str, Any]) -> dict[str, Any]:
    return postgres_config
