from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import make_config
from smtp_server import Inbox, smtp_server


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, str]]:
    with smtp_server() as found:
        yield found


@pytest.fixture
def inbox(smtp: tuple[Inbox, str]) -> Inbox:
    return smtp[0]


@pytest.fixture
def app_config(
    tmp_path: Path, smtp: tuple[Inbox, str], request: pytest.FixtureRequest
) -> dict[str, Any]:
    """The app sends to the test's SMTP server unless a test says otherwise."""
    overrides = {"SMTP_URL": smtp[1], "PUBLIC_URL": "https://dialog.example.se"}
    overrides.update(getattr(request, "param", {}))
    return make_config(tmp_path, **overrides)
