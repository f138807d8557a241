"""Erasing a resident's words on PostgreSQL: no version of the row keeps them.

An erase is a live write, so it runs a plain VACUUM of ``contributions`` (no lock that
stops the room's other writes), not the purge's VACUUM FULL. A plain VACUUM removes the
old row versions but leaves their bytes in the page's free space until new rows land
there, so a byte search of the file would still find them. The test asks pageinspect
instead: no tuple on any page, live or dead, holds the words.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from conftest import holding
from flask import Flask
from flask_socketio import SocketIOTestClient

from facilitate.extensions import db

from .test_people import PHRASE, participant_id, said_everywhere
from .test_protocol import ack


@pytest.fixture
def app_config(postgres_config: dict[str, Any]) -> dict[str, Any]:
    return postgres_config


def tuples_holding(app: Flask, phrase: str) -> int:
    """Row versions on the pages of ``contributions`` whose data holds ``phrase``."""
    with app.app_context(), db.engine.begin() as connection:
        connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pageinspect")
        found = connection.execute(
            sa.text(
                "SELECT count(*) FROM generate_series(0, pg_relation_size('contributions')"
                " / current_setting('block_size')::int - 1) AS page,"
                " heap_page_items(get_raw_page('contributions', page::int)) AS item"
                " WHERE position(convert_to(:phrase, 'UTF8') IN item.t_data) > 0"
            ),
            {"phrase": phrase},
        ).scalar()
    return int(found or 0)


def test_participant_erase_leaves_no_row_version_with_the_words(
    app: Flask, room: dict[str, SocketIOTestClient]
) -> None:
    said_everywhere(room)
    assert tuples_holding(app, PHRASE) > 0  # the probe sees them while they are kept
    anna = participant_id(app, "Anna")
    assert ack(room["console"], "participant_erase", participant_id=anna)["erased"] == 1
    assert holding(app, PHRASE) == set()
    assert tuples_holding(app, PHRASE) == 0
