"""API clients by role: each call is checked against the OpenAPI document (see ``Api``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from api.test_openapi import Api
from facilitate.auth.models import Role


@pytest.fixture
def facilitator(as_role: Callable[[Role], Api]) -> Api:
    return as_role(Role.facilitator)


@pytest.fixture
def observer(as_role: Callable[[Role], Api]) -> Api:
    return as_role(Role.observer)
