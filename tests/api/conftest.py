"""API clients by role: each call is checked against the OpenAPI document (see ``Api``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from api.test_openapi import Api
from facilitate.auth.models import Role, User


@pytest.fixture
def as_role(
    client: FlaskClient, make_user: Callable[..., User], api_token: Callable[[User], str]
) -> Callable[[Role], Api]:
    return lambda role: Api(client, api_token(make_user(role)))


@pytest.fixture
def facilitator(as_role: Callable[[Role], Api]) -> Api:
    return as_role(Role.facilitator)


@pytest.fixture
def observer(as_role: Callable[[Role], Api]) -> Api:
    return as_role(Role.observer)
