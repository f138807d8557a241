"""A theme to plan meetings on."""

from __future__ import annotations

import pytest
from flask import Flask

from facilitate.db import session
from facilitate.dialogues import operations as dialogue_ops


@pytest.fixture
def theme_id(app: Flask) -> int:
    with app.app_context():
        dialogue = dialogue_ops.create_dialogue("Trygghet", areas=["Fröslunda"])
        theme = dialogue_ops.create_theme(dialogue, "Belysning")
        session().commit()
        return theme.id
