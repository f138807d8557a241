"""A connect's path on PostgreSQL, where its reads commit on their own: a late joiner's
group is still placed in a transaction of its own (``db.begin_explicitly``)."""

from __future__ import annotations

from typing import Any

import pytest

from .test_protocol import (  # noqa: F401 -- collected here again, on PostgreSQL
    test_connect_draft_meeting_staff_only,
    test_connect_refused_without_valid_identity,
    test_groups_walls_private_and_late_joiner,
)


@pytest.fixture
def app_config(postgres_config: dict[str, Any]) -> dict[str, Any]:
    return postgres_config
