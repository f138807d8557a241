"""The tally property again, on PostgreSQL: the counters kept in step with the votes must
equal a recount there too, where production keeps them."""

from __future__ import annotations

from typing import Any

import pytest

from .test_tally_properties import *  # noqa: F403 -- the property, collected here again


@pytest.fixture
def app_config(postgres_config: dict[str, Any]) -> dict[str, Any]:
    return postgres_config
